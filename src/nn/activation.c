/* torch.nn's activation modules (each the functional op of src/ops/activation.c with the
 * module's options) and nn.PReLU and nn.Bilinear with their parameters and PyTorch's init. */
#include "nn/nn.h"

#include <math.h>
#include <string.h>

typedef struct {
    double a, b; /* the op's numbers (alpha, bounds, beta and threshold, ...) */
    int dim;
    bool tanh; /* GELU(approximate='tanh') */
} act_options;

static act_options options(const cg_module *m) { return *(const act_options *)cg_module_state(m); }

#define ACT_FORWARD(fname, call)                                      \
    static cg_tensor *fname##_forward(cg_module *m, cg_tensor *x) { \
        act_options o = options(m);                                   \
        (void)o;                                                      \
        return call;                                                  \
    }
ACT_FORWARD(gelu, cg_gelu(x, o.tanh ? "tanh" : "none"))
ACT_FORWARD(silu, cg_silu(x))
ACT_FORWARD(mish, cg_mish(x))
ACT_FORWARD(elu, cg_elu(x, o.a))
ACT_FORWARD(selu, cg_selu(x))
ACT_FORWARD(celu, cg_celu(x, o.a))
ACT_FORWARD(leaky_relu, cg_leaky_relu(x, o.a))
ACT_FORWARD(hardtanh, cg_hardtanh(x, o.a, o.b))
ACT_FORWARD(relu6, cg_relu6(x))
ACT_FORWARD(hardsigmoid, cg_hardsigmoid(x))
ACT_FORWARD(hardswish, cg_hardswish(x))
ACT_FORWARD(softplus, cg_softplus(x, o.a, o.b))
ACT_FORWARD(softsign, cg_softsign(x))
ACT_FORWARD(logsigmoid, cg_logsigmoid(x))
ACT_FORWARD(tanhshrink, cg_tanhshrink(x))
ACT_FORWARD(softmin, cg_softmin(x, o.dim))
ACT_FORWARD(softmax, cg_softmax(x, o.dim))
ACT_FORWARD(log_softmax, cg_log_softmax(x, o.dim))
ACT_FORWARD(glu, cg_glu(x, o.dim))

static cg_module *act(const char *type, cg_module_forward_fn forward, act_options o) {
    return nn_module_with(type, forward, &o, sizeof o);
}

cg_module *cg_nn_gelu(const char *approximate) {
    bool tanh = approximate && !strcmp(approximate, "tanh");
    if (approximate && !tanh && strcmp(approximate, "none")) {
        cg_set_error("approximate argument must be either none or tanh.");
        return NULL;
    }
    return act("GELU", gelu_forward, (act_options){.tanh = tanh});
}
cg_module *cg_nn_silu(void) { return act("SiLU", silu_forward, (act_options){0}); }
cg_module *cg_nn_mish(void) { return act("Mish", mish_forward, (act_options){0}); }
cg_module *cg_nn_elu(double alpha) { return act("ELU", elu_forward, (act_options){.a = alpha}); }
cg_module *cg_nn_selu(void) { return act("SELU", selu_forward, (act_options){0}); }
cg_module *cg_nn_celu(double alpha) { return act("CELU", celu_forward, (act_options){.a = alpha}); }
cg_module *cg_nn_leaky_relu(double negative_slope) {
    return act("LeakyReLU", leaky_relu_forward, (act_options){.a = negative_slope});
}
cg_module *cg_nn_hardtanh(double min_val, double max_val) {
    if (!(max_val > min_val)) { /* PyTorch's assert in Hardtanh.__init__ */
        cg_set_error("Hardtanh: max_val (%g) must be greater than min_val (%g)", max_val, min_val);
        return NULL;
    }
    return act("Hardtanh", hardtanh_forward, (act_options){.a = min_val, .b = max_val});
}
cg_module *cg_nn_relu6(void) { return act("ReLU6", relu6_forward, (act_options){0}); }
cg_module *cg_nn_hardsigmoid(void) { return act("Hardsigmoid", hardsigmoid_forward, (act_options){0}); }
cg_module *cg_nn_hardswish(void) { return act("Hardswish", hardswish_forward, (act_options){0}); }
cg_module *cg_nn_softplus(double beta, double threshold) {
    return act("Softplus", softplus_forward, (act_options){.a = beta, .b = threshold});
}
cg_module *cg_nn_softsign(void) { return act("Softsign", softsign_forward, (act_options){0}); }
cg_module *cg_nn_logsigmoid(void) { return act("LogSigmoid", logsigmoid_forward, (act_options){0}); }
cg_module *cg_nn_tanhshrink(void) { return act("Tanhshrink", tanhshrink_forward, (act_options){0}); }
cg_module *cg_nn_softmin(int dim) { return act("Softmin", softmin_forward, (act_options){.dim = dim}); }
cg_module *cg_nn_softmax(int dim) { return act("Softmax", softmax_forward, (act_options){.dim = dim}); }
cg_module *cg_nn_log_softmax(int dim) { return act("LogSoftmax", log_softmax_forward, (act_options){.dim = dim}); }
cg_module *cg_nn_glu(int dim) { return act("GLU", glu_forward, (act_options){.dim = dim}); }

