"""Golden bits of float sums and means: writes tests/data/sum_bits.txt from PyTorch 1.13.

Run from the repository root with /usr/bin/python3 tools/gen_sum_bits.py.

The inputs are not stored: element i of a case's base is made from a 64-bit LCG (see base_values;
tests/test_sum_bits.c makes the same numbers), m * 2^e with a 24-bit m and e in [-30, 3], so every
value is exact in float32 and sums round at many places. Each line is
    <op> <dtype> <seed> <base numel> <ndim> <sizes...> <strides...> <offset> <ndims> <dims...> <keepdim>
        <result ndim> <result sizes...> <values as float.hex...>
where the input is the strided view (sizes, strides, offset) of the base; ndims 0 reduces every
dim (x.sum() / x.mean()). PyTorch runs single-threaded: its multi-threaded reductions split the
work by thread count, which cgrad's results do not depend on.
"""
import os

import torch

torch.set_num_threads(1)
MASK = (1 << 64) - 1
DTYPES = {"float32": torch.float32, "float64": torch.float64}
lines = []


def base_values(seed, n, near_one=False):
    """For products (near_one), 1 + m * 2^-26 instead: within 1/8 of 1, so long products stay finite."""
    state = seed
    out = []
    for _ in range(n):
        state = (state * 6364136223846793005 + 1442695040888963407) & MASK
        m = (state >> 40) - (1 << 23)   # 24 bits, signed
        e = ((state >> 32) & 31) - 30   # [-30, 1]
        out.append(1 + m * 2.0 ** -26 if near_one else m * 2.0 ** (e - 20))
    return out


def case(op, dtype, sizes, strides=None, offset=0, dims=(), keepdim=False, seed=1):
    if strides is None:
        strides, s = [], 1
        for size in reversed(sizes):
            strides.insert(0, s)
            s *= max(size, 1)
    extent = offset + sum((n - 1) * st for n, st in zip(sizes, strides)) + 1 if all(sizes) else offset + 1
    base = torch.tensor(base_values(seed, extent, op == "prod"), dtype=DTYPES[dtype])
    x = base.as_strided(sizes, strides, offset)
    if op.startswith("norm"):  # norm<p>: the p-norm
        p = float(op[4:].replace("_", "."))
        r = torch.norm(x, p, list(dims), keepdim) if dims else torch.norm(x, p)
        head = [op, dtype, seed, extent, len(sizes), *sizes, *strides, offset, len(dims), *dims, int(keepdim)]
        lines.append(" ".join(str(v) for v in head + [r.dim(), *r.shape] + [float(v).hex() for v in r.flatten().tolist()]))
        return
    f = getattr(x, op)
    if op == "prod":  # one dim at most
        r = f(dims[0], keepdim=keepdim) if dims else f()
    else:
        r = f(list(dims), keepdim=keepdim) if dims else (f(dim=list(range(x.dim())), keepdim=True) if keepdim else f())
    head = [op, dtype, seed, extent, len(sizes), *sizes, *strides, offset, len(dims), *dims, int(keepdim)]
    values = [float(v).hex() for v in r.flatten().tolist()]
    lines.append(" ".join(str(v) for v in head + [r.dim(), *r.shape] + values))


