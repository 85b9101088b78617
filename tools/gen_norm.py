"""Golden values of layer_norm: writes tests/data/norm.txt from PyTorch 1.13.

Run from the repository root with /usr/bin/python3 tools/gen_norm.py.

PyTorch's CPU kernel (layer_norm_kernel.cpp, RowwiseMoments in moments_utils.h) reads a row as
vectors of 8 float32 (4 float64) lanes in chunks of 16 vectors merged in a cascade, then a scalar
tail: the row lengths cover lengths below one vector, around multiples of 8 and of 16 vectors,
and long rows with a deep cascade; with and without weight and bias; normalized shapes of one and
two dims; a non-contiguous input; large offsets (where a naive variance loses digits). Each line is
    <case> <k> <has_weight> <has_bias> <eps> <transposed> <x> [<weight>] [<bias>] <grad> <y> <dx> [<dweight>] [<dbias>]
with tensors as tools/golden.py writes them (x is stored contiguous; transposed 1 means the input is
its transpose of dims 0 and 1). y is compared bit for bit, the gradients to a tolerance.
"""
import os

import torch

from golden import tensor_text

torch.set_num_threads(1)
torch.manual_seed(0)
lines = []


def case(name, x, k, weight=True, bias=True, eps=1e-5, transposed=False, offset=0.0, scale=3.0):
    x = x * scale + offset
    stored = x
    xin = x.t() if transposed else x
    shape = list(xin.shape[xin.dim() - k:])
    w = torch.randn(shape, dtype=x.dtype) if weight else None
    b = torch.randn(shape, dtype=x.dtype) if bias else None
    xl = xin.detach().clone().requires_grad_()
    wl = w.clone().requires_grad_() if weight else None
    bl = b.clone().requires_grad_() if bias else None
    y = torch.nn.functional.layer_norm(xl, shape, wl, bl, eps)
    assert type(y.grad_fn).__name__ == "NativeLayerNormBackward0"
    g = torch.randn(y.shape, dtype=x.dtype)
    y.backward(g)
    parts = [name, str(k), str(int(weight)), str(int(bias)), repr(eps), str(int(transposed)), tensor_text(stored)]
    parts += [tensor_text(t) for t in (w, b) if t is not None]
    parts += [tensor_text(g), tensor_text(y), tensor_text(xl.grad)]
    parts += [tensor_text(t.grad) for t in (wl, bl) if t is not None]
    lines.append(" ".join(parts))


for dtype in (torch.float32, torch.float64):
    d = "f32" if dtype == torch.float32 else "f64"
    for n in (1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 100, 127, 128, 129, 130, 255, 256, 257, 300,
              513, 1025):
        case(f"{d}_n{n}", torch.randn(2, n, dtype=dtype), 1)
    for n in (4, 8, 17, 129):
        case(f"{d}_plain_n{n}", torch.randn(2, n, dtype=dtype), 1, weight=False, bias=False)
        case(f"{d}_weight_n{n}", torch.randn(2, n, dtype=dtype), 1, bias=False)
        case(f"{d}_bias_n{n}", torch.randn(2, n, dtype=dtype), 1, weight=False)
    case(f"{d}_long_row", torch.randn(1, 4500, dtype=dtype), 1)
    case(f"{d}_two_dims", torch.randn(2, 3, 4, 5, dtype=dtype), 2)
    case(f"{d}_all_dims", torch.randn(3, 7, dtype=dtype), 2)
    case(f"{d}_1d", torch.randn(10, dtype=dtype), 1)
    case(f"{d}_transposed", torch.randn(9, 4, dtype=dtype), 1, transposed=True)
    case(f"{d}_offset", torch.randn(4, 50, dtype=dtype), 1, offset=1000.0)
    case(f"{d}_eps", torch.randn(2, 20, dtype=dtype), 1, eps=0.5)
    case(f"{d}_constant_row", torch.zeros(2, 12, dtype=dtype), 1)

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
with open(os.path.join(root, "tests", "data", "norm.txt"), "w") as f:
    f.write("\n".join(lines) + "\n")
print(len(lines), "cases")
