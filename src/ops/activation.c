/* torch.nn.functional's activations. Each forward is one kernel (backend/cpu/activation.c) and
 * one node with PyTorch's name, saving its input; each backward is written with differentiable
 * ops, so double backward works (under create_graph the gradient is an alias named as PyTorch's
 * XBackwardBackward0, cg_grad_depending, its history those ops'), but
 * for the piecewise linear ones (leaky_relu, hardtanh, hardsigmoid): their gradient is an op of its
 * own, as PyTorch's, which requires grad when the input does (with a zero derivative there).
 * softsign, tanhshrink and softmin are compositions, as in PyTorch's functional.py. */
#include "autograd/registry.h"
#include "backend/backend.h"
#include "ops/elementwise.h"
#include "ops/grad_depends.h"

/* out = op(t; p) as a new tensor of t's shape and dtype, t floating (else PyTorch's dispatch error
 * naming kernel), recorded as node with t saved in slot 0 and p in the node's scalars. */
static cg_tensor *activation(const cg_op *node, const char *kernel, cg_activation_op op, cg_tensor *t,
                             double p0, double p1, double p2) {
    if (!t) return NULL;
    if (!cg_dtype_is_floating(t->dtype)) {
        cg_set_error("\"%s\" not implemented for '%s'", kernel, cg_dtype_title(t->dtype));
        return NULL;
    }
    /* hardtanh writes into empty_like(t) (PyTorch's hardtanh_out), the others are TensorIterator's */
    cg_tensor *out = t->ndim <= 1 || cg_is_row_major(t) ? cg_new_on(t, t->dtype, t->ndim, t->sizes)
                     : op == CG_ACT_HARDTANH            ? cg_new_like(t, t->dtype)
                                                         : CG_NEW_RESULT(t->dtype, t->ndim, t->sizes, t);
    if (!out) return NULL;
    const double p[3] = {p0, p1, p2};
    CG_KERNEL(out, activation)(op, out, t, p);
    cg_node *n = cg_record(node, out, CG_INPUTS(t));
    if (n) {
        cg_save(n, 0, t);
        for (int i = 0; i < 3; i++) n->scalars[i] = p[i];
    }
    return cg_recorded(out);
}

/* Where PyTorch's backward kernel on g and x runs its vector loop (true) or its scalar tail
 * (cg_kernel_vector_lanes): some formulas differ between the two at a piece's edge or for NaN. */
static cg_tensor *vector_lanes(cg_tensor *g, cg_tensor *x) {
    if (!g || !x) return NULL;
    int64_t sizes[CG_MAX_DIMS];
    int ndim = cg_broadcast_shapes(g->ndim, g->sizes, x->ndim, x->sizes, sizes);
    cg_tensor *mask = ndim < 0 ? NULL : CG_NEW_RESULT(CG_BOOL, ndim, sizes, g, x);
    if (mask) CG_KERNEL(mask, vector_lanes)(mask, g, x, (int64_t)cg_dtype_size(x->dtype));
    return mask;
}

/* cond ? zero : g, the masked gradients of the piecewise ops. */
static cg_tensor *zero_where(cg_tensor *cond, cg_tensor *g) { return cg_where(cond, cg_zero_for(g), g); }

/* The gradient of a piecewise linear activation: g masked and scaled by the pieces of x. */
typedef cg_tensor *(*piece_grad_fn)(cg_tensor *g, cg_tensor *x, const double *p);

/* piece(g, x, p) recorded as op (PyTorch's <Op>BackwardBackward0) of g and x, saving x and p. */
static cg_tensor *piecewise_backward(const cg_op *op, piece_grad_fn piece, cg_tensor *g, cg_tensor *x, const double *p) {
    if (!g || !x) return NULL;
    cg_tensor *out = NULL;
    CG_NO_GRAD { out = piece(g, x, p); }
    cg_node *n = out ? cg_record(op, out, CG_INPUTS(g, x)) : NULL;
    if (n) {
        cg_save(n, 0, x);
        for (int i = 0; i < 3; i++) n->scalars[i] = p[i];
    }
    return cg_recorded(out);
}

/* d/dg: the same gradient of gg; d/dx: zeros (x only picks the pieces). */
static void piecewise_double_backward(cg_node *n, piece_grad_fn piece, cg_tensor **grads, cg_tensor **out) {
    if (cg_needs_grad(n, 0)) out[0] = piecewise_backward(n->op, piece, grads[0], cg_saved(n, 0), n->scalars);
    if (cg_needs_grad(n, 1)) out[1] = cg_zeros_like(grads[0]);
}