for dtype in DTYPES:
    # whole contiguous tensors of many sizes, odd ones included
    for n in [1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 127, 128, 129, 255, 256, 257,
              1000, 1023, 1024, 1025, 4095, 4096, 4097, 10007, 65535, 65536, 65537, 100003, 524289,
              1000000]:
        for op in ("sum", "mean"):
            case(op, dtype, [n], seed=n)
    # rows and columns of matrices
    for r in [1, 3, 8, 9, 17, 33, 100, 257, 1000]:
        for c in [1, 3, 7, 8, 9, 16, 31, 32, 33, 40, 100, 257]:
            for dim in (0, 1) if r <= 100 else (0,):
                case("sum", dtype, [r, c], dims=(dim,), seed=r * 1000 + c)
            case("mean", dtype, [r, c], dims=(0 if r > 100 else r % 2,), keepdim=True, seed=r + c)
            case("sum", dtype, [r, c], seed=r * 7 + c)
    # 3-d: middle dims, pairs of dims, keepdim
    for shape in ([4, 37, 9], [3, 60, 33], [2, 3, 300], [65, 3, 9], [1, 64, 1], [7, 1, 40]):
        for dims in ((0,), (1,), (2,), (0, 2), (1, 2), (0, 1), (-1, 0)):
            for keepdim in (False, True):
                case("sum", dtype, shape, dims=dims, keepdim=keepdim, seed=len(lines))
        case("mean", dtype, shape, dims=(1,), seed=7)
        case("sum", dtype, shape, seed=11)
    # non-contiguous inputs: transposed, permuted, sliced with steps, expanded, offset
    views = [
        ([40, 33], [1, 40], 0),          # transposed
        ([33, 40], [1, 33], 0),
        ([100, 9], [1, 100], 0),
        ([9, 37, 4], [1, 36, 333], 0),   # permuted 3-d
        ([37, 4, 9], [9, 333, 1], 0),
        ([50, 20], [80, 3], 5),          # sliced with steps
        ([1000], [3], 2),
        ([17, 64], [0, 1], 0),           # expanded
        ([64, 17], [1, 0], 0),
        ([5, 8, 9], [0, 9, 1], 0),
        ([300, 7], [7, 1], 13),          # offset
    ]
    for sizes, strides, offset in views:
        for dims in [()] + [(d,) for d in range(len(sizes))] + ([(0, 2)] if len(sizes) == 3 else []):
            for op in ("sum", "mean"):
                case(op, dtype, sizes, strides, offset, dims=dims, seed=len(lines))
    # columns of more than 2^19 rows, where the cascade's first level grows to 2^5 rows
    if dtype == "float32":
        case("sum", dtype, [530000, 9], dims=(0,), seed=9)
        case("sum", dtype, [530000, 4], dims=(0,), seed=2)
        case("sum", dtype, [530000, 32], dims=(0,), seed=4)  # 4 vectors of columns at once
    # products, in the order of PyTorch's vectorized reduction
    for n in [1, 7, 31, 32, 33, 64, 100, 257, 1000, 4097, 10007]:
        case("prod", dtype, [n], seed=n)
    for r, c in [(3, 40), (40, 3), (33, 64), (100, 31), (9, 100), (64, 33), (1, 70), (70, 1)]:
        for dim in (0, 1):
            for keepdim in (False, True):
                case("prod", dtype, [r, c], dims=(dim,), keepdim=keepdim, seed=r * c + dim)
    for shape in ([4, 37, 9], [3, 60, 33], [2, 3, 300]):
        for dim in (0, 1, 2):
            case("prod", dtype, shape, dims=(dim,), seed=dim + 3)
    for sizes, strides, offset in views[:6] + views[7:9]:
        case("prod", dtype, sizes, strides, offset, seed=5)
        case("prod", dtype, sizes, strides, offset, dims=(0,), seed=6)
        case("prod", dtype, sizes, strides, offset, dims=(len(sizes) - 1,), seed=7)
    case("prod", dtype, [0], seed=3)
    case("prod", dtype, [3, 0], dims=(1,), seed=3)
    case("prod", dtype, [], seed=5)
    # 2-norms: vectorized over a contiguous last dim (every row length to 39), else in memory order
    for c in range(1, 40):
        case("norm2", dtype, [20, c], dims=(1,), seed=c)
    for n in [5, 8, 17, 33, 100, 1000, 4097, 100003]:
        case("norm2", dtype, [n], seed=n)
    for r, c in [(3, 40), (40, 3), (33, 64), (100, 31)]:
        for dim in (0, 1):
            case("norm2", dtype, [r, c], dims=(dim,), keepdim=bool(dim), seed=r * c + dim)
    for sizes, strides, offset in views[:6] + views[7:9]:
        case("norm2", dtype, sizes, strides, offset, seed=8)
        case("norm2", dtype, sizes, strides, offset, dims=(0,), seed=9)
    case("norm2", dtype, [4, 37, 9], dims=(0, 2), seed=10)
    case("norm2", dtype, [4, 37, 9], dims=(1, 2), seed=11)
    case("norm2", dtype, [0], seed=3)
    case("norm2", dtype, [], seed=4)
    # other p-norms: one element after another in the iteration's order
    for op in ("norm0", "norm1", "norm3", "norm0_5", "norm-1_5"):
        for n in [1, 7, 33, 1000, 4097]:
            case(op, dtype, [n], seed=n + 1)
        for r, c in [(3, 40), (40, 3), (33, 64)]:
            for dim in (0, 1):
                case(op, dtype, [r, c], dims=(dim,), keepdim=bool(dim), seed=r * c + dim + 1)
        for sizes, strides, offset in views[:6] + views[7:9]:
            case(op, dtype, sizes, strides, offset, seed=12)
            case(op, dtype, sizes, strides, offset, dims=(0,), seed=13)
        case(op, dtype, [4, 37, 9], dims=(0, 2), seed=14)
        case(op, dtype, [0], seed=3)
    # empty and 0-dim
    case("sum", dtype, [0], seed=3)
    case("sum", dtype, [3, 0], dims=(1,), seed=3)
    case("sum", dtype, [3, 0], dims=(0,), seed=3)
    case("sum", dtype, [], seed=5)
    case("mean", dtype, [], seed=5)

path = os.path.join(os.path.dirname(__file__), "..", "tests", "data", "sum_bits.txt")
with open(path, "w") as f:
    f.write(f"# Generated by tools/gen_sum_bits.py with PyTorch {torch.__version__}; do not edit.\n")
    f.write("\n".join(lines) + "\n")
