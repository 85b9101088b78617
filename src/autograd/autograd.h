/* Internal: the autograd layer's structs and the calls ops use to record themselves.
 *
 * An op that may be differentiated does, after computing its output:
 *
 *     cg_node *n = cg_record(&cg_op_mul, out, CG_INPUTS(a, b));   // NULL when nothing is recorded
 *     if (n) { cg_save(n, 0, a); cg_save(n, 1, b); }
 *     return cg_recorded(out);
 *
 * and its backward, next to it (named in autograd/registry.h), computes one gradient per input
 * with cgrad ops:
 *
 *     void cg_backward_mul(cg_node *n, cg_tensor **grads, cg_tensor **out) {
 *         if (cg_needs_grad(n, 0)) out[0] = cg_mul(grads[0], cg_saved(n, 1));
 *         ...
 *     }
 *
 * The engine sums gradients of broadcast inputs back to their shapes and casts them to their
 * dtypes, so formulas never do. A formula that fails leaves NULL and an error message. */
#ifndef CG_AUTOGRAD_H
#define CG_AUTOGRAD_H

#include "core/tensor.h"

#include <string.h>

#define CG_NODE_MAX_SAVED 4
#define CG_NODE_MAX_ARGS (2 * CG_MAX_DIMS + 4)

typedef struct cg_node cg_node;

/* grads: one per forward output (NULL where none flowed); out: one per forward input. */
typedef void (*cg_backward_fn)(cg_node *n, cg_tensor **grads, cg_tensor **out);
/* An op's forward derivative (forward_ad.c): the tangents of its outputs (tout, one per output,
 * left NULL for none) from its inputs (in, as the op got them) and their tangents (tin, NULL where
 * an input has none), with the node the op filled as for backward. It runs with forward AD
 * suspended: its own ops compute no tangents. */
typedef void (*cg_jvp_fn)(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout);

typedef struct {
    const char *name;          /* PyTorch's node name: "MulBackward0" */
    cg_backward_fn backward;   /* NULL for nodes that are not ops (AccumulateGrad) */
    const char *id;            /* the registry's name for the op: "mul_scalar" */
} cg_op;

typedef struct {
    cg_node *node;
    int input_nr;
} cg_edge;

/* A tensor a node keeps for backward: a header of its own (no autograd state, so no cycle through
 * the output that saved it), the version it was saved at, and whether it was the node's output. */
typedef struct {
    cg_tensor *data;
    int64_t version;
    bool is_output;
    int output_nr;             /* which output of the node, when is_output */
    bool had_history; /* an input with a grad_fn when saved: PyTorch fails if detach_ took it */
    uintptr_t written; /* an in-place op's operand it wrote (identity): its message names that tensor's history */
    bool written_view; /* that operand is a view, whose history PyTorch remakes as AsStridedBackward0 */
    struct cg_packed *packed;  /* saved through saved-tensor hooks (data NULL then): saved_hooks.c */
} cg_saved_tensor;

/* What the engine needs to know of each forward output (the gradient's expected shape, dtype and device). */
typedef struct {
    cg_dtype dtype;
    int ndim;
    int64_t sizes[CG_MAX_DIMS];
    const cg_backend *backend;
} cg_input_meta;

static inline cg_input_meta cg_input_meta_of(const cg_tensor *t) {
    cg_input_meta meta = {.dtype = t->dtype, .ndim = t->ndim, .backend = t->storage->backend};
    memcpy(meta.sizes, t->sizes, sizeof meta.sizes);
    return meta;
}

/* Where the program called the op that recorded a node (anomaly mode, anomaly.c). */
typedef struct {
    const char *file;          /* NULL: recorded while anomaly mode was off */
    int line;
    const char *function;
} cg_call_site;

typedef struct cg_hook_entry {
    int id;
    int output_nr;             /* which output of the node (pre-hooks) */
    cg_tensor *retains;        /* a retain_grad entry: the tensor (weak) whose .grad it fills */
    cg_tensor *(*fn)(cg_tensor *grad, void *user);
    cg_node_prehook_fn node_fn; /* a node pre-hook (all the node's gradients at once), else NULL */
    cg_node_hook_fn post_fn;    /* a node hook (the extras' list) */
    void *user;
    struct cg_hook_entry *next;
} cg_hook_entry;

