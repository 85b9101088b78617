/* Shape arithmetic shared by every op: numel, strides, dim wrapping, broadcasting. */
#include "core/tensor.h"

#include <string.h>

int64_t cg_shape_numel(int ndim, const int64_t *sizes) {
    int64_t n = 1;
    for (int d = 0; d < ndim; d++) n *= sizes[d];
    return n;
}

int64_t cg_wrap_index(int64_t i, int64_t n) {
    if (n <= 0) n = 1;
    if (i < -n || i >= n) {
        cg_set_index_error("Dimension out of range (expected to be in range of [%lld, %lld], but got %lld)", (long long)-n,
                           (long long)(n - 1), (long long)i);
        return -1;
    }
    return i < 0 ? i + n : i;
}

int cg_wrap_dim(int dim, int ndim) { return (int)cg_wrap_index(dim, ndim); }

cg_shape_str cg_shape_text(int ndim, const int64_t *sizes) {
    cg_shape_str text;
    size_t used = (size_t)snprintf(text.s, sizeof text.s, "[");
    for (int d = 0; d < ndim && used < sizeof text.s; d++)
        used += (size_t)snprintf(text.s + used, sizeof text.s - used, d ? ", %lld" : "%lld", (long long)sizes[d]);
    if (used < sizeof text.s) snprintf(text.s + used, sizeof text.s - used, "]");
    return text;
}

int cg_check_count(int n, const char *what) {
    if (n >= 0) return 0;
    cg_set_error("the number of %s must not be negative, got %d", what, n);
    return -1;
}

bool cg_dims_bitset(const cg_tensor *t, int n, const int64_t *dims, bool *mask) {
    memset(mask, 0, CG_MAX_DIMS * sizeof *mask);
    for (int i = 0; i < n; i++) {
        int64_t d = cg_wrap_index(dims[i], t->ndim);
        if (d < 0) return false;
        if (mask[d]) {
            cg_set_error("dim %lld appears multiple times in the list of dims", (long long)d);
            return false;
        }
        mask[d] = true;
    }
    return true;
}

int cg_check_ndim(int ndim) {
    if (ndim >= 0 && ndim <= CG_MAX_DIMS) return 0;
    cg_set_error("cgrad supports at most %d dimensions, got %d", CG_MAX_DIMS, ndim);
    return -1;
}

int cg_check_shape(int ndim, const int64_t *sizes) {
    if (cg_check_ndim(ndim) < 0) return -1;
    if (ndim > 0 && !sizes) {
        cg_set_type_error("sizes is NULL for a shape of %d dimensions", ndim);
        return -1;
    }
    for (int d = 0; d < ndim; d++) {
        if (sizes[d] < 0) {
            cg_set_error("Trying to create tensor with negative dimension %lld: %s", (long long)sizes[d],
                         cg_shape_text(ndim, sizes).s);
            return -1;
        }
    }
    return 0;
}

int cg_check_broadcasts_to(const cg_tensor *t, const cg_tensor *other) {
    int64_t shape[CG_MAX_DIMS];
    int n = cg_broadcast_shapes(t->ndim, t->sizes, other->ndim, other->sizes, shape);
    if (n < 0) return -1;
    if (cg_same_shape(n, shape, t->ndim, t->sizes)) return 0;
    cg_set_error("output with shape %s doesn't match the broadcast shape %s", cg_shape_text(t->ndim, t->sizes).s,
                 cg_shape_text(n, shape).s);
    return -1;
}

int cg_check_no_internal_overlap(const cg_tensor *t) {
    if (t->numel == 0) return 0; /* PyTorch: an empty tensor is dense, so nothing overlaps */
    for (int d = 0; d < t->ndim; d++) {
        if (t->strides[d] == 0 && t->sizes[d] > 1) {
            cg_set_error("unsupported operation: more than one element of the written-to tensor refers to a single "
                         "memory location. Please clone() the tensor before performing the operation.");
            return -1;
        }
    }
    return 0;
}

static void swap_ints(int *a, int *b) {
    int tmp = *a;
    *a = *b;
    *b = tmp;
}

