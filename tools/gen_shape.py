"""Golden data for the shape ops of src/ops/shape.c: tests/data/shape.txt.

Run from the repository root with /usr/bin/python3 (PyTorch 1.13).

Inputs as in tools/gen_index.py:
  in <id> <storage tensor> <ndim> <sizes...> <strides...> <offset>
A case:
  <op> <nargs> <args...> <ninputs> <input ids...> ok <nout> (<kind> <node> <ndim> <strides...> <tensor>)...
  <op> <nargs> <args...> <ninputs> <input ids...> err <Kind>: <message>
An argument is a list of ints written with commas ("1,-2"), "_" for the empty list. kind: 0 a new
tensor, 1 a view of the first input, 2 the first input itself. node: the result's grad_fn name when
the floating inputs require grad ("-" for none).
"""
import os
import sys
import warnings

import torch

sys.path.insert(0, os.path.dirname(__file__))
from golden import tensor_text  # noqa: E402

warnings.simplefilter("ignore")
torch.manual_seed(0)
f32, f64, i64, b8 = torch.float32, torch.float64, torch.int64, torch.bool

lines = []
input_ids = {}
keep_alive = []


def describe(base, t):
    return " ".join([tensor_text(base), str(t.dim())] + [str(s) for s in t.shape] +
                    [str(s) for s in t.stride()] + [str(t.storage_offset())])


def random_storage(dtype, n):
    if dtype == b8:
        return torch.rand(n) < 0.5
    if dtype == i64:
        return torch.randint(-50, 50, (n,))
    return torch.randn(n, dtype=f64).to(dtype)


def inp(storage, layout=lambda b: b):
    t = layout(storage)
    keep_alive.append(t)
    input_ids[id(t)] = len(input_ids)
    lines.append("in %d %s" % (input_ids[id(t)], describe(storage, t)))
    return t


def rnd(dtype, *shape):
    n = 1
    for s in shape:
        n *= s
    return inp(random_storage(dtype, n), lambda b: b.view(list(shape)))


def arg_text(a):
    if isinstance(a, (list, tuple)):
        return ",".join(str(int(v)) for v in a) if len(a) else "_"
    return str(int(a))


def as_list(r):
    return list(r) if isinstance(r, (list, tuple)) else [r]


def case(op, args, inputs, fn):
    head = " ".join([op, str(len(args))] + [arg_text(a) for a in args] + [str(len(inputs))] +
                    [str(input_ids[id(t)]) for t in inputs])
    try:
        rs = as_list(fn(*inputs))
    except Exception as e:
        lines.append(head + f" err {type(e).__name__}: " + str(e).split("\n")[0])
        return
    grad_inputs = [t.detach().clone().requires_grad_() if t.is_floating_point() else t for t in inputs]
    try:
        grs = as_list(fn(*grad_inputs))
    except Exception:
        grs = [None] * len(rs)
    parts = [str(len(rs))]
    for r, g in zip(rs, grs):
        kind = 2 if r is inputs[0] else 1 if r._base is not None and r.storage().data_ptr() == inputs[0].storage().data_ptr() else 0
        node = g.grad_fn.name() if g is not None and g.grad_fn is not None else "-"
        parts += [str(kind), node, str(r.dim())] + [str(s) for s in r.stride()] + [tensor_text(r)]
    lines.append(head + " ok " + " ".join(parts))


def layouts():
    """Inputs of every dtype and layout."""
    out = [rnd(dtype, 3, 4) for dtype in (f32, f64, i64, b8)]
    out.append(inp(random_storage(f32, 12), lambda b: b.view(4, 3).t()))
    out.append(inp(random_storage(f32, 30), lambda b: b.view(5, 6)[1:4, ::2]))
    out.append(inp(random_storage(f32, 3), lambda b: b.view(3, 1).expand(3, 4)))
    out.append(rnd(f32, 2, 3, 4))
    out.append(inp(random_storage(f64, 24), lambda b: b.view(2, 3, 4).permute(2, 0, 1)))
    out.append(rnd(f32, 5))
    out.append(inp(random_storage(i64, 4), lambda b: b[2]))
    out.append(rnd(f32, 0, 3))
    out.append(rnd(f32, 2, 0, 3))
    out.append(rnd(f32, 0))
    out.append(rnd(f32, 1, 3, 1, 2))
    return out


