/* The functional API: PyTorch 1.13's torch.autograd.functional (jacobian, hessian, vjp, jvp,
 * vhp, hvp), built on autograd.grad the way PyTorch builds it, step for step, so that the checks
 * (and their messages) come in the same order.
 *
 * Every call works in a scope of its own and hands only its results to the caller's scope. */
#include "autograd/autograd.h"
#include "backend/backend.h"

#include <stdlib.h>
#include <string.h>

/* What a check of _check_requires_grad is about (PyTorch's input_type). */
typedef enum { CHECK_OUTPUTS, CHECK_GRAD_INPUTS, CHECK_JACOBIAN, CHECK_HESSIAN } check_kind;

/* Which backward a _fill_in_zeros follows (PyTorch's stage). */
typedef enum { STAGE_BACK, STAGE_BACK_TRICK, STAGE_DOUBLE_BACK, STAGE_DOUBLE_BACK_TRICK } fill_stage;

/* ---- the steps PyTorch's functions share ---- */

/* _grad_preprocess: fresh tensors for the function to see. With create_graph an input that
 * requires grad is viewed (view_as), so results stay connected to it; everything else is detached,
 * then made to require grad when the internal graph needs it. */
static bool preprocess(cg_tensor_list in, bool create_graph, bool need_graph, cg_tensor **out) {
    for (int i = 0; i < in.n; i++) {
        cg_tensor *t = in.items[i];
        if (!t) return false;
        if (create_graph && cg_requires_grad(t)) out[i] = cg_view_shape(t, t->ndim, t->sizes);
        else out[i] = cg_requires_grad_(cg_detach(t), need_graph);
        if (!out[i]) return false;
    }
    return true;
}

/* Calls the user's function; its outputs go to outs (room for `room`), their count is returned. */
static int call_function(cg_function fn, cg_tensor **inputs, void *user, cg_tensor **outs, int room) {
    for (int i = 0; i < room; i++) outs[i] = NULL;
    cg_clear_error();
    int n = fn(inputs, outs, user);
    if (n < 0 || n > room) {
        if (!cg_error_pending()) cg_set_error("the user-provided function failed (returned %d)", n);
        return -1;
    }
    for (int i = 0; i < n; i++)
        if (!outs[i]) {
            if (!cg_error_pending()) cg_set_error("the user-provided function returned no tensor as output %d", i);
            return -1;
        }
    return n;
}

/* _check_requires_grad: in strict mode, every tensor must exist and require grad. */
static bool check_requires_grad(cg_tensor **ts, int n, check_kind kind, bool strict) {
    if (!strict) return true;
    for (int i = 0; i < n; i++) {
        if (!ts[i]) {
            cg_set_error("The output of the user-provided function is independent of input %d. This is not allowed "
                         "in strict mode.", i);
            return false;
        }
        if (cg_requires_grad(ts[i])) continue;
        switch (kind) {
        case CHECK_HESSIAN:
            cg_set_error("The hessian of the user-provided function with respect to input %d is independent of the "
                         "input. This is not allowed in strict mode. You should ensure that your function is thrice "
                         "differentiable and that the hessian depends on the inputs.", i);
            break;
        case CHECK_JACOBIAN:
            cg_set_error("While computing the hessian, found that the jacobian of the user-provided function with "
                         "respect to input %d is independent of the input. This is not allowed in strict mode. You "
                         "should ensure that your function is twice differentiable and that the jacobian depends "
                         "on the inputs (this would be violated by a linear function for example).", i);
            break;
        case CHECK_GRAD_INPUTS:
            cg_set_error("The gradient with respect to input %d is independent of the inputs of the user-provided "
                         "function. This is not allowed in strict mode.", i);
            break;
        case CHECK_OUTPUTS:
            cg_set_error("Output %d of the user-provided function does not require gradients. The outputs must be "
                         "computed in a differentiable manner from the input when running in strict mode.", i);
            break;
        }
        return false;
    }
    return true;
}

/* _autograd_grad: autograd.grad over the outputs that exist and require grad (each with its
 * grad_output, if any), allowing unused inputs; all NULL when no output is differentiable. */
