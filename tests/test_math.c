/* The unary and binary math families against PyTorch (tests/data/math.txt, from
 * tools/gen_unary_math.py): values on contiguous and strided inputs of every dtype, PyTorch's
 * errors, node names and first gradients; then the in-place forms and the bookkeeping the golden
 * data cannot express. gradcheck and gradgradcheck are in tests/grad_cases_math.h. */
#include "harness.h"
#include "golden.h"
#include "backend/cpu/simd.h" /* cg_simd_avx2: whether PyTorch's AVX2 bits are expected */

#include <stdlib.h>

typedef cg_tensor *(*unary_fn)(cg_tensor *, double);
typedef cg_tensor *(*binary_fn)(cg_tensor *, cg_tensor *);

#define U(name, call)                                              \
    static cg_tensor *u_##name(cg_tensor *x, double p) {           \
        (void)p;                                                   \
        return call;                                               \
    }
U(acos, cg_acos(x)) U(asin, cg_asin(x)) U(atan, cg_atan(x)) U(sinh, cg_sinh(x)) U(cosh, cg_cosh(x))
U(acosh, cg_acosh(x)) U(asinh, cg_asinh(x)) U(atanh, cg_atanh(x)) U(erfc, cg_erfc(x)) U(expm1, cg_expm1(x))
U(exp2, cg_exp2(x)) U(log2, cg_log2(x)) U(log10, cg_log10(x)) U(lgamma, cg_lgamma(x)) U(digamma, cg_digamma(x))
U(polygamma, cg_polygamma((int64_t)p, x)) U(sinc, cg_sinc(x)) U(rsqrt, cg_rsqrt(x)) U(entr, cg_special_entr(x))
U(frac, cg_frac(x)) U(floor, cg_floor(x)) U(ceil, cg_ceil(x)) U(trunc, cg_trunc(x)) U(round, cg_round(x))
U(round_decimals, cg_round_decimals(x, (int64_t)p)) U(logit, cg_logit(x, -1)) U(logit_eps, cg_logit(x, p))
U(nan_to_num, cg_nan_to_num(x, CG_NO_BOUND, CG_NO_BOUND, CG_NO_BOUND))
U(nan_to_num_args, cg_nan_to_num(x, CG_NUMBER(1.5), CG_NUMBER(1e300), CG_NUMBER(-2.0)))
U(deg2rad, cg_deg2rad(x)) U(rad2deg, cg_rad2deg(x)) U(square, cg_square(x)) U(isnan, cg_isnan(x))
U(isinf, cg_isinf(x)) U(isposinf, cg_isposinf(x)) U(isneginf, cg_isneginf(x)) U(isfinite, cg_isfinite(x))
U(isreal, cg_isreal(x)) U(signbit, cg_signbit(x)) U(logical_not, cg_logical_not(x))

static cg_tensor *div_trunc(cg_tensor *a, cg_tensor *b) { return cg_div_mode(a, b, "trunc"); }
static cg_tensor *div_floor(cg_tensor *a, cg_tensor *b) { return cg_div_mode(a, b, "floor"); }

typedef struct {
    const char *name;
    unary_fn unary;
    binary_fn binary;
    bool exact; /* PyTorch's bits even without SLEEF and AVX2 (exact arithmetic, or the same libm call) */
    int cases;
} op_entry;

