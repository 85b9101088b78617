/* conv1d and conv2d as torch.nn.functional computes them in PyTorch 1.13: its argument checks in
 * its order and words, ConvolutionBackward0 nodes, and a backward made of three ops of its own
 * (the gradients for the input, the weight and the bias, each a ConvolutionBackwardBackward0 in a
 * double-backward graph), each differentiable again. The numbers come from the im2col + gemm
 * kernels of backend/cpu/conv.c, PyTorch's slow_conv2d arrangement. */
#include "autograd/registry.h"
#include "backend/backend.h"
#include "ops/elementwise.h"
#include "ops/grad_depends.h"

#include <stdatomic.h>
#include <string.h>

/* What a convolution node keeps in its args: the number of spatial dims, then stride, padding
 * and dilation (one value per spatial dim each) and groups. */
typedef struct {
    int dims;  /* up to 2 once checked; a longer weight only reaches the checks that refuse it */
    int64_t stride[CG_MAX_DIMS], padding[CG_MAX_DIMS], dilation[CG_MAX_DIMS], groups;
    bool per_image; /* PyTorch runs it on its slow path (one gemm per image), not on oneDNN */
    /* The output's spatial sizes when they are not the formula's: a transposed convolution's input
     * (its output_padding can leave one more position than the formula gives back), if fixed_out. */
    int64_t out[2];
    bool fixed_out;
} conv_params;

enum {
    ARG_DIMS,
    ARG_STRIDE = 1,
    ARG_PADDING = 3,
    ARG_DILATION = 5,
    ARG_GROUPS = 7,
    ARG_PER_IMAGE = 8,
    ARG_OUT = 9,
    ARG_FIXED_OUT = 11,
    ARG_SIZES = 12
};

static void store_params(cg_node *n, const conv_params *p) {
    n->args[ARG_DIMS] = p->dims;
    for (int d = 0; d < 2; d++) {
        n->args[ARG_STRIDE + d] = p->stride[d];
        n->args[ARG_PADDING + d] = p->padding[d];
        n->args[ARG_DILATION + d] = p->dilation[d];
        n->args[ARG_OUT + d] = p->out[d];
    }
    n->args[ARG_GROUPS] = p->groups;
    n->args[ARG_PER_IMAGE] = p->per_image;
    n->args[ARG_FIXED_OUT] = p->fixed_out;
}

static conv_params params_of(const cg_node *n) {
    conv_params p = {.dims = (int)n->args[ARG_DIMS], .groups = n->args[ARG_GROUPS], .per_image = n->args[ARG_PER_IMAGE],
                     .fixed_out = n->args[ARG_FIXED_OUT]};
    for (int d = 0; d < 2; d++) {
        p.stride[d] = n->args[ARG_STRIDE + d];
        p.padding[d] = n->args[ARG_PADDING + d];
        p.dilation[d] = n->args[ARG_DILATION + d];
        p.out[d] = n->args[ARG_OUT + d];
    }
    return p;
}

/* A shape argument of the backward ops (the input's or the weight's), kept after the params. */
static void store_sizes(cg_node *n, int ndim, const int64_t *sizes) { memcpy(n->args + ARG_SIZES, sizes, (size_t)ndim * sizeof *sizes); }

static int64_t conv_out_size(int64_t in, int64_t kernel, int64_t stride, int64_t pad, int64_t dilation) {
    return (in + 2 * pad - dilation * (kernel - 1) - 1) / stride + 1;
}

/* The kernels' geometry for input sizes x and weight sizes w (1-D: a height of 1). */
static cg_conv2d_shape shape_of(const int64_t *x, const int64_t *w, const conv_params *p) {
    cg_conv2d_shape s = {.batch = x[0], .in_channels = x[1], .out_channels = w[0], .groups = p->groups,
                         .in_h = 1, .kernel_h = 1, .stride_h = 1, .pad_h = 0, .dilation_h = 1,
                         .per_image = p->per_image};
    int last = p->dims - 1;
    if (p->dims == 2) {
        s.in_h = x[2], s.kernel_h = w[2], s.stride_h = p->stride[0], s.pad_h = p->padding[0], s.dilation_h = p->dilation[0];
    }
    s.in_w = x[2 + last], s.kernel_w = w[2 + last];
    s.stride_w = p->stride[last], s.pad_w = p->padding[last], s.dilation_w = p->dilation[last];
    s.out_h = conv_out_size(s.in_h, s.kernel_h, s.stride_h, s.pad_h, s.dilation_h);
    s.out_w = conv_out_size(s.in_w, s.kernel_w, s.stride_w, s.pad_w, s.dilation_w);
    if (p->fixed_out) {
        if (p->dims == 2) s.out_h = p->out[0];
        s.out_w = p->out[p->dims - 1];
    }
    return s;
}

/* The output's sizes: PyTorch gives an input without channels an output without channels. */
static int output_sizes(const cg_conv2d_shape *s, const conv_params *p, int64_t *sizes) {
    sizes[0] = s->batch;
    sizes[1] = s->in_channels == 0 ? 0 : s->out_channels;
    if (p->dims == 2) sizes[2] = s->out_h;
    sizes[1 + p->dims] = s->out_w;
    return 2 + p->dims;
}

