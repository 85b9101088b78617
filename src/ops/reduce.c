/* Reductions: sum, mean, var, std, norm, prod, max, min, argmax, argmin.
 *
 * Each op checks its arguments with PyTorch's messages, works out the result's dtype and shape,
 * arranges the input as rows (kept dims first, reduced dims last, contiguous) and calls a kernel
 * from backend/cpu/reduce.c. Temporaries live in an inner scope that ends with the op, so a copy made
 * to arrange the rows is freed at once; only the results reach the caller's scope. */
#include "autograd/registry.h"
#include "backend/backend.h"
#include "ops/elementwise.h"

#include <math.h>
#include <string.h>

/* Marks the reduced dims in reduced[] (every dim when ndims is 0). Dims are wrapped and checked in
 * order, as PyTorch does, so the first bad one names the error; with wrap_first (PyTorch's
 * structured reductions: sum, mean, norm) every dim is wrapped before repeats are looked for. */
static int mark_reduced_dims(const cg_tensor *t, int ndims, const int *dims, bool *reduced, bool wrap_first) {
    memset(reduced, 0, CG_MAX_DIMS * sizeof *reduced);
    if (ndims < 0 || ndims > CG_MAX_DIMS) {
        cg_set_error("the list of dims must hold 0 to %d dims, got %d", CG_MAX_DIMS, ndims);
        return -1;
    }
    if (ndims == 0) {
        for (int d = 0; d < CG_MAX_DIMS; d++) reduced[d] = true;
        return 0;
    }
    for (int i = 0; wrap_first && i < ndims; i++)
        if (cg_wrap_dim(dims[i], t->ndim) < 0) return -1;
    for (int i = 0; i < ndims; i++) {
        int d = cg_wrap_dim(dims[i], t->ndim);
        if (d < 0) return -1;
        if (reduced[d]) {
            cg_set_error("dim %d appears multiple times in the list of dims", d);
            return -1;
        }
        reduced[d] = true;
    }
    return 0;
}

/* The input seen as rows: how many, and how long. */
typedef struct {
    cg_tensor *input;  /* contiguous, reduced dims last */
    int64_t nrows, len;
    int out_ndim;
    int64_t out_sizes[CG_MAX_DIMS];
} rows_layout;

/* The result's shape: t's sizes without the reduced dims, or with 1 for them when keepdim. */
static void result_shape(rows_layout *r, const cg_tensor *t, const bool *reduced, bool keepdim) {
    r->out_ndim = 0;
    for (int d = 0; d < t->ndim; d++)
        if (!reduced[d] || keepdim) r->out_sizes[r->out_ndim++] = reduced[d] ? 1 : t->sizes[d];
}

/* Arranges t (cast to dtype) as rows and works out the result's shape. Copies only when the view
 * with the reduced dims moved last is not already contiguous (or the dtype changes). */
/* Puts the dims order[0..n) in the order PyTorch's TensorIterator walks them (its
 * reorder_dimensions: an insertion sort from the innermost dim that moves a dim outward past one of
 * smaller stride, a stride of 0 comparing with nothing), outermost first. */
static void memory_order_dims(const cg_tensor *t, int *order, int n) {
    int perm[CG_MAX_DIMS]; /* innermost first */
    for (int k = 0; k < n; k++) perm[k] = order[n - 1 - k];
    for (int i = 1; i < n; i++) {
        for (int j = i; j > 0; j--) {
            int64_t inner = t->strides[perm[j - 1]], outer = t->strides[perm[j]];
            if (inner == 0 || outer == 0 || inner <= outer) break;
            int tmp = perm[j - 1];
            perm[j - 1] = perm[j];
            perm[j] = tmp;
        }
    }
    for (int k = 0; k < n; k++) order[k] = perm[n - 1 - k];
}

/* memory_order: the reduced dims in the order PyTorch's iteration reads them (for the kernels whose
 * rounding depends on it), not in t's dim order. */
static int arrange_rows(rows_layout *r, cg_tensor *t, const bool *reduced, bool keepdim, cg_dtype dtype,
                        bool memory_order) {
    int64_t sizes[CG_MAX_DIMS], strides[CG_MAX_DIMS];
    int n = 0;
    r->nrows = 1;
    r->len = 1;
    result_shape(r, t, reduced, keepdim);
    for (int d = 0; d < t->ndim; d++) {
        if (reduced[d]) continue;
        sizes[n] = t->sizes[d];
        strides[n++] = t->strides[d];
        r->nrows *= t->sizes[d];
    }
    int order[CG_MAX_DIMS], nred = 0;
    for (int d = 0; d < t->ndim; d++)
        if (reduced[d]) order[nred++] = d;
    if (memory_order) memory_order_dims(t, order, nred);
    for (int k = 0; k < nred; k++) {
        sizes[n] = t->sizes[order[k]];
        strides[n++] = t->strides[order[k]];
        r->len *= t->sizes[order[k]];
    }
    cg_tensor *view = cg_new_view(t, t->ndim, sizes, strides, t->offset);
    if (!view) return -1;
    if (dtype == t->dtype && cg_is_contiguous(view)) {
        r->input = view;
        return 0;
    }
    r->input = cg_new_on(t, dtype, t->ndim, sizes);
    if (!r->input) return -1;
    if (dtype == t->dtype)
        CG_KERNEL(r->input, copy_tiled)(r->input, view);
    else
        CG_KERNEL(r->input, copy)(r->input, view);
    return 0;
}

static void *data(const cg_tensor *t) { return cg_bytes(t); }

/* The common shape of sum, mean, prod, var and std: rows of dtype in, one dtype result per row. */
typedef enum { REDUCE_SUM, REDUCE_MEAN, REDUCE_PROD, REDUCE_VAR, REDUCE_STD } reduce_kind;