/* ---- PReLU ---- */

static cg_tensor *prelu_forward(cg_module *m, cg_tensor *x) { return cg_prelu(x, nn_param(m, 0)); }

cg_module *cg_nn_prelu(int64_t num_parameters, double init) {
    if (num_parameters < 1) {
        cg_set_error("PReLU: num_parameters must be positive, got %lld", (long long)num_parameters);
        return NULL;
    }
    cg_module *m = cg_module_new("PReLU", prelu_forward, NULL, NULL);
    if (!m) return NULL;
    int rc = -1;
    CG_SCOPE {
        cg_tensor *w = cg_full_shape(CG_FLOAT32, 1, &num_parameters, init);
        rc = cg_module_register_parameter(m, "weight", w);
    }
    if (rc != 0) {
        cg_module_free(m);
        return NULL;
    }
    return m;
}

/* ---- Bilinear ---- */

typedef struct {
    int64_t in1_features, in2_features, out_features;
    bool no_bias;
} bilinear_options;

/* A Bilinear module has two inputs: cg_module_forward (one input) is refused. */
static cg_tensor *bilinear_forward(cg_module *m, cg_tensor *x) {
    (void)m;
    (void)x;
    cg_set_error("Bilinear takes two inputs: call cg_nn_bilinear_forward(module, input1, input2)");
    return NULL;
}

cg_tensor *cg_nn_bilinear_forward(cg_module *m, cg_tensor *input1, cg_tensor *input2) {
    if (!m || nn_forward_fn(m) != bilinear_forward) {
        cg_set_error("cg_nn_bilinear_forward: not a Bilinear module");
        return NULL;
    }
    return cg_bilinear(input1, input2, nn_param(m, 0), nn_param(m, 1));
}

/* reset_parameters: weight and bias from U(-1/sqrt(in1), 1/sqrt(in1)), in that order. */
cg_module *cg_nn_bilinear_opts(cg_nn_bilinear_args a) {
    if (a.in1_features < 0 || a.in2_features < 0 || a.out_features < 0) {
        cg_set_error("Bilinear: negative feature counts (%lld, %lld, %lld)", (long long)a.in1_features,
                     (long long)a.in2_features, (long long)a.out_features);
        return NULL;
    }
    bilinear_options o = {a.in1_features, a.in2_features, a.out_features, a.no_bias};
    cg_module *m = nn_module_with("Bilinear", bilinear_forward, &o, sizeof o);
    if (!m) return NULL;
    int rc = -1;
    CG_SCOPE {
        double bound = 1 / sqrt((double)a.in1_features);
        cg_tensor *w = cg_empty_shape(CG_FLOAT32, 3, (int64_t[]){a.out_features, a.in1_features, a.in2_features});
        cg_tensor *b = a.no_bias ? NULL : cg_empty_shape(CG_FLOAT32, 1, &a.out_features);
        rc = cg_module_register_parameter(m, "weight", w);
        if (rc == 0 && b) rc = cg_module_register_parameter(m, "bias", b);
        if (rc == 0) rc = cg_nn_init_uniform_(w, -bound, bound);
        if (rc == 0 && b) rc = cg_nn_init_uniform_(b, -bound, bound);
    }
    if (rc != 0) {
        cg_module_free(m);
        return NULL;
    }
    return m;
}
