/* The in-place ops: arithmetic (t op= other or a number), pow_, clamp_, the unary ops (exp_, ...)
 * and the fused ops (addcmul_, lerp_, ...). The other operands broadcast to t's shape, the result
 * must be castable to t's dtype, and every check runs before anything is written, so a failing
 * call leaves t (and its version counter) untouched. Each records the node of its out-of-place
 * form. */
#include "autograd/registry.h"
#include "backend/backend.h"
#include "ops/elementwise.h"

#include <math.h>

/* ---- checks, in PyTorch's order: memory overlap, shape, dtype ---- */

/* PyTorch's canCast: no float to integral or bool, no integral to bool. */
static bool can_cast(cg_dtype from, cg_dtype to) {
    if (cg_dtype_is_floating(from) && !cg_dtype_is_floating(to)) return false;
    return !(from == CG_INT64 && to == CG_BOOL);
}

static int check_cast(cg_dtype result, const cg_tensor *t, const char *(*name)(cg_dtype)) {
    if (can_cast(result, t->dtype)) return 0;
    cg_set_error("result type %s can't be cast to the desired output type %s", cg_dtype_title(result),
                 name(t->dtype));
    return -1;
}

/* ---- writing the result ---- */

/* t = result, result being computed out of place in another dtype. */
static int store(cg_tensor *t, cg_tensor *result) {
    if (!result) return -1;
    CG_KERNEL(t, copy)(t, result);
    cg_bump_version(t);
    return 0;
}

/* The checks of a write of op(t, others...) into t, in TensorIterator's order: no two elements of t
 * share memory, no operand partly overlaps t, and t and the operands (NULL ones left out)
 * broadcast together, to t's own shape. */
static int check_operands(cg_tensor *t, int n, cg_tensor *const *others) {
    if (cg_check_no_internal_overlap(t) < 0) return -1;
    for (int i = 0; i < n; i++) /* t's device, or a 0-dim CPU operand */
        if (others[i] && CG_CHECK_SAME_DEVICE(t, others[i]) < 0) return -1;
    for (int i = 0; i < n; i++)
        if (others[i] && cg_check_no_partial_overlap(t, others[i]) < 0) return -1;
    int64_t shape[CG_MAX_DIMS];
    int ndim = t->ndim;
    memcpy(shape, t->sizes, sizeof shape);
    for (int i = 0; i < n && ndim >= 0; i++)
        if (others[i]) ndim = cg_broadcast_shapes(ndim, shape, others[i]->ndim, others[i]->sizes, shape);
    if (ndim < 0) return -1;
    if (cg_same_shape(ndim, shape, t->ndim, t->sizes)) return 0;
    cg_set_error("output with shape %s doesn't match the broadcast shape %s", cg_shape_text(t->ndim, t->sizes).s,
                 cg_shape_text(ndim, shape).s);
    return -1;
}
#define CHECK_OPERANDS(t, ...) check_operands(t, CG_NARGS(__VA_ARGS__), (cg_tensor *[]){__VA_ARGS__})

/* The checks of t op= other: the operand's, then the result's dtype. */
static int check_binary_write(cg_tensor *t, cg_tensor *other, cg_dtype result) {
    return CHECK_OPERANDS(t, other) < 0 || check_cast(result, t, cg_dtype_title) < 0 ? -1 : 0;
}

static int write_binary(cg_binary_op op, cg_tensor *t, cg_tensor *other, cg_dtype result) {
    if (check_binary_write(t, other, result) < 0) return -1;
    cg_overlap o = cg_memory_overlap(t, other);
    if (result != t->dtype) return store(t, cg_binary_in(op, t, other, result));
    /* Reading an aliased operand while writing t is safe only element for element (full overlap). */
    cg_tensor *b = other->dtype != result ? cg_to(other, result) : o == CG_OVERLAP_UNKNOWN ? cg_clone(other) : other;
    if (!b) return -1;
    CG_KERNEL(t, binary)(op, t, t, b);
    cg_bump_version(t);
    return 0;
}

/* ---- autograd: the in-place forms record the nodes of their out-of-place forms ---- */

