/* The losses' options against PyTorch 1.13 (tests/data/losses.txt from tools/gen_losses.py):
 * nll_loss and cross_entropy with weight, ignore_index, label_smoothing, probability targets and
 * (N, C, d1, ...) inputs; binary_cross_entropy with weight; binary_cross_entropy_with_logits with
 * weight and pos_weight. Each case checks the loss, its node's name and the gradients; PyTorch's
 * errors follow. */
#include "harness.h"
#include "golden.h"

#include <stdlib.h>

/* nll_loss is PyTorch's kernels, forward and backward, and binary_cross_entropy's forward its
 * scalar loop: bit for bit. cross_entropy goes through log_softmax (PyTorch's kernel, exact with
 * SLEEF) and composed sums; binary_cross_entropy's gradients through logit (PyTorch's kernel is
 * not reproduced) and binary_cross_entropy_with_logits through exp, log, sigmoid and log_sigmoid
 * (func's log_sigmoid agrees within 4 eps only): those compare within tol relative (and most
 * are exact: the test prints how many). */
static double tolerance(const char *loss, cg_dtype dtype, bool gradient) {
    if (!strcmp(loss, "nll_loss") || (!strcmp(loss, "binary_cross_entropy") && !gradient)) return 0;
    return dtype == CG_FLOAT32 ? 1e-6 : 1e-14;
}

static int exact_cases, total_cases;

static cg_tensor *call(const char *loss, cg_loss_args a) {
    if (!strcmp(loss, "nll_loss")) return cg_nll_loss_opts(a);
    if (!strcmp(loss, "cross_entropy")) return cg_cross_entropy_opts(a);
    if (!strcmp(loss, "binary_cross_entropy")) return cg_binary_cross_entropy_opts(a);
    if (!strcmp(loss, "binary_cross_entropy_with_logits")) return cg_binary_cross_entropy_with_logits_opts(a);
    return NULL;
}

static int check_line(char *line) {
    char *cur = line;
    bool bad = false;
    const char *loss = golden_token(&cur), *r = golden_token(&cur), *ignore = golden_token(&cur);
    const char *smoothing = golden_token(&cur);
    if (!loss || !r || !ignore || !smoothing) return -1;
    cg_tensor *w = golden_optional_tensor(&cur, &bad), *pw = golden_optional_tensor(&cur, &bad);
    cg_tensor *x = golden_tensor(&cur), *t = golden_tensor(&cur), *expected = golden_tensor(&cur);
    const char *node = golden_token(&cur);
    cg_tensor *dx = golden_tensor(&cur), *dt = golden_optional_tensor(&cur, &bad);
    if (bad || !x || !t || !expected || !node || !dx) return -1;
    cg_loss_args a = {.input = cg_requires_grad_(x, true), .target = dt ? cg_requires_grad_(t, true) : t,
                      .reduction = !strcmp(r, "mean") ? CG_REDUCTION_MEAN
                                   : !strcmp(r, "sum") ? CG_REDUCTION_SUM
                                                       : CG_REDUCTION_NONE,
                      .weight = w, .pos_weight = pw, .label_smoothing = strtod(smoothing, NULL)};
    if (strcmp(ignore, "-") != 0) a.ignore_index = CG_OPT(strtoll(ignore, NULL, 10));
    double tol = tolerance(loss, cg_get_dtype(x), false), grad_tol = tolerance(loss, cg_get_dtype(x), true);
    bool exact = true;
    cg_tensor *out = call(loss, a);
    if (!golden_close_values(out, expected, tol, &exact) || strcmp(cg_node_name(cg_grad_fn(out)), node) != 0) return -1;
    if (cg_backward(a.reduction == CG_REDUCTION_NONE ? cg_sum(out) : out) < 0) return -1;
    if (!golden_close_values(cg_grad(x), dx, grad_tol, &exact) || (dt && !golden_close_values(cg_grad(t), dt, grad_tol, &exact))) return -1;
    total_cases++;
    exact_cases += exact;
    return 0;
}

static void test_golden(void) {
    int bad;
    int cases = golden_check_lines("tests/data/losses.txt", check_line, 20, &bad);
    CHECK(cases == 240);
    CHECK_MSG(bad == 0, "%d of %d cases differ", bad, cases);
    printf("%d of %d cases bit for bit\n", exact_cases, total_cases);
}

