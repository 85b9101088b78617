/* Indexing ops: index_select, gather, scatter_add (out of place) and masked_fill, with PyTorch
 * 1.13's checks in its order and its messages. Each op checks everything (index values included)
 * before it allocates its output, then hands the loop to a kernel through headers that see every
 * operand with the iteration shape. */
#include "autograd/registry.h"
#include "backend/backend.h"
#include "ops/index_internal.h"

#include <float.h>
#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

/* PyTorch's ensure_nonempty_dim / ensure_nonempty_size: a 0-dim tensor counts as one dim of size 1. */
static int nonempty_ndim(const cg_tensor *t) { return t->ndim ? t->ndim : 1; }
static int64_t nonempty_size(const cg_tensor *t, int d) { return t->ndim ? t->sizes[d] : 1; }
static int64_t stride_or_zero(const cg_tensor *t, int d) { return t->ndim ? t->strides[d] : 0; }

/* A header (no reference, no scope) over t's elements with the given sizes and strides. */
static cg_tensor restrided(const cg_tensor *t, int ndim, const int64_t *sizes, const int64_t *strides) {
    cg_tensor h = *t;
    h.ndim = ndim;
    memcpy(h.sizes, sizes, (size_t)ndim * sizeof *sizes);
    memcpy(h.strides, strides, (size_t)ndim * sizeof *strides);
    h.numel = cg_shape_numel(ndim, sizes);
    return h;
}

/* t's strides for an iteration of ndim dims, with 0 along dim d (and everywhere for a 0-dim t). */
static void strides_without(const cg_tensor *t, int ndim, int d, int64_t *strides) {
    for (int k = 0; k < ndim; k++) strides[k] = k != d && t->ndim ? t->strides[k] : 0;
}

/* Records op(t, dim, index, ...) with the dim, t's shape and the index saved for backward. */
static cg_node *record_indexed(const cg_op *op, cg_tensor *out, int n, cg_tensor **inputs, int d, cg_tensor *index) {
    cg_node *node = out ? cg_record(op, out, n, inputs) : NULL;
    if (!node) return NULL;
    const cg_tensor *t = inputs[0];
    node->args[0] = d;
    node->args_meta = cg_input_meta_of(t);
    /* PyTorch saves an input only for the gradients that read it: scatter_add's index serves src's alone. */
    if (op != &cg_op_scatter_add || cg_needs_grad(node, 1)) cg_save(node, 0, index);
    return node;
}

/* Zeros of the input's shape with grad's values added at index along the node's dim. */
static cg_tensor *scatter_into_zeros(cg_node *n, cg_tensor *index, cg_tensor *grad) {
    const cg_input_meta *in = &n->args_meta;
    return cg_scatter_add(cg_zeros_on(grad, grad->dtype, in->ndim, in->sizes), (int)n->args[0], index, grad);
}

static int check_index_values(const cg_tensor *index, int64_t size, int d) {
    int64_t bad;
    if (CG_KERNEL(index, indices_in_range)(index, size, &bad)) return 0;
    cg_set_error("index %lld is out of bounds for dimension %d with size %lld", (long long)bad, d, (long long)size);
    return -1;
}

