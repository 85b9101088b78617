/* Gradcheck cases: the dependencies of create_graph gradients on the forward's inputs
 * (src/ops/grad_depends.c). Each function is a gradient for a constant incoming gradient that
 * PyTorch's backward op computes from the input in[0] with a zero derivative: gradcheck and
 * gradgradcheck see zeros both ways, through the recorded dependency node. */
#include "gradcheck_cases.h"

static void dp_3d(cg_tensor **in) { in[0] = GRAD_INPUT(171, -1, 1, 2, 3, 4); }
static void dp_4d(cg_tensor **in) { in[0] = GRAD_INPUT(172, -1, 1, 1, 2, 3, 4); }
static void dp_5d(cg_tensor **in) { in[0] = GRAD_INPUT(173, -1, 1, 1, 2, 3, 3, 3); }

/* The create_graph gradient of y for `of` with ones as y's incoming gradient. */
static int dp_grad(cg_tensor *y, cg_tensor *of, cg_tensor **out) {
    if (!y) return -1;
    return cg_autograd_grad(.outputs = CG_TENSORS(y), .inputs = CG_TENSORS(of), .results = out,
                            .grad_outputs = CG_TENSORS(cg_ones_like(y)), .create_graph = true) < 0 ? -1 : 1;
}

#define DP_FN(name, call)                                                \
    static int f_dp_##name(cg_tensor **in, cg_tensor **out, void *u) { \
        (void)u;                                                         \
        return dp_grad(call, in[0], out);                                \
    }
DP_FN(reflect1, cg_pad_reflect(in[0], (const int64_t[]){2, 3}, 2))
DP_FN(reflect2, cg_pad_reflect(in[0], (const int64_t[]){1, 3, 2, 1}, 4))
DP_FN(reflect3, cg_pad_reflect(in[0], (const int64_t[]){2, 1, 0, 2, 1, 1}, 6))
DP_FN(replicate1, cg_pad_replicate(in[0], (const int64_t[]){3, 1}, 2))
DP_FN(replicate2, cg_pad_replicate(in[0], (const int64_t[]){1, 4, 2, 1}, 4))
DP_FN(replicate3, cg_pad_replicate(in[0], (const int64_t[]){2, 1, 0, 2, 1, 3}, 6))
/* batch_norm in evaluation: dx = grad weight / sqrt(running_var + eps), free of x */
DP_FN(batch_norm_eval, cg_batch_norm(in[0], cg_zeros_shape(CG_FLOAT64, CG_SHAPE(3)), cg_ones_shape(CG_FLOAT64, CG_SHAPE(3)), cg_full_shape(CG_FLOAT64, CG_SHAPE(3), 0.5), NULL, false, 0.1, 1e-5))

/* The bias gradients (sums of the incoming gradient) of layer_norm and conv2d at x. */
static int f_dp_layer_norm_bias(cg_tensor **in, cg_tensor **out, void *u) {
    (void)u;
    cg_tensor *b = cg_requires_grad_(cg_zeros_shape(CG_FLOAT64, CG_SHAPE(4)), true);
    return dp_grad(cg_layer_norm(in[0], 1, (const int64_t[]){4}, NULL, b, 1e-5), b, out);
}
static int f_dp_conv_bias(cg_tensor **in, cg_tensor **out, void *u) {
    (void)u;
    cg_tensor *w = cg_full_shape(CG_FLOAT64, CG_SHAPE(2, 2, 1, 2), 0.25), *b = cg_requires_grad_(cg_zeros_shape(CG_FLOAT64, CG_SHAPE(2)), true);
    return dp_grad(cg_conv2d(in[0], w, .bias = b), b, out);
}

/* smooth_l1_loss with beta 0: the gradient is sign(x - t) / N */
static int f_dp_smooth_l1(cg_tensor **in, cg_tensor **out, void *u) {
    (void)u;
    cg_tensor *t = cg_full_shape(CG_FLOAT64, CG_SHAPE(2, 3, 4), 0.25);
    return dp_grad(cg_smooth_l1_loss(in[0], t, .beta = CG_OPT(0)), in[0], out);
}

/* The create_graph gradient for x of y(x) with in[0] as y's incoming gradient, which requires grad:
 * its node is named after PyTorch's backward op and passes the gradient through. */
static int dp_grad_through(cg_tensor *y, cg_tensor *x, cg_tensor *g, cg_tensor **out) {
    if (!y) return -1;
    return cg_autograd_grad(.outputs = CG_TENSORS(y), .inputs = CG_TENSORS(x), .results = out,
                            .grad_outputs = CG_TENSORS(g), .create_graph = true) < 0 ? -1 : 1;
}
#define DP_THROUGH(name, x, call)                                        \
    static int f_dp_##name(cg_tensor **in, cg_tensor **out, void *u) { \
        (void)u;                                                         \
        cg_tensor *x_ = cg_requires_grad_(x, true);                      \
        return dp_grad_through(call, x_, in[0], out);                    \
    }
