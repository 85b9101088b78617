"""Golden data for tests/test_api.c: tests/data/api.txt.

Run with /usr/bin/python3 (PyTorch 1.13). Lines:

  randperm SEED N DTYPE = TENSOR          (torch.manual_seed(SEED); torch.randperm(N, dtype=DTYPE))
  randperm_hash SEED N DTYPE = FNV1A64    (a long one, through an FNV-1a hash of its int64 values)
  size TENSOR_SHAPE... | TEXT             (str(t.shape))
  error KIND ARGS... | MESSAGE
  inplace NAME ARG x TENSOR other TENSOR|none g TENSOR result TENSOR node NAME gx TENSOR go TENSOR|none
      (y = x * 1; y.NAME(ARG or other); y.backward(g); gx = x.grad, go = other.grad; ARG is a Python
      number or -; float32 values compare by bits, gradients too)
  inplace_error NAME ARG CASE | MESSAGE   (CASE: int, bool, leaf, expanded: the tensor written)
  inplace_version NAME | MESSAGE          (y = x * 1; y.NAME(); y.add_(1); y.sum().backward())
  fused OP NUMBER LAYOUT self T a T b T|none strides S... g T|none result T node NAME gself T ga T gb T|none
      (OP: add sub addcmul addcdiv lerp; NUMBER: alpha, value or weight, or - for lerp's weight
      tensor b; LAYOUT c: as written, t: each input the transpose of a contiguous tensor, so
      non-contiguous; with g none there are no gradients: a long run for the fused roundings of
      the vectorized loop and its scalar tail)
  fused_error OP NUMBER CASE | MESSAGE
  clamp x T min T|none max T|none [bits HEX...] g T|none result T [node NAME gx T gmin T|none gmax T|none]
      (torch.clamp(x, min=, max=) with tensor bounds; HEX: the result's float bits, NaNs included;
      gradients when g is not none)
  clamp_error CASE | MESSAGE
  clamp_number x T min NUMBER max NUMBER g T result T gx T   (NUMBER None: no bound)
"""
import os
import struct
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
from golden import tensor_text  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "data", "api.txt")
DT = {torch.float32: "float32", torch.float64: "float64", torch.int64: "int64"}
lines = []


def fnv1a64(values):
    h = 0xcbf29ce484222325
    for v in values:
        for b in struct.pack("<q", v):
            h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def randperm():
    for seed in (0, 1, 42, 2024, 123456789):
        for n in (0, 1, 2, 3, 10, 100, 1000, 100000):
            for dtype in (torch.int64, torch.float32, torch.float64):
                if dtype != torch.int64 and n > 1000:
                    continue
                torch.manual_seed(seed)
                p = torch.randperm(n, dtype=dtype)
                if n <= 100:
                    lines.append(f"randperm {seed} {n} {DT[dtype]} = {tensor_text(p)}")
                else:
                    lines.append(f"randperm_hash {seed} {n} {DT[dtype]} = {fnv1a64(int(v) for v in p.tolist())}")
    torch.manual_seed(3)
    lines.append(f"randperm_hash 3 1000000 int64 = {fnv1a64(torch.randperm(1000000).tolist())}")
    # The generator state carries on: two draws in a row from one seed.
    torch.manual_seed(7)
    a = torch.randperm(5)
    b = torch.rand(3)
    lines.append(f"randperm_then_rand 7 5 = {tensor_text(a)} ; {tensor_text(b)}")


def error(kind, args, fn):
    try:
        fn()
    except RuntimeError as e:
        lines.append(f"error {kind} {args} | {e}")
        return
    raise AssertionError(f"{kind} {args} did not fail")


def errors():
    error("randperm", "-1 int64", lambda: torch.randperm(-1))
    error("randperm", "16777218 float32", lambda: torch.randperm(2**24 + 2, dtype=torch.float32))
    error("randperm", "5 bool", lambda: torch.randperm(5, dtype=torch.bool))


