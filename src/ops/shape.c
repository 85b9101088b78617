/* Shape ops that copy: flip, roll, rot90, repeat (tile), tril/triu, diag, diag_embed, and the views
 * diagonal; then PyTorch's composite shape functions built on the existing views and joins
 * (fliplr/flipud, movedim, unflatten, ravel, atleast_*d, h/v/d/column_stack, tensor_split and
 * h/v/dsplit, broadcast_to/tensors/shapes, expand_as/view_as/reshape_as, diagflat).
 *
 * The copying ops move elements with the backend's copy kernel over headers (no reference, no
 * scope) that see the input or the output with the strides the op needs; flip's header walks the
 * flipped dims with negative strides, which only the copy kernel ever sees. */
#include "autograd/registry.h"
#include "backend/backend.h"

#include <stdlib.h>
#include <string.h>

/* ---- headers ---- */

/* A header over t's elements with the given sizes, strides and offset. */
static cg_tensor header_of(const cg_tensor *t, int ndim, const int64_t *sizes, const int64_t *strides, int64_t offset) {
    cg_tensor h = *t;
    h.ndim = ndim;
    memcpy(h.sizes, sizes, (size_t)ndim * sizeof *sizes);
    memcpy(h.strides, strides, (size_t)ndim * sizeof *strides);
    h.offset = offset;
    h.numel = cg_shape_numel(ndim, sizes);
    h.autograd = NULL;
    return h;
}

/* The header of t's [start, start + len) along dim d. */
static cg_tensor part_along(const cg_tensor *t, int d, int64_t start, int64_t len) {
    cg_tensor h = header_of(t, t->ndim, t->sizes, t->strides, t->offset + start * t->strides[d]);
    h.sizes[d] = len;
    h.numel = cg_shape_numel(h.ndim, h.sizes);
    return h;
}

static void copy_into(cg_tensor *dst, const cg_tensor *src) {
    if (dst->numel > 0) CG_KERNEL(dst, copy)(dst, src);
}

/* A dim wrapped against ndim, with PyTorch's error for a 0-dim tensor when the op does not take
 * dim 0 or -1 of a scalar (maybe_wrap_dim without wrap_scalar). */
static int wrap_dim_of_some(int64_t dim, int ndim) {
    if (ndim == 0) {
        cg_set_index_error("Dimension specified as %lld but tensor has no dimensions", (long long)dim);
        return -1;
    }
    return (int)cg_wrap_index(dim, ndim);
}

/* The dims list of an op (flip's dims, roll's): wrapped, each at most once; false with the error. */
static bool dims_mask(const char *what, const cg_tensor *t, int n, const int64_t *dims, bool *mask) {
    if (cg_check_count(n, what) < 0 || (n > 0 && !dims)) {
        if (n > 0) cg_set_type_error("%s is NULL for %d dimensions", what, n);
        return false;
    }
    return cg_dims_bitset(t, n, dims, mask);
}

/* ---- flip ---- */

/* A new tensor laid out as t (preserve_format) with the dims in mask reversed; not recorded. */
static cg_tensor *flipped(cg_tensor *t, const bool *mask) {
    cg_tensor *out = cg_new_like(t, t->dtype);
    if (!out) return NULL;
    cg_tensor src = header_of(t, t->ndim, t->sizes, t->strides, t->offset);
    for (int d = 0; d < t->ndim; d++) {
        if (!mask[d] || t->sizes[d] == 0) continue;
        src.offset += (t->sizes[d] - 1) * t->strides[d];
        src.strides[d] = -t->strides[d];
    }
    copy_into(out, &src);
    return out;
}

static cg_tensor *record_dims(const cg_op *op, cg_tensor *out, cg_tensor *t, const bool *mask) {
    cg_node *n = out ? cg_record(op, out, CG_INPUTS(t)) : NULL;
    if (n)
        for (int d = 0; d < CG_MAX_DIMS; d++) n->args[d] = mask[d];
    return cg_recorded(out);
}

cg_tensor *cg_flip_dims(cg_tensor *t, int ndims, const int64_t *dims) {
    if (!t || cg_check_history_readable(t) < 0) return NULL;
    bool mask[CG_MAX_DIMS];
    if (!dims_mask("dims", t, ndims, dims, mask)) return NULL;
    return record_dims(&cg_op_flip, flipped(t, mask), t, mask);
}

static cg_tensor *flip_mask(cg_tensor *t, const int64_t *mask_args) {
    int64_t dims[CG_MAX_DIMS];
    int n = 0;
    for (int d = 0; d < t->ndim; d++)
        if (mask_args[d]) dims[n++] = d;
    return cg_flip_dims(t, n, dims);
}

void cg_backward_flip(cg_node *n, cg_tensor **grads, cg_tensor **out) { out[0] = flip_mask(grads[0], n->args); }

cg_tensor *cg_fliplr(cg_tensor *t) {
    if (!t) return NULL;
    if (t->ndim < 2) {
        cg_set_error("Input must be >= 2-d.");
        return NULL;
    }
    return cg_flip_dims(t, 1, (const int64_t[]){1});
}

cg_tensor *cg_flipud(cg_tensor *t) {
    if (!t) return NULL;
    if (t->ndim < 1) {
        cg_set_error("Input must be >= 1-d.");
        return NULL;
    }
    return cg_flip_dims(t, 1, (const int64_t[]){0});
}

/* ---- roll ---- */

