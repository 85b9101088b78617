"""Golden data for sorting: writes tests/data/sort.txt from PyTorch 1.13.

Run from the repository root with /usr/bin/python3 tools/gen_sort.py (format: tools/golden_ops.py).
Ties are many (small integer values), so the positions PyTorch's std::sort, std::partial_sort and
std::nth_element leave for equal values are checked, not only the values."""
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
        return torch.randint(-3, 4, shape).to(dtype)
    return torch.randn(shape, dtype=F64).to(dtype)


def sort(x, dim, desc, layout="C"):
    lines.append(line("sort", [dim, desc], [(layout, x)], lambda v: tuple(torch.sort(v, dim, bool(desc)))))


def sort_stable(x, dim, desc, stable, layout="C"):
    lines.append(line("sort_stable", [dim, desc, stable], [(layout, x)],
                      lambda v: tuple(torch.sort(v, stable=bool(stable), dim=dim, descending=bool(desc)))))


def argsort(x, dim, desc, stable, layout="C"):
    lines.append(line("argsort", [dim, desc, stable], [(layout, x)],
                      lambda v: torch.argsort(v, dim=dim, descending=bool(desc), stable=bool(stable))))


def topk(x, k, dim, largest, srt, layout="C"):
    lines.append(line("topk", [k, dim, largest, srt], [(layout, x)],
                      lambda v: tuple(torch.topk(v, k, dim, bool(largest), bool(srt)))))


for dt in (F32, F64, I64, B):
    for desc in (0, 1):
        for n in (5, 16, 17, 40, 300):
            sort(rnd(n, dtype=dt, ties=True), 0, desc)
        sort(rnd(3, 50, dtype=dt, ties=True), 1, desc)
        sort(rnd(50, 3, dtype=dt, ties=True), 0, desc)
        sort(rnd(4, 30, dtype=dt, ties=True), 0, desc, "T")
        sort(rnd(2, 3, 20, dtype=dt, ties=True), -2, desc, "T")
        for stable in (0, 1):
            sort_stable(rnd(60, dtype=dt, ties=True), 0, desc, stable)
            sort_stable(rnd(3, 25, dtype=dt, ties=True), 0, desc, stable, "T")
            argsort(rnd(4, 33, dtype=dt, ties=True), -1, desc, stable)
sort(rnd(3000, ties=True), 0, 0)        # deep recursion of the introsort
sort(rnd(1000, dtype=F64), 0, 1)
sort(torch.arange(200.0).flip(0), 0, 0)  # sorted and reversed input
sort(torch.zeros(100), 0, 1)
sort(rnd(2000, dtype=I64), 0, 0)
sort(torch.tensor([1.0, nan, -1.0, nan, inf, -inf, 0.0, -0.0, nan, 2.0] * 3), 0, 0)
sort(torch.tensor([1.0, nan, -1.0, nan, inf, -inf, 0.0, -0.0, nan, 2.0] * 3), 0, 1)
sort_stable(torch.tensor([1.0, nan, -1.0, nan, inf, -inf, 0.0, -0.0, nan, 2.0] * 3), 0, 1, 1)
sort(torch.tensor(2.5), 0, 0)
sort(torch.tensor(2.5), -1, 1)
sort(torch.tensor(2.5), 1, 0)
sort(torch.zeros(0, 3), 0, 0)
sort(torch.zeros(0, 3), 1, 0)
sort(torch.zeros(0, 3), 2, 0)
sort(rnd(2, 3), -3, 0)
sort(torch.tensor([[2.0], [1.0]]).expand(2, 3), 1, 0)
sort(torch.tensor([1.0, 3.0, 2.0]).expand(3, 3), 0, 1)
lines.append(line("msort", [], [("C", rnd(6, 4, ties=True))], lambda v: torch.msort(v)))
lines.append(line("msort", [], [("T", rnd(6, 4, ties=True))], lambda v: torch.msort(v)))
lines.append(line("msort", [], [("C", torch.tensor(1.5))], lambda v: torch.msort(v)))

