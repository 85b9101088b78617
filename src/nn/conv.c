/* The convolution layers: Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d. Each constructor
 * makes PyTorch's parameters in its order and draws them as _ConvNd.reset_parameters does; each
 * forward calls the functional op with the options it was made with. */
#include "nn/nn.h"

#include <string.h>

/* _ConvNd.__init__'s checks, with its ValueError texts; then the weight's kernel dims (an int
 * given once serves every dim). */
static int check_conv_module(int64_t in_channels, int64_t out_channels, cg_ints kernel_size, int64_t groups, int dims,
                             int64_t *kernel) {
    if (groups < 0) {
        cg_set_value_error("groups must be a positive integer");
        return -1;
    }
    if (in_channels % groups != 0) {
        cg_set_value_error("in_channels must be divisible by groups");
        return -1;
    }
    if (out_channels % groups != 0) {
        cg_set_value_error("out_channels must be divisible by groups");
        return -1;
    }
    if (kernel_size.n != 1 && kernel_size.n != dims) {
        cg_set_value_error("kernel_size must have %d value%s", dims, dims > 1 ? "s" : "");
        return -1;
    }
    for (int d = 0; d < dims; d++) kernel[d] = kernel_size.v[kernel_size.n == 1 ? 0 : d];
    return 0;
}

/* ---- Conv1d, Conv2d: weight (out, in / groups, kernel...) ---- */

/* _ConvNd.__init__'s checks of a padding string; the module keeps its own copy of the words. */
static int check_padding_str(cg_nn_conv_args *a) {
    if (!a->padding_str) return 0;
    bool same = !strcmp(a->padding_str, "same");
    if (!same && strcmp(a->padding_str, "valid")) {
        cg_set_value_error("Invalid padding string '%s', should be one of {'valid', 'same'}", a->padding_str);
        return -1;
    }
    for (int d = 0; same && d < a->stride.n && d < 3; d++)
        if (a->stride.v[d] != 1) {
            cg_set_value_error("padding='same' is not supported for strided convolutions");
            return -1;
        }
    a->padding_str = same ? "same" : "valid";
    return 0;
}

static cg_conv_args conv_call(cg_module *m, cg_tensor *x) {
    const cg_nn_conv_args *a = cg_module_state(m);
    return (cg_conv_args){.input = x, .weight = nn_param(m, 0), .bias = nn_param(m, 1), .stride = a->stride,
                          .padding = a->padding, .dilation = a->dilation, .groups = a->groups,
                          .padding_str = a->padding_str};
}

static cg_tensor *conv1d_forward(cg_module *m, cg_tensor *x) { return cg_conv1d_opts(conv_call(m, x)); }
static cg_tensor *conv2d_forward(cg_module *m, cg_tensor *x) { return cg_conv2d_opts(conv_call(m, x)); }

static cg_module *conv_module(const char *type, cg_module_forward_fn forward, cg_nn_conv_args a, int dims) {
    if (a.groups == 0) a.groups = 1;
    int64_t w[5] = {a.out_channels, a.in_channels / (a.groups > 0 ? a.groups : 1)};
    if (check_conv_module(a.in_channels, a.out_channels, a.kernel_size, a.groups, dims, w + 2) < 0 ||
        check_padding_str(&a) < 0)
        return NULL;
    cg_module *m = nn_module_with(type, forward, &a, sizeof a);
    return nn_with_weight(m, 2 + dims, w, a.no_bias ? -1 : a.out_channels, true);
}

cg_module *cg_nn_conv1d_opts(cg_nn_conv_args a) { return conv_module("Conv1d", conv1d_forward, a, 1); }
cg_module *cg_nn_conv2d_opts(cg_nn_conv_args a) { return conv_module("Conv2d", conv2d_forward, a, 2); }

/* ---- ConvTranspose1d, ConvTranspose2d: weight (in, out / groups, kernel...) ---- */

static cg_conv_transpose_args conv_transpose_call(cg_module *m, cg_tensor *x) {
    const cg_nn_conv_transpose_args *a = cg_module_state(m);
    return (cg_conv_transpose_args){.input = x, .weight = nn_param(m, 0), .bias = nn_param(m, 1), .stride = a->stride,
                                    .padding = a->padding, .output_padding = a->output_padding, .groups = a->groups,
                                    .dilation = a->dilation};
}

static cg_tensor *conv_transpose1d_forward(cg_module *m, cg_tensor *x) {
    return cg_conv_transpose1d_opts(conv_transpose_call(m, x));
}
static cg_tensor *conv_transpose2d_forward(cg_module *m, cg_tensor *x) {
    return cg_conv_transpose2d_opts(conv_transpose_call(m, x));
}

static cg_module *conv_transpose_module(const char *type, cg_module_forward_fn forward, cg_nn_conv_transpose_args a,
                                        int dims) {
    if (a.groups == 0) a.groups = 1;
    int64_t w[5] = {a.in_channels, a.out_channels / (a.groups > 0 ? a.groups : 1)};
    if (check_conv_module(a.in_channels, a.out_channels, a.kernel_size, a.groups, dims, w + 2) < 0) return NULL;
    cg_module *m = nn_module_with(type, forward, &a, sizeof a);
    return nn_with_weight(m, 2 + dims, w, a.no_bias ? -1 : a.out_channels, true);
}

cg_module *cg_nn_conv_transpose1d_opts(cg_nn_conv_transpose_args a) {
    return conv_transpose_module("ConvTranspose1d", conv_transpose1d_forward, a, 1);
}
cg_module *cg_nn_conv_transpose2d_opts(cg_nn_conv_transpose_args a) {
    return conv_transpose_module("ConvTranspose2d", conv_transpose2d_forward, a, 2);
}
