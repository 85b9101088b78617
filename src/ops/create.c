/* Tensor creation from data and by pattern, and single-element access. */
#include "autograd/autograd.h"
#include "backend/backend.h"

#include <math.h>
#include <string.h>

static cg_tensor *from_data_on(const cg_backend *b, const void *data, cg_dtype dtype, int ndim, const int64_t *sizes) {
    if (!data) return NULL;
    cg_tensor *t = cg_new_tensor_on(b, dtype, ndim, sizes);
    if (t) b->copy_from_host(t, data);
    return t;
}

cg_tensor *cg_from_data(const void *data, cg_dtype dtype, int ndim, const int64_t *sizes) {
    return from_data_on(&cg_backend_cpu, data, dtype, ndim, sizes);
}

cg_tensor *cg_full_on(const cg_backend *b, cg_dtype dtype, int ndim, const int64_t *sizes, cg_number value) {
    if (cg_check_number_fits(dtype, value) < 0) return NULL;
    cg_tensor *t = cg_new_tensor_on(b, dtype, ndim, sizes);
    if (t) b->fill(t, value);
    return t;
}

cg_tensor *cg_scalar(double value, cg_dtype dtype) { return cg_full_shape(dtype, 0, NULL, value); }

cg_tensor *cg_tensor_opts(cg_tensor_args a) {
    if (a.requires_grad && !cg_dtype_is_floating(a.dtype)) {
        cg_set_error("Only Tensors of floating point and complex dtype can require gradients");
        return NULL;
    }
    const cg_backend *b = cg_backend_for(a.device);
    if (!b) {
        cg_set_error("invalid device %d", (int)a.device);
        return NULL;
    }
    cg_tensor *t = a.data ? from_data_on(b, a.data, a.dtype, a.ndim, a.sizes)
                          : cg_full_on(b, a.dtype, a.ndim, a.sizes, cg_number_int(0));
    return a.requires_grad ? cg_requires_grad_(t, true) : t;
}

cg_tensor *cg_empty_shape(cg_dtype dtype, int ndim, const int64_t *sizes) {
    return cg_new_tensor(dtype, ndim, sizes);
}

cg_tensor *cg_full_shape_number(cg_dtype dtype, int ndim, const int64_t *sizes, cg_number value) {
    return cg_full_on(&cg_backend_cpu, dtype, ndim, sizes, value);
}

cg_tensor *cg_full_shape(cg_dtype dtype, int ndim, const int64_t *sizes, double value) {
    return cg_full_shape_number(dtype, ndim, sizes, cg_number_float(value));
}

cg_tensor *cg_zeros_shape(cg_dtype dtype, int ndim, const int64_t *sizes) {
    return cg_full_shape(dtype, ndim, sizes, 0);
}

cg_tensor *cg_ones_shape(cg_dtype dtype, int ndim, const int64_t *sizes) {
    return cg_full_shape(dtype, ndim, sizes, 1);
}

/* The _like functions keep t's layout, as PyTorch's preserve_format does. */
cg_tensor *cg_empty_like(const cg_tensor *t) { return t ? cg_new_like(t, t->dtype) : NULL; }
cg_tensor *cg_zeros_like(const cg_tensor *t) { return cg_full_like(t, 0); }
cg_tensor *cg_ones_like(const cg_tensor *t) { return cg_full_like(t, 1); }
cg_tensor *cg_full_like_number(const cg_tensor *t, cg_number value) {
    if (!t || cg_check_number_fits(t->dtype, value) < 0) return NULL;
    cg_tensor *out = cg_new_like(t, t->dtype);
    if (out) CG_KERNEL(out, fill)(out, value);
    return out;
}

/* PyTorch's Scalar.to<int64_t>() of a double: an error where the value does not fit. */
static int to_int64(double v, int64_t *out) {
    if (!(v >= -0x1p63 && v < 0x1p63)) {
        cg_set_error("value cannot be converted to type int64_t without overflow");
        return -1;
    }
    *out = (int64_t)v;
    return 0;
}

cg_tensor *cg_arange(double start, double end, double step, cg_dtype dtype) {
    if (dtype == CG_BOOL) {
        cg_set_error("\"arange_cpu\" not implemented for 'Bool'");
        return NULL;
    }
    int64_t istart = 0, iend = 0, istep = 0; /* PyTorch computes an int64 arange in int64 */
    if (dtype == CG_INT64 && (to_int64(start, &istart) < 0 || to_int64(end, &iend) < 0 || to_int64(step, &istep) < 0))
        return NULL;
    if (dtype == CG_INT64) {
        start = (double)istart;
        end = (double)iend;
        step = (double)istep;
    }
    if (step == 0 || isnan(step)) { /* PyTorch says the same of a NaN step */
        cg_set_error("step must be nonzero");
        return NULL;
    }
    if (!isfinite(start) || !isfinite(end)) {
        cg_set_error("unsupported range: %g -> %g", start, end);
        return NULL;
    }
    if ((step > 0 && end < start) || (step < 0 && end > start)) {
        cg_set_error("upper bound and larger bound inconsistent with step sign");
        return NULL;
    }
    double count = ceil((end - start) / step);
    if (!(count < 0x1p63)) { /* would not fit the size: PyTorch's check before it casts */
        cg_set_error("invalid size, possible overflow?");
        return NULL;
    }
    int64_t n = (int64_t)count;
    cg_tensor *t = cg_new_tensor(dtype, 1, &n);
    if (!t) return NULL;
    CG_KERNEL(t, arange)(t, start, step, istart, istep);
    return t;
}

