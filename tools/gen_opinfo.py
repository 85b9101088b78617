"""PyTorch 1.13's OpInfo database as cgrad's coverage list and golden samples (tests/test_opinfo.c).

Run from the repository root: /usr/bin/python3 tools/gen_opinfo.py [NAME ...]

Writes tests/data/opinfo/ops.txt, the OpInfo entries counted (see RULE below; its first line names
the OpenBLAS kernels PyTorch ran on, '# blas CORE', as tools/gen_linalg.py does), and for each op that
has an adapter line in tests/opinfo/*.c (OI_OP("name", "variant", ...)) tests/data/opinfo/NAME[.VARIANT].txt:
PyTorch's own sample inputs (sample_inputs(cpu, float64 and float32, requires_grad=True), the first
MAX_SAMPLES of each), the outputs, the gradients of a backward of a fixed random cotangent, and the
op's error inputs with PyTorch's exception type and message. With names, only those ops' files.

Golden file format: whitespace-separated tokens.
  sample DTYPE INDEX  input VALUE  args N VALUE...  kwargs N KEY VALUE...
      out VALUE  cot VALUE  grads N VALUE...  end
  error INDEX  input VALUE  args ...  kwargs ...  raises TYPE STRING  end
  skipped N REASON-STRING          (samples not recorded, and why)
VALUE: T DTYPE REQUIRES_GRAD NDIM SIZES... ELEMENTS... (floats as hex of their bits, ints decimal,
bools 0/1; contiguous order) | F HEX64 (a Python float) | I INT | B 0/1 | N (None) | S LEN BYTES
(a str: LEN raw bytes after one space) | D DTYPE (a torch.dtype) | L N VALUE... (list or tuple) |
X STRING (something cgrad's C API has no form for: a complex number, a slice, ...).
Gradients: one per tensor leaf with requires_grad, in the order input, args, kwargs (depth first);
N where PyTorch gives none. cot holds the cotangent for each floating output that requires grad, N
for the others.
"""
import ctypes
import glob
import os
import random
import re
import sys
import warnings
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "opinfo_stub"))
import torch  # noqa: E402
from torch.testing._internal.common_methods_invocations import op_db  # noqa: E402

warnings.filterwarnings("ignore")
# Some error inputs are made with torch.empty: zeros instead, so the files do not change from run to
# run (after the import, so the empty ops' own entries keep torch.empty).
_zeros, _zeros_like = torch.zeros, torch.zeros_like
torch.empty = lambda *a, **k: _zeros(*a, **{x: y for x, y in k.items() if x != "memory_format"})
torch.empty_like = lambda *a, **k: _zeros_like(*a, **k)
# Python 3.11's random.sample refuses a set, which cross_entropy's sample_inputs (written for 3.8) passes.
_sample = random.sample
random.sample = lambda population, k, **kw: _sample(sorted(population) if isinstance(population, set) else population, k, **kw)
OUT = "tests/data/opinfo"
MAX_SAMPLES = 6          # per dtype
MAX_ERRORS = 8
MAX_ELEMENTS = 1200      # a sample with more tensor elements than this is skipped (file size)

# RULE: the OpInfo entries (op_db) that run on CPU in float32 or float64, without fft.*, sparse.*,
# masked.* and jiterator_* (the exclusions), 557 entries / 509 names. Then, by name: the
# seven reflected Python operators (__radd__ ... : the same kernels as add, mul, ... with the number
# on the left), the eleven dtype-conversion methods (x.float(), x.half(), ...; x.chalf() is complex
# too), what makes complex or sparse results from real input (complex, polar, view_as_complex,
# to_sparse) and the fft-based stft/istft: 509 - 24 = 485 names, the count.
EXCLUDED = {
    "__radd__": "reflected operator", "__rdiv__": "reflected operator", "__rmul__": "reflected operator",
    "__rmatmul__": "reflected operator", "__rmod__": "reflected operator", "__rpow__": "reflected operator",
    "__rsub__": "reflected operator",
    "bfloat16": "dtype conversion", "bool": "dtype conversion", "byte": "dtype conversion",
    "chalf": "dtype conversion", "char": "dtype conversion", "double": "dtype conversion",
    "float": "dtype conversion", "half": "dtype conversion", "int": "dtype conversion",
    "long": "dtype conversion", "short": "dtype conversion",
    "complex": "complex result", "polar": "complex result", "view_as_complex": "complex result",
    "to_sparse": "sparse result", "stft": "fft", "istft": "fft",
}


