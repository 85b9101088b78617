/* layer_norm against PyTorch 1.13 (tests/data/norm.txt from tools/gen_norm.py): the output bit for
 * bit in float32 and float64 (row lengths around the kernel's vector and chunk sizes, with and
 * without weight and bias, two normalized dims, a transposed input), the gradients of input, weight
 * and bias to a tolerance (the backward is composed of cgrad ops, not PyTorch's kernel), the node's
 * name, PyTorch's error messages, and the meta device. gradcheck and gradgradcheck are in
 * tests/grad_cases_norm.h. */
#include "harness.h"
#include "golden.h"

#include <stdint.h>
#include <stdlib.h>

/* Same shape and the same bits (NaN matches NaN). */
static bool same_bits(cg_tensor *got, cg_tensor *expected) {
    if (!got || !expected || cg_get_dtype(got) != cg_get_dtype(expected) || cg_numel(got) != cg_numel(expected))
        return false;
    got = cg_contiguous(got);
    size_t size = cg_get_dtype(got) == CG_FLOAT32 ? 4 : 8;
    for (int64_t i = 0; i < cg_numel(got); i++) {
        const char *a = (const char *)cg_data_ptr(got) + i * size, *b = (const char *)cg_data_ptr(expected) + i * size;
        bool nan_a = size == 4 ? isnan(*(const float *)a) : isnan(*(const double *)a);
        bool nan_b = size == 4 ? isnan(*(const float *)b) : isnan(*(const double *)b);
        if (!(nan_a && nan_b) && memcmp(a, b, size) != 0) return false;
    }
    return true;
}

/* Close to a tolerance relative to the gradient's largest magnitude or 1 (its sums round differently;
 * for one-element rows PyTorch's weight gradient is its rounding residue, ~2e-5, where ours is 0). */
static bool close_to(cg_tensor *got, cg_tensor *expected, double tol) {
    if (!got || !expected || cg_numel(got) != cg_numel(expected)) return false;
    cg_tensor *a = cg_contiguous(cg_to(got, CG_FLOAT64)), *e = cg_contiguous(cg_to(expected, CG_FLOAT64));
    if (!a || !e) return false;
    const double *av = cg_data_ptr(a), *ev = cg_data_ptr(e);
    double scale = 1;
    for (int64_t i = 0; i < cg_numel(e); i++) scale = fmax(scale, fabs(ev[i]));
    for (int64_t i = 0; i < cg_numel(e); i++)
        if (!(fabs(av[i] - ev[i]) <= tol * scale)) return false;
    return true;
}

static int check_line(char *line) {
    char *cur = line;
    const char *name = golden_token(&cur);
    int k = atoi(golden_token(&cur));
    bool has_w = atoi(golden_token(&cur)), has_b = atoi(golden_token(&cur));
    double eps = atof(golden_token(&cur));
    bool transposed = atoi(golden_token(&cur));
    cg_tensor *stored = golden_tensor(&cur);
    cg_tensor *w = has_w ? golden_tensor(&cur) : NULL, *b = has_b ? golden_tensor(&cur) : NULL;
    cg_tensor *g = golden_tensor(&cur), *y_expected = golden_tensor(&cur), *dx_expected = golden_tensor(&cur);
    cg_tensor *dw_expected = has_w ? golden_tensor(&cur) : NULL, *db_expected = has_b ? golden_tensor(&cur) : NULL;
    if (!stored || !g || !y_expected || !dx_expected || (has_w && (!w || !dw_expected)) || (has_b && (!b || !db_expected)))
        return -1;
    cg_tensor *leaf = cg_requires_grad_(stored, true);
    cg_tensor *x = transposed ? cg_transpose(leaf, 0, 1) : leaf;
    if (w) cg_requires_grad_(w, true);
    if (b) cg_requires_grad_(b, true);
    cg_tensor *y = cg_layer_norm(x, k, cg_sizes(x) + cg_ndim(x) - k, w, b, eps);
    if (!y || strcmp(cg_node_name(cg_grad_fn(y)), "NativeLayerNormBackward0") != 0) return -1;
    if (!same_bits(y, y_expected)) {
        fprintf(stderr, "%s: output bits differ\n", name);
        return -1;
    }
    if (cg_backward(y, .gradient = g) < 0) return -1;
    double tol = cg_get_dtype(y) == CG_FLOAT32 ? 5e-5 : 1e-12;
    cg_tensor *dx = transposed ? cg_transpose(cg_grad(leaf), 0, 1) : cg_grad(leaf);
    bool ok = close_to(dx, dx_expected, tol) && (!w || close_to(cg_grad(w), dw_expected, tol)) &&
              (!b || close_to(cg_grad(b), db_expected, tol));
    if (!ok) fprintf(stderr, "%s: gradients differ\n", name);
    return ok ? 0 : -1;
}

static void test_golden(void) {
    int bad;
    int cases = golden_check_lines("tests/data/norm.txt", check_line, 20, &bad);
    CHECK(cases >= 90);
    CHECK_MSG(bad == 0, "%d of %d cases differ", bad, cases);
}

