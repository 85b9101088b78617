/* The functional API (jacobian, hessian, vjp, jvp, vhp, hvp) against PyTorch 1.13: values,
 * grad_fns, differentiability of create_graph results, and every error message, from
 * tests/data/functional.txt (tools/gen_functional.py). */
#include "golden.h"
#include "harness.h"

#include <stdlib.h>

/* ---- the functions of tools/gen_functional.py, formula for formula ---- */

#define FN(name) static int f_##name(cg_tensor **in, cg_tensor **out, void *user)
#define X in[0]
#define Y in[1]

FN(cube_sum) { (void)user; out[0] = cg_sum(cg_pow_scalar(X, 3)); return 1; }
FN(sq_sum) { (void)user; out[0] = cg_sum(cg_mul(X, X)); return 1; }
FN(poly2) {
    (void)user;
    out[0] = cg_sum(cg_add(cg_mul(cg_pow_scalar(X, 2), Y), cg_div(cg_mul_scalar(X, 3), Y)));
    return 1;
}
FN(poly_same) {
    (void)user;
    out[0] = cg_sum(cg_add(cg_mul(cg_pow_scalar(X, 2), Y), cg_mul(cg_mul_scalar(X, 3), cg_pow_scalar(Y, 3))));
    return 1;
}
FN(multi_same) {
    (void)user;
    out[0] = cg_mul(X, Y);
    out[1] = cg_add(cg_mul_scalar(cg_pow_scalar(X, 2), 2), Y);
    return 2;
}
FN(multi) {
    (void)user;
    out[0] = cg_mul(X, Y);
    out[1] = cg_add(cg_mul_scalar(cg_select(X, 1, 0), 2), cg_pow_scalar(cg_select(Y, 0, 1), 2));
    out[2] = cg_mean(Y);
    return 3;
}
FN(unused) { (void)user; out[0] = cg_mul_scalar(cg_pow_scalar(X, 2), 2); return 1; }
FN(unused_sum) { (void)user; out[0] = cg_sum(cg_pow_scalar(X, 3)); return 1; }
FN(constant) { (void)in, (void)user; out[0] = cg_ones_shape(CG_FLOAT64, CG_SHAPE(2)); return 1; }
FN(linear) { (void)user; out[0] = cg_add_scalar(cg_mul_scalar(X, 3), 1); return 1; }
FN(lin_sum) { (void)user; out[0] = cg_sum(cg_mul_scalar(X, 3)); return 1; }
FN(identity) { (void)user; out[0] = X; return 1; }
FN(one_elem) { (void)user; out[0] = cg_view(cg_sum(cg_mul(X, X)), 1); return 1; }
FN(views) { (void)user; out[0] = cg_pow_scalar(cg_mul(cg_view(X, 4), cg_select(cg_select(X, 0, 1), 0, 0)), 2); return 1; }
FN(views_t) { (void)user; out[0] = cg_pow_scalar(cg_mul(X, cg_select(cg_select(X, 0, 1), 0, 0)), 3); return 1; }
FN(quartic) {
    (void)user;
    out[0] = cg_add(cg_sum(cg_mul(cg_pow_scalar(X, 2), cg_pow_scalar(Y, 2))), cg_mean(cg_pow_scalar(X, 3)));
    return 1;
}
FN(sq_elementwise) { (void)user; out[0] = cg_mul(X, X); return 1; }
FN(two_out) { (void)user; out[0] = cg_pow_scalar(X, 2); out[1] = cg_sum(X); return 2; }
FN(captured) { out[0] = cg_mul(X, user); return 1; }
FN(sign) { (void)user; out[0] = cg_sign(X); return 1; }
FN(mat_tanh) { (void)user; out[0] = cg_tanh(cg_matmul(X, Y)); return 1; }
FN(quad_form) { (void)user; out[0] = cg_matmul(cg_matmul(X, Y), X); return 1; }
FN(mm_sq) { (void)user; out[0] = cg_sum(cg_pow_scalar(cg_matmul(X, Y), 2)); return 1; }
FN(exp_sin) { (void)user; out[0] = cg_sum(cg_mul(cg_exp(X), cg_sin(Y))); return 1; }
FN(tanh_multi) {
    (void)user;
    out[0] = cg_mul_scalar(cg_tanh(X), 2);
    out[1] = cg_sin(cg_add(cg_exp(X), Y));
    out[2] = cg_mean(cg_sigmoid(cg_mul(X, Y)));
    return 3;
}

