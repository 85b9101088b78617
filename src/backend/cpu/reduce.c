#include "backend/cpu/reduce.h"

#include "backend/cpu/parallel.h"
#include "backend/cpu/simd.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Integer sums and products wrap around (two's complement), computed unsigned to stay defined. */
static int64_t sum_i64(const int64_t *x, int64_t n) {
    uint64_t acc = 0;
    for (int64_t i = 0; i < n; i++) acc += (uint64_t)x[i];
    return (int64_t)acc;
}

static int64_t prod_i64(const int64_t *x, int64_t n) {
    uint64_t acc = 1;
    for (int64_t i = 0; i < n; i++) acc *= (uint64_t)x[i];
    return (int64_t)acc;
}

static void sum_i64_rows(const int64_t *in, int64_t *out, int64_t rows, int64_t len) {
    for (int64_t r = 0; r < rows; r++) out[r] = sum_i64(in + r * len, len);
}

static void prod_i64_rows(const int64_t *in, int64_t *out, int64_t rows, int64_t len) {
    for (int64_t r = 0; r < rows; r++) out[r] = prod_i64(in + r * len, len);
}

/* PyTorch's Welford update in double, one element after another (its binary_kernel_reduce for one
 * output row), for `lanes` (at most WELFORD_LANES) rows of len elements at once: each row stays one
 * sequential chain, and the rows' independent divisions overlap. Writes each row's m2, the sum of
 * squared deviations. PyTorch's AVX2 build contracts the m2 update into one fused multiply-add, so
 * it is one here too (FMA is fma or the inline instruction). */
#define WELFORD_LANES 8
#define DEFINE_WELFORD_M2(name, T, FMA, ATTR)                                        \
    ATTR static void name(const T *x, int64_t len, int lanes, double *m2, double *mu) { \
        double mean[WELFORD_LANES] = {0}, acc[WELFORD_LANES] = {0};                  \
        for (int64_t i = 0; i < len; i++) {                                          \
            for (int k = 0; k < lanes; k++) {                                        \
                double v = (double)x[k * len + i], delta = v - mean[k];              \
                mean[k] += delta / (double)(i + 1);                                  \
                acc[k] = FMA(delta, v - mean[k], acc[k]);                            \
            }                                                                        \
        }                                                                            \
        for (int k = 0; k < lanes; k++) m2[k] = acc[k], mu[k] = mean[k];             \
    }
DEFINE_WELFORD_M2(welford_m2_f32, float, fma, )
DEFINE_WELFORD_M2(welford_m2_f64, double, fma, )
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define HAVE_FMA_WELFORD 1
DEFINE_WELFORD_M2(welford_m2_f32_fma, float, __builtin_fma, __attribute__((target("fma"))))
DEFINE_WELFORD_M2(welford_m2_f64_fma, double, __builtin_fma, __attribute__((target("fma"))))
#endif

static void welford_m2(cg_dtype dtype, const void *x, int64_t len, int lanes, double *m2, double *mu) {
#ifdef HAVE_FMA_WELFORD
    if (__builtin_cpu_supports("fma")) {
        if (dtype == CG_FLOAT32) welford_m2_f32_fma(x, len, lanes, m2, mu);
        else welford_m2_f64_fma(x, len, lanes, m2, mu);
        return;
    }
#endif
    if (dtype == CG_FLOAT32) welford_m2_f32(x, len, lanes, m2, mu);
    else welford_m2_f64(x, len, lanes, m2, mu);
}

/* The squared deviations from a given mean, summed in double in order (PyTorch's std_var_all_cpu). */
#define DEFINE_DEVIATIONS_M2(name, T)                           \
    static double name(const T *x, int64_t n, double mean) {    \
        double m2 = 0;                                          \
        for (int64_t i = 0; i < n; i++) {                       \
            double d = (double)x[i] - mean;                     \
            m2 += d * d;                                        \
        }                                                       \
        return m2;                                              \
    }
DEFINE_DEVIATIONS_M2(deviations_m2_f32, float)
DEFINE_DEVIATIONS_M2(deviations_m2_f64, double)

