"""Golden output for tests/test_backward_edges.c: backward formulas at their edges in PyTorch 1.13.

Absent incoming gradients, integer and bool outputs, in-place writes on the base of a view,
second derivatives, inf and NaN incoming gradients, signed zeros, and the node names of
double-backward graphs. Each scenario prints a header '## name' and then what the matching C
function prints (tensors as repr, None for an absent gradient, errors as 'RuntimeError: <message>').
Run: /usr/bin/python3 tools/gen_backward_edges.py > tests/data/backward_edges.txt"""
import struct

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


@scenario
def backward_inputs_through_hooks():
    """backward(inputs=) runs the inputs' own hooks and accumulates a tensor listed twice once;
    autograd.grad's results see no hooks (PyTorch 1.13)."""
    t0 = leaf(torch.tensor([-0.6186749935150146]))
    t0.register_hook(lambda g: g * 2)
    t0.tanh().backward(retain_graph=True, inputs=[t0])
    print(t0.grad)
    print(torch.autograd.grad(t0.tanh(), [t0])[0])
    t1 = leaf(f64(1.5, -2.0, 0.0))
    t3 = t1.flatten(-1, -1)
    t1.squeeze().sum().backward(inputs=[t3, t1])
    print(t1.grad)
    x = leaf(torch.tensor([1.0, 2.0]))
    y = x * 3
    y.register_hook(lambda g: g * 10)
    (y * y).sum().backward(inputs=[y], retain_graph=True)
    print(y.grad, x.grad)
    print(torch.autograd.grad((y * y).sum(), [y])[0])


def layout(t):
    return "%s %s %d" % (list(t.shape), list(t.stride()), t.storage_offset())


@scenario
def grad_kept_as_it_arrives():
    """AccumulateGrad keeps the incoming gradient when nothing else holds it and its layout is the
    leaf's: a piece of stack's or split's gradient stays a view (PyTorch's storage offsets)."""
    a = leaf(torch.tensor([0.0]))
    b = torch.tensor([1.0])
    torch.stack([b, a], -2).mean().backward()
    print(layout(a.grad), a.grad)
    c = leaf(torch.tensor([[1.0]]))
    d = leaf(torch.tensor([[2.0, 3.0]]))
    torch.cat([c, d], 1).sum().backward()
    print(layout(c.grad), layout(d.grad))
    e = leaf(torch.tensor([1.0, 2.0, 3.0, 4.0]))
    p, q = e.split(2)
    (p * torch.tensor([1.0, 2.0]) + 0).sum().backward(retain_graph=True)
    print(layout(e.grad))
    f = leaf(torch.tensor([[1.0, 2.0], [3.0, 4.0]]))
    g = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    (f * 2).backward(g)
    print(layout(f.grad), f.grad)
    g.add_(1)
    print(f.grad)
    h = leaf(torch.tensor([[1.0, 2.0], [3.0, 4.0]]))
    h.t().backward(g)
    print(layout(h.grad))
    # a tensor hook's result that the caller holds is copied, not kept: later backwards leave it alone
    held = torch.tensor([5.0, 7.0])
    x = leaf(torch.tensor([1.0, 2.0]))
    x.register_hook(lambda grad: held)
    (x * 3).sum().backward()
    (x * 3).sum().backward()
    print(held)
    print(x.grad)


@scenario
def pow_with_a_false_exponent():
    for e in [0, 0.0, False]:
        x = leaf(torch.tensor([-0.5, 0.0, 2.0]))
        g, = torch.autograd.grad(x.pow(e), [x], torch.ones(3))
        print(g)


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


# ---- 4: second derivatives ----

def hessian_times(f, x, v):
    """(grad of f at x, with create_graph) and H v, or the error of the second grad."""
    x = leaf(x.clone())
    g, = torch.autograd.grad(f(x), [x], create_graph=True)
    print(history_name(g), g.detach())
    try:
        print(torch.autograd.grad(g, [x], v)[0])
    except RuntimeError as e:
        print("RuntimeError:", e)


