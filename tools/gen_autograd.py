"""Golden output for tests/test_autograd.c: autograd semantics scenarios run in PyTorch 1.13.

Each scenario prints a header '## name' and then what the matching C function in
tests/test_autograd.c prints (tensors as repr, node names, errors as 'RuntimeError: <message>').
Run: /usr/bin/python3 tools/gen_autograd.py > tests/data/autograd.txt"""
import warnings

import torch

SCENARIOS = []


def scenario(fn):
    SCENARIOS.append(fn)
    return fn


def name(node):
    return "None" if node is None else type(node).__name__


def attempt(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - every PyTorch error is golden, with its type
        print(f"{type(e).__name__}: {e}")


@scenario
def accumulation():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x * x).sum().backward()
    print(x.grad)
    (x * 2).sum().backward()
    print(x.grad)
    x.grad.zero_()
    (x + x).sum().backward()  # a leaf used twice gets the sum
    print(x.grad)


@scenario
def backward_errors():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    attempt(lambda: y.backward())
    attempt(lambda: y.backward(torch.ones(2)))
    attempt(lambda: torch.ones(3).sum().backward())
    attempt(lambda: (x * 0).sum().backward(torch.ones(3)))
    attempt(lambda: y.sum().backward(inputs=[]))
    z = (x * x).sum()
    z.backward(retain_graph=True)
    z.backward()
    attempt(lambda: z.backward())
    w = (x + x).sum()  # nothing saved: a second backward is fine
    w.backward()
    w.backward()
    print(x.grad)


@scenario
def requires_grad_rules():
    x = torch.tensor([1.0, 2.0])
    print(x.requires_grad, x.is_leaf)
    x.requires_grad_()
    y = x * 2
    print(y.requires_grad, y.is_leaf, name(y.grad_fn))
    y.requires_grad_(True)
    attempt(lambda: y.requires_grad_(False))
    attempt(lambda: torch.tensor([1, 2]).requires_grad_())
    print(torch.tensor([1.0]) * torch.tensor([2.0], requires_grad=True))


@scenario
def grad_modes():
    x = torch.tensor([1.0], requires_grad=True)
    with torch.no_grad():
        a = x * 2
        with torch.enable_grad():
            b = x * 2
        c = x * 2
    d = x * 2
    print(a.requires_grad, b.requires_grad, c.requires_grad, d.requires_grad)
    prev = torch.is_grad_enabled()
    torch.set_grad_enabled(False)
    e = x * 2
    torch.set_grad_enabled(prev)
    print(prev, e.requires_grad, torch.is_grad_enabled())


@scenario
def next_functions():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    print(name(y.grad_fn), [(name(f), i) for f, i in y.grad_fn.next_functions])
    z = y + x
    print(name(z.grad_fn), [(name(f), i) for f, i in z.grad_fn.next_functions])
    a = x.clone()
    a[0] = 5
    print(name(a.grad_fn), [(name(f), i) for f, i in a.grad_fn.next_functions])


@scenario
def create_graph():
    x = torch.tensor(2.0, requires_grad=True)
    (g,) = torch.autograd.grad(x ** 3, x, create_graph=True)
    print(g)
    (gg,) = torch.autograd.grad(g, x)
    print(gg)
    y = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (y * y).sum().backward(create_graph=True)
    print(y.grad)
    (y * y).sum().backward(create_graph=True)
    print(y.grad)
    y.grad.sum().backward()
    print(y.grad)


@scenario
def autograd_grad():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    u = torch.tensor([3.0], requires_grad=True)
    y = (x * x).sum()
    print(torch.autograd.grad(y, [x, u], retain_graph=True, allow_unused=True))
    attempt(lambda: torch.autograd.grad(y, [x, u], retain_graph=True))
    attempt(lambda: torch.autograd.grad(y, [torch.ones(2)], retain_graph=True))
    print(x.grad)
    z = x * 3
    print(torch.autograd.grad([y, z], [x], [torch.tensor(1.0), torch.tensor([1.0, 1.0])]))


@scenario
def backward_inputs():
    a = torch.tensor([1.0, 2.0], requires_grad=True)
    b = torch.tensor([3.0, 4.0], requires_grad=True)
    (a * b).sum().backward(inputs=[a])
    print(a.grad, b.grad)
    c = a * 1
    c.retain_grad()
    (c * b).sum().backward(inputs=[c])
    print(c.grad, a.grad)


@scenario
def retain_grad_and_hooks():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    y.retain_grad()
    z = (y * y).sum()
    y.register_hook(lambda g: print("hook on y", g))
    x.register_hook(lambda g: g * 10)
    z.backward()
    print(y.grad)
    print(x.grad)
    attempt(lambda: torch.ones(2).register_hook(lambda g: g))
    attempt(lambda: torch.ones(2).retain_grad())


@scenario
def engine_order():
    a = torch.tensor([1.0], requires_grad=True)
    b = a * 2
    c = a * 3
    d = b + c
    for t, n in ((a, "a"), (b, "b"), (c, "c"), (d, "d")):
        t.register_hook(lambda g, n=n: print("hook", n))
    d.backward()


