"""Golden bits of the vectorized elementwise kernels: writes tests/data/simd_bits.txt from PyTorch 1.13.

Run from the repository root with /usr/bin/python3 tools/gen_simd_bits.py.

PyTorch's AVX2 kernels compute exp, log, log1p, sin, cos, tan and tanh with SLEEF on every element
(vml), and sigmoid and pow with SLEEF on the 64-byte blocks of a contiguous run and with libm on the
rest; the cases cover every tail length, strided, expanded, transposed, offset and row-sliced
inputs, special values, in-place ops, and the fused backward kernels (the gradient of sigmoid, tanh
and relu with respect to x). Each line is
    <op> <dtype> <scalar or -> <ninputs> (<extent> <base values...> <ndim> <sizes...> <strides...> <offset>)*
        <result numel> <result values...>
where each input is the strided view (sizes, strides, offset) of its base and values are float.hex
(inf, nan, -0x0.0p+0 included); the result is listed in row-major order. An int64 line has int64
inputs and a float32 result.
"""
import math
import os
import random

import torch

torch.set_num_threads(1)
DTYPES = {"float32": torch.float32, "float64": torch.float64, "int64": torch.int64}
rng = random.Random(7)
lines = []

SPECIALS = [0.0, -0.0, math.inf, -math.inf, math.nan, 1.0, -1.0, 1e-45, -1e-40, 1e-310, 3.4028234663852886e38,
            -3.4028234663852886e38, 1e300, 88.72283935546875, 88.7228, 89.0, -87.33654, -103.97208, -104.0,
            709.78, -745.1, 0.5, 1e-8, -1e-8, math.pi, 1e6, -1e20, 2.0**-126]

# The range each op's inputs are drawn from (log-uniform magnitudes for the wide ones).
RANGES = {
    "exp": ("lin", -110, 92), "sigmoid": ("lin", -100, 100), "tanh": ("lin", -12, 12),
    "sin": ("wide", -10, 12), "cos": ("wide", -10, 12), "tan": ("wide", -10, 8),
    "log": ("pos", -40, 38), "log1p": ("lin", -1, 6), "sqrt": ("pos", -40, 38), "rsqrt": ("pos", -40, 38),
    "reciprocal": ("wide", -40, 38), "neg": ("wide", -20, 20), "abs": ("wide", -20, 20), "relu": ("lin", -3, 3),
    "pow": ("lin", 0, 8), "pow_number": ("lin", 0, 8), "rpow_number": ("lin", -6, 6),
    "sigmoid_backward": ("lin", -20, 20), "tanh_backward": ("lin", -6, 6), "relu_backward": ("lin", -3, 3),
}


def draw(kind, lo, hi):
    if kind == "lin":
        return rng.uniform(lo, hi)
    m = 10.0 ** rng.uniform(lo, hi)
    return m if kind == "pos" and rng.random() < 0.95 else (-m if rng.random() < 0.5 else m)


def base(op, extent, dtype, with_specials=True):
    kind, lo, hi = RANGES[op]
    vals = [draw(kind, lo, hi) for _ in range(extent)]
    if with_specials:
        for i in range(0, extent, 5):
            vals[i] = rng.choice(SPECIALS)
    if dtype == "int64":
        return torch.tensor([rng.randint(-120, 120) for _ in range(extent)])
    return torch.tensor(vals, dtype=torch.float64).to(DTYPES[dtype])


def hexes(t):
    return [float(v).hex() for v in t.flatten().tolist()]


def layout_text(b, sizes, strides, offset):
    return [str(b.numel())] + hexes(b) + [str(len(sizes))] + [str(v) for v in sizes] + [str(v) for v in strides] + [str(offset)]


UNARY = {"exp": torch.exp, "log": torch.log, "log1p": torch.log1p, "sin": torch.sin, "cos": torch.cos,
         "tan": torch.tan, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "sqrt": torch.sqrt, "neg": torch.neg, "abs": torch.abs, "relu": torch.relu}


def compute(op, views, scalar):
    if op.endswith("_"):  # in place on the view
        getattr(views[0], op)()
        return views[0]
    if op in UNARY:
        return UNARY[op](views[0])
    if op == "pow":
        return torch.pow(views[0], views[1])
    if op == "pow_number":
        return views[0] ** scalar
    if op == "rpow_number":
        return scalar ** views[0]
    # the fused backward kernels, through autograd: the gradient of x
    x = views[0].detach().clone().requires_grad_()
    f = {"sigmoid_backward": torch.sigmoid, "tanh_backward": torch.tanh, "relu_backward": torch.relu}[op]
    f(x).backward(views[1])
    return x.grad