/* What few nodes have: the user's metadata and the node hooks run after it (node_api.c). */
typedef struct {
    void *metadata;
    void (*destroy)(void *);
    cg_hook_entry *post_hooks;
} cg_node_extras;

struct cg_node {
    cg_refcount refcount;
    const cg_op *op;
    uint64_t sequence_nr;
    bool released;             /* saved tensors freed after a backward without retain_graph */
    bool saves_number;         /* PyTorch saves the number operand as a tensor (x * 2.0): freed as well */
    bool packed;               /* a saved tensor went through saved-tensor hooks */
    int nsaved;
    cg_saved_tensor saved[CG_NODE_MAX_SAVED];
    double scalars[4];         /* op arguments the backward needs */
    int64_t args[CG_NODE_MAX_ARGS];
    int64_t *extra;            /* op arguments of any length (cat: one size per input), malloc'd */
    int noutputs;
    cg_input_meta *outputs;    /* noutputs entries (output_inline when there is one) */
    cg_input_meta output_inline;
    cg_tensor *variable;       /* AccumulateGrad: the leaf (strong); CopySlices: none */
    cg_node *inner;            /* CopySlices: the in-place op's node, applied to the written view */
    cg_tensor *view_geometry;  /* CopySlices, AsStrided: a header with the view's sizes, strides, offset */
    cg_input_meta args_meta;   /* a shape argument (AsStrided: the base's) */
    cg_hook_entry *pre_hooks;  /* tensor hooks of the outputs of this node, retain_grad, node pre-hooks */
    cg_node_extras *extras;    /* NULL unless metadata or node hooks were set */
    /* An in-place op through a view: the view's history made then, held weakly (as PyTorch's
     * SavedVariable does) for the message of a stale saved result; NULL once it is freed. */
    cg_node *witness_fn;
    cg_node **watcher;         /* the one witness_fn slot pointing at this node, if any */
    /* Nothing of a backward run: the engine keeps that per run (engine.c), so runs may nest and
     * threads may share nodes. Only a hint: the run that claimed the node (its id above 24 bits)
     * and the node's index in it, 0 when no run holds it (engine.c, claim). */
    _Atomic uint64_t run_slot;
    cg_call_site site;         /* anomaly mode: where its forward op was called */
    int nnext;
    cg_edge next[];            /* one per forward input */
};

typedef struct cg_autograd_meta {
    bool requires_grad;        /* set by the user on a leaf */
    bool retains_grad;
    cg_tensor *grad;
    cg_node *grad_fn;          /* strong */
    int output_nr;
    /* The AccumulateGrad node, made on first use. Graphs hold it (and it holds the leaf) as any
     * node; when none does, it lets the leaf go but stays here until the leaf is freed, so that a
     * thread can take a reference to it without a lock (node.c, grad_accumulator). */
    _Atomic(cg_node *) grad_accumulator;
    cg_hook_entry *hooks;      /* tensor hooks of a leaf (run before accumulation) */
    /* Differentiable views: the base whose history an in-place write through the view rewrites. */
    cg_tensor *view_base;      /* strong; NULL when not a view */
    bool view_created_in_no_grad;
    bool view_created_in_inference; /* in inference mode (PyTorch's CreationMeta::INFERENCE_MODE) */
    bool view_multi_output;    /* a piece of unbind/split/chunk (or a view of one): no in-place writes */
    int64_t view_version;      /* version at which grad_fn was last set */
    cg_tensor *fw_grad;        /* the tangent at the dual level (strong); NULL when none */
    int fw_slot;               /* 1 + its index in forward_ad.c's list of dual tensors; 0 when none */
} cg_autograd_meta;

