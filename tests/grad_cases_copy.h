/* Gradcheck cases: copies and fills (src/ops/copy.c). */
#include "gradcheck_cases.h"

static void in_2x3(cg_tensor **in) { in[0] = GRAD_INPUT(1, -1, 1, 2, 3); }
static void in_2x3_t(cg_tensor **in) { in[0] = grad_input_t(2, -1, 1, 2, 3); }
static void in_3_and_2x3(cg_tensor **in) {
    in[0] = GRAD_INPUT(3, -1, 1, 3);
    in[1] = GRAD_INPUT(4, -1, 1, 2, 3);
}

static int f_clone(cg_tensor **in, cg_tensor **out, void *u) {
    (void)u;
    out[0] = cg_clone(in[0]);
    return 1;
}
/* Through float32 and back: the gradient is cast back to float64 at each ToCopyBackward0. */
static int f_to_copy(cg_tensor **in, cg_tensor **out, void *u) {
    (void)u;
    out[0] = cg_mul_scalar(cg_to(cg_to(in[0], CG_FLOAT32), CG_FLOAT64), 1);
    return 1;
}
/* y = zeros; y.copy_(x * 2): the gradient reaches x through CopyBackwards. */
static int f_copy(cg_tensor **in, cg_tensor **out, void *u) {
    (void)u;
    cg_tensor *y = cg_mul_scalar(in[1], 1);
    cg_copy_(y, cg_mul_scalar(in[0], 2));
    out[0] = y;
    return 1;
}
static int f_fill(cg_tensor **in, cg_tensor **out, void *u) {
    (void)u;
    cg_tensor *y = cg_mul_scalar(in[0], 3);
    cg_tensor *z = cg_mul_scalar(y, 2); /* saves nothing, so y may change */
    cg_fill_(y, 2);
    out[0] = cg_add(z, y);
    return 1;
}
static int f_zero(cg_tensor **in, cg_tensor **out, void *u) {
    (void)u;
    cg_tensor *y = cg_mul_scalar(in[0], 3);
    cg_tensor *z = cg_mul_scalar(y, 2); /* saves nothing, so y may change */
    cg_zero_(y);
    out[0] = cg_add(z, y);
    return 1;
}

static const grad_case cases_copy[] = {
    {"clone", "2x3", 1, in_2x3, f_clone, false, 0, 0},
    {"clone", "transposed", 1, in_2x3_t, f_clone, false, 0, 0},
    {"to_copy", "float64 -> float32 -> float64, eps 1e-2 for float32 rounding", 1, in_2x3, f_to_copy, true, 1e-2, 1e-4},
    {"copy", "broadcast source [3] into [2, 3]", 2, in_3_and_2x3, f_copy, false, 0, 0},
    {"fill", "fill_ after use", 1, in_2x3, f_fill, false, 0, 0},
    {"zero", "zero_ after use", 1, in_2x3, f_zero, false, 0, 0},
};
