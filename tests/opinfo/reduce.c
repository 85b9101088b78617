/* OpInfo adapters of the reduce family (owner: reduce): tests/opinfo/opinfo.h says how to write one;
 * an OI_OP line per OpInfo entry, then /usr/bin/python3 tools/gen_opinfo.py NAME for its golden data.
 * reduce() (dim, keepdim, unbiased/correction) is core.c's. */

static int oi_amax(oi_call *c) { return reduce(c, cg_amax_opts, false); }
static int oi_amin(oi_call *c) { return reduce(c, cg_amin_opts, false); }
static int oi_logsumexp(oi_call *c) { return reduce(c, cg_logsumexp_opts, false); }
static int oi_nansum(oi_call *c) { return reduce(c, cg_nansum_opts, false); }
static int oi_nanmean(oi_call *c) { return reduce(c, cg_nanmean_opts, false); }
static int oi_count_nonzero(oi_call *c) { return reduce(c, cg_count_nonzero_opts, false); }

/* The (values, indices) pair of a reduction: 2, or -1. */
static int pair(oi_call *c, cg_tensor *values, cg_tensor *indices) {
    c->out[0] = values;
    c->out[1] = indices;
    return values ? 2 : -1;
}

/* cumsum/cumprod(input, dim, dtype=). */
static int scan(oi_call *c, cg_tensor *(*fn)(cg_tensor *, int), cg_tensor *(*typed)(cg_tensor *, int, cg_dtype)) {
    int64_t d;
    const oi_value *dt = oi_kw(c, "dtype");
    cg_dtype dtype;
    if (!oi_int(c, oi_get(c, 0, "dim"), &d)) return OI_SKIP;
    if (!dt || dt->kind == OI_NONE) return oi_out(c, fn(c->input, (int)d));
    return oi_dtype(c, dt, &dtype) ? oi_out(c, typed(c->input, (int)d, dtype)) : OI_SKIP;
}
static int oi_cumsum(oi_call *c) { return scan(c, cg_cumsum, cg_cumsum_dtype); }
static int oi_cumprod(oi_call *c) { return scan(c, cg_cumprod, cg_cumprod_dtype); }

static int oi_logcumsumexp(oi_call *c) {
    int64_t d;
    return oi_int(c, oi_get(c, 0, "dim"), &d) ? oi_out(c, cg_logcumsumexp(c->input, (int)d)) : OI_SKIP;
}

static int cum_extreme(oi_call *c, cg_tensor *(*fn)(cg_tensor *, int, cg_tensor **)) {
    int64_t d;
    cg_tensor *idx = NULL;
    if (!oi_int(c, oi_get(c, 0, "dim"), &d)) return OI_SKIP;
    cg_tensor *v = fn(c->input, (int)d, &idx);
    return pair(c, v, idx);
}
static int oi_cummax(oi_call *c) { return cum_extreme(c, cg_cummax); }
static int oi_cummin(oi_call *c) { return cum_extreme(c, cg_cummin); }

/* sort(input, dim=-1, descending=False, *, stable=None). */
static int oi_sort(oi_call *c) {
    int64_t d;
    bool desc, stable;
    const oi_value *st = oi_kw(c, "stable");
    if (!oi_opt_int(c, oi_get(c, 0, "dim"), -1, &d) || !oi_opt_bool(c, oi_get(c, 1, "descending"), false, &desc)) return OI_SKIP;
    if (st && st->kind != OI_NONE && !oi_bool(c, st, &stable)) return OI_SKIP;
    cg_tensor *idx = NULL, *v = st && st->kind != OI_NONE ? cg_sort_stable(c->input, (int)d, desc, stable, &idx)
                                                          : cg_sort(c->input, (int)d, desc, &idx);
    return pair(c, v, idx);
}

/* argsort(input, dim=-1, descending=False, stable=False). */
static int oi_argsort(oi_call *c) {
    int64_t d;
    bool desc, stable;
    if (!oi_opt_int(c, oi_get(c, 0, "dim"), -1, &d) || !oi_opt_bool(c, oi_get(c, 1, "descending"), false, &desc) ||
        !oi_opt_bool(c, oi_get(c, 2, "stable"), false, &stable))
        return OI_SKIP;
    return oi_out(c, cg_argsort(c->input, (int)d, desc, stable));
}

OI_UNARY(oi_msort, cg_msort)

/* topk(input, k, dim=-1, largest=True, sorted=True). */
static int oi_topk(oi_call *c) {
    int64_t k, d;
    bool largest, sorted;
    if (!oi_int(c, oi_get(c, 0, "k"), &k) || !oi_opt_int(c, oi_get(c, 1, "dim"), -1, &d) ||
        !oi_opt_bool(c, oi_get(c, 2, "largest"), true, &largest) || !oi_opt_bool(c, oi_get(c, 3, "sorted"), true, &sorted))
        return OI_SKIP;
    cg_tensor *idx = NULL, *v = cg_topk(c->input, k, (int)d, largest, sorted, &idx);
    return pair(c, v, idx);
}

