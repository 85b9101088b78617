/* Losses and the softmax family, as torch.nn.functional computes them in PyTorch 1.13:
 * binary_cross_entropy_with_logits, mse_loss, l1_loss, softmax, log_softmax, nll_loss, cross_entropy.
 *
 * A forward is composed of cgrad ops run without recording, in PyTorch's order of operations, so
 * float32 values round as PyTorch's do (up to its vectorized exp, log and sums, within an ulp or
 * two); nll_loss sums with PyTorch's cascade. softmax and log_softmax, and their backward, are
 * PyTorch's kernels (backend/cpu/softmax.c), with its bits. Then the op records its one node under
 * PyTorch's name; the backward, next to it, is written with cgrad ops, so it can be differentiated
 * again. */
#include "autograd/registry.h"
#include "backend/backend.h"
#include "ops/elementwise.h"
#include "ops/loss.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- shared pieces ---- */

/* Python's _Reduction.get_enum refuses other values (before anything else is checked). */
int loss_check_reduction(cg_reduction r) {
    if (r == CG_REDUCTION_MEAN || r == CG_REDUCTION_SUM || r == CG_REDUCTION_NONE) return 0;
    cg_set_value_error("%d is not a valid value for reduction", (int)r);
    return -1;
}

cg_tensor *loss_reduce(cg_tensor *loss, cg_reduction r) {
    return r == CG_REDUCTION_MEAN ? cg_mean(loss) : r == CG_REDUCTION_SUM ? cg_sum(loss) : loss;
}

/* A loss's node keeps its reduction in args[0] and, for mean, the count it divides by in scalars[0]. */
cg_node *loss_record(const cg_op *op, cg_tensor *out, int n, cg_tensor **inputs, cg_reduction r,
                            double count) {
    cg_node *node = out ? cg_record(op, out, n, inputs) : NULL;
    if (node) {
        node->args[0] = r;
        node->scalars[0] = count;
    }
    return node;
}

/* The gradient of a mean reduction is spread over its count; others pass through. */
cg_tensor *loss_per_element(const cg_node *n, cg_tensor *grad_input) {
    return n->args[0] == CG_REDUCTION_MEAN ? cg_div_by_count(grad_input, n->scalars[0]) : grad_input;
}

static bool same_shape(const cg_tensor *a, const cg_tensor *b) {
    return cg_same_shape(a->ndim, a->sizes, b->ndim, b->sizes);
}

static bool same_strides(const cg_tensor *a, const int64_t *strides) {
    return memcmp(a->strides, strides, a->ndim * sizeof strides[0]) == 0;
}

/* r, computed out of place, laid out as PyTorch's in-place steps on the first temporary leave it
 * (an empty input or size-1 dims can tell them apart). Outside grad mode only: under create_graph
 * a copy would enter the graph. */
static cg_tensor *laid_out_as(cg_tensor *r, cg_tensor *first) {
    if (!r || !first || r == first || cg_grad_mode_on() || same_strides(r, first->strides)) return r;
    return cg_copy_(first, r) == 0 ? first : NULL;
}

/* t laid out as a fresh contiguous tensor, as the backward kernels that PyTorch runs into
 * zeros_like(input, LEGACY_CONTIGUOUS_MEMORY_FORMAT) give (sizes 0 and 1 included). */
static cg_tensor *contiguous_layout(cg_tensor *t) {
    int64_t strides[CG_MAX_DIMS];
    if (t) cg_contiguous_strides(t->ndim, t->sizes, strides);
    return !t || same_strides(t, strides) ? t : cg_clone_contiguous(t);
}

/* PyTorch refuses a weight that requires grad for the losses that do not differentiate it. */
static int check_not_differentiable(const char *fn, const char *arg, const cg_tensor *t) {
    if (!t || !cg_grad_mode_on() || !cg_requires_grad(t)) return 0;
    cg_set_error("The function '%s' is not differentiable with respect to argument '%s'. This input cannot have "
                 "requires_grad True.", fn, arg);
    return -1;
}

/* ---- binary_cross_entropy_with_logits ---- */

/* PyTorch computes the loss with in-place ops on its temporaries, so the dtypes it refuses are
 * those of its first failing step: -input, 1 - target, then an integer temporary that cannot hold
 * a floating result. */
static int check_bce_dtypes(const cg_tensor *x, const cg_tensor *t) {
    if (x->dtype == CG_BOOL) return cg_neg((cg_tensor *)x) ? 0 : -1;
    if (t->dtype == CG_BOOL) return cg_check_sub_dtypes(CG_BOOL, CG_BOOL, true); /* 1 - t: "two bool tensors" */
    if (!cg_dtype_is_floating(x->dtype) || !cg_dtype_is_floating(t->dtype)) {
        cg_dtype result = t->dtype == CG_INT64 && cg_dtype_is_floating(x->dtype) ? x->dtype : CG_FLOAT32;
        cg_set_error("result type %s can't be cast to the desired output type Long", cg_dtype_title(result));
        return -1;
    }
    return 0;
}

/* The nodes of binary_cross_entropy(_with_logits) keep input, target, weight and pos_weight in
 * saved[0..3], the reduction in args[0], the count mean divides by in scalars[0]. */
static void save_bce(cg_node *n, cg_tensor *x, cg_tensor *t, cg_tensor *w, cg_tensor *pw) {
    cg_save(n, 0, x);
    cg_save(n, 1, t);
    cg_save(n, 2, w);
    cg_save(n, 3, pw);
}

