/* Binary arithmetic, its Python-number forms, comparisons and where (clamp is in clamp.c).
 * Each op picks the result dtype by PyTorch's promotion rules and hands the work to a kernel. */
#include "autograd/registry.h"
#include "backend/backend.h"
#include "ops/elementwise.h"

#include <math.h>

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

cg_dtype cg_number_dtype(cg_number value) {
    return value.kind == CG_NUMBER_BOOL ? CG_BOOL : value.kind == CG_NUMBER_INT ? CG_INT64 : CG_FLOAT64;
}

void cg_node_set_number(cg_node *n, int slot, cg_number value) {
    if (!n) return;
    n->args[2 * slot] = value.kind;
    n->args[2 * slot + 1] = value.i;
    n->scalars[slot] = value.f;
}

cg_number cg_node_number(const cg_node *n, int slot) {
    cg_number value = {(cg_number_kind)n->args[2 * slot], false, n->args[2 * slot + 1], n->scalars[slot]};
    return value;
}

static cg_dtype output_dtype(cg_binary_op op, cg_dtype compute) {
    return cg_binary_is_comparison(op) ? CG_BOOL : compute;
}

/* cg_same_shape, spelled out: on this hot path the generic helper compiles to a slower branch
 * layout (about 1.5 ns of bench/ops' 35 ns add). */
static bool same_sizes(const cg_tensor *a, const cg_tensor *b) {
    if (a->ndim != b->ndim) return false;
    for (int d = 0; d < a->ndim; d++)
        if (a->sizes[d] != b->sizes[d]) return false;
    return true;
}

static __attribute__((noinline)) cg_tensor *binary_general(cg_binary_op op, cg_tensor *a, cg_tensor *b,
                                                           cg_dtype compute) {
    const cg_backend *be = CG_COMMON_BACKEND(a, b);
    if (!be) return NULL;
    int64_t shape[CG_MAX_DIMS];
    const int64_t *sizes = a->sizes; /* the common case needs no broadcasting */
    int ndim = a->ndim;
    if (!same_sizes(a, b)) {
        ndim = cg_broadcast_shapes(a->ndim, a->sizes, b->ndim, b->sizes, shape);
        if (ndim < 0) return NULL;
        sizes = shape;
    }
    cg_tensor *ca = cg_as_dtype(a, compute), *cb = cg_as_dtype(b, compute);
    if (!ca || !cb) return NULL;
    cg_dtype dtype = output_dtype(op, compute);
    /* a result of at most one dim is always row-major; so is one of row-major operands */
    cg_tensor *out = ndim <= 1 || (cg_is_row_major(a) && cg_is_row_major(b)) ? cg_new_tensor_on(be, dtype, ndim, sizes)
                                                                             : CG_NEW_RESULT(dtype, ndim, sizes, a, b);
    if (out) CG_KERNEL(out, binary)(op, out, ca, cb);
    return out;
}

cg_tensor *cg_binary_in(cg_binary_op op, cg_tensor *a, cg_tensor *b, cg_dtype compute) {
    /* The common case without a large frame: operands of one shape and the compute dtype, and a
     * row-major result. */
    if (a->dtype == compute && b->dtype == compute && a->storage->backend == b->storage->backend && same_sizes(a, b) &&
        (a->ndim <= 1 || (cg_is_row_major(a) && cg_is_row_major(b)))) {
        cg_tensor *out = cg_new_on(a, output_dtype(op, compute), a->ndim, a->sizes);
        if (out) CG_KERNEL(out, binary)(op, out, a, b);
        return out;
    }
    return binary_general(op, a, b, compute);
}

cg_tensor *cg_binary_scalar_in(cg_binary_op op, cg_tensor *a, cg_number s, bool scalar_first, cg_dtype compute) {
    cg_tensor *ca = cg_as_dtype(a, compute);
    if (!ca) return NULL;
    cg_scalar_box box;
    const cg_tensor *cs = cg_box_number(&box, s, compute);
    /* PyTorch's tensor ** number is a unary op; the others see the number as a 0-dim operand,
     * which changes how the result of an empty or size-1-dim tensor is laid out. */
    cg_tensor *out = op == CG_BIN_POW && !scalar_first ? CG_NEW_RESULT(output_dtype(op, compute), a->ndim, a->sizes, a)
                                                       : CG_NEW_RESULT(output_dtype(op, compute), a->ndim, a->sizes, a, cs);
    if (out) CG_KERNEL(out, binary)(op, out, scalar_first ? cs : ca, scalar_first ? ca : cs);
    return out;
}

