/* Gradcheck cases: the shape ops of src/ops/shape.c. */
#include "gradcheck_cases.h"

static void sh_2x3x4(cg_tensor **in) { in[0] = GRAD_INPUT(301, -1, 1, 2, 3, 4); }
static void sh_t(cg_tensor **in) { in[0] = grad_input_t(302, -1, 1, 3, 4); }
static void sh_vec(cg_tensor **in) { in[0] = GRAD_INPUT(303, -1, 1, 4); }
static void sh_sq(cg_tensor **in) { in[0] = GRAD_INPUT(304, -1, 1, 3, 3); }
static void sh_0d(cg_tensor **in) { in[0] = GRAD_SCALAR(305, -1, 1); }

#define SH_FN(name, call)                                            \
    static int f_sh_##name(cg_tensor **in, cg_tensor **out, void *u) { \
        (void)u;                                                     \
        out[0] = call;                                               \
        return 1;                                                    \
    }
SH_FN(flip, cg_flip(in[0], 0, -1))
SH_FN(fliplr, cg_fliplr(in[0]))
SH_FN(roll, cg_roll(in[0], 2, (const int64_t[]){1, -2}, 2, (const int64_t[]){0, 2}))
SH_FN(roll_flat, cg_roll(in[0], 1, (const int64_t[]){5}, 0, NULL))
SH_FN(rot90, cg_rot90(in[0], 1, 0, 1))
SH_FN(rot90_2, cg_rot90(in[0], 2, -1, 0))
SH_FN(rot90_3, cg_rot90(in[0], -1, 2, 1))
SH_FN(repeat, cg_repeat(in[0], 2, 1, 3))
SH_FN(repeat_lead, cg_repeat(in[0], 2, 1, 2, 1))
SH_FN(repeat_0d, cg_repeat(in[0], 3, 2))
SH_FN(repeat_zero, cg_repeat(in[0], 0, 2))
SH_FN(tile, cg_tile(in[0], 2))
SH_FN(tril, cg_tril(in[0], 0))
SH_FN(tril_k, cg_tril(in[0], -1))
SH_FN(triu, cg_triu(in[0], 1))
SH_FN(diagonal, cg_diagonal(in[0], 1, 2, 0))
SH_FN(diagonal_t, cg_diagonal(in[0], -1, 0, 1))
SH_FN(diag_embed, cg_diag_embed(in[0], 1, 0, 2))
SH_FN(diag_embed_t, cg_diag_embed(in[0], -1, -2, -1))
SH_FN(diag_vec, cg_diag(in[0], 1))
SH_FN(diag_mat, cg_diag(in[0], 1))
SH_FN(diag_sq, cg_diag(in[0], -1))
SH_FN(diagflat, cg_diagflat(in[0], 0))
SH_FN(movedim, cg_movedim(in[0], 0, -1))
SH_FN(unflatten, cg_unflatten(in[0], -1, CG_SHAPE(2, -1)))
SH_FN(ravel, cg_ravel(in[0]))

/* diagonal_backward: the create_graph gradient of a diagonal of a 2x3x4 leaf, for the incoming in[0]. */
static int f_sh_diagonal_backward(cg_tensor **in, cg_tensor **out, void *u) {
    (void)u;
    cg_tensor *x = cg_requires_grad_(cg_zeros_shape(CG_FLOAT64, CG_SHAPE(2, 3, 4)), true);
    return cg_autograd_grad(.outputs = CG_TENSORS(cg_diagonal(x, 1, 1, 2)), .inputs = CG_TENSORS(x), .results = out,
                            .grad_outputs = CG_TENSORS(in[0]), .create_graph = true) < 0 ? -1 : 1;
}
static void sh_2x3(cg_tensor **in) { in[0] = GRAD_INPUT(306, -1, 1, 2, 3); }

