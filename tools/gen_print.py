r"""Golden data for tests/test_print.c: PyTorch 1.13's repr of many tensors.

Run from the repository root with /usr/bin/python3 (Debian's python3-torch):
    /usr/bin/python3 tools/gen_print.py > tests/data/print.txt

Each line is one case, whitespace-separated:
    <name> <recipe> <suffix> <dtype> <ndim> <sizes...> <values...> <expected>
- The tensor (dtype .. values) is the contiguous base; the test applies <recipe> to it with
  cg_new_view to get the strides PyTorch printed. Recipes are steps joined by ',' ('-' for none):
    t              transpose the last two dims
    p              reverse the order of all dims
    s<d>:<a>:<b>:<c>  slice dim d as [a:b:c]
    e<d>:<n>       expand dim d (of size 1) to n with stride 0
    i<d>:<k>       select index k of dim d (drops the dim)
- <suffix> is '-' or the autograd suffix PyTorch printed (grad_fn=<...> or requires_grad=True);
  the test passes it to cg_format_with_suffixes.
- <expected> is the rest of the line after one space: the repr with '\' written as '\\' and each
  newline as '\n'.
Float32 values are written as the shortest text that reads back (with strtof) to the same float.
"""
import math
import sys

import numpy as np
import torch
import torch.nn.functional as F

DTYPE_NAMES = {torch.float32: "float32", torch.float64: "float64", torch.int64: "int64", torch.bool: "bool"}


def value_text(v, dtype):
    if dtype == torch.bool:
        return "1" if v else "0"
    if dtype == torch.int64:
        return str(int(v))
    if dtype == torch.float32:
        return str(np.float32(v))
    return repr(float(v))


def tensor_text(t):
    parts = [DTYPE_NAMES[t.dtype], str(t.dim())] + [str(s) for s in t.shape]
    parts += [value_text(v, t.dtype) for v in t.contiguous().reshape(-1).tolist()]
    return " ".join(parts)


def escape(text):
    return text.replace("\\", "\\\\").replace("\n", "\\n")


def apply_recipe(t, recipe):
    if recipe == "-":
        return t
    for step in recipe.split(","):
        kind, args = step[0], step[1:]
        if kind == "t":
            t = t.transpose(-1, -2)
        elif kind == "p":
            t = t.permute(*reversed(range(t.dim())))
        elif kind == "s":
            d, a, b, c = (int(x) for x in args.split(":"))
            t = t[(slice(None),) * d + (slice(a, b, c),)]
        elif kind == "e":
            d, n = (int(x) for x in args.split(":"))
            sizes = list(t.shape)
            sizes[d] = n
            t = t.expand(*sizes)
        elif kind == "i":
            d, k = (int(x) for x in args.split(":"))
            t = t.select(d, k)
        else:
            raise ValueError(step)
    return t


cases = []
names = set()


def add(name, base, recipe="-", shown=None, suffix="-"):
    """base: the contiguous tensor stored; shown: what PyTorch prints (default: recipe applied)."""
    assert name not in names, name
    names.add(name)
    base = base.detach().contiguous()
    if shown is None:
        shown = apply_recipe(base, recipe)
    text = repr(shown)
    if suffix == "-":
        assert "grad_fn" not in text and "requires_grad" not in text
    else:
        assert suffix in text, (suffix, text)
    cases.append(f"{name} {recipe} {suffix} {tensor_text(base)} {escape(text)}")


def f32(values):
    return torch.tensor(values, dtype=torch.float32)


def f64(values):
    return torch.tensor(values, dtype=torch.float64)


nan, inf = math.nan, math.inf
torch.manual_seed(0)
gen = torch.Generator().manual_seed(1234)


def randn(*shape, dtype=torch.float32):
    return torch.randn(*shape, generator=gen, dtype=dtype)


def short(t):
    """Values with two decimals: short golden text for the big tensors."""
    return torch.round(t * 100) / 100


def randint(lo, hi, *shape):
    return torch.randint(lo, hi, shape, generator=gen)


