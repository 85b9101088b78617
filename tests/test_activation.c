/* torch.nn.functional's activations and embedding against PyTorch (tests/data/activation.txt from
 * tools/gen_activation.py): values and gradients of float32 and float64 inputs (special values,
 * random ones, transposed ones), node names, and PyTorch's errors for the dtypes it refuses.
 *
 * The piecewise-linear ones (leaky_relu, hardtanh, relu6, hardsigmoid, hardswish) and the
 * compositions of exact ops (softsign, tanhshrink, softmin) give PyTorch's bits, and so do the
 * values of silu, elu/selu/celu, gelu (tanh), softplus, mish, logsigmoid and erf: their AVX2 loops
 * (simd_avx2.c) call SLEEF as PyTorch's vector bodies do and run its scalar lambdas on the tails.
 * gelu (erf) in float32 on a contiguous input is oneDNN's eltwise_gelu_erf in PyTorch, and cgrad
 * calls the same primitive of the same libdnnl (backend/cpu/dnnl_eltwise.c). The gradients are
 * compositions where PyTorch has one fused loop: within a few units in the last place (the
 * tolerance of each case below; ACT_DEBUG=1 prints each differing element). */
#include "harness.h"
#include "golden.h"

#include <float.h>
#include <stdint.h>

typedef struct {
    const char *name;
    cg_tensor *(*fn)(cg_tensor *x);
    double eps; /* how far values and gradients may be from PyTorch's, in epsilons; 0: bit for bit */
    double grad_eps; /* the gradients', when above eps */
} act_case;

#define ACT(fname, call)                                      \
    static cg_tensor *act_##fname(cg_tensor *x) { return call; }
ACT(leaky_relu_02, cg_leaky_relu(x, 0.2))
ACT(leaky_relu_001, cg_leaky_relu(x, 0.01))
ACT(hardtanh, cg_hardtanh(x, -1.25, 0.75))
ACT(relu6, cg_relu6(x))
ACT(elu_1, cg_elu(x, 1))
ACT(elu_07, cg_elu(x, 0.7))
ACT(selu, cg_selu(x))
ACT(celu, cg_celu(x, 1.7))
ACT(silu, cg_silu(x))
ACT(gelu_none, cg_gelu(x, "none"))
ACT(gelu_tanh, cg_gelu(x, "tanh"))
ACT(softplus_1_20, cg_softplus(x, 1, 20))
ACT(softplus_2_3, cg_softplus(x, 2, 3))
ACT(hardsigmoid, cg_hardsigmoid(x))
ACT(hardswish, cg_hardswish(x))
ACT(mish, cg_mish(x))
ACT(logsigmoid, cg_logsigmoid(x))
ACT(erf, cg_erf(x))
ACT(softsign, cg_softsign(x))
ACT(tanhshrink, cg_tanhshrink(x))
ACT(softmin, cg_softmin(x, 1))
ACT(glu_1, cg_glu(x, 1))
ACT(glu_0, cg_glu(x, 0))

static const act_case cases[] = {
    {"leaky_relu_0.2", act_leaky_relu_02, 0, 0},
    {"leaky_relu_0.01", act_leaky_relu_001, 0, 0},
    {"hardtanh_-1.25_0.75", act_hardtanh, 0, 0},
    {"relu6", act_relu6, 0, 0},
    {"elu_1", act_elu_1, 0, 4},
    {"elu_0.7", act_elu_07, 0, 4},
    {"selu", act_selu, 0, 4},
    {"celu_1.7", act_celu, 0, 4},
    {"silu", act_silu, 0, 1}, /* values: the SIMD loop; gradients: a composition */
    {"gelu_none", act_gelu_none, 0, 4}, /* float32: oneDNN's (see onednn_tolerance) */
    {"gelu_tanh", act_gelu_tanh, 0, 4},
    {"softplus_1_20", act_softplus_1_20, 0, 4},
    {"softplus_2_3", act_softplus_2_3, 0, 4},
    {"hardsigmoid", act_hardsigmoid, 0, 0},
    {"hardswish", act_hardswish, 0, 0},
    {"mish", act_mish, 0, 4},
    {"logsigmoid", act_logsigmoid, 0, 4},
    {"erf", act_erf, 0, 4},
    {"softsign", act_softsign, 0, 0},
    {"tanhshrink", act_tanhshrink, 0, 0},
    {"softmin_1", act_softmin, 0, 0},
    {"glu_1", act_glu_1, 4, 0},
    {"glu_0", act_glu_0, 4, 0},
};