cg_tensor *cg_binary_cross_entropy_with_logits_opts(cg_loss_args a) {
    cg_tensor *x = a.input, *t = a.target, *w = a.weight, *pw = a.pos_weight;
    if (!x || !t || loss_check_reduction(a.reduction) < 0) return NULL;
    if (!same_shape(x, t)) {
        cg_set_value_error("Target size (torch.Size(%s)) must be the same as input size (torch.Size(%s))",
                           cg_shape_text(t->ndim, t->sizes).s, cg_shape_text(x->ndim, x->sizes).s);
        return NULL;
    }
    if (check_bce_dtypes(x, t) < 0 ||
        check_not_differentiable("binary_cross_entropy_with_logits", "weight", w) < 0 ||
        check_not_differentiable("binary_cross_entropy_with_logits", "pos_weight", pw) < 0)
        return NULL;
    cg_tensor *loss = NULL;
    CG_NO_GRAD { /* (1 - t) * x + lw * (log(exp(-max_val) + exp(-x - max_val)) + max_val), max_val =
                  * max(-x, 0), lw = 1 + (pos_weight - 1) * t (1 without pos_weight, added first).
                  * The terms are in x's dtype; PyTorch adds them up in place into (1 - t), so each
                  * step of the sum is rounded to the target's dtype. */
        cg_tensor *max_val = cg_clamp(cg_neg(x), 0, CG_NO_BOUND);
        cg_tensor *log_term = cg_log(cg_add(cg_exp(cg_neg(max_val)), cg_exp(cg_sub(cg_neg(x), max_val))));
        cg_tensor *acc = cg_to(cg_mul(cg_rsub_scalar(t, 1), x), t->dtype);
        if (pw) {
            cg_tensor *log_weight = cg_add_scalar(cg_mul(cg_sub_scalar(pw, 1), t), 1);
            acc = cg_to(cg_add(acc, cg_mul(log_weight, cg_add(log_term, max_val))), t->dtype);
        } else {
            acc = cg_to(cg_add(cg_to(cg_add(acc, max_val), t->dtype), log_term), t->dtype);
        }
        if (acc && w) {
            int64_t shape[CG_MAX_DIMS]; /* loss.mul_(weight): the weight broadcasts to the loss */
            int ndim = cg_broadcast_shapes(acc->ndim, acc->sizes, w->ndim, w->sizes, shape);
            acc = ndim < 0 ? NULL : cg_same_shape(ndim, shape, acc->ndim, acc->sizes) ? cg_to(cg_mul(acc, w), acc->dtype) : NULL;
            if (ndim >= 0 && !acc)
                cg_set_error("output with shape %s doesn't match the broadcast shape %s", cg_shape_text(x->ndim, x->sizes).s,
                             cg_shape_text(ndim, shape).s);
        }
        loss = acc ? loss_reduce(acc, a.reduction) : NULL;
    }
    cg_node *n = loss_record(&cg_op_binary_cross_entropy_with_logits, loss, CG_INPUTS(x, t), a.reduction,
                             (double)x->numel);
    if (n) save_bce(n, x, t, w, pw); /* both gradient formulas read both: PyTorch keeps them */
    return cg_recorded(loss);
}

/* d/dx = (sigmoid(x) - t) * grad, with pos_weight ((pw t + 1 - t) sigmoid(x) - pw t) * grad;
 * d/dt = -x * grad, with pos_weight (log_sigmoid(-x) - pw log_sigmoid(x)) * grad; each times
 * the weight and over N for mean. PyTorch builds d/dx in place (sub_ and mul_ unless grad mode is
 * on, as with create_graph; div_ for mean), d/dt with div_ for mean: their version counters count
 * those writes. */
void cg_backward_binary_cross_entropy_with_logits(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *x = cg_saved(n, 0), *t = cg_saved(n, 1), *w = cg_saved(n, 2), *pw = cg_saved(n, 3);
    bool mean = n->args[0] == CG_REDUCTION_MEAN, plain = !pw && !w;
    if (cg_needs_grad(n, 0)) {
        cg_tensor *s = cg_sigmoid(x), *g;
        if (pw) {
            cg_tensor *pt = cg_mul(pw, t);
            g = cg_mul(cg_sub(cg_mul(cg_sub(cg_add_scalar(pt, 1), t), s), pt), grads[0]);
        } else {
            g = cg_mul(cg_sub(s, t), grads[0]);
        }
        out[0] = loss_per_element(n, w ? cg_mul(g, w) : g);
        if (plain) out[0] = laid_out_as(out[0], s);
        if (out[0] && plain) out[0]->storage->version = (cg_grad_mode_on() ? 0 : 2) + mean;
    }
    if (cg_needs_grad(n, 1)) {
        cg_tensor *g = pw ? cg_mul(cg_sub(cg_logsigmoid(cg_neg(x)), cg_mul(cg_logsigmoid(x), pw)), grads[0])
                          : cg_mul(cg_neg(x), grads[0]);
        out[1] = loss_per_element(n, w ? cg_mul(g, w) : g);
        if (plain) out[1] = laid_out_as(out[1], g);
        if (out[1] && plain) out[1]->storage->version = mean;
    }
}

/* ---- binary_cross_entropy ---- */

/* r (row-major) in the layout of empty_like(like), which PyTorch's kernels write into: a fresh
 * tensor (v=0, the copy is the kernel's). */
static cg_tensor *in_layout_of(cg_tensor *r, const cg_tensor *like) {
    if (!r || cg_is_row_major(like) || !cg_is_non_overlapping_and_dense(like)) return r;
    cg_tensor *out = cg_new_like(like, r->dtype);
    if (!out || cg_copy_(out, r) < 0) return NULL;
    out->storage->version = 0;
    return out;
}

/* PyTorch 1.13's kernel: the pointwise loss (a scalar loop with libm's log, backend/cpu/nll.c),
 * times the weight in place, then the reduction. */
