/* OpInfo adapters of torch.nn.functional (owner: anyone adding nn.functional ops; opinfo wrote the
 * first ones): tests/opinfo/opinfo.h says how to write one; an OI_OP line per OpInfo entry, then
 * /usr/bin/python3 tools/gen_opinfo.py NAME for its golden data. */

/* A float keyword with a default (or positional i when i >= 0). */
static bool nn_float(oi_call *c, int i, const char *key, double *out) {
    const oi_value *v = i >= 0 ? oi_get(c, i, key) : oi_kw(c, key);
    if (!v) return true;
    cg_number n;
    if (!oi_number(c, v, &n)) return false;
    *out = n.f;
    return true;
}

/* inplace=True has no C form for these (a different function); inplace=False is the default. */
static bool nn_not_inplace(oi_call *c, int i) {
    const oi_value *v = oi_get(c, i, "inplace");
    if (v && v->kind == OI_BOOL && v->i) return oi_skip(c, "inplace=True"), false;
    return true;
}

OI_UNARY(oi_nn_selu_, cg_selu)
static int oi_nn_selu(oi_call *c) { return nn_not_inplace(c, 0) ? oi_nn_selu_(c) : OI_SKIP; }
OI_UNARY(oi_nn_silu_, cg_silu)
static int oi_nn_silu(oi_call *c) { return nn_not_inplace(c, 0) ? oi_nn_silu_(c) : OI_SKIP; }
OI_UNARY(oi_nn_mish_, cg_mish)
static int oi_nn_mish(oi_call *c) { return nn_not_inplace(c, 0) ? oi_nn_mish_(c) : OI_SKIP; }
OI_UNARY(oi_nn_relu6_, cg_relu6)
static int oi_nn_relu6(oi_call *c) { return nn_not_inplace(c, 0) ? oi_nn_relu6_(c) : OI_SKIP; }
OI_UNARY(oi_nn_hardsigmoid_, cg_hardsigmoid)
static int oi_nn_hardsigmoid(oi_call *c) { return nn_not_inplace(c, 0) ? oi_nn_hardsigmoid_(c) : OI_SKIP; }
OI_UNARY(oi_nn_hardswish_, cg_hardswish)
static int oi_nn_hardswish(oi_call *c) { return nn_not_inplace(c, 0) ? oi_nn_hardswish_(c) : OI_SKIP; }
OI_UNARY(oi_nn_logsigmoid, cg_logsigmoid)
OI_UNARY(oi_nn_softsign, cg_softsign)
OI_UNARY(oi_nn_tanhshrink, cg_tanhshrink)

static int oi_nn_elu(oi_call *c) {
    double alpha = 1;
    if (!nn_float(c, 0, "alpha", &alpha) || !nn_not_inplace(c, 1)) return OI_SKIP;
    return oi_out(c, cg_elu(c->input, alpha));
}

static int oi_nn_celu(oi_call *c) {
    double alpha = 1;
    if (!nn_float(c, 0, "alpha", &alpha) || !nn_not_inplace(c, 1)) return OI_SKIP;
    return oi_out(c, cg_celu(c->input, alpha));
}

static int oi_nn_leaky_relu(oi_call *c) {
    double slope = 0.01;
    if (!nn_float(c, 0, "negative_slope", &slope) || !nn_not_inplace(c, 1)) return OI_SKIP;
    return oi_out(c, cg_leaky_relu(c->input, slope));
}

static int oi_nn_hardtanh(oi_call *c) {
    double lo = -1, hi = 1;
    if (!nn_float(c, 0, "min_val", &lo) || !nn_float(c, 1, "max_val", &hi) || !nn_not_inplace(c, 2)) return OI_SKIP;
    return oi_out(c, cg_hardtanh(c->input, lo, hi));
}

static int oi_nn_softplus(oi_call *c) {
    double beta = 1, threshold = 20;
    if (!nn_float(c, 0, "beta", &beta) || !nn_float(c, 1, "threshold", &threshold)) return OI_SKIP;
    return oi_out(c, cg_softplus(c->input, beta, threshold));
}

