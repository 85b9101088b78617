/* Softmax and log_softmax in PyTorch 1.13's order of operations (aten/src/ATen/native/cpu/
 * SoftMaxKernel.cpp and vec::reduce_all / map_reduce_all, as built for AVX2 with GCC).
 *
 * PyTorch works on vectors of L lanes (AVX2: 8 float32 or 4 float64); here a vector is an array
 * of L elements and each vector operation a loop over its lanes, which the compiler turns back
 * into vector instructions. Where PyTorch calls SLEEF (Vectorized<T>::exp and ::log), VEXP and
 * VLOG call the same SLEEF functions on a whole vector; its scalar tails call libm (std::exp).
 * Where GCC fused a multiplication into the addition after it in PyTorch's build, FMA fuses it
 * here (this file is compiled with -ffp-contract=off, so nothing else is fused).
 *
 * The last dim, one row of n elements at a time:
 *   max    lanes fold the row vector by vector (a partial last vector only updates its lanes),
 *          then lane 0 folds lanes 1..L-1; a row shorter than L is folded in order;
 *   sum    the same fold with +;
 *   softmax     e = exp(x - max) vector by vector, out = e * (1 / sum(e));
 *   log_softmax out = (x - max) - log(sum(exp(x - max)));
 *   backward    softmax: (g - s) y with s = sum(g y) (fused after the first vector);
 *               log_softmax: g - exp(y) s (fused) with s = sum(g).
 * Other dims: each of the inner columns is reduced over dim on its own, L whole columns at a time
 * (with vector exp/log) and the last inner % L columns one at a time (with libm's exp):
 *   softmax     max from the first row, e = exp(x - max), out = e / (0 + e0 + e1 + ...);
 *   log_softmax max from -inf (a larger value replaces it), out = x - max - log(0 + e0 + ...),
 *               the log of every column taken with the vector log;
 *   backward    softmax: s = fma(g, y, s) from 0, out = y (g - s);
 *               log_softmax: s = 0 + g0 + g1 + ..., out = g - exp(y) s (fused). */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("tree-vectorize", "vect-cost-model=dynamic")
#endif

#include "backend/cpu/softmax.h"
#include "backend/cpu/parallel.h"
#include "backend/cpu/simd.h"

#include <math.h>
#include <string.h>

/* vec::maximum: a NaN in either operand gives the all-ones NaN; otherwise vmaxps(a, b), which
 * returns b unless a > b. */
