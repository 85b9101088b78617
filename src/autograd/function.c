/* Custom functions (torch.autograd.Function) from user C code.
 *
 * cg_function_apply runs the user's forward under no_grad with a context, then, when an input
 * requires grad, records one node whose op is the context itself: the op's name is the user's
 * name + "Backward" (PyTorch's name for a Function's node), its backward calls the user's, and its
 * release frees the context with the node. Saved tensors are the node's own saved slots, so they
 * get the version checks and messages of built-in saves. */
#include "autograd/autograd.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cg_ctx {
    cg_op op;                  /* first: the node's op points here */
    cg_autograd_function fn;
    void *user;
    void *state;
    void (*destroy)(void *state);
    cg_node *node;             /* the recorded node; NULL during forward or when nothing is recorded */
    int n_inputs, n_outputs;
    uint64_t needs_input_grad, dirty, non_differentiable; /* bit i: input (or output) i */
    bool materialize_grads;
    int npending;              /* tensors saved during forward, saved into the node after it */
    cg_tensor *pending[CG_NODE_MAX_SAVED];
    cg_input_meta outputs[CG_MAX_OUTPUTS];
    char name[];
};

static void free_ctx(cg_ctx *ctx) {
    for (int i = 0; i < ctx->npending; i++) cg_release(ctx->pending[i]);
    if (ctx->destroy) ctx->destroy(ctx->state);
    free(ctx);
}

void cg_custom_release(cg_node *n) { free_ctx((cg_ctx *)n->op); }

static const char *DELAYED =
    "trying to differentiate twice a function that was marked with @once_differentiable";

/* PyTorch's DelayedError ("Error"): a node that fails when a backward reaches it. */
static void delayed_error_backward(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    (void)n, (void)grads, (void)out;
    cg_set_error("%s", DELAYED);
}
static const cg_op delayed_error_op = {"Error", delayed_error_backward, "delayed_error"};

/* once_differentiable's result under create_graph: the gradient again, behind an Error node on a
 * fresh leaf, so that differentiating it fails with PyTorch's message. */
static cg_tensor *behind_error(cg_tensor *grad) {
    cg_tensor *leaf = cg_detach(grad);
    if (!leaf || !cg_requires_grad_(leaf, true)) return NULL;
    cg_tensor *out = cg_new_alias(leaf);
    if (!out) return NULL;
    cg_record(&delayed_error_op, out, CG_INPUTS(leaf));
    return cg_recorded(out);
}

void cg_custom_backward(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_ctx *ctx = (cg_ctx *)n->op;
    cg_tensor *grad_outputs[CG_MAX_OUTPUTS] = {0};
    bool any_history = false;
    for (int i = 0; i < ctx->n_outputs; i++) {
        grad_outputs[i] = grads[i];
        if (!grads[i] && ctx->materialize_grads) {
            const cg_input_meta *m = &ctx->outputs[i];
            if (!(grad_outputs[i] = cg_zeros_shape(m->dtype, m->ndim, m->sizes))) return;
        }
        any_history = any_history || (grads[i] && cg_requires_grad(grads[i]));
    }
    cg_tensor *grad_inputs[ctx->n_inputs];
    memset(grad_inputs, 0, sizeof grad_inputs);
    bool recorded = cg_is_grad_enabled();
    bool previous = cg_set_grad_enabled(recorded && !ctx->fn.once_differentiable);
    int status = ctx->fn.backward(ctx, grad_outputs, ctx->n_outputs, grad_inputs, ctx->n_inputs);
    cg_set_grad_enabled(previous);
    if (status < 0) {
        if (!cg_error_pending()) cg_set_error("%s: backward failed", n->op->name);
        return;
    }
    for (int i = 0; i < ctx->n_inputs; i++) {
        if (!grad_inputs[i] || !cg_needs_grad(n, i)) continue;
        out[i] = ctx->fn.once_differentiable && recorded && any_history ? behind_error(grad_inputs[i]) : grad_inputs[i];
        if (!out[i]) return;
    }
}

static cg_ctx *new_ctx(const cg_autograd_function *fn, int n_inputs, int n_outputs, void *user) {
    const char *name = fn->name ? fn->name : "Function";
    size_t len = strlen(name);
    cg_ctx *ctx = calloc(1, sizeof *ctx + len + sizeof "Backward");
    if (!ctx) {
        cg_set_error("out of memory");
        return NULL;
    }
    memcpy(ctx->name, name, len);
    memcpy(ctx->name + len, "Backward", sizeof "Backward");
    ctx->op = (cg_op){ctx->name, NULL, "custom_function"}; /* its backward (and release) once recorded */
    ctx->fn = *fn;
    ctx->user = user;
    ctx->n_inputs = n_inputs;
    ctx->n_outputs = n_outputs;
    ctx->materialize_grads = true;
    return ctx;
}

