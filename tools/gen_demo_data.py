"""Writes examples/data/blobs.csv: two Gaussian blobs in the plane, labelled 0 and 1, for the
logistic-regression part of `make demo`. Deterministic (seeded). Run with /usr/bin/python3."""
import torch

torch.manual_seed(7)
n = 100
a = torch.randn(n, 2) * 0.8 + torch.tensor([-1.0, -0.5])
b = torch.randn(n, 2) * 0.8 + torch.tensor([1.2, 0.8])
rows = [(x, y, 0) for x, y in a.tolist()] + [(x, y, 1) for x, y in b.tolist()]
order = torch.randperm(2 * n).tolist()
with open("examples/data/blobs.csv", "w") as f:
    f.write("x1,x2,label\n")
    for i in order:
        x, y, label = rows[i]
        f.write(f"{x:.4f},{y:.4f},{label}\n")
