/* Out of memory, everywhere: each scenario runs with its 1st, 2nd, 3rd, ... allocation failing
 * (core/alloc.h's injection, as SQLite's tests do) until it runs without reaching the failure.
 * At every step the scenario must either report an error (with PyTorch's allocator message) or,
 * when the failure was absorbed (a free list, an unopened scope), give exactly the result of the
 * run without failures. Closing the scope must release everything: memcheck and ASan see it. */
#include "harness.h"

#include "core/alloc.h"

#include <stdint.h>
#include <stdlib.h>

/* A scenario computes something and folds every result into *sum; -1 when a call failed. */
typedef int (*scenario)(double *sum);

/* Adds t's values (as float64) to *sum; false when t is NULL (an error upstream). */
static bool fold(double *sum, cg_tensor *t) {
    if (!t) return false;
    cg_tensor *c = cg_contiguous(cg_to(t, CG_FLOAT64));
    if (!c) return false;
    const double *v = cg_data_ptr(c);
    for (int64_t i = 0; i < cg_numel(c); i++) *sum += v[i] * (double)(i % 7 + 1);
    return true;
}

#define FOLD(t)                                 \
    do {                                        \
        if (!fold(sum, (t))) return -1;         \
    } while (0)

static long steps_total, absorbed_total;

static void run_failing_mode(const char *name, scenario f, long (*arm)(long)) {
    const char *only = getenv("CG_ALLOC_SCENARIO"); /* for debugging one scenario */
    if (only && strcmp(only, name) != 0) return;
    double expected = 0;
    int status;
    CG_SCOPE { status = f(&expected); }
    CHECK_MSG(status == 0, "%s: fails without injected failures: %s", name, cg_last_error());
    if (status != 0) return;
    const char *first = getenv("CG_ALLOC_STEP"); /* for debugging one step */
    for (long k = first ? atol(first) : 1;; k++) {
        double got = 0;
        cg_clear_error();
        arm(k);
        cg_scope_begin();
        status = f(&got);
        cg_scope_end();
        bool fired = cg_debug_fail_allocation_after(-1) < 0;
        if (!fired) { /* fewer than k allocations: done */
            CHECK_MSG(status == 0 && got == expected, "%s: the run after the last step differs", name);
            return;
        }
        steps_total++;
        if (status == 0) {
            absorbed_total++;
            CHECK_MSG(got == expected, "%s: allocation %ld failed silently: %.17g instead of %.17g", name, k, got,
                      expected);
        } else {
            CHECK_MSG(strstr(cg_last_error(), "can't allocate memory") != NULL,
                      "%s: allocation %ld: unexpected message \"%s\"", name, k, cg_last_error());
        }
        if (harness_current_failed) return; /* one report per scenario */
    }
}

/* Each failing allocation once, then each failing with every one after it. */
static void run_failing(const char *name, scenario f) {
    run_failing_mode(name, f, cg_debug_fail_allocation_after);
    run_failing_mode(name, f, cg_debug_fail_allocations_from);
}

/* ---- scenarios ---- */

static int s_create(double *sum) {
    cg_manual_seed(3);
    FOLD(cg_zeros(2, 3));
    FOLD(cg_ones_shape(CG_FLOAT64, CG_SHAPE(4)));
    FOLD(cg_full_shape(CG_INT64, CG_SHAPE(2, 2), 7));
    FOLD(cg_arange(0, 5, 1, CG_FLOAT32));
    FOLD(cg_linspace(0, 1, 5, CG_FLOAT64));
    FOLD(cg_eye(3, 2, CG_FLOAT32));
    FOLD(cg_tensor_f32(((float[]){1, 2, 3, 4, 5, 6}), 2, 3));
    FOLD(cg_tensor_new(.data = (double[]){1, 2}, .dtype = CG_FLOAT64, CG_SIZES(2), .requires_grad = true));
    FOLD(cg_scalar(2.5, CG_FLOAT32));
    FOLD(cg_randn(100));
    FOLD(cg_rand(3, 3));
    FOLD(cg_randint(0, 10, 5));
    FOLD(cg_zeros_like(cg_ones(2)));
    FOLD(cg_full_like(cg_ones(2), 3));
    cg_tensor *e = cg_empty(1000); /* more than the free lists' block size */
    if (!e || cg_fill_(e, 1) < 0 || cg_uniform_(e, 0, 1) < 0 || cg_normal_(e, 0, 1) < 0) return -1;
    FOLD(e);
    return 0;
}

