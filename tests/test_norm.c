/* layer_norm and batch_norm against PyTorch 1.13 (tests/data/norm.txt from tools/gen_norm.py,
 * tests/data/batch_norm.txt from tools/gen_batch_norm.py). layer_norm: the output bit for
 * bit in float32 and float64 (row lengths around the kernel's vector and chunk sizes, with and
 * without weight and bias, two normalized dims, a transposed input), the gradients of input, weight
 * and bias to a tolerance (the backward is composed of cgrad ops, not PyTorch's kernel), the node's
 * name, PyTorch's error messages, and the meta device. batch_norm likewise, with the running
 * statistics after the update bit for bit. gradcheck and gradgradcheck are in tests/grad_cases_norm.h. */
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

/* ---- batch_norm ---- */

static int check_bn_line(char *line) {
    char *cur = line;
    const char *name = golden_token(&cur);
    bool training = atoi(golden_token(&cur));
    double momentum = atof(golden_token(&cur)), eps = atof(golden_token(&cur));
    bool has_r = atoi(golden_token(&cur)), has_w = atoi(golden_token(&cur)), has_b = atoi(golden_token(&cur));
    cg_tensor *x = golden_tensor(&cur);
    cg_tensor *rm = has_r ? golden_tensor(&cur) : NULL, *rv = has_r ? golden_tensor(&cur) : NULL;
    cg_tensor *w = has_w ? golden_tensor(&cur) : NULL, *b = has_b ? golden_tensor(&cur) : NULL;
    cg_tensor *g = golden_tensor(&cur), *y_expected = golden_tensor(&cur);
    cg_tensor *rm_expected = has_r ? golden_tensor(&cur) : NULL, *rv_expected = has_r ? golden_tensor(&cur) : NULL;
    cg_tensor *dx_expected = golden_tensor(&cur);
    cg_tensor *dw_expected = has_w ? golden_tensor(&cur) : NULL, *db_expected = has_b ? golden_tensor(&cur) : NULL;
    if (!x || !g || !y_expected || !dx_expected || (has_r && !rv_expected) || (has_w && !dw_expected) ||
        (has_b && !db_expected))
        return -1;
    cg_requires_grad_(x, true);
    if (w) cg_requires_grad_(w, true);
    if (b) cg_requires_grad_(b, true);
    cg_tensor *y = cg_batch_norm(x, rm, rv, w, b, training, momentum, eps);
    if (!y || strcmp(cg_node_name(cg_grad_fn(y)), "NativeBatchNormBackward0") != 0) return -1;
    if (!same_bits(y, y_expected)) {
        fprintf(stderr, "%s: output bits differ\n", name);
        return -1;
    }
    if (has_r && (!same_bits(rm, rm_expected) || !same_bits(rv, rv_expected))) {
        fprintf(stderr, "%s: running statistics differ\n", name);
        return -1;
    }
    if (cg_backward(y, .gradient = g) < 0) return -1;
    double tol = cg_get_dtype(y) == CG_FLOAT32 ? 5e-5 : 1e-12;
    bool ok = close_to(cg_grad(x), dx_expected, tol) && (!w || close_to(cg_grad(w), dw_expected, tol)) &&
              (!b || close_to(cg_grad(b), db_expected, tol));
    if (!ok) fprintf(stderr, "%s: gradients differ\n", name);
    return ok ? 0 : -1;
}

static void test_bn_golden(void) {
    int bad;
    int cases = golden_check_lines("tests/data/batch_norm.txt", check_bn_line, 20, &bad);
    CHECK(cases >= 80);
    CHECK_MSG(bad == 0, "%d of %d cases differ", bad, cases);
}

