/* Gradcheck cases: matrix products, matmul's dispatch paths, and losses (src/ops/linalg.c, loss.c). */
#include "gradcheck_cases.h"

/* A float64 leaf (3-D or more) whose last two dims are transposed: the transpose of a contiguous
 * (..., cols, rows) tensor. */
static inline cg_tensor *grad_input_mt(uint64_t seed, int ndim, const int64_t *sizes) {
    int64_t swapped[CG_MAX_DIMS];
    memcpy(swapped, sizes, (size_t)ndim * sizeof *sizes);
    swapped[ndim - 2] = sizes[ndim - 1], swapped[ndim - 1] = sizes[ndim - 2];
    cg_tensor *base = grad_input(seed, -1, 1, ndim, swapped);
    return cg_requires_grad_(cg_detach(cg_transpose(base, -2, -1)), true);
}
#define GRAD_INPUT_MT(seed, ...) grad_input_mt(seed, CG_SHAPE(__VA_ARGS__))

/* A float64 vector leaf with stride 2 (a column of a contiguous (n, 2) tensor). */
static inline cg_tensor *grad_input_strided(uint64_t seed, int64_t n) {
    cg_tensor *base = GRAD_INPUT(seed, -1, 1, n, 2);
    return cg_requires_grad_(cg_detach(cg_select(base, 1, 0)), true);
}

#define LG_INPUTS(name, a, b)                     \
    static void name(cg_tensor **in) {            \
        in[0] = a;                                \
        in[1] = b;                                \
    }
LG_INPUTS(lg_vec_vec, GRAD_INPUT(31, -1, 1, 3), GRAD_INPUT(32, -1, 1, 3))
LG_INPUTS(lg_vec_vec_strided, grad_input_strided(33, 4), GRAD_INPUT(34, -1, 1, 4))
LG_INPUTS(lg_mat_vec, GRAD_INPUT(35, -1, 1, 2, 3), GRAD_INPUT(36, -1, 1, 3))
LG_INPUTS(lg_mat_t_vec, grad_input_t(37, -1, 1, 2, 3), grad_input_strided(38, 3))
LG_INPUTS(lg_mat_mat, GRAD_INPUT(39, -1, 1, 2, 3), GRAD_INPUT(40, -1, 1, 3, 4))
LG_INPUTS(lg_mat_t_mat_t, grad_input_t(41, -1, 1, 2, 3), grad_input_t(42, -1, 1, 3, 4))
LG_INPUTS(lg_bat_bat, GRAD_INPUT(43, -1, 1, 2, 2, 3), GRAD_INPUT(44, -1, 1, 2, 3, 4))
LG_INPUTS(lg_bat_t_bat, GRAD_INPUT_MT(45, 2, 2, 3), GRAD_INPUT_MT(46, 2, 3, 4))
LG_INPUTS(lg_vec_mat, GRAD_INPUT(47, -1, 1, 3), GRAD_INPUT(48, -1, 1, 3, 2))
LG_INPUTS(lg_bat_vec, GRAD_INPUT(49, -1, 1, 2, 2, 3), GRAD_INPUT(50, -1, 1, 3))
LG_INPUTS(lg_bat_mat, GRAD_INPUT(51, -1, 1, 2, 2, 3), GRAD_INPUT(52, -1, 1, 3, 4))
LG_INPUTS(lg_bat4_mat_t, GRAD_INPUT(53, -1, 1, 2, 1, 2, 3), grad_input_t(54, -1, 1, 3, 2))
LG_INPUTS(lg_vec_bat, GRAD_INPUT(55, -1, 1, 3), GRAD_INPUT(56, -1, 1, 2, 3, 4))
LG_INPUTS(lg_mat_bat, GRAD_INPUT(57, -1, 1, 5, 3), GRAD_INPUT(58, -1, 1, 2, 3, 4))
LG_INPUTS(lg_bat_t_mat, GRAD_INPUT_MT(59, 2, 3, 4), GRAD_INPUT(60, -1, 1, 4, 2))
LG_INPUTS(lg_mat_bat_t, GRAD_INPUT(61, -1, 1, 2, 3), GRAD_INPUT_MT(62, 2, 3, 4))
LG_INPUTS(lg_bat_bcast, GRAD_INPUT(63, -1, 1, 2, 1, 2, 3), GRAD_INPUT(64, -1, 1, 3, 3, 2))
LG_INPUTS(lg_bat_one, GRAD_INPUT(65, -1, 1, 1, 2, 3), GRAD_INPUT(66, -1, 1, 2, 3, 2))

