/* Random fills, drawing from a generator the caller has locked (core/generator.h) in PyTorch's order. */
#ifndef CG_KERNELS_RANDOM_H
#define CG_KERNELS_RANDOM_H

#include "core/generator.h"
#include "core/tensor.h"

/* Floating t only. uniform: [from, to); normal: PyTorch's three paths (see random.c). */
void cg_kernel_uniform(cg_tensor *t, double from, double to, cg_generator *gen);
void cg_kernel_normal(cg_tensor *t, double mean, double std, cg_generator *gen);
/* Floating t only: 1 with probability p, else 0 (PyTorch's bernoulli_(p) stream). */
void cg_kernel_bernoulli(cg_tensor *t, double p, cg_generator *gen);
/* int64 t only: low + (draw mod range), where range = high - low as an unsigned number (> 0). */
void cg_kernel_randint(cg_tensor *t, int64_t low, uint64_t range, cg_generator *gen);

/* A random permutation of 0..n-1 into the contiguous 1-dim t (n = t's numel, exact in its dtype),
 * by PyTorch's CPU shuffle: for i from 0, swap element i with element i + random32() % (n - i).
 * The draws come from random32(gen), so any generator can drive it. */
void cg_kernel_randperm(cg_tensor *t, uint32_t (*random32)(void *gen), void *gen);

#endif
