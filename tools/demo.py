"""The Python twin of examples/demo.c: what `make demo` prints, as PyTorch 1.13 prints it.
Run from the repository root: /usr/bin/python3 tools/demo.py > tests/data/demo.expected
(tests/test_seeds.c checks that build/examples/demo prints the same bytes)."""
import csv

import torch


def say(python, t):
    print(">>>", python)
    print(t)


print("== tensors, views, broadcasting")
a = torch.arange(6.0)
say("a = torch.arange(6.)", a)
m = a.view(2, 3)
say("m = a.view(2, 3)", m)
say("m.t()", m.t())
say("m + torch.tensor([10., 20., 30.])", m + torch.tensor([10.0, 20.0, 30.0]))
say("m.sum(dim=1)", m.sum(dim=1))
torch.manual_seed(0)
say("torch.manual_seed(0); torch.randn(2, 3)", torch.randn(2, 3))
say("m @ m.t()", m @ m.t())

print("\n== autograd (seed 000)")
x = torch.tensor([1.0, 2.0], requires_grad=True)
say("x = torch.tensor([1., 2.], requires_grad=True)", x)
y = (x + 2).pow(2)
say("y = (x + 2).pow(2)", y)
z = y.mean()
say("z = y.mean()", z)
z.backward()
say("z.backward(); x.grad", x.grad)
t = torch.tensor(2.0, requires_grad=True)
g = torch.autograd.grad(t**3, t, create_graph=True)[0]
say("t = torch.tensor(2., requires_grad=True); torch.autograd.grad(t**3, t, create_graph=True)[0]", g)

print("\n== logistic regression on examples/data/blobs.csv, by gradient descent")
rows = list(csv.reader(open("examples/data/blobs.csv")))[1:]
X = torch.tensor([[float(r[0]), float(r[1])] for r in rows])
labels = torch.tensor([float(r[2]) for r in rows])
w = torch.zeros(2, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
for step in range(201):
    logits = X @ w + b
    loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, labels)
    loss.backward()
    with torch.no_grad():
        w -= w.grad * 0.5
        b -= b.grad * 0.5
        if step % 40 == 0:
            accuracy = ((logits > 0) == (labels > 0.5)).float().mean().item()
            print("step %3d  loss %.4f  accuracy %.3f" % (step, loss.item(), accuracy))
    w.grad.zero_()
    b.grad.zero_()
say("w", w)
say("b", b)