/* ---- the profiler (profiler.c) ---- */
extern _Atomic bool cg_profiling_;
static inline bool cg_profiling_on(void) { return atomic_load_explicit(&cg_profiling_, memory_order_relaxed); }
void cg_profile_op(const cg_op *op); /* op has just computed its output */
/* A node's run: begun, then ended with the node (its children's time taken off its self time). */
typedef struct {
    uint64_t start, outer_children;
} cg_profile_span;
cg_profile_span cg_profile_begin(void);
void cg_profile_end(const cg_node *n, cg_profile_span span);

/* ---- recording ---- */
/* cg_is_grad_enabled() inline, for the paths every op takes. */
extern _Thread_local bool cg_grad_disabled_;
static inline bool cg_grad_mode_on(void) { return !cg_grad_disabled_; }
#define CG_INPUTS(...) CG_NARGS(__VA_ARGS__), (cg_tensor *[]){__VA_ARGS__}
/* Recording can run out of memory after the op has computed its output (the node, the outputs'
 * autograd state, a saved tensor). cg_record, cg_record_multi and cg_record_inplace mark where
 * they begin; an op ends with `return cg_recorded(out);` (or `return cg_recorded_status();` for
 * an in-place op), which fails, the message set, when an allocation failed since that mark. The
 * output is left to the scope. */
extern _Thread_local unsigned long cg_record_mark_;
/* For ops with several outputs (unbind, split, max with indices): as cg_record. */
cg_node *cg_record_multi(const cg_op *op, int nout, cg_tensor **outs, int n, cg_tensor **inputs);
/* A node for out = op(inputs), or NULL when grad mode is off or no input requires grad. On
 * allocation failure it also returns NULL, with an error set. Inline: with grad mode off (every
 * op of a backward) it costs no call. */
static inline bool cg_fwd_active(void);
static inline cg_node *cg_record(const cg_op *op, cg_tensor *out, int n, cg_tensor **inputs) {
    if (cg_grad_mode_on() || cg_fwd_active()) return cg_record_multi(op, 1, &out, n, inputs);
    if (cg_profiling_on()) cg_profile_op(op);
    cg_record_mark_ = cg_alloc_failures_;
    return NULL;
}
bool cg_any_requires_grad(int n, cg_tensor **inputs);
/* ---- forward mode (forward_ad.c) ---- */
/* How many tensors have a tangent (read without a lock: a hint that is exact for the thread that
 * made them), and whether this thread computes tangents now (not inside a jvp formula). With no
 * dual tensor, ops pay one load each. */
extern atomic_int cg_fwd_live_;
extern _Thread_local bool cg_fwd_suspended_;
static inline bool cg_fwd_active(void) {
    return atomic_load_explicit(&cg_fwd_live_, memory_order_relaxed) > 0 && !cg_fwd_suspended_;
}
static inline cg_tensor *cg_tangent(const cg_tensor *t) { return t && t->autograd ? t->autograd->fw_grad : NULL; }
bool cg_any_tangent(int n, cg_tensor **inputs);
/* The edge of a node made for a jvp alone, for each input with a tangent: what the op saves for
 * cg_needs_grad inputs it saves for them. The engine never sees such a node. */
extern cg_node cg_jvp_edge_;
/* cg_record_multi found an input with a tangent: the node (history or not) waits for the op's end,
 * where cg_recorded runs its jvp. How many wait on this thread (ops may record inside ops). */
extern _Thread_local int cg_fwd_pending_;
bool cg_fwd_push(cg_node *n, int nout, cg_tensor **outs, int nin, cg_tensor **inputs);
bool cg_fwd_finish(bool ok);
/* Sets t's tangent (a new reference); false with an error when out of memory. */
bool cg_set_tangent(cg_tensor *t, cg_tensor *tangent);
void cg_fwd_forget(cg_tensor *t); /* t is freed: off the list of dual tensors */
/* op's forward derivative (the registry's column), NULL when it has none. */
cg_jvp_fn cg_jvp_of(const cg_op *op);
/* An input's tangent for a formula that needs one per input: zeros of t's shape when it has none. */
cg_tensor *cg_tangent_or_zeros(cg_tensor *t, cg_tensor *tangent, cg_dtype dtype);
/* PyTorch's refusal of an op without a forward derivative on a dual input. */
void cg_fwd_not_implemented(const cg_op *op);

