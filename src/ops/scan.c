/* Cumulative scans along a dim: cumsum, cumprod, logcumsumexp, cummax, cummin.
 *
 * The forward lays the input out contiguous in the result's dtype and runs one kernel
 * (backend/cpu/scan.c) over (outer, len, inner) blocks; the backward formulas are PyTorch 1.13's,
 * written with differentiable ops so that they differentiate again. */
#include "autograd/registry.h"
#include "backend/backend.h"

#include <float.h>
#include <math.h>

/* t as contiguous in dtype: t itself when it already is. */
static cg_tensor *contiguous_as(cg_tensor *t, cg_dtype dtype) {
    if (t->dtype == dtype && cg_is_contiguous_inline(t)) return t;
    cg_tensor *c = cg_new_on(t, dtype, t->ndim, t->sizes);
    if (c && c->numel) CG_KERNEL(c, copy)(c, t);
    return c;
}

/* The scan of t along the wrapped dim d in dtype (a new contiguous tensor), and the int64
 * positions for cummax/cummin when indices is given. */
static cg_tensor *scan(cg_tensor *t, int d, cg_dtype dtype, cg_scan_op op, bool reverse, cg_tensor **indices) {
    cg_scope_begin();
    cg_tensor *in = contiguous_as(t, dtype);
    cg_tensor *out = in ? cg_new_on(t, dtype, t->ndim, t->sizes) : NULL;
    cg_tensor *pos = out && indices ? cg_new_on(t, CG_INT64, t->ndim, t->sizes) : NULL;
    if (!out || (indices && !pos)) return cg_scope_end_keeping(NULL);
    int64_t outer = 1, len = t->ndim ? t->sizes[d] : 1, inner = 1;
    for (int k = 0; k < t->ndim; k++) {
        if (k < d) outer *= t->sizes[k];
        if (k > d) inner *= t->sizes[k];
    }
    CG_KERNEL(out, scan)(op, out, pos, in, outer, len, inner, reverse);
    if (indices) *indices = cg_keep(pos);
    return cg_scope_end_keeping(out);
}

static void not_implemented(const char *kernel, cg_dtype dtype) {
    cg_set_error("\"%s\" not implemented for '%s'", kernel, cg_dtype_title(dtype));
}

/* ---- cumsum, cumprod ---- */

static cg_tensor *cum_sum_or_prod(cg_tensor *t, int dim, const cg_dtype *dtype, bool prod) {
    if (!t) return NULL;
    int d = cg_wrap_dim(dim, t->ndim);
    if (d < 0) return NULL;
    /* PyTorch's integral inputs (bool too) accumulate in int64 unless a dtype is given. */
    cg_dtype to = dtype ? *dtype : cg_is_floating_inline(t->dtype) ? t->dtype : CG_INT64;
    if (to == CG_BOOL) {
        not_implemented(prod ? "cumprod_out_cpu" : "cumsum_out_cpu", to);
        return NULL;
    }
    cg_tensor *out = scan(t, d, to, prod ? CG_SCAN_PROD : CG_SCAN_SUM, false, NULL);
    cg_node *n = out ? cg_record(prod ? &cg_op_cumprod : &cg_op_cumsum, out, CG_INPUTS(t)) : NULL;
    if (n) {
        n->args[0] = d;
        n->args_meta = cg_input_meta_of(t);
        if (prod) {
            cg_save(n, 0, t);
            cg_save(n, 1, out);
        }
    }
    return cg_recorded(out);
}

cg_tensor *cg_cumsum(cg_tensor *t, int dim) { return cum_sum_or_prod(t, dim, NULL, false); }
cg_tensor *cg_cumsum_dtype(cg_tensor *t, int dim, cg_dtype dtype) { return cum_sum_or_prod(t, dim, &dtype, false); }
cg_tensor *cg_cumprod(cg_tensor *t, int dim) { return cum_sum_or_prod(t, dim, NULL, true); }
cg_tensor *cg_cumprod_dtype(cg_tensor *t, int dim, cg_dtype dtype) { return cum_sum_or_prod(t, dim, &dtype, true); }

