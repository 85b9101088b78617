/* OpInfo adapters of the ops cgrad had before issue 9 (owner: opinfo): elementwise, reductions,
 * views, joins, products, indexing. tests/opinfo/opinfo.h says how to write one. */

OI_UNARY(oi_abs, cg_abs)
OI_UNARY(oi_exp, cg_exp)
OI_UNARY(oi_log, cg_log)
OI_UNARY(oi_log1p, cg_log1p)
OI_UNARY(oi_sqrt, cg_sqrt)
OI_UNARY(oi_neg, cg_neg)
OI_UNARY(oi_sign, cg_sign)
OI_UNARY(oi_sin, cg_sin)
OI_UNARY(oi_cos, cg_cos)
OI_UNARY(oi_tan, cg_tan)
OI_UNARY(oi_tanh, cg_tanh)
OI_UNARY(oi_sigmoid, cg_sigmoid)
OI_UNARY(oi_erf, cg_erf)
OI_UNARY(oi_relu, cg_relu)
OI_UNARY(oi_clone, cg_clone)
OI_UNARY(oi_contiguous, cg_contiguous)
OI_UNARY(oi_t, cg_t)

/* f(input, other) with other a tensor or a Python number. */
static int binary(oi_call *c, cg_tensor *(*tt)(cg_tensor *, cg_tensor *), cg_tensor *(*tn)(cg_tensor *, cg_number)) {
    const oi_value *other = oi_get(c, 0, "other");
    cg_number n;
    if (oi_is_number(other)) return tn && oi_number(c, other, &n) ? oi_out(c, tn(c->input, n)) : oi_skip(c, "number operand");
    cg_tensor *b = oi_tensor(c, other);
    return b ? oi_out(c, tt(c->input, b)) : OI_SKIP;
}

#define OI_BINARY(adapter, tt, tn) \
    static int adapter(oi_call *c) { return binary(c, tt, tn); }
OI_BINARY(oi_mul, cg_mul, cg_mul_number)
OI_BINARY(oi_div, cg_div, cg_div_number)
OI_BINARY(oi_pow, cg_pow, cg_pow_number)
OI_BINARY(oi_maximum, cg_maximum, NULL)
OI_BINARY(oi_minimum, cg_minimum, NULL)
OI_BINARY(oi_eq, cg_eq, cg_eq_number)
OI_BINARY(oi_ne, cg_ne, cg_ne_number)
OI_BINARY(oi_lt, cg_lt, cg_lt_number)
OI_BINARY(oi_le, cg_le, cg_le_number)
OI_BINARY(oi_gt, cg_gt, cg_gt_number)
OI_BINARY(oi_ge, cg_ge, cg_ge_number)
OI_BINARY(oi_mm, cg_mm, NULL)
OI_BINARY(oi_bmm, cg_bmm, NULL)
OI_BINARY(oi_matmul, cg_matmul, NULL)

/* add/sub(input, other, alpha=). */
static int add_sub(oi_call *c, bool sub) {
    const oi_value *other = oi_get(c, 0, "other"), *alpha = oi_kw(c, "alpha");
    cg_number a = cg_number_int(1), n;
    if (alpha && !oi_number(c, alpha, &a)) return OI_SKIP;
    if (oi_is_number(other)) {
        if (alpha || !oi_number(c, other, &n)) return oi_skip(c, "number operand with alpha");
        return oi_out(c, sub ? cg_sub_number(c->input, n) : cg_add_number(c->input, n));
    }
    cg_tensor *b = oi_tensor(c, other);
    if (!b) return OI_SKIP;
    if (!alpha) return oi_out(c, sub ? cg_sub(c->input, b) : cg_add(c->input, b));
    return oi_out(c, sub ? cg_sub_alpha_number(c->input, b, a) : cg_add_alpha_number(c->input, b, a));
}
static int oi_add(oi_call *c) { return add_sub(c, false); }
static int oi_sub(oi_call *c) { return add_sub(c, true); }

static int oi_mv(oi_call *c) {
    cg_tensor *v = oi_tensor(c, oi_get(c, 0, "vec"));
    return v ? oi_out(c, cg_mv(c->input, v)) : OI_SKIP;
}

