/* torch.nn's activation modules, PReLU and Bilinear against PyTorch (tests/data/nn_activation.txt
 * from tools/gen_nn_activation.py): class names, outputs (the functional ops' bits: exact where
 * test_activation finds them exact, else its 4 epsilons), PReLU's weight and gradient, Bilinear's
 * initial parameters after manual_seed (bit for bit) and output (test_nnfunc's 8 epsilons). */
#include "golden.h"
#include "harness.h"

#include <float.h>

typedef struct {
    const char *name;
    cg_module *(*make)(void);
    double eps;
} module_case;

#define MAKE(fname, call) static cg_module *make_##fname(void) { return call; }
MAKE(gelu, cg_nn_gelu(NULL))
MAKE(gelu_tanh, cg_nn_gelu("tanh"))
MAKE(silu, cg_nn_silu())
MAKE(mish, cg_nn_mish())
MAKE(elu, cg_nn_elu(1))
MAKE(elu_05, cg_nn_elu(0.5))
MAKE(selu, cg_nn_selu())
MAKE(celu, cg_nn_celu(1))
MAKE(celu_2, cg_nn_celu(2))
MAKE(leaky_relu, cg_nn_leaky_relu(0.01))
MAKE(leaky_relu_02, cg_nn_leaky_relu(0.2))
MAKE(hardtanh, cg_nn_hardtanh(-1, 1))
MAKE(hardtanh_23, cg_nn_hardtanh(-2, 3))
MAKE(relu6, cg_nn_relu6())
MAKE(hardsigmoid, cg_nn_hardsigmoid())
MAKE(hardswish, cg_nn_hardswish())
MAKE(softplus, cg_nn_softplus(1, 20))
MAKE(softplus_21, cg_nn_softplus(2, 1))
MAKE(softsign, cg_nn_softsign())
MAKE(logsigmoid, cg_nn_logsigmoid())
MAKE(tanhshrink, cg_nn_tanhshrink())
MAKE(softmin, cg_nn_softmin(1))
MAKE(softmax, cg_nn_softmax(1))
MAKE(softmax_0, cg_nn_softmax(0))
MAKE(log_softmax, cg_nn_log_softmax(1))
MAKE(glu, cg_nn_glu(-1))
MAKE(glu_0, cg_nn_glu(0))

#ifdef CG_HAVE_SLEEF
#define EXACT 0
#else
#define EXACT 16 /* softmax's and tanh's exp without SLEEF are libm's (test_activation) */
#endif
static const module_case cases[] = {
    {"gelu", make_gelu, 4},           {"gelu_tanh", make_gelu_tanh, 4},     {"silu", make_silu, 4},
    {"mish", make_mish, 4},           {"elu", make_elu, 4},                 {"elu_0.5", make_elu_05, 4},
    {"selu", make_selu, 4},           {"celu", make_celu, 4},               {"celu_2", make_celu_2, 4},
    {"leaky_relu", make_leaky_relu, 0}, {"leaky_relu_0.2", make_leaky_relu_02, 0}, {"hardtanh", make_hardtanh, 0},
    {"hardtanh_-2_3", make_hardtanh_23, 0}, {"relu6", make_relu6, 0},       {"hardsigmoid", make_hardsigmoid, 0},
    {"hardswish", make_hardswish, 0}, {"softplus", make_softplus, 4},       {"softplus_2_1", make_softplus_21, 4},
    {"softsign", make_softsign, 0},   {"logsigmoid", make_logsigmoid, 4},   {"tanhshrink", make_tanhshrink, EXACT},
    {"softmin", make_softmin, EXACT}, {"softmax", make_softmax, EXACT},     {"softmax_0", make_softmax_0, EXACT},
    {"log_softmax", make_log_softmax, EXACT}, {"glu", make_glu, 4},         {"glu_0", make_glu_0, 4},
};

/* The largest distance in epsilons (at max(1, |b|)) between float32 tensors of one shape. */
static double worst(cg_tensor *got, cg_tensor *expected) {
    if (!got || !expected || cg_ndim(got) != cg_ndim(expected) || cg_get_dtype(got) != cg_get_dtype(expected) ||
        memcmp(cg_sizes(got), cg_sizes(expected), sizeof(int64_t) * (size_t)cg_ndim(got)))
        return INFINITY;
    cg_tensor *g = cg_contiguous(got);
    double w = 0;
    for (int64_t i = 0; i < cg_numel(g); i++) {
        double a = ((const float *)cg_data_ptr(g))[i], b = ((const float *)cg_data_ptr(expected))[i];
        w = fmax(w, a == b || (isnan(a) && isnan(b)) ? 0 : fabs(a - b) / (FLT_EPSILON * fmax(1, fabs(b))));
    }
    return w;
}

