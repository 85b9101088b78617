/* Advanced indexing: aten::index (Python's x[idx], x[mask], mixed with whole dims) and
 * index_put (x[idx] = v, accumulate), with PyTorch 1.13's checks in its order and its messages.
 *
 * An index list has an entry per leading dim of self: an int64 tensor, a bool mask (covering as
 * many dims as it has: its nonzero coordinates), or NULL (the whole dim). The int64 indices (masks
 * expanded) broadcast to one shape B; the result has self's dims before the indexed ones, then B,
 * then the rest; when the indexed dims are not adjacent, B comes first (PyTorch's transposeToFront).
 * A backend kernel turns the indices into element offsets into self (checking their range), and
 * the gather and scatter loops run over headers with stride 0 where the offsets stand in. */
#include "autograd/registry.h"
#include "backend/backend.h"

#include <string.h>

/* The indices with masks expanded: n entries (NULL for a whole dim), int64 and of shape B. */
typedef struct {
    int n;
    cg_tensor *idx[CG_MAX_DIMS];
    int bndim;
    int64_t bsizes[CG_MAX_DIMS];
} index_list;

/* self (a header, permuted when the indexed dims are not adjacent) with the dims [first, first +
 * count) indexed by idx, and the result's shape. */
typedef struct {
    cg_tensor self;
    int first, count;
    cg_tensor *idx[CG_MAX_DIMS];
    int ndim;
    int64_t sizes[CG_MAX_DIMS];
} index_plan;

static cg_tensor *internal_assert(void) {
    cg_set_error("ntensor >= 3 INTERNAL ASSERT FAILED at \"./aten/src/ATen/native/cpu/IndexKernelUtils.h\":10, please "
                 "report a bug to PyTorch. ");
    return NULL;
}

static int check_count(const cg_tensor *t, int n) {
    if (n <= t->ndim) return 0;
    cg_set_index_error("too many indices for tensor of dimension %d (got %d)", t->ndim, n);
    return -1;
}

/* A mask's sizes against self's dims from at (PyTorch's expandTensors check). */
static int check_mask(const cg_tensor *t, const cg_tensor *mask, int at) {
    for (int j = 0; j < mask->ndim; j++) {
        int d = cg_wrap_dim(at + j, t->ndim); /* a mask past self's dims: PyTorch's self.size() error */
        if (d < 0) return -1;
        if (mask->sizes[j] != t->sizes[d]) {
            cg_set_index_error("The shape of the mask %s at index %d does not match the shape of the indexed tensor %s at "
                               "index %d", cg_shape_text(mask->ndim, mask->sizes).s, j, cg_shape_text(t->ndim, t->sizes).s, d);
            return -1;
        }
    }
    return 0;
}

/* PyTorch's make_info up to the broadcast: index dtypes, masks expanded, indices broadcast. */
static int expand_indices(cg_tensor *t, cg_tensor **indices, int n, index_list *l) {
    for (int k = 0; k < n; k++)
        if (indices[k] && indices[k]->dtype != CG_INT64 && indices[k]->dtype != CG_BOOL) {
            cg_set_index_error("tensors used as indices must be long, byte or bool tensors");
            return -1;
        }
    l->n = 0;
    for (int k = 0; k < n; k++) {
        cg_tensor *index = indices[k];
        int covers = index && index->dtype == CG_BOOL ? index->ndim : 1;
        if (l->n + covers > CG_MAX_DIMS) return check_count(t, l->n + covers);
        if (!index || index->dtype == CG_INT64) {
            l->idx[l->n++] = index;
            continue;
        }
        if (check_mask(t, index, l->n) < 0) return -1;
        cg_tensor *coords = cg_nonzero(index);
        if (!coords) return -1;
        for (int j = 0; j < index->ndim; j++) l->idx[l->n++] = cg_select(coords, 1, j);
    }
    if (check_count(t, l->n) < 0) return -1; /* a mask covered more dims than were left (Python's message) */
    l->bndim = -1;
    bool fails = false;
    for (int k = 0; k < l->n && !fails; k++) {
        const cg_tensor *index = l->idx[k];
        if (!index) continue;
        if (l->bndim < 0) {
            l->bndim = index->ndim;
            memcpy(l->bsizes, index->sizes, sizeof l->bsizes);
            continue;
        }
        int64_t shape[CG_MAX_DIMS];
        int nd = cg_broadcast_shapes(l->bndim, l->bsizes, index->ndim, index->sizes, shape);
        fails = nd < 0;
        l->bndim = fails ? l->bndim : nd;
        memcpy(l->bsizes, shape, sizeof shape);
    }
    if (l->bndim < 0) l->bndim = 0; /* no index tensor */
    if (fails) {
        char text[512];
        size_t used = 0;
        for (int k = 0; k < l->n; k++)
            if (l->idx[k] && used < sizeof text)
                used += (size_t)snprintf(text + used, sizeof text - used, "%s%s", used ? ", " : "",
                                         cg_shape_text(l->idx[k]->ndim, l->idx[k]->sizes).s);
        cg_set_index_error("shape mismatch: indexing tensors could not be broadcast together with shapes %s", text);
        return -1;
    }
    cg_clear_error();
    CG_NO_GRAD {
        for (int k = 0; k < l->n; k++)
            if (l->idx[k] && !(l->idx[k] = cg_expand_shape(l->idx[k], l->bndim, l->bsizes))) fails = true;
    }
    return fails ? -1 : 0;
}

