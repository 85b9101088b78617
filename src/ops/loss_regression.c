/* Regression and distribution losses as torch.nn.functional computes them in PyTorch 1.13:
 * smooth_l1_loss and huber_loss (ops of their own, SmoothL1LossBackward0, HuberLossBackward0),
 * and the composites kl_div, poisson_nll_loss and gaussian_nll_loss (their graphs are those of
 * the ops PyTorch composes them of).
 *
 * smooth_l1 and huber compute PyTorch's vectorized expressions with cgrad ops in its order of
 * operations, so float32 rounds as PyTorch's does; their backward is written with cgrad ops too,
 * so it can be differentiated again (PyTorch names that graph SmoothL1LossBackwardBackward0; here
 * it is WhereBackward0 and friends). */
#include "ops/elementwise.h"
#include "ops/grad_depends.h"
#include "ops/loss.h"

#include <math.h>

static const double PI = 3.14159265358979323846; /* c10::pi<double> */

/* ---- smooth_l1_loss, huber_loss ---- */

/* The operands broadcast and promoted as mse_loss's; *xe and *te get the expanded operands (the
 * graph's inputs). Returns the difference computed without recording, or NULL. */
static cg_tensor *broadcast_difference(cg_loss_args a, const char *kernel, cg_tensor **xe, cg_tensor **te) {
    cg_tensor *x = a.input, *t = a.target;
    if (!x || !t) return NULL;
    int64_t shape[CG_MAX_DIMS];
    int ndim = loss_broadcast_operands(x, t, a.reduction, shape);
    if (ndim < 0) return NULL;
    cg_dtype dtype = cg_promote_types(x->dtype, t->dtype);
    if (!cg_dtype_is_floating(dtype)) {
        cg_set_error("\"%s\" not implemented for '%s'", kernel, cg_dtype_title(dtype));
        return NULL;
    }
    *xe = cg_same_shape(x->ndim, x->sizes, ndim, shape) ? x : cg_expand_shape(x, ndim, shape);
    *te = cg_same_shape(t->ndim, t->sizes, ndim, shape) ? t : cg_expand_shape(t, ndim, shape);
    if (!*xe || !*te) return NULL;
    cg_tensor *d = NULL;
    CG_NO_GRAD { d = cg_sub(cg_to(*xe, dtype), cg_to(*te, dtype)); }
    return d;
}

/* The node keeps input and target, the reduction and count (ops/loss.h), and beta or delta in
 * scalars[1]. */
static cg_tensor *record_pointwise_loss(const cg_op *op, cg_tensor *loss, cg_tensor *xe, cg_tensor *te, cg_loss_args a,
                                        double parameter) {
    cg_node *n = loss_record(op, loss, CG_INPUTS(xe, te), a.reduction, (double)xe->numel);
    if (n) {
        cg_save(n, 0, xe);
        cg_save(n, 1, te);
        n->scalars[1] = parameter;
    }
    return cg_recorded(loss);
}

cg_tensor *cg_smooth_l1_loss_opts(cg_loss_args a) {
    double beta = a.beta.given ? a.beta.value : 1.0;
    cg_tensor *xe = NULL, *te = NULL, *d = broadcast_difference(a, "smooth_l1_cpu", &xe, &te);
    if (!d) return NULL;
    if (beta < 0) {
        cg_set_error("smooth_l1_loss does not support negative values for beta.");
        return NULL;
    }
    cg_tensor *loss = NULL;
    CG_NO_GRAD { /* z < beta ? 0.5 z z / beta : z - 0.5 beta, z = |x - t| */
        cg_tensor *z = cg_abs(d);
        cg_tensor *small = cg_div_scalar(cg_mul(cg_mul_scalar(z, 0.5), z), beta);
        loss = loss_reduce(cg_where(cg_lt_scalar(z, beta), small, cg_sub_scalar(z, 0.5 * beta)), a.reduction);
    }
    return record_pointwise_loss(&cg_op_smooth_l1_loss, loss, xe, te, a, beta);
}

cg_tensor *cg_huber_loss_opts(cg_loss_args a) {
    double delta = a.delta.given ? a.delta.value : 1.0;
    cg_tensor *xe = NULL, *te = NULL, *d = broadcast_difference(a, "huber_cpu", &xe, &te);
    if (!d) return NULL;
    if (!(delta > 0)) {
        cg_set_error("huber_loss does not support non-positive values for delta.");
        return NULL;
    }
    cg_tensor *loss = NULL;
    CG_NO_GRAD { /* z < delta ? 0.5 z z : delta (z - 0.5 delta) */
        cg_tensor *z = cg_abs(d);
        cg_tensor *large = cg_mul_scalar(cg_sub_scalar(z, 0.5 * delta), delta);
        loss = loss_reduce(cg_where(cg_lt_scalar(z, delta), cg_mul(cg_mul_scalar(z, 0.5), z), large), a.reduction);
    }
    return record_pointwise_loss(&cg_op_huber_loss, loss, xe, te, a, delta);
}

