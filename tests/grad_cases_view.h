/* Gradcheck cases: views, shape, joining and indexing (src/ops/view.c, join.c, index.c). */
#include "gradcheck_cases.h"

static void vw_2x3x4(cg_tensor **in) { in[0] = GRAD_INPUT(31, -1, 1, 2, 3, 4); }
static void vw_t(cg_tensor **in) { in[0] = grad_input_t(32, -1, 1, 3, 4); }
static void vw_0d(cg_tensor **in) { in[0] = GRAD_SCALAR(33, -1, 1); }
static void vw_vec(cg_tensor **in) { in[0] = GRAD_INPUT(34, -1, 1, 5); }
static void vw_ones(cg_tensor **in) { in[0] = GRAD_INPUT(35, -1, 1, 1, 3, 1, 2); }
static void vw_3x1(cg_tensor **in) { in[0] = GRAD_INPUT(36, -1, 1, 3, 1); }
static void vw_empty(cg_tensor **in) { in[0] = GRAD_INPUT(37, -1, 1, 2, 0, 3); }
/* Three inputs for cat along dim 1: 2x3x4, 2x1x4 (transposed storage), 2x2x4 not requiring grad. */
static void vw_cat3(cg_tensor **in) {
    in[0] = GRAD_INPUT(38, -1, 1, 2, 3, 4);
    cg_tensor *b = GRAD_INPUT(39, -1, 1, 4, 1, 2);
    in[1] = cg_requires_grad_(cg_detach(cg_permute(b, 2, 1, 0)), true);
    in[2] = cg_requires_grad_(GRAD_INPUT(40, -1, 1, 2, 2, 4), false);
}
/* 1-D inputs for cat, the middle one empty (skipped by PyTorch's legacy rule). */
static void vw_cat_vec(cg_tensor **in) {
    in[0] = GRAD_INPUT(41, -1, 1, 3);
    in[1] = GRAD_INPUT(42, -1, 1, 0);
    in[2] = GRAD_INPUT(43, -1, 1, 2);
}
static void vw_pair(cg_tensor **in) {
    in[0] = GRAD_INPUT(44, -1, 1, 2, 3);
    in[1] = grad_input_t(45, -1, 1, 2, 3);
}
static void vw_pair_0d(cg_tensor **in) {
    in[0] = GRAD_SCALAR(46, -1, 1);
    in[1] = GRAD_SCALAR(47, -1, 1);
    in[2] = GRAD_SCALAR(48, -1, 1);
}
/* scatter_add: self 2x3x4 and src 2x2x4 (transposed storage). */
static void vw_scatter(cg_tensor **in) {
    in[0] = GRAD_INPUT(49, -1, 1, 2, 3, 4);
    cg_tensor *s = GRAD_INPUT(50, -1, 1, 4, 2, 2);
    in[1] = cg_requires_grad_(cg_detach(cg_permute(s, 2, 1, 0)), true);
}
static void vw_scatter_0d(cg_tensor **in) {
    in[0] = GRAD_SCALAR(51, -1, 1);
    in[1] = GRAD_SCALAR(52, -1, 1);
}

#define VW_FN(name, call)                                            \
    static int f_##name(cg_tensor **in, cg_tensor **out, void *u) {  \
        (void)u;                                                     \
        out[0] = call;                                               \
        return 1;                                                    \
    }
/* select_backward and slice_backward: the create_graph gradient, for the incoming gradient in[0], of
 * a view of a 2x3x4 leaf made inside (the result is linear in in[0]). */
#define VW_BACKWARD_FN(name, view)                                                                    \
    static int f_##name##_backward(cg_tensor **in, cg_tensor **out, void *u) {                        \
        (void)u;                                                                                      \
        cg_tensor *x = cg_requires_grad_(cg_zeros_shape(CG_FLOAT64, CG_SHAPE(2, 3, 4)), true);        \
        return cg_autograd_grad(.outputs = CG_TENSORS(view), .inputs = CG_TENSORS(x), .results = out, \
                                .grad_outputs = CG_TENSORS(in[0]), .create_graph = true) < 0 ? -1 : 1; \
    }
