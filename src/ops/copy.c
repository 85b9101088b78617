/* Copies and fills: contiguous, clone, dtype and device conversion, copy_, fill_, zero_. */
#include "autograd/registry.h"
#include "backend/backend.h"

/* A copy of t recorded as clone: laid out as PyTorch's preserve_format does, or row-major. */
static cg_tensor *copy_of(cg_tensor *t, bool preserve) {
    if (!t) return NULL;
    cg_tensor *out = preserve ? cg_new_like(t, t->dtype) : cg_new_on(t, t->dtype, t->ndim, t->sizes);
    if (!out) return NULL;
    CG_KERNEL(out, copy)(out, t);
    cg_record(&cg_op_clone, out, CG_INPUTS(t));
    return cg_recorded(out);
}

cg_tensor *cg_clone(cg_tensor *t) { return copy_of(t, true); }
cg_tensor *cg_clone_contiguous(cg_tensor *t) { return copy_of(t, false); }

void cg_backward_clone(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    (void)n;
    out[0] = grads[0];
}

cg_tensor *cg_contiguous(cg_tensor *t) {
    if (!t) return NULL;
    if (!cg_is_contiguous(t)) return cg_clone_contiguous(t);
    return cg_scope_retain(t);
}

/* ToCopyBackward0 for a float result (an integer one has no gradient), remembering t's device. */
static cg_tensor *record_to_copy(cg_tensor *out, cg_tensor *t) {
    if (!cg_dtype_is_floating(out->dtype)) return out;
    cg_node *n = cg_record(&cg_op_to_copy, out, CG_INPUTS(t));
    if (n) n->args[0] = cg_get_device(t);
    return cg_recorded(out);
}

cg_tensor *cg_to(cg_tensor *t, cg_dtype dtype) {
    if (!t) return NULL;
    if (t->dtype == dtype) return cg_scope_retain(t);
    cg_tensor *out = cg_new_like(t, dtype);
    if (!out) return NULL;
    CG_KERNEL(out, copy)(out, t);
    return record_to_copy(out, t);
}

cg_tensor *cg_to_device(cg_tensor *t, cg_device device) {
    if (!t) return NULL;
    const cg_backend *b = cg_backend_for(device);
    if (!b) {
        cg_set_error("invalid device %d", (int)device);
        return NULL;
    }
    if (b == cg_backend_of(t)) return cg_scope_retain(t);
    int64_t strides[CG_MAX_DIMS]; /* t's layout, as empty_like(t) on the other device */
    cg_preserved_strides(t, strides);
    cg_tensor *out = cg_new_tensor_strided_on(b, t->dtype, t->ndim, t->sizes, strides);
    if (!out || cg_copy_across(out, t) < 0) return NULL;
    return record_to_copy(out, t);
}

/* The engine casts the gradient back to the input's dtype; it goes back to the input's device here. */
void cg_backward_to_copy(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_device device = (cg_device)n->args[0];
    out[0] = cg_get_device(grads[0]) == device ? grads[0] : cg_to_device(grads[0], device);
}

/* The tangent converted as the primal was (its backward converts the other way). */
void cg_jvp_to_copy(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    (void)n;
    (void)in;
    cg_device device = cg_get_device(outs[0]);
    cg_tensor *t = cg_to(tin[0], outs[0]->dtype);
    tout[0] = cg_get_device(t) == device ? t : cg_to_device(t, device);
}

int cg_copy_(cg_tensor *t, cg_tensor *src) {
    if (!t || !src) return -1;
    /* PyTorch's order: autograd's in-place rules, then the write's memory overlap, then the shape;
     * a copy of a tensor into itself (t.copy_(t)) writes nothing and checks nothing more. Unlike
     * the other in-place ops, copy_ applies the autograd rules only to a self that can have a
     * gradient (PyTorch's copy_ masks requires_grad with isDifferentiableType). */
    if (cg_dtype_is_floating(t->dtype) && cg_check_inplace(t, CG_INPUTS(t, src)) < 0) return -1;
    if (src != t && (cg_check_no_internal_overlap(t) < 0 || cg_check_no_partial_overlap(t, src) < 0 ||
                     cg_check_broadcasts_to(t, src) < 0))
        return -1;
    /* An overlapping source (a view of t) must be read completely before t is written. */
    cg_tensor *from = src;
    if (src != t && cg_shares_storage(t, src) && !(from = cg_clone(src))) return -1;
    if (src != t && cg_copy_across(t, from) < 0) return -1;
    cg_bump_version(t);
    cg_node *n = cg_record_inplace(&cg_op_copy, t, CG_INPUTS(t, src));
    if (n) n->args[0] = src->dtype;
    return cg_recorded_status();
}

/* copy_ replaces every value of self, so self's old values get no gradient. src's is cast to its
 * dtype here, before the engine sums it to src's shape (PyTorch's CopyBackwards: a float32 self's
 * gradient summed for a 0-dim float64 src adds in float64). */
void cg_backward_copy(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    if (cg_needs_grad(n, 0)) out[0] = cg_zeros_like(grads[0]);
    if (cg_needs_grad(n, 1)) out[1] = cg_to(grads[0], (cg_dtype)n->args[0]);
}

static int fill_recorded(cg_tensor *t, cg_number value, const cg_op *op) {
    if (!t || cg_check_number_fits(t->dtype, value) < 0) return -1;
    if (cg_check_inplace(t, CG_INPUTS(t)) < 0) return -1;
    CG_KERNEL(t, fill)(t, value);
    cg_bump_version(t);
    cg_record_inplace(op, t, CG_INPUTS(t));
    return cg_recorded_status();
}

int cg_fill_number_(cg_tensor *t, cg_number value) { return fill_recorded(t, value, &cg_op_fill); }
int cg_zero_(cg_tensor *t) { return fill_recorded(t, cg_number_int(0), &cg_op_zero); }

void cg_backward_fill(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    if (cg_needs_grad(n, 0)) out[0] = cg_zeros_like(grads[0]);
}

void cg_backward_zero(cg_node *n, cg_tensor **grads, cg_tensor **out) { cg_backward_fill(n, grads, out); }