static cg_tensor *index_select(cg_tensor *t, int dim, cg_tensor *index) {
    if (!t || !index) return NULL;
    /* a meta t makes the result meta; PyTorch's CPU kernel would read a meta index's missing data */
    const cg_backend *be = cg_has_bytes(t) ? CG_COMMON_BACKEND(t, index) : cg_backend_of(t);
    if (!be) return NULL;
    int d = cg_wrap_dim(dim, t->ndim);
    if (d < 0) return NULL;
    if (index->ndim > 1) {
        cg_set_index_error("index_select(): Index is supposed to be a vector");
        return NULL;
    }
    if (index->dtype != CG_INT64) {
        cg_set_error("index_select(): Expected dtype int32 or int64 for index");
        return NULL;
    }
    int64_t n = index->numel, size = nonempty_size(t, d), bad;
    /* PyTorch 1.13 checks multi-dim inputs in a kernel of its own, with other messages, when the
     * input is empty or the dim is 1. */
    bool other_kernel = t->ndim > 1 && (t->numel == 0 || d == 1);
    if (n > 0 && t->ndim > 1 && t->numel == 0 && size == 0) {
        cg_set_error("index_select(): self indexing axis dim should be positive");
        return NULL;
    }
    if (n > 0 && !CG_KERNEL(index, indices_in_range)(index, size, &bad)) {
        if (other_kernel)
            cg_set_error("INDICES element is out of DATA bounds, id=%lld axis_dim=%lld", (long long)bad, (long long)size);
        else
            cg_set_index_error("index out of range in self");
        return NULL;
    }
    /* PyTorch 2's check, after 1.13's range check: 1.13 writes past its 1-element result. */
    if (t->ndim == 0 && index->numel != 1) {
        cg_set_error("index_select(): Index to scalar can have only 1 value, got %lld value(s)", (long long)index->numel);
        return NULL;
    }
    int64_t sizes[CG_MAX_DIMS], src_strides[CG_MAX_DIMS], index_strides[CG_MAX_DIMS] = {0};
    memcpy(sizes, t->sizes, sizeof sizes);
    if (t->ndim) sizes[d] = n;
    cg_tensor *out = cg_new_tensor_on(be, t->dtype, t->ndim, sizes);
    if (!out || n == 0) return out;
    strides_without(t, t->ndim, d, src_strides);
    if (t->ndim) index_strides[d] = stride_or_zero(index, 0);
    cg_tensor src = restrided(t, t->ndim, sizes, src_strides);
    cg_tensor idx = restrided(index, t->ndim, sizes, index_strides);
    CG_KERNEL(out, gather)(out, &src, &idx, stride_or_zero(t, d));
    return out;
}

cg_tensor *cg_index_select(cg_tensor *t, int dim, cg_tensor *index) {
    cg_tensor *out = index_select(t, dim, index);
    if (out) record_indexed(&cg_op_index_select, out, CG_INPUTS(t), cg_wrap_dim(dim, t->ndim), index);
    return cg_recorded(out);
}

/* PyTorch's index_select_backward, zeros.index_add_(dim, index, grad), as an op of its own
 * (IndexAddBackward0): a scatter_add whose index is the selection's index spread over grad's shape. */
/* index_select and gather are linear: the same selection of the tangent. */
void cg_jvp_index_select(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    (void)in;
    (void)outs;
    cg_tensor *index = cg_saved(n, 0);
    if (index) tout[0] = cg_index_select(tin[0], (int)n->args[0], index);
}

void cg_backward_index_select(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *grad = grads[0], *index = cg_saved(n, 0);
    if (!index) return;
    if (grad->ndim == 0) { /* a 0-dim input: its one element was selected */
        out[0] = grad;
        return;
    }
    int d = (int)n->args[0];
    int64_t shape[CG_MAX_DIMS];
    for (int k = 0; k < grad->ndim; k++) shape[k] = k == d ? grad->sizes[d] : 1;
    cg_tensor *result = NULL;
    CG_NO_GRAD {
        cg_tensor *spread = cg_expand_shape(cg_reshape_shape(index, grad->ndim, shape), grad->ndim, grad->sizes);
        result = spread ? scatter_into_zeros(n, spread, grad) : NULL;
    }
    if (result) cg_bump_version(result); /* PyTorch's zeros(...).index_add_(...) */
    cg_node *added = result ? cg_record(&cg_op_index_add, result, CG_INPUTS(NULL, grad)) : NULL; /* zeros, source */
    if (added) {
        added->args[0] = d;
        added->scalars[0] = 1; /* alpha */
        added->args_meta = cg_input_meta_of(grad); /* the source's shape */
        cg_save(added, 0, index);
    }
    out[0] = cg_recorded(result);
}

/* self's gradient passes through; the added source's is read back with index_select (times
 * alpha, n->scalars[0]), in the source's shape (args_meta). */
void cg_backward_index_add(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *index = cg_saved(n, 0);
    if (!index) return;
    if (cg_needs_grad(n, 0)) out[0] = grads[0];
    if (!cg_needs_grad(n, 1)) return;
    cg_tensor *g = cg_index_select(grads[0], (int)n->args[0], index);
    if (g && n->args_meta.ndim == 0) g = cg_reshape_shape(g, 0, NULL);
    out[1] = n->scalars[0] == 1 ? g : cg_mul_scalar(g, n->scalars[0]);
}

