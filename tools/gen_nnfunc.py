"""Golden data for tests/test_nnfunc.c: torch.nn.functional's ops of several operands (prelu,
normalize, cosine_similarity, pairwise_distance, pad reflect/replicate, interpolate, bilinear,
scaled dot-product attention), forward and backward.

Each line: case <name> <node> <n> <input>*n <grad_output> <y> <grad>*n, y = f(inputs) and each grad
the gradient of sum(y * grad_output) in that input ("none" for an input that is not floating or
gets none); or: error <name> <n> <input>*n <message> for inputs PyTorch refuses.
Run with /usr/bin/python3 (PyTorch 1.13): /usr/bin/python3 tools/gen_nnfunc.py > tests/data/nnfunc.txt"""
import ctypes

import torch
import torch.nn.functional as F

from golden import tensor_text

CASES = {
    "prelu": lambda x, w: F.prelu(x, w),
    "prelu_t": lambda x, w: F.prelu(x.transpose(0, 1), w),
    "normalize": lambda x: F.normalize(x),
    "normalize_p1_dim0": lambda x: F.normalize(x, p=1.0, dim=0),
    "normalize_p3_last": lambda x: F.normalize(x, p=3.0, dim=-1, eps=0.5),
    "cosine_similarity": lambda a, b: F.cosine_similarity(a, b),
    "cosine_similarity_last": lambda a, b: F.cosine_similarity(a, b, dim=-1, eps=1e-3),
    "pairwise_distance": lambda a, b: F.pairwise_distance(a, b),
    "pairwise_distance_p1_keep": lambda a, b: F.pairwise_distance(a, b, p=1.0, eps=1e-3, keepdim=True),
}
PADS = {"1": (2, -1), "1b": (3, 1), "2": (1, 2, 2, 0), "2b": (0, 1, 1, 1), "3": (1, 1, 0, 2, 1, 0), "3b": (2, 1, 1, 1, 1, 2)}
for _mode in ("reflect", "replicate"):
    for _k, _pad in PADS.items():
        CASES["pad_%s_%s" % (_mode, _k)] = (lambda pad, mode: lambda x: F.pad(x, pad, mode=mode))(_pad, _mode)
CASES["pad_reflect_big"] = lambda x: F.pad(x, (1, 1), mode="reflect")
CASES["pad_replicate_big"] = lambda x: F.pad(x, (1, 4), mode="replicate")
CASES["pad_replicate_wide"] = lambda x: F.pad(x, (3, 3), mode="replicate")

UPS = {
    "up_nearest_s2": dict(scale_factor=2.0), "up_nearest_s1.7": dict(scale_factor=1.7),
    "up_nearest_size": dict(size=(5, 3)), "up_nearest_s0.6": dict(scale_factor=0.6),
    "up_bilinear_s2": dict(scale_factor=2.0, mode="bilinear"),
    "up_bilinear_s1.5_ac": dict(scale_factor=1.5, mode="bilinear", align_corners=True),
    "up_bilinear_size": dict(size=(7, 9), mode="bilinear"),
    "up_bilinear_size_ac": dict(size=(7, 9), mode="bilinear", align_corners=True),
    "up_bilinear_down": dict(size=(2, 3), mode="bilinear"),
    "up_bilinear_same_h": dict(size=(4, 11), mode="bilinear"),
    "up_linear_s2.5": dict(scale_factor=2.5, mode="linear"),
    "up_linear_size_ac": dict(size=13, mode="linear", align_corners=True),
    "up_nearest1d_size": dict(size=11), "up_nearest3d_s2": dict(scale_factor=2.0), "up_nearest3d_size": dict(size=(3, 5, 2)),
    "up_nexact_s1.7": dict(scale_factor=1.7, mode="nearest-exact"),
    "up_nexact_s2": dict(scale_factor=2.0, mode="nearest-exact"),  # no >> 1 shortcut, unlike nearest
    "up_nexact_size": dict(size=(3, 7), mode="nearest-exact"),
    "up_nexact_s0.6": dict(scale_factor=0.6, mode="nearest-exact"),
    "up_nearest1d_exact_size": dict(size=11, mode="nearest-exact"),
    "up_nexact3d_size": dict(size=(3, 5, 2), mode="nearest-exact"),
    "up_area_size": dict(size=(2, 3), mode="area"),
    "up_area_s0.5": dict(scale_factor=0.5, mode="area"),
    "up_area_larger": dict(size=(5, 7), mode="area"),
    "up_area_one": dict(size=1, mode="area"),
    "up_nearest1d_area": dict(size=3, mode="area"),
    "up_trilinear3d_s2": dict(scale_factor=2.0, mode="trilinear"),
    "up_trilinear3d_s1.5": dict(scale_factor=1.5, mode="trilinear"),
    "up_trilinear3d_size_ac": dict(size=(3, 5, 2), mode="trilinear", align_corners=True),
}
for _n, _kw in UPS.items():
    CASES[_n] = (lambda kw: lambda x: F.interpolate(x, **kw))(_kw)

