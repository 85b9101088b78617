/* max_pool2d and avg_pool2d as PyTorch 1.13 computes them on the CPU: its checks in its order and
 * words (DilatedMaxPool2d.cpp, AveragePool2d.cpp, Pool.h), its output sizes (ceil_mode included),
 * the nodes MaxPool2DWithIndicesBackward0 and AvgPool2DBackward0, and backward ops that are
 * differentiable again (their own double-backward nodes). Input (N, C, H, W) or (C, H, W). */
#include "autograd/registry.h"
#include "backend/backend.h"

#include <string.h>

typedef struct {
    int64_t kernel[2], stride[2], padding[2], dilation[2];
    bool ceil_mode, include_pad;
    int64_t divisor; /* 0: none */
    bool adaptive;   /* adaptive pooling to out[2] (the other params unused) */
    int64_t out[2];
} pool_params;

/* Where a pooling node keeps its params in its args. */
enum { ARG_KERNEL = 0, ARG_STRIDE = 2, ARG_PADDING = 4, ARG_DILATION = 6, ARG_CEIL = 8, ARG_INCLUDE_PAD = 9,
       ARG_DIVISOR = 10, ARG_ADAPTIVE = 11, ARG_OUT = 12 };

static void store_params(cg_node *n, const pool_params *p) {
    for (int d = 0; d < 2; d++) {
        n->args[ARG_KERNEL + d] = p->kernel[d];
        n->args[ARG_STRIDE + d] = p->stride[d];
        n->args[ARG_PADDING + d] = p->padding[d];
        n->args[ARG_DILATION + d] = p->dilation[d];
    }
    n->args[ARG_CEIL] = p->ceil_mode;
    n->args[ARG_INCLUDE_PAD] = p->include_pad;
    n->args[ARG_DIVISOR] = p->divisor;
    n->args[ARG_ADAPTIVE] = p->adaptive;
    n->args[ARG_OUT] = p->out[0], n->args[ARG_OUT + 1] = p->out[1];
}

static pool_params params_of(const cg_node *n) {
    pool_params p = {.ceil_mode = n->args[ARG_CEIL], .include_pad = n->args[ARG_INCLUDE_PAD], .divisor = n->args[ARG_DIVISOR],
                     .adaptive = n->args[ARG_ADAPTIVE], .out = {n->args[ARG_OUT], n->args[ARG_OUT + 1]}};
    for (int d = 0; d < 2; d++) {
        p.kernel[d] = n->args[ARG_KERNEL + d];
        p.stride[d] = n->args[ARG_STRIDE + d];
        p.padding[d] = n->args[ARG_PADDING + d];
        p.dilation[d] = n->args[ARG_DILATION + d];
    }
    return p;
}

static int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* PyTorch's pooling_output_shape_pad_lr: with ceil_mode the last window must start inside the
 * input or its left padding. */
static int64_t pooled_size(int64_t in, int64_t kernel, int64_t pad, int64_t stride, int64_t dilation, bool ceil_mode) {
    int64_t out = floor_div(in + 2 * pad - dilation * (kernel - 1) - 1 + (ceil_mode ? stride - 1 : 0), stride) + 1;
    if (ceil_mode && (out - 1) * stride >= in + pad) out--;
    return out;
}

/* The kernels' geometry: every dim before the last two is a plane. */
static cg_pool2d_shape shape_of(int ndim, const int64_t *sizes, const pool_params *p) {
    cg_pool2d_shape s = {.planes = 1, .in_h = sizes[ndim - 2], .in_w = sizes[ndim - 1], .adaptive = p->adaptive};
    for (int d = 0; d < ndim - 2; d++) s.planes *= sizes[d];
    if (p->adaptive) { /* the max kernel steps through its windows by the dilation */
        s.out_h = p->out[0], s.out_w = p->out[1];
        s.dilation_h = s.dilation_w = 1;
        return s;
    }
    s.kernel_h = p->kernel[0], s.kernel_w = p->kernel[1];
    s.stride_h = p->stride[0], s.stride_w = p->stride[1];
    s.pad_h = p->padding[0], s.pad_w = p->padding[1];
    s.dilation_h = p->dilation[0], s.dilation_w = p->dilation[1];
    s.out_h = pooled_size(s.in_h, s.kernel_h, s.pad_h, s.stride_h, s.dilation_h, p->ceil_mode);
    s.out_w = pooled_size(s.in_w, s.kernel_w, s.pad_w, s.stride_w, s.dilation_w, p->ceil_mode);
    return s;
}