cg_tensor *cg_leaky_relu(cg_tensor *t, double negative_slope) {
    return activation(&cg_op_leaky_relu, "leaky_relu_cpu", CG_ACT_LEAKY_RELU, t, negative_slope, 0, 0);
}

static cg_tensor *leaky_relu_piece(cg_tensor *g, cg_tensor *x, const double *p) {
    return cg_where(cg_gt_scalar(x, 0), g, cg_mul_scalar(g, p[0]));
}

void cg_backward_leaky_relu(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    out[0] = piecewise_backward(&cg_op_leaky_relu_backward, leaky_relu_piece, grads[0], cg_saved(n, 0), n->scalars);
}

void cg_backward_leaky_relu_backward(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    piecewise_double_backward(n, leaky_relu_piece, grads, out);
}

cg_tensor *cg_hardtanh(cg_tensor *t, double min_val, double max_val) {
    if (t && t->dtype == CG_BOOL) {
        cg_set_error("Bool inputs not supported for hardtanh");
        return NULL;
    }
    if (t && !cg_dtype_is_floating(t->dtype)) return cg_clamp(t, CG_NUMBER(min_val), CG_NUMBER(max_val));
    return activation(&cg_op_hardtanh, "hardtanh", CG_ACT_HARDTANH, t, min_val, max_val, 0);
}

cg_tensor *cg_relu6(cg_tensor *t) { return cg_hardtanh(t, 0, 6); }

/* grad strictly inside the bounds, else 0, as PyTorch's hardtanh_backward: a NaN x gives 0 in
 * its vector loop and grad in its scalar tail (neither at or below min nor at or above max). */
static cg_tensor *hardtanh_piece(cg_tensor *g, cg_tensor *x, const double *p) {
    cg_tensor *inside = cg_logical_and(cg_gt_scalar(x, p[0]), cg_lt_scalar(x, p[1]));
    cg_tensor *not_outside = cg_logical_not(cg_logical_or(cg_le_scalar(x, p[0]), cg_ge_scalar(x, p[1])));
    return cg_where(cg_where(vector_lanes(g, x), inside, not_outside), g, cg_zero_for(g));
}

void cg_backward_hardtanh(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    out[0] = piecewise_backward(&cg_op_hardtanh_backward, hardtanh_piece, grads[0], cg_saved(n, 0), n->scalars);
}

void cg_backward_hardtanh_backward(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    piecewise_double_backward(n, hardtanh_piece, grads, out);
}

static const double selu_alpha = 1.6732632423543772848170429916717;
static const double selu_scale = 1.0507009873554804934193349852946;

cg_tensor *cg_elu(cg_tensor *t, double alpha) { return activation(&cg_op_elu, "elu_cpu", CG_ACT_ELU, t, alpha, 1, 1); }

cg_tensor *cg_selu(cg_tensor *t) {
    return activation(&cg_op_elu, "elu_cpu", CG_ACT_ELU, t, selu_alpha, selu_scale, 1);
}

cg_tensor *cg_celu(cg_tensor *t, double alpha) {
    return activation(&cg_op_celu, "elu_cpu", CG_ACT_ELU, t, alpha, 1, 1 / alpha);
}

/* x > 0: grad * scale; else grad * input_scale * alpha * scale * exp(x * input_scale). A NaN x takes
 * the second piece in PyTorch's vector loop (x > 0 picks the first), the first in its scalar tail
 * (x <= 0 picks the second). */
void cg_backward_elu(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *x = cg_saved(n, 0), *g = grads[0];
    double alpha = n->scalars[0], scale = n->scalars[1], input_scale = n->scalars[2];
    cg_tensor *negative = cg_mul(cg_mul_scalar(cg_mul_scalar(g, input_scale), alpha * scale),
                                 cg_exp(cg_mul_scalar(x, input_scale)));
    cg_tensor *positive = cg_where(vector_lanes(g, x), cg_gt_scalar(x, 0), cg_logical_not(cg_le_scalar(x, 0)));
    out[0] = cg_grad_depending(&cg_op_elu_depends, cg_where(positive, cg_mul_scalar(g, scale), negative), x, NULL);
}

/* PyTorch's celu backward divides by alpha rounded to float (1.0 / alpha.toFloat()). */
void cg_backward_celu(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    n->scalars[2] = 1.0 / (float)n->scalars[0];
    cg_backward_elu(n, grads, out);
}

cg_tensor *cg_silu(cg_tensor *t) { return activation(&cg_op_silu, "silu_cpu", CG_ACT_SILU, t, 0, 0, 0); }