static int s_views(double *sum) {
    cg_tensor *x = cg_arange(0, 24, 1, CG_FLOAT32);
    cg_tensor *y = cg_view(x, 2, 3, 4);
    FOLD(y);
    FOLD(cg_reshape(cg_transpose(y, 0, 2), 24)); /* a copy */
    FOLD(cg_permute(y, 2, 0, 1));
    FOLD(cg_select(y, 1, -1));
    FOLD(cg_slice(y, 2, 0, 4, 2));
    FOLD(cg_narrow(y, 0, 1, 1));
    FOLD(cg_expand(cg_unsqueeze(cg_select(y, 0, 0), 0), 5, 3, 4));
    FOLD(cg_squeeze(cg_view(x, 1, 24, 1)));
    FOLD(cg_flatten(y, 1, 2));
    FOLD(cg_contiguous(cg_t(cg_view(x, 4, 6))));
    FOLD(cg_at(y, 1, 2));
    cg_tensor *pieces[5];
    int n = cg_unbind(y, 1, pieces, 5);
    if (n < 0) return -1;
    for (int i = 0; i < n; i++) FOLD(pieces[i]);
    if ((n = cg_split(y, 3, 2, pieces, 5)) < 0) return -1;
    for (int i = 0; i < n; i++) FOLD(pieces[i]);
    if ((n = cg_chunk(x, 5, 0, pieces, 5)) < 0) return -1;
    for (int i = 0; i < n; i++) FOLD(pieces[i]);
    return 0;
}

static int s_elementwise(double *sum) {
    cg_tensor *a = cg_view(cg_arange(1, 7, 1, CG_FLOAT32), 2, 3);
    cg_tensor *b = cg_tensor_f64(((double[]){0.5, 2, -1}), 3);
    cg_tensor *i = cg_arange(0, 3, 1, CG_INT64);
    FOLD(cg_add(a, b));
    FOLD(cg_mul(a, i));
    FOLD(cg_div(i, a));
    FOLD(cg_pow(a, b));
    FOLD(cg_sub_scalar(a, 1.5));
    FOLD(cg_rdiv_scalar(a, 2));
    FOLD(cg_rpow_scalar(b, 2));
    FOLD(cg_maximum(a, b));
    FOLD(cg_where(cg_gt(a, b), a, b));
    FOLD(cg_clamp(a, 2, 4));
    FOLD(cg_sigmoid(cg_tanh(cg_exp(cg_neg(a)))));
    FOLD(cg_log1p(cg_sqrt(cg_abs(b))));
    FOLD(cg_relu(cg_sin(cg_cos(cg_sign(b)))));
    FOLD(cg_to(cg_eq_scalar(i, 1), CG_FLOAT32));
    cg_tensor *c = cg_clone(a);
    if (cg_add_(c, b) < 0 || cg_mul_scalar_(c, 2) < 0 || cg_clamp_(c, 0, 9) < 0 || cg_copy_(cg_select(c, 0, 1), b) < 0)
        return -1;
    FOLD(c);
    return 0;
}

static int s_reduce(double *sum) {
    cg_tensor *x = cg_view(cg_arange(1, 25, 1, CG_FLOAT64), 2, 3, 4);
    FOLD(cg_sum(x));
    FOLD(cg_sum(x, CG_DIMS(0, 2), .keepdim = true));
    FOLD(cg_mean(x, CG_DIMS(1)));
    FOLD(cg_var(x, CG_DIMS(2)));
    FOLD(cg_std(x));
    FOLD(cg_norm(x, 2, CG_DIMS(1)));
    FOLD(cg_prod(cg_div_scalar(x, 10)));
    FOLD(cg_prod_dim(x, 1, false));
    cg_tensor *idx = NULL;
    FOLD(cg_max_dim(x, 2, false, &idx));
    FOLD(idx);
    FOLD(cg_min(x));
    FOLD(cg_argmax_dim(x, 1, true));
    FOLD(cg_softmax(x, 2));
    FOLD(cg_log_softmax(x, 0));
    return 0;
}