static inline float f32_nan_ones(void) {
    uint32_t bits = 0xffffffffu;
    float v;
    memcpy(&v, &bits, sizeof v);
    return v;
}
static inline double f64_nan_ones(void) {
    uint64_t bits = ~(uint64_t)0;
    double v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

/* Inner columns are taken in blocks of COLUMN_BLOCK (a multiple of every L) so that a block's
 * running max and sum stay in cache; the results do not depend on the block size. */
#define COLUMN_BLOCK 256

#define DEFINE_SOFTMAX(S, T, L, TREE_FOLD, ATTR, VEXP, VLOG, SEXP, FMA, VREDUCE, VEXP_SUM)                                               \
    ATTR static inline T S##_vmax(T a, T b) { return a != a || b != b ? S##_nan_ones_() : a > b ? a : b; } \
    /* vec_reduce_all's shuffles: the upper half of the lanes folded onto the lower, then the upper   \
     * half of those, until one lane is left */                                                           \
    ATTR static T S##_fold(T *acc, bool max) {                                                             \
        if (!TREE_FOLD) {                                                                                  \
            for (int w = 1; w < L; w++) acc[0] = max ? S##_vmax(acc[0], acc[w]) : acc[0] + acc[w];         \
            return acc[0];                                                                                 \
        }                                                                                                  \
        for (int half = L / 2; half > 0; half /= 2)                                                        \
            for (int w = 0; w < half; w++) acc[w] = max ? S##_vmax(acc[w], acc[w + half]) : acc[w] + acc[w + half]; \
        return acc[0];                                                                                     \
    }                                                                                                      \
    /* vec::reduce_all with maximum (max) or + over n contiguous elements */                               \
    ATTR static T S##_reduce_all(const T *x, int64_t n, bool max) {                                        \
        if (n < L) {                                                                                       \
            T a = x[0];                                                                                    \
            for (int64_t i = 1; i < n; i++) a = max ? S##_vmax(a, x[i]) : a + x[i];                        \
            return a;                                                                                      \
        }                                                                                                  \
        T acc[L];                                                                                          \
        if (VREDUCE(x, n, max, acc)) return acc[0];                                                        \
        memcpy(acc, x, sizeof acc);                                                                        \
        int64_t d = L;                                                                                     \
        for (; d + L <= n; d += L)                                                                         \
            for (int w = 0; w < L; w++) acc[w] = max ? S##_vmax(acc[w], x[d + w]) : acc[w] + x[d + w];     \
        for (int w = 0; w < n - d; w++) acc[w] = max ? S##_vmax(acc[w], x[d + w]) : acc[w] + x[d + w];     \
        return S##_fold(acc, max);                                                                         \
    }                                                                                                      \
    /* out = exp(x - m), vector by vector (the last one partial) */                                        \
    ATTR static void S##_exp_shifted(const T *x, T m, T *out, int64_t n) {                                 \
        int64_t d = 0;                                                                                     \
        for (; d + L <= n; d += L) {                                                                       \
            T v[L];                                                                                        \
            for (int w = 0; w < L; w++) v[w] = x[d + w] - m;                                               \
            VEXP(v);                                                                                       \
            memcpy(out + d, v, sizeof v);                                                                  \
        }                                                                                                  \
        if (d < n) {                                                                                       \
            T v[L] = {0};                                                                                  \
            for (int w = 0; w < n - d; w++) v[w] = x[d + w] - m;                                           \
            VEXP(v);                                                                                       \
            memcpy(out + d, v, (size_t)(n - d) * sizeof(T));                                               \
        }                                                                                                  \
    }                                                                                                      \
    ATTR static T S##_log1(T s) {                                                                          \
        T v[L] = {s};                                                                                      \
        VLOG(v);                                                                                           \
        return v[0];                                                                                       \
    }                                                                                                      \
    ATTR static void S##_lastdim(const T *x, T *out, int64_t rows, int64_t n, bool take_log) {                  \
        for (int64_t r = 0; r < rows; r++, x += n, out += n) {                                             \
            T m = S##_reduce_all(x, n, true), s;                                                           \
            if (!VEXP_SUM(x, m, out, n, &s)) {                                                             \
                S##_exp_shifted(x, m, out, n);                                                             \
                s = S##_reduce_all(out, n, false);                                                         \
            }                                                                                              \
            if (take_log) {                                                                                     \
                T ls = S##_log1(s);                                                                        \
                for (int64_t i = 0; i < n; i++) out[i] = (x[i] - m) - ls;                                  \
            } else {                                                                                       \
                T rs = 1 / s;                                                                              \
                for (int64_t i = 0; i < n; i++) out[i] *= rs;                                              \
            }                                                                                              \
        }                                                                                                  \
    }                                                                                                      \
    /* sum(g y): the first vector's products rounded, the rest fused into the lanes' sums */               \
    ATTR static T S##_dot(const T *g, const T *y, int64_t n) {                                             \
        if (n < L) {                                                                                       \
            T a = g[0] * y[0];                                                                             \
            for (int64_t i = 1; i < n; i++) a += g[i] * y[i];                                              \
            return a;                                                                                      \
        }                                                                                                  \
        T acc[L];                                                                                          \
        for (int w = 0; w < L; w++) acc[w] = g[w] * y[w];                                                  \
        int64_t d = L;                                                                                     \
        for (; d + L <= n; d += L)                                                                         \
            for (int w = 0; w < L; w++) acc[w] = FMA(g[d + w], y[d + w], acc[w]);                          \
        for (int w = 0; w < n - d; w++) acc[w] = FMA(g[d + w], y[d + w], acc[w]);                          \
        return S##_fold(acc, false);                                                                       \
    }                                                                                                      \
    ATTR static void S##_lastdim_backward(const T *g, const T *y, T *out, int64_t rows, int64_t n, bool take_log) { \
        for (int64_t r = 0; r < rows; r++, g += n, y += n, out += n) {                                     \
            if (take_log) {                                                                                     \
                T s = S##_reduce_all(g, n, false);                                                         \
                S##_exp_shifted(y, 0, out, n); /* y - 0 is y */                                            \
                for (int64_t i = 0; i < n; i++) out[i] = FMA(-out[i], s, g[i]);                            \
            } else {                                                                                       \
                T s = S##_dot(g, y, n);                                                                    \
                for (int64_t i = 0; i < n; i++) out[i] = (g[i] - s) * y[i];                                \
            }                                                                                              \
        }                                                                                                  \
    }                                                                                                      \
    /* Columns [c0, c0 + k) of one outer index (x and out at its first row), k <= COLUMN_BLOCK; the  \
     * first `vec` of them (a multiple of L) are PyTorch's vector columns, the rest its scalar tail. */ \
    ATTR static void S##_columns(const T *x, T *out, int64_t dim, int64_t inner, int64_t k, int64_t vec, bool take_log) { \
        T m[COLUMN_BLOCK], s[COLUMN_BLOCK];                                                                \
        for (int64_t c = 0; c < k; c++) s[c] = 0;                                                          \
        if (take_log) {                                                                                    \
            for (int64_t c = 0; c < k; c++) m[c] = -INFINITY;                                              \
            for (int64_t d = 0; d < dim; d++)                                                              \
                for (int64_t c = 0; c < k; c++) m[c] = x[d * inner + c] > m[c] ? x[d * inner + c] : m[c];  \
        } else {                                                                                           \
            memcpy(m, x, (size_t)k * sizeof(T));                                                           \
            for (int64_t d = 1; d < dim; d++) {                                                            \
                const T *row = x + d * inner;                                                              \
                for (int64_t c = 0; c < vec; c++) m[c] = S##_vmax(m[c], row[c]);                           \
                for (int64_t c = vec; c < k; c++) m[c] = m[c] < row[c] ? row[c] : m[c];                    \
            }                                                                                              \
        }                                                                                                  \
        for (int64_t d = 0; d < dim; d++) {                                                                \
            const T *row = x + d * inner;                                                                  \
            T *o = out + d * inner;                                                                        \
            for (int64_t c = 0; c < vec; c += L) {                                                         \
                T v[L];                                                                                    \
                for (int w = 0; w < L; w++) v[w] = row[c + w] - m[c + w];                                  \
                VEXP(v);                                                                                   \
                for (int w = 0; w < L; w++) s[c + w] += v[w];                                              \
                if (!take_log) memcpy(o + c, v, sizeof v);                                                      \
            }                                                                                              \
            for (int64_t c = vec; c < k; c++) {                                                            \
                T e = SEXP(row[c] - m[c]);                                                                 \
                s[c] += e;                                                                                 \
                if (!take_log) o[c] = e;                                                                        \
            }                                                                                              \
        }                                                                                                  \
        if (take_log)                                                                                           \
            for (int64_t c = 0; c < k; c += L) {                                                           \
                T v[L] = {0};                                                                              \
                int n = k - c < L ? (int)(k - c) : L;                                                      \
                memcpy(v, s + c, (size_t)n * sizeof(T));                                                   \
                VLOG(v);                                                                                   \
                memcpy(s + c, v, (size_t)n * sizeof(T));                                                   \
            }                                                                                              \
        for (int64_t d = 0; d < dim; d++) {                                                                \
            const T *row = x + d * inner;                                                                  \
            T *o = out + d * inner;                                                                        \
            if (take_log)                                                                                  \
                for (int64_t c = 0; c < k; c++) o[c] = row[c] - m[c] - s[c];                               \
            else                                                                                           \
                for (int64_t c = 0; c < k; c++) o[c] = o[c] / s[c];                                        \
        }                                                                                                  \
    }                                                                                                      \
    ATTR static void S##_columns_backward(const T *g, const T *y, T *out, int64_t dim, int64_t inner, int64_t k, \
                                          int64_t vec, bool take_log) {                                         \
        T s[COLUMN_BLOCK];                                                                                 \
        for (int64_t c = 0; c < k; c++) s[c] = 0;                                                          \
        for (int64_t d = 0; d < dim; d++)                                                                  \
            for (int64_t c = 0; c < k; c++)                                                                \
                s[c] = take_log ? s[c] + g[d * inner + c] : FMA(g[d * inner + c], y[d * inner + c], s[c]);      \
        for (int64_t d = 0; d < dim; d++) {                                                                \
            const T *gr = g + d * inner, *yr = y + d * inner;                                              \
            T *o = out + d * inner;                                                                        \
            if (!take_log) {                                                                                    \
                for (int64_t c = 0; c < k; c++) o[c] = yr[c] * (gr[c] - s[c]);                             \
                continue;                                                                                  \
            }                                                                                              \
            for (int64_t c = 0; c < vec; c += L) {                                                         \
                T v[L];                                                                                    \
                memcpy(v, yr + c, sizeof v);                                                               \
                VEXP(v);                                                                                   \
                for (int w = 0; w < L; w++) o[c + w] = FMA(-v[w], s[c + w], gr[c + w]);                    \
            }                                                                                              \
            for (int64_t c = vec; c < k; c++) o[c] = FMA(-SEXP(yr[c]), s[c], gr[c]);                       \
        }                                                                                                  \
    }                                                                                                      \
    /* The columns of each outer index in blocks; PyTorch's vector columns are the first           \
     * inner - inner % L of them. */                                                                      \
    ATTR static void S##_other_dim(const T *x, const T *y, T *out, int64_t outer, int64_t dim, int64_t inner, \
                                   bool take_log, bool backward) {                                              \
        int64_t vec_end = inner - inner % L;                                                               \
        for (int64_t o = 0; o < outer; o++)                                                                \
            for (int64_t c = 0; c < inner; c += COLUMN_BLOCK) {                                            \
                int64_t k = inner - c < COLUMN_BLOCK ? inner - c : COLUMN_BLOCK;                           \
                int64_t vec = vec_end > c ? (vec_end - c < k ? vec_end - c : k) : 0;                        \
                int64_t at = o * dim * inner + c;                                                          \
                if (backward) S##_columns_backward(x + at, y + at, out + at, dim, inner, k, vec, take_log);     \
                else S##_columns(x + at, out + at, dim, inner, k, vec, take_log);                               \
            }                                                                                              \
    }                                                                                                      \
    ATTR static void S##_softmax(const T *x, const T *y, T *out, int64_t outer, int64_t dim, int64_t inner, \
                                 bool take_log, bool backward) {                                                \
        if (inner > 0) S##_other_dim(x, y, out, outer, dim, inner, take_log, backward);                         \
        else if (backward) S##_lastdim_backward(x, y, out, outer, dim, take_log);                               \
        else S##_lastdim(x, out, outer, dim, take_log);                                                         \
    }