/* t's elements in a contiguous tensor (t itself when already so), with nothing recorded. */
static cg_tensor *dense(cg_tensor *t) {
    cg_tensor *c = NULL;
    CG_NO_GRAD { c = t ? cg_contiguous(t) : NULL; }
    return c;
}

static cg_tensor *conv_forward(cg_tensor *x, cg_tensor *w, cg_tensor *b, const conv_params *p);
static cg_tensor *convolve(const cg_op *op, cg_tensor *x, cg_tensor *w, cg_tensor *b, const conv_params *p);
static cg_tensor *conv_grad_input(cg_tensor *g, cg_tensor *w, const conv_params *p, const int64_t *x_sizes);
static cg_tensor *conv_grad_weight(cg_tensor *x, cg_tensor *g, const conv_params *p, const int64_t *w_sizes,
                                   cg_tensor **bias_values);
static cg_tensor *conv_grad_bias(cg_tensor *g, const conv_params *p, cg_tensor *values);

/* ---- the convolution ---- */

static cg_tensor *conv_forward(cg_tensor *x, cg_tensor *w, cg_tensor *b, const conv_params *p) {
    return convolve(&cg_op_convolution, x, w, b, p);
}

/* t (N, C, L) as the 4-D (N, C, 1, L) view PyTorch's 1-D convolution runs on (view1d_as_2d):
 * the input after x.contiguous(), the weight as it is. */
static bool unsqueezed_channels_last(const cg_tensor *t, bool made_contiguous) {
    int64_t st[3], sizes[4] = {t->sizes[0], t->sizes[1], 1, t->sizes[2]};
    if (made_contiguous && !cg_is_contiguous(t))
        cg_contiguous_strides(3, t->sizes, st);
    else
        memcpy(st, t->strides, sizeof st);
    int64_t strides[4] = {st[0], st[1], t->sizes[2] * st[2], st[2]};
    return cg_strides_suggest_channels_last(sizes, strides);
}

/* out laid out as PyTorch's convolution's: channels-last when its batched 4-D input or weight
 * suggests it (thnn_conv_use_channels_last, mkldnn_conv_use_channels_last), for a 1-D one that
 * of the (N, C, 1, L) output squeezed. */
static cg_tensor *conv_output_format(cg_tensor *out, const cg_tensor *x, const cg_tensor *w, const conv_params *p) {
    if (!out || x->ndim != 2 + p->dims) return out;
    int64_t strides[4];
    if (p->dims == 2) {
        if (!cg_suggests_channels_last(x) && !cg_suggests_channels_last(w)) return out;
        cg_channels_last_strides(out->sizes, strides);
    } else {
        if (!unsqueezed_channels_last(x, true) && !unsqueezed_channels_last(w, false)) return out;
        strides[0] = out->sizes[1] * out->sizes[2], strides[1] = 1, strides[2] = out->sizes[1];
    }
    return cg_restrided_copy(out, strides);
}

/* The convolution recorded as op: a convolution's own node, or the gradient of a transposed one
 * for its input (ConvolutionBackwardBackward0 in a double-backward graph, the same backward). */
static cg_tensor *convolve(const cg_op *op, cg_tensor *x, cg_tensor *w, cg_tensor *b, const conv_params *p) {
    if (!x || !w) return NULL;
    /* a meta input makes the result meta; PyTorch's CPU kernel would read a meta weight's missing data */
    const cg_backend *be = cg_has_bytes(x) ? CG_COMMON_BACKEND(x, w, b) : cg_backend_of(x);
    if (!be) return NULL;
    cg_conv2d_shape s = shape_of(x->sizes, w->sizes, p);
    int64_t sizes[4];
    int ndim = output_sizes(&s, p, sizes);
    cg_tensor *out = cg_new_tensor_on(be, x->dtype, ndim, sizes);
    if (!out) return NULL;
    if (out->numel) {
        cg_tensor *xc = dense(x), *wc = dense(w), *bc = b ? dense(b) : NULL;
        if (!xc || !wc || (b && !bc) ||
            CG_KERNEL(out, conv2d)(x->dtype, &s, cg_bytes(xc), cg_bytes(wc), bc ? cg_bytes(bc) : NULL,
                             cg_bytes(out)) < 0)
            return NULL;
    }
    if (!(out = conv_output_format(out, x, w, p))) return NULL;
    cg_node *n = cg_record(op, out, CG_INPUTS(x, w, b));
    if (n) {
        store_params(n, p);
        cg_save(n, 0, x);
        cg_save(n, 1, w);
    }
    return cg_recorded(out);
}

void cg_backward_convolution(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    conv_params p = params_of(n);
    cg_tensor *x = cg_saved(n, 0), *w = cg_saved(n, 1);
    if (!x || !w) return;
    if (cg_needs_grad(n, 0)) out[0] = conv_grad_input(grads[0], w, &p, x->sizes);
    /* oneDNN's weight gradient gives the bias's too (PyTorch asks for both at once, its bits) */
    cg_tensor *bias = NULL, *weight = NULL;
    bool want_bias = cg_needs_grad(n, 2) && !p.per_image;
    if (cg_needs_grad(n, 1) || want_bias) weight = conv_grad_weight(x, grads[0], &p, w->sizes, want_bias ? &bias : NULL);
    if (cg_needs_grad(n, 1)) out[1] = weight;
    if (cg_needs_grad(n, 2)) out[2] = conv_grad_bias(grads[0], &p, bias);
    /* convolution_backward takes input and weight: each gradient depends on both */
    for (int i = 0; i < 3; i++) out[i] = cg_grad_depending(&cg_op_conv_depends, out[i], x, w);
}

