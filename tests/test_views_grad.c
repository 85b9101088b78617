/* Autograd through views, shape, join and index ops against PyTorch: each scenario below is the C
 * twin of the function of the same name in tools/gen_views_grad.py, whose output under PyTorch
 * 1.13 is tests/data/views_grad.txt. A scenario prints into a memory stream what the Python
 * prints; the test compares the two. */
#include "scenarios.h"

#include <stdlib.h>

/* The grad_fn names of tensors, on one line. */
static void names_n(int n, cg_tensor **ts) {
    for (int i = 0; i < n; i++) fprintf(out, "%s%s", ts[i] ? cg_node_name(cg_grad_fn(ts[i])) : "(error)", i + 1 < n ? " " : "\n");
}
#define NAMES(...) names_n(CG_NARGS(__VA_ARGS__), (cg_tensor *[]){__VA_ARGS__})

static const char *node_name(const cg_node *n) { return n ? cg_node_name(n) : "None"; }

static void node_next(const cg_node *fn) {
    fprintf(out, "%s [", node_name(fn));
    for (int i = 0; i < cg_node_num_next(fn); i++) {
        int nr = 0;
        cg_node *next = cg_node_next(fn, i, &nr);
        fprintf(out, "%s('%s', %d)", i ? ", " : "", node_name(next), nr);
    }
    fprintf(out, "]\n");
}
static void show_next(const cg_tensor *t) { node_next(cg_grad_fn(t)); }

static void error_if(int failed) {
    if (failed) fprintf(out, "%s\n", harness_error());
}
#define ATTEMPT(status) error_if((status) != 0)
#define ATTEMPT_INDEX(t) error_if(!(t))


#define END INT64_MAX /* the end of a Python slice written without one */

static const float X34[] = {0.5f, -1.25f, 2.0f, 0.75f, -0.5f, 1.5f, -2.25f, 1.0f, 3.0f, -0.75f, 0.25f, -1.5f};
static const float Y43[] = {1.0f, -2.0f, 0.5f, 0.25f, 1.5f, -1.0f, 2.5f, -0.5f, 0.75f, -1.75f, 1.25f, 3.0f};

static cg_tensor *x34(void) { return leaf(cg_tensor_f32(X34, 3, 4)); }
static cg_tensor *y43(void) { return leaf(cg_tensor_f32(Y43, 4, 3)); }
static cg_tensor *x234(void) {
    return leaf(cg_view(cg_sub_scalar(cg_div_scalar(cg_arange(0, 24, 1, CG_FLOAT32), 4), 3), 2, 3, 4));
}

/* 1, 2, 3, ... in the given shape. */
static cg_tensor *weights_shape(int ndim, const int64_t *sizes) {
    int64_t n = 1;
    for (int d = 0; d < ndim; d++) n *= sizes[d];
    return cg_view_shape(cg_arange(1, (double)n + 1, 1, CG_FLOAT32), ndim, sizes);
}
#define WEIGHTS(...) weights_shape(CG_SHAPE(__VA_ARGS__))

static cg_tensor *i64(int n, const int64_t *v, int ndim, const int64_t *sizes) {
    (void)n;
    return cg_from_data(v, CG_INT64, ndim, sizes);
}
#define INDEX(values, ...) i64(0, (const int64_t[])values, CG_SHAPE(__VA_ARGS__))
#define V(...) {__VA_ARGS__}

/* (a * w).sum() */
static cg_tensor *weighted(cg_tensor *a, cg_tensor *w) { return cg_sum(cg_mul(a, w)); }

static cg_tensor *grad_of(cg_tensor *y, cg_tensor *x, bool create_graph) {
    cg_tensor *g = NULL;
    cg_autograd_grad(.outputs = CG_TENSORS(y), .inputs = CG_TENSORS(x), .results = &g, .create_graph = create_graph);
    return g;
}