#define LG_FN(name, call)                                            \
    static int f_##name(cg_tensor **in, cg_tensor **out, void *u) {  \
        (void)u;                                                     \
        out[0] = call;                                               \
        return 1;                                                    \
    }
LG_FN(dot, cg_dot(in[0], in[1]))
LG_FN(mv, cg_mv(in[0], in[1]))
LG_FN(mm, cg_mm(in[0], in[1]))
LG_FN(bmm, cg_bmm(in[0], in[1]))
LG_FN(matmul, cg_matmul(in[0], in[1]))

#define LG_INPUTS3(name, x, y, z)                 \
    static void name(cg_tensor **in) {            \
        in[0] = x;                                \
        in[1] = y;                                \
        in[2] = z;                                \
    }
LG_INPUTS3(lg_bias_mat_mat, GRAD_INPUT(100, -1, 1, 4), GRAD_INPUT(101, -1, 1, 3, 2), GRAD_INPUT(102, -1, 1, 2, 4))
LG_INPUTS3(lg_full_t_t, GRAD_INPUT(103, -1, 1, 3, 4), grad_input_t(104, -1, 1, 3, 2), grad_input_t(105, -1, 1, 2, 4))
LG_INPUTS3(lg_column_bias, GRAD_INPUT(106, -1, 1, 3, 1), GRAD_INPUT(107, -1, 1, 3, 2), GRAD_INPUT(108, -1, 1, 2, 4))
LG_INPUTS3(lg_linear_2d, GRAD_INPUT(109, -1, 1, 3, 2), GRAD_INPUT(110, -1, 1, 4, 2), GRAD_INPUT(111, -1, 1, 4))
LG_INPUTS3(lg_linear_3d, GRAD_INPUT(112, -1, 1, 2, 3, 2), GRAD_INPUT(113, -1, 1, 4, 2), GRAD_INPUT(114, -1, 1, 4))
LG_INPUTS3(lg_linear_1d, GRAD_INPUT(115, -1, 1, 2), GRAD_INPUT(116, -1, 1, 4, 2), GRAD_INPUT(117, -1, 1, 4))
LG_FN(addmm, cg_addmm(in[0], in[1], in[2]))
LG_FN(addmm_scaled, cg_addmm_scaled(in[0], in[1], in[2], 0.5, -2))
LG_FN(linear, cg_linear(in[0], in[1], in[2]))

/* The composites of src/ops/products.c: their graphs are mul, sum, views and mm. */
LG_INPUTS(lg_outer, GRAD_INPUT(120, -1, 1, 3), GRAD_INPUT(121, -1, 1, 4))
LG_FN(outer, cg_outer(in[0], in[1]))
LG_INPUTS(lg_td_2, GRAD_INPUT(122, -1, 1, 2, 3, 2), GRAD_INPUT(123, -1, 1, 3, 2, 2))
LG_INPUTS(lg_td_ones, GRAD_INPUT(124, -1, 1, 2, 1, 3), GRAD_INPUT(125, -1, 1, 3, 4, 2))
LG_INPUTS(lg_scalar_mat, GRAD_SCALAR(126, -1, 1), GRAD_INPUT(127, -1, 1, 2, 3))
LG_INPUTS(lg_mat_bat3, grad_input_t(128, -1, 1, 2, 3), GRAD_INPUT(129, -1, 1, 2, 4, 3))
LG_FN(tensordot_2, cg_tensordot(in[0], in[1], 2))
/* a's dim 1 (size 1) against b's dim 1 (size 4): b summed over it first; a's dim 2 against b's dim 0. */
LG_FN(tensordot_ones, cg_tensordot_dims(in[0], in[1], 2, (int64_t[]){1, 2}, 2, (int64_t[]){1, 0}))
LG_FN(inner, cg_inner(in[0], in[1]))