static int oi_nn_gelu(oi_call *c) {
    const oi_value *a = oi_kw(c, "approximate");
    if (a && a->kind != OI_STR) return oi_skip(c, "approximate is not a string");
    return oi_out(c, cg_gelu(c->input, a ? a->s : NULL));
}

static int oi_nn_glu(oi_call *c) {
    int64_t d = -1;
    const oi_value *dim = oi_get(c, 0, "dim");
    if (dim && !oi_int(c, dim, &d)) return OI_SKIP;
    return oi_out(c, cg_glu(c->input, (int)d));
}

static int oi_nn_softmin(oi_call *c) {
    int64_t d;
    return oi_int(c, oi_get(c, 0, "dim"), &d) ? oi_out(c, cg_softmin(c->input, (int)d)) : OI_SKIP;
}

static int oi_nn_prelu(oi_call *c) {
    cg_tensor *w = oi_tensor(c, oi_get(c, 0, "weight"));
    return w ? oi_out(c, cg_prelu(c->input, w)) : OI_SKIP;
}

static int oi_nn_linear(oi_call *c) {
    cg_tensor *w = oi_tensor(c, oi_get(c, 0, "weight"));
    const oi_value *bv = oi_get(c, 1, "bias");
    if (!w) return OI_SKIP;
    if (!bv || bv->kind == OI_NONE) return oi_out(c, cg_matmul(c->input, cg_t(w)));
    cg_tensor *b = oi_tensor(c, bv);
    return b ? oi_out(c, cg_linear(c->input, w, b)) : OI_SKIP;
}

static int oi_nn_bilinear(oi_call *c) {
    cg_tensor *x2 = oi_tensor(c, oi_get(c, 0, "input2")), *w = oi_tensor(c, oi_get(c, 1, "weight"));
    const oi_value *bv = oi_get(c, 2, "bias");
    cg_tensor *b = NULL;
    if (!x2 || !w || (bv && bv->kind != OI_NONE && !(b = oi_tensor(c, bv)))) return OI_SKIP;
    return oi_out(c, cg_bilinear(c->input, x2, w, b));
}

static int oi_nn_layer_norm(oi_call *c) {
    int64_t shape[CG_MAX_DIMS];
    int k;
    double eps = 1e-5;
    const oi_value *wv = oi_get(c, 1, "weight"), *bv = oi_get(c, 2, "bias");
    cg_tensor *w = NULL, *b = NULL;
    if (!oi_ints(c, oi_get(c, 0, "normalized_shape"), shape, &k, CG_MAX_DIMS, true)) return OI_SKIP;
    if ((wv && wv->kind != OI_NONE && !(w = oi_tensor(c, wv))) || (bv && bv->kind != OI_NONE && !(b = oi_tensor(c, bv))))
        return OI_SKIP;
    if (!nn_float(c, 3, "eps", &eps)) return OI_SKIP;
    return oi_out(c, cg_layer_norm(c->input, k, shape, w, b, eps));
}

static int oi_nn_normalize(oi_call *c) {
    double p = 2, eps = 1e-12;
    int64_t dim = 1;
    const oi_value *d = oi_get(c, 1, "dim");
    if (!nn_float(c, 0, "p", &p) || (d && !oi_int(c, d, &dim)) || !nn_float(c, 2, "eps", &eps)) return OI_SKIP;
    return oi_out(c, cg_normalize(c->input, p, (int)dim, eps));
}

static int oi_nn_cosine_similarity(oi_call *c) {
    cg_tensor *x2 = oi_tensor(c, oi_get(c, 0, "x2"));
    int64_t dim = 1;
    double eps = 1e-8;
    const oi_value *d = oi_get(c, 1, "dim");
    if (!x2 || (d && !oi_int(c, d, &dim)) || !nn_float(c, 2, "eps", &eps)) return OI_SKIP;
    return oi_out(c, cg_cosine_similarity(c->input, x2, (int)dim, eps));
}

