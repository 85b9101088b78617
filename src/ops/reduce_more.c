/* More reductions: amax, amin, aminmax, logsumexp, all, any, count_nonzero, nansum, nanmean.
 *
 * Each is PyTorch 1.13's composition of reductions cgrad already has (max along a dim, the
 * ordered sum), so values keep their bits; the differentiable ones record PyTorch's node and its
 * backward formula, written with differentiable ops. */
#include "autograd/registry.h"
#include "backend/backend.h"

#include <math.h>

/* The reduced dims of t (every dim when ndims is 0), each wrapped, a repeat refused. */
static int mark_dims(const cg_tensor *t, const cg_reduce_args *a, bool *reduced) {
    memset(reduced, 0, CG_MAX_DIMS * sizeof *reduced);
    if (a->ndims < 0 || a->ndims > CG_MAX_DIMS) {
        cg_set_error("the list of dims must hold 0 to %d dims, got %d", CG_MAX_DIMS, a->ndims);
        return -1;
    }
    for (int i = 0; i < a->ndims; i++)
        if (cg_wrap_dim(a->dims[i], t->ndim) < 0) return -1;
    for (int i = 0; i < a->ndims; i++) {
        int d = cg_wrap_dim(a->dims[i], t->ndim);
        if (reduced[d]) {
            cg_set_error("dim %d appears multiple times in the list of dims", d);
            return -1;
        }
        reduced[d] = true;
    }
    for (int d = 0; d < t->ndim && a->ndims == 0; d++) reduced[d] = true;
    return 0;
}

/* PyTorch's zero_numel_check_dims for an empty t: no identity to reduce an empty dim to. */
static int check_nonempty_dims(const cg_tensor *t, const cg_reduce_args *a, const char *name) {
    if (t->numel != 0) return 0;
    if (a->ndims == 0) {
        cg_set_error("%s: Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim "
                     "with the 'dim' argument.", name);
        return -1;
    }
    for (int i = 0; i < a->ndims; i++) {
        int d = cg_wrap_dim(a->dims[i], t->ndim);
        if (t->ndim > 0 && t->sizes[d] == 0) {
            cg_set_index_error("%s: Expected reduction dim %d to have non-zero size.", name, a->dims[i]);
            return -1;
        }
    }
    return 0;
}

/* The max (min) of t over the reduced dims: t with the kept dims first and the reduced ones
 * flattened last, reduced by max_dim along that last dim, then shaped as the result. */
static cg_tensor *extreme_over(cg_tensor *t, const bool *reduced, bool keepdim, bool want_max) {
    int64_t perm[CG_MAX_DIMS], kept[CG_MAX_DIMS + 1], out_sizes[CG_MAX_DIMS];
    int nkept = 0, n = 0, nout = 0;
    int64_t len = 1;
    for (int d = 0; d < t->ndim; d++)
        if (!reduced[d]) perm[n++] = d, kept[nkept++] = t->sizes[d];
    for (int d = 0; d < t->ndim; d++)
        if (reduced[d]) perm[n++] = d, len *= t->sizes[d];
    for (int d = 0; d < t->ndim; d++)
        if (!reduced[d] || keepdim) out_sizes[nout++] = reduced[d] ? 1 : t->sizes[d];
    kept[nkept] = len;
    cg_tensor *out = NULL;
    CG_NO_GRAD {
        cg_tensor *rows = cg_reshape_shape(cg_permute_dims(t, t->ndim, perm), nkept + 1, kept);
        cg_tensor *v = (want_max ? cg_max_dim : cg_min_dim)(rows, -1, false, NULL);
        out = cg_contiguous(cg_reshape_shape(v, nout, out_sizes));
    }
    return out;
}

/* m (the reduced dims kept as size 1) without them. */
static cg_tensor *squeezed(cg_tensor *m, const bool *reduced) {
    int64_t sizes[CG_MAX_DIMS];
    int n = 0;
    for (int d = 0; m && d < m->ndim; d++)
        if (!reduced[d]) sizes[n++] = m->sizes[d];
    return cg_reshape_shape(m, n, sizes);
}

/* ---- amax, amin ---- */