/* Without SLEEF, sigmoid, tanh and softmax's exp are libm's (README), which the backward formulas
 * and the compositions use: values agree to a tolerance there. */
#ifdef CG_HAVE_SLEEF
static const double least_eps = 0;
#else
static const double least_eps = 16;
#endif

/* PyTorch's float32 gelu is oneDNN's eltwise_gelu_erf, and so is cgrad's where libdnnl is there;
 * without it, or under valgrind (where oneDNN picks other kernels), the scalar loop runs. */
static double onednn_tolerance(const act_case *c, cg_dtype dtype) {
#ifdef CG_HAVE_DNNL
    bool onednn = !under_valgrind();
#else
    bool onednn = false;
#endif
    return strcmp(c->name, "gelu_none") || dtype != CG_FLOAT32 || onednn ? 0 : 4;
}

static const act_case *find_case(const char *name) {
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (!strcmp(cases[i].name, name)) return &cases[i];
    return NULL;
}

/* How far a is from b: 0 when the bits are equal (any NaN matching any NaN; zeros of either sign
 * under valgrind, see harness.h), else |a - b| in units of b's precision at max(1, |b|) (the
 * epsilon of the type, times |b| when |b| > 1), INFINITY where a NaN, an infinity or a signed
 * zero does not match. */
static double distance(double a, double b, bool f32) {
    if (isnan(a) || isnan(b)) return isnan(a) && isnan(b) ? 0 : INFINITY;
    if (a == b) return signbit(a) == signbit(b) || under_valgrind() ? 0 : INFINITY;
    if (isinf(a) || isinf(b)) return INFINITY;
    return fabs(a - b) / ((f32 ? FLT_EPSILON : DBL_EPSILON) * fmax(1, fabs(b)));
}

static double worst_distance(cg_tensor *got, cg_tensor *expected) {
    if (!got || cg_numel(got) != cg_numel(expected) || cg_get_dtype(got) != cg_get_dtype(expected)) return INFINITY;
    cg_tensor *g = cg_contiguous(got);
    bool f32 = cg_get_dtype(g) == CG_FLOAT32;
    double worst = 0;
    for (int64_t i = 0; i < cg_numel(g); i++) {
        double a = f32 ? ((const float *)cg_data_ptr(g))[i] : ((const double *)cg_data_ptr(g))[i];
        double b = f32 ? ((const float *)cg_data_ptr(expected))[i] : ((const double *)cg_data_ptr(expected))[i];
        double d = distance(a, b, f32);
        if (d > 0 && getenv("ACT_DEBUG")) fprintf(stderr, "  [%lld] %.17g vs %.17g\n", (long long)i, a, b);
        worst = fmax(worst, d);
    }
    return worst;
}

static int check_values(const act_case *c, char *cursor) {
    const char *node = golden_token(&cursor), *layout = golden_token(&cursor);
    cg_tensor *x = golden_tensor(&cursor), *gout = golden_tensor(&cursor);
    cg_tensor *y_expected = golden_tensor(&cursor), *dx_expected = golden_tensor(&cursor);
    if (!node || !layout || !dx_expected) return -1;
    if (layout[0] == 't') x = cg_t(cg_contiguous(cg_t(x))); /* same values, transposed memory */
    cg_requires_grad_(x, true);
    cg_tensor *y = c->fn(x), *dx = NULL;
    if (!y || !cg_grad_fn(y) || strcmp(cg_node_name(cg_grad_fn(y)), node)) {
        fprintf(stderr, "%s: %s, node %s (PyTorch's: %s)\n", c->name, cg_last_error(),
                y && cg_grad_fn(y) ? cg_node_name(cg_grad_fn(y)) : "none", node);
        return -1;
    }
    if (cg_autograd_grad(.outputs = CG_TENSORS(y), .inputs = CG_TENSORS(x), .results = &dx,
                         .grad_outputs = CG_TENSORS(gout)) < 0)
        return -1;
    double dy = worst_distance(y, y_expected), dd = worst_distance(dx, dx_expected);
    double allowed = fmax(fmax(c->eps, least_eps), onednn_tolerance(c, cg_get_dtype(x)));
    if (dy > allowed || dd > fmax(allowed, c->grad_eps)) {
        fprintf(stderr, "%s %s: values %g, gradients %g epsilons from PyTorch's (at most %g)\n", c->name,
                cg_dtype_name(cg_get_dtype(x)), dy, dd, allowed);
        return -1;
    }
    return 0;
}

