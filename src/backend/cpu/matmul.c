#include "backend/cpu/matmul.h"

#include <limits.h>
#include <string.h>

#ifdef CG_HAVE_BLAS
#include <cblas.h>
#endif

#define MAX1(x) ((x) > 1 ? (x) : 1)

/* ---- the portable loops ----
 *
 * Three loop orders for C += alpha A @ B, picked from the strides:
 * - rows:  B has contiguous rows. For each block of K, four rows of C at a time take
 *          C[i,:] += A[i,k] * B[k,:]; each row of B is read once for four rows of C, and the inner
 *          loop over contiguous memory is written in fixed chunks of 8 so compilers vectorize it.
 * - axpy:  a matrix-vector product with a column-major A: C += A[:,k] * B[k] down the columns.
 * - dots:  anything else (row-major A times column-major B, vectors): each C[i,j] a dot product.
 * Every C[i,j] is accumulated over k in increasing order in the element type. */

#define K_BLOCK 256 /* rows of B kept hot in cache while a block of C's rows runs over them */
#define CHUNK 8

#define DEFINE_GEMM(suffix, T, ATTR)                                                                                  \
    /* c0..c3[j] += a0..a3 * b[j]: restrict parameters tell the compiler the rows do not overlap. */          \
    ATTR static void update4_##suffix(int64_t n, T a0, T a1, T a2, T a3, const T *restrict b, T *restrict c0,        \
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
    ATTR static void update1_##suffix(int64_t n, T a0, const T *restrict b, T *restrict c0) {                       \
        int64_t j = 0;                                                                                          \
        for (; j + CHUNK <= n; j += CHUNK)                                                                      \
            for (int u = 0; u < CHUNK; u++) c0[j + u] += a0 * b[j + u];                                         \
        for (; j < n; j++) c0[j] += a0 * b[j];                                                                  \
    }                                                                                                           \
                                                                                                                \
    ATTR static void rows_##suffix(int64_t M, int64_t N, int64_t K, T alpha, const T *a, int64_t ars, int64_t acs,  \
                              const T *b, int64_t brs, T *c) {                                                  \
        for (int64_t k0 = 0; k0 < K; k0 += K_BLOCK) {                                                           \
            int64_t k1 = K - k0 < K_BLOCK ? K : k0 + K_BLOCK;                                                   \
            int64_t i = 0;                                                                                      \
            for (; i + 4 <= M; i += 4) {                                                                        \
                T *ci = c + i * N;                                                                              \
                for (int64_t k = k0; k < k1; k++) {                                                             \
                    const T *ak = a + i * ars + k * acs;                                                        \
                    update4_##suffix(N, alpha * ak[0], alpha * ak[ars], alpha * ak[2 * ars],                    \
                                     alpha * ak[3 * ars], b + k * brs, ci, ci + N, ci + 2 * N, ci + 3 * N);     \
                }                                                                                               \
            }                                                                                                   \
            for (; i < M; i++)                                                                                  \
                for (int64_t k = k0; k < k1; k++)                                                               \
                    update1_##suffix(N, alpha * a[i * ars + k * acs], b + k * brs, c + i * N);                  \
        }                                                                                                       \
    }                                                                                                           \
                                                                                                                \
    ATTR static void axpy_##suffix(int64_t M, int64_t K, T alpha, const T *a, int64_t acs, const T *b, int64_t brs,  \
                              T *restrict c) {                                                                  \
        for (int64_t k = 0; k < K; k++) {                                                                       \
            const T *restrict ak = a + k * acs;                                                                 \
            T bk = alpha * b[k * brs];                                                                          \
            for (int64_t i = 0; i < M; i++) c[i] += ak[i] * bk;                                                 \
        }                                                                                                       \
    }                                                                                                           \
                                                                                                                \
    ATTR static void dots_##suffix(int64_t M, int64_t N, int64_t K, T alpha, const T *a, int64_t ars, int64_t acs,  \
                              const T *b, int64_t brs, int64_t bcs, T *c) {                                     \
        for (int64_t i = 0; i < M; i++) {                                                                       \
            for (int64_t j = 0; j < N; j++) {                                                                   \
                const T *ai = a + i * ars, *bj = b + j * bcs;                                                   \
                T acc = 0;                                                                                      \
                for (int64_t k = 0; k < K; k++) acc += ai[k * acs] * bj[k * brs];                               \
                c[i * N + j] += alpha * acc;                                                                    \
            }                                                                                                   \
        }                                                                                                       \
    }                                                                                                           \
                                                                                                                \
    /* C = beta C first (0 without reading it), then the product accumulates into it. */                      \
    ATTR static void portable_addmm_##suffix(int64_t M, int64_t N, int64_t K, T alpha, const T *a, int64_t ars,      \
                                        int64_t acs, const T *b, int64_t brs, int64_t bcs, T beta, T *c) {      \
        if (beta == 0)                                                                                          \
            memset(c, 0, (size_t)(M * N) * sizeof(T));                                                          \
        else if (beta != 1)                                                                                     \
            for (int64_t i = 0; i < M * N; i++) c[i] *= beta;                                                   \
        if (N == 1 && ars == 1 && M > 1)                                                                        \
            axpy_##suffix(M, K, alpha, a, acs, b, brs, c);                                                      \
        else if (bcs == 1 && N > 1)                                                                             \
            rows_##suffix(M, N, K, alpha, a, ars, acs, b, brs, c);                                              \
        else                                                                                                    \
            dots_##suffix(M, N, K, alpha, a, ars, acs, b, brs, bcs, c);                                         \
    }                                                                                                           \
                                                                                                                \
    ATTR static void small_##suffix(int64_t M, int64_t N, int64_t K, const T *a, int64_t ars, int64_t acs,          \
                               const T *b, int64_t brs, int64_t bcs, T *c) {                                    \
        for (int64_t i = 0; i < M; i++)                                                                         \
            for (int64_t j = 0; j < N; j++) {                                                                   \
                T acc = 0;                                                                                      \
                for (int64_t k = 0; k < K; k++) acc += a[i * ars + k * acs] * b[k * brs + j * bcs];             \
                c[i * N + j] = acc;                                                                             \
            }                                                                                                   \
    }                                                                                                           \
                                                                                                                \
    /* PyTorch's own gemv loops (BLAS cannot take a vector of stride 0): y[i] as a dot product     \
     * along A's rows ('t'), or A's columns scaled and added down y ('n'). */                                   \
    ATTR static void portable_gemv_##suffix(bool columns, int64_t M, int64_t N, const T *a, int64_t ars,             \
                                       int64_t acs, const T *x, int64_t incx, T *y) {                           \
        if (!columns) {                                                                                         \
            for (int64_t i = 0; i < M; i++) {                                                                   \
                T sum = 0;                                                                                      \
                for (int64_t j = 0; j < N; j++) sum += x[j * incx] * a[i * ars + j * acs];                      \
                y[i] = sum;                                                                                     \
            }                                                                                                   \
            return;                                                                                             \
        }                                                                                                       \
        memset(y, 0, (size_t)M * sizeof(T));                                                                    \
        for (int64_t j = 0; j < N; j++) {                                                                       \
            T z = x[j * incx];                                                                                  \
            for (int64_t i = 0; i < M; i++) y[i] += z * a[i * ars + j * acs];                                   \
        }                                                                                                       \
    }                                                                                                           \
                                                                                                                \
    ATTR static T portable_dot_##suffix(int64_t n, const T *x, int64_t incx, const T *y, int64_t incy) {             \
        T sum = 0;                                                                                              \
        for (int64_t i = 0; i < n; i++) sum += x[i * incx] * y[i * incy];                                       \
        return sum;                                                                                             \
    }

