/* Gradcheck cases: torch.nn.functional's activations (src/ops/activation.c). The inputs stay away
 * from the kinks (0 for leaky_relu and elu, the bounds of hardtanh, +-3 for hardsigmoid and
 * hardswish) by more than eps. */
#include "gradcheck_cases.h"

static void act_2x3(cg_tensor **in) { in[0] = GRAD_INPUT(81, -2, 2, 2, 3); }
static void act_t(cg_tensor **in) { in[0] = grad_input_t(82, -2, 2, 3, 4); }
static void act_wide(cg_tensor **in) { in[0] = GRAD_INPUT(83, -5, 5, 4, 5); } /* both sides of +-3 */
static void act_2x4(cg_tensor **in) { in[0] = GRAD_INPUT(84, -2, 2, 2, 4); }

#define ACT_FN(name, call)                                            \
    static int f_act_##name(cg_tensor **in, cg_tensor **out, void *u) { \
        (void)u;                                                      \
        out[0] = call;                                                \
        return 1;                                                     \
    }
ACT_FN(leaky_relu, cg_leaky_relu(in[0], 0.2))
ACT_FN(hardtanh, cg_hardtanh(in[0], -1.25, 0.75))
ACT_FN(relu6, cg_relu6(cg_mul_scalar(in[0], 4)))
ACT_FN(elu, cg_elu(in[0], 0.7))
ACT_FN(selu, cg_selu(in[0]))
ACT_FN(celu, cg_celu(in[0], 1.7))
ACT_FN(silu, cg_silu(in[0]))
ACT_FN(gelu, cg_gelu(in[0], "none"))
ACT_FN(gelu_tanh, cg_gelu(in[0], "tanh"))
ACT_FN(softplus, cg_softplus(in[0], 2, 20))
ACT_FN(softplus_threshold, cg_softplus(in[0], 1, 3)) /* the linear part beyond x = 3 */
ACT_FN(hardsigmoid, cg_hardsigmoid(in[0]))
ACT_FN(hardswish, cg_hardswish(in[0]))
ACT_FN(mish, cg_mish(in[0]))
ACT_FN(logsigmoid, cg_logsigmoid(in[0]))
ACT_FN(erf, cg_erf(in[0]))
ACT_FN(glu0, cg_glu(in[0], 1))
ACT_FN(glu1, cg_glu(in[0], -1))

/* embedding: indices with repeats. */
static void emb_weight(cg_tensor **in) { in[0] = GRAD_INPUT(85, -1, 1, 5, 3); }
static cg_tensor *emb_indices(void) { return cg_tensor_new(.data = (int64_t[]){1, 2, 4, 1, 0, 2}, .dtype = CG_INT64, CG_SIZES(2, 3)); }
ACT_FN(embedding, cg_embedding(emb_indices(), in[0]))
/* (padding_idx is no case: its row is read but gets no gradient, on purpose, so gradcheck fails
 * in PyTorch too; tests/test_activation.c checks it against PyTorch's values) */
ACT_FN(embedding_1d, cg_embedding(cg_tensor_new(.data = (int64_t[]){3, 3, 0}, .dtype = CG_INT64, CG_SIZES(3)), in[0]))
/* the backward op: the create_graph gradient in the weight for the incoming gradient in[1] */
static void emb_grad(cg_tensor **in) {
    emb_weight(in);
    in[1] = GRAD_INPUT(86, -1, 1, 2, 3, 3);
}
static int f_act_embedding_backward(cg_tensor **in, cg_tensor **out, void *u) {
    (void)u;
    cg_tensor *y = cg_embedding_padded(emb_indices(), in[0], 1);
    return cg_autograd_grad(.outputs = CG_TENSORS(y), .inputs = CG_TENSORS(in[0]), .results = out,
                            .grad_outputs = CG_TENSORS(in[1]), .create_graph = true) < 0 ? -1 : 1;
}

