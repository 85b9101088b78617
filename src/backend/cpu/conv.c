#include "backend/cpu/conv.h"

#include "backend/cpu/dnnl_conv.h"
#include "backend/cpu/matmul.h"
#include "backend/cpu/parallel.h"

#include <string.h>

/* Sizes every kernel needs: per group, channels in and out, rows of the column matrix (the
 * reduction of the product) and output positions (its columns). */
typedef struct {
    int64_t cin, cout, rows, positions, in_plane;
    size_t es;
} conv_dims;

/* The output columns [lo, hi) whose tap at offset `tap` (kernel index times dilation) falls inside
 * an input of `size` (the others read the padding). */
static void inside_range(int64_t out, int64_t stride, int64_t pad, int64_t tap, int64_t size, int64_t *lo, int64_t *hi) {
    int64_t first = pad - tap; /* o * stride must reach this for the input index to be >= 0 */
    *lo = first <= 0 ? 0 : (first + stride - 1) / stride;
    int64_t last = size - 1 + pad - tap; /* and stay at most this */
    *hi = last < 0 ? 0 : last / stride + 1;
    if (*hi > out) *hi = out;
    if (*lo > *hi) *lo = *hi;
}

/* The column matrix of one batch element and one group: row (c, i, j) holds, for every output
 * position (oh, ow), the input element under kernel tap (i, j) of channel c, or 0 in the padding.
 * col2im is its adjoint: each column entry added back onto the input element it was taken from,
 * taps in the order of the rows (PyTorch's unfolded2d_acc). */
#define DEFINE_COLUMNS(suffix, T)                                                                              \
    /* Rows are short (an output row): fixed blocks of 8 become vector moves, where a loop of any       \
     * length would become a call of memmove per row. */                                                     \
    static void copy_strided_##suffix(T *restrict dst, const T *restrict src, int64_t n, int64_t stride) {     \
        int64_t i = 0;                                                                                         \
        if (stride == 1) {                                                                                     \
            for (; i + 8 <= n; i += 8) memcpy(dst + i, src + i, 8 * sizeof(T));                                \
            if (i + 4 <= n) memcpy(dst + i, src + i, 4 * sizeof(T)), i += 4;                                   \
        }                                                                                                      \
        for (; i < n; i++) dst[i] = src[i * stride];                                                           \
    }                                                                                                          \
                                                                                                               \
    static void add_strided_##suffix(T *restrict dst, const T *restrict src, int64_t n, int64_t stride) {      \
        int64_t i = 0;                                                                                         \
        if (stride == 1)                                                                                       \
            for (; i + 8 <= n; i += 8)                                                                         \
                for (int u = 0; u < 8; u++) dst[i + u] += src[i + u];                                          \
        for (; i < n; i++) dst[i * stride] += src[i];                                                          \
    }                                                                                                          \
                                                                                                               \
    static void im2col_##suffix(const cg_conv2d_shape *s, int64_t channels, const T *in, T *cols, int64_t ld) { \
        const int64_t H = s->in_h, W = s->in_w, OH = s->out_h, OW = s->out_w, sw = s->stride_w;                \
        for (int64_t c = 0; c < channels; c++)                                                                 \
            for (int64_t i = 0; i < s->kernel_h; i++)                                                          \
                for (int64_t j = 0; j < s->kernel_w; j++) {                                                    \
                    int64_t tap = j * s->dilation_w, lo, hi;                                                   \
                    inside_range(OW, sw, s->pad_w, tap, W, &lo, &hi);                                          \
                    T *col = cols + ((c * s->kernel_h + i) * s->kernel_w + j) * ld;                            \
                    for (int64_t oh = 0; oh < OH; oh++, col += OW) {                                           \
                        int64_t ih = oh * s->stride_h - s->pad_h + i * s->dilation_h;                          \
                        if (ih < 0 || ih >= H) {                                                               \
                            for (int64_t ow = 0; ow < OW; ow++) col[ow] = 0;                                   \
                            continue;                                                                          \
                        }                                                                                      \
                        const T *row = in + (c * H + ih) * W + tap - s->pad_w;                                 \
                        for (int64_t ow = 0; ow < lo; ow++) col[ow] = 0;                                       \
                        copy_strided_##suffix(col + lo, row + lo * sw, hi - lo, sw);                           \
                        for (int64_t ow = hi; ow < OW; ow++) col[ow] = 0;                                      \
                    }                                                                                          \
                }                                                                                              \
    }                                                                                                          \
                                                                                                               \
    static void col2im_##suffix(const cg_conv2d_shape *s, int64_t channels, const T *cols, int64_t ld, T *in) { \
        const int64_t H = s->in_h, W = s->in_w, OH = s->out_h, OW = s->out_w, sw = s->stride_w;                \
        for (int64_t c = 0; c < channels; c++)                                                                 \
            for (int64_t i = 0; i < s->kernel_h; i++)                                                          \
                for (int64_t j = 0; j < s->kernel_w; j++) {                                                    \
                    int64_t tap = j * s->dilation_w, lo, hi;                                                   \
                    inside_range(OW, sw, s->pad_w, tap, W, &lo, &hi);                                          \
                    const T *col = cols + ((c * s->kernel_h + i) * s->kernel_w + j) * ld;                      \
                    for (int64_t oh = 0; oh < OH; oh++, col += OW) {                                           \
                        int64_t ih = oh * s->stride_h - s->pad_h + i * s->dilation_h;                          \
                        if (ih < 0 || ih >= H) continue;                                                       \
                        add_strided_##suffix(in + (c * H + ih) * W + tap - s->pad_w + lo * sw, col + lo, hi - lo, sw); \
                    }                                                                                          \
                }                                                                                              \
    }                                                                                                          \
                                                                                                               \
    /* Each output row starts as its bias (0 without one): the product is added onto it. */            \
    static void fill_rows_##suffix(int64_t rows, int64_t cols, const T *bias, T *out) {                        \
        for (int64_t r = 0; r < rows; r++)                                                                     \
            for (int64_t l = 0; l < cols; l++) out[r * cols + l] = bias ? bias[r] : (T)0;                      \
    }                                                                                                          \
                                                                                                               \
    /* A product over several images, rows (channel) by columns (image, position), into the output's    \
     * (image, channel, position) layout, plus the bias. */                                                   \
    static void unpack_##suffix(const conv_dims *d, int64_t images, const T *prod, const T *bias, T *out,      \
                                int64_t image_stride) {                                                        \
        int64_t L = d->positions, ld = images * L;                                                             \
        for (int64_t n = 0; n < images; n++)                                                                   \
            for (int64_t co = 0; co < d->cout; co++) {                                                         \
                const T *src = prod + co * ld + n * L;                                                         \
                T *dst = out + n * image_stride + co * L;                                                      \
                if (bias)                                                                                      \
                    for (int64_t l = 0; l < L; l++) dst[l] = src[l] + bias[co];                                \
                else                                                                                           \
                    for (int64_t l = 0; l < L; l++) dst[l] = src[l];                                           \
            }                                                                                                  \
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
 * skips im2col there too), one output position per input position: not so when a transposed
 * convolution's output_padding leaves input positions that no output reads. */