DEFINE_GEMM(f32, float, )
DEFINE_GEMM(f64, double, )
/* int64 through unsigned arithmetic: overflow wraps (as in PyTorch) instead of being undefined. */
DEFINE_GEMM(u64, uint64_t, )

/* The float loops again for CPUs with AVX2, chosen at run time (only their gemm is used): the
 * same multiplications and additions (no fma: -ffp-contract=off holds here too), so the same bits,
 * 8 floats a vector (512 x 512 float32: ~25 -> ~37 GFLOP/s without BLAS). */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define HAVE_AVX2_LOOPS 1
DEFINE_GEMM(f32_avx2, float, __attribute__((target("avx2"), unused)))
DEFINE_GEMM(f64_avx2, double, __attribute__((target("avx2"), unused)))
static bool avx2(void) { return __builtin_cpu_supports("avx2"); }
#endif

#ifdef CG_HAVE_BLAS
/* ---- PyTorch's mapping onto column-major BLAS ----
 *
 * A row-major M x N result C is, to column-major BLAS, the N x M matrix C^T = B^T A^T, so PyTorch's
 * addmm passes B as BLAS's A and A as BLAS's B (except for a one-column C, which is both row- and
 * column-major: then A stays A). A BLAS operand of rows x cols with strides (rs along rows, cs
 * along cols) goes untransposed when rs is 1, transposed when cs is 1, each when the other stride
 * is a valid leading dimension; otherwise PyTorch copies it. */

