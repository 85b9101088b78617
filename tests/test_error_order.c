/* Which check PyTorch makes first: calls with more than one thing wrong (or a wrong dtype, dim or
 * shape) across binary and in-place ops, the matmul family, cat/stack, index ops, views, reductions,
 * losses, creation and autograd calls, each printed as "<case> || <Kind>: <message>" and compared
 * with what the twin calls in tools/gen_error_order.py print under PyTorch 1.13
 * (tests/data/error_order.txt). */
#include "scenarios.h"

#include <math.h>

#define F(...) cg_ones_shape(CG_FLOAT32, CG_SHAPE(__VA_ARGS__))
#define D(...) cg_ones_shape(CG_FLOAT64, CG_SHAPE(__VA_ARGS__))
#define I(...) cg_ones_shape(CG_INT64, CG_SHAPE(__VA_ARGS__))
#define B(...) cg_ones_shape(CG_BOOL, CG_SHAPE(__VA_ARGS__))
#define L(...) cg_requires_grad_(F(__VA_ARGS__), true)
#define IDX(...) cg_tensor_i64(((int64_t[]){__VA_ARGS__}), CG_NARGS(__VA_ARGS__))
#define cg_scalar_f32(v) cg_scalar(v, CG_FLOAT32)
#define cg_scalar_i64(v) cg_scalar(v, CG_INT64)

static void report(const char *name, bool failed) {
    if (failed) fprintf(out, "%s || %s\n", name, harness_error());
    else fprintf(out, "%s || ok\n", name);
}
/* T: returns a tensor (NULL on error); S: returns a status (< 0 on error); N: returns NaN on error. */
#define T(name, expr) (cg_clear_error(), report(name, (expr) == NULL))
#define S(name, expr) (cg_clear_error(), report(name, (expr) < 0))
#define N(name, expr) (cg_clear_error(), report(name, isnan(expr)))

static cg_tensor *pieces[8];
static cg_tensor *identity_hook(cg_tensor *grad, void *user) {
    (void)user;
    return grad;
}

