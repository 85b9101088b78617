"""Golden output for tests/test_reentrant.c: backward and autograd.grad run inside a hook that the
running backward calls, on graphs that share nodes with the running one (PyTorch's re-entrant
engine). Each scenario prints '## name' and then what its C twin prints.
Run: /usr/bin/python3 tools/gen_reentrant.py > tests/data/reentrant.txt"""
import torch

SCENARIOS = []


def scenario(fn):
    SCENARIOS.append(fn)
    return fn


@scenario
def grad_in_tensor_hook():
    # The inner graph shares SinBackward and x's AccumulateGrad with the running one.
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x.sin()
    u = y * 2
    z = (u * u).sum()
    seen = []

    def hook(g):
        with torch.enable_grad():  # a backward runs with grad mode off
            inner = (y * y).sum()
        (gx,) = torch.autograd.grad(inner, x, retain_graph=True)
        seen.append(gx)
        return g + gx

    u.register_hook(hook)
    z.backward()
    print(seen[0])
    print(x.grad)


@scenario
def grad_of_running_graph_in_hook():
    # The inner run is the running graph itself, from its root to an intermediate tensor.
    x = torch.tensor([0.5, -1.5], requires_grad=True)
    y = x.exp()
    u = y * x
    z = (u * u).sum()
    depth = [0]
    seen = []

    def hook(g):
        if depth[0]:
            return None
        depth[0] += 1
        (gy,) = torch.autograd.grad(z, y, retain_graph=True)
        depth[0] -= 1
        seen.append(gy)
        return g * 2

    u.register_hook(hook)
    z.backward(retain_graph=True)
    print(seen[0])
    print(x.grad)


@scenario
def backward_in_leaf_hook():
    # A hook of a leaf runs inside its AccumulateGrad; the backward it runs goes through the same
    # MulBackward and accumulates into both leaves before the running one does.
    w = torch.tensor([0.5, -1.0], requires_grad=True)
    x = torch.tensor([2.0, 3.0], requires_grad=True)
    h = w * x
    depth = [0]

    def hook(g):
        if depth[0]:
            return None
        depth[0] += 1
        with torch.enable_grad():
            inner = (h * h).sum()
        inner.backward(retain_graph=True)
        depth[0] -= 1
        return g

    x.register_hook(hook)
    h.exp().sum().backward(retain_graph=True)
    print(w.grad)
    print(x.grad)


@scenario
def nested_create_graph_in_hook():
    # Second order inside a hook: the hook's result is a Hessian-vector product of a graph that
    # shares nodes with the running one.
    x = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    y = x.pow(3)
    v = y.sin()
    seen = []

    def hook(g):
        with torch.enable_grad():
            (gx,) = torch.autograd.grad(y.sum(), x, create_graph=True)
            (hx,) = torch.autograd.grad(gx.sum(), x, retain_graph=True)
        seen.append(hx)
        return g + 1

    v.register_hook(hook)
    v.sum().backward()
    print(seen[0])
    print(x.grad)


@scenario
def inner_backward_frees_shared_nodes():
    # Without retain_graph the inner run frees the saved tensors of the nodes it shares with the
    # running one, which then fails as a second backward through them does.
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    u = y * 3
    flag = [0]

    def hook(g):
        if not flag[0]:
            flag[0] = 1
            with torch.enable_grad():
                inner = (y * 1).sum()
            inner.backward()
        return g

    u.register_hook(hook)
    try:
        u.sum().backward()
    except RuntimeError as e:
        print("RuntimeError:", e)
    print(x.grad)


def main():
    for fn in SCENARIOS:
        print("##", fn.__name__)
        fn()


if __name__ == "__main__":
    main()
