/* The engine: backward and autograd.grad.
 *
 * One run (PyTorch's GraphTask): find every node reachable from the roots and count, for each, the
 * edges that reach it; then run nodes whose gradients are complete (count zero), highest sequence
 * number first, summing what each one sends into its next nodes' buffers. Without retain_graph a
 * node frees its saved tensors once it has run.
 *
 * Everything a run keeps about a node (its count, its gradient buffer, whether it is needed) lives
 * in the run, never in the node: so a run may start inside another one (autograd.grad in a hook or
 * a backward) on a graph that shares nodes with it, and threads may run backward through graphs
 * that share nodes. A node points at its entry in the run that claimed it first (the common case:
 * one run at a time); a run that finds a node claimed by another keeps it in a table of its own. */
#include "autograd/autograd.h"
#include "backend/backend.h"
#include "core/lock.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    cg_edge edge;     /* where the wanted gradient arrives */
    cg_tensor *grad;  /* what arrived (a reference), NULL if nothing */
} capture;

/* What one run knows of one node. */
typedef struct {
    cg_node *node;
    int deps;                  /* edges from reachable nodes whose gradient has not arrived yet */
    int walk;                  /* discovery: the next edge to visit */
    bool needed, queued;
    bool captured;             /* a capture's edge ends here */
    bool claimed;              /* the node's run_slot points here */
    cg_tensor **buffer;        /* noutputs incoming gradients, summed (buffer_inline when one) */
    cg_tensor *buffer_inline[1];
} node_task;

typedef struct {
    uint64_t sequence_nr;
    int task;
} ready_entry;

typedef struct {
    const cg_node *node;       /* NULL: an empty slot */
    int task;
} table_slot;

typedef struct {
    int nroots;
    cg_edge *roots;
    cg_tensor **root_grads;
    int ncaptures;    /* 0: plain backward, accumulating into leaves */
    capture *captures;
    /* backward(inputs=): a capture's node is not read but run, as in a plain backward (a leaf's
     * AccumulateGrad with its hooks, once however often it is listed; a non-leaf's grad_fn, whose
     * retain_grad entry fills its .grad). Otherwise autograd.grad: the gradient is taken as it
     * arrives, before any hook. */
    bool run_captures;
    bool keep_graph, create_graph;
    uint64_t id;      /* unique among live runs; never 0, below 2^(64 - TASK_BITS) */
    /* The run's nodes, and an open-addressing table from node to index in tasks for those it could
     * not claim (none allocated until one). */
    node_task *tasks;
    int ntasks, cap_tasks;
    table_slot *slots;
    size_t nslots;    /* 0, or a power of two at least twice nunclaimed */
    size_t nunclaimed;
    ready_entry *ready; /* the ready queue: a max-heap on sequence numbers */
    size_t nready, cap_ready;
} graph_task;

/* ---- the run's table of nodes ---- */

/* A node's run_slot: the run's id above TASK_BITS, its index + 1 below. Only the run that claimed
 * a node writes it (and clears it when it ends), so relaxed accesses suffice: a run compares it
 * with its own id and publishes nothing through it. */
#define TASK_BITS 24
#define TASK_MASK ((UINT64_C(1) << TASK_BITS) - 1)

static uint64_t claim_word(const graph_task *g, int t) { return g->id << TASK_BITS | (uint64_t)(t + 1); }

static bool claim(const graph_task *g, cg_node *n, int t) {
    if ((uint64_t)t + 1 > TASK_MASK) return false;
    uint64_t free_slot = 0;
    return atomic_compare_exchange_strong_explicit(&n->run_slot, &free_slot, claim_word(g, t), memory_order_relaxed,
                                                   memory_order_relaxed);
}

static size_t slot_of(const graph_task *g, const cg_node *n) {
    uint64_t h = (uint64_t)(uintptr_t)n * 0x9e3779b97f4a7c15u;
    size_t i = (size_t)(h >> 32) & (g->nslots - 1);
    while (g->slots[i].node && g->slots[i].node != n) i = (i + 1) & (g->nslots - 1);
    return i;
}

static __attribute__((noinline)) int find_unclaimed(const graph_task *g, const cg_node *n) {
    if (!g->nslots) return -1;
    const table_slot *s = &g->slots[slot_of(g, n)];
    return s->node ? s->task : -1;
}

/* n's index in the run, or -1 when it is not part of it. */
static inline __attribute__((always_inline)) int find_task(const graph_task *g, cg_node *n) {
    uint64_t w = atomic_load_explicit(&n->run_slot, memory_order_relaxed);
    return w >> TASK_BITS == g->id ? (int)(w & TASK_MASK) - 1 : find_unclaimed(g, n);
}

