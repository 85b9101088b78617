/* conv1d and conv2d as torch.nn.functional computes them in PyTorch 1.13: its argument checks in
 * its order and words, ConvolutionBackward0 nodes, and a backward made of three ops of its own
 * (the gradients for the input, the weight and the bias, each a ConvolutionBackwardBackward0 in a
 * double-backward graph), each differentiable again. The numbers come from the im2col + gemm
 * kernels of backend/cpu/conv.c, PyTorch's slow_conv2d arrangement. */
#include "autograd/registry.h"
#include "backend/backend.h"

#include <string.h>

/* What a convolution node keeps in its args: the number of spatial dims, then stride, padding
 * and dilation (one value per spatial dim each) and groups. */
typedef struct {
    int dims;  /* up to 2 once checked; a longer weight only reaches the checks that refuse it */
    int64_t stride[CG_MAX_DIMS], padding[CG_MAX_DIMS], dilation[CG_MAX_DIMS], groups;
    bool per_image; /* PyTorch runs it on its slow path (one gemm per image), not on oneDNN */
} conv_params;

enum { ARG_DIMS, ARG_STRIDE = 1, ARG_PADDING = 3, ARG_DILATION = 5, ARG_GROUPS = 7, ARG_PER_IMAGE = 8, ARG_SIZES = 9 };

static void store_params(cg_node *n, const conv_params *p) {
    n->args[ARG_DIMS] = p->dims;
    for (int d = 0; d < 2; d++) {
        n->args[ARG_STRIDE + d] = p->stride[d];
        n->args[ARG_PADDING + d] = p->padding[d];
        n->args[ARG_DILATION + d] = p->dilation[d];
    }
    n->args[ARG_GROUPS] = p->groups;
    n->args[ARG_PER_IMAGE] = p->per_image;
}

static conv_params params_of(const cg_node *n) {
    conv_params p = {.dims = (int)n->args[ARG_DIMS], .groups = n->args[ARG_GROUPS], .per_image = n->args[ARG_PER_IMAGE]};
    for (int d = 0; d < 2; d++) {
        p.stride[d] = n->args[ARG_STRIDE + d];
        p.padding[d] = n->args[ARG_PADDING + d];
        p.dilation[d] = n->args[ARG_DILATION + d];
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
static cg_tensor *conv_grad_input(cg_tensor *g, cg_tensor *w, const conv_params *p, const int64_t *x_sizes);
static cg_tensor *conv_grad_weight(cg_tensor *x, cg_tensor *g, const conv_params *p, const int64_t *w_sizes);
static cg_tensor *conv_grad_bias(cg_tensor *g, const conv_params *p);

/* ---- the convolution ---- */

static cg_tensor *conv_forward(cg_tensor *x, cg_tensor *w, cg_tensor *b, const conv_params *p) {
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
    cg_node *n = cg_record(&cg_op_convolution, out, CG_INPUTS(x, w, b));
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
    if (cg_needs_grad(n, 1)) out[1] = conv_grad_weight(x, grads[0], &p, w->sizes);
    if (cg_needs_grad(n, 2)) out[2] = conv_grad_bias(grads[0], &p);
}

/* ---- its backward, as three ops ---- */

/* The gradient for the input: the transposed convolution of g with w (col2im of W^T g). */
static cg_tensor *conv_grad_input(cg_tensor *g, cg_tensor *w, const conv_params *p, const int64_t *x_sizes) {
    if (!g || !w || CG_CHECK_SAME_DEVICE(g, w) < 0) return NULL;
    cg_conv2d_shape s = shape_of(x_sizes, w->sizes, p);
    cg_tensor *out = cg_new_on(g, g->dtype, 2 + p->dims, x_sizes);
    if (!out) return NULL;
    if (out->numel) {
        cg_tensor *gc = dense(g), *wc = dense(w);
        if (!gc || !wc) return NULL;
        if (g->numel == 0 || w->numel == 0)
            CG_KERNEL(out, fill)(out, cg_number_int(0));
        else if (CG_KERNEL(out, conv2d_backward_input)(g->dtype, &s, cg_bytes(gc), cg_bytes(wc), cg_bytes(out)) < 0)
            return NULL;
    }
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
    if (cg_needs_grad(n, 1)) out[1] = conv_grad_weight(grads[0], g, &p, w->sizes);
}

/* The gradient for the weight: g @ columns(x)^T summed over the batch. */
static cg_tensor *conv_grad_weight(cg_tensor *x, cg_tensor *g, const conv_params *p, const int64_t *w_sizes) {
    if (!x || !g || CG_CHECK_SAME_DEVICE(x, g) < 0) return NULL;
    cg_conv2d_shape s = shape_of(x->sizes, w_sizes, p);
    cg_tensor *out = cg_new_on(x, x->dtype, 2 + p->dims, w_sizes);
    if (!out) return NULL;
    if (out->numel) {
        cg_tensor *xc = dense(x), *gc = dense(g);
        if (!xc || !gc) return NULL;
        if (g->numel == 0)
            CG_KERNEL(out, fill)(out, cg_number_int(0));
        else if (CG_KERNEL(out, conv2d_backward_weight)(x->dtype, &s, cg_bytes(xc), cg_bytes(gc), cg_bytes(out)) < 0)
            return NULL;
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

/* The gradient for the bias: g summed over the batch and the spatial dims (PyTorch's sum). */
static cg_tensor *conv_grad_bias(cg_tensor *g, const conv_params *p) {
    if (!g) return NULL;
    cg_tensor *out = NULL;
    CG_NO_GRAD { out = p->dims == 2 ? cg_sum(g, CG_DIMS(0, 2, 3)) : cg_sum(g, CG_DIMS(0, 2)); }
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

static int check_conv_shapes(const cg_tensor *x, const cg_tensor *w, const cg_tensor *b, const conv_params *p) {
    for (int d = 0; d < p->dims; d++)
        if (p->padding[d] < 0) {
            cg_set_error("negative padding is not supported");
            return -1;
        }
    for (int d = 0; d < p->dims; d++)
        if (p->stride[d] <= 0) {
            cg_set_error("non-positive stride is not supported");
            return -1;
        }
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
    if (w->ndim < 3) {
        cg_set_error("weight should have at least three dimensions");
        return NULL;
    }
    conv_params p = {.dims = w->ndim - 2, .groups = a.groups ? a.groups : 1};
    if (p.groups <= 0) {
        cg_set_error("non-positive groups is not supported");
        return NULL;
    }
    if (expand_param(a.stride, "stride", p.dims, dims, 1, p.stride) < 0 ||
        expand_param(a.padding, "padding", p.dims, dims, 0, p.padding) < 0 ||
        expand_param(a.dilation, "dilation", p.dims, dims, 1, p.dilation) < 0)
        return NULL;
    bool batched = x->ndim == dims + 2;
    cg_tensor *input = batched ? x : cg_unsqueeze(x, 0);
    if (!input) return NULL;
    if (check_conv_shapes(input, w, b, &p) < 0 || check_backend(input, w, &p) < 0) return NULL;
    p.per_image = !uses_mkldnn(input, w, &p);
    cg_tensor *out = conv_forward(input, w, b, &p);
    return batched ? out : cg_squeeze_dim(out, 0);
}

cg_tensor *cg_conv1d_opts(cg_conv_args a) { return conv_op(a, 1); }
cg_tensor *cg_conv2d_opts(cg_conv_args a) { return conv_op(a, 2); }