typedef struct {
    bool ok, trans;
    int64_t ld;
} blas_operand;

static blas_operand blas_view(int64_t rows, int64_t cols, int64_t rs, int64_t cs) {
    if (rs == 1 && cs >= MAX1(rows)) return (blas_operand){true, false, cs};
    if (cs == 1 && rs >= MAX1(cols)) return (blas_operand){true, true, rs};
    return (blas_operand){false, false, 0};
}

/* The column-major problem: op(A) is m x k, op(B) is k x n, C is m x n with leading dim ldc. */
typedef struct {
    int64_t m, n, k, ldc;
    blas_operand a, b;
    bool swapped; /* BLAS's A is our B */
} blas_problem;

static blas_problem blas_map(int64_t M, int64_t N, int64_t K, int64_t ars, int64_t acs, int64_t brs,
                             int64_t bcs) {
    blas_problem p;
    p.swapped = N != 1;
    if (p.swapped) {
        p.m = N, p.n = M, p.k = K, p.ldc = N;
        p.a = blas_view(N, K, bcs, brs);
        p.b = blas_view(K, M, acs, ars);
    } else {
        p.m = M, p.n = 1, p.k = K, p.ldc = 1;
        p.a = blas_view(M, K, ars, acs);
        p.b = blas_view(K, 1, brs, bcs);
    }
    /* PyTorch's normalize_last_dims: leading dims of size-1 dims that BLAS checks but never uses */
    if (p.n == 1) p.ldc = p.m;
    if (p.a.trans) {
        if (p.m == 1) p.a.ld = p.k;
    } else if (p.k == 1) {
        p.a.ld = p.m;
    }
    if (p.b.trans) {
        if (p.k == 1) p.b.ld = p.n;
    } else if (p.n == 1) {
        p.b.ld = p.k;
    }
    return p;
}

/* PyTorch's use_blas_gemm: what fits BLAS's int arguments and its leading-dimension rules. */
static bool blas_fits(const blas_problem *p) {
    return p->a.ok && p->b.ok && p->m <= INT_MAX && p->n <= INT_MAX && p->k <= INT_MAX && p->a.ld <= INT_MAX &&
           p->b.ld <= INT_MAX && p->ldc <= INT_MAX && p->a.ld >= MAX1(p->a.trans ? p->k : p->m) &&
           p->b.ld >= MAX1(p->b.trans ? p->n : p->k) && p->ldc >= MAX1(p->m);
}

#define TRANS(op) ((op).trans ? CblasTrans : CblasNoTrans)
#endif

bool cg_kernel_gemm_takes(int64_t M, int64_t N, int64_t K, bool left, int64_t row_stride, int64_t col_stride) {
#ifdef CG_HAVE_BLAS
    blas_problem p = left ? blas_map(M, N, K, row_stride, col_stride, 1, MAX1(K))
                          : blas_map(M, N, K, MAX1(K), 1, row_stride, col_stride);
    return left == p.swapped ? p.b.ok : p.a.ok;
#else
    /* The portable loops take any strides; the fast one streams B's contiguous rows. */
    int64_t rows = left ? M : K, cols = left ? K : N;
    if (rows <= 1 || cols <= 1 || col_stride == 1) return true;
    return left && row_stride == 1;
#endif
}