static cg_tensor *gather(cg_tensor *t, int dim, cg_tensor *index) {
    const cg_backend *be = t && index ? CG_LENIENT_BACKEND(t, index) : NULL;
    if (!be) return NULL;
    int d = cg_wrap_dim(dim, t->ndim);
    if (d < 0) return NULL;
    if (index->numel != 0) {
        if (index->dtype != CG_INT64) {
            cg_set_error("gather(): Expected dtype int64 for index");
            return NULL;
        }
        if (nonempty_ndim(t) != nonempty_ndim(index)) {
            cg_set_error("Index tensor must have the same number of dimensions as input tensor");
            return NULL;
        }
        for (int k = 0; k < nonempty_ndim(t); k++) {
            if (k != d && nonempty_size(index, k) > nonempty_size(t, k)) {
                cg_set_error("Size does not match at dimension %d expected index %s to be smaller than self %s apart "
                             "from dimension %d", k, cg_shape_text(index->ndim, index->sizes).s,
                             cg_shape_text(t->ndim, t->sizes).s, d);
                return NULL;
            }
        }
        if (check_index_values(index, nonempty_size(t, d), d) < 0) return NULL;
    }
    cg_tensor *out = cg_new_tensor_on(be, t->dtype, index->ndim, index->sizes);
    if (!out || out->numel == 0) return out;
    int64_t src_strides[CG_MAX_DIMS];
    strides_without(t, index->ndim, d, src_strides);
    cg_tensor src = restrided(t, index->ndim, index->sizes, src_strides);
    CG_KERNEL(out, gather)(out, &src, index, stride_or_zero(t, d));
    return out;
}

cg_tensor *cg_gather(cg_tensor *t, int dim, cg_tensor *index) {
    cg_tensor *out = gather(t, dim, index);
    if (out) cg_save(record_indexed(&cg_op_gather, out, CG_INPUTS(t), cg_wrap_dim(dim, t->ndim), index), 1, t);
    return cg_recorded(out);
}

void cg_jvp_gather(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    (void)in;
    (void)outs;
    cg_tensor *index = cg_saved(n, 0);
    if (index) tout[0] = cg_gather(tin[0], (int)n->args[0], index);
}

void cg_backward_gather(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *index = cg_saved(n, 0);
    if (index) out[0] = scatter_into_zeros(n, index, grads[0]);
}

/* PyTorch's scatter shape rules: index no larger than self outside dim, nor than src anywhere
 * (src NULL: a number). */
static int check_scatter_shapes(const cg_tensor *t, int d, const cg_tensor *index, const cg_tensor *src) {
    int nd = nonempty_ndim(t);
    if (nd != nonempty_ndim(index)) {
        cg_set_error("Index tensor must have the same number of dimensions as self tensor");
        return -1;
    }
    bool wrong = false;
    for (int k = 0; k < nd && !wrong; k++) wrong = k != d && nonempty_size(index, k) > nonempty_size(t, k);
    if (!src) {
        if (wrong)
            cg_set_error("Expected index %s to be smaller than self %s apart from dimension %d",
                         cg_shape_text(index->ndim, index->sizes).s, cg_shape_text(t->ndim, t->sizes).s, d);
        return wrong ? -1 : 0;
    }
    for (int k = 0; k < nd && !wrong; k++) {
        /* PyTorch reads src.size(k) here, which fails when src has fewer dims */
        if (src->ndim && k >= src->ndim) {
            cg_wrap_dim(k, src->ndim); /* out of range: sets PyTorch's message */
            return -1;
        }
        wrong = nonempty_size(index, k) > nonempty_size(src, k);
    }
    if (nonempty_ndim(src) != nonempty_ndim(index)) {
        cg_set_error("Index tensor must have the same number of dimensions as src tensor");
        return -1;
    }
    if (wrong) {
        cg_set_error("Expected index %s to be smaller than self %s apart from dimension %d and to be smaller size than "
                     "src %s", cg_shape_text(index->ndim, index->sizes).s, cg_shape_text(t->ndim, t->sizes).s, d,
                     cg_shape_text(src->ndim, src->sizes).s);
        return -1;
    }
    return 0;
}