# ---- 0-dim ----
for i, v in enumerate([3.5, 2.0, 123456789.0, 0.0, -0.0, nan, inf, -inf, 1e-5, 1e-4, 1e8, 1.5e8, -2.25,
                       12.5, 0.1, 99999.99, 1e30, -7.0, 1e-40, 3.4028234663852886e38]):
    add(f"scalar_f32_{i}", f32(v))
for i, v in enumerate([3.5, 1e-4, 1e8, 1e100, -1e-300, 0.1, -0.0, nan, 2.0 ** 60, 5e-324]):
    add(f"scalar_f64_{i}", f64(v))
for i, v in enumerate([0, -5, 123, 2 ** 63 - 1, -(2 ** 63)]):
    add(f"scalar_i64_{i}", torch.tensor(v, dtype=torch.int64))
add("scalar_bool_t", torch.tensor(True))
add("scalar_bool_f", torch.tensor(False))

# ---- 1-D random values of many magnitudes ----
for k in range(-7, 12):
    n = int(torch.randint(1, 30, (1,), generator=gen))
    add(f"mag_f32_{k + 7}", randn(n) * 10.0 ** k)
for k in range(-6, 12, 3):
    add(f"mag_f64_{k + 6}", randn(9, dtype=torch.float64) * 10.0 ** k)
for k in range(6):
    add(f"mixed_mag_{k}", randn(7) * torch.tensor([10.0 ** e for e in range(-k, 7 - k)]))

# ---- integer-valued floats ----
add("int_small", randint(-9, 10, 12).float())
add("int_wide", randint(-99999, 99999, 15).float())
add("int_ratio_sci", f32([1.0, 2.0, 1001.0]))
add("int_ratio_1000", f32([1.0, 2.0, 1000.0]))
add("int_1e8", f32([1e8, 3.0, 1.0]))
add("int_1e8_sci", f32([100000008.0, 300000.0]))
add("int_f64_big", f64([2.0 ** 40, 2.0 ** 41]))
add("int_neg", f32([-1.0, -20.0, -300.0]))
add("int_zeros", torch.zeros(5))
add("int_with_zero", f32([0.0, 10.0, -100.0]))
add("int_f64", randint(-50, 50, 10).double())

# ---- nan / inf / -0. ----
add("nan_only", f32([nan, nan]))
add("inf_only", f32([inf, -inf]))
add("nonfinite_mix", f32([nan, inf, -inf]))
add("fixed_nan_inf", f32([1.5, nan, inf]))
add("int_nan", f32([1.0, nan, -inf, 2.0]))
add("int_wide_inf", f32([-inf, 123.0, 5.0]))
add("sci_nan", f32([1e-5, nan, -inf, 1e5]))
add("neg_zero_int", f32([-0.0, 1.0]))
add("neg_zero_only", f32([-0.0, 0.0, -0.0]))
add("neg_zero_fixed", f32([-0.0, 0.5, -1.25]))
add("neg_zero_sci", f32([-0.0, 1e-6, 2.0]))
add("neg_tiny_rounds", f32([-0.00001, 1.5]))
add("f64_nan_inf", f64([nan, 1.25, -inf, -0.0]))
add("nan_2d", f32([[nan, 1.0], [2.5, inf]]))
add("zeros_2d", torch.zeros(2, 3))

# ---- thresholds (float32 values widened to double, as section 4 says) ----
add("thr_1e-4_f32", f32([1e-4, 1.0]))
add("thr_1e-4_f32_alone", f32([1e-4, 0.5]))
add("thr_above_1e-4_f32", f32([1.0001e-4, 0.1]))
add("thr_1e-4_f64", f64([1e-4, 0.5]))
add("thr_below_1e-4_f64", f64([9.999999e-5, 0.5]))
add("thr_1e8_frac", f32([1e8, 0.5]))
add("thr_1e8_f64_frac", f64([1e8, 1e6 + 0.5]))
add("thr_above_1e8_f64", f64([100000000.5, 1e6]))
add("thr_ratio_f32_0.001", f32([0.001, 0.5, 1.0]))
add("thr_ratio_f32_0.1", f32([0.1, 100.0]))
add("thr_ratio_f32_0.3", f32([0.3, 300.0]))
add("thr_ratio_f64_exact", f64([0.5, 500.0]))
add("thr_ratio_f64_over", f64([0.5, 500.0001]))
add("thr_ratio_int_1000", f32([3.0, 3000.0]))
add("thr_ratio_int_over", f32([3.0, 3001.0]))
add("thr_ratio_neg", f32([-0.25, 250.0]))
add("thr_ratio_neg_over", f32([-0.25, 250.5]))

