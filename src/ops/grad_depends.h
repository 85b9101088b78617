/* Internal: gradients that depend on the forward's inputs in PyTorch (src/ops/grad_depends.c). */
#ifndef CG_OPS_GRAD_DEPENDS_H
#define CG_OPS_GRAD_DEPENDS_H

#include "autograd/autograd.h"

/* The gradient of a PyTorch backward op (<Op>BackwardBackward0) that takes a and b as arguments,
 * when grad mode is on: if grad does not require grad and a or b (either may be NULL) does, a new
 * alias of grad recorded as op, a node whose gradients for a and b are zeros; if grad requires grad
 * (cgrad's formula has its own history), an alias of it recorded as op, passing the gradient
 * through, so that its node has PyTorch's name; else grad. */
cg_tensor *cg_grad_depending(const cg_op *op, cg_tensor *grad, cg_tensor *a, cg_tensor *b);

#endif
