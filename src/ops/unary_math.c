/* The unary math family: inverse trigonometric and hyperbolic functions, erfc, expm1, exp2, log2,
 * log10, lgamma, sinc, logit, rsqrt, the roundings, frac, nan_to_num, deg2rad/rad2deg, the
 * predicates (isnan, ...) and their in-place forms. Each op is one row of PyTorch's dtype rule,
 * its kernel (backend/cpu/math.h) and what its node saves; the backward formulas are PyTorch's
 * derivatives.yaml ones, written with differentiable ops so that they differentiate again. */
#include "autograd/registry.h"
#include "backend/backend.h"
#include "ops/elementwise.h"

#include <math.h>

#define M_LN2_ 0.69314718055994530942
#define M_LN10_ 2.30258509299404568402
#define M_PI_180_ 0.017453292519943295769236907684886127134428718885417
#define M_180_PI_ 57.295779513082320876798154814105170332405472466564
#define M_2_SQRTPI_ 1.12837916709551257390

typedef enum {
    FLOAT_VALUED,   /* integers and bool compute in float32 */
    KEEPS_INTEGERS, /* int64 gives a copy, bool is refused (floor, ...) */
    FLOATS_ONLY,    /* integers and bool are refused (frac, round with decimals) */
    ANY_DTYPE,      /* every dtype keeps its own (nan_to_num) */
    GIVES_BOOL,     /* any dtype, bool result (isnan, ...) */
} dtype_rule;

typedef enum { SAVES_NOTHING, SAVES_INPUT, SAVES_RESULT } saves;

typedef struct {
    cg_math_op kernel;
    const cg_op *node;        /* NULL: no gradient (bool results) */
    dtype_rule rule;
    saves save;
    const char *kernel_name;  /* PyTorch's name in "not implemented for" messages */
    cg_tensor *(*forward)(cg_tensor *t, const double *p); /* the op itself, to recompute through a view */
} unary_def;

/* The result dtype of d on t, or -1 with PyTorch's error. */
static int result_dtype(const unary_def *d, const cg_tensor *t, cg_dtype *compute) {
    bool floating = cg_dtype_is_floating(t->dtype);
    if ((d->rule == KEEPS_INTEGERS && t->dtype == CG_BOOL) || (d->rule == FLOATS_ONLY && !floating)) {
        cg_set_error("\"%s\" not implemented for '%s'", d->kernel_name, cg_dtype_title(t->dtype));
        return -1;
    }
    *compute = d->rule == FLOAT_VALUED ? cg_float_type(t->dtype) : t->dtype;
    return 0;
}

/* d's kernel on t into a new tensor laid out as PyTorch's TensorIterator lays it out. */
static cg_tensor *compute(const unary_def *d, cg_tensor *t, const double *p) {
    cg_dtype dtype;
    if (!t || result_dtype(d, t, &dtype) < 0) return NULL;
    cg_dtype out_dtype = d->rule == GIVES_BOOL ? CG_BOOL : dtype;
    cg_tensor *ct = cg_as_dtype(t, dtype);
    cg_tensor *out = !ct ? NULL
                     : t->ndim <= 1 || cg_is_row_major(t) ? cg_new_on(t, out_dtype, t->ndim, t->sizes)
                                                          : CG_NEW_RESULT(out_dtype, t->ndim, t->sizes, t);
    if (out) CG_KERNEL(out, math)(d->kernel, out, ct, NULL, p);
    return out;
}

/* The node's numbers: p[0..2] in scalars[0..2]. */
static void set_numbers(cg_node *n, const double *p) {
    for (int i = 0; p && i < 3; i++) n->scalars[i] = p[i];
}

static cg_tensor *unary_op(const unary_def *d, cg_tensor *t, const double *p) {
    cg_tensor *out = compute(d, t, p);
    if (!out || !d->node) return out;
    cg_node *n = cg_record(d->node, out, CG_INPUTS(t));
    if (n) {
        set_numbers(n, p);
        if (d->save != SAVES_NOTHING) cg_save(n, 0, d->save == SAVES_INPUT ? t : out);
    }
    return cg_recorded(out);
}

