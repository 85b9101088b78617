/* torch.nn.functional.normalize, cosine_similarity and pairwise_distance: compositions of
 * differentiable ops, in PyTorch 1.13's order of operations (so their bits and their graphs are
 * PyTorch's: DivBackward0, SumBackward1, NormBackward1 at the top). */
#include "autograd/autograd.h"
#include "ops/elementwise.h"

/* input / max(norm_p(input, dim), eps), the norm expanded back (functional.py's normalize). */
cg_tensor *cg_normalize(cg_tensor *t, double p, int dim, double eps) {
    if (!t) return NULL;
    cg_tensor *denom = cg_clamp(cg_norm(t, p, CG_DIMS(dim), .keepdim = true), eps, CG_NO_BOUND);
    return denom ? cg_div(t, cg_expand_shape(denom, t->ndim, t->sizes)) : NULL;
}

/* ||x||^2 along dim (kept), clamped to eps^2 in place without recording, as ATen's
 * cosine_similarity, then its square root. */
static cg_tensor *clamped_norm(cg_tensor *x, int dim, double eps) {
    cg_tensor *squared = cg_sum(cg_pow_scalar(x, 2), CG_DIMS(dim), .keepdim = true);
    if (!squared) return NULL;
    int rc = 0;
    CG_NO_GRAD { rc = cg_clamp_(squared, eps * eps, CG_NO_BOUND); }
    return rc < 0 ? NULL : cg_sqrt(squared);
}

/* sum((x1 / ||x1||) * (x2 / ||x2||), dim) of the operands broadcast and cast to their common
 * floating dtype. */
cg_tensor *cg_cosine_similarity(cg_tensor *x1, cg_tensor *x2, int dim, double eps) {
    if (!x1 || !x2) return NULL;
    cg_dtype dtype = cg_result_type(x1, x2);
    if (!cg_dtype_is_floating(dtype)) {
        cg_set_error("expected common dtype to be floating point, yet common dtype is %s", cg_dtype_title(dtype));
        return NULL;
    }
    int64_t shape[CG_MAX_DIMS];
    int ndim = cg_broadcast_shapes(x1->ndim, x1->sizes, x2->ndim, x2->sizes, shape);
    if (ndim < 0) return NULL;
    cg_tensor *a = cg_expand_shape(cg_to(x1, dtype), ndim, shape), *b = cg_expand_shape(cg_to(x2, dtype), ndim, shape);
    if (!a || !b) return NULL;
    cg_tensor *na = clamped_norm(a, dim, eps), *nb = na ? clamped_norm(b, dim, eps) : NULL;
    return nb ? cg_sum(cg_mul(cg_div(a, na), cg_div(b, nb)), CG_DIMS(dim)) : NULL;
}

/* norm_p(x1 - x2 + eps) over the last dim of the broadcast (ATen's pairwise_distance). */
cg_tensor *cg_pairwise_distance(cg_tensor *x1, cg_tensor *x2, double p, double eps, bool keepdim) {
    if (!x1 || !x2) return NULL;
    int last = (x1->ndim > x2->ndim ? x1->ndim : x2->ndim) - 1;
    return cg_norm(cg_add_by_scalar(cg_sub(x1, x2), CG_NUMBER(eps)), p, CG_DIMS(last), .keepdim = keepdim);
}
