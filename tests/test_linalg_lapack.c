/* linalg.* through LAPACK against PyTorch 1.13 (tests/data/linalg_lapack.txt from
 * tools/gen_linalg_lapack.py): outputs, gradients and messages.
 *
 * Tolerance: LAPACK's bits depend on the library build (blocking, kernels), so values are compared
 * within 1e-9 (float64) / 2e-4 (float32) relative; with the LAPACK PyTorch itself calls (Debian's
 * liblapack.so.3 is OpenBLAS's) most are the same bits (the count is printed). The build without
 * LAPACK (plain C loops) is compared within the same tolerance, and ops that need LAPACK must fail
 * with "requires LAPACK" there. */
#include "golden.h"
#include "harness.h"

static int exact_cases, total_cases;

/* The integers of the args token ("-" for none). */
static int parse_args(const char *tok, int *args, int cap) {
    int n = 0;
    if (!strcmp(tok, "-")) return 0;
    for (const char *s = tok; *s && n < cap; s++) {
        args[n++] = atoi(s);
        s += strspn(s, "-0123456789");
        if (!*s) break;
    }
    return n;
}

/* Runs op on the inputs into outs; returns the number of outputs (0 on error). */
static int run_op(const char *op, const int *args, cg_tensor **in, cg_tensor **outs) {
    if (!strcmp(op, "det")) return (outs[0] = cg_linalg_det(in[0])) != NULL;
    if (!strcmp(op, "slogdet")) return (outs[0] = cg_linalg_slogdet(in[0], &outs[1])) ? 2 : 0;
    if (!strcmp(op, "logdet")) return (outs[0] = cg_logdet(in[0])) != NULL;
    if (!strcmp(op, "inv")) return (outs[0] = cg_linalg_inv(in[0])) != NULL;
    if (!strcmp(op, "inv_ex")) return (outs[0] = cg_linalg_inv_ex(in[0], args[0], &outs[1])) ? 2 : 0;
    if (!strcmp(op, "solve")) return (outs[0] = cg_linalg_solve(in[0], in[1], args[0])) != NULL;
    if (!strcmp(op, "solve_ex"))
        return (outs[0] = cg_linalg_solve_ex(in[0], in[1], args[0], args[1], &outs[1])) ? 2 : 0;
    fprintf(stderr, "unknown op %s\n", op);
    return 0;
}

static double tolerance(cg_tensor *t) { return cg_get_dtype(t) == CG_FLOAT32 ? 2e-4 : 1e-9; }

static int check_line(char *line) {
    char *cur = line;
    char *op = golden_token(&cur), *argtok = golden_token(&cur), *ntok = golden_token(&cur);
    if (!op || !argtok || !ntok) return -1;
    int args[8] = {0};
    parse_args(argtok, args, 8);
    int nin = atoi(ntok);
    cg_tensor *in[4] = {0};
    for (int i = 0; i < nin; i++) {
        in[i] = golden_tensor(&cur);
        if (!in[i]) return -1;
        if (cg_dtype_is_floating(cg_get_dtype(in[i]))) cg_requires_grad_(in[i], true);
    }
    char *verdict = golden_token(&cur);
    if (!verdict) return -1;
    cg_tensor *outs[4] = {0};
    cg_clear_error();
    int nout = run_op(op, args, in, outs);
    if (!strcmp(verdict, "ERR")) {
        const char *expected = cur + strspn(cur, " ");
        if (nout != 0 || strcmp(cg_last_error(), expected) != 0) {
            fprintf(stderr, "  expected error \"%s\", got %s \"%s\"\n", expected, nout ? "a result" : "error",
                    cg_last_error());
            return -1;
        }
        return 0;
    }
    if (nout == 0) {
        fprintf(stderr, "  failed: %s\n", cg_last_error());
        return -1;
    }
    int n_expected = atoi(golden_token(&cur));
    if (n_expected != nout) return -1;
    bool exact = true;
    cg_tensor *diff[4];
    int ndiff = 0;
    for (int i = 0; i < nout; i++) {
        cg_tensor *e = golden_tensor(&cur);
        if (!golden_close_values(outs[i], e, tolerance(e), &exact)) {
            fprintf(stderr, "  output %d differs\n", i);
            return -1;
        }
        if (cg_dtype_is_floating(cg_get_dtype(outs[i])) && cg_requires_grad(outs[i])) diff[ndiff++] = outs[i];
    }
    int ngo = atoi(golden_token(&cur));
    if (ngo != ndiff) {
        fprintf(stderr, "  %d differentiable outputs, PyTorch's %d\n", ndiff, ngo);
        return -1;
    }
    cg_tensor *gos[4], *leaves[4], *grads[4] = {0};
    for (int i = 0; i < ngo; i++) gos[i] = golden_tensor(&cur);
    int nleaves = 0;
    for (int i = 0; i < nin; i++)
        if (cg_requires_grad(in[i])) leaves[nleaves++] = in[i];
    if (ngo && nleaves &&
        cg_autograd_grad(.outputs = {diff, ngo}, .inputs = {leaves, nleaves}, .results = grads,
                         .grad_outputs = {gos, ngo}, .allow_unused = true) < 0) {
        fprintf(stderr, "  backward failed: %s\n", cg_last_error());
        return -1;
    }
    for (int i = 0; i < nleaves; i++) {
        bool missing = false;
        cg_tensor *e = golden_optional_tensor(&cur, &missing);
        if (missing) return -1;
        if (!e && grads[i] && cg_numel(grads[i]) == 0) continue; /* PyTorch's None for an empty input */
        if (!e != !grads[i] || (e && !golden_close_values(grads[i], e, tolerance(e), &exact))) {
            fprintf(stderr, "  gradient %d differs\n", i);
            return -1;
        }
    }
    total_cases++;
    exact_cases += exact;
    return 0;
}

