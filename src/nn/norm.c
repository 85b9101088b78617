/* Normalization layers: BatchNorm1d/2d, InstanceNorm1d/2d, LayerNorm and GroupNorm, and the
 * Dropout modules, as torch.nn's (PyTorch 1.13): the same parameters and buffers under the same names, in the same order, with the
 * same initial values, and forwards that call the functional ops as PyTorch's do. */
#include "nn/nn.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- BatchNorm1d, BatchNorm2d ---- */

typedef struct {
    double eps, momentum; /* momentum NAN: None, a cumulative average */
    bool affine, track_running_stats;
    int dims_a, dims_b;   /* the input dims _check_input_dim accepts (dims_b == dims_a for one) */
} batch_norm_state;

/* _BatchNorm.forward: the running statistics (and num_batches_tracked) change only in training;
 * with track_running_stats false, evaluation uses the batch's statistics too. */
static cg_tensor *batch_norm_forward(cg_module *m, cg_tensor *x) {
    const batch_norm_state *s = cg_module_state(m);
    int nd = cg_ndim(x);
    if (nd != s->dims_a && nd != s->dims_b) {
        if (s->dims_a == s->dims_b)
            cg_set_value_error("expected %dD input (got %dD input)", s->dims_a, nd);
        else
            cg_set_value_error("expected %dD or %dD input (got %dD input)", s->dims_a, s->dims_b, nd);
        return NULL;
    }
    bool training = cg_module_is_training(m);
    cg_tensor *w = s->affine ? nn_param(m, 0) : NULL, *b = s->affine ? nn_param(m, 1) : NULL;
    cg_tensor *rm = s->track_running_stats ? nn_buffer(m, 0) : NULL;
    cg_tensor *rv = s->track_running_stats ? nn_buffer(m, 1) : NULL, *count = nn_buffer(m, 2);
    double factor = isnan(s->momentum) ? 0.0 : s->momentum;
    bool counts = training && s->track_running_stats;
    if (counts && isnan(s->momentum)) factor = 1.0 / (double)(cg_item(count) + 1);
    cg_tensor *y = cg_batch_norm(x, rm, rv, w, b, training || !s->track_running_stats, factor, s->eps);
    /* PyTorch counts the batch before it runs it; here a batch that fails is not counted */
    if (y && counts) CG_NO_GRAD { cg_add_scalar_(count, 1); }
    return y;
}

/* _NormBase: weight and bias when affine, the running statistics when tracked. */
static cg_module *norm_base(const char *type, cg_module_forward_fn forward, int64_t n, double eps, double momentum,
                            bool affine, bool track, int dims_a, int dims_b) {
    batch_norm_state st = {eps, momentum, affine, track, dims_a, dims_b};
    batch_norm_state *copy = malloc(sizeof st);
    if (!copy) {
        cg_set_error("out of memory");
        return NULL;
    }
    *copy = st;
    cg_module *m = cg_module_new(type, forward, copy, free);
    if (!m) return NULL;
    int rc = 0;
    CG_SCOPE {
        if (affine) {
            rc = cg_module_register_parameter(m, "weight", cg_ones(n));
            if (rc == 0) rc = cg_module_register_parameter(m, "bias", cg_zeros(n));
        }
        if (rc == 0 && track) {
            rc = cg_module_register_buffer(m, "running_mean", cg_zeros(n));
            if (rc == 0) rc = cg_module_register_buffer(m, "running_var", cg_ones(n));
            if (rc == 0) rc = cg_module_register_buffer(m, "num_batches_tracked", cg_scalar(0, CG_INT64));
        }
    }
    if (rc != 0) {
        cg_module_free(m);
        return NULL;
    }
    return m;
}

cg_module *cg_nn_batch_norm1d(int64_t num_features, double eps, double momentum, bool affine, bool track_running_stats) {
    return norm_base("BatchNorm1d", batch_norm_forward, num_features, eps, momentum, affine, track_running_stats, 2, 3);
}

cg_module *cg_nn_batch_norm2d(int64_t num_features, double eps, double momentum, bool affine, bool track_running_stats) {
    return norm_base("BatchNorm2d", batch_norm_forward, num_features, eps, momentum, affine, track_running_stats, 4, 4);
}

/* ---- InstanceNorm1d, InstanceNorm2d ---- */

/* _InstanceNorm.forward: an input without the batch dim (dims_a) runs as a batch of one. */
static cg_tensor *instance_norm_forward(cg_module *m, cg_tensor *x) {
    const batch_norm_state *s = cg_module_state(m);
    int nd = cg_ndim(x);
    if (nd != s->dims_a && nd != s->dims_b) {
        cg_set_value_error("expected %dD or %dD input (got %dD input)", s->dims_a, s->dims_b, nd);
        return NULL;
    }
    cg_tensor *w = s->affine ? nn_param(m, 0) : NULL, *b = s->affine ? nn_param(m, 1) : NULL;
    cg_tensor *rm = s->track_running_stats ? nn_buffer(m, 0) : NULL;
    cg_tensor *rv = s->track_running_stats ? nn_buffer(m, 1) : NULL;
    bool unbatched = nd == s->dims_a;
    cg_tensor *y = cg_instance_norm(unbatched ? cg_unsqueeze(x, 0) : x, rm, rv, w, b,
                                    cg_module_is_training(m) || !s->track_running_stats, s->momentum, s->eps);
    return unbatched ? cg_squeeze_dim(y, 0) : y;
}

