"""Golden data for the random-number tests: tests/data/random.txt.

Run with /usr/bin/python3 (PyTorch 1.13 on x86-64 with AVX2; the float32 randn path of numel >= 16
depends on that build). Lines are executed in order by tests/test_random.c, so the generator state
carries over from line to line exactly as it does here:

  seed S
  rand DTYPE NDIM SIZES... = TENSOR
  randn DTYPE NDIM SIZES... = TENSOR
  randint LOW HIGH NDIM SIZES... = TENSOR
  randn_hash DTYPE N = FNV1A64    (a long run compared through a hash of its bits)
  uniform DTYPE FROM TO VIEW = TENSOR      (VIEW = base NDIM SIZES, view NDIM SIZES STRIDES OFFSET;
  normal DTYPE MEAN STD VIEW = TENSOR       TENSOR is the whole zero-filled base after the fill)
  error KIND ARGS... | MESSAGE

Floats are written with float.hex so that the tests compare bits exactly."""
import os
import struct

import torch

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "data", "random.txt")
DT = {torch.float32: "float32", torch.float64: "float64", torch.int64: "int64"}
lines = []


def num(v):
    return float.hex(float(v))


def tensor_text(t):
    vals = t.contiguous().reshape(-1).tolist()
    if t.dtype == torch.int64:
        body = [str(int(v)) for v in vals]
    else:
        body = [num(v) for v in vals]
    return " ".join([DT[t.dtype], str(t.dim())] + [str(s) for s in t.shape] + body)


def shape_text(shape):
    return " ".join([str(len(shape))] + [str(s) for s in shape])


def seed(s):
    torch.manual_seed(s)
    lines.append(f"seed {s}")


def rand(dtype, *shape):
    t = torch.rand(*shape, dtype=dtype)
    lines.append(f"rand {DT[dtype]} {shape_text(shape)} = {tensor_text(t)}")


def randn(dtype, *shape):
    t = torch.randn(*shape, dtype=dtype)
    lines.append(f"randn {DT[dtype]} {shape_text(shape)} = {tensor_text(t)}")


def randint(low, high, *shape):
    t = torch.randint(low, high, shape)
    lines.append(f"randint {low} {high} {shape_text(shape)} = {tensor_text(t)}")


def fnv1a64(data):
    h = 0xcbf29ce484222325
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def randn_hash(dtype, n):
    t = torch.randn(n, dtype=dtype)
    fmt = "<%df" % n if dtype == torch.float32 else "<%dd" % n
    lines.append(f"randn_hash {DT[dtype]} {n} = {fnv1a64(struct.pack(fmt, *t.tolist()))}")


def fill(kind, dtype, a, b, base_shape, make_view):
    base = torch.zeros(*base_shape, dtype=dtype)
    view = make_view(base)
    desc = (f"base {shape_text(base_shape)} view {shape_text(tuple(view.shape))} "
            + " ".join(str(s) for s in view.stride()) + f" {view.storage_offset()}")
    if kind == "uniform":
        view.uniform_(a, b)
    else:
        view.normal_(a, b)
    lines.append(f"{kind} {DT[dtype]} {num(a)} {num(b)} {desc} = {tensor_text(base)}")


def error(kind, args, fn):
    try:
        fn()
    except RuntimeError as e:
        lines.append(f"error {kind} {args} | {str(e).splitlines()[0]}")
        return
    raise AssertionError(f"expected an error for {kind} {args}")


F32, F64 = torch.float32, torch.float64
SIZES = [0, 1, 2, 7, 15, 16, 17, 31, 32, 33]
SEEDS = [0, 1, 2, 3, 7, 42, 123, 1234, 999999, 2**31 - 1, 2**32 + 5, 2**63 + 11]

# Every seed: every small size through every path, then the cached normal across calls.
for s in SEEDS:
    seed(s)
    for n in SIZES:
        randn(F32, n)
    for n in [1, 7, 16, 17, 33]:
        randn(F64, n)
    for n in [1, 7, 17]:
        rand(F32, n)
    for n in [2, 17]:
        rand(F64, n)
    randn(F32, 100)
    randn(F32, 1)        # caches a second normal ...
    randn(F32, 16)       # ... that the block path leaves alone ...
    randn(F64, 17)
    randn(F32, 2)        # ... and the per-element path uses first
    randn(F64, 1)        # the cache is shared by float32 and float64
    randn(F32, 3, 5)
    randn(F32, 2, 4, 3)  # 24 values, multi-dim, block path with a tail
    randn(F64, 3, 1, 7)
    rand(F32, 2, 3, 4)
    randint(0, 10, 17)
    randint(-2**63, 2**63 - 1, 3)

# Larger runs: many blocks and the tail recomputation.
for s in [0, 5, 77]:
    seed(s)
    randn(F32, 1000)
seed(2024)
randn(F32, 999)
randn(F64, 1000)
seed(8)
rand(F32, 1000)
rand(F64, 1000)
randn(F32, 10, 10, 10)

