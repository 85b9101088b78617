#include "backend/cpu/index_more.h"

#include "backend/cpu/iter.h"

#include <math.h>
#include <string.h>

typedef struct {
    int64_t dim_stride_bytes;
    double f;
    int64_t i;
} add_ctx;

/* operands: out (0), index (1), src (2). A run under one index (a row of slices) is a plain loop
 * over contiguous elements, which the compiler vectorizes. */
#define INDEX_ADD_LOOP(name, type, add)                                                    \
    static void name(char **p, const int64_t *s, int64_t n, const void *ctx) {             \
        const add_ctx *c = ctx;                                                            \
        (void)c;                                                                           \
        if (s[1] == 0 && s[0] == (int64_t)sizeof(type) && s[2] == (int64_t)sizeof(type)) { \
            type *d = (type *)(p[0] + *(const int64_t *)p[1] * c->dim_stride_bytes);       \
            const type *w = (const type *)p[2];                                            \
            for (int64_t i = 0; i < n; i++) {                                              \
                type *dst = d + i, v = w[i];                                               \
                *dst = add;                                                                \
            }                                                                              \
            return;                                                                        \
        }                                                                                  \
        for (int64_t i = 0; i < n; i++) {                                                  \
            int64_t at = *(const int64_t *)(p[1] + i * s[1]);                              \
            type *dst = (type *)(p[0] + i * s[0] + at * c->dim_stride_bytes);               \
            type v = *(const type *)(p[2] + i * s[2]);                                     \
            *dst = add;                                                                    \
        }                                                                                  \
    }
INDEX_ADD_LOOP(index_add_f32, float, *dst + v)
INDEX_ADD_LOOP(index_add_f64, double, *dst + v)
INDEX_ADD_LOOP(index_add_f32_scaled, float, *dst + v * (float)c->f)
INDEX_ADD_LOOP(index_add_f64_scaled, double, *dst + v * c->f)
INDEX_ADD_LOOP(index_add_f32_fused, float, fmaf(v, (float)c->f, *dst))
INDEX_ADD_LOOP(index_add_f64_fused, double, fma(v, c->f, *dst))
INDEX_ADD_LOOP(index_add_i64, int64_t, (int64_t)((uint64_t)*dst + (uint64_t)v * (uint64_t)c->i))
INDEX_ADD_LOOP(index_add_bool, bool, *dst || (v && c->i))

void cg_kernel_index_add(cg_tensor *out, const cg_tensor *index, const cg_tensor *src, int64_t dim_stride,
                         cg_number alpha, bool fused) {
    add_ctx c = {dim_stride * (int64_t)cg_elsize(out->dtype), alpha.f, alpha.i};
    bool one = alpha.f == 1; /* v * 1 is exact: fused or not, one rounding */
    cg_loop_fn loop = index_add_f32;
    switch (out->dtype) {
    case CG_FLOAT32: loop = one ? index_add_f32 : fused ? index_add_f32_fused : index_add_f32_scaled; break;
    case CG_FLOAT64: loop = one ? index_add_f64 : fused ? index_add_f64_fused : index_add_f64_scaled; break;
    case CG_INT64: loop = index_add_i64; break;
    case CG_BOOL: loop = index_add_bool; break;
    }
    CG_ITER(index, loop, &c, out, index, src);
}

static bool is_nonzero(const char *p, cg_dtype dtype) {
    switch (dtype) {
    case CG_FLOAT32: return *(const float *)p != 0;
    case CG_FLOAT64: return *(const double *)p != 0;
    case CG_INT64: return *(const int64_t *)p != 0;
    case CG_BOOL: return *(const bool *)p;
    }
    return false;
}

/* Row-major walk of every element of t: f(element, its coordinates, ctx). */
static void walk(const cg_tensor *t, void (*f)(const char *el, const int64_t *coord, void *ctx), void *ctx) {
    if (t->numel == 0) return;
    int64_t coord[CG_MAX_DIMS] = {0};
    size_t elsize = cg_elsize(t->dtype);
    for (int64_t k = 0; k < t->numel; k++) {
        int64_t off = t->offset;
        for (int d = 0; d < t->ndim; d++) off += coord[d] * t->strides[d];
        f(t->storage->data + off * (int64_t)elsize, coord, ctx);
        for (int d = t->ndim - 1; d >= 0; d--) {
            if (++coord[d] < t->sizes[d]) break;
            coord[d] = 0;
        }
    }
}

typedef struct {
    cg_dtype dtype;
    int ndim;
    int64_t count;
    int64_t *coords; /* NULL: count only */
} nonzero_ctx;

static void nonzero_at(const char *el, const int64_t *coord, void *ctx) {
    nonzero_ctx *c = ctx;
    if (!is_nonzero(el, c->dtype)) return;
    if (c->coords) memcpy(c->coords + c->count * c->ndim, coord, (size_t)c->ndim * sizeof *coord);
    c->count++;
}

int64_t cg_kernel_nonzero(cg_tensor *out, const cg_tensor *in) {
    nonzero_ctx c = {in->dtype, in->ndim, 0, out ? (int64_t *)(out->storage->data) + out->offset : NULL};
    walk(in, nonzero_at, &c);
    return c.count;
}

typedef struct {
    char *out;           /* the next element of the packed side */
    size_t elsize;
    const cg_tensor *other;
    bool scatter;        /* masked_scatter: out is written through the mask walk, src packed */
} mask_ctx;

/* The element of t at coordinates coord. */
static char *element_at(const cg_tensor *t, const int64_t *coord) {
    int64_t off = t->offset;
    for (int d = 0; d < t->ndim; d++) off += coord[d] * t->strides[d];
    return t->storage->data + off * (int64_t)cg_elsize(t->dtype);
}

static void mask_at(const char *el, const int64_t *coord, void *ctx) {
    mask_ctx *c = ctx;
    if (!*(const bool *)el) return;
    if (c->scatter) memcpy(element_at(c->other, coord), c->out, c->elsize);
    else memcpy(c->out, element_at(c->other, coord), c->elsize);
    c->out += c->elsize;
}

void cg_kernel_masked_select(cg_tensor *out, const cg_tensor *in, const cg_tensor *mask) {
    mask_ctx c = {cg_tensor_data(out), cg_elsize(out->dtype), in, false};
    walk(mask, mask_at, &c);
}

void cg_kernel_masked_scatter(cg_tensor *out, const cg_tensor *mask, const cg_tensor *src) {
    mask_ctx c = {cg_tensor_data(src), cg_elsize(out->dtype), out, true};
    walk(mask, mask_at, &c);
}

/* Row-major walk of out's shape: out[p] = the sum over the indices of idx[j][p] (negative ones
 * counted from sizes[j]) times strides[j]. */
bool cg_kernel_index_offsets(cg_tensor *out, int n, cg_tensor *const *idx, const int64_t *sizes, const int64_t *strides,
                             int64_t *bad, int *bad_dim) {
    int64_t *o = (int64_t *)cg_tensor_data(out), coord[CG_MAX_DIMS] = {0};
    for (int64_t k = 0; k < out->numel; k++) {
        int64_t off = 0;
        for (int j = 0; j < n; j++) {
            int64_t v = *(const int64_t *)element_at(idx[j], coord);
            if (v < -sizes[j] || v >= sizes[j]) {
                *bad = v;
                *bad_dim = j;
                return false;
            }
            off += (v < 0 ? v + sizes[j] : v) * strides[j];
        }
        o[k] = off;
        for (int d = out->ndim - 1; d >= 0; d--) {
            if (++coord[d] < out->sizes[d]) break;
            coord[d] = 0;
        }
    }
    return true;
}
