"""Golden layouts of elementwise results: writes tests/data/layout.txt from PyTorch 1.13.

Run from the repository root with /usr/bin/python3 tools/gen_layout.py.

PyTorch's TensorIterator gives a new output the memory layout of its inputs (their order of
strides), and empty_like/clone/to with preserve_format keep a tensor's layout. Each line is
    <op> <n> <input>... OK <ndim> <sizes...> <strides...> <values...>
or  <op> <n> <input>... ERR <message>
where an input is '<dtype> <ndim> <sizes...> <strides...> <offset>': the strided view of a base
tensor whose element i is base_value(i) (tests/test_layout.c makes the same), and the values are
the result's elements in row-major order (Python reprs; bools as 0/1).
"""
import itertools
import os

import torch

lines = []
DTYPES = {"float32": torch.float32, "float64": torch.float64, "int64": torch.int64}


def base_value(i):
    return ((i * 37) % 23) * 0.25 - 2.5


def make(dtype, sizes, strides, offset):
    extent = offset + sum((n - 1) * s for n, s in zip(sizes, strides)) + 1 if all(sizes) else offset + 1
    base = torch.tensor([base_value(i) for i in range(extent)], dtype=torch.float64)
    if dtype == "int64":
        base = (base * 4).to(torch.int64)
    return base.to(DTYPES[dtype]).as_strided(sizes, strides, offset)


def input_text(spec):
    dtype, sizes, strides, offset = spec
    return " ".join(str(v) for v in [dtype, len(sizes), *sizes, *strides, offset])


def value_text(v):
    return str(int(v)) if isinstance(v, bool) else repr(v)


OPS = {
    "add": lambda a, b: a + b,
    "mul": lambda a, b: a * b,
    "sub": lambda a, b: a - b,
    "div": lambda a, b: a / b,
    "maximum": torch.maximum,
    "lt": lambda a, b: a < b,
    "eq": lambda a, b: a == b,
    "where": lambda a, b: torch.where(a > 0, a, b),
    "where_b": lambda a, b: torch.where(b > 0, a, b),
    "neg": lambda a: -a,
    "abs": torch.abs,
    "exp": torch.exp,
    "relu": torch.relu,
    "add_scalar": lambda a: a + 1,
    "mul_scalar": lambda a: a * 2.5,
    "rsub_scalar": lambda a: 1 - a,
    "gt_scalar": lambda a: a > 0,
    "clamp": lambda a: a.clamp(-1, 1),
    "empty_like": torch.empty_like,
    "zeros_like": torch.zeros_like,
    "ones_like": torch.ones_like,
    "clone": torch.clone,
    "to_float64": lambda a: a.to(torch.float64),
    "contiguous": lambda a: a.contiguous(),
    "view_flat": lambda a: (a + 1).view(-1),
    "masked_fill": lambda a: a.masked_fill(a > 0, 7.0),
    "masked_fill_t": lambda a: a.masked_fill(a > 0, torch.tensor(7.0, dtype=a.dtype)),
    "softmax": lambda a: torch.softmax(a.double() if a.dtype == torch.int64 else a, -1),
    "log_softmax0": lambda a: torch.log_softmax(a.double() if a.dtype == torch.int64 else a, 0),
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "sign": torch.sign,
    "pow_scalar": lambda a: a ** 3,
    "to_int64": lambda a: a.to(torch.int64),
    "cat": lambda a: torch.cat([a, a]),
    "mse_none": lambda a: torch.nn.functional.mse_loss(a.double(), a.double() * 0.5, reduction="none"),
    "sub_alpha": lambda a, b: torch.sub(a, b, alpha=2),
    "pow": lambda a, b: torch.pow(a, b),
    "addcmul": lambda a, b: torch.addcmul(a, a, b, value=0.5),
    "lerp": lambda a, b: torch.lerp(a, b, b),
    "clamp_tensor": lambda a, b: torch.clamp(a, min=b),
    "reshape_flat": lambda a: (a + 1).reshape(-1),
}


def case(op, *specs):
    head = f"{op} {len(specs)} " + " ".join(input_text(s) for s in specs)
    try:
        r = OPS[op](*[make(*s) for s in specs])
    except RuntimeError as e:
        lines.append(f"{head} ERR {str(e).splitlines()[0]}")
        return
    values = "" if op == "empty_like" else " ".join(value_text(v) for v in r.flatten().tolist())
    lines.append(" ".join([head, "OK", str(r.dim()), *map(str, r.shape), *map(str, r.stride()), values]).rstrip())