/* PyTorch's scatter checks (scatter, scatter_add, scatter_reduce: one text; src NULL for a
 * number), *d the wrapped dim. */
static int check_scatter(cg_tensor *t, int dim, cg_tensor *index, cg_tensor *src, int *d) {
    *d = cg_wrap_dim(dim, t->ndim);
    if (*d < 0) return -1;
    if (index->numel != 0 && index->dtype != CG_INT64) {
        cg_set_error("scatter(): Expected dtype int64 for index");
        return -1;
    }
    if (src && t->dtype != src->dtype) {
        cg_set_error("scatter(): Expected self.dtype to be equal to src.dtype");
        return -1;
    }
    if (index->numel == 0) return 0;
    if (check_scatter_shapes(t, *d, index, src) < 0) return -1;
    return check_index_values(index, nonempty_size(t, *d), *d);
}

/* The scatter loop into out, a contiguous copy of t: along dim d, out[..., index[p], ...] gets
 * src[p] written (reduce < 0) or reduced in (a cg_scatter_reduction); a 0-dim src stands for every p. */
static void scatter_loop(cg_tensor *out, int d, cg_tensor *index, const cg_tensor *src, int reduce) {
    if (index->numel == 0) return;
    int64_t out_strides[CG_MAX_DIMS], src_strides[CG_MAX_DIMS];
    strides_without(out, index->ndim, d, out_strides);
    strides_without(src, index->ndim, -1, src_strides);
    cg_tensor dst = restrided(out, index->ndim, index->sizes, out_strides);
    cg_tensor from = restrided(src, index->ndim, index->sizes, src_strides);
    if (reduce < 0) CG_KERNEL(out, scatter)(&dst, index, &from, stride_or_zero(out, d));
    else CG_KERNEL(out, scatter_reduce)((cg_scatter_reduction)reduce, &dst, index, &from, stride_or_zero(out, d));
}

/* be: the operands' (lenient) backend, meta when one of them is */
static cg_tensor *scattered_copy(const cg_backend *be, cg_tensor *t, int d, cg_tensor *index, const cg_tensor *src,
                                 int reduce) {
    cg_tensor *out = cg_new_tensor_on(be, t->dtype, t->ndim, t->sizes);
    if (!out || cg_copy_across(out, t) < 0) return NULL;
    scatter_loop(out, d, index, src, reduce);
    return out;
}

/* t.clone().scatter_add_(dim, index, src) (add) or t.clone().scatter_(dim, index, src): along dim,
 * out[..., index[p], ...] += src[p] or = src[p]. */
static cg_tensor *scatter(cg_tensor *t, int dim, cg_tensor *index, cg_tensor *src, bool add) {
    int d;
    const cg_backend *be = t && index && src ? CG_LENIENT_BACKEND(t, index, src) : NULL;
    if (!be || check_scatter(t, dim, index, src, &d) < 0) return NULL;
    cg_tensor *out = scattered_copy(be, t, d, index, src, add ? CG_SCATTER_SUM : -1);
    record_indexed(add ? &cg_op_scatter_add : &cg_op_scatter, out, CG_INPUTS(t, src), d, index);
    return cg_recorded(out);
}

cg_tensor *cg_scatter_add(cg_tensor *t, int dim, cg_tensor *index, cg_tensor *src) {
    return scatter(t, dim, index, src, true);
}

cg_tensor *cg_scatter(cg_tensor *t, int dim, cg_tensor *index, cg_tensor *src) {
    return scatter(t, dim, index, src, false);
}

/* torch.scatter with a number: ScatterBackward1, whose gradient zeroes the written places. */
cg_tensor *cg_scatter_value(cg_tensor *t, int dim, cg_tensor *index, cg_number value) {
    int d;
    const cg_backend *be = t && index && cg_check_number(value) == 0 ? CG_LENIENT_BACKEND(t, index) : NULL;
    if (!be || check_scatter(t, dim, index, NULL, &d) < 0 || cg_check_number_fits(t->dtype, value) < 0) return NULL;
    cg_tensor *v = cg_full_on(be, t->dtype, 0, NULL, value), *out = v ? scattered_copy(be, t, d, index, v, -1) : NULL;
    record_indexed(&cg_op_scatter_zero, out, CG_INPUTS(t), d, index);
    return cg_recorded(out);
}