static inline cg_tensor *cg_recorded(cg_tensor *out) {
    bool ok = cg_alloc_failures_ == cg_record_mark_;
    if (cg_fwd_pending_) ok = cg_fwd_finish(ok);
    return ok ? out : NULL;
}
static inline int cg_recorded_status(void) {
    bool ok = cg_alloc_failures_ == cg_record_mark_;
    if (cg_fwd_pending_) ok = cg_fwd_finish(ok);
    return ok ? 0 : -1;
}
/* Makes node n the history (grad_fn) of outs; false with an error when out of memory. */
bool cg_attach_history(cg_node *n, int nout, cg_tensor **outs);
void cg_save(cg_node *n, int slot, cg_tensor *t);  /* t may be an output of n */
cg_tensor *cg_saved(cg_node *n, int slot);          /* NULL with PyTorch's error if freed or modified */
/* Before a node runs: PyTorch unpacks every saved variable first, so a freed graph or a saved
 * tensor changed in place fails even when the gradient that reads it is not wanted. */
bool cg_check_saved(cg_node *n);
void cg_release_saved(cg_node *n);                  /* after a backward without retain_graph */
/* Whether slot holds a saved tensor (kept as itself, or packed by saved-tensor hooks). */
static inline bool cg_has_saved(const cg_node *n, int slot) { return n->saved[slot].data || n->saved[slot].packed; }
/* mul and div by a number: PyTorch saves the number as a 0-dim tensor, which hooks see packed. */
void cg_save_number(cg_node *n, cg_number value);

/* ---- anomaly mode (anomaly.c) ---- */
extern _Thread_local cg_call_site cg_call_site_now_;  /* the latest op macro's */
/* After a node's backward: false with PyTorch's error when a gradient it returned has a NaN. */
bool cg_anomaly_check_nan(const cg_node *n, cg_tensor **out);
void cg_anomaly_report(const cg_node *n);  /* a failed node's warning: where its forward was called */

/* ---- checkpointing (checkpoint.c) ---- */
/* torch.autograd.backward(outputs, grads) of several outputs, accumulating into leaves (engine.c). */
int cg_backward_list(cg_tensor_list outputs, cg_tensor_list grads);

/* ---- saved-tensor hooks (saved_hooks.c) ---- */
typedef struct cg_packed cg_packed;
extern _Thread_local int cg_saved_hooks_depth_;  /* pushed hooks: cg_save packs while it is not 0 */
/* Packs t into s with the innermost hooks; false with an error (the op then fails). */
bool cg_pack_saved(cg_saved_tensor *s, cg_tensor *t);
void cg_packed_free(cg_packed *p);  /* its release hook, then the rest */
/* Unpacks each packed slot of n, kept until cg_forget_unpacked (a built-in node's run). */
bool cg_unpack_all(cg_node *n);
/* A packed slot's tensor: the one kept by cg_unpack_all, else unpacked now (a custom function's). */
cg_tensor *cg_unpacked(cg_node *n, int slot);
void cg_forget_unpacked(cg_node *n);  /* and its inner node's */
/* The node the engine is running and which of its edges this run needs (bit i: input i), as
 * PyTorch's task_should_compute_output: autograd.grad(inputs=) skips the formulas of inputs it
 * does not lead to. Other nodes (and inputs past 64) count every edge. */
extern _Thread_local const cg_node *cg_running_node_;
extern _Thread_local uint64_t cg_running_needed_;
static inline bool cg_needs_grad(const cg_node *n, int input) {
    if (input >= n->nnext || n->next[input].node == NULL) return false;
    return n != cg_running_node_ || input >= 64 || (cg_running_needed_ >> input & 1);
}

/* ---- tensors' autograd state ---- */
cg_autograd_meta *cg_meta(cg_tensor *t);  /* creates it; NULL when out of memory */
cg_edge cg_gradient_edge(cg_tensor *t);    /* grad_fn or AccumulateGrad (a new reference); node NULL if none */
cg_node *cg_grad_fn_internal(cg_tensor *t); /* t's history, regenerated for a view whose base was rewritten */
/* PyTorch's autograd kernels read an input's history before the op checks its arguments: in grad
 * mode, a view whose history PyTorch will not remake fails first (error and -1). */