static int oi_dot(oi_call *c) {
    cg_tensor *v = oi_tensor(c, oi_get(c, 0, "tensor"));
    return v ? oi_out(c, cg_dot(c->input, v)) : OI_SKIP;
}

/* addmm(input, mat1, mat2, beta=, alpha=). */
static int oi_addmm(oi_call *c) {
    cg_tensor *m1 = oi_tensor(c, oi_get(c, 0, "mat1")), *m2 = oi_tensor(c, oi_get(c, 1, "mat2"));
    const oi_value *beta = oi_kw(c, "beta"), *alpha = oi_kw(c, "alpha");
    cg_number b = cg_number_int(1), a = cg_number_int(1);
    if (!m1 || !m2 || (beta && !oi_number(c, beta, &b)) || (alpha && !oi_number(c, alpha, &a))) return OI_SKIP;
    if (!beta && !alpha) return oi_out(c, cg_addmm(c->input, m1, m2));
    return oi_out(c, cg_addmm_scaled(c->input, m1, m2, b.f, a.f));
}

/* sum/mean/var/std(input, dim, keepdim) with the reduce arguments. */
static int reduce(oi_call *c, cg_tensor *(*fn)(cg_reduce_args), bool var) {
    cg_reduce_args a = {.input = c->input};
    const oi_value *dim = oi_get(c, 0, "dim"), *keep = oi_get(c, 1, "keepdim");
    if (dim && dim->kind != OI_NONE && !oi_dims(c, dim, a.dims, &a.ndims)) return OI_SKIP;
    if (keep && !oi_bool(c, keep, &a.keepdim)) return OI_SKIP;
    if (var) {
        const oi_value *unbiased = oi_kw(c, "unbiased"), *correction = oi_kw(c, "correction");
        bool u = true;
        if (unbiased && !oi_bool(c, unbiased, &u)) return OI_SKIP;
        if (correction) {
            if (correction->kind != OI_INT || (correction->i != 0 && correction->i != 1))
                return oi_skip(c, "correction other than 0 or 1");
            u = correction->i == 1;
        }
        a.biased = !u;
    }
    return oi_out(c, fn(a));
}
static int oi_sum(oi_call *c) { return reduce(c, cg_sum_opts, false); }
static int oi_mean(oi_call *c) { return reduce(c, cg_mean_opts, false); }
static int oi_var(oi_call *c) { return reduce(c, cg_var_opts, true); }
static int oi_std(oi_call *c) { return reduce(c, cg_std_opts, true); }

static int oi_prod(oi_call *c) {
    const oi_value *dim = oi_get(c, 0, "dim"), *keep = oi_get(c, 1, "keepdim");
    int64_t d;
    bool k = false;
    if (!dim) return oi_out(c, cg_prod(c->input));
    if (!oi_int(c, dim, &d) || (keep && !oi_bool(c, keep, &k))) return OI_SKIP;
    return oi_out(c, cg_prod_dim(c->input, (int)d, k));
}

/* max/min: no dim (the extreme), or dim and keepdim (values, indices). */
static int extreme(oi_call *c, bool max) {
    const oi_value *dim = oi_get(c, 0, "dim"), *keep = oi_get(c, 1, "keepdim");
    int64_t d;
    bool k = false;
    if (!dim) return oi_out(c, max ? cg_max(c->input) : cg_min(c->input));
    if (!oi_int(c, dim, &d) || (keep && !oi_bool(c, keep, &k))) return OI_SKIP;
    c->out[0] = (max ? cg_max_dim : cg_min_dim)(c->input, (int)d, k, &c->out[1]);
    return c->out[0] ? 2 : -1;
}
static int oi_max(oi_call *c) { return extreme(c, true); }
static int oi_min(oi_call *c) { return extreme(c, false); }

