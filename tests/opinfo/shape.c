/* OpInfo adapters of the shape family (owner: shape): tests/opinfo/opinfo.h says how to write one;
 * an OI_OP line per OpInfo entry, then /usr/bin/python3 tools/gen_opinfo.py NAME for its golden data.
 * pieces() (a split's results) is core.c's. */

static int oi_flip(oi_call *c) {
    int64_t dims[CG_MAX_DIMS];
    int n;
    return oi_ints(c, oi_get(c, 0, "dims"), dims, &n, CG_MAX_DIMS, false) ? oi_out(c, cg_flip_dims(c->input, n, dims))
                                                                           : OI_SKIP;
}
OI_UNARY(oi_fliplr, cg_fliplr)
OI_UNARY(oi_flipud, cg_flipud)
OI_UNARY(oi_ravel, cg_ravel)
OI_UNARY(oi_mT, cg_mT)
OI_UNARY(oi_mH, cg_mH)
OI_UNARY(oi_T, cg_T)
OI_UNARY(oi_H, cg_H)

/* roll(input, shifts, dims=None): each an int or a list of ints. */
static int oi_roll(oi_call *c) {
    int64_t shifts[CG_MAX_DIMS], dims[CG_MAX_DIMS];
    int ns, nd = 0;
    const oi_value *d = oi_get(c, 1, "dims");
    if (!oi_ints(c, oi_get(c, 0, "shifts"), shifts, &ns, CG_MAX_DIMS, true)) return OI_SKIP;
    if (d && d->kind != OI_NONE && !oi_ints(c, d, dims, &nd, CG_MAX_DIMS, true)) return OI_SKIP;
    return oi_out(c, cg_roll(c->input, ns, shifts, nd, dims));
}

/* rot90(input, k=1, dims=[0, 1]). */
static int oi_rot90(oi_call *c) {
    int64_t k, dims[2] = {0, 1};
    int n = 2;
    const oi_value *d = oi_get(c, 1, "dims");
    if (!oi_opt_int(c, oi_get(c, 0, "k"), 1, &k)) return OI_SKIP;
    if (d && !oi_ints(c, d, dims, &n, 2, false)) return OI_SKIP;
    if (n != 2) return oi_skip(c, "dims of other than two (cgrad takes dim0, dim1)");
    return oi_out(c, cg_rot90(c->input, k, dims[0], dims[1]));
}

/* repeat/tile/broadcast_to(input, sizes): a list of ints. */
static int sizes_op(oi_call *c, const char *key, cg_tensor *(*fn)(cg_tensor *, int, const int64_t *)) {
    int64_t sizes[16];
    int n;
    return oi_ints(c, oi_get(c, 0, key), sizes, &n, 16, false) ? oi_out(c, fn(c->input, n, sizes)) : OI_SKIP;
}
static int oi_repeat(oi_call *c) { return sizes_op(c, "repeats", cg_repeat_shape); }
static int oi_tile(oi_call *c) { return sizes_op(c, "dims", cg_tile_shape); }
static int oi_broadcast_to(oi_call *c) { return sizes_op(c, "size", cg_broadcast_to); }

/* sum_to_size(input, *size): a list, or the sizes as separate ints. */
static int oi_sum_to_size(oi_call *c) {
    int64_t sizes[16];
    int n = 0;
    const oi_value *first = oi_arg(c, 0);
    if (first && first->kind == OI_LIST) return sizes_op(c, "size", cg_sum_to_size);
    for (; n < c->s->nargs && n < 16; n++)
        if (!oi_int(c, oi_arg(c, n), &sizes[n])) return OI_SKIP;
    return oi_out(c, cg_sum_to_size(c->input, n, sizes));
}

/* movedim(input, source, destination): ints or lists of ints. */
static int oi_movedim(oi_call *c) {
    int64_t src[CG_MAX_DIMS], dst[CG_MAX_DIMS];
    int ns, nd;
    if (!oi_ints(c, oi_get(c, 0, "source"), src, &ns, CG_MAX_DIMS, true) ||
        !oi_ints(c, oi_get(c, 1, "destination"), dst, &nd, CG_MAX_DIMS, true))
        return OI_SKIP;
    return oi_out(c, cg_movedim_dims(c->input, ns, src, nd, dst));
}