/* ---- losses ---- */

LG_INPUTS(ls_logits_targets, GRAD_INPUT(70, -2, 2, 3, 4), cg_requires_grad_(GRAD_INPUT(71, 0, 1, 3, 4), false))
LG_INPUTS(ls_both, GRAD_INPUT(72, -2, 2, 3, 4), GRAD_INPUT(73, 0, 1, 3, 4))
LG_INPUTS(ls_both_t, grad_input_t(74, -2, 2, 3, 4), GRAD_INPUT(75, -1, 1, 3, 4))
LG_INPUTS(ls_0d, GRAD_SCALAR(76, -2, 2), GRAD_SCALAR(77, 0, 1))
static void ls_mat(cg_tensor **in) { in[0] = GRAD_INPUT(78, -2, 2, 3, 4); }
static void ls_mat_t(cg_tensor **in) { in[0] = grad_input_t(79, -2, 2, 3, 4); }
static void ls_vec(cg_tensor **in) { in[0] = GRAD_INPUT(80, -2, 2, 5); }
static void ls_0d1(cg_tensor **in) { in[0] = GRAD_SCALAR(81, -2, 2); }
static void ls_probs(cg_tensor **in) {
    in[0] = GRAD_INPUT(82, -2, 2, 3, 4);
    in[1] = cg_softmax(GRAD_INPUT(83, -1, 1, 3, 4), 1);
}

#define TARGETS_3 cg_tensor_i64(((int64_t[]){2, 0, 3}), 3)
#define TARGETS_3_IGNORED cg_tensor_i64(((int64_t[]){2, -100, 3}), 3)
LG_FN(bce, cg_binary_cross_entropy_with_logits(in[0], in[1]))
LG_FN(bce_sum, cg_binary_cross_entropy_with_logits(in[0], in[1], .reduction = CG_REDUCTION_SUM))
LG_FN(bce_none, cg_binary_cross_entropy_with_logits(in[0], in[1], .reduction = CG_REDUCTION_NONE))
LG_FN(mse, cg_mse_loss(in[0], in[1]))
LG_FN(mse_sum, cg_mse_loss(in[0], in[1], .reduction = CG_REDUCTION_SUM))
LG_FN(mse_none, cg_mse_loss(in[0], in[1], .reduction = CG_REDUCTION_NONE))
LG_FN(softmax1, cg_softmax(in[0], 1))
LG_FN(softmax0, cg_softmax(in[0], 0))
LG_FN(log_softmax1, cg_log_softmax(in[0], -1))
LG_FN(log_softmax0, cg_log_softmax(in[0], 0))
LG_FN(nll, cg_nll_loss(cg_log_softmax(in[0], 1), TARGETS_3))
LG_FN(nll_raw, cg_nll_loss(in[0], TARGETS_3_IGNORED))
LG_FN(nll_sum, cg_nll_loss(in[0], TARGETS_3, .reduction = CG_REDUCTION_SUM))
LG_FN(nll_none, cg_nll_loss(in[0], TARGETS_3_IGNORED, .reduction = CG_REDUCTION_NONE))
LG_FN(nll_1d, cg_nll_loss(in[0], cg_scalar(3, CG_INT64)))
LG_FN(cross_entropy, cg_cross_entropy(in[0], TARGETS_3_IGNORED))
LG_FN(cross_entropy_none, cg_cross_entropy(in[0], TARGETS_3, .reduction = CG_REDUCTION_NONE))
LG_FN(cross_entropy_1d, cg_cross_entropy(in[0], cg_scalar(1, CG_INT64)))
LG_FN(cross_entropy_probs, cg_cross_entropy(in[0], in[1]))

