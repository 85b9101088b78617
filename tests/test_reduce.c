/* Reductions against PyTorch's golden values (tests/data/reduce.txt from tools/gen_reduce.py):
 * every dtype, dim lists with negative dims and keepdim, transposed, sliced, expanded and 0-dim
 * inputs, empty tensors, NaN and ties, and every error with its exact message. */
#include "harness.h"
#include "golden.h"
#include "backend/cpu/simd.h" /* cg_simd_cap */
#include "core/tensor.h" /* cg_new_view: the golden inputs are strided views of a base */

#include <stdlib.h>

typedef struct {
    int lineno;
    const char *op;
    int ndims;
    int dims[CG_MAX_DIMS];
    bool keepdim, biased;
    double p;
    cg_tensor *base, *input;
    bool ok;
    cg_tensor *expected, *expected_indices; /* when ok */
    const char *message;                    /* when not */
} reduce_case;

static bool parse_case(char *line, int lineno, reduce_case *c) {
    char *cur = line;
    memset(c, 0, sizeof *c);
    c->lineno = lineno;
    c->op = golden_token(&cur);
    c->ndims = atoi(golden_token(&cur));
    for (int i = 0; i < c->ndims; i++) c->dims[i] = atoi(golden_token(&cur));
    c->keepdim = atoi(golden_token(&cur));
    c->biased = atoi(golden_token(&cur));
    c->p = strtod(golden_token(&cur), NULL);
    c->base = golden_tensor(&cur);
    if (!c->base) return false;
    int ndim = atoi(golden_token(&cur));
    int64_t sizes[CG_MAX_DIMS], strides[CG_MAX_DIMS];
    for (int d = 0; d < ndim; d++) sizes[d] = atoll(golden_token(&cur));
    for (int d = 0; d < ndim; d++) strides[d] = atoll(golden_token(&cur));
    int64_t offset = atoll(golden_token(&cur));
    c->input = cg_new_view(c->base, ndim, sizes, strides, offset);
    const char *status = golden_token(&cur);
    if (!c->input || !status) return false;
    c->ok = strcmp(status, "OK") == 0;
    if (!c->ok) {
        c->message = cur + strspn(cur, " ");
        return true;
    }
    c->expected = golden_tensor(&cur);
    if (*(cur + strspn(cur, " "))) c->expected_indices = golden_tensor(&cur);
    return c->expected != NULL;
}

static cg_tensor *run_case(const reduce_case *c, cg_tensor **indices) {
    cg_tensor *x = c->input;
    const char *op = c->op;
    int dim = c->dims[0];
    cg_reduce_args r = {.input = x, .ndims = c->ndims, .keepdim = c->keepdim, .biased = c->biased};
    memcpy(r.dims, c->dims, sizeof r.dims);
    if (!strcmp(op, "sum")) return cg_sum_opts(r);
    if (!strcmp(op, "mean")) return cg_mean_opts(r);
    if (!strcmp(op, "var")) return cg_var_opts(r);
    if (!strcmp(op, "std")) return cg_std_opts(r);
    if (!strcmp(op, "norm")) {
        cg_norm_args n = {.input = x, .p = c->p, .ndims = c->ndims, .keepdim = c->keepdim};
        memcpy(n.dims, c->dims, sizeof n.dims);
        return cg_norm_opts(n);
    }
    if (!strcmp(op, "prod")) return cg_prod(x);
    if (!strcmp(op, "prod_dim")) return cg_prod_dim(x, dim, c->keepdim);
    if (!strcmp(op, "max")) return cg_max(x);
    if (!strcmp(op, "min")) return cg_min(x);
    if (!strcmp(op, "argmax")) return cg_argmax(x);
    if (!strcmp(op, "argmin")) return cg_argmin(x);
    if (!strcmp(op, "max_dim")) return cg_max_dim(x, dim, c->keepdim, indices);
    if (!strcmp(op, "min_dim")) return cg_min_dim(x, dim, c->keepdim, indices);
    if (!strcmp(op, "argmax_dim")) return cg_argmax_dim(x, dim, c->keepdim);
    if (!strcmp(op, "argmin_dim")) return cg_argmin_dim(x, dim, c->keepdim);
    fprintf(stderr, "unknown op %s\n", op);
    return NULL;
}

