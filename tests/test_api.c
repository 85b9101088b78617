/* The small API a PyTorch user reaches for: retains_grad, torch.Size printing, copying out to a C
 * array, randperm (golden data from tools/gen_api.py), tensors over user memory. */
#include "harness.h"
#include "golden.h"

#include <stdint.h>
#include <stdlib.h>

#define API_DATA "tests/data/api.txt"

/* Same dtype, shape and element bits (a row-major copy of actual is compared). */

static uint64_t fnv1a64(const int64_t *v, int64_t n) {
    uint64_t h = 0xcbf29ce484222325u;
    for (int64_t i = 0; i < n; i++)
        for (int b = 0; b < 8; b++) h = (h ^ (((uint64_t)v[i] >> (8 * b)) & 0xff)) * 0x100000001b3u;
    return h;
}

/* Runs check on every golden line that starts with kind; returns how many. */
static int each_line(const char *kind, void (*check)(char *rest)) {
    golden_file g;
    if (golden_open(&g, API_DATA) < 0) return 0;
    int count = 0;
    size_t len = strlen(kind);
    for (char *line; (line = golden_next_line(&g));) {
        if (strncmp(line, kind, len) || line[len] != ' ') continue;
        count++;
        CG_SCOPE { check(line + len + 1); }
    }
    golden_close(&g);
    return count;
}

/* ---- retains_grad ---- */

static void test_retains_grad(void) {
    cg_tensor *x = cg_requires_grad_(cg_ones(2), true);
    CHECK(!cg_retains_grad(x));
    CHECK(cg_retain_grad(x) == 0);
    CHECK(!cg_retains_grad(x)); /* a no-op on a leaf, as in PyTorch */
    cg_tensor *y = cg_mul_scalar(x, 2);
    CHECK(!cg_retains_grad(y));
    CHECK(cg_retain_grad(y) == 0);
    CHECK(cg_retains_grad(y));
    CHECK(cg_mul_scalar_(y, 2) == 0);
    CHECK(cg_retains_grad(y)); /* kept across an in-place op */
    CHECK(!cg_retains_grad(cg_detach(y)));
    CHECK(!cg_retains_grad(cg_ones(1)));
    CHECK(!cg_retains_grad(NULL));
    CHECK(cg_backward(cg_sum(y)) == 0);
    CHECK(harness_values_close(cg_grad(y), (double[]){1, 1}, 0));
}

/* ---- torch.Size ---- */

static void check_size(char *rest) {
    int ndim = (int)strtol(rest, &rest, 10);
    int64_t sizes[CG_MAX_DIMS];
    for (int d = 0; d < ndim; d++) sizes[d] = strtoll(rest, &rest, 10);
    const char *expected = strstr(rest, "| ") + 2;
    cg_tensor *t = cg_empty_shape(CG_FLOAT32, ndim, sizes);
    char buf[128];
    int len = cg_format_size(t, buf, sizeof buf);
    CHECK_STR(buf, expected);
    CHECK(len == (int)strlen(expected));
    char small[8];
    CHECK(cg_format_size(t, small, sizeof small) == len); /* snprintf-style: the full length */
    CHECK(!strncmp(small, expected, sizeof small - 1) && small[sizeof small - 1] == '\0');
    CHECK(cg_format_size(t, NULL, 0) == len);
}

static void test_format_size(void) {
    CHECK(each_line("size", check_size) >= 6);
    CHECK(cg_format_size(NULL, NULL, 0) == -1);
    char buf[4];
    CHECK_ERROR(cg_format_size(cg_ones(1), NULL, sizeof buf) >= 0, "buf is NULL but size is 4");
}

/* ---- copy_to ---- */

static void test_copy_to_strided_and_converted(void) {
    /* a transposed, sliced view: row-major logical order, not memory order */
    cg_tensor *base = cg_arange(0, 12, 1, CG_FLOAT32);
    cg_tensor *t = cg_slice(cg_t(cg_view(base, 3, 4)), 0, 1, 4, 2); /* rows 1 and 3 of the 4x3 */
    float f[6] = {0};
    CHECK(cg_copy_to(t, f, 6, CG_FLOAT32) == 0);
    const float want[] = {1, 5, 9, 3, 7, 11};
    CHECK(!memcmp(f, want, sizeof f));
    int64_t i[6];
    cg_tensor *neg = cg_tensor_f32(((float[]){-1.5f, 2.7f, -0.2f, 1e10f}), 4);
    CHECK(cg_copy_to(neg, i, 6, CG_INT64) == 0); /* truncation toward zero, as .to(int64) */
    CHECK(i[0] == -1 && i[1] == 2 && i[2] == 0 && i[3] == 10000000000);
    bool b[4];
    CHECK(cg_copy_to(neg, b, 4, CG_BOOL) == 0);
    CHECK(b[0] && b[1] && b[2] && b[3]);
    double d[1];
    CHECK(cg_copy_to(cg_scalar(0.1, CG_FLOAT32), d, 1, CG_FLOAT64) == 0);
    CHECK(d[0] == (double)0.1f);
    cg_tensor *big = cg_tensor_i64(((int64_t[]){INT64_C(9007199254740993)}), 1);
    CHECK(cg_copy_to(big, i, 1, CG_INT64) == 0 && i[0] == INT64_C(9007199254740993));
    /* an expanded tensor repeats its elements */
    CHECK(cg_copy_to(cg_expand(cg_tensor_f32(((float[]){1, 2}), 2, 1), 2, 3), f, 6, CG_FLOAT32) == 0);
    CHECK(f[0] == 1 && f[2] == 1 && f[3] == 2 && f[5] == 2);
    /* a tensor that requires grad copies out like tolist() */
    CHECK(cg_copy_to(cg_requires_grad_(cg_ones(2), true), f, 2, CG_FLOAT32) == 0 && f[1] == 1);
}

