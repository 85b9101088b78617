/* The binary math family: atan2, hypot, fmod, remainder, copysign, fmax/fmin, xlogy, xlog1py,
 * logaddexp(2), nextafter, heaviside, zeta, the logical ops and division with a rounding mode.
 * Operands broadcast and promote as PyTorch's TensorIterator does; each op is its dtype rule, its
 * kernel (backend/cpu/math.h) and PyTorch's backward formulas. */
#include "autograd/registry.h"
#include "backend/backend.h"
#include "ops/elementwise.h"

#include <string.h>

typedef enum {
    PROMOTES,     /* the promoted dtype, integers and bool included where the kernel has them */
    FLOAT_VALUED, /* integers and bool promote to float32 */
    GIVES_BOOL,   /* compared in the promoted dtype, bool result */
    SAME_DTYPES,  /* heaviside: the two dtypes must be equal */
} dtype_rule;

typedef struct {
    cg_math_op kernel;
    const cg_op *node;       /* NULL: not differentiable */
    dtype_rule rule;
    const char *kernel_name; /* PyTorch's name in "not implemented for" messages */
} binary_def;

static int result_dtype(const binary_def *d, const cg_tensor *a, const cg_tensor *b, cg_dtype *compute) {
    if (d->rule == SAME_DTYPES && a->dtype != b->dtype) {
        cg_set_error("heaviside is not yet implemented for tensors with different dtypes.");
        return -1;
    }
    cg_dtype dtype = cg_result_type(a, b);
    if (d->rule == FLOAT_VALUED) dtype = cg_float_type(dtype);
    if (!cg_math_has_loop(d->kernel, dtype)) {
        cg_set_error("\"%s\" not implemented for '%s'", d->kernel_name, cg_dtype_title(dtype));
        return -1;
    }
    *compute = dtype;
    return 0;
}

/* Integer division by zero, refused as PyTorch's integer kernels refuse it. */
static int check_divisor(cg_math_op op, cg_dtype dtype, const cg_tensor *b) {
    if (dtype != CG_INT64 || (op != CG_M_FMOD && op != CG_M_REMAINDER && op != CG_M_DIV_TRUNC && op != CG_M_DIV_FLOOR))
        return 0;
    cg_tensor *zero = NULL;
    CG_NO_GRAD { zero = cg_eq_scalar((cg_tensor *)b, 0); }
    if (!zero) return -1;
    for (int64_t i = 0; i < zero->numel; i++) {
        int status = 0;
        if (cg_read_element(zero, i, &status) != 0 && status == 0) {
            cg_set_error("ZeroDivisionError");
            return -1;
        }
    }
    return 0;
}

static cg_tensor *compute(const binary_def *d, cg_tensor *a, cg_tensor *b) {
    cg_dtype dtype;
    if (!a || !b || result_dtype(d, a, b, &dtype) < 0) return NULL;
    const cg_backend *be = CG_COMMON_BACKEND(a, b);
    if (!be) return NULL;
    int64_t shape[CG_MAX_DIMS];
    int ndim = cg_broadcast_shapes(a->ndim, a->sizes, b->ndim, b->sizes, shape);
    if (ndim < 0) return NULL;
    cg_tensor *ca = cg_as_dtype(a, dtype), *cb = cg_as_dtype(b, dtype);
    if (!ca || !cb || (cg_has_bytes(cb) && check_divisor(d->kernel, dtype, cb) < 0)) return NULL;
    cg_dtype out_dtype = cg_math_gives_bool(d->kernel) ? CG_BOOL : dtype;
    cg_tensor *out = ndim <= 1 || (cg_is_row_major(a) && cg_is_row_major(b))
                         ? cg_new_tensor_on(be, out_dtype, ndim, shape)
                         : CG_NEW_RESULT(out_dtype, ndim, shape, a, b);
    if (out) CG_KERNEL(out, math)(d->kernel, out, ca, cb, NULL);
    return out;
}

/* Records out = op(a, b) saving a in slot 0, b in slot 1 and out in slot 2 (what the backward
 * formulas read; PyTorch saves a subset of them). */