CASES["bilinear"] = lambda a, b, w: F.bilinear(a, b, w)
CASES["bilinear_bias"] = lambda a, b, w, bias: F.bilinear(a, b, w, bias)
SDPA = F._scaled_dot_product_attention  # 1.13 has no public F.scaled_dot_product_attention
CASES["sdpa"] = lambda q, k, v: SDPA(q, k, v, None, 0.0, False, False)[0]
CASES["sdpa_w"] = lambda q, k, v: SDPA(q, k, v, None, 0.0, True, False)[1]
CASES["sdpa_mask"] = lambda q, k, v, m: SDPA(q, k, v, m, 0.0, False, False)[0]
CASES["sdpa_mask_w"] = lambda q, k, v, m: SDPA(q, k, v, m, 0.0, True, False)[1]
CASES["sdpa_causal"] = lambda q, k, v: SDPA(q, k, v, None, 0.0, False, True)[0]
CASES["sdpa_causal_w"] = lambda q, k, v: SDPA(q, k, v, None, 0.0, True, True)[1]
CASES["sdpa_causal_mask"] = lambda q, k, v, m: SDPA(q, k, v, m, 0.0, False, True)[0]
# dropout_p: dropout (the default generator's bernoulli_) of the weights after softmax, seed 7
CASES["sdpa_drop"] = lambda q, k, v: (torch.manual_seed(7), SDPA(q, k, v, None, 0.3, False, False)[0])[1]
CASES["sdpa_drop_w"] = lambda q, k, v: (torch.manual_seed(7), SDPA(q, k, v, None, 0.6, True, False)[1])[1]
CASES["sdpa_causal_drop"] = lambda q, k, v: (torch.manual_seed(7), SDPA(q, k, v, None, 0.2, False, True)[0])[1]
CASES["sdpa_drop_bad"] = lambda q, k, v: SDPA(q, k, v, None, 1.5, False, False)[0]


def rand(g, dtype, *shape, lo=-2.0, hi=2.0):
    return torch.rand(tuple(shape), generator=g, dtype=dtype) * (hi - lo) + lo