void cg_kernel_addmm(cg_dtype dtype, int64_t M, int64_t N, int64_t K, double alpha, const void *a, int64_t ars,
                     int64_t acs, const void *b, int64_t brs, int64_t bcs, double beta, void *c) {
    if (M == 0 || N == 0) return;
#ifdef CG_HAVE_BLAS
    blas_problem p = blas_map(M, N, K, ars, acs, brs, bcs);
    if (K > 0 && (dtype == CG_FLOAT32 || dtype == CG_FLOAT64) && blas_fits(&p)) {
        const void *pa = p.swapped ? b : a, *pb = p.swapped ? a : b;
        if (dtype == CG_FLOAT32)
            cblas_sgemm(CblasColMajor, TRANS(p.a), TRANS(p.b), (int)p.m, (int)p.n, (int)p.k, (float)alpha, pa,
                        (int)p.a.ld, pb, (int)p.b.ld, (float)beta, c, (int)p.ldc);
        else
            cblas_dgemm(CblasColMajor, TRANS(p.a), TRANS(p.b), (int)p.m, (int)p.n, (int)p.k, alpha, pa,
                        (int)p.a.ld, pb, (int)p.b.ld, beta, c, (int)p.ldc);
        return;
    }
#endif
#ifdef HAVE_AVX2_LOOPS
    if (dtype == CG_FLOAT32 && avx2()) {
        portable_addmm_f32_avx2(M, N, K, (float)alpha, a, ars, acs, b, brs, bcs, (float)beta, c);
        return;
    }
    if (dtype == CG_FLOAT64 && avx2()) {
        portable_addmm_f64_avx2(M, N, K, alpha, a, ars, acs, b, brs, bcs, beta, c);
        return;
    }
#endif
    switch (dtype) {
    case CG_FLOAT32:
        portable_addmm_f32(M, N, K, (float)alpha, a, ars, acs, b, brs, bcs, (float)beta, c);
        break;
    case CG_FLOAT64: portable_addmm_f64(M, N, K, alpha, a, ars, acs, b, brs, bcs, beta, c); break;
    case CG_INT64:
        portable_addmm_u64(M, N, K, (uint64_t)(int64_t)alpha, a, ars, acs, b, brs, bcs, (uint64_t)(int64_t)beta, c);
        break;
    case CG_BOOL: break; /* the ops reject bool, as PyTorch does */
    }
}

void cg_kernel_gemm(cg_dtype dtype, int64_t M, int64_t N, int64_t K, const void *a, int64_t ars, int64_t acs,
                    const void *b, int64_t brs, int64_t bcs, void *c) {
    cg_kernel_addmm(dtype, M, N, K, 1, a, ars, acs, b, brs, bcs, 0, c);
}

void cg_kernel_gemm_small(cg_dtype dtype, int64_t M, int64_t N, int64_t K, const void *a, int64_t ars, int64_t acs,
                          const void *b, int64_t brs, int64_t bcs, void *c) {
    switch (dtype) {
    case CG_FLOAT32: small_f32(M, N, K, a, ars, acs, b, brs, bcs, c); break;
    case CG_FLOAT64: small_f64(M, N, K, a, ars, acs, b, brs, bcs, c); break;
    case CG_INT64: small_u64(M, N, K, a, ars, acs, b, brs, bcs, c); break;
    case CG_BOOL: break;
    }
}

/* ---- matrix-vector and dot products ---- */

/* PyTorch's addmv: a matrix with unit row stride is column-major to BLAS ('n'); one with unit
 * column stride is its transpose ('t', with rows and columns swapped). */
typedef struct {
    bool ok, columns;
    int64_t m, n, lda;
} gemv_problem;

static gemv_problem gemv_map(int64_t M, int64_t N, int64_t rs, int64_t cs) {
    gemv_problem p = {false, false, 0, 0, 0};
    if (rs == 1 && (N == 1 || cs >= MAX1(M)))
        p = (gemv_problem){true, true, M, N, cs};
    else if (cs == 1 && (M == 1 || rs >= MAX1(N)))
        p = (gemv_problem){true, false, N, M, rs};
    if (p.n == 1) p.lda = p.m;
    return p;
}

