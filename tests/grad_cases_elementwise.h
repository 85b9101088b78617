/* Gradcheck cases: elementwise ops (src/ops/arith.c, unary.c, inplace.c) and the random fills
 * (src/ops/random.c). Inputs stay away from the points where an op is not differentiable (abs and
 * relu at 0, clamp's bounds, ties of maximum, log and sqrt near 0, tan near pi/2). */
#include "gradcheck_cases.h"

/* ---- inputs ---- */

static void ew_2x3_2x3(cg_tensor **in) {
    in[0] = GRAD_INPUT(11, -1, 1, 2, 3);
    in[1] = GRAD_INPUT(12, 0.5, 2, 2, 3);
}
static void ew_bcast(cg_tensor **in) { /* [3, 1] with [4]: both broadcast */
    in[0] = GRAD_INPUT(13, -1, 1, 3, 1);
    in[1] = GRAD_INPUT(14, 0.5, 2, 4);
}
static void ew_t_scalar(cg_tensor **in) { /* transposed with 0-dim */
    in[0] = grad_input_t(15, -1, 1, 2, 3);
    in[1] = GRAD_SCALAR(16, 0.5, 2);
}
static void ew_pos_2x3(cg_tensor **in) { in[0] = GRAD_INPUT(17, 0.5, 2, 2, 3); }
static void ew_pos_t(cg_tensor **in) { in[0] = grad_input_t(18, 0.5, 2, 3, 2); }
static void ew_pos_0d(cg_tensor **in) { in[0] = GRAD_SCALAR(19, 0.5, 2); }
/* Both signs (seeds checked to stay clear of 0 by more than eps). */
static void ew_signed_2x3(cg_tensor **in) { in[0] = GRAD_INPUT(20, -1.5, 1.5, 2, 3); }
static void ew_signed_t(cg_tensor **in) { in[0] = grad_input_t(21, -1.5, 1.5, 3, 2); }
static void ew_signed_0d(cg_tensor **in) { in[0] = GRAD_SCALAR(22, -1.5, -0.5); }
/* pow: a positive base with exponents of both signs. */
static void ew_pow_2x3(cg_tensor **in) {
    in[0] = GRAD_INPUT(23, 0.5, 2, 2, 3);
    in[1] = GRAD_INPUT(24, -1.5, 1.5, 2, 3);
}
static void ew_pow_bcast(cg_tensor **in) {
    in[0] = GRAD_INPUT(25, 0.5, 2, 3, 1);
    in[1] = GRAD_INPUT(26, -1.5, 1.5, 4);
}
static void ew_pow_t_scalar(cg_tensor **in) {
    in[0] = grad_input_t(27, 0.5, 2, 2, 3);
    in[1] = GRAD_SCALAR(28, -1.5, 1.5);
}
/* In place: t [2, 3] and an operand that broadcasts to it. */
static void ew_2x3_3(cg_tensor **in) {
    in[0] = GRAD_INPUT(29, -1, 1, 2, 3);
    in[1] = GRAD_INPUT(30, 0.5, 2, 3);
}

/* ---- functions ---- */

#define EW_FN(name, call)                                            \
    static int f_##name(cg_tensor **in, cg_tensor **out, void *u) {  \
        (void)u;                                                     \
        out[0] = call;                                               \
        return 1;                                                    \
    }
