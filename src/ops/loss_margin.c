/* Margin and embedding losses as PyTorch 1.13 composes them (ATen's Loss.cpp and
 * torch/nn/functional.py): margin_ranking_loss, hinge_embedding_loss, cosine_embedding_loss,
 * triplet_margin_loss, multilabel_soft_margin_loss; soft_margin_loss is an op of its own
 * (SoftMarginLossBackward0). Their clamp_min_ / clamp_min steps are ATen's (ClampMinBackward0, the
 * in-place ones bumping the version). */
#include "ops/elementwise.h"
#include "ops/loss.h"

#include <math.h>

static double margin_or(cg_loss_args a, double fallback) { return a.margin.given ? a.margin.value : fallback; }

/* t.clamp_min_(0), t a fresh result: t, or NULL. */
static cg_tensor *clamp_min_zero_(cg_tensor *t) { return t && cg_clamp_min_number_(t, cg_number_int(0)) == 0 ? t : NULL; }

/* max(0, -y (x1 - x2) + margin) */
cg_tensor *cg_margin_ranking_loss_opts(cg_loss_args a) {
    if (!a.input || !a.input2 || !a.target || loss_check_reduction(a.reduction) < 0) return NULL;
    /* F.margin_ranking_loss's own check, before any broadcasting. */
    if (a.input->ndim != a.input2->ndim || a.input->ndim != a.target->ndim) {
        cg_set_error("margin_ranking_loss : All input tensors should have same dimension but got sizes: input1: "
                     "torch.Size(%s), input2: torch.Size(%s), target: torch.Size(%s) ",
                     cg_shape_text(a.input->ndim, a.input->sizes).s, cg_shape_text(a.input2->ndim, a.input2->sizes).s,
                     cg_shape_text(a.target->ndim, a.target->sizes).s);
        return NULL;
    }
    cg_tensor *d = cg_add_scalar(cg_mul(cg_neg(a.target), cg_sub(a.input, a.input2)), margin_or(a, 0));
    return loss_reduce(clamp_min_zero_(d), a.reduction);
}

/* where(y != 1, max(margin - x, 0), 0) + where(y != -1, x, 0) */
cg_tensor *cg_hinge_embedding_loss_opts(cg_loss_args a) {
    cg_tensor *x = a.input, *y = a.target;
    if (!x || !y || loss_check_reduction(a.reduction) < 0) return NULL;
    cg_tensor *zeros = cg_zeros_like(x);
    cg_tensor *margin_clamp = clamp_min_zero_(cg_rsub_scalar(x, margin_or(a, 1)));
    cg_tensor *out = cg_add(cg_where(cg_ne_scalar(y, 1), margin_clamp, zeros), cg_where(cg_ne_scalar(y, -1), x, zeros));
    return loss_reduce(out, a.reduction);
}

/* cos = sum(x1 x2) / sqrt((sum(x1 x1) + 1e-12) (sum(x2 x2) + 1e-12)) along the last dim; 1 - cos
 * where y is 1, max(cos - margin, 0) where y is -1, else 0. */
cg_tensor *cg_cosine_embedding_loss_opts(cg_loss_args a) {
    cg_tensor *x1 = a.input, *x2 = a.input2, *y = a.target;
    if (!x1 || !x2 || !y || loss_check_reduction(a.reduction) < 0) return NULL;
    int d = y->ndim;
    if (d > 1) {
        cg_set_error("0D or 1D target tensor expected, multi-target not supported");
        return NULL;
    }
    if (x1->ndim != d + 1 || x2->ndim != d + 1) {
        cg_set_error("%dD target tensor expects %dD input tensors, but found inputs with sizes %s and %s.", d, d + 1,
                     cg_shape_text(x1->ndim, x1->sizes).s, cg_shape_text(x2->ndim, x2->sizes).s);
        return NULL;
    }
    const double eps = 1e-12; /* PyTorch's EPSILON */
    cg_tensor *prod_sum = cg_sum(cg_mul(x1, x2), CG_DIMS(d));
    cg_tensor *mag1 = cg_add_scalar(cg_sum(cg_mul(x1, x1), CG_DIMS(d)), eps);
    cg_tensor *mag2 = cg_add_scalar(cg_sum(cg_mul(x2, x2), CG_DIMS(d)), eps);
    cg_tensor *cos = cg_div(prod_sum, cg_sqrt(cg_mul(mag1, mag2)));
    cg_tensor *zeros = cg_zeros_like(cos);
    cg_tensor *pos = cg_rsub_scalar(cos, 1), *neg = clamp_min_zero_(cg_sub_scalar(cos, margin_or(a, 0)));
    cg_tensor *out = cg_add(cg_where(cg_eq_scalar(y, 1), pos, zeros), cg_where(cg_eq_scalar(y, -1), neg, zeros));
    return loss_reduce(out, a.reduction);
}