static cg_tensor *dense(cg_tensor *t) {
    cg_tensor *c = NULL;
    CG_NO_GRAD { c = cg_contiguous(t); }
    return c;
}

/* A new tensor of x's leading dims and the pooled height and width. */
static cg_tensor *pooled_like(const cg_tensor *x, const cg_pool2d_shape *s, cg_dtype dtype) {
    int64_t sizes[CG_MAX_DIMS];
    memcpy(sizes, x->sizes, sizeof sizes);
    sizes[x->ndim - 2] = s->out_h, sizes[x->ndim - 1] = s->out_w;
    return cg_new_on(x, dtype, x->ndim, sizes);
}

/* ---- the checks, in PyTorch's order ---- */

/* An int list of 1 or 2 values (0 when it may be left out and was) into out[2]; -1 otherwise.
 * PyTorch's max pooling keeps its arguments in C ints. */
static int take_pair(cg_ints given, bool may_be_empty, int64_t fallback0, int64_t fallback1, int64_t *out) {
    if (given.n == 0 && may_be_empty) {
        out[0] = fallback0, out[1] = fallback1;
        return 0;
    }
    if (given.n != 1 && given.n != 2) return -1;
    out[0] = given.v[0];
    out[1] = given.v[given.n - 1];
    return 0;
}

/* pooling_output_shape's checks of one dim, then pool2d_shape_check's. */
static int check_dim(int64_t kernel, int64_t pad, int64_t stride) {
    if (stride == 0) {
        cg_set_error("stride should not be zero");
        return -1;
    }
    if (pad < 0) {
        cg_set_error("pad must be non-negative, but got pad: %lld", (long long)pad);
        return -1;
    }
    if (pad > kernel / 2) {
        cg_set_error("pad should be at most half of kernel size, but got pad=%lld and kernel_size=%lld", (long long)pad,
                     (long long)kernel);
        return -1;
    }
    return 0;
}

/* The checks of the output shape and of pool2d_shape_check, with the sizes they compute in s. */
static int check_pool(const cg_tensor *x, const pool_params *p, cg_pool2d_shape *s) {
    if (check_dim(p->kernel[0], p->padding[0], p->stride[0]) < 0 || check_dim(p->kernel[1], p->padding[1], p->stride[1]) < 0)
        return -1;
    *s = shape_of(x->ndim, x->sizes, p);
    if (p->kernel[0] <= 0 || p->kernel[1] <= 0) {
        cg_set_error("kernel size should be greater than zero, but got kH: %lld kW: %lld", (long long)p->kernel[0],
                     (long long)p->kernel[1]);
        return -1;
    }
    if (p->stride[0] <= 0 || p->stride[1] <= 0) {
        cg_set_error("stride should be greater than zero, but got dH: %lld dW: %lld", (long long)p->stride[0],
                     (long long)p->stride[1]);
        return -1;
    }
    if (p->dilation[0] <= 0 || p->dilation[1] <= 0) {
        cg_set_error("dilation should be greater than zero, but got dilationH: %lld dilationW: %lld",
                     (long long)p->dilation[0], (long long)p->dilation[1]);
        return -1;
    }
    bool valid = x->ndim >= 3 && x->sizes[1] != 0 && x->sizes[2] != 0 &&
                 ((x->ndim == 3 && x->sizes[0] != 0) || (x->ndim == 4 && x->sizes[3] != 0));
    if (!valid) {
        cg_set_error("Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:%s",
                     cg_shape_text(x->ndim, x->sizes).s);
        return -1;
    }
    if (s->out_h < 1 || s->out_w < 1) {
        long long planes = x->sizes[x->ndim - 3];
        cg_set_error("Given input size: (%lldx%lldx%lld). Calculated output size: (%lldx%lldx%lld). Output size is "
                     "too small",
                     planes, (long long)s->in_h, (long long)s->in_w, planes, (long long)s->out_h, (long long)s->out_w);
        return -1;
    }
    return 0;
}

