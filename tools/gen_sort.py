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

write("tests/data/sort.txt", "sorting: tools/gen_sort.py (format in tools/golden_ops.py)", lines)
