/* Gradcheck cases: the unary and binary math families (src/ops/unary_math.c, binary_math.c). The
 * inputs stay inside each function's domain and away from its kinks and jumps by more than eps. */
#include "gradcheck_cases.h"

static void m_unit(cg_tensor **in) { in[0] = GRAD_INPUT(901, -0.9, 0.9, 2, 3); }
static void m_wide(cg_tensor **in) { in[0] = GRAD_INPUT(902, -2, 2, 2, 3); }
static void m_pos(cg_tensor **in) { in[0] = GRAD_INPUT(903, 0.5, 3, 2, 3); }
static void m_above1(cg_tensor **in) { in[0] = GRAD_INPUT(904, 1.2, 3, 2, 3); }
static void m_t(cg_tensor **in) { in[0] = grad_input_t(905, 0.5, 3, 3, 2); }
static void m_prob(cg_tensor **in) {
    in[0] = cg_requires_grad_(cg_tensor_new(.data = (double[]){0.1, 0.3, 0.5, 0.7, 0.9, 0.15}, .dtype = CG_FLOAT64, CG_SIZES(2, 3)), true);
}
static void m_two(cg_tensor **in) {
    in[0] = GRAD_INPUT(906, -2, 2, 2, 3);
    in[1] = GRAD_INPUT(907, 0.5, 2, 3);
}
static void m_two_wide(cg_tensor **in) {
    in[0] = GRAD_INPUT(908, -2, 2, 2, 3);
    in[1] = GRAD_INPUT(909, -2, 2, 2, 3);
}
static void m_mod(cg_tensor **in) {
    in[0] = cg_requires_grad_(cg_tensor_new(.data = (double[]){5.3, -5.3, 2.2, -7.7, 0.4, 3.9}, .dtype = CG_FLOAT64, CG_SIZES(2, 3)), true);
    in[1] = cg_requires_grad_(cg_tensor_new(.data = (double[]){2.0, 2.0, -1.5, 3.0, -0.7, 1.1}, .dtype = CG_FLOAT64, CG_SIZES(2, 3)), true);
}

#define M_FN(name, call)                                               \
    static int f_m_##name(cg_tensor **in, cg_tensor **out, void *u) {  \
        (void)u;                                                       \
        out[0] = call;                                                 \
        return 1;                                                      \
    }
M_FN(acos, cg_acos(in[0])) M_FN(asin, cg_asin(in[0])) M_FN(atan, cg_atan(in[0])) M_FN(sinh, cg_sinh(in[0]))
M_FN(cosh, cg_cosh(in[0])) M_FN(acosh, cg_acosh(in[0])) M_FN(asinh, cg_asinh(in[0])) M_FN(atanh, cg_atanh(in[0]))
M_FN(erfc, cg_erfc(in[0])) M_FN(expm1, cg_expm1(in[0])) M_FN(exp2, cg_exp2(in[0])) M_FN(log2, cg_log2(in[0]))
M_FN(log10, cg_log10(in[0])) M_FN(lgamma, cg_lgamma(in[0])) M_FN(digamma, cg_digamma(in[0]))
M_FN(polygamma2, cg_polygamma(2, in[0])) M_FN(sinc, cg_sinc(in[0])) M_FN(rsqrt, cg_rsqrt(in[0]))
M_FN(entr, cg_special_entr(in[0])) M_FN(frac, cg_frac(in[0])) M_FN(floor, cg_floor(in[0])) M_FN(ceil, cg_ceil(in[0]))
M_FN(trunc, cg_trunc(in[0])) M_FN(round, cg_round(in[0])) M_FN(round2, cg_round_decimals(in[0], 2))
M_FN(logit, cg_logit(in[0], -1)) M_FN(logit_eps, cg_logit(in[0], 0.2))
M_FN(nan_to_num, cg_nan_to_num(in[0], CG_NO_BOUND, CG_NO_BOUND, CG_NO_BOUND))
M_FN(deg2rad, cg_deg2rad(in[0])) M_FN(rad2deg, cg_rad2deg(in[0]))
M_FN(atan2, cg_atan2(in[0], in[1])) M_FN(hypot, cg_hypot(in[0], in[1])) M_FN(fmod, cg_fmod(in[0], in[1]))
M_FN(remainder, cg_remainder(in[0], in[1])) M_FN(copysign, cg_copysign(in[0], in[1]))
M_FN(fmax, cg_fmax(in[0], in[1])) M_FN(fmin, cg_fmin(in[0], in[1])) M_FN(xlogy, cg_xlogy(in[0], in[1]))
M_FN(xlog1py, cg_special_xlog1py(in[0], in[1])) M_FN(logaddexp, cg_logaddexp(in[0], in[1]))
M_FN(logaddexp2, cg_logaddexp2(in[0], in[1])) M_FN(div_trunc, cg_div_mode(in[0], in[1], "trunc"))
M_FN(div_floor, cg_div_mode(in[0], in[1], "floor"))