#define UE(name, exact) {#name, u_##name, NULL, exact, 0}
#define BE(name, fn, exact) {#name, NULL, fn, exact, 0}
static op_entry ops[] = {
    UE(acos, false), UE(asin, false), UE(atan, false), UE(sinh, false), UE(cosh, false), UE(acosh, true),
    UE(asinh, true), UE(atanh, true), UE(erfc, false), UE(expm1, false), UE(exp2, false), UE(log2, false),
    UE(log10, false), UE(lgamma, false), UE(digamma, false), UE(polygamma, false), {"polygamma3", u_polygamma, NULL, false, 0},
    UE(sinc, true), UE(rsqrt, true), UE(entr, true), UE(frac, true), UE(floor, true), UE(ceil, true),
    UE(trunc, true), UE(round, true), UE(round_decimals, true), {"round_decimals_neg", u_round_decimals, NULL, true, 0},
    UE(logit, false), UE(logit_eps, false), UE(nan_to_num, true), UE(nan_to_num_args, true), UE(deg2rad, true),
    UE(rad2deg, true), UE(square, true), UE(isnan, true), UE(isinf, true), UE(isposinf, true), UE(isneginf, true),
    UE(isfinite, true), UE(isreal, true), UE(signbit, true), UE(logical_not, true),
    BE(atan2, cg_atan2, false), BE(hypot, cg_hypot, false), BE(fmod, cg_fmod, true),
    BE(remainder, cg_remainder, true), BE(copysign, cg_copysign, true), BE(fmax, cg_fmax, true),
    BE(fmin, cg_fmin, true), BE(xlogy, cg_xlogy, true), BE(xlog1py, cg_special_xlog1py, true),
    BE(logaddexp, cg_logaddexp, false), BE(logaddexp2, cg_logaddexp2, false), BE(nextafter, cg_nextafter, true),
    BE(heaviside, cg_heaviside, true), BE(zeta, cg_special_zeta, false), BE(logical_and, cg_logical_and, true),
    BE(logical_or, cg_logical_or, true), BE(logical_xor, cg_logical_xor, true), BE(div_trunc, div_trunc, true),
    BE(div_floor, div_floor, true), BE(floor_divide, cg_floor_divide, true),
};
#define NOPS (int)(sizeof ops / sizeof *ops)

static op_entry *find_op(const char *name) {
    for (int i = 0; i < NOPS; i++)
        if (!strcmp(ops[i].name, name)) return &ops[i];
    return NULL;
}

/* A strided view (every other element of a fresh buffer twice as long) holding t's values. */
static cg_tensor *strided(cg_tensor *t) {
    cg_tensor *base = cg_zeros_shape(cg_get_dtype(t), 1, (const int64_t[]){2 * cg_numel(t)});
    cg_tensor *view = cg_slice(base, 0, 0, 2 * cg_numel(t), 2);
    return view && cg_copy_(view, t) == 0 ? view : NULL;
}

/* Same values: bit for bit (any NaN matching any NaN) when exact, else within tol of each other. */
static bool same_values(cg_tensor *got, cg_tensor *want, bool exact) {
    if (!got || cg_get_dtype(got) != cg_get_dtype(want) || cg_numel(got) != cg_numel(want) || cg_ndim(got) != cg_ndim(want))
        return false;
    cg_tensor *g = cg_contiguous(cg_to(got, CG_FLOAT64)), *w = cg_contiguous(cg_to(want, CG_FLOAT64));
    double tol = exact ? 0 : cg_get_dtype(want) == CG_FLOAT32 ? 4e-6 : 1e-14;
    const double *gv = cg_data_ptr(g), *wv = cg_data_ptr(w);
    for (int64_t i = 0; i < cg_numel(g); i++) {
        if (isnan(gv[i]) && isnan(wv[i])) continue;
        if (exact ? memcmp(&gv[i], &wv[i], sizeof(double)) == 0
                  : gv[i] == wv[i] || fabs(gv[i] - wv[i]) <= tol * fabs(wv[i]) + (isinf(wv[i]) ? 0 : 1e-300)) continue;
        fprintf(stderr, "  element %lld: got %.17g, expected %.17g\n", (long long)i, gv[i], wv[i]);
        return false;
    }
    return true;
}

static bool avx2_bits(void) {
#ifdef CG_HAVE_SLEEF
    return cg_simd_avx2();
#else
    return false;
#endif
}

static cg_tensor *run_op(op_entry *op, double p, cg_tensor *a, cg_tensor *b) {
    return op->unary ? op->unary(a, p) : op->binary(a, b);
}

