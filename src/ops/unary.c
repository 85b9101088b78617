/* Unary math. Integer and bool inputs of the float-valued functions compute in float32, as in
 * PyTorch; neg, abs, sign and relu keep integer dtypes. */
#include "ops/elementwise.h"

cg_tensor *cg_unary_in(cg_unary_op op, cg_tensor *t, cg_dtype compute) {
    if (!t) return NULL;
    cg_tensor *ct = t->dtype == compute ? t : cg_to(t, compute);
    cg_tensor *out = ct ? cg_new_tensor(compute, t->ndim, t->sizes) : NULL;
    if (out) cg_kernel_unary(op, out, ct);
    return out;
}

static cg_tensor *float_valued(cg_unary_op op, cg_tensor *t) {
    return t ? cg_unary_in(op, t, cg_float_type(t->dtype)) : NULL;
}

/* The ops that keep t's dtype, with PyTorch's message for bool. */
static cg_tensor *same_dtype(cg_unary_op op, cg_tensor *t, const char *bool_error) {
    if (!t) return NULL;
    if (t->dtype == CG_BOOL && bool_error) {
        cg_set_error("%s", bool_error);
        return NULL;
    }
    return cg_unary_in(op, t, t->dtype);
}

cg_tensor *cg_neg(cg_tensor *t) {
    return same_dtype(CG_UN_NEG, t,
                      "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert "
                      "a mask, use the `~` or `logical_not()` operator instead.");
}
cg_tensor *cg_abs(cg_tensor *t) { return same_dtype(CG_UN_ABS, t, "\"abs_cpu\" not implemented for 'Bool'"); }
cg_tensor *cg_sign(cg_tensor *t) { return same_dtype(CG_UN_SIGN, t, NULL); }
cg_tensor *cg_relu(cg_tensor *t) { return same_dtype(CG_UN_RELU, t, "Boolean inputs not supported for relu"); }

cg_tensor *cg_exp(cg_tensor *t) { return float_valued(CG_UN_EXP, t); }
cg_tensor *cg_log(cg_tensor *t) { return float_valued(CG_UN_LOG, t); }
cg_tensor *cg_log1p(cg_tensor *t) { return float_valued(CG_UN_LOG1P, t); }
cg_tensor *cg_sqrt(cg_tensor *t) { return float_valued(CG_UN_SQRT, t); }
cg_tensor *cg_sin(cg_tensor *t) { return float_valued(CG_UN_SIN, t); }
cg_tensor *cg_cos(cg_tensor *t) { return float_valued(CG_UN_COS, t); }
cg_tensor *cg_tan(cg_tensor *t) { return float_valued(CG_UN_TAN, t); }
cg_tensor *cg_tanh(cg_tensor *t) { return float_valued(CG_UN_TANH, t); }
cg_tensor *cg_sigmoid(cg_tensor *t) { return float_valued(CG_UN_SIGMOID, t); }
