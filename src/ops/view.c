/* Views and shape: view, reshape, expand, permute, flatten, squeeze, unsqueeze, transpose, t,
 * select, slice, narrow, unbind, split, chunk.
 *
 * A view shares its input's storage and version counter. Every view is made by view_of, the one
 * place that marks a view's base for autograd. Sizes, strides and storage offsets follow
 * PyTorch exactly, including the odd corners (stride of a size-1 dim, empty tensors). */
#include "autograd/registry.h"
#include "backend/backend.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* ---- small helpers ---- */

/* The input itself, as a new reference in the current scope (PyTorch returns `self`). */
static cg_tensor *same_tensor(cg_tensor *t) { return cg_scope_retain(t); }

/* The view ops with an autograd kernel of their own in PyTorch check their input's history first
 * (cg_check_history_readable); the composite ones (reshape, flatten, narrow, chunk) check their
 * arguments before the op they call does. */
static cg_tensor *view_of(cg_tensor *t, int ndim, const int64_t *sizes, const int64_t *strides, int64_t offset) {
    return cg_as_view(cg_new_view(t, ndim, sizes, strides, offset), t);
}

/* Records a view op whose backward needs only the input's shape (kept in args_meta). */
static cg_node *record_shaped(const cg_op *op, cg_tensor *out, cg_tensor *t) {
    cg_node *n = out ? cg_record(op, out, CG_INPUTS(t)) : NULL;
    if (n) n->args_meta = cg_input_meta_of(t);
    return n;
}

/* The gradient of an op that only rearranges its input's elements in a new shape. */
static cg_tensor *reshape_back(const cg_node *n, cg_tensor *grad) {
    return cg_reshape_shape(grad, n->args_meta.ndim, n->args_meta.sizes);
}

/* Zeros of the input's shape in the grad's dtype, for the backward of ops that pick a part of it. */
static cg_tensor *zeros_of_input(const cg_node *n, const cg_tensor *grad) {
    return cg_zeros_on(grad, grad->dtype, n->args_meta.ndim, n->args_meta.sizes);
}

/* A count and its array, as the shape and dims arguments come: the count in range, the array there. */
static int check_list(int ndim, const int64_t *list, const char *what) {
    if (cg_check_ndim(ndim) < 0) return -1;
    if (ndim > 0 && !list) {
        cg_set_type_error("%s is NULL for %d dimensions", what, ndim);
        return -1;
    }
    return 0;
}

/* ---- view and reshape ---- */

/* Resolves one -1 in sizes against numel (PyTorch's infer_size); error and -1 when impossible. */
static int infer_sizes(int ndim, const int64_t *sizes, int64_t numel, int64_t *out) {
    if (check_list(ndim, sizes, "sizes") < 0) return -1;
    int infer = -1;
    int64_t known = 1;
    for (int d = 0; d < ndim; d++) {
        out[d] = sizes[d];
        if (sizes[d] == -1) {
            if (infer >= 0) {
                cg_set_error("only one dimension can be inferred");
                return -1;
            }
            infer = d;
        } else if (sizes[d] >= 0) {
            if (__builtin_mul_overflow(known, sizes[d], &known)) known = -1; /* matches no numel */
        } else {
            cg_set_error("invalid shape dimension %lld", (long long)sizes[d]);
            return -1;
        }
    }
    if (numel == known || (infer >= 0 && known > 0 && numel % known == 0)) {
        if (infer < 0) return 0;
        if (known == 0) {
            cg_set_error("cannot reshape tensor of 0 elements into shape %s because the unspecified dimension size -1 "
                         "can be any value and is ambiguous", cg_shape_text(ndim, sizes).s);
            return -1;
        }
        out[infer] = numel / known;
        return 0;
    }
    cg_set_error("shape '%s' is invalid for input of size %lld", cg_shape_text(ndim, sizes).s, (long long)numel);
    return -1;
}

/* Strides that let t be viewed with the given sizes, or false when none exist (PyTorch's
 * computeStride). The old dims fall into chunks that are contiguous among themselves: a dim
 * continues the chunk of the dim after it when its stride is that chunk's numel times the chunk's
 * innermost stride (size-1 dims never break a chunk). Each chunk must be covered by a run of new
 * dims whose sizes multiply to the chunk's numel; they are laid out row-major inside it. */