static const grad_case cases_shape[] = {
    {"flip", "dims 0 and -1", 1, sh_2x3x4, f_sh_flip, false, 0, 0},
    {"flip", "fliplr of transposed", 1, sh_t, f_sh_fliplr, false, 0, 0},
    {"roll", "two dims", 1, sh_2x3x4, f_sh_roll, false, 0, 0},
    {"roll", "flattened, transposed", 1, sh_t, f_sh_roll_flat, false, 0, 0},
    {"rot90", "k 1", 1, sh_t, f_sh_rot90, false, 0, 0},
    {"rot90", "k 2 dims (-1, 0)", 1, sh_2x3x4, f_sh_rot90_2, false, 0, 0},
    {"rot90", "k -1 dims (2, 1)", 1, sh_2x3x4, f_sh_rot90_3, false, 0, 0},
    {"repeat", "2x1x3", 1, sh_2x3x4, f_sh_repeat, false, 0, 0},
    {"repeat", "new leading dim, transposed", 1, sh_t, f_sh_repeat_lead, false, 0, 0},
    {"repeat", "0-dim", 1, sh_0d, f_sh_repeat_0d, false, 0, 0},
    {"repeat", "a zero repeat", 1, sh_vec, f_sh_repeat_zero, false, 0, 0},
    {"repeat", "tile of a vector", 1, sh_vec, f_sh_tile, false, 0, 0},
    {"tril", "3-D", 1, sh_2x3x4, f_sh_tril, false, 0, 0},
    {"tril", "k -1, transposed", 1, sh_t, f_sh_tril_k, false, 0, 0},
    {"triu", "k 1", 1, sh_2x3x4, f_sh_triu, false, 0, 0},
    {"diagonal", "offset 1 dims (2, 0)", 1, sh_2x3x4, f_sh_diagonal, false, 0, 0},
    {"diagonal", "offset -1, transposed", 1, sh_t, f_sh_diagonal_t, false, 0, 0},
    {"diagonal_backward", "diagonal(1, 1, 2) of 2x3x4", 1, sh_2x3, f_sh_diagonal_backward, false, 0, 0},
    {"diag_embed", "offset 1 dims (0, 2)", 1, sh_t, f_sh_diag_embed, false, 0, 0},
    {"diag_embed", "offset -1 dims (-2, -1)", 1, sh_2x3x4, f_sh_diag_embed_t, false, 0, 0},
    {"diag", "vector, k 1", 1, sh_vec, f_sh_diag_vec, false, 0, 0},
    {"diag", "3x4 (transposed), k 1", 1, sh_t, f_sh_diag_mat, false, 0, 0},
    {"diag", "square, k -1", 1, sh_sq, f_sh_diag_sq, false, 0, 0},
    {"diag", "diagflat of transposed", 1, sh_t, f_sh_diagflat, false, 0, 0},
    {"permute", "movedim(0, -1)", 1, sh_2x3x4, f_sh_movedim, false, 0, 0},
    {"view", "unflatten(-1, (2, -1))", 1, sh_2x3x4, f_sh_unflatten, false, 0, 0},
    {"view", "ravel of transposed", 1, sh_t, f_sh_ravel, false, 0, 0},
};