/* ---- its backward, as three ops ---- */

/* The transposed convolution of g with w (col2im of W^T g) into a new tensor of the given sizes,
 * nothing recorded: the gradient for a convolution's input, and conv_transpose's values. */
static cg_tensor *transposed_values(cg_tensor *g, cg_tensor *w, const conv_params *p, const int64_t *sizes) {
    if (!g || !w || CG_CHECK_SAME_DEVICE(g, w) < 0) return NULL;
    cg_conv2d_shape s = shape_of(sizes, w->sizes, p);
    cg_tensor *out = cg_new_on(g, g->dtype, 2 + p->dims, sizes);
    if (!out || !out->numel) return out;
    cg_tensor *gc = dense(g), *wc = dense(w);
    if (!gc || !wc) return NULL;
    if (g->numel == 0 || w->numel == 0)
        CG_KERNEL(out, fill)(out, cg_number_int(0));
    else if (CG_KERNEL(out, conv2d_backward_input)(g->dtype, &s, cg_bytes(gc), cg_bytes(wc), cg_bytes(out)) < 0)
        return NULL;
    return out;
}

/* The gradient for the input: the transposed convolution of g with w. */
static cg_tensor *conv_grad_input(cg_tensor *g, cg_tensor *w, const conv_params *p, const int64_t *x_sizes) {
    cg_tensor *out = transposed_values(g, w, p, x_sizes);
    if (!out) return NULL;
    cg_node *n = cg_record(&cg_op_conv_backward_input, out, CG_INPUTS(g, w));
    if (n) {
        store_params(n, p);
        store_sizes(n, 2 + p->dims, x_sizes);
        cg_save(n, 0, g);
        cg_save(n, 1, w);
    }
    return cg_recorded(out);
}

/* z = conv_grad_input(g, w) is linear in each: dz/dg is the convolution, dz/dw the weight gradient. */
void cg_backward_conv_backward_input(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    conv_params p = params_of(n);
    cg_tensor *g = cg_saved(n, 0), *w = cg_saved(n, 1);
    if (!g || !w) return;
    if (cg_needs_grad(n, 0)) out[0] = conv_forward(grads[0], w, NULL, &p);
    if (cg_needs_grad(n, 1)) out[1] = conv_grad_weight(grads[0], g, &p, w->sizes, NULL);
}

/* The gradient for the weight: g @ columns(x)^T summed over the batch. With bias_values, the
 * bias's gradient too where the kernel gives it (*bias_values stays NULL otherwise). */
static cg_tensor *conv_grad_weight(cg_tensor *x, cg_tensor *g, const conv_params *p, const int64_t *w_sizes,
                                   cg_tensor **bias_values) {
    if (!x || !g || CG_CHECK_SAME_DEVICE(x, g) < 0) return NULL;
    cg_conv2d_shape s = shape_of(x->sizes, w_sizes, p);
    cg_tensor *out = cg_new_on(x, x->dtype, 2 + p->dims, w_sizes);
    cg_tensor *bias = bias_values ? cg_new_on(x, x->dtype, 1, w_sizes) : NULL;
    if (!out || (bias_values && !bias)) return NULL;
    if (out->numel) {
        cg_tensor *xc = dense(x), *gc = dense(g);
        if (!xc || !gc) return NULL;
        int rc = 0;
        cg_tensor *t[] = {xc, gc, out, bias};
        void *bytes[4];
        for (int i = 0; i < 4; i++) bytes[i] = t[i] ? cg_bytes(t[i]) : NULL;
        if (g->numel == 0)
            CG_KERNEL(out, fill)(out, cg_number_int(0));
        else if ((rc = CG_KERNEL(out, conv2d_backward_weight)(x->dtype, &s, bytes[0], bytes[1], bytes[2], bytes[3])) < 0)
            return NULL;
        if (rc == 1) *bias_values = bias;
    }
    cg_node *n = cg_record(&cg_op_conv_backward_weight, out, CG_INPUTS(x, g));
    if (n) {
        store_params(n, p);
        store_sizes(n, 2 + p->dims, w_sizes);
        cg_save(n, 0, x);
        cg_save(n, 1, g);
    }
    return cg_recorded(out);
}

/* z = conv_grad_weight(x, g): dz/dx is the input gradient of g with the incoming weight-shaped
 * gradient as the weight, dz/dg the convolution of x with it. */
void cg_backward_conv_backward_weight(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    conv_params p = params_of(n);
    cg_tensor *x = cg_saved(n, 0), *g = cg_saved(n, 1);
    if (!x || !g) return;
    if (cg_needs_grad(n, 0)) out[0] = conv_grad_input(g, grads[0], &p, x->sizes);
    if (cg_needs_grad(n, 1)) out[1] = conv_forward(x, grads[0], NULL, &p);
}