/* When t is contiguous and its reduced dims (ignoring dims of size 1) are consecutive with kept
 * dims after them, t is (groups, len, width) blocks whose columns can be summed in place: no copy.
 * Returns false when that is not t's layout, or when width is 1 (then t is already rows). */
static bool column_layout(const cg_tensor *t, const bool *reduced, int64_t *groups, int64_t *len, int64_t *width) {
    if (!cg_is_contiguous(t)) return false;
    *groups = *len = *width = 1;
    int part = 0; /* 0: kept dims before the reduced ones, 1: reduced, 2: kept after */
    for (int d = 0; d < t->ndim; d++) {
        if (t->sizes[d] == 1) continue;
        if (reduced[d] && part == 2) return false;
        part = reduced[d] ? 1 : part == 1 ? 2 : part;
        *(part == 0 ? groups : part == 1 ? len : width) *= t->sizes[d];
    }
    return *width > 1 && *len > 1;
}

/* PyTorch's mean is the sum divided by the number of reduced elements, in the element type. */
static void divide_by_count(cg_tensor *out, const cg_tensor *t, const bool *reduced) {
    int64_t count = 1;
    for (int d = 0; d < t->ndim; d++)
        if (reduced[d]) count *= t->sizes[d];
    cg_scalar_box box;
    CG_KERNEL(out, binary)(CG_BIN_DIV, out, out, cg_box_number(&box, cg_number_int(count), out->dtype));
}

/* t.mean() in t's dtype (float32 rounding included), as a double: the mean PyTorch's variance of
 * a whole tensor measures deviations from. */
static int whole_mean(const cg_tensor *t, double *mean) {
    bool all[CG_MAX_DIMS];
    for (int d = 0; d < CG_MAX_DIMS; d++) all[d] = true;
    cg_tensor *m = cg_new_on(t, t->dtype, 0, NULL);
    if (!m) return -1;
    CG_KERNEL(m, cascade_sum)(m, t, all, false);
    divide_by_count(m, t, all);
    int status = 0;
    *mean = cg_has_bytes(m) ? cg_read_element(m, 0, &status) : 0;
    return status;
}

static cg_tensor *reduce_rows(cg_tensor *t, int ndims, const int *dims, bool keepdim, cg_dtype dtype,
                              reduce_kind kind, bool biased) {
    bool reduced[CG_MAX_DIMS];
    if (mark_reduced_dims(t, ndims, dims, reduced, kind != REDUCE_VAR && kind != REDUCE_STD) < 0) return NULL;
    cg_scope_begin();
    if ((kind == REDUCE_SUM || kind == REDUCE_MEAN || kind == REDUCE_PROD) && cg_dtype_is_floating(dtype) &&
        dtype == t->dtype) {
        rows_layout r;
        result_shape(&r, t, reduced, keepdim);
        cg_tensor *out = cg_new_on(t, dtype, r.out_ndim, r.out_sizes);
        if (out && kind == REDUCE_PROD) CG_KERNEL(out, ordered_prod)(out, t, reduced, keepdim);
        else if (out) CG_KERNEL(out, cascade_sum)(out, t, reduced, keepdim);
        if (out && kind == REDUCE_MEAN) divide_by_count(out, t, reduced);
        return cg_scope_end_keeping(out);
    }
    int64_t groups, len, width;
    if (kind == REDUCE_SUM && dtype == CG_INT64 && dtype == t->dtype && column_layout(t, reduced, &groups, &len, &width)) {
        rows_layout r;
        result_shape(&r, t, reduced, keepdim);
        cg_tensor *out = cg_new_on(t, dtype, r.out_ndim, r.out_sizes);
        if (out) CG_KERNEL(out, sum_columns_i64)(data(t), data(out), groups, len, width);
        return cg_scope_end_keeping(out);
    }
    rows_layout r;
    if (arrange_rows(&r, t, reduced, keepdim, dtype, kind == REDUCE_VAR || kind == REDUCE_STD) < 0) return cg_scope_end_keeping(NULL);
    cg_tensor *out = cg_new_on(t, dtype, r.out_ndim, r.out_sizes);
    if (!out) return cg_scope_end_keeping(NULL);
    const void *in = data(r.input);
    switch (kind) {
    case REDUCE_SUM:
    case REDUCE_MEAN: CG_KERNEL(out, sum_i64)(in, data(out), r.nrows, r.len); break; /* int64: floats took the cascade */
    case REDUCE_PROD: CG_KERNEL(out, prod_i64)(in, data(out), r.nrows, r.len); break; /* int64: floats took the above */
    case REDUCE_VAR:
    case REDUCE_STD: {
        double mean;
        bool whole = r.nrows == 1; /* PyTorch's all-reduce path */
        if (whole && whole_mean(t, &mean) < 0) return cg_scope_end_keeping(NULL);
        CG_KERNEL(out, var)(dtype, in, data(out), r.nrows, r.len, biased ? 0 : 1, kind == REDUCE_STD, whole ? &mean : NULL);
        break;
    }
    }
    return cg_scope_end_keeping(out);
}

/* Sums and products of bool count in int64, as PyTorch's do. */
static cg_dtype widened_integer(cg_dtype dtype) { return dtype == CG_BOOL ? CG_INT64 : dtype; }

/* ---- backward of reductions: the gradient spread back over the reduced dims ---- */

/* Records a reduction of a.input into out, keeping what spreading the gradient back needs:
 * the input's shape (args_meta), the reduced dims (args[d] != 0) and keepdim (args[CG_MAX_DIMS]). */
static cg_node *record_reduction(const cg_op *op, cg_tensor *out, cg_reduce_args a) {
    cg_node *n = out ? cg_record(op, out, CG_INPUTS(a.input)) : NULL;
    if (!n) return NULL;
    bool reduced[CG_MAX_DIMS];
    mark_reduced_dims(a.input, a.ndims, a.dims, reduced, false); /* checked by the forward */
    for (int d = 0; d < CG_MAX_DIMS; d++) n->args[d] = reduced[d];
    n->args[CG_MAX_DIMS] = a.keepdim;
    n->args[CG_MAX_DIMS + 1] = a.ndims == 0; /* over all elements (PyTorch's dim=None) */
    n->args_meta = cg_input_meta_of(a.input);
    return n;
}

