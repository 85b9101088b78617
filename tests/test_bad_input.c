/* Bad input, everywhere: every public function called with NULL tensors, NULL arrays, negative
 * and huge sizes, dims and indices, too many dims, bad dtypes, NaN and infinite numbers, empty and
 * 0-dim tensors, zero or negative counts. Each call must return its error value without crashing
 * (ASan and UBSan watch), set a non-empty message (or, for a NULL tensor argument, leave the
 * previous message as it was), and leave every input unchanged: values and version. */
#include "harness.h"

#include "core/tensor.h" /* cg_set_error: a sentinel message */

#include <stdint.h>
#include <limits.h>

/* ---- the inputs every call may receive, checked after every call ---- */

enum { F, D, I, B, Z, E, LEAF, NFIX };
static cg_tensor *fx[NFIX];
static double snapshot[NFIX][8];
static int64_t versions[NFIX];

static void read_values(cg_tensor *t, double *out) {
    for (int64_t k = 0; k < cg_numel(t) && k < 8; k++) {
        int64_t index[CG_MAX_DIMS] = {0}, rest = k;
        for (int d = cg_ndim(t) - 1; d >= 0; d--) {
            index[d] = rest % cg_size(t, d);
            rest /= cg_size(t, d);
        }
        cg_get_at(t, cg_ndim(t), index, &out[k]);
    }
}

static void make_fixtures(void) {
    fx[F] = cg_tensor_f32(((float[]){1, 2, 3, 4, 5, 6}), 2, 3);
    fx[D] = cg_tensor_f64(((double[]){1, -2, 3}), 3);
    fx[I] = cg_tensor_i64(((int64_t[]){0, 1, 2}), 3);
    fx[B] = cg_tensor_bool(((bool[]){true, false, true}), 3);
    fx[Z] = cg_scalar(2.5, CG_FLOAT32);
    fx[E] = cg_zeros(0, 3);
    fx[LEAF] = cg_requires_grad_(cg_tensor_f64(((double[]){0.5, 1.5}), 2), true);
    for (int k = 0; k < NFIX; k++) {
        cg_retain(fx[k]);
        read_values(fx[k], snapshot[k]);
        versions[k] = cg_version(fx[k]);
    }
}

static bool fixtures_unchanged(void) {
    for (int k = 0; k < NFIX; k++) {
        double now[8];
        read_values(fx[k], now);
        if (cg_version(fx[k]) != versions[k] || memcmp(now, snapshot[k], sizeof(double) * (size_t)(cg_numel(fx[k]) < 8 ? cg_numel(fx[k]) : 8)))
            return false;
    }
    return true;
}

/* ---- expectations ---- */

static int calls;

/* expr fails (NULL, negative, NaN) with a message of its own (and a kind). */
#define FAILS(expr) EXPECT_FAILURE_(expr, MESSAGE_OWN)
/* The same, with the exception kind PyTorch raises (CG_INDEX_ERROR, ...). */
#define FAILS_AS(expr, kind)                                                                     \
    do {                                                                                         \
        FAILS(expr);                                                                             \
        CHECK_MSG(cg_last_error_kind() == (kind), "%s: %s, expected %s", #expr,                 \
                  cg_error_kind_name(cg_last_error_kind()), cg_error_kind_name(kind));           \
    } while (0)
/* expr fails without touching the previous message (a NULL tensor argument). */
#define FAILS_SILENTLY(expr) EXPECT_FAILURE_(expr, MESSAGE_KEPT)
/* expr returns its "nothing" value (an accessor: NULL for no such node), message not checked. */
#define RETURNS_NOTHING(expr) EXPECT_FAILURE_(expr, MESSAGE_ANY)

typedef enum { MESSAGE_OWN, MESSAGE_KEPT, MESSAGE_ANY } message_rule;