cg_module *cg_nn_instance_norm1d(int64_t num_features, double eps, double momentum, bool affine,
                                 bool track_running_stats) {
    return norm_base("InstanceNorm1d", instance_norm_forward, num_features, eps, momentum, affine, track_running_stats,
                     2, 3);
}

cg_module *cg_nn_instance_norm2d(int64_t num_features, double eps, double momentum, bool affine,
                                 bool track_running_stats) {
    return norm_base("InstanceNorm2d", instance_norm_forward, num_features, eps, momentum, affine, track_running_stats,
                     3, 4);
}

/* ---- LayerNorm ---- */

typedef struct {
    int k;
    int64_t shape[CG_MAX_DIMS];
    double eps;
} layer_norm_state;

static cg_tensor *layer_norm_forward(cg_module *m, cg_tensor *x) {
    const layer_norm_state *s = cg_module_state(m);
    return cg_layer_norm(x, s->k, s->shape, nn_param(m, 0), nn_param(m, 1), s->eps);
}

cg_module *cg_nn_layer_norm(int k, const int64_t *normalized_shape, double eps, bool elementwise_affine) {
    if (cg_check_count(k, "normalized dims") < 0 || cg_check_shape(k, normalized_shape) < 0) return NULL;
    layer_norm_state *s = calloc(1, sizeof *s);
    if (!s) {
        cg_set_error("out of memory");
        return NULL;
    }
    s->k = k;
    s->eps = eps;
    if (k) memcpy(s->shape, normalized_shape, (size_t)k * sizeof *normalized_shape);
    cg_module *m = cg_module_new("LayerNorm", layer_norm_forward, s, free);
    if (!m) return NULL;
    int rc = 0;
    if (elementwise_affine) CG_SCOPE {
            rc = cg_module_register_parameter(m, "weight", cg_ones_shape(CG_FLOAT32, k, normalized_shape));
            if (rc == 0) rc = cg_module_register_parameter(m, "bias", cg_zeros_shape(CG_FLOAT32, k, normalized_shape));
        }
    if (rc != 0) {
        cg_module_free(m);
        return NULL;
    }
    return m;
}

/* ---- GroupNorm ---- */

typedef struct {
    int64_t groups;
    double eps;
} group_norm_state;

static cg_tensor *group_norm_forward(cg_module *m, cg_tensor *x) {
    const group_norm_state *s = cg_module_state(m);
    return cg_group_norm(x, s->groups, nn_param(m, 0), nn_param(m, 1), s->eps);
}

cg_module *cg_nn_group_norm(int64_t num_groups, int64_t num_channels, double eps, bool affine) {
    if (num_groups == 0) {
        cg_set_error("integer division or modulo by zero"); /* Python's ZeroDivisionError */
        return NULL;
    }
    if (num_channels % num_groups != 0) {
        cg_set_value_error("num_channels must be divisible by num_groups");
        return NULL;
    }
    group_norm_state *s = malloc(sizeof *s);
    if (!s) {
        cg_set_error("out of memory");
        return NULL;
    }
    *s = (group_norm_state){num_groups, eps};
    cg_module *m = cg_module_new("GroupNorm", group_norm_forward, s, free);
    if (!m) return NULL;
    int rc = 0;
    if (affine) CG_SCOPE {
            rc = cg_module_register_parameter(m, "weight", cg_ones(num_channels));
            if (rc == 0) rc = cg_module_register_parameter(m, "bias", cg_zeros(num_channels));
        }
    if (rc != 0) {
        cg_module_free(m);
        return NULL;
    }
    return m;
}

/* ---- Dropout, Dropout1d/2d/3d, AlphaDropout, FeatureAlphaDropout ---- */

#define DROPOUT_FORWARD(fn)                                                            \
    static cg_tensor *fn##_forward(cg_module *m, cg_tensor *x) {                       \
        return cg_##fn(x, *(const double *)cg_module_state(m), cg_module_is_training(m)); \
    }
DROPOUT_FORWARD(dropout)
DROPOUT_FORWARD(dropout1d)
DROPOUT_FORWARD(dropout2d)
DROPOUT_FORWARD(dropout3d)
DROPOUT_FORWARD(alpha_dropout)
DROPOUT_FORWARD(feature_alpha_dropout)

/* _DropoutNd.__init__'s check, then the module holding p. */
static cg_module *dropout_module(const char *type, cg_module_forward_fn forward, double p) {
    if (!(p >= 0 && p <= 1)) {
        cg_set_value_error("dropout probability has to be between 0 and 1, but got %g", p);
        return NULL;
    }
    double *state = malloc(sizeof *state);
    if (!state) {
        cg_set_error("out of memory");
        return NULL;
    }
    *state = p;
    return cg_module_new(type, forward, state, free);
}

cg_module *cg_nn_dropout(double p) { return dropout_module("Dropout", dropout_forward, p); }
cg_module *cg_nn_dropout1d(double p) { return dropout_module("Dropout1d", dropout1d_forward, p); }
cg_module *cg_nn_dropout2d(double p) { return dropout_module("Dropout2d", dropout2d_forward, p); }
cg_module *cg_nn_dropout3d(double p) { return dropout_module("Dropout3d", dropout3d_forward, p); }
cg_module *cg_nn_alpha_dropout(double p) { return dropout_module("AlphaDropout", alpha_dropout_forward, p); }
cg_module *cg_nn_feature_alpha_dropout(double p) {
    return dropout_module("FeatureAlphaDropout", feature_alpha_dropout_forward, p);
}
