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

/* softmax/log_softmax(input, dim, dtype=): PyTorch casts the input to dtype first. */
static int softmax_dtype(oi_call *c, cg_tensor *(*fn)(cg_tensor *, int)) {
    int64_t d;
    cg_dtype dtype;
    if (!oi_int(c, oi_get(c, 0, "dim"), &d) || !oi_dtype(c, oi_kw(c, "dtype"), &dtype)) return OI_SKIP;
    return oi_out(c, fn(cg_to(c->input, dtype), (int)d));
}
static int oi_softmax_dtype(oi_call *c) { return softmax_dtype(c, cg_softmax); }
static int oi_log_softmax_dtype(oi_call *c) { return softmax_dtype(c, cg_log_softmax); }

/* to(dtype, non_blocking=False, copy=False, memory_format=) or to(device, dtype, ...) or
 * to(other, ...): the dtype conversion (cgrad's tensors are CPU and strided). */
static int oi_to(oi_call *c) {
    int k = 0;
    const oi_value *first = oi_arg(c, 0), *mf = oi_kw(c, "memory_format");
    cg_dtype dtype;
    if (first && first->kind == OI_STR) {
        if (strcmp(first->s, "cpu")) return oi_skip(c, "a device other than 'cpu'");
        first = oi_arg(c, ++k);
    }
    if (first && first->kind == OI_TENSOR) {
        cg_tensor *o = oi_tensor(c, first);
        if (!o) return OI_SKIP;
        dtype = cg_get_dtype(o);
    } else if (!oi_dtype(c, first, &dtype)) {
        return OI_SKIP;
    }
    bool nb, copy;
    if (!oi_opt_bool(c, oi_get(c, k + 1, "non_blocking"), false, &nb) || !oi_opt_bool(c, oi_get(c, k + 2, "copy"), false, &copy))
        return OI_SKIP;
    /* cgrad's conversions keep the layout (preserve_format); the samples' inputs are contiguous */
    if (mf && (mf->kind != OI_OTHER || (strcmp(mf->s, "torch.preserve_format") && strcmp(mf->s, "torch.contiguous_format"))))
        return oi_skip(c, "memory_format other than preserve_format or contiguous_format");
    return oi_out(c, cg_to(c->input, dtype));
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

/* ---- creation ---- */

/* dtype= (def when absent or None) and device='cpu' keyword arguments of a factory. */
static bool factory_kw(oi_call *c, cg_dtype def, cg_dtype *dtype) {
    const oi_value *dt = oi_kw(c, "dtype"), *dev = oi_kw(c, "device");
    *dtype = def;
    if (dev && (dev->kind != OI_STR || strcmp(dev->s, "cpu"))) return oi_skip(c, "a device other than 'cpu'"), false;
    return !dt || dt->kind == OI_NONE || oi_dtype(c, dt, dtype);
}

/* A sample's input as a Python number (the factories' first argument). */
static bool input_number(oi_call *c, cg_number *n) { return oi_number(c, &c->s->input, n); }

/* arange(end) or arange(start, end, step=1): int64 when every bound is an int, else float32. */
static int oi_arange(oi_call *c) {
    cg_number v[3] = {cg_number_int(0), cg_number_int(0), cg_number_int(1)};
    const oi_value *end = oi_get(c, 0, "end"), *step = oi_get(c, 1, "step");
    cg_dtype dtype;
    if (!input_number(c, &v[end ? 0 : 1]) || (end && !oi_number(c, end, &v[1])) || (step && !oi_number(c, step, &v[2])))
        return OI_SKIP;
    bool ints = v[0].kind != CG_NUMBER_FLOAT && v[1].kind != CG_NUMBER_FLOAT && v[2].kind != CG_NUMBER_FLOAT;
    if (!factory_kw(c, ints ? CG_INT64 : CG_FLOAT32, &dtype)) return OI_SKIP;
    return oi_out(c, cg_arange(v[0].f, v[1].f, v[2].f, dtype));
}

/* linspace(start, end, steps). */
static int oi_linspace(oi_call *c) {
    cg_number start, end;
    int64_t steps;
    cg_dtype dtype;
    if (!input_number(c, &start) || !oi_number(c, oi_get(c, 0, "end"), &end) || !oi_int(c, oi_get(c, 1, "steps"), &steps) ||
        !factory_kw(c, CG_FLOAT32, &dtype))
        return OI_SKIP;
    return oi_out(c, cg_linspace(start.f, end.f, steps, dtype));
}

/* eye(n, m=None, dtype=, device=, requires_grad=False). */
static int oi_eye(oi_call *c) {
    int64_t n, m = -1;
    const oi_value *mv = oi_get(c, 0, "m"), *rg = oi_kw(c, "requires_grad");
    bool grad = false;
    cg_dtype dtype;
    if (!oi_int(c, &c->s->input, &n) || (mv && !oi_int(c, mv, &m)) || (rg && !oi_bool(c, rg, &grad)) ||
        !factory_kw(c, CG_FLOAT32, &dtype))
        return OI_SKIP;
    return grad ? oi_skip(c, "requires_grad=True") : oi_out(c, cg_eye(n, m, dtype));
}

/* zeros/ones(size, dtype=, device=). */
static int fill_shape(oi_call *c, cg_tensor *(*fn)(cg_dtype, int, const int64_t *)) {
    int64_t sizes[16];
    int n;
    cg_dtype dtype;
    if (!oi_ints(c, &c->s->input, sizes, &n, 16, false) || !factory_kw(c, CG_FLOAT32, &dtype)) return OI_SKIP;
    return oi_out(c, fn(dtype, n, sizes));
}
static int oi_zeros(oi_call *c) { return fill_shape(c, cg_zeros_shape); }
static int oi_ones(oi_call *c) { return fill_shape(c, cg_ones_shape); }

/* zeros_like/ones_like(input, dtype=, device=): the _like function, or the shape in another dtype. */
static int like(oi_call *c, cg_tensor *(*fn)(const cg_tensor *), cg_tensor *(*shaped)(cg_dtype, int, const int64_t *)) {
    cg_dtype dtype;
    if (!factory_kw(c, cg_get_dtype(c->input), &dtype)) return OI_SKIP;
    if (dtype == cg_get_dtype(c->input)) return oi_out(c, fn(c->input));
    return oi_out(c, shaped(dtype, cg_ndim(c->input), cg_sizes(c->input)));
}
static int oi_zeros_like(oi_call *c) { return like(c, cg_zeros_like, cg_zeros_shape); }
static int oi_ones_like(oi_call *c) { return like(c, cg_ones_like, cg_ones_shape); }

static int oi_full_like(oi_call *c) {
    cg_number v;
    cg_dtype dtype;
    if (!oi_number(c, oi_get(c, 0, "fill_value"), &v) || !factory_kw(c, cg_get_dtype(c->input), &dtype)) return OI_SKIP;
    if (dtype == cg_get_dtype(c->input)) return oi_out(c, cg_full_like_number(c->input, v));
    return oi_out(c, cg_full_shape_number(dtype, cg_ndim(c->input), cg_sizes(c->input), v));
}

/* new_zeros/new_ones/new_full(input, size[, fill_value], dtype=, device=): input's dtype by default. */
static int new_op(oi_call *c, int kind) {
    int64_t sizes[16];
    int n;
    cg_number v;
    cg_dtype dtype;
    if (!oi_ints(c, oi_get(c, 0, "size"), sizes, &n, 16, false) || (kind == 2 && !oi_number(c, oi_get(c, 1, "fill_value"), &v)) ||
        !factory_kw(c, cg_get_dtype(c->input), &dtype))
        return OI_SKIP;
    if (kind == 0) return oi_out(c, cg_zeros_shape(dtype, n, sizes));
    if (kind == 1) return oi_out(c, cg_ones_shape(dtype, n, sizes));
    return oi_out(c, cg_full_shape_number(dtype, n, sizes, v));
}
static int oi_new_zeros(oi_call *c) { return new_op(c, 0); }
static int oi_new_ones(oi_call *c) { return new_op(c, 1); }
static int oi_new_full(oi_call *c) { return new_op(c, 2); }

/* OpInfo's random entries run under wrapper_set_seed: torch.manual_seed(42) first. */
static int oi_randn_like(oi_call *c) {
    cg_dtype dtype;
    if (!factory_kw(c, cg_get_dtype(c->input), &dtype)) return OI_SKIP;
    cg_manual_seed(42);
    return oi_out(c, cg_randn_shape(dtype, cg_ndim(c->input), cg_sizes(c->input)));
}

static int oi_rand_like(oi_call *c) {
    cg_dtype dtype;
    if (!factory_kw(c, cg_get_dtype(c->input), &dtype)) return OI_SKIP;
    cg_manual_seed(42);
    return oi_out(c, cg_rand_shape(dtype, cg_ndim(c->input), cg_sizes(c->input)));
}

/* randint_like(input, low=0, high): drawn as int64, then cast (PyTorch draws the same integers for
 * every dtype). */
static int oi_randint_like(oi_call *c) {
    int64_t low = 0, high;
    const oi_value *second = oi_get(c, 1, "high");
    cg_dtype dtype;
    if ((second && !oi_int(c, oi_get(c, 0, "low"), &low)) || !oi_int(c, second ? second : oi_get(c, 0, "high"), &high) ||
        !factory_kw(c, cg_get_dtype(c->input), &dtype))
        return OI_SKIP;
    cg_manual_seed(42);
    return oi_out(c, cg_to(cg_randint_shape(low, high, cg_ndim(c->input), cg_sizes(c->input)), dtype));
}

/* uniform(input, from, to): OpInfo's wrapper_set_seed(Tensor.uniform_, input, ...). */
static int oi_uniform(oi_call *c) {
    cg_number from, to;
    if (!oi_number(c, oi_get(c, 0, "from"), &from) || !oi_number(c, oi_get(c, 1, "to"), &to)) return OI_SKIP;
    cg_tensor *t = cg_clone(c->input);
    cg_manual_seed(42);
    return oi_out(c, t && cg_uniform_(t, from.f, to.f) == 0 ? t : NULL);
}

/* OpInfo's zero_ is torch.zero_(x.clone()); its fill is t = x * False, then t.fill_(value) without grad. */
static int oi_zero_(oi_call *c) {
    cg_tensor *t = cg_clone(c->input);
    return oi_out(c, t && cg_zero_(t) == 0 ? t : NULL);
}

static int oi_fill(oi_call *c) {
    cg_number v;
    if (!oi_number(c, oi_get(c, 0, "value"), &v)) return OI_SKIP;
    cg_tensor *t = cg_mul_number(c->input, cg_number_bool(false));
    bool prev = cg_set_grad_enabled(false);
    int rc = t ? cg_fill_number_(t, v) : -1;
    cg_set_grad_enabled(prev);
    return oi_out(c, rc == 0 ? t : NULL);
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
    OI_OP("softmax", "with_dtype", oi_softmax_dtype, .sleef = true),
    OI_OP("log_softmax", "dtype", oi_log_softmax_dtype, .sleef = true),
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
    OI_OP("arange", "", oi_arange),
    OI_OP("linspace", "", oi_linspace),
    OI_OP("eye", "", oi_eye),
    OI_OP("zeros", "", oi_zeros),
    OI_OP("ones", "", oi_ones),
    OI_OP("zeros_like", "", oi_zeros_like),
    OI_OP("ones_like", "", oi_ones_like),
    OI_OP("full_like", "", oi_full_like),
    OI_OP("new_zeros", "", oi_new_zeros),
    OI_OP("new_ones", "", oi_new_ones),
    OI_OP("new_full", "", oi_new_full),
    OI_OP("randn_like", "", oi_randn_like),
    OI_OP("rand_like", "", oi_rand_like, .known = "PyTorch 1.13's OpInfo entry calls torch.randn_like (its op lambda), not rand_like"),
    OI_OP("randint_like", "", oi_randint_like),
    OI_OP("uniform", "", oi_uniform),
    OI_OP("zero_", "", oi_zero_),
    OI_OP("fill", "", oi_fill),
    OI_OP("to", "", oi_to),
    OI_END,
};
