"""Golden data for the unary and binary math families: writes tests/data/math.txt with PyTorch 1.13.

Run from the repository root: /usr/bin/python3 tools/gen_unary_math.py

Lines (tensors as tools/golden.py writes them):
    V <op> <p> <exact> <layout> <input> [<input2>] <result>   values (binary ops: two inputs)
    E <op> <p> <input> [<input2>] <message>                   PyTorch's error, the rest of the line
    N <op> <p> <node name> <input> [<input2>] <gradient of sum(result) w.r.t. each input>...
<p> is the op's number argument ("-" for none); <exact> is 1 where PyTorch's CPU result is
reproduced bit for bit in a SLEEF + AVX2 build (the others, and every result in a build without
them, are compared within a tolerance); <layout> is c (contiguous) or s (every other element of a
twice longer buffer: a strided operand, which PyTorch's vectorized loops leave to scalar code).
"""
import math
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
from golden import tensor_text  # noqa: E402

torch.manual_seed(0)
F32, F64, I64, B = torch.float32, torch.float64, torch.int64, torch.bool
NAN, INF = float("nan"), float("inf")
lines = []

SPECIAL = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, 1e-30, -1e-30, 30.0, -30.0, 100.0, INF, -INF, NAN, 3.0, -3.5]


def values(lo, hi, n=37, dtype=F64):
    return (torch.rand(n, dtype=F64) * (hi - lo) + lo).to(dtype)


# op name -> (torch function of (x, p), the number p or None, input range)
UNARY = {
    "acos": (lambda x, p: torch.acos(x), None, (-1.2, 1.2)),
    "asin": (lambda x, p: torch.asin(x), None, (-1.2, 1.2)),
    "atan": (lambda x, p: torch.atan(x), None, (-10, 10)),
    "sinh": (lambda x, p: torch.sinh(x), None, (-10, 10)),
    "cosh": (lambda x, p: torch.cosh(x), None, (-10, 10)),
    "acosh": (lambda x, p: torch.acosh(x), None, (0.5, 10)),
    "asinh": (lambda x, p: torch.asinh(x), None, (-10, 10)),
    "atanh": (lambda x, p: torch.atanh(x), None, (-1.1, 1.1)),
    "erfc": (lambda x, p: torch.erfc(x), None, (-4, 10)),
    "expm1": (lambda x, p: torch.expm1(x), None, (-5, 5)),
    "exp2": (lambda x, p: torch.exp2(x), None, (-20, 20)),
    "log2": (lambda x, p: torch.log2(x), None, (-1, 100)),
    "log10": (lambda x, p: torch.log10(x), None, (-1, 100)),
    "lgamma": (lambda x, p: torch.lgamma(x), None, (-5, 20)),
    "digamma": (lambda x, p: torch.digamma(x), None, (-5, 20)),
    "polygamma": (lambda x, p: torch.polygamma(p, x), 1, (-3, 10)),
    "polygamma3": (lambda x, p: torch.polygamma(p, x), 3, (0.1, 10)),
    "sinc": (lambda x, p: torch.sinc(x), None, (-5, 5)),
    "rsqrt": (lambda x, p: torch.rsqrt(x), None, (-1, 50)),
    "entr": (lambda x, p: torch.special.entr(x), None, (-1, 5)),
    "frac": (lambda x, p: torch.frac(x), None, (-50, 50)),
    "floor": (lambda x, p: torch.floor(x), None, (-50, 50)),
    "ceil": (lambda x, p: torch.ceil(x), None, (-50, 50)),
    "trunc": (lambda x, p: torch.trunc(x), None, (-50, 50)),
    "round": (lambda x, p: torch.round(x), None, (-50, 50)),
    "round_decimals": (lambda x, p: torch.round(x, decimals=p), 2, (-50, 50)),
    "round_decimals_neg": (lambda x, p: torch.round(x, decimals=p), -1, (-500, 500)),
    "logit": (lambda x, p: torch.logit(x), None, (-0.1, 1.1)),
    "logit_eps": (lambda x, p: torch.logit(x, p), 0.2, (-0.1, 1.1)),
    "nan_to_num": (lambda x, p: torch.nan_to_num(x), None, (-5, 5)),
    "nan_to_num_args": (lambda x, p: torch.nan_to_num(x, 1.5, 1e300, -2.0), None, (-5, 5)),
    "deg2rad": (lambda x, p: torch.deg2rad(x), None, (-400, 400)),
    "rad2deg": (lambda x, p: torch.rad2deg(x), None, (-7, 7)),
    "square": (lambda x, p: torch.square(x), None, (-5, 5)),
    "isnan": (lambda x, p: torch.isnan(x), None, (-5, 5)),
    "isinf": (lambda x, p: torch.isinf(x), None, (-5, 5)),
    "isposinf": (lambda x, p: torch.isposinf(x), None, (-5, 5)),
    "isneginf": (lambda x, p: torch.isneginf(x), None, (-5, 5)),
    "isfinite": (lambda x, p: torch.isfinite(x), None, (-5, 5)),
    "isreal": (lambda x, p: torch.isreal(x), None, (-5, 5)),
    "signbit": (lambda x, p: torch.signbit(x), None, (-5, 5)),
    "logical_not": (lambda x, p: torch.logical_not(x), None, (-2, 2)),
}
# SLEEF or libm on both sides, rounded as in PyTorch's AVX2 build; the rest are exact anyway
INEXACT = set()