/* unflatten(input, dim, sizes). */
static int oi_unflatten(oi_call *c) {
    int64_t d, sizes[16];
    int n;
    if (!oi_int(c, oi_get(c, 0, "dim"), &d) || !oi_ints(c, oi_get(c, 1, "sizes"), sizes, &n, 16, false)) return OI_SKIP;
    return oi_out(c, cg_unflatten(c->input, d, n, sizes));
}

/* atleast_*d(input) of a tensor, or of a list of tensors (one result each). */
static int atleast(oi_call *c, cg_tensor *(*fn)(cg_tensor *)) {
    cg_tensor *ts[OI_MAX_OUT];
    int n;
    if (c->input) return oi_out(c, fn(c->input));
    if (!oi_tensors(c, &c->s->input, ts, &n, OI_MAX_OUT)) return OI_SKIP;
    for (int k = 0; k < n; k++)
        if (!(c->out[k] = fn(ts[k]))) return -1;
    return n;
}
static int oi_atleast_1d(oi_call *c) { return atleast(c, cg_atleast_1d); }
static int oi_atleast_2d(oi_call *c) { return atleast(c, cg_atleast_2d); }
static int oi_atleast_3d(oi_call *c) { return atleast(c, cg_atleast_3d); }

/* hstack/vstack/dstack/column_stack(tensors). */
static int stack_op(oi_call *c, cg_tensor *(*fn)(cg_tensor **, int)) {
    cg_tensor *ts[64];
    int n;
    return oi_tensors(c, &c->s->input, ts, &n, 64) ? oi_out(c, fn(ts, n)) : OI_SKIP;
}
static int oi_hstack(oi_call *c) { return stack_op(c, cg_hstack); }
static int oi_vstack(oi_call *c) { return stack_op(c, cg_vstack); }
static int oi_dstack(oi_call *c) { return stack_op(c, cg_dstack); }
static int oi_column_stack(oi_call *c) { return stack_op(c, cg_column_stack); }

/* indices_or_sections: an int or a 0-dim int64 tensor (sections; *n = -1), else a list of ints or a
 * 1-D int64 tensor (indices). */
static bool sections_or_indices(oi_call *c, const oi_value *v, int64_t *idx, int *n, int max) {
    if (v && v->kind == OI_TENSOR && !strcmp(v->dtype, "i64") && v->ndim <= 1 && v->numel <= max) {
        memcpy(idx, v->data, sizeof(int64_t) * (size_t)v->numel);
        *n = v->ndim == 0 ? -1 : (int)v->numel;
        return true;
    }
    if (v && v->kind == OI_INT) {
        idx[0] = v->i;
        *n = -1;
        return true;
    }
    return oi_ints(c, v, idx, n, max, false);
}

/* A split's pieces into c->out. */
static int split_out(oi_call *c, cg_tensor **out, int n) {
    if (n > OI_MAX_OUT) return oi_skip(c, "more pieces than the runner keeps");
    for (int k = 0; k < n; k++) c->out[k] = out[k];
    return pieces(c, n);
}

/* tensor_split(input, indices_or_sections, dim=0). */
static int oi_tensor_split(oi_call *c) {
    int64_t idx[64], d;
    int n;
    cg_tensor *out[64];
    if (!sections_or_indices(c, oi_get(c, 0, "indices_or_sections"), idx, &n, 64) || !oi_opt_int(c, oi_get(c, 1, "dim"), 0, &d))
        return OI_SKIP;
    int got = n < 0 ? cg_tensor_split(c->input, idx[0], d, out, 64) : cg_tensor_split_indices(c->input, n, idx, d, out, 64);
    return split_out(c, out, got);
}

/* hsplit/vsplit/dsplit(input, indices_or_sections). */
static int dir_split(oi_call *c, int (*sec)(cg_tensor *, int64_t, cg_tensor **, int),
                     int (*ind)(cg_tensor *, int, const int64_t *, cg_tensor **, int)) {
    int64_t idx[64];
    int n;
    cg_tensor *out[64];
    if (!sections_or_indices(c, oi_get(c, 0, "indices_or_sections"), idx, &n, 64)) return OI_SKIP;
    return split_out(c, out, n < 0 ? sec(c->input, idx[0], out, 64) : ind(c->input, n, idx, out, 64));
}
static int oi_hsplit(oi_call *c) { return dir_split(c, cg_hsplit, cg_hsplit_indices); }
static int oi_vsplit(oi_call *c) { return dir_split(c, cg_vsplit, cg_vsplit_indices); }
static int oi_dsplit(oi_call *c) { return dir_split(c, cg_dsplit, cg_dsplit_indices); }

