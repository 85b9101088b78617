r"""Golden data for tests/test_meta.c: PyTorch 1.13 on the meta device.

Run from the repository root with /usr/bin/python3 (Debian's python3-torch):
    /usr/bin/python3 tools/gen_meta.py > tests/data/meta.txt

The inputs (the same in test_meta.c) are CPU tensors moved with .to('meta'): a and b (2, 3)
float32, v (3,), w (3, 2), x (4, 3, 2), t = a.t() (strided), idx int64 [0, 1], mask (2, 3) bool,
cls int64 [2, 0], img (2, 3, 6, 6), kern (4, 3, 3, 3), sig (2, 3, 8); g is a meta (2, 3) leaf that requires grad. Each line is one case, tab-separated:
    <name> <kind> <text> <sizes> <strides>
PyTorch's meta kernels skip some of the CPU's dtype checks (an index_select with a float index, mm of
float32 and float64, max of an empty tensor, softmax of int64 all "work" on meta); cgrad keeps the
CPU's checks there, so those are not cases here. Ops outside TensorIterator (cat, indexing, products,
nll_loss, convolution) do not compare devices on meta: a meta operand makes the result meta (the
mixed_ cases); where PyTorch instead returns a CPU tensor computed from a meta operand's missing data
(index_select of a CPU tensor with a meta index, dot of a CPU vector with a meta one, convolution of a
CPU input with a meta weight), cgrad refuses with the same-device error.
kind is "ok" (text is the result's repr) or the Python exception's name (text is its message);
repr and message are written with '\' as '\\' and each newline as '\n'. sizes and strides are
comma-separated ("" for 0-dim, "-" for an error).
"""
import torch
import torch.nn.functional as F

torch.manual_seed(0)
cpu = {
    "a": torch.randn(2, 3), "b": torch.randn(2, 3), "v": torch.randn(3), "w": torch.randn(3, 2),
    "x": torch.randn(4, 3, 2), "idx": torch.tensor([0, 1]), "cls": torch.tensor([2, 0]),
    "img": torch.randn(2, 3, 6, 6), "kern": torch.randn(4, 3, 3, 3), "sig": torch.randn(2, 3, 8),
}
cpu["mask"] = cpu["a"] > 0
m = {k: t.to("meta") for k, t in cpu.items()}
a, b, v, w, x, idx, cls, mask = (m[k] for k in ["a", "b", "v", "w", "x", "idx", "cls", "mask"])
img, kern, sig = m["img"], m["kern"], m["sig"]
t = a.t()
c = torch.ones(2, 3)  # a CPU operand


def g():
    return torch.zeros(2, 3, device="meta").requires_grad_()


def grad_of_graph():
    leaf = g()
    (leaf.exp() * b).sum().backward()
    return leaf.grad


def inplace_add():
    r = a.clone()
    r.add_(b)
    return r


def inplace_chain():
    r = g() * 1
    r.mul_(2).relu_()
    return r


def slice_assign():
    r = torch.zeros(2, 3, device="meta")
    r[0] = g()[1] * 2
    return r


def double_backward():
    leaf = g()
    (first,) = torch.autograd.grad((leaf ** 3).sum(), leaf, create_graph=True)
    (second,) = torch.autograd.grad(first.sum(), leaf)
    return second


def grad_through_views():
    leaf = g()
    torch.cat([leaf.t().sin(), w]).mean().backward()
    return leaf.grad