def sizes():
    for shape in ((), (0,), (7,), (2, 3), (0, 1, 5), (1, 2, 3, 4, 5, 6, 7, 8)):
        lines.append(f"size {len(shape)} {' '.join(map(str, shape))} | {torch.empty(shape).shape}")


def num_text(v):
    return repr(v) if not isinstance(v, bool) else str(v)


UNARY = ["neg_", "exp_", "log_", "log1p_", "sqrt_", "abs_", "sign_", "sin_", "cos_", "tan_", "tanh_", "sigmoid_",
         "relu_"]
POSITIVE = {"log_", "log1p_", "sqrt_"}
NUMBER = [("sub_", 1.5), ("sub_", 2), ("div_", 3.0), ("div_", -7), ("pow_", 2), ("pow_", 2.0), ("pow_", 3),
          ("pow_", 0.5), ("pow_", -1), ("pow_", -2.0), ("pow_", 1.7), ("pow_", 0), ("pow_", 1), ("add_", 0.1),
          ("mul_", 0.1)]
BINARY = ["pow_", "sub_", "div_"]


def inplace_line(name, arg, x, other, g):
    x = x.clone().requires_grad_(True)
    if other is not None:
        other = other.clone().requires_grad_(True)
    y = x * 1
    if other is not None:
        getattr(y, name)(other)
    elif arg is None:
        getattr(y, name)()
    else:
        getattr(y, name)(arg)
    node = type(y.grad_fn).__name__
    y.backward(g)
    parts = ["inplace", name, "-" if arg is None else num_text(arg), "x", tensor_text(x),
             "other", "none" if other is None else tensor_text(other), "g", tensor_text(g),
             "result", tensor_text(y), "node", node, "gx", tensor_text(x.grad),
             "go", "none" if other is None else tensor_text(other.grad)]
    lines.append(" ".join(parts))


def inplace():
    torch.manual_seed(5)
    for dtype in (torch.float32, torch.float64):
        for name in UNARY:
            x = torch.randn(2, 5, dtype=dtype) * 2
            if name in POSITIVE:
                x = x.abs() + 0.1
            inplace_line(name, None, x, None, torch.randn(2, 5, dtype=dtype))
        for name, arg in NUMBER:
            x = torch.rand(7, dtype=dtype) * 3 + 0.25
            inplace_line(name, arg, x, None, torch.randn(7, dtype=dtype))
        for name in BINARY:
            x = torch.rand(2, 3, dtype=dtype) * 3 + 0.25
            inplace_line(name, None, x, torch.randn(3, dtype=dtype), torch.randn(2, 3, dtype=dtype))


def inplace_errors():
    cases = {"int": lambda: torch.tensor([1, -2]), "bool": lambda: torch.tensor([True, False]),
             "leaf": lambda: torch.ones(3, requires_grad=True), "expanded": lambda: torch.ones(3).expand(2, 3)}
    calls = [(n, None) for n in UNARY] + [("sub_", 2), ("sub_", 1.5), ("sub_", True), ("div_", 2), ("div_", 2.0),
                                          ("pow_", 2), ("pow_", 2.0), ("pow_", -1)]
    for name, arg in calls:
        for case, make in cases.items():
            t = make()
            try:
                getattr(t, name)() if arg is None else getattr(t, name)(arg)
            except RuntimeError as e:
                lines.append(f"inplace_error {name} {'-' if arg is None else num_text(arg)} {case} | {e}")
    for name in ("exp_", "sqrt_", "tanh_", "sigmoid_", "relu_", "tan_"):
        x = torch.ones(3, requires_grad=True)
        y = x * 1
        getattr(y, name)()
        y.add_(1)
        try:
            y.sum().backward()
        except RuntimeError as e:
            lines.append(f"inplace_version {name} | {e}")


def fused_call(op, number, self_, a, b):
    if op == "add":
        return torch.add(self_, a, alpha=number)
    if op == "sub":
        return torch.sub(self_, a, alpha=number)
    if op == "addcmul":
        return torch.addcmul(self_, a, b, value=number)
    if op == "addcdiv":
        return torch.addcdiv(self_, a, b, value=number)
    return torch.lerp(self_, a, b if number is None else number)