static void test_bn_errors(void) {
    cg_tensor *x = cg_randn(4, 3), *rm = cg_zeros(3), *rv = cg_ones(3), *w = cg_ones(3);
    CHECK_ERROR(cg_batch_norm(x, cg_zeros(4), rv, NULL, NULL, true, 0.1, 1e-5),
                "running_mean should contain 3 elements not 4");
    CHECK_ERROR(cg_batch_norm(x, rm, cg_ones(4), NULL, NULL, true, 0.1, 1e-5),
                "running_var should contain 3 elements not 4");
    CHECK_ERROR(cg_batch_norm(x, NULL, NULL, NULL, NULL, false, 0.1, 1e-5),
                "running_mean must be defined in evaluation mode");
    CHECK_ERROR(cg_batch_norm(x, rm, NULL, NULL, NULL, false, 0.1, 1e-5),
                "running_var must be defined in evaluation mode");
    CHECK_ERROR(cg_batch_norm(x, rm, rv, cg_ones(4), NULL, false, 0.1, 1e-5), "weight should contain 3 elements not 4");
    CHECK_ERROR(cg_batch_norm(x, rm, rv, NULL, cg_ones(4), false, 0.1, 1e-5), "bias should contain 3 elements not 4");
    CHECK_ERROR(cg_batch_norm(cg_randn(1, 3), NULL, NULL, NULL, NULL, true, 0.1, 1e-5),
                "Expected more than 1 value per channel when training, got input size torch.Size([1, 3])");
    CHECK(cg_last_error_kind() == CG_VALUE_ERROR);
    CHECK_ERROR(cg_batch_norm(cg_randn(1, 3, 1), cg_zeros(4), NULL, NULL, NULL, true, 0.1, 1e-5),
                "Expected more than 1 value per channel when training, got input size torch.Size([1, 3, 1])");
    CHECK_OK(cg_batch_norm(cg_randn(1, 3), rm, rv, NULL, NULL, false, 0.1, 1e-5));
    CHECK_ERROR(cg_batch_norm(cg_randn(3), NULL, NULL, NULL, NULL, true, 0.1, 1e-5),
                "Dimension out of range (expected to be in range of [-1, 0], but got 1)");
    CHECK(cg_last_error_kind() == CG_INDEX_ERROR);
    CHECK_ERROR(cg_batch_norm(cg_to(x, CG_INT64), NULL, NULL, NULL, NULL, true, 0.1, 1e-5),
                "\"batch_norm\" not implemented for 'Long'");
    CHECK_ERROR(cg_batch_norm(x, cg_to(rm, CG_FLOAT64), rv, NULL, NULL, true, 0.1, 1e-5),
                "mixed dtype (CPU): expect parameter to have scalar type of Float");
    CHECK_ERROR(cg_batch_norm(x, rm, rv, cg_to(w, CG_FLOAT64), NULL, true, 0.1, 1e-5),
                "mixed dtype (CPU): expect parameter to have scalar type of Float");
    CHECK_ERROR(cg_batch_norm(cg_to(x, CG_FLOAT64), rm, rv, NULL, NULL, true, 0.1, 1e-5),
                "mixed dtype (CPU): expect input to have scalar type of BFloat16");
    CHECK_ERROR(cg_batch_norm(x, cg_zeros(3, 1), rv, NULL, NULL, true, 0.1, 1e-5),
                "TensorAccessor expected 1 dims but tensor has 2");
    CHECK_OK(cg_batch_norm(x, NULL, NULL, cg_ones(3, 1), NULL, true, 0.1, 1e-5));
    CHECK_ERROR(cg_batch_norm(x, cg_to_device(rm, CG_META), rv, NULL, NULL, true, 0.1, 1e-5),
                "Expected all tensors to be on the same device, but found at least two devices, meta and cpu!");
    CHECK_ERROR(cg_batch_norm(x, cg_requires_grad_(cg_zeros(3), true), rv, NULL, NULL, false, 0.1, 1e-5),
                "The function 'native_batch_norm' is not differentiable with respect to argument 'running_mean'. "
                "This input cannot have requires_grad True.");
    CHECK(!cg_batch_norm(NULL, rm, rv, NULL, NULL, true, 0.1, 1e-5));
    /* nothing failed half-way: the running statistics are as they were */
    CHECK(cg_item(cg_sum(cg_abs(rm))) == 0 && cg_item(cg_sum(rv)) == 3);
}

/* An empty input is PyTorch's clone times weight[0] plus bias[0]: no checks, statistics untouched. */
static void test_bn_empty(void) {
    cg_tensor *x = cg_requires_grad_(cg_randn(0, 3), true), *w = cg_requires_grad_(cg_randn(3), true);
    cg_tensor *b = cg_requires_grad_(cg_randn(3), true), *rm = cg_ones(3);
    cg_tensor *y = cg_batch_norm(x, rm, cg_ones(3), w, b, true, 0.1, 1e-5);
    CHECK_OK(y);
    if (!y) return;
    CHECK(cg_numel(y) == 0 && cg_ndim(y) == 2);
    CHECK_STR(cg_node_name(cg_grad_fn(y)), "AddBackward0");
    CHECK(cg_item(cg_sum(rm)) == 3);
    CHECK(cg_backward(cg_sum(y)) == 0);
    CHECK(cg_grad(w) && cg_item(cg_sum(cg_abs(cg_grad(w)))) == 0);
    y = cg_batch_norm(cg_requires_grad_(cg_randn(2, 3, 0), true), cg_zeros(4), NULL, NULL, NULL, true, 0.1, 1e-5);
    CHECK(y && cg_numel(y) == 0 && strcmp(cg_node_name(cg_grad_fn(y)), "CloneBackward0") == 0);
}

