"""Golden data for tests/test_optim.c: PyTorch 1.13's optimizers (their default CPU path, the
single-tensor for-loop) stepped 8 times on fixed float32 parameters and gradients. Writes
tests/data/optim.txt, one record per line:
    case <Kind> key=value ...                 the options (group2_lr: parameter 1 in a group of its own;
                                              float64=1: float64 parameters and gradients)
    param <i> <tensor>                        the parameters' starting values
    grad <step> <i> <tensor> | grad <step> <i> none   (none: .grad is None at that step)
    after <step> <i> <tensor>                 each parameter after that step
    error <Kind> key=value ... | <Python exception>   a constructor that refuses its options
    sched ... / clip ...                      lr schedules and clip_grad_* (see schedule_lines, clip_lines)

Run from the repository root with /usr/bin/python3 tools/gen_optim.py.
"""
import torch

from golden import tensor_text

STEPS = 8
KINDS = {"SGD": torch.optim.SGD, "Adam": torch.optim.Adam, "AdamW": torch.optim.AdamW,
         "RMSprop": torch.optim.RMSprop, "Adagrad": torch.optim.Adagrad, "Adadelta": torch.optim.Adadelta,
         "Adamax": torch.optim.Adamax, "NAdam": torch.optim.NAdam, "RAdam": torch.optim.RAdam}

CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, dampening=0.1, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.003)),
    ("SGD", dict(lr=0.03, momentum=0.9, maximize=True, group2_lr=0.3)),
    ("Adam", dict()),
    ("Adam", dict(lr=0.01, beta1=0.8, beta2=0.99, eps=1e-6, weight_decay=0.02)),
    ("Adam", dict(lr=0.02, amsgrad=True)),
    ("Adam", dict(lr=0.02, amsgrad=True, maximize=True, group2_lr=0.001)),
    ("AdamW", dict()),
    ("AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
    ("AdamW", dict(lr=0.01, maximize=True, beta1=0.5)),
    ("RMSprop", dict()),
    ("RMSprop", dict(lr=0.01, alpha=0.9, momentum=0.5)),
    ("RMSprop", dict(lr=0.01, centered=True, weight_decay=0.05)),
    ("RMSprop", dict(lr=0.003, centered=True, momentum=0.9, maximize=True)),
    ("Adagrad", dict()),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.01, initial_accumulator_value=0.1)),
    ("Adagrad", dict(lr=0.05, maximize=True, eps=1e-6)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.8, weight_decay=0.1, maximize=True)),
    ("Adamax", dict()),
    ("Adamax", dict(lr=0.01, beta1=0.7, weight_decay=0.02, maximize=True)),
    ("NAdam", dict()),
    ("NAdam", dict(lr=0.01, momentum_decay=0.01, weight_decay=0.03)),
    ("RAdam", dict()),
    ("RAdam", dict(lr=0.01, beta2=0.9, weight_decay=0.01)),
]
# The same updates on float64 parameters (the step and NAdam's mu_product stay float32 tensors).
CASES += [(kind, dict(opts, float64=1)) for kind, opts in [
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.02, group2_lr=0.003)),
    ("AdamW", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.5)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01)),
    ("Adadelta", dict(weight_decay=0.1)),
    ("Adamax", dict(maximize=True)),
    ("NAdam", dict(lr=0.01)),
    ("RAdam", dict(lr=0.01, beta2=0.9)),
]]

ERRORS = [
    ("SGD", dict(lr=-0.1)),
    ("SGD", dict(lr=0.1, momentum=-1.0)),
    ("SGD", dict(lr=0.1, weight_decay=-1e-05)),
    ("SGD", dict(lr=0.1, nesterov=True)),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.5, nesterov=True)),
    ("Adam", dict(lr=-1.0)),
    ("Adam", dict(eps=-1e-8)),
    ("Adam", dict(beta1=1.0)),
    ("Adam", dict(beta2=-0.5)),
    ("Adam", dict(weight_decay=-2.0)),
    ("AdamW", dict(beta1=1.5)),
    ("RMSprop", dict(alpha=-0.5)),
    ("RMSprop", dict(momentum=-0.5)),
    ("Adagrad", dict(lr_decay=-1.0)),
    ("Adagrad", dict(initial_accumulator_value=-1.0)),
    ("Adadelta", dict(rho=1.5)),
    ("NAdam", dict(momentum_decay=-1.0)),
    ("RAdam", dict(eps=-1.0)),
]


def kwargs(opts):
    kw = {k: v for k, v in opts.items() if k not in ("beta1", "beta2", "group2_lr", "float64")}
    if "beta1" in opts or "beta2" in opts:
        kw["betas"] = (opts.get("beta1", 0.9), opts.get("beta2", 0.999))
    return kw


def opts_text(opts):
    return " ".join(f"{k}={int(v) if isinstance(v, bool) else repr(v)}" for k, v in opts.items())


