/* Internal: the pieces arith.c, unary.c and inplace.c share. Each computes an elementwise result
 * in a dtype the caller chose (after PyTorch's promotion rules) into a new tensor. */
#ifndef CG_OPS_ELEMENTWISE_H
#define CG_OPS_ELEMENTWISE_H

#include "core/tensor.h"
#include "kernels/elementwise.h"

/* a op b, both converted to compute, broadcast; NULL with PyTorch's error on a shape mismatch. */
cg_tensor *cg_binary_in(cg_binary_op op, cg_tensor *a, cg_tensor *b, cg_dtype compute);
/* a op s (or s op a when scalar_first), s converted to compute like a wrapped Python number. */
cg_tensor *cg_binary_scalar_in(cg_binary_op op, cg_tensor *a, double s, bool scalar_first, cg_dtype compute);
/* op(t) computed in compute. */
cg_tensor *cg_unary_in(cg_unary_op op, cg_tensor *t, cg_dtype compute);

/* A whole number acts as a Python int, which must fit int64 ("Overflow when unpacking long"). */
int cg_check_scalar(double value);
/* PyTorch's refusal of - on bool tensors; 0 when allowed. other_is_tensor: a second tensor operand. */
int cg_check_sub_dtypes(cg_dtype a, cg_dtype b, bool b_is_tensor);
/* The dtype true division and the float-valued unary ops compute in: integers become float32. */
static inline cg_dtype cg_float_type(cg_dtype dtype) { return cg_dtype_is_floating(dtype) ? dtype : CG_FLOAT32; }

/* clamp's result dtype and the bounds its kernel applies (updates min and max). -inf/inf mean no
 * bound; a NaN bound counts for the dtype and, as in PyTorch, makes every element NaN (*all_nan)
 * when both bounds are given, and is ignored when it is the only one. */
int cg_clamp_plan(const cg_tensor *t, double *min, double *max, cg_dtype *dtype, bool *all_nan);

/* What mul, div and clamp save for backward (slot 0 self, 1 other; clamp's bounds as given, in
 * scalars[0..1]), shared by their in-place forms, which record the same nodes. n may be NULL. */
void cg_save_mul_inputs(cg_node *n, cg_tensor *self, cg_tensor *other);
void cg_save_div_inputs(cg_node *n, cg_tensor *self, cg_tensor *other);
void cg_save_clamp(cg_node *n, cg_tensor *self, double min, double max);

#endif