@scenario
def second_derivatives():
    m = torch.tensor
    d = torch.float64
    hessian_times(lambda x: x.prod(1).sum(), m([[0.0, 2.0, 3.0]], dtype=d), torch.ones(1, 3, dtype=d))
    hessian_times(lambda x: x.prod(1).sum(), m([[0.0, 2.0, 0.0], [1.0, 2.0, 3.0]], dtype=d), torch.ones(2, 3, dtype=d))
    hessian_times(lambda x: x.prod(0).sum(), m([[0.0, 2.0, 0.0], [0.0, 2.0, 3.0], [4.0, 0.0, 5.0]], dtype=d),
                  torch.arange(9.0, dtype=d).view(3, 3))
    hessian_times(lambda x: x.prod(1, keepdim=True).sum(), m([[0.0, 2.0, 0.0, 7.0]], dtype=d), torch.ones(1, 4, dtype=d))
    hessian_times(lambda x: x.prod(), m([[0.0, 2.0, 3.0]], dtype=d), torch.ones(1, 3, dtype=d))
    hessian_times(lambda x: x.prod(), m([[0.0, 2.0, 0.0]], dtype=d), torch.ones(1, 3, dtype=d))
    hessian_times(lambda x: x.prod(), m([1.5, -2.0, 3.0], dtype=d), torch.ones(3, dtype=d))
    hessian_times(lambda x: x.std(), m([2.0, 2.0, 2.0], dtype=d), m([1.0, 2.0, 4.0], dtype=d))
    hessian_times(lambda x: x.std(1).sum(), m([[2.0, 2.0, 2.0], [1.0, 2.0, 3.0]], dtype=d),
                  m([[1.0, 2.0, 4.0], [1.0, 2.0, 4.0]], dtype=d))
    hessian_times(lambda x: (x * x).max(1)[0].sum(), m([[1.0, -3.0], [2.0, 0.5]], dtype=d), torch.ones(2, 2, dtype=d))
    hessian_times(lambda x: (x * x).max(), m([[1.0, -3.0], [2.0, 3.0]], dtype=d), torch.ones(2, 2, dtype=d))
    hessian_times(lambda x: x.norm(), m([0.0, 0.0], dtype=d), m([1.0, 2.0], dtype=d))
    hessian_times(lambda x: x.norm(3), m([0.0, 0.0], dtype=d), m([1.0, 2.0], dtype=d))
    hessian_times(lambda x: x.norm(2, 1).sum(), m([[0.0, 0.0], [3.0, -4.0]], dtype=d), torch.ones(2, 2, dtype=d))
    hessian_times(lambda x: x.norm(0.5), m([1.0, 4.0], dtype=d), m([1.0, 2.0], dtype=d))
    hessian_times(lambda x: (x * x).abs().sum(), m([0.0, 1.0, -2.0], dtype=d), m([1.0, 2.0, 3.0], dtype=d))
    hessian_times(lambda x: (x * x - 1).relu().sum(), m([1.0, 0.5, -2.0], dtype=d), m([1.0, 2.0, 3.0], dtype=d))
    hessian_times(lambda x: (x * x).clamp(0.25, 4.0).sum(), m([0.5, 2.0, 1.0], dtype=d), m([1.0, 2.0, 3.0], dtype=d))
    hessian_times(lambda x: torch.maximum(x * x, m([1.0, 1.0, 1.0], dtype=d)).sum(), m([1.0, -1.0, 2.0], dtype=d),
                  m([1.0, 2.0, 3.0], dtype=d))
    hessian_times(lambda x: torch.where(x > 0, x ** 3, x ** 2).sum(), m([0.0, 1.0, -2.0], dtype=d), m([1.0, 2.0, 3.0], dtype=d))
    hessian_times(lambda x: x.softmax(0)[0], m([0.5, -1.0, 2.0], dtype=d), m([1.0, 2.0, 3.0], dtype=d))
    hessian_times(lambda x: torch.nn.functional.mse_loss(x * x, m([1.0, 0.0, 4.0], dtype=d)), m([1.0, 0.5, -2.0], dtype=d),
                  m([1.0, 2.0, 3.0], dtype=d))
    hessian_times(lambda x: torch.nn.functional.cross_entropy(x.view(1, 3) * x.view(1, 3), torch.tensor([2])),
                  m([1.0, 0.5, -2.0], dtype=d), m([1.0, 2.0, 3.0], dtype=d))
    hessian_times(lambda x: x.sigmoid().prod(), m([0.0, 1.0, -2.0], dtype=d), m([1.0, 2.0, 3.0], dtype=d))