/* The copies and conversions made while writing are not part of the graph: the op records itself. */
static int inplace_binary(cg_binary_op op, cg_tensor *t, cg_tensor *other, cg_dtype result) {
    int status = -1;
    CG_NO_GRAD { status = write_binary(op, t, other, result); }
    return status;
}

/* t's value before the write, when a gradient will need it. Recorded (CloneBackward0), so that
 * the gradient that reads it can itself be differentiated, as PyTorch's saved self.clone() can. */
static int old_value(cg_tensor *t, bool needed, cg_tensor **old) {
    *old = NULL;
    if (!needed || !cg_is_grad_enabled()) return 0;
    *old = cg_clone(t);
    return *old ? 0 : -1;
}

/* other was saved after the write. If it shares t's base (y.mul_(y), y[1].mul_(y[0])), the write
 * made its value stale, and a backward that reads it must fail as PyTorch's does: it counts as
 * saved at its version before the write. It is then kept as a bare header over its storage, since
 * its base holds this node (directly or through CopySlices) and other itself would close a
 * reference cycle; the error then names the history PyTorch gives it then: a view's is remade as
 * AsStridedBackward0 (its base's history changed), the base's is the storage's latest. */
static void save_operand_before_write(cg_node *n, int slot, cg_tensor *t, cg_tensor *other, int64_t version) {
    if (!n || slot >= n->nsaved || !n->saved[slot].data) return;
    cg_saved_tensor *s = &n->saved[slot];
    s->version = version;
    if (cg_view_root(other) != cg_view_root(t)) return;
    s->written = (uintptr_t)other;
    s->written_view = cg_view_root(other) != other;
    if (s->is_output) return;
    cg_tensor *bare = cg_new_alias(other);
    if (!bare) return;
    cg_set_ref(&s->data, bare);
    s->had_history = false; /* the bare header has none; its message names none */
}

/* t += other or t -= other: nothing to save. */
static int add_or_sub_(cg_tensor *t, cg_tensor *other, bool sub) {
    if (!t || !other || cg_check_inplace(t, CG_INPUTS(t, other)) < 0) return -1;
    if (sub && cg_check_sub_dtypes(t->dtype, other->dtype, true) < 0) return -1;
    if (inplace_binary(sub ? CG_BIN_SUB : CG_BIN_ADD, t, other, cg_result_type(t, other)) < 0) return -1;
    cg_record_inplace(sub ? &cg_op_sub : &cg_op_add, t, CG_INPUTS(t, other));
    return cg_recorded_status();
}

int cg_add_(cg_tensor *t, cg_tensor *other) { return add_or_sub_(t, other, false); }
int cg_sub_(cg_tensor *t, cg_tensor *other) { return add_or_sub_(t, other, true); }

/* t *= other or t /= other: other's gradient reads t's old value, which is kept when wanted. */
static int mul_or_div_(cg_tensor *t, cg_tensor *other, bool divide) {
    if (!t || !other || cg_check_inplace(t, CG_INPUTS(t, other)) < 0) return -1;
    cg_tensor *old;
    int64_t other_version = cg_version(other);
    if (old_value(t, cg_requires_grad(other), &old) < 0) return -1;
    cg_dtype result = cg_result_type(t, other);
    if (inplace_binary(divide ? CG_BIN_DIV : CG_BIN_MUL, t, other, divide ? cg_float_type(result) : result) < 0)
        return -1;
    cg_node *n = cg_record_inplace(divide ? &cg_op_div : &cg_op_mul, t, CG_INPUTS(t, other));
    (divide ? cg_save_div_inputs : cg_save_mul_inputs)(n, old, other);
    save_operand_before_write(n, 1, t, other, other_version);
    return cg_recorded_status();
}

int cg_mul_(cg_tensor *t, cg_tensor *other) { return mul_or_div_(t, other, false); }
int cg_div_(cg_tensor *t, cg_tensor *other) { return mul_or_div_(t, other, true); }