/* out = t rolled by shift along d, both of t's shape; the copy of two parts each way. */
static void roll_into(cg_tensor *out, const cg_tensor *t, int d, int64_t shift) {
    int64_t size = t->sizes[d];
    if (size == 0) return;
    shift = ((shift % size) + size) % size;
    cg_tensor head = part_along(out, d, shift, size - shift), head_src = part_along(t, d, 0, size - shift);
    cg_tensor tail = part_along(out, d, 0, shift), tail_src = part_along(t, d, size - shift, shift);
    copy_into(&head, &head_src);
    copy_into(&tail, &tail_src);
}

/* A contiguous copy of t rolled by shifts[i] along dims[i] (every element of the flattened t when
 * no dims are given), as PyTorch's roll, one dim after the other. */
static cg_tensor *rolled(cg_tensor *t, const int64_t *shifts, int ndims, const int64_t *dims) {
    int64_t strides[CG_MAX_DIMS];
    cg_contiguous_strides(t->ndim, t->sizes, strides);
    cg_tensor *out = cg_new_tensor_strided_on(cg_backend_of(t), t->dtype, t->ndim, t->sizes, strides);
    if (!out) return NULL;
    if (ndims == 0) { /* the flattened tensor: a row-major copy rolled as one dim */
        copy_into(out, t);
        if (t->numel == 0) return out;
        cg_tensor *flat = cg_new_tensor_on(cg_backend_of(t), t->dtype, 1, (const int64_t[]){t->numel});
        if (!flat) return NULL;
        cg_tensor src = header_of(out, 1, (const int64_t[]){t->numel}, (const int64_t[]){1}, out->offset);
        roll_into(flat, &src, 0, shifts[0]);
        cg_tensor dst = header_of(out, 1, (const int64_t[]){t->numel}, (const int64_t[]){1}, out->offset);
        copy_into(&dst, flat);
        return out;
    }
    cg_tensor *from = t;
    for (int i = 0; i < ndims; i++) {
        cg_tensor *to = i == ndims - 1 ? out : cg_new_tensor_strided_on(cg_backend_of(t), t->dtype, t->ndim, t->sizes, strides);
        if (!to) return NULL;
        roll_into(to, from, (int)cg_wrap_index(dims[i], t->ndim), shifts[i]);
        from = to;
    }
    return out;
}

cg_tensor *cg_roll(cg_tensor *t, int nshifts, const int64_t *shifts, int ndims, const int64_t *dims) {
    if (!t || cg_check_history_readable(t) < 0) return NULL;
    if (cg_check_count(nshifts, "shifts") < 0 || cg_check_count(ndims, "dims") < 0) return NULL;
    if (nshifts > CG_MAX_DIMS || ndims > CG_MAX_DIMS || (nshifts && !shifts) || (ndims && !dims)) {
        cg_set_error("roll: at most %d shifts and dims, given as arrays", CG_MAX_DIMS);
        return NULL;
    }
    if (nshifts == 0) {
        cg_set_error("`shifts` required");
        return NULL;
    }
    if (ndims == 0 && nshifts != 1) {
        cg_set_error("shifts and dimensions must align. shifts: %d, dims:%d", nshifts, ndims);
        return NULL;
    }
    if (ndims != 0 && nshifts != ndims) {
        cg_set_error("shifts and dimensions must align. shifts: %d, dims:%d", nshifts, ndims);
        return NULL;
    }
    for (int i = 0; i < ndims && t->numel > 0; i++) { /* PyTorch clones an empty t before reading dims */
        if (wrap_dim_of_some(dims[i], t->ndim) < 0) return NULL;
    }
    cg_tensor *out = rolled(t, shifts, t->numel > 0 ? ndims : 0, dims);
    cg_node *n = out ? cg_record(&cg_op_roll, out, CG_INPUTS(t)) : NULL;
    if (n) {
        n->args[0] = nshifts;
        n->args[1] = ndims;
        for (int i = 0; i < nshifts; i++) n->args[2 + i] = shifts[i];
        for (int i = 0; i < ndims; i++) n->args[2 + CG_MAX_DIMS + i] = dims[i];
    }
    return cg_recorded(out);
}

void cg_backward_roll(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    int64_t shifts[CG_MAX_DIMS];
    for (int i = 0; i < n->args[0]; i++) shifts[i] = -n->args[2 + i];
    out[0] = cg_roll(grads[0], (int)n->args[0], shifts, (int)n->args[1], n->args + 2 + CG_MAX_DIMS);
}

/* roll, rot90, repeat, diag and diag_embed are linear: the same of the tangent. */
void cg_jvp_roll(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    (void)in;
    (void)outs;
    tout[0] = cg_roll(tin[0], (int)n->args[0], n->args + 2, (int)n->args[1], n->args + 2 + CG_MAX_DIMS);
}

/* ---- rot90 ---- */

/* PyTorch's rot90: flip one dim and transpose in place (k = 1, 3), flip both (k = 2), or a
 * contiguous clone (k = 0); its checks in its order. */
