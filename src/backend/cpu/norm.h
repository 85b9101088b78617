/* Normalization kernels in PyTorch 1.13's order of operations (its CPU layer_norm_kernel.cpp,
 * batch_norm_kernel.cpp, group_norm_kernel.cpp and moments_utils.h as built for AVX2), so float32
 * results carry PyTorch's bits. */
#ifndef CG_BACKEND_CPU_NORM_H
#define CG_BACKEND_CPU_NORM_H

#include "core/tensor.h"

/* layer_norm over rows: x is (M, N) contiguous float32/float64, weight and bias (N) contiguous of
 * x's dtype or NULL; out (M, N) contiguous gets (x - mean) * rstd * weight + bias per row. */
void cg_kernel_layer_norm(cg_tensor *out, const cg_tensor *x, const cg_tensor *weight, const cg_tensor *bias,
                          int64_t M, int64_t N, double eps);

/* batch_norm of x (N, C, ...) contiguous float32/float64, seen as (N, C, S): mean and invstd (C)
 * contiguous get the batch's statistics (training) or running_mean and 1 / sqrt(running_var + eps)
 * (evaluation); in training running_mean and running_var (C, contiguous, or NULL) are updated in
 * place with momentum and the unbiased variance. out (x's shape, contiguous) gets (x - mean) *
 * invstd * weight + bias, weight and bias (C) contiguous or NULL. */
void cg_kernel_batch_norm(cg_tensor *out, cg_tensor *mean, cg_tensor *invstd, const cg_tensor *x,
                          const cg_tensor *weight, const cg_tensor *bias, cg_tensor *running_mean,
                          cg_tensor *running_var, bool training, double momentum, double eps);

/* group_norm of x (N, C, HW) contiguous float32/float64 in G groups of C / G channels: out (x's
 * shape, contiguous) gets each (sample, group)'s (x - mean) * rstd, times weight plus bias per
 * channel (each (C) contiguous or NULL). */
void cg_kernel_group_norm(cg_tensor *out, const cg_tensor *x, const cg_tensor *weight, const cg_tensor *bias,
                          int64_t N, int64_t C, int64_t HW, int64_t G, double eps);

#endif