static int check_line(char *line) {
    char *cur = line;
    char *kind = golden_token(&cur), *name = golden_token(&cur), *ptext = golden_token(&cur);
    op_entry *op = name ? find_op(name) : NULL;
    if (!kind || !op || !ptext) return -1;
    op->cases++;
    double p = strcmp(ptext, "-") ? strtod(ptext, NULL) : 0;
    if (!strcmp(kind, "V")) {
        char *exact_text = golden_token(&cur), *layout = golden_token(&cur);
        cg_tensor *a = golden_tensor(&cur), *b = op->binary ? golden_tensor(&cur) : NULL, *want = golden_tensor(&cur);
        if (!exact_text || !layout || !a || !want) return -1;
        if (!strcmp(layout, "s")) {
            a = strided(a);
            if (b && cg_ndim(b) > 0) b = strided(b);
        }
        cg_tensor *got = run_op(op, p, a, b);
        bool exact = cg_get_dtype(want) != CG_FLOAT32 && cg_get_dtype(want) != CG_FLOAT64 ? true : op->exact || avx2_bits();
        if (!got) fprintf(stderr, "  error: %s\n", cg_last_error());
        return same_values(got, want, exact) ? 0 : -1;
    }
    if (!strcmp(kind, "E")) {
        cg_tensor *a = golden_tensor(&cur), *b = op->binary ? golden_tensor(&cur) : NULL;
        char *message = cur + strspn(cur, " ");
        cg_clear_error();
        cg_tensor *got = run_op(op, p, a, b);
        if (got || strcmp(cg_last_error(), message)) {
            fprintf(stderr, "  expected error '%s', got '%s'\n", message, got ? "no error" : cg_last_error());
            return -1;
        }
        return 0;
    }
    if (!strcmp(kind, "N")) {
        char *node = golden_token(&cur);
        cg_tensor *a = cg_requires_grad_(golden_tensor(&cur), true);
        cg_tensor *b = op->binary ? cg_requires_grad_(golden_tensor(&cur), true) : NULL;
        cg_tensor *ga = golden_tensor(&cur), *gb = op->binary ? golden_tensor(&cur) : NULL;
        cg_tensor *y = run_op(op, p, a, b);
        if (!node || !y || !cg_grad_fn(y) || strcmp(cg_node_name(cg_grad_fn(y)), node)) {
            fprintf(stderr, "  node %s, expected %s\n", y && cg_grad_fn(y) ? cg_node_name(cg_grad_fn(y)) : "none", node);
            return -1;
        }
        cg_tensor *grads[2] = {0};
        if (cg_autograd_grad(.outputs = CG_TENSORS(cg_sum(y)), .inputs = {b ? (cg_tensor *[]){a, b} : &a, b ? 2 : 1},
                             .results = grads) < 0)
            return -1;
        bool ok = harness_values_close(grads[0], cg_data_ptr(ga), 1e-12) && (!b || harness_values_close(grads[1], cg_data_ptr(gb), 1e-12));
        return ok ? 0 : -1;
    }
    return -1;
}

static void test_golden(void) {
    int bad = 0;
    int cases = golden_check_lines("tests/data/math.txt", check_line, 20, &bad);
    CHECK_MSG(cases > 900, "only %d cases read", cases);
    CHECK_MSG(bad == 0, "%d of %d cases differ from PyTorch", bad, cases);
    for (int i = 0; i < NOPS; i++) CHECK_MSG(ops[i].cases > 0, "no golden case for %s", ops[i].name);
}

/* The portable loops (no vector instructions) on the same cases, within a tolerance where PyTorch
 * rounds differently without them. */
static void test_golden_portable_loops(void) {
    cg_simd_cap(0);
    test_golden();
    cg_simd_cap(2);
}

/* x.op_() writes op(x)'s bits into x and bumps its version. */
typedef struct {
    const char *name;
    cg_tensor *(*op)(cg_tensor *);
    int (*op_)(cg_tensor *);
} inplace_pair;
#define IP(name) {#name, cg_##name, cg_##name##_}
static const inplace_pair inplace_ops[] = {
    IP(acos), IP(asin), IP(atan), IP(sinh), IP(cosh), IP(acosh), IP(asinh), IP(atanh), IP(erfc), IP(expm1),
    IP(exp2), IP(log2), IP(log10), IP(lgamma), IP(digamma), IP(sinc), IP(rsqrt), IP(frac), IP(floor),
    IP(ceil), IP(trunc), IP(round), IP(deg2rad), IP(rad2deg), IP(square),
};

