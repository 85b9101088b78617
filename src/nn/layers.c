/* The layers: each constructor makes PyTorch's parameters in PyTorch's order and draws their
 * default values as its reset_parameters does; each forward calls the functional op. */
#include "nn/nn.h"

#include <stdlib.h>
#include <string.h>

static void *copy_state(const void *state, size_t size) {
    void *c = malloc(size);
    if (c) memcpy(c, state, size);
    else cg_set_error("out of memory");
    return c;
}

/* A module whose forward reads a copy of the options it was made with. */
static cg_module *module_with(const char *type, cg_module_forward_fn forward, const void *state, size_t size) {
    void *copy = copy_state(state, size);
    return copy ? cg_module_new(type, forward, copy, free) : NULL;
}

/* Weight (and bias unless no_bias) as float32 parameters, then reset_parameters' fills. */
static cg_module *with_weight(cg_module *m, int ndim, const int64_t *wsizes, bool no_bias, bool conv) {
    if (!m) return NULL;
    int rc = -1;
    CG_SCOPE {
        cg_tensor *w = cg_empty_shape(CG_FLOAT32, ndim, wsizes);
        cg_tensor *b = no_bias ? NULL : cg_empty_shape(CG_FLOAT32, 1, wsizes);
        rc = cg_module_register_parameter(m, "weight", w);
        if (rc == 0 && !no_bias) rc = cg_module_register_parameter(m, "bias", b);
        if (rc == 0) rc = nn_reset_parameters(w, b, conv);
    }
    if (rc != 0) {
        cg_module_free(m);
        return NULL;
    }
    return m;
}

/* ---- Linear ---- */

/* F.linear without a bias is a matmul with the transposed weight, as cg_linear's comment says. */
static cg_tensor *linear_forward(cg_module *m, cg_tensor *x) {
    cg_tensor *w = nn_param(m, 0), *b = nn_param(m, 1);
    return b ? cg_linear(x, w, b) : cg_matmul(x, cg_t(w));
}

cg_module *cg_nn_linear_opts(cg_nn_linear_args a) {
    cg_module *m = module_with("Linear", linear_forward, &a, sizeof a);
    return with_weight(m, 2, (int64_t[]){a.out_features, a.in_features}, a.no_bias, false);
}

/* ---- Conv1d, Conv2d ---- */

static cg_conv_args conv_call(cg_module *m, cg_tensor *x) {
    const cg_nn_conv_args *a = cg_module_state(m);
    return (cg_conv_args){.input = x, .weight = nn_param(m, 0), .bias = nn_param(m, 1), .stride = a->stride,
                          .padding = a->padding, .dilation = a->dilation, .groups = a->groups};
}

static cg_tensor *conv1d_forward(cg_module *m, cg_tensor *x) { return cg_conv1d_opts(conv_call(m, x)); }
static cg_tensor *conv2d_forward(cg_module *m, cg_tensor *x) { return cg_conv2d_opts(conv_call(m, x)); }

/* _ConvNd.__init__'s checks, with its ValueError texts; an int given once serves every dim. */
static cg_module *conv_module(const char *type, cg_module_forward_fn forward, cg_nn_conv_args a, int dims) {
    if (a.groups == 0) a.groups = 1;
    if (a.groups < 0) {
        cg_set_value_error("groups must be a positive integer");
        return NULL;
    }
    if (a.in_channels % a.groups != 0) {
        cg_set_value_error("in_channels must be divisible by groups");
        return NULL;
    }
    if (a.out_channels % a.groups != 0) {
        cg_set_value_error("out_channels must be divisible by groups");
        return NULL;
    }
    if (a.kernel_size.n != 1 && a.kernel_size.n != dims) {
        cg_set_value_error("kernel_size must have %d value%s", dims, dims > 1 ? "s" : "");
        return NULL;
    }
    int64_t w[5] = {a.out_channels, a.in_channels / a.groups};
    for (int d = 0; d < dims; d++) w[2 + d] = a.kernel_size.v[a.kernel_size.n == 1 ? 0 : d];
    cg_module *m = module_with(type, forward, &a, sizeof a);
    return with_weight(m, 2 + dims, w, a.no_bias, true);
}

cg_module *cg_nn_conv1d_opts(cg_nn_conv_args a) { return conv_module("Conv1d", conv1d_forward, a, 1); }
cg_module *cg_nn_conv2d_opts(cg_nn_conv_args a) { return conv_module("Conv2d", conv2d_forward, a, 2); }

/* ---- pooling ---- */

static cg_tensor *max_pool2d_forward(cg_module *m, cg_tensor *x) {
    cg_max_pool_args a = *(const cg_max_pool_args *)cg_module_state(m);
    a.input = x;
    return cg_max_pool2d_opts(a);
}

static cg_tensor *avg_pool2d_forward(cg_module *m, cg_tensor *x) {
    cg_avg_pool_args a = *(const cg_avg_pool_args *)cg_module_state(m);
    a.input = x;
    return cg_avg_pool2d_opts(a);
}

cg_module *cg_nn_max_pool2d_opts(cg_max_pool_args a) {
    a.input = NULL;
    a.indices = NULL;
    return module_with("MaxPool2d", max_pool2d_forward, &a, sizeof a);
}

