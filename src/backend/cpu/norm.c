/* layer_norm as PyTorch 1.13's CPU kernel computes it.
 *
 * Each row's mean and variance come from RowwiseMoments: the row is read as vectors of L lanes
 * (AVX2: 8 float32 or 4 float64); chunks of 16 vectors run Welford's update per lane (the running
 * mean moves by delta * (1 / (j + 1))), chunk results are merged pairwise in a cascade (a stack
 * indexed by the trailing zero bits of the chunk count), the elements after the last whole vector
 * run a scalar Welford, and the L lanes are merged into it last. Then rstd = 1 / sqrt(var + eps)
 * and y = (x * rstd + (-rstd * mean)) * weight + bias. In PyTorch's build nothing in the moments is
 * fused, while both steps of y are fused multiply-adds: fma() does them here (this file, as all, is
 * built with -ffp-contract=off). Checked bit for bit against PyTorch (tools/gen_norm.py). Rows are
 * independent. */
#include "backend/cpu/norm.h"
#include "backend/cpu/parallel.h"

#include <math.h>

#define CHUNK 16

#define DEFINE_LAYER_NORM(S, T, L, FMA, SQRT)                                                          \
    /* AddMoments: merges (n_add, m1_add, m2_add) into (*n, *m1, *m2) */                            \
    static inline void S##_merge(int64_t n_add, T m1_add, T m2_add, int64_t *n, T *m1, T *m2) {      \
        int64_t total = *n + n_add;                                                                  \
        T c = total == 0 ? (T)0 : (T)n_add / (T)total;                                               \
        T delta = m1_add - *m1;                                                                      \
        *m1 += c * delta;                                                                    \
        *m2 += m2_add + delta * delta * c * (T)*n;                                           \
        *n = total;                                                                                  \
    }                                                                                                \
    static void S##_moments(const T *x, int64_t N, T *mean, T *var) {                                \
        int64_t nvec = N / L, chunks = (nvec + CHUNK - 1) / CHUNK, depth = 0;                        \
        while (((int64_t)1 << depth) < chunks) depth++;                                              \
        int64_t n_stk[64] = {0};                                                                     \
        T m1_stk[64][L], m2_stk[64][L];                                                              \
        for (int64_t d = 0; d < (depth ? depth : 1); d++)                                            \
            for (int l = 0; l < L; l++) m1_stk[d][l] = m2_stk[d][l] = 0;                             \
        for (int64_t i = 0; i < chunks; i++) {                                                       \
            const T *p = x + i * CHUNK * L;                                                          \
            int64_t m0 = nvec - i * CHUNK < CHUNK ? nvec - i * CHUNK : CHUNK;                        \
            T m1[L] = {0}, m2[L] = {0};                                                              \
            for (int64_t j = 0; j < m0; j++) {                                                       \
                T c = (T)1 / (T)(j + 1);                                                             \
                for (int l = 0; l < L; l++) {                                                        \
                    T v = p[j * L + l], delta = v - m1[l];                                           \
                    m1[l] += delta * c;                                                    \
                    m2[l] += delta * (v - m1[l]);                                            \
                }                                                                                    \
            }                                                                                        \
            /* the vector merge: one count for all lanes */                                          \
            int64_t n0 = n_stk[0];                                                                   \
            for (int l = 0; l < L; l++) {                                                            \
                int64_t nn = n0;                                                                     \
                S##_merge(m0, m1[l], m2[l], &nn, &m1_stk[0][l], &m2_stk[0][l]);                      \
            }                                                                                        \
            n_stk[0] = n0 + m0;                                                                      \
            int64_t mask = i + 1;                                                                    \
            for (int64_t d = 1; d < depth && (mask & 1) == 0; d++) {                                 \
                int64_t nd = n_stk[d];                                                               \
                for (int l = 0; l < L; l++) {                                                        \
                    int64_t nn = nd;                                                                 \
                    S##_merge(n_stk[d - 1], m1_stk[d - 1][l], m2_stk[d - 1][l], &nn, &m1_stk[d][l],   \
                              &m2_stk[d][l]);                                                        \
                    m1_stk[d - 1][l] = m2_stk[d - 1][l] = 0;                                         \
                }                                                                                    \
                n_stk[d] = nd + n_stk[d - 1];                                                        \
                n_stk[d - 1] = 0;                                                                    \
                mask >>= 1;                                                                          \
            }                                                                                        \
        }                                                                                            \
        for (int64_t d = 1; d < depth; d++) {                                                        \
            int64_t n0 = n_stk[0];                                                                   \
            for (int l = 0; l < L; l++) {                                                            \
                int64_t nn = n0;                                                                     \
                S##_merge(n_stk[d], m1_stk[d][l], m2_stk[d][l], &nn, &m1_stk[0][l], &m2_stk[0][l]);   \
            }                                                                                        \
            n_stk[0] = n0 + n_stk[d];                                                                \
        }                                                                                            \
        int64_t n = 0;                                                                               \
        T m1 = 0, m2 = 0;                                                                            \
        for (int64_t i = nvec * L; i < N; i++) {                                                     \
            T delta = x[i] - m1;                                                                     \
            n++;                                                                                     \
            m1 += delta / (T)n;                                                                      \
            m2 += delta * (x[i] - m1);                                                          \
        }                                                                                            \
        for (int l = 0; l < L; l++) S##_merge(nvec, m1_stk[0][l], m2_stk[0][l], &n, &m1, &m2);       \
        *mean = m1;                                                                                  \
        *var = m2 / (T)N;                                                                            \
    }                                                                                                \
    static void S##_layer_norm(T *y, const T *x, const T *w, const T *b, int64_t lo, int64_t hi, int64_t N, \
                               T eps) {                                                              \
        for (int64_t i = lo; i < hi; i++) {                                                          \
            T mean, var;                                                                             \
            S##_moments(x + i * N, N, &mean, &var);                                                  \
            T rstd = (T)1 / SQRT(var + eps), shift = -rstd * mean;                                   \
            const T *xr = x + i * N;                                                                 \
            T *yr = y + i * N;                                                                       \
            for (int64_t j = 0; j < N; j++)                                                          \
                yr[j] = FMA(FMA(xr[j], rstd, shift), w ? w[j] : (T)1, b ? b[j] : (T)0);              \
        }                                                                                            \
    }