/* kthvalue(input, k, dim=-1, keepdim=False). */
static int oi_kthvalue(oi_call *c) {
    int64_t k, d;
    bool keep;
    if (!oi_int(c, oi_get(c, 0, "k"), &k) || !oi_opt_int(c, oi_get(c, 1, "dim"), -1, &d) ||
        !oi_opt_bool(c, oi_get(c, 2, "keepdim"), false, &keep))
        return OI_SKIP;
    cg_tensor *idx = NULL, *v = cg_kthvalue(c->input, k, (int)d, keep, &idx);
    return pair(c, v, idx);
}

/* median/nanmedian(input) or (input, dim, keepdim=False): (values, indices). */
static int middle(oi_call *c, cg_tensor *(*all)(cg_tensor *), cg_tensor *(*dim)(cg_tensor *, int, bool, cg_tensor **)) {
    int64_t d;
    bool keep;
    if (!oi_get(c, 0, "dim")) return oi_out(c, all(c->input));
    if (!oi_opt_int(c, oi_get(c, 0, "dim"), 0, &d) || !oi_opt_bool(c, oi_get(c, 1, "keepdim"), false, &keep)) return OI_SKIP;
    cg_tensor *idx = NULL, *v = dim(c->input, (int)d, keep, &idx);
    return pair(c, v, idx);
}
static int oi_median(oi_call *c) { return middle(c, cg_median, cg_median_dim); }
static int oi_nanmedian(oi_call *c) { return middle(c, cg_nanmedian, cg_nanmedian_dim); }

/* mode(input, dim=-1, keepdim=False). */
static int oi_mode(oi_call *c) {
    int64_t d;
    bool keep;
    if (!oi_opt_int(c, oi_get(c, 0, "dim"), -1, &d) || !oi_opt_bool(c, oi_get(c, 1, "keepdim"), false, &keep)) return OI_SKIP;
    cg_tensor *idx = NULL, *v = cg_mode(c->input, (int)d, keep, &idx);
    return pair(c, v, idx);
}

/* aminmax(input, *, dim=None, keepdim=False): (min, max). */
static int oi_aminmax(oi_call *c) {
    const oi_value *dim = oi_kw(c, "dim");
    int64_t d;
    bool keep;
    cg_tensor *max = NULL, *min;
    if (!oi_opt_bool(c, oi_kw(c, "keepdim"), false, &keep)) return OI_SKIP;
    if (!dim || dim->kind == OI_NONE) {
        if (keep) return oi_skip(c, "keepdim without dim");
        min = cg_aminmax(c->input, &max);
    } else {
        if (!oi_int(c, dim, &d)) return OI_SKIP;
        min = cg_aminmax_dim(c->input, (int)d, keep, &max);
    }
    return pair(c, min, max);
}

/* all/any(input) or (input, dim, keepdim=False). */
static int all_any(oi_call *c, cg_tensor *(*all)(cg_tensor *), cg_tensor *(*dim)(cg_tensor *, int, bool)) {
    int64_t d;
    bool keep;
    if (!oi_get(c, 0, "dim")) return oi_out(c, all(c->input));
    if (!oi_opt_int(c, oi_get(c, 0, "dim"), 0, &d) || !oi_opt_bool(c, oi_get(c, 1, "keepdim"), false, &keep)) return OI_SKIP;
    return oi_out(c, dim(c->input, (int)d, keep));
}
static int oi_all(oi_call *c) { return all_any(c, cg_all, cg_all_dim); }
static int oi_any(oi_call *c) { return all_any(c, cg_any, cg_any_dim); }

/* var_mean/std_mean(input, unbiased) or (input, dim=, unbiased=, keepdim=, correction=): (var or std, mean). */
static int stat_mean(oi_call *c, cg_tensor *(*fn)(cg_tensor **, cg_reduce_args)) {
    cg_reduce_args a = {.input = c->input};
    const oi_value *first = oi_arg(c, 0), *dim = first && first->kind == OI_BOOL ? oi_kw(c, "dim") : oi_get(c, 0, "dim");
    const oi_value *unbiased = first && first->kind == OI_BOOL ? first : oi_get(c, 1, "unbiased");
    const oi_value *correction = oi_kw(c, "correction");
    bool u = true;
    if (!oi_opt_bool(c, oi_get(c, 2, "keepdim"), false, &a.keepdim)) return OI_SKIP;
    if (dim && dim->kind != OI_NONE && !oi_dims(c, dim, a.dims, &a.ndims)) return OI_SKIP;
    if (unbiased && !oi_bool(c, unbiased, &u)) return OI_SKIP;
    if (correction && correction->kind != OI_NONE) {
        if (correction->kind != OI_INT || (correction->i != 0 && correction->i != 1))
            return oi_skip(c, "correction other than 0 or 1");
        u = correction->i == 1;
    }
    a.biased = !u;
    cg_tensor *mean = NULL, *v = fn(&mean, a);
    return pair(c, v, mean);
}
static int oi_var_mean(oi_call *c) { return stat_mean(c, cg_var_mean_opts); }
static int oi_std_mean(oi_call *c) { return stat_mean(c, cg_std_mean_opts); }