static int check_error(char *cursor) {
    const act_case *c = find_case(golden_token(&cursor));
    cg_tensor *x = golden_tensor(&cursor);
    const char *message = cursor + strspn(cursor, " ");
    if (!c || !x) return -1;
    cg_clear_error();
    cg_tensor *y = c->fn(x);
    if (y || strcmp(cg_last_error(), message)) {
        fprintf(stderr, "%s: \"%s\", PyTorch's: \"%s\"\n", c->name, y ? "no error" : cg_last_error(), message);
        return -1;
    }
    return 0;
}

/* padding_idx "None" or a number. */
static cg_tensor *embed(const char *padding, cg_tensor *indices, cg_tensor *weight) {
    return strcmp(padding, "None") ? cg_embedding_padded(indices, weight, atoll(padding)) : cg_embedding(indices, weight);
}

/* Embedding's values and weight gradients are PyTorch's bits: copies, and the rows of the gradient
 * added in the order of the indices. */
static int check_embedding(char *cursor) {
    const char *padding = golden_token(&cursor);
    cg_tensor *indices = golden_tensor(&cursor), *w = golden_tensor(&cursor), *gout = golden_tensor(&cursor);
    cg_tensor *y_expected = golden_tensor(&cursor), *dw_expected = golden_tensor(&cursor), *dw = NULL;
    if (!padding || !dw_expected) return -1;
    cg_tensor *y = embed(padding, indices, cg_requires_grad_(w, true));
    if (!y || strcmp(cg_node_name(cg_grad_fn(y)), "EmbeddingBackward0") ||
        cg_autograd_grad(.outputs = CG_TENSORS(y), .inputs = CG_TENSORS(w), .results = &dw,
                         .grad_outputs = CG_TENSORS(gout)) < 0)
        return -1;
    if (cg_ndim(y) != cg_ndim(y_expected) || memcmp(cg_sizes(y), cg_sizes(y_expected), sizeof(int64_t) * (size_t)cg_ndim(y)))
        return -1;
    return worst_distance(y, y_expected) == 0 && worst_distance(dw, dw_expected) == 0 ? 0 : -1;
}

static int check_embedding_error(char *cursor) {
    const char *padding = golden_token(&cursor);
    cg_tensor *indices = golden_tensor(&cursor), *w = golden_tensor(&cursor);
    const char *message = cursor + strspn(cursor, " ");
    if (!padding || !w) return -1;
    cg_clear_error();
    if (embed(padding, indices, w) || strcmp(cg_last_error(), message)) {
        fprintf(stderr, "embedding: \"%s\", PyTorch's: \"%s\"\n", cg_last_error(), message);
        return -1;
    }
    return 0;
}

/* one_hot's int64 result is exact; its errors are PyTorch's. */
static int check_one_hot(char *cursor, bool error) {
    int64_t classes = atoll(golden_token(&cursor));
    cg_tensor *t = golden_tensor(&cursor);
    if (!t) return -1;
    cg_clear_error();
    cg_tensor *y = cg_one_hot(t, classes);
    if (error) return !y && !strcmp(cg_last_error(), cursor + strspn(cursor, " ")) ? 0 : -1;
    cg_tensor *expected = golden_tensor(&cursor);
    return y && expected && cg_ndim(y) == cg_ndim(expected) &&
                   !memcmp(cg_sizes(y), cg_sizes(expected), sizeof(int64_t) * (size_t)cg_ndim(y)) &&
                   !memcmp(cg_data_ptr(y), cg_data_ptr(expected), sizeof(int64_t) * (size_t)cg_numel(y))
               ? 0
               : -1;
}