static void test_copy_to_errors(void) {
    float f[3] = {7, 7, 7};
    cg_tensor *t = cg_ones(2, 2);
    CHECK_ERROR(cg_copy_to(t, f, 3, CG_FLOAT32) == 0,
                "copy_to: a buffer of 3 elements is too small for a tensor of 4 elements");
    CHECK(f[0] == 7 && f[2] == 7);
    CHECK_ERROR(cg_copy_to(t, NULL, 4, CG_FLOAT32) == 0, "copy_to: out is NULL");
    CHECK_ERROR(cg_copy_to(t, f, 4, (cg_dtype)9) == 0, "invalid dtype 9");
    CHECK(cg_copy_to(NULL, f, 3, CG_FLOAT32) == -1);
    CHECK(cg_copy_to(cg_zeros(0, 3), NULL, 0, CG_FLOAT32) == 0); /* nothing to write */
}

/* ---- randperm ---- */

static void check_randperm(char *rest) {
    char *cursor = rest;
    uint64_t seed = strtoull(golden_token(&cursor), NULL, 10);
    int64_t n = strtoll(golden_token(&cursor), NULL, 10);
    cg_dtype dtype = golden_dtype(golden_token(&cursor));
    golden_token(&cursor); /* = */
    cg_manual_seed(seed);
    cg_tensor *p = cg_randperm_dtype(n, dtype);
    CHECK_MSG(harness_same_bits(p, golden_tensor(&cursor)), "randperm(%lld) seed %llu %s", (long long)n,
              (unsigned long long)seed, cg_dtype_name(dtype));
    CHECK(cg_version(p) == 0 && !cg_requires_grad(p));
}

static void check_randperm_hash(char *rest) {
    char *cursor = rest;
    uint64_t seed = strtoull(golden_token(&cursor), NULL, 10);
    int64_t n = strtoll(golden_token(&cursor), NULL, 10);
    cg_dtype dtype = golden_dtype(golden_token(&cursor));
    golden_token(&cursor); /* = */
    uint64_t expected = strtoull(golden_token(&cursor), NULL, 10);
    cg_manual_seed(seed);
    cg_tensor *p = cg_to(cg_randperm_dtype(n, dtype), CG_INT64);
    CHECK_OK(p);
    if (p) CHECK_MSG(fnv1a64(cg_data_ptr(p), n) == expected, "randperm(%lld) seed %llu", (long long)n, (unsigned long long)seed);
}

static void check_randperm_then_rand(char *rest) {
    char *cursor = rest;
    cg_manual_seed(strtoull(golden_token(&cursor), NULL, 10));
    int64_t n = strtoll(golden_token(&cursor), NULL, 10);
    golden_token(&cursor);
    cg_tensor *p = cg_randperm(n), *expected_p = golden_tensor(&cursor);
    golden_token(&cursor); /* ; */
    cg_tensor *r = cg_rand(3), *expected_r = golden_tensor(&cursor);
    CHECK(harness_same_bits(p, expected_p));
    CHECK(harness_same_bits(r, expected_r));
}

static void check_error(char *rest) {
    char *cursor = rest;
    const char *kind = golden_token(&cursor);
    const char *message = strstr(cursor, "| ") + 2;
    if (!strcmp(kind, "randperm")) {
        int64_t n = strtoll(golden_token(&cursor), NULL, 10);
        cg_dtype dtype = golden_dtype(golden_token(&cursor));
        CHECK_ERROR(cg_randperm_dtype(n, dtype), message);
    } else {
        CHECK_MSG(false, "unknown error line %s", kind);
    }
}

static void test_randperm(void) {
    CHECK(each_line("randperm", check_randperm) >= 40);
    CHECK(each_line("randperm_hash", check_randperm_hash) >= 10);
    CHECK(each_line("randperm_then_rand", check_randperm_then_rand) == 1);
    CHECK(each_line("error", check_error) >= 3);
    CHECK_ERROR(cg_randperm_dtype(3, (cg_dtype)7), "invalid dtype 7");
}

/* ---- from_blob ---- */

typedef struct {
    int calls;
    void *data;
} deleter_log;

static void count_deletes(void *data, void *ctx) {
    deleter_log *log = ctx;
    log->calls++;
    log->data = data;
}

static void test_from_blob_shares_memory(void) {
    float data[6] = {1, 2, 3, 4, 5, 6};
    deleter_log log = {0};
    CG_SCOPE {
        cg_tensor *t = cg_from_blob(data, CG_FLOAT32, CG_SHAPE(2, 3), NULL, count_deletes, &log);
        CHECK_OK(t);
        CHECK(cg_data_ptr(t) == data && cg_is_contiguous(t));
        CHECK(cg_mul_scalar_(t, 10) == 0);
        CHECK(data[0] == 10 && data[5] == 60); /* writes through the tensor reach the array */
        data[1] = -1;
        CHECK(cg_item(cg_at(t, 0, 1)) == -1); /* and the array's writes reach the tensor */
        cg_tensor *v = cg_retain(cg_at(t, 1, 2)); /* a view outlives the scope */
        CHECK(log.calls == 0);
        cg_scope_end();
        cg_scope_begin();
        CHECK(log.calls == 0);
        CHECK(cg_item(v) == 60);
        cg_release(v);
        CHECK(log.calls == 1 && log.data == data);
    }
    CHECK(log.calls == 1);
}