cg_tensor *cg_binary_cross_entropy_opts(cg_loss_args a) {
    cg_tensor *x = a.input, *t = a.target, *w = a.weight;
    if (!x || !t || loss_check_reduction(a.reduction) < 0) return NULL;
    if (!same_shape(x, t)) {
        cg_set_value_error("Using a target size (torch.Size(%s)) that is different to the input size (torch.Size(%s)) "
                           "is deprecated. Please ensure they have the same size.",
                           cg_shape_text(t->ndim, t->sizes).s, cg_shape_text(x->ndim, x->sizes).s);
        return NULL;
    }
    if (!cg_dtype_is_floating(x->dtype)) {
        cg_set_error("\"binary_cross_entropy\" not implemented for '%s'", cg_dtype_title(x->dtype));
        return NULL;
    }
    if (t->dtype != x->dtype) {
        cg_set_error("Found dtype %s but expected %s", cg_dtype_title(t->dtype), cg_dtype_title(x->dtype));
        return NULL;
    }
    if (check_not_differentiable("binary_cross_entropy", "weight", w) < 0) return NULL;
    const cg_backend *be = CG_LENIENT_BACKEND(x, t);
    cg_tensor *loss = NULL;
    CG_NO_GRAD {
        cg_tensor *xc = be ? cg_contiguous(x) : NULL, *tc = xc ? cg_contiguous(t) : NULL;
        cg_tensor *pointwise = tc ? cg_new_tensor_on(be, x->dtype, x->ndim, x->sizes) : NULL;
        if (pointwise && CG_KERNEL(pointwise, binary_cross_entropy)(pointwise, xc, tc) < 0) pointwise = NULL;
        if (pointwise && w) {
            int64_t shape[CG_MAX_DIMS]; /* loss.mul_(weight) */
            int ndim = cg_broadcast_shapes(x->ndim, x->sizes, w->ndim, w->sizes, shape);
            if (ndim >= 0 && !cg_same_shape(ndim, shape, x->ndim, x->sizes))
                cg_set_error("output with shape %s doesn't match the broadcast shape %s",
                             cg_shape_text(x->ndim, x->sizes).s, cg_shape_text(ndim, shape).s);
            pointwise = ndim >= 0 && cg_same_shape(ndim, shape, x->ndim, x->sizes) ? cg_to(cg_mul(pointwise, w), x->dtype) : NULL;
        }
        pointwise = in_layout_of(pointwise, x); /* loss = empty_like(input) */
        loss = pointwise ? loss_reduce(pointwise, a.reduction) : NULL;
    }
    cg_node *n = loss_record(&cg_op_binary_cross_entropy, loss, CG_INPUTS(x, t), a.reduction, (double)x->numel);
    if (n) save_bce(n, x, t, w, NULL);
    return cg_recorded(loss);
}

/* PyTorch's binary_cross_entropy_backward, grad (x - t) / max((1 - x) x, 1e-12) (a float 1e-12, also for float64), and its
 * target_backward, -logit(x) grad; each times the weight, over N for mean. Written with
 * cgrad ops, so they can be differentiated again. */
void cg_backward_binary_cross_entropy(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *x = cg_saved(n, 0), *t = cg_saved(n, 1), *w = cg_saved(n, 2);
    if (cg_needs_grad(n, 0)) {
        cg_tensor *g = cg_div(cg_mul(grads[0], cg_sub(x, t)), cg_clamp(cg_mul(cg_rsub_scalar(x, 1), x), (double)1e-12f, CG_NO_BOUND));
        out[0] = loss_per_element(n, w ? cg_mul(g, w) : g);
    }
    if (cg_needs_grad(n, 1)) {
        cg_tensor *g = cg_mul(cg_neg(cg_log(cg_div(x, cg_rsub_scalar(x, 1)))), grads[0]);
        out[1] = loss_per_element(n, w ? cg_mul(g, w) : g);
    }
}

/* ---- mse_loss ---- */

/* mse_loss and l1_loss as PyTorch runs them: the target-size warning, torch.broadcast_tensors'
 * shape, then the reduction's check (in that order). Returns the broadcast ndim, or -1. */
int loss_broadcast_operands(cg_tensor *x, cg_tensor *t, cg_reduction reduction, int64_t *shape) {
    if (!same_shape(x, t)) {
        cg_warn("Using a target size (torch.Size(%s)) that is different to the input size (torch.Size(%s)). This "
                "will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.",
                cg_shape_text(t->ndim, t->sizes).s, cg_shape_text(x->ndim, x->sizes).s);
    }
    int ndim = cg_broadcast_shapes(x->ndim, x->sizes, t->ndim, t->sizes, shape);
    return ndim < 0 || loss_check_reduction(reduction) < 0 ? -1 : ndim;
}


cg_tensor *cg_mse_loss_opts(cg_loss_args a) {
    cg_tensor *x = a.input, *t = a.target;
    if (!x || !t) return NULL;
    /* The broadcast operands promote as tensors of one shape (a 0-dim float64 input makes a
     * float64 loss). */
    int64_t shape[CG_MAX_DIMS];
    int ndim = loss_broadcast_operands(x, t, a.reduction, shape);
    if (ndim < 0) return NULL;
    cg_dtype dtype = cg_promote_types(x->dtype, t->dtype);
    if (!cg_dtype_is_floating(dtype)) {
        cg_set_error("\"mse_cpu\" not implemented for '%s'", cg_dtype_title(dtype));
        return NULL;
    }
    /* torch.broadcast_tensors: an operand of another shape is expanded (ExpandBackward0) */
    cg_tensor *xe = cg_same_shape(x->ndim, x->sizes, ndim, shape) ? x : cg_expand_shape(x, ndim, shape);
    cg_tensor *te = cg_same_shape(t->ndim, t->sizes, ndim, shape) ? t : cg_expand_shape(t, ndim, shape);
    if (!xe || !te) return NULL;
    cg_tensor *loss = NULL;
    CG_NO_GRAD {
        /* squared in place: PyTorch's one TensorIterator lays the loss out as the difference */
        cg_tensor *diff = cg_sub(cg_to(xe, dtype), cg_to(te, dtype));
        if (diff) CG_KERNEL(diff, binary)(CG_BIN_MUL, diff, diff, diff);
        loss = loss_reduce(diff, a.reduction);
    }
    cg_node *n = loss_record(&cg_op_mse_loss, loss, CG_INPUTS(xe, te), a.reduction, (double)xe->numel);
    if (n) {
        cg_save(n, 0, xe);
        cg_save(n, 1, te);
    }
    return cg_recorded(loss);
}

