/* Matrix products against PyTorch's golden values (tests/data/linalg.txt from tools/gen_linalg.py):
 * dot, mv, mm, bmm and every matmul dispatch path, with transposed, sliced and expanded operands,
 * broadcast batch dims, empty shapes, float32/float64/int64, and every error with its exact text. */
#include "harness.h"
#include "golden.h"
#include "core/tensor.h" /* cg_new_view: the golden operands are strided views of a base */

#include <stdlib.h>

#include "blas_core.h"

/* Whether to compare float bits: with BLAS, on the OpenBLAS kernels the golden file was made
 * with (its first line, '# blas CORE THREADS'); PyTorch's bits are those kernels'. */
static bool exact_bits;

static void read_blas_line(void) { exact_bits = golden_same_blas("tests/data/linalg.txt"); }

/* A strided view '<ndim> <sizes> <strides> <offset>' of base, parsed from the cursor. */
static cg_tensor *golden_view(cg_tensor *base, char **cur) {
    char *tok = golden_token(cur);
    if (!base || !tok) return NULL;
    int ndim = atoi(tok);
    int64_t sizes[CG_MAX_DIMS], strides[CG_MAX_DIMS];
    for (int d = 0; d < ndim; d++) sizes[d] = atoll(golden_token(cur));
    for (int d = 0; d < ndim; d++) strides[d] = atoll(golden_token(cur));
    return cg_new_view(base, ndim, sizes, strides, atoll(golden_token(cur)));
}

static cg_tensor *run_op(const char *op, cg_tensor *a, cg_tensor *b) {
    if (!strcmp(op, "dot")) return cg_dot(a, b);
    if (!strcmp(op, "mv")) return cg_mv(a, b);
    if (!strcmp(op, "mm")) return cg_mm(a, b);
    if (!strcmp(op, "bmm")) return cg_bmm(a, b);
    if (!strcmp(op, "matmul")) return cg_matmul(a, b);
    fprintf(stderr, "unknown op %s\n", op);
    return NULL;
}

static bool same_shape_and_dtype(const cg_tensor *got, const cg_tensor *want) {
    if (cg_get_dtype(got) != cg_get_dtype(want) || cg_ndim(got) != cg_ndim(want)) return false;
    for (int d = 0; d < cg_ndim(got); d++)
        if (cg_sizes(got)[d] != cg_sizes(want)[d]) return false;
    return true;
}

static bool same_bytes(const cg_tensor *a, const cg_tensor *b) {
    return memcmp(cg_data_ptr(a), cg_data_ptr(b), (size_t)cg_numel(a) * cg_dtype_size(cg_get_dtype(a))) == 0;
}

/* With BLAS the products are PyTorch's, bit for bit (the same BLAS calls). The portable loops
 * accumulate in their own type in another order than BLAS, and other OpenBLAS kernels round
 * differently: there, within a few units of the float type's precision. */
static void check_line(char *line, int lineno) {
    char *cur = line;
    const char *op = golden_token(&cur);
    cg_tensor *base_a = golden_tensor(&cur), *a = golden_view(base_a, &cur);
    cg_tensor *base_b = golden_tensor(&cur), *b = golden_view(base_b, &cur);
    const char *status = golden_token(&cur);
    if (!a || !b || !status) {
        CHECK_MSG(0, "line %d: malformed", lineno);
        return;
    }
    cg_tensor *before_a = cg_clone(base_a), *before_b = cg_clone(base_b);
    cg_clear_error();
    cg_tensor *got = run_op(op, a, b);
    if (!strcmp(status, "OK")) {
        cg_tensor *want = golden_tensor(&cur);
        CHECK_MSG(got != NULL, "line %d (%s): unexpected error: %s", lineno, op, cg_last_error());
        if (got && want) {
            CHECK_MSG(same_shape_and_dtype(got, want), "line %d (%s): dtype or shape differs", lineno, op);
            /* a few units of precision of sums of up to 700 products whose partial sums reach ~30 */
            double tol = cg_get_dtype(want) == CG_FLOAT32 ? 1e-4 : cg_get_dtype(want) == CG_FLOAT64 ? 1e-12 : 0;
            if (exact_bits)
                CHECK_MSG(same_bytes(cg_contiguous(got), want), "line %d (%s): not PyTorch's bits", lineno, op);
            else
                CHECK_MSG(harness_values_close(got, cg_data_ptr(cg_to(want, CG_FLOAT64)), tol), "line %d (%s)", lineno,
                          op);
        }
    } else {
        const char *message = cur + strspn(cur, " ");
        CHECK_MSG(got == NULL, "line %d (%s): expected the error \"%s\"", lineno, op, message);
        CHECK_MSG(!strcmp(harness_error(), message), "line %d (%s):\n  got:      \"%s\"\n  expected: \"%s\"", lineno,
                  op, harness_error(), message);
    }
    CHECK_MSG(same_bytes(before_a, base_a) && same_bytes(before_b, base_b) && cg_version(base_a) == 0 &&
                  cg_version(base_b) == 0,
              "line %d (%s): an input changed", lineno, op);
}