/* t = op(t), as PyTorch's x.op_(): the result dtype must cast to t's; every check runs before the
 * write, so a failing call leaves t and its version as they were. */
static int unary_op_(const unary_def *d, cg_tensor *t, const double *p) {
    cg_dtype dtype;
    if (!t || cg_check_inplace(t, CG_INPUTS(t)) < 0 || result_dtype(d, t, &dtype) < 0) return -1;
    if (cg_check_no_internal_overlap(t) < 0) return -1;
    if (dtype != t->dtype) {
        cg_set_error("result type %s can't be cast to the desired output type %s", cg_dtype_title(dtype),
                     cg_dtype_title(t->dtype));
        return -1;
    }
    bool grad = d->node && cg_requires_grad(t) && cg_is_grad_enabled();
    bool via_view = grad && d->save == SAVES_RESULT && cg_inplace_through_view(t, true);
    cg_tensor *old = NULL;
    if (grad && (d->save == SAVES_INPUT || via_view) && !(old = cg_clone(t))) return -1;
    CG_KERNEL(t, math)(d->kernel, t, t, NULL, p); /* element for element: in place is safe */
    cg_bump_version(t);
    if (!d->node) return 0;
    cg_node *n = cg_record_inplace(d->node, t, CG_INPUTS(t));
    if (n) {
        set_numbers(n, p);
        if (d->save == SAVES_INPUT) cg_save(n, 0, old);
        if (d->save == SAVES_RESULT) cg_save_inplace_result(n, 0, t, via_view ? d->forward(old, p) : NULL);
    }
    return cg_recorded_status();
}

/* One op: its definition, cg_NAME(t) and cg_NAME_(t). */
#define UNARY(NAME, KERNEL, NODE, RULE, SAVE, KNAME)                                                   \
    static cg_tensor *forward_##NAME(cg_tensor *t, const double *p);                                  \
    static const unary_def def_##NAME = {KERNEL, NODE, RULE, SAVE, KNAME, forward_##NAME};             \
    static cg_tensor *forward_##NAME(cg_tensor *t, const double *p) { return unary_op(&def_##NAME, t, p); }
#define PLAIN(NAME)                                                                                    \
    cg_tensor *cg_##NAME(cg_tensor *t) { return unary_op(&def_##NAME, t, NULL); }                      \
    int cg_##NAME##_(cg_tensor *t) { return unary_op_(&def_##NAME, t, NULL); }

