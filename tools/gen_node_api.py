"""Golden output for tests/test_node_api.c: the Node API of PyTorch 1.13 (next_functions, node
pre-hooks and hooks, hooks on AccumulateGrad, their order among tensor hooks, what they receive and
replace, removal, their errors).

Each scenario prints a header '## name' and then what the matching C function prints: a hook's
call as its label and the gradients it got (None for an absent one), errors as 'RuntimeError:
<message>'. The hooks are Python functions named 'hook', whose name PyTorch's messages quote; the
C test quotes its handle there and prints 'hook' in its place.
Run: /usr/bin/python3 tools/gen_node_api.py > tests/data/node_api.txt"""
import torch

SCENARIOS = []


def scenario(fn):
    SCENARIOS.append(fn)
    return fn


def name(node):
    return "None" if node is None else type(node).__name__


def show(*values):
    print(*["None" if v is None else v for v in values])


def f32(*values):
    return torch.tensor(values)


def leaf(*values):
    return f32(*values).requires_grad_(True)


def show_next(fn):
    print(name(fn), [(name(n), nr) for n, nr in fn.next_functions])


def error(f):
    try:
        f()
    except RuntimeError as e:
        print("RuntimeError:", e)


@scenario
def next_functions():
    x, w = leaf(1.0, 2.0), f32(3.0, 4.0)
    y = x * 3
    z = (y * w).sum()
    show_next(z.grad_fn)
    show_next(z.grad_fn.next_functions[0][0])
    show_next(y.grad_fn)
    acc = y.grad_fn.next_functions[0][0]
    show_next(acc)
    print((x * 2).grad_fn.next_functions[0][0] is acc)
    a, b = x.unbind(0)
    show_next((b * a).grad_fn)
    show_next(a.grad_fn)


def logging_prehook(label, add=None):
    def hook(grads):
        show(label, *grads)
        if add is not None:
            return tuple(g + add for g in grads)
    return hook


def logging_tensor_hook(label, scale=None):
    def hook(grad):
        show(label, grad)
        if scale is not None:
            return grad * scale
    return hook


def hook_order(order):
    x = leaf(1.0, 2.0)
    y = x * 3
    for item in order:
        if item.startswith("p"):
            y.grad_fn.register_prehook(logging_prehook(item, 1))
        elif item.startswith("t"):
            y.register_hook(logging_tensor_hook(item, 2))
        else:
            y.retain_grad()
    y.sum().backward()
    show(x.grad)
    if "r" in order:
        show(y.grad)


@scenario
def prehooks_then_tensor_hooks():
    hook_order(["p1", "t1", "p2", "t2"])


@scenario
def tensor_hooks_then_prehooks():
    hook_order(["t1", "p1", "t2", "p2"])


@scenario
def retain_grad_among_hooks():
    hook_order(["p1", "t1", "r", "p2", "t2"])


@scenario
def post_hooks():
    x, w = leaf(1.0, 2.0), f32(3.0, 4.0)
    y = x * 3
    m = y * w
    log = []

    def post1(grad_inputs, grad_outputs):
        show("post1", *grad_inputs, *grad_outputs)

    def post2(grad_inputs, grad_outputs):
        show("post2", *grad_inputs, *grad_outputs)
        return (grad_inputs[0] * 2, None)

    m.grad_fn.register_prehook(lambda grads: (grads[0] * 10,))
    m.grad_fn.register_hook(post1)
    m.grad_fn.register_hook(post2)
    m.sum().backward()
    show(x.grad)


@scenario
def accumulate_grad_hooks():
    x = leaf(1.0, 2.0)
    x.register_hook(logging_tensor_hook("t1", 2))
    y = x * 3
    acc = y.grad_fn.next_functions[0][0]

    def post(grad_inputs, grad_outputs):
        show("post", len(grad_inputs), *grad_outputs, x.grad)

    acc.register_prehook(logging_prehook("p1", 1))
    acc.register_hook(post)
    y.sum().backward(retain_graph=True)
    show(x.grad)
    torch.autograd.grad(y.sum(), x)  # autograd.grad does not run the input's AccumulateGrad
    print("after grad")


@scenario
def grad_runs_node_hooks():
    x = leaf(1.0, 2.0)
    y = x * 3
    y.grad_fn.register_prehook(logging_prehook("pre"))
    y.grad_fn.register_hook(lambda gi, go: show("post", *gi, *go))
    show(*torch.autograd.grad(y.sum(), x))


@scenario
def removed_hooks():
    x = leaf(1.0, 2.0)
    y = x * 3
    h1 = y.grad_fn.register_prehook(logging_prehook("pre", 100))
    h2 = y.grad_fn.register_hook(lambda gi, go: show("post", *gi))
    y.grad_fn.register_hook(lambda gi, go: show("kept", *gi, *go))
    h1.remove()
    h2.remove()
    h2.remove()
    y.sum().backward()
    show(x.grad)


@scenario
def accumulator_of_a_dead_graph():
    x = leaf(1.0, 2.0)
    y = x * 3
    y.grad_fn.next_functions[0][0].register_prehook(logging_prehook("old"))
    del y
    y = x * 3
    y.grad_fn.next_functions[0][0].register_prehook(logging_prehook("new"))
    y.sum().backward()
    show(x.grad)


def prehook_returning(make):
    x = leaf(1.0, 2.0)
    y = x * 3

    def hook(grads):
        return make(grads)

    y.grad_fn.register_prehook(hook)
    error(lambda: y.sum().backward())
    show(x.grad)


def post_hook_returning(make):
    x = leaf(1.0, 2.0)
    y = x * 3

    def hook(grad_inputs, grad_outputs):
        return make(grad_inputs)

    y.grad_fn.register_hook(hook)
    error(lambda: y.sum().backward())
    show(x.grad)


@scenario
def hook_results_checked():
    prehook_returning(lambda g: (g[0].double(),))
    prehook_returning(lambda g: (torch.ones(3),))
    prehook_returning(lambda g: (None,))
    post_hook_returning(lambda g: (g[0].double(), None))
    post_hook_returning(lambda g: (torch.ones(3), None))
    post_hook_returning(lambda g: (None, torch.ones(2)))
    x = leaf(1.0, 2.0)
    a, b = x.unbind(0)

    def hook(grads):
        return (grads[0], torch.ones(()))

    a.grad_fn.register_prehook(hook)
    error(lambda: a.backward())
    show(x.grad)


if __name__ == "__main__":
    for fn in SCENARIOS:
        print("##", fn.__name__)
        fn()