/* PyTorch's mse_loss_backward as an op of its own (MseLossBackwardBackward0): 2 (x - t) grad, with
 * 2/N for mean, in PyTorch's order. numel is N. */
static cg_tensor *mse_loss_backward(cg_tensor *grad, cg_tensor *x, cg_tensor *t, cg_reduction r, double numel) {
    if (!grad || !x || !t) return NULL;
    cg_tensor *out = NULL;
    CG_NO_GRAD {
        out = contiguous_layout(cg_mul(cg_mul_scalar(cg_sub(x, t), r == CG_REDUCTION_MEAN ? 2.0 / numel : 2.0), grad));
    }
    cg_node *n = loss_record(&cg_op_mse_loss_backward, out, CG_INPUTS(grad, x, t), r, numel);
    if (n) {
        cg_save(n, 0, grad);
        cg_save(n, 1, x);
        cg_save(n, 2, t);
    }
    return cg_recorded(out);
}

/* d/dx = mse_loss_backward(grad, x, t), d/dt = mse_loss_backward(grad, t, x). */
void cg_backward_mse_loss(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *x = cg_saved(n, 0), *t = cg_saved(n, 1);
    if (!x || !t) return;
    if (x->dtype != t->dtype) { /* the forward promotes; PyTorch's backward kernel wants one dtype */
        bool first = cg_needs_grad(n, 0);
        cg_set_error("Found dtype %s but expected %s", cg_dtype_title((first ? t : x)->dtype),
                     cg_dtype_title((first ? x : t)->dtype));
        return;
    }
    cg_reduction r = (cg_reduction)n->args[0];
    if (cg_needs_grad(n, 0)) out[0] = mse_loss_backward(grads[0], x, t, r, n->scalars[0]);
    if (cg_needs_grad(n, 1)) out[1] = mse_loss_backward(grads[0], t, x, r, n->scalars[0]);
}

/* PyTorch's mse_loss_double_backward and mse_loss_double_backward_grad_output. */
void cg_backward_mse_loss_backward(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *gg = grads[0], *grad = cg_saved(n, 0), *x = cg_saved(n, 1), *t = cg_saved(n, 2);
    cg_reduction r = (cg_reduction)n->args[0];
    double numel = n->scalars[0];
    if (cg_needs_grad(n, 0))
        out[0] = r == CG_REDUCTION_NONE ? mse_loss_backward(gg, x, t, r, numel)
                 : grad ? cg_sum(cg_mul(mse_loss_backward(cg_ones_like(grad), x, t, r, numel), gg)) : NULL;
    cg_tensor *scaled = cg_mul_scalar(cg_mul(gg, grad), 2);
    if (r == CG_REDUCTION_MEAN) scaled = cg_div_by_count(scaled, numel);
    if (cg_needs_grad(n, 1)) out[1] = scaled;
    if (cg_needs_grad(n, 2)) out[2] = cg_neg(scaled);
}

/* ---- l1_loss ---- */

/* PyTorch 1.13's l1_loss is composite: abs(input - target), reduced (AbsBackward0 under
 * MeanBackward0 or SumBackward0), after torch.broadcast_tensors as in mse_loss. */
cg_tensor *cg_l1_loss_opts(cg_loss_args a) {
    cg_tensor *x = a.input, *t = a.target;
    if (!x || !t) return NULL;
    int64_t shape[CG_MAX_DIMS];
    int ndim = loss_broadcast_operands(x, t, a.reduction, shape);
    if (ndim < 0) return NULL;
    cg_tensor *xe = cg_same_shape(x->ndim, x->sizes, ndim, shape) ? x : cg_expand_shape(x, ndim, shape);
    cg_tensor *te = cg_same_shape(t->ndim, t->sizes, ndim, shape) ? t : cg_expand_shape(t, ndim, shape);
    return xe && te ? loss_reduce(cg_abs(cg_sub(xe, te)), a.reduction) : NULL;
}

/* ---- softmax, log_softmax ---- */

static cg_tensor *softmax_like(const cg_op *op, cg_tensor *t, int dim, bool log) {
    if (!t) return NULL;
    int d = cg_wrap_dim(dim, t->ndim);
    if (d < 0) return NULL;
    bool last = t->ndim == 0 || d == t->ndim - 1;
    if (!cg_dtype_is_floating(t->dtype) && t->numel > 0) { /* an empty input is copied before PyTorch dispatches on its dtype */
        const char *kernel = !last ? "softmax_kernel_impl" : log ? "log_softmax_lastdim_kernel_impl" : "softmax_lastdim_kernel_impl";
        cg_set_error("\"%s\" not implemented for '%s'", kernel, cg_dtype_title(t->dtype));
        return NULL;
    }
    cg_tensor *out = NULL;
    CG_NO_GRAD { /* PyTorch's kernels read a contiguous input and write a fresh row-major result */
        cg_tensor *x = t->numel ? cg_contiguous(t) : t;
        out = x ? cg_new_on(t, t->dtype, t->ndim, t->sizes) : NULL;
        if (out && t->numel) CG_KERNEL(out, softmax)(out, x, d, log);
    }
    cg_node *n = out ? cg_record(op, out, CG_INPUTS(t)) : NULL;
    if (n) {
        n->args[0] = d;
        cg_save(n, 0, out);
    }
    return cg_recorded(out);
}

cg_tensor *cg_softmax(cg_tensor *t, int dim) { return softmax_like(&cg_op_softmax, t, dim, false); }
cg_tensor *cg_log_softmax(cg_tensor *t, int dim) { return softmax_like(&cg_op_log_softmax, t, dim, true); }