/* PyTorch 1.13's scatter(..., reduce='add'/'multiply') has no derivative. */
static void scatter_reduce_not_implemented(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    (void)n, (void)grads, (void)out;
    cg_set_error("derivative for aten::scatter is not implemented");
}
static const cg_op scatter_reduce_op = {"NotImplemented", scatter_reduce_not_implemented, "scatter_reduce_legacy"};

cg_tensor *cg_scatter_with_reduce(cg_tensor *t, int dim, cg_tensor *index, cg_tensor *src, cg_scatter_reduction reduce) {
    int d;
    const cg_backend *be = t && index && src ? CG_LENIENT_BACKEND(t, index, src) : NULL;
    if (!be) return NULL;
    if (reduce != CG_SCATTER_SUM && reduce != CG_SCATTER_PROD) {
        cg_set_error("reduce argument must be either add or multiply.");
        return NULL;
    }
    if (check_scatter(t, dim, index, src, &d) < 0) return NULL;
    cg_tensor *out = scattered_copy(be, t, d, index, src, reduce);
    if (out) cg_record(&scatter_reduce_op, out, CG_INPUTS(t, src));
    return cg_recorded(out);
}

cg_number cg_scatter_identity(cg_scatter_reduction reduce, cg_dtype dtype) {
    bool is_float = cg_dtype_is_floating(dtype);
    switch (reduce) {
    case CG_SCATTER_PROD: return cg_number_int(1);
    case CG_SCATTER_AMAX:
        return is_float ? cg_number_float(-INFINITY) : dtype == CG_BOOL ? cg_number_bool(false) : cg_number_int(INT64_MIN);
    case CG_SCATTER_AMIN:
        return is_float ? cg_number_float(INFINITY) : dtype == CG_BOOL ? cg_number_bool(true) : cg_number_int(INT64_MAX);
    default: return cg_number_int(0);
    }
}

/* The scatter_reduce forward, unrecorded: a contiguous copy of t reduced in place. */
static cg_tensor *scatter_reduced(const cg_backend *be, cg_tensor *t, int dim, cg_tensor *index, cg_tensor *src,
                                  cg_scatter_reduction reduce, bool include_self, int *d) {
    if (check_scatter(t, dim, index, src, d) < 0) return NULL;
    if (reduce == CG_SCATTER_MEAN && t->dtype == CG_BOOL) {
        cg_set_error("\"scatter_gather_tensor_cpu_reduce_mean\" not implemented for 'Bool'");
        return NULL;
    }
    static atomic_bool warned;
    if (!atomic_exchange(&warned, true)) cg_warn("scatter_reduce() is in beta and the API may change at any time.");
    cg_tensor *out = cg_new_tensor_on(be, t->dtype, t->ndim, t->sizes), *init = NULL;
    if (!out || cg_copy_across(out, t) < 0) return NULL;
    if (!include_self && !(init = cg_full_on(be, t->dtype, 0, NULL, cg_scatter_identity(reduce, t->dtype)))) return NULL;
    if (init) scatter_loop(out, *d, index, init, -1);
    scatter_loop(out, *d, index, src, reduce);
    if (reduce != CG_SCATTER_MEAN) return out;
    /* the sum divided by how many were summed (self counting once when included; floor for int64) */
    CG_NO_GRAD {
        cg_tensor *count = include_self ? cg_ones_like(out) : cg_zeros_like(out);
        count = cg_scatter_add(count, *d, index, cg_ones_like(src));
        count = count ? cg_masked_fill(count, cg_eq_scalar(count, 0), 1) : NULL;
        out = cg_dtype_is_floating(t->dtype) ? cg_div(out, count) : cg_div_mode(out, count, "floor");
    }
    return out;
}

