/* Cumulative scans (backend/cpu/scan.h). Each line is scanned in order, one accumulator per
 * column: columns go in blocks of SCAN_BLOCK so that a scan along an outer dim reads memory row by
 * row while every column keeps its own sequential accumulation (the same roundings as PyTorch's
 * loop down each column). */
#include "backend/cpu/scan.h"

#include <math.h>

#define SCAN_BLOCK 64

/* PyTorch's _log_add_exp_helper, in its accumulation type (double for float32 too). */
static inline double log_add_exp(double x, double y) {
    double lo = isnan(y) ? y : (y < x ? y : x), hi = isnan(y) ? y : (x < y ? y : x);
    if (lo != hi || isfinite(lo)) return log1p(exp(lo - hi)) + hi;
    return x;
}

/* One block of columns [0, width) of a (len, inner) slab: ACC is the accumulator type, INIT its
 * start, STEP(acc, x) the update. */
#define SCAN_BLOCK_LOOP(T, ACC, INIT, STEP)                                            \
    do {                                                                               \
        ACC acc[SCAN_BLOCK];                                                           \
        for (int64_t j = 0; j < width; j++) acc[j] = INIT;                             \
        for (int64_t s = 0; s < len; s++) {                                            \
            int64_t l = reverse ? len - 1 - s : s;                                     \
            const T *x = (const T *)in + l * inner;                                    \
            T *y = (T *)out + l * inner;                                               \
            for (int64_t j = 0; j < width; j++) {                                      \
                STEP(acc[j], x[j]);                                                    \
                y[j] = (T)acc[j];                                                      \
            }                                                                          \
        }                                                                              \
    } while (0)

/* A single column (a scan along the last dim): the accumulator stays in a register. */
#define SCAN_LINE_LOOP(T, ACC, INIT, STEP)                                             \
    do {                                                                               \
        ACC acc = INIT;                                                                \
        const T *x = (const T *)in;                                                    \
        T *y = (T *)out;                                                               \
        for (int64_t s = 0; s < len; s++) {                                            \
            int64_t l = reverse ? len - 1 - s : s;                                     \
            STEP(acc, x[l]);                                                           \
            y[l] = (T)acc;                                                             \
        }                                                                              \
    } while (0)

/* One block of columns, or a single column when width is 1 (inner may be anything then). */
#define SCAN(T, ACC, INIT, STEP)                                                       \
    do {                                                                               \
        if (inner == 1) SCAN_LINE_LOOP(T, ACC, INIT, STEP);                            \
        else SCAN_BLOCK_LOOP(T, ACC, INIT, STEP);                                      \
    } while (0)

#define ADD(acc, x) ((acc) += (x))
#define MUL(acc, x) ((acc) *= (x))
#define UADD(acc, x) ((acc) += (uint64_t)(x))
#define UMUL(acc, x) ((acc) *= (uint64_t)(x))
#define LSE(acc, x) ((acc) = log_add_exp((x), (acc)))

static void scan_block(cg_scan_op op, cg_dtype dtype, void *out, const void *in, int64_t len, int64_t inner,
                       int64_t width, bool reverse) {
    switch (dtype) {
    case CG_FLOAT32:
        if (op == CG_SCAN_SUM) SCAN(float, double, 0, ADD);
        else if (op == CG_SCAN_PROD) SCAN(float, double, 1, MUL);
        else SCAN(float, double, -INFINITY, LSE);
        break;
    case CG_FLOAT64:
        if (op == CG_SCAN_SUM) SCAN(double, double, 0, ADD);
        else if (op == CG_SCAN_PROD) SCAN(double, double, 1, MUL);
        else SCAN(double, double, -INFINITY, LSE);
        break;
    default: /* int64: wraps around as PyTorch's */
        if (op == CG_SCAN_SUM) SCAN(int64_t, uint64_t, 0, UADD);
        else SCAN(int64_t, uint64_t, 1, UMUL);
        break;
    }
}

/* cummax/cummin of one column: the latest extreme (>=, <=) and its position; a NaN sticks, and
 * every later NaN takes the position. */
#define EXTREME_LINE(T, IS_NAN)                                                          \
    do {                                                                                 \
        const T *x = (const T *)in;                                                      \
        T *y = (T *)out, best = x[first * inner];                                        \
        int64_t at = first;                                                              \
        for (int64_t s = 0; s < len; s++) {                                              \
            int64_t l = reverse ? len - 1 - s : s;                                       \
            T v = x[l * inner];                                                          \
            if (IS_NAN(v) || (!IS_NAN(best) && (want_max ? v >= best : v <= best))) {    \
                best = v;                                                                \
                at = l;                                                                  \
            }                                                                            \
            y[l * inner] = best;                                                         \
            if (indices) indices[l * inner] = at;                                        \
        }                                                                                \
    } while (0)
#define NEVER_NAN(v) ((void)(v), 0)

static void extreme_line(cg_dtype dtype, bool want_max, void *out, int64_t *indices, const void *in, int64_t len,
                         int64_t inner, bool reverse) {
    int64_t first = reverse ? len - 1 : 0;
    switch (dtype) {
    case CG_FLOAT32: EXTREME_LINE(float, isnan); break;
    case CG_FLOAT64: EXTREME_LINE(double, isnan); break;
    case CG_INT64: EXTREME_LINE(int64_t, NEVER_NAN); break;
    case CG_BOOL: EXTREME_LINE(bool, NEVER_NAN); break;
    }
}

void cg_kernel_scan(cg_scan_op op, cg_tensor *out, cg_tensor *indices_out, const cg_tensor *in, int64_t outer,
                    int64_t len, int64_t inner, bool reverse) {
    if (out->numel == 0) return;
    int64_t *indices = indices_out ? (int64_t *)cg_tensor_data(indices_out) : NULL;
    size_t elsize = cg_elsize(in->dtype);
    const char *src = cg_tensor_data(in);
    char *dst = cg_tensor_data(out);
    for (int64_t o = 0; o < outer; o++) {
        int64_t base = o * len * inner;
        if (op == CG_SCAN_MAX || op == CG_SCAN_MIN) {
            for (int64_t j = 0; j < inner; j++)
                extreme_line(in->dtype, op == CG_SCAN_MAX, dst + (size_t)(base + j) * elsize,
                             indices ? indices + base + j : NULL, src + (size_t)(base + j) * elsize, len, inner,
                             reverse);
            continue;
        }
        for (int64_t j = 0; j < inner; j += SCAN_BLOCK) {
            int64_t width = inner - j < SCAN_BLOCK ? inner - j : SCAN_BLOCK;
            scan_block(op, in->dtype, dst + (size_t)(base + j) * elsize, src + (size_t)(base + j) * elsize, len, inner,
                       width, reverse);
        }
    }
}