/* The gradient for the bias: g summed over the batch and the spatial dims (PyTorch's sum), or the
 * values the weight's kernel gave. */
static cg_tensor *conv_grad_bias(cg_tensor *g, const conv_params *p, cg_tensor *values) {
    if (!g) return NULL;
    cg_tensor *out = values;
    if (!out) CG_NO_GRAD { out = p->dims == 2 ? cg_sum(g, CG_DIMS(0, 2, 3)) : cg_sum(g, CG_DIMS(0, 2)); }
    if (!out) return NULL;
    cg_node *n = cg_record(&cg_op_conv_backward_bias, out, CG_INPUTS(g));
    if (n) {
        store_params(n, p);
        store_sizes(n, g->ndim, g->sizes);
    }
    return cg_recorded(out);
}

/* z = sum of g over all dims but 1: dz/dg spreads the incoming (C) gradient over g's shape. */
void cg_backward_conv_backward_bias(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    int ndim = 2 + (int)n->args[ARG_DIMS];
    int64_t column[4] = {1, -1, 1, 1};
    out[0] = cg_expand_shape(cg_view_shape(grads[0], ndim, column), ndim, n->args + ARG_SIZES);
}

/* ---- the argument checks of PyTorch's conv1d/conv2d and _convolution, in its order ---- */

/* PyTorch's expand_param_if_needed: one value per spatial dim of the weight (a list of one value
 * is expanded). A single int (and the default) reaches it as Python's int[2] arguments pass one:
 * a list of the op's own length. */
static int expand_param(cg_ints given, const char *name, int dims, int op_dims, int64_t fallback, int64_t *out) {
    if (given.n < 0 || given.n > 3) {
        cg_set_error("%s: a list of %d values (CG_INTS holds 1 to 3)", name, given.n);
        return -1;
    }
    if (given.n <= 1) {
        int64_t v = given.n ? given.v[0] : fallback;
        given.n = op_dims;
        for (int d = 0; d < op_dims; d++) given.v[d] = v;
    }
    if (given.n != 1 && given.n != dims) {
        int n = given.n > 3 ? 3 : given.n;
        cg_set_error("expected %s to be a single integer value or a list of %d values to match the convolution "
                     "dimensions, but got %s=%s",
                     name, dims, name, cg_shape_text(n, given.v).s);
        return -1;
    }
    for (int d = 0; d < dims; d++) {
        out[d] = given.v[given.n == 1 ? 0 : d];
        /* PyTorch's sizes arithmetic overflows (undefined) far below int64's range: refuse that */
        if (out[d] < INT32_MIN || out[d] > INT32_MAX) {
            cg_set_error("value cannot be converted to type int32_t without overflow");
            return -1;
        }
    }
    return 0;
}

/* The backend PyTorch picks decides the words of a weight of another dtype: oneDNN's (use_mkldnn
 * in ConvUtils.h, at 1 thread) for float32 inputs it takes, slow_conv2d's otherwise. */
static bool uses_mkldnn(const cg_tensor *x, const cg_tensor *w, const conv_params *p) {
    if (x->dtype != CG_FLOAT32) return false;
    bool strided = false, dilated = false;
    for (int d = 0; d < p->dims; d++) strided |= p->stride[d] != 1, dilated |= p->dilation[d] != 1;
    int64_t kw = w->sizes[w->ndim - 1], kh = p->dims == 2 ? w->sizes[2] : 1, spatial = 1;
    for (int d = 2; d < x->ndim; d++) spatial *= x->sizes[d];
    return (strided || dilated || x->sizes[0] >= 16 || kw != 1 || kh != 1) &&
           (p->groups > 1 || (kw > 3 && kh > 3) || x->sizes[0] > 1 || x->sizes[0] * x->sizes[1] * spatial > 20480);
}

/* _convolution's first checks: the weight's dims and groups, then stride, padding and dilation
 * expanded to one value per spatial dim of the weight (into p). */
static int check_params(const cg_tensor *w, conv_params *p, int op_dims, cg_ints stride, cg_ints padding,
                        cg_ints dilation) {
    if (w->ndim < 3) {
        cg_set_error("weight should have at least three dimensions");
        return -1;
    }
    p->dims = w->ndim - 2;
    if (p->groups <= 0) {
        cg_set_error("non-positive groups is not supported");
        return -1;
    }
    if (expand_param(stride, "stride", p->dims, op_dims, 1, p->stride) < 0 ||
        expand_param(padding, "padding", p->dims, op_dims, 0, p->padding) < 0 ||
        expand_param(dilation, "dilation", p->dims, op_dims, 1, p->dilation) < 0)
        return -1;
    return 0;
}

static int check_weight_groups(const cg_tensor *x, const cg_tensor *w, const conv_params *p);
static int check_channels(const cg_tensor *x, const cg_tensor *w, const cg_tensor *b, const conv_params *p);