@scenario
def detach_and_data():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    d = y.detach()
    print(d.requires_grad, d.is_leaf, d._version)
    d.zero_()
    print(y, y._version)
    e = y.data
    e.add_(1)
    print(y, y._version, e._version)
    v = y[0:1]
    attempt(lambda: v.detach_())
    y.detach_()
    print(y, y.is_leaf)


@scenario
def inplace_errors():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    attempt(lambda: x.zero_())
    attempt(lambda: x[0:1].zero_())
    z = torch.zeros(3)
    with torch.no_grad():
        v = z[0]
    attempt(lambda: v.copy_(x[0]))
    print(x, z)
    with torch.no_grad():
        nv = x[0:2]
    print(nv.requires_grad, nv.is_leaf)
    attempt(lambda: nv.fill_(1))
    y = x * 2
    w = y * y
    y.fill_(1)
    attempt(lambda: w.sum().backward())
    c = torch.ones(3)
    u = x * c
    c.add_(1)
    attempt(lambda: u.sum().backward())
    y = x * 1
    v = y[0:2]
    p = v * v
    y.add_(1)
    attempt(lambda: p.sum().backward())


@scenario
def inplace_history():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 1
    y.fill_(2)
    print(y)
    y = x * 1
    y.zero_()
    print(y)
    a = x.clone()
    a[1] = x[0] * 10
    print(a)
    a.sum().backward()
    print(x.grad)
    z = torch.zeros(1, 3)
    w = z[0, 1]
    w.copy_(x[2] * x[2])
    print(z, w, w._version)


@scenario
def index_assignment():
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    y[1] = 5
    print(y, [(name(f), i) for f, i in y.grad_fn.next_functions])
    y.sum().backward()
    print(x.grad)
    attempt(lambda: x.__setitem__(0, 1.0))
    z = torch.zeros(2)
    z[0] = 7
    print(z)


@scenario
def leaf_backward():
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    x.backward(torch.tensor([3.0, 4.0]))
    print(x.grad)
    x.sum().backward()
    print(x.grad)


@scenario
def broadcast_grads():
    a = torch.ones(3, 1, requires_grad=True)
    b = torch.ones(1, 4, requires_grad=True)
    c = torch.ones(4, requires_grad=True)
    s = torch.tensor(1.0, requires_grad=True)
    (a * b + c + s).sum().backward()
    print(a.grad, b.grad, c.grad, s.grad)
    d = torch.ones(2, dtype=torch.float64, requires_grad=True)
    (d * torch.ones(2)).sum().backward(torch.tensor(2, dtype=torch.int64))
    print(d.grad)


@scenario
def saved_tensor_checks():
    # Every saved variable is checked when its node runs, whichever gradient is wanted.
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    p = torch.pow(x, torch.tensor([2.0, 3.0]))
    p.add_(1)
    attempt(lambda: p.sum().backward())
    h = x * 1
    m = h.mean(0)
    g = h.gather(0, torch.tensor([1]))
    l = torch.nn.functional.nll_loss(h.view(1, 2), torch.tensor([0]))
    h.add_(1)
    attempt(lambda: m.backward())
    attempt(lambda: g.sum().backward())
    attempt(lambda: l.backward())
    # A second backward fails through any node that saved something (a number counts).
    i, o = torch.tensor([1]), torch.ones(1)
    for f in (lambda: x * 2.0, lambda: x / 2, lambda: x.mean(0), lambda: x.sum(0), lambda: x + 2,
              lambda: x.scatter_add(0, i, o), lambda: x.scatter(0, i, o)):
        s = f().sum()
        s.backward()
        attempt(lambda: s.backward())
    y = x * 1
    y.mul_(3)
    s = y.sum()
    s.backward()
    attempt(lambda: s.backward())
    y = x.clone()
    y.div_(2.0)
    s = y.sum()
    s.backward()
    attempt(lambda: s.backward())
    y = x.clone()
    y.pow_(torch.tensor([2.0, 3.0]))  # the result is kept even when only x's gradient is wanted
    y.add_(1)
    attempt(lambda: y.sum().backward())
    z = torch.zeros(2, 2)
    z[0] = x
    s = z.sum()
    s.backward()
    attempt(lambda: s.backward())
    print(x.grad)


@scenario
def write_overlap():
    # PyTorch's order for copy_: autograd's rules, the written tensor's own overlap, its overlap
    # with the source, then the shape.
    x = torch.ones(2, 2, requires_grad=True)
    attempt(lambda: x.copy_(torch.ones(3)))
    attempt(lambda: torch.ones(2).expand(2, 2).copy_(torch.ones(3)))
    z = torch.tensor([1.0, 2.0, 3.0, 4.0])
    attempt(lambda: z[1:].copy_(z[:2]))
    attempt(lambda: z[1:].copy_(z[:3]))
    attempt(lambda: z[1:].copy_(z[:3].view(3, 1)[:, 0]))
    m = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    attempt(lambda: m.copy_(m[1]))
    attempt(lambda: m.copy_(m.t()))
    attempt(lambda: m.add_(m.t()))
    attempt(lambda: z[1:].mul_(z[:3]))
    m.copy_(m)
    m.copy_(m[0].expand(2, 2))
    z[2:].copy_(z[:2])
    print(z, m)


