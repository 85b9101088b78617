"""Golden data for the matrix products: writes tests/data/linalg.txt from PyTorch 1.13.

Run from the repository root with /usr/bin/python3 tools/gen_linalg.py.

The first line names the OpenBLAS kernels PyTorch ran on ('# blas CORE THREADS'): with BLAS,
PyTorch's float bits are those of the kernels OpenBLAS picks for the machine, so the test
compares bits only where it runs on the same ones.

Each case line is
    <op> <base a> <view a> <base b> <view b> <result>
where a base is a contiguous tensor in tools/golden.py's format, a view is
'<ndim> <sizes...> <strides...> <offset>' (the operand is that strided view of its base, so
transposed, sliced and expanded operands are tested as they are), and <result> is either
'OK <tensor>' or 'ERR <message>' (the rest of the line).
"""
import ctypes
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
from golden import tensor_text  # noqa: E402

torch.manual_seed(0)
lines = []
OPS = {"dot": torch.dot, "mv": torch.mv, "mm": torch.mm, "bmm": torch.bmm, "matmul": torch.matmul}


def view_text(v):
    return " ".join([str(v.dim())] + [str(s) for s in v.shape] + [str(s) for s in v.stride()] +
                    [str(v.storage_offset())])


def operand(base, view):
    base = base.contiguous()
    x = base if view is None else view(base)
    assert x.storage().data_ptr() == base.storage().data_ptr()
    return base, x


def case(op, a, b, view_a=None, view_b=None):
    base_a, x = operand(a, view_a)
    base_b, y = operand(b, view_b)
    head = [op, tensor_text(base_a), view_text(x), tensor_text(base_b), view_text(y)]
    try:
        tail = "OK " + tensor_text(OPS[op](x, y))
    except Exception as e:  # noqa: BLE001 - every PyTorch error is a golden message
        tail = f"ERR {type(e).__name__}: {e}"
    lines.append(" ".join(head) + " " + tail)


def rnd(*shape, dtype=torch.float32):
    if dtype == torch.int64:
        return torch.randint(-5, 6, shape)
    if dtype == torch.bool:
        return torch.rand(shape) > 0.5
    return torch.randn(shape, dtype=torch.float64).to(dtype)


T = lambda t: t.transpose(-1, -2)  # noqa: E731
every_other_row = lambda t: t[..., ::2, :]  # noqa: E731
every_other_col = lambda t: t[..., ::2]  # noqa: E731
DTYPES = (torch.float32, torch.float64, torch.int64)

