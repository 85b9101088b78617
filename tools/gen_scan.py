"""Golden data for the cumulative scans: writes tests/data/scan.txt from PyTorch 1.13.

Run from the repository root with /usr/bin/python3 tools/gen_scan.py (format: tools/golden_ops.py)."""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
from golden_ops import line, write  # noqa: E402

torch.manual_seed(0)
F32, F64, I64, B = torch.float32, torch.float64, torch.int64, torch.bool
DT = {0: F32, 1: F64, 2: I64, 3: B}  # cg_dtype's order
lines = []


def rnd(*shape, dtype=F32):
    if dtype == I64:
        return torch.randint(-5, 6, shape)
    if dtype == B:
        return torch.rand(shape) > 0.5
    return torch.randn(shape, dtype=F64).to(dtype)


def add(op, dim, x, layout="C", dtype=None):
    args = [dim] if dtype is None else [dim, dtype]
    if op in ("cumsum", "cumprod"):
        f = getattr(torch, op)
        run = (lambda v: f(v, dim)) if dtype is None else (lambda v: f(v, dim, dtype=DT[dtype]))
    elif op == "logcumsumexp":
        run = lambda v: torch.logcumsumexp(v, dim)  # noqa: E731
    else:
        run = lambda v: tuple(getattr(torch, op)(v, dim))  # noqa: E731
    lines.append(line(op + ("_dtype" if dtype is not None else ""), args, [(layout, x)], run))


nan, inf = float("nan"), float("inf")
for op in ("cumsum", "cumprod", "logcumsumexp", "cummax", "cummin"):
    for dt in (F32, F64, I64, B):
        add(op, 0, rnd(7, dtype=dt))
        add(op, 1, rnd(3, 5, dtype=dt))
        add(op, -2, rnd(4, 3, 2, dtype=dt))
        add(op, 0, rnd(3, 4, dtype=dt), "T")
        add(op, 1, rnd(2, 3, 4, dtype=dt), "T")
    add(op, 0, rnd(1000))            # long lines: float32 rounding of the accumulation
    add(op, 1, rnd(3, 300), "T")
    add(op, 0, rnd(300, 70))         # columns beyond one block
    add(op, 0, torch.tensor(2.5))    # 0-dim
    add(op, -1, torch.tensor(2.5))
    add(op, 1, torch.tensor(2.5))    # out of range for a 0-dim (cummax/cummin accept it)
    add(op, 0, torch.zeros(0, 3))
    add(op, 2, torch.zeros(0, 3))    # cummax/cummin accept it on an empty input
    add(op, 2, rnd(2, 3))
    add(op, -3, rnd(2, 3))
    add(op, 0, torch.tensor([1.0, nan, 2.0, nan, -1.0]))
    add(op, 0, torch.tensor([-inf, -inf, 1.0, inf, inf, -inf]))
    add(op, 0, torch.tensor([inf, -inf, 3.0]))
    add(op, 0, torch.tensor([2.0, 2.0, 1.0, 2.0, 3.0, 3.0, 0.0, 3.0]))
    add(op, 0, torch.tensor([1.0, 0.0, 2.0, 0.0, 3.0]))
for op in ("cumsum", "cumprod"):
    for src in (F32, F64, I64, B):
        for to in range(4):
            add(op, 1, rnd(3, 4, dtype=src), dtype=to)
    add(op, 0, torch.tensor([2**62, 2**62, 3]))  # int64 wraps around
    add(op, 5, rnd(3), dtype=3)                   # dim checked before the dtype
lines.append(line("cumsum", [0], [("C", torch.rand(100000))], lambda v: torch.cumsum(v, 0)))
lines.append(line("cumprod", [0], [("C", 1 + torch.rand(1000) / 100)], lambda v: torch.cumprod(v, 0)))

write("tests/data/scan.txt", "cumulative scans: tools/gen_scan.py (format in tools/golden_ops.py)", lines)
