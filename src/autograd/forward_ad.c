/* Forward-mode AD (torch.autograd.forward_ad): dual levels, dual tensors, and the end of every op
 * that computes its outputs' tangents.
 *
 * As in PyTorch 1.13 there is one level at a time (always 0). A tensor's tangent lives in its
 * autograd state; the tensors that have one are listed here, so that leaving the level drops
 * every tangent. An op whose input has a tangent gets a node from cg_record_multi even when
 * nothing requires grad; cg_recorded, at the op's end (the node filled as for backward), runs the
 * op's jvp from the registry's column (cg_op_jvps) and gives the outputs their tangents. */
#include "autograd/autograd.h"
#include "autograd/registry.h"
#include "backend/backend.h"
#include "core/lock.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

/* ---- levels and the list of dual tensors ---- */

atomic_int cg_fwd_live_;
_Thread_local bool cg_fwd_suspended_;

static int current_level = -1;
static cg_tensor **duals; /* weak: a tensor leaves the list when freed (cg_fwd_forget) */
static int nduals, capduals;

/* Levels and the list are shared by threads, as PyTorch's are. */
static void lock_duals(void) { cg_lock(CG_LOCK_META, &duals); }
static void unlock_duals(void) { cg_unlock(CG_LOCK_META, &duals); }

int cg_enter_dual_level(void) {
    lock_duals();
    int level = current_level < 0 ? (current_level = 0) : -1;
    unlock_duals();
    if (level < 0) cg_set_error("Nested forward mode AD is not supported at the moment");
    return level;
}

int cg_exit_dual_level(int level) {
    lock_duals();
    int current = current_level;
    if (level == current && level >= 0) current_level = -1;
    cg_tensor **dropped = duals;
    int ndropped = level == current && level >= 0 ? nduals : 0;
    if (ndropped) {
        duals = NULL;
        nduals = capduals = 0;
        atomic_store_explicit(&cg_fwd_live_, 0, memory_order_relaxed);
    }
    unlock_duals();
    if (level != current) {
        cg_set_error("Trying to exit a forward AD level that was not the last one that was created. This is not "
                     "supported.");
        return -1;
    }
    if (level < 0) {
        cg_set_error("Dual level must be a positive number.");
        return -1;
    }
    /* Released outside the lock: a tangent freed here may free tensors that leave the list. */
    for (int i = 0; i < ndropped; i++) {
        cg_autograd_meta *m = dropped[i]->autograd;
        cg_tensor *tangent = m->fw_grad;
        m->fw_grad = NULL;
        m->fw_slot = 0;
        cg_release(tangent);
    }
    free(dropped);
    return 0;
}

static bool track(cg_tensor *t) {
    cg_autograd_meta *m = t->autograd;
    bool ok = true;
    lock_duals();
    if (!m->fw_slot && nduals == capduals) {
        int cap = capduals ? 2 * capduals : 16;
        cg_tensor **grown = realloc(duals, (size_t)cap * sizeof *grown);
        if (grown) {
            duals = grown;
            capduals = cap;
        } else {
            ok = false;
        }
    }
    if (ok && !m->fw_slot) {
        duals[nduals++] = t;
        m->fw_slot = nduals;
        atomic_store_explicit(&cg_fwd_live_, nduals, memory_order_relaxed);
    }
    unlock_duals();
    if (!ok) cg_set_error("out of memory");
    return ok;
}

void cg_fwd_forget(cg_tensor *t) {
    cg_autograd_meta *m = t->autograd;
    lock_duals();
    if (m->fw_slot) { /* the last one takes its place */
        cg_tensor *last = duals[--nduals];
        duals[m->fw_slot - 1] = last;
        last->autograd->fw_slot = m->fw_slot;
        m->fw_slot = 0;
        atomic_store_explicit(&cg_fwd_live_, nduals, memory_order_relaxed);
    }
    unlock_duals();
    cg_release(m->fw_grad);
    m->fw_grad = NULL;
}

bool cg_set_tangent(cg_tensor *t, cg_tensor *tangent) {
    cg_autograd_meta *m = cg_meta(t);
    if (!m || !track(t)) return false;
    cg_set_ref(&m->fw_grad, tangent);
    return true;
}

bool cg_any_tangent(int n, cg_tensor **inputs) {
    for (int i = 0; i < n; i++)
        if (cg_tangent(inputs[i])) return true;
    return false;
}

/* ---- make_dual and unpack_dual ---- */