for dt in DTYPES:
    r = lambda *s: rnd(*s, dtype=dt)  # noqa: E731
    # quarters: short to write, for the larger products that exercise the kernel's blocking
    q = lambda *s: (torch.randint(-8, 9, s) / 4).to(dt) if dt != torch.int64 else torch.randint(-8, 9, s)  # noqa: E731
    # dot
    case("dot", r(5), r(5))
    case("dot", r(10), r(5), every_other_col)
    case("dot", r(1), r(4), lambda t: t.expand(4))
    case("dot", r(0), r(0))
    case("dot", r(37), r(37))
    # mv
    case("mv", r(3, 4), r(4))
    case("mv", r(4, 3), r(4), T)
    case("mv", r(6, 4), r(8), every_other_row, every_other_col)
    case("mv", r(3, 8), r(4), every_other_col)
    case("mv", r(3, 4), r(1), None, lambda t: t.expand(4))
    case("mv", r(1, 4), r(4), lambda t: t.expand(3, 4))
    case("mv", r(2, 0), r(0))
    case("mv", r(0, 3), r(3))
    case("mv", q(20, 30), q(30))
    case("mv", q(30, 20), q(30), T)
    # mm
    case("mm", r(2, 3), r(3, 4))
    case("mm", r(3, 2), r(3, 4), T)
    case("mm", r(2, 3), r(4, 3), None, T)
    case("mm", r(3, 2), r(4, 3), T, T)
    case("mm", r(4, 3), r(3, 8), every_other_row, every_other_col)
    case("mm", r(2, 6), r(3, 4), every_other_col)
    case("mm", r(1, 3), r(3, 1), lambda t: t.expand(5, 3), lambda t: t.expand(3, 4))
    case("mm", r(2, 0), r(0, 3))
    case("mm", r(0, 2), r(2, 3))
    case("mm", r(2, 3), r(3, 0))
    case("mm", r(9, 13), r(13, 11))
    case("mm", q(33, 40), q(40, 21))
    case("mm", q(3, 260), q(260, 5))  # more than one block of K
    case("mm", q(20, 17), q(19, 20), T, T)
    case("mm", r(1, 5), r(5, 7))
    case("mm", r(7, 5), r(5, 1))
    # bmm
    case("bmm", r(2, 2, 3), r(2, 3, 4))
    case("bmm", r(2, 3, 2), r(2, 4, 3), T, T)
    case("bmm", r(2, 2, 3), r(3, 2, 4), lambda t: t.transpose(0, 1), lambda t: t.permute(1, 0, 2))
    case("bmm", r(1, 2, 3), r(3, 3, 4), lambda t: t.expand(3, 2, 3))
    case("bmm", r(0, 2, 3), r(0, 3, 4))
    case("bmm", r(2, 2, 0), r(2, 0, 4))
    case("bmm", r(4, 6, 5), r(4, 5, 7), every_other_row)
    # matmul: every dispatch path, broadcasting
    for sa, sb in [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)),
                   ((5, 2, 3), (3,)), ((3,), (5, 3, 2)), ((5, 2, 3), (3, 4)), ((2, 3), (5, 3, 4)),
                   ((5, 2, 3), (5, 3, 4)), ((1, 5, 2, 3), (7, 1, 3, 4)), ((5, 2, 3), (7, 1, 3, 4)),
                   ((2, 1, 2, 3), (3, 3, 2)), ((2, 5, 2, 3), (3,)), ((2,), (2, 5, 2, 3)),
                   ((0, 2, 3), (3, 4)), ((5, 2, 0), (0, 3)), ((1, 1, 1, 1, 1, 1, 2, 3), (3, 4)),
                   ((4, 3, 2, 5), (4, 1, 5, 2)), ((2, 3, 0), (2, 0, 4))]:
        case("matmul", r(*sa), r(*sb))
    case("matmul", r(3, 5, 2), r(2, 4), lambda t: t.transpose(0, 1))  # batch not foldable
    case("matmul", r(5, 3, 2), r(4), T)
    case("matmul", r(2, 3), r(5, 4, 3), None, T)
    case("matmul", r(5, 4, 2, 3), r(5, 3, 4), lambda t: t.transpose(0, 1), lambda t: t.expand(4, 5, 3, 4))
    case("matmul", r(3, 8), r(5, 3, 4), every_other_col)
    # BLAS's cases, bit for bit: blocks of K (sizes under OpenBLAS's threading threshold where K
    # is large), each transpose, one-row and one-column results, bmm on both sides of its own loop
    case("mm", r(64, 200), r(200, 48))
    case("mm", r(16, 700), r(700, 20))
    case("mm", r(700, 16), r(700, 20), T)
    case("mm", r(16, 700), r(20, 700), None, T)
    case("mm", r(700, 16), r(20, 700), T, T)
    case("mm", r(30, 50), r(30, 1), T)
    case("mm", r(50, 30), r(1, 30), None, T)
    case("mm", r(30, 1), r(30, 50), T)
    case("mm", r(1, 30), r(50, 30), None, T)
    case("mm", r(12, 30), r(30, 18), every_other_row, every_other_col)
    case("mv", r(40, 300), r(300))
    case("mv", r(300, 40), r(300), T)
    case("mv", r(40, 300), r(1), None, lambda t: t.expand(300))
    case("mv", r(300, 40), r(1), T, lambda t: t.expand(300))
    case("dot", r(300), r(300))
    case("dot", r(600), r(300), every_other_col)
    case("bmm", r(3, 8, 9), r(3, 9, 7))
    case("bmm", r(3, 9, 8), r(3, 7, 9), T, T)
    case("bmm", r(3, 5, 7), r(3, 7, 6))
    case("bmm", r(3, 7, 5), r(3, 6, 7), T, T)
    case("matmul", r(30), r(4, 30, 20))
    case("matmul", r(4, 20, 30), r(30))
    case("matmul", r(25, 30), r(4, 30, 20))
    case("matmul", r(4, 20, 30), r(30, 25))
    case("matmul", r(4, 30, 20), r(30, 25), T)
    case("matmul", r(2, 4, 20, 30), r(4, 30, 25))