static int s_matmul_join(double *sum) {
    cg_tensor *a = cg_view(cg_arange(0, 12, 1, CG_FLOAT32), 3, 4);
    cg_tensor *b = cg_view(cg_arange(0, 8, 1, CG_FLOAT32), 4, 2);
    FOLD(cg_mm(a, b));
    FOLD(cg_matmul(cg_expand(cg_unsqueeze(a, 0), 2, 3, 4), b));
    FOLD(cg_matmul(cg_select(a, 0, 0), b));
    FOLD(cg_bmm(cg_unsqueeze(a, 0), cg_unsqueeze(b, 0)));
    FOLD(cg_mv(a, cg_select(b, 1, 0)));
    FOLD(cg_dot(cg_select(a, 0, 1), cg_select(a, 0, 2)));
    FOLD(cg_addmm_scaled(cg_ones(2), a, b, 0.5, 2));
    FOLD(cg_linear(cg_unsqueeze(a, 0), cg_t(b), cg_ones(2)));
    FOLD(cg_linear(cg_select(a, 0, 1), cg_t(b), cg_ones(2)));
    FOLD(cg_cat(CG_LIST(a, cg_t(b), a), 0));
    FOLD(cg_stack(CG_LIST(a, a), 1));
    cg_tensor *index = cg_tensor_i64(((int64_t[]){2, 0}), 2);
    FOLD(cg_index_select(a, 0, index));
    FOLD(cg_gather(a, 1, cg_view(cg_tensor_i64(((int64_t[]){0, 1, 2}), 3), 3, 1)));
    FOLD(cg_scatter_add(a, 0, cg_view(index, 1, 2), cg_ones(1, 2)));
    FOLD(cg_masked_fill(a, cg_gt_scalar(a, 5), -1));
    return 0;
}

static int s_conv_pool(double *sum) {
    cg_tensor *x = cg_requires_grad_(cg_div_scalar(cg_view(cg_arange(0, 72, 1, CG_FLOAT64), 2, 2, 3, 6), 7), true);
    cg_tensor *w = cg_requires_grad_(cg_div_scalar(cg_view(cg_arange(-8, 8, 1, CG_FLOAT64), 4, 1, 2, 2), 5), true);
    cg_tensor *b = cg_requires_grad_(cg_tensor_f64(((double[]){1, -1, 0.5, 2}), 4), true);
    cg_tensor *y = cg_conv2d(x, w, .bias = b, .padding = CG_INTS(1), .groups = 2);
    cg_tensor *indices = NULL;
    cg_tensor *p = cg_max_pool2d(y, CG_INTS(2), .stride = CG_INTS(1), .indices = &indices);
    cg_tensor *q = cg_avg_pool2d(y, CG_INTS(3, 2), .padding = CG_INTS(1), .ceil_mode = true);
    FOLD(cg_conv1d(cg_select(x, 2, 0), cg_select(w, 2, 0), .stride = CG_INTS(2), .groups = 2));
    FOLD(indices);
    cg_tensor *loss = cg_add(cg_sum(cg_mul(p, p)), cg_sum(cg_mul(q, q)));
    cg_tensor *g[3];
    if (cg_autograd_grad(.outputs = CG_TENSORS(loss), .inputs = CG_TENSORS(x, w, b), .results = g,
                         .create_graph = true) < 0)
        return -1;
    for (int i = 0; i < 3; i++) FOLD(g[i]);
    if (cg_backward(cg_add(cg_sum(g[0]), cg_sum(cg_mul(g[1], g[1])))) < 0) return -1;
    FOLD(cg_grad(w));
    return 0;
}