/* PyTorch keeps max pooling's arguments in C ints (safe_downcast). */
static int check_ints(const pool_params *p) {
    const int64_t *all = p->kernel;
    for (int i = 0; i < 8; i++)
        if (all[i] < INT32_MIN || all[i] > INT32_MAX) {
            cg_set_error("value cannot be converted to type int32_t without overflow");
            return -1;
        }
    return 0;
}

/* ---- max_pool2d ---- */

static cg_tensor *max_pool_forward(cg_tensor *x, const pool_params *p, cg_tensor **indices) {
    cg_pool2d_shape s = shape_of(x->ndim, x->sizes, p);
    cg_tensor *out = pooled_like(x, &s, x->dtype), *ind = pooled_like(x, &s, CG_INT64), *xc = dense(x);
    if (!out || !ind || !xc) return NULL;
    if (out->numel) CG_KERNEL(out, max_pool2d)(x->dtype, &s, cg_bytes(xc), cg_bytes(out), (int64_t *)cg_bytes(ind));
    out = cg_in_format_of(out, x), ind = cg_in_format_of(ind, x);
    if (!out || !ind) return NULL;
    cg_node *n = cg_record(p->adaptive ? &cg_op_adaptive_max_pool2d : &cg_op_max_pool2d, out, CG_INPUTS(x));
    if (n) {
        store_params(n, p);
        cg_save(n, 0, ind);
        cg_save(n, 1, x);
    }
    if (indices) *indices = ind;
    return cg_recorded(out);
}

cg_tensor *cg_max_pool2d_opts(cg_max_pool_args a) {
    cg_tensor *x = a.input;
    if (!x) return NULL;
    pool_params p = {.ceil_mode = a.ceil_mode};
    if (take_pair(a.kernel_size, false, 0, 0, p.kernel) < 0) {
        cg_set_error("max_pool2d: kernel_size must either be a single int, or a tuple of two ints");
        return NULL;
    }
    if (take_pair(a.stride, true, p.kernel[0], p.kernel[1], p.stride) < 0) {
        cg_set_error("max_pool2d: stride must either be omitted, a single int, or a tuple of two ints");
        return NULL;
    }
    if (take_pair(a.padding, true, 0, 0, p.padding) < 0) {
        cg_set_error("max_pool2d: padding must be either be a single int, or a tuple of two ints");
        return NULL;
    }
    if (take_pair(a.dilation, true, 1, 1, p.dilation) < 0) {
        cg_set_error("max_pool2d: dilation must be either a single int, or a tuple of two ints");
        return NULL;
    }
    if (check_ints(&p) < 0) return NULL;
    if (x->ndim != 3 && x->ndim != 4) {
        cg_set_error("non-empty 3D or 4D (batch mode) tensor expected for input");
        return NULL;
    }
    cg_pool2d_shape s;
    if (check_pool(x, &p, &s) < 0) return NULL;
    if (!cg_is_floating_inline(x->dtype)) {
        cg_set_error("\"max_pool2d\" not implemented for '%s'", cg_dtype_title(x->dtype));
        return NULL;
    }
    return max_pool_forward(x, &p, a.indices);
}

/* PyTorch's max_pool2d_with_indices_backward, an op of its own (differentiable in grad). */
static cg_tensor *max_pool_backward(cg_tensor *g, cg_tensor *x, cg_tensor *ind, const pool_params *p) {
    if (!g || !x || !ind || CG_CHECK_SAME_DEVICE(g, x, ind) < 0) return NULL;
    cg_pool2d_shape s = shape_of(x->ndim, x->sizes, p);
    cg_tensor *out = cg_new_on(g, g->dtype, x->ndim, x->sizes), *gc = dense(g), *ic = dense(ind);
    if (!out || !gc || !ic) return NULL;
    if (out->numel)
        CG_KERNEL(out, max_pool2d_backward)(g->dtype, &s, cg_bytes(gc), (const int64_t *)cg_bytes(ic),
                                      cg_bytes(out));
    if (!(out = cg_in_format_of(out, x))) return NULL;
    cg_node *n = cg_record(p->adaptive ? &cg_op_adaptive_max_pool2d_backward : &cg_op_max_pool2d_backward, out,
                           CG_INPUTS(g, x));
    if (n) {
        store_params(n, p);
        cg_save(n, 0, ind);
    }
    return cg_recorded(out);
}