/* check_shape_forward's first checks: padding, output_padding (transposed only) and stride. */
static int check_signs(const conv_params *p, const int64_t *output_padding) {
    for (int d = 0; d < p->dims; d++)
        if (p->padding[d] < 0) {
            cg_set_error("negative padding is not supported");
            return -1;
        }
    for (int d = 0; output_padding && d < p->dims; d++)
        if (output_padding[d] < 0) {
            cg_set_error("negative output_padding is not supported");
            return -1;
        }
    for (int d = 0; d < p->dims; d++)
        if (p->stride[d] <= 0) {
            cg_set_error("non-positive stride is not supported");
            return -1;
        }
    return 0;
}

static int check_conv_shapes(const cg_tensor *x, const cg_tensor *w, const cg_tensor *b, const conv_params *p) {
    if (check_signs(p, NULL) < 0 || check_weight_groups(x, w, p) < 0) return -1;
    return check_channels(x, w, b, p);
}

/* The weight's dims against the input's, and groups against its first dim. */
static int check_weight_groups(const cg_tensor *x, const cg_tensor *w, const conv_params *p) {
    if (w->ndim != x->ndim) {
        cg_set_error("Expected %d-dimensional input for %d-dimensional weight %s, but got %d-dimensional input of "
                     "size %s instead",
                     w->ndim, w->ndim, cg_shape_text(w->ndim, w->sizes).s, x->ndim, cg_shape_text(x->ndim, x->sizes).s);
        return -1;
    }
    long long groups = (long long)p->groups;
    if (w->sizes[0] < p->groups) {
        cg_set_error("Given groups=%lld, expected weight to be at least %lld at dimension 0, but got weight of size %s "
                     "instead",
                     groups, groups, cg_shape_text(w->ndim, w->sizes).s);
        return -1;
    }
    if (w->sizes[0] % p->groups) {
        cg_set_error("Given groups=%lld, expected weight to be divisible by %lld at dimension 0, but got weight of "
                     "size [%s] instead",
                     groups, groups, cg_shape_text(w->ndim, w->sizes).s);
        return -1;
    }
    return 0;
}

/* A convolution's channels, bias and kernel size against the input. */
static int check_channels(const cg_tensor *x, const cg_tensor *w, const cg_tensor *b, const conv_params *p) {
    long long groups = (long long)p->groups;
    if (x->sizes[1] != w->sizes[1] * p->groups) {
        cg_set_error("Given groups=%lld, weight of size %s, expected input%s to have %lld channels, but got %lld "
                     "channels instead",
                     groups, cg_shape_text(w->ndim, w->sizes).s, cg_shape_text(x->ndim, x->sizes).s,
                     (long long)(w->sizes[1] * p->groups), (long long)x->sizes[1]);
        return -1;
    }
    if (b && (b->ndim != 1 || b->sizes[0] != w->sizes[0])) {
        cg_set_error("Given weight of size %s, expected bias to be 1-dimensional with %lld elements, but got bias of "
                     "size %s instead",
                     cg_shape_text(w->ndim, w->sizes).s, (long long)w->sizes[0], cg_shape_text(b->ndim, b->sizes).s);
        return -1;
    }
    bool fits = true;
    char padded[96] = "", kernel[96] = "";
    for (int d = 0; d < p->dims; d++) {
        int64_t in = x->sizes[2 + d] + 2 * p->padding[d], k = p->dilation[d] * (w->sizes[2 + d] - 1) + 1;
        fits &= in >= k;
        const char *sep = d ? " x " : "";
        snprintf(padded + strlen(padded), sizeof padded - strlen(padded), "%s%lld", sep, (long long)in);
        snprintf(kernel + strlen(kernel), sizeof kernel - strlen(kernel), "%s%lld", sep, (long long)k);
    }
    if (!fits) {
        cg_set_error("Calculated padded input size per channel: (%s). Kernel size: (%s). Kernel size can't be "
                     "greater than actual input size",
                     padded, kernel);
        return -1;
    }
    return 0;
}

/* A list of the spatial sizes as PyTorch's 2-D kernels print it (1-D runs as 2-D of height 1). */
static cg_shape_str pair_text(const conv_params *p, int64_t h, int64_t w) {
    return p->dims == 2 ? cg_shape_text(2, (int64_t[]){h, w}) : cg_shape_text(2, (int64_t[]){1, w});
}

static int check_weight_dtype(const cg_tensor *x, const cg_tensor *w) {
    if (w->dtype == x->dtype) return 0;
    cg_set_error("expected scalar type %s but found %s", cg_dtype_title(x->dtype), cg_dtype_title(w->dtype));
    return -1;
}

/* The checks of the backend PyTorch picks, each in its own order: oneDNN for the float32 inputs
 * it takes, slow_conv_dilated2d for other dilated ones, slow_conv2d for the rest; none for an
 * empty input (PyTorch's Empty backend). */
