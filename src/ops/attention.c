/* torch.nn.functional.bilinear and scaled dot-product attention: compositions of differentiable
 * ops (PyTorch 1.13's are composite too, so their graphs are made of the ops' nodes).
 *
 * bilinear: x1 (..., I), x2 (..., J), weight (O, I, J): out[..., o] = x1 W[o] x2 (+ bias), as the
 * batched product x1 (N, I) W (O, I, J), times x2 summed over J; PyTorch's _trilinear sums in
 * another order (within a few epsilons).
 *
 * Attention follows 1.13's F._scaled_dot_product_attention (its math path, bit for bit in 1.13):
 * softmax(matmul(q * (1 / sqrt(E)), k^T) + mask) then matmul with v; a bool mask is 0 where true
 * and -inf where false, is_causal a lower-triangular bool mask; dropout_p drops the weights after
 * softmax as dropout does (1.13's `if (dropout_p > 0.0)`). PyTorch adds the mask in place
 * (attn.add_(mask)), so a mask of a wider dtype is added in that dtype and rounded back. */
#include "autograd/autograd.h"
#include "backend/backend.h"
#include "ops/elementwise.h"

#include <math.h>
#include <stdlib.h>

static int check_bilinear(const cg_tensor *x1, const cg_tensor *x2, const cg_tensor *w, const cg_tensor *bias) {
    if (x1->ndim != x2->ndim) {
        cg_set_error("bilinear(): input dimensions do not match: got %d and %d", x1->ndim, x2->ndim);
        return -1;
    }
    for (int d = 0; d < x1->ndim - 1; d++)
        if (x1->sizes[d] != x2->sizes[d]) {
            cg_set_error("bilinear(): input batch dimensions do not match at dim %d: got %lld and %lld", d,
                         (long long)x1->sizes[d], (long long)x2->sizes[d]);
            return -1;
        }
    if (w->ndim < 3) return cg_wrap_dim(2, w->ndim) < 0 ? -1 : 0;
    if (x1->ndim == 0 || x1->sizes[x1->ndim - 1] != w->sizes[1]) {
        cg_set_error("bilinear(): input1 size does not match weight size: got %lld but expected %lld",
                     (long long)(x1->ndim ? x1->sizes[x1->ndim - 1] : 1), (long long)w->sizes[1]);
        return -1;
    }
    if (x2->sizes[x2->ndim - 1] != w->sizes[2]) {
        cg_set_error("bilinear(): input2 size does not match weight size: got %lld but expected %lld",
                     (long long)x2->sizes[x2->ndim - 1], (long long)w->sizes[2]);
        return -1;
    }
    if (bias && bias->ndim >= 1 && bias->sizes[0] != w->sizes[0]) {
        cg_set_error("bilinear(): bias size does not match weight size: got %lld but expected %lld",
                     (long long)bias->sizes[0], (long long)w->sizes[0]);
        return -1;
    }
    const cg_tensor *other = x2->dtype != x1->dtype ? x2 : w->dtype != x1->dtype ? w : NULL;
    if (other) {
        cg_set_error("expected scalar type %s but found %s", cg_dtype_title(x1->dtype), cg_dtype_title(other->dtype));
        return -1;
    }
    return 0;
}

cg_tensor *cg_bilinear(cg_tensor *x1, cg_tensor *x2, cg_tensor *weight, cg_tensor *bias) {
    if (!x1 || !x2 || !weight || check_bilinear(x1, x2, weight, bias) < 0) return NULL;
    int64_t O = weight->sizes[0], I = weight->sizes[1], J = weight->sizes[2];
    cg_tensor *a = cg_reshape(x1, -1, I), *b = cg_reshape(x2, -1, J);
    /* x1 W[o] for each o, a batched product whose backward gives W a row-major gradient, as
     * _trilinear's is; then times x2 summed over J (PyTorch's order: x1 W first, for inf and NaN) */
    cg_tensor *partial = cg_matmul(cg_unsqueeze(a, 0), weight);
    cg_tensor *flat = cg_clone_contiguous(cg_t(cg_sum(cg_mul(partial, cg_unsqueeze(b, 0)), CG_DIMS(-1))));
    if (!flat) return NULL;
    int64_t sizes[CG_MAX_DIMS];
    for (int d = 0; d < x1->ndim - 1; d++) sizes[d] = x1->sizes[d];
    sizes[x1->ndim - 1] = O;
    cg_tensor *out = cg_reshape_shape(flat, x1->ndim, sizes);
    return bias ? cg_add(out, bias) : out;
}

/* The additive mask of a bool one: 0 where true, -inf where false, in like's dtype. */
static cg_tensor *additive_mask(cg_tensor *mask, const cg_tensor *like) {
    if (mask->dtype != CG_BOOL) return mask;
    return cg_where(mask, cg_scalar(0, like->dtype), cg_scalar(-INFINITY, like->dtype));
}

/* tril(ones(L, S)) as bool, on like's device. */
static cg_tensor *causal_mask(const cg_tensor *like, int64_t L, int64_t S) {
    bool *keep = malloc((size_t)(L * S) + 1);
    if (!keep) {
        cg_set_error("out of memory");
        return NULL;
    }
    for (int64_t i = 0; i < L; i++)
        for (int64_t j = 0; j < S; j++) keep[i * S + j] = j <= i;
    cg_tensor *mask = cg_tensor_new(.data = keep, .dtype = CG_BOOL, CG_SIZES(L, S));
    free(keep);
    return mask && !cg_has_bytes(like) ? cg_to_device(mask, cg_get_device(like)) : mask;
}

cg_tensor *cg_scaled_dot_product_attention_opts(cg_sdpa_args a) {
    cg_tensor *q = a.query, *k = a.key, *v = a.value, *mask = a.attn_mask;
    if (a.attn_weights) *a.attn_weights = NULL;
    if (!q || !k || !v) return NULL;
    if (a.is_causal && mask) {
        cg_set_error("_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True");
        return NULL;
    }
    if (q->ndim < 2 || k->ndim < 2) {
        cg_set_error("scaled_dot_product_attention: query and key need at least 2 dims, got %d and %d", q->ndim, k->ndim);
        return NULL;
    }
    int64_t E = q->sizes[q->ndim - 1], L = q->sizes[q->ndim - 2], S = k->sizes[k->ndim - 2];
    if (a.is_causal && !(mask = causal_mask(q, L, S))) return NULL;
    cg_tensor *scaled = a.prescaled ? q : cg_mul_scalar(q, 1.0 / sqrt((double)E));
    cg_tensor *attn = cg_matmul(scaled, cg_transpose(k, -2, -1));
    if (attn && mask) {
        cg_dtype dtype = attn->dtype;
        attn = cg_add(attn, additive_mask(mask, attn));
        if (attn && attn->dtype != dtype) attn = cg_to(attn, dtype);
    }
    cg_tensor *weights = cg_softmax(attn, -1);
    if (weights && a.dropout_p > 1) { /* ATen's check (a RuntimeError), not F.dropout's ValueError */
        cg_set_error("dropout probability has to be between 0 and 1, but got %g", a.dropout_p);
        return NULL;
    }
    if (a.dropout_p > 0) weights = cg_dropout(weights, a.dropout_p, true); /* 1.13 drops even in eval */
    cg_tensor *out = cg_matmul(weights, v);
    if (out && a.attn_weights) *a.attn_weights = weights;
    return out;
}
