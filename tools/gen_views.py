"""Golden data for views, shape ops, cat and stack: tests/data/views.txt.

Run from the repository root with /usr/bin/python3 (PyTorch 1.13).

Inputs are defined once and then referred to by number:
  in <id> <storage tensor> <ndim> <sizes...> <strides...> <offset>
      input <id> is the strided view of a 1-D storage, so inputs can be transposed, sliced,
      expanded or 0-dim
A case:
  <op> <nargs> <args...> <ninputs> <input ids...> <result>
  result = ok <npieces> (<same> <shares> <ndim> <sizes...> <strides...> <offset> [<values tensor>])...
           same: the result is the input object itself; shares: it is a view of input 0's storage
           (the values are written only for results that are not views)
         | err <message>        (the rest of the line, without Python's exception prefix)
"""
import itertools
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
from golden import tensor_text  # noqa: E402

torch.manual_seed(0)


def storage_for(dtype, n):
    if dtype == torch.bool:
        return torch.rand(n) < 0.5
    if dtype == torch.int64:
        return torch.randint(-50, 50, (n,))
    return torch.randn(n, dtype=torch.float64).mul(100).round().div(8).to(dtype)


lines = []
input_ids = {}
keep_alive = []  # ids of live objects are unique: keep every input alive


def make_input(dtype, n, layout):
    """layout(base) -> a view of the 1-D base of n elements; defines it in the file."""
    base = storage_for(dtype, n)
    t = layout(base)
    assert t.storage().data_ptr() == base.storage().data_ptr()
    keep_alive.append(t)
    input_ids[id(t)] = len(input_ids)
    lines.append("in %d %s" % (input_ids[id(t)], describe(base, t)))
    return base, t


# name -> (storage size, function of the 1-D base)
LAYOUTS = {
    "contig": (24, lambda b: b.view(2, 3, 4)),
    "vector": (6, lambda b: b),
    "transposed": (12, lambda b: b.view(3, 4).t()),
    "permuted3": (24, lambda b: b.view(2, 3, 4).permute(2, 0, 1)),
    "sliced": (30, lambda b: b.view(5, 6)[1:4, ::2]),
    "offset_vec": (10, lambda b: b[3:9:2]),
    "expanded": (3, lambda b: b.view(3, 1).expand(3, 4)),
    "expanded_lead": (3, lambda b: b.expand(2, 3)),
    "ones": (6, lambda b: b.view(1, 3, 1, 2)),
    "ones_t": (6, lambda b: b.view(1, 3, 1, 2).transpose(1, 3)),
    "scalar": (5, lambda b: b[2]),
    "one_elem": (4, lambda b: b[1:2]),
    "empty": (0, lambda b: b),
    "empty2": (0, lambda b: b.view(2, 0, 3)),
    "empty_t": (0, lambda b: b.view(0, 3).t()),
}


def describe(base, t):
    return " ".join([tensor_text(base), str(t.dim())] + [str(s) for s in t.shape] +
                    [str(s) for s in t.stride()] + [str(t.storage_offset())])


def piece_text(r, first):
    same = int(r is first)
    root = first._base if first._base is not None else first
    shares = int(r is first or r._base is root)
    parts = [str(same), str(shares), str(r.dim())] + [str(s) for s in r.shape] + [str(s) for s in r.stride()]
    parts.append(str(r.storage_offset()))
    if not shares:
        parts.append(tensor_text(r))
    return " ".join(parts)


def case(op, args, inputs, fn):
    """inputs: list of (base, tensor)."""
    head = " ".join([op, str(len(args))] + [str(a) for a in args] + [str(len(inputs))] +
                    [str(input_ids[id(t)]) for _, t in inputs])
    try:
        r = fn(*[t for _, t in inputs])
    except Exception as e:  # PyTorch's RuntimeError / IndexError text
        msg = f"{type(e).__name__}: " + str(e).split("\n")[0]
        lines.append(head + " err " + msg)
        return
    pieces = list(r) if isinstance(r, (tuple, list)) else [r]
    first = inputs[0][1]
    lines.append(head + " ok " + str(len(pieces)) + " " + " ".join(piece_text(p, first) for p in pieces))


def sl(t, d, start, end, step):
    return torch.ops.aten.slice(t, d, start, end, step)


VIEW_OPS = {
    "view": lambda args: lambda t: t.view(args),
    "reshape": lambda args: lambda t: t.reshape(args),
    "expand": lambda args: lambda t: t.expand(args),
    "permute": lambda args: lambda t: t.permute(args),
    "flatten": lambda args: lambda t: t.flatten(*args),
    "squeeze": lambda args: lambda t: t.squeeze(),
    "squeeze_dim": lambda args: lambda t: t.squeeze(*args),
    "unsqueeze": lambda args: lambda t: t.unsqueeze(*args),
    "transpose": lambda args: lambda t: t.transpose(*args),
    "t": lambda args: lambda t: t.t(),
    "mT": lambda args: lambda t: t.mT,
    "mH": lambda args: lambda t: t.mH,
    "T": lambda args: lambda t: t.T,
    "H": lambda args: lambda t: t.H,
    "select": lambda args: lambda t: t.select(*args),
    "slice": lambda args: lambda t: sl(t, *args),
    "narrow": lambda args: lambda t: t.narrow(*args),
    "unbind": lambda args: lambda t: t.unbind(*args),
    "split": lambda args: lambda t: t.split(*args),
    "chunk": lambda args: lambda t: t.chunk(*args),
}