bool cg_is_non_overlapping_and_dense(const cg_tensor *t) {
    if (cg_is_contiguous_inline(t)) return true; /* empty tensors included, as PyTorch's flag has it */
    int dims[CG_MAX_DIMS], n = 0;
    for (int d = 0; d < t->ndim; d++)
        if (t->sizes[d] > 1) dims[n++] = d; /* PyTorch's check skips dims of size 0 and 1 */
    for (int i = 1; i < n; i++) /* insertion sort by stride, smallest first */
        for (int j = i; j > 0 && t->strides[dims[j - 1]] > t->strides[dims[j]]; j--)
            swap_ints(&dims[j], &dims[j - 1]);
    int64_t expected = 1;
    for (int i = 0; i < n; i++) {
        if (t->strides[dims[i]] != expected) return false;
        expected *= t->sizes[dims[i]];
    }
    return true;
}

typedef struct {
    const int64_t *sizes;
    int n;
    const int64_t (*strides)[CG_MAX_DIMS];
} layout_operands;

/* TensorIterator's comparison of dims a and b over the operands' strides (0 where broadcast):
 * 1 when a goes after b (is slower), -1 when before, 0 when no operand decides. The first operand
 * whose strides for a and b are both nonzero and differ decides; equal strides put the smaller
 * size first. */
static int layout_order(int a, int b, const void *ctx) {
    const layout_operands *o = ctx;
    for (int op = 0; op < o->n; op++) {
        int64_t sa = o->strides[op][a], sb = o->strides[op][b];
        if (sa == 0 || sb == 0) continue;
        if (sa != sb) return sa < sb ? -1 : 1;
        if (o->sizes[a] > o->sizes[b]) return 1;
    }
    return 0;
}

/* The dims fastest first, in TensorIterator's order; true when that is the row-major order. */
static bool layout_permutation(int ndim, const int64_t *sizes, int n, const int64_t (*strides)[CG_MAX_DIMS],
                               int *perm) {
    cg_tensoriter_order(ndim, layout_order, &(layout_operands){sizes, n, strides}, perm);
    for (int i = 0; i < ndim; i++)
        if (perm[i] != ndim - 1 - i) return false;
    return true;
}

/* Dense strides with the dims in the order perm, fastest first. TensorIterator's outputs scale by
 * every size (a size 0 zeroes the slower strides); infer_dense_strides, like row-major strides,
 * skips sizes 0 and 1. */
static void dense_strides(int ndim, const int64_t *sizes, const int *perm, bool scale_by_all, int64_t *strides) {
    int64_t next = 1;
    for (int i = 0; i < ndim; i++) {
        strides[perm[i]] = next;
        if (scale_by_all || sizes[perm[i]] > 1) next *= sizes[perm[i]];
    }
}

void cg_layout_strides(int ndim, const int64_t *sizes, int n, const cg_tensor *const *ops, int64_t *strides) {
    int64_t op_strides[CG_MAX_DIMS][CG_MAX_DIMS]; /* [operand][dim], broadcast to the shape */
    int perm[CG_MAX_DIMS];
    if (n > CG_MAX_DIMS) n = CG_MAX_DIMS;
    for (int op = 0; op < n; op++) {
        const cg_tensor *t = ops[op];
        int lead = ndim - t->ndim;
        for (int d = 0; d < ndim; d++) {
            int td = d - lead;
            bool broadcast = td < 0 || (t->sizes[td] == 1 && sizes[d] != 1);
            op_strides[op][d] = broadcast ? 0 : t->strides[td];
        }
    }
    if (layout_permutation(ndim, sizes, n, (const int64_t(*)[CG_MAX_DIMS])op_strides, perm))
        cg_contiguous_strides(ndim, sizes, strides); /* which skip sizes 0 and 1, as PyTorch's */
    else
        dense_strides(ndim, sizes, perm, true, strides);
}

void cg_preserved_strides(const cg_tensor *t, int64_t *strides) {
    if (cg_is_non_overlapping_and_dense(t)) {
        memcpy(strides, t->strides, (size_t)t->ndim * sizeof *strides);
        return;
    }
    int64_t op_strides[1][CG_MAX_DIMS];
    int perm[CG_MAX_DIMS];
    memcpy(op_strides[0], t->strides, (size_t)t->ndim * sizeof *strides);
    layout_permutation(t->ndim, t->sizes, 1, (const int64_t(*)[CG_MAX_DIMS])op_strides, perm);
    dense_strides(t->ndim, t->sizes, perm, false, strides); /* row-major when perm is */
}