/* PyTorch's _softmax_backward_data and _log_softmax_backward_data as ops of their own
 * (SoftmaxBackwardDataBackward0, LogSoftmaxBackwardDataBackward0): y * (g - sum(g * y)) and
 * g - exp(y) * sum(g) along dim, y the forward's output. */
static cg_tensor *softmax_backward_data(const cg_op *op, cg_tensor *grad, cg_tensor *y, int dim) {
    if (!grad || !y) return NULL;
    cg_tensor *out = NULL;
    bool log = op == &cg_op_log_softmax_backward_data;
    CG_NO_GRAD {
        if (grad->dtype == y->dtype && cg_same_shape(grad->ndim, grad->sizes, y->ndim, y->sizes)) {
            cg_tensor *g = CG_CHECK_SAME_DEVICE(grad, y) == 0 ? cg_contiguous(grad) : NULL;
            cg_tensor *yc = g ? cg_contiguous(y) : NULL;
            out = yc ? cg_new_on(y, y->dtype, y->ndim, y->sizes) : NULL;
            if (out && y->numel) CG_KERNEL(out, softmax_backward)(out, g, yc, cg_wrap_dim(dim, y->ndim), log);
        } else if (!log) { /* a gradient of another dtype or shape: composed, promoting as PyTorch */
            out = cg_mul(y, cg_sub(grad, cg_sum(cg_mul(grad, y), CG_DIMS(dim), .keepdim = true)));
        } else {
            out = cg_sub(grad, cg_mul(cg_exp(y), cg_sum(grad, CG_DIMS(dim), .keepdim = true)));
        }
    }
    cg_node *n = out ? cg_record(op, out, CG_INPUTS(grad, y)) : NULL;
    if (n) {
        n->args[0] = dim;
        cg_save(n, 0, grad);
        cg_save(n, 1, y);
    }
    return cg_recorded(out);
}

void cg_backward_softmax(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    out[0] = softmax_backward_data(&cg_op_softmax_backward_data, grads[0], cg_saved(n, 0), (int)n->args[0]);
}

void cg_backward_log_softmax(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    out[0] = softmax_backward_data(&cg_op_log_softmax_backward_data, grads[0], cg_saved(n, 0), (int)n->args[0]);
}

/* t - sum(softmax t) along dim, softmax = exp of the result. */
void cg_jvp_log_softmax(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    (void)in;
    int dim = (int)n->args[0];
    tout[0] = cg_sub(tin[0], cg_sum(cg_mul(cg_exp(outs[0]), tin[0]), CG_DIMS(dim), .keepdim = true));
}

static cg_tensor *sum_along(cg_tensor *t, int dim) { return cg_sum(t, CG_DIMS(dim), .keepdim = true); }

/* d/dgrad: softmax_backward_data again; d/dy: PyTorch's softmax_double_backward,
 * g gg - sum(y g) gg - g sum(y gg). */
void cg_backward_softmax_backward_data(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *gg = grads[0], *g = cg_saved(n, 0), *y = cg_saved(n, 1);
    int dim = (int)n->args[0];
    if (cg_needs_grad(n, 0)) out[0] = softmax_backward_data(&cg_op_softmax_backward_data, gg, y, dim);
    if (cg_needs_grad(n, 1))
        out[1] = cg_sub(cg_sub(cg_mul(g, gg), cg_mul(sum_along(cg_mul(y, g), dim), gg)),
                        cg_mul(g, sum_along(cg_mul(y, gg), dim)));
}

/* d/dgrad: gg - sum(gg exp(y)); d/dy: -sum(g) exp(y) gg (PyTorch's formulas). */
void cg_backward_log_softmax_backward_data(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *gg = grads[0], *g = cg_saved(n, 0), *y = cg_saved(n, 1);
    int dim = (int)n->args[0];
    if (cg_needs_grad(n, 0)) out[0] = cg_sub(gg, sum_along(cg_mul(gg, cg_exp(y)), dim));
    if (cg_needs_grad(n, 1)) out[1] = cg_mul(cg_mul(cg_neg(sum_along(g, dim)), cg_exp(y)), gg);
}

/* ---- nll_loss ---- */

/* The option as an int64 (clamped to its range, where the cast would be undefined; NaN is -100). */
static int64_t ignore_index_of(cg_loss_args a) {
    double v = a.ignore_index.value;
    if (!a.ignore_index.given || isnan(v)) return -100;
    return v >= 0x1p63 ? INT64_MAX : v < -0x1p63 ? INT64_MIN : (int64_t)v;
}

/* The checks of PyTorch's nll_loss and nll_loss2d kernels for 1-, 2- and 4-dim input, in its
 * order and words. */
static int check_nll(const cg_tensor *x, const cg_tensor *t, const cg_tensor *w) {
    if (x->ndim == 4) {
        if (t->ndim != 3) {
            cg_set_error("only batches of spatial targets supported (3D tensors) but got targets of dimension: %d", t->ndim);
            return -1;
        }
        if (w && w->numel != x->sizes[1]) {
            cg_set_error("weight tensor should be defined either for all or no classes");
            return -1;
        }
        if (x->sizes[0] != t->sizes[0] || x->sizes[2] != t->sizes[1] || x->sizes[3] != t->sizes[2]) {
            cg_set_error("size mismatch (got input: %s , target: %s", cg_shape_text(x->ndim, x->sizes).s,
                         cg_shape_text(t->ndim, t->sizes).s);
            return -1;
        }
    } else {
        if (t->ndim > 1) {
            cg_set_error("0D or 1D target tensor expected, multi-target not supported");
            return -1;
        }
        if (x->ndim == 1 && t->ndim == 1 && x->sizes[0] != t->sizes[0]) {
            cg_set_error("size mismatch (got input: %s, target: %s)", cg_shape_text(x->ndim, x->sizes).s,
                         cg_shape_text(t->ndim, t->sizes).s);
            return -1;
        }
        int64_t classes = x->sizes[x->ndim - 1];
        if (w && (w->ndim > 1 || w->numel != classes)) {
            cg_set_error("weight tensor should be defined either for all %lld classes or no classes but got weight "
                         "tensor of shape: %s", (long long)classes, cg_shape_text(w->ndim, w->sizes).s);
            return -1;
        }
    }
    if (!cg_dtype_is_floating(x->dtype)) {
        cg_set_error("\"nll_loss%s_out_frame\" not implemented for '%s'", x->ndim == 4 ? "2d_forward" : "",
                     cg_dtype_title(x->dtype));
        return -1;
    }
    if (w && w->dtype != x->dtype) {
        cg_set_error("expected scalar type %s but found %s", cg_dtype_title(x->dtype), cg_dtype_title(w->dtype));
        return -1;
    }
    return 0;
}