def view_case(op, args, base, t):
    case(op, list(args), [(base, t)], VIEW_OPS[op](list(args) if op in ("view", "reshape", "expand", "permute") else args))


def shapes_for(shape):
    """Candidate target shapes for view/reshape, valid and invalid."""
    n = 1
    for s in shape:
        n *= s
    out = [(-1,), (n,), (1, -1), (-1, 1), tuple(shape), tuple(reversed(shape)), (n, 1, 1), (1, n)]
    if len(shape) >= 2:
        out.append((shape[0] * shape[1],) + tuple(shape[2:]))
        out.append(tuple(shape[:-2]) + (shape[-2] * shape[-1],))
        out.append(tuple(shape[:-1]) + (1, shape[-1]))
    if n and n % 2 == 0:
        out += [(2, -1), (-1, 2), (2, n // 2)]
    if n and n % 4 == 0:
        out += [(2, 2, -1), (2, -1, 2)]
    out += [(n + 1,), (-1, -1), (0, -1), (-1, 0), (-2, n), (5, 7)]
    return list(dict.fromkeys(out))


def expands_for(shape):
    nd = len(shape)
    out = [tuple(shape), (2,) + tuple(shape), (1,) + tuple(shape), (-1,) * nd, (2, 1) + tuple(shape),
           (-1,) + tuple(shape), tuple(shape[1:]) if nd else (), (3,) * nd]
    grown = [4 if s == 1 else s for s in shape]
    out += [tuple(grown), (2,) + tuple(grown), tuple(0 if s == 1 else s for s in shape)]
    out += [tuple(s + 1 for s in shape), (2,) + tuple(-1 for _ in shape)]
    return list(dict.fromkeys(out))


def gen_views():
    for lname, (n, layout) in LAYOUTS.items():
        dtypes = [torch.float32]
        if lname in ("contig", "transposed", "sliced", "expanded", "scalar", "empty2"):
            dtypes = [torch.float32, torch.float64, torch.int64, torch.bool]
        for dtype in dtypes:
            base, t = make_input(dtype, n, layout)
            nd, shape = t.dim(), list(t.shape)
            full = dtype == torch.float32
            for s in shapes_for(shape) if full else shapes_for(shape)[:6]:
                view_case("view", s, base, t)
                view_case("reshape", s, base, t)
            for s in expands_for(shape) if full else expands_for(shape)[:4]:
                view_case("expand", s, base, t)
            perms = list(itertools.permutations(range(nd))) if nd <= 3 else [(3, 1, 2, 0), (0, 1, 2, 3)]
            for p in perms if full else perms[-1:]:
                view_case("permute", p, base, t)
            if full:
                view_case("permute", [d - nd for d in range(nd)], base, t)
                view_case("permute", list(range(nd + 1)), base, t)
                if nd >= 2:
                    view_case("permute", [0] * nd, base, t)
                    view_case("permute", list(range(nd - 1)) + [nd], base, t)
            lo, hi = -max(nd, 1) - 1, max(nd, 1)
            for a in range(lo, hi + 1) if full else [0]:
                for b in range(lo, hi + 1) if full else [-1]:
                    view_case("flatten", (a, b), base, t)
            view_case("squeeze", (), base, t)
            for d in range(lo, hi + 1) if full else [0]:
                view_case("squeeze_dim", (d,), base, t)
            for d in range(lo - 1, hi + 2) if full else [0, -1]:
                view_case("unsqueeze", (d,), base, t)
            for a in range(lo, hi + 1) if full else [0]:
                for b in range(lo, hi + 1) if full else [-1]:
                    view_case("transpose", (a, b), base, t)
            view_case("t", (), base, t)
            for op in ("mT", "mH", "T", "H"):
                view_case(op, (), base, t)
            # Dims 0 and -1 fully; an out-of-range dim once for each error.
            view_case("select", (hi, 0), base, t)
            view_case("slice", (hi, 0, 1, 1), base, t)
            view_case("narrow", (hi, 0, 1), base, t)
            view_case("unbind", (hi,), base, t)
            view_case("split", (1, hi), base, t)
            view_case("chunk", (1, hi), base, t)
            if nd == 0:  # every case is the 0-dim error
                full = False
            for d in ([0, -1] if nd >= 2 else [-1] if nd else [0]) if full else [0]:
                size = shape[d] if nd else 1
                for i in sorted({-size - 1, -size, -1, 0, 1, size - 1, size}) if full else [-1]:
                    view_case("select", (d, i), base, t)
                bounds = sorted({-size - 5, -2, 1, size, 2**63 - 1})
                for start in bounds if full else [1]:
                    for end in bounds if full else [2**63 - 1]:
                        for step in (1, 3) if full else (2,):
                            view_case("slice", (d, start, end, step), base, t)
                for start in sorted({-size - 1, -1, 0, 1, size, size + 1}) if full else [0]:
                    for length in sorted({-1, 0, 2, size, 2**63 - 1}) if full else [1]:
                        view_case("narrow", (d, start, length), base, t)
                view_case("unbind", (d,), base, t)
                for split in (-1, 0, 1, 2, size, size + 1) if full else (2,):
                    view_case("split", (split, d), base, t)
                for chunks in (-1, 0, 1, 2, 3, 5) if full else (2,):
                    view_case("chunk", (chunks, d), base, t)


def plain(dtype, *shape):
    n = 1
    for s in shape:
        n *= s
    return make_input(dtype, n, lambda b: b.view(*shape))


def strided(dtype, n, layout):
    return make_input(dtype, n, layout)


def gen_join():
    f32, f64, i64, b8 = torch.float32, torch.float64, torch.int64, torch.bool
    scalar = strided(f32, 3, lambda b: b[1])
    empty = plain(f32, 0)
    cat_lists = [
        ([plain(f32, 2, 3), plain(f32, 2, 2)], [1, -1, 0, 2, -3]),
        ([plain(f32, 2, 3), plain(f32, 4, 3), plain(f32, 1, 3)], [0, -2, 1]),
        ([plain(f32, 2, 3), plain(f32, 2, 2), plain(f32, 3, 3)], [1, 0]),
        ([plain(f32, 2, 3)], [0, 1, 2]),
        ([strided(f32, 6, lambda b: b.view(2, 3).t()), strided(f32, 12, lambda b: b.view(3, 4)[:, 1:3])], [1, 0]),
        ([strided(f32, 3, lambda b: b.view(3, 1).expand(3, 2)), plain(f32, 3, 2)], [0, 1]),
        ([plain(f32, 2, 3), empty], [0, 1, 5]),
        ([empty, plain(f32, 2, 3), empty], [0, 1, 2]),
        ([empty, empty], [0, 1, 5]),
        ([empty], [0, 3]),
        ([plain(f32, 0, 3), plain(f32, 2, 3)], [0, 1]),
        ([plain(f32, 0, 3), plain(f32, 0, 2)], [1, 0]),
        ([plain(f32, 0, 3), plain(f32, 2, 0)], [0, 1]),
        ([plain(f32, 2, 0), empty, plain(f32, 2, 1)], [1]),
        ([empty, plain(f32, 2, 1), plain(f32, 3)], [1]),
        ([scalar, scalar], [0]),
        ([plain(f32, 3), scalar], [0]),
        ([plain(f32, 2, 3), plain(f32, 3, 3, 3), scalar], [0]),
        ([plain(f32, 2, 3), plain(f32, 3)], [0]),
        ([plain(f32, 3), plain(f32, 2, 3)], [0]),
        ([plain(f32, 3, 3, 3), plain(f32, 2, 3)], [0]),
        ([plain(b8, 2), plain(i64, 3)], [0]),
        ([plain(b8, 2), plain(f64, 1), plain(f32, 2)], [0]),
        ([plain(i64, 2, 2), plain(f32, 2, 1)], [1]),
        ([plain(i64, 0), plain(f32, 2)], [0]),
        ([plain(i64, 0), plain(b8, 0)], [0]),
        ([plain(f32, 2, 3), plain(f64, 0)], [0]),
        ([plain(b8, 3, 1), plain(b8, 3, 2)], [1]),
        ([plain(f32, 2, 1, 3), plain(f32, 2, 4, 3), plain(f32, 2, 2, 3)], [1, -2, 0, 2]),
    ]
    for tensors, dims in cat_lists:
        for d in dims:
            case("cat", [d], tensors, lambda *ts, d=d: torch.cat(ts, d))
    stack_lists = [
        ([plain(f32, 6), plain(f32, 6)], [0, 1, -1, 2, -3]),
        ([plain(f32, 2, 3), strided(f32, 6, lambda b: b.view(3, 2).t()), plain(f32, 2, 3)], [0, 1, 2, -1, 3]),
        ([scalar, scalar], [0, -1, 1]),
        ([plain(f32, 2), plain(f32, 3)], [0]),
        ([plain(f32, 2), plain(f32, 2), plain(f32, 2, 1)], [0, 5]),
        ([plain(f32, 2), plain(i64, 2)], [0]),
        ([plain(b8, 2), plain(f64, 2)], [1]),
        ([empty, empty], [0, 1]),
        ([empty, plain(f32, 0, 3)], [0]),
        ([strided(f32, 3, lambda b: b.view(3, 1).expand(3, 2))], [0, 1, 2]),
    ]
    for tensors, dims in stack_lists:
        for d in dims:
            case("stack", [d], tensors, lambda *ts, d=d: torch.stack(ts, d))


gen_views()
gen_join()
with open("tests/data/views.txt", "w") as f:
    f.write("# Generated by tools/gen_views.py with PyTorch %s; do not edit.\n" % torch.__version__)
    f.write("\n".join(lines) + "\n")
print(len(lines), "cases")
