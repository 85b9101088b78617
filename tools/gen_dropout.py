"""Golden values of dropout and dropout2d: writes tests/data/dropout.txt from PyTorch 1.13.

Run from the repository root with /usr/bin/python3 tools/gen_dropout.py.

PyTorch's CPU dropout fills a noise tensor with bernoulli_(1 - p) (one 53-bit double uniform per
element from the default generator, in memory order), divides it by 1 - p and multiplies: the same
seed must zero the same elements. Each line is
    <case> <kind> <seed> <p> <x> <grad> <y> <dx> <after>
with kind dropout or dropout2d, tensors as tools/golden.py writes them, and after the next
torch.rand(5) drawn from the default generator (the stream continues where PyTorch's does).
"""
import os
import warnings

import torch
import torch.nn.functional as F

from golden import tensor_text

torch.set_num_threads(1)
warnings.simplefilter("ignore")
lines = []


def case(name, kind, seed, p, shape, dtype=torch.float32):
    torch.manual_seed(1000 + seed)
    x = torch.randn(shape, dtype=dtype)
    g = torch.randn(shape, dtype=dtype)
    xl = x.clone().requires_grad_()
    torch.manual_seed(seed)
    y = (F.dropout if kind == "dropout" else F.dropout2d)(xl, p)
    after = torch.rand(5)
    assert type(y.grad_fn).__name__ == "MulBackward0"
    y.backward(g)
    lines.append(" ".join([name, kind, str(seed), repr(p), tensor_text(x), tensor_text(g), tensor_text(y),
                           tensor_text(xl.grad), tensor_text(after)]))


for seed, p, shape in ((0, 0.5, (10,)), (1, 0.3, (4, 5)), (2, 0.1, (3, 4, 5)), (3, 0.9, (7, 9)), (4, 0.5, (1000,)),
                       (5, 0.25, (2, 3, 4, 4)), (6, 1e-3, (64, 10))):
    case(f"dropout_s{seed}", "dropout", seed, p, shape)
case("dropout_f64", "dropout", 7, 0.4, (6, 7), torch.float64)
case("dropout_p1", "dropout", 8, 1.0, (3, 4))
for seed, p, shape in ((10, 0.5, (2, 3, 4, 4)), (11, 0.2, (4, 6, 2, 3)), (12, 0.5, (3, 5, 7)), (13, 0.7, (5, 4))):
    case(f"dropout2d_s{seed}", "dropout2d", seed, p, shape)
case("dropout2d_f64", "dropout2d", 14, 0.3, (2, 8, 3, 3), torch.float64)

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
with open(os.path.join(root, "tests", "data", "dropout.txt"), "w") as f:
    f.write("\n".join(lines) + "\n")
print(len(lines), "cases")
