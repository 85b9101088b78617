/* dropout, dropout1d/2d/3d, alpha_dropout and feature_alpha_dropout against PyTorch 1.13
 * (tests/data/dropout.txt from tools/gen_dropout.py): for the same manual_seed the same elements (or
 * channels) are dropped and the rest scaled (and shifted), bit for bit, the gradient too, the
 * history is PyTorch's, and the default generator goes on where PyTorch's does. Also eval and p = 0
 * (the input itself), PyTorch's errors and warnings, alpha dropout's gradcheck and gradgradcheck
 * for one seed, meta. */
#include "harness.h"
#include "golden.h"

#include <stdlib.h>


static int warnings_seen;
static char last_warning[1024];
static void count_warning(const char *message, void *user) {
    (void)user;
    warnings_seen++;
    snprintf(last_warning, sizeof last_warning, "%s", message);
}

typedef cg_tensor *(*dropout_fn)(cg_tensor *input, double p, bool training);

static dropout_fn dropout_named(const char *kind) {
    static const char *const names[] = {"dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout",
                                        "feature_alpha_dropout"};
    static const dropout_fn fns[] = {cg_dropout, cg_dropout1d, cg_dropout2d, cg_dropout3d, cg_alpha_dropout,
                                     cg_feature_alpha_dropout};
    for (int i = 0; i < 6; i++)
        if (!strcmp(kind, names[i])) return fns[i];
    return NULL;
}

static int check_line(char *line) {
    char *cur = line;
    const char *name = golden_token(&cur);
    dropout_fn fn = dropout_named(golden_token(&cur));
    uint64_t seed = strtoull(golden_token(&cur), NULL, 10);
    double p = atof(golden_token(&cur));
    const char *node = golden_token(&cur);
    cg_tensor *x = golden_tensor(&cur), *g = golden_tensor(&cur), *y_expected = golden_tensor(&cur);
    cg_tensor *dx_expected = golden_tensor(&cur), *after_expected = golden_tensor(&cur);
    if (!fn || !x || !g || !y_expected || !dx_expected || !after_expected) return -1;
    cg_requires_grad_(x, true);
    cg_manual_seed(seed);
    cg_tensor *y = fn(x, p, true);
    cg_tensor *after = cg_rand(5);
    if (!y || strcmp(cg_node_name(cg_grad_fn(y)), node) != 0) return -1;
    bool ok = harness_same_bits(y, y_expected) && harness_same_bits(after, after_expected);
    ok = ok && cg_backward(y, .gradient = g) == 0 && harness_same_bits(cg_grad(x), dx_expected);
    if (!ok) fprintf(stderr, "%s differs\n", name);
    return ok ? 0 : -1;
}

static void test_golden(void) {
    int bad;
    cg_set_warning_handler(count_warning, NULL); /* dropout2d's 3-D and 2-D cases warn */
    int cases = golden_check_lines("tests/data/dropout.txt", check_line, 20, &bad);
    CHECK(cases == 28);
    CHECK_MSG(bad == 0, "%d of %d cases differ", bad, cases);
    cg_set_warning_handler(NULL, NULL);
}

static void test_identity_and_errors(void) {
    cg_tensor *x = cg_randn(3, 4);
    cg_set_warning_handler(count_warning, NULL);
    CHECK(cg_dropout(x, 0.5, false) == x && cg_dropout(x, 0, true) == x && cg_dropout2d(x, 0.5, false) == x);
    CHECK_ERROR(cg_dropout(x, 1.1, true), "dropout probability has to be between 0 and 1, but got 1.1");
    CHECK(cg_last_error_kind() == CG_VALUE_ERROR);
    CHECK_ERROR(cg_dropout2d(x, -0.1, true), "dropout probability has to be between 0 and 1, but got -0.1");
    CHECK_ERROR(cg_dropout(x, NAN, true), "dropout probability has to be between 0 and 1, but got nan");
    CHECK_ERROR(cg_dropout(cg_to(x, CG_INT64), 0.5, true),
                "result type Float can't be cast to the desired output type Long");
    warnings_seen = 0;
    CHECK_OK(cg_dropout2d(cg_randn(2, 3, 4), 0.5, true));
    CHECK(warnings_seen == 1 && strstr(last_warning, "dropout2d: Received a 3D input to dropout2d") == last_warning);
    CHECK_OK(cg_dropout2d(x, 0.5, true));
    CHECK(warnings_seen == 2 && strstr(last_warning, "dropout2d: Received a 2-D input to dropout2d, which is deprecated"));
    CHECK_ERROR(cg_dropout2d(cg_randn(5), 0.5, true), "Feature dropout requires at least 2 dimensions in the input");
    CHECK_ERROR(cg_dropout1d(cg_randn(5), 0.5, true),
                "dropout1d: Expected 2D or 3D input, but received a 1D input. Note that dropout1d exists to provide "
                "channel-wise dropout on inputs with 1 spatial dimension, a channel dimension, and an optional batch "
                "dimension (i.e. 2D or 3D inputs).");
    CHECK_ERROR(cg_dropout1d(x, 1.5, true), "dropout probability has to be between 0 and 1, but got 1.5");
    CHECK_ERROR(cg_alpha_dropout(x, -1, true), "dropout probability has to be between 0 and 1, but got -1");
    CHECK_ERROR(cg_feature_alpha_dropout(cg_randn(5), 0.5, true), "Feature dropout requires at least 2 dimensions in the input");
    CHECK_ERROR(cg_alpha_dropout(cg_to(x, CG_INT64), 0.5, true),
                "result type Float can't be cast to the desired output type Long");
    warnings_seen = 0;
    CHECK_OK(cg_dropout3d(cg_randn(2, 3), 0.5, true));
    CHECK(warnings_seen == 1 && strstr(last_warning, "dropout3d: Received a 2-D input to dropout3d, which is deprecated") &&
          strstr(last_warning, "(i.e. 4D or 5D inputs)."));
    cg_set_warning_handler(NULL, NULL);
    CHECK(cg_alpha_dropout(x, 0.5, false) == x && cg_feature_alpha_dropout(x, 0.5, false) == x && cg_dropout3d(cg_randn(1, 2, 2, 2, 2), 0.5, false));
    cg_tensor *unbatched = cg_dropout1d(cg_requires_grad_(x, true), 0.5, false); /* a view, as PyTorch's */
    CHECK(unbatched && unbatched != x && !strcmp(cg_node_name(cg_grad_fn(unbatched)), "SqueezeBackward1"));
    cg_tensor *z = cg_dropout(cg_requires_grad_(cg_randn(2, 2), true), 1, true);
    CHECK(z && cg_item(cg_sum(cg_abs(z))) == 0 && strcmp(cg_node_name(cg_grad_fn(z)), "MulBackward0") == 0);
}

