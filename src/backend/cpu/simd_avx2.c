/* AVX2 loops for the elementwise kernels (see simd.h). Each loop has cg_loop_fn's contract: n
 * elements, one byte stride per operand (operand 0 is the output). */
#include "backend/cpu/simd.h"
#include "backend/cpu/loop_templates.h"
#include "backend/cpu/vml_loop.h"

#if defined(__x86_64__) && defined(__AVX2__) && defined(__FMA__)

#if defined(__GNUC__) && !defined(__clang__)
/* The exact-arithmetic loops below are plain C: gcc's -O2 cost model would leave them scalar. (The
 * Makefile builds this file with -fno-math-errno, without which sqrtf stays a call per element.) */
#pragma GCC optimize("tree-vectorize", "vect-cost-model=dynamic")
#endif

#include <immintrin.h>
#include <math.h>
#ifdef CG_HAVE_SLEEF
#include <sleef.h>
#endif

#define SIZE(T) ((int64_t)sizeof(T))
#define AT(T, k, i) (*(T *)(p[k] + (i) * s[k]))

/* ---- exact arithmetic: the vector and scalar results are the same, the compiler vectorizes ---- */

#define EXACT_UNARY(NAME, T, EXPR) UNARY_LOOP(NAME, T, EXPR)
#define EXACT_BINARY_TO(NAME, T, R, EXPR) BINARY_LOOP(NAME, T, R, EXPR)
#define EXACT_BINARY(NAME, T, EXPR) EXACT_BINARY_TO(NAME, T, T, EXPR)

#define EXACT_UNARY_FLOAT(OP, EXPR) EXACT_UNARY(OP##_f32, float, EXPR) EXACT_UNARY(OP##_f64, double, EXPR)
#define EXACT_BINARY_FLOAT(OP, EXPR) EXACT_BINARY(OP##_f32, float, EXPR) EXACT_BINARY(OP##_f64, double, EXPR)
#define COMPARE_FLOAT(OP, EXPR) EXACT_BINARY_TO(OP##_f32, float, bool, EXPR) EXACT_BINARY_TO(OP##_f64, double, bool, EXPR)

EXACT_UNARY_FLOAT(neg, -a)
EXACT_UNARY(abs_f32, float, fabsf(a))
EXACT_UNARY(abs_f64, double, fabs(a))
EXACT_UNARY(sqrt_f32, float, sqrtf(a))
EXACT_UNARY(sqrt_f64, double, sqrt(a))
EXACT_UNARY_FLOAT(relu, a < 0 ? 0 : a)
EXACT_UNARY_FLOAT(reciprocal, 1 / a)
EXACT_UNARY(rsqrt_f32, float, 1 / sqrtf(a))
EXACT_UNARY(rsqrt_f64, double, 1 / sqrt(a))
EXACT_UNARY_FLOAT(square, a * a)
EXACT_UNARY_FLOAT(cube, a * a * a)
EXACT_UNARY_FLOAT(rsquare, 1 / (a * a))

EXACT_BINARY_FLOAT(add, a + b)
EXACT_BINARY_FLOAT(sub, a - b)
EXACT_BINARY_FLOAT(mul, a * b)
EXACT_BINARY_FLOAT(div, a / b)
COMPARE_FLOAT(eq, a == b)
COMPARE_FLOAT(ne, a != b)
COMPARE_FLOAT(lt, a < b)
COMPARE_FLOAT(le, a <= b)
COMPARE_FLOAT(gt, a > b)
COMPARE_FLOAT(ge, a >= b)
/* The fused backward formulas, in PyTorch's order (a: the incoming gradient, b: the saved result;
 * relu's: a the saved result, b the gradient). PyTorch's AVX2 kernels are compiled with -mfma and
 * gcc's default -ffp-contract=fast, which makes tanh's 1 - b * b one fused multiply-add, in the
 * vector and the scalar code alike (its default kernels, for CPUs without AVX2, round twice as
 * the portable loop does). The + 0 changes nothing on hardware, whose fused 1 - b * b is never -0,
 * but valgrind's emulated vfnmadd gives -0 for an exact zero. */