UNARY(acos, CG_M_ACOS, &cg_op_acos, FLOAT_VALUED, SAVES_INPUT, "acos") PLAIN(acos)
UNARY(asin, CG_M_ASIN, &cg_op_asin, FLOAT_VALUED, SAVES_INPUT, "asin") PLAIN(asin)
UNARY(atan, CG_M_ATAN, &cg_op_atan, FLOAT_VALUED, SAVES_INPUT, "atan") PLAIN(atan)
UNARY(sinh, CG_M_SINH, &cg_op_sinh, FLOAT_VALUED, SAVES_INPUT, "sinh") PLAIN(sinh)
UNARY(cosh, CG_M_COSH, &cg_op_cosh, FLOAT_VALUED, SAVES_INPUT, "cosh") PLAIN(cosh)
UNARY(acosh, CG_M_ACOSH, &cg_op_acosh, FLOAT_VALUED, SAVES_INPUT, "acosh") PLAIN(acosh)
UNARY(asinh, CG_M_ASINH, &cg_op_asinh, FLOAT_VALUED, SAVES_INPUT, "asinh") PLAIN(asinh)
UNARY(atanh, CG_M_ATANH, &cg_op_atanh, FLOAT_VALUED, SAVES_INPUT, "atanh") PLAIN(atanh)
UNARY(erfc, CG_M_ERFC, &cg_op_erfc, FLOAT_VALUED, SAVES_INPUT, "erfc") PLAIN(erfc)
UNARY(expm1, CG_M_EXPM1, &cg_op_expm1, FLOAT_VALUED, SAVES_RESULT, "expm1") PLAIN(expm1)
UNARY(exp2, CG_M_EXP2, &cg_op_exp2, FLOAT_VALUED, SAVES_RESULT, "exp2") PLAIN(exp2)
UNARY(log2, CG_M_LOG2, &cg_op_log2, FLOAT_VALUED, SAVES_INPUT, "log2") PLAIN(log2)
UNARY(log10, CG_M_LOG10, &cg_op_log10, FLOAT_VALUED, SAVES_INPUT, "log10") PLAIN(log10)
UNARY(lgamma, CG_M_LGAMMA, &cg_op_lgamma, FLOAT_VALUED, SAVES_INPUT, "lgamma") PLAIN(lgamma)
UNARY(sinc, CG_M_SINC, &cg_op_sinc, FLOAT_VALUED, SAVES_INPUT, "sinc") PLAIN(sinc)
UNARY(rsqrt, CG_M_RSQRT, &cg_op_rsqrt, FLOAT_VALUED, SAVES_RESULT, "rsqrt") PLAIN(rsqrt)
UNARY(entr, CG_M_ENTR, &cg_op_entr, FLOAT_VALUED, SAVES_INPUT, "entr")
UNARY(frac, CG_M_FRAC, &cg_op_frac, FLOATS_ONLY, SAVES_NOTHING, "frac_cpu") PLAIN(frac)
UNARY(floor, CG_M_FLOOR, &cg_op_floor, KEEPS_INTEGERS, SAVES_NOTHING, "floor_vml_cpu") PLAIN(floor)
UNARY(ceil, CG_M_CEIL, &cg_op_ceil, KEEPS_INTEGERS, SAVES_NOTHING, "ceil_vml_cpu") PLAIN(ceil)
UNARY(trunc, CG_M_TRUNC, &cg_op_trunc, KEEPS_INTEGERS, SAVES_NOTHING, "trunc_vml_cpu") PLAIN(trunc)
UNARY(round, CG_M_ROUND, &cg_op_round, KEEPS_INTEGERS, SAVES_NOTHING, "round_vml_cpu") PLAIN(round)
UNARY(round_decimals, CG_M_ROUND_DECIMALS, &cg_op_round_decimals, FLOATS_ONLY, SAVES_NOTHING, "round_cpu")
UNARY(logit, CG_M_LOGIT, &cg_op_logit, FLOAT_VALUED, SAVES_INPUT, "logit")
UNARY(nan_to_num, CG_M_NAN_TO_NUM, &cg_op_nan_to_num, ANY_DTYPE, SAVES_INPUT, "nan_to_num")
UNARY(deg2rad, CG_M_DEG2RAD_MUL, &cg_op_deg2rad, FLOAT_VALUED, SAVES_NOTHING, "deg2rad")
UNARY(rad2deg, CG_M_DEG2RAD_MUL, &cg_op_rad2deg, FLOAT_VALUED, SAVES_NOTHING, "rad2deg")
UNARY(isnan, CG_M_ISNAN, NULL, GIVES_BOOL, SAVES_NOTHING, "isnan")
UNARY(isinf, CG_M_ISINF, NULL, GIVES_BOOL, SAVES_NOTHING, "isinf")
UNARY(isposinf, CG_M_ISPOSINF, NULL, GIVES_BOOL, SAVES_NOTHING, "isposinf")
UNARY(isneginf, CG_M_ISNEGINF, NULL, GIVES_BOOL, SAVES_NOTHING, "isneginf")
UNARY(isfinite, CG_M_ISFINITE, NULL, GIVES_BOOL, SAVES_NOTHING, "isfinite")
UNARY(signbit, CG_M_SIGNBIT, NULL, GIVES_BOOL, SAVES_NOTHING, "signbit_cpu")
UNARY(logical_not, CG_M_LOGICAL_NOT, NULL, GIVES_BOOL, SAVES_NOTHING, "logical_not_cpu")

