/* clamp, with Python-number bounds (ClampBackward1) and with tensor bounds (torch.clamp(x,
 * min=tensor, max=tensor), ClampBackward0). A tensor bound broadcasts and promotes with x; a NaN in
 * x or in a bound gives NaN there (with PyTorch's bits: see cg_kernel_clamp_tensor). */
#include "autograd/registry.h"
#include "backend/backend.h"
#include "ops/elementwise.h"

#include <math.h>

/* ---- Python-number bounds ---- */

static bool is_no_bound(cg_number bound) { return bound.kind == CG_NUMBER_NONE; }

/* PyTorch has no clamp for bool tensors (reached only with bool bounds); its kernels' names. */
static int check_clamp_dtype(const cg_clamp_plan_t *p) {
    if (p->dtype != CG_BOOL) return 0;
    const char *kernel = p->has_min && p->has_max ? "clamp_scalar_cpu" : p->has_min ? "clamp_min_cpu" : "clamp_max_scalar_cpu";
    cg_set_error("\"%s\" not implemented for 'Bool'", kernel);
    return -1;
}

int cg_clamp_result_type(const cg_tensor *t, cg_number min, cg_number max, cg_dtype *dtype) {
    bool has_min = !is_no_bound(min), has_max = !is_no_bound(max);
    if ((has_min && cg_check_number(min) < 0) || (has_max && cg_check_number(max) < 0)) return -1;
    if (!has_min && !has_max) {
        cg_set_error("torch.clamp: At least one of 'min' or 'max' must not be None");
        return -1;
    }
    *dtype = t->dtype;
    if (has_min) *dtype = cg_number_result_type(*dtype, min);
    if (has_max) *dtype = cg_number_result_type(*dtype, max);
    return 0;
}

int cg_clamp_plan(const cg_tensor *t, cg_number min, cg_number max, cg_clamp_plan_t *p) {
    if (cg_clamp_result_type(t, min, max, &p->dtype) < 0) return -1;
    p->has_min = !is_no_bound(min);
    p->has_max = !is_no_bound(max);
    if (check_clamp_dtype(p) < 0) return -1;
    bool min_nan = p->has_min && isnan(min.f), max_nan = p->has_max && isnan(max.f);
    p->all_nan = p->has_min && p->has_max && (min_nan || max_nan);
    p->has_min = p->has_min && !min_nan;
    p->has_max = p->has_max && !max_nan;
    /* The bounds the kernel applies become numbers of the result dtype, which must hold them
     * (clamp(float32, max=1e300) fails); a NaN result needs no conversion. */
    if (!p->all_nan && ((p->has_min && cg_check_number_fits(p->dtype, min) < 0) ||
                        (p->has_max && cg_check_number_fits(p->dtype, max) < 0)))
        return -1;
    p->min = min;
    p->max = max;
    return 0;
}

void cg_save_clamp(cg_node *n, cg_tensor *self, cg_number min, cg_number max) {
    if (!n) return;
    cg_save(n, 0, self);
    cg_node_set_number(n, 0, min);
    cg_node_set_number(n, 1, max);
}

static cg_tensor *clamp_number(const cg_op *op, cg_tensor *t, cg_number min, cg_number max) {
    if (!t) return NULL;
    cg_clamp_plan_t p;
    if (cg_clamp_plan(t, min, max, &p) < 0) return NULL;
    cg_tensor *out;
    if (p.all_nan) { /* in t's layout, as TensorIterator's output */
        out = CG_NEW_RESULT(p.dtype, t->ndim, t->sizes, t);
        if (out) CG_KERNEL(out, fill)(out, cg_number_float(NAN));
    } else {
        cg_tensor *ct = cg_as_dtype(t, p.dtype);
        out = ct ? CG_NEW_RESULT(p.dtype, t->ndim, t->sizes, t) : NULL;
        if (out) CG_KERNEL(out, clamp)(out, ct, p.has_min ? &p.min : NULL, p.has_max ? &p.max : NULL);
    }
    if (out) cg_save_clamp(cg_record(op, out, CG_INPUTS(t)), t, min, max);
    return cg_recorded(out);
}

cg_tensor *cg_clamp_number(cg_tensor *t, cg_number min, cg_number max) { return clamp_number(&cg_op_clamp, t, min, max); }
cg_tensor *cg_clamp_min_number(cg_tensor *t, cg_number min) {
    return clamp_number(&cg_op_clamp_min, t, min, cg_number_none());
}

/* The gradient passes where min <= x <= max, bounds included (PyTorch's subgradient 1 there);
 * x or a bound being NaN stops it. The bounds keep their kind, as PyTorch's Scalars do. */
void cg_backward_clamp(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_number min = cg_node_number(n, 0), max = cg_node_number(n, 1);
    cg_tensor *self = cg_saved(n, 0), *g = grads[0], *within = NULL;
    if (!is_no_bound(max)) within = cg_le_number(self, max);
    if (!is_no_bound(min)) {
        cg_tensor *above_min = cg_ge_number(self, min);
        within = within ? cg_where(within, above_min, within) : above_min; /* logical and */
    }
    out[0] = within ? cg_where(within, g, cg_zero_for(g)) : g; /* one where, as PyTorch's */
}

