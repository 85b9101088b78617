/* Storage, scopes, creation, element access, type promotion and their errors. */
#include "harness.h"
#include "core/tensor.h" /* cg_number_result_type */

static void test_from_data_and_properties(void) {
    cg_tensor *t = cg_tensor_f32(((float[]){1, 2, 3, 4, 5, 6}), 2, 3);
    CHECK_OK(t);
    CHECK(cg_ndim(t) == 2);
    CHECK(cg_size(t, 0) == 2 && cg_size(t, -1) == 3);
    CHECK(cg_stride(t, 0) == 3 && cg_stride(t, 1) == 1);
    CHECK(cg_numel(t) == 6);
    CHECK(cg_is_contiguous(t));
    CHECK(cg_get_dtype(t) == CG_FLOAT32);
    CHECK((uintptr_t)cg_data_ptr(t) % 64 == 0);
    double v = 0;
    CHECK(cg_get(t, &v, 1, 2) == 0 && v == 6);
    CHECK(cg_get(t, &v, -1, -3) == 0 && v == 4);
}

static void test_tensor_with_options(void) {
    cg_tensor *t = cg_tensor_new(.data = (float[]){1, 2, 3, 4}, CG_SIZES(2, 2), .requires_grad = true);
    CHECK_OK(t);
    CHECK(cg_ndim(t) == 2 && cg_size(t, 1) == 2 && cg_requires_grad(t) && cg_is_leaf(t));
    CHECK(harness_values_close(t, (double[]){1, 2, 3, 4}, 0));
    cg_tensor *z = cg_tensor_new(.dtype = CG_FLOAT64, CG_SIZES(3));
    CHECK(harness_values_close(z, (double[]){0, 0, 0}, 0) && !cg_requires_grad(z) && cg_get_dtype(z) == CG_FLOAT64);
    cg_tensor *s = cg_tensor_new(.data = (double[]){2.5}, .dtype = CG_FLOAT64);
    CHECK(cg_ndim(s) == 0 && cg_item(s) == 2.5);
    CHECK_ERROR(cg_tensor_new(.data = (int64_t[]){1, 2}, .dtype = CG_INT64, CG_SIZES(2), .requires_grad = true),
                "Only Tensors of floating point and complex dtype can require gradients");
    CHECK_ERROR(cg_requires_grad_(cg_tensor_new(.dtype = CG_BOOL, CG_SIZES(1)), true),
                "only Tensors of floating point dtype can require gradients");
}

static void test_element_errors_leave_tensor_unchanged(void) {
    cg_tensor *t = cg_tensor_i64(((int64_t[]){7, 8, 9}), 3);
    double v = -1;
    CHECK_ERROR(cg_get(t, &v, 5) == 0, "index 5 is out of bounds for dimension 0 with size 3");
    CHECK(v == -1);
    CHECK_ERROR(cg_set(t, 1, -4) == 0, "index -4 is out of bounds for dimension 0 with size 3");
    CHECK_ERROR(cg_get(t, &v, 0, 0) == 0, "too many indices for tensor of dimension 1");
    CHECK(cg_version(t) == 0);
    CHECK(cg_set(t, 42, 1) == 0 && cg_version(t) == 1);
    CHECK(cg_get(t, &v, 1) == 0 && v == 42);
    CHECK_ERROR(!isnan(cg_item(t)), "only one element tensors can be converted to Python scalars");
    CHECK(cg_size(t, 1) == -1);
    CHECK_STR(cg_last_error(), "Dimension out of range (expected to be in range of [-1, 0], but got 1)");
}

