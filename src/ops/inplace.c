/* In-place arithmetic: t op= other. The other operand broadcasts to t's shape, the result must be
 * castable to t's dtype, and every check runs before anything is written, so a failing call leaves
 * t (and its version counter) untouched. */
#include "autograd/registry.h"
#include "ops/elementwise.h"
#include "kernels/copy.h"

#include <math.h>

/* ---- checks, in PyTorch's order: memory overlap, shape, dtype ---- */

/* Contiguous up to a permutation of dims: no two elements share memory and there are no gaps. */
static bool non_overlapping_and_dense(const cg_tensor *t) {
    int dims[CG_MAX_DIMS], n = 0;
    for (int d = 0; d < t->ndim; d++)
        if (t->sizes[d] != 1) dims[n++] = d;
    for (int i = 1; i < n; i++) /* insertion sort by stride, smallest first */
        for (int j = i; j > 0 && t->strides[dims[j - 1]] > t->strides[dims[j]]; j--) {
            int tmp = dims[j];
            dims[j] = dims[j - 1];
            dims[j - 1] = tmp;
        }
    int64_t expected = 1;
    for (int i = 0; i < n; i++) {
        if (t->strides[dims[i]] != expected) return false;
        expected *= t->sizes[dims[i]];
    }
    return true;
}

typedef enum { OVERLAP_NONE, OVERLAP_FULL, OVERLAP_PARTIAL, OVERLAP_UNKNOWN } overlap;

/* PyTorch's classification: only dense tensors are compared, by the memory ranges they span. */
static overlap memory_overlap(const cg_tensor *a, const cg_tensor *b) {
    if (a == b) return OVERLAP_FULL;
    if (a->numel == 0 || b->numel == 0) return OVERLAP_NONE;
    if (!non_overlapping_and_dense(a) || !non_overlapping_and_dense(b))
        return cg_shares_storage(a, b) ? OVERLAP_UNKNOWN : OVERLAP_NONE;
    const char *a_begin = cg_tensor_data(a), *b_begin = cg_tensor_data(b);
    const char *a_end = a_begin + a->numel * (int64_t)cg_dtype_size(a->dtype);
    const char *b_end = b_begin + b->numel * (int64_t)cg_dtype_size(b->dtype);
    if (a_begin == b_begin && a_end == b_end) {
        bool same_strides = a->ndim == b->ndim;
        for (int d = 0; same_strides && d < a->ndim; d++) same_strides = a->strides[d] == b->strides[d];
        return same_strides ? OVERLAP_FULL : OVERLAP_PARTIAL;
    }
    return a_begin < b_end && b_begin < a_end ? OVERLAP_PARTIAL : OVERLAP_NONE;
}

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
    cg_kernel_copy(t, result);
    cg_bump_version(t);
    return 0;
}