static bool grad_of(cg_tensor **outs, int nout, cg_tensor **grad_outs, cg_tensor **inputs, int nin,
                    bool create_graph, bool retain_graph, cg_tensor **results) {
    for (int j = 0; j < nin; j++) results[j] = NULL;
    cg_tensor *kept[nout + 1], *kept_grads[nout + 1];
    int n = 0;
    for (int i = 0; i < nout; i++)
        if (outs[i] && cg_requires_grad(outs[i])) {
            kept_grads[n] = grad_outs ? grad_outs[i] : NULL;
            kept[n++] = outs[i];
        }
    if (n == 0) return true;
    return cg_autograd_grad(.outputs = {kept, n}, .inputs = {inputs, nin}, .results = results,
                            .grad_outputs = {kept_grads, n}, .retain_graph = retain_graph || create_graph,
                            .create_graph = create_graph, .allow_unused = true) == 0;
}

/* _fill_in_zeros: a missing gradient is zeros shaped like refs[i] (an error in strict mode). */
static bool fill_in_zeros(cg_tensor **grads, cg_tensor **refs, int n, bool strict, bool create_graph,
                          fill_stage stage) {
    for (int i = 0; i < n; i++) {
        if (!grads[i]) {
            if (strict) {
                switch (stage) {
                case STAGE_BACK:
                    cg_set_error("The output of the user-provided function is independent of input %d. This is not "
                                 "allowed in strict mode.", i);
                    break;
                case STAGE_BACK_TRICK:
                    cg_set_error("The gradient with respect to the input is independent of entry %d in the "
                                 "grad_outputs when using the double backward trick to compute forward mode "
                                 "gradients. This is not allowed in strict mode.", i);
                    break;
                case STAGE_DOUBLE_BACK:
                    cg_set_error("The jacobian of the user-provided function is independent of input %d. This is "
                                 "not allowed in strict mode.", i);
                    break;
                case STAGE_DOUBLE_BACK_TRICK:
                    cg_set_error("The hessian of the user-provided function is independent of entry %d in the "
                                 "grad_jacobian. This is not allowed in strict mode as it prevents from using the "
                                 "double backward trick to replace forward mode AD.", i);
                    break;
                }
                return false;
            }
            if (!(grads[i] = cg_zeros_like(refs[i]))) return false;
        } else if (strict && create_graph && !cg_requires_grad(grads[i])) {
            bool second_order = stage == STAGE_DOUBLE_BACK || stage == STAGE_DOUBLE_BACK_TRICK;
            cg_set_error("The %s of the user-provided function is independent of input %d. This is not allowed in "
                         "strict mode when create_graph=True.", second_order ? "hessian" : "jacobian", i);
            return false;
        }
    }
    return true;
}

/* _grad_postprocess: without create_graph nothing returned carries history. */
static bool postprocess(cg_tensor **ts, int n, bool create_graph) {
    for (int i = 0; i < n && !create_graph; i++)
        if (!(ts[i] = cg_detach(ts[i]))) return false;
    return true;
}

/* _validate_v: v must pair one to one, shape for shape, with `other` (a "tuple" unless n == 1). */
static bool validate_v(cg_tensor **v, int nv, cg_tensor **other, int n) {
    bool is_tuple = n != 1;
    if (nv != n) {
        if (is_tuple) cg_set_error("v is a tuple of invalid length: should be %d but got %d.", n, nv);
        else cg_set_error("The given v should contain a single Tensor.");
        return false;
    }
    for (int i = 0; i < n; i++) {
        if (cg_same_shape(v[i]->ndim, v[i]->sizes, other[i]->ndim, other[i]->sizes)) continue;
        char prefix[48] = "";
        if (is_tuple) snprintf(prefix, sizeof prefix, "Entry %d in ", i);
        cg_set_error("%sv has invalid size: should be torch.Size(%s) but got torch.Size(%s).", prefix,
                     cg_shape_text(other[i]->ndim, other[i]->sizes).s, cg_shape_text(v[i]->ndim, v[i]->sizes).s);
        return false;
    }
    return true;
}