/* grad, with the reduced dims put back (size 1) and expanded to the input's shape. */
static cg_tensor *spread(const cg_node *n, cg_tensor *grad) {
    const cg_input_meta *in = &n->args_meta;
    bool all = n->op == &cg_op_sum || n->op == &cg_op_mean; /* a 0-dim grad expands as it is, as in PyTorch */
    if (!n->args[CG_MAX_DIMS] && !all)
        for (int d = 0; d < in->ndim; d++)
            if (n->args[d]) grad = cg_unsqueeze(grad, d);
    return cg_expand_shape(grad, in->ndim, in->sizes);
}

static int64_t reduced_count(const cg_node *n) {
    int64_t count = 1;
    for (int d = 0; d < n->args_meta.ndim; d++)
        if (n->args[d]) count *= n->args_meta.sizes[d];
    return count;
}

cg_tensor *cg_sum_opts(cg_reduce_args a) {
    if (!a.input) return NULL;
    cg_tensor *out = reduce_rows(a.input, a.ndims, a.dims, a.keepdim, widened_integer(a.input->dtype), REDUCE_SUM, false);
    /* PyTorch's sum() is SumBackward0; sum(dim, keepdim) is SumBackward1 (also over every dim). */
    record_reduction(a.ndims || a.keepdim ? &cg_op_sum_dims : &cg_op_sum, out, a);
    return cg_recorded(out);
}

void cg_backward_sum(cg_node *n, cg_tensor **grads, cg_tensor **out) { out[0] = spread(n, grads[0]); }
void cg_backward_sum_dims(cg_node *n, cg_tensor **grads, cg_tensor **out) { out[0] = spread(n, grads[0]); }

cg_tensor *cg_mean_opts(cg_reduce_args a) {
    if (!a.input) return NULL;
    if (!cg_dtype_is_floating(a.input->dtype)) {
        cg_set_error("mean(): could not infer output dtype. Input dtype must be either a floating point or "
                     "complex dtype. Got: %s", cg_dtype_title(a.input->dtype));
        return NULL;
    }
    cg_tensor *out = reduce_rows(a.input, a.ndims, a.dims, a.keepdim, a.input->dtype, REDUCE_MEAN, false);
    bool dims = a.ndims || a.keepdim;
    cg_node *n = record_reduction(dims ? &cg_op_mean_dims : &cg_op_mean, out, a);
    if (dims) cg_save(n, 0, a.input); /* MeanBackward1 keeps self (for its numel) */
    return cg_recorded(out);
}

void cg_backward_mean(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    out[0] = cg_div_by_count(spread(n, grads[0]), (double)reduced_count(n));
}

void cg_backward_mean_dims(cg_node *n, cg_tensor **grads, cg_tensor **out) { cg_backward_mean(n, grads, out); }

/* sum and mean are linear: the same reduction of the tangent. */
void cg_jvp_sum(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    (void)in;
    (void)outs;
    cg_reduce_args a = {.input = tin[0], .keepdim = n->args[CG_MAX_DIMS]};
    for (int d = 0; d < n->args_meta.ndim; d++)
        if (n->args[d]) a.dims[a.ndims++] = d;
    tout[0] = n->op == &cg_op_sum || n->op == &cg_op_sum_dims ? cg_sum_opts(a) : cg_mean_opts(a);
}

/* ---- helpers of the backward formulas below ---- */

/* t (a gradient or a result) with the reduced dims put back as size 1, not expanded (the formulas
 * broadcast it): one unsqueeze per dim, as PyTorch's unsqueeze_multiple. t is left as it is for
 * keepdim, for a reduction over all elements (a 0-dim t broadcasts) and, with skip_1d, for a 1-D
 * input (var's formula skips it). */
static cg_tensor *unsqueezed(const cg_node *n, cg_tensor *t, bool skip_1d) {
    const cg_input_meta *in = &n->args_meta;
    if (!t || n->args[CG_MAX_DIMS] || n->args[CG_MAX_DIMS + 1] || (skip_1d && in->ndim == 1)) return t;
    for (int d = 0; d < in->ndim && t; d++)
        if (n->args[d]) t = cg_unsqueeze(t, d);
    return t;
}

/* The reduction's arguments again, for formulas that reduce over the same dims. */
static cg_reduce_args same_dims(const cg_node *n, cg_tensor *input, bool keepdim) {
    cg_reduce_args a = {.input = input, .keepdim = keepdim};
    for (int d = 0; d < n->args_meta.ndim; d++)
        if (n->args[d]) a.dims[a.ndims++] = d;
    return a;
}

/* A bool tensor as 0/1 in dtype: a constant factor (it never requires grad). */
static cg_tensor *as_mask(cg_tensor *condition, cg_dtype dtype) { return cg_to(condition, dtype); }

/* ---- var, std ---- */

static cg_tensor *var_or_std(cg_reduce_args a, reduce_kind kind) {
    if (!a.input) return NULL;
    if (!cg_dtype_is_floating(a.input->dtype)) {
        cg_set_error("std and var only support floating point and complex dtypes");
        return NULL;
    }
    cg_tensor *out = reduce_rows(a.input, a.ndims, a.dims, a.keepdim, a.input->dtype, kind, a.biased);
    cg_node *n = record_reduction(kind == REDUCE_VAR ? &cg_op_var : &cg_op_std, out, a);
    if (n) {
        n->scalars[0] = a.biased ? 0 : 1; /* PyTorch's correction */
        n->args[CG_MAX_DIMS + 1] |= a.input->ndim == 0; /* PyTorch's var_backward: a 0-dim input counts as dim=None */
        cg_save(n, 0, a.input);
        if (kind == REDUCE_STD) cg_save(n, 1, out);
    }
    return cg_recorded(out);
}

