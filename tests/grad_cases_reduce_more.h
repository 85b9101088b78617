/* Gradcheck cases: more reductions (src/ops/reduce_more.c). */
#include "gradcheck_cases.h"

static void rm_2x3x4(cg_tensor **in) { in[0] = GRAD_INPUT(61, -1, 1, 2, 3, 4); }
static void rm_t(cg_tensor **in) { in[0] = grad_input_t(62, -1, 1, 3, 4); }
static void rm_0d(cg_tensor **in) { in[0] = GRAD_SCALAR(63, -1, 1); }
/* Exact ties (amax shares the gradient among them; the shares are constant around the point). */
static void rm_ties(cg_tensor **in) {
    in[0] = cg_requires_grad_(cg_tensor_f64(((double[]){0.5, 2, 2, -1, 0.3, 0.3, 0.7, -2, 1.5, 1.5, 0.2, 0}), 3, 4),
                              true);
}
/* A NaN, which nansum leaves out. */
static void rm_nan(cg_tensor **in) {
    in[0] = cg_requires_grad_(cg_tensor_f64(((double[]){0.5, NAN, 2, -1, 0.3, 0.4}), 2, 3), true);
}

#define RM_FN(name, call)                                           \
    static int f_##name(cg_tensor **in, cg_tensor **out, void *u) { \
        (void)u;                                                    \
        out[0] = call;                                              \
        return 1;                                                   \
    }
RM_FN(amax, cg_amax(in[0]))
RM_FN(amax_dims, cg_amax(in[0], CG_DIMS(0, -1)))
RM_FN(amax_keep, cg_amax(in[0], CG_DIMS(1), .keepdim = true))
RM_FN(amin, cg_amin(in[0], CG_DIMS(1)))
RM_FN(amin_all, cg_amin(in[0]))
RM_FN(lse, cg_logsumexp(in[0], CG_DIMS(1)))
RM_FN(lse_keep, cg_logsumexp(in[0], CG_DIMS(0, 2), .keepdim = true))
RM_FN(lse_all, cg_logsumexp(in[0]))
RM_FN(nansum, cg_nansum(in[0]))
RM_FN(nansum_dims, cg_nansum(in[0], CG_DIMS(1), .keepdim = true))
RM_FN(nanmean, cg_nanmean(in[0], CG_DIMS(0)))

static const grad_case cases_reduce_more[] = {
    {"amax", "all", 1, rm_2x3x4, f_amax, false, 0, 0},
    {"amax", "dims (0, -1)", 1, rm_2x3x4, f_amax_dims, false, 0, 0},
    {"amax", "dim 1 keepdim, ties (the gradient jumps there: no gradgradcheck)", 1, rm_ties, f_amax_keep, true, 0, 0},
    {"amax", "dim 1 keepdim", 1, rm_2x3x4, f_amax_keep, false, 0, 0},
    {"amax", "0-dim", 1, rm_0d, f_amax, false, 0, 0},
    {"amin", "dim 1, transposed", 1, rm_t, f_amin, false, 0, 0},
    {"amin", "all, ties (no gradgradcheck, as above)", 1, rm_ties, f_amin_all, true, 0, 0},
    {"logsumexp", "dim 1", 1, rm_2x3x4, f_lse, false, 0, 0},
    {"logsumexp", "dims (0, 2) keepdim", 1, rm_2x3x4, f_lse_keep, false, 0, 0},
    {"logsumexp", "all, transposed", 1, rm_t, f_lse_all, false, 0, 0},
    {"logsumexp", "0-dim", 1, rm_0d, f_lse_all, false, 0, 0},
    {"nansum", "all", 1, rm_2x3x4, f_nansum, false, 0, 0},
    {"nansum", "dim 1 keepdim, a NaN", 1, rm_nan, f_nansum_dims, false, 0, 0},
    {"nansum", "nanmean dim 0, a NaN", 1, rm_nan, f_nanmean, false, 0, 0},
};
