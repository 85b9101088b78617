/* arange and linspace: PyTorch's vectorized CPU kernels' roundings, element by element. */
#include "backend/cpu/range.h"

#include <math.h>

/* PyTorch's AVX2 kernels for arange and linspace fill whole chunks of two vectors (2 * lanes
 * elements: 8 float32 lanes, 4 float64 or int64 ones) a vector at a time, each vector as
 * base + lane * step from a base computed for its first element; the tail after the last whole
 * chunk gets one element at a time. The chunks end here: */
static int64_t vector_end(int64_t n, int lanes) { return n - n % (2 * lanes); }

/* The float elements of arange, in double (PyTorch's accumulate type) with fused multiply-adds;
 * a vector's base is rounded to the element type first. */
#define ARANGE_FLOAT(T, LANES)                                                              \
    do {                                                                                    \
        T *d = (T *)data;                                                                   \
        int64_t i = 0, end = vector_end(n, LANES);                                          \
        for (; i < end; i += LANES) {                                                       \
            double base = (T)fma(step, (double)i, start);                                   \
            for (int w = 0; w < LANES; w++) d[i + w] = (T)fma((double)w, step, base);       \
        }                                                                                   \
        for (; i < n; i++) d[i] = (T)fma(step, (double)i, start);                           \
    } while (0)

void cg_kernel_arange(cg_tensor *t, double start, double step, int64_t istart, int64_t istep) {
    char *data = cg_tensor_data(t);
    int64_t n = t->numel;
    if (t->dtype == CG_FLOAT32) {
        ARANGE_FLOAT(float, 8);
    } else if (t->dtype == CG_FLOAT64) {
        ARANGE_FLOAT(double, 4);
    } else {
        for (int64_t i = 0; i < n; i++)
            ((int64_t *)data)[i] = (int64_t)((uint64_t)istart + (uint64_t)istep * (uint64_t)i);
    }
}

/* linspace fills the first half from start and the second half from end, so both ends are exact,
 * each element by one fused multiply-add (the scalar formula); a vector takes the half of its first
 * element and adds lane * step to that element, in two roundings. */
static float linspace_scalar_f32(float s, float e, float step, int64_t steps, int64_t i) {
    return i < steps / 2 ? fmaf(step, (float)i, s) : fmaf(-step, (float)(steps - i - 1), e);
}

static double linspace_scalar_f64(double s, double e, double step, int64_t steps, int64_t i) {
    return i < steps / 2 ? fma(step, (double)i, s) : fma(-step, (double)(steps - i - 1), e);
}

void cg_kernel_linspace(cg_tensor *t, double start, double end, int64_t istart, int64_t iend) {
    char *data = cg_tensor_data(t);
    int64_t steps = t->numel, i = 0;
    if (t->dtype == CG_FLOAT32) {
        float s = (float)start, e = (float)end, step = (e - s) / (float)(steps - 1), *d = (float *)data;
        for (int64_t vend = vector_end(steps, 8); i < vend; i += 8) {
            float base = linspace_scalar_f32(s, e, step, steps, i);
            for (int w = 0; w < 8; w++) d[i + w] = base + (float)w * step;
        }
        for (; i < steps; i++) d[i] = linspace_scalar_f32(s, e, step, steps, i);
        return;
    }
    /* float64, and int64 (whose step and arithmetic are double, a vector's base and each value
     * truncated to int64) */
    bool to_int = t->dtype == CG_INT64;
    if (to_int) {
        start = (double)istart;
        end = (double)iend;
    }
    double step = (end - start) / (double)(steps - 1), v[4];
    for (int64_t vend = vector_end(steps, 4); i < vend; i += 4) {
        double base = linspace_scalar_f64(start, end, step, steps, i);
        if (to_int) base = (double)(int64_t)base;
        for (int w = 0; w < 4; w++) v[w] = base + (double)w * step;
        for (int w = 0; w < 4; w++)
            if (to_int) ((int64_t *)data)[i + w] = (int64_t)v[w];
            else ((double *)data)[i + w] = v[w];
    }
    for (; i < steps; i++) {
        double x = linspace_scalar_f64(start, end, step, steps, i);
        if (to_int) ((int64_t *)data)[i] = (int64_t)x;
        else ((double *)data)[i] = x;
    }
}