@scenario
def second_order_through_inplace_view():
    x = leaf(torch.tensor(2.0, dtype=torch.float64))
    y = leaf(torch.tensor(3.0, dtype=torch.float64))
    a = f64(1.0, 2.0, 5.0) * 1
    v = a[2]
    v.div_(x)
    m = y * v
    gx, gy = torch.autograd.grad(m, [x, y], create_graph=True)
    print(gx.detach(), gy.detach())
    print(torch.autograd.grad(gx, [x, y], allow_unused=True, retain_graph=True))
    print(torch.autograd.grad(gy, [x, y], allow_unused=True))
    a = f64(1.0, 2.0, 5.0, -1.0) * y
    v = a[1:]
    v.mul_(x)
    m = (a * a).sum() * y
    gx, gy = torch.autograd.grad(m, [x, y], create_graph=True)
    print(gx.detach(), gy.detach())
    print(torch.autograd.grad(gx + gy, [x, y]))
    b = (x * y).expand(3).clone()
    b[0].mul_(x)
    gx, gy = torch.autograd.grad((b * b).sum(), [x, y], create_graph=True)
    print(torch.autograd.grad(gx * gy, [x, y]))


@scenario
def var_without_degrees_of_freedom():
    inputs = [torch.tensor(2.0, dtype=torch.float64), f64(2.0), torch.tensor([[2.0]], dtype=torch.float64),
              torch.zeros(0, dtype=torch.float64), torch.zeros(2, 0, dtype=torch.float64)]
    for x0 in inputs:
        for f in [lambda x: x.var(), lambda x: x.std(), lambda x: x.var(unbiased=False), lambda x: x.var(0)]:
            x = leaf(x0.clone())
            y = f(x)
            try:
                y.backward(torch.full_like(y, -2.0))
                print(y.detach(), x.grad)
            except RuntimeError as e:
                print(y.detach(), "RuntimeError:", e)


def float32_bits(t):
    return " ".join(str(struct.unpack("I", struct.pack("f", v))[0]) for v in t.flatten().tolist())


@scenario
def prod_float32_bits():
    """prod's gradient at zeros, bit for bit (PyTorch's exclusive cumulative products)."""
    x0 = torch.tensor([[1.3, 0.7, 1.9, 0.0, 1.1, 0.45, 1.7, 0.9],
                       [0.3, 1.6, 1.2, 0.8, 1.4, 0.65, 1.05, 1.9],
                       [0.0, 1.6, 0.0, 0.8, 1.4, 0.65, 1.05, 1.9]], dtype=torch.float32)
    for f in [lambda x: x.prod(1).sum(), lambda x: x.prod(0).sum(), lambda x: x[:2].prod()]:
        x = leaf(x0.clone())
        f(x).backward()
        print(float32_bits(x.grad))


# ---- 5 and 6: inf, NaN and negative incoming gradients (no mask multiplied in, no -0) ----

