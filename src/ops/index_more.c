/* More indexing ops: index_add, index_copy, index_fill (along a dim, by a 1-D index), with
 * PyTorch 1.13's checks in its order and its messages.
 *
 * Each op checks everything (index values included) before it writes, then runs the backend's
 * scatter loops over headers that spread the index over the iteration shape (stride 0 outside the
 * indexed dim), as index_select's backward does. */
#include "autograd/registry.h"
#include "backend/backend.h"
#include "ops/index_internal.h"

#include <stdatomic.h>
#include <string.h>

/* A header (no reference, no scope) over t's elements with the given sizes and strides. */
static cg_tensor header_of(const cg_tensor *t, int ndim, const int64_t *sizes, const int64_t *strides) {
    cg_tensor h = *t;
    h.ndim = ndim;
    memcpy(h.sizes, sizes, (size_t)ndim * sizeof *sizes);
    memcpy(h.strides, strides, (size_t)ndim * sizeof *strides);
    h.numel = cg_shape_numel(ndim, sizes);
    h.autograd = NULL;
    return h;
}

/* A 0-dim t counts as one dim of size 1 (PyTorch's self_nonzero_dim). */
static int64_t size_along(const cg_tensor *t, int d) { return t->ndim ? t->sizes[d] : 1; }
static int64_t stride_along(const cg_tensor *t, int d) { return t->ndim ? t->strides[d] : 0; }

/* The iteration of an index op: shape (t's, with n indices along d), and headers of the output
 * (stride 0 along d: the kernel adds index * dim_stride), of the index spread over it, and of src
 * (right-aligned outside d, stride 0 where it broadcasts). */
typedef struct {
    int ndim;
    int64_t sizes[CG_MAX_DIMS];
    cg_tensor out, index, src;
    int64_t dim_stride;
} index_plan;

static void plan_for(index_plan *p, const cg_tensor *out, int d, const cg_tensor *index, const cg_tensor *src) {
    int nd = out->ndim ? out->ndim : 1;
    int64_t out_strides[CG_MAX_DIMS], index_strides[CG_MAX_DIMS] = {0}, src_strides[CG_MAX_DIMS] = {0};
    p->ndim = nd;
    for (int k = 0; k < nd; k++) {
        p->sizes[k] = k == d ? index->numel : out->sizes[k];
        out_strides[k] = k == d ? 0 : out->strides[k];
    }
    index_strides[d] = index->ndim ? index->strides[0] : 0;
    if (src) {
        /* src's dims other than d, right-aligned against out's */
        int64_t ssizes[CG_MAX_DIMS], sstrides[CG_MAX_DIMS];
        int ns = 0;
        for (int k = 0; k < src->ndim; k++) {
            if (k == d) continue;
            ssizes[ns] = src->sizes[k];
            sstrides[ns++] = src->strides[k];
        }
        int slots = nd - 1;
        for (int j = 0; j < slots; j++) {
            int k = j < d ? j : j + 1, js = j - (slots - ns);
            src_strides[k] = js >= 0 && ssizes[js] != 1 ? sstrides[js] : 0;
        }
        src_strides[d] = src->ndim > d ? src->strides[d] : 0;
        p->src = header_of(src, nd, p->sizes, src_strides);
    }
    p->out = header_of(out, nd, p->sizes, out_strides);
    p->index = header_of(index, nd, p->sizes, index_strides);
    p->dim_stride = stride_along(out, d);
}

/* Every index value in [lo, lo + n); otherwise false and the first offending value in *bad. */
static bool indices_within(cg_tensor *index, int64_t lo, int64_t n, int64_t *bad) {
    if (index->numel == 0 || !cg_has_bytes(index)) return true;
    if (lo == 0) return CG_KERNEL(index, indices_in_range)(index, n, bad);
    bool ok = true;
    CG_NO_GRAD {
        cg_tensor *shifted = cg_sub_number(index, cg_number_int(lo));
        ok = shifted && CG_KERNEL(index, indices_in_range)(shifted, n, bad);
        if (!shifted) ok = false;
    }
    *bad += lo;
    return ok;
}

/* PyTorch's index_copy and index_fill read no index value of an empty self, unless the indexed
 * dim itself is empty (then every index fails, with a message of PyTorch's internals). */
static bool reads_index(const cg_tensor *t, int d) { return t->numel > 0 || size_along(t, d) == 0; }

/* index with its negative values counted from the end (size added), a new int64 tensor. */
static cg_tensor *wrapped_index(cg_tensor *index, int64_t size) {
    cg_tensor *out = NULL;
    CG_NO_GRAD { out = cg_where(cg_lt_scalar(index, 0), cg_add_number(index, cg_number_int(size)), index); }
    return out;
}

/* A new contiguous copy of t (the structured ops' output) or one laid out as t (clone). */
static cg_tensor *copy_of(cg_tensor *t, bool like) {
    cg_tensor *out = like ? cg_new_like(t, t->dtype) : cg_new_tensor_on(cg_backend_of(t), t->dtype, t->ndim, t->sizes);
    if (out && cg_copy_across(out, t) < 0) return NULL;
    return out;
}