static int oi_nn_pairwise_distance(oi_call *c) {
    cg_tensor *x2 = oi_tensor(c, oi_get(c, 0, "x2"));
    double p = 2, eps = 1e-6;
    bool keep = false;
    const oi_value *k = oi_get(c, 3, "keepdim");
    if (!x2 || !nn_float(c, 1, "p", &p) || !nn_float(c, 2, "eps", &eps) || (k && !oi_bool(c, k, &keep))) return OI_SKIP;
    return oi_out(c, cg_pairwise_distance(c->input, x2, p, eps, keep));
}

/* ---- losses: input, target and the keyword options ---- */

static bool nn_reduction(oi_call *c, cg_loss_args *a) {
    const oi_value *r = oi_kw(c, "reduction");
    if (!r) return true;
    if (r->kind != OI_STR) return oi_skip(c, "reduction is not a string"), false;
    if (!strcmp(r->s, "mean")) a->reduction = CG_REDUCTION_MEAN;
    else if (!strcmp(r->s, "sum")) a->reduction = CG_REDUCTION_SUM;
    else if (!strcmp(r->s, "none")) a->reduction = CG_REDUCTION_NONE;
    else if (!strcmp(r->s, "batchmean")) a->reduction = CG_REDUCTION_BATCHMEAN;
    else return oi_skip(c, "unknown reduction"), false;
    return true;
}

static bool nn_opt(oi_call *c, const char *key, cg_opt *out) {
    const oi_value *v = oi_kw(c, key);
    cg_number n;
    if (!v) return true;
    if (!oi_number(c, v, &n)) return false;
    out->given = true;
    out->value = n.f;
    return true;
}

static bool nn_tensor_kw(oi_call *c, const char *key, cg_tensor **out) {
    const oi_value *v = oi_kw(c, key);
    if (!v || v->kind == OI_NONE) return true;
    return (*out = oi_tensor(c, v)) != NULL;
}

static bool nn_bool_kw(oi_call *c, const char *key, bool *out) {
    const oi_value *v = oi_kw(c, key);
    return !v || oi_bool(c, v, out);
}

/* loss(input, target, **options): every option any loss takes, read when present. */
static int loss(oi_call *c, cg_tensor *(*fn)(cg_loss_args)) {
    cg_loss_args a = {.input = c->input, .target = oi_tensor(c, oi_get(c, 0, "target"))};
    const oi_value *ls = oi_kw(c, "label_smoothing");
    cg_number n;
    if (!a.target || !nn_reduction(c, &a) || !nn_tensor_kw(c, "weight", &a.weight) ||
        !nn_tensor_kw(c, "pos_weight", &a.pos_weight) || !nn_opt(c, "ignore_index", &a.ignore_index) ||
        !nn_opt(c, "beta", &a.beta) || !nn_opt(c, "delta", &a.delta) || !nn_bool_kw(c, "log_target", &a.log_target) ||
        !nn_opt(c, "eps", &a.eps) || !nn_bool_kw(c, "full", &a.full))
        return OI_SKIP;
    if (ls) {
        if (!oi_number(c, ls, &n)) return OI_SKIP;
        a.label_smoothing = n.f;
    }
    const oi_value *li = oi_kw(c, "log_input");
    if (li) {
        bool b;
        if (!oi_bool(c, li, &b)) return OI_SKIP;
        a.log_input = CG_OPT(b);
    }
    return oi_out(c, fn(a));
}

#define NN_LOSS(adapter, fn) \
    static int adapter(oi_call *c) { return loss(c, fn); }
