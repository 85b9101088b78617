/* Gradcheck cases: the losses' options (src/ops/loss.c): weights, ignore_index, label smoothing,
 * probability targets, (N, C, d1, ...) inputs, binary_cross_entropy, pos_weight. */
#include "gradcheck_cases.h"

#define LS_FN(name, call)                                            \
    static int f_##name(cg_tensor **in, cg_tensor **out, void *u) {  \
        (void)u;                                                     \
        out[0] = call;                                               \
        return 1;                                                    \
    }
#define LS_WEIGHT4 cg_tensor_f64(((double[]){0.5, 2.0, 1.5, 0.25}), 4)
#define LS_TARGETS3 cg_tensor_i64(((int64_t[]){2, 0, 3}), 3)
/* (2, 2, 3) targets of a (2, 4, 2, 3) input; -100 and 1 appear (ignored by default or by option) */
#define LS_TARGETS_MAP cg_view(cg_tensor_i64(((int64_t[]){0, 1, 3, -100, 2, 1, 1, 3, 0, 2, -100, 3}), 12), 2, 2, 3)

static void ls_logits(cg_tensor **in) { in[0] = GRAD_INPUT(140, -2, 2, 3, 4); }
static void ls_map(cg_tensor **in) { in[0] = GRAD_INPUT(141, -2, 2, 2, 4, 2, 3); }
static void ls_map3(cg_tensor **in) { in[0] = grad_input_t(142, -2, 2, 4, 3); }
static void ls_probs_w(cg_tensor **in) {
    in[0] = GRAD_INPUT(143, -2, 2, 3, 4);
    in[1] = cg_softmax(GRAD_INPUT(144, -1, 1, 3, 4), 1);
}
static void ls_bce(cg_tensor **in) {
    in[0] = GRAD_INPUT(145, 0.05, 0.95, 3, 4);
    in[1] = GRAD_INPUT(146, 0, 1, 3, 4);
}
static void ls_bce_input(cg_tensor **in) {
    in[0] = GRAD_INPUT(147, 0.05, 0.95, 3, 4);
    in[1] = cg_requires_grad_(GRAD_INPUT(148, 0, 1, 3, 4), false);
}
static void ls_logits_both(cg_tensor **in) {
    in[0] = GRAD_INPUT(149, -2, 2, 3, 4);
    in[1] = GRAD_INPUT(150, 0, 1, 3, 4);
}

LS_FN(nll_weight, cg_nll_loss(in[0], LS_TARGETS3, .weight = LS_WEIGHT4))
LS_FN(nll_weight_none, cg_nll_loss(in[0], LS_TARGETS3, .reduction = CG_REDUCTION_NONE, .weight = LS_WEIGHT4))
LS_FN(nll_ignore, cg_nll_loss(in[0], LS_TARGETS3, .ignore_index = CG_OPT(0)))
LS_FN(nll2d, cg_nll_loss(in[0], LS_TARGETS_MAP, .weight = LS_WEIGHT4))
LS_FN(nll2d_none, cg_nll_loss(in[0], cg_clamp(LS_TARGETS_MAP, 0, 3), .reduction = CG_REDUCTION_NONE, .ignore_index = CG_OPT(1)))
LS_FN(nll3d, cg_nll_loss(cg_view(in[0], 1, 4, 3), cg_tensor_i64(((int64_t[]){1, 3, 0}), 1, 3), .weight = LS_WEIGHT4))
LS_FN(ce_smooth, cg_cross_entropy(in[0], LS_TARGETS3, .label_smoothing = 0.2))
LS_FN(ce_smooth_w, cg_cross_entropy(in[0], LS_TARGETS3, .reduction = CG_REDUCTION_SUM, .weight = LS_WEIGHT4,
                                    .ignore_index = CG_OPT(0), .label_smoothing = 0.3))
LS_FN(ce_smooth_map, cg_cross_entropy(in[0], LS_TARGETS_MAP, .weight = LS_WEIGHT4, .label_smoothing = 0.1))
LS_FN(ce_probs_w, cg_cross_entropy(in[0], in[1], .weight = LS_WEIGHT4, .label_smoothing = 0.25))
LS_FN(ce_map, cg_cross_entropy(in[0], LS_TARGETS_MAP, .reduction = CG_REDUCTION_NONE))
LS_FN(bce_prob, cg_binary_cross_entropy(in[0], in[1]))
LS_FN(bce_prob_w, cg_binary_cross_entropy(in[0], in[1], .reduction = CG_REDUCTION_SUM, .weight = LS_WEIGHT4))
LS_FN(bce_prob_none, cg_binary_cross_entropy(in[0], in[1], .reduction = CG_REDUCTION_NONE))
LS_FN(bcel_pos, cg_binary_cross_entropy_with_logits(in[0], in[1], .pos_weight = LS_WEIGHT4))
LS_FN(bcel_w_pos, cg_binary_cross_entropy_with_logits(in[0], in[1], .reduction = CG_REDUCTION_NONE,
                                                      .weight = cg_tensor_f64(((double[]){2, 0.5, 1}), 3, 1),
                                                      .pos_weight = LS_WEIGHT4))