static void test_creation_patterns(void) {
    cg_tensor *z = cg_zeros(2, 2), *o = cg_ones_shape(CG_INT64, CG_SHAPE(3)), *f = cg_full_shape(CG_FLOAT64, 0, NULL, 2.5);
    CHECK(harness_values_close(z, (double[]){0, 0, 0, 0}, 0));
    CHECK(harness_values_close(o, (double[]){1, 1, 1}, 0) && cg_get_dtype(o) == CG_INT64);
    CHECK(cg_ndim(f) == 0 && cg_numel(f) == 1 && cg_item(f) == 2.5);
    CHECK(harness_values_close(cg_full_like(o, 7), (double[]){7, 7, 7}, 0));
    CHECK(harness_values_close(cg_eye(2, 3, CG_FLOAT32), (double[]){1, 0, 0, 0, 1, 0}, 0));
    CHECK(harness_values_close(cg_arange(0, 5, 2, CG_INT64), (double[]){0, 2, 4}, 0));
    CHECK(harness_values_close(cg_linspace(0, 1, 5, CG_FLOAT32), (double[]){0, 0.25, 0.5, 0.75, 1}, 0));
    CHECK_ERROR(cg_zeros(2, -1), "Trying to create tensor with negative dimension -1: [2, -1]");
    CHECK_ERROR(cg_arange(0, 1, 0, CG_FLOAT32), "step must be nonzero");
    CHECK_ERROR(cg_arange(1, 0, 1, CG_FLOAT32), "upper bound and larger bound inconsistent with step sign");
    CHECK(cg_numel(cg_zeros(0, 3)) == 0);
}

static void test_null_propagates_without_overwriting(void) {
    cg_clear_error();
    cg_zeros(-1);
    const char *first = "Trying to create tensor with negative dimension -1: [-1]";
    CHECK_STR(cg_last_error(), first);
    CHECK(cg_clone(cg_zeros(-1)) == NULL);
    CHECK(cg_to(NULL, CG_FLOAT64) == NULL);
    CHECK_STR(cg_last_error(), first);
}

static void test_type_promotion(void) {
    CHECK(cg_promote_types(CG_INT64, CG_FLOAT32) == CG_FLOAT32);
    CHECK(cg_promote_types(CG_BOOL, CG_INT64) == CG_INT64);
    CHECK(cg_promote_types(CG_FLOAT64, CG_FLOAT32) == CG_FLOAT64);
    cg_tensor *i = cg_zeros_shape(CG_INT64, CG_SHAPE(2)), *f32 = cg_zeros(2);
    cg_tensor *d0 = cg_scalar(1.5, CG_FLOAT64), *i0 = cg_scalar(1, CG_INT64);
    CHECK(cg_result_type(i, d0) == CG_FLOAT64);  /* higher category: the 0-dim tensor counts */
    CHECK(cg_result_type(f32, d0) == CG_FLOAT32);  /* same category: the dimensioned one wins */
    CHECK(cg_result_type(f32, i0) == CG_FLOAT32);
    CHECK(cg_number_result_type(CG_INT64, CG_NUMBER(2)) == CG_INT64);
    CHECK(cg_number_result_type(CG_INT64, CG_NUMBER(2.0)) == CG_FLOAT32);
    CHECK(cg_number_result_type(CG_INT64, CG_NUMBER(2.5)) == CG_FLOAT32);
    CHECK(cg_number_result_type(CG_BOOL, CG_NUMBER(1)) == CG_INT64);
    CHECK(cg_number_result_type(CG_BOOL, CG_NUMBER((bool)true)) == CG_BOOL);
    CHECK(cg_number_result_type(CG_BOOL, CG_NUMBER(1.0f)) == CG_FLOAT32);
    CHECK(cg_number_result_type(CG_FLOAT64, CG_NUMBER(1.5)) == CG_FLOAT64);
}

static void test_copy_and_conversion(void) {
    cg_tensor *t = cg_tensor_f32(((float[]){1.5f, -2.5f, 3}), 3);
    cg_tensor *i = cg_to(t, CG_INT64);
    CHECK(harness_values_close(i, (double[]){1, -2, 3}, 0));
    CHECK(cg_to(t, CG_FLOAT32) == t);
    cg_tensor *dst = cg_zeros_shape(CG_FLOAT64, CG_SHAPE(2, 3));
    CHECK(cg_copy_(dst, t) == 0 && cg_version(dst) == 1);
    CHECK(harness_values_close(dst, (double[]){1.5, -2.5, 3, 1.5, -2.5, 3}, 0));
    CHECK_ERROR(cg_copy_(t, dst) == 0, "output with shape [3] doesn't match the broadcast shape [2, 3]");
    /* The message names the broadcast shape, not src's. */
    CHECK_ERROR(cg_copy_(cg_zeros(2, 3), cg_zeros(4, 1, 3)) == 0,
                "output with shape [2, 3] doesn't match the broadcast shape [4, 2, 3]");
    CHECK(harness_values_close(t, (double[]){1.5, -2.5, 3}, 0) && cg_version(t) == 0);
    CHECK(cg_fill_(t, 4) == 0 && cg_zero_(t) == 0 && cg_version(t) == 2);
    /* The largest doubles below 2^63 convert exactly; 2^63 itself is out of range (INT64_MIN, as x86 and PyTorch give). */
    cg_tensor *big = cg_to(cg_tensor_f64(((double[]){0x1p63 - 1024, -0x1p63, 0x1p63}), 3), CG_INT64);
    const int64_t *v = cg_data_ptr(big);
    CHECK(v[0] == INT64_MAX - 1023 && v[1] == INT64_MIN && v[2] == INT64_MIN);
}

