/* The products built from other ops (src/ops/products.c): PyTorch 1.13's node names and its errors,
 * word for word (from /usr/bin/python3 with torch 1.13). Their values and gradients against
 * PyTorch's own samples are in test_opinfo (tests/data/opinfo/{outer,inner,tensordot}.txt); their
 * gradchecks in tests/grad_cases_linalg.h. */
#include "harness.h"

static cg_tensor *leaf(int ndim, const int64_t *sizes) {
    cg_manual_seed(7);
    return cg_requires_grad_(cg_rand_shape(CG_FLOAT64, ndim, sizes), true);
}
#define LEAF(...) leaf(CG_SHAPE(__VA_ARGS__))

static void check_node(cg_tensor *t, const char *name) {
    CHECK_OK(t);
    if (t) CHECK_STR(cg_grad_fn(t) ? cg_node_name(cg_grad_fn(t)) : "none", name);
}

static void test_node_names(void) {
    cg_tensor *v3 = LEAF(3), *v4 = LEAF(4), *m = LEAF(2, 3), *s = cg_requires_grad_(cg_scalar(2, CG_FLOAT64), true);
    check_node(cg_outer(v3, v4), "MulBackward0");
    check_node(cg_ger(v3, v4), "MulBackward0");
    check_node(cg_inner(v3, v3), "ReshapeAliasBackward0");
    check_node(cg_inner(m, LEAF(4, 3)), "ReshapeAliasBackward0");
    check_node(cg_inner(s, m), "MulBackward0");
    check_node(cg_tensordot(m, LEAF(3, 5), 1), "ReshapeAliasBackward0");
}

/* outer(a, b)[i][j] == a[i] * b[j]; tensordot over no dims is the outer product too. */
static void test_values_by_hand(void) {
    cg_tensor *a = cg_tensor_f64(((double[]){1, 2}), 2), *b = cg_tensor_f64(((double[]){3, 4, 5}), 3);
    CHECK(harness_values_close(cg_outer(a, b), (double[]){3, 4, 5, 6, 8, 10}, 0));
    CHECK(harness_values_close(cg_tensordot(a, b, 0), (double[]){3, 4, 5, 6, 8, 10}, 0));
    CHECK(harness_values_close(cg_inner(a, a), (double[]){5}, 0));
    cg_tensor *m = cg_reshape(cg_tensor_f64(((double[]){1, 2, 3, 4, 5, 6}), 6), 2, 3);
    CHECK(harness_values_close(cg_tensordot_dims(m, m, 1, (int64_t[]){0}, 1, (int64_t[]){0}),
                               (double[]){17, 22, 27, 22, 29, 36, 27, 36, 45}, 0));
    CHECK(harness_values_close(cg_tensordot(m, m, 2), (double[]){91}, 0));
}

static void test_errors(void) {
    cg_tensor *v = LEAF(3), *m = LEAF(2, 3), *s = cg_requires_grad_(cg_scalar(2, CG_FLOAT64), true);
    CHECK_ERROR(cg_outer(m, v), "outer: Expected 1-D argument self, but got 2-D");
    CHECK_ERROR(cg_outer(v, m), "outer: Expected 1-D argument vec2, but got 2-D");
    CHECK_ERROR(cg_ger(m, v), "outer: Expected 1-D argument self, but got 2-D");
    CHECK_ERROR(cg_inner(m, LEAF(2, 4)),
                "inner() the last dimension must match on both input tensors but got shapes [2, 3] and [2, 4]");
    CHECK_ERROR(cg_tensordot_dims(m, m, 1, (int64_t[]){0}, 2, (int64_t[]){0, 1}),
                "both dimension lists should have same length");
    CHECK_ERROR(cg_tensordot_dims(m, m, 1, (int64_t[]){0}, 1, (int64_t[]){1}),
                "contracted dimensions need to match, but first has size 2 in dim 0 and second has size 3 in dim 1");
    CHECK_ERROR(cg_tensordot_dims(m, m, 2, (int64_t[]){0, 0}, 2, (int64_t[]){0, 0}),
                "dim 0 appears multiple times in the list of dims");
    CHECK(!cg_tensordot_dims(m, m, 1, (int64_t[]){2}, 1, (int64_t[]){0}));
    CHECK_STR(harness_error(), "IndexError: Dimension out of range (expected to be in range of [-2, 1], but got 2)");
    CHECK(!cg_tensordot(m, m, 3));
    CHECK_STR(harness_error(), "IndexError: Dimension out of range (expected to be in range of [-2, 1], but got -3)");
    CHECK(!cg_tensordot(s, s, 1));
    CHECK_STR(harness_error(), "IndexError: Dimension specified as -1 but tensor has no dimensions");
    CHECK_ERROR(cg_tensordot(m, m, -1), "tensordot expects dims >= 0, but got dims=-1");
    CHECK_ERROR(cg_tensordot_dims(m, cg_ones_shape(CG_INT64, CG_SHAPE(2, 3)), 1, (int64_t[]){0}, 1, (int64_t[]){0}),
                "expected scalar type Double but found Long");
    CHECK(!cg_outer(NULL, v) && !cg_inner(v, NULL) && !cg_tensordot(NULL, v, 0));
}

int main(void) {
    RUN(test_node_names);
    RUN(test_values_by_hand);
    RUN(test_errors);
    HARNESS_END();
}