/* ---- tensor op tensor ---- */

/* The node for out = op(a, b), or NULL when nothing is recorded (or out is NULL). Each op then
 * saves only what the gradients it must compute need, as PyTorch does: a tensor that is not saved
 * may be modified in place before backward without an error. */
static cg_node *record2(const cg_op *op, cg_tensor *out, cg_tensor *a, cg_tensor *b) {
    return out ? cg_record(op, out, CG_INPUTS(a, b)) : NULL;
}

cg_tensor *cg_add(cg_tensor *a, cg_tensor *b) {
    if (!a || !b) return NULL;
    cg_tensor *out = cg_binary_in(CG_BIN_ADD, a, b, cg_result_type(a, b));
    record2(&cg_op_add, out, a, b);
    return cg_recorded(out);
}

void cg_backward_add(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    (void)n;
    out[0] = out[1] = grads[0];
}

cg_tensor *cg_sub(cg_tensor *a, cg_tensor *b) {
    if (!a || !b || cg_check_sub_dtypes(a->dtype, b->dtype, true) < 0) return NULL;
    cg_tensor *out = cg_binary_in(CG_BIN_SUB, a, b, cg_result_type(a, b));
    record2(&cg_op_sub, out, a, b);
    return cg_recorded(out);
}

void cg_backward_sub(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    out[0] = grads[0];
    if (cg_needs_grad(n, 1)) out[1] = cg_neg(grads[0]);
}

/* Saved slots of mul and div (their in-place forms save the same): 0 self, 1 other. */
void cg_save_mul_inputs(cg_node *n, cg_tensor *self, cg_tensor *other) {
    if (!n) return;
    if (cg_needs_grad(n, 1)) cg_save(n, 0, self);
    if (cg_needs_grad(n, 0)) cg_save(n, 1, other);
}

cg_tensor *cg_mul(cg_tensor *a, cg_tensor *b) {
    if (!a || !b) return NULL;
    cg_tensor *out = cg_binary_in(CG_BIN_MUL, a, b, cg_result_type(a, b));
    cg_save_mul_inputs(record2(&cg_op_mul, out, a, b), a, b);
    return cg_recorded(out);
}

void cg_backward_mul(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    if (cg_needs_grad(n, 0)) out[0] = cg_mul(grads[0], cg_saved(n, 1));
    if (cg_needs_grad(n, 1)) out[1] = cg_mul(grads[0], cg_saved(n, 0));
}

void cg_save_div_inputs(cg_node *n, cg_tensor *self, cg_tensor *other) {
    if (!n) return;
    if (cg_needs_grad(n, 1)) cg_save(n, 0, self);
    cg_save(n, 1, other);
}

cg_tensor *cg_div(cg_tensor *a, cg_tensor *b) {
    if (!a || !b) return NULL;
    cg_tensor *out = cg_binary_in(CG_BIN_DIV, a, b, cg_float_type(cg_result_type(a, b)));
    cg_save_div_inputs(record2(&cg_op_div, out, a, b), a, b);
    return cg_recorded(out);
}

/* d(a/b) = g/b da - g (a/b)/b db (PyTorch's order of rounding) */
void cg_backward_div(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *b = cg_saved(n, 1);
    if (cg_needs_grad(n, 0)) out[0] = cg_div(grads[0], b);
    if (cg_needs_grad(n, 1)) out[1] = cg_mul(cg_neg(grads[0]), cg_div(cg_div(cg_saved(n, 0), b), b));
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
    cg_tensor *out = cg_binary_in(CG_BIN_POW, a, b, compute);
    cg_node *n = record2(&cg_op_pow, out, a, b);
    if (n) { /* PyTorch keeps an output whichever gradients are wanted */
        cg_save(n, 0, a);
        cg_save(n, 1, b);
        cg_save(n, 2, out);
    }
    return cg_recorded(out);
}

/* d(a^b) = b a^(b-1) da + a^b log(a) db, with PyTorch's masks: no gradient for a where b == 0,
 * and none for b where a == 0 and b >= 0 (there log(a) = -inf, but a^b does not depend on b). */