static void ls_pair(cg_tensor **in) {
    in[0] = GRAD_INPUT(151, -2, 2, 3, 5);
    in[1] = GRAD_INPUT(152, -2, 2, 3, 5);
}
static void ls_kl(cg_tensor **in) {
    in[0] = cg_log_softmax(GRAD_INPUT(153, -1, 1, 3, 4), 1);
    in[1] = GRAD_INPUT(154, 0.1, 1, 3, 4);
}
static void ls_poisson(cg_tensor **in) {
    in[0] = GRAD_INPUT(155, 0.2, 2, 3, 4);
    in[1] = GRAD_INPUT(156, 0.5, 4, 3, 4);
}
static void ls_gauss(cg_tensor **in) {
    in[0] = GRAD_INPUT(157, -1, 1, 3, 4);
    in[1] = GRAD_INPUT(158, -1, 1, 3, 4);
    in[2] = GRAD_INPUT(159, 0.2, 1.5, 3, 4);
}
LS_FN(smooth_l1, cg_smooth_l1_loss(in[0], in[1]))
LS_FN(smooth_l1_beta, cg_smooth_l1_loss(in[0], in[1], .reduction = CG_REDUCTION_NONE, .beta = CG_OPT(0.7)))
LS_FN(smooth_l1_beta0, cg_smooth_l1_loss(in[0], in[1], .reduction = CG_REDUCTION_SUM, .beta = CG_OPT(0)))
LS_FN(smooth_l1_bcast, cg_smooth_l1_loss(in[0], cg_select(in[1], 0, 1), .beta = CG_OPT(1.5)))
LS_FN(huber, cg_huber_loss(in[0], in[1]))
LS_FN(huber_delta, cg_huber_loss(in[0], in[1], .reduction = CG_REDUCTION_NONE, .delta = CG_OPT(0.6)))
LS_FN(kl, cg_kl_div(in[0], in[1], .reduction = CG_REDUCTION_BATCHMEAN))
LS_FN(kl_log, cg_kl_div(in[0], cg_log(in[1]), .reduction = CG_REDUCTION_SUM, .log_target = true))
LS_FN(poisson, cg_poisson_nll_loss(cg_log(in[0]), in[1], .full = true))
LS_FN(poisson_rate, cg_poisson_nll_loss(in[0], in[1], .reduction = CG_REDUCTION_NONE, .log_input = CG_OPT(false)))
LS_FN(gauss, cg_gaussian_nll_loss(in[0], in[1], .var = in[2], .full = true))

static void ls_three(cg_tensor **in) {
    in[0] = GRAD_INPUT(160, -1, 1, 4, 5);
    in[1] = GRAD_INPUT(161, -1, 1, 4, 5);
    in[2] = GRAD_INPUT(162, -1, 1, 4, 5);
}
#define LS_SIGNS4 cg_tensor_f64(((double[]){1, -1, -1, 1}), 4)
LS_FN(soft_margin, cg_soft_margin_loss(in[0], cg_sign(cg_detach(in[1]))))
LS_FN(soft_margin_none, cg_soft_margin_loss(in[0], cg_sign(cg_detach(in[1])), .reduction = CG_REDUCTION_NONE))
LS_FN(margin_ranking, cg_margin_ranking_loss(cg_select(in[0], 1, 0), cg_select(in[1], 1, 0), LS_SIGNS4, .margin = CG_OPT(0.3)))
LS_FN(hinge, cg_hinge_embedding_loss(in[0], cg_sign(cg_detach(in[1])), .margin = CG_OPT(0.5)))
LS_FN(cosine, cg_cosine_embedding_loss(in[0], in[1], LS_SIGNS4, .margin = CG_OPT(-0.2)))
LS_FN(triplet, cg_triplet_margin_loss(in[0], in[1], in[2], .margin = CG_OPT(2), .swap = true))
LS_FN(triplet_plain, cg_triplet_margin_loss(in[0], in[1], in[2], .margin = CG_OPT(1.5)))
LS_FN(multilabel, cg_multilabel_soft_margin_loss(in[0], cg_sigmoid(in[1]), .weight = cg_ones(5)))

/* The create_graph gradient of a loss at in[0] (the input of nll_loss2d_backward). */
static int f_nll2d_backward(cg_tensor **in, cg_tensor **out, void *u) {
    (void)u;
    cg_tensor *loss = cg_nll_loss(in[0], LS_TARGETS_MAP, .weight = LS_WEIGHT4);
    return cg_autograd_grad(.outputs = CG_TENSORS(loss), .inputs = CG_TENSORS(in[0]), .results = out,
                            .create_graph = true) < 0 ? -1 : 1;
}

/* ctc_loss's gradient is that of the logits before log_softmax (PyTorch's formula), so it is
 * checked through log_softmax; PyTorch has no second derivative for it. */