static bool view_strides(const cg_tensor *t, int ndim, const int64_t *sizes, int64_t *strides) {
    if (t->ndim == 0) {
        for (int d = 0; d < ndim; d++) strides[d] = 1;
        return true;
    }
    if (t->numel == 0) {
        if (cg_same_shape(ndim, sizes, t->ndim, t->sizes)) memcpy(strides, t->strides, (size_t)ndim * sizeof *strides);
        else cg_contiguous_strides(ndim, sizes, strides);
        return true;
    }
    int v = ndim - 1;
    int64_t chunk_stride = t->strides[t->ndim - 1], chunk_numel = 1, view_numel = 1;
    for (int d = t->ndim - 1; d >= 0; d--) {
        chunk_numel *= t->sizes[d];
        bool chunk_ends = d == 0 || (t->sizes[d - 1] != 1 && t->strides[d - 1] != chunk_numel * chunk_stride);
        if (!chunk_ends) continue;
        while (v >= 0 && (view_numel < chunk_numel || sizes[v] == 1)) {
            strides[v] = view_numel * chunk_stride;
            view_numel *= sizes[v];
            v--;
        }
        if (view_numel != chunk_numel) return false;
        if (d > 0) {
            chunk_stride = t->strides[d - 1];
            chunk_numel = view_numel = 1;
        }
    }
    return v == -1;
}

cg_tensor *cg_view_shape(cg_tensor *t, int ndim, const int64_t *sizes) {
    if (!t || cg_check_history_readable(t) < 0) return NULL;
    int64_t shape[CG_MAX_DIMS], strides[CG_MAX_DIMS];
    if (infer_sizes(ndim, sizes, t->numel, shape) < 0) return NULL;
    if (!view_strides(t, ndim, shape, strides)) {
        cg_set_error("view size is not compatible with input tensor's size and stride (at least one dimension spans "
                     "across two contiguous subspaces). Use .reshape(...) instead.");
        return NULL;
    }
    cg_tensor *out = view_of(t, ndim, shape, strides, t->offset);
    record_shaped(&cg_op_view, out, t);
    return cg_recorded(out);
}

void cg_backward_view(cg_node *n, cg_tensor **grads, cg_tensor **out) { out[0] = reshape_back(n, grads[0]); }

/* A view when one exists (ReshapeAliasBackward0, as PyTorch 1.13's _reshape_alias), else, as
 * PyTorch's _unsafe_view(clone(t)), a contiguous copy (CloneBackward0) seen with the new shape
 * (UnsafeViewBackward0): not a view of t. */
cg_tensor *cg_reshape_shape(cg_tensor *t, int ndim, const int64_t *sizes) {
    if (!t) return NULL;
    int64_t shape[CG_MAX_DIMS], strides[CG_MAX_DIMS];
    if (infer_sizes(ndim, sizes, t->numel, shape) < 0) return NULL;
    if (view_strides(t, ndim, shape, strides)) {
        cg_tensor *out = view_of(t, ndim, shape, strides, t->offset);
        record_shaped(&cg_op_reshape_alias, out, t);
        return cg_recorded(out);
    }
    cg_tensor *copy = cg_clone_contiguous(t);
    if (!copy) return NULL;
    cg_contiguous_strides(ndim, shape, strides);
    cg_tensor *out = cg_new_view(copy, ndim, shape, strides, copy->offset);
    record_shaped(&cg_op_unsafe_view, out, copy);
    return cg_recorded(out);
}

void cg_backward_reshape_alias(cg_node *n, cg_tensor **grads, cg_tensor **out) { out[0] = reshape_back(n, grads[0]); }
void cg_backward_unsafe_view(cg_node *n, cg_tensor **grads, cg_tensor **out) { out[0] = reshape_back(n, grads[0]); }

/* ---- expand and permute ---- */