void cg_backward_pow(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *g = grads[0], *a = cg_saved(n, 0), *b = cg_saved(n, 1), *zero = cg_zero_for(g);
    if (cg_needs_grad(n, 0)) {
        cg_tensor *slope = cg_mul(b, cg_pow(a, cg_sub_scalar(b, 1)));
        out[0] = cg_where(cg_eq_scalar(b, 0), zero, cg_mul(g, slope));
    }
    if (cg_needs_grad(n, 1)) {
        cg_tensor *result = cg_saved(n, 2);
        cg_tensor *base = result ? cg_to(a, result->dtype) : NULL;
        cg_tensor *slope = cg_mul(result, cg_log(base));
        slope = cg_where(cg_ge_scalar(b, 0), cg_where(cg_eq_scalar(base, 0), zero, slope), slope);
        out[1] = cg_mul(g, slope);
    }
}

/* maximum and minimum: a gets the gradient where it wins and b where b wins; a tie splits it in
 * half, as in PyTorch 1.13 (NaN compares neither way, so both sides then get all of it). */
static cg_tensor *extremum(cg_binary_op op, const cg_op *node, cg_tensor *a, cg_tensor *b) {
    if (!a || !b) return NULL;
    cg_tensor *out = cg_binary_in(op, a, b, cg_result_type(a, b));
    cg_node *n = record2(node, out, a, b);
    if (n) {
        cg_save(n, 0, a);
        cg_save(n, 1, b);
    }
    return cg_recorded(out);
}

/* The gradient for a when loses(x, y) says where a lost (and gets none), masked_fill'ed as PyTorch's
 * (MaskedFillBackward0 in double-backward graphs). */
static void extremum_backward(cg_node *n, cg_tensor **grads, cg_tensor **out,
                              cg_tensor *(*loses)(cg_tensor *, cg_tensor *)) {
    cg_tensor *g = grads[0], *a = cg_saved(n, 0), *b = cg_saved(n, 1);
    cg_tensor *shared = cg_where(cg_eq(a, b), cg_div_scalar(g, 2), g);
    if (cg_needs_grad(n, 0)) out[0] = cg_masked_fill(shared, loses(a, b), 0);
    if (cg_needs_grad(n, 1)) out[1] = cg_masked_fill(shared, loses(b, a), 0);
}

cg_tensor *cg_maximum(cg_tensor *a, cg_tensor *b) { return extremum(CG_BIN_MAXIMUM, &cg_op_maximum, a, b); }

void cg_backward_maximum(cg_node *n, cg_tensor **grads, cg_tensor **out) { extremum_backward(n, grads, out, cg_lt); }

cg_tensor *cg_minimum(cg_tensor *a, cg_tensor *b) { return extremum(CG_BIN_MINIMUM, &cg_op_minimum, a, b); }

void cg_backward_minimum(cg_node *n, cg_tensor **grads, cg_tensor **out) { extremum_backward(n, grads, out, cg_gt); }

/* ---- tensor op Python number ---- */

static cg_tensor *scalar_op(cg_binary_op op, cg_tensor *a, cg_number s, bool scalar_first) {
    if (!a || cg_check_number(s) < 0) return NULL;
    return cg_binary_scalar_in(op, a, s, scalar_first, cg_number_result_type(a->dtype, s));
}

/* Records out = op(a, s) for a Python number s, which the backward finds in number slot 0. PyTorch
 * hands s to some ops as a tensor that never requires grad, and their nodes show it as an empty
 * edge: such an op has nedges = 2, a at position a_edge and nothing at the other. */
static cg_node *record_number(const cg_op *op, cg_tensor *out, cg_tensor *a, cg_number s, int a_edge, int nedges) {
    cg_tensor *inputs[2] = {NULL, NULL};
    inputs[a_edge] = a;
    cg_node *n = out ? cg_record(op, out, nedges, inputs) : NULL;
    cg_node_set_number(n, 0, s);
    return n;
}

/* The ops whose node has an edge for the number (x + 2 is add(x, tensor(2)) in PyTorch). mul and
 * div save that tensor, so a backward frees it and a second one fails. */
static cg_tensor *number_operand(const cg_op *op, cg_tensor *out, cg_tensor *a, cg_number s) {
    cg_node *n = record_number(op, out, a, s, 0, 2);
    if (op == &cg_op_mul_scalar || op == &cg_op_div_scalar) cg_save_number(n, s);
    return cg_recorded(out);
}

cg_tensor *cg_add_number(cg_tensor *a, cg_number b) {
    return number_operand(&cg_op_add_scalar, scalar_op(CG_BIN_ADD, a, b, false), a, b);
}

void cg_backward_add_scalar(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    (void)n;
    out[0] = grads[0];
}