static const struct {
    const char *name;
    cg_function fn;
} functions[] = {
    {"cube_sum", f_cube_sum}, {"sq_sum", f_sq_sum},     {"poly2", f_poly2},       {"multi", f_multi},
    {"unused", f_unused},     {"unused_sum", f_unused_sum}, {"constant", f_constant}, {"linear", f_linear},
    {"lin_sum", f_lin_sum},   {"identity", f_identity}, {"one_elem", f_one_elem}, {"views", f_views},
    {"quartic", f_quartic},   {"two_out", f_two_out},   {"poly_same", f_poly_same}, {"multi_same", f_multi_same},
    {"captured", f_captured}, {"sign", f_sign},
    {"mat_tanh", f_mat_tanh}, {"quad_form", f_quad_form}, {"mm_sq", f_mm_sq}, {"exp_sin", f_exp_sin},   {"tanh_multi", f_tanh_multi},
};

static cg_function function_named(const char *name) {
    for (size_t i = 0; i < sizeof functions / sizeof functions[0]; i++)
        if (!strcmp(functions[i].name, name)) return functions[i].fn;
    return NULL;
}

/* ---- one golden case ---- */

#define MAX_ITEMS 32

typedef struct {
    char api[16], fn[32];
    bool create_graph, strict;
    int nin, nv, nout, nres, nsecond;
    cg_tensor *in[MAX_ITEMS], *v[MAX_ITEMS];
    char *error;
    /* expected outputs and results: grad_fn name ("None"), requires_grad, value */
    char *out_name[MAX_ITEMS], *res_name[MAX_ITEMS];
    bool out_rg[MAX_ITEMS], res_rg[MAX_ITEMS];
    cg_tensor *out[MAX_ITEMS], *res[MAX_ITEMS], *second[MAX_ITEMS];
} golden_case;

static void free_case(golden_case *c) {
    free(c->error);
    for (int i = 0; i < MAX_ITEMS; i++) {
        free(c->out_name[i]);
        free(c->res_name[i]);
    }
}

/* Reads the next case (its tensors in the current scope); false at the end of the file. */
static bool read_case(golden_file *g, golden_case *c) {
    memset(c, 0, sizeof *c);
    char *line = golden_next_line(g);
    if (!line) return false;
    char *cur = line;
    if (strcmp(golden_token(&cur), "case") != 0) return false;
    snprintf(c->api, sizeof c->api, "%s", golden_token(&cur));
    snprintf(c->fn, sizeof c->fn, "%s", golden_token(&cur));
    c->create_graph = atoi(golden_token(&cur));
    c->strict = atoi(golden_token(&cur));
    while ((line = golden_next_line(g)) && strcmp(line, "end") != 0) {
        cur = line;
        char *tag = golden_token(&cur);
        if (!strcmp(tag, "error")) {
            c->error = strdup(cur + strspn(cur, " "));
        } else if (!strcmp(tag, "in") || !strcmp(tag, "v")) {
            bool rg = atoi(golden_token(&cur));
            cg_tensor *t = golden_tensor(&cur);
            if (rg) cg_requires_grad_(t, true);
            if (tag[0] == 'i') c->in[c->nin++] = t;
            else c->v[c->nv++] = t;
        } else if (!strcmp(tag, "out") || !strcmp(tag, "res")) {
            bool is_out = tag[0] == 'o';
            int k = is_out ? c->nout++ : c->nres++;
            (is_out ? c->out_name : c->res_name)[k] = strdup(golden_token(&cur));
            (is_out ? c->out_rg : c->res_rg)[k] = atoi(golden_token(&cur));
            (is_out ? c->out : c->res)[k] = golden_tensor(&cur);
        } else if (!strcmp(tag, "second")) {
            c->second[c->nsecond++] = golden_tensor(&cur);
        }
    }
    return true;
}

static bool same_shape(const cg_tensor *a, const cg_tensor *b) {
    if (cg_ndim(a) != cg_ndim(b)) return false;
    for (int d = 0; d < cg_ndim(a); d++)
        if (cg_size(a, d) != cg_size(b, d)) return false;
    return true;
}

/* Shape and values within 1e-12 (relative to magnitude). */
static bool values_match(const cg_tensor *got, const cg_tensor *want) {
    if (!got || !same_shape(got, want) || cg_get_dtype(got) != cg_get_dtype(want)) return false;
    return harness_values_close(got, cg_data_ptr(cg_contiguous(cg_to((cg_tensor *)want, CG_FLOAT64))), 1e-12);
}

