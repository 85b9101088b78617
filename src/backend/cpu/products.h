/* prod's backward without division (zeros allowed). */
#ifndef CG_KERNELS_PRODUCTS_H
#define CG_KERNELS_PRODUCTS_H

#include "core/tensor.h"

/* out[i] = the product of the other elements of c along dim (of all of c for dim -1), with
 * PyTorch's roundings (prod_safe_zeros_backward): the products before and after each element,
 * each accumulated in double from its end and rounded to c's dtype, then multiplied in c's dtype.
 * c and out are contiguous, of one shape and float dtype. */
void cg_kernel_exclusive_products(cg_tensor *out, const cg_tensor *c, int dim);

#endif