cg_tensor *cg_mul_number(cg_tensor *a, cg_number b) {
    return number_operand(&cg_op_mul_scalar, scalar_op(CG_BIN_MUL, a, b, false), a, b);
}

/* g * b with b of its own kind, as PyTorch multiplies by the saved wrapped number. */
void cg_backward_mul_scalar(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    out[0] = cg_mul_number(grads[0], cg_node_number(n, 0));
}

/* forward(a, s) recorded as op, a node with a's edge only: PyTorch's overloads that take a C++
 * Scalar (mul.Scalar, add.Scalar), whose nodes have no edge for it and save nothing. */
static cg_tensor *by_cpp_scalar(const cg_op *op, cg_tensor *(*forward)(cg_tensor *, cg_number), cg_tensor *a,
                                cg_number s) {
    if (!a) return NULL;
    cg_tensor *out = NULL;
    CG_NO_GRAD { out = forward(a, s); }
    record_number(op, out, a, s, 0, 1);
    return cg_recorded(out);
}

/* a * s for a C++ Scalar s (MulBackward1), what backward formulas multiply by a number (add's
 * alpha, lerp's weight). */
cg_tensor *cg_mul_by_scalar(cg_tensor *a, cg_number s) {
    return by_cpp_scalar(&cg_op_mul_by_scalar, cg_mul_number, a, s);
}

void cg_backward_mul_by_scalar(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    out[0] = cg_mul_by_scalar(grads[0], cg_node_number(n, 0));
}

/* a + s for a C++ Scalar s (AddBackward1). */
cg_tensor *cg_add_by_scalar(cg_tensor *a, cg_number s) {
    return by_cpp_scalar(&cg_op_add_by_scalar, cg_add_number, a, s);
}

void cg_backward_add_by_scalar(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    (void)n;
    out[0] = grads[0];
}

/* t / count for a C++ Scalar count (DivBackward1): mean's and the losses' divisions by their
 * counts. Its backward divides by a Python number (DivBackward0), as PyTorch's formula does. */
cg_tensor *cg_div_by_count(cg_tensor *t, double count) {
    return by_cpp_scalar(&cg_op_div_by_count, cg_div_number, t, cg_number_float(count));
}

void cg_backward_div_by_count(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    out[0] = cg_div_scalar(grads[0], n->scalars[0]);
}

/* A bool number counts as a bool tensor in sub's checks (x - True is "with a bool tensor"). */
static int check_sub_number(cg_tensor *a, cg_number b) {
    return cg_check_sub_dtypes(a->dtype, cg_number_dtype(b), b.kind == CG_NUMBER_BOOL);
}

cg_tensor *cg_sub_number(cg_tensor *a, cg_number b) {
    if (!a || cg_check_number(b) < 0 || check_sub_number(a, b) < 0) return NULL;
    return number_operand(&cg_op_sub_scalar, scalar_op(CG_BIN_SUB, a, b, false), a, b);
}

void cg_backward_sub_scalar(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    (void)n;
    out[0] = grads[0];
}

/* rsub takes its number as a Scalar argument: one edge. */
cg_tensor *cg_rsub_number(cg_tensor *a, cg_number b) {
    if (!a || cg_check_number(b) < 0 || check_sub_number(a, b) < 0) return NULL;
    cg_tensor *out = scalar_op(CG_BIN_SUB, a, b, true);
    record_number(&cg_op_rsub_scalar, out, a, b, 0, 1);
    return cg_recorded(out);
}

void cg_backward_rsub_scalar(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    (void)n;
    out[0] = cg_neg(grads[0]);
}

cg_tensor *cg_div_number(cg_tensor *a, cg_number b) {
    if (!a || cg_check_number(b) < 0) return NULL;
    cg_tensor *out = cg_binary_scalar_in(CG_BIN_DIV, a, b, false, cg_float_type(cg_number_result_type(a->dtype, b)));
    return number_operand(&cg_op_div_scalar, out, a, b);
}

void cg_backward_div_scalar(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    out[0] = cg_div_number(grads[0], cg_node_number(n, 0));
}

/* 1/a, recorded as ReciprocalBackward0 (PyTorch's b / a is a.reciprocal() * b). */
static cg_tensor *reciprocal(cg_tensor *a) {
    cg_tensor *out = cg_unary_in(CG_UN_RECIPROCAL, a, cg_float_type(a->dtype));
    cg_node *n = out ? cg_record(&cg_op_reciprocal, out, CG_INPUTS(a)) : NULL;
    if (n) cg_save(n, 0, out);
    return cg_recorded(out);
}

