"""Golden output for tests/test_views_grad.c: autograd through views, shape, join and index ops
in PyTorch 1.13 (node names, next_functions, float32 gradients, in-place writes through views).

Each scenario prints a header '## name' and then what the C function of the same name in
tests/test_views_grad.c prints: tensors as repr, node names, next_functions as
"Name [('Next', input_nr), ...]", errors as '<Python exception type>: <message>'.
Run: /usr/bin/python3 tools/gen_views_grad.py > tests/data/views_grad.txt"""
import torch

SCENARIOS = []


def scenario(fn):
    SCENARIOS.append(fn)
    return fn


def name(node):
    return "None" if node is None else type(node).__name__


def names(*ts):
    print(" ".join(name(t.grad_fn) for t in ts))


def node_next(node):
    return "%s [%s]" % (name(node), ", ".join("('%s', %d)" % (name(f), i) for f, i in node.next_functions))


def show_next(t):
    print(node_next(t.grad_fn))


def attempt(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - every PyTorch error is golden, with its type
        print("%s: %s" % (type(e).__name__, e))


def leaf(t):
    return t.requires_grad_()


# The inputs, written out the same way in the C twins.
X34 = [[0.5, -1.25, 2.0, 0.75], [-0.5, 1.5, -2.25, 1.0], [3.0, -0.75, 0.25, -1.5]]
Y43 = [[1.0, -2.0, 0.5], [0.25, 1.5, -1.0], [2.5, -0.5, 0.75], [-1.75, 1.25, 3.0]]


def x34():
    return leaf(torch.tensor(X34))


def y43():
    return leaf(torch.tensor(Y43))


def x234():
    return leaf(torch.arange(24.0).div(4).sub(3).view(2, 3, 4))


def weights(*shape):
    """1, 2, 3, ... in the given shape (weights that tell the elements' gradients apart)."""
    n = 1
    for s in shape:
        n *= s
    return torch.arange(1.0, n + 1).view(*shape)


@scenario
def node_names():
    x, x3 = x34(), x234()
    s = leaf(torch.tensor(1.5))
    v = leaf(torch.tensor([1.0, 2.0, 3.0]))
    names(x.view(4, 3), x.reshape(2, 6), x.t().reshape(-1), x.reshape(3, 4))
    names(x.flatten(), x.t().flatten(), s.flatten(), x3.flatten(1))
    print(v.flatten() is v, x.flatten(1, 1) is x)
    names(x.expand(2, 3, 4), x.expand(3, 4), s.expand(3), x.permute(1, 0))
    names(x3[:, :1].squeeze(), x.squeeze(0), x.unsqueeze(0).squeeze(0), x.unsqueeze(-1), s.unsqueeze(0))
    names(x.transpose(0, 1), x.t(), v.t(), s.t(), s.transpose(0, -1))
    names(x[1], x[1, 2], x[()], x[1:], x.narrow(1, 1, 2), x[:, ::2])
    names(*x3.unbind(1))
    names(*x.split(3, 1))
    names(*x.chunk(2, 0))
    names(*leaf(torch.zeros(2, 0)).chunk(2, 1))
    names(torch.cat([x, x], 0), torch.stack([x, x], 1))
    idx = torch.tensor([[0, 2, 1, 0]])
    names(x.index_select(1, torch.tensor([0, 3])), x.gather(0, idx), x.scatter_add(0, idx, y43().t()[:1]),
          x.masked_fill(x > 0, 0.0), x.t().contiguous())


@scenario
def next_functions():
    x, y = x34(), y43()
    r = x.t().reshape(-1)
    show_next(r)
    print(node_next(r.grad_fn.next_functions[0][0]))
    show_next(x[1, 2])
    show_next(torch.cat([torch.zeros(3, 4), x, torch.zeros(0)], 0))
    show_next(torch.stack([x, x * 2]))
    u = x.unbind(0)
    show_next(u[0] + u[2])
    show_next(u[1])
    s = y.split(3, 0)
    show_next(s[1] * s[0][:1])
    idx = torch.tensor([[0, 2, 1, 0]])
    show_next(torch.zeros(3, 4).scatter_add(0, idx, y.t()))
    show_next(x.scatter_add(0, idx, torch.ones(1, 4)))
    show_next(x.scatter_add(0, idx, y.t()))
    show_next(x.gather(1, torch.tensor([[1], [0], [3]])))
    show_next(x.index_select(0, torch.tensor([2])))
    show_next(x.masked_fill(x < 0, 1.0))
    show_next(x.expand(2, 3, 4).sum(0))


@scenario
def gradients():
    x = x34()
    (x.t().reshape(-1)[2:5] * torch.tensor([1.0, 2.0, 3.0])).sum().backward()
    print(x.grad)
    x, x3 = x34(), x234()
    (x.expand(2, 3, 4) * x3).sum().backward()
    print(x.grad, x3.grad)
    x = x34()
    u = x.unbind(1)
    (u[0] * u[2]).sum().backward()
    print(x.grad)
    x = x34()
    s = x.split(3, 1)
    ((s[1] ** 2).sum() + (s[0] * weights(3, 3)).sum()).backward()
    print(x.grad)
    x, y = x34(), y43()
    z = torch.ones(3, 2)
    (torch.cat([x, y.t(), z], 1) * weights(3, 10)).sum().backward()
    print(x.grad, y.grad)
    x, y = x34(), y43()
    (torch.stack([x, y.t() * 2], 2) * weights(3, 4, 2)).sum().backward()
    print(x.grad, y.grad)
    x = x34()
    (x.index_select(1, torch.tensor([3, 0, 3])) * weights(3, 3)).sum().backward()
    print(x.grad)
    x = x34()
    (x.gather(0, torch.tensor([[2, 0, 0, 1], [2, 2, 1, 1]])) * weights(2, 4)).sum().backward()
    print(x.grad)
    x, y = x34(), y43()
    idx = torch.tensor([[0, 2, 1, 0], [1, 1, 2, 2]])
    (x.scatter_add(0, idx, y.t()[:2]) * weights(3, 4)).sum().backward()
    print(x.grad, y.grad)
    x = x34()
    (x.masked_fill(x > 0, 0.0) * x).sum().backward()
    print(x.grad)
    x = x34()
    c = x.unsqueeze(0).expand(2, 3, 4).permute(2, 0, 1).narrow(0, 1, 2)
    (c.transpose(1, 2).flatten(1) * weights(2, 6)).sum().backward()
    print(x.grad)
    x3 = x234()
    p = x3.chunk(3, 2)
    ((p[1] * weights(2, 3, 2)).sum() + p[0][1].squeeze().sum()).backward()
    print(x3.grad)


@scenario
def double_backward():
    x = x34()
    (g,) = torch.autograd.grad((x.t()[1:] ** 3).sum(), x, create_graph=True)
    print(g.detach())
    (gg,) = torch.autograd.grad((g * weights(3, 4)).sum(), x)
    print(gg)
    x = x34()
    y = (x.gather(1, torch.tensor([[1, 1], [0, 3], [2, 2]])) ** 2).sum() + (x.index_select(0, torch.tensor([2, 2])) ** 3).sum()
    (g,) = torch.autograd.grad(y, x, create_graph=True)
    print(g.detach())
    (gg,) = torch.autograd.grad((g * weights(3, 4)).sum(), x)
    print(gg)
    x = x34()
    u = x.unbind(0)
    y = (torch.cat([u[2], u[0]]) ** 2 * weights(8)).sum()
    (g,) = torch.autograd.grad(y, x, create_graph=True)
    (gg,) = torch.autograd.grad((g * g).sum(), x)
    print(g.detach(), gg)


@scenario
def inplace_through_views():
    x = leaf(torch.tensor([[1.0, 2.0], [3.0, 4.0]]))
    y = torch.zeros(1, 3)
    y[0, 0] = x[0, 0] ** 2 + x[0, 1]
    y[0, 1] = x[1, 0] * 3
    y[0, 2] = 5
    print(y)
    show_next(y)
    (y * torch.tensor([[1.0, 2.0, 3.0]])).sum().backward()
    print(x.grad)
    x, v = x34(), leaf(torch.tensor([1.0, -1.0, 2.0]))
    a = x.clone()
    a[1:3].fill_(2)
    a[:, 1].copy_(v * 2)
    print(a)
    show_next(a)
    (a * weights(3, 4)).sum().backward()
    print(x.grad, v.grad)
    x = x34()
    a = x.clone()
    w = a.t()[1:]
    w[0].zero_()
    print(name(a.grad_fn), name(w.grad_fn))
    show_next(w)
    (w * weights(3, 3)).sum().backward()
    print(x.grad)
    x, y, z = x34(), y43(), leaf(torch.full((2, 4), 0.5))
    c = torch.cat([x, y.t()])
    c.narrow(0, 2, 2).copy_(z)
    print(c)
    (c * weights(6, 4)).sum().backward()
    print(x.grad, y.grad, z.grad)


@scenario
def inplace_ops_through_slices():
    x = x34()
    a = x.clone()
    a[1:3].mul_(2)
    print(a)
    show_next(a)
    (a * weights(3, 4)).sum().backward()
    print(x.grad)
    x, v = x34(), leaf(torch.tensor([2.0, -1.0, 0.5]))
    a = x.clone()
    a.t()[1:4:2].mul_(v)
    a.narrow(1, 0, 1).add_(a[:, 3:])
    print(a)
    show_next(a)
    (a * weights(3, 4)).sum().backward()
    print(x.grad, v.grad)


@scenario
def multi_output_views():
    x, v = x34(), leaf(torch.tensor([1.0, -1.0, 2.0, 0.5]))
    u = x.clone().unbind(0)
    attempt(lambda: u[0].fill_(1))
    print(u[0])
    attempt(lambda: x.unbind(0)[1].copy_(v))
    attempt(lambda: x.clone().split(2, 1)[1][0].zero_())
    attempt(lambda: x.clone().chunk(2, 1)[1].t().fill_(0))
    attempt(lambda: torch.zeros(3, 4).unbind(0)[0].copy_(v))
    attempt(lambda: torch.zeros(3, 4).split(1, 0)[2][0, 1:].copy_(v[:3]))
    w = torch.zeros(3, 4).unbind(0)
    w[1].fill_(1)
    print(w[1])
    with torch.no_grad():
        p = x.clone().split(1, 0)
    p[0].fill_(1)
    print(p[0])
    with torch.no_grad():
        q = x.clone().unbind(0)
        q[2].fill_(7)
    print(q[2])


@scenario
def mixed_dtypes_and_shapes():
    x, d = x34(), leaf(torch.tensor(Y43, dtype=torch.float64))
    c = torch.cat([x, d.t()], 0)
    print(c)
    (c * weights(6, 4)).sum().backward()
    print(x.grad, d.grad)
    x, d = x34(), leaf(torch.tensor(Y43, dtype=torch.float64))
    (torch.stack([d.t(), x], 0) * weights(2, 3, 4)).sum().backward()
    print(x.grad, d.grad)
    x, s = x34(), leaf(torch.ones(2, 3))
    y = x.scatter_add(0, torch.tensor([[1, 2]]), s)  # src larger than index: its gradient cannot fit
    attempt(lambda: y.sum().backward())


@scenario
def index_errors():
    x = x34()
    attempt(lambda: x[3])
    attempt(lambda: x[-4])
    attempt(lambda: x[0, 4])
    attempt(lambda: x[1, -5])
    attempt(lambda: x[0, 1, 2])
    attempt(lambda: x[0, 1][0])
    attempt(lambda: x[0, 1][0, 0])
    attempt(lambda: x[0, 1][0, 0, 0])
    print(x[-1, -2], x[2])


def main():
    for fn in SCENARIOS:
        print("##", fn.__name__)
        fn()


if __name__ == "__main__":
    main()