static const char *name_of(const cg_tensor *t) {
    cg_node *n = cg_grad_fn(t);
    return n ? cg_node_name(n) : "None";
}

static int call_api(golden_case *c, cg_tensor **outputs, cg_tensor **results) {
    cg_function fn = function_named(c->fn);
    cg_tensor_list inputs = {c->in, c->nin};
    cg_tensor_list v = {c->nv ? c->v : NULL, c->nv};
    void *user = c->nin ? c->in[0] : NULL; /* the caller's own tensor, for "captured" */
    const char *api = c->api;
    if (!strcmp(api, "jacobian"))
        return cg_jacobian(.fn = fn, .inputs = inputs, .user = user, .results = results, .create_graph = c->create_graph,
                           .strict = c->strict);
    if (!strcmp(api, "hessian"))
        return cg_hessian(.fn = fn, .inputs = inputs, .user = user, .results = results, .create_graph = c->create_graph,
                          .strict = c->strict);
    cg_vjp_args args = {.fn = fn, .inputs = inputs, .v = v, .user = user, .outputs = outputs, .results = results,
                        .create_graph = c->create_graph, .strict = c->strict};
    if (!strcmp(api, "vjp")) return cg_vjp_opts(args);
    if (!strcmp(api, "jvp")) return cg_jvp_opts(args);
    if (!strcmp(api, "vhp")) return cg_vhp_opts(args);
    return cg_hvp_opts(args);
}

/* What the caller passed in is left as it was: values, requires_grad, no .grad, same version. */
static void check_inputs_untouched(golden_case *c, const int64_t *versions, const char *what) {
    for (int i = 0; i < c->nin + c->nv; i++) {
        cg_tensor *t = i < c->nin ? c->in[i] : c->v[i - c->nin];
        CHECK_MSG(cg_version(t) == versions[i], "%s: input %d modified", what, i);
        CHECK_MSG(cg_is_leaf(t) && cg_grad(t) == NULL, "%s: input %d got a grad or history", what, i);
    }
}

/* d(sum of the results that require grad) / d(each input, then each v, that requires grad). */
static void check_second_order(golden_case *c, cg_tensor **results, int nres, const char *what) {
    cg_tensor *total = NULL, *wrt[2 * MAX_ITEMS];
    int nwrt = 0;
    for (int r = 0; r < nres; r++)
        if (cg_requires_grad(results[r])) total = total ? cg_add(total, cg_sum(results[r])) : cg_sum(results[r]);
    for (int i = 0; i < c->nin + c->nv; i++) {
        cg_tensor *t = i < c->nin ? c->in[i] : c->v[i - c->nin];
        if (cg_requires_grad(t)) wrt[nwrt++] = t;
    }
    if (!total || !nwrt) {
        CHECK_MSG(c->nsecond == 0, "%s: PyTorch's results can be differentiated again", what);
        return;
    }
    CHECK_MSG(nwrt == c->nsecond, "%s: %d tensors to differentiate, PyTorch %d", what, nwrt, c->nsecond);
    cg_tensor *grads[2 * MAX_ITEMS];
    int status = cg_autograd_grad(.outputs = {&total, 1}, .inputs = {wrt, nwrt}, .results = grads,
                                  .allow_unused = true);
    CHECK_MSG(status == 0, "%s: second-order grad failed: %s", what, cg_last_error());
    for (int i = 0; status == 0 && i < nwrt && i < c->nsecond; i++) {
        cg_tensor *g = grads[i] ? grads[i] : cg_zeros_like(wrt[i]);
        CHECK_MSG(values_match(g, c->second[i]), "%s: second-order gradient %d", what, i);
    }
}

