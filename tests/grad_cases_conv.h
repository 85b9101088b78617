/* Gradcheck cases: convolution and pooling (src/ops/conv.c, pool.c) and their backward ops. */
#include "gradcheck_cases.h"

/* A float64 leaf whose last two dims are transposed (non-contiguous). */
static inline cg_tensor *conv_input_t(uint64_t seed, int64_t n, int64_t c, int64_t h, int64_t w) {
    cg_tensor *base = grad_input(seed, -1, 1, 4, (const int64_t[]){n, c, w, h});
    return cg_requires_grad_(cg_detach(cg_transpose(base, 2, 3)), true);
}

#define CV_INPUTS(name, ...)                                         \
    static void name(cg_tensor **in) {                               \
        cg_tensor *made[] = {__VA_ARGS__};                           \
        for (size_t i = 0; i < sizeof made / sizeof made[0]; i++) in[i] = made[i]; \
    }
CV_INPUTS(cv_2d, GRAD_INPUT(200, -1, 1, 2, 2, 5, 4), GRAD_INPUT(201, -1, 1, 3, 2, 3, 2), GRAD_INPUT(202, -1, 1, 3))
CV_INPUTS(cv_2d_groups, conv_input_t(203, 1, 4, 5, 5), GRAD_INPUT(204, -1, 1, 4, 2, 2, 3), GRAD_INPUT(205, -1, 1, 4))
CV_INPUTS(cv_2d_unbatched, GRAD_INPUT(206, -1, 1, 2, 4, 4), GRAD_INPUT(207, -1, 1, 2, 2, 2, 2))
CV_INPUTS(cv_1d, GRAD_INPUT(208, -1, 1, 2, 2, 7), GRAD_INPUT(209, -1, 1, 3, 2, 3), GRAD_INPUT(210, -1, 1, 3))
CV_INPUTS(cv_1x1, GRAD_INPUT(211, -1, 1, 2, 3, 3, 2), GRAD_INPUT(212, -1, 1, 2, 3, 1, 1))
CV_INPUTS(cv_same, GRAD_INPUT(213, -1, 1, 2, 2, 5, 4), GRAD_INPUT(214, -1, 1, 3, 2, 2, 3), GRAD_INPUT(215, -1, 1, 3))

#define CV_FN(name, call)                                            \
    static int f_##name(cg_tensor **in, cg_tensor **out, void *u) {  \
        (void)u;                                                     \
        out[0] = call;                                               \
        return 1;                                                    \
    }
CV_FN(conv2d, cg_conv2d(in[0], in[1], .bias = in[2], .stride = CG_INTS(2, 1), .padding = CG_INTS(1, 0),
                        .dilation = CG_INTS(1, 2)))
CV_FN(conv2d_groups, cg_conv2d(in[0], in[1], .bias = in[2], .padding = CG_INTS(1), .groups = 2))
CV_FN(conv2d_unbatched, cg_conv2d(in[0], in[1], .stride = CG_INTS(2), .padding = CG_INTS(1)))
CV_FN(conv1d, cg_conv1d(in[0], in[1], .bias = in[2], .stride = CG_INTS(2), .padding = CG_INTS(2), .dilation = CG_INTS(2)))
CV_FN(conv2d_1x1, cg_conv2d(in[0], in[1]))
CV_FN(conv2d_same, cg_conv2d(in[0], in[1], .bias = in[2], .padding_str = "same", .dilation = CG_INTS(1, 2)))

/* The backward ops: the create_graph gradients of a convolution for an incoming gradient given as
 * the last input, for the input (conv_backward_input), the weight and the bias. */
static int conv_gradient(cg_tensor *out, cg_tensor *grad, cg_tensor *wrt, cg_tensor **result) {
    return cg_autograd_grad(.outputs = CG_TENSORS(out), .inputs = CG_TENSORS(wrt), .results = result,
                            .grad_outputs = CG_TENSORS(grad), .create_graph = true) < 0 ? -1 : 1;
}
static int f_conv_grad_input(cg_tensor **in, cg_tensor **out, void *u) {
    (void)u;
    return conv_gradient(cg_conv2d(in[0], in[1], .stride = CG_INTS(2), .padding = CG_INTS(1)), in[2], in[0], out);
}
static int f_conv_grad_weight(cg_tensor **in, cg_tensor **out, void *u) {
    (void)u;
    return conv_gradient(cg_conv1d(in[0], in[1], .dilation = CG_INTS(2), .groups = 2), in[2], in[1], out);
}
static int f_conv_grad_bias(cg_tensor **in, cg_tensor **out, void *u) {
    (void)u;
    return conv_gradient(cg_conv2d(in[0], in[1], .bias = in[2]), in[3], in[2], out);
}
CV_INPUTS(cv_grad_input, GRAD_INPUT(213, -1, 1, 1, 2, 5, 5), GRAD_INPUT(214, -1, 1, 2, 2, 3, 3),
          GRAD_INPUT(215, -1, 1, 1, 2, 3, 3))
CV_INPUTS(cv_grad_weight, GRAD_INPUT(216, -1, 1, 2, 4, 6), GRAD_INPUT(217, -1, 1, 2, 2, 2),
          GRAD_INPUT(218, -1, 1, 2, 2, 4))