static cg_tensor *amax_or_amin(const cg_op *op, cg_reduce_args a, bool want_max) {
    cg_tensor *t = a.input;
    if (!t) return NULL;
    bool reduced[CG_MAX_DIMS];
    if (mark_dims(t, &a, reduced) < 0 || check_nonempty_dims(t, &a, want_max ? "amax()" : "amin()") < 0) return NULL;
    cg_tensor *out = extreme_over(t, reduced, a.keepdim, want_max);
    cg_node *n = out ? cg_record(op, out, CG_INPUTS(t)) : NULL;
    if (n) {
        for (int d = 0; d < CG_MAX_DIMS; d++) n->args[d] = reduced[d];
        n->args[CG_MAX_DIMS] = a.keepdim;
        n->args_meta = cg_input_meta_of(t);
        cg_save(n, 0, t);
        cg_save(n, 1, out);
    }
    return cg_recorded(out);
}

cg_tensor *cg_amax_opts(cg_reduce_args a) { return amax_or_amin(&cg_op_amax, a, true); }
cg_tensor *cg_amin_opts(cg_reduce_args a) { return amax_or_amin(&cg_op_amin, a, false); }

/* t (a gradient or a result) with the node's reduced dims put back as size 1 (PyTorch's
 * restore_reduced_dims / unsqueeze_multiple); as it is for keepdim. */
static cg_tensor *restored(const cg_node *n, cg_tensor *t) {
    if (n->args[CG_MAX_DIMS]) return t;
    for (int d = 0; d < n->args_meta.ndim && t; d++)
        if (n->args[d]) t = cg_unsqueeze(t, d);
    return t;
}

/* The node's reduced dims as reduce arguments. */
static cg_reduce_args node_dims(const cg_node *n, cg_tensor *input, bool keepdim) {
    cg_reduce_args a = {.input = input, .keepdim = keepdim};
    for (int d = 0; d < n->args_meta.ndim; d++)
        if (n->args[d]) a.dims[a.ndims++] = d;
    if (a.ndims == 0 && n->args_meta.ndim > 0) a.input = NULL; /* cannot happen: a reduction names its dims */
    return a;
}

/* PyTorch's scale_grad_by_count: the gradient shared evenly among the elements equal to the
 * result, (grad / count) * mask. */
static void amax_backward(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *x = cg_saved(n, 0), *result = cg_saved(n, 1);
    if (!x || !result || !grads[0]) return;
    cg_tensor *mask = cg_eq(restored(n, result), x);
    cg_tensor *count = x->ndim ? cg_sum_opts(node_dims(n, mask, true)) : cg_to(mask, CG_INT64);
    out[0] = cg_mul(cg_div(restored(n, grads[0]), count), mask);
}

void cg_backward_amax(cg_node *n, cg_tensor **grads, cg_tensor **out) { amax_backward(n, grads, out); }
void cg_backward_amin(cg_node *n, cg_tensor **grads, cg_tensor **out) { amax_backward(n, grads, out); }

/* PyTorch's amaxamin_jvp: the tangent averaged over the elements equal to the result. */
void cg_jvp_amax(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    cg_tensor *mask = cg_to(cg_eq(restored(n, outs[0]), in[0]), tin[0]->dtype);
    bool keep = n->args[CG_MAX_DIMS];
    tout[0] = cg_div(cg_sum_opts(node_dims(n, cg_mul(tin[0], mask), keep)), cg_sum_opts(node_dims(n, mask, keep)));
}

/* ---- aminmax (no derivative in PyTorch 1.13) ---- */

static void aminmax_not_implemented(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    (void)n, (void)grads, (void)out;
    cg_set_error("derivative for aten::aminmax is not implemented");
}
static const cg_op aminmax_op = {"NotImplemented", aminmax_not_implemented, "aminmax"};