static void test_errors(void) {
    cg_tensor *x = cg_randn(2, 3), *w = cg_ones(3);
    CHECK_ERROR(cg_layer_norm(x, 0, NULL, NULL, NULL, 1e-5),
                "Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one element, "
                "but got normalized_shape = []");
    CHECK_ERROR(cg_layer_norm(x, CG_SHAPE(4), NULL, NULL, 1e-5),
                "Given normalized_shape=[4], expected input with shape [*, 4], but got input of size[2, 3]");
    CHECK_ERROR(cg_layer_norm(x, CG_SHAPE(2, 3, 4), NULL, NULL, 1e-5),
                "Given normalized_shape=[2, 3, 4], expected input with shape [*, 2, 3, 4], but got input of size[2, 3]");
    CHECK_ERROR(cg_layer_norm(x, CG_SHAPE(3), cg_ones(4), NULL, 1e-5),
                "Expected weight to be of same shape as normalized_shape, but got weight of shape [4] and "
                "normalized_shape = [3]");
    CHECK_ERROR(cg_layer_norm(x, CG_SHAPE(3), NULL, cg_ones(2, 2), 1e-5),
                "Expected bias to be of same shape as normalized_shape, but got bias of shape [2, 2] and "
                "normalized_shape = [3]");
    CHECK_ERROR(cg_layer_norm(cg_to(x, CG_INT64), CG_SHAPE(3), NULL, NULL, 1e-5),
                "\"LayerNormKernelImpl\" not implemented for 'Long'");
    CHECK_ERROR(cg_layer_norm(x, CG_SHAPE(3), cg_to(w, CG_FLOAT64), NULL, 1e-5),
                "expected scalar type Float but found Double");
    CHECK_ERROR(cg_layer_norm(cg_to(x, CG_FLOAT64), CG_SHAPE(3), NULL, w, 1e-5),
                "expected scalar type Double but found Float");
    CHECK_ERROR(cg_layer_norm(x, CG_SHAPE(3), cg_to_device(w, CG_META), NULL, 1e-5),
                "Expected all tensors to be on the same device, but found at least two devices, meta and cpu!");
    CHECK(!cg_layer_norm(NULL, CG_SHAPE(3), NULL, NULL, 1e-5));
}

/* Empty inputs give empty outputs (and gradients) as in PyTorch. */
static void test_empty(void) {
    cg_tensor *x = cg_requires_grad_(cg_randn(0, 3), true), *w = cg_requires_grad_(cg_ones(3), true);
    cg_tensor *y = cg_layer_norm(x, CG_SHAPE(3), w, NULL, 1e-5);
    CHECK_OK(y);
    CHECK(y && cg_numel(y) == 0 && cg_ndim(y) == 2);
    CHECK(cg_backward(cg_sum(y)) == 0);
    cg_tensor *dw = cg_grad(w);
    CHECK(dw && cg_numel(dw) == 3 && cg_item(cg_sum(cg_abs(dw))) == 0);
    cg_tensor *z = cg_layer_norm(cg_randn(3, 0), CG_SHAPE(0), NULL, NULL, 1e-5);
    CHECK(z && cg_numel(z) == 0);
}

/* On the meta device: the output's shape and node, and a backward that gives gradients of the
 * inputs' shapes, with no data. */
static void test_meta(void) {
    cg_tensor *x = cg_requires_grad_(cg_to_device(cg_randn(4, 5, 6), CG_META), true);
    cg_tensor *w = cg_requires_grad_(cg_to_device(cg_randn(5, 6), CG_META), true);
    cg_tensor *b = cg_requires_grad_(cg_to_device(cg_randn(5, 6), CG_META), true);
    cg_tensor *y = cg_layer_norm(x, CG_SHAPE(5, 6), w, b, 1e-5);
    CHECK_OK(y);
    if (!y) return;
    CHECK(cg_get_device(y) == CG_META && cg_ndim(y) == 3 && cg_size(y, 2) == 6);
    CHECK_STR(cg_node_name(cg_grad_fn(y)), "NativeLayerNormBackward0");
    CHECK(cg_backward(cg_sum(y)) == 0);
    CHECK(cg_grad(x) && cg_get_device(cg_grad(x)) == CG_META && cg_numel(cg_grad(x)) == 120);
    CHECK(cg_grad(w) && cg_numel(cg_grad(w)) == 30 && cg_grad(b) && cg_numel(cg_grad(b)) == 30);
}

/* The inputs are left as they were and the output is a new tensor. */
static void test_inputs_unchanged(void) {
    cg_tensor *x = cg_randn(3, 8), *copy = cg_clone(x);
    cg_tensor *y = cg_layer_norm(x, CG_SHAPE(8), NULL, NULL, 1e-5);
    CHECK_OK(y);
    CHECK(cg_item(cg_sum(cg_abs(cg_sub(x, copy)))) == 0);
    CHECK(y && cg_data_ptr(y) != cg_data_ptr(x));
}

int main(void) {
    RUN(test_golden);
    RUN(test_errors);
    RUN(test_empty);
    RUN(test_meta);
    RUN(test_inputs_unchanged);
    HARNESS_END();
}