def edge_cases():
    """(name, fn, x, gradient) rows; the C twin lists the same rows in the same order."""
    inf = float("inf")
    x = torch.tensor([[1.0, 3.0], [2.0, 0.0]], dtype=torch.float64)
    full = lambda v: torch.full((2, 2), v, dtype=torch.float64)  # noqa: E731
    two = torch.ones(2, 2, dtype=torch.float64) * 2
    nll = torch.nn.functional.nll_loss
    return [
        ("max_dim", lambda x: torch.max(x, 1)[0], x, f64(inf, 1.0)),
        ("min_dim", lambda x: torch.min(x, 1)[0], x, f64(inf, -inf)),
        ("max_dim_keepdim", lambda x: torch.max(x, 0, keepdim=True)[0], x, torch.tensor([[-1.0, inf]], dtype=torch.float64)),
        ("max", lambda x: torch.max(x), x, torch.tensor(inf, dtype=torch.float64)),
        ("min", lambda x: torch.min(x), x, torch.tensor(-1.0, dtype=torch.float64)),
        ("relu", lambda x: (x - 1).relu(), x, full(inf)),
        ("relu_neg", lambda x: (x - 1).relu(), x, full(-1.0)),
        ("clamp", lambda x: x.clamp(0.5, 2.5), x, full(inf)),
        ("clamp_neg", lambda x: x.clamp(0.5, 2.5), x, full(-1.0)),
        ("abs", lambda x: x.abs(), x, full(inf)),
        ("abs_neg", lambda x: x.abs(), x, full(-1.0)),
        ("maximum", lambda x: torch.maximum(x, two), x, full(inf)),
        ("minimum", lambda x: torch.minimum(x, two), x, full(-inf)),
        ("maximum_neg", lambda x: torch.maximum(x, two), x, full(-1.0)),
        ("masked_fill", lambda x: x.masked_fill(x > 1, 0.0), x, full(inf)),
        ("masked_fill_neg", lambda x: x.masked_fill(x > 1, 0.0), x, full(-1.0)),
        ("where", lambda x: torch.where(x > 1, x, 2 * x), x, full(inf)),
        ("where_neg", lambda x: torch.where(x > 1, x, two), x, full(-1.0)),
        ("nll_ignored", lambda x: nll(x, torch.tensor([1, -100])), x, torch.tensor(inf, dtype=torch.float64)),
        ("nll_none", lambda x: nll(x, torch.tensor([1, -100]), reduction="none"), x, f64(inf, inf)),
        ("nll_neg", lambda x: nll(x, torch.tensor([1, 0])), x, torch.tensor(-1.0, dtype=torch.float64)),
        ("cross_entropy", lambda x: torch.nn.functional.cross_entropy(x, torch.tensor([1, 0])), x, torch.tensor(0.0, dtype=torch.float64)),
        ("prod_zeros", lambda x: x.prod(), f64(0.0, 2.0, 0.0), torch.tensor(inf, dtype=torch.float64)),
        ("prod_dim_zeros", lambda x: x.prod(0), torch.tensor([[0.0, 2.0], [0.0, 3.0]], dtype=torch.float64), f64(inf, 1.0)),
        ("prod_one_zero", lambda x: x.prod(), f64(0.0, 2.0, 3.0), torch.tensor(inf, dtype=torch.float64)),
        ("prod_neg", lambda x: x.prod(), f64(0.0, 2.0, 0.0), torch.tensor(-1.0, dtype=torch.float64)),
        ("sign", lambda x: x.sign(), x, full(inf)),
        ("select", lambda x: x[0], x, f64(inf, -1.0)),
        ("slice", lambda x: x[:, 1:], x, torch.tensor([[-1.0], [inf]], dtype=torch.float64)),
        ("index_select", lambda x: x.index_select(0, torch.tensor([1])), x, torch.tensor([[inf, -1.0]], dtype=torch.float64)),
        ("gather", lambda x: x.gather(1, torch.tensor([[1], [0]])), x, torch.tensor([[inf], [-1.0]], dtype=torch.float64)),
        ("std_zero", lambda x: x.std(), f64(1.0, 1.0), torch.tensor(inf, dtype=torch.float64)),
        ("norm_zero", lambda x: x.norm(), f64(0.0, 0.0), torch.tensor(1.0, dtype=torch.float64)),
        ("norm_inf", lambda x: x.norm(float("inf")), f64(1.0, -3.0), torch.tensor(inf, dtype=torch.float64)),
        ("norm_zero_inf", lambda x: x.norm(), f64(0.0, 0.0), torch.tensor(inf, dtype=torch.float64)),
        ("norm3_zero_inf", lambda x: x.norm(3), f64(0.0, 0.0), torch.tensor(inf, dtype=torch.float64)),
        ("norm1_5_zero", lambda x: x.norm(1.5), f64(0.0, 0.0), torch.tensor(-1.0, dtype=torch.float64)),
        ("norm_half", lambda x: x.norm(0.5), f64(0.0, 4.0), torch.tensor(-1.0, dtype=torch.float64)),
        ("norm_dim_zero", lambda x: x.norm(2, 1), torch.tensor([[0.0, 0.0], [3.0, -4.0]], dtype=torch.float64), f64(inf, -1.0)),
        ("unbind", lambda x: x.unbind(0)[1], x, f64(inf, -1.0)),
        ("expand", lambda x: x[0].expand(2, 2), x, full(-1.0)),
        ("mul_zero", lambda x: x * torch.zeros(2, 2, dtype=torch.float64), x, full(-1.0)),
        ("div_neg", lambda x: x / two, x, full(-0.0)),
        ("norm1_zero", lambda x: x.norm(1), f64(0.0, 2.0), torch.tensor(-1.0, dtype=torch.float64)),
        ("pow_zero", lambda x: x ** 2, x, full(-1.0)),
        ("sqrt_zero", lambda x: x.sqrt(), x, full(-1.0)),
        ("mse_equal", lambda x: torch.nn.functional.mse_loss(x, x.detach()), x, torch.tensor(-1.0, dtype=torch.float64)),
        ("softmax_neg", lambda x: x.softmax(1), x, torch.tensor([[-1.0, -1.0], [0.0, -0.0]], dtype=torch.float64)),
        ("log_softmax_neg", lambda x: x.log_softmax(0), x, torch.tensor([[-1.0, 0.0], [1.0, -0.0]], dtype=torch.float64)),
        ("cat", lambda x: torch.cat([x, x], 1), x, torch.tensor([[-1.0, 0, 0, inf], [-0.0, 1, -1, 0]], dtype=torch.float64)),
        ("sum_dim", lambda x: x.sum(1), x, f64(-0.0, inf)),
        ("mean_all", lambda x: x.mean(), x, torch.tensor(-0.0, dtype=torch.float64)),
        ("bce", lambda x: torch.nn.functional.binary_cross_entropy_with_logits(x, torch.sigmoid(x.detach())), x,
         torch.tensor(-1.0, dtype=torch.float64)),
        ("scatter_add", lambda x: torch.zeros(2, 3, dtype=torch.float64).scatter_add(1, torch.tensor([[0, 2], [1, 1]]), x), x,
         torch.tensor([[-1.0, inf, 2.0], [0.0, -1.0, inf]], dtype=torch.float64)),
        ("clamp_min_neg", lambda x: x.clamp(min=1.5), x, full(-1.0)),
        ("tanh_inf", lambda x: (x * 10).tanh(), x, full(inf)),
        ("sigmoid_inf", lambda x: (x * 100).sigmoid(), x, full(inf)),
    ]


