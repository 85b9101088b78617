"""Golden data for amax, amin, aminmax, logsumexp, all, any, count_nonzero, nansum, nanmean:
writes tests/data/reduce_more.txt from PyTorch 1.13.

Run from the repository root with /usr/bin/python3 tools/gen_reduce_more.py (format:
tools/golden_ops.py). The ops over a dim list take the arguments <keepdim> <dims...> (no dims:
every dim); all_dim, any_dim and aminmax_dim take <dim> <keepdim>."""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
from golden_ops import line, write  # noqa: E402

torch.manual_seed(0)
F32, F64, I64, B = torch.float32, torch.float64, torch.int64, torch.bool
lines = []
nan, inf = float("nan"), float("inf")


def rnd(*shape, dtype=F32, ties=False):
    if dtype == I64:
        return torch.randint(-5, 6, shape)
    if dtype == B:
        return torch.rand(shape) > 0.5
    if ties:
        return torch.randint(-2, 3, shape).to(dtype)
    return torch.randn(shape, dtype=F64).to(dtype)


def over_dims(op, x, dims=None, keepdim=False, layout="C"):
    f = getattr(torch, op)

    def run(v):
        if op == "count_nonzero":
            return f(v) if dims is None else f(v, dims)
        if dims is None:
            return f(v, tuple(range(v.dim()))) if op == "logsumexp" and keepdim else \
                (f(v, tuple(range(v.dim())), keepdim) if op == "logsumexp" else (f(v) if not keepdim else f(v, (), keepdim)))
        return f(v, dims, keepdim)
    args = [int(keepdim)] + list(dims or [])
    lines.append(line(op, args, [(layout, x)], run))


def one_dim(op, x, dim=None, keepdim=False, layout="C"):
    f = getattr(torch, op)
    if dim is None:
        lines.append(line(op, [], [(layout, x)], lambda v: tuple(f(v)) if op == "aminmax" else f(v)))
    else:
        def run(v):
            r = f(v, dim=dim, keepdim=keepdim)
            return tuple(r) if op == "aminmax" else r
        lines.append(line(op + "_dim", [dim, int(keepdim)], [(layout, x)], run))


for op in ("amax", "amin", "logsumexp", "nansum", "nanmean", "count_nonzero"):
    for dt in (F32, F64, I64, B):
        over_dims(op, rnd(3, 4, dtype=dt, ties=True), [1])
        over_dims(op, rnd(2, 3, 4, dtype=dt, ties=True), [0, -1], op != "count_nonzero")
        over_dims(op, rnd(3, 5, dtype=dt), [0], False, "T")
        over_dims(op, rnd(2, 3, 4, dtype=dt), None)
    over_dims(op, rnd(300, 70), [0])
    over_dims(op, rnd(70, 300), [1], True, "T")
    over_dims(op, rnd(5000), [0])
    over_dims(op, rnd(4, 5, 6), [2, 0], True)
    over_dims(op, torch.tensor(2.5), [0])
    over_dims(op, torch.tensor(2.5), [-1], True)
    over_dims(op, torch.tensor(2.5), None)
    over_dims(op, torch.zeros(0, 3), [0])
    over_dims(op, torch.zeros(0, 3), [1])
    over_dims(op, torch.zeros(0, 3), [-2])
    over_dims(op, torch.zeros(0, 3), None)
    over_dims(op, rnd(2, 3), [0, 0])
    over_dims(op, rnd(2, 3), [1, -1])
    over_dims(op, rnd(2, 3), [2])
    over_dims(op, torch.tensor([[1.0, nan, 2.0], [nan, nan, nan], [inf, -inf, 0.0], [-inf, -inf, 1.0]]), [1])
    over_dims(op, torch.tensor([[inf, inf], [-inf, -inf], [inf, 1.0], [nan, inf]]), [1], True)
    over_dims(op, torch.tensor([[0.0, -0.0], [-0.0, -0.0]]), [1])
for op in ("all", "any", "aminmax"):
    for dt in (F32, F64, I64, B):
        one_dim(op, rnd(3, 4, dtype=dt, ties=True))
        one_dim(op, rnd(3, 4, dtype=dt, ties=True), 1)
        one_dim(op, rnd(2, 3, 4, dtype=dt, ties=True), -2, True)
        one_dim(op, rnd(3, 5, dtype=dt, ties=True), 0, False, "T")
    one_dim(op, torch.tensor(2.5))
    one_dim(op, torch.tensor(0.0), 0)
    one_dim(op, torch.tensor(2.5), -1, True)
    one_dim(op, torch.tensor(2.5), 1)
    one_dim(op, torch.zeros(0, 3))
    one_dim(op, torch.zeros(0, 3), 0)
    one_dim(op, torch.zeros(0, 3), 1)
    one_dim(op, rnd(2, 3), 2)
    one_dim(op, torch.tensor([[1.0, nan, 2.0], [0.0, 0.0, 0.0], [0.0, nan, 0.0]]), 1)
    one_dim(op, torch.tensor([[1.0, nan, 2.0], [0.0, 0.0, 0.0], [0.0, nan, 0.0]]))



def var_mean(op, x, dims=None, keepdim=False, biased=False, layout="C"):
    """var_mean/std_mean <keepdim> <biased> <dims...> (no dims: every dim)."""
    f = getattr(torch, op)

    def run(v):
        if dims is None and not keepdim:
            return tuple(f(v, unbiased=not biased))
        return tuple(f(v, dims if dims is not None else tuple(range(v.dim())), unbiased=not biased, keepdim=keepdim))
    lines.append(line(op, [int(keepdim), int(biased)] + list(dims or []), [(layout, x)], run))


for op in ("var_mean", "std_mean"):
    for dt in (F32, F64):
        var_mean(op, rnd(3, 4, dtype=dt), [1])
        var_mean(op, rnd(2, 3, 4, dtype=dt), [0, -1], True)
        var_mean(op, rnd(3, 5, dtype=dt), [0], False, True, "T")
        var_mean(op, rnd(2, 3, 4, dtype=dt), None)
        var_mean(op, rnd(5000, dtype=dt), None)
        var_mean(op, rnd(70, 300, dtype=dt), [0], False, False, "T")
        var_mean(op, rnd(300, 70, dtype=dt), [0], True, True)
    var_mean(op, rnd(4, 5, 6), [2, 0], True)
    var_mean(op, torch.tensor(2.5), None)
    var_mean(op, torch.tensor(2.5), [0], False, True)
    var_mean(op, torch.tensor([2.5]), None)
    var_mean(op, torch.zeros(0, 3), [0])
    var_mean(op, torch.zeros(0, 3), [1])
    var_mean(op, torch.zeros(0, 3), None)
    var_mean(op, rnd(2, 3), [0, 0])
    var_mean(op, rnd(2, 3), [2])
    var_mean(op, torch.tensor([1, 2, 3]), None)
    var_mean(op, torch.tensor([[1.0, nan, 2.0], [inf, 1.0, 2.0]]), [1])

write("tests/data/reduce_more.txt", "more reductions: tools/gen_reduce_more.py (format in tools/golden_ops.py)", lines)