static void test_scope_keeps_memory_flat(void) {
    cg_tensor *kept = NULL;
    for (int i = 0; i < 1000; i++) {
        CG_SCOPE {
            cg_tensor *a = cg_ones(16);
            cg_tensor *b = cg_clone(a);
            if (i == 999) kept = cg_keep(b);
        }
    }
    CHECK(kept && cg_numel(kept) == 16);
    cg_tensor *owned = NULL;
    CG_SCOPE { owned = cg_retain(cg_ones(3)); }
    CHECK(cg_numel(owned) == 3);
    cg_release(owned);
}

static int64_t first_i64(cg_tensor *t) { return t ? ((const int64_t *)cg_data_ptr(t))[0] : -1; }
static float first_f32(cg_tensor *t) { return t ? ((const float *)cg_data_ptr(t))[0] : -1; }

/* fill_, full_like, full_shape_number: the value is a Python number of its C type's kind, written
 * as PyTorch writes it (checked in PyTorch 1.13: torch.full, full_like, fill_). */
static void test_fill_with_python_numbers(void) {
    const int64_t exact = 9007199254740993; /* 2^53 + 1: no double holds it */
    cg_tensor *i = cg_zeros_shape(CG_INT64, CG_SHAPE(2)), *f = cg_zeros(2);
    CHECK(first_i64(cg_full_like(i, exact)) == exact);
    CHECK(first_i64(cg_full_shape_number(CG_INT64, CG_SHAPE(2), cg_number_int(exact))) == exact);
    CHECK(first_i64(cg_full_shape_number(CG_INT64, CG_SHAPE(2), cg_number_int(INT64_MIN))) == INT64_MIN);
    CHECK(cg_fill_(i, exact) == 0 && first_i64(i) == exact && cg_version(i) == 1);
    CHECK(cg_fill_(i, 2.5) == 0 && first_i64(i) == 2);
    /* 2^60 + 2^36 + 1 rounds up to float32 (1.1529216420458004e+18), not down through double */
    CHECK(cg_fill_(f, INT64_C(1152921573326323713)) == 0 && first_f32(f) == 0x1.000002p60f);
    CHECK(first_f32(cg_full_like(f, INT64_C(1152921573326323713))) == 0x1.000002p60f);
    CHECK(first_f32(cg_full_shape(CG_FLOAT32, CG_SHAPE(1), 3.5)) == 3.5f);
    CHECK_ERROR(cg_fill_(i, 1ULL << 63) == 0, "Overflow when unpacking long");
    CHECK_ERROR(cg_full_like(f, 1ULL << 63) != NULL, "Overflow when unpacking long");
    CHECK_ERROR(cg_fill_(f, 1e39) == 0, "value cannot be converted to type float without overflow");
    CHECK_ERROR(cg_full_like(f, 1e39) != NULL, "value cannot be converted to type float without overflow");
    CHECK_ERROR(cg_full_shape(CG_INT64, CG_SHAPE(2), NAN) != NULL,
                "value cannot be converted to type int64_t without overflow");
    CHECK(cg_version(i) == 2 && first_i64(i) == 2 && first_f32(f) == 0x1.000002p60f);
}

int main(void) {
    RUN(test_from_data_and_properties);
    RUN(test_tensor_with_options);
    RUN(test_element_errors_leave_tensor_unchanged);
    RUN(test_creation_patterns);
    RUN(test_null_propagates_without_overwriting);
    RUN(test_type_promotion);
    RUN(test_fill_with_python_numbers);
    RUN(test_copy_and_conversion);
    RUN(test_scope_keeps_memory_flat);
    HARNESS_END();
}
