/* What the loss files (ops/loss.c, ops/loss_regression.c) share. */
#ifndef CG_OPS_LOSS_H
#define CG_OPS_LOSS_H

#include "autograd/registry.h"

/* Python's _Reduction.get_enum: -1 with its ValueError for anything but mean, sum and none. */
int loss_check_reduction(cg_reduction r);
/* loss.mean(), loss.sum() or loss itself. */
cg_tensor *loss_reduce(cg_tensor *loss, cg_reduction r);
/* Records op's node for out, keeping the reduction in args[0] and mean's count in scalars[0]. */
cg_node *loss_record(const cg_op *op, cg_tensor *out, int n, cg_tensor **inputs, cg_reduction r, double count);
/* A mean reduction's gradient spread over the node's count; others pass through. */
cg_tensor *loss_per_element(const cg_node *n, cg_tensor *grad_input);
/* mse_loss's steps before its kernel: the target-size warning, the broadcast shape, the reduction's
 * check. Returns the broadcast ndim (shape filled), or -1. */
int loss_broadcast_operands(cg_tensor *x, cg_tensor *t, cg_reduction reduction, int64_t *shape);

#endif
