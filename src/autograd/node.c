/* Nodes of the graph: creation when an op records itself, saved tensors, and freeing. */
#include "autograd/registry.h"
#include "core/lock.h"

#include <stdlib.h>
#include <string.h>

static _Thread_local uint64_t sequence_counter;
_Thread_local unsigned long cg_record_mark_;

uint64_t cg_next_sequence_nr(void) { return sequence_counter++; }

/* Nodes with up to SMALL_NODE_EDGES inputs all have one block size and come from a free list. */
#define SMALL_NODE_EDGES 4
#define NODE_SIZE(nnext) (sizeof(cg_node) + (size_t)(nnext) * sizeof(cg_edge))

cg_node *cg_node_new(const cg_op *op, int nnext) {
    cg_node *n = nnext <= SMALL_NODE_EDGES ? cg_cache_alloc(CG_CACHE_NODE, NODE_SIZE(SMALL_NODE_EDGES))
                                           : cg_malloc(NODE_SIZE(nnext));
    if (!n) return NULL;
    memset(n, 0, NODE_SIZE(nnext));
    cg_ref_init(&n->refcount);
    n->op = op;
    n->sequence_nr = cg_next_sequence_nr();
    n->nnext = nnext;
    if (cg_anomaly_enabled_) n->site = cg_call_site_now_;
    return n;
}

/* ---- freeing: iterative, so a chain of a million nodes does not overflow the stack ---- */

/* Nodes waiting to be freed; a fixed array first, so most releases allocate nothing. */
#define DYING_FIXED 64
static _Thread_local cg_node *dying_fixed[DYING_FIXED];
static _Thread_local cg_node **dying;
static _Thread_local size_t ndying, capdying;
static _Thread_local bool draining;

void cg_free_hooks(cg_hook_entry *h) {
    while (h) {
        cg_hook_entry *next = h->next;
        cg_free(h);
        h = next;
    }
}

static void free_node(cg_node *n) {
    if (n->op->backward == cg_custom_backward) cg_custom_release(n);
    /* Most fields are NULL in most nodes: tested here, not in a call each. */
    if (n->watcher) *n->watcher = NULL;
    if (n->witness_fn) n->witness_fn->watcher = NULL;
    for (int i = 0; i < n->nsaved; i++) {
        if (n->saved[i].data) cg_release(n->saved[i].data);
        if (n->saved[i].packed) cg_packed_free(n->saved[i].packed);
    }
    if (n->variable) cg_release(n->variable);
    if (n->view_geometry) cg_release(n->view_geometry);
    if (n->inner) cg_node_release(n->inner);
    for (int i = 0; i < n->nnext; i++)
        if (n->next[i].node) cg_node_release(n->next[i].node);
    if (n->pre_hooks) cg_free_hooks(n->pre_hooks);
    if (n->extras) cg_node_extras_free(n);
    if (n->outputs != &n->output_inline) cg_free(n->outputs);
    if (n->extra) cg_free(n->extra);
    if (n->nnext <= SMALL_NODE_EDGES) cg_cache_free(CG_CACHE_NODE, n);
    else cg_free(n);
}

static const cg_op accumulate_grad_op = {"AccumulateGrad", NULL, "accumulate_grad"};

/* A graph lets an AccumulateGrad node go. When that was the last reference, the node lets its
 * leaf go and waits, dormant, in the leaf's state (which frees it with the leaf), unless another
 * thread has taken it again meanwhile (grad_accumulator). The count is never decremented on the
 * fast path of cg_ref_dec: another thread may take a reference it did not hold before. */
static void release_accumulator(cg_node *n) {
    int count = atomic_load_explicit(&n->refcount, memory_order_relaxed);
    while (count > 1)
        if (atomic_compare_exchange_weak_explicit(&n->refcount, &count, count - 1, memory_order_release,
                                                  memory_order_relaxed))
            return;
    /* Perhaps the last. Hold the leaf (which owns n's memory) until done with n: once the count is
     * zero another thread may wake n and let it go again, and only one of us takes its leaf. */
    cg_tensor *leaf = cg_retain(n->variable);
    if (atomic_fetch_sub_explicit(&n->refcount, 1, memory_order_acq_rel) == 1) {
        cg_autograd_meta *m = leaf->autograd;
        cg_tensor *held = NULL;
        cg_lock(CG_LOCK_META, m);
        if (atomic_load_explicit(&n->refcount, memory_order_acquire) == 0) {
            held = n->variable;
            n->variable = NULL;
        }
        cg_unlock(CG_LOCK_META, m);
        cg_release(held);
    }
    cg_release(leaf); /* may free the leaf, and n with it */
}