/* Same dtype, same shape, same values: exact for integers, else PyTorch's within float rounding. */
static bool same_tensor(const cg_tensor *got, const cg_tensor *want, int lineno) {
    if (!got) return false;
    if (cg_get_dtype(got) != cg_get_dtype(want) || cg_ndim(got) != cg_ndim(want)) {
        fprintf(stderr, "  line %d: dtype %s ndim %d, expected %s ndim %d\n", lineno, cg_dtype_name(cg_get_dtype(got)),
                cg_ndim(got), cg_dtype_name(cg_get_dtype(want)), cg_ndim(want));
        return false;
    }
    for (int d = 0; d < cg_ndim(got); d++) {
        if (cg_sizes(got)[d] != cg_sizes(want)[d]) {
            fprintf(stderr, "  line %d: size %lld at dim %d, expected %lld\n", lineno, (long long)cg_sizes(got)[d], d,
                    (long long)cg_sizes(want)[d]);
            return false;
        }
    }
    double tol = cg_get_dtype(want) == CG_FLOAT32 ? 2e-6 : cg_get_dtype(want) == CG_FLOAT64 ? 1e-12 : 0;
    cg_tensor *w = cg_to((cg_tensor *)want, CG_FLOAT64);
    if (!harness_values_close(got, cg_data_ptr(w), tol)) {
        fprintf(stderr, "  line %d: values differ\n", lineno);
        return false;
    }
    return true;
}

/* Bitwise copy of the base's bytes, to prove a failing op left its input alone. */
static bool same_bytes(const cg_tensor *a, const cg_tensor *b) {
    return memcmp(cg_data_ptr(a), cg_data_ptr(b), (size_t)cg_numel(a) * cg_dtype_size(cg_get_dtype(a))) == 0;
}

static void check_case(const reduce_case *c) {
    cg_tensor *before = cg_clone(c->base);
    int64_t version = cg_version(c->base);
    cg_tensor *indices = NULL;
    cg_clear_error();
    cg_tensor *got = run_case(c, &indices);
    if (c->ok) {
        CHECK_MSG(got != NULL, "line %d (%s): unexpected error: %s", c->lineno, c->op, cg_last_error());
        if (got) CHECK_MSG(same_tensor(got, c->expected, c->lineno), "line %d (%s)", c->lineno, c->op);
        if (got && c->expected_indices)
            CHECK_MSG(same_tensor(indices, c->expected_indices, c->lineno), "line %d (%s indices)", c->lineno, c->op);
    } else {
        CHECK_MSG(got == NULL, "line %d (%s): expected the error \"%s\"", c->lineno, c->op, c->message);
        CHECK_MSG(!strcmp(harness_error(), c->message), "line %d (%s):\n  got:      \"%s\"\n  expected: \"%s\"",
                  c->lineno, c->op, harness_error(), c->message);
        CHECK_MSG(indices == NULL, "line %d (%s): indices written on error", c->lineno, c->op);
    }
    CHECK_MSG(same_bytes(before, c->base) && cg_version(c->base) == version, "line %d (%s): input changed",
              c->lineno, c->op);
}

/* Runs the golden cases whose op is one of ops (a NULL-terminated list). */
static void golden_cases(const char *const *ops) {
    golden_file g;
    if (golden_open(&g, "tests/data/reduce.txt") < 0) {
        CHECK(!"golden file");
        return;
    }
    int lineno = 1, count = 0; /* line 1 is the comment */
    char *line;
    while ((line = golden_next_line(&g))) {
        lineno++;
        char op[32];
        sscanf(line, "%31s", op);
        bool wanted = false;
        for (const char *const *o = ops; *o && !wanted; o++) wanted = !strcmp(*o, op);
        if (!wanted) continue;
        cg_scope_begin();
        reduce_case c;
        if (parse_case(line, lineno, &c)) {
            check_case(&c);
            count++;
        } else {
            CHECK_MSG(0, "line %d: malformed", lineno);
        }
        cg_scope_end();
    }
    golden_close(&g);
    CHECK(count > 0);
}

static void test_sum_and_mean(void) { golden_cases((const char *[]){"sum", "mean", NULL}); }
static void test_var_and_std(void) { golden_cases((const char *[]){"var", "std", NULL}); }
static void test_norm(void) { golden_cases((const char *[]){"norm", NULL}); }
static void test_prod(void) { golden_cases((const char *[]){"prod", "prod_dim", NULL}); }
static void test_max_and_min(void) { golden_cases((const char *[]){"max", "min", "max_dim", "min_dim", NULL}); }
static void test_argmax_and_argmin(void) {
    golden_cases((const char *[]){"argmax", "argmin", "argmax_dim", "argmin_dim", NULL});
}