VW_BACKWARD_FN(select, cg_select(x, 1, -1))
VW_BACKWARD_FN(slice, cg_slice(x, -1, 1, 4, 2))
static void vw_2x4(cg_tensor **in) { in[0] = GRAD_INPUT(53, -1, 1, 2, 4); }
static void vw_2x3x2_t(cg_tensor **in) {
    in[0] = cg_requires_grad_(cg_detach(cg_permute(GRAD_INPUT(54, -1, 1, 2, 2, 3), 0, 2, 1)), true);
}

static int f_index_add_backward(cg_tensor **in, cg_tensor **out, void *u) { /* through index_select's */
    (void)u;
    cg_tensor *x = cg_requires_grad_(cg_zeros_shape(CG_FLOAT64, CG_SHAPE(2, 3, 4)), true);
    cg_tensor *y = cg_index_select(x, 1, cg_tensor_i64(((int64_t[]){2, 0, 2}), 3));
    return cg_autograd_grad(.outputs = CG_TENSORS(y), .inputs = CG_TENSORS(x), .results = out,
                            .grad_outputs = CG_TENSORS(in[0]), .create_graph = true) < 0 ? -1 : 1;
}
static void vw_2x3x4_b(cg_tensor **in) { in[0] = GRAD_INPUT(55, -1, 1, 2, 3, 4); }
static void vw_fill_value(cg_tensor **in) {
    in[0] = grad_input_t(56, -1, 1, 3, 4);
    in[1] = GRAD_SCALAR(57, -1, 1);
}

VW_FN(view, cg_view(in[0], 4, -1))
VW_FN(view_t, cg_view(in[0], 3, 2, 2))
VW_FN(select, cg_select(in[0], 1, -1))
VW_FN(at, cg_at(in[0], 1, -2))
VW_FN(alias, cg_index_at(in[0], 0, NULL))
VW_FN(reshape, cg_reshape(in[0], 6, -1))
VW_FN(reshape_0d, cg_reshape(in[0], 1, 1))
VW_FN(reshape_copy, cg_reshape(in[0], -1))
VW_FN(flatten, cg_flatten(in[0], 1, -1))
VW_FN(flatten_0d, cg_flatten(in[0], 0, -1))
VW_FN(expand, cg_expand(in[0], 2, 3, 4))
VW_FN(expand_keep, cg_expand(in[0], 2, -1, 5))
VW_FN(expand_t, cg_expand(in[0], 2, 3, 4))
VW_FN(expand_0d, cg_expand(in[0], 3, 2))
VW_FN(permute, cg_permute(in[0], 2, 0, 1))
VW_FN(permute_neg, cg_permute(in[0], -1, 0, -2))
VW_FN(permute_t, cg_permute(in[0], 1, 0))
VW_FN(squeeze, cg_squeeze(in[0]))
VW_FN(squeeze_dim, cg_squeeze_dim(in[0], -2))
VW_FN(squeeze_dim_kept, cg_squeeze_dim(in[0], 1))
VW_FN(unsqueeze, cg_unsqueeze(in[0], 1))
VW_FN(unsqueeze_neg, cg_unsqueeze(in[0], -1))
VW_FN(unsqueeze_0d, cg_unsqueeze(in[0], 0))
VW_FN(transpose, cg_transpose(in[0], 0, 2))
VW_FN(transpose_neg, cg_transpose(in[0], -1, -2))
VW_FN(transpose_0d, cg_transpose(in[0], 0, -1))
VW_FN(t, cg_t(in[0]))
VW_FN(slice, cg_slice(in[0], 1, 1, 3, 1))
VW_FN(slice_step, cg_slice(in[0], -1, -4, 100, 2))
VW_FN(narrow, cg_narrow(in[0], -1, -3, 2))
VW_FN(cat, cg_cat(in, 3, 1))
VW_FN(cat_neg, cg_cat(in, 2, -1))
VW_FN(cat_vec, cg_cat(in, 3, 0))
VW_FN(stack, cg_stack(in, 2, 0))
VW_FN(stack_neg, cg_stack(in, 2, -1))
VW_FN(stack_0d, cg_stack(in, 3, 0))
VW_FN(index_select, cg_index_select(in[0], 1, cg_tensor_i64(((int64_t[]){2, 0, 2}), 3)))
VW_FN(index_select_t, cg_index_select(in[0], -1, cg_tensor_i64(((int64_t[]){3, 3}), 2)))
VW_FN(index_select_0d, cg_index_select(in[0], 0, cg_tensor_i64((int64_t[]){0}, 1)))
VW_FN(index_select_scalar_index, cg_index_select(in[0], 0, cg_scalar(1, CG_INT64)))
VW_FN(gather, cg_gather(in[0], 1, cg_tensor_i64(((int64_t[]){0, 2, 2, 1, 1, 1, 0, 0, 2, 0, 1, 2, 0, 0, 0, 1}), 2, 2, 4)))
VW_FN(gather_t, cg_gather(in[0], -2, cg_tensor_i64(((int64_t[]){2, 2, 0, 1, 0, 1}), 2, 3)))
VW_FN(gather_0d, cg_gather(in[0], 0, cg_scalar(0, CG_INT64)))
VW_FN(scatter_add, cg_scatter_add(in[0], 1, cg_tensor_i64(((int64_t[]){0, 2, 2, 1, 1, 1, 0, 0, 2, 0, 1, 2, 0, 0, 0, 1}),
                                                        2, 2, 4), in[1]))