static int inplace_scalar(cg_binary_op op, const cg_op *node, cg_tensor *t, cg_number value) {
    if (!t || cg_check_number(value) < 0 || cg_check_inplace(t, CG_INPUTS(t)) < 0) return -1;
    cg_dtype result = cg_number_result_type(t->dtype, value);
    if (op == CG_BIN_DIV) result = cg_float_type(result); /* true division */
    if (cg_check_no_internal_overlap(t) < 0 || check_cast(result, t, cg_dtype_title) < 0) return -1;
    cg_scalar_box box;
    CG_KERNEL(t, binary)(op, t, t, cg_box_number(&box, value, t->dtype));
    cg_bump_version(t);
    /* As out of place, the number is an empty second edge of the node (PyTorch's wrapped number). */
    cg_node *n = cg_record_inplace(node, t, CG_INPUTS(t, NULL));
    cg_node_set_number(n, 0, value);
    if (op == CG_BIN_MUL || op == CG_BIN_DIV) cg_save_number(n, value);
    return cg_recorded_status();
}

int cg_add_number_(cg_tensor *t, cg_number value) { return inplace_scalar(CG_BIN_ADD, &cg_op_add_scalar, t, value); }
int cg_mul_number_(cg_tensor *t, cg_number value) { return inplace_scalar(CG_BIN_MUL, &cg_op_mul_scalar, t, value); }
int cg_div_number_(cg_tensor *t, cg_number value) { return inplace_scalar(CG_BIN_DIV, &cg_op_div_scalar, t, value); }

static int clamp_number_(const cg_op *op, cg_tensor *t, cg_number min, cg_number max) {
    if (!t || cg_check_inplace(t, CG_INPUTS(t)) < 0) return -1;
    /* PyTorch's order: the cast of the result type, the overlap, then the bounds in that dtype. */
    cg_clamp_plan_t p;
    cg_dtype dtype;
    if (cg_clamp_result_type(t, min, max, &dtype) < 0 || check_cast(dtype, t, cg_dtype_cpp_name) < 0 ||
        cg_check_no_internal_overlap(t) < 0 || cg_clamp_plan(t, min, max, &p) < 0)
        return -1;
    /* The gradient's mask is where the old values lay between the bounds: keep them (unrecorded,
     * since a mask is not differentiated). */
    cg_tensor *old = NULL;
    if (cg_is_grad_enabled() && cg_requires_grad(t)) {
        CG_NO_GRAD { old = cg_clone(t); }
        if (!old) return -1;
    }
    if (p.all_nan) {
        CG_KERNEL(t, fill)(t, cg_number_float(NAN));
    } else {
        CG_KERNEL(t, clamp)(t, t, p.has_min ? &p.min : NULL, p.has_max ? &p.max : NULL);
    }
    cg_bump_version(t);
    cg_save_clamp(cg_record_inplace(op, t, CG_INPUTS(t)), old, min, max);
    return cg_recorded_status();
}

int cg_clamp_number_(cg_tensor *t, cg_number min, cg_number max) { return clamp_number_(&cg_op_clamp, t, min, max); }
int cg_clamp_min_number_(cg_tensor *t, cg_number min) { return clamp_number_(&cg_op_clamp_min, t, min, cg_number_none()); }

/* ---- more Python-number forms ---- */

/* PyTorch checks the leaf rule, then sub's refusal of bool, then memory overlap. */
int cg_sub_number_(cg_tensor *t, cg_number value) {
    if (!t || cg_check_number(value) < 0 || cg_check_inplace(t, CG_INPUTS(t)) < 0) return -1;
    if (cg_check_sub_dtypes(t->dtype, cg_number_dtype(value), value.kind == CG_NUMBER_BOOL) < 0) return -1;
    return inplace_scalar(CG_BIN_SUB, &cg_op_sub_scalar, t, value);
}

/* pow's own checks come first (negative integer powers), then memory overlap; a result dtype other
 * than t's is refused with the message of PyTorch's structured in-place kernels. */
