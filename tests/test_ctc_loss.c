/* F.ctc_loss against PyTorch 1.13 (tests/data/ctc_loss.txt from tools/gen_ctc_loss.py): the
 * loss bit for bit in float32 and float64 (PyTorch's kernel is scalar code in the tensor's type,
 * expf/logf for float32, which cgrad's follows step by step), its node, its gradient; PyTorch's
 * errors; what 1.13 leaves undefined; the gradient's refusal to be differentiated again. */
#include "harness.h"
#include "golden.h"

#include <math.h>
#include <stdlib.h>

static cg_reduction reduction_of(const char *r) {
    return !strcmp(r, "mean") ? CG_REDUCTION_MEAN : !strcmp(r, "sum") ? CG_REDUCTION_SUM : CG_REDUCTION_NONE;
}

static int check_case(char *cur) {
    const char *r = golden_token(&cur), *blank = golden_token(&cur), *zero_inf = golden_token(&cur);
    cg_tensor *lp = golden_tensor(&cur), *tg = golden_tensor(&cur), *il = golden_tensor(&cur), *tl = golden_tensor(&cur);
    cg_tensor *expected = golden_tensor(&cur);
    const char *node = golden_token(&cur);
    cg_tensor *grad = golden_tensor(&cur);
    if (!r || !zero_inf || !lp || !tg || !il || !tl || !expected || !node || !grad) return -1;
    cg_requires_grad_(lp, true);
    cg_ctc_loss_args a = {lp, tg, il, tl, atoll(blank), reduction_of(r), atoi(zero_inf) != 0};
    cg_tensor *loss = cg_ctc_loss_opts(a);
    bool exact = true;
    if (!golden_close_values(loss, expected, 0, &exact) || strcmp(cg_node_name(cg_grad_fn(loss)), node)) return -1;
    if (cg_backward(a.reduction == CG_REDUCTION_NONE ? cg_sum(loss) : loss) < 0) return -1;
    return golden_close_values(cg_grad(lp), grad, 0, &exact) ? 0 : -1;
}

static int check_error(char *cur) {
    cg_tensor *lp = golden_tensor(&cur), *tg = golden_tensor(&cur), *il = golden_tensor(&cur), *tl = golden_tensor(&cur);
    const char *blank = golden_token(&cur);
    if (!lp || !tg || !il || !tl || !blank) return -1;
    const char *message = cur + strspn(cur, " ");
    cg_tensor *before = cg_clone(lp);
    cg_clear_error();
    if (cg_ctc_loss(lp, tg, il, tl, .blank = atoll(blank)) != NULL) return -1;
    bool same = !strcmp(cg_last_error(), message);
    if (!same) fprintf(stderr, "  got:      %s\n  expected: %s\n", cg_last_error(), message);
    cg_clear_error();
    return same && harness_same_bits(lp, before) ? 0 : -1;
}

static int check_line(char *line) {
    char *cur = line;
    const char *kind = golden_token(&cur);
    if (!kind) return -1;
    return !strcmp(kind, "case") ? check_case(cur) : !strcmp(kind, "error") ? check_error(cur) : -1;
}

static void test_golden(void) {
    int bad;
    int lines = golden_check_lines("tests/data/ctc_loss.txt", check_line, 20, &bad);
    CHECK(lines == 65);
    CHECK_MSG(bad == 0, "%d of %d lines differ", bad, lines);
}

static cg_tensor *uniform_log_probs(int64_t T, int64_t N, int64_t C) {
    return cg_log_softmax(cg_zeros_shape(CG_FLOAT64, 3, CG_INT64S_(T, N, C)), 2);
}

/* Where 1.13 reads outside log_alpha, cgrad gives later PyTorch's values: an input of length 0
 * has loss 0 for an empty target and inf otherwise, with a zero gradient. */