/* PyTorch's kernels read the targets as int64 only when there are targets to read: the forward of
 * an empty batch reduced to one value takes any dtype, its backward never does. */
static int check_target_dtype(const cg_tensor *t, bool reads) {
    if (t->dtype == CG_INT64 || !reads) return 0;
    cg_set_error("expected scalar type Long but found %s", cg_dtype_title(t->dtype));
    return -1;
}

/* v rounded to the dtype: float32 sums done in double and rounded after every step round exactly
 * as float32 arithmetic does. */
static double in_dtype(double v, cg_dtype dtype) { return dtype == CG_FLOAT32 ? (double)(float)v : v; }

/* The loops' plan for self (1-, 2- or 4-dim) and its contiguous targets; targets is malloc'd
 * (freed by the caller, also on failure). */
static int nll_plan(const cg_backend *be, const cg_tensor *self, const cg_tensor *t, const cg_tensor *w,
                    int64_t ignore_index, cg_nll_plan *p) {
    int64_t map = self->ndim == 4 ? self->sizes[2] * self->sizes[3] : 1;
    *p = (cg_nll_plan){.n = self->ndim == 1 ? 1 : self->sizes[0] * map, .classes = self->sizes[1 % self->ndim],
                       .map = map, .weight = w, .ignore_index = ignore_index};
    if (self->ndim == 1) p->classes = self->sizes[0];
    p->targets = cg_malloc(sizeof(int64_t) * (size_t)(p->n ? p->n : 1));
    return p->targets && be->nll_targets(t, p, p->targets) == 0 ? 0 : -1;
}

/* The forward in numbers: per position for reduction none on (N, C) or (N, C, H, W) input, else
 * one value; *total_weight gets the sum that mean divides by. */
static cg_tensor *nll_forward(const cg_backend *be, cg_tensor *x, const cg_nll_plan *p, cg_reduction r,
                              double *total_weight) {
    *total_weight = 0;
    if (r == CG_REDUCTION_NONE && x->ndim != 1) {
        int64_t sizes[3] = {x->sizes[0], x->ndim == 4 ? x->sizes[2] : 0, x->ndim == 4 ? x->sizes[3] : 0};
        cg_tensor *out = cg_new_tensor_on(be, x->dtype, x->ndim == 4 ? 3 : 1, sizes);
        if (out) CG_KERNEL(out, nll_forward_rows)(out, x, p);
        return out;
    }
    double value;
    if (p->n == 0) /* PyTorch: the mean of nothing is nan */
        value = r == CG_REDUCTION_MEAN ? NAN : 0;
    else {
        value = be->nll_forward_sum(x, p, total_weight);
        if (r == CG_REDUCTION_MEAN) value = in_dtype(value / *total_weight, x->dtype);
    }
    cg_tensor *out = cg_new_tensor_on(be, x->dtype, 0, NULL);
    if (out) CG_KERNEL(out, fill)(out, cg_number_float(value));
    return out;
}

/* A node of nll_loss or its backward keeps the target in saved[0], the weight in saved[2], and
 * reduction, ignore_index in args[0], args[1]; the total weight in scalars[0]. */
static void save_nll(cg_node *n, cg_tensor *t, cg_tensor *w, cg_reduction r, int64_t ignore_index, double total_weight) {
    if (!n) return;
    cg_save(n, 0, t);
    cg_save(n, 2, w);
    n->args[0] = r;
    n->args[1] = ignore_index;
    n->scalars[0] = total_weight;
}

/* PyTorch's nll_loss_backward and nll_loss2d_backward, ops of their own (NllLossBackwardBackward0
 * in double-backward graphs): zeros of self's shape with -weight * grad (over the total weight for
 * mean; grad per position for reduction none) written at each position's target. Nothing is
 * multiplied by a mask, so the other places stay +0 whatever the gradient (inf included). */
static cg_tensor *nll_loss_backward(cg_tensor *grad, cg_tensor *self, cg_tensor *t, cg_tensor *w, cg_reduction r,
                                    int64_t ignore_index, double total_weight) {
    if (!grad || !self || !t || check_target_dtype(t, true) < 0) return NULL;
    if (CG_CHECK_SAME_DEVICE(grad, self, t) < 0) return NULL;
    const cg_backend *be = cg_backend_of(self);
    cg_tensor *out = cg_new_tensor_on(be, self->dtype, self->ndim, self->sizes), *g = NULL;
    cg_nll_plan plan = {0};
    bool per_row = r == CG_REDUCTION_NONE && self->ndim != 1;
    CG_NO_GRAD { g = cg_contiguous(grad); }
    if (out && g && nll_plan(be, self, t, w, ignore_index, &plan) == 0) {
        CG_KERNEL(out, fill)(out, cg_number_int(0));
        CG_KERNEL(out, nll_backward)(out, g, &plan, per_row, r == CG_REDUCTION_MEAN, total_weight);
    } else {
        out = NULL;
    }
    cg_free(plan.targets);
    const cg_op *op = self->ndim == 4 ? &cg_op_nll_loss2d_backward : &cg_op_nll_loss_backward;
    save_nll(cg_record(op, out, CG_INPUTS(grad, self)), t, w, r, ignore_index, total_weight);
    return cg_recorded(out);
}