static cg_tensor *aminmax(cg_tensor *t, const int *dim, bool keepdim, cg_tensor **max) {
    if (!t) return NULL;
    cg_reduce_args a = {.input = t, .ndims = dim ? 1 : 0, .dims = {dim ? *dim : 0}, .keepdim = keepdim};
    bool reduced[CG_MAX_DIMS];
    if (mark_dims(t, &a, reduced) < 0) return NULL;
    if (t->numel == 0 && !dim) {
        cg_set_error("aminmax(): cannot compute aminmax over an empty dimension as the operation has no identity.");
        return NULL;
    }
    if (check_nonempty_dims(t, &a, "aminmax") < 0) return NULL;
    cg_tensor *lo = extreme_over(t, reduced, keepdim, false), *hi = extreme_over(t, reduced, keepdim, true);
    if (!lo || !hi) return NULL;
    if (dim && keepdim && t->ndim == 0) { /* PyTorch 1.13 resizes its 0-dim outputs to [1] here */
        cg_warn("An output with one or more elements was resized since it had shape [], which does not match the "
                "required output shape [1]. This behavior is deprecated, and in a future PyTorch release outputs will "
                "not be resized unless they have zero elements. You can explicitly reuse an out tensor t by resizing "
                "it, inplace, to zero elements with t.resize_(0).");
        lo = cg_reshape(lo, 1);
        hi = cg_reshape(hi, 1);
    }
    if (cg_grad_mode_on() && cg_any_requires_grad(1, &t)) cg_record_multi(&aminmax_op, 2, (cg_tensor *[]){lo, hi}, 1, &t);
    else cg_record_mark_ = cg_alloc_failures_;
    if (!cg_recorded(lo)) return NULL;
    if (max) *max = hi;
    return lo;
}

cg_tensor *cg_aminmax(cg_tensor *t, cg_tensor **max) { return aminmax(t, NULL, false, max); }
cg_tensor *cg_aminmax_dim(cg_tensor *t, int dim, bool keepdim, cg_tensor **max) { return aminmax(t, &dim, keepdim, max); }

/* ---- logsumexp ---- */

/* PyTorch 1.13's composition: m = amax(t, dims, keepdim=True) with infinities replaced by 0,
 * log(sum(exp(t - m))) + m; an empty t is log(sum(exp(t))). Integral inputs are float32. */
cg_tensor *cg_logsumexp_opts(cg_reduce_args a) {
    cg_tensor *t = a.input;
    if (!t) return NULL;
    bool reduced[CG_MAX_DIMS];
    if (mark_dims(t, &a, reduced) < 0) return NULL;
    cg_tensor *out = NULL;
    cg_scope_begin();
    CG_NO_GRAD {
        cg_tensor *x = cg_is_floating_inline(t->dtype) ? t : cg_to(t, CG_FLOAT32);
        cg_reduce_args s = a;
        if (x && x->numel) {
            cg_tensor *m = extreme_over(x, reduced, true, true);
            m = cg_masked_fill(m, cg_eq_scalar(cg_abs(m), INFINITY), 0);
            s.input = cg_sub(x, m); /* exp, log and add in place, as PyTorch's */
            out = s.input && cg_exp_(s.input) == 0 ? cg_sum_opts(s) : NULL;
            if (out && (cg_log_(out) < 0 || cg_add_(out, a.keepdim ? m : squeezed(m, reduced)) < 0)) out = NULL;
        } else {
            s.input = cg_exp(x);
            out = cg_log(cg_sum_opts(s));
        }
    }
    out = cg_scope_end_keeping(out);
    cg_node *n = out ? cg_record(&cg_op_logsumexp, out, CG_INPUTS(t)) : NULL;
    if (n) {
        for (int d = 0; d < CG_MAX_DIMS; d++) n->args[d] = reduced[d];
        n->args[CG_MAX_DIMS] = a.keepdim;
        n->args_meta = cg_input_meta_of(t);
        cg_save(n, 0, t);
        cg_save(n, 1, out);
    }
    return cg_recorded(out);
}

/* PyTorch's logsumexp_backward: grad * exp(x - result), the reduced dims put back. */
void cg_backward_logsumexp(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *x = cg_saved(n, 0), *result = cg_saved(n, 1);
    if (!x || !result || !grads[0]) return;
    bool keep = x->ndim == 0;
    cg_tensor *g = keep ? grads[0] : restored(n, grads[0]), *r = keep ? result : restored(n, result);
    out[0] = cg_mul(g, cg_exp(cg_sub(x, r)));
}

/* sum(t exp(x - result)) over the reduced dims. */
void cg_jvp_logsumexp(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    cg_tensor *weights = cg_exp(cg_sub(in[0], in[0]->ndim ? restored(n, outs[0]) : outs[0]));
    tout[0] = cg_sum_opts(node_dims(n, cg_mul(tin[0], weights), n->args[CG_MAX_DIMS]));
}

