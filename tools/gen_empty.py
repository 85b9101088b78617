"""Golden results of ops on empty tensors: writes tests/data/empty.txt from PyTorch 1.13.

Run from the repository root with /usr/bin/python3 tools/gen_empty.py.

Each line is
    <op> <n> <input>... OK <result> [GRAD <ndim> <sizes...>]
or  <op> <n> <input>... ERR <Kind>: <message>
where an input is '<dtype> <ndim> <sizes...>' (zeros; float inputs require grad) and the result
is a tensor in tools/golden.py's format (dtype, shape, values). GRAD gives the shape of the first
input's gradient after result.sum().backward() when the result requires grad.
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
from golden import tensor_text  # noqa: E402

lines = []
DTYPES = {"float32": torch.float32, "float64": torch.float64, "int64": torch.int64, "bool": torch.bool}

UNARY = {
    "neg": lambda x: -x, "exp": torch.exp, "log": torch.log, "log1p": torch.log1p, "sqrt": torch.sqrt,
    "abs": torch.abs, "sign": torch.sign, "sin": torch.sin, "cos": torch.cos, "tan": torch.tan,
    "tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu,
    "add_scalar": lambda x: x + 1, "mul_scalar": lambda x: x * 2, "pow_scalar": lambda x: x ** 2.5,
    "rpow_scalar": lambda x: 2 ** x, "clamp": lambda x: x.clamp(-1, 1),
    "sum": torch.sum, "sum_dim0": lambda x: x.sum(0), "sum_dim_last": lambda x: x.sum(-1),
    "sum_keepdim": lambda x: x.sum(0, keepdim=True),
    "mean": torch.mean, "mean_dim0": lambda x: x.mean(0), "mean_dim_last": lambda x: x.mean(-1),
    "prod": torch.prod, "prod_dim0": lambda x: x.prod(0),
    "max": torch.max, "min": torch.min, "argmax": torch.argmax, "argmin": torch.argmin,
    "max_dim0": lambda x: x.max(0)[0], "max_dim_last": lambda x: x.max(-1)[0],
    "argmax_dim_last": lambda x: x.argmax(-1),
    "var": torch.var, "std": torch.std, "var_dim0": lambda x: x.var(0), "var_dim_last": lambda x: x.var(-1),
    "norm": torch.norm, "norm_dim0": lambda x: torch.norm(x, 2, 0), "norm_inf": lambda x: torch.norm(x, float("inf")),
    "softmax_last": lambda x: torch.softmax(x, -1), "softmax0": lambda x: torch.softmax(x, 0),
    "log_softmax_last": lambda x: torch.log_softmax(x, -1),
    "view_flat": lambda x: x.view(-1), "reshape_flat": lambda x: x.reshape(-1),
    "view_infer": lambda x: x.view(0, -1), "reshape_infer": lambda x: x.reshape(-1, 0),
    "transpose": lambda x: x.transpose(0, -1), "squeeze": torch.squeeze, "unsqueeze0": lambda x: x.unsqueeze(0),
    "flatten": torch.flatten, "expand": lambda x: x.expand(2, *x.shape), "narrow": lambda x: x.narrow(0, 0, 0),
    "select_last": lambda x: x.select(-1, 0), "index_select0": lambda x: x.index_select(0, torch.zeros(0, dtype=torch.long)),
    "cat0": lambda x: torch.cat([x, x], 0), "cat_last": lambda x: torch.cat([x, x], -1),
    "stack": lambda x: torch.stack([x, x]), "clone": torch.clone, "contiguous": lambda x: x.contiguous(),
    "to_float64": lambda x: x.to(torch.float64), "zeros_like": torch.zeros_like, "where_self": lambda x: torch.where(x > 0, x, x),
    "mse_loss": lambda x: torch.nn.functional.mse_loss(x, x.detach()),
    "mse_loss_sum": lambda x: torch.nn.functional.mse_loss(x, x.detach(), reduction="sum"),
    "bce_logits": lambda x: torch.nn.functional.binary_cross_entropy_with_logits(x, x.detach()),
    "cross_entropy": lambda x: torch.nn.functional.cross_entropy(x, torch.zeros(x.shape[0], dtype=torch.long)),
    "nll_loss": lambda x: torch.nn.functional.nll_loss(x, torch.zeros(x.shape[0], dtype=torch.long)),
    "masked_fill": lambda x: x.masked_fill(x > 0, 2.0),
    "gather0": lambda x: torch.gather(x, 0, torch.zeros(x.shape, dtype=torch.long)),
    "scatter_add0": lambda x: torch.scatter_add(x, 0, torch.zeros(x.shape, dtype=torch.long), x),
    "addcmul": lambda x: torch.addcmul(x, x, x, value=2),
    "lerp": lambda x: torch.lerp(x, x, 0.5),
    "add_inplace": lambda x: x.detach().clone().add_(1),
    "mul_inplace_leaf": lambda x: x.mul_(2),
    "exp_inplace": lambda x: x.detach().clone().exp_(),
    "fill_inplace": lambda x: x.detach().clone().fill_(3),
    "unbind0_count": lambda x: torch.tensor(len(x.unbind(0))),
    "chunk_last_count": lambda x: torch.tensor(len(x.chunk(2, -1))),
}
BINARY = {
    "add": torch.add, "sub": torch.sub, "mul": torch.mul, "div": torch.div, "pow": torch.pow,
    "maximum": torch.maximum, "minimum": torch.minimum, "eq": torch.eq, "lt": torch.lt,
    "where": lambda x, y: torch.where(x > 0, x, y),
    "dot": torch.dot, "mv": torch.mv, "mm": torch.mm, "bmm": torch.bmm, "matmul": torch.matmul,
}


def make(dtype, sizes):
    t = torch.zeros(sizes, dtype=DTYPES[dtype])
    return t.requires_grad_() if t.is_floating_point() else t


def case(op, *specs):
    head = f"{op} {len(specs)} " + " ".join(f"{d} {len(s)} " + " ".join(map(str, s)) for d, s in specs)
    head = " ".join(head.split())
    inputs = [make(d, s) for d, s in specs]
    f = UNARY.get(op) or BINARY[op]
    try:
        r = f(*inputs)
    except (RuntimeError, IndexError, ValueError, TypeError) as e:
        lines.append(f"{head} ERR {type(e).__name__}: {str(e).splitlines()[0]}")
        return
    line = f"{head} OK {tensor_text(r.detach())}"
    if r.requires_grad and inputs[0].requires_grad:
        r.sum().backward()
        g = inputs[0].grad
        line += f" GRAD {g.dim()} " + " ".join(map(str, g.shape)) if g is not None else " GRAD none"
    lines.append(line.rstrip())


SHAPES = [[0], [0, 3], [3, 0], [2, 0, 4]]
for op in UNARY:
    for shape in SHAPES:
        # PyTorch 1.13's nll_loss crashes (SIGSEGV) on a 1-D empty input: only (N, C) inputs here.
        if op not in ("nll_loss", "cross_entropy") or shape == [0, 3]:
            case(op, ("float32", shape))
    if op in ("neg", "abs", "sum", "mean", "prod", "max", "argmax", "softmax_last", "cat0", "clamp", "sign", "exp"):
        case(op, ("int64", [0, 3]))
        case(op, ("bool", [3, 0]))
PAIRS = [([0], [0]), ([0, 3], [0, 3]), ([0, 3], [3]), ([3, 0], [1]), ([2, 0, 4], [0, 1]), ([0], [3]),
         ([2, 0], [0, 4]), ([0, 3], [3, 4]), ([2, 3], [3, 0]), ([2, 0], [3]), ([0, 2, 3], [0, 3, 4]),
         ([2, 2, 0], [2, 0, 4]), ([5, 2, 0], [0, 3]), ([0], [0, 3]), ([2, 3], [0, 3, 4]), ([0, 3], [3, 0])]
for op in BINARY:
    for a, b in PAIRS:
        case(op, ("float32", a), ("float32", b))
for op in ("add", "mul", "eq", "matmul", "mm"):
    case(op, ("int64", [0, 3]), ("int64", [3, 2]))
    if op not in ("matmul", "mm"):  # PyTorch fails an internal assert on these
        case(op, ("float32", [0, 3]), ("int64", [3]))

path = os.path.join(os.path.dirname(__file__), "..", "tests", "data", "empty.txt")
with open(path, "w") as f:
    f.write(f"# Generated by tools/gen_empty.py with PyTorch {torch.__version__}; do not edit.\n")
    f.write("\n".join(lines) + "\n")
