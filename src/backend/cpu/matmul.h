/* The one matrix product every linear-algebra op ends in (dot, mv, mm, bmm, matmul).
 *
 * This is the seam where a BLAS sgemm/dgemm can replace the loops later: the ops only call
 * cg_kernel_gemm, and make sure (by copying when needed) that each operand has a unit stride
 * along one of its two dims, which is what BLAS asks for too. */
#ifndef CG_KERNELS_MATMUL_H
#define CG_KERNELS_MATMUL_H

#include "core/tensor.h"

/* C = A @ B, where A is M x K, B is K x N and C is M x N, all of dtype (float32, float64 or int64;
 * int64 wraps around). A and B take any strides in elements (0 repeats a row or column); C is
 * contiguous row-major, written without being read, and must not overlap A or B. Floats accumulate
 * in their own type, as BLAS does; K == 0 gives zeros. */
void cg_kernel_gemm(cg_dtype dtype, int64_t M, int64_t N, int64_t K, const void *a, int64_t a_row_stride,
                    int64_t a_col_stride, const void *b, int64_t b_row_stride, int64_t b_col_stride, void *c);

#endif