bool cg_strides_suggest_channels_last(const int64_t *sizes, const int64_t *strides) {
    if (strides[1] == 0) return false; /* a broadcast C: contiguous */
    static const int order[4] = {1, 3, 2, 0};
    int64_t min = 0;
    for (int i = 0; i < 4; i++) {
        int d = order[i];
        if (sizes[d] == 0 || strides[d] < min) return false;
        if (d == 0 && min == strides[1]) return false; /* N111-like: ambiguous, contiguous */
        min = strides[d] * (sizes[d] > 1 ? sizes[d] : 1);
    }
    return true;
}

bool cg_suggests_channels_last(const cg_tensor *t) {
    return t->ndim == 4 && cg_strides_suggest_channels_last(t->sizes, t->strides);
}

void cg_channels_last_strides(const int64_t *sizes, int64_t *strides) {
    strides[1] = 1;
    strides[3] = sizes[1];
    strides[2] = strides[3] * sizes[3];
    strides[0] = strides[2] * sizes[2];
}

/* Where t's first element is, as a number that is only compared, never read through: its address,
 * or its byte offset in its storage on a backend without bytes (meta, where data is NULL). */
static uintptr_t first_byte(const cg_tensor *t) {
    return (uintptr_t)t->storage->data + (uintptr_t)(t->offset * (int64_t)cg_elsize(t->dtype));
}

/* PyTorch's classification: only dense tensors are compared, by the memory ranges they span. */
cg_overlap cg_memory_overlap(const cg_tensor *a, const cg_tensor *b) {
    if (a == b) return CG_OVERLAP_FULL;
    if (a->numel == 0 || b->numel == 0) return CG_OVERLAP_NONE;
    if (!cg_is_non_overlapping_and_dense(a) || !cg_is_non_overlapping_and_dense(b))
        return cg_shares_storage(a, b) ? CG_OVERLAP_UNKNOWN : CG_OVERLAP_NONE;
    if ((!a->storage->data || !b->storage->data) && !cg_shares_storage(a, b)) return CG_OVERLAP_NONE;
    uintptr_t a_begin = first_byte(a), b_begin = first_byte(b);
    uintptr_t a_end = a_begin + (uintptr_t)(a->numel * (int64_t)cg_dtype_size(a->dtype));
    uintptr_t b_end = b_begin + (uintptr_t)(b->numel * (int64_t)cg_dtype_size(b->dtype));
    if (a_begin == b_begin && a_end == b_end) {
        bool same_strides = a->ndim == b->ndim;
        for (int d = 0; same_strides && d < a->ndim; d++) same_strides = a->strides[d] == b->strides[d];
        return same_strides ? CG_OVERLAP_FULL : CG_OVERLAP_PARTIAL;
    }
    return a_begin < b_end && b_begin < a_end ? CG_OVERLAP_PARTIAL : CG_OVERLAP_NONE;
}

int cg_check_no_partial_overlap(const cg_tensor *out, const cg_tensor *in) {
    if (cg_memory_overlap(out, in) != CG_OVERLAP_PARTIAL) return 0;
    cg_set_error("unsupported operation: some elements of the input tensor and the written-to tensor refer to a "
                 "single memory location. Please clone() the tensor before performing the operation.");
    return -1;
}

int cg_broadcast_shapes(int na, const int64_t *a, int nb, const int64_t *b, int64_t *out) {
    int n = na > nb ? na : nb;
    for (int i = n - 1; i >= 0; i--) {
        int ia = i - (n - na), ib = i - (n - nb);
        int64_t sa = ia >= 0 ? a[ia] : 1, sb = ib >= 0 ? b[ib] : 1;
        if (sa != sb && sa != 1 && sb != 1) {
            cg_set_error("The size of tensor a (%lld) must match the size of tensor b (%lld) at non-singleton dimension %d",
                         (long long)sa, (long long)sb, i);
            return -1;
        }
        out[i] = sa == 1 ? sb : sa;
    }
    return n;
}
