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

/* ---- the rest of nn.functional (integ) ---- */

/* A Python number argument as a double, dflt when absent. */
static bool nx_float(oi_call *c, const oi_value *v, double dflt, double *out) {
    cg_number n;
    if (!v) {
        *out = dflt;
        return true;
    }
    if (!oi_number(c, v, &n)) return false;
    *out = n.f;
    return true;
}

static bool nx_flag(oi_call *c, const oi_value *v, bool dflt, bool *out) {
    if (!v) {
        *out = dflt;
        return true;
    }
    return oi_bool(c, v, out);
}

/* A tensor argument that may be absent or None (NULL then). */
static bool nx_optional(oi_call *c, const oi_value *v, cg_tensor **out) {
    *out = NULL;
    if (!v || v->kind == OI_NONE) return true;
    return (*out = oi_tensor(c, v)) != NULL;
}

static const char *nx_str(const oi_value *v) { return v && v->kind == OI_STR ? v->s : NULL; }


/* ---- convolution, pooling ---- */

/* An int or a list of at most 3 ints as cg_ints; absent leaves *out (PyTorch's default). */
static bool nx_ints(oi_call *c, const oi_value *v, cg_ints *out) {
    int64_t d[3];
    int n;
    if (!v || v->kind == OI_NONE) return true;
    if (!oi_ints(c, v, d, &n, 3, true)) return false;
    out->n = n;
    for (int k = 0; k < n; k++) out->v[k] = d[k];
    return true;
}

static int conv(oi_call *c, cg_tensor *(*fn)(cg_conv_args)) {
    cg_conv_args a = {.input = c->input, .weight = oi_tensor(c, oi_get(c, 0, "weight"))};
    const oi_value *padding = oi_get(c, 3, "padding"), *groups = oi_get(c, 5, "groups");
    if (!a.weight || !nx_optional(c, oi_get(c, 1, "bias"), &a.bias) || !nx_ints(c, oi_get(c, 2, "stride"), &a.stride) ||
        !nx_ints(c, oi_get(c, 4, "dilation"), &a.dilation) || (groups && !oi_int(c, groups, &a.groups)))
        return OI_SKIP;
    if (groups && a.groups == 0) return oi_skip(c, "groups 0 (cgrad: the default)");
    if (nx_str(padding)) a.padding_str = padding->s;
    else if (!nx_ints(c, padding, &a.padding)) return OI_SKIP;
    return oi_out(c, fn(a));
}
static int oi_conv1d(oi_call *c) { return conv(c, cg_conv1d_opts); }
static int oi_conv2d(oi_call *c) { return conv(c, cg_conv2d_opts); }

static int conv_transpose(oi_call *c, cg_tensor *(*fn)(cg_conv_transpose_args)) {
    cg_conv_transpose_args a = {.input = c->input, .weight = oi_tensor(c, oi_get(c, 0, "weight"))};
    const oi_value *groups = oi_get(c, 5, "groups");
    if (!a.weight || !nx_optional(c, oi_get(c, 1, "bias"), &a.bias) || !nx_ints(c, oi_get(c, 2, "stride"), &a.stride) ||
        !nx_ints(c, oi_get(c, 3, "padding"), &a.padding) || !nx_ints(c, oi_get(c, 4, "output_padding"), &a.output_padding) ||
        (groups && !oi_int(c, groups, &a.groups)) || !nx_ints(c, oi_get(c, 6, "dilation"), &a.dilation))
        return OI_SKIP;
    return oi_out(c, fn(a));
}
static int oi_conv_transpose1d(oi_call *c) { return conv_transpose(c, cg_conv_transpose1d_opts); }
static int oi_conv_transpose2d(oi_call *c) { return conv_transpose(c, cg_conv_transpose2d_opts); }

