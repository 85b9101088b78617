/* l1_loss against PyTorch 1.13 (tests/data/l1_loss.txt from tools/gen_l1_loss.py): the loss bit
 * for bit, its node's name and both gradients for each reduction, a broadcast target, 0-dim and
 * empty operands; PyTorch's errors. gradcheck/gradgradcheck cover its parts (abs, sub, mean, sum). */
#include "harness.h"
#include "golden.h"

#include <stdlib.h>

/* Same shape, dtype and values (NaN matches NaN; a float32 value converts to float64 exactly). */
static bool same_values(cg_tensor *got, cg_tensor *expected) {
    if (!got || !expected || cg_numel(got) != cg_numel(expected) || cg_ndim(got) != cg_ndim(expected) ||
        cg_get_dtype(got) != cg_get_dtype(expected))
        return false;
    cg_tensor *a = cg_contiguous(cg_to(got, CG_FLOAT64)), *e = cg_contiguous(cg_to(expected, CG_FLOAT64));
    if (!a || !e) return false;
    const double *av = cg_data_ptr(a), *ev = cg_data_ptr(e);
    for (int64_t i = 0; i < cg_numel(a); i++)
        if (!(av[i] == ev[i] || (isnan(av[i]) && isnan(ev[i])))) return false;
    return true;
}

static int check_line(char *line) {
    char *cur = line;
    const char *r = golden_token(&cur);
    cg_tensor *x = golden_tensor(&cur), *t = golden_tensor(&cur), *expected = golden_tensor(&cur);
    const char *node = golden_token(&cur);
    cg_tensor *dx = golden_tensor(&cur), *dt = golden_tensor(&cur);
    if (!x || !t || !expected || !node || !dx || !dt) return -1;
    cg_reduction red = !strcmp(r, "mean") ? CG_REDUCTION_MEAN : !strcmp(r, "sum") ? CG_REDUCTION_SUM : CG_REDUCTION_NONE;
    cg_requires_grad_(x, true);
    cg_requires_grad_(t, true);
    cg_tensor *loss = cg_l1_loss(x, t, .reduction = red);
    if (!same_values(loss, expected) || strcmp(cg_node_name(cg_grad_fn(loss)), node) != 0) return -1;
    if (cg_backward(red == CG_REDUCTION_NONE ? cg_sum(loss) : loss) < 0) return -1;
    return same_values(cg_grad(x), dx) && same_values(cg_grad(t), dt) ? 0 : -1;
}

static void test_golden(void) {
    int bad;
    int cases = golden_check_lines("tests/data/l1_loss.txt", check_line, 20, &bad);
    CHECK(cases == 36);
    CHECK_MSG(bad == 0, "%d of %d cases differ", bad, cases);
}

static void test_errors(void) {
    cg_tensor *x = cg_randn(3, 4);
    CHECK_ERROR(cg_l1_loss(x, cg_randn(3), .reduction = CG_REDUCTION_SUM),
                "The size of tensor a (4) must match the size of tensor b (3) at non-singleton dimension 1");
    CHECK_ERROR(cg_l1_loss(x, x, .reduction = (cg_reduction)7), "7 is not a valid value for reduction");
    CHECK_ERROR(cg_l1_loss(cg_to(x, CG_INT64), cg_to(x, CG_INT64)),
                "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. "
                "Got: Long");
    CHECK(!cg_l1_loss(NULL, x));
}

int main(void) {
    RUN(test_golden);
    RUN(test_errors);
    HARNESS_END();
}
