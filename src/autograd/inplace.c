/* In-place ops and autograd: the leaf and no_grad-view rules, rebasing history, and writes
 * through views (CopySlices on the base; AsStridedBackward0 for the view afterwards). */
#include "autograd/autograd.h"
#include "backend/backend.h"

#include <stdio.h>
#include <stdlib.h>

void cg_view_rebase_error(const cg_autograd_meta *m, bool indirect) {
    const char *modified = indirect ? "its base or another view of its base has been" : "is being";
    char what[256];
    if (!m->grad_fn && m->view_created_in_inference) {
        cg_set_error("A view was created in inference mode and %s modified inplace in normal mode. Given that this use "
                     "case is ambiguous and error-prone, it is forbidden. You can clarify your code by moving both the "
                     "view and the inplace either both inside the inference_mode block (if you don't want the inplace "
                     "to be tracked) or both outside (if you want the inplace to be tracked).", modified);
        return;
    }
    if (m->grad_fn)
        snprintf(what, sizeof what, "Output %d of %s is a view and %s modified inplace.", m->output_nr,
                 cg_node_message_name(m->grad_fn), modified);
    else
        snprintf(what, sizeof what, "A view was created in no_grad mode and %s modified inplace with grad mode "
                                    "enabled.", modified);
    if (m->view_multi_output)
        cg_set_error("%s This view is the output of a function that returns multiple views. Such functions do not "
                     "allow the output views to be modified inplace. You should replace the inplace operation by an "
                     "out-of-place one.", what);
    else
        cg_set_error("%s Given that this use case is ambiguous and error-prone, it is forbidden. You can clarify your "
                     "code by moving both the view and the inplace either both inside the no_grad block (if you "
                     "don't want the inplace to be tracked) or both outside (if you want the inplace to be tracked).",
                     what);
}

static int check_target(cg_tensor *t, int n, cg_tensor **inputs) {
    cg_autograd_meta *m = t->autograd;
    if (!m) return 0;
    if (m->view_base) {
        /* As PyTorch's handle_view_on_rebase, before the leaf checks. */
        if ((m->view_created_in_no_grad || m->view_multi_output) && cg_any_requires_grad(n, inputs)) {
            cg_view_rebase_error(m, false);
            return -1;
        }
        if (cg_requires_grad(t) && cg_is_leaf(m->view_base)) { /* PyTorch's test, whatever the base's flag now */
            cg_set_error("a view of a leaf Variable that requires grad is being used in an in-place operation.");
            return -1;
        }
    }
    /* PyTorch's leaf test reads the history a view has, not the one its base's writes call for: a
     * view of a base that gained history since, its history not read yet, is a leaf. */
    if (!m->grad_fn && (m->view_base ? cg_requires_grad(t) : m->requires_grad)) {
        cg_set_error("a leaf Variable that requires grad is being used in an in-place operation.");
        return -1;
    }
    return 0;
}

int cg_check_inplace(cg_tensor *t, int n, cg_tensor **inputs) {
    if (t->storage->inference && !cg_inference_mode_) {
        cg_set_error("Inplace update to inference tensor outside InferenceMode is not allowed.You can make a clone to "
                     "get a normal tensor before doing inplace update.See https://github.com/pytorch/rfcs/pull/17 for "
                     "more details.");
        return -1;
    }
    /* not done yet: a write would have to update t's tangent (and its views') in place */
    if (cg_fwd_active() && cg_any_tangent(n, inputs)) {
        cg_set_error("forward AD through an in-place op is not supported by cgrad yet");
        return -1;
    }
    if (!cg_is_grad_enabled() || cg_inference_mode_) return 0; /* nothing is recorded */
    if (check_target(t, n, inputs) < 0) return -1;
    /* PyTorch takes the other inputs' histories before it writes: one it cannot read fails the op. */
    for (int i = 1; i < n; i++)
        if (inputs[i] && cg_history_unreadable(inputs[i])) {
            cg_grad_fn_internal(inputs[i]); /* sets PyTorch's message */
            return -1;
        }
    return 0;
}

