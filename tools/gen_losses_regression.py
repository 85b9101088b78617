"""Golden values of smooth_l1_loss, huber_loss, kl_div, poisson_nll_loss and gaussian_nll_loss:
writes tests/data/losses_regression.txt from PyTorch 1.13.

Run from the repository root with /usr/bin/python3 tools/gen_losses_regression.py. Each line is
    <loss> <reduction> <option=value,...|-> <input> <target> <var|-> <loss value> <node name>
    <input grad> <target grad> <var grad|->
with tensors as tools/golden.py writes them; the gradients are those of loss.sum() (for "none")
or of the loss, every operand requiring grad.
"""
import os
import warnings

import torch
import torch.nn.functional as F

from golden import tensor_text

warnings.simplefilter("ignore")
torch.manual_seed(0)
lines = []


def case(name, reduction, x, t, var=None, **options):
    x = x.detach().requires_grad_()
    t = t.detach().requires_grad_()
    args = (x, t) if var is None else (x, t, var.detach().requires_grad_())
    loss = getattr(F, name)(*args, reduction=reduction, **options)
    (loss.sum() if reduction == "none" else loss).backward()
    opts = ",".join(f"{k}={float(v) if not isinstance(v, bool) else int(v)}" for k, v in options.items()) or "-"
    lines.append(" ".join([name, reduction, opts, tensor_text(x), tensor_text(t),
                           "-" if var is None else tensor_text(args[2]), tensor_text(loss), type(loss.grad_fn).__name__,
                           tensor_text(x.grad), tensor_text(t.grad), "-" if var is None else tensor_text(args[2].grad)]))


for dtype in (torch.float32, torch.float64):
    for reduction in ("mean", "sum", "none"):
        x, t = torch.randn(5, 7, dtype=dtype) * 2, torch.randn(5, 7, dtype=dtype) * 2
        t[0, :3] = x[0, :3]  # differences of 0
        for beta in (None, 0.5, 0.0, 3.0):
            kw = {} if beta is None else {"beta": beta}
            case("smooth_l1_loss", reduction, x, t, **kw)
        case("smooth_l1_loss", reduction, torch.randn(300, dtype=dtype), torch.randn(300, dtype=dtype), beta=0.7)
        for delta in (None, 0.5, 2.5):
            kw = {} if delta is None else {"delta": delta}
            case("huber_loss", reduction, x, t, **kw)
        case("huber_loss", reduction, torch.randn(300, dtype=dtype), torch.randn(300, dtype=dtype), delta=0.3)
        logp = torch.randn(4, 6, dtype=dtype).log_softmax(1)
        p = torch.rand(4, 6, dtype=dtype).softmax(1)
        p[0, 0] = 0
        for r in (reduction, "batchmean") if reduction == "mean" else (reduction,):
            case("kl_div", r, logp, p)
            case("kl_div", r, logp, p.clamp_min(1e-3).log(), log_target=True)
        rate = torch.rand(4, 6, dtype=dtype) * 3
        counts = torch.randint(0, 6, (4, 6)).to(dtype)
        case("poisson_nll_loss", reduction, rate.log(), counts)
        case("poisson_nll_loss", reduction, rate, counts, log_input=False)
        case("poisson_nll_loss", reduction, rate, counts, log_input=False, full=True, eps=1e-3)
        case("poisson_nll_loss", reduction, rate.log(), counts, full=True)
        mu, y = torch.randn(4, 3, dtype=dtype), torch.randn(4, 3, dtype=dtype)
        var = torch.rand(4, 3, dtype=dtype) + 0.1
        var[0, 0] = 1e-9  # clamped to eps
        case("gaussian_nll_loss", reduction, mu, y, var)
        case("gaussian_nll_loss", reduction, mu, y, var, full=True, eps=1e-2)
        case("gaussian_nll_loss", reduction, mu, y, torch.rand(4, dtype=dtype) + 0.1)
        case("gaussian_nll_loss", reduction, mu, y, torch.rand(4, 1, dtype=dtype) + 0.1)

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
with open(os.path.join(root, "tests", "data", "losses_regression.txt"), "w") as f:
    f.write("# tools/gen_losses_regression.py: loss reduction options input target var loss node dx dt dvar\n")
    f.write("\n".join(lines) + "\n")
print(len(lines), "cases")