void cg_node_release(cg_node *n) {
    if (!n) return;
    if (n->op == &accumulate_grad_op) {
        release_accumulator(n);
        return;
    }
    if (!cg_ref_dec(&n->refcount)) return;
    if (!dying) {
        dying = dying_fixed;
        capdying = DYING_FIXED;
    }
    if (ndying == capdying) {
        size_t cap = capdying * 2;
        cg_node **grown = dying == dying_fixed ? cg_malloc(cap * sizeof *grown) : cg_realloc(dying, cap * sizeof *grown);
        if (!grown) { /* cannot defer: free now, recursively */
            free_node(n);
            return;
        }
        if (dying == dying_fixed) memcpy(grown, dying_fixed, sizeof dying_fixed);
        dying = grown;
        capdying = cap;
    }
    dying[ndying++] = n;
    if (draining) return;
    draining = true;
    while (ndying) free_node(dying[--ndying]);
    draining = false;
    if (dying != dying_fixed) {
        cg_free(dying);
        dying = dying_fixed;
        capdying = DYING_FIXED;
    }
}

/* ---- tensors' autograd state ---- */

cg_autograd_meta *cg_meta(cg_tensor *t) {
    if (!t->autograd) {
        t->autograd = cg_cache_alloc(CG_CACHE_META, sizeof *t->autograd);
        if (t->autograd) memset(t->autograd, 0, sizeof *t->autograd);
    }
    return t->autograd;
}

void cg_autograd_release(cg_tensor *t) {
    cg_autograd_meta *m = t->autograd;
    if (!m) return;
    if (m->retains_grad) cg_forget_retained(t);
    if (m->fw_slot) cg_fwd_forget(t);
    t->autograd = NULL;
    if (m->grad) cg_release(m->grad);
    cg_node_release(m->grad_fn);
    if (m->view_base) cg_release(m->view_base);
    if (m->hooks) cg_free_hooks(m->hooks);
    cg_node *accumulator = atomic_load_explicit(&m->grad_accumulator, memory_order_acquire);
    if (accumulator) free_node(accumulator); /* dormant: a live one would hold t */
    cg_cache_free(CG_CACHE_META, m);
}

const cg_op *cg_accumulate_grad_op(void) { return &accumulate_grad_op; }

const char *cg_node_message_name(const cg_node *n) {
    if (n->op == &accumulate_grad_op) return "torch::autograd::AccumulateGrad";
    if (n->op == &cg_op_copy) return "torch::autograd::CopyBackwards";
    if (n->inner) return "torch::autograd::CopySlices"; /* the only node with an inner one */
    return n->op->name;
}

/* A new reference to n, unless its last one is gone already. Acquire, whatever it finds: a node
 * woken by another thread is seen with the leaf it was given, and one let go with everything its
 * last holder did with it. */
static bool retain_if_alive(cg_node *n) {
    int count = atomic_load_explicit(&n->refcount, memory_order_acquire);
    while (count > 0)
        if (atomic_compare_exchange_weak_explicit(&n->refcount, &count, count + 1, memory_order_acquire,
                                                  memory_order_acquire))
            return true;
    return false;
}

/* grad_accumulator's slow path, out of line (every op on a leaf takes the fast one): waking a
 * dormant node (release_accumulator) or making the first, under the leaf's lock. */