/* pad's values and gradients are copies: PyTorch's bits. */
static int check_pad(char *cursor, bool error) {
    char *widths = golden_token(&cursor), *value = golden_token(&cursor);
    if (!widths || !value) return -1;
    int64_t pad[2 * CG_MAX_DIMS + 1];
    int npad = 0;
    for (char *w = strtok(widths, ","); w && npad <= 2 * CG_MAX_DIMS; w = strtok(NULL, ",")) pad[npad++] = atoll(w);
    cg_tensor *x = golden_tensor(&cursor);
    if (!x) return -1;
    cg_clear_error();
    if (error) return !cg_pad_constant(x, pad, npad, atof(value)) && !strcmp(cg_last_error(), cursor + strspn(cursor, " ")) ? 0 : -1;
    cg_tensor *gout = golden_tensor(&cursor), *y_expected = golden_tensor(&cursor), *dx_expected = golden_tensor(&cursor);
    cg_tensor *y = cg_pad_constant(cg_requires_grad_(x, true), pad, npad, atof(value)), *dx = NULL;
    if (!dx_expected || !y || strcmp(cg_node_name(cg_grad_fn(y)), "ConstantPadNdBackward0") ||
        cg_ndim(y) != cg_ndim(y_expected) || memcmp(cg_sizes(y), cg_sizes(y_expected), sizeof(int64_t) * (size_t)cg_ndim(y)) ||
        cg_autograd_grad(.outputs = CG_TENSORS(y), .inputs = CG_TENSORS(x), .results = &dx, .grad_outputs = CG_TENSORS(gout)) < 0)
        return -1;
    return worst_distance(y, y_expected) == 0 && worst_distance(dx, dx_expected) == 0 ? 0 : -1;
}

static int check_line(char *line) {
    char *cursor = line;
    const char *first = golden_token(&cursor);
    if (!first) return -1;
    if (!strcmp(first, "error")) return check_error(cursor);
    if (!strcmp(first, "embedding")) return check_embedding(cursor);
    if (!strcmp(first, "embedding_error")) return check_embedding_error(cursor);
    if (!strcmp(first, "one_hot")) return check_one_hot(cursor, false);
    if (!strcmp(first, "one_hot_error")) return check_one_hot(cursor, true);
    if (!strcmp(first, "pad")) return check_pad(cursor, false);
    if (!strcmp(first, "pad_error")) return check_pad(cursor, true);
    const act_case *c = find_case(first);
    return c ? check_values(c, cursor) : -1;
}

static void test_golden(void) {
    int bad = 0;
    int n = golden_check_lines("tests/data/activation.txt", check_line, 40, &bad);
    CHECK(n > 240);
    CHECK_MSG(bad == 0, "%d of %d lines differ from PyTorch", bad, n);
}

/* On the meta device every activation gives a meta result of PyTorch's shape, and its gradient. */
static void test_meta(void) {
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cg_tensor *x = cg_tensor_new(.dtype = CG_FLOAT32, CG_SIZES(4, 6), .requires_grad = true, .device = CG_META);
        cg_tensor *y = cases[i].fn(x), *dx = NULL;
        int64_t rows = !strcmp(cases[i].name, "glu_0") ? 2 : 4, cols = !strcmp(cases[i].name, "glu_1") ? 3 : 6;
        CHECK_MSG(y && cg_get_device(y) == CG_META && cg_get_dtype(y) == CG_FLOAT32 && cg_size(y, 0) == rows &&
                      cg_size(y, 1) == cols,
                  "%s on meta: %s", cases[i].name, cg_last_error());
        CHECK_MSG(cg_autograd_grad(.outputs = CG_TENSORS(y), .inputs = CG_TENSORS(x), .results = &dx,
                                   .grad_outputs = CG_TENSORS(cg_ones_like(y))) == 0 &&
                      dx && cg_get_device(dx) == CG_META && cg_size(dx, 0) == 4,
                  "%s's gradient on meta: %s", cases[i].name, cg_last_error());
    }
}

int main(void) {
    RUN(test_golden);
    RUN(test_meta);
    HARNESS_END();
}
