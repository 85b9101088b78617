/* Custom functions (torch.autograd.Function from C): values, node names, saved-tensor checks,
 * errors from a user's backward, double backward, once_differentiable, mark_dirty,
 * mark_non_differentiable, set_materialize_grads, gradcheck. Expected texts are PyTorch 1.13's
 * (the same Functions written in Python and run). */
#include "harness.h"

/* ---- Square: y = x * x, saving its input ---- */
static int square_forward(cg_ctx *ctx, cg_tensor **in, int nin, cg_tensor **out, int nout, void *user) {
    (void)nin, (void)nout, (void)user;
    if (cg_ctx_save_for_backward(ctx, 1, in) < 0) return -1;
    out[0] = cg_mul(in[0], in[0]);
    return out[0] ? 0 : -1;
}
static int square_backward(cg_ctx *ctx, cg_tensor **g, int nout, cg_tensor **gin, int nin) {
    (void)nout, (void)nin;
    cg_tensor *saved[4];
    if (cg_ctx_saved_tensors(ctx, saved) != 1) return -1;
    gin[0] = cg_mul(cg_mul_scalar(saved[0], 2.0), g[0]);
    return gin[0] ? 0 : -1;
}
static const cg_autograd_function square = {.name = "Sq", .forward = square_forward, .backward = square_backward};
static const cg_autograd_function square_once = {
    .name = "Once", .forward = square_forward, .backward = square_backward, .once_differentiable = true};

static cg_tensor *apply1(const cg_autograd_function *f, cg_tensor *x) {
    cg_tensor *y = NULL;
    return cg_function_apply(f, &x, 1, &y, 1, NULL) == 0 ? y : NULL;
}

static cg_tensor *leaf(double a, double b) {
    return cg_requires_grad_(cg_tensor_f64(((double[]){a, b}), 2), true);
}

static void test_forward_backward_and_name(void) {
    cg_tensor *x = leaf(1, 2);
    cg_tensor *y = apply1(&square, x);
    CHECK_OK(y);
    char text[200];
    cg_format(y, text, sizeof text);
    CHECK_STR(text, "tensor([1., 4.], dtype=torch.float64, grad_fn=<SqBackward>)");
    CHECK_STR(cg_node_name(cg_grad_fn(y)), "SqBackward");
    int nr = -1;
    CHECK_STR(cg_node_name(cg_node_next(cg_grad_fn(y), 0, &nr)), "AccumulateGrad");
    CHECK(cg_backward(cg_sum(y)) == 0);
    CHECK(harness_values_close(cg_grad(x), (double[]){2, 4}, 0));
    /* the saved tensors are freed: PyTorch's message for a second backward */
    CHECK_ERROR(cg_backward(cg_sum(y)) == 0,
                "Trying to backward through the graph a second time (or directly access saved tensors after they have "
                "already been freed). Saved intermediate values of the graph are freed when you call .backward() or "
                "autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time "
                "or if you need to access saved tensors after calling backward.");
}

static int record_grad_mode(cg_ctx *ctx, cg_tensor **in, int nin, cg_tensor **out, int nout, void *user) {
    (void)nin, (void)nout;
    bool *seen = user;
    seen[0] = cg_is_grad_enabled();
    seen[1] = cg_ctx_needs_input_grad(ctx, 0);
    seen[2] = cg_ctx_needs_input_grad(ctx, 1);
    out[0] = cg_add(in[0], in[1]);
    return out[0] ? 0 : -1;
}
static int pass_both(cg_ctx *ctx, cg_tensor **g, int nout, cg_tensor **gin, int nin) {
    (void)ctx, (void)nout, (void)nin;
    gin[0] = g[0];
    gin[1] = g[0];
    return 0;
}

static void test_forward_runs_under_no_grad(void) {
    cg_tensor *x = leaf(1, 2), *c = cg_tensor_f64(((double[]){3, 4}), 2);
    bool seen[3] = {true, false, true};
    cg_tensor *in[2] = {x, c}, *y = NULL;
    const cg_autograd_function f = {.name = "Add", .forward = record_grad_mode, .backward = pass_both};
    CHECK(cg_function_apply(&f, in, 2, &y, 1, seen) == 0);
    CHECK(!seen[0] && seen[1] && !seen[2]);
    CHECK(cg_requires_grad(y));
    /* no input requiring grad: no history */
    cg_tensor *in2[2] = {c, c};
    CHECK(cg_function_apply(&f, in2, 2, &y, 1, seen) == 0);
    CHECK(!cg_requires_grad(y) && cg_grad_fn(y) == NULL);
    /* and under no_grad neither */
    CG_NO_GRAD { CHECK(cg_function_apply(&f, in, 2, &y, 1, seen) == 0); }
    CHECK(!cg_requires_grad(y) && !seen[1]);
}