static int s_forward_backward(double *sum) {
    cg_tensor *x = cg_requires_grad_(cg_view(cg_arange(1, 7, 1, CG_FLOAT32), 2, 3), true);
    cg_tensor *b = cg_requires_grad_(cg_tensor_f32(((float[]){0.5, -1, 2}), 3), true);
    cg_tensor *y = cg_mean(cg_pow_scalar(cg_add(cg_mul(x, b), cg_sigmoid(x)), 2));
    cg_tensor *loss = cg_add(y, cg_cross_entropy(x, cg_tensor_i64(((int64_t[]){2, 0}), 2)));
    if (cg_backward(loss) < 0) return -1;
    FOLD(loss);
    FOLD(cg_grad(x));
    FOLD(cg_grad(b));
    return 0;
}

static int s_inplace_view(double *sum) {
    cg_tensor *x = cg_requires_grad_(cg_tensor_f64(((double[]){1, 2, 3, 4, 5, 6}), 2, 3), true);
    cg_tensor *w = cg_requires_grad_(cg_tensor_f64(((double[]){2, 3, 4}), 3), true);
    cg_tensor *a = cg_mul_scalar(x, 1);
    if (cg_mul_(cg_select(a, 0, 1), w) < 0) return -1; /* CopySlices on a */
    if (cg_add_scalar_(cg_slice(a, 1, 0, 3, 2), 1) < 0) return -1;
    cg_tensor *loss = cg_sum(cg_mul(a, a));
    if (cg_backward(loss) < 0) return -1;
    FOLD(loss);
    FOLD(cg_grad(x));
    FOLD(cg_grad(w));
    return 0;
}

static int s_double_backward(double *sum) {
    cg_tensor *x = cg_requires_grad_(cg_tensor_f64(((double[]){1, -2, 3}), 3), true);
    cg_tensor *y = cg_sum(cg_mul(cg_pow_scalar(x, 3), cg_tanh(x)));
    cg_tensor *g[1];
    if (cg_autograd_grad(.outputs = CG_TENSORS(y), .inputs = CG_TENSORS(x), .results = g, .create_graph = true) < 0)
        return -1;
    FOLD(g[0]);
    cg_tensor *h[1]; /* third order */
    if (cg_autograd_grad(.outputs = CG_TENSORS(cg_sum(g[0])), .inputs = CG_TENSORS(x), .results = h,
                         .create_graph = true) < 0)
        return -1;
    FOLD(h[0]);
    /* (backward with create_graph would tie x to its own .grad: PyTorch's reference cycle) */
    if (cg_backward(cg_sum(h[0])) < 0) return -1;
    FOLD(cg_grad(x));
    return 0;
}

static cg_tensor *double_hook(cg_tensor *grad, void *user) {
    (void)user;
    return cg_mul_scalar(grad, 2);
}

static int s_grad_hooks(double *sum) {
    cg_tensor *x = cg_requires_grad_(cg_tensor_f32(((float[]){1, 2, 3, 4}), 2, 2), true);
    cg_tensor *w = cg_requires_grad_(cg_tensor_f32(((float[]){0.5, -0.5}), 2, 1), true);
    cg_tensor *h = cg_matmul(x, w);
    if (cg_retain_grad(h) < 0 || cg_register_hook(h, double_hook, NULL) < 0) return -1;
    cg_tensor *out = cg_sum(cg_relu(h));
    cg_tensor *g[2];
    if (cg_autograd_grad(.outputs = CG_TENSORS(out), .inputs = CG_TENSORS(x, w), .results = g,
                         .retain_graph = true) < 0)
        return -1;
    FOLD(g[0]);
    FOLD(g[1]);
    if (cg_backward(out, .inputs = CG_TENSORS(w)) < 0) return -1;
    FOLD(cg_grad(w));
    FOLD(cg_grad(h));
    cg_tensor *lw = cg_requires_grad_(cg_ones(3, 2), true), *lb = cg_requires_grad_(cg_zeros(3), true);
    if (cg_backward(cg_sum(cg_linear(x, lw, lb))) < 0) return -1;
    FOLD(cg_grad(lw));
    FOLD(cg_grad(lb));
    return 0;
}