static void check_case(golden_case *c) {
    char what[128];
    snprintf(what, sizeof what, "%s(%s, create_graph=%d, strict=%d, %d inputs)", c->api, c->fn, c->create_graph,
             c->strict, c->nin);
    int64_t versions[2 * MAX_ITEMS];
    for (int i = 0; i < c->nin + c->nv; i++) versions[i] = cg_version(i < c->nin ? c->in[i] : c->v[i - c->nin]);
    cg_tensor *outputs[MAX_ITEMS] = {0}, *results[MAX_ITEMS] = {0};
    cg_clear_error();
    bool grad_mode = cg_is_grad_enabled();
    int status = call_api(c, outputs, results);
    CHECK_MSG(cg_is_grad_enabled() == grad_mode, "%s: grad mode not restored", what);
    check_inputs_untouched(c, versions, what);
    if (c->error) {
        CHECK_MSG(status == -1, "%s: expected an error", what);
        CHECK_MSG(!strcmp(harness_error(), c->error), "%s:\n  got:      \"%s\"\n  expected: \"%s\"", what,
                  harness_error(), c->error);
        return;
    }
    CHECK_MSG(status >= 0, "%s: unexpected error: %s", what, cg_last_error());
    if (status < 0) return;
    int expected_status = !strcmp(c->api, "jacobian") ? c->nres / (c->nin ? c->nin : 1)
                          : !strcmp(c->api, "hessian") ? 1 : c->nout;
    CHECK_MSG(status == expected_status, "%s: returned %d, expected %d", what, status, expected_status);
    for (int i = 0; i < c->nout; i++) {
        CHECK_MSG(values_match(outputs[i], c->out[i]), "%s: output %d", what, i);
        CHECK_MSG(cg_requires_grad(outputs[i]) == c->out_rg[i], "%s: output %d requires_grad", what, i);
        CHECK_MSG(!strcmp(name_of(outputs[i]), c->out_name[i]), "%s: output %d grad_fn %s, PyTorch %s", what, i,
                  name_of(outputs[i]), c->out_name[i]);
    }
    for (int r = 0; r < c->nres; r++) {
        CHECK_MSG(values_match(results[r], c->res[r]), "%s: result %d", what, r);
        CHECK_MSG(cg_requires_grad(results[r]) == c->res_rg[r], "%s: result %d requires_grad", what, r);
        /* the node of the last backward formula applied: PyTorch's name (TanhBackwardBackward0, ...) */
        CHECK_MSG(!strcmp(name_of(results[r]), c->res_name[r]), "%s: result %d grad_fn %s, PyTorch %s", what, r,
                  name_of(results[r]), c->res_name[r]);
    }
    check_second_order(c, results, c->nres, what);
}

static void run_golden(const char *api) {
    golden_file g;
    if (golden_open(&g, "tests/data/functional.txt") < 0) {
        CHECK(!"golden file");
        return;
    }
    int count = 0;
    golden_case c;
    for (;;) {
        bool more;
        cg_scope_begin();
        more = read_case(&g, &c);
        if (more && !strcmp(c.api, api)) {
            count++;
            check_case(&c);
        }
        cg_scope_end();
        free_case(&c);
        if (!more) break;
    }
    golden_close(&g);
    CHECK_MSG(count > 0, "no %s cases", api);
}

static void test_jacobian_golden(void) { run_golden("jacobian"); }
static void test_hessian_golden(void) { run_golden("hessian"); }
static void test_vjp_golden(void) { run_golden("vjp"); }
static void test_jvp_golden(void) { run_golden("jvp"); }
static void test_vhp_golden(void) { run_golden("vhp"); }
static void test_hvp_golden(void) { run_golden("hvp"); }

/* ---- the C side: NULLs, failing functions, scopes, grad mode ---- */

static int f_fails(cg_tensor **in, cg_tensor **out, void *user) {
    (void)user;
    out[0] = cg_add(in[0], cg_zeros_shape(CG_FLOAT64, CG_SHAPE(5)));  /* shapes do not broadcast */
    return out[0] ? 1 : -1;
}