static cg_tensor *uniform(double lo, double hi) {
    cg_tensor *t = cg_rand(40);
    return cg_uniform_(t, lo, hi) == 0 ? t : NULL;
}

static void test_inplace_forms(void) {
    for (size_t i = 0; i < sizeof inplace_ops / sizeof *inplace_ops; i++) {
        cg_manual_seed(7);
        cg_tensor *x = uniform(-3, 3);
        cg_tensor *want = inplace_ops[i].op(x);
        int64_t version = cg_version(x);
        CHECK_MSG(inplace_ops[i].op_(x) == 0 && same_values(x, want, true), "%s_", inplace_ops[i].name);
        CHECK_MSG(cg_version(x) == version + 1, "%s_ version", inplace_ops[i].name);
    }
    cg_tensor *x = uniform(0.1, 0.9);
    cg_tensor *want = cg_logit(x, 0.2);
    CHECK(cg_logit_(x, 0.2) == 0 && same_values(x, want, true));
    x = cg_tensor_f64(((double[]){NAN, INFINITY, -INFINITY, 1.5}), 4);
    CHECK(cg_nan_to_num_(x, CG_NUMBER(0.5), CG_NO_BOUND, CG_NUMBER(-7)) == 0);
    CHECK(harness_values_close(x, (double[]){0.5, 1.7976931348623157e308, -7, 1.5}, 0));
    x = cg_tensor_f64(((double[]){1.234, -5.678}), 2);
    CHECK(cg_round_decimals_(x, 1) == 0 && harness_values_close(x, (double[]){1.2, -5.7}, 0));
    x = cg_tensor_f64(((double[]){0.5, 2.5}), 2);
    CHECK(cg_polygamma_(x, 1) == 0);
    CHECK(same_values(x, cg_polygamma(1, cg_tensor_f64(((double[]){0.5, 2.5}), 2)), true));
}

/* Integer tensors cannot hold a float result; the failed write leaves them as they were. */
static void test_inplace_errors(void) {
    cg_tensor *i = cg_tensor_new(.data = (int64_t[]){3, -2}, .dtype = CG_INT64, CG_SIZES(2));
    CHECK_ERROR(cg_acos_(i) == 0, "result type Float can't be cast to the desired output type Long");
    CHECK(cg_version(i) == 0 && harness_values_close(i, (double[]){3, -2}, 0));
    CHECK_ERROR(cg_frac_(i) == 0, "\"frac_cpu\" not implemented for 'Long'");
    CHECK(cg_floor_(i) == 0 && harness_values_close(i, (double[]){3, -2}, 0));
    cg_tensor *leaf = cg_requires_grad_(cg_rand(3), true);
    CHECK_ERROR(cg_exp2_(leaf) == 0, "a leaf Variable that requires grad is being used in an in-place operation.");
    CHECK_ERROR(cg_polygamma(-1, leaf), "polygamma(n, x) does not support negative n.");
    CHECK_ERROR(cg_div_mode(leaf, leaf, "round"), "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found 'round'");
    cg_tensor *b = cg_tensor_new(.data = (bool[]){true}, .dtype = CG_BOOL, CG_SIZES(1));
    CHECK_ERROR(cg_positive(b), "The `+` operator, on a bool tensor is not supported.");
    CHECK(cg_positive(leaf) == leaf);
    CHECK(cg_conj(leaf) == leaf && cg_conj_physical(leaf) == leaf && cg_resolve_conj(leaf) == leaf);
    CHECK(cg_resolve_neg(b) == b && cg_real(b) == b && !cg_conj(NULL) && !cg_reciprocal(NULL) && !cg_sgn(NULL));
}