cg_tensor *cg_linspace(double start, double end, int64_t steps, cg_dtype dtype) {
    if (steps < 0) {
        cg_set_error("number of steps must be non-negative");
        return NULL;
    }
    if (steps <= 1) return cg_full_shape(dtype, 1, &steps, start); /* PyTorch fills, without its kernel */
    if (dtype == CG_BOOL) {
        cg_set_error("\"linspace_cpu\" not implemented for 'Bool'");
        return NULL;
    }
    if (cg_check_number_fits(dtype, cg_number_float(start)) < 0 || cg_check_number_fits(dtype, cg_number_float(end)) < 0)
        return NULL;
    int64_t istart = 0, iend = 0;
    if (dtype == CG_INT64 && (to_int64(start, &istart) < 0 || to_int64(end, &iend) < 0)) return NULL;
    cg_tensor *t = cg_new_tensor(dtype, 1, &steps);
    if (!t) return NULL;
    CG_KERNEL(t, linspace)(t, start, end, istart, iend);
    return t;
}

cg_tensor *cg_eye(int64_t n, int64_t m, cg_dtype dtype) {
    if (n < 0) {
        cg_set_error("n must be greater or equal to 0, got %lld", (long long)n);
        return NULL;
    }
    if (m == -1) m = n; /* PyTorch's m=None */
    if (m < 0) {
        cg_set_error("m must be greater or equal to 0, got %lld", (long long)m);
        return NULL;
    }
    cg_tensor *t = cg_zeros_shape(dtype, 2, (const int64_t[]){n, m});
    if (!t) return NULL;
    /* the diagonal is a view with stride m + 1 */
    int64_t diagonal = n < m ? n : m, stride = m + 1;
    cg_tensor *d = cg_new_view(t, 1, &diagonal, &stride, 0);
    if (!d) return NULL;
    CG_KERNEL(d, fill)(d, cg_number_int(1));
    return t;
}

/* ---- single elements ---- */

double cg_item(const cg_tensor *t) {
    if (!t) return NAN;
    if (t->numel != 1) {
        cg_set_value_error("only one element tensors can be converted to Python scalars");
        return NAN;
    }
    int status;
    return cg_read_element(t, t->offset, &status);
}

/* Storage offset of t[index]'s first element, or -1 with PyTorch's error. Python's x[i] of a 0-dim
 * tensor has its own text (as cg_index_at); fewer indices than dims are allowed only for a read
 * (partial), whose result then must hold one element, as x[i].item() requires. */