/* nll_loss (1- or 2-dim input) or nll_loss2d (4-dim), checked and recorded under its name. */
static cg_tensor *nll_op(cg_tensor *x, cg_tensor *t, cg_tensor *w, int64_t ignore_index, cg_reduction r) {
    const cg_backend *be = CG_LENIENT_BACKEND(x, t);
    if (!be || check_nll(x, t, w) < 0 || check_not_differentiable("nll_loss_forward", "weight", w) < 0 ||
        check_target_dtype(t, t->numel > 0 || (r == CG_REDUCTION_NONE && x->ndim != 1)) < 0)
        return NULL;
    cg_tensor *out = NULL, *xc = NULL, *tc = NULL, *wc = NULL;
    cg_nll_plan plan = {0};
    double total_weight = 0;
    CG_NO_GRAD { /* PyTorch's kernels read contiguous operands */
        xc = cg_contiguous(x);
        tc = cg_contiguous(t);
        wc = w ? cg_contiguous(w) : NULL;
    }
    if (xc && tc && (!w || wc) && (t->dtype != CG_INT64 || nll_plan(be, x, tc, wc, ignore_index, &plan) == 0))
        out = nll_forward(be, xc, &plan, r, &total_weight);
    cg_free(plan.targets);
    cg_node *n = out ? cg_record(x->ndim == 4 ? &cg_op_nll_loss2d : &cg_op_nll_loss, out, CG_INPUTS(x)) : NULL;
    save_nll(n, tc, wc, r, ignore_index, total_weight);
    if (n) cg_save(n, 1, x);
    return cg_recorded(out);
}

/* PyTorch's nll_loss_nd: checks, then nll_loss, nll_loss2d, or (3 dims, more than 4) nll_loss2d of
 * contiguous (N, C, 1, -1) views. */
cg_tensor *cg_nll_loss_opts(cg_loss_args a) {
    cg_tensor *x = a.input, *t = a.target;
    if (!x || !t || loss_check_reduction(a.reduction) < 0) return NULL;
    if (x->ndim < 1) {
        cg_set_value_error("Expected 1 or more dimensions (got %d)", x->ndim);
        return NULL;
    }
    int64_t target_batch = t->ndim ? t->sizes[0] : 0; /* what PyTorch reads for a 0-dim target */
    if (x->ndim != 1 && x->sizes[0] != target_batch) {
        cg_set_value_error("Expected input batch_size (%lld) to match target batch_size (%lld).", (long long)x->sizes[0],
                           (long long)target_batch);
        return NULL;
    }
    int64_t ignore_index = ignore_index_of(a);
    if (x->ndim <= 2 || x->ndim == 4) return nll_op(x, t, a.weight, ignore_index, a.reduction);
    int64_t out_size[CG_MAX_DIMS];
    out_size[0] = x->sizes[0];
    for (int d = 2; d < x->ndim; d++) out_size[d - 1] = x->sizes[d];
    if (!cg_same_shape(t->ndim, t->sizes, x->ndim - 1, out_size)) {
        cg_set_error("Expected target size %s, got %s", cg_shape_text(x->ndim - 1, out_size).s,
                     cg_shape_text(t->ndim, t->sizes).s);
        return NULL;
    }
    int64_t n = x->sizes[0], c = x->sizes[1];
    bool empty_x = x->numel == 0, empty_t = t->numel == 0;
    cg_tensor *x4 = cg_view(cg_contiguous(x), n, c, empty_x ? 0 : 1, empty_x ? 0 : -1);
    cg_tensor *t3 = cg_view(cg_contiguous(t), n, empty_t ? 0 : 1, empty_t ? 0 : -1);
    if (!x4 || !t3) return NULL;
    cg_tensor *out = nll_op(x4, t3, a.weight, ignore_index, a.reduction);
    return a.reduction == CG_REDUCTION_NONE ? cg_view_shape(out, x->ndim - 1, out_size) : out;
}

static void backward_nll(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    out[0] = nll_loss_backward(grads[0], cg_saved(n, 1), cg_saved(n, 0), cg_saved(n, 2), (cg_reduction)n->args[0],
                               n->args[1], n->scalars[0]);
}
void cg_backward_nll_loss(cg_node *n, cg_tensor **grads, cg_tensor **out) { backward_nll(n, grads, out); }
void cg_backward_nll_loss2d(cg_node *n, cg_tensor **grads, cg_tensor **out) { backward_nll(n, grads, out); }

/* d/dgrad: nll_loss of the incoming gradient (the adjoint of picking); d/dself: zeros. */
static void backward_nll_backward(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_reduction r = (cg_reduction)n->args[0];
    if (cg_needs_grad(n, 0))
        out[0] = nll_op(grads[0], cg_saved(n, 0), cg_saved(n, 2), n->args[1], r);
    if (cg_needs_grad(n, 1)) out[1] = cg_zeros_like(grads[0]);
}
void cg_backward_nll_loss_backward(cg_node *n, cg_tensor **grads, cg_tensor **out) { backward_nll_backward(n, grads, out); }

/* nll_loss is linear in its input: the same loss of the tangent. */
void cg_jvp_nll_loss(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    (void)in;
    (void)outs;
    tout[0] = nll_op(tin[0], cg_saved(n, 0), cg_saved(n, 2), n->args[1], (cg_reduction)n->args[0]);
}
void cg_backward_nll_loss2d_backward(cg_node *n, cg_tensor **grads, cg_tensor **out) { backward_nll_backward(n, grads, out); }

/* ---- cross_entropy ---- */

/* weight viewed as (1, C, 1, ...) against an input of ndim dims (as is for 1 dim). */
static cg_tensor *class_weight_view(cg_tensor *w, int ndim) {
    if (ndim <= 1) return w;
    int64_t shape[CG_MAX_DIMS];
    for (int d = 0; d < ndim; d++) shape[d] = 1;
    shape[1] = w->numel;
    return cg_view_shape(w, ndim, shape);
}