DP_THROUGH(prelu, cg_linspace(-1, 1, 24, CG_FLOAT64), cg_prelu(x_, cg_full_shape(CG_FLOAT64, CG_SHAPE(1), 0.25)))
DP_THROUGH(nearest1d, cg_zeros_shape(CG_FLOAT64, CG_SHAPE(1, 2, 2)), cg_interpolate(x_, .scale_factor = {2}))
DP_THROUGH(nearest2d, cg_zeros_shape(CG_FLOAT64, CG_SHAPE(1, 1, 2, 2)), cg_interpolate(x_, .scale_factor = {2}))
DP_THROUGH(nearest3d, cg_zeros_shape(CG_FLOAT64, CG_SHAPE(1, 1, 1, 2, 2)), cg_interpolate(x_, .scale_factor = {1, 1, 2}))
DP_THROUGH(linear1d, cg_zeros_shape(CG_FLOAT64, CG_SHAPE(1, 2, 2)), cg_interpolate(x_, .scale_factor = {2}, .mode = "linear"))
DP_THROUGH(bilinear2d, cg_zeros_shape(CG_FLOAT64, CG_SHAPE(1, 1, 2, 2)), cg_interpolate(x_, .scale_factor = {2}, .mode = "bilinear"))
DP_THROUGH(elu, cg_linspace(-1, 1, 24, CG_FLOAT64), cg_elu(x_, 1.5))
DP_THROUGH(gelu, cg_linspace(-1, 1, 24, CG_FLOAT64), cg_gelu(x_, "none"))
DP_THROUGH(hardswish, cg_linspace(-4, 4, 24, CG_FLOAT64), cg_hardswish(x_))
DP_THROUGH(log_sigmoid, cg_linspace(-1, 1, 24, CG_FLOAT64), cg_logsigmoid(x_))
DP_THROUGH(softplus, cg_linspace(-1, 1, 24, CG_FLOAT64), cg_softplus(x_, 1, 20))
static void dp_24(cg_tensor **in) { in[0] = GRAD_INPUT(174, -1, 1, 24); }
static void dp_1x2x4(cg_tensor **in) { in[0] = GRAD_INPUT(175, -1, 1, 1, 2, 4); }
static void dp_1x1x4x4(cg_tensor **in) { in[0] = GRAD_INPUT(176, -1, 1, 1, 1, 4, 4); }
static void dp_1x1x1x2x4(cg_tensor **in) { in[0] = GRAD_INPUT(177, -1, 1, 1, 1, 1, 2, 4); }

static const grad_case cases_depends[] = {
    {"reflection_pad1d_depends", "constant incoming gradient", 1, dp_3d, f_dp_reflect1, false, 0, 0},
    {"reflection_pad2d_depends", "constant incoming gradient", 1, dp_4d, f_dp_reflect2, false, 0, 0},
    {"reflection_pad3d_depends", "constant incoming gradient", 1, dp_5d, f_dp_reflect3, false, 0, 0},
    {"replication_pad1d_depends", "constant incoming gradient", 1, dp_3d, f_dp_replicate1, false, 0, 0},
    {"replication_pad2d_depends", "constant incoming gradient", 1, dp_4d, f_dp_replicate2, false, 0, 0},
    {"replication_pad3d_depends", "constant incoming gradient", 1, dp_5d, f_dp_replicate3, false, 0, 0},
    {"batch_norm_depends", "evaluation, d/dx", 1, dp_3d, f_dp_batch_norm_eval, false, 0, 0},
    {"layer_norm_depends", "d/dbias", 1, dp_3d, f_dp_layer_norm_bias, false, 0, 0},
    {"conv_depends", "conv2d d/dbias", 1, dp_4d, f_dp_conv_bias, false, 0, 0},
    {"smooth_l1_loss_depends", "beta 0", 1, dp_3d, f_dp_smooth_l1, false, 0, 0},
    {"prelu_depends", "incoming gradient", 1, dp_24, f_dp_prelu, false, 0, 0},
    {"elu_depends", "incoming gradient", 1, dp_24, f_dp_elu, false, 0, 0},
    {"gelu_depends", "incoming gradient", 1, dp_24, f_dp_gelu, false, 0, 0},
    {"hardswish_depends", "incoming gradient", 1, dp_24, f_dp_hardswish, false, 0, 0},
    {"log_sigmoid_depends", "incoming gradient", 1, dp_24, f_dp_log_sigmoid, false, 0, 0},
    {"softplus_depends", "incoming gradient", 1, dp_24, f_dp_softplus, false, 0, 0},
    {"upsample_nearest1d_depends", "incoming gradient", 1, dp_1x2x4, f_dp_nearest1d, false, 0, 0},
    {"upsample_nearest2d_depends", "incoming gradient", 1, dp_1x1x4x4, f_dp_nearest2d, false, 0, 0},
    {"upsample_nearest3d_depends", "incoming gradient", 1, dp_1x1x1x2x4, f_dp_nearest3d, false, 0, 0},
    {"upsample_linear1d_depends", "incoming gradient", 1, dp_1x2x4, f_dp_linear1d, false, 0, 0},
    {"upsample_bilinear2d_depends", "incoming gradient", 1, dp_1x1x4x4, f_dp_bilinear2d, false, 0, 0},
};