/* out_int32=True asks for an int32 result, which cgrad lacks. */
static bool int64_out(oi_call *c) {
    bool i32;
    if (!oi_opt_bool(c, oi_kw(c, "out_int32"), false, &i32)) return false;
    if (i32) oi_skip(c, "out_int32 (no int32 dtype)");
    return !i32;
}

/* searchsorted(sorted_sequence, values, *, out_int32=False, right=False, side=None, sorter=None). */
static int oi_searchsorted(oi_call *c) {
    cg_tensor *values = oi_tensor(c, oi_get(c, 0, "values"));
    const oi_value *side = oi_kw(c, "side"), *sorter = oi_kw(c, "sorter");
    bool right;
    if (!values || !int64_out(c) || !oi_opt_bool(c, oi_kw(c, "right"), false, &right)) return OI_SKIP;
    if (sorter && sorter->kind != OI_NONE) return oi_skip(c, "sorter");
    if (side && side->kind == OI_STR) right = !strcmp(side->s, "right");
    else if (side && side->kind != OI_NONE) return oi_skip(c, "side is not a str");
    return oi_out(c, cg_searchsorted(c->input, values, right));
}

/* bucketize(input, boundaries, *, out_int32=False, right=False). */
static int oi_bucketize(oi_call *c) {
    cg_tensor *b = oi_tensor(c, oi_get(c, 0, "boundaries"));
    bool right;
    if (!b || !int64_out(c) || !oi_opt_bool(c, oi_kw(c, "right"), false, &right)) return OI_SKIP;
    return oi_out(c, cg_bucketize(c->input, b, right));
}

/* norm(input, p='fro', dim=None, keepdim=False): a number p, or 'fro' (the 2-norm). */
static int oi_norm(oi_call *c) {
    cg_norm_args a = {.input = c->input, .p = 2};
    const oi_value *p = oi_get(c, 0, "p"), *dim = oi_get(c, 1, "dim");
    cg_number n;
    if (p && p->kind == OI_STR && strcmp(p->s, "fro")) return oi_skip(c, "p other than a number or 'fro'");
    if (p && oi_is_number(p)) {
        if (!oi_number(c, p, &n)) return OI_SKIP;
        a.p = n.f;
    }
    if (dim && dim->kind != OI_NONE && !oi_dims(c, dim, a.dims, &a.ndims)) return OI_SKIP;
    if (!oi_opt_bool(c, oi_get(c, 2, "keepdim"), false, &a.keepdim)) return OI_SKIP;
    return oi_out(c, cg_norm_opts(a));
}

static const oi_entry oi_reduce[] = {
    OI_OP("amax", "", oi_amax),
    OI_OP("amin", "", oi_amin),
    OI_OP("aminmax", "", oi_aminmax),
    OI_OP("logsumexp", "", oi_logsumexp, .sleef = true),
    OI_OP("nansum", "", oi_nansum),
    OI_OP("nanmean", "", oi_nanmean),
    OI_OP("count_nonzero", "", oi_count_nonzero),
    OI_OP("all", "", oi_all),
    OI_OP("any", "", oi_any),
    OI_OP("var_mean", "", oi_var_mean),
    OI_OP("std_mean", "", oi_std_mean),
    OI_OP("cumsum", "", oi_cumsum),
    OI_OP("cumprod", "", oi_cumprod),
    OI_OP("logcumsumexp", "", oi_logcumsumexp, .sleef = true),
    OI_OP("cummax", "", oi_cummax),
    OI_OP("cummin", "", oi_cummin),
    OI_OP("sort", "", oi_sort),
    OI_OP("argsort", "", oi_argsort),
    OI_OP("msort", "", oi_msort),
    OI_OP("topk", "", oi_topk),
    OI_OP("kthvalue", "", oi_kthvalue),
    OI_OP("median", "", oi_median),
    OI_OP("nanmedian", "", oi_nanmedian),
    OI_OP("mode", "", oi_mode),
    OI_OP("searchsorted", "", oi_searchsorted),
    OI_OP("bucketize", "", oi_bucketize),
    OI_OP("norm", "", oi_norm),
    OI_OP("norm", "fro", oi_norm),
    OI_OP("norm", "inf", oi_norm),
    OI_END,
};