/* nll_loss_backward: the create_graph gradient of nll_loss at in[0] for the incoming gradient in[1]. */
static int nll_gradient(cg_tensor **in, cg_tensor **out, cg_tensor *loss) {
    return cg_autograd_grad(.outputs = CG_TENSORS(loss), .inputs = CG_TENSORS(in[0]), .results = out,
                            .grad_outputs = CG_TENSORS(in[1]), .create_graph = true) < 0 ? -1 : 1;
}
static int f_nll_backward(cg_tensor **in, cg_tensor **out, void *u) {
    (void)u;
    return nll_gradient(in, out, cg_nll_loss(in[0], TARGETS_3_IGNORED));
}
static int f_nll_backward_none(cg_tensor **in, cg_tensor **out, void *u) {
    (void)u;
    return nll_gradient(in, out, cg_nll_loss(in[0], TARGETS_3_IGNORED, .reduction = CG_REDUCTION_NONE));
}
/* mse_loss_backward, softmax_backward_data, log_softmax_backward_data: the create_graph gradients
 * for an incoming gradient given as the last input. */
static int f_mse_backward(cg_tensor **in, cg_tensor **out, void *u) {
    (void)u;
    cg_tensor *loss = cg_mse_loss(in[0], in[1], .reduction = CG_REDUCTION_MEAN);
    return cg_autograd_grad(.outputs = CG_TENSORS(loss), .inputs = CG_TENSORS(in[0], in[1]), .results = out,
                            .grad_outputs = CG_TENSORS(in[2]), .create_graph = true) < 0 ? -1 : 2;
}
static int f_mse_backward_none(cg_tensor **in, cg_tensor **out, void *u) {
    (void)u;
    cg_tensor *loss = cg_mse_loss(in[0], in[1], .reduction = CG_REDUCTION_NONE);
    return cg_autograd_grad(.outputs = CG_TENSORS(loss), .inputs = CG_TENSORS(in[0], in[1]), .results = out,
                            .grad_outputs = CG_TENSORS(in[2]), .create_graph = true) < 0 ? -1 : 2;
}
static void ls_mse_grad_0d(cg_tensor **in) {
    in[0] = GRAD_INPUT(88, -2, 2, 3, 4);
    in[1] = grad_input_t(89, -1, 1, 3, 4);
    in[2] = GRAD_SCALAR(90, 0.5, 2);
}
static void ls_mse_grad_full(cg_tensor **in) {
    in[0] = GRAD_INPUT(91, -2, 2, 3, 4);
    in[1] = GRAD_INPUT(92, -1, 1, 3, 4);
    in[2] = GRAD_INPUT(93, -1, 1, 3, 4);
}
#define LS_SOFTMAX_BACKWARD(name, call)                                                                \
    static int f_##name##_backward(cg_tensor **in, cg_tensor **out, void *u) {                         \
        (void)u;                                                                                       \
        return cg_autograd_grad(.outputs = CG_TENSORS(call), .inputs = CG_TENSORS(in[0]), .results = out, \
                                .grad_outputs = CG_TENSORS(in[1]), .create_graph = true) < 0 ? -1 : 1; \
    }
LS_SOFTMAX_BACKWARD(softmax, cg_softmax(in[0], 1))
LS_SOFTMAX_BACKWARD(log_softmax, cg_log_softmax(in[0], 0))
LG_INPUTS(ls_softmax_grad, GRAD_INPUT(94, -2, 2, 3, 4), grad_input_t(95, -1, 1, 3, 4))

LG_INPUTS(ls_nll_grad_0d, GRAD_INPUT(84, -2, 2, 3, 4), GRAD_SCALAR(85, 0.5, 2))
LG_INPUTS(ls_nll_grad_rows, grad_input_t(86, -2, 2, 3, 4), GRAD_INPUT(87, 0.5, 2, 3))

