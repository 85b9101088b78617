"""Golden data for tests/test_error_order.c: calls with more than one thing wrong (or a wrong dtype,
dim or shape), as PyTorch 1.13 reports them: which check comes first, its exception type and message.

Prints a section '## error_order' of lines '<case> || <Type>: <message>' (or '|| ok'); the C test
prints the same for its twin calls. Run: /usr/bin/python3 tools/gen_error_order.py > tests/data/error_order.txt"""
import warnings

import torch
import torch.nn.functional as F


def f(*s):
    return torch.ones(*s)


def d(*s):
    return torch.ones(*s, dtype=torch.float64)


def i(*s):
    return torch.ones(*s, dtype=torch.long)


def b(*s):
    return torch.ones(*s, dtype=torch.bool)


def L(*s):
    return torch.ones(*s, requires_grad=True)


CASES = [
    ("sub bool shape", lambda: b(2) - b(3)),
    ("pow bool shape", lambda: b(2).pow(b(3))),
    ("add_ cast shape", lambda: i(2).add_(f(3))),
    ("mul_ cast broadcast-out", lambda: i(2).mul_(f(2,2))),
    ("where cond dtype shape", lambda: torch.where(f(2), f(3), f(2))),
    ("where cond int shape", lambda: torch.where(i(2), f(3), f(2))),
    ("maximum dtype shape", lambda: torch.maximum(f(2), d(3))),
    ("mm 1d dtype", lambda: f(2).mm(d(2,2))),
    ("mm shape dtype", lambda: f(2,3).mm(d(2,2))),
    ("mm int", lambda: i(2,2).mm(i(2,2))),
    ("mm int float", lambda: i(2,2).mm(f(2,2))),
    ("bmm 2d dtype", lambda: f(2,2).bmm(d(2,2,2))),
    ("bmm batch dtype", lambda: f(2,2,2).bmm(d(3,2,2))),
    ("dot 2d dtype", lambda: f(2,2).dot(d(2))),
    ("dot size dtype", lambda: f(2).dot(d(3))),
    ("mv dim dtype", lambda: f(2,2).mv(d(2,2))),
    ("mv size dtype", lambda: f(2,2).mv(d(3))),
    ("matmul 0d dtype", lambda: torch.tensor(1.).matmul(d(2))),
    ("matmul shape dtype", lambda: f(2,3).matmul(d(2,2))),
    ("matmul batch mismatch", lambda: f(2,2,3).matmul(f(3,3,2))),
    ("cat dim oor + shape", lambda: torch.cat([f(2,2), f(3,3)], 5)),
    ("cat 0d", lambda: torch.cat([torch.tensor(1.), f(2)])),
    ("cat dtype + shape", lambda: torch.cat([f(2,2), d(3,3)], 0)),
    ("cat ndim", lambda: torch.cat([f(2,2), f(2)], 0)),
    ("stack dim oor + shape", lambda: torch.stack([f(2), f(3)], 5)),
    ("stack shape", lambda: torch.stack([f(2), f(3)], 0)),
    ("index_select dim oor + dtype", lambda: f(2).index_select(3, f(1))),
    ("index_select 2d idx + dtype", lambda: f(2).index_select(0, f(1,1))),
    ("index_select oor + 2d", lambda: f(2).index_select(0, torch.tensor([[5]]))),
    ("gather dim oor + dtype", lambda: f(2,2).gather(3, f(1,1))),
    ("gather ndim + dtype", lambda: f(2,2).gather(0, f(1))),
    ("gather size + oob", lambda: f(2,2).gather(0, torch.tensor([[5,5,5]]))),
    ("scatter_add dtype src + idx", lambda: f(2).scatter_add(0, f(1), d(1))),
    ("scatter_add dtype src", lambda: f(2).scatter_add(0, i(1), d(1))),
    ("scatter_add ndim", lambda: f(2).scatter_add(0, i(1,1), f(1))),
    ("masked_fill dtype + shape", lambda: f(2).masked_fill(i(3), 1.0)),
    ("masked_fill shape", lambda: f(2).masked_fill(b(3), 1.0)),
    ("view shape + noncontig", lambda: f(2,3).t().view(5)),
    ("view noncontig", lambda: f(2,3).t().view(6)),
    ("expand fewer + mismatch", lambda: f(2,3).expand(4)),
    ("permute dup + oor", lambda: f(2,3).permute(0, 5)),
    ("permute len + dup", lambda: f(2,3).permute(0, 0, 1)),
    ("select dim oor + index", lambda: f(2).select(3, 5)),
    ("narrow dim + len", lambda: f(2).narrow(3, 0, 5)),
    ("narrow start oor", lambda: f(2).narrow(0, 5, 1)),
    ("narrow neg len", lambda: f(2).narrow(0, 0, -1)),
    ("transpose oor", lambda: f(2).transpose(0, 3)),
    ("squeeze oor", lambda: f(2).squeeze(3)),
    ("unsqueeze oor", lambda: f(2).unsqueeze(3)),
    ("flatten oor", lambda: f(2).flatten(3, 0)),
    ("split dim oor + neg", lambda: f(2).split(-1, 5)),
    ("chunk 0 + dim", lambda: f(2).chunk(0, 5)),
    ("unbind 0d", lambda: torch.tensor(1.).unbind(0)),
    ("nll dtype + shape", lambda: F.nll_loss(f(2,3), f(3))),
    ("nll batch + oob", lambda: F.nll_loss(f(2,3), torch.tensor([5,5,5]))),
    ("nll 0d input", lambda: F.nll_loss(torch.tensor(1.), i(1))),
    ("bce int target", lambda: F.binary_cross_entropy_with_logits(f(2), i(2))),
    ("bce bool target", lambda: F.binary_cross_entropy_with_logits(f(2), b(2))),
    ("mse int", lambda: F.mse_loss(i(2), i(2))),
    ("ce dtype + shape", lambda: F.cross_entropy(f(2,3), f(3))),
    ("ce prob shape", lambda: F.cross_entropy(f(2,3), f(2,4))),
    ("softmax oor int", lambda: i(2).softmax(3)),
    ("softmax int", lambda: i(2).softmax(0)),
    ("log_softmax int", lambda: i(2).log_softmax(0)),
    ("sum dim oor + dup", lambda: f(2).sum((0, 0, 5))),
    ("mean int + dim oor", lambda: i(2).mean(5)),
    ("var int dim oor", lambda: i(2).var(5)),
    ("norm int dim oor", lambda: i(2).norm(2, 5)),
    ("max dim empty oor", lambda: torch.ones(0).max(5)),
    ("argmax empty dim", lambda: torch.ones(0, 2).argmax(0)),
    ("prod dim oor", lambda: f(2).prod(5)),
    ("clamp bool", lambda: b(2).clamp(0, 1)),
    ("neg bool", lambda: -b(2)),
    ("exp int", lambda: i(2).exp()),
    ("copy_ leaf shape", lambda: torch.ones(2, requires_grad=True).copy_(f(3))),
    ("add_ leaf + shape", lambda: L(2).add_(f(3))),
    ("add_ leaf + cast", lambda: L(2).add_(f(2).long()) ),
    ("add_ int leaf? shape", lambda: i(2).add_(f(3))),
    ("add_ expanded + shape", lambda: f(1).expand(3).add_(f(2))),
    ("add_ expanded + cast", lambda: i(1).expand(3).add_(f(3))),
    ("sub_ bool + shape", lambda: b(2).sub_(b(3))),
    ("mul_ number cast", lambda: i(2).mul_(2.5)),
    ("mul_ number expanded", lambda: i(1).expand(2).mul_(2.5)),
    ("div_ int", lambda: i(2).div_(2)),
    ("div_ int tensor", lambda: i(2).div_(i(2))),
    ("clamp_ int float", lambda: i(2).clamp_(0.5, 1.5)),
    ("clamp_ bool", lambda: b(2).clamp_(0, 1)),
    ("fill_ int float", lambda: i(2).fill_(2.5)),
    ("fill_ leaf", lambda: L(2).fill_(1)),
    ("zero_ leaf", lambda: L(2).zero_()),
    ("exp_ int", lambda: i(2).exp_()),
    ("exp_ leaf int?", lambda: L(2).exp_()),
    ("neg_ bool", lambda: b(2).neg_()),
    ("sign_ bool", lambda: b(2).sign_()),
    ("abs_ bool", lambda: b(2).abs_()),
    ("sqrt_ int", lambda: i(2).sqrt_()),
    ("relu_ bool", lambda: b(2).relu_()),
    ("pow_ int neg", lambda: i(2).pow_(-1)),
    ("pow_ int float", lambda: i(2).pow_(0.5)),
    ("pow_ tensor shape dtype", lambda: i(2).pow_(f(3))),
    ("uniform_ int", lambda: i(2).uniform_()),
    ("uniform_ leaf", lambda: L(2).uniform_()),
    ("normal_ leaf bad std", lambda: L(2).normal_(0, -1)),
    ("normal_ int", lambda: i(2).normal_()),
    ("copy_ int from float leaf", lambda: i(2).copy_(L(2))),
    ("backward grad dtype", lambda: (L(2)*2).backward(i(2))),
    ("backward grad shape+dtype", lambda: (L(2)*2).backward(i(3))),
    ("backward nonscalar nograd", lambda: f(2).backward()),
    ("backward int grad scalar", lambda: (L(2)*2).sum().backward(torch.tensor(1))),
    ("backward bool grad", lambda: (L(2)*2).sum().backward(torch.tensor(True))),
    ("grad outputs nograd", lambda: torch.autograd.grad(f(2).sum(), L(2))),
    ("grad unused", lambda: torch.autograd.grad((L(2)*2).sum(), [L(2)])),
    ("grad inputs nograd + unused", lambda: torch.autograd.grad((L(2)*2).sum(), [f(2)])),
    ("set grad shape", lambda: setattr(L(2), 'grad', f(3))),
    ("set grad dtype+shape", lambda: setattr(L(2), 'grad', d(3))),
    ("set grad int", lambda: setattr(L(2), 'grad', i(2))),
    ("retain_grad nograd", lambda: f(2).retain_grad()),
    ("requires_grad int", lambda: i(2).requires_grad_()),
    ("requires_grad false nonleaf", lambda: (L(2)*2).requires_grad_(False)),
    ("detach_ view", lambda: L(2)[0:1].detach_()),
    ("register_hook nograd", lambda: f(2).register_hook(lambda g: g)),
    ("item empty", lambda: f(0).item()),
    ("full int float", lambda: torch.full((2,), 2.5, dtype=torch.long)),
    ("full bool", lambda: torch.full((2,), 2, dtype=torch.bool)),
    ("zeros neg", lambda: torch.zeros(2, -1)),
    ("arange neg step", lambda: torch.arange(0, 5, -1)),
    ("arange bool", lambda: torch.arange(0, 5, 1, dtype=torch.bool)),
    ("linspace bool", lambda: torch.linspace(0, 1, 3, dtype=torch.bool)),
    ("eye neg", lambda: torch.eye(-1)),
    ("eye neg m", lambda: torch.eye(2, -2)),
    ("randint equal", lambda: torch.randint(2, 2, (2,))),
    ("rand int", lambda: torch.rand(2, dtype=torch.long)),
    ("randn int", lambda: torch.randn(2, dtype=torch.long)),
    ("reshape bad", lambda: f(2,3).reshape(4)),
    ("reshape two -1", lambda: f(2,3).reshape(-1,-1)),
    ("view -2", lambda: f(2,3).view(-2,3)),
    ("expand -1 leading", lambda: f(3).expand(-1, 3)),
    ("expand neg", lambda: f(3).expand(2, -2)),
    ("slice step neg", lambda: f(3)[::-1]),
    ("t 3d", lambda: f(2,2,2).t()),
    ("squeeze 0d dim1", lambda: torch.tensor(1.).squeeze(1)),
    ("select 0d", lambda: torch.tensor(1.).select(0, 0)),
    ("flatten 0d", lambda: torch.tensor(1.).flatten(0, 1)),
    ("unsqueeze 0d", lambda: torch.tensor(1.).unsqueeze(2)),
    ("split 0", lambda: f(3).split(0)),
    ("split 0d", lambda: torch.tensor(1.).split(1)),
    ("chunk 0d", lambda: torch.tensor(1.).chunk(1)),
    ("narrow 0d", lambda: torch.tensor(1.).narrow(0, 0, 1)),
    ("softmax 0d dim1", lambda: torch.tensor(1.).softmax(1)),
    ("max 0d dim1", lambda: torch.tensor(1.).max(1)),
    ("argmax 0d dim 1", lambda: torch.tensor(1.).argmax(1)),
    ("prod_dim bool", lambda: b(2).prod(0)),
    ("mean bool", lambda: b(2).mean()),
    ("sum dims 9", lambda: f(2).sum((0,1,2,3,4,5,6,7,8))),
    ("var 1 elem", lambda: f(1).var()),
    ("where int other", lambda: torch.where(b(2), i(2), f(2))),
    ("clamp nan", lambda: f(2).clamp(float('nan'), 1)),    # in-place on expanded tensors: the op's own refusals, then the memory checks, then the dtype
    ("neg_ bool expanded", lambda: torch.tensor(True).expand(3).neg_()),
    ("abs_ bool expanded", lambda: torch.tensor(True).expand(3).abs_()),
    ("relu_ bool expanded", lambda: torch.tensor(True).expand(3).relu_()),
    ("exp_ int expanded", lambda: torch.tensor(1).expand(3).exp_()),
    ("mul_ cast expanded", lambda: torch.tensor(1).expand(3).mul_(2.5)),
    ("clamp_ cast expanded", lambda: torch.tensor(1).expand(3).clamp_(0.5, 1)),
    ("pow_ neg int expanded", lambda: torch.tensor(1).expand(3).pow_(-1)),
    ("sqrt_ int expanded", lambda: torch.tensor(1).expand(3).sqrt_()),
    ("mul_ empty expanded", lambda: torch.zeros(1, 0, dtype=torch.long).expand(1, 2, 0).mul_(1)),
    ("mul_ cast empty expanded", lambda: torch.zeros(3, 0, 1, dtype=torch.bool).expand(3, 0, 2).mul_(2.5)),
    ("copy_ empty expanded", lambda: torch.zeros(1, 0).expand(1, 2, 0).copy_(torch.ones(1))),
]


def main():
    warnings.simplefilter("ignore")
    print("## error_order")
    for name, fn in CASES:
        try:
            fn()
            print(name, "|| ok")
        except Exception as e:  # noqa: BLE001 - every PyTorch error is golden, with its type
            print(name, "||", type(e).__name__ + ":", str(e).split("\n")[0])


if __name__ == "__main__":
    main()
