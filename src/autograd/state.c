/* A tensor's autograd state as users see it: requires_grad, grad, grad_fn, hooks, detach. */
#include "autograd/autograd.h"

#include <stdlib.h>

/* ---- grad mode ---- */

_Thread_local bool cg_grad_disabled_;

bool cg_is_grad_enabled(void) { return cg_grad_mode_on(); }

bool cg_set_grad_enabled(bool enabled) {
    bool previous = !cg_grad_disabled_;
    cg_grad_disabled_ = !enabled;
    return previous;
}

/* ---- views: an in-place write through a view rewrites its base's history, so a view whose
 * storage was written since its history was set gets a new one: AsStridedBackward0 of the base. */

cg_tensor *cg_as_view(cg_tensor *out, cg_tensor *base) {
    if (!out) return NULL;
    if (cg_inference_mode_ && base->storage->inference) return out; /* no autograd for it, ever */
    cg_autograd_meta *m = cg_meta(out);
    if (!m) return NULL;
    m->view_base = cg_retain(cg_view_root(base));
    m->view_created_in_no_grad = !cg_is_grad_enabled() ||
                                 (base->autograd && base->autograd->view_created_in_no_grad);
    m->view_created_in_inference = cg_inference_mode_ || (base->autograd && base->autograd->view_created_in_inference);
    /* PyTorch's creation meta: a view made with grad mode on inherits its base's. */
    m->view_multi_output = cg_is_grad_enabled() && base->autograd && base->autograd->view_multi_output;
    m->view_version = out->storage->version;
    return out;
}

/* A view whose storage was written (through its base or another view) since its history was set
 * needs a new history, unless it has none and its base needs none. */
static bool stale_view(const cg_tensor *t) {
    const cg_autograd_meta *m = t->autograd;
    return m->view_base && m->view_version != t->storage->version && (m->grad_fn || cg_requires_grad(m->view_base));
}

bool cg_history_unreadable(const cg_tensor *t) {
    const cg_autograd_meta *m = t->autograd;
    return m && stale_view(t) && (m->view_created_in_no_grad || m->view_multi_output);
}

cg_node *cg_grad_fn_internal(cg_tensor *t) {
    cg_autograd_meta *m = t->autograd;
    if (!m) return NULL;
    if (stale_view(t)) {
        if (cg_history_unreadable(t)) { /* PyTorch refuses to regenerate it */
            cg_view_rebase_error(m, true);
            cg_recording_failed();
            return NULL;
        }
        m->view_version = t->storage->version;
        /* Also when only the view had a history (its base was detach_()ed since): PyTorch's view
         * keeps requiring grad, through an AsStridedBackward0 with no next edge. */
        cg_node *regenerated = cg_as_strided_node(t, m->view_base);
        cg_node_release(m->grad_fn);
        m->grad_fn = regenerated;
        m->output_nr = 0;
    }
    return m->grad_fn;
}

int cg_check_history_readable(cg_tensor *t) {
    if (!t || !t->autograd || !cg_is_grad_enabled() || !cg_history_unreadable(t)) return 0;
    cg_view_rebase_error(t->autograd, true);
    return -1;
}

/* ---- requires_grad, leaves, grad ---- */

/* PyTorch's: a leaf's flag, a history, or a view's base's (a view made in no_grad mode, or before
 * its base required grad, requires grad without being a leaf that accumulates). It never
 * regenerates a stale view's history. */
bool cg_requires_grad(const cg_tensor *t) {
    if (!t || !t->autograd) return false;
    const cg_autograd_meta *m = t->autograd;
    return m->requires_grad || m->grad_fn || (m->view_base && cg_requires_grad(m->view_base));
}

bool cg_is_leaf(const cg_tensor *t) { return t && !cg_grad_fn_internal((cg_tensor *)t); }

cg_tensor *cg_requires_grad_(cg_tensor *t, bool requires_grad) {
    if (!t) return NULL;
    if (!cg_is_leaf(t)) {
        if (requires_grad) return t;
        cg_set_error("you can only change requires_grad flags of leaf variables. If you want to use a computed "
                     "variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().");
        return NULL;
    }
    if (requires_grad && !cg_dtype_is_floating(t->dtype)) {
        cg_set_error("only Tensors of floating point dtype can require gradients");
        return NULL;
    }
    if (requires_grad && t->storage->inference && !cg_inference_mode_) {
        cg_set_error("Setting requires_grad=True on inference tensor outside InferenceMode is not allowed.");
        return NULL;
    }
    if (!requires_grad && !t->autograd) return t;
    cg_autograd_meta *m = cg_meta(t);
    if (!m) return NULL;
    m->requires_grad = requires_grad;
    return t;
}

