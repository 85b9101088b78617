/* OpInfo adapters of the indexing family (owner: index): take, put, take_along_dim, masked_select,
 * masked_scatter, scatter (src or a number), scatter_add, scatter_reduce, index_put, index_reduce. tests/opinfo/opinfo.h says how to write one. */

static int oi_take(oi_call *c) {
    cg_tensor *index = oi_tensor(c, oi_get(c, 0, "index"));
    return index ? oi_out(c, cg_take(c->input, index)) : OI_SKIP;
}

static int oi_put(oi_call *c) {
    cg_tensor *index = oi_tensor(c, oi_get(c, 0, "index")), *source = oi_tensor(c, oi_get(c, 1, "source"));
    const oi_value *acc = oi_get(c, 2, "accumulate");
    bool accumulate = false;
    if (!index || !source || (acc && !oi_bool(c, acc, &accumulate))) return OI_SKIP;
    return oi_out(c, cg_put(c->input, index, source, accumulate));
}

static int oi_take_along_dim(oi_call *c) {
    cg_tensor *indices = oi_tensor(c, oi_get(c, 0, "indices"));
    const oi_value *dim = oi_get(c, 1, "dim");
    int64_t d;
    if (!indices) return OI_SKIP;
    if (!dim || dim->kind == OI_NONE) return oi_out(c, cg_take_along_dim_flat(c->input, indices));
    return oi_int(c, dim, &d) ? oi_out(c, cg_take_along_dim(c->input, indices, (int)d)) : OI_SKIP;
}

static int oi_masked_select(oi_call *c) {
    cg_tensor *mask = oi_tensor(c, oi_get(c, 0, "mask"));
    return mask ? oi_out(c, cg_masked_select(c->input, mask)) : OI_SKIP;
}

static int oi_masked_scatter(oi_call *c) {
    cg_tensor *mask = oi_tensor(c, oi_get(c, 0, "mask")), *source = oi_tensor(c, oi_get(c, 1, "source"));
    return mask && source ? oi_out(c, cg_masked_scatter(c->input, mask, source)) : OI_SKIP;
}

/* scatter/scatter_add(input, dim, index, src) */
static int scatter_call(oi_call *c, cg_tensor *(*fn)(cg_tensor *, int, cg_tensor *, cg_tensor *)) {
    int64_t d;
    cg_tensor *index = NULL, *src = NULL;
    if (!oi_int(c, oi_get(c, 0, "dim"), &d) || !(index = oi_tensor(c, oi_get(c, 1, "index")))) return OI_SKIP;
    const oi_value *v = oi_get(c, 2, "src"), *reduce = oi_kw(c, "reduce");
    cg_number n;
    if (reduce) return oi_skip(c, "scatter's reduce= (no gradient in PyTorch 1.13; tests/test_index_more.c)");
    if (oi_is_number(v))
        return fn == cg_scatter && oi_number(c, v, &n) ? oi_out(c, cg_scatter_value(c->input, (int)d, index, n)) : OI_SKIP;
    if (!(src = oi_tensor(c, v))) return OI_SKIP;
    return oi_out(c, fn(c->input, (int)d, index, src));
}

/* scatter_reduce(input, dim, index, src, reduce, include_self=) */
static int oi_scatter_reduce(oi_call *c) {
    static const char *const names[] = {"sum", "prod", "mean", "amax", "amin"};
    int64_t d;
    cg_tensor *index = NULL, *src = NULL;
    const oi_value *reduce = oi_get(c, 3, "reduce"), *inc = oi_kw(c, "include_self");
    bool include_self = true;
    if (!oi_int(c, oi_get(c, 0, "dim"), &d) || !(index = oi_tensor(c, oi_get(c, 1, "index"))) ||
        !(src = oi_tensor(c, oi_get(c, 2, "src"))) || (inc && !oi_bool(c, inc, &include_self)))
        return OI_SKIP;
    for (int r = 0; reduce && reduce->kind == OI_STR && r < 5; r++)
        if (!strcmp(reduce->s, names[r]))
            return oi_out(c, cg_scatter_reduce(c->input, (int)d, index, src, (cg_scatter_reduction)r, include_self));
    return oi_skip(c, "reduce is not a reduction's name");
}
static int oi_scatter(oi_call *c) { return scatter_call(c, cg_scatter); }
static int oi_scatter_add(oi_call *c) { return scatter_call(c, cg_scatter_add); }

/* index_put(input, indices (a tuple of tensors or None), values, accumulate=) */
static int oi_index_put(oi_call *c) {
    const oi_value *list = oi_get(c, 0, "indices"), *acc = oi_get(c, 2, "accumulate");
    cg_tensor *indices[CG_MAX_DIMS], *values = oi_tensor(c, oi_get(c, 1, "values"));
    bool accumulate = false;
    if (!values || !list || list->kind != OI_LIST || list->n > CG_MAX_DIMS || (acc && !oi_bool(c, acc, &accumulate)))
        return oi_skip(c, "indices not a list of tensors");
    for (int k = 0; k < list->n; k++) {
        indices[k] = NULL;
        if (list->items[k].kind != OI_NONE && !(indices[k] = oi_tensor(c, &list->items[k]))) return OI_SKIP;
    }
    return oi_out(c, cg_index_put(c->input, indices, list->n, values, accumulate));
}

/* index_reduce(input, dim, index, source, reduce, include_self=) */
static int oi_index_reduce(oi_call *c) {
    static const char *const names[] = {"sum", "prod", "mean", "amax", "amin"};
    int64_t d;
    cg_tensor *index = NULL, *src = NULL;
    const oi_value *reduce = oi_get(c, 3, "reduce"), *inc = oi_kw(c, "include_self");
    bool include_self = true;
    if (!oi_int(c, oi_get(c, 0, "dim"), &d) || !(index = oi_tensor(c, oi_get(c, 1, "index"))) ||
        !(src = oi_tensor(c, oi_get(c, 2, "source"))) || (inc && !oi_bool(c, inc, &include_self)))
        return OI_SKIP;
    for (int r = 0; reduce && reduce->kind == OI_STR && r < 5; r++)
        if (!strcmp(reduce->s, names[r]))
            return oi_out(c, cg_index_reduce(c->input, (int)d, index, src, (cg_scatter_reduction)r, include_self));
    return oi_skip(c, "reduce is not a reduction's name");
}

static const oi_entry oi_index[] = {
    OI_OP("index_reduce", "", oi_index_reduce),
    OI_OP("index_put", "", oi_index_put),
    OI_OP("take", "", oi_take),
    OI_OP("put", "", oi_put),
    OI_OP("take_along_dim", "", oi_take_along_dim),
    OI_OP("masked_select", "", oi_masked_select),
    OI_OP("masked_scatter", "", oi_masked_scatter),
    OI_OP("scatter", "", oi_scatter),
    OI_OP("scatter_add", "", oi_scatter_add),
    OI_OP("scatter_reduce", "sum", oi_scatter_reduce),
    OI_OP("scatter_reduce", "prod", oi_scatter_reduce),
    OI_OP("scatter_reduce", "mean", oi_scatter_reduce),
    OI_OP("scatter_reduce", "amax", oi_scatter_reduce),
    OI_OP("scatter_reduce", "amin", oi_scatter_reduce),
    OI_END,
};
