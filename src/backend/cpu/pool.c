#include "backend/cpu/pool.h"

#include "backend/cpu/parallel.h"

#include <math.h>
#include <string.h>

/* ---- max pooling ---- */

/* A window's first and one-past-last input rows (or columns): taps that fall in the padding are
 * skipped by stepping the start in dilation steps, as PyTorch does. */
static void max_window(int64_t o, int64_t stride, int64_t pad, int64_t kernel, int64_t dilation, int64_t size,
                       int64_t *start, int64_t *end) {
    int64_t i0 = o * stride - pad, i1 = i0 + (kernel - 1) * dilation + 1;
    *end = i1 < size ? i1 : size;
    while (i0 < 0) i0 += dilation;
    *start = i0;
}

/* PyTorch's start_index and end_index: floor(o * in / out) and ceil((o + 1) * in / out). */
static void adaptive_window(int64_t o, int64_t out, int64_t in, int64_t *start, int64_t *end) {
    *start = (o / out) * in + ((o % out) * in) / out;
    *end = 1 + ((o + 1) * in - 1) / out;
}

static void max_window_h(const cg_pool2d_shape *s, int64_t oh, int64_t *start, int64_t *end) {
    if (s->adaptive) adaptive_window(oh, s->out_h, s->in_h, start, end);
    else max_window(oh, s->stride_h, s->pad_h, s->kernel_h, s->dilation_h, s->in_h, start, end);
}

static void max_window_w(const cg_pool2d_shape *s, int64_t ow, int64_t *start, int64_t *end) {
    if (s->adaptive) adaptive_window(ow, s->out_w, s->in_w, start, end);
    else max_window(ow, s->stride_w, s->pad_w, s->kernel_w, s->dilation_w, s->in_w, start, end);
}

/* The geometry is copied into locals: the int64 index stores could alias the struct's fields. */
#define DEFINE_MAX_POOL(suffix, T)                                                                             \
    static void max_pool_##suffix(const cg_pool2d_shape *s, const T *in, T *out, int64_t *ind) {               \
        const cg_pool2d_shape g = *s;                                                                          \
        for (int64_t p = 0; p < g.planes; p++, in += g.in_h * g.in_w)                                          \
            for (int64_t oh = 0; oh < g.out_h; oh++) {                                                         \
                int64_t h0, h1;                                                                                \
                max_window_h(&g, oh, &h0, &h1);                                                                \
                for (int64_t ow = 0; ow < g.out_w; ow++) {                                                     \
                    int64_t w0, w1;                                                                            \
                    max_window_w(&g, ow, &w0, &w1);                                                            \
                    int64_t best = h0 * g.in_w + w0;                                                           \
                    T max = -(T)INFINITY;                                                                      \
                    T probe = 0; /* v - v is NaN for a NaN (and an infinity): then a second pass */         \
                    for (int64_t h = h0; h < h1; h += g.dilation_h)                                            \
                        for (int64_t w = w0; w < w1; w += g.dilation_w) {                                      \
                            T v = in[h * g.in_w + w];                                                          \
                            int64_t take = -(int64_t)(v > max); /* all ones or zero: no branch */             \
                            best = (best & ~take) | ((h * g.in_w + w) & take);                                 \
                            max = v > max ? v : max;                                                           \
                            probe += v - v;                                                                    \
                        }                                                                                      \
                    if (probe != probe) /* rare: PyTorch's rule, where a NaN also wins */                   \
                        for (int64_t h = h0; h < h1; h += g.dilation_h)                                        \
                            for (int64_t w = w0; w < w1; w += g.dilation_w) {                                  \
                                T v = in[h * g.in_w + w];                                                      \
                                if (v != v) max = v, best = h * g.in_w + w;                                    \
                            }                                                                                  \
                    *out++ = max;                                                                              \
                    *ind++ = best;                                                                             \
                }                                                                                              \
            }                                                                                                  \
    }                                                                                                          \
                                                                                                               \
    static void max_pool_backward_##suffix(const cg_pool2d_shape *s, const T *gout, const int64_t *ind, T *gin) { \
        int64_t in_plane = s->in_h * s->in_w, out_plane = s->out_h * s->out_w;                                 \
        memset(gin, 0, (size_t)(s->planes * in_plane) * sizeof(T));                                            \
        for (int64_t p = 0; p < s->planes; p++, gin += in_plane)                                               \
            for (int64_t i = 0; i < out_plane; i++, gout++, ind++)                                             \
                if (*ind >= 0 && *ind < in_plane) gin[*ind] += *gout;                                          \
    }

DEFINE_MAX_POOL(f32, float)
DEFINE_MAX_POOL(f64, double)


