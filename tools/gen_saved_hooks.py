"""Golden data for tests/test_saved_hooks.c: which tensors PyTorch 1.13's saved-tensor hooks see,
in order, for small graphs, and the gradients that come out.

Each line: <case> <events> | <gradient as golden tensor>. An event is p (pack) or u (unpack), the
tensor's shape and its dtype: p[3]f32 u[]i64. Run with /usr/bin/python3 (PyTorch 1.13):
    /usr/bin/python3 tools/gen_saved_hooks.py > tests/data/saved_hooks.txt
"""
import torch

DT = {torch.float32: 'f32', torch.float64: 'f64', torch.int64: 'i64', torch.bool: 'b'}
log = []


def event(kind, t):
    log.append('%s[%s]%s' % (kind, ','.join(str(s) for s in t.shape), DT[t.dtype]))


def pack(t):
    event('p', t)
    return t


def unpack(t):
    event('u', t)
    return t


def golden(t):
    t = t.detach()
    dt = {torch.float32: 'float32', torch.float64: 'float64'}[t.dtype]
    return ' '.join([dt, str(t.dim())] + [str(s) for s in t.shape] + [repr(float(v)) for v in t.flatten()])


def line(name, grad):
    print(name, ' '.join(log) if log else '-', '|', golden(grad))
    log.clear()


def leaf(dtype=torch.float32):
    return torch.tensor([1., 2., 3.], dtype=dtype, requires_grad=True)


print('# tools/gen_saved_hooks.py with torch', torch.__version__)

# mul (two saves of one input), exp (its output), mul by a number (PyTorch's 0-dim int64), sum
a = leaf()
with torch.autograd.graph.saved_tensors_hooks(pack, unpack):
    d = (((a * a).exp() * 2).sum())
d.backward()
line('chain', a.grad)

# the number operands of div and of in-place mul_/div_ (int and float)
a = leaf()
with torch.autograd.graph.saved_tensors_hooks(pack, unpack):
    d = ((a / 2.5).mul_(3).div_(2)).sum()
d.backward()
line('numbers', a.grad)

# no version check through hooks: the saved b is written after the save, backward reads the new value
a = leaf()
with torch.autograd.graph.saved_tensors_hooks(pack, unpack):
    b = a * 1
    c = b * b
b.add_(1)
c.sum().backward()
line('written', a.grad)

# nested: the innermost hooks apply; each saved tensor is unpacked by the pair that packed it
a = leaf()
def tagged(tag):
    return (lambda t: (log.append('p' + tag), t)[1], lambda t: (log.append('u' + tag), t)[1])
with torch.autograd.graph.saved_tensors_hooks(*tagged('1')):
    with torch.autograd.graph.saved_tensors_hooks(*tagged('2')):
        x = a * a
    y = x * a
y.sum().backward()
line('nested', a.grad)

# retain_graph: one pack, one unpack per backward
a = leaf()
with torch.autograd.graph.saved_tensors_hooks(pack, unpack):
    x = a.exp()
x.sum().backward(retain_graph=True)
x.sum().backward()
line('retain', a.grad)


# a custom function's saved tensors are unpacked each time ctx.saved_tensors is read
class Twice(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x, x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        x, _ = ctx.saved_tensors
        x, _ = ctx.saved_tensors
        return 2 * g * x


a = leaf()
with torch.autograd.graph.saved_tensors_hooks(pack, unpack):
    y = Twice.apply(a)
y.sum().backward()
line('custom', a.grad)

# double backward through tensors unpacked as copies: they keep the saved tensors' history
x = leaf(torch.float64)
with torch.autograd.graph.saved_tensors_hooks(lambda t: t.clone(), lambda t: t):
    y = (x * x * x).sum()
g, = torch.autograd.grad(y, x, create_graph=True)
g.sum().backward()
line('double', x.grad)

# save_on_cpu
x = leaf(torch.float64)
with torch.autograd.graph.save_on_cpu():
    y = (x.exp() * x).sum()
y.backward()
line('save_on_cpu', x.grad)