EXACT_BINARY_FLOAT(sigmoid_backward, a * (1 - b) * b)
EXACT_BINARY(tanh_backward_f32, float, a * (fmaf(-b, b, 1.0f) + 0.0f))
EXACT_BINARY(tanh_backward_f64, double, a * (fma(-b, b, 1.0) + 0.0))
EXACT_BINARY_FLOAT(relu_backward, a <= 0 ? 0 : b)

#ifdef CG_HAVE_SLEEF

#define VML_F32(OP, FN) VML_LOOP(OP##_f32, float, __m256, 8, _mm256_loadu_ps, _mm256_storeu_ps, FN)
#define VML_F64(OP, FN) VML_LOOP(OP##_f64, double, __m256d, 4, _mm256_loadu_pd, _mm256_storeu_pd, FN)

VML_F32(exp, Sleef_expf8_u10)     VML_F64(exp, Sleef_expd4_u10)
VML_F32(log, Sleef_logf8_u10)     VML_F64(log, Sleef_logd4_u10)
VML_F32(log1p, Sleef_log1pf8_u10) VML_F64(log1p, Sleef_log1pd4_u10)
VML_F32(sin, Sleef_sinf8_u10)     VML_F64(sin, Sleef_sind4_u10)
VML_F32(cos, Sleef_cosf8_u10)     VML_F64(cos, Sleef_cosd4_u10)
VML_F32(tan, Sleef_tanf8_u10)     VML_F64(tan, Sleef_tand4_u10)
VML_F32(tanh, Sleef_tanhf8_u10)   VML_F64(tanh, Sleef_tanhd4_u10)

/* ---- cpu_kernel_vec: a contiguous run (or one with a single broadcast scalar operand) runs two
 * vectors (64 bytes) at a time, the rest of it and every other layout run the scalar function ---- */

/* The vector body: 1 / (1 + exp(0 - a)), as Vectorized does it. */
static inline __m256 sigmoid_ps(__m256 a) {
    __m256 e = Sleef_expf8_u10(_mm256_sub_ps(_mm256_setzero_ps(), a));
    return _mm256_div_ps(_mm256_set1_ps(1), _mm256_add_ps(e, _mm256_set1_ps(1)));
}
static inline __m256d sigmoid_pd(__m256d a) {
    __m256d e = Sleef_expd4_u10(_mm256_sub_pd(_mm256_setzero_pd(), a));
    return _mm256_div_pd(_mm256_set1_pd(1), _mm256_add_pd(e, _mm256_set1_pd(1)));
}

/* The loaded vector of operand k at element i: a broadcast scalar when its stride is 0. */
#define LOAD_OR_SPLAT_PS(k, i) (s[k] ? _mm256_loadu_ps((const float *)p[k] + (i)) : _mm256_set1_ps(*(const float *)p[k]))
#define LOAD_OR_SPLAT_PD(k, i) (s[k] ? _mm256_loadu_pd((const double *)p[k] + (i)) : _mm256_set1_pd(*(const double *)p[k]))

/* How far the vector loop of a cpu_kernel_vec loop runs: to the last full 64 bytes of a run whose
 * output is contiguous and whose inputs are each contiguous, at most one of them a broadcast
 * scalar; 0 for any other layout. */
static int64_t vec_end(const int64_t *s, int nin, int64_t n, int64_t elsize) {
    if (s[0] != elsize) return 0;
    int scalars = 0;
    for (int k = 1; k <= nin; k++) {
        if (s[k] == 0) scalars++;
        else if (s[k] != elsize) return 0;
    }
    if (scalars > 1) return 0;
    return n - n % (64 / elsize);
}