int cg_pow_number_(cg_tensor *t, cg_number exponent) {
    if (!t || cg_check_number(exponent) < 0 || cg_check_inplace(t, CG_INPUTS(t)) < 0) return -1;
    cg_dtype result_type = cg_number_result_type(t->dtype, exponent);
    if (result_type == CG_INT64 && exponent.kind != CG_NUMBER_FLOAT && exponent.i < 0) {
        cg_set_error("Integers to negative integer powers are not allowed.");
        return -1;
    }
    if (cg_check_no_internal_overlap(t) < 0) return -1;
    if (result_type != t->dtype) {
        cg_set_error("Found dtype %s but expected %s", cg_dtype_title(t->dtype), cg_dtype_title(result_type));
        return -1;
    }
    cg_tensor *old, *result = NULL;
    if (old_value(t, cg_requires_grad(t), &old) < 0) return -1; /* the gradient reads the old t */
    CG_NO_GRAD { result = cg_pow_number(t, exponent); }            /* with pow's shortcuts (x*x for 2, ...) */
    if (store(t, result) < 0) return -1;
    cg_node *n = cg_record_inplace(&cg_op_pow_scalar, t, CG_INPUTS(t));
    cg_node_set_number(n, 0, exponent);
    if (n) cg_save(n, 0, old);
    return cg_recorded_status();
}

/* Whether a recorded write into t goes through a view (its base's history becomes CopySlices). */
bool cg_inplace_through_view(const cg_tensor *t, bool recorded) {
    return recorded && cg_is_grad_enabled() && t->autograd && t->autograd->view_base;
}

/* The slot where a write through a view keeps t's storage, to check t's version at backward. */
#define WITNESS_SLOT (CG_NODE_MAX_SAVED - 1)

/* t after the write, saved as the result its node's gradient reads. Through a view, t's history is
 * its base's CopySlices, which holds this node: t itself would close a cycle. The caller then
 * passes the result recomputed out of place from t's old value (same kernel, same bits), whose
 * history reaches back through the old value, so a double backward sees how it depends on the
 * input; a bare header over t's storage, saved as the node's output, keeps PyTorch's version
 * check for writes after this one (its message names the view's history of then while that
 * lives, else this node: "output 0 of ExpBackward0"). */
void cg_save_inplace_result(cg_node *n, int slot, cg_tensor *t, cg_tensor *recomputed) {
    if (!n) return;
    if (t->autograd->grad_fn == n) {
        cg_save(n, slot, t);
        return;
    }
    cg_save(n, slot, recomputed);
    if (cg_saved_hooks_depth_) return; /* the witness below only serves the version check, which hooks skip */
    cg_tensor *bare = cg_new_alias(t);
    if (!bare) return;
    cg_save(n, WITNESS_SLOT, bare);
    n->saved[WITNESS_SLOT].is_output = true;
    /* PyTorch remakes the view's history right after the write and keeps it weakly: while it lives
     * (the view or a later node holds it), a stale result is named "output 0 of" it. */
    cg_node *view_fn = cg_grad_fn_internal(t);
    if (view_fn && !view_fn->watcher) {
        n->witness_fn = view_fn;
        view_fn->watcher = &n->witness_fn;
    }
}

int cg_pow_(cg_tensor *t, cg_tensor *exponent) {
    if (!t || !exponent || cg_check_inplace(t, CG_INPUTS(t, exponent)) < 0) return -1;
    if (check_binary_write(t, exponent, cg_result_type(t, exponent)) < 0) return -1;
    cg_tensor *old, *result = NULL;
    int64_t exponent_version = cg_version(exponent);
    if (old_value(t, cg_requires_grad(t) || cg_requires_grad(exponent), &old) < 0) return -1;
    CG_NO_GRAD { result = cg_pow(t, exponent); }
    if (store(t, result) < 0) return -1;
    cg_node *n = cg_record_inplace(&cg_op_pow, t, CG_INPUTS(t, exponent));
    if (n) {
        cg_save(n, 0, old);
        cg_save(n, 1, exponent);
        save_operand_before_write(n, 1, t, exponent, exponent_version);
        /* PyTorch keeps the result whichever gradients are wanted */
        cg_save_inplace_result(n, 2, t, cg_inplace_through_view(t, true) ? cg_pow(old, exponent) : NULL);
    }
    return cg_recorded_status();
}

/* ---- unary ops in place ---- */