static void golden_cases(const char *wanted) {
    golden_file g;
    if (golden_open(&g, "tests/data/linalg.txt") < 0) {
        CHECK(!"golden file");
        return;
    }
    int lineno = 2, count = 0; /* two comment lines first */
    char *line;
    while ((line = golden_next_line(&g))) {
        lineno++;
        size_t n = strlen(wanted);
        if (strncmp(line, wanted, n) != 0 || line[n] != ' ') continue;
        cg_scope_begin();
        check_line(line, lineno);
        cg_scope_end();
        count++;
    }
    golden_close(&g);
    CHECK(count > 0);
}

static void test_dot(void) { golden_cases("dot"); }
static void test_mv(void) { golden_cases("mv"); }
static void test_mm(void) { golden_cases("mm"); }
static void test_bmm(void) { golden_cases("bmm"); }
static void test_matmul(void) { golden_cases("matmul"); }

static void test_small_products_by_hand(void) {
    cg_tensor *a = cg_tensor_f32(((float[]){1, 2, 3, 4, 5, 6}), 2, 3);
    cg_tensor *b = cg_tensor_f32(((float[]){1, 0, 0, 1, 1, 1}), 3, 2);
    cg_tensor *c = cg_mm(a, b);
    CHECK(cg_ndim(c) == 2 && cg_size(c, 0) == 2 && cg_size(c, 1) == 2);
    CHECK(harness_values_close(c, (double[]){4, 5, 10, 11}, 0));
    cg_tensor *v = cg_tensor_f32(((float[]){1, 1, 1}), 3);
    CHECK(harness_values_close(cg_mv(a, v), (double[]){6, 15}, 0));
    CHECK(cg_item(cg_dot(v, v)) == 3 && cg_ndim(cg_dot(v, v)) == 0);
    CHECK(harness_values_close(cg_matmul(v, b), (double[]){2, 2}, 0));
    CHECK(!cg_shares_storage(c, a) && cg_is_contiguous(c));
}

/* ---- addmm and linear (tests/data/addmm.txt from tools/gen_addmm.py) ---- */

/* PyTorch's graph text: Name(next,...), Acc for AccumulateGrad, None for none. */
static void graph_text(const cg_node *n, char *buf, size_t size) {
    size_t len = strlen(buf);
    if (!n || !strcmp(cg_node_name(n), "AccumulateGrad")) {
        snprintf(buf + len, size - len, n ? "Acc" : "None");
        return;
    }
    snprintf(buf + len, size - len, "%s(", cg_node_name(n));
    for (int i = 0; i < cg_node_num_next(n); i++) {
        if (i) strncat(buf, ",", size - strlen(buf) - 1);
        graph_text(cg_node_next(n, i, NULL), buf, size);
    }
    strncat(buf, ")", size - strlen(buf) - 1);
}

static cg_tensor *run_addmm(const char *op, double beta, double alpha, cg_tensor **in) {
    if (!strcmp(op, "addmm"))
        return beta == 1 && alpha == 1 ? cg_addmm(in[0], in[1], in[2]) : cg_addmm_scaled(in[0], in[1], in[2], beta, alpha);
    return cg_linear(in[0], in[1], in[2]);
}

/* Exact bytes where the golden bits apply, else close. */
static bool matches(const cg_tensor *got, const cg_tensor *want) {
    if (!got || !want || !same_shape_and_dtype(got, want)) return false;
    if (exact_bits || cg_get_dtype(want) == CG_INT64) return same_bytes(cg_contiguous((cg_tensor *)got), want);
    double tol = cg_get_dtype(want) == CG_FLOAT32 ? 1e-4 : 1e-12;
    return harness_values_close(got, cg_data_ptr(cg_to((cg_tensor *)want, CG_FLOAT64)), tol);
}