/* A bare header with the view's sizes, strides and storage offset: where the view sits in its base. */
static cg_tensor *geometry_of(cg_tensor *view) {
    return cg_retain(cg_new_alias(view));
}

/* The part of a gradient for the base (at base_offset) that the view covers, with the view's
 * strides and the given sizes (the view's own, or fewer repeats). */
static cg_tensor *view_in(cg_tensor *base_grad, const cg_tensor *geometry, const int64_t *sizes, int64_t base_offset) {
    return cg_new_view(base_grad, geometry->ndim, sizes, geometry->strides,
                       base_grad->offset + geometry->offset - base_offset);
}

/* ---- AsStridedBackward0: a view's history after its base was rewritten ---- */

/* The elements a geometry reaches past offset: PyTorch's _min_storage_size. */
static int64_t storage_extent(int ndim, const int64_t *sizes, const int64_t *strides, int64_t offset) {
    int64_t end = offset + 1;
    for (int d = 0; d < ndim; d++) end += (sizes[d] - 1) * strides[d];
    return end;
}

/* PyTorch's as_strided_backward: a view's repeats (dims of stride 0) are summed one dim at a time
 * from the last, the result copied into a zeroed storage that both geometries fit, and the base's
 * gradient is a view of that storage with the base's strides. Being a view, detach_ refuses it,
 * and under create_graph its history is AsStridedBackward0 of the storage (whose copy_ is
 * CopySlices). A base whose own elements overlap is not handled (PyTorch divides by the count). */
static void as_strided_backward(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    const cg_input_meta *base = &n->args_meta;
    const int64_t *base_strides = &n->args[1];
    const cg_tensor *view = n->view_geometry;
    int64_t sizes[CG_MAX_DIMS];
    cg_tensor *grad = grads[0];
    for (int d = view->ndim - 1; d >= 0 && grad; d--) {
        bool repeated = view->strides[d] == 0 && view->sizes[d] > 1;
        sizes[d] = repeated ? 1 : view->sizes[d];
        if (repeated) grad = cg_sum_opts((cg_reduce_args){.input = grad, .ndims = 1, .dims = {d}, .keepdim = true});
    }
    if (!grad) return;
    if (view->numel == 0 || cg_shape_numel(base->ndim, base->sizes) == 0) {
        out[0] = cg_zeros_on(grads[0], base->dtype, base->ndim, base->sizes);
        if (out[0]) cg_bump_version(out[0]); /* PyTorch's zeros are empty().zero_() */
        return;
    }
    int64_t shared = n->args[0] < view->offset ? n->args[0] : view->offset;
    int64_t base_offset = n->args[0] - shared, view_offset = view->offset - shared;
    int64_t base_end = storage_extent(base->ndim, base->sizes, base_strides, base_offset);
    int64_t view_end = storage_extent(view->ndim, sizes, view->strides, view_offset);
    int64_t extent = base_end > view_end ? base_end : view_end;
    cg_tensor *storage = cg_zeros_on(grads[0], base->dtype, 1, &extent);
    if (!storage) return;
    cg_bump_version(storage);
    cg_tensor *region = cg_as_view(cg_new_view(storage, view->ndim, sizes, view->strides, view_offset), storage);
    if (!region || cg_copy_(region, grad) < 0) return;
    cg_tensor *result = cg_as_view(cg_new_view(storage, base->ndim, base->sizes, base_strides, base_offset), storage);
    if (!result) return;
    result->autograd->view_version = -1; /* its history (AsStridedBackward0, when storage has one) on first use */
    out[0] = result;
}

static const cg_op as_strided_op = {"AsStridedBackward0", as_strided_backward, "as_strided"};

cg_node *cg_as_strided_node(cg_tensor *view, cg_tensor *base) {
    cg_node *n = cg_node_new(&as_strided_op, 1);
    if (!n) return NULL;
    n->next[0] = cg_gradient_edge(base);
    n->view_geometry = geometry_of(view);
    n->args[0] = base->offset;
    memcpy(&n->args[1], base->strides, base->ndim * sizeof base->strides[0]);
    n->args_meta = cg_input_meta_of(base);
    n->outputs = &n->output_inline;
    if (!n->view_geometry) {
        cg_node_release(n);
        return NULL;
    }
    n->noutputs = 1;
    n->outputs[0] = cg_input_meta_of(view);
    return n;
}