EW_FN(add, cg_add(in[0], in[1]))
EW_FN(sub, cg_sub(in[0], in[1]))
EW_FN(mul, cg_mul(in[0], in[1]))
EW_FN(div, cg_div(in[0], in[1]))
EW_FN(pow, cg_pow(in[0], in[1]))
EW_FN(maximum, cg_maximum(in[0], in[1]))
EW_FN(minimum, cg_minimum(in[0], in[1]))
EW_FN(add_scalar, cg_add_scalar(in[0], 2.5))
EW_FN(sub_scalar, cg_sub_scalar(in[0], 2.5))
EW_FN(rsub_scalar, cg_rsub_scalar(in[0], 2.5))
EW_FN(mul_scalar, cg_mul_scalar(in[0], -1.5))
EW_FN(div_scalar, cg_div_scalar(in[0], -1.5))
EW_FN(rdiv_scalar, cg_rdiv_scalar(in[0], 3))
EW_FN(pow_scalar, cg_pow_scalar(in[0], 3))
EW_FN(pow_scalar_frac, cg_pow_scalar(in[0], 2.5))
EW_FN(pow_scalar_zero, cg_pow_scalar(in[0], 0))
EW_FN(rpow_scalar, cg_rpow_scalar(in[0], 2.5))
EW_FN(rpow_scalar_half, cg_rpow_scalar(in[0], 0.5))
EW_FN(rpow_scalar_zero, cg_rpow_scalar(in[0], 0))
EW_FN(clamp, cg_clamp(in[0], -0.5, 0.5))
EW_FN(clamp_min, cg_clamp(in[0], -0.5, CG_NO_BOUND))
EW_FN(clamp_max, cg_clamp(in[0], CG_NO_BOUND, 0.5))
EW_FN(neg, cg_neg(in[0]))
EW_FN(exp, cg_exp(in[0]))
EW_FN(log, cg_log(in[0]))
EW_FN(log1p, cg_log1p(in[0]))
EW_FN(sqrt, cg_sqrt(in[0]))
EW_FN(abs, cg_abs(in[0]))
EW_FN(sign, cg_sign(in[0]))
EW_FN(sin, cg_sin(in[0]))
EW_FN(cos, cg_cos(in[0]))
EW_FN(tan, cg_tan(in[0]))
EW_FN(tanh, cg_tanh(in[0]))
EW_FN(sigmoid, cg_sigmoid(in[0]))
EW_FN(relu, cg_relu(in[0]))

/* The backward ops (tanh_backward, ...): the create_graph gradient of op at in[0] for the incoming
 * gradient in[1], differentiable in both. */
#define EW_BACKWARD_FN(name, call)                                                                \
    static int f_##name##_backward(cg_tensor **in, cg_tensor **out, void *u) {                    \
        (void)u;                                                                                  \
        cg_tensor *y = call;                                                                      \
        return cg_autograd_grad(.outputs = CG_TENSORS(y), .inputs = CG_TENSORS(in[0]), .results = out, \
                                .grad_outputs = CG_TENSORS(in[1]), .create_graph = true) < 0 ? -1 : 1; \
    }
EW_BACKWARD_FN(tanh, cg_tanh(in[0]))
EW_BACKWARD_FN(sigmoid, cg_sigmoid(in[0]))
EW_BACKWARD_FN(relu, cg_relu(in[0]))
/* add_by_scalar: tan's gradient (grad * (1 + tan(x)^2)), differentiable in x and the incoming
 * gradient. sgn: abs's (grad * sgn(x)), away from 0. */
EW_BACKWARD_FN(tan, cg_tan(in[0]))
EW_BACKWARD_FN(abs, cg_abs(in[0]))

/* mul_by_scalar: add's gradient for b with alpha 2.5, differentiable in the incoming gradient. */
static int f_mul_by_scalar(cg_tensor **in, cg_tensor **out, void *u) {
    (void)u;
    cg_tensor *y = cg_add_alpha(in[0], in[0], 2.5);
    return cg_autograd_grad(.outputs = CG_TENSORS(y), .inputs = CG_TENSORS(in[0]), .results = out,
                            .grad_outputs = CG_TENSORS(in[1]), .create_graph = true) < 0 ? -1 : 1;
}

/* where(condition, a, b) with a fixed condition along the output's last dim. */
static int f_where(cg_tensor **in, cg_tensor **out, void *u) {
    (void)u;
    static const bool pattern[] = {true, false, false, true};
    int64_t last = cg_size(in[0], -1);
    if (cg_ndim(in[1]) > 0 && cg_size(in[1], -1) > last) last = cg_size(in[1], -1);
    cg_tensor *condition = cg_from_data(pattern, CG_BOOL, 1, &last);
    out[0] = cg_where(condition, in[0], in[1]);
    return 1;
}

/* In-place ops on a copy of a leaf: y = x * 1; y.op_(other). */
#define EW_INPLACE(name, call)                                       \
    static int f_##name(cg_tensor **in, cg_tensor **out, void *u) {  \
        (void)u;                                                     \
        cg_tensor *y = cg_mul_scalar(in[0], 1);                      \
        if (call < 0) return -1;                                     \
        out[0] = y;                                                  \
        return 1;                                                    \
    }
EW_INPLACE(add_, cg_add_(y, in[1]))
EW_INPLACE(sub_, cg_sub_(y, in[1]))
EW_INPLACE(mul_, cg_mul_(y, in[1]))
EW_INPLACE(div_, cg_div_(y, in[1]))
EW_INPLACE(add_scalar_, cg_add_scalar_(y, 2.5))
EW_INPLACE(mul_scalar_, cg_mul_scalar_(y, -1.5))
EW_INPLACE(clamp_, cg_clamp_(y, -0.5, 0.5))
/* y.mul_(x) twice: the second saves the first one's output as its old value. */
static int f_mul_twice_(cg_tensor **in, cg_tensor **out, void *u) {
    (void)u;
    cg_tensor *y = cg_mul_scalar(in[0], 1);
    if (cg_mul_(y, in[1]) < 0 || cg_mul_(y, in[1]) < 0) return -1;
    out[0] = y;
    return 1;
}

