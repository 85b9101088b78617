"""Golden data for the functional API (torch.autograd.functional) -> tests/data/functional.txt.

Run with /usr/bin/python3 (PyTorch 1.13). Each case calls jacobian / hessian / vjp / jvp / vhp / hvp
on one of the functions below (tests/test_functional.c defines the same functions under the same
names) and records, in float64:

    case <api> <fn> <create_graph> <strict>
    in <requires_grad> <tensor>          one per input
    v <requires_grad> <tensor>           one per entry of v (none: v is None)
    out <grad_fn|None> <requires_grad> <tensor>   the function's outputs (vjp, jvp, vhp, hvp)
    res <grad_fn|None> <requires_grad> <tensor>   the results, jacobian/hessian as [i * nin + j]
    second <tensor>                      d(sum of every result that requires grad)/d(each input,
                                         then each v, that requires grad); zeros where unused
    error <message>                      instead of out/res/second when PyTorch raises
    end

A list of one input (or one v) is passed to PyTorch as a plain Tensor, as cgrad documents."""
import os
import sys

import torch
from torch.autograd import functional as F

sys.path.insert(0, os.path.dirname(__file__))
from golden import tensor_text  # noqa: E402

torch.set_default_dtype(torch.float64)

# ---- the functions (same names and formulas in tests/test_functional.c) ----

FUNCTIONS = {
    "cube_sum": lambda x: x.pow(3).sum(),
    "sq_sum": lambda x: (x * x).sum(),
    "poly2": lambda x, y: (x.pow(2) * y + x * 3 / y).sum(),
    "poly_same": lambda x, y: (x.pow(2) * y + x * 3 * y.pow(3)).sum(),
    "multi_same": lambda x, y: (x * y, x.pow(2) * 2 + y),
    "multi": lambda x, y: (x * y, x.select(1, 0) * 2 + y.select(0, 1).pow(2), y.mean()),
    "unused": lambda x, y: x.pow(2) * 2,
    "unused_sum": lambda x, y: x.pow(3).sum(),
    "constant": lambda x: torch.ones(2),
    "linear": lambda x: x * 3 + 1,
    "lin_sum": lambda x: (x * 3).sum(),
    "identity": lambda x: x,
    "one_elem": lambda x: (x * x).sum().view(1),
    "views": lambda x: (x.view(4) * x.select(0, 1).select(0, 0)).pow(2),
    "quartic": lambda x, y: (x.pow(2) * y.pow(2)).sum() + x.pow(3).mean(),
    "two_out": lambda x: (x.pow(2), x.sum()),
    # uses the caller's own first input as well as the one it is given (cgrad: through `user`)
    "captured": lambda x: x * CAPTURED[0],
    "sign": lambda x: x.sign(),
    "mat_tanh": lambda a, x: (a @ x).tanh(),
    "quad_form": lambda x, a: x @ a @ x,
    "mm_sq": lambda a, b: (a @ b).pow(2).sum(),
    "exp_sin": lambda x, y: (x.exp() * y.sin()).sum(),
    "tanh_multi": lambda x, y: (x.tanh() * 2, (x.exp() + y).sin(), (x * y).sigmoid().mean()),
}

CAPTURED = [None]

APIS = {"jacobian": F.jacobian, "hessian": F.hessian, "vjp": F.vjp, "jvp": F.jvp, "vhp": F.vhp, "hvp": F.hvp}

gen = torch.Generator().manual_seed(0)


def rnd(*shape, lo=-1.0, hi=1.0):
    return torch.rand(shape, generator=gen) * (hi - lo) + lo


def one_or_tuple(ts):
    return ts[0] if len(ts) == 1 else tuple(ts)


def flatten(res, api, nin, nout_is_tuple):
    """The results as cgrad's flat array."""
    if api in ("jacobian", "hessian"):
        rows_tuple = nout_is_tuple if api == "jacobian" else nin > 1
        rows = list(res) if rows_tuple else [res]
        flat = []
        for row in rows:
            flat += list(row) if nin > 1 else [row]
        return flat
    return list(res) if isinstance(res, tuple) else [res]


def node_name(t):
    return type(t.grad_fn).__name__ if t.grad_fn is not None else "None"


def tensor_line(tag, t):
    return "%s %s %d %s" % (tag, node_name(t), int(t.requires_grad), tensor_text(t))