static bool is_1x1(const cg_conv2d_shape *s) {
    return s->kernel_h == 1 && s->kernel_w == 1 && s->stride_h == 1 && s->stride_w == 1 && s->pad_h == 0 &&
           s->pad_w == 0 && s->out_h == s->in_h && s->out_w == s->in_w;
}

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

/* Images per product: PyTorch's slow_conv2d takes one at a time (per_image); otherwise as many as
 * keep the column matrix (and the product's rows) within COLUMN_BYTES, for products wide enough
 * to run at BLAS speed. */
#define COLUMN_BYTES ((int64_t)8 << 20)
static int64_t images_per_product(const cg_conv2d_shape *s, const conv_dims *d) {
    int64_t per_image = (d->rows > d->cout ? d->rows : d->cout) * d->positions * (int64_t)d->es;
    int64_t n = s->per_image || per_image <= 0 ? 1 : COLUMN_BYTES / per_image;
    return n < 1 ? 1 : n > s->batch ? s->batch : n;
}

/* Where image n's channels of group g start in an (N, C, plane) tensor. */
static const char *at_group(const void *t, const conv_dims *d, int64_t channels, int64_t plane, int64_t n, int64_t g,
                            int64_t group_channels) {
    return (const char *)t + ((n * channels + g * group_channels) * plane) * (int64_t)d->es;
}

/* im2col or col2im of images [n0 + begin, n0 + end) of group g, between the (N, C, plane) tensor
 * and their blocks of columns (each image's positions, in a matrix of row stride ld). Each image
 * is one piece of work for the threads: it writes only its own columns (im2col) or its own
 * gradient (col2im), so the results do not depend on the thread count. */