/* Targets of the input's shape are class probabilities (a floating t, checked by the caller):
 * -(log_softmax(x) * t [* weight]) summed over the classes, the mean taken over the other
 * elements, as PyTorch composes it; label smoothing mixes t with the uniform distribution. */
static cg_tensor *cross_entropy_probabilities(cg_tensor *x, cg_tensor *t, int class_dim, cg_loss_args a) {
    int64_t classes = x->ndim ? x->sizes[class_dim] : 1;
    if (a.weight && (a.weight->ndim != 1 || a.weight->numel != classes)) {
        cg_set_error("cross_entropy: weight tensor should be defined either for all %lld classes or no classes but got "
                     "weight tensor of shape: %s", (long long)classes, cg_shape_text(a.weight->ndim, a.weight->sizes).s);
        return NULL;
    }
    cg_tensor *log_probs = cg_log_softmax(x, class_dim);
    if (a.label_smoothing > 0) t = cg_add_scalar(cg_mul_scalar(t, 1 - a.label_smoothing), a.label_smoothing / (double)classes);
    cg_tensor *products = cg_mul(log_probs, t);
    if (a.weight) products = cg_mul(products, class_weight_view(a.weight, x->ndim));
    if (a.reduction == CG_REDUCTION_NONE) return cg_neg(cg_sum(products, CG_DIMS(class_dim)));
    if (products && a.reduction == CG_REDUCTION_MEAN && x->numel == 0) { /* PyTorch fills the sum with nan */
        cg_tensor *total = cg_sum(products);
        return total && cg_fill_(total, NAN) == 0 ? cg_neg(total) : NULL;
    }
    cg_tensor *total = cg_neg(cg_sum(products));
    if (a.reduction == CG_REDUCTION_SUM || !total) return total;
    return cg_div_by_count(total, (double)(x->numel / classes));
}

/* The kept targets' weights (PyTorch: weight.gather(0, target.masked_select(~ignore_mask))),
 * summed: what a weighted mean divides by. */
static cg_tensor *kept_weight_sum(cg_tensor *w, cg_tensor *t, int64_t ignore_index) {
    cg_tensor *tc = cg_contiguous(cg_to(t, CG_INT64));
    if (!tc) return NULL;
    int64_t kept = 0, *picked = cg_malloc(sizeof(int64_t) * (size_t)(tc->numel ? tc->numel : 1));
    if (!picked) return NULL;
    int status = 0;
    for (int64_t i = 0; i < tc->numel && status == 0; i++) {
        int64_t v = (int64_t)cg_read_element(tc, tc->offset + i, &status);
        if (v != ignore_index) picked[kept++] = v;
    }
    cg_tensor *index = status == 0 ? cg_tensor_i64(picked, kept) : NULL;
    cg_free(picked);
    return cg_sum(cg_index_select(w, 0, index));
}

/* PyTorch's cross_entropy_loss_label_smoothing: (1 - s) nll + s / C times the mean (or sum) of
 * -sum(log_probs [* weight]) over the classes, ignored targets masked out. */
static cg_tensor *cross_entropy_smoothed(cg_tensor *x, int class_dim, cg_loss_args a) {
    int64_t ignore_index = ignore_index_of(a);
    cg_tensor *log_probs = cg_log_softmax(x, class_dim);
    cg_tensor *nll = cg_nll_loss_opts((cg_loss_args){log_probs, a.target, a.reduction, .weight = a.weight,
                                                     .ignore_index = a.ignore_index});
    if (!nll) return NULL;
    int64_t classes = x->sizes[class_dim];
    cg_tensor *weighted = a.weight ? cg_mul(log_probs, class_weight_view(a.weight, x->ndim)) : log_probs;
    cg_tensor *smooth = cg_neg(cg_sum(weighted, CG_DIMS(class_dim)));
    cg_tensor *ignored = cg_eq_scalar(a.target, ignore_index);
    smooth = cg_masked_fill(smooth, ignored, 0.0);
    cg_tensor *ret = smooth;
    if (a.reduction == CG_REDUCTION_SUM) ret = cg_sum(smooth);
    if (a.reduction == CG_REDUCTION_MEAN)
        ret = cg_div(cg_sum(smooth), a.weight ? kept_weight_sum(a.weight, a.target, ignore_index)
                                              : cg_sum(cg_ne_scalar(a.target, ignore_index)));
    return cg_add(cg_mul_by_scalar(nll, cg_number_float(1 - a.label_smoothing)),
                  cg_mul_by_scalar(ret, cg_number_float(a.label_smoothing / (double)classes)));
}

cg_tensor *cg_cross_entropy_opts(cg_loss_args a) {
    if (!a.input || !a.target || loss_check_reduction(a.reduction) < 0) return NULL;
    int class_dim = a.input->ndim == 1 ? 0 : 1;
    if (same_shape(a.input, a.target)) {
        if (!cg_dtype_is_floating(a.target->dtype)) {
            cg_set_error("Expected floating point type for target with class probabilities, got %s",
                         cg_dtype_title(a.target->dtype));
            return NULL;
        }
        if (ignore_index_of(a) >= 0) {
            cg_set_error("ignore_index is not supported for floating point target");
            return NULL;
        }
    }
    if (a.label_smoothing > 1.0) {
        cg_set_error("label_smoothing must be between 0.0 and 1.0. Got: %g", a.label_smoothing);
        return NULL;
    }
    if (same_shape(a.input, a.target)) return cross_entropy_probabilities(a.input, a.target, class_dim, a);
    if (a.label_smoothing > 0) return cross_entropy_smoothed(a.input, class_dim, a);
    a.input = cg_log_softmax(a.input, class_dim);
    return cg_nll_loss_opts(a);
}