/* the in-place forms record the same nodes */
static int f_m_acos_(cg_tensor **in, cg_tensor **out, void *u) {
    (void)u;
    out[0] = cg_clone(in[0]);
    return cg_acos_(out[0]) < 0 ? -1 : 1;
}
static int f_m_exp2_(cg_tensor **in, cg_tensor **out, void *u) {
    (void)u;
    out[0] = cg_mul_scalar(in[0], 1);
    return cg_exp2_(out[0]) < 0 ? -1 : 1;
}

static const grad_case cases_math[] = {
    {"acos", "-0.9..0.9", 1, m_unit, f_m_acos, false, 0, 0},
    {"acos", "in place", 1, m_unit, f_m_acos_, false, 0, 0},
    {"asin", "-0.9..0.9", 1, m_unit, f_m_asin, false, 0, 0},
    {"atan", "-2..2", 1, m_wide, f_m_atan, false, 0, 0},
    {"sinh", "-2..2", 1, m_wide, f_m_sinh, false, 0, 0},
    {"cosh", "-2..2", 1, m_wide, f_m_cosh, false, 0, 0},
    {"acosh", "1.2..3", 1, m_above1, f_m_acosh, false, 0, 0},
    {"asinh", "-2..2", 1, m_wide, f_m_asinh, false, 0, 0},
    {"atanh", "-0.9..0.9", 1, m_unit, f_m_atanh, false, 0, 0},
    {"erfc", "-2..2", 1, m_wide, f_m_erfc, false, 0, 0},
    {"expm1", "-2..2", 1, m_wide, f_m_expm1, false, 0, 0},
    {"exp2", "-2..2", 1, m_wide, f_m_exp2, false, 0, 0},
    {"exp2", "in place", 1, m_wide, f_m_exp2_, false, 0, 0},
    {"log2", "transposed", 1, m_t, f_m_log2, false, 0, 0},
    {"log10", "0.5..3", 1, m_pos, f_m_log10, false, 0, 0},
    {"lgamma", "0.5..3", 1, m_pos, f_m_lgamma, false, 0, 0},
    {"digamma", "0.5..3", 1, m_pos, f_m_digamma, false, 0, 0},
    {"polygamma", "n = 2", 1, m_pos, f_m_polygamma2, false, 0, 0},
    {"sinc", "-2..2", 1, m_wide, f_m_sinc, false, 0, 0},
    {"rsqrt", "0.5..3", 1, m_pos, f_m_rsqrt, false, 0, 0},
    {"entr", "0.5..3", 1, m_pos, f_m_entr, false, 0, 0},
    {"frac", "-2..2", 1, m_wide, f_m_frac, false, 0, 0},
    {"floor", "-2..2", 1, m_wide, f_m_floor, false, 0, 0},
    {"ceil", "-2..2", 1, m_wide, f_m_ceil, false, 0, 0},
    {"trunc", "-2..2", 1, m_wide, f_m_trunc, false, 0, 0},
    {"round", "-2..2", 1, m_wide, f_m_round, false, 0, 0},
    {"round_decimals", "decimals 2", 1, m_wide, f_m_round2, false, 1e-9, 0},
    {"logit", "0.1..0.9", 1, m_prob, f_m_logit, false, 0, 0},
    {"logit", "eps 0.2", 1, m_prob, f_m_logit_eps, false, 0, 0},
    {"nan_to_num", "finite", 1, m_wide, f_m_nan_to_num, false, 0, 0},
    {"deg2rad", "-2..2", 1, m_wide, f_m_deg2rad, false, 0, 0},
    {"rad2deg", "-2..2", 1, m_wide, f_m_rad2deg, false, 0, 0},
    {"atan2", "broadcast", 2, m_two, f_m_atan2, false, 0, 0},
    {"hypot", "both signs", 2, m_two_wide, f_m_hypot, false, 0, 0},
    {"fmod", "both signs", 2, m_mod, f_m_fmod, false, 0, 0},
    {"remainder", "both signs", 2, m_mod, f_m_remainder, false, 0, 0},
    {"copysign", "both signs", 2, m_two_wide, f_m_copysign, false, 0, 0},
    {"fmax", "no ties", 2, m_two_wide, f_m_fmax, false, 0, 0},
    {"fmin", "no ties", 2, m_two_wide, f_m_fmin, false, 0, 0},
    {"xlogy", "broadcast", 2, m_two, f_m_xlogy, false, 0, 0},
    {"xlog1py", "broadcast", 2, m_two, f_m_xlog1py, false, 0, 0},
    {"logaddexp", "both signs", 2, m_two_wide, f_m_logaddexp, false, 0, 0},
    {"logaddexp2", "both signs", 2, m_two_wide, f_m_logaddexp2, false, 0, 0},
    {"div_mode", "trunc", 2, m_mod, f_m_div_trunc, false, 0, 0},
    {"div_mode", "floor", 2, m_mod, f_m_div_floor, false, 0, 0},
};