def inputs(name, g, dtype):
    """Lists of inputs for each case."""
    r = lambda *s: rand(g, dtype, *s)
    if name == "prelu":
        return [[r(2, 3, 4), r(3)], [r(2, 3, 4), r(1)], [r(5), r(1)], [r(), r()], [r(4, 3), r(3)],
                [r(2, 3, 2, 2), torch.tensor([0.25], dtype=dtype)]]
    if name == "prelu_t":
        return [[r(3, 2, 4), r(3)]]
    if name.startswith("normalize"):
        x = r(3, 4, 5)
        x[0, :, 1] = 0  # a zero vector: the eps bound
        return [[x], [r(4, 6)]]
    if name.startswith("cosine_similarity"):
        a = r(3, 4, 5)
        a[1, :, 2] = 1e-6  # a tiny vector: the eps clamp
        return [[a, r(3, 4, 5)], [r(2, 4, 1), r(4, 5)], [r(6, 7), r(6, 7)]]
    if name.startswith("pairwise_distance"):
        return [[r(3, 5), r(3, 5)], [r(4, 6), r(6)], [r(7), r(7)], [r(2, 3, 4), r(2, 3, 4)]]
    if name.startswith("pad_"):
        k = name[-1] if name[-1] in "123" else name[-2] if name[-2] in "123" else None
        shapes = {"1": [(3, 5), (2, 3, 4)], "2": [(3, 4, 5), (2, 2, 3, 4)], "3": [(2, 3, 4, 3), (1, 2, 3, 4, 3)]}
        if name == "pad_replicate_wide":
            return [[r(2, 1)]]
        if name.endswith("big"):
            return [[r(2, 3)], [r(4, 1)] if "replicate" in name else [r(1, 2)]]
        return [[x] for x in (r(*s) for s in shapes[k])]
    if name.startswith("up_"):
        if "linear_" in name and "bilinear" not in name or "nearest1d" in name:
            return [[r(2, 3, 7)]]
        if "3d" in name:
            return [[r(1, 2, 2, 3, 4)]]
        return [[r(2, 3, 4, 5)], [r(1, 2, 3, 3)]]
    if name == "bilinear":
        return [[r(4, 3), r(4, 5), r(2, 3, 5)], [r(2, 3, 4), r(2, 3, 2), r(3, 4, 2)]]
    if name == "bilinear_bias":
        return [[r(4, 3), r(4, 5), r(2, 3, 5), r(2)], [r(3), r(5), r(2, 3, 5), r(2)]]
    if name in ("sdpa_causal_mask", "sdpa_drop_bad"):
        return []  # an error only
    if name.startswith("sdpa"):
        qkv = [[r(2, 3, 5, 4), r(2, 3, 6, 4), r(2, 3, 6, 3)], [r(5, 8), r(5, 8), r(5, 2)]]
        if "mask" not in name:
            return qkv
        bool_mask = torch.rand((5, 6), generator=g) > 0.3
        bool_mask[:, 0] = True  # every row attends somewhere
        return [qkv[0] + [bool_mask], qkv[0] + [r(2, 1, 5, 6)], qkv[1] + [torch.rand((5, 5), generator=g) > 0.5]]
    raise KeyError(name)


def text_or_none(t):
    return "none" if t is None else tensor_text(t)


def case(name, xs):
    xs = [x.clone().requires_grad_(x.is_floating_point()) for x in xs]
    y = CASES[name](*xs)
    g = torch.Generator().manual_seed(3)
    gout = rand(g, y.dtype, *y.shape)
    wanted = [x for x in xs if x.requires_grad]
    grads = iter(torch.autograd.grad(y, wanted, gout, allow_unused=True))
    dx = [next(grads) if x.requires_grad else None for x in xs]
    print("case", name, y.grad_fn.name(), len(xs), " ".join(tensor_text(x) for x in xs), tensor_text(gout),
          tensor_text(y), " ".join(text_or_none(d) for d in dx))


def error(name, *xs):
    try:
        CASES[name](*xs)
    except (RuntimeError, IndexError, ValueError) as e:
        print("error", name, len(xs), " ".join(tensor_text(x) for x in xs), type(e).__name__ + ": " + str(e).split("\n")[0])
        return
    raise AssertionError("no error: " + name)


