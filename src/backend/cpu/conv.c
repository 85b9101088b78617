#include "backend/cpu/conv.h"

#include "backend/cpu/matmul.h"

#include <string.h>

/* The column matrix of one batch element and one group: row (c, i, j) holds, for every output
 * position (oh, ow), the input element under kernel tap (i, j) of channel c, or 0 in the padding. */
#define DEFINE_COLUMNS(suffix, T)                                                                              \
    static void im2col_##suffix(const cg_conv2d_shape *s, int64_t channels, const T *in, T *col) {             \
        for (int64_t c = 0; c < channels; c++)                                                                 \
            for (int64_t i = 0; i < s->kernel_h; i++)                                                          \
                for (int64_t j = 0; j < s->kernel_w; j++) {                                                    \
                    const T *plane = in + c * s->in_h * s->in_w;                                               \
                    for (int64_t oh = 0; oh < s->out_h; oh++) {                                                \
                        int64_t ih = oh * s->stride_h - s->pad_h + i * s->dilation_h;                          \
                        for (int64_t ow = 0; ow < s->out_w; ow++) {                                            \
                            int64_t iw = ow * s->stride_w - s->pad_w + j * s->dilation_w;                      \
                            bool inside = ih >= 0 && ih < s->in_h && iw >= 0 && iw < s->in_w;                  \
                            *col++ = inside ? plane[ih * s->in_w + iw] : (T)0;                                 \
                        }                                                                                      \
                    }                                                                                          \
                }                                                                                              \
    }                                                                                                          \
                                                                                                               \
    /* The adjoint: each column entry added back onto the input element it was taken from, taps in         \
     * the order of the rows (PyTorch's unfolded2d_acc). */                                                   \
    static void col2im_##suffix(const cg_conv2d_shape *s, int64_t channels, const T *col, T *in) {             \
        for (int64_t c = 0; c < channels; c++)                                                                 \
            for (int64_t i = 0; i < s->kernel_h; i++)                                                          \
                for (int64_t j = 0; j < s->kernel_w; j++) {                                                    \
                    T *plane = in + c * s->in_h * s->in_w;                                                     \
                    for (int64_t oh = 0; oh < s->out_h; oh++) {                                                \
                        int64_t ih = oh * s->stride_h - s->pad_h + i * s->dilation_h;                          \
                        for (int64_t ow = 0; ow < s->out_w; ow++, col++) {                                     \
                            int64_t iw = ow * s->stride_w - s->pad_w + j * s->dilation_w;                      \
                            if (ih >= 0 && ih < s->in_h && iw >= 0 && iw < s->in_w) plane[ih * s->in_w + iw] += *col; \
                        }                                                                                      \
                    }                                                                                          \
                }                                                                                              \
    }                                                                                                          \
                                                                                                               \
    static void add_rows_##suffix(int64_t rows, int64_t cols, const T *bias, T *out) {                         \
        for (int64_t r = 0; r < rows; r++)                                                                     \
            for (int64_t l = 0; l < cols; l++) out[r * cols + l] += bias[r];                                   \
    }                                                                                                          \
                                                                                                               \
    static void accumulate_##suffix(int64_t n, const T *src, T *dst) {                                         \
        for (int64_t i = 0; i < n; i++) dst[i] += src[i];                                                      \
    }

DEFINE_COLUMNS(f32, float)
DEFINE_COLUMNS(f64, double)
/* int64 through unsigned arithmetic: overflow wraps (as in PyTorch) instead of being undefined. */
DEFINE_COLUMNS(u64, uint64_t)

#define DISPATCH(dtype, fn, ...)                                               \
    do {                                                                       \
        if ((dtype) == CG_FLOAT32) fn##_f32(__VA_ARGS__);                      \
        else if ((dtype) == CG_FLOAT64) fn##_f64(__VA_ARGS__);                 \
        else fn##_u64(__VA_ARGS__);                                            \
    } while (0)

/* The input itself is its column matrix for a 1x1 kernel with stride 1 and no padding (PyTorch
 * skips im2col there too). */
static bool is_1x1(const cg_conv2d_shape *s) {
    return s->kernel_h == 1 && s->kernel_w == 1 && s->stride_h == 1 && s->stride_w == 1 && s->pad_h == 0 &&
           s->pad_w == 0;
}

/* Sizes every kernel needs: per group, channels in and out, rows of the column matrix (the
 * reduction of the product) and output positions (its columns). */
typedef struct {
    int64_t cin, cout, rows, positions, in_plane;
    size_t es;
} conv_dims;