cg_tensor *cg_rot90(cg_tensor *t, int64_t k, int64_t dim0, int64_t dim1) {
    if (!t || cg_check_history_readable(t) < 0) return NULL;
    int64_t nd = t->ndim;
    if (nd < 2) {
        cg_set_error("expected total dims >= 2, but got total dims = %lld", (long long)nd);
        return NULL;
    }
    if (dim0 == dim1 || llabs(dim0 - dim1) == nd) {
        cg_set_error("expected rotation dims to be different, but got dim0 = %lld and dim1 = %lld", (long long)dim0,
                     (long long)dim1);
        return NULL;
    }
    if (dim0 >= nd || dim0 < -nd) {
        cg_set_error("Rotation dim0 out of range, dim0 = %lld", (long long)dim0);
        return NULL;
    }
    if (dim1 >= nd || dim1 < -nd) {
        cg_set_error("Rotation dim1 out of range, dim1 = %lld", (long long)dim1);
        return NULL;
    }
    int a = (int)cg_wrap_index(dim0, t->ndim), b = (int)cg_wrap_index(dim1, t->ndim);
    int64_t turns = ((k % 4) + 4) % 4;
    bool mask[CG_MAX_DIMS] = {false};
    cg_tensor *out;
    if (turns == 0) {
        out = cg_new_tensor_on(cg_backend_of(t), t->dtype, t->ndim, t->sizes);
        if (out) copy_into(out, t);
    } else {
        mask[turns == 1 ? b : a] = true;
        if (turns == 2) mask[b] = true;
        out = flipped(t, mask);
        if (out && turns != 2) { /* transpose_ of the fresh result */
            int64_t s = out->sizes[a], st = out->strides[a];
            out->sizes[a] = out->sizes[b], out->strides[a] = out->strides[b];
            out->sizes[b] = s, out->strides[b] = st;
        }
    }
    cg_node *n = out ? cg_record(&cg_op_rot90, out, CG_INPUTS(t)) : NULL;
    if (n) {
        n->args[0] = k;
        n->args[1] = dim0;
        n->args[2] = dim1;
    }
    return cg_recorded(out);
}

void cg_backward_rot90(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    out[0] = cg_rot90(grads[0], -n->args[0], n->args[1], n->args[2]);
}

void cg_jvp_rot90(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    (void)in;
    (void)outs;
    tout[0] = cg_rot90(tin[0], n->args[0], n->args[1], n->args[2]);
}

/* ---- repeat and tile ---- */

/* out (contiguous, of the repeated shape) filled: t into its first block, then along each dim
 * the filled part copied into the following blocks. */
static void repeat_into(cg_tensor *out, const cg_tensor *t, int lead, const int64_t *repeats) {
    int nd = out->ndim;
    int64_t sizes[CG_MAX_DIMS] = {0}, strides[CG_MAX_DIMS] = {0};
    for (int d = 0; d < nd; d++) sizes[d] = d < lead ? 1 : t->sizes[d - lead];
    for (int d = 0; d < nd; d++) strides[d] = d < lead ? 0 : t->strides[d - lead];
    cg_tensor block = header_of(out, nd, sizes, out->strides, out->offset);
    cg_tensor src = header_of(t, nd, sizes, strides, t->offset);
    copy_into(&block, &src);
    for (int d = 0; d < nd; d++) {
        cg_tensor filled = header_of(out, nd, sizes, out->strides, out->offset);
        for (int64_t r = 1; r < repeats[d]; r++) {
            cg_tensor next = filled;
            next.offset += r * sizes[d] * out->strides[d];
            copy_into(&next, &filled);
        }
        sizes[d] *= repeats[d];
    }
}

cg_tensor *cg_repeat_shape(cg_tensor *t, int n, const int64_t *repeats) {
    if (!t || cg_check_history_readable(t) < 0) return NULL;
    if (cg_check_ndim(n) < 0) return NULL;
    if (n < t->ndim) {
        cg_set_error("Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor");
        return NULL;
    }
    if (n > 0 && !repeats) {
        cg_set_type_error("repeats is NULL for %d dimensions", n);
        return NULL;
    }
    int lead = n - t->ndim;
    int64_t sizes[CG_MAX_DIMS];
    for (int d = 0; d < n; d++) {
        int64_t s = d < lead ? 1 : t->sizes[d - lead];
        sizes[d] = (int64_t)((uint64_t)s * (uint64_t)repeats[d]); /* wraps as PyTorch's product does */
    }
    if (cg_check_shape(n, sizes) < 0) return NULL;
    cg_tensor *out = cg_new_tensor_on(cg_backend_of(t), t->dtype, n, sizes);
    if (out && out->numel > 0) repeat_into(out, t, lead, repeats);
    cg_node *node = out ? cg_record(&cg_op_repeat, out, CG_INPUTS(t)) : NULL;
    if (node) {
        node->args_meta = cg_input_meta_of(t);
        memcpy(node->args, repeats, (size_t)n * sizeof *repeats);
        node->args[CG_MAX_DIMS] = n;
    }
    return cg_recorded(out);
}

/* PyTorch's repeat_backward: the added leading dims summed away, then each repeated dim split into
 * (repeat, size) and the repeats summed. */
void cg_backward_repeat(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    const cg_input_meta *in = &n->args_meta;
    int nrep = (int)n->args[CG_MAX_DIMS], lead = nrep - in->ndim;
    for (int d = 0; d < nrep; d++) {
        if (n->args[d] == 0) {
            out[0] = cg_zeros_on(grads[0], grads[0]->dtype, in->ndim, in->sizes);
            return;
        }
    }
    cg_tensor *g = grads[0];
    for (int i = 0; i < lead && g; i++) g = cg_sum(g, CG_DIMS(0));
    if (!g) return;
    int64_t shape[CG_MAX_DIMS * 2];
    cg_reduce_args sum = {.ndims = 0};
    int ns = 0;
    for (int d = 0; d < in->ndim; d++) {
        int64_t r = n->args[d + lead];
        if (r > 1) {
            sum.dims[sum.ndims++] = ns;
            shape[ns++] = r;
        }
        shape[ns++] = in->sizes[d];
    }
    if (sum.ndims == 0) {
        out[0] = cg_reshape_shape(g, ns, shape);
        return;
    }
    if (ns > CG_MAX_DIMS) { /* more than the dims a tensor has: sum the repeats one dim at a time */
        for (int d = in->ndim - 1; d >= 0 && g; d--) {
            int64_t r = n->args[d + lead];
            if (r <= 1) continue;
            int64_t split[CG_MAX_DIMS + 1];
            int k = 0;
            for (int e = 0; e < d; e++) split[k++] = g->sizes[e];
            split[k++] = r;
            split[k++] = in->sizes[d];
            for (int e = d + 1; e < in->ndim; e++) split[k++] = g->sizes[e];
            if (k > CG_MAX_DIMS) {
                cg_set_error("repeat's gradient: more than %d dimensions", CG_MAX_DIMS);
                return;
            }
            g = cg_sum(cg_reshape_shape(g, k, split), CG_DIMS(d));
        }
        out[0] = g;
        return;
    }
    sum.input = cg_reshape_shape(g, ns, shape);
    out[0] = sum.input ? cg_sum_opts(sum) : NULL;
}

