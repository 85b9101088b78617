"""Golden values of dropout, dropout1d/2d/3d, alpha_dropout and feature_alpha_dropout: writes
tests/data/dropout.txt from PyTorch 1.13.

Run from the repository root with /usr/bin/python3 tools/gen_dropout.py.

PyTorch's CPU dropout fills a noise tensor with bernoulli_(1 - p) (one 53-bit double uniform per
element from the default generator, in memory order), divides it by 1 - p and multiplies: the same
seed must zero the same elements (alpha dropout: an affine map of the noise instead). Each line is
    <case> <kind> <seed> <p> <node> <x> <grad> <y> <dx> <after>
with kind the function's name, node the result's grad_fn, tensors as tools/golden.py writes them, and after the next
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
    y = getattr(F, kind)(xl, p, True)
    after = torch.rand(5)
    y.backward(g)
    lines.append(" ".join([name, kind, str(seed), repr(p), type(y.grad_fn).__name__, tensor_text(x), tensor_text(g), tensor_text(y),
                           tensor_text(xl.grad), tensor_text(after)]))


for seed, p, shape in ((0, 0.5, (10,)), (1, 0.3, (4, 5)), (2, 0.1, (3, 4, 5)), (3, 0.9, (7, 9)), (4, 0.5, (1000,)),
                       (5, 0.25, (2, 3, 4, 4)), (6, 1e-3, (64, 10))):
    case(f"dropout_s{seed}", "dropout", seed, p, shape)
case("dropout_f64", "dropout", 7, 0.4, (6, 7), torch.float64)
case("dropout_p1", "dropout", 8, 1.0, (3, 4))
for seed, p, shape in ((10, 0.5, (2, 3, 4, 4)), (11, 0.2, (4, 6, 2, 3)), (12, 0.5, (3, 5, 7)), (13, 0.7, (5, 4))):
    case(f"dropout2d_s{seed}", "dropout2d", seed, p, shape)
case("dropout2d_f64", "dropout2d", 14, 0.3, (2, 8, 3, 3), torch.float64)
case("dropout2d_1d_p1", "dropout2d", 15, 1.0, (5,))  # p 1 zeroes before the 2-dims check
for seed, p, shape in ((20, 0.5, (10,)), (21, 0.2, (4, 5)), (22, 0.8, (3, 4, 5)), (24, 1.0, (3, 4))):
    case(f"alpha_dropout_s{seed}", "alpha_dropout", seed, p, shape)
case("alpha_dropout_f64", "alpha_dropout", 23, 0.3, (6, 7), torch.float64)
for seed, p, shape in ((30, 0.5, (2, 3, 4, 4)), (31, 0.25, (4, 6))):
    case(f"feature_alpha_dropout_s{seed}", "feature_alpha_dropout", seed, p, shape)
case("feature_alpha_dropout_f64", "feature_alpha_dropout", 32, 0.4, (3, 5, 2), torch.float64)
for seed, p, shape in ((40, 0.5, (3, 4, 5)), (41, 0.3, (6, 7))):
    case(f"dropout1d_s{seed}", "dropout1d", seed, p, shape)
for seed, p, shape in ((50, 0.5, (2, 3, 2, 2, 2)), (51, 0.4, (4, 2, 3, 3)), (52, 0.5, (3, 2, 2))):
    case(f"dropout3d_s{seed}", "dropout3d", seed, p, shape)

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
with open(os.path.join(root, "tests", "data", "dropout.txt"), "w") as f:
    f.write("\n".join(lines) + "\n")
print(len(lines), "cases")
