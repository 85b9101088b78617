/* Reduction kernels over rows.
 *
 * Every kernel sees its input as `rows` contiguous rows of `len` elements (row r starts at
 * element r * len) and writes one result per row to out[r]. The op layer arranges that layout by
 * permuting the reduced dims to the end (copying only when the permuted view is not already
 * contiguous), so the kernels are plain loops over memory and know nothing of shapes or strides.
 * Float sums, means, products and finite p-norms are the exception: they walk the input's own
 * strides in PyTorch's order. */
#ifndef CG_KERNELS_REDUCE_H
#define CG_KERNELS_REDUCE_H

#include "core/tensor.h"

/* out = the sum of float32 or float64 in over the reduced dims, in PyTorch's order of additions
 * (backend/cpu/ordered_reduce.c), so float32 gives PyTorch's bits. in takes any strides; out is a new
 * contiguous tensor with in's sizes less the reduced dims (or 1 there when keepdim). */
void cg_kernel_cascade_sum(cg_tensor *out, const cg_tensor *in, const bool *reduced, bool keepdim);
/* The same for the product, in PyTorch's order of multiplications. */
void cg_kernel_ordered_prod(cg_tensor *out, const cg_tensor *in, const bool *reduced, bool keepdim);
/* The same for the 2-norm. */
void cg_kernel_ordered_norm2(cg_tensor *out, const cg_tensor *in, const bool *reduced, bool keepdim);
/* The same for the p-norm of a finite p other than 2 (0 counts the nonzeros). */
void cg_kernel_ordered_pnorm(cg_tensor *out, const cg_tensor *in, const bool *reduced, bool keepdim, double p);
/* int64 sums, which wrap around like PyTorch's (the order does not matter). */
void cg_kernel_sum_i64(const int64_t *in, int64_t *out, int64_t rows, int64_t len);
/* int64 products, which wrap around like PyTorch's. */
void cg_kernel_prod_i64(const int64_t *in, int64_t *out, int64_t rows, int64_t len);
/* The int64 sums over the middle index of a contiguous (groups, len, width) block: out[g, c] = the
 * sum over l of in[g, l, c]. This is the layout of a reduction over leading or middle dims of a
 * contiguous tensor, summed in place, reading memory in order. */
void cg_kernel_sum_columns_i64(const int64_t *in, int64_t *out, int64_t groups, int64_t len, int64_t width);
/* Variance with divisor max(0, len - correction) (NaN when it is 0), or its square root, in double
 * as PyTorch's CPU kernels: with mean (PyTorch's all-reduce: the tensor's own mean, one row) the
 * squared deviations from it summed in order; without, Welford's update element by element. */
void cg_kernel_var(cg_dtype dtype, const void *in, void *out, int64_t rows, int64_t len, int64_t correction,
                   bool take_sqrt, const double *mean);
/* var (or std, take_sqrt) and mean of each row by Welford's update element by element, as PyTorch
 * 1.13's var_mean and std_mean (over every element too), both in the element type. */
void cg_kernel_var_mean(cg_dtype dtype, const void *in, void *var, void *mean, int64_t rows, int64_t len,
                        int64_t correction, bool take_sqrt);
/* The norm for p = +-INFINITY: the max (min) magnitude of each row, NaN if the row has one. Float
 * dtypes only; an empty row gives 0, as in PyTorch. (Finite p: cg_kernel_ordered_norm2/pnorm.) */
void cg_kernel_norm(cg_dtype dtype, const void *in, void *out, int64_t rows, int64_t len, double p);
/* Max (or min) of each row and the position of its first occurrence; a NaN wins over everything
 * and its first position is reported. Any dtype; values and indices may each be NULL.
 * Rows must not be empty. */
void cg_kernel_extreme(cg_dtype dtype, const void *in, void *values, int64_t *indices, int64_t rows, int64_t len,
                       bool want_max);
/* The max (or min) of n > 0 contiguous elements, folded in PyTorch's order for max()/min(). */
void cg_kernel_extreme_all(cg_dtype dtype, const void *in, void *value, int64_t n, bool want_max);

#endif
