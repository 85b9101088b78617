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

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- shared pieces ---- */

/* Python's _Reduction.get_enum refuses other values (before anything else is checked). */
static int check_reduction(cg_reduction r) {
    if (r == CG_REDUCTION_MEAN || r == CG_REDUCTION_SUM || r == CG_REDUCTION_NONE) return 0;
    cg_set_value_error("%d is not a valid value for reduction", (int)r);
    return -1;
}

static cg_tensor *reduce_loss(cg_tensor *loss, cg_reduction r) {
    return r == CG_REDUCTION_MEAN ? cg_mean(loss) : r == CG_REDUCTION_SUM ? cg_sum(loss) : loss;
}

/* A loss's node keeps its reduction in args[0] and, for mean, the count it divides by in scalars[0]. */
static cg_node *record_loss(const cg_op *op, cg_tensor *out, int n, cg_tensor **inputs, cg_reduction r,
                            double count) {
    cg_node *node = out ? cg_record(op, out, n, inputs) : NULL;
    if (node) {
        node->args[0] = r;
        node->scalars[0] = count;
    }
    return node;
}

/* The gradient of a mean reduction is spread over its count; others pass through. */
static cg_tensor *per_element(const cg_node *n, cg_tensor *grad_input) {
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

cg_tensor *cg_binary_cross_entropy_with_logits_opts(cg_loss_args a) {
    cg_tensor *x = a.input, *t = a.target;
    if (!x || !t || check_reduction(a.reduction) < 0) return NULL;
    if (!same_shape(x, t)) {
        cg_set_value_error("Target size (torch.Size(%s)) must be the same as input size (torch.Size(%s))",
                           cg_shape_text(t->ndim, t->sizes).s, cg_shape_text(x->ndim, x->sizes).s);
        return NULL;
    }
    if (check_bce_dtypes(x, t) < 0) return NULL;
    cg_tensor *loss = NULL;
    CG_NO_GRAD { /* (1 - t) * x + max_val + log(exp(-max_val) + exp(-x - max_val)), max_val = max(-x, 0).
                  * The terms are in x's dtype; PyTorch adds them up in place into (1 - t), so each
                  * step of the sum is rounded to the target's dtype. */
        cg_tensor *max_val = cg_clamp(cg_neg(x), 0, CG_NO_BOUND);
        cg_tensor *log_term = cg_log(cg_add(cg_exp(cg_neg(max_val)), cg_exp(cg_sub(cg_neg(x), max_val))));
        cg_tensor *acc = cg_to(cg_mul(cg_rsub_scalar(t, 1), x), t->dtype);
        acc = cg_to(cg_add(acc, max_val), t->dtype);
        loss = reduce_loss(cg_to(cg_add(acc, log_term), t->dtype), a.reduction);
    }
    cg_node *n = record_loss(&cg_op_binary_cross_entropy_with_logits, loss, CG_INPUTS(x, t), a.reduction,
                             (double)x->numel);
    if (n) {
        cg_save(n, 0, x);
        cg_save(n, 1, t); /* both gradient formulas read both: PyTorch keeps them */
    }
    return cg_recorded(loss);
}

/* d/dx = sigmoid(x) - t, d/dt = -x (times the gradient, over N for mean). PyTorch builds d/dx in
 * place (sub_ and mul_ unless grad mode is on, as with create_graph; div_ for mean), d/dt with div_
 * for mean: their version counters count those writes. */
void cg_backward_binary_cross_entropy_with_logits(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *x = cg_saved(n, 0);
    bool mean = n->args[0] == CG_REDUCTION_MEAN;
    if (cg_needs_grad(n, 0)) {
        cg_tensor *s = cg_sigmoid(x);
        out[0] = laid_out_as(per_element(n, cg_mul(cg_sub(s, cg_saved(n, 1)), grads[0])), s);
        if (out[0]) out[0]->storage->version = (cg_grad_mode_on() ? 0 : 2) + mean;
    }
    if (cg_needs_grad(n, 1)) {
        cg_tensor *d = cg_mul(cg_neg(x), grads[0]);
        out[1] = laid_out_as(per_element(n, d), d);
        if (out[1]) out[1]->storage->version = mean;
    }
}

/* ---- mse_loss ---- */

/* mse_loss and l1_loss as PyTorch runs them: the target-size warning, torch.broadcast_tensors'
 * shape, then the reduction's check (in that order). Returns the broadcast ndim, or -1. */
static int broadcast_loss_operands(cg_tensor *x, cg_tensor *t, cg_reduction reduction, int64_t *shape) {
    if (!same_shape(x, t)) {
        cg_warn("Using a target size (torch.Size(%s)) that is different to the input size (torch.Size(%s)). This "
                "will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.",
                cg_shape_text(t->ndim, t->sizes).s, cg_shape_text(x->ndim, x->sizes).s);
    }
    int ndim = cg_broadcast_shapes(x->ndim, x->sizes, t->ndim, t->sizes, shape);
    return ndim < 0 || check_reduction(reduction) < 0 ? -1 : ndim;
}


cg_tensor *cg_mse_loss_opts(cg_loss_args a) {
    cg_tensor *x = a.input, *t = a.target;
    if (!x || !t) return NULL;
    /* The broadcast operands promote as tensors of one shape (a 0-dim float64 input makes a
     * float64 loss). */
    int64_t shape[CG_MAX_DIMS];
    int ndim = broadcast_loss_operands(x, t, a.reduction, shape);
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
        loss = reduce_loss(diff, a.reduction);
    }
    cg_node *n = record_loss(&cg_op_mse_loss, loss, CG_INPUTS(xe, te), a.reduction, (double)xe->numel);
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
    cg_node *n = record_loss(&cg_op_mse_loss_backward, out, CG_INPUTS(grad, x, t), r, numel);
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
    int ndim = broadcast_loss_operands(x, t, a.reduction, shape);
    if (ndim < 0) return NULL;
    cg_tensor *xe = cg_same_shape(x->ndim, x->sizes, ndim, shape) ? x : cg_expand_shape(x, ndim, shape);
    cg_tensor *te = cg_same_shape(t->ndim, t->sizes, ndim, shape) ? t : cg_expand_shape(t, ndim, shape);
    return xe && te ? reduce_loss(cg_abs(cg_sub(xe, te)), a.reduction) : NULL;
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

#define IGNORE_INDEX (-100) /* PyTorch's default ignore_index */

/* The checks of PyTorch's nll_loss_nd and nll_loss, in its order and words. */
static int check_nll(const cg_tensor *x, const cg_tensor *t) {
    if (x->ndim < 1) {
        cg_set_value_error("Expected 1 or more dimensions (got %d)", x->ndim);
        return -1;
    }
    int64_t target_batch = t->ndim ? t->sizes[0] : 0; /* what PyTorch reads for a 0-dim target */
    if (x->ndim != 1 && x->sizes[0] != target_batch) {
        cg_set_value_error("Expected input batch_size (%lld) to match target batch_size (%lld).", (long long)x->sizes[0],
                           (long long)target_batch);
        return -1;
    }
    if (x->ndim > 2) {
        cg_set_error("nll_loss: cgrad supports 1-D and 2-D input, got %dD", x->ndim);
        return -1;
    }
    if (t->ndim > 1) {
        cg_set_error("0D or 1D target tensor expected, multi-target not supported");
        return -1;
    }
    if (x->ndim == 1 && t->ndim == 1 && x->sizes[0] != t->sizes[0]) {
        cg_set_error("size mismatch (got input: %s, target: %s)", cg_shape_text(x->ndim, x->sizes).s,
                     cg_shape_text(t->ndim, t->sizes).s);
        return -1;
    }
    if (!cg_dtype_is_floating(x->dtype)) {
        cg_set_error("\"nll_loss_out_frame\" not implemented for '%s'", cg_dtype_title(x->dtype));
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

/* The forward in numbers: per row for reduction none on 2-D input, else one value. */
static cg_tensor *nll_forward(const cg_backend *be, cg_tensor *x, const int64_t *targets, int64_t rows, int64_t kept,
                              cg_reduction r) {
    if (r == CG_REDUCTION_NONE && x->ndim == 2) {
        cg_tensor *out = cg_new_tensor_on(be, x->dtype, 1, &rows);
        if (out) CG_KERNEL(out, nll_forward_rows)(out, x, targets);
        return out;
    }
    double value;
    if (rows == 0) /* PyTorch: the mean of nothing is nan */
        value = r == CG_REDUCTION_MEAN ? NAN : 0;
    else {
        value = be->nll_forward_sum(x, targets, rows);
        if (r == CG_REDUCTION_MEAN) value = in_dtype(value / (double)kept, x->dtype);
    }
    cg_tensor *out = cg_new_tensor_on(be, x->dtype, 0, NULL);
    if (out) CG_KERNEL(out, fill)(out, cg_number_float(value));
    return out;
}

/* PyTorch's nll_loss_backward, an op of its own (NllLossBackwardBackward0 in double-backward
 * graphs): zeros of self's shape with -grad (over the kept rows for mean; grad[b] per row for
 * reduction none) written at each row's target. Nothing is multiplied by a mask, so the other
 * places stay +0 whatever the gradient (inf included). */
static cg_tensor *nll_loss_backward(cg_tensor *grad, cg_tensor *self, cg_tensor *t, cg_reduction r, double kept) {
    if (!grad || !self || !t || check_target_dtype(t, true) < 0) return NULL;
    if (CG_CHECK_SAME_DEVICE(grad, self, t) < 0) return NULL;
    cg_tensor *out = cg_new_tensor_on(cg_backend_of(self), self->dtype, self->ndim, self->sizes);
    if (!out) return NULL;
    CG_KERNEL(out, fill)(out, cg_number_int(0));
    bool per_row = r == CG_REDUCTION_NONE && self->ndim == 2;
    CG_KERNEL(out, nll_backward)(out, grad, t, per_row, r == CG_REDUCTION_MEAN, kept);
    cg_node *n = cg_record(&cg_op_nll_loss_backward, out, CG_INPUTS(grad, self));
    if (n) {
        cg_save(n, 0, t);
        n->args[0] = r;
    }
    return cg_recorded(out);
}

cg_tensor *cg_nll_loss_opts(cg_loss_args a) {
    cg_tensor *x = a.input, *t = a.target;
    const cg_backend *be = x && t ? CG_LENIENT_BACKEND(x, t) : NULL;
    if (!be || check_reduction(a.reduction) < 0 || check_nll(x, t) < 0 ||
        check_target_dtype(t, t->numel > 0 || (a.reduction == CG_REDUCTION_NONE && x->ndim == 2)) < 0)
        return NULL;
    int64_t rows = x->ndim == 2 ? x->sizes[0] : 1, classes = x->sizes[x->ndim - 1], kept;
    int64_t *targets = cg_malloc(sizeof(int64_t) * (size_t)(rows ? rows : 1));
    if (!targets) return NULL;
    cg_tensor *out = be->nll_targets(t, rows, classes, targets, &kept) < 0 ? NULL : nll_forward(be, x, targets, rows, kept, a.reduction);
    cg_free(targets);
    cg_node *n = record_loss(&cg_op_nll_loss, out, CG_INPUTS(x), a.reduction, (double)kept);
    if (n) {
        cg_save(n, 0, t);
        cg_save(n, 1, x);
    }
    return cg_recorded(out);
}

void cg_backward_nll_loss(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    out[0] = nll_loss_backward(grads[0], cg_saved(n, 1), cg_saved(n, 0), (cg_reduction)n->args[0], n->scalars[0]);
}

/* d/dgrad: nll_loss of the incoming gradient (the adjoint of picking); d/dself: zeros. */
void cg_backward_nll_loss_backward(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_reduction r = (cg_reduction)n->args[0];
    if (cg_needs_grad(n, 0)) out[0] = cg_nll_loss(grads[0], cg_saved(n, 0), .reduction = r);
    if (cg_needs_grad(n, 1)) out[1] = cg_zeros_like(grads[0]);
}

/* ---- cross_entropy ---- */


/* Targets of the input's shape are class probabilities (a floating t, checked by the caller):
 * -(log_softmax(x) * t) summed over the classes, the mean taken over the other elements, as
 * PyTorch composes it. */
static cg_tensor *cross_entropy_probabilities(cg_tensor *log_probs, cg_tensor *t, int class_dim, cg_reduction r) {
    cg_tensor *products = cg_mul(log_probs, t);
    if (r == CG_REDUCTION_NONE) return cg_neg(cg_sum(products, CG_DIMS(class_dim)));
    if (products && r == CG_REDUCTION_MEAN && log_probs->numel == 0) { /* PyTorch fills the sum with nan */
        cg_tensor *total = cg_sum(products);
        return total && cg_fill_(total, NAN) == 0 ? cg_neg(total) : NULL;
    }
    cg_tensor *total = cg_neg(cg_sum(products));
    if (r == CG_REDUCTION_SUM || !total) return total;
    int64_t classes = log_probs->ndim ? log_probs->sizes[class_dim] : 1;
    return cg_div_by_count(total, (double)(log_probs->numel / classes));
}

cg_tensor *cg_cross_entropy_opts(cg_loss_args a) {
    if (!a.input || !a.target || check_reduction(a.reduction) < 0) return NULL;
    int class_dim = a.input->ndim == 1 ? 0 : 1;
    if (same_shape(a.input, a.target)) {
        if (!cg_dtype_is_floating(a.target->dtype)) {
            cg_set_error("Expected floating point type for target with class probabilities, got %s",
                         cg_dtype_title(a.target->dtype));
            return NULL;
        }
        return cross_entropy_probabilities(cg_log_softmax(a.input, class_dim), a.target, class_dim, a.reduction);
    }
    return cg_nll_loss_opts((cg_loss_args){cg_log_softmax(a.input, class_dim), a.target, a.reduction});
}