#define PREDICATE(NAME) \
    cg_tensor *cg_##NAME(cg_tensor *t) { return unary_op(&def_##NAME, t, NULL); }
PREDICATE(isnan) PREDICATE(isinf) PREDICATE(isposinf) PREDICATE(isneginf) PREDICATE(isfinite)
PREDICATE(signbit) PREDICATE(logical_not)

/* Real tensors are real everywhere. */
cg_tensor *cg_isreal(cg_tensor *t) { return t ? cg_full_on(cg_backend_of(t), CG_BOOL, t->ndim, t->sizes, cg_number_bool(true)) : NULL; }

cg_tensor *cg_special_entr(cg_tensor *t) { return unary_op(&def_entr, t, NULL); }

cg_tensor *cg_round_decimals(cg_tensor *t, int64_t decimals) {
    if (decimals == 0) return cg_round(t);
    return unary_op(&def_round_decimals, t, (const double[]){(double)decimals, 0, 0});
}
int cg_round_decimals_(cg_tensor *t, int64_t decimals) {
    if (decimals == 0) return cg_round_(t);
    return unary_op_(&def_round_decimals, t, (const double[]){(double)decimals, 0, 0});
}

/* eps < 0 is PyTorch's None (no clamp). */
cg_tensor *cg_logit(cg_tensor *t, double eps) { return unary_op(&def_logit, t, (const double[]){eps, 0, 0}); }
int cg_logit_(cg_tensor *t, double eps) { return unary_op_(&def_logit, t, (const double[]){eps, 0, 0}); }

/* The replacements of NaN, +inf and -inf; a missing one is 0, the dtype's largest, its lowest. */
static void nan_to_num_numbers(const cg_tensor *t, cg_number nan, cg_number posinf, cg_number neginf, double *p) {
    double big = t && t->dtype == CG_FLOAT32 ? 3.4028234663852886e38 : 1.7976931348623157e308;
    p[0] = nan.kind == CG_NUMBER_NONE ? 0 : nan.f;
    p[1] = posinf.kind == CG_NUMBER_NONE ? big : posinf.f;
    p[2] = neginf.kind == CG_NUMBER_NONE ? -big : neginf.f;
    /* beyond float32's range the replacement rounds to an infinity, as static_cast<float> does */
    for (int i = 0; t && t->dtype == CG_FLOAT32 && i < 3; i++)
        if (fabs(p[i]) > 3.4028235677973366e38) p[i] = p[i] > 0 ? INFINITY : -INFINITY;
}
cg_tensor *cg_nan_to_num(cg_tensor *t, cg_number nan, cg_number posinf, cg_number neginf) {
    double p[3];
    nan_to_num_numbers(t, nan, posinf, neginf, p);
    return unary_op(&def_nan_to_num, t, p);
}
int cg_nan_to_num_(cg_tensor *t, cg_number nan, cg_number posinf, cg_number neginf) {
    double p[3];
    nan_to_num_numbers(t, nan, posinf, neginf, p);
    return unary_op_(&def_nan_to_num, t, p);
}

cg_tensor *cg_deg2rad(cg_tensor *t) { return unary_op(&def_deg2rad, t, (const double[]){M_PI_180_, 0, 0}); }
int cg_deg2rad_(cg_tensor *t) { return unary_op_(&def_deg2rad, t, (const double[]){M_PI_180_, 0, 0}); }
cg_tensor *cg_rad2deg(cg_tensor *t) { return unary_op(&def_rad2deg, t, (const double[]){M_180_PI_, 0, 0}); }
int cg_rad2deg_(cg_tensor *t) { return unary_op_(&def_rad2deg, t, (const double[]){M_180_PI_, 0, 0}); }