# Long float32 runs through the AVX2 polynomials, compared by hash.
for s in [0, 1, 4242]:
    seed(s)
    randn_hash(F32, 200000)
    randn_hash(F32, 100003)
seed(9)
randn_hash(F64, 50000)

# randint: 32-bit draws below 2^32, 64-bit draws from 2^32 up.
RANGES = [(0, 10), (-5, 5), (0, 2), (0, 1), (-100, 1000), (-3, -1), (0, 2**32 - 1), (0, 2**32),
          (0, 2**32 + 1), (-2**40, 2**40), (2**62, 2**63 - 1), (-2**63, 2**63 - 1), (-2**63, -2**63 + 7)]
for s in [0, 1, 99]:
    seed(s)
    for low, high in RANGES:
        randint(low, high, 7)
    randint(0, 1000, 2, 3, 4)
    randint(-7, 7, 0)
    randint(3, 17, 33)

# normal_ / uniform_ with parameters, on contiguous and strided targets.
VIEWS = [
    ((5,), lambda b: b),
    ((16,), lambda b: b),
    ((33,), lambda b: b),
    ((3, 7), lambda b: b),
    ((4, 5), lambda b: b.t()),                      # transposed, per-element in memory order
    ((6, 7), lambda b: b[:, 1:6:2]),
    ((3, 4, 5), lambda b: b.permute(2, 0, 1)),
    ((8, 6), lambda b: b[::2, ::3]),
    ((5,), lambda b: b[1:4]),                       # contiguous with an offset
    ((40,), lambda b: b[2:38]),                     # block path at an offset
    ((4, 10), lambda b: b[:, 2:8]),                 # 24 elements, not contiguous: per element
    ((2, 3, 4), lambda b: b[:, 1]),
    ((20, 1), lambda b: b.t()),                     # contiguous despite its strides
    ((5, 6, 4), lambda b: b.transpose(0, 2)[1:3]),
    ((6, 8), lambda b: b.t()[::2]),
    ((17,), lambda b: b[1:]),                       # 16 elements at an offset
]
PARAMS = {"normal": [(0.0, 1.0), (0.5, 2.5), (-3.0, 0.1), (2.0, 0.0), (1e3, 1e-3)],
          "uniform": [(0.0, 1.0), (-3.7, 5.1), (0.25, 0.75), (1.0, 1.0), (-1e3, 2.5)]}
for s in [0, 17]:
    seed(s)
    for kind in ["normal", "uniform"]:
        for dtype in [F32, F64]:
            for i, (base_shape, make_view) in enumerate(VIEWS):
                a, b = PARAMS[kind][i % len(PARAMS[kind])]
                fill(kind, dtype, a, b, base_shape, make_view)
# Transposed fills interleaved with the cache.
seed(3)
randn(F32, 1)
fill("normal", F32, 0.0, 1.0, (4, 5), lambda b: b.t())
randn(F32, 1)
fill("normal", F64, 1.0, 2.0, (7, 3), lambda b: b.t())
randn(F64, 2)

# Errors, with PyTorch's texts.
error("rand", "int64", lambda: torch.rand(3, dtype=torch.int64))
error("rand", "bool", lambda: torch.rand(3, dtype=torch.bool))
error("randn", "int64", lambda: torch.randn(3, dtype=torch.int64))
error("randn", "bool", lambda: torch.randn(3, dtype=torch.bool))
for low, high in [(5, 5), (6, 5), (-5, -10), (0, 0)]:
    error("randint", f"{low} {high}", lambda: torch.randint(low, high, (3,)))
for dtype, mean, std in [(F32, 0.0, -1.0), (F64, 0.0, -0.1234567), (F32, 1.0, -1e-300), (F32, 0.0, -123456789.0),
                         (F32, 0.0, float("nan")), (F32, 0.0, float("-inf")), (torch.int64, 0.0, 1.0),
                         (torch.bool, 0.0, 1.0), (torch.int64, 0.0, -1.0)]:
    error("normal", f"{DT.get(dtype, 'bool')} {num(mean)} {num(std)}",
          lambda: torch.empty(3, dtype=dtype).normal_(mean, std))
for dtype, a, b in [(F32, 2.0, 1.0), (F64, 2.5, -1.123456789), (F32, 1e20, -1e-20), (F32, 0.0, float("inf")),
                    (F32, float("-inf"), 0.0), (F32, float("nan"), 0.0), (F64, 0.0, float("nan")),
                    (F32, -3e38, 3e38), (F64, -1.7e308, 1.7e308), (F32, 0.0, 1e39), (torch.int64, 0.0, 1.0),
                    (torch.bool, 0.0, 1.0), (torch.int64, 1.0, 0.0)]:
    error("uniform", f"{DT.get(dtype, 'bool')} {num(a)} {num(b)}",
          lambda: torch.empty(3, dtype=dtype).uniform_(a, b))

with open(OUT, "w") as f:
    f.write("# Generated by tools/gen_random.py with PyTorch %s; do not edit.\n" % torch.__version__)
    f.write("\n".join(lines) + "\n")
print(f"wrote {len(lines)} lines to {os.path.normpath(OUT)}")