/* A contiguous copy of t on be, the operands' lenient backend (meta when one is: nothing copied). */
static cg_tensor *copy_on(const cg_backend *be, cg_tensor *t) {
    cg_tensor *out = cg_new_tensor_on(be, t->dtype, t->ndim, t->sizes);
    if (out && cg_copy_across(out, t) < 0) return NULL;
    return out;
}

static cg_node *record_index_op(const cg_op *op, cg_tensor *out, int n, cg_tensor **inputs, int d, cg_tensor *index) {
    cg_node *node = out ? cg_record(op, out, n, inputs) : NULL;
    if (!node) return NULL;
    node->args[0] = d;
    node->args_meta = cg_input_meta_of(inputs[n - 1] ? inputs[n - 1] : inputs[0]);
    cg_save(node, 0, index);
    return node;
}

/* ---- index_add ---- */

/* alpha as PyTorch's kernel sees it: converted to t's dtype (1.5 is 1 for int64, 2 is true for bool). */
static cg_number alpha_in(cg_dtype dtype, cg_number alpha) {
    if (dtype == CG_BOOL) return cg_number_bool(alpha.kind == CG_NUMBER_FLOAT ? alpha.f != 0 : alpha.i != 0);
    if (dtype == CG_INT64) return cg_number_int(alpha.kind == CG_NUMBER_FLOAT ? (int64_t)alpha.f : alpha.i);
    return cg_number_float(dtype == CG_FLOAT32 ? (double)(float)alpha.f : alpha.f);
}

/* PyTorch's index_func_meta_impl checks (func: index_add_ or index_reduce_) and those of the slice
 * loop; the index values are the caller's to check. */
static int check_index_func(const cg_tensor *t, int d, cg_tensor *index, const cg_tensor *source, const char *func) {
    if (index->ndim > 1) {
        cg_set_index_error("%s(): Index is supposed to be a vector, but got dim: %d with type: %s and size: %s", func,
                           index->ndim, cg_dtype_title(index->dtype), cg_shape_text(index->ndim, index->sizes).s);
        return -1;
    }
    if (index->dtype != CG_INT64) {
        cg_set_error("%s(): Expected dtype int32/int64 for index but got: %s", func, cg_dtype_title(index->dtype));
        return -1;
    }
    if (t->dtype != source->dtype) {
        cg_set_error("%s(): self (%s) and source (%s) must have the same scalar type", func, cg_dtype_title(t->dtype),
                     cg_dtype_title(source->dtype));
        return -1;
    }
    if (!(d == 0 || d < source->ndim)) {
        cg_set_error("%s(): Indexing dim %d is out of bounds of the source tensor with dim %d", func, d, source->ndim);
        return -1;
    }
    int64_t n = size_along(source, d);
    if (index->numel != n && source->ndim == 0) { /* PyTorch's message reads source.size(dim) */
        cg_set_index_error("Dimension specified as %d but tensor has no dimensions", d);
        return -1;
    }
    if (index->numel != n) {
        cg_set_error("%s(): Number of indices (%lld) should be equal to source.size(dim): (%lld), for dim: %d", func,
                     (long long)index->numel, (long long)n, d);
        return -1;
    }
    if (t->ndim > 0 && index->numel > 0 && t->sizes[d] == 0) { /* PyTorch's result.select(dim, 0) */
        cg_set_index_error("select(): index 0 out of range for tensor of size %s at dimension %d",
                           cg_shape_text(t->ndim, t->sizes).s, d);
        return -1;
    }
    if (t->ndim > 1 && index->numel > 0) { /* the slices must broadcast to self's slice */
        if (source->ndim == 0) {
            cg_set_index_error("select() cannot be applied to a 0-dim tensor.");
            return -1;
        }
        int64_t a[CG_MAX_DIMS], b[CG_MAX_DIMS], shape[CG_MAX_DIMS];
        int na = 0, nb = 0;
        for (int k = 0; k < t->ndim; k++)
            if (k != d) a[na++] = t->sizes[k];
        for (int k = 0; k < source->ndim; k++)
            if (k != d) b[nb++] = source->sizes[k];
        int ns = cg_broadcast_shapes(na, a, nb, b, shape);
        if (ns < 0) return -1;
        if (!cg_same_shape(ns, shape, na, a)) {
            cg_set_error("output with shape %s doesn't match the broadcast shape %s", cg_shape_text(na, a).s,
                         cg_shape_text(ns, shape).s);
            return -1;
        }
    } else if (t->ndim <= 1 && source->ndim > 1) {
        cg_set_error("source.dim() (%d) must one or zero for given self.dim() (%d)", source->ndim, t->ndim);
        return -1;
    }
    return 0;
}

/* The slice loop's check of the index values. */
static int check_in_self(const cg_tensor *t, int d, cg_tensor *index) {
    int64_t bad;
    if (indices_within(index, 0, size_along(t, d), &bad)) return 0;
    cg_set_index_error("index out of range in self");
    return -1;
}