static void sigmoid_f32(char **p, const int64_t *s, int64_t n, const void *ctx) {
    (void)ctx;
    int64_t i = 0, end = vec_end(s, 1, n, SIZE(float));
    for (; i < end; i += 8) _mm256_storeu_ps((float *)p[0] + i, sigmoid_ps(LOAD_OR_SPLAT_PS(1, i)));
    for (; i < n; i++) AT(float, 0, i) = 1.0f / (1.0f + expf(-AT(const float, 1, i)));
}

static void sigmoid_f64(char **p, const int64_t *s, int64_t n, const void *ctx) {
    (void)ctx;
    int64_t i = 0, end = vec_end(s, 1, n, SIZE(double));
    for (; i < end; i += 4) _mm256_storeu_pd((double *)p[0] + i, sigmoid_pd(LOAD_OR_SPLAT_PD(1, i)));
    for (; i < n; i++) AT(double, 0, i) = 1.0 / (1.0 + exp(-AT(const double, 1, i)));
}

static void pow_f32(char **p, const int64_t *s, int64_t n, const void *ctx) {
    (void)ctx;
    int64_t i = 0, end = vec_end(s, 2, n, SIZE(float));
    for (; i < end; i += 8)
        _mm256_storeu_ps((float *)p[0] + i, Sleef_powf8_u10(LOAD_OR_SPLAT_PS(1, i), LOAD_OR_SPLAT_PS(2, i)));
    for (; i < n; i++) AT(float, 0, i) = powf(AT(const float, 1, i), AT(const float, 2, i));
}

static void pow_f64(char **p, const int64_t *s, int64_t n, const void *ctx) {
    (void)ctx;
    int64_t i = 0, end = vec_end(s, 2, n, SIZE(double));
    for (; i < end; i += 4)
        _mm256_storeu_pd((double *)p[0] + i, Sleef_powd4_u10(LOAD_OR_SPLAT_PD(1, i), LOAD_OR_SPLAT_PD(2, i)));
    for (; i < n; i++) AT(double, 0, i) = pow(AT(const double, 1, i), AT(const double, 2, i));
}

/* PyTorch's float32 tensor ** number: the vector part raises to the exponent rounded to float32,
 * the scalar rest computes std::pow(float, double) and rounds. */
static void pow_f32_number(char **p, const int64_t *s, int64_t n, const void *ctx) {
    const double e = *(const double *)ctx;
    const __m256 ve = _mm256_set1_ps((float)e);
    int64_t i = 0, end = vec_end(s, 1, n, SIZE(float));
    for (; i < end; i += 8) _mm256_storeu_ps((float *)p[0] + i, Sleef_powf8_u10(LOAD_OR_SPLAT_PS(1, i), ve));
    for (; i < n; i++) AT(float, 0, i) = (float)pow((double)AT(const float, 1, i), e);
}

/* float64: the exponent stays a double on both paths. */
static void pow_f64_number(char **p, const int64_t *s, int64_t n, const void *ctx) {
    const double e = *(const double *)ctx;
    const __m256d ve = _mm256_set1_pd(e);
    int64_t i = 0, end = vec_end(s, 1, n, SIZE(double));
    for (; i < end; i += 4) _mm256_storeu_pd((double *)p[0] + i, Sleef_powd4_u10(LOAD_OR_SPLAT_PD(1, i), ve));
    for (; i < n; i++) AT(double, 0, i) = pow(AT(const double, 1, i), e);
}

/* silu: x / (1 + exp(-x)), PyTorch's vector body and scalar lambda (Activation.cpp) */
static void silu_f32(char **p, const int64_t *s, int64_t n, const void *ctx) {
    (void)ctx;
    int64_t i = 0, end = vec_end(s, 1, n, SIZE(float));
    for (; i < end; i += 8) {
        __m256 x = LOAD_OR_SPLAT_PS(1, i);
        __m256 e = Sleef_expf8_u10(_mm256_xor_ps(x, _mm256_set1_ps(-0.0f)));
        _mm256_storeu_ps((float *)p[0] + i, _mm256_div_ps(x, _mm256_add_ps(_mm256_set1_ps(1), e)));
    }
    for (; i < n; i++) AT(float, 0, i) = AT(const float, 1, i) / (1 + expf(-AT(const float, 1, i)));
}