static void test_modified_saved_tensor(void) {
    cg_tensor *x = leaf(1, 2), *h = cg_mul_scalar(x, 1.0);
    cg_tensor *y = apply1(&square, h);
    CG_NO_GRAD { cg_mul_scalar_(h, 1.0); }
    CHECK_ERROR(cg_backward(cg_sum(y)) == 0,
                "one of the variables needed for gradient computation has been modified by an inplace operation: "
                "[torch.DoubleTensor [2]], which is output 0 of MulBackward0, is at version 1; expected version 0 "
                "instead. Hint: enable anomaly detection to find the operation that failed to compute its gradient, "
                "with torch.autograd.set_detect_anomaly(True).");
}

/* SqOut saves its output */
static int square_out_forward(cg_ctx *ctx, cg_tensor **in, int nin, cg_tensor **out, int nout, void *user) {
    (void)nin, (void)nout, (void)user;
    out[0] = cg_mul(in[0], in[0]);
    return out[0] && cg_ctx_save_for_backward(ctx, 1, out) == 0 ? 0 : -1;
}
static int square_out_backward(cg_ctx *ctx, cg_tensor **g, int nout, cg_tensor **gin, int nin) {
    (void)nout, (void)nin;
    cg_tensor *saved[4];
    if (cg_ctx_saved_tensors(ctx, saved) != 1) return -1;
    gin[0] = cg_mul(cg_mul_scalar(cg_sqrt(saved[0]), 2.0), g[0]);
    return gin[0] ? 0 : -1;
}

static void test_saved_output(void) {
    const cg_autograd_function f = {.name = "SqOut", .forward = square_out_forward, .backward = square_out_backward};
    cg_tensor *x = leaf(1, 2);
    cg_tensor *y = apply1(&f, x);
    CHECK(cg_backward(cg_sum(y), .retain_graph = true) == 0);
    CHECK(harness_values_close(cg_grad(x), (double[]){2, 4}, 0));
    CG_NO_GRAD { cg_mul_scalar_(y, 1.0); }
    CHECK_ERROR(cg_backward(cg_sum(y)) == 0,
                "one of the variables needed for gradient computation has been modified by an inplace operation: "
                "[torch.DoubleTensor [2]], which is output 0 of SqOutBackward, is at version 1; expected version 0 "
                "instead. Hint: enable anomaly detection to find the operation that failed to compute its gradient, "
                "with torch.autograd.set_detect_anomaly(True).");
}

static int failing_backward(cg_ctx *ctx, cg_tensor **g, int nout, cg_tensor **gin, int nin) {
    (void)ctx, (void)g, (void)nout, (void)gin, (void)nin;
    cg_raise("custom failure %d", 7);
    return -1;
}

static void test_backward_error_reaches_caller(void) {
    const cg_autograd_function f = {.name = "Err", .forward = square_forward, .backward = failing_backward};
    cg_tensor *x = leaf(1, 2);
    cg_tensor *y = apply1(&f, x);
    CHECK_ERROR(cg_backward(cg_sum(y)) == 0, "custom failure 7");
    CHECK_STR(cg_error_kind_name(cg_last_error_kind()), "RuntimeError");
    CHECK(cg_grad(x) == NULL);
}

static void test_double_backward(void) {
    cg_tensor *x = leaf(1, 2), *g = NULL;
    cg_tensor *y = apply1(&square, x);
    CHECK(cg_autograd_grad(.outputs = CG_TENSORS(cg_sum(y)), .inputs = CG_TENSORS(x), .results = &g,
                           .create_graph = true) == 0);
    CHECK(harness_values_close(g, (double[]){2, 4}, 0));
    CHECK_STR(cg_node_name(cg_grad_fn(g)), "MulBackward0");
    CHECK(cg_backward(cg_sum(g)) == 0);
    CHECK(harness_values_close(cg_grad(x), (double[]){2, 2}, 0));
}