/* mean_out (var_mean's, or NULL) gets Welford's mean of each row in the element type. */
static void var_rows(cg_dtype dtype, const void *in, void *out, void *mean_out, int64_t rows, int64_t len,
                     int64_t correction, bool take_sqrt, const double *mean) {
    double divisor = len > correction ? (double)(len - correction) : 0;
    size_t elsize = dtype == CG_FLOAT32 ? sizeof(float) : sizeof(double);
    for (int64_t r = 0; r < rows; r += WELFORD_LANES) {
        const char *x = (const char *)in + (size_t)(r * len) * elsize;
        int lanes = rows - r < WELFORD_LANES ? (int)(rows - r) : WELFORD_LANES;
        double m2[WELFORD_LANES], mu[WELFORD_LANES];
        if (mean) /* one row */
            m2[0] = dtype == CG_FLOAT32 ? deviations_m2_f32((const float *)x, len, *mean)
                                        : deviations_m2_f64((const double *)x, len, *mean);
        else
            welford_m2(dtype, x, len, lanes, m2, mu);
        for (int k = 0; k < lanes && mean_out; k++) {
            if (dtype == CG_FLOAT32)
                ((float *)mean_out)[r + k] = (float)mu[k];
            else
                ((double *)mean_out)[r + k] = mu[k];
        }
        for (int k = 0; k < lanes; k++) {
            double var = m2[k] / divisor;
            if (take_sqrt) var = sqrt(var);
            if (dtype == CG_FLOAT32)
                ((float *)out)[r + k] = (float)var;
            else
                ((double *)out)[r + k] = var;
        }
    }
}

/* The largest (or smallest) magnitude; NaN propagates. */
#define DEFINE_EXTREME_MAGNITUDE(name, T, ABS)                                   \
    static T name(const T *x, int64_t n, bool want_max) {                        \
        T best = ABS(x[0]);                                                      \
        for (int64_t i = 1; i < n && !isnan(best); i++) {                        \
            T v = ABS(x[i]);                                                     \
            if (isnan(v) || (want_max ? v > best : v < best)) best = v;          \
        }                                                                        \
        return best;                                                             \
    }
DEFINE_EXTREME_MAGNITUDE(extreme_abs_f32, float, fabsf)
DEFINE_EXTREME_MAGNITUDE(extreme_abs_f64, double, fabs)

static void norm_rows(cg_dtype dtype, const void *in, void *out, int64_t rows, int64_t len, double p) {
    for (int64_t r = 0; r < rows; r++) {
        if (dtype == CG_FLOAT32)
            ((float *)out)[r] = len ? extreme_abs_f32((const float *)in + r * len, len, p > 0) : 0;
        else if (dtype == CG_FLOAT64)
            ((double *)out)[r] = len ? extreme_abs_f64((const double *)in + r * len, len, p > 0) : 0;
    }
}

/* Strict comparisons keep the first of equal values; once a NaN is found it stays. */
#define DEFINE_EXTREME(name, T, ISNAN)                                                              \
    static void name(const T *in, T *values, int64_t *indices, int64_t rows, int64_t len, bool want_max) { \
        for (int64_t r = 0; r < rows; r++) {                                                        \
            const T *x = in + r * len;                                                              \
            T best = x[0];                                                                          \
            int64_t at = 0;                                                                         \
            for (int64_t i = 1; i < len && !ISNAN(best); i++) {                                     \
                T v = x[i];                                                                         \
                if (ISNAN(v) || (want_max ? v > best : v < best)) {                                 \
                    best = v;                                                                       \
                    at = i;                                                                         \
                }                                                                                   \
            }                                                                                       \
            if (values) values[r] = best;                                                           \
            if (indices) indices[r] = at;                                                           \
        }                                                                                           \
    }
#define NEVER_NAN(v) ((void)(v), 0)
DEFINE_EXTREME(extreme_f32, float, isnan)
DEFINE_EXTREME(extreme_f64, double, isnan)
DEFINE_EXTREME(extreme_i64, int64_t, NEVER_NAN)
DEFINE_EXTREME(extreme_bool, bool, NEVER_NAN)

/* PyTorch's max()/min() of a whole float tensor (AVX2): lane j of a 32-byte vector folds elements
 * j, j + L, ...; lane 0 then folds lanes 1..L-1 (a tensor of fewer than L elements is folded in
 * order). vmaxps/vminps return the second operand on a tie, which decides which zero comes out. */