cg_tensor *cg_var_opts(cg_reduce_args a) { return var_or_std(a, REDUCE_VAR); }
cg_tensor *cg_std_opts(cg_reduce_args a) { return var_or_std(a, REDUCE_STD); }

/* d var / dx = 2 (x - mean(x)) / (N - correction), in PyTorch's order of operations. Over all
 * elements with N == correction, PyTorch 1.13 answers grad * inf with the gradient's 0-dim shape:
 * the engine then refuses it for an input of one element (or, uncorrected, none) with PyTorch's
 * "invalid gradient" error, and a 0-dim input gets inf (NaN for a zero gradient). */
static cg_tensor *var_grad(cg_node *n, cg_tensor *grad) {
    cg_tensor *x = cg_saved(n, 0);
    if (!x || !grad) return NULL;
    if (n->args[CG_MAX_DIMS + 1] && (double)x->numel == n->scalars[0]) return cg_mul_by_scalar(grad, cg_number_float(INFINITY));
    cg_tensor *centered = cg_sub(x, cg_mean_opts(same_dims(n, x, true)));
    double scale = 2.0 / ((double)reduced_count(n) - n->scalars[0]);
    return cg_mul(cg_mul_by_scalar(unsqueezed(n, grad, true), cg_number_float(scale)), centered);
}

void cg_backward_var(cg_node *n, cg_tensor **grads, cg_tensor **out) { out[0] = var_grad(n, grads[0]); }

/* d var = 2 sum((x - mean(x)) t) / (N - correction) (the mean's own tangent sums to 0 against x - mean). */
void cg_jvp_var(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    (void)outs;
    cg_tensor *centered = cg_sub(in[0], cg_mean_opts(same_dims(n, in[0], true)));
    double scale = 2.0 / ((double)reduced_count(n) - n->scalars[0]);
    cg_tensor *dot = cg_sum_opts(same_dims(n, cg_mul(centered, tin[0]), n->args[CG_MAX_DIMS]));
    tout[0] = cg_mul_by_scalar(dot, cg_number_float(scale));
}

/* std = sqrt(var): the gradient of var scaled by 1 / (result * 2) (C++ numbers: MulBackward1), and
 * 0 where std is 0 (a masked_fill, as PyTorch's, so the second derivative there is 0 as well). */
void cg_backward_std(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *result = cg_saved(n, 1);
    out[0] = var_grad(n, cg_masked_fill(cg_div(grads[0], cg_mul_by_scalar(result, cg_number_int(2))),
                                        cg_eq_scalar(result, 0), 0));
}

/* d std = d var / (2 std), 0 where std is 0 (as its backward). */
void cg_jvp_std(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    cg_jvp_var(n, in, tin, outs, tout);
    tout[0] = cg_masked_fill(cg_div(tout[0], cg_mul_scalar(outs[0], 2)), cg_eq_scalar(outs[0], 0), 0);
}

/* ---- prod ---- */

static cg_tensor *record_prod(const cg_op *op, cg_tensor *out, cg_reduce_args a) {
    cg_node *n = record_reduction(op, out, a);
    if (n) {
        cg_save(n, 0, a.input);
        cg_save(n, 1, out);
    }
    return cg_recorded(out);
}

cg_tensor *cg_prod(cg_tensor *t) {
    if (!t) return NULL;
    cg_tensor *out = reduce_rows(t, 0, NULL, false, widened_integer(t->dtype), REDUCE_PROD, false);
    return record_prod(&cg_op_prod, out, (cg_reduce_args){.input = t});
}

cg_tensor *cg_prod_dim(cg_tensor *t, int dim, bool keepdim) {
    if (!t) return NULL;
    cg_tensor *out = reduce_rows(t, 1, &dim, keepdim, widened_integer(t->dtype), REDUCE_PROD, false);
    return record_prod(&cg_op_prod_dim, out, (cg_reduce_args){.input = t, .ndims = 1, .dims = {dim}, .keepdim = keepdim});
}

/* The product of each slice over the node's dims, kept as a size-1 dim (0-dim for prod()). */
static cg_tensor *slice_prod(const cg_node *n, cg_tensor *t) {
    return n->op == &cg_op_prod ? cg_prod(t) : cg_prod_dim(t, same_dims(n, t, true).dims[0], true);
}

/* The product of the other elements of each slice, written so that its derivatives too are right
 * where the slice has zeros (PyTorch gets them from cumulative products). With P the product of the
 * slice's nonzeros and Z that of its zeros, a nonzero x_i gets Z P / x_i; a zero gets P times the
 * product of the slice's other zeros: 1 when it is the only zero, the other zero itself when there
 * are two (the zeros' sum minus x_i), 0 from three on. The replaced places are masked_fill'ed, so
 * no gradient reaches them through P or Z. */
static cg_tensor *others_product(const cg_node *n, cg_tensor *x) {
    cg_tensor *is_zero = cg_eq_scalar(x, 0), *nonzero = cg_ne_scalar(x, 0);
    cg_tensor *ones_for_zeros = cg_masked_fill(x, is_zero, 1);
    cg_tensor *p = slice_prod(n, ones_for_zeros), *z = slice_prod(n, cg_masked_fill(x, nonzero, 1));
    cg_tensor *count = cg_sum_opts(same_dims(n, is_zero, true));
    cg_tensor *zeros_sum = cg_sum_opts(same_dims(n, cg_masked_fill(x, nonzero, 0), true));
    if (!x || !count) return NULL;
    cg_tensor *one = cg_scalar(1, x->dtype), *zero = cg_scalar(0, x->dtype);
    cg_tensor *other_zeros =
        cg_where(cg_eq_scalar(count, 1), one, cg_where(cg_eq_scalar(count, 2), cg_sub(zeros_sum, x), zero));
    return cg_where(is_zero, cg_mul(p, other_zeros), cg_div(cg_mul(z, p), ones_for_zeros));
}

