#include "autograd/registry.h"

#define CG_DEFINE_OP(ident, name) const cg_op cg_op_##ident = {name, cg_backward_##ident, #ident};
CG_OPS(CG_DEFINE_OP)
#undef CG_DEFINE_OP

#define CG_LIST_OP(ident, name) &cg_op_##ident,
const cg_op *const cg_op_registry[] = {CG_OPS(CG_LIST_OP)};
#undef CG_LIST_OP

const int cg_op_registry_size = (int)(sizeof cg_op_registry / sizeof cg_op_registry[0]);