typedef enum { SAVES_NOTHING, SAVES_INPUT, SAVES_RESULT } unary_saving;

typedef struct {
    cg_unary_op op;
    const cg_op *node;
    bool float_valued;       /* computes in a floating dtype: integer tensors cannot hold it */
    const char *bool_error;  /* PyTorch's refusal of bool tensors, if any */
    unary_saving saves;      /* what the out-of-place op's backward reads */
    cg_tensor *(*forward)(cg_tensor *); /* the out-of-place op: the result again, through a view */
} unary_inplace;

static int inplace_unary(const unary_inplace *u, cg_tensor *t) {
    if (!t || cg_check_inplace(t, CG_INPUTS(t)) < 0) return -1;
    /* neg_ and relu_ refuse bool in the op itself, before the write's memory checks; abs_'s refusal
     * is its kernel's, after them. */
    bool refuses_bool = t->dtype == CG_BOOL && u->bool_error;
    bool refuses_first = refuses_bool && u->op != CG_UN_ABS;
    if (!refuses_first && cg_check_no_internal_overlap(t) < 0) return -1;
    if (u->float_valued && check_cast(cg_float_type(t->dtype), t, cg_dtype_title) < 0) return -1;
    if (refuses_bool) {
        cg_set_error("%s", u->bool_error);
        return -1;
    }
    cg_tensor *old;
    bool via_view = u->saves == SAVES_RESULT && cg_inplace_through_view(t, cg_requires_grad(t));
    if (old_value(t, (u->saves == SAVES_INPUT || via_view) && cg_requires_grad(t), &old) < 0) return -1;
    CG_KERNEL(t, unary)(u->op, t, t); /* element for element: reading and writing t in one pass is safe */
    cg_bump_version(t);
    cg_node *n = cg_record_inplace(u->node, t, CG_INPUTS(t));
    if (u->saves == SAVES_INPUT && n) cg_save(n, 0, old);
    if (u->saves == SAVES_RESULT && n) cg_save_inplace_result(n, 0, t, via_view ? u->forward(old) : NULL);
    return cg_recorded_status();
}

#define UNARY_INPLACE(name, OP, float_valued, bool_error, saves)                       \
    int cg_##name##_(cg_tensor *t) {                                                    \
        static const unary_inplace u = {OP, &cg_op_##name, float_valued, bool_error, saves, cg_##name}; \
        return inplace_unary(&u, t);                                                    \
    }
UNARY_INPLACE(neg, CG_UN_NEG, false,
              "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, "
              "use the `~` or `logical_not()` operator instead.",
              SAVES_NOTHING)
UNARY_INPLACE(abs, CG_UN_ABS, false, "\"abs_cpu\" not implemented for 'Bool'", SAVES_INPUT)
UNARY_INPLACE(sign, CG_UN_SIGN, false, NULL, SAVES_NOTHING)
UNARY_INPLACE(relu, CG_UN_RELU, false, "Boolean inputs not supported for relu", SAVES_RESULT)
UNARY_INPLACE(exp, CG_UN_EXP, true, NULL, SAVES_RESULT)
UNARY_INPLACE(log, CG_UN_LOG, true, NULL, SAVES_INPUT)
UNARY_INPLACE(log1p, CG_UN_LOG1P, true, NULL, SAVES_INPUT)
UNARY_INPLACE(sqrt, CG_UN_SQRT, true, NULL, SAVES_RESULT)
UNARY_INPLACE(sin, CG_UN_SIN, true, NULL, SAVES_INPUT)
UNARY_INPLACE(cos, CG_UN_COS, true, NULL, SAVES_INPUT)
UNARY_INPLACE(tan, CG_UN_TAN, true, NULL, SAVES_RESULT)
UNARY_INPLACE(tanh, CG_UN_TANH, true, NULL, SAVES_RESULT)
UNARY_INPLACE(sigmoid, CG_UN_SIGMOID, true, NULL, SAVES_RESULT)

/* ---- the fused ops in place: t = op(t, ...), computed out of place and stored ---- */