/* ---- average pooling ---- */

/* One output's window clipped to the input, and what its sum is divided by (then by `then`). */
typedef struct {
    int64_t h0, h1, w0, w1, divisor, then;
} avg_window;

static avg_window window_at(const cg_pool2d_shape *s, int64_t oh, int64_t ow, bool count_include_pad, int64_t divisor) {
    avg_window a = {.then = 1};
    if (s->adaptive) {
        adaptive_window(oh, s->out_h, s->in_h, &a.h0, &a.h1);
        adaptive_window(ow, s->out_w, s->in_w, &a.w0, &a.w1);
        a.divisor = a.h1 - a.h0, a.then = a.w1 - a.w0;
        return a;
    }
    a.h0 = oh * s->stride_h - s->pad_h;
    a.w0 = ow * s->stride_w - s->pad_w;
    a.h1 = a.h0 + s->kernel_h < s->in_h + s->pad_h ? a.h0 + s->kernel_h : s->in_h + s->pad_h;
    a.w1 = a.w0 + s->kernel_w < s->in_w + s->pad_w ? a.w0 + s->kernel_w : s->in_w + s->pad_w;
    int64_t padded = (a.h1 - a.h0) * (a.w1 - a.w0);
    if (a.h0 < 0) a.h0 = 0;
    if (a.w0 < 0) a.w0 = 0;
    if (a.h1 > s->in_h) a.h1 = s->in_h;
    if (a.w1 > s->in_w) a.w1 = s->in_w;
    a.divisor = divisor ? divisor : count_include_pad ? padded : (a.h1 - a.h0) * (a.w1 - a.w0);
    return a;
}

/* int64 sums wrap (unsigned arithmetic); the quotient truncates as C++'s does, and INT64_MIN / -1
 * wraps instead of trapping. */
static int64_t divide_i64(uint64_t sum, int64_t divisor) {
    return divisor == -1 ? (int64_t)(0 - sum) : (int64_t)sum / divisor;
}
#define DIVIDE_f32(sum, d) ((sum) / (float)(d))
#define DIVIDE_f64(sum, d) ((sum) / (double)(d))
#define DIVIDE_u64(sum, d) ((uint64_t)divide_i64(sum, d))

/* Outputs start at zero and the quotient is added (PyTorch's output_data[i] += sum / divisor), so
 * a window outside the input gives 0 and a quotient of -0 gives +0; adaptive pooling stores its
 * quotient (sum / kh / kw) as it is. */
#define DEFINE_AVG_POOL(suffix, T)                                                                             \
    static void avg_pool_##suffix(const cg_pool2d_shape *s, const T *in, T *out, bool include_pad, int64_t d) { \
        for (int64_t p = 0; p < s->planes; p++, in += s->in_h * s->in_w)                                       \
            for (int64_t oh = 0; oh < s->out_h; oh++)                                                          \
                for (int64_t ow = 0; ow < s->out_w; ow++) {                                                    \
                    avg_window a = window_at(s, oh, ow, include_pad, d);                                       \
                    T value = 0;                                                                               \
                    if (a.h0 < a.h1 && a.w0 < a.w1) {                                                          \
                        T sum = 0;                                                                             \
                        for (int64_t h = a.h0; h < a.h1; h++)                                                  \
                            for (int64_t w = a.w0; w < a.w1; w++) sum += in[h * s->in_w + w];                  \
                        T q = DIVIDE_##suffix(sum, a.divisor);                                                 \
                        if (s->adaptive) value = DIVIDE_##suffix(q, a.then);                                   \
                        else value += q;                                                                       \
                    }                                                                                          \
                    *out++ = value;                                                                            \
                }                                                                                              \
    }                                                                                                          \
                                                                                                               \
    static void avg_pool_backward_##suffix(const cg_pool2d_shape *s, const T *gout, T *gin, bool include_pad,  \
                                           int64_t d) {                                                        \
        int64_t in_plane = s->in_h * s->in_w;                                                                  \
        memset(gin, 0, (size_t)(s->planes * in_plane) * sizeof(T));                                            \
        for (int64_t p = 0; p < s->planes; p++, gin += in_plane)                                               \
            for (int64_t oh = 0; oh < s->out_h; oh++)                                                          \
                for (int64_t ow = 0; ow < s->out_w; ow++) {                                                    \
                    avg_window a = window_at(s, oh, ow, include_pad, d);                                       \
                    T delta = DIVIDE_##suffix(*gout++, a.divisor);                                             \
                    if (s->adaptive) delta = DIVIDE_##suffix(delta, a.then);                                   \
                    for (int64_t h = a.h0; h < a.h1; h++)                                                      \
                        for (int64_t w = a.w0; w < a.w1; w++) gin[h * s->in_w + w] += delta;                   \
                }                                                                                              \
    }