cg_tensor *cg_scatter_reduce(cg_tensor *t, int dim, cg_tensor *index, cg_tensor *src, cg_scatter_reduction reduce,
                             bool include_self) {
    int d = 0;
    const cg_backend *be = t && index && src ? CG_LENIENT_BACKEND(t, index, src) : NULL;
    cg_tensor *out = be ? scatter_reduced(be, t, dim, index, src, reduce, include_self, &d) : NULL;
    cg_node *n = record_indexed(&cg_op_scatter_reduce, out, CG_INPUTS(t, src), d, index);
    if (n) {
        n->args[1] = reduce;
        n->args[2] = include_self;
        cg_save(n, 1, t);
        cg_save(n, 2, src);
        cg_save(n, 3, out);
    }
    return cg_recorded(out);
}

/* PyTorch 1.13's DelayedError: its message in args[0]. */
static void delayed_error(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    (void)grads, (void)out;
    cg_set_error("%s", (const char *)(intptr_t)n->args[0]);
}
static const cg_op delayed_error_op = {"Error", delayed_error, "delayed_error"};

cg_tensor *cg_delayed_error(cg_tensor *grad, const char *message) {
    if (!grad || !cg_requires_grad(grad)) return grad;
    cg_tensor *out = cg_detach(grad);
    cg_node *n = out ? cg_record(&delayed_error_op, out, CG_INPUTS(grad)) : NULL;
    if (n) n->args[0] = (int64_t)(intptr_t)message;
    return cg_recorded(out);
}

/* PyTorch 1.13's scatter_reduce_backward, composed of ops (so it has its own gradient). */
void cg_backward_scatter_reduce(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *index = cg_saved(n, 0), *self = cg_saved(n, 1), *src = cg_saved(n, 2), *result = cg_saved(n, 3);
    if (!index || !self || !src || !result) return;
    int d = (int)n->args[0];
    cg_scatter_reduction reduce = (cg_scatter_reduction)n->args[1];
    bool include_self = n->args[2];
    cg_tensor *g = grads[0], *gs = NULL, *gsrc = NULL;
    if (reduce == CG_SCATTER_SUM) {
        gs = g;
        gsrc = cg_gather(g, d, index);
    } else if (reduce == CG_SCATTER_PROD) {
        /* the products without each zero, so a single zero still gets its gradient */
        cg_tensor *masked_self = cg_masked_fill(self, cg_eq_scalar(self, 0), 1);
        gs = cg_div(cg_mul(g, cg_scatter_reduce(masked_self, d, index, src, reduce, include_self)), masked_self);
        cg_tensor *src_zero = cg_eq_scalar(src, 0);
        cg_tensor *zeros_count = cg_gather(cg_scatter_add(cg_zeros_like(self), d, index, cg_to(src_zero, self->dtype)), d, index);
        cg_tensor *single = cg_logical_and(src_zero, cg_eq_scalar(zeros_count, 1));
        cg_tensor *masked_src_result = cg_scatter_reduce(self, d, index, cg_masked_fill(src, single, 1), reduce, include_self);
        gsrc = cg_where(single, cg_gather(cg_mul(g, masked_src_result), d, index),
                        cg_div(cg_gather(cg_mul(g, result), d, index), cg_masked_fill(src, src_zero, 1)));
        bool refused = false;
        CG_NO_GRAD { refused = cg_item(cg_any(cg_gt_scalar(zeros_count, 1))) != 0; }
        if (refused)
            gsrc = cg_delayed_error(gsrc, "scatter_reduce(): Double backward is unsupported for src when >1 zeros in src "
                                          "are scattered to the same position in self");
    } else if (reduce == CG_SCATTER_MEAN) {
        cg_tensor *count = cg_scatter_add(include_self ? cg_ones_like(g) : cg_zeros_like(g), d, index, cg_ones_like(src));
        count = cg_masked_fill(count, cg_eq_scalar(count, 0), 1);
        gs = cg_div(g, count);
        gsrc = cg_div(cg_gather(g, d, index), cg_gather(count, d, index));
    } else { /* amax, amin: the gradient shared evenly among the elements equal to the result */
        cg_tensor *value = cg_gather(result, d, index), *self_is = cg_eq(self, result), *src_is = cg_eq(src, value);
        cg_tensor *shares = cg_scatter_add(cg_to(self_is, self->dtype), d, index, cg_to(src_is, self->dtype));
        cg_tensor *distributed = cg_div(g, shares);
        gs = cg_mul(self_is, distributed);
        gsrc = cg_mul(src_is, cg_gather(distributed, d, index));
    }
    if (!include_self) gs = cg_scatter_value(gs, d, index, cg_number_int(0));
    if (cg_needs_grad(n, 0)) out[0] = gs;
    if (cg_needs_grad(n, 1)) out[1] = gsrc;
}
/* grad.scatter(dim, index, 0), PyTorch's scatter with a number (ScatterBackward1): the places
 * index names zeroed. Its own gradient zeroes them again. */
