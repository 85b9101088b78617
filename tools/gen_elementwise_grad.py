"""Golden data for autograd through the elementwise ops: writes tests/data/elementwise_grad.txt
with real PyTorch 1.13. Run from the repository root: /usr/bin/python3 tools/gen_elementwise_grad.py

Each case is one line; tests/test_elementwise_grad.c has a C function of the same name that
computes the same output from the same inputs:
    <case> <n> (<r|n> <tensor>)*n <node> <k> (<next node> <input_nr>)*k <w> <result>
r/n: whether the input requires grad. <node> is the output's grad_fn name ("None" for none) and
the k pairs are its next_functions. <w> is the gradient passed to backward (a tensor of the
output's shape). <result> is one gradient per input (a tensor, or "none" for an input that does
not require grad), or "error" and PyTorch's message (the rest of the line) when backward fails.
"""
import os
import sys
import warnings

import torch

sys.path.insert(0, os.path.dirname(__file__))
from golden import tensor_text  # noqa: E402

F32, F64, I64, B = torch.float32, torch.float64, torch.int64, torch.bool
NAN, INF = float("nan"), float("inf")
torch.manual_seed(0)

lines = []


def node_name(node):
    return "None" if node is None else type(node).__name__


def case(name, inputs, fn):
    """inputs: list of (requires_grad, tensor); fn gets the leaves and returns the output."""
    leaves = [t.clone().requires_grad_(r) for r, t in inputs]
    parts = [name, str(len(inputs))]
    for (r, t) in inputs:
        parts += ["r" if r else "n", tensor_text(t)]
    out = fn(*leaves)
    fn_node = out.grad_fn
    nexts = fn_node.next_functions if fn_node is not None else ()
    parts += [node_name(fn_node), str(len(nexts))]
    for f, nr in nexts:
        parts += [node_name(f), str(nr)]
    w = (torch.rand(out.shape) * 2 - 1).to(out.dtype) if out.dtype.is_floating_point else torch.ones(out.shape)
    parts.append(tensor_text(w))
    try:
        out.backward(w)
        parts += [tensor_text(t.grad) if r else "none" for t, (r, _) in zip(leaves, inputs)]
    except Exception as e:  # noqa: BLE001 - every PyTorch error is golden, with its type
        parts += ["error", f"{type(e).__name__}: {e}"]
    lines.append(" ".join(parts))


def f32(*v):
    return torch.tensor(v, dtype=F32)


def rand(*shape, low=-2.0, high=2.0, dtype=F32):
    return (torch.rand(shape, dtype=F64) * (high - low) + low).to(dtype)


def inplace(op):
    """y = a * 1; op(y, *rest); the output is y."""
    def fn(a, *rest):
        y = a * 1
        op(y, *rest)
        return y
    return fn


# ---- binary ops: both inputs require grad, one does not, broadcasting ----
for name, op in [("add", torch.add), ("sub", torch.sub), ("mul", torch.mul), ("div", torch.div),
                 ("maximum", torch.maximum), ("minimum", torch.minimum)]:
    case(name, [(True, rand(2, 3)), (True, rand(2, 3, low=0.5))], op)
    case(name + "_bcast", [(True, rand(3, 1)), (True, rand(4, low=0.5))], op)
    case(name + "_other_const", [(True, rand(2, 3)), (False, rand(3, low=0.5))], op)
    case(name + "_self_const", [(False, rand(2, 3)), (True, rand(3, low=0.5))], op)