static bool grow_slots(graph_task *g) {
    size_t nslots = g->nslots ? g->nslots * 2 : 64;
    table_slot *slots = cg_calloc(nslots, sizeof *slots);
    if (!slots) return false;
    cg_free(g->slots);
    g->slots = slots;
    g->nslots = nslots;
    for (int t = 0; t < g->ntasks; t++)
        if (!g->tasks[t].claimed) g->slots[slot_of(g, g->tasks[t].node)] = (table_slot){g->tasks[t].node, t};
    return true;
}

static bool is_capture_target(const graph_task *g, const cg_node *n) {
    for (int i = 0; i < g->ncaptures; i++)
        if (g->captures[i].edge.node == n) return true;
    return false;
}

/* Adds n (not yet in the run); its index, or -1 when out of memory. */
static int add_task(graph_task *g, cg_node *n) {
    if (g->ntasks == g->cap_tasks) {
        int cap = g->cap_tasks * 2;
        node_task *tasks = cg_realloc(g->tasks, (size_t)cap * sizeof *tasks);
        if (!tasks) return -1;
        g->tasks = tasks;
        g->cap_tasks = cap;
    }
    int t = g->ntasks;
    bool claimed = claim(g, n, t);
    if (!claimed) {
        if ((g->nunclaimed + 1) * 2 > g->nslots && !grow_slots(g)) return -1;
        g->slots[slot_of(g, n)] = (table_slot){n, t};
        g->nunclaimed++;
    }
    g->ntasks++;
    g->tasks[t] = (node_task){.node = n, .captured = is_capture_target(g, n), .claimed = claimed};
    return t;
}

#define FIRST_TASKS 128 /* a graph of a hundred ops needs no regrowth */

static bool open_task(graph_task *g) {
    static _Atomic uint64_t last_id;
    g->id = atomic_fetch_add_explicit(&last_id, 1, memory_order_relaxed) % (UINT64_MAX >> TASK_BITS) + 1;
    g->cap_tasks = FIRST_TASKS;
    g->tasks = cg_malloc((size_t)g->cap_tasks * sizeof *g->tasks);
    return g->tasks != NULL;
}

/* The gradients a node received, released once it ran (PyTorch's engine frees an input buffer
 * then): a backward through a long chain of big tensors holds a few of them, not one per node. */
static void release_buffer(node_task *k) {
    if (!k->buffer) return;
    for (int s = 0; s < (k->node->noutputs ? k->node->noutputs : 1); s++) cg_release(k->buffer[s]);
    if (k->buffer != k->buffer_inline) cg_free(k->buffer);
    k->buffer = NULL;
}

static void close_task(graph_task *g) {
    for (int t = 0; t < g->ntasks; t++) {
        node_task *k = &g->tasks[t];
        if (k->claimed) atomic_store_explicit(&k->node->run_slot, 0, memory_order_relaxed);
        release_buffer(k);
    }
    cg_free(g->tasks);
    cg_free(g->slots);
    cg_free(g->ready);
}

/* ---- the ready queue ---- */

static inline __attribute__((always_inline)) bool enqueue(graph_task *g, int task) {
    if (g->nready == g->cap_ready) {
        size_t cap = g->cap_ready ? g->cap_ready * 2 : 64;
        ready_entry *items = cg_realloc(g->ready, cap * sizeof *items);
        if (!items) return false;
        g->ready = items;
        g->cap_ready = cap;
    }
    ready_entry *h = g->ready;
    size_t i = g->nready++;
    h[i] = (ready_entry){g->tasks[task].node->sequence_nr, task};
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (h[parent].sequence_nr >= h[i].sequence_nr) break;
        ready_entry tmp = h[parent];
        h[parent] = h[i];
        h[i] = tmp;
        i = parent;
    }
    return true;
}

static int dequeue(graph_task *g) {
    ready_entry *h = g->ready;
    int top = h[0].task;
    h[0] = h[--g->nready];
    for (size_t i = 0;;) {
        size_t l = 2 * i + 1, r = l + 1, best = i;
        if (l < g->nready && h[l].sequence_nr > h[best].sequence_nr) best = l;
        if (r < g->nready && h[r].sequence_nr > h[best].sequence_nr) best = r;
        if (best == i) break;
        ready_entry tmp = h[best];
        h[best] = h[i];
        h[i] = tmp;
        i = best;
    }
    return top;
}

/* ---- discovery: every reachable node, with dependency counts ---- */

typedef struct {
    int *items;
    size_t len, cap;
} index_stack;