typedef struct {
    cg_dtype dtype;
    const cg_conv2d_shape *s;
    const conv_dims *d;
    int64_t n0, g, ld;
    bool fold; /* col2im */
    const void *input;
    void *grad_input;
    char *col;
} columns_job;

static void columns_of_images(int64_t begin, int64_t end, void *ctx) {
    const columns_job *j = ctx;
    const conv_dims *d = j->d;
    for (int64_t n = begin; n < end; n++) {
        char *col = j->col + n * d->positions * (int64_t)d->es;
        if (j->fold)
            DISPATCH(j->dtype, col2im, j->s, d->cin, (const void *)col, j->ld,
                     (void *)at_group(j->grad_input, d, j->s->in_channels, d->in_plane, j->n0 + n, j->g, d->cin));
        else
            DISPATCH(j->dtype, im2col, j->s, d->cin,
                     (const void *)at_group(j->input, d, j->s->in_channels, d->in_plane, j->n0 + n, j->g, d->cin),
                     (void *)col, j->ld);
    }
}

static void run_columns(const columns_job *j, int64_t images) {
    int64_t per_image = j->d->rows * j->d->positions;
    int64_t grain = per_image > 0 && CG_GRAIN_SIZE / per_image > 1 ? CG_GRAIN_SIZE / per_image : 1;
    cg_parallel_for(0, images, grain, columns_of_images, (void *)j);
}

/* The column matrix (rows x images * positions) of images [n0, n0 + images) of group g; the input
 * itself for one image of a 1x1 convolution. */
static const char *columns(cg_dtype dtype, const cg_conv2d_shape *s, const conv_dims *d, const void *input, int64_t n0,
                           int64_t images, int64_t g, char *col) {
    if (images == 1 && is_1x1(s)) return at_group(input, d, s->in_channels, d->in_plane, n0, g, d->cin);
    run_columns(&(columns_job){dtype, s, d, n0, g, images * d->positions, false, input, NULL, col}, images);
    return col;
}

/* grad_output's rows of group g for images [n0, n0 + images), as one (cout x images * positions)
 * matrix: the tensor itself for one image. */
static const char *output_rows(const cg_conv2d_shape *s, const conv_dims *d, const void *grad_output, int64_t n0,
                               int64_t images, int64_t g, char *packed) {
    if (images == 1) return at_group(grad_output, d, s->out_channels, d->positions, n0, g, d->cout);
    size_t row = (size_t)d->positions * d->es;
    for (int64_t co = 0; co < d->cout; co++)
        for (int64_t n = 0; n < images; n++)
            memcpy(packed + (co * images + n) * (int64_t)row,
                   at_group(grad_output, d, s->out_channels, d->positions, n0 + n, g, d->cout) + co * (int64_t)row, row);
    return packed;
}

/* The buffers of a kernel: the column matrix and, over several images, the product's rows. */
typedef struct {
    char *col, *rows;
} buffers;

static int buffers_new(const cg_conv2d_shape *s, const conv_dims *d, int64_t images, buffers *b) {
    size_t width = (size_t)(images * d->positions) * d->es;
    b->col = is_1x1(s) && images == 1 ? NULL : cg_malloc((size_t)d->rows * width);
    b->rows = images == 1 ? NULL : cg_malloc((size_t)d->cout * width);
    if ((!b->col && !(is_1x1(s) && images == 1)) || (!b->rows && images > 1)) {
        cg_free(b->col);
        cg_free(b->rows);
        return -1;
    }
    return 0;
}

static void buffers_free(buffers *b) {
    cg_free(b->col);
    cg_free(b->rows);
}

/* Where PyTorch takes oneDNN (float32, not per_image), oneDNN when it is there and runs the shape. */
static bool on_dnnl(cg_dtype dtype, const cg_conv2d_shape *s) { return dtype == CG_FLOAT32 && !s->per_image; }