void cg_backward_max_pool2d(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    pool_params p = params_of(n);
    out[0] = max_pool_backward(grads[0], cg_saved(n, 1), cg_saved(n, 0), &p);
}

/* d/dgrad: the incoming gradient picked at the indices (PyTorch's max_pool_double_backward);
 * d/dself: zeros. */
void cg_backward_max_pool2d_backward(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *ind = cg_saved(n, 0), *gg = grads[0];
    if (!ind || !gg) return;
    if (cg_needs_grad(n, 0)) {
        int nd = gg->ndim;
        cg_tensor *picked = cg_gather(cg_flatten(gg, nd - 2, nd - 1), nd - 2, cg_flatten(ind, nd - 2, nd - 1));
        out[0] = cg_view_shape(picked, ind->ndim, ind->sizes);
    }
    if (cg_needs_grad(n, 1)) out[1] = cg_zeros_like(gg);
}

/* Max pooling's tangent: the tangent at the indices; its backward's: the backward of the grad's
 * tangent (linear in grad, constant in self). */
void cg_jvp_max_pool2d(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    (void)in;
    cg_tensor *ind = cg_saved(n, 0);
    if (!ind) return;
    int nd = tin[0]->ndim;
    cg_tensor *picked = cg_gather(cg_flatten(tin[0], nd - 2, nd - 1), nd - 2, cg_flatten(ind, nd - 2, nd - 1));
    tout[0] = cg_view_shape(picked, outs[0]->ndim, outs[0]->sizes);
}

void cg_jvp_max_pool2d_backward(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    (void)outs;
    pool_params p = params_of(n);
    tout[0] = tin[0] ? max_pool_backward(tin[0], in[1], cg_saved(n, 0), &p) : cg_zeros_like(outs[0]);
}

/* ---- avg_pool2d ---- */

static cg_tensor *avg_pool_forward(cg_tensor *x, const pool_params *p) {
    if (!x) return NULL;
    cg_pool2d_shape s = shape_of(x->ndim, x->sizes, p);
    cg_tensor *out = pooled_like(x, &s, x->dtype), *xc = dense(x);
    if (!out || !xc) return NULL;
    if (out->numel)
        CG_KERNEL(out, avg_pool2d)(x->dtype, &s, cg_bytes(xc), cg_bytes(out), p->include_pad, p->divisor);
    if (!(out = cg_in_format_of(out, x))) return NULL;
    cg_node *n = cg_record(p->adaptive ? &cg_op_adaptive_avg_pool2d : &cg_op_avg_pool2d, out, CG_INPUTS(x));
    if (n) {
        store_params(n, p);
        cg_save(n, 0, x);
    }
    return cg_recorded(out);
}

cg_tensor *cg_avg_pool2d_opts(cg_avg_pool_args a) {
    cg_tensor *x = a.input;
    if (!x) return NULL;
    pool_params p = {.dilation = {1, 1}, .ceil_mode = a.ceil_mode, .include_pad = !a.exclude_padding,
                     .divisor = a.divisor_override};
    if (take_pair(a.kernel_size, false, 0, 0, p.kernel) < 0) {
        cg_set_error("avg_pool2d: kernel_size must either be a single int, or a tuple of two ints");
        return NULL;
    }
    if (take_pair(a.stride, true, p.kernel[0], p.kernel[1], p.stride) < 0) {
        cg_set_error("avg_pool2d: stride must either be omitted, a single int, or a tuple of two ints");
        return NULL;
    }
    if (take_pair(a.padding, true, 0, 0, p.padding) < 0) {
        cg_set_error("avg_pool2d: padding must either be a single int, or a tuple of two ints");
        return NULL;
    }
    if (check_ints(&p) < 0) return NULL; /* before any arithmetic on them (PyTorch's would overflow) */
    if (cg_wrap_dim(-3, x->ndim) < 0) return NULL; /* PyTorch reads input.size(-3) first */
    cg_pool2d_shape s;
    if (check_pool(x, &p, &s) < 0) return NULL;
    if (x->dtype == CG_BOOL) {
        cg_set_error("\"avg_pool2d\" not implemented for 'Bool'");
        return NULL;
    }
    return avg_pool_forward(x, &p);
}