static inline __attribute__((always_inline)) bool push_index(index_stack *s, int v) {
    if (s->len == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        int *items = cg_realloc(s->items, cap * sizeof *items);
        if (!items) return false;
        s->items = items;
        s->cap = cap;
    }
    s->items[s->len++] = v;
    return true;
}

static bool discover(graph_task *g) {
    index_stack stack = {0};
    bool ok = true;
    for (int r = 0; r < g->nroots && ok; r++) {
        cg_node *root = g->roots[r].node;
        if (find_task(g, root) >= 0) continue;
        int t = add_task(g, root);
        ok = t >= 0 && push_index(&stack, t);
        /* Depth-first, iteratively; children finish before their parent (post-order), so a
         * node's `needed` flag can be computed from theirs. Indices, not pointers: adding a task
         * may move the array. */
        while (ok && stack.len) {
            int top = stack.items[stack.len - 1];
            cg_node *n = g->tasks[top].node;
            bool descended = false;
            while (ok && !descended && g->tasks[top].walk < n->nnext) {
                int e = g->tasks[top].walk++;
                cg_node *child = n->next[e].node;
                if (!child) continue;
                int c = find_task(g, child);
                if (c >= 0) {
                    g->tasks[c].deps++;
                } else {
                    c = add_task(g, child);
                    ok = c >= 0 && push_index(&stack, c);
                    if (ok) g->tasks[c].deps = 1;
                    descended = true;
                }
            }
            if (descended || !ok) continue;
            stack.len--;
            node_task *k = &g->tasks[top];
            k->needed = g->ncaptures == 0 || (g->run_captures && k->captured);
            for (int i = 0; i < n->nnext && !k->needed; i++) {
                int c = n->next[i].node ? find_task(g, n->next[i].node) : -1;
                k->needed = c >= 0 && (g->tasks[c].needed || g->tasks[c].captured);
            }
        }
    }
    cg_free(stack.items);
    return ok;
}

/* ---- gradients arriving at a node ---- */

cg_tensor *cg_sum_to(cg_tensor *grad, int ndim, const int64_t *sizes) {
    if (ndim == 0) return cg_sum(grad); /* as at::sum_to: SumBackward0 in double-backward graphs */
    int lead = grad->ndim - ndim;
    cg_reduce_args args = {.input = grad, .keepdim = true};
    for (int d = 0; d < grad->ndim; d++)
        if (d < lead || (sizes[d - lead] == 1 && grad->sizes[d] != 1)) args.dims[args.ndims++] = d;
    cg_tensor *summed = args.ndims ? cg_sum_opts(args) : grad;
    return lead > 0 ? cg_view_shape(summed, ndim, sizes) : summed; /* PyTorch's: a view only to drop dims */
}

static bool expandable(const cg_input_meta *meta, const cg_tensor *to) {
    if (meta->ndim > to->ndim) return false;
    for (int d = 0; d < meta->ndim; d++) {
        int64_t from = meta->sizes[d], target = to->sizes[to->ndim - meta->ndim + d];
        if (from != target && from != 1) return false;
    }
    return true;
}

/* Out of line: its shape texts would make every call's frame large. */
static __attribute__((noinline, cold)) void invalid_gradient(const cg_tensor *grad, const cg_input_meta *meta,
                                                             const cg_node *from, int index) {
    cg_set_error("Function %s returned an invalid gradient at index %d - got %s but expected shape compatible with %s",
                 from ? cg_node_message_name(from) : "backward", index, cg_shape_text(grad->ndim, grad->sizes).s,
                 cg_shape_text(meta->ndim, meta->sizes).s);
}

/* The gradient as the node expects it: on the input's device (PyTorch moves a 0-dim one there),
 * summed to the input's shape and cast to its dtype. */
static __attribute__((noinline)) cg_tensor *conform(cg_tensor *grad, const cg_input_meta *meta, const cg_node *from,
                                                    int index) {
    if (grad->storage->backend != meta->backend && meta->backend) {
        if (grad->ndim != 0) {
            cg_set_error("Function %s returned an invalid gradient at index %d - expected device %s but got %s",
                         from ? cg_node_message_name(from) : "backward", index, meta->backend->name,
                         grad->storage->backend->name);
            return NULL;
        }
        grad = cg_to_device(grad, meta->backend->device);
        if (!grad) return NULL;
    }
    if (!cg_same_shape(grad->ndim, grad->sizes, meta->ndim, meta->sizes)) {
        if (!expandable(meta, grad)) {
            invalid_gradient(grad, meta, from, index);
            return NULL;
        }
        grad = cg_sum_to(grad, meta->ndim, meta->sizes);
        if (!grad) return NULL;
    }
    return grad->dtype == meta->dtype ? grad : cg_to(grad, meta->dtype);
}