/* broadcast_tensors(input, *others): OpInfo passes the first tensor as input. */
static int oi_broadcast_tensors(oi_call *c) {
    cg_tensor *ts[OI_MAX_OUT];
    int n = 0;
    ts[n++] = c->input;
    for (; n < c->s->nargs + 1 && n < OI_MAX_OUT; n++)
        if (!(ts[n] = oi_tensor(c, oi_arg(c, n - 1)))) return OI_SKIP;
    return cg_broadcast_tensors(ts, n, c->out) < 0 ? -1 : n;
}

/* broadcast_shapes(*shapes): the common shape, one 0-dim int64 tensor per size (PyTorch's
 * torch.Size is recorded as a list of ints). */
static int oi_broadcast_shapes(oi_call *c) {
    int64_t sizes[OI_MAX_OUT][16], out[CG_MAX_DIMS];
    const int64_t *shapes[OI_MAX_OUT];
    int ndims[OI_MAX_OUT], n = 0;
    const oi_value *v = &c->s->input;
    for (; v && n < OI_MAX_OUT; v = oi_arg(c, n - 1)) {
        if (!oi_ints(c, v, sizes[n], &ndims[n], 16, true)) return OI_SKIP;
        shapes[n] = sizes[n];
        n++;
    }
    int nd = cg_broadcast_shapes_of(n, ndims, shapes, out);
    for (int k = 0; k < nd; k++)
        if (!(c->out[k] = cg_scalar((double)out[k], CG_INT64))) return -1;
    return nd;
}

/* tril/triu(input, diagonal=0). */
static int tri(oi_call *c, cg_tensor *(*fn)(cg_tensor *, int64_t)) {
    int64_t k;
    return oi_opt_int(c, oi_get(c, 0, "diagonal"), 0, &k) ? oi_out(c, fn(c->input, k)) : OI_SKIP;
}
static int oi_tril(oi_call *c) { return tri(c, cg_tril); }
static int oi_triu(oi_call *c) { return tri(c, cg_triu); }
static int oi_diag(oi_call *c) { return tri(c, cg_diag); }

static int oi_diagflat(oi_call *c) {
    int64_t k;
    return oi_opt_int(c, oi_get(c, 0, "offset"), 0, &k) ? oi_out(c, cg_diagflat(c->input, k)) : OI_SKIP;
}

/* diagonal/diag_embed(input, offset=0, dim1=, dim2=). */
static int diag_op(oi_call *c, cg_tensor *(*fn)(cg_tensor *, int64_t, int64_t, int64_t), int64_t dim1, int64_t dim2) {
    int64_t off, d1, d2;
    if (!oi_opt_int(c, oi_get(c, 0, "offset"), 0, &off) || !oi_opt_int(c, oi_get(c, 1, "dim1"), dim1, &d1) ||
        !oi_opt_int(c, oi_get(c, 2, "dim2"), dim2, &d2))
        return OI_SKIP;
    return oi_out(c, fn(c->input, off, d1, d2));
}
static int oi_diagonal(oi_call *c) { return diag_op(c, cg_diagonal, 0, 1); }
static int oi_diag_embed(oi_call *c) { return diag_op(c, cg_diag_embed, -2, -1); }

/* f(input, other) of another tensor's shape. */
static int as_op(oi_call *c, cg_tensor *(*fn)(cg_tensor *, cg_tensor *)) {
    cg_tensor *o = oi_tensor(c, oi_get(c, 0, "other"));
    return o ? oi_out(c, fn(c->input, o)) : OI_SKIP;
}
static int oi_expand_as(oi_call *c) { return as_op(c, cg_expand_as); }
static int oi_view_as(oi_call *c) { return as_op(c, cg_view_as); }
static int oi_reshape_as(oi_call *c) { return as_op(c, cg_reshape_as); }