/* d(1/a) = -1/a^2 = -result^2 */
void cg_backward_reciprocal(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *result = cg_saved(n, 0);
    out[0] = cg_mul(cg_neg(grads[0]), cg_mul(result, result));
}

cg_tensor *cg_reciprocal(cg_tensor *a) { return a ? reciprocal(a) : NULL; }

/* Python's b / a rounds twice (reciprocal, then the product), and so must we. */
cg_tensor *cg_rdiv_number(cg_tensor *a, cg_number b) {
    if (!a || cg_check_number(b) < 0) return NULL;
    return cg_mul_number(reciprocal(a), b);
}

/* PyTorch's shortcuts for common exponents (of either kind) on float tensors; they round
 * differently from pow(). */
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

static cg_tensor *pow_scalar_forward(cg_tensor *a, cg_number exponent) {
    if (!a || cg_check_number(exponent) < 0) return NULL;
    cg_dtype compute = cg_number_result_type(a->dtype, exponent);
    if (check_pow_dtype(compute) < 0) return NULL;
    if (compute == CG_INT64 && exponent.i < 0) { /* an int tensor keeps int64 only for int exponents */
        cg_set_error("Integers to negative integer powers are not allowed.");
        return NULL;
    }
    if (exponent.f == 0) { /* ones in TensorIterator's output for a (PyTorch fills its out) */
        cg_tensor *out = CG_NEW_RESULT(compute, a->ndim, a->sizes, a);
        if (out) CG_KERNEL(out, fill)(out, cg_number_int(1));
        return out;
    }
    if (exponent.f == 1) { /* a copy into TensorIterator's output for a, not a clone (which keeps a's layout) */
        cg_tensor *out = CG_NEW_RESULT(compute, a->ndim, a->sizes, a);
        if (out) CG_KERNEL(out, copy)(out, a);
        return out;
    }
    cg_unary_op op;
    if (cg_dtype_is_floating(compute) && pow_shortcut(exponent.f, &op)) return cg_unary_in(op, a, compute);
    if (cg_dtype_is_floating(compute)) {
        cg_tensor *in = cg_as_dtype(a, compute);
        cg_tensor *out = in ? CG_NEW_RESULT(compute, a->ndim, a->sizes, a) : NULL;
        if (out) CG_KERNEL(out, pow_number)(out, in, exponent.f);
        return out;
    }
    return cg_binary_scalar_in(CG_BIN_POW, a, exponent, false, compute);
}

cg_tensor *cg_pow_number(cg_tensor *a, cg_number exponent) {
    if (!a) return NULL;
    cg_tensor *out = NULL;
    CG_NO_GRAD { out = pow_scalar_forward(a, exponent); }
    cg_node *n = record_number(&cg_op_pow_scalar, out, a, exponent, 0, 1);
    if (n) cg_save(n, 0, a);
    return cg_recorded(out);
}

/* d(x^e) = e x^(e-1), with e as a double (PyTorch's exponent.toDouble()). */
void cg_backward_pow_scalar(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    double e = cg_node_number(n, 0).f;
    if (e == 0 && cg_node_number(n, 0).kind != CG_NUMBER_BOOL) { /* PyTorch 1.13: False takes the formula (-0, NaN) */
        out[0] = cg_zeros_like(grads[0]);
        return;
    }
    out[0] = cg_mul(grads[0], cg_mul_by_scalar(cg_pow_scalar(cg_saved(n, 0), e - 1), cg_number_float(e)));
}

/* base ** a: the number is the first operand, so the node's edge for a is its second. */
/* 1 ** a: ones, laid out as PyTorch's number ** tensor (tensor(number) ** a, two operands) lays
 * out its result. */
static cg_tensor *ones_laid_out_as_pow(cg_tensor *a, cg_number base, cg_dtype compute) {
    cg_scalar_box box;
    const cg_tensor *cs = cg_box_number(&box, base, compute);
    cg_tensor *out = CG_NEW_RESULT(compute, a->ndim, a->sizes, a, cs);
    if (out) CG_KERNEL(out, fill)(out, cg_number_int(1));
    return out;
}

