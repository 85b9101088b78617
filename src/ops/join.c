/* Joining tensors: cat and stack. Inputs of different dtypes are promoted to a common one; the
 * output is a new contiguous tensor. */
#include "autograd/registry.h"
#include "backend/backend.h"

#include <stdlib.h>

/* A header (not a tensor of its own: no reference, no scope) over the part of out that holds
 * [start, start + len) along dim; with len < 0, the single index start with dim removed. */
static cg_tensor part_of(const cg_tensor *out, int dim, int64_t start, int64_t len) {
    cg_tensor part = *out;
    part.offset += start * out->strides[dim];
    if (len >= 0) {
        part.sizes[dim] = len;
    } else {
        for (int d = dim; d + 1 < out->ndim; d++) {
            part.sizes[d] = out->sizes[d + 1];
            part.strides[d] = out->strides[d + 1];
        }
        part.ndim--;
    }
    part.numel = cg_shape_numel(part.ndim, part.sizes);
    return part;
}

static bool any_null(cg_tensor **tensors, int n) {
    if (!tensors) return true;
    for (int i = 0; i < n; i++)
        if (!tensors[i]) return true;
    return false;
}

/* PyTorch's legacy rule: 1-D empty tensors are skipped, whatever the other shapes. */
static bool skipped_in_cat(const cg_tensor *t) { return t->ndim == 1 && t->sizes[0] == 0; }

/* Records cat's node: the dim and each input's size along it (-1 for a skipped input) in extra. */
static cg_tensor *record_cat(cg_tensor *out, cg_tensor **tensors, int n, int d) {
    cg_node *node = out ? cg_record(&cg_op_cat, out, n, tensors) : NULL;
    if (!node) return cg_recorded(out);
    node->extra = cg_malloc((size_t)(n + 1) * sizeof *node->extra);
    if (!node->extra) return NULL;
    node->extra[0] = d;
    for (int i = 0; i < n; i++) node->extra[1 + i] = skipped_in_cat(tensors[i]) ? -1 : tensors[i]->sizes[d];
    return cg_recorded(out);
}

static cg_dtype common_dtype(cg_tensor **tensors, int n) {
    cg_dtype dtype = tensors[0]->dtype;
    for (int i = 1; i < n; i++) dtype = cg_promote_types(dtype, tensors[i]->dtype);
    return dtype;
}

cg_tensor *cg_cat(cg_tensor **tensors, int n, int dim) {
    if (n > 0 && any_null(tensors, n)) return NULL;
    if (n <= 0) {
        cg_set_error("torch.cat(): expected a non-empty list of Tensors");
        return NULL;
    }
    const cg_backend *be = cg_lenient_backend(n, (const cg_tensor *const *)tensors);
    if (!be) return NULL;
    for (int i = 0; i < n; i++) {
        if (tensors[i]->ndim == 0) {
            cg_set_error("zero-dimensional tensor (at position %d) cannot be concatenated", i);
            return NULL;
        }
    }
    const cg_tensor *ref = NULL; /* the first tensor that is not skipped: it fixes the shape */
    for (int i = 0; i < n && !ref; i++)
        if (!skipped_in_cat(tensors[i])) ref = tensors[i];
    cg_dtype dtype = common_dtype(tensors, n);
    if (!ref) return record_cat(cg_new_tensor_on(be, dtype, 1, (const int64_t[]){0}), tensors, n, 0);
    int d = cg_wrap_dim(dim, ref->ndim);
    if (d < 0) return NULL;
    int64_t sizes[CG_MAX_DIMS];
    for (int k = 0; k < ref->ndim; k++) sizes[k] = ref->sizes[k];
    sizes[d] = 0;
    for (int i = 0; i < n; i++) {
        const cg_tensor *t = tensors[i];
        if (skipped_in_cat(t)) continue;
        if (t->ndim != ref->ndim) {
            cg_set_error("Tensors must have same number of dimensions: got %d and %d", ref->ndim, t->ndim);
            return NULL;
        }
        for (int k = 0; k < t->ndim; k++) {
            if (k != d && t->sizes[k] != ref->sizes[k]) {
                cg_set_error("Sizes of tensors must match except in dimension %d. Expected size %lld but got size %lld "
                             "for tensor number %d in the list.", d, (long long)ref->sizes[k], (long long)t->sizes[k], i);
                return NULL;
            }
        }
        sizes[d] += t->sizes[d];
    }
    cg_tensor *out = cg_new_tensor_on(be, dtype, ref->ndim, sizes);
    if (!out) return NULL;
    int64_t at = 0;
    for (int i = 0; i < n; i++) {
        if (skipped_in_cat(tensors[i])) continue;
        cg_tensor part = part_of(out, d, at, tensors[i]->sizes[d]);
        CG_KERNEL(&part, copy)(&part, tensors[i]);
        at += tensors[i]->sizes[d];
    }
    return record_cat(out, tensors, n, d);
}

