/* Autograd of the matrix products against PyTorch 1.13 (tests/data/linalg_grad.txt, written by
 * tools/gen_linalg_grad.py): the whole graph each product records (matmul's dispatch paths compose
 * views, clones and products exactly as PyTorch does) and float32 gradients. */
#include "golden.h"
#include "grad_golden.h"
#include "harness.h"

/* PyTorch's graph text: Name(next,...), Acc for AccumulateGrad, None for none. */
static void graph_text(const cg_node *n, char *buf, size_t size) {
    size_t len = strlen(buf);
    if (!n) {
        snprintf(buf + len, size - len, "None");
        return;
    }
    const char *name = cg_node_name(n);
    if (!strcmp(name, "AccumulateGrad")) {
        snprintf(buf + len, size - len, "Acc");
        return;
    }
    snprintf(buf + len, size - len, "%s(", name);
    for (int i = 0; i < cg_node_num_next(n); i++) {
        if (i) strncat(buf, ",", size - strlen(buf) - 1);
        graph_text(cg_node_next(n, i, NULL), buf, size);
    }
    strncat(buf, ")", size - strlen(buf) - 1);
}

static cg_tensor *leaf(cg_tensor *values, char layout, bool requires_grad) {
    cg_tensor *t;
    if (layout == 't')
        t = cg_transpose(cg_contiguous(cg_transpose(values, -2, -1)), -2, -1);
    else if (layout == 's')
        t = cg_select(cg_stack(CG_LIST(values, values), 1), 1, 0);
    else
        t = cg_clone(values);
    return cg_requires_grad_(cg_detach(t), requires_grad);
}

static cg_tensor *apply(const char *name, cg_tensor *a, cg_tensor *b) {
    if (!strncmp(name, "matmul", 6)) return cg_matmul(a, b);
    if (!strncmp(name, "dot", 3)) return cg_dot(a, b);
    if (!strncmp(name, "mv", 2)) return cg_mv(a, b);
    if (!strncmp(name, "mm", 2)) return cg_mm(a, b);
    return cg_bmm(a, b);
}

static void check_grad(const char *name, const cg_tensor *t, char **cursor) {
    char *rest = *cursor + strspn(*cursor, " \t");
    if (!strncmp(rest, "none", 4)) {
        golden_token(cursor);
        CHECK_MSG(cg_grad(t) == NULL, "%s: expected no gradient", name);
    } else {
        CHECK_MSG(tensors_close(cg_grad(t), golden_tensor(cursor), 1e-5), "%s: gradient differs", name);
    }
}

static void run_line(char *line) {
    char *cursor = line;
    char *name = golden_token(&cursor), *la = golden_token(&cursor), *lb = golden_token(&cursor);
    char *ra = golden_token(&cursor), *rb = golden_token(&cursor), *graph = golden_token(&cursor);
    if (!graph) {
        CHECK_MSG(false, "malformed golden line");
        return;
    }
    cg_tensor *va = golden_tensor(&cursor), *vb = golden_tensor(&cursor), *grad_output = golden_tensor(&cursor);
    cg_tensor *expected = golden_tensor(&cursor);
    cg_tensor *a = leaf(va, la[0], ra[0] == '1'), *b = leaf(vb, lb[0], rb[0] == '1');
    CHECK_MSG(la[0] == 'c' || !cg_is_contiguous(a), "%s: a should be non-contiguous", name);
    cg_tensor *out = apply(name, a, b);
    CHECK_MSG(tensors_close(out, expected, 1e-5), "%s: output differs (%s)", name, cg_last_error());
    char text[1024] = "";
    graph_text(out ? cg_grad_fn(out) : NULL, text, sizeof text);
    CHECK_MSG(!strcmp(text, graph), "%s:\n  got:      %s\n  expected: %s", name, text, graph);
    CHECK_MSG(cg_backward(out, .gradient = grad_output) == 0, "%s: backward failed: %s", name, cg_last_error());
    check_grad(name, a, &cursor);
    check_grad(name, b, &cursor);
}

static void test_golden_graphs_and_gradients(void) {
    golden_file g;
    CHECK(golden_open(&g, "tests/data/linalg_grad.txt") == 0);
    if (!g.f) return;
    int lines = 0;
    for (char *line; (line = golden_next_line(&g));) CG_SCOPE {
        run_line(line);
        lines++;
    }
    golden_close(&g);
    CHECK(lines == 28);
}

/* 1-D @ 2-D squeezes the product in place, as PyTorch's squeeze_(0): version 1, not a view. */
static void test_vector_matrix_is_squeezed_in_place(void) {
    cg_tensor *a = cg_requires_grad_(cg_ones(3), true), *b = cg_ones(3, 2);
    cg_tensor *out = cg_matmul(a, b);
    CHECK(cg_version(out) == 1);
    CHECK(cg_ndim(out) == 1 && cg_size(out, 0) == 2);
}

/* With autograd the errors are those of the checks, as without (PyTorch's messages). */
static void test_errors_with_autograd(void) {
    cg_tensor *a = cg_requires_grad_(cg_ones(2, 2, 3), true);
    CHECK_ERROR(cg_matmul(a, cg_ones(4, 5)), "mat1 and mat2 shapes cannot be multiplied (4x3 and 4x5)");
    CHECK_ERROR(cg_matmul(a, cg_ones(3, 3, 4)),
                "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0");
    CHECK_ERROR(cg_matmul(cg_requires_grad_(cg_ones(3), true), cg_ones(4, 2)),
                "mat1 and mat2 shapes cannot be multiplied (1x3 and 4x2)");
    CHECK_ERROR(cg_matmul(a, cg_ones_shape(CG_FLOAT64, CG_SHAPE(3, 4))), "expected scalar type Float but found Double");
}

/* Under no_grad the products record nothing. */
static void test_no_grad(void) {
    cg_tensor *a = cg_requires_grad_(cg_ones(2, 2, 3), true);
    CG_NO_GRAD {
        CHECK(cg_grad_fn(cg_matmul(a, cg_ones(3))) == NULL);
        CHECK(cg_grad_fn(cg_bmm(a, cg_ones(2, 3, 1))) == NULL);
    }
}

/* The Hessian of x . (A x) is A + A^T (double backward through mv and dot). */
static void test_second_derivative(void) {
    cg_tensor *m = cg_tensor_f64(((double[]){1, 2, 3, 4}), 2, 2);
    cg_tensor *x = cg_requires_grad_(cg_tensor_f64(((double[]){0.5, -1}), 2), true);
    cg_tensor *g = NULL, *h = NULL;
    CHECK(cg_autograd_grad(.outputs = CG_TENSORS(cg_dot(x, cg_matmul(m, x))), .inputs = CG_TENSORS(x), .results = &g,
                           .create_graph = true) == 0);
    CHECK(cg_autograd_grad(.outputs = CG_TENSORS(cg_select(g, 0, 1)), .inputs = CG_TENSORS(x), .results = &h) == 0);
    CHECK(harness_values_close(h, (double[]){5, 8}, 1e-12));
}

int main(void) {
    RUN(test_golden_graphs_and_gradients);
    RUN(test_vector_matrix_is_squeezed_in_place);
    RUN(test_errors_with_autograd);
    RUN(test_no_grad);
    RUN(test_second_derivative);
    HARNESS_END();
}