/* The plan of l over t: indexed dims adjacent (moved to the front when they are not), the result's
 * shape, PyTorch's refusal of an empty indexed dim with a non-empty index. */
static int plan_of(const cg_tensor *t, const index_list *l, index_plan *p) {
    int order[CG_MAX_DIMS], first = -1, last = -1;
    p->count = 0;
    for (int k = 0; k < l->n; k++)
        if (l->idx[k]) {
            if (first < 0) first = k;
            last = k;
            p->idx[p->count++] = l->idx[k];
        }
    if (p->count == 0) first = 0; /* no kernel runs on an empty result; otherwise PyTorch's assert */
    bool adjacent = last - first + 1 == p->count;
    p->first = adjacent ? first : 0;
    /* PyTorch's transposeToFront: the indexed dims first, then the others, each in order */
    int no = 0;
    for (int pass = 0; pass < 2; pass++)
        for (int d = 0; d < t->ndim; d++)
            if (adjacent ? pass == 0 : (d < l->n && l->idx[d]) == (pass == 0)) order[no++] = d;
    p->self = *t;
    for (int d = 0; d < t->ndim; d++) {
        p->self.sizes[d] = t->sizes[order[d]];
        p->self.strides[d] = t->strides[order[d]];
    }
    p->self.autograd = NULL;
    int64_t bnumel = cg_shape_numel(l->bndim, l->bsizes);
    for (int j = 0; j < p->count; j++)
        if (p->self.sizes[p->first + j] == 0 && bnumel != 0) {
            cg_set_index_error("index is out of bounds for dimension with size 0");
            return -1;
        }
    p->ndim = 0;
    for (int d = 0; d < p->first; d++) p->sizes[p->ndim++] = p->self.sizes[d];
    for (int d = 0; d < l->bndim; d++) p->sizes[p->ndim++] = l->bsizes[d];
    for (int d = p->first + p->count; d < t->ndim; d++) p->sizes[p->ndim++] = p->self.sizes[d];
    if (p->ndim > CG_MAX_DIMS) {
        cg_set_error("index: at most %d dimensions", CG_MAX_DIMS);
        return -1;
    }
    if (p->count == 0 && cg_shape_numel(p->ndim, p->sizes) > 0) return internal_assert(), -1;
    return 0;
}

/* The element offsets of the indices into p->self (int64, of shape B), their range checked. */
static cg_tensor *offsets_of(const index_plan *p, const index_list *l) {
    cg_tensor *off = cg_new_tensor_on(cg_backend_of(&p->self), CG_INT64, l->bndim, l->bsizes);
    if (!off) return NULL;
    int64_t bad = 0;
    int bad_dim = 0;
    if (CG_KERNEL(off, index_offsets)(off, p->count, p->idx, p->self.sizes + p->first, p->self.strides + p->first,
                                      &bad, &bad_dim))
        return off;
    cg_set_index_error("index %lld is out of bounds for dimension %d with size %lld", (long long)bad, bad_dim,
                       (long long)p->self.sizes[p->first + bad_dim]);
    return NULL;
}

