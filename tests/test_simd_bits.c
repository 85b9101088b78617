/* The vectorized elementwise kernels against PyTorch's float32 and float64 bits
 * (tests/data/simd_bits.txt from tools/gen_simd_bits.py): exp, log, log1p, sin, cos, tan, tanh,
 * sigmoid, pow and the exact ops over every tail length, strided, expanded, transposed, offset and
 * row-sliced inputs, special values, int64 inputs (computed in float32), in-place ops and the fused
 * sigmoid/tanh/relu backward.
 *
 * Bit-exact where cgrad runs PyTorch's kernels: SLEEF present and an AVX2+FMA CPU. Otherwise (a
 * NO_SLEEF=1 build, or a CPU without AVX2, whose PyTorch would run its default kernels) the
 * transcendental functions come from libm, which rounds differently from SLEEF in the last place:
 * then results must be within 4 units in the last place instead (the backward formulas, where
 * 1 - y * y cancels, within a relative 1e-5 or 1e-12), except for the ops that round once on every
 * path, which keep PyTorch's bits everywhere. */
#include "harness.h"
#include "golden.h"
#include "core/tensor.h" /* cg_new_view: the inputs are strided views of a base */
#include "backend/cpu/simd.h"

#include <stdlib.h>

static bool exact;

static int64_t next_int(char **cur) { return atoll(golden_token(cur)); }

/* A float's bits as an integer whose order is the float's (for distances in ulps). */
static int64_t ordered(double v, cg_dtype dtype) {
    int64_t i;
    if (dtype == CG_FLOAT32) {
        float f = (float)v;
        int32_t b;
        memcpy(&b, &f, sizeof b);
        i = b < 0 ? -(int64_t)(b & 0x7fffffff) : b;
    } else {
        memcpy(&i, &v, sizeof i);
        if (i < 0) i = -(i & INT64_MAX);
    }
    return i;
}

/* The ops whose every path rounds once, as IEEE arithmetic: their bits never depend on SLEEF or the
 * CPU (pow's shortcut exponents are x*x, x*x*x, sqrt, 1/sqrt, 1/x and 1/(x*x)). */
static bool exact_everywhere(const char *op, double scalar) {
    static const char *const ops[] = {"neg", "abs", "sqrt", "relu", "relu_backward"};
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++)
        if (!strcmp(op, ops[k])) return true;
    return !strcmp(op, "pow_number") && (scalar == 2 || scalar == 3 || scalar == 0.5 || scalar == -0.5 ||
                                         scalar == -1 || scalar == -2);
}

/* derived: a backward formula of a libm value, where 1 - y * y cancels and ulps mean nothing: then
 * a relative tolerance. */
static bool same(double got, double expected, cg_dtype dtype, bool derived, bool bits) {
    if (isnan(got) || isnan(expected)) return isnan(got) && isnan(expected);
    if (exact || bits) return memcmp(&got, &expected, sizeof got) == 0;
    if (derived) return fabs(got - expected) <= (dtype == CG_FLOAT32 ? 1e-5 : 1e-12) * (1 + fabs(expected));
    int64_t d = ordered(got, dtype) - ordered(expected, dtype);
    return d >= -4 && d <= 4;
}

/* The view a line describes: its base's values, then sizes, strides and offset. */
static cg_tensor *read_view(char **cur, cg_dtype dtype) {
    int64_t extent = next_int(cur);
    cg_tensor *base = cg_empty_shape(dtype, 1, &extent);
    if (!base) return NULL;
    for (int64_t i = 0; i < extent; i++) {
        double v = strtod(golden_token(cur), NULL);
        if (dtype == CG_FLOAT32) ((float *)cg_data_ptr(base))[i] = (float)v;
        else if (dtype == CG_INT64) ((int64_t *)cg_data_ptr(base))[i] = (int64_t)v;
        else ((double *)cg_data_ptr(base))[i] = v;
    }
    int64_t sizes[CG_MAX_DIMS], strides[CG_MAX_DIMS];
    int ndim = (int)next_int(cur);
    for (int d = 0; d < ndim; d++) sizes[d] = next_int(cur);
    for (int d = 0; d < ndim; d++) strides[d] = next_int(cur);
    return cg_new_view(base, ndim, sizes, strides, next_int(cur));
}

typedef struct {
    const char *name;
    cg_tensor *(*fn)(cg_tensor *);
    int (*inplace)(cg_tensor *);
} unary_case;

static const unary_case unary[] = {
    {"exp", cg_exp, cg_exp_},     {"log", cg_log, cg_log_},     {"log1p", cg_log1p, NULL},
    {"sin", cg_sin, cg_sin_},     {"cos", cg_cos, NULL},        {"tan", cg_tan, NULL},
    {"tanh", cg_tanh, cg_tanh_},  {"sigmoid", cg_sigmoid, cg_sigmoid_}, {"sqrt", cg_sqrt, NULL},
    {"neg", cg_neg, NULL},        {"abs", cg_abs, NULL},        {"relu", cg_relu, NULL},
};