@scenario
def inf_and_signed_zero_gradients():
    for op, f, x, g in edge_cases():
        x = leaf(x.clone())
        f(x).backward(g)
        print(op, x.grad)


@scenario
def masked_fill_with_a_tensor():
    x = leaf(torch.tensor([[1.0, -2.0], [3.0, -4.0]], dtype=torch.float64))
    v = leaf(torch.tensor(0.5, dtype=torch.float64))
    y = x.masked_fill(x < 0, v)
    print(y)
    (y * torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=torch.float64)).sum().backward()
    print(x.grad, v.grad)
    try:
        x.masked_fill(x < 0, torch.tensor([1.0]))
    except RuntimeError as e:
        print("RuntimeError:", e)
    print(torch.tensor([1, 2]).masked_fill(torch.tensor([True, False]), torch.tensor(7.9)))


# ---- 7: node names in double-backward graphs ----

def history_name(t):
    if t is None:
        return "None"
    if t.grad_fn is not None:
        return type(t.grad_fn).__name__
    return "leaf" if t.requires_grad else "nograd"


def next_names(t):
    """Python's [(name(f), i) for f, i in t.grad_fn.next_functions], or [] without a grad_fn."""
    if t is None or t.grad_fn is None:
        return "[]"
    return "[" + ", ".join("(%s, %d)" % (name(f), i) for f, i in t.grad_fn.next_functions) + "]"


