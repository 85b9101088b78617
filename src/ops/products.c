/* Products built from other ops: outer (ger), tensordot, inner. Each is PyTorch 1.13's composite:
 * the same views, mul, sum and mm in the same order, so the graph has PyTorch's nodes (outer's
 * MulBackward0, tensordot's ReshapeAliasBackward0 of mm) and the same kernels give the same bits. */
#include "autograd/registry.h"

static int check_1d(const cg_tensor *t, const char *arg, const char *fn) {
    if (t->ndim == 1) return 0;
    cg_set_error("%s: Expected 1-D argument %s, but got %d-D", fn, arg, t->ndim);
    return -1;
}

/* at::outer: self as a column times vec2, broadcast. */
cg_tensor *cg_outer(cg_tensor *self, cg_tensor *vec2) {
    if (!self || !vec2) return NULL;
    if (check_1d(self, "self", "outer") < 0 || check_1d(vec2, "vec2", "outer") < 0) return NULL;
    cg_scope_begin();
    return cg_scope_end_keeping(cg_mul(cg_reshape(self, self->sizes[0], 1), vec2));
}

cg_tensor *cg_ger(cg_tensor *self, cg_tensor *vec2) { return cg_outer(self, vec2); }

/* Tensor::size(dim): a dim of a 0-dim tensor is an error (maybe_wrap_dim without wrap_scalar). */
static int64_t size_of(const cg_tensor *t, int64_t dim) {
    if (t->ndim == 0) {
        cg_set_index_error("Dimension specified as %lld but tensor has no dimensions", (long long)dim);
        return -1;
    }
    int64_t d = cg_wrap_index(dim, t->ndim);
    return d < 0 ? -1 : t->sizes[d];
}


/* Checked already: dims of size 1 on one side are summed away at once (kept as size 1), the other
 * contracted dims moved last in t1 and first in t2, both reshaped to matrices, then mm. */
static cg_tensor *tensordot_recorded(cg_tensor *t1, cg_tensor *t2, int n, const int64_t *dims1,
                                     const int64_t *dims2, const bool *c1, const bool *c2) {
    cg_tensor *a = t1, *b = t2;
    int64_t csize = 1;
    for (int i = 0; i < n; i++) {
        int64_t s1 = size_of(t1, dims1[i]), s2 = size_of(t2, dims2[i]);
        if (s2 == 1) a = cg_sum(a, CG_DIMS((int)dims1[i]), .keepdim = true);
        else if (s1 == 1) b = cg_sum(b, CG_DIMS((int)dims2[i]), .keepdim = true);
        else csize *= s1;
    }
    if (!a || !b) return NULL;
    int64_t p1[CG_MAX_DIMS], p2[CG_MAX_DIMS], rsizes[2 * CG_MAX_DIMS];
    int n1 = 0, n2 = 0, nr = 0;
    int64_t size1 = 1, size2 = 1;
    for (int d = 0; d < a->ndim; d++)
        if (!c1[d]) p1[n1++] = d, size1 *= a->sizes[d], rsizes[nr++] = a->sizes[d];
    for (int i = 0; i < n; i++) p1[n1++] = dims1[i], p2[n2++] = dims2[i];
    for (int d = 0; d < b->ndim; d++)
        if (!c2[d]) p2[n2++] = d, size2 *= b->sizes[d], rsizes[nr++] = b->sizes[d];
    a = cg_reshape(cg_permute_dims(a, n1, p1), size1, csize);
    b = cg_reshape(cg_permute_dims(b, n2, p2), csize, size2);
    return cg_reshape_shape(cg_mm(a, b), nr, rsizes);
}

cg_tensor *cg_tensordot_dims(cg_tensor *a, cg_tensor *b, int na, const int64_t *dims_a, int nb,
                             const int64_t *dims_b) {
    if (!a || !b) return NULL;
    if (cg_check_count(na, "dims_a") < 0 || cg_check_count(nb, "dims_b") < 0) return NULL;
    if (na != nb) {
        cg_set_error("both dimension lists should have same length");
        return NULL;
    }
    if (na > CG_MAX_DIMS) {
        cg_set_error("tensordot: at most %d contracted dims", CG_MAX_DIMS);
        return NULL;
    }
    for (int i = 0; i < na; i++) {
        int64_t s1 = size_of(a, dims_a[i]);
        int64_t s2 = s1 < 0 ? -1 : size_of(b, dims_b[i]);
        if (s1 < 0 || s2 < 0) return NULL;
        if (s1 != s2 && s1 != 1 && s2 != 1) {
            cg_set_error("contracted dimensions need to match, but first has size %lld in dim %lld and second has "
                         "size %lld in dim %lld", (long long)s1, (long long)dims_a[i], (long long)s2,
                         (long long)dims_b[i]);
            return NULL;
        }
    }
    bool c1[CG_MAX_DIMS], c2[CG_MAX_DIMS];
    if (!cg_dims_bitset(a, na, dims_a, c1) || !cg_dims_bitset(b, nb, dims_b, c2)) return NULL;
    cg_scope_begin();
    return cg_scope_end_keeping(tensordot_recorded(a, b, na, dims_a, dims_b, c1, c2));
}

/* torch.tensordot(a, b, dims=n): a's last n dims against b's first n. */
cg_tensor *cg_tensordot(cg_tensor *a, cg_tensor *b, int64_t dims) {
    if (!a || !b) return NULL;
    if (dims < 0) {
        cg_set_error("tensordot expects dims >= 0, but got dims=%lld", (long long)dims);
        return NULL;
    }
    if (dims > CG_MAX_DIMS) {
        cg_set_error("tensordot: at most %d contracted dims", CG_MAX_DIMS);
        return NULL;
    }
    int64_t dims_a[CG_MAX_DIMS], dims_b[CG_MAX_DIMS];
    for (int i = 0; i < dims; i++) dims_a[i] = i - dims, dims_b[i] = i;
    return cg_tensordot_dims(a, b, (int)dims, dims_a, (int)dims, dims_b);
}

/* at::inner: a product with a scalar, else tensordot over the last dims. */
cg_tensor *cg_inner(cg_tensor *a, cg_tensor *b) {
    if (!a || !b) return NULL;
    if (a->ndim == 0 || b->ndim == 0) return cg_mul(a, b);
    if (a->sizes[a->ndim - 1] != b->sizes[b->ndim - 1]) {
        cg_set_error("inner() the last dimension must match on both input tensors but got shapes %s and %s",
                     cg_shape_text(a->ndim, a->sizes).s, cg_shape_text(b->ndim, b->sizes).s);
        return NULL;
    }
    return cg_tensordot_dims(a, b, 1, (const int64_t[]){-1}, 1, (const int64_t[]){-1});
}
