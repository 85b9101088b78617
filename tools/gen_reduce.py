"""Golden data for the reductions: writes tests/data/reduce.txt from PyTorch 1.13.

Run from the repository root with /usr/bin/python3 tools/gen_reduce.py.

Each case line is
    <op> <ndims> <dims...> <keepdim> <biased> <p> <base tensor> <view> <result>
where <base tensor> is a contiguous tensor in tools/golden.py's format, <view> is
'<ndim> <sizes...> <strides...> <offset>' (the input is that strided view of the base, so
transposed, sliced and expanded inputs are tested as they are, without copying), and <result> is
either 'OK <tensor> [<indices tensor>]' or 'ERR <message>' (the rest of the line).
"""
import math
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
from golden import tensor_text  # noqa: E402

torch.manual_seed(0)
lines = []


def view_text(v):
    return " ".join([str(v.dim())] + [str(s) for s in v.shape] + [str(s) for s in v.stride()] +
                    [str(v.storage_offset())])


def run(op, x, dims, keepdim, biased, p):
    """The op as PyTorch computes it; dims None reduces everything."""
    full = dims is None
    every = tuple(range(x.dim())) if x.dim() else (0,)
    d = every if full else tuple(dims)
    if op == "sum":
        return (x.sum(),) if full and not keepdim else (x.sum(d, keepdim=keepdim),)
    if op == "mean":
        return (x.mean(),) if full and not keepdim else (x.mean(d, keepdim=keepdim),)
    if op in ("var", "std"):
        f = getattr(x, op)
        return (f(unbiased=not biased),) if full and not keepdim else (f(d, unbiased=not biased, keepdim=keepdim),)
    if op == "norm":
        return (torch.norm(x, p),) if full and not keepdim else (torch.norm(x, p, d, keepdim),)
    if op == "prod":
        return (x.prod(),)
    if op == "prod_dim":
        return (x.prod(dims[0], keepdim=keepdim),)
    if op in ("max", "min", "argmax", "argmin"):
        return (getattr(x, op)(),)
    if op in ("max_dim", "min_dim"):
        values, indices = getattr(x, op[:3])(dims[0], keepdim=keepdim)
        return (values, indices)
    if op in ("argmax_dim", "argmin_dim"):
        return (getattr(x, op[:6])(dims[0], keepdim=keepdim),)
    raise ValueError(op)


def case(op, base, view=None, dims=None, keepdim=False, biased=False, p=2.0):
    base = base.contiguous()
    x = base if view is None else view(base)
    assert x.storage().data_ptr() == base.storage().data_ptr()
    nd = 0 if dims is None else len(dims)
    head = [op, str(nd)] + [str(d) for d in (dims or [])] + [str(int(keepdim)), str(int(biased)), repr(float(p))]
    head += [tensor_text(base), view_text(x)]
    try:
        results = run(op, x, dims, keepdim, biased, p)
        tail = "OK " + " ".join(tensor_text(r) for r in results)
    except Exception as e:  # noqa: BLE001 - every PyTorch error is a golden message
        tail = f"ERR {type(e).__name__}: {e}"
    lines.append(" ".join(head) + " " + tail)


def rnd(*shape, dtype=torch.float32):
    if dtype == torch.int64:
        return torch.randint(-5, 6, shape)
    if dtype == torch.bool:
        return torch.rand(shape) > 0.5
    return torch.randn(shape, dtype=torch.float64).to(dtype)


def transpose(a, b):
    return lambda t: t.transpose(a, b)


def every_other(dim):
    return lambda t: t[(slice(None),) * dim + (slice(None, None, 2),)]


def expand(*sizes):
    return lambda t: t.expand(*sizes)


FLOATS = (torch.float32, torch.float64)
ALL = (torch.float32, torch.float64, torch.int64, torch.bool)