/* ---- all, any, count_nonzero ---- */

/* Whether every (some) element over dim (all: every dim) is nonzero; NaN counts as nonzero. */
static cg_tensor *all_or_any(cg_tensor *t, const int *dim, bool keepdim, bool every) {
    if (!t) return NULL;
    cg_reduce_args a = {.input = every ? cg_eq_scalar(t, 0) : cg_ne_scalar(t, 0), .ndims = dim ? 1 : 0,
                        .dims = {dim ? *dim : 0}, .keepdim = keepdim};
    cg_tensor *count = a.input ? cg_sum_opts(a) : NULL;
    return every ? cg_eq_scalar(count, 0) : cg_ne_scalar(count, 0);
}

cg_tensor *cg_all(cg_tensor *t) { return all_or_any(t, NULL, false, true); }
cg_tensor *cg_all_dim(cg_tensor *t, int dim, bool keepdim) { return all_or_any(t, &dim, keepdim, true); }
cg_tensor *cg_any(cg_tensor *t) { return all_or_any(t, NULL, false, false); }
cg_tensor *cg_any_dim(cg_tensor *t, int dim, bool keepdim) { return all_or_any(t, &dim, keepdim, false); }

cg_tensor *cg_count_nonzero_opts(cg_reduce_args a) {
    if (!a.input) return NULL;
    a.input = cg_ne_scalar(a.input, 0);
    a.keepdim = false;
    return a.input ? cg_sum_opts(a) : NULL;
}

/* ---- nansum, nanmean ---- */

/* PyTorch's nansum is its ordered sum with NaNs read as 0. */
cg_tensor *cg_nansum_opts(cg_reduce_args a) {
    cg_tensor *t = a.input;
    if (!t) return NULL;
    bool reduced[CG_MAX_DIMS];
    if (mark_dims(t, &a, reduced) < 0) return NULL;
    cg_tensor *out = NULL;
    CG_NO_GRAD {
        /* NaNs replaced by 0 in a copy laid out as t (so the sum's order is t's), when there are any */
        cg_tensor *nan = cg_is_floating_inline(t->dtype) && cg_has_bytes(t) ? cg_ne(t, t) : NULL;
        a.input = nan && cg_item(cg_any(nan)) ? cg_where(nan, cg_scalar(0, t->dtype), t) : t;
        out = cg_sum_opts(a);
    }
    cg_node *n = out ? cg_record(&cg_op_nansum, out, CG_INPUTS(t)) : NULL;
    if (n) {
        for (int d = 0; d < CG_MAX_DIMS; d++) n->args[d] = reduced[d];
        n->args[CG_MAX_DIMS] = a.keepdim;
        n->args_meta = cg_input_meta_of(t);
        cg_save(n, 0, t);
    }
    return cg_recorded(out);
}

/* PyTorch's nansum_backward: the gradient spread over the reduced dims, 0 at the NaNs. */
void cg_backward_nansum(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *x = cg_saved(n, 0);
    if (!x || !grads[0]) return;
    cg_tensor *g = cg_expand_shape(restored(n, cg_to(grads[0], x->dtype)), x->ndim, x->sizes);
    out[0] = cg_mul(g, cg_eq(x, x));
}

/* The tangent summed over the elements that are not NaN. */
void cg_jvp_nansum(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    (void)outs;
    tout[0] = cg_sum_opts(node_dims(n, cg_mul(tin[0], cg_eq(in[0], in[0])), n->args[CG_MAX_DIMS]));
}

/* PyTorch 1.13's composite: nansum / the count of elements that are not NaN (DivBackward0). */
cg_tensor *cg_nanmean_opts(cg_reduce_args a) {
    cg_tensor *t = a.input;
    if (!t) return NULL;
    if (!cg_is_floating_inline(t->dtype)) {
        cg_set_error("nanmean(): expected input to have floating point dtype but got %s", cg_dtype_title(t->dtype));
        return NULL;
    }
    cg_tensor *sum = cg_nansum_opts(a);
    a.input = cg_eq(t, t);
    return cg_div(sum, cg_sum_opts(a));
}