static void test_once_differentiable(void) {
    cg_tensor *x = leaf(1, 2), *g = NULL;
    cg_tensor *y = apply1(&square_once, x);
    /* the gradient reaching the node has history (2 y): the result is behind an Error node */
    CHECK(cg_autograd_grad(.outputs = CG_TENSORS(cg_sum(cg_mul(y, y))), .inputs = CG_TENSORS(x), .results = &g,
                           .create_graph = true) == 0);
    CHECK(harness_values_close(g, (double[]){4, 32}, 0));
    CHECK_STR(cg_node_name(cg_grad_fn(g)), "Error");
    CHECK_ERROR(cg_backward(cg_sum(g)) == 0,
                "trying to differentiate twice a function that was marked with @once_differentiable");
    /* a gradient without history: a plain result, as PyTorch's */
    y = apply1(&square_once, x);
    CHECK(cg_autograd_grad(.outputs = CG_TENSORS(cg_sum(y)), .inputs = CG_TENSORS(x), .results = &g,
                           .create_graph = true) == 0);
    CHECK(!cg_requires_grad(g));
    CHECK_ERROR(cg_backward(cg_sum(g)) == 0, "element 0 of tensors does not require grad and does not have a grad_fn");
}

/* Dirty: x.mul_(2) in place, returned */
static int dirty_forward(cg_ctx *ctx, cg_tensor **in, int nin, cg_tensor **out, int nout, void *user) {
    (void)nin, (void)nout, (void)user;
    if (cg_mul_scalar_(in[0], 2.0) < 0 || cg_ctx_mark_dirty(ctx, 0) < 0) return -1;
    out[0] = in[0];
    return 0;
}
static int double_backward_fn(cg_ctx *ctx, cg_tensor **g, int nout, cg_tensor **gin, int nin) {
    (void)ctx, (void)nout, (void)nin;
    gin[0] = cg_mul_scalar(g[0], 2.0);
    return gin[0] ? 0 : -1;
}

static void test_mark_dirty(void) {
    const cg_autograd_function f = {.name = "Dirty", .forward = dirty_forward, .backward = double_backward_fn};
    cg_tensor *x = leaf(1, 2);
    CHECK_ERROR(apply1(&f, x), "a leaf Variable that requires grad has been used in an in-place operation.");
    cg_tensor *a = cg_clone(x);
    cg_tensor *b = apply1(&f, a);
    CHECK(b == a);
    char text[200];
    cg_format(b, text, sizeof text);
    CHECK_STR(text, "tensor([4., 8.], dtype=torch.float64, grad_fn=<DirtyBackward>)");
    CHECK(cg_backward(cg_sum(b)) == 0);
    CHECK(harness_values_close(cg_grad(x), (double[]){2, 2}, 0));
}

/* ND: (max, argmax), the index non-differentiable */
static int nd_forward(cg_ctx *ctx, cg_tensor **in, int nin, cg_tensor **out, int nout, void *user) {
    (void)nin, (void)nout, (void)user;
    out[0] = cg_max(in[0]);
    out[1] = cg_argmax(in[0]);
    if (!out[0] || !out[1] || cg_ctx_mark_non_differentiable(ctx, 1) < 0) return -1;
    cg_tensor *saved[2] = {in[0], out[1]};
    return cg_ctx_save_for_backward(ctx, 2, saved);
}
static int nd_backward(cg_ctx *ctx, cg_tensor **g, int nout, cg_tensor **gin, int nin) {
    (void)nout, (void)nin;
    bool *saw_zero_index_grad = cg_ctx_user(ctx);
    *saw_zero_index_grad = g[1] && cg_item(g[1]) == 0 && cg_numel(g[1]) == 1;
    cg_tensor *saved[4];
    if (cg_ctx_saved_tensors(ctx, saved) != 2) return -1;
    cg_tensor *onehot = cg_eq(cg_arange(0, 2, 1, CG_INT64), saved[1]);
    gin[0] = cg_mul(cg_to(onehot, CG_FLOAT64), g[0]);
    return gin[0] ? 0 : -1;
}

static void test_mark_non_differentiable(void) {
    const cg_autograd_function f = {.name = "ND", .forward = nd_forward, .backward = nd_backward};
    cg_tensor *x = leaf(1, 2), *out[2];
    bool saw = false;
    CHECK(cg_function_apply(&f, &x, 1, out, 2, &saw) == 0);
    char text[200];
    cg_format(out[0], text, sizeof text);
    CHECK_STR(text, "tensor(2., dtype=torch.float64, grad_fn=<NDBackward>)");
    CHECK(!cg_requires_grad(out[1]));
    CHECK(cg_backward(out[0]) == 0);
    CHECK(saw);
    CHECK(harness_values_close(cg_grad(x), (double[]){0, 1}, 0));
}

/* Two: (x + y, x * y), materialize_grads off */
static int two_forward(cg_ctx *ctx, cg_tensor **in, int nin, cg_tensor **out, int nout, void *user) {
    (void)nin, (void)nout, (void)user;
    cg_ctx_set_materialize_grads(ctx, false);
    out[0] = cg_add(in[0], in[1]);
    out[1] = cg_mul(in[0], in[1]);
    return out[0] && out[1] ? 0 : -1;
}
static int two_backward(cg_ctx *ctx, cg_tensor **g, int nout, cg_tensor **gin, int nin) {
    (void)nout, (void)nin;
    bool *second_missing = cg_ctx_user(ctx);
    *second_missing = g[1] == NULL;
    gin[0] = g[0];
    gin[1] = g[0];
    return 0;
}

