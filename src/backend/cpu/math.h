/* The loops of the elementwise math families (src/ops/unary_math.c, binary_math.c): one entry,
 * cg_kernel_math, for every op of those families, in float32 and float64 (and int64 or bool where
 * PyTorch has an integer kernel). Each loop is written as PyTorch 1.13's CPU kernel computes: a
 * SLEEF call on every element where PyTorch's vml path runs (acos, asin, atan, erfc, expm1, log2,
 * log10, lgamma), SLEEF on the 64-byte blocks of a contiguous run and libm on the rest where its
 * cpu_kernel_vec runs (sinh, cosh, exp2, logit), and the scalar libm expression elsewhere. */
#ifndef CG_KERNELS_MATH_H
#define CG_KERNELS_MATH_H

#include "backend/cpu/iter.h"
#include "core/tensor.h"

typedef enum {
    /* unary, float32/float64 in and out */
    CG_M_ACOS, CG_M_ASIN, CG_M_ATAN, CG_M_SINH, CG_M_COSH, CG_M_ACOSH, CG_M_ASINH, CG_M_ATANH,
    CG_M_ERFC, CG_M_EXPM1, CG_M_EXP2, CG_M_LOG2, CG_M_LOG10, CG_M_LGAMMA,
    CG_M_SINC, CG_M_FRAC, CG_M_ENTR, CG_M_RSQRT, CG_M_DIGAMMA,
    CG_M_POLYGAMMA,      /* p0: n */
    CG_M_LOGIT,          /* p0: eps, ignored when negative (PyTorch's None) */
    CG_M_ROUND_DECIMALS, /* p0: decimals */
    CG_M_NAN_TO_NUM,     /* p0, p1, p2: the NaN, +inf and -inf replacements (also int64, bool: a copy) */
    CG_M_DEG2RAD_MUL,    /* a * p0 in the element type (deg2rad and rad2deg's constant) */
    /* unary, float32/float64/int64 in and out (integers: a copy) */
    CG_M_FLOOR, CG_M_CEIL, CG_M_TRUNC, CG_M_ROUND,
    /* unary predicates: any dtype in, bool out */
    CG_M_ISNAN, CG_M_ISINF, CG_M_ISPOSINF, CG_M_ISNEGINF, CG_M_ISFINITE, CG_M_SIGNBIT, CG_M_LOGICAL_NOT,
    CG_M_UNARY_COUNT,
    /* binary, both operands of the one compute dtype */
    CG_M_ATAN2 = CG_M_UNARY_COUNT, CG_M_HYPOT, CG_M_COPYSIGN, CG_M_NEXTAFTER, CG_M_XLOGY, CG_M_XLOG1PY,
    CG_M_LOGADDEXP, CG_M_LOGADDEXP2, CG_M_ZETA,
    /* float and int64 */
    CG_M_FMOD, CG_M_REMAINDER, CG_M_FMAX, CG_M_FMIN, CG_M_DIV_TRUNC, CG_M_DIV_FLOOR, CG_M_HEAVISIDE,
    /* any dtype in, bool out */
    CG_M_LOGICAL_AND, CG_M_LOGICAL_OR, CG_M_LOGICAL_XOR,
    CG_M_COUNT
} cg_math_op;

static inline bool cg_math_is_unary(cg_math_op op) { return op < CG_M_UNARY_COUNT; }
static inline bool cg_math_gives_bool(cg_math_op op) {
    return (op >= CG_M_ISNAN && op < CG_M_UNARY_COUNT) || op >= CG_M_LOGICAL_AND;
}

/* out = op(a) (b NULL) or op(a, b): a and b of one dtype (the op's compute dtype; for the bool ops
 * any dtype each), broadcast to out's shape; out of that dtype or bool. p: the op's numbers (or
 * NULL). An (op, dtype) with no loop is the caller's to refuse: cg_math_has_loop says which. */
void cg_kernel_math(cg_math_op op, cg_tensor *out, const cg_tensor *a, const cg_tensor *b, const double *p);
bool cg_math_has_loop(cg_math_op op, cg_dtype dtype);

/* The AVX2 loops (math_avx2.c, built with -mavx2 -mfma and gcc's FMA contraction, as PyTorch's AVX2
 * kernels are); NULL when there is none or no AVX2 code was built. Call only when cg_simd_avx2(). */
cg_loop_fn cg_avx2_math_loop(cg_math_op op, cg_dtype dtype);

#endif
