"""Golden output for tests/test_backward_edges.c: backward formulas at their edges in PyTorch 1.13.

Absent incoming gradients, integer and bool outputs, in-place writes on the base of a view,
second derivatives, inf and NaN incoming gradients, signed zeros, and the node names of
double-backward graphs. Each scenario prints a header '## name' and then what the matching C
function prints (tensors as repr, None for an absent gradient, errors as 'RuntimeError: <message>').
Run: /usr/bin/python3 tools/gen_backward_edges.py > tests/data/backward_edges.txt"""
import torch

SCENARIOS = []


def scenario(fn):
    SCENARIOS.append(fn)
    return fn


def name(node):
    return "None" if node is None else type(node).__name__


def f64(*values):
    return torch.tensor(values, dtype=torch.float64)


def leaf(t):
    return t.requires_grad_(True)


# ---- 1: a node no gradient reached passes none on ----

def square_leaf():
    return leaf(torch.tensor([[1.0, 2.0], [3.0, 0.0]], dtype=torch.float64))


@scenario
def absent_through_views():
    x = square_leaf()
    views = [
        lambda x: x.permute(1, 0),
        lambda x: x.select(0, 1),
        lambda x: x[:, 1:],
        lambda x: x.expand(3, 2, 2),
        lambda x: x.t(),
        lambda x: x.transpose(0, 1),
        lambda x: x.reshape(4),
        lambda x: x.view(4),
        lambda x: x.unsqueeze(0),
        lambda x: x.squeeze(),
        lambda x: x[1],
        lambda x: x.unbind(0)[1],
        lambda x: x.split(1)[0],
        lambda x: x.chunk(2, 1)[1],
    ]
    for view in views:
        x.grad = None
        torch.norm(view(x), p=0).backward()
        print(x.grad)


@scenario
def absent_through_ops():
    x = square_leaf()
    ops = [
        lambda x: x * 2,
        lambda x: x.clone(),
        lambda x: x.tanh(),
        lambda x: x.exp() + x,
        lambda x: torch.stack([x, x]),
        lambda x: torch.cat([x, x]),
        lambda x: x.to(torch.float32),
        lambda x: x.sum(0),
        lambda x: torch.max(x, 1)[0],
        lambda x: x.mm(x),
    ]
    for op in ops:
        x.grad = None
        torch.norm(op(x), p=0).backward()
        print(x.grad)


@scenario
def absent_pieces():
    x = square_leaf()
    a, b = x.unbind(0)
    (torch.norm(a, p=0) + b.sum()).backward()
    print(x.grad)
    x.grad = None
    a, b = x.split(1, 1)
    (a.sum() * 3 + torch.norm(b, p=0)).backward()
    print(x.grad)
    x.grad = None
    y = x * 1
    y[0].mul_(2)  # CopySlices reached by no gradient
    torch.norm(y, p=0).backward()
    print(x.grad)
    g = torch.autograd.grad(torch.norm(x.permute(1, 0), p=0), [x], allow_unused=True)
    print(g[0])


# ---- 2: integer and bool tensors never require grad ----

def show_history(t):
    print(t, t.requires_grad, name(t.grad_fn))


@scenario
def integer_outputs():
    b = leaf(f64(1.5, 2.0, 3.0))
    a = torch.tensor([1, 0, 1])
    a.copy_(b)
    show_history(a)
    try:
        a.sum().backward()
    except RuntimeError as e:
        print("RuntimeError:", e)
    print(b.grad)
    y = b * 1
    show_history(y > 1)
    show_history(y.eq(2))
    show_history(torch.argmax(y))
    show_history(y.to(torch.int64))
    show_history(torch.where(y > 1, torch.tensor([1, 2, 3]), torch.tensor([0, 0, 0])))
    show_history(torch.max(y.view(3, 1), 1)[1])
    show_history(y.sign())
    show_history((y > 1).to(torch.float64))
    c = torch.tensor([True, False, True])
    c.copy_(b)
    show_history(c)
    a = torch.tensor([1, 0, 1])
    a[1:].copy_(b[:2])
    show_history(a)
    z = torch.zeros(3, dtype=torch.int64)
    z[0] = b[0]
    show_history(z)
    show_history(y.to(torch.int64).to(torch.float64))


# ---- 3: an expanded view of a base written in place ----

@scenario
def expanded_view_of_rewritten_base():
    x = leaf(torch.tensor([[1.0, 2.0, 3.0]], dtype=torch.float64))
    v = x * 2.0
    e = v.expand(2, 3)
    v.add_(1.0)
    print(name(e.grad_fn))
    e.sum().backward()
    print(x.grad)
    x.grad = None
    v = x * 2.0
    e = v.expand(2, 2, 3).transpose(0, 2)[1:]
    v.mul_(3.0)
    (e * torch.arange(8.0, dtype=torch.float64).view(2, 2, 2)).sum().backward()
    print(x.grad)
    v = x * 2.0
    e = v.t().expand(3, 4)
    v.mul_(x)
    g, = torch.autograd.grad(e.sum(), [x], create_graph=True)
    print(g.detach())
    print(torch.autograd.grad(g.sum(), [x])[0])


def main():
    for fn in SCENARIOS:
        print("##", fn.__name__)
        fn()


if __name__ == "__main__":
    main()