bool cg_kernel_gemv_takes(int64_t M, int64_t N, int64_t row_stride, int64_t col_stride) {
    return gemv_map(M, N, row_stride, col_stride).ok;
}

void cg_kernel_gemv(cg_dtype dtype, int64_t M, int64_t N, const void *a, int64_t ars, int64_t acs, const void *x,
                    int64_t incx, void *y) {
    if (M == 0) return;
    gemv_problem p = gemv_map(M, N, ars, acs);
#ifdef CG_HAVE_BLAS
    if (p.ok && N > 0 && incx > 0 && (dtype == CG_FLOAT32 || dtype == CG_FLOAT64) && p.m <= INT_MAX &&
        p.n <= INT_MAX && p.lda <= INT_MAX && incx <= INT_MAX) {
        enum CBLAS_TRANSPOSE t = p.columns ? CblasNoTrans : CblasTrans;
        if (dtype == CG_FLOAT32)
            cblas_sgemv(CblasColMajor, t, (int)p.m, (int)p.n, 1.0f, a, (int)p.lda, x, (int)incx, 0.0f, y, 1);
        else
            cblas_dgemv(CblasColMajor, t, (int)p.m, (int)p.n, 1.0, a, (int)p.lda, x, (int)incx, 0.0, y, 1);
        return;
    }
#endif
    bool columns = p.ok ? p.columns : ars == 1;
    switch (dtype) {
    case CG_FLOAT32: portable_gemv_f32(columns, M, N, a, ars, acs, x, incx, y); break;
    case CG_FLOAT64: portable_gemv_f64(columns, M, N, a, ars, acs, x, incx, y); break;
    case CG_INT64: portable_gemv_u64(columns, M, N, a, ars, acs, x, incx, y); break;
    case CG_BOOL: break;
    }
}

void cg_kernel_dot(cg_dtype dtype, int64_t n, const void *x, int64_t incx, const void *y, int64_t incy, void *out) {
    if (n == 1) incx = incy = 1;
#ifdef CG_HAVE_BLAS
    if (n <= INT_MAX && incx <= INT_MAX && incy <= INT_MAX) {
        if (dtype == CG_FLOAT32) {
            *(float *)out = cblas_sdot((int)n, x, (int)incx, y, (int)incy);
            return;
        }
        if (dtype == CG_FLOAT64) {
            *(double *)out = cblas_ddot((int)n, x, (int)incx, y, (int)incy);
            return;
        }
    }
#endif
    switch (dtype) {
    case CG_FLOAT32: *(float *)out = portable_dot_f32(n, x, incx, y, incy); break;
    case CG_FLOAT64: *(double *)out = portable_dot_f64(n, x, incx, y, incy); break;
    case CG_INT64: *(uint64_t *)out = portable_dot_u64(n, x, incx, y, incy); break;
    case CG_BOOL: break;
    }
}

void cg_kernel_product(const cg_product *p, const void *a, const void *b, void *c) {
    switch (p->kind) {
    case CG_PRODUCT_GEMM:
        cg_kernel_addmm(p->dtype, p->M, p->N, p->K, p->alpha, a, p->ars, p->acs, b, p->brs, p->bcs, p->beta, c);
        break;
    case CG_PRODUCT_BMM_SMALL:
        cg_kernel_gemm_small(p->dtype, p->M, p->N, p->K, a, p->ars, p->acs, b, p->brs, p->bcs, c);
        break;
    case CG_PRODUCT_GEMV: cg_kernel_gemv(p->dtype, p->M, p->K, a, p->ars, p->acs, b, p->brs, c); break;
    case CG_PRODUCT_DOT: cg_kernel_dot(p->dtype, p->K, a, p->acs, b, p->brs, c); break;
    }
}

bool cg_kernel_product_takes(const cg_product *p, bool left) {
    if (p->kind == CG_PRODUCT_GEMM)
        return left ? cg_kernel_gemm_takes(p->M, p->N, p->K, true, p->ars, p->acs)
                    : cg_kernel_gemm_takes(p->M, p->N, p->K, false, p->brs, p->bcs);
    if (p->kind == CG_PRODUCT_GEMV) return !left || cg_kernel_gemv_takes(p->M, p->K, p->ars, p->acs);
    return true;
}