cg_tensor *cg_index_add_number(cg_tensor *t, int dim, cg_tensor *index, cg_tensor *source, cg_number alpha) {
    const cg_backend *be = t && index && source ? CG_LENIENT_BACKEND(t, index, source) : NULL;
    if (!be || cg_check_number(alpha) < 0) return NULL;
    int d = cg_wrap_dim(dim, t->ndim);
    if (d < 0 || check_index_func(t, d, index, source, "index_add_") < 0 || check_in_self(t, d, index) < 0) return NULL;
    cg_tensor *out = copy_on(be, t);
    if (!out) return NULL;
    if (index->numel > 0 && out->numel > 0) {
        index_plan p;
        plan_for(&p, out, d, index, source);
        /* PyTorch adds a slice of self with 2+ dims by its vectorized add (one fma), else element by element */
        CG_KERNEL(out, index_add)(&p.out, &p.index, &p.src, p.dim_stride, alpha_in(t->dtype, alpha), t->ndim > 1);
    }
    cg_node *n = record_index_op(&cg_op_index_add, out, CG_INPUTS(t, source), d, index);
    if (n) n->scalars[0] = alpha.kind == CG_NUMBER_FLOAT ? alpha.f : (double)alpha.i;
    return cg_recorded(out);
}

/* ---- index_copy ---- */

/* The sizes of t without dim d ("2 4", as PyTorch prints a vector into its message). */
static void slice_text(const cg_tensor *t, int d, char *buf, size_t len) {
    size_t used = 0;
    buf[0] = '\0';
    for (int k = 0; k < t->ndim && used < len; k++)
        if (k != d) used += (size_t)snprintf(buf + used, len - used, used ? " %lld" : "%lld", (long long)t->sizes[k]);
}

static int check_index_copy(const cg_tensor *t, int d, cg_tensor *index, const cg_tensor *source) {
    if (index->ndim >= 2) {
        cg_set_index_error("index_copy_(): Index should have dimension 1 or 0 (got %d)", index->ndim);
        return -1;
    }
    if (source->ndim == 0 && index->numel != 1) {
        cg_set_index_error("index_copy_(): When source is scalar, index should have one element (got %lld)",
                           (long long)index->numel);
        return -1;
    }
    if (source->ndim != t->ndim && source->ndim != 0 && t->ndim != 0) {
        cg_set_index_error("index_copy_(): When source and destination are not scalars, their dimensionality must "
                           "match. Source dimensionality (%d), destination dimensionality (%d)", source->ndim, t->ndim);
        return -1;
    }
    if (index->dtype != CG_INT64) {
        cg_set_error("index_copy_(): Expected a long tensor for index, but got %s", cg_dtype_title(index->dtype));
        return -1;
    }
    if (t->dtype != source->dtype) {
        cg_set_error("index_copy_(): self and source expected to have the same dtype, but got (self) %s and (source) %s",
                     cg_dtype_title(t->dtype), cg_dtype_title(source->dtype));
        return -1;
    }
    char a[256], b[256];
    slice_text(t, d, a, sizeof a);
    slice_text(source, d, b, sizeof b);
    if (strcmp(a, b) != 0) {
        cg_set_error("index_copy_(): Source/destination tensor must have same slice shapes. Destination slice shape: %s "
                     "at dimension %d and source slice shape: %s at dimension 0.", a, d, b);
        return -1;
    }
    if (source->ndim != 0 && index->numel != source->sizes[d]) {
        cg_set_index_error("index_copy_(): Number of indices (%lld) should be equal to source.size(dim) (%lld)",
                           (long long)index->numel, (long long)source->sizes[d]);
        return -1;
    }
    int64_t bad;
    if (reads_index(t, d) && !indices_within(index, 0, size_along(t, d), &bad)) {
        cg_set_index_error("index_copy_(): index %lld is out of bounds for dimension %d with size %lld", (long long)bad, d,
                           (long long)size_along(t, d));
        return -1;
    }
    return 0;
}

cg_tensor *cg_index_copy(cg_tensor *t, int dim, cg_tensor *index, cg_tensor *source) {
    const cg_backend *be = t && index && source ? CG_LENIENT_BACKEND(t, index, source) : NULL;
    if (!be) return NULL;
    int d = cg_wrap_dim(dim, t->ndim);
    if (d < 0 || check_index_copy(t, d, index, source) < 0) return NULL;
    cg_tensor *out = copy_on(be, t);
    if (!out) return NULL;
    if (index->numel > 0 && out->numel > 0) {
        index_plan p;
        plan_for(&p, out, d, index, source);
        CG_KERNEL(out, scatter)(&p.out, &p.index, &p.src, p.dim_stride);
    }
    record_index_op(&cg_op_index_copy, out, CG_INPUTS(t, source), d, index);
    return cg_recorded(out);
}

/* self's gradient: grad with the copied places zeroed; source's: read back from them. */
void cg_backward_index_copy(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *index = cg_saved(n, 0);
    if (!index) return;
    int d = (int)n->args[0];
    if (cg_needs_grad(n, 0)) out[0] = cg_index_fill(grads[0], d, index, 0);
    if (cg_needs_grad(n, 1)) {
        cg_tensor *g = cg_index_select(grads[0], d, index);
        out[1] = n->args_meta.ndim == 0 ? cg_reshape_shape(g, 0, NULL) : g;
    }
}

/* index_copy and index_fill are linear in self and the source (value) together: the same op on
 * their tangents (zeros for one without). */
void cg_jvp_index_copy(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    cg_tensor *index = cg_saved(n, 0), *self = cg_tangent_or_zeros(in[0], tin[0], outs[0]->dtype);
    cg_tensor *source = cg_tangent_or_zeros(in[1], tin[1], outs[0]->dtype);
    if (index) tout[0] = cg_index_copy(self, (int)n->args[0], index, source);
}

