/* Copies and fills: contiguous, clone, dtype conversion, copy_, fill_, zero_. */
#include "core/tensor.h"
#include "kernels/copy.h"

cg_tensor *cg_clone(cg_tensor *t) {
    if (!t) return NULL;
    cg_tensor *out = cg_new_tensor(t->dtype, t->ndim, t->sizes);
    if (out) cg_kernel_copy(out, t);
    return out;
}

cg_tensor *cg_contiguous(cg_tensor *t) {
    if (!t) return NULL;
    if (!cg_is_contiguous(t)) return cg_clone(t);
    cg_scope_register(cg_retain(t));
    return t;
}

cg_tensor *cg_to(cg_tensor *t, cg_dtype dtype) {
    if (!t) return NULL;
    if (t->dtype == dtype) {
        cg_scope_register(cg_retain(t));
        return t;
    }
    cg_tensor *out = cg_new_tensor(dtype, t->ndim, t->sizes);
    if (out) cg_kernel_copy(out, t);
    return out;
}

int cg_copy_(cg_tensor *t, cg_tensor *src) {
    if (!t || !src) return -1;
    int64_t shape[CG_MAX_DIMS];
    int n = cg_broadcast_shapes(t->ndim, t->sizes, src->ndim, src->sizes, shape);
    if (n < 0) return -1;
    bool same = n == t->ndim;
    for (int d = 0; same && d < n; d++) same = shape[d] == t->sizes[d];
    if (!same) {
        char to[256], from[256];
        cg_format_shape(to, sizeof to, t->ndim, t->sizes);
        cg_format_shape(from, sizeof from, src->ndim, src->sizes);
        cg_set_error("output with shape %s doesn't match the broadcast shape %s", to, from);
        return -1;
    }
    /* An overlapping source (a view of t) must be read completely before t is written. */
    if (cg_shares_storage(t, src) && !(src = cg_clone(src))) return -1;
    cg_kernel_copy(t, src);
    cg_bump_version(t);
    return 0;
}

int cg_fill_(cg_tensor *t, double value) {
    if (!t) return -1;
    cg_kernel_fill(t, value);
    cg_bump_version(t);
    return 0;
}

int cg_zero_(cg_tensor *t) { return cg_fill_(t, 0); }
