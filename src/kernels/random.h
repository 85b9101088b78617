/* Random fills, drawing from the default generator (core/generator.h) in PyTorch's order. */
#ifndef CG_KERNELS_RANDOM_H
#define CG_KERNELS_RANDOM_H

#include "core/tensor.h"

/* Floating t only. uniform: [from, to); normal: PyTorch's three paths (see random.c). */
void cg_kernel_uniform(cg_tensor *t, double from, double to);
void cg_kernel_normal(cg_tensor *t, double mean, double std);
/* int64 t only: low + (draw mod range), where range = high - low as an unsigned number (> 0). */
void cg_kernel_randint(cg_tensor *t, int64_t low, uint64_t range);

#endif
