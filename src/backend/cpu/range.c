/* arange and linspace: PyTorch's vectorized CPU kernels' roundings, element by element. */
#include "backend/cpu/range.h"

#include <math.h>

/* PyTorch's AVX2 kernels for arange and linspace fill whole chunks of two vectors (2 * lanes
 * elements: 8 float32 lanes, 4 float64 or int64 ones) a vector at a time, each vector as
 * base + lane * step from a base computed for its first element; the tail after the last whole
 * chunk gets one element at a time. true when element i is in a vector, with that vector's first
 * element in *first. */
static bool in_vector(int64_t i, int64_t n, int lanes, int64_t *first) {
    *first = i - i % lanes;
    return i < n - n % (2 * lanes);
}

/* A float arange element, in double (PyTorch's accumulate type) with fused multiply-adds; a
 * vector's base is rounded to the element type first. */
static double arange_element(double start, double step, int64_t i, int64_t n, int lanes, bool f32) {
    int64_t first;
    if (!in_vector(i, n, lanes, &first)) return fma(step, (double)i, start);
    double base = fma(step, (double)first, start);
    if (f32) base = (float)base;
    return fma((double)(i - first), step, base);
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

static float linspace_f32(float s, float e, float step, int64_t steps, int64_t i) {
    int64_t first;
    if (!in_vector(i, steps, 8, &first)) return linspace_scalar_f32(s, e, step, steps, i);
    return linspace_scalar_f32(s, e, step, steps, first) + (float)(i - first) * step;
}

/* float64, and int64 (whose step and arithmetic are double, a vector's base and each value
 * truncated to int64). */
static double linspace_f64(double s, double e, double step, int64_t steps, int64_t i, bool to_int) {
    int64_t first;
    if (!in_vector(i, steps, 4, &first)) return linspace_scalar_f64(s, e, step, steps, i);
    double base = linspace_scalar_f64(s, e, step, steps, first);
    if (to_int) base = (double)(int64_t)base;
    return base + (double)(i - first) * step;
}

void cg_kernel_arange(cg_tensor *t, double start, double step, int64_t istart, int64_t istep) {
    char *data = cg_tensor_data(t);
    int64_t n = t->numel;
    for (int64_t i = 0; i < n; i++) {
        if (t->dtype == CG_INT64)
            ((int64_t *)data)[i] = (int64_t)((uint64_t)istart + (uint64_t)istep * (uint64_t)i);
        else if (t->dtype == CG_FLOAT32)
            ((float *)data)[i] = (float)arange_element(start, step, i, n, 8, true);
        else
            ((double *)data)[i] = arange_element(start, step, i, n, 4, false);
    }
}

void cg_kernel_linspace(cg_tensor *t, double start, double end, int64_t istart, int64_t iend) {
    char *data = cg_tensor_data(t);
    int64_t steps = t->numel;
    if (t->dtype == CG_FLOAT32) {
        float s = (float)start, e = (float)end, step = (e - s) / (float)(steps - 1);
        for (int64_t i = 0; i < steps; i++) ((float *)data)[i] = linspace_f32(s, e, step, steps, i);
        return;
    }
    bool to_int = t->dtype == CG_INT64;
    if (to_int) {
        start = (double)istart;
        end = (double)iend;
    }
    double step = (end - start) / (double)(steps - 1);
    for (int64_t i = 0; i < steps; i++) {
        double v = linspace_f64(start, end, step, steps, i, to_int);
        if (to_int) ((int64_t *)data)[i] = (int64_t)v;
        else ((double *)data)[i] = v;
    }
}