def fused_line(op, number, layout, self_, a, b, grads):
    ins = [t for t in (self_, a, b) if t is not None]
    if layout == "t":
        ins = [t.t().contiguous().t() for t in ins]
    if grads:
        ins = [t.detach().requires_grad_(True) for t in ins]
    s_, a_ = ins[0], ins[1]
    b_ = ins[2] if len(ins) > 2 else None
    r = fused_call(op, number, s_, a_, b_)
    parts = ["fused", op, "-" if number is None else num_text(number), layout, "self", tensor_text(s_), "a",
             tensor_text(a_), "b", "none" if b_ is None else tensor_text(b_)]
    parts += ["strides", " ".join(map(str, r.stride()))]
    if not grads:
        parts += ["g", "none", "result", tensor_text(r)]
    else:
        g = torch.randn(r.shape, dtype=r.dtype)
        r.backward(g)
        parts += ["g", tensor_text(g), "result", tensor_text(r), "node", type(r.grad_fn).__name__,
                  "gself", tensor_text(s_.grad), "ga", tensor_text(a_.grad),
                  "gb", "none" if b_ is None else tensor_text(b_.grad)]
    lines.append(" ".join(parts))


FUSED = [("add", 2.5), ("add", 1), ("add", -0.3), ("sub", 0.7), ("sub", 3), ("addcmul", 1), ("addcmul", 0.37),
         ("addcmul", -2), ("addcdiv", 1), ("addcdiv", 0.37), ("lerp", 0.3), ("lerp", 0.7), ("lerp", -0.2),
         ("lerp", 1.2), ("lerp", 2), ("lerp", -0.7), ("lerp", -1.5), ("lerp", None)]


def fused_inputs(op, number, shape, dtype):
    self_ = torch.randn(shape, dtype=dtype)
    a = torch.randn(shape, dtype=dtype)
    b = None
    if op in ("addcmul", "addcdiv"):
        b = torch.randn(shape, dtype=dtype) + (3 if op == "addcdiv" else 0)
    if op == "lerp" and number is None:  # weights below -0.5 too: the formula switches at 0.5, not |w| = 0.5
        b = torch.rand(shape, dtype=dtype) * 3 - 1.5
    return self_, a, b


def fused():
    torch.manual_seed(11)
    for dtype in (torch.float32, torch.float64):
        for op, number in FUSED:
            fused_line(op, number, "c", *fused_inputs(op, number, (67,), dtype), True)
            fused_line(op, number, "t", *fused_inputs(op, number, (7, 5), dtype), True)
            # broadcasting: a row and a 0-dim operand
            self_, a, b = fused_inputs(op, number, (4, 6), dtype)
            fused_line(op, number, "c", self_, a[0], None if b is None else b[0, 0], True)
    for op, number in (("add", 0.3), ("addcmul", 0.37), ("addcdiv", 0.37), ("lerp", 0.3), ("lerp", 0.7), ("lerp", -0.9),
                       ("lerp", None)):
        fused_line(op, number, "c", *fused_inputs(op, number, (1037,), torch.float32), False)
        fused_line(op, number, "t", *fused_inputs(op, number, (13, 11), torch.float32), False)
    # add with other broadcast from one element: PyTorch's loop for that case rounds part of it unfused
    for dtype in (torch.float32, torch.float64):
        for shape, other in (((29,), (1,)), ((13,), ()), ((4, 7), (4, 1)), ((3, 21), (1,)), ((6,), (1,))):
            for alpha in (-3, 0.3, 1):
                fused_line("add", alpha, "c", torch.randn(shape, dtype=dtype), torch.randn(other, dtype=dtype), None,
                           False)
        fused_line("sub", 0.7, "c", torch.randn(45, dtype=dtype), torch.randn(1, dtype=dtype), None, False)
    # integer and bool results
    i = torch.tensor([3, -4, 5, 2**62]), torch.tensor([7, 8, -9, 2])
    for op, number in (("add", 3), ("sub", -2), ("addcmul", 2), ("addcmul", 2.5)):
        r = fused_call(op, number, i[0], i[1], i[1])
        lines.append(f"fused {op} {num_text(number)} c self {tensor_text(i[0])} a {tensor_text(i[1])} b "
                     f"{tensor_text(i[1]) if op == 'addcmul' else 'none'} strides 1 g none result {tensor_text(r)}")
    bb = torch.tensor([True, False, True, False]), torch.tensor([True, True, False, False])
    for number in (True, False, 2, 0):
        r = torch.add(bb[0], bb[1], alpha=number)
        lines.append(f"fused add {num_text(number)} c self {tensor_text(bb[0])} a {tensor_text(bb[1])} b none strides 1 "
                     f"g none result {tensor_text(r)}")
    # mixed dtypes promote (the result type of the three)
    f, d, n = torch.tensor([1.5, -2.0]), torch.tensor(0.25, dtype=torch.float64), torch.tensor([3, 4])
    for op, args in (("add", (n, f, None)), ("addcmul", (n, f, d)), ("addcdiv", (n, f, d)), ("addcmul", (f, n, n))):
        r = fused_call(op, 0.5 if op != "add" and args[0].dtype.is_floating_point else 2, *args)
        num = 0.5 if op != "add" and args[0].dtype.is_floating_point else 2
        lines.append(f"fused {op} {num_text(num)} c self {tensor_text(args[0])} a {tensor_text(args[1])} b "
                     f"{'none' if args[2] is None else tensor_text(args[2])} strides 1 g none result {tensor_text(r)}")


