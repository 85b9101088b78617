/* Gradients that PyTorch computes with a backward op taking the forward's inputs as differentiable
 * arguments (derivatives.yaml's `self: zeros_like(self)`, ...): under create_graph such a gradient
 * requires grad when one of those inputs does, with that op (<Op>BackwardBackward0) as its node.
 * cgrad's formula may not involve the input at all (a pad's gradient only moves the incoming
 * one): cg_grad_depending records the dependency as that node, whose gradient for the inputs is
 * zero. */
#include "autograd/registry.h"
#include "backend/backend.h"
#include "ops/grad_depends.h"

#include <string.h>

/* args: per input its ndim, dtype and sizes, CG_MAX_DIMS + 2 slots each. */
enum { META_SLOTS = CG_MAX_DIMS + 2 };

/* grad, which has a history of cgrad's formula, as an alias recorded as op over it: PyTorch names
 * every create_graph gradient of its backward op so. Not when grad's node already is one of that name. */
static cg_tensor *named_as(const cg_op *op, cg_tensor *grad) {
    const cg_node *fn = grad->autograd ? grad->autograd->grad_fn : NULL;
    if (fn && strcmp(fn->op->name, op->name) == 0) return grad;
    cg_tensor *out = cg_new_alias(grad);
    if (out) cg_record(op, out, CG_INPUTS(grad));
    return cg_recorded(out);
}

cg_tensor *cg_grad_depending(const cg_op *op, cg_tensor *grad, cg_tensor *a, cg_tensor *b) {
    if (!grad || !cg_is_grad_enabled()) return grad;
    if (cg_requires_grad(grad)) return named_as(op, grad);
    if (!(a && cg_requires_grad(a)) && !(b && cg_requires_grad(b))) return grad;
    cg_tensor *out = cg_new_alias(grad);
    cg_node *n = out ? cg_record(op, out, CG_INPUTS(a, b)) : NULL;
    const cg_tensor *inputs[2] = {a, b};
    for (int i = 0; n && i < 2; i++) {
        if (!inputs[i]) continue;
        int64_t *meta = n->args + i * META_SLOTS;
        meta[0] = inputs[i]->ndim;
        meta[1] = inputs[i]->dtype;
        memcpy(meta + 2, inputs[i]->sizes, sizeof(int64_t) * (size_t)inputs[i]->ndim);
    }
    out = cg_recorded(out);
    /* its value is grad's: so is its tangent (its node's inputs give it none) */
    if (out && cg_tangent(grad) && !cg_set_tangent(out, cg_tangent(grad))) return NULL;
    return out;
}

/* The dependency's own derivative: zero (the value's tangent is grad's, set above). */
void cg_jvp_grad_depends(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    (void)n;
    (void)in;
    (void)tin;
    tout[0] = cg_zeros_like(outs[0]);
}

static void zero_gradients(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    for (int i = 0; i < 2; i++) {
        const int64_t *meta = n->args + i * META_SLOTS;
        if (cg_needs_grad(n, i)) out[i] = cg_zeros_on(grads[0], (cg_dtype)meta[1], (int)meta[0], meta + 2);
    }
}

/* PyTorch's double backwards of convolution, layer_norm and batch_norm compute the input's and
 * weight's gradients from the other outputs' incoming gradients only (the convolution's input
 * from ggW, its weight from ggI, ...): a gradient that did not involve them leaves theirs
 * undefined (None), not zeros. */
static bool undefined_gradients(const cg_node *n) {
    return n->op == &cg_op_conv_depends || n->op == &cg_op_layer_norm_depends || n->op == &cg_op_batch_norm_depends;
}

/* A node of named_as (one input) passes its gradient through. */
#define DEPENDS_BACKWARD(ident, name)                                           \
    void cg_backward_##ident(cg_node *n, cg_tensor **grads, cg_tensor **out) { \
        if (n->nnext == 1)                                                      \
            out[0] = grads[0];                                                  \
        else if (!undefined_gradients(n))                                       \
            zero_gradients(n, grads, out);                                      \
    }
CG_OPS_GRAD_DEPENDS(DEPENDS_BACKWARD)