/* ---- src/ops/index_more.c ---- */
static void ix_add(cg_tensor **in) {
    in[0] = GRAD_INPUT(311, -1, 1, 2, 3, 4);
    in[1] = grad_input_t(312, -1, 1, 4, 2); /* 4x2: transposed source slices along dim 1 */
}
static void ix_copy(cg_tensor **in) {
    in[0] = GRAD_INPUT(313, -1, 1, 3, 4);
    in[1] = GRAD_INPUT(314, -1, 1, 2, 4);
}
static void ix_fill_value(cg_tensor **in) {
    in[0] = grad_input_t(315, -1, 1, 3, 4);
    in[1] = GRAD_SCALAR(316, -1, 1);
}
static void ix_vec_pair(cg_tensor **in) {
    in[0] = GRAD_INPUT(317, -1, 1, 5);
    in[1] = GRAD_INPUT(318, -1, 1, 6);
}
static int f_ix_add(cg_tensor **in, cg_tensor **out, void *u) {
    (void)u;
    cg_tensor *s = cg_unsqueeze(cg_t(in[1]), 0); /* 1x2x4 broadcast over dim 0's 2 */
    out[0] = cg_index_add(in[0], 1, cg_tensor_i64(((int64_t[]){2, 0}), 2), s);
    return 1;
}
SH_FN(ix_add_alpha_, cg_index_add_alpha(in[0], 0, cg_tensor_i64(((int64_t[]){4, 0, 4, 1, 4, 2}), 6), in[1], 1.5))
SH_FN(ix_copy, cg_index_copy(in[0], 0, cg_tensor_i64(((int64_t[]){2, 0}), 2), in[1]))
SH_FN(ix_fill, cg_index_fill(in[0], 1, cg_tensor_i64(((int64_t[]){-1, 1, 1}), 3), 2.5))
SH_FN(ix_fill_tensor, cg_index_fill_tensor(in[0], 1, cg_tensor_i64(((int64_t[]){-1, 1, 1}), 3), in[1]))
static void ix_put(cg_tensor **in) {
    in[0] = grad_input_t(319, -1, 1, 3, 4);
    in[1] = GRAD_INPUT(320, -1, 1, 2, 3);
}
static void ix_mask_src(cg_tensor **in) {
    in[0] = GRAD_INPUT(321, -1, 1, 4);
    in[1] = GRAD_INPUT(322, -1, 1, 7);
}
static cg_tensor *ix_put_index(void) { return cg_tensor_i64(((int64_t[]){11, -1, 0, 5, 0, -12}), 2, 3); }
static cg_tensor *ix_mask(void) { return cg_tensor_bool(((bool[]){1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 1, 1}), 3, 4); }
SH_FN(ix_take, cg_take(in[0], ix_put_index()))
/* distinct places: with repeated ones PyTorch's source gradient (grad.take(index)) is not the derivative */
SH_FN(ix_put, cg_put(in[0], cg_tensor_i64(((int64_t[]){11, -2, 0, 5, 2, -8}), 2, 3), in[1], false))
SH_FN(ix_put_acc, cg_put(in[0], ix_put_index(), in[1], true))
SH_FN(ix_masked_select, cg_masked_select(in[0], ix_mask()))
SH_FN(ix_masked_scatter, cg_masked_scatter(in[0], ix_mask(), in[1]))
static void ix_adv(cg_tensor **in) { in[0] = grad_input_t(323, -1, 1, 3, 4); }
static void ix_adv_put(cg_tensor **in) {
    in[0] = GRAD_INPUT(324, -1, 1, 2, 3, 4);
    in[1] = GRAD_INPUT(325, -1, 1, 3, 1);
}
/* x[[2, 0, -1], :] and x[:, mask] of a transposed 3x4; x[[1, 0], :, [3, 3, 0]] of a 2x3x4 (B first) */
SH_FN(ix_index, cg_index(in[0], CG_LIST(cg_tensor_i64(((int64_t[]){2, 0, -1}), 3))))
SH_FN(ix_index_mask, cg_index(in[0], CG_LIST(NULL, cg_tensor_bool(((bool[]){1, 0, 1, 1}), 4))))
static cg_tensor *ix_apart(void) { return cg_tensor_i64(((int64_t[]){3, 3, 0}), 3); }
SH_FN(ix_put_apart, cg_index_put(in[0], CG_LIST(cg_tensor_i64(((int64_t[]){1}), 1), NULL, ix_apart()), in[1], true))
SH_FN(ix_put_over, cg_index_put(in[0], CG_LIST(NULL, cg_tensor_i64(((int64_t[]){2, 0, 1}), 3)), in[1], false))
static void ix_sr(cg_tensor **in) {
    in[0] = GRAD_INPUT(326, -1, 1, 3, 4);
    in[1] = GRAD_INPUT(327, -1, 1, 2, 4);
}
/* src with a zero and self with a zero, for prod's gradient of a single zero */
static void ix_sr_zero(cg_tensor **in) {
    ix_sr(in);
    in[0] = cg_requires_grad_(cg_index_fill(cg_detach(in[0]), 1, cg_tensor_i64(((int64_t[]){2}), 1), 0), true);
    in[1] = cg_requires_grad_(cg_index_fill(cg_detach(in[1]), 1, cg_tensor_i64(((int64_t[]){1}), 1), 0), true);
}
/* rows 0 and 2 get two src rows each (one collides with another in each column) */
static cg_tensor *ix_sr_index(void) { return cg_tensor_i64(((int64_t[]){0, 2, 0, 2, 0, 0, 2, 2}), 2, 4); }
#define SR_FN(name, reduce, include_self) \
    SH_FN(name, cg_scatter_reduce(in[0], 0, ix_sr_index(), in[1], reduce, include_self))
SR_FN(sr_sum, CG_SCATTER_SUM, true)
SR_FN(sr_prod, CG_SCATTER_PROD, true)
SR_FN(sr_prod_excl, CG_SCATTER_PROD, false)
SR_FN(sr_mean, CG_SCATTER_MEAN, true)
SR_FN(sr_mean_excl, CG_SCATTER_MEAN, false)
SR_FN(sr_amax, CG_SCATTER_AMAX, true)
SR_FN(sr_amin_excl, CG_SCATTER_AMIN, false)
SH_FN(scatter_value, cg_scatter_value(in[0], 0, ix_sr_index(), cg_number_float(2.5)))
static cg_tensor *ix_ir_index(void) { return cg_tensor_i64(((int64_t[]){2, 0, 2}), 3); }
static void ix_ir(cg_tensor **in) {
    in[0] = GRAD_INPUT(328, -1, 1, 3, 4);
    in[1] = GRAD_INPUT(329, -1, 1, 3, 4);
}
#define IR_FN(name, reduce, include_self) \
    SH_FN(name, cg_index_reduce(in[0], 0, ix_ir_index(), in[1], reduce, include_self))