static void test_options_read_like_python(void) {
    cg_tensor *x = cg_tensor_f32(((float[]){1, 2, 3, 4, 5, 6}), 2, 3);
    cg_tensor *s = cg_sum(x, CG_DIMS(-1), .keepdim = true);
    CHECK(cg_ndim(s) == 2 && cg_size(s, 0) == 2 && cg_size(s, 1) == 1);
    CHECK(harness_values_close(s, (double[]){6, 15}, 0));
    CHECK(cg_item(cg_sum(x)) == 21);
    CHECK(cg_item(cg_mean(x)) == 3.5);
    CHECK_CLOSE(cg_item(cg_var(x, .biased = true)), 35.0 / 12, 1e-7);
    CHECK(harness_values_close(cg_std(x, CG_DIMS(0)), (double[]){sqrt(2) * 1.5, sqrt(2) * 1.5, sqrt(2) * 1.5}, 1e-6));
    CHECK_CLOSE(cg_item(cg_norm(x, 2)), sqrt(91), 1e-7);
    CHECK(harness_values_close(cg_norm(x, INFINITY, CG_DIMS(1)), (double[]){3, 6}, 0));
    cg_tensor *idx = NULL;
    cg_tensor *m = cg_max_dim(x, 1, false, &idx);
    CHECK(harness_values_close(m, (double[]){3, 6}, 0) && harness_values_close(idx, (double[]){2, 2}, 0));
    CHECK(harness_values_close(cg_min_dim(x, 0, true, NULL), (double[]){1, 2, 3}, 0));
    CHECK(cg_item(cg_argmax(x)) == 5 && cg_item(cg_argmin(x)) == 0);
}

static void test_results_are_new_contiguous_tensors(void) {
    cg_tensor *x = cg_tensor_f64(((double[]){1, 2, 3, 4}), 2, 2);
    cg_tensor *t = cg_new_view(x, 2, (int64_t[]){2, 2}, (int64_t[]){1, 2}, 0); /* x transposed */
    cg_tensor *s = cg_sum(t, CG_DIMS(1));
    CHECK(cg_is_contiguous(s) && !cg_shares_storage(s, x));
    CHECK(harness_values_close(s, (double[]){4, 6}, 0));
    cg_tensor *p = cg_prod_dim(x, 0, false);
    CHECK(!cg_shares_storage(p, x) && harness_values_close(p, (double[]){3, 8}, 0));
}

static void test_null_input_keeps_first_error(void) {
    cg_clear_error();
    CHECK(cg_mean(cg_tensor_i64(((int64_t[]){1}), 1)) == NULL);
    char first[256];
    snprintf(first, sizeof first, "%s", cg_last_error());
    CHECK(cg_sum(NULL) == NULL && cg_mean(NULL) == NULL && cg_var(NULL) == NULL && cg_std(NULL) == NULL);
    CHECK(cg_norm(NULL, 2) == NULL && cg_prod(NULL) == NULL && cg_prod_dim(NULL, 0, false) == NULL);
    CHECK(cg_max(NULL) == NULL && cg_min(NULL) == NULL && cg_argmax(NULL) == NULL && cg_argmin(NULL) == NULL);
    cg_tensor *idx = NULL;
    CHECK(cg_max_dim(NULL, 0, false, &idx) == NULL && idx == NULL && cg_min_dim(NULL, 0, false, NULL) == NULL);
    CHECK(cg_argmax_dim(NULL, 0, false) == NULL && cg_argmin_dim(NULL, 0, false) == NULL);
    CHECK_STR(cg_last_error(), first);
}

static void test_bad_dims_count(void) {
    cg_tensor *x = cg_ones(2);
    CHECK_ERROR(cg_sum(x, .ndims = -1), "the list of dims must hold 0 to 8 dims, got -1");
}

/* A large, non-contiguous reduction: the temporary copy is freed when the op returns. */
static void test_large_strided_sum(void) {
    int64_t n = 512;
    cg_tensor *x = cg_ones_shape(CG_FLOAT32, CG_SHAPE(512, 512));
    cg_tensor *t = cg_new_view(x, 2, (int64_t[]){n, n}, (int64_t[]){1, n}, 0);
    cg_tensor *s = cg_sum(t, CG_DIMS(0));
    CHECK(cg_numel(s) == n);
    double v = 0;
    CHECK(cg_get(s, &v, 7) == 0 && v == n);
    CHECK(cg_item(cg_mean(t)) == 1);
}

/* max/min through the portable loops too (as on a CPU without AVX2). */
static void test_max_and_min_portable_loops(void) {
    cg_simd_cap(0);
    test_max_and_min();
    test_argmax_and_argmin();
    cg_simd_cap(2);
}

int main(void) {
    RUN(test_sum_and_mean);
    RUN(test_var_and_std);
    RUN(test_norm);
    RUN(test_prod);
    RUN(test_max_and_min_portable_loops);
    RUN(test_max_and_min);
    RUN(test_argmax_and_argmin);
    RUN(test_options_read_like_python);
    RUN(test_results_are_new_contiguous_tensors);
    RUN(test_null_input_keeps_first_error);
    RUN(test_bad_dims_count);
    RUN(test_large_strided_sum);
    HARNESS_END();
}