# ---- sum, mean, var, std, norm over dim lists ----
dim_lists = [None, [0], [1], [-1], [0, 2], [-1, 0], [2, 1, 0]]
for op in ("sum", "mean", "var", "std"):
    dtypes = ALL if op == "sum" else FLOATS
    for dt in dtypes:
        for dims in dim_lists:
            for keepdim in (False, True):
                case(op, rnd(2, 3, 4, dtype=dt), dims=dims, keepdim=keepdim)
        # views: transposed, every other row, expanded, permuted
        case(op, rnd(3, 4, dtype=dt), transpose(0, 1), dims=[1])
        case(op, rnd(3, 4, dtype=dt), transpose(0, 1))
        case(op, rnd(6, 4, dtype=dt), every_other(0), dims=[0])
        case(op, rnd(3, 6, dtype=dt), every_other(1), dims=[-1], keepdim=True)
        case(op, rnd(3, 6, dtype=dt), every_other(1))
        case(op, rnd(1, 4, dtype=dt), expand(3, 4), dims=[0])
        case(op, rnd(3, 1, dtype=dt), expand(3, 4), dims=[1])
        case(op, rnd(2, 3, 4, dtype=dt), lambda t: t.permute(2, 0, 1), dims=[0, 2])
        # 0-dim and empty
        case(op, rnd(dtype=dt))
        case(op, rnd(dtype=dt), dims=[0])
        case(op, rnd(dtype=dt), dims=[-1], keepdim=True)
        case(op, torch.zeros(0, 3, dtype=dt))
        case(op, torch.zeros(0, 3, dtype=dt), dims=[0])
        case(op, torch.zeros(0, 3, dtype=dt), dims=[1])
        # one element (var: nan unbiased)
        case(op, rnd(1, dtype=dt))
        case(op, rnd(1, 3, dtype=dt), dims=[0])
    for dt in FLOATS:
        case(op, torch.tensor([1.0, float("nan"), 3.0], dtype=dt))
        case(op, torch.tensor([1.0, float("inf"), 3.0], dtype=dt))
        case(op, torch.tensor([float("inf"), float("-inf")], dtype=dt))
for op in ("var", "std"):
    for dt in FLOATS:
        for dims in (None, [0], [1, 2]):
            case(op, rnd(2, 3, 4, dtype=dt), dims=dims, biased=True)
            case(op, rnd(2, 3, 4, dtype=dt), dims=dims, biased=True, keepdim=True)
        case(op, rnd(1, dtype=dt), biased=True)
        case(op, torch.zeros(0, dtype=dt), biased=True)
        case(op, rnd(dtype=dt), biased=True)
        # a large offset: a naive one-pass variance would lose every digit here
        case(op, (rnd(50, dtype=torch.float64) + 1e4).to(dt))

# accuracy of long sums and means (pairwise summation)
for dt in FLOATS:
    big = (torch.rand(1000, dtype=torch.float64) * 2 - 0.5).to(dt)
    case("sum", big)
    case("var", big)
    case("mean", big.reshape(40, 25), dims=[0])
# reductions over leading or middle dims of contiguous tensors sum columns in place
quarters = torch.randint(-8, 9, (2, 34, 130)) / 4  # more rows than a pairwise block, columns than a strip
case("sum", quarters.double(), dims=[1])
case("mean", quarters.float(), dims=[0, 1], keepdim=True)
case("sum", rnd(3, 50, 10), dims=[1])
case("mean", rnd(3, 50, 10, dtype=torch.float64), dims=[-2])
# other reductions over leading dims copy the input transposed, in tiles
case("max_dim", torch.rand(10, 9) > 0.5, dims=[0])
case("var", torch.randint(-8, 9, (9, 3, 8)) / 4, dims=[0])
case("argmin_dim", torch.randint(-8, 9, (9, 3, 8)), dims=[0], keepdim=True)
case("norm", (torch.randint(-8, 9, (17, 2, 11)) / 4).double(), dims=[0, 1], p=3.0)
case("sum", torch.tensor([3e38, 3e38, -3e38]))  # float32 accumulates in float32: inf
case("sum", torch.randint(-2**62, 2**62, (4,)))   # int64 wraps around
case("sum", torch.tensor([True, False, True, True]))
case("sum", torch.tensor([[True, False], [True, True]]), dims=[0])

# norm: p values, dims, views, specials
ps = [0.0, 1.0, 2.0, 3.0, 0.5, -1.0, -0.5, math.inf, -math.inf]
for dt in FLOATS:
    for p in ps:
        case("norm", rnd(3, 4, dtype=dt), p=p)
        case("norm", rnd(2, 3, 4, dtype=dt), p=p, dims=[1])
        case("norm", rnd(2, 3, 4, dtype=dt), p=p, dims=[-1, 0], keepdim=True)
        case("norm", rnd(4, 3, dtype=dt), transpose(0, 1), p=p, dims=[0])
        case("norm", torch.tensor([0.0, -2.0, 0.0, 1.5, float("nan")], dtype=dt), p=p)
        case("norm", torch.tensor([0.0, -2.0, 0.0, 1.5], dtype=dt), p=p)
        case("norm", torch.zeros(0, dtype=dt), p=p)
        case("norm", torch.zeros(0, 3, dtype=dt), p=p, dims=[0])
        case("norm", rnd(dtype=dt), p=p, dims=[0])
    case("norm", rnd(6, 4, dtype=dt), every_other(0), dims=[1])
    case("norm", rnd(1, 4, dtype=dt), expand(3, 4), dims=[0])