for dt in (F32, F64, I64):
    for largest in (0, 1):
        for srt in (0, 1):
            for n, k in ((10, 3), (100, 1), (100, 2), (200, 3), (200, 4), (64, 1), (65, 1), (50, 50), (17, 16), (300, 100)):
                topk(rnd(n, dtype=dt, ties=True), k, 0, largest, srt)
            topk(rnd(3, 70, dtype=dt, ties=True), 5, 1, largest, srt)
            topk(rnd(40, 3, dtype=dt, ties=True), 7, 0, largest, srt, "T")
            topk(rnd(30, 4, dtype=dt, ties=True), 2, 0, largest, srt)
topk(rnd(3000, ties=True), 10, 0, 1, 1)
topk(rnd(2000), 1200, 0, 0, 1)
topk(torch.tensor([1.0, nan, -1.0, nan, inf, -inf, 0.0, 2.0] * 4), 5, 0, 1, 1)
topk(torch.tensor([1.0, nan, -1.0, nan, inf, -inf, 0.0, 2.0] * 4), 5, 0, 0, 1)
topk(torch.tensor([1.0, nan, -1.0, nan, inf, -inf, 0.0, 2.0] * 40), 3, 0, 1, 1)
topk(torch.tensor([3.0, 1.0, 2.0]), 4, 0, 1, 1)
topk(torch.tensor([3.0, 1.0, 2.0]), -1, 0, 1, 1)
topk(torch.tensor([3.0, 1.0, 2.0]), 0, 0, 1, 1)
topk(torch.tensor([3.0, 1.0, 2.0]), 2, 1, 1, 1)
topk(torch.tensor([3.0, 1.0, 2.0]), 5, 1, 1, 1)
topk(torch.tensor(3.0), 1, 0, 1, 1)
topk(torch.tensor(3.0), 0, 0, 1, 1)
topk(torch.tensor(3.0), 2, 0, 1, 1)
topk(torch.tensor(3.0), 1, 1, 1, 1)
topk(torch.tensor([True, False, True]), 1, 0, 1, 1)
topk(torch.tensor([True, False, True]), 0, 0, 1, 1)
topk(torch.tensor([True, False, True]), 4, 0, 1, 1)
topk(torch.tensor(True), 1, 0, 1, 1)
topk(torch.zeros(0, 2), 0, -1, 1, 1)
topk(torch.zeros(0, 2), 1, -1, 1, 1)
topk(torch.zeros(0, 2), 1, 0, 1, 1)



def select(op, x, dim=None, keepdim=False, k=None, layout="C"):
    """kthvalue <k> <dim> <keepdim>; median/nanmedian/mode <dim> <keepdim>; median_all/nanmedian_all."""
    if op in ("median_all", "nanmedian_all"):
        f = getattr(torch, op[:-4])
        lines.append(line(op, [], [(layout, x)], lambda v: f(v)))
        return
    f = getattr(torch, op)
    args = ([k] if op == "kthvalue" else []) + [dim, int(keepdim)]
    run = (lambda v: tuple(f(v, k, dim, keepdim))) if op == "kthvalue" else (lambda v: tuple(f(v, dim, keepdim)))
    lines.append(line(op, args, [(layout, x)], run))


for dt in (F32, F64, I64, B):
    for op in ("median", "nanmedian", "mode"):
        select(op, rnd(7, dtype=dt, ties=True), 0)
        select(op, rnd(3, 40, dtype=dt, ties=True), 1, True)
        select(op, rnd(40, 3, dtype=dt, ties=True), 0)
        select(op, rnd(4, 21, dtype=dt, ties=True), 0, False, layout="T")
        select(op, rnd(2, 3, 4, dtype=dt), -2)
    for k in (1, 2, 5, 13, 20):
        select("kthvalue", rnd(20, dtype=dt, ties=True), 0, False, k)
    select("kthvalue", rnd(3, 50, dtype=dt, ties=True), 1, True, 25)
    select("kthvalue", rnd(50, 3, dtype=dt, ties=True), 0, False, 7, "T")
    select("median_all", rnd(6, 5, dtype=dt, ties=True))
    select("nanmedian_all", rnd(6, 5, dtype=dt, ties=True))
    select("median_all", rnd(5, 4, dtype=dt), layout="T")
