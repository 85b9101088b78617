/* Joining tensors: cat and stack. Inputs of different dtypes are promoted to a common one; the
 * output is a new contiguous tensor. */
#include "core/tensor.h"
#include "kernels/copy.h"

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

static cg_dtype common_dtype(cg_tensor **tensors, int n) {
    cg_dtype dtype = tensors[0]->dtype;
    for (int i = 1; i < n; i++) dtype = cg_promote_types(dtype, tensors[i]->dtype);
    return dtype;
}

/* PyTorch's legacy rule: 1-D empty tensors are skipped, whatever the other shapes. */
static bool skipped_in_cat(const cg_tensor *t) { return t->ndim == 1 && t->sizes[0] == 0; }

cg_tensor *cg_cat(cg_tensor **tensors, int n, int dim) {
    if (n > 0 && any_null(tensors, n)) return NULL;
    if (n <= 0) {
        cg_set_error("torch.cat(): expected a non-empty list of Tensors");
        return NULL;
    }
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
    if (!ref) return cg_new_tensor(dtype, 1, (const int64_t[]){0});
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
    cg_tensor *out = cg_new_tensor(dtype, ref->ndim, sizes);
    if (!out) return NULL;
    int64_t at = 0;
    for (int i = 0; i < n; i++) {
        if (skipped_in_cat(tensors[i])) continue;
        cg_tensor part = part_of(out, d, at, tensors[i]->sizes[d]);
        cg_kernel_copy(&part, tensors[i]);
        at += tensors[i]->sizes[d];
    }
    return out;
}

cg_tensor *cg_stack(cg_tensor **tensors, int n, int dim) {
    if (n > 0 && any_null(tensors, n)) return NULL;
    if (n <= 0) {
        cg_set_error("stack expects a non-empty TensorList");
        return NULL;
    }
    const cg_tensor *first = tensors[0];
    int d = cg_wrap_dim(dim, first->ndim + 1);
    if (d < 0) return NULL;
    for (int i = 1; i < n; i++) {
        const cg_tensor *t = tensors[i];
        bool same = t->ndim == first->ndim;
        for (int k = 0; same && k < t->ndim; k++) same = t->sizes[k] == first->sizes[k];
        if (!same) {
            char a[256], b[256];
            cg_format_shape(a, sizeof a, first->ndim, first->sizes);
            cg_format_shape(b, sizeof b, t->ndim, t->sizes);
            cg_set_error("stack expects each tensor to be equal size, but got %s at entry 0 and %s at entry %d", a, b, i);
            return NULL;
        }
    }
    if (first->ndim + 1 > CG_MAX_DIMS) {
        cg_set_error("cgrad supports at most %d dimensions, got %d", CG_MAX_DIMS, first->ndim + 1);
        return NULL;
    }
    int64_t sizes[CG_MAX_DIMS];
    for (int k = 0, j = 0; k <= first->ndim; k++) sizes[k] = k == d ? n : first->sizes[j++];
    cg_tensor *out = cg_new_tensor(common_dtype(tensors, n), first->ndim + 1, sizes);
    if (!out) return NULL;
    for (int i = 0; i < n; i++) {
        cg_tensor part = part_of(out, d, i, -1);
        cg_kernel_copy(&part, tensors[i]);
    }
    return out;
}