static bool same_strides(const cg_tensor *a, const cg_tensor *b) {
    for (int d = 0; d < a->ndim; d++)
        if (a->sizes[d] > 1 && a->strides[d] != b->strides[d]) return false;
    return true;
}

/* The tangent as the dual tensor keeps it: itself when laid out as the primal, else a copy in the
 * primal's layout (PyTorch's set_fw_grad), recorded when the tangent requires grad. */
static cg_tensor *tangent_like(cg_tensor *tangent, const cg_tensor *primal) {
    if (same_strides(tangent, primal)) return tangent;
    cg_tensor *copy = cg_new_like(primal, tangent->dtype);
    return copy && cg_copy_(copy, tangent) == 0 ? copy : NULL;
}

cg_tensor *cg_make_dual(cg_tensor *primal, cg_tensor *tangent, int level) {
    if (!primal || !tangent) return NULL;
    if (level < 0) {
        cg_set_error("Trying to create a dual Tensor for forward AD but no level exists, make sure to "
                     "enter_dual_level() first.");
        return NULL;
    }
    if (!cg_dtype_is_floating(primal->dtype)) {
        cg_set_value_error("Expected primal to be floating point or complex, but got: torch.%s", cg_dtype_name(primal->dtype));
        return NULL;
    }
    if (!cg_dtype_is_floating(tangent->dtype)) {
        cg_set_value_error("Expected tangent to be floating point or complex, but got: torch.%s",
                           cg_dtype_name(tangent->dtype));
        return NULL;
    }
    if (level != current_level) {
        cg_set_error("Invalid level given to _make_dual");
        return NULL;
    }
    if (cg_tangent(primal)) {
        cg_set_error("Making a dual Tensor based on a Tensor that already has a forward gradient at the same level "
                     "%d is not supported.", level);
        return NULL;
    }
    if (primal->ndim != tangent->ndim || memcmp(primal->sizes, tangent->sizes, (size_t)primal->ndim * sizeof(int64_t))) {
        cg_set_error("Trying to set a forward gradient that has a different size than that of the original Tensor, "
                     "this is not supported. Tensor is of size %s while the given forward gradient is of size %s.",
                     cg_shape_text(primal->ndim, primal->sizes).s, cg_shape_text(tangent->ndim, tangent->sizes).s);
        return NULL;
    }
    cg_tensor *kept = tangent_like(tangent, primal);
    /* PyTorch's dual is a view of the primal, ViewBackward0 when it requires grad. */
    cg_tensor *dual = kept ? cg_view_shape(primal, primal->ndim, primal->sizes) : NULL;
    return dual && cg_set_tangent(dual, kept) ? dual : NULL;
}

/* _fw_primal's history: the identity, which PyTorch names so. */
static void identity_backward(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    (void)n;
    out[0] = grads[0];
}
static const cg_op identity_op = {"torch::autograd::Identity", identity_backward, "fw_primal"};

cg_tensor *cg_unpack_dual(cg_tensor *t, int level, cg_tensor **tangent) {
    if (tangent) *tangent = NULL;
    if (!t) return NULL;
    cg_tensor *found = level >= 0 && level == current_level ? cg_tangent(t) : NULL;
    if (!found) return t; /* PyTorch gives the tensor itself when it has no tangent */
    cg_tensor *primal = cg_as_view(cg_new_alias(t), t);
    if (!primal) return NULL;
    bool suspended = cg_fwd_suspended_;
    cg_fwd_suspended_ = true; /* the primal has none */
    cg_record(&identity_op, primal, CG_INPUTS(t));
    cg_fwd_suspended_ = suspended;
    primal = cg_recorded(primal);
    if (primal && tangent) *tangent = found;
    return primal;
}

/* ---- an op's tangents ---- */

cg_node cg_jvp_edge_;

/* The registry's ops by address, in a table filled once (open addressing; twice the registry's size). */
#define JVP_TABLE 1024
_Static_assert(2 * CG_OP_COUNT <= JVP_TABLE, "the table of jvps is too small for the registry");
static const cg_op *table_ops[JVP_TABLE];
static cg_jvp_fn table_jvps[JVP_TABLE];
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static size_t table_home(const cg_op *op) { return ((uintptr_t)op >> 3) * 2654435761u % JVP_TABLE; }

static void fill_table(void) {
    for (int i = 0; i < cg_op_registry_size; i++) {
        size_t h = table_home(cg_op_registry[i]);
        while (table_ops[h]) h = (h + 1) % JVP_TABLE;
        table_ops[h] = cg_op_registry[i];
        table_jvps[h] = cg_op_jvps[i];
    }
}