/* The preprocessed v (detached unless create_graph and it requires grad), validated against
 * `other`; when v is left out, `other` must be one tensor of one element (message: `none_msg`). */
static bool prepare_v(cg_tensor_list v, bool create_graph, cg_tensor **other, int n, const char *none_msg,
                      cg_tensor ***out) {
    if (!v.items) {
        if (n != 1 || other[0]->numel != 1) {
            cg_set_error("%s", none_msg);
            return false;
        }
        *out = NULL;
        return true;
    }
    if (cg_check_count(v.n, "tensors in v") < 0) return false;
    cg_tensor **prepared = cg_malloc((size_t)(v.n + 1) * sizeof *prepared);
    if (!prepared) return false;
    *out = prepared;
    return preprocess(v, create_graph, false, prepared) && validate_v(prepared, v.n, other, n);
}

static const char *const V_NONE_FOR_INPUTS = "The vector v can only be None if the input to the user-provided "
                                             "function is a single Tensor with a single element.";

/* Everything a call needs, freed together. */
typedef struct {
    bool previous_grad_mode;
    cg_tensor **inputs;   /* nin: what the function sees */
    cg_tensor **outs;     /* room: its outputs */
    cg_tensor **v;        /* preprocessed v, or NULL */
    cg_tensor **work[3];  /* per-call scratch arrays */
    int nin, room;
} call_state;

/* Allocates the call's arrays, enables grad mode (as PyTorch's functions do) and opens the call's
 * scope; end_call undoes all of it, also after a failed begin_call. */
static bool begin_call(call_state *s, cg_tensor_list inputs) {
    memset(s, 0, sizeof *s);
    s->nin = inputs.n;
    /* A function may have CG_MAX_OUTPUTS outputs; hessian's inner one has one per input. */
    s->room = CG_MAX_OUTPUTS + inputs.n;
    s->inputs = cg_calloc((size_t)inputs.n + 1, sizeof *s->inputs);
    s->outs = cg_calloc((size_t)s->room, sizeof *s->outs);
    for (int k = 0; k < 3; k++) s->work[k] = cg_calloc((size_t)s->room, sizeof *s->work[k]);
    bool ok = s->inputs && s->outs && s->work[0] && s->work[1] && s->work[2];
    s->previous_grad_mode = cg_set_grad_enabled(true);
    cg_scope_begin();
    return ok;
}

/* Hands the n tensors of `from` to the caller's scope (in `to`, when given): all of them or, out
 * of memory, none (those already handed over are released with the caller's scope). */
static bool hand_over(cg_tensor **from, int n, cg_tensor **to) {
    for (int i = 0; to && i < n; i++)
        if (from[i] && !cg_keep(from[i])) return false;
    for (int i = 0; to && i < n; i++) to[i] = from[i];
    return true;
}

/* A NULL tensor in a list argument: the call fails without a message of its own (the one that
 * made the NULL stays), as every op does for a NULL argument. */
static bool has_null(cg_tensor_list l) {
    for (int i = 0; l.items && i < l.n; i++)
        if (!l.items[i]) return true;
    return false;
}

/* The arguments every call needs; a NULL one fails without a message, a negative count with one. */
static bool bad_arguments(cg_function fn, cg_tensor_list inputs, cg_tensor **results) {
    return !fn || !inputs.items || !results || cg_check_count(inputs.n, "inputs") < 0 || has_null(inputs);
}

static int end_call(call_state *s, int status) {
    cg_scope_end();
    cg_set_grad_enabled(s->previous_grad_mode);
    cg_free(s->inputs);
    cg_free(s->outs);
    cg_free(s->v);
    for (int k = 0; k < 3; k++) cg_free(s->work[k]);
    return status;
}

/* ---- forward mode (dual tensors: forward_ad.c) ---- */

static const char *const STRICT_FORWARD = "strict=True and forward_mode=True are not supported together (yet). "
                                          "Please either set strict=False or forward_mode=False.";

/* t's tangent at level as a tensor of the call's scope (leaving the level drops the dual's
 * reference); zeros like t when it has none. */
