/* Internal: gradients that depend on the forward's inputs in PyTorch (src/ops/grad_depends.c). */
#ifndef CG_OPS_GRAD_DEPENDS_H
#define CG_OPS_GRAD_DEPENDS_H

#include "autograd/autograd.h"

/* grad, or when grad mode is on, grad does not require grad and a or b (either may be NULL) does,
 * a new alias of grad recorded as op, a node whose gradients for a and b are zeros: the gradient
 * of a PyTorch backward op that takes a and b as arguments. */
cg_tensor *cg_grad_depending(const cg_op *op, cg_tensor *grad, cg_tensor *a, cg_tensor *b);

#endif