cg_module *cg_nn_avg_pool2d_opts(cg_avg_pool_args a) {
    a.input = NULL;
    return module_with("AvgPool2d", avg_pool2d_forward, &a, sizeof a);
}

/* ---- shape and activation layers ---- */

typedef struct {
    int start_dim, end_dim;
} flatten_state;

static cg_tensor *flatten_forward(cg_module *m, cg_tensor *x) {
    const flatten_state *s = cg_module_state(m);
    return cg_flatten(x, s->start_dim, s->end_dim);
}

cg_module *cg_nn_flatten(int start_dim, int end_dim) {
    flatten_state s = {start_dim, end_dim};
    return module_with("Flatten", flatten_forward, &s, sizeof s);
}

typedef struct {
    int dim, ndim;
    int64_t sizes[CG_MAX_DIMS];
} unflatten_state;

/* x's sizes with dim replaced by the given ones (one may be -1), then a view as PyTorch's. */
static cg_tensor *unflatten_forward(cg_module *m, cg_tensor *x) {
    const unflatten_state *s = cg_module_state(m);
    int nd = cg_ndim(x), dim = s->dim < 0 ? s->dim + nd : s->dim;
    if (dim < 0 || dim >= nd) {
        cg_set_index_error("Dimension out of range (expected to be in range of [%d, %d], but got %d)", -nd,
                           nd - 1, s->dim);
        return NULL;
    }
    if (nd - 1 + s->ndim > CG_MAX_DIMS) {
        cg_set_error("unflatten: too many dims");
        return NULL;
    }
    int64_t sizes[CG_MAX_DIMS];
    int n = 0;
    for (int d = 0; d < nd; d++) {
        if (d != dim) sizes[n++] = cg_size(x, d);
        else
            for (int k = 0; k < s->ndim; k++) sizes[n++] = s->sizes[k];
    }
    return cg_view_shape(x, n, sizes);
}

cg_module *cg_nn_unflatten(int dim, int ndim, const int64_t *sizes) {
    if (ndim < 1 || ndim > CG_MAX_DIMS || !sizes) {
        cg_set_error("unflatten: sizes must be non-empty");
        return NULL;
    }
    unflatten_state s = {.dim = dim, .ndim = ndim};
    memcpy(s.sizes, sizes, (size_t)ndim * sizeof *sizes);
    return module_with("Unflatten", unflatten_forward, &s, sizeof s);
}

static cg_tensor *identity_forward(cg_module *m, cg_tensor *x) {
    (void)m;
    return x;
}
static cg_tensor *relu_forward(cg_module *m, cg_tensor *x) {
    (void)m;
    return cg_relu(x);
}
static cg_tensor *tanh_forward(cg_module *m, cg_tensor *x) {
    (void)m;
    return cg_tanh(x);
}
static cg_tensor *sigmoid_forward(cg_module *m, cg_tensor *x) {
    (void)m;
    return cg_sigmoid(x);
}

cg_module *cg_nn_identity(void) { return cg_module_new("Identity", identity_forward, NULL, NULL); }
cg_module *cg_nn_relu(void) { return cg_module_new("ReLU", relu_forward, NULL, NULL); }
cg_module *cg_nn_tanh(void) { return cg_module_new("Tanh", tanh_forward, NULL, NULL); }
cg_module *cg_nn_sigmoid(void) { return cg_module_new("Sigmoid", sigmoid_forward, NULL, NULL); }

/* ---- Sequential: children "0", "1", ... run in order ---- */

static cg_tensor *sequential_forward(cg_module *m, cg_tensor *x) {
    for (int i = 0; i < cg_module_num_children(m) && x; i++) x = cg_module_forward(cg_module_child(m, i), x);
    return x;
}

int cg_nn_sequential_append(cg_module *seq, cg_module *layer) {
    char name[24];
    snprintf(name, sizeof name, "%d", cg_module_num_children(seq));
    return cg_module_add_module(seq, name, layer);
}

cg_module *cg_nn_sequential(cg_module **layers, int n) {
    cg_module *seq = cg_module_new("Sequential", sequential_forward, NULL, NULL);
    int i = 0;
    for (; i < n; i++)
        if (cg_nn_sequential_append(seq, layers[i]) != 0) break;
    if (i == n && seq) return seq;
    for (int k = i + 1; k < n; k++) cg_module_free(layers[k]); /* it owns them all, as on success */
    cg_module_free(seq);
    return NULL;
}

/* ---- Embedding: rows of the weight picked by int64 indices ---- */

static cg_tensor *embedding_forward(cg_module *m, cg_tensor *idx) { return cg_embedding(idx, nn_param(m, 0)); }

cg_module *cg_nn_embedding(int64_t num_embeddings, int64_t embedding_dim) {
    cg_module *m = cg_module_new("Embedding", embedding_forward, NULL, NULL);
    if (!m) return NULL;
    int rc = -1;
    CG_SCOPE {
        cg_tensor *w = cg_empty(num_embeddings, embedding_dim);
        rc = cg_module_register_parameter(m, "weight", w);
        if (rc == 0) rc = cg_nn_init_normal_(w, 0, 1);
    }
    if (rc != 0) {
        cg_module_free(m);
        return NULL;
    }
    return m;
}