CV_INPUTS(cv_grad_bias, GRAD_INPUT(219, -1, 1, 2, 1, 3, 3), GRAD_INPUT(220, -1, 1, 2, 1, 2, 2),
          GRAD_INPUT(221, -1, 1, 2), GRAD_INPUT(222, -1, 1, 2, 2, 2, 2))

/* conv_transpose: weight (Cin, Cout / groups, K...) */
CV_INPUTS(ct_2d, GRAD_INPUT(240, -1, 1, 2, 4, 3, 3), GRAD_INPUT(241, -1, 1, 4, 1, 3, 2), GRAD_INPUT(242, -1, 1, 2))
CV_INPUTS(ct_1d, conv_input_t(243, 2, 2, 1, 4), GRAD_INPUT(244, -1, 1, 2, 3, 1, 2), GRAD_INPUT(245, -1, 1, 3))
CV_INPUTS(ct_unbatched, GRAD_INPUT(246, -1, 1, 3, 3, 2), GRAD_INPUT(247, -1, 1, 3, 2, 2, 2))
CV_FN(conv_transpose2d, cg_conv_transpose2d(in[0], in[1], .bias = in[2], .stride = CG_INTS(2, 3), .padding = CG_INTS(1, 0),
                                            .output_padding = CG_INTS(1, 2), .groups = 2, .dilation = CG_INTS(1, 2)))
/* output_padding >= stride (allowed below the dilation): one more position than the convolution gives back */
CV_FN(conv_transpose1d, cg_conv_transpose1d(cg_flatten(in[0], 2, 3), cg_flatten(in[1], 2, 3), .bias = in[2],
                                            .dilation = CG_INTS(2), .output_padding = CG_INTS(1)))
CV_FN(conv_transpose_unbatched, cg_conv_transpose2d(in[0], in[1], .stride = CG_INTS(2), .padding = CG_INTS(1)))

static int f_conv_transpose_grad_input(cg_tensor **in, cg_tensor **out, void *u) {
    (void)u;
    cg_tensor *y = cg_conv_transpose2d(in[0], in[1], .stride = CG_INTS(2), .padding = CG_INTS(1), .output_padding = CG_INTS(1));
    return conv_gradient(y, in[2], in[0], out);
}
CV_INPUTS(ct_grad_input, GRAD_INPUT(248, -1, 1, 1, 2, 3, 3), GRAD_INPUT(249, -1, 1, 2, 2, 3, 3),
          GRAD_INPUT(250, -1, 1, 1, 2, 6, 6))

/* ---- pooling: distinct values, so no two elements of a window tie under the check's steps ---- */

static void pl_input(cg_tensor **in) { in[0] = GRAD_INPUT(230, -1, 1, 2, 2, 5, 6); }
static void pl_input_t(cg_tensor **in) { in[0] = conv_input_t(231, 1, 2, 6, 5); }
static void pl_unbatched(cg_tensor **in) { in[0] = GRAD_INPUT(232, -1, 1, 2, 5, 5); }
CV_FN(max_pool, cg_max_pool2d(in[0], CG_INTS(2)))
CV_FN(max_pool_padded, cg_max_pool2d(in[0], CG_INTS(3, 2), .stride = CG_INTS(2, 1), .padding = CG_INTS(1),
                                     .dilation = CG_INTS(1, 2), .ceil_mode = true))
CV_FN(max_pool_overlap, cg_max_pool2d(in[0], CG_INTS(3), .stride = CG_INTS(1), .padding = CG_INTS(1)))
CV_FN(avg_pool, cg_avg_pool2d(in[0], CG_INTS(2)))
CV_FN(max_pool1d, cg_max_pool1d(cg_flatten(in[0], 2, 3), CG_INTS(3), .stride = CG_INTS(2), .padding = CG_INTS(1)))
CV_FN(avg_pool1d, cg_avg_pool1d(cg_flatten(in[0], 2, 3), CG_INTS(3), .stride = CG_INTS(2), .padding = CG_INTS(1),
                                .ceil_mode = true, .exclude_padding = true))
CV_FN(avg_pool_padded, cg_avg_pool2d(in[0], CG_INTS(3, 2), .stride = CG_INTS(2, 1), .padding = CG_INTS(1),
                                     .ceil_mode = true, .exclude_padding = true))
CV_FN(avg_pool_divisor, cg_avg_pool2d(in[0], CG_INTS(3), .stride = CG_INTS(1), .padding = CG_INTS(1),
                                      .divisor_override = 4))

static int f_max_pool_backward(cg_tensor **in, cg_tensor **out, void *u) {
    (void)u;
    return conv_gradient(cg_max_pool2d(in[0], CG_INTS(3), .stride = CG_INTS(2), .padding = CG_INTS(1)), in[1], in[0], out);
}
static int f_avg_pool_backward(cg_tensor **in, cg_tensor **out, void *u) {
    (void)u;
    return conv_gradient(cg_avg_pool2d(in[0], CG_INTS(3), .stride = CG_INTS(2), .padding = CG_INTS(1)), in[1], in[0], out);
}
CV_INPUTS(pl_grad, GRAD_INPUT(233, -1, 1, 1, 2, 5, 5), GRAD_INPUT(234, -1, 1, 1, 2, 3, 3))