/* A header of the iteration over the result's shape: self's elements (stride 0 along B, where
 * the offsets add the rest) or, for a B-shaped tensor, its elements (stride 0 outside B). */
static cg_tensor spread(const index_plan *p, const cg_tensor *b_shaped, int bndim) {
    cg_tensor h = b_shaped ? *b_shaped : p->self;
    h.ndim = p->ndim;
    for (int d = 0; d < p->ndim; d++) {
        bool in_b = d >= p->first && d < p->first + bndim;
        int from = d < p->first ? d : d - bndim + p->count; /* self's dim outside B */
        h.sizes[d] = p->sizes[d];
        h.strides[d] = b_shaped ? (in_b ? b_shaped->strides[d - p->first] : 0) : in_b ? 0 : p->self.strides[from];
    }
    h.numel = cg_shape_numel(p->ndim, p->sizes);
    h.autograd = NULL;
    return h;
}

/* A new result laid out as PyTorch's TensorIterator lays it out over self and the indices. */
static cg_tensor *new_result(const index_plan *p, int bndim) {
    cg_tensor heads[CG_MAX_DIMS + 1];
    const cg_tensor *ops[CG_MAX_DIMS + 1];
    heads[0] = spread(p, NULL, bndim);
    for (int j = 0; j < p->count; j++) heads[j + 1] = spread(p, p->idx[j], bndim);
    for (int j = 0; j <= p->count; j++) ops[j] = &heads[j];
    return cg_new_result_of(p->self.dtype, p->ndim, p->sizes, p->count + 1, ops);
}

/* The node's saved indices: the expanded list's tensors stacked in slot 0, which entries they
 * fill in args[0] (the count) and args[1] (a bit per entry). */
static void save_list(cg_node *node, const index_list *l) {
    if (!node) return;
    cg_tensor *items[CG_MAX_DIMS], *stacked = NULL;
    int k = 0;
    node->args[0] = l->n;
    node->args[1] = 0;
    for (int e = 0; e < l->n; e++)
        if (l->idx[e]) {
            items[k++] = l->idx[e];
            node->args[1] |= 1 << e;
        }
    if (k == 0) return; /* no tensor (an empty self: no kernel ran) */
    CG_NO_GRAD { stacked = cg_stack(items, k, 0); }
    if (!stacked) cg_recording_failed();
    cg_save(node, 0, stacked);
}

/* The saved list back (n entries into out); -1 when freed. */
static int load_list(cg_node *node, cg_tensor **out) {
    cg_tensor *stacked = node->args[1] ? cg_saved(node, 0) : NULL;
    if (node->args[1] && !stacked) return -1;
    int k = 0;
    for (int e = 0; e < node->args[0]; e++) out[e] = node->args[1] >> e & 1 ? cg_select(stacked, 0, k++) : NULL;
    return (int)node->args[0];
}

static const cg_backend *backend_of(cg_tensor *t, cg_tensor **indices, int n, cg_tensor *values) {
    const cg_tensor *all[CG_MAX_DIMS + 2];
    int m = 0;
    all[m++] = t;
    if (values) all[m++] = values;
    for (int k = 0; k < n && k <= CG_MAX_DIMS; k++)
        if (indices[k]) all[m++] = indices[k];
    return cg_lenient_backend(m, all);
}

cg_tensor *cg_index(cg_tensor *t, cg_tensor **indices, int n) {
    if (!t || n < 0 || (n > 0 && !indices)) return NULL;
    const cg_backend *be = backend_of(t, indices, n, NULL);
    if (!be || check_count(t, n) < 0) return NULL;
    index_list l;
    index_plan p;
    if (expand_indices(t, indices, n, &l) < 0 || plan_of(t, &l, &p) < 0) return NULL;
    cg_tensor *out = new_result(&p, l.bndim);
    if (!out) return NULL;
    if (out->numel > 0) { /* PyTorch's kernel checks the index values as it runs */
        cg_tensor *off = offsets_of(&p, &l);
        if (!off) return NULL;
        cg_tensor src = spread(&p, NULL, l.bndim), at = spread(&p, off, l.bndim);
        CG_KERNEL(out, gather)(out, &src, &at, 1);
    }
    cg_node *node = cg_record(&cg_op_index, out, CG_INPUTS(t));
    if (node) node->args_meta = cg_input_meta_of(t);
    save_list(node, &l);
    return cg_recorded(out);
}