def fused_errors():
    f, d, i, b = torch.ones(2), torch.ones(2, dtype=torch.float64), torch.tensor([1, 2]), torch.tensor([True, False])
    cases = [("add", 1.5, "int", (i, i, None)), ("add", True, "float", (f, f, None)), ("sub", True, "bool", (b, b, None)),
             ("sub", 2.5, "int", (i, i, None)), ("addcmul", 1, "bool", (b, b, b)), ("addcdiv", 1, "int", (i, i, i)),
             ("addcdiv", 1, "float_int", (f, i, i)), ("lerp", 0.5, "int", (i, i, None)), ("lerp", 0.5, "end_double", (f, d, None)),
             ("lerp", None, "weight_double", (f, f, d)), ("lerp", None, "weight_int", (f, f, i)),
             ("lerp", None, "int", (i, i, i)), ("add", 2, "shape", (f, torch.ones(3), None)),
             ("addcmul", 1, "shape", (f, f, torch.ones(3))),
             # the shape is checked before the dtypes the kernels take (addcdiv's integer check before both)
             ("addcmul", 1, "order_bool", (b, torch.ones(3, dtype=torch.bool), b)),
             ("lerp", 0.5, "order_int", (i, torch.tensor([1, 2, 3]), None)),
             ("lerp", None, "order_int", (i, torch.tensor([1, 2, 3]), i)),
             ("addcdiv", 1, "order_int", (i, torch.tensor([1, 2, 3]), i)),
             ("add", 1.5, "order_int", (i, torch.tensor([1, 2, 3]), None)),
             ("lerp", 0.5, "order_dtype", (f, torch.ones(3, dtype=torch.float64), None)),
             # the number must fit the dtype the kernel computes in
             ("add", 1e300, "fits", (f, f, None)), ("sub", 3.5e38, "fits", (f, f, None)),
             ("addcmul", 1e300, "fits", (f, f, f)), ("addcdiv", 1e300, "fits", (f, f, f)),
             ("lerp", 1e300, "fits", (f, f, None)), ("addcmul", 1e300, "int", (i, i, i))]
    for op, number, case, args in cases:
        try:
            fused_call(op, number, *args)
        except RuntimeError as e:
            lines.append(f"fused_error {op} {'-' if number is None else num_text(number)} {case} | {e}")
            continue
        raise AssertionError(f"{op} {case} did not fail")
    # in place: the result must fit the written tensor, which other operands broadcast to
    for op, number, case, call in (
            ("add_", 2, "int_float", lambda: i.clone().add_(f, alpha=2)),
            ("add_", 1.5, "int", lambda: i.clone().add_(i, alpha=1.5)),
            ("addcmul_", 1, "int_float", lambda: i.clone().addcmul_(f, f)),
            ("addcdiv_", 1, "int_float", lambda: i.clone().addcdiv_(f, f)),
            ("lerp_", 0.5, "expand", lambda: f.clone().lerp_(f.expand(3, 2), 0.5)),
            ("addcmul_", 1, "expand", lambda: f.clone().addcmul_(f.expand(3, 2), f)),
            ("add_", 2, "leaf", lambda: torch.ones(2, requires_grad=True).add_(f, alpha=2)),
            ("lerp_", 0.5, "leaf", lambda: torch.ones(2, requires_grad=True).lerp_(f, 0.5)),
            ("add_", 1e300, "fits", lambda: f.clone().add_(f, alpha=1e300))):
        try:
            call()
        except RuntimeError as e:
            lines.append(f"fused_error {op} {num_text(number)} {case} | {e}")
            continue
        raise AssertionError(f"{op} {case} did not fail")


