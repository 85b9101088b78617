/* Sorting: sort (stable or not), argsort, msort, topk, with PyTorch 1.13's positions for ties.
 *
 * The forward lays the input out contiguous and runs a kernel of backend/cpu/sort.c over
 * (outer, len, inner) lines; the backward scatters the gradient into zeros at the positions, as
 * PyTorch's value_selecting_reduction_backward. */
#include "autograd/registry.h"
#include "backend/backend.h"

#include <math.h>
#include <stdatomic.h>

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

/* sort's and topk's tangents: the tangent at the selected positions. */
void cg_jvp_sort(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    (void)in;
    (void)outs;
    cg_tensor *positions = cg_saved(n, 0);
    if (positions) tout[0] = tin[0]->ndim ? cg_gather(tin[0], (int)n->args[0], positions) : tin[0];
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

/* ---- kthvalue, median, nanmedian, mode ---- */

/* The selection along the wrapped dim d: one value and its position per line, d kept as size 1
 * when keepdim (a 0-dim t gives 0-dim results). */
static cg_tensor *select_along(cg_select_op op, cg_tensor *t, int d, bool keepdim, int64_t k, cg_tensor **indices) {
    int64_t sizes[CG_MAX_DIMS];
    int n = 0;
    for (int i = 0; i < t->ndim; i++)
        if (i != d || keepdim) sizes[n++] = i == d ? 1 : t->sizes[i];
    cg_scope_begin();
    cg_tensor *in = contiguous_input(t);
    cg_tensor *values = in ? cg_new_on(t, t->dtype, n, sizes) : NULL;
    cg_tensor *positions = values ? cg_new_on(t, CG_INT64, n, sizes) : NULL;
    int64_t outer, len, inner;
    lines(t, d, &outer, &len, &inner);
    if (!positions || CG_KERNEL(values, select)(op, values, positions, in, outer, len, inner, k) < 0)
        return cg_scope_end_keeping(NULL);
    *indices = cg_keep(positions);
    return cg_scope_end_keeping(values);
}

/* Records a selection along a dim (kthvalue, median(dim), nanmedian(dim), mode): the gradient goes
 * back to the positions, as PyTorch's value_selecting_reduction_backward. */
static cg_tensor *selected(const cg_op *op, cg_tensor *t, int d, bool keepdim, cg_tensor *values, cg_tensor *positions,
                           cg_tensor **indices) {
    if (values && indices) *indices = positions;
    cg_node *n = values ? cg_record(op, values, CG_INPUTS(t)) : NULL;
    if (n) {
        n->args[0] = d;
        n->args[1] = keepdim;
        n->args_meta = cg_input_meta_of(t);
        cg_save(n, 0, positions);
    }
    return cg_recorded(values);
}

static void selected_backward(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *positions = cg_saved(n, 0), *g = grads[0];
    const cg_input_meta *in = &n->args_meta;
    int d = (int)n->args[0];
    if (!positions || !g) return;
    if (!n->args[1] && in->ndim > 0) {
        g = cg_unsqueeze(g, d);
        positions = cg_unsqueeze(positions, d);
    }
    out[0] = cg_scatter(cg_zeros_on(g, g->dtype, in->ndim, in->sizes), d, positions, g);
}

static int check_kernel_dtype(const cg_tensor *t, const char *kernel) {
    if (t->dtype != CG_BOOL) return 0;
    cg_set_error("\"%s\" not implemented for 'Bool'", kernel);
    return -1;
}

cg_tensor *cg_kthvalue(cg_tensor *t, int64_t k, int dim, bool keepdim, cg_tensor **indices) {
    if (!t) return NULL;
    int d = cg_wrap_dim(dim, t->ndim);
    if (d < 0) return NULL;
    if (t->ndim > 0 && t->sizes[d] == 0) {
        cg_set_index_error("kthvalue(): Expected reduction dim %d to have non-zero size.", d);
        return NULL;
    }
    if (k < 1 || k > (t->ndim ? t->sizes[d] : 1)) {
        cg_set_error("kthvalue(): selected number k out of range for dimension %d", d);
        return NULL;
    }
    if (t->ndim > 0 && check_kernel_dtype(t, "kthvalue_cpu") < 0) return NULL; /* a 0-dim input is copied */
    cg_tensor *positions = NULL;
    cg_tensor *values = select_along(CG_SELECT_KTH, t, d, keepdim, k - 1, &positions);
    return selected(&cg_op_kthvalue, t, d, keepdim, values, positions, indices);
}

/* median(dim) and nanmedian(dim): an empty dim has no median. */
static cg_tensor *median_dim(const cg_op *op, cg_tensor *t, int dim, bool keepdim, cg_tensor **indices, bool nan) {
    if (!t) return NULL;
    int d = cg_wrap_dim(dim, t->ndim);
    if (d < 0 || check_kernel_dtype(t, "median_out") < 0) return NULL;
    if (t->ndim > 0 && t->sizes[d] == 0) {
        cg_set_index_error("median(): Expected reduction dim %d to have non-zero size.", d);
        return NULL;
    }
    cg_tensor *positions = NULL;
    cg_tensor *values = select_along(nan ? CG_SELECT_NANMEDIAN : CG_SELECT_MEDIAN, t, d, keepdim, 0, &positions);
    return selected(op, t, d, keepdim, values, positions, indices);
}

cg_tensor *cg_median_dim(cg_tensor *t, int dim, bool keepdim, cg_tensor **indices) {
    return median_dim(&cg_op_median_dim, t, dim, keepdim, indices, false);
}

cg_tensor *cg_nanmedian_dim(cg_tensor *t, int dim, bool keepdim, cg_tensor **indices) {
    return median_dim(&cg_op_nanmedian_dim, t, dim, keepdim, indices, true);
}

/* median() and nanmedian() of every element (NaN for none, as PyTorch 1.13's, cast to the dtype). */
static cg_tensor *median_all(const cg_op *op, cg_tensor *t, bool nan) {
    if (!t || check_kernel_dtype(t, "median_cpu") < 0) return NULL;
    cg_tensor *value = NULL, *positions = NULL;
    if (t->numel == 0) {
        value = cg_full_on(cg_backend_of(t), t->dtype, 0, NULL,
                           t->dtype == CG_INT64 ? cg_number_int(INT64_MIN) : cg_number_float(NAN));
    } else {
        cg_scope_begin();
        cg_tensor *flat = NULL;
        CG_NO_GRAD { flat = cg_reshape(t, -1); }
        value = flat ? select_along(nan ? CG_SELECT_NANMEDIAN : CG_SELECT_MEDIAN, flat, 0, false, 0, &positions) : NULL;
        value = cg_scope_end_keeping(value);
    }
    cg_node *n = value ? cg_record(op, value, CG_INPUTS(t)) : NULL;
    if (n) {
        cg_save(n, 0, t);
        cg_save(n, 1, value);
    }
    return cg_recorded(value);
}

cg_tensor *cg_median(cg_tensor *t) { return median_all(&cg_op_median, t, false); }
cg_tensor *cg_nanmedian(cg_tensor *t) { return median_all(&cg_op_nanmedian, t, true); }

/* PyTorch's evenly_distribute_backward: the gradient shared among the elements equal to the result
 * (the NaNs when it is NaN), written into zeros. */
static void median_all_backward(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *x = cg_saved(n, 0), *result = cg_saved(n, 1);
    if (!x || !result || !grads[0]) return;
    bool nan_result = cg_has_bytes(result) && isnan(cg_item(result));
    cg_tensor *mask = nan_result ? cg_ne(x, x) : cg_eq(x, result);
    out[0] = cg_masked_fill_tensor(cg_zeros_on(grads[0], grads[0]->dtype, x->ndim, x->sizes), mask,
                                   cg_div(grads[0], cg_sum(mask)));
}

cg_tensor *cg_mode(cg_tensor *t, int dim, bool keepdim, cg_tensor **indices) {
    if (!t) return NULL;
    int d = cg_wrap_dim(dim, t->ndim);
    if (d < 0) return NULL;
    if (t->ndim > 0 && t->sizes[d] == 0) {
        cg_set_index_error("mode(): Expected reduction dim %d to have non-zero size.", d);
        return NULL;
    }
    cg_tensor *positions = NULL;
    cg_tensor *values = select_along(CG_SELECT_MODE, t, d, keepdim, 0, &positions);
    return selected(&cg_op_mode, t, d, keepdim, values, positions, indices);
}

/* kthvalue's, median's (along a dim) and mode's tangents: the tangent at the selected positions. */
void cg_jvp_kthvalue(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    (void)in;
    (void)outs;
    cg_tensor *positions = cg_saved(n, 0);
    int d = (int)n->args[0];
    bool squeezed = !n->args[1] && tin[0]->ndim > 0;
    if (!positions) return;
    if (tin[0]->ndim == 0) {
        tout[0] = tin[0];
        return;
    }
    cg_tensor *picked = cg_gather(tin[0], d, squeezed ? cg_unsqueeze(positions, d) : positions);
    tout[0] = squeezed ? cg_squeeze_dim(picked, d) : picked;
}

void cg_backward_kthvalue(cg_node *n, cg_tensor **grads, cg_tensor **out) { selected_backward(n, grads, out); }
void cg_backward_median_dim(cg_node *n, cg_tensor **grads, cg_tensor **out) { selected_backward(n, grads, out); }
void cg_backward_nanmedian_dim(cg_node *n, cg_tensor **grads, cg_tensor **out) { selected_backward(n, grads, out); }
void cg_backward_mode(cg_node *n, cg_tensor **grads, cg_tensor **out) { selected_backward(n, grads, out); }
void cg_backward_median(cg_node *n, cg_tensor **grads, cg_tensor **out) { median_all_backward(n, grads, out); }
void cg_backward_nanmedian(cg_node *n, cg_tensor **grads, cg_tensor **out) { median_all_backward(n, grads, out); }

/* ---- searchsorted, bucketize ---- */

cg_tensor *cg_searchsorted(cg_tensor *sorted, cg_tensor *values, bool right) {
    if (!sorted || !values) return NULL;
    if (values->ndim == 0 && sorted->ndim != 1) {
        cg_set_error("torch.searchsorted(): input value can be a scalar only when boundaries tensor dimension is 1, "
                     "but we got boundaries tensor dim(%d) and input value's dim(%d) numel(%lld)",
                     sorted->ndim, values->ndim, (long long)values->numel);
        return NULL;
    }
    if (sorted->ndim == 0) {
        cg_set_error("torch.searchsorted(): boundaries tensor should have positive dimension, but got 0 dimension");
        return NULL;
    }
    bool matched = sorted->ndim == values->ndim;
    for (int d = 0; matched && d < sorted->ndim - 1; d++) matched = sorted->sizes[d] == values->sizes[d];
    if (sorted->ndim != 1 && !matched) {
        cg_set_error("torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 dimensions of "
                     "boundaries tensor and input value tensor must match, but we got boundaries tensor %s and input "
                     "value tensor %s", cg_shape_text(sorted->ndim, sorted->sizes).s,
                     cg_shape_text(values->ndim, values->sizes).s);
        return NULL;
    }
    cg_dtype dtype = cg_result_type(sorted, values);
    if (dtype == CG_BOOL) {
        cg_set_error("\"searchsorted_out_cpu\" not implemented for 'Bool'");
        return NULL;
    }
    /* PyTorch's TORCH_WARN_ONCE about the copies of non-contiguous operands */
    static atomic_bool warned_values, warned_boundaries;
    if (!cg_is_contiguous(values) && !atomic_exchange(&warned_values, true))
        cg_warn("torch.searchsorted(): input value tensor is non-contiguous, this will lower the performance due to "
                "extra data copy when converting non-contiguous tensor to contiguous, please use contiguous input "
                "value tensor if possible. This message will only appear once per program.");
    if (!cg_is_contiguous(sorted) && !atomic_exchange(&warned_boundaries, true))
        cg_warn("torch.searchsorted(): boundary tensor is non-contiguous, this will lower the performance due to "
                "extra data copy when converting non-contiguous tensor to contiguous, please use contiguous boundary "
                "tensor if possible. This message will only appear once per program.");
    cg_tensor *out = NULL;
    cg_scope_begin();
    CG_NO_GRAD {
        cg_tensor *b = cg_contiguous(cg_to(sorted, dtype)), *v = cg_contiguous(cg_to(values, dtype));
        out = b && v ? cg_new_on(values, CG_INT64, values->ndim, values->sizes) : NULL;
        /* 1-D sorted: one row for every value; else one row per leading index, values' last dim each */
        bool one = sorted->ndim == 1;
        int64_t len = sorted->sizes[sorted->ndim - 1];
        int64_t rows = one ? 1 : cg_shape_numel(sorted->ndim - 1, sorted->sizes);
        int64_t per_row = one ? values->numel : values->sizes[values->ndim - 1];
        if (out) CG_KERNEL(out, searchsorted)(out, b, v, rows, len, per_row, right);
    }
    return cg_scope_end_keeping(out);
}

cg_tensor *cg_bucketize(cg_tensor *input, cg_tensor *boundaries, bool right) {
    if (!input || !boundaries) return NULL;
    if (boundaries->ndim != 1) {
        cg_set_error("boundaries tensor must be 1 dimension, but got dim(%d)", boundaries->ndim);
        return NULL;
    }
    return cg_searchsorted(boundaries, input, right);
}
