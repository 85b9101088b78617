"""Golden data for the indexing ops of src/ops/index_more.c: tests/data/index_more.txt.

Run from the repository root with /usr/bin/python3 (PyTorch 1.13).

Inputs as in tools/gen_index.py:
  in <id> <storage tensor> <ndim> <sizes...> <strides...> <offset>
A case:
  <op> <nargs> <args...> <ninputs> <input ids...> ok <nout> (<kind> <node> <ndim> <strides...> <tensor>)...
  <op> <nargs> <args...> <ninputs> <input ids...> err <Kind>: <message>
An argument is a list of ints written with commas ("1,-2"), "_" for the empty list, or a Python
number "n:<repr>" (its kind shows: 2, 2.0, True). kind: 0 a new
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


class Num:
    def __init__(self, v):
        self.v = v


def arg_text(a):
    if isinstance(a, Num):
        return "n:" + repr(a.v)
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
        # as PyTorch prints it: <NotImplemented>, whose name() is torch::autograd::NotImplemented
        node = g.grad_fn.name().replace("torch::autograd::", "") if g is not None and g.grad_fn is not None else "-"
        parts += [str(kind), node, str(r.dim())] + [str(s) for s in r.stride()] + [tensor_text(r)]
    lines.append(head + " ok " + " ".join(parts))


def idx(values, layout=lambda b: b):
    return inp(torch.tensor(values, dtype=i64).flatten(), layout)


def selfs():
    out = [rnd(dtype, 3, 4) for dtype in (f32, f64, i64, b8)]
    out.append(inp(random_storage(f32, 12), lambda b: b.view(4, 3).t()))
    out.append(inp(random_storage(f32, 30), lambda b: b.view(5, 6)[1:4, ::2]))
    out.append(rnd(f32, 2, 3, 4))
    out.append(inp(random_storage(f64, 24), lambda b: b.view(2, 3, 4).permute(2, 0, 1)))
    out.append(rnd(f32, 5))
    out.append(inp(random_storage(f32, 4), lambda b: b[2]))
    out.append(rnd(f32, 0, 3))
    out.append(rnd(f32, 3, 0))
    return out


torch.manual_seed(0)
for t in selfs():
    nd = t.dim()
    for d in range(-max(nd, 1) - 1, max(nd, 1) + 1):
        in_range = -max(nd, 1) <= d < max(nd, 1)
        wd = d % max(nd, 1) if in_range else 0
        size = t.shape[wd] if nd else 1
        shape = list(t.shape)
        def src_of(n, dtype=t.dtype, shape=shape, wd=wd):
            s = list(shape)
            if s:
                s[wd] = n
            return rnd(dtype, *s)
        indices = [idx([i % max(size, 1) for i in (2, 0, 1, 0, 2)]), idx([size - 1 if size else 0]),
                   idx([], lambda b: b), idx([size - 1 if size else 0], lambda b: b[0]), idx([0, size]), idx([0, -1]),
                   idx([-size if size else 0]), idx([[0, 0]], lambda b: b.view(1, 2)), inp(torch.tensor([0.0])),
                   idx([0, 9, size - 1 if size else 0, 9, 0], lambda b: b[::2])]
        for index in indices if in_range else indices[:1]:
            n = index.numel()
            src = src_of(n)
            case("index_add", [d, Num(1)], [t, index, src], lambda t, i, s, d=d: t.index_add(d, i, s))
            case("index_copy", [d], [t, index, src], lambda t, i, s, d=d: t.index_copy(d, i, s))
            for v in (2.5, -1, True, 1e39):
                case("index_fill", [d, Num(v)], [t, index], lambda t, i, d=d, v=v: t.index_fill(d, i, v))
        index = indices[0]
        n = index.numel()
        if in_range:
            for alpha in (2, 1.5, True, -3, 0.1):
                src = src_of(n)
                case("index_add", [d, Num(alpha)], [t, index, src], lambda t, i, s, d=d, a=alpha: t.index_add(d, i, s, alpha=a))
            for bad in (src_of(n + 1), src_of(n, f64 if t.dtype != f64 else f32), rnd(t.dtype), rnd(t.dtype, n),
                        rnd(t.dtype, n, 1, 1), (inp(random_storage(t.dtype, max(1, t.numel() // max(size, 1) * n)), lambda b, s=[n if k == wd else v for k, v in enumerate(shape)]: b.view(s)[..., :1])
                         if nd > 1 and t.numel() else rnd(t.dtype, 1, 1)),
                        inp(random_storage(t.dtype, 2 * max(n, 1) * 4), lambda b: b.view(-1, 4).t())):
                case("index_add", [d, Num(1)], [t, index, bad], lambda t, i, s, d=d: t.index_add(d, i, s))
                case("index_copy", [d], [t, index, bad], lambda t, i, s, d=d: t.index_copy(d, i, s))
            one = idx([size - 1 if size else 0])
            for value in (rnd(t.dtype), rnd(f64), rnd(f32, 1), inp(torch.tensor([3e39], dtype=f64), lambda b: b[0])):
                case("index_fill_tensor", [d], [t, one, value], lambda t, i, v, d=d: t.index_fill(d, i, v))
                case("index_copy", [d], [t, one, value], lambda t, i, v, d=d: t.index_copy(d, i, v))
                case("index_add", [d, Num(1)], [t, one, value], lambda t, i, v, d=d: t.index_add(d, i, v))
# collisions: float sums into one slot in index order
t = rnd(f32, 3, 2)
index = idx([1] * 40)
case("index_add", [0, Num(1)], [t, index, rnd(f32, 40, 2)], lambda t, i, s: t.index_add(0, i, s))
v = rnd(f32, 5)
index = idx([0, 4, 0, 4, 2] * 8)
case("index_add", [0, Num(1)], [v, index, rnd(f32, 40)], lambda t, i, s: t.index_add(0, i, s))
case("index_add", [0, Num(0.3)], [v, index, rnd(f32, 40)], lambda t, i, s: t.index_add(0, i, s, alpha=0.3))
case("index_copy", [0], [v, index, rnd(f32, 40)], lambda t, i, s: t.index_copy(0, i, s))

# take, put, take_along_dim, masked_select, masked_scatter
for t in selfs():
    n = t.numel()
    flat = [idx([0, n - 1, -1, -n, 0] if n else []), idx([[1 % max(n, 1), 0], [0, -1 % max(n, 1)]], lambda b: b.view(2, 2).t()),
            idx([], lambda b: b), idx([n]), idx([-n - 1]), idx([0], lambda b: b[0]), inp(torch.tensor([0.0]))]
    for index in flat:
        case("take", [], [t, index], lambda t, i: torch.take(t, i))
        for acc in (False, True):
            for src in (rnd(t.dtype, *index.shape), rnd(t.dtype, index.numel() + 1), rnd(f64 if t.dtype != f64 else f32, *index.shape)):
                case("put", [Num(acc)], [t, index, src], lambda t, i, s, a=acc: torch.put(t, i, s, accumulate=a))
    nd = t.dim()
    for d in list(range(-nd - 1, nd + 1)) + [None]:
        shape = list(t.shape)
        along = [idx([0] * max(1, t.numel()), lambda b, s=[1] * nd: b[:1].view(s)), rnd(i64, *shape) if n else idx([]),
                 idx([0, 1], lambda b: b.view([2] + [1] * (nd - 1)) if nd else b[:1]), inp(torch.zeros(2, 2)),
                 idx([0, 0, 0], lambda b: b.view(3) if nd != 1 else b.view(3, 1))]
        for index in along:
            if index.dtype == i64 and index.numel() and nd and d is not None and -nd <= d < nd and t.shape[d]:
                index = inp(index.remainder(t.shape[d]).contiguous())
            case("take_along_dim", [d if d is not None else []], [t, index],
                 lambda t, i, d=d: torch.take_along_dim(t, i, d) if d is not None else torch.take_along_dim(t, i))
    for mask in (inp(torch.rand(t.shape) < 0.5), inp(torch.rand(t.shape[-1:] if nd else []) < 0.5), inp(torch.ones(1, 1, dtype=b8)),
                 inp(torch.rand([2] + shape) < 0.5), inp(torch.rand(7) < 0.5), inp(torch.zeros(t.shape, dtype=i64)),
                 inp(torch.rand(n) < 0.5, lambda b, s=shape: b.view(s[::-1]).t() if len(s) == 2 else b.view(s))):
        case("masked_select", [], [t, mask], lambda t, m: torch.masked_select(t, m))
        try:
            need = int(torch.broadcast_tensors(t, mask)[1].count_nonzero())
        except RuntimeError:
            need = 1
        # 1.13 reads another mask dtype's bytes as bools; cgrad refuses it as PyTorch 2 (test_index_more.c)
        for src in (rnd(t.dtype, need), rnd(t.dtype, 2, need + 3), rnd(t.dtype, max(need - 1, 0)),
                    rnd(f64 if t.dtype != f64 else f32, need)) if mask.dtype == b8 else ():
            case("masked_scatter", [], [t, mask, src], lambda t, m, s: torch.masked_scatter(t, m, s))
# put's accumulation into one place, in index order
v = rnd(f32, 5)
index = idx([0, 4, 0, 4, 2] * 8)
case("put", [Num(True)], [v, index, rnd(f32, 40)], lambda t, i, s: torch.put(t, i, s, accumulate=True))
case("put", [Num(False)], [v, index, rnd(f32, 40)], lambda t, i, s: torch.put(t, i, s))
# advanced indexing: aten.index and aten.index_put with lists of int64 / bool indices and whole dims
# (the pattern argument: 1 a tensor, 0 None)
def adv_case(op, t, entries, values=None, acc=None):
    pattern = [0 if e is None else 1 for e in entries]
    tensors = [e for e in entries if e is not None]
    if op == "index":
        case("index", [pattern], [t] + tensors,
             lambda t, *ix, p=pattern: torch.ops.aten.index(t, rebuild(p, ix)))
    else:
        case("index_put", [pattern, Num(acc)], [t] + tensors + [values],
             lambda t, *rest, p=pattern, a=acc: torch.ops.aten.index_put(t, rebuild(p, rest[:-1]), rest[-1], a))


def rebuild(pattern, tensors):
    it = iter(tensors)
    return [next(it) if p else None for p in pattern]


def result_shape(t, entries):
    try:
        return list(torch.ops.aten.index(t.detach(), entries).shape)
    except Exception:
        return [3]


for t in selfs():
    nd, shape = t.dim(), list(t.shape)
    size0 = shape[0] if nd else 1
    lists = [[idx([0, size0 - 1, -1 % max(size0, 1)] if size0 else [])], [idx([[1 % max(size0, 1)], [0]], lambda b: b.view(2, 1))],
             [idx([size0])], [idx([-size0 - 1])], [inp(torch.tensor([0.0]))], [idx([0], lambda b: b[0])],
             [inp(torch.rand(shape) < 0.5)], [inp(torch.rand(shape[:1]) < 0.5)], [inp(torch.rand(shape[:1] + [1]) < 0.5)],
             [inp(torch.rand([size0 + 1]) < 0.5)], [], [None], [None] * (nd + 1)]
    if nd >= 2:
        s1 = shape[1]
        lists += [[None, idx([s1 - 1, 0, 0] if s1 else [])], [idx([0, -1] if size0 else []), idx([1 % max(s1, 1), 0] if s1 else [])],
                  [idx([[0], [size0 - 1]] if size0 else [], lambda b: b.view(-1, 1)), idx([0, s1 - 1, 0] if s1 else [])],
                  [idx([0, 1]), idx([0, 1, 0])], [None, inp(torch.rand(shape[1:]) < 0.5)],
                  [inp(torch.rand(shape[:nd - 1]) < 0.5), None], [None, idx([s1], lambda b: b)],
                  [None, idx([0, 9, s1 - 1, 9, 0], lambda b: b[::2]) if s1 else idx([])]]
    if nd >= 3:
        lists += [[idx([1, 0]), None, idx([3, 0])], [None, idx([[1], [0]]), idx([3, 0, 1])],
                  [idx([0, 1]), None, inp(torch.rand(shape[2:]) < 0.5)], [None, None, idx([-1, 2])]]
    for entries in lists:
        adv_case("index", t, entries)
        if not any(e is not None for e in entries):
            continue  # aten.index_put without index tensors fails inside PyTorch (Python's x[:] = v is a copy)
        rs = result_shape(t, entries)
        vals = [rnd(t.dtype, *rs), rnd(t.dtype, *rs[1:]), rnd(t.dtype), rnd(t.dtype, 1), rnd(t.dtype, 2, *rs),
                rnd(f64 if t.dtype != f64 else f32, *rs), rnd(f64 if t.dtype != f64 else f32)]
        for acc in (False, True):
            for v in vals:
                adv_case("index_put", t, entries, v, acc)
# accumulation into repeated places, in index order
v = rnd(f32, 5)
adv_case("index_put", v, [idx([0, 4, 0, 4, 2] * 8)], rnd(f32, 40), True)
adv_case("index_put", v, [idx([0, 4, 0, 4, 2] * 8)], rnd(f32, 40), False)
m = rnd(f32, 3, 4)
adv_case("index_put", m, [None, idx([1, 1, 1, 3] * 5)], rnd(f32, 3, 20), True)
# scatter with a number, scatter(reduce=), scatter_reduce (every reduction, with and without self)
REDUCES = ["sum", "prod", "mean", "amax", "amin"]
for t in selfs():
    nd, shape = t.dim(), list(t.shape)
    for d in range(-max(nd, 1) - 1, max(nd, 1) + 1):
        in_range = -max(nd, 1) <= d < max(nd, 1)
        wd = d % max(nd, 1) if in_range else 0
        size = shape[wd] if nd else 1
        ishape = [min(s, 2) if k != wd else 3 for k, s in enumerate(shape)]
        good = inp(torch.randint(0, max(size, 1), ishape) if size else torch.zeros(ishape, dtype=i64)) if nd else idx([0], lambda b: b[0])
        srcs = [rnd(t.dtype, *[s + 1 for s in ishape]), rnd(t.dtype, *ishape)]
        if t.dtype == f64:  # zeros and ties for prod's and amax's gradients
            srcs.append(inp(torch.tensor([0.0, 1.0, 0.0, 2.0] * 6, dtype=f64)[:max(1, good.numel())], lambda b, s=ishape: b.view(s)))
        bad = [idx([size], lambda b, nd=nd: b.view([1] * nd) if nd else b[0]), inp(torch.zeros(ishape)), rnd(i64, 2, 2, 2, 2),
               rnd(f64 if t.dtype != f64 else f32, *ishape)]
        for index in [good] + bad[:3]:
            for v in (2.5, -1, True) if index is good else (2.5,):
                case("scatter_value", [d, Num(v)], [t, index], lambda t, i, d=d, v=v: torch.scatter(t, d, i, v))
            for src in srcs + bad[3:] if index is good and in_range else srcs[:1]:
                full = index is good and src is not bad[3]  # the errors once, the values for every reduction
                for code, r in enumerate(REDUCES if full else REDUCES[:1]):
                    for inc in (True, False) if full else (True,):
                        case("scatter_reduce", [d, Num(code), Num(inc)], [t, index, src],
                             lambda t, i, s, d=d, r=r, inc=inc: torch.scatter_reduce(t, d, i, s, r, include_self=inc))
                for code, r in ((0, "add"), (1, "multiply")):
                    case("scatter_with_reduce", [d, Num(code)], [t, index, src],
                         lambda t, i, s, d=d, r=r: torch.scatter(t, d, i, s, reduce=r))
            if not in_range:
                break
# index_reduce: every reduction with and without self on good indices, the errors once
for t in selfs():
    nd, shape = t.dim(), list(t.shape)
    for d in range(-max(nd, 1) - 1, max(nd, 1) + 1):
        in_range = -max(nd, 1) <= d < max(nd, 1)
        wd = d % max(nd, 1) if in_range else 0
        size = shape[wd] if nd else 1
        def src_of(n, dtype=t.dtype, shape=shape, wd=wd):
            s = list(shape)
            if s:
                s[wd] = n
            return rnd(dtype, *s)
        good = idx([i % max(size, 1) for i in (2, 0, 1, 0, 2)])
        cases = [(good, src_of(5)), (idx([size - 1 if size else 0]), src_of(1))]
        if t.dtype == f64 and t.numel():  # zeros and ties for prod's and amax's gradients
            cases.append((good, inp(torch.zeros(5 * t.numel() // max(size, 1), dtype=f64), lambda b, s=shape, wd=wd, n=5:
                                    b.view([n if k == wd else v for k, v in enumerate(s)]))))
        bad = [(idx([0, size]), src_of(2)), (idx([0, -1]), src_of(2)), (inp(torch.tensor([0.0])), src_of(1)),
               (good, src_of(4)), (good, src_of(5, f64 if t.dtype != f64 else f32)), (idx([[0, 0]], lambda b: b.view(1, 2)), src_of(2))]
        for k, (index, src) in enumerate(cases + bad if in_range else cases[:1]):
            full = k < len(cases) and in_range
            for code, r in enumerate(REDUCES):
                for inc in (True, False):
                    if full or (code == 1 and inc) or (k == len(cases) + 1 and code == 1):
                        case("index_reduce", [d, Num(code), Num(inc)], [t, index, src],
                             lambda t, i, s, d=d, r=r, inc=inc: t.index_reduce(d, i, s, r, include_self=inc))

with open("tests/data/index_more.txt", "w") as f:
    f.write("# Generated by tools/gen_index_more.py with PyTorch %s; do not edit.\n" % torch.__version__)
    f.write("\n".join(lines) + "\n")
print(len(lines), "lines")