static int check_backend(const cg_tensor *x, const cg_tensor *w, const conv_params *p) {
    if (x->sizes[0] == 0 || x->sizes[1] == 0) return 0;
    int64_t kh = p->dims == 2 ? w->sizes[2] : 1, kw = w->sizes[w->ndim - 1];
    int64_t dh = p->dims == 2 ? p->dilation[0] : 1, dw = p->dilation[p->dims - 1];
    if (uses_mkldnn(x, w, p)) {
        if (w->dtype != x->dtype) {
            cg_set_error("Input type (%s) and weight type (%s) should be the same or input should be a MKLDNN tensor "
                         "and weight is a dense tensor",
                         cg_dtype_legacy_name(x->dtype), cg_dtype_legacy_name(w->dtype));
            return -1;
        }
        if (dh <= 0 || dw <= 0) {
            cg_set_error("non-positive dilation is not supported");
            return -1;
        }
        if (kh <= 0 || kw <= 0) {
            cg_set_error("could not create a descriptor for a dilated convolution forward propagation primitive");
            return -1;
        }
        return 0;
    }
    if (dh != 1 || dw != 1) {
        if (kh <= 0 || kw <= 0) {
            cg_set_error("kernel size should be greater than zero, but got %s", pair_text(p, kh, kw).s);
            return -1;
        }
        if (dh <= 0 || dw <= 0) {
            cg_set_error("dilation should be greater than zero, but got %s", pair_text(p, dh, dw).s);
            return -1;
        }
        if (check_weight_dtype(x, w) < 0) return -1;
    } else {
        if (kh <= 0 || kw <= 0) {
            cg_set_error("kernel size should be greater than zero, but got kernel_height: %lld kernel_width: %lld",
                         (long long)kh, (long long)kw);
            return -1;
        }
        if (check_weight_dtype(x, w) < 0) return -1;
    }
    if (x->dtype == CG_BOOL) {
        cg_set_error("\"%s\" not implemented for 'Bool'", dh != 1 || dw != 1 ? "slow_conv_dilated<>" : "slow_conv2d_cpu");
        return -1;
    }
    return 0;
}

/* padding='same' or 'valid' (_convolution_mode) on the batched input. 'same' pads dilation *
 * (kernel - 1) in all: half on each side through the convolution's own padding, and an odd one
 * more on the right through a zero-padded copy of the input (constant_pad_nd, PyTorch's node).
 * *input becomes that copy (a new tensor) or stays. */
static int padding_string(const char *mode, cg_tensor **input, const cg_tensor *w, conv_params *p) {
    if (!strcmp(mode, "valid")) return 0;
    if (strcmp(mode, "same")) {
        cg_set_error("Invalid padding string: '%s'", mode);
        return -1;
    }
    for (int d = 0; d < p->dims; d++)
        if (p->stride[d] != 1) {
            cg_set_error("padding='same' is not supported for strided convolutions");
            return -1;
        }
    int64_t pad[2 * CG_MAX_DIMS] = {0};
    bool odd = false;
    for (int d = 0; d < p->dims; d++) {
        /* an empty kernel's total of -dilation (C's division as ATen's) ends in negative padding */
        int64_t total = p->dilation[d] * (w->sizes[2 + d] - 1), left = total / 2, right = total - left;
        int at = 2 * (p->dims - 1 - d);  /* pad lists the last dim first */
        if (right > left)
            pad[at + 1] = right - left;
        else
            pad[at] = right - left;
        p->padding[d] = right > left ? left : right;
        odd |= left != right;
    }
    if (!odd) return 0;
    static atomic_bool warned;  /* TORCH_WARN_ONCE: once per process */
    if (!atomic_exchange(&warned, true))
        cg_warn("Using padding='same' with even kernel lengths and odd dilation may require a zero-padded copy of the "
                "input be created");
    *input = cg_pad_constant(*input, pad, 2 * p->dims, 0);
    return *input ? 0 : -1;
}

/* conv1d/conv2d: bias dtype, the input's dims, the weight's, groups, the int lists, the shapes,
 * the dtypes; an unbatched input runs as a batch of one (unsqueeze, convolve, squeeze). */
static cg_tensor *conv_op(cg_conv_args a, int dims) {
    cg_tensor *x = a.input, *w = a.weight, *b = a.bias;
    if (!x || !w) return NULL;
    if (b && b->dtype != x->dtype) {
        cg_set_error("Input type (%s) and bias type (%s) should be the same", cg_dtype_cpp_name(x->dtype),
                     cg_dtype_cpp_name(b->dtype));
        return NULL;
    }
    if (x->ndim != dims + 1 && x->ndim != dims + 2) {
        cg_set_error("Expected %dD (unbatched) or %dD (batched) input to conv%dd, but got input of size: %s", dims + 1,
                     dims + 2, dims, cg_shape_text(x->ndim, x->sizes).s);
        return NULL;
    }
    if (a.padding_str && a.padding.n) {
        cg_set_error("padding: give either .padding_str or .padding's numbers, not both");
        return NULL;
    }
    conv_params p = {.groups = a.groups ? a.groups : 1};
    bool batched = x->ndim == dims + 2;
    /* _convolution_same compares the weight's dims with the input's before its int lists (its
     * message without the space of _convolution's) */
    if (a.padding_str && !strcmp(a.padding_str, "same") && w->ndim >= 3 && w->ndim != x->ndim + !batched) {
        int64_t sizes[CG_MAX_DIMS + 1] = {1};
        memcpy(sizes + !batched, x->sizes, (size_t)x->ndim * sizeof *sizes);
        cg_set_error("Expected %d-dimensional input for %d-dimensional weight%s, but got %d-dimensional input of size "
                     "%s instead",
                     w->ndim, w->ndim, cg_shape_text(w->ndim, w->sizes).s, x->ndim + !batched,
                     cg_shape_text(x->ndim + !batched, sizes).s);
        return NULL;
    }
    if (check_params(w, &p, dims, a.stride, a.padding, a.dilation) < 0) return NULL;
    cg_tensor *input = batched ? x : cg_unsqueeze(x, 0);
    if (!input || (a.padding_str && padding_string(a.padding_str, &input, w, &p) < 0)) return NULL;
    if (check_conv_shapes(input, w, b, &p) < 0 || check_backend(input, w, &p) < 0) return NULL;
    p.per_image = !uses_mkldnn(input, w, &p);
    cg_tensor *out = conv_forward(input, w, b, &p);
    return batched ? out : cg_squeeze_dim(out, 0);
}