DEFINE_LAYER_NORM(f32, float, 8, fmaf, sqrtf)
DEFINE_LAYER_NORM(f64, double, 4, fma, sqrt)

typedef struct {
    cg_tensor *out;
    const cg_tensor *x, *w, *b;
    int64_t N;
    double eps;
} rows_job;

static const void *data_or_null(const cg_tensor *t) { return t ? (const void *)cg_tensor_data(t) : NULL; }

static void rows(int64_t lo, int64_t hi, void *arg) {
    rows_job *j = arg;
    void *y = cg_tensor_data(j->out);
    const void *x = cg_tensor_data(j->x), *w = data_or_null(j->w), *b = data_or_null(j->b);
    if (j->x->dtype == CG_FLOAT32)
        f32_layer_norm(y, x, w, b, lo, hi, j->N, (float)j->eps);
    else
        f64_layer_norm(y, x, w, b, lo, hi, j->N, j->eps);
}

void cg_kernel_layer_norm(cg_tensor *out, const cg_tensor *x, const cg_tensor *weight, const cg_tensor *bias,
                          int64_t M, int64_t N, double eps) {
    rows_job j = {out, x, weight, bias, N, eps};
    cg_parallel_for(0, M, 1, rows, &j);
}

/* ---- batch_norm ----
 *
 * PyTorch 1.13's CPU kernel at one thread (batch_norm_kernel.cpp and Normalization.cpp), with x seen
 * as (N, C, S). The statistics of a channel: when S == 1 (the channels-last loop) a running sum of
 * x in x's dtype, mean = (double)sum / count, then a running sum of (x - mean)^2 in x's dtype, each
 * step one fused multiply-add (gcc contracts that vector loop); when S > 1 double sums, the square
 * rounded to x's dtype before it is added, except that gcc unrolled the float64 loop by two and its
 * odd last element of each row is a fused multiply-add. var = var_sum / count in x's dtype and
 * invstd = 1 / sqrt((double)var + eps). The running statistics: running_mean = m * mean + (1 - m) *
 * running_mean in x's dtype (m the momentum in it), running_var = (double)m * unbiased +
 * (double)((1 - m) * running_var), unbiased = var_sum / (count - 1) in x's dtype. In evaluation,
 * invstd = 1 / sqrt(running_var + eps) in x's dtype. The output is fma(x, alpha, beta) with alpha =
 * invstd * weight and beta = fma(-mean, alpha, bias), both fused as gcc contracts them. */

