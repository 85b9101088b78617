"""Golden output for tests/test_inference_mode.c: torch.inference_mode in PyTorch 1.13, what its
tensors are and the errors where they are later used outside it.

Each scenario prints a header '## name' and then what the matching C function prints (booleans as
Python prints them, tensors as repr, errors as 'RuntimeError: <message>').
Run: /usr/bin/python3 tools/gen_inference_mode.py > tests/data/inference_mode.txt"""
import torch

SCENARIOS = []


def scenario(fn):
    SCENARIOS.append(fn)
    return fn


def attempt(f):
    try:
        print(f())
    except RuntimeError as e:
        print("RuntimeError:", e)


@scenario
def made_in_inference_mode():
    n = torch.ones(2)
    with torch.inference_mode():
        print(torch.is_inference_mode_enabled(), torch.is_grad_enabled())
        u = torch.ones(2) * 2
        w = torch.ones(2).requires_grad_()
        r = w * 2
        print(u.is_inference(), w.is_inference(), w.requires_grad, r.is_inference(), r.requires_grad, r.grad_fn)
        print(u[0:1].is_inference(), n[0:1].is_inference(), n.detach().is_inference())
        n.add_(1)
        print(n._version)
        with torch.inference_mode(False):
            print(torch.is_inference_mode_enabled(), torch.is_grad_enabled(), torch.ones(1).is_inference())
        with torch.enable_grad():
            print(torch.is_grad_enabled(), (w * 2).requires_grad)
    print(torch.is_inference_mode_enabled(), torch.is_grad_enabled(), u.is_inference(), u[1:].is_inference())
    print(torch.exp(u).is_inference(), u.detach().is_inference())
    with torch.no_grad():
        with torch.inference_mode():
            pass
        print(torch.is_grad_enabled())


@scenario
def used_outside():
    with torch.inference_mode():
        u = torch.tensor([1.0, 2.0])
    w = torch.tensor([3.0, 4.0], requires_grad=True)
    attempt(lambda: u * w)
    attempt(lambda: w.mul(u))
    attempt(lambda: u + w)
    attempt(lambda: torch.exp(u))
    attempt(lambda: u.requires_grad_())
    attempt(lambda: u._version)
    n = torch.zeros(2)
    attempt(lambda: n.copy_(u))
    attempt(lambda: torch.autograd.grad((u * w).sum(), w))


@scenario
def written_outside():
    # PyTorch 1.13 writes the tensor before it refuses (its check follows the kernel); cgrad refuses
    # first, so only the messages are compared.
    for write in [lambda t: t.add_(1), lambda t: t[0:1].mul_(2), lambda t: t.copy_(torch.ones(2)),
                  lambda t: t.zero_()]:
        with torch.inference_mode():
            t = torch.tensor([1.0, 2.0])
        attempt(lambda: write(t))
        with torch.no_grad():
            attempt(lambda: write(t) is t)


@scenario
def view_made_in_inference_mode():
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    b = w * 1
    with torch.inference_mode():
        v = b[0:1]
    print(v.is_inference(), v.requires_grad, v.grad_fn)
    attempt(lambda: v.mul_(2))
    with torch.no_grad():
        v.mul_(2)
    print(b.detach())


if __name__ == "__main__":
    for fn in SCENARIOS:
        print("##", fn.__name__)
        fn()
