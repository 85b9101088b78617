/* Saved-tensor hooks (torch.autograd.graph.saved_tensors_hooks): a per-thread stack of pack/unpack
 * pairs. While one is pushed, cg_save hands each tensor to the innermost pack and the node keeps
 * only what it returned (a cg_packed); the backward gets the tensor back from unpack, with the
 * history the saved tensor had. As PyTorch's SavedVariable with hooks: no version check, pack
 * runs under no_grad and must not write its input, a node unpacks each of its saved tensors once
 * before it runs (a custom function's, each time ctx.saved_tensors is read). */
#include "autograd/autograd.h"

#define MAX_DEPTH 64

static _Thread_local cg_saved_tensors_hooks stack[MAX_DEPTH];
_Thread_local int cg_saved_hooks_depth_;

struct cg_packed {
    cg_saved_tensors_hooks hooks;  /* the pair that packed it (a copy: the pushed one may be popped) */
    void *handle;                  /* what pack returned */
    cg_edge edge;                  /* a saved input's history (strong): the unpacked tensor takes it */
    cg_tensor *unpacked;           /* while the node runs: the tensor unpack gave (strong) */
};

int cg_saved_tensors_hooks_push(cg_saved_tensors_hooks hooks) {
    if (!hooks.pack || !hooks.unpack) {
        cg_set_error("cg_saved_tensors_hooks_push: pack and unpack are required");
        return -1;
    }
    if (cg_saved_hooks_depth_ == MAX_DEPTH) {
        cg_set_error("cg_saved_tensors_hooks_push: at most %d nested hooks", MAX_DEPTH);
        return -1;
    }
    stack[cg_saved_hooks_depth_++] = hooks;
    return 0;
}

void cg_saved_tensors_hooks_pop(void) {
    if (cg_saved_hooks_depth_ > 0) cg_saved_hooks_depth_--;
}

bool cg_pack_saved(cg_saved_tensor *s, cg_tensor *t) {
    cg_packed *p = cg_calloc(1, sizeof *p);
    if (!p) return false;
    s->packed = p;
    p->hooks = stack[cg_saved_hooks_depth_ - 1];
    /* An output goes to pack without its history: a pack that kept it would close a cycle. */
    cg_tensor *arg = s->is_output ? cg_new_alias(t) : t;
    if (!arg) return false;
    if (!s->is_output && cg_requires_grad(t)) {
        p->edge = cg_gradient_edge(t);
        if (!p->edge.node) return false;
    }
    int64_t version = t->storage->version;
    bool grad_mode = cg_set_grad_enabled(false);
    p->handle = p->hooks.pack(arg, p->hooks.user);
    cg_set_grad_enabled(grad_mode);
    if (!p->handle) {
        if (!cg_error_pending()) cg_set_error("saved tensor pack hook returned NULL");
        return false;
    }
    if (t->storage->version != version) {
        cg_set_error("A saved tensor pack hook is modifying its input in place. Tensors provided as input to pack "
                     "hook can not be modified by in-place operations as this can lead to unexpected side-effects. "
                     "Please open an issue if you need to perform in-place operations on the input to a pack "
                     "hook.");
        return false;
    }
    return true;
}

void cg_packed_free(cg_packed *p) {
    if (!p) return;
    if (p->handle && p->hooks.release) p->hooks.release(p->handle, p->hooks.user);
    cg_node_release(p->edge.node);
    cg_release(p->unpacked);
    cg_free(p);
}

/* unpack's tensor as a new header with the saved tensor's history: n for an output of n (none
 * for an in-place op's node under CopySlices), the input's history or leaf otherwise. */
static cg_tensor *unpack(cg_node *n, const cg_saved_tensor *s) {
    cg_packed *p = s->packed;
    bool grad_mode = cg_set_grad_enabled(false);
    cg_tensor *data = p->hooks.unpack(p->handle, p->hooks.user);
    cg_set_grad_enabled(grad_mode);
    if (!data) {
        if (!cg_error_pending())
            cg_set_type_error("Output of saved tensor unpack_hook expected to be a Tensor but got result of type "
                              "NoneType");
        return NULL;
    }
    cg_tensor *t = cg_new_alias(data);
    cg_edge edge = s->is_output && n->noutputs ? (cg_edge){n, s->output_nr} : p->edge;
    if (!t || !edge.node) return t;
    cg_autograd_meta *m = cg_meta(t);
    if (!m) return NULL;
    m->grad_fn = cg_node_retain(edge.node);
    m->output_nr = edge.input_nr;
    return t;
}

bool cg_unpack_all(cg_node *n) {
    for (int i = 0; i < n->nsaved; i++) {
        cg_packed *p = n->saved[i].packed;
        if (!p) continue;
        cg_tensor *t = unpack(n, &n->saved[i]);
        if (!t) return false;
        cg_set_ref(&p->unpacked, t);
    }
    return true;
}

cg_tensor *cg_unpacked(cg_node *n, int slot) {
    cg_packed *p = n->saved[slot].packed;
    return p->unpacked ? p->unpacked : unpack(n, &n->saved[slot]);
}

void cg_forget_unpacked(cg_node *n) {
    for (int i = 0; i < n->nsaved; i++)
        if (n->saved[i].packed) cg_set_ref(&n->saved[i].packed->unpacked, NULL);
    if (n->inner) cg_forget_unpacked(n->inner);
}

/* ---- save_on_cpu: a contiguous copy of each saved tensor, on the CPU ---- */

static void *copy_to_cpu(cg_tensor *t, void *user) {
    (void)user;
    cg_tensor *copy = t->storage->backend == &cg_backend_cpu ? cg_clone_contiguous(t) : cg_to_device(t, CG_CPU);
    return cg_retain(copy);
}

static cg_tensor *the_copy(void *packed, void *user) {
    (void)user;
    return packed;
}

static void release_copy(void *packed, void *user) {
    (void)user;
    cg_release(packed);
}

cg_saved_tensors_hooks cg_save_on_cpu(void) {
    return (cg_saved_tensors_hooks){.pack = copy_to_cpu, .unpack = the_copy, .release = release_copy};
}