cg_tensor *cg_conv1d_opts(cg_conv_args a) { return conv_op(a, 1); }
cg_tensor *cg_conv2d_opts(cg_conv_args a) { return conv_op(a, 2); }

/* ---- conv_transpose1d/conv_transpose2d: the gradient of a convolution for its input, as an op ---- */

/* Its forward is the transposed convolution plus the bias (added last, as slow_conv_transpose2d
 * adds it); its node keeps x and w, and p.out holds x's spatial sizes (the convolution's output). */
static cg_tensor *transpose_forward(cg_tensor *x, cg_tensor *w, cg_tensor *b, const conv_params *p,
                                    const int64_t *sizes) {
    cg_tensor *out = transposed_values(x, w, p, sizes);
    if (!out) return NULL;
    if (b && out->numel) {
        int64_t column[4] = {1, -1, 1, 1};
        int rc = -1;
        CG_NO_GRAD { rc = cg_add_(out, cg_view_shape(b, out->ndim, column)); }
        if (rc < 0) return NULL;
        out->storage->version = 0; /* ATen's kernel adds the bias into its own output: no bump */
    }
    cg_node *n = cg_record(&cg_op_conv_transpose, out, CG_INPUTS(x, w, b));
    if (n) {
        store_params(n, p);
        cg_save(n, 0, x);
        cg_save(n, 1, w);
    }
    return cg_recorded(out);
}

/* y = conv_grad_input(x, w) + b: dy/dx is the convolution of g with w, dy/dw the weight gradient
 * of a convolution of g whose output gradient is x. */
void cg_backward_conv_transpose(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    conv_params p = params_of(n);
    cg_tensor *x = cg_saved(n, 0), *w = cg_saved(n, 1);
    if (!x || !w) return;
    if (cg_needs_grad(n, 0)) out[0] = convolve(&cg_op_conv_transpose_backward_input, grads[0], w, NULL, &p);
    if (cg_needs_grad(n, 1)) out[1] = conv_grad_weight(grads[0], x, &p, w->sizes, NULL);
    if (cg_needs_grad(n, 2)) out[2] = conv_grad_bias(grads[0], &p, NULL);
    for (int i = 0; i < 3; i++) out[i] = cg_grad_depending(&cg_op_conv_depends, out[i], x, w);
}

void cg_backward_conv_transpose_backward_input(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_backward_convolution(n, grads, out);
}

/* check_shape_forward's checks for a transposed convolution, in its order. */
static int check_transpose_shapes(const cg_tensor *x, const cg_tensor *w, const cg_tensor *b, const conv_params *p,
                                  const int64_t *output_padding) {
    if (check_signs(p, output_padding) < 0 || check_weight_groups(x, w, p) < 0) return -1;
    if (x->sizes[1] != w->sizes[0]) {
        cg_set_error("Given transposed=1, weight of size %s, expected input%s to have %lld channels, but got %lld "
                     "channels instead",
                     cg_shape_text(w->ndim, w->sizes).s, cg_shape_text(x->ndim, x->sizes).s, (long long)w->sizes[0],
                     (long long)x->sizes[1]);
        return -1;
    }
    int64_t channels = w->sizes[1] * p->groups;
    if (b && (b->ndim != 1 || b->sizes[0] != channels)) {
        cg_set_error("Given transposed=1, weight of size %s, expected bias to be 1-dimensional with %lld elements, but "
                     "got bias of size %s instead",
                     cg_shape_text(w->ndim, w->sizes).s, (long long)channels, cg_shape_text(b->ndim, b->sizes).s);
        return -1;
    }
    return 0;
}

/* The output's spatial size: the input size a convolution would map onto x's. */
static int64_t transpose_out_size(int64_t in, int64_t kernel, const conv_params *p, int d, int64_t output_padding) {
    return (in - 1) * p->stride[d] - 2 * p->padding[d] + p->dilation[d] * (kernel - 1) + output_padding + 1;
}

/* slow_conv_transpose2d's checks (a 1-D one runs as 2-D of height 1), then the dtypes; none for
 * an empty batch (PyTorch's Empty backend) but a negative output size, which its view refuses. */