static void node_names(void) {
    cg_tensor *x = x34(), *x3 = x234(), *p[8];
    cg_tensor *s = leaf(cg_scalar(1.5, CG_FLOAT32));
    cg_tensor *v = leaf(cg_tensor_f32(((float[]){1, 2, 3}), 3));
    NAMES(cg_view(x, 4, 3), cg_reshape(x, 2, 6), cg_reshape(cg_t(x), -1), cg_reshape(x, 3, 4));
    NAMES(cg_flatten(x, 0, -1), cg_flatten(cg_t(x), 0, -1), cg_flatten(s, 0, -1), cg_flatten(x3, 1, -1));
    fprintf(out, "%s %s\n", cg_flatten(v, 0, -1) == v ? "True" : "False", cg_flatten(x, 1, 1) == x ? "True" : "False");
    NAMES(cg_expand(x, 2, 3, 4), cg_expand(x, 3, 4), cg_expand(s, 3), cg_permute(x, 1, 0));
    NAMES(cg_squeeze(cg_slice(x3, 1, 0, 1, 1)), cg_squeeze_dim(x, 0), cg_squeeze_dim(cg_unsqueeze(x, 0), 0),
          cg_unsqueeze(x, -1), cg_unsqueeze(s, 0));
    NAMES(cg_transpose(x, 0, 1), cg_t(x), cg_t(v), cg_t(s), cg_transpose(s, 0, -1));
    NAMES(cg_at(x, 1), cg_at(x, 1, 2), cg_index_at(x, 0, NULL), cg_slice(x, 0, 1, END, 1), cg_narrow(x, 1, 1, 2),
          cg_slice(x, 1, 0, END, 2));
    int n = cg_unbind(x3, 1, p, 8);
    names_n(n, p);
    n = cg_split(x, 3, 1, p, 8);
    names_n(n, p);
    n = cg_chunk(x, 2, 0, p, 8);
    names_n(n, p);
    n = cg_chunk(leaf(cg_zeros(2, 0)), 2, 1, p, 8);
    names_n(n, p);
    NAMES(cg_cat(CG_LIST(x, x), 0), cg_stack(CG_LIST(x, x), 1));
    cg_tensor *idx = INDEX(V(0, 2, 1, 0), 1, 4);
    NAMES(cg_index_select(x, 1, INDEX(V(0, 3), 2)), cg_gather(x, 0, idx),
          cg_scatter_add(x, 0, idx, cg_slice(cg_t(y43()), 0, 0, 1, 1)), cg_masked_fill(x, cg_gt_scalar(x, 0), 0),
          cg_contiguous(cg_t(x)));
}

static void next_functions(void) {
    cg_tensor *x = x34(), *y = y43(), *u[3], *s[2];
    cg_tensor *r = cg_reshape(cg_t(x), -1);
    show_next(r);
    int nr;
    node_next(cg_node_next(cg_grad_fn(r), 0, &nr));
    show_next(cg_at(x, 1, 2));
    show_next(cg_cat(CG_LIST(cg_zeros(3, 4), x, cg_zeros(0)), 0));
    show_next(cg_stack(CG_LIST(x, cg_mul_scalar(x, 2)), 0));
    cg_unbind(x, 0, u, 3);
    show_next(cg_add(u[0], u[2]));
    show_next(u[1]);
    cg_split(y, 3, 0, s, 2);
    show_next(cg_mul(s[1], cg_slice(s[0], 0, 0, 1, 1)));
    cg_tensor *idx = INDEX(V(0, 2, 1, 0), 1, 4);
    show_next(cg_scatter_add(cg_zeros(3, 4), 0, idx, cg_t(y)));
    show_next(cg_scatter_add(x, 0, idx, cg_ones(1, 4)));
    show_next(cg_scatter_add(x, 0, idx, cg_t(y)));
    show_next(cg_gather(x, 1, INDEX(V(1, 0, 3), 3, 1)));
    show_next(cg_index_select(x, 0, INDEX(V(2), 1)));
    show_next(cg_masked_fill(x, cg_lt_scalar(x, 0), 1));
    show_next(cg_sum(cg_expand(x, 2, 3, 4), CG_DIMS(0)));
}