/* PyTorch's avg_pool2d_backward, an op of its own (linear in grad). */
static cg_tensor *avg_pool_backward(cg_tensor *g, cg_tensor *x, const pool_params *p) {
    if (!g || !x || CG_CHECK_SAME_DEVICE(g, x) < 0) return NULL;
    cg_pool2d_shape s = shape_of(x->ndim, x->sizes, p);
    cg_tensor *out = cg_new_on(g, g->dtype, x->ndim, x->sizes), *gc = dense(g);
    if (!out || !gc) return NULL;
    if (out->numel)
        CG_KERNEL(out, avg_pool2d_backward)(g->dtype, &s, cg_bytes(gc), cg_bytes(out), p->include_pad, p->divisor);
    if (!(out = cg_in_format_of(out, x))) return NULL;
    cg_node *n = cg_record(p->adaptive ? &cg_op_adaptive_avg_pool2d_backward : &cg_op_avg_pool2d_backward, out,
                           CG_INPUTS(g, x));
    if (n) store_params(n, p);
    return cg_recorded(out);
}

void cg_backward_avg_pool2d(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    pool_params p = params_of(n);
    out[0] = avg_pool_backward(grads[0], cg_saved(n, 0), &p);
}

/* d/dgrad: average pooling of the incoming gradient, the same window; d/dself: zeros. */
void cg_backward_avg_pool2d_backward(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    pool_params p = params_of(n);
    if (cg_needs_grad(n, 0)) out[0] = avg_pool_forward(grads[0], &p);
    if (cg_needs_grad(n, 1)) out[1] = cg_zeros_like(grads[0]);
}

/* Average pooling is linear: the tangent pooled; its backward is linear in grad. */
void cg_jvp_avg_pool2d(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    (void)in;
    (void)outs;
    pool_params p = params_of(n);
    tout[0] = avg_pool_forward(tin[0], &p);
}

void cg_jvp_avg_pool2d_backward(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    pool_params p = params_of(n);
    tout[0] = tin[0] ? avg_pool_backward(tin[0], in[1], &p) : cg_zeros_like(outs[0]);
}

/* ---- max_pool1d and avg_pool1d: the 2-D ops over a height of 1, as PyTorch composes them ---- */

/* PyTorch's check1d: an int list of one value (0 values: the argument left out, allowed where a
 * default exists). */
static int one_int(const char *op, const char *name, cg_ints v, bool may_be_empty) {
    if (v.n == 1 || (v.n == 0 && may_be_empty)) return 0;
    cg_set_error("%s() argument '%s' should contain one int (got %d)", op, name, v.n);
    return -1;
}

static int check_dims_1d(const cg_tensor *x, const char *op) {
    if (x->ndim == 2 || x->ndim == 3) return 0;
    cg_set_error("Expected 2 to 3 dimensions, but got %d-dimensional tensor for argument #1 'self' (while checking "
                 "arguments for %s)",
                 x->ndim, op);
    return -1;
}

/* A 1-D argument as the 2-D op's pair: the height's value first. */
static cg_ints pair_of(int64_t h, cg_ints w, int64_t fallback) {
    return (cg_ints){2, {h, w.n ? w.v[0] : fallback}};
}