static cg_tensor *binary_op(const binary_def *d, cg_tensor *a, cg_tensor *b) {
    cg_tensor *out = compute(d, a, b);
    if (!out || !d->node || !cg_dtype_is_floating(out->dtype)) return out;
    cg_node *n = cg_record(d->node, out, CG_INPUTS(a, b));
    if (n) {
        cg_save(n, 0, a);
        cg_save(n, 1, b);
        if (d->kernel == CG_M_HYPOT || d->kernel == CG_M_COPYSIGN) cg_save(n, 2, out);
    }
    return cg_recorded(out);
}

#define BINARY(NAME, KERNEL, NODE, RULE, KNAME)                                           \
    static const binary_def def_##NAME = {KERNEL, NODE, RULE, KNAME};                     \
    cg_tensor *cg_##NAME(cg_tensor *a, cg_tensor *b) { return binary_op(&def_##NAME, a, b); }

BINARY(atan2, CG_M_ATAN2, &cg_op_atan2, FLOAT_VALUED, "atan2_cpu")
BINARY(hypot, CG_M_HYPOT, &cg_op_hypot, PROMOTES, "hypot_cpu")
BINARY(fmod, CG_M_FMOD, &cg_op_fmod, PROMOTES, "fmod_cpu")
BINARY(remainder, CG_M_REMAINDER, &cg_op_remainder, PROMOTES, "remainder_cpu")
BINARY(copysign, CG_M_COPYSIGN, &cg_op_copysign, FLOAT_VALUED, "copysign_cpu")
BINARY(fmax, CG_M_FMAX, &cg_op_fmax, PROMOTES, "fmax_cpu")
BINARY(fmin, CG_M_FMIN, &cg_op_fmin, PROMOTES, "fmin_cpu")
BINARY(xlogy, CG_M_XLOGY, &cg_op_xlogy, FLOAT_VALUED, "xlogy_cpu")
BINARY(special_xlog1py, CG_M_XLOG1PY, &cg_op_xlog1py, FLOAT_VALUED, "xlog1py_cpu")
BINARY(logaddexp, CG_M_LOGADDEXP, &cg_op_logaddexp, PROMOTES, "logaddexp_cpu")
BINARY(logaddexp2, CG_M_LOGADDEXP2, &cg_op_logaddexp2, PROMOTES, "logaddexp2_cpu")
BINARY(nextafter, CG_M_NEXTAFTER, NULL, PROMOTES, "nextafter_cpu")
BINARY(heaviside, CG_M_HEAVISIDE, NULL, SAME_DTYPES, "heaviside_cpu")
BINARY(special_zeta, CG_M_ZETA, NULL, FLOAT_VALUED, "zeta_cpu")
BINARY(logical_and, CG_M_LOGICAL_AND, NULL, GIVES_BOOL, "logical_and_cpu")
BINARY(logical_or, CG_M_LOGICAL_OR, NULL, GIVES_BOOL, "logical_or_cpu")
BINARY(logical_xor, CG_M_LOGICAL_XOR, NULL, GIVES_BOOL, "logical_xor_cpu")
BINARY(floor_divide, CG_M_DIV_FLOOR, NULL, PROMOTES, "div_floor_cpu")

static const binary_def def_div_trunc = {CG_M_DIV_TRUNC, &cg_op_div_mode, PROMOTES, "div_trunc_cpu"};
static const binary_def def_div_floor = {CG_M_DIV_FLOOR, &cg_op_div_mode, PROMOTES, "div_floor_cpu"};

cg_tensor *cg_div_mode(cg_tensor *a, cg_tensor *b, const char *rounding_mode) {
    if (!rounding_mode) return cg_div(a, b);
    if (!strcmp(rounding_mode, "trunc")) return binary_op(&def_div_trunc, a, b);
    if (!strcmp(rounding_mode, "floor")) return binary_op(&def_div_floor, a, b);
    cg_set_error("div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '%s'", rounding_mode);
    return NULL;
}

/* ---- backward formulas ---- */

#define A(n) cg_saved(n, 0)
#define B(n) cg_saved(n, 1)
#define G grads[0]