static void gradients(void) {
    cg_tensor *x = x34(), *y, *x3, *p[4];
    cg_backward(weighted(cg_slice(cg_reshape(cg_t(x), -1), 0, 2, 5, 1), cg_tensor_f32(((float[]){1, 2, 3}), 3)));
    show(cg_grad(x));
    x = x34(), x3 = x234();
    cg_backward(cg_sum(cg_mul(cg_expand(x, 2, 3, 4), x3)));
    SHOW(cg_grad(x), cg_grad(x3));
    x = x34();
    cg_unbind(x, 1, p, 4);
    cg_backward(cg_sum(cg_mul(p[0], p[2])));
    show(cg_grad(x));
    x = x34();
    cg_split(x, 3, 1, p, 4);
    cg_backward(cg_add(cg_sum(cg_pow_scalar(p[1], 2)), weighted(p[0], WEIGHTS(3, 3))));
    show(cg_grad(x));
    x = x34(), y = y43();
    cg_backward(weighted(cg_cat(CG_LIST(x, cg_t(y), cg_ones(3, 2)), 1), WEIGHTS(3, 10)));
    SHOW(cg_grad(x), cg_grad(y));
    x = x34(), y = y43();
    cg_backward(weighted(cg_stack(CG_LIST(x, cg_mul_scalar(cg_t(y), 2)), 2), WEIGHTS(3, 4, 2)));
    SHOW(cg_grad(x), cg_grad(y));
    x = x34();
    cg_backward(weighted(cg_index_select(x, 1, INDEX(V(3, 0, 3), 3)), WEIGHTS(3, 3)));
    show(cg_grad(x));
    x = x34();
    cg_backward(weighted(cg_gather(x, 0, INDEX(V(2, 0, 0, 1, 2, 2, 1, 1), 2, 4)), WEIGHTS(2, 4)));
    show(cg_grad(x));
    x = x34(), y = y43();
    cg_tensor *idx = INDEX(V(0, 2, 1, 0, 1, 1, 2, 2), 2, 4);
    cg_backward(weighted(cg_scatter_add(x, 0, idx, cg_slice(cg_t(y), 0, 0, 2, 1)), WEIGHTS(3, 4)));
    SHOW(cg_grad(x), cg_grad(y));
    x = x34();
    cg_backward(cg_sum(cg_mul(cg_masked_fill(x, cg_gt_scalar(x, 0), 0), x)));
    show(cg_grad(x));
    x = x34();
    cg_tensor *c = cg_narrow(cg_permute(cg_expand(cg_unsqueeze(x, 0), 2, 3, 4), 2, 0, 1), 0, 1, 2);
    cg_backward(weighted(cg_flatten(cg_transpose(c, 1, 2), 1, -1), WEIGHTS(2, 6)));
    show(cg_grad(x));
    x3 = x234();
    cg_chunk(x3, 3, 2, p, 4);
    cg_backward(cg_add(weighted(p[1], WEIGHTS(2, 3, 2)), cg_sum(cg_squeeze(cg_at(p[0], 1)))));
    show(cg_grad(x3));
}

static void double_backward(void) {
    cg_tensor *x = x34(), *u[3];
    cg_tensor *g = grad_of(cg_sum(cg_pow_scalar(cg_slice(cg_t(x), 0, 1, END, 1), 3)), x, true);
    show(cg_detach(g));
    show(grad_of(weighted(g, WEIGHTS(3, 4)), x, false));
    x = x34();
    cg_tensor *y = cg_add(cg_sum(cg_pow_scalar(cg_gather(x, 1, INDEX(V(1, 1, 0, 3, 2, 2), 3, 2)), 2)),
                          cg_sum(cg_pow_scalar(cg_index_select(x, 0, INDEX(V(2, 2), 2)), 3)));
    g = grad_of(y, x, true);
    show(cg_detach(g));
    show(grad_of(weighted(g, WEIGHTS(3, 4)), x, false));
    x = x34();
    cg_unbind(x, 0, u, 3);
    y = weighted(cg_pow_scalar(cg_cat(CG_LIST(u[2], u[0]), 0), 2), WEIGHTS(8));
    g = grad_of(y, x, true);
    SHOW(cg_detach(g), grad_of(cg_sum(cg_mul(g, g)), x, false));
}