CASES = [
    ("add", lambda: a + b), ("sub", lambda: a - b), ("mul", lambda: a * b), ("div", lambda: a / b),
    ("pow", lambda: a ** b), ("maximum", lambda: torch.maximum(a, b)), ("add_broadcast", lambda: a + v),
    ("add_number", lambda: a + 2), ("long_mul_number", lambda: a.long() * 2), ("long_div", lambda: a.long() / 2),
    ("eq", lambda: a == b), ("gt_number", lambda: a > 0), ("where", lambda: torch.where(mask, a, b)),
    ("add_0dim_cpu", lambda: a + torch.tensor(2.0)),
    ("exp_strided", lambda: t.exp()), ("neg", lambda: a.neg()), ("log", lambda: a.log()),
    ("sqrt", lambda: a.sqrt()), ("abs", lambda: a.abs()), ("sigmoid", lambda: a.sigmoid()),
    ("tanh", lambda: a.tanh()), ("relu", lambda: a.relu()), ("sin_strided", lambda: t.sin()),
    ("sum", lambda: a.sum()), ("sum_dim0", lambda: a.sum(0)), ("sum_dim1_keepdim", lambda: a.sum(1, keepdim=True)),
    ("sum_long", lambda: a.long().sum()), ("mean", lambda: a.mean()), ("mean_dim", lambda: x.mean((0, 2))),
    ("var", lambda: a.var()), ("std_dim", lambda: a.std(1)), ("norm", lambda: a.norm()),
    ("prod", lambda: a.prod()), ("prod_dim", lambda: a.prod(1)), ("max", lambda: a.max()),
    ("max_dim", lambda: a.max(0)[0]), ("max_dim_indices", lambda: a.max(1, keepdim=True)[1]),
    ("argmax", lambda: a.argmax()), ("min", lambda: a.min()),
    ("mm", lambda: a.mm(w)), ("matmul_batched", lambda: x.transpose(1, 2) @ w),
    ("bmm", lambda: x.bmm(x.transpose(1, 2))),
    ("mv", lambda: a.mv(v)), ("dot", lambda: v.dot(v)), ("mm_strided", lambda: t.mm(a)),
    ("cat", lambda: torch.cat([a, b])), ("cat_dim1", lambda: torch.cat([a, t.t()], 1)), ("stack", lambda: torch.stack([a, b], 1)),
    ("index_select", lambda: a.index_select(1, idx)), ("gather", lambda: a.gather(1, idx.view(2, 1))),
    ("scatter_add", lambda: a.scatter_add(0, idx.view(1, 2), b)), ("masked_fill", lambda: a.masked_fill(mask, 1.0)),
    ("view", lambda: a.view(3, 2)), ("reshape_strided", lambda: t.reshape(6)), ("permute", lambda: x.permute(2, 0, 1)),
    ("transpose", lambda: x.transpose(0, 2)), ("unsqueeze", lambda: a.unsqueeze(1)), ("squeeze", lambda: a.unsqueeze(0).squeeze()),
    ("expand", lambda: v.expand(4, 3)), ("select", lambda: x.select(1, 2)), ("slice", lambda: x[1:4:2]),
    ("narrow", lambda: a.narrow(1, 1, 2)), ("flatten", lambda: x.flatten(1)), ("contiguous", lambda: t.contiguous()),
    ("clone_strided", lambda: t.clone()),
    ("softmax", lambda: a.softmax(1)), ("log_softmax", lambda: a.log_softmax(0)),
    ("cross_entropy", lambda: F.cross_entropy(a, cls)), ("nll_loss_none", lambda: F.nll_loss(a, cls, reduction="none")),
    ("mse_loss", lambda: F.mse_loss(a, b)), ("bce_logits", lambda: F.binary_cross_entropy_with_logits(a, b)),
    ("clamp", lambda: a.clamp(0, 1)), ("clamp_tensor", lambda: a.clamp(min=b)), ("lerp", lambda: a.lerp(b, 0.5)),
    ("addcmul", lambda: a.addcmul(b, b, value=2)), ("add_alpha", lambda: a.add(b, alpha=2)),
    ("to_double", lambda: a.double()), ("to_long", lambda: a.long()), ("to_bool", lambda: a.bool()),
    ("zeros_like", lambda: torch.zeros_like(t)), ("ones_like", lambda: torch.ones_like(a)),
    ("requires_grad", g), ("grad_fn", lambda: g() * 2), ("grad_fn_double", lambda: g().double()),
    ("backward", grad_of_graph), ("backward_views", grad_through_views),
    ("empty", lambda: torch.zeros(0).to("meta")), ("empty_2d", lambda: torch.zeros(0, 3).to("meta")),
    ("scalar", lambda: torch.tensor(1.5).to("meta")),
    ("cpu_to_meta_grad", lambda: torch.ones(3, requires_grad=True).to("meta")),
    ("conv2d", lambda: F.conv2d(img, kern, v.repeat(2)[:4], stride=2, padding=1)),
    ("conv1d", lambda: F.conv1d(sig, kern[:, :, 0], padding=1)),
    ("max_pool2d", lambda: F.max_pool2d(img, 2)), ("avg_pool2d", lambda: F.avg_pool2d(img, 3, stride=2, padding=1)),
    ("inplace_add", inplace_add), ("inplace_chain", inplace_chain), ("slice_assign", slice_assign),
    ("split", lambda: x.split(3, 0)[1]), ("chunk", lambda: a.chunk(3, 1)[2]), ("unbind", lambda: x.unbind(2)[1]),
    ("at", lambda: x[1, 2]), ("argmin", lambda: a.argmin()), ("sum_bool", lambda: mask.sum()),
    ("clamp_long", lambda: a.long().clamp(0, 1)), ("cat_promote", lambda: torch.cat([a, a.double()])),
    ("where_number_like", lambda: torch.where(mask, a, torch.tensor(0.0))), ("mean_keepdim", lambda: x.mean(1, keepdim=True)),
    ("expand_add", lambda: v.expand(2, 3) + a), ("bmm_strided", lambda: x.transpose(1, 2).bmm(x)),
    ("softmax_strided", lambda: t.softmax(0)), ("sigmoid_grad_fn", lambda: g().sigmoid()),
    ("double_backward", double_backward), ("err_gather_dims", lambda: a.gather(1, idx)),
    ("ce_probabilities", lambda: F.cross_entropy(a, b)),
    ("mixed_cat", lambda: torch.cat([c, a])), ("mixed_stack", lambda: torch.stack([a, c])),
    ("mixed_mm", lambda: a.mm(c.t())), ("mixed_mm_cpu_first", lambda: c.mm(a.t())), ("mixed_mv", lambda: c.mv(v)),
    ("mixed_gather", lambda: c.gather(1, idx.view(2, 1))), ("mixed_scatter_add", lambda: a.scatter_add(0, cpu["idx"].view(1, 2), c)),
    ("mixed_masked_fill", lambda: a.masked_fill(c > 0, 1.0)), ("err_mixed_masked_fill", lambda: c.masked_fill(mask, 1.0)),
    ("mixed_nll", lambda: F.nll_loss(c, cls)), ("err_mixed_where", lambda: torch.where(mask, a, c)),
    ("err_mixed_where_cpu_condition", lambda: torch.where(c > 0, a, b)),
    ("mixed_index_select_meta_self", lambda: a.index_select(1, cpu["idx"])), ("mixed_conv_meta_input", lambda: F.conv1d(sig, torch.ones(4, 3, 3))),
    ("err_mm_shapes", lambda: a.mm(b)), ("err_add_shapes", lambda: a + x),
    ("err_cat_0dim", lambda: torch.cat([a, a.sum()])), ("err_mixed_add", lambda: a + c),
    ("err_mixed_add_cpu_first", lambda: c + a), ("err_mixed_mul", lambda: a * c),
    ("err_to_cpu", lambda: a.to("cpu")), ("err_sub_bool", lambda: mask - mask),
    ("err_view", lambda: t.view(6)), ("err_dim", lambda: a.sum(2)),
]


def text_of(s):
    return s.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")


print("# name\tkind\ttext\tsizes\tstrides (tools/gen_meta.py)")
for name, fn in CASES:
    try:
        r = fn()
    except Exception as e:  # the oracle's exception is the expected result
        print("\t".join([name, type(e).__name__, text_of(str(e)), "-", "-"]))
        continue
    print("\t".join([name, "ok", text_of(repr(r)), ",".join(map(str, r.shape)), ",".join(map(str, r.stride()))]))
