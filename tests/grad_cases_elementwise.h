/* Gradcheck cases: elementwise ops (src/ops/arith.c, unary.c, inplace.c). */
#include "gradcheck_cases.h"

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

#define EW_BINARY(name, call)                                          \
    static int f_##name(cg_tensor **in, cg_tensor **out, void *u) {    \
        (void)u;                                                       \
        out[0] = call;                                                 \
        return 1;                                                      \
    }
EW_BINARY(add, cg_add(in[0], in[1]))
EW_BINARY(sub, cg_sub(in[0], in[1]))
EW_BINARY(mul, cg_mul(in[0], in[1]))
EW_BINARY(div, cg_div(in[0], in[1]))
EW_BINARY(add_scalar, cg_add_scalar(in[0], 2.5))
EW_BINARY(sub_scalar, cg_sub_scalar(in[0], 2.5))
EW_BINARY(rsub_scalar, cg_rsub_scalar(in[0], 2.5))
EW_BINARY(mul_scalar, cg_mul_scalar(in[0], -1.5))
EW_BINARY(div_scalar, cg_div_scalar(in[0], -1.5))
EW_BINARY(pow_scalar, cg_pow_scalar(in[0], 3))
EW_BINARY(pow_scalar_frac, cg_pow_scalar(in[0], 2.5))
EW_BINARY(pow_scalar_zero, cg_pow_scalar(in[0], 0))

#define EW_CASES(op, f)                                   \
    {op, "2x3 and 2x3", 2, ew_2x3_2x3, f, false, 0, 0},   \
    {op, "broadcast [3,1] and [4]", 2, ew_bcast, f, false, 0, 0}, \
    {op, "transposed and 0-dim", 2, ew_t_scalar, f, false, 0, 0}
#define EW_UNARY_CASES(op, f)                          \
    {op, "2x3", 1, ew_pos_2x3, f, false, 0, 0},        \
    {op, "transposed", 1, ew_pos_t, f, false, 0, 0},   \
    {op, "0-dim", 1, ew_pos_0d, f, false, 0, 0}

static const grad_case cases_elementwise[] = {
    EW_CASES("add", f_add),
    EW_CASES("sub", f_sub),
    EW_CASES("mul", f_mul),
    EW_CASES("div", f_div),
    EW_UNARY_CASES("add_scalar", f_add_scalar),
    EW_UNARY_CASES("sub_scalar", f_sub_scalar),
    EW_UNARY_CASES("rsub_scalar", f_rsub_scalar),
    EW_UNARY_CASES("mul_scalar", f_mul_scalar),
    EW_UNARY_CASES("div_scalar", f_div_scalar),
    EW_UNARY_CASES("pow_scalar", f_pow_scalar),
    {"pow_scalar", "exponent 2.5", 1, ew_pos_2x3, f_pow_scalar_frac, false, 0, 0},
    {"pow_scalar", "exponent 0", 1, ew_pos_2x3, f_pow_scalar_zero, false, 0, 0},
};