int cg_check_history_readable(cg_tensor *t);
/* t is a view whose history PyTorch refuses to regenerate (cg_grad_fn_internal fails with its error). */
bool cg_history_unreadable(const cg_tensor *t);
const cg_op *cg_accumulate_grad_op(void);
/* The name PyTorch's messages give a node (its C++ name()): the op's name, namespaced for the
 * nodes PyTorch writes by hand ("torch::autograd::CopySlices"). */
const char *cg_node_message_name(const cg_node *n);
/* Takes t's retain_grad entry off its grad_fn (the entry points at t weakly). */
void cg_forget_retained(cg_tensor *t);
/* Moves t's retain_grad entry from its grad_fn to node to (output output_nr); false when out of memory. */
bool cg_move_retained(cg_tensor *t, cg_node *to, int output_nr);
void cg_node_release(cg_node *n);
/* ---- node hooks (node_api.c) ---- */
int cg_new_hook_id(void);
void cg_free_hooks(cg_hook_entry *h);
void cg_node_extras_free(cg_node *n);
/* A node pre-hook h of n over its gradients (n->noutputs, replaced in place, each holding a
 * reference); false with an error when the hook failed or replaced one wrongly. */
bool cg_call_node_prehook(const cg_node *n, cg_hook_entry *h, cg_tensor **grads);
/* n's node hooks after it ran: grad_inputs (n->nnext, the backward's scope's; replaced in place)
 * and the gradients it received. */
bool cg_run_post_hooks(cg_node *n, cg_tensor **grad_inputs, cg_tensor **grad_outputs);
static inline cg_node *cg_node_retain(cg_node *n) {
    cg_ref_inc(&n->refcount);
    return n;
}
cg_node *cg_node_new(const cg_op *op, int nnext);
/* A custom function's node (function.c): its op is its context, freed with it. */
void cg_custom_backward(cg_node *n, cg_tensor **grads, cg_tensor **out);
void cg_custom_release(cg_node *n);

/* ---- views ---- */
/* The tensor whose history an in-place write through t rewrites: t's view base, or t. */
static inline cg_tensor *cg_view_root(cg_tensor *t) {
    return t->autograd && t->autograd->view_base ? t->autograd->view_base : t;
}
/* Marks out as a view of base for autograd (an in-place write through it rewrites base's history). */
cg_tensor *cg_as_view(cg_tensor *out, cg_tensor *base);
/* PyTorch's refusal to rewrite the history of a view made in no_grad mode or by a multi-output op
 * (unbind, split, chunk): written in place itself, or (indirect) through its base or another view. */
void cg_view_rebase_error(const cg_autograd_meta *m, bool indirect);
/* A history that cannot be read (such a view, written through its base) fails the op recording it
 * as running out of memory does: cg_recorded() then returns NULL. */
static inline void cg_recording_failed(void) { cg_alloc_failures_++; }
/* AsStridedBackward0: the history of a view whose base's history was rewritten in place. */
cg_node *cg_as_strided_node(cg_tensor *view, cg_tensor *base);

/* ---- in-place ops ---- */
/* Checks that t may be modified in place (leaf rules, no_grad views); error and -1 otherwise. */
int cg_check_inplace(cg_tensor *t, int n, cg_tensor **inputs);  /* inputs[0] is t */
/* After an in-place op wrote t: records op as t's new history (CopySlices on t's base for a view). */
cg_node *cg_record_inplace(const cg_op *op, cg_tensor *t, int n, cg_tensor **inputs);

/* ---- engine ---- */
uint64_t cg_next_sequence_nr(void);
/* grad summed over the dims that broadcasting added or expanded, to a shape it broadcasts from
 * (PyTorch's sum_to): the engine's reduction of a broadcast input's gradient, and expand's backward. */
cg_tensor *cg_sum_to(cg_tensor *grad, int ndim, const int64_t *sizes);

#endif
