/* OpInfo adapters of the indexing family (owner: index): take, put, take_along_dim, masked_select,
 * masked_scatter, scatter, scatter_add, index_put. tests/opinfo/opinfo.h says how to write one. */

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
    const oi_value *v = oi_get(c, 2, "src");
    if (oi_is_number(v)) return oi_skip(c, "scatter with a number");
    if (!(src = oi_tensor(c, v))) return OI_SKIP;
    return oi_out(c, fn(c->input, (int)d, index, src));
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

static const oi_entry oi_index[] = {
    OI_OP("index_put", "", oi_index_put),
    OI_OP("take", "", oi_take),
    OI_OP("put", "", oi_put),
    OI_OP("take_along_dim", "", oi_take_along_dim),
    OI_OP("masked_select", "", oi_masked_select),
    OI_OP("masked_scatter", "", oi_masked_scatter),
    OI_OP("scatter", "", oi_scatter),
    OI_OP("scatter_add", "", oi_scatter_add),
    OI_END,
};