/* Through a view of a non-leaf: y = x * 1; y[1].mul_(other) rewrites y's history (CopySlices). */
static int f_mul_view_(cg_tensor **in, cg_tensor **out, void *u) {
    (void)u;
    cg_tensor *y = cg_mul_scalar(in[0], 1);
    if (cg_mul_(cg_select(y, 0, 1), in[1]) < 0) return -1;
    out[0] = y;
    return 1;
}
static int f_clamp_view_(cg_tensor **in, cg_tensor **out, void *u) {
    (void)u;
    cg_tensor *y = cg_mul_scalar(in[0], 1);
    if (cg_clamp_(cg_select(y, 0, 0), -0.5, 0.5) < 0) return -1;
    out[0] = cg_mul(y, y);
    return 1;
}

/* A random fill of y after z used it: the fill cuts y's old values off (zero gradient); the seed
 * makes the function deterministic, so central differences see it. */
#define EW_RANDOM(name, call)                                        \
    static int f_##name(cg_tensor **in, cg_tensor **out, void *u) {  \
        (void)u;                                                     \
        cg_tensor *y = cg_mul_scalar(in[0], 3);                      \
        cg_tensor *z = cg_mul_scalar(y, 2);                          \
        cg_manual_seed(5);                                           \
        if (call < 0) return -1;                                     \
        out[0] = cg_add(z, y);                                       \
        return 1;                                                    \
    }
EW_RANDOM(uniform_, cg_uniform_(y, -1, 1))
EW_RANDOM(normal_, cg_normal_(y, 0, 1))

/* ---- the table ---- */

#define EW_CASES(op, f)                                            \
    {op, "2x3 and 2x3", 2, ew_2x3_2x3, f, false, 0, 0},            \
    {op, "broadcast [3,1] and [4]", 2, ew_bcast, f, false, 0, 0}, \
    {op, "transposed and 0-dim", 2, ew_t_scalar, f, false, 0, 0}
#define EW_POS_CASES(op, f)                            \
    {op, "2x3", 1, ew_pos_2x3, f, false, 0, 0},        \
    {op, "transposed", 1, ew_pos_t, f, false, 0, 0},   \
    {op, "0-dim", 1, ew_pos_0d, f, false, 0, 0}
#define EW_SIGNED_CASES(op, f)                            \
    {op, "2x3", 1, ew_signed_2x3, f, false, 0, 0},        \
    {op, "transposed", 1, ew_signed_t, f, false, 0, 0},   \
    {op, "0-dim", 1, ew_signed_0d, f, false, 0, 0}