static int arg_extreme(oi_call *c, bool max) {
    const oi_value *dim = oi_get(c, 0, "dim"), *keep = oi_get(c, 1, "keepdim");
    int64_t d;
    bool k = false;
    if (keep && !oi_bool(c, keep, &k)) return OI_SKIP;
    if (!dim || dim->kind == OI_NONE) {
        if (k) return oi_skip(c, "keepdim without dim");
        return oi_out(c, max ? cg_argmax(c->input) : cg_argmin(c->input));
    }
    if (!oi_int(c, dim, &d)) return OI_SKIP;
    return oi_out(c, (max ? cg_argmax_dim : cg_argmin_dim)(c->input, (int)d, k));
}
static int oi_argmax(oi_call *c) { return arg_extreme(c, true); }
static int oi_argmin(oi_call *c) { return arg_extreme(c, false); }

static int oi_softmax(oi_call *c) {
    int64_t d;
    return oi_int(c, oi_get(c, 0, "dim"), &d) ? oi_out(c, cg_softmax(c->input, (int)d)) : OI_SKIP;
}
static int oi_log_softmax(oi_call *c) {
    int64_t d;
    return oi_int(c, oi_get(c, 0, "dim"), &d) ? oi_out(c, cg_log_softmax(c->input, (int)d)) : OI_SKIP;
}

/* cat/stack(tensors, dim=0). */
static int join(oi_call *c, bool stack) {
    cg_tensor *ts[64];
    int n;
    int64_t d = 0;
    const oi_value *dim = oi_get(c, 0, "dim");
    if (!oi_tensors(c, &c->s->input, ts, &n, 64) || (dim && !oi_int(c, dim, &d))) return OI_SKIP;
    return oi_out(c, (stack ? cg_stack : cg_cat)(ts, n, (int)d));
}
static int oi_cat(oi_call *c) { return join(c, false); }
static int oi_stack(oi_call *c) { return join(c, true); }

/* view/reshape(input, shape) with the shape as a list or as separate ints. */
static int shape_op(oi_call *c, cg_tensor *(*fn)(cg_tensor *, int, const int64_t *)) {
    int64_t sizes[16];
    int n = 0;
    const oi_value *first = oi_get(c, 0, "shape");
    if (first && first->kind == OI_LIST) {
        if (!oi_ints(c, first, sizes, &n, 16, false)) return OI_SKIP;
    } else {
        for (; n < c->s->nargs && n < 16; n++)
            if (!oi_int(c, oi_arg(c, n), &sizes[n])) return OI_SKIP;
    }
    return oi_out(c, fn(c->input, n, sizes));
}
static int oi_view(oi_call *c) { return shape_op(c, cg_view_shape); }
static int oi_reshape(oi_call *c) { return shape_op(c, cg_reshape_shape); }
static int oi_expand(oi_call *c) { return shape_op(c, cg_expand_shape); }
static int oi_permute(oi_call *c) { return shape_op(c, cg_permute_dims); }

static int oi_transpose(oi_call *c) {
    int64_t a, b;
    if (!oi_int(c, oi_get(c, 0, "dim0"), &a) || !oi_int(c, oi_get(c, 1, "dim1"), &b)) return OI_SKIP;
    return oi_out(c, cg_transpose(c->input, (int)a, (int)b));
}

static int oi_squeeze(oi_call *c) {
    int64_t d;
    const oi_value *dim = oi_get(c, 0, "dim");
    if (!dim) return oi_out(c, cg_squeeze(c->input));
    return oi_int(c, dim, &d) ? oi_out(c, cg_squeeze_dim(c->input, (int)d)) : OI_SKIP;
}

static int oi_unsqueeze(oi_call *c) {
    int64_t d;
    return oi_int(c, oi_get(c, 0, "dim"), &d) ? oi_out(c, cg_unsqueeze(c->input, (int)d)) : OI_SKIP;
}

static int oi_flatten(oi_call *c) {
    int64_t s = 0, e = -1;
    const oi_value *start = oi_get(c, 0, "start_dim"), *end = oi_get(c, 1, "end_dim");
    if ((start && !oi_int(c, start, &s)) || (end && !oi_int(c, end, &e))) return OI_SKIP;
    return oi_out(c, cg_flatten(c->input, (int)s, (int)e));
}