case("norm", torch.tensor([1e20, 1e20]))    # float32 squares overflow as in PyTorch
case("norm", torch.tensor([1e-30, 1e-30]))  # ... and underflow
case("norm", torch.tensor([1.0, float("inf")]), p=2.0)
case("norm", torch.tensor([-2.0, 1.0]), p=float("nan"))

# prod
for dt in ALL:
    case("prod", rnd(2, 3, dtype=dt))
    case("prod", rnd(dtype=dt))
    case("prod", torch.zeros(0, dtype=dt))
    for d in (0, 1, -1):
        for keepdim in (False, True):
            case("prod_dim", rnd(2, 3, dtype=dt), dims=[d], keepdim=keepdim)
    case("prod_dim", rnd(3, 4, dtype=dt), transpose(0, 1), dims=[1])
    case("prod_dim", rnd(6, 3, dtype=dt), every_other(0), dims=[0])
    case("prod_dim", rnd(dtype=dt), dims=[0])
    case("prod_dim", torch.zeros(0, 2, dtype=dt), dims=[0])
case("prod", torch.tensor([3e30, 3e30]))  # float32 overflows
case("prod", torch.tensor([2**40, 2**40]))  # int64 wraps

# max, min, argmax, argmin: full and along a dim, ties, NaN
for dt in ALL:
    ties = torch.randint(0, 3, (4, 5)).to(dt)
    for op in ("max", "min", "argmax", "argmin"):
        case(op, rnd(3, 4, dtype=dt))
        case(op, ties)
        case(op, rnd(dtype=dt))
        case(op, rnd(3, 4, dtype=dt), transpose(0, 1))
        case(op, rnd(6, 4, dtype=dt), every_other(0))
        case(op, torch.zeros(0, dtype=dt))
        case(op, torch.zeros(0, 3, dtype=dt))
        case(op, rnd(1, dtype=dt))
        for d in (0, 1, -1, -2):
            for keepdim in (False, True):
                case(op + "_dim", ties, dims=[d], keepdim=keepdim)
        case(op + "_dim", rnd(3, 4, dtype=dt), transpose(0, 1), dims=[1])
        case(op + "_dim", rnd(3, 4, dtype=dt), transpose(0, 1), dims=[0], keepdim=True)
        case(op + "_dim", rnd(6, 4, dtype=dt), every_other(0), dims=[0])
        case(op + "_dim", rnd(1, 4, dtype=dt), expand(3, 4), dims=[0])
        case(op + "_dim", rnd(2, 3, 4, dtype=dt), lambda t: t.permute(1, 2, 0), dims=[2])
        case(op + "_dim", rnd(dtype=dt), dims=[0])
        case(op + "_dim", rnd(dtype=dt), dims=[-1], keepdim=True)
        case(op + "_dim", torch.zeros(0, 3, dtype=dt), dims=[0])
        case(op + "_dim", torch.zeros(0, 3, dtype=dt), dims=[1])
        case(op + "_dim", torch.zeros(3, 0, dtype=dt), dims=[0])
        case(op + "_dim", rnd(1, 3, dtype=dt), dims=[0])
        case(op + "_dim", rnd(2, 3, dtype=dt), dims=[2])
# long rows with many ties: PyTorch's vectorised kernels still report the first position
long_ties = torch.randint(0, 4, (3, 200))
for op in ("argmax", "argmin", "max", "min"):
    case(op, long_ties)
    case(op + "_dim", long_ties, dims=[1])
    case(op + "_dim", long_ties.double(), dims=[1])
    case(op + "_dim", long_ties.float(), dims=[0])
