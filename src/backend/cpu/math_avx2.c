/* The AVX2 loops of the math families (math.h): PyTorch 1.13's AVX2 kernels, SLEEF where it calls
 * SLEEF, and its scalar formulas compiled as its AVX2 kernels are (-mfma, FMA contraction). */
#include "backend/cpu/math.h"

#if defined(__x86_64__) && defined(__AVX2__) && defined(__FMA__)

#include "backend/cpu/math_loops.h"
#include "backend/cpu/vml_loop.h"

#ifdef CG_HAVE_SLEEF
#include <immintrin.h>
#include <sleef.h>

#define SIZE(T) ((int64_t)sizeof(T))

#define VML(OP, F32, F64)                                                                     \
    VML_LOOP(OP##_vml_f32, float, __m256, 8, _mm256_loadu_ps, _mm256_storeu_ps, F32)          \
    VML_LOOP(OP##_vml_f64, double, __m256d, 4, _mm256_loadu_pd, _mm256_storeu_pd, F64)

VML(acos, Sleef_acosf8_u10, Sleef_acosd4_u10)
VML(asin, Sleef_asinf8_u10, Sleef_asind4_u10)
VML(atan, Sleef_atanf8_u10, Sleef_atand4_u10)
VML(erfc, Sleef_erfcf8_u15, Sleef_erfcd4_u15)
VML(expm1, Sleef_expm1f8_u10, Sleef_expm1d4_u10)
VML(log2, Sleef_log2f8_u10, Sleef_log2d4_u10)
VML(log10, Sleef_log10f8_u10, Sleef_log10d4_u10)
VML(lgamma, Sleef_lgammaf8_u10, Sleef_lgammad4_u10)

/* cpu_kernel_vec: a run whose output and inputs are contiguous, at most one input a broadcast
 * scalar, goes two vectors (64 bytes) at a time up to its last full 64 bytes; the rest, and every
 * other layout, takes the scalar formula. */
static int64_t vec_end(const int64_t *s, int nin, int64_t n, int64_t elsize) {
    if (s[0] != elsize) return 0;
    int scalars = 0;
    for (int k = 1; k <= nin; k++) {
        if (s[k] == 0) scalars++;
        else if (s[k] != elsize) return 0;
    }
    return scalars > 1 ? 0 : n - n % (64 / elsize);
}

#define LD_PS(k, i) (s[k] ? _mm256_loadu_ps((const float *)p[k] + (i)) : _mm256_set1_ps(*(const float *)p[k]))
#define LD_PD(k, i) (s[k] ? _mm256_loadu_pd((const double *)p[k] + (i)) : _mm256_set1_pd(*(const double *)p[k]))

/* The vector body VEXPR of x (and y), then the scalar loop SCALAR for the rest. */
#define VEC_UNARY(NAME, T, VT, LANES, LD, ST, VEXPR, SCALAR)                                  \
    static void NAME(char **p, const int64_t *s, int64_t n, const void *ctx) {                \
        const double *q = ctx;                                                                \
        (void)q;                                                                              \
        int64_t i = 0, end = vec_end(s, 1, n, SIZE(T));                                       \
        for (; i < end; i += LANES) {                                                         \
            VT x = LD(1, i);                                                                  \
            ST((T *)p[0] + i, VEXPR);                                                         \
        }                                                                                     \
        char *rest[2] = {p[0] + i * s[0], p[1] + i * s[1]};                                   \
        SCALAR(rest, s, n - i, ctx);                                                          \
    }
#define VEC_BINARY(NAME, T, VT, LANES, LD, ST, VEXPR, SCALAR)                                 \
    static void NAME(char **p, const int64_t *s, int64_t n, const void *ctx) {                \
        int64_t i = 0, end = vec_end(s, 2, n, SIZE(T));                                       \
        for (; i < end; i += LANES) {                                                         \
            VT x = LD(1, i), y = LD(2, i);                                                    \
            ST((T *)p[0] + i, VEXPR);                                                         \
        }                                                                                     \
        char *rest[3] = {p[0] + i * s[0], p[1] + i * s[1], p[2] + i * s[2]};                  \
        SCALAR(rest, s, n - i, ctx);                                                          \
    }
#define VEC_F32(OP, VEXPR) VEC_UNARY(OP##_vec_f32, float, __m256, 8, LD_PS, _mm256_storeu_ps, VEXPR, OP##_f32)
#define VEC_F64(OP, VEXPR) VEC_UNARY(OP##_vec_f64, double, __m256d, 4, LD_PD, _mm256_storeu_pd, VEXPR, OP##_f64)
#define VEC2_F32(OP, VEXPR) VEC_BINARY(OP##_vec_f32, float, __m256, 8, LD_PS, _mm256_storeu_ps, VEXPR, OP##_f32)
#define VEC2_F64(OP, VEXPR) VEC_BINARY(OP##_vec_f64, double, __m256d, 4, LD_PD, _mm256_storeu_pd, VEXPR, OP##_f64)

VEC_F32(sinh, Sleef_sinhf8_u10(x)) VEC_F64(sinh, Sleef_sinhd4_u10(x))
VEC_F32(cosh, Sleef_coshf8_u10(x)) VEC_F64(cosh, Sleef_coshd4_u10(x))

/* logit: clamp(x, eps, 1 - eps) when eps >= 0 (min(hi, max(lo, x)): NaN passes), then
 * log(x / (1 - x)). */
static inline __m256 logit_ps(__m256 x, float eps) {
    const __m256 one = _mm256_set1_ps(1);
    if (eps >= 0) x = _mm256_min_ps(_mm256_set1_ps(1 - eps), _mm256_max_ps(_mm256_set1_ps(eps), x));
    return Sleef_logf8_u10(_mm256_div_ps(x, _mm256_sub_ps(one, x)));
}
static inline __m256d logit_pd(__m256d x, double eps) {
    const __m256d one = _mm256_set1_pd(1);
    if (eps >= 0) x = _mm256_min_pd(_mm256_set1_pd(1 - eps), _mm256_max_pd(_mm256_set1_pd(eps), x));
    return Sleef_logd4_u10(_mm256_div_pd(x, _mm256_sub_pd(one, x)));
}
VEC_F32(logit, logit_ps(x, (float)q[0])) VEC_F64(logit, logit_pd(x, q[0]))

VEC2_F32(atan2, Sleef_atan2f8_u10(x, y)) VEC2_F64(atan2, Sleef_atan2d4_u10(x, y))
VEC2_F32(hypot, Sleef_hypotf8_u05(x, y)) VEC2_F64(hypot, Sleef_hypotd4_u05(x, y))

/* logaddexp: m + log(1 + e^-|a - b|) with m the NaN-propagating maximum, a where a == b is
 * infinite. */
static inline __m256 nan_max_ps(__m256 a, __m256 b) {
    return _mm256_or_ps(_mm256_max_ps(a, b), _mm256_cmp_ps(a, b, _CMP_UNORD_Q));
}
static inline __m256d nan_max_pd(__m256d a, __m256d b) {
    return _mm256_or_pd(_mm256_max_pd(a, b), _mm256_cmp_pd(a, b, _CMP_UNORD_Q));
}
static inline __m256 same_inf_ps(__m256 a, __m256 b) {
    __m256 absa = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), a);
    return _mm256_and_ps(_mm256_cmp_ps(a, b, _CMP_EQ_OQ), _mm256_cmp_ps(absa, _mm256_set1_ps(INFINITY), _CMP_EQ_OQ));
}
static inline __m256d same_inf_pd(__m256d a, __m256d b) {
    __m256d absa = _mm256_andnot_pd(_mm256_set1_pd(-0.0), a);
    return _mm256_and_pd(_mm256_cmp_pd(a, b, _CMP_EQ_OQ), _mm256_cmp_pd(absa, _mm256_set1_pd(INFINITY), _CMP_EQ_OQ));
}
#define LOGADDEXP_VEC(NAME, VT, SFX, MAX, SAME, EXP, LOG)                                     \
    static inline VT NAME(VT a, VT b) {                                                       \
        VT m = MAX(a, b);                                                                     \
        VT nabs = _mm256_or_##SFX(_mm256_sub_##SFX(a, b), _mm256_set1_##SFX(-0.0));            \
        VT sum = _mm256_add_##SFX(_mm256_set1_##SFX(1), EXP(nabs));                             \
        return _mm256_blendv_##SFX(_mm256_add_##SFX(m, LOG(sum)), a, SAME(a, b));             \
    }