static void test_from_blob_strides_and_graph(void) {
    double data[8] = {0, 1, 2, 3, 4, 5, 6, 7};
    deleter_log log = {0};
    cg_tensor *y = NULL, *w = NULL;
    CG_SCOPE {
        /* every other element, as a 2x2 column-major matrix */
        cg_tensor *t = cg_from_blob(data, CG_FLOAT64, CG_SHAPE(2, 2), (const int64_t[]){2, 4}, count_deletes, &log);
        CHECK(harness_values_close(t, (double[]){0, 4, 2, 6}, 0));
        w = cg_retain(cg_requires_grad_(cg_ones_shape(CG_FLOAT64, CG_SHAPE(2, 2)), true));
        y = cg_retain(cg_sum(cg_mul(w, t))); /* the graph saves t */
    }
    CHECK(log.calls == 0);
    CHECK(cg_backward(y) == 0);            /* frees the saved tensor: the last reference */
    CHECK(log.calls == 1);
    CHECK(harness_values_close(cg_grad(w), (double[]){0, 4, 2, 6}, 0));
    cg_release(y);
    cg_release(w);
    /* no deleter: the memory simply stays the caller's */
    int64_t ints[3] = {5, 6, 7};
    CHECK(cg_item(cg_sum(cg_from_blob(ints, CG_INT64, CG_SHAPE(3), NULL, NULL, NULL))) == 18);
    /* .data of a blob tensor aliases the same memory */
    CG_SCOPE {
        cg_tensor *t = cg_from_blob(data, CG_FLOAT64, CG_SHAPE(8), NULL, count_deletes, &log);
        cg_tensor *d = cg_retain(cg_data(t));
        cg_scope_end();
        cg_scope_begin();
        CHECK(log.calls == 1);
        CHECK(cg_fill_(d, 3.0) == 0 && data[7] == 3);
        cg_release(d);
        CHECK(log.calls == 2);
    }
}

static void test_from_blob_errors(void) {
    float data[4] = {0};
    deleter_log log = {0};
    CHECK_ERROR(cg_from_blob(data, CG_FLOAT32, CG_SHAPE(2, -2), NULL, count_deletes, &log),
                "Trying to create tensor with negative dimension -2: [2, -2]");
    CHECK_ERROR(cg_from_blob(data, CG_FLOAT32, CG_SHAPE(2, 2), ((const int64_t[]){-1, 1}), count_deletes, &log),
                "from_blob: Negative strides are not supported at the moment, got strides: [-1, 1]");
    CHECK_ERROR(cg_from_blob(NULL, CG_FLOAT32, CG_SHAPE(2), NULL, count_deletes, &log),
                "from_blob: data is NULL for a tensor of 8 bytes");
    CHECK_ERROR(cg_from_blob(data, (cg_dtype)5, CG_SHAPE(2), NULL, count_deletes, &log), "invalid dtype 5");
    CHECK_ERROR(cg_from_blob(data, CG_FLOAT32, CG_SHAPE(INT64_C(1) << 62, 4), NULL, count_deletes, &log),
                "Storage size calculation overflowed with sizes=[4611686018427387904, 4]");
    CHECK_ERROR(cg_from_blob((char *)data + 1, CG_FLOAT32, CG_SHAPE(2), NULL, count_deletes, &log),
                "from_blob: data is not aligned to the 4 bytes of a float32 element");
    CHECK_ERROR(cg_copy_to(cg_ones(2), (char *)data + 2, 2, CG_FLOAT32) == 0,
                "copy_to: out is not aligned to the 4 bytes of a float32 element");
    CHECK(log.calls == 0); /* a failed call leaves the memory to the caller */
    CG_SCOPE { CHECK_OK(cg_from_blob(NULL, CG_FLOAT32, CG_SHAPE(0, 3), NULL, count_deletes, &log)); }
    CHECK(log.calls == 1);
}

/* A deleter that frees heap memory: valgrind sees no leak and no double free. */
static void free_deleter(void *data, void *ctx) {
    (void)ctx;
    free(data);
}

static void test_from_blob_heap(void) {
    float *data = malloc(4 * sizeof *data);
    for (int i = 0; i < 4; i++) data[i] = (float)i;
    cg_tensor *t = cg_from_blob(data, CG_FLOAT32, CG_SHAPE(4), NULL, free_deleter, NULL);
    CHECK(cg_item(cg_sum(cg_view(t, 2, 2))) == 6); /* released with the test's scope */
}

/* ---- in-place ops ---- */

typedef struct {
    const char *name;
    int (*unary)(cg_tensor *);
    int (*number)(cg_tensor *, cg_number);
    int (*binary)(cg_tensor *, cg_tensor *);
    cg_tensor *(*out_of_place)(cg_tensor *);
    bool exact;
} inplace_fn;

/* Bits, or within a few float32/float64 ulps. */
static bool matches(cg_tensor *actual, cg_tensor *expected, bool exact) {
    if (exact || !actual || !expected) return harness_same_bits(actual, expected);
    double tol = cg_get_dtype(expected) == CG_FLOAT32 ? 1e-6 : 1e-14;
    return cg_numel(actual) == cg_numel(expected) && harness_values_close(actual, cg_data_ptr(cg_to(expected, CG_FLOAT64)), tol);
}