ts = layouts()
for t in ts:
    nd = t.dim()
    dims_lists = [[], [0], [-1], [0, -1], [1, 0], [0, 0], [nd]] + ([[0, 1, 2]] if nd >= 3 else [])
    for dims in dims_lists:
        case("flip", [dims], [t], lambda t, d=dims: t.flip(d))
    case("fliplr", [], [t], lambda t: t.fliplr())
    case("flipud", [], [t], lambda t: t.flipud())
    for shifts, dims in (([1], [0]), ([-5], [-1]), ([2], []), ([7], []), ([1, 2], [0, 1]), ([1, -1, 2], [0, 1, -1]),
                         ([1, 2], []), ([1], [0, 1]), ([], []), ([1], [nd]), ([3, 3], [0, 0])):
        case("roll", [shifts, dims], [t], lambda t, s=shifts, d=dims: t.roll(s, d))
    for k, dims in ((1, [0, 1]), (2, [0, 1]), (3, [0, 1]), (0, [0, 1]), (-1, [0, 1]), (5, [1, 0]), (1, [-1, 0]),
                    (1, [0, 0]), (1, [0, -2]), (1, [0, 3]), (1, [3, 0]), (1, [0, 2]), (2, [-3, 1])):
        case("rot90", [k, dims[0], dims[1]], [t], lambda t, k=k, d=dims: t.rot90(k, d))
    for reps in ([1] * nd, [2] * nd, [2, 1, 3][:nd] + [1] * (nd - 3) if nd > 3 else [2, 1, 3][:nd], [3] + [2] * nd,
                 [2, 2] + [1] * nd, [0] + [1] * nd, [2], [], [-1] + [1] * nd, [1, 1, 1, 1, 2, 3][:max(nd, 1)]):
        case("repeat", [reps], [t], lambda t, r=reps: t.repeat(r))
    for reps in ([2], [2, 3], [], [1, 2, 1, 2], [0], [-2]):
        case("tile", [reps], [t], lambda t, r=reps: t.tile(r))
    for k in (0, 1, -1, 2, -3, 10, -10):
        case("tril", [k], [t], lambda t, k=k: t.tril(k))
        case("triu", [k], [t], lambda t, k=k: t.triu(k))
    for off, d1, d2 in ((0, 0, 1), (1, 0, 1), (-1, 0, 1), (2, 1, 0), (-5, 0, 1), (0, -1, 0), (0, 0, 0), (1, 0, 2), (0, 2, 1), (0, 0, nd)):
        case("diagonal", [off, d1, d2], [t], lambda t, o=off, a=d1, b=d2: t.diagonal(o, a, b))
        case("diag_embed", [off, d1, d2], [t], lambda t, o=off, a=d1, b=d2: t.diag_embed(o, a, b))
    for k in (0, 1, -1, 2, -3, 4, -4, 5):
        case("diag", [k], [t], lambda t, k=k: t.diag(k))
        case("diagflat", [k], [t], lambda t, k=k: t.diagflat(k))
    for src, dst in (([0], [1]), ([0], [-1]), ([-1], [0]), ([0, 1], [1, 0]), ([0, 1], [2, 0]), ([0], [0]), ([0, 0], [1, 2]),
                     ([0, 1], [2, 2]), ([0, 1], [1]), ([5], [0]), ([0], [5]), ([], [])):
        case("movedim", [src, dst], [t], lambda t, s=src, d=dst: t.movedim(s, d))
    for dim, sizes in ((0, [1, -1]), (-1, [2, -1]), (1, [2, 2]), (0, [3, 1]), (1, [3, 2]), (1, [-1, 3]), (0, [0, -1]),
                       (0, []), (2, [1, 1]), (0, [1, 1, 1, 1, 1, 1, 1, 1])):
        if nd - 1 + len(sizes) <= 8:  # cgrad has at most 8 dims
            case("unflatten", [dim, sizes], [t], lambda t, d=dim, s=sizes: t.unflatten(d, s))
    case("ravel", [], [t], lambda t: t.ravel())
    case("atleast_1d", [], [t], lambda t: torch.atleast_1d(t))
    case("atleast_2d", [], [t], lambda t: torch.atleast_2d(t))
    case("atleast_3d", [], [t], lambda t: torch.atleast_3d(t))
    for sections in (1, 2, 3, 5, 0, -1):
        for dim in (0, -1, 1, nd):
            case("tensor_split", [sections, dim], [t], lambda t, s=sections, d=dim: torch.tensor_split(t, s, d))
    for idxs in ([1], [1, 2], [3, 1, 6], [-1], [], [0, 0, 10]):
        for dim in (0, -1):
            case("tensor_split_idx", [idxs, dim], [t], lambda t, s=idxs, d=dim: torch.tensor_split(t, s, d))
    for name in ("hsplit", "vsplit", "dsplit"):
        for sections in (1, 2, 3, 0):
            case(name, [sections], [t], lambda t, s=sections, f=getattr(torch, name): f(t, s))
        for idxs in ([1], [1, 3], []):
            case(name + "_idx", [idxs], [t], lambda t, s=idxs, f=getattr(torch, name): f(t, s))
    for chunks in (1, 2, 3, 4, 0):
        for dim in (0, -1):
            case("chunk", [chunks, dim], [t], lambda t, c=chunks, d=dim: t.chunk(c, d))
    for shape in ([2] + list(t.shape), list(t.shape), [3, 4], [4], [-1, 4], [2, -1] + list(t.shape[1:]), []):
        case("broadcast_to", [shape], [t], lambda t, s=shape: t.broadcast_to(s))

