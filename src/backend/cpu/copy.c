#include "backend/cpu/copy.h"

#include "backend/cpu/iter.h"
#include "backend/cpu/parallel.h"

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
        CG_ITER_MEMORY_ORDER(copy_same_dtype, &elsize, dst, src);
    else if (dst->dtype == CG_FLOAT32 && src->dtype == CG_INT64)
        CG_ITER_MEMORY_ORDER(copy_int64_to_float, NULL, dst, src);
    else
        CG_ITER_MEMORY_ORDER(copy_cast, &c, dst, src);
}

typedef struct {
    union {
        double f64;
        int64_t i64;
        char bytes[8];
    } value; /* one element of the destination dtype */
    size_t elsize;
    cg_dtype dtype;
} fill_ctx;

/* Stores of a constant element size, which compilers turn into (vector) moves; a memcpy of
 * c->elsize bytes per element was a library call each (zero_grad spent half an MLP step there). */
/* Typed stores in blocks of 8, which -O2 vectorizes; a memcpy of c->elsize bytes per element
 * was a library call each (zero_grad took half an MLP training step). */
#define DEFINE_FILL(name, T)                                                              \
    static void name(char *dst, int64_t stride, int64_t n, const char *bytes) {           \
        T v;                                                                              \
        memcpy(&v, bytes, sizeof v);                                                      \
        int64_t i = 0;                                                                    \
        if (stride == (int64_t)sizeof(T)) {                                               \
            T *d = (T *)dst;                                                              \
            for (; i + 8 <= n; i += 8)                                                    \
                for (int u = 0; u < 8; u++) d[i + u] = v;                                 \
        }                                                                                 \
        for (; i < n; i++) *(T *)(dst + i * stride) = v;                                  \
    }
DEFINE_FILL(fill_f64, double)
DEFINE_FILL(fill_f32, float)
DEFINE_FILL(fill_i64, int64_t)
DEFINE_FILL(fill_b8, bool)

static void fill_loop(char **p, const int64_t *s, int64_t n, const void *ctx) {
    const fill_ctx *c = ctx;
    switch (c->dtype) {
    case CG_FLOAT32: fill_f32(p[0], s[0], n, c->value.bytes); break;
    case CG_FLOAT64: fill_f64(p[0], s[0], n, c->value.bytes); break;
    case CG_INT64: fill_i64(p[0], s[0], n, c->value.bytes); break;
    case CG_BOOL: fill_b8(p[0], s[0], n, c->value.bytes); break;
    }
}

static void masked_fill_loop(char **p, const int64_t *s, int64_t n, const void *ctx) {
    const fill_ctx *c = ctx;
    for (int64_t i = 0; i < n; i++)
        if (*(const bool *)(p[1] + i * s[1])) memcpy(p[0] + i * s[0], c->value.bytes, c->elsize);
}

/* fill_loop over dst, or masked_fill_loop over dst and mask. */
static void fill(cg_tensor *dst, const cg_tensor *mask, cg_number value) {
    fill_ctx c = {.elsize = cg_dtype_size(dst->dtype), .dtype = dst->dtype};
    cg_write_number(c.value.bytes, dst->dtype, value);
    const cg_tensor *ops[] = {dst, mask};
    cg_iter_run_memory_order(mask ? 2 : 1, ops, mask ? masked_fill_loop : fill_loop, &c);
}

void cg_kernel_fill(cg_tensor *dst, cg_number value) { fill(dst, NULL, value); }
void cg_kernel_masked_fill(cg_tensor *dst, const cg_tensor *mask, cg_number value) { fill(dst, mask, value); }

/* ---- tiled copy ---- */

#define TILE 8

/* One TILE x TILE (or smaller) tile: reads run along src's unit-stride dim p, writes along dst's
 * last dim q; the tile's lines on both sides fit in L1. */
#define DEFINE_COPY_TILE(name, T)                                                                    \
    static void name(char *dst, const char *src, int64_t np, int64_t nq, int64_t dst_p, int64_t src_q) { \
        T *d = (T *)dst;                                                                             \
        const T *s = (const T *)src;                                                                 \
        for (int64_t j = 0; j < nq; j++)                                                             \
            for (int64_t i = 0; i < np; i++) d[i * dst_p + j] = s[i + j * src_q];                    \
    }
DEFINE_COPY_TILE(copy_tile_1, uint8_t)
DEFINE_COPY_TILE(copy_tile_4, uint32_t)
DEFINE_COPY_TILE(copy_tile_8, uint64_t)

typedef void (*tile_fn)(char *, const char *, int64_t, int64_t, int64_t, int64_t);

typedef struct {
    const cg_tensor *dst, *src;
    int p, q;
    int64_t es, strips; /* strips: TILE-wide bands of dim p per position of the other dims */
    tile_fn tile;
} tiled_job;

/* Bands [begin, end): band u is band u % strips of dim p at position u / strips of the other dims
 * (the last of them fastest). The bands write disjoint parts of dst, so any split gives the same. */
static void copy_bands(int64_t begin, int64_t end, void *arg) {
    const tiled_job *j = arg;
    const cg_tensor *dst = j->dst, *src = j->src;
    int64_t sp = src->sizes[j->p], sq = src->sizes[j->q];
    for (int64_t u = begin; u < end; u++) {
        int64_t rest = u / j->strips, i0 = u % j->strips * TILE, src_off = i0, dst_off = i0 * dst->strides[j->p];
        for (int d = src->ndim - 1; d >= 0 && rest > 0; d--) {
            if (d == j->p || d == j->q) continue;
            int64_t c = rest % src->sizes[d];
            rest /= src->sizes[d];
            src_off += c * src->strides[d];
            dst_off += c * dst->strides[d];
        }
        char *to = cg_tensor_data(dst) + dst_off * j->es;
        const char *from = cg_tensor_data(src) + src_off * j->es;
        for (int64_t j0 = 0; j0 < sq; j0 += TILE)
            j->tile(to + j0 * j->es, from + j0 * src->strides[j->q] * j->es, sp - i0 < TILE ? sp - i0 : TILE,
                    sq - j0 < TILE ? sq - j0 : TILE, dst->strides[j->p], src->strides[j->q]);
    }
}

void cg_kernel_copy_tiled(cg_tensor *dst, const cg_tensor *src) {
    int n = src->ndim, q = n - 1, p = -1;
    for (int d = 0; d < n; d++)
        if (src->sizes[d] > 1 && src->strides[d] == 1) p = d;
    if (p < 0 || p == q || src->sizes[q] <= 1 || src->numel < TILE * TILE) {
        cg_kernel_copy(dst, src);
        return;
    }
    int64_t es = (int64_t)cg_dtype_size(src->dtype), sp = src->sizes[p], sq = src->sizes[q];
    tiled_job job = {dst, src, p, q, es, (sp + TILE - 1) / TILE,
                     es == 8 ? copy_tile_8 : es == 4 ? copy_tile_4 : copy_tile_1};
    int64_t band = TILE * sq, grain = band >= CG_GRAIN_SIZE ? 1 : CG_GRAIN_SIZE / band;
    cg_parallel_for(0, src->numel / (sp * sq) * job.strips, grain, copy_bands, &job);
}
