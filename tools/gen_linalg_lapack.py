"""Golden data for the linalg.* ops through LAPACK (tests/test_linalg_lapack.c): writes
tests/data/linalg_lapack.txt from PyTorch 1.13.

Run from the repository root with /usr/bin/python3 tools/gen_linalg_lapack.py.

Each line is
    <op> <args> <n inputs> <input>... OK <n outputs> <output>... <n grads> <grad output>... <grad input>...
or  <op> <args> <n inputs> <input>... ERR <message>
<args> is '-' or comma-separated integers (the op's flags, as tests/test_linalg_lapack.c reads
them). The grad outputs go to the differentiable (floating) outputs; the grad inputs are those
of torch.autograd.grad(outputs, float inputs, grad outputs, allow_unused=True), '-' for none.
"""
import os
import sys
import warnings

import torch

sys.path.insert(0, os.path.dirname(__file__))
from golden import tensor_text  # noqa: E402

warnings.simplefilter("ignore")
torch.manual_seed(0)
L = torch.linalg
d64, d32 = torch.float64, torch.float32
lines = []


def rnd(*shape, dtype=d64):
    return torch.randn(shape, dtype=d64).to(dtype)


def spd(*shape, dtype=d64):
    a = torch.randn(shape, dtype=d64)
    n = shape[-1]
    return (a @ a.mT + n * torch.eye(n, dtype=d64)).to(dtype)


def as_tuple(r):
    # cgrad's info and pivots are int64 (PyTorch's int32)
    r = tuple(r) if isinstance(r, (tuple, list)) else (r,)
    return tuple(o.long() if o.dtype == torch.int32 else o for o in r)


def case(op, args, inputs, fn):
    head = [op, ",".join(str(int(a)) for a in args) if args else "-", str(len(inputs))]
    head += [tensor_text(t) for t in inputs]
    leaves = [t.detach().clone().requires_grad_(t.is_floating_point()) for t in inputs]
    try:
        outs = as_tuple(fn(*leaves))
    except Exception as e:  # noqa: BLE001
        lines.append(" ".join(head + ["ERR", str(e).replace("\n", " ")]))
        return
    parts = head + ["OK", str(len(outs))] + [tensor_text(o) for o in outs]
    diff = [o for o in outs if o.is_floating_point() and o.requires_grad]
    gos = [torch.randn(o.shape, dtype=o.dtype) for o in diff]
    fl = [t for t in leaves if t.requires_grad]
    grads = torch.autograd.grad(diff, fl, gos, allow_unused=True) if diff and fl else [None] * len(fl)
    parts += [str(len(gos))] + [tensor_text(g) for g in gos]
    parts += ["-" if g is None else tensor_text(g) for g in grads]
    lines.append(" ".join(parts))


# det, slogdet, logdet
for dt in (d64, d32):
    for shape in ((3, 3), (2, 4, 4), (1, 1), (2, 1, 3, 3)):
        A = rnd(*shape, dtype=dt)
        case("det", [], [A], L.det)
        case("slogdet", [], [A], L.slogdet)
    case("logdet", [], [spd(3, 3, dtype=dt)], torch.logdet)
    case("logdet", [], [torch.tensor([[0., 1.], [1., 0.]], dtype=dt)], torch.logdet)
case("det", [], [torch.tensor([[1., 2.], [2., 4.]], dtype=d64)], L.det)
case("det", [], [torch.ones(0, 0, dtype=d64)], L.det)
case("det", [], [torch.ones(0, 2, 2, dtype=d64)], L.det)
case("det", [], [rnd(2, 3)], L.det)
case("det", [], [rnd(3)], L.det)
case("det", [], [torch.ones(2, 2, dtype=torch.int64)], L.det)
case("slogdet", [], [rnd(2, 3)], L.slogdet)
case("logdet", [], [torch.ones(3, 3, dtype=torch.int64)], torch.logdet)

# inv, inv_ex
for dt in (d64, d32):
    for shape in ((3, 3), (2, 4, 4), (2, 1, 2, 2), (1, 1)):
        case("inv", [], [rnd(*shape, dtype=dt)], L.inv)