static cg_tensor *tangent_kept(cg_tensor *t, int level) {
    cg_tensor *tangent = NULL;
    cg_unpack_dual(t, level, &tangent);
    if (!tangent) return cg_zeros_like(t);
    cg_retain(tangent);
    if (cg_scope_register(tangent) == 0) return tangent;
    cg_release(tangent);
    return NULL;
}

/* Enters a level and makes the inputs dual, with tangents v (ones when v is left out); -1 when it fails. */
static int make_duals(cg_tensor **inputs, int n, cg_tensor **v, cg_tensor **duals) {
    int level = cg_enter_dual_level();
    for (int i = 0; level >= 0 && i < n; i++)
        if (!(duals[i] = cg_make_dual(inputs[i], v ? v[i] : cg_ones_like(inputs[i]), level))) {
            cg_exit_dual_level(level);
            return -1;
        }
    return level;
}

/* The Jacobian by forward mode: for input j, one call per element e with a one-hot tangent on it
 * (the other inputs plain), the outputs' tangents the column e of each J_ij, stacked last and
 * viewed as out_i.shape + in_j.shape. Fills results[i * nin + j]; returns the count of outputs. */
static int jacobian_forward(cg_jacobian_args a, call_state *s) {
    int nin = s->nin, nout = -1;
    cg_tensor **duals = s->work[0], **outs = s->work[1], **columns = NULL; /* s->outs: the first call's */
    for (int j = 0; j < nin; j++) {
        int64_t ncols = s->inputs[j]->numel;
        cg_free(columns);
        columns = cg_calloc((size_t)(CG_MAX_OUTPUTS * ncols + 1), sizeof *columns);
        if (!columns) return -1;
        for (int64_t e = 0; e < ncols; e++) {
            cg_scope_begin(); /* a scope per column: only the column outlives it */
            cg_tensor *onehot = cg_zeros_like(s->inputs[j]);
            bool ok = onehot && cg_write_element(onehot, e, 1) == 0;
            memcpy(duals, s->inputs, (size_t)nin * sizeof *duals);
            int level = ok ? cg_enter_dual_level() : -1;
            ok = level >= 0 && (duals[j] = cg_make_dual(s->inputs[j], onehot, level));
            int n = ok ? call_function(a.fn, duals, a.user, outs, CG_MAX_OUTPUTS) : -1;
            ok = n >= 0 && (nout < 0 || n == nout);
            for (int i = 0; ok && i < n; i++) ok = (columns[i * ncols + e] = cg_keep(tangent_kept(outs[i], level)));
            for (int i = 0; ok && i < n && nout < 0; i++) ok = (s->outs[i] = cg_keep(cg_unpack_dual(outs[i], level, NULL)));
            if (level >= 0) cg_exit_dual_level(level);
            cg_scope_end();
            if (!ok) {
                cg_free(columns);
                return -1;
            }
            nout = n;
        }
        for (int i = 0; i < nout; i++) {
            cg_tensor *out = s->outs[i], *in = s->inputs[j];
            int64_t shape[2 * CG_MAX_DIMS];
            memcpy(shape, out->sizes, (size_t)out->ndim * sizeof *shape);
            memcpy(shape + out->ndim, in->sizes, (size_t)in->ndim * sizeof *shape);
            cg_tensor *stacked = cg_stack(columns + i * ncols, (int)ncols, out->ndim);
            if (!(a.results[i * nin + j] = cg_view_shape(stacked, out->ndim + in->ndim, shape))) nout = -1;
        }
        if (nout < 0) break;
    }
    cg_free(columns);
    return nout >= 0 && postprocess(a.results, nout * nin, a.create_graph) ? nout : -1;
}

/* ---- jacobian and hessian ---- */

/* The Jacobian of one output w.r.t. every input: one autograd.grad per element of the output (a
 * one-hot grad_output), rows stacked and viewed as out.shape + in_j.shape, as PyTorch does. */
