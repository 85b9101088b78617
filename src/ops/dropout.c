/* Dropout as torch.nn.functional computes it on the CPU in PyTorch 1.13: a noise tensor filled by
 * bernoulli_(1 - p) from the default generator (the same stream as PyTorch's for the same seed),
 * divided by 1 - p, times the input: the result's history is MulBackward0, as PyTorch's. dropout1d/2d/3d
 * draw one noise value per (sample, channel) (feature_dropout); alpha_dropout and
 * feature_alpha_dropout add an affine term (AddBackward0 over MulBackward0). */
#include "backend/backend.h"
#include "core/generator.h"

#include <math.h>

static int check_p(double p) {
    if (!(p >= 0 && p <= 1)) {
        cg_set_value_error("dropout probability has to be between 0 and 1, but got %g", p);
        return -1;
    }
    return 0;
}

/* ATen's _dropout_impl: noise of input's shape, or feature: of (N, C, 1, ...); alpha: alpha
 * dropout's affine noise, which keeps SELU's mean and variance. */
static cg_tensor *dropout_impl(cg_tensor *x, double p, bool training, bool feature, bool alpha) {
    if (p == 0 || !training || x->numel == 0) return x;
    if (p == 1) return cg_mul(x, cg_zeros_on(x, x->dtype, 0, NULL));
    if (feature && x->ndim < 2) {
        cg_set_error("Feature dropout requires at least 2 dimensions in the input");
        return NULL;
    }
    if (!cg_dtype_is_floating(x->dtype)) {
        cg_set_error("result type Float can't be cast to the desired output type %s", cg_dtype_title(x->dtype));
        return NULL;
    }
    int64_t sizes[CG_MAX_DIMS];
    for (int d = 0; d < x->ndim; d++) sizes[d] = feature && d >= 2 ? 1 : x->sizes[d];
    cg_tensor *noise = cg_new_on(x, x->dtype, x->ndim, sizes);
    if (!noise) return NULL;
    cg_generator *g = cg_generator_lock(NULL);
    CG_KERNEL(noise, bernoulli)(noise, 1 - p, g);
    cg_generator_unlock(g);
    if (!alpha) return cg_mul(x, cg_div_scalar(noise, 1 - p));
    const double selu = 1.7580993408473766; /* SELU's scale * alpha, ATen's constant */
    double a = 1. / sqrt((selu * selu * p + 1) * (1 - p));
    cg_tensor *b = cg_add_scalar(cg_mul_scalar(cg_add_scalar(noise, -1), selu * a), selu * a * p);
    return cg_add(cg_mul(x, cg_mul_scalar(noise, a)), b);
}

cg_tensor *cg_dropout(cg_tensor *x, double p, bool training) {
    if (!x || check_p(p) < 0) return NULL;
    return dropout_impl(x, p, training, false, false);
}

cg_tensor *cg_alpha_dropout(cg_tensor *x, double p, bool training) {
    if (!x || check_p(p) < 0) return NULL;
    return dropout_impl(x, p, training, false, true);
}

cg_tensor *cg_feature_alpha_dropout(cg_tensor *x, double p, bool training) {
    if (!x || check_p(p) < 0) return NULL;
    return dropout_impl(x, p, training, true, true);
}

/* Python's deprecation warning of dropout2d/3d for an input of other than spatial + 1 or 2 dims. */
static void warn_dims(cg_tensor *x, int spatial) {
    if (x->ndim == spatial + 1 || x->ndim == spatial + 2) return;
    cg_warn("dropout%dd: Received a %d-D input to dropout%dd, which is deprecated and will result in an error in a "
            "future release. To retain the behavior and silence this warning, please use dropout instead. Note that "
            "dropout%dd exists to provide channel-wise dropout on inputs with %d spatial dimensions, a channel "
            "dimension, and an optional batch dimension (i.e. %dD or %dD inputs).",
            spatial, x->ndim, spatial, spatial, spatial, spatial + 1, spatial + 2);
}

/* Channel dropout of x, or of x with a batch dim of 1 (removed again) when not batched, as Python's. */
static cg_tensor *channel_dropout(cg_tensor *x, double p, bool training, bool batched) {
    if (batched) return dropout_impl(x, p, training, true, false);
    return cg_squeeze_dim(dropout_impl(cg_unsqueeze(x, 0), p, training, true, false), 0);
}

cg_tensor *cg_dropout1d(cg_tensor *x, double p, bool training) {
    if (!x || check_p(p) < 0) return NULL;
    if (x->ndim != 2 && x->ndim != 3) {
        cg_set_error("dropout1d: Expected 2D or 3D input, but received a %dD input. Note that dropout1d exists to "
                     "provide channel-wise dropout on inputs with 1 spatial dimension, a channel dimension, and an "
                     "optional batch dimension (i.e. 2D or 3D inputs).",
                     x->ndim);
        return NULL;
    }
    return channel_dropout(x, p, training, x->ndim == 3);
}

cg_tensor *cg_dropout2d(cg_tensor *x, double p, bool training) {
    if (!x || check_p(p) < 0) return NULL;
    warn_dims(x, 2);
    if (x->ndim == 3)
        cg_warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior is "
                "desired - input is interpreted as shape (N, C, L), where C is the channel dim. This behavior will "
                "change in a future release to interpret the input as one without a batch dimension, i.e. shape (C, "
                "H, W). To maintain the 1D channel-wise dropout behavior, please switch to using dropout1d instead.");
    return channel_dropout(x, p, training, true); /* no unbatched inputs in 1.13 */
}

cg_tensor *cg_dropout3d(cg_tensor *x, double p, bool training) {
    if (!x || check_p(p) < 0) return NULL;
    warn_dims(x, 3);
    return channel_dropout(x, p, training, x->ndim == 5);
}