def counted_entries():
    def kept(op):
        n = op.name
        if n.startswith(("fft.", "sparse.", "masked.")) or n.startswith("jiterator"):
            return False
        dts = op.supported_dtypes("cpu")
        return torch.float32 in dts or torch.float64 in dts
    ops = [op for op in op_db if kept(op) and op.name not in EXCLUDED]
    return sorted(ops, key=lambda op: (op.name, op.variant_test_name))


DTYPES = {torch.float32: "f32", torch.float64: "f64", torch.int64: "i64", torch.bool: "b",
          torch.int32: "i32", torch.int16: "i16", torch.int8: "i8", torch.uint8: "u8",
          torch.float16: "f16", torch.bfloat16: "bf16", torch.complex64: "c64", torch.complex128: "c128"}


def hexbits(x, dtype):
    import struct
    if dtype == torch.float32:
        return struct.pack(">f", x).hex()
    return struct.pack(">d", x).hex()


def string(s):
    b = s.encode()
    return "S %d %s" % (len(b), s)


def tensor_text(t):
    rg = t.requires_grad
    t = t.detach()
    if t._is_zerotensor():  # an efficient zero tensor (sgn's gradient) has no storage to list
        t = torch.zeros(t.shape, dtype=t.dtype)
    name = DTYPES.get(t.dtype)
    if name is None or t.layout != torch.strided:
        return "X " + string("tensor of %s" % t.dtype)[2:]
    head = "T %s %d %d %s" % (name, int(rg), t.dim(), " ".join(str(s) for s in t.shape))
    flat = t.contiguous().reshape(-1)
    if t.dtype in (torch.float32, torch.float64):
        vals = [hexbits(v, t.dtype) for v in flat.tolist()]
    elif t.is_complex() or t.dtype in (torch.float16, torch.bfloat16):
        vals = ["0"] * flat.numel()  # never read: cgrad has no such dtype
    else:
        vals = [str(int(v)) for v in flat.tolist()]
    return head + (" " + " ".join(vals) if vals else "")


def value_text(v):
    if isinstance(v, torch.Tensor):
        return tensor_text(v)
    if isinstance(v, bool):
        return "B %d" % int(v)
    if isinstance(v, int):
        return "I %d" % v
    if isinstance(v, float):
        return "F " + hexbits(v, torch.float64)
    if v is None:
        return "N"
    if isinstance(v, str):
        return string(v)
    if isinstance(v, torch.dtype):
        return "D " + DTYPES.get(v, str(v))
    if isinstance(v, torch.memory_format):
        return "X " + string(str(v))[2:]  # torch.preserve_format, torch.channels_last, ...
    if isinstance(v, (list, tuple, torch.Size)):
        return "L %d" % len(v) + "".join(" " + value_text(x) for x in v)
    return "X " + string(type(v).__name__)[2:]


def leaves(v):
    if isinstance(v, torch.Tensor):
        return [v]
    if isinstance(v, (list, tuple)):
        return [t for x in v for t in leaves(x)]
    if isinstance(v, dict):
        return [t for x in v.values() for t in leaves(x)]
    return []


def sample_text(s):
    kw = s.kwargs
    return ("input %s args %d%s kwargs %d%s" % (
        value_text(s.input), len(s.args), "".join(" " + value_text(a) for a in s.args),
        len(kw), "".join(" %s %s" % (k, value_text(v)) for k, v in kw.items())))


def cotangent(o, gen):
    if isinstance(o, torch.Tensor):
        if o.dtype in (torch.float32, torch.float64) and o.requires_grad:
            return torch.randn(o.shape, dtype=o.dtype, generator=gen)
        return None
    if isinstance(o, (list, tuple)):
        return [cotangent(x, gen) for x in o]
    return None


def record_sample(op, dtype, i, s, gen):
    ins = leaves([s.input, list(s.args), s.kwargs])
    if sum(t.numel() for t in ins) > MAX_ELEMENTS:
        return None, "large"
    text = sample_text(s)
    out = op(s.input, *s.args, **s.kwargs)
    cot = cotangent(out, gen)
    outs = [t for t in leaves(out)]
    cots = leaves(cot)
    pairs = [(o, c) for o, c in zip([o for o in outs if o.dtype in (torch.float32, torch.float64)
                                     and o.requires_grad], cots)]
    wrt = [t for t in ins if t.requires_grad]
    grads = [None] * len(wrt)
    if pairs and wrt and op.supports_autograd:
        try:
            grads = torch.autograd.grad([p[0] for p in pairs], wrt, [p[1] for p in pairs], allow_unused=True)
        except Exception:  # PyTorch's backward fails: nothing to compare ("grads 0")
            grads = []
    return ("sample %s %d %s out %s cot %s grads %d%s end" % (
        DTYPES[dtype], i, text, value_text(out), value_text(cot), len(grads),
        "".join(" " + value_text(g) for g in grads))), None