/* conform, with the common case (already the expected shape and dtype) inline. */
static inline __attribute__((always_inline)) cg_tensor *validate(cg_tensor *grad, const cg_input_meta *meta,
                                                                 const cg_node *from, int index) {
    bool as_expected = grad->dtype == meta->dtype && grad->storage->backend == meta->backend &&
                       cg_same_shape(grad->ndim, grad->sizes, meta->ndim, meta->sizes);
    return as_expected ? grad : conform(grad, meta, from, index);
}

/* A gradient sum nothing else can see: its only reference is the buffer's, its storage is its own
 * (no view, no .data alias), it is dense. PyTorch's InputBuffer adds into such a sum in place. */
static bool private_sum(const cg_tensor *t, const cg_tensor *grad) {
    return cg_ref_count(&t->refcount) == 1 && cg_ref_count(&t->storage->refcount) == 1 && !t->storage->owner && !t->autograd &&
           t->dtype == grad->dtype && t->numel == grad->numel && cg_is_contiguous_inline(t);
}

static __attribute__((noinline)) bool sum_into_buffer(node_task *k, int slot, cg_tensor *grad) {
    if (!k->buffer) {
        int n = k->node->noutputs;
        k->buffer = n <= 1 ? k->buffer_inline : cg_calloc((size_t)n, sizeof *k->buffer);
        if (!k->buffer) return false;
    }
    cg_tensor *prev = k->buffer[slot];
    if (prev && !cg_grad_mode_on() && private_sum(prev, grad)) { /* not when the backward is recorded */
        CG_KERNEL(prev, binary)(CG_BIN_ADD, prev, prev, grad);
        return true;
    }
    cg_tensor *sum = prev ? cg_add(prev, grad) : grad;
    if (!sum) return false;
    cg_set_ref(&k->buffer[slot], sum);
    return true;
}

/* sum_into_buffer, with the common case (the first gradient of a one-output node) inline. */
static inline __attribute__((always_inline)) bool add_to_buffer(node_task *k, int slot, cg_tensor *grad) {
    if (k->buffer || k->node->noutputs > 1) return sum_into_buffer(k, slot, grad);
    k->buffer = k->buffer_inline;
    /* Usually the gradient the node's backward just made: the buffer takes the backward's scope's
     * reference (released by close_task, as one taken here would be). */
    if (!cg_scope_take_recent(grad)) cg_ref_inc(&grad->refcount);
    k->buffer_inline[0] = grad;
    return true;
}

/* ---- accumulation into .grad ---- */

/* A fresh copy of grad with the layout PyTorch's AccumulateGrad gives a leaf's .grad: the leaf's
 * own strides when it is dense, else row-major. Filled by copy_, so that under create_graph it
 * records CopyBackwards as PyTorch's does. */
static cg_tensor *copy_of(const cg_tensor *owner, cg_tensor *grad) {
    cg_tensor *fresh = cg_is_non_overlapping_and_dense(owner) ? cg_new_like(owner, grad->dtype)
                                                              : cg_new_on(owner, grad->dtype, grad->ndim, grad->sizes);
    return fresh && cg_copy_(fresh, grad) == 0 ? fresh : NULL;
}

/* Whether AccumulateGrad may keep the incoming gradient itself as .grad, as PyTorch's does: nothing
 * else holds it (the engine's buffer alone) and it has the layout a copy would get (PyTorch's
 * obeys_layout_contract: the leaf's strides for a dense leaf, where a size-1 dim may have any
 * stride but 0; row-major otherwise). */
static bool can_keep(const cg_tensor *owner, const cg_tensor *grad) {
    if (cg_ref_count(&grad->refcount) != 1 || grad->dtype != owner->dtype) return false;
    if (!cg_is_non_overlapping_and_dense(owner)) return cg_is_row_major(grad);
    for (int d = 0; d < owner->ndim; d++)
        if (grad->sizes[d] != 1 ? grad->strides[d] != owner->strides[d] : grad->strides[d] == 0) return false;
    return true;
}

/* PyTorch's AccumulateGrad: the first gradient is stored (itself when nothing else holds it, a
 * copy otherwise), later ones are added (in place unless the backward is itself being recorded). */