/* max_pool1d_impl's checks: the path PyTorch takes when no gradient is recorded. */
static int check_max_pool1d_impl(cg_max_pool_args a, int64_t *k, int64_t *stride, int64_t *pad, int64_t *dil) {
    static const char *list = "int, list of ints";
    if (a.kernel_size.n != 1) {
        cg_set_error("max_pool1d() kernel_size must be an %s or tuple of ints of size 1 but got size %d", list,
                     a.kernel_size.n);
        return -1;
    }
    if (a.stride.n > 1) {
        cg_set_error("max_pool1d() stride must be None, an %s, or tuple of ints of size 1 but got size %d", list, a.stride.n);
        return -1;
    }
    if (a.padding.n > 1) {
        cg_set_error("max_pool1d() padding must be an %s, or tuple of ints of size 1 but got size %d", list, a.padding.n);
        return -1;
    }
    if (a.dilation.n > 1) {
        cg_set_error("max_pool1d() dilation must be an %s or tuple of ints of size 1 but got size %d", list, a.dilation.n);
        return -1;
    }
    *k = a.kernel_size.v[0], *stride = a.stride.n ? a.stride.v[0] : *k;
    *pad = a.padding.n ? a.padding.v[0] : 0, *dil = a.dilation.n ? a.dilation.v[0] : 1;
    pool_params ints = {{*k, *k}, {*stride, *stride}, {*pad, *pad}, {*dil, *dil}, false, true, 0, false, {0, 0}};
    if (check_ints(&ints) < 0) return -1;
    const char *fail = *k <= 0 ? "kernel_size must be greater than zero" : *stride <= 0 ? "stride must be greater than zero"
                       : *pad < 0 ? "padding must be non-negative" : *dil <= 0 ? "dilation must be greater than zero" : NULL;
    if (*k > 0 && *stride > 0 && *pad >= 0 && *pad > *k / 2) {
        cg_set_error("max_pool1d() padding should be at most half of kernel size, but got padding=%lld and "
                     "kernel_size=%lld",
                     (long long)*pad, (long long)*k);
        return -1;
    }
    if (fail) {
        int64_t v = *k <= 0 ? *k : *stride <= 0 ? *stride : *pad < 0 ? *pad : *dil;
        cg_set_error("max_pool1d() %s, but got %lld", fail, (long long)v);
        return -1;
    }
    int64_t out = pooled_size(a.input->sizes[a.input->ndim - 1], *k, *pad, *stride, *dil, a.ceil_mode);
    if (out < 0) {
        cg_set_error("max_pool1d() Invalid computed output size: %lld", (long long)out);
        return -1;
    }
    if (!cg_is_floating_inline(a.input->dtype)) {
        cg_set_error("\"max_pool1d_impl\" not implemented for '%s'", cg_dtype_title(a.input->dtype));
        return -1;
    }
    return 0;
}

cg_tensor *cg_max_pool1d_opts(cg_max_pool_args a) {
    cg_tensor *x = a.input;
    if (!x) return NULL;
    bool with_indices = a.indices != NULL; /* F.max_pool1d(return_indices=True): max_pool1d_with_indices */
    if (!with_indices) {
        bool valid = (x->ndim == 2 && x->sizes[0] != 0 && x->sizes[1] != 0) ||
                     (x->ndim == 3 && x->sizes[1] != 0 && x->sizes[2] != 0);
        if (!valid) {
            cg_set_error("max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for input, "
                         "but got:%s",
                         cg_shape_text(x->ndim, x->sizes).s);
            return NULL;
        }
    }
    cg_tensor *x2 = NULL, *out = NULL, *ind = NULL;
    bool impl = !with_indices && !(cg_grad_mode_on() && cg_requires_grad(x));
    if (!impl) {
        if (check_dims_1d(x, "max_pool1d") < 0 || one_int("max_pool1d", "kernel_size", a.kernel_size, false) < 0 ||
            one_int("max_pool1d", "stride", a.stride, true) < 0 || one_int("max_pool1d", "padding", a.padding, true) < 0 ||
            one_int("max_pool1d", "dilation", a.dilation, true) < 0)
            return NULL;
        x2 = cg_unsqueeze(x, -2);
        out = cg_max_pool2d(x2, pair_of(1, a.kernel_size, 0), .stride = pair_of(1, a.stride, a.kernel_size.v[0]),
                            .padding = pair_of(0, a.padding, 0), .dilation = pair_of(1, a.dilation, 1),
                            .ceil_mode = a.ceil_mode, .indices = &ind);
    } else {
        int64_t k, stride, pad, dil;
        if (check_max_pool1d_impl(a, &k, &stride, &pad, &dil) < 0) return NULL;
        pool_params p = {{1, k}, {1, stride}, {0, pad}, {1, dil}, a.ceil_mode, true, 0, false, {0, 0}};
        x2 = cg_unsqueeze(x, -2);
        out = x2 ? max_pool_forward(x2, &p, &ind) : NULL;
        /* max_pool1d_impl's output is row-major, whatever x's layout (max_pool2d's follows it) */
        if (out && !cg_is_row_major(out)) out = cg_clone_contiguous(out);
    }
    if (with_indices && out) *a.indices = cg_squeeze_dim(ind, -2);
    cg_tensor *result = out ? cg_squeeze_dim(out, -2) : NULL;
    if (result && impl && x->ndim == 2) cg_bump_version(result); /* max_pool1d_impl's squeeze_ of an unbatched result */
    return result;
}