/* Whether a tensor of shape a expands to shape b (PyTorch's is_expandable_to). */
static bool expandable(int na, const int64_t *a, int nb, const int64_t *b) {
    if (na > nb) return false;
    for (int k = 1; k <= na; k++)
        if (a[na - k] != 1 && a[na - k] != b[nb - k]) return false;
    return true;
}

/* PyTorch's masked_fill_ path of index_put_: one bool mask (whole dims elsewhere) and a
 * one-element value. 1 when it applies (0 when not, -1 on error), the mask in *mask and the dims
 * the entries cover in *dims (PyTorch pads the mask with trailing dims only past them). */
static int masked_fill_path(cg_tensor *t, cg_tensor **indices, int n, cg_tensor *values, cg_tensor **mask, int *dims) {
    if (values->numel != 1 || !cg_has_bytes(values)) return 0;
    *dims = 0;
    *mask = NULL;
    for (int k = 0; k < n; k++) {
        if (!indices[k]) {
            ++*dims;
            continue;
        }
        if (indices[k]->dtype != CG_BOOL || *mask) return 0;
        *mask = indices[k];
        if (check_mask(t, *mask, *dims) < 0) return -1;
        *dims += (*mask)->ndim;
    }
    return *mask != NULL;
}

/* dst.masked_fill_(mask padded to dims, value.item()), with masked_fill_'s broadcast checks. */
static int fill_masked(cg_tensor *dst, cg_tensor *mask, int dims, cg_tensor *value) {
    cg_number v = value->dtype == CG_INT64  ? cg_number_int((int64_t)cg_item(value))
                  : value->dtype == CG_BOOL ? cg_number_bool(cg_item(value) != 0)
                                            : cg_number_float(cg_item(value));
    int64_t shape[CG_MAX_DIMS], common[CG_MAX_DIMS];
    int nd = 0;
    for (int d = 0; d < mask->ndim; d++) shape[nd++] = mask->sizes[d];
    for (int d = dims; d < dst->ndim && nd < CG_MAX_DIMS; d++) shape[nd++] = 1;
    int nc = cg_broadcast_shapes(dst->ndim, dst->sizes, nd, shape, common);
    if (nc < 0) return -1;
    if (!cg_same_shape(nc, common, dst->ndim, dst->sizes)) {
        cg_set_error("output with shape %s doesn't match the broadcast shape %s", cg_shape_text(dst->ndim, dst->sizes).s,
                     cg_shape_text(nc, common).s);
        return -1;
    }
    if (cg_check_number_fits(dst->dtype, v) < 0) return -1;
    cg_tensor *m = NULL;
    CG_NO_GRAD { m = cg_expand_shape(cg_reshape_shape(mask, nd, shape), dst->ndim, dst->sizes); }
    if (!m) return -1;
    CG_KERNEL(dst, masked_fill)(dst, m, v);
    return 0;
}

/* dst's elements at the indices written (accumulate: added) with values, after every check. */
static int index_put_into(cg_tensor *dst, cg_tensor **indices, int n, cg_tensor *values, bool accumulate,
                          index_list *l) {
    if (check_count(dst, n) < 0) return -1;
    cg_tensor *mask = NULL;
    int dims = 0, path = accumulate ? 0 : masked_fill_path(dst, indices, n, values, &mask, &dims);
    if (path < 0 || (path && fill_masked(dst, mask, dims, values) < 0)) return -1;
    if (path) return expand_indices(dst, indices, n, l); /* the saved list: the mask's coordinates */
    index_plan p;
    if (expand_indices(dst, indices, n, l) < 0 || plan_of(dst, l, &p) < 0) return -1;
    if (!expandable(values->ndim, values->sizes, p.ndim, p.sizes)) {
        cg_set_error("shape mismatch: value tensor of shape %s cannot be broadcast to indexing result of shape %s",
                     cg_shape_text(values->ndim, values->sizes).s, cg_shape_text(p.ndim, p.sizes).s);
        return -1;
    }
    if (values->dtype != dst->dtype) {
        cg_set_error("Index put requires the source and destination dtypes match, got %s for the destination and %s for "
                     "the source.", cg_dtype_title(dst->dtype), cg_dtype_title(values->dtype));
        return -1;
    }
    if (cg_shape_numel(p.ndim, p.sizes) == 0) return 0;
    cg_tensor *off = offsets_of(&p, l), *src = NULL;
    /* values sharing dst's storage are read before dst is written */
    CG_NO_GRAD { src = cg_expand_shape(cg_shares_storage(dst, values) ? cg_clone(values) : values, p.ndim, p.sizes); }
    if (!off || !src) return -1;
    cg_tensor out_h = spread(&p, NULL, l->bndim), at_h = spread(&p, off, l->bndim);
    (accumulate ? CG_KERNEL(dst, scatter_add) : CG_KERNEL(dst, scatter))(&out_h, &at_h, src, 1);
    return 0;
}