#define DEFINE_EXTREME_ALL(name, T)                                                                 \
    static inline T name##_pick(T a, T b, bool want_max) {                                          \
        if (isnan(a) || isnan(b)) return a + b;                                                     \
        return (want_max ? a > b : a < b) ? a : b;                                                  \
    }                                                                                               \
    static T name(const T *x, int64_t n, bool want_max) {                                           \
        enum { L = 32 / sizeof(T) };                                                                \
        if (n < L) {                                                                                \
            T best = x[0];                                                                          \
            for (int64_t i = 1; i < n; i++) best = name##_pick(best, x[i], want_max);               \
            return best;                                                                            \
        }                                                                                           \
        T lane[L];                                                                                  \
        memcpy(lane, x, sizeof lane);                                                               \
        for (int64_t i = L; i < n; i++) lane[i % L] = name##_pick(lane[i % L], x[i], want_max);     \
        T best = lane[0];                                                                           \
        for (int j = 1; j < L; j++) best = name##_pick(best, lane[j], want_max);                    \
        return best;                                                                                \
    }
DEFINE_EXTREME_ALL(extreme_all_f32, float)
DEFINE_EXTREME_ALL(extreme_all_f64, double)

/* The same with AVX2 and four vectors of lanes at a time. Only which of +0 and -0 wins, or which
 * of several NaNs comes out, depends on the order of the picks: when the result is a zero or a NaN,
 * the caller folds again in PyTorch's order. */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define AVX2_ATTR __attribute__((target("avx2")))
#define UNORD_PS(a, b) _mm256_cmp_ps(a, b, _CMP_UNORD_Q)
#define UNORD_PD(a, b) _mm256_cmp_pd(a, b, _CMP_UNORD_Q)
#define DEFINE_EXTREME_ALL_AVX2(name, T, V, LOADU, STOREU, MAX, MIN, ADD, UNORD, BLENDV)                     \
    AVX2_ATTR static inline V name##_pick(V a, V b, bool want_max) {                                        \
        return BLENDV(want_max ? MAX(a, b) : MIN(a, b), ADD(a, b), UNORD(a, b));                            \
    }                                                                                                       \
    AVX2_ATTR static T name(const T *x, int64_t n, bool want_max) {                                        \
        enum { L = 32 / sizeof(T) };                                                                        \
        V l0 = LOADU(x), l1 = LOADU(x + L), l2 = LOADU(x + 2 * L), l3 = LOADU(x + 3 * L);                   \
        int64_t i = 4 * L;                                                                                  \
        for (; i + 4 * L <= n; i += 4 * L) {                                                                \
            l0 = name##_pick(l0, LOADU(x + i), want_max);                                                   \
            l1 = name##_pick(l1, LOADU(x + i + L), want_max);                                               \
            l2 = name##_pick(l2, LOADU(x + i + 2 * L), want_max);                                           \
            l3 = name##_pick(l3, LOADU(x + i + 3 * L), want_max);                                           \
        }                                                                                                   \
        l0 = name##_pick(name##_pick(l0, l1, want_max), name##_pick(l2, l3, want_max), want_max);           \
        for (; i + L <= n; i += L) l0 = name##_pick(l0, LOADU(x + i), want_max);                            \
        T lane[L];                                                                                          \
        STOREU(lane, l0);                                                                                   \
        for (; i < n; i++) lane[i % L] = extreme_all_##T##_pick(lane[i % L], x[i], want_max);               \
        T best = lane[0];                                                                                   \
        for (int j = 1; j < L; j++) best = extreme_all_##T##_pick(best, lane[j], want_max);                 \
        return best;                                                                                        \
    }
/* The position of a row's max (min): the first NaN if there is one, else the first element equal
 * to the largest value (a zero of either sign equals the other), which is where the strict
 * comparisons of the loop above stop; found in two vector passes, the value then the position. */