/* The gradient of x through f, for the gradient g. */
static cg_tensor *grad_through(cg_tensor *(*f)(cg_tensor *), cg_tensor *x, cg_tensor *g) {
    x = cg_requires_grad_(cg_contiguous(x), true);
    if (!x || cg_backward(f(x), .gradient = g) < 0) return NULL;
    return cg_grad(x);
}

static cg_tensor *run_op(const char *op, double scalar, cg_tensor **in) {
    size_t len = strlen(op);
    for (size_t k = 0; k < sizeof unary / sizeof unary[0]; k++) {
        if (!strcmp(op, unary[k].name)) return unary[k].fn(in[0]);
        if (len && op[len - 1] == '_' && !strncmp(op, unary[k].name, len - 1) && unary[k].name[len - 1] == '\0')
            return unary[k].inplace && unary[k].inplace(in[0]) == 0 ? in[0] : NULL;
    }
    if (!strcmp(op, "pow")) return cg_pow(in[0], in[1]);
    if (!strcmp(op, "pow_number")) return cg_pow_number(in[0], cg_number_float(scalar));
    if (!strcmp(op, "rpow_number")) return cg_rpow_number(in[0], cg_number_float(scalar));
    if (!strcmp(op, "sigmoid_backward")) return grad_through(cg_sigmoid, in[0], in[1]);
    if (!strcmp(op, "tanh_backward")) return grad_through(cg_tanh, in[0], in[1]);
    if (!strcmp(op, "relu_backward")) return grad_through(cg_relu, in[0], in[1]);
    return NULL;
}

/* 0 when cgrad's result has the golden values. */
static int check_line(char *line) {
    char *cur = line;
    const char *op = golden_token(&cur);
    cg_dtype in_dtype = golden_dtype(golden_token(&cur));
    cg_dtype dtype = in_dtype == CG_INT64 ? CG_FLOAT32 : in_dtype; /* the result's */
    const char *scalar = golden_token(&cur);
    int nin = (int)next_int(&cur);
    cg_tensor *in[2] = {NULL, NULL};
    for (int k = 0; k < nin && k < 2; k++) in[k] = read_view(&cur, in_dtype);
    double number = strtod(scalar, NULL);
    bool bits = exact_everywhere(op, number);
    cg_tensor *r = in[0] ? run_op(op, number, in) : NULL;
    r = r ? cg_contiguous(r) : NULL;
    if (!r) {
        fprintf(stderr, "  error: %s\n", cg_last_error());
        return -1;
    }
    int64_t n = next_int(&cur);
    if (cg_numel(r) != n || cg_get_dtype(r) != dtype) {
        fprintf(stderr, "  wrong numel or dtype\n");
        return -1;
    }
    for (int64_t i = 0; i < n; i++) {
        double expected = strtod(golden_token(&cur), NULL);
        double got = dtype == CG_FLOAT32 ? ((const float *)cg_data_ptr(r))[i] : ((const double *)cg_data_ptr(r))[i];
        /* SLEEF's float32 log1p overflows to inf above about 1e38 (libm's gives 88.72...). */
        bool sleef_overflow = !exact && !strncmp(op, "log1p", 5) && isinf(expected) && got > 88;
        if (!sleef_overflow && !same(got, expected, dtype, strstr(op, "_backward") != NULL, bits)) {
            fprintf(stderr, "  %s %s element %lld of %lld: got %a, expected %a\n", op, dtype == CG_FLOAT32 ? "f32" : "f64",
                    (long long)i, (long long)n, got, expected);
            return -1;
        }
    }
    return 0;
}

static void test_golden_simd_bits(void) {
    int bad, cases = golden_check_lines("tests/data/simd_bits.txt", check_line, 20, &bad);
    CHECK_MSG(bad == 0, "%d of %d lines differ", bad, cases);
    CHECK(cases > 1000);
}

/* The same lines through the AVX2 loops only, as on a CPU without AVX-512 (where this one has it). */
static void test_golden_avx2_loops(void) {
    cg_simd_cap(1);
    test_golden_simd_bits();
    cg_simd_cap(2);
}

/* The same lines through the portable loops (as on a CPU without AVX2). */
static void test_golden_portable_loops(void) {
    bool was_exact = exact;
    exact = false;
    cg_simd_cap(0);
    test_golden_simd_bits();
    cg_simd_cap(2);
    exact = was_exact;
}

int main(void) {
#ifdef CG_HAVE_SLEEF
    exact = cg_simd_avx2();
#endif
    if (!exact) printf("simd_bits: no SLEEF+AVX2 here: libm's functions, within 4 ulps of PyTorch's\n");
    RUN(test_golden_simd_bits);
    RUN(test_golden_avx2_loops);
    RUN(test_golden_portable_loops);
    HARNESS_END();
}
