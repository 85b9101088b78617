/* What the indexing ops share across src/ops/index*.c (internal). */
#ifndef CG_OPS_INDEX_INTERNAL_H
#define CG_OPS_INDEX_INTERNAL_H

#include "cgrad.h"

/* The value a reduction starts from when self is left out (PyTorch's include_self=False init):
 * 0, 1, or -inf / inf (the dtype's lowest / highest without infinities). */
cg_number cg_scatter_identity(cg_scatter_reduction reduce, cg_dtype dtype);
/* grad with a history (under create_graph) whose own gradient fails with message, a static string
 * (PyTorch's DelayedError node, "Error"); grad itself otherwise. */
cg_tensor *cg_delayed_error(cg_tensor *grad, const char *message);

#endif