/* The portable build: libm's exp and log on each lane. */
#define f32_nan_ones_ f32_nan_ones
#define f64_nan_ones_ f64_nan_ones
#define F32_VEXP_LIBM(v) for (int w_ = 0; w_ < 8; w_++) (v)[w_] = expf((v)[w_])
#define F32_VLOG_LIBM(v) for (int w_ = 0; w_ < 8; w_++) (v)[w_] = logf((v)[w_])
#define F64_VEXP_LIBM(v) for (int w_ = 0; w_ < 4; w_++) (v)[w_] = exp((v)[w_])
#define F64_VLOG_LIBM(v) for (int w_ = 0; w_ < 4; w_++) (v)[w_] = log((v)[w_])
#define NO_ATTR
#define NO_VREDUCE(x, n, max, acc) false
#define NO_VEXP_SUM(x, m, out, n, sum) false
DEFINE_SOFTMAX(f32, float, 8, true, NO_ATTR, F32_VEXP_LIBM, F32_VLOG_LIBM, expf, fmaf, NO_VREDUCE, NO_VEXP_SUM)
DEFINE_SOFTMAX(f64, double, 4, false, NO_ATTR, F64_VEXP_LIBM, F64_VLOG_LIBM, exp, fma, NO_VREDUCE, NO_VEXP_SUM)

