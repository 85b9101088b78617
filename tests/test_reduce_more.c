/* amax, amin, aminmax, logsumexp, all, any, count_nonzero, nansum and nanmean against PyTorch 1.13
 * (tests/data/reduce_more.txt from tools/gen_reduce_more.py): every dtype, dim lists with negative
 * and repeated dims, keepdim, strided, 0-dim and empty inputs, NaN and infinities, errors with
 * their messages; node names and gradients. */
#include "golden_ops.h"

static int dispatch(const golden_op_call *c, cg_tensor **out) {
    cg_tensor *x = c->inputs[0];
    const char *op = c->op;
    cg_reduce_args r = {.input = x, .ndims = c->nargs - 1, .keepdim = c->nargs > 0 && c->args[0] != 0};
    for (int i = 1; i < c->nargs; i++) r.dims[i - 1] = (int)c->args[i];
    int dim = (int)c->args[0];
    bool keep = c->nargs > 1 && c->args[1] != 0;
    if (!strcmp(op, "var_mean") || !strcmp(op, "std_mean")) {
        cg_reduce_args v = {.input = x, .ndims = c->nargs - 2, .keepdim = c->args[0] != 0, .biased = c->args[1] != 0};
        for (int i = 2; i < c->nargs; i++) v.dims[i - 2] = (int)c->args[i];
        out[0] = (op[0] == 'v' ? cg_var_mean_opts : cg_std_mean_opts)(&out[1], v);
        return out[0] ? 2 : -1;
    }
    if (!strcmp(op, "amax")) out[0] = cg_amax_opts(r);
    else if (!strcmp(op, "amin")) out[0] = cg_amin_opts(r);
    else if (!strcmp(op, "logsumexp")) out[0] = cg_logsumexp_opts(r);
    else if (!strcmp(op, "nansum")) out[0] = cg_nansum_opts(r);
    else if (!strcmp(op, "nanmean")) out[0] = cg_nanmean_opts(r);
    else if (!strcmp(op, "count_nonzero")) out[0] = cg_count_nonzero_opts(r);
    else if (!strcmp(op, "all")) out[0] = cg_all(x);
    else if (!strcmp(op, "any")) out[0] = cg_any(x);
    else if (!strcmp(op, "all_dim")) out[0] = cg_all_dim(x, dim, keep);
    else if (!strcmp(op, "any_dim")) out[0] = cg_any_dim(x, dim, keep);
    else if (!strcmp(op, "aminmax")) return (out[0] = cg_aminmax(x, &out[1])) ? 2 : -1;
    else if (!strcmp(op, "aminmax_dim")) return (out[0] = cg_aminmax_dim(x, dim, keep, &out[1])) ? 2 : -1;
    else return -2;
    return out[0] ? 1 : -1;
}

/* 1.13 warns when aminmax resizes its 0-dim outputs to [1] (a golden line has one). */
static int warnings;
static void count_warning(const char *message, void *user) {
    (void)user;
    warnings += strstr(message, "An output with one or more elements was resized") != NULL;
}

/* logsumexp's float32 exp is SLEEF's, as in PyTorch's vectorized kernel; libm's expf (a build
 * without SLEEF) rounds some elements otherwise. */
static double tolerance(const golden_op_call *c) {
#ifndef CG_HAVE_SLEEF
    if (!strcmp(c->op, "logsumexp")) return 1e-6;
#endif
    (void)c;
    return 0;
}

static void test_golden(void) {
    golden_op_tolerance = tolerance;
    cg_set_warning_handler(count_warning, NULL);
    CHECK(golden_op_file("tests/data/reduce_more.txt", dispatch) == 0);
    CHECK(warnings == 1);
    cg_set_warning_handler(NULL, NULL);
}

static const char *node_name(cg_tensor *t) { return t && cg_grad_fn(t) ? cg_node_name(cg_grad_fn(t)) : "(none)"; }

static void test_node_names(void) {
    cg_tensor *x = cg_requires_grad_(cg_tensor_f32(((float[]){1, 3, 3, 2}), 2, 2), true);
    CHECK_STR(node_name(cg_amax(x)), "AmaxBackward0");
    CHECK_STR(node_name(cg_amin(x, CG_DIMS(1))), "AminBackward0");
    CHECK_STR(node_name(cg_logsumexp(x, CG_DIMS(0))), "LogsumexpBackward0");
    CHECK_STR(node_name(cg_nansum(x)), "NansumBackward0");
    CHECK_STR(node_name(cg_nanmean(x)), "DivBackward0");
    cg_tensor *hi = NULL;
    CHECK_STR(node_name(cg_aminmax(x, &hi)), "NotImplemented");
    CHECK_STR(node_name(hi), "NotImplemented");
    CHECK(cg_grad_fn(cg_all(x)) == NULL && cg_grad_fn(cg_count_nonzero(x)) == NULL);
    cg_tensor *mean = NULL;
    cg_tensor *var = cg_var_mean(&mean, x, CG_DIMS(1));
    CHECK_STR(node_name(var), "VarMeanBackward0");
    CHECK(mean && cg_grad_fn(mean) == cg_grad_fn(var));
    CHECK_STR(node_name(cg_std_mean(NULL, x)), "StdMeanBackward0");
}

static void test_gradients(void) {
    /* amax shares the gradient among ties: (1, 3, 3, 2) -> 0, 0.5, 0.5, 0 */
    cg_tensor *x = cg_requires_grad_(cg_tensor_f32(((float[]){1, 3, 3, 2}), 4), true);
    CHECK(cg_backward(cg_amax(x)) == 0);
    CHECK(harness_values_close(cg_grad(x), (double[]){0, 0.5, 0.5, 0}, 0));
    /* nansum: no gradient at the NaN */
    cg_tensor *y = cg_requires_grad_(cg_tensor_f64(((double[]){1, NAN, 2}), 3), true);
    CHECK(cg_backward(cg_nansum(y)) == 0);
    CHECK(harness_values_close(cg_grad(y), (double[]){1, 0, 1}, 0));
    /* aminmax has no derivative in PyTorch 1.13 */
    cg_tensor *z = cg_requires_grad_(cg_tensor_f32(((float[]){1, 2}), 2), true);
    cg_clear_error();
    CHECK(cg_backward(cg_aminmax(z, NULL)) == -1);
    CHECK_STR(harness_error(), "RuntimeError: derivative for aten::aminmax is not implemented");
}

int main(void) {
    RUN(test_golden);
    RUN(test_node_names);
    RUN(test_gradients);
    HARNESS_END();
}