/* PyTorch 1.13's messages (tools/gen_losses.py's interpreter shows them). */
static void test_errors(void) {
    cg_tensor *x = cg_randn(4, 3), *t = cg_tensor_i64(((int64_t[]){0, 1, 2, 1}), 4);
    CHECK_ERROR(cg_nll_loss(x, t, .weight = cg_rand(4)),
                "weight tensor should be defined either for all 3 classes or no classes but got weight tensor of shape: [4]");
    CHECK_ERROR(cg_nll_loss(x, t, .weight = cg_to(cg_rand(3), CG_FLOAT64)), "expected scalar type Float but found Double");
    CHECK_ERROR(cg_nll_loss(x, t, .weight = cg_requires_grad_(cg_rand(3), true)),
                "The function 'nll_loss_forward' is not differentiable with respect to argument 'weight'. This input "
                "cannot have requires_grad True.");
    CHECK_ERROR(cg_nll_loss(x, cg_tensor_i64(((int64_t[]){0, -100, 2, 1}), 4), .ignore_index = CG_OPT(1)),
                "Target -100 is out of bounds.");
    cg_tensor *x4 = cg_randn(2, 3, 2, 2), *t3 = cg_zeros_shape(CG_INT64, 3, (int64_t[]){2, 2, 2});
    CHECK_ERROR(cg_nll_loss(x4, t3, .weight = cg_rand(4)), "weight tensor should be defined either for all or no classes");
    CHECK_ERROR(cg_nll_loss(x4, cg_slice(t3, 1, 0, 1, 1)), "size mismatch (got input: [2, 3, 2, 2] , target: [2, 1, 2]");
    CHECK_ERROR(cg_nll_loss(x4, cg_unsqueeze(t3, 3)),
                "only batches of spatial targets supported (3D tensors) but got targets of dimension: 4");
    CHECK_ERROR(cg_nll_loss(cg_randn(2, 3, 4), cg_zeros_shape(CG_INT64, 2, (int64_t[]){2, 5})),
                "Expected target size [2, 4], got [2, 5]");
    CHECK_ERROR(cg_nll_loss(x4, cg_add_scalar(t3, 5)), "Target 5 is out of bounds.");
    CHECK(cg_nll_loss(x4, cg_sub_scalar(t3, 1), .ignore_index = CG_OPT(-1)) != NULL);
    CHECK_ERROR(cg_cross_entropy(x, t, .label_smoothing = 1.5), "label_smoothing must be between 0.0 and 1.0. Got: 1.5");
    CHECK_ERROR(cg_cross_entropy(x, cg_rand(4, 3), .ignore_index = CG_OPT(1)),
                "ignore_index is not supported for floating point target");
    CHECK_ERROR(cg_cross_entropy(x, cg_rand(4, 3), .weight = cg_rand(4)),
                "cross_entropy: weight tensor should be defined either for all 3 classes or no classes but got weight "
                "tensor of shape: [4]");
    cg_tensor *p = cg_rand(3);
    CHECK_ERROR(cg_binary_cross_entropy(cg_add_scalar(p, 1.5), p), "all elements of input should be between 0 and 1");
    CHECK_ERROR(cg_binary_cross_entropy(p, cg_rand(4)),
                "Using a target size (torch.Size([4])) that is different to the input size (torch.Size([3])) is "
                "deprecated. Please ensure they have the same size.");
    CHECK_ERROR(cg_binary_cross_entropy(p, cg_to(p, CG_FLOAT64)), "Found dtype Double but expected Float");
    CHECK_ERROR(cg_binary_cross_entropy(cg_to(p, CG_INT64), cg_to(p, CG_INT64)),
                "\"binary_cross_entropy\" not implemented for 'Long'");
    CHECK_ERROR(cg_binary_cross_entropy(cg_view(p, 3, 1), cg_view(p, 3, 1), .weight = cg_rand(3)),
                "output with shape [3, 1] doesn't match the broadcast shape [3, 3]");
    CHECK_ERROR(cg_binary_cross_entropy(p, p, .weight = cg_requires_grad_(cg_rand(3), true)),
                "The function 'binary_cross_entropy' is not differentiable with respect to argument 'weight'. This "
                "input cannot have requires_grad True.");
    CHECK_ERROR(cg_binary_cross_entropy_with_logits(x, cg_rand(4, 3), .pos_weight = cg_rand(4)),
                "The size of tensor a (4) must match the size of tensor b (3) at non-singleton dimension 1");
    CHECK_ERROR(cg_binary_cross_entropy_with_logits(x, cg_rand(4, 3), .pos_weight = cg_requires_grad_(cg_rand(3), true)),
                "The function 'binary_cross_entropy_with_logits' is not differentiable with respect to argument "
                "'pos_weight'. This input cannot have requires_grad True.");
    CHECK(cg_binary_cross_entropy(cg_to(x, CG_FLOAT64), NULL) == NULL);
}

/* Odd operands get a result or an error, never a crash (run under valgrind and ASan). */
static void test_odd_operands(void) {
    cg_tensor *x = cg_randn(4, 3), *t = cg_tensor_i64(((int64_t[]){0, 1, 2, 1}), 4), *e = cg_zeros(0, 3);
    CHECK(cg_nll_loss(x, t, .ignore_index = CG_OPT(1e300)) != NULL); /* clamped: no target equals it */
    CHECK(cg_nll_loss(x, t, .ignore_index = CG_OPT(NAN)) != NULL);
    CHECK(cg_nll_loss(cg_zeros(0, 3, 0), cg_zeros_shape(CG_INT64, 2, (int64_t[]){0, 0})) != NULL);
    CHECK(cg_nll_loss(cg_zeros(2, 3, 0, 4), cg_zeros_shape(CG_INT64, 3, (int64_t[]){2, 0, 4}), .weight = cg_ones(3)) != NULL);
    CHECK(cg_cross_entropy(e, cg_zeros_shape(CG_INT64, 1, (int64_t[]){0}), .label_smoothing = 0.2, .weight = cg_ones(3)) != NULL);
    CHECK(cg_binary_cross_entropy(e, e, .weight = cg_ones(3)) != NULL);
    CHECK(cg_binary_cross_entropy_with_logits(e, e, .pos_weight = cg_ones(3), .weight = cg_ones(3)) != NULL);
    CHECK(!cg_nll_loss(cg_zeros_shape(CG_INT64, 4, (int64_t[]){2, 3, 2, 2}), cg_zeros_shape(CG_INT64, 3, (int64_t[]){2, 2, 2})));
    CHECK(!cg_cross_entropy(x, cg_to(cg_ones(4), CG_BOOL), .label_smoothing = 0.2));
}

int main(void) {
    RUN(test_golden);
    RUN(test_errors);
    RUN(test_odd_operands);
    HARNESS_END();
}
