#include "autograd/registry.h"

#define CG_DEFINE_OP(ident, name) const cg_op cg_op_##ident = {name, cg_backward_##ident, #ident};
CG_OPS(CG_DEFINE_OP)
#undef CG_DEFINE_OP

#define CG_LIST_OP(ident, name) &cg_op_##ident,
const cg_op *const cg_op_registry[] = {CG_OPS(CG_LIST_OP)};
#undef CG_LIST_OP

const int cg_op_registry_size = (int)(sizeof cg_op_registry / sizeof cg_op_registry[0]);

/* The forward derivatives' column, in the registry's order: NULL for an op not in CG_JVPS. */
#define CG_LIST_JVP(ident, jvp) [CG_OP_INDEX_##ident] = jvp,
const cg_jvp_fn cg_op_jvps[CG_OP_COUNT] = {CG_JVPS(CG_LIST_JVP)};
#undef CG_LIST_JVP