LOGADDEXP_VEC(logaddexp_ps, __m256, ps, nan_max_ps, same_inf_ps, Sleef_expf8_u10, Sleef_logf8_u10)
LOGADDEXP_VEC(logaddexp_pd, __m256d, pd, nan_max_pd, same_inf_pd, Sleef_expd4_u10, Sleef_logd4_u10)
VEC2_F32(logaddexp, logaddexp_ps(x, y)) VEC2_F64(logaddexp, logaddexp_pd(x, y))

#define FAST(OP, KIND) [CG_FLOAT32] = OP##_##KIND##_f32, [CG_FLOAT64] = OP##_##KIND##_f64
static const cg_loop_fn sleef_loops[CG_M_COUNT][4] = {
    [CG_M_ACOS] = {FAST(acos, vml)}, [CG_M_ASIN] = {FAST(asin, vml)}, [CG_M_ATAN] = {FAST(atan, vml)},
    [CG_M_ERFC] = {FAST(erfc, vml)}, [CG_M_EXPM1] = {FAST(expm1, vml)}, [CG_M_LOG2] = {FAST(log2, vml)},
    [CG_M_LOG10] = {FAST(log10, vml)}, [CG_M_LGAMMA] = {FAST(lgamma, vml)},
    [CG_M_SINH] = {FAST(sinh, vec)}, [CG_M_COSH] = {FAST(cosh, vec)},
    [CG_M_LOGIT] = {FAST(logit, vec)}, [CG_M_ATAN2] = {FAST(atan2, vec)}, [CG_M_HYPOT] = {FAST(hypot, vec)},
    [CG_M_LOGADDEXP] = {FAST(logaddexp, vec)},
};
#endif /* CG_HAVE_SLEEF */

cg_loop_fn cg_avx2_math_loop(cg_math_op op, cg_dtype dtype) {
#ifdef CG_HAVE_SLEEF
    if (sleef_loops[op][dtype]) return sleef_loops[op][dtype];
#endif
    return math_scalar_loops[op][dtype];
}

#else

cg_loop_fn cg_avx2_math_loop(cg_math_op op, cg_dtype dtype) {
    (void)op, (void)dtype;
    return NULL;
}

#endif
