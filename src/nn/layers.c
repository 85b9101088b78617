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

cg_module *nn_module_with(const char *type, cg_module_forward_fn forward, const void *state, size_t size) {
    void *copy = copy_state(state, size);
    return copy ? cg_module_new(type, forward, copy, free) : NULL;
}

cg_module *nn_with_weight(cg_module *m, int ndim, const int64_t *wsizes, int64_t bias_size, bool conv) {
    if (!m) return NULL;
    bool no_bias = bias_size < 0;
    int rc = -1;
    CG_SCOPE {
        cg_tensor *w = cg_empty_shape(CG_FLOAT32, ndim, wsizes);
        cg_tensor *b = no_bias ? NULL : cg_empty_shape(CG_FLOAT32, 1, &bias_size);
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
    cg_module *m = nn_module_with("Linear", linear_forward, &a, sizeof a);
    return nn_with_weight(m, 2, (int64_t[]){a.out_features, a.in_features}, a.no_bias ? -1 : a.out_features, false);
}

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
    return nn_module_with("MaxPool2d", max_pool2d_forward, &a, sizeof a);
}

cg_module *cg_nn_avg_pool2d_opts(cg_avg_pool_args a) {
    a.input = NULL;
    return nn_module_with("AvgPool2d", avg_pool2d_forward, &a, sizeof a);
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
    return nn_module_with("Flatten", flatten_forward, &s, sizeof s);
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
    return nn_module_with("Unflatten", unflatten_forward, &s, sizeof s);
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