void cg_jvp_repeat(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    (void)in;
    (void)outs;
    tout[0] = cg_repeat_shape(tin[0], (int)n->args[CG_MAX_DIMS], n->args);
}

cg_tensor *cg_tile_shape(cg_tensor *t, int n, const int64_t *reps) {
    if (!t) return NULL;
    if (cg_check_ndim(n) < 0) return NULL;
    if (n > 0 && !reps) {
        cg_set_type_error("dims is NULL for %d dimensions", n);
        return NULL;
    }
    int64_t padded[CG_MAX_DIMS];
    int lead = t->ndim > n ? t->ndim - n : 0;
    for (int d = 0; d < lead; d++) padded[d] = 1;
    for (int d = 0; d < n; d++) padded[lead + d] = reps[d];
    return cg_repeat_shape(t, lead + n, padded);
}

/* ---- tril and triu ---- */

/* A contiguous copy of t with the elements of each matrix on the wrong side of diagonal k zeroed:
 * above it (lower, tril) or below it (triu). */
static cg_tensor *triangle(cg_tensor *t, int64_t k, bool lower, const cg_op *op) {
    if (!t || cg_check_history_readable(t) < 0) return NULL;
    if (t->numel > 0 && wrap_dim_of_some(-2, t->ndim) < 0) return NULL; /* an empty t is not checked */
    cg_tensor *out = cg_new_tensor_on(cg_backend_of(t), t->dtype, t->ndim, t->sizes);
    if (!out) return NULL;
    copy_into(out, t);
    if (out->numel > 0) {
        int64_t rows = t->sizes[t->ndim - 2], cols = t->sizes[t->ndim - 1];
        cg_tensor *mask = NULL;
        CG_NO_GRAD { /* column - row > k (tril) or < k (triu): the places zeroed */
            cg_tensor *col = cg_arange(0, (double)cols, 1, CG_INT64);
            cg_tensor *row = cg_reshape(cg_arange(0, (double)rows, 1, CG_INT64), -1, 1);
            cg_tensor *diff = cg_sub(col, row);
            mask = lower ? cg_gt_number(diff, cg_number_int(k)) : cg_lt_number(diff, cg_number_int(k));
        }
        if (!mask) return NULL;
        CG_KERNEL(out, masked_fill)(out, mask, cg_number_int(0));
    }
    cg_node *n = cg_record(op, out, CG_INPUTS(t));
    if (n) n->args[0] = k;
    return cg_recorded(out);
}

cg_tensor *cg_tril(cg_tensor *t, int64_t diagonal) { return triangle(t, diagonal, true, &cg_op_tril); }
cg_tensor *cg_triu(cg_tensor *t, int64_t diagonal) { return triangle(t, diagonal, false, &cg_op_triu); }
void cg_backward_tril(cg_node *n, cg_tensor **grads, cg_tensor **out) { out[0] = cg_tril(grads[0], n->args[0]); }
void cg_backward_triu(cg_node *n, cg_tensor **grads, cg_tensor **out) { out[0] = cg_triu(grads[0], n->args[0]); }

/* ---- diagonal, diag_embed, diag ---- */

/* Wraps dim1 and dim2 against ndim and checks they differ (PyTorch's diagonal checks). */
static bool diagonal_dims(int64_t dim1, int64_t dim2, int ndim, int *d1, int *d2) {
    *d1 = (int)cg_wrap_index(dim1, ndim);
    if (*d1 < 0) return false;
    *d2 = (int)cg_wrap_index(dim2, ndim);
    if (*d2 < 0) return false;
    if (*d1 == *d2) {
        cg_set_error("diagonal dimensions cannot be identical %lld, %lld", (long long)dim1, (long long)dim2);
        return false;
    }
    return true;
}

/* The header (sizes, strides, offset) of t's diagonal at offset along d1 and d2: those dims
 * removed, the diagonal last. */
static cg_tensor diagonal_header(const cg_tensor *t, int64_t offset, int d1, int d2) {
    int64_t size = offset >= 0 ? t->sizes[d2] - offset : t->sizes[d1] + offset;
    if (size > t->sizes[offset >= 0 ? d1 : d2]) size = t->sizes[offset >= 0 ? d1 : d2];
    if (size < 0) size = 0;
    int64_t start = t->offset;
    if (size > 0) start += offset >= 0 ? offset * t->strides[d2] : -offset * t->strides[d1];
    int64_t sizes[CG_MAX_DIMS], strides[CG_MAX_DIMS];
    int n = 0;
    for (int d = 0; d < t->ndim; d++) {
        if (d == d1 || d == d2) continue;
        sizes[n] = t->sizes[d];
        strides[n++] = t->strides[d];
    }
    sizes[n] = size;
    strides[n++] = t->strides[d1] + t->strides[d2];
    return header_of(t, n, sizes, strides, start);
}