/* ---- index_fill ---- */

/* A copy of t (laid out as t) with value written along d at the index values (negative ones
 * count from the end), value a 0-dim tensor of t's dtype on t's device. */
static cg_tensor *index_filled(cg_tensor *t, int d, cg_tensor *index, cg_tensor *value) {
    cg_tensor *out = copy_of(t, true), *at = wrapped_index(index, size_along(t, d));
    if (!out || !at) return NULL;
    if (index->numel > 0 && out->numel > 0) {
        index_plan p;
        plan_for(&p, out, d, at, value);
        CG_KERNEL(out, scatter)(&p.out, &p.index, &p.src, p.dim_stride);
    }
    return out;
}

static int check_index_fill(const cg_tensor *t, int64_t dim, cg_tensor *index, const cg_number *value, int *d) {
    if (index->dtype != CG_INT64) {
        cg_set_index_error("index_fill_(): Expected dtype int64 for index.");
        return -1;
    }
    *d = cg_wrap_dim((int)dim, t->ndim ? t->ndim : 1);
    if (*d < 0) return -1;
    if (index->ndim > 1) {
        cg_set_error("Index has to be a vector/scalar");
        return -1;
    }
    int64_t size = size_along(t, *d), bad;
    if (value && cg_check_number_fits(t->dtype, *value) < 0) return -1; /* converted before the loop */
    if (reads_index(t, *d) && !indices_within(index, -size, 2 * size, &bad)) {
        cg_set_index_error("index %lld is out of bounds for dimension %d with size %lld", (long long)bad, *d,
                           (long long)size);
        return -1;
    }
    return 0;
}

cg_tensor *cg_index_fill_number(cg_tensor *t, int dim, cg_tensor *index, cg_number value) {
    const cg_backend *be = t && index ? CG_LENIENT_BACKEND(t, index) : NULL;
    if (!be || cg_check_number(value) < 0) return NULL;
    int d;
    if (check_index_fill(t, dim, index, &value, &d) < 0) return NULL;
    cg_tensor *v = cg_full_on(cg_backend_of(t), t->dtype, 0, NULL, value);
    cg_tensor *out = v ? index_filled(t, d, index, v) : NULL;
    record_index_op(&cg_op_index_fill, out, CG_INPUTS(t), d, index);
    return cg_recorded(out);
}

/* The filled places no longer depend on t. */
void cg_backward_index_fill(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *index = cg_saved(n, 0);
    if (index) out[0] = cg_index_fill(grads[0], (int)n->args[0], index, 0);
}

void cg_jvp_index_fill(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    (void)in;
    (void)outs;
    cg_tensor *index = cg_saved(n, 0);
    if (index) tout[0] = cg_index_fill(tin[0], (int)n->args[0], index, 0);
}

cg_tensor *cg_index_fill_tensor(cg_tensor *t, int dim, cg_tensor *index, cg_tensor *value) {
    if (!t || !index || !value) return NULL;
    if (value->ndim != 0) {
        cg_set_error("index_fill_ only supports a 0-dimensional value tensor, but got tensor with %d dimension(s).",
                     value->ndim);
        return NULL;
    }
    if (!CG_LENIENT_BACKEND(t, index)) return NULL;
    int d;
    cg_number number = cg_number_int(0), *fits = NULL;
    if (cg_has_bytes(value) && cg_dtype_is_floating(value->dtype)) { /* PyTorch converts value.item() */
        number = cg_number_float(cg_item(value));
        fits = &number;
    }
    if (check_index_fill(t, dim, index, fits, &d) < 0) return NULL;
    cg_tensor *v = NULL;
    CG_NO_GRAD { v = cg_to(value, t->dtype); }
    cg_tensor *out = v ? index_filled(t, d, index, v) : NULL;
    record_index_op(&cg_op_index_fill_tensor, out, CG_INPUTS(t, value), d, index);
    return cg_recorded(out);
}

/* value's gradient: the sum of the gradient over the filled places (each counted once). */
void cg_backward_index_fill_tensor(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *index = cg_saved(n, 0), *g = grads[0];
    if (!index) return;
    int d = (int)n->args[0];
    if (cg_needs_grad(n, 0)) out[0] = cg_index_fill(g, d, index, 0);
    if (cg_needs_grad(n, 1)) out[1] = cg_sum(cg_sub(g, cg_index_fill(g, d, index, 0)));
}

void cg_jvp_index_fill_tensor(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    cg_tensor *index = cg_saved(n, 0), *self = cg_tangent_or_zeros(in[0], tin[0], outs[0]->dtype);
    cg_tensor *value = cg_tangent_or_zeros(in[1], tin[1], outs[0]->dtype);
    if (index) tout[0] = cg_index_fill_tensor(self, (int)n->args[0], index, value);
}

/* ---- nonzero ---- */

/* torch.nonzero: the coordinates of t's nonzero elements, row-major, as PyTorch lays them out: an
 * (n, ndim) int64 tensor with strides (1, n), the transpose of its (ndim, n) storage. */
