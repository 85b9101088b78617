/* The matrix products every linear-algebra op ends in (dot, mv, mm, addmm, bmm, matmul).
 *
 * With CG_HAVE_BLAS these call BLAS (OpenBLAS) exactly as PyTorch 1.13's CPU ops do: the same
 * routine (gemm, gemv, dot), the same mapping of row-major tensors onto column-major BLAS (which
 * operand is A, the transpose flags, lda), so float32 results are PyTorch's bits. Without it the
 * portable loops compute the same sums, rounded differently. Strides are in elements. */
#ifndef CG_KERNELS_MATMUL_H
#define CG_KERNELS_MATMUL_H

#include "core/tensor.h"

/* Whether the products below take an M x K left operand (rows, cols = M, K) or a K x N right
 * operand (rows, cols = K, N) with these strides as they are: what PyTorch's addmm takes without
 * cloning (a unit stride along one dim and a leading dimension that fits). Callers copy an
 * operand that fails to a contiguous tensor first, as PyTorch does; that keeps PyTorch's bits. */
bool cg_kernel_gemm_takes(int64_t M, int64_t N, int64_t K, bool left, int64_t row_stride, int64_t col_stride);

/* C = alpha A @ B + beta C, where A is M x K, B is K x N and C is M x N contiguous row-major, of
 * dtype (float32, float64 or int64; int64 wraps around). With beta == 0 C is not read (NaNs in it
 * do not propagate). A and B take any strides (0 repeats a row or column; layouts that
 * cg_kernel_gemm_takes refuses run on the portable loops) and must not overlap C. K == 0 gives
 * beta C. This is PyTorch's addmm_impl_cpu_ on a contiguous result. */
void cg_kernel_addmm(cg_dtype dtype, int64_t M, int64_t N, int64_t K, double alpha, const void *a,
                     int64_t a_row_stride, int64_t a_col_stride, const void *b, int64_t b_row_stride,
                     int64_t b_col_stride, double beta, void *c);

/* C = A @ B: cg_kernel_addmm with alpha 1 and beta 0 (C written without being read). */
void cg_kernel_gemm(cg_dtype dtype, int64_t M, int64_t N, int64_t K, const void *a, int64_t a_row_stride,
                    int64_t a_col_stride, const void *b, int64_t b_row_stride, int64_t b_col_stride, void *c);

/* bmm's own loop for small matrices (PyTorch's baddbmm_cpu_kernel, used when M K N < 400):
 * C[i,j] = sum over k in increasing order, in the element type, no BLAS. */
#define CG_BMM_SMALL_LIMIT 400
void cg_kernel_gemm_small(cg_dtype dtype, int64_t M, int64_t N, int64_t K, const void *a, int64_t a_row_stride,
                          int64_t a_col_stride, const void *b, int64_t b_row_stride, int64_t b_col_stride,
                          void *c);

/* Whether mv takes an M x N matrix with these strides without a contiguous copy (PyTorch's addmv). */
bool cg_kernel_gemv_takes(int64_t M, int64_t N, int64_t row_stride, int64_t col_stride);

/* y = A @ x for an M x N matrix A and a vector x of stride x_stride (0 repeats one element); y is
 * contiguous. PyTorch's addmv: BLAS gemv, or its own loop for a vector of stride 0. */
void cg_kernel_gemv(cg_dtype dtype, int64_t M, int64_t N, const void *a, int64_t a_row_stride, int64_t a_col_stride,
                    const void *x, int64_t x_stride, void *y);

/* *out = sum of x[i] y[i] over n elements (PyTorch's dot: BLAS dot for floats). */
void cg_kernel_dot(cg_dtype dtype, int64_t n, const void *x, int64_t x_stride, const void *y, int64_t y_stride,
                   void *out);

/* One product as the ops describe it to a backend (the table's product and product_takes). */
typedef enum { CG_PRODUCT_GEMM, CG_PRODUCT_BMM_SMALL, CG_PRODUCT_GEMV, CG_PRODUCT_DOT } cg_product_kind;
typedef struct {
    cg_product_kind kind;
    cg_dtype dtype;
    int64_t M, N, K;            /* a is M x K, b is K x N (gemv: b a vector, N = 1; dot: M = N = 1) */
    int64_t ars, acs, brs, bcs; /* strides in elements; a dot's vectors step by acs and brs */
    double alpha, beta;         /* gemm's: c = alpha a @ b + beta c (beta 0: c not read) */
} cg_product;

/* c (contiguous) = the product p of a and b, by the kernels above. */
void cg_kernel_product(const cg_product *p, const void *a, const void *b, void *c);
/* Whether p's left (a) or right (b) operand goes to the kernel as it is (else copy it contiguous). */
bool cg_kernel_product_takes(const cg_product *p, bool left);

#endif
