/* F.ctc_loss: PyTorch's composite over its _ctc_loss op (CtcLossBackward0): the unbatched input
 * unsqueezed, zero_infinity's where, mean's division by the clamped target lengths. The node keeps
 * the lengths and targets in extra and saves log_probs, the loss and log_alpha; its gradient is
 * not differentiable again (PyTorch's "derivative for aten::_ctc_loss_backward is not implemented"). */
#include "backend/backend.h"
#include "backend/cpu/ctc.h"
#include "ops/elementwise.h"
#include "ops/loss.h"

#include <math.h>

static const char *CHECKED = " (while checking arguments for ctc_loss_cpu)";

static int64_t *read_lengths(cg_tensor *lengths, const char *name, int64_t batch, int64_t *out) {
    if (lengths->numel != batch) {
        cg_set_error("%s must be of size batch_size", name);
        return NULL;
    }
    return cg_copy_to(lengths, out, (size_t)batch, CG_INT64) == 0 ? out : NULL;
}

/* PyTorch's ctc_loss_allocate_outputs checks, in its order, and the plan they give. extra holds
 * the input lengths, the target lengths, the target offsets (N each), then the targets. */
static int plan_ctc(cg_ctc_plan *p, int64_t *extra, const cg_tensor *lp, cg_tensor *targets) {
    int64_t N = p->batch, *offsets = extra + 2 * N, *flat = extra + 3 * N;
    p->input_lengths = extra, p->target_lengths = extra + N, p->target_offsets = offsets, p->targets = flat;
    int64_t pos = 0, max_target = 0;
    for (int64_t b = 0; b < N; b++) {
        int64_t tl = p->target_lengths[b];
        if (tl < 0) {
            cg_set_error("Expected target_lengths to have value at least 0, but got value %lld%s", (long long)tl, CHECKED);
            return -1;
        }
        offsets[b] = targets->ndim == 1 ? pos : b * (targets->ndim == 2 ? targets->sizes[1] : 0);
        pos += tl;
        if (tl > max_target) max_target = tl;
    }
    if (targets->ndim == 1 && targets->sizes[0] != pos) {
        cg_set_error("Expected tensor to have size %lld at dimension 0, but got size %lld for argument #2 'targets'%s",
                     (long long)pos, (long long)targets->sizes[0], CHECKED);
        return -1;
    }
    if (targets->ndim == 2 && targets->sizes[0] != N) {
        cg_set_error("Expected tensor to have size %lld at dimension 0, but got size %lld for argument #2 'targets'%s",
                     (long long)N, (long long)targets->sizes[0], CHECKED);
        return -1;
    }
    if (targets->ndim == 2 && targets->sizes[1] < max_target) {
        cg_set_error("Expected tensor to have size at least %lld at dimension 1, but got size %lld for argument #2 "
                     "'targets'%s", (long long)max_target, (long long)targets->sizes[1], CHECKED);
        return -1;
    }
    for (int64_t b = 0; b < N; b++) {
        int64_t il = p->input_lengths[b];
        if (il < 0 || il > lp->sizes[0]) {
            cg_set_error("Expected input_lengths to have value at %s %lld, but got value %lld%s", il < 0 ? "least" : "most",
                         (long long)(il < 0 ? 0 : lp->sizes[0]), (long long)il, CHECKED);
            return -1;
        }
    }
    if (lp->sizes[0] == 0) { /* PyTorch's fill of log_alpha's first step */
        cg_set_index_error("start (0) + length (1) exceeds dimension size (0).");
        return -1;
    }
    p->max_target = max_target;
    if (cg_copy_to(targets, flat, (size_t)targets->numel, CG_INT64) < 0) return -1;
    for (int64_t b = 0; b < N; b++) /* PyTorch reads out of bounds here; cgrad refuses */
        for (int64_t s = 0; s < p->target_lengths[b]; s++) {
            int64_t label = flat[offsets[b] + s];
            if (label < 0 || label >= p->classes) {
                cg_set_index_error("ctc_loss: target %lld is out of bounds for %lld classes", (long long)label,
                                   (long long)p->classes);
                return -1;
            }
        }
    return 0;
}

/* The plan from a node's extra and arguments. */
static cg_ctc_plan plan_of(const cg_node *n) {
    int64_t N = n->args[0];
    return (cg_ctc_plan){.batch = N, .max_input = n->args[1], .classes = n->args[2], .blank = n->args[3],
                         .max_target = n->args[4], .input_lengths = n->extra, .target_lengths = n->extra + N,
                         .target_offsets = n->extra + 2 * N, .targets = n->extra + 3 * N};
}