/* On x86-64, once more for AVX2 and FMA, with SLEEF's vector functions where it is linked. */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define AVX2_ATTR __attribute__((target("avx2,fma")))
#define f32_avx2_nan_ones_ f32_nan_ones
#define f64_avx2_nan_ones_ f64_nan_ones
#ifdef CG_HAVE_SLEEF
/* sleef.h declares its AVX2 functions only when the whole file is built for AVX. */
AVX2_ATTR __m256 Sleef_expf8_u10(__m256);
AVX2_ATTR __m256 Sleef_logf8_u10(__m256);
AVX2_ATTR __m256d Sleef_expd4_u10(__m256d);
AVX2_ATTR __m256d Sleef_logd4_u10(__m256d);
#define F32_VEXP(v) _mm256_storeu_ps(v, Sleef_expf8_u10(_mm256_loadu_ps(v)))
#define F32_VLOG(v) _mm256_storeu_ps(v, Sleef_logf8_u10(_mm256_loadu_ps(v)))
#define F64_VEXP(v) _mm256_storeu_pd(v, Sleef_expd4_u10(_mm256_loadu_pd(v)))
#define F64_VLOG(v) _mm256_storeu_pd(v, Sleef_logd4_u10(_mm256_loadu_pd(v)))
#else
#define F32_VEXP F32_VEXP_LIBM
#define F32_VLOG F32_VLOG_LIBM
#define F64_VEXP F64_VEXP_LIBM
#define F64_VLOG F64_VLOG_LIBM
#endif
/* reduce_all's lanes for n >= 8 floats, with intrinsics (the lane loops above do not vectorize):
 * vec::maximum is vmaxps with an unordered compare ORed in, so a NaN gives the all-ones NaN. */
