/* Backward formulas at their edges, against PyTorch: each scenario is the C twin of the function of
 * the same name in tools/gen_backward_edges.py, whose output under PyTorch 1.13 is
 * tests/data/backward_edges.txt. */
#include "scenarios.h"

static inline cg_tensor *f64(int n, const double *v) { return cg_from_data(v, CG_FLOAT64, 1, (const int64_t[]){n}); }
#define F64(...) f64(CG_NARGS(__VA_ARGS__), (const double[]){__VA_ARGS__})

static void error_if(int failed) {
    if (failed) fprintf(out, "RuntimeError: %s\n", cg_last_error());
}

static cg_tensor *count_nonzero(cg_tensor *t) { return cg_norm(t, 0); }

/* ---- 1: a node no gradient reached passes none on ---- */

static cg_tensor *square_leaf(void) { return leaf(cg_tensor_f64(((double[]){1, 2, 3, 0}), 2, 2)); }

static cg_tensor *piece(int (*cut)(cg_tensor *, int, int, cg_tensor **, int), cg_tensor *t, int arg, int dim,
                        int which) {
    cg_tensor *pieces[4];
    return cut(t, arg, dim, pieces, 4) > which ? pieces[which] : NULL;
}
static int unbind_cut(cg_tensor *t, int unused, int dim, cg_tensor **out, int capacity) {
    (void)unused;
    return cg_unbind(t, dim, out, capacity);
}
static int split_cut(cg_tensor *t, int size, int dim, cg_tensor **out, int capacity) {
    return cg_split(t, size, dim, out, capacity);
}
static int chunk_cut(cg_tensor *t, int chunks, int dim, cg_tensor **out, int capacity) {
    return cg_chunk(t, chunks, dim, out, capacity);
}

static void absent_through_views(void) {
    cg_tensor *x = square_leaf();
    cg_tensor *views[] = {
        cg_permute(x, 1, 0), cg_select(x, 0, 1), cg_slice(x, 1, 1, INT64_MAX, 1), cg_expand(x, 3, 2, 2),
        cg_t(x), cg_transpose(x, 0, 1), cg_reshape(x, 4), cg_view(x, 4), cg_unsqueeze(x, 0), cg_squeeze(x),
        cg_at(x, 1), piece(unbind_cut, x, 0, 0, 1), piece(split_cut, x, 1, 0, 0), piece(chunk_cut, x, 2, 1, 1),
    };
    for (size_t i = 0; i < sizeof views / sizeof views[0]; i++) {
        cg_set_grad(x, NULL);
        error_if(cg_backward(count_nonzero(views[i])));
        SHOW(cg_grad(x));
    }
}

static void absent_through_ops(void) {
    cg_tensor *x = square_leaf();
    cg_tensor *ops[] = {
        cg_mul_scalar(x, 2), cg_clone(x), cg_tanh(x), cg_add(cg_exp(x), x), cg_stack(CG_LIST(x, x), 0),
        cg_cat(CG_LIST(x, x), 0), cg_to(x, CG_FLOAT32), cg_sum(x, CG_DIMS(0)), cg_max_dim(x, 1, false, NULL),
        cg_mm(x, x),
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        cg_set_grad(x, NULL);
        error_if(cg_backward(count_nonzero(ops[i])));
        SHOW(cg_grad(x));
    }
}

static void absent_pieces(void) {
    cg_tensor *x = square_leaf();
    cg_tensor *rows[2], *cols[2];
    cg_unbind(x, 0, rows, 2);
    error_if(cg_backward(cg_add(count_nonzero(rows[0]), cg_sum(rows[1]))));
    show(cg_grad(x));
    cg_set_grad(x, NULL);
    cg_split(x, 1, 1, cols, 2);
    error_if(cg_backward(cg_add(cg_mul_scalar(cg_sum(cols[0]), 3), count_nonzero(cols[1]))));
    show(cg_grad(x));
    cg_set_grad(x, NULL);
    cg_tensor *y = cg_mul_scalar(x, 1);
    cg_mul_scalar_(cg_select(y, 0, 0), 2);
    error_if(cg_backward(count_nonzero(y)));
    SHOW(cg_grad(x));
    cg_tensor *g = x;
    error_if(cg_autograd_grad(CG_TENSORS(count_nonzero(cg_permute(x, 1, 0))), CG_TENSORS(x), &g, .allow_unused = true));
    SHOW(g);
}

