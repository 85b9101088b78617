/* Elementwise loops: binary arithmetic and comparisons, unary math, where and clamp.
 * Every kernel computes in one dtype: the caller has already converted the inputs to it, checked
 * that the shapes broadcast to out's shape and refused the dtypes the op has no loop for (the empty
 * entries of the tables in elementwise.c). */
#ifndef CG_KERNELS_ELEMENTWISE_H
#define CG_KERNELS_ELEMENTWISE_H

#include "core/tensor.h"

typedef enum {
    CG_BIN_ADD, CG_BIN_SUB, CG_BIN_MUL, CG_BIN_DIV, CG_BIN_POW, CG_BIN_MAXIMUM, CG_BIN_MINIMUM,
    /* PyTorch's fused backward kernels, floats only: grad * (1 - y) * y and grad * (1 - y * y) with
     * a = grad, b = y; relu's (threshold_backward at 0): a <= 0 ? 0 : b with a = the result, b = grad. */
    CG_BIN_SIGMOID_BACKWARD, CG_BIN_TANH_BACKWARD, CG_BIN_RELU_BACKWARD,
    CG_BIN_EQ, CG_BIN_NE, CG_BIN_LT, CG_BIN_LE, CG_BIN_GT, CG_BIN_GE, /* comparisons write bool */
    CG_BIN_COUNT
} cg_binary_op;

typedef enum {
    CG_UN_NEG, CG_UN_EXP, CG_UN_LOG, CG_UN_LOG1P, CG_UN_SQRT, CG_UN_ABS, CG_UN_SIGN, CG_UN_SIN,
    CG_UN_COS, CG_UN_TAN, CG_UN_TANH, CG_UN_SIGMOID, CG_UN_RELU,
    /* PyTorch's special cases of pow with a scalar exponent: */
    CG_UN_RECIPROCAL, CG_UN_RSQRT, CG_UN_SQUARE, CG_UN_CUBE, CG_UN_RSQUARE,
    CG_UN_COUNT
} cg_unary_op;

static inline bool cg_binary_is_comparison(cg_binary_op op) { return op >= CG_BIN_EQ; }

/* out = a op b; a and b have the compute dtype, out has it too (bool for comparisons). out may be a
 * itself (in place) but must not otherwise overlap the inputs. */
void cg_kernel_binary(cg_binary_op op, cg_tensor *out, const cg_tensor *a, const cg_tensor *b);
/* out = op(in), both of one dtype. */
void cg_kernel_unary(cg_unary_op op, cg_tensor *out, const cg_tensor *in);
/* out = in ** exponent, both float32 or both float64, as PyTorch's unary pow (float32: its mix of
 * float32 and double powers). */
void cg_kernel_pow_number(cg_tensor *out, const cg_tensor *in, double exponent);
/* out = cond ? a : b; cond is bool, a, b and out share a dtype. */
void cg_kernel_where(cg_tensor *out, const cg_tensor *cond, const cg_tensor *a, const cg_tensor *b);
/* out = min(max(in, lo), hi) in in's dtype, NaN inputs kept; the bounds are converted to in's
 * dtype, and a NULL one is no bound. */
void cg_kernel_clamp(cg_tensor *out, const cg_tensor *in, const cg_number *lo, const cg_number *hi);

/* A 0-dim tensor on the stack holding one number: lets a kernel broadcast a Python scalar without
 * allocating. Valid only while the box lives; never registered in a scope or released. */
typedef struct {
    cg_storage storage;
    cg_tensor tensor;
    union {
        double f64;
        int64_t i64;
        float f32;
        bool b;
    } value;
} cg_scalar_box;
/* The number converted to dtype (cg_write_number). */
const cg_tensor *cg_box_number(cg_scalar_box *box, cg_number value, cg_dtype dtype);

#endif