def opt(t):
    return "none" if t is None else tensor_text(t)


def raw_bits(t):
    """The elements' bit patterns in hex (repr cannot tell NaNs apart)."""
    t = t.detach().contiguous().reshape(-1)
    if t.dtype == torch.float32:
        return " ".join("%08x" % (v & 0xffffffff) for v in t.view(torch.int32).tolist())
    return " ".join("%016x" % (v & 0xffffffffffffffff) for v in t.view(torch.int64).tolist())


def clamp_line(x, lo, hi, grads, layout="c"):
    if grads:
        x = x.detach().requires_grad_(True)
        lo = None if lo is None else lo.detach().requires_grad_(True)
        hi = None if hi is None else hi.detach().requires_grad_(True)
    if layout == "t":  # the transposes of contiguous tensors: PyTorch walks them in memory order
        x, lo, hi = [None if t is None else t.t().contiguous().t() for t in (x, lo, hi)]
    r = torch.clamp(x, min=lo, max=hi)
    parts = ["clamp" if layout == "c" else "clamp_t", "x", tensor_text(x), "min", opt(lo), "max", opt(hi)]
    if r.dtype.is_floating_point:
        parts += ["bits", raw_bits(r)]
    if not grads:
        lines.append(" ".join(parts + ["g", "none", "result", tensor_text(r)]))
        return
    g = torch.randn(r.shape, dtype=r.dtype)
    r.backward(g)
    parts += ["g", tensor_text(g), "result", tensor_text(r), "node", type(r.grad_fn).__name__, "gx", tensor_text(x.grad),
              "gmin", "none" if lo is None else tensor_text(lo.grad), "gmax", "none" if hi is None else tensor_text(hi.grad)]
    lines.append(" ".join(parts))


