/* The scalar element formulas of the math families (math.h), written as PyTorch 1.13's scalar
 * lambdas, and the loops stamped from them. Included by math.c (the portable loops) and by
 * math_avx2.c, which is compiled as PyTorch's AVX2 kernels are (-mfma, gcc's FMA contraction), so
 * that the scalar code there rounds as PyTorch's does. <tgmath.h> makes acos, log, ... pick the
 * float or double function from the operand's type, as std:: does. */
#ifndef CG_KERNELS_MATH_LOOPS_H
#define CG_KERNELS_MATH_LOOPS_H

#include "backend/cpu/math.h"

#include <tgmath.h>

#define MATH_PI 3.14159265358979323846

#define AT(T, k, i) (*(T *)(p[k] + (i) * s[k]))

/* out[i] = EXPR of T a = in[i], with T p0, p1, p2 the op's numbers. */
#define MATH_UNARY(NAME, T, R, EXPR)                                                          \
    static void NAME(char **p, const int64_t *s, int64_t n, const void *ctx) {                \
        const double *q = ctx;                                                                \
        const T p0 = (T)q[0], p1 = (T)q[1], p2 = (T)q[2];                                     \
        (void)p0, (void)p1, (void)p2;                                                         \
        for (int64_t i = 0; i < n; i++) {                                                     \
            T a = AT(const T, 1, i);                                                          \
            AT(R, 0, i) = (R)(EXPR);                                                          \
        }                                                                                     \
    }
/* The same without numbers (integer and bool loops: a NaN number cast to them is undefined). */
#define MATH_UNARY_PLAIN(NAME, T, R, EXPR)                                                    \
    static void NAME(char **p, const int64_t *s, int64_t n, const void *ctx) {                \
        (void)ctx;                                                                            \
        for (int64_t i = 0; i < n; i++) {                                                     \
            T a = AT(const T, 1, i);                                                          \
            (void)a;                                                                          \
            AT(R, 0, i) = (R)(EXPR);                                                          \
        }                                                                                     \
    }
#define MATH_BINARY(NAME, T, R, EXPR)                                                         \
    static void NAME(char **p, const int64_t *s, int64_t n, const void *ctx) {                \
        (void)ctx;                                                                            \
        for (int64_t i = 0; i < n; i++) {                                                     \
            T a = AT(const T, 1, i), b = AT(const T, 2, i);                                   \
            AT(R, 0, i) = (R)(EXPR);                                                          \
        }                                                                                     \
    }