# integer wrap-around, as in PyTorch
case("mm", torch.tensor([[2**62, 2**62]]), torch.tensor([[2], [2]]))
case("dot", torch.tensor([2**62, 2**62]), torch.tensor([2, 2]))

# ---- errors ----
o = lambda *s, dtype=torch.float32: torch.ones(*s, dtype=dtype)  # noqa: E731
d, b, i = torch.float64, torch.bool, torch.int64
errors = [
    ("dot", o(2, 2), o(2, 2)), ("dot", o(2), o(2, 2)), ("dot", o(()), o(2)), ("dot", o(3), o(4)),
    ("dot", o(3), o(3, dtype=d)), ("dot", o(3, dtype=d), o(3)), ("dot", o(3, dtype=i), o(3)),
    ("dot", o(3, dtype=b), o(3, dtype=b)), ("dot", o(3), o(4, dtype=d)), ("dot", o(3, 3), o(4, dtype=d)),
    ("dot", o(3, dtype=b), o(3)), ("dot", o(3, dtype=b), o(4, dtype=b)),
    ("mv", o(2, 3), o(4)), ("mv", o(3), o(3)), ("mv", o(2, 3), o(3, 1)), ("mv", o(2, 2, 3), o(3)),
    ("mv", o(2, 3), o(3, dtype=d)), ("mv", o(2, 3, dtype=d), o(3)), ("mv", o(2, 3, dtype=b), o(3, dtype=b)),
    ("mv", o(2, 3), o(4, dtype=d)), ("mv", o(3), o(4, dtype=d)), ("mv", o(2, 3, dtype=b), o(4, dtype=b)),
    ("mv", o(2, 3, dtype=i), o(3)), ("mv", o(2, 3), o(3, dtype=b)), ("mv", o(2, 3, dtype=b), o(3)),
    ("mm", o(2, 3), o(2, 3)), ("mm", o(3), o(3, 2)), ("mm", o(2, 3), o(3)), ("mm", o(2, 2, 3), o(3, 2)),
    ("mm", o(2, 3), o(2, 3, 2)), ("mm", o(2, 3), o(3, 2, dtype=d)), ("mm", o(2, 3, dtype=d), o(3, 2)),
    ("mm", o(2, 3, dtype=i), o(3, 2)), ("mm", o(2, 3, dtype=b), o(3, 2, dtype=b)),
    ("mm", o(2, 3), o(2, 3, dtype=d)), ("mm", o(3), o(2, 3, dtype=d)), ("mm", o(2, 3, dtype=b), o(2, 3, dtype=b)),
    ("mm", o(2, 3, dtype=b), o(3, 3)), ("mm", o(2, 3), o(3, 3, dtype=b)), ("mm", o(()), o(()),),
    ("bmm", o(2, 3), o(3, 4)), ("bmm", o(2, 2, 3), o(3, 4)), ("bmm", o(2, 2, 3), o(3, 3, 4)),
    ("bmm", o(2, 2, 3), o(2, 4, 4)), ("bmm", o(2, 2, 3), o(2, 3, 4, dtype=d)), ("bmm", o(2, 2, 3, dtype=d), o(2, 3, 4)),
    ("bmm", o(2, 2, 3, dtype=b), o(2, 3, 4, dtype=b)), ("bmm", o(1, 2, 2, 3), o(2, 3, 4)),
    ("bmm", o(2, 2, 3), o(2, 4, 3, dtype=d)), ("bmm", o(2, 3), o(2, 4, 3, dtype=d)),
    ("bmm", o(2, 2, 3, dtype=b), o(2, 4, 3, dtype=b)), ("bmm", o(2, 2, 3, dtype=b), o(2, 3, 3)),
    ("bmm", o(2, 2, 3), o(2, 3, 3, dtype=b)),
    ("matmul", o(()), o(3)), ("matmul", o(3), o(())), ("matmul", o(()), o(())),
    ("matmul", o(2, 3), o(4)), ("matmul", o(4), o(2, 3)), ("matmul", o(3), o(4)), ("matmul", o(2, 3), o(2, 3)),
    ("matmul", o(5, 2, 3), o(4)), ("matmul", o(4), o(5, 3, 2)), ("matmul", o(5, 2, 3), o(2, 4)),
    ("matmul", o(2, 3), o(5, 4, 4)), ("matmul", o(5, 2, 3), o(4, 3, 4)), ("matmul", o(5, 2, 3), o(5, 4, 4)),
    ("matmul", o(2, 3), o(3, 4, dtype=d)), ("matmul", o(2, 3), o(3, dtype=d)), ("matmul", o(3), o(3, dtype=d)),
    ("matmul", o(5, 2, 3), o(5, 3, 4, dtype=d)), ("matmul", o(5, 2, 3), o(3, 4, dtype=d)),
    ("matmul", o(3), o(3, 4, dtype=d)), ("matmul", o(5, 2, 3), o(3, dtype=d)), ("matmul", o(2, 3), o(5, 3, 4, dtype=d)),
    ("matmul", o(2, 3, dtype=b), o(3, 4, dtype=b)), ("matmul", o(3, dtype=b), o(3, dtype=b)),
    ("matmul", o(2, 2, 3, dtype=b), o(2, 3, 3, dtype=b)), ("matmul", o(2, 2, 3, dtype=b), o(3, dtype=b)),
    ("matmul", o(2, dtype=b), o(2, 3, dtype=b)), ("matmul", o(2, 3, dtype=i), o(3)), ("matmul", o(2), o(3, 3, dtype=d)),
    ("matmul", o(3), o(3, 3, dtype=i)), ("matmul", o(3), o(5, 3, 3, dtype=d)), ("matmul", o(3, 3), o(5, 3, 3, dtype=d)),
    ("matmul", o(3, 3, dtype=d), o(5, 3, 3)), ("matmul", o(3, 5, 2), o(4)), ("matmul", o(5, 2, 3, 4), o(3)),
    ("matmul", o(5, 2, 3, 4), o(3, 3)), ("matmul", o(0, 2, 3), o(4, 4)), ("matmul", o(2, 3), o(0, 4, 4)),
    ("matmul", o(5, 2, 0), o(1, 3)), ("matmul", o(5, 2, 3), o(5, 3)), ("matmul", o(2, 5, 2, 3), o(2)),
    ("matmul", o(2), o(2, 5, 3, 2)), ("matmul", o(2, 5, 2, 3), o(4, 3)), ("matmul", o(2, 1, 2, 3), o(3, 4, 5)),
    ("matmul", o(2, 2, 3), o(1, 3, 4, 5)), ("matmul", o(2, 2, 3), o(2, 4, 3, dtype=d)),
    ("matmul", o(2, 2, 3), o(3, 3, 3, dtype=d)),
]
for op, a, b_ in errors:
    case(op, a, b_)
case("matmul", o(3, 5, 2), o(4, 4), lambda t: t.transpose(0, 1))
case("matmul", o(4, 4), o(3, 5, 2), None, lambda t: t.transpose(0, 1))

os.makedirs("tests/data", exist_ok=True)
with open("tests/data/linalg.txt", "w") as out:
    blas = ctypes.CDLL("libopenblas.so.0")  # the one PyTorch loaded
    blas.openblas_get_corename.restype = ctypes.c_char_p
    out.write("# blas %s %d\n" % (blas.openblas_get_corename().decode(), blas.openblas_get_num_threads()))
    out.write("# Generated by tools/gen_linalg.py with PyTorch %s; do not edit.\n" % torch.__version__)
    out.write("\n".join(lines) + "\n")
print("wrote %d cases to tests/data/linalg.txt" % len(lines))