int cg_kernel_conv2d(cg_dtype dtype, const cg_conv2d_shape *s, const void *input, const void *weight,
                     const void *bias, void *out) {
    int done = on_dnnl(dtype, s) ? cg_dnnl_conv2d(s, input, weight, bias, out) : 0;
    if (done) return done < 0 ? -1 : 0;
    conv_dims d = dims_of(dtype, s);
    int64_t chunk = images_per_product(s, &d);
    buffers b;
    if (buffers_new(s, &d, chunk, &b) < 0) return -1;
    for (int64_t n0 = 0; n0 < s->batch; n0 += chunk) {
        int64_t images = s->batch - n0 < chunk ? s->batch - n0 : chunk, ld = images * d.positions;
        for (int64_t g = 0; g < s->groups; g++) {
            const char *w = (const char *)weight + (g * d.cout * d.rows) * (int64_t)d.es;
            const void *bias_g = bias ? (const char *)bias + g * d.cout * (int64_t)d.es : NULL;
            char *o = (char *)at_group(out, &d, s->out_channels, d.positions, n0, g, d.cout);
            const char *cols = columns(dtype, s, &d, input, n0, images, g, b.col);
            if (images == 1) { /* PyTorch's call: the output starts as the bias, the product is added */
                DISPATCH(dtype, fill_rows, d.cout, d.positions, bias_g, (void *)o);
                cg_kernel_addmm(dtype, d.cout, d.positions, d.rows, 1, w, d.rows, 1, cols, d.positions, 1, 1, o);
            } else {
                cg_kernel_gemm(dtype, d.cout, ld, d.rows, w, d.rows, 1, cols, ld, 1, b.rows);
                DISPATCH(dtype, unpack, &d, images, (const void *)b.rows, bias_g, (void *)o, s->out_channels * d.positions);
            }
        }
    }
    buffers_free(&b);
    return 0;
}

int cg_kernel_conv2d_backward_input(cg_dtype dtype, const cg_conv2d_shape *s, const void *grad_output,
                                    const void *weight, void *grad_input) {
    int done = on_dnnl(dtype, s) ? cg_dnnl_conv2d_backward_input(s, grad_output, weight, grad_input) : 0;
    if (done) return done < 0 ? -1 : 0;
    conv_dims d = dims_of(dtype, s);
    int64_t chunk = images_per_product(s, &d);
    bool direct = is_1x1(s) && chunk == 1; /* the product is the gradient itself */
    buffers b;
    if (buffers_new(s, &d, chunk, &b) < 0) return -1;
    if (!direct) memset(grad_input, 0, (size_t)(s->batch * s->in_channels * d.in_plane) * d.es);
    for (int64_t n0 = 0; n0 < s->batch; n0 += chunk) {
        int64_t images = s->batch - n0 < chunk ? s->batch - n0 : chunk, ld = images * d.positions;
        for (int64_t g = 0; g < s->groups; g++) {
            const char *w = (const char *)weight + (g * d.cout * d.rows) * (int64_t)d.es;
            const char *go = output_rows(s, &d, grad_output, n0, images, g, b.rows);
            char *gi = (char *)at_group(grad_input, &d, s->in_channels, d.in_plane, n0, g, d.cin);
            cg_kernel_gemm(dtype, d.rows, ld, d.cout, w, 1, d.rows, go, ld, 1, direct ? gi : b.col);
            if (!direct) run_columns(&(columns_job){dtype, s, &d, n0, g, ld, true, NULL, grad_input, b.col}, images);
        }
    }
    buffers_free(&b);
    return 0;
}

int cg_kernel_conv2d_backward_weight(cg_dtype dtype, const cg_conv2d_shape *s, const void *input,
                                     const void *grad_output, void *grad_weight, void *grad_bias) {
    int done = on_dnnl(dtype, s) ? cg_dnnl_conv2d_backward_weight(s, input, grad_output, grad_weight, grad_bias) : 0;
    if (done) return done < 0 ? -1 : grad_bias != NULL;
    conv_dims d = dims_of(dtype, s);
    int64_t chunk = images_per_product(s, &d);
    size_t group_bytes = (size_t)(d.cout * d.rows) * d.es;
    buffers b;
    if (buffers_new(s, &d, chunk, &b) < 0) return -1;
    memset(grad_weight, 0, group_bytes * (size_t)s->groups);
    for (int64_t n0 = 0; n0 < s->batch; n0 += chunk) {
        int64_t images = s->batch - n0 < chunk ? s->batch - n0 : chunk, ld = images * d.positions;
        for (int64_t g = 0; g < s->groups; g++) {
            const char *cols = columns(dtype, s, &d, input, n0, images, g, b.col);
            const char *go = output_rows(s, &d, grad_output, n0, images, g, b.rows);
            cg_kernel_addmm(dtype, d.cout, d.rows, ld, 1, go, ld, 1, cols, 1, ld, 1,
                            (char *)grad_weight + g * (int64_t)group_bytes);
        }
    }
    buffers_free(&b);
    return 0;
}