cg_tensor *cg_nonzero(cg_tensor *t) {
    if (!t) return NULL;
    if (!cg_has_bytes(t)) {
        cg_set_error_kind(CG_NOT_IMPLEMENTED_ERROR, "Could not run 'aten::nonzero' with arguments from the '%s' backend.",
                          t->storage->backend->device == CG_META ? "Meta" : "unknown");
        return NULL;
    }
    int64_t n = CG_KERNEL(t, nonzero)(NULL, t);
    cg_tensor *rows = cg_new_tensor_on(cg_backend_of(t), CG_INT64, 2, (const int64_t[]){n, t->ndim});
    cg_tensor *store = cg_new_tensor_on(cg_backend_of(t), CG_INT64, 2, (const int64_t[]){t->ndim, n});
    if (!rows || !store) return NULL;
    if (n > 0 && t->ndim > 0) {
        CG_KERNEL(t, nonzero)(rows, t);
        cg_tensor dst = header_of(store, 2, (const int64_t[]){n, t->ndim}, (const int64_t[]){store->strides[1], store->strides[0]});
        CG_KERNEL(store, copy)(&dst, rows);
    }
    return cg_new_view(store, 2, (const int64_t[]){n, t->ndim}, (const int64_t[]){store->strides[1], store->strides[0]},
                       store->offset);
}

cg_tensor *cg_argwhere(cg_tensor *t) { return cg_nonzero(t); }

/* ---- take, put ---- */

/* The values of a flat index into n elements, [-n, n) (PyTorch's take/put kernel's check). */
static int check_flat_index(cg_tensor *index, int64_t n) {
    int64_t bad;
    if (indices_within(index, -n, 2 * n, &bad)) return 0;
    cg_set_index_error("out of range: tried to access index %lld on a tensor of %lld elements.", (long long)bad,
                       (long long)n);
    return -1;
}

/* index with negative values counted from the end, contiguous and 1-D (n its numel). */
static cg_tensor *flat_index(cg_tensor *index, int64_t size) {
    cg_tensor *out = NULL;
    CG_NO_GRAD { out = cg_reshape_shape(cg_contiguous(wrapped_index(index, size)), 1, (const int64_t[]){index->numel}); }
    return out;
}

static cg_tensor *not_on_meta(const char *op, const cg_tensor *t) {
    cg_set_error_kind(CG_NOT_IMPLEMENTED_ERROR, "Could not run 'aten::%s' with arguments from the '%s' backend.", op,
                      t->storage->backend->device == CG_META ? "Meta" : "unknown");
    return NULL;
}

cg_tensor *cg_take(cg_tensor *t, cg_tensor *index) {
    const cg_backend *be = t && index ? CG_LENIENT_BACKEND(t, index) : NULL;
    if (!be) return NULL;
    if (!cg_has_bytes(t) || !cg_has_bytes(index)) return not_on_meta("take", cg_has_bytes(t) ? index : t);
    if (index->dtype != CG_INT64) {
        cg_set_error("take(): Expected a long tensor for index, but got %s", cg_dtype_title(index->dtype));
        return NULL;
    }
    if (t->numel == 0 && index->numel != 0) {
        cg_set_index_error("take(): tried to take from an empty tensor");
        return NULL;
    }
    if (check_flat_index(index, t->numel) < 0) return NULL;
    cg_tensor *out = cg_new_tensor_on(be, t->dtype, index->ndim, index->sizes);
    if (!out) return NULL;
    if (out->numel > 0) {
        cg_tensor *at = flat_index(index, t->numel), *flat = NULL;
        CG_NO_GRAD { flat = cg_reshape_shape(t, 1, (const int64_t[]){t->numel}); }
        if (!at || !flat) return NULL;
        int64_t zero = 0;
        cg_tensor dst = header_of(out, 1, &at->numel, (const int64_t[]){1});
        cg_tensor src = header_of(flat, 1, &at->numel, &zero);
        CG_KERNEL(out, gather)(&dst, &src, at, flat->strides[0]);
    }
    record_index_op(&cg_op_take, out, CG_INPUTS(t), 0, index);
    return cg_recorded(out);
}

/* zeros_like(self).put_(index, grad, accumulate=True) (PutBackward0 when grad has a history). */
void cg_backward_take(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *index = cg_saved(n, 0), *g = grads[0];
    if (index) out[0] = cg_put(cg_zeros_on(g, g->dtype, n->args_meta.ndim, n->args_meta.sizes), index, g, true);
}

