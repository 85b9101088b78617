/* PyTorch's composite elementwise ops: float_power, ldexp, isclose, allclose and equal, written
 * with the ops PyTorch's own implementations call (BinaryOps.cpp, TensorCompare.cpp), so their
 * nodes, dtypes and bits are PyTorch's. */
#include "core/tensor.h"

#include <stdbool.h>

/* torch.float_power(a, b): both cast to float64, then pow (PowBackward1 after ToCopyBackward0s). */
cg_tensor *cg_float_power(cg_tensor *a, cg_tensor *b) {
    if (!a || !b) return NULL;
    return cg_pow(cg_to(a, CG_FLOAT64), cg_to(b, CG_FLOAT64));
}

/* torch.ldexp(a, b): a * 2 ** b (MulBackward0). */
cg_tensor *cg_ldexp(cg_tensor *a, cg_tensor *b) {
    if (!a || !b) return NULL;
    return cg_mul(a, cg_rpow_number(b, cg_number_float(2.0)));
}

/* torch.isclose: a == b, or both NaN (equal_nan, floats), or a finite |a - b| <= atol + |rtol * b|
 * computed in their dtype (bool as float32); a bool tensor, no gradient. */
cg_tensor *cg_isclose(cg_tensor *a, cg_tensor *b, double rtol, double atol, bool equal_nan) {
    if (!a || !b) return NULL;
    if (a->dtype != b->dtype) {
        cg_set_error("%s did not match %s", cg_dtype_title(a->dtype), cg_dtype_title(b->dtype));
        return NULL;
    }
    /* C++'s default stream format, as PyTorch prints them: %g */
    if (!(rtol >= 0)) {
        cg_set_error("rtol must be greater than or equal to zero, but got %g", rtol);
        return NULL;
    }
    if (!(atol >= 0)) {
        cg_set_error("atol must be greater than or equal to zero, but got %g", atol);
        return NULL;
    }
    cg_tensor *close = cg_eq(a, b);
    if (equal_nan && cg_dtype_is_floating(a->dtype)) close = cg_logical_or(close, cg_logical_and(cg_isnan(a), cg_isnan(b)));
    if (rtol == 0 && atol == 0) return close;
    cg_tensor *fa = a->dtype == CG_BOOL ? cg_to(a, CG_FLOAT32) : a, *fb = b->dtype == CG_BOOL ? cg_to(b, CG_FLOAT32) : b;
    cg_tensor *allowed = cg_add_number(cg_abs(cg_mul_number(fb, cg_number_float(rtol))), cg_number_float(atol));
    cg_tensor *actual = cg_abs(cg_sub(fa, fb));
    return cg_logical_or(close, cg_logical_and(cg_isfinite(actual), cg_le(actual, allowed)));
}

/* torch.allclose: whether isclose holds everywhere; 1, 0, or -1 with isclose's error. */
int cg_allclose(cg_tensor *a, cg_tensor *b, double rtol, double atol, bool equal_nan) {
    cg_tensor *all = cg_all(cg_isclose(a, b, rtol, atol, equal_nan));
    return all ? cg_item(all) != 0 : -1;
}

/* torch.equal: the same sizes and equal elements in the promoted dtype (NaN is not equal); 1, 0 or -1. */
int cg_equal(cg_tensor *a, cg_tensor *b) {
    if (!a || !b) return -1;
    if (a->ndim != b->ndim) return 0;
    for (int d = 0; d < a->ndim; d++)
        if (a->sizes[d] != b->sizes[d]) return 0;
    cg_tensor *all = cg_all(cg_eq(a, b));
    return all ? cg_item(all) != 0 : -1;
}
