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