/* max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices) */
static int max_pool(oi_call *c, cg_tensor *(*fn)(cg_max_pool_args)) {
    cg_max_pool_args a = {.input = c->input};
    bool with_indices = false;
    cg_tensor *indices = NULL;
    if (!nx_ints(c, oi_get(c, 0, "kernel_size"), &a.kernel_size) || !nx_ints(c, oi_get(c, 1, "stride"), &a.stride) ||
        !nx_ints(c, oi_get(c, 2, "padding"), &a.padding) || !nx_ints(c, oi_get(c, 3, "dilation"), &a.dilation) ||
        !nx_flag(c, oi_get(c, 4, "ceil_mode"), false, &a.ceil_mode) ||
        !nx_flag(c, oi_get(c, 5, "return_indices"), false, &with_indices))
        return OI_SKIP;
    if (with_indices) a.indices = &indices;
    if (!(c->out[0] = fn(a))) return -1;
    if (!with_indices) return 1;
    c->out[1] = indices;
    return 2;
}
static int oi_max_pool1d(oi_call *c) { return max_pool(c, cg_max_pool1d_opts); }
static int oi_max_pool2d(oi_call *c) { return max_pool(c, cg_max_pool2d_opts); }

/* avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override) */
static int avg_pool(oi_call *c, cg_tensor *(*fn)(cg_avg_pool_args)) {
    cg_avg_pool_args a = {.input = c->input};
    bool include_pad = true;
    const oi_value *divisor = oi_get(c, 5, "divisor_override");
    if (!nx_ints(c, oi_get(c, 0, "kernel_size"), &a.kernel_size) || !nx_ints(c, oi_get(c, 1, "stride"), &a.stride) ||
        !nx_ints(c, oi_get(c, 2, "padding"), &a.padding) || !nx_flag(c, oi_get(c, 3, "ceil_mode"), false, &a.ceil_mode) ||
        !nx_flag(c, oi_get(c, 4, "count_include_pad"), true, &include_pad) ||
        (divisor && divisor->kind != OI_NONE && !oi_int(c, divisor, &a.divisor_override)))
        return OI_SKIP;
    if (divisor && divisor->kind == OI_INT && divisor->i == 0) return oi_skip(c, "divisor_override 0 (cgrad: none)");
    a.exclude_padding = !include_pad;
    return oi_out(c, fn(a));
}
static int oi_avg_pool1d(oi_call *c) { return avg_pool(c, cg_avg_pool1d_opts); }
static int oi_avg_pool2d(oi_call *c) { return avg_pool(c, cg_avg_pool2d_opts); }

static int adaptive_pool(oi_call *c, cg_tensor *(*fn)(cg_adaptive_pool_args), bool max) {
    cg_adaptive_pool_args a = {.input = c->input};
    bool with_indices = false;
    cg_tensor *indices = NULL;
    const oi_value *size = oi_get(c, 0, "output_size");
    if (size && size->kind == OI_LIST)
        for (int k = 0; k < size->n; k++)
            if (size->items[k].kind == OI_NONE) return oi_skip(c, "None output size");
    if (!nx_ints(c, size, &a.output_size) || (max && !nx_flag(c, oi_get(c, 1, "return_indices"), false, &with_indices)))
        return OI_SKIP;
    if (with_indices) a.indices = &indices;
    if (!(c->out[0] = fn(a))) return -1;
    if (!with_indices) return 1;
    c->out[1] = indices;
    return 2;
}
static int oi_adaptive_avg_pool2d(oi_call *c) { return adaptive_pool(c, cg_adaptive_avg_pool2d_opts, false); }
static int oi_adaptive_max_pool2d(oi_call *c) { return adaptive_pool(c, cg_adaptive_max_pool2d_opts, true); }

/* ---- normalization ---- */


static int oi_group_norm(oi_call *c) {
    int64_t groups;
    cg_tensor *w, *b;
    double eps;
    if (!oi_int(c, oi_get(c, 0, "num_groups"), &groups) || !nx_optional(c, oi_get(c, 1, "weight"), &w) ||
        !nx_optional(c, oi_get(c, 2, "bias"), &b) || !nx_float(c, oi_get(c, 3, "eps"), 1e-5, &eps))
        return OI_SKIP;
    return oi_out(c, cg_group_norm(c->input, groups, w, b, eps));
}

/* batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps): the running
 * statistics are updated in place, so they are the sample's own copies. */
static int oi_batch_norm(oi_call *c) {
    cg_tensor *mean, *var, *w, *b;
    bool training;
    double momentum, eps;
    if (!nx_optional(c, oi_get(c, 0, "running_mean"), &mean) || !nx_optional(c, oi_get(c, 1, "running_var"), &var) ||
        !nx_optional(c, oi_get(c, 2, "weight"), &w) || !nx_optional(c, oi_get(c, 3, "bias"), &b) ||
        !nx_flag(c, oi_get(c, 4, "training"), false, &training) || !nx_float(c, oi_get(c, 5, "momentum"), 0.1, &momentum) ||
        !nx_float(c, oi_get(c, 6, "eps"), 1e-5, &eps))
        return OI_SKIP;
    return oi_out(c, cg_batch_norm(c->input, mean, var, w, b, training, momentum, eps));
}

static int oi_instance_norm(oi_call *c) {
    cg_tensor *mean, *var, *w, *b;
    bool use_input_stats;
    double momentum, eps;
    if (!nx_optional(c, oi_get(c, 0, "running_mean"), &mean) || !nx_optional(c, oi_get(c, 1, "running_var"), &var) ||
        !nx_optional(c, oi_get(c, 2, "weight"), &w) || !nx_optional(c, oi_get(c, 3, "bias"), &b) ||
        !nx_flag(c, oi_get(c, 4, "use_input_stats"), true, &use_input_stats) ||
        !nx_float(c, oi_get(c, 5, "momentum"), 0.1, &momentum) || !nx_float(c, oi_get(c, 6, "eps"), 1e-5, &eps))
        return OI_SKIP;
    return oi_out(c, cg_instance_norm(c->input, mean, var, w, b, use_input_stats, momentum, eps));
}


/* softmin(input, dim, dtype=): the input cast first, as PyTorch's dtype argument does */
static int oi_softmin_dtype(oi_call *c) {
    const oi_value *dtype = oi_kw(c, "dtype");
    int64_t dim;
    cg_dtype d;
    if (!oi_dtype(c, dtype, &d) || !oi_int(c, oi_get(c, 0, "dim"), &dim)) return OI_SKIP;
    return oi_out(c, cg_softmin(cg_to(c->input, d), (int)dim));
}

/* ---- embedding ---- */





/* OpInfo's embedding samples are (weight, indices, padding_idx=, max_norm=, ...). */
static int oi_embedding(oi_call *c) {
    cg_tensor *w = c->input, *idx = oi_tensor(c, oi_get(c, 0, "idx"));
    const oi_value *pad = oi_kw(c, "padding_idx"), *max_norm = oi_kw(c, "max_norm");
    int64_t p;
    if (max_norm && max_norm->kind != OI_NONE) return oi_skip(c, "max_norm");
    if (!w || !idx) return OI_SKIP;
    if (pad && pad->kind != OI_NONE) return oi_int(c, pad, &p) ? oi_out(c, cg_embedding_padded(idx, w, p)) : OI_SKIP;
    return oi_out(c, cg_embedding(idx, w));
}

/* ---- pad, interpolate ---- */

static int pad(oi_call *c, const char *forced_mode, int value_at) {
    int64_t p[8];
    int n;
    double value = 0;
    const oi_value *mode = forced_mode ? NULL : oi_get(c, 1, "mode");
    const char *m = forced_mode ? forced_mode : mode ? nx_str(mode) : "constant";
    if (!m || !oi_ints(c, oi_get(c, 0, "pad"), p, &n, 8, false) || !nx_float(c, oi_get(c, value_at, "value"), 0, &value))
        return OI_SKIP;
    if (!strcmp(m, "constant")) return oi_out(c, cg_pad_constant(c->input, p, n, value));
    if (!strcmp(m, "reflect")) return oi_out(c, cg_pad_reflect(c->input, p, n));
    if (!strcmp(m, "replicate")) return oi_out(c, cg_pad_replicate(c->input, p, n));
    return oi_skip(c, "pad mode");
}
static int oi_pad(oi_call *c) { return pad(c, NULL, 2); }
static int oi_constant_pad_nd(oi_call *c) { return pad(c, "constant", 1); }