AVX2_ATTR static __m256 f32_vreduce_op(__m256 a, __m256 b, bool max) {
    return max ? _mm256_or_ps(_mm256_max_ps(a, b), _mm256_cmp_ps(a, b, _CMP_UNORD_Q)) : _mm256_add_ps(a, b);
}
#ifdef CG_HAVE_SLEEF
#define f32_vexp8 Sleef_expf8_u10
#else
AVX2_ATTR static __m256 f32_vexp8(__m256 v) {
    float t[8];
    _mm256_storeu_ps(t, v);
    F32_VEXP(t);
    return _mm256_loadu_ps(t);
}
#endif
/* Vec::set(acc, op(acc, the count elements at x, zeros after them), count) */
AVX2_ATTR static __m256 f32_tail_set(__m256 acc, __m256 v, int64_t count, bool max) {
    __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    __m256 first = _mm256_castsi256_ps(_mm256_cmpgt_epi32(_mm256_set1_epi32((int)count), lane));
    return _mm256_blendv_ps(acc, f32_vreduce_op(acc, v, max), first);
}
AVX2_ATTR static __m256 f32_load_partial(const float *x, int64_t count) {
    float t[8] = {0};
    memcpy(t, x, (size_t)count * sizeof(float));
    return _mm256_loadu_ps(t);
}
/* fold's shuffles as PyTorch writes them (the scalar fold after vector code would also pay for
 * the switch between AVX and SSE instructions) */