static void silu_f64(char **p, const int64_t *s, int64_t n, const void *ctx) {
    (void)ctx;
    int64_t i = 0, end = vec_end(s, 1, n, SIZE(double));
    for (; i < end; i += 4) {
        __m256d x = LOAD_OR_SPLAT_PD(1, i);
        __m256d e = Sleef_expd4_u10(_mm256_xor_pd(x, _mm256_set1_pd(-0.0)));
        _mm256_storeu_pd((double *)p[0] + i, _mm256_div_pd(x, _mm256_add_pd(_mm256_set1_pd(1), e)));
    }
    for (; i < n; i++) AT(double, 0, i) = AT(const double, 1, i) / (1 + exp(-AT(const double, 1, i)));
}

/* ---- activations as PyTorch 1.13's Activation.cpp and UnaryOpsKernel.cpp compute them: their
 * vector bodies with SLEEF, their scalar lambdas for the rest (gcc contracts kappa * x^3 + x into
 * one fma in both); the parameters rounded to the element type first, as Scalar::to<T>() does ---- */

#define ACT_LOOP(NAME, T, VT, LANES, LOADV, STOREV, SETUP, VBODY, SBODY)                       \
    static void NAME(char **p, const int64_t *s, int64_t n, const void *ctx) {                \
        const double *prm = ((const cg_activation_ctx *)ctx)->p;                              \
        (void)prm;                                                                            \
        SETUP(T);                                                                             \
        int64_t i = 0, end = vec_end(s, 1, n, SIZE(T));                                       \
        for (; i < end; i += LANES) {                                                         \
            VT x = LOADV(1, i);                                                               \
            STOREV((T *)p[0] + i, VBODY);                                                     \
        }                                                                                     \
        for (; i < n; i++) {                                                                  \
            T a = AT(const T, 1, i);                                                          \
            AT(T, 0, i) = SBODY;                                                              \
        }                                                                                     \
    }
