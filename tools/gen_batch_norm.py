"""Golden values of batch_norm: writes tests/data/batch_norm.txt from PyTorch 1.13.

Run from the repository root with /usr/bin/python3 tools/gen_batch_norm.py (one thread: PyTorch's
channels-last statistics sum one buffer per thread).

PyTorch's CPU kernel takes two ways to a channel's statistics: when each channel has one value per
sample (input (N, C) or (N, C, 1, 1)) a float sum in the input's dtype with fused multiply-adds for
the squares; otherwise double sums, where float64's loop fuses the odd last element of each row.
The cases cover both, odd and even image sizes, training and evaluation, with and without running
statistics, weight and bias, momentum and eps, and large offsets. Each line is
    <case> <training> <momentum> <eps> <has_running> <has_weight> <has_bias> <x> [<running_mean>
    <running_var>] [<weight>] [<bias>] <grad> <y> [<running_mean_after> <running_var_after>] <dx>
    [<dweight>] [<dbias>]
with tensors as tools/golden.py writes them. y and the running statistics are compared bit for bit,
the gradients to a tolerance.
"""
import os

import torch
import torch.nn.functional as F

from golden import tensor_text

torch.set_num_threads(1)
torch.manual_seed(0)
lines = []


def case(name, shape, dtype, training=True, running=True, weight=True, bias=True, momentum=0.1, eps=1e-5,
         offset=0.0):
    x = torch.randn(shape, dtype=dtype) * 3 + offset
    C = shape[1]
    rm = torch.randn(C, dtype=dtype) if running else None
    rv = torch.rand(C, dtype=dtype) + 0.5 if running else None
    w = torch.randn(C, dtype=dtype) if weight else None
    b = torch.randn(C, dtype=dtype) if bias else None
    xl = x.clone().requires_grad_()
    wl = w.clone().requires_grad_() if weight else None
    bl = b.clone().requires_grad_() if bias else None
    rm2 = rm.clone() if running else None
    rv2 = rv.clone() if running else None
    y = F.batch_norm(xl, rm2, rv2, wl, bl, training, momentum, eps)
    assert type(y.grad_fn).__name__ == "NativeBatchNormBackward0"
    g = torch.randn(y.shape, dtype=dtype)
    y.backward(g)
    parts = [name, str(int(training)), repr(momentum), repr(eps), str(int(running)), str(int(weight)), str(int(bias)),
             tensor_text(x)]
    parts += [tensor_text(t) for t in (rm, rv, w, b) if t is not None]
    parts += [tensor_text(g), tensor_text(y)]
    parts += [tensor_text(t) for t in (rm2, rv2) if t is not None]
    parts += [tensor_text(xl.grad)]
    parts += [tensor_text(t.grad) for t in (wl, bl) if t is not None]
    lines.append(" ".join(parts))


for dtype in (torch.float32, torch.float64):
    d = "f32" if dtype == torch.float32 else "f64"
    for shape in ((2, 3), (4, 5), (7, 3), (16, 8), (33, 17), (60, 4), (3, 4, 1, 1), (2, 3, 5), (4, 2, 6), (2, 3, 4, 4),
                  (3, 2, 5, 7), (2, 4, 3, 3), (5, 3, 1, 9), (2, 2, 31), (3, 3, 7, 7)):
        tag = "x".join(map(str, shape))
        case(f"{d}_train_{tag}", shape, dtype)
        case(f"{d}_eval_{tag}", shape, dtype, training=False)
    case(f"{d}_train_no_running", (6, 4, 3), dtype, running=False)
    case(f"{d}_train_plain", (6, 4), dtype, weight=False, bias=False)
    case(f"{d}_train_weight_only", (5, 3, 2), dtype, bias=False)
    case(f"{d}_train_bias_only", (5, 3, 3), dtype, weight=False)
    case(f"{d}_eval_plain", (6, 4, 3), dtype, training=False, weight=False, bias=False)
    case(f"{d}_train_momentum", (8, 3, 3), dtype, momentum=0.7, eps=0.01)
    case(f"{d}_train_momentum0", (8, 3), dtype, momentum=0.0)
    case(f"{d}_train_momentum1", (8, 3, 2), dtype, momentum=1.0)
    case(f"{d}_eval_eps", (4, 3, 5), dtype, training=False, eps=0.3)
    case(f"{d}_train_offset", (20, 3), dtype, offset=1000.0)
    case(f"{d}_train_offset_img", (4, 3, 25), dtype, offset=1000.0)

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
with open(os.path.join(root, "tests", "data", "batch_norm.txt"), "w") as f:
    f.write("\n".join(lines) + "\n")
print(len(lines), "cases")