/* The product of the other elements along dim (of all, dim -1), with PyTorch's roundings
 * (prod_safe_zeros_backward):
 * the products of the elements before and after each one, each accumulated in double from its end
 * (its cumprod's accumulator) and rounded to x's dtype, then multiplied in x's dtype. No history. */
static cg_tensor *exclusive_products(cg_tensor *x, int dim) {
    cg_tensor *c = NULL, *out = NULL;
    CG_NO_GRAD { c = cg_contiguous(x); }
    if (c) out = cg_new_tensor_on(cg_backend_of(c), c->dtype, c->ndim, c->sizes);
    if (out && out->numel) CG_KERNEL(out, exclusive_products)(out, c, dim);
    return out;
}

/* The product of the others with exact (PyTorch's) values and others_product's derivatives:
 * exact - (f.detach() - f), whose value is exact's (subtracting +0. keeps a -0.) and whose gradient
 * is f's. Where f is inf or NaN the difference is NaN and is replaced by 0 (no gradient there), so
 * the value stays exact's. Without recording, exact alone. */
static cg_tensor *others(const cg_node *n, cg_tensor *x, int dim) {
    cg_tensor *exact = exclusive_products(x, dim);
    if (!cg_is_grad_enabled() || !exact) return exact;
    cg_tensor *f = others_product(n, x);
    cg_tensor *d = cg_sub(cg_detach(f), f);
    if (!d) return NULL;
    return cg_sub(exact, cg_where(cg_eq_scalar(d, 0), d, cg_scalar(0, d->dtype)));
}

/* PyTorch's prod_backward: grad * result / x without zeros; with zeros, grad times the product of
 * the others (prod() with two zeros or more: zeros, no history; a slice of one element: grad). */
static void prod_backward(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *x = cg_saved(n, 0), *result = cg_saved(n, 1);
    if (!x || !result || !grads[0]) return;
    if (x->ndim == 0) {
        out[0] = grads[0];
        return;
    }
    cg_tensor *grad = unsqueezed(n, grads[0], false);
    double zeros = cg_has_bytes(x) ? cg_item(cg_sum(cg_eq_scalar(x, 0))) : 0; /* meta: any branch has the shapes */
    if (zeros == 0) {
        out[0] = cg_mul(grad, cg_div(unsqueezed(n, result, false), x));
    } else if (n->op == &cg_op_prod) { /* PyTorch works on x flattened, then views the result as x */
        out[0] = zeros > 1 ? cg_zeros_like(x)
                 : x->numel == 1 ? cg_view_shape(grad, x->ndim, x->sizes)
                                 : cg_view_shape(cg_mul(grad, others(n, x, -1)), x->ndim, x->sizes);
    } else {
        int dim = same_dims(n, x, true).dims[0];
        out[0] = x->sizes[dim] == 1 ? grad : cg_mul(grad, others(n, x, dim));
    }
}

void cg_backward_prod(cg_node *n, cg_tensor **grads, cg_tensor **out) { prod_backward(n, grads, out); }
void cg_backward_prod_dim(cg_node *n, cg_tensor **grads, cg_tensor **out) { prod_backward(n, grads, out); }

cg_tensor *cg_norm_opts(cg_norm_args a) {
    cg_tensor *t = a.input;
    if (!t) return NULL;
    if (!cg_dtype_is_floating(t->dtype)) {
        cg_set_error("norm(): input dtype should be either floating point or complex. Got %s instead.",
                     cg_dtype_title(t->dtype));
        return NULL;
    }
    bool reduced[CG_MAX_DIMS];
    if (mark_reduced_dims(t, a.ndims, a.dims, reduced, true) < 0) return NULL;
    cg_scope_begin();
    rows_layout r;
    cg_tensor *out;
    if (!isinf(a.p)) { /* in PyTorch's order; the max or min magnitude does not depend on it */
        result_shape(&r, t, reduced, a.keepdim);
        out = cg_new_on(t, t->dtype, r.out_ndim, r.out_sizes);
        if (out && a.p == 2) CG_KERNEL(out, ordered_norm2)(out, t, reduced, a.keepdim);
        else if (out) CG_KERNEL(out, ordered_pnorm)(out, t, reduced, a.keepdim, a.p);
    } else {
        if (arrange_rows(&r, t, reduced, a.keepdim, t->dtype, false) < 0) return cg_scope_end_keeping(NULL);
        out = cg_new_on(t, t->dtype, r.out_ndim, r.out_sizes);
        if (out) CG_KERNEL(out, norm)(t->dtype, data(r.input), data(out), r.nrows, r.len, a.p);
    }
    cg_scope_end_keeping(out);
    cg_reduce_args dims = {.input = t, .ndims = a.ndims, .keepdim = a.keepdim};
    memcpy(dims.dims, a.dims, sizeof dims.dims);
    cg_node *n = record_reduction(&cg_op_norm, out, dims);
    if (n) {
        n->scalars[0] = a.p;
        cg_save(n, 0, t);
        cg_save(n, 1, out);
    }
    return cg_recorded(out);
}

/* PyTorch 1.13's norm_backward, case by case in p, in its order of operations; where the norm (or
 * x, for p < 1) is 0 a factor is masked_fill'ed to 0 (for p = 2 the factor x / norm, so an inf
 * gradient still gives NaN there, as in PyTorch). */
