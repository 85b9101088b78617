"""Golden values of the normalization modules: writes tests/data/nn_norm.txt from PyTorch 1.13.

Run from the repository root with /usr/bin/python3 tools/gen_nn_norm.py.

Each case makes a module, runs two batches in training, then one in eval, and records every
output and the final state_dict in key order. Each line is
    <case> <module> <args...> ; <x1> <y1> <x2> <y2> <x3> <y3> ; <n keys> (<key> <tensor>)...
with tensors as tools/golden.py writes them and module args as the C constructor takes them.
"""
import math
import os

import torch
import torch.nn as nn

from golden import tensor_text

torch.set_num_threads(1)
torch.manual_seed(0)
lines = []


def case(name, kind, args, make, shape):
    m = make()
    parts = [name, kind] + [repr(a) if not isinstance(a, bool) else str(int(a)) for a in args] + [";"]
    m.train()
    for step in range(3):
        if step == 2:
            m.eval()
        x = torch.randn(shape) * 2 + 0.5
        y = m(x)
        parts += [tensor_text(x), tensor_text(y)]
    sd = m.state_dict()
    parts += [";", str(len(sd))]
    for k, v in sd.items():
        parts += [k, tensor_text(v)]
    lines.append(" ".join(parts))


def bn(kind, n, eps=1e-5, momentum=0.1, affine=True, track=True):
    cls = {"bn1d": nn.BatchNorm1d, "bn2d": nn.BatchNorm2d, "in1d": nn.InstanceNorm1d, "in2d": nn.InstanceNorm2d}[kind]
    return lambda: cls(n, eps, momentum, affine, track)


def args(n, eps=1e-5, momentum=0.1, affine=True, track=True):
    return [n, eps, math.nan if momentum is None else momentum, affine, track]


case("bn1d_default", "bn1d", args(3), bn("bn1d", 3), (8, 3))
case("bn1d_3d", "bn1d", args(4), bn("bn1d", 4), (5, 4, 6))
case("bn1d_cumulative", "bn1d", args(3, momentum=None), bn("bn1d", 3, momentum=None), (6, 3))
case("bn1d_no_affine", "bn1d", args(3, affine=False), bn("bn1d", 3, affine=False), (6, 3))
case("bn1d_no_track", "bn1d", args(3, track=False), bn("bn1d", 3, track=False), (6, 3))
case("bn2d_default", "bn2d", args(3), bn("bn2d", 3), (4, 3, 5, 5))
case("bn2d_momentum_eps", "bn2d", args(2, eps=1e-3, momentum=0.3), bn("bn2d", 2, 1e-3, 0.3), (3, 2, 4, 3))
case("bn2d_plain", "bn2d", args(2, affine=False, track=False), bn("bn2d", 2, affine=False, track=False), (3, 2, 3, 3))
case("in1d_default", "in1d", args(3, affine=False, track=False), bn("in1d", 3, affine=False, track=False), (4, 3, 6))
case("in1d_affine_track", "in1d", args(3), bn("in1d", 3), (4, 3, 6))
case("in1d_unbatched", "in1d", args(2, momentum=0.3), bn("in1d", 2, momentum=0.3), (2, 7))
case("in2d_default", "in2d", args(2, affine=False, track=False), bn("in2d", 2, affine=False, track=False), (3, 2, 4, 4))
case("in2d_track", "in2d", args(2, affine=False), bn("in2d", 2, affine=False), (3, 2, 3, 5))
case("in2d_unbatched", "in2d", args(3), bn("in2d", 3), (3, 4, 4))
case("gn_default", "gn", [2, 4, 1e-5, True], lambda: nn.GroupNorm(2, 4), (3, 4, 5))
case("gn_no_affine", "gn", [3, 6, 1e-3, False], lambda: nn.GroupNorm(3, 6, 1e-3, False), (2, 6, 3, 3))
case("ln_default", "ln", [1, 6, 1e-5, True], lambda: nn.LayerNorm(6), (4, 6))
case("ln_two_dims", "ln", [2, 3, 4, 1e-3, True], lambda: nn.LayerNorm([3, 4], 1e-3), (2, 5, 3, 4))
case("ln_no_affine", "ln", [1, 5, 1e-5, False], lambda: nn.LayerNorm(5, elementwise_affine=False), (3, 5))

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
with open(os.path.join(root, "tests", "data", "nn_norm.txt"), "w") as f:
    f.write("\n".join(lines) + "\n")
print(len(lines), "cases")
