#include "backend/cpu/matmul.h"

#include <string.h>

/* Three loop orders, picked from the strides:
 * - rows:  B has contiguous rows. For each block of K, four rows of C at a time take
 *          C[i,:] += A[i,k] * B[k,:]; each row of B is read once for four rows of C, and the inner
 *          loop over contiguous memory is written in fixed chunks of 8 so compilers vectorize it.
 * - axpy:  a matrix-vector product with a column-major A: C += A[:,k] * B[k] down the columns.
 * - dots:  anything else (row-major A times column-major B, vectors): each C[i,j] a dot product.
 * Every C[i,j] is accumulated over k in increasing order in the element type. */

#define K_BLOCK 256 /* rows of B kept hot in cache while a block of C's rows runs over them */
#define CHUNK 8

#define DEFINE_GEMM(suffix, T)                                                                                  \
    /* c0..c3[j] += a0..a3 * b[j]: restrict parameters tell the compiler the rows do not overlap. */          \
    static void update4_##suffix(int64_t n, T a0, T a1, T a2, T a3, const T *restrict b, T *restrict c0,        \
                                 T *restrict c1, T *restrict c2, T *restrict c3) {                              \
        int64_t j = 0;                                                                                          \
        for (; j + CHUNK <= n; j += CHUNK) {                                                                    \
            for (int u = 0; u < CHUNK; u++) {                                                                   \
                T bv = b[j + u];                                                                                \
                c0[j + u] += a0 * bv;                                                                           \
                c1[j + u] += a1 * bv;                                                                           \
                c2[j + u] += a2 * bv;                                                                           \
                c3[j + u] += a3 * bv;                                                                           \
            }                                                                                                   \
        }                                                                                                       \
        for (; j < n; j++) {                                                                                    \
            T bv = b[j];                                                                                        \
            c0[j] += a0 * bv;                                                                                   \
            c1[j] += a1 * bv;                                                                                   \
            c2[j] += a2 * bv;                                                                                   \
            c3[j] += a3 * bv;                                                                                   \
        }                                                                                                       \
    }                                                                                                           \
                                                                                                                \
    static void update1_##suffix(int64_t n, T a0, const T *restrict b, T *restrict c0) {                       \
        int64_t j = 0;                                                                                          \
        for (; j + CHUNK <= n; j += CHUNK)                                                                      \
            for (int u = 0; u < CHUNK; u++) c0[j + u] += a0 * b[j + u];                                         \
        for (; j < n; j++) c0[j] += a0 * b[j];                                                                  \
    }                                                                                                           \
                                                                                                                \
    static void rows_##suffix(int64_t M, int64_t N, int64_t K, const T *a, int64_t ars, int64_t acs,           \
                              const T *b, int64_t brs, T *c) {                                                  \
        memset(c, 0, (size_t)(M * N) * sizeof(T));                                                              \
        for (int64_t k0 = 0; k0 < K; k0 += K_BLOCK) {                                                           \
            int64_t k1 = K - k0 < K_BLOCK ? K : k0 + K_BLOCK;                                                   \
            int64_t i = 0;                                                                                      \
            for (; i + 4 <= M; i += 4) {                                                                        \
                T *ci = c + i * N;                                                                              \
                for (int64_t k = k0; k < k1; k++) {                                                             \
                    const T *ak = a + i * ars + k * acs;                                                        \
                    update4_##suffix(N, ak[0], ak[ars], ak[2 * ars], ak[3 * ars], b + k * brs, ci, ci + N,      \
                                     ci + 2 * N, ci + 3 * N);                                                   \
                }                                                                                               \
            }                                                                                                   \
            for (; i < M; i++)                                                                                  \
                for (int64_t k = k0; k < k1; k++) update1_##suffix(N, a[i * ars + k * acs], b + k * brs, c + i * N); \
        }                                                                                                       \
    }                                                                                                           \
                                                                                                                \
    static void axpy_##suffix(int64_t M, int64_t K, const T *a, int64_t acs, const T *b, int64_t brs,           \
                              T *restrict c) {                                                                  \
        memset(c, 0, (size_t)M * sizeof(T));                                                                    \
        for (int64_t k = 0; k < K; k++) {                                                                       \
            const T *restrict ak = a + k * acs;                                                                 \
            T bk = b[k * brs];                                                                                  \
            for (int64_t i = 0; i < M; i++) c[i] += ak[i] * bk;                                                 \
        }                                                                                                       \
    }                                                                                                           \
                                                                                                                \
    static void dots_##suffix(int64_t M, int64_t N, int64_t K, const T *a, int64_t ars, int64_t acs,           \
                              const T *b, int64_t brs, int64_t bcs, T *c) {                                     \
        for (int64_t i = 0; i < M; i++) {                                                                       \
            for (int64_t j = 0; j < N; j++) {                                                                   \
                const T *ai = a + i * ars, *bj = b + j * bcs;                                                   \
                T acc = 0;                                                                                      \
                for (int64_t k = 0; k < K; k++) acc += ai[k * acs] * bj[k * brs];                               \
                c[i * N + j] = acc;                                                                             \
            }                                                                                                   \
        }                                                                                                       \
    }                                                                                                           \
                                                                                                                \
    static void gemm_##suffix(int64_t M, int64_t N, int64_t K, const T *a, int64_t ars, int64_t acs,           \
                              const T *b, int64_t brs, int64_t bcs, T *c) {                                     \
        if (N == 1 && ars == 1 && M > 1)                                                                        \
            axpy_##suffix(M, K, a, acs, b, brs, c);                                                             \
        else if (bcs == 1 && N > 1)                                                                             \
            rows_##suffix(M, N, K, a, ars, acs, b, brs, c);                                                     \
        else                                                                                                    \
            dots_##suffix(M, N, K, a, ars, acs, b, brs, bcs, c);                                                \
    }

DEFINE_GEMM(f32, float)
DEFINE_GEMM(f64, double)
/* int64 through unsigned arithmetic: overflow wraps (as in PyTorch) instead of being undefined. */
DEFINE_GEMM(u64, uint64_t)

void cg_kernel_gemm(cg_dtype dtype, int64_t M, int64_t N, int64_t K, const void *a, int64_t a_row_stride,
                    int64_t a_col_stride, const void *b, int64_t b_row_stride, int64_t b_col_stride, void *c) {
    if (M == 0 || N == 0) return;
    switch (dtype) {
    case CG_FLOAT32: gemm_f32(M, N, K, a, a_row_stride, a_col_stride, b, b_row_stride, b_col_stride, c); break;
    case CG_FLOAT64: gemm_f64(M, N, K, a, a_row_stride, a_col_stride, b, b_row_stride, b_col_stride, c); break;
    case CG_INT64: gemm_u64(M, N, K, a, a_row_stride, a_col_stride, b, b_row_stride, b_col_stride, c); break;
    case CG_BOOL: break; /* the ops reject bool, as PyTorch does */
    }
}