# ---- long rows that wrap ----
for n in [8, 9, 10, 11, 12, 13, 18, 19, 20, 21, 37, 100]:
    add(f"wrap_fixed_{n}", randn(n))
for n in [6, 7, 13, 14, 50]:
    add(f"wrap_sci_{n}", randn(n) * 1e-6)
for n in [23, 24, 25, 26, 80]:
    add(f"wrap_int_{n}", randint(0, 10, n).float())
for n in [24, 25, 26, 27, 200]:
    add(f"wrap_i64_{n}", randint(0, 10, n))
add("wrap_i64_wide", randint(-10 ** 12, 10 ** 12, 15))
add("wrap_bool", randint(0, 2, 30).bool())
add("wrap_2d", randn(3, 15))
add("wrap_3d", randn(2, 2, 12) * 100)
add("wrap_f64", randn(20, dtype=torch.float64))
add("wrap_sci_width", f32([-3e-30, 1.0]).repeat(5))

# ---- several dims ----
shapes = [(1,), (2, 1), (1, 2), (2, 3), (4, 4), (1, 1, 1), (2, 3, 4), (3, 1, 2), (1, 1, 5), (2, 2, 2, 2),
          (1, 2, 1, 3), (3, 2, 2, 1), (2, 1, 1, 1, 2), (1, 1, 1, 1, 1, 1, 1, 1), (6, 7)]
for i, shape in enumerate(shapes):
    add(f"nd_f32_{i}", randn(*shape))
    add(f"nd_f64_{i}", randn(*shape, dtype=torch.float64) * 1000)
    add(f"nd_i64_{i}", randint(-1000, 1000, *shape))
    add(f"nd_bool_{i}", randint(0, 2, *shape).bool())
add("nd_int_floats", randint(-5, 5, 3, 4).float())
add("nd_sci", randn(2, 3, 2) * 1e9)
add("nd_bool_true", torch.ones(2, 2, dtype=torch.bool))
add("nd_bool_false", torch.zeros(3, dtype=torch.bool))

# ---- summarized (more than 1000 elements) ----
add("sum_1d_1001", randn(1001))
add("sum_1d_2000_int", torch.arange(2000).float())
add("sum_1d_i64", torch.arange(-5000, 5000, 7))
add("sum_1d_bool", randint(0, 2, 1500).bool())
add("sum_2d", randn(40, 30))
add("sum_2d_wide", torch.arange(0, 3000).float().view(2, 1500) * 1.5)
add("sum_2d_doc_example", torch.arange(0, 2000).float().view(2, 1000) * 1.5)
torch.manual_seed(0)
add("doc_randn_20", torch.randn(20))
add("sum_2d_short_rows", short(randn(3, 400) * 1e5))
add("sum_2d_column", short(randn(1001, 1)))
add("sum_2d_row", short(randn(1, 1001)))
add("sum_2d_f64", short(randn(50, 21, dtype=torch.float64)))
add("sum_3d", short(randn(11, 10, 10)))
add("sum_3d_i64", randint(-100, 100, 8, 9, 15))
add("sum_4d", short(randn(5, 5, 5, 9)))
add("sum_4d_small_dims", short(randn(2, 3, 13, 13)))
add("sum_5d", randint(0, 9, 3, 3, 3, 3, 7).float())
add("sum_edge_6", short(randn(6, 6, 28)))
add("sum_edge_7", short(randn(7, 7, 7, 3)))


