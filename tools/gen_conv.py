"""Golden data for convolution and pooling: writes tests/data/conv.txt from PyTorch 1.13.

Run from the repository root with /usr/bin/python3 tools/gen_conv.py.

An int list argument is written '<n> <values...>' (n = 0: left out, the default; n = 1: an int,
which Python's int[2] arguments expand to a list of the op's length). Case lines:
    conv1d|conv2d <stride> <padding> <dilation> <groups> <input> <weight> <bias|none> <result>
    max_pool2d <kernel> <stride> <padding> <dilation> <ceil_mode> <input> <result>
    max_pool1d <kernel> <stride> <padding> <dilation> <ceil_mode> <indices> <grad> <input> <result>
    avg_pool1d <kernel> <stride> <padding> <ceil_mode> <exclude_padding> <input> <result>
    avg_pool2d <kernel> <stride> <padding> <ceil_mode> <exclude_padding> <divisor> <input> <result>
where <result> is 'ERR <Type>: <message>' or 'OK <backend> <output> <grad_output> <grads...>': the
gradients backward(grad_output) gives the input, the weight and the bias ('none' where there is
none); max_pool2d (and max_pool1d asked for indices) also writes its indices after the output;
max_pool1d with <grad> 0 runs on an input that does not require grad (PyTorch's other path) and
writes 'none' for the gradients. <backend> is what PyTorch ran
(mkldnn, slow: im2col + gemm, or pool).
"""
import ctypes
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from golden import tensor_text  # noqa: E402

torch.manual_seed(0)
lines = []


def ints(v):
    if isinstance(v, str):  # padding='same' / 'valid': the word itself
        return v
    if v is None:
        return "0"
    v = [v] if isinstance(v, int) else list(v)
    return " ".join([str(len(v))] + [str(x) for x in v])  # a None element: "None"


def maybe(t):
    return "none" if t is None else tensor_text(t)


def kw(**k):
    return {a: b for a, b in k.items() if b is not None}