#define DEFINE_EXTREME_ROW_AVX2(name, T, V, LOADU, SET1, MAX, MIN, CMP, MOVEMASK)                            \
    AVX2_ATTR static int64_t name##_first(const T *x, int64_t len, T m, int pred) {                       \
        V target = SET1(m);                                                                                 \
        enum { L = 32 / sizeof(T) };                                                                        \
        int64_t i = 0;                                                                                      \
        for (; i + L <= len; i += L) {                                                                      \
            V v = LOADU(x + i);                                                                             \
            int hit = MOVEMASK(pred == _CMP_UNORD_Q ? CMP(v, v, _CMP_UNORD_Q) : CMP(v, target, _CMP_EQ_OQ)); \
            if (hit) return i + __builtin_ctz((unsigned)hit);                                               \
        }                                                                                                   \
        for (; i < len; i++)                                                                                \
            if (pred == _CMP_UNORD_Q ? isnan(x[i]) : x[i] == m) return i;                                   \
        return -1;                                                                                          \
    }                                                                                                       \
    AVX2_ATTR static int64_t name(const T *x, int64_t len, bool want_max) {                                \
        enum { L = 32 / sizeof(T) };                                                                        \
        V best = LOADU(x), nan = CMP(best, best, _CMP_UNORD_Q);                                             \
        int64_t i = L;                                                                                      \
        for (; i + L <= len; i += L) {                                                                      \
            V v = LOADU(x + i);                                                                             \
            nan = _mm256_or_si256_##T(nan, CMP(v, v, _CMP_UNORD_Q));                                       \
            best = want_max ? MAX(best, v) : MIN(best, v);                                                  \
        }                                                                                                   \
        T lane[L], m;                                                                                       \
        _mm256_storeu_##T(lane, best);                                                                      \
        m = lane[0];                                                                                        \
        for (int j = 1; j < L; j++) m = (want_max ? lane[j] > m : lane[j] < m) ? lane[j] : m;               \
        bool any_nan = MOVEMASK(nan) != 0;                                                                  \
        for (; i < len; i++) {                                                                              \
            any_nan = any_nan || isnan(x[i]);                                                               \
            m = (want_max ? x[i] > m : x[i] < m) ? x[i] : m;                                                \
        }                                                                                                   \
        return name##_first(x, len, m, any_nan ? _CMP_UNORD_Q : _CMP_EQ_OQ);                                \
    }
#define _mm256_or_si256_float _mm256_or_ps
#define _mm256_or_si256_double _mm256_or_pd
#define _mm256_storeu_float _mm256_storeu_ps
#define _mm256_storeu_double _mm256_storeu_pd
DEFINE_EXTREME_ROW_AVX2(extreme_row_f32_avx2, float, __m256, _mm256_loadu_ps, _mm256_set1_ps, _mm256_max_ps, _mm256_min_ps,
                        _mm256_cmp_ps, _mm256_movemask_ps)
DEFINE_EXTREME_ROW_AVX2(extreme_row_f64_avx2, double, __m256d, _mm256_loadu_pd, _mm256_set1_pd, _mm256_max_pd, _mm256_min_pd,
                        _mm256_cmp_pd, _mm256_movemask_pd)
static bool fast_extreme(cg_dtype dtype, const void *in, void *values, int64_t *indices, int64_t rows, int64_t len,
                         bool want_max) {
    if (len < 32 || !cg_simd_avx2()) return false;
    for (int64_t r = 0; r < rows; r++) {
        int64_t at;
        if (dtype == CG_FLOAT32) {
            const float *x = (const float *)in + r * len;
            at = extreme_row_f32_avx2(x, len, want_max);
            if (values) ((float *)values)[r] = x[at];
        } else {
            const double *x = (const double *)in + r * len;
            at = extreme_row_f64_avx2(x, len, want_max);
            if (values) ((double *)values)[r] = x[at];
        }
        if (indices) indices[r] = at;
    }
    return true;
}
#define extreme_all_float_pick extreme_all_f32_pick
#define extreme_all_double_pick extreme_all_f64_pick
DEFINE_EXTREME_ALL_AVX2(extreme_all_f32_avx2, float, __m256, _mm256_loadu_ps, _mm256_storeu_ps, _mm256_max_ps,
                        _mm256_min_ps, _mm256_add_ps, UNORD_PS, _mm256_blendv_ps)
DEFINE_EXTREME_ALL_AVX2(extreme_all_f64_avx2, double, __m256d, _mm256_loadu_pd, _mm256_storeu_pd, _mm256_max_pd,
                        _mm256_min_pd, _mm256_add_pd, UNORD_PD, _mm256_blendv_pd)
/* A big max()/min() is taken over chunks on the threads and the chunks' results picked: when
 * the result is neither a zero nor a NaN it is the same value whatever the order (and otherwise
 * the caller folds again in PyTorch's order). */
#define EXTREME_CHUNK 65536

typedef struct {
    cg_dtype dtype;
    const char *in;
    int64_t n;
    bool want_max;
    double *results; /* one per chunk */
} extreme_job;