static bool jacobian_of_output(cg_tensor *out, int i, cg_tensor **inputs, int nin, bool create_graph, bool strict,
                               cg_tensor **results) {
    int64_t nrows = out->numel;
    cg_tensor **rows = cg_malloc((size_t)(nrows * nin + 1) * sizeof *rows);
    cg_tensor **vj = cg_malloc((size_t)(nin + 1) * sizeof *vj);
    bool ok = rows && vj;
    for (int64_t k = 0; ok && k < nrows; k++) {
        /* A scope per row: only the row's gradients outlive it. */
        cg_scope_begin();
        cg_tensor *onehot = cg_zeros_on(out, out->dtype, out->ndim, out->sizes);
        ok = onehot != NULL && cg_write_element(onehot, k, 1) == 0;
        ok = ok && grad_of(&out, 1, &onehot, inputs, nin, create_graph, true, vj);
        for (int j = 0; ok && j < nin; j++) vj[j] = cg_keep(vj[j]);
        cg_scope_end();
        for (int j = 0; ok && j < nin; j++) {
            if (vj[j] && strict && create_graph && !cg_requires_grad(vj[j])) {
                /* PyTorch names the output's index here. */
                cg_set_error("The jacobian of the user-provided function is independent of input %d. This is not "
                             "allowed in strict mode when create_graph=True.", i);
                ok = false;
            } else if (!vj[j] && strict) {
                cg_set_error("Output %d of the user-provided function is independent of input %d. This is not "
                             "allowed in strict mode.", i, j);
                ok = false;
            } else {
                rows[j * nrows + k] = vj[j] ? vj[j] : cg_zeros_like(inputs[j]);
                ok = rows[j * nrows + k] != NULL;
            }
        }
    }
    for (int j = 0; ok && j < nin; j++) {
        cg_tensor *in = inputs[j];
        int ndim = out->ndim + in->ndim;
        int64_t shape[2 * CG_MAX_DIMS];
        memcpy(shape, out->sizes, (size_t)out->ndim * sizeof *shape);
        memcpy(shape + out->ndim, in->sizes, (size_t)in->ndim * sizeof *shape);
        results[j] = cg_view_shape(cg_stack(rows + j * nrows, (int)nrows, 0), ndim, shape);
        ok = results[j] != NULL;
    }
    cg_free(rows);
    cg_free(vj);
    return ok;
}

/* jacobian() on already-preprocessed inputs: returns the number of outputs, results[i * nin + j]. */
static int jacobian_core(cg_function fn, void *user, cg_tensor **inputs, int nin, bool create_graph, bool strict,
                         cg_tensor **outs, int room, cg_tensor **results) {
    int nout = call_function(fn, inputs, user, outs, room);
    if (nout < 0 || !check_requires_grad(outs, nout, CHECK_OUTPUTS, strict)) return -1;
    for (int i = 0; i < nout; i++)
        if (!jacobian_of_output(outs[i], i, inputs, nin, create_graph, strict, results + i * nin)) return -1;
    return postprocess(results, nout * nin, create_graph) ? nout : -1;
}

int cg_jacobian_opts(cg_jacobian_args a) {
    if (bad_arguments(a.fn, a.inputs, a.results)) return -1;
    call_state s;
    bool ok = begin_call(&s, a.inputs);
    int nout = -1;
    cg_tensor **results = NULL;
    if (a.forward_mode && a.strict) {
        cg_set_error("%s", STRICT_FORWARD);
        ok = false;
    }
    if (ok && preprocess(a.inputs, a.create_graph, !a.forward_mode, s.inputs)) {
        /* Room for every Jacobian whatever the count of outputs turns out to be. */
        results = cg_calloc((size_t)(s.room * a.inputs.n + 1), sizeof *results);
        cg_jacobian_args forward = a;
        forward.results = results;
        if (results && a.forward_mode) nout = jacobian_forward(forward, &s);
        else if (results) nout = jacobian_core(a.fn, a.user, s.inputs, s.nin, a.create_graph, a.strict, s.outs, s.room, results);
    }
    if (nout >= 0 && !hand_over(results, nout * a.inputs.n, a.results)) nout = -1;
    cg_free(results);
    return end_call(&s, nout);
}

/* hessian() is the jacobian of the jacobian of a function with one 0-dim output. */
typedef struct {
    cg_function fn;
    void *user;
    int nin;
    bool strict;
} hessian_context;