case("pow", [(True, rand(2, 3, low=0.5)), (True, rand(2, 3))], torch.pow)
case("pow_bcast", [(True, rand(3, 1, low=0.5)), (True, rand(4))], torch.pow)
case("pow_other_const", [(True, rand(2, 3, low=0.5)), (False, rand(3))], torch.pow)
case("pow_self_const", [(False, rand(2, 3, low=0.5)), (True, rand(3))], torch.pow)
# PyTorch's masks at base 0: no gradient for the base where the exponent is 0, none for the
# exponent where the base is 0 and the exponent >= 0.
case("pow", [(True, f32(0, 0, 2, 0, 1.5, -2, 0, 3)), (True, f32(2, 0, 3, -1, 0, 2, 0.5, -0.5))], torch.pow)
case("pow_int_base", [(False, torch.tensor([1, 2, 3, 0])), (True, f32(0.5, -1, 2, 1))], torch.pow)
# maximum/minimum: ties split the gradient in half; NaN gives it to both.
ties = [(True, f32(1, 2, 3, NAN, 5)), (True, f32(1, 1, 4, 0, 5))]
case("maximum", ties, torch.maximum)
case("minimum", ties, torch.minimum)
case("maximum_mixed_dtypes", [(True, rand(3)), (True, rand(3, dtype=F64))], torch.maximum)
cond = torch.tensor([True, False, True])
case("where", [(True, rand(2, 3)), (True, rand(2, 3))], lambda a, b: torch.where(cond, a, b))
case("where_bcast", [(True, rand(2, 1)), (True, rand(3))], lambda a, b: torch.where(cond, a, b))
case("where_other_const", [(True, rand(2, 3)), (False, rand(2, 3, dtype=F64))],
     lambda a, b: torch.where(cond, a, b))
case("eq", [(True, rand(3)), (True, rand(3))], torch.eq)
case("lt_scalar", [(True, rand(3))], lambda a: a < 0.5)

# ---- Python numbers ----
x6 = rand(2, 3, low=0.5)
for name, fn in [("add_scalar", lambda a: a + 2.5), ("sub_scalar", lambda a: a - 2.5),
                 ("rsub_scalar", lambda a: 2.5 - a), ("mul_scalar", lambda a: a * 2.5),
                 ("div_scalar", lambda a: a / 2.5), ("rdiv_scalar", lambda a: 3 / a),
                 ("rdiv_scalar_one", lambda a: 1 / a),
                 ("pow_scalar", lambda a: a ** 2), ("pow_scalar_frac", lambda a: a ** 2.5),
                 ("pow_scalar_zero", lambda a: a ** 0), ("pow_scalar_neg", lambda a: a ** -1),
                 ("rpow_scalar", lambda a: 2 ** a), ("rpow_scalar_half", lambda a: 0.5 ** a),
                 ("rpow_scalar_one", lambda a: 1 ** a)]:
    case(name, [(True, x6)], fn)
case("rpow_scalar_zero", [(True, f32(0, 1, -1, 2.5, -0.5))], lambda a: 0 ** a)

# ---- clamp: bounds included; NaN stops the gradient; a NaN bound stops it everywhere ----
edges = f32(-2, -0.5, -0.25, 0, 0.5, 0.75, NAN)
case("clamp", [(True, edges)], lambda a: torch.clamp(a, -0.5, 0.5))
case("clamp_min", [(True, edges)], lambda a: torch.clamp(a, min=-0.5))
case("clamp_max", [(True, edges)], lambda a: torch.clamp(a, max=0.5))
case("clamp_crossed", [(True, edges)], lambda a: torch.clamp(a, 0.5, -0.5))
case("clamp_nan_min", [(True, edges)], lambda a: torch.clamp(a, min=NAN))
case("clamp_nan_both", [(True, edges)], lambda a: torch.clamp(a, NAN, 0.5))
case("clamp_float64", [(True, rand(2, 3, dtype=F64))], lambda a: torch.clamp(a, -0.5, 0.5))

# ---- unary ops, with their special points ----
special = f32(-1.5, -0.5, 0, 0.25, 1, 2)
for name in ["neg", "exp", "log", "log1p", "sqrt", "abs", "sign", "sin", "cos", "tan", "tanh", "sigmoid", "relu"]:
    case(name, [(True, special)], getattr(torch, name))
    case(name + "_2x3", [(True, rand(2, 3, low=0.1, high=1.2))], getattr(torch, name))
    case(name + "_float64", [(True, rand(3, low=0.1, high=1.2, dtype=F64))], getattr(torch, name))