def backend(x, w, b, stride, padding, dilation, groups):
    expand = lambda v, d: [v] * d if isinstance(v, int) else (list(v) * d if len(v) == 1 else list(v))  # noqa: E731
    d = w.dim() - 2
    if x.dim() == d + 1:
        x = x.unsqueeze(0)
    if padding == "valid":
        padding = 0
    elif padding == "same":  # _convolution_same: the odd one more on the right as a padded copy
        dil = expand(dilation if dilation is not None else 1, d)
        total = [dil[i] * (w.shape[2 + i] - 1) for i in range(d)]
        padding = [t // 2 for t in total]
        x = F.pad(x, [p for t in reversed(total) for p in (0, t % 2)])
    try:
        name = str(torch._C._select_conv_backend(
            x, w, b, expand(stride if stride is not None else 1, d), expand(padding if padding is not None else 0, d),
            expand(dilation if dilation is not None else 1, d), False, [0] * d, groups or 1))
    except Exception:  # noqa: BLE001
        return "slow"
    return "mkldnn" if "Mkldnn" in name else "slow"


def run(fn, inputs):
    """OK <output> <grad_output> <grads...> or ERR <message>."""
    leaves = [t.detach().clone().requires_grad_(t.dtype.is_floating_point) if t is not None else None for t in inputs]
    try:
        out = fn(*leaves)
    except Exception as e:  # noqa: BLE001 - every PyTorch error is a golden message
        return None, f"ERR {type(e).__name__}: {e}"
    values = out[0] if isinstance(out, tuple) else out
    extra = [out[1]] if isinstance(out, tuple) else []
    if not values.dtype.is_floating_point:
        return out, " ".join([tensor_text(values)] + [tensor_text(t) for t in extra] + ["none"] * (1 + len(inputs)))
    g = torch.randn(values.shape, dtype=torch.float64).to(values.dtype)
    wanted = [t for t in leaves if t is not None]
    grads = torch.autograd.grad(values, wanted, g, allow_unused=True) if values.numel() else [None] * len(wanted)
    it = iter(grads)
    grads = [next(it) if t is not None else None for t in leaves]
    grads = [torch.zeros_like(t) if t is not None and gr is None else gr for t, gr in zip(leaves, grads)]
    return out, " ".join([tensor_text(values)] + [tensor_text(t) for t in extra] + [tensor_text(g)] +
                         [maybe(t) for t in grads])


def conv(op, x, w, b=None, stride=None, padding=None, dilation=None, groups=None):
    fn = {"conv1d": F.conv1d, "conv2d": F.conv2d}[op]
    call = lambda x_, w_, b_: fn(x_, w_, b_, **kw(stride=stride, padding=padding, dilation=dilation, groups=groups))  # noqa
    _, res = run(call, [x, w, b])
    head = [op, ints(stride), ints(padding), ints(dilation), str(groups or 0), tensor_text(x), tensor_text(w), maybe(b)]
    if not res.startswith("ERR"):
        res = "OK " + backend(x, w, b, stride, padding, dilation, groups) + " " + res
    lines.append(" ".join(head + [res]))


def max_pool(x, kernel, stride=None, padding=None, dilation=None, ceil_mode=False):
    call = lambda x_: F.max_pool2d(x_, kernel, **kw(stride=stride, padding=padding, dilation=dilation),  # noqa
                                   ceil_mode=ceil_mode, return_indices=True)
    _, res = run(call, [x])
    head = ["max_pool2d", ints(kernel), ints(stride), ints(padding), ints(dilation), str(int(ceil_mode)), tensor_text(x)]
    lines.append(" ".join(head + [res if res.startswith("ERR") else "OK pool " + res]))


def avg_pool(x, kernel, stride=None, padding=None, ceil_mode=False, count_include_pad=True, divisor=None):
    call = lambda x_: F.avg_pool2d(x_, kernel, **kw(stride=stride, padding=padding), ceil_mode=ceil_mode,  # noqa
                                   count_include_pad=count_include_pad, divisor_override=divisor)
    _, res = run(call, [x])
    head = ["avg_pool2d", ints(kernel), ints(stride), ints(padding), str(int(ceil_mode)),
            str(int(not count_include_pad)), str(divisor or 0), tensor_text(x)]
    lines.append(" ".join(head + [res if res.startswith("ERR") else "OK pool " + res]))


def max_pool1d(x, kernel, stride=None, padding=None, dilation=None, ceil_mode=False, indices=False, grad=True):
    def call(x_):
        return F.max_pool1d(x_, kernel, **kw(stride=stride, padding=padding, dilation=dilation), ceil_mode=ceil_mode,
                            return_indices=indices)
    head = ["max_pool1d", ints(kernel), ints(stride), ints(padding), ints(dilation), str(int(ceil_mode)),
            str(int(indices)), str(int(grad)), tensor_text(x)]
    if grad:
        _, res = run(call, [x])
    else:
        try:
            out = call(x)
            res = " ".join([tensor_text(t) for t in (out if indices else (out,))] + ["none"])
        except Exception as e:  # noqa: BLE001
            res = f"ERR {type(e).__name__}: {e}"
    lines.append(" ".join(head + [res if res.startswith("ERR") else "OK pool " + res]))


def avg_pool1d(x, kernel, stride=None, padding=None, ceil_mode=False, count_include_pad=True):
    call = lambda x_: F.avg_pool1d(x_, kernel, **kw(stride=stride, padding=padding), ceil_mode=ceil_mode,  # noqa
                                   count_include_pad=count_include_pad)
    _, res = run(call, [x])
    head = ["avg_pool1d", ints(kernel), ints(stride), ints(padding), str(int(ceil_mode)),
            str(int(not count_include_pad)), tensor_text(x)]
    lines.append(" ".join(head + [res if res.startswith("ERR") else "OK pool " + res]))


def rnd(*shape, dtype=torch.float32):
    if dtype == torch.int64:
        return torch.randint(-4, 5, shape)
    if dtype == torch.bool:
        return torch.rand(shape) > 0.5
    return torch.randn(shape, dtype=torch.float64).to(dtype)


F32, F64, I64 = torch.float32, torch.float64, torch.int64

# ---- conv2d: values and gradients ----
for dt in (F32, F64):
    conv("conv2d", rnd(2, 3, 7, 6, dtype=dt), rnd(4, 3, 3, 3, dtype=dt), rnd(4, dtype=dt))
    conv("conv2d", rnd(1, 2, 6, 6, dtype=dt), rnd(3, 2, 3, 3, dtype=dt), rnd(3, dtype=dt))  # slow path in float32
    conv("conv2d", rnd(1, 1, 8, 8, dtype=dt), rnd(2, 1, 2, 2, dtype=dt))
    conv("conv2d", rnd(2, 1, 12, 12, dtype=dt), rnd(6, 1, 5, 5, dtype=dt), rnd(6, dtype=dt))  # LeNet's first
    conv("conv2d", rnd(2, 4, 9, 8, dtype=dt), rnd(6, 2, 3, 2, dtype=dt), rnd(6, dtype=dt), stride=(2, 1),
         padding=(1, 2), dilation=(1, 2), groups=2)
    conv("conv2d", rnd(2, 3, 7, 7, dtype=dt), rnd(3, 1, 3, 3, dtype=dt), None, stride=2, padding=1, groups=3)
    conv("conv2d", rnd(1, 3, 5, 5, dtype=dt), rnd(4, 3, 1, 1, dtype=dt), rnd(4, dtype=dt))  # 1x1: no im2col
    conv("conv2d", rnd(2, 3, 5, 5, dtype=dt), rnd(4, 3, 1, 1, dtype=dt), None, stride=2)
    conv("conv2d", rnd(3, 6, 6, dtype=dt), rnd(2, 3, 3, 3, dtype=dt), rnd(2, dtype=dt), padding=1)  # unbatched
    conv("conv2d", rnd(2, 2, 5, 5, dtype=dt), rnd(2, 2, 3, 3, dtype=dt), None, padding=2, dilation=3)
    conv("conv2d", rnd(0, 2, 5, 5, dtype=dt), rnd(3, 2, 3, 3, dtype=dt), rnd(3, dtype=dt))  # empty batch
    conv("conv2d", rnd(2, 0, 5, 5, dtype=dt), rnd(3, 0, 3, 3, dtype=dt), rnd(3, dtype=dt))  # no channels
    conv("conv2d", rnd(1, 2, 3, 3, dtype=dt), rnd(0, 2, 3, 3, dtype=dt), None)
conv("conv2d", rnd(2, 3, 6, 6, dtype=I64), rnd(2, 3, 3, 3, dtype=I64), rnd(2, dtype=I64), padding=1)
conv("conv2d", rnd(1, 2, 6, 6, dtype=I64), rnd(2, 1, 3, 3, dtype=I64), None, dilation=2, groups=2)

# ---- conv1d ----
for dt in (F32, F64):
    conv("conv1d", rnd(2, 3, 10, dtype=dt), rnd(4, 3, 3, dtype=dt), rnd(4, dtype=dt))
    conv("conv1d", rnd(2, 4, 11, dtype=dt), rnd(6, 2, 4, dtype=dt), rnd(6, dtype=dt), stride=2, padding=1,
         dilation=2, groups=2)
    conv("conv1d", rnd(3, 9, dtype=dt), rnd(2, 3, 2, dtype=dt), None, stride=3)  # unbatched

# ---- conv errors, in PyTorch's order ----
x, w, b = rnd(2, 3, 8, 8, dtype=F64), rnd(4, 3, 3, 3, dtype=F64), rnd(4, dtype=F64)
for args in [dict(), dict(stride=0), dict(stride=-1), dict(stride=(1, 1, 1)), dict(padding=-1), dict(padding=(1, 2, 3)),
             dict(dilation=0), dict(dilation=-2), dict(dilation=(1, 2, 3)), dict(groups=-1), dict(groups=2),
             dict(groups=3), dict(groups=5), dict(padding=-1, stride=0), dict(stride=0, dilation=0),
             dict(groups=5, dilation=0), dict(groups=-1, stride=(1, 2, 3)), dict(stride=(1, 2, 3), padding=(1, 2, 3))]:
    conv("conv2d", x, w, b, **args)
conv("conv2d", x, w, b.float())
conv("conv2d", x[0, 0], w, b)
conv("conv2d", x[0, 0], w, b.float())
conv("conv2d", x.unsqueeze(0), w, b)
conv("conv2d", x, w[0], b)
conv("conv2d", x, w[0, 0], b)
conv("conv2d", x, w[0, 0], b, groups=-1)
conv("conv2d", x, w.unsqueeze(2), b)
conv("conv2d", x, w.unsqueeze(2), b, stride=1, padding=0, dilation=1)
conv("conv2d", x, w[:, :2], b)
conv("conv2d", x, w, b[:3])
conv("conv2d", x, w, b.view(2, 2))
conv("conv2d", x[:, :, :2, :2], w, b)
conv("conv2d", x[:, :, :2, :], w, b, dilation=2)
conv("conv2d", x[:, :, :1], w[:, :1], b[:2])
conv("conv2d", x[:, :, :1], w.float(), b)
conv("conv2d", x, w.float(), None)
conv("conv2d", x, w.float(), b)
conv("conv2d", x, w.float(), None, dilation=2)
conv("conv2d", x.float(), w, None)
conv("conv2d", x.float(), w, b.float(), stride=2)
conv("conv2d", x.float()[:1], w, None)
conv("conv2d", x.float()[:1], w[:, :, :1, :1], None)
conv("conv2d", x.float()[:1], w, None, groups=3)
conv("conv2d", x.long(), w.float(), None)
conv("conv2d", x.bool(), w.bool(), None)
conv("conv2d", x.bool(), w.bool(), None, dilation=2)
conv("conv2d", x[:0], w.float(), None)
conv("conv2d", x, w[:, :, :0], None)
conv("conv1d", x, w[:, :, 0], b)
conv("conv1d", x[0, 0], w[:, :, 0], b)
conv("conv1d", x[0], w, b)
conv("conv1d", x[0], w[:, :, 0], b, stride=(1, 1))
conv("conv1d", x[0, 0, :1], w[:, :, 0], b)

# ---- max_pool2d ----
for dt in (F32, F64):
    max_pool(rnd(2, 3, 8, 8, dtype=dt), 2)
    max_pool(rnd(2, 3, 9, 7, dtype=dt), 3, stride=2, ceil_mode=True)
    max_pool(rnd(1, 2, 8, 7, dtype=dt), (2, 3), stride=(1, 2), padding=(1, 1), dilation=(2, 1))
    max_pool(rnd(3, 6, 6, dtype=dt), 3, stride=1, padding=1)  # unbatched, overlapping windows
    max_pool(rnd(0, 2, 4, 4, dtype=dt), 2)
    max_pool(rnd(1, 1, 5, 5, dtype=dt), 2, stride=2, padding=1, ceil_mode=True)
    max_pool(rnd(1, 2, 4, 4, dtype=dt), (1,), stride=[])
t = torch.tensor([[[[1.0, float("nan"), 3.0], [float("-inf"), 2.0, float("nan")], [0.0, -0.0, 5.0]]]])
max_pool(t, 2, stride=1)
max_pool(torch.full((1, 1, 3, 3), float("-inf")), 2, stride=1)
x = rnd(2, 3, 8, 8, dtype=F64)
for args in [dict(kernel=0), dict(kernel=(2, 0)), dict(kernel=(1, 2, 3)), dict(kernel=2, stride=0),
             dict(kernel=2, stride=(1, 2, 3)), dict(kernel=2, padding=-1), dict(kernel=2, padding=2),
             dict(kernel=2, padding=(1, 2, 3)), dict(kernel=2, dilation=0), dict(kernel=2, dilation=(1, 2, 3)),
             dict(kernel=9), dict(kernel=2, dilation=8), dict(kernel=0, stride=1), dict(kernel=2, stride=-1),
             dict(kernel=-2, stride=1), dict(kernel=2, padding=-1, dilation=0), dict(kernel=2, padding=5, dilation=0),
             dict(kernel=(3, 1), padding=(1, 1))]:
    k = args.pop("kernel")
    max_pool(x, k, **args)
for bad in [x[0, 0], x.unsqueeze(0), x[:, :0], x[:, :, :0], x[0, :0], x.long(), x.bool(), x[:, :, :1]]:
    max_pool(bad, 2)
max_pool(x[:, :, :1], 3, padding=1)

# ---- avg_pool2d ----
for dt in (F32, F64):
    avg_pool(rnd(2, 3, 8, 8, dtype=dt), 2)
    avg_pool(rnd(2, 3, 9, 7, dtype=dt), 3, stride=2, ceil_mode=True)
    avg_pool(rnd(1, 2, 7, 7, dtype=dt), 3, stride=2, padding=1)
    avg_pool(rnd(1, 2, 7, 7, dtype=dt), 3, stride=2, padding=1, count_include_pad=False)
    avg_pool(rnd(1, 2, 6, 5, dtype=dt), (3, 2), stride=(2, 1), padding=(1, 1), ceil_mode=True, count_include_pad=False)
    avg_pool(rnd(1, 2, 6, 5, dtype=dt), (3, 2), stride=(2, 1), padding=(1, 1), ceil_mode=True)
    avg_pool(rnd(3, 5, 5, dtype=dt), 2, stride=1, divisor=3)
    avg_pool(rnd(1, 1, 5, 5, dtype=dt), 2, divisor=-2)
    avg_pool(rnd(0, 2, 4, 4, dtype=dt), 2)
avg_pool(rnd(1, 2, 7, 7, dtype=I64), 3, stride=2, padding=1)
avg_pool(rnd(1, 2, 5, 5, dtype=I64), 2, divisor=-3)
avg_pool(torch.tensor([[[[1.0, float("nan")], [float("inf"), 2.0]]]]), 1)
avg_pool(torch.tensor([[[[-0.0, -0.0], [-0.0, -0.0]]]]), 2)
x = rnd(2, 3, 8, 8, dtype=F64)
for args in [dict(kernel=0), dict(kernel=(1, 2, 3)), dict(kernel=2, stride=0), dict(kernel=2, stride=(1, 2, 3)),
             dict(kernel=2, padding=-1), dict(kernel=2, padding=2), dict(kernel=2, padding=(1, 2, 3)),
             dict(kernel=9), dict(kernel=0, stride=1), dict(kernel=2, stride=-1), dict(kernel=(3, 1), padding=1)]:
    k = args.pop("kernel")
    avg_pool(x, k, **args)
for bad in [x[0, 0], x[0, 0, 0], x.unsqueeze(0), x[:, :0], x[:, :, :0], x.bool(), x[:, :, :1]]:
    avg_pool(bad, 2)

# ---- max_pool1d (with and without a gradient: PyTorch has two paths) and avg_pool1d ----
for dt in (F32, F64):
    for grad in (True, False):
        max_pool1d(rnd(2, 3, 9, dtype=dt), 2, grad=grad)
        max_pool1d(rnd(3, 10, dtype=dt), 3, stride=2, padding=1, dilation=2, ceil_mode=True, grad=grad)
        max_pool1d(rnd(2, 2, 7, dtype=dt), 2, stride=1, indices=True, grad=grad)
        max_pool1d(rnd(0, 2, 6, dtype=dt), 2, grad=grad)
    avg_pool1d(rnd(2, 3, 9, dtype=dt), 2)
    avg_pool1d(rnd(3, 10, dtype=dt), 3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)
    avg_pool1d(rnd(0, 2, 6, dtype=dt), 3, stride=1, padding=1)
avg_pool1d(rnd(2, 3, 7, dtype=I64), 3, stride=2)
t = torch.tensor([[[1.0, float("nan"), 3.0, -0.0, 0.0, float("-inf")]]])
for grad in (True, False):
    max_pool1d(t, 2, stride=1, grad=grad)
x = rnd(2, 3, 8, dtype=F64)
for grad in (True, False):
    for args in [dict(kernel=0), dict(kernel=(1, 2)), dict(kernel=2, stride=0), dict(kernel=2, stride=(1, 2)),
                 dict(kernel=2, stride=-1), dict(kernel=2, padding=-1), dict(kernel=2, padding=2),
                 dict(kernel=2, padding=(1, 2)), dict(kernel=2, dilation=0), dict(kernel=2, dilation=(1, 2)),
                 dict(kernel=9), dict(kernel=-2, stride=1), dict(kernel=3, padding=1, dilation=0)]:
        k = args.pop("kernel")
        max_pool1d(x, k, grad=grad, **args)
    for bad in [x[0, 0], x.unsqueeze(0), x[:, :0], x[:, :, :0], x[0, 0, 0]]:
        max_pool1d(bad, 2, grad=grad)
        max_pool1d(bad, 2, grad=grad, indices=True)
max_pool1d(x.long(), 2, grad=False)
max_pool1d(x.bool(), 2, grad=False)
max_pool1d(x.long(), 2, grad=False, indices=True)
for args in [dict(kernel=0), dict(kernel=(1, 2)), dict(kernel=2, stride=0), dict(kernel=2, stride=(1, 2)),
             dict(kernel=2, stride=-1), dict(kernel=2, padding=-1), dict(kernel=2, padding=2), dict(kernel=2, padding=(1, 2)),
             dict(kernel=9), dict(kernel=-2, stride=1)]:
    k = args.pop("kernel")
    avg_pool1d(x, k, **args)
for bad in [x[0, 0], x.unsqueeze(0), x[:, :0], x[:, :, :0], x[0, 0, 0], x.bool()]:
    avg_pool1d(bad, 2)

# ---- conv_transpose1d/2d (appended last: the cases above keep their random draws) ----
def conv_transpose(op, x, w, b=None, stride=None, padding=None, output_padding=None, groups=None, dilation=None):
    fn = {"conv_transpose1d": F.conv_transpose1d, "conv_transpose2d": F.conv_transpose2d}[op]
    call = lambda x_, w_, b_: fn(x_, w_, b_, **kw(stride=stride, padding=padding, output_padding=output_padding,  # noqa
                                                  groups=groups, dilation=dilation))
    _, res = run(call, [x, w, b])
    head = [op, ints(stride), ints(padding), ints(output_padding), str(groups or 0), ints(dilation), tensor_text(x),
            tensor_text(w), maybe(b)]
    if not res.startswith("ERR"):
        d = w.dim() - 2
        xb = x if x.dim() == d + 2 else x.unsqueeze(0)
        expand = lambda v, dflt: [dflt] * d if v is None else ([v] * d if isinstance(v, int) else list(v))  # noqa
        name = str(torch._C._select_conv_backend(xb, w, b, expand(stride, 1), expand(padding, 0), expand(dilation, 1),
                                                 True, expand(output_padding, 0), groups or 1))
        res = "OK " + ("mkldnn" if "Mkldnn" in name else "slow") + " " + res
    lines.append(" ".join(head + [res]))


for dt in (F32, F64):
    conv_transpose("conv_transpose2d", rnd(2, 4, 5, 5, dtype=dt), rnd(4, 3, 3, 3, dtype=dt), rnd(3, dtype=dt))
    conv_transpose("conv_transpose2d", rnd(2, 4, 4, 5, dtype=dt), rnd(4, 3, 3, 2, dtype=dt), None, stride=2,
                   output_padding=1)
    conv_transpose("conv_transpose2d", rnd(1, 4, 5, 4, dtype=dt), rnd(4, 2, 3, 3, dtype=dt), rnd(4, dtype=dt),
                   stride=(2, 3), padding=(1, 2), output_padding=(1, 2), groups=2, dilation=(1, 2))
    conv_transpose("conv_transpose2d", rnd(2, 3, 4, 4, dtype=dt), rnd(3, 2, 2, 2, dtype=dt), rnd(2, dtype=dt),
                   stride=1, dilation=2, output_padding=1)  # output_padding >= stride: one more row than conv's
    conv_transpose("conv_transpose2d", rnd(3, 4, 4, dtype=dt), rnd(3, 2, 3, 3, dtype=dt), rnd(2, dtype=dt), padding=1)
    conv_transpose("conv_transpose2d", rnd(2, 3, 3, 3, dtype=dt), rnd(3, 1, 3, 3, dtype=dt), None, groups=3, stride=2)
    conv_transpose("conv_transpose2d", rnd(2, 3, 4, 4, dtype=dt), rnd(3, 2, 1, 1, dtype=dt), rnd(2, dtype=dt))
    conv_transpose("conv_transpose2d", rnd(1, 1, 5, 5, dtype=dt), rnd(1, 3, 3, 3, dtype=dt), None, padding=(3, 3))
    conv_transpose("conv_transpose2d", rnd(0, 4, 5, 5, dtype=dt), rnd(4, 3, 3, 3, dtype=dt), rnd(3, dtype=dt))
    conv_transpose("conv_transpose2d", rnd(0, 4, 5, 5, dtype=dt), rnd(4, 3, 3, 3, dtype=dt), None, stride=1,
                   output_padding=1, padding=3)
    conv_transpose("conv_transpose2d", rnd(1, 2, 3, 3, dtype=dt), rnd(2, 0, 3, 3, dtype=dt), None)
    conv_transpose("conv_transpose1d", rnd(2, 3, 6, dtype=dt), rnd(3, 4, 3, dtype=dt), rnd(4, dtype=dt), stride=2,
                   padding=1, output_padding=1)
    conv_transpose("conv_transpose1d", rnd(4, 5, dtype=dt), rnd(4, 1, 2, dtype=dt), None, groups=2, dilation=3)
conv_transpose("conv_transpose2d", rnd(2, 3, 4, 4, dtype=I64), rnd(3, 2, 3, 3, dtype=I64), rnd(2, dtype=I64), stride=2)
x, w, b = rnd(2, 4, 5, 5, dtype=F64), rnd(4, 3, 3, 3, dtype=F64), rnd(3, dtype=F64)
for args in [dict(stride=0), dict(stride=(1, 1, 1)), dict(padding=-1), dict(output_padding=-1),
             dict(output_padding=(1, 2, 3)), dict(output_padding=1), dict(stride=2, output_padding=2),
             dict(dilation=0), dict(dilation=2, output_padding=(1, 2)), dict(groups=-1), dict(groups=3),
             dict(groups=5), dict(padding=4), dict(padding=-1, output_padding=-1, stride=0),
             dict(output_padding=-1, stride=0), dict(groups=-1, stride=(1, 2, 3))]:
    conv_transpose("conv_transpose2d", x, w, b, **args)
conv_transpose("conv_transpose2d", x[:, :3], w, b)
conv_transpose("conv_transpose2d", x[:, :0], w, b)
conv_transpose("conv_transpose2d", x, w, b[:2])
conv_transpose("conv_transpose2d", x, w, b.view(1, 3))
conv_transpose("conv_transpose2d", x[0, 0], w, b)
conv_transpose("conv_transpose2d", x.unsqueeze(0), w, b)
conv_transpose("conv_transpose2d", x, w[0], b)
conv_transpose("conv_transpose2d", x, w[0, 0], b)
conv_transpose("conv_transpose2d", x, w.unsqueeze(2), b)
conv_transpose("conv_transpose2d", x, w[:, :, :0], b)
conv_transpose("conv_transpose2d", x[:, :, :0], w, b)
conv_transpose("conv_transpose2d", x[:, :, :1, :1], w, b, padding=2)
conv_transpose("conv_transpose2d", x, w.float(), b)
conv_transpose("conv_transpose2d", x.float(), w, None)
conv_transpose("conv_transpose2d", x.float(), w.float(), b)
conv_transpose("conv_transpose2d", x.bool(), w.bool(), None)
conv_transpose("conv_transpose2d", x.long(), w.float(), None)
conv_transpose("conv_transpose2d", x[:0], w.float(), None)
conv_transpose("conv_transpose2d", x[:0], w, b, dilation=0)
conv_transpose("conv_transpose1d", x[:, :, 0], w[:, :, 0], b, dilation=0)
conv_transpose("conv_transpose1d", x[:, :, 0], w[:, :, 0], b, output_padding=1)
conv_transpose("conv_transpose1d", x[:, :, 0], w[:, :, 0], b, padding=4)
conv_transpose("conv_transpose1d", x[:, :, 0], w[:, :, 0, :0], b)
conv_transpose("conv_transpose1d", x[0, 0], w[:, :, 0], b)
conv_transpose("conv_transpose1d", x[:, :, 0], w, b)

# ---- adaptive_avg_pool2d, adaptive_max_pool2d (with indices) ----
def adaptive(op, x, size):
    fn = {"adaptive_avg_pool2d": F.adaptive_avg_pool2d,
          "adaptive_max_pool2d": lambda x_, s_: F.adaptive_max_pool2d(x_, s_, return_indices=True),
          "adaptive_avg_pool1d": F.adaptive_avg_pool1d,
          "adaptive_max_pool1d": lambda x_, s_: F.adaptive_max_pool1d(x_, s_, return_indices=True)}[op]
    _, res = run(lambda x_: fn(x_, size), [x])
    lines.append(" ".join([op, ints(size), tensor_text(x), res if res.startswith("ERR") else "OK pool " + res]))


for op in ("adaptive_avg_pool2d", "adaptive_max_pool2d"):
    for dt in (F32, F64):
        adaptive(op, rnd(2, 3, 7, 5, dtype=dt), (3, 2))
        adaptive(op, rnd(2, 2, 5, 7, dtype=dt), 3)
        adaptive(op, rnd(1, 2, 4, 6, dtype=dt), (4, 6))  # windows of one element
        adaptive(op, rnd(1, 2, 3, 4, dtype=dt), (5, 7))  # larger than the input: overlapping windows
        adaptive(op, rnd(3, 6, 6, dtype=dt), (4, 3))     # unbatched
        adaptive(op, rnd(2, 3, 5, 5, dtype=dt), 1)       # avg: a mean
        adaptive(op, rnd(2, 3, 5, 5, dtype=dt), (1, 1))
        adaptive(op, rnd(2, 3, 6, 4, dtype=dt), (0, 2))
        adaptive(op, rnd(0, 3, 6, 4, dtype=dt), 2)
    x = rnd(2, 3, 6, 5, dtype=F64)
    for bad in [x[0, 0], x.unsqueeze(0), x[:, :0], x[:, :, :0], x[:, :, :, :0], x.long(), x.bool()]:
        adaptive(op, bad, 2)
    adaptive(op, x[0, 0], 1)
    adaptive(op, x.long(), 1)
    adaptive(op, x, (-1, 2))
    adaptive(op, x, (2, -3))
    adaptive(op, x, (1, 2, 3))
    adaptive(op, x[:, :0], (-1, 2))
t = torch.tensor([[[[1.0, float("nan"), 3.0], [float("nan"), 2.0, float("-inf")], [0.0, -0.0, 5.0]]]])
adaptive("adaptive_max_pool2d", t, 2)
adaptive("adaptive_avg_pool2d", t, 2)
adaptive("adaptive_max_pool2d", torch.full((1, 1, 3, 3), float("-inf")), 2)
adaptive("adaptive_avg_pool2d", torch.full((1, 1, 3, 3), -0.0), 2)

# ---- padding='same' and 'valid' (appended last: the cases above keep their random draws) ----
for dt in (F32, F64):
    conv("conv2d", rnd(2, 3, 6, 5, dtype=dt), rnd(4, 3, 3, 3, dtype=dt), rnd(4, dtype=dt), padding="same")
    conv("conv2d", rnd(2, 3, 6, 5, dtype=dt), rnd(4, 3, 2, 3, dtype=dt), rnd(4, dtype=dt), padding="same")
    conv("conv2d", rnd(1, 2, 7, 8, dtype=dt), rnd(3, 2, 4, 4, dtype=dt), None, padding="same", dilation=(1, 2))
    conv("conv2d", rnd(1, 4, 5, 5, dtype=dt), rnd(4, 2, 2, 2, dtype=dt), rnd(4, dtype=dt), padding="same", groups=2)
    conv("conv2d", rnd(3, 5, 6, dtype=dt), rnd(2, 3, 2, 2, dtype=dt), None, padding="same")  # unbatched
    conv("conv2d", rnd(1, 2, 5, 5, dtype=dt), rnd(1, 2, 7, 7, dtype=dt), None, padding="same")  # kernel > input
    conv("conv2d", rnd(2, 3, 6, 5, dtype=dt), rnd(4, 3, 2, 3, dtype=dt), rnd(4, dtype=dt), padding="valid",
         dilation=(2, 1))
    conv("conv1d", rnd(2, 3, 9, dtype=dt), rnd(2, 3, 4, dtype=dt), rnd(2, dtype=dt), padding="same")
    conv("conv1d", rnd(3, 9, dtype=dt), rnd(2, 3, 4, dtype=dt), None, padding="same", dilation=3)  # unbatched
    conv("conv1d", rnd(2, 3, 9, dtype=dt), rnd(2, 3, 5, dtype=dt), None, padding="same", dilation=2)
    conv("conv1d", rnd(2, 3, 9, dtype=dt), rnd(2, 3, 4, dtype=dt), None, padding="valid")
x, w = rnd(1, 2, 5, 5), rnd(3, 2, 3, 3)
conv("conv2d", x, w, None, padding="same", stride=2)
conv("conv2d", x, w, None, padding="same", stride=(1, 2))
conv("conv2d", x, w, None, padding="valid", stride=2)
conv("conv2d", x, w, None, padding="foo")
conv("conv2d", x, rnd(3, 2, 3), None, padding="same")
conv("conv2d", x, rnd(3, 2, 7, 7), None, padding="valid")
conv("conv2d", x, rnd(3, 2, 2, 2), None, padding="same", groups=2)
conv("conv1d", x[0], rnd(3, 2, 2), None, padding="same", stride=3)
conv("conv2d", x, rnd(3, 2, 0, 2), None, padding="same")  # an empty kernel: negative padding
conv("conv1d", x[0], rnd(3, 2, 0), None, padding="same")

# ---- None in adaptive output sizes, adaptive pools 1d (appended: the cases above keep their draws) ----
for op in ("adaptive_avg_pool2d", "adaptive_max_pool2d"):
    for dt in (F32, F64):
        adaptive(op, rnd(2, 3, 7, 5, dtype=dt), (None, 2))
        adaptive(op, rnd(3, 6, 4, dtype=dt), (4, None))
        adaptive(op, rnd(2, 3, 5, 5, dtype=dt), (1, None))
    adaptive(op, rnd(5, 4, dtype=F64), (None, 2))  # ValueError: a pair needs 3 dims
    adaptive(op, rnd(5, 4, dtype=F64), (3, 2))
for op in ("adaptive_avg_pool1d", "adaptive_max_pool1d"):
    for dt in (F32, F64):
        adaptive(op, rnd(2, 3, 7, dtype=dt), 3)
        adaptive(op, rnd(4, 9, dtype=dt), 4)     # unbatched
        adaptive(op, rnd(2, 3, 4, dtype=dt), 6)  # larger than the input
        adaptive(op, rnd(2, 3, 5, dtype=dt), 1)  # avg: a mean
    x = rnd(2, 3, 6, dtype=F64)
    for bad in [x[0, 0], x.unsqueeze(0), x[:, :0], x[:, :, :0], x.long()]:
        adaptive(op, bad, 2)
    adaptive(op, x, (2, 3))
    adaptive(op, x, -1)

path = os.path.join(os.path.dirname(__file__), "..", "tests", "data", "conv.txt")
with open(path, "w") as f:
    blas = ctypes.CDLL("libopenblas.so.0")  # the one PyTorch loaded: its kernels decide the slow path's bits
    blas.openblas_get_corename.restype = ctypes.c_char_p
    f.write("# blas %s %d\n" % (blas.openblas_get_corename().decode(), blas.openblas_get_num_threads()))
    f.write(f"# Generated by tools/gen_conv.py with PyTorch {torch.__version__}; do not edit.\n")
    f.write("\n".join(lines) + "\n")
print(f"{len(lines)} cases -> {path}")
