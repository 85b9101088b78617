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


randperm()
errors()
inplace()
inplace_errors()
sizes()
with open(OUT, "w") as f:
    f.write("# Generated by tools/gen_api.py from PyTorch %s; do not edit.\n" % torch.__version__)
    f.write("\n".join(lines) + "\n")
