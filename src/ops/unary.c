/* Unary math. Integer and bool inputs of the float-valued functions compute in float32, as in
 * PyTorch; neg, abs, sign and relu keep integer dtypes. Each op records its node and saves its
 * input or its output, whichever its derivative is cheaper to write with (PyTorch's choice). */
#include "autograd/registry.h"
#include "backend/backend.h"
#include "ops/elementwise.h"

cg_tensor *cg_unary_in(cg_unary_op op, cg_tensor *t, cg_dtype compute) {
    if (!t) return NULL;
    cg_tensor *ct = cg_as_dtype(t, compute);
    cg_tensor *out = !ct ? NULL
                     : t->ndim <= 1 || cg_is_row_major(t) ? cg_new_on(t, compute, t->ndim, t->sizes)
                                                          : CG_NEW_RESULT(compute, t->ndim, t->sizes, t);
    if (out) CG_KERNEL(out, unary)(op, out, ct);
    return out;
}

typedef enum { SAVE_NOTHING, SAVE_INPUT, SAVE_OUTPUT } saving;

/* Records out = node(t), saving what the backward reads in slot 0. */
static cg_tensor *recorded(const cg_op *node, cg_tensor *t, cg_tensor *out, saving what) {
    cg_node *n = out ? cg_record(node, out, CG_INPUTS(t)) : NULL;
    if (n && what != SAVE_NOTHING) cg_save(n, 0, what == SAVE_INPUT ? t : out);
    return cg_recorded(out);
}

static cg_tensor *float_valued(cg_unary_op op, cg_tensor *t) {
    return t ? cg_unary_in(op, t, cg_float_type(t->dtype)) : NULL;
}

/* The ops that keep t's dtype, with PyTorch's message for bool. */
static cg_tensor *same_dtype(cg_unary_op op, cg_tensor *t, const char *bool_error) {
    if (!t) return NULL;
    if (t->dtype == CG_BOOL && bool_error) {
        cg_set_error("%s", bool_error);
        return NULL;
    }
    return cg_unary_in(op, t, t->dtype);
}

cg_tensor *cg_neg(cg_tensor *t) {
    cg_tensor *out = same_dtype(CG_UN_NEG, t,
                                "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
                                "invert a mask, use the `~` or `logical_not()` operator instead.");
    return recorded(&cg_op_neg, t, out, SAVE_NOTHING);
}

void cg_backward_neg(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    (void)n;
    out[0] = cg_neg(grads[0]);
}

cg_tensor *cg_abs(cg_tensor *t) {
    return recorded(&cg_op_abs, t, same_dtype(CG_UN_ABS, t, "\"abs_cpu\" not implemented for 'Bool'"), SAVE_INPUT);
}

/* d|x| = sign(x): 0 at 0. */
void cg_backward_abs(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    out[0] = cg_mul(grads[0], cg_sgn(cg_saved(n, 0)));
}

/* PyTorch's sgn: sign for real tensors, its own node (SgnBackward0), what abs's and norm's
 * backwards multiply by. */
cg_tensor *cg_sgn(cg_tensor *t) { return recorded(&cg_op_sgn, t, same_dtype(CG_UN_SIGN, t, NULL), SAVE_NOTHING); }

void cg_backward_sgn(cg_node *n, cg_tensor **grads, cg_tensor **out) { cg_backward_sign(n, grads, out); }

cg_tensor *cg_sign(cg_tensor *t) { return recorded(&cg_op_sign, t, same_dtype(CG_UN_SIGN, t, NULL), SAVE_NOTHING); }

/* Piecewise constant: no gradient anywhere (PyTorch gives zeros, not none). */
void cg_backward_sign(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    (void)n;
    out[0] = cg_zeros_like(grads[0]);
}

/* The backward formulas of relu, tanh and sigmoid are differentiable ops of their own, as in
 * PyTorch, whose nodes (ThresholdBackwardBackward0, ...) appear in double-backward graphs. This
 * records out = op(grad, saved) with saved kept in slot 0 and grad in slot 1. */
static cg_tensor *recorded_backward_op(const cg_op *op, cg_tensor *grad, cg_tensor *saved, cg_tensor *out) {
    cg_node *n = out ? cg_record(op, out, CG_INPUTS(grad, saved)) : NULL;
    if (n) {
        cg_save(n, 0, saved);
        if (cg_needs_grad(n, 1)) cg_save(n, 1, grad);
    }
    return cg_recorded(out);
}

/* grad where self > threshold, else 0 (NaN passes), written as PyTorch's kernel (never -0 or NaN
 * from an inf grad). */
static cg_tensor *threshold_backward(cg_tensor *grad, cg_tensor *self, double threshold) {
    if (!grad || !self) return NULL;
    cg_tensor *out = NULL;
    cg_dtype dtype = cg_result_type(self, grad);
    CG_NO_GRAD {
        out = threshold == 0 && cg_is_floating_inline(dtype) ? cg_binary_in(CG_BIN_RELU_BACKWARD, self, grad, dtype)
                                                             : cg_where(cg_le_scalar(self, threshold), cg_zero_for(grad), grad);
    }
    cg_node *n = out ? cg_record(&cg_op_threshold_backward, out, CG_INPUTS(grad, self)) : NULL;
    if (n) {
        cg_save(n, 0, self);
        n->scalars[0] = threshold;
    }
    return cg_recorded(out);
}

cg_tensor *cg_relu(cg_tensor *t) {
    return recorded(&cg_op_relu, t, same_dtype(CG_UN_RELU, t, "Boolean inputs not supported for relu"), SAVE_OUTPUT);
}

void cg_backward_relu(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    out[0] = threshold_backward(grads[0], cg_saved(n, 0), 0);
}

