/* Copying between tensors of any strides and dtypes. */
#ifndef CG_KERNELS_COPY_H
#define CG_KERNELS_COPY_H

#include "core/tensor.h"

/* dst[...] = (dst dtype) src[...]; src broadcasts to dst's shape (the caller checked it does). */
void cg_kernel_copy(cg_tensor *dst, const cg_tensor *src);
/* dst = src, for a contiguous dst of src's shape and dtype. When src's unit-stride dim is not dst's
 * last dim (a transposing copy, as arranging rows for a reduction over leading dims needs), the
 * two dims are copied in square tiles so both sides stay in cache; otherwise cg_kernel_copy. */
void cg_kernel_copy_tiled(cg_tensor *dst, const cg_tensor *src);
/* Every element of dst = value, cast to dst's dtype. */
void cg_kernel_fill(cg_tensor *dst, cg_number value);
/* The same where the bool mask, broadcast to dst's shape, is true. */
void cg_kernel_masked_fill(cg_tensor *dst, const cg_tensor *mask, cg_number value);

#endif
