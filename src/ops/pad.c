/* torch.nn.functional.pad. Mode 'constant' (constant_pad_nd): pad[0], pad[1] widen the last dim
 * on the left and right, pad[2], pad[3] the one before, ...; negative widths crop; its backward
 * is the same op with the widths negated. Modes 'reflect' and 'replicate' copy by computed
 * positions (ops/resample.h), one index per padded dim. */
#include "autograd/registry.h"
#include "backend/backend.h"
#include "ops/elementwise.h"
#include "ops/grad_depends.h"
#include "ops/resample.h"

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
    bool widens = false;
    for (int i = 0; i < npad; i++) widens = widens || pad[i] > 0;
    cg_tensor *cropped = t; /* PyTorch narrows away the negative widths first, outer dims first: their errors */
    CG_NO_GRAD {
        for (int d = t->ndim - npad / 2; d < t->ndim && cropped; d++) {
            int64_t left = pad[2 * (t->ndim - 1 - d)], right = pad[2 * (t->ndim - 1 - d) + 1];
            if (left < 0) cropped = cg_narrow(cropped, d, -left, cropped->sizes[d] + left);
            if (cropped && right < 0) cropped = cg_narrow(cropped, d, 0, cropped->sizes[d] + right);
        }
        if (cropped && !widens) cropped = cg_clone(cropped); /* only crops: the clone, no size check */
    }
    if (!cropped || !widens) return cropped;
    int64_t sizes[CG_MAX_DIMS];
    for (int d = 0; d < t->ndim; d++) sizes[d] = t->sizes[d];
    for (int i = 0; i < npad / 2; i++) {
        int d = t->ndim - 1 - i;
        sizes[d] = t->sizes[d] + pad[2 * i] + pad[2 * i + 1];
        if (sizes[d] <= 0) {
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
    if (out) out->storage->version = 0; /* PyTorch fills and copies below autograd: no bump */
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

/* Linear in the input: the tangent padded with zeros. */
void cg_jvp_constant_pad(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    (void)in;
    (void)outs;
    tout[0] = cg_pad_constant(tin[0], n->args + 1, (int)n->args[0], 0);
}

/* ---- pad modes 'reflect' and 'replicate' (ReflectionPad1DBackward0 ... ReplicationPad3DBackward0) ---- */

cg_tensor *cg_index_on(const cg_tensor *like, int64_t n, const int64_t *idx) {
    cg_tensor *index = cg_tensor_new(.data = idx, .dtype = CG_INT64, .ndim = 1, .sizes = {n});
    return index && !cg_has_bytes(like) ? cg_to_device(index, cg_get_device(like)) : index;
}

/* t with its last `drop` dims replaced by the k sizes. */
static cg_tensor *reshape_tail(cg_tensor *t, int drop, int k, const int64_t *sizes) {
    int64_t shape[CG_MAX_DIMS];
    int lead = t->ndim - drop;
    for (int d = 0; d < lead; d++) shape[d] = t->sizes[d];
    for (int i = 0; i < k; i++) shape[lead + i] = sizes[i];
    return cg_reshape_shape(t, lead + k, shape);
}

static int64_t product(int k, const int64_t *sizes) {
    int64_t p = 1;
    for (int i = 0; i < k; i++) p *= sizes[i];
    return p;
}

cg_tensor *cg_select_positions(cg_tensor *t, int k, cg_tensor *index, const int64_t *out_sizes) {
    cg_tensor *out = NULL;
    CG_NO_GRAD {
        int64_t count = product(k, t->sizes + t->ndim - k);
        cg_tensor *flat = reshape_tail(t, k, 1, &count);
        cg_tensor *picked = flat ? cg_index_select(flat, t->ndim - k, index) : NULL;
        out = picked ? reshape_tail(picked, 1, k, out_sizes) : NULL;
        if (out) out = cg_contiguous(out);
    }
    return out ? cg_new_alias(out) : NULL; /* a fresh result, not a view of the steps (in-place ops may write it) */
}

cg_tensor *cg_add_back_positions(cg_tensor *g, int k, cg_tensor *index, const int64_t *in_sizes) {
    int lead = g->ndim - k;
    int64_t count = product(k, g->sizes + lead), target[CG_MAX_DIMS], shape[CG_MAX_DIMS];
    cg_tensor *flat = reshape_tail(g, k, 1, &count);
    if (!flat) return NULL;
    for (int d = 0; d <= lead; d++) {
        target[d] = d < lead ? g->sizes[d] : product(k, in_sizes);
        shape[d] = d < lead ? 1 : count;
    }
    cg_tensor *spread = cg_expand_shape(cg_reshape_shape(index, lead + 1, shape), lead + 1, flat->sizes);
    cg_tensor *sum = spread ? cg_scatter_add(cg_zeros_on(g, g->dtype, lead + 1, target), lead, spread, flat) : NULL;
    return sum ? reshape_tail(sum, 1, k, in_sizes) : NULL;
}

typedef struct {
    bool reflect;
    int k; /* 1, 2 or 3 padded dims */
} pad_mode;

static const char *pad_kernel_name(pad_mode m) {
    static const char *names[2][3] = {{"replication_pad1d_cpu", "replication_pad2d_cpu", "replication_pad3d_cpu"},
                                      {"reflection_pad1d", "reflection_pad2d", "reflection_pad3d_cpu"}};
    return names[m.reflect][m.k - 1];
}

/* "[2, 3, 4]" */
static void sizes_text(const cg_tensor *t, char *buf, size_t cap) {
    size_t used = (size_t)snprintf(buf, cap, "[");
    for (int d = 0; d < t->ndim && used < cap; d++)
        used += (size_t)snprintf(buf + used, cap - used, "%s%lld", d ? ", " : "", (long long)t->sizes[d]);
    if (used < cap) snprintf(buf + used, cap - used, "]");
}

/* PyTorch's shape checks of the reflection/replication kernels, in its words for each. */
static int check_pad_input(const cg_tensor *t, pad_mode m, const int64_t *pad) {
    char sizes[160];
    sizes_text(t, sizes, sizeof sizes);
    bool nonzero = true, batched = t->ndim == m.k + 2;
    for (int d = 1; d < t->ndim; d++) nonzero &= t->sizes[d] != 0;
    if (m.reflect && m.k < 3) {
        /* reflection_pad1d/2d allow a 0 channel count without a batch (only dims 1.. are checked) */
        char text[400];
        int p = snprintf(text, sizeof text, "[ torch.%sTensor{", cg_dtype_title(t->dtype));
        for (int d = 0; d < t->ndim; d++) p += snprintf(text + p, sizeof text - (size_t)p, "%s%lld", d ? "," : "", (long long)t->sizes[d]);
        snprintf(text + p, sizeof text - (size_t)p, "} ]");
        if (!nonzero) {
            cg_set_error("%dD or %dD (batch mode) tensor expected for input, but got: %s", m.k + 1, m.k + 2, text);
            return -1;
        }
    } else if (!nonzero || (!batched && t->sizes[0] == 0)) { /* only a batch may be empty */
        cg_set_error("Expected %dD or %dD (batch mode) tensor with possibly 0 batch size and other non-zero dimensions "
                     "for input, but got: %s",
                     m.k + 1, m.k + 2, sizes);
        return -1;
    }
    if (!cg_dtype_is_floating(t->dtype)) {
        cg_set_error("\"%s\" not implemented for '%s'", pad_kernel_name(m), cg_dtype_title(t->dtype));
        return -1;
    }
    bool some_output = false; /* the kernels refuse only when every padded dim is below 1 */
    for (int i = 0; i < m.k; i++) {
        int d = t->ndim - 1 - i;
        int64_t left = pad[2 * i], right = pad[2 * i + 1];
        some_output |= t->sizes[d] + left + right >= 1;
        if (m.reflect && (left >= t->sizes[d] || right >= t->sizes[d])) {
            char where[160];
            if (m.k == 2) snprintf(where, sizeof where, "%d", t->ndim);
            else snprintf(where, sizeof where, "%s", sizes);
            cg_set_error("Argument #%d: Padding size should be less than the corresponding input dimension, but got: "
                         "padding (%lld, %lld) at dimension %d of input %s",
                         4 + 2 * i, (long long)left, (long long)right, d, where);
            return -1;
        }
    }
    if (!some_output) { /* ATen's texts, each kernel its own spacing (and reflection_pad1d an argument number) */
        int64_t in[3], out[3]; /* D, H, W of the last k dims */
        for (int i = 0; i < m.k; i++) {
            int d = t->ndim - m.k + i;
            in[i] = t->sizes[d];
            out[i] = t->sizes[d] + pad[2 * (m.k - 1 - i)] + pad[2 * (m.k - 1 - i) + 1];
        }
        if (m.k == 1)
            cg_set_error("%sinput (W: %lld)%sis too small. Calculated output W: %lld", m.reflect ? "2" : "",
                         (long long)in[0], m.reflect ? "" : " ", (long long)out[0]);
        else if (m.k == 2)
            cg_set_error("input (H: %lld, W: %lld%sis too small. Calculated output H: %lld W: %lld", (long long)in[0],
                         (long long)in[1], m.reflect ? ")" : " ) ", (long long)out[0], (long long)out[1]);
        else
            cg_set_error("input (D: %lld H: %lld, W: %lld) is too small. Calculated output D: %lld H: %lld W: %lld",
                         (long long)in[0], (long long)in[1], (long long)in[2], (long long)out[0], (long long)out[1],
                         (long long)out[2]);
        return -1;
    }
    /* some padded dim is fine but another is negative: the output's allocation refuses it */
    int64_t shape[CG_MAX_DIMS];
    for (int d = 0; d < t->ndim; d++) shape[d] = t->sizes[d];
    for (int i = 0; i < m.k; i++) shape[t->ndim - 1 - i] += pad[2 * i] + pad[2 * i + 1];
    for (int d = 0; d < t->ndim; d++) {
        if (shape[d] >= 0) continue;
        if (m.reflect) /* its empty() multiplies the sizes as unsigned numbers */
            cg_set_error("numel: integer multiplication overflow");
        else
            cg_set_error("Trying to create tensor with negative dimension %lld: %s", (long long)shape[d],
                         cg_shape_text(t->ndim, shape).s);
        return -1;
    }
    return 0;
}

/* The input position of each output position along a dim of size n widened by left and right. */
static void pad_positions(bool reflect, int64_t n, int64_t left, int64_t out, int64_t *idx) {
    for (int64_t o = 0; o < out; o++) {
        int64_t i = o - left;
        if (reflect) i = i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i;
        else i = i < 0 ? 0 : i >= n ? n - 1 : i;
        idx[o] = i;
    }
}

static const cg_op *const pad_ops[2][3] = {
    {&cg_op_replication_pad1d, &cg_op_replication_pad2d, &cg_op_replication_pad3d},
    {&cg_op_reflection_pad1d, &cg_op_reflection_pad2d, &cg_op_reflection_pad3d}};

static cg_tensor *pad_indexed(cg_tensor *t, const int64_t *pad, int npad, bool reflect) {
    if (!t) return NULL;
    if (npad % 2) {
        cg_set_error("Padding length must be divisible by 2");
        return NULL;
    }
    if (npad / 2 > t->ndim) {
        cg_set_error("Padding length too large");
        return NULL;
    }
    pad_mode m = {reflect, npad / 2};
    if (m.k < 1 || m.k > 3 || (t->ndim != m.k + 1 && t->ndim != m.k + 2)) {
        cg_set_error_kind(CG_NOT_IMPLEMENTED_ERROR,
                          "Only 2D, 3D, 4D, 5D padding with non-constant padding are supported for now");
        return NULL;
    }
    if (check_pad_input(t, m, pad) < 0) return NULL;
    int lead = t->ndim - m.k;
    int64_t out_sizes[3] = {1, 1, 1}, count = 1, *positions[3] = {0};
    for (int i = 0; i < m.k; i++) {
        int d = lead + i, j = m.k - 1 - i; /* pad[2 j] widens dim d */
        out_sizes[i] = t->sizes[d] + pad[2 * j] + pad[2 * j + 1];
        count *= out_sizes[i];
    }
    int64_t *flat = malloc(sizeof(int64_t) * (size_t)(count + out_sizes[0] + out_sizes[1] + out_sizes[2]));
    if (!flat) {
        cg_set_error("out of memory");
        return NULL;
    }
    int64_t *next = flat + count;
    for (int i = 0; i < m.k; i++) {
        int j = m.k - 1 - i;
        positions[i] = next;
        pad_positions(reflect, t->sizes[lead + i], pad[2 * j], out_sizes[i], next);
        next += out_sizes[i];
    }
    for (int64_t o = 0; o < count; o++) { /* row-major over the output's k dims */
        int64_t rest = o, at = 0, scale = 1;
        for (int i = m.k - 1; i >= 0; i--) {
            at += positions[i][rest % out_sizes[i]] * scale;
            scale *= t->sizes[lead + i];
            rest /= out_sizes[i];
        }
        flat[o] = at;
    }
    cg_tensor *index = cg_index_on(t, count, flat);
    free(flat);
    cg_tensor *out = index ? cg_select_positions(t, m.k, index, out_sizes) : NULL;
    cg_node *n = out ? cg_record(pad_ops[reflect][m.k - 1], out, CG_INPUTS(t)) : NULL;
    if (n) {
        n->args[0] = m.k;
        for (int i = 0; i < m.k; i++) n->args[1 + i] = t->sizes[lead + i];
        n->args[4] = reflect;
        cg_save(n, 0, index);
        cg_save(n, 1, t); /* as PyTorch's node saves self: its backward takes it */
    }
    return cg_recorded(out);
}

cg_tensor *cg_pad_reflect(cg_tensor *t, const int64_t *pad, int npad) { return pad_indexed(t, pad, npad, true); }
cg_tensor *cg_pad_replicate(cg_tensor *t, const int64_t *pad, int npad) { return pad_indexed(t, pad, npad, false); }

static const cg_op *const pad_depends_ops[2][3] = {
    {&cg_op_replication_pad1d_depends, &cg_op_replication_pad2d_depends, &cg_op_replication_pad3d_depends},
    {&cg_op_reflection_pad1d_depends, &cg_op_reflection_pad2d_depends, &cg_op_reflection_pad3d_depends}};

static void pad_indexed_backward(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *index = cg_saved(n, 0), *self = cg_saved(n, 1);
    int k = (int)n->args[0];
    if (index && self)
        out[0] = cg_grad_depending(pad_depends_ops[n->args[4]][k - 1],
                                   cg_add_back_positions(grads[0], k, index, n->args + 1), self, NULL);
}

/* Reflect and replicate pads are linear: the tangent at the same positions. */
void cg_jvp_pad_indexed(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    (void)in;
    cg_tensor *index = cg_saved(n, 0);
    int k = (int)n->args[0];
    if (index) tout[0] = cg_select_positions(tin[0], k, index, outs[0]->sizes + outs[0]->ndim - k);
}

#define PAD_BACKWARD(ident)                                                     \
    void cg_backward_##ident(cg_node *n, cg_tensor **grads, cg_tensor **out) { \
        pad_indexed_backward(n, grads, out);                                    \
    }
PAD_BACKWARD(reflection_pad1d)
PAD_BACKWARD(reflection_pad2d)
PAD_BACKWARD(reflection_pad3d)
PAD_BACKWARD(replication_pad1d)
PAD_BACKWARD(replication_pad2d)
PAD_BACKWARD(replication_pad3d)