#define ACT_F32(OP, SETUP, VBODY, SBODY) \
    ACT_LOOP(OP##_f32, float, __m256, 8, LOAD_OR_SPLAT_PS, _mm256_storeu_ps, SETUP, VBODY, SBODY)
#define ACT_F64(OP, SETUP, VBODY, SBODY) \
    ACT_LOOP(OP##_f64, double, __m256d, 4, LOAD_OR_SPLAT_PD, _mm256_storeu_pd, SETUP, VBODY, SBODY)

#define NO_SETUP(T) (void)0

/* elu: a <= 0 ? (exp(a * input_scale) - 1) * (alpha * scale) : a * scale */
#define ELU_SETUP(T) const T neg = (T)prm[0] * (T)prm[1], pos = (T)prm[1], in_scale = (T)prm[2]
ACT_F32(elu, ELU_SETUP,
        _mm256_blendv_ps(_mm256_mul_ps(_mm256_sub_ps(Sleef_expf8_u10(_mm256_mul_ps(x, _mm256_set1_ps(in_scale))),
                                                     _mm256_set1_ps(1)), _mm256_set1_ps(neg)),
                         _mm256_mul_ps(x, _mm256_set1_ps(pos)), _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_GT_OQ)),
        a <= 0 ? (expf(a * in_scale) - 1) * neg : a * pos)
ACT_F64(elu, ELU_SETUP,
        _mm256_blendv_pd(_mm256_mul_pd(_mm256_sub_pd(Sleef_expd4_u10(_mm256_mul_pd(x, _mm256_set1_pd(in_scale))),
                                                     _mm256_set1_pd(1)), _mm256_set1_pd(neg)),
                         _mm256_mul_pd(x, _mm256_set1_pd(pos)), _mm256_cmp_pd(x, _mm256_setzero_pd(), _CMP_GT_OQ)),
        a <= 0 ? (exp(a * in_scale) - 1) * neg : a * pos)

/* softplus: a * beta > threshold ? a : log1p(exp(a * beta)) / beta */
#define SOFTPLUS_SETUP(T) const T beta = (T)prm[0], threshold = (T)prm[1]
static inline __m256 softplus_ps(__m256 x, __m256 beta, __m256 threshold) {
    __m256 xb = _mm256_mul_ps(x, beta);
    return _mm256_blendv_ps(_mm256_div_ps(Sleef_log1pf8_u10(Sleef_expf8_u10(xb)), beta), x,
                            _mm256_cmp_ps(xb, threshold, _CMP_GT_OQ));
}
static inline __m256d softplus_pd(__m256d x, __m256d beta, __m256d threshold) {
    __m256d xb = _mm256_mul_pd(x, beta);
    return _mm256_blendv_pd(_mm256_div_pd(Sleef_log1pd4_u10(Sleef_expd4_u10(xb)), beta), x,
                            _mm256_cmp_pd(xb, threshold, _CMP_GT_OQ));
}
ACT_F32(softplus, SOFTPLUS_SETUP, softplus_ps(x, _mm256_set1_ps(beta), _mm256_set1_ps(threshold)),
        a * beta > threshold ? a : log1pf(expf(a * beta)) / beta)
ACT_F64(softplus, SOFTPLUS_SETUP, softplus_pd(x, _mm256_set1_pd(beta), _mm256_set1_pd(threshold)),
        a * beta > threshold ? a : log1p(exp(a * beta)) / beta)

/* mish: a * tanh(log1p(exp(a))) */
ACT_F32(mish, NO_SETUP, _mm256_mul_ps(x, Sleef_tanhf8_u10(Sleef_log1pf8_u10(Sleef_expf8_u10(x)))),
        a * tanhf(log1pf(expf(a))))
ACT_F64(mish, NO_SETUP, _mm256_mul_pd(x, Sleef_tanhd4_u10(Sleef_log1pd4_u10(Sleef_expd4_u10(x)))),
        a * tanh(log1p(exp(a))))

/* gelu, tanh form: 0.5 a (1 + tanh(beta (a + kappa a^3))) */
#define GELU_TANH_SETUP(T) const T beta = (T)CG_SQRT_2_OVER_PI, kappa = (T)0.044715
static inline __m256 gelu_tanh_ps(__m256 x, float beta, float kappa) {
    __m256 cube = _mm256_mul_ps(_mm256_mul_ps(x, x), x);
    __m256 inner = _mm256_mul_ps(_mm256_set1_ps(beta), _mm256_fmadd_ps(_mm256_set1_ps(kappa), cube, x));
    return _mm256_mul_ps(_mm256_mul_ps(_mm256_set1_ps(0.5f), x), _mm256_add_ps(_mm256_set1_ps(1), Sleef_tanhf8_u10(inner)));
}
static inline __m256d gelu_tanh_pd(__m256d x, double beta, double kappa) {
    __m256d cube = _mm256_mul_pd(_mm256_mul_pd(x, x), x);
    __m256d inner = _mm256_mul_pd(_mm256_set1_pd(beta), _mm256_fmadd_pd(_mm256_set1_pd(kappa), cube, x));
    return _mm256_mul_pd(_mm256_mul_pd(_mm256_set1_pd(0.5), x), _mm256_add_pd(_mm256_set1_pd(1), Sleef_tanhd4_u10(inner)));
}
ACT_F32(gelu_tanh, GELU_TANH_SETUP, gelu_tanh_ps(x, beta, kappa),
        0.5f * a * (1 + tanhf(beta * fmaf(kappa, a * a * a, a))))
ACT_F64(gelu_tanh, GELU_TANH_SETUP, gelu_tanh_pd(x, beta, kappa),
        0.5 * a * (1 + tanh(beta * fma(kappa, a * a * a, a))))

/* gelu from erf: x * 0.5 * (1 + erf(x * sqrt(1/2))), where PyTorch does not run oneDNN's (float64,
 * and float32 that is not contiguous: TensorIterator's vector loop in memory order) */
static inline __m256d gelu_pd(__m256d x) {
    __m256d e = Sleef_erfd4_u10(_mm256_mul_pd(x, _mm256_set1_pd(CG_SQRT1_2)));
    return _mm256_mul_pd(_mm256_mul_pd(x, _mm256_set1_pd(0.5)), _mm256_add_pd(_mm256_set1_pd(1), e));
}
static inline __m256 gelu_ps(__m256 x) {
    __m256 e = Sleef_erff8_u10(_mm256_mul_ps(x, _mm256_set1_ps((float)CG_SQRT1_2)));
    return _mm256_mul_ps(_mm256_mul_ps(x, _mm256_set1_ps(0.5f)), _mm256_add_ps(_mm256_set1_ps(1), e));
}
ACT_F32(gelu, NO_SETUP, gelu_ps(x), a * 0.5f * (1 + erff(a * (float)CG_SQRT1_2)))
ACT_F64(gelu, NO_SETUP, gelu_pd(x), a * 0.5 * (1 + erf(a * CG_SQRT1_2)))

/* erf is one of UnaryOpsKernel.cpp's vml ops: every element through Sleef's erf */
VML_F32(erf, Sleef_erff8_u10) VML_F64(erf, Sleef_erfd4_u10)

/* log_sigmoid (Activation.cpp's _vec_log_sigmoid): every element through the vector body, a short
 * last block padded, min(a, 0) - log1p(exp(-|a|)) */
static inline __m256 log_sigmoid_ps(__m256 x) {
    __m256 e = Sleef_expf8_u10(_mm256_or_ps(x, _mm256_set1_ps(-0.0f)));
    return _mm256_sub_ps(_mm256_min_ps(x, _mm256_setzero_ps()), Sleef_log1pf8_u10(e));
}
static inline __m256d log_sigmoid_pd(__m256d x) {
    __m256d e = Sleef_expd4_u10(_mm256_or_pd(x, _mm256_set1_pd(-0.0)));
    return _mm256_sub_pd(_mm256_min_pd(x, _mm256_setzero_pd()), Sleef_log1pd4_u10(e));
}
VML_F32(log_sigmoid, log_sigmoid_ps) VML_F64(log_sigmoid, log_sigmoid_pd)

#define SLEEF_LOOPS(OP) [CG_FLOAT32] = OP##_f32, [CG_FLOAT64] = OP##_f64
#else
#define SLEEF_LOOPS(OP) [CG_FLOAT32] = NULL
#endif /* CG_HAVE_SLEEF */

#define FLOATS(OP) [CG_FLOAT32] = OP##_f32, [CG_FLOAT64] = OP##_f64

static const cg_loop_fn unary_loops[CG_UN_COUNT][4] = {
    [CG_UN_NEG] = {FLOATS(neg)},
    [CG_UN_ABS] = {FLOATS(abs)},
    [CG_UN_SQRT] = {FLOATS(sqrt)},
    [CG_UN_RELU] = {FLOATS(relu)},
    [CG_UN_RECIPROCAL] = {FLOATS(reciprocal)},
    [CG_UN_RSQRT] = {FLOATS(rsqrt)},
    [CG_UN_SQUARE] = {FLOATS(square)},
    [CG_UN_CUBE] = {FLOATS(cube)},
    [CG_UN_RSQUARE] = {FLOATS(rsquare)},
    [CG_UN_EXP] = {SLEEF_LOOPS(exp)},
    [CG_UN_LOG] = {SLEEF_LOOPS(log)},
    [CG_UN_LOG1P] = {SLEEF_LOOPS(log1p)},
    [CG_UN_SIN] = {SLEEF_LOOPS(sin)},
    [CG_UN_COS] = {SLEEF_LOOPS(cos)},
    [CG_UN_TAN] = {SLEEF_LOOPS(tan)},
    [CG_UN_TANH] = {SLEEF_LOOPS(tanh)},
    [CG_UN_SIGMOID] = {SLEEF_LOOPS(sigmoid)},
};

static const cg_loop_fn binary_loops[CG_BIN_COUNT][4] = {
    [CG_BIN_ADD] = {FLOATS(add)},
    [CG_BIN_SUB] = {FLOATS(sub)},
    [CG_BIN_MUL] = {FLOATS(mul)},
    [CG_BIN_DIV] = {FLOATS(div)},
    [CG_BIN_POW] = {SLEEF_LOOPS(pow)},
    [CG_BIN_SIGMOID_BACKWARD] = {FLOATS(sigmoid_backward)},
    [CG_BIN_TANH_BACKWARD] = {FLOATS(tanh_backward)},
    [CG_BIN_RELU_BACKWARD] = {FLOATS(relu_backward)},
    [CG_BIN_EQ] = {FLOATS(eq)}, [CG_BIN_NE] = {FLOATS(ne)}, [CG_BIN_LT] = {FLOATS(lt)},
    [CG_BIN_LE] = {FLOATS(le)}, [CG_BIN_GT] = {FLOATS(gt)}, [CG_BIN_GE] = {FLOATS(ge)},
};

cg_loop_fn cg_avx2_unary_loop(cg_unary_op op, cg_dtype dtype) { return unary_loops[op][dtype]; }
cg_loop_fn cg_avx2_binary_loop(cg_binary_op op, cg_dtype dtype) { return binary_loops[op][dtype]; }

cg_loop_fn cg_avx2_pow_number_loop(cg_dtype dtype) {
#ifdef CG_HAVE_SLEEF
    return dtype == CG_FLOAT32 ? pow_f32_number : pow_f64_number;
#else
    (void)dtype;
    return NULL;
#endif
}

cg_loop_fn cg_avx2_activation_loop(cg_activation_op op, cg_dtype dtype) {
#ifdef CG_HAVE_SLEEF
    static const cg_loop_fn loops[][2] = {
        [CG_ACT_SILU] = {silu_f32, silu_f64},           [CG_ACT_ELU] = {elu_f32, elu_f64},
        [CG_ACT_SOFTPLUS] = {softplus_f32, softplus_f64}, [CG_ACT_MISH] = {mish_f32, mish_f64},
        [CG_ACT_GELU_TANH] = {gelu_tanh_f32, gelu_tanh_f64}, [CG_ACT_ERF] = {erf_f32, erf_f64},
        [CG_ACT_LOGSIGMOID] = {log_sigmoid_f32, log_sigmoid_f64}, [CG_ACT_GELU] = {gelu_f32, gelu_f64},
    };
    if ((size_t)op < sizeof loops / sizeof loops[0] && (dtype == CG_FLOAT32 || dtype == CG_FLOAT64))
        return loops[op][dtype == CG_FLOAT64];
#endif
    (void)op, (void)dtype;
    return NULL;
}

#else /* no AVX2 code here: the portable loops run */

cg_loop_fn cg_avx2_activation_loop(cg_activation_op op, cg_dtype dtype) {
    (void)op, (void)dtype;
    return NULL;
}

cg_loop_fn cg_avx2_unary_loop(cg_unary_op op, cg_dtype dtype) {
    (void)op, (void)dtype;
    return NULL;
}
cg_loop_fn cg_avx2_binary_loop(cg_binary_op op, cg_dtype dtype) {
    (void)op, (void)dtype;
    return NULL;
}
cg_loop_fn cg_avx2_pow_number_loop(cg_dtype dtype) {
    (void)dtype;
    return NULL;
}

#endif
