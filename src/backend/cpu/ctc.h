/* ctc_loss's loops: the forward (alpha) recursion and the backward (beta) recursion with the
 * collection of eq. (16) of Graves et al. 2006, as PyTorch 1.13's CPU kernel computes them (the
 * op, its checks and its graph are in ops/loss_ctc.c). */
#ifndef CG_KERNELS_CTC_H
#define CG_KERNELS_CTC_H

#include "core/tensor.h"

/* What the loops read, per batch entry b: its input and target lengths and where its targets
 * start in targets (target b's label s is targets[target_offsets[b] + s]). */
typedef struct {
    int64_t batch, max_input, classes, blank, max_target;
    const int64_t *input_lengths, *target_lengths, *target_offsets, *targets;
} cg_ctc_plan;

/* log_probs (T, N, C) of any strides; nll (N) and log_alpha (N, T, 2 max_target + 1) contiguous
 * of its dtype. An entry with input length 0 has loss 0 for an empty target and inf otherwise
 * (PyTorch 1.13 reads outside log_alpha there; later versions define it so). */
void cg_kernel_ctc_forward(cg_tensor *nll, cg_tensor *log_alpha, const cg_tensor *log_probs, const cg_ctc_plan *p);
/* grad (T, N, C) contiguous: exp(lp) - exp(log(sum alpha beta) + nll - lp), times grad_out[b]
 * (contiguous (N)); zero past each input's length, and for an infinite loss with zero_infinity. */
void cg_kernel_ctc_backward(cg_tensor *grad, const cg_tensor *grad_out, const cg_tensor *log_probs,
                            const cg_tensor *nll, const cg_tensor *log_alpha, const cg_ctc_plan *p, bool zero_infinity);

#endif
