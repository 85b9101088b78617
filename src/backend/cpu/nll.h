/* nll_loss's loops (the op, its checks and its graph are in ops/loss.c). */
#ifndef CG_KERNELS_NLL_H
#define CG_KERNELS_NLL_H

#include "core/tensor.h"

/* The int64 targets of `rows` rows (target's dim 0, or its one element) into targets, checked
 * against the number of classes (ignore_index -100 aside), and how many were kept; -1 with
 * PyTorch's IndexError "Target 5 is out of bounds.". */
int cg_kernel_nll_targets(const cg_tensor *target, int64_t rows, int64_t classes, int64_t *targets, int64_t *kept);
/* out[b] = -x[b, targets[b]] (0 for an ignored row), x 2-dim, out 1-dim contiguous of x's dtype. */
void cg_kernel_nll_forward_rows(cg_tensor *out, const cg_tensor *x, const int64_t *targets);
/* -sum of the picked log-probabilities with PyTorch's cascade: partial sums over blocks of 16
 * rows are carried up eight levels (rounded to x's dtype at every step). */
double cg_kernel_nll_forward_sum(const cg_tensor *x, const int64_t *targets, int64_t rows);
/* Into the contiguous zeros out (self's shape): -grad at each kept row's target; grad[b] per row,
 * else grad's one element, divided by kept for mean. */
void cg_kernel_nll_backward(cg_tensor *out, const cg_tensor *grad, const cg_tensor *target, bool per_row, bool mean,
                            double kept);

#endif