static bool accumulate_locked(cg_tensor *owner, cg_tensor *grad, bool create_graph, bool from_buffer) {
    cg_autograd_meta *m = owner->autograd;
    cg_tensor *sum;
    if (!m->grad && !create_graph && from_buffer && can_keep(owner, grad)) {
        sum = cg_detach(grad);
    } else if (!m->grad) {
        bool row_major = cg_is_row_major(owner) || !cg_is_non_overlapping_and_dense(owner);
        sum = create_graph || !row_major ? copy_of(owner, grad) : cg_clone_contiguous(grad);
    } else if (create_graph) {
        sum = cg_add(m->grad, grad);
    } else {
        return cg_add_(m->grad, grad) == 0;
    }
    if (!sum) return false;
    cg_set_ref(&m->grad, sum);
    return true;
}

/* Under the tensor's lock: threads whose graphs share a parameter accumulate into its one .grad.
 * from_buffer: grad is the one in the engine's buffer or a hook's fresh result; another tensor a hook
 * returns may have a count of one that is the caller's own reference, which keeping it would let later
 * backwards add into. */
static bool accumulate(cg_tensor *owner, cg_tensor *grad, bool create_graph, bool from_buffer) {
    cg_lock(CG_LOCK_GRAD, owner);
    bool ok = accumulate_locked(owner, grad, create_graph, from_buffer);
    cg_unlock(CG_LOCK_GRAD, owner);
    return ok;
}

/* retain_grad's entry: the gradient summed into the tensor's .grad (under its lock, as above). */
static bool retain(cg_tensor *t, cg_tensor *grad) {
    cg_autograd_meta *m = t->autograd;
    cg_lock(CG_LOCK_GRAD, t);
    cg_tensor *sum = m->grad ? cg_add(m->grad, grad) : cg_clone_contiguous(grad);
    if (sum) cg_set_ref(&m->grad, sum);
    cg_unlock(CG_LOCK_GRAD, t);
    return sum != NULL;
}

/* A tensor hook's (or retain_grad's) result for grad: grad, a replacement, or NULL with an error. */
static cg_tensor *run_hook(cg_hook_entry *h, cg_tensor *grad) {
    if (h->retains) return retain(h->retains, grad) ? grad : NULL;
    cg_tensor *replaced = h->fn(grad, h->user);
    return replaced ? replaced : cg_error_pending() ? NULL : grad;
}

static cg_tensor *run_hooks(cg_hook_entry *hooks, int output_nr, cg_tensor *grad) {
    for (cg_hook_entry *h = hooks; h && grad; h = h->next)
        if (h->output_nr == output_nr) grad = run_hook(h, grad);
    return grad;
}

/* The node's pre-hooks in the order of its one list, as PyTorch's: a tensor hook sees its output's
 * gradient, a node pre-hook all of them. */
static __attribute__((noinline)) bool run_pre_hooks(cg_node *n, cg_tensor **grads) {
    for (cg_hook_entry *h = n->pre_hooks; h; h = h->next) {
        if (h->node_fn) {
            if (!cg_call_node_prehook(n, h, grads)) return false;
        } else if (grads[h->output_nr]) {
            cg_tensor *hooked = run_hook(h, grads[h->output_nr]);
            if (!hooked) return false;
            cg_set_ref(&grads[h->output_nr], hooked);
        }
    }
    return true;
}

/* ---- running one node ---- */

/* Whether any gradient reached the node. As in PyTorch, a node none reached passes none on; a node
 * some reached runs, and a multi-output formula reads a missing piece as zeros. */
static bool any_grad(const node_task *k) {
    for (int i = 0; k->buffer && i < k->node->noutputs; i++)
        if (k->buffer[i]) return true;
    return false;
}

/* Checks (and sums to shape, casts) each gradient a node sends to a node the run needs, in place. */
static bool validate_outputs(graph_task *g, cg_node *n, cg_tensor **out) {
    for (int i = 0; i < n->nnext; i++) {
        cg_node *child = n->next[i].node;
        if (!child || !out[i]) continue;
        node_task *c = &g->tasks[find_task(g, child)];
        if (!c->needed && !c->captured) continue;
        out[i] = validate(out[i], &child->outputs[n->next[i].input_nr], n, i);
        if (!out[i]) return false;
    }
    return true;
}

_Thread_local const cg_node *cg_running_node_;
_Thread_local uint64_t cg_running_needed_;

/* Bit i: the run needs the gradient of n's input i (its node runs or is captured). */
static uint64_t needed_edges(graph_task *g, cg_node *n) {
    uint64_t mask = 0;
    for (int i = 0; i < n->nnext && i < 64; i++) {
        cg_node *child = n->next[i].node;
        if (!child) continue;
        const node_task *c = &g->tasks[find_task(g, child)];
        if (c->needed || c->captured) mask |= (uint64_t)1 << i;
    }
    return mask;
}