AVX2_ATTR static float f32_vfold(__m256 v, bool max) {
    v = f32_vreduce_op(v, _mm256_permute2f128_ps(v, v, 1), max);
    v = f32_vreduce_op(v, _mm256_shuffle_ps(v, v, 0x4E), max);
    v = f32_vreduce_op(v, _mm256_shuffle_ps(v, v, 0xB1), max);
    return _mm256_cvtss_f32(v);
}
AVX2_ATTR static float f32_vreduce_chain(const float *x, int64_t n, bool max) {
    __m256 acc = _mm256_loadu_ps(x);
    int64_t d = 8;
    if (max)
        for (; d + 8 <= n; d += 8) acc = f32_vreduce_op(acc, _mm256_loadu_ps(x + d), true);
    else
        for (; d + 8 <= n; d += 8) acc = f32_vreduce_op(acc, _mm256_loadu_ps(x + d), false);
    if (d < n) acc = f32_tail_set(acc, f32_load_partial(x + d, n - d), n - d, max);
    return f32_vfold(acc, max);
}
/* reduce_all for n >= 8. The max's value does not depend on the order of the comparisons (a NaN
 * anywhere gives the all-ones NaN), only which zero wins among +0 and -0 does: four independent
 * chains, then PyTorch's single chain again when the max is a zero. */
AVX2_ATTR static bool f32_vreduce(const float *x, int64_t n, bool max, float *result) {
    if (!max || n < 64) {
        *result = f32_vreduce_chain(x, n, max);
        return true;
    }
    __m256 a0 = _mm256_loadu_ps(x), a1 = a0, a2 = a0, a3 = a0;
    int64_t d = 8;
    for (; d + 32 <= n; d += 32) {
        a0 = f32_vreduce_op(a0, _mm256_loadu_ps(x + d), true);
        a1 = f32_vreduce_op(a1, _mm256_loadu_ps(x + d + 8), true);
        a2 = f32_vreduce_op(a2, _mm256_loadu_ps(x + d + 16), true);
        a3 = f32_vreduce_op(a3, _mm256_loadu_ps(x + d + 24), true);
    }
    for (; d + 8 <= n; d += 8) a0 = f32_vreduce_op(a0, _mm256_loadu_ps(x + d), true);
    a0 = f32_vreduce_op(f32_vreduce_op(a0, a1, true), f32_vreduce_op(a2, a3, true), true);
    if (d < n) a0 = f32_tail_set(a0, f32_load_partial(x + d, n - d), n - d, true);
    *result = f32_vfold(a0, true);
    if (*result == 0) *result = f32_vreduce_chain(x, n, true);
    return true;
}
/* exp_shifted and then reduce_all of its result with +, in one pass: the same lanes in the same order. */
AVX2_ATTR static bool f32_vexp_sum(const float *x, float m, float *out, int64_t n, float *sum) {
    if (n < 8) return false;
    __m256 vm = _mm256_set1_ps(m), acc = f32_vexp8(_mm256_sub_ps(_mm256_loadu_ps(x), vm));
    _mm256_storeu_ps(out, acc);
    int64_t d = 8;
    for (; d + 8 <= n; d += 8) {
        __m256 e = f32_vexp8(_mm256_sub_ps(_mm256_loadu_ps(x + d), vm));
        _mm256_storeu_ps(out + d, e);
        acc = _mm256_add_ps(acc, e);
    }
    if (d < n) {
        float e[8];
        __m256 v = f32_vexp8(_mm256_sub_ps(f32_load_partial(x + d, n - d), vm));
        _mm256_storeu_ps(e, v);
        memcpy(out + d, e, (size_t)(n - d) * sizeof(float));
        acc = f32_tail_set(acc, v, n - d, false);
    }
    *sum = f32_vfold(acc, false);
    return true;
}
DEFINE_SOFTMAX(f32_avx2, float, 8, true, AVX2_ATTR, F32_VEXP, F32_VLOG, expf, __builtin_fmaf, f32_vreduce, f32_vexp_sum)
DEFINE_SOFTMAX(f64_avx2, double, 4, false, AVX2_ATTR, F64_VEXP, F64_VLOG, exp, __builtin_fma, NO_VREDUCE, NO_VEXP_SUM)
#else
#define f32_avx2_softmax f32_softmax
#define f64_avx2_softmax f64_softmax
#endif