static void test_materialize_grads_off(void) {
    const cg_autograd_function f = {.name = "Two", .forward = two_forward, .backward = two_backward};
    cg_tensor *x = leaf(1, 2), *in[2] = {x, cg_detach(x)}, *out[2];
    bool missing = false;
    CHECK(cg_function_apply(&f, in, 2, out, 2, &missing) == 0);
    char text[200];
    cg_format(out[1], text, sizeof text);
    CHECK_STR(text, "tensor([1., 4.], dtype=torch.float64, grad_fn=<TwoBackward>)");
    CHECK(cg_backward(cg_sum(out[0])) == 0);
    CHECK(missing);
    CHECK(harness_values_close(cg_grad(x), (double[]){1, 1}, 0));
}

/* Ret: returns its input unchanged, which becomes a view with the node as history */
static int ret_forward(cg_ctx *ctx, cg_tensor **in, int nin, cg_tensor **out, int nout, void *user) {
    (void)ctx, (void)nin, (void)nout, (void)user;
    out[0] = in[0];
    return 0;
}
static int ret_backward(cg_ctx *ctx, cg_tensor **g, int nout, cg_tensor **gin, int nin) {
    (void)ctx, (void)nout, (void)nin;
    gin[0] = g[0];
    return 0;
}

static void test_returned_input(void) {
    const cg_autograd_function f = {.name = "Ret", .forward = ret_forward, .backward = ret_backward};
    cg_tensor *x = leaf(1, 2);
    cg_tensor *r = apply1(&f, x);
    CHECK(r && r != x);
    CHECK(cg_is_leaf(x) && cg_grad_fn(x) == NULL);
    CHECK_STR(cg_node_name(cg_grad_fn(r)), "RetBackward");
}

static int freed;
static void free_state(void *state) {
    freed++;
    free(state);
}
static int stateful_forward(cg_ctx *ctx, cg_tensor **in, int nin, cg_tensor **out, int nout, void *user) {
    (void)nin, (void)nout, (void)user;
    double *factor = malloc(sizeof *factor);
    if (!factor) return -1;
    *factor = 3.0;
    cg_ctx_set_state(ctx, factor, free_state);
    out[0] = cg_mul_scalar(in[0], *factor);
    return out[0] ? 0 : -1;
}
static int stateful_backward(cg_ctx *ctx, cg_tensor **g, int nout, cg_tensor **gin, int nin) {
    (void)nout, (void)nin;
    gin[0] = cg_mul_scalar(g[0], *(double *)cg_ctx_state(ctx));
    return gin[0] ? 0 : -1;
}

static void test_state_destructor(void) {
    const cg_autograd_function f = {.name = "Scale", .forward = stateful_forward, .backward = stateful_backward};
    freed = 0;
    CG_SCOPE {
        cg_tensor *x = leaf(1, 2);
        cg_tensor *y = apply1(&f, x);
        CHECK(cg_backward(cg_sum(y)) == 0);
        CHECK(harness_values_close(cg_grad(x), (double[]){3, 3}, 0));
        CHECK(freed == 0);
    }
    CHECK(freed == 1); /* with the node */
    CG_SCOPE { CHECK(apply1(&f, cg_tensor_f64(((double[]){1, 2}), 2)) != NULL); }
    CHECK(freed == 2); /* nothing recorded: at once */
}

static int apply_square(cg_tensor **in, cg_tensor **out, void *user) {
    (void)user;
    return cg_function_apply(&square, in, 1, out, 1, NULL) == 0 ? 1 : -1;
}

static void test_gradcheck(void) {
    cg_tensor *x = cg_requires_grad_(cg_tensor_f64(((double[]){0.3, -1.2, 2.5}), 3), true);
    CHECK_MSG(cg_gradcheck(.fn = apply_square, .inputs = CG_TENSORS(x)) == 0, "%s", cg_last_error());
    CHECK_MSG(cg_gradgradcheck(.fn = apply_square, .inputs = CG_TENSORS(x)) == 0, "%s", cg_last_error());
}