/* max(margin + d(a, p) - d(a, n), 0), d = pairwise_distance(., ., p, 1e-6). */
cg_tensor *cg_triplet_margin_loss_opts(cg_loss_args a) {
    cg_tensor *anchor = a.input, *positive = a.input2, *negative = a.target;
    if (!anchor || !positive || !negative || loss_check_reduction(a.reduction) < 0) return NULL;
    if (anchor->ndim != positive->ndim || anchor->ndim != negative->ndim) {
        cg_set_error("All inputs should have same dimension but got %dD, %dD and %dD inputs.", anchor->ndim,
                     positive->ndim, negative->ndim);
        return NULL;
    }
    double p = a.p.given ? a.p.value : 2, eps = 1e-6;
    cg_tensor *dist_pos = cg_pairwise_distance(anchor, positive, p, eps, false);
    cg_tensor *dist_neg = cg_pairwise_distance(anchor, negative, p, eps, false);
    if (a.swap) dist_neg = cg_minimum(dist_neg, cg_pairwise_distance(positive, negative, p, eps, false));
    cg_tensor *out = cg_clamp_min_number(cg_sub(cg_add_scalar(dist_pos, margin_or(a, 1)), dist_neg), cg_number_int(0));
    return loss_reduce(out, a.reduction);
}

/* PyTorch 1.13's kernel: log(exp(-x * y) + 1) in place (not log1p: a tiny exp(-x * y) gives 0), then
 * the reduction. */
cg_tensor *cg_soft_margin_loss_opts(cg_loss_args a) {
    cg_tensor *x = a.input, *y = a.target;
    if (!x || !y || loss_check_reduction(a.reduction) < 0) return NULL;
    if (cg_grad_mode_on() && cg_requires_grad(y)) {
        cg_set_error("The function 'soft_margin_loss' is not differentiable with respect to argument 'target'. This "
                     "input cannot have requires_grad True.");
        return NULL;
    }
    int64_t shape[CG_MAX_DIMS]; /* ATen's neg(input).mul_(target): the target broadcasts to the input only */
    int ndim = cg_broadcast_shapes(x->ndim, x->sizes, y->ndim, y->sizes, shape);
    if (ndim < 0) return NULL;
    if (!cg_same_shape(ndim, shape, x->ndim, x->sizes)) {
        cg_set_error("output with shape %s doesn't match the broadcast shape %s", cg_shape_text(x->ndim, x->sizes).s,
                     cg_shape_text(ndim, shape).s);
        return NULL;
    }
    cg_tensor *loss = NULL;
    CG_NO_GRAD { loss = loss_reduce(cg_log(cg_add_scalar(cg_exp(cg_mul(cg_neg(x), y)), 1)), a.reduction); }
    cg_node *n = loss_record(&cg_op_soft_margin_loss, loss, CG_INPUTS(x), a.reduction, (double)x->numel);
    if (n) {
        cg_save(n, 0, x);
        cg_save(n, 1, y);
    }
    return cg_recorded(loss);
}

/* PyTorch's soft_margin_loss_backward: -norm y z / (1 + z) grad, z = exp(-y x), norm 1/N for mean. */
void cg_backward_soft_margin_loss(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *x = cg_saved(n, 0), *y = cg_saved(n, 1);
    double norm = n->args[0] == CG_REDUCTION_MEAN ? 1.0 / n->scalars[0] : 1.0;
    cg_tensor *z = cg_exp(cg_mul(cg_neg(y), x));
    out[0] = cg_mul(cg_div(cg_mul(cg_mul_scalar(y, -norm), z), cg_add_scalar(z, 1)), grads[0]);
}

/* F.multilabel_soft_margin_loss: the per-class loss summed over the last dim over C, then reduced. */
cg_tensor *cg_multilabel_soft_margin_loss_opts(cg_loss_args a) {
    cg_tensor *x = a.input, *y = a.target;
    if (!x || !y) return NULL;
    cg_tensor *loss = cg_neg(cg_add(cg_mul(y, cg_logsigmoid(x)), cg_mul(cg_rsub_scalar(y, 1), cg_logsigmoid(cg_neg(x)))));
    if (a.weight) loss = cg_mul(loss, a.weight);
    if (loss && x->ndim == 0) { /* Python's input.size(-1) */
        cg_set_index_error("Dimension specified as -1 but tensor has no dimensions");
        return NULL;
    }
    int class_dim = x->ndim - 1;
    int64_t classes = x->ndim ? x->sizes[class_dim] : 1;
    loss = cg_div_scalar(cg_sum(loss, CG_DIMS(class_dim)), classes);
    if (a.reduction != CG_REDUCTION_MEAN && a.reduction != CG_REDUCTION_SUM && a.reduction != CG_REDUCTION_NONE) {
        cg_set_value_error("%d is not valid", (int)a.reduction);
        return NULL;
    }
    return loss_reduce(loss, a.reduction);
}
