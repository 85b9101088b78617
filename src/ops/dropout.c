/* Dropout as torch.nn.functional computes it on the CPU in PyTorch 1.13: a noise tensor filled by
 * bernoulli_(1 - p) from the default generator (the same stream as PyTorch's for the same seed),
 * divided by 1 - p, times the input: the result's history is MulBackward0, as PyTorch's. dropout2d
 * draws one noise value per (sample, channel) (feature_dropout). */
#include "backend/backend.h"
#include "core/generator.h"

static int check_p(double p) {
    if (!(p >= 0 && p <= 1)) {
        cg_set_value_error("dropout probability has to be between 0 and 1, but got %g", p);
        return -1;
    }
    return 0;
}

/* _dropout_impl: noise of shape (ndim, sizes) in x's dtype and device. */
static cg_tensor *dropout_with_noise(cg_tensor *x, double p, int ndim, const int64_t *sizes) {
    if (p == 1) return cg_mul(x, cg_zeros_on(x, x->dtype, 0, NULL));
    if (!cg_dtype_is_floating(x->dtype)) {
        cg_set_error("result type Float can't be cast to the desired output type %s", cg_dtype_title(x->dtype));
        return NULL;
    }
    cg_tensor *noise = cg_new_on(x, x->dtype, ndim, sizes);
    if (!noise) return NULL;
    cg_generator *g = cg_generator_lock(NULL);
    CG_KERNEL(noise, bernoulli)(noise, 1 - p, g);
    cg_generator_unlock(g);
    return cg_mul(x, cg_div_scalar(noise, 1 - p));
}

cg_tensor *cg_dropout(cg_tensor *x, double p, bool training) {
    if (!x || check_p(p) < 0) return NULL;
    if (p == 0 || !training || x->numel == 0) return x;
    return dropout_with_noise(x, p, x->ndim, x->sizes);
}

cg_tensor *cg_dropout2d(cg_tensor *x, double p, bool training) {
    if (!x || check_p(p) < 0) return NULL;
    if (x->ndim != 3 && x->ndim != 4)
        cg_warn("dropout2d: Received a %d-D input to dropout2d, which is deprecated and will result in an error in a "
                "future release. To retain the behavior and silence this warning, please use dropout instead. Note "
                "that dropout2d exists to provide channel-wise dropout on inputs with 2 spatial dimensions, a channel "
                "dimension, and an optional batch dimension (i.e. 3D or 4D inputs).",
                x->ndim);
    if (x->ndim == 3)
        cg_warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior is "
                "desired - input is interpreted as shape (N, C, L), where C is the channel dim. This behavior will "
                "change in a future release to interpret the input as one without a batch dimension, i.e. shape (C, "
                "H, W). To maintain the 1D channel-wise dropout behavior, please switch to using dropout1d instead.");
    if (p == 0 || !training || x->numel == 0) return x;
    if (x->ndim < 2) {
        cg_set_error("Feature dropout requires at least 2 dimensions in the input");
        return NULL;
    }
    int64_t sizes[CG_MAX_DIMS];
    for (int d = 0; d < x->ndim; d++) sizes[d] = d < 2 ? x->sizes[d] : 1;
    return dropout_with_noise(x, p, x->ndim, sizes);
}
