/* Binary arithmetic, its Python-number forms, comparisons, where and clamp.
 * Each op picks the result dtype by PyTorch's promotion rules and hands the work to a kernel. */
#include "autograd/registry.h"
#include "ops/elementwise.h"

#include <math.h>

const char *cg_dtype_title(cg_dtype dtype) {
    switch (dtype) {
    case CG_FLOAT32: return "Float";
    case CG_FLOAT64: return "Double";
    case CG_INT64: return "Long";
    case CG_BOOL: return "Bool";
    }
    return "Unknown";
}

int cg_check_sub_dtypes(cg_dtype a, cg_dtype b, bool b_is_tensor) {
    if (b_is_tensor && a == CG_BOOL && b == CG_BOOL) {
        cg_set_error("Subtraction, the `-` operator, with two bool tensors is not supported. "
                     "Use the `^` or `logical_xor()` operator instead.");
        return -1;
    }
    if (a == CG_BOOL || (b_is_tensor && b == CG_BOOL)) {
        cg_set_error("Subtraction, the `-` operator, with a bool tensor is not supported. "
                     "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.");
        return -1;
    }
    return 0;
}

int cg_check_scalar(double value) {
    if (isfinite(value) && value == floor(value) && (value >= 0x1p63 || value < -0x1p63)) {
        cg_set_error("Overflow when unpacking long");
        return -1;
    }
    return 0;
}

/* t itself when it already has the dtype (no new reference, no scope entry: the hot path). */
static cg_tensor *as_dtype(cg_tensor *t, cg_dtype dtype) { return t->dtype == dtype ? t : cg_to(t, dtype); }

static cg_dtype output_dtype(cg_binary_op op, cg_dtype compute) {
    return cg_binary_is_comparison(op) ? CG_BOOL : compute;
}

cg_tensor *cg_binary_in(cg_binary_op op, cg_tensor *a, cg_tensor *b, cg_dtype compute) {
    int64_t shape[CG_MAX_DIMS];
    int ndim = cg_broadcast_shapes(a->ndim, a->sizes, b->ndim, b->sizes, shape);
    if (ndim < 0) return NULL;
    cg_tensor *ca = as_dtype(a, compute), *cb = as_dtype(b, compute);
    if (!ca || !cb) return NULL;
    cg_tensor *out = cg_new_tensor(output_dtype(op, compute), ndim, shape);
    if (out) cg_kernel_binary(op, out, ca, cb);
    return out;
}

cg_tensor *cg_binary_scalar_in(cg_binary_op op, cg_tensor *a, double s, bool scalar_first, cg_dtype compute) {
    cg_tensor *ca = as_dtype(a, compute);
    if (!ca) return NULL;
    cg_scalar_box box;
    const cg_tensor *cs = cg_box_scalar(&box, s, compute);
    cg_tensor *out = cg_new_tensor(output_dtype(op, compute), a->ndim, a->sizes);
    if (out) cg_kernel_binary(op, out, scalar_first ? cs : ca, scalar_first ? ca : cs);
    return out;
}

/* ---- tensor op tensor ---- */

/* Records out = op(a, b), saving both inputs when the backward needs them. */
static cg_tensor *record2(const cg_op *op, cg_tensor *out, cg_tensor *a, cg_tensor *b, bool save) {
    cg_node *n = out ? cg_record(op, out, CG_INPUTS(a, b)) : NULL;
    if (n && save) {
        cg_save(n, 0, a);
        cg_save(n, 1, b);
    }
    return out;
}

cg_tensor *cg_add(cg_tensor *a, cg_tensor *b) {
    if (!a || !b) return NULL;
    return record2(&cg_op_add, cg_binary_in(CG_BIN_ADD, a, b, cg_result_type(a, b)), a, b, false);
}

void cg_backward_add(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    (void)n;
    out[0] = out[1] = grads[0];
}

cg_tensor *cg_sub(cg_tensor *a, cg_tensor *b) {
    if (!a || !b || cg_check_sub_dtypes(a->dtype, b->dtype, true) < 0) return NULL;
    return record2(&cg_op_sub, cg_binary_in(CG_BIN_SUB, a, b, cg_result_type(a, b)), a, b, false);
}