cg_tensor *cg_expand_shape(cg_tensor *t, int ndim, const int64_t *sizes) {
    if (!t || cg_check_history_readable(t) < 0) return NULL;
    if (check_list(ndim, sizes, "sizes") < 0) return NULL;
    if (ndim < t->ndim) {
        cg_set_error("expand(%s{%s}, size=%s): the number of sizes provided (%d) must be greater or equal to the number "
                     "of dimensions in the tensor (%d)", cg_dtype_legacy_name(t->dtype), cg_shape_text(t->ndim, t->sizes).s,
                     cg_shape_text(ndim, sizes).s, ndim, t->ndim);
        return NULL;
    }
    int64_t out_sizes[CG_MAX_DIMS], out_strides[CG_MAX_DIMS];
    /* Right-aligned: a new leading dim of size 1 gets the stride that would make it contiguous with
     * the dim after it, as in PyTorch; any other broadcast dim gets stride 0. A 0-dim input takes the
     * target sizes verbatim (-1 included) with stride 0 everywhere, as PyTorch 1.13 does. */
    for (int i = ndim - 1; i >= 0; i--) {
        int d = i - (ndim - t->ndim);
        if (t->ndim == 0) {
            out_sizes[i] = sizes[i];
            out_strides[i] = 0;
            continue;
        }
        int64_t size = d >= 0 ? t->sizes[d] : 1;
        int64_t stride = d >= 0 ? t->strides[d] : out_sizes[i + 1] * out_strides[i + 1];
        int64_t want = sizes[i];
        if (want == -1) {
            if (d < 0) {
                cg_set_error("The expanded size of the tensor (-1) isn't allowed in a leading, non-existing dimension %d", i);
                return NULL;
            }
            want = size;
        }
        if (size != want) {
            if (size != 1) {
                cg_set_error("The expanded size of the tensor (%lld) must match the existing size (%lld) at non-singleton "
                             "dimension %d.  Target sizes: %s.  Tensor sizes: %s", (long long)want, (long long)size, i,
                             cg_shape_text(ndim, sizes).s, cg_shape_text(t->ndim, t->sizes).s);
                return NULL;
            }
            size = want;
            stride = 0;
        }
        out_sizes[i] = size;
        out_strides[i] = stride;
    }
    for (int i = 0; i < ndim; i++) {
        if (out_sizes[i] < 0) { /* PyTorch 1.13's numel check catches a negative target like -2 */
            cg_set_error("numel: integer multiplication overflow");
            return NULL;
        }
    }
    cg_tensor *out = view_of(t, ndim, out_sizes, out_strides, t->offset);
    record_shaped(&cg_op_expand, out, t);
    return cg_recorded(out);
}

/* Each input element was repeated along the expanded dims: its gradient is the sum over them. */
void cg_backward_expand(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    out[0] = cg_sum_to(grads[0], n->args_meta.ndim, n->args_meta.sizes);
}

cg_tensor *cg_permute_dims(cg_tensor *t, int ndim, const int64_t *dims) {
    if (!t || cg_check_history_readable(t) < 0) return NULL;
    if (ndim != t->ndim) {
        cg_set_error("permute(sparse_coo): number of dimensions in the tensor input does not match the length of the "
                     "desired ordering of dimensions i.e. input.dim() = %d is not equal to len(dims) = %d", t->ndim, ndim);
        return NULL;
    }
    if (check_list(ndim, dims, "dims") < 0) return NULL;
    int64_t sizes[CG_MAX_DIMS], strides[CG_MAX_DIMS], order[CG_MAX_DIMS] = {0};
    bool seen[CG_MAX_DIMS] = {false};
    for (int i = 0; i < ndim; i++) {
        int d = (int)cg_wrap_index(dims[i], t->ndim);
        if (d < 0) return NULL;
        if (seen[d]) {
            cg_set_error("permute(): duplicate dims are not allowed.");
            return NULL;
        }
        seen[d] = true;
        sizes[i] = t->sizes[d];
        strides[i] = t->strides[d];
        order[i] = d;
    }
    cg_tensor *out = view_of(t, ndim, sizes, strides, t->offset);
    cg_node *n = out ? cg_record(&cg_op_permute, out, CG_INPUTS(t)) : NULL;
    if (n) memcpy(n->args, order, sizeof order);
    return cg_recorded(out);
}

/* Output dim i is input dim args[i]: the inverse permutation puts the gradient's dims back. */
void cg_backward_permute(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    int ndim = grads[0]->ndim;
    int64_t inverse[CG_MAX_DIMS];
    for (int i = 0; i < ndim; i++) inverse[n->args[i]] = i;
    out[0] = cg_permute_dims(grads[0], ndim, inverse);
}

/* ---- flatten, squeeze, unsqueeze, transpose ---- */

cg_tensor *cg_flatten(cg_tensor *t, int start_dim, int end_dim) {
    if (!t) return NULL;
    int start = cg_wrap_dim(start_dim, t->ndim);
    if (start < 0) return NULL;
    int end = cg_wrap_dim(end_dim, t->ndim);
    if (end < 0) return NULL;
    if (start > end) {
        cg_set_error("flatten() has invalid args: start_dim cannot come after end_dim");
        return NULL;
    }
    if (t->ndim == 0) return cg_reshape_shape(t, 1, (const int64_t[]){1});
    if (start == end) return same_tensor(t);
    int64_t sizes[CG_MAX_DIMS];
    int n = 0;
    for (int d = 0; d < start; d++) sizes[n++] = t->sizes[d];
    sizes[n++] = cg_shape_numel(end - start + 1, t->sizes + start);
    for (int d = end + 1; d < t->ndim; d++) sizes[n++] = t->sizes[d];
    return cg_reshape_shape(t, n, sizes);
}

