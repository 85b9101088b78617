/* Gradcheck cases: the in-place unary and number forms (src/ops/inplace.c), each on y = x * 1 and
 * through a view of a non-leaf (CopySlices). They record their out-of-place ops' nodes. */
#include "gradcheck_cases.h"

static void api_pos_2x3(cg_tensor **in) { in[0] = GRAD_INPUT(41, 0.5, 2, 2, 3); }
static void api_signed_2x3(cg_tensor **in) { in[0] = GRAD_INPUT(42, -1.5, 1.5, 2, 3); }
static void api_pow_2x3_3(cg_tensor **in) {
    in[0] = GRAD_INPUT(43, 0.5, 2, 2, 3);
    in[1] = GRAD_INPUT(44, -1.5, 1.5, 3);
}

/* y = x * 1; call on y (or, with view, on y[1]); out = y * y, so that a saved value that went
 * stale, or a gradient that ignores the write, shows. */
#define API_INPLACE(name, call)                                          \
    static int f_api_##name(cg_tensor **in, cg_tensor **out, void *u) {  \
        (void)u;                                                         \
        cg_tensor *y = cg_mul_scalar(in[0], 1);                          \
        if (call(y) < 0) return -1;                                      \
        out[0] = cg_mul(y, y);                                           \
        return 1;                                                        \
    }                                                                    \
    static int f_api_##name##view(cg_tensor **in, cg_tensor **out, void *u) { \
        (void)u;                                                         \
        cg_tensor *y = cg_mul_scalar(in[0], 1);                          \
        if (call(cg_select(y, 0, 1)) < 0) return -1;                     \
        out[0] = cg_mul(y, y);                                           \
        return 1;                                                        \
    }
static int api_sub_(cg_tensor *y) { return cg_sub_scalar_(y, 1.5); }
static int api_div_(cg_tensor *y) { return cg_div_scalar_(y, -4); }
static int api_pow2_(cg_tensor *y) { return cg_pow_scalar_(y, 2); }
static int api_pow17_(cg_tensor *y) { return cg_pow_scalar_(y, 1.7); }
API_INPLACE(neg_, cg_neg_)
API_INPLACE(exp_, cg_exp_)
API_INPLACE(log_, cg_log_)
API_INPLACE(log1p_, cg_log1p_)
API_INPLACE(sqrt_, cg_sqrt_)
API_INPLACE(abs_, cg_abs_)
API_INPLACE(sign_, cg_sign_)
API_INPLACE(sin_, cg_sin_)
API_INPLACE(cos_, cg_cos_)
API_INPLACE(tan_, cg_tan_)
API_INPLACE(tanh_, cg_tanh_)
API_INPLACE(sigmoid_, cg_sigmoid_)
API_INPLACE(relu_, cg_relu_)
API_INPLACE(sub_, api_sub_)
API_INPLACE(div_, api_div_)
API_INPLACE(pow2_, api_pow2_)
API_INPLACE(pow17_, api_pow17_)

/* y.pow_(e) with e broadcast, and through a view. */
static int f_pow_tensor_(cg_tensor **in, cg_tensor **out, void *u) {
    (void)u;
    cg_tensor *y = cg_mul_scalar(in[0], 1);
    if (cg_pow_(y, in[1]) < 0) return -1;
    out[0] = cg_mul(y, y);
    return 1;
}
static int f_pow_tensor_view(cg_tensor **in, cg_tensor **out, void *u) {
    (void)u;
    cg_tensor *y = cg_mul_scalar(in[0], 1);
    if (cg_pow_(cg_select(y, 0, 0), in[1]) < 0) return -1;
    out[0] = cg_mul(y, y);
    return 1;
}

/* ---- add/sub with alpha, addcmul, addcdiv, lerp (src/ops/fused.c) ---- */