@scenario
def modified_names():
    # The modified-by-inplace message names hand-written nodes by their C++ names.
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    z = torch.zeros(3)
    z[0] = x[0]
    u = z.sin()
    z[1] = x[1]
    attempt(lambda: u.sum().backward())
    z = torch.zeros(3)
    z.copy_(x)
    u = z.sin()
    z.copy_(x)
    attempt(lambda: u.sum().backward())
    y = x.clone()
    v = y[0:2]
    u = v.sin()
    y[2] = 1
    attempt(lambda: u.sum().backward())


@scenario
def other_values():
    # A leaf that stops requiring grad after the graph was recorded gets no gradient.
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    x.requires_grad_(False)
    y.backward()
    print(x.grad)
    x.requires_grad_(True)
    y = (x * 3).sum()
    x.requires_grad_(False)
    x.requires_grad_(True)
    y.backward()
    print(x.grad)
    # backward(inputs=) accumulates into a non-leaf too; reading its filled .grad does not warn.
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    a = x * 2
    s = (a * a).sum()
    s.backward(inputs=[x, a], retain_graph=True)
    s.backward(inputs=[x, a])
    print(x.grad, a.grad)
    # mse_loss promotes its operands after broadcasting them.
    d = torch.tensor(2.0, dtype=torch.float64)
    f = torch.tensor([1.0, 2.0], requires_grad=True)
    print(torch.nn.functional.mse_loss(d, f), torch.nn.functional.mse_loss(f, d))
    attempt(lambda: torch.nn.functional.mse_loss(f, torch.ones(3), reduction="bad"))
    # ... but its backward kernel wants one dtype: a mixed pair fails there.
    attempt(lambda: torch.nn.functional.mse_loss(d, f).backward())
    attempt(lambda: torch.nn.functional.mse_loss(f, d).backward())
    g = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    attempt(lambda: torch.nn.functional.mse_loss(torch.ones(2), g).backward())
    # x[()] = v writes x itself (CopyBackwards); x[0] = v writes a view (CopySlices).
    y = f.sum() * 1
    y[()] = 1.5
    z = f * 1
    z[0] = 2.5
    print(y, z)


@scenario
def stale_views():
    # A piece of chunk/unbind/split, or a view made in no_grad mode, whose base (or another view)
    # was written in place has a history PyTorch refuses to regenerate: every use fails.
    x = torch.ones(4, requires_grad=True)
    h = x * 1
    a, b = h.chunk(2)
    h.add_(1)
    print(a.requires_grad)
    attempt(lambda: a.grad_fn)
    attempt(lambda: print(b))
    attempt(lambda: (a * 2).sum().backward())
    attempt(lambda: torch.cat([a, b]))
    y = torch.zeros(2)
    attempt(lambda: y.add_(b))
    print(y)
    attempt(lambda: torch.autograd.grad(h.sum(), a))
    attempt(lambda: a.mul_(2))
    with torch.no_grad():
        v = h[0:2]
    h.mul_(2)
    attempt(lambda: v.grad_fn)
    u = h[0:2]  # made with grad mode on: regenerated as AsStridedBackward0
    h.mul_(2)
    print(u.grad_fn.name())
    p, q = (x * 1).chunk(2)
    with torch.no_grad():
        p.mul_(2)
    attempt(lambda: p.sum().backward())
    r, _ = torch.ones(4).chunk(2)  # nothing requires grad: nothing to regenerate
    r.mul_(2)
    print(r)


@scenario
def view_requires_grad():
    # A view requires grad when its base does, but one made in no_grad mode (or before its base
    # required grad) has no history and is no leaf that accumulates.
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    with torch.no_grad():
        v = x[0:1]
    y = v * 2
    print(v.requires_grad, v.is_leaf, y.requires_grad, [(name(f), i) for f, i in y.grad_fn.next_functions])
    y.sum().backward()
    print(x.grad, v.grad)
    attempt(lambda: v.sum().backward())
    with torch.no_grad():
        w = x.view(2)
    attempt(lambda: w.backward(torch.ones(2)))
    attempt(lambda: torch.autograd.grad(y.sum(), v))
    b = torch.zeros(3)
    u = b[0:2]
    b.requires_grad_()
    print(u.requires_grad, u.is_leaf)
    attempt(lambda: u.add_(1))
    attempt(lambda: torch.autograd.grad((b + 2).sum(), [b, u]))
    # the view-of-a-leaf rule reads the view, not the base's flag now
    c = torch.tensor([1.0, 2.0], requires_grad=True)
    s = c.squeeze(-1)
    c.detach_()
    attempt(lambda: s.mul_(torch.tensor([1.0, 2.0], requires_grad=True)))
    e = torch.zeros(3, 0, 1, requires_grad=True)
    with torch.no_grad():
        t = e.transpose(-1, 1)
        t.mul_(-2)
    attempt(lambda: print(t))


def main():
    warnings.simplefilter("ignore")
    for fn in SCENARIOS:
        print("##", fn.__name__)
        fn()


if __name__ == "__main__":
    main()