DEFINE_AVG_POOL(f32, float)
DEFINE_AVG_POOL(f64, double)
DEFINE_AVG_POOL(u64, uint64_t)

/* ---- the kernels, split over the threads by planes (each plane is written by one piece, so the
 * results are the same for any thread count) ---- */

typedef enum { MAX_FORWARD, MAX_BACKWARD, AVG_FORWARD, AVG_BACKWARD } pool_kind;

typedef struct {
    pool_kind kind;
    cg_dtype dtype;
    const cg_pool2d_shape *s;
    const void *from; /* input (forward) or grad_output (backward) */
    void *to;         /* output or grad_input */
    int64_t *indices;
    const int64_t *saved_indices;
    bool include_pad;
    int64_t divisor;
} pool_job;

static void pool_planes(int64_t p0, int64_t p1, void *ctx) {
    const pool_job *j = ctx;
    cg_pool2d_shape s = *j->s;
    s.planes = p1 - p0;
    int64_t in = p0 * s.in_h * s.in_w * (int64_t)cg_elsize(j->dtype), out = p0 * s.out_h * s.out_w;
    int64_t out_bytes = out * (int64_t)cg_elsize(j->dtype);
    /* the planes' first elements in the input-sized and the output-sized operand */
    const void *from_in = (const char *)j->from + in, *from_out = (const char *)j->from + out_bytes;
    void *to_in = (char *)j->to + in, *to_out = (char *)j->to + out_bytes;
    bool f32 = j->dtype == CG_FLOAT32, f64 = j->dtype == CG_FLOAT64;
    switch (j->kind) {
    case MAX_FORWARD:
        if (f32) max_pool_f32(&s, from_in, to_out, j->indices + out);
        else max_pool_f64(&s, from_in, to_out, j->indices + out);
        break;
    case MAX_BACKWARD:
        if (f32) max_pool_backward_f32(&s, from_out, j->saved_indices + out, to_in);
        else max_pool_backward_f64(&s, from_out, j->saved_indices + out, to_in);
        break;
    case AVG_FORWARD:
        if (f32) avg_pool_f32(&s, from_in, to_out, j->include_pad, j->divisor);
        else if (f64) avg_pool_f64(&s, from_in, to_out, j->include_pad, j->divisor);
        else avg_pool_u64(&s, from_in, to_out, j->include_pad, j->divisor);
        break;
    case AVG_BACKWARD:
        if (f32) avg_pool_backward_f32(&s, from_out, to_in, j->include_pad, j->divisor);
        else if (f64) avg_pool_backward_f64(&s, from_out, to_in, j->include_pad, j->divisor);
        else avg_pool_backward_u64(&s, from_out, to_in, j->include_pad, j->divisor);
        break;
    }
}

static void run(const pool_job *j) {
    int64_t per_plane = j->s->in_h * j->s->in_w + j->s->out_h * j->s->out_w;
    int64_t grain = per_plane > 0 && CG_GRAIN_SIZE / per_plane > 1 ? CG_GRAIN_SIZE / per_plane : 1;
    cg_parallel_for(0, j->s->planes, grain, pool_planes, (void *)j);
}

void cg_kernel_max_pool2d(cg_dtype dtype, const cg_pool2d_shape *s, const void *input, void *out, int64_t *indices) {
    run(&(pool_job){.kind = MAX_FORWARD, .dtype = dtype, .s = s, .from = input, .to = out, .indices = indices});
}

void cg_kernel_max_pool2d_backward(cg_dtype dtype, const cg_pool2d_shape *s, const void *grad_output,
                                   const int64_t *indices, void *grad_input) {
    run(&(pool_job){.kind = MAX_BACKWARD, .dtype = dtype, .s = s, .from = grad_output, .to = grad_input,
                    .saved_indices = indices});
}

void cg_kernel_avg_pool2d(cg_dtype dtype, const cg_pool2d_shape *s, const void *input, void *out,
                          bool count_include_pad, int64_t divisor) {
    run(&(pool_job){.kind = AVG_FORWARD, .dtype = dtype, .s = s, .from = input, .to = out,
                    .include_pad = count_include_pad, .divisor = divisor});
}

void cg_kernel_avg_pool2d_backward(cg_dtype dtype, const cg_pool2d_shape *s, const void *grad_output,
                                   void *grad_input, bool count_include_pad, int64_t divisor) {
    run(&(pool_job){.kind = AVG_BACKWARD, .dtype = dtype, .s = s, .from = grad_output, .to = grad_input,
                    .include_pad = count_include_pad, .divisor = divisor});
}
