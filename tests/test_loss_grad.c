/* Losses and the softmax family against PyTorch 1.13 (tests/data/loss_grad.txt, written by
 * tools/gen_loss_grad.py): forward values in float32 and float64, node names, gradients, and the
 * exact error messages. */
#include "grad_golden.h"

typedef struct {
    const char *name;
    cg_tensor *(*fn)(cg_tensor **in);
} loss_case;

#define CASE(name, expr) \
    static cg_tensor *name(cg_tensor **in) { return expr; }
#define SUM .reduction = CG_REDUCTION_SUM
#define NONE .reduction = CG_REDUCTION_NONE
CASE(bce_mean, cg_binary_cross_entropy_with_logits(in[0], in[1]))
CASE(bce_sum, cg_binary_cross_entropy_with_logits(in[0], in[1], SUM))
CASE(bce_none, cg_binary_cross_entropy_with_logits(in[0], in[1], NONE))
CASE(mse_mean, cg_mse_loss(in[0], in[1]))
CASE(mse_sum, cg_mse_loss(in[0], in[1], SUM))
CASE(mse_none, cg_mse_loss(in[0], in[1], NONE))
CASE(softmax_dim1, cg_softmax(in[0], 1))
CASE(softmax_dim0, cg_softmax(in[0], 0))
CASE(log_softmax_dim1, cg_log_softmax(in[0], 1))
CASE(log_softmax_dim0, cg_log_softmax(in[0], 0))
CASE(log_softmax_last, cg_log_softmax(in[0], -1))
CASE(nll_mean, cg_nll_loss(in[0], in[1]))
CASE(nll_sum, cg_nll_loss(in[0], in[1], SUM))
CASE(nll_none, cg_nll_loss(in[0], in[1], NONE))
CASE(cross_entropy, cg_cross_entropy(in[0], in[1]))
CASE(cross_entropy_none, cg_cross_entropy(in[0], in[1], NONE))

static const loss_case cases[] = {
    {"bce_mean", bce_mean}, {"bce_sum", bce_sum}, {"bce_none", bce_none}, {"bce_mean_f64", bce_mean},
    {"bce_large_logits", bce_mean}, {"bce_mixed_dtypes", bce_mean}, {"mse_mean", mse_mean}, {"mse_sum", mse_sum},
    {"mse_none", mse_none}, {"mse_mean_f64", mse_mean}, {"mse_broadcast", mse_mean}, {"softmax_dim1", softmax_dim1},
    {"softmax_dim0", softmax_dim0}, {"softmax_3d", softmax_dim1}, {"softmax_0d", softmax_dim0},
    {"softmax_inf", softmax_dim0}, {"log_softmax_dim1", log_softmax_dim1}, {"log_softmax_dim0", log_softmax_dim0},
    {"log_softmax_big", log_softmax_last}, {"nll_mean", nll_mean}, {"nll_sum", nll_sum}, {"nll_none", nll_none},
    {"nll_ignored", nll_mean}, {"nll_all_ignored", nll_mean}, {"nll_1d", nll_mean}, {"nll_empty", nll_mean},
    {"nll_large", nll_mean}, {"nll_large_sum_f64", nll_sum}, {"cross_entropy", cross_entropy},
    {"cross_entropy_none", cross_entropy_none}, {"cross_entropy_1d", cross_entropy},
    {"cross_entropy_probs", cross_entropy},
};

static const loss_case *find_case(const char *name) {
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (!strcmp(cases[i].name, name)) return &cases[i];
    return NULL;
}

static int warnings_seen;
static void count_warning(const char *message, void *user) {
    (void)user;
    (void)message;
    warnings_seen++;
}

/* nll_loss sums with PyTorch's cascade, so its values are exact; the others agree to a few ulps
 * (PyTorch's vectorized exp, log and sums round differently from libm's). */
static double tolerance(const char *name, cg_dtype dtype) {
    if (!strncmp(name, "nll_", 4)) return 0;
    return dtype == CG_FLOAT64 ? 1e-12 : 2e-6;
}