DOUBLE_BACKWARD_OPS = [
    ("mul", lambda x, y: x * y),
    ("div", lambda x, y: x / y),
    ("pow_scalar", lambda x, y: x ** 3),
    ("exp", lambda x, y: x.exp()),
    ("sin", lambda x, y: x.sin()),
    ("tanh", lambda x, y: x.tanh()),
    ("sigmoid", lambda x, y: x.sigmoid()),
    ("relu", lambda x, y: x.relu()),
    ("abs", lambda x, y: x.abs()),
    ("var", lambda x, y: x.var()),
    ("std", lambda x, y: x.std()),
    ("prod_dim", lambda x, y: x.prod(1)),
    ("mm", lambda x, y: x.mm(y.t())),
    ("where", lambda x, y: torch.where(x > 0, x, y)),
    ("clamp", lambda x, y: x.clamp(-1, 1)),
    ("max_dim", lambda x, y: x.max(1)[0]),
    ("nll_loss", lambda x, y: torch.nn.functional.nll_loss(x, torch.tensor([0, 2]))),
    ("clone", lambda x, y: x.clone()),
    ("to_copy", lambda x, y: x.to(torch.float32)),
    ("add", lambda x, y: x + y),
    ("sub", lambda x, y: x - y),
    ("add_scalar", lambda x, y: x + 2),
    ("rsub_scalar", lambda x, y: 2 - x),
    ("mul_scalar", lambda x, y: x * 2),
    ("div_scalar", lambda x, y: x / 2),
    ("pow", lambda x, y: x.abs() ** y),
    ("rpow_scalar", lambda x, y: 2 ** x),
    ("reciprocal", lambda x, y: 1 / x),
    ("maximum", lambda x, y: torch.maximum(x, y)),
    ("minimum", lambda x, y: torch.minimum(x, y)),
    ("neg", lambda x, y: -x),
    ("log", lambda x, y: x.abs().log()),
    ("log1p", lambda x, y: x.abs().log1p()),
    ("sqrt", lambda x, y: x.abs().sqrt()),
    ("sign", lambda x, y: x.sign()),
    ("cos", lambda x, y: x.cos()),
    ("tan", lambda x, y: x.tan()),
    ("sum", lambda x, y: x.sum()),
    ("sum_dims", lambda x, y: x.sum(1)),
    ("mean", lambda x, y: x.mean()),
    ("mean_dims", lambda x, y: x.mean(1)),
    ("norm", lambda x, y: x.norm()),
    ("prod", lambda x, y: x.prod()),
    ("max", lambda x, y: x.max()),
    ("min_dim", lambda x, y: x.min(1)[0]),
    ("view", lambda x, y: x.view(6)),
    ("expand", lambda x, y: x.expand(2, 2, 3)),
    ("permute", lambda x, y: x.permute(1, 0)),
    ("select", lambda x, y: x[1]),
    ("slice", lambda x, y: x[:, 1:]),
    ("unbind", lambda x, y: x.unbind(0)[0]),
    ("split", lambda x, y: x.split(1)[0]),
    ("cat", lambda x, y: torch.cat([x, y])),
    ("stack", lambda x, y: torch.stack([x, y])),
    ("index_select", lambda x, y: x.index_select(1, torch.tensor([0, 2]))),
    ("gather", lambda x, y: x.gather(1, torch.tensor([[0], [2]]))),
    ("scatter_add", lambda x, y: x.scatter_add(1, torch.tensor([[0], [2]]), y[:, :1])),
    ("masked_fill", lambda x, y: x.masked_fill(x > 0, 3.0)),
    ("mv", lambda x, y: x.mv(y[0])),
    ("dot", lambda x, y: x[0].dot(y[0])),
    ("bce", lambda x, y: torch.nn.functional.binary_cross_entropy_with_logits(x, y.sigmoid())),
    ("mse", lambda x, y: torch.nn.functional.mse_loss(x, y)),
    ("softmax", lambda x, y: x.softmax(1)),
    ("log_softmax", lambda x, y: x.log_softmax(1)),
    ("cross_entropy", lambda x, y: torch.nn.functional.cross_entropy(x, torch.tensor([0, 2]))),
    ("add_alpha", lambda x, y: torch.add(x, y, alpha=2)),
    ("sub_alpha", lambda x, y: torch.sub(x, y, alpha=2)),
    ("addcmul", lambda x, y: torch.addcmul(x, y, x, value=0.5)),
    ("addcdiv", lambda x, y: torch.addcdiv(x, x, y, value=0.5)),
    ("lerp_scalar", lambda x, y: torch.lerp(x, y, 0.25)),
    ("lerp", lambda x, y: torch.lerp(x, y, x)),
    ("clamp_tensor", lambda x, y: torch.clamp(x, y - 1, y + 1)),
    ("t", lambda x, y: x.t()),
    ("transpose", lambda x, y: x.transpose(0, 1)),
    ("unsqueeze", lambda x, y: x.unsqueeze(1)),
    ("squeeze", lambda x, y: x.view(2, 1, 3).squeeze()),
    ("reshape_copy", lambda x, y: x.t().reshape(6)),
    ("narrow", lambda x, y: x.narrow(1, 1, 2)),
    ("chunk", lambda x, y: x.chunk(2, 1)[1]),
    ("mul_inplace", lambda x, y: (x * 1).mul_(y)),
    ("div_inplace_view", lambda x, y: (lambda z: (z[0].div_(y[0]), z)[1])(x * 1)),
    ("exp_inplace", lambda x, y: (x * 1).exp_()),
    ("bmm", lambda x, y: torch.bmm(x.view(1, 2, 3), y.view(1, 3, 2))),
    ("matmul_vec_mat", lambda x, y: torch.matmul(x[0], y.t())),
    ("to_double", lambda x, y: x.to(torch.float32).to(torch.float64)),
    ("pow_tensor_scalar_neg", lambda x, y: x ** -2),
    ("sqrt_twice", lambda x, y: x.abs().sqrt().sqrt()),
    ("pow_direct", lambda x, y: torch.pow(x * x + 1, y)),
    ("rpow_direct", lambda x, y: 3.0 ** x),
    ("sum_keepdim", lambda x, y: x.sum(1, keepdim=True)),
    ("mean_keepdim", lambda x, y: x.mean(0, keepdim=True)),
    ("var_dim", lambda x, y: x.var(1)),
    ("std_dim", lambda x, y: x.std(0, keepdim=True)),
    ("norm_dim", lambda x, y: x.norm(3, 1)),
    ("prod_all_nozero", lambda x, y: (x + 5).prod()),
    ("max_dim_keepdim", lambda x, y: x.max(0, keepdim=True)[0]),
    ("min_all", lambda x, y: x.min()),
]