/* exact: cgrad computes PyTorch's bits (IEEE operations); the others go through libm, which rounds
 * differently from PyTorch's SLEEF in the last place, and are compared within a tolerance (and
 * bit for bit with cgrad's own out-of-place op). */
static const inplace_fn inplace_fns[] = {
    {"neg_", cg_neg_, NULL, NULL, cg_neg, true},       {"exp_", cg_exp_, NULL, NULL, cg_exp, false},
    {"log_", cg_log_, NULL, NULL, cg_log, false},      {"log1p_", cg_log1p_, NULL, NULL, cg_log1p, false},
    {"sqrt_", cg_sqrt_, NULL, NULL, cg_sqrt, true},    {"abs_", cg_abs_, NULL, NULL, cg_abs, true},
    {"sign_", cg_sign_, NULL, NULL, cg_sign, true},    {"sin_", cg_sin_, NULL, NULL, cg_sin, false},
    {"cos_", cg_cos_, NULL, NULL, cg_cos, false},      {"tan_", cg_tan_, NULL, NULL, cg_tan, false},
    {"tanh_", cg_tanh_, NULL, NULL, cg_tanh, false},   {"sigmoid_", cg_sigmoid_, NULL, NULL, cg_sigmoid, false},
    {"relu_", cg_relu_, NULL, NULL, cg_relu, true},    {"sub_", NULL, cg_sub_number_, cg_sub_, NULL, true},
    {"div_", NULL, cg_div_number_, cg_div_, NULL, true}, {"pow_", NULL, cg_pow_number_, cg_pow_, NULL, false},
    {"add_", NULL, cg_add_number_, cg_add_, NULL, true}, {"mul_", NULL, cg_mul_number_, cg_mul_, NULL, true},
};

static const inplace_fn *find_inplace(const char *name) {
    for (size_t i = 0; i < sizeof inplace_fns / sizeof *inplace_fns; i++)
        if (!strcmp(inplace_fns[i].name, name)) return &inplace_fns[i];
    return NULL;
}

/* Runs fn on t with the number at *cursor ("-": none) or other. */
static int call_inplace(const inplace_fn *fn, cg_tensor *t, char **cursor, cg_tensor *other) {
    char *s = *cursor + strspn(*cursor, " ");
    if (s[0] == '-' && (s[1] == ' ' || s[1] == '\0')) { /* golden_token may have cut the line there */
        *cursor = s + 2;
        return other ? fn->binary(t, other) : fn->unary(t);
    }
    *cursor = s;
    cg_number value = golden_number(cursor);
    return fn->number(t, value);
}

static cg_tensor *tensor_or_none(char **cursor) {
    char *s = *cursor + strspn(*cursor, " ");
    if (!strncmp(s, "none", 4)) {
        *cursor = s + 4;
        return NULL;
    }
    return golden_tensor(cursor);
}

static void expect_token(char **cursor, const char *token) {
    const char *t = golden_token(cursor);
    CHECK_MSG(t && !strcmp(t, token), "golden line: expected %s", token);
}

static void check_inplace(char *rest) {
    char *cursor = rest;
    const char *name = golden_token(&cursor);
    const inplace_fn *fn = find_inplace(name);
    CHECK_MSG(fn, "no in-place op %s", name);
    if (!fn) return;
    char *arg = cursor;
    golden_token(&cursor); /* the number, read again by call_inplace */
    expect_token(&cursor, "x");
    cg_tensor *x = cg_requires_grad_(golden_tensor(&cursor), true);
    expect_token(&cursor, "other");
    cg_tensor *other = tensor_or_none(&cursor);
    if (other) cg_requires_grad_(other, true);
    expect_token(&cursor, "g");
    cg_tensor *g = golden_tensor(&cursor);
    expect_token(&cursor, "result");
    cg_tensor *result = golden_tensor(&cursor);
    expect_token(&cursor, "node");
    const char *node = golden_token(&cursor);
    expect_token(&cursor, "gx");
    cg_tensor *gx = golden_tensor(&cursor);
    expect_token(&cursor, "go");
    cg_tensor *go = tensor_or_none(&cursor);

    cg_tensor *y = cg_mul_scalar(x, 1);
    char argtext[32];
    snprintf(argtext, sizeof argtext, "%.*s", (int)strcspn(arg + strspn(arg, " "), " "), arg + strspn(arg, " "));
    cg_clear_error();
    CHECK_MSG(call_inplace(fn, y, &arg, other) == 0, "%s(%s): %s", name, argtext, cg_last_error());
    CHECK_MSG(matches(y, result, fn->exact), "%s(%s) %s: values", name, argtext, cg_dtype_name(cg_get_dtype(x)));
    if (fn->out_of_place) CG_NO_GRAD { CHECK_MSG(harness_same_bits(y, fn->out_of_place(x)), "%s: not %s's bits", name, name); }
    CHECK_MSG(cg_version(y) == 1, "%s(%s): version %lld", name, argtext, (long long)cg_version(y));
    CHECK_MSG(cg_grad_fn(y) && !strcmp(cg_node_name(cg_grad_fn(y)), node), "%s(%s): node %s, expected %s", name,
              argtext, cg_grad_fn(y) ? cg_node_name(cg_grad_fn(y)) : "none", node);
    CHECK_MSG(cg_backward(y, .gradient = g) == 0, "%s(%s) backward: %s", name, argtext, cg_last_error());
    CHECK_MSG(matches(cg_grad(x), gx, fn->exact), "%s(%s) %s: gradient of x", name, argtext, cg_dtype_name(cg_get_dtype(x)));
    if (go) CHECK_MSG(matches(cg_grad(other), go, fn->exact), "%s(%s): gradient of other", name, argtext);
}