static bool run_node(graph_task *g, int task) {
    node_task *k = &g->tasks[task];
    cg_node *n = k->node;
    cg_tensor *empty = NULL;
    cg_tensor **grads = k->buffer ? k->buffer : &empty;
    for (int c = 0; c < g->ncaptures && k->captured && !g->run_captures; c++) {
        capture *cap = &g->captures[c];
        if (cap->edge.node == n && k->buffer && k->buffer[cap->edge.input_nr])
            cap->grad = cg_retain(k->buffer[cap->edge.input_nr]);
    }
    cg_tensor *out[n->nnext ? n->nnext : 1];
    memset(out, 0, sizeof out);
    bool ok = true;
    bool profiled = k->needed && cg_profiling_on();
    cg_profile_span span = profiled ? cg_profile_begin() : (cg_profile_span){0, 0};
    if (k->needed) {
        cg_clear_error();
        if (n->pre_hooks && k->buffer) ok = run_pre_hooks(n, grads);
        if (ok && n->op == cg_accumulate_grad_op()) {
            /* A leaf that stopped requiring grad after the graph was recorded gets nothing, and
             * its hooks do not run (as PyTorch's AccumulateGrad). */
            if (grads[0] && cg_grad_fn_internal(n->variable)) { /* an in-place op gave it a history since */
                cg_set_error("leaf variable has been moved into the graph interior");
                ok = false;
            }
            bool wanted = ok && grads[0] && cg_requires_grad(n->variable);
            cg_tensor *grad = wanted ? run_hooks(n->variable->autograd->hooks, 0, grads[0]) : NULL;
            /* A hook's fresh result (made in this node's scope, which alone holds it) may be kept
             * as .grad too, as PyTorch steals a hook's result that nothing else references. */
            bool fresh = grad && grad != grads[0] && cg_scope_take_recent(grad);
            ok = !cg_error_pending() &&
                 (!grad || accumulate(n->variable, grad, g->create_graph, grad == grads[0] || fresh));
            if (fresh) cg_release(grad);
            if (ok && n->extras && n->extras->post_hooks && grads[0]) ok = cg_run_post_hooks(n, out, grads);
        } else if (ok) {
            /* As PyTorch's nodes with saved variables lock their mutex in apply: a thread whose
             * backward shares this node then sees the saved tensors there or freed, never half. */
            bool lock = n->nsaved || n->inner;
            if (lock) cg_lock(CG_LOCK_NODE, n);
            /* PyTorch's nodes unpack their saved tensors before they look at the gradients: a
             * freed node fails even when no gradient reached it. */
            ok = !n->op->backward || cg_check_saved(n);
            if (ok && n->op->backward && any_grad(k)) {
                /* a plain backward needs every edge; a backward may run another (save, restore) */
                const cg_node *outer_node = cg_running_node_;
                uint64_t outer_needed = cg_running_needed_;
                cg_running_node_ = g->ncaptures ? n : NULL;
                if (g->ncaptures) cg_running_needed_ = needed_edges(g, n);
                n->op->backward(n, grads, out);
                cg_running_node_ = outer_node;
                cg_running_needed_ = outer_needed;
                ok = !cg_error_pending() && validate_outputs(g, n, out);
                if (ok && n->extras && n->extras->post_hooks) ok = cg_run_post_hooks(n, out, grads);
            }
            /* As PyTorch's engine, only once its gradients passed validation (a node whose
             * gradient has the wrong shape keeps its saved tensors, and a second backward fails
             * the same way), and under the same lock as the check, so that of two threads
             * backwarding through a shared node without retain_graph only one runs it. */
            if (ok && !g->keep_graph) {
                cg_release_saved(n);
                if (n->inner) cg_release_saved(n->inner);
            }
            if (n->packed || n->inner) cg_forget_unpacked(n); /* what saved-tensor hooks unpacked */
            /* PyTorch checks the gradients once the saved tensors are released */
            if (ok && cg_anomaly_enabled_) ok = cg_anomaly_check_nan(n, out);
            if (lock) cg_unlock(CG_LOCK_NODE, n);
        }
    }
    if (profiled) cg_profile_end(n, span);
    for (int i = 0; i < n->nnext && ok; i++) {
        cg_node *child = n->next[i].node;
        if (!child) continue;
        node_task *c = &g->tasks[find_task(g, child)];
        if (out[i] && (c->needed || c->captured)) ok = add_to_buffer(c, n->next[i].input_nr, out[i]);
        if (ok && --c->deps == 0) ok = enqueue(g, (int)(c - g->tasks));
    }
    return ok;
}