/* interpolate(input, size, scale_factor, mode, align_corners) */
static int interpolate(oi_call *c, const char *forced_mode, bool align) {
    cg_interpolate_args a = {.input = c->input, .align_corners = align};
    const oi_value *scale = oi_get(c, 1, "scale_factor"), *mode = forced_mode ? NULL : oi_get(c, 2, "mode");
    const oi_value *corners = forced_mode ? NULL : oi_get(c, 3, "align_corners");
    a.mode = forced_mode ? forced_mode : nx_str(mode);
    if (!a.mode || !nx_ints(c, oi_get(c, 0, "size"), &a.size)) return OI_SKIP;
    if (corners && corners->kind != OI_NONE && !oi_bool(c, corners, &a.align_corners)) return OI_SKIP;
    if (scale && scale->kind != OI_NONE) {
        if (scale->kind == OI_LIST) {
            for (int k = 0; k < scale->n && k < 3; k++)
                if (!nx_float(c, &scale->items[k], 0, &a.scale_factor[k])) return OI_SKIP;
        } else if (!nx_float(c, scale, 0, &a.scale_factor[0])) {
            return OI_SKIP;
        }
    }
    if (oi_kw(c, "recompute_scale_factor") || oi_kw(c, "antialias")) return oi_skip(c, "recompute_scale_factor/antialias");
    return oi_out(c, cg_interpolate_opts(a));
}
static int oi_interpolate(oi_call *c) { return interpolate(c, NULL, false); }
static int oi_upsample_nearest(oi_call *c) { return interpolate(c, "nearest", false); }
static int oi_upsample_bilinear(oi_call *c) { return interpolate(c, "bilinear", true); }

/* ---- dropout (p = 0 or not training: the random draws are not the golden file's) ---- */

static int dropout(oi_call *c, cg_tensor *(*fn)(cg_tensor *, double, bool)) {
    double p;
    bool training;
    if (!nx_float(c, oi_get(c, 0, "p"), 0.5, &p) || !nx_flag(c, oi_get(c, 1, "training"), true, &training)) return OI_SKIP;
    if (training && p != 0) return oi_skip(c, "random draws");
    return oi_out(c, fn(c->input, p, training));
}
static int oi_dropout(oi_call *c) { return dropout(c, cg_dropout); }
static int oi_dropout2d(oi_call *c) { return dropout(c, cg_dropout2d); }

/* _scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, need_attn_weights, is_causal):
 * its result is (output, weights) when need_attn_weights. */
static int oi_sdpa(oi_call *c) {
    cg_sdpa_args a = {.query = c->input, .key = oi_tensor(c, oi_get(c, 0, "key")), .value = oi_tensor(c, oi_get(c, 1, "value"))};
    double dropout_p;
    bool need_weights;
    cg_tensor *weights = NULL;
    if (!a.key || !a.value || !nx_optional(c, oi_get(c, 2, "attn_mask"), &a.attn_mask) ||
        !nx_float(c, oi_get(c, 3, "dropout_p"), 0, &dropout_p) || !nx_flag(c, oi_get(c, 4, "need_attn_weights"), false, &need_weights) ||
        !nx_flag(c, oi_get(c, 5, "is_causal"), false, &a.is_causal))
        return OI_SKIP;
    if (dropout_p != 0) return oi_skip(c, "dropout_p");
    a.attn_weights = &weights;
    if (!(c->out[0] = cg_scaled_dot_product_attention_opts(a))) return -1;
    c->out[1] = weights;
    return 2;
}


