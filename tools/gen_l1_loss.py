"""Golden values of l1_loss: writes tests/data/l1_loss.txt from PyTorch 1.13.

Run from the repository root with /usr/bin/python3 tools/gen_l1_loss.py. Each line is
    <reduction> <input> <target> <loss> <node name> <input grad> <target grad>
with tensors as tools/golden.py writes them; the gradients are those of loss.sum() (for "none")
or of the loss, both operands requiring grad (a broadcast target's gradient is summed back).
"""
import os

import torch

from golden import tensor_text

torch.manual_seed(0)
lines = []
for dtype in (torch.float32, torch.float64):
    for shapes in (((3, 4), (3, 4)), ((2, 33), (2, 33)), ((3, 4), (4,)), ((), ()), ((1000,), (1000,)), ((0, 3), (0, 3))):
        for reduction in ("mean", "sum", "none"):
            x = torch.randn(shapes[0], dtype=dtype, requires_grad=True)
            t = torch.randn(shapes[1], dtype=dtype, requires_grad=True)
            loss = torch.nn.functional.l1_loss(x, t, reduction=reduction)
            (loss.sum() if reduction == "none" else loss).backward()
            lines.append(" ".join([reduction, tensor_text(x), tensor_text(t), tensor_text(loss),
                                   type(loss.grad_fn).__name__, tensor_text(x.grad), tensor_text(t.grad)]))
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
with open(os.path.join(root, "tests", "data", "l1_loss.txt"), "w") as f:
    f.write("\n".join(lines) + "\n")
print(len(lines), "cases")