static conv_dims dims_of(cg_dtype dtype, const cg_conv2d_shape *s) {
    conv_dims d;
    d.cin = s->in_channels / s->groups;
    d.cout = s->out_channels / s->groups;
    d.rows = d.cin * s->kernel_h * s->kernel_w;
    d.positions = s->out_h * s->out_w;
    d.in_plane = s->in_h * s->in_w;
    d.es = cg_elsize(dtype);
    return d;
}

static void *column_buffer(const conv_dims *d) { return cg_malloc((size_t)(d->rows * d->positions) * d->es); }

int cg_kernel_conv2d(cg_dtype dtype, const cg_conv2d_shape *s, const void *input, const void *weight,
                     const void *bias, void *out) {
    conv_dims d = dims_of(dtype, s);
    bool direct = is_1x1(s);
    char *col = direct ? NULL : column_buffer(&d);
    if (!direct && !col) return -1;
    for (int64_t n = 0; n < s->batch; n++)
        for (int64_t g = 0; g < s->groups; g++) {
            const char *in = (const char *)input + ((n * s->in_channels + g * d.cin) * d.in_plane) * (int64_t)d.es;
            const char *w = (const char *)weight + (g * d.cout * d.rows) * (int64_t)d.es;
            char *o = (char *)out + ((n * s->out_channels + g * d.cout) * d.positions) * (int64_t)d.es;
            if (!direct) DISPATCH(dtype, im2col, s, d.cin, (const void *)in, (void *)col);
            cg_kernel_gemm(dtype, d.cout, d.positions, d.rows, w, d.rows, 1, direct ? in : col, d.positions, 1, o);
            if (bias)
                DISPATCH(dtype, add_rows, d.cout, d.positions, (const void *)((const char *)bias + g * d.cout * (int64_t)d.es),
                         (void *)o);
        }
    cg_free(col);
    return 0;
}

int cg_kernel_conv2d_backward_input(cg_dtype dtype, const cg_conv2d_shape *s, const void *grad_output,
                                    const void *weight, void *grad_input) {
    conv_dims d = dims_of(dtype, s);
    bool direct = is_1x1(s);
    char *col = direct ? NULL : column_buffer(&d);
    if (!direct && !col) return -1;
    if (!direct) memset(grad_input, 0, (size_t)(s->batch * s->in_channels * d.in_plane) * d.es);
    for (int64_t n = 0; n < s->batch; n++)
        for (int64_t g = 0; g < s->groups; g++) {
            const char *go = (const char *)grad_output + ((n * s->out_channels + g * d.cout) * d.positions) * (int64_t)d.es;
            const char *w = (const char *)weight + (g * d.cout * d.rows) * (int64_t)d.es;
            char *gi = (char *)grad_input + ((n * s->in_channels + g * d.cin) * d.in_plane) * (int64_t)d.es;
            cg_kernel_gemm(dtype, d.rows, d.positions, d.cout, w, 1, d.rows, go, d.positions, 1, direct ? gi : col);
            if (!direct) DISPATCH(dtype, col2im, s, d.cin, (const void *)col, (void *)gi);
        }
    cg_free(col);
    return 0;
}

int cg_kernel_conv2d_backward_weight(cg_dtype dtype, const cg_conv2d_shape *s, const void *input,
                                     const void *grad_output, void *grad_weight) {
    conv_dims d = dims_of(dtype, s);
    bool direct = is_1x1(s);
    size_t group_bytes = (size_t)(d.cout * d.rows) * d.es;
    char *col = direct ? NULL : column_buffer(&d), *product = cg_malloc(group_bytes);
    if ((!direct && !col) || !product) {
        cg_free(col);
        cg_free(product);
        return -1;
    }
    memset(grad_weight, 0, group_bytes * (size_t)s->groups);
    for (int64_t g = 0; g < s->groups; g++) {
        char *gw = (char *)grad_weight + g * (int64_t)group_bytes;
        for (int64_t n = 0; n < s->batch; n++) {
            const char *in = (const char *)input + ((n * s->in_channels + g * d.cin) * d.in_plane) * (int64_t)d.es;
            const char *go = (const char *)grad_output + ((n * s->out_channels + g * d.cout) * d.positions) * (int64_t)d.es;
            if (!direct) DISPATCH(dtype, im2col, s, d.cin, (const void *)in, (void *)col);
            cg_kernel_gemm(dtype, d.cout, d.rows, d.positions, go, d.positions, 1, direct ? in : col, 1, d.positions,
                           product);
            DISPATCH(dtype, accumulate, d.cout * d.rows, (const void *)product, (void *)gw);
        }
    }
    cg_free(col);
    cg_free(product);
    return 0;
}