typedef struct {
    cg_dtype dtype;
    const char *x, *y; /* y NULL but for the backward */
    char *out;
    int64_t dim, inner;
    bool take_log, backward;
} softmax_job;

/* Outer indices [o0, o1): each is computed on its own, so the threads may split them anywhere. */
static void softmax_outer(int64_t o0, int64_t o1, void *arg) {
    const softmax_job *j = arg;
    int64_t at = o0 * j->dim * (j->inner > 0 ? j->inner : 1) * (int64_t)cg_elsize(j->dtype);
    const void *x = j->x + at, *y = j->y ? j->y + at : NULL;
    void *out = j->out + at;
    bool fast = cg_simd_avx2();
    if (j->dtype == CG_FLOAT32)
        (fast ? f32_avx2_softmax : f32_softmax)(x, y, out, o1 - o0, j->dim, j->inner, j->take_log, j->backward);
    else if (j->dtype == CG_FLOAT64)
        (fast ? f64_avx2_softmax : f64_softmax)(x, y, out, o1 - o0, j->dim, j->inner, j->take_log, j->backward);
}

/* inner 0 is the last dim. */
static void softmax_any(cg_dtype dtype, const void *x, const void *y, void *out, int64_t outer, int64_t dim,
                        int64_t inner, bool take_log, bool backward) {
    if (outer == 0 || dim == 0) return;
    softmax_job j = {dtype, x, y, out, dim, inner, take_log, backward};
    int64_t per_outer = dim * (inner > 0 ? inner : 1);
    cg_parallel_for(0, outer, per_outer >= CG_GRAIN_SIZE ? 1 : CG_GRAIN_SIZE / per_outer, softmax_outer, &j);
}

/* The (outer, dim, inner) view of t along dim; inner 0 for PyTorch's last-dim kernel. */
static void view_along(const cg_tensor *t, int dim, int64_t *outer, int64_t *size, int64_t *inner) {
    *outer = *inner = 1;
    *size = t->ndim ? t->sizes[dim] : 1;
    for (int i = 0; i < t->ndim; i++) {
        if (i < dim) *outer *= t->sizes[i];
        if (i > dim) *inner *= t->sizes[i];
    }
    if (t->ndim == 0 || dim == t->ndim - 1) *inner = 0;
}

void cg_kernel_softmax(cg_tensor *out, const cg_tensor *in, int dim, bool take_log) {
    int64_t outer, size, inner;
    view_along(in, dim, &outer, &size, &inner);
    softmax_any(in->dtype, cg_tensor_data(in), NULL, cg_tensor_data(out), outer, size, inner, take_log, false);
}

void cg_kernel_softmax_backward(cg_tensor *out, const cg_tensor *g, const cg_tensor *y, int dim, bool take_log) {
    int64_t outer, size, inner;
    view_along(y, dim, &outer, &size, &inner);
    softmax_any(y->dtype, cg_tensor_data(g), cg_tensor_data(y), cg_tensor_data(out), outer, size, inner, take_log,
                true);
}