static int check_transpose_backend(const cg_tensor *x, const cg_tensor *w, const cg_tensor *b, const conv_params *p,
                                   const int64_t *output_padding, const int64_t *sizes) {
    bool two = p->dims == 2;
    int64_t kh = two ? w->sizes[2] : 1, kw = w->sizes[w->ndim - 1];
    int64_t sh = two ? p->stride[0] : 1, sw = p->stride[p->dims - 1];
    int64_t dh = two ? p->dilation[0] : 1, dw = p->dilation[p->dims - 1];
    int64_t oph = two ? output_padding[0] : 0, opw = output_padding[p->dims - 1];
    int64_t ih = two ? x->sizes[2] : 1, iw = x->sizes[x->ndim - 1];
    int64_t oh = two ? sizes[2] : 1, ow = sizes[x->ndim - 1];
    bool empty = x->sizes[0] == 0;
    if (!empty && x->numel == 0) {
        cg_set_error("Only zero batch or zero channel inputs are supported, but got input shape: %s",
                     cg_shape_text(x->ndim, x->sizes).s);
        return -1;
    }
    if (!empty) {
        if (kh <= 0 || kw <= 0) {
            cg_set_error("kernel size should be greater than zero, but got kernel_height: %lld kernel_width: %lld",
                         (long long)kh, (long long)kw);
            return -1;
        }
        if (dh <= 0 || dw <= 0) {
            cg_set_error("dilation should be greater than zero, but got dilation_height: %lld, dilation_width: %lld",
                         (long long)dh, (long long)dw);
            return -1;
        }
        if (!((opw < sw || opw < dw) && (oph < sh || oph < dh))) {
            cg_set_error("output padding must be smaller than either stride or dilation, but got output_padding_height: "
                         "%lld output_padding_width: %lld stride_height: %lld stride_width: %lld dilation_height: %lld "
                         "dilation_width: %lld",
                         (long long)oph, (long long)opw, (long long)sh, (long long)sw, (long long)dh, (long long)dw);
            return -1;
        }
        if (w->numel == 0) { /* the weight of one group, as 2-D: (Cin / groups, Cout / groups, KH, KW) */
            int64_t group_weight[4] = {w->sizes[0] / p->groups, w->sizes[1], kh, kw};
            cg_set_error("non-empty 2D or 4D weight tensor expected, but got: %s", cg_shape_text(4, group_weight).s);
            return -1;
        }
    }
    if (empty && (oh < 0 || ow < 0)) { /* the Empty backend views its empty result as the output shape */
        int64_t shape[4] = {sizes[0], sizes[1], oh, ow};
        CG_NO_GRAD { cg_view_shape((cg_tensor *)x, 4, shape); } /* fails with view's error */
        return -1;
    }
    if (!empty && (oh < 1 || ow < 1)) {
        cg_set_error("Given input size per channel: (%lld x %lld). Calculated output size per channel: (%lld x %lld). "
                     "Output size is too small",
                     (long long)ih, (long long)iw, (long long)oh, (long long)ow);
        return -1;
    }
    if (empty) return 0;
    if (x->dtype == CG_BOOL) {
        cg_set_error("\"slow_conv_transpose2d_out_cpu\" not implemented for 'Bool'");
        return -1;
    }
    return check_weight_dtype(x, w) < 0 || (b && check_weight_dtype(x, b) < 0) ? -1 : 0;
}

/* conv_transpose1d/2d: the input's dims, the weight's, groups, the int lists, the shapes, the
 * backend's checks; an unbatched input runs as a batch of one. */
static cg_tensor *conv_transpose_op(cg_conv_transpose_args a, int dims) {
    cg_tensor *x = a.input, *w = a.weight, *b = a.bias;
    if (!x || !w) return NULL;
    if (x->ndim != dims + 1 && x->ndim != dims + 2) {
        cg_set_error("Expected %dD (unbatched) or %dD (batched) input to conv_transpose%dd, but got input of size: %s",
                     dims + 1, dims + 2, dims, cg_shape_text(x->ndim, x->sizes).s);
        return NULL;
    }
    conv_params p = {.groups = a.groups ? a.groups : 1, .per_image = true, .fixed_out = true};
    int64_t output_padding[CG_MAX_DIMS];
    if (check_params(w, &p, dims, a.stride, a.padding, a.dilation) < 0 ||
        expand_param(a.output_padding, "output_padding", p.dims, dims, 0, output_padding) < 0)
        return NULL;
    bool batched = x->ndim == dims + 2;
    cg_tensor *input = batched ? x : cg_unsqueeze(x, 0);
    if (!input || check_transpose_shapes(input, w, b, &p, output_padding) < 0) return NULL;
    int64_t sizes[4] = {input->sizes[0], w->sizes[1] * p.groups};
    for (int d = 0; d < p.dims; d++) {
        p.out[d] = input->sizes[2 + d];
        sizes[2 + d] = transpose_out_size(input->sizes[2 + d], w->sizes[2 + d], &p, d, output_padding[d]);
    }
    if (check_transpose_backend(input, w, b, &p, output_padding, sizes) < 0) return NULL;
    cg_tensor *out = transpose_forward(input, w, b, &p, sizes);
    return batched ? out : cg_squeeze_dim(out, 0);
}

cg_tensor *cg_conv_transpose1d_opts(cg_conv_transpose_args a) { return conv_transpose_op(a, 1); }
cg_tensor *cg_conv_transpose2d_opts(cg_conv_transpose_args a) { return conv_transpose_op(a, 2); }