/* torch.square is pow(t, 2) (PowBackward0; bool squares to int64). */
cg_tensor *cg_square(cg_tensor *t) {
    if (t && t->dtype == CG_BOOL) {
        cg_tensor *i = NULL;
        CG_NO_GRAD { i = cg_to(t, CG_INT64); }
        return cg_pow_scalar(i, 2);
    }
    return cg_pow_scalar(t, 2);
}
int cg_square_(cg_tensor *t) { return cg_pow_scalar_(t, 2); }

/* torch.positive: t itself; bool refused. */
cg_tensor *cg_positive(cg_tensor *t) {
    if (!t) return NULL;
    if (t->dtype == CG_BOOL) {
        cg_set_error("The `+` operator, on a bool tensor is not supported.");
        return NULL;
    }
    return cg_scope_retain(t);
}

/* On real dtypes these are t itself (PyTorch returns self): torch.conj, conj_physical, resolve_conj,
 * resolve_neg and real. */
cg_tensor *cg_conj(cg_tensor *t) { return t ? cg_scope_retain(t) : NULL; }
cg_tensor *cg_conj_physical(cg_tensor *t) { return cg_conj(t); }
cg_tensor *cg_resolve_conj(cg_tensor *t) { return cg_conj(t); }
cg_tensor *cg_resolve_neg(cg_tensor *t) { return cg_conj(t); }
cg_tensor *cg_real(cg_tensor *t) { return cg_conj(t); }

/* ---- backward formulas ---- */

#define X(n) cg_saved(n, 0)
#define G grads[0]

static cg_tensor *one_minus_square(cg_tensor *x) { return cg_rsub_scalar(cg_mul(x, x), 1); }