#define EXPECT_FAILURE_(expr, rule)                                \
    do {                                                           \
        cg_set_error("sentinel");                                  \
        if ((rule) == MESSAGE_OWN) cg_clear_error();               \
        bool failed_ = is_failure_((expr));                        \
        check_failure_(failed_, rule, #expr);                      \
    } while (0)

static void check_failure_(bool failed, message_rule rule, const char *expr) {
    calls++;
    CHECK_MSG(failed, "%s succeeded", expr);
    if (failed && rule == MESSAGE_OWN)
        CHECK_MSG(cg_last_error()[0] != '\0' && cg_last_error_kind() != CG_ERROR_NONE, "%s: no message", expr);
    if (failed && rule == MESSAGE_KEPT)
        CHECK_MSG(strcmp(cg_last_error(), "sentinel") == 0 && cg_last_error_kind() == CG_RUNTIME_ERROR,
                  "%s: message overwritten: \"%s\"", expr, cg_last_error());
    CHECK_MSG(fixtures_unchanged(), "%s changed an input", expr);
}

/* expr may succeed or fail, but must not crash or change the inputs. */
#define SURVIVES(expr)                                                              \
    do {                                                                            \
        cg_clear_error();                                                           \
        (void)(expr);                                                               \
        calls++;                                                                    \
        CHECK_MSG(fixtures_unchanged(), "%s changed an input", #expr);              \
    } while (0)

#define is_failure_(x)                                                                          \
    _Generic((x), cg_tensor *: ptr_failed_, int: int_failed_, int64_t: i64_failed_, double: dbl_failed_, \
             bool: bool_failed_, const char *: str_failed_, cg_node *: node_failed_)(x)
static bool ptr_failed_(cg_tensor *t) { return t == NULL; }
static bool int_failed_(int v) { return v < 0; }
static bool i64_failed_(int64_t v) { return v < 0; }
static bool dbl_failed_(double v) { return isnan(v); }
static bool bool_failed_(bool v) { return !v; }
static bool str_failed_(const char *s) { return s == NULL; }
static bool node_failed_(cg_node *n) { return n == NULL; }

static const int64_t HUGE_SIZES[] = {INT64_MAX, INT64_MAX};
static const int64_t NEG_SIZES[] = {2, -3};
static const int64_t NINE[] = {1, 1, 1, 1, 1, 1, 1, 1, 1};

/* ---- creation ---- */

static void test_creation(void) {
    FAILS_SILENTLY(cg_from_data(NULL, CG_FLOAT32, 1, (int64_t[]){2}));
    FAILS(cg_from_data((float[]){1, 2}, CG_FLOAT32, 2, NEG_SIZES));
    FAILS(cg_from_data((float[]){1, 2}, CG_FLOAT32, 9, NINE));
    FAILS(cg_from_data((float[]){1, 2}, CG_FLOAT32, -1, NINE));
    FAILS(cg_from_data((float[]){1, 2}, CG_FLOAT32, 2, HUGE_SIZES));
    FAILS_AS(cg_from_data((float[]){1, 2}, CG_FLOAT32, 1, NULL), CG_TYPE_ERROR);
    FAILS_AS(cg_from_data((float[]){1, 2}, (cg_dtype)7, 1, (int64_t[]){2}), CG_TYPE_ERROR);
    FAILS_AS(cg_from_data((float[]){1, 2}, (cg_dtype)-1, 1, (int64_t[]){2}), CG_TYPE_ERROR);
    FAILS(cg_empty_shape(CG_FLOAT32, 1, (int64_t[]){INT64_MAX}));
    FAILS(cg_empty_shape(CG_FLOAT64, 1, (int64_t[]){INT64_MAX / 8 + 1}));
    SURVIVES(cg_empty_shape(CG_FLOAT32, 2, (int64_t[]){INT64_MAX, 0})); /* as in PyTorch: no element */
    FAILS(cg_empty_shape(CG_BOOL, 3, (int64_t[]){1 << 30, 1 << 30, 1 << 30}));
    FAILS(cg_zeros_shape(CG_FLOAT32, 2, NEG_SIZES));
    FAILS(cg_ones_shape(CG_INT64, 9, NINE));
    FAILS(cg_full_shape(CG_BOOL, 2, HUGE_SIZES, 1));
    FAILS_AS(cg_full_shape((cg_dtype)9, 1, (int64_t[]){1}, 1), CG_TYPE_ERROR);
    FAILS_AS(cg_empty_shape(CG_FLOAT32, 3, NULL), CG_TYPE_ERROR);
    SURVIVES(cg_full_shape(CG_INT64, 1, (int64_t[]){2}, NAN));
    SURVIVES(cg_full_shape(CG_INT64, 1, (int64_t[]){2}, INFINITY));
    SURVIVES(cg_full_shape(CG_INT64, 1, (int64_t[]){2}, 1e300));
    SURVIVES(cg_scalar(NAN, CG_INT64));
    SURVIVES(cg_scalar(-INFINITY, CG_BOOL));
    FAILS_AS(cg_scalar(1, (cg_dtype)4), CG_TYPE_ERROR);
    FAILS(cg_tensor_new(.data = (float[]){1}, .ndim = 9));
    FAILS(cg_tensor_new(.ndim = -2));
    FAILS(cg_tensor_new(CG_SIZES(-1)));
    FAILS(cg_tensor_new(CG_SIZES(INT64_MAX, 2)));
    FAILS(cg_tensor_new(.dtype = CG_INT64, .requires_grad = true));
    FAILS_AS(cg_tensor_new(.dtype = (cg_dtype)5), CG_TYPE_ERROR);
    FAILS_SILENTLY(cg_empty_like(NULL));
    FAILS_SILENTLY(cg_zeros_like(NULL));
    FAILS_SILENTLY(cg_ones_like(NULL));
    FAILS_SILENTLY(cg_full_like(NULL, 1));
    SURVIVES(cg_full_like(fx[E], NAN));
    SURVIVES(cg_ones_like(fx[Z]));
    FAILS(cg_arange(0, 10, 0, CG_FLOAT32));
    FAILS(cg_arange(0, 10, NAN, CG_FLOAT32));
    FAILS(cg_arange(NAN, 10, 1, CG_FLOAT32));
    FAILS(cg_arange(0, INFINITY, 1, CG_FLOAT32));
    FAILS(cg_arange(0, 1e300, 1e-300, CG_FLOAT32));
    FAILS(cg_arange(0, 9.3e18, 1, CG_FLOAT32));
    FAILS(cg_arange(0, 4.7e18, 1, CG_FLOAT32));
    FAILS(cg_arange(10, 0, 1, CG_FLOAT32));
    FAILS_AS(cg_arange(0, 3, 1, (cg_dtype)6), CG_TYPE_ERROR);
    SURVIVES(cg_arange(0, 10, INFINITY, CG_FLOAT32));
    SURVIVES(cg_arange(0, 10, 1, CG_BOOL));
    FAILS(cg_linspace(0, 1, -1, CG_FLOAT32));
    FAILS(cg_linspace(0, 1, INT64_MAX, CG_FLOAT32));
    FAILS(cg_linspace(0, 1, INT64_MIN, CG_FLOAT32));
    FAILS_AS(cg_linspace(0, 1, 3, (cg_dtype)-3), CG_TYPE_ERROR);
    SURVIVES(cg_linspace(NAN, INFINITY, 3, CG_FLOAT64));
    SURVIVES(cg_linspace(0, 1, 0, CG_FLOAT32));
    SURVIVES(cg_linspace(0, 1, 1, CG_INT64));
    FAILS(cg_eye(-1, 2, CG_FLOAT32));
    SURVIVES(cg_eye(2, -1, CG_FLOAT32)); /* m = -1: PyTorch's m=None */
    FAILS_AS(cg_eye(2, -2, CG_FLOAT32), CG_RUNTIME_ERROR);
    FAILS(cg_eye(INT64_MAX, INT64_MAX, CG_FLOAT32));
    FAILS(cg_eye(INT64_MIN, 1, CG_FLOAT32));
    FAILS_AS(cg_eye(2, 2, (cg_dtype)8), CG_TYPE_ERROR);
    SURVIVES(cg_eye(0, 0, CG_BOOL));
}

static void test_random(void) {
    FAILS(cg_rand_shape(CG_FLOAT32, 2, NEG_SIZES));
    FAILS(cg_rand_shape(CG_FLOAT32, 9, NINE));
    FAILS(cg_rand_shape(CG_FLOAT32, 2, HUGE_SIZES));
    FAILS(cg_randn_shape(CG_FLOAT64, 2, NEG_SIZES));
    FAILS_AS(cg_randn_shape(CG_FLOAT32, 1, NULL), CG_TYPE_ERROR);
    FAILS(cg_rand_shape(CG_INT64, 1, (int64_t[]){2}));
    FAILS(cg_randn_shape(CG_BOOL, 1, (int64_t[]){2}));
    FAILS_AS(cg_rand_shape((cg_dtype)11, 1, (int64_t[]){2}), CG_TYPE_ERROR);
    FAILS(cg_randint_shape(5, 5, 1, (int64_t[]){2}));
    FAILS(cg_randint_shape(5, 2, 1, (int64_t[]){2}));
    FAILS(cg_randint_shape(0, 2, 2, NEG_SIZES));
    FAILS(cg_randint_shape(0, 2, 2, HUGE_SIZES));
    SURVIVES(cg_randint_shape(INT64_MIN, INT64_MAX, 1, (int64_t[]){3}));
    SURVIVES(cg_randint_shape(-1, INT64_MAX, 1, (int64_t[]){3}));
    SURVIVES(cg_rand_shape(CG_FLOAT32, 0, NULL));
    FAILS_SILENTLY(cg_uniform_(NULL, 0, 1));
    FAILS_SILENTLY(cg_normal_(NULL, 0, 1));
    FAILS(cg_uniform_(fx[F], 1, 0));
    FAILS(cg_uniform_(fx[F], 0, INFINITY));
    FAILS(cg_uniform_(fx[F], NAN, 1));
    FAILS(cg_uniform_(fx[I], 0, 1));
    FAILS(cg_uniform_(fx[B], 0, 1));
    FAILS(cg_uniform_(fx[LEAF], 0, 1));
    FAILS(cg_normal_(fx[F], 0, -1));
    FAILS(cg_normal_(fx[F], 0, NAN));
    FAILS(cg_normal_(fx[I], 0, 1));
    FAILS(cg_normal_(fx[LEAF], 0, 1));
    cg_tensor *expanded = cg_expand(cg_clone(fx[D]), 2, 3);
    FAILS(cg_uniform_(expanded, 0, 1));
    FAILS(cg_normal_(expanded, 0, 1));
    SURVIVES(cg_normal_(cg_clone(fx[E]), NAN, 1));
    SURVIVES(cg_uniform_(cg_clone(fx[Z]), -1e308, 1e308));
}

/* ---- properties and elements ---- */

static void test_properties(void) {
    SURVIVES(cg_ndim(NULL));
    FAILS_SILENTLY(cg_size(NULL, 0));
    FAILS_SILENTLY(cg_stride(NULL, 0));
    FAILS(cg_size(fx[F], 2));
    FAILS(cg_size(fx[F], INT_MIN));
    FAILS(cg_size(fx[F], INT_MAX));
    FAILS(cg_stride(fx[F], -3));
    FAILS(cg_size(fx[Z], 1));
    SURVIVES(cg_size(fx[Z], -1));
    SURVIVES(cg_sizes(NULL));
    SURVIVES(cg_strides(NULL));
    SURVIVES(cg_numel(NULL));
    SURVIVES(cg_storage_offset(NULL));
    SURVIVES(cg_get_dtype(NULL));
    SURVIVES(cg_is_contiguous(NULL));
    SURVIVES(cg_version(NULL));
    SURVIVES(cg_data_ptr(NULL));
    SURVIVES(cg_data_ptr(fx[E]));
    SURVIVES(cg_shares_storage(NULL, fx[F]));
    SURVIVES(cg_shares_storage(fx[F], NULL));
    SURVIVES(cg_dtype_size((cg_dtype)-1));
    SURVIVES(cg_dtype_size((cg_dtype)100));
    SURVIVES(cg_dtype_name((cg_dtype)-1));
    SURVIVES(cg_dtype_name((cg_dtype)100));
    SURVIVES(cg_dtype_is_floating((cg_dtype)100));
    SURVIVES(cg_promote_types((cg_dtype)100, CG_FLOAT32));
    SURVIVES(cg_promote_types(CG_INT64, (cg_dtype)-5));
    SURVIVES(cg_result_type(NULL, fx[F]));
    SURVIVES(cg_result_type(fx[F], NULL));
    SURVIVES(cg_last_error());
    SURVIVES(cg_retain(NULL));
    cg_release(NULL);
    SURVIVES(cg_keep(NULL));
}

static void test_elements(void) {
    FAILS_SILENTLY(cg_item(NULL));
    FAILS(cg_item(fx[F]));
    FAILS(cg_item(fx[E]));
    double v = 7;
    FAILS_SILENTLY(cg_get_at(NULL, 1, (int64_t[]){0}, &v));
    FAILS(cg_get_at(fx[F], 2, (int64_t[]){0, 3}, &v));
    FAILS(cg_get_at(fx[F], 2, (int64_t[]){-3, 0}, &v));
    FAILS(cg_get_at(fx[F], 2, (int64_t[]){INT64_MIN, 0}, &v));
    FAILS(cg_get_at(fx[F], 2, (int64_t[]){INT64_MAX, 0}, &v));
    FAILS(cg_get_at(fx[F], 1, (int64_t[]){0}, &v));
    FAILS(cg_get_at(fx[F], 3, (int64_t[]){0, 0, 0}, &v));
    FAILS(cg_get_at(fx[F], -1, (int64_t[]){0}, &v));
    FAILS(cg_get_at(fx[F], INT_MAX, (int64_t[]){0}, &v));
    FAILS_AS(cg_get_at(fx[F], 2, NULL, &v), CG_TYPE_ERROR);
    FAILS_AS(cg_get_at(fx[F], 2, (int64_t[]){0, 0}, NULL), CG_TYPE_ERROR);
    FAILS(cg_get_at(fx[E], 2, (int64_t[]){0, 0}, &v));
    CHECK(v == 7); /* nothing written on error */
    FAILS_SILENTLY(cg_set_at(NULL, 1, (int64_t[]){0}, 1));
    FAILS(cg_set_at(fx[F], 2, (int64_t[]){2, 0}, 1));
    FAILS(cg_set_at(fx[F], 2, (int64_t[]){0, INT64_MIN}, 1));
    FAILS(cg_set_at(fx[F], 1, (int64_t[]){0}, 1));
    FAILS_AS(cg_set_at(fx[F], 2, NULL, 1), CG_TYPE_ERROR);
    FAILS(cg_set_at(fx[E], 2, (int64_t[]){0, 0}, 1));
    FAILS(cg_set_at(fx[Z], 1, (int64_t[]){0}, 1));
    FAILS(cg_set_at(fx[LEAF], 1, (int64_t[]){0}, 1)); /* a leaf that requires grad */
    SURVIVES(cg_set_at(cg_clone(fx[I]), 1, (int64_t[]){0}, NAN));
    SURVIVES(cg_set_at(cg_clone(fx[I]), 1, (int64_t[]){0}, 1e300));
    SURVIVES(cg_set_at(cg_clone(fx[B]), 1, (int64_t[]){0}, INFINITY));
}

/* ---- views ---- */

static void test_views(void) {
    cg_tensor *f = fx[F];
    FAILS_SILENTLY(cg_view_shape(NULL, 1, (int64_t[]){6}));
    FAILS(cg_view_shape(f, 2, (int64_t[]){-1, -1}));
    FAILS(cg_view_shape(f, 2, (int64_t[]){INT64_MAX, -1}));
    FAILS(cg_view_shape(f, 2, (int64_t[]){INT64_MAX, INT64_MAX}));
    FAILS(cg_view_shape(f, 2, (int64_t[]){-2, 3}));
    FAILS(cg_view_shape(f, 2, (int64_t[]){0, -1}));
    FAILS(cg_view_shape(f, 9, NINE));
    FAILS(cg_view_shape(f, -1, NINE));
    FAILS_AS(cg_view_shape(f, 2, NULL), CG_TYPE_ERROR);
    FAILS(cg_view_shape(fx[E], 2, (int64_t[]){0, -1}));
    FAILS(cg_view_shape(cg_t(f), 1, (int64_t[]){6}));
    FAILS_SILENTLY(cg_reshape_shape(NULL, 1, (int64_t[]){6}));
    FAILS(cg_reshape_shape(f, 2, (int64_t[]){INT64_MAX, INT64_MAX}));
    FAILS(cg_reshape_shape(f, 2, (int64_t[]){4, -1}));
    FAILS(cg_reshape_shape(f, 9, NINE));
    FAILS_AS(cg_reshape_shape(f, 1, NULL), CG_TYPE_ERROR);
    FAILS_SILENTLY(cg_expand_shape(NULL, 1, (int64_t[]){6}));
    FAILS(cg_expand_shape(f, 2, (int64_t[]){-2, 3}));
    FAILS(cg_expand_shape(f, 1, (int64_t[]){3}));
    FAILS(cg_expand_shape(f, 9, NINE));
    FAILS_AS(cg_expand_shape(f, 2, NULL), CG_TYPE_ERROR);
    FAILS(cg_expand_shape(fx[Z], 2, HUGE_SIZES));
    FAILS(cg_expand_shape(fx[Z], 3, (int64_t[]){INT64_MAX, INT64_MAX, 0}));
    FAILS(cg_expand_shape(fx[D], 2, (int64_t[]){-1, 3}));
    FAILS(cg_expand_shape(fx[D], 2, (int64_t[]){INT64_MIN, 3}));
    SURVIVES(cg_expand_shape(fx[Z], 1, (int64_t[]){INT64_MAX}));
    FAILS_SILENTLY(cg_permute_dims(NULL, 2, (int64_t[]){1, 0}));
    FAILS_AS(cg_permute_dims(f, 2, (int64_t[]){0, 0}), CG_RUNTIME_ERROR);
    FAILS_AS(cg_permute_dims(f, 1, (int64_t[]){0}), CG_RUNTIME_ERROR);
    FAILS_AS(cg_permute_dims(f, 2, (int64_t[]){0, 2}), CG_INDEX_ERROR);
    FAILS_AS(cg_permute_dims(f, 2, (int64_t[]){INT64_MIN, 0}), CG_INDEX_ERROR);
    FAILS_AS(cg_permute_dims(f, 2, (int64_t[]){INT64_MAX, 0}), CG_INDEX_ERROR);
    FAILS_AS(cg_permute_dims(f, 2, NULL), CG_TYPE_ERROR);
    FAILS(cg_permute_dims(f, -1, NULL));
    FAILS(cg_permute_dims(f, 9, NINE));
    FAILS_SILENTLY(cg_flatten(NULL, 0, -1));
    FAILS(cg_flatten(f, 1, 0));
    FAILS(cg_flatten(f, 0, 2));
    FAILS(cg_flatten(f, INT_MIN, INT_MAX));
    SURVIVES(cg_flatten(fx[Z], 0, -1));
    FAILS_SILENTLY(cg_squeeze(NULL));
    FAILS_SILENTLY(cg_squeeze_dim(NULL, 0));
    FAILS_AS(cg_squeeze_dim(f, 2), CG_INDEX_ERROR);
    FAILS_AS(cg_squeeze_dim(f, INT_MIN), CG_INDEX_ERROR);
    FAILS_SILENTLY(cg_unsqueeze(NULL, 0));
    FAILS(cg_unsqueeze(f, 3));
    FAILS(cg_unsqueeze(f, -4));
    FAILS(cg_unsqueeze(f, INT_MAX));
    FAILS(cg_unsqueeze(cg_view_shape(f, 8, (int64_t[]){1, 1, 1, 1, 1, 1, 2, 3}), 0));
    FAILS_SILENTLY(cg_transpose(NULL, 0, 1));
    FAILS(cg_transpose(f, 0, 2));
    FAILS(cg_transpose(f, INT_MIN, 0));
    FAILS(cg_transpose(fx[Z], 0, 1));
    FAILS_SILENTLY(cg_t(NULL));
    FAILS(cg_t(cg_unsqueeze(f, 0)));
    FAILS_SILENTLY(cg_select(NULL, 0, 0));
    FAILS_AS(cg_select(f, 0, 2), CG_INDEX_ERROR);
    FAILS_AS(cg_select(f, 0, -3), CG_INDEX_ERROR);
    FAILS_AS(cg_select(f, 0, INT64_MAX), CG_INDEX_ERROR);
    FAILS_AS(cg_select(f, 0, INT64_MIN), CG_INDEX_ERROR);
    FAILS_AS(cg_select(f, 2, 0), CG_INDEX_ERROR);
    FAILS_AS(cg_select(fx[Z], 0, 0), CG_INDEX_ERROR);
    FAILS_AS(cg_select(fx[E], 0, 0), CG_INDEX_ERROR);
    FAILS_SILENTLY(cg_index_at(NULL, 1, (int64_t[]){0}));
    FAILS_AS(cg_index_at(f, 1, (int64_t[]){INT64_MIN}), CG_INDEX_ERROR);
    FAILS_AS(cg_index_at(f, 1, (int64_t[]){INT64_MAX}), CG_INDEX_ERROR);
    FAILS_AS(cg_index_at(f, 3, (int64_t[]){0, 0, 0}), CG_INDEX_ERROR);
    FAILS(cg_index_at(f, 1, NULL));
    FAILS(cg_index_at(fx[Z], 1, (int64_t[]){0}));
    SURVIVES(cg_index_at(f, -5, NULL));
    FAILS_SILENTLY(cg_slice(NULL, 0, 0, 1, 1));
    FAILS(cg_slice(f, 0, 0, 1, 0));
    FAILS(cg_slice(f, 0, 0, 1, -1));
    FAILS(cg_slice(f, 0, 0, 1, INT64_MIN));
    FAILS(cg_slice(f, 2, 0, 1, 1));
    FAILS(cg_slice(fx[Z], 0, 0, 1, 1));
    SURVIVES(cg_slice(f, 1, INT64_MIN, INT64_MAX, 1));
    SURVIVES(cg_slice(f, 1, INT64_MAX, INT64_MIN, INT64_MAX));
    SURVIVES(cg_slice(f, 1, -INT64_MAX, INT64_MAX, INT64_MAX));
    SURVIVES(cg_slice(fx[E], 0, 0, INT64_MAX, 3));
    FAILS_SILENTLY(cg_narrow(NULL, 0, 0, 1));
    FAILS(cg_narrow(f, 0, 0, 3));
    FAILS(cg_narrow(f, 0, 2, 1));
    FAILS(cg_narrow(f, 0, 0, -1));
    FAILS(cg_narrow(f, 0, INT64_MAX, INT64_MAX));
    FAILS(cg_narrow(f, 0, INT64_MIN, 1));
    FAILS(cg_narrow(f, 0, 1, INT64_MAX));
    FAILS(cg_narrow(f, 0, -1, INT64_MIN));
    FAILS(cg_narrow(f, 5, 0, 1));
    FAILS(cg_narrow(fx[Z], 0, 0, 1));
}

static void test_pieces(void) {
    cg_tensor *out[4] = {NULL};
    cg_tensor *f = fx[F];
    FAILS_SILENTLY(cg_unbind(NULL, 0, out, 4));
    FAILS(cg_unbind(f, 0, out, 0));
    FAILS(cg_unbind(f, 0, out, 1));
    FAILS(cg_unbind(f, 0, out, -1));
    FAILS(cg_unbind(f, 0, NULL, 4));
    FAILS(cg_unbind(f, 2, out, 4));
    FAILS(cg_unbind(f, INT_MIN, out, 4));
    FAILS(cg_unbind(fx[Z], 0, out, 4));
    SURVIVES(cg_unbind(fx[E], 0, out, 4));
    FAILS_SILENTLY(cg_split(NULL, 1, 0, out, 4));
    FAILS(cg_split(f, 1, 1, out, 2));
    FAILS(cg_split(f, 1, 1, out, 0));
    FAILS(cg_split(f, 1, 1, NULL, 4));
    FAILS(cg_split(f, -1, 1, out, 4));
    FAILS(cg_split(f, INT64_MIN, 1, out, 4));
    FAILS(cg_split(f, 0, 1, out, 4));
    FAILS(cg_split(f, 1, 5, out, 4));
    FAILS(cg_split(fx[Z], 1, 0, out, 4));
    SURVIVES(cg_split(f, INT64_MAX, 1, out, 4));
    SURVIVES(cg_split(fx[E], 0, 0, out, 4));
    SURVIVES(cg_split(fx[E], INT64_MAX, 0, out, 4));
    FAILS_SILENTLY(cg_chunk(NULL, 2, 0, out, 4));
    FAILS(cg_chunk(f, 0, 1, out, 4));
    FAILS(cg_chunk(f, -1, 1, out, 4));
    FAILS(cg_chunk(f, INT_MIN, 1, out, 4));
    FAILS(cg_chunk(f, 3, 1, out, 2));
    FAILS(cg_chunk(f, 3, 1, NULL, 3));
    FAILS(cg_chunk(f, 3, 1, out, -5));
    FAILS(cg_chunk(f, 2, 3, out, 4));
    FAILS(cg_chunk(fx[Z], 1, 0, out, 4));
    SURVIVES(cg_chunk(f, INT_MAX, 1, out, 4));
    SURVIVES(cg_chunk(fx[E], 3, 0, out, 4));
    SURVIVES(cg_chunk(fx[E], INT_MAX, 0, out, 4));
    FAILS_SILENTLY(cg_contiguous(NULL));
    FAILS_SILENTLY(cg_clone(NULL));
    FAILS_SILENTLY(cg_to(NULL, CG_FLOAT32));
    FAILS(cg_to(f, (cg_dtype)17));
    FAILS(cg_to(f, (cg_dtype)-1));
    SURVIVES(cg_to(fx[D], CG_INT64));
    SURVIVES(cg_to(cg_full_shape(CG_FLOAT64, 1, (int64_t[]){3}, NAN), CG_INT64));
    SURVIVES(cg_to(cg_full_shape(CG_FLOAT64, 1, (int64_t[]){3}, 1e300), CG_INT64));
    SURVIVES(cg_to(cg_full_shape(CG_FLOAT32, 1, (int64_t[]){3}, -INFINITY), CG_INT64));
    SURVIVES(cg_to(cg_full_shape(CG_FLOAT64, 1, (int64_t[]){3}, 1e300), CG_FLOAT32));
}

/* ---- elementwise ---- */

typedef cg_tensor *(*binary_fn)(cg_tensor *, cg_tensor *);
typedef cg_tensor *(*scalar_fn)(cg_tensor *, cg_number);
typedef cg_tensor *(*unary_fn)(cg_tensor *);
typedef int (*inplace_fn)(cg_tensor *, cg_tensor *);
typedef int (*inplace_scalar_fn)(cg_tensor *, cg_number);

static void test_elementwise(void) {
    binary_fn binary[] = {cg_add, cg_sub, cg_mul, cg_div, cg_pow, cg_maximum, cg_minimum,
                          cg_eq,  cg_ne,  cg_lt,  cg_le,  cg_gt,  cg_ge};
    for (size_t k = 0; k < sizeof binary / sizeof *binary; k++) {
        FAILS_SILENTLY(binary[k](NULL, fx[F]));
        FAILS_SILENTLY(binary[k](fx[F], NULL));
        FAILS_SILENTLY(binary[k](NULL, NULL));
        FAILS(binary[k](fx[F], cg_ones(4)));
        FAILS(binary[k](fx[F], fx[E]));
        SURVIVES(binary[k](fx[E], fx[Z]));
        SURVIVES(binary[k](fx[Z], fx[Z]));
        SURVIVES(binary[k](fx[B], fx[I]));
        SURVIVES(binary[k](fx[I], cg_zeros_like(fx[I])));
        SURVIVES(binary[k](fx[I], cg_full_like(fx[I], -1)));
        SURVIVES(binary[k](cg_full_like(fx[I], INT64_MIN), cg_full_like(fx[I], -1)));
        SURVIVES(binary[k](fx[B], fx[B]));
        SURVIVES(binary[k](fx[D], cg_full_like(fx[D], NAN)));
    }
    scalar_fn scalar[] = {cg_add_number, cg_sub_number, cg_rsub_number, cg_mul_number, cg_div_number,
                          cg_rdiv_number, cg_pow_number, cg_rpow_number, cg_eq_number, cg_ne_number,
                          cg_lt_number,  cg_le_number,  cg_gt_number,  cg_ge_number};
    double numbers[] = {NAN, INFINITY, -INFINITY, 0, -1, 1e300, 9.3e18, -9.3e18, 0.5};
    cg_number ints[] = {cg_number_int(INT64_MIN), cg_number_int(INT64_MAX), cg_number_uint(UINT64_MAX),
                        cg_number_bool(true)};
    for (size_t k = 0; k < sizeof scalar / sizeof *scalar; k++) {
        FAILS_SILENTLY(scalar[k](NULL, cg_number_int(1)));
        for (size_t n = 0; n < sizeof numbers / sizeof *numbers; n++)
            for (int t = F; t <= E; t++) {
                SURVIVES(scalar[k](fx[t], cg_number_float(numbers[n])));
                SURVIVES(scalar[k](fx[t], ints[n % 4]));
            }
    }
    FAILS_SILENTLY(cg_where(NULL, fx[F], fx[F]));
    FAILS_SILENTLY(cg_where(fx[B], NULL, fx[D]));
    FAILS_SILENTLY(cg_where(fx[B], fx[D], NULL));
    FAILS(cg_where(fx[I], fx[D], fx[D]));
    FAILS(cg_where(fx[B], fx[F], cg_ones(2)));
    SURVIVES(cg_where(cg_to(fx[Z], CG_BOOL), fx[E], fx[Z]));
    FAILS_SILENTLY(cg_clamp(NULL, 0, 1));
    SURVIVES(cg_clamp(fx[B], 0, 1)); /* bool clamps to an int64 result, as in PyTorch */
    for (size_t n = 0; n < sizeof numbers / sizeof *numbers; n++)
        for (int t = F; t <= E; t++) {
            if (t == B) continue;
            SURVIVES(cg_clamp(fx[t], numbers[n], 1));
            SURVIVES(cg_clamp(fx[t], -1, numbers[n]));
        }
    unary_fn unary[] = {cg_neg, cg_exp, cg_log, cg_log1p, cg_sqrt, cg_abs, cg_sign, cg_sin,
                        cg_cos, cg_tan, cg_tanh, cg_sigmoid, cg_relu};
    for (size_t k = 0; k < sizeof unary / sizeof *unary; k++) {
        FAILS_SILENTLY(unary[k](NULL));
        for (int t = F; t < NFIX; t++) SURVIVES(unary[k](fx[t]));
        SURVIVES(unary[k](cg_full_like(fx[I], INT64_MIN)));
    }
}

static void test_inplace(void) {
    inplace_fn binary[] = {cg_add_, cg_sub_, cg_mul_, cg_div_, cg_copy_};
    for (size_t k = 0; k < sizeof binary / sizeof *binary; k++) {
        cg_tensor *f = cg_clone(fx[F]), *i = cg_clone(fx[I]), *b = cg_clone(fx[B]);
        FAILS_SILENTLY(binary[k](NULL, fx[F]));
        FAILS_SILENTLY(binary[k](f, NULL));
        FAILS(binary[k](f, cg_ones(4)));
        FAILS(binary[k](fx[Z], fx[F])); /* would broadcast the target */
        FAILS(binary[k](fx[LEAF], fx[LEAF]));
        FAILS(binary[k](cg_expand(cg_clone(fx[D]), 2, 3), fx[F]));
        if (binary[k] != cg_copy_) {
            FAILS(binary[k](i, fx[D]));  /* result type float can't be cast to long */
            if (binary[k] != cg_div_) FAILS(binary[k](b, fx[I]));
        }
        SURVIVES(binary[k](cg_clone(fx[E]), fx[Z]));
        SURVIVES(binary[k](i, cg_zeros_like(fx[I])));
        SURVIVES(binary[k](cg_full_like(fx[I], INT64_MIN), cg_full_like(fx[I], -1)));
        SURVIVES(binary[k](f, f));
        SURVIVES(binary[k](cg_select(f, 0, 0), cg_select(f, 0, 1)));
    }
    inplace_scalar_fn scalar[] = {cg_add_number_, cg_mul_number_, cg_fill_number_};
    double numbers[] = {NAN, INFINITY, -INFINITY, 0, -1, 1e300, 9.3e18, 0.5};
    for (size_t k = 0; k < sizeof scalar / sizeof *scalar; k++) {
        FAILS_SILENTLY(scalar[k](NULL, cg_number_int(1)));
        FAILS(scalar[k](fx[LEAF], cg_number_int(1)));
        if (scalar[k] != cg_fill_number_) /* fill_ may */
            FAILS(scalar[k](cg_expand(cg_clone(fx[D]), 2, 3), cg_number_int(1)));
        for (size_t n = 0; n < sizeof numbers / sizeof *numbers; n++)
            for (int t = F; t <= E; t++) {
                SURVIVES(scalar[k](cg_clone(fx[t]), cg_number_float(numbers[n])));
                SURVIVES(scalar[k](cg_clone(fx[t]), cg_number_uint(UINT64_MAX)));
                SURVIVES(scalar[k](cg_clone(fx[t]), cg_number_int(INT64_MIN)));
            }
    }
    FAILS_SILENTLY(cg_zero_(NULL));
    FAILS(cg_zero_(fx[LEAF]));
    FAILS_SILENTLY(cg_clamp_(NULL, 0, 1));
    FAILS(cg_clamp_(fx[LEAF], 0, 1));
    FAILS(cg_clamp_(cg_clone(fx[B]), 0, 1));
    for (size_t n = 0; n < sizeof numbers / sizeof *numbers; n++)
        for (int t = F; t <= E; t++)
            if (t != B) SURVIVES(cg_clamp_(cg_clone(fx[t]), numbers[n], numbers[(n + 3) % 8]));
}

/* ---- reductions, products, joins, indexing, losses ---- */

static void test_reductions(void) {
    cg_tensor *(*reduce[])(cg_reduce_args) = {cg_sum_opts, cg_mean_opts, cg_var_opts, cg_std_opts};
    for (size_t k = 0; k < 4; k++) {
        FAILS_SILENTLY(reduce[k]((cg_reduce_args){.input = NULL}));
        FAILS(reduce[k]((cg_reduce_args){.input = fx[F], .ndims = 1, .dims = {2}}));
        FAILS(reduce[k]((cg_reduce_args){.input = fx[F], .ndims = 1, .dims = {INT_MIN}}));
        FAILS(reduce[k]((cg_reduce_args){.input = fx[F], .ndims = 2, .dims = {0, 0}}));
        FAILS(reduce[k]((cg_reduce_args){.input = fx[F], .ndims = 2, .dims = {0, -2}}));
        FAILS(reduce[k]((cg_reduce_args){.input = fx[F], .ndims = 9}));
        FAILS(reduce[k]((cg_reduce_args){.input = fx[F], .ndims = INT_MAX}));
        FAILS(reduce[k]((cg_reduce_args){.input = fx[F], .ndims = -1}));
        FAILS(reduce[k]((cg_reduce_args){.input = fx[Z], .ndims = 1, .dims = {1}}));
        for (int t = F; t < NFIX; t++) {
            SURVIVES(reduce[k]((cg_reduce_args){.input = fx[t]}));
            SURVIVES(reduce[k]((cg_reduce_args){.input = fx[t], .ndims = 1, .dims = {-1}, .keepdim = true}));
        }
    }
    FAILS_SILENTLY(cg_norm_opts((cg_norm_args){.input = NULL, .p = 2}));
    FAILS(cg_norm_opts((cg_norm_args){.input = fx[F], .p = 2, .ndims = 1, .dims = {3}}));
    FAILS(cg_norm_opts((cg_norm_args){.input = fx[F], .p = 2, .ndims = 9}));
    FAILS(cg_norm_opts((cg_norm_args){.input = fx[F], .p = 2, .ndims = -4}));
    FAILS(cg_norm_opts((cg_norm_args){.input = fx[I], .p = 2}));
    double ps[] = {NAN, INFINITY, -INFINITY, 0, -1, 1e300, 0.5};
    for (size_t n = 0; n < sizeof ps / sizeof *ps; n++)
        for (int t = F; t < NFIX; t++) SURVIVES(cg_norm_opts((cg_norm_args){.input = fx[t], .p = ps[n]}));
    FAILS_SILENTLY(cg_prod(NULL));
    FAILS_SILENTLY(cg_prod_dim(NULL, 0, false));
    FAILS(cg_prod_dim(fx[F], 2, false));
    FAILS(cg_prod_dim(fx[F], INT_MAX, true));
    cg_tensor *(*all[])(cg_tensor *) = {cg_max, cg_min, cg_argmax, cg_argmin};
    for (size_t k = 0; k < 4; k++) {
        FAILS_SILENTLY(all[k](NULL));
        FAILS(all[k](fx[E]));
        for (int t = F; t < NFIX; t++)
            if (t != E) SURVIVES(all[k](fx[t]));
    }
    cg_tensor *indices = fx[F];
    FAILS_SILENTLY(cg_max_dim(NULL, 0, false, &indices));
    FAILS(cg_max_dim(fx[F], 2, false, &indices));
    FAILS(cg_min_dim(fx[E], 0, false, &indices));
    FAILS(cg_min_dim(fx[F], INT_MIN, false, NULL));
    CHECK(indices == fx[F]); /* not written on error */
    FAILS_SILENTLY(cg_argmax_dim(NULL, 0, false));
    FAILS(cg_argmax_dim(fx[F], 5, false));
    FAILS(cg_argmin_dim(fx[E], 0, true));
    SURVIVES(cg_argmin_dim(fx[E], 1, true));
    SURVIVES(cg_max_dim(fx[Z], 0, true, &indices));
    FAILS_SILENTLY(cg_softmax(NULL, 0));
    FAILS_SILENTLY(cg_log_softmax(NULL, 0));
    FAILS(cg_softmax(fx[F], 2));
    FAILS(cg_log_softmax(fx[F], INT_MIN));
    FAILS(cg_softmax(fx[I], 0));
    for (int t = F; t < NFIX; t++)
        if (t != I && t != B) SURVIVES(cg_log_softmax(fx[t], -1));
}

static void test_linalg(void) {
    binary_fn product[] = {cg_dot, cg_mv, cg_mm, cg_bmm, cg_matmul};
    for (size_t k = 0; k < 5; k++) {
        FAILS_SILENTLY(product[k](NULL, fx[F]));
        FAILS_SILENTLY(product[k](fx[F], NULL));
        FAILS(product[k](fx[Z], fx[Z]));
        FAILS(product[k](fx[F], fx[F]));
        FAILS(product[k](fx[D], fx[F]));
        FAILS(product[k](fx[B], fx[B]));
        FAILS(product[k](fx[F], cg_to(fx[D], CG_FLOAT64)));
        for (int a = F; a < NFIX; a++)
            for (int b = F; b < NFIX; b++) SURVIVES(product[k](fx[a], fx[b]));
    }
    SURVIVES(cg_matmul(cg_zeros(0, 3), cg_zeros(3, 0)));
    SURVIVES(cg_matmul(cg_zeros(2, 0), cg_zeros(0, 4)));
    SURVIVES(cg_matmul(cg_zeros(2, 1, 1, 3), cg_zeros(5, 3, 2)));
    FAILS(cg_matmul(cg_zeros(2, 1, 1, 1, 1, 1, 1, 3), cg_zeros(5, 1, 1, 1, 1, 1, 3, 2)));
}

static void test_join_index(void) {
    cg_tensor *list[] = {fx[F], NULL};
    FAILS_SILENTLY(cg_cat(list, 2, 0));
    FAILS_SILENTLY(cg_cat(NULL, 2, 0));
    FAILS(cg_cat(list, 0, 0));
    FAILS(cg_cat(list, -1, 0));
    FAILS(cg_cat(list, INT_MIN, 0));
    FAILS(cg_cat(CG_LIST(fx[F], fx[D]), 0));
    FAILS(cg_cat(CG_LIST(fx[F], fx[F]), 2));
    FAILS(cg_cat(CG_LIST(fx[Z], fx[Z]), 0));
    FAILS(cg_cat(CG_LIST(fx[F], fx[F]), INT_MIN));
    SURVIVES(cg_cat(CG_LIST(fx[E], fx[D]), 0));
    SURVIVES(cg_cat(CG_LIST(fx[E], fx[F]), 0));
    SURVIVES(cg_cat(CG_LIST(fx[B], fx[I], fx[D]), 0));
    FAILS_SILENTLY(cg_stack(list, 2, 0));
    FAILS_SILENTLY(cg_stack(NULL, 1, 0));
    FAILS(cg_stack(list, 0, 0));
    FAILS(cg_stack(list, -3, 0));
    FAILS(cg_stack(CG_LIST(fx[F], fx[D]), 0));
    FAILS(cg_stack(CG_LIST(fx[F], fx[F]), 3));
    FAILS(cg_stack(CG_LIST(fx[F], fx[F]), -4));
    FAILS(cg_stack(CG_LIST(cg_view_shape(fx[F], 8, (int64_t[]){1, 1, 1, 1, 1, 1, 2, 3})), 0));
    SURVIVES(cg_stack(CG_LIST(fx[Z], fx[Z]), 0));
    SURVIVES(cg_stack(CG_LIST(fx[E], fx[E]), -1));
    cg_tensor *idx = fx[I];
    cg_tensor *bad = cg_tensor_i64(((int64_t[]){INT64_MIN, INT64_MAX}), 2);
    cg_tensor *neg = cg_tensor_i64(((int64_t[]){-1}), 1);
    FAILS_SILENTLY(cg_index_select(NULL, 0, idx));
    FAILS_SILENTLY(cg_index_select(fx[F], 0, NULL));
    FAILS(cg_index_select(fx[F], 1, bad));
    FAILS(cg_index_select(fx[F], 1, neg));
    FAILS(cg_index_select(fx[F], 0, idx));
    FAILS(cg_index_select(fx[F], 2, idx));
    FAILS(cg_index_select(fx[F], 0, fx[D]));
    FAILS(cg_index_select(fx[F], 0, fx[F]));
    FAILS(cg_index_select(fx[Z], 0, bad));
    FAILS(cg_index_select(fx[E], 0, idx));
    SURVIVES(cg_index_select(fx[E], 1, idx));
    SURVIVES(cg_index_select(fx[Z], 0, cg_tensor_i64(((int64_t[]){0}), 1)));
    cg_tensor *col = cg_view(cg_tensor_i64(((int64_t[]){INT64_MAX, 0}), 2), 2, 1);
    FAILS_SILENTLY(cg_gather(NULL, 0, idx));
    FAILS_SILENTLY(cg_gather(fx[F], 0, NULL));
    FAILS(cg_gather(fx[F], 1, col));
    FAILS(cg_gather(fx[F], 1, cg_view(cg_tensor_i64(((int64_t[]){INT64_MIN, 0}), 2), 2, 1)));
    FAILS(cg_gather(fx[F], 1, idx));
    FAILS(cg_gather(fx[F], 3, col));
    FAILS(cg_gather(fx[F], 1, cg_to(col, CG_FLOAT32)));
    FAILS(cg_gather(fx[Z], 0, bad));
    SURVIVES(cg_gather(fx[E], 1, cg_zeros_shape(CG_INT64, 2, (int64_t[]){0, 2})));
    FAILS_SILENTLY(cg_scatter_add(NULL, 0, idx, fx[D]));
    FAILS_SILENTLY(cg_scatter_add(fx[D], 0, NULL, fx[D]));
    FAILS_SILENTLY(cg_scatter_add(fx[D], 0, idx, NULL));
    FAILS(cg_scatter_add(fx[D], 0, bad, fx[D]));
    FAILS(cg_scatter_add(fx[D], 0, cg_full_like(fx[I], 3), fx[D]));
    FAILS(cg_scatter_add(fx[D], 0, cg_full_like(fx[I], -1), fx[D]));
    FAILS(cg_scatter_add(fx[D], 1, idx, fx[D]));
    FAILS(cg_scatter_add(fx[D], 0, idx, fx[F]));
    FAILS(cg_scatter_add(fx[D], 0, fx[D], fx[D]));
    FAILS(cg_scatter_add(fx[D], 0, cg_ones_shape(CG_INT64, 1, (int64_t[]){5}), fx[D]));
    FAILS_SILENTLY(cg_masked_fill(NULL, fx[B], 1));
    FAILS_SILENTLY(cg_masked_fill(fx[D], NULL, 1));
    FAILS(cg_masked_fill(fx[D], fx[I], 1));
    FAILS(cg_masked_fill(fx[D], cg_ones_shape(CG_BOOL, 1, (int64_t[]){4}), 1));
    SURVIVES(cg_masked_fill(fx[I], fx[B], 0.5));
    SURVIVES(cg_masked_fill(fx[B], fx[B], 2));
    double numbers[] = {NAN, INFINITY, 1e300, -9.3e18};
    for (size_t n = 0; n < 4; n++)
        for (int t = F; t <= E; t++) SURVIVES(cg_masked_fill(fx[t], cg_to(fx[Z], CG_BOOL), numbers[n]));
}

static void test_losses(void) {
    cg_tensor *(*losses[])(cg_loss_args) = {cg_binary_cross_entropy_with_logits_opts, cg_mse_loss_opts,
                                            cg_nll_loss_opts, cg_cross_entropy_opts};
    cg_tensor *x = fx[F], *target = cg_tensor_i64(((int64_t[]){0, 2}), 2);
    for (size_t k = 0; k < 4; k++) {
        FAILS_SILENTLY(losses[k]((cg_loss_args){.input = NULL, .target = target}));
        FAILS_SILENTLY(losses[k]((cg_loss_args){.input = x, .target = NULL}));
        FAILS(losses[k]((cg_loss_args){.input = x, .target = target, .reduction = (cg_reduction)7}));
        FAILS(losses[k]((cg_loss_args){.input = x, .target = target, .reduction = (cg_reduction)-1}));
        for (int a = F; a < NFIX; a++)
            for (int b = F; b < NFIX; b++) SURVIVES(losses[k]((cg_loss_args){.input = fx[a], .target = fx[b]}));
        SURVIVES(losses[k]((cg_loss_args){.input = fx[F], .target = cg_tensor_i64(((int64_t[]){INT64_MIN, INT64_MAX}), 2)}));
        SURVIVES(losses[k]((cg_loss_args){.input = fx[F], .target = cg_tensor_i64(((int64_t[]){-100, -100}), 2), .reduction = CG_REDUCTION_MEAN}));
        SURVIVES(losses[k]((cg_loss_args){.input = cg_zeros(0, 3), .target = cg_zeros_shape(CG_INT64, 1, (int64_t[]){0})}));
    }
    FAILS(cg_nll_loss(x, cg_tensor_i64(((int64_t[]){0, 3}), 2)));
    FAILS(cg_nll_loss(x, cg_tensor_i64(((int64_t[]){0, INT64_MIN}), 2)));
    FAILS(cg_cross_entropy(x, cg_tensor_i64(((int64_t[]){INT64_MAX, 0}), 2)));
    FAILS(cg_nll_loss(x, fx[I]));
    FAILS(cg_mse_loss(x, cg_ones(4)));
    FAILS(cg_binary_cross_entropy_with_logits(x, fx[D]));
}

/* ---- autograd ---- */

static cg_tensor *identity_hook(cg_tensor *grad, void *user) {
    (void)user;
    return grad;
}

static int f_bad_count(cg_tensor **in, cg_tensor **out, void *user) {
    (void)in, (void)out;
    return *(int *)user;
}

static int f_null_output(cg_tensor **in, cg_tensor **out, void *user) {
    (void)in, (void)user;
    out[0] = NULL;
    return 1;
}

static int f_double(cg_tensor **in, cg_tensor **out, void *user) {
    (void)user;
    out[0] = cg_mul_scalar(in[0], 2);
    return 1;
}

static void test_autograd_state(void) {
    SURVIVES(cg_requires_grad(NULL));
    FAILS_SILENTLY(cg_requires_grad_(NULL, true));
    FAILS(cg_requires_grad_(fx[I], true));
    FAILS(cg_requires_grad_(cg_mul_scalar(fx[LEAF], 2), false));
    SURVIVES(cg_is_leaf(NULL));
    SURVIVES(cg_grad(NULL));
    FAILS_SILENTLY(cg_set_grad(NULL, fx[D]));
    FAILS(cg_set_grad(fx[LEAF], fx[F]));
    FAILS(cg_set_grad(fx[LEAF], fx[I]));
    FAILS(cg_set_grad(fx[LEAF], fx[LEAF]));
    FAILS_SILENTLY(cg_retain_grad(NULL));
    FAILS(cg_retain_grad(fx[D]));
    cg_tensor *none[] = {NULL};
    SURVIVES(cg_zero_grad((cg_tensor_list){none, 1}));
    SURVIVES(cg_zero_grad((cg_tensor_list){NULL, 5}));
    SURVIVES(cg_zero_grad((cg_tensor_list){none, -1}));
    SURVIVES(cg_grad_fn(NULL));
    SURVIVES(cg_node_name(NULL));
    SURVIVES(cg_node_num_next(NULL));
    cg_node *fn = cg_grad_fn(cg_mul_scalar(fx[LEAF], 2));
    int nr = 99;
    RETURNS_NOTHING(cg_node_next(fn, -1, &nr));
    RETURNS_NOTHING(cg_node_next(fn, INT_MAX, &nr));
    RETURNS_NOTHING(cg_node_next(NULL, 0, &nr));
    SURVIVES(cg_node_next(fn, 0, NULL));
    CHECK(nr == 99);
    FAILS_SILENTLY(cg_detach(NULL));
    FAILS_SILENTLY(cg_detach_(NULL));
    FAILS(cg_detach_(cg_select(cg_mul_scalar(fx[LEAF], 2), 0, 0)));
    FAILS_SILENTLY(cg_data(NULL));
    FAILS_SILENTLY(cg_register_hook(NULL, identity_hook, NULL));
    FAILS(cg_register_hook(fx[D], identity_hook, NULL));
    FAILS(cg_register_hook(fx[LEAF], NULL, NULL));
    FAILS_SILENTLY(cg_remove_hook(NULL, 1));
    FAILS(cg_remove_hook(fx[LEAF], 0));
    FAILS(cg_remove_hook(fx[LEAF], -1));
    FAILS(cg_remove_hook(fx[LEAF], INT_MAX));
    FAILS(cg_remove_hook(fx[D], 1)); /* a tensor without autograd state: still a message */
    SURVIVES(cg_set_grad_enabled(true));
}

static void test_backward_and_grad(void) {
    cg_tensor *leaf = cg_requires_grad_(cg_clone(fx[D]), true);
    cg_tensor *y = cg_mul(leaf, leaf), *s = cg_sum(y); /* saves its inputs: one backward only */
    cg_tensor *none[] = {NULL};
    FAILS_SILENTLY(cg_backward(NULL));
    FAILS(cg_backward(fx[D]));
    FAILS(cg_backward(y));
    FAILS(cg_backward(y, .gradient = fx[F]));
    FAILS(cg_backward(y, .gradient = cg_ones(2)));
    FAILS(cg_backward(s, .inputs = (cg_tensor_list){none, 0}));
    FAILS(cg_backward(s, .inputs = (cg_tensor_list){none, -1}));
    FAILS_SILENTLY(cg_backward(s, .inputs = (cg_tensor_list){none, 1}));
    FAILS(cg_backward(s, .inputs = CG_TENSORS(fx[D])));
    cg_tensor *g[2] = {fx[F], fx[F]};
    FAILS_SILENTLY(cg_autograd_grad(.outputs = CG_TENSORS(s), .inputs = CG_TENSORS(leaf)));
    FAILS_SILENTLY(cg_autograd_grad(.outputs = (cg_tensor_list){none, 1}, .inputs = CG_TENSORS(leaf), .results = g));
    FAILS_SILENTLY(cg_autograd_grad(.outputs = CG_TENSORS(s), .inputs = (cg_tensor_list){none, 1}, .results = g));
    FAILS(cg_autograd_grad(.outputs = (cg_tensor_list){none, 0}, .inputs = CG_TENSORS(leaf), .results = g));
    FAILS(cg_autograd_grad(.outputs = (cg_tensor_list){none, -1}, .inputs = CG_TENSORS(leaf), .results = g));
    FAILS(cg_autograd_grad(.outputs = CG_TENSORS(s), .inputs = (cg_tensor_list){none, 0}, .results = g));
    FAILS(cg_autograd_grad(.outputs = CG_TENSORS(s), .inputs = (cg_tensor_list){none, -2}, .results = g));
    FAILS(cg_autograd_grad(.outputs = CG_TENSORS(s), .inputs = CG_TENSORS(fx[D]), .results = g));
    FAILS(cg_autograd_grad(.outputs = CG_TENSORS(y), .inputs = CG_TENSORS(leaf), .results = g));
    FAILS(cg_autograd_grad(.outputs = CG_TENSORS(s), .inputs = CG_TENSORS(leaf), .results = g,
                           .grad_outputs = CG_TENSORS(fx[F])));
    FAILS(cg_autograd_grad(.outputs = CG_TENSORS(s), .inputs = CG_TENSORS(leaf, fx[LEAF]), .results = g));
    CHECK(g[0] == fx[F] && g[1] == fx[F]); /* nothing written on error */
    CHECK(cg_grad(leaf) == NULL);
    SURVIVES(cg_backward(s));
    FAILS(cg_backward(s)); /* for the second time */
}

static void test_gradcheck_functional(void) {
    cg_tensor *x = cg_requires_grad_(cg_clone(fx[D]), true);
    cg_tensor *none[] = {NULL};
    int bad = -1, many = CG_MAX_OUTPUTS + 1;
    FAILS_SILENTLY(cg_gradcheck(.fn = NULL, .inputs = CG_TENSORS(x)));
    FAILS_SILENTLY(cg_gradcheck(.fn = f_double, .inputs = {NULL, 1}));
    FAILS_SILENTLY(cg_gradcheck(.fn = f_double, .inputs = {none, 1}));
    FAILS(cg_gradcheck(.fn = f_double, .inputs = {none, -1}));
    FAILS(cg_gradcheck(.fn = f_bad_count, .inputs = CG_TENSORS(x), .user = &bad));
    FAILS(cg_gradcheck(.fn = f_bad_count, .inputs = CG_TENSORS(x), .user = &many));
    FAILS(cg_gradcheck(.fn = f_null_output, .inputs = CG_TENSORS(x)));
    FAILS(cg_gradgradcheck(.fn = f_bad_count, .inputs = CG_TENSORS(x), .user = &bad));
    FAILS(cg_gradgradcheck(.fn = f_null_output, .inputs = CG_TENSORS(x)));
    FAILS(cg_gradgradcheck(.fn = f_double, .inputs = {none, -1}));
    SURVIVES(cg_gradcheck(.fn = f_double, .inputs = CG_TENSORS(x), .eps = NAN));
    SURVIVES(cg_gradcheck(.fn = f_double, .inputs = CG_TENSORS(x), .eps = -1, .atol = INFINITY, .rtol = -1));
    SURVIVES(cg_gradcheck(.fn = f_double, .inputs = CG_TENSORS(fx[E])));
    SURVIVES(cg_gradcheck(.fn = f_double, .inputs = CG_TENSORS(fx[I])));
    cg_tensor *results[4] = {fx[F], fx[F], fx[F], fx[F]};
    FAILS_SILENTLY(cg_jacobian(.fn = NULL, .inputs = CG_TENSORS(x), .results = results));
    FAILS_SILENTLY(cg_jacobian(.fn = f_double, .inputs = CG_TENSORS(x)));
    FAILS_SILENTLY(cg_jacobian(.fn = f_double, .inputs = {none, 1}, .results = results));
    FAILS(cg_jacobian(.fn = f_double, .inputs = {none, -1}, .results = results));
    FAILS(cg_jacobian(.fn = f_bad_count, .inputs = CG_TENSORS(x), .user = &bad, .results = results));
    FAILS(cg_jacobian(.fn = f_bad_count, .inputs = CG_TENSORS(x), .user = &many, .results = results));
    FAILS(cg_jacobian(.fn = f_null_output, .inputs = CG_TENSORS(x), .results = results));
    FAILS(cg_hessian(.fn = f_double, .inputs = CG_TENSORS(x), .results = results));
    FAILS(cg_hessian(.fn = f_double, .inputs = {none, -5}, .results = results));
    FAILS(cg_hessian(.fn = f_bad_count, .inputs = CG_TENSORS(x), .user = &many, .results = results));
    int (*products[])(cg_vjp_args) = {cg_vjp_opts, cg_jvp_opts, cg_vhp_opts, cg_hvp_opts};
    for (size_t k = 0; k < 4; k++) {
        FAILS_SILENTLY(products[k]((cg_vjp_args){.fn = NULL, .inputs = CG_TENSORS(x), .results = results}));
        FAILS_SILENTLY(products[k]((cg_vjp_args){.fn = f_double, .inputs = CG_TENSORS(x)}));
        FAILS_SILENTLY(products[k]((cg_vjp_args){.fn = f_double, .inputs = CG_TENSORS(x), .v = {none, 1},
                                                 .results = results}));
        FAILS(products[k]((cg_vjp_args){.fn = f_double, .inputs = {none, -1}, .results = results}));
        FAILS(products[k]((cg_vjp_args){.fn = f_double, .inputs = CG_TENSORS(x), .v = {none, -1}, .results = results}));
        FAILS(products[k]((cg_vjp_args){.fn = f_double, .inputs = CG_TENSORS(x), .v = CG_TENSORS(fx[F]),
                                        .results = results}));
        FAILS(products[k]((cg_vjp_args){.fn = f_double, .inputs = CG_TENSORS(x), .v = CG_TENSORS(x, x, x),
                                        .results = results}));
        FAILS(products[k]((cg_vjp_args){.fn = f_bad_count, .inputs = CG_TENSORS(x), .user = &many,
                                        .v = CG_TENSORS(x), .results = results}));
        FAILS(products[k]((cg_vjp_args){.fn = f_null_output, .inputs = CG_TENSORS(x), .v = CG_TENSORS(x),
                                        .results = results}));
    }
    for (int k = 0; k < 4; k++) CHECK(results[k] == fx[F]); /* nothing written on error */
}

static void test_printing(void) {
    char buf[16] = "untouched";
    SURVIVES(cg_format(NULL, buf, sizeof buf));
    SURVIVES(cg_format(fx[F], NULL, 0));
    SURVIVES(cg_format(fx[F], buf, 0));
    SURVIVES(cg_format(fx[F], buf, 1));
    FAILS(cg_format(fx[F], NULL, 10));
    FAILS(cg_fprint(NULL, fx[F]));
    FILE *devnull = fopen("/dev/null", "w");
    for (int t = F; t < NFIX; t++) SURVIVES(cg_fprint(devnull, fx[t]));
    SURVIVES(cg_fprint(devnull, cg_full_shape(CG_FLOAT64, 1, (int64_t[]){3}, NAN)));
    SURVIVES(cg_fprint(devnull, cg_tensor_f64(((double[]){INFINITY, -INFINITY, 1e308, -1e-308, 5e-324}), 5)));
    SURVIVES(cg_fprint(devnull, cg_tensor_i64(((int64_t[]){INT64_MIN, INT64_MAX}), 2)));
    SURVIVES(cg_fprint(devnull, cg_expand(fx[Z], 3, 1, 1)));
    SURVIVES(cg_fprint(devnull, cg_zeros(0, 0, 0)));
    fclose(devnull);
}

static void quiet(const char *message, void *user) { (void)message, (void)user; }

int main(void) {
    cg_set_warning_handler(quiet, NULL);
    make_fixtures();
    RUN(test_creation);
    RUN(test_random);
    RUN(test_properties);
    RUN(test_elements);
    RUN(test_views);
    RUN(test_pieces);
    RUN(test_elementwise);
    RUN(test_inplace);
    RUN(test_reductions);
    RUN(test_linalg);
    RUN(test_join_index);
    RUN(test_losses);
    RUN(test_autograd_state);
    RUN(test_backward_and_grad);
    RUN(test_gradcheck_functional);
    RUN(test_printing);
    for (int k = 0; k < NFIX; k++) cg_release(fx[k]);
    CHECK(calls > 500);
    HARNESS_END();
}