/* d/dgrad: threshold_backward again; d/dself: zeros (piecewise constant). */
void cg_backward_threshold_backward(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    if (cg_needs_grad(n, 0)) out[0] = threshold_backward(grads[0], cg_saved(n, 0), n->scalars[0]);
    if (cg_needs_grad(n, 1)) out[1] = cg_zeros_like(grads[0]);
}

cg_tensor *cg_exp(cg_tensor *t) { return recorded(&cg_op_exp, t, float_valued(CG_UN_EXP, t), SAVE_OUTPUT); }

void cg_backward_exp(cg_node *n, cg_tensor **grads, cg_tensor **out) { out[0] = cg_mul(grads[0], cg_saved(n, 0)); }

cg_tensor *cg_log(cg_tensor *t) { return recorded(&cg_op_log, t, float_valued(CG_UN_LOG, t), SAVE_INPUT); }

void cg_backward_log(cg_node *n, cg_tensor **grads, cg_tensor **out) { out[0] = cg_div(grads[0], cg_saved(n, 0)); }

cg_tensor *cg_log1p(cg_tensor *t) { return recorded(&cg_op_log1p, t, float_valued(CG_UN_LOG1P, t), SAVE_INPUT); }

void cg_backward_log1p(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    out[0] = cg_div(grads[0], cg_add_scalar(cg_saved(n, 0), 1));
}

cg_tensor *cg_sqrt(cg_tensor *t) { return recorded(&cg_op_sqrt, t, float_valued(CG_UN_SQRT, t), SAVE_OUTPUT); }

/* d sqrt(x) = 1 / (2 sqrt(x)) */
void cg_backward_sqrt(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    out[0] = cg_div(grads[0], cg_mul_scalar(cg_saved(n, 0), 2));
}

cg_tensor *cg_sin(cg_tensor *t) { return recorded(&cg_op_sin, t, float_valued(CG_UN_SIN, t), SAVE_INPUT); }

void cg_backward_sin(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    out[0] = cg_mul(grads[0], cg_cos(cg_saved(n, 0)));
}

cg_tensor *cg_cos(cg_tensor *t) { return recorded(&cg_op_cos, t, float_valued(CG_UN_COS, t), SAVE_INPUT); }

void cg_backward_cos(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    out[0] = cg_mul(grads[0], cg_neg(cg_sin(cg_saved(n, 0))));
}

cg_tensor *cg_tan(cg_tensor *t) { return recorded(&cg_op_tan, t, float_valued(CG_UN_TAN, t), SAVE_OUTPUT); }

/* d tan(x) = 1 + tan(x)^2 */
void cg_backward_tan(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    out[0] = cg_mul(grads[0], cg_add_by_scalar(cg_pow_scalar(cg_saved(n, 0), 2), cg_number_int(1)));
}

cg_tensor *cg_tanh(cg_tensor *t) { return recorded(&cg_op_tanh, t, float_valued(CG_UN_TANH, t), SAVE_OUTPUT); }

/* d tanh(x) = 1 - tanh(x)^2: g * (1 - y*y) in one pass, PyTorch's tanh_backward kernel. */
static cg_tensor *tanh_backward(cg_tensor *grad, cg_tensor *y) {
    if (!grad || !y) return NULL;
    cg_tensor *out = NULL;
    cg_dtype dtype = cg_result_type(grad, y);
    CG_NO_GRAD {
        out = cg_is_floating_inline(dtype) ? cg_binary_in(CG_BIN_TANH_BACKWARD, grad, y, dtype)
                                           : cg_mul(grad, cg_rsub_scalar(cg_mul(y, y), 1));
    }
    return recorded_backward_op(&cg_op_tanh_backward, grad, y, out);
}

void cg_backward_tanh(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    out[0] = tanh_backward(grads[0], cg_saved(n, 0));
}

/* d/dgrad: tanh_backward again; d/dy: -2 y grad times the incoming gradient. */
void cg_backward_tanh_backward(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *y = cg_saved(n, 0);
    if (cg_needs_grad(n, 0)) out[0] = tanh_backward(grads[0], y);
    if (cg_needs_grad(n, 1)) out[1] = cg_mul(grads[0], cg_mul(cg_mul_scalar(y, -2), cg_saved(n, 1)));
}

cg_tensor *cg_sigmoid(cg_tensor *t) {
    return recorded(&cg_op_sigmoid, t, float_valued(CG_UN_SIGMOID, t), SAVE_OUTPUT);
}

/* d sigmoid(x) = y (1 - y): g * (1 - y) * y in one pass, PyTorch's sigmoid_backward kernel. */
static cg_tensor *sigmoid_backward(cg_tensor *grad, cg_tensor *y) {
    if (!grad || !y) return NULL;
    cg_tensor *out = NULL;
    cg_dtype dtype = cg_result_type(grad, y);
    CG_NO_GRAD {
        out = cg_is_floating_inline(dtype) ? cg_binary_in(CG_BIN_SIGMOID_BACKWARD, grad, y, dtype)
                                           : cg_mul(cg_mul(grad, cg_rsub_scalar(y, 1)), y);
    }
    return recorded_backward_op(&cg_op_sigmoid_backward, grad, y, out);
}

void cg_backward_sigmoid(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    out[0] = sigmoid_backward(grads[0], cg_saved(n, 0));
}

/* d/dgrad: sigmoid_backward again; d/dy: grad (1 - 2 y) times the incoming gradient. */
void cg_backward_sigmoid_backward(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *y = cg_saved(n, 0);
    if (cg_needs_grad(n, 0)) out[0] = sigmoid_backward(grads[0], y);
    if (cg_needs_grad(n, 1))
        out[1] = cg_mul(cg_mul(grads[0], cg_saved(n, 1)), cg_add_scalar(cg_mul_scalar(y, -2), 1));
}