# ---- in place, on y = x * 1 ----
for name in ["add_", "sub_", "mul_", "div_"]:
    op = getattr(torch.Tensor, name)
    case(name, [(True, rand(2, 3)), (True, rand(3, low=0.5))], inplace(op))
    case(name + "_other_const", [(True, rand(2, 3)), (False, rand(3, low=0.5))], inplace(op))
    case(name + "_self_const", [(False, rand(2, 3)), (True, rand(3, low=0.5))], inplace(op))
    # on a view of a non-leaf: y[1].op_(other) rewrites y's history (CopySlices)
    case(name + "_view", [(True, rand(2, 3)), (True, rand(3, low=0.5))],
         lambda a, b, op=op: (lambda y: (op(y[1], b), y)[1])(a * 1))
case("add_scalar_", [(True, rand(2, 3))], inplace(lambda y: y.add_(2.5)))
case("mul_scalar_", [(True, rand(2, 3))], inplace(lambda y: y.mul_(2.5)))
case("clamp_", [(True, edges)], inplace(lambda y: y.clamp_(-0.5, 0.5)))
case("clamp_view", [(True, rand(2, 3))], lambda a: (lambda y: (y[0].clamp_(-0.5, 0.5), y * y)[1])(a * 1))
# self as the operand: the saved operand was overwritten, which backward reports
case("mul_self", [(True, rand(3))], inplace(lambda y: y.mul_(y)))
case("div_self", [(True, rand(3, low=0.5))], inplace(lambda y: y.div_(y)))
case("add_self", [(True, rand(3))], inplace(lambda y: y.add_(y)))
# a tensor saved by an earlier op, then changed in place
# (exp saves its output, sin its input: only the second is affected)
case("saved_then_modified", [(True, rand(3))], lambda a: (lambda y: (lambda z: (y.add_(1), z)[1])(y.sin()))(a * 1))
case("output_saved_then_input_modified", [(True, rand(3))],
     lambda a: (lambda y: (lambda z: (y.add_(1), z)[1])(y.exp()))(a * 1))
case("unsaved_then_modified", [(True, rand(3)), (False, rand(3))],
     lambda a, c: (lambda y: (lambda z: (y.add_(1), z)[1])(y * c))(a * 1))
# random fills: the old values get no gradient
case("uniform_", [(True, rand(2, 3))], inplace(lambda y: y.uniform_()))
case("normal_", [(True, rand(2, 3))], inplace(lambda y: y.normal_()))

# ---- the number's kind in backward: the saved int is converted to float32 once (2**60 + 2**36 + 1
# rounds up; through float64 it would round down to 2**60), a bool counts as 1, clamp's int bounds
# compare in float32 (16777217 is 16777216 there) ----
HUGE = 2**60 + 2**36 + 1
small = f32(0.5, -1.25, 2.0)
case("mul_scalar_huge_int", [(True, small)], lambda a: a * HUGE)
case("div_scalar_huge_int", [(True, small)], lambda a: a / HUGE)
case("rdiv_scalar_huge_int", [(True, small)], lambda a: HUGE / a)
case("mul_scalar__huge_int", [(True, small)], inplace(lambda y: y.mul_(HUGE)))
case("mul_scalar_true", [(True, small)], lambda a: a * True)
case("pow_scalar_true", [(True, small)], lambda a: a ** True)
case("pow_scalar_int3", [(True, small)], lambda a: a ** 3)
case("rpow_scalar_int3", [(True, small)], lambda a: 3 ** a)
case("clamp_int_bounds", [(True, f32(16777216, 16777218, 0, -3))], lambda a: torch.clamp(a, 16777217, 16777218))
case("clamp__int_bounds", [(True, f32(16777216, 16777218, 0, -3))], inplace(lambda y: y.clamp_(16777217, 16777218)))

warnings.simplefilter("ignore")
with open("tests/data/elementwise_grad.txt", "w") as f:
    f.write("# Generated by tools/gen_elementwise_grad.py with PyTorch %s\n" % torch.__version__)
    f.write("\n".join(lines) + "\n")
print(len(lines), "cases")
