/* torch.nn.functional.pad, mode 'constant' (constant_pad_nd): pad[0], pad[1] widen the last dim
 * on the left and right, pad[2], pad[3] the one before, ...; negative widths crop. The backward
 * is the same op with the widths negated. */
#include "autograd/registry.h"
#include "backend/backend.h"

#include <stdlib.h>

static cg_tensor *constant_pad(cg_tensor *t, const int64_t *pad, int npad, double value) {
    if (npad % 2) {
        cg_set_error("Padding length must be divisible by 2");
        return NULL;
    }
    if (npad / 2 > t->ndim) {
        cg_set_error("Padding length too large");
        return NULL;
    }
    int64_t sizes[CG_MAX_DIMS];
    for (int d = 0; d < t->ndim; d++) sizes[d] = t->sizes[d];
    for (int i = 0; i < npad / 2; i++) {
        int d = t->ndim - 1 - i;
        sizes[d] = t->sizes[d] + pad[2 * i] + pad[2 * i + 1];
        if (sizes[d] < 0) {
            cg_set_error("The input size %lld, plus negative padding %lld and %lld resulted in a negative output size, "
                         "which is invalid. Check dimension %d of your input.",
                         (long long)t->sizes[d], (long long)pad[2 * i], (long long)pad[2 * i + 1], d);
            return NULL;
        }
    }
    cg_tensor *out = NULL;
    CG_NO_GRAD {
        out = cg_zeros_on(t, t->dtype, t->ndim, sizes);
        if (out && value != 0) cg_fill_number_(out, CG_NUMBER(value));
        cg_tensor *dst = out, *src = t;
        for (int i = 0; i < npad / 2 && dst && src; i++) {
            int d = t->ndim - 1 - i;
            int64_t left = pad[2 * i], right = pad[2 * i + 1];
            int64_t kept = t->sizes[d] - (left < 0 ? -left : 0) - (right < 0 ? -right : 0);
            if (kept <= 0) {
                dst = NULL;
                break;
            }
            src = cg_narrow(src, d, left < 0 ? -left : 0, kept);
            dst = cg_narrow(dst, d, left > 0 ? left : 0, kept);
        }
        if (dst && src && cg_copy_(dst, src) < 0) out = NULL;
    }
    return out;
}

cg_tensor *cg_pad_constant(cg_tensor *t, const int64_t *pad, int npad, double value) {
    if (!t) return NULL;
    cg_tensor *out = constant_pad(t, pad, npad, value);
    cg_node *n = out ? cg_record(&cg_op_constant_pad, out, CG_INPUTS(t)) : NULL;
    if (n) {
        n->args[0] = npad;
        for (int i = 0; i < npad; i++) n->args[1 + i] = pad[i];
    }
    return cg_recorded(out);
}

void cg_backward_constant_pad(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    int npad = (int)n->args[0];
    int64_t negated[2 * CG_MAX_DIMS];
    for (int i = 0; i < npad; i++) negated[i] = -n->args[1 + i];
    out[0] = cg_pad_constant(grads[0], negated, npad, 0);
}