void cg_backward_norm(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    double p = n->scalars[0];
    if (p == 0) return; /* the count of nonzeros: PyTorch gives no gradient at all */
    cg_tensor *x = cg_saved(n, 0), *norm = cg_saved(n, 1);
    if (!x || !norm || !grads[0]) return;
    cg_tensor *grad = unsqueezed(n, grads[0], false);
    norm = unsqueezed(n, norm, false);
    cg_tensor *norm_is_zero = cg_eq_scalar(norm, 0);
    if (p == 1) {
        out[0] = cg_mul(cg_sgn(x), grad);
    } else if (p == 2) {
        out[0] = cg_mul(grad, cg_masked_fill(cg_div(x, norm), norm_is_zero, 0));
    } else if (isinf(p)) { /* the gradient of max |x| (min for -inf), shared evenly among ties */
        cg_tensor *abs_x = cg_abs(x);
        cg_tensor *mask = cg_add(as_mask(cg_eq(abs_x, norm), x->dtype), as_mask(cg_ne(abs_x, abs_x), x->dtype));
        cg_tensor *share = cg_div(grad, cg_sum_opts(same_dims(n, mask, true)));
        out[0] = cg_mul(cg_sgn(x), cg_mul(share, mask)); /* a mask product, as PyTorch's */
    } else if (p < 1) {
        cg_tensor *scaled = cg_mul(cg_sgn(x), cg_masked_fill(cg_pow_scalar(cg_abs(x), p - 1), cg_eq_scalar(x, 0), 0));
        out[0] = cg_mul(cg_mul(scaled, grad), cg_pow_scalar(norm, 1 - p));
    } else {
        cg_tensor *scaled = p < 2 ? cg_mul(cg_sgn(x), cg_pow_scalar(cg_abs(x), p - 1))
                                  : cg_mul(x, cg_pow_scalar(cg_abs(x), p - 2));
        out[0] = cg_mul(scaled, cg_masked_fill(cg_div(grad, cg_pow_scalar(norm, p - 1)), norm_is_zero, 0));
    }
}

/* d ||x||_p = sum(sgn(x) |x|^(p-1) t) / ||x||^(p-1), 0 where the norm is 0; for p = inf, the
 * tangent of the largest magnitude, averaged over ties (as its backward shares the gradient). */
void cg_jvp_norm(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    double p = n->scalars[0];
    cg_tensor *x = in[0], *t = tin[0], *norm = outs[0];
    bool keep = n->args[CG_MAX_DIMS];
    if (p == 0) {
        tout[0] = cg_zeros_like(norm);
    } else if (isinf(p)) {
        cg_tensor *hit = cg_to(cg_eq(cg_abs(x), unsqueezed(n, norm, false)), t->dtype);
        tout[0] = cg_div(cg_sum_opts(same_dims(n, cg_mul(cg_mul(cg_sgn(x), hit), t), keep)),
                         cg_sum_opts(same_dims(n, hit, keep)));
    } else {
        cg_tensor *w = p == 1 ? cg_sgn(x) : p == 2 ? x : cg_mul(cg_sgn(x), cg_pow_scalar(cg_abs(x), p - 1));
        cg_tensor *dot = cg_sum_opts(same_dims(n, cg_mul(w, t), keep));
        cg_tensor *scale = p == 1 ? NULL : p == 2 ? norm : cg_pow_scalar(norm, p - 1);
        tout[0] = p == 1 ? dot : cg_masked_fill(cg_div(dot, scale), cg_eq_scalar(norm, 0), 0);
    }
}

/* ---- max, min, argmax, argmin ---- */

/* Values and/or int64 indices of the extremes over the reduced dims; either output may be skipped. */
static int extremes(cg_tensor *t, const bool *reduced, bool keepdim, bool want_max, cg_tensor **values,
                    cg_tensor **indices) {
    rows_layout r;
    if (arrange_rows(&r, t, reduced, keepdim, t->dtype, false) < 0) return -1;
    if (values && !(*values = cg_new_on(t, t->dtype, r.out_ndim, r.out_sizes))) return -1;
    if (indices && !(*indices = cg_new_on(t, CG_INT64, r.out_ndim, r.out_sizes))) return -1;
    if (r.nrows > 0)
        CG_KERNEL(r.input, extreme)(t->dtype, data(r.input), values ? data(*values) : NULL, indices ? data(*indices) : NULL,
                          r.nrows, r.len, want_max);
    return 0;
}

static const bool reduce_all[CG_MAX_DIMS] = {true, true, true, true, true, true, true, true};

static cg_tensor *extreme_all(cg_tensor *t, bool want_max) {
    if (!t) return NULL;
    if (t->numel == 0) {
        cg_set_error("%s(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction "
                     "dim with the 'dim' argument.", want_max ? "max" : "min");
        return NULL;
    }
    cg_scope_begin();
    rows_layout r;
    cg_tensor *value = arrange_rows(&r, t, reduce_all, false, t->dtype, false) < 0 ? NULL : cg_new_on(t, t->dtype, 0, NULL);
    if (value) CG_KERNEL(r.input, extreme_all)(t->dtype, data(r.input), data(value), t->numel, want_max);
    return cg_scope_end_keeping(value);
}

static cg_tensor *record_extreme_all(const cg_op *op, cg_tensor *t, cg_tensor *out) {
    cg_node *n = out ? cg_record(op, out, CG_INPUTS(t)) : NULL;
    if (n) {
        cg_save(n, 0, t);
        cg_save(n, 1, out);
    }
    return cg_recorded(out);
}

cg_tensor *cg_max(cg_tensor *t) { return record_extreme_all(&cg_op_max, t, extreme_all(t, true)); }
cg_tensor *cg_min(cg_tensor *t) { return record_extreme_all(&cg_op_min, t, extreme_all(t, false)); }

/* PyTorch 1.13's evenly_distribute_backward: the gradient is shared evenly among the elements
 * equal to the result (the NaNs, when the result is NaN), written into zeros (0 elsewhere, never
 * -0 or inf * 0). */