def poisoned(shape, shown_values, poison):
    """A tensor whose summarized repr shows only shown_values's elements; the hidden ones hold poison,
    which would change the formatting if the formatter looked at them."""
    t = torch.full(shape, poison)
    idx = [list(range(3)) + list(range(s - 3, s)) if s > 6 else list(range(s)) for s in shape]
    grid = torch.meshgrid(*[torch.tensor(i) for i in idx], indexing="ij")
    t[grid] = shown_values(tuple(len(i) for i in idx))
    return t


add("poison_1d", poisoned((1200,), lambda s: (torch.arange(6.0) + 1) / 4, 1e30))
add("poison_2d", poisoned((40, 30), lambda s: torch.arange(36.0).view(s) - 10, 0.5))
add("poison_3d_nan", poisoned((10, 12, 9), lambda s: torch.arange(216.0).view(s) / 8, 1e-9))
add("poison_i64", poisoned((30, 50), lambda s: torch.arange(36).view(s), 10 ** 6))

# ---- non-contiguous views ----
add("view_t_2d", randn(3, 4), "t")
add("view_t_3d", randn(2, 3, 4), "t")
add("view_p_3d", randn(2, 3, 4), "p")
add("view_slice_step", randn(20), "s0:1:20:3")
add("view_slice_rows", randn(6, 5), "s0:1:6:2")
add("view_slice_cols", randn(4, 9), "s1:2:9:3")
add("view_offset", torch.arange(10.0) / 3, "s0:4:10:1")
add("view_select_row", randn(5, 7), "i0:3")
add("view_select_col", randn(5, 7), "i1:2")
add("view_select_scalar", randn(5, 7), "i0:4,i0:6")
add("view_expand", randn(3, 1), "e1:4")
add("view_expand_row", randn(1, 5), "e0:3")
add("view_expand_sum", randn(1, 11), "e0:200")
add("view_t_sum", short(randn(30, 40)), "t")
add("view_p_sum", short(randn(3, 20, 30)), "p")
add("view_t_i64", randint(0, 100, 3, 5), "t")
add("view_t_bool", randint(0, 2, 3, 5).bool(), "t")
add("view_t_f64", randn(4, 3, dtype=torch.float64), "t")
add("view_chain", randn(4, 6, 8), "t,s0:1:4:2,s2:0:6:4")
add("view_chain_select", randn(4, 6, 8), "p,i1:5,t")
add("view_slice_sum", short(randn(3000)), "s0:7:3000:2")
add("view_empty_slice", randn(4, 5), "s0:2:2:1")
add("view_formatter_ignores_hidden", torch.cat([torch.tensor([1e9]), torch.ones(5)]), "s0:1:6:1")

# ---- empty tensors ----
add("empty_1d_f32", torch.zeros(0))
add("empty_2d_f32", torch.zeros(0, 3))
add("empty_2d_f32_b", torch.zeros(2, 0))
add("empty_3d_f32", torch.zeros(2, 0, 4))
add("empty_1d_f64", torch.zeros(0, dtype=torch.float64))
add("empty_2d_f64", torch.zeros(0, 3, dtype=torch.float64))
add("empty_1d_i64", torch.zeros(0, dtype=torch.int64))
add("empty_2d_i64", torch.zeros(3, 0, dtype=torch.int64))
add("empty_1d_bool", torch.zeros(0, dtype=torch.bool))
add("empty_4d_bool", torch.zeros(1, 2, 0, 1, dtype=torch.bool))
add("empty_8d", torch.zeros(1, 1, 1, 1, 1, 1, 1, 0))


# ---- autograd suffixes: PyTorch's own grad_fn reprs ----
def add_graph(name, y, recipe="-", base=None):
    """y: a tensor PyTorch computed with a grad_fn (or a leaf requiring grad); when y is a view, base
    is what it views and recipe makes y from it."""
    suffix = f"grad_fn=<{type(y.grad_fn).__name__}>" if y.grad_fn is not None else "requires_grad=True"
    add(name, y.detach() if base is None else base, recipe, shown=y, suffix=suffix)