static void inplace_through_views(void) {
    cg_tensor *x = leaf(cg_tensor_f32(((float[]){1, 2, 3, 4}), 2, 2));
    cg_tensor *y = cg_zeros(1, 3);
    cg_copy_(cg_at(y, 0, 0), cg_add(cg_pow_scalar(cg_at(x, 0, 0), 2), cg_at(x, 0, 1)));
    cg_copy_(cg_at(y, 0, 1), cg_mul_scalar(cg_at(x, 1, 0), 3));
    cg_copy_(cg_at(y, 0, 2), cg_scalar(5, CG_FLOAT32)); /* Python's y[0, 2] = 5 */
    show(y);
    show_next(y);
    cg_backward(weighted(y, cg_tensor_f32(((float[]){1, 2, 3}), 1, 3)));
    show(cg_grad(x));

    x = x34();
    cg_tensor *v = leaf(cg_tensor_f32(((float[]){1, -1, 2}), 3));
    cg_tensor *a = cg_clone(x);
    cg_fill_(cg_slice(a, 0, 1, 3, 1), 2);
    cg_copy_(cg_select(a, 1, 1), cg_mul_scalar(v, 2));
    show(a);
    show_next(a);
    cg_backward(weighted(a, WEIGHTS(3, 4)));
    SHOW(cg_grad(x), cg_grad(v));

    x = x34();
    a = cg_clone(x);
    cg_tensor *w = cg_slice(cg_t(a), 0, 1, END, 1);
    cg_zero_(cg_at(w, 0));
    fprintf(out, "%s %s\n", node_name(cg_grad_fn(a)), node_name(cg_grad_fn(w)));
    show_next(w);
    cg_backward(weighted(w, WEIGHTS(3, 3)));
    show(cg_grad(x));

    x = x34(), y = y43();
    cg_tensor *z = leaf(cg_full_shape(CG_FLOAT32, CG_SHAPE(2, 4), 0.5));
    cg_tensor *c = cg_cat(CG_LIST(x, cg_t(y)), 0);
    cg_copy_(cg_narrow(c, 0, 2, 2), z);
    show(c);
    cg_backward(weighted(c, WEIGHTS(6, 4)));
    SHOW(cg_grad(x), cg_grad(y), cg_grad(z));
}

static void inplace_ops_through_slices(void) {
    cg_tensor *x = x34();
    cg_tensor *a = cg_clone(x);
    cg_mul_scalar_(cg_slice(a, 0, 1, 3, 1), 2);
    show(a);
    show_next(a);
    cg_backward(weighted(a, WEIGHTS(3, 4)));
    show(cg_grad(x));
    x = x34();
    cg_tensor *v = leaf(cg_tensor_f32(((float[]){2, -1, 0.5f}), 3));
    a = cg_clone(x);
    cg_mul_(cg_slice(cg_t(a), 0, 1, 4, 2), v);
    cg_add_(cg_narrow(a, 1, 0, 1), cg_slice(a, 1, 3, END, 1));
    show(a);
    show_next(a);
    cg_backward(weighted(a, WEIGHTS(3, 4)));
    SHOW(cg_grad(x), cg_grad(v));
}

static void multi_output_views(void) {
    cg_tensor *x = x34(), *v = leaf(cg_tensor_f32(((float[]){1, -1, 2, 0.5f}), 4)), *u[4], *p[4], *q[4];
    cg_unbind(cg_clone(x), 0, u, 4);
    ATTEMPT(cg_fill_(u[0], 1));
    show(u[0]);
    cg_unbind(x, 0, u, 4);
    ATTEMPT(cg_copy_(u[1], v));
    cg_split(cg_clone(x), 2, 1, p, 4);
    ATTEMPT(cg_zero_(cg_at(p[1], 0)));
    cg_chunk(cg_clone(x), 2, 1, p, 4);
    ATTEMPT(cg_fill_(cg_t(p[1]), 0));
    cg_unbind(cg_zeros(3, 4), 0, u, 4);
    ATTEMPT(cg_copy_(u[0], v));
    cg_split(cg_zeros(3, 4), 1, 0, p, 4);
    ATTEMPT(cg_copy_(cg_slice(cg_at(p[2], 0), 0, 1, END, 1), cg_slice(v, 0, 0, 3, 1)));
    cg_unbind(cg_zeros(3, 4), 0, u, 4);
    cg_fill_(u[1], 1);
    show(u[1]);
    CG_NO_GRAD { cg_split(cg_clone(x), 1, 0, p, 4); }
    cg_fill_(p[0], 1);
    show(p[0]);
    CG_NO_GRAD {
        cg_unbind(cg_clone(x), 0, q, 4);
        cg_fill_(q[2], 7);
    }
    show(q[2]);
}