/* The view of t without the dims marked in drop, starting at offset. */
static cg_tensor *drop_dims(cg_tensor *t, const bool *drop, int64_t offset) {
    int64_t sizes[CG_MAX_DIMS], strides[CG_MAX_DIMS];
    int n = 0;
    for (int d = 0; d < t->ndim; d++) {
        if (drop[d]) continue;
        sizes[n] = t->sizes[d];
        strides[n++] = t->strides[d];
    }
    return view_of(t, n, sizes, strides, offset);
}

cg_tensor *cg_squeeze(cg_tensor *t) {
    if (!t || cg_check_history_readable(t) < 0) return NULL;
    bool drop[CG_MAX_DIMS];
    for (int d = 0; d < t->ndim; d++) drop[d] = t->sizes[d] == 1;
    cg_tensor *out = drop_dims(t, drop, t->offset);
    record_shaped(&cg_op_squeeze, out, t);
    return cg_recorded(out);
}

/* Recorded even when the dim is not of size 1 (nothing dropped), as in PyTorch. */
cg_tensor *cg_squeeze_dim(cg_tensor *t, int dim) {
    if (!t || cg_check_history_readable(t) < 0) return NULL;
    int d = cg_wrap_dim(dim, t->ndim);
    if (d < 0) return NULL;
    bool drop[CG_MAX_DIMS] = {false};
    if (t->ndim > 0) drop[d] = t->sizes[d] == 1;
    cg_tensor *out = drop_dims(t, drop, t->offset);
    cg_node *n = record_shaped(&cg_op_squeeze_dim, out, t);
    if (n) n->args[0] = d;
    return cg_recorded(out);
}

/* PyTorch's unsqueeze_to: the gradient takes the dropped dims of size 1 back, one unsqueeze each
 * (for squeeze_dim, the one dim when it had size 1). */
static cg_tensor *unsqueeze_to(const cg_node *n, cg_tensor *grad, int only) {
    const cg_input_meta *in = &n->args_meta;
    for (int d = 0; d < in->ndim && grad; d++)
        if (in->sizes[d] == 1 && (only < 0 || d == only)) grad = cg_unsqueeze(grad, d);
    return grad;
}

void cg_backward_squeeze(cg_node *n, cg_tensor **grads, cg_tensor **out) { out[0] = unsqueeze_to(n, grads[0], -1); }
void cg_backward_squeeze_dim(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    out[0] = unsqueeze_to(n, grads[0], (int)n->args[0]);
}

cg_tensor *cg_unsqueeze(cg_tensor *t, int dim) {
    if (!t || cg_check_history_readable(t) < 0) return NULL;
    int d = cg_wrap_dim(dim, t->ndim + 1);
    if (d < 0) return NULL;
    if (cg_check_ndim(t->ndim + 1) < 0) return NULL;
    int64_t sizes[CG_MAX_DIMS], strides[CG_MAX_DIMS];
    for (int i = 0, j = 0; i <= t->ndim; i++) {
        if (i == d) {
            /* PyTorch: the stride the dim would have if it sat just outside the dim it precedes. */
            sizes[i] = 1;
            strides[i] = d < t->ndim ? t->sizes[d] * t->strides[d] : 1;
        } else {
            sizes[i] = t->sizes[j];
            strides[i] = t->strides[j++];
        }
    }
    cg_tensor *out = view_of(t, t->ndim + 1, sizes, strides, t->offset);
    cg_node *n = out ? cg_record(&cg_op_unsqueeze, out, CG_INPUTS(t)) : NULL;
    if (n) n->args[0] = d;
    return cg_recorded(out);
}

void cg_backward_unsqueeze(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    out[0] = cg_squeeze_dim(grads[0], (int)n->args[0]);
}

/* The view with dims a and b (already wrapped) swapped; not recorded. */
static cg_tensor *swapped_view(cg_tensor *t, int a, int b) {
    int64_t sizes[CG_MAX_DIMS], strides[CG_MAX_DIMS];
    memcpy(sizes, t->sizes, sizeof sizes);
    memcpy(strides, t->strides, sizeof strides);
    if (t->ndim > 0) {
        sizes[a] = t->sizes[b], sizes[b] = t->sizes[a];
        strides[a] = t->strides[b], strides[b] = t->strides[a];
    }
    return view_of(t, t->ndim, sizes, strides, t->offset);
}