def leaf(t):
    return t.clone().requires_grad_(True)


add_graph("grad_add", leaf(f32([1.0, 2.0])) + 1)
add_graph("grad_pow_seed", (leaf(f32([1.0, 2.0])) + 2) ** 2)
add_graph("grad_mean_seed", ((leaf(f32([1.0, 2.0])) + 2) ** 2).mean())
add_graph("grad_leaf", leaf(f32([1.0, 2.0])))
add_graph("grad_leaf_f64", leaf(f64([1.0, 2.0])))
add_graph("grad_leaf_scalar", leaf(f32(0.5)))
add_graph("grad_mul_f64", leaf(randn(3, dtype=torch.float64)) * 2)
add_graph("grad_sum", leaf(randn(4)).sum())
add_graph("grad_mm", leaf(randn(2, 3)) @ randn(3, 2))
add_graph("grad_sigmoid_2d", torch.sigmoid(leaf(randn(3, 4))))
add_graph("grad_relu_3d", torch.relu(leaf(randn(2, 2, 3))))
add_graph("grad_bce_long", F.binary_cross_entropy_with_logits(leaf(randn(5)), torch.rand(5, generator=gen),
                                                              reduction="none"))
add_graph("grad_bce_long_f64", F.binary_cross_entropy_with_logits(
    leaf(randn(7, dtype=torch.float64)), torch.rand(7, generator=gen, dtype=torch.float64), reduction="none"))
add_graph("grad_log_softmax_wrap", torch.log_softmax(leaf(randn(2, 8)), dim=1))
add_graph("grad_t", leaf(randn(3, 4)).t() * 1)
z = leaf(randn(3, 4)) * 3
add_graph("grad_view_t", z.t(), "t", base=z.detach())
z = leaf(randn(5, 3, dtype=torch.float64)) + 1
add_graph("grad_view_slice_f64", z[1::2], "s0:1:5:2", base=z.detach())
add_graph("grad_sum_big", leaf(short(randn(2000))) * 2)
add_graph("grad_sum_big_f64", leaf(short(randn(40, 40, dtype=torch.float64))) - 1)
add_graph("grad_empty", leaf(torch.zeros(0, 3)) * 2)
add_graph("grad_empty_f64", leaf(torch.zeros(0, dtype=torch.float64)))
add_graph("grad_nan", leaf(f32([nan, 1.0])) / 1)
add_graph("grad_rsub", 1 - leaf(randn(5)))
add_graph("grad_sci", leaf(randn(6)) * 1e-7)
# Every last-line length around the 80-column limit, with one and two suffixes.
for n in range(1, 28):
    add_graph(f"grad_line_f32_{n}", leaf((torch.arange(n) % 9 + 1).float() / 8) + 1)
for n in range(1, 28):
    add_graph(f"grad_line_f64_{n}", leaf((torch.arange(n) % 9 + 1).double() / 8) * 2)
for n in range(1, 24):
    add_graph(f"grad_line_int_{n}", leaf((torch.arange(n) % 10).double() * 10) + 0)
for n in range(1, 14):
    add_graph(f"grad_line_leaf_{n}", leaf(torch.arange(n).double() * 1000 + 0.5))
for n in range(1, 10):
    add_graph(f"grad_line_2d_{n}", leaf(torch.arange(3 * n).view(3, n).float() + 0.25) * 1)
for n in [8, 9, 10, 11, 12, 17, 18]:
    add_graph(f"grad_line_bce_{n}", F.binary_cross_entropy_with_logits(
        leaf(torch.arange(n).double() / 4), torch.ones(n, dtype=torch.float64), reduction="none"))

print("# Generated by tools/gen_print.py with PyTorch", torch.__version__, "- do not edit.")
print("# <name> <recipe> <suffix> <dtype> <ndim> <sizes...> <values...> <expected repr, escaped>")
print("\n".join(cases))
print(f"{len(cases)} cases", file=sys.stderr)