# Ops whose backward some cases need beyond what the first autograd commit made differentiable
# (add/sub/mul/div, pow_scalar, sum, mean, view, select, clone): a case is written only once every
# op it needs is differentiable on main.
#   view_grads: reshape, expand, unsqueeze (view's and sum's backwards, and the engine's summing of
#               broadcast gradients, use them, so second derivatives through those need them)
#   stack:      jacobian/hessian rows stacked with create_graph
#   neg:        div's backward w.r.t. the divisor, differentiated again
AVAILABLE = {"view_grads", "stack", "neg"}


def case(lines, api, fn, inputs, v=None, cg=False, strict=False, needs=()):
    """inputs: list of (tensor, requires_grad); v: list of (tensor, requires_grad) or None."""
    if not set(needs) <= AVAILABLE:
        return
    ins = [t.detach().clone().requires_grad_(rg) for t, rg in inputs]
    CAPTURED[0] = ins[0] if ins else None
    vs = None if v is None else [t.detach().clone().requires_grad_(rg) for t, rg in v]
    lines.append("case %s %s %d %d" % (api, fn, int(cg), int(strict)))
    for t in ins:
        lines.append("in %d %s" % (int(t.requires_grad), tensor_text(t)))
    for t in vs or []:
        lines.append("v %d %s" % (int(t.requires_grad), tensor_text(t)))
    kwargs = {"create_graph": cg, "strict": strict}
    if vs is not None:
        kwargs["v"] = one_or_tuple(vs)
    try:
        got = APIS[api](FUNCTIONS[fn], one_or_tuple(ins), **kwargs)
    except Exception as e:  # noqa: BLE001 - every PyTorch error is golden, with its type
        lines.append(f"error {type(e).__name__}: {e}")
        lines.append("end")
        return
    if api in ("jacobian", "hessian"):
        outs = None
        probe = FUNCTIONS[fn](*[t.detach() for t in ins])
        results = flatten(got, api, len(ins), isinstance(probe, tuple))
    else:
        outs, res = got
        outs = list(outs) if isinstance(outs, tuple) else [outs]
        results = flatten(res, api, len(ins), False)
    for t in outs or []:
        lines.append(tensor_line("out", t))
    for t in results:
        lines.append(tensor_line("res", t))
    differentiable = [r for r in results if r.requires_grad]
    wrt = [t for t in ins + (vs or []) if t.requires_grad]
    if differentiable and wrt:
        total = sum(r.sum() for r in differentiable)
        grads = torch.autograd.grad(total, wrt, allow_unused=True)
        for g, t in zip(grads, wrt):
            lines.append("second " + tensor_text(g if g is not None else torch.zeros_like(t)))
    lines.append("end")