/* grad * s * (1 + x (1 - s)) with s = sigmoid(x). */
void cg_backward_silu(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *x = cg_saved(n, 0), *s = cg_sigmoid(x);
    out[0] = cg_mul(cg_mul(grads[0], s), cg_add_scalar(cg_mul(x, cg_rsub_scalar(s, 1)), 1));
}

cg_tensor *cg_gelu(cg_tensor *t, const char *approximate) {
    bool tanh_form = approximate && !strcmp(approximate, "tanh");
    if (approximate && !tanh_form && strcmp(approximate, "none")) {
        cg_set_error("approximate argument must be either none or tanh.");
        return NULL;
    }
    return activation(&cg_op_gelu, "GeluKernelImpl", tanh_form ? CG_ACT_GELU_TANH : CG_ACT_GELU, t, tanh_form, 0, 0);
}

/* none: Phi(x) + x phi(x); tanh: d/dx of 0.5 x (1 + tanh(b (x + k x^3))). */
void cg_backward_gelu(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *x = cg_saved(n, 0), *d;
    if (n->scalars[0] == 0) {
        cg_tensor *cdf = cg_mul_scalar(cg_add_scalar(cg_erf(cg_mul_scalar(x, CG_SQRT1_2)), 1), 0.5);
        cg_tensor *pdf = cg_mul_scalar(cg_exp(cg_mul_scalar(cg_mul(x, x), -0.5)), CG_1_OVER_SQRT_2PI);
        d = cg_add(cdf, cg_mul(x, pdf));
    } else {
        const double beta = CG_SQRT_2_OVER_PI, kappa = 0.044715;
        cg_tensor *x2 = cg_mul(x, x);
        cg_tensor *th = cg_tanh(cg_mul_scalar(cg_add(x, cg_mul_scalar(cg_mul(x2, x), kappa)), beta));
        cg_tensor *left = cg_mul_scalar(cg_add_scalar(th, 1), 0.5);
        cg_tensor *right = cg_mul(cg_mul(cg_mul_scalar(x, 0.5), cg_rsub_scalar(cg_mul(th, th), 1)),
                                  cg_mul_scalar(cg_add_scalar(cg_mul_scalar(x2, 3 * kappa), 1), beta));
        d = cg_add(left, right);
    }
    out[0] = cg_grad_depending(&cg_op_gelu_depends, cg_mul(grads[0], d), x, NULL);
}

cg_tensor *cg_softplus(cg_tensor *t, double beta, double threshold) {
    return activation(&cg_op_softplus, "softplus_cpu", CG_ACT_SOFTPLUS, t, beta, threshold, 0);
}

/* grad where x beta > threshold (the linear part), else grad * sigmoid(x beta). */
void cg_backward_softplus(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *xb = cg_mul_scalar(cg_saved(n, 0), n->scalars[0]);
    cg_tensor *grad = cg_where(cg_gt_scalar(xb, n->scalars[1]), grads[0], cg_mul(grads[0], cg_sigmoid(xb)));
    out[0] = cg_grad_depending(&cg_op_softplus_depends, grad, cg_saved(n, 0), NULL);
}

cg_tensor *cg_hardsigmoid(cg_tensor *t) {
    return activation(&cg_op_hardsigmoid, "hardsigmoid_cpu", CG_ACT_HARDSIGMOID, t, 0, 0, 0);
}

/* grad times PyTorch's float constant 1/6 strictly inside (-3, 3), else 0 (a NaN input too). */
static cg_tensor *hardsigmoid_piece(cg_tensor *g, cg_tensor *x, const double *p) {
    (void)p;
    cg_tensor *inside = cg_where(cg_lt_scalar(x, 3), cg_mul_scalar(g, (double)(1.0f / 6.0f)), cg_zero_for(g));
    return cg_where(cg_gt_scalar(x, -3), inside, cg_zero_for(g));
}

void cg_backward_hardsigmoid(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    out[0] = piecewise_backward(&cg_op_hardsigmoid_backward, hardsigmoid_piece, grads[0], cg_saved(n, 0), n->scalars);
}

void cg_backward_hardsigmoid_backward(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    piecewise_double_backward(n, hardsigmoid_piece, grads, out);
}

cg_tensor *cg_hardswish(cg_tensor *t) {
    return activation(&cg_op_hardswish, "hardswish_cpu", CG_ACT_HARDSWISH, t, 0, 0, 0);
}

/* 0 below -3, grad above 3, grad (x / 3 + 0.5) between. PyTorch's vector loop passes grad from 3
 * on (a NaN x takes the middle piece), its scalar tail only above 3 (a NaN x passes grad). */