static cg_tensor *record_diagonal(const cg_op *op, cg_tensor *out, cg_tensor *t, int64_t offset, int d1, int d2,
                                  const cg_input_meta *shape) {
    cg_node *n = out ? cg_record(op, out, CG_INPUTS(t)) : NULL;
    if (n) {
        n->args[0] = offset;
        n->args[1] = d1;
        n->args[2] = d2;
        n->args_meta = *shape;
    }
    return cg_recorded(out);
}

cg_tensor *cg_diagonal(cg_tensor *t, int64_t offset, int64_t dim1, int64_t dim2) {
    if (!t || cg_check_history_readable(t) < 0) return NULL;
    int d1, d2;
    if (!diagonal_dims(dim1, dim2, t->ndim, &d1, &d2)) return NULL;
    cg_tensor h = diagonal_header(t, offset, d1, d2);
    cg_tensor *out = cg_as_view(cg_new_view(t, h.ndim, h.sizes, h.strides, h.offset), t);
    cg_input_meta shape = cg_input_meta_of(t);
    return record_diagonal(&cg_op_diagonal, out, t, offset, d1, d2, &shape);
}

/* Zeros of shape (the grad's dtype) with grad written into the diagonal at offset along d1, d2:
 * diagonal's backward and diag_embed's forward (a contiguous result). */
static cg_tensor *zeros_with_diagonal(cg_tensor *grad, const cg_input_meta *shape, int64_t offset, int d1, int d2) {
    cg_tensor *out = cg_zeros_on(grad, grad->dtype, shape->ndim, shape->sizes);
    if (!out) return NULL;
    cg_tensor diag = diagonal_header(out, offset, d1, d2);
    if (cg_check_broadcasts_to(&diag, grad) < 0) return NULL;
    copy_into(&diag, grad);
    return out;
}

/* PyTorch's diagonal_backward, an op of its own (DiagonalBackwardBackward0). */
static cg_tensor *diagonal_backward(cg_tensor *grad, const cg_input_meta *shape, int64_t offset, int d1, int d2) {
    cg_tensor *out = zeros_with_diagonal(grad, shape, offset, d1, d2);
    return record_diagonal(&cg_op_diagonal_backward, out, grad, offset, d1, d2, shape);
}

void cg_backward_diagonal(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    out[0] = diagonal_backward(grads[0], &n->args_meta, n->args[0], (int)n->args[1], (int)n->args[2]);
}

void cg_backward_diagonal_backward(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    out[0] = cg_diagonal(grads[0], n->args[0], n->args[1], n->args[2]);
}

/* Linear in grad: the tangent put on the same diagonal of zeros. */
void cg_jvp_diagonal_backward(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    (void)in;
    (void)outs;
    tout[0] = diagonal_backward(tin[0], &n->args_meta, n->args[0], (int)n->args[1], (int)n->args[2]);
}

cg_tensor *cg_diag_embed(cg_tensor *t, int64_t offset, int64_t dim1, int64_t dim2) {
    if (!t || cg_check_history_readable(t) < 0) return NULL;
    int d1, d2;
    if (cg_check_ndim(t->ndim + 1) < 0 || !diagonal_dims(dim1, dim2, t->ndim + 1, &d1, &d2)) return NULL;
    int64_t n = (t->ndim ? t->sizes[t->ndim - 1] : 1) + llabs(offset);
    cg_input_meta shape = cg_input_meta_of(t);
    shape.ndim = t->ndim + 1;
    for (int d = 0, k = 0; d < shape.ndim; d++) shape.sizes[d] = d == d1 || d == d2 ? n : t->sizes[k++];
    cg_tensor *out = zeros_with_diagonal(t, &shape, offset, d1, d2);
    return record_diagonal(&cg_op_diag_embed, out, t, offset, d1, d2, &shape);
}

void cg_backward_diag_embed(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    out[0] = cg_diagonal(grads[0], n->args[0], n->args[1], n->args[2]);
}

void cg_jvp_diag_embed(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    (void)in;
    (void)outs;
    tout[0] = cg_diag_embed(tin[0], n->args[0], n->args[1], n->args[2]);
}

/* torch.diag: the matrix with t on diagonal k (1-D t), or a copy of t's diagonal k (2-D t). */
cg_tensor *cg_diag(cg_tensor *t, int64_t k) {
    if (!t || cg_check_history_readable(t) < 0) return NULL;
    cg_tensor *out = NULL;
    if (t->ndim == 1) {
        int64_t n = t->sizes[0] + llabs(k);
        cg_input_meta shape = {.dtype = t->dtype, .ndim = 2, .sizes = {n, n}};
        out = zeros_with_diagonal(t, &shape, k, 0, 1);
    } else if (t->ndim == 2) {
        int64_t size = k >= 0 ? t->sizes[1] - k : t->sizes[0] + k;
        if (size > t->sizes[k >= 0 ? 0 : 1]) size = t->sizes[k >= 0 ? 0 : 1];
        if (size < 0) {
            cg_set_error("numel: integer multiplication overflow");
            return NULL;
        }
        cg_tensor h = diagonal_header(t, k, 0, 1);
        out = cg_new_tensor_on(cg_backend_of(t), t->dtype, 1, h.sizes);
        if (out) copy_into(out, &h);
    } else {
        cg_set_error("matrix or a vector expected");
        return NULL;
    }
    cg_node *n = out ? cg_record(&cg_op_diag, out, CG_INPUTS(t)) : NULL;
    if (n) {
        n->args[0] = k;
        n->args_meta = cg_input_meta_of(t);
    }
    return cg_recorded(out);
}

/* PyTorch 1.13's diag_backward: diag of the gradient for a vector or a square matrix, else
 * diagonal_backward. */