void cg_backward_acos(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    out[0] = cg_mul(G, cg_neg(cg_rsqrt(one_minus_square(X(n)))));
}
void cg_backward_asin(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    out[0] = cg_mul(G, cg_rsqrt(one_minus_square(X(n))));
}
void cg_backward_atan(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *x = X(n);
    out[0] = cg_div(G, cg_add_scalar(cg_mul(x, x), 1));
}
void cg_backward_sinh(cg_node *n, cg_tensor **grads, cg_tensor **out) { out[0] = cg_mul(G, cg_cosh(X(n))); }
void cg_backward_cosh(cg_node *n, cg_tensor **grads, cg_tensor **out) { out[0] = cg_mul(G, cg_sinh(X(n))); }
void cg_backward_acosh(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    out[0] = cg_mul(G, cg_rsqrt(cg_sub_scalar(cg_pow_scalar(X(n), 2), 1)));
}
void cg_backward_asinh(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    out[0] = cg_mul(G, cg_rsqrt(cg_add_scalar(cg_pow_scalar(X(n), 2), 1)));
}
void cg_backward_atanh(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    out[0] = cg_div(G, cg_rsub_scalar(cg_pow_scalar(X(n), 2), 1));
}
/* d erfc(x) = -2 / sqrt(pi) e^(-x^2) */
void cg_backward_erfc(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *x = X(n);
    out[0] = cg_mul(cg_mul_scalar(cg_exp(cg_neg(cg_pow_scalar(x, 2))), -M_2_SQRTPI_), G);
}
void cg_backward_expm1(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    out[0] = cg_mul(G, cg_add_scalar(X(n), 1));
}
void cg_backward_exp2(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    out[0] = cg_mul_scalar(cg_mul(G, X(n)), M_LN2_);
}
void cg_backward_log2(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    out[0] = cg_div(G, cg_mul_scalar(X(n), M_LN2_));
}
void cg_backward_log10(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    out[0] = cg_div(G, cg_mul_scalar(X(n), M_LN10_));
}
void cg_backward_lgamma(cg_node *n, cg_tensor **grads, cg_tensor **out) { out[0] = cg_mul(G, cg_digamma(X(n))); }
/* (pi x cos(pi x) - sin(pi x)) / (pi x^2), 0 at 0 */
void cg_backward_sinc(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *x = X(n), *pix = cg_mul_scalar(x, 3.14159265358979323846);
    cg_tensor *d = cg_div(cg_sub(cg_mul(pix, cg_cos(pix)), cg_sin(pix)), cg_mul(pix, x));
    out[0] = cg_mul(cg_where(cg_eq_scalar(x, 0), cg_zero_for(d), d), G);
}
/* -grad y^3 / 2 */
void cg_backward_rsqrt(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    out[0] = cg_mul(cg_mul_scalar(G, -0.5), cg_pow_scalar(X(n), 3));
}
void cg_backward_entr(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    out[0] = cg_mul(G, cg_neg(cg_add_scalar(cg_log(X(n)), 1)));
}
void cg_backward_frac(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    (void)n;
    out[0] = G;
}
/* the roundings are piecewise constant: zeros */
void cg_backward_floor(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    (void)n;
    out[0] = cg_zeros_like(G);
}
void cg_backward_ceil(cg_node *n, cg_tensor **grads, cg_tensor **out) { cg_backward_floor(n, grads, out); }
void cg_backward_trunc(cg_node *n, cg_tensor **grads, cg_tensor **out) { cg_backward_floor(n, grads, out); }
void cg_backward_round(cg_node *n, cg_tensor **grads, cg_tensor **out) { cg_backward_floor(n, grads, out); }
void cg_backward_round_decimals(cg_node *n, cg_tensor **grads, cg_tensor **out) { cg_backward_floor(n, grads, out); }
/* grad / (x (1 - x)), 0 outside [eps, 1 - eps] when eps is given */
void cg_backward_logit(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *x = X(n);
    double eps = n->scalars[0];
    cg_tensor *d = cg_div(G, cg_mul(x, cg_rsub_scalar(x, 1)));
    if (eps >= 0) {
        cg_tensor *outside = cg_logical_or(cg_lt_scalar(x, eps), cg_gt_scalar(x, 1 - eps));
        d = cg_where(outside, cg_zero_for(d), d);
    }
    out[0] = d;
}
void cg_backward_nan_to_num(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    out[0] = cg_mul(G, cg_isfinite(X(n)));
}
void cg_backward_deg2rad(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    (void)n;
    out[0] = cg_mul_scalar(G, M_PI_180_);
}
void cg_backward_rad2deg(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    (void)n;
    out[0] = cg_mul_scalar(G, M_180_PI_);
}

/* ---- digamma and polygamma ---- */

UNARY(digamma, CG_M_DIGAMMA, &cg_op_digamma, FLOAT_VALUED, SAVES_INPUT, "digamma") PLAIN(digamma)
UNARY(polygamma, CG_M_POLYGAMMA, &cg_op_polygamma, FLOAT_VALUED, SAVES_INPUT, "polygamma")

cg_tensor *cg_polygamma(int64_t n, cg_tensor *t) {
    if (!t) return NULL;
    if (n < 0) {
        cg_set_error("polygamma(n, x) does not support negative n.");
        return NULL;
    }
    return unary_op(&def_polygamma, t, (const double[]){(double)n, 0, 0});
}
int cg_polygamma_(cg_tensor *t, int64_t n) {
    if (!t) return -1;
    if (n < 0) {
        cg_set_error("polygamma(n, x) does not support negative n.");
        return -1;
    }
    return unary_op_(&def_polygamma, t, (const double[]){(double)n, 0, 0});
}

void cg_backward_digamma(cg_node *n, cg_tensor **grads, cg_tensor **out) { out[0] = cg_mul(G, cg_polygamma(1, X(n))); }
void cg_backward_polygamma(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    out[0] = cg_mul(G, cg_polygamma((int64_t)n->scalars[0] + 1, X(n)));
}