@scenario
def double_backward_names():
    x0 = torch.tensor([[0.5, -1.2, 2.0], [1.5, 0.3, -0.7]], dtype=torch.float64)
    y0 = torch.tensor([[1.1, 0.4, -2.0], [0.2, 1.3, 0.9]], dtype=torch.float64)
    for op, f in DOUBLE_BACKWARD_OPS:
        x, y = leaf(x0.clone()), leaf(y0.clone())
        out = f(x, y)
        gx, gy = torch.autograd.grad(out, [x, y], torch.ones_like(out), create_graph=True, allow_unused=True)
        go = leaf(torch.ones_like(out))
        hx, hy = torch.autograd.grad(f(x, y), [x, y], go, create_graph=True, allow_unused=True)
        print(op, history_name(gx), history_name(gy), history_name(hx), history_name(hy), next_names(hx))


@scenario
def second_derivatives_through_masks():
    x = leaf(f64(0.5, -1.2, 2.0, -0.3))
    for f in [lambda x: x.relu(), lambda x: x.tanh(), lambda x: x.sigmoid()]:
        g, = torch.autograd.grad(f(x).sum(), [x], create_graph=True)
        print(history_name(g), torch.autograd.grad(g.sum(), [x])[0])
    m = leaf(torch.tensor([[0.5, -1.2], [2.0, -0.3]], dtype=torch.float64))
    g, = torch.autograd.grad((torch.nn.functional.nll_loss(m, torch.tensor([1, 0])) * 3) ** 2, [m], create_graph=True)
    print(history_name(g), torch.autograd.grad(g.sum(), [m])[0])
    v = (m * m).max(1)[0]
    g, = torch.autograd.grad(v.sum(), [m], create_graph=True)
    print(history_name(g), torch.autograd.grad(g.sum(), [m])[0])


def main():
    for fn in SCENARIOS:
        print("##", fn.__name__)
        fn()


if __name__ == "__main__":
    main()