static int f_square_sum(cg_tensor **in, cg_tensor **out, void *user) {
    (void)user;
    out[0] = cg_mul(in[0], cg_exp(in[1]));
    return out[0] ? 1 : -1;
}

static int s_gradcheck(double *sum) {
    cg_tensor *a = cg_requires_grad_(cg_tensor_f64(((double[]){0.5, -1}), 2), true);
    cg_tensor *b = cg_requires_grad_(cg_tensor_f64(((double[]){0.25}), 1), true);
    if (cg_gradcheck(.fn = f_square_sum, .inputs = CG_TENSORS(a, b)) < 0) return -1;
    *sum += 1;
    return 0;
}

static int s_jacobian(double *sum) {
    cg_tensor *a = cg_tensor_f64(((double[]){0.5, -1}), 2);
    cg_tensor *b = cg_tensor_f64(((double[]){0.25, 2}), 2);
    cg_tensor *J[2];
    if (cg_jacobian(.fn = f_square_sum, .inputs = CG_TENSORS(a, b), .results = J) < 0) return -1;
    FOLD(J[0]);
    FOLD(J[1]);
    cg_tensor *out, *v[2];
    if (cg_vjp(.fn = f_square_sum, .inputs = CG_TENSORS(a, b), .v = CG_TENSORS(cg_ones_like(a)), .outputs = &out,
               .results = v, .create_graph = true) < 0)
        return -1;
    FOLD(out);
    FOLD(v[0]);
    return 0;
}

static int s_print(double *sum) {
    cg_tensor *x = cg_requires_grad_(cg_view(cg_arange(0, 2000, 1, CG_FLOAT32), 2, 1000), true);
    cg_tensor *y = cg_mul_scalar(x, 0.5);
    if (!y) return -1;
    char small[64];
    int len = cg_format(y, small, sizeof small);
    if (len < 0) return -1;
    FILE *devnull = fopen("/dev/null", "w");
    if (!devnull) return -1;
    int status = cg_fprint(devnull, y);
    fclose(devnull);
    if (status < 0) return -1;
    *sum += len;
    for (const char *p = small; *p; p++) *sum += (unsigned char)*p;
    return 0;
}

/* The small API: user memory, copying out, randperm, in-place unary and fused ops with autograd,
 * clamp with tensor bounds. */
static int blob_deletes;
static void count_blob_delete(void *data, void *ctx) {
    (void)data;
    (void)ctx;
    blob_deletes++;
}

static int s_api(double *sum) {
    static float blob[6] = {1, -2, 3, -4, 5, -6};
    cg_tensor *b = cg_from_blob(blob, CG_FLOAT32, CG_SHAPE(2, 3), NULL, count_blob_delete, NULL);
    FOLD(cg_mul_scalar(b, 2));
    double out[6];
    if (!b || cg_copy_to(cg_t(b), out, 6, CG_FLOAT64) < 0) return -1;
    for (int i = 0; i < 6; i++) *sum += out[i] * (i + 1);
    cg_manual_seed(5);
    FOLD(cg_randperm(9));
    cg_tensor *x = cg_requires_grad_(cg_from_data(((double[]){0.5, 1.5, 2.5, 3.5}), CG_FLOAT64, 1, (int64_t[]){4}), true);
    cg_tensor *w = cg_from_data(((double[]){0.25, 0.75, 0.5, 0.125}), CG_FLOAT64, 1, (int64_t[]){4});
    cg_tensor *y = cg_mul_scalar(x, 1);
    /* each saves its input (a copy), so the later writes leave its gradient valid; sqrt_, last,
     * saves its result */
    if (!y || cg_sin_(y) < 0 || cg_abs_(y) < 0 || cg_log_(cg_slice(y, 0, 1, 3, 1)) < 0 || cg_pow_scalar_(y, 2) < 0)
        return -1;
    if (cg_addcmul_(y, x, w, 0.5) < 0 || cg_lerp_(y, x, w) < 0 || cg_clamp_tensor_(y, w, NULL) < 0 || cg_sqrt_(y) < 0)
        return -1;
    cg_tensor *z = cg_add(cg_add_alpha(y, x, 2), cg_addcdiv(x, y, cg_add_scalar(w, 1), 0.3));
    z = cg_add(z, cg_clamp_tensor(cg_lerp_scalar(x, y, 0.7), w, cg_add_scalar(w, 2)));
    FOLD(z);
    if (cg_backward(cg_sum(z)) < 0) return -1;
    FOLD(cg_grad(x));
    *sum += cg_retains_grad(y);
    char size[32];
    if (cg_format_size(z, size, sizeof size) < 0) return -1;
    return 0;
}