static void api_3_bcast(cg_tensor **in) { /* [2, 3], [3] and [2, 1]: all broadcast */
    in[0] = GRAD_INPUT(45, -1, 1, 2, 3);
    in[1] = GRAD_INPUT(46, -1, 1, 3);
    in[2] = GRAD_INPUT(47, 0.5, 2, 2, 1);
}
static void api_3_t(cg_tensor **in) { /* transposed, 0-dim, [3, 2] */
    in[0] = grad_input_t(48, -1, 1, 3, 2);
    in[1] = GRAD_SCALAR(49, -1, 1);
    in[2] = GRAD_INPUT(50, 0.5, 2, 3, 2);
}
static void api_2_bcast(cg_tensor **in) {
    in[0] = GRAD_INPUT(51, -1, 1, 2, 3);
    in[1] = GRAD_INPUT(52, -1, 1, 3);
}
/* lerp's weight on both sides of 0.5 (where the formula switches). */
static void api_lerp_3(cg_tensor **in) {
    in[0] = GRAD_INPUT(53, -1, 1, 2, 3);
    in[1] = GRAD_INPUT(54, -1, 1, 3);
    in[2] = GRAD_INPUT(55, -0.3, 1.3, 2, 3);
}

#define API_FN(name, call)                                           \
    static int f_api_##name(cg_tensor **in, cg_tensor **out, void *u) { \
        (void)u;                                                     \
        out[0] = call;                                               \
        return 1;                                                    \
    }
API_FN(add_alpha, cg_add_alpha(in[0], in[1], 2.5))
API_FN(sub_alpha, cg_sub_alpha(in[0], in[1], -3))
API_FN(addcmul, cg_addcmul(in[0], in[1], in[2], 0.7))
API_FN(addcdiv, cg_addcdiv(in[0], in[1], in[2], -1.5))
API_FN(lerp_small, cg_lerp_scalar(in[0], in[1], 0.3))
API_FN(lerp_large, cg_lerp_scalar(in[0], in[1], 0.8))
API_FN(lerp, cg_lerp(in[0], in[1], in[2]))

/* In place on y = x * 1, with the other operands broadcast. */
#define API_FN_(name, call)                                            \
    static int f_api_##name##_(cg_tensor **in, cg_tensor **out, void *u) { \
        (void)u;                                                       \
        cg_tensor *y = cg_mul_scalar(in[0], 1);                        \
        if (call < 0) return -1;                                       \
        out[0] = cg_mul(y, y);                                         \
        return 1;                                                      \
    }
API_FN_(add_alpha, cg_add_alpha_(y, in[1], 2.5))
API_FN_(sub_alpha, cg_sub_alpha_(y, in[1], 0.5))
API_FN_(addcmul, cg_addcmul_(y, in[1], in[2], 0.7))
API_FN_(addcdiv, cg_addcdiv_(y, in[1], in[2], -1.5))
API_FN_(lerp_scalar, cg_lerp_scalar_(y, in[1], 0.8))
API_FN_(lerp, cg_lerp_(y, in[1], in[2]))
/* y.addcmul_(y, x): an operand that is the written tensor itself (saved at its old version). */
static int f_api_addcmul_self_(cg_tensor **in, cg_tensor **out, void *u) {
    (void)u;
    cg_tensor *y = cg_mul_scalar(in[0], 1);
    if (cg_addcmul_(y, in[1], cg_mul_scalar(in[0], 1), 1) < 0) return -1;
    out[0] = y;
    return 1;
}

/* clamp with tensor bounds: x in [-1.5, 1.5], min around -0.5, max around 0.5 (ties are unlikely
 * for random doubles; eps is 1e-6). */
static void api_clamp_3(cg_tensor **in) {
    in[0] = GRAD_INPUT(56, -1.5, 1.5, 2, 3);
    in[1] = GRAD_INPUT(57, -0.8, -0.2, 3);
    in[2] = GRAD_INPUT(58, 0.2, 0.8, 2, 1);
}
API_FN(clamp_tensor, cg_clamp_tensor(in[0], in[1], in[2]))
API_FN(clamp_tensor_min, cg_clamp_tensor(in[0], in[1], NULL))
API_FN(clamp_tensor_max, cg_clamp_tensor(in[0], NULL, in[2]))
/* min above max somewhere: then max wins, and gets the gradient */
API_FN(clamp_tensor_crossed, cg_clamp_tensor(in[0], in[2], in[1]))
API_FN_(clamp_tensor, cg_clamp_tensor_(y, in[1], in[2]))