/* Stores result into t after the result dtype check, or fails leaving t as it was. */
static int store_checked(cg_tensor *t, cg_tensor *result) {
    if (!result || check_cast(result->dtype, t, cg_dtype_title) < 0) return -1;
    return store(t, result);
}

/* other is t itself or lies in other memory, so the kernel may write t while it reads other. */
static bool apart(const cg_tensor *t, const cg_tensor *other) { return other == t || other->storage != t->storage; }

static int add_alpha_(cg_tensor *t, cg_tensor *other, cg_number alpha, bool sub) {
    if (!t || !other || cg_check_number(alpha) < 0 || cg_check_inplace(t, CG_INPUTS(t, other)) < 0) return -1;
    if (sub && cg_check_sub_dtypes(t->dtype, other->dtype, true) < 0) return -1;
    if (check_binary_write(t, other, cg_result_type(t, other)) < 0 || cg_check_alpha(t->dtype, alpha) < 0)
        return -1;
    if (!sub && other->dtype == t->dtype && cg_result_type(t, other) == t->dtype && apart(t, other)) {
        /* one dtype and no shared memory (an optimizer step): the kernel writes t directly, as
         * PyTorch's does, instead of a temporary copied back */
        if (cg_check_number_fits(t->dtype, alpha) < 0) return -1;
        CG_KERNEL(t, fused)(CG_FUSED_ADD, t, t, other, NULL, alpha);
        cg_bump_version(t);
    } else {
        cg_tensor *result = NULL;
        CG_NO_GRAD { result = sub ? cg_sub_alpha_number(t, other, alpha) : cg_add_alpha_number(t, other, alpha); }
        if (store_checked(t, result) < 0) return -1;
    }
    cg_node *n = cg_record_inplace(sub ? &cg_op_sub_alpha : &cg_op_add_alpha, t, CG_INPUTS(t, other));
    cg_node_set_number(n, 0, alpha);
    return cg_recorded_status();
}

int cg_add_alpha_number_(cg_tensor *t, cg_tensor *other, cg_number alpha) { return add_alpha_(t, other, alpha, false); }
int cg_sub_alpha_number_(cg_tensor *t, cg_tensor *other, cg_number alpha) { return add_alpha_(t, other, alpha, true); }

static int addc_(cg_tensor *t, cg_tensor *tensor1, cg_tensor *tensor2, cg_number value, bool divide) {
    if (!t || !tensor1 || !tensor2 || cg_check_number(value) < 0) return -1;
    if (cg_check_inplace(t, CG_INPUTS(t, tensor1, tensor2)) < 0) return -1;
    if (divide && cg_check_addcdiv(tensor1, tensor2) < 0) return -1; /* before the shapes, as in PyTorch */
    if (CHECK_OPERANDS(t, tensor1, tensor2) < 0) return -1;
    int64_t versions[2] = {cg_version(tensor1), cg_version(tensor2)};
    if (tensor1->dtype == t->dtype && tensor2->dtype == t->dtype && apart(t, tensor1) && apart(t, tensor2)) {
        /* one dtype and no shared memory (an optimizer step): the kernel writes t directly, with
         * the out-of-place form's checks in its order */
        if ((!divide && cg_check_addcmul(t->dtype) < 0) || cg_check_number_fits(t->dtype, value) < 0) return -1;
        CG_KERNEL(t, fused)(divide ? CG_FUSED_ADDCDIV : CG_FUSED_ADDCMUL, t, t, tensor1, tensor2, value);
        cg_bump_version(t);
    } else {
        /* TensorIterator refuses the cast to t's dtype before the kernel converts value */
        if (check_cast(cg_result_type3(t, tensor1, tensor2), t, cg_dtype_title) < 0) return -1;
        cg_tensor *result = NULL;
        CG_NO_GRAD {
            result = divide ? cg_addcdiv_number(t, tensor1, tensor2, value)
                            : cg_addcmul_number(t, tensor1, tensor2, value);
        }
        /* PyTorch's CPU kernel computes in the operands' common dtype and cannot narrow float64
         * into a float32 self: it asserts instead. */
        if (result && t->dtype == CG_FLOAT32 && result->dtype == CG_FLOAT64) {
            cg_set_error("!needs_dynamic_casting<func_t>::check(iter) INTERNAL ASSERT FAILED at "
                         "\"./aten/src/ATen/native/cpu/Loops.h\":347, please report a bug to PyTorch. ");
            return -1;
        }
        if (store_checked(t, result) < 0) return -1;
    }
    cg_node *n = cg_record_inplace(divide ? &cg_op_addcdiv : &cg_op_addcmul, t, CG_INPUTS(t, tensor1, tensor2));
    cg_save_addc(n, tensor1, tensor2, value);
    save_operand_before_write(n, 1, t, tensor1, versions[0]);
    save_operand_before_write(n, 0, t, tensor2, versions[1]);
    return cg_recorded_status();
}

