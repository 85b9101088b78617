/* The normalization modules against PyTorch 1.13 (tests/data/nn_norm.txt from tools/gen_nn_norm.py):
 * BatchNorm1d/2d, InstanceNorm1d/2d (batched and not), GroupNorm and LayerNorm with their options, two batches in training and one in eval, every
 * output bit for bit and the final state_dict (keys in PyTorch's order, running statistics and
 * num_batches_tracked) bit for bit; the input-dim errors with PyTorch's text. */
#include "harness.h"
#include "golden.h"

#include <math.h>
#include <stdlib.h>


static cg_module *make(const char *kind, char **cur) {
    if (strcmp(kind, "ln") == 0) {
        int k = atoi(golden_token(cur));
        int64_t shape[CG_MAX_DIMS];
        for (int d = 0; d < k; d++) shape[d] = atoll(golden_token(cur));
        double eps = atof(golden_token(cur));
        bool affine = atoi(golden_token(cur));
        return cg_nn_layer_norm(k, shape, eps, affine);
    }
    if (strcmp(kind, "gn") == 0) {
        int64_t groups = atoll(golden_token(cur)), channels = atoll(golden_token(cur));
        double eps = atof(golden_token(cur));
        return cg_nn_group_norm(groups, channels, eps, atoi(golden_token(cur)));
    }
    int64_t n = atoll(golden_token(cur));
    double eps = atof(golden_token(cur)), momentum = strtod(golden_token(cur), NULL);
    bool affine = atoi(golden_token(cur)), track = atoi(golden_token(cur));
    cg_module *(*make)(int64_t, double, double, bool, bool) =
        strcmp(kind, "bn1d") == 0   ? cg_nn_batch_norm1d
        : strcmp(kind, "bn2d") == 0 ? cg_nn_batch_norm2d
        : strcmp(kind, "in1d") == 0 ? cg_nn_instance_norm1d
                                    : cg_nn_instance_norm2d;
    return make(n, eps, momentum, affine, track);
}

static int check_line(char *line) {
    char *cur = line;
    const char *name = golden_token(&cur), *kind = golden_token(&cur);
    cg_module *m = make(kind, &cur);
    if (!m || strcmp(golden_token(&cur), ";") != 0) return -1;
    int rc = 0;
    for (int step = 0; step < 3 && rc == 0; step++) {
        if (step == 2) cg_module_train(m, false);
        cg_tensor *x = golden_tensor(&cur), *expected = golden_tensor(&cur);
        cg_tensor *y = cg_module_forward(m, x);
        if (!harness_same_bits(y, expected)) {
            fprintf(stderr, "%s: output %d differs\n", name, step);
            rc = -1;
        }
    }
    cg_named_tensors sd = {0};
    if (rc == 0 && (strcmp(golden_token(&cur), ";") != 0 || cg_module_state_dict(m, &sd) != 0)) rc = -1;
    int nkeys = rc == 0 ? atoi(golden_token(&cur)) : 0;
    if (rc == 0 && nkeys != sd.n) rc = -1;
    for (int i = 0; i < nkeys && rc == 0; i++) {
        const char *key = golden_token(&cur);
        cg_tensor *expected = golden_tensor(&cur);
        if (strcmp(sd.names[i], key) != 0 || !harness_same_bits(sd.tensors[i], expected)) {
            fprintf(stderr, "%s: state_dict entry %d (%s) differs\n", name, i, key);
            rc = -1;
        }
    }
    cg_named_tensors_free(&sd);
    cg_module_free(m);
    return rc;
}

static void test_golden(void) {
    int bad;
    int cases = golden_check_lines("tests/data/nn_norm.txt", check_line, 20, &bad);
    CHECK(cases >= 11);
    CHECK_MSG(bad == 0, "%d of %d cases differ", bad, cases);
}

static void test_errors(void) {
    cg_module *bn1 = cg_nn_batch_norm1d(3, 1e-5, 0.1, true, true), *bn2 = cg_nn_batch_norm2d(3, 1e-5, 0.1, true, true);
    CHECK_ERROR(cg_module_forward(bn1, cg_randn(2, 3, 4, 5)), "expected 2D or 3D input (got 4D input)");
    CHECK(cg_last_error_kind() == CG_VALUE_ERROR);
    CHECK_ERROR(cg_module_forward(bn2, cg_randn(2, 3)), "expected 4D input (got 2D input)");
    /* a batch that fails is not counted (PyTorch counts it before failing) */
    CHECK_ERROR(cg_module_forward(bn1, cg_randn(1, 3)),
                "Expected more than 1 value per channel when training, got input size torch.Size([1, 3])");
    cg_named_tensors sd = {0};
    CHECK(cg_module_state_dict(bn1, &sd) == 0);
    cg_tensor *count = cg_named_tensors_get(&sd, "num_batches_tracked");
    CHECK(count && cg_item(count) == 0);
    cg_named_tensors_free(&sd);
    cg_module_train(bn1, false);
    CHECK_OK(cg_module_forward(bn1, cg_randn(1, 3)));
    CHECK(!cg_nn_layer_norm(-1, NULL, 1e-5, true));
    CHECK_ERROR(cg_nn_group_norm(4, 6, 1e-5, true), "num_channels must be divisible by num_groups");
    CHECK(cg_last_error_kind() == CG_VALUE_ERROR);
    cg_module *in2 = cg_nn_instance_norm2d(3, 1e-5, 0.1, false, false);
    CHECK_ERROR(cg_module_forward(in2, cg_randn(3, 4)), "expected 3D or 4D input (got 2D input)");
    cg_module_free(in2);
    cg_module_free(bn1);
    cg_module_free(bn2);
}

int main(void) {
    RUN(test_golden);
    RUN(test_errors);
    HARNESS_END();
}