cg_jvp_fn cg_jvp_of(const cg_op *op) {
    pthread_once(&table_once, fill_table);
    for (size_t h = table_home(op); table_ops[h]; h = (h + 1) % JVP_TABLE)
        if (table_ops[h] == op) return table_jvps[h];
    return NULL;
}

/* The nodes whose ops have not ended yet (an op may record inside another's recording), with
 * copies of the op's inputs and outputs (the arrays it recorded with may be gone by its end). */
#define PENDING_INLINE 8
typedef struct {
    cg_node *node;          /* a reference */
    int nout, nin;
    cg_tensor **tensors;    /* outs then inputs: inline, or malloc'd when more */
    cg_tensor *inline_tensors[PENDING_INLINE];
} pending_op;
#define MAX_PENDING 8
static _Thread_local pending_op pending[MAX_PENDING];
_Thread_local int cg_fwd_pending_;

void cg_fwd_not_implemented(const cg_op *op) {
    cg_set_error("Trying to use forward AD with %s that does not support it because it has not been implemented "
                 "yet.\nPlease file an issue to PyTorch at "
                 "https://github.com/pytorch/pytorch/issues/new?template=feature-request.yml so that we can "
                 "prioritize its implementation.", op->id);
}

bool cg_fwd_push(cg_node *n, int nout, cg_tensor **outs, int nin, cg_tensor **inputs) {
    if (cg_fwd_pending_ == MAX_PENDING || nout > CG_MAX_OUTPUTS) {
        cg_set_error("forward AD: ops nested too deeply");
        cg_recording_failed();
        return false;
    }
    pending_op *p = &pending[cg_fwd_pending_];
    int count = nout + nin;
    p->tensors = count <= PENDING_INLINE ? p->inline_tensors : malloc((size_t)count * sizeof *p->tensors);
    if (!p->tensors) {
        cg_set_error("out of memory");
        cg_recording_failed();
        return false;
    }
    memcpy(p->tensors, outs, (size_t)nout * sizeof *outs);
    memcpy(p->tensors + nout, inputs, (size_t)nin * sizeof *inputs);
    p->node = cg_node_retain(n);
    p->nout = nout;
    p->nin = nin;
    cg_fwd_pending_++;
    return true;
}

bool cg_fwd_finish(bool ok) {
    pending_op *p = &pending[--cg_fwd_pending_];
    cg_tensor **outs = p->tensors, **in = p->tensors + p->nout;
    cg_tensor **tin = ok ? cg_calloc((size_t)p->nin + 1, sizeof *tin) : NULL;
    cg_tensor *tout[CG_MAX_OUTPUTS] = {0};
    if (ok && !tin) ok = false;
    if (ok) {
        for (int i = 0; i < p->nin; i++) tin[i] = cg_tangent(in[i]);
        bool suspended = cg_fwd_suspended_;
        cg_fwd_suspended_ = true;
        cg_jvp_of(p->node->op)(p->node, in, tin, outs, tout);
        cg_fwd_suspended_ = suspended;
    }
    /* Every floating output gets one: a formula that failed left NULL and its message. */
    for (int i = 0; ok && i < p->nout; i++)
        if (outs[i] && cg_dtype_is_floating(outs[i]->dtype)) ok = tout[i] && cg_set_tangent(outs[i], tout[i]);
    /* An output the node saved is a bare header of its own (cg_save): it gets the tangent as well,
     * for the backward formulas that read it (forward over reverse). */
    for (int j = 0; ok && j < p->node->nsaved; j++) {
        cg_saved_tensor *s = &p->node->saved[j];
        if (s->data && s->is_output && s->output_nr < p->nout && tout[s->output_nr])
            ok = cg_set_tangent(s->data, tout[s->output_nr]);
    }
    cg_free(tin);
    if (p->tensors != p->inline_tensors) free(p->tensors);
    for (int i = 0; i < p->node->nnext; i++)
        if (p->node->next[i].node == &cg_jvp_edge_) p->node->next[i].node = NULL;
    cg_node_release(p->node);
    return ok;
}

/* ---- generic forward derivatives ---- */

cg_tensor *cg_tangent_or_zeros(cg_tensor *t, cg_tensor *tangent, cg_dtype dtype) {
    return tangent ? tangent : cg_zeros_on(t, dtype, t->ndim, t->sizes);
}