#define DEFINE_BATCH_NORM(S, T, FMA, SQRT)                                                            \
    static void S##_bn_stats(const T *x, int64_t N, int64_t C, int64_t HW, int64_t c, T *mean, T *var_sum) { \
        int64_t count = N * HW;                                                                      \
        if (HW == 1) {                                                                               \
            T sum = 0, vs = 0;                                                                       \
            for (int64_t n = 0; n < N; n++) sum += x[n * C + c];                                     \
            T m = (T)((double)sum / (double)count);                                                  \
            for (int64_t n = 0; n < N; n++) {                                                        \
                T d = x[n * C + c] - m;                                                              \
                vs = FMA(d, d, vs);                                                                  \
            }                                                                                        \
            *mean = m, *var_sum = vs;                                                                \
            return;                                                                                  \
        }                                                                                            \
        double sum = 0, vs = 0;                                                                      \
        for (int64_t n = 0; n < N; n++)                                                              \
            for (int64_t i = 0; i < HW; i++) sum += x[(n * C + c) * HW + i];                         \
        T m = (T)(sum / (double)count);                                                              \
        for (int64_t n = 0; n < N; n++)                                                              \
            for (int64_t i = 0; i < HW; i++) {                                                       \
                T d = x[(n * C + c) * HW + i] - m;                                                   \
                if (sizeof(T) == 8 && HW % 2 == 1 && i == HW - 1)                                    \
                    vs = fma((double)d, (double)d, vs);                                              \
                else                                                                                 \
                    vs += (double)(T)(d * d);                                                        \
            }                                                                                        \
        *mean = m, *var_sum = (T)vs;                                                                 \
    }                                                                                                \
    static void S##_bn_channel(const bn_job *j, int64_t c) {                                         \
        const T *x = (const T *)cg_tensor_data(j->x);                                                           \
        T *mean = (T *)cg_tensor_data(j->mean), *invstd = (T *)cg_tensor_data(j->invstd);                      \
        T *rm = j->running_mean ? (T *)cg_tensor_data(j->running_mean) : NULL;                       \
        T *rv = j->running_var ? (T *)cg_tensor_data(j->running_var) : NULL;                         \
        if (j->training) {                                                                           \
            T vs, count = (T)(j->N * j->HW), count1 = (T)(j->N * j->HW - 1), m = (T)j->momentum;                                     \
            S##_bn_stats(x, j->N, j->C, j->HW, c, &mean[c], &vs);                                    \
            T var = vs / count;                                                                      \
            invstd[c] = var == 0 && j->eps == 0 ? (T)0 : (T)(1 / sqrt((double)var + j->eps));       \
            if (rm) rm[c] = m * mean[c] + (1 - m) * rm[c];                                           \
            if (rv) rv[c] = (T)((double)m * (double)(vs / count1) + (double)((1 - m) * rv[c])); \
        } else {                                                                                     \
            mean[c] = rm[c];                                                                         \
            invstd[c] = (T)1 / SQRT(rv[c] + (T)j->eps);                                              \
        }                                                                                            \
    }                                                                                                \
    static void S##_bn_rows(const bn_job *j, int64_t lo, int64_t hi) {                               \
        const T *x = (const T *)cg_tensor_data(j->x), *mean = (const T *)cg_tensor_data(j->mean);                          \
        const T *invstd = (const T *)cg_tensor_data(j->invstd);                                                 \
        const T *w = j->weight ? (const T *)cg_tensor_data(j->weight) : NULL;                        \
        const T *b = j->bias ? (const T *)cg_tensor_data(j->bias) : NULL;                            \
        T *y = (T *)cg_tensor_data(j->out);                                                               \
        for (int64_t r = lo; r < hi; r++) {                                                          \
            int64_t c = r % j->C;                                                                    \
            T alpha = invstd[c] * (w ? w[c] : (T)1);                                                 \
            T beta = FMA(-mean[c], alpha, b ? b[c] : (T)0);                                          \
            for (int64_t i = r * j->HW; i < (r + 1) * j->HW; i++) y[i] = FMA(x[i], alpha, beta);     \
        }                                                                                            \
    }

typedef struct {
    cg_tensor *out, *mean, *invstd, *running_mean, *running_var;
    const cg_tensor *x, *weight, *bias;
    int64_t N, C, HW;
    bool training;
    double momentum, eps;
} bn_job;

DEFINE_BATCH_NORM(f32, float, fmaf, sqrtf)
DEFINE_BATCH_NORM(f64, double, fma, sqrt)

