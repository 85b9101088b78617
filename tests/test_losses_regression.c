/* smooth_l1_loss, huber_loss, kl_div, poisson_nll_loss and gaussian_nll_loss against PyTorch 1.13
 * (tests/data/losses_regression.txt from tools/gen_losses_regression.py): each option, reduction
 * and dtype, the loss, its node's name and every operand's gradient; PyTorch's errors. */
#include "harness.h"
#include "golden.h"

#include <stdlib.h>

static int exact_cases, total_cases;

/* smooth_l1 and huber compute PyTorch's expressions in its order: bit for bit, but for
 * smooth_l1's gradient under mean, whose last n % 16 (float32) elements PyTorch rounds in another
 * order (its scalar tail). The composites go through exp and log (SLEEF's in both, but xlogy's log
 * is libm's in PyTorch), so they compare within tol relative (most are exact: the test prints how
 * many). */
static double tolerance(const char *loss, cg_dtype dtype, bool gradient) {
    if (!strcmp(loss, "huber_loss") || (!strcmp(loss, "smooth_l1_loss") && !gradient)) return 0;
    return dtype == CG_FLOAT32 ? 1e-6 : 1e-14;
}

/* "beta=0.5,full=1" into the arguments. */
static void parse_options(char *options, cg_loss_args *a) {
    for (char *opt = strtok(options, ","); opt && strcmp(opt, "-") != 0; opt = strtok(NULL, ",")) {
        char *eq = strchr(opt, '=');
        if (!eq) continue;
        *eq = '\0';
        double v = strtod(eq + 1, NULL);
        if (!strcmp(opt, "beta")) a->beta = CG_OPT(v);
        if (!strcmp(opt, "delta")) a->delta = CG_OPT(v);
        if (!strcmp(opt, "eps")) a->eps = CG_OPT(v);
        if (!strcmp(opt, "log_input")) a->log_input = CG_OPT(v);
        if (!strcmp(opt, "log_target")) a->log_target = v != 0;
        if (!strcmp(opt, "full")) a->full = v != 0;
    }
}

static cg_tensor *call(const char *loss, cg_loss_args a) {
    if (!strcmp(loss, "smooth_l1_loss")) return cg_smooth_l1_loss_opts(a);
    if (!strcmp(loss, "huber_loss")) return cg_huber_loss_opts(a);
    if (!strcmp(loss, "kl_div")) return cg_kl_div_opts(a);
    if (!strcmp(loss, "poisson_nll_loss")) return cg_poisson_nll_loss_opts(a);
    if (!strcmp(loss, "gaussian_nll_loss")) return cg_gaussian_nll_loss_opts(a);
    return NULL;
}

static void ignore_warning(const char *message, void *user) {
    (void)message;
    (void)user;
}

static int check_line(char *line) {
    char *cur = line;
    bool bad = false;
    const char *loss = golden_token(&cur), *r = golden_token(&cur);
    char *options = golden_token(&cur);
    if (!loss || !r || !options) return -1;
    cg_tensor *x = golden_tensor(&cur), *t = golden_tensor(&cur), *var = golden_optional_tensor(&cur, &bad);
    cg_tensor *expected = golden_tensor(&cur);
    const char *node = golden_token(&cur);
    cg_tensor *dx = golden_tensor(&cur), *dt = golden_tensor(&cur), *dvar = golden_optional_tensor(&cur, &bad);
    if (bad || !x || !t || !expected || !node || !dx || !dt) return -1;
    cg_loss_args a = {.input = cg_requires_grad_(x, true), .target = cg_requires_grad_(t, true),
                      .reduction = !strcmp(r, "mean")        ? CG_REDUCTION_MEAN
                                   : !strcmp(r, "sum")       ? CG_REDUCTION_SUM
                                   : !strcmp(r, "batchmean") ? CG_REDUCTION_BATCHMEAN
                                                             : CG_REDUCTION_NONE,
                      .var = var ? cg_requires_grad_(var, true) : NULL};
    parse_options(options, &a);
    double tol = tolerance(loss, cg_get_dtype(x), false), grad_tol = tolerance(loss, cg_get_dtype(x), true);
    bool exact = true;
    cg_tensor *out = call(loss, a);
    if (!golden_close_values(out, expected, tol, &exact) || strcmp(cg_node_name(cg_grad_fn(out)), node) != 0) return -1;
    if (cg_backward(a.reduction == CG_REDUCTION_NONE ? cg_sum(out) : out) < 0) return -1;
    if (!golden_close_values(cg_grad(x), dx, grad_tol, &exact) || !golden_close_values(cg_grad(t), dt, grad_tol, &exact) ||
        (var && !golden_close_values(cg_grad(var), dvar, grad_tol, &exact)))
        return -1;
    total_cases++;
    exact_cases += exact;
    return 0;
}

static void test_golden(void) {
    int bad;
    cg_set_warning_handler(ignore_warning, NULL);
    int cases = golden_check_lines("tests/data/losses_regression.txt", check_line, 20, &bad);
    cg_set_warning_handler(NULL, NULL);
    CHECK(cases == 118);
    CHECK_MSG(bad == 0, "%d of %d cases differ", bad, cases);
    printf("%d of %d cases bit for bit\n", exact_cases, total_cases);
}

static int warnings_seen;
static void count_warning(const char *message, void *user) {
    (void)user;
    warnings_seen += strstr(message, "'batchmean' divides only by the batch size") != NULL;
}

/* PyTorch 1.13's messages. */
static void test_errors(void) {
    cg_tensor *x = cg_randn(3), *t = cg_randn(3);
    CHECK_ERROR(cg_smooth_l1_loss(x, t, .beta = CG_OPT(-1)), "smooth_l1_loss does not support negative values for beta.");
    CHECK_ERROR(cg_huber_loss(x, t, .delta = CG_OPT(0)), "huber_loss does not support non-positive values for delta.");
    cg_set_warning_handler(ignore_warning, NULL);
    CHECK_ERROR(cg_smooth_l1_loss(x, cg_randn(4)),
                "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 0");
    cg_set_warning_handler(NULL, NULL);
    CHECK_ERROR(cg_gaussian_nll_loss(x, t, .var = cg_tensor_f64(((double[]){1, -1, 1}), 3)),
                "var has negative entry/entries");
    CHECK_ERROR(cg_gaussian_nll_loss(x, t, .var = cg_ones(2)), "var is of incorrect size");
    CHECK_ERROR(cg_kl_div(x, t, .reduction = (cg_reduction)9), "9 is not a valid value for reduction");
    CHECK_ERROR(cg_huber_loss(x, t, .reduction = CG_REDUCTION_BATCHMEAN), "3 is not a valid value for reduction");
    cg_set_warning_handler(count_warning, NULL);
    CHECK(cg_kl_div(x, t) != NULL);
    cg_set_warning_handler(NULL, NULL);
    CHECK(warnings_seen == 1);
    CHECK(cg_gaussian_nll_loss(x, t) == NULL);
}

int main(void) {
    RUN(test_golden);
    RUN(test_errors);
    HARNESS_END();
}
