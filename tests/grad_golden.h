/* Golden gradient tests shared by tests/test_<family>_grad.c: each line of the data file holds
 *   <case> <transposed 0/1> <node name> <input> <grad_output> <output> <input grad or "none">
 * written by tools/gen_<family>_grad.py. The test names a function per case; the runner makes the
 * float32 leaf (the transpose of a contiguous tensor when the case says so), applies the function,
 * checks the output and its grad_fn's name, runs backward with grad_output and checks the leaf's
 * gradient. */
#ifndef CG_TEST_GRAD_GOLDEN_H
#define CG_TEST_GRAD_GOLDEN_H

#include "golden.h"
#include "harness.h"

typedef struct {
    const char *name;
    cg_tensor *(*fn)(cg_tensor *x);
} grad_golden_case;

/* Same shape and every element close (NaNs match NaNs). */
static inline bool tensors_close(const cg_tensor *got, const cg_tensor *expected, double tol) {
    if (!got || !expected || cg_ndim(got) != cg_ndim(expected)) return false;
    for (int d = 0; d < cg_ndim(got); d++)
        if (cg_size(got, d) != cg_size(expected, d)) return false;
    cg_tensor *e = cg_contiguous(cg_to((cg_tensor *)expected, CG_FLOAT64));
    return e && harness_values_close(got, cg_data_ptr(e), tol);
}

/* The leaf of a case: values as given, or the same values in a transposed (non-contiguous) layout. */
static inline cg_tensor *golden_leaf(cg_tensor *values, bool transposed) {
    cg_tensor *leaf = transposed ? cg_detach(cg_t(cg_contiguous(cg_t(values)))) : cg_clone(values);
    return cg_requires_grad_(leaf, true);
}

static inline const grad_golden_case *find_golden_case(const grad_golden_case *cases, size_t n, const char *name) {
    for (size_t i = 0; i < n; i++)
        if (!strcmp(cases[i].name, name)) return &cases[i];
    return NULL;
}

static inline void run_golden_line(const grad_golden_case *cases, size_t ncases, char *line, double tol) {
    char *cursor = line;
    char *name = golden_token(&cursor), *transposed = golden_token(&cursor), *node = golden_token(&cursor);
    const grad_golden_case *c = name ? find_golden_case(cases, ncases, name) : NULL;
    CHECK_MSG(c != NULL && node != NULL, "no C function for golden case %s", name ? name : "(empty line)");
    if (!c || !node) return;
    cg_tensor *values = golden_tensor(&cursor), *grad_output = golden_tensor(&cursor);
    cg_tensor *expected_out = golden_tensor(&cursor);
    char *rest = cursor + strspn(cursor, " \t");
    cg_tensor *expected_grad = strcmp(rest, "none") ? golden_tensor(&cursor) : NULL;
    cg_tensor *leaf = golden_leaf(values, atoi(transposed));
    CHECK_MSG(transposed[0] == '0' || !cg_is_contiguous(leaf), "%s: the leaf should be non-contiguous", name);
    cg_clear_error();
    cg_tensor *out = c->fn(leaf);
    CHECK_MSG(tensors_close(out, expected_out, tol), "%s: output differs (%s)", name, cg_last_error());
    CHECK_MSG(out && cg_grad_fn(out) && !strcmp(cg_node_name(cg_grad_fn(out)), node), "%s: grad_fn %s, expected %s",
              name, out && cg_grad_fn(out) ? cg_node_name(cg_grad_fn(out)) : "None", node);
    CHECK_MSG(cg_backward(out, .gradient = grad_output) == 0, "%s: backward failed: %s", name, cg_last_error());
    if (expected_grad)
        CHECK_MSG(tensors_close(cg_grad(leaf), expected_grad, tol), "%s: gradient differs", name);
    else
        CHECK_MSG(cg_grad(leaf) == NULL, "%s: expected no gradient", name);
}

/* Runs every line of path; each case must be in cases, and each of cases must appear. */
static inline void run_golden_file(const char *path, const grad_golden_case *cases, size_t ncases, double tol) {
    golden_file g;
    CHECK(golden_open(&g, path) == 0);
    if (!g.f) return;
    int lines = 0;
    for (char *line; (line = golden_next_line(&g));) CG_SCOPE {
        run_golden_line(cases, ncases, line, tol);
        lines++;
    }
    golden_close(&g);
    CHECK_MSG((size_t)lines == ncases, "%d golden lines for %zu cases", lines, ncases);
}

#endif