case("inv", [], [rnd(4, 4).mT], L.inv)
case("inv", [], [torch.tensor([[1., 2.], [2., 4.]], dtype=d64)], L.inv)
case("inv", [], [torch.tensor([[1., 2., 3.], [4., 5., 6.], [7., 8., 9.]], dtype=d64)], L.inv)
case("inv", [], [torch.stack([torch.eye(2, dtype=d64), torch.tensor([[1., 2.], [2., 4.]], dtype=d64)])], L.inv)
case("inv", [], [rnd(2, 3)], L.inv)
case("inv", [], [rnd(3)], L.inv)
case("inv", [], [torch.ones(2, 2, dtype=torch.int64)], L.inv)
case("inv", [], [torch.ones(0, 0, dtype=d64)], L.inv)
case("inv_ex", [0], [torch.zeros(2, 2, 2, dtype=d64)], lambda a: L.inv_ex(a))
case("inv_ex", [0], [rnd(3, 3)], lambda a: L.inv_ex(a))
case("inv_ex", [1], [torch.zeros(2, 2, 2, dtype=d64)], lambda a: L.inv_ex(a, check_errors=True))

# solve, solve_ex: args left
for dt in (d64, d32):
    case("solve", [1], [rnd(3, 3, dtype=dt), rnd(3, 2, dtype=dt)], lambda a, b: L.solve(a, b))
    case("solve", [1], [rnd(3, 3, dtype=dt), rnd(3, dtype=dt)], lambda a, b: L.solve(a, b))
    case("solve", [1], [rnd(2, 3, 3, dtype=dt), rnd(2, 3, dtype=dt)], lambda a, b: L.solve(a, b))
    case("solve", [1], [rnd(2, 3, 3, dtype=dt), rnd(3, dtype=dt)], lambda a, b: L.solve(a, b))
    case("solve", [1], [rnd(2, 1, 3, 3, dtype=dt), rnd(4, 3, 2, dtype=dt)], lambda a, b: L.solve(a, b))
    case("solve", [0], [rnd(3, 3, dtype=dt), rnd(2, 3, dtype=dt)], lambda a, b: L.solve(a, b, left=False))
    case("solve", [0], [rnd(2, 3, 3, dtype=dt), rnd(4, 3, dtype=dt)], lambda a, b: L.solve(a, b, left=False))
case("solve", [1], [rnd(3, 3).mT, rnd(2, 3).mT], lambda a, b: L.solve(a, b))
case("solve", [1], [torch.tensor([[1., 2.], [2., 4.]], dtype=d64), torch.ones(2, dtype=d64)], lambda a, b: L.solve(a, b))
case("solve", [1], [torch.stack([torch.eye(2, dtype=d64), torch.tensor([[1., 2.], [2., 4.]], dtype=d64)]),
                    torch.ones(2, 2, dtype=d64)], lambda a, b: L.solve(a, b))
case("solve", [1], [torch.eye(3, dtype=d64), torch.ones(2, dtype=d64)], lambda a, b: L.solve(a, b))
case("solve", [1], [torch.eye(3, dtype=d64), torch.ones(4, 3, dtype=d64)], lambda a, b: L.solve(a, b))
case("solve", [1], [torch.eye(3, dtype=d64), torch.ones(3)], lambda a, b: L.solve(a, b))
case("solve", [1], [rnd(2, 3), torch.ones(2, dtype=d64)], lambda a, b: L.solve(a, b))
case("solve", [1], [torch.ones(3, dtype=d64), torch.ones(3, dtype=d64)], lambda a, b: L.solve(a, b))
case("solve", [1], [torch.ones(2, 2, dtype=torch.int64), torch.ones(2, dtype=torch.int64)], lambda a, b: L.solve(a, b))
case("solve", [1], [torch.ones(2, 2, dtype=d64), torch.ones((), dtype=d64)], lambda a, b: L.solve(a, b))
case("solve", [0], [torch.eye(3, dtype=d64), torch.ones(3, 2, dtype=d64)], lambda a, b: L.solve(a, b, left=False))
case("solve", [0], [torch.eye(2, dtype=d64), torch.ones(2, dtype=d64)], lambda a, b: L.solve(a, b, left=False))
case("solve", [1], [torch.eye(3, dtype=d64).expand(2, 3, 3), torch.ones(5, 3, 1, dtype=d64)], lambda a, b: L.solve(a, b))
case("solve_ex", [1, 0], [torch.zeros(2, 2, dtype=d64), torch.ones(2, dtype=d64)], lambda a, b: L.solve_ex(a, b))
case("solve_ex", [1, 1], [torch.zeros(2, 2, 2, dtype=d64), torch.ones(2, dtype=d64)],
     lambda a, b: L.solve_ex(a, b, check_errors=True))

with open("tests/data/linalg_lapack.txt", "w") as f:
    f.write("# generated by tools/gen_linalg_lapack.py with torch %s\n" % torch.__version__)
    f.write("\n".join(lines) + "\n")
print("%d cases" % len(lines))