static void extreme_all_backward(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *x = cg_saved(n, 0), *result = cg_saved(n, 1);
    if (!x || !result || !grads[0]) return;
    bool nan_result = cg_has_bytes(result) && isnan(cg_item(result));
    cg_tensor *mask = nan_result ? cg_ne(x, x) : cg_eq(x, result);
    out[0] = cg_masked_fill_tensor(cg_zeros_on(grads[0], grads[0]->dtype, x->ndim, x->sizes), mask,
                                   cg_div(grads[0], cg_sum(mask)));
    if (out[0]) cg_bump_version(out[0]); /* PyTorch fills its zeros with masked_fill_ */
}

void cg_backward_max(cg_node *n, cg_tensor **grads, cg_tensor **out) { extreme_all_backward(n, grads, out); }
void cg_backward_min(cg_node *n, cg_tensor **grads, cg_tensor **out) { extreme_all_backward(n, grads, out); }

/* The tangent averaged over the elements equal to the result (the NaNs, when it is NaN). */
void cg_jvp_max(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    (void)n;
    cg_tensor *x = in[0], *result = outs[0];
    bool nan_result = cg_has_bytes(result) && isnan(cg_item(result));
    cg_tensor *mask = cg_to(nan_result ? cg_ne(x, x) : cg_eq(x, result), tin[0]->dtype);
    tout[0] = cg_div(cg_sum(cg_mul(tin[0], mask)), cg_sum(mask));
}

/* Wraps dim and rejects reducing an empty dim; PyTorch's messages. */
static int check_extreme_dim(const cg_tensor *t, int dim, const char *name) {
    int d = cg_wrap_dim(dim, t->ndim);
    if (d < 0) return -1;
    if (t->ndim > 0 && t->sizes[d] == 0) {
        cg_set_index_error("%s(): Expected reduction dim %d to have non-zero size.", name, d);
        return -1;
    }
    return d;
}

static cg_tensor *extreme_dim(cg_tensor *t, int dim, bool keepdim, cg_tensor **indices, bool want_max) {
    if (!t) return NULL;
    int d = check_extreme_dim(t, dim, want_max ? "max" : "min");
    if (d < 0) return NULL;
    bool reduced[CG_MAX_DIMS] = {false};
    reduced[d] = true;
    cg_scope_begin();
    cg_tensor *values = NULL, *positions = NULL;
    if (extremes(t, reduced, keepdim, want_max, &values, indices ? &positions : NULL) < 0) values = NULL;
    if (values && indices) *indices = cg_keep(positions);
    return cg_scope_end_keeping(values);
}

/* Only the values are differentiable: the node records them alone (the indices never require
 * grad, as in PyTorch) and keeps the indices to route the gradient. */
static cg_tensor *extreme_dim_recorded(const cg_op *op, cg_tensor *t, int dim, bool keepdim, cg_tensor **indices,
                                       bool want_max) {
    cg_tensor *positions = NULL;
    bool record = t && ((cg_is_grad_enabled() && cg_requires_grad(t)) || (cg_fwd_active() && cg_tangent(t)));
    cg_tensor *values = extreme_dim(t, dim, keepdim, indices || record ? &positions : NULL, want_max);
    if (indices && values) *indices = positions; /* nothing written on error */
    cg_node *n = values ? record_reduction(op, values, (cg_reduce_args){.input = t, .ndims = 1, .dims = {dim},
                                                                         .keepdim = keepdim})
                        : NULL;
    if (n) cg_save(n, 0, positions);
    return cg_recorded(values);
}

cg_tensor *cg_max_dim(cg_tensor *t, int dim, bool keepdim, cg_tensor **indices) {
    return extreme_dim_recorded(&cg_op_max_dim, t, dim, keepdim, indices, true);
}

cg_tensor *cg_min_dim(cg_tensor *t, int dim, bool keepdim, cg_tensor **indices) {
    return extreme_dim_recorded(&cg_op_min_dim, t, dim, keepdim, indices, false);
}

/* PyTorch's value_selecting_reduction_backward: the gradient scattered into zeros at the selected
 * positions (no mask multiplied in: an inf gradient leaves the other places 0, not NaN). */
static void extreme_dim_backward(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *positions = cg_saved(n, 0);
    const cg_input_meta *in = &n->args_meta;
    if (!positions || !grads[0]) return;
    int dim = 0;
    while (in->ndim > 0 && !n->args[dim]) dim++;
    /* A 0-dim input scatters too: under create_graph its gradient is ScatterBackward0's, not grads[0]. */
    cg_tensor *zeros = cg_zeros_on(grads[0], grads[0]->dtype, in->ndim, in->sizes);
    out[0] = cg_scatter(zeros, dim, unsqueezed(n, positions, false), unsqueezed(n, grads[0], false));
}

void cg_backward_max_dim(cg_node *n, cg_tensor **grads, cg_tensor **out) { extreme_dim_backward(n, grads, out); }
void cg_backward_min_dim(cg_node *n, cg_tensor **grads, cg_tensor **out) { extreme_dim_backward(n, grads, out); }

/* The tangent at the selected positions. */
void cg_jvp_max_dim(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    (void)in;
    (void)outs;
    cg_tensor *positions = cg_saved(n, 0);
    if (!positions) return;
    int dim = 0;
    while (n->args_meta.ndim > 0 && !n->args[dim]) dim++;
    cg_tensor *picked = cg_gather(tin[0], dim, unsqueezed(n, positions, false));
    tout[0] = n->args[CG_MAX_DIMS] || n->args_meta.ndim == 0 ? picked : cg_squeeze_dim(picked, dim);
}

static void set_arg_not_implemented(bool want_max) {
    cg_set_error("\"%s_cpu\" not implemented for 'Bool'", want_max ? "argmax" : "argmin");
}

static cg_tensor *arg_extreme_all(cg_tensor *t, bool want_max) {
    if (!t) return NULL;
    const char *name = want_max ? "argmax" : "argmin";
    if (t->numel == 0) {
        cg_set_index_error("%s(): Expected reduction dim to be specified for input.numel() == 0.", name);
        return NULL;
    }
    if (t->dtype == CG_BOOL) {
        set_arg_not_implemented(want_max);
        return NULL;
    }
    cg_scope_begin();
    cg_tensor *positions = NULL;
    extremes(t, reduce_all, false, want_max, NULL, &positions);
    return cg_scope_end_keeping(positions);
}

