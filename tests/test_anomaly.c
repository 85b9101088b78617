/* Anomaly mode (torch.autograd.detect_anomaly / set_detect_anomaly): PyTorch 1.13's error for a
 * NaN gradient and its warnings (texts printed by tools/gen_anomaly.py), with the C call site of
 * the forward op in place of the Python traceback. */
#include "harness.h"

static char warned[4][600];
static int nwarned;
static void catch_warning(const char *message, void *user) {
    (void)user;
    if (nwarned < 4) snprintf(warned[nwarned], sizeof warned[0], "%s", message);
    nwarned++;
}

static void expect_site(const char *node, int line, const char *function) {
    char expected[600];
    snprintf(expected, sizeof expected,
             "Error detected in %s. Traceback of forward call that caused the error:\n  File \"%s\", line %d, in %s\n",
             node, __FILE__, line, function);
    CHECK(nwarned == 1);
    CHECK_STR(warned[0], expected);
}

/* a / a at 0: the gradient of the divisor is -0 * 0 / 0^2 = nan (its 1th output, as PyTorch's) */
static void test_div_nan(void) {
    cg_tensor *a = cg_requires_grad_(cg_tensor_f32(((float[]){0, 1}), 2), true);
    nwarned = 0;
    bool previous = cg_set_detect_anomaly(true);
    CHECK(!previous && cg_is_anomaly_enabled());
    int line = __LINE__ + 1;
    cg_tensor *b = cg_div(a, a);
    CHECK_ERROR(cg_backward(cg_sum(b)) == 0, "Function 'DivBackward0' returned nan values in its 1th output.");
    CHECK(cg_last_error_kind() == CG_RUNTIME_ERROR);
    expect_site("DivBackward0", line, "test_div_nan");
    CHECK(cg_set_detect_anomaly(false));
    CHECK(!cg_is_anomaly_enabled());
    /* off: the NaN goes through */
    b = cg_div(a, a);
    CHECK(cg_backward(cg_sum(b)) == 0);
    CHECK(isnan(cg_item(cg_select(cg_grad(a), 0, 0))));
}

/* The block form warns as torch.autograd.detect_anomaly() does and restores the mode. */
static void test_block(void) {
    cg_tensor *x = cg_requires_grad_(cg_tensor_f32(((float[]){0, 1}), 2), true);
    nwarned = 0;
    int line = 0;
    CG_DETECT_ANOMALY {
        CHECK(cg_is_anomaly_enabled());
        CHECK(nwarned == 1);
        CHECK_STR(warned[0], "Anomaly Detection has been enabled. This mode will increase the runtime and should only "
                             "be enabled for debugging.");
        nwarned = 0;
        line = __LINE__ + 1;
        cg_tensor *y = cg_mul_scalar(cg_sqrt(x), 0);
        CHECK_ERROR(cg_backward(cg_sum(y)) == 0, "Function 'SqrtBackward0' returned nan values in its 0th output.");
        expect_site("SqrtBackward0", line, "test_block");
    }
    CHECK(!cg_is_anomaly_enabled());
}

/* A node recorded with anomaly mode off has no call site: PyTorch's other warning. Errors that are
 * not NaNs warn too, with their own message. */
static void test_no_forward_information(void) {
    cg_tensor *x = cg_requires_grad_(cg_tensor_f32(((float[]){0, 1}), 2), true);
    cg_tensor *y = cg_mul_scalar(cg_sqrt(x), 0);
    nwarned = 0;
    cg_set_detect_anomaly(true);
    CHECK_ERROR(cg_backward(cg_sum(y)) == 0, "Function 'SqrtBackward0' returned nan values in its 0th output.");
    CHECK(nwarned == 1);
    CHECK_STR(warned[0], "Error detected in SqrtBackward0. No forward pass information available. Enable detect "
                         "anomaly during forward pass for more information.");
    nwarned = 0;
    cg_tensor *b = cg_mul_scalar(x, 1);
    int line = __LINE__ + 1;
    cg_tensor *e = cg_exp(b);
    CHECK(cg_mul_scalar_(e, 2) == 0);
    CHECK_ERROR(cg_backward(cg_sum(e)) == 0,
                "one of the variables needed for gradient computation has been modified by an inplace operation: "
                "[torch.FloatTensor [2]], which is output 0 of ExpBackward0, is at version 1; expected version 0 "
                "instead. Hint: the backtrace further above shows the operation that failed to compute its gradient. "
                "The variable in question was changed in there or anywhere later. Good luck!");
    expect_site("ExpBackward0", line, "test_no_forward_information");
    cg_set_detect_anomaly(false);
}

int main(void) {
    cg_set_warning_handler(catch_warning, NULL);
    RUN(test_div_nan);
    RUN(test_block);
    RUN(test_no_forward_information);
    HARNESS_END();
}