/* Each in place on y = x * 1 and on y[1] (CopySlices), gradient and second derivative. */
#define API_CASES(op, inputs, f)                                              \
    {op, #f " on y = x * 1", 1, inputs, f_api_##f, false, 0, 0},              \
    {op, #f " on y[1] (CopySlices)", 1, inputs, f_api_##f##view, false, 0, 0}

static const grad_case cases_api[] = {
    API_CASES("neg", api_signed_2x3, neg_),
    API_CASES("exp", api_signed_2x3, exp_),
    API_CASES("log", api_pos_2x3, log_),
    API_CASES("log1p", api_pos_2x3, log1p_),
    API_CASES("sqrt", api_pos_2x3, sqrt_),
    API_CASES("abs", api_signed_2x3, abs_),
    API_CASES("sign", api_signed_2x3, sign_),
    API_CASES("sin", api_signed_2x3, sin_),
    API_CASES("cos", api_signed_2x3, cos_),
    API_CASES("tan", api_signed_2x3, tan_),
    API_CASES("tanh", api_signed_2x3, tanh_),
    API_CASES("sigmoid", api_signed_2x3, sigmoid_),
    API_CASES("relu", api_signed_2x3, relu_),
    API_CASES("sub_scalar", api_signed_2x3, sub_),
    API_CASES("div_scalar", api_signed_2x3, div_),
    API_CASES("pow_scalar", api_signed_2x3, pow2_),
    API_CASES("pow_scalar", api_pos_2x3, pow17_),
    {"pow", "pow_ with a broadcast exponent", 2, api_pow_2x3_3, f_pow_tensor_, false, 0, 0},
    {"pow", "pow_ on y[0] (CopySlices)", 2, api_pow_2x3_3, f_pow_tensor_view, false, 0, 0},
    {"add_alpha", "broadcast", 2, api_2_bcast, f_api_add_alpha, false, 0, 0},
    {"add_alpha", "add_ in place", 2, api_2_bcast, f_api_add_alpha_, false, 0, 0},
    {"sub_alpha", "broadcast", 2, api_2_bcast, f_api_sub_alpha, false, 0, 0},
    {"sub_alpha", "sub_ in place", 2, api_2_bcast, f_api_sub_alpha_, false, 0, 0},
    {"addcmul", "broadcast", 3, api_3_bcast, f_api_addcmul, false, 0, 0},
    {"addcmul", "transposed and 0-dim", 3, api_3_t, f_api_addcmul, false, 0, 0},
    {"addcmul", "addcmul_ in place", 3, api_3_bcast, f_api_addcmul_, false, 0, 0},
    {"addcmul", "addcmul_ with an operand that is a copy", 2, api_2_bcast, f_api_addcmul_self_, false, 0, 0},
    {"addcdiv", "broadcast", 3, api_3_bcast, f_api_addcdiv, false, 0, 0},
    {"addcdiv", "transposed and 0-dim", 3, api_3_t, f_api_addcdiv, false, 0, 0},
    {"addcdiv", "addcdiv_ in place", 3, api_3_bcast, f_api_addcdiv_, false, 0, 0},
    {"lerp_scalar", "weight 0.3", 2, api_2_bcast, f_api_lerp_small, false, 0, 0},
    {"lerp_scalar", "weight 0.8", 2, api_2_bcast, f_api_lerp_large, false, 0, 0},
    {"lerp_scalar", "lerp_ in place", 2, api_2_bcast, f_api_lerp_scalar_, false, 0, 0},
    {"lerp", "weight tensor", 3, api_lerp_3, f_api_lerp, false, 0, 0},
    {"lerp", "lerp_ in place", 3, api_lerp_3, f_api_lerp_, false, 0, 0},
    {"clamp_tensor", "both bounds, broadcast", 3, api_clamp_3, f_api_clamp_tensor, false, 0, 0},
    {"clamp_tensor", "min only", 3, api_clamp_3, f_api_clamp_tensor_min, false, 0, 0},
    {"clamp_tensor", "max only", 3, api_clamp_3, f_api_clamp_tensor_max, false, 0, 0},
    {"clamp_tensor", "min above max", 3, api_clamp_3, f_api_clamp_tensor_crossed, false, 0, 0},
    {"clamp_tensor", "clamp_ in place", 3, api_clamp_3, f_api_clamp_tensor_, false, 0, 0},
};
