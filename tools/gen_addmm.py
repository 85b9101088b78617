"""Golden data for addmm and linear (tests/test_linalg.c): writes tests/data/addmm.txt from PyTorch 1.13.

Run from the repository root with /usr/bin/python3 tools/gen_addmm.py.

The first line names the OpenBLAS kernels PyTorch ran on ('# blas CORE THREADS', as in
linalg.txt). Each case line is
    <op> <beta> <alpha> <base x> <view x> <base y> <view y> <base z> <view z> <result>
for addmm(x, y, z, beta=, alpha=) or linear(x, y, z) (input, weight, bias). Bases and views are
as in tools/gen_linalg.py. <result> is 'ERR <message>' or
    OK <tensor> <version> <graph> <grad output> <grad x> <grad y> <grad z>
where the result was computed again from leaves (the views, detached) that require grad (floats
only; '-' and 'none' otherwise), the graph is Name(next,...) with Acc for AccumulateGrad, and the
gradients come from one backward of the grad output.
"""
import ctypes
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from golden import tensor_text  # noqa: E402

torch.manual_seed(0)
lines = []
T = lambda t: t.transpose(-1, -2)  # noqa: E731


def view_text(v):
    return " ".join([str(v.dim())] + [str(s) for s in v.shape] + [str(s) for s in v.stride()] +
                    [str(v.storage_offset())])


def operand(base, view):
    base = base.contiguous()
    x = base if view is None else view(base)
    assert x.storage().data_ptr() == base.storage().data_ptr()
    return base, x


def rnd(*shape, dtype=torch.float32):
    if dtype == torch.int64:
        return torch.randint(-5, 6, shape)
    return torch.randn(shape, dtype=torch.float64).to(dtype)


def graph(node):
    if node is None:
        return "None"
    name = type(node).__name__
    if name == "AccumulateGrad":
        return "Acc"
    return name + "(" + ",".join(graph(n) for n, _ in node.next_functions) + ")"


def run(op, beta, alpha, x, y, z):
    if op == "addmm":
        return torch.addmm(x, y, z, beta=beta, alpha=alpha)
    return F.linear(x, y, z)


def case(op, x, y, z, views=(None, None, None), beta=1.0, alpha=1.0):
    bases, vs = zip(*(operand(t, v) for t, v in zip((x, y, z), views)))
    head = [op, repr(beta), repr(alpha)]
    for base, v in zip(bases, vs):
        head += [tensor_text(base), view_text(v)]
    try:
        out = run(op, beta, alpha, *vs)
    except Exception as e:  # noqa: BLE001 - every PyTorch error is a golden message
        lines.append(" ".join(head) + f" ERR {type(e).__name__}: {e}")
        return
    tail = ["OK", tensor_text(out)]
    if out.dtype.is_floating_point:
        leaves = [v.detach().requires_grad_() for v in vs]
        res = run(op, beta, alpha, *leaves)
        g = torch.randn(res.shape, dtype=torch.float64).to(res.dtype)
        res.backward(g)
        tail += [str(res._version), graph(res.grad_fn), tensor_text(g)] + [tensor_text(t.grad) for t in leaves]
    else:
        tail += [str(out._version), "-", "none", "none", "none", "none"]
    lines.append(" ".join(head + tail))


for dt in (torch.float32, torch.float64, torch.int64):
    r = lambda *s: rnd(*s, dtype=dt)  # noqa: E731
    case("addmm", r(5), r(4, 3), r(3, 5))
    case("addmm", r(4, 5), r(4, 3), r(3, 5))
    case("addmm", r(4, 1), r(3, 4), r(5, 3), (None, T, T))
    case("addmm", r(), r(4, 3), r(3, 5))
    case("addmm", r(5), r(4, 3), r(3, 5), beta=0.5 if dt != torch.int64 else 2, alpha=2.0 if dt != torch.int64 else 3)
    case("addmm", r(5), r(4, 3), r(3, 5), beta=0.0 if dt != torch.int64 else 0)
    case("addmm", r(5), r(4, 0), r(0, 5), beta=0.5 if dt != torch.int64 else 2)
    case("addmm", r(0), r(0, 3), r(3, 0))
    case("addmm", r(1), r(4, 3), r(3, 1))
    case("addmm", r(7), r(1, 3), r(3, 7))
    case("linear", r(4, 3), r(5, 3), r(5))
    case("linear", r(2, 4, 3), r(5, 3), r(5))
    case("linear", r(4, 2, 3), r(5, 3), r(5), (lambda t: t.transpose(0, 1), None, None))
    case("linear", r(3), r(5, 3), r(5))
    case("linear", r(2, 2, 4, 3), r(5, 3), r(5))
    case("linear", r(3, 4), r(3, 5), r(5), (T, T, None))
# BLAS's blocks of K with the bias inside the accumulation (sizes under OpenBLAS's threading
# threshold), and an MLP layer's shapes
case("addmm", rnd(20), rnd(16, 700), rnd(700, 20))
case("addmm", rnd(16, 20), rnd(700, 16), rnd(20, 700), (None, T, T))
case("linear", rnd(8, 784), rnd(32, 784), rnd(32))
case("linear", rnd(64, 256), rnd(128, 256), rnd(128))

# ---- errors, in PyTorch's order ----
o = lambda *s, dtype=torch.float32: torch.ones(*s, dtype=dtype)  # noqa: E731
d, b = torch.float64, torch.bool
for x, y, z in [(o(3), o(4, 3), o(3, 5)), (o(5), o(4, 3), o(2, 5)), (o(5), o(3), o(3, 5)), (o(5), o(4, 3), o(3)),
                (o(5, dtype=d), o(4, 3), o(3, 5)), (o(5), o(4, 3, dtype=d), o(3, 5)), (o(5), o(4, 3), o(3, 5, dtype=d)),
                (o(2, 2, 5), o(4, 3), o(3, 5)), (o(5, dtype=b), o(4, 3, dtype=b), o(3, 5, dtype=b)),
                (o(3), o(4, 3), o(2, 5)), (o(5, dtype=d), o(3), o(3, 5)), (o(5), o(4, 3, 1), o(3, 5))]:
    case("addmm", x, y, z)
for x, y, z in [(o(4, 3), o(5, 2), o(5)), (o(4, 3), o(5, 3), o(4)), (o(4, 3), o(5, 3, 2), o(5)), (o(()), o(5, 3), o(5)),
                (o(4, 3), o(5, 3, dtype=d), o(5)), (o(4, 3), o(5, 3), o(5, dtype=d)), (o(2, 4, 3), o(5, 2), o(5)),
                (o(2, 4, 3), o(5, 3), o(4)), (o(4, 3), o(5, 3), o(2, 5)), (o(2, 4, 3), o(5, 3), o(3, 4, 5))]:
    case("linear", x, y, z)

os.makedirs("tests/data", exist_ok=True)
with open("tests/data/addmm.txt", "w") as out:
    blas = ctypes.CDLL("libopenblas.so.0")  # the one PyTorch loaded
    blas.openblas_get_corename.restype = ctypes.c_char_p
    out.write("# blas %s %d\n" % (blas.openblas_get_corename().decode(), blas.openblas_get_num_threads()))
    out.write("# Generated by tools/gen_addmm.py with PyTorch %s; do not edit.\n" % torch.__version__)
    out.write("\n".join(lines) + "\n")
print("wrote %d cases to tests/data/addmm.txt" % len(lines))