void cg_backward_hardswish(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *x = cg_saved(n, 0), *g = grads[0];
    cg_tensor *through = cg_where(vector_lanes(g, x), cg_ge_scalar(x, 3), cg_logical_not(cg_le_scalar(x, 3)));
    cg_tensor *middle = cg_where(through, g, cg_mul(g, cg_add_scalar(cg_div_scalar(x, 3), 0.5)));
    out[0] = cg_grad_depending(&cg_op_hardswish_depends, zero_where(cg_lt_scalar(x, -3), middle), x, NULL);
}

cg_tensor *cg_mish(cg_tensor *t) { return activation(&cg_op_mish, "mish_cpu", CG_ACT_MISH, t, 0, 0, 0); }

/* grad (t + x sigmoid(x) (1 - t^2)) with t = tanh(softplus(x)). */
void cg_backward_mish(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *x = cg_saved(n, 0), *t = cg_tanh(cg_softplus(x, 1, 20));
    out[0] = cg_mul(grads[0], cg_add(t, cg_mul(cg_mul(x, cg_sigmoid(x)), cg_rsub_scalar(cg_mul(t, t), 1))));
}

cg_tensor *cg_logsigmoid(cg_tensor *t) {
    return activation(&cg_op_log_sigmoid, "log_sigmoid_cpu", CG_ACT_LOGSIGMOID, t, 0, 0, 0);
}

void cg_backward_log_sigmoid(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *grad = cg_mul(grads[0], cg_sigmoid(cg_neg(cg_saved(n, 0))));
    out[0] = cg_grad_depending(&cg_op_log_sigmoid_depends, grad, cg_saved(n, 0), NULL);
}

cg_tensor *cg_erf(cg_tensor *t) {
    if (t && !cg_dtype_is_floating(t->dtype)) {
        cg_tensor *f = NULL;
        CG_NO_GRAD { f = cg_to(t, CG_FLOAT32); }
        t = f;
    }
    return activation(&cg_op_erf, "erf", CG_ACT_ERF, t, 0, 0, 0);
}

/* d erf(x) = 2 / sqrt(pi) exp(-x^2) */
void cg_backward_erf(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *x = cg_saved(n, 0);
    out[0] = cg_mul(grads[0], cg_mul_scalar(cg_exp(cg_neg(cg_mul(x, x))), CG_2_OVER_SQRTPI));
}

cg_tensor *cg_softsign(cg_tensor *t) { return cg_div(t, cg_add_scalar(cg_abs(t), 1)); }

cg_tensor *cg_tanhshrink(cg_tensor *t) { return cg_sub(t, cg_tanh(t)); }

cg_tensor *cg_softmin(cg_tensor *t, int dim) { return cg_softmax(cg_neg(t), dim); }

/* glu's halves of t along dim (already wrapped). */
static cg_tensor *half(cg_tensor *t, int dim, int which) {
    int64_t h = t->sizes[dim] / 2;
    return cg_narrow(t, dim, which * h, h);
}

cg_tensor *cg_glu(cg_tensor *t, int dim) {
    if (!t) return NULL;
    if (t->ndim == 0) {
        cg_set_error("glu does not support scalars because halving size must be even");
        return NULL;
    }
    int d = cg_wrap_dim(dim, t->ndim);
    if (d < 0) return NULL;
    if (t->sizes[d] % 2) {
        cg_set_error("Halving dimension must be even, but dimension %d is size %lld", d, (long long)t->sizes[d]);
        return NULL;
    }
    if (!cg_dtype_is_floating(t->dtype)) {
        cg_set_error("\"glu_cpu\" not implemented for '%s'", cg_dtype_title(t->dtype));
        return NULL;
    }
    cg_tensor *out = NULL;
    CG_NO_GRAD { out = cg_mul(half(t, d, 0), cg_sigmoid(half(t, d, 1))); }
    cg_node *n = out ? cg_record(&cg_op_glu, out, CG_INPUTS(t)) : NULL;
    if (n) {
        cg_save(n, 0, t);
        n->args[0] = d;
    }
    return cg_recorded(out);
}

/* out = a sigmoid(b): d/da = s, d/db = a s (1 - s), joined back along dim. */
void cg_backward_glu(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *x = cg_saved(n, 0), *g = grads[0];
    int d = (int)n->args[0];
    cg_tensor *a = half(x, d, 0), *s = cg_sigmoid(half(x, d, 1));
    cg_tensor *ga = cg_mul(g, s), *gb = cg_mul(cg_mul(cg_mul(g, a), s), cg_rsub_scalar(s, 1));
    out[0] = cg_cat(CG_LIST(ga, gb), d);
}