static bool check_args(const cg_autograd_function *fn, cg_tensor **inputs, int n_inputs, cg_tensor **outputs,
                       int n_outputs) {
    if (!fn || !fn->forward || !fn->backward || !outputs || (n_inputs && !inputs)) {
        cg_set_error("cg_function_apply: a function needs a forward and a backward");
        return false;
    }
    if (n_inputs < 0 || n_inputs > 64 || n_outputs < 1 || n_outputs > CG_MAX_OUTPUTS) {
        cg_set_error("cg_function_apply: between 0 and 64 inputs and between 1 and %d outputs (got %d and %d)",
                     CG_MAX_OUTPUTS, n_inputs, n_outputs);
        return false;
    }
    for (int i = 0; i < n_inputs; i++)
        if (!inputs[i]) return false;
    return true;
}

static int input_index(cg_tensor **inputs, int n, const cg_tensor *t) {
    for (int i = 0; i < n; i++)
        if (inputs[i] == t) return i;
    return -1;
}

/* The outputs as PyTorch gives them back: an input returned unmodified becomes a view of it (so it
 * can take the node as its history), a dirty one must have been an input. */
static bool prepare_outputs(cg_ctx *ctx, cg_tensor **inputs, cg_tensor **outputs) {
    for (int o = 0; o < ctx->n_outputs; o++) {
        if (!outputs[o]) {
            if (!cg_error_pending()) cg_set_error("%s: forward returned no tensor for output %d", ctx->name, o);
            return false;
        }
        int i = input_index(inputs, ctx->n_inputs, outputs[o]);
        if (i >= 0 && !(ctx->dirty >> i & 1)) {
            CG_NO_GRAD { outputs[o] = cg_view_shape(outputs[o], outputs[o]->ndim, outputs[o]->sizes); }
            if (!outputs[o]) return false;
        }
        ctx->outputs[o] = cg_input_meta_of(outputs[o]);
    }
    for (int i = 0; i < ctx->n_inputs; i++) {
        if (!(ctx->dirty >> i & 1)) continue;
        bool returned = false;
        for (int o = 0; o < ctx->n_outputs; o++) returned = returned || outputs[o] == inputs[i];
        if (!returned) {
            cg_set_error("Some elements marked as dirty during the forward method were not returned as output. "
                         "The inputs that are modified inplace must all be outputs of the Function.");
            return false;
        }
        if (inputs[i]->autograd && inputs[i]->autograd->view_base) {
            cg_set_error("%s: cgrad does not support mark_dirty on a view yet", ctx->name);
            return false;
        }
        if (cg_is_leaf(inputs[i]) && cg_requires_grad(inputs[i]) && cg_is_grad_enabled()) {
            cg_set_error("a leaf Variable that requires grad has been used in an in-place operation.");
            return false;
        }
    }
    return true;
}

/* Records the node (ctx then belongs to it) and saves what the forward asked to save. False when
 * recording failed (out of memory): ctx may then be held by a node that was half attached, and is
 * left to it. */
static bool record(cg_ctx *ctx, cg_tensor **inputs, cg_tensor **outputs) {
    cg_tensor *differentiable[CG_MAX_OUTPUTS];
    for (int o = 0; o < ctx->n_outputs; o++)
        differentiable[o] = ctx->non_differentiable >> o & 1 ? NULL : outputs[o];
    cg_node *n = cg_record_multi(&ctx->op, ctx->n_outputs, differentiable, ctx->n_inputs, inputs);
    if (!n) return cg_recorded_status() == 0; /* no differentiable output: nothing recorded */
    ctx->node = n;
    ctx->op.backward = cg_custom_backward;
    for (int o = 0; o < ctx->n_outputs; o++) n->outputs[o] = ctx->outputs[o];
    for (int s = 0; s < ctx->npending; s++) cg_save(n, s, ctx->pending[s]);
    for (int s = 0; s < ctx->npending; s++) cg_release(ctx->pending[s]);
    ctx->npending = 0;
    return cg_recorded_status() == 0;
}

