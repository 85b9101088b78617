/* Sorting: sort (stable or not), argsort, msort, topk, with PyTorch 1.13's positions for ties.
 *
 * The forward lays the input out contiguous and runs a kernel of backend/cpu/sort.c over
 * (outer, len, inner) lines; the backward scatters the gradient into zeros at the positions, as
 * PyTorch's value_selecting_reduction_backward. */
#include "autograd/registry.h"
#include "backend/backend.h"

/* t contiguous: t itself when it already is. */
static cg_tensor *contiguous_input(cg_tensor *t) {
    if (cg_is_contiguous_inline(t)) return t;
    cg_tensor *c = cg_new_on(t, t->dtype, t->ndim, t->sizes);
    if (c && c->numel) CG_KERNEL(c, copy_tiled)(c, t);
    return c;
}

/* (outer, len, inner) of t around dim d (1, 1, 1 for a 0-dim t). */
static void lines(const cg_tensor *t, int d, int64_t *outer, int64_t *len, int64_t *inner) {
    *outer = *inner = 1;
    *len = t->ndim ? t->sizes[d] : 1;
    for (int k = 0; k < t->ndim; k++) {
        if (k < d) *outer *= t->sizes[k];
        if (k > d) *inner *= t->sizes[k];
    }
}

/* Records op on values (the indices never require grad) with what scattering the gradient back needs. */
static cg_tensor *record_selection(const cg_op *op, cg_tensor *t, int d, cg_tensor *values, cg_tensor *positions) {
    cg_node *n = values ? cg_record(op, values, CG_INPUTS(t)) : NULL;
    if (n) {
        n->args[0] = d;
        n->args_meta = cg_input_meta_of(t);
        cg_save(n, 0, positions);
    }
    return cg_recorded(values);
}

static void selection_backward(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *positions = cg_saved(n, 0);
    const cg_input_meta *in = &n->args_meta;
    if (!positions || !grads[0]) return;
    cg_tensor *zeros = cg_zeros_on(grads[0], grads[0]->dtype, in->ndim, in->sizes);
    out[0] = cg_scatter(zeros, (int)n->args[0], positions, grads[0]);
}

/* ---- sort, argsort, msort ---- */

static cg_tensor *sort_values(cg_tensor *t, int dim, bool descending, bool stable, cg_tensor **indices, int *wrapped) {
    int d = cg_wrap_dim(dim, t->ndim);
    if (d < 0) return NULL;
    *wrapped = d;
    cg_scope_begin();
    cg_tensor *in = contiguous_input(t);
    cg_tensor *values = in ? cg_new_on(t, t->dtype, t->ndim, t->sizes) : NULL;
    cg_tensor *positions = values ? cg_new_on(t, CG_INT64, t->ndim, t->sizes) : NULL;
    if (!positions) return cg_scope_end_keeping(NULL);
    int64_t outer, len, inner;
    lines(t, d, &outer, &len, &inner);
    if (CG_KERNEL(values, sort)(values, positions, in, outer, len, inner, descending, stable) < 0)
        return cg_scope_end_keeping(NULL);
    *indices = cg_keep(positions);
    return cg_scope_end_keeping(values);
}

static cg_tensor *sort_recorded(const cg_op *op, cg_tensor *t, int dim, bool descending, bool stable,
                                cg_tensor **indices) {
    if (!t) return NULL;
    cg_tensor *positions = NULL;
    int d = 0;
    cg_tensor *values = sort_values(t, dim, descending, stable, &positions, &d);
    if (values && indices) *indices = positions;
    return record_selection(op, t, d, values, positions);
}

cg_tensor *cg_sort(cg_tensor *t, int dim, bool descending, cg_tensor **indices) {
    return sort_recorded(&cg_op_sort, t, dim, descending, false, indices);
}

cg_tensor *cg_sort_stable(cg_tensor *t, int dim, bool descending, bool stable, cg_tensor **indices) {
    return sort_recorded(&cg_op_sort_stable, t, dim, descending, stable, indices);
}

cg_tensor *cg_msort(cg_tensor *t) { return sort_recorded(&cg_op_sort, t, 0, false, false, NULL); }

cg_tensor *cg_argsort(cg_tensor *t, int dim, bool descending, bool stable) {
    if (!t) return NULL;
    cg_tensor *positions = NULL;
    int d;
    return sort_values(t, dim, descending, stable, &positions, &d) ? positions : NULL;
}

void cg_backward_sort(cg_node *n, cg_tensor **grads, cg_tensor **out) { selection_backward(n, grads, out); }
void cg_backward_sort_stable(cg_node *n, cg_tensor **grads, cg_tensor **out) { selection_backward(n, grads, out); }

/* ---- topk ---- */

cg_tensor *cg_topk(cg_tensor *t, int64_t k, int dim, bool largest, bool sorted, cg_tensor **indices) {
    if (!t) return NULL;
    int d = cg_wrap_dim(dim, t->ndim);
    if (d < 0) return NULL;
    if (k < 0 || k > (t->ndim ? t->sizes[d] : 1)) {
        cg_set_error("selected index k out of range");
        return NULL;
    }
    bool scalar = t->ndim == 0; /* PyTorch copies a 0-dim input (whatever k) before its kernel */
    if (t->dtype == CG_BOOL && !scalar) {
        cg_set_error("\"topk_cpu\" not implemented for 'Bool'");
        return NULL;
    }
    int64_t sizes[CG_MAX_DIMS];
    memcpy(sizes, t->sizes, sizeof sizes);
    if (!scalar) sizes[d] = k;
    cg_scope_begin();
    cg_tensor *in = contiguous_input(t);
    cg_tensor *values = in ? cg_new_on(t, t->dtype, t->ndim, sizes) : NULL;
    cg_tensor *positions = values ? cg_new_on(t, CG_INT64, t->ndim, sizes) : NULL;
    int64_t outer, len, inner;
    lines(t, d, &outer, &len, &inner);
    if (!positions || CG_KERNEL(values, topk)(values, positions, in, outer, len, inner, scalar ? 1 : k, largest, sorted) < 0)
        values = NULL;
    if (values) cg_keep(positions);
    cg_scope_end_keeping(values);
    if (values && indices) *indices = positions;
    return record_selection(&cg_op_topk, t, d, values, positions);
}

void cg_backward_topk(cg_node *n, cg_tensor **grads, cg_tensor **out) { selection_backward(n, grads, out); }