/* ta s + a s (1 - s) tb, a and b the halves (tangents ta, tb) and s = sigmoid(b). */
void cg_jvp_glu(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    (void)outs;
    int d = (int)n->args[0];
    cg_tensor *a = half(in[0], d, 0), *s = cg_sigmoid(half(in[0], d, 1));
    cg_tensor *ta = half(tin[0], d, 0), *tb = half(tin[0], d, 1);
    tout[0] = cg_add(cg_mul(ta, s), cg_mul(cg_mul(cg_mul(a, s), cg_rsub_scalar(s, 1)), tb));
}

/* prelu's weight as a tensor that broadcasts against t: its one value, or one per channel (dim 1)
 * viewed as (C, 1, ...); NULL with PyTorch's error when the counts do not fit. */
static cg_tensor *prelu_weight(cg_tensor *t, cg_tensor *weight) {
    if (weight->ndim > 1) {
        cg_set_error("prelu: Expected `weight` to be a scalar or 1D tensor, but got ndim = %d", weight->ndim);
        return NULL;
    }
    int64_t count = cg_numel(weight);
    if (count == 1) return cg_reshape_shape(weight, 0, NULL);
    if (t->ndim == 0) {
        cg_set_error("Not allow zero-dim input tensor.");
        return NULL;
    }
    int64_t channels = t->ndim >= 2 ? t->sizes[1] : 1;
    if (count != channels) {
        cg_set_error("Mismatch of parameter numbers and input channel size. Found parameter numbers = %lld and "
                     "channel size = %lld.",
                     (long long)count, (long long)channels);
        return NULL;
    }
    int64_t sizes[CG_MAX_DIMS];
    for (int d = 0; d < t->ndim - 1; d++) sizes[d] = d == 0 ? count : 1;
    return cg_reshape_shape(weight, t->ndim - 1, sizes);
}

cg_tensor *cg_prelu(cg_tensor *t, cg_tensor *weight) {
    if (!t || !weight) return NULL;
    if (!cg_dtype_is_floating(t->dtype)) {
        cg_set_error("\"prelu_cpu\" not implemented for '%s'", cg_dtype_title(t->dtype));
        return NULL;
    }
    if (weight->dtype != t->dtype) {
        cg_set_error("Found dtype %s but expected %s", cg_dtype_title(weight->dtype), cg_dtype_title(t->dtype));
        return NULL;
    }
    cg_tensor *out = NULL;
    CG_NO_GRAD {
        cg_tensor *w = prelu_weight(t, weight);
        if (w) out = cg_where(cg_gt_scalar(t, 0), t, cg_mul(w, t));
    }
    cg_node *n = out ? cg_record(&cg_op_prelu, out, CG_INPUTS(t, weight)) : NULL;
    if (n) {
        cg_save(n, 0, t);
        cg_save(n, 1, weight);
    }
    return cg_recorded(out);
}

/* x > 0: grad, else weight * grad; the weight's gradient sums x * grad where x <= 0 over all but
 * the channel dim. */
void cg_backward_prelu(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *x = cg_saved(n, 0), *weight = cg_saved(n, 1), *g = grads[0];
    if (!x || !weight) return;
    cg_tensor *w = prelu_weight(x, weight), *positive = cg_gt_scalar(x, 0);
    if (cg_needs_grad(n, 0)) out[0] = cg_where(positive, g, cg_mul(w, g));
    if (cg_needs_grad(n, 1)) {
        cg_tensor *part = zero_where(positive, cg_mul(x, g));
        if (cg_numel(weight) == 1 || !part) {
            out[1] = cg_reshape_shape(cg_sum(part), weight->ndim, weight->sizes);
        } else {
            cg_reduce_args args = {.input = part};
            for (int d = 0; d < part->ndim; d++)
                if (d != 1) args.dims[args.ndims++] = d;
            out[1] = cg_sum_opts(args);
        }
    }
    for (int i = 0; i < 2; i++) out[i] = cg_grad_depending(&cg_op_prelu_depends, out[i], x, weight);
}

/* tx where x > 0, else w tx + tw x (the weight's tangent broadcast as the weight). */
void cg_jvp_prelu(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    (void)n;
    (void)outs;
    cg_tensor *x = in[0], *w = prelu_weight(x, in[1]), *positive = cg_gt_scalar(x, 0);
    cg_tensor *tx = cg_tangent_or_zeros(x, tin[0], x->dtype);
    cg_tensor *negative = cg_mul(w, tx);
    if (tin[1]) negative = cg_add(negative, cg_mul(prelu_weight(x, tin[1]), x));
    tout[0] = cg_where(positive, tx, negative);
}