int cg_addcmul_number_(cg_tensor *t, cg_tensor *tensor1, cg_tensor *tensor2, cg_number value) {
    return addc_(t, tensor1, tensor2, value, false);
}
int cg_addcdiv_number_(cg_tensor *t, cg_tensor *tensor1, cg_tensor *tensor2, cg_number value) {
    return addc_(t, tensor1, tensor2, value, true);
}

int cg_lerp_number_(cg_tensor *t, cg_tensor *end, cg_number weight) {
    if (!t || !end || cg_check_number(weight) < 0 || cg_check_inplace(t, CG_INPUTS(t, end)) < 0) return -1;
    if (cg_check_lerp(t, end, NULL) < 0 || CHECK_OPERANDS(t, end) < 0) return -1;
    cg_tensor *result = NULL;
    CG_NO_GRAD { result = cg_lerp_number(t, end, weight); }
    if (store_checked(t, result) < 0) return -1;
    cg_node *n = cg_record_inplace(&cg_op_lerp_scalar, t, CG_INPUTS(t, end));
    cg_node_set_number(n, 0, weight);
    return cg_recorded_status();
}

int cg_lerp_(cg_tensor *t, cg_tensor *end, cg_tensor *weight) {
    if (!t || !end || !weight || cg_check_inplace(t, CG_INPUTS(t, end, weight)) < 0) return -1;
    if (cg_check_lerp(t, end, weight) < 0 || CHECK_OPERANDS(t, end, weight) < 0) return -1;
    int64_t versions[2] = {cg_version(end), cg_version(weight)};
    cg_tensor *old, *result = NULL;
    if (old_value(t, cg_requires_grad(weight), &old) < 0) return -1;
    CG_NO_GRAD { result = cg_lerp(t, end, weight); }
    if (store_checked(t, result) < 0) return -1;
    cg_node *n = cg_record_inplace(&cg_op_lerp, t, CG_INPUTS(t, end, weight));
    cg_save_lerp(n, old, end, weight);
    save_operand_before_write(n, 1, t, end, versions[0]);
    save_operand_before_write(n, 2, t, weight, versions[1]);
    return cg_recorded_status();
}

int cg_clamp_tensor_(cg_tensor *t, cg_tensor *min, cg_tensor *max) {
    if (!t || cg_check_inplace(t, CG_INPUTS(t, min, max)) < 0) return -1;
    if (!min && !max) return cg_clamp_tensor_forward(t, NULL, NULL) ? 0 : -1; /* PyTorch's first check */
    if (CHECK_OPERANDS(t, min, max) < 0) return -1;
    int64_t versions[2] = {min ? cg_version(min) : 0, max ? cg_version(max) : 0};
    cg_tensor *old, *result = cg_clamp_tensor_forward(t, min, max);
    if (!result || old_value(t, cg_requires_grad(t) || cg_requires_grad(min) || cg_requires_grad(max), &old) < 0)
        return -1;
    if (store_checked(t, result) < 0) return -1;
    cg_node *n = cg_record_inplace(&cg_op_clamp_tensor, t, CG_INPUTS(t, min, max));
    cg_save_clamp_tensor(n, old, min, max);
    if (min) save_operand_before_write(n, 1, t, min, versions[0]);
    if (max) save_operand_before_write(n, 2, t, max, versions[1]);
    return cg_recorded_status();
}