cg_tensor *cg_transpose(cg_tensor *t, int dim0, int dim1) {
    if (!t || cg_check_history_readable(t) < 0) return NULL;
    int a = cg_wrap_dim(dim0, t->ndim);
    if (a < 0) return NULL;
    int b = cg_wrap_dim(dim1, t->ndim);
    if (b < 0) return NULL;
    cg_tensor *out = swapped_view(t, a, b);
    cg_node *n = out ? cg_record(&cg_op_transpose, out, CG_INPUTS(t)) : NULL;
    if (n) {
        n->args[0] = a;
        n->args[1] = b;
    }
    return cg_recorded(out);
}

void cg_backward_transpose(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    out[0] = cg_transpose(grads[0], (int)n->args[0], (int)n->args[1]);
}

/* A node of its own (TBackward0), also for 0-D and 1-D inputs, where t() is a new view of t. */
cg_tensor *cg_t(cg_tensor *t) {
    if (!t || cg_check_history_readable(t) < 0) return NULL;
    if (t->ndim > 2) {
        cg_set_error("t() expects a tensor with <= 2 dimensions, but self is %dD", t->ndim);
        return NULL;
    }
    cg_tensor *out = swapped_view(t, 0, t->ndim < 2 ? 0 : 1);
    if (out) cg_record(&cg_op_t, out, CG_INPUTS(t));
    return cg_recorded(out);
}

/* x.mT and x.mH (the same on real dtypes): the last two dims swapped; a 0-D t is t itself. */
static cg_tensor *matrix_transpose(cg_tensor *t, const char *name) {
    if (!t) return NULL;
    if (t->ndim == 0) return same_tensor(t);
    if (t->ndim == 1) {
        cg_set_error("tensor.%s is only supported on matrices or batches of matrices. Got 1-D tensor.", name);
        return NULL;
    }
    return cg_transpose(t, -2, -1);
}
cg_tensor *cg_mT(cg_tensor *t) { return matrix_transpose(t, "mT"); }
cg_tensor *cg_mH(cg_tensor *t) { return matrix_transpose(t, "mH"); }

/* x.H: a matrix transposed (a 0-D t is t itself). */
cg_tensor *cg_H(cg_tensor *t) {
    if (!t) return NULL;
    if (t->ndim == 0) return same_tensor(t);
    if (t->ndim != 2) {
        cg_set_error("tensor.H is only supported on matrices (2-D tensors). Got %d-D tensor.%s", t->ndim,
                     t->ndim > 2 ? " For batches of matrices, consider using tensor.mH" : "");
        return NULL;
    }
    return cg_transpose(t, 0, 1);
}

/* x.T: every dim reversed (a permute, PermuteBackward0), with PyTorch's warning once for other than 0 or 2 dims. */
cg_tensor *cg_T(cg_tensor *t) {
    if (!t) return NULL;
    static atomic_bool warned;
    if (t->ndim != 0 && t->ndim != 2 && !atomic_exchange(&warned, true))
        cg_warn("The use of `x.T` on tensors of dimension other than 2 to reverse their shape is deprecated and it will "
                "throw an error in a future release. Consider `x.mT` to transpose batches of matrices or "
                "`x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the dimensions of a tensor.");
    int64_t dims[CG_MAX_DIMS];
    for (int i = 0; i < t->ndim; i++) dims[i] = t->ndim - 1 - i;
    return cg_permute_dims(t, t->ndim, dims);
}

void cg_backward_t(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    (void)n;
    out[0] = cg_t(grads[0]);
}

/* ---- select, slice, narrow ---- */

/* The view of t at index (in range) along dim d, without that dim; not recorded. */
static cg_tensor *selected_view(cg_tensor *t, int d, int64_t index) {
    bool drop[CG_MAX_DIMS] = {false};
    drop[d] = true;
    return drop_dims(t, drop, t->offset + index * t->strides[d]);
}

static cg_tensor *record_select(cg_tensor *out, cg_tensor *t, int d, int64_t index) {
    cg_node *n = record_shaped(&cg_op_select, out, t);
    if (n) {
        n->args[0] = d;
        n->args[1] = index;
    }
    return cg_recorded(out);
}

