/* Internal: the pieces the elementwise ops share (arith.c, unary.c, clamp.c, fused.c, inplace.c, and
 * the backward formulas elsewhere). Each computes an elementwise result in a dtype the caller chose
 * (after PyTorch's promotion rules) into a new tensor. */
#ifndef CG_OPS_ELEMENTWISE_H
#define CG_OPS_ELEMENTWISE_H

#include "core/tensor.h"
#include "backend/cpu/elementwise.h"

/* a op b, both converted to compute, broadcast; NULL with PyTorch's error on a shape mismatch. */
cg_tensor *cg_binary_in(cg_binary_op op, cg_tensor *a, cg_tensor *b, cg_dtype compute);
/* a op s (or s op a when scalar_first), s converted to compute like a wrapped Python number. */
cg_tensor *cg_binary_scalar_in(cg_binary_op op, cg_tensor *a, cg_number s, bool scalar_first, cg_dtype compute);
/* op(t) computed in compute. */
cg_tensor *cg_unary_in(cg_unary_op op, cg_tensor *t, cg_dtype compute);

/* The dtype PyTorch gives a Python number of this kind on its own (bool, int64, float64), which
 * is what checks such as sub's refusal of bool see. */
cg_dtype cg_number_dtype(cg_number value);
/* A number an op keeps for its backward, in slot 0 or 1 of the node: the kind and the int value in
 * args[2 * slot] and args[2 * slot + 1], the value as a double in scalars[slot]. */
void cg_node_set_number(cg_node *n, int slot, cg_number value);
cg_number cg_node_number(const cg_node *n, int slot);
/* PyTorch's refusal of - on bool tensors; 0 when allowed. other_is_tensor: a second tensor operand. */
int cg_check_sub_dtypes(cg_dtype a, cg_dtype b, bool b_is_tensor);
/* t itself when it already has the dtype (no new reference, no scope entry: the hot path). The
 * conversion is not recorded: the op records one node for itself, with the unconverted inputs. */
static inline cg_tensor *cg_as_dtype(cg_tensor *t, cg_dtype dtype) {
    if (t->dtype == dtype) return t;
    cg_tensor *converted = NULL;
    CG_NO_GRAD { converted = cg_to(t, dtype); }
    return converted;
}
/* A 0-dim zero of g's dtype, the "else" of a masked gradient; NULL when g is. */
static inline cg_tensor *cg_zero_for(const cg_tensor *g) {
    if (!g) return NULL;
    /* of g's shape when g is empty: PyTorch's formulas mask with operands of one shape, and
     * TensorIterator lays an empty result out row-major only when all operands have its shape */
    return g->numel == 0 ? cg_expand_shape(cg_scalar(0, g->dtype), g->ndim, g->sizes) : cg_scalar(0, g->dtype);
}
/* The dtype true division and the float-valued unary ops compute in: integers become float32. */
static inline cg_dtype cg_float_type(cg_dtype dtype) { return cg_dtype_is_floating(dtype) ? dtype : CG_FLOAT32; }

/* t / count with count a C++ number, recorded as PyTorch records it (DivBackward1): mean's and the
 * losses' divisions by their counts. */
cg_tensor *cg_div_by_count(cg_tensor *t, double count);
/* t * s and t + s with s a C++ number (MulBackward1, AddBackward1): the backward formulas'
 * arithmetic with numbers. */
cg_tensor *cg_mul_by_scalar(cg_tensor *t, cg_number s);
cg_tensor *cg_add_by_scalar(cg_tensor *t, cg_number s);

/* clamp's result dtype and the bounds its kernel applies. A CG_NUMBER_NONE bound means none; a NaN
 * bound counts for the dtype and, as in PyTorch, makes every element NaN (all_nan) when both bounds
 * are given, and is ignored when it is the only one. */
typedef struct {
    cg_dtype dtype;
    bool all_nan;
    bool has_min, has_max;      /* the bounds to apply */
    cg_number min, max;
} cg_clamp_plan_t;
int cg_clamp_plan(const cg_tensor *t, cg_number min, cg_number max, cg_clamp_plan_t *plan);
/* torch.clamp_min and Tensor.clamp_min_ (ClampMinBackward0): clamp with a lower bound only, as
 * ATen's losses call it. */
cg_tensor *cg_clamp_min_number(cg_tensor *t, cg_number min);
int cg_clamp_min_number_(cg_tensor *t, cg_number min);
/* clamp's result dtype (the bounds checked first), which clamp_ must be able to cast to self. */
int cg_clamp_result_type(const cg_tensor *t, cg_number min, cg_number max, cg_dtype *dtype);

/* What mul, div and clamp save for backward (slot 0 self, 1 other; clamp's bounds as given, in
 * number slots 0 and 1), shared by their in-place forms, which record the same nodes. n may be NULL. */
void cg_save_mul_inputs(cg_node *n, cg_tensor *self, cg_tensor *other);
void cg_save_div_inputs(cg_node *n, cg_tensor *self, cg_tensor *other);
void cg_save_clamp(cg_node *n, cg_tensor *self, cg_number min, cg_number max);

/* PyTorch's result_type over three tensors (any may be NULL): dimensioned tensors promote among
 * themselves, 0-dim ones only lift the result when of a higher category (as cg_result_type). */
cg_dtype cg_result_type3(const cg_tensor *a, const cg_tensor *b, const cg_tensor *c);
/* The broadcast shape of a and b, and c when not NULL, into shape; its ndim, or -1 with the error. */
int cg_broadcast3(const cg_tensor *a, const cg_tensor *b, const cg_tensor *c, int64_t *shape);
/* clamp with tensor bounds (either may be NULL), not recorded; and what its node saves. */
cg_tensor *cg_clamp_tensor_forward(cg_tensor *t, cg_tensor *min, cg_tensor *max);
void cg_save_clamp_tensor(cg_node *n, cg_tensor *self, cg_tensor *min, cg_tensor *max);

/* The checks and saves of the fused ops (fused.c), shared with their in-place forms. */
int cg_check_alpha(cg_dtype dtype, cg_number alpha);
int cg_check_addcmul(cg_dtype dtype);
int cg_check_addcdiv(const cg_tensor *tensor1, const cg_tensor *tensor2);
int cg_check_lerp(const cg_tensor *start, const cg_tensor *end, const cg_tensor *weight); /* weight may be NULL */
void cg_save_addc(cg_node *n, cg_tensor *tensor1, cg_tensor *tensor2, cg_number value);
void cg_save_lerp(cg_node *n, cg_tensor *start, cg_tensor *end, cg_tensor *weight);

/* In-place writes (inplace.c), for the families' own in-place forms: whether a recorded write into
 * t goes through a view (its base's history becomes CopySlices), and saving t after the write as
 * the result its node's gradient reads (through a view, recomputed: the result computed out of
 * place from t's old value). */
bool cg_inplace_through_view(const cg_tensor *t, bool recorded);
void cg_save_inplace_result(cg_node *n, int slot, cg_tensor *t, cg_tensor *recomputed);

#endif