static void test_modules(void) {
    cg_module *d = cg_nn_dropout(0.5), *d2 = cg_nn_dropout2d(0.5);
    cg_tensor *x = cg_randn(4, 3, 2, 2);
    cg_manual_seed(5);
    cg_tensor *a = cg_module_forward(d, x);
    cg_manual_seed(5);
    CHECK(a && harness_same_bits(a, cg_dropout(x, 0.5, true)));
    cg_manual_seed(5);
    cg_tensor *b = cg_module_forward(d2, x);
    cg_manual_seed(5);
    CHECK(b && harness_same_bits(b, cg_dropout2d(x, 0.5, true)));
    cg_module_train(d, false);
    cg_module_train(d2, false);
    CHECK(cg_module_forward(d, x) == x && cg_module_forward(d2, x) == x);
    CHECK_ERROR(cg_nn_dropout(1.5), "dropout probability has to be between 0 and 1, but got 1.5");
    cg_module_free(d);
    cg_module_free(d2);
    cg_module *more[] = {cg_nn_dropout1d(0.5), cg_nn_dropout3d(0.5), cg_nn_alpha_dropout(0.5), cg_nn_feature_alpha_dropout(0.5)};
    dropout_fn fns[] = {cg_dropout1d, cg_dropout3d, cg_alpha_dropout, cg_feature_alpha_dropout};
    cg_tensor *inputs[] = {cg_randn(2, 3, 4), cg_randn(2, 3, 2, 2, 2), x, x};
    for (int i = 0; i < 4; i++) {
        cg_manual_seed(7);
        cg_tensor *y = cg_module_forward(more[i], inputs[i]);
        cg_manual_seed(7);
        CHECK(y && harness_same_bits(y, fns[i](inputs[i], 0.5, true)));
        cg_module_train(more[i], false);
        CHECK(cg_module_forward(more[i], inputs[i]) == inputs[i]);
        cg_module_free(more[i]);
    }
    CHECK_ERROR(cg_nn_alpha_dropout(-0.5), "dropout probability has to be between 0 and 1, but got -0.5");
}

/* Alpha dropout's affine map of one seed's noise, in float64. */
static int alpha_dropout_seeded(cg_tensor **in, cg_tensor **out, void *user) {
    cg_manual_seed(3);
    out[0] = (user ? cg_feature_alpha_dropout : cg_alpha_dropout)(in[0], 0.4, true);
    return out[0] ? 1 : -1;
}

static void test_alpha_dropout_gradcheck(void) {
    cg_tensor *x = cg_requires_grad_(cg_to(cg_randn(3, 4), CG_FLOAT64), true);
    for (int feature = 0; feature < 2; feature++) {
        void *user = feature ? x : NULL;
        CHECK_MSG(cg_gradcheck(.fn = alpha_dropout_seeded, .inputs = CG_TENSORS(x), .user = user) == 0, "%s", cg_last_error());
        CHECK_MSG(cg_gradgradcheck(.fn = alpha_dropout_seeded, .inputs = CG_TENSORS(x), .user = user) == 0, "%s",
                  cg_last_error());
    }
}

static void test_meta(void) {
    cg_tensor *x = cg_requires_grad_(cg_to_device(cg_randn(4, 3, 2, 2), CG_META), true);
    cg_tensor *y = cg_dropout(x, 0.5, true), *z = cg_dropout2d(x, 0.5, true);
    CHECK(y && z && cg_get_device(y) == CG_META && cg_get_device(z) == CG_META && cg_numel(z) == 48);
    CHECK(cg_backward(cg_sum(cg_add(y, z))) == 0 && cg_grad(x) && cg_get_device(cg_grad(x)) == CG_META);
}

int main(void) {
    RUN(test_golden);
    RUN(test_identity_and_errors);
    RUN(test_modules);
    RUN(test_alpha_dropout_gradcheck);
    RUN(test_meta);
    HARNESS_END();
}