/* d/da = b / (a^2 + b^2), d/db = -a / (a^2 + b^2) */
void cg_backward_atan2(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *a = A(n), *b = B(n);
    cg_tensor *r = cg_rdiv_scalar(cg_add(cg_mul(a, a), cg_mul(b, b)), 1);
    if (cg_needs_grad(n, 0)) out[0] = cg_mul(G, cg_mul(b, r));
    if (cg_needs_grad(n, 1)) out[1] = cg_mul(G, cg_mul(cg_neg(a), r));
}
void cg_backward_hypot(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *y = cg_saved(n, 2);
    if (cg_needs_grad(n, 0)) out[0] = cg_div(cg_mul(G, A(n)), y);
    if (cg_needs_grad(n, 1)) out[1] = cg_div(cg_mul(G, B(n)), y);
}
void cg_backward_fmod(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    if (cg_needs_grad(n, 0)) out[0] = G;
    if (cg_needs_grad(n, 1)) out[1] = cg_mul(cg_neg(G), cg_div_mode(A(n), B(n), "trunc"));
}
void cg_backward_remainder(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    if (cg_needs_grad(n, 0)) out[0] = G;
    if (cg_needs_grad(n, 1)) out[1] = cg_mul(cg_neg(G), cg_div_mode(A(n), B(n), "floor"));
}
/* d/da = result / a (0 where a is 0), d/db = 0 */
void cg_backward_copysign(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    if (cg_needs_grad(n, 0)) {
        cg_tensor *a = A(n), *ratio = cg_div(cg_saved(n, 2), a);
        out[0] = cg_mul(G, cg_where(cg_eq_scalar(a, 0), cg_zero_for(ratio), ratio));
    }
    if (cg_needs_grad(n, 1)) out[1] = cg_zeros_like(B(n));
}
/* the gradient goes to the side fmax/fmin took: a where a wins or b is NaN, else b */
static void backward_fmax_fmin(cg_node *n, cg_tensor **grads, cg_tensor **out, bool max) {
    cg_tensor *a = A(n), *b = B(n);
    cg_tensor *to_a = cg_logical_or(max ? cg_ge(a, b) : cg_le(a, b), cg_isnan(b));
    cg_tensor *zero = cg_zero_for(G);
    if (cg_needs_grad(n, 0)) out[0] = cg_where(to_a, G, zero);
    if (cg_needs_grad(n, 1)) out[1] = cg_where(to_a, zero, G);
}
void cg_backward_fmax(cg_node *n, cg_tensor **grads, cg_tensor **out) { backward_fmax_fmin(n, grads, out, true); }
void cg_backward_fmin(cg_node *n, cg_tensor **grads, cg_tensor **out) { backward_fmax_fmin(n, grads, out, false); }
/* d/da = xlogy(a != 0, b), d/db = a / b */
void cg_backward_xlogy(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    if (cg_needs_grad(n, 0)) out[0] = cg_mul(G, cg_xlogy(cg_ne_scalar(A(n), 0), B(n)));
    if (cg_needs_grad(n, 1)) out[1] = cg_div(cg_mul(G, A(n)), B(n));
}
/* d/da = xlog1py(a != 0, b), d/db = a / (b + 1) */
void cg_backward_xlog1py(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    if (cg_needs_grad(n, 0)) out[0] = cg_mul(G, cg_special_xlog1py(cg_ne_scalar(A(n), 0), B(n)));
    if (cg_needs_grad(n, 1)) out[1] = cg_div(cg_mul(G, A(n)), cg_add_scalar(B(n), 1));
}
/* d/da = 1 / (1 + e^(b - a)) */
void cg_backward_logaddexp(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *a = A(n), *b = B(n);
    if (cg_needs_grad(n, 0)) out[0] = cg_div(G, cg_add_scalar(cg_exp(cg_sub(b, a)), 1));
    if (cg_needs_grad(n, 1)) out[1] = cg_div(G, cg_add_scalar(cg_exp(cg_sub(a, b)), 1));
}
/* d/da = 1 / (1 + 2^(b - a)) */
void cg_backward_logaddexp2(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *a = A(n), *b = B(n);
    if (cg_needs_grad(n, 0)) out[0] = cg_div(G, cg_add_scalar(cg_rpow_scalar(cg_sub(b, a), 2), 1));
    if (cg_needs_grad(n, 1)) out[1] = cg_div(G, cg_add_scalar(cg_rpow_scalar(cg_sub(a, b), 2), 1));
}
/* division with a rounding mode is piecewise constant */
void cg_backward_div_mode(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    if (cg_needs_grad(n, 0)) out[0] = cg_zeros_like(G);
    if (cg_needs_grad(n, 1)) out[1] = cg_zeros_like(B(n));
}
