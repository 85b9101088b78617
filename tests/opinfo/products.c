/* OpInfo adapters of the products family (owner: opinfo): tests/opinfo/opinfo.h says how to write one;
 * an OI_OP line per OpInfo entry, then /usr/bin/python3 tools/gen_opinfo.py NAME for its golden data. */

static int oi_outer(oi_call *c) {
    cg_tensor *v = oi_tensor(c, oi_get(c, 0, "vec2"));
    return v ? oi_out(c, cg_outer(c->input, v)) : OI_SKIP;
}

static int oi_inner(oi_call *c) {
    cg_tensor *o = oi_tensor(c, oi_get(c, 0, "other"));
    return o ? oi_out(c, cg_inner(c->input, o)) : OI_SKIP;
}

/* tensordot(a, b, dims=n) or dims=([...], [...]). */
static int oi_tensordot(oi_call *c) {
    cg_tensor *b = oi_tensor(c, oi_get(c, 0, "b"));
    const oi_value *dims = oi_get(c, 1, "dims");
    if (!b) return OI_SKIP;
    if (dims && dims->kind == OI_INT) return oi_out(c, cg_tensordot(c->input, b, dims->i));
    if (!dims || dims->kind != OI_LIST || dims->n != 2) return oi_skip(c, "dims is neither an int nor two lists");
    int64_t da[CG_MAX_DIMS], db[CG_MAX_DIMS];
    int na, nb;
    if (!oi_ints(c, &dims->items[0], da, &na, CG_MAX_DIMS, false) ||
        !oi_ints(c, &dims->items[1], db, &nb, CG_MAX_DIMS, false))
        return OI_SKIP;
    return oi_out(c, cg_tensordot_dims(c->input, b, na, da, nb, db));
}

static const oi_entry oi_products[] = {
    OI_OP("inner", "", oi_inner, .blas = true),
    OI_OP("outer", "", oi_outer),
    OI_OP("tensordot", "", oi_tensordot, .blas = true),
    OI_END,
};