/* +1 where x > 0, else -1 (PyTorch's vectorized backward picks the sign so: x == 0 gives -1). */
static cg_tensor *sign_or_minus_one(cg_tensor *x) {
    return cg_sub_scalar(cg_mul_scalar(cg_to(cg_gt_scalar(x, 0), cg_get_dtype(x)), 2), 1);
}

/* PyTorch's smooth_l1_loss_backward(grad, x, t): norm (|d| >= beta ? sign(d) : d / beta) grad,
 * d = x - t, norm 1/N for mean: its vectorized loop's order. Its scalar tail (the last n % 16
 * float32 or n % 8 float64 elements) rounds norm d grad / beta instead, which differs in the last
 * bit under mean (not reproduced). */
static cg_tensor *smooth_l1_backward(cg_tensor *grad, cg_tensor *x, cg_tensor *t, const cg_node *n) {
    double norm = n->args[0] == CG_REDUCTION_MEAN ? 1.0 / n->scalars[0] : 1.0, beta = n->scalars[1];
    cg_tensor *d = cg_sub(x, t);
    cg_tensor *outer = cg_mul(cg_mul_scalar(sign_or_minus_one(d), norm), grad);
    /* every |d| >= 0: the other branch would divide by zero, and only the signs of x and t are read */
    if (beta == 0) return cg_grad_depending(&cg_op_smooth_l1_loss_depends, outer, x, t);
    cg_tensor *inner = cg_mul(cg_mul_scalar(cg_div_scalar(d, beta), norm), grad);
    return cg_where(cg_ge_scalar(cg_abs(d), beta), outer, inner);
}

/* PyTorch's huber_loss_backward: d <= -delta ? -norm grad delta : d >= delta ? norm grad delta :
 * norm d grad. */
static cg_tensor *huber_backward(cg_tensor *grad, cg_tensor *x, cg_tensor *t, const cg_node *n) {
    double norm = n->args[0] == CG_REDUCTION_MEAN ? 1.0 / n->scalars[0] : 1.0, delta = n->scalars[1];
    cg_tensor *d = cg_sub(x, t);
    cg_tensor *high = cg_mul_scalar(cg_mul_scalar(grad, norm), delta), *low = cg_mul_scalar(cg_mul_scalar(grad, -norm), delta);
    cg_tensor *inner = cg_mul(cg_mul_scalar(d, norm), grad);
    return cg_where(cg_le_scalar(d, -delta), low, cg_where(cg_ge_scalar(d, delta), high, inner));
}

/* d/dtarget is the same formula with the operands swapped (PyTorch's derivatives.yaml). */
void cg_backward_smooth_l1_loss(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *x = cg_saved(n, 0), *t = cg_saved(n, 1);
    if (cg_needs_grad(n, 0)) out[0] = smooth_l1_backward(grads[0], x, t, n);
    if (cg_needs_grad(n, 1)) out[1] = smooth_l1_backward(grads[0], t, x, n);
}

void cg_backward_huber_loss(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *x = cg_saved(n, 0), *t = cg_saved(n, 1);
    if (cg_needs_grad(n, 0)) out[0] = huber_backward(grads[0], x, t, n);
    if (cg_needs_grad(n, 1)) out[1] = huber_backward(grads[0], t, x, n);
}

/* ---- kl_div ---- */

/* torch.xlogy(t, t): 0 where t is 0, else t log(t). */
static cg_tensor *xlogx(cg_tensor *t) {
    return cg_where(cg_eq_scalar(t, 0), cg_zeros_like(t), cg_mul(t, cg_log(t)));
}

/* F.kl_div: exp(t) (t - x) for log targets, else xlogy(t, t) - t x; 'batchmean' is the sum over
 * the batch size (input's dim 0; the sum itself for a 0-dim input). */