void cg_backward_sub(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    out[0] = grads[0];
    if (cg_needs_grad(n, 1)) out[1] = cg_neg(grads[0]);
}

cg_tensor *cg_mul(cg_tensor *a, cg_tensor *b) {
    if (!a || !b) return NULL;
    return record2(&cg_op_mul, cg_binary_in(CG_BIN_MUL, a, b, cg_result_type(a, b)), a, b, true);
}

void cg_backward_mul(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    if (cg_needs_grad(n, 0)) out[0] = cg_mul(grads[0], cg_saved(n, 1));
    if (cg_needs_grad(n, 1)) out[1] = cg_mul(grads[0], cg_saved(n, 0));
}

cg_tensor *cg_div(cg_tensor *a, cg_tensor *b) {
    if (!a || !b) return NULL;
    return record2(&cg_op_div, cg_binary_in(CG_BIN_DIV, a, b, cg_float_type(cg_result_type(a, b))), a, b, true);
}

/* d(a/b) = g/b da - g a/b^2 db */
void cg_backward_div(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *b = cg_saved(n, 1);
    if (cg_needs_grad(n, 0)) out[0] = cg_div(grads[0], b);
    if (cg_needs_grad(n, 1)) out[1] = cg_neg(cg_div(cg_mul(grads[0], cg_saved(n, 0)), cg_mul(b, b)));
}

static int check_pow_dtype(cg_dtype dtype) {
    if (dtype != CG_BOOL) return 0;
    cg_set_error("\"pow\" not implemented for 'Bool'");
    return -1;
}

cg_tensor *cg_pow(cg_tensor *a, cg_tensor *b) {
    if (!a || !b) return NULL;
    int64_t shape[CG_MAX_DIMS]; /* PyTorch reports a shape mismatch before the dtype */
    if (cg_broadcast_shapes(a->ndim, a->sizes, b->ndim, b->sizes, shape) < 0) return NULL;
    cg_dtype compute = cg_result_type(a, b);
    if (check_pow_dtype(compute) < 0) return NULL;
    return cg_binary_in(CG_BIN_POW, a, b, compute);
}

cg_tensor *cg_maximum(cg_tensor *a, cg_tensor *b) {
    if (!a || !b) return NULL;
    return cg_binary_in(CG_BIN_MAXIMUM, a, b, cg_result_type(a, b));
}

cg_tensor *cg_minimum(cg_tensor *a, cg_tensor *b) {
    if (!a || !b) return NULL;
    return cg_binary_in(CG_BIN_MINIMUM, a, b, cg_result_type(a, b));
}

/* ---- tensor op Python number ---- */

static cg_tensor *scalar_op(cg_binary_op op, cg_tensor *a, double s, bool scalar_first) {
    if (!a || cg_check_scalar(s) < 0) return NULL;
    return cg_binary_scalar_in(op, a, s, scalar_first, cg_scalar_result_type(a->dtype, s));
}

/* How PyTorch records a Python number: x + 1 is add(Tensor, Tensor) with the number wrapped in a
 * tensor (a second, empty edge); x ** 2 and 1 - x take it as a Scalar (no edge). */
typedef enum { NUMBER_AS_SCALAR = 1, NUMBER_WRAPPED = 2 } number_edges;

/* Records out = op(a, s) for a Python number s, which the backward finds in scalars[0]. */
static cg_tensor *record_scalar(const cg_op *op, cg_tensor *out, cg_tensor *a, double s, bool save_a,
                                number_edges edges) {
    cg_node *n = out ? cg_record(op, out, (int)edges, (cg_tensor *[]){a, NULL}) : NULL;
    if (n) {
        n->scalars[0] = s;
        if (save_a) cg_save(n, 0, a);
    }
    return out;
}

cg_tensor *cg_add_scalar(cg_tensor *a, double b) {
    return record_scalar(&cg_op_add_scalar, scalar_op(CG_BIN_ADD, a, b, false), a, b, false, NUMBER_WRAPPED);
}

void cg_backward_add_scalar(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    (void)n;
    out[0] = grads[0];
}