def errors():
    f, d = torch.ones(2, 3, 4), torch.ones(2, 3, 4, dtype=torch.float64)
    error("prelu", f, torch.ones(2))
    error("prelu", f, torch.ones(1, 3))
    error("prelu", torch.ones(3), torch.ones(3))
    error("prelu", torch.tensor(1.0), torch.ones(2))
    error("prelu", f.long(), torch.ones(3).long())
    error("prelu", f, torch.ones(3, dtype=torch.float64))
    error("prelu", d, torch.ones(3))
    error("normalize", f.long())
    error("normalize", torch.ones(4))
    error("cosine_similarity", f.long(), f.long())
    error("cosine_similarity", torch.ones(3, 4), torch.ones(2, 4))
    error("cosine_similarity_last", torch.ones(3, 4), torch.ones(2, 4))
    error("cosine_similarity", torch.ones(4), torch.ones(4))
    error("pairwise_distance", torch.ones(3, 4), torch.ones(2, 4))
    for mode in ("reflect", "replicate"):
        for k in "123":
            name = "pad_%s_%s" % (mode, k)
            n = int(k)
            error(name, torch.ones(*(3,) * n))  # too few dims
            error(name, torch.ones(*(2,) * (n + 3)))  # too many
            error(name, torch.ones(*(3,) * (n + 1)).long())
            error(name, torch.ones(*((3,) * n + (0,))))
        error("pad_%s_1" % mode, torch.ones(3, 0, 4))
        error("pad_%s_1" % mode, torch.ones(2, 3).bool())
    error("bilinear", torch.ones(4, 3), torch.ones(4, 2, 5), torch.ones(2, 3, 5))
    error("bilinear", torch.ones(4, 3), torch.ones(3, 5), torch.ones(2, 3, 5))
    error("bilinear", torch.ones(4, 3), torch.ones(4, 5), torch.ones(2, 3))
    error("bilinear", torch.ones(4, 3), torch.ones(4, 5), torch.ones(2, 4, 5))
    error("bilinear", torch.ones(4, 3), torch.ones(4, 5), torch.ones(2, 3, 4))
    error("bilinear_bias", torch.ones(4, 3), torch.ones(4, 5), torch.ones(2, 3, 5), torch.ones(3))
    error("bilinear", torch.ones(4, 3), torch.ones(4, 5, dtype=torch.float64), torch.ones(2, 3, 5))
    error("sdpa_causal_mask", torch.ones(2, 3), torch.ones(2, 3), torch.ones(2, 3), torch.ones(2, 2).bool())
    error("sdpa_drop_bad", torch.ones(2, 3), torch.ones(2, 3), torch.ones(2, 3))
    error("up_nearest_s2", torch.ones(2, 3))
    error("up_nearest_s2", torch.ones(1, 2, 3, 3).long())
    error("up_bilinear_s2", torch.ones(1, 2, 3, 3).long())
    error("up_bilinear_s2", torch.ones(1, 2, 3))
    error("up_linear_s2.5", torch.ones(1, 2, 3, 3))
    error("up_nearest_s0.6", torch.ones(1, 2, 1, 3))
    error("up_bilinear_s2", torch.ones(1, 0, 3, 3))
    error("up_nexact_s1.7", torch.ones(1, 2, 3, 3).long())
    error("up_nexact_s1.7", torch.ones(1, 0, 3, 3))
    error("up_area_size", torch.ones(1, 2, 3, 3).long())
    error("up_trilinear3d_s2", torch.ones(1, 2, 3, 3))
    error("up_trilinear3d_s2", torch.ones(1, 2, 2, 3, 3).long())
    for k, shape in (("1", (2, 2)), ("1b", (2, 3)), ("2", (3, 2, 5)), ("2", (3, 5, 2)), ("3b", (2, 2, 3, 3)), ("3b", (2, 3, 1, 3)), ("3b", (2, 3, 3, 2))):
        error("pad_reflect_" + k, torch.ones(*shape))


def main():
    print("# Generated by tools/gen_nnfunc.py with PyTorch %s; do not edit." % torch.__version__)
    blas = ctypes.CDLL("libopenblas.so.0")  # the one PyTorch loaded
    blas.openblas_get_corename.restype = ctypes.c_char_p
    print("# blas %s %d" % (blas.openblas_get_corename().decode(), blas.openblas_get_num_threads()))
    for name in CASES:
        for dtype in (torch.float32, torch.float64):
            g = torch.Generator().manual_seed(11)
            for xs in inputs(name, g, dtype):
                case(name, xs)
    errors()


main()