static int64_t element_offset(const cg_tensor *t, int n, const int64_t *index, bool partial) {
    if (n > t->ndim) {
        if (t->ndim == 0 && n == 1)
            cg_set_index_error("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                               "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number");
        else
            cg_set_index_error("too many indices for tensor of dimension %d", t->ndim);
        return -1;
    }
    if (n < 0 || (n < t->ndim && !partial)) {
        cg_set_index_error("expected %d indices for a tensor of dimension %d, got %d", t->ndim, t->ndim, n);
        return -1;
    }
    if (n > 0 && !index) {
        cg_set_type_error("index is NULL for %d indices", n);
        return -1;
    }
    int64_t offset = t->offset;
    for (int d = 0; d < n; d++) {
        int64_t i = index[d], size = t->sizes[d];
        if (i < -size || i >= size) {
            cg_set_index_error("index %lld is out of bounds for dimension %d with size %lld", (long long)i, d, (long long)size);
            return -1;
        }
        offset += (i < 0 ? i + size : i) * t->strides[d];
    }
    for (int d = n; d < t->ndim; d++)
        if (t->sizes[d] != 1) {
            cg_set_value_error("only one element tensors can be converted to Python scalars");
            return -1;
        }
    return offset;
}

int cg_get_at(const cg_tensor *t, int n, const int64_t *index, double *value) {
    if (!t) return -1;
    if (!value) {
        cg_set_type_error("value is NULL: nowhere to write the element");
        return -1;
    }
    int64_t at = element_offset(t, n, index, true);
    if (at < 0) return -1;
    int status;
    *value = cg_read_element(t, at, &status);
    return status;
}

int cg_set_at(cg_tensor *t, int n, const int64_t *index, double value) {
    /* Python makes the value a tensor of t's dtype (checked) before it indexes. */
    if (!t || cg_check_number_fits(t->dtype, cg_number_float(value)) < 0) return -1;
    int64_t at = element_offset(t, n, index, false);
    if (at < 0) return -1;
    /* Python's x[i] = v is x[i].copy_(v): for a tensor with autograd state that brings the in-place
     * rules and, inside a graph, CopySlices; x[()] = v (no index) is x.copy_(v) (CopyBackwards). */
    if (t->autograd) return cg_copy_(n > 0 ? cg_index_at(t, n, index) : t, cg_scalar(value, t->dtype));
    if (cg_write_element(t, at, value) < 0) return -1;
    cg_bump_version(t);
    return 0;
}

/* ---- user memory ---- */

/* The bytes from the first element of a strided shape to the end of its last (0 for no elements);
 * false with the message when that overflows. */
static bool blob_extent(cg_dtype dtype, int ndim, const int64_t *sizes, const int64_t *strides, size_t *nbytes) {
    *nbytes = 0;
    for (int d = 0; d < ndim; d++)
        if (sizes[d] == 0) return true;
    int64_t last = 0, span, bytes; /* offset of the last element */
    bool overflow = false;
    for (int d = 0; d < ndim; d++) {
        overflow |= __builtin_mul_overflow(sizes[d] - 1, strides[d], &span);
        overflow |= __builtin_add_overflow(last, span, &last);
    }
    overflow |= __builtin_add_overflow(last, 1, &bytes);
    overflow |= __builtin_mul_overflow(bytes, (int64_t)cg_elsize(dtype), &bytes);
    if (overflow) {
        cg_set_error("Storage size calculation overflowed with sizes=%s", cg_shape_text(ndim, sizes).s);
        return false;
    }
    *nbytes = (size_t)bytes;
    return true;
}

cg_tensor *cg_from_blob(void *data, cg_dtype dtype, int ndim, const int64_t *sizes, const int64_t *strides,
                        void (*deleter)(void *data, void *ctx), void *deleter_ctx) {
    if (cg_check_shape(ndim, sizes) < 0) return NULL;
    if ((unsigned)dtype > CG_BOOL) {
        cg_set_type_error("invalid dtype %d", (int)dtype);
        return NULL;
    }
    int64_t contiguous[CG_MAX_DIMS], numel = 1;
    for (int d = 0; d < ndim; d++) {
        if (__builtin_mul_overflow(numel, sizes[d], &numel)) { /* before the strides, which would overflow too */
            cg_set_error("Storage size calculation overflowed with sizes=%s", cg_shape_text(ndim, sizes).s);
            return NULL;
        }
    }
    if (!strides) {
        cg_contiguous_strides(ndim, sizes, contiguous);
        strides = contiguous;
    }
    for (int d = 0; d < ndim; d++) {
        if (strides[d] < 0) {
            cg_set_error("from_blob: Negative strides are not supported at the moment, got strides: %s",
                         cg_shape_text(ndim, strides).s);
            return NULL;
        }
    }
    size_t nbytes;
    if (!blob_extent(dtype, ndim, sizes, strides, &nbytes)) return NULL;
    if (!data && nbytes > 0) {
        cg_set_type_error("from_blob: data is NULL for a tensor of %zu bytes", nbytes);
        return NULL;
    }
    if ((uintptr_t)data % cg_elsize(dtype)) { /* the kernels read whole elements */
        cg_set_error("from_blob: data is not aligned to the %zu bytes of a %s element", cg_elsize(dtype),
                     cg_dtype_name(dtype));
        return NULL;
    }
    cg_storage *s = cg_storage_external(data, nbytes, deleter, deleter_ctx);
    return s ? cg_new_tensor_over(s, dtype, ndim, sizes, strides) : NULL;
}

int cg_copy_to(const cg_tensor *t, void *out, size_t count, cg_dtype dtype) {
    if (!t) return -1;
    if ((unsigned)dtype > CG_BOOL) {
        cg_set_type_error("invalid dtype %d", (int)dtype);
        return -1;
    }
    if ((uint64_t)t->numel > count) {
        cg_set_error("copy_to: a buffer of %zu elements is too small for a tensor of %lld elements", count,
                     (long long)t->numel);
        return -1;
    }
    if (t->numel == 0) return 0;
    if (!out) {
        cg_set_type_error("copy_to: out is NULL");
        return -1;
    }
    if ((uintptr_t)out % cg_elsize(dtype)) {
        cg_set_error("copy_to: out is not aligned to the %zu bytes of a %s element", cg_elsize(dtype),
                     cg_dtype_name(dtype));
        return -1;
    }
    int status = -1;
    cg_scope_begin();
    cg_tensor *dst = cg_from_blob(out, dtype, t->ndim, t->sizes, NULL, NULL, NULL);
    if (dst) status = cg_copy_across(dst, t);
    cg_scope_end();
    return status;
}