/* ---- 2: integer and bool tensors never require grad ---- */

static void show_history(cg_tensor *t) {
    char text[512];
    cg_format(t, text, sizeof text);
    fprintf(out, "%s %s %s\n", text, cg_requires_grad(t) ? "True" : "False", cg_node_name(cg_grad_fn(t)));
}

static void integer_outputs(void) {
    cg_tensor *b = leaf(F64(1.5, 2.0, 3.0));
    cg_tensor *a = cg_tensor_i64(((int64_t[]){1, 0, 1}), 3);
    error_if(cg_copy_(a, b));
    show_history(a);
    error_if(cg_backward(cg_sum(a)));
    SHOW(cg_grad(b));
    cg_tensor *y = cg_mul_scalar(b, 1);
    show_history(cg_gt_scalar(y, 1));
    show_history(cg_eq_scalar(y, 2));
    show_history(cg_argmax(y));
    show_history(cg_to(y, CG_INT64));
    show_history(cg_where(cg_gt_scalar(y, 1), cg_tensor_i64(((int64_t[]){1, 2, 3}), 3),
                          cg_tensor_i64(((int64_t[]){0, 0, 0}), 3)));
    cg_tensor *indices = NULL;
    cg_max_dim(cg_view(y, 3, 1), 1, false, &indices);
    show_history(indices);
    show_history(cg_sign(y));
    show_history(cg_to(cg_gt_scalar(y, 1), CG_FLOAT64));
    cg_tensor *c = cg_tensor_bool(((bool[]){true, false, true}), 3);
    error_if(cg_copy_(c, b));
    show_history(c);
    a = cg_tensor_i64(((int64_t[]){1, 0, 1}), 3);
    error_if(cg_copy_(cg_slice(a, 0, 1, INT64_MAX, 1), cg_slice(b, 0, 0, 2, 1)));
    show_history(a);
    cg_tensor *z = cg_zeros_shape(CG_INT64, CG_SHAPE(3));
    error_if(cg_copy_(cg_select(z, 0, 0), cg_select(b, 0, 0)));
    show_history(z);
    show_history(cg_to(cg_to(y, CG_INT64), CG_FLOAT64));
}

/* ---- 3: an expanded view of a base written in place ---- */

static void expanded_view_of_rewritten_base(void) {
    cg_tensor *x = leaf(cg_tensor_f64(((double[]){1, 2, 3}), 1, 3));
    cg_tensor *v = cg_mul_scalar(x, 2.0);
    cg_tensor *e = cg_expand(v, 2, 3);
    cg_add_scalar_(v, 1.0);
    fprintf(out, "%s\n", cg_node_name(cg_grad_fn(e)));
    error_if(cg_backward(cg_sum(e)));
    show(cg_grad(x));
    cg_set_grad(x, NULL);
    v = cg_mul_scalar(x, 2.0);
    e = cg_slice(cg_transpose(cg_expand(v, 2, 2, 3), 0, 2), 0, 1, INT64_MAX, 1);
    cg_mul_scalar_(v, 3.0);
    cg_tensor *weights = cg_view(cg_arange(0, 8, 1, CG_FLOAT64), 2, 2, 2);
    error_if(cg_backward(cg_sum(cg_mul(e, weights))));
    show(cg_grad(x));
    v = cg_mul_scalar(x, 2.0);
    e = cg_expand(cg_t(v), 3, 4);
    cg_mul_(v, x);
    cg_tensor *g = NULL, *gg = NULL;
    error_if(cg_autograd_grad(CG_TENSORS(cg_sum(e)), CG_TENSORS(x), &g, .create_graph = true));
    show(cg_detach(g));
    error_if(cg_autograd_grad(CG_TENSORS(cg_sum(g)), CG_TENSORS(x), &gg, .retain_graph = false));
    show(gg);
}

static const scenario scenarios[] = {
    {"absent_through_views", absent_through_views},
    {"absent_through_ops", absent_through_ops},
    {"absent_pieces", absent_pieces},
    {"integer_outputs", integer_outputs},
    {"expanded_view_of_rewritten_base", expanded_view_of_rewritten_base},
};

static void test_scenarios(void) {
    run_scenarios(scenarios, sizeof scenarios / sizeof scenarios[0], "tests/data/backward_edges.txt");
}

int main(void) {
    RUN(test_scenarios);
    HARNESS_END();
}
