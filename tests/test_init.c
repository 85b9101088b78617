/* nn.init.trunc_normal_, orthogonal_ and dirac_ against PyTorch 1.13 (tests/data/init.txt from
 * tools/gen_init.py): after manual_seed, the same bits, the generator moved on as PyTorch's (the
 * torch.rand(3) after each), PyTorch's warnings and ValueErrors. orthogonal_ has PyTorch's bits
 * through OpenBLAS's LAPACK on the kernels the golden file was made with (its first line; valgrind's
 * CPU gets others); elsewhere, and with the portable build's own Householder QR (NO_BLAS), it agrees
 * to rounding, so there it is checked within a tolerance. */
#include "golden.h"
#include "harness.h"

#include "blas_core.h"

static bool exact_qr(void) { return golden_same_blas("tests/data/init.txt"); }

static char warning[300];

static void keep_warning(const char *message, void *user) {
    (void)user;
    snprintf(warning, sizeof warning, "%s", message);
}

/* The case of that name, built as tools/gen_init.py builds it; NULL for an unknown name. */
static int run_case(const char *name, cg_tensor **out) {
    static const struct { const char *name; int64_t sizes[5]; int ndim; bool f64; int kind; double p[4]; } cases[] = {
        {"trunc_normal", {3, 4}, 2, false, 0, {0, 1, -2, 2}},
        {"trunc_normal_wide", {1000}, 1, false, 0, {0.5, 2.0, -1.0, 3.0}},
        {"trunc_normal_tail", {500}, 1, false, 0, {0.0, 0.1, 0.25, 0.3}},
        {"trunc_normal_f64", {300}, 1, true, 0, {-1.0, 0.5, -2.0, 0.0}},
        {"trunc_normal_far", {6}, 1, false, 0, {5.0, 1.0, -1.0, 1.0}},
        {"orthogonal", {3, 5}, 2, false, 1, {1}},
        {"orthogonal_tall", {5, 3}, 2, false, 1, {1}},
        {"orthogonal_square", {6, 6}, 2, false, 1, {2.0}},
        {"orthogonal_conv", {4, 2, 3, 3}, 4, false, 1, {1}},
        {"orthogonal_f64", {7, 5}, 2, true, 1, {0.5}},
        {"orthogonal_64x32", {64, 32}, 2, false, 1, {1}},
        {"orthogonal_20x200", {20, 200}, 2, false, 1, {1}},
        {"orthogonal_150x140", {150, 140}, 2, false, 1, {1}},
        {"orthogonal_f64_140x150", {140, 150}, 2, true, 1, {1}},
        {"orthogonal_row", {1, 4}, 2, false, 1, {1}},
        {"dirac_1d", {4, 2, 3}, 3, false, 2, {1}},
        {"dirac_2d_groups", {6, 4, 3, 3}, 4, false, 2, {2}},
        {"dirac_3d_f64", {2, 3, 3, 2, 3}, 5, true, 2, {1}},
        {"orthogonal_1d", {4}, 1, false, 1, {1}},
        {"dirac_2d", {3, 3}, 2, false, 2, {1}},
        {"dirac_groups", {6, 4, 3}, 3, false, 2, {4}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        if (strcmp(name, cases[i].name)) continue;
        cg_tensor *t = cg_empty_shape(cases[i].f64 ? CG_FLOAT64 : CG_FLOAT32, cases[i].ndim, cases[i].sizes);
        const double *p = cases[i].p;
        *out = t;
        if (cases[i].kind == 0) return cg_nn_init_trunc_normal_(t, p[0], p[1], p[2], p[3]);
        if (cases[i].kind == 1) return cg_nn_init_orthogonal_(t, p[0]);
        return cg_nn_init_dirac_(t, (int64_t)p[0]);
    }
    *out = NULL;
    return -2;
}


static double max_abs_diff(cg_tensor *a, cg_tensor *b) {
    return cg_item(cg_max(cg_abs(cg_sub(cg_to(a, CG_FLOAT64), cg_to(b, CG_FLOAT64)))));
}

static void test_init_gives_pytorchs_bits(void) {
    golden_file g;
    if (golden_open(&g, "tests/data/init.txt") < 0) {
        CHECK(!"golden file");
        return;
    }
    cg_set_warning_handler(keep_warning, NULL);
    int inits = 0, warns = 0, errors = 0;
    bool qr_bits = exact_qr();
    char last_warning[300] = "", last_case[64] = "";
    for (char *line; (line = golden_next_line(&g));) {
        char *cur = line;
        const char *what = golden_token(&cur);
        const char *name = golden_token(&cur);
        if (!strcmp(what, "init")) {
            snprintf(last_case, sizeof last_case, "%s", name);
            cg_manual_seed((uint64_t)atoll(golden_token(&cur)));
            warning[0] = '\0';
            cg_tensor *t;
            int rc = run_case(name, &t);
            snprintf(last_warning, sizeof last_warning, "%s", warning);
            cg_tensor *want = golden_tensor(&cur), *after = cg_rand(3);
            golden_token(&cur); /* | */
            CHECK_MSG(rc == 0, "%s: %s", name, cg_last_error());
            bool exact = qr_bits || strncmp(name, "orthogonal", 10) != 0; /* see the comment at the top */
            if (exact) {
                CHECK_MSG(harness_same_bits(t, want), "%s: bits differ from PyTorch's", name);
            } else {
                double tol = cg_get_dtype(want) == CG_FLOAT32 ? 2e-5 : 1e-12, d = max_abs_diff(t, want);
                CHECK_MSG(d <= tol, "%s: %g from PyTorch's", name, d);
            }
            CHECK_MSG(harness_same_bits(after, golden_tensor(&cur)), "%s: the generator moved on differently", name);
            inits++;
        } else if (!strcmp(what, "warn")) {
            golden_token(&cur); /* | */
            CHECK_MSG(!strcmp(name, last_case), "%s", name);
            CHECK_STR(last_warning, cur + strspn(cur, " "));
            warns++;
        } else if (!strcmp(what, "error")) {
            golden_token(&cur);
            cg_tensor *t;
            cg_clear_error();
            CHECK_MSG(run_case(name, &t) == -1, "%s", name);
            CHECK_STR(harness_error(), cur + strspn(cur, " "));
            errors++;
        }
    }
    golden_close(&g);
    cg_set_warning_handler(NULL, NULL);
    CHECK(inits == 18 && warns == 2 && errors == 3);
}

/* What PyTorch's tests check of orthogonal_: rows (or columns) orthonormal, times the gain. */
static void test_orthogonal_is_orthogonal(void) {
    int64_t shapes[][2] = {{3, 7}, {7, 3}, {10, 10}, {33, 65}};
    for (size_t i = 0; i < sizeof shapes / sizeof *shapes; i++) {
        cg_tensor *w = cg_requires_grad_(cg_empty(shapes[i][0], shapes[i][1]), true);
        CHECK(cg_nn_init_orthogonal_(w, 3.0) == 0);
        CHECK(cg_grad_fn(w) == NULL && cg_requires_grad(w));
        bool wide = shapes[i][0] < shapes[i][1];
        cg_tensor *gram = wide ? cg_matmul(w, cg_t(w)) : cg_matmul(cg_t(w), w);
        int64_t n = wide ? shapes[i][0] : shapes[i][1];
        cg_tensor *nine = cg_mul_scalar(cg_eye(n, n, CG_FLOAT32), 9.0);
        CHECK_MSG(max_abs_diff(gram, nine) < 1e-4, "%lld x %lld", (long long)shapes[i][0], (long long)shapes[i][1]);
    }
    CHECK(cg_nn_init_orthogonal_(cg_empty(0, 3), 1.0) == 0); /* nothing to fill, nothing drawn */
    CHECK(cg_nn_init_orthogonal_(cg_zeros_shape(CG_INT64, CG_SHAPE(2, 2)), 1.0) < 0);
    CHECK(cg_nn_init_trunc_normal_(cg_zeros_shape(CG_INT64, CG_SHAPE(2, 2)), 0, 1, -2, 2) < 0);
    CHECK(cg_nn_init_orthogonal_(NULL, 1.0) < 0 && cg_nn_init_trunc_normal_(NULL, 0, 1, -2, 2) < 0 &&
          cg_nn_init_dirac_(NULL, 1) < 0);
    CHECK_ERROR(cg_nn_init_dirac_(cg_empty(2, 2, 3), 0) == 0, "groups must be positive");
}

int main(void) {
    RUN(test_init_gives_pytorchs_bits);
    RUN(test_orthogonal_is_orthogonal);
    HARNESS_END();
}
