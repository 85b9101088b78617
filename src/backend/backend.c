/* What every backend shares: finding one, PyTorch's same-device check, single elements. */
#include "backend/backend.h"

#include <math.h>

const cg_backend *cg_backend_for(cg_device device) {
    switch (device) {
    case CG_CPU: return &cg_backend_cpu;
    case CG_META: return &cg_backend_meta;
    }
    return NULL;
}

const char *cg_device_name(cg_device device) {
    const cg_backend *b = cg_backend_for(device);
    return b ? b->name : "";
}

/* TensorIterator takes the device of the first operand that is not a 0-dim CPU tensor, and names
 * that one and the first that differs. */
const cg_backend *cg_common_backend(int n, const cg_tensor *const *ts) {
    const cg_backend *first = NULL;
    for (int i = 0; i < n; i++) {
        if (!ts[i]) continue;
        const cg_backend *b = cg_backend_of(ts[i]);
        if (ts[i]->ndim == 0 && b == &cg_backend_cpu) continue;
        if (!first) first = b;
        else if (b != first) { /* PyTorch names the device that is not the CPU first */
            if (first == &cg_backend_cpu) first = b, b = &cg_backend_cpu;
            cg_set_error("Expected all tensors to be on the same device, but found at least two devices, %s and %s!",
                         first->name, b->name);
            return NULL;
        }
    }
    return first ? first : &cg_backend_cpu;
}

const cg_backend *cg_lenient_backend(int n, const cg_tensor *const *ts) {
    for (int i = 0; i < n; i++)
        if (ts[i] && !cg_backend_of(ts[i])->has_bytes) return cg_backend_of(ts[i]);
    return cg_common_backend(n, ts);
}

int cg_check_same_device(int n, const cg_tensor *const *ts) { return cg_common_backend(n, ts) ? 0 : -1; }

int cg_copy_across(cg_tensor *dst, const cg_tensor *src) {
    const cg_backend *to = cg_backend_of(dst), *from = cg_backend_of(src);
    if (to == from) {
        to->copy(dst, src);
        return 0;
    }
    if (!from->has_bytes) return from->copy_to_host(NULL, src); /* its error */
    if (!to->has_bytes) return 0;
    /* Two backends with bytes (none yet): through the host, as src's dtype and shape. */
    cg_set_error("copy from %s to %s is not supported", from->name, to->name);
    return -1;
}

cg_tensor *cg_restrided_copy(cg_tensor *out, const int64_t *strides) {
    if (!out) return NULL;
    cg_tensor *t = cg_new_tensor_strided_on(cg_backend_of(out), out->dtype, out->ndim, out->sizes, strides);
    if (t) cg_backend_of(t)->copy(t, out);
    return t;
}

cg_tensor *cg_in_format_of(cg_tensor *out, const cg_tensor *x) {
    if (!out || !cg_suggests_channels_last(x)) return out;
    int64_t strides[4];
    cg_channels_last_strides(out->sizes, strides);
    return cg_restrided_copy(out, strides);
}

double cg_read_element(const cg_tensor *t, int64_t offset, int *status) {
    union {
        double f64;
        float f32;
        int64_t i64;
        bool b;
    } v;
    *status = cg_backend_of(t)->read_element(t, offset, &v);
    return *status < 0 ? NAN : cg_read_double((const char *)&v, t->dtype);
}

int cg_write_element(cg_tensor *t, int64_t offset, double value) {
    union {
        double f64;
        float f32;
        int64_t i64;
        bool b;
    } v;
    cg_write_double((char *)&v, t->dtype, value);
    return cg_backend_of(t)->write_element(t, offset, &v);
}
