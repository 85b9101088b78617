/* Indexing loops: gather (also used by index_select), scatter_add, and a range check of index
 * values (masked_fill is a fill: backend/cpu/copy.h). The ops build headers that see every operand with the iteration shape; the
 * kernels only walk memory. */
#ifndef CG_KERNELS_INDEX_H
#define CG_KERNELS_INDEX_H

#include "core/tensor.h"

/* true when every value of the int64 tensor index lies in [0, size); otherwise false and the first
 * offending value (in row-major order) in *bad. */
bool cg_kernel_indices_in_range(const cg_tensor *index, int64_t size, int64_t *bad);
/* For every position p of out's shape: out[p] = src[p + index[p] * dim_stride], where src and index
 * are headers with out's sizes (src's stride along the indexed dim is 0) and dim_stride is src's
 * real stride along that dim, in elements. src and out have the same dtype. */
void cg_kernel_gather(cg_tensor *out, const cg_tensor *src, const cg_tensor *index, int64_t dim_stride);
/* For every position p of index's shape: out[p + index[p] * dim_stride] += src[p], where out and
 * src are headers with index's sizes (out's stride along the indexed dim is 0). Positions are
 * visited in row-major order, so sums into one element happen in PyTorch's order. */
void cg_kernel_scatter_add(cg_tensor *out, const cg_tensor *index, const cg_tensor *src, int64_t dim_stride);
/* The same walk with out[p + index[p] * dim_stride] = src[p] (the last write to an element wins). */
void cg_kernel_scatter(cg_tensor *out, const cg_tensor *index, const cg_tensor *src, int64_t dim_stride);
/* The same walk reducing src into out: sum (and mean's sum) as scatter_add, prod, amax, amin. */
void cg_kernel_scatter_reduce(cg_scatter_reduction op, cg_tensor *out, const cg_tensor *index, const cg_tensor *src,
                              int64_t dim_stride);

#endif