cg_tensor *cg_put(cg_tensor *t, cg_tensor *index, cg_tensor *source, bool accumulate) {
    const cg_backend *be = t && index && source ? CG_LENIENT_BACKEND(t, index, source) : NULL;
    if (!be) return NULL;
    if (index->dtype != CG_INT64) {
        cg_set_error("put_(): Expected a long tensor for index, but got %s", cg_dtype_title(index->dtype));
        return NULL;
    }
    if (t->dtype != source->dtype) {
        cg_set_error("put_(): self and source expected to have the same dtype, but got self.dtype = %s and "
                     "source.dtype = %s", cg_dtype_title(t->dtype), cg_dtype_title(source->dtype));
        return NULL;
    }
    if (source->numel != index->numel) {
        cg_set_index_error("put_(): Expected source and index to have the same number of elements, but got "
                           "source.numel() = %lld, index.numel() = %lld", (long long)source->numel,
                           (long long)index->numel);
        return NULL;
    }
    if (t->numel == 0 && index->numel != 0) {
        cg_set_index_error("put_(): Tried to put elements into an empty tensor");
        return NULL;
    }
    if (check_flat_index(index, t->numel) < 0) return NULL;
    /* written row-major in a contiguous copy (the index counts elements row-major), then laid out as
     * t, as PyTorch's clone(Preserve).put_ */
    cg_tensor *flat = copy_on(be, t), *out = flat;
    if (!flat) return NULL;
    if (index->numel > 0) {
        cg_tensor *at = flat_index(index, t->numel), *src = NULL;
        CG_NO_GRAD { src = cg_reshape_shape(cg_contiguous(source), 1, &index->numel); }
        if (!at || !src) return NULL;
        int64_t zero = 0;
        cg_tensor dst = header_of(flat, 1, &at->numel, &zero);
        (accumulate ? CG_KERNEL(flat, scatter_add) : CG_KERNEL(flat, scatter))(&dst, at, src, 1);
    }
    if (cg_has_bytes(flat) && !cg_is_row_major(t) && (!(out = cg_new_like(t, t->dtype)) || cg_copy_across(out, flat) < 0))
        return NULL;
    cg_node *n = record_index_op(&cg_op_put, out, CG_INPUTS(t, source), 0, index);
    if (n) n->args[1] = accumulate;
    return cg_recorded(out);
}

/* self: grad (accumulate) or grad with the written places zeroed; source: read back from them. */
void cg_backward_put(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *index = cg_saved(n, 0), *g = grads[0];
    if (!index) return;
    if (cg_needs_grad(n, 0))
        out[0] = n->args[1] ? g : cg_put(g, index, cg_zeros_on(g, g->dtype, n->args_meta.ndim, n->args_meta.sizes), false);
    if (cg_needs_grad(n, 1)) out[1] = cg_reshape_shape(cg_take(g, index), n->args_meta.ndim, n->args_meta.sizes);
}

/* torch.take_along_dim: t and indices broadcast against each other outside dim, then gather
 * (PyTorch's composite: GatherBackward0, ExpandBackward0 where t was broadcast). */
cg_tensor *cg_take_along_dim(cg_tensor *t, cg_tensor *indices, int dim) {
    if (!t || !indices) return NULL;
    if (t->ndim != indices->ndim) {
        cg_set_error("torch.take_along_dim(): input and indices should have the same number of dimensions, but got %d "
                     "dimensions for input, and %d dimensions for indices", t->ndim, indices->ndim);
        return NULL;
    }
    if (indices->dtype != CG_INT64) {
        cg_set_error("torch.take_along_dim(): dtype of indices should be Long but got %s", cg_dtype_title(indices->dtype));
        return NULL;
    }
    int d = cg_wrap_dim(dim, t->ndim);
    if (d < 0) return NULL;
    if (t->ndim == 0) { /* PyTorch reads indices.size(dim) */
        cg_set_index_error("Dimension specified as %d but tensor has no dimensions", d);
        return NULL;
    }
    int64_t sizes[CG_MAX_DIMS], shape[CG_MAX_DIMS];
    memcpy(sizes, t->sizes, sizeof sizes);
    sizes[d] = indices->sizes[d];
    int nd = cg_broadcast_shapes(t->ndim, sizes, indices->ndim, indices->sizes, shape);
    cg_tensor *idx = nd < 0 ? NULL : cg_broadcast_to(indices, nd, shape);
    if (!idx) return NULL;
    memcpy(sizes, indices->sizes, sizeof sizes);
    sizes[d] = t->sizes[d];
    nd = cg_broadcast_shapes(indices->ndim, sizes, t->ndim, t->sizes, shape);
    cg_tensor *self = nd < 0 ? NULL : cg_broadcast_to(t, nd, shape);
    return self ? cg_gather(self, d, idx) : NULL;
}

/* take_along_dim with dim None: t.view(-1).gather(0, indices.view(-1)). */
cg_tensor *cg_take_along_dim_flat(cg_tensor *t, cg_tensor *indices) {
    if (!t || !indices) return NULL;
    return cg_gather(cg_view(t, -1), 0, cg_view(indices, -1));
}

/* ---- masked_select, masked_scatter ---- */

/* mask and t expanded to their common shape (PyTorch's expand_outplace(mask, t)), as headers. */
static int expand_pair(cg_tensor *mask, cg_tensor *t, cg_tensor **mask_e, cg_tensor **t_e) {
    int64_t shape[CG_MAX_DIMS];
    int nd = cg_broadcast_shapes(mask->ndim, mask->sizes, t->ndim, t->sizes, shape);
    if (nd < 0) return -1;
    CG_NO_GRAD {
        *mask_e = cg_expand_shape(mask, nd, shape);
        *t_e = cg_expand_shape(t, nd, shape);
    }
    return *mask_e && *t_e ? 0 : -1;
}

static int64_t count_true(const cg_tensor *mask) { return cg_has_bytes(mask) ? CG_KERNEL(mask, nonzero)(NULL, mask) : 0; }