static const oi_entry oi_nn[] = {
    OI_OP("nn.functional.selu", "", oi_nn_selu, .sleef = true),
    OI_OP("nn.functional.silu", "", oi_nn_silu, .sleef = true),
    OI_OP("nn.functional.mish", "", oi_nn_mish, .sleef = true),
    OI_OP("nn.functional.relu6", "", oi_nn_relu6),
    OI_OP("nn.functional.hardsigmoid", "", oi_nn_hardsigmoid),
    OI_OP("nn.functional.hardswish", "", oi_nn_hardswish),
    OI_OP("nn.functional.logsigmoid", "", oi_nn_logsigmoid, .sleef = true),
    OI_OP("nn.functional.softsign", "", oi_nn_softsign),
    OI_OP("nn.functional.tanhshrink", "", oi_nn_tanhshrink, .sleef = true),
    OI_OP("nn.functional.elu", "", oi_nn_elu, .sleef = true),
    OI_OP("nn.functional.celu", "", oi_nn_celu, .sleef = true),
    OI_OP("nn.functional.leaky_relu", "", oi_nn_leaky_relu),
    OI_OP("nn.functional.hardtanh", "", oi_nn_hardtanh),
    OI_OP("nn.functional.softplus", "", oi_nn_softplus, .sleef = true),
    /* float32 gelu on a contiguous input is oneDNN's eltwise_gelu_erf, in PyTorch and in cgrad */
    OI_OP("nn.functional.gelu", "", oi_nn_gelu, .sleef = true, .dnnl = true),
    OI_OP("nn.functional.glu", "", oi_nn_glu),
    OI_OP("nn.functional.softmin", "", oi_nn_softmin, .sleef = true),
    OI_OP("nn.functional.prelu", "", oi_nn_prelu),
    OI_OP("nn.functional.linear", "", oi_nn_linear, .blas = true),
    /* PyTorch's _trilinear sums in another order: float32 cancels to ~2e-6 relative */
    OI_OP("nn.functional.bilinear", "", oi_nn_bilinear, .blas = true, .tol = 1e-5),
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
    OI_OP("nn.functional.softmin", "with_dtype", oi_softmin_dtype, .sleef = true),
    OI_OP("nn.functional.conv1d", "", oi_conv1d, .blas = true),
    OI_OP("nn.functional.conv2d", "", oi_conv2d, .blas = true),
    OI_OP("nn.functional.conv_transpose1d", "", oi_conv_transpose1d, .blas = true),
    OI_OP("nn.functional.conv_transpose2d", "", oi_conv_transpose2d, .blas = true),
    OI_OP("nn.functional.max_pool1d", "", oi_max_pool1d),
    OI_OP("nn.functional.max_pool2d", "", oi_max_pool2d),
    OI_OP("nn.functional.avg_pool1d", "", oi_avg_pool1d),
    OI_OP("nn.functional.avg_pool2d", "", oi_avg_pool2d),
    OI_OP("nn.functional.adaptive_avg_pool2d", "", oi_adaptive_avg_pool2d),
    OI_OP("nn.functional.adaptive_max_pool2d", "", oi_adaptive_max_pool2d),
    OI_OP("nn.functional.group_norm", "", oi_group_norm),
    OI_OP("nn.functional.batch_norm", "", oi_batch_norm),
    OI_OP("nn.functional.instance_norm", "", oi_instance_norm),
    OI_OP("nn.functional.embedding", "", oi_embedding),
    OI_OP("nn.functional.pad", "constant", oi_pad),
    OI_OP("nn.functional.pad", "reflect", oi_pad),
    OI_OP("nn.functional.pad", "replicate", oi_pad),
    OI_OP("constant_pad_nd", "", oi_constant_pad_nd),
    OI_OP("nn.functional.interpolate", "nearest", oi_interpolate),
    OI_OP("nn.functional.interpolate", "linear", oi_interpolate),
    OI_OP("nn.functional.interpolate", "bilinear", oi_interpolate),
    OI_OP("nn.functional.upsample_nearest", "", oi_upsample_nearest),
    OI_OP("nn.functional.upsample_bilinear", "", oi_upsample_bilinear),
    OI_OP("nn.functional.dropout", "", oi_dropout),
    OI_OP("nn.functional.dropout2d", "", oi_dropout2d),
    OI_OP("nn.functional._scaled_dot_product_attention", "", oi_sdpa, .blas = true),
    OI_END,
};
