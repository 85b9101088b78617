/* Gradcheck cases: cumulative scans (src/ops/scan.c). */
#include "gradcheck_cases.h"

static void sc_2x3x4(cg_tensor **in) { in[0] = GRAD_INPUT(41, -1, 1, 2, 3, 4); }
static void sc_t(cg_tensor **in) { in[0] = grad_input_t(42, -1, 1, 3, 4); }
static void sc_0d(cg_tensor **in) { in[0] = GRAD_SCALAR(43, -1, 1); }
static void sc_pos(cg_tensor **in) { in[0] = GRAD_INPUT(44, 0.5, 1.5, 3, 4); }
/* Exact zeros (one in row 0, two in row 1): cumprod's formula without division. */
static void sc_zeros(cg_tensor **in) {
    in[0] = cg_requires_grad_(cg_tensor_f64(((double[]){0.5, 0, 2, 1.1, 0, 1.5, 0, 0.7, 1.2, -0.9, 0.8, 1.3}), 3, 4),
                              true);
}

#define SC_FN(name, call)                                           \
    static int f_##name(cg_tensor **in, cg_tensor **out, void *u) { \
        (void)u;                                                    \
        out[0] = call;                                              \
        return 1;                                                   \
    }
SC_FN(cumsum1, cg_cumsum(in[0], 1))
SC_FN(cumsum0, cg_cumsum(in[0], 0))
SC_FN(cumsum_f64, cg_cumsum_dtype(in[0], -1, CG_FLOAT64))
SC_FN(cumprod1, cg_cumprod(in[0], 1))
SC_FN(cumprod0, cg_cumprod(in[0], 0))
SC_FN(lcse, cg_logcumsumexp(in[0], -1))
SC_FN(lcse0, cg_logcumsumexp(in[0], 0))
SC_FN(cummax, cg_cummax(in[0], 1, NULL))
SC_FN(cummin, cg_cummin(in[0], 0, NULL))

static const grad_case cases_scan[] = {
    {"cumsum", "dim 1", 1, sc_2x3x4, f_cumsum1, false, 0, 0},
    {"cumsum", "dim 0, transposed", 1, sc_t, f_cumsum0, false, 0, 0},
    {"cumsum", "0-dim", 1, sc_0d, f_cumsum0, false, 0, 0},
    {"cumsum", "dtype float64", 1, sc_2x3x4, f_cumsum_f64, false, 0, 0},
    {"cumprod", "dim 1", 1, sc_pos, f_cumprod1, false, 0, 0},
    {"cumprod", "dim 0, transposed, negative", 1, sc_t, f_cumprod0, false, 0, 0},
    {"cumprod", "zeros, dim 1", 1, sc_zeros, f_cumprod1, false, 0, 0},
    {"cumprod", "zeros, dim 0", 1, sc_zeros, f_cumprod0, false, 0, 0},
    {"cumprod", "0-dim", 1, sc_0d, f_cumprod0, false, 0, 0},
    {"logcumsumexp", "dim -1", 1, sc_2x3x4, f_lcse, false, 0, 0},
    {"logcumsumexp", "dim 0, transposed", 1, sc_t, f_lcse0, false, 0, 0},
    {"logcumsumexp", "0-dim", 1, sc_0d, f_lcse0, false, 0, 0},
    {"cummax", "dim 1", 1, sc_2x3x4, f_cummax, false, 0, 0},
    {"cummax", "dim 1, transposed", 1, sc_t, f_cummax, false, 0, 0},
    {"cummin", "dim 0", 1, sc_2x3x4, f_cummin, false, 0, 0},
    {"cummin", "0-dim", 1, sc_0d, f_cummin, false, 0, 0},
};