/* PyTorch's reversed_cumsum: flip, cumsum, flip. */
static cg_tensor *reversed_cumsum(cg_tensor *t, int d) { return cg_flip(cg_cumsum(cg_flip(t, d), d), d); }

void cg_backward_cumsum(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    const cg_input_meta *in = &n->args_meta;
    cg_tensor *g = cg_to(grads[0], in->dtype);
    int d = (int)n->args[0];
    if (!g || g->numel <= 1 || g->sizes[d] == 1) {
        out[0] = g;
        return;
    }
    out[0] = reversed_cumsum(g, d);
}

/* cumsum is linear: the tangent's. */
void cg_jvp_cumsum(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    (void)in;
    (void)outs;
    tout[0] = cg_cumsum(tin[0], (int)n->args[0]);
}

/* d y_j / d x_k for y = cumprod(x) where x has zeros: for each k, the products of x[0..j] without
 * x[k] (j >= k) against grad[k..], summed; PyTorch's O(n^2) formula, differentiable. */
static cg_tensor *cumprod_grad_with_zeros(cg_tensor *grad, cg_tensor *x, int d) {
    int64_t size = x->sizes[d];
    int64_t ones_sizes[CG_MAX_DIMS];
    memcpy(ones_sizes, x->sizes, sizeof ones_sizes);
    ones_sizes[d] = 1;
    cg_tensor *ones = cg_ones_shape(x->dtype, x->ndim, ones_sizes);
    cg_tensor *parts[64], **list = size <= 64 ? parts : cg_malloc((size_t)size * sizeof *list);
    if (!list) return NULL;
    for (int64_t k = 0; k < size; k++) {
        cg_tensor *omitted;
        if (k == 0) {
            omitted = cg_cat(CG_LIST(ones, cg_cumprod(cg_slice(x, d, 1, size, 1), d)), d);
        } else {
            cg_tensor *until_k = cg_prod_dim(cg_slice(x, d, 0, k, 1), d, true);
            if (k == size - 1) {
                omitted = until_k;
            } else {
                cg_tensor *from_k1 = cg_cumprod(cg_slice(x, d, k + 1, size, 1), d);
                omitted = cg_cat(CG_LIST(until_k, cg_mul(until_k, from_k1)), d);
            }
        }
        list[k] = cg_sum(cg_mul(cg_slice(grad, d, k, size, 1), omitted), CG_DIMS(d));
    }
    cg_tensor *result = cg_stack(list, (int)size, d);
    if (list != parts) cg_free(list);
    return result;
}

void cg_backward_cumprod(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *x = cg_saved(n, 0), *y = cg_saved(n, 1);
    cg_tensor *g = cg_to(grads[0], n->args_meta.dtype);
    int d = (int)n->args[0];
    if (!x || !y || !g) return;
    if (x->numel <= 1 || x->sizes[d] == 1) {
        out[0] = g;
        return;
    }
    bool zeros = cg_has_bytes(x) && cg_item(cg_sum(cg_eq_scalar(x, 0))) > 0;
    out[0] = zeros ? cumprod_grad_with_zeros(g, x, d) : cg_div(reversed_cumsum(cg_mul(y, g), d), x);
}

/* ---- logcumsumexp ---- */

cg_tensor *cg_logcumsumexp(cg_tensor *t, int dim) {
    if (!t) return NULL;
    int d = cg_wrap_dim(dim, t->ndim);
    if (d < 0) return NULL;
    if (!cg_is_floating_inline(t->dtype)) {
        not_implemented("logcumsumexp_out_cpu", t->dtype);
        return NULL;
    }
    cg_tensor *out = scan(t, d, t->dtype, CG_SCAN_LOGSUMEXP, false, NULL);
    cg_node *n = out ? cg_record(&cg_op_logcumsumexp, out, CG_INPUTS(t)) : NULL;
    if (n) {
        n->args[0] = d;
        cg_save(n, 0, t);
        cg_save(n, 1, out);
    }
    return cg_recorded(out);
}