/* A transposed input and running statistics that are views: the same values as contiguous ones,
 * and the statistics written through the views. */
static void test_bn_layouts(void) {
    cg_tensor *x = cg_randn(5, 3, 4), *t = cg_transpose(cg_contiguous(cg_transpose(x, 0, 2)), 0, 2);
    cg_tensor *stats = cg_zeros(2, 3), *rm = cg_select(stats, 0, 0), *rv = cg_select(stats, 0, 1);
    cg_fill_(rv, 1);
    cg_tensor *rm2 = cg_zeros(3), *rv2 = cg_ones(3);
    cg_tensor *y = cg_batch_norm(t, rm, rv, NULL, NULL, true, 0.1, 1e-5);
    cg_tensor *y2 = cg_batch_norm(x, rm2, rv2, NULL, NULL, true, 0.1, 1e-5);
    CHECK(y && y2 && !cg_is_contiguous(t));
    CHECK(same_bits(y, y2) && same_bits(rm, rm2) && same_bits(rv, rv2));
    cg_tensor *strided = cg_select(cg_zeros(3, 2), 1, 0), *rv3 = cg_ones(3);
    CHECK_OK(cg_batch_norm(x, strided, rv3, NULL, NULL, true, 0.1, 1e-5));
    CHECK(same_bits(strided, rm2) && same_bits(rv3, rv2));
}

static void test_bn_meta(void) {
    cg_tensor *x = cg_requires_grad_(cg_to_device(cg_randn(4, 3, 5), CG_META), true);
    cg_tensor *w = cg_requires_grad_(cg_to_device(cg_randn(3), CG_META), true);
    cg_tensor *rm = cg_to_device(cg_zeros(3), CG_META), *rv = cg_to_device(cg_ones(3), CG_META);
    for (int training = 0; training < 2; training++) {
        cg_tensor *y = cg_batch_norm(x, rm, rv, w, NULL, training, 0.1, 1e-5);
        CHECK_OK(y);
        if (!y) return;
        CHECK(cg_get_device(y) == CG_META && cg_ndim(y) == 3 && cg_size(y, 2) == 5);
        CHECK_STR(cg_node_name(cg_grad_fn(y)), "NativeBatchNormBackward0");
        CHECK(cg_backward(cg_sum(y)) == 0);
        CHECK(cg_grad(x) && cg_get_device(cg_grad(x)) == CG_META && cg_numel(cg_grad(x)) == 60);
        CHECK(cg_grad(w) && cg_numel(cg_grad(w)) == 3);
    }
}

/* ---- group_norm, instance_norm ---- */

static int check_group_line(char *cur) {
    const char *name = golden_token(&cur);
    int64_t groups = atoll(golden_token(&cur));
    double eps = atof(golden_token(&cur));
    bool has_w = atoi(golden_token(&cur)), has_b = atoi(golden_token(&cur)), backward = atoi(golden_token(&cur));
    cg_tensor *x = golden_tensor(&cur);
    cg_tensor *w = has_w ? golden_tensor(&cur) : NULL, *b = has_b ? golden_tensor(&cur) : NULL;
    cg_tensor *g = golden_tensor(&cur), *y_expected = golden_tensor(&cur);
    cg_tensor *dx_expected = backward ? golden_tensor(&cur) : NULL;
    cg_tensor *dw_expected = backward && has_w ? golden_tensor(&cur) : NULL;
    cg_tensor *db_expected = backward && has_b ? golden_tensor(&cur) : NULL;
    if (!x || !g || !y_expected || (backward && !dx_expected) || (has_w && backward && !dw_expected) ||
        (has_b && backward && !db_expected))
        return -1;
    cg_requires_grad_(x, true);
    if (w) cg_requires_grad_(w, true);
    if (b) cg_requires_grad_(b, true);
    cg_tensor *y = cg_group_norm(x, groups, w, b, eps);
    if (!y || strcmp(cg_node_name(cg_grad_fn(y)), "NativeGroupNormBackward0") != 0) return -1;
    if (!same_bits(y, y_expected)) {
        fprintf(stderr, "%s: output bits differ\n", name);
        return -1;
    }
    if (!backward) return 0;
    if (cg_backward(y, .gradient = g) < 0) return -1;
    /* f32_eps_offset (x near 1000, std 3): x - mean loses digits to rounding in both, ~1e-4 of dweight */
    double tol = cg_get_dtype(y) == CG_FLOAT32 ? 2e-4 : 1e-12;
    bool ok = close_to(cg_grad(x), dx_expected, tol) && (!w || close_to(cg_grad(w), dw_expected, tol)) &&
              (!b || close_to(cg_grad(b), db_expected, tol));
    if (!ok) fprintf(stderr, "%s: gradients differ\n", name);
    return ok ? 0 : -1;
}

