/* More indexing loops: index_add with alpha, nonzero, masked_select, masked_scatter, advanced
 * indexing's offsets. */
#ifndef CG_KERNELS_INDEX_MORE_H
#define CG_KERNELS_INDEX_MORE_H

#include "core/tensor.h"

/* As cg_kernel_scatter_add, with src[p] times alpha (converted to out's dtype) added: in one
 * rounding (fma) when fused, as PyTorch's vectorized add of a slice does; else rounded twice. */
void cg_kernel_index_add(cg_tensor *out, const cg_tensor *index, const cg_tensor *src, int64_t dim_stride,
                         cg_number alpha, bool fused);
/* The number of nonzero elements of in; when out is not NULL (int64, contiguous, count x in->ndim)
 * their coordinates too, in row-major order. */
int64_t cg_kernel_nonzero(cg_tensor *out, const cg_tensor *in);
/* out (1-D, contiguous, in's dtype) = the elements of in where mask is true, row-major; in and mask
 * are headers of one shape. */
void cg_kernel_masked_select(cg_tensor *out, const cg_tensor *in, const cg_tensor *mask);
/* Where mask is true, row-major, out gets src's next element (src contiguous, out's dtype); out and
 * mask are headers of one shape. */
void cg_kernel_masked_scatter(cg_tensor *out, const cg_tensor *mask, const cg_tensor *src);
/* Advanced indexing's element offsets: out (int64, contiguous, the n indices' one shape) gets, row
 * by row, the sum of idx[j] (negative values counted from sizes[j]) times strides[j]. false, with
 * the first value outside [-sizes[j], sizes[j]) in *bad and its j in *bad_dim, when one is. */
bool cg_kernel_index_offsets(cg_tensor *out, int n, cg_tensor *const *idx, const int64_t *sizes, const int64_t *strides,
                             int64_t *bad, int *bad_dim);

#endif