static void test_null_arguments_and_failing_functions(void) {
    cg_tensor *x = cg_tensor_f64(((double[]){1, 2}), 2), *r[4];
    cg_clear_error();
    CHECK(cg_jacobian(.fn = f_cube_sum, .inputs = CG_TENSORS(NULL), .results = r) == -1);
    CHECK(cg_vjp(.fn = f_cube_sum, .inputs = CG_TENSORS(x), .results = NULL) == -1);
    CHECK(cg_hvp(.fn = NULL, .inputs = CG_TENSORS(x), .results = r) == -1);
    CHECK_STR(cg_last_error(), "");
    const char *broadcast = "The size of tensor a (2) must match the size of tensor b (5) at non-singleton dimension 0";
    CHECK_ERROR(cg_jacobian(.fn = f_fails, .inputs = CG_TENSORS(x), .results = r) >= 0, broadcast);
    CHECK_ERROR(cg_hessian(.fn = f_fails, .inputs = CG_TENSORS(x), .results = r) >= 0, broadcast);
    CHECK_ERROR(cg_vjp(.fn = f_fails, .inputs = CG_TENSORS(x), .results = r) >= 0, broadcast);
    CHECK_ERROR(cg_jvp(.fn = f_fails, .inputs = CG_TENSORS(x), .v = CG_TENSORS(x), .results = r) >= 0, broadcast);
    CHECK_ERROR(cg_vhp(.fn = f_fails, .inputs = CG_TENSORS(x), .v = CG_TENSORS(x), .results = r) >= 0, broadcast);
    CHECK_ERROR(cg_hvp(.fn = f_fails, .inputs = CG_TENSORS(x), .v = CG_TENSORS(x), .results = r) >= 0, broadcast);
}

/* Results belong to the caller's scope and outlive everything the call made internally. */
static void test_results_live_in_the_callers_scope(void) {
    cg_tensor *x = cg_tensor_f64(((double[]){1, 2, 3}), 3), *J = NULL, *out = NULL, *g = NULL;
    CG_SCOPE {
        CHECK(cg_jacobian(.fn = f_linear, .inputs = CG_TENSORS(x), .results = &J) == 1);
        cg_keep(J);
        CHECK(cg_vjp(.fn = f_cube_sum, .inputs = CG_TENSORS(x), .outputs = &out, .results = &g) == 1);
        cg_keep(out);
        cg_keep(g);
    }
    CHECK(harness_values_close(J, (double[]){3, 0, 0, 0, 3, 0, 0, 0, 3}, 0));
    CHECK(harness_values_close(out, (double[]){36}, 0));
    CHECK(harness_values_close(g, (double[]){3, 12, 27}, 0));
}

/* Under no_grad the functional API still differentiates (PyTorch enables grad inside), and the
 * mode is restored after it. */
static void test_works_under_no_grad(void) {
    cg_tensor *x = cg_tensor_f64(((double[]){1, 2}), 2), *H[1] = {0}, *hv = NULL;
    CG_NO_GRAD {
        CHECK(cg_hessian(.fn = f_cube_sum, .inputs = CG_TENSORS(x), .results = H) == 1);
        CHECK(cg_hvp(.fn = f_cube_sum, .inputs = CG_TENSORS(x), .v = CG_TENSORS(x), .results = &hv) == 1);
        CHECK(!cg_is_grad_enabled());
    }
    CHECK(harness_values_close(H[0], (double[]){6, 0, 0, 12}, 0));
    CHECK(harness_values_close(hv, (double[]){6, 24}, 0));
}

/* A transposed (non-contiguous) input gives what its contiguous copy gives, with and without a graph. */
static void test_non_contiguous_inputs(void) {
    cg_tensor *base = cg_requires_grad_(cg_tensor_f64(((double[]){0.5, -1, 2, 1.5, 0.25, -0.75}), 2, 3), true);
    cg_tensor *xt = cg_t(base), *xc = cg_contiguous(xt);
    CHECK(!cg_is_contiguous(xt));
    for (int create_graph = 0; create_graph <= 1; create_graph++) {
        cg_tensor *a[1], *b[1], *ha[1], *hb[1];
        CHECK(cg_jacobian(.fn = f_views_t, .inputs = CG_TENSORS(xt), .results = a, .create_graph = create_graph) == 1);
        CHECK(cg_jacobian(.fn = f_views_t, .inputs = CG_TENSORS(xc), .results = b, .create_graph = create_graph) == 1);
        CHECK(a[0] && b[0] && cg_ndim(a[0]) == 4 && cg_size(a[0], 0) == 3 && cg_size(a[0], 3) == 2);
        CHECK(harness_values_close(a[0], cg_data_ptr(cg_contiguous(b[0])), 1e-15));
        CHECK(cg_requires_grad(a[0]) == (create_graph == 1));
        CHECK(cg_hessian(.fn = f_cube_sum, .inputs = CG_TENSORS(xt), .results = ha, .create_graph = create_graph) == 1);
        CHECK(cg_hessian(.fn = f_cube_sum, .inputs = CG_TENSORS(xc), .results = hb, .create_graph = create_graph) == 1);
        CHECK(harness_values_close(ha[0], cg_data_ptr(cg_contiguous(hb[0])), 1e-15));
    }
}