def case(op, dtype, layouts, scalar=None, first_base=None):
    """layouts: per input, (sizes, strides, offset) of a view of a fresh base; first_base: the first
    input's base values instead of random ones."""
    parts = [op, dtype, "-" if scalar is None else repr(float(scalar)), str(len(layouts))]
    views = []
    for k, (sizes, strides, offset) in enumerate(layouts):
        extent = offset + sum((n - 1) * st for n, st in zip(sizes, strides)) + 1
        name = op.rstrip("_")
        b = base(name, extent, dtype) if k == 0 else torch.tensor(
            [rng.uniform(-2, 2) for _ in range(extent)], dtype=DTYPES[dtype])
        if name == "pow" and k == 1:
            b = torch.tensor([rng.uniform(-5, 5) for _ in range(extent)], dtype=DTYPES[dtype])
        if k == 0 and first_base is not None:
            b = torch.tensor(first_base, dtype=DTYPES[dtype])
        parts += layout_text(b, sizes, strides, offset)
        views.append(b.clone().as_strided(sizes, strides, offset))
    r = compute(op, views, scalar)
    parts += [str(r.numel())] + hexes(r.contiguous())
    lines.append(" ".join(parts))


def contiguous(n, offset=0):
    return ([n], [1], offset)


# every tail length, runs around the 16- and 8-element blocks, and a long run
LENGTHS = list(range(1, 18)) + [23, 31, 32, 33, 47, 64, 65, 300]
VIEWS = [
    ([37], [2], 0),          # every other element
    ([40], [0], 0),          # one element expanded
    ([3, 37], [40, 1], 0),   # rows of a wider matrix: each row its own run
    ([4, 13], [16, 1], 1),
    ([5, 7], [1, 5], 0),     # transposed
    ([9, 6], [1, 9], 0),
    ([29], [1], 3),          # offset
    ([2, 3, 20], [60, 1, 3], 0),  # permuted
]

for dtype in ("float32", "float64"):
    for op in UNARY:
        for n in LENGTHS:
            case(op, dtype, [contiguous(n)])
        for v in VIEWS:
            case(op, dtype, [v])
    for op in ("exp_", "sigmoid_", "tanh_", "log_", "sin_"):
        for v in [contiguous(19), contiguous(64)] + VIEWS[:1] + VIEWS[2:5]:
            case(op, dtype, [v])
    # tensor ** tensor: both contiguous, either side one broadcast element, and strided
    for n in [1, 7, 8, 15, 16, 17, 33, 100]:
        case("pow", dtype, [contiguous(n), contiguous(n)])
        case("pow", dtype, [contiguous(n), ([n], [0], 0)])
        case("pow", dtype, [([n], [0], 0), contiguous(n)])
    case("pow", dtype, [([37], [2], 0), contiguous(37)])
    case("pow", dtype, [([3, 37], [40, 1], 0), ([3, 37], [37, 1], 0)])
    case("pow", dtype, [([40], [0], 0), ([40], [0], 0)])
    # tensor ** number (PyTorch's shortcuts 2, 3, 0.5, -0.5, -1, -2 included) and number ** tensor
    for e in [2.5, 0.3, -1.7, 7.0, 1 / 3, 1e-3, 2.0, 3.0, 0.5, -0.5, -1.0, -2.0]:
        for n in [5, 16, 17, 35]:
            case("pow_number", dtype, [contiguous(n)], e)
        case("pow_number", dtype, [([37], [2], 0)], e)
        for _ in range(3):  # one element expanded: PyTorch's unary pow still vectorizes
            case("pow_number", dtype, [([40], [0], 0)], e)
        case("pow_number", dtype, [([3, 37], [40, 1], 0)], e)
    # a base whose SLEEF and libm powers differ: an expanded tensor ** number is vectorized too
    case("pow_number", dtype, [([40], [0], 0)], 2.7, first_base=[float.fromhex("0x1.77a1a77da2768p+1")])
    for s in [2.0, 0.5, 10.0]:
        for v in [contiguous(17), contiguous(40), ([37], [2], 0)]:
            case("rpow_number", dtype, [v], s)
    # fused backward: gradient and saved value of one shape, every tail length, strided inputs
    for op in ("sigmoid_backward", "tanh_backward", "relu_backward"):
        for n in list(range(1, 18)) + [33, 100]:
            case(op, dtype, [contiguous(n), contiguous(n)])
        case(op, dtype, [([37], [2], 0), contiguous(37)])
        case(op, dtype, [([5, 7], [1, 5], 0), ([5, 7], [7, 1], 0)])
        case(op, dtype, [([3, 37], [40, 1], 0), ([3, 37], [1, 3], 0)])

# int64 inputs: the float-valued ops compute in float32 (a converted copy), with the same kernels
for op in ("exp", "log", "log1p", "sin", "cos", "tan", "tanh", "sigmoid", "sqrt"):
    for v in [contiguous(17), contiguous(40), ([37], [2], 0), ([40], [0], 0)]:
        case(op, "int64", [v])
    case("pow_number", "int64", [contiguous(33)], 2.5)

path = os.path.join(os.path.dirname(__file__), "..", "tests", "data", "simd_bits.txt")
with open(path, "w") as f:
    f.write("# tools/gen_simd_bits.py: PyTorch 1.13 elementwise bits (see its docstring)\n")
    f.write("\n".join(lines) + "\n")
print(f"wrote {len(lines)} lines to {path}")