static void ls_ctc(cg_tensor **in) { in[0] = GRAD_INPUT(141, -2, 2, 5, 2, 4); }
LS_FN(ctc, cg_ctc_loss(cg_log_softmax(in[0], 2), cg_tensor_i64(((int64_t[]){1, 3, 2, 2}), 2, 2),
                       cg_tensor_i64(((int64_t[]){5, 4}), 2), cg_tensor_i64(((int64_t[]){2, 2}), 2)))

static const grad_case cases_loss[] = {
    {"ctc_loss", "through log_softmax, repeated label; no second derivative in PyTorch", 1, ls_ctc, f_ctc, true, 0, 0},
    {"nll_loss", "weight", 1, ls_logits, f_nll_weight, false, 0, 0},
    {"nll_loss", "weight, none", 1, ls_logits, f_nll_weight_none, false, 0, 0},
    {"nll_loss", "ignore_index 0", 1, ls_logits, f_nll_ignore, false, 0, 0},
    {"nll_loss2d", "(N, C, H, W), weight, -100 ignored", 1, ls_map, f_nll2d, false, 0, 0},
    {"nll_loss2d", "none, ignore_index 1", 1, ls_map, f_nll2d_none, false, 0, 0},
    {"nll_loss2d", "3-dim input viewed as 4-dim, transposed", 1, ls_map3, f_nll3d, false, 0, 0},
    {"nll_loss2d_backward", "weight", 1, ls_map, f_nll2d_backward, false, 0, 0},
    {"log_softmax", "cross_entropy, label smoothing", 1, ls_logits, f_ce_smooth, false, 0, 0},
    {"log_softmax", "cross_entropy, smoothing, weight, ignore_index", 1, ls_logits, f_ce_smooth_w, false, 0, 0},
    {"nll_loss2d", "cross_entropy (N, C, H, W), smoothing, weight", 1, ls_map, f_ce_smooth_map, false, 0, 0},
    {"log_softmax", "cross_entropy probabilities, weight, smoothing", 2, ls_probs_w, f_ce_probs_w, false, 0, 0},
    {"nll_loss2d", "cross_entropy (N, C, H, W), none", 1, ls_map, f_ce_map, false, 0, 0},
    {"binary_cross_entropy", "mean, target requires grad", 2, ls_bce, f_bce_prob, false, 0, 0},
    {"binary_cross_entropy", "sum, weight", 2, ls_bce_input, f_bce_prob_w, false, 0, 0},
    {"binary_cross_entropy", "none", 2, ls_bce, f_bce_prob_none, false, 0, 0},
    {"binary_cross_entropy_with_logits", "pos_weight", 2, ls_logits_both, f_bcel_pos, false, 0, 0},
    {"binary_cross_entropy_with_logits", "weight and pos_weight, none", 2, ls_logits_both, f_bcel_w_pos, false, 0, 0},
    {"smooth_l1_loss", "mean", 2, ls_pair, f_smooth_l1, false, 0, 0},
    {"smooth_l1_loss", "beta 0.7, none", 2, ls_pair, f_smooth_l1_beta, false, 0, 0},
    {"smooth_l1_loss", "beta 0, sum", 2, ls_pair, f_smooth_l1_beta0, false, 0, 0},
    {"smooth_l1_loss", "broadcast target, beta 1.5", 2, ls_pair, f_smooth_l1_bcast, false, 0, 0},
    {"huber_loss", "mean", 2, ls_pair, f_huber, false, 0, 0},
    {"huber_loss", "delta 0.6, none", 2, ls_pair, f_huber_delta, false, 0, 0},
    {"sub", "kl_div batchmean", 2, ls_kl, f_kl, false, 0, 0},
    {"mul", "kl_div log_target, sum", 2, ls_kl, f_kl_log, false, 0, 0},
    {"exp", "poisson_nll_loss full", 2, ls_poisson, f_poisson, false, 0, 0},
    {"log", "poisson_nll_loss rates, none", 2, ls_poisson, f_poisson_rate, false, 0, 0},
    {"log", "gaussian_nll_loss full", 3, ls_gauss, f_gauss, false, 0, 0},
    {"soft_margin_loss", "mean", 2, ls_pair, f_soft_margin, false, 0, 0},
    {"soft_margin_loss", "none", 2, ls_pair, f_soft_margin_none, false, 0, 0},
    {"clamp_min", "margin_ranking_loss (clamp_min_)", 2, ls_three, f_margin_ranking, false, 0, 0},
    {"clamp_min", "triplet_margin_loss (clamp_min)", 3, ls_three, f_triplet_plain, false, 0, 0},
    {"where", "hinge_embedding_loss", 2, ls_three, f_hinge, false, 0, 0},
    {"sqrt", "cosine_embedding_loss", 2, ls_three, f_cosine, false, 0, 0},
    {"norm", "triplet_margin_loss, swap", 3, ls_three, f_triplet, false, 0, 0},
    {"log_sigmoid", "multilabel_soft_margin_loss, weight", 2, ls_three, f_multilabel, false, 0, 0},
};