def run_case(out, kind, opts, gen):
    dtype = torch.float64 if opts.get("float64") else torch.float32
    params = [torch.randn(3, 4, generator=gen, dtype=dtype), torch.randn(5, generator=gen, dtype=dtype)]
    kw = kwargs(opts)
    if "group2_lr" in opts:
        groups = [{"params": [params[0]]}, {"params": [params[1]], "lr": opts["group2_lr"]}]
    else:
        groups = [{"params": params}]
    opt = KINDS[kind](groups, **kw)
    out.append(f"case {kind} {opts_text(opts)}".rstrip())
    for i, p in enumerate(params):
        out.append(f"param {i} {tensor_text(p)}")
    for step in range(STEPS):
        for i, p in enumerate(params):
            if i == 1 and step == 2:  # a step without a gradient: the parameter is skipped
                p.grad = None
                out.append(f"grad {step} {i} none")
                continue
            g = torch.randn(p.shape, generator=gen, dtype=dtype)
            if step % 3 == 1:
                g = g * 1e-3  # small gradients too, where eps matters
            p.grad = g
            out.append(f"grad {step} {i} {tensor_text(g)}")
        opt.step()
        for i, p in enumerate(params):
            out.append(f"after {step} {i} {tensor_text(p)}")


SCHEDULES = [
    ("StepLR", dict(step_size=3, gamma=0.5)),
    ("StepLR", dict(step_size=1)),
    ("MultiStepLR", dict(milestones=[2, 5, 5, 9], gamma=0.3)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=7)),
    ("CosineAnnealingLR", dict(T_max=4, eta_min=0.001)),
    ("LinearLR", dict()),
    ("LinearLR", dict(start_factor=0.25, end_factor=0.75, total_iters=9)),
    ("LambdaLR", dict(lr_lambda="0.95 ** epoch")),
]
SCHEDULE_STEPS = 25


def schedule_lines():
    """sched <Kind> key=value ... | <lr of group 0> <lr of group 1> ... after each step."""
    out = []
    for kind, opts in SCHEDULES:
        p, q = torch.zeros(2, requires_grad=True), torch.zeros(2, requires_grad=True)
        opt = torch.optim.SGD([{"params": [p]}, {"params": [q], "lr": 0.05}], lr=0.1)
        kw = dict(opts)
        if kind == "LambdaLR":
            kw["lr_lambda"] = lambda epoch: 0.95 ** epoch
        sched = getattr(torch.optim.lr_scheduler, kind)(opt, **kw)
        lrs = [sched.get_last_lr()]
        for _ in range(SCHEDULE_STEPS):
            opt.step()
            sched.step()
            lrs.append(sched.get_last_lr())
        text = " ".join(f"{k}={','.join(map(str, v)) if isinstance(v, list) else v}" for k, v in opts.items()
                        if k != "lr_lambda")
        out.append(f"sched {kind} {text} | " + " ".join(repr(lr) for pair in lrs for lr in pair))
    return out


CLIPS = [(1.0, 2.0), (100.0, 2.0), (0.5, 1.0), (0.3, float("inf")), (2.0, 3.5), (0.1, 0.5)]


def clip_lines(gen):
    """clip norm <max_norm> <norm_type> | <grad 0> <grad 1> <grad 2 or none> | <total> <grads after>
       clip value <clip_value> | <grads> | <grads after>"""
    out = []
    for max_norm, norm_type in CLIPS:
        grads = [torch.randn(3, 4, generator=gen), torch.randn(5, generator=gen) * 3, None]
        params = [torch.zeros(3, 4, requires_grad=True), torch.zeros(5, requires_grad=True), torch.zeros(2, requires_grad=True)]
        for p, g in zip(params, grads):
            p.grad = None if g is None else g.clone()
        total = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type)
        before = " ".join("none" if g is None else tensor_text(g) for g in grads)
        after = " ".join(tensor_text(p.grad) for p in params[:2])
        out.append(f"clip norm {max_norm!r} {norm_type!r} | {before} | {tensor_text(total)} {after}")
    grads = [torch.randn(3, 4, generator=gen), torch.randn(5, generator=gen) * 3]
    params = [torch.zeros(3, 4, requires_grad=True), torch.zeros(5, requires_grad=True)]
    for p, g in zip(params, grads):
        p.grad = g.clone()
    torch.nn.utils.clip_grad_value_(params, 0.7)
    out.append("clip value 0.7 | " + " ".join(tensor_text(g) for g in grads) + " | "
               + " ".join(tensor_text(p.grad) for p in params))
    return out


def clip_error_lines():
    """clip error <norm_type> | <message>: a non-finite norm with error_if_nonfinite."""
    out = []
    for norm_type in (2.0, float("inf"), 0.5):
        p = torch.zeros(2, requires_grad=True)
        p.grad = torch.tensor([float("inf"), 1.0])
        try:
            torch.nn.utils.clip_grad_norm_([p], 1.0, norm_type, error_if_nonfinite=True)
            raise SystemExit("clip_grad_norm_ did not fail")
        except RuntimeError as e:
            assert p.grad[1].item() == 1.0
            out.append(f"clip error {norm_type!r} | RuntimeError: {e}")
    return out


def main():
    gen = torch.Generator().manual_seed(8)
    out = ["# tools/gen_optim.py: PyTorch " + torch.__version__]
    for kind, opts in CASES:
        run_case(out, kind, opts, gen)
    for kind, opts in ERRORS:
        kw = kwargs(opts)
        if kind == "SGD":
            kw.setdefault("lr", 0.1)
        try:
            KINDS[kind]([torch.zeros(2)], **kw)
            raise SystemExit(f"{kind} {opts} did not fail")
        except ValueError as e:
            out.append(f"error {kind} {opts_text(opts)} | ValueError: {e}")
    out += schedule_lines() + clip_lines(gen) + clip_error_lines()
    with open("tests/data/optim.txt", "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
