"""Golden data for index_select, gather, scatter_add and masked_fill: tests/data/index.txt.

Run from the repository root with /usr/bin/python3 (PyTorch 1.13).

Inputs are defined once and then referred to by number:
  in <id> <storage tensor> <ndim> <sizes...> <strides...> <offset>
      input <id> is the strided view of a 1-D storage (so inputs can be transposed, sliced,
      expanded or 0-dim)
A case:
  <op> <nargs> <args...> <ninputs> <input ids...> ok <ndim> <strides...> <result tensor>
  <op> <nargs> <args...> <ninputs> <input ids...> err <message>   (the rest of the line)
args: the dim; for masked_fill only the value, a Python number in its repr, which shows its kind
(2 an int, 2.0 a float, True a bool; nan and inf appear).
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
from golden import tensor_text  # noqa: E402

torch.manual_seed(0)
f32, f64, i64, b8 = torch.float32, torch.float64, torch.int64, torch.bool

lines = []
input_ids = {}
keep_alive = []  # ids of live objects are unique: keep every input alive


def describe(base, t):
    return " ".join([tensor_text(base), str(t.dim())] + [str(s) for s in t.shape] +
                    [str(s) for s in t.stride()] + [str(t.storage_offset())])


def random_storage(dtype, n):
    if dtype == b8:
        return torch.rand(n) < 0.5
    if dtype == i64:
        return torch.randint(-50, 50, (n,))
    return torch.randn(n, dtype=f64).to(dtype)  # full-precision values: sums show the order


def inp(storage, layout=lambda b: b):
    """An input: layout applied to a 1-D storage, defined in the file."""
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


def idx(values, layout=lambda b: b):
    return inp(torch.tensor(values, dtype=i64).flatten(), layout)


def case(op, args, inputs, fn):
    head = " ".join([op, str(len(args))] + [repr(a) for a in args] + [str(len(inputs))] +
                    [str(input_ids[id(t)]) for t in inputs])
    try:
        r = fn(*inputs)
    except Exception as e:
        lines.append(head + f" err {type(e).__name__}: " + str(e).split("\n")[0])
        return
    lines.append(head + " ok " + " ".join([str(r.dim())] + [str(s) for s in r.stride()]) + " " + tensor_text(r))


def selfs():
    """Inputs of every layout and dtype."""
    out = []
    for dtype in (f32, f64, i64, b8):
        out.append(rnd(dtype, 3, 4))
    out.append(inp(random_storage(f32, 12), lambda b: b.view(4, 3).t()))
    out.append(inp(random_storage(f32, 30), lambda b: b.view(5, 6)[1:4, ::2]))
    out.append(inp(random_storage(f32, 3), lambda b: b.view(3, 1).expand(3, 4)))
    out.append(rnd(f32, 2, 3, 4))
    out.append(inp(random_storage(f32, 24), lambda b: b.view(2, 3, 4).permute(2, 0, 1)))
    out.append(rnd(f32, 5))
    out.append(inp(random_storage(i64, 4), lambda b: b[2]))
    out.append(rnd(f32, 0, 3))
    out.append(rnd(f32, 3, 0))
    out.append(rnd(f32, 2, 0, 3))
    out.append(rnd(f32, 0))
    return out


def gen_index_select(ts):
    for t in ts:
        nd = t.dim()
        for d in range(-max(nd, 1) - 1, max(nd, 1) + 1):
            size = t.shape[d] if nd and -nd <= d < nd else 1
            candidates = [
                idx([i % max(size, 1) for i in (2, 0, 1, 0, 2)]),
                idx([], lambda b: b),
                idx([size - 1], lambda b: b[0]),           # 0-dim index
                idx([size]), idx([0, -1]),
                idx([[0, 0]], lambda b: b.view(1, 2)),     # 2-D index
                inp(torch.tensor([0.0])),                  # float index
                idx([0, 9, size - 1, 9, 0], lambda b: b[::2]),  # strided index
            ]
            in_range = -max(nd, 1) <= d < max(nd, 1)
            for index in candidates if in_range else candidates[:1]:
                if nd == 0 and index.numel() != 1:
                    continue  # PyTorch 1.13 writes past its 0-dim result here (PyTorch 2 refuses it)
                case("index_select", [d], [t, index], lambda t, i, d=d: t.index_select(d, i))


def gen_gather(ts):
    torch.manual_seed(1)
    for t in ts:
        nd = t.dim()
        for d in range(-max(nd, 1) - 1, max(nd, 1) + 1):
            shape = list(t.shape)
            size = shape[d] if nd and -nd <= d < nd else 1
            variants = []
            if nd:
                wd = d % nd if -nd <= d < nd else 0
                same = torch.randint(0, max(size, 1), shape or [1])
                variants.append(same)
                smaller = [max(s - 1, 0) if k != wd else s + 2 for k, s in enumerate(shape)]
                variants.append(torch.randint(0, max(size, 1), smaller))
                variants.append(torch.randint(0, max(size, 1), [s + 1 if k != wd else s for k, s in enumerate(shape)]))
                bad = torch.randint(0, max(size, 1), shape)
                if bad.numel():
                    bad.view(-1)[-1] = size
                variants.append(bad)
                neg = torch.zeros(shape, dtype=i64)
                if neg.numel():
                    neg.view(-1)[0] = -1
                variants.append(neg)
                variants.append(torch.zeros(shape + [1], dtype=i64))
                variants.append(torch.zeros(shape, dtype=f32))
                variants.append(torch.zeros([0] * nd, dtype=i64))
                variants.append(torch.zeros([0] * nd, dtype=f32))
            else:
                variants += [torch.tensor(0), torch.tensor([0, 0]), torch.tensor(1), torch.tensor([[0]])]
            in_range = -max(nd, 1) <= d < max(nd, 1)
            for v in variants if in_range else variants[:1]:
                index = inp(v.flatten().clone(), lambda b, s=list(v.shape): b.view(s))
                case("gather", [d], [t, index], lambda t, i, d=d: t.gather(d, i))
            if nd == 2:  # a transposed index
                v = torch.randint(0, max(size, 1), list(reversed(shape)))
                index = inp(v.flatten().clone(), lambda b, s=list(v.shape): b.view(s).t())
                case("gather", [d], [t, index], lambda t, i, d=d: t.gather(d, i))


def gen_scatter_add():
    torch.manual_seed(2)
    for dtype in (f32, f64, i64, b8):
        t = rnd(dtype, 3, 4)
        for d in (0, 1, -1, 2, -3):
            wd = d % 2 if -2 <= d < 2 else 0
            size = t.shape[wd]
            # many collisions, so float sums depend on the order
            for ishape, sshape in (((3, 4), (3, 4)), ((6, 4) if wd == 0 else (3, 8), (6, 5) if wd == 0 else (3, 9)),
                                   ((2, 2), (3, 4)), ((1, 1), (1, 1)), ((2, 2), (1, 1)), ((4, 5), (4, 5)),
                                   ((3,), (3,)), ((2, 2), (3,)), ((2, 2), ()), ((0,), (3, 3, 3)), ((0, 2), (2, 2))):
                index = inp(torch.randint(0, size, ishape).flatten(), lambda b, s=ishape: b.view(s))
                src = rnd(dtype, *sshape)
                case("scatter_add", [d], [t, index, src], lambda t, i, s, d=d: t.scatter_add(d, i, s))
            bad = torch.randint(0, size, (2, 3))
            bad[1, 2] = size
            index = inp(bad.flatten(), lambda b: b.view(2, 3))
            src = rnd(dtype, 3, 4)
            case("scatter_add", [d], [t, index, src], lambda t, i, s, d=d: t.scatter_add(d, i, s))
            index = inp(torch.tensor([0, -1, 0]), lambda b: b.view(1, 3))
            case("scatter_add", [d], [t, index, src], lambda t, i, s, d=d: t.scatter_add(d, i, s))
            other = rnd(f64 if dtype != f64 else f32, 3, 4)
            case("scatter_add", [d], [t, index, other], lambda t, i, s, d=d: t.scatter_add(d, i, s))
            findex = inp(torch.zeros(4), lambda b: b.view(2, 2))
            case("scatter_add", [d], [t, findex, src], lambda t, i, s, d=d: t.scatter_add(d, i, s))
            findex0 = inp(torch.zeros(0))
            case("scatter_add", [d], [t, findex0, other], lambda t, i, s, d=d: t.scatter_add(d, i, s))
            case("scatter_add", [d], [t, findex0, src], lambda t, i, s, d=d: t.scatter_add(d, i, s))
    # non-contiguous self, index and src; 0-dim self; 1-D
    t = inp(random_storage(f32, 12), lambda b: b.view(4, 3).t())
    index = inp(torch.randint(0, 3, (8,)), lambda b: b.view(4, 2).t())
    src = inp(random_storage(f32, 30), lambda b: b.view(5, 6)[1:4, ::2])
    for d in (0, 1):
        case("scatter_add", [d], [t, index, src], lambda t, i, s, d=d: t.scatter_add(d, i, s))
    ex = inp(random_storage(f32, 4), lambda b: b.view(1, 4).expand(3, 4))
    case("scatter_add", [0], [ex, index, src], lambda t, i, s: t.scatter_add(0, i, s))
    s0 = inp(random_storage(f32, 3), lambda b: b[1])
    for iv, sv in ((torch.tensor(0), torch.tensor(5.)), (torch.tensor([0, 0]), torch.tensor([5., 6.])),
                   (torch.tensor(1), torch.tensor(5.)), (torch.tensor([0, 0]), torch.tensor([5.]))):
        index = inp(iv.flatten().clone(), lambda b, s=list(iv.shape): b.view(s))
        src = inp(sv.flatten().clone(), lambda b, s=list(sv.shape): b.view(s))
        case("scatter_add", [0], [s0, index, src], lambda t, i, s: t.scatter_add(0, i, s))
    v = rnd(f32, 5)
    index = inp(torch.randint(0, 5, (40,)))
    src = rnd(f32, 40)
    case("scatter_add", [0], [v, index, src], lambda t, i, s: t.scatter_add(0, i, s))


def gen_masked_fill():
    torch.manual_seed(3)
    masks = {
        "same": lambda: inp(torch.rand(12) < 0.5, lambda b: b.view(3, 4)),
        "row": lambda: inp(torch.tensor([True, False, True, False])),
        "col": lambda: inp(torch.tensor([False, True, True]), lambda b: b.view(3, 1)),
        "scalar": lambda: inp(torch.tensor([True, False]), lambda b: b[0]),
        "bigger": lambda: inp(torch.rand(24) < 0.5, lambda b: b.view(2, 3, 4)),
        "bad": lambda: inp(torch.tensor([True, False])),
        "t": lambda: inp(torch.rand(12) < 0.5, lambda b: b.view(4, 3).t()),
    }
    built = {k: f() for k, f in masks.items()}
    values = [-1.0, 2.5, -2.7, float("nan"), float("inf"), -float("inf"), 1e30, 3.4e38, 3.5e38, 2.0**63, -2.0**63,
              9.3e18, 0.0, 0.5, 2, -3, True, False, 2**53 + 1, 2**63, -2**63, 2**62 + 3, 2**60 + 2**36 + 1]
    for dtype in (f32, f64, i64, b8):
        t = rnd(dtype, 3, 4)
        for name, mask in built.items():
            for v in values if name == "same" else values[:3]:
                case("masked_fill", [v], [t, mask], lambda t, m, v=v: t.masked_fill(m, v))
    for t in (inp(random_storage(f32, 12), lambda b: b.view(4, 3).t()),
              inp(random_storage(f32, 4), lambda b: b.view(1, 4).expand(3, 4)),
              inp(random_storage(f32, 3), lambda b: b[1]),
              rnd(f32, 0, 4)):
        for mask in built.values():
            case("masked_fill", [7.0], [t, mask], lambda t, m: t.masked_fill(m, 7.0))


ts = selfs()
gen_index_select(ts)
gen_gather(ts)
gen_scatter_add()
gen_masked_fill()
with open("tests/data/index.txt", "w") as f:
    f.write("# Generated by tools/gen_index.py with PyTorch %s; do not edit.\n" % torch.__version__)
    f.write("\n".join(lines) + "\n")
print(len(lines), "lines")