static cg_tensor *error_case(const char *name) {
    if (!strcmp(name, "int")) return cg_tensor_i64(((int64_t[]){1, -2}), 2);
    if (!strcmp(name, "bool")) return cg_tensor_bool(((bool[]){true, false}), 2);
    if (!strcmp(name, "leaf")) return cg_requires_grad_(cg_ones(3), true);
    return cg_expand(cg_ones(3), 2, 3);
}

static void check_inplace_error(char *rest) {
    char *cursor = rest;
    const char *name = golden_token(&cursor);
    const inplace_fn *fn = find_inplace(name);
    char *arg = cursor;
    golden_token(&cursor);
    const char *which = golden_token(&cursor);
    const char *message = strstr(cursor, "| ") + 2;
    cg_tensor *t = error_case(which);
    cg_tensor *before = cg_clone(t);
    CHECK_ERROR(call_inplace(fn, t, &arg, NULL) == 0, message);
    CHECK_MSG(cg_version(t) == 0 && harness_same_bits(t, cg_contiguous(before)), "%s on %s changed the tensor", name, which);
}

static void check_inplace_version(char *rest) {
    char *cursor = rest;
    const inplace_fn *fn = find_inplace(golden_token(&cursor));
    const char *message = strstr(cursor, "| ") + 2;
    cg_tensor *y = cg_mul_scalar(cg_requires_grad_(cg_ones(3), true), 1);
    CHECK(fn->unary(y) == 0 && cg_add_scalar_(y, 1) == 0);
    CHECK_ERROR(cg_backward(cg_sum(y)) == 0, message);
}

static void test_inplace_golden(void) {
    CHECK(each_line("inplace", check_inplace) >= 60);
    CHECK(each_line("inplace_error", check_inplace_error) >= 70);
    CHECK(each_line("inplace_version", check_inplace_version) >= 6);
}

/* Through a view: the base's history becomes CopySlices, the gradient flows through the slice. */
static void test_inplace_through_a_view(void) {
    cg_tensor *x = cg_requires_grad_(cg_tensor_f32(((float[]){0.5f, 1, 2, 4}), 4), true);
    cg_tensor *y = cg_mul_scalar(x, 1);
    CHECK(cg_log_(cg_slice(y, 0, 1, 3, 1)) == 0);
    CHECK_STR(cg_node_name(cg_grad_fn(y)), "CopySlices");
    CHECK(cg_exp_(cg_select(y, 0, 0)) == 0);
    CHECK(cg_backward(cg_sum(y)) == 0);
    CHECK(harness_values_close(cg_grad(x), (double[]){expf(0.5f), 1, 0.5, 1}, 1e-6));
    /* sqrt_ saves its result: a later write anywhere in the base makes it stale (PyTorch's text,
     * which names the view's history while the view lives, else the node: z[1:3].sqrt_()) */
    cg_tensor *z = cg_mul_scalar(x, 1);
    CG_SCOPE { CHECK(cg_sqrt_(cg_slice(z, 0, 1, 3, 1)) == 0); }
    CHECK(cg_exp_(cg_select(z, 0, 0)) == 0);
    CHECK_ERROR(cg_backward(cg_sum(z)) == 0,
                "one of the variables needed for gradient computation has been modified by an inplace operation: "
                "[torch.FloatTensor [2]], which is output 0 of SqrtBackward0, is at version 2; expected version 1 "
                "instead. Hint: enable anomaly detection to find the operation that failed to compute its gradient, "
                "with torch.autograd.set_detect_anomaly(True).");
    z = cg_mul_scalar(x, 1);
    CHECK(cg_sqrt_(cg_slice(z, 0, 1, 3, 1)) == 0 && cg_exp_(cg_select(z, 0, 0)) == 0);
    CHECK_ERROR(cg_backward(cg_sum(z)) == 0,
                "one of the variables needed for gradient computation has been modified by an inplace operation: "
                "[torch.FloatTensor [2]], which is output 0 of AsStridedBackward0, is at version 2; expected version 1 "
                "instead. Hint: enable anomaly detection to find the operation that failed to compute its gradient, "
                "with torch.autograd.set_detect_anomaly(True).");
    cg_tensor *w = cg_mul_scalar(x, 1);
    CHECK(cg_sqrt_(cg_slice(w, 0, 1, 3, 1)) == 0 && cg_backward(cg_sum(w)) == 0);
    CHECK(harness_values_close(cg_grad(x), (double[]){1 + expf(0.5f), 1.5, 0.5 + 0.5 / sqrtf(2.0f), 2}, 1e-6));
}

/* ---- add/sub with alpha, addcmul, addcdiv, lerp ---- */

/* "-" (no number: lerp's weight is a tensor) or a Python number. */
static bool read_number(char **cursor, cg_number *value) {
    char *s = *cursor + strspn(*cursor, " ");
    if (s[0] == '-' && (s[1] == ' ' || s[1] == '\0')) {
        *cursor = s + 2;
        return false;
    }
    *cursor = s;
    *value = golden_number(cursor);
    return true;
}

static cg_tensor *fused_call(const char *op, bool has_number, cg_number v, cg_tensor *self, cg_tensor *a, cg_tensor *b) {
    if (!strcmp(op, "add")) return cg_add_alpha_number(self, a, v);
    if (!strcmp(op, "sub")) return cg_sub_alpha_number(self, a, v);
    if (!strcmp(op, "addcmul")) return cg_addcmul_number(self, a, b, v);
    if (!strcmp(op, "addcdiv")) return cg_addcdiv_number(self, a, b, v);
    return has_number ? cg_lerp_number(self, a, v) : cg_lerp(self, a, b);
}