static void test_scenarios_fail_cleanly(void) {
    run_failing("create", s_create);
    run_failing("views", s_views);
    run_failing("elementwise", s_elementwise);
    run_failing("reduce", s_reduce);
    run_failing("matmul_join", s_matmul_join);
    run_failing("conv_pool", s_conv_pool);
    run_failing("forward_backward", s_forward_backward);
    run_failing("inplace_view", s_inplace_view);
    run_failing("double_backward", s_double_backward);
    run_failing("grad_hooks", s_grad_hooks);
    run_failing("gradcheck", s_gradcheck);
    run_failing("jacobian", s_jacobian);
    run_failing("print", s_print);
    run_failing("api", s_api);
    /* Most steps must report the error; a few failures are absorbed by design. */
    CHECK_MSG(steps_total > 1000 && absorbed_total * 10 < steps_total, "%ld steps, %ld absorbed", steps_total,
              absorbed_total);
    if (getenv("CG_ALLOC_STEPS")) fprintf(stderr, "%ld steps, %ld absorbed\n", steps_total, absorbed_total);
}

/* The injection itself: the n-th allocation fails once, with PyTorch's message. */
static void test_injection(void) {
    cg_debug_fail_allocation_after(2); /* the header, then the storage */
    cg_clear_error();
    CHECK(cg_zeros(1000) == NULL);
    CHECK_STR(cg_last_error(), "[enforce fail at alloc_cpu.cpp:75] err == 0. DefaultCPUAllocator: can't allocate "
                               "memory: you tried to allocate 4000 bytes. Error code 12 (Cannot allocate memory)");
    CHECK(cg_debug_fail_allocation_after(-1) == -1); /* fired */
    CHECK_OK(cg_zeros(2));
    cg_debug_fail_allocation_after(1000000);
    CHECK_OK(cg_zeros(2));
    CHECK(cg_debug_fail_allocation_after(-1) > 0); /* still pending */
}

/* The scope stack grows by realloc: a failure there fails the op that could not be registered
 * (no abort), and the scope keeps working. */
static void test_scope_growth_failure(void) {
    int failed = 0;
    CG_SCOPE {
        for (int i = 0; i < 3000 && !failed; i++) {
            cg_debug_fail_allocation_after(3);
            cg_tensor *t = cg_zeros(1);
            if (!t) failed = i + 1;
        }
        cg_debug_fail_allocation_after(-1);
        CHECK(failed > 0);
        CHECK_OK(cg_zeros(1));
    }
}

/* Deeply nested scopes whose marks cannot grow stay unopened and close in order. */
static void test_scope_mark_failure(void) {
    cg_tensor *outer = cg_zeros(1);
    for (int depth = 0; depth < 300; depth++) {
        if (depth >= 20) cg_debug_fail_allocation_after(1); /* fails when the marks must grow */
        cg_scope_begin();
        cg_debug_fail_allocation_after(-1);
        CHECK_OK(cg_keep(cg_zeros(2)));
    }
    for (int depth = 0; depth < 300; depth++) cg_scope_end();
    CHECK(cg_numel(outer) == 1);
}

int main(void) {
    RUN(test_injection);
    RUN(test_scope_growth_failure);
    RUN(test_scope_mark_failure);
    RUN(test_scenarios_fail_cleanly);
    HARNESS_END();
}
