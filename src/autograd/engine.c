/* The engine: backward and autograd.grad.
 *
 * One run: find every node reachable from the roots and count, for each, the edges that reach it;
 * then run nodes whose gradients are complete (count zero), highest sequence number first, summing
 * what each one sends into its next nodes' buffers. Without retain_graph a node frees its saved
 * tensors once it has run. */
#include "autograd/autograd.h"
#include "kernels/elementwise.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    cg_edge edge;     /* where the wanted gradient arrives */
    cg_tensor *grad;  /* what arrived (a reference), NULL if nothing */
} capture;

typedef struct {
    int nroots;
    cg_edge *roots;
    cg_tensor **root_grads;
    int ncaptures;    /* 0: plain backward, accumulating into leaves */
    capture *captures;
    bool keep_graph, create_graph;
} engine_run;

typedef struct {
    cg_node **items;
    size_t len, cap;
} node_list;

static bool push(node_list *l, cg_node *n) {
    if (l->len == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        cg_node **items = cg_realloc(l->items, cap * sizeof *items);
        if (!items) return false;
        l->items = items;
        l->cap = cap;
    }
    l->items[l->len++] = n;
    return true;
}

/* ---- the ready queue: a max-heap on sequence numbers ---- */

/* Restores the heap after an append. */
static void heap_push(node_list *h) {
    size_t i = h->len - 1;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (h->items[parent]->sequence_nr >= h->items[i]->sequence_nr) break;
        cg_node *tmp = h->items[parent];
        h->items[parent] = h->items[i];
        h->items[i] = tmp;
        i = parent;
    }
}

static cg_node *heap_pop(node_list *h) {
    cg_node *top = h->items[0];
    h->items[0] = h->items[--h->len];
    for (size_t i = 0;;) {
        size_t l = 2 * i + 1, r = l + 1, best = i;
        if (l < h->len && h->items[l]->sequence_nr > h->items[best]->sequence_nr) best = l;
        if (r < h->len && h->items[r]->sequence_nr > h->items[best]->sequence_nr) best = r;
        if (best == i) break;
        cg_node *tmp = h->items[best];
        h->items[best] = h->items[i];
        h->items[i] = tmp;
        i = best;
    }
    return top;
}

static bool enqueue(node_list *ready, cg_node *n) {
    if (!push(ready, n)) return false;
    heap_push(ready);
    return true;
}

/* ---- discovery: every reachable node in post-order, with dependency counts ---- */

static bool is_capture_target(const engine_run *run, const cg_node *n) {
    for (int i = 0; i < run->ncaptures; i++)
        if (run->captures[i].edge.node == n) return true;
    return false;
}

static bool discover(const engine_run *run, node_list *all) {
    node_list stack = {0};
    bool ok = true;
    for (int r = 0; r < run->nroots && ok; r++) {
        cg_node *root = run->roots[r].node;
        if (root->seen) continue;
        root->seen = true;
        root->deps = 0;
        ok = push(&stack, root);
        /* Depth-first, iteratively; children finish before their parent (post-order), so a
         * node's `needed` flag can be computed from theirs. */
        while (ok && stack.len) {
            cg_node *n = stack.items[stack.len - 1];
            bool descended = false;
            while (n->engine_walk < n->nnext) {
                cg_node *child = n->next[n->engine_walk++].node;
                if (!child) continue;
                if (!child->seen) {
                    child->seen = true;
                    child->deps = 1;
                    child->needed = false;
                    ok = push(&stack, child);
                    descended = true;
                    break;
                }
                child->deps++;
            }
            if (descended || !ok) continue;
            stack.len--;
            n->needed = run->ncaptures == 0;
            for (int i = 0; i < n->nnext && !n->needed; i++) {
                cg_node *child = n->next[i].node;
                n->needed = child && (child->needed || is_capture_target(run, child));
            }
            ok = push(all, n);
        }
    }
    cg_free(stack.items);
    return ok;
}

/* ---- gradients arriving at a node ---- */

