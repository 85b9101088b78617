/* Checkpointing (torch.utils.checkpoint, PyTorch 1.13): a segment's forward runs without keeping
 * its activations, and runs again in backward to get them.
 *
 * Reentrant (CheckpointFunction): a custom function that runs the segment under no_grad, saving
 * only its inputs; its backward runs the segment again with grad on detached inputs and a
 * backward of its own through that graph (so leaves inside the segment, weights, get their .grad).
 * Non-reentrant: the segment runs with grad on, under saved-tensor hooks whose pack keeps a
 * placeholder (a holder) in place of each tensor saved; the first unpack runs the segment again
 * under inner hooks that fill the holders still alive, in the order they were packed. Both put the
 * default generator back as it was at the forward for the recomputation (preserve_rng_state), and
 * where it was after. */
#include "autograd/autograd.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    cg_function fn;
    void *user;
    int ninputs, noutputs;
    cg_tensor *inputs[CG_NODE_MAX_SAVED * 16];  /* held (strong), for the recomputation */
    bool preserve_rng_state;
    unsigned char rng_state[CG_GENERATOR_STATE_SIZE];
} segment;

/* Runs the segment in a scope of its own, so that its activations live only as long as the graph
 * keeps them (here: not at all); its outputs go to the caller's scope. */
static int run_segment(cg_function fn, cg_tensor **inputs, cg_tensor **outputs, void *user) {
    cg_scope_begin();
    int n = fn(inputs, outputs, user);
    for (int i = 0; i < n; i++) cg_keep(outputs[i]);
    cg_scope_end();
    return n;
}

/* Runs the segment again as it ran in forward: the generator put back to its state of then, and
 * restored afterwards (torch.random.fork_rng). */
static int rerun(segment *s, cg_tensor **inputs, cg_tensor **outputs) {
    unsigned char now[CG_GENERATOR_STATE_SIZE];
    if (s->preserve_rng_state && (cg_generator_get_state(NULL, now, sizeof now) < 0 ||
                                  cg_generator_set_state(NULL, s->rng_state, sizeof s->rng_state) < 0))
        return -1;
    bool grad_mode = cg_set_grad_enabled(true);
    int n = s->fn(inputs, outputs, s->user);
    cg_set_grad_enabled(grad_mode);
    if (s->preserve_rng_state && cg_generator_set_state(NULL, now, sizeof now) < 0) return -1;
    return n;
}

static bool begin(segment *s, const cg_checkpoint_args *a) {
    if (!a->fn || !a->outputs || a->inputs.n < 0 || (a->inputs.n && !a->inputs.items)) {
        cg_set_error("cg_checkpoint: a function, its inputs and room for its outputs are required");
        return false;
    }
    if (a->inputs.n > (int)(sizeof s->inputs / sizeof *s->inputs)) {
        cg_set_error("cg_checkpoint: at most %d inputs", (int)(sizeof s->inputs / sizeof *s->inputs));
        return false;
    }
    for (int i = 0; i < a->inputs.n; i++)
        if (!a->inputs.items[i]) return false;
    s->fn = a->fn;
    s->user = a->user;
    s->ninputs = a->inputs.n;
    s->preserve_rng_state = !a->no_preserve_rng_state;
    return !s->preserve_rng_state || cg_generator_get_state(NULL, s->rng_state, sizeof s->rng_state) == 0;
}

/* ---- reentrant: a custom function, CheckpointFunctionBackward ---- */

static int reentrant_forward(cg_ctx *ctx, cg_tensor **in, int nin, cg_tensor **out, int nout, void *user) {
    segment *s = user;
    if (!cg_any_requires_grad(nin, in)) cg_warn("None of the inputs have requires_grad=True. Gradients will be None");
    if (cg_ctx_save_for_backward(ctx, nin, in) < 0) return -1;
    int n = run_segment(s->fn, in, out, s->user);
    if (n < 0) return -1;
    if (n != nout) {
        cg_set_error("cg_checkpoint: the function gave %d outputs, expected %d", n, nout);
        return -1;
    }
    segment *kept = malloc(sizeof *kept);
    if (!kept) {
        cg_set_error("out of memory");
        return -1;
    }
    memcpy(kept, s, sizeof *kept);
    kept->ninputs = 0; /* the inputs are the context's saved tensors */
    cg_ctx_set_state(ctx, kept, free);
    return 0;
}

static int reentrant_backward(cg_ctx *ctx, cg_tensor **grads, int nout, cg_tensor **gin, int nin) {
    if (cg_running_node_) { /* a backward with inputs (autograd.grad, backward(inputs=)) runs this node */
        cg_raise("Checkpointing is not compatible with .grad() or when an `inputs` parameter is passed to "
                 ".backward(). Please use .backward() and do not pass its `inputs` argument.");
        return -1;
    }
    segment *s = cg_ctx_state(ctx);
    cg_tensor *saved[CG_NODE_MAX_SAVED], *detached[CG_NODE_MAX_SAVED] = {0}, *outs[CG_MAX_OUTPUTS] = {0};
    if (cg_ctx_saved_tensors(ctx, saved) < 0) return -1;
    for (int i = 0; i < nin; i++) {
        detached[i] = cg_requires_grad_(cg_detach(saved[i]), cg_requires_grad(saved[i]));
        if (!detached[i]) return -1;
    }
    int n = rerun(s, detached, outs);
    if (n < 0) return -1;
    cg_tensor *with_grad[CG_MAX_OUTPUTS], *their_grads[CG_MAX_OUTPUTS];
    int k = 0;
    for (int i = 0; i < n && i < nout; i++)
        if (outs[i] && cg_requires_grad(outs[i])) {
            with_grad[k] = outs[i];
            their_grads[k++] = grads[i];
        }
    if (k == 0) {
        cg_raise("none of output has requires_grad=True, this checkpoint() is not necessary");
        return -1;
    }
    if (cg_backward_list((cg_tensor_list){with_grad, k}, (cg_tensor_list){their_grads, k}) < 0) return -1;
    for (int i = 0; i < nin; i++) gin[i] = cg_grad(detached[i]);
    return 0;
}