BINARY = {
    "atan2": (torch.atan2, (-5, 5), (-5, 5)),
    "hypot": (torch.hypot, (-5, 5), (-5, 5)),
    "fmod": (torch.fmod, (-20, 20), (-6, 6)),
    "remainder": (torch.remainder, (-20, 20), (-6, 6)),
    "copysign": (torch.copysign, (-5, 5), (-5, 5)),
    "fmax": (torch.fmax, (-5, 5), (-5, 5)),
    "fmin": (torch.fmin, (-5, 5), (-5, 5)),
    "xlogy": (torch.xlogy, (-2, 2), (-1, 5)),
    "xlog1py": (torch.special.xlog1py, (-2, 2), (-1.5, 5)),
    "logaddexp": (torch.logaddexp, (-30, 30), (-30, 30)),
    "logaddexp2": (torch.logaddexp2, (-30, 30), (-30, 30)),
    "nextafter": (torch.nextafter, (-5, 5), (-5, 5)),
    "heaviside": (torch.heaviside, (-2, 2), (-2, 2)),
    "zeta": (torch.special.zeta, (0.5, 6), (-3, 5)),
    "logical_and": (torch.logical_and, (-1, 1), (-1, 1)),
    "logical_or": (torch.logical_or, (-1, 1), (-1, 1)),
    "logical_xor": (torch.logical_xor, (-1, 1), (-1, 1)),
    "div_trunc": (lambda a, b: torch.div(a, b, rounding_mode="trunc"), (-20, 20), (-6, 6)),
    "div_floor": (lambda a, b: torch.div(a, b, rounding_mode="floor"), (-20, 20), (-6, 6)),
    "floor_divide": (torch.floor_divide, (-20, 20), (-6, 6)),
}


def p_text(p):
    return "-" if p is None else repr(p)


def strided(t):
    base = torch.zeros(2 * t.numel(), dtype=t.dtype)
    base[::2] = t
    return base[::2]


def error_line(name, p, inputs, fn):
    try:
        fn(*inputs)
    except Exception as e:  # noqa: BLE001
        lines.append(" ".join(["E", name, p_text(p)] + [tensor_text(t) for t in inputs] + [str(e).split("\n")[0]]))
        return True
    return False