IR_FN(ir_prod, CG_SCATTER_PROD, true)
IR_FN(ir_mean_excl, CG_SCATTER_MEAN, false)
IR_FN(ir_amax_excl, CG_SCATTER_AMAX, false)
IR_FN(ir_amin, CG_SCATTER_AMIN, true)

static const grad_case cases_index_more[] = {
    {"scatter_reduce", "sum", 2, ix_sr, f_sh_sr_sum, false, 0, 0},
    {"scatter_reduce", "prod", 2, ix_sr, f_sh_sr_prod, false, 0, 0},
    {"scatter_reduce", "prod, single zeros in self and src", 2, ix_sr_zero, f_sh_sr_prod, false, 0, 0},
    {"scatter_reduce", "prod without self", 2, ix_sr, f_sh_sr_prod_excl, false, 0, 0},
    {"scatter_reduce", "mean", 2, ix_sr, f_sh_sr_mean, false, 0, 0},
    {"scatter_reduce", "mean without self", 2, ix_sr, f_sh_sr_mean_excl, false, 0, 0},
    {"scatter_reduce", "amax", 2, ix_sr, f_sh_sr_amax, false, 0, 0},
    {"scatter_reduce", "amin without self", 2, ix_sr, f_sh_sr_amin_excl, false, 0, 0},
    {"scatter_zero", "scatter with a number", 1, sh_t, f_sh_scatter_value, false, 0, 0},
    {"index_reduce", "prod, repeated index", 2, ix_ir, f_sh_ir_prod, false, 0, 0},
    {"index_reduce", "mean without self", 2, ix_ir, f_sh_ir_mean_excl, false, 0, 0},
    {"index_reduce", "amax without self", 2, ix_ir, f_sh_ir_amax_excl, false, 0, 0},
    {"index_reduce", "amin", 2, ix_ir, f_sh_ir_amin, false, 0, 0},
    {"index", "int64 index of dim 0, transposed", 1, ix_adv, f_sh_ix_index, false, 0, 0},
    {"index", "bool mask of dim 1", 1, ix_adv, f_sh_ix_index_mask, false, 0, 0},
    {"index_put", "accumulate, indexed dims apart, repeated places, values broadcast", 2, ix_adv_put, f_sh_ix_put_apart, false, 0, 0},
    {"index_put", "distinct places, values broadcast", 2, ix_adv_put, f_sh_ix_put_over, false, 0, 0},
    /* IndexBackward0's backward records IndexPutImplBackward0: gradgradcheck runs through it */
    {"index_put_impl", "through index's double backward", 1, ix_adv, f_sh_ix_index, false, 0, 0},
    {"take", "2-D index, negative and repeated values, transposed", 1, sh_t, f_sh_ix_take, false, 0, 0},
    {"put", "negative places, transposed self", 2, ix_put, f_sh_ix_put, false, 0, 0},
    {"put", "accumulate", 2, ix_put, f_sh_ix_put_acc, false, 0, 0},
    {"masked_select", "transposed", 1, sh_t, f_sh_ix_masked_select, false, 0, 0},
    {"masked_select", "self broadcast over the mask's rows", 1, sh_vec, f_sh_ix_masked_select, false, 0, 0},
    {"masked_scatter", "self broadcast, source longer than needed", 2, ix_mask_src, f_sh_ix_masked_scatter, false, 0, 0},
    {"index_add", "dim 1, broadcast source slices", 2, ix_add, f_ix_add, false, 0, 0},
    {"index_add", "1-D, repeated indices, alpha 1.5", 2, ix_vec_pair, f_sh_ix_add_alpha_, false, 0, 0},
    {"index_copy", "dim 0", 2, ix_copy, f_sh_ix_copy, false, 0, 0},
    {"index_fill", "dim 1, negative and repeated indices, transposed", 1, sh_t, f_sh_ix_fill, false, 0, 0},
    {"index_fill_tensor", "0-dim value", 2, ix_fill_value, f_sh_ix_fill_tensor, false, 0, 0},
};
