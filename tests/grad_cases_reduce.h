/* Gradcheck cases: reductions (src/ops/reduce.c). */
#include "gradcheck_cases.h"

static void rd_2x3x4(cg_tensor **in) { in[0] = GRAD_INPUT(21, -1, 1, 2, 3, 4); }
static void rd_t(cg_tensor **in) { in[0] = grad_input_t(22, -1, 1, 3, 4); }
static void rd_0d(cg_tensor **in) { in[0] = GRAD_SCALAR(23, -1, 1); }
/* Away from zero, for prod's result / x. */
static void rd_pos(cg_tensor **in) { in[0] = GRAD_INPUT(24, 0.5, 1.5, 2, 3, 4); }
static void rd_pos_t(cg_tensor **in) { in[0] = grad_input_t(25, -1.5, -0.5, 3, 4); }
/* Exact zeros: one in row 0, two in row 1, none in row 2 (prod is linear in each element, so
 * central differences are exact there). */
static void rd_zeros(cg_tensor **in) {
    in[0] = cg_requires_grad_(cg_tensor_f64(((double[]){0.5, 0, 2, 0, 1.5, 0, 0.7, 1.2, -0.9}), 3, 3), true);
}

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
RD_FN(var, cg_var(in[0]))
RD_FN(var_dims, cg_var(in[0], CG_DIMS(0, -1)))
RD_FN(var_biased_keep, cg_var(in[0], CG_DIMS(1), .keepdim = true, .biased = true))
RD_FN(var_biased, cg_var(in[0], .biased = true))
RD_FN(std, cg_std(in[0]))
RD_FN(std_dims, cg_std(in[0], CG_DIMS(2, 0)))
RD_FN(std_biased_keep, cg_std(in[0], CG_DIMS(0), .keepdim = true, .biased = true))
RD_FN(norm2, cg_norm(in[0], 2))
RD_FN(norm1_dims, cg_norm(in[0], 1, CG_DIMS(1)))
RD_FN(norm_inf_keep, cg_norm(in[0], INFINITY, CG_DIMS(-1), .keepdim = true))
RD_FN(norm_ninf, cg_norm(in[0], -INFINITY, CG_DIMS(0)))
RD_FN(norm3, cg_norm(in[0], 3, CG_DIMS(0, 2)))
RD_FN(norm_1_5, cg_norm(in[0], 1.5))
RD_FN(norm_half, cg_norm(in[0], 0.5, CG_DIMS(1), .keepdim = true))
RD_FN(prod, cg_prod(in[0]))
RD_FN(prod_dim, cg_prod_dim(in[0], 1, false))
RD_FN(prod_dim_keep, cg_prod_dim(in[0], 0, true))
RD_FN(prod_dim0, cg_prod_dim(in[0], 0, false))
RD_FN(max, cg_max(in[0]))
RD_FN(min, cg_min(in[0]))
RD_FN(max_dim, cg_max_dim(in[0], 1, false, NULL))
RD_FN(max_dim_keep, cg_max_dim(in[0], -1, true, NULL))
RD_FN(min_dim, cg_min_dim(in[0], 0, false, NULL))
RD_FN(min_dim_keep, cg_min_dim(in[0], 2, true, NULL))

static int f_var_mean(cg_tensor **in, cg_tensor **out, void *u) {
    (void)u;
    out[0] = cg_var_mean(&out[1], in[0], CG_DIMS(1));
    return 2;
}
static int f_var_mean_all(cg_tensor **in, cg_tensor **out, void *u) {
    (void)u;
    out[0] = cg_var_mean(&out[1], in[0], .biased = true);
    return 2;
}
static int f_std_mean(cg_tensor **in, cg_tensor **out, void *u) {
    (void)u;
    out[0] = cg_std_mean(&out[1], in[0], CG_DIMS(0, -1), .keepdim = true);
    return 2;
}
static int f_std_mean_only_std(cg_tensor **in, cg_tensor **out, void *u) {
    (void)u;
    out[0] = cg_std_mean(NULL, in[0], CG_DIMS(1));
    return 1;
}