cg_tensor *cg_select(cg_tensor *t, int dim, int64_t index) {
    if (!t || cg_check_history_readable(t) < 0) return NULL;
    if (t->ndim == 0) {
        cg_set_index_error("select() cannot be applied to a 0-dim tensor.");
        return NULL;
    }
    int d = cg_wrap_dim(dim, t->ndim);
    if (d < 0) return NULL;
    int64_t size = t->sizes[d];
    if (index < -size || index >= size) {
        cg_set_index_error("select(): index %lld out of range for tensor of size %s at dimension %d", (long long)index,
                           cg_shape_text(t->ndim, t->sizes).s, d);
        return NULL;
    }
    if (index < 0) index += size;
    return record_select(selected_view(t, d, index), t, d, index);
}

/* PyTorch's select_backward and slice_backward: zeros of the input's shape (args_meta) with grad
 * copied into the part the view took, an op of its own (SelectBackwardBackward0,
 * SliceBackwardBackward0) whose backward takes that part again. The view node's args say which. */
static cg_tensor *slice_view(cg_tensor *t, int d, int64_t start, int64_t len, int64_t step);

static cg_tensor *view_backward(const cg_op *op, const cg_node *view, cg_tensor *grad) {
    if (!grad) return NULL;
    cg_tensor *result = NULL;
    CG_NO_GRAD {
        result = zeros_of_input(view, grad);
        cg_tensor *part = !result ? NULL
                          : op == &cg_op_select_backward ? cg_select(result, (int)view->args[0], view->args[1])
                                                          : slice_view(result, (int)view->args[0], view->args[1],
                                                                       view->args[2], view->args[3]);
        if (!part || cg_copy_(part, grad) < 0) result = NULL;
    }
    if (result) result->storage->version = 0; /* ATen copies below autograd: a fresh v=0 tensor */
    cg_node *n = result ? cg_record(op, result, CG_INPUTS(grad)) : NULL;
    if (n) memcpy(n->args, view->args, 4 * sizeof *n->args);
    return cg_recorded(result);
}

void cg_backward_select(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    out[0] = view_backward(&cg_op_select_backward, n, grads[0]);
}

void cg_backward_select_backward(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    out[0] = cg_select(grads[0], (int)n->args[0], n->args[1]);
}

/* select_backward and slice_backward are linear in grad: the tangent put in zeros the same way. */
void cg_jvp_select_backward(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    (void)in;
    cg_tensor *out = outs[0], *result = cg_zeros_on(out, tin[0]->dtype, out->ndim, out->sizes);
    cg_tensor *part = !result ? NULL
                      : n->op == &cg_op_select_backward ? cg_select(result, (int)n->args[0], n->args[1])
                                                         : slice_view(result, (int)n->args[0], n->args[1], n->args[2],
                                                                      n->args[3]);
    if (part && cg_copy_(part, tin[0]) == 0) tout[0] = result;
}

/* Python's x[i, j, ...]: one select per index, from the first dim on, with Python's IndexError
 * texts; no index at all gives an alias of t (AliasBackward0), as x[()] does. */
