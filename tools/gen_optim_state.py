"""Golden data for tests/test_optim_state.c: PyTorch 1.13's optimizer.state_dict() after 3 steps,
flattened into the names cgrad's cg_optimizer_state_dict uses, and the parameters after 3 more
steps. Parameter 1 sits in a second group (lr group2_lr) and has no gradient in the first two
steps, so its state starts later. Writes tests/data/optim_state.txt:
    case <Kind> key=value ...        the options (as tests/data/optim.txt's; float64=1: float64 tensors)
    param <i> <tensor>               the parameters' starting values
    grad <step> <i> <tensor>|none    the gradients of steps 0..5
    sd <name> <tensor>               state_dict() after step 2, flattened (see flatten)
    mid <i> <tensor>                 each parameter after step 2
    after <i> <tensor>               each parameter after step 5

Run from the repository root with /usr/bin/python3 tools/gen_optim_state.py.
"""
import torch

from gen_optim import KINDS, kwargs, opts_text
from golden import tensor_text

SAVE_AT, STEPS = 3, 6
CASES = [
    ("SGD", dict(lr=0.1, group2_lr=0.2)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01, group2_lr=0.1)),
    ("Adam", dict(lr=0.01, amsgrad=True, group2_lr=0.02)),
    ("Adam", dict(lr=0.01, beta1=0.8, weight_decay=0.1, float64=1, group2_lr=0.03)),
    ("AdamW", dict(lr=0.01, maximize=True, group2_lr=0.001)),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.5, group2_lr=0.02)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1, group2_lr=0.2)),
    ("Adadelta", dict(rho=0.8, group2_lr=0.5)),
    ("Adamax", dict(lr=0.01, group2_lr=0.02)),
    ("NAdam", dict(lr=0.01, group2_lr=0.02)),
    ("RAdam", dict(lr=0.01, beta2=0.9, group2_lr=0.02)),
]
SKIPPED = ("foreach", "capturable", "differentiable", "fused")


def flatten(sd):
    """PyTorch's nested state_dict as cgrad's names -> tensors (a Python int becomes int64,
    an option float64, a flag bool, betas a float64 pair; None and the implementation flags go)."""
    out = []
    for i, state in sd["state"].items():
        for name, v in state.items():
            if v is not None:
                out.append((f"state.{i}.{name}", v if torch.is_tensor(v) else torch.tensor(v)))
    for g, group in enumerate(sd["param_groups"]):
        for key, v in group.items():
            if key in SKIPPED or key == "params":
                continue
            if isinstance(v, bool):
                t = torch.tensor(v)
            else:
                t = torch.tensor(v if key == "betas" else float(v), dtype=torch.float64)
            out.append((f"param_groups.{g}.{key}", t))
        out.append((f"param_groups.{g}.params", torch.tensor(group["params"], dtype=torch.int64)))
    return out


def run_case(out, kind, opts, gen):
    dtype = torch.float64 if opts.get("float64") else torch.float32
    params = [torch.randn(3, 4, generator=gen, dtype=dtype), torch.randn(5, generator=gen, dtype=dtype)]
    groups = [{"params": [params[0]]}, {"params": [params[1]], "lr": opts["group2_lr"]}]
    opt = KINDS[kind](groups, **kwargs(opts))
    out.append(f"case {kind} {opts_text(opts)}")
    for i, p in enumerate(params):
        out.append(f"param {i} {tensor_text(p)}")
    for step in range(STEPS):
        for i, p in enumerate(params):
            if i == 1 and step < 2:
                p.grad = None
                out.append(f"grad {step} {i} none")
                continue
            p.grad = torch.randn(p.shape, generator=gen, dtype=dtype)
            out.append(f"grad {step} {i} {tensor_text(p.grad)}")
        opt.step()
        if step == SAVE_AT - 1:
            out += [f"sd {name} {tensor_text(t)}" for name, t in flatten(opt.state_dict())]
            out += [f"mid {i} {tensor_text(p)}" for i, p in enumerate(params)]
    out += [f"after {i} {tensor_text(p)}" for i, p in enumerate(params)]


def main():
    gen = torch.Generator().manual_seed(9)
    out = ["# tools/gen_optim_state.py: PyTorch " + torch.__version__]
    for kind, opts in CASES:
        run_case(out, kind, opts, gen)
    with open("tests/data/optim_state.txt", "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