/* clamp_min's gradient is clamp's with no upper bound (the node saves the same). */
void cg_backward_clamp_min(cg_node *n, cg_tensor **grads, cg_tensor **out) { cg_backward_clamp(n, grads, out); }

/* ---- tensor bounds ---- */

cg_tensor *cg_clamp_tensor_forward(cg_tensor *t, cg_tensor *min, cg_tensor *max) {
    if (!min && !max) {
        cg_set_error("torch.clamp: At least one of 'min' or 'max' must not be None");
        return NULL;
    }
    int64_t shape[CG_MAX_DIMS];
    int ndim = cg_broadcast3(t, min ? min : max, min && max ? max : NULL, shape);
    if (ndim < 0) return NULL;
    cg_dtype dtype = cg_result_type3(t, min, max);
    if (min && max && dtype == CG_BOOL) {
        cg_set_error("\"clamp_cpu\" not implemented for 'Bool'");
        return NULL;
    }
    cg_tensor *ct = cg_as_dtype(t, dtype), *cmin = min ? cg_as_dtype(min, dtype) : NULL;
    cg_tensor *cmax = max ? cg_as_dtype(max, dtype) : NULL;
    if (!ct || (min && !cmin) || (max && !cmax)) return NULL;
    cg_tensor *out = min && max ? CG_NEW_RESULT(dtype, ndim, shape, t, min, max)
                                : CG_NEW_RESULT(dtype, ndim, shape, t, min ? min : max);
    if (out) CG_KERNEL(out, clamp_tensor)(out, ct, cmin, cmax);
    return out;
}

/* Slots 0, 1, 2: self, min, max; args 0 and 1 say which bounds there are. */
void cg_save_clamp_tensor(cg_node *n, cg_tensor *self, cg_tensor *min, cg_tensor *max) {
    if (!n) return;
    cg_save(n, 0, self);
    cg_save(n, 1, min);
    cg_save(n, 2, max);
    n->args[0] = min != NULL;
    n->args[1] = max != NULL;
}

cg_tensor *cg_clamp_tensor(cg_tensor *t, cg_tensor *min, cg_tensor *max) {
    if (!t) return NULL;
    cg_tensor *out = cg_clamp_tensor_forward(t, min, max);
    if (out) cg_save_clamp_tensor(cg_record(&cg_op_clamp_tensor, out, CG_INPUTS(t, min, max)), t, min, max);
    return cg_recorded(out);
}

/* With both bounds, PyTorch combines two comparisons in place ((a op b).logical_and_(c op d), or
 * logical_or_): when the second broadcasts wider than the first, its backward fails there. */
static bool masks_combine(const cg_tensor *a, const cg_tensor *b, const cg_tensor *c, const cg_tensor *d) {
    int64_t first[CG_MAX_DIMS], second[CG_MAX_DIMS], both[CG_MAX_DIMS];
    int n1 = cg_broadcast_shapes(a->ndim, a->sizes, b->ndim, b->sizes, first);
    int n2 = cg_broadcast_shapes(c->ndim, c->sizes, d->ndim, d->sizes, second);
    int n = n1 < 0 || n2 < 0 ? -1 : cg_broadcast_shapes(n1, first, n2, second, both);
    if (n < 0) return false;
    if (cg_same_shape(n1, first, n, both)) return true;
    cg_set_error("output with shape %s doesn't match the broadcast shape %s", cg_shape_text(n1, first).s,
                 cg_shape_text(n, both).s);
    return false;
}

/* PyTorch's clamp_backward and clamp_backward_min_max: x gets the gradient where min <= x <= max;
 * min where x < min (and, with both bounds, min < max); max where x > max (or max < min). */
void cg_backward_clamp_tensor(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *g = grads[0], *zero = cg_zero_for(g), *self = cg_saved(n, 0);
    cg_tensor *min = n->args[0] ? cg_saved(n, 1) : NULL, *max = n->args[1] ? cg_saved(n, 2) : NULL;
    if (!self || (n->args[0] && !min) || (n->args[1] && !max)) return;
    if (min && max &&
        ((cg_needs_grad(n, 0) && !masks_combine(self, min, self, max)) ||
         (cg_needs_grad(n, 1) && !masks_combine(self, min, min, max)) ||
         (cg_needs_grad(n, 2) && !masks_combine(self, max, max, min))))
        return;
    if (cg_needs_grad(n, 0)) {
        cg_tensor *within = max ? cg_le(self, max) : NULL;
        if (min) within = within ? cg_where(within, cg_ge(self, min), within) : cg_ge(self, min); /* logical and */
        out[0] = within ? cg_where(within, g, zero) : g; /* one where, as PyTorch's */
    }
    if (cg_needs_grad(n, 1)) {
        cg_tensor *below = cg_where(cg_lt(self, min), g, zero);
        out[1] = max ? cg_where(cg_lt(min, max), below, zero) : below;
    }
    if (cg_needs_grad(n, 2)) {
        cg_tensor *above = min ? cg_where(cg_lt(max, min), g, zero) : zero;
        out[2] = cg_where(cg_gt(self, max), g, above);
    }
}