void cg_backward_diag(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    const cg_input_meta *in = &n->args_meta;
    if (in->ndim == 1 || in->sizes[0] == in->sizes[1]) out[0] = cg_diag(grads[0], n->args[0]);
    else out[0] = diagonal_backward(grads[0], in, n->args[0], 0, 1);
}

void cg_jvp_diag(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    (void)in;
    (void)outs;
    tout[0] = cg_diag(tin[0], n->args[0]);
}

/* torch.diagflat: diag of t flattened (contiguous). */
cg_tensor *cg_diagflat(cg_tensor *t, int64_t offset) {
    if (!t) return NULL;
    return cg_diag(cg_view(cg_contiguous(t), -1), offset);
}

/* ---- composites of views and joins ---- */

/* The dims of movedim's list, wrapped, each at most once (PyTorch's messages name the list). */
static bool wrap_all(int n, const int64_t *dims, int ndim, int64_t *wrapped) {
    for (int i = 0; i < n; i++)
        if ((wrapped[i] = cg_wrap_index(dims[i], ndim)) < 0) return false;
    return true;
}

static bool no_repeats(const char *what, int n, const int64_t *dims, const int64_t *wrapped) {
    for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++)
            if (wrapped[i] == wrapped[j]) {
                cg_set_error("movedim: repeated dim in `%s` (%s)", what, cg_shape_text(n, dims).s);
                return false;
            }
    return true;
}

cg_tensor *cg_movedim_dims(cg_tensor *t, int n, const int64_t *source, int ndst, const int64_t *destination) {
    if (!t) return NULL;
    if (cg_check_ndim(n) < 0 || cg_check_ndim(ndst) < 0) return NULL;
    if ((n && !source) || (ndst && !destination)) {
        cg_set_type_error("movedim: NULL dims");
        return NULL;
    }
    if (n != ndst) {
        cg_set_error("movedim: Invalid source or destination dims: source (%s dims) should contain the same number of "
                     "dims as destination (%s dims)", cg_shape_text(n, source).s, cg_shape_text(ndst, destination).s);
        return NULL;
    }
    int64_t src[CG_MAX_DIMS], dst[CG_MAX_DIMS];
    if (!wrap_all(n, source, t->ndim, src) || !wrap_all(n, destination, t->ndim, dst)) return NULL;
    if (!no_repeats("source", n, source, src) || !no_repeats("destination", n, destination, dst)) return NULL;
    if (t->ndim == 0) return cg_index_at(t, 0, NULL); /* PyTorch's alias() */
    int64_t order[CG_MAX_DIMS];
    bool taken[CG_MAX_DIMS] = {false}, placed[CG_MAX_DIMS] = {false};
    for (int i = 0; i < n; i++) {
        order[dst[i]] = src[i];
        placed[dst[i]] = true;
        taken[src[i]] = true;
    }
    for (int d = 0, next = 0; d < t->ndim; d++) {
        if (placed[d]) continue;
        while (taken[next]) next++;
        order[d] = next++;
    }
    return cg_permute_dims(t, t->ndim, order);
}

cg_tensor *cg_movedim(cg_tensor *t, int64_t source, int64_t destination) {
    return cg_movedim_dims(t, 1, &source, 1, &destination);
}

cg_tensor *cg_unflatten(cg_tensor *t, int64_t dim, int n, const int64_t *sizes) {
    if (!t) return NULL;
    int d = (int)cg_wrap_index(dim, t->ndim);
    if (d < 0) return NULL;
    if (n <= 0) {
        cg_set_error("unflatten: sizes must be non-empty");
        return NULL;
    }
    if (wrap_dim_of_some(d, t->ndim) < 0) return NULL; /* PyTorch reads the size of the wrapped dim */
    if (!sizes || n > CG_MAX_DIMS) {
        if (!sizes) cg_set_type_error("sizes is NULL for %d dimensions", n);
        else cg_check_ndim(n);
        return NULL;
    }
    int64_t known = 1, size = t->ndim ? t->sizes[d] : 1;
    int infer = -1;
    for (int i = 0; i < n; i++) {
        if (sizes[i] == -1) infer = i;
        else known = (int64_t)((uint64_t)known * (uint64_t)sizes[i]);
    }
    /* PyTorch's infer_size, whose "invalid shape" error unflatten rewords */
    if (infer >= 0 && known == 0 && size == 0) {
        cg_set_error("cannot reshape tensor of 0 elements into shape %s because the unspecified dimension size -1 can be "
                     "any value and is ambiguous", cg_shape_text(n, sizes).s);
        return NULL;
    }
    if (!(known == size || (infer >= 0 && known > 0 && size % known == 0))) {
        cg_set_error("unflatten: Provided sizes %s don't multiply up to the size of dim %d (%lld) in the input tensor",
                     cg_shape_text(n, sizes).s, d, (long long)size);
        return NULL;
    }
    if (cg_check_ndim(t->ndim - 1 + n) < 0) return NULL;
    int64_t shape[CG_MAX_DIMS];
    int k = 0;
    for (int e = 0; e < d; e++) shape[k++] = t->sizes[e];
    for (int i = 0; i < n; i++) shape[k++] = i == infer ? size / known : sizes[i];
    for (int e = d + 1; e < t->ndim; e++) shape[k++] = t->sizes[e];
    return cg_view_shape(t, k, shape);
}

cg_tensor *cg_ravel(cg_tensor *t) { return t ? cg_view(cg_contiguous(t), -1) : NULL; }

/* The input itself (a new reference in the scope), as PyTorch's atleast_*d returns it. */
static cg_tensor *itself(cg_tensor *t) { return cg_scope_retain(t); }