static void test_golden(void) {
    int bad;
    int cases = golden_check_lines("tests/data/linalg_lapack.txt", check_line, 20, &bad);
    CHECK(cases == 76);
    CHECK_MSG(bad == 0, "%d of %d cases differ", bad, cases);
    printf("%d of %d computed cases bit for bit\n", exact_cases, total_cases);
}

/* Node names, the info outputs, and bad arguments that need no PyTorch to check. */
static void test_nodes_and_arguments(void) {
    cg_tensor *A = cg_requires_grad_(cg_randn_shape(CG_FLOAT64, CG_SHAPE(3, 3)), true);
    CHECK_STR(cg_node_name(cg_grad_fn(cg_linalg_det(A))), "LinalgDetBackward0");
    CHECK_STR(cg_node_name(cg_grad_fn(cg_linalg_inv(A))), "LinalgInvExBackward0");
    CHECK_STR(cg_node_name(cg_grad_fn(cg_linalg_solve(A, cg_ones_shape(CG_FLOAT64, CG_SHAPE(3)), true))),
              "LinalgSolveExBackward0");
    CHECK_STR(cg_node_name(cg_grad_fn(cg_logdet(A))), "WhereBackward0");
    cg_tensor *logabs = NULL;
    cg_tensor *sign = cg_linalg_slogdet(A, &logabs);
    CHECK(sign && logabs && cg_grad_fn(sign) == cg_grad_fn(logabs));
    CHECK_STR(cg_node_name(cg_grad_fn(logabs)), "LinalgSlogdetBackward0");
    cg_tensor *info = NULL;
    cg_tensor *inv = cg_linalg_inv_ex(A, false, &info);
    CHECK(inv && info && cg_get_dtype(info) == CG_INT64 && cg_ndim(info) == 0);
    CHECK(cg_linalg_inv_ex(A, false, NULL) != NULL);
    CHECK(cg_linalg_det(NULL) == NULL && cg_linalg_solve(A, NULL, true) == NULL);
    /* the factorizations' layout is PyTorch's: column-major matrices */
    CHECK(cg_stride(inv, 0) == 1 && cg_stride(inv, 1) == 3);
}

/* The meta device: shapes only. */
static void test_meta(void) {
    cg_tensor *A = cg_to_device(cg_ones_shape(CG_FLOAT32, CG_SHAPE(2, 3, 3)), CG_META);
    cg_tensor *d = cg_linalg_det(A);
    CHECK(d && cg_ndim(d) == 1 && cg_size(d, 0) == 2 && cg_get_device(d) == CG_META);
    cg_tensor *x = cg_linalg_solve(A, cg_to_device(cg_ones_shape(CG_FLOAT32, CG_SHAPE(3)), CG_META), true);
    CHECK(x && cg_ndim(x) == 2 && cg_size(x, 1) == 3);
}

int main(void) {
    RUN(test_golden);
    RUN(test_nodes_and_arguments);
    RUN(test_meta);
    HARNESS_END();
}
