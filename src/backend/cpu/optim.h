/* Optimizer updates fused into one pass over each parameter. */
#ifndef CG_BACKEND_CPU_OPTIM_H
#define CG_BACKEND_CPU_OPTIM_H

#include "core/tensor.h"

/* The numbers of one Adam or AdamW step, as Python floats (each op converts them to the dtype). */
typedef struct {
    double decay;        /* AdamW's 1 - lr * weight_decay, multiplied into the parameter first */
    double weight_decay; /* Adam's: grad + weight_decay * param when not 0 */
    double beta1, one_minus_beta1, beta2, one_minus_beta2;
    double bias_correction2_sqrt, eps, neg_step_size;
    bool decoupled, maximize;
} cg_adam_numbers;

/* PyTorch 1.13's _single_tensor_adam (and _adamw) for one parameter, each element in one pass with
 * every op's own rounding, so the same bits as its sequence of ops:
 *   g = maximize ? -grad : grad;  AdamW: p = p * decay;  Adam: g = fma(p, weight_decay, g)
 *   m = fma(g, 1 - beta1, m * beta1);  v = fma((1 - beta2) * g, g, v * beta2)
 *   amsgrad: mx = maximum(mx, v), v's place taken by mx
 *   p = p + (neg_step_size * m) / (sqrt(v) / bias_correction2_sqrt + eps)
 * param, exp_avg, exp_avg_sq and max_exp_avg_sq (NULL without amsgrad) are written; all are
 * contiguous float32 or float64 of grad's dtype and numel, on separate storages. */
void cg_kernel_adam_step(const cg_adam_numbers *a, cg_tensor *param, const cg_tensor *grad, cg_tensor *exp_avg,
                         cg_tensor *exp_avg_sq, cg_tensor *max_exp_avg_sq);

#endif