cg_tensor *cg_sum_to(cg_tensor *grad, int ndim, const int64_t *sizes) {
    int lead = grad->ndim - ndim;
    cg_reduce_args args = {.input = grad, .keepdim = true};
    for (int d = 0; d < grad->ndim; d++)
        if (d < lead || (sizes[d - lead] == 1 && grad->sizes[d] != 1)) args.dims[args.ndims++] = d;
    cg_tensor *summed = args.ndims ? cg_sum_opts(args) : grad;
    return cg_reshape_shape(summed, ndim, sizes);
}

static bool expandable(const cg_input_meta *meta, const cg_tensor *to) {
    if (meta->ndim > to->ndim) return false;
    for (int d = 0; d < meta->ndim; d++) {
        int64_t from = meta->sizes[d], target = to->sizes[to->ndim - meta->ndim + d];
        if (from != target && from != 1) return false;
    }
    return true;
}

/* The gradient as the node expects it: summed to the input's shape and cast to its dtype. */
static cg_tensor *validate(cg_tensor *grad, const cg_input_meta *meta, const cg_node *from, int index) {
    if (!cg_same_shape(grad->ndim, grad->sizes, meta->ndim, meta->sizes)) {
        if (!expandable(meta, grad)) {
            cg_set_error("Function %s returned an invalid gradient at index %d - got %s but expected shape "
                         "compatible with %s", from ? from->op->name : "backward", index,
                         cg_shape_text(grad->ndim, grad->sizes).s, cg_shape_text(meta->ndim, meta->sizes).s);
            return NULL;
        }
        grad = cg_sum_to(grad, meta->ndim, meta->sizes);
        if (!grad) return NULL;
    }
    return grad->dtype == meta->dtype ? grad : cg_to(grad, meta->dtype);
}

/* A gradient sum nothing else can see: its only reference is the buffer's, its storage is its own
 * (no view, no .data alias), it is dense. PyTorch's InputBuffer adds into such a sum in place. */
static bool private_sum(const cg_tensor *t, const cg_tensor *grad) {
    return t->refcount == 1 && t->storage->refcount == 1 && !t->storage->owner && !t->autograd &&
           t->dtype == grad->dtype && t->numel == grad->numel && cg_is_contiguous_inline(t);
}

static bool add_to_buffer(cg_node *n, int slot, cg_tensor *grad) {
    if (!n->buffer) {
        n->buffer = n->noutputs <= 1 ? n->buffer_inline : cg_calloc((size_t)n->noutputs, sizeof *n->buffer);
        if (!n->buffer) return false;
    }
    cg_tensor *prev = n->buffer[slot];
    if (prev && !cg_is_grad_enabled() && private_sum(prev, grad)) { /* not when the backward is recorded */
        cg_kernel_binary(CG_BIN_ADD, prev, prev, grad);
        return true;
    }
    cg_tensor *sum = prev ? cg_add(prev, grad) : grad;
    if (!sum) return false;
    cg_set_ref(&n->buffer[slot], sum);
    return true;
}

/* ---- accumulation into .grad ---- */

/* A fresh tensor filled by copy_, so that under create_graph it records CopyBackwards as PyTorch's does. */
static cg_tensor *copy_of(cg_tensor *t) {
    cg_tensor *fresh = cg_empty_like(t);
    return fresh && cg_copy_(fresh, t) == 0 ? fresh : NULL;
}

/* PyTorch's AccumulateGrad: the first gradient is stored, later ones are added (in place unless
 * the backward is itself being recorded). */
static bool accumulate(cg_tensor *owner, cg_tensor *grad, bool create_graph) {
    cg_autograd_meta *m = owner->autograd;
    cg_tensor *sum;
    if (!m->grad) {
        sum = create_graph ? copy_of(grad) : cg_clone(grad);
    } else if (create_graph) {
        sum = cg_add(m->grad, grad);
    } else {
        return cg_add_(m->grad, grad) == 0;
    }
    if (!sum) return false;
    cg_set_ref(&m->grad, sum);
    return true;
}