static const grad_case cases_reduce[] = {
    {"var_mean", "dim 1", 1, rd_2x3x4, f_var_mean, false, 0, 0},
    {"var_mean", "all biased, transposed", 1, rd_t, f_var_mean_all, false, 0, 0},
    {"std_mean", "dims (0, -1) keepdim", 1, rd_2x3x4, f_std_mean, false, 0, 0},
    {"std_mean", "the std alone, transposed", 1, rd_t, f_std_mean_only_std, false, 0, 0},
    {"sum", "2x3x4", 1, rd_2x3x4, f_sum, false, 0, 0},
    {"sum", "transposed", 1, rd_t, f_sum, false, 0, 0},
    {"sum", "0-dim", 1, rd_0d, f_sum, false, 0, 0},
    {"sum_dims", "dims (0, -1)", 1, rd_2x3x4, f_sum_dims, false, 0, 0},
    {"sum_dims", "dim 1 keepdim, transposed", 1, rd_t, f_sum_dims_keep, false, 0, 0},
    {"mean", "2x3x4", 1, rd_2x3x4, f_mean, false, 0, 0},
    {"mean", "0-dim", 1, rd_0d, f_mean, false, 0, 0},
    {"mean_dims", "dim -1", 1, rd_2x3x4, f_mean_dims, false, 0, 0},
    {"mean_dims", "dim 0 keepdim, transposed", 1, rd_t, f_mean_dims_keep, false, 0, 0},
    {"var", "2x3x4", 1, rd_2x3x4, f_var, false, 0, 0},
    {"var", "dims (0, -1)", 1, rd_2x3x4, f_var_dims, false, 0, 0},
    {"var", "dim 1 keepdim biased, transposed", 1, rd_t, f_var_biased_keep, false, 0, 0},
    {"var", "0-dim biased", 1, rd_0d, f_var_biased, false, 0, 0},
    {"std", "2x3x4", 1, rd_2x3x4, f_std, false, 0, 0},
    {"std", "dims (2, 0)", 1, rd_2x3x4, f_std_dims, false, 0, 0},
    {"std", "dim 0 keepdim biased, transposed", 1, rd_t, f_std_biased_keep, false, 0, 0},
    {"norm", "p=2", 1, rd_2x3x4, f_norm2, false, 0, 0},
    {"norm", "p=2, 0-dim", 1, rd_0d, f_norm2, false, 0, 0},
    {"norm", "p=1 dim 1", 1, rd_2x3x4, f_norm1_dims, false, 0, 0},
    {"norm", "p=inf dim -1 keepdim, transposed", 1, rd_t, f_norm_inf_keep, false, 0, 0},
    {"norm", "p=-inf dim 0", 1, rd_2x3x4, f_norm_ninf, false, 0, 0},
    {"norm", "p=3 dims (0, 2)", 1, rd_2x3x4, f_norm3, false, 0, 0},
    {"norm", "p=1.5, transposed", 1, rd_t, f_norm_1_5, false, 0, 0},
    {"norm", "p=0.5 dim 1 keepdim", 1, rd_pos, f_norm_half, false, 0, 0},
    {"prod", "2x3x4", 1, rd_pos, f_prod, false, 0, 0},
    {"prod", "transposed, negative", 1, rd_pos_t, f_prod, false, 0, 0},
    {"prod", "0-dim", 1, rd_0d, f_prod, false, 0, 0},
    {"prod", "zeros (second derivatives at zeros differ: gradcheck only)", 1, rd_zeros, f_prod, true, 0, 0},
    {"prod_dim", "dim 1", 1, rd_pos, f_prod_dim, false, 0, 0},
    {"prod_dim", "dim 0 keepdim, transposed", 1, rd_pos_t, f_prod_dim_keep, false, 0, 0},
    {"prod_dim", "0-dim", 1, rd_0d, f_prod_dim0, false, 0, 0},
    {"prod_dim", "zeros (gradcheck only)", 1, rd_zeros, f_prod_dim, true, 0, 0},
    {"prod_dim", "zeros dim 0 (gradcheck only)", 1, rd_zeros, f_prod_dim0, true, 0, 0},
    {"max", "2x3x4", 1, rd_2x3x4, f_max, false, 0, 0},
    {"max", "0-dim", 1, rd_0d, f_max, false, 0, 0},
    {"min", "transposed", 1, rd_t, f_min, false, 0, 0},
    {"max_dim", "dim 1", 1, rd_2x3x4, f_max_dim, false, 0, 0},
    {"max_dim", "dim -1 keepdim, transposed", 1, rd_t, f_max_dim_keep, false, 0, 0},
    {"max_dim", "0-dim", 1, rd_0d, f_max_dim_keep, false, 0, 0},
    {"min_dim", "dim 0", 1, rd_2x3x4, f_min_dim, false, 0, 0},
    {"min_dim", "dim 2 keepdim", 1, rd_2x3x4, f_min_dim_keep, false, 0, 0},
};