static cg_tensor *scatter_zero(cg_tensor *grad, int d, cg_tensor *index) {
    cg_tensor *out = NULL;
    CG_NO_GRAD { out = cg_scatter(grad, d, index, cg_zeros_on(grad, grad->dtype, index->ndim, index->sizes)); }
    record_indexed(&cg_op_scatter_zero, out, CG_INPUTS(grad), d, index);
    return cg_recorded(out);
}

void cg_backward_scatter_zero(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *index = cg_saved(n, 0);
    if (index) out[0] = scatter_zero(grads[0], (int)n->args[0], index);
}

/* self's gradient is grad with the written places zeroed; src's is read back from where each
 * element went. */
void cg_backward_scatter(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *index = cg_saved(n, 0);
    if (!index) return;
    int d = (int)n->args[0];
    if (cg_needs_grad(n, 0)) out[0] = scatter_zero(grads[0], d, index);
    if (cg_needs_grad(n, 1)) out[1] = cg_gather(grads[0], d, index);
}

/* self's gradient passes through; src's is read back from where each element went. */
void cg_backward_scatter_add(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    if (cg_needs_grad(n, 0)) out[0] = grads[0];
    if (!cg_needs_grad(n, 1)) return;
    cg_tensor *index = cg_saved(n, 0);
    if (index) out[1] = cg_gather(grads[0], (int)n->args[0], index);
}

/* scatter, scatter_add and index_add are linear in self and src together: the same op on their
 * tangents (zeros for one without); scatter_zero is linear in grad. */
static cg_tensor *self_tangent(cg_tensor *tangent, cg_tensor *out) {
    return tangent ? tangent : cg_zeros_on(out, out->dtype, out->ndim, out->sizes);
}

void cg_jvp_scatter(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    bool add = n->op == &cg_op_scatter_add;
    cg_tensor *index = cg_saved(n, 0), *self = self_tangent(tin[0], outs[0]);
    if (add && !tin[1]) { /* scatter_add keeps no index then: self's tangent is all */
        tout[0] = self;
        return;
    }
    cg_tensor *src = cg_tangent_or_zeros(in[1], tin[1], outs[0]->dtype);
    if (index) tout[0] = (add ? cg_scatter_add : cg_scatter)(self, (int)n->args[0], index, src);
}

void cg_jvp_scatter_zero(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    (void)in;
    (void)outs;
    cg_tensor *index = cg_saved(n, 0);
    if (index) tout[0] = scatter_zero(tin[0], (int)n->args[0], index);
}

void cg_jvp_index_add(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    cg_tensor *index = cg_saved(n, 0), *self = self_tangent(tin[0], outs[0]);
    cg_tensor *source = cg_tangent_or_zeros(in[1], tin[1], outs[0]->dtype);
    if (index) tout[0] = cg_index_add_number(self, (int)n->args[0], index, source, cg_number_float(n->scalars[0]));
}