static int execute(graph_task *g) {
    bool previous_mode = cg_set_grad_enabled(g->create_graph);
    cg_scope_begin();
    bool ok = open_task(g) && discover(g);
    for (int r = 0; r < g->nroots && ok; r++) {
        cg_node *root = g->roots[r].node;
        int slot = g->roots[r].input_nr;
        cg_tensor *grad = validate(g->root_grads[r], &root->outputs[slot], NULL, r);
        ok = grad && add_to_buffer(&g->tasks[find_task(g, root)], slot, grad);
    }
    for (int r = 0; r < g->nroots && ok; r++) {
        int t = find_task(g, g->roots[r].node);
        if (g->tasks[t].deps == 0 && !g->tasks[t].queued) {
            g->tasks[t].queued = true;
            ok = enqueue(g, t);
        }
    }
    while (ok && g->nready) {
        int t = dequeue(g);
        cg_scope_begin();
        ok = run_node(g, t);
        if (!ok && cg_anomaly_enabled_) cg_anomaly_report(g->tasks[t].node);
        cg_scope_end();
        release_buffer(&g->tasks[t]);
    }
    close_task(g);
    cg_scope_end();
    cg_set_grad_enabled(previous_mode);
    return ok ? 0 : -1;
}

/* ---- the public calls ---- */

static bool check_gradient_shape(const cg_tensor *grad, const cg_tensor *out, int i) {
    if (cg_same_shape(grad->ndim, grad->sizes, out->ndim, out->sizes)) return true;
    cg_set_error("Mismatch in shape: grad_output[%d] has a shape of torch.Size(%s) and output[%d] has a shape of "
                 "torch.Size(%s).", i, cg_shape_text(grad->ndim, grad->sizes).s, i,
                 cg_shape_text(out->ndim, out->sizes).s);
    return false;
}

/* Roots and their gradients for outputs; PyTorch's checks in PyTorch's order. */
static bool make_roots(cg_tensor_list outputs, cg_tensor_list grads, cg_edge *roots, cg_tensor **root_grads) {
    for (int i = 0; i < outputs.n; i++) {
        cg_tensor *out = outputs.items[i], *grad = grads.items && i < grads.n ? grads.items[i] : NULL;
        if (!out) return false;
        if (grad && !check_gradient_shape(grad, out, i)) return false;
        if (grad && grad->storage->backend != out->storage->backend) { /* validate_outputs on the roots */
            if (grad->ndim != 0) {
                cg_set_error("invalid gradient at index %d - expected device %s but got %s", i,
                             out->storage->backend->name, grad->storage->backend->name);
                return false;
            }
            if (!(grad = cg_to_device(grad, cg_get_device(out)))) return false;
        }
        if (!grad && cg_requires_grad(out)) {
            if (out->numel != 1) {
                cg_set_error("grad can be implicitly created only for scalar outputs");
                return false;
            }
            grad = cg_ones_like(out);
            if (!grad) return false;
        }
        unsigned long failures = cg_alloc_failures_;
        roots[i] = cg_gradient_edge(out);
        root_grads[i] = grad;
        /* No history and no accumulator (a view made in no_grad mode requires grad through its
         * base, but is not a leaf that accumulates): PyTorch's message, unless memory ran out or
         * the history could not be read (the message is set). */
        if (!roots[i].node && cg_alloc_failures_ == failures)
            cg_set_error("element %d of tensors does not require grad and does not have a grad_fn", i);
        if (!roots[i].node) return false;
    }
    return true;
}

static void release_roots(cg_edge *roots, int n) {
    for (int i = 0; i < n; i++) cg_node_release(roots[i].node);
}

/* PyTorch warns once per process, when a backward() (not autograd.grad) with create_graph passes
 * its checks and starts. */
static void warn_create_graph_cycle(void) {
    static atomic_flag warned = ATOMIC_FLAG_INIT;
    if (atomic_flag_test_and_set(&warned)) return;
    cg_warn("Using backward() with create_graph=True will create a reference cycle between the parameter and its "
            "gradient which can cause a memory leak. We recommend using autograd.grad when creating the graph to "
            "avoid this. If you have to use this function, make sure to reset the .grad fields of your parameters "
            "to None after use to break the cycle and avoid the leak.");
}