cg_tensor *cg_mul_scalar(cg_tensor *a, double b) {
    return record_scalar(&cg_op_mul_scalar, scalar_op(CG_BIN_MUL, a, b, false), a, b, false, NUMBER_WRAPPED);
}

void cg_backward_mul_scalar(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    out[0] = cg_mul_scalar(grads[0], n->scalars[0]);
}

cg_tensor *cg_sub_scalar(cg_tensor *a, double b) {
    if (!a || cg_check_scalar(b) < 0 || cg_check_sub_dtypes(a->dtype, CG_INT64, false) < 0) return NULL;
    return record_scalar(&cg_op_sub_scalar, scalar_op(CG_BIN_SUB, a, b, false), a, b, false, NUMBER_WRAPPED);
}

void cg_backward_sub_scalar(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    (void)n;
    out[0] = grads[0];
}

cg_tensor *cg_rsub_scalar(cg_tensor *a, double b) {
    if (!a || cg_check_scalar(b) < 0 || cg_check_sub_dtypes(a->dtype, CG_INT64, false) < 0) return NULL;
    return record_scalar(&cg_op_rsub_scalar, scalar_op(CG_BIN_SUB, a, b, true), a, b, false, NUMBER_AS_SCALAR);
}

void cg_backward_rsub_scalar(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    (void)n;
    out[0] = cg_neg(grads[0]);
}

cg_tensor *cg_div_scalar(cg_tensor *a, double b) {
    if (!a || cg_check_scalar(b) < 0) return NULL;
    cg_tensor *out = cg_binary_scalar_in(CG_BIN_DIV, a, b, false, cg_float_type(cg_scalar_result_type(a->dtype, b)));
    return record_scalar(&cg_op_div_scalar, out, a, b, false, NUMBER_WRAPPED);
}

void cg_backward_div_scalar(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    out[0] = cg_div_scalar(grads[0], n->scalars[0]);
}

/* Python's b / a is a.reciprocal() * b: it rounds twice, and so must we. */
cg_tensor *cg_rdiv_scalar(cg_tensor *a, double b) {
    if (!a || cg_check_scalar(b) < 0) return NULL;
    return cg_mul_scalar(cg_unary_in(CG_UN_RECIPROCAL, a, cg_float_type(a->dtype)), b);
}

/* PyTorch's shortcuts for common float exponents; they round differently from pow(). */
static bool pow_shortcut(double exponent, cg_unary_op *op) {
    static const struct {
        double exponent;
        cg_unary_op op;
    } shortcuts[] = {{0.5, CG_UN_SQRT}, {-0.5, CG_UN_RSQRT}, {-1, CG_UN_RECIPROCAL},
                     {2, CG_UN_SQUARE}, {3, CG_UN_CUBE},     {-2, CG_UN_RSQUARE}};
    for (size_t i = 0; i < sizeof shortcuts / sizeof *shortcuts; i++) {
        if (shortcuts[i].exponent == exponent) {
            *op = shortcuts[i].op;
            return true;
        }
    }
    return false;
}

static cg_tensor *pow_scalar_forward(cg_tensor *a, double exponent) {
    if (!a || cg_check_scalar(exponent) < 0) return NULL;
    cg_dtype compute = cg_scalar_result_type(a->dtype, exponent);
    if (compute == CG_INT64 && exponent < 0) {
        cg_set_error("Integers to negative integer powers are not allowed.");
        return NULL;
    }
    if (exponent == 0) return cg_full_shape(compute, a->ndim, a->sizes, 1);
    if (exponent == 1) return cg_to(cg_clone(a), compute);
    cg_unary_op op;
    if (cg_dtype_is_floating(compute) && pow_shortcut(exponent, &op)) return cg_unary_in(op, a, compute);
    return cg_binary_scalar_in(CG_BIN_POW, a, exponent, false, compute);
}

cg_tensor *cg_pow_scalar(cg_tensor *a, double exponent) {
    if (!a) return NULL;
    cg_tensor *out = NULL;
    CG_NO_GRAD { out = pow_scalar_forward(a, exponent); }
    return record_scalar(&cg_op_pow_scalar, out, a, exponent, true, NUMBER_AS_SCALAR);
}