static void mixed_dtypes_and_shapes(void) {
    cg_tensor *x = x34(), *d = leaf(cg_to(cg_tensor_f32(Y43, 4, 3), CG_FLOAT64));
    cg_tensor *c = cg_cat(CG_LIST(x, cg_t(d)), 0);
    show(c);
    cg_backward(weighted(c, WEIGHTS(6, 4)));
    SHOW(cg_grad(x), cg_grad(d));
    x = x34(), d = leaf(cg_to(cg_tensor_f32(Y43, 4, 3), CG_FLOAT64));
    cg_backward(weighted(cg_stack(CG_LIST(cg_t(d), x), 0), WEIGHTS(2, 3, 4)));
    SHOW(cg_grad(x), cg_grad(d));
    x = x34();
    cg_tensor *s = leaf(cg_ones(2, 3));
    cg_tensor *y = cg_scatter_add(x, 0, INDEX(V(1, 2), 1, 2), s);
    ATTEMPT(cg_backward(cg_sum(y)));
}

static void index_errors(void) {
    cg_tensor *x = x34();
    ATTEMPT_INDEX(cg_at(x, 3));
    ATTEMPT_INDEX(cg_at(x, -4));
    ATTEMPT_INDEX(cg_at(x, 0, 4));
    ATTEMPT_INDEX(cg_at(x, 1, -5));
    ATTEMPT_INDEX(cg_at(x, 0, 1, 2));
    ATTEMPT_INDEX(cg_at(cg_at(x, 0, 1), 0));
    ATTEMPT_INDEX(cg_at(cg_at(x, 0, 1), 0, 0));
    ATTEMPT_INDEX(cg_at(cg_at(x, 0, 1), 0, 0, 0));
    SHOW(cg_at(x, -1, -2), cg_at(x, 2));
}

static const scenario scenarios[] = {
    {"node_names", node_names},
    {"next_functions", next_functions},
    {"gradients", gradients},
    {"double_backward", double_backward},
    {"inplace_through_views", inplace_through_views},
    {"inplace_ops_through_slices", inplace_ops_through_slices},
    {"multi_output_views", multi_output_views},
    {"mixed_dtypes_and_shapes", mixed_dtypes_and_shapes},
    {"index_errors", index_errors},
};

static void test_scenarios(void) {
    run_scenarios(scenarios, sizeof scenarios / sizeof scenarios[0], "tests/data/views_grad.txt");
}

/* cg_at's failures leave the message and return NULL; a NULL tensor gives NULL without one. */
static void test_index_at_errors(void) {
    cg_tensor *x = cg_zeros(2, 3);
    CHECK_ERROR(cg_at(x, 2), "index 2 is out of bounds for dimension 0 with size 2");
    CHECK_ERROR(cg_at(x, 1, 3), "index 3 is out of bounds for dimension 1 with size 3");
    CHECK_ERROR(cg_at(cg_scalar(1, CG_FLOAT32), 0),
                "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to convert "
                "a 0-dim tensor to a number");
    CHECK(cg_at(x, -3) == NULL);
    CHECK(cg_at(NULL, 0) == NULL);
    CHECK_STR(cg_last_error(), "index -3 is out of bounds for dimension 0 with size 2");
    cg_clear_error();
    /* x[1, -1] is a view of x's storage, two selects deep */
    cg_tensor *e = cg_at(x, 1, -1);
    CHECK(e && cg_ndim(e) == 0 && cg_storage_offset(e) == 5 && cg_shares_storage(e, x));
    cg_tensor *all = cg_index_at(x, 0, NULL);
    CHECK(all && all != x && cg_shares_storage(all, x) && cg_ndim(all) == 2);
}

/* A piece made by unbind/split/chunk keeps its node alive; nothing leaks when pieces are dropped. */
static void test_pieces_outlive_their_input(void) {
    cg_tensor *p[3];
    CG_SCOPE {
        cg_tensor *x = leaf(cg_ones(3, 2));
        cg_unbind(cg_mul_scalar(x, 2), 0, p, 3);
        cg_keep(p[2]);
        cg_keep(x);
        p[0] = x;
    }
    CHECK(cg_backward(cg_sum(p[2])) == 0);
    CHECK(harness_values_close(cg_grad(p[0]), (double[]){0, 0, 0, 0, 2, 2}, 0));
    /* an empty dim: no pieces, nothing recorded */
    cg_tensor *e = leaf(cg_zeros(0, 2));
    CHECK(cg_unbind(e, 0, p, 3) == 0);
}

int main(void) {
    RUN(test_scenarios);
    RUN(test_index_at_errors);
    RUN(test_pieces_outlive_their_input);
    HARNESS_END();
}