static int fused_call_(const char *op, bool has_number, cg_number v, cg_tensor *self, cg_tensor *a, cg_tensor *b) {
    if (!strncmp(op, "add_", 4) || !strcmp(op, "add")) return cg_add_alpha_number_(self, a, v);
    if (!strncmp(op, "sub", 3)) return cg_sub_alpha_number_(self, a, v);
    if (!strncmp(op, "addcmul", 7)) return cg_addcmul_number_(self, a, b, v);
    if (!strncmp(op, "addcdiv", 7)) return cg_addcdiv_number_(self, a, b, v);
    return has_number ? cg_lerp_number_(self, a, v) : cg_lerp_(self, a, b);
}

/* A golden input in the line's layout: "t" makes it the transpose of a contiguous tensor. */
static cg_tensor *laid_out(cg_tensor *t, const char *layout) {
    if (!t || strcmp(layout, "t") || cg_ndim(t) != 2) return t;
    return cg_t(cg_contiguous(cg_t(t)));
}

static void check_fused(char *rest) {
    char *cursor = rest;
    const char *op = golden_token(&cursor);
    cg_number v = cg_number_int(0);
    bool has_number = read_number(&cursor, &v);
    const char *layout = golden_token(&cursor);
    expect_token(&cursor, "self");
    cg_tensor *self = laid_out(golden_tensor(&cursor), layout);
    expect_token(&cursor, "a");
    cg_tensor *a = laid_out(golden_tensor(&cursor), layout);
    expect_token(&cursor, "b");
    cg_tensor *b = laid_out(tensor_or_none(&cursor), layout);
    expect_token(&cursor, "strides");
    int64_t strides[CG_MAX_DIMS];
    int nstrides = 0;
    for (char *tok; (tok = golden_token(&cursor)) && strcmp(tok, "g");) strides[nstrides++] = strtoll(tok, NULL, 10);
    cg_tensor *g = tensor_or_none(&cursor);
    expect_token(&cursor, "result");
    cg_tensor *expected = golden_tensor(&cursor);
    const char *dtype = cg_dtype_name(cg_get_dtype(self));
    if (g) { /* float inputs: all require grad */
        cg_requires_grad_(self, true);
        cg_requires_grad_(a, true);
        if (b) cg_requires_grad_(b, true);
    }
    cg_clear_error();
    cg_tensor *r = fused_call(op, has_number, v, self, a, b);
    CHECK_MSG(r, "%s %s %s: %s", op, layout, dtype, cg_last_error());
    CHECK_MSG(harness_same_bits(r, expected), "%s(%g) %s %s: values", op, v.f, layout, dtype);
    CHECK_MSG(r && cg_ndim(r) == nstrides && !memcmp(cg_strides(r), strides, (size_t)nstrides * sizeof *strides),
              "%s %s %s: strides (PyTorch's layout)", op, layout, dtype);
    /* in place, on a copy of self of the result's dtype and shape */
    if (r && cg_get_dtype(r) == cg_get_dtype(self) && cg_ndim(r) == cg_ndim(self) && cg_numel(r) == cg_numel(self)) {
        cg_tensor *y = cg_detach(cg_clone(self));
        CG_NO_GRAD {
            CHECK_MSG(fused_call_(op, has_number, v, y, cg_detach(a), b ? cg_detach(b) : NULL) == 0, "%s_: %s", op,
                      cg_last_error());
        }
        CHECK_MSG(harness_same_bits(y, expected), "%s_(%g) %s %s: values", op, v.f, layout, dtype);
    }
    if (!g || !r) return;
    expect_token(&cursor, "node");
    CHECK_STR(cg_node_name(cg_grad_fn(r)), golden_token(&cursor));
    CHECK_MSG(cg_backward(r, .gradient = g) == 0, "%s backward: %s", op, cg_last_error());
    /* bit for bit, the sums of broadcast operands' gradients (the engine's sum_to) too */
    cg_tensor *ins[] = {self, a, b};
    const char *keys[] = {"gself", "ga", "gb"};
    for (int k = 0; k < 3; k++) {
        expect_token(&cursor, keys[k]);
        cg_tensor *want = tensor_or_none(&cursor);
        if (!want) continue;
        CHECK_MSG(harness_same_bits(cg_grad(ins[k]), want), "%s(%g) %s %s: %s", op, v.f, layout, dtype, keys[k]);
    }
}