cg_tensor *cg_grad(const cg_tensor *t) {
    if (!t) return NULL;
    cg_autograd_meta *m = t->autograd;
    if (!cg_is_leaf(t) && !(m && (m->retains_grad || m->grad))) /* backward(inputs=) may have filled it */
        cg_warn("The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute "
                "won't be populated during autograd.backward(). If you indeed want the .grad field to be populated "
                "for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor. If you access the non-leaf "
                "Tensor by mistake, make sure you access the leaf Tensor instead. See "
                "github.com/pytorch/pytorch/pull/30531 for more informations.");
    return m ? m->grad : NULL;
}

int cg_set_grad(cg_tensor *t, cg_tensor *grad) {
    if (!t) return -1;
    if (grad == t) {
        cg_set_error("can't assign Variable as its own grad");
        return -1;
    }
    if (grad && (grad->dtype != t->dtype || grad->storage->backend != t->storage->backend)) { /* a type has a device */
        cg_set_error("assigned grad has data of a different type");
        return -1;
    }
    if (grad && (grad->ndim != t->ndim || t->numel != grad->numel)) {
        cg_set_error("assigned grad has data of a different size");
        return -1;
    }
    cg_autograd_meta *m = cg_meta(t);
    if (!m) return -1;
    cg_set_ref(&m->grad, grad);
    return 0;
}

int cg_zero_grad(cg_tensor_list tensors) {
    if (!tensors.items && tensors.n) return -1;
    for (int i = 0; i < tensors.n; i++) {
        cg_tensor *t = tensors.items[i];
        if (!t) return -1;
        cg_tensor *g = t->autograd ? t->autograd->grad : NULL;
        if (!g) continue;
        /* as torch.optim's zero_grad: a gradient with history (create_graph) leaves its graph first */
        if (cg_grad_fn_internal(g) ? cg_detach_(g) < 0 : !cg_requires_grad_(g, false)) return -1;
        if (cg_zero_(g) < 0) return -1;
    }
    return 0;
}

/* ---- grad_fn ---- */

cg_node *cg_grad_fn(const cg_tensor *t) { return t ? cg_grad_fn_internal((cg_tensor *)t) : NULL; }
const char *cg_node_name(const cg_node *n) { return n ? n->op->name : "None"; }
int cg_node_num_next(const cg_node *n) { return n ? n->nnext : 0; }

cg_node *cg_node_next(const cg_node *n, int i, int *input_nr) {
    if (!n || i < 0 || i >= n->nnext) return NULL;
    if (input_nr) *input_nr = n->next[i].input_nr;
    return n->next[i].node;
}

/* ---- hooks and retain_grad ---- */

static atomic_int next_hook_id = 1; /* handles are unique across threads */

int cg_new_hook_id(void) { return atomic_fetch_add_explicit(&next_hook_id, 1, memory_order_relaxed); }

static cg_hook_entry *push_hook(cg_hook_entry **list, cg_hook_fn fn, void *user, int output_nr, cg_tensor *retains) {
    cg_hook_entry *h = cg_malloc(sizeof *h);
    if (!h) return NULL;
    *h = (cg_hook_entry){.id = cg_new_hook_id(), .output_nr = output_nr, .retains = retains, .fn = fn, .user = user};
    /* As PyTorch's Python hooks of one tensor, which share one entry of the node's list made by
     * the first of them: a tensor hook goes after the last one of its output, or at the end. */
    cg_hook_entry **at = NULL;
    for (cg_hook_entry **p = list; *p; p = &(*p)->next)
        if (fn && (*p)->fn && (*p)->output_nr == output_nr) at = &(*p)->next;
    if (!at)
        for (at = list; *at;) at = &(*at)->next;
    h->next = *at;
    *at = h;
    return h;
}