/* ---- CopySlices: base = base with the view's region replaced by inner(view, inputs...) ---- */

static void copy_slices_backward(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *result = cg_clone_contiguous(grads[0]); /* the region's geometry is the base's: row-major */
    if (!result) return;
    /* With create_graph, the region must be a differentiable view of result (AsStridedBackward0,
     * made on first use: hence the stale view_version), so that the gradient the inner node reads
     * and the copy of its result back into result both stay in the graph for double backward. */
    cg_tensor *region = cg_as_view(view_in(result, n->view_geometry, n->view_geometry->sizes, n->args[0]), result);
    if (!region) return;
    region->autograd->view_version = -1;
    cg_node *inner = n->inner;
    cg_tensor *inner_out[CG_NODE_MAX_ARGS] = {0};
    cg_tensor *region_grad = cg_clone_contiguous(region);
    if (!region_grad) return;
    if (!cg_check_saved(inner)) return; /* every saved tensor of the in-place op, as the engine checks a node's */
    inner->op->backward(inner, &region_grad, inner_out);
    if (cg_error_pending()) return;
    int status = inner_out[0] ? cg_copy_(region, inner_out[0]) : cg_zero_(region);
    if (status < 0) return;
    out[0] = result;
    for (int i = 1; i < n->nnext; i++) out[i] = inner_out[i];
}

static const cg_op copy_slices_op = {"CopySlices", copy_slices_backward, "copy_slices"};

static void note_history(const cg_tensor *t, const cg_node *history) {
    t->storage->history_of = (uintptr_t)t;
    t->storage->history_name = cg_node_message_name(history);
}

cg_node *cg_record_inplace(const cg_op *op, cg_tensor *t, int n, cg_tensor **inputs) {
    cg_record_mark_ = cg_alloc_failures_;
    if (cg_profiling_on()) cg_profile_op(op);
    if (!cg_is_grad_enabled() || cg_inference_mode_ || !cg_dtype_is_floating(t->dtype))
        return NULL; /* an integer t has no history */
    /* PyTorch takes the other inputs' histories before the write. The op has bumped the version
     * already, so step back to it meanwhile: another input that is a view of t's storage
     * (a[0].add_(a[1])) keeps the history it had then instead of becoming AsStridedBackward0. */
    t->storage->version--;
    cg_node *inner = cg_any_requires_grad(n, inputs) ? cg_node_new(op, n) : NULL;
    for (int i = 1; inner && i < n; i++) inner->next[i] = inputs[i] ? cg_gradient_edge(inputs[i]) : (cg_edge){NULL, 0};
    t->storage->version++;
    if (!inner) return NULL;
    cg_autograd_meta *m = cg_meta(t);
    if (!m) {
        cg_node_release(inner);
        return NULL;
    }
    cg_tensor *base = m->view_base;
    inner->next[0] = base ? cg_gradient_edge(base) : cg_gradient_edge(t);
    if (!base) {
        cg_node *recorded = cg_attach_history(inner, 1, &t) ? inner : NULL;
        cg_node_release(inner);
        if (recorded) note_history(t, recorded);
        return recorded;
    }
    cg_node *slices = cg_node_new(&copy_slices_op, n);
    if (!slices) {
        cg_node_release(inner);
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        slices->next[i] = inner->next[i];
        if (slices->next[i].node) cg_node_retain(slices->next[i].node);
    }
    slices->inner = inner;
    slices->view_geometry = geometry_of(t);
    slices->args[0] = base->offset;
    if (!slices->view_geometry || !cg_attach_history(slices, 1, &base)) {
        cg_node_release(slices);
        return NULL;
    }
    note_history(base, slices);
    cg_node_release(slices); /* the base holds it */
    /* The view's own history is regenerated from the base on next use. */
    m->view_version = -1;
    return inner;
}