/* accumulate: backward() (into .grad), not autograd.grad. */
static int run_graph(cg_tensor_list outputs, cg_tensor_list grads, capture *captures, int ncaptures,
                     bool keep_graph, bool create_graph, bool accumulate) {
    cg_edge *roots = cg_calloc((size_t)outputs.n, sizeof *roots);
    cg_tensor **root_grads = cg_calloc((size_t)outputs.n, sizeof *root_grads);
    int status = -1;
    if (roots && root_grads && make_roots(outputs, grads, roots, root_grads)) {
        if (accumulate && create_graph) warn_create_graph_cycle();
        graph_task run = {.nroots = outputs.n, .roots = roots, .root_grads = root_grads, .ncaptures = ncaptures,
                          .captures = captures, .run_captures = accumulate && ncaptures, .keep_graph = keep_graph,
                          .create_graph = create_graph};
        status = execute(&run);
    }
    if (roots) release_roots(roots, outputs.n);
    cg_free(roots);
    cg_free(root_grads);
    return status;
}

int cg_backward_list(cg_tensor_list outputs, cg_tensor_list grads) {
    return run_graph(outputs, grads, NULL, 0, false, false, true);
}

/* Where the gradients of the inputs will arrive; each input must exist (no message) and require
 * grad (PyTorch's message). retain: backward(inputs=), which retain_grad()s each input first, as
 * PyTorch does (its message for one that does not require grad). NULL on error. */
static capture *capture_inputs(cg_tensor_list inputs, bool retain) {
    if (cg_check_count(inputs.n, "inputs") < 0) return NULL;
    for (int i = 0; i < inputs.n; i++) {
        if (!inputs.items[i]) return NULL;
        if (cg_history_unreadable(inputs.items[i])) { /* PyTorch reads each input's grad_fn first */
            cg_grad_fn_internal(inputs.items[i]);
            return NULL;
        }
        if (retain && cg_retain_grad(inputs.items[i]) < 0) return NULL;
        if (!cg_requires_grad(inputs.items[i])) {
            cg_set_error("One of the differentiated Tensors does not require grad");
            return NULL;
        }
    }
    capture *c = cg_calloc((size_t)(inputs.n ? inputs.n : 1), sizeof *c);
    for (int i = 0; c && i < inputs.n; i++) c[i].edge = cg_gradient_edge(inputs.items[i]);
    return c;
}

static void release_captures(capture *c, int n) {
    for (int i = 0; i < n; i++) {
        cg_release(c[i].grad);
        cg_node_release(c[i].edge.node);
    }
    cg_free(c);
}

int cg_backward_opts(cg_backward_args args) {
    if (!args.tensor) return -1;
    if (args.inputs.items && args.inputs.n == 0) {
        cg_set_error("'inputs' argument to backward() cannot be empty.");
        return -1;
    }
    cg_tensor_list outputs = {&args.tensor, 1}, grads = {&args.gradient, 1};
    bool keep = args.retain_graph || args.create_graph;
    if (!args.inputs.items) return run_graph(outputs, grads, NULL, 0, keep, args.create_graph, true);

    /* backward(inputs=...): gradients flow only into the given tensors' .grad. */
    int n = args.inputs.n;
    capture *captures = capture_inputs(args.inputs, true);
    if (!captures) return -1;
    int status = run_graph(outputs, grads, captures, n, keep, args.create_graph, true);
    release_captures(captures, n);
    return status;
}

int cg_autograd_grad_opts(cg_grad_args args) {
    if (!args.results || !args.outputs.items || !args.inputs.items) return -1;
    if (cg_check_count(args.outputs.n, "outputs") < 0 || cg_check_count(args.inputs.n, "inputs") < 0 ||
        cg_check_count(args.grad_outputs.n, "grad_outputs") < 0)
        return -1;
    if (args.inputs.n == 0) {
        cg_set_value_error("grad requires non-empty inputs.");
        return -1;
    }
    int n = args.inputs.n;
    capture *captures = capture_inputs(args.inputs, false);
    if (!captures) return -1;
    bool keep = args.retain_graph || args.create_graph;
    int status = run_graph(args.outputs, args.grad_outputs, captures, n, keep, args.create_graph, false);
    for (int i = 0; i < n && status == 0; i++) {
        if (!captures[i].grad && !args.allow_unused) {
            cg_set_error("One of the differentiated Tensors appears to not have been used in the graph. Set "
                         "allow_unused=True if this is the desired behavior.");
            status = -1;
        }
    }
    /* Each result as a reference of the caller's scope; on failure nothing is written (those
     * already registered are released with the scope). */
    for (int i = 0; i < n && status == 0; i++)
        if (captures[i].grad && !cg_scope_retain(captures[i].grad)) status = -1;
    for (int i = 0; i < n && status == 0; i++) args.results[i] = captures[i].grad; /* nothing written on error */
    release_captures(captures, n);
    return status;
}