/* The operands of a fused_error case (see tools/gen_api.py). */
static void fused_error_inputs(const char *op, const char *which, cg_tensor **in) {
    cg_tensor *f = cg_ones(2), *d = cg_ones_shape(CG_FLOAT64, CG_SHAPE(2));
    cg_tensor *i = cg_tensor_i64(((int64_t[]){1, 2}), 2), *b = cg_tensor_bool(((bool[]){true, false}), 2);
    cg_tensor *three = cg_ones(3);
    struct {
        const char *name;
        cg_tensor *in[3];
    } cases[] = {
        {"int", {i, i, i}},           {"float", {f, f, NULL}},       {"bool", {b, b, b}},
        {"float_int", {f, i, i}},     {"end_double", {f, d, NULL}},  {"weight_double", {f, f, d}},
        {"weight_int", {f, f, i}},    {"int_float", {i, f, f}},      {"expand", {f, cg_expand(f, 3, 2), f}},
        {"leaf", {cg_requires_grad_(cg_ones(2), true), f, f}},
        {"order_bool", {b, cg_tensor_bool(((bool[]){true, true, false}), 3), b}},
        {"order_int", {i, cg_tensor_i64(((int64_t[]){1, 2, 3}), 3), i}},
        {"order_dtype", {f, cg_ones_shape(CG_FLOAT64, CG_SHAPE(3)), NULL}},
        {"fits", {f, f, f}},
    };
    if (!strcmp(which, "shape")) { /* add(f, three), addcmul(f, f, three) */
        in[0] = f;
        in[1] = !strcmp(op, "add") ? three : f;
        in[2] = three;
        return;
    }
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++)
        if (!strcmp(cases[k].name, which)) memcpy(in, cases[k].in, sizeof cases[k].in);
}

static void check_fused_error(char *rest) {
    char *cursor = rest;
    const char *op = golden_token(&cursor);
    cg_number v = cg_number_int(0);
    bool has_number = read_number(&cursor, &v);
    const char *which = golden_token(&cursor);
    const char *message = strstr(cursor, "| ") + 2;
    cg_tensor *in[3] = {NULL, NULL, NULL};
    fused_error_inputs(op, which, in);
    bool inplace = op[strlen(op) - 1] == '_';
    /* add and sub, and lerp with a number weight, take two tensors */
    bool two_tensors = strncmp(op, "addc", 4) && (!strncmp(op, "add", 3) || !strncmp(op, "sub", 3) || has_number);
    if (two_tensors) in[2] = NULL;
    if (inplace) {
        cg_tensor *t = cg_clone(in[0]);
        if (!strcmp(which, "leaf")) t = in[0];
        int64_t version = cg_version(t);
        CHECK_ERROR(fused_call_(op, has_number, v, t, in[1], in[2]) == 0, message);
        CHECK(cg_version(t) == version);
    } else {
        CHECK_ERROR(fused_call(op, has_number, v, in[0], in[1], in[2]), message);
    }
}

static void test_fused_inplace_nodes(void) {
    cg_tensor *x = cg_requires_grad_(cg_ones(2), true), *w = cg_full_like(cg_ones(2), 0.25), *y[6];
    for (int k = 0; k < 6; k++) y[k] = cg_mul_scalar(x, 1);
    const int status[6] = {cg_add_alpha_(y[0], x, 2),       cg_sub_alpha_(y[1], x, 2),
                           cg_addcmul_(y[2], x, x, 2),      cg_addcdiv_(y[3], x, x, 2),
                           cg_lerp_scalar_(y[4], x, 0.5),   cg_lerp_(y[5], x, w)};
    const char *nodes[6] = {"AddBackward0",     "SubBackward0",  "AddcmulBackward0",
                            "AddcdivBackward0", "LerpBackward0", "LerpBackward1"};
    for (int k = 0; k < 6; k++) {
        CHECK(status[k] == 0 && cg_version(y[k]) == 1);
        CHECK_STR(cg_node_name(cg_grad_fn(y[k])), nodes[k]);
    }
    /* y.add_(x, alpha=2): dy/dx = 1 + 2 */
    CHECK(cg_backward(cg_sum(y[0])) == 0);
    CHECK(harness_values_close(cg_grad(x), (double[]){3, 3}, 0));
}

static void test_fused_golden(void) {
    CHECK(each_line("fused", check_fused) >= 100);
    CHECK(each_line("fused_error", check_fused_error) >= 20);
}

/* ---- clamp with tensor bounds and infinite number bounds ---- */

static void check_clamp_in(char *rest, const char *layout) {
    char *cursor = rest;
    expect_token(&cursor, "x");
    cg_tensor *x = laid_out(golden_tensor(&cursor), layout);
    expect_token(&cursor, "min");
    cg_tensor *lo = laid_out(tensor_or_none(&cursor), layout);
    expect_token(&cursor, "max");
    cg_tensor *hi = laid_out(tensor_or_none(&cursor), layout);
    cursor += strspn(cursor, " ");
    char *bits = !strncmp(cursor, "bits ", 5) ? cursor + 5 : NULL;
    if (bits) {
        char *g_at = strstr(bits, " g ");
        *g_at = '\0'; /* the hex digits end there */
        cursor = g_at + 1;
    }
    expect_token(&cursor, "g");
    cg_tensor *g = tensor_or_none(&cursor);
    expect_token(&cursor, "result");
    cg_tensor *expected = golden_tensor(&cursor);
    if (bits) { /* the exact bits, NaNs told apart */
        char *hex = bits;
        for (int64_t i = 0; i < cg_numel(expected); i++) {
            uint64_t v = strtoull(golden_token(&hex), NULL, 16);
            char *at = (char *)cg_data_ptr(expected) + i * (int64_t)cg_dtype_size(cg_get_dtype(expected));
            if (cg_get_dtype(expected) == CG_FLOAT32) {
                uint32_t v32 = (uint32_t)v;
                memcpy(at, &v32, 4);
            } else {
                memcpy(at, &v, 8);
            }
        }
    }
    if (g) {
        cg_requires_grad_(x, true);
        if (lo) cg_requires_grad_(lo, true);
        if (hi) cg_requires_grad_(hi, true);
    }
    const char *dtype = cg_dtype_name(cg_get_dtype(x));
    cg_clear_error();
    cg_tensor *r = cg_clamp_tensor(x, lo, hi);
    CHECK_MSG(harness_same_bits(r, expected), "clamp %s (min %s, max %s): values %s", dtype, lo ? "tensor" : "none",
              hi ? "tensor" : "none", cg_last_error());
    if (r && cg_get_dtype(r) == cg_get_dtype(x) && cg_numel(r) == cg_numel(x)) { /* in place, the same bits */
        cg_tensor *y = cg_clone(cg_detach(x));
        CG_NO_GRAD { CHECK(cg_clamp_tensor_(y, lo, hi) == 0 && harness_same_bits(y, expected)); }
    }
    if (!g || !r) return;
    expect_token(&cursor, "node");
    CHECK_STR(cg_node_name(cg_grad_fn(r)), golden_token(&cursor));
    CHECK(cg_node_num_next(cg_grad_fn(r)) == 3);
    CHECK_MSG(cg_backward(r, .gradient = g) == 0, "clamp backward: %s", cg_last_error());
    cg_tensor *ins[] = {x, lo, hi};
    const char *keys[] = {"gx", "gmin", "gmax"};
    for (int k = 0; k < 3; k++) {
        expect_token(&cursor, keys[k]);
        cg_tensor *want = tensor_or_none(&cursor);
        if (!want) continue;
        CHECK_MSG(harness_same_bits(cg_grad(ins[k]), want), "clamp %s: %s", dtype, keys[k]);
    }
}