/* torch.masked_select: t's elements where mask (broadcast with t) is true, row-major, 1-D. */
cg_tensor *cg_masked_select(cg_tensor *t, cg_tensor *mask) {
    const cg_backend *be = t && mask ? CG_LENIENT_BACKEND(t, mask) : NULL;
    if (!be) return NULL;
    if (!cg_has_bytes(t) || !cg_has_bytes(mask)) return not_on_meta("masked_select", cg_has_bytes(t) ? mask : t);
    if (mask->dtype != CG_BOOL) {
        cg_set_error("masked_select: expected BoolTensor or ByteTensor for mask");
        return NULL;
    }
    cg_tensor *m, *self;
    if (expand_pair(mask, t, &m, &self) < 0) return NULL;
    int64_t n = count_true(m);
    cg_tensor *out = cg_new_tensor_on(be, t->dtype, 1, &n);
    if (!out) return NULL;
    if (n > 0) CG_KERNEL(out, masked_select)(out, self, m);
    cg_node *node = cg_record(&cg_op_masked_select, out, CG_INPUTS(t));
    if (node) {
        node->args_meta = cg_input_meta_of(self); /* the broadcast shape */
        cg_save(node, 0, mask);
    }
    return cg_recorded(out);
}

/* PyTorch's masked_select_backward: zeros of the broadcast shape with grad scattered where mask is
 * true (the engine sums it to self's shape). */
void cg_backward_masked_select(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *mask = cg_saved(n, 0), *g = grads[0];
    if (mask) out[0] = cg_masked_scatter(cg_zeros_on(g, g->dtype, n->args_meta.ndim, n->args_meta.sizes), mask, g);
}

/* torch.masked_scatter: t (broadcast with mask) with source's elements, in order, written where
 * mask is true. */
cg_tensor *cg_masked_scatter(cg_tensor *t, cg_tensor *mask, cg_tensor *source) {
    const cg_backend *be = t && mask && source ? CG_LENIENT_BACKEND(t, mask, source) : NULL;
    if (!be) return NULL;
    cg_tensor *m, *self;
    if (expand_pair(mask, t, &m, &self) < 0) return NULL;
    if (t->dtype != source->dtype) {
        cg_set_error("masked_scatter: expected self and source to have same dtypes but got%s and %s",
                     cg_dtype_title(t->dtype), cg_dtype_title(source->dtype));
        return NULL;
    }
    if (mask->dtype != CG_BOOL) { /* PyTorch 2's check: 1.13 reads another dtype's bytes as bools */
        cg_set_error("masked_scatter_ only supports boolean masks, but got mask with dtype %s",
                     cg_dtype_cpp_name(mask->dtype));
        return NULL;
    }
    int64_t n = count_true(m);
    if (n > source->numel) {
        cg_set_error("Number of elements of source < number of ones in mask");
        return NULL;
    }
    cg_tensor *out = copy_on(be, self), *src = NULL; /* clone(Contiguous) */
    CG_NO_GRAD { src = cg_contiguous(source); }
    if (!out || !src) return NULL;
    if (n > 0) CG_KERNEL(out, masked_scatter)(out, m, src);
    cg_node *node = cg_record(&cg_op_masked_scatter, out, CG_INPUTS(t, source));
    if (node) {
        node->args_meta = cg_input_meta_of(source);
        cg_save(node, 0, mask);
    }
    return cg_recorded(out);
}

/* self: grad with the written places zeroed; source: PyTorch's masked_scatter_backward, grad's
 * selected elements padded with zeros to source's numel, in source's shape. */
void cg_backward_masked_scatter(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *mask = cg_saved(n, 0), *g = grads[0];
    if (!mask) return;
    if (cg_needs_grad(n, 0)) out[0] = cg_masked_fill(g, mask, 0);
    if (!cg_needs_grad(n, 1)) return;
    const cg_input_meta *src = &n->args_meta;
    cg_tensor *selected = cg_masked_select(g, mask);
    int64_t rest = cg_shape_numel(src->ndim, src->sizes) - (selected ? selected->numel : 0);
    if (selected && rest > 0) selected = cg_cat(CG_LIST(selected, cg_zeros_on(g, g->dtype, 1, &rest)), 0);
    out[1] = cg_view_shape(selected, src->ndim, src->sizes);
}

/* ---- index_reduce ---- */