cg_tensor *cg_avg_pool1d_opts(cg_avg_pool_args a) {
    cg_tensor *x = a.input;
    if (!x) return NULL;
    if (a.divisor_override) {
        cg_set_type_error("avg_pool1d() got an unexpected keyword argument 'divisor_override'");
        return NULL;
    }
    if (check_dims_1d(x, "avg_pool1d") < 0 || one_int("avg_pool1d", "kernel_size", a.kernel_size, false) < 0 ||
        one_int("avg_pool1d", "stride", a.stride, true) < 0 || one_int("avg_pool1d", "padding", a.padding, true) < 0)
        return NULL;
    cg_tensor *out = cg_avg_pool2d(cg_unsqueeze(x, -2), pair_of(1, a.kernel_size, 0),
                                   .stride = pair_of(1, a.stride, a.kernel_size.v[0]), .padding = pair_of(0, a.padding, 0),
                                   .ceil_mode = a.ceil_mode, .exclude_padding = a.exclude_padding);
    return cg_squeeze_dim(out, -2);
}

/* ---- adaptive_avg_pool2d and adaptive_max_pool2d: the pooling ops above with adaptive windows;
 * their nodes' backwards are the same functions (the params say which windows). ---- */

void cg_backward_adaptive_max_pool2d(cg_node *n, cg_tensor **grads, cg_tensor **out) { cg_backward_max_pool2d(n, grads, out); }
void cg_backward_adaptive_max_pool2d_backward(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_backward_max_pool2d_backward(n, grads, out);
}
void cg_backward_adaptive_avg_pool2d(cg_node *n, cg_tensor **grads, cg_tensor **out) { cg_backward_avg_pool2d(n, grads, out); }
void cg_backward_adaptive_avg_pool2d_backward(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_backward_avg_pool2d_backward(n, grads, out);
}

/* An output_size of one int (both dims) or two into p->out; -1 with no message otherwise. */
static int adaptive_sizes(cg_ints output_size, pool_params *p) {
    p->adaptive = true;
    if (output_size.n != 1 && output_size.n != 2) return -1;
    p->out[0] = output_size.v[0], p->out[1] = output_size.v[output_size.n - 1];
    return 0;
}

/* The input dims from the first (max: every non-batch dim) must not be empty. */
static int check_adaptive_input(const cg_tensor *x, const char *op, int first) {
    for (int d = first; d < x->ndim; d++)
        if (x->sizes[d] <= 0) {
            cg_set_error("%s(): Expected input to have non-zero size for non-batch dimensions, but input has sizes %s "
                         "with dimension %d being empty",
                         op, cg_shape_text(x->ndim, x->sizes).s, d);
            return -1;
        }
    return 0;
}

/* Python's _list_with_default(output_size, input.size()): a pair's None is the input's size there. */
static int list_with_default(cg_ints *size, const cg_tensor *x) {
    if (size->n == 1 && size->v[0] == CG_SIZE_NONE) {
        cg_set_type_error("object of type 'NoneType' has no len()");
        return -1;
    }
    if (size->n != 2) return 0; /* an int passes as it is */
    if (x->ndim < 3) {
        cg_set_value_error("Input dimension should be at least 3");
        return -1;
    }
    for (int i = 0; i < 2; i++)
        if (size->v[i] == CG_SIZE_NONE) size->v[i] = x->sizes[x->ndim - 2 + i];
    return 0;
}

/* PyTorch's adaptive_avg_pool2d: a 1x1 output is input.mean((-1, -2), keepdim) (MeanBackward1). */
cg_tensor *cg_adaptive_avg_pool2d_opts(cg_adaptive_pool_args a) {
    cg_tensor *x = a.input;
    if (!x || list_with_default(&a.output_size, x) < 0) return NULL;
    pool_params p = {0};
    if (adaptive_sizes(a.output_size, &p) < 0) {
        cg_set_error("adaptive_avg_pool2d: output_size must be 2");
        return NULL;
    }
    if (p.out[0] < 0 || p.out[1] < 0) {
        cg_set_error("adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0 but received "
                     "{%lld, %lld}",
                     (long long)p.out[0], (long long)p.out[1]);
        return NULL;
    }
    if (p.out[0] == 1 && p.out[1] == 1) return cg_mean(x, CG_DIMS(-1, -2), .keepdim = true);
    if (x->ndim != 3 && x->ndim != 4) {
        cg_set_error("adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got %s", cg_shape_text(x->ndim, x->sizes).s);
        return NULL;
    }
    if (check_adaptive_input(x, "adaptive_avg_pool2d", x->ndim - 2) < 0) return NULL;
    if (!cg_is_floating_inline(x->dtype)) {
        cg_set_error("\"adaptive_avg_pool2d\" not implemented for '%s'", cg_dtype_title(x->dtype));
        return NULL;
    }
    return avg_pool_forward(x, &p);
}

