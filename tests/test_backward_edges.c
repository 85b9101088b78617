/* Backward formulas at their edges, against PyTorch: each scenario is the C twin of the function of
 * the same name in tools/gen_backward_edges.py, whose output under PyTorch 1.13 is
 * tests/data/backward_edges.txt. */
#include "scenarios.h"

static inline cg_tensor *f64(int n, const double *v) { return cg_from_data(v, CG_FLOAT64, 1, (const int64_t[]){n}); }
#define F64(...) f64(CG_NARGS(__VA_ARGS__), (const double[]){__VA_ARGS__})

static void error_if(int failed) {
    if (failed) fprintf(out, "%s\n", harness_error());
}

static cg_tensor *count_nonzero(cg_tensor *t) { return cg_norm(t, 0); }

/* Where t comes from: its node's name, a leaf, or no history at all. */
static const char *history_name(cg_tensor *t) {
    if (!t) return "None";
    if (cg_grad_fn(t)) return cg_node_name(cg_grad_fn(t));
    return cg_requires_grad(t) ? "leaf" : "nograd";
}

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

static cg_tensor *times_two(cg_tensor *g, void *user) {
    (void)user;
    return cg_mul_scalar(g, 2);
}
static cg_tensor *times_ten(cg_tensor *g, void *user) {
    (void)user;
    return cg_mul_scalar(g, 10);
}
static cg_tensor *f32(int n, const float *v) { return cg_from_data(v, CG_FLOAT32, 1, (const int64_t[]){n}); }
#define F32(...) f32(CG_NARGS(__VA_ARGS__), (const float[]){__VA_ARGS__})

static void backward_inputs_through_hooks(void) {
    cg_tensor *t0 = leaf(F32(-0.6186749935150146f)), *g = NULL;
    cg_register_hook(t0, times_two, NULL);
    error_if(cg_backward(cg_tanh(t0), .retain_graph = true, .inputs = CG_TENSORS(t0)));
    show(cg_grad(t0));
    error_if(cg_autograd_grad(CG_TENSORS(cg_tanh(t0)), CG_TENSORS(t0), &g, .retain_graph = false));
    show(g);
    cg_tensor *t1 = leaf(F64(1.5, -2.0, 0.0));
    cg_tensor *t3 = cg_flatten(t1, -1, -1);
    error_if(cg_backward(cg_sum(cg_squeeze(t1)), .inputs = CG_TENSORS(t3, t1)));
    show(cg_grad(t1));
    cg_tensor *x = leaf(F32(1, 2)), *y = cg_mul_scalar(x, 3);
    cg_register_hook(y, times_ten, NULL);
    error_if(cg_backward(cg_sum(cg_mul(y, y)), .inputs = CG_TENSORS(y), .retain_graph = true));
    SHOW(cg_grad(y), cg_grad(x));
    error_if(cg_autograd_grad(CG_TENSORS(cg_sum(cg_mul(y, y))), CG_TENSORS(y), &g, .retain_graph = false));
    show(g);
}

static void show_layout(const cg_tensor *t) {
    fprintf(out, "[");
    for (int d = 0; d < cg_ndim(t); d++) fprintf(out, "%s%lld", d ? ", " : "", (long long)cg_size(t, d));
    fprintf(out, "] [");
    for (int d = 0; d < cg_ndim(t); d++) fprintf(out, "%s%lld", d ? ", " : "", (long long)cg_stride(t, d));
    fprintf(out, "] %lld", (long long)cg_storage_offset(t));
}

static cg_tensor *held;
static cg_tensor *give_held(cg_tensor *grad, void *user) {
    (void)grad, (void)user;
    return held;
}

static void grad_kept_as_it_arrives(void) {
    cg_tensor *a = leaf(F32(0)), *b = F32(1);
    error_if(cg_backward(cg_mean(cg_stack(CG_LIST(b, a), -2))));
    show_layout(cg_grad(a));
    fprintf(out, " ");
    show(cg_grad(a));
    cg_tensor *c = leaf(cg_tensor_f32(((float[]){1}), 1, 1)), *d = leaf(cg_tensor_f32(((float[]){2, 3}), 1, 2));
    error_if(cg_backward(cg_sum(cg_cat(CG_LIST(c, d), 1))));
    show_layout(cg_grad(c));
    fprintf(out, " ");
    show_layout(cg_grad(d));
    fprintf(out, "\n");
    cg_tensor *e = leaf(F32(1, 2, 3, 4)), *pieces[2];
    cg_split(e, 2, 0, pieces, 2);
    error_if(cg_backward(cg_sum(cg_add_scalar(cg_mul(pieces[0], F32(1, 2)), 0)), .retain_graph = true));
    show_layout(cg_grad(e));
    fprintf(out, "\n");
    cg_tensor *f = leaf(cg_tensor_f32(((float[]){1, 2, 3, 4}), 2, 2)), *g = cg_tensor_f32(((float[]){1, 2, 3, 4}), 2, 2);
    error_if(cg_backward(cg_mul_scalar(f, 2), .gradient = g));
    show_layout(cg_grad(f));
    fprintf(out, " ");
    show(cg_grad(f));
    cg_add_scalar_(g, 1);
    show(cg_grad(f));
    cg_tensor *h = leaf(cg_tensor_f32(((float[]){1, 2, 3, 4}), 2, 2));
    error_if(cg_backward(cg_t(h), .gradient = g));
    show_layout(cg_grad(h));
    fprintf(out, "\n");
    /* the caller's one reference is all that holds it: the count alone cannot tell it from the engine's */
    CG_SCOPE { held = cg_retain(F32(5, 7)); }
    cg_tensor *x = leaf(F32(1, 2));
    cg_register_hook(x, give_held, NULL);
    error_if(cg_backward(cg_sum(cg_mul_scalar(x, 3))));
    error_if(cg_backward(cg_sum(cg_mul_scalar(x, 3))));
    show(held);
    show(cg_grad(x));
    cg_release(held);
}

