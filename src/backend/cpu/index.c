#include "backend/cpu/index.h"

#include "backend/cpu/iter.h"

#include <math.h>
#include <string.h>

typedef struct {
    int64_t size;
    int64_t *bad; /* where the first out-of-range value goes */
    bool *ok;
} range_ctx;

static void range_loop(char **p, const int64_t *s, int64_t n, const void *ctx) {
    const range_ctx *c = ctx;
    for (int64_t i = 0; i < n && *c->ok; i++) {
        int64_t v = *(const int64_t *)(p[0] + i * s[0]);
        if (v < 0 || v >= c->size) {
            *c->ok = false;
            *c->bad = v;
        }
    }
}

bool cg_kernel_indices_in_range(const cg_tensor *index, int64_t size, int64_t *bad) {
    bool ok = true;
    range_ctx c = {size, bad, &ok};
    CG_ITER(index, range_loop, &c, index);
    return ok;
}

typedef struct {
    int64_t dim_stride_bytes;
    size_t elsize;
} index_ctx;

static void gather_loop(char **p, const int64_t *s, int64_t n, const void *ctx) {
    const index_ctx *c = ctx;
    const int64_t size = (int64_t)c->elsize;
    if (s[2] == 0 && s[0] == size && s[1] == size) {
        /* one index for a contiguous run (index_select's rows, a DataLoader's batch): one copy */
        int64_t at = *(const int64_t *)p[2];
        memcpy(p[0], p[1] + at * c->dim_stride_bytes, (size_t)n * c->elsize);
        return;
    }
    for (int64_t i = 0; i < n; i++) {
        int64_t at = *(const int64_t *)(p[2] + i * s[2]);
        memcpy(p[0] + i * s[0], p[1] + i * s[1] + at * c->dim_stride_bytes, c->elsize);
    }
}

void cg_kernel_gather(cg_tensor *out, const cg_tensor *src, const cg_tensor *index, int64_t dim_stride) {
    size_t elsize = cg_dtype_size(out->dtype);
    index_ctx c = {dim_stride * (int64_t)elsize, elsize};
    CG_ITER(out, gather_loop, &c, out, src, index);
}

/* One scatter-add loop per dtype: operands are out (0), index (1), src (2). */
#define SCATTER_ADD_LOOP(name, type, add)                                                  \
    static void name(char **p, const int64_t *s, int64_t n, const void *ctx) {            \
        int64_t dim_stride_bytes = ((const index_ctx *)ctx)->dim_stride_bytes;             \
        for (int64_t i = 0; i < n; i++) {                                                  \
            int64_t at = *(const int64_t *)(p[1] + i * s[1]);                              \
            type *dst = (type *)(p[0] + i * s[0] + at * dim_stride_bytes);                 \
            type v = *(const type *)(p[2] + i * s[2]);                                     \
            *dst = add;                                                                    \
        }                                                                                  \
    }
SCATTER_ADD_LOOP(scatter_add_f32, float, *dst + v)
SCATTER_ADD_LOOP(scatter_add_f64, double, *dst + v)
SCATTER_ADD_LOOP(scatter_add_i64, int64_t, (int64_t)((uint64_t)*dst + (uint64_t)v)) /* wraps like PyTorch */
SCATTER_ADD_LOOP(scatter_add_bool, bool, *dst || v)

void cg_kernel_scatter_add(cg_tensor *out, const cg_tensor *index, const cg_tensor *src, int64_t dim_stride) {
    index_ctx c = {dim_stride * (int64_t)cg_dtype_size(out->dtype), cg_dtype_size(out->dtype)};
    cg_loop_fn loop = scatter_add_f32;
    switch (out->dtype) {
    case CG_FLOAT32: loop = scatter_add_f32; break;
    case CG_FLOAT64: loop = scatter_add_f64; break;
    case CG_INT64: loop = scatter_add_i64; break;
    case CG_BOOL: loop = scatter_add_bool; break;
    }
    CG_ITER(index, loop, &c, out, index, src);
}

static void scatter_loop(char **p, const int64_t *s, int64_t n, const void *ctx) {
    const index_ctx *c = ctx;
    for (int64_t i = 0; i < n; i++) {
        int64_t at = *(const int64_t *)(p[1] + i * s[1]);
        memcpy(p[0] + i * s[0] + at * c->dim_stride_bytes, p[2] + i * s[2], c->elsize);
    }
}

void cg_kernel_scatter(cg_tensor *out, const cg_tensor *index, const cg_tensor *src, int64_t dim_stride) {
    size_t elsize = cg_dtype_size(out->dtype);
    index_ctx c = {dim_stride * (int64_t)elsize, elsize};
    CG_ITER(index, scatter_loop, &c, out, index, src);
}

/* scatter_reduce's loops (prod, amax, amin; sum is scatter_add's): PyTorch's ReduceMultiply,
 * ReduceMaximum and ReduceMinimum, a NaN from src winning the last two. */
#define SCATTER_REDUCE_LOOPS(sfx, type, isnan_)                                                             \
    SCATTER_ADD_LOOP(scatter_prod_##sfx, type, (type)(*dst * v))                                           \
    SCATTER_ADD_LOOP(scatter_amax_##sfx, type, isnan_(v) ? v : *dst < v ? v : *dst)                        \
    SCATTER_ADD_LOOP(scatter_amin_##sfx, type, isnan_(v) ? v : v < *dst ? v : *dst)
SCATTER_REDUCE_LOOPS(f32, float, isnan)
SCATTER_REDUCE_LOOPS(f64, double, isnan)
SCATTER_ADD_LOOP(scatter_prod_i64, int64_t, (int64_t)((uint64_t)*dst * (uint64_t)v)) /* wraps like PyTorch */
SCATTER_ADD_LOOP(scatter_amax_i64, int64_t, *dst < v ? v : *dst)
SCATTER_ADD_LOOP(scatter_amin_i64, int64_t, v < *dst ? v : *dst)
SCATTER_ADD_LOOP(scatter_prod_bool, bool, *dst && v)
SCATTER_ADD_LOOP(scatter_amax_bool, bool, *dst || v)
SCATTER_ADD_LOOP(scatter_amin_bool, bool, *dst && v)

void cg_kernel_scatter_reduce(cg_scatter_reduction op, cg_tensor *out, const cg_tensor *index, const cg_tensor *src,
                              int64_t dim_stride) {
    static const cg_loop_fn loops[3][4] = {
        {scatter_prod_f32, scatter_prod_f64, scatter_prod_i64, scatter_prod_bool},
        {scatter_amax_f32, scatter_amax_f64, scatter_amax_i64, scatter_amax_bool},
        {scatter_amin_f32, scatter_amin_f64, scatter_amin_i64, scatter_amin_bool},
    };
    if (op == CG_SCATTER_SUM || op == CG_SCATTER_MEAN) {
        cg_kernel_scatter_add(out, index, src, dim_stride);
        return;
    }
    int row = op == CG_SCATTER_PROD ? 0 : op == CG_SCATTER_AMAX ? 1 : 2;
    int col = out->dtype == CG_FLOAT32 ? 0 : out->dtype == CG_FLOAT64 ? 1 : out->dtype == CG_INT64 ? 2 : 3;
    index_ctx c = {dim_stride * (int64_t)cg_dtype_size(out->dtype), cg_dtype_size(out->dtype)};
    CG_ITER(index, loops[row][col], &c, out, index, src);
}