static const cg_autograd_function checkpoint_function = {
    .name = "CheckpointFunction", .forward = reentrant_forward, .backward = reentrant_backward};

/* ---- non-reentrant: saved-tensor hooks ---- */

/* One forward's recomputation state, shared by its holders (each holds a reference). */
typedef struct {
    segment seg;
    int refs;
    int nholders;              /* packed in forward */
    int cap;
    cg_tensor **storage;       /* per holder: the recomputed tensor (strong), NULL before */
    bool *alive;               /* per holder: not yet released by its graph */
    int nstored;               /* storage entries set (PyTorch's len(storage)) */
    int repacked;              /* the inner pack's counter */
} frame;

typedef struct {
    frame *f;
    int index;
} holder;

static void frame_release(frame *f) {
    if (--f->refs) return;
    for (int i = 0; i < f->nholders; i++) cg_release(f->storage[i]);
    for (int i = 0; i < f->seg.ninputs; i++) cg_release(f->seg.inputs[i]);
    free(f->storage);
    free(f->alive);
    free(f);
}

static void *pack(cg_tensor *t, void *user) {
    (void)t;
    frame *f = user;
    if (f->nholders == f->cap) {
        int cap = f->cap ? 2 * f->cap : 16;
        cg_tensor **storage = realloc(f->storage, (size_t)cap * sizeof *storage);
        if (storage) f->storage = storage;
        bool *alive = realloc(f->alive, (size_t)cap * sizeof *alive);
        if (alive) f->alive = alive;
        if (!storage || !alive) {
            cg_raise("out of memory");
            return NULL;
        }
        f->cap = cap;
    }
    holder *h = malloc(sizeof *h);
    if (!h) {
        cg_raise("out of memory");
        return NULL;
    }
    *h = (holder){f, f->nholders};
    f->storage[f->nholders] = NULL;
    f->alive[f->nholders++] = true;
    f->refs++;
    return h;
}

static void release(void *packed, void *user) {
    (void)user;
    holder *h = packed;
    frame *f = h->f;
    /* as PyTorch's WeakKeyDictionary: the holder's entry goes with it */
    f->alive[h->index] = false;
    if (f->storage[h->index]) f->nstored--;
    cg_set_ref(&f->storage[h->index], NULL);
    frame_release(f);
    free(h);
}

/* The recomputation's saves, in forward's order: each fills its holder, if that is still alive. */
static void *inner_pack(cg_tensor *t, void *user) {
    frame *f = user;
    int i = f->repacked++;
    if (i < f->nholders && f->alive[i]) {
        cg_tensor *d = cg_detach(t);
        if (!d) return NULL;
        if (!f->storage[i]) f->nstored++;
        cg_set_ref(&f->storage[i], d);
    }
    return f; /* never unpacked */
}

static cg_tensor *inner_unpack(void *packed, void *user) {
    (void)packed, (void)user;
    cg_raise("You are calling backwards on a tensor that is never exposed. Please open an issue.");
    return NULL;
}

static cg_tensor *unpack(void *packed, void *user) {
    (void)user;
    holder *h = packed;
    frame *f = h->f;
    if (f->nstored == 0) {
        f->repacked = 0;
        cg_tensor *outs[CG_MAX_OUTPUTS] = {0};
        int n = -1;
        CG_SCOPE {
            CG_SAVED_TENSORS_HOOKS(((cg_saved_tensors_hooks){inner_pack, inner_unpack, NULL, f})) {
                n = rerun(&f->seg, f->seg.inputs, outs);
            }
        }
        if (n < 0) return NULL;
    }
    if (!f->storage[h->index]) {
        cg_raise("Attempt to retrieve a tensor saved by autograd multiple times without checkpoint recomputation "
                 "being triggered in between, this is not currently supported. Please open an issue with details "
                 "on your use case so that we can prioritize adding this.");
        return NULL;
    }
    return f->storage[h->index];
}

static int non_reentrant(const cg_checkpoint_args *a) {
    frame *f = calloc(1, sizeof *f);
    if (!f) {
        cg_set_error("out of memory");
        return -1;
    }
    f->refs = 1;
    if (!begin(&f->seg, a)) {
        frame_release(f);
        return -1;
    }
    for (int i = 0; i < f->seg.ninputs; i++) f->seg.inputs[i] = cg_retain(a->inputs.items[i]);
    int n = -1;
    CG_SAVED_TENSORS_HOOKS(((cg_saved_tensors_hooks){pack, unpack, release, f})) {
        n = run_segment(a->fn, a->inputs.items, a->outputs, a->user);
    }
    frame_release(f);
    return n;
}

int cg_checkpoint_opts(cg_checkpoint_args a) {
    if (!a.use_reentrant) return non_reentrant(&a);
    segment s;
    if (!begin(&s, &a)) return -1;
    if (a.inputs.n > CG_NODE_MAX_SAVED) {
        cg_set_error("cg_checkpoint: at most %d inputs with use_reentrant", CG_NODE_MAX_SAVED);
        return -1;
    }
    int nout = a.n_outputs ? a.n_outputs : 1;
    return cg_function_apply(&checkpoint_function, a.inputs.items, a.inputs.n, a.outputs, nout, &s) < 0 ? -1 : nout;
}
