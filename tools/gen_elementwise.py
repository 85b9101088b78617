"""Golden data for the elementwise ops: writes tests/data/elementwise.txt with real PyTorch.

Run from the repository root: /usr/bin/python3 tools/gen_elementwise.py

Each case is one line:
    <op> <scalars> <tol> <n> (<layout> <tensor>)*n <result>
<scalars> is "-" or the op's comma-separated Python numbers, each written so that its kind shows
(the C test passes it as that kind of C value): an int without a decimal point ("2", and above
int64 as it is: the test passes it as an unsigned long long), a float as repr(float) ("2.0", "inf",
"nan", "1e+30"), a bool as "True" or "False"; <tol> the relative
tolerance (0: exact); <layout> says how the test lays the input out in memory:
    c   contiguous            t   last two dims transposed (a permuted view)
    s   every other row (a step-2 slice of dim 0)
    e:D1,D2,...  expanded to that shape with stride 0 (the tensor itself has size-1 dims)
<result> is a tensor, or "error" and PyTorch's message (the rest of the line). In-place ops
(names ending in _) give the first input's value afterwards.
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
from golden import tensor_text  # noqa: E402

torch.manual_seed(0)
F32, F64, I64, B = torch.float32, torch.float64, torch.int64, torch.bool
NAN, INF = float("nan"), float("inf")

lines = []


def number_text(s):
    if s is None:  # clamp's missing bound (CG_NO_BOUND in C)
        return "None"
    if isinstance(s, bool):
        return repr(s)
    if isinstance(s, int):
        assert s >= -2**63, "the C test cannot pass an int below int64's range"
        return str(s)
    return repr(float(s))


def scalars_text(scalars):
    return ",".join(number_text(s) for s in scalars) if scalars else "-"


def laid_out(layout, t):
    """The tensor the C test builds for this layout (same values, other strides)."""
    if layout == "t":
        return t.transpose(-1, -2).contiguous().transpose(-1, -2)
    if layout == "s":
        base = torch.zeros((2 * t.shape[0],) + tuple(t.shape[1:]), dtype=t.dtype)
        base[::2] = t
        return base[::2]
    if layout.startswith("e:"):
        return t.clone().expand(*[int(s) for s in layout[2:].split(",")])
    return t.clone()


def case(op, fn, inputs, scalars=(), tol=0.0):
    """inputs: list of (layout, tensor). fn gets the laid-out tensors and the Python scalars."""
    args = [laid_out(layout, t) for layout, t in inputs]
    parts = [op, scalars_text(scalars), repr(tol), str(len(inputs))]
    for layout, t in inputs:
        parts += [layout, tensor_text(t)]
    try:
        r = fn(*args, *scalars)
        if op.endswith("_"):
            r = args[0]
        parts.append(tensor_text(r))
    except Exception as e:  # noqa: BLE001 - every PyTorch error is golden, with its type
        parts += ["error", f"{type(e).__name__}: {e}"]
    lines.append(" ".join(parts))


def expanded(t, shape):
    return "e:" + ",".join(str(s) for s in shape), t


# ---- inputs ----

def values(dtype, *shape, low=-3.0, high=3.0):
    if dtype == B:
        return torch.rand(shape) > 0.5
    if dtype == I64:
        return torch.randint(-4, 5, shape)
    return (torch.rand(shape, dtype=torch.float64) * (high - low) + low).to(dtype)


def specials(dtype):
    return torch.tensor([0.0, -0.0, NAN, INF, -INF, 1.5], dtype=dtype)


def tol_for(dtype, transcendental):
    if not transcendental:
        return 0.0
    return 2e-6 if dtype == F32 else 1e-12


# ---- binary ops ----

BINARY = {
    "add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div, "pow": torch.pow,
    "maximum": torch.maximum, "minimum": torch.minimum,
    "eq": torch.eq, "ne": torch.ne, "lt": torch.lt, "le": torch.le, "gt": torch.gt, "ge": torch.ge,
}

for name, fn in BINARY.items():
    transcendental = name == "pow"
    for dt in (F32, F64, I64, B):
        tol = tol_for(dt, transcendental)
        low = 0.1 if name == "pow" and dt in (F32, F64) else -3.0
        a, b = values(dt, 2, 3, low=low), values(dt, 2, 3)
        case(name, fn, [("c", a), ("c", b)], tol=tol)
        case(name, fn, [("t", values(dt, 2, 3, low=low)), ("c", b)], tol=tol)
        case(name, fn, [("c", a), ("s", values(dt, 2, 3))], tol=tol)
        case(name, fn, [expanded(values(dt, 1, 3, low=low), (2, 3)), ("c", b)], tol=tol)
        case(name, fn, [("c", a), ("c", values(dt, 3))], tol=tol)            # row broadcast
        case(name, fn, [("c", values(dt, 2, 1, low=low)), ("c", values(dt, 1, 3))], tol=tol)
        case(name, fn, [("c", values(dt, low=low)), ("c", values(dt))], tol=tol)  # 0-dim
        case(name, fn, [("c", a), ("c", values(dt))], tol=tol)               # 0-dim broadcast
        case(name, fn, [("c", values(dt, 5, 3, 1, low=low)), ("t", values(dt, 3, 4))], tol=tol)
        # long enough for the vectorized loop bodies: same shape, and a one-element side either way
        case(name, fn, [("c", values(dt, 5, 7, low=low)), ("c", values(dt, 5, 7))], tol=tol)
        case(name, fn, [("c", values(dt, 5, 7, low=low)), ("c", values(dt, 1))], tol=tol)
        case(name, fn, [("c", values(dt, low=low)), ("c", values(dt, 5, 7))], tol=tol)
    # mixed dtypes and 0-dim promotion
    for da, db in ((I64, F32), (F32, F64), (B, I64), (I64, B), (B, F32), (F64, I64)):
        tol = max(tol_for(da, transcendental), tol_for(db, transcendental))
        case(name, fn, [("c", values(da, 2, 3, low=0.1)), ("c", values(db, 2, 3))], tol=1e-6 if transcendental else 0.0)
        case(name, fn, [("c", values(da, 3, low=0.1)), ("c", values(db))], tol=1e-6 if transcendental else 0.0)
        case(name, fn, [("c", values(db)), ("c", values(da, 3, low=0.1))], tol=1e-6 if transcendental else 0.0)
    for dt in (F32, F64):
        s = specials(dt)
        case(name, fn, [("c", s.reshape(6, 1)), ("c", s)], tol=tol_for(dt, transcendental))
    case(name, fn, [("c", values(F32, 2, 3)), ("c", values(F32, 4))])
    case(name, fn, [("c", values(F32, 0, 3)), ("c", values(F32, 3))])

# higher-rank broadcasting, up to 8 dims
for name in ("add", "mul", "maximum", "lt"):
    fn = BINARY[name]
    case(name, fn, [("c", values(F32, 2, 1, 3, 1)), ("c", values(F32, 4, 1, 5))])
    case(name, fn, [("t", values(F64, 3, 1, 4, 2)), expanded(values(F64, 4, 1, 1), (3, 4, 2, 2))])
    case(name, fn, [("c", values(F32, 2, 1, 2, 1, 2, 1, 2, 1)), ("s", values(F32, 2, 1, 2, 1, 2, 1, 2))])
case("where", torch.where, [("c", values(B, 2, 1, 3, 1)), ("t", values(F32, 4, 1, 5)), ("c", values(I64, 3, 1, 1))])

# integer corner cases
case("div", torch.div, [("c", torch.tensor([1, 0, -3, 7])), ("c", torch.tensor([0, 0, 2, -2]))])
case("pow", torch.pow, [("c", torch.tensor([-1, 1, 0, 2, 3, -2])), ("c", torch.tensor([-1, -2, -3, -1, 40, 3]))])
case("add", torch.add, [("c", torch.tensor([2**63 - 1, -2**63])), ("c", torch.tensor([1, -1]))])
case("mul", torch.mul, [("c", torch.tensor([2**62, 3])), ("c", torch.tensor([4, -5]))])
case("eq", torch.eq, [("c", torch.tensor([0.1, 0.5], dtype=F32)), ("c", torch.tensor(0.1, dtype=F64))])
case("eq_scalar", lambda a, s: a == s, [("c", torch.tensor([16777217, 3]))], [16777216.5])
case("eq_scalar", lambda a, s: a == s, [("c", torch.tensor([0.1, 0.2], dtype=F32))], [0.1])
case("pow", torch.pow, [("c", values(B, 2)), ("c", values(B, 3))])  # the shape error comes first
case("where", torch.where, [("c", values(I64, 2)), ("c", values(F32, 3)), ("c", values(F32, 3))])
case("add_", torch.Tensor.add_, [("c", values(I64, 2)), ("c", values(F64))])
case("add_", torch.Tensor.add_, [("c", values(F32)), ("c", values(F32, 3))])
case("sub_", torch.Tensor.sub_, [("c", values(B, 1)), ("c", values(B, 3))])
case("add_", torch.Tensor.add_, [expanded(values(I64, 1, 3), (2, 3)), ("c", values(F32, 2, 3))])
case("clamp_", lambda t, lo, hi: t.clamp_(lo), [expanded(values(F32, 1, 3), (2, 3))], [NAN, None])

# ---- Python-number forms ----

SCALAR = {
    "add_scalar": lambda a, s: a + s, "sub_scalar": lambda a, s: a - s, "rsub_scalar": lambda a, s: s - a,
    "mul_scalar": lambda a, s: a * s, "div_scalar": lambda a, s: a / s, "rdiv_scalar": lambda a, s: s / a,
    "pow_scalar": lambda a, s: a ** s, "rpow_scalar": lambda a, s: s ** a,
    "eq_scalar": lambda a, s: a == s, "ne_scalar": lambda a, s: a != s, "lt_scalar": lambda a, s: a < s,
    "le_scalar": lambda a, s: a <= s, "gt_scalar": lambda a, s: a > s, "ge_scalar": lambda a, s: a >= s,
}
# Ints and floats of equal value both, since the kind decides the dtype (int64 * 2 is int64,
# int64 * 2.0 float32), bools, and ints only int64 holds (2**53 + 1) or does not (2**63).
SCALARS = (2, 2.0, 2.5, -1, -1.0, 0, 0.0, 0.5, -0.5, 3, -2, 1, 1.0, 0.1, INF, -INF, NAN, 2.0**63, -2.0**63,
           True, False, 2**63, -2**63, 2**53 + 1)
for name, fn in SCALAR.items():
    transcendental = name in ("pow_scalar", "rpow_scalar")
    for dt in (F32, F64, I64, B):
        tol = tol_for(F32 if dt in (I64, B) else dt, transcendental)
        low = 0.1 if name == "pow_scalar" and dt in (F32, F64) else -3.0
        for s in SCALARS:
            case(name, fn, [("c", values(dt, 2, 3, low=low))], [s], tol)
        case(name, fn, [("t", values(dt, 2, 3, low=low))], [2.5], tol)
        case(name, fn, [("s", values(dt, 2, 3, low=low))], [-2], tol)
        case(name, fn, [expanded(values(dt, 1, 3, low=low), (2, 3))], [3], tol)
        case(name, fn, [("c", values(dt, low=low))], [0.5], tol)
    for dt in (F32, F64):
        case(name, fn, [("c", specials(dt))], [0.0], tol_for(dt, transcendental))
        case(name, fn, [("c", specials(dt))], [0], tol_for(dt, transcendental))
        case(name, fn, [("c", specials(dt))], [-1.5], tol_for(dt, transcendental))
for big in (9210000000000000000, 9.21e18):
    case("add_scalar", lambda a, s: a + s, [("c", torch.tensor([3, 0, -2]))], [big])
    case("sub_scalar", lambda a, s: a - s, [("c", torch.tensor([3, 0, -2]))], [-big])
    case("eq_scalar", lambda a, s: a == s, [("c", torch.tensor([9210000000000000000, 0]))], [big])
for e in (-1, -1.0):
    case("pow_scalar", lambda a, s: a ** s, [("c", torch.tensor([3, 0, 2]))], [e])
case("pow_scalar", lambda a, s: a ** s, [("c", torch.tensor([3, 5, -2]))], [40])
case("pow_scalar", lambda a, s: a ** s, [("c", torch.tensor([3, 5, -2]))], [40.0], 2e-6)
case("pow_scalar", lambda a, s: a ** s, [("c", torch.tensor([3, -3, 2]))], [2**62 + 1])  # 3 ** (2**62 + 1) wraps to 3
for b in (-3, -3.0):
    case("rpow_scalar", lambda a, s: s ** a, [("c", torch.tensor([3, 0, -2]))], [b], 2e-6)

# where the number's kind or its int64 precision shows
EXACT_INT = torch.tensor([2**53 + 1, 2**53, -2**53 - 3, 1])
for name in ("add_scalar", "sub_scalar", "rsub_scalar", "mul_scalar", "eq_scalar", "ne_scalar", "lt_scalar",
             "le_scalar", "gt_scalar", "ge_scalar"):
    for s in (2**53, 2**53 + 1, 2.0**53, 9007199254740995):
        case(name, SCALAR[name], [("c", EXACT_INT)], [s])
for s in (16777216, 16777216.0):  # 16777217 is 16777216 in float32
    case("eq_scalar", SCALAR["eq_scalar"], [("c", torch.tensor([16777217, 3]))], [s])
    case("gt_scalar", SCALAR["gt_scalar"], [("c", torch.tensor([16777217, 3]))], [s])
HUGE = 2**60 + 2**36 + 1  # rounds up to float32 from int64, but to an even tie (down) through float64
for name in ("add_scalar", "sub_scalar", "rsub_scalar", "mul_scalar", "div_scalar", "rdiv_scalar", "eq_scalar", "lt_scalar"):
    for dt in (F32, F64):
        case(name, SCALAR[name], [("c", torch.tensor([0.0, 1.0, -2.5], dtype=dt))], [HUGE])
        case(name, SCALAR[name], [("c", torch.tensor([0.0, 1.0, -2.5], dtype=dt))], [2**53 + 1])
for name in ("div_scalar", "rdiv_scalar"):
    case(name, SCALAR[name], [("c", torch.tensor([1, 3, -4]))], [2**62 + 1])


# ---- where and clamp ----

for dt in (F32, F64, I64, B):
    c = values(B, 2, 3)
    case("where", torch.where, [("c", c), ("c", values(dt, 2, 3)), ("c", values(dt, 2, 3))])
    case("where", torch.where, [("t", values(B, 2, 3)), ("s", values(dt, 2, 3)), ("c", values(dt))])
    case("where", torch.where, [("c", values(B, 2, 1)), ("c", values(dt, 3)), expanded(values(dt, 1, 3), (2, 3))])
for da, db in ((I64, F32), (F32, F64), (B, I64)):
    case("where", torch.where, [("c", values(B, 3)), ("c", values(da, 3)), ("c", values(db, 3))])
    case("where", torch.where, [("c", values(B, 3)), ("c", values(db)), ("c", values(da, 3))])
case("where", torch.where, [("c", values(B)), ("c", values(F32)), ("c", values(F32))])
case("where", torch.where, [("c", values(F32, 3)), ("c", values(F32, 3)), ("c", values(F32, 3))])
case("where", torch.where, [("c", values(I64, 3)), ("c", values(F32, 3)), ("c", values(F32, 3))])
case("where", torch.where, [("c", values(B, 2)), ("c", values(F32, 3)), ("c", values(F32, 3))])
case("where", torch.where, [("c", values(B, 3)), ("c", values(F32, 3)), ("c", values(F32, 2, 4))])


def clamp(t, lo, hi):
    return torch.clamp(t, lo, hi)


# Bounds of either kind: an int keeps an int tensor int64, a float makes it float32; a bool bound
# keeps a bool tensor bool (which clamp then refuses).
BOUNDS = ((2**63, None), (2.0**63, None), (None, -2.0**63), (None, -2**63), (-1, 1), (-1.0, 1.0), (-1, 1.0), (-1.5, 2.5),
          (0, None), (0.0, None), (None, 0.5), (None, 0), (2, -1), (2.0, -1.0), (None, None), (NAN, 1), (NAN, 1.0),
          (NAN, None), (None, NAN), (1, 2), (1.0, 2.0), (True, 2), (False, True), (False, None), (None, True),
          (0, True), (-2**53 - 1, 2**53 + 1))
for dt in (F32, F64, I64, B):
    for lo, hi in BOUNDS:
        case("clamp", clamp, [("c", values(dt, 2, 3))], [lo, hi])
    case("clamp", clamp, [("t", values(dt, 2, 3))], [-1.0, 1.0])
    case("clamp", clamp, [("s", values(dt, 2, 3))], [0, 2])
    case("clamp", clamp, [expanded(values(dt, 1, 3), (2, 3))], [0.0, 2.0])
    case("clamp", clamp, [("c", values(dt))], [-1, 1])
for dt in (F32, F64):
    case("clamp", clamp, [("c", specials(dt))], [-1.0, 1.0])
    case("clamp", clamp, [("c", specials(dt))], [-1, 1])
case("clamp", clamp, [("c", EXACT_INT)], [-2**53 - 2, 2**53])
case("clamp", clamp, [("c", EXACT_INT)], [2**53, None])
case("clamp", clamp, [("c", torch.tensor([0.0, 2.0**61, -1.0], dtype=F32))], [None, HUGE])

# ---- unary ops ----

UNARY = ["neg", "exp", "log", "log1p", "sqrt", "abs", "sign", "sin", "cos", "tan", "tanh", "sigmoid", "relu"]
EXACT = {"neg", "abs", "sign", "relu", "sqrt"}
for name in UNARY:
    fn = getattr(torch, name)
    for dt in (F32, F64, I64, B):
        tol = tol_for(F32 if dt in (I64, B) else dt, name not in EXACT)
        wide = values(dt, 4, 5, low=-6.0, high=6.0)
        case(name, fn, [("c", wide)], tol=tol)
        case(name, fn, [("t", values(dt, 2, 3))], tol=tol)
        case(name, fn, [("s", values(dt, 2, 3))], tol=tol)
        case(name, fn, [expanded(values(dt, 1, 3), (2, 3))], tol=tol)
        case(name, fn, [("c", values(dt))], tol=tol)
    for dt in (F32, F64):
        case(name, fn, [("c", specials(dt))], tol=tol_for(dt, name not in EXACT))
        big = torch.tensor([-100.0, -20.0, -1e-3, 1e-8, 15.0, 88.0, 1e4], dtype=dt)
        case(name, fn, [("c", big)], tol=tol_for(dt, name not in EXACT))
        # many elements, so vectorized library paths are compared too
        case(name, fn, [("c", values(dt, 40, low=-10.0, high=10.0))], tol=tol_for(dt, name not in EXACT))

# ---- in place ----

INPLACE = {"add_": torch.Tensor.add_, "sub_": torch.Tensor.sub_, "mul_": torch.Tensor.mul_,
           "div_": torch.Tensor.div_}
for name, fn in INPLACE.items():
    for dt in (F32, F64, I64, B):
        case(name, fn, [("c", values(dt, 2, 3)), ("c", values(dt, 2, 3))])
        case(name, fn, [("t", values(dt, 2, 3)), ("c", values(dt, 2, 3))])
        case(name, fn, [("s", values(dt, 2, 3)), ("c", values(dt, 3))])
        case(name, fn, [("c", values(dt, 2, 3)), expanded(values(dt, 2, 1), (2, 3))])
        case(name, fn, [("c", values(dt, 2, 3)), ("c", values(dt))])
        case(name, fn, [("c", values(dt)), ("c", values(dt))])
    for da, db in ((I64, F32), (F32, F64), (F32, I64), (B, I64), (I64, B), (B, F32), (F64, B), (I64, I64)):
        case(name, fn, [("c", values(da, 3)), ("c", values(db, 3))])
        case(name, fn, [("c", values(da, 3)), ("c", values(db))])
    case(name, fn, [("c", values(F32, 3)), ("c", values(F32, 2, 3))])
    case(name, fn, [("c", values(I64, 3)), ("c", values(F32, 2, 3))])
    case(name, fn, [("c", values(F32, 3)), ("c", values(F32, 4))])
    case(name, fn, [expanded(values(F32, 1, 3), (2, 3)), ("c", values(F32, 2, 3))])
    case(name, fn, [expanded(values(I64, 1, 3), (2, 3)), ("c", values(F32, 4))])

INPLACE_SCALAR = {"add_scalar_": lambda t, s: t.add_(s), "mul_scalar_": lambda t, s: t.mul_(s)}
for name, fn in INPLACE_SCALAR.items():
    for dt in (F32, F64, I64, B):
        for s in (2, 2.0, 2.5, -1, 0, 0.0, INF, 2**63, 2.0**63, True, False, 1.0, 2**53 + 1):
            case(name, fn, [("c", values(dt, 2, 3))], [s])
        case(name, fn, [("t", values(dt, 2, 3))], [3])
        case(name, fn, [("s", values(dt, 2, 3))], [-2.0])
        case(name, fn, [("c", values(dt))], [1])
        case(name, fn, [expanded(values(dt, 1, 3), (2, 3))], [1])
    case(name, fn, [("c", EXACT_INT.clone())], [2**53 + 1])
    case(name, fn, [("c", torch.tensor([0.0, 1.0], dtype=F32))], [HUGE])


def clamp_(t, lo, hi):
    return t.clamp_(lo, hi)


for dt in (F32, F64, I64, B):
    for lo, hi in ((-1, 1), (-1.0, 1.0), (-1, 1.0), (-1.5, 2.5), (0, None), (0.0, None), (None, 0), (None, 0.0), (None, None),
                   (NAN, 1), (1, 0), (False, True), (True, None), (None, False), (0, True)):
        case("clamp_", clamp_, [("c", values(dt, 2, 3))], [lo, hi])
    case("clamp_", clamp_, [("t", values(dt, 2, 3))], [-1.0, 1.0])
    case("clamp_", clamp_, [("s", values(dt, 2, 3))], [0.0, 2.0])
    case("clamp_", clamp_, [expanded(values(dt, 1, 3), (2, 3))], [0, 2])
    case("clamp_", clamp_, [expanded(values(dt, 1, 3), (2, 3))], [0.0, 2.5])
case("clamp_", clamp_, [("c", EXACT_INT.clone())], [-2**53 - 2, 2**53])

# ---- clamp with infinite bounds (last, so the random inputs above stay as they were) ----

# infinite bounds are bounds (None is none): an int tensor becomes float32, NaNs stay NaN
for dt in (F32, F64, I64, B):
    for lo, hi in ((-INF, INF), (-INF, None), (None, INF), (INF, None), (None, -INF), (-INF, 1.0), (0, INF), (INF, -INF),
                   (NAN, -INF), (None, None)):
        case("clamp", clamp, [("c", values(dt, 2, 3))], [lo, hi])
for dt in (F32, F64):
    for lo, hi in ((-INF, INF), (INF, None), (None, -INF), (-1.0, INF), (-INF, 1.0)):
        case("clamp", clamp, [("c", specials(dt))], [lo, hi])
for dt in (F32, F64, I64):
    for lo, hi in ((-INF, INF), (-INF, None), (None, INF), (INF, None)):
        case("clamp_", clamp_, [("c", values(dt, 2, 3))], [lo, hi])
# a bound the result dtype cannot hold fails (1e300 in float32), unless the result is all NaN
for dt in (F32, F64, I64, B):
    for lo, hi in ((-1, 1e300), (None, -1e300), (3.5e38, None), (NAN, 1e300), (False, 1e300), (-1e39, 2**62)):
        case("clamp", clamp, [("c", values(dt, 2, 3))], [lo, hi])
for dt in (F32, F64):
    case("clamp_", clamp_, [("c", values(dt, 2, 3))], [-1, 1e300])

out = os.path.join(os.path.dirname(__file__), "..", "tests", "data", "elementwise.txt")
os.makedirs(os.path.dirname(out), exist_ok=True)
with open(out, "w") as f:
    f.write("# Generated by tools/gen_elementwise.py with PyTorch %s; do not edit.\n" % torch.__version__)
    f.write("\n".join(lines) + "\n")
print("%d cases, %d bytes" % (len(lines), os.path.getsize(out)))