static int check_instance_line(char *cur) {
    const char *name = golden_token(&cur);
    bool use_stats = atoi(golden_token(&cur));
    double momentum = atof(golden_token(&cur)), eps = atof(golden_token(&cur));
    bool has_r = atoi(golden_token(&cur)), has_w = atoi(golden_token(&cur)), has_b = atoi(golden_token(&cur));
    cg_tensor *x = golden_tensor(&cur);
    cg_tensor *rm = has_r ? golden_tensor(&cur) : NULL, *rv = has_r ? golden_tensor(&cur) : NULL;
    cg_tensor *w = has_w ? golden_tensor(&cur) : NULL, *b = has_b ? golden_tensor(&cur) : NULL;
    cg_tensor *g = golden_tensor(&cur), *y_expected = golden_tensor(&cur);
    cg_tensor *rm_expected = has_r ? golden_tensor(&cur) : NULL, *rv_expected = has_r ? golden_tensor(&cur) : NULL;
    cg_tensor *dx_expected = golden_tensor(&cur);
    cg_tensor *dw_expected = has_w ? golden_tensor(&cur) : NULL, *db_expected = has_b ? golden_tensor(&cur) : NULL;
    if (!x || !g || !y_expected || !dx_expected || (has_r && !rv_expected) || (has_w && !dw_expected) ||
        (has_b && !db_expected))
        return -1;
    cg_requires_grad_(x, true);
    if (w) cg_requires_grad_(w, true);
    if (b) cg_requires_grad_(b, true);
    cg_tensor *y = cg_instance_norm(x, rm, rv, w, b, use_stats, momentum, eps);
    if (!y || strcmp(cg_node_name(cg_grad_fn(y)), "ViewBackward0") != 0) return -1;
    if (!same_bits(y, y_expected)) {
        fprintf(stderr, "%s: output bits differ\n", name);
        return -1;
    }
    if (has_r && (!same_bits(rm, rm_expected) || !same_bits(rv, rv_expected))) {
        fprintf(stderr, "%s: running statistics differ\n", name);
        return -1;
    }
    if (cg_backward(y, .gradient = g) < 0) return -1;
    double tol = cg_get_dtype(y) == CG_FLOAT32 ? 5e-5 : 1e-12;
    bool ok = close_to(cg_grad(x), dx_expected, tol) && (!w || close_to(cg_grad(w), dw_expected, tol)) &&
              (!b || close_to(cg_grad(b), db_expected, tol));
    if (!ok) fprintf(stderr, "%s: gradients differ\n", name);
    return ok ? 0 : -1;
}

static int check_gn_line(char *line) {
    char *cur = line;
    const char *kind = golden_token(&cur);
    return strcmp(kind, "group") == 0 ? check_group_line(cur) : check_instance_line(cur);
}

static void test_gn_golden(void) {
    int bad;
    int cases = golden_check_lines("tests/data/group_norm.txt", check_gn_line, 20, &bad);
    CHECK(cases >= 60);
    CHECK_MSG(bad == 0, "%d of %d cases differ", bad, cases);
}

