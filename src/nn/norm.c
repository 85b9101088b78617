/* Normalization layers: BatchNorm1d/2d and LayerNorm, as torch.nn's (PyTorch 1.13): the same
 * parameters and buffers under the same names, in the same order, with the same initial values,
 * and forwards that call the functional ops as PyTorch's do. */
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

static cg_module *batch_norm_module(const char *type, int64_t n, double eps, double momentum, bool affine,
                                    bool track, int dims_a, int dims_b) {
    batch_norm_state st = {eps, momentum, affine, track, dims_a, dims_b};
    batch_norm_state *copy = malloc(sizeof st);
    if (!copy) {
        cg_set_error("out of memory");
        return NULL;
    }
    *copy = st;
    cg_module *m = cg_module_new(type, batch_norm_forward, copy, free);
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
    return batch_norm_module("BatchNorm1d", num_features, eps, momentum, affine, track_running_stats, 2, 3);
}

cg_module *cg_nn_batch_norm2d(int64_t num_features, double eps, double momentum, bool affine, bool track_running_stats) {
    return batch_norm_module("BatchNorm2d", num_features, eps, momentum, affine, track_running_stats, 4, 4);
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