static void run_value_line(char *line) {
    char *cursor = line;
    char *name = golden_token(&cursor), *node = golden_token(&cursor), *count = golden_token(&cursor);
    const loss_case *c = name ? find_case(name) : NULL;
    CHECK_MSG(c && node && count, "no C function for golden case %s", name ? name : "(empty)");
    if (!c || !node || !count) return;
    int n = atoi(count);
    cg_tensor *in[2] = {NULL, NULL};
    for (int i = 0; i < n; i++) {
        cg_tensor *values = golden_tensor(&cursor);
        in[i] = cg_dtype_is_floating(cg_get_dtype(values)) ? cg_requires_grad_(cg_clone(values), true) : values;
    }
    cg_tensor *grad_output = golden_tensor(&cursor), *expected = golden_tensor(&cursor);
    cg_clear_error();
    cg_tensor *out = c->fn(in);
    double tol = tolerance(name, cg_get_dtype(expected));
    CHECK_MSG(out && cg_get_dtype(out) == cg_get_dtype(expected), "%s: no output or wrong dtype (%s)", name,
              cg_last_error());
    CHECK_MSG(tensors_close(out, expected, tol), "%s: output differs", name);
    CHECK_MSG(out && cg_grad_fn(out) && !strcmp(cg_node_name(cg_grad_fn(out)), node), "%s: grad_fn %s, expected %s",
              name, out && cg_grad_fn(out) ? cg_node_name(cg_grad_fn(out)) : "None", node);
    CHECK_MSG(cg_backward(out, .gradient = grad_output) == 0, "%s: backward failed: %s", name, cg_last_error());
    for (int i = 0; i < n; i++) {
        char *rest = cursor + strspn(cursor, " \t");
        if (!strncmp(rest, "none", 4)) {
            golden_token(&cursor);
            CHECK_MSG(!cg_requires_grad(in[i]), "%s: input %d should have no gradient", name, i);
        } else {
            cg_tensor *grad = golden_tensor(&cursor);
            CHECK_MSG(tensors_close(cg_grad(in[i]), grad, tol ? tol : 1e-6), "%s: gradient of input %d differs", name, i);
        }
    }
}

/* ---- errors: each case again in C ---- */

static cg_tensor *ones(cg_dtype dtype, int ndim, const int64_t *sizes) { return cg_ones_shape(dtype, ndim, sizes); }
#define ONES(dtype, ...) ones(dtype, CG_SHAPE(__VA_ARGS__))
#define F32 CG_FLOAT32
#define I64 CG_INT64
#define TARGETS(...) cg_tensor_i64(((int64_t[]){__VA_ARGS__}), CG_NARGS(__VA_ARGS__))

static cg_tensor *error_case(const char *name) {
    if (!strcmp(name, "bce_shape")) return cg_binary_cross_entropy_with_logits(ONES(F32, 3, 4), ONES(F32, 3));
    if (!strcmp(name, "bce_long_target")) return cg_binary_cross_entropy_with_logits(ONES(F32, 3), ONES(I64, 3));
    if (!strcmp(name, "bce_long_target_f64"))
        return cg_binary_cross_entropy_with_logits(ONES(CG_FLOAT64, 3), ONES(I64, 3));
    if (!strcmp(name, "bce_long_input")) return cg_binary_cross_entropy_with_logits(ONES(I64, 3), ONES(F32, 3));
    if (!strcmp(name, "bce_bool_target")) return cg_binary_cross_entropy_with_logits(ONES(F32, 3), ONES(CG_BOOL, 3));
    if (!strcmp(name, "bce_bool_input")) return cg_binary_cross_entropy_with_logits(ONES(CG_BOOL, 3), ONES(F32, 3));
    if (!strcmp(name, "mse_broadcast")) return cg_mse_loss(ONES(F32, 3, 4), ONES(F32, 5));
    if (!strcmp(name, "mse_long")) return cg_mse_loss(ONES(I64, 3), ONES(I64, 3));
    if (!strcmp(name, "softmax_long")) return cg_softmax(ONES(I64, 3), 0);
    if (!strcmp(name, "softmax_long_dim0")) return cg_softmax(ONES(I64, 3, 2), 0);
    if (!strcmp(name, "log_softmax_long")) return cg_log_softmax(ONES(I64, 3, 2), 1);
    if (!strcmp(name, "log_softmax_long_dim0")) return cg_log_softmax(ONES(I64, 3, 2), 0);
    if (!strcmp(name, "softmax_dim")) return cg_softmax(ONES(F32, 3, 2), 2);
    if (!strcmp(name, "nll_out_of_bounds")) return cg_nll_loss(ONES(F32, 3, 4), TARGETS(0, 1, 5));
    if (!strcmp(name, "nll_negative")) return cg_nll_loss(ONES(F32, 3, 4), TARGETS(0, -1, 2));
    if (!strcmp(name, "nll_none_out_of_bounds")) return cg_nll_loss(ONES(F32, 3, 4), TARGETS(0, 9, -5), NONE);
    if (!strcmp(name, "nll_1d_out_of_bounds")) return cg_nll_loss(ONES(F32, 4), cg_scalar(7, I64));
    if (!strcmp(name, "nll_batch")) return cg_nll_loss(ONES(F32, 3, 4), TARGETS(0, 1));
    if (!strcmp(name, "nll_float_target")) return cg_nll_loss(ONES(F32, 3, 4), ONES(F32, 3));
    if (!strcmp(name, "nll_bool_target")) return cg_nll_loss(ONES(F32, 3, 4), ONES(CG_BOOL, 3));
    if (!strcmp(name, "nll_long_input")) return cg_nll_loss(ONES(I64, 3, 4), TARGETS(0, 1, 2));
    if (!strcmp(name, "nll_2d_target")) return cg_nll_loss(ONES(F32, 3, 4), cg_zeros_shape(I64, CG_SHAPE(3, 1)));
    if (!strcmp(name, "nll_0d_input")) return cg_nll_loss(cg_scalar(1, F32), cg_scalar(0, I64));
    if (!strcmp(name, "nll_1d_size")) return cg_nll_loss(ONES(F32, 4), TARGETS(1));
    if (!strcmp(name, "nll_0d_target")) return cg_nll_loss(ONES(F32, 3, 4), cg_scalar(1, I64));
    if (!strcmp(name, "nll_no_classes")) return cg_nll_loss(ONES(F32, 3, 0), TARGETS(0, 0, 0));
    if (!strcmp(name, "nll_1d_no_classes")) return cg_nll_loss(ONES(F32, 0), cg_scalar(0, I64));
    if (!strcmp(name, "cross_entropy_out_of_bounds")) return cg_cross_entropy(ONES(F32, 3, 4), TARGETS(0, 1, 5));
    if (!strcmp(name, "cross_entropy_batch")) return cg_cross_entropy(ONES(F32, 3, 4), TARGETS(0, 1));
    if (!strcmp(name, "cross_entropy_long_probs")) return cg_cross_entropy(ONES(F32, 3, 4), ONES(I64, 3, 4));
    CHECK_MSG(false, "no C case for golden error %s", name);
    return NULL;
}