/* PyTorch's ensure_single_output_function: the user's one-element output, as a 0-dim tensor. */
static int single_output(cg_tensor **inputs, cg_tensor **outputs, void *user) {
    hessian_context *h = user;
    cg_tensor *outs[CG_MAX_OUTPUTS];
    int n = call_function(h->fn, inputs, h->user, outs, CG_MAX_OUTPUTS);
    if (n < 0 || !check_requires_grad(outs, n, CHECK_OUTPUTS, h->strict)) return -1;
    if (n != 1) {
        cg_set_error("The function given to hessian should return a single Tensor");
        return -1;
    }
    if (outs[0]->numel != 1) {
        cg_set_error("The Tensor returned by the function given to hessian should contain a single element");
        return -1;
    }
    outputs[0] = cg_view_shape(outs[0], 0, NULL); /* squeeze() */
    return outputs[0] ? 1 : -1;
}

/* PyTorch's jac_func: the gradient of the single output w.r.t. each input, differentiably. */
static int gradient_function(cg_tensor **inputs, cg_tensor **outputs, void *user) {
    hessian_context *h = user;
    call_state s;
    cg_tensor_list list = {inputs, h->nin};
    int status = -1;
    if (begin_call(&s, list) && preprocess(list, true, true, s.inputs)) {
        cg_tensor *jac[h->nin + 1];
        int n = jacobian_core(single_output, h, s.inputs, h->nin, true, false, s.outs, s.room, jac);
        if (n == 1 && check_requires_grad(jac, h->nin, CHECK_JACOBIAN, h->strict)) {
            hand_over(jac, h->nin, outputs);
            status = h->nin;
        }
    }
    return end_call(&s, status);
}

int cg_hessian_opts(cg_jacobian_args a) {
    if (bad_arguments(a.fn, a.inputs, a.results)) return -1;
    hessian_context h = {a.fn, a.user, a.inputs.n, a.strict};
    cg_jacobian_args outer = a;
    outer.fn = gradient_function;
    outer.user = &h;
    return cg_jacobian_opts(outer) < 0 ? -1 : 1;
}

/* ---- vjp and jvp ---- */

/* torch.zeros_like(t, requires_grad=True), with the factory's message for other dtypes. */
static cg_tensor *zeros_requiring_grad(cg_tensor *t) {
    if (!cg_dtype_is_floating(t->dtype)) {
        cg_set_error("Only Tensors of floating point and complex dtype can require gradients");
        return NULL;
    }
    return cg_requires_grad_(cg_zeros_like(t), true);
}

int cg_vjp_opts(cg_vjp_args a) {
    if (bad_arguments(a.fn, a.inputs, a.results) || has_null(a.v)) return -1;
    call_state s;
    int nout = -1;
    bool ok = begin_call(&s, a.inputs) && preprocess(a.inputs, a.create_graph, true, s.inputs);
    int n = ok ? call_function(a.fn, s.inputs, a.user, s.outs, CG_MAX_OUTPUTS) : -1;
    ok = n >= 0 && check_requires_grad(s.outs, n, CHECK_OUTPUTS, a.strict) &&
         prepare_v(a.v, a.create_graph, s.outs, n,
                   "The vector v can only be None if the user-provided function returns a single Tensor with a "
                   "single element.", &s.v);
    cg_tensor **vjp = s.work[0];
    ok = ok && grad_of(s.outs, n, s.v, s.inputs, s.nin, a.create_graph, a.create_graph, vjp) &&
         fill_in_zeros(vjp, s.inputs, s.nin, a.strict, a.create_graph, STAGE_BACK) &&
         postprocess(s.outs, n, a.create_graph) && postprocess(vjp, s.nin, a.create_graph);
    if (ok && hand_over(s.outs, n, a.outputs) && hand_over(vjp, s.nin, a.results)) nout = n;
    return end_call(&s, nout);
}

