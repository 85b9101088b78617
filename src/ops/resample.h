/* Internal: ops that copy elements by computed positions in their last k dims (pad reflect and
 * replicate, nearest interpolation) share their forward and backward: each output position's
 * input position in those k dims flattened (an int64 index), an index_select forward and a
 * scatter_add backward over the flattened dims, which adds in the order of the output positions
 * as PyTorch's backward kernels do, and is differentiable again. */
#ifndef CG_OPS_RESAMPLE_H
#define CG_OPS_RESAMPLE_H

#include "autograd/autograd.h"

/* The n positions idx as a 1-D int64 tensor on like's device. */
cg_tensor *cg_index_on(const cg_tensor *like, int64_t n, const int64_t *idx);
/* t's elements at index in its last k dims, shaped with out_sizes (k of them) there; not recorded. */
cg_tensor *cg_select_positions(cg_tensor *t, int k, cg_tensor *index, const int64_t *out_sizes);
/* The backward of that: g's elements added to the positions they came from, in an input of
 * in_sizes (k of them) in the last k dims. */
cg_tensor *cg_add_back_positions(cg_tensor *g, int k, cg_tensor *index, const int64_t *in_sizes);

#endif