NN_LOSS(oi_nn_mse_loss, cg_mse_loss_opts)
NN_LOSS(oi_nn_l1_loss, cg_l1_loss_opts)
NN_LOSS(oi_nn_smooth_l1_loss, cg_smooth_l1_loss_opts)
NN_LOSS(oi_nn_huber_loss, cg_huber_loss_opts)
NN_LOSS(oi_nn_kl_div, cg_kl_div_opts)
NN_LOSS(oi_nn_bce, cg_binary_cross_entropy_opts)
NN_LOSS(oi_nn_bce_logits, cg_binary_cross_entropy_with_logits_opts)
NN_LOSS(oi_nn_nll_loss, cg_nll_loss_opts)
NN_LOSS(oi_nn_cross_entropy, cg_cross_entropy_opts)
NN_LOSS(oi_nn_poisson_nll_loss, cg_poisson_nll_loss_opts)
NN_LOSS(oi_nn_soft_margin_loss, cg_soft_margin_loss_opts)
NN_LOSS(oi_nn_multilabel_soft_margin_loss, cg_multilabel_soft_margin_loss_opts)

static int oi_nn_hinge_embedding_loss(oi_call *c) {
    cg_loss_args a = {.input = c->input, .target = oi_tensor(c, oi_get(c, 0, "target"))};
    if (!a.target || !nn_reduction(c, &a) || !nn_opt(c, "margin", &a.margin)) return OI_SKIP;
    return oi_out(c, cg_hinge_embedding_loss_opts(a));
}

static int oi_nn_gaussian_nll_loss(oi_call *c) {
    cg_loss_args a = {.input = c->input, .target = oi_tensor(c, oi_get(c, 0, "target")),
                      .var = oi_tensor(c, oi_get(c, 1, "var"))};
    if (!a.target || !a.var || !nn_reduction(c, &a) || !nn_opt(c, "eps", &a.eps) || !nn_bool_kw(c, "full", &a.full))
        return OI_SKIP;
    return oi_out(c, cg_gaussian_nll_loss_opts(a));
}

/* (x1, x2, target): margin_ranking, cosine_embedding. */
static int pair_loss(oi_call *c, cg_tensor *(*fn)(cg_loss_args)) {
    cg_loss_args a = {.input = c->input, .input2 = oi_tensor(c, oi_get(c, 0, "input2")),
                      .target = oi_tensor(c, oi_get(c, 1, "target"))};
    if (!a.input2 || !a.target || !nn_reduction(c, &a) || !nn_opt(c, "margin", &a.margin)) return OI_SKIP;
    return oi_out(c, fn(a));
}
static int oi_nn_margin_ranking_loss(oi_call *c) { return pair_loss(c, cg_margin_ranking_loss_opts); }
static int oi_nn_cosine_embedding_loss(oi_call *c) { return pair_loss(c, cg_cosine_embedding_loss_opts); }

static int oi_nn_triplet_margin_loss(oi_call *c) {
    cg_loss_args a = {.input = c->input, .input2 = oi_tensor(c, oi_get(c, 0, "positive")),
                      .target = oi_tensor(c, oi_get(c, 1, "negative"))};
    if (!a.input2 || !a.target || !nn_reduction(c, &a) || !nn_opt(c, "margin", &a.margin) || !nn_opt(c, "p", &a.p) ||
        !nn_bool_kw(c, "swap", &a.swap))
        return OI_SKIP;
    const oi_value *eps = oi_kw(c, "eps");
    if (eps) return oi_skip(c, "eps (cgrad: 1e-6 fixed)");
    return oi_out(c, cg_triplet_margin_loss_opts(a));
}