static const grad_case cases_linalg[] = {
    {"dot", "(3) . (3)", 2, lg_vec_vec, f_dot, false, 0, 0},
    {"dot", "strided vector", 2, lg_vec_vec_strided, f_dot, false, 0, 0},
    {"mv", "(2, 3) (3)", 2, lg_mat_vec, f_mv, false, 0, 0},
    {"mv", "transposed matrix, strided vector", 2, lg_mat_t_vec, f_mv, false, 0, 0},
    {"mm", "(2, 3) (3, 4)", 2, lg_mat_mat, f_mm, false, 0, 0},
    {"mm", "both transposed", 2, lg_mat_t_mat_t, f_mm, false, 0, 0},
    {"bmm", "(2, 2, 3) (2, 3, 4)", 2, lg_bat_bat, f_bmm, false, 0, 0},
    {"bmm", "both with transposed matrices", 2, lg_bat_t_bat, f_bmm, false, 0, 0},
    {"dot", "matmul 1-D @ 1-D", 2, lg_vec_vec, f_matmul, false, 0, 0},
    {"mv", "matmul 2-D @ 1-D", 2, lg_mat_t_vec, f_matmul, false, 0, 0},
    {"matmul_squeeze", "matmul 1-D @ 2-D", 2, lg_vec_mat, f_matmul, false, 0, 0},
    {"mm", "matmul 2-D @ 2-D", 2, lg_mat_t_mat_t, f_matmul, false, 0, 0},
    {"mv", "matmul 3-D @ 1-D (folded)", 2, lg_bat_vec, f_matmul, false, 0, 0},
    {"mm", "matmul 3-D @ 2-D (folded)", 2, lg_bat_mat, f_matmul, false, 0, 0},
    {"mm", "matmul 4-D @ transposed 2-D (folded)", 2, lg_bat4_mat_t, f_matmul, false, 0, 0},
    {"mv", "matmul 1-D @ 3-D (folded, transposed)", 2, lg_vec_bat, f_matmul, false, 0, 0},
    {"mm", "matmul 2-D @ 3-D (folded, transposed)", 2, lg_mat_bat, f_matmul, false, 0, 0},
    {"bmm", "matmul transposed 3-D @ 2-D (not folded)", 2, lg_bat_t_mat, f_matmul, false, 0, 0},
    {"bmm", "matmul 2-D @ transposed 3-D (not folded)", 2, lg_mat_bat_t, f_matmul, false, 0, 0},
    {"bmm", "matmul 3-D @ 3-D", 2, lg_bat_bat, f_matmul, false, 0, 0},
    {"bmm", "matmul broadcast batch (2, 1) @ (3)", 2, lg_bat_bcast, f_matmul, false, 0, 0},
    {"bmm", "matmul broadcast batch (1) @ (2)", 2, lg_bat_one, f_matmul, false, 0, 0},
    {"addmm", "(4) + (3, 2) (2, 4)", 3, lg_bias_mat_mat, f_addmm, false, 0, 0},
    {"addmm", "full bias, both transposed", 3, lg_full_t_t, f_addmm, false, 0, 0},
    {"addmm", "column bias, beta 0.5, alpha -2", 3, lg_column_bias, f_addmm_scaled, false, 0, 0},
    {"addmm", "linear 2-D", 3, lg_linear_2d, f_linear, false, 0, 0},
    {"addmm", "linear 3-D (viewed as a matrix)", 3, lg_linear_3d, f_linear, false, 0, 0},
    {"matmul_squeeze", "linear 1-D (matmul, bias added in place)", 3, lg_linear_1d, f_linear, false, 0, 0},
    {"mul", "outer", 2, lg_outer, f_outer, false, 0, 0},
    {"mm", "tensordot dims=2", 2, lg_td_2, f_tensordot_2, false, 0, 0},
    {"sum_dims", "tensordot with a size-1 contracted dim", 2, lg_td_ones, f_tensordot_ones, false, 0, 0},
    {"mm", "inner 1-D", 2, lg_vec_vec, f_inner, false, 0, 0},
    {"mm", "inner transposed 2-D and 3-D", 2, lg_mat_bat3, f_inner, false, 0, 0},
    {"mul", "inner with a 0-dim", 2, lg_scalar_mat, f_inner, false, 0, 0},
    {"binary_cross_entropy_with_logits", "mean", 2, ls_logits_targets, f_bce, false, 0, 0},
    {"binary_cross_entropy_with_logits", "sum, target requires grad", 2, ls_both, f_bce_sum, false, 0, 0},
    {"binary_cross_entropy_with_logits", "none, transposed", 2, ls_both_t, f_bce_none, false, 0, 0},
    {"binary_cross_entropy_with_logits", "0-dim", 2, ls_0d, f_bce, false, 0, 0},
    {"mse_loss", "mean", 2, ls_both, f_mse, false, 0, 0},
    {"mse_loss", "sum, transposed", 2, ls_both_t, f_mse_sum, false, 0, 0},
    {"mse_loss", "none", 2, ls_both, f_mse_none, false, 0, 0},
    {"mse_loss", "0-dim", 2, ls_0d, f_mse, false, 0, 0},
    {"softmax", "dim 1", 1, ls_mat, f_softmax1, false, 0, 0},
    {"softmax", "dim 0, transposed", 1, ls_mat_t, f_softmax0, false, 0, 0},
    {"softmax", "0-dim", 1, ls_0d1, f_softmax0, false, 0, 0},
    {"log_softmax", "dim -1, transposed", 1, ls_mat_t, f_log_softmax1, false, 0, 0},
    {"log_softmax", "dim 0", 1, ls_mat, f_log_softmax0, false, 0, 0},
    {"log_softmax", "0-dim", 1, ls_0d1, f_log_softmax0, false, 0, 0},
    {"nll_loss", "of log_softmax", 1, ls_mat, f_nll, false, 0, 0},
    {"nll_loss", "mean with an ignored row, transposed", 1, ls_mat_t, f_nll_raw, false, 0, 0},
    {"nll_loss", "sum", 1, ls_mat, f_nll_sum, false, 0, 0},
    {"nll_loss", "none with an ignored row", 1, ls_mat, f_nll_none, false, 0, 0},
    {"nll_loss", "1-D input, 0-dim target", 1, ls_vec, f_nll_1d, false, 0, 0},
    {"nll_loss_backward", "mean with an ignored row", 2, ls_nll_grad_0d, f_nll_backward, false, 0, 0},
    {"mse_loss_backward", "mean, transposed target", 3, ls_mse_grad_0d, f_mse_backward, false, 0, 0},
    {"mse_loss_backward", "none", 3, ls_mse_grad_full, f_mse_backward_none, false, 0, 0},
    {"softmax_backward_data", "dim 1, transposed grad", 2, ls_softmax_grad, f_softmax_backward, false, 0, 0},
    {"log_softmax_backward_data", "dim 0, transposed grad", 2, ls_softmax_grad, f_log_softmax_backward, false, 0, 0},
    {"nll_loss_backward", "none with an ignored row, transposed", 2, ls_nll_grad_rows, f_nll_backward_none, false, 0, 0},
    {"nll_loss", "cross_entropy, an ignored row", 1, ls_mat, f_cross_entropy, false, 0, 0},
    {"nll_loss", "cross_entropy none, transposed", 1, ls_mat_t, f_cross_entropy_none, false, 0, 0},
    {"nll_loss", "cross_entropy 1-D", 1, ls_vec, f_cross_entropy_1d, false, 0, 0},
    {"div_by_count", "cross_entropy with probabilities", 2, ls_probs, f_cross_entropy_probs, false, 0, 0},
};