static void pow_with_a_false_exponent(void) {
    cg_number exponents[] = {cg_number_int(0), cg_number_float(0.0), cg_number_bool(false)};
    for (int i = 0; i < 3; i++) {
        cg_tensor *x = leaf(F32(-0.5f, 0.0f, 2.0f)), *g = NULL;
        error_if(cg_autograd_grad(CG_TENSORS(cg_pow_number(x, exponents[i])), CG_TENSORS(x), &g, CG_TENSORS(cg_ones(3)),
                                  .retain_graph = false));
        show(g);
    }
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

/* ---- 4: second derivatives ---- */

static void hessian_times(cg_tensor *(*f)(cg_tensor *), cg_tensor *x, cg_tensor *v) {
    leaf(x);
    cg_tensor *g = NULL, *h = NULL;
    error_if(cg_autograd_grad(CG_TENSORS(f(x)), CG_TENSORS(x), &g, .create_graph = true));
    fprintf(out, "%s ", history_name(g));
    show(cg_detach(g));
    if (cg_autograd_grad(CG_TENSORS(g), CG_TENSORS(x), &h, CG_TENSORS(v), .retain_graph = false) < 0)
        fprintf(out, "%s\n", harness_error());
    else
        show(h);
}

static cg_tensor *prod1_sum(cg_tensor *x) { return cg_sum(cg_prod_dim(x, 1, false)); }
static cg_tensor *prod0_sum(cg_tensor *x) { return cg_sum(cg_prod_dim(x, 0, false)); }
static cg_tensor *prod1_keep_sum(cg_tensor *x) { return cg_sum(cg_prod_dim(x, 1, true)); }
static cg_tensor *std_all(cg_tensor *x) { return cg_std(x); }
static cg_tensor *std1_sum(cg_tensor *x) { return cg_sum(cg_std(x, CG_DIMS(1))); }
static cg_tensor *square_max_dim_sum(cg_tensor *x) { return cg_sum(cg_max_dim(cg_mul(x, x), 1, false, NULL)); }
static cg_tensor *square_max(cg_tensor *x) { return cg_max(cg_mul(x, x)); }
static cg_tensor *norm2(cg_tensor *x) { return cg_norm(x, 2); }
static cg_tensor *norm3(cg_tensor *x) { return cg_norm(x, 3); }
static cg_tensor *norm2_dim1_sum(cg_tensor *x) { return cg_sum(cg_norm(x, 2, CG_DIMS(1))); }
static cg_tensor *norm_half(cg_tensor *x) { return cg_norm(x, 0.5); }
static cg_tensor *abs_square_sum(cg_tensor *x) { return cg_sum(cg_abs(cg_mul(x, x))); }
static cg_tensor *relu_square_sum(cg_tensor *x) { return cg_sum(cg_relu(cg_sub_scalar(cg_mul(x, x), 1))); }
static cg_tensor *clamp_square_sum(cg_tensor *x) { return cg_sum(cg_clamp(cg_mul(x, x), 0.25, 4.0)); }
static cg_tensor *maximum_square_sum(cg_tensor *x) { return cg_sum(cg_maximum(cg_mul(x, x), F64(1, 1, 1))); }
static cg_tensor *where_powers_sum(cg_tensor *x) {
    return cg_sum(cg_where(cg_gt_scalar(x, 0), cg_pow_scalar(x, 3), cg_pow_scalar(x, 2)));
}
static cg_tensor *softmax_first(cg_tensor *x) { return cg_select(cg_softmax(x, 0), 0, 0); }
static cg_tensor *mse_square(cg_tensor *x) { return cg_mse_loss(cg_mul(x, x), F64(1, 0, 4)); }
static cg_tensor *cross_entropy_square(cg_tensor *x) {
    return cg_cross_entropy(cg_mul(cg_view(x, 1, 3), cg_view(x, 1, 3)), cg_tensor_i64(((int64_t[]){2}), 1));
}
static cg_tensor *sigmoid_prod(cg_tensor *x) { return cg_prod(cg_sigmoid(x)); }
static cg_tensor *ones_f64(int n, const int64_t *sizes) { return cg_ones_shape(CG_FLOAT64, n, sizes); }
#define ONES(...) ones_f64(CG_SHAPE(__VA_ARGS__))

static void second_derivatives(void) {
    hessian_times(prod1_sum, cg_tensor_f64(((double[]){0, 2, 3}), 1, 3), ONES(1, 3));
    hessian_times(prod1_sum, cg_tensor_f64(((double[]){0, 2, 0, 1, 2, 3}), 2, 3), ONES(2, 3));
    hessian_times(prod0_sum, cg_tensor_f64(((double[]){0, 2, 0, 0, 2, 3, 4, 0, 5}), 3, 3),
                  cg_view(cg_arange(0, 9, 1, CG_FLOAT64), 3, 3));
    hessian_times(prod1_keep_sum, cg_tensor_f64(((double[]){0, 2, 0, 7}), 1, 4), ONES(1, 4));
    hessian_times(cg_prod, cg_tensor_f64(((double[]){0, 2, 3}), 1, 3), ONES(1, 3));
    hessian_times(cg_prod, cg_tensor_f64(((double[]){0, 2, 0}), 1, 3), ONES(1, 3));
    hessian_times(cg_prod, F64(1.5, -2, 3), ONES(3));
    hessian_times(std_all, F64(2, 2, 2), F64(1, 2, 4));
    hessian_times(std1_sum, cg_tensor_f64(((double[]){2, 2, 2, 1, 2, 3}), 2, 3),
                  cg_tensor_f64(((double[]){1, 2, 4, 1, 2, 4}), 2, 3));
    hessian_times(square_max_dim_sum, cg_tensor_f64(((double[]){1, -3, 2, 0.5}), 2, 2), ONES(2, 2));
    hessian_times(square_max, cg_tensor_f64(((double[]){1, -3, 2, 3}), 2, 2), ONES(2, 2));
    hessian_times(norm2, F64(0, 0), F64(1, 2));
    hessian_times(norm3, F64(0, 0), F64(1, 2));
    hessian_times(norm2_dim1_sum, cg_tensor_f64(((double[]){0, 0, 3, -4}), 2, 2), ONES(2, 2));
    hessian_times(norm_half, F64(1, 4), F64(1, 2));
    hessian_times(abs_square_sum, F64(0, 1, -2), F64(1, 2, 3));
    hessian_times(relu_square_sum, F64(1, 0.5, -2), F64(1, 2, 3));
    hessian_times(clamp_square_sum, F64(0.5, 2, 1), F64(1, 2, 3));
    hessian_times(maximum_square_sum, F64(1, -1, 2), F64(1, 2, 3));
    hessian_times(where_powers_sum, F64(0, 1, -2), F64(1, 2, 3));
    hessian_times(softmax_first, F64(0.5, -1, 2), F64(1, 2, 3));
    hessian_times(mse_square, F64(1, 0.5, -2), F64(1, 2, 3));
    hessian_times(cross_entropy_square, F64(1, 0.5, -2), F64(1, 2, 3));
    hessian_times(sigmoid_prod, F64(0, 1, -2), F64(1, 2, 3));
}

/* Python's print of a tuple of tensors (None for an unused input). */
static void show_tuple(cg_tensor *a, cg_tensor *b) {
    char ta[512], tb[512];
    cg_format(a, ta, sizeof ta);
    cg_format(b, tb, sizeof tb);
    fprintf(out, "(%s, %s)\n", ta, tb);
}

static void second_order_through_inplace_view(void) {
    cg_tensor *x = leaf(cg_scalar(2, CG_FLOAT64)), *y = leaf(cg_scalar(3, CG_FLOAT64));
    cg_tensor *a = cg_mul_scalar(F64(1, 2, 5), 1);
    cg_tensor *v = cg_select(a, 0, 2);
    error_if(cg_div_(v, x));
    cg_tensor *m = cg_mul(y, v), *g[2] = {0}, *h[2] = {0};
    error_if(cg_autograd_grad(CG_TENSORS(m), CG_TENSORS(x, y), g, .create_graph = true));
    SHOW(cg_detach(g[0]), cg_detach(g[1]));
    error_if(cg_autograd_grad(CG_TENSORS(g[0]), CG_TENSORS(x, y), h, .retain_graph = true, .allow_unused = true));
    show_tuple(h[0], h[1]);
    error_if(cg_autograd_grad(CG_TENSORS(g[1]), CG_TENSORS(x, y), h, .allow_unused = true));
    show_tuple(h[0], h[1]);
    a = cg_mul(F64(1, 2, 5, -1), y);
    error_if(cg_mul_(cg_slice(a, 0, 1, INT64_MAX, 1), x));
    m = cg_mul(cg_sum(cg_mul(a, a)), y);
    error_if(cg_autograd_grad(CG_TENSORS(m), CG_TENSORS(x, y), g, .create_graph = true));
    SHOW(cg_detach(g[0]), cg_detach(g[1]));
    error_if(cg_autograd_grad(CG_TENSORS(cg_add(g[0], g[1])), CG_TENSORS(x, y), h, .retain_graph = false));
    show_tuple(h[0], h[1]);
    cg_tensor *b = cg_clone(cg_expand(cg_mul(x, y), 3));
    error_if(cg_mul_(cg_select(b, 0, 0), x));
    error_if(cg_autograd_grad(CG_TENSORS(cg_sum(cg_mul(b, b))), CG_TENSORS(x, y), g, .create_graph = true));
    error_if(cg_autograd_grad(CG_TENSORS(cg_mul(g[0], g[1])), CG_TENSORS(x, y), h, .retain_graph = false));
    show_tuple(h[0], h[1]);
}

static cg_tensor *var_or_std_case(int k, cg_tensor *x) {
    switch (k) {
    case 0: return cg_var(x);
    case 1: return cg_std(x);
    case 2: return cg_var(x, .biased = true);
    default: return cg_var(x, CG_DIMS(0));
    }
}

static void var_without_degrees_of_freedom(void) {
    cg_tensor *inputs[] = {cg_scalar(2, CG_FLOAT64), F64(2), cg_tensor_f64(((double[]){2}), 1, 1),
                           cg_zeros_shape(CG_FLOAT64, CG_SHAPE(0)), cg_zeros_shape(CG_FLOAT64, CG_SHAPE(2, 0))};
    for (int i = 0; i < 5; i++)
        for (int k = 0; k < 4; k++) {
            cg_tensor *x = leaf(cg_clone(inputs[i])), *y = var_or_std_case(k, x);
            char text[256];
            cg_format(cg_detach(y), text, sizeof text);
            if (cg_backward(y, .gradient = cg_full_like(y, -2.0)) < 0)
                fprintf(out, "%s %s\n", text, harness_error());
            else
                fprintf(out, "%s ", text), show(cg_grad(x));
        }
}

static void show_float32_bits(const cg_tensor *t) {
    cg_tensor *c = cg_contiguous((cg_tensor *)t);
    const float *v = c ? cg_data_ptr(c) : NULL;
    for (int64_t i = 0; v && i < cg_numel(c); i++) {
        uint32_t bits;
        memcpy(&bits, &v[i], sizeof bits);
        fprintf(out, "%s%u", i ? " " : "", (unsigned)bits);
    }
    fprintf(out, "\n");
}

static void prod_float32_bits(void) {
    static const float values[] = {1.3f, 0.7f, 1.9f, 0.0f, 1.1f, 0.45f, 1.7f, 0.9f, 0.3f, 1.6f, 1.2f, 0.8f,
                                   1.4f, 0.65f, 1.05f, 1.9f, 0.0f, 1.6f, 0.0f, 0.8f, 1.4f, 0.65f, 1.05f, 1.9f};
    for (int k = 0; k < 3; k++) {
        cg_tensor *x = leaf(cg_from_data(values, CG_FLOAT32, 2, (const int64_t[]){3, 8}));
        cg_tensor *y = k == 0 ? cg_sum(cg_prod_dim(x, 1, false))
                       : k == 1 ? cg_sum(cg_prod_dim(x, 0, false))
                                : cg_prod(cg_slice(x, 0, 0, 2, 1));
        error_if(cg_backward(y));
        show_float32_bits(cg_grad(x));
    }
}

/* ---- 5 and 6: inf, NaN and negative incoming gradients (no mask multiplied in, no -0) ---- */

static cg_tensor *full2x2(double v) { return cg_full_shape(CG_FLOAT64, CG_SHAPE(2, 2), v); }
static cg_tensor *m2x2(double a, double b, double c, double d) {
    return cg_tensor_f64(((double[]){a, b, c, d}), 2, 2);
}

typedef struct {
    const char *name;
    cg_tensor *x, *grad;
} edge_case;

/* Row i of gen_backward_edges.py's edge_cases(): f(x), with the row's input and gradient set. */
static cg_tensor *edge_case_row(int i, edge_case *c) {
    cg_tensor *x = m2x2(1, 3, 2, 0), *two = full2x2(2), *x0 = NULL;
    cg_tensor *t10 = cg_tensor_i64(((int64_t[]){1, 0}), 2), *t1i = cg_tensor_i64(((int64_t[]){1, -100}), 2);
    const double inf = INFINITY;
    int row = 0;
#define ROW(label, input, gradient, call) \
    if (i == row++) {                     \
        c->name = label;                  \
        c->x = x0 = leaf(input);          \
        c->grad = gradient;               \
        return call;                      \
    }
    ROW("max_dim", x, F64(inf, 1), cg_max_dim(x0, 1, false, NULL))
    ROW("min_dim", x, F64(inf, -inf), cg_min_dim(x0, 1, false, NULL))
    ROW("max_dim_keepdim", x, cg_tensor_f64(((double[]){-1, inf}), 1, 2), cg_max_dim(x0, 0, true, NULL))
    ROW("max", x, cg_scalar(inf, CG_FLOAT64), cg_max(x0))
    ROW("min", x, cg_scalar(-1, CG_FLOAT64), cg_min(x0))
    ROW("relu", x, full2x2(inf), cg_relu(cg_sub_scalar(x0, 1)))
    ROW("relu_neg", x, full2x2(-1), cg_relu(cg_sub_scalar(x0, 1)))
    ROW("clamp", x, full2x2(inf), cg_clamp(x0, 0.5, 2.5))
    ROW("clamp_neg", x, full2x2(-1), cg_clamp(x0, 0.5, 2.5))
    ROW("abs", x, full2x2(inf), cg_abs(x0))
    ROW("abs_neg", x, full2x2(-1), cg_abs(x0))
    ROW("maximum", x, full2x2(inf), cg_maximum(x0, two))
    ROW("minimum", x, full2x2(-inf), cg_minimum(x0, two))
    ROW("maximum_neg", x, full2x2(-1), cg_maximum(x0, two))
    ROW("masked_fill", x, full2x2(inf), cg_masked_fill(x0, cg_gt_scalar(x0, 1), 0.0))
    ROW("masked_fill_neg", x, full2x2(-1), cg_masked_fill(x0, cg_gt_scalar(x0, 1), 0.0))
    ROW("where", x, full2x2(inf), cg_where(cg_gt_scalar(x0, 1), x0, cg_mul_scalar(x0, 2)))
    ROW("where_neg", x, full2x2(-1), cg_where(cg_gt_scalar(x0, 1), x0, two))
    ROW("nll_ignored", x, cg_scalar(inf, CG_FLOAT64), cg_nll_loss(x0, t1i))
    ROW("nll_none", x, F64(inf, inf), cg_nll_loss(x0, t1i, .reduction = CG_REDUCTION_NONE))
    ROW("nll_neg", x, cg_scalar(-1, CG_FLOAT64), cg_nll_loss(x0, t10))
    ROW("cross_entropy", x, cg_scalar(0, CG_FLOAT64), cg_cross_entropy(x0, t10))
    ROW("prod_zeros", F64(0, 2, 0), cg_scalar(inf, CG_FLOAT64), cg_prod(x0))
    ROW("prod_dim_zeros", m2x2(0, 2, 0, 3), F64(inf, 1), cg_prod_dim(x0, 0, false))
    ROW("prod_one_zero", F64(0, 2, 3), cg_scalar(inf, CG_FLOAT64), cg_prod(x0))
    ROW("prod_neg", F64(0, 2, 0), cg_scalar(-1, CG_FLOAT64), cg_prod(x0))
    ROW("sign", x, full2x2(inf), cg_sign(x0))
    ROW("select", x, F64(inf, -1), cg_select(x0, 0, 0))
    ROW("slice", x, cg_tensor_f64(((double[]){-1, inf}), 2, 1), cg_slice(x0, 1, 1, INT64_MAX, 1))
    ROW("index_select", x, cg_tensor_f64(((double[]){inf, -1}), 1, 2),
        cg_index_select(x0, 0, cg_tensor_i64(((int64_t[]){1}), 1)))
    ROW("gather", x, cg_tensor_f64(((double[]){inf, -1}), 2, 1),
        cg_gather(x0, 1, cg_tensor_i64(((int64_t[]){1, 0}), 2, 1)))
    ROW("std_zero", F64(1, 1), cg_scalar(inf, CG_FLOAT64), cg_std(x0))
    ROW("norm_zero", F64(0, 0), cg_scalar(1, CG_FLOAT64), cg_norm(x0, 2))
    ROW("norm_inf", F64(1, -3), cg_scalar(inf, CG_FLOAT64), cg_norm(x0, INFINITY))
    ROW("norm_zero_inf", F64(0, 0), cg_scalar(inf, CG_FLOAT64), cg_norm(x0, 2))
    ROW("norm3_zero_inf", F64(0, 0), cg_scalar(inf, CG_FLOAT64), cg_norm(x0, 3))
    ROW("norm1_5_zero", F64(0, 0), cg_scalar(-1, CG_FLOAT64), cg_norm(x0, 1.5))
    ROW("norm_half", F64(0, 4), cg_scalar(-1, CG_FLOAT64), cg_norm(x0, 0.5))
    ROW("norm_dim_zero", m2x2(0, 0, 3, -4), F64(inf, -1), cg_norm(x0, 2, CG_DIMS(1)))
    ROW("unbind", x, F64(inf, -1), piece(unbind_cut, x0, 0, 0, 1))
    ROW("expand", x, full2x2(-1), cg_expand(cg_select(x0, 0, 0), 2, 2))
    ROW("mul_zero", x, full2x2(-1), cg_mul(x0, full2x2(0)))
    ROW("div_neg", x, full2x2(-0.0), cg_div(x0, two))
    ROW("norm1_zero", F64(0, 2), cg_scalar(-1, CG_FLOAT64), cg_norm(x0, 1))
    ROW("pow_zero", x, full2x2(-1), cg_pow_scalar(x0, 2))
    ROW("sqrt_zero", x, full2x2(-1), cg_sqrt(x0))
    ROW("mse_equal", x, cg_scalar(-1, CG_FLOAT64), cg_mse_loss(x0, cg_detach(x0)))
    ROW("softmax_neg", x, m2x2(-1, -1, 0, -0.0), cg_softmax(x0, 1))
    ROW("log_softmax_neg", x, m2x2(-1, 0, 1, -0.0), cg_log_softmax(x0, 0))
    ROW("cat", x, cg_tensor_f64(((double[]){-1, 0, 0, inf, -0.0, 1, -1, 0}), 2, 4), cg_cat(CG_LIST(x0, x0), 1))
    ROW("sum_dim", x, F64(-0.0, inf), cg_sum(x0, CG_DIMS(1)))
    ROW("mean_all", x, cg_scalar(-0.0, CG_FLOAT64), cg_mean(x0))
    ROW("bce", x, cg_scalar(-1, CG_FLOAT64), cg_binary_cross_entropy_with_logits(x0, cg_sigmoid(cg_detach(x0))))
    ROW("scatter_add", x, cg_tensor_f64(((double[]){-1, inf, 2, 0, -1, inf}), 2, 3),
        cg_scatter_add(cg_zeros_shape(CG_FLOAT64, CG_SHAPE(2, 3)), 1, cg_tensor_i64(((int64_t[]){0, 2, 1, 1}), 2, 2), x0))
    ROW("clamp_min_neg", x, full2x2(-1), cg_clamp(x0, 1.5, INFINITY))
    ROW("tanh_inf", x, full2x2(inf), cg_tanh(cg_mul_scalar(x0, 10)))
    ROW("sigmoid_inf", x, full2x2(inf), cg_sigmoid(cg_mul_scalar(x0, 100)))
    return NULL;
#undef ROW
}

static void inf_and_signed_zero_gradients(void) {
    for (int i = 0;; i++) {
        edge_case c = {0};
        cg_tensor *y = edge_case_row(i, &c);
        if (!c.name) break;
        error_if(cg_backward(y, .gradient = c.grad));
        fprintf(out, "%s ", c.name);
        SHOW(cg_grad(c.x));
    }
}

static void masked_fill_with_a_tensor(void) {
    cg_tensor *x = leaf(m2x2(1, -2, 3, -4)), *v = leaf(cg_scalar(0.5, CG_FLOAT64));
    cg_tensor *y = cg_masked_fill_tensor(x, cg_lt_scalar(x, 0), v);
    show(y);
    error_if(cg_backward(cg_sum(cg_mul(y, m2x2(1, 2, 3, 4)))));
    SHOW(cg_grad(x), cg_grad(v));
    error_if(!cg_masked_fill_tensor(x, cg_lt_scalar(x, 0), F64(1.0)));
    show(cg_masked_fill_tensor(cg_tensor_i64(((int64_t[]){1, 2}), 2), cg_tensor_bool(((bool[]){true, false}), 2),
                               cg_scalar(7.9, CG_FLOAT32)));
}

/* ---- 7: node names in double-backward graphs ---- */

static cg_tensor *nll_target(void) { return cg_tensor_i64(((int64_t[]){0, 2}), 2); }

static cg_tensor *double_backward_op(int i, cg_tensor *x, cg_tensor *y) {
    switch (i) {
    case 0: return cg_mul(x, y);
    case 1: return cg_div(x, y);
    case 2: return cg_pow_scalar(x, 3);
    case 3: return cg_exp(x);
    case 4: return cg_sin(x);
    case 5: return cg_tanh(x);
    case 6: return cg_sigmoid(x);
    case 7: return cg_relu(x);
    case 8: return cg_abs(x);
    case 9: return cg_var(x);
    case 10: return cg_std(x);
    case 11: return cg_prod_dim(x, 1, false);
    case 12: return cg_mm(x, cg_t(y));
    case 13: return cg_where(cg_gt_scalar(x, 0), x, y);
    case 14: return cg_clamp(x, -1, 1);
    case 15: return cg_max_dim(x, 1, false, NULL);
    case 16: return cg_nll_loss(x, nll_target());
    case 17: return cg_clone(x);
    case 18: return cg_to(x, CG_FLOAT32);
    case 19: return cg_add(x, y);
    case 20: return cg_sub(x, y);
    case 21: return cg_add_scalar(x, 2);
    case 22: return cg_rsub_scalar(x, 2);
    case 23: return cg_mul_scalar(x, 2);
    case 24: return cg_div_scalar(x, 2);
    case 25: return cg_pow(cg_abs(x), y);
    case 26: return cg_rpow_scalar(x, 2);
    case 27: return cg_rdiv_scalar(x, 1);
    case 28: return cg_maximum(x, y);
    case 29: return cg_minimum(x, y);
    case 30: return cg_neg(x);
    case 31: return cg_log(cg_abs(x));
    case 32: return cg_log1p(cg_abs(x));
    case 33: return cg_sqrt(cg_abs(x));
    case 34: return cg_sign(x);
    case 35: return cg_cos(x);
    case 36: return cg_tan(x);
    case 37: return cg_sum(x);
    case 38: return cg_sum(x, CG_DIMS(1));
    case 39: return cg_mean(x);
    case 40: return cg_mean(x, CG_DIMS(1));
    case 41: return cg_norm(x, 2);
    case 42: return cg_prod(x);
    case 43: return cg_max(x);
    case 44: return cg_min_dim(x, 1, false, NULL);
    case 45: return cg_view(x, 6);
    case 46: return cg_expand(x, 2, 2, 3);
    case 47: return cg_permute(x, 1, 0);
    case 48: return cg_select(x, 0, 1);
    case 49: return cg_slice(cg_slice(x, 0, 0, INT64_MAX, 1), 1, 1, INT64_MAX, 1); /* x[:, 1:] */
    case 50: return piece(unbind_cut, x, 0, 0, 0);
    case 51: return piece(split_cut, x, 1, 0, 0);
    case 52: return cg_cat(CG_LIST(x, y), 0);
    case 53: return cg_stack(CG_LIST(x, y), 0);
    case 54: return cg_index_select(x, 1, cg_tensor_i64(((int64_t[]){0, 2}), 2));
    case 55: return cg_gather(x, 1, cg_tensor_i64(((int64_t[]){0, 2}), 2, 1));
    case 56: return cg_scatter_add(x, 1, cg_tensor_i64(((int64_t[]){0, 2}), 2, 1), cg_slice(y, 1, 0, 1, 1));
    case 57: return cg_masked_fill(x, cg_gt_scalar(x, 0), 3.0);
    case 58: return cg_mv(x, cg_select(y, 0, 0));
    case 59: return cg_dot(cg_select(x, 0, 0), cg_select(y, 0, 0));
    case 60: return cg_binary_cross_entropy_with_logits(x, cg_sigmoid(y));
    case 61: return cg_mse_loss(x, y);
    case 62: return cg_softmax(x, 1);
    case 63: return cg_log_softmax(x, 1);
    case 64: return cg_cross_entropy(x, nll_target());
    case 65: return cg_add_alpha(x, y, 2);
    case 66: return cg_sub_alpha(x, y, 2);
    case 67: return cg_addcmul(x, y, x, 0.5);
    case 68: return cg_addcdiv(x, x, y, 0.5);
    case 69: return cg_lerp_scalar(x, y, 0.25);
    case 70: return cg_lerp(x, y, x);
    case 71: return cg_clamp_tensor(x, cg_sub_scalar(y, 1), cg_add_scalar(y, 1));
    case 72: return cg_t(x);
    case 73: return cg_transpose(x, 0, 1);
    case 74: return cg_unsqueeze(x, 1);
    case 75: return cg_squeeze(cg_view(x, 2, 1, 3));
    case 76: return cg_reshape(cg_t(x), 6);
    case 77: return cg_narrow(x, 1, 1, 2);
    case 78: return piece(chunk_cut, x, 2, 1, 1);
    case 79: {
        cg_tensor *z = cg_mul_scalar(x, 1);
        return cg_mul_(z, y) == 0 ? z : NULL;
    }
    case 80: {
        cg_tensor *z = cg_mul_scalar(x, 1);
        return cg_div_(cg_select(z, 0, 0), cg_select(y, 0, 0)) == 0 ? z : NULL;
    }
    case 81: {
        cg_tensor *z = cg_mul_scalar(x, 1);
        return cg_exp_(z) == 0 ? z : NULL;
    }
    case 82: return cg_bmm(cg_view(x, 1, 2, 3), cg_view(y, 1, 3, 2));
    case 83: return cg_matmul(cg_select(x, 0, 0), cg_t(y));
    case 84: return cg_to(cg_to(x, CG_FLOAT32), CG_FLOAT64);
    case 85: return cg_pow_scalar(x, -2);
    case 86: return cg_sqrt(cg_sqrt(cg_abs(x)));
    case 87: return cg_pow(cg_add_scalar(cg_mul(x, x), 1), y);
    case 88: return cg_rpow_scalar(x, 3.0);
    case 89: return cg_sum(x, CG_DIMS(1), .keepdim = true);
    case 90: return cg_mean(x, CG_DIMS(0), .keepdim = true);
    case 91: return cg_var(x, CG_DIMS(1));
    case 92: return cg_std(x, CG_DIMS(0), .keepdim = true);
    case 93: return cg_norm(x, 3, CG_DIMS(1));
    case 94: return cg_prod(cg_add_scalar(x, 5));
    case 95: return cg_max_dim(x, 0, true, NULL);
    default: return cg_min(x);
    }
}

/* Python's [(name(f), i) for f, i in t.grad_fn.next_functions], [] without a grad_fn. */
static void print_next_names(cg_tensor *t) {
    cg_node *fn = t ? cg_grad_fn(t) : NULL;
    fprintf(out, "[");
    for (int i = 0; fn && i < cg_node_num_next(fn); i++) {
        int nr = 0;
        cg_node *next = cg_node_next(fn, i, &nr);
        fprintf(out, "%s(%s, %d)", i ? ", " : "", next ? cg_node_name(next) : "None", nr);
    }
    fprintf(out, "]\n");
}

static void double_backward_names(void) {
    static const char *ops[] = {"mul", "div", "pow_scalar", "exp", "sin", "tanh", "sigmoid", "relu", "abs",
                                "var", "std", "prod_dim", "mm", "where", "clamp", "max_dim", "nll_loss",
                                "clone", "to_copy", "add", "sub", "add_scalar", "rsub_scalar", "mul_scalar",
                                "div_scalar", "pow", "rpow_scalar", "reciprocal", "maximum", "minimum", "neg",
                                "log", "log1p", "sqrt", "sign", "cos", "tan", "sum", "sum_dims", "mean",
                                "mean_dims", "norm", "prod", "max", "min_dim", "view", "expand", "permute",
                                "select", "slice", "unbind", "split", "cat", "stack", "index_select", "gather",
                                "scatter_add", "masked_fill", "mv", "dot", "bce", "mse", "softmax",
                                "log_softmax", "cross_entropy", "add_alpha", "sub_alpha", "addcmul", "addcdiv",
                                "lerp_scalar", "lerp", "clamp_tensor", "t", "transpose", "unsqueeze", "squeeze",
                                "reshape_copy", "narrow", "chunk", "mul_inplace", "div_inplace_view", "exp_inplace",
                                "bmm", "matmul_vec_mat", "to_double", "pow_tensor_scalar_neg", "sqrt_twice",
                                "pow_direct", "rpow_direct", "sum_keepdim", "mean_keepdim", "var_dim", "std_dim",
                                "norm_dim", "prod_all_nozero", "max_dim_keepdim", "min_all"};
    double xv[] = {0.5, -1.2, 2.0, 1.5, 0.3, -0.7}, yv[] = {1.1, 0.4, -2.0, 0.2, 1.3, 0.9};
    for (int i = 0; i < (int)(sizeof ops / sizeof ops[0]); i++) {
        cg_tensor *x = leaf(cg_tensor_f64(xv, 2, 3)), *y = leaf(cg_tensor_f64(yv, 2, 3));
        cg_tensor *o = double_backward_op(i, x, y), *g[2] = {0}, *h[2] = {0};
        error_if(cg_autograd_grad(CG_TENSORS(o), CG_TENSORS(x, y), g, CG_TENSORS(cg_ones_like(o)), .create_graph = true,
                                  .allow_unused = true));
        o = double_backward_op(i, x, y);
        error_if(cg_autograd_grad(CG_TENSORS(o), CG_TENSORS(x, y), h, CG_TENSORS(leaf(cg_ones_like(o))),
                                  .create_graph = true, .allow_unused = true));
        fprintf(out, "%s %s %s %s %s ", ops[i], history_name(g[0]), history_name(g[1]), history_name(h[0]),
                history_name(h[1]));
        print_next_names(h[0]);
    }
}

/* grad(grad(f(x).sum(), x, create_graph).sum(), x) */
static void second_derivative(cg_tensor *y, cg_tensor *x) {
    cg_tensor *g = NULL, *h = NULL;
    error_if(cg_autograd_grad(CG_TENSORS(y), CG_TENSORS(x), &g, .create_graph = true));
    error_if(cg_autograd_grad(CG_TENSORS(cg_sum(g)), CG_TENSORS(x), &h, .create_graph = false));
    fprintf(out, "%s ", history_name(g));
    show(h);
}

static void second_derivatives_through_masks(void) {
    cg_tensor *x = leaf(F64(0.5, -1.2, 2.0, -0.3));
    second_derivative(cg_sum(cg_relu(x)), x);
    second_derivative(cg_sum(cg_tanh(x)), x);
    second_derivative(cg_sum(cg_sigmoid(x)), x);
    cg_tensor *m = leaf(cg_tensor_f64(((double[]){0.5, -1.2, 2.0, -0.3}), 2, 2));
    cg_tensor *nll = cg_nll_loss(m, cg_tensor_i64(((int64_t[]){1, 0}), 2));
    second_derivative(cg_pow_scalar(cg_mul_scalar(nll, 3), 2), m);
    second_derivative(cg_sum(cg_max_dim(cg_mul(m, m), 1, false, NULL)), m);
}

static const scenario scenarios[] = {
    {"absent_through_views", absent_through_views},
    {"absent_through_ops", absent_through_ops},
    {"absent_pieces", absent_pieces},
    {"integer_outputs", integer_outputs},
    {"backward_inputs_through_hooks", backward_inputs_through_hooks},
    {"grad_kept_as_it_arrives", grad_kept_as_it_arrives},
    {"pow_with_a_false_exponent", pow_with_a_false_exponent},
    {"expanded_view_of_rewritten_base", expanded_view_of_rewritten_base},
    {"second_derivatives", second_derivatives},
    {"second_order_through_inplace_view", second_order_through_inplace_view},
    {"var_without_degrees_of_freedom", var_without_degrees_of_freedom},
    {"prod_float32_bits", prod_float32_bits},
    {"inf_and_signed_zero_gradients", inf_and_signed_zero_gradients},
    {"masked_fill_with_a_tensor", masked_fill_with_a_tensor},
    {"double_backward_names", double_backward_names},
    {"second_derivatives_through_masks", second_derivatives_through_masks},
};

static void test_scenarios(void) {
    run_scenarios(scenarios, sizeof scenarios / sizeof scenarios[0], "tests/data/backward_edges.txt");
}

int main(void) {
    RUN(test_scenarios);
    HARNESS_END();
}