static void bn_channels(int64_t lo, int64_t hi, void *arg) {
    const bn_job *j = arg;
    for (int64_t c = lo; c < hi; c++) {
        if (j->x->dtype == CG_FLOAT32)
            f32_bn_channel(j, c);
        else
            f64_bn_channel(j, c);
    }
}

static void bn_rows(int64_t lo, int64_t hi, void *arg) {
    const bn_job *j = arg;
    if (j->x->dtype == CG_FLOAT32)
        f32_bn_rows(j, lo, hi);
    else
        f64_bn_rows(j, lo, hi);
}

void cg_kernel_batch_norm(cg_tensor *out, cg_tensor *mean, cg_tensor *invstd, const cg_tensor *x,
                          const cg_tensor *weight, const cg_tensor *bias, cg_tensor *running_mean,
                          cg_tensor *running_var, bool training, double momentum, double eps) {
    int64_t N = x->sizes[0], C = x->sizes[1], HW = N * C != 0 ? x->numel / (N * C) : 0;
    bn_job j = {out, mean, invstd, running_mean, running_var, x, weight, bias, N, C, HW, training, momentum, eps};
    cg_parallel_for(0, C, 1, bn_channels, &j);
    int64_t grain = HW ? CG_GRAIN_SIZE / HW + 1 : 1;
    cg_parallel_for(0, N * C, grain, bn_rows, &j);
}

/* ---- group_norm ----
 *
 * PyTorch 1.13's GroupNormKernelImplInternal (contiguous input): each (sample, group) row of
 * D = C / G channels by HxW is one RowwiseMoments (as layer_norm's), rstd = 1 / sqrt(max(var, 0) +
 * eps) in the input's dtype (std::max(var, 0) is var when var is NaN: an overflowed moment); without weight and bias y = (x - mean) * rstd, otherwise per channel
 * scale = rstd * weight, shift = -scale * mean + bias (not fused) and y = fma(scale, x, shift), the
 * multiply-add fused as gcc contracts that loop in PyTorch's build. */

#define DEFINE_GROUP_NORM(S, T, FMA, SQRT)                                                            \
    static void S##_group_norm(const gn_job *j, int64_t i) {                                         \
        int64_t D = j->C / j->G, inner = D * j->HW;                                                  \
        const T *x = (const T *)cg_tensor_data(j->x) + i * inner;                                    \
        const T *w = j->weight ? (const T *)cg_tensor_data(j->weight) : NULL;                        \
        const T *b = j->bias ? (const T *)cg_tensor_data(j->bias) : NULL;                            \
        T *y = (T *)cg_tensor_data(j->out) + i * inner;                                              \
        T mean, var;                                                                                 \
        S##_moments(x, inner, &mean, &var);                                                          \
        T rstd = (T)1 / SQRT((var < 0 ? (T)0 : var) + (T)j->eps); /* std::max keeps a NaN */       \
        if (!w && !b) {                                                                              \
            for (int64_t k = 0; k < inner; k++) y[k] = (x[k] - mean) * rstd;                         \
            return;                                                                                  \
        }                                                                                            \
        for (int64_t d = 0; d < D; d++) {                                                            \
            int64_t c = i % j->G * D + d;                                                            \
            T scale = rstd * (w ? w[c] : (T)1), shift = -scale * mean + (b ? b[c] : (T)0);          \
            for (int64_t k = d * j->HW; k < (d + 1) * j->HW; k++) y[k] = FMA(scale, x[k], shift);    \
        }                                                                                            \
    }

typedef struct {
    cg_tensor *out;
    const cg_tensor *x, *weight, *bias;
    int64_t C, HW, G;
    double eps;
} gn_job;

DEFINE_GROUP_NORM(f32, float, fmaf, sqrtf)
DEFINE_GROUP_NORM(f64, double, fma, sqrt)

static void gn_rows(int64_t lo, int64_t hi, void *arg) {
    const gn_job *j = arg;
    for (int64_t i = lo; i < hi; i++) {
        if (j->x->dtype == CG_FLOAT32)
            f32_group_norm(j, i);
        else
            f64_group_norm(j, i);
    }
}

void cg_kernel_group_norm(cg_tensor *out, const cg_tensor *x, const cg_tensor *weight, const cg_tensor *bias,
                          int64_t N, int64_t C, int64_t HW, int64_t G, double eps) {
    gn_job j = {out, x, weight, bias, C, HW, G, eps};
    cg_parallel_for(0, N * G, 1, gn_rows, &j);
}