static __attribute__((noinline)) cg_node *wake_accumulator(cg_tensor *leaf) {
    cg_autograd_meta *m = leaf->autograd;
    cg_lock(CG_LOCK_META, m);
    cg_node *n = atomic_load_explicit(&m->grad_accumulator, memory_order_relaxed);
    if (n && !retain_if_alive(n)) {
        /* Dormant, or its last graph is letting it go right now (and will see it is awake). No
         * graph holds it: its shape is read afresh, as a new node's would be. */
        if (!n->variable) n->variable = cg_retain(leaf);
        n->outputs[0] = cg_input_meta_of(leaf);
        /* PyTorch's would be a new node: the hooks and metadata of the one no graph held are gone. */
        cg_free_hooks(n->pre_hooks);
        n->pre_hooks = NULL;
        if (n->extras) cg_node_extras_free(n);
        atomic_store_explicit(&n->refcount, 1, memory_order_release);
    } else if (!n) {
        n = cg_node_new(&accumulate_grad_op, 0);
        if (n) {
            n->sequence_nr = UINT64_MAX; /* as in PyTorch: accumulate as soon as the gradient is complete */
            n->outputs = &n->output_inline;
            n->noutputs = 1;
            n->outputs[0] = cg_input_meta_of(leaf);
            n->variable = cg_retain(leaf);
            atomic_store_explicit(&m->grad_accumulator, n, memory_order_release);
        }
    }
    cg_unlock(CG_LOCK_META, m);
    return n;
}

/* The leaf's AccumulateGrad node, shared by every graph (and thread) that records an op on the
 * leaf. A live one is taken without a lock. */
static cg_node *grad_accumulator(cg_tensor *leaf) {
    cg_node *n = atomic_load_explicit(&leaf->autograd->grad_accumulator, memory_order_acquire);
    return n && retain_if_alive(n) ? n : wake_accumulator(leaf);
}

cg_edge cg_gradient_edge(cg_tensor *t) {
    cg_autograd_meta *m = t->autograd;
    if (!m) return (cg_edge){NULL, 0};
    cg_node *fn = m->view_base ? cg_grad_fn_internal(t) : m->grad_fn; /* only a view's history is remade */
    if (fn) {
        cg_node_retain(fn);
        return (cg_edge){fn, m->output_nr};
    }
    if (m->requires_grad) return (cg_edge){grad_accumulator(t), 0};
    return (cg_edge){NULL, 0};
}

bool cg_any_requires_grad(int n, cg_tensor **inputs) {
    for (int i = 0; i < n; i++)
        if (inputs[i] && cg_requires_grad(inputs[i])) return true;
    return false;
}

/* ---- recording ---- */

/* Makes n the history of outs. A fresh node (made by this op: no other thread can see it yet, nor
 * its outputs) is counted with plain loads and stores, which cost less than atomic increments. */
static bool attach_history(cg_node *n, int nout, cg_tensor **outs, bool fresh) {
    n->outputs = nout == 1 ? &n->output_inline : cg_calloc((size_t)nout, sizeof *n->outputs);
    if (!n->outputs) return false;
    n->noutputs = nout;
    for (int i = 0; i < nout; i++) {
        if (!outs[i]) continue;
        n->outputs[i] = cg_input_meta_of(outs[i]);
        if (!cg_is_floating_inline(outs[i]->dtype)) continue; /* integer and bool tensors have no history */
        cg_autograd_meta *m = cg_meta(outs[i]);
        if (!m) return false;
        /* An in-place op gives t a new history: its retain_grad moves there, as in PyTorch. */
        if (m->retains_grad && m->grad_fn && m->grad_fn != n && !cg_move_retained(outs[i], n, i)) return false;
        if (fresh)
            atomic_store_explicit(&n->refcount, atomic_load_explicit(&n->refcount, memory_order_relaxed) + 1,
                                  memory_order_relaxed);
        else
            cg_node_retain(n);
        cg_node_release(m->grad_fn);
        m->grad_fn = n;
        m->output_nr = i;
        m->view_version = outs[i]->storage->version;
    }
    return true;
}

static bool any_floating(int n, cg_tensor **ts) {
    for (int i = 0; i < n; i++)
        if (ts[i] && cg_is_floating_inline(ts[i]->dtype)) return true;
    return false;
}

bool cg_attach_history(cg_node *n, int nout, cg_tensor **outs) { return attach_history(n, nout, outs, false); }