/* the piecewise linear activations' gradients as ops: the create_graph gradient for the incoming in[1] */
static void act_grad_2x3(cg_tensor **in) {
    act_2x3(in);
    in[1] = GRAD_INPUT(87, -1, 1, 2, 3);
}
#define ACT_BACKWARD_FN(name, call)                                                                   \
    static int f_act_##name##_backward(cg_tensor **in, cg_tensor **out, void *u) {                    \
        (void)u;                                                                                      \
        cg_tensor *y = call;                                                                          \
        return cg_autograd_grad(.outputs = CG_TENSORS(y), .inputs = CG_TENSORS(in[0]), .results = out, \
                                .grad_outputs = CG_TENSORS(in[1]), .create_graph = true) < 0 ? -1 : 1; \
    }
ACT_BACKWARD_FN(leaky_relu, cg_leaky_relu(in[0], 0.2))
ACT_BACKWARD_FN(hardtanh, cg_hardtanh(in[0], -1.25, 0.75))
ACT_BACKWARD_FN(hardsigmoid, cg_hardsigmoid(cg_mul_scalar(in[0], 2)))

ACT_FN(pad_constant, cg_pad_constant(in[0], (const int64_t[]){1, 2, -1, 1}, 4, 0.5))
ACT_FN(pad_last, cg_pad_constant(in[0], (const int64_t[]){0, 3}, 2, -2))

static const grad_case cases_activation[] = {
    {"constant_pad", "widen and crop, transposed", 1, act_t, f_act_pad_constant, false, 0, 0},
    {"constant_pad", "the last dim", 1, act_2x3, f_act_pad_last, false, 0, 0},
    {"embedding", "2x3 indices", 1, emb_weight, f_act_embedding, false, 0, 0},
    {"embedding", "1-D indices", 1, emb_weight, f_act_embedding_1d, false, 0, 0},
    {"embedding_dense_backward", "padding_idx 1", 2, emb_grad, f_act_embedding_backward, false, 0, 0},
    {"leaky_relu", "2x3", 1, act_2x3, f_act_leaky_relu, false, 0, 0},
    {"leaky_relu_backward", "x 2x3, grad 2x3", 2, act_grad_2x3, f_act_leaky_relu_backward, false, 0, 0},
    {"hardtanh_backward", "x 2x3, grad 2x3", 2, act_grad_2x3, f_act_hardtanh_backward, false, 0, 0},
    {"hardsigmoid_backward", "2x, grad 2x3", 2, act_grad_2x3, f_act_hardsigmoid_backward, false, 0, 0},
    {"leaky_relu", "transposed", 1, act_t, f_act_leaky_relu, false, 0, 0},
    {"hardtanh", "2x3, bounds -1.25 0.75", 1, act_2x3, f_act_hardtanh, false, 0, 0},
    {"hardtanh", "relu6 of 4x", 1, act_wide, f_act_relu6, false, 0, 0},
    {"elu", "alpha 0.7", 1, act_2x3, f_act_elu, false, 0, 0},
    {"elu", "selu, transposed", 1, act_t, f_act_selu, false, 0, 0},
    {"celu", "alpha 1.7", 1, act_2x3, f_act_celu, false, 0, 0},
    {"silu", "2x3", 1, act_2x3, f_act_silu, false, 0, 0},
    {"gelu", "none", 1, act_2x3, f_act_gelu, false, 0, 0},
    {"gelu", "tanh, transposed", 1, act_t, f_act_gelu_tanh, false, 0, 0},
    {"softplus", "beta 2", 1, act_2x3, f_act_softplus, false, 0, 0},
    {"softplus", "threshold 3", 1, act_wide, f_act_softplus_threshold, false, 0, 0},
    {"hardsigmoid", "-5..5", 1, act_wide, f_act_hardsigmoid, false, 0, 0},
    {"hardswish", "-5..5", 1, act_wide, f_act_hardswish, false, 0, 0},
    {"mish", "2x3", 1, act_2x3, f_act_mish, false, 0, 0},
    {"log_sigmoid", "wide", 1, act_wide, f_act_logsigmoid, false, 0, 0},
    {"erf", "transposed", 1, act_t, f_act_erf, false, 0, 0},
    {"glu", "dim 1", 1, act_2x4, f_act_glu0, false, 0, 0},
    {"glu", "dim -1, transposed", 1, act_t, f_act_glu1, false, 0, 0},
};