static void error_order(void) {
    T("sub bool shape", cg_sub(B(2), B(3)));
    T("pow bool shape", cg_pow(B(2), B(3)));
    S("add_ cast shape", cg_add_(I(2), F(3)));
    S("mul_ cast broadcast-out", cg_mul_(I(2), F(2,2)));
    T("where cond dtype shape", cg_where(F(2), F(3), F(2)));
    T("where cond int shape", cg_where(I(2), F(3), F(2)));
    T("maximum dtype shape", cg_maximum(F(2), D(3)));
    T("mm 1d dtype", cg_mm(F(2), D(2,2)));
    T("mm shape dtype", cg_mm(F(2,3), D(2,2)));
    T("mm int", cg_mm(I(2,2), I(2,2)));
    T("mm int float", cg_mm(I(2,2), F(2,2)));
    T("bmm 2d dtype", cg_bmm(F(2,2), D(2,2,2)));
    T("bmm batch dtype", cg_bmm(F(2,2,2), D(3,2,2)));
    T("dot 2d dtype", cg_dot(F(2,2), D(2)));
    T("dot size dtype", cg_dot(F(2), D(3)));
    T("mv dim dtype", cg_mv(F(2,2), D(2,2)));
    T("mv size dtype", cg_mv(F(2,2), D(3)));
    T("matmul 0d dtype", cg_matmul(cg_scalar(1, CG_FLOAT32), D(2)));
    T("matmul shape dtype", cg_matmul(F(2,3), D(2,2)));
    T("matmul batch mismatch", cg_matmul(F(2,2,3), F(3,3,2)));
    T("cat dim oor + shape", cg_cat(CG_LIST(F(2,2), F(3,3)), 5));
    T("cat 0d", cg_cat(CG_LIST(cg_scalar(1, CG_FLOAT32), F(2)), 0));
    T("cat dtype + shape", cg_cat(CG_LIST(F(2,2), D(3,3)), 0));
    T("cat ndim", cg_cat(CG_LIST(F(2,2), F(2)), 0));
    T("stack dim oor + shape", cg_stack(CG_LIST(F(2), F(3)), 5));
    T("stack shape", cg_stack(CG_LIST(F(2), F(3)), 0));
    T("index_select dim oor + dtype", cg_index_select(F(2), 3, F(1)));
    T("index_select 2d idx + dtype", cg_index_select(F(2), 0, F(1,1)));
    T("index_select oor + 2d", cg_index_select(F(2), 0, cg_view(IDX(5),1,1)));
    T("gather dim oor + dtype", cg_gather(F(2,2), 3, F(1,1)));
    T("gather ndim + dtype", cg_gather(F(2,2), 0, F(1)));
    T("gather size + oob", cg_gather(F(2,2), 0, cg_view(IDX(5,5,5),1,3)));
    T("scatter_add dtype src + idx", cg_scatter_add(F(2), 0, F(1), D(1)));
    T("scatter_add dtype src", cg_scatter_add(F(2), 0, I(1), D(1)));
    T("scatter_add ndim", cg_scatter_add(F(2), 0, I(1,1), F(1)));
    T("masked_fill dtype + shape", cg_masked_fill(F(2), I(3), 1.0));
    T("masked_fill shape", cg_masked_fill(F(2), B(3), 1.0));
    T("view shape + noncontig", cg_view(cg_t(F(2,3)), 5));
    T("view noncontig", cg_view(cg_t(F(2,3)), 6));
    T("expand fewer + mismatch", cg_expand(F(2,3), 4));
    T("permute dup + oor", cg_permute(F(2,3), 0, 5));
    T("permute len + dup", cg_permute(F(2,3), 0, 0, 1));
    T("select dim oor + index", cg_select(F(2), 3, 5));
    T("narrow dim + len", cg_narrow(F(2), 3, 0, 5));
    T("narrow start oor", cg_narrow(F(2), 0, 5, 1));
    T("narrow neg len", cg_narrow(F(2), 0, 0, -1));
    T("transpose oor", cg_transpose(F(2), 0, 3));
    T("squeeze oor", cg_squeeze_dim(F(2), 3));
    T("unsqueeze oor", cg_unsqueeze(F(2), 3));
    T("flatten oor", cg_flatten(F(2), 3, 0));
    S("split dim oor + neg", cg_split(F(2), -1, 5, pieces, 8));
    S("chunk 0 + dim", cg_chunk(F(2), 0, 5, pieces, 8));
    S("unbind 0d", cg_unbind(cg_scalar(1, CG_FLOAT32), 0, pieces, 8));
    T("nll dtype + shape", cg_nll_loss(F(2,3), F(3)));
    T("nll batch + oob", cg_nll_loss(F(2,3), IDX(5,5,5)));
    T("nll 0d input", cg_nll_loss(cg_scalar(1, CG_FLOAT32), I(1)));
    T("bce int target", cg_binary_cross_entropy_with_logits(F(2), I(2)));
    T("bce bool target", cg_binary_cross_entropy_with_logits(F(2), B(2)));
    T("mse int", cg_mse_loss(I(2), I(2)));
    T("ce dtype + shape", cg_cross_entropy(F(2,3), F(3)));
    T("ce prob shape", cg_cross_entropy(F(2,3), F(2,4)));
    T("softmax oor int", cg_softmax(I(2), 3));
    T("softmax int", cg_softmax(I(2), 0));
    T("log_softmax int", cg_log_softmax(I(2), 0));
    T("sum dim oor + dup", cg_sum(F(2), CG_DIMS(0, 0, 5)));
    T("mean int + dim oor", cg_mean(I(2), CG_DIMS(5)));
    T("var int dim oor", cg_var(I(2), CG_DIMS(5)));
    T("norm int dim oor", cg_norm(I(2), 2, CG_DIMS(5)));
    T("max dim empty oor", cg_max_dim(F(0), 5, false, NULL));
    T("argmax empty dim", cg_argmax_dim(F(0, 2), 0, false));
    T("prod dim oor", cg_prod_dim(F(2), 5, false));
    T("clamp bool", cg_clamp(B(2), 0, 1));
    T("neg bool", cg_neg(B(2)));
    T("exp int", cg_exp(I(2)));
    S("copy_ leaf shape", cg_copy_(cg_requires_grad_(F(2), true), F(3)));
    S("add_ leaf + shape", cg_add_(L(2), F(3)));
    S("add_ leaf + cast", cg_add_(L(2), I(2)));
    S("add_ int leaf? shape", cg_add_(I(2), F(3)));
    S("add_ expanded + shape", cg_add_(cg_expand(F(1), 3), F(2)));
    S("add_ expanded + cast", cg_add_(cg_expand(I(1), 3), F(3)));
    S("sub_ bool + shape", cg_sub_(B(2), B(3)));
    S("mul_ number cast", cg_mul_scalar_(I(2), 2.5));
    S("mul_ number expanded", cg_mul_scalar_(cg_expand(I(1), 2), 2.5));
    S("div_ int", cg_div_scalar_(I(2), 2));
    S("div_ int tensor", cg_div_(I(2), I(2)));
    S("clamp_ int float", cg_clamp_(I(2), 0.5, 1.5));
    S("clamp_ bool", cg_clamp_(B(2), 0, 1));
    S("fill_ int float", cg_fill_(I(2), 2.5));
    S("fill_ leaf", cg_fill_(L(2), 1));
    S("zero_ leaf", cg_zero_(L(2)));
    S("exp_ int", cg_exp_(I(2)));
    S("exp_ leaf int?", cg_exp_(L(2)));
    S("neg_ bool", cg_neg_(B(2)));
    S("sign_ bool", cg_sign_(B(2)));
    S("abs_ bool", cg_abs_(B(2)));
    S("sqrt_ int", cg_sqrt_(I(2)));
    S("relu_ bool", cg_relu_(B(2)));
    S("pow_ int neg", cg_pow_number_(I(2), cg_number_int(-1)));
    S("pow_ int float", cg_pow_number_(I(2), cg_number_float(0.5)));
    S("pow_ tensor shape dtype", cg_pow_(I(2), F(3)));
    S("uniform_ int", cg_uniform_(I(2), 0, 1));
    S("uniform_ leaf", cg_uniform_(L(2), 0, 1));
    S("normal_ leaf bad std", cg_normal_(L(2), 0, -1));
    S("normal_ int", cg_normal_(I(2), 0, 1));
    S("copy_ int from float leaf", cg_copy_(I(2), L(2)));
    S("backward grad dtype", cg_backward(cg_mul_scalar(L(2), 2), .gradient = I(2)));
    S("backward grad shape+dtype", cg_backward(cg_mul_scalar(L(2), 2), .gradient = I(3)));
    S("backward nonscalar nograd", cg_backward(F(2)));
    S("backward int grad scalar", cg_backward(cg_sum(cg_mul_scalar(L(2), 2)), .gradient = cg_scalar(1, CG_INT64)));
    S("backward bool grad", cg_backward(cg_sum(cg_mul_scalar(L(2), 2)), .gradient = cg_scalar(1, CG_BOOL)));
    S("grad outputs nograd",
      cg_autograd_grad(.outputs = CG_TENSORS(cg_sum(F(2))), .inputs = CG_TENSORS(L(2)), .results = pieces));
    S("grad unused", cg_autograd_grad(.outputs = CG_TENSORS(cg_sum(cg_mul_scalar(L(2), 2))), .inputs = CG_TENSORS(L(2)),
                                      .results = pieces));
    S("grad inputs nograd + unused", cg_autograd_grad(.outputs = CG_TENSORS(cg_sum(cg_mul_scalar(L(2), 2))),
                                                      .inputs = CG_TENSORS(F(2)), .results = pieces));
    S("set grad shape", cg_set_grad(L(2), F(3)));
    S("set grad dtype+shape", cg_set_grad(L(2), D(3)));
    S("set grad int", cg_set_grad(L(2), I(2)));
    S("retain_grad nograd", cg_retain_grad(F(2)));
    T("requires_grad int", cg_requires_grad_(I(2), true));
    T("requires_grad false nonleaf", cg_requires_grad_(cg_mul_scalar(L(2), 2), false));
    S("detach_ view", cg_detach_(cg_slice(L(2), 0, 0, 1, 1)));
    S("register_hook nograd", cg_register_hook(F(2), identity_hook, NULL));
    N("item empty", cg_item(F(0)));
    T("full int float", cg_full_shape(CG_INT64, CG_SHAPE(2), 2.5));
    T("full bool", cg_full_shape(CG_BOOL, CG_SHAPE(2), 2));
    T("zeros neg", cg_zeros(2, -1));
    T("arange neg step", cg_arange(0, 5, -1, CG_FLOAT32));
    T("arange bool", cg_arange(0, 5, 1, CG_BOOL));
    T("linspace bool", cg_linspace(0, 1, 3, CG_BOOL));
    T("eye neg", cg_eye(-1, -1, CG_FLOAT32));
    T("eye neg m", cg_eye(2, -2, CG_FLOAT32));
    T("randint equal", cg_randint(2, 2, 2));
    T("rand int", cg_rand_shape(CG_INT64, CG_SHAPE(2)));
    T("randn int", cg_randn_shape(CG_INT64, CG_SHAPE(2)));
    T("reshape bad", cg_reshape(F(2,3), 4));
    T("reshape two -1", cg_reshape(F(2,3), -1, -1));
    T("view -2", cg_view(F(2,3), -2, 3));
    T("expand -1 leading", cg_expand(F(3), -1, 3));
    T("expand neg", cg_expand(F(3), 2, -2));
    T("slice step neg", cg_slice(F(3), 0, 0, 3, -1));
    T("t 3d", cg_t(F(2,2,2)));
    T("squeeze 0d dim1", cg_squeeze_dim(cg_scalar(1, CG_FLOAT32), 1));
    T("select 0d", cg_select(cg_scalar(1, CG_FLOAT32), 0, 0));
    T("flatten 0d", cg_flatten(cg_scalar(1, CG_FLOAT32), 0, 1));
    T("unsqueeze 0d", cg_unsqueeze(cg_scalar(1, CG_FLOAT32), 2));
    S("split 0", cg_split(F(3), 0, 0, pieces, 8));
    S("split 0d", cg_split(cg_scalar(1, CG_FLOAT32), 1, 0, pieces, 8));
    S("chunk 0d", cg_chunk(cg_scalar(1, CG_FLOAT32), 1, 0, pieces, 8));
    T("narrow 0d", cg_narrow(cg_scalar(1, CG_FLOAT32), 0, 0, 1));
    T("softmax 0d dim1", cg_softmax(cg_scalar(1, CG_FLOAT32), 1));
    T("max 0d dim1", cg_max_dim(cg_scalar(1, CG_FLOAT32), 1, false, NULL));
    T("argmax 0d dim 1", cg_argmax_dim(cg_scalar(1, CG_FLOAT32), 1, false));
    T("prod_dim bool", cg_prod_dim(B(2), 0, false));
    T("mean bool", cg_mean(B(2)));
    T("sum dims 9", cg_sum_opts((cg_reduce_args){.input = F(2), .ndims = 8, .dims = {0,1,2,3,4,5,6,7}}));
    T("var 1 elem", cg_var(F(1)));
    T("where int other", cg_where(B(2), I(2), F(2)));
    T("clamp nan", cg_clamp(F(2), NAN, 1));
    cg_tensor *xb = cg_expand(B(1), 3), *xi = cg_expand(I(1), 3);
    S("neg_ bool expanded", cg_neg_(xb));
    S("abs_ bool expanded", cg_abs_(xb));
    S("relu_ bool expanded", cg_relu_(xb));
    S("exp_ int expanded", cg_exp_(xi));
    S("mul_ cast expanded", cg_mul_scalar_(xi, 2.5));
    S("clamp_ cast expanded", cg_clamp_(xi, 0.5, 1));
    S("pow_ neg int expanded", cg_pow_number_(xi, cg_number_int(-1)));
    S("sqrt_ int expanded", cg_sqrt_(xi));
    S("mul_ empty expanded", cg_mul_scalar_(cg_expand(cg_zeros_shape(CG_INT64, CG_SHAPE(1, 0)), 1, 2, 0), 1));
    S("mul_ cast empty expanded", cg_mul_scalar_(cg_expand(cg_zeros_shape(CG_BOOL, CG_SHAPE(3, 0, 1)), 3, 0, 2), 2.5));
    S("copy_ empty expanded", cg_copy_(cg_expand(cg_zeros(1, 0), 1, 2, 0), F(1)));
    T("where shape3", cg_where(B(2), F(3), F(4)));
    T("where cond float", cg_where(F(2), F(2), F(2)));
    T("eq shape", cg_eq(F(2), F(3)));
    T("lt bool shape", cg_lt(B(2), B(3)));
    T("maximum bool int", cg_maximum(B(2), I(2)));
    T("add bool bool", cg_add(B(2), B(2)));
    T("div int int", cg_div(I(2), I(2)));
    T("pow int neg tensor", cg_pow(I(2), IDX(-1, 2)));
    T("pow int neg number", cg_pow_scalar(I(2), -1));
    T("rpow int neg", cg_rpow_scalar(IDX(-1), 2));
    T("sub number bool", cg_sub_scalar(B(2), 1));
    T("rsub bool", cg_rsub_scalar(B(2), 1));
    T("rsub bool bool", cg_rsub_number(B(2), cg_number_bool(true)));
    S("unbind dim oor", cg_unbind(F(2), 3, pieces, 8));
    T("cat dim neg oor", cg_cat(CG_LIST(F(2), F(2)), -3));
    T("cat empty 1d + 2d", cg_cat(CG_LIST(F(0), F(2,2)), 0));
    T("stack 0d", cg_stack(CG_LIST(cg_scalar_f32(1), cg_scalar_f32(2)), 1));
    T("stack 0d ok", cg_stack(CG_LIST(cg_scalar_f32(1), cg_scalar_f32(2)), 0));
    T("index_select neg idx", cg_index_select(F(3), 0, IDX(-1)));
    T("gather neg idx", cg_gather(F(3), 0, IDX(-1)));
    T("gather 0d", cg_gather(cg_scalar_f32(1), 0, cg_scalar_i64(0)));
    T("gather 0d oob", cg_gather(cg_scalar_f32(1), 0, cg_scalar_i64(1)));
    T("scatter_add 0d", cg_scatter_add(cg_scalar_f32(1), 0, cg_scalar_i64(0), cg_scalar_f32(2)));
    T("masked_fill int value", cg_masked_fill(I(2), B(2), 2.5));
    T("masked_fill bool value", cg_masked_fill(B(2), B(2), 2));
    T("masked_fill broadcast mask bigger", cg_masked_fill(F(2), B(2,2), 1.0));
    T("softmax f64 dim", cg_softmax(D(2), -2));
    T("log_softmax 0d", cg_log_softmax(cg_scalar_f32(1), 0));
    T("ce 1d target 0d", cg_cross_entropy(F(3), cg_scalar_i64(1)));
    T("ce 1d target 1d", cg_cross_entropy(F(3), I(1)));
    T("nll 1d target 1d", cg_nll_loss(F(3), I(1)));
    T("nll 2d target 0d", cg_nll_loss(F(2,3), cg_scalar_i64(1)));
    T("nll target neg", cg_nll_loss(F(2,3), IDX(-1, 0)));
    T("nll target -100", cg_nll_loss(F(2,3), IDX(-100, 0)));
    T("nll empty", cg_nll_loss(F(0,3), I(0)));
    T("bce 0d", cg_binary_cross_entropy_with_logits(cg_scalar_f32(1), cg_scalar_f32(1)));
    T("mse 0d vs 2", cg_mse_loss(cg_scalar_f32(1), F(2)));
    T("mse bool", cg_mse_loss(B(2), B(2)));
    T("mse int float", cg_mse_loss(I(2), F(2)));
    T("matmul 1d 1d size", cg_matmul(F(2), F(3)));
    T("matmul 1d 2d", cg_matmul(F(2), F(3,2)));
    T("matmul 2d 1d", cg_matmul(F(2,3), F(2)));
    T("matmul 3d 1d", cg_matmul(F(2,2,3), F(2)));
    T("matmul 1d 3d", cg_matmul(F(2), F(2,3,2)));
    T("matmul int", cg_matmul(I(2,2), I(2,2)));
    T("matmul bool", cg_matmul(B(2,2), B(2,2)));
    T("mm bool", cg_mm(B(2,2), B(2,2)));
    T("dot int", cg_dot(I(2), I(2)));
    T("dot bool", cg_dot(B(2), B(2)));
    T("mv int", cg_mv(I(2,2), I(2)));
    T("bmm int", cg_bmm(I(1,2,2), I(1,2,2)));
    T("bmm shapes", cg_bmm(F(1,2,3), F(1,2,3)));
    T("norm p0 int", cg_norm(I(2), 0));
    T("prod bool", cg_prod(B(2)));
    T("sum bool", cg_sum(B(2)));
    T("max bool", cg_max(B(2)));
    T("argmax bool", cg_argmax(B(2)));
    T("max_dim bool", cg_max_dim(B(2), 0, false, NULL));
    T("var bool", cg_var(B(2)));
    T("std int", cg_std(I(2)));
    T("clamp int float", cg_clamp(I(2), 0.5, 1));
    T("clamp both none", cg_clamp_number(F(2), CG_NO_BOUND, CG_NO_BOUND));
    T("sign bool", cg_sign(B(2)));
    T("abs bool", cg_abs(B(2)));
    T("relu int", cg_relu(I(2)));
    T("sigmoid int", cg_sigmoid(I(2)));
    T("tanh bool", cg_tanh(B(2)));
    T("log int", cg_log(I(2)));
    T("to int requires grad", cg_to(L(2), CG_INT64));
    S("detach_ leaf view", cg_detach_(cg_view(cg_detach(L(2)), 2)));
    T("view of int", cg_view(I(6), 2, -1));
    T("permute 0d", cg_permute(cg_scalar_f32(1), 0));
    T("transpose 0d", cg_transpose(cg_scalar_f32(1), 0, 0));
    T("t 0d", cg_t(cg_scalar_f32(1)));
    T("squeeze_dim 0d 0", cg_squeeze_dim(cg_scalar_f32(1), 0));
    T("unsqueeze 0d 1", cg_unsqueeze(cg_scalar_f32(1), 1));
    T("flatten 0d 0 0", cg_flatten(cg_scalar_f32(1), 0, 0));
    T("expand 0d", cg_expand(cg_scalar_f32(1), 2, 3));
    T("expand fewer", cg_expand(F(2, 3), 3));
    T("narrow neg start", cg_narrow(F(3), 0, -1, 1));
    T("narrow neg start oor", cg_narrow(F(3), 0, -4, 1));
    T("slice 0d", cg_slice(cg_scalar_f32(1), 0, 0, 1, 1));
    T("select neg", cg_select(F(3), 0, -4));
}

static void ignore_warnings(const char *message, void *user) {
    (void)message;
    (void)user;
}

static void test_error_order(void) {
    cg_set_warning_handler(ignore_warnings, NULL);
    run_scenarios((const scenario[]){{"error_order", error_order}}, 1, "tests/data/error_order.txt");
    cg_set_warning_handler(NULL, NULL);
}

int main(void) {
    RUN(test_error_order);
    HARNESS_END();
}