cg_tensor *cg_atleast_1d(cg_tensor *t) {
    if (!t) return NULL;
    return t->ndim == 0 ? cg_reshape(t, 1) : itself(t);
}

cg_tensor *cg_atleast_2d(cg_tensor *t) {
    if (!t) return NULL;
    if (t->ndim == 0) return cg_reshape(t, 1, 1);
    return t->ndim == 1 ? cg_unsqueeze(t, 0) : itself(t);
}

cg_tensor *cg_atleast_3d(cg_tensor *t) {
    if (!t) return NULL;
    if (t->ndim == 0) return cg_reshape(t, 1, 1, 1);
    if (t->ndim == 1) return cg_unsqueeze(cg_unsqueeze(t, 0), -1);
    return t->ndim == 2 ? cg_unsqueeze(t, -1) : itself(t);
}

/* The n tensors through shape_fn (NULL: as they are), then cat along dim (a negative dim picks 0
 * when the first is 1-D, else 1: hstack's rule). */
static cg_tensor *stack_along(const char *name, cg_tensor **tensors, int n, cg_tensor *(*shape_fn)(cg_tensor *),
                              int dim) {
    if (n < 0 || (n > 0 && !tensors)) {
        cg_set_error("%s: a negative count or a NULL list", name);
        return NULL;
    }
    for (int i = 0; i < n; i++)
        if (!tensors[i]) return NULL;
    if (n == 0) {
        cg_set_error("%s expects a non-empty TensorList", name);
        return NULL;
    }
    cg_tensor **shaped = cg_malloc((size_t)n * sizeof *shaped);
    if (!shaped) return NULL;
    cg_tensor *out = NULL;
    bool ok = true;
    for (int i = 0; i < n && ok; i++) ok = (shaped[i] = shape_fn(tensors[i])) != NULL;
    if (ok) out = cg_cat(shaped, n, dim >= 0 ? dim : shaped[0]->ndim == 1 ? 0 : 1);
    cg_free(shaped);
    return out;
}

/* column_stack's reshape of a 0-D or 1-D tensor to one column. */
static cg_tensor *as_column(cg_tensor *t) { return t->ndim <= 1 ? cg_reshape(t, t->numel, 1) : itself(t); }

cg_tensor *cg_hstack(cg_tensor **tensors, int n) { return stack_along("hstack", tensors, n, cg_atleast_1d, -1); }
cg_tensor *cg_vstack(cg_tensor **tensors, int n) { return stack_along("vstack", tensors, n, cg_atleast_2d, 0); }
cg_tensor *cg_dstack(cg_tensor **tensors, int n) { return stack_along("dstack", tensors, n, cg_atleast_3d, 2); }
cg_tensor *cg_column_stack(cg_tensor **tensors, int n) { return stack_along("column_stack", tensors, n, as_column, 1); }

static int check_room(int64_t pieces, cg_tensor **out, int capacity) {
    if (pieces > (out ? capacity : 0)) {
        cg_set_error("tensor_split() gives %lld tensors but the output array has room for %d", (long long)pieces,
                     out ? capacity : 0);
        return -1;
    }
    return 0;
}

int cg_tensor_split(cg_tensor *t, int64_t sections, int64_t dim, cg_tensor **out, int capacity) {
    if (!t) return -1;
    if (t->ndim == 0) {
        cg_set_error("tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims");
        return -1;
    }
    int d = (int)cg_wrap_index(dim, t->ndim);
    if (d < 0) return -1;
    if (sections <= 0) {
        cg_set_error("number of sections must be larger than 0, got %lld", (long long)sections);
        return -1;
    }
    if (check_room(sections, out, capacity) < 0) return -1;
    int64_t size = t->sizes[d], each = size / sections, extra = size % sections, start = 0;
    for (int64_t i = 0; i < sections; i++) {
        int64_t len = each + (i < extra);
        if (!(out[i] = cg_slice(t, d, start, start + len, 1))) return -1;
        start += len;
    }
    return (int)sections;
}

int cg_tensor_split_indices(cg_tensor *t, int n, const int64_t *indices, int64_t dim, cg_tensor **out, int capacity) {
    if (!t) return -1;
    if (t->ndim == 0) {
        cg_set_error("tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims");
        return -1;
    }
    int d = (int)cg_wrap_index(dim, t->ndim);
    if (d < 0 || cg_check_count(n, "indices") < 0) return -1;
    if (n > 0 && !indices) {
        cg_set_type_error("indices is NULL for %d indices", n);
        return -1;
    }
    if (check_room((int64_t)n + 1, out, capacity) < 0) return -1;
    int64_t start = 0;
    for (int i = 0; i <= n; i++) {
        int64_t end = i < n ? indices[i] : t->sizes[d];
        if (!(out[i] = cg_slice(t, d, start, end, 1))) return -1;
        start = end;
    }
    return n + 1;
}

static int check_min_ndim(const char *name, int min_ndim, const cg_tensor *t) {
    if (t->ndim >= min_ndim) return 0;
    cg_set_error("torch.%s requires a tensor with at least %d dimension, but got a tensor with %d dimensions!", name,
                 min_ndim, t->ndim);
    return -1;
}

/* hsplit/vsplit/dsplit by a number of sections: the dim's size must divide evenly. */
static int split_evenly(const char *name, int min_ndim, int dim, cg_tensor *t, int64_t sections, cg_tensor **out,
                        int capacity) {
    if (!t) return -1;
    if (check_min_ndim(name, min_ndim, t) < 0) return -1;
    if (sections == 0 || t->sizes[dim] % sections != 0) {
        cg_set_error("torch.%s attempted to split along dimension %d, but the size of the dimension %lld is not "
                     "divisible by the split_size %lld!", name, dim, (long long)t->sizes[dim], (long long)sections);
        return -1;
    }
    return cg_tensor_split(t, sections, dim, out, capacity);
}

