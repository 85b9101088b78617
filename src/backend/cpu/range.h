/* arange and linspace fills. */
#ifndef CG_KERNELS_RANGE_H
#define CG_KERNELS_RANGE_H

#include "core/tensor.h"

/* The contiguous 1-dim t (float32, float64 or int64) = start + i * step, with PyTorch's AVX2
 * roundings; int64 uses istart and istep, in int64 arithmetic that wraps. */
void cg_kernel_arange(cg_tensor *t, double start, double step, int64_t istart, int64_t istep);
/* The contiguous 1-dim t of 2 or more elements = linspace(start, end) with PyTorch's roundings;
 * int64 uses istart and iend. */
void cg_kernel_linspace(cg_tensor *t, double start, double end, int64_t istart, int64_t iend);

#endif