/* A copy of t (broadcast with mask) with value wherever mask is true. */
cg_tensor *cg_masked_fill_number(cg_tensor *t, cg_tensor *mask, cg_number value) {
    if (!t || !mask) return NULL;
    if (cg_has_bytes(t) && !cg_has_bytes(mask)) { /* PyTorch's clone of t, then masked_fill_ */
        cg_set_error_kind(CG_NOT_IMPLEMENTED_ERROR, "Cannot inplace into non-meta tensor with meta tensor argument");
        return NULL;
    }
    if (!CG_LENIENT_BACKEND(t, mask)) return NULL;
    int64_t sizes[CG_MAX_DIMS];
    int ndim = cg_broadcast_shapes(mask->ndim, mask->sizes, t->ndim, t->sizes, sizes);
    if (ndim < 0) return NULL;
    if (mask->dtype != CG_BOOL) { /* PyTorch 2's text: 1.13 reads such a mask's bytes as bools */
        cg_set_error("masked_fill_ only supports boolean masks, but got mask with dtype %s", cg_dtype_cpp_name(mask->dtype));
        return NULL;
    }
    if (cg_check_number_fits(t->dtype, value) < 0) return NULL;
    cg_tensor *out = cg_new_on(t, t->dtype, ndim, sizes);
    if (!out) return NULL;
    CG_KERNEL(out, copy)(out, t);
    CG_KERNEL(out, masked_fill)(out, mask, value);
    cg_node *n = cg_record(&cg_op_masked_fill, out, CG_INPUTS(t));
    cg_save(n, 0, mask);
    return cg_recorded(out);
}

/* masked_fill with a 0-dim tensor value, cast to t's dtype (MaskedFillBackward1: value gets the sum
 * of the gradient over the filled places). */
cg_tensor *cg_masked_fill_tensor(cg_tensor *t, cg_tensor *mask, cg_tensor *value) {
    if (!t || !mask || !value) return NULL;
    if (value->ndim != 0) {
        cg_set_error("masked_fill_ only supports a 0-dimensional value tensor, but got tensor with %d dimension(s).",
                     value->ndim);
        return NULL;
    }
    if (mask->dtype != CG_BOOL) {
        cg_set_error("masked_fill_ only supports boolean masks, but got mask with dtype %s", cg_dtype_cpp_name(mask->dtype));
        return NULL;
    }
    cg_tensor *out = NULL;
    CG_NO_GRAD {
        out = cg_where(mask, cg_to(value, t->dtype), t);
        /* PyTorch fills a row-major clone (clone(contiguous_format)), whatever t's layout */
        if (out && !cg_is_row_major(out)) out = cg_clone_contiguous(out);
    }
    /* PyTorch's kernel converts value.item() to t's dtype, checked, once the shapes broadcast. */
    if (out && cg_has_bytes(value) && cg_dtype_is_floating(value->dtype) && cg_check_number_fits(t->dtype, cg_number_float(cg_item(value))) < 0)
        return NULL;
    /* PyTorch gives the result its history after computing it, and asserts it can have one. */
    if (out && cg_is_grad_enabled() && cg_requires_grad(value) && !cg_dtype_is_floating(out->dtype)) {
        cg_set_error("isDifferentiableType(variable.scalar_type()) INTERNAL ASSERT FAILED at "
                     "\"./torch/csrc/autograd/functions/utils.h\":75, please report a bug to PyTorch. ");
        return NULL;
    }
    cg_node *n = out ? cg_record(&cg_op_masked_fill_tensor, out, CG_INPUTS(t, value)) : NULL;
    if (n) cg_save(n, 0, mask);
    return cg_recorded(out);
}

/* The value's tangent where the mask is set, self's elsewhere. */
void cg_jvp_masked_fill_tensor(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    cg_tensor *mask = cg_saved(n, 0);
    cg_dtype dtype = outs[0]->dtype;
    cg_tensor *self = cg_tangent_or_zeros(in[0], tin[0], dtype), *value = cg_tangent_or_zeros(in[1], tin[1], dtype);
    if (mask && self && value) tout[0] = cg_where(mask, value, self);
}

void cg_backward_masked_fill_tensor(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *mask = cg_saved(n, 0), *g = grads[0];
    if (!mask) return;
    if (cg_needs_grad(n, 0)) out[0] = cg_masked_fill(g, mask, 0);
    if (cg_needs_grad(n, 1)) out[1] = cg_sum(cg_where(mask, g, cg_scalar(0, g->dtype)));
}

/* The filled elements no longer depend on t. */
void cg_backward_masked_fill(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *mask = cg_saved(n, 0);
    if (mask) out[0] = cg_masked_fill(grads[0], mask, 0);
}