static cg_tensor *run_hooks(cg_hook_entry *hooks, int output_nr, cg_tensor *grad) {
    for (cg_hook_entry *h = hooks; h && grad; h = h->next) {
        if (h->output_nr != output_nr) continue;
        if (h->retains) {
            cg_autograd_meta *m = h->retains->autograd;
            cg_tensor *sum = m->grad ? cg_add(m->grad, grad) : cg_clone(grad);
            if (!sum) return NULL;
            cg_set_ref(&m->grad, sum);
            continue;
        }
        cg_tensor *replaced = h->fn(grad, h->user);
        if (replaced) grad = replaced;
        else if (cg_last_error()[0]) return NULL;
    }
    return grad;
}

/* ---- running one node ---- */

/* Whether any gradient reached n. As in PyTorch, a node none reached passes none on; a node some
 * reached runs, and a multi-output formula reads a missing piece as zeros. */
static bool any_grad(const cg_node *n) {
    for (int i = 0; n->buffer && i < n->noutputs; i++)
        if (n->buffer[i]) return true;
    return false;
}

static bool run_node(const engine_run *run, cg_node *n, node_list *ready) {
    cg_tensor *empty = NULL;
    cg_tensor **grads = n->buffer ? n->buffer : &empty;
    for (int c = 0; c < run->ncaptures; c++) {
        capture *cap = &run->captures[c];
        if (cap->edge.node == n && n->buffer && n->buffer[cap->edge.input_nr])
            cap->grad = cg_retain(n->buffer[cap->edge.input_nr]);
    }
    cg_tensor *out[n->nnext ? n->nnext : 1];
    memset(out, 0, sizeof out);
    bool ok = true;
    if (n->needed) {
        cg_clear_error();
        for (int i = 0; n->buffer && i < n->noutputs && ok && n->pre_hooks; i++)
            if (grads[i]) {
                cg_tensor *hooked = run_hooks(n->pre_hooks, i, grads[i]);
                ok = hooked != NULL;
                if (ok) cg_set_ref(&grads[i], hooked);
            }
        if (ok && n->op == cg_accumulate_grad_op()) {
            cg_tensor *grad = grads[0] ? run_hooks(n->variable->autograd->hooks, 0, grads[0]) : NULL;
            ok = !cg_last_error()[0] && (!grad || accumulate(n->variable, grad, run->create_graph));
        } else if (ok && n->op->backward && any_grad(n)) {
            n->op->backward(n, grads, out);
            ok = !cg_last_error()[0];
        }
        if (ok && !run->keep_graph) {
            cg_release_saved(n);
            if (n->inner) cg_release_saved(n->inner);
        }
    }
    for (int i = 0; i < n->nnext && ok; i++) {
        cg_node *child = n->next[i].node;
        if (!child) continue;
        if (out[i] && (child->needed || is_capture_target(run, child))) {
            int slot = n->next[i].input_nr;
            cg_tensor *grad = validate(out[i], &child->outputs[slot], n, i);
            ok = grad && add_to_buffer(child, slot, grad);
        }
        if (ok && --child->deps == 0) ok = enqueue(ready, child);
    }
    return ok;
}

static void reset(node_list *all) {
    for (size_t i = 0; i < all->len; i++) {
        cg_node *n = all->items[i];
        if (n->buffer) {
            for (int s = 0; s < (n->noutputs ? n->noutputs : 1); s++) {
                cg_release(n->buffer[s]);
                n->buffer[s] = NULL;
            }
            if (n->buffer != n->buffer_inline) cg_free(n->buffer);
            n->buffer = NULL;
        }
        n->seen = n->needed = false;
        n->deps = 0;
        n->engine_walk = 0;
    }
}