cg_node *cg_record_multi(const cg_op *op, int nout, cg_tensor **outs, int n, cg_tensor **inputs) {
    unsigned long mark = cg_alloc_failures_;
    cg_record_mark_ = mark;
    if (cg_profiling_on()) cg_profile_op(op);
    bool grad = cg_grad_mode_on() && !cg_inference_mode_ && cg_any_requires_grad(n, inputs);
    bool fwd = cg_fwd_active() && cg_any_tangent(n, inputs);
    if (!(grad || fwd) || !any_floating(nout, outs)) return NULL;
    if (fwd && !cg_jvp_of(op)) {
        cg_fwd_not_implemented(op);
        cg_recording_failed();
        return NULL;
    }
    cg_node *node = cg_node_new(op, n);
    if (!node) return NULL;
    /* An input whose history cannot be read fails the op (its message stays: PyTorch stops there). */
    for (int i = 0; grad && i < n && cg_alloc_failures_ == mark; i++)
        node->next[i] = inputs[i] ? cg_gradient_edge(inputs[i]) : (cg_edge){NULL, 0};
    if (fwd && !cg_fwd_push(node, nout, outs, n, inputs)) {
        cg_node_release(node);
        return NULL;
    }
    if (!grad) { /* a node for the jvp alone, which the pending entry holds: no history */
        for (int i = 0; i < n; i++)
            if (cg_tangent(inputs[i])) node->next[i].node = &cg_jvp_edge_;
        node->outputs = nout == 1 ? &node->output_inline : cg_calloc((size_t)nout, sizeof *node->outputs);
        node->noutputs = node->outputs ? nout : 0;
        for (int i = 0; i < node->noutputs; i++)
            if (outs[i]) node->outputs[i] = cg_input_meta_of(outs[i]);
        cg_node_release(node);
        return node;
    }
    bool ok = attach_history(node, nout, outs, true);
    /* The outputs hold it now: drop the reference cg_node_new gave (plainly, as it is still fresh). */
    int count = atomic_load_explicit(&node->refcount, memory_order_relaxed);
    if (count > 1) atomic_store_explicit(&node->refcount, count - 1, memory_order_relaxed);
    else cg_node_release(node);
    return ok ? node : NULL;
}

/* ---- saved tensors ---- */

static bool is_output_of(cg_tensor *t, cg_node *n) { return t->autograd && t->autograd->grad_fn == n; }

/* An output is saved as a bare header over its storage: keeping the output itself would make a
 * cycle (output -> node -> output). cg_saved gives it its history back. */
void cg_save(cg_node *n, int slot, cg_tensor *t) {
    if (!n || !t) return;
    if (t->storage->inference) { /* fails the op as running out of memory does */
        cg_set_error("Inference tensors cannot be saved for backward. To work around you can make a clone to get a "
                     "normal tensor and use it in autograd.");
        cg_recording_failed();
        return;
    }
    cg_saved_tensor *s = &n->saved[slot];
    s->version = t->storage->version;
    s->is_output = is_output_of(t, n);
    s->output_nr = s->is_output ? t->autograd->output_nr : 0;
    s->had_history = !s->is_output && t->autograd && t->autograd->grad_fn;
    if (slot >= n->nsaved) n->nsaved = slot + 1;
    if (cg_saved_hooks_depth_) {
        n->packed = true;
        if (!cg_pack_saved(s, t)) cg_recording_failed();
        return;
    }
    s->data = cg_retain(s->is_output ? cg_new_alias(t) : t);
}

void cg_save_number(cg_node *n, cg_number value) {
    if (!n) return;
    n->saves_number = true;
    if (cg_saved_hooks_depth_ && n->nsaved < CG_NODE_MAX_SAVED)
        cg_save(n, n->nsaved, cg_full_shape_number(value.kind == CG_NUMBER_BOOL  ? CG_BOOL
                                                   : value.kind == CG_NUMBER_INT ? CG_INT64
                                                                                 : CG_FLOAT64,
                                                   0, NULL, value));
}

static const char *TWICE =
    "Trying to backward through the graph a second time (or directly access saved tensors after they have "
    "already been freed). Saved intermediate values of the graph are freed when you call .backward() or "
    "autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or if "
    "you need to access saved tensors after calling backward.";

/* PyTorch's message for a saved tensor changed in place: it names the tensor's history now (for an
 * output, the node that saved it), or nothing when the tensor has none. */