/* index_add/index_copy/index_fill(input, dim, index, source or value[, alpha=]). */
static int index_op(oi_call *c, int kind) {
    int64_t d;
    cg_tensor *index = NULL;
    if (!oi_int(c, oi_get(c, 0, "dim"), &d) || !(index = oi_tensor(c, oi_get(c, 1, "index")))) return OI_SKIP;
    const oi_value *v = oi_get(c, 2, kind == 2 ? "value" : "source");
    cg_number n = cg_number_int(1);
    if (kind == 2 && oi_is_number(v))
        return oi_number(c, v, &n) ? oi_out(c, cg_index_fill_number(c->input, (int)d, index, n)) : OI_SKIP;
    cg_tensor *src = oi_tensor(c, v);
    const oi_value *alpha = kind == 0 ? oi_kw(c, "alpha") : NULL;
    if (!src || (alpha && !oi_number(c, alpha, &n))) return OI_SKIP;
    if (kind == 0) return oi_out(c, cg_index_add_number(c->input, (int)d, index, src, n));
    if (kind == 1) return oi_out(c, cg_index_copy(c->input, (int)d, index, src));
    return oi_out(c, cg_index_fill_tensor(c->input, (int)d, index, src));
}
static int oi_index_add(oi_call *c) { return index_op(c, 0); }
static int oi_index_copy(oi_call *c) { return index_op(c, 1); }
static int oi_index_fill(oi_call *c) { return index_op(c, 2); }

static int oi_nonzero(oi_call *c) {
    bool tuple;
    if (!oi_opt_bool(c, oi_kw(c, "as_tuple"), false, &tuple)) return OI_SKIP;
    return tuple ? oi_skip(c, "as_tuple=True (no C form)") : oi_out(c, cg_nonzero(c->input));
}
OI_UNARY(oi_argwhere, cg_argwhere)

/* aten.slice.Tensor(input, dim=0, start=None, end=None, step=1). */
static int oi_slice(oi_call *c) {
    int64_t d, start = 0, end = INT64_MAX, step;
    const oi_value *sv = oi_get(c, 1, "start"), *ev = oi_get(c, 2, "end");
    if (!oi_opt_int(c, oi_get(c, 0, "dim"), 0, &d) || !oi_opt_int(c, oi_get(c, 3, "step"), 1, &step)) return OI_SKIP;
    if ((sv && sv->kind != OI_NONE && !oi_int(c, sv, &start)) || (ev && ev->kind != OI_NONE && !oi_int(c, ev, &end)))
        return OI_SKIP;
    return oi_out(c, cg_slice(c->input, (int)d, start, end, step));
}

static const oi_entry oi_shape[] = {
    OI_OP("flip", "", oi_flip),
    OI_OP("fliplr", "", oi_fliplr),
    OI_OP("flipud", "", oi_flipud),
    OI_OP("roll", "", oi_roll),
    OI_OP("rot90", "", oi_rot90),
    OI_OP("repeat", "", oi_repeat),
    OI_OP("tile", "", oi_tile),
    OI_OP("broadcast_to", "", oi_broadcast_to),
    OI_OP("sum_to_size", "", oi_sum_to_size),
    OI_OP("broadcast_tensors", "", oi_broadcast_tensors),
    OI_OP("broadcast_shapes", "", oi_broadcast_shapes),
    OI_OP("movedim", "", oi_movedim),
    OI_OP("unflatten", "", oi_unflatten),
    OI_OP("ravel", "", oi_ravel),
    OI_OP("atleast_1d", "", oi_atleast_1d),
    OI_OP("atleast_2d", "", oi_atleast_2d),
    OI_OP("atleast_3d", "", oi_atleast_3d),
    OI_OP("hstack", "", oi_hstack),
    OI_OP("vstack", "", oi_vstack),
    OI_OP("dstack", "", oi_dstack),
    OI_OP("column_stack", "", oi_column_stack),
    OI_OP("tensor_split", "", oi_tensor_split),
    OI_OP("hsplit", "", oi_hsplit),
    OI_OP("vsplit", "", oi_vsplit),
    OI_OP("dsplit", "", oi_dsplit),
    OI_OP("tril", "", oi_tril),
    OI_OP("triu", "", oi_triu),
    OI_OP("diag", "", oi_diag),
    OI_OP("diagflat", "", oi_diagflat),
    OI_OP("diagonal", "", oi_diagonal),
    OI_OP("diag_embed", "", oi_diag_embed),
    OI_OP("expand_as", "", oi_expand_as),
    OI_OP("view_as", "", oi_view_as),
    OI_OP("reshape_as", "", oi_reshape_as),
    OI_OP("index_add", "", oi_index_add),
    OI_OP("index_copy", "", oi_index_copy),
    OI_OP("index_fill", "", oi_index_fill),
    OI_OP("nonzero", "", oi_nonzero),
    OI_OP("argwhere", "", oi_argwhere),
    OI_OP("slice", "", oi_slice),
    OI_OP("mT", "", oi_mT),
    OI_OP("mH", "", oi_mH),
    OI_OP("T", "", oi_T),
    OI_OP("H", "", oi_H),
    OI_END,
};