static const oi_entry oi_nn[] = {
    OI_OP("nn.functional.selu", "", oi_nn_selu),
    OI_OP("nn.functional.silu", "", oi_nn_silu, .sleef = true),
    OI_OP("nn.functional.mish", "", oi_nn_mish,
          .known = "values within 4 eps, not PyTorch's bits: its Vectorized (SLEEF) loop, cgrad libm (src/backend/cpu/activation.c)"),
    OI_OP("nn.functional.relu6", "", oi_nn_relu6),
    OI_OP("nn.functional.hardsigmoid", "", oi_nn_hardsigmoid),
    OI_OP("nn.functional.hardswish", "", oi_nn_hardswish),
    OI_OP("nn.functional.logsigmoid", "", oi_nn_logsigmoid,
          .known = "values within 4 eps, not PyTorch's bits: its Vectorized (SLEEF) loop, cgrad libm (src/backend/cpu/activation.c)"),
    OI_OP("nn.functional.softsign", "", oi_nn_softsign),
    OI_OP("nn.functional.tanhshrink", "", oi_nn_tanhshrink, .sleef = true),
    OI_OP("nn.functional.elu", "", oi_nn_elu),
    OI_OP("nn.functional.celu", "", oi_nn_celu),
    OI_OP("nn.functional.leaky_relu", "", oi_nn_leaky_relu),
    OI_OP("nn.functional.hardtanh", "", oi_nn_hardtanh),
    OI_OP("nn.functional.softplus", "", oi_nn_softplus,
          .known = "values within 4 eps, not PyTorch's bits: its Vectorized (SLEEF) loop, cgrad libm (src/backend/cpu/activation.c)"),
    OI_OP("nn.functional.gelu", "", oi_nn_gelu,
          .known = "values within 4 eps, not PyTorch's bits: its Vectorized (SLEEF) loop, cgrad libm (src/backend/cpu/activation.c)"),
    OI_OP("nn.functional.glu", "", oi_nn_glu),
    OI_OP("nn.functional.softmin", "", oi_nn_softmin, .sleef = true),
    OI_OP("nn.functional.prelu", "", oi_nn_prelu),
    OI_OP("nn.functional.linear", "", oi_nn_linear, .blas = true),
    OI_OP("nn.functional.bilinear", "", oi_nn_bilinear, .blas = true,
          .known = "within 8 eps of PyTorch's _trilinear, which sums in another order"),
    OI_OP("nn.functional.layer_norm", "", oi_nn_layer_norm),
    OI_OP("nn.functional.normalize", "", oi_nn_normalize),
    OI_OP("nn.functional.cosine_similarity", "", oi_nn_cosine_similarity),
    OI_OP("nn.functional.pairwise_distance", "", oi_nn_pairwise_distance),
    OI_OP("nn.functional.mse_loss", "", oi_nn_mse_loss),
    OI_OP("nn.functional.l1_loss", "", oi_nn_l1_loss),
    OI_OP("nn.functional.smooth_l1_loss", "", oi_nn_smooth_l1_loss),
    OI_OP("nn.functional.huber_loss", "", oi_nn_huber_loss),
    OI_OP("nn.functional.kl_div", "", oi_nn_kl_div),
    OI_OP("nn.functional.binary_cross_entropy", "", oi_nn_bce),
    OI_OP("nn.functional.binary_cross_entropy_with_logits", "", oi_nn_bce_logits),
    OI_OP("nn.functional.nll_loss", "", oi_nn_nll_loss),
    OI_OP("nn.functional.cross_entropy", "", oi_nn_cross_entropy),
    OI_OP("nn.functional.poisson_nll_loss", "", oi_nn_poisson_nll_loss, .sleef = true),
    OI_OP("nn.functional.soft_margin_loss", "", oi_nn_soft_margin_loss),
    OI_OP("nn.functional.multilabel_soft_margin_loss", "", oi_nn_multilabel_soft_margin_loss),
    OI_OP("nn.functional.hinge_embedding_loss", "", oi_nn_hinge_embedding_loss),
    OI_OP("nn.functional.gaussian_nll_loss", "", oi_nn_gaussian_nll_loss),
    OI_OP("nn.functional.margin_ranking_loss", "", oi_nn_margin_ranking_loss),
    OI_OP("nn.functional.cosine_embedding_loss", "", oi_nn_cosine_embedding_loss),
    OI_OP("nn.functional.triplet_margin_loss", "", oi_nn_triplet_margin_loss),
    OI_END,
};