static void run_error_line(char *line) {
    char *cursor = line;
    golden_token(&cursor);
    char *name = golden_token(&cursor);
    if (!name) return;
    const char *message = cursor + strspn(cursor, " \t");
    cg_clear_error();
    CHECK_MSG(error_case(name) == NULL, "%s: expected an error", name);
    CHECK_MSG(!strcmp(harness_error(), message), "%s:\n  got:      %s\n  expected: %s", name, harness_error(), message);
}

static void test_golden(void) {
    cg_set_warning_handler(count_warning, NULL);
    golden_file g;
    CHECK(golden_open(&g, "tests/data/loss_grad.txt") == 0);
    if (!g.f) return;
    int values = 0, errors = 0;
    for (char *line; (line = golden_next_line(&g));) CG_SCOPE {
        if (!strncmp(line, "error ", 6)) {
            run_error_line(line);
            errors++;
        } else {
            run_value_line(line);
            values++;
        }
    }
    golden_close(&g);
    cg_set_warning_handler(NULL, NULL);
    CHECK(values == (int)(sizeof cases / sizeof cases[0]) && errors == 30);
    CHECK(warnings_seen == 2); /* mse_loss with a target of another shape, in both golden runs */
}

/* PyTorch's warning for mse_loss targets of another shape, word for word. */
static char last_warning[512];
static void keep_warning(const char *message, void *user) {
    (void)user;
    snprintf(last_warning, sizeof last_warning, "%s", message);
}

static void test_mse_warning(void) {
    cg_set_warning_handler(keep_warning, NULL);
    CHECK(cg_mse_loss(cg_ones(3, 4), cg_ones(4)) != NULL);
    cg_set_warning_handler(NULL, NULL);
    CHECK_STR(last_warning, "Using a target size (torch.Size([4])) that is different to the input size "
                            "(torch.Size([3, 4])). This will likely lead to incorrect results due to broadcasting. "
                            "Please ensure they have the same size.");
}

static void test_invalid_reduction(void) {
    CHECK_ERROR(cg_mse_loss(cg_ones(3), cg_ones(3), .reduction = (cg_reduction)7), "7 is not a valid value for reduction");
}

/* Graphs: cross_entropy is nll_loss over log_softmax; the target gets no edge. */
static void test_graphs(void) {
    cg_tensor *x = cg_requires_grad_(cg_ones(2, 3), true);
    cg_node *n = cg_grad_fn(cg_cross_entropy(x, TARGETS(0, 2)));
    CHECK_STR(cg_node_name(n), "NllLossBackward0");
    CHECK(cg_node_num_next(n) == 1);
    CHECK_STR(cg_node_name(cg_node_next(n, 0, NULL)), "LogSoftmaxBackward0");
    n = cg_grad_fn(cg_binary_cross_entropy_with_logits(x, cg_zeros(2, 3)));
    CHECK(cg_node_num_next(n) == 2 && cg_node_next(n, 1, NULL) == NULL);
    CG_NO_GRAD { CHECK(cg_grad_fn(cg_softmax(x, 1)) == NULL); }
}

/* The seed's logistic-regression step: gradients of the mean loss through matmul and add. */
static void test_logistic_regression_step(void) {
    cg_manual_seed(0);
    cg_tensor *x = cg_ones(5), *y = cg_zeros(3);
    cg_tensor *w = cg_requires_grad_(cg_randn(5, 3), true), *b = cg_requires_grad_(cg_randn(3), true);
    cg_tensor *loss = cg_binary_cross_entropy_with_logits(cg_add(cg_matmul(x, w), b), y);
    CHECK(cg_backward(loss) == 0);
    CHECK(harness_values_close(cg_grad(b), (double[]){0.2661, 0.1179, 0.0027}, 5e-4));
}

int main(void) {
    RUN(test_golden);
    RUN(test_mse_warning);
    RUN(test_invalid_reduction);
    RUN(test_graphs);
    RUN(test_logistic_regression_step);
    HARNESS_END();
}