/* torch.reciprocal of integers and bool is float32 (ReciprocalBackward0 on floats); sgn is sign. */
static void test_reciprocal_sgn(void) {
    cg_tensor *i = cg_tensor_new(.data = (int64_t[]){2, 0, -4}, .dtype = CG_INT64, CG_SIZES(3));
    cg_tensor *r = cg_reciprocal(i);
    CHECK(r && cg_get_dtype(r) == CG_FLOAT32 && harness_values_close(r, (double[]){0.5, INFINITY, -0.25}, 0));
    cg_tensor *x = cg_requires_grad_(cg_tensor_f64(((double[]){-2, 0.5}), 2), true);
    CHECK_STR(cg_node_name(cg_grad_fn(cg_reciprocal(x))), "ReciprocalBackward0");
    cg_tensor *s = cg_sgn(x);
    CHECK_STR(cg_node_name(cg_grad_fn(s)), "SgnBackward0");
    CHECK(harness_values_close(s, (double[]){-1, 1}, 0));
}

/* The node of an in-place write is the op's own; its gradient is the op's. */
static void test_inplace_node(void) {
    cg_tensor *x = cg_requires_grad_(cg_tensor_f64(((double[]){0.5, -1}), 2), true);
    cg_tensor *y = cg_mul_scalar(x, 1);
    CHECK(cg_exp2_(y) == 0);
    CHECK_STR(cg_node_name(cg_grad_fn(y)), "Exp2Backward0");
    CHECK(cg_backward(cg_sum(y)) == 0);
    CHECK(harness_values_close(cg_grad(x), (double[]){pow(2, 0.5) * log(2), 0.5 * log(2)}, 1e-15));
}

/* Meta tensors get the result's metadata and no kernel work. */
static void test_meta(void) {
    cg_tensor *m = cg_to_device(cg_tensor_new(.data = (int64_t[]){1, 2, 3}, .dtype = CG_INT64, CG_SIZES(3)), CG_META);
    cg_tensor *y = cg_acos(m);
    CHECK(y && cg_get_dtype(y) == CG_FLOAT32 && cg_get_device(y) == CG_META);
    cg_tensor *z = cg_fmod(m, m);
    CHECK(z && cg_get_dtype(z) == CG_INT64 && cg_get_device(z) == CG_META);
}

/* The composites: PyTorch's nodes and dtypes, isclose's dtype check, equal's sizes and NaN. */
static void test_composites(void) {
    cg_tensor *x = cg_requires_grad_(cg_tensor_f32(((float[]){1.5f, 2}), 2), true);
    cg_tensor *p = cg_float_power(x, x);
    CHECK(p && cg_get_dtype(p) == CG_FLOAT64);
    CHECK_STR(cg_node_name(cg_grad_fn(p)), "PowBackward1");
    CHECK_STR(cg_node_name(cg_grad_fn(cg_ldexp(x, x))), "MulBackward0");
    cg_tensor *d = cg_tensor_f64(((double[]){1.5, 2}), 2);
    CHECK_ERROR(cg_isclose(x, d, 1e-5, 1e-8, false), "Float did not match Double");
    CHECK_ERROR(cg_allclose(x, x, -1e-20, 0, false) >= 0, "rtol must be greater than or equal to zero, but got -1e-20");
    CHECK_ERROR(cg_isclose(x, x, 0, NAN, false), "atol must be greater than or equal to zero, but got nan");
    cg_tensor *n = cg_tensor_f64(((double[]){NAN, -0.0}), 2), *z = cg_tensor_f64(((double[]){NAN, 0}), 2);
    CHECK(cg_allclose(n, z, 0, 0, false) == 0 && cg_allclose(n, z, 0, 0, true) == 1);
    CHECK(cg_equal(n, z) == 0 && cg_equal(cg_ones(2, 1), cg_ones(2)) == 0 && cg_equal(cg_ones(2), d) == 0);
    CHECK(cg_equal(cg_tensor_f64(((double[]){1, -0.0}), 2), cg_tensor_f32(((float[]){1, 0}), 2)) == 1);
    CHECK(!cg_float_power(NULL, x) && !cg_ldexp(x, NULL) && cg_equal(NULL, x) < 0);
}

int main(void) {
    RUN(test_golden);
    RUN(test_golden_portable_loops);
    RUN(test_inplace_forms);
    RUN(test_inplace_errors);
    RUN(test_reciprocal_sgn);
    RUN(test_composites);
    RUN(test_inplace_node);
    RUN(test_meta);
    HARNESS_END();
}