static int oi_narrow(oi_call *c) {
    int64_t d, s, l;
    const oi_value *start = oi_get(c, 1, "start");
    if (start && start->kind == OI_TENSOR) return oi_skip(c, "tensor start");
    if (!oi_int(c, oi_get(c, 0, "dim"), &d) || !oi_int(c, start, &s) || !oi_int(c, oi_get(c, 2, "length"), &l))
        return OI_SKIP;
    return oi_out(c, cg_narrow(c->input, (int)d, s, l));
}

static int oi_select(oi_call *c) {
    int64_t d, i;
    if (!oi_int(c, oi_get(c, 0, "dim"), &d) || !oi_int(c, oi_get(c, 1, "index"), &i)) return OI_SKIP;
    return oi_out(c, cg_select(c->input, (int)d, i));
}

/* unbind/split/chunk: the pieces. */
static int pieces(oi_call *c, int n) {
    if (n < 0) return -1;
    if (n > OI_MAX_OUT) return oi_skip(c, "more pieces than the runner keeps");
    return n;
}

static int oi_unbind(oi_call *c) {
    int64_t d = 0;
    const oi_value *dim = oi_get(c, 0, "dim");
    if (dim && !oi_int(c, dim, &d)) return OI_SKIP;
    cg_tensor *out[64];
    int n = cg_unbind(c->input, (int)d, out, 64);
    if (n > OI_MAX_OUT) return oi_skip(c, "more pieces than the runner keeps");
    for (int k = 0; k < n; k++) c->out[k] = out[k];
    return pieces(c, n);
}

static int oi_split(oi_call *c) {
    int64_t size, d = 0;
    const oi_value *dim = oi_get(c, 1, "dim");
    if (!oi_int(c, oi_get(c, 0, "split_size_or_sections"), &size) || (dim && !oi_int(c, dim, &d))) return OI_SKIP;
    cg_tensor *out[64];
    int n = cg_split(c->input, size, (int)d, out, 64);
    if (n > OI_MAX_OUT) return oi_skip(c, "more pieces than the runner keeps");
    for (int k = 0; k < n; k++) c->out[k] = out[k];
    return pieces(c, n);
}

static int oi_chunk(oi_call *c) {
    int64_t chunks, d = 0;
    const oi_value *dim = oi_get(c, 1, "dim");
    if (!oi_int(c, oi_get(c, 0, "chunks"), &chunks) || (dim && !oi_int(c, dim, &d))) return OI_SKIP;
    cg_tensor *out[64];
    int n = cg_chunk(c->input, (int)chunks, (int)d, out, 64);
    if (n > OI_MAX_OUT) return oi_skip(c, "more pieces than the runner keeps");
    for (int k = 0; k < n; k++) c->out[k] = out[k];
    return pieces(c, n);
}

static int oi_where(oi_call *c) {
    cg_tensor *cond = oi_tensor(c, oi_get(c, 0, "condition")), *other = oi_tensor(c, oi_get(c, 1, "other"));
    /* OpInfo's where samples call torch.where(condition, input, other) as input.where(condition, other). */
    return cond && other ? oi_out(c, cg_where(cond, c->input, other)) : OI_SKIP;
}

static int oi_gather(oi_call *c) {
    int64_t d;
    cg_tensor *index = NULL;
    if (!oi_int(c, oi_get(c, 0, "dim"), &d) || !(index = oi_tensor(c, oi_get(c, 1, "index")))) return OI_SKIP;
    const oi_value *sparse = oi_kw(c, "sparse_grad");
    if (sparse && sparse->i) return oi_skip(c, "sparse_grad");
    return oi_out(c, cg_gather(c->input, (int)d, index));
}

static int oi_index_select(oi_call *c) {
    int64_t d;
    cg_tensor *index = NULL;
    if (!oi_int(c, oi_get(c, 0, "dim"), &d) || !(index = oi_tensor(c, oi_get(c, 1, "index")))) return OI_SKIP;
    return oi_out(c, cg_index_select(c->input, (int)d, index));
}

static int oi_masked_fill(oi_call *c) {
    cg_tensor *mask = oi_tensor(c, oi_get(c, 0, "mask"));
    const oi_value *value = oi_get(c, 1, "value");
    cg_number n;
    if (!mask) return OI_SKIP;
    if (oi_is_number(value)) return oi_number(c, value, &n) ? oi_out(c, cg_masked_fill_number(c->input, mask, n)) : OI_SKIP;
    cg_tensor *v = oi_tensor(c, value);
    return v ? oi_out(c, cg_masked_fill_tensor(c->input, mask, v)) : OI_SKIP;
}