cg_tensor *cg_index_reduce(cg_tensor *t, int dim, cg_tensor *index, cg_tensor *source, cg_scatter_reduction reduce,
                           bool include_self) {
    const cg_backend *be = t && index && source ? CG_LENIENT_BACKEND(t, index, source) : NULL;
    if (!be) return NULL;
    if (reduce == CG_SCATTER_SUM) {
        cg_set_error("index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got sum.");
        return NULL;
    }
    int d = cg_wrap_dim(dim, t->ndim);
    if (d < 0 || check_index_func(t, d, index, source, "index_reduce_") < 0) return NULL;
    if (t->dtype == CG_BOOL && !include_self) { /* PyTorch's dispatch of the identity's fill */
        cg_set_error("\"index_reduce_func_exclude_input_init\" not implemented for 'Bool'");
        return NULL;
    }
    int64_t size = size_along(t, d), bad;
    /* without self, PyTorch's index_fill_ of the reduction's identity checks the values first */
    if (!include_self && reads_index(t, d) && !indices_within(index, -size, 2 * size, &bad)) {
        cg_set_index_error("index %lld is out of bounds for dimension %d with size %lld", (long long)bad, d, (long long)size);
        return NULL;
    }
    /* PyTorch's element loop (self of 0 or 1 dim) has no bool version; its slice loop has, but not
     * mean's floor division */
    bool bool_fails = t->dtype == CG_BOOL && (t->ndim <= 1 || reduce == CG_SCATTER_MEAN);
    if (bool_fails && t->ndim <= 1) {
        cg_set_error("\"index_func_\" not implemented for 'Bool'");
        return NULL;
    }
    if (check_in_self(t, d, index) < 0) return NULL;
    if (bool_fails) {
        cg_set_error("\"div_floor_cpu\" not implemented for 'Bool'");
        return NULL;
    }
    static atomic_bool warned;
    if (!atomic_exchange(&warned, true)) cg_warn("index_reduce() is in beta and the API may change at any time.");
    cg_tensor *out = copy_on(be, t);
    if (!out) return NULL;
    if (index->numel > 0 && out->numel > 0) {
        index_plan p;
        if (!include_self) {
            cg_tensor *init = cg_full_on(be, t->dtype, 0, NULL, cg_scatter_identity(reduce, t->dtype));
            if (!init) return NULL;
            plan_for(&p, out, d, index, init);
            CG_KERNEL(out, scatter)(&p.out, &p.index, &p.src, p.dim_stride);
        }
        plan_for(&p, out, d, index, source);
        CG_KERNEL(out, scatter_reduce)(reduce, &p.out, &p.index, &p.src, p.dim_stride);
    }
    if (reduce == CG_SCATTER_MEAN) CG_NO_GRAD { /* the sum over how many were summed (floor for int64) */
        cg_tensor *count = cg_index_add(include_self ? cg_ones_like(out) : cg_zeros_like(out), d, index, cg_ones_like(source));
        count = count ? cg_masked_fill(count, cg_eq_scalar(count, 0), 1) : NULL;
        out = cg_dtype_is_floating(t->dtype) ? cg_div(out, count) : cg_div_mode(out, count, "floor");
    }
    cg_node *n = record_index_op(&cg_op_index_reduce, out, CG_INPUTS(t, source), d, index);
    if (n) {
        n->args[1] = reduce;
        n->args[2] = include_self;
        cg_save(n, 1, t);
        cg_save(n, 2, source);
        cg_save(n, 3, out);
    }
    return cg_recorded(out);
}

/* PyTorch 1.13's index_reduce_backward, composed of ops. */
void cg_backward_index_reduce(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *index = cg_saved(n, 0), *self = cg_saved(n, 1), *src = cg_saved(n, 2), *result = cg_saved(n, 3);
    if (!index || !self || !src || !result) return;
    int d = (int)n->args[0];
    cg_scatter_reduction reduce = (cg_scatter_reduction)n->args[1];
    bool include_self = n->args[2];
    cg_tensor *g = grads[0], *gs = NULL, *gsrc = NULL;
    if (reduce == CG_SCATTER_PROD) {
        cg_tensor *masked_self = cg_masked_fill(self, cg_eq_scalar(self, 0), 1);
        gs = cg_div(cg_mul(g, cg_index_reduce(masked_self, d, index, src, reduce, include_self)), masked_self);
        cg_tensor *src_zero = cg_eq_scalar(src, 0);
        cg_tensor *zeros_count = cg_index_select(cg_index_add(cg_zeros_like(self), d, index, cg_to(src_zero, self->dtype)), d, index);
        cg_tensor *single = cg_logical_and(src_zero, cg_eq_scalar(zeros_count, 1));
        cg_tensor *masked_src_result = cg_index_reduce(self, d, index, cg_masked_fill(src, single, 1), reduce, include_self);
        gsrc = cg_where(single, cg_index_select(cg_mul(g, masked_src_result), d, index),
                        cg_div(cg_index_select(cg_mul(g, result), d, index), cg_masked_fill(src, src_zero, 1)));
        bool refused = false;
        CG_NO_GRAD { refused = cg_item(cg_any(cg_gt_scalar(zeros_count, 1))) != 0; }
        if (refused)
            gsrc = cg_delayed_error(gsrc, "index_reduce(): Double backward is unsupported for source when >1 zeros in "
                                          "source are scattered to the same position in self");
    } else if (reduce == CG_SCATTER_MEAN) {
        cg_tensor *count = cg_index_add(include_self ? cg_ones_like(self) : cg_zeros_like(self), d, index, cg_ones_like(src));
        count = cg_masked_fill(count, cg_eq_scalar(count, 0), 1);
        gs = cg_div(g, count);
        gsrc = cg_div(cg_index_select(g, d, index), cg_index_select(count, d, index));
    } else { /* amax, amin: the gradient shared evenly among the elements equal to the result */
        cg_tensor *value = cg_index_select(result, d, index), *self_is = cg_eq(self, result), *src_is = cg_eq(src, value);
        cg_tensor *shares = cg_index_add(cg_to(self_is, self->dtype), d, index, cg_to(src_is, self->dtype));
        cg_tensor *distributed = cg_div(g, shares);
        gs = cg_mul(self_is, distributed);
        gsrc = cg_mul(src_is, cg_index_select(distributed, d, index));
    }
    if (!include_self) gs = cg_index_fill(gs, d, index, 0);
    if (cg_needs_grad(n, 0)) out[0] = gs;
    if (cg_needs_grad(n, 1)) out[1] = gsrc;
}