static void report_modified(cg_node *n, const cg_saved_tensor *s) {
    const cg_tensor *t = s->data;
    char origin[128] = "";
    cg_node *fn = s->is_output ? n : cg_grad_fn_internal((cg_tensor *)t);
    if (s == &n->saved[CG_NODE_MAX_SAVED - 1] && n->witness_fn) fn = n->witness_fn; /* still alive */
    if (s->written && t->storage->history_of == s->written)
        snprintf(origin, sizeof origin, ", which is output 0 of %s,", t->storage->history_name);
    else if (s->written && s->written_view)
        snprintf(origin, sizeof origin, ", which is output 0 of AsStridedBackward0,");
    else if (fn)
        snprintf(origin, sizeof origin, ", which is output %d of %s,", s->is_output ? 0 : t->autograd->output_nr,
                 cg_node_message_name(fn));
    cg_set_error("one of the variables needed for gradient computation has been modified by an inplace operation: "
                 "[%s %s]%s is at version %lld; expected version %lld instead. Hint: %s",
                 cg_dtype_legacy_name(t->dtype), cg_shape_text(t->ndim, t->sizes).s, origin,
                 (long long)t->storage->version, (long long)s->version,
                 cg_anomaly_enabled_ ? "the backtrace further above shows the operation that failed to compute its "
                                       "gradient. The variable in question was changed in there or anywhere later. "
                                       "Good luck!"
                                     : "enable anomaly detection to find the operation that failed to compute its "
                                       "gradient, with torch.autograd.set_detect_anomaly(True).");
}

/* PyTorch's SavedVariable reads a saved input's grad_fn when unpacked, before its version. */
static __attribute__((noinline)) bool check_slot_fully(cg_node *n, const cg_saved_tensor *s) {
    if (s->data && !s->is_output && s->data->autograd && cg_history_unreadable(s->data)) {
        cg_grad_fn_internal(s->data); /* PyTorch's message for a view whose history it will not remake */
        return false;
    }
    if (s->data && s->had_history && !(s->data->autograd && s->data->autograd->grad_fn)) {
        cg_set_error("saved_for INTERNAL ASSERT FAILED at \"./torch/csrc/autograd/saved_variable.cpp\":146, please "
                     "report a bug to PyTorch. No grad_fn for non-leaf saved tensor");
        return false;
    }
    if (!s->data || s->data->storage->version == s->version) return true;
    report_modified(n, s);
    return false;
}

/* The common case inline: no view (whose history might be unreadable), the history it was saved
 * with, the version it was saved at. */
static bool check_slot(cg_node *n, const cg_saved_tensor *s) {
    const cg_tensor *t = s->data;
    if (!t) return true;
    const cg_autograd_meta *m = t->autograd;
    bool plain = !(m && m->view_base) && !(s->had_history && !(m && m->grad_fn));
    return (plain && t->storage->version == s->version) || check_slot_fully(n, s);
}

bool cg_check_saved(cg_node *n) {
    if (n->released) {
        cg_set_error("%s", TWICE);
        return false;
    }
    for (int i = 0; i < n->nsaved; i++)
        if (!check_slot(n, &n->saved[i])) return false;
    /* A custom function's saved tensors are unpacked when its backward reads them. */
    return !n->packed || n->op->backward == cg_custom_backward || cg_unpack_all(n);
}

cg_tensor *cg_saved(cg_node *n, int slot) {
    if (n->released) {
        cg_set_error("%s", TWICE);
        return NULL;
    }
    cg_saved_tensor *s = &n->saved[slot];
    if (s->packed) return cg_unpacked(n, slot);
    if (!s->data || !check_slot(n, s)) return NULL;
    /* An in-place op's node under CopySlices has no outputs of its own (the view it wrote takes its
     * history from the base): its saved result comes back without one. */
    if (!s->is_output || n->noutputs == 0) return s->data;
    /* The output again, with this node as its history, so create_graph can differentiate through it. */
    cg_tensor *t = cg_new_alias(s->data);
    if (!t) return NULL;
    cg_autograd_meta *m = cg_meta(t);
    if (!m) return NULL;
    cg_node_retain(n);
    m->grad_fn = n;
    m->output_nr = s->output_nr;
    if (cg_tangent(s->data) && !cg_set_tangent(t, cg_tangent(s->data))) return NULL; /* forward over reverse */
    return t;
}

void cg_release_saved(cg_node *n) {
    for (int i = 0; i < n->nsaved; i++) {
        cg_release(n->saved[i].data);
        n->saved[i].data = NULL;
        cg_packed_free(n->saved[i].packed);
        n->saved[i].packed = NULL;
    }
    /* CopySlices holds no tensor, but PyTorch drops its inner node (and refuses a second run). */
    if (n->nsaved || n->saves_number || n->inner) n->released = true;
}