static double extreme_all_avx2(cg_dtype dtype, const void *in, int64_t n, bool want_max) {
    if (n < 128) return dtype == CG_FLOAT32 ? extreme_all_f32(in, n, want_max) : extreme_all_f64(in, n, want_max);
    return dtype == CG_FLOAT32 ? extreme_all_f32_avx2(in, n, want_max) : extreme_all_f64_avx2(in, n, want_max);
}

static void extreme_chunks(int64_t c0, int64_t c1, void *arg) {
    const extreme_job *j = arg;
    for (int64_t c = c0; c < c1; c++) {
        int64_t at = c * EXTREME_CHUNK, len = j->n - at < EXTREME_CHUNK ? j->n - at : EXTREME_CHUNK;
        j->results[c] = extreme_all_avx2(j->dtype, j->in + at * (int64_t)cg_elsize(j->dtype), len, j->want_max);
    }
}

static double extreme_all_split(cg_dtype dtype, const void *in, int64_t n, bool want_max) {
    int64_t chunks = (n + EXTREME_CHUNK - 1) / EXTREME_CHUNK;
    double *results = chunks > 1 && cg_get_num_threads() > 1 ? malloc((size_t)chunks * sizeof *results) : NULL;
    if (!results) return extreme_all_avx2(dtype, in, n, want_max);
    extreme_job j = {dtype, in, n, want_max, results};
    cg_parallel_for(0, chunks, 1, extreme_chunks, &j);
    double best = results[0];
    for (int64_t c = 1; c < chunks && !isnan(best); c++)
        if (isnan(results[c]) || (want_max ? results[c] > best : results[c] < best)) best = results[c];
    free(results);
    return best;
}

static bool fast_extreme_all(cg_dtype dtype, const void *in, void *value, int64_t n, bool want_max) {
    if (n < 128 || !cg_simd_avx2()) return false;
    double v = extreme_all_split(dtype, in, n, want_max);
    if (v == 0 || isnan(v)) return false;
    if (dtype == CG_FLOAT32) *(float *)value = (float)v;
    else *(double *)value = v;
    return true;
}
#else
static bool fast_extreme_all(cg_dtype dtype, const void *in, void *value, int64_t n, bool want_max) {
    (void)dtype, (void)in, (void)value, (void)n, (void)want_max;
    return false;
}
static bool fast_extreme(cg_dtype dtype, const void *in, void *values, int64_t *indices, int64_t rows, int64_t len,
                         bool want_max) {
    (void)dtype, (void)in, (void)values, (void)indices, (void)rows, (void)len, (void)want_max;
    return false;
}
#endif

void cg_kernel_extreme_all(cg_dtype dtype, const void *in, void *value, int64_t n, bool want_max) {
    if (cg_dtype_is_floating(dtype) && fast_extreme_all(dtype, in, value, n, want_max)) return;
    if (dtype == CG_FLOAT32)
        *(float *)value = extreme_all_f32(in, n, want_max);
    else if (dtype == CG_FLOAT64)
        *(double *)value = extreme_all_f64(in, n, want_max);
    else
        cg_kernel_extreme(dtype, in, value, NULL, 1, n, want_max);
}

static void extreme_rows(cg_dtype dtype, const void *in, void *values, int64_t *indices, int64_t rows, int64_t len,
                         bool want_max) {
    if (cg_dtype_is_floating(dtype) && fast_extreme(dtype, in, values, indices, rows, len, want_max)) return;
    switch (dtype) {
    case CG_FLOAT32: extreme_f32(in, values, indices, rows, len, want_max); break;
    case CG_FLOAT64: extreme_f64(in, values, indices, rows, len, want_max); break;
    case CG_INT64: extreme_i64(in, values, indices, rows, len, want_max); break;
    case CG_BOOL: extreme_bool(in, values, indices, rows, len, want_max); break;
    }
}

/* ---- column sums ---- */

static void sum_columns_i64_rows(const int64_t *in, int64_t *out, int64_t groups, int64_t len, int64_t width) {
    for (int64_t g = 0; g < groups; g++) {
        const int64_t *x = in + g * len * width;
        int64_t *o = out + g * width;
        for (int64_t c = 0; c < width; c++) o[c] = 0;
        for (int64_t l = 0; l < len; l++)
            for (int64_t c = 0; c < width; c++) o[c] = (int64_t)((uint64_t)o[c] + (uint64_t)x[l * width + c]);
    }
}

/* ---- the row kernels split over the threads ----
 * Each result row is computed by one call on its own rows, so cutting the rows anywhere gives the
 * same bits. */

