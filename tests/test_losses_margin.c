/* margin_ranking, hinge_embedding, cosine_embedding, triplet_margin, soft_margin and
 * multilabel_soft_margin losses against PyTorch 1.13 (tests/data/losses_margin.txt from
 * tools/gen_losses_margin.py): the loss, its node's name and the gradients; PyTorch's errors. */
#include "harness.h"
#include "golden.h"

#include <stdlib.h>

static int exact_cases, total_cases;

/* All are composed of cgrad ops in PyTorch's order; sums, sqrt, norms, exp, log1p and
 * log_sigmoid round within a few ulps of PyTorch's (func's log_sigmoid within 4 eps), so values
 * compare within tol relative; most are exact (the test prints how many). */
static double tolerance(cg_dtype dtype) { return dtype == CG_FLOAT32 ? 2e-6 : 1e-14; }

static void parse_options(char *options, cg_loss_args *a) {
    for (char *opt = strtok(options, ","); opt && strcmp(opt, "-") != 0; opt = strtok(NULL, ",")) {
        char *eq = strchr(opt, '=');
        if (!eq) continue;
        *eq = '\0';
        double v = strtod(eq + 1, NULL);
        if (!strcmp(opt, "margin")) a->margin = CG_OPT(v);
        if (!strcmp(opt, "p")) a->p = CG_OPT(v);
        if (!strcmp(opt, "swap")) a->swap = v != 0;
    }
}

static cg_tensor *call(const char *loss, cg_loss_args a) {
    if (!strcmp(loss, "margin_ranking_loss")) return cg_margin_ranking_loss_opts(a);
    if (!strcmp(loss, "hinge_embedding_loss")) return cg_hinge_embedding_loss_opts(a);
    if (!strcmp(loss, "cosine_embedding_loss")) return cg_cosine_embedding_loss_opts(a);
    if (!strcmp(loss, "triplet_margin_loss")) return cg_triplet_margin_loss_opts(a);
    if (!strcmp(loss, "soft_margin_loss")) return cg_soft_margin_loss_opts(a);
    if (!strcmp(loss, "multilabel_soft_margin_loss")) return cg_multilabel_soft_margin_loss_opts(a);
    return NULL;
}

static int check_line(char *line) {
    char *cur = line;
    bool bad = false;
    const char *loss = golden_token(&cur), *r = golden_token(&cur);
    char *options = golden_token(&cur);
    if (!loss || !r || !options) return -1;
    cg_tensor *x = golden_tensor(&cur), *x2 = golden_optional_tensor(&cur, &bad), *t = golden_tensor(&cur);
    cg_tensor *expected = golden_tensor(&cur);
    const char *node = golden_token(&cur);
    cg_tensor *dx = golden_tensor(&cur), *dx2 = golden_optional_tensor(&cur, &bad), *dt = golden_optional_tensor(&cur, &bad);
    if (bad || !x || !t || !expected || !node || !dx) return -1;
    bool weight = !strcmp(loss, "multilabel_soft_margin_loss");
    cg_loss_args a = {.input = cg_requires_grad_(x, true), .target = dt ? cg_requires_grad_(t, true) : t,
                      .reduction = !strcmp(r, "mean")  ? CG_REDUCTION_MEAN
                                   : !strcmp(r, "sum") ? CG_REDUCTION_SUM
                                                       : CG_REDUCTION_NONE,
                      .weight = weight ? x2 : NULL, .input2 = !weight && x2 ? cg_requires_grad_(x2, true) : NULL};
    parse_options(options, &a);
    double tol = tolerance(cg_get_dtype(x));
    bool exact = true;
    cg_tensor *out = call(loss, a);
    bool same_node = !strcmp(cg_node_name(cg_grad_fn(out)), node);
    if (!golden_close_values(out, expected, tol, &exact) || !same_node) return -1;
    if (cg_backward(a.reduction == CG_REDUCTION_NONE ? cg_sum(out) : out) < 0) return -1;
    if (!golden_close_values(cg_grad(x), dx, tol, &exact) || (dx2 && !golden_close_values(cg_grad(x2), dx2, tol, &exact)) ||
        (dt && !golden_close_values(cg_grad(t), dt, tol, &exact)))
        return -1;
    total_cases++;
    exact_cases += exact;
    return 0;
}

static void test_golden(void) {
    int bad;
    int cases = golden_check_lines("tests/data/losses_margin.txt", check_line, 20, &bad);
    CHECK(cases == 78);
    CHECK_MSG(bad == 0, "%d of %d cases differ", bad, cases);
    printf("%d of %d cases bit for bit\n", exact_cases, total_cases);
}

/* PyTorch 1.13's messages. */
static void test_errors(void) {
    cg_tensor *a = cg_randn(3, 4);
    CHECK_ERROR(cg_soft_margin_loss(a, cg_requires_grad_(cg_randn(3, 4), true)),
                "The function 'soft_margin_loss' is not differentiable with respect to argument 'target'. This input "
                "cannot have requires_grad True.");
    CHECK_ERROR(cg_cosine_embedding_loss(a, a, cg_ones(3, 1)), "0D or 1D target tensor expected, multi-target not supported");
    CHECK_ERROR(cg_cosine_embedding_loss(a, a, cg_scalar(1.0, CG_FLOAT32)),
                "0D target tensor expects 1D input tensors, but found inputs with sizes [3, 4] and [3, 4].");
    CHECK_ERROR(cg_cosine_embedding_loss(cg_randn(4), cg_randn(4), cg_ones(3)),
                "1D target tensor expects 2D input tensors, but found inputs with sizes [4] and [4].");
    CHECK_ERROR(cg_triplet_margin_loss(a, a, cg_randn(4)), "All inputs should have same dimension but got 2D, 2D and 1D inputs.");
    CHECK_ERROR(cg_triplet_margin_loss(a, a, cg_randn(3, 2)),
                "The size of tensor a (4) must match the size of tensor b (2) at non-singleton dimension 1");
    CHECK_ERROR(cg_margin_ranking_loss(cg_randn(3), cg_randn(2), cg_ones(3)),
                "The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 0");
    CHECK_ERROR(cg_multilabel_soft_margin_loss(a, a, .reduction = (cg_reduction)5), "5 is not valid");
    CHECK(cg_margin_ranking_loss(a, NULL, a) == NULL);
}

int main(void) {
    RUN(test_golden);
    RUN(test_errors);
    HARNESS_END();
}