int cg_register_hook(cg_tensor *t, cg_hook_fn fn, void *user) {
    if (!t) return -1;
    if (!fn) {
        cg_set_type_error("cannot register a NULL hook");
        return -1;
    }
    if (!cg_requires_grad(t)) {
        cg_set_error("cannot register a hook on a tensor that doesn't require gradient");
        return -1;
    }
    if (cg_history_unreadable(t)) { /* PyTorch's register_hook reads grad_fn next, in any grad mode */
        cg_view_rebase_error(t->autograd, true);
        return -1;
    }
    cg_node *fn_node = cg_grad_fn_internal(t);
    cg_hook_entry *h = fn_node ? push_hook(&fn_node->pre_hooks, fn, user, t->autograd->output_nr, NULL)
                               : push_hook(&t->autograd->hooks, fn, user, 0, NULL);
    return h ? h->id : -1;
}

static bool unlink_hook(cg_hook_entry **list, int id, cg_tensor *retains) {
    for (cg_hook_entry **h = list; *h; h = &(*h)->next) {
        if ((id && (*h)->id == id) || (retains && (*h)->retains == retains)) {
            cg_hook_entry *dead = *h;
            *h = dead->next;
            cg_free(dead);
            return true;
        }
    }
    return false;
}

int cg_remove_hook(cg_tensor *t, int handle) {
    if (!t) return -1; /* an earlier failure */
    cg_node *fn = t->autograd ? cg_grad_fn_internal(t) : NULL;
    if (t->autograd && unlink_hook(&t->autograd->hooks, handle, NULL)) return 0;
    if (fn && unlink_hook(&fn->pre_hooks, handle, NULL)) return 0;
    cg_set_error("no hook with handle %d on this tensor", handle);
    return -1;
}

int cg_retain_grad(cg_tensor *t) {
    if (!t) return -1;
    if (!cg_requires_grad(t)) {
        cg_set_error("can't retain_grad on Tensor that has requires_grad=False");
        return -1;
    }
    cg_autograd_meta *m = t->autograd;
    if (m->grad_fn && cg_history_unreadable(t)) { /* PyTorch reads the history of a non-leaf */
        cg_view_rebase_error(m, true);
        return -1;
    }
    if (cg_is_leaf(t) || m->retains_grad) return 0;
    if (!push_hook(&m->grad_fn->pre_hooks, NULL, NULL, m->output_nr, t)) return -1;
    m->retains_grad = true;
    return 0;
}

bool cg_move_retained(cg_tensor *t, cg_node *to, int output_nr) {
    if (!push_hook(&to->pre_hooks, NULL, NULL, output_nr, t)) return false;
    unlink_hook(&t->autograd->grad_fn->pre_hooks, 0, t);
    return true;
}

bool cg_retains_grad(const cg_tensor *t) { return t && t->autograd && t->autograd->retains_grad; }

void cg_forget_retained(cg_tensor *t) {
    cg_autograd_meta *m = t->autograd;
    if (m && m->retains_grad && m->grad_fn) unlink_hook(&m->grad_fn->pre_hooks, 0, t);
}

/* ---- detach and data ---- */

cg_tensor *cg_detach(cg_tensor *t) {
    if (!t) return NULL;
    return cg_new_alias(t);
}

int cg_detach_(cg_tensor *t) {
    if (!t) return -1;
    cg_autograd_meta *m = t->autograd;
    if (!m) return 0;
    if (m->view_base) {
        cg_set_error("Can't detach views in-place. Use detach() instead. If you are using DistributedDataParallel "
                     "(DDP) for training, and gradient_as_bucket_view is set as True, gradients are views of DDP "
                     "buckets, and hence detach_() cannot be called on these gradients. To fix this error, please "
                     "refer to the Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution.");
        return -1;
    }
    cg_forget_retained(t);
    cg_node_release(m->grad_fn);
    m->grad_fn = NULL;
    m->requires_grad = false;
    m->output_nr = 0;
    return 0;
}

cg_tensor *cg_data(cg_tensor *t) {
    if (!t) return NULL;
    cg_storage *alias = cg_storage_alias(t->storage);
    if (!alias) return NULL;
    cg_tensor *d = cg_new_alias(t);
    if (!d) {
        cg_storage_release(alias);
        return NULL;
    }
    cg_storage_release(d->storage);
    d->storage = alias;
    return d;
}