static const oi_entry oi_core[] = {
    OI_OP("abs", "", oi_abs),
    OI_OP("exp", "", oi_exp, .sleef = true),
    OI_OP("log", "", oi_log, .sleef = true),
    OI_OP("log1p", "", oi_log1p, .sleef = true),
    OI_OP("sqrt", "", oi_sqrt),
    OI_OP("neg", "", oi_neg),
    OI_OP("sign", "", oi_sign),
    OI_OP("sin", "", oi_sin, .sleef = true),
    OI_OP("cos", "", oi_cos, .sleef = true),
    OI_OP("tan", "", oi_tan, .sleef = true),
    OI_OP("tanh", "", oi_tanh, .sleef = true),
    OI_OP("sigmoid", "", oi_sigmoid, .sleef = true),
    OI_OP("erf", "", oi_erf, .sleef = true),
    OI_OP("nn.functional.relu", "", oi_relu),
    OI_OP("clone", "", oi_clone),
    OI_OP("contiguous", "", oi_contiguous),
    OI_OP("t", "", oi_t),
    OI_OP("add", "", oi_add),
    OI_OP("sub", "", oi_sub),
    OI_OP("mul", "", oi_mul),
    OI_OP("div", "no_rounding_mode", oi_div),
    OI_OP("true_divide", "", oi_div),
    OI_OP("pow", "", oi_pow, .sleef = true),
    OI_OP("maximum", "", oi_maximum),
    OI_OP("minimum", "", oi_minimum),
    OI_OP("eq", "", oi_eq),
    OI_OP("ne", "", oi_ne),
    OI_OP("lt", "", oi_lt),
    OI_OP("le", "", oi_le),
    OI_OP("gt", "", oi_gt),
    OI_OP("ge", "", oi_ge),
    OI_OP("mm", "", oi_mm, .blas = true),
    OI_OP("bmm", "", oi_bmm, .blas = true),
    OI_OP("matmul", "", oi_matmul, .blas = true),
    OI_OP("mv", "", oi_mv, .blas = true),
    OI_OP("dot", "", oi_dot, .blas = true),
    OI_OP("addmm", "", oi_addmm, .blas = true),
    OI_OP("sum", "", oi_sum),
    OI_OP("mean", "", oi_mean),
    OI_OP("var", "", oi_var),
    OI_OP("std", "", oi_std),
    OI_OP("prod", "", oi_prod),
    OI_OP("max", "reduction_no_dim", oi_max),
    OI_OP("max", "reduction_with_dim", oi_max),
    OI_OP("min", "reduction_no_dim", oi_min),
    OI_OP("min", "reduction_with_dim", oi_min),
    OI_OP("argmax", "", oi_argmax),
    OI_OP("argmin", "", oi_argmin),
    OI_OP("softmax", "", oi_softmax, .sleef = true),
    OI_OP("log_softmax", "", oi_log_softmax, .sleef = true),
    OI_OP("cat", "", oi_cat),
    OI_OP("stack", "", oi_stack),
    OI_OP("view", "", oi_view),
    OI_OP("reshape", "", oi_reshape),
    OI_OP("expand", "", oi_expand),
    OI_OP("permute", "", oi_permute),
    OI_OP("transpose", "", oi_transpose),
    OI_OP("squeeze", "", oi_squeeze),
    OI_OP("unsqueeze", "", oi_unsqueeze),
    OI_OP("flatten", "", oi_flatten),
    OI_OP("narrow", "", oi_narrow),
    OI_OP("select", "", oi_select),
    OI_OP("unbind", "", oi_unbind),
    OI_OP("split", "", oi_split),
    OI_OP("chunk", "", oi_chunk),
    OI_OP("where", "", oi_where),
    OI_OP("gather", "", oi_gather),
    OI_OP("index_select", "", oi_index_select),
    OI_OP("masked_fill", "", oi_masked_fill),
    OI_END,
};