static void check_addmm_line(char *line, int lineno) {
    char *cur = line;
    const char *op = golden_token(&cur);
    double beta = atof(golden_token(&cur)), alpha = atof(golden_token(&cur));
    cg_tensor *base[3], *in[3];
    for (int i = 0; i < 3; i++) {
        base[i] = golden_tensor(&cur);
        in[i] = golden_view(base[i], &cur);
    }
    const char *status = golden_token(&cur);
    if (!in[0] || !in[1] || !in[2] || !status) {
        CHECK_MSG(0, "line %d: malformed", lineno);
        return;
    }
    cg_clear_error();
    cg_tensor *got = run_addmm(op, beta, alpha, in);
    if (strcmp(status, "OK") != 0) {
        const char *message = cur + strspn(cur, " ");
        CHECK_MSG(got == NULL && !strcmp(harness_error(), message), "line %d (%s):\n  got:      \"%s\"\n  expected: \"%s\"",
                  lineno, op, got ? "(no error)" : harness_error(), message);
        return;
    }
    cg_tensor *want = golden_tensor(&cur);
    CHECK_MSG(matches(got, want), "line %d (%s): result differs%s", lineno, op, exact_bits ? " (bits)" : "");
    int64_t version = atoll(golden_token(&cur));
    const char *graph = golden_token(&cur);
    if (!strcmp(graph, "-")) return;
    /* again from leaves that require grad, then one backward */
    cg_tensor *leaves[3];
    for (int i = 0; i < 3; i++) leaves[i] = cg_requires_grad_(cg_detach(in[i]), true);
    cg_tensor *res = run_addmm(op, beta, alpha, leaves), *g = golden_tensor(&cur);
    char text[512] = "";
    graph_text(res ? cg_grad_fn(res) : NULL, text, sizeof text);
    CHECK_MSG(!strcmp(text, graph), "line %d (%s): graph %s, expected %s", lineno, op, text, graph);
    CHECK_MSG(res && cg_version(res) == version, "line %d (%s): version", lineno, op);
    CHECK_MSG(res && cg_backward(res, .gradient = g) == 0, "line %d (%s): backward: %s", lineno, op, cg_last_error());
    for (int i = 0; i < 3; i++)
        CHECK_MSG(matches(cg_grad(leaves[i]), golden_tensor(&cur)), "line %d (%s): gradient of operand %d", lineno, op, i);
}

static void test_addmm_linear(void) {
    golden_file g;
    if (golden_open(&g, "tests/data/addmm.txt") < 0) {
        CHECK(!"golden file");
        return;
    }
    int lineno = 2, count = 0; /* two comment lines first */
    char *line;
    while ((line = golden_next_line(&g))) {
        lineno++;
        cg_scope_begin();
        check_addmm_line(line, lineno);
        cg_scope_end();
        count++;
    }
    golden_close(&g);
    CHECK(count > 0);
}

static void test_null_keeps_first_error(void) {
    cg_clear_error();
    cg_tensor *v = cg_ones(3);
    CHECK(cg_dot(v, cg_ones(4)) == NULL);
    char first[256];
    snprintf(first, sizeof first, "%s", cg_last_error());
    CHECK(cg_dot(NULL, v) == NULL && cg_dot(v, NULL) == NULL && cg_mv(NULL, v) == NULL && cg_mm(v, NULL) == NULL);
    CHECK(cg_bmm(NULL, NULL) == NULL && cg_matmul(NULL, v) == NULL && cg_matmul(v, NULL) == NULL);
    CHECK_STR(cg_last_error(), first);
}

/* A product large enough for every loop order and block of the kernel, checked against a plain
 * triple loop in double: rows-major B, column-major B and column-major A. */
static void test_kernel_paths_agree_with_naive_loop(void) {
    enum { M = 37, K = 300, N = 29 };
    cg_manual_seed(1);
    cg_tensor *a = cg_randn_shape(CG_FLOAT64, CG_SHAPE(M, K)), *b = cg_randn_shape(CG_FLOAT64, CG_SHAPE(K, N));
    const double *ad = cg_data_ptr(a), *bd = cg_data_ptr(b);
    static double expected[M * N];
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            double s = 0;
            for (int k = 0; k < K; k++) s += ad[i * K + k] * bd[k * N + j];
            expected[i * N + j] = s;
        }
    CHECK(harness_values_close(cg_mm(a, b), expected, 1e-12));
    /* the same matrices stored transposed, viewed back */
    cg_tensor *at = cg_contiguous(cg_new_view(a, 2, (int64_t[]){K, M}, (int64_t[]){1, K}, 0));
    cg_tensor *bt = cg_contiguous(cg_new_view(b, 2, (int64_t[]){N, K}, (int64_t[]){1, N}, 0));
    cg_tensor *a_cm = cg_new_view(at, 2, (int64_t[]){M, K}, (int64_t[]){1, M}, 0);
    cg_tensor *b_cm = cg_new_view(bt, 2, (int64_t[]){K, N}, (int64_t[]){1, K}, 0);
    CHECK(harness_values_close(cg_mm(a, b_cm), expected, 1e-12));
    CHECK(harness_values_close(cg_mm(a_cm, b), expected, 1e-12));
    CHECK(harness_values_close(cg_mm(a_cm, b_cm), expected, 1e-12));
    /* a column of B: matrix-vector with row-major and column-major A */
    cg_tensor *col = cg_new_view(b, 1, (int64_t[]){K}, (int64_t[]){N}, 0);
    double expected_col[M];
    for (int i = 0; i < M; i++) expected_col[i] = expected[i * N];
    CHECK(harness_values_close(cg_mv(a, col), expected_col, 1e-12));
    CHECK(harness_values_close(cg_mv(a_cm, col), expected_col, 1e-12));
}

int main(void) {
    read_blas_line();
    RUN(test_dot);
    RUN(test_mv);
    RUN(test_mm);
    RUN(test_bmm);
    RUN(test_matmul);
    RUN(test_addmm_linear);
    RUN(test_small_products_by_hand);
    RUN(test_null_keeps_first_error);
    RUN(test_kernel_paths_agree_with_naive_loop);
    HARNESS_END();
}
