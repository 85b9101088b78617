"""Golden values of group_norm and instance_norm: writes tests/data/group_norm.txt from PyTorch 1.13.

Run from the repository root with /usr/bin/python3 tools/gen_group_norm.py.

group_norm's CPU kernel takes each (sample, group) row through RowwiseMoments (vectors of 8
float32 / 4 float64 lanes in chunks of 16 vectors, as layer_norm's), so row lengths go around those
sizes; with and without weight and bias. instance_norm is batch_norm over (1, N * C, ...): with and
without running statistics, use_input_stats true and false, one and two spatial dims. Each line is
    group <case> <groups> <eps> <has_weight> <has_bias> <backward> <x> [<weight>] [<bias>] <grad> <y>
        [<dx> [<dweight>] [<dbias>]]
    instance <case> <use_input_stats> <momentum> <eps> <has_running> <has_weight> <has_bias> <x> [<running_mean>
        <running_var>] [<weight>] [<bias>] <grad> <y> [<running_mean_after> <running_var_after>] <dx> [<dweight>] [<dbias>]
with tensors as tools/golden.py writes them. y and the running statistics are compared bit for bit,
the gradients to a tolerance. PyTorch 1.13's group_norm backward with a bias but no weight fails
("tensor does not have a device"): that case has no gradients (backward 0).
"""
import os

import torch
import torch.nn.functional as F

from golden import tensor_text

torch.set_num_threads(1)
torch.manual_seed(0)
lines = []


def grads(y, dtype, leaves):
    g = torch.randn(y.shape, dtype=dtype)
    y.backward(g)
    return g, [t.grad for t in leaves if t is not None]


def group(name, shape, groups, dtype, weight=True, bias=True, eps=1e-5, offset=0.0):
    backward = weight or not bias
    x = torch.randn(shape, dtype=dtype) * 3 + offset
    C = shape[1]
    w = torch.randn(C, dtype=dtype) if weight else None
    b = torch.randn(C, dtype=dtype) if bias else None
    xl = x.clone().requires_grad_()
    wl = w.clone().requires_grad_() if weight else None
    bl = b.clone().requires_grad_() if bias else None
    y = F.group_norm(xl, groups, wl, bl, eps)
    assert type(y.grad_fn).__name__ == "NativeGroupNormBackward0"
    g, gs = grads(y, dtype, (xl, wl, bl)) if backward else (torch.randn(y.shape, dtype=dtype), [])
    parts = ["group", name, str(groups), repr(eps), str(int(weight)), str(int(bias)), str(int(backward)),
             tensor_text(x)]
    parts += [tensor_text(t) for t in (w, b) if t is not None]
    parts += [tensor_text(g), tensor_text(y)] + [tensor_text(t) for t in gs]
    lines.append(" ".join(parts))


def instance(name, shape, dtype, use_input_stats=True, running=True, weight=True, bias=True, momentum=0.1, eps=1e-5):
    x = torch.randn(shape, dtype=dtype) * 2 + 0.5
    C = shape[1]
    rm = torch.randn(C, dtype=dtype) if running else None
    rv = torch.rand(C, dtype=dtype) + 0.5 if running else None
    w = torch.randn(C, dtype=dtype) if weight else None
    b = torch.randn(C, dtype=dtype) if bias else None
    xl = x.clone().requires_grad_()
    wl = w.clone().requires_grad_() if weight else None
    bl = b.clone().requires_grad_() if bias else None
    rm2 = rm.clone() if running else None
    rv2 = rv.clone() if running else None
    y = F.instance_norm(xl, rm2, rv2, wl, bl, use_input_stats, momentum, eps)
    g, gs = grads(y, dtype, (xl, wl, bl))
    parts = ["instance", name, str(int(use_input_stats)), repr(momentum), repr(eps), str(int(running)),
             str(int(weight)), str(int(bias)), tensor_text(x)]
    parts += [tensor_text(t) for t in (rm, rv, w, b) if t is not None]
    parts += [tensor_text(g), tensor_text(y)] + [tensor_text(t) for t in (rm2, rv2) if t is not None]
    parts += [tensor_text(t) for t in gs]
    lines.append(" ".join(parts))


for dtype in (torch.float32, torch.float64):
    d = "f32" if dtype == torch.float32 else "f64"
    for shape, groups in (((2, 4), 2), ((3, 6, 1), 3), ((2, 6, 3), 3), ((2, 4, 8), 2), ((2, 4, 9), 4), ((1, 8, 16), 2),
                          ((2, 6, 5, 5), 3), ((2, 8, 4, 4), 1), ((2, 8, 4, 4), 8), ((1, 4, 17, 8), 2),
                          ((2, 3, 129), 3), ((1, 1, 700, 3), 1)):
        tag = "x".join(map(str, shape)) + f"_g{groups}"
        group(f"{d}_{tag}", shape, groups, dtype)
    group(f"{d}_plain", (3, 6, 7), 2, dtype, weight=False, bias=False)
    group(f"{d}_weight_only", (3, 6, 7), 3, dtype, bias=False)
    group(f"{d}_bias_only", (3, 6, 7), 6, dtype, weight=False)
    group(f"{d}_eps_offset", (2, 4, 50), 2, dtype, eps=0.1, offset=1000.0)
    for shape in ((2, 3, 5), (3, 2, 4, 4), (2, 3, 1, 7), (1, 4, 6)):
        tag = "x".join(map(str, shape))
        instance(f"{d}_in_{tag}", shape, dtype)
        instance(f"{d}_in_plain_{tag}", shape, dtype, running=False, weight=False, bias=False)
        instance(f"{d}_in_eval_{tag}", shape, dtype, use_input_stats=False)
    instance(f"{d}_in_momentum", (4, 3, 6), dtype, momentum=0.6, eps=0.01)
    instance(f"{d}_in_weight_only", (2, 3, 6), dtype, running=False, bias=False)

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
with open(os.path.join(root, "tests", "data", "group_norm.txt"), "w") as f:
    f.write("\n".join(lines) + "\n")
print(len(lines), "cases")