def contiguous(sizes):
    strides, s = [], 1
    for n in reversed(sizes):
        strides.insert(0, s)
        s *= max(n, 1)
    return strides


def permuted(sizes, perm):
    """The view x.permute(perm) of a contiguous x whose permuted shape is sizes."""
    base_sizes = [0] * len(sizes)
    for i, p in enumerate(perm):
        base_sizes[p] = sizes[i]
    base_strides = contiguous(base_sizes)
    return [base_strides[p] for p in perm]


# Layouts of shape (3, 4) and things that broadcast to it.
F = "float32"
L2 = [
    (F, [3, 4], [4, 1], 0),          # contiguous
    (F, [3, 4], [1, 3], 0),          # transposed
    (F, [3, 4], [1, 0], 0),          # expanded column
    (F, [3, 4], [0, 1], 0),          # expanded row
    (F, [3, 1], [1, 1], 0),          # broadcast column
    (F, [4], [1], 0),                # broadcast row
    (F, [4], [3], 1),                # broadcast row, strided
    (F, [3, 4], [16, 2], 1),         # sliced with steps
    (F, [3, 4], [2, 12], 0),         # sliced, transposed
    (F, [], [], 2),                  # 0-dim
    ("int64", [3, 4], [1, 3], 0),    # another dtype, transposed
    ("float64", [3, 4], [4, 1], 0),
]
for a, b in itertools.product(L2, L2):
    case("add", a, b)
for op in ("mul", "sub", "div", "maximum", "lt", "eq", "where", "where_b", "sub_alpha", "pow", "addcmul", "lerp",
           "clamp_tensor"):
    for a, b in itertools.product(L2[:4] + L2[7:10], L2[:4] + L2[7:10]):
        case(op, a, b)

# 3-d: every permutation of a (2, 3, 4) result, against each other and broadcasts.
L3 = [(F, [2, 3, 4], permuted([2, 3, 4], p), 0) for p in itertools.permutations(range(3))]
L3 += [
    (F, [2, 1, 4], [1, 1, 2], 0),     # size-1 dim, permuted
    (F, [2, 3, 4], [0, 1, 3], 0),     # expanded and transposed
    (F, [3, 4], [1, 3], 0),           # broadcast, transposed
    (F, [2, 3, 4], [24, 2, 6], 1),    # sliced with steps, permuted
    (F, [2, 3, 1], [3, 1, 1], 0),
]
for a, b in itertools.product(L3, L3):
    case("add", a, b)

# Unary ops, scalar ops and the _like family over every layout, empty and size-1 ones included.
SINGLE = L2 + L3 + [
    (F, [4, 3, 0], [1, 0, 4], 0),     # empty, permuted
    (F, [4, 0, 3], [1, 12, 4], 0),
    (F, [4, 1, 3], [1, 12, 4], 0),    # size-1 dim, permuted
    (F, [3, 4], [0, 0], 0),           # expanded 0-dim
    (F, [1, 4], [1, 1], 0),
    (F, [4, 1], [1, 4], 0),
    ("int64", [2, 3, 4], [1, 8, 2], 0),
    ("float64", [4, 2, 3], [1, 12, 4], 3),
]
for spec in SINGLE:
    for op in ("neg", "abs", "exp", "relu", "add_scalar", "mul_scalar", "rsub_scalar", "gt_scalar", "clamp",
               "empty_like", "zeros_like", "ones_like", "clone", "to_float64", "contiguous", "view_flat",
               "reshape_flat", "masked_fill", "masked_fill_t", "softmax", "log_softmax0", "sigmoid", "tanh", "sign", "pow_scalar",
               "to_int64", "cat", "mse_none"):
        if op in ("exp", "relu", "sigmoid", "tanh") and spec[0] == "int64":
            continue
        if op in ("softmax", "log_softmax0", "cat") and not spec[1]:
            continue
        case(op, spec)

path = os.path.join(os.path.dirname(__file__), "..", "tests", "data", "layout.txt")
with open(path, "w") as f:
    f.write(f"# Generated by tools/gen_layout.py with PyTorch {torch.__version__}; do not edit.\n")
    f.write("\n".join(lines) + "\n")