/* An op whose Jacobian with respect to each input (broadcast to the output) is symmetric: an
 * elementwise op's is diagonal; softmax's, a mask's (tril, masked_fill) and flip's are symmetric
 * too. Its backward with the input's tangent as the output's gradient is then that input's part
 * of J v: the jvp is the sum of those, each computed with only that input's edge wanted. */
void cg_jvp_symmetric(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    (void)in;
    cg_tensor *out = outs[0], *sum = NULL;
    cg_edge edges[4];
    if (n->nnext > 4) {
        cg_set_error("forward AD: a symmetric op of more than 4 inputs");
        return;
    }
    memcpy(edges, n->next, (size_t)n->nnext * sizeof *edges);
    for (int i = 0; i < n->nnext; i++) {
        if (!tin[i]) continue;
        cg_tensor *grads[1] = {cg_expand_shape(tin[i], out->ndim, out->sizes)}, *parts[4] = {0};
        if (!grads[0]) return;
        for (int j = 0; j < n->nnext; j++) n->next[j] = (cg_edge){j == i ? &cg_jvp_edge_ : NULL, 0};
        n->op->backward(n, grads, parts);
        memcpy(n->next, edges, (size_t)n->nnext * sizeof *edges);
        cg_tensor *part = parts[i];
        if (part && (part->ndim != out->ndim || memcmp(part->sizes, out->sizes, (size_t)out->ndim * sizeof(int64_t))))
            part = cg_expand_shape(part, out->ndim, out->sizes);
        if (!part) return;
        sum = sum ? cg_add(sum, part) : part;
    }
    tout[0] = sum;
}

/* An op whose result has one element: J v is its gradient (the backward of a gradient of 1)
 * dotted with the tangents. Otherwise, for a loss with reduction 'none', as cg_jvp_symmetric:
 * such a loss is elementwise. Other ops are not done yet. */
void cg_jvp_loss(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    cg_tensor *out = outs[0];
    if (out->numel != 1) {
        for (int i = 0; i < n->nnext; i++)
            if (tin[i] && !cg_same_shape(in[i]->ndim, in[i]->sizes, out->ndim, out->sizes)) {
                cg_set_error("forward AD of %s with a result of many elements is not supported by cgrad yet", n->op->id);
                return;
            }
        cg_jvp_symmetric(n, in, tin, outs, tout);
        return;
    }
    cg_tensor *grads[1] = {cg_ones_like(out)}, *sum = NULL, *parts[8] = {0};
    cg_edge edges[8];
    if (n->nnext > 8 || !grads[0]) {
        if (grads[0]) cg_set_error("forward AD: a loss of more than 8 inputs");
        return;
    }
    memcpy(edges, n->next, (size_t)n->nnext * sizeof *edges);
    for (int j = 0; j < n->nnext; j++) n->next[j] = (cg_edge){tin[j] ? &cg_jvp_edge_ : NULL, 0};
    n->op->backward(n, grads, parts);
    memcpy(n->next, edges, (size_t)n->nnext * sizeof *edges);
    for (int i = 0; i < n->nnext; i++) {
        if (!tin[i]) continue;
        cg_tensor *part = parts[i] ? cg_sum(cg_mul(parts[i], tin[i])) : NULL;
        if (!part) return;
        sum = sum ? cg_add(sum, part) : part;
    }
    tout[0] = sum && out->ndim ? cg_view_shape(sum, out->ndim, out->sizes) : sum;
}

/* A view op's tangents are the same views of the input's tangent (laid out as the input first):
 * each output's sizes, strides and offset into it. With grad mode on and a tangent that requires
 * grad, they get the op's history, its node's arguments copied (views save no tensors). */
void cg_jvp_view(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    cg_tensor *t = tangent_like(tin[0], in[0]);
    int nout = n->noutputs;
    for (int i = 0; t && i < nout; i++) {
        if (!outs[i]) continue;
        if (outs[i]->storage != in[0]->storage) {
            cg_set_error("forward AD: %s is not a view", n->op->id);
            return;
        }
        tout[i] = cg_as_view(cg_new_view(t, outs[i]->ndim, outs[i]->sizes, outs[i]->strides,
                                         t->offset + outs[i]->offset - in[0]->offset), t);
        if (!tout[i]) return;
    }
    if (!t || !cg_grad_mode_on() || !cg_requires_grad(t) || n->extra || n->nsaved) return;
    cg_node *m = cg_record_multi(n->op, nout, tout, 1, &t);
    if (!m) return;
    memcpy(m->scalars, n->scalars, sizeof m->scalars);
    memcpy(m->args, n->args, sizeof m->args);
    m->args_meta = cg_input_meta_of(t);
}