cg_tensor *cg_rpow_number(cg_tensor *a, cg_number base) {
    if (!a || cg_check_number(base) < 0) return NULL;
    cg_dtype compute = cg_number_result_type(a->dtype, base);
    if (check_pow_dtype(compute) < 0) return NULL;
    cg_tensor *out = base.f == 1 ? ones_laid_out_as_pow(a, base, compute)
                                 : cg_binary_scalar_in(CG_BIN_POW, a, base, true, compute);
    cg_node *n = record_number(&cg_op_rpow_scalar, out, a, base, 1, 2);
    if (n) {
        cg_save(n, 0, out);
        cg_save(n, 1, a);
    }
    return cg_recorded(out);
}

/* d(base^a) = base^a log(base); for base 0, PyTorch gives no gradient where a >= 0. Written as
 * PyTorch's pow of two tensors (Tensor.__rpow__ makes the base a tensor of the result's dtype, so a
 * float32 result sees the base rounded to float32: 1e-310 is 0 there). */
void cg_backward_rpow_scalar(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    double base = cg_node_number(n, 0).f;
    cg_tensor *result = cg_saved(n, 0);
    bool single = result && result->dtype == CG_FLOAT32;
    if (single) base = (float)base;
    cg_tensor *g = grads[0], *a = cg_saved(n, 1), *slope = cg_mul_scalar(result, single ? logf((float)base) : log(base));
    cg_tensor *no_gradient = !a ? NULL : base == 0 ? cg_ge_scalar(a, 0) : cg_zeros_on(a, CG_BOOL, a->ndim, a->sizes);
    out[1] = cg_mul(g, cg_where(no_gradient, cg_zero_for(g), slope));
}

/* ---- comparisons ---- */

#define COMPARISON(name, OP)                                                                        \
    cg_tensor *cg_##name(cg_tensor *a, cg_tensor *b) {                                              \
        if (!a || !b) return NULL;                                                                  \
        return cg_binary_in(OP, a, b, cg_result_type(a, b));                                        \
    }                                                                                               \
    cg_tensor *cg_##name##_number(cg_tensor *a, cg_number b) { return scalar_op(OP, a, b, false); }
COMPARISON(eq, CG_BIN_EQ)
COMPARISON(ne, CG_BIN_NE)
COMPARISON(lt, CG_BIN_LT)
COMPARISON(le, CG_BIN_LE)
COMPARISON(gt, CG_BIN_GT)
COMPARISON(ge, CG_BIN_GE)

/* ---- where ---- */

/* The condition is no input of the node (it gets no gradient), only a saved tensor. */
cg_tensor *cg_where(cg_tensor *condition, cg_tensor *a, cg_tensor *b) {
    if (!condition || !a || !b) return NULL;
    if (condition->dtype != CG_BOOL) {
        cg_set_error("where expected condition to be a boolean tensor, but got a tensor with dtype %s",
                     cg_dtype_title(condition->dtype));
        return NULL;
    }
    const cg_tensor *const values[] = {a, b}; /* PyTorch's where expects the condition's device */
    for (int i = 0; i < 2; i++) {
        const cg_tensor *v = values[i];
        if (v->storage->backend != condition->storage->backend && !(v->ndim == 0 && v->storage->backend == &cg_backend_cpu)) {
            cg_set_error("Tensor on device %s is not on the expected device %s!", v->storage->backend->name,
                         condition->storage->backend->name);
            return NULL;
        }
    }
    int64_t shape[CG_MAX_DIMS];
    int ndim = cg_broadcast_shapes(condition->ndim, condition->sizes, a->ndim, a->sizes, shape);
    if (ndim < 0 || (ndim = cg_broadcast_shapes(ndim, shape, b->ndim, b->sizes, shape)) < 0) return NULL;
    cg_dtype dtype = cg_result_type(a, b);
    cg_tensor *ca = cg_as_dtype(a, dtype), *cb = cg_as_dtype(b, dtype);
    if (!ca || !cb) return NULL;
    cg_tensor *out = CG_NEW_RESULT(dtype, ndim, shape, condition, a, b);
    if (!out) return NULL;
    CG_KERNEL(out, where)(out, condition, ca, cb);
    cg_node *n = cg_record(&cg_op_where, out, CG_INPUTS(a, b));
    if (n) cg_save(n, 0, condition);
    return cg_recorded(out);
}

void cg_backward_where(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *condition = cg_saved(n, 0), *g = grads[0], *zero = cg_zero_for(g);
    if (cg_needs_grad(n, 0)) out[0] = cg_where(condition, g, zero);
    if (cg_needs_grad(n, 1)) out[1] = cg_where(condition, zero, g);
}