cg_tensor *cg_argmax(cg_tensor *t) { return arg_extreme_all(t, true); }
cg_tensor *cg_argmin(cg_tensor *t) { return arg_extreme_all(t, false); }

static cg_tensor *arg_extreme_dim(cg_tensor *t, int dim, bool keepdim, bool want_max) {
    if (!t) return NULL;
    int d = check_extreme_dim(t, dim, want_max ? "argmax" : "argmin");
    if (d < 0) return NULL;
    /* PyTorch answers zeros for a dim of size 1, and nothing for an empty result, before its kernel
     * (which has no bool version) runs. */
    bool size_one = t->ndim > 0 && t->sizes[d] == 1;
    bool empty_result = t->ndim > 0 && t->numel == 0;
    if (t->dtype == CG_BOOL && !size_one && !empty_result) {
        set_arg_not_implemented(want_max);
        return NULL;
    }
    bool reduced[CG_MAX_DIMS] = {false};
    reduced[d] = true;
    cg_scope_begin();
    cg_tensor *positions = NULL;
    extremes(t, reduced, keepdim, want_max, NULL, &positions);
    return cg_scope_end_keeping(positions);
}

cg_tensor *cg_argmax_dim(cg_tensor *t, int dim, bool keepdim) { return arg_extreme_dim(t, dim, keepdim, true); }
cg_tensor *cg_argmin_dim(cg_tensor *t, int dim, bool keepdim) { return arg_extreme_dim(t, dim, keepdim, false); }

/* ---- var_mean, std_mean ---- */

/* PyTorch 1.13's std_var_mean_out: Welford's variance (or std) and mean in one pass in memory
 * order, over every element too (where var() takes the two-pass path); NaN for an empty input. */
static cg_tensor *var_mean(cg_reduce_args a, cg_tensor **mean_out, bool take_sqrt) {
    cg_tensor *t = a.input;
    if (!t) return NULL;
    if (!cg_dtype_is_floating(t->dtype)) {
        cg_set_error("%s only support floating point and complex dtypes", take_sqrt ? "std_mean" : "var_mean");
        return NULL;
    }
    bool reduced[CG_MAX_DIMS];
    if (mark_reduced_dims(t, a.ndims, a.dims, reduced, false) < 0) return NULL;
    cg_scope_begin();
    rows_layout r;
    cg_tensor *var = NULL, *mean = NULL;
    if (arrange_rows(&r, t, reduced, a.keepdim, t->dtype, true) == 0) {
        var = cg_new_on(t, t->dtype, r.out_ndim, r.out_sizes);
        mean = var ? cg_new_on(t, t->dtype, r.out_ndim, r.out_sizes) : NULL;
    }
    if (mean && t->numel == 0) {
        CG_KERNEL(var, fill)(var, cg_number_float(NAN));
        CG_KERNEL(mean, fill)(mean, cg_number_float(NAN));
    } else if (mean) {
        CG_KERNEL(var, var_mean)(t->dtype, data(r.input), data(var), data(mean), r.nrows, r.len, a.biased ? 0 : 1,
                                 take_sqrt);
    }
    if (mean) cg_keep(mean);
    var = cg_scope_end_keeping(mean ? var : NULL);
    cg_node *n = NULL;
    if (var && cg_grad_mode_on() && cg_any_requires_grad(1, &a.input)) {
        n = cg_record_multi(take_sqrt ? &cg_op_std_mean : &cg_op_var_mean, 2, (cg_tensor *[]){var, mean}, 1, &a.input);
    } else {
        cg_record_mark_ = cg_alloc_failures_;
    }
    if (n) {
        mark_reduced_dims(t, a.ndims, a.dims, reduced, false);
        for (int d = 0; d < CG_MAX_DIMS; d++) n->args[d] = reduced[d];
        n->args[CG_MAX_DIMS] = a.keepdim;
        n->args[CG_MAX_DIMS + 1] = a.ndims == 0 || t->ndim == 0;
        n->args_meta = cg_input_meta_of(t);
        n->scalars[0] = a.biased ? 0 : 1;
        cg_save(n, 0, t);
        if (take_sqrt) cg_save(n, 1, var);
    }
    if (!cg_recorded(var)) return NULL;
    if (mean_out) *mean_out = mean;
    return var;
}

cg_tensor *cg_var_mean_opts(cg_tensor **mean, cg_reduce_args a) { return var_mean(a, mean, false); }
cg_tensor *cg_std_mean_opts(cg_tensor **mean, cg_reduce_args a) { return var_mean(a, mean, true); }

/* PyTorch's var_mean_backward / std_mean_backward: the variance's (std's) gradient plus the mean's. */
static void var_mean_backward(cg_node *n, cg_tensor **grads, cg_tensor **out, bool std) {
    cg_tensor *g = NULL;
    if (grads[0] && std) {
        cg_tensor *result = cg_saved(n, 1);
        g = var_grad(n, cg_masked_fill(cg_div(grads[0], cg_mul_by_scalar(result, cg_number_int(2))),
                                       cg_eq_scalar(result, 0), 0));
    } else if (grads[0]) {
        g = var_grad(n, grads[0]);
    }
    if (grads[1]) {
        cg_tensor *aux = cg_div_by_count(spread(n, grads[1]), (double)reduced_count(n));
        g = g ? cg_add(g, aux) : aux;
    }
    out[0] = g;
}

void cg_backward_var_mean(cg_node *n, cg_tensor **grads, cg_tensor **out) { var_mean_backward(n, grads, out, false); }
void cg_backward_std_mean(cg_node *n, cg_tensor **grads, cg_tensor **out) { var_mean_backward(n, grads, out, true); }