/* hessian of sum_i x_i^2 x_{i+1} over more inputs than a function may have outputs. */
enum { CHAIN = CG_MAX_OUTPUTS + 2 };
static int f_chain(cg_tensor **in, cg_tensor **out, void *user) {
    (void)user;
    cg_tensor *total = cg_scalar(0, CG_FLOAT64);
    for (int i = 0; i + 1 < CHAIN; i++) total = cg_add(total, cg_mul(cg_pow_scalar(in[i], 2), in[i + 1]));
    out[0] = total;
    return 1;
}

static void test_hessian_of_many_inputs(void) {
    cg_tensor *x[CHAIN], *H[CHAIN * CHAIN];
    for (int i = 0; i < CHAIN; i++) x[i] = cg_scalar(i + 1, CG_FLOAT64);
    CHECK(cg_hessian(.fn = f_chain, .inputs = {x, CHAIN}, .results = H) == 1);
    for (int i = 0; i < CHAIN; i++)
        for (int j = 0; j < CHAIN; j++) {
            /* d2/dxi2 = 2 x_{i+1}; d2/dxi dx_{i+1} = 2 x_i */
            double want = i == j ? (i + 1 < CHAIN ? 2.0 * (i + 2) : 0) : j == i + 1 ? 2.0 * (i + 1) : i == j + 1 ? 2.0 * (j + 1) : 0;
            CHECK_MSG(H[i * CHAIN + j] && cg_ndim(H[i * CHAIN + j]) == 0 && cg_item(H[i * CHAIN + j]) == want,
                      "H[%d][%d]", i, j);
        }
}

/* .outputs is optional; the results alone come back. */
static void test_outputs_are_optional(void) {
    cg_tensor *x = cg_tensor_f64(((double[]){1, 2}), 2), *v = cg_tensor_f64(((double[]){1, -1}), 2), *r[1];
    CHECK(cg_vjp(.fn = f_linear, .inputs = CG_TENSORS(x), .v = CG_TENSORS(v), .results = r) == 1);
    CHECK(harness_values_close(r[0], (double[]){3, -3}, 0));
    CHECK(cg_jvp(.fn = f_linear, .inputs = CG_TENSORS(x), .v = CG_TENSORS(v), .results = r) == 1);
    CHECK(harness_values_close(r[0], (double[]){3, -3}, 0));
    CHECK(cg_vhp(.fn = f_cube_sum, .inputs = CG_TENSORS(x), .v = CG_TENSORS(v), .results = r) == 1);
    CHECK(harness_values_close(r[0], (double[]){6, -12}, 0));
    CHECK(cg_hvp(.fn = f_cube_sum, .inputs = CG_TENSORS(x), .v = CG_TENSORS(v), .results = r) == 1);
    CHECK(harness_values_close(r[0], (double[]){6, -12}, 0));
}

/* With create_graph the Jacobian is PyTorch's: a view of the stacked rows. */
static void test_jacobian_graph_is_a_view_of_a_stack(void) {
    cg_tensor *x = cg_requires_grad_(cg_tensor_f64(((double[]){1, 2, 3}), 3), true), *J[1];
    CHECK(cg_jacobian(.fn = f_sq_elementwise, .inputs = CG_TENSORS(x), .results = J, .create_graph = true) == 1);
    cg_node *view = cg_grad_fn(J[0]);
    CHECK_STR(view ? cg_node_name(view) : "None", "ViewBackward0");
    int input_nr = -1;
    cg_node *stack = view ? cg_node_next(view, 0, &input_nr) : NULL;
    CHECK_STR(stack ? cg_node_name(stack) : "None", "StackBackward0");
    CHECK(stack && cg_node_num_next(stack) == 3 && input_nr == 0);
}

int main(void) {
    RUN(test_jacobian_golden);
    RUN(test_hessian_golden);
    RUN(test_vjp_golden);
    RUN(test_jvp_golden);
    RUN(test_vhp_golden);
    RUN(test_hvp_golden);
    RUN(test_null_arguments_and_failing_functions);
    RUN(test_results_live_in_the_callers_scope);
    RUN(test_works_under_no_grad);
    RUN(test_non_contiguous_inputs);
    RUN(test_hessian_of_many_inputs);
    RUN(test_outputs_are_optional);
    RUN(test_jacobian_graph_is_a_view_of_a_stack);
    HARNESS_END();
}