def clamp_tensor():
    torch.manual_seed(21)
    nan, inf = float("nan"), float("inf")
    x = torch.tensor([-2.0, -1.0, 0.0, 1.0, 2.0, nan, 3.0, -0.0, 0.0, inf, -inf])
    lo = torch.tensor([-1.0, -1.0, -1.0, 1.5, nan, 0.0, 4.0, 0.0, -0.0, 1.0, -inf])
    hi = torch.tensor([1.0, 1.0, 0.0, 0.5, 1.0, 1.0, 2.0, 0.0, -0.0, inf, 0.0])
    for dtype in (torch.float32, torch.float64):
        X, L, H = x.to(dtype), lo.to(dtype), hi.to(dtype)
        clamp_line(X, L, H, True)
        clamp_line(X, L, None, True)
        clamp_line(X, None, H, True)
        # broadcasting: a row of bounds, a 0-dim bound; long runs for the vectorized loop
        clamp_line(torch.randn(4, 5, dtype=dtype), torch.randn(5, dtype=dtype) - 0.5, torch.tensor(0.7, dtype=dtype), True)
        clamp_line(torch.randn(3, 1, dtype=dtype), None, torch.randn(4, dtype=dtype), True)
        clamp_line(torch.randn(37, dtype=dtype), torch.randn(37, dtype=dtype) - 1, torch.randn(37, dtype=dtype) + 1, True)
    # transposed: x (5, 3) and bounds with NaNs and signed zeros, walked in memory order
    xs = torch.tensor([[-0.0, 0.0, nan], [1.0, 2.0, 0.5], [nan, -0.0, 3.0], [-1.0, 1.0, 2.0], [3.0, 4.0, 5.0]])
    ls = torch.tensor([[0.0, -0.0, 0.0], [nan, 0.0, 0.0], [0.0, 0.0, 0.0], [0.0, -0.0, 0.0], [0.0, 0.0, nan]])
    for dtype in (torch.float32, torch.float64):
        clamp_line(xs.to(dtype), ls.to(dtype), None, False, "t")
        clamp_line(xs.to(dtype), None, ls.to(dtype), False, "t")
        clamp_line(xs.to(dtype), ls.to(dtype), ls.to(dtype) + 1, False, "t")
        big = torch.randn(40, 9, dtype=dtype)
        big[::3, ::2] = nan
        clamp_line(big, torch.zeros(40, 9, dtype=dtype), None, False, "t")
    # integers and bools, and promotion: an int tensor with float bounds is float32
    i = torch.tensor([-5, 0, 3, 9])
    clamp_line(i, torch.tensor([-1, 1, 1, 1]), torch.tensor([2, 2, 2, 5]), False)
    clamp_line(i, torch.tensor([0.5, 0.5, 0.5, 0.5]), None, False)
    clamp_line(i, None, torch.tensor(2.5, dtype=torch.float64), False)
    clamp_line(torch.tensor([1.5, -2.5]), torch.tensor(0, dtype=torch.int64), None, False)
    b = torch.tensor([True, False, True])
    clamp_line(b, torch.tensor([False, True, False]), None, False)
    clamp_line(b, None, torch.tensor([False, True, False]), False)
    for case, call in (("none", lambda: torch.clamp(torch.ones(2), min=None, max=None)),
                       ("bool", lambda: torch.clamp(b, b, b)),
                       ("shape", lambda: torch.clamp(torch.ones(2), min=torch.ones(3))),
                       ("inplace_int", lambda: torch.tensor([1, 5]).clamp_(min=torch.tensor([2.5]))),
                       ("inplace_shape", lambda: torch.ones(2).clamp_(min=torch.ones(3, 2)))):
        try:
            call()
        except RuntimeError as e:
            lines.append(f"clamp_error {case} | {e}")
            continue
        raise AssertionError(case)
    # number bounds: infinite ones are bounds, None is none; gradients at the bounds
    xs = torch.tensor([-inf, -1.0, 0.5, 2.0, inf, nan, -0.0])
    for lo_, hi_ in ((-inf, inf), (-inf, None), (None, inf), (0.5, inf), (-inf, 0.5), (inf, None), (None, -inf),
                     (0.5, 2.0), (nan, None), (None, nan), (2.0, 0.5), (0.0, None)):
        for dtype in (torch.float32, torch.float64):
            X = xs.to(dtype).detach().requires_grad_(True)
            r = torch.clamp(X, lo_, hi_)
            g = torch.randn(r.shape, dtype=dtype)
            r.backward(g)
            lines.append(f"clamp_number x {tensor_text(X)} min {num_text(lo_) if lo_ is not None else 'None'} max "
                         f"{num_text(hi_) if hi_ is not None else 'None'} g {tensor_text(g)} result {tensor_text(r)} "
                         f"gx {tensor_text(X.grad)}")


randperm()
errors()
inplace()
fused()
fused_errors()
clamp_tensor()
inplace_errors()
sizes()
with open(OUT, "w") as f:
    f.write("# Generated by tools/gen_api.py from PyTorch %s; do not edit.\n" % torch.__version__)
    f.write("\n".join(lines) + "\n")