static int split_at(const char *name, int min_ndim, int dim, cg_tensor *t, int n, const int64_t *indices,
                    cg_tensor **out, int capacity) {
    if (!t || check_min_ndim(name, min_ndim, t) < 0) return -1;
    return cg_tensor_split_indices(t, n, indices, dim, out, capacity);
}

int cg_hsplit(cg_tensor *t, int64_t sections, cg_tensor **out, int capacity) {
    return split_evenly("hsplit", 1, t && t->ndim == 1 ? 0 : 1, t, sections, out, capacity);
}
int cg_vsplit(cg_tensor *t, int64_t sections, cg_tensor **out, int capacity) {
    return split_evenly("vsplit", 2, 0, t, sections, out, capacity);
}
int cg_dsplit(cg_tensor *t, int64_t sections, cg_tensor **out, int capacity) {
    return split_evenly("dsplit", 3, 2, t, sections, out, capacity);
}
int cg_hsplit_indices(cg_tensor *t, int n, const int64_t *indices, cg_tensor **out, int capacity) {
    return split_at("hsplit", 1, t && t->ndim == 1 ? 0 : 1, t, n, indices, out, capacity);
}
int cg_vsplit_indices(cg_tensor *t, int n, const int64_t *indices, cg_tensor **out, int capacity) {
    return split_at("vsplit", 2, 0, t, n, indices, out, capacity);
}
int cg_dsplit_indices(cg_tensor *t, int n, const int64_t *indices, cg_tensor **out, int capacity) {
    return split_at("dsplit", 3, 2, t, n, indices, out, capacity);
}

cg_tensor *cg_broadcast_to(cg_tensor *t, int ndim, const int64_t *sizes) { return cg_expand_shape(t, ndim, sizes); }

/* Tensor.sum_to_size: PyTorch's sum_to, a keepdim sum over the leading dims and those where size is
 * 1 (SumBackward1), then a view without the leading ones; t itself when nothing is summed. */
cg_tensor *cg_sum_to_size(cg_tensor *t, int ndim, const int64_t *sizes) {
    if (!t || cg_check_count(ndim, "sizes") < 0) return NULL;
    int lead = t->ndim - ndim;
    bool expandable = lead >= 0;
    for (int i = 0; expandable && i < ndim; i++) expandable = sizes[i] == 1 || sizes[i] == t->sizes[lead + i];
    if (!expandable) {
        cg_set_error("size {%s} is not expandable to size {%s}.", cg_shape_text(ndim, sizes).s,
                     cg_shape_text(t->ndim, t->sizes).s);
        return NULL;
    }
    if (ndim == 0) return cg_sum(t);
    cg_reduce_args a = {.input = t, .keepdim = true};
    for (int d = 0; d < t->ndim; d++)
        if (d < lead || (sizes[d - lead] == 1 && t->sizes[d] != 1)) a.dims[a.ndims++] = d;
    cg_tensor *s = a.ndims ? cg_sum_opts(a) : cg_scope_retain(t);
    return lead > 0 ? cg_view_shape(s, ndim, sizes) : s;
}

int cg_broadcast_shapes_of(int n, const int *ndims, const int64_t *const *shapes, int64_t *out) {
    if (cg_check_count(n, "shapes") < 0) return -1;
    int nd = 0;
    for (int i = 0; i < n; i++) {
        if (cg_check_ndim(ndims[i]) < 0) return -1;
        int64_t next[CG_MAX_DIMS];
        int k = ndims[i] > nd ? ndims[i] : nd;
        for (int j = 0; j < k; j++) {
            int a = j - (k - nd), b = j - (k - ndims[i]);
            int64_t sa = a >= 0 ? out[a] : 1, sb = b >= 0 ? shapes[i][b] : 1;
            if (sa != sb && sa != 1 && sb != 1) {
                cg_set_error("Shape mismatch: objects cannot be broadcast to a single shape");
                return -1;
            }
            next[j] = sa == 1 ? sb : sa;
        }
        memcpy(out, next, (size_t)k * sizeof *out);
        nd = k;
    }
    return nd;
}

int cg_broadcast_tensors(cg_tensor **tensors, int n, cg_tensor **out) {
    if (cg_check_count(n, "tensors") < 0 || (n > 0 && (!tensors || !out))) return -1;
    int64_t shape[CG_MAX_DIMS];
    int nd = 0;
    for (int i = 0; i < n; i++) {
        if (!tensors[i]) return -1;
        nd = cg_broadcast_shapes(nd, shape, tensors[i]->ndim, tensors[i]->sizes, shape);
        if (nd < 0) return -1;
    }
    for (int i = 0; i < n; i++) {
        cg_tensor *t = tensors[i];
        out[i] = cg_same_shape(t->ndim, t->sizes, nd, shape) ? itself(t) : cg_expand_shape(t, nd, shape);
        if (!out[i]) return -1;
    }
    return n;
}

cg_tensor *cg_expand_as(cg_tensor *t, cg_tensor *other) { return other ? cg_expand_shape(t, other->ndim, other->sizes) : NULL; }
cg_tensor *cg_view_as(cg_tensor *t, cg_tensor *other) { return other ? cg_view_shape(t, other->ndim, other->sizes) : NULL; }
cg_tensor *cg_reshape_as(cg_tensor *t, cg_tensor *other) {
    return other ? cg_reshape_shape(t, other->ndim, other->sizes) : NULL;
}