# several inputs
a, b, c = rnd(f32, 3, 4), rnd(f32, 3, 4), rnd(f64, 3, 2)
v, w, s = rnd(f32, 4), rnd(i64, 4), inp(random_storage(f32, 2), lambda b: b[1])
e, x3, y3 = rnd(f32, 0), rnd(f32, 2, 3, 4), rnd(f32, 2, 3, 1)
tt = inp(random_storage(f32, 12), lambda b: b.view(4, 3).t())
groups = [[a, b], [a, c], [a, tt], [v, w], [v, v, v], [s, s], [s, v], [a, v], [e, e], [e, a], [x3, y3], [x3, x3], [a],
          [s], [v], [x3], [c, a, tt], [b8_ := rnd(b8, 3, 4), a]]
for g in groups:
    for name in ("hstack", "vstack", "dstack", "column_stack"):
        case(name, [], g, lambda *ts, f=getattr(torch, name): f(list(ts)))
    case("broadcast_tensors", [], g, lambda *ts: torch.broadcast_tensors(*ts))
for x, y in ((a, b), (v, a), (a, v), (s, a), (a, tt), (tt, a), (x3, y3), (y3, x3), (e, a), (a, rnd(f32, 12)), (tt, rnd(f32, 12)),
             (rnd(f32, 6, 2), a), (rnd(f32, 1, 4), a), (rnd(f32, 3, 1), x3)):
    case("expand_as", [], [x, y], lambda x, y: x.expand_as(y))
    case("view_as", [], [x, y], lambda x, y: x.view_as(y))
    case("reshape_as", [], [x, y], lambda x, y: x.reshape_as(y))

with open("tests/data/shape.txt", "w") as f:
    f.write("# Generated by tools/gen_shape.py with PyTorch %s; do not edit.\n" % torch.__version__)
    f.write("\n".join(lines) + "\n")
print(len(lines), "lines")