enum { SUM_I64, PROD_I64, VAR, NORM, EXTREME, SUM_COLUMNS_I64 };

typedef struct {
    int kind;
    cg_dtype dtype;
    const char *in;
    char *out;        /* NULL: extreme's values not wanted */
    int64_t *indices; /* extreme's, or NULL */
    int64_t len, correction, width;
    double p;
    bool flag; /* var's take_sqrt, extreme's want_max */
    const double *mean;
    char *mean_out; /* var_mean's */
} rows_job;

static void rows_range(int64_t r0, int64_t r1, void *arg) {
    const rows_job *j = arg;
    int64_t n = r1 - r0, es = j->kind == VAR || j->kind == NORM || j->kind == EXTREME ? (int64_t)cg_elsize(j->dtype) : 8;
    int64_t out_row = j->kind == SUM_COLUMNS_I64 ? j->width * es : es;
    const char *in = j->in + r0 * j->len * (j->kind == SUM_COLUMNS_I64 ? j->width : 1) * es;
    char *out = j->out ? j->out + r0 * out_row : NULL;
    switch (j->kind) {
    case SUM_I64: sum_i64_rows((const int64_t *)in, (int64_t *)out, n, j->len); break;
    case PROD_I64: prod_i64_rows((const int64_t *)in, (int64_t *)out, n, j->len); break;
    case VAR:
        var_rows(j->dtype, in, out, j->mean_out ? j->mean_out + r0 * es : NULL, n, j->len, j->correction, j->flag,
                 j->mean);
        break;
    case NORM: norm_rows(j->dtype, in, out, n, j->len, j->p); break;
    case EXTREME: extreme_rows(j->dtype, in, out, j->indices ? j->indices + r0 : NULL, n, j->len, j->flag); break;
    case SUM_COLUMNS_I64: sum_columns_i64_rows((const int64_t *)in, (int64_t *)out, n, j->len, j->width); break;
    }
}

static void split_rows(rows_job j, int64_t rows) {
    int64_t per_row = j.len * (j.kind == SUM_COLUMNS_I64 ? j.width : 1);
    cg_parallel_for(0, rows, per_row >= CG_GRAIN_SIZE ? 1 : CG_GRAIN_SIZE / (per_row > 0 ? per_row : 1), rows_range, &j);
}

void cg_kernel_sum_i64(const int64_t *in, int64_t *out, int64_t rows, int64_t len) {
    split_rows((rows_job){.kind = SUM_I64, .in = (const char *)in, .out = (char *)out, .len = len}, rows);
}

void cg_kernel_prod_i64(const int64_t *in, int64_t *out, int64_t rows, int64_t len) {
    split_rows((rows_job){.kind = PROD_I64, .in = (const char *)in, .out = (char *)out, .len = len}, rows);
}

void cg_kernel_var(cg_dtype dtype, const void *in, void *out, int64_t rows, int64_t len, int64_t correction,
                   bool take_sqrt, const double *mean) {
    split_rows((rows_job){.kind = VAR, .dtype = dtype, .in = in, .out = out, .len = len, .correction = correction,
                          .flag = take_sqrt, .mean = mean},
               rows);
}

void cg_kernel_var_mean(cg_dtype dtype, const void *in, void *var, void *mean, int64_t rows, int64_t len,
                        int64_t correction, bool take_sqrt) {
    split_rows((rows_job){.kind = VAR, .dtype = dtype, .in = in, .out = var, .mean_out = mean, .len = len,
                          .correction = correction, .flag = take_sqrt},
               rows);
}

void cg_kernel_norm(cg_dtype dtype, const void *in, void *out, int64_t rows, int64_t len, double p) {
    split_rows((rows_job){.kind = NORM, .dtype = dtype, .in = in, .out = out, .len = len, .p = p}, rows);
}

void cg_kernel_extreme(cg_dtype dtype, const void *in, void *values, int64_t *indices, int64_t rows, int64_t len,
                       bool want_max) {
    split_rows((rows_job){.kind = EXTREME, .dtype = dtype, .in = in, .out = values, .indices = indices, .len = len,
                          .flag = want_max},
               rows);
}

void cg_kernel_sum_columns_i64(const int64_t *in, int64_t *out, int64_t groups, int64_t len, int64_t width) {
    split_rows((rows_job){.kind = SUM_COLUMNS_I64, .in = (const char *)in, .out = (char *)out, .len = len, .width = width},
               groups);
}