/* J v by forward mode: fn on dual tensors (tangents v), its outputs' tangents. */
static int jvp_forward(cg_vjp_args a) {
    call_state s;
    int nout = -1, level = -1;
    bool ok = begin_call(&s, a.inputs) && preprocess(a.inputs, a.create_graph, false, s.inputs) &&
              prepare_v(a.v, a.create_graph, s.inputs, s.nin, V_NONE_FOR_INPUTS, &s.v) &&
              (level = make_duals(s.inputs, s.nin, s.v, s.work[0])) >= 0;
    cg_tensor **duals = s.work[0], **jvp = s.work[1];
    int n = ok ? call_function(a.fn, duals, a.user, s.outs, CG_MAX_OUTPUTS) : -1;
    ok = n >= 0;
    for (int k = 0; ok && k < n; k++)
        ok = (jvp[k] = tangent_kept(s.outs[k], level)) && (s.outs[k] = cg_unpack_dual(s.outs[k], level, NULL));
    if (level >= 0) cg_exit_dual_level(level);
    ok = ok && postprocess(s.outs, n, a.create_graph) && postprocess(jvp, n, a.create_graph);
    if (ok && hand_over(s.outs, n, a.outputs) && hand_over(jvp, n, a.results)) nout = n;
    return end_call(&s, nout);
}

int cg_jvp_opts(cg_vjp_args a) {
    if (bad_arguments(a.fn, a.inputs, a.results) || has_null(a.v)) return -1;
    if (a.forward_mode && a.strict) {
        cg_set_error("%s", STRICT_FORWARD);
        return -1;
    }
    if (a.forward_mode) return jvp_forward(a);
    call_state s;
    int nout = -1;
    bool ok = begin_call(&s, a.inputs) && preprocess(a.inputs, a.create_graph, true, s.inputs) &&
              prepare_v(a.v, a.create_graph, s.inputs, s.nin, V_NONE_FOR_INPUTS, &s.v);
    int n = ok ? call_function(a.fn, s.inputs, a.user, s.outs, CG_MAX_OUTPUTS) : -1;
    ok = n >= 0 && check_requires_grad(s.outs, n, CHECK_OUTPUTS, a.strict);
    /* The backward is linear in grad_outputs, so their value does not matter; zeros requiring grad
     * let the second backward differentiate through them. */
    cg_tensor **grad_outputs = s.work[0], **grad_inputs = s.work[1], **jvp = s.work[2];
    for (int i = 0; ok && i < n; i++) ok = (grad_outputs[i] = zeros_requiring_grad(s.outs[i]));
    ok = ok && grad_of(s.outs, n, grad_outputs, s.inputs, s.nin, true, true, grad_inputs) &&
         check_requires_grad(grad_inputs, s.nin, CHECK_GRAD_INPUTS, a.strict) &&
         grad_of(grad_inputs, s.nin, s.v, grad_outputs, n, a.create_graph, a.create_graph, jvp) &&
         fill_in_zeros(jvp, s.outs, n, a.strict, a.create_graph, STAGE_BACK_TRICK) &&
         postprocess(s.outs, n, a.create_graph) && postprocess(jvp, n, a.create_graph);
    if (ok && hand_over(s.outs, n, a.outputs) && hand_over(jvp, n, a.results)) nout = n;
    return end_call(&s, nout);
}

/* ---- vhp and hvp ---- */

/* Calls fn on inputs, which must give one tensor of one element (into s->outs[0]). */
static bool single_scalar_output(cg_vjp_args *a, call_state *s, cg_tensor **inputs, const char *name) {
    int n = call_function(a->fn, inputs, a->user, s->outs, CG_MAX_OUTPUTS);
    if (n < 0 || !check_requires_grad(s->outs, n, CHECK_OUTPUTS, a->strict)) return false;
    if (n != 1) {
        cg_set_error("The function given to %s should return a single Tensor", name);
        return false;
    }
    if (s->outs[0]->numel != 1) {
        cg_set_error("The Tensor returned by the function given to %s should contain a single element", name);
        return false;
    }
    return true;
}

/* Shared start of vhp and hvp: inputs, v, the function's single one-element output, and its
 * gradient `jac` w.r.t. the inputs, differentiable. */
