/* Cumulative scans against PyTorch 1.13 (tests/data/scan.txt from tools/gen_scan.py): every dtype
 * and the dtype option, strided inputs, long lines (float32 accumulated in double), NaN, infinities,
 * ties, 0-dim and empty inputs, errors with their messages; node names and gradient routing. */
#include "golden_ops.h"

static int dispatch(const golden_op_call *c, cg_tensor **out) {
    cg_tensor *x = c->inputs[0];
    int dim = (int)c->args[0];
    cg_dtype dtype = (cg_dtype)c->args[1];
    const char *op = c->op;
    if (!strcmp(op, "cumsum")) out[0] = cg_cumsum(x, dim);
    else if (!strcmp(op, "cumsum_dtype")) out[0] = cg_cumsum_dtype(x, dim, dtype);
    else if (!strcmp(op, "cumprod")) out[0] = cg_cumprod(x, dim);
    else if (!strcmp(op, "cumprod_dtype")) out[0] = cg_cumprod_dtype(x, dim, dtype);
    else if (!strcmp(op, "logcumsumexp")) out[0] = cg_logcumsumexp(x, dim);
    else if (!strcmp(op, "cummax") || !strcmp(op, "cummin")) {
        out[0] = (op[4] == 'a' ? cg_cummax : cg_cummin)(x, dim, &out[1]);
        return out[0] ? 2 : -1;
    } else return -2;
    return out[0] ? 1 : -1;
}

static void test_golden(void) { CHECK(golden_op_file("tests/data/scan.txt", dispatch) == 0); }

static const char *node_name(cg_tensor *t) { return t && cg_grad_fn(t) ? cg_node_name(cg_grad_fn(t)) : "(none)"; }

static void test_node_names(void) {
    cg_tensor *x = cg_requires_grad_(cg_tensor_f32(((float[]){1, 2, 3}), 3), true);
    CHECK_STR(node_name(cg_cumsum(x, 0)), "CumsumBackward0");
    CHECK_STR(node_name(cg_cumsum_dtype(x, 0, CG_FLOAT64)), "CumsumBackward0");
    CHECK_STR(node_name(cg_cumprod(x, 0)), "CumprodBackward0");
    CHECK_STR(node_name(cg_logcumsumexp(x, 0)), "LogcumsumexpBackward0");
    cg_tensor *idx = NULL;
    CHECK_STR(node_name(cg_cummax(x, 0, &idx)), "CummaxBackward0");
    CHECK(idx && cg_grad_fn(idx) == NULL && !cg_requires_grad(idx));
    CHECK_STR(node_name(cg_cummin(x, 0, NULL)), "CumminBackward0");
    CHECK(cg_grad_fn(cg_cumsum_dtype(x, 0, CG_INT64)) == NULL); /* integer results have no history */
}

/* The gradient of cumsum(float32, dtype=float64) is float32 (the input's), of cummax goes to the
 * positions the values came from (ties: the latest). */
static void test_gradients(void) {
    cg_tensor *x = cg_requires_grad_(cg_tensor_f32(((float[]){1, 3, 3, 2}), 4), true);
    CHECK(cg_backward(cg_sum(cg_cumsum_dtype(x, 0, CG_FLOAT64))) == 0);
    CHECK(cg_get_dtype(cg_grad(x)) == CG_FLOAT32 && harness_values_close(cg_grad(x), (double[]){4, 3, 2, 1}, 0));
    cg_tensor *w = cg_requires_grad_(cg_tensor_f32(((float[]){1, 3, 3, 2}), 4), true);
    CHECK(cg_backward(cg_sum(cg_cummax(w, 0, NULL))) == 0);
    CHECK(harness_values_close(cg_grad(w), (double[]){1, 1, 2, 0}, 0));
    cg_tensor *z = cg_requires_grad_(cg_tensor_f64(((double[]){2, 0, 3, 4}), 4), true);
    CHECK(cg_backward(cg_sum(cg_cumprod(z, 0))) == 0); /* a zero: 1 + 2 (0 + 1 * (3 + 3 * 4))... */
    CHECK(harness_values_close(cg_grad(z), (double[]){1, 2 * (1 + 3 + 12), 0, 0}, 1e-12));
}

int main(void) {
    RUN(test_golden);
    RUN(test_node_names);
    RUN(test_gradients);
    HARNESS_END();
}
