/* Pooling layers beyond layers.c's MaxPool2d and AvgPool2d: MaxPool1d, AvgPool1d,
 * AdaptiveAvgPool1d/2d, AdaptiveMaxPool1d/2d. No parameters; forward calls the functional op with
 * the options the module was made with. */
#include "nn/nn.h"

static cg_tensor *max_pool1d_forward(cg_module *m, cg_tensor *x) {
    cg_max_pool_args a = *(const cg_max_pool_args *)cg_module_state(m);
    a.input = x;
    return cg_max_pool1d_opts(a);
}

static cg_tensor *avg_pool1d_forward(cg_module *m, cg_tensor *x) {
    cg_avg_pool_args a = *(const cg_avg_pool_args *)cg_module_state(m);
    a.input = x;
    return cg_avg_pool1d_opts(a);
}

static cg_tensor *adaptive_avg1d_forward(cg_module *m, cg_tensor *x) {
    cg_adaptive_pool_args a = *(const cg_adaptive_pool_args *)cg_module_state(m);
    a.input = x;
    return cg_adaptive_avg_pool1d_opts(a);
}

static cg_tensor *adaptive_max1d_forward(cg_module *m, cg_tensor *x) {
    cg_adaptive_pool_args a = *(const cg_adaptive_pool_args *)cg_module_state(m);
    a.input = x;
    return cg_adaptive_max_pool1d_opts(a);
}

static cg_tensor *adaptive_avg_forward(cg_module *m, cg_tensor *x) {
    cg_adaptive_pool_args a = *(const cg_adaptive_pool_args *)cg_module_state(m);
    a.input = x;
    return cg_adaptive_avg_pool2d_opts(a);
}

static cg_tensor *adaptive_max_forward(cg_module *m, cg_tensor *x) {
    cg_adaptive_pool_args a = *(const cg_adaptive_pool_args *)cg_module_state(m);
    a.input = x;
    return cg_adaptive_max_pool2d_opts(a);
}

cg_module *cg_nn_max_pool1d_opts(cg_max_pool_args a) {
    a.input = NULL;
    a.indices = NULL;
    return nn_module_with("MaxPool1d", max_pool1d_forward, &a, sizeof a);
}

cg_module *cg_nn_avg_pool1d_opts(cg_avg_pool_args a) {
    a.input = NULL;
    return nn_module_with("AvgPool1d", avg_pool1d_forward, &a, sizeof a);
}

cg_module *cg_nn_adaptive_avg_pool1d_opts(cg_adaptive_pool_args a) {
    a.input = NULL;
    a.indices = NULL;
    return nn_module_with("AdaptiveAvgPool1d", adaptive_avg1d_forward, &a, sizeof a);
}

cg_module *cg_nn_adaptive_max_pool1d_opts(cg_adaptive_pool_args a) {
    a.input = NULL;
    a.indices = NULL;
    return nn_module_with("AdaptiveMaxPool1d", adaptive_max1d_forward, &a, sizeof a);
}

cg_module *cg_nn_adaptive_avg_pool2d_opts(cg_adaptive_pool_args a) {
    a.input = NULL;
    a.indices = NULL;
    return nn_module_with("AdaptiveAvgPool2d", adaptive_avg_forward, &a, sizeof a);
}

cg_module *cg_nn_adaptive_max_pool2d_opts(cg_adaptive_pool_args a) {
    a.input = NULL;
    a.indices = NULL;
    return nn_module_with("AdaptiveMaxPool2d", adaptive_max_forward, &a, sizeof a);
}