cg_tensor *cg_adaptive_max_pool2d_opts(cg_adaptive_pool_args a) {
    cg_tensor *x = a.input;
    if (!x || list_with_default(&a.output_size, x) < 0) return NULL;
    if (x->ndim != 3 && x->ndim != 4) {
        cg_set_error("adaptive_max_pool2d(): Expected 3D or 4D tensor, but got: %s", cg_shape_text(x->ndim, x->sizes).s);
        return NULL;
    }
    if (check_adaptive_input(x, "adaptive_max_pool2d", 1) < 0) return NULL;
    pool_params p = {0};
    if (adaptive_sizes(a.output_size, &p) < 0) {
        cg_set_error("adaptive_max_pool2d(): internal error: output_size.size() must be 2");
        return NULL;
    }
    if (p.out[0] < 0 || p.out[1] < 0) {
        int64_t sizes[CG_MAX_DIMS];
        memcpy(sizes, x->sizes, sizeof sizes);
        sizes[x->ndim - 2] = p.out[0], sizes[x->ndim - 1] = p.out[1];
        cg_set_error("Trying to create tensor with negative dimension %lld: %s", (long long)(p.out[0] < 0 ? p.out[0] : p.out[1]),
                     cg_shape_text(x->ndim, sizes).s);
        return NULL;
    }
    if (!cg_is_floating_inline(x->dtype)) {
        cg_set_error("\"adaptive_max_pool2d\" not implemented for '%s'", cg_dtype_title(x->dtype));
        return NULL;
    }
    return max_pool_forward(x, &p, a.indices);
}

/* Python's argument check (None), then ATen's: 2 or 3 dims, one output size. */
static int check_adaptive_1d(const cg_tensor *x, cg_ints size, const char *op) {
    if (size.n == 1 && size.v[0] == CG_SIZE_NONE) {
        cg_set_type_error("%s(): argument 'output_size' (position 2) must be tuple of ints, not NoneType", op);
        return -1;
    }
    if (x->ndim < 2 || x->ndim > 3) {
        cg_set_error("Expected 2 to 3 dimensions, but got %d-dimensional tensor for argument #1 'self' (while "
                     "checking arguments for %s)", x->ndim, op);
        return -1;
    }
    if (size.n != 1) {
        cg_set_error("%s() argument 'output_size' should contain one int (got %d)", op, size.n);
        return -1;
    }
    return 0;
}

/* ATen's adaptive_avg_pool1d / adaptive_max_pool1d: the 2-D op on x.unsqueeze(-2) to (1, L'). */
cg_tensor *cg_adaptive_avg_pool1d_opts(cg_adaptive_pool_args a) {
    if (!a.input || check_adaptive_1d(a.input, a.output_size, "adaptive_avg_pool1d") < 0) return NULL;
    cg_tensor *out = cg_adaptive_avg_pool2d(cg_unsqueeze(a.input, -2), CG_INTS(1, a.output_size.v[0]));
    return cg_squeeze_dim(out, -2);
}

cg_tensor *cg_adaptive_max_pool1d_opts(cg_adaptive_pool_args a) {
    if (a.indices) *a.indices = NULL;
    if (!a.input || check_adaptive_1d(a.input, a.output_size, "adaptive_max_pool1d") < 0) return NULL;
    cg_tensor *indices = NULL;
    cg_tensor *out = cg_squeeze_dim(cg_adaptive_max_pool2d(cg_unsqueeze(a.input, -2), CG_INTS(1, a.output_size.v[0]),
                                                           .indices = a.indices ? &indices : NULL), -2);
    if (out && a.indices) *a.indices = cg_squeeze_dim(indices, -2);
    return out;
}