/* Input i's gradient is its part of the output's, or an empty one for a skipped input. */
/* cat and stack are linear: the tangents (zeros for inputs without one) joined the same way. */
static void join_jvp(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout, bool stack) {
    cg_tensor **parts = cg_calloc((size_t)n->nnext, sizeof *parts);
    bool ok = parts != NULL;
    for (int i = 0; ok && i < n->nnext; i++) ok = (parts[i] = cg_tangent_or_zeros(in[i], tin[i], outs[0]->dtype)) != NULL;
    if (ok) tout[0] = stack ? cg_stack(parts, n->nnext, (int)n->args[0]) : cg_cat(parts, n->nnext, (int)n->extra[0]);
    cg_free(parts);
}

void cg_jvp_cat(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    join_jvp(n, in, tin, outs, tout, false);
}

void cg_backward_cat(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    int d = (int)n->extra[0];
    int64_t at = 0;
    for (int i = 0; i < n->nnext; i++) {
        int64_t len = n->extra[1 + i];
        if (cg_needs_grad(n, i))
            out[i] = len < 0 ? cg_zeros_on(grads[0], grads[0]->dtype, 1, (const int64_t[]){0}) : cg_narrow(grads[0], d, at, len);
        if (len > 0) at += len;
    }
}

cg_tensor *cg_stack(cg_tensor **tensors, int n, int dim) {
    if (n > 0 && any_null(tensors, n)) return NULL;
    if (n <= 0) {
        cg_set_error("stack expects a non-empty TensorList");
        return NULL;
    }
    const cg_backend *be = cg_lenient_backend(n, (const cg_tensor *const *)tensors);
    if (!be) return NULL;
    const cg_tensor *first = tensors[0];
    int d = cg_wrap_dim(dim, first->ndim + 1);
    if (d < 0) return NULL;
    for (int i = 1; i < n; i++) {
        const cg_tensor *t = tensors[i];
        if (!cg_same_shape(t->ndim, t->sizes, first->ndim, first->sizes)) {
            cg_set_error("stack expects each tensor to be equal size, but got %s at entry 0 and %s at entry %d",
                         cg_shape_text(first->ndim, first->sizes).s, cg_shape_text(t->ndim, t->sizes).s, i);
            return NULL;
        }
    }
    if (cg_check_ndim(first->ndim + 1) < 0) return NULL;
    int64_t sizes[CG_MAX_DIMS];
    for (int k = 0, j = 0; k <= first->ndim; k++) sizes[k] = k == d ? n : first->sizes[j++];
    cg_tensor *out = cg_new_tensor_on(be, common_dtype(tensors, n), first->ndim + 1, sizes);
    if (!out) return NULL;
    for (int i = 0; i < n; i++) {
        cg_tensor part = part_of(out, d, i, -1);
        CG_KERNEL(&part, copy)(&part, tensors[i]);
    }
    cg_node *node = cg_record(&cg_op_stack, out, n, tensors);
    if (node) node->args[0] = d;
    return cg_recorded(out);
}

void cg_jvp_stack(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    join_jvp(n, in, tin, outs, tout, true);
}

void cg_backward_stack(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    for (int i = 0; i < n->nnext; i++)
        if (cg_needs_grad(n, i)) out[i] = cg_select(grads[0], (int)n->args[0], i);
}