static bool gradient_of_scalar(cg_vjp_args *a, call_state *s, const char *name, cg_tensor **jac) {
    return preprocess(a->inputs, a->create_graph, true, s->inputs) &&
           prepare_v(a->v, a->create_graph, s->inputs, s->nin, V_NONE_FOR_INPUTS, &s->v) &&
           single_scalar_output(a, s, s->inputs, name) && grad_of(s->outs, 1, NULL, s->inputs, s->nin, true, true, jac) &&
           check_requires_grad(jac, s->nin, CHECK_JACOBIAN, a->strict);
}

static int finish_product(cg_vjp_args *a, call_state *s, bool ok, cg_tensor **product) {
    ok = ok && postprocess(s->outs, 1, a->create_graph) && postprocess(product, s->nin, a->create_graph);
    ok = ok && hand_over(s->outs, 1, a->outputs) && hand_over(product, s->nin, a->results);
    return end_call(s, ok ? 1 : -1);
}

int cg_vhp_opts(cg_vjp_args a) {
    if (bad_arguments(a.fn, a.inputs, a.results) || has_null(a.v)) return -1;
    call_state s;
    bool ok = begin_call(&s, a.inputs);
    cg_tensor **jac = s.work[0], **vhp = s.work[1];
    ok = ok && gradient_of_scalar(&a, &s, "vhp", jac) &&
         grad_of(jac, s.nin, s.v, s.inputs, s.nin, a.create_graph, a.create_graph, vhp) &&
         fill_in_zeros(vhp, s.inputs, s.nin, a.strict, a.create_graph, STAGE_DOUBLE_BACK);
    return finish_product(&a, &s, ok, vhp);
}

/* H v as forward over reverse: the gradient at dual inputs (tangents v) has the tangent H v. */
static int hvp_forward(cg_vjp_args a) {
    call_state s;
    int level = -1;
    bool ok = begin_call(&s, a.inputs) && preprocess(a.inputs, a.create_graph, true, s.inputs) &&
              prepare_v(a.v, a.create_graph, s.inputs, s.nin, V_NONE_FOR_INPUTS, &s.v) &&
              (level = make_duals(s.inputs, s.nin, s.v, s.work[0])) >= 0;
    cg_tensor **duals = s.work[0], **jac = s.work[1], **hvp = s.work[2];
    ok = ok && single_scalar_output(&a, &s, duals, "hvp") && grad_of(s.outs, 1, NULL, duals, s.nin, true, true, jac);
    for (int j = 0; ok && j < s.nin; j++) ok = (hvp[j] = jac[j] ? tangent_kept(jac[j], level) : cg_zeros_like(s.inputs[j]));
    ok = ok && (s.outs[0] = cg_unpack_dual(s.outs[0], level, NULL));
    if (level >= 0) cg_exit_dual_level(level);
    return finish_product(&a, &s, ok, hvp);
}

int cg_hvp_opts(cg_vjp_args a) {
    if (bad_arguments(a.fn, a.inputs, a.results) || has_null(a.v)) return -1;
    if (a.forward_mode && a.strict) {
        cg_set_error("%s", STRICT_FORWARD);
        return -1;
    }
    if (a.forward_mode) return hvp_forward(a);
    call_state s;
    bool ok = begin_call(&s, a.inputs);
    cg_tensor **jac = s.work[0], **grad_jac = s.work[1], **double_back = s.work[2];
    ok = ok && gradient_of_scalar(&a, &s, "hvp", jac);
    /* H v as the gradient, w.r.t. grad_jac, of the gradient of jac . grad_jac (zeros requiring grad). */
    for (int j = 0; ok && j < s.nin; j++) ok = (grad_jac[j] = zeros_requiring_grad(s.inputs[j]));
    ok = ok && grad_of(jac, s.nin, grad_jac, s.inputs, s.nin, true, true, double_back) &&
         check_requires_grad(jac, s.nin, CHECK_HESSIAN, a.strict);
    cg_tensor **hvp = jac; /* jac is no longer needed once double_back exists */
    ok = ok && grad_of(double_back, s.nin, s.v, grad_jac, s.nin, a.create_graph, a.create_graph, hvp) &&
         fill_in_zeros(hvp, s.inputs, s.nin, a.strict, a.create_graph, STAGE_DOUBLE_BACK_TRICK);
    return finish_product(&a, &s, ok, hvp);
}