/* scatter: distinct targets along dim 1 in each column (a repeated one would make the last write win) */
VW_FN(scatter, cg_scatter(in[0], 1, cg_tensor_i64(((int64_t[]){0, 2, 2, 1, 1, 1, 0, 0, 2, 0, 1, 2, 0, 2, 0, 1}),
                                                2, 2, 4), in[1]))
VW_FN(scatter_0d, cg_scatter(in[0], 0, cg_scalar(0, CG_INT64), in[1]))
/* scatter_zero: self's create_graph gradient of scatter, at the incoming gradient in[0] */
static int f_scatter_zero(cg_tensor **in, cg_tensor **out, void *u) {
    (void)u;
    cg_tensor *self = cg_requires_grad_(cg_zeros_like(in[0]), true), *src = cg_zeros_shape(CG_FLOAT64, CG_SHAPE(2, 2, 4));
    cg_tensor *y = cg_scatter(self, 1, cg_tensor_i64(((int64_t[]){0, 2, 2, 1, 1, 1, 0, 0, 2, 0, 1, 2, 0, 2, 0, 1}), 2, 2, 4),
                              src), *g = NULL;
    if (cg_autograd_grad(.outputs = {&y, 1}, .inputs = {&self, 1}, .results = &g, .grad_outputs = {in, 1},
                         .create_graph = true) < 0)
        return -1;
    out[0] = g;
    return 1;
}
VW_FN(scatter_add_0d, cg_scatter_add(in[0], 0, cg_scalar(0, CG_INT64), in[1]))
VW_FN(masked_fill_tensor, cg_masked_fill_tensor(in[0], cg_tensor_bool(((bool[]){1, 0, 0, 1, 0, 1, 1, 0, 0, 0, 1, 0}), 3, 4),
                                                in[1]))
VW_FN(masked_fill, cg_masked_fill(in[0], cg_tensor_bool(((bool[]){1, 0, 0, 1, 0, 1, 1, 0, 0, 0, 1, 0}), 3, 4), 2.5))
VW_FN(masked_fill_bcast, cg_masked_fill(in[0], cg_tensor_bool(((bool[]){1, 0, 1, 0, 1, 1}), 2, 3, 1), -1))
VW_FN(masked_fill_0d, cg_masked_fill(in[0], cg_scalar(0, CG_BOOL), 3))

/* Multi-output views: each piece is an output. */
#define VW_PIECES(name, call)                                        \
    static int f_##name(cg_tensor **in, cg_tensor **out, void *u) {  \
        (void)u;                                                     \
        return call;                                                 \
    }
VW_PIECES(unbind, cg_unbind(in[0], 1, out, CG_MAX_OUTPUTS))
VW_PIECES(unbind_neg, cg_unbind(in[0], -1, out, CG_MAX_OUTPUTS))
VW_PIECES(split, cg_split(in[0], 3, -1, out, CG_MAX_OUTPUTS))
VW_PIECES(split_t, cg_split(in[0], 2, 0, out, CG_MAX_OUTPUTS))
VW_PIECES(chunk, cg_chunk(in[0], 3, 2, out, CG_MAX_OUTPUTS))
VW_PIECES(chunk_empty, cg_chunk(in[0], 3, 1, out, CG_MAX_OUTPUTS))