static void test_gn_errors(void) {
    cg_tensor *x = cg_randn(2, 6, 3);
    CHECK_ERROR(cg_group_norm(x, 4, NULL, NULL, 1e-5),
                "Expected number of channels in input to be divisible by num_groups, but got input of shape [2, 6, 3] "
                "and num_groups=4");
    CHECK_ERROR(cg_group_norm(x, -2, NULL, NULL, 1e-5), "Expected num groups to be greater than 0, got -2");
    CHECK_ERROR(cg_group_norm(x, 0, NULL, NULL, 1e-5), "integer division or modulo by zero");
    CHECK_ERROR(cg_group_norm(x, 3, cg_ones(4), NULL, 1e-5),
                "Expected weight to be a vector of size equal to the number of channels in input, but got weight of "
                "shape [4] and input of shape [2, 6, 3]");
    CHECK_ERROR(cg_group_norm(x, 3, cg_ones(6), cg_ones(4), 1e-5),
                "Expected bias to be a vector of size equal to the number of channels in input, but got bias of "
                "shape [6] and input of shape [2, 6, 3]");
    CHECK_ERROR(cg_group_norm(x, 3, NULL, cg_ones(4), 1e-5),
                "Expected bias to be a vector of size equal to the number of channels in input, but got bias of "
                "shape [0] and input of shape [2, 6, 3]");
    CHECK_ERROR(cg_group_norm(x, 3, cg_ones(6, 1), NULL, 1e-5),
                "Expected weight to be a vector of size equal to the number of channels in input, but got weight of "
                "shape [6, 1] and input of shape [2, 6, 3]");
    CHECK_ERROR(cg_group_norm(cg_randn(1, 3), 3, NULL, NULL, 1e-5),
                "Expected more than 1 value per channel when training, got input size [1, 3]");
    CHECK(cg_last_error_kind() == CG_VALUE_ERROR);
    CHECK_OK(cg_group_norm(cg_randn(1, 6), 3, NULL, NULL, 1e-5));
    CHECK_ERROR(cg_group_norm(cg_randn(6), 3, NULL, NULL, 1e-5),
                "Dimension out of range (expected to be in range of [-1, 0], but got 1)");
    CHECK_ERROR(cg_group_norm(cg_to(x, CG_INT64), 3, NULL, NULL, 1e-5),
                "\"GroupNormKernelImpl\" not implemented for 'Long'");
    CHECK_ERROR(cg_group_norm(x, 3, cg_ones_shape(CG_FLOAT64, CG_SHAPE(6)), NULL, 1e-5),
                "expected scalar type Float but found Double");
    CHECK_ERROR(cg_group_norm(x, 3, cg_to_device(cg_ones(6), CG_META), NULL, 1e-5),
                "Expected all tensors to be on the same device, but found at least two devices, meta and cpu!");
    cg_tensor *e = cg_group_norm(cg_requires_grad_(cg_randn(0, 6, 2), true), 3, NULL, NULL, 1e-5);
    CHECK(e && cg_numel(e) == 0 && strcmp(cg_node_name(cg_grad_fn(e)), "NativeGroupNormBackward0") == 0);

    cg_tensor *rm = cg_zeros(6), *rv = cg_ones(6);
    CHECK_ERROR(cg_instance_norm(cg_randn(2, 6), NULL, NULL, NULL, NULL, true, 0.1, 1e-5),
                "Expected more than 1 spatial element when training, got input size torch.Size([2, 6])");
    CHECK(cg_last_error_kind() == CG_VALUE_ERROR);
    CHECK_ERROR(cg_instance_norm(x, rm, NULL, NULL, NULL, false, 0.1, 1e-5),
                "Expected running_mean and running_var to be defined when use_input_stats is false");
    CHECK_ERROR(cg_instance_norm(x, cg_zeros(4), rv, NULL, NULL, true, 0.1, 1e-5),
                "running_mean should contain 12 elements not 8");
    CHECK_ERROR(cg_instance_norm(cg_randn(6), NULL, NULL, NULL, NULL, false, 0.1, 1e-5),
                "Dimension out of range (expected to be in range of [-1, 0], but got 1)");
    CHECK(cg_item(cg_sum(cg_abs(rm))) == 0 && cg_item(cg_sum(rv)) == 6);
}

static void test_gn_meta(void) {
    cg_tensor *x = cg_requires_grad_(cg_to_device(cg_randn(4, 6, 5), CG_META), true);
    cg_tensor *w = cg_requires_grad_(cg_to_device(cg_randn(6), CG_META), true);
    cg_tensor *y = cg_group_norm(x, 2, w, NULL, 1e-5);
    CHECK_OK(y);
    if (!y) return;
    CHECK(cg_get_device(y) == CG_META && cg_ndim(y) == 3 && cg_size(y, 2) == 5);
    CHECK(cg_backward(cg_sum(y)) == 0);
    CHECK(cg_grad(x) && cg_get_device(cg_grad(x)) == CG_META && cg_numel(cg_grad(x)) == 120);
    CHECK(cg_grad(w) && cg_numel(cg_grad(w)) == 6);
    cg_tensor *z = cg_instance_norm(x, NULL, NULL, w, NULL, true, 0.1, 1e-5);
    CHECK(z && cg_get_device(z) == CG_META && cg_ndim(z) == 3);
}

int main(void) {
    RUN(test_golden);
    RUN(test_errors);
    RUN(test_empty);
    RUN(test_meta);
    RUN(test_inputs_unchanged);
    RUN(test_bn_golden);
    RUN(test_bn_errors);
    RUN(test_bn_empty);
    RUN(test_bn_layouts);
    RUN(test_bn_meta);
    RUN(test_gn_golden);
    RUN(test_gn_errors);
    RUN(test_gn_meta);
    HARNESS_END();
}