/* d(x^e) = e x^(e-1) */
void cg_backward_pow_scalar(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    double e = n->scalars[0];
    if (e == 0) {
        out[0] = cg_zeros_like(grads[0]);
        return;
    }
    out[0] = cg_mul(grads[0], cg_mul_scalar(cg_pow_scalar(cg_saved(n, 0), e - 1), e));
}

cg_tensor *cg_rpow_scalar(cg_tensor *a, double base) {
    if (!a || cg_check_scalar(base) < 0) return NULL;
    cg_dtype compute = cg_scalar_result_type(a->dtype, base);
    if (base == 1) return cg_full_shape(compute, a->ndim, a->sizes, 1);
    return cg_binary_scalar_in(CG_BIN_POW, a, base, true, compute);
}

/* ---- comparisons ---- */

#define COMPARISON(name, OP)                                                                        \
    cg_tensor *cg_##name(cg_tensor *a, cg_tensor *b) {                                              \
        if (!a || !b) return NULL;                                                                  \
        return cg_binary_in(OP, a, b, cg_result_type(a, b));                                        \
    }                                                                                               \
    cg_tensor *cg_##name##_scalar(cg_tensor *a, double b) { return scalar_op(OP, a, b, false); }
COMPARISON(eq, CG_BIN_EQ)
COMPARISON(ne, CG_BIN_NE)
COMPARISON(lt, CG_BIN_LT)
COMPARISON(le, CG_BIN_LE)
COMPARISON(gt, CG_BIN_GT)
COMPARISON(ge, CG_BIN_GE)

/* ---- where and clamp ---- */

cg_tensor *cg_where(cg_tensor *condition, cg_tensor *a, cg_tensor *b) {
    if (!condition || !a || !b) return NULL;
    if (condition->dtype != CG_BOOL) {
        cg_set_error("where expected condition to be a boolean tensor, but got a tensor with dtype %s",
                     cg_dtype_title(condition->dtype));
        return NULL;
    }
    int64_t shape[CG_MAX_DIMS];
    int ndim = cg_broadcast_shapes(condition->ndim, condition->sizes, a->ndim, a->sizes, shape);
    if (ndim < 0 || (ndim = cg_broadcast_shapes(ndim, shape, b->ndim, b->sizes, shape)) < 0) return NULL;
    cg_dtype dtype = cg_result_type(a, b);
    cg_tensor *ca = as_dtype(a, dtype), *cb = as_dtype(b, dtype);
    if (!ca || !cb) return NULL;
    cg_tensor *out = cg_new_tensor(dtype, ndim, shape);
    if (out) cg_kernel_where(out, condition, ca, cb);
    return out;
}

int cg_clamp_plan(const cg_tensor *t, double *min, double *max, cg_dtype *dtype, bool *all_nan) {
    if (cg_check_scalar(*min) < 0 || cg_check_scalar(*max) < 0) return -1;
    bool has_min = *min != -INFINITY, has_max = *max != INFINITY;
    if (!has_min && !has_max) {
        cg_set_error("torch.clamp: At least one of 'min' or 'max' must not be None");
        return -1;
    }
    *dtype = t->dtype;
    if (has_min) *dtype = cg_scalar_result_type(*dtype, *min);
    if (has_max) *dtype = cg_scalar_result_type(*dtype, *max);
    *all_nan = has_min && has_max && (isnan(*min) || isnan(*max));
    if (isnan(*min)) *min = -INFINITY;
    if (isnan(*max)) *max = INFINITY;
    return 0;
}

cg_tensor *cg_clamp(cg_tensor *t, double min, double max) {
    if (!t) return NULL;
    cg_dtype dtype;
    bool all_nan;
    if (cg_clamp_plan(t, &min, &max, &dtype, &all_nan) < 0) return NULL;
    if (all_nan) return cg_full_shape(dtype, t->ndim, t->sizes, NAN);
    cg_tensor *ct = as_dtype(t, dtype);
    cg_tensor *out = ct ? cg_new_tensor(dtype, t->ndim, t->sizes) : NULL;
    if (out) cg_kernel_clamp(out, ct, min, max);
    return out;
}