#define UF(OP, EXPR) MATH_UNARY(OP##_f32, float, float, EXPR) MATH_UNARY(OP##_f64, double, double, EXPR)
#define UI(OP, EXPR) MATH_UNARY_PLAIN(OP##_i64, int64_t, int64_t, EXPR)
#define UB(OP, EXPR) MATH_UNARY_PLAIN(OP##_b8, bool, bool, EXPR)
#define PRED(OP, FEXPR, IEXPR, BEXPR)                                                         \
    MATH_UNARY_PLAIN(OP##_f32, float, bool, FEXPR) MATH_UNARY_PLAIN(OP##_f64, double, bool, FEXPR) \
    MATH_UNARY_PLAIN(OP##_i64, int64_t, bool, IEXPR) MATH_UNARY_PLAIN(OP##_b8, bool, bool, BEXPR)
#define BF(OP, EXPR) MATH_BINARY(OP##_f32, float, float, EXPR) MATH_BINARY(OP##_f64, double, double, EXPR)
#define BI(OP, EXPR) MATH_BINARY(OP##_i64, int64_t, int64_t, EXPR)
#define BOOL_OUT(OP, EXPR)                                                                    \
    MATH_BINARY(OP##_f32, float, bool, EXPR) MATH_BINARY(OP##_f64, double, bool, EXPR)       \
    MATH_BINARY(OP##_i64, int64_t, bool, EXPR) MATH_BINARY(OP##_b8, bool, bool, EXPR)

/* ---- element formulas ---- */

/* std::nearbyint(a / 10^d) * 10^d for negative decimals, else std::nearbyint(a * 10^d) / 10^d, the
 * power computed in double and rounded to T once. */
#define ROUND_DECIMALS(T, a, d)                                                               \
    ((d) < 0 ? nearbyint((a) / (T)pow(10.0, -(d))) * (T)pow(10.0, -(d))                      \
             : nearbyint((a) * (T)pow(10.0, (d))) / (T)pow(10.0, (d)))

/* logit's clamp to [eps, 1 - eps] (NaN passes) when eps >= 0, then log(x / (1 - x)), inf at 1. */
static inline float logit_value_f32(float x, float eps) {
    if (eps >= 0) x = x < eps ? eps : x > 1 - eps ? 1 - eps : x;
    return x == 1 ? INFINITY : logf(x / (1 - x));
}
static inline double logit_value_f64(double x, double eps) {
    if (eps >= 0) x = x < eps ? eps : x > 1 - eps ? 1 - eps : x;
    return x == 1 ? INFINITY : log(x / (1 - x));
}

/* -x log x, 0 at 0, -inf below, NaN kept */
#define ENTR(a) ((a) != (a) ? (a) : (a) > 0 ? -(a) * log(a) : (a) == 0 ? 0 : -INFINITY)

/* sin(pi x) / (pi x) in the element type, 1 at 0 */
#define SINC(T, a) ((a) == 0 ? (T)1 : sin((T)MATH_PI * (a)) / ((T)MATH_PI * (a)))

#define NAN_TO_NUM(a) ((a) != (a) ? p0 : (a) == INFINITY ? p1 : (a) == -INFINITY ? p2 : (a))

/* m + log(1 + e^-|a - b|) with m = max(a, b), a itself when both are the same infinity;
 * logaddexp2 with 2^ and log2 */
#define LOGADDEXP(a, b) (isinf(a) && (a) == (b) ? (a) : logaddexp_with(fmax_nan(a, b), a, b, exp, log))
#define LOGADDEXP2(a, b) (isinf(a) && (a) == (b) ? (a) : logaddexp_with(fmax_nan(a, b), a, b, exp2, log2))
#define logaddexp_with(m, a, b, EXP, LOG) ((m) + LOG(1 + EXP(-fabs((a) - (b)))))
/* std::max: the first when they compare false (NaN b gives a) */
#define fmax_nan(a, b) ((a) < (b) ? (b) : (a))

/* x * log(y), 0 where x is 0 (unless y is NaN) */
#define XLOGY(a, b) ((b) != (b) ? (b) : (a) == 0 ? 0 : (a) * log(b))
#define XLOG1PY(a, b) ((b) != (b) ? (b) : (a) == 0 ? 0 : (a) * log1p(b))

/* Python's %: the sign of b */
#define REMAINDER_F(a, b) remainder_adjust(fmod(a, b), b)
#define remainder_adjust(m, b) ((m) != 0 && (((b) < 0) != ((m) < 0)) ? (m) + (b) : (m))

static inline float float_div_floor(float a, float b) {
    if (b == 0) return a / b;
    float mod = fmodf(a, b), div = (a - mod) / b;
    if (mod != 0 && (b < 0) != (mod < 0)) div -= 1;
    if (div == 0) return copysignf(0, a / b);
    float fl = floorf(div);
    return div - fl > 0.5f ? fl + 1 : fl;
}
static inline double double_div_floor(double a, double b) {
    if (b == 0) return a / b;
    double mod = fmod(a, b), div = (a - mod) / b;
    if (mod != 0 && (b < 0) != (mod < 0)) div -= 1;
    if (div == 0) return copysign(0, a / b);
    double fl = floor(div);
    return div - fl > 0.5 ? fl + 1 : fl;
}
/* Integer division and remainder, b != 0 (the caller checked); INT64_MIN / -1 wraps. */
static inline int64_t int_div_trunc(int64_t a, int64_t b) { return b == -1 ? (int64_t)(0 - (uint64_t)a) : a / b; }
static inline int64_t int_fmod(int64_t a, int64_t b) { return b == -1 ? 0 : a % b; }
static inline int64_t int_div_floor(int64_t a, int64_t b) {
    int64_t q = int_div_trunc(a, b), r = int_fmod(a, b);
    return r != 0 && ((r < 0) != (b < 0)) ? q - 1 : q;
}
static inline int64_t int_remainder(int64_t a, int64_t b) {
    int64_t r = int_fmod(a, b);
    return r != 0 && ((r < 0) != (b < 0)) ? r + b : r;
}


/* ---- the gamma family, as PyTorch's Math.h computes it (Cephes' algorithms) ---- */

/* Horner's rule over coef[0..len] (highest power first). */
static inline double horner_f64(double x, const double *coef, int len) {
    double r = 0;
    for (int i = 0; i <= len; i++) r = r * x + coef[i];
    return r;
}
static inline float horner_f32(float x, const float *coef, int len) {
    float r = 0;
    for (int i = 0; i <= len; i++) r = r * x + coef[i];
    return r;
}

/* The asymptotic series of digamma beyond 10, in z = 1 / x^2. */
static const double digamma_series_f64[] = {8.33333333333333333333E-2, -2.10927960927960927961E-2,
                                            7.57575757575757575758E-3, -4.16666666666666666667E-3,
                                            3.96825396825396825397E-3, -8.33333333333333333333E-3,
                                            8.33333333333333333333E-2};
static const float digamma_series_f32[] = {8.33333333333333333333E-2f, -2.10927960927960927961E-2f,
                                           7.57575757575757575758E-3f, -4.16666666666666666667E-3f,
                                           3.96825396825396825397E-3f, -8.33333333333333333333E-3f,
                                           8.33333333333333333333E-2f};
#define DIGAMMA_AT_10 2.25175258906672110764

/* psi(x): +-inf at +-0, NaN at negative integers, reflection below 0, the recurrence up to 10. */
static double digamma_f64(double x) {
    if (x == 0) return copysign(INFINITY, -x);
    if (x < 0) {
        if (x == trunc(x)) return NAN;
        double whole, frac = modf(x, &whole);
        return digamma_f64(1 - x) - MATH_PI / tan(MATH_PI * frac);
    }
    double r = 0;
    for (; x < 10; x += 1) r -= 1 / x;
    if (x == 10) return r + DIGAMMA_AT_10;
    double y = 0;
    if (x < 1.0e17) {
        double z = 1.0 / (x * x);
        y = z * horner_f64(z, digamma_series_f64, 6);
    }
    return r + log(x) - (0.5 / x) - y;
}
/* float32: the reflection term in double, the rest in float */
static float digamma_f32(float x) {
    if (x == 0) return copysignf(INFINITY, -x);
    if (x < 0) {
        if (x == truncf(x)) return NAN;
        double whole, frac = modf((double)x, &whole);
        return digamma_f32(1 - x) - (float)(MATH_PI / tan(MATH_PI * frac));
    }
    float r = 0;
    for (; x < 10; x += 1) r -= 1 / x;
    if (x == 10) return r + (float)DIGAMMA_AT_10;
    float y = 0;
    if (x < 1.0e17f) {
        float z = 1 / (x * x);
        y = z * horner_f32(z, digamma_series_f32, 6);
    }
    return r + logf(x) - (0.5f / x) - y;
}

/* psi'(x): reflection below 1/2, six steps of the recurrence, then the asymptotic series. */
#define TRIGAMMA(T, SIN, x)                                                                   \
    T sign = 1, r = 0;                                                                        \
    if (x < (T)0.5) {                                                                         \
        sign = -1;                                                                            \
        const T s = SIN((T)MATH_PI * x);                                                      \
        r -= ((T)MATH_PI * (T)MATH_PI) / (s * s);                                             \
        x = 1 - x;                                                                            \
    }                                                                                         \
    for (int i = 0; i < 6; ++i) {                                                             \
        r += 1 / (x * x);                                                                     \
        x += 1;                                                                               \
    }                                                                                         \
    const T ixx = 1 / (x * x);                                                                \
    r += (1 + 1 / (2 * x) + ixx * ((T)1 / 6 - ixx * ((T)1 / 30 - ixx * ((T)1 / 42)))) / x;    \
    return sign * r;
static double trigamma_f64(double x) { TRIGAMMA(double, sin, x) }
static float trigamma_f32(float x) { TRIGAMMA(float, sinf, x) }

/* Hurwitz's zeta(x, q) = sum over k of (k + q)^-x, in double for both types (PyTorch's acc_type):
 * nine terms at least, to a = q + 9 or more, then Euler-Maclaurin's correction. */
static const double zeta_euler_maclaurin[] = {12.0, -720.0, 30240.0, -1209600.0, 47900160.0,
                                              -1.8924375803183791606e9, 7.47242496e10,
                                              -2.950130727918164224e12, 1.1646782814350067249e14,
                                              -4.5979787224074726105e15, 1.8152105401943546773e17,
                                              -7.1661652561756670113e18};
static double zeta_f64(double x, double q) {
    const double machep = 1.11022302462515654042E-16;
    if (x == 1) return INFINITY;
    if (x < 1) return NAN;
    if (q <= 0) {
        if (q == floor(q)) return INFINITY;
        if (x != floor(x)) return NAN;
    }
    double s = pow(q, -x), a = q, b = 0;
    int i = 0;
    while (i < 9 || a <= 9.0) {
        i += 1;
        a += 1;
        b = pow(a, -x);
        s += b;
        if (-machep * s < b && b < machep * s) return s;
    }
    double w = a, k = 0;
    s += b * w / (x - 1);
    s -= 0.5 * b;
    a = 1;
    for (int j = 0; j < 12; j++) {
        a *= x + k;
        b /= w;
        double t = a * b / zeta_euler_maclaurin[j];
        s = s + t;
        if (fabs(t / s) < machep) return s;
        k += 1;
        a *= x + k;
        b /= w;
        k += 1;
    }
    return s;
}
static float zeta_f32(float x, float q) { return (float)zeta_f64(x, q); }

/* polygamma(n, x) for n >= 2: (-1)^(n+1) n! zeta(n + 1, x) */
static double polygamma_f64(double x, int n) { return ((n % 2) ? 1.0 : -1.0) * exp(lgamma((double)n + 1)) * zeta_f64(n + 1, x); }
/* float32: PyTorch's ::exp(::lgamma(float)) are the double functions, so the product is double,
 * rounded once */
static float polygamma_f32(float x, int n) {
    return (float)(((n % 2) ? 1.0 : -1.0) * exp(lgamma((double)((float)n + 1))) * (double)zeta_f32((float)(n + 1), x));
}
/* the n the caller passed in p0, dispatched as PyTorch's polygamma kernel */
#define POLYGAMMA(SFX, a, n) ((n) == 0 ? digamma_##SFX(a) : (n) == 1 ? trigamma_##SFX(a) : polygamma_##SFX(a, (int)(n)))

/* ---- the loops ---- */

UF(acos, acos(a)) UF(asin, asin(a)) UF(atan, atan(a))
UF(sinh, sinh(a)) UF(cosh, cosh(a)) UF(acosh, acosh(a)) UF(asinh, asinh(a)) UF(atanh, atanh(a))
UF(erfc, erfc(a)) UF(expm1, expm1(a)) UF(exp2, exp2(a)) UF(log2, log2(a)) UF(log10, log10(a))
UF(lgamma, lgamma(a))
MATH_UNARY(sinc_f32, float, float, SINC(float, a)) MATH_UNARY(sinc_f64, double, double, SINC(double, a))
UF(frac, a - trunc(a))
UF(entr, ENTR(a))
UF(rsqrt, 1 / sqrt(a))
MATH_UNARY(digamma_loop_f32, float, float, digamma_f32(a)) MATH_UNARY(digamma_loop_f64, double, double, digamma_f64(a))
MATH_UNARY(polygamma_loop_f32, float, float, POLYGAMMA(f32, a, q[0]))
MATH_UNARY(polygamma_loop_f64, double, double, POLYGAMMA(f64, a, q[0]))
MATH_UNARY(logit_f32, float, float, logit_value_f32(a, p0)) MATH_UNARY(logit_f64, double, double, logit_value_f64(a, p0))
MATH_UNARY(round_decimals_f32, float, float, ROUND_DECIMALS(float, a, q[0]))
MATH_UNARY(round_decimals_f64, double, double, ROUND_DECIMALS(double, a, q[0]))
UF(nan_to_num, NAN_TO_NUM(a)) UI(nan_to_num, a) UB(nan_to_num, a)
UF(deg2rad_mul, a * p0)
UF(floor, floor(a)) UF(ceil, ceil(a)) UF(trunc, trunc(a)) UF(round, nearbyint(a))
UI(floor, a) UI(ceil, a) UI(trunc, a) UI(round, a)
PRED(isnan, a != a, false, false)
PRED(isinf, fabs(a) == INFINITY, false, false)
PRED(isposinf, a == INFINITY, false, false)
PRED(isneginf, a == -INFINITY, false, false)
PRED(isfinite, isfinite(a), true, true)
PRED(signbit, signbit(a) != 0, a < 0, false)
PRED(logical_not, !a, !a, !a)

MATH_BINARY(zeta_loop_f32, float, float, zeta_f32(a, b)) MATH_BINARY(zeta_loop_f64, double, double, zeta_f64(a, b))
BF(atan2, atan2(a, b)) BF(hypot, hypot(a, b)) BF(copysign, copysign(a, b)) BF(nextafter, nextafter(a, b))
BF(xlogy, XLOGY(a, b)) BF(xlog1py, XLOG1PY(a, b)) BF(logaddexp, LOGADDEXP(a, b))
BF(logaddexp2, LOGADDEXP2(a, b))
BF(fmod, fmod(a, b))           BI(fmod, int_fmod(a, b))
BF(remainder, REMAINDER_F(a, b)) BI(remainder, int_remainder(a, b))
BF(fmax, fmax(a, b))           BI(fmax, a < b ? b : a) MATH_BINARY(fmax_b8, bool, bool, a || b)
BF(fmin, fmin(a, b))           BI(fmin, b < a ? b : a) MATH_BINARY(fmin_b8, bool, bool, a && b)
BF(div_trunc, trunc(a / b))    BI(div_trunc, int_div_trunc(a, b))
MATH_BINARY(div_floor_f32, float, float, float_div_floor(a, b))
MATH_BINARY(div_floor_f64, double, double, double_div_floor(a, b))
BI(div_floor, int_div_floor(a, b))
BF(heaviside, a == 0 ? b : (a > 0)) BI(heaviside, a == 0 ? b : (a > 0)) MATH_BINARY(heaviside_b8, bool, bool, a || b)
BOOL_OUT(logical_and, a && b) BOOL_OUT(logical_or, a || b) BOOL_OUT(logical_xor, !a != !b)

#define LOOPS_F(OP) [CG_FLOAT32] = OP##_f32, [CG_FLOAT64] = OP##_f64
#define LOOPS_FI(OP) LOOPS_F(OP), [CG_INT64] = OP##_i64
#define LOOPS_ALL(OP) LOOPS_FI(OP), [CG_BOOL] = OP##_b8

static const cg_loop_fn math_scalar_loops[CG_M_COUNT][4] = {
    [CG_M_ACOS] = {LOOPS_F(acos)}, [CG_M_ASIN] = {LOOPS_F(asin)}, [CG_M_ATAN] = {LOOPS_F(atan)},
    [CG_M_SINH] = {LOOPS_F(sinh)}, [CG_M_COSH] = {LOOPS_F(cosh)}, [CG_M_ACOSH] = {LOOPS_F(acosh)},
    [CG_M_ASINH] = {LOOPS_F(asinh)}, [CG_M_ATANH] = {LOOPS_F(atanh)}, [CG_M_ERFC] = {LOOPS_F(erfc)},
    [CG_M_EXPM1] = {LOOPS_F(expm1)}, [CG_M_EXP2] = {LOOPS_F(exp2)}, [CG_M_LOG2] = {LOOPS_F(log2)},
    [CG_M_LOG10] = {LOOPS_F(log10)}, [CG_M_LGAMMA] = {LOOPS_F(lgamma)}, [CG_M_SINC] = {LOOPS_F(sinc)},
    [CG_M_FRAC] = {LOOPS_F(frac)}, [CG_M_ENTR] = {LOOPS_F(entr)}, [CG_M_DIGAMMA] = {LOOPS_F(digamma_loop)}, [CG_M_POLYGAMMA] = {LOOPS_F(polygamma_loop)},
    [CG_M_ZETA] = {LOOPS_F(zeta_loop)}, [CG_M_RSQRT] = {LOOPS_F(rsqrt)}, [CG_M_LOGIT] = {LOOPS_F(logit)},
    [CG_M_ROUND_DECIMALS] = {LOOPS_F(round_decimals)}, [CG_M_NAN_TO_NUM] = {LOOPS_ALL(nan_to_num)},
    [CG_M_DEG2RAD_MUL] = {LOOPS_F(deg2rad_mul)},
    [CG_M_FLOOR] = {LOOPS_FI(floor)}, [CG_M_CEIL] = {LOOPS_FI(ceil)}, [CG_M_TRUNC] = {LOOPS_FI(trunc)},
    [CG_M_ROUND] = {LOOPS_FI(round)},
    [CG_M_ISNAN] = {LOOPS_ALL(isnan)}, [CG_M_ISINF] = {LOOPS_ALL(isinf)}, [CG_M_ISPOSINF] = {LOOPS_ALL(isposinf)},
    [CG_M_ISNEGINF] = {LOOPS_ALL(isneginf)}, [CG_M_ISFINITE] = {LOOPS_ALL(isfinite)},
    [CG_M_SIGNBIT] = {LOOPS_ALL(signbit)}, [CG_M_LOGICAL_NOT] = {LOOPS_ALL(logical_not)},
    [CG_M_ATAN2] = {LOOPS_F(atan2)}, [CG_M_HYPOT] = {LOOPS_F(hypot)}, [CG_M_COPYSIGN] = {LOOPS_F(copysign)},
    [CG_M_NEXTAFTER] = {LOOPS_F(nextafter)}, [CG_M_XLOGY] = {LOOPS_F(xlogy)}, [CG_M_XLOG1PY] = {LOOPS_F(xlog1py)},
    [CG_M_LOGADDEXP] = {LOOPS_F(logaddexp)}, [CG_M_LOGADDEXP2] = {LOOPS_F(logaddexp2)},
    [CG_M_FMOD] = {LOOPS_FI(fmod)}, [CG_M_REMAINDER] = {LOOPS_FI(remainder)}, [CG_M_FMAX] = {LOOPS_ALL(fmax)},
    [CG_M_FMIN] = {LOOPS_ALL(fmin)}, [CG_M_DIV_TRUNC] = {LOOPS_FI(div_trunc)}, [CG_M_DIV_FLOOR] = {LOOPS_FI(div_floor)},
    [CG_M_HEAVISIDE] = {LOOPS_ALL(heaviside)},
    [CG_M_LOGICAL_AND] = {LOOPS_ALL(logical_and)}, [CG_M_LOGICAL_OR] = {LOOPS_ALL(logical_or)},
    [CG_M_LOGICAL_XOR] = {LOOPS_ALL(logical_xor)},
};

#endif