cg_tensor *cg_kl_div_opts(cg_loss_args a) {
    cg_tensor *x = a.input, *t = a.target;
    if (!x || !t) return NULL;
    bool batchmean = a.reduction == CG_REDUCTION_BATCHMEAN;
    if (!batchmean && loss_check_reduction(a.reduction) < 0) return NULL;
    if (a.reduction == CG_REDUCTION_MEAN)
        cg_warn("reduction: 'mean' divides the total loss by both the batch size and the support size.'batchmean' "
                "divides only by the batch size, and aligns with the KL div math definition.'mean' will be changed to "
                "behave the same as 'batchmean' in the next major release.");
    cg_tensor *pointwise = a.log_target ? cg_mul(cg_exp(t), cg_sub(t, x)) : cg_sub(xlogx(t), cg_mul(t, x));
    if (!batchmean) return loss_reduce(pointwise, a.reduction);
    cg_tensor *total = cg_sum(pointwise);
    return x->ndim == 0 ? total : cg_div_scalar(total, x->sizes[0]);
}

/* ---- poisson_nll_loss ---- */

/* PyTorch 1.13's composite: exp(x) - t x (log_input), else x - t log(x + eps); full adds
 * t log(t) - t + 0.5 log(2 pi t) where t > 1. */
cg_tensor *cg_poisson_nll_loss_opts(cg_loss_args a) {
    cg_tensor *x = a.input, *t = a.target;
    if (!x || !t || loss_check_reduction(a.reduction) < 0) return NULL;
    bool log_input = a.log_input.given ? a.log_input.value != 0 : true;
    double eps = a.eps.given ? a.eps.value : 1e-8;
    cg_tensor *loss = log_input ? cg_sub(cg_exp(x), cg_mul(t, x)) : cg_sub(x, cg_mul(t, cg_log(cg_add_scalar(x, eps))));
    if (a.full) {
        cg_tensor *stirling = cg_add(cg_sub(cg_mul(t, cg_log(t)), t),
                                     cg_mul_scalar(cg_log(cg_mul_scalar(t, 2 * PI)), 0.5));
        if (!loss || cg_add_(loss, cg_masked_fill(stirling, cg_le_scalar(t, 1), 0)) < 0) return NULL; /* ATen's loss += */
    }
    return loss_reduce(loss, a.reduction);
}

/* ---- gaussian_nll_loss ---- */

/* The checks of F.gaussian_nll_loss, in its order; var viewed to broadcast (one dim short: unsqueezed). */
static cg_tensor *gaussian_var(cg_tensor *x, cg_tensor *var, cg_reduction r) {
    if (!cg_same_shape(var->ndim, var->sizes, x->ndim, x->sizes)) {
        bool short_one = x->ndim >= 1 && cg_same_shape(x->ndim - 1, x->sizes, var->ndim, var->sizes);
        bool last_one = x->ndim >= 1 && var->ndim == x->ndim && var->sizes[var->ndim - 1] == 1 &&
                        cg_same_shape(x->ndim - 1, x->sizes, var->ndim - 1, var->sizes);
        if (short_one) var = cg_unsqueeze(var, -1);
        else if (!last_one) {
            cg_set_value_error("var is of incorrect size");
            return NULL;
        }
    }
    if (r != CG_REDUCTION_MEAN && r != CG_REDUCTION_SUM && r != CG_REDUCTION_NONE) {
        cg_set_value_error("%d is not valid", (int)r);
        return NULL;
    }
    cg_tensor *negative = NULL;
    CG_NO_GRAD { negative = cg_sum(cg_lt_scalar(var, 0)); }
    double count = negative ? cg_item(negative) : NAN;
    if (count != 0) {
        if (count > 0) cg_set_value_error("var has negative entry/entries");
        return NULL;
    }
    return var;
}

/* 0.5 (log(v) + (x - t)^2 / v), v = var cloned and clamped to eps without recording (so the
 * gradient reaches var through the clamp as through a copy), as F.gaussian_nll_loss. */
cg_tensor *cg_gaussian_nll_loss_opts(cg_loss_args a) {
    cg_tensor *x = a.input, *t = a.target;
    if (!x || !t || !a.var) return NULL;
    cg_tensor *var = gaussian_var(x, a.var, a.reduction);
    if (!var) return NULL;
    double eps = a.eps.given ? a.eps.value : 1e-6;
    cg_tensor *v = cg_clone(var);
    int clamped = -1;
    CG_NO_GRAD { clamped = v ? cg_clamp_(v, eps, CG_NO_BOUND) : -1; }
    if (clamped < 0) return NULL;
    cg_tensor *loss = cg_mul_scalar(cg_add(cg_log(v), cg_div(cg_pow_scalar(cg_sub(x, t), 2), v)), 0.5);
    if (a.full && (!loss || cg_add_number_(loss, CG_NUMBER(0.5 * log(2 * PI))) < 0)) return NULL; /* Python's loss += */
    return loss_reduce(loss, a.reduction);
}