static int check_module(char *cursor) {
    const char *name = golden_token(&cursor), *type = golden_token(&cursor);
    cg_tensor *x = golden_tensor(&cursor), *expected = golden_tensor(&cursor);
    for (size_t i = 0; name && expected && i < sizeof cases / sizeof cases[0]; i++) {
        if (strcmp(cases[i].name, name)) continue;
        cg_module *m = cases[i].make();
        cg_tensor *y = m ? cg_module_forward(m, x) : NULL;
        double d = worst(y, expected);
        bool ok = m && !strcmp(cg_module_type(m), type) && d <= (cases[i].eps ? fmax(cases[i].eps, EXACT) : 0);
        if (!ok) fprintf(stderr, "%s: %s, %g epsilons (%s)\n", name, m ? cg_module_type(m) : "none", d, cg_last_error());
        cg_module_free(m);
        return ok ? 0 : -1;
    }
    return -1;
}

static int check_prelu(char *cursor) {
    int64_t n = atoll(golden_token(&cursor));
    double init = atof(golden_token(&cursor));
    cg_tensor *w_expected = golden_tensor(&cursor), *x = golden_tensor(&cursor);
    cg_tensor *y_expected = golden_tensor(&cursor), *dw_expected = golden_tensor(&cursor);
    cg_module *m = cg_nn_prelu(n, init);
    if (!m || !dw_expected) return -1;
    cg_named_tensors params = {0};
    int rc = cg_module_named_parameters(m, &params) == 0 && params.n == 1 && !strcmp(params.names[0], "weight") ? 0 : -1;
    cg_named_tensors_free(&params);
    cg_tensor *w = cg_module_get_parameter(m, "weight"), *y = cg_module_forward(m, x), *dw = NULL;
    if (rc == 0 && y && cg_autograd_grad(.outputs = CG_TENSORS(cg_sum(y)), .inputs = CG_TENSORS(w), .results = &dw) == 0)
        rc = worst(w, w_expected) == 0 && worst(y, y_expected) == 0 && worst(dw, dw_expected) <= 4 ? 0 : -1;
    else
        rc = -1;
    cg_module_free(m);
    return rc;
}

static int check_bilinear(char *cursor) {
    uint64_t seed = (uint64_t)atoll(golden_token(&cursor));
    int64_t in1 = atoll(golden_token(&cursor)), in2 = atoll(golden_token(&cursor)), out = atoll(golden_token(&cursor));
    bool bias = atoi(golden_token(&cursor));
    cg_tensor *w_expected = golden_tensor(&cursor), *b_expected = NULL;
    if (bias) b_expected = golden_tensor(&cursor);
    else golden_token(&cursor);
    cg_tensor *x1 = golden_tensor(&cursor), *x2 = golden_tensor(&cursor), *y_expected = golden_tensor(&cursor);
    if (!y_expected) return -1;
    cg_manual_seed(seed);
    cg_module *m = cg_nn_bilinear(in1, in2, out, .no_bias = !bias);
    if (!m) return -1;
    cg_tensor *b = cg_module_get_parameter(m, "bias");
    int rc = worst(cg_module_get_parameter(m, "weight"), w_expected) == 0 && (bias ? worst(b, b_expected) == 0 : !b) &&
                     worst(cg_nn_bilinear_forward(m, x1, x2), y_expected) <= 8
                 ? 0
                 : -1;
    cg_clear_error();
    if (rc == 0 && (cg_module_forward(m, x1) || !strstr(cg_last_error(), "two inputs"))) rc = -1;
    cg_module_free(m);
    return rc;
}

static int check_line(char *line) {
    char *cursor = line;
    const char *first = golden_token(&cursor);
    if (first && !strcmp(first, "module")) return check_module(cursor);
    if (first && !strcmp(first, "prelu")) return check_prelu(cursor);
    if (first && !strcmp(first, "bilinear")) return check_bilinear(cursor);
    return -1;
}

static void test_golden(void) {
    int bad = 0;
    int n = golden_check_lines("tests/data/nn_activation.txt", check_line, 40, &bad);
    CHECK(n >= 31);
    CHECK_MSG(bad == 0, "%d of %d lines differ from PyTorch", bad, n);
}

static void test_errors(void) {
    CHECK_ERROR(cg_nn_gelu("exact"), "approximate argument must be either none or tanh.");
    CHECK_ERROR(cg_nn_prelu(0, 0.25), "PReLU: num_parameters must be positive, got 0");
    CHECK_ERROR(cg_nn_hardtanh(1, 1), "Hardtanh: max_val (1) must be greater than min_val (1)");
    cg_module *relu = cg_nn_relu();
    CHECK_ERROR(cg_nn_bilinear_forward(relu, NULL, NULL), "cg_nn_bilinear_forward: not a Bilinear module");
    cg_module_free(relu);
}

int main(void) {
    RUN(test_golden);
    RUN(test_errors);
    HARNESS_END();
}
