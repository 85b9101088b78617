/* Gradcheck cases: reductions (src/ops/reduce.c). */
#include "gradcheck_cases.h"

static void rd_2x3x4(cg_tensor **in) { in[0] = GRAD_INPUT(21, -1, 1, 2, 3, 4); }
static void rd_t(cg_tensor **in) { in[0] = grad_input_t(22, -1, 1, 3, 4); }
static void rd_0d(cg_tensor **in) { in[0] = GRAD_SCALAR(23, -1, 1); }

#define RD_FN(name, call)                                            \
    static int f_##name(cg_tensor **in, cg_tensor **out, void *u) {  \
        (void)u;                                                     \
        out[0] = call;                                               \
        return 1;                                                    \
    }
RD_FN(sum, cg_sum(in[0]))
RD_FN(sum_dims, cg_sum(in[0], CG_DIMS(0, -1)))
RD_FN(sum_dims_keep, cg_sum(in[0], CG_DIMS(1), .keepdim = true))
RD_FN(mean, cg_mean(in[0]))
RD_FN(mean_dims, cg_mean(in[0], CG_DIMS(-1)))
RD_FN(mean_dims_keep, cg_mean(in[0], CG_DIMS(0), .keepdim = true))

static const grad_case cases_reduce[] = {
    {"sum", "2x3x4", 1, rd_2x3x4, f_sum, false, 0, 0},
    {"sum", "transposed", 1, rd_t, f_sum, false, 0, 0},
    {"sum", "0-dim", 1, rd_0d, f_sum, false, 0, 0},
    {"sum_dims", "dims (0, -1)", 1, rd_2x3x4, f_sum_dims, false, 0, 0},
    {"sum_dims", "dim 1 keepdim, transposed", 1, rd_t, f_sum_dims_keep, false, 0, 0},
    {"mean", "2x3x4", 1, rd_2x3x4, f_mean, false, 0, 0},
    {"mean", "0-dim", 1, rd_0d, f_mean, false, 0, 0},
    {"mean_dims", "dim -1", 1, rd_2x3x4, f_mean_dims, false, 0, 0},
    {"mean_dims", "dim 0 keepdim, transposed", 1, rd_t, f_mean_dims_keep, false, 0, 0},
};
