"""Golden values of the losses with their options: writes tests/data/losses.txt from PyTorch 1.13.

Run from the repository root with /usr/bin/python3 tools/gen_losses.py. Each line is
    <loss> <reduction> <ignore_index|-> <label_smoothing> <weight|-> <pos_weight|-> <input> <target>
    <loss value> <node name> <input grad> <target grad|->
with tensors as tools/golden.py writes them ("-": not given); the gradients are those of loss.sum()
(for "none") or of the loss. The target requires grad where the loss differentiates it.
"""
import os

import torch
import torch.nn.functional as F

from golden import tensor_text

torch.manual_seed(0)
lines = []


def opt(t):
    return "-" if t is None else tensor_text(t)


def case(name, reduction, x, t, weight=None, pos_weight=None, ignore_index=None, label_smoothing=0.0, target_grad=False):
    x = x.detach().requires_grad_()
    t = t.detach().requires_grad_(target_grad)
    kw = {"reduction": reduction}
    if weight is not None:
        kw["weight"] = weight
    if pos_weight is not None:
        kw["pos_weight"] = pos_weight
    if ignore_index is not None:
        kw["ignore_index"] = ignore_index
    if label_smoothing:
        kw["label_smoothing"] = label_smoothing
    loss = getattr(F, name)(x, t, **kw)
    (loss.sum() if reduction == "none" else loss).backward()
    lines.append(" ".join([name, reduction, "-" if ignore_index is None else str(ignore_index), repr(float(label_smoothing)),
                           opt(weight), opt(pos_weight), tensor_text(x), tensor_text(t), tensor_text(loss),
                           type(loss.grad_fn).__name__, tensor_text(x.grad),
                           tensor_text(t.grad) if target_grad else "-"]))


def classes(shape, c, ignored=None):
    t = torch.randint(0, c, shape)
    if ignored is not None:
        t.view(-1)[::3] = ignored
    return t


for dtype in (torch.float32, torch.float64):
    for reduction in ("mean", "sum", "none"):
        w = torch.rand(5, dtype=dtype) + 0.5
        for fn in ("nll_loss", "cross_entropy"):
            case(fn, reduction, torch.randn(6, 5, dtype=dtype), classes((6,), 5), weight=w)
            case(fn, reduction, torch.randn(6, 5, dtype=dtype), classes((6,), 5, -100), weight=w)
            case(fn, reduction, torch.randn(6, 5, dtype=dtype), classes((6,), 5, 2), ignore_index=2)
            case(fn, reduction, torch.randn(6, 5, dtype=dtype), classes((6,), 5, 0), weight=w, ignore_index=0)
            case(fn, reduction, torch.randn(5, dtype=dtype), classes((), 5), weight=w)
            case(fn, reduction, torch.randn(2, 5, 3, 4, dtype=dtype), classes((2, 3, 4), 5, 1), ignore_index=1)
            case(fn, reduction, torch.randn(2, 5, 3, 4, dtype=dtype), classes((2, 3, 4), 5), weight=w)
            case(fn, reduction, torch.randn(3, 5, 7, dtype=dtype), classes((3, 7), 5, -100), weight=w)
            case(fn, reduction, torch.randn(2, 5, 2, 3, 2, dtype=dtype), classes((2, 2, 3, 2), 5))
            case(fn, reduction, torch.randn(300, 5, dtype=dtype), classes((300,), 5, -100), weight=w)
        for ls in (0.1, 0.75):
            case("cross_entropy", reduction, torch.randn(6, 5, dtype=dtype), classes((6,), 5), label_smoothing=ls)
            case("cross_entropy", reduction, torch.randn(6, 5, dtype=dtype), classes((6,), 5, -100), weight=w,
                 label_smoothing=ls)
            case("cross_entropy", reduction, torch.randn(6, 5, dtype=dtype), classes((6,), 5, 3), ignore_index=3,
                 label_smoothing=ls)
            case("cross_entropy", reduction, torch.randn(2, 5, 3, dtype=dtype), classes((2, 3), 5, -100), weight=w,
                 label_smoothing=ls)
            case("cross_entropy", reduction, torch.randn(6, 5, dtype=dtype), torch.rand(6, 5, dtype=dtype).softmax(1),
                 weight=w, label_smoothing=ls)
        case("cross_entropy", reduction, torch.randn(6, 5, dtype=dtype), torch.rand(6, 5, dtype=dtype).softmax(1), weight=w)
        case("cross_entropy", reduction, torch.randn(2, 5, 3, dtype=dtype), torch.rand(2, 5, 3, dtype=dtype).softmax(1),
             weight=w, label_smoothing=0.2)
        # binary_cross_entropy: probabilities, 0 and 1 included (log clamped at -100), a weight
        p = torch.rand(4, 5, dtype=dtype)
        p[0, 0], p[1, 1], p[2, 2] = 0.0, 1.0, 1e-30 if dtype == torch.float64 else 1e-20
        case("binary_cross_entropy", reduction, p, torch.rand(4, 5, dtype=dtype).clamp(0.1, 0.9), target_grad=True)
        case("binary_cross_entropy", reduction, torch.rand(4, 5, dtype=dtype).clamp(0.01, 0.99), torch.rand(4, 5, dtype=dtype),
             weight=torch.rand(5, dtype=dtype), target_grad=True)
        case("binary_cross_entropy", reduction, torch.rand(1000, dtype=dtype).clamp(0.01, 0.99),
             torch.randint(0, 2, (1000,)).to(dtype), weight=torch.rand(1000, dtype=dtype))
        case("binary_cross_entropy", reduction, torch.rand((), dtype=dtype), torch.rand((), dtype=dtype), target_grad=True)
        x = torch.randn(4, 5, dtype=dtype) * 3
        for weight, pos_weight in ((w, None), (None, torch.rand(5, dtype=dtype) * 2), (torch.rand(4, 1, dtype=dtype), w)):
            case("binary_cross_entropy_with_logits", reduction, x, torch.rand(4, 5, dtype=dtype), weight=weight,
                 pos_weight=pos_weight, target_grad=True)
        case("binary_cross_entropy_with_logits", reduction, torch.randn(200, dtype=dtype) * 20,
             torch.randint(0, 2, (200,)).to(dtype), pos_weight=torch.rand(200, dtype=dtype) * 3)

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
with open(os.path.join(root, "tests", "data", "losses.txt"), "w") as f:
    f.write("# tools/gen_losses.py: loss reduction ignore_index label_smoothing weight pos_weight input target loss node dx dt\n")
    f.write("\n".join(lines) + "\n")
print(len(lines), "cases")