mixed = torch.tensor([1.0, nan, -1.0, nan, inf, -inf, 0.0, -0.0, nan, 2.0, 2.0, 0.0])
for op in ("median", "nanmedian", "mode"):
    select(op, mixed, 0)
    select(op, torch.tensor([[nan, nan, nan], [nan, 1.0, nan], [-0.0, 0.0, -0.0]]), 1)
    select(op, torch.tensor([nan] * 20), 0)
    select(op, torch.tensor(2.5), 0)
    select(op, torch.tensor(2.5), -1, True)
    select(op, torch.tensor(2.5), 1)
    select(op, torch.zeros(0, 3), 0)
    select(op, torch.zeros(0, 3), 1)
    select(op, rnd(2, 3), 2)
    select(op, rnd(300, ties=True), 0)
    select(op, torch.tensor(True), 0)
for k in (1, 3, 6, 12):
    select("kthvalue", mixed, 0, False, k)
for x, k, dim in ((rnd(3, 4), 5, 1), (rnd(3, 4), 0, -1), (rnd(3, 4), 4, -2), (torch.tensor(True), 1, 0),
                  (torch.tensor(2.0), 1, 1), (torch.tensor(2.0), 1, 0), (torch.tensor(2.0), 2, 0),
                  (torch.zeros(0, 3), 1, 1), (torch.zeros(0, 3), 1, 0), (rnd(500, ties=True), 250, 0)):
    select("kthvalue", x, dim, False, k)
for op in ("median_all", "nanmedian_all"):
    select(op, mixed)
    select(op, torch.tensor([nan] * 5))
    select(op, torch.zeros(0, 3))
    select(op, torch.zeros(0, 3, dtype=I64))
    select(op, torch.tensor(3.0))
    select(op, torch.tensor([True, False]))



def searchsorted(sorted_seq, values, right, op="searchsorted", ls="C", lv="C"):
    """searchsorted <right> (inputs: sorted, values); bucketize <right> (inputs: input, boundaries)."""
    if op == "searchsorted":
        lines.append(line(op, [right], [(ls, sorted_seq), (lv, values)],
                          lambda b, v: torch.searchsorted(b, v, right=bool(right))))
    else:
        lines.append(line(op, [right], [(lv, values), (ls, sorted_seq)],
                          lambda v, b: torch.bucketize(v, b, right=bool(right))))


bd = torch.tensor([1.0, 3.0, 3.0, 5.0, 7.0, 7.0, 7.0, 9.0])
probe = torch.tensor([0.0, 1.0, 2.0, 3.0, 4.0, 7.0, 8.0, 9.0, 10.0, nan, inf, -inf])
for right in (0, 1):
    for op in ("searchsorted", "bucketize"):
        searchsorted(bd, probe, right, op)
        searchsorted(bd.double(), probe.double().view(3, 4), right, op)
        searchsorted(torch.tensor([1, 3, 3, 5, 16777217]), torch.tensor([[0, 3], [5, 16777217]]), right, op)
        searchsorted(torch.tensor([1, 3, 5, 16777217]), torch.tensor([2.5, 16777217.0]), right, op)
        searchsorted(bd, torch.tensor(3.0), right, op)
        searchsorted(bd, torch.zeros(0), right, op)
        searchsorted(torch.zeros(0), probe, right, op)
        searchsorted(torch.tensor([1.0, nan, 3.0, nan]), probe, right, op)
        searchsorted(torch.sort(torch.randn(300))[0], torch.randn(50), right, op)
    searchsorted(torch.sort(torch.randn(3, 20), 1)[0], torch.randn(3, 7), right)
    searchsorted(torch.sort(torch.randn(2, 3, 10), 2)[0], torch.randn(2, 3, 4), right)
    searchsorted(torch.sort(torch.randn(6, 4), 0)[0], torch.randn(5, 4), right, ls="T", lv="T")
    searchsorted(torch.tensor([[1.0, 3.0], [2.0, 4.0]]), torch.tensor([2.0, 3.0]), right)
    searchsorted(torch.tensor([[1.0, 3.0], [2.0, 4.0]]), torch.tensor(2.0), right)
    searchsorted(torch.tensor(1.0), torch.tensor([1.0]), right)
    searchsorted(torch.tensor(1.0), torch.tensor(1.0), right)
    searchsorted(torch.tensor([True, False]), torch.tensor([True]), right)
    searchsorted(torch.tensor([[1.0, 3.0]]), torch.tensor([2.0]), right, "bucketize")
    searchsorted(torch.tensor(3.0), torch.tensor([2.0]), right, "bucketize")

write("tests/data/sort.txt", "sorting: tools/gen_sort.py (format in tools/golden_ops.py)", lines)