def main():
    L = []
    x3, x23, y3, y23 = rnd(3), rnd(2, 3), rnd(3, lo=0.5, hi=1.5), rnd(2, 3)
    x2, x22, y22, x0, x1 = rnd(2), rnd(2, 2), rnd(2, 2), rnd(), rnd(1)
    T, N = True, False

    # jacobian
    case(L, "jacobian", "cube_sum", [(x3, N)])
    case(L, "jacobian", "multi", [(x23, N), (y3, N)])
    case(L, "jacobian", "multi", [(x23, T), (y3, N)])
    case(L, "jacobian", "poly2", [(x23, N), (y3, N)])
    case(L, "jacobian", "unused", [(x2, N), (y3, N)])
    case(L, "jacobian", "constant", [(x2, N)])
    case(L, "jacobian", "identity", [(x3, N)])
    case(L, "jacobian", "views", [(x22, N)])
    case(L, "jacobian", "linear", [(x0, N)])
    case(L, "jacobian", "one_elem", [(x3, N)])
    case(L, "jacobian", "one_elem", [(x3, T)], cg=True)
    case(L, "jacobian", "one_elem", [(x3, N)], cg=True)
    case(L, "jacobian", "cube_sum", [(x1, T)], cg=True)
    case(L, "jacobian", "unused", [(x2, N), (y3, N)], strict=True)
    case(L, "jacobian", "constant", [(x2, N)], strict=True)
    case(L, "jacobian", "linear", [(x2, N)], cg=True, strict=True)
    case(L, "jacobian", "cube_sum", [(x3, N)], strict=True)
    case(L, "jacobian", "linear", [(torch.zeros(0), N)])
    case(L, "jacobian", "identity", [(torch.tensor([1, 2]), N)])
    case(L, "jacobian", "multi", [(x23, T), (y3, N)], cg=True, needs=("stack", "view_grads"))
    case(L, "jacobian", "poly2", [(x23, N), (y3, T)], cg=True, needs=("stack", "view_grads", "neg"))
    case(L, "jacobian", "views", [(x22, N)], cg=True, needs=("stack",))

    # hessian
    case(L, "hessian", "cube_sum", [(x3, N)])
    case(L, "hessian", "cube_sum", [(x3, T)])
    case(L, "hessian", "poly2", [(x23, N), (y3, N)], needs=("view_grads", "neg"))
    case(L, "hessian", "poly_same", [(x3, N), (y3, N)])
    case(L, "hessian", "quartic", [(x2, N), (y22, N)], needs=("view_grads",))
    case(L, "hessian", "one_elem", [(x3, N)])
    case(L, "hessian", "lin_sum", [(x3, N)])
    case(L, "hessian", "unused_sum", [(x2, N), (y3, N)])
    case(L, "hessian", "cube_sum", [(x1, T)], cg=True, needs=("view_grads",))
    case(L, "hessian", "cube_sum", [(x1, N)], cg=True, needs=("view_grads",))
    case(L, "hessian", "cube_sum", [(x3, T)], cg=True, needs=("stack", "view_grads"))
    case(L, "hessian", "poly_same", [(x3, T), (y3, N)], cg=True, needs=("stack", "view_grads"))
    case(L, "hessian", "lin_sum", [(x3, N)], strict=True)
    case(L, "hessian", "unused_sum", [(x2, N), (y3, N)], strict=True)
    case(L, "hessian", "constant", [(x2, N)], strict=True)
    case(L, "hessian", "two_out", [(x2, N)])
    case(L, "hessian", "identity", [(x2, N)])

    # vjp
    v_multi = [(rnd(2, 3), N), (rnd(2), N), (rnd(), N)]
    case(L, "vjp", "multi", [(x23, N), (y3, N)], v_multi)
    case(L, "vjp", "multi", [(x23, T), (y3, N)], v_multi, cg=True, needs=("view_grads",))
    case(L, "vjp", "multi", [(x23, T), (y3, T)], [(rnd(2, 3), T), (rnd(2), N), (rnd(), T)], cg=True, needs=("view_grads",))
    case(L, "vjp", "cube_sum", [(x3, N)])
    case(L, "vjp", "cube_sum", [(x3, T)], cg=True)
    case(L, "vjp", "one_elem", [(x3, N)])
    case(L, "vjp", "two_out", [(x2, N)], [(rnd(2), N), (rnd(), N)])
    case(L, "vjp", "unused", [(x2, N), (y3, N)], [(rnd(2), N)])
    case(L, "vjp", "identity", [(x3, T)], [(rnd(3), N)], cg=True)
    case(L, "vjp", "constant", [(x2, N)], [(rnd(2), N)])
    case(L, "vjp", "unused", [(x2, N), (y3, N)], [(rnd(2), N)], strict=True)
    case(L, "vjp", "constant", [(x2, N)], [(rnd(2), N)], strict=True)
    case(L, "vjp", "lin_sum", [(x2, N)], cg=True, strict=True)
    case(L, "vjp", "cube_sum", [(x2, N)], cg=True, strict=True)
    case(L, "vjp", "linear", [(x2, N)])
    case(L, "vjp", "multi", [(x23, N), (y3, N)], v_multi[:2])
    case(L, "vjp", "linear", [(x2, N)], [(rnd(2), N), (rnd(2), N)])
    case(L, "vjp", "multi", [(x23, N), (y3, N)], [v_multi[0], (rnd(3), N), v_multi[2]])
    case(L, "vjp", "linear", [(x2, N)], [(rnd(3), N)])
    case(L, "vjp", "cube_sum", [(x2, N)], [(rnd(1), N)])

    # jvp
    v_in = [(rnd(2, 3), N), (rnd(3), N)]
    case(L, "jvp", "multi", [(x23, N), (y3, N)], v_in, needs=("view_grads",))
    case(L, "jvp", "multi", [(x23, T), (y3, N)], v_in, cg=True, needs=("view_grads",))
    case(L, "jvp", "multi", [(x23, T), (y3, T)], [(rnd(2, 3), T), (rnd(3), N)], cg=True, needs=("view_grads",))
    v_same = [(rnd(3), N), (rnd(3), N)]
    case(L, "jvp", "multi_same", [(x3, N), (y3, N)], v_same)
    case(L, "jvp", "multi_same", [(x3, T), (y3, N)], v_same, cg=True)
    case(L, "jvp", "multi_same", [(x3, T), (y3, T)], [(rnd(3), T), (rnd(3), N)], cg=True)
    case(L, "jvp", "linear", [(x0, N)])
    case(L, "jvp", "identity", [(x3, N)], [(rnd(3), N)])
    case(L, "jvp", "two_out", [(x2, T)], [(rnd(2), T)], cg=True, needs=("view_grads",))
    case(L, "jvp", "unused", [(x2, N), (y3, N)], [(rnd(2), N), (rnd(3), N)])
    case(L, "jvp", "constant", [(x2, N)], [(rnd(2), N)])
    case(L, "jvp", "linear", [(x2, N)], [(rnd(2), N)], strict=True)
    case(L, "jvp", "unused", [(x2, N), (y3, N)], [(rnd(2), N), (rnd(3), N)], strict=True)
    case(L, "jvp", "constant", [(x2, N)], [(rnd(2), N)], strict=True)
    case(L, "jvp", "linear", [(x2, N)], [(rnd(2), N)], cg=True, strict=True)
    case(L, "jvp", "linear", [(x2, N)])
    case(L, "jvp", "linear", [(x2, N)], [(rnd(3), N)])
    case(L, "jvp", "multi", [(x23, N), (y3, N)], [(rnd(2, 3), N), (rnd(2), N)])
    case(L, "jvp", "multi", [(x23, N), (y3, N)], [(rnd(2, 3), N)])

    # vhp and hvp
    for api in ("vhp", "hvp"):
        case(L, api, "cube_sum", [(x3, N)], [(rnd(3), N)])
        case(L, api, "cube_sum", [(x3, T)], [(rnd(3), T)], cg=True)
        case(L, api, "poly2", [(x23, N), (y3, N)], [(rnd(2, 3), N), (rnd(3), N)], needs=("view_grads", "neg"))
        case(L, api, "poly2", [(x23, T), (y3, N)], [(rnd(2, 3), N), (rnd(3), T)], cg=True, needs=("view_grads", "neg"))
        case(L, api, "quartic", [(x2, N), (y22, N)], [(rnd(2), N), (rnd(2, 2), N)], needs=("view_grads",))
        case(L, api, "poly_same", [(x3, N), (y3, N)], [(rnd(3), N), (rnd(3), N)])
        case(L, api, "poly_same", [(x3, T), (y3, N)], [(rnd(3), N), (rnd(3), T)], cg=True)
        case(L, api, "one_elem", [(x1, N)])
        case(L, api, "lin_sum", [(x3, N)], [(rnd(3), N)])
        case(L, api, "unused_sum", [(x2, N), (y3, N)], [(rnd(2), N), (rnd(3), N)])
        case(L, api, "lin_sum", [(x3, N)], [(rnd(3), N)], strict=True)
        case(L, api, "unused_sum", [(x2, N), (y3, N)], [(rnd(2), N), (rnd(3), N)], strict=True)
        case(L, api, "constant", [(x2, N)], [(rnd(2), N)], strict=True)
        case(L, api, "cube_sum", [(x3, N)], [(rnd(3), N)], cg=True, strict=True)
        case(L, api, "sq_sum", [(x3, N)], [(rnd(3), N)], cg=True, strict=True)
        case(L, api, "two_out", [(x2, N)], [(rnd(2), N)])
        case(L, api, "identity", [(x2, N)], [(rnd(2), N)])
        case(L, api, "cube_sum", [(x3, N)])
        case(L, api, "cube_sum", [(x3, N)], [(rnd(2), N)])
        case(L, api, "poly2", [(x23, N), (y3, N)], [(rnd(2, 3), N)])
        case(L, api, "poly2", [(x23, N), (y3, N)], [(rnd(2, 3), N), (rnd(2), N)])

    # the function also sees the caller's tensor: only the argument is differentiated
    case(L, "jacobian", "captured", [(x3, T)])
    case(L, "jacobian", "captured", [(x3, T)], cg=True)
    case(L, "vjp", "captured", [(x3, T)], [(rnd(3), N)], cg=True)
    case(L, "hessian", "cube_sum", [(x3, T)], cg=True)

    # float32 inputs give float32 results
    case(L, "jacobian", "linear", [(x3.float(), N)])
    case(L, "vjp", "cube_sum", [(x3.float(), N)])
    case(L, "hessian", "sq_sum", [(x3.float(), T)])
    # mixed dtypes: a result for input j has input j's dtype
    case(L, "jacobian", "multi_same", [(x3.float(), N), (y3, N)])
    case(L, "hessian", "poly_same", [(x3.float(), N), (y3, N)])
    case(L, "vjp", "multi_same", [(x3.float(), N), (y3, N)], [(rnd(3), N), (rnd(3), N)])

    # sign's gradient is zeros that do not depend on anything
    case(L, "jvp", "sign", [(x3, N)], [(rnd(3), N)])
    case(L, "jvp", "sign", [(x3, N)], [(rnd(3), N)], strict=True)
    case(L, "jacobian", "sign", [(x3, N)], strict=True)
    case(L, "jacobian", "sign", [(x3, N)], cg=True, strict=True)
    case(L, "vjp", "sign", [(x3, N)], [(rnd(3), N)], cg=True, strict=True)

    # transcendental functions (their backwards landed with the elementwise autograd)
    xs, ys = rnd(2, 3), rnd(3)
    case(L, "jacobian", "tanh_multi", [(xs, N), (ys, N)])
    case(L, "jacobian", "tanh_multi", [(xs, T), (ys, T)], cg=True)
    case(L, "jacobian", "exp_sin", [(xs, T), (ys, N)], cg=True)
    case(L, "hessian", "exp_sin", [(xs, N), (ys, N)])
    case(L, "hessian", "exp_sin", [(xs, T), (ys, T)], cg=True)
    v_tm = [(rnd(2, 3), N), (rnd(2, 3), N), (rnd(), N)]
    case(L, "vjp", "tanh_multi", [(xs, N), (ys, N)], v_tm)
    case(L, "vjp", "tanh_multi", [(xs, T), (ys, N)], v_tm, cg=True)
    v_xy = [(rnd(2, 3), N), (rnd(3), N)]
    case(L, "jvp", "tanh_multi", [(xs, N), (ys, N)], v_xy)
    case(L, "jvp", "tanh_multi", [(xs, T), (ys, T)], [(rnd(2, 3), T), (rnd(3), N)], cg=True)
    for api in ("vhp", "hvp"):
        case(L, api, "exp_sin", [(xs, N), (ys, N)], v_xy)
        case(L, api, "exp_sin", [(xs, T), (ys, N)], [(rnd(2, 3), T), (rnd(3), N)], cg=True)

    # matrix products
    a32, x2m, a22, b32 = rnd(3, 2), rnd(2), rnd(2, 2), rnd(3, 2)
    case(L, "jacobian", "mat_tanh", [(a32, N), (x2m, N)])
    case(L, "jacobian", "mat_tanh", [(a32, T), (x2m, N)], cg=True)
    case(L, "hessian", "quad_form", [(x2m, N), (a22, N)])
    case(L, "hessian", "mm_sq", [(a32.t(), N), (b32, N)])
    case(L, "hessian", "quad_form", [(x2m, T), (a22, T)], cg=True)
    case(L, "vjp", "mat_tanh", [(a32, N), (x2m, T)], [(rnd(3), T)], cg=True)
    case(L, "jvp", "mat_tanh", [(a32, N), (x2m, N)], [(rnd(3, 2), N), (rnd(2), N)])
    case(L, "jvp", "mat_tanh", [(a32, T), (x2m, N)], [(rnd(3, 2), N), (rnd(2), T)], cg=True)
    for api in ("vhp", "hvp"):
        case(L, api, "mm_sq", [(a32.t(), N), (b32, N)], [(rnd(2, 3), N), (rnd(3, 2), N)])
        case(L, api, "quad_form", [(x2m, T), (a22, N)], [(rnd(2), N), (rnd(2, 2), T)], cg=True)

    out = os.path.join(os.path.dirname(__file__), "..", "tests", "data", "functional.txt")
    with open(out, "w") as f:
        f.write("# Generated by tools/gen_functional.py from PyTorch %s. Do not edit.\n" % torch.__version__)
        f.write("\n".join(L) + "\n")


if __name__ == "__main__":
    main()