static void test_empty_input(void) {
    cg_tensor *lp = cg_requires_grad_(cg_detach(uniform_log_probs(3, 2, 4)), true);
    cg_tensor *loss = cg_ctc_loss(lp, cg_tensor_i64(((int64_t[]){1, 2, 1, 2}), 2, 2), cg_tensor_i64(((int64_t[]){0, 0}), 2),
                                  cg_tensor_i64(((int64_t[]){0, 2}), 2), .reduction = CG_REDUCTION_NONE);
    double v[2] = {-1, -1};
    CHECK(cg_copy_to(loss, v, 2, CG_FLOAT64) == 0);
    CHECK(v[0] == 0 && isinf(v[1]) && v[1] > 0);
    CHECK(cg_backward(cg_sum(loss)) == 0);
    cg_tensor *zeros = cg_zeros_shape(CG_FLOAT64, 3, CG_INT64S_(3, 2, 4));
    CHECK(harness_same_bits(cg_grad(lp), zeros));
}

/* Each step of the recursion, checked on a case small enough to count by hand: T = 2 steps over
 * C = 2 uniform classes, target [1]: the alignments 1-, -1, 11 each have probability 1/4. */
static void test_by_hand(void) {
    cg_tensor *loss = cg_ctc_loss(uniform_log_probs(2, 1, 2), cg_tensor_i64(((int64_t[]){1}), 1, 1),
                                  cg_tensor_i64(((int64_t[]){2}), 1), cg_tensor_i64(((int64_t[]){1}), 1), .reduction = CG_REDUCTION_SUM);
    CHECK_CLOSE(cg_item(loss), -log(0.75), 1e-15);
}

static void test_errors(void) {
    cg_tensor *lp = uniform_log_probs(3, 2, 4), *tg = cg_tensor_i64(((int64_t[]){1, 2, 1, 5}), 2, 2);
    cg_tensor *il = cg_tensor_i64(((int64_t[]){3, 3}), 2), *tl = cg_tensor_i64(((int64_t[]){2, 2}), 2);
    /* PyTorch 1.13 reads outside its tensors for these; cgrad refuses */
    CHECK_ERROR(cg_ctc_loss(lp, tg, il, tl), "ctc_loss: target 5 is out of bounds for 4 classes");
    CHECK_ERROR(cg_ctc_loss(lp, tg, cg_tensor_i64(((int64_t[]){-1, 3}), 2), tl),
                "Expected input_lengths to have value at least 0, but got value -1 (while checking arguments for ctc_loss_cpu)");
    CHECK_ERROR(cg_ctc_loss(lp, tg, il, cg_tensor_i64(((int64_t[]){-2, 1}), 2)),
                "Expected target_lengths to have value at least 0, but got value -2 (while checking arguments for ctc_loss_cpu)");
    CHECK_ERROR(cg_ctc_loss(lp, tg, il, tl, .reduction = (cg_reduction)7), "7 is not a valid value for reduction");
    CHECK(cg_ctc_loss(lp, NULL, il, tl) == NULL);
}

/* PyTorch's gradient of _ctc_loss has no derivative: create_graph gives a gradient whose own
 * backward fails with PyTorch's message. */
static void test_no_double_backward(void) {
    cg_tensor *lp = cg_requires_grad_(cg_detach(uniform_log_probs(4, 2, 3)), true);
    cg_tensor *loss = cg_ctc_loss(lp, cg_tensor_i64(((int64_t[]){1, 2, 2, 1}), 2, 2), cg_tensor_i64(((int64_t[]){4, 3}), 2),
                                  cg_tensor_i64(((int64_t[]){2, 1}), 2));
    cg_tensor *g = NULL;
    CHECK(cg_autograd_grad(.outputs = CG_TENSORS(loss), .inputs = CG_TENSORS(lp), .results = &g, .create_graph = true) == 0);
    CHECK(g && cg_requires_grad(g) && !strcmp(cg_node_name(cg_grad_fn(g)), "NotImplemented"));
    cg_clear_error();
    CHECK(cg_backward(cg_sum(g)) < 0);
    CHECK_STR(cg_last_error(), "derivative for aten::_ctc_loss_backward is not implemented");
}

int main(void) {
    RUN(test_golden);
    RUN(test_empty_input);
    RUN(test_by_hand);
    RUN(test_errors);
    RUN(test_no_double_backward);
    HARNESS_END();
}