static const grad_case cases_elementwise[] = {
    EW_CASES("add", f_add),
    EW_CASES("sub", f_sub),
    EW_CASES("mul", f_mul),
    EW_CASES("div", f_div),
    {"pow", "2x3 and 2x3", 2, ew_pow_2x3, f_pow, false, 0, 0},
    {"pow", "broadcast [3,1] and [4]", 2, ew_pow_bcast, f_pow, false, 0, 0},
    {"pow", "transposed and 0-dim", 2, ew_pow_t_scalar, f_pow, false, 0, 0},
    EW_CASES("maximum", f_maximum),
    EW_CASES("minimum", f_minimum),
    EW_CASES("where", f_where),
    EW_POS_CASES("add_scalar", f_add_scalar),
    EW_POS_CASES("sub_scalar", f_sub_scalar),
    EW_POS_CASES("rsub_scalar", f_rsub_scalar),
    EW_POS_CASES("mul_scalar", f_mul_scalar),
    EW_POS_CASES("div_scalar", f_div_scalar),
    EW_POS_CASES("reciprocal", f_rdiv_scalar),
    EW_POS_CASES("pow_scalar", f_pow_scalar),
    {"pow_scalar", "exponent 2.5", 1, ew_pos_2x3, f_pow_scalar_frac, false, 0, 0},
    {"pow_scalar", "exponent 0", 1, ew_pos_2x3, f_pow_scalar_zero, false, 0, 0},
    EW_SIGNED_CASES("rpow_scalar", f_rpow_scalar),
    {"rpow_scalar", "base 0.5", 1, ew_signed_2x3, f_rpow_scalar_half, false, 0, 0},
    {"rpow_scalar", "base 0, exponents > 0 (no gradient); no gradgradcheck: 0 * log(0) is NaN there, in PyTorch too",
     1, ew_pos_2x3, f_rpow_scalar_zero, true, 0, 0},
    EW_SIGNED_CASES("clamp", f_clamp),
    {"clamp", "min only", 1, ew_signed_2x3, f_clamp_min, false, 0, 0},
    {"clamp", "max only", 1, ew_signed_2x3, f_clamp_max, false, 0, 0},
    EW_SIGNED_CASES("neg", f_neg),
    EW_SIGNED_CASES("exp", f_exp),
    EW_POS_CASES("log", f_log),
    EW_POS_CASES("log1p", f_log1p),
    EW_POS_CASES("sqrt", f_sqrt),
    EW_SIGNED_CASES("abs", f_abs),
    EW_SIGNED_CASES("sign", f_sign),
    EW_SIGNED_CASES("sin", f_sin),
    EW_SIGNED_CASES("cos", f_cos),
    EW_SIGNED_CASES("tan", f_tan),
    EW_SIGNED_CASES("tanh", f_tanh),
    EW_SIGNED_CASES("sigmoid", f_sigmoid),
    EW_SIGNED_CASES("relu", f_relu),
    {"tanh_backward", "x 2x3, grad 2x3", 2, ew_2x3_2x3, f_tanh_backward, false, 0, 0},
    {"mul_by_scalar", "add_alpha's gradient, grad 2x3", 2, ew_2x3_2x3, f_mul_by_scalar, false, 0, 0},
    {"add_by_scalar", "tan's gradient, x 2x3, grad 2x3", 2, ew_2x3_2x3, f_tan_backward, false, 0, 0},
    {"sgn", "abs's gradient, x 2x3, grad 2x3", 2, ew_2x3_2x3, f_abs_backward, false, 0, 0},
    {"sigmoid_backward", "x 2x3, grad 2x3", 2, ew_2x3_2x3, f_sigmoid_backward, false, 0, 0},
    {"threshold_backward", "relu's: x 2x3, grad 2x3", 2, ew_2x3_2x3, f_relu_backward, false, 0, 0},
    /* in place, on y = x * 1 */
    {"add", "add_ 2x3 and 2x3", 2, ew_2x3_2x3, f_add_, false, 0, 0},
    {"add", "add_ 2x3 and broadcast [3]", 2, ew_2x3_3, f_add_, false, 0, 0},
    {"sub", "sub_ 2x3 and broadcast [3]", 2, ew_2x3_3, f_sub_, false, 0, 0},
    {"sub", "sub_ transposed and 0-dim", 2, ew_t_scalar, f_sub_, false, 0, 0},
    {"mul", "mul_ 2x3 and 2x3", 2, ew_2x3_2x3, f_mul_, false, 0, 0},
    {"mul", "mul_ 2x3 and broadcast [3]", 2, ew_2x3_3, f_mul_, false, 0, 0},
    {"mul", "mul_ transposed and 0-dim", 2, ew_t_scalar, f_mul_, false, 0, 0},
    {"mul", "mul_ twice with the same operand", 2, ew_2x3_3, f_mul_twice_, false, 0, 0},
    {"mul", "mul_ on a view of a non-leaf (CopySlices)", 2, ew_2x3_3, f_mul_view_, false, 0, 0},
    {"div", "div_ 2x3 and 2x3", 2, ew_2x3_2x3, f_div_, false, 0, 0},
    {"div", "div_ 2x3 and broadcast [3]", 2, ew_2x3_3, f_div_, false, 0, 0},
    {"div", "div_ transposed and 0-dim", 2, ew_t_scalar, f_div_, false, 0, 0},
    {"add_scalar", "add_scalar_", 1, ew_signed_2x3, f_add_scalar_, false, 0, 0},
    {"mul_scalar", "mul_scalar_ transposed", 1, ew_signed_t, f_mul_scalar_, false, 0, 0},
    {"clamp", "clamp_", 1, ew_signed_2x3, f_clamp_, false, 0, 0},
    {"clamp", "clamp_ on a view of a non-leaf (CopySlices)", 1, ew_signed_2x3, f_clamp_view_, false, 0, 0},
    {"uniform", "uniform_ after use", 1, ew_signed_2x3, f_uniform_, false, 0, 0},
    {"normal", "normal_ after use", 1, ew_signed_2x3, f_normal_, false, 0, 0},
};