def unary_cases():
    for name, (fn, p, (lo, hi)) in UNARY.items():
        f = lambda x: fn(x, p)  # noqa: E731
        for dtype in (F32, F64):
            for x in (values(lo, hi, 37, dtype), torch.tensor(SPECIAL, dtype=dtype), values(lo, hi, 3, dtype)):
                for layout in ("c", "s"):
                    inp = x if layout == "c" else strided(x)
                    if error_line(name, p, [x], f):
                        break
                    lines.append(" ".join(["V", name, p_text(p), "1", layout, tensor_text(x), tensor_text(f(inp))]))
        for x in (torch.tensor([3, -2, 0, 7, 1]), torch.tensor([True, False, True])):
            if not error_line(name, p, [x], f):
                lines.append(" ".join(["V", name, p_text(p), "1", "c", tensor_text(x), tensor_text(f(x))]))
        # node name and gradient, float64
        x = values(lo, hi, 5, F64).requires_grad_(True)
        y = f(x)
        if y.grad_fn is not None:
            (g,) = torch.autograd.grad(y.sum(), x)
            lines.append(" ".join(["N", name, p_text(p), y.grad_fn.name(), tensor_text(x), tensor_text(g)]))


def binary_cases():
    for name, (fn, (alo, ahi), (blo, bhi)) in BINARY.items():
        for dtype in (F32, F64):
            a, b = values(alo, ahi, 37, dtype), values(blo, bhi, 37, dtype)
            if name in ("fmod", "remainder", "div_trunc", "div_floor", "floor_divide", "heaviside", "copysign"):
                a[:6] = torch.tensor([0.0, -0.0, 3.0, -3.0, 4.5, -4.5], dtype=dtype)
                b[:6] = torch.tensor([0.0, 2.0, -1.5, 1.5, -0.0, 0.0], dtype=dtype)
            if name in ("fmax", "fmin", "logaddexp", "logaddexp2", "xlogy", "xlog1py"):
                a[:6] = torch.tensor([NAN, 1.0, INF, -INF, 0.0, 0.0], dtype=dtype)
                b[:6] = torch.tensor([1.0, NAN, INF, -INF, NAN, 2.0], dtype=dtype)
            sa, sb = torch.tensor(SPECIAL, dtype=dtype), torch.tensor(SPECIAL[::-1], dtype=dtype)
            for x, y in ((a, b), (sa, sb), (a[:5], b[:5])):
                for layout in ("c", "s"):
                    ia, ib = (x, y) if layout == "c" else (strided(x), strided(y))
                    if error_line(name, None, [x, y], fn):
                        break
                    lines.append(" ".join(["V", name, "-", "1", layout, tensor_text(x), tensor_text(y), tensor_text(fn(ia, ib))]))
            # a broadcast scalar operand (cpu_kernel_vec's vector path with one scalar)
            y1 = b[:1].reshape(())
            lines.append(" ".join(["V", name, "-", "1", "c", tensor_text(a), tensor_text(y1), tensor_text(fn(a, y1))]))
        ints = [(torch.tensor([7, -7, 7, -7, 0, 5]), torch.tensor([2, 2, -2, -2, 3, 1])),
                (torch.tensor([True, False, True]), torch.tensor([True, True, False])),
                (torch.tensor([4, -3, 0]), torch.tensor([1.5, 2.0, -1.0])),
                (torch.tensor([4, -3, 0]), torch.tensor([1, 0, 2]))]
        for x, y in ints:
            if not error_line(name, None, [x, y], fn):
                lines.append(" ".join(["V", name, "-", "1", "c", tensor_text(x), tensor_text(y), tensor_text(fn(x, y))]))
        a = values(alo, ahi, 5, F64).requires_grad_(True)
        b = values(blo, bhi, 5, F64).requires_grad_(True)
        try:
            y = fn(a, b)
        except Exception:  # noqa: BLE001
            continue
        if y.grad_fn is not None and y.dtype == F64:
            try:
                ga, gb = torch.autograd.grad(y.sum(), [a, b])
            except RuntimeError:
                continue
            lines.append(" ".join(["N", name, "-", y.grad_fn.name(), tensor_text(a), tensor_text(b), tensor_text(ga), tensor_text(gb)]))


unary_cases()
binary_cases()
with open(os.path.join(os.path.dirname(__file__), "..", "tests", "data", "math.txt"), "w") as f:
    f.write("# generated by tools/gen_unary_math.py with PyTorch %s\n" % torch.__version__)
    f.write("\n".join(lines) + "\n")
print(len(lines), "lines")
