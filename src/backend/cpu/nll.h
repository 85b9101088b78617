/* nll_loss's loops and binary_cross_entropy's pointwise loss (the ops, their checks and their
 * graphs are in ops/loss.c). */
#ifndef CG_KERNELS_NLL_H
#define CG_KERNELS_NLL_H

#include "core/tensor.h"

/* What the loops read: n targets, one per position; x (or the gradient written) is contiguous of
 * shape (n / map, classes, map): (N, C) and (C) have map 1, (N, C, H, W) map H * W. */
typedef struct {
    int64_t *targets;
    int64_t n, classes, map;
    const cg_tensor *weight; /* contiguous (classes) of x's dtype, or NULL */
    int64_t ignore_index;
} cg_nll_plan;

/* The plan's n int64 targets read from the contiguous target (its one element when 0-dim) into
 * targets, checked against the classes (ignore_index aside); -1 with PyTorch's IndexError
 * "Target 5 is out of bounds.". */
int cg_kernel_nll_targets(const cg_tensor *target, const cg_nll_plan *plan, int64_t *targets);
/* out[i] = -x[target i] * weight[target] (0 for an ignored target), out contiguous of x's dtype. */
void cg_kernel_nll_forward_rows(cg_tensor *out, const cg_tensor *x, const cg_nll_plan *plan);
/* -sum of the picked (weighted) log-probabilities and the sum of the weights (the kept count
 * without weight) with PyTorch's cascade: partial sums over blocks of 16 positions are carried up
 * eight levels, rounded to x's dtype at every step. */
double cg_kernel_nll_forward_sum(const cg_tensor *x, const cg_nll_plan *plan, double *total_weight);
/* Into the contiguous zeros out: -weight * grad at each kept target; grad[i] per position, else
 * grad's one element divided by total_weight for mean. */
void cg_kernel_nll_backward(cg_tensor *out, const cg_tensor *grad, const cg_nll_plan *plan, bool per_row, bool mean,
                            double total_weight);
/* (t - 1) max(log(1 - x), -100) - t max(log(x), -100), PyTorch 1.13's scalar loop (libm's log). */
int cg_kernel_binary_cross_entropy(cg_tensor *out, const cg_tensor *x, const cg_tensor *t);

#endif
