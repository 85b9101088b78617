/* What the linalg.* ops share (linalg_internal.h). */
#include "ops/linalg_internal.h"

#include <stdio.h>
#include <string.h>

int cg_la_check_matrix(const cg_tensor *t, const char *fn, const char *name) {
    if (t->ndim < 2) {
        cg_set_error("%s: The input tensor %s must have at least 2 dimensions.", fn, name);
        return -1;
    }
    return 0;
}

int cg_la_check_square(const cg_tensor *t, const char *fn) {
    if (cg_la_check_matrix(t, fn, "A") < 0) return -1;
    int64_t m = t->sizes[t->ndim - 2], n = t->sizes[t->ndim - 1];
    if (m != n) {
        cg_set_error("%s: A must be batches of square matrices, but they are %lld by %lld matrices", fn,
                     (long long)m, (long long)n);
        return -1;
    }
    return 0;
}

int cg_la_check_floating(const cg_tensor *t, const char *fn) {
    if (!cg_is_floating_inline(t->dtype)) {
        cg_set_error("%s: Expected a floating point or complex tensor as input. Got %s", fn, cg_dtype_title(t->dtype));
        return -1;
    }
    return 0;
}

int cg_la_check_square_floating(const cg_tensor *t, const char *fn) {
    return cg_la_check_square(t, fn) < 0 || cg_la_check_floating(t, fn) < 0 ? -1 : 0;
}

int64_t cg_la_batch(const cg_tensor *t) { return cg_shape_numel(t->ndim - 2, t->sizes); }

cg_tensor *cg_la_colmajor(cg_tensor *t, int nb, const int64_t *batch_sizes, cg_dtype dtype) {
    if (!t) return NULL;
    int tb = t->ndim - 2;
    if (!batch_sizes) nb = tb, batch_sizes = t->sizes;
    int64_t sizes[CG_MAX_DIMS], strides[CG_MAX_DIMS];
    for (int d = 0; d < nb; d++) { /* t's batch dims align to the right; 0 strides broadcast */
        int td = d - (nb - tb);
        sizes[d] = batch_sizes[d];
        strides[d] = td >= 0 && t->sizes[td] != 1 ? t->strides[td] : 0;
    }
    sizes[nb] = t->sizes[tb + 1], strides[nb] = t->strides[tb + 1];
    sizes[nb + 1] = t->sizes[tb], strides[nb + 1] = t->strides[tb];
    cg_tensor *src = cg_new_view(t, nb + 2, sizes, strides, t->offset);
    cg_tensor *out = src ? cg_new_on(t, dtype, nb + 2, sizes) : NULL;
    if (out && out->numel) CG_KERNEL(out, copy)(out, src);
    return out;
}

cg_tensor *cg_la_colmajor_view(cg_tensor *c) {
    if (!c) return NULL;
    int nd = c->ndim;
    int64_t sizes[CG_MAX_DIMS], strides[CG_MAX_DIMS];
    memcpy(sizes, c->sizes, (size_t)nd * sizeof *sizes);
    memcpy(strides, c->strides, (size_t)nd * sizeof *strides);
    sizes[nd - 2] = c->sizes[nd - 1], sizes[nd - 1] = c->sizes[nd - 2];
    strides[nd - 2] = c->strides[nd - 1], strides[nd - 1] = c->strides[nd - 2];
    return cg_new_view(c, nd, sizes, strides, c->offset);
}

cg_tensor *cg_la_column_view(cg_tensor *t) {
    if (cg_check_ndim(t->ndim + 1) < 0) return NULL;
    int64_t sizes[CG_MAX_DIMS], strides[CG_MAX_DIMS];
    memcpy(sizes, t->sizes, (size_t)t->ndim * sizeof *sizes);
    memcpy(strides, t->strides, (size_t)t->ndim * sizeof *strides);
    sizes[t->ndim] = 1, strides[t->ndim] = 1;
    return cg_new_view(t, t->ndim + 1, sizes, strides, t->offset);
}

cg_tensor *cg_la_drop_last_view(cg_tensor *t) { return cg_new_view(t, t->ndim - 1, t->sizes, t->strides, t->offset); }

cg_tensor *cg_la_batch_tensor(const cg_tensor *t, int64_t k, cg_dtype dtype) {
    int64_t sizes[CG_MAX_DIMS];
    int nb = t->ndim - 2;
    memcpy(sizes, t->sizes, (size_t)nb * sizeof *sizes);
    if (k >= 0) sizes[nb++] = k;
    return cg_new_on(t, dtype, nb, sizes);
}

int cg_la_run(cg_lapack_call call) {
    const cg_tensor *any = call.a ? call.a : call.b;
    return CG_KERNEL(any, lapack)(&call);
}

int cg_la_check_info(const cg_tensor *info, const char *fn, void (*what)(char *buf, size_t n, int64_t info)) {
    if (!cg_has_bytes(info)) return 0;
    for (int64_t i = 0; i < info->numel; i++) {
        int status = 0;
        int64_t v = (int64_t)cg_read_element(info, i, &status);
        if (status < 0) return -1;
        if (v == 0) continue;
        char text[256];
        what(text, sizeof text, v);
        if (info->ndim > 0)
            cg_set_error("%s: (Batch element %lld): %s", fn, (long long)i, text);
        else
            cg_set_error("%s: %s", fn, text);
        return -1;
    }
    return 0;
}

/* ---- differentiable helpers ---- */

cg_tensor *cg_la_mT(cg_tensor *t) { return cg_transpose(t, -2, -1); }

/* The 0/1 mask of torch.tril (lower) or torch.triu, of t's last two sizes. */
static cg_tensor *triangle_mask(cg_tensor *t, int64_t diagonal, bool lower) {
    if (!t) return NULL;
    int64_t m = t->sizes[t->ndim - 2], n = t->sizes[t->ndim - 1];
    cg_tensor *mask = cg_new_on(t, t->dtype, 2, (const int64_t[]){m, n});
    if (!mask || !cg_has_bytes(mask)) return mask;
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < n; j++) {
            bool keep = lower ? j - i <= diagonal : j - i >= diagonal;
            if (cg_write_element(mask, i * n + j, keep ? 1 : 0) < 0) return NULL;
        }
    return mask;
}

cg_tensor *cg_la_tril(cg_tensor *t, int64_t diagonal) { return cg_mul(t, triangle_mask(t, diagonal, true)); }
cg_tensor *cg_la_triu(cg_tensor *t, int64_t diagonal) { return cg_mul(t, triangle_mask(t, diagonal, false)); }

cg_tensor *cg_la_eye_like(cg_tensor *t, int64_t n) {
    if (!t) return NULL;
    cg_tensor *eye = cg_zeros_on(t, t->dtype, 2, (const int64_t[]){n, n});
    if (!eye || !cg_has_bytes(eye)) return eye;
    for (int64_t i = 0; i < n; i++)
        if (cg_write_element(eye, i * n + i, 1) < 0) return NULL;
    return eye;
}

cg_tensor *cg_la_unsqueeze2(cg_tensor *t) { return cg_unsqueeze(cg_unsqueeze(t, -1), -1); }

cg_tensor *cg_la_diagonal(cg_tensor *t) {
    if (!t) return NULL;
    return cg_sum(cg_mul(t, cg_la_eye_like(t, t->sizes[t->ndim - 1])), CG_DIMS(-1));
}

cg_tensor *cg_la_diag_embed(cg_tensor *v) {
    if (!v) return NULL;
    return cg_mul(cg_unsqueeze(v, -1), cg_la_eye_like(v, v->sizes[v->ndim - 1]));
}