static void check_clamp(char *rest) { check_clamp_in(rest, "c"); }
static void check_clamp_t(char *rest) { check_clamp_in(rest, "t"); }

static void check_clamp_error(char *rest) {
    char *cursor = rest;
    const char *which = golden_token(&cursor);
    const char *message = strstr(cursor, "| ") + 2;
    cg_tensor *b = cg_tensor_bool(((bool[]){true, false, true}), 3);
    if (!strcmp(which, "none")) CHECK_ERROR(cg_clamp_tensor(cg_ones(2), NULL, NULL), message);
    if (!strcmp(which, "bool")) CHECK_ERROR(cg_clamp_tensor(b, b, b), message);
    if (!strcmp(which, "shape")) CHECK_ERROR(cg_clamp_tensor(cg_ones(2), cg_ones(3), NULL), message);
    if (!strcmp(which, "inplace_int") || !strcmp(which, "inplace_shape")) {
        bool ints = !strcmp(which, "inplace_int");
        cg_tensor *t = ints ? cg_tensor_i64(((int64_t[]){1, 5}), 2) : cg_ones(2);
        CHECK_ERROR(cg_clamp_tensor_(t, ints ? cg_tensor_f32(((float[]){2.5f}), 1) : cg_ones(3, 2), NULL) == 0, message);
        CHECK(cg_version(t) == 0);
    }
}

static void check_clamp_number(char *rest) {
    char *cursor = rest;
    expect_token(&cursor, "x");
    cg_tensor *x = cg_requires_grad_(golden_tensor(&cursor), true);
    expect_token(&cursor, "min");
    cursor += strspn(cursor, " ");
    cg_number lo = golden_number(&cursor);
    expect_token(&cursor, "max");
    cursor += strspn(cursor, " ");
    cg_number hi = golden_number(&cursor);
    expect_token(&cursor, "g");
    cg_tensor *g = golden_tensor(&cursor);
    expect_token(&cursor, "result");
    cg_tensor *expected = golden_tensor(&cursor);
    expect_token(&cursor, "gx");
    cg_tensor *gx = golden_tensor(&cursor);
    cg_tensor *r = cg_clamp_number(x, lo, hi);
    CHECK_MSG(harness_same_bits(r, expected), "clamp(%g, %g) %s: values", lo.f, hi.f, cg_dtype_name(cg_get_dtype(x)));
    CHECK(cg_grad_fn(r) && !strcmp(cg_node_name(cg_grad_fn(r)), "ClampBackward1"));
    CHECK(cg_backward(r, .gradient = g) == 0);
    CHECK_MSG(harness_same_bits(cg_grad(x), gx), "clamp(%g, %g) %s: gradient", lo.f, hi.f, cg_dtype_name(cg_get_dtype(x)));
}

static void test_clamp_golden(void) {
    CHECK(each_line("clamp", check_clamp) >= 18);
    CHECK(each_line("clamp_t", check_clamp_t) >= 8);
    CHECK(each_line("clamp_error", check_clamp_error) >= 5);
    CHECK(each_line("clamp_number", check_clamp_number) >= 24);
    /* CG_NO_BOUND is no number for any other op */
    CHECK_ERROR(cg_add_number(cg_ones(1), CG_NO_BOUND), "expected a number but got None (CG_NO_BOUND is only a bound of clamp)");
    CHECK_ERROR(cg_clamp(cg_ones(1), CG_NO_BOUND, CG_NO_BOUND),
                "torch.clamp: At least one of 'min' or 'max' must not be None");
}

int main(void) {
    RUN(test_retains_grad);
    RUN(test_format_size);
    RUN(test_copy_to_strided_and_converted);
    RUN(test_copy_to_errors);
    RUN(test_randperm);
    RUN(test_from_blob_shares_memory);
    RUN(test_from_blob_strides_and_graph);
    RUN(test_from_blob_errors);
    RUN(test_from_blob_heap);
    RUN(test_inplace_golden);
    RUN(test_inplace_through_a_view);
    RUN(test_fused_golden);
    RUN(test_fused_inplace_nodes);
    RUN(test_clamp_golden);
    HARNESS_END();
}