static int execute(engine_run *run) {
    node_list all = {0}, ready = {0};
    bool previous_mode = cg_set_grad_enabled(run->create_graph);
    cg_scope_begin();
    bool ok = discover(run, &all);
    for (int r = 0; r < run->nroots && ok; r++) {
        cg_node *root = run->roots[r].node;
        int slot = run->roots[r].input_nr;
        cg_tensor *grad = validate(run->root_grads[r], &root->outputs[slot], NULL, r);
        ok = grad && add_to_buffer(root, slot, grad);
    }
    for (int r = 0; r < run->nroots && ok; r++) {
        cg_node *root = run->roots[r].node;
        if (root->deps == 0 && !root->queued) {
            root->queued = true;
            ok = enqueue(&ready, root);
        }
    }
    while (ok && ready.len) {
        cg_node *n = heap_pop(&ready);
        cg_scope_begin();
        ok = run_node(run, n, &ready);
        cg_scope_end();
    }
    for (size_t i = 0; i < all.len; i++) all.items[i]->queued = false;
    reset(&all);
    cg_free(all.items);
    cg_free(ready.items);
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
        if (!grad && cg_requires_grad(out)) {
            if (out->numel != 1) {
                cg_set_error("grad can be implicitly created only for scalar outputs");
                return false;
            }
            grad = cg_ones_like(out);
            if (!grad) return false;
        }
        if (!cg_requires_grad(out)) {
            cg_set_error("element %d of tensors does not require grad and does not have a grad_fn", i);
            return false;
        }
        roots[i] = cg_gradient_edge(out);
        root_grads[i] = grad;
        if (!roots[i].node) return false;
    }
    return true;
}

static void release_roots(cg_edge *roots, int n) {
    for (int i = 0; i < n; i++) cg_node_release(roots[i].node);
}

static int run_graph(cg_tensor_list outputs, cg_tensor_list grads, capture *captures, int ncaptures,
                     bool keep_graph, bool create_graph) {
    cg_edge *roots = cg_calloc((size_t)outputs.n, sizeof *roots);
    cg_tensor **root_grads = cg_calloc((size_t)outputs.n, sizeof *root_grads);
    int status = -1;
    if (roots && root_grads && make_roots(outputs, grads, roots, root_grads)) {
        engine_run run = {outputs.n, roots, root_grads, ncaptures, captures, keep_graph, create_graph};
        status = execute(&run);
    }
    if (roots) release_roots(roots, outputs.n);
    cg_free(roots);
    cg_free(root_grads);
    return status;
}

/* Where the gradients of the inputs will arrive; each input must exist (no message) and require
 * grad (PyTorch's message). NULL on error. */
static capture *capture_inputs(cg_tensor_list inputs) {
    if (cg_check_count(inputs.n, "inputs") < 0) return NULL;
    for (int i = 0; i < inputs.n; i++) {
        if (!inputs.items[i]) return NULL;
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
    if (!args.inputs.items) return run_graph(outputs, grads, NULL, 0, keep, args.create_graph);

    /* backward(inputs=...): gradients flow only into the given tensors' .grad. */
    int n = args.inputs.n;
    capture *captures = capture_inputs(args.inputs);
    if (!captures) return -1;
    int status = run_graph(outputs, grads, captures, n, keep, args.create_graph);
    for (int i = 0; i < n && status == 0; i++) {
        if (!captures[i].grad) continue;
        CG_GRAD_MODE_BLOCK_(args.create_graph) {
            if (!accumulate(args.inputs.items[i], captures[i].grad, args.create_graph)) status = -1;
        }
    }
    release_captures(captures, n);
    return status;
}

int cg_autograd_grad_opts(cg_grad_args args) {
    if (!args.results || !args.outputs.items || !args.inputs.items) return -1;
    if (cg_check_count(args.outputs.n, "outputs") < 0 || cg_check_count(args.inputs.n, "inputs") < 0 ||
        cg_check_count(args.grad_outputs.n, "grad_outputs") < 0)
        return -1;
    if (args.inputs.n == 0) {
        cg_set_error("grad requires non-empty inputs.");
        return -1;
    }
    int n = args.inputs.n;
    capture *captures = capture_inputs(args.inputs);
    if (!captures) return -1;
    bool keep = args.retain_graph || args.create_graph;
    int status = run_graph(args.outputs, args.grad_outputs, captures, n, keep, args.create_graph);
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