nan_row = torch.tensor([[1.0, float("nan"), 3.0, float("nan")], [float("inf"), 2.0, -1.0, 0.0]])
for dt in FLOATS:
    for op in ("max", "min", "argmax", "argmin"):
        case(op, nan_row.to(dt))
        case(op + "_dim", nan_row.to(dt), dims=[1])
        case(op + "_dim", nan_row.to(dt), dims=[0])
    case("max_dim", torch.tensor([-0.0, 0.0], dtype=dt), dims=[0])
    case("max_dim", torch.tensor([float("-inf"), float("-inf")], dtype=dt), dims=[0])

# ---- errors ----
i64 = torch.tensor([1, 2, 3])
f = rnd(2, 3)
for op in ("mean", "var", "std", "norm"):
    case(op, i64)
    case(op, i64, dims=[5])
    case(op, torch.tensor([True, False]))
for op in ("sum", "mean", "var", "std", "norm"):
    case(op, f, dims=[0, 0])
    case(op, f, dims=[0, -2])
    case(op, f, dims=[1, -1, 0])
    case(op, f, dims=[2])
    case(op, f, dims=[0, 5])
    case(op, f, dims=[-3])
    case(op, rnd(), dims=[1])
    case(op, rnd(), dims=[0, 0])
for op in ("max_dim", "min_dim", "argmax_dim", "argmin_dim", "prod_dim"):
    case(op, f, dims=[2])
    case(op, f, dims=[-3])
    case(op, rnd(), dims=[1])
    case(op, torch.zeros(0, 3), dims=[5])
for op in ("argmax", "argmin", "argmax_dim", "argmin_dim"):
    b = torch.tensor([[True, False], [False, True]])
    if op.endswith("dim"):
        case(op, b, dims=[0])
        case(op, b, dims=[1])
        case(op, torch.tensor([[True], [False]]), dims=[1])
        case(op, torch.tensor(True), dims=[0])
        case(op, torch.zeros(0, 1, dtype=torch.bool), dims=[1])
        case(op, torch.zeros(3, 0, dtype=torch.bool), dims=[0])
        case(op, torch.zeros(0, 3, dtype=torch.bool), dims=[0])
    else:
        case(op, b)
        case(op, torch.tensor([True]))
        case(op, torch.zeros(0, dtype=torch.bool))

# a repeated dim and one out of range: sum, mean and norm wrap every dim first, var and std do not
for op in ("sum", "mean", "var", "std", "norm"):
    for dims in ([0, 0, 5], [5, 0, 0], [0, -2], [1, -3]):
        case(op, torch.ones(2, 3), dims=dims)

# max and min of whole float tensors long enough for the vectorized kernel (4 vectors of lanes at
# a time), and the results where the order of the picks shows: zeros of both signs, NaNs of both signs
for dt in FLOATS:
    for n in (128, 129, 200, 1000, 1031):
        for op in ("max", "min"):
            case(op, rnd(n, dtype=dt))
    zeros = -rnd(300, dtype=dt).abs() - 1
    zeros[[5, 77, 140, 290]] = torch.tensor([0.0, -0.0, 0.0, -0.0], dtype=dt)
    nans = rnd(300, dtype=dt)
    nans[[9, 150]] = torch.tensor([float("nan"), -float("nan")], dtype=dt)
    for op in ("max", "min"):
        case(op, zeros)
        case(op, -zeros)
        case(op, nans)
        case(op, nans.flip(0))
        case(op, torch.full((257,), float("inf"), dtype=dt))
# max, min, argmax, argmin along rows long enough for the vectorized kernel: ties, zeros of both
# signs, NaNs in vector lanes and in the tail
for dt in FLOATS:
    rows = torch.randint(-3, 4, (4, 100)).to(dt)
    rows[1, [3, 50]] = torch.tensor([-0.0, 0.0], dtype=dt)
    rows[1, rows[1] > 0] = -1
    rows[2, [37, 80]] = float("nan")
    rows[3, 98] = float("nan")
    for op in ("max_dim", "min_dim", "argmax_dim", "argmin_dim"):
        case(op, rows, dims=[1])
        case(op, rnd(5, 67, dtype=dt), dims=[1])
        case(op, rnd(67, 5, dtype=dt), dims=[0])

os.makedirs("tests/data", exist_ok=True)
with open("tests/data/reduce.txt", "w") as out:
    out.write("# Generated by tools/gen_reduce.py with PyTorch %s; do not edit.\n" % torch.__version__)
    out.write("\n".join(lines) + "\n")
print("wrote %d cases to tests/data/reduce.txt" % len(lines))