static cg_tensor *reversed_logcumsumexp(cg_tensor *t, int d) { return cg_flip(cg_logcumsumexp(cg_flip(t, d), d), d); }

/* PyTorch's logcumsumexp_backward (TensorFlow's formula): the positive and negative parts of the
 * gradient, each carried through a reversed logcumsumexp in log space. */
void cg_backward_logcumsumexp(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *x = cg_saved(n, 0), *result = cg_saved(n, 1), *g = grads[0];
    int d = (int)n->args[0];
    if (!x || !result || !g) return;
    if (g->ndim == 0 || g->numel == 0) {
        out[0] = g;
        return;
    }
    cg_tensor *lowest = cg_scalar(g->dtype == CG_FLOAT32 ? -FLT_MAX : -DBL_MAX, g->dtype);
    cg_tensor *log_abs = cg_log(cg_abs(g));
    cg_tensor *log_pos = cg_where(cg_gt_scalar(g, 0), log_abs, lowest);
    cg_tensor *log_neg = cg_where(cg_lt_scalar(g, 0), log_abs, lowest);
    cg_tensor *pos = cg_exp(cg_add(reversed_logcumsumexp(cg_sub(log_pos, result), d), x));
    cg_tensor *neg = cg_exp(cg_add(reversed_logcumsumexp(cg_sub(log_neg, result), d), x));
    out[0] = cg_sub(pos, neg);
}

/* ---- cummax, cummin ---- */

static cg_tensor *cum_extreme(const cg_op *op, cg_tensor *t, int dim, cg_tensor **indices, bool want_max) {
    if (!t) return NULL;
    /* PyTorch wraps the dim only for a non-empty input of at least one dim. */
    int d = t->ndim == 0 || t->numel == 0 ? 0 : cg_wrap_dim(dim, t->ndim);
    if (d < 0) return NULL;
    cg_tensor *pos = NULL;
    cg_tensor *values = scan(t, d, t->dtype, want_max ? CG_SCAN_MAX : CG_SCAN_MIN, false, &pos);
    if (!values) return NULL;
    if (indices) *indices = pos;
    cg_node *n = cg_record(op, values, CG_INPUTS(t));
    if (n) {
        n->args[0] = d;
        n->args_meta = cg_input_meta_of(t);
        cg_save(n, 0, pos);
    }
    return cg_recorded(values);
}

cg_tensor *cg_cummax(cg_tensor *t, int dim, cg_tensor **indices) { return cum_extreme(&cg_op_cummax, t, dim, indices, true); }
cg_tensor *cg_cummin(cg_tensor *t, int dim, cg_tensor **indices) { return cum_extreme(&cg_op_cummin, t, dim, indices, false); }

/* PyTorch's cummaxmin_backward: the gradient summed into zeros at the positions each value came from. */
static void cum_extreme_backward(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *pos = cg_saved(n, 0);
    const cg_input_meta *in = &n->args_meta;
    if (!pos || !grads[0]) return;
    cg_tensor *zeros = cg_zeros_on(grads[0], in->dtype, in->ndim, in->sizes);
    out[0] = cg_numel(pos) == 0 ? zeros : cg_scatter_add(zeros, (int)n->args[0], pos, grads[0]);
}

/* The tangent at the positions each value came from. */
void cg_jvp_cummax(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    (void)in;
    (void)outs;
    cg_tensor *pos = cg_saved(n, 0);
    if (pos) tout[0] = tin[0]->ndim && cg_numel(pos) ? cg_gather(tin[0], (int)n->args[0], pos) : tin[0];
}

void cg_backward_cummax(cg_node *n, cg_tensor **grads, cg_tensor **out) { cum_extreme_backward(n, grads, out); }
void cg_backward_cummin(cg_node *n, cg_tensor **grads, cg_tensor **out) { cum_extreme_backward(n, grads, out); }