/* _ctc_loss(log_probs (T, N, C), targets, lengths): the per-entry loss. */
static cg_tensor *ctc_core(cg_tensor *lp, cg_tensor *targets, cg_tensor *il, cg_tensor *tl, int64_t blank,
                           bool zero_infinity) {
    if (!cg_dtype_is_floating(lp->dtype)) {
        cg_set_error("\"ctc_loss_cpu\" not implemented for '%s'", cg_dtype_title(lp->dtype));
        return NULL;
    }
    if (lp->ndim != 3) {
        cg_set_error("Expected 3-dimensional tensor, but got %d-dimensional tensor for argument #1 'log_probs'%s", lp->ndim,
                     CHECKED);
        return NULL;
    }
    if (targets->ndim < 1 || targets->ndim > 2) {
        cg_set_error("Expected 1 to 2 dimensions, but got %d-dimensional tensor for argument #2 'targets'%s",
                     targets->ndim, CHECKED);
        return NULL;
    }
    cg_ctc_plan p = {.batch = lp->sizes[1], .max_input = lp->sizes[0], .classes = lp->sizes[2], .blank = blank};
    if (blank < 0 || blank >= p.classes) {
        cg_set_error("blank must be in label range");
        return NULL;
    }
    int64_t *extra = cg_malloc((size_t)(3 * p.batch + targets->numel + 1) * sizeof *extra);
    if (!extra) return NULL;
    cg_tensor *nll = NULL, *alpha = NULL;
    if (read_lengths(il, "input_lengths", p.batch, extra) && read_lengths(tl, "target_lengths", p.batch, extra + p.batch) &&
        plan_ctc(&p, extra, lp, targets) == 0) {
        nll = cg_new_result_of(lp->dtype, 1, &p.batch, 1, (const cg_tensor *const[]){lp});
        alpha = cg_new_tensor_on(cg_backend_of(lp), lp->dtype, 3, CG_INT64S_(p.batch, p.max_input, 2 * p.max_target + 1));
    }
    if (nll && alpha) CG_KERNEL(nll, ctc_forward)(nll, alpha, lp, &p);
    cg_node *n = nll && alpha ? cg_record(&cg_op_ctc_loss, nll, CG_INPUTS(lp)) : NULL;
    if (n) {
        int64_t args[] = {p.batch, p.max_input, p.classes, blank, p.max_target, zero_infinity};
        memcpy(n->args, args, sizeof args);
        n->extra = extra, extra = NULL;
        cg_save(n, 0, lp);
        cg_save(n, 1, nll);
        cg_save(n, 2, alpha);
    }
    cg_free(extra);
    return nll && alpha ? cg_recorded(nll) : NULL;
}

/* PyTorch's derivative of _ctc_loss_backward: none, so differentiating the gradient fails. */
static void ctc_double_backward(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    (void)n, (void)grads, (void)out;
    cg_set_error("derivative for aten::_ctc_loss_backward is not implemented");
}
static const cg_op ctc_not_implemented = {"NotImplemented", ctc_double_backward, "ctc_loss_backward"};

void cg_backward_ctc_loss(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *lp = cg_saved(n, 0), *nll = cg_saved(n, 1), *alpha = cg_saved(n, 2);
    if (!lp || !nll || !alpha) return;
    cg_tensor *g = cg_contiguous(cg_to(grads[0], lp->dtype));
    cg_tensor *grad = g ? cg_new_tensor_on(cg_backend_of(lp), lp->dtype, 3, lp->sizes) : NULL;
    if (!grad) return;
    cg_ctc_plan p = plan_of(n);
    CG_KERNEL(grad, ctc_backward)(grad, g, lp, nll, alpha, &p, n->args[5] != 0);
    if (cg_error_pending()) return;
    cg_record(&ctc_not_implemented, grad, CG_INPUTS(grads[0], lp)); /* under create_graph */
    out[0] = cg_recorded(grad);
}

static bool integral(const cg_tensor *t) { return t->dtype == CG_INT64; }

cg_tensor *cg_ctc_loss_opts(cg_ctc_loss_args a) {
    cg_tensor *lp = a.log_probs, *targets = a.targets;
    if (!lp || !targets || !a.input_lengths || !a.target_lengths || loss_check_reduction(a.reduction) < 0) return NULL;
    if (!integral(a.input_lengths) || !integral(a.target_lengths)) {
        cg_set_error("%s must be integral", integral(a.input_lengths) ? "target_lengths" : "input_lengths");
        return NULL;
    }
    bool batched = lp->ndim == 3;
    cg_tensor *res = ctc_core(batched ? lp : cg_unsqueeze(lp, 1), cg_to(targets, CG_INT64), a.input_lengths,
                              a.target_lengths, a.blank, a.zero_infinity);
    if (res && a.zero_infinity)
        res = cg_where(cg_eq_scalar(res, INFINITY), cg_zeros_shape(res->dtype, 0, NULL), res);
    if (!res) return NULL;
    if (a.reduction == CG_REDUCTION_MEAN) {
        cg_tensor *lengths = cg_clamp(cg_to(a.target_lengths, res->dtype), 1, CG_NO_BOUND);
        return cg_mean(cg_div(res, cg_reshape(lengths, -1)));
    }
    if (a.reduction == CG_REDUCTION_SUM) return cg_sum(res);
    return batched ? res : cg_squeeze_dim(res, 0);
}