int cg_function_apply(const cg_autograd_function *fn, cg_tensor **inputs, int n_inputs, cg_tensor **outputs,
                      int n_outputs, void *user) {
    if (!check_args(fn, inputs, n_inputs, outputs, n_outputs)) return -1;
    cg_ctx *ctx = new_ctx(fn, n_inputs, n_outputs, user);
    if (!ctx) return -1;
    bool grad_on = cg_is_grad_enabled();
    for (int i = 0; i < n_inputs; i++)
        if (grad_on && cg_requires_grad(inputs[i])) ctx->needs_input_grad |= (uint64_t)1 << i;
    for (int o = 0; o < n_outputs; o++) outputs[o] = NULL;
    bool previous = cg_set_grad_enabled(false);
    int status = fn->forward(ctx, inputs, n_inputs, outputs, n_outputs, user);
    cg_set_grad_enabled(previous);
    if (status < 0) {
        if (!cg_error_pending()) cg_set_error("%s: forward failed", ctx->name);
        free_ctx(ctx);
        for (int o = 0; o < n_outputs; o++) outputs[o] = NULL;
        return -1;
    }
    bool ok = prepare_outputs(ctx, inputs, outputs);
    bool recorded = ok && ctx->needs_input_grad;
    if (recorded) ok = record(ctx, inputs, outputs);
    if (!ctx->node && (ok || !recorded)) free_ctx(ctx); /* else a node owns it */
    for (int o = 0; o < n_outputs && !ok; o++) outputs[o] = NULL;
    return ok ? 0 : -1;
}

/* ---- the context ---- */

void *cg_ctx_user(const cg_ctx *ctx) { return ctx->user; }

int cg_ctx_save_for_backward(cg_ctx *ctx, int n, cg_tensor **tensors) {
    if (ctx->node) {
        cg_set_error("cg_ctx_save_for_backward: only in forward");
        return -1;
    }
    if (n < 0 || n > CG_NODE_MAX_SAVED) {
        cg_set_error("cg_ctx_save_for_backward: at most %d tensors (got %d)", CG_NODE_MAX_SAVED, n);
        return -1;
    }
    for (int i = 0; i < n; i++)
        if (!tensors[i]) return -1;
    for (int i = 0; i < ctx->npending; i++) cg_release(ctx->pending[i]);
    for (int i = 0; i < n; i++) ctx->pending[i] = cg_retain(tensors[i]);
    ctx->npending = n;
    return 0;
}

int cg_ctx_saved_tensors(cg_ctx *ctx, cg_tensor **out) {
    cg_node *n = ctx->node;
    if (!n) { /* in forward, or nothing recorded */
        for (int i = 0; i < ctx->npending; i++) out[i] = ctx->pending[i];
        return ctx->npending;
    }
    if (!cg_check_saved(n)) return -1; /* freed by a backward, or modified in place */
    for (int i = 0; i < n->nsaved; i++)
        if (!(out[i] = cg_saved(n, i))) return -1;
    return n->nsaved;
}

bool cg_ctx_needs_input_grad(const cg_ctx *ctx, int i) {
    return i >= 0 && i < ctx->n_inputs && (ctx->needs_input_grad >> i & 1);
}

void cg_ctx_set_state(cg_ctx *ctx, void *state, void (*destroy)(void *state)) {
    if (ctx->destroy) ctx->destroy(ctx->state);
    ctx->state = state;
    ctx->destroy = destroy;
}

void *cg_ctx_state(const cg_ctx *ctx) { return ctx->state; }

static int mark(cg_ctx *ctx, uint64_t *bits, int i, int n, const char *what) {
    if (ctx->node || i < 0 || i >= n) {
        cg_set_error("%s: index %d out of range (0..%d) or not in forward", what, i, n - 1);
        return -1;
    }
    *bits |= (uint64_t)1 << i;
    return 0;
}

int cg_ctx_mark_dirty(cg_ctx *ctx, int input) {
    return mark(ctx, &ctx->dirty, input, ctx->n_inputs, "cg_ctx_mark_dirty");
}

int cg_ctx_mark_non_differentiable(cg_ctx *ctx, int output) {
    return mark(ctx, &ctx->non_differentiable, output, ctx->n_outputs, "cg_ctx_mark_non_differentiable");
}

void cg_ctx_set_materialize_grads(cg_ctx *ctx, bool value) { ctx->materialize_grads = value; }

void cg_raise(const char *fmt, ...) {
    char message[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    cg_set_error("%s", message);
}