/* ---- PyTorch's tutorial function, LegendrePolynomial3 ---- */
static int p3_forward(cg_ctx *ctx, cg_tensor **in, int nin, cg_tensor **out, int nout, void *user) {
    (void)nin, (void)nout, (void)user;
    if (cg_ctx_save_for_backward(ctx, 1, in) < 0) return -1;
    out[0] = cg_mul_scalar(cg_sub(cg_mul_scalar(cg_pow_scalar(in[0], 3), 5), cg_mul_scalar(in[0], 3)), 0.5);
    return out[0] ? 0 : -1;
}
static int p3_backward(cg_ctx *ctx, cg_tensor **g, int nout, cg_tensor **gin, int nin) {
    (void)nout, (void)nin;
    cg_tensor *saved[1];
    if (cg_ctx_saved_tensors(ctx, saved) != 1) return -1;
    gin[0] = cg_mul(cg_mul_scalar(g[0], 1.5), cg_sub_scalar(cg_mul_scalar(cg_pow_scalar(saved[0], 2), 5), 1));
    return gin[0] ? 0 : -1;
}
static int apply_p3(cg_tensor **in, cg_tensor **out, void *user) {
    (void)user;
    static const cg_autograd_function p3 = {.name = "LegendrePolynomial3", .forward = p3_forward, .backward = p3_backward};
    return cg_function_apply(&p3, in, 1, out, 1, NULL) == 0 ? 1 : -1;
}

static void test_legendre_gradcheck(void) {
    cg_manual_seed(0);
    cg_tensor *x = cg_requires_grad_(cg_randn_shape(CG_FLOAT64, CG_SHAPE(5)), true);
    cg_tensor *y = NULL;
    CHECK(apply_p3(&x, &y, NULL) == 1);
    CHECK_STR(cg_node_name(cg_grad_fn(y)), "LegendrePolynomial3Backward");
    CHECK_MSG(cg_gradcheck(.fn = apply_p3, .inputs = CG_TENSORS(x)) == 0, "%s", cg_last_error());
    CHECK_MSG(cg_gradgradcheck(.fn = apply_p3, .inputs = CG_TENSORS(x)) == 0, "%s", cg_last_error());
}

#ifndef CG_HAVE_SLEEF
/* got and expected are the same text but for their numbers, which agree within tol (relative). */
static bool same_text_numbers_within(const char *got, const char *expected, double tol) {
    while (*got && *expected) {
        char *g_end, *e_end;
        double g = strtod(got, &g_end), e = strtod(expected, &e_end);
        if (g_end != got && e_end != expected) {
            if (!(fabs(g - e) <= tol * fmax(1, fabs(e)))) return false;
            got = g_end;
            expected = e_end;
        } else if (*got++ != *expected++) {
            return false;
        }
    }
    return *got == *expected;
}
#endif

/* examples/polynomial_custom_function.c prints what PyTorch's tutorial prints, byte for byte where
 * sin is SLEEF's as in PyTorch; libm's sinf (the build without SLEEF) rounds some y differently, so
 * there the numbers agree within 1e-5. */
static void test_tutorial_example_matches_pytorch(void) {
    FILE *f = fopen("tests/data/polynomial_custom_function.txt", "r");
    CHECK_MSG(f != NULL, "no golden output");
    if (!f) return;
    char expected[4096] = "", got[4096] = "";
    size_t ne = fread(expected, 1, sizeof expected - 1, f);
    fclose(f);
    expected[ne] = 0;
    const char *runner = getenv("CG_CHILD_RUNNER");
    char command[512];
    snprintf(command, sizeof command, "%s %s/examples/polynomial_custom_function", runner ? runner : "", CG_BUILD_DIR);
    FILE *p = popen(command, "r");
    CHECK_MSG(p != NULL, "cannot run %s", command);
    if (!p) return;
    size_t ng = fread(got, 1, sizeof got - 1, p);
    got[ng] = 0;
    CHECK(pclose(p) == 0);
#ifdef CG_HAVE_SLEEF
    CHECK_STR(got, expected);
#else
    CHECK_MSG(same_text_numbers_within(got, expected, 1e-5), "got:\n%s", got);
#endif
}

int main(void) {
    RUN(test_forward_backward_and_name);
    RUN(test_forward_runs_under_no_grad);
    RUN(test_modified_saved_tensor);
    RUN(test_saved_output);
    RUN(test_backward_error_reaches_caller);
    RUN(test_double_backward);
    RUN(test_once_differentiable);
    RUN(test_mark_dirty);
    RUN(test_mark_non_differentiable);
    RUN(test_materialize_grads_off);
    RUN(test_returned_input);
    RUN(test_state_destructor);
    RUN(test_gradcheck);
    RUN(test_legendre_gradcheck);
    RUN(test_tutorial_example_matches_pytorch);
    HARNESS_END();
}