cg_tensor *cg_index_at(cg_tensor *t, int n, const int64_t *index) {
    if (!t) return NULL;
    if (n > t->ndim) {
        if (t->ndim == 0 && n == 1) /* Python's x[0]; x[0, 0] has too many indices */
            cg_set_index_error("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                               "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number");
        else
            cg_set_index_error("too many indices for tensor of dimension %d", t->ndim);
        return NULL;
    }
    if (n <= 0) {
        cg_tensor *out = view_of(t, t->ndim, t->sizes, t->strides, t->offset);
        if (out) cg_record(&cg_op_alias, out, CG_INPUTS(t));
        return cg_recorded(out);
    }
    if (check_list(n, index, "index") < 0) return NULL;
    cg_tensor *out = t;
    for (int i = 0; i < n; i++) {
        int64_t size = out->sizes[0], at = index[i];
        if (at < -size || at >= size) {
            cg_set_index_error("index %lld is out of bounds for dimension %d with size %lld", (long long)at, i,
                               (long long)size);
            return NULL;
        }
        if (at < 0) at += size;
        out = record_select(selected_view(out, 0, at), out, 0, at);
        if (!out) return NULL;
    }
    return out;
}

void cg_backward_alias(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    (void)n;
    out[0] = grads[0];
}

/* The view of t along dim d from start (already in [0, size]) with len elements every step. */
static cg_tensor *slice_view(cg_tensor *t, int d, int64_t start, int64_t len, int64_t step) {
    int64_t sizes[CG_MAX_DIMS], strides[CG_MAX_DIMS];
    memcpy(sizes, t->sizes, sizeof sizes);
    memcpy(strides, t->strides, sizeof strides);
    sizes[d] = len;
    strides[d] = (int64_t)((uint64_t)strides[d] * (uint64_t)step); /* wraps as PyTorch's does, without UB */
    return view_of(t, t->ndim, sizes, strides, t->offset + start * t->strides[d]);
}

/* slice_view recorded as SliceBackward0 (slice and narrow). */
static cg_tensor *recorded_slice(cg_tensor *t, int d, int64_t start, int64_t len, int64_t step) {
    cg_tensor *out = slice_view(t, d, start, len, step);
    cg_node *n = record_shaped(&cg_op_slice, out, t);
    if (n) {
        n->args[0] = d;
        n->args[1] = start;
        n->args[2] = len;
        n->args[3] = step;
    }
    return cg_recorded(out);
}

void cg_backward_slice(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    out[0] = view_backward(&cg_op_slice_backward, n, grads[0]);
}

void cg_backward_slice_backward(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    out[0] = recorded_slice(grads[0], (int)n->args[0], n->args[1], n->args[2], n->args[3]);
}

/* Python's t[start:end:step] along dim: negative bounds count from the end, then both clamp to
 * [0, size]. The step messages are Python's (PyTorch's aten::slice says "slice step must be
 * positive"). */
cg_tensor *cg_slice(cg_tensor *t, int dim, int64_t start, int64_t end, int64_t step) {
    if (!t || cg_check_history_readable(t) < 0) return NULL;
    if (t->ndim == 0) {
        cg_set_index_error("slice() cannot be applied to a 0-dim tensor.");
        return NULL;
    }
    int d = cg_wrap_dim(dim, t->ndim);
    if (d < 0) return NULL;
    if (step <= 0) {
        cg_set_value_error(step == 0 ? "slice step cannot be zero" : "step must be greater than zero");
        return NULL;
    }
    int64_t size = t->sizes[d];
    if (start < 0) start += size;
    if (end < 0) end += size;
    start = start < 0 ? 0 : start > size ? size : start;
    end = end < start ? start : end > size ? size : end;
    int64_t len = end - start; /* ceil(len / step), without overflow for a huge step */
    return recorded_slice(t, d, start, len ? (len - 1) / step + 1 : 0, step);
}

cg_tensor *cg_narrow(cg_tensor *t, int dim, int64_t start, int64_t length) {
    if (!t) return NULL;
    if (t->ndim == 0) {
        cg_set_error("narrow() cannot be applied to a 0-dim tensor.");
        return NULL;
    }
    int d = cg_wrap_dim(dim, t->ndim);
    if (d < 0) return NULL;
    int64_t size = t->sizes[d];
    if (start != size) { /* start == size is a valid (empty) narrow but not a valid index */
        start = cg_wrap_index(start, size); /* PyTorch wraps start like a dim, against the size */
        if (start < 0) return NULL;
    }
    if (length < 0 || start > size - length) {
        cg_set_error("start (%lld) + length (%lld) exceeds dimension size (%lld).", (long long)start, (long long)length,
                     (long long)size);
        return NULL;
    }
    return recorded_slice(t, d, start, length, 1);
}

/* ---- unbind, split, chunk: several views of t, recorded as one node with several outputs ---- */

static int check_capacity(const char *op, int64_t pieces, int capacity) {
    if (pieces > capacity) {
        cg_set_error("%s() gives %lld tensors but the output array has room for %d", op, (long long)pieces, capacity);
        return -1;
    }
    return 0;
}

/* Records the n pieces of t along dim d as the outputs of one node; returns n. As in PyTorch, the
 * pieces made with grad mode on refuse in-place writes (cg_check_inplace), even when nothing
 * requires grad yet. */
static int record_pieces(const cg_op *op, cg_tensor *t, int d, cg_tensor **pieces, int n) {
    if (n == 0) return 0; /* no output would hold the node */
    cg_node *node = cg_record_multi(op, n, pieces, CG_INPUTS(t));
    if (node) node->args[0] = d;
    if (cg_recorded_status() < 0) return -1;
    if (cg_is_grad_enabled())
        for (int i = 0; i < n; i++) {
            pieces[i]->autograd->view_multi_output = true;
            pieces[i]->autograd->view_created_in_no_grad = false;
        }
    return n;
}

/* The pieces' gradients (zeros for a piece that received none) joined back along the node's dim
 * by join: stack for unbind, cat for split and chunk. */
static void join_piece_grads(cg_node *n, cg_tensor **grads, cg_tensor **out,
                             cg_tensor *(*join)(cg_tensor **, int, int)) {
    cg_tensor **pieces = cg_malloc((size_t)n->noutputs * sizeof *pieces);
    if (!pieces) return;
    bool ok = true;
    const cg_tensor *some = NULL; /* a gradient that came, for the device of the zeros */
    for (int i = 0; !some && i < n->noutputs; i++) some = grads[i];
    for (int i = 0; ok && some && i < n->noutputs; i++) {
        const cg_input_meta *m = &n->outputs[i];
        pieces[i] = grads[i] ? grads[i] : cg_zeros_on(some, m->dtype, m->ndim, m->sizes);
        ok = pieces[i] != NULL;
    }
    if (ok) out[0] = join(pieces, n->noutputs, (int)n->args[0]);
    cg_free(pieces);
}

int cg_unbind(cg_tensor *t, int dim, cg_tensor **out, int capacity) {
    if (!t || cg_check_history_readable(t) < 0) return -1;
    int d = cg_wrap_dim(dim, t->ndim);
    if (d < 0) return -1;
    if (t->ndim == 0) {
        cg_set_index_error("Dimension specified as %d but tensor has no dimensions", d);
        return -1;
    }
    int64_t n = t->sizes[d];
    if (check_capacity("unbind", n, out ? capacity : 0) < 0) return -1;
    for (int64_t i = 0; i < n; i++)
        if (!(out[i] = selected_view(t, d, i))) return -1;
    return record_pieces(&cg_op_unbind, t, d, out, (int)n);
}

void cg_backward_unbind(cg_node *n, cg_tensor **grads, cg_tensor **out) { join_piece_grads(n, grads, out, cg_stack); }

/* Pieces of split_size along d (the last one shorter), as PyTorch's split computes them. */
static int split_pieces(cg_tensor *t, int64_t split_size, int d, cg_tensor **out, int capacity, const char *op) {
    int64_t size = t->sizes[d];
    int64_t n = split_size && size ? (size - 1) / split_size + 1 : 1; /* at least one piece */
    if (check_capacity(op, n, out ? capacity : 0) < 0) return -1;
    int64_t last = size - split_size * (n - 1);
    for (int64_t i = 0; i < n; i++)
        if (!(out[i] = slice_view(t, d, i * split_size, i < n - 1 ? split_size : last, 1))) return -1;
    return record_pieces(&cg_op_split, t, d, out, (int)n);
}

void cg_backward_split(cg_node *n, cg_tensor **grads, cg_tensor **out) { join_piece_grads(n, grads, out, cg_cat); }

void cg_backward_split_with_sizes(cg_node *n, cg_tensor **grads, cg_tensor **out) { cg_backward_split(n, grads, out); }

int cg_split(cg_tensor *t, int64_t split_size, int dim, cg_tensor **out, int capacity) {
    if (!t || cg_check_history_readable(t) < 0) return -1;
    if (t->ndim == 0) {
        cg_set_error("split expects at least a 1-dimensional tensor");
        return -1;
    }
    if (split_size < 0) {
        cg_set_error("split expects split_size be non-negative, but got split_size=%lld", (long long)split_size);
        return -1;
    }
    int d = cg_wrap_dim(dim, t->ndim);
    if (d < 0) return -1;
    if (split_size == 0 && t->sizes[d] != 0) {
        cg_set_error("split_size can only be 0 if dimension size is 0, but got dimension size of %lld",
                     (long long)t->sizes[d]);
        return -1;
    }
    return split_pieces(t, split_size, d, out, capacity, "split");
}

/* Pieces of ceil(size / chunks) elements, so there may be fewer than chunks of them; an empty dim
 * gives chunks empty pieces (PyTorch's split_with_sizes, hence SplitWithSizesBackward0). */
int cg_chunk(cg_tensor *t, int chunks, int dim, cg_tensor **out, int capacity) {
    if (!t) return -1;
    if (t->ndim == 0) {
        cg_set_error("chunk expects at least a 1-dimensional tensor");
        return -1;
    }
    if (chunks <= 0) {
        cg_set_error("chunk expects `chunks` to be greater than 0, got: %d", chunks);
        return -1;
    }
    int d = cg_wrap_dim(dim, t->ndim);
    if (d < 0) return -1;
    int64_t size = t->sizes[d];
    if (size == 0) {
        if (check_capacity("chunk", chunks, out ? capacity : 0) < 0) return -1;
        for (int i = 0; i < chunks; i++)
            if (!(out[i] = slice_view(t, d, 0, 0, 1))) return -1;
        return record_pieces(&cg_op_split_with_sizes, t, d, out, chunks);
    }
    return split_pieces(t, (size + chunks - 1) / chunks, d, out, capacity, "chunk");
}
