"""Golden values of the margin and embedding losses: writes tests/data/losses_margin.txt from PyTorch 1.13.

Run from the repository root with /usr/bin/python3 tools/gen_losses_margin.py. Each line is
    <loss> <reduction> <option=value,...|-> <input> <input2|weight|-> <target> <loss value> <node name>
    <input grad> <input2 grad|-> <target grad|->
with tensors as tools/golden.py writes them; the gradients are those of loss.sum() (for "none")
or of the loss. triplet_margin_loss's negative is the target; multilabel_soft_margin_loss's
second tensor is its weight.
"""
import os

import torch
import torch.nn.functional as F

from golden import tensor_text

torch.manual_seed(0)
lines = []


def opt(t):
    return "-" if t is None else tensor_text(t)


def case(name, reduction, x, x2, t, target_grad=False, weight=None, **options):
    x = x.detach().requires_grad_()
    x2 = None if x2 is None else x2.detach().requires_grad_()
    t = t.detach().requires_grad_(target_grad)
    args = (x, t) if x2 is None else (x, x2, t)
    kw = dict(options)
    if weight is not None:
        kw["weight"] = weight
    loss = getattr(F, name)(*args, reduction=reduction, **kw)
    (loss.sum() if reduction == "none" else loss).backward()
    opts = ",".join(f"{k}={float(v)}" for k, v in options.items()) or "-"
    lines.append(" ".join([name, reduction, opts, tensor_text(x), opt(x2 if weight is None else weight), tensor_text(t),
                           tensor_text(loss),
                           type(loss.grad_fn).__name__, tensor_text(x.grad), opt(None if x2 is None else x2.grad),
                           tensor_text(t.grad) if target_grad else "-"]))


def signs(*shape, dtype):
    return torch.randint(0, 2, shape).to(dtype) * 2 - 1


for dtype in (torch.float32, torch.float64):
    for reduction in ("mean", "sum", "none"):
        a, b = torch.randn(9, dtype=dtype), torch.randn(9, dtype=dtype)
        case("margin_ranking_loss", reduction, a, b, signs(9, dtype=dtype), target_grad=True)
        case("margin_ranking_loss", reduction, a, b, signs(9, dtype=dtype), margin=0.5)
        x = torch.randn(4, 5, dtype=dtype) * 2
        y = signs(4, 5, dtype=dtype)
        y[0, 0] = 0  # neither 1 nor -1: both terms
        case("hinge_embedding_loss", reduction, x, None, y)
        case("hinge_embedding_loss", reduction, x, None, y, margin=2.5)
        x1, x2 = torch.randn(5, 6, dtype=dtype), torch.randn(5, 6, dtype=dtype)
        case("cosine_embedding_loss", reduction, x1, x2, signs(5, dtype=dtype))
        case("cosine_embedding_loss", reduction, x1, x2, signs(5, dtype=dtype), margin=-0.3)
        case("cosine_embedding_loss", reduction, x1[0], x2[0], torch.tensor(-1.0, dtype=dtype), margin=-0.5)
        anchor, pos, neg = (torch.randn(5, 6, dtype=dtype) for _ in range(3))
        case("triplet_margin_loss", reduction, anchor, pos, neg, target_grad=True)
        case("triplet_margin_loss", reduction, anchor, pos, neg, target_grad=True, margin=3.0, p=1.0, swap=True)
        x = torch.randn(4, 5, dtype=dtype) * 2
        case("soft_margin_loss", reduction, x, None, signs(4, 5, dtype=dtype))
        case("soft_margin_loss", reduction, torch.randn(100, dtype=dtype) * 30, None, signs(100, dtype=dtype))
        case("multilabel_soft_margin_loss", reduction, x, None, torch.rand(4, 5, dtype=dtype), target_grad=True)
        case("multilabel_soft_margin_loss", reduction, x, None, (torch.rand(4, 5) > 0.5).to(dtype),
             weight=torch.rand(5, dtype=dtype))

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
with open(os.path.join(root, "tests", "data", "losses_margin.txt"), "w") as f:
    f.write("# tools/gen_losses_margin.py: loss reduction options input input2 target loss node dx dx2 dt\n")
    f.write("\n".join(lines) + "\n")
print(len(lines), "cases")