static int write_binary(cg_binary_op op, cg_tensor *t, cg_tensor *other, cg_dtype result) {
    if (cg_check_no_internal_overlap(t) < 0) return -1;
    overlap o = memory_overlap(t, other);
    if (o == OVERLAP_PARTIAL) {
        cg_set_error("unsupported operation: some elements of the input tensor and the written-to tensor refer "
                     "to a single memory location. Please clone() the tensor before performing the operation.");
        return -1;
    }
    if (cg_check_broadcasts_to(t, other) < 0 || check_cast(result, t, cg_dtype_title) < 0) return -1;
    if (result != t->dtype) return store(t, cg_binary_in(op, t, other, result));
    /* Reading an aliased operand while writing t is safe only element for element (full overlap). */
    cg_tensor *b = other->dtype != result ? cg_to(other, result) : o == OVERLAP_UNKNOWN ? cg_clone(other) : other;
    if (!b) return -1;
    cg_kernel_binary(op, t, t, b);
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
 * reference cycle; the error then names no grad_fn for it (PyTorch: AsStridedBackward0). */
static void save_operand_before_write(cg_node *n, int slot, cg_tensor *t, cg_tensor *other, int64_t version) {
    if (!n || slot >= n->nsaved || !n->saved[slot].data) return;
    cg_saved_tensor *s = &n->saved[slot];
    s->version = version;
    if (s->is_output || cg_view_root(other) != cg_view_root(t)) return;
    cg_tensor *bare = cg_new_alias(other);
    if (!bare) return;
    cg_set_ref(&s->data, bare);
}

int cg_add_(cg_tensor *t, cg_tensor *other) {
    if (!t || !other || cg_check_inplace(t, CG_INPUTS(t, other)) < 0) return -1;
    if (inplace_binary(CG_BIN_ADD, t, other, cg_result_type(t, other)) < 0) return -1;
    cg_record_inplace(&cg_op_add, t, CG_INPUTS(t, other));
    return cg_recorded_status();
}

int cg_sub_(cg_tensor *t, cg_tensor *other) {
    if (!t || !other || cg_check_inplace(t, CG_INPUTS(t, other)) < 0) return -1;
    if (cg_check_sub_dtypes(t->dtype, other->dtype, true) < 0) return -1;
    if (inplace_binary(CG_BIN_SUB, t, other, cg_result_type(t, other)) < 0) return -1;
    cg_record_inplace(&cg_op_sub, t, CG_INPUTS(t, other));
    return cg_recorded_status();
}

int cg_mul_(cg_tensor *t, cg_tensor *other) {
    if (!t || !other || cg_check_inplace(t, CG_INPUTS(t, other)) < 0) return -1;
    cg_tensor *old;
    int64_t other_version = cg_version(other);
    if (old_value(t, cg_requires_grad(other), &old) < 0) return -1; /* other's gradient: g * old t */
    if (inplace_binary(CG_BIN_MUL, t, other, cg_result_type(t, other)) < 0) return -1;
    cg_node *n = cg_record_inplace(&cg_op_mul, t, CG_INPUTS(t, other));
    cg_save_mul_inputs(n, old, other);
    save_operand_before_write(n, 1, t, other, other_version);
    return cg_recorded_status();
}

int cg_div_(cg_tensor *t, cg_tensor *other) {
    if (!t || !other || cg_check_inplace(t, CG_INPUTS(t, other)) < 0) return -1;
    cg_tensor *old;
    int64_t other_version = cg_version(other);
    if (old_value(t, cg_requires_grad(other), &old) < 0) return -1; /* other's gradient reads old t */
    if (inplace_binary(CG_BIN_DIV, t, other, cg_float_type(cg_result_type(t, other))) < 0) return -1;
    cg_node *n = cg_record_inplace(&cg_op_div, t, CG_INPUTS(t, other));
    cg_save_div_inputs(n, old, other);
    save_operand_before_write(n, 1, t, other, other_version);
    return cg_recorded_status();
}

static int inplace_scalar(cg_binary_op op, const cg_op *node, cg_tensor *t, cg_number value) {
    if (!t || cg_check_number(value) < 0 || cg_check_inplace(t, CG_INPUTS(t)) < 0) return -1;
    cg_dtype result = cg_number_result_type(t->dtype, value);
    if (cg_check_no_internal_overlap(t) < 0 || check_cast(result, t, cg_dtype_title) < 0) return -1;
    cg_scalar_box box;
    cg_kernel_binary(op, t, t, cg_box_number(&box, value, t->dtype));
    cg_bump_version(t);
    /* As out of place, the number is an empty second edge of the node (PyTorch's wrapped number). */
    cg_node *n = cg_record_inplace(node, t, CG_INPUTS(t, NULL));
    cg_node_set_number(n, 0, value);
    if (n) n->saves_number = node == &cg_op_mul_scalar;
    return cg_recorded_status();
}

int cg_add_number_(cg_tensor *t, cg_number value) { return inplace_scalar(CG_BIN_ADD, &cg_op_add_scalar, t, value); }
int cg_mul_number_(cg_tensor *t, cg_number value) { return inplace_scalar(CG_BIN_MUL, &cg_op_mul_scalar, t, value); }

int cg_clamp_number_(cg_tensor *t, cg_number min, cg_number max) {
    if (!t || cg_check_number(min) < 0 || cg_check_number(max) < 0) return -1;
    if (cg_check_inplace(t, CG_INPUTS(t)) < 0) return -1;
    cg_clamp_plan_t p;
    if (cg_clamp_plan(t, min, max, &p) < 0 || check_cast(p.dtype, t, cg_dtype_cpp_name) < 0 ||
        cg_check_no_internal_overlap(t) < 0)
        return -1;
    /* The gradient's mask is where the old values lay between the bounds: keep them (unrecorded,
     * since a mask is not differentiated). */
    cg_tensor *old = NULL;
    if (cg_is_grad_enabled() && cg_requires_grad(t)) {
        CG_NO_GRAD { old = cg_clone(t); }
        if (!old) return -1;
    }
    if (p.all_nan) {
        cg_kernel_fill(t, cg_number_float(NAN));
    } else {
        cg_kernel_clamp(t, t, p.has_min ? &p.min : NULL, p.has_max ? &p.max : NULL);
    }
    cg_bump_version(t);
    cg_save_clamp(cg_record_inplace(&cg_op_clamp, t, CG_INPUTS(t)), old, min, max);
    return cg_recorded_status();
}