static cg_node *record_put(cg_node *node, const cg_tensor *values, const index_list *l, bool acc) {
    if (!node) return NULL;
    node->args_meta = cg_input_meta_of(values);
    node->args[2] = acc;
    save_list(node, l);
    return node;
}

cg_tensor *cg_index_put(cg_tensor *t, cg_tensor **indices, int n, cg_tensor *values, bool accumulate) {
    const cg_backend *be = t && values && n >= 0 && (n == 0 || indices) ? backend_of(t, indices, n, values) : NULL;
    if (!be) return NULL;
    /* PyTorch's clone(Preserve).index_put_ (on meta when an operand is) */
    cg_tensor *out = be == cg_backend_of(t) ? cg_new_like(t, t->dtype) : cg_new_tensor_on(be, t->dtype, t->ndim, t->sizes);
    index_list l;
    if (!out || cg_copy_across(out, t) < 0 || index_put_into(out, indices, n, values, accumulate, &l) < 0) return NULL;
    record_put(cg_record(&cg_op_index_put, out, CG_INPUTS(t, values)), values, &l, accumulate);
    return cg_recorded(out);
}

int cg_index_put_(cg_tensor *t, cg_tensor **indices, int n, cg_tensor *values, bool accumulate) {
    if (!t || !values || n < 0 || (n > 0 && !indices) || !backend_of(t, indices, n, values)) return -1;
    if (cg_check_inplace(t, CG_INPUTS(t, values)) < 0) return -1;
    index_list l;
    if (index_put_into(t, indices, n, values, accumulate, &l) < 0) return -1;
    cg_bump_version(t);
    record_put(cg_record_inplace(&cg_op_index_put, t, CG_INPUTS(t, values)), values, &l, accumulate);
    return cg_recorded_status();
}

/* PyTorch's index_backward: zeros of self's shape with grad added at the indices, as its
 * _index_put_impl_ (IndexPutImplBackward0 under create_graph). */
void cg_backward_index(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *indices[CG_MAX_DIMS], *g = grads[0];
    int count = load_list(n, indices);
    if (count < 0) return;
    cg_tensor *zeros = cg_zeros_on(g, g->dtype, n->args_meta.ndim, n->args_meta.sizes);
    index_list l;
    if (!zeros || index_put_into(zeros, indices, count, g, true, &l) < 0) return;
    record_put(cg_record(&cg_op_index_put_impl, zeros, CG_INPUTS(NULL, g)), g, &l, true);
    out[0] = cg_recorded(zeros);
}

/* self: grad (accumulate) or grad with the written places zeroed; values: grad read back at the
 * indices (the engine sums it to values' shape). */
void cg_backward_index_put(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *indices[CG_MAX_DIMS], *g = grads[0];
    int count = load_list(n, indices);
    if (count < 0) return;
    const cg_input_meta *v = &n->args_meta;
    if (cg_needs_grad(n, 0))
        out[0] = n->args[2] ? g : cg_index_put(g, indices, count, cg_zeros_on(g, g->dtype, v->ndim, v->sizes), false);
    if (cg_needs_grad(n, 1)) out[1] = cg_index(g, indices, count);
}

void cg_backward_index_put_impl(cg_node *n, cg_tensor **grads, cg_tensor **out) { cg_backward_index_put(n, grads, out); }