CV_FN(adaptive_avg, cg_adaptive_avg_pool2d(in[0], CG_INTS(3, 4)))
CV_FN(adaptive_max, cg_adaptive_max_pool2d(in[0], CG_INTS(3, 4)))
CV_FN(adaptive_max_unbatched, cg_adaptive_max_pool2d(in[0], CG_INTS(2)))
static int f_adaptive_avg_backward(cg_tensor **in, cg_tensor **out, void *u) {
    (void)u;
    return conv_gradient(cg_adaptive_avg_pool2d(in[0], CG_INTS(3)), in[1], in[0], out);
}
static int f_adaptive_max_backward(cg_tensor **in, cg_tensor **out, void *u) {
    (void)u;
    return conv_gradient(cg_adaptive_max_pool2d(in[0], CG_INTS(3)), in[1], in[0], out);
}

static const grad_case cases_conv[] = {
    {"convolution", "conv2d stride, padding, dilation, bias", 3, cv_2d, f_conv2d, false, 0, 0},
    {"convolution", "conv2d groups 2, transposed input", 3, cv_2d_groups, f_conv2d_groups, false, 0, 0},
    {"convolution", "conv2d unbatched, no bias", 2, cv_2d_unbatched, f_conv2d_unbatched, false, 0, 0},
    {"convolution", "conv1d stride, padding, dilation, bias", 3, cv_1d, f_conv1d, false, 0, 0},
    {"convolution", "conv2d 1x1 kernel (no im2col)", 2, cv_1x1, f_conv2d_1x1, false, 0, 0},
    {"convolution", "conv2d padding='same', an even kernel (ConstantPadNd copy)", 3, cv_same, f_conv2d_same, false, 0, 0},
    {"conv_backward_input", "conv2d stride 2, padding 1", 3, cv_grad_input, f_conv_grad_input, false, 0, 0},
    {"conv_backward_weight", "conv1d dilation 2, groups 2", 3, cv_grad_weight, f_conv_grad_weight, false, 0, 0},
    {"conv_backward_bias", "conv2d", 4, cv_grad_bias, f_conv_grad_bias, false, 0, 0},
    {"conv_transpose", "conv_transpose2d stride, padding, output_padding, groups 2, dilation, bias", 3, ct_2d,
     f_conv_transpose2d, false, 0, 0},
    {"conv_transpose", "conv_transpose1d output_padding 1 under dilation 2, transposed input", 3, ct_1d,
     f_conv_transpose1d, false, 0, 0},
    {"conv_transpose", "conv_transpose2d unbatched, no bias", 2, ct_unbatched, f_conv_transpose_unbatched, false, 0, 0},
    {"conv_transpose_backward_input", "conv_transpose2d stride 2, padding 1, output_padding 1", 3, ct_grad_input,
     f_conv_transpose_grad_input, false, 0, 0},
    {"adaptive_avg_pool2d", "5x6 to 3x4 (overlapping windows), transposed input", 1, pl_input_t, f_adaptive_avg, false, 0, 0},
    {"adaptive_max_pool2d", "5x6 to 3x4", 1, pl_input, f_adaptive_max, false, 0, 0},
    {"adaptive_max_pool2d", "unbatched", 1, pl_unbatched, f_adaptive_max_unbatched, false, 0, 0},
    {"adaptive_avg_pool2d_backward", "5x5 to 3", 2, pl_grad, f_adaptive_avg_backward, false, 0, 0},
    {"adaptive_max_pool2d_backward", "5x5 to 3", 2, pl_grad, f_adaptive_max_backward, false, 0, 0},
    {"max_pool2d", "kernel 2", 1, pl_input, f_max_pool, false, 0, 0},
    {"max_pool2d", "padding, dilation, ceil_mode, transposed", 1, pl_input_t, f_max_pool_padded, false, 0, 0},
    {"max_pool2d", "unbatched, overlapping windows", 1, pl_unbatched, f_max_pool_overlap, false, 0, 0},
    {"max_pool2d_backward", "overlapping windows", 2, pl_grad, f_max_pool_backward, false, 0, 0},
    {"avg_pool2d", "kernel 2", 1, pl_input, f_avg_pool, false, 0, 0},
    {"avg_pool2d", "padding excluded, ceil_mode, transposed", 1, pl_input_t, f_avg_pool_padded, false, 0, 0},
    {"avg_pool2d", "unbatched, divisor_override", 1, pl_unbatched, f_avg_pool_divisor, false, 0, 0},
    {"avg_pool2d_backward", "padding included", 2, pl_grad, f_avg_pool_backward, false, 0, 0},
    {"max_pool2d", "max_pool1d: a height of 1", 1, pl_input, f_max_pool1d, false, 0, 0},
    {"avg_pool2d", "avg_pool1d: a height of 1, ceil_mode, padding excluded", 1, pl_input, f_avg_pool1d, false, 0, 0},
};
