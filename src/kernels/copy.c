#include "kernels/copy.h"

#include "kernels/iter.h"

#include <string.h>

static void copy_same_dtype(char **p, const int64_t *s, int64_t n, const void *ctx) {
    size_t elsize = *(const size_t *)ctx;
    if (s[0] == (int64_t)elsize && s[1] == (int64_t)elsize) {
        memcpy(p[0], p[1], (size_t)n * elsize);
        return;
    }
    for (int64_t i = 0; i < n; i++) memcpy(p[0] + i * s[0], p[1] + i * s[1], elsize);
}

typedef struct {
    cg_dtype to, from;
} cast_ctx;

static void copy_cast(char **p, const int64_t *s, int64_t n, const void *ctx) {
    const cast_ctx *c = ctx;
    for (int64_t i = 0; i < n; i++) cg_write_double(p[0] + i * s[0], c->to, cg_read_double(p[1] + i * s[1], c->from));
}

static void copy_int64_to_float(char **p, const int64_t *s, int64_t n, const void *ctx) {
    (void)ctx; /* int64 through double would round twice; convert directly */
    for (int64_t i = 0; i < n; i++) *(float *)(p[0] + i * s[0]) = (float)*(const int64_t *)(p[1] + i * s[1]);
}

void cg_kernel_copy(cg_tensor *dst, const cg_tensor *src) {
    size_t elsize = cg_dtype_size(dst->dtype);
    cast_ctx c = {dst->dtype, src->dtype};
    if (dst->dtype == src->dtype)
        CG_ITER(dst, copy_same_dtype, &elsize, dst, src);
    else if (dst->dtype == CG_FLOAT32 && src->dtype == CG_INT64)
        CG_ITER(dst, copy_int64_to_float, NULL, dst, src);
    else
        CG_ITER(dst, copy_cast, &c, dst, src);
}

typedef struct {
    union {
        double f64;
        int64_t i64;
        char bytes[8];
    } value; /* one element of the destination dtype */
    size_t elsize;
} fill_ctx;

static void fill_loop(char **p, const int64_t *s, int64_t n, const void *ctx) {
    const fill_ctx *c = ctx;
    for (int64_t i = 0; i < n; i++) memcpy(p[0] + i * s[0], c->value.bytes, c->elsize);
}

static void masked_fill_loop(char **p, const int64_t *s, int64_t n, const void *ctx) {
    const fill_ctx *c = ctx;
    for (int64_t i = 0; i < n; i++)
        if (*(const bool *)(p[1] + i * s[1])) memcpy(p[0] + i * s[0], c->value.bytes, c->elsize);
}

/* fill_loop over dst, or masked_fill_loop over dst and mask. */
static void fill(cg_tensor *dst, const cg_tensor *mask, cg_number value) {
    fill_ctx c = {.elsize = cg_dtype_size(dst->dtype)};
    cg_write_number(c.value.bytes, dst->dtype, value);
    const cg_tensor *ops[] = {dst, mask};
    cg_iter_run(dst->ndim, dst->sizes, mask ? 2 : 1, ops, mask ? masked_fill_loop : fill_loop, &c);
}

void cg_kernel_fill(cg_tensor *dst, cg_number value) { fill(dst, NULL, value); }
void cg_kernel_masked_fill(cg_tensor *dst, const cg_tensor *mask, cg_number value) { fill(dst, mask, value); }