def op_file(op):
    return os.path.join(OUT, op.name + ("." + op.variant_test_name if op.variant_test_name else "") + ".txt")


def seed_of(*parts):
    return zlib.crc32(" ".join(parts).encode())


def record(op):
    lines = ["# %s%s: PyTorch %s's OpInfo samples (tools/gen_opinfo.py)" % (
        op.name, "." + op.variant_test_name if op.variant_test_name else "", torch.__version__)]
    skipped = {}
    for dtype in (torch.float64, torch.float32):
        if dtype not in op.supported_dtypes("cpu"):
            continue
        torch.manual_seed(seed_of(op.name, op.variant_test_name, str(dtype)))
        random.seed(seed_of(op.name, op.variant_test_name, str(dtype)))
        gen = torch.Generator().manual_seed(seed_of("cot", op.name, op.variant_test_name, str(dtype)))
        n = 0
        try:
            samples = list(op.sample_inputs("cpu", dtype, requires_grad=op.supports_autograd))
        except Exception as e:  # PyTorch's own generator fails (here)
            samples = []
            skipped["sample_inputs fails: " + type(e).__name__] = 1
        for i, s in enumerate(samples):
            if n == MAX_SAMPLES:
                skipped["cap"] = skipped.get("cap", 0) + 1
                continue
            try:
                text, why = record_sample(op, dtype, i, s, gen)
            except Exception as e:  # a sample PyTorch itself refuses
                text, why = None, "pytorch error " + type(e).__name__
            if text is None:
                skipped[why] = skipped.get(why, 0) + 1
                continue
            lines.append(text)
            n += 1
    torch.manual_seed(seed_of("errors", op.name, op.variant_test_name))
    random.seed(seed_of("errors", op.name, op.variant_test_name))
    try:
        errs = op.error_inputs("cpu")
    except Exception:
        errs = []
    n = 0
    for i, e in enumerate(errs):
        s = e.sample_input
        why = ("cap" if n == MAX_ERRORS else "out= error input" if "out" in s.kwargs  # out= resizes its tensor
               else "large error input" if sum(t.numel() for t in leaves([s.input, list(s.args), s.kwargs])) > MAX_ELEMENTS
               else None)
        if why is None:
            text = sample_text(s)
            try:
                op(s.input, *s.args, **s.kwargs)
                why = "error input did not raise"
            except Exception as ex:
                kind, msg = type(ex).__name__, str(ex)
        if why:
            skipped[why] = skipped.get(why, 0) + 1
            continue
        lines.append("error %d %s raises %s %s end" % (i, text, kind, string(msg)))
        n += 1
    for why, n in sorted(skipped.items()):
        lines.append("skipped %d %s" % (n, string(why)))
    with open(op_file(op), "w") as f:
        f.write("\n".join(lines) + "\n")


def adapter_names():
    names = set()
    for path in glob.glob("tests/opinfo/*.c"):
        for m in re.finditer(r'OI_OP\("([^"]+)",\s*"([^"]*)"', open(path).read()):
            names.add((m.group(1), m.group(2)))
    return names


def main():
    os.makedirs(OUT, exist_ok=True)
    entries = counted_entries()
    blas = ctypes.CDLL("libopenblas.so.0")  # the one PyTorch loaded: products' bits are its kernels'
    blas.openblas_get_corename.restype = ctypes.c_char_p
    with open(os.path.join(OUT, "ops.txt"), "w") as f:
        f.write("# blas %s\n" % blas.openblas_get_corename().decode())
        f.write("# PyTorch %s OpInfo entries counted by tools/gen_opinfo.py (RULE there): %d names, %d entries\n"
                "# name variant supports_autograd supports_forward_ad ('-' for no variant)\n"
                % (torch.__version__, len({o.name for o in entries}), len(entries)))
        for o in entries:
            f.write("%s %s %d %d\n" % (o.name, o.variant_test_name or "-", int(o.supports_autograd),
                                        int(o.supports_forward_ad)))
    wanted = adapter_names()
    only = set(sys.argv[1:])
    for o in entries:
        key = (o.name, o.variant_test_name)
        if key in wanted and (not only or o.name in only or "%s.%s" % key in only):
            record(o)
            print("wrote", op_file(o))


if __name__ == "__main__":
    main()