/* Only some pieces reach the output: the others get no gradient (zeros in the backward). */
static int f_unbind_some(cg_tensor **in, cg_tensor **out, void *u) {
    (void)u;
    cg_tensor *pieces[4];
    if (cg_unbind(in[0], 1, pieces, 4) < 0) return -1;
    out[0] = cg_mul(pieces[0], pieces[2]);
    return 1;
}
static int f_split_some(cg_tensor **in, cg_tensor **out, void *u) {
    (void)u;
    cg_tensor *pieces[4];
    if (cg_split(in[0], 1, 1, pieces, 4) < 0) return -1;
    out[0] = cg_mul(pieces[1], pieces[1]);
    return 1;
}

static const grad_case cases_view[] = {
    {"view", "2x3x4 -> 4x6", 1, vw_2x3x4, f_view, false, 0, 0},
    {"view", "transposed 3x4 viewed 3x2x2 (splits the contiguous dim)", 1, vw_t, f_view_t, false, 0, 0},
    {"reshape_alias", "2x3x4 -> 6x-1", 1, vw_2x3x4, f_reshape, false, 0, 0},
    {"reshape_alias", "0-dim -> 1x1", 1, vw_0d, f_reshape_0d, false, 0, 0},
    {"reshape_alias", "flatten(1, -1)", 1, vw_2x3x4, f_flatten, false, 0, 0},
    {"reshape_alias", "flatten of 0-dim", 1, vw_0d, f_flatten_0d, false, 0, 0},
    {"unsafe_view", "transposed reshaped -1 (a copy)", 1, vw_t, f_reshape_copy, false, 0, 0},
    {"unsafe_view", "flatten of transposed (a copy)", 1, vw_t, f_flatten_0d, false, 0, 0},
    {"expand", "3x1 -> 2x3x4 (new leading dim and size-1 dim)", 1, vw_3x1, f_expand, false, 0, 0},
    {"expand", "3x1 -> 2x-1x5", 1, vw_3x1, f_expand_keep, false, 0, 0},
    {"expand", "transposed 3x4 -> 2x3x4", 1, vw_t, f_expand_t, false, 0, 0},
    {"expand", "0-dim -> 3x2", 1, vw_0d, f_expand_0d, false, 0, 0},
    {"permute", "(2, 0, 1)", 1, vw_2x3x4, f_permute, false, 0, 0},
    {"permute", "negative dims", 1, vw_2x3x4, f_permute_neg, false, 0, 0},
    {"permute", "transposed", 1, vw_t, f_permute_t, false, 0, 0},
    {"squeeze", "1x3x1x2", 1, vw_ones, f_squeeze, false, 0, 0},
    {"squeeze", "0-dim", 1, vw_0d, f_squeeze, false, 0, 0},
    {"squeeze_dim", "dim -2 of 1x3x1x2", 1, vw_ones, f_squeeze_dim, false, 0, 0},
    {"squeeze_dim", "dim of size 3 (nothing dropped)", 1, vw_ones, f_squeeze_dim_kept, false, 0, 0},
    {"unsqueeze", "dim 1", 1, vw_2x3x4, f_unsqueeze, false, 0, 0},
    {"unsqueeze", "dim -1, transposed", 1, vw_t, f_unsqueeze_neg, false, 0, 0},
    {"unsqueeze", "0-dim", 1, vw_0d, f_unsqueeze_0d, false, 0, 0},
    {"transpose", "(0, 2)", 1, vw_2x3x4, f_transpose, false, 0, 0},
    {"transpose", "(-1, -2), transposed", 1, vw_t, f_transpose_neg, false, 0, 0},
    {"transpose", "0-dim", 1, vw_0d, f_transpose_0d, false, 0, 0},
    {"t", "transposed 3x4", 1, vw_t, f_t, false, 0, 0},
    {"t", "1-D", 1, vw_vec, f_t, false, 0, 0},
    {"t", "0-dim", 1, vw_0d, f_t, false, 0, 0},
    {"select", "dim 1 index -1", 1, vw_2x3x4, f_select, false, 0, 0},
    {"select", "transposed", 1, vw_t, f_select, false, 0, 0},
    {"select", "cg_at(x, 1, -2)", 1, vw_2x3x4, f_at, false, 0, 0},
    {"select_backward", "select(1, -1) of 2x3x4", 1, vw_2x4, f_select_backward, false, 0, 0},
    {"slice_backward", "slice(-1, 1:4:2) of 2x3x4", 1, vw_2x3x2_t, f_slice_backward, false, 0, 0},
    {"alias", "cg_index_at with no index", 1, vw_t, f_alias, false, 0, 0},
    {"slice", "dim 1, 1:3", 1, vw_2x3x4, f_slice, false, 0, 0},
    {"slice", "dim -1, -4::2, transposed", 1, vw_t, f_slice_step, false, 0, 0},
    {"slice", "narrow(-1, -3, 2)", 1, vw_2x3x4, f_narrow, false, 0, 0},
    {"unbind", "dim 1", 1, vw_2x3x4, f_unbind, false, 0, 0},
    {"unbind", "dim -1, transposed", 1, vw_t, f_unbind_neg, false, 0, 0},
    {"unbind", "two of three pieces used", 1, vw_2x3x4, f_unbind_some, false, 0, 0},
    {"split", "size 3 along -1 (3 and 1)", 1, vw_2x3x4, f_split, false, 0, 0},
    {"split", "size 2 along 0, transposed (2 and 1)", 1, vw_t, f_split_t, false, 0, 0},
    {"split", "chunk(3) along 2 (two pieces of 2)", 1, vw_2x3x4, f_chunk, false, 0, 0},
    {"split", "one piece used twice", 1, vw_2x3x4, f_split_some, false, 0, 0},
    {"split_with_sizes", "chunk(3) of an empty dim", 1, vw_empty, f_chunk_empty, false, 0, 0},
    {"cat", "dim 1: contiguous, permuted, and an input without grad", 3, vw_cat3, f_cat, false, 0, 0},
    {"cat", "dim -1, 2x3 and transposed 2x3", 2, vw_pair, f_cat_neg, false, 0, 0},
    {"cat", "1-D with an empty input (skipped)", 3, vw_cat_vec, f_cat_vec, false, 0, 0},
    {"stack", "dim 0, contiguous and transposed", 2, vw_pair, f_stack, false, 0, 0},
    {"stack", "dim -1", 2, vw_pair, f_stack_neg, false, 0, 0},
    {"stack", "three 0-dim", 3, vw_pair_0d, f_stack_0d, false, 0, 0},
    {"index_select", "dim 1, repeated indices", 1, vw_2x3x4, f_index_select, false, 0, 0},
    {"index_add", "index_select's backward, repeated indices", 1, vw_2x3x4_b, f_index_add_backward, false, 0, 0},
    {"masked_fill_tensor", "transposed, 0-dim value", 2, vw_fill_value, f_masked_fill_tensor, false, 0, 0},
    {"index_select", "dim -1, transposed", 1, vw_t, f_index_select_t, false, 0, 0},
    {"index_select", "0-dim input", 1, vw_0d, f_index_select_0d, false, 0, 0},
    {"index_select", "0-dim index", 1, vw_2x3x4, f_index_select_scalar_index, false, 0, 0},
    {"gather", "dim 1, index 2x2x4 with repeats", 1, vw_2x3x4, f_gather, false, 0, 0},
    {"gather", "dim -2, transposed", 1, vw_t, f_gather_t, false, 0, 0},
    {"gather", "0-dim", 1, vw_0d, f_gather_0d, false, 0, 0},
    {"scatter_add", "dim 1, repeated targets, transposed src", 2, vw_scatter, f_scatter_add, false, 0, 0},
    {"scatter_add", "0-dim", 2, vw_scatter_0d, f_scatter_add_0d, false, 0, 0},
    {"scatter", "dim 1, transposed src", 2, vw_scatter, f_scatter, false, 0, 0},
    {"scatter", "0-dim", 2, vw_scatter_0d, f_scatter_0d, false, 0, 0},
    {"scatter_zero", "self's gradient of scatter, dim 1", 1, vw_2x3x4, f_scatter_zero, false, 0, 0},
    {"masked_fill", "3x4 mask on transposed", 1, vw_t, f_masked_fill, false, 0, 0},
    {"masked_fill", "mask 2x3x1 broadcast with 3x4 (output larger)", 1, vw_t, f_masked_fill_bcast, false, 0, 0},
    {"masked_fill", "0-dim mask", 1, vw_2x3x4, f_masked_fill_0d, false, 0, 0},
};
