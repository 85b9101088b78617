/* Saved-tensor hooks (torch.autograd.graph.saved_tensors_hooks): which tensors pack and unpack see,
 * in PyTorch 1.13's order, and the gradients (tests/data/saved_hooks.txt, from
 * tools/gen_saved_hooks.py); save_on_cpu; errors; release of the packed values. */
#include "golden.h"
#include "harness.h"

static char events[512];

static void event(char kind, const cg_tensor *t) {
    static const char *dtypes[] = {"f32", "f64", "i64", "b"};
    char e[64];
    int len = snprintf(e, sizeof e, "%s%c[", events[0] ? " " : "", kind);
    for (int d = 0; d < cg_ndim(t); d++) len += snprintf(e + len, sizeof e - len, d ? ",%lld" : "%lld", (long long)cg_size(t, d));
    snprintf(e + len, sizeof e - len, "]%s", dtypes[cg_get_dtype(t)]);
    strncat(events, e, sizeof events - strlen(events) - 1);
}

static void tag(const char *text) {
    if (events[0]) strncat(events, " ", sizeof events - strlen(events) - 1);
    strncat(events, text, sizeof events - strlen(events) - 1);
}

/* Identity hooks that log: pack keeps the tensor (a reference), release lets it go. */
static int live; /* packed values not yet released */
static void *log_pack(cg_tensor *t, void *user) {
    (void)user;
    event('p', t);
    live++;
    return cg_retain(t);
}
static cg_tensor *log_unpack(void *packed, void *user) {
    (void)user;
    event('u', packed);
    return packed;
}
static void log_release(void *packed, void *user) {
    (void)user;
    live--;
    cg_release(packed);
}
static const cg_saved_tensors_hooks logging = {log_pack, log_unpack, log_release, NULL};

/* Tagged hooks for nesting: user is the tag ("1", "2"). */
static void *tag_pack(cg_tensor *t, void *user) {
    char text[8];
    snprintf(text, sizeof text, "p%s", (const char *)user);
    tag(text);
    return cg_retain(t);
}
static cg_tensor *tag_unpack(void *packed, void *user) {
    char text[8];
    snprintf(text, sizeof text, "u%s", (const char *)user);
    tag(text);
    return packed;
}
static void drop(void *packed, void *user) {
    (void)user;
    cg_release(packed);
}

static void *clone_pack(cg_tensor *t, void *user) {
    (void)user;
    return cg_retain(cg_clone(t));
}
static cg_tensor *same(void *packed, void *user) {
    (void)user;
    return packed;
}

static int twice_forward(cg_ctx *ctx, cg_tensor **in, int nin, cg_tensor **out, int nout, void *user) {
    (void)nin, (void)nout, (void)user;
    if (cg_ctx_save_for_backward(ctx, 2, (cg_tensor *[]){in[0], in[0]}) < 0) return -1;
    out[0] = cg_mul(in[0], in[0]);
    return out[0] ? 0 : -1;
}
static int twice_backward(cg_ctx *ctx, cg_tensor **g, int nout, cg_tensor **gin, int nin) {
    (void)nout, (void)nin;
    cg_tensor *saved[4];
    if (cg_ctx_saved_tensors(ctx, saved) != 2 || cg_ctx_saved_tensors(ctx, saved) != 2) return -1;
    gin[0] = cg_mul(cg_mul_scalar(g[0], 2), saved[0]);
    return gin[0] ? 0 : -1;
}
static const cg_autograd_function twice = {.name = "Twice", .forward = twice_forward, .backward = twice_backward};

static cg_tensor *leaf(cg_dtype dtype) {
    return cg_requires_grad_(cg_to(cg_tensor_f32(((float[]){1, 2, 3}), 3), dtype), true);
}

/* Runs one golden case: its graph, its backward; the events and the leaf's gradient. */
static cg_tensor *run_case(const char *name) {
    const char *a1 = "1", *a2 = "2";
    if (!strcmp(name, "chain")) {
        cg_tensor *a = leaf(CG_FLOAT32), *d = NULL;
        CG_SAVED_TENSORS_HOOKS(logging) { d = cg_sum(cg_mul_scalar(cg_exp(cg_mul(a, a)), 2)); }
        return cg_backward(d) == 0 ? cg_grad(a) : NULL;
    }
    if (!strcmp(name, "numbers")) {
        cg_tensor *a = leaf(CG_FLOAT32), *d = NULL;
        CG_SAVED_TENSORS_HOOKS(logging) {
            d = cg_div_scalar(a, 2.5);
            if (cg_mul_scalar_(d, 3) < 0 || cg_div_scalar_(d, 2) < 0) return NULL;
            d = cg_sum(d);
        }
        return cg_backward(d) == 0 ? cg_grad(a) : NULL;
    }
    if (!strcmp(name, "written")) {
        cg_tensor *a = leaf(CG_FLOAT32), *b = NULL, *c = NULL;
        CG_SAVED_TENSORS_HOOKS(logging) {
            b = cg_mul_scalar(a, 1);
            c = cg_mul(b, b);
        }
        if (cg_add_scalar_(b, 1) < 0) return NULL;
        return cg_backward(cg_sum(c)) == 0 ? cg_grad(a) : NULL;
    }
    if (!strcmp(name, "nested")) {
        cg_tensor *a = leaf(CG_FLOAT32), *y = NULL;
        CG_SAVED_TENSORS_HOOKS(((cg_saved_tensors_hooks){tag_pack, tag_unpack, drop, (void *)a1})) {
            cg_tensor *x = NULL;
            CG_SAVED_TENSORS_HOOKS(((cg_saved_tensors_hooks){tag_pack, tag_unpack, drop, (void *)a2})) { x = cg_mul(a, a); }
            y = cg_mul(x, a);
        }
        return cg_backward(cg_sum(y)) == 0 ? cg_grad(a) : NULL;
    }
    if (!strcmp(name, "retain")) {
        cg_tensor *a = leaf(CG_FLOAT32), *x = NULL;
        CG_SAVED_TENSORS_HOOKS(logging) { x = cg_exp(a); }
        if (cg_backward(cg_sum(x), .retain_graph = true) < 0) return NULL;
        return cg_backward(cg_sum(x)) == 0 ? cg_grad(a) : NULL;
    }
    if (!strcmp(name, "custom")) {
        cg_tensor *a = leaf(CG_FLOAT32), *y = NULL;
        CG_SAVED_TENSORS_HOOKS(logging) {
            if (cg_function_apply(&twice, &a, 1, &y, 1, NULL) < 0) return NULL;
        }
        return cg_backward(cg_sum(y)) == 0 ? cg_grad(a) : NULL;
    }
    if (!strcmp(name, "double")) {
        cg_tensor *x = leaf(CG_FLOAT64), *y = NULL, *g = NULL;
        CG_SAVED_TENSORS_HOOKS(((cg_saved_tensors_hooks){clone_pack, same, drop, NULL})) { y = cg_sum(cg_mul(cg_mul(x, x), x)); }
        if (cg_autograd_grad(.outputs = CG_TENSORS(y), .inputs = CG_TENSORS(x), .results = &g, .create_graph = true) < 0)
            return NULL;
        return cg_backward(cg_sum(g)) == 0 ? cg_grad(x) : NULL;
    }
    if (!strcmp(name, "save_on_cpu")) {
        cg_tensor *x = leaf(CG_FLOAT64), *y = NULL;
        CG_SAVED_TENSORS_HOOKS(cg_save_on_cpu()) { y = cg_sum(cg_mul(cg_exp(x), x)); }
        return cg_backward(y) == 0 ? cg_grad(x) : NULL;
    }
    return NULL;
}

/* float32 exp is SLEEF's, as PyTorch's vectorized kernel calls it; libm's expf (a build without
 * SLEEF) rounds some elements otherwise. */
#ifdef CG_HAVE_SLEEF
#define GRADIENT_TOL 0
#else
#define GRADIENT_TOL 1e-6
#endif

static void test_golden_cases(void) {
    golden_file g;
    if (golden_open(&g, "tests/data/saved_hooks.txt") < 0) {
        CHECK(false);
        return;
    }
    int cases = 0;
    for (char *line; (line = golden_next_line(&g));) {
        char *cursor = line, *name = golden_token(&cursor);
        char *bar = strstr(cursor, " | ");
        CHECK(name && bar);
        if (!name || !bar) break;
        *bar = 0;
        while (*cursor == ' ') cursor++;
        const char *expected_events = strcmp(cursor, "-") ? cursor : "";
        char *rest = bar + 3;
        cg_tensor *expected = golden_tensor(&rest);
        events[0] = 0;
        live = 0;
        CG_SCOPE {
            cg_tensor *grad = run_case(name);
            CHECK_MSG(grad, "%s: %s", name, cg_last_error());
            bool exact = true;
            CHECK_MSG(golden_close_values(grad, expected, GRADIENT_TOL, &exact), "%s: gradient", name);
        }
        CHECK_MSG(!strcmp(events, expected_events), "%s:\n  got:      %s\n  expected: %s", name, events, expected_events);
        CHECK_MSG(live == 0, "%s: %d packed values never released", name, live);
        cases++;
    }
    golden_close(&g);
    CHECK(cases == 8);
}

/* Pushed and popped per thread, innermost first; the stack's bound and missing callbacks refused. */
static void test_push_pop(void) {
    cg_tensor *a = leaf(CG_FLOAT32);
    events[0] = 0;
    CHECK(cg_saved_tensors_hooks_push(logging) == 0);
    cg_tensor *y = cg_exp(a);
    cg_saved_tensors_hooks_pop();
    cg_saved_tensors_hooks_pop(); /* none pushed: nothing happens */
    cg_tensor *z = cg_exp(a);     /* no hooks: not logged */
    CHECK_STR(events, "p[3]f32");
    CHECK(cg_backward(cg_sum(cg_add(y, z))) == 0);
    CHECK_STR(events, "p[3]f32 u[3]f32");
    CHECK_ERROR(cg_saved_tensors_hooks_push((cg_saved_tensors_hooks){log_pack, NULL, NULL, NULL}) == 0,
                "cg_saved_tensors_hooks_push: pack and unpack are required");
    int pushed = 0;
    while (pushed < 100 && cg_saved_tensors_hooks_push(logging) == 0) pushed++;
    CHECK(pushed == 64);
    CHECK_STR(cg_last_error(), "cg_saved_tensors_hooks_push: at most 64 nested hooks");
    while (pushed--) cg_saved_tensors_hooks_pop();
    /* a block left early pops its hooks */
    for (int i = 0; i < 1; i++)
        CG_SAVED_TENSORS_HOOKS(logging) { break; }
    events[0] = 0;
    CHECK_OK(cg_exp(a));
    CHECK_STR(events, "");
}

/* A graph freed without a backward releases what was packed; a backward without retain_graph
 * releases it after the node ran, and a second backward fails as without hooks. */
static void test_release(void) {
    live = 0;
    CG_SCOPE {
        cg_tensor *a = leaf(CG_FLOAT32);
        CG_SAVED_TENSORS_HOOKS(logging) { cg_mul(a, a); }
        CHECK(live == 2);
    }
    CHECK(live == 0);
    cg_tensor *a = leaf(CG_FLOAT32), *y = NULL;
    CG_SAVED_TENSORS_HOOKS(logging) { y = cg_sum(cg_exp(a)); }
    CHECK(live == 1);
    CHECK(cg_backward(y) == 0);
    CHECK(live == 0);
    CHECK_ERROR(cg_backward(y) == 0,
                "Trying to backward through the graph a second time (or directly access saved tensors after they have "
                "already been freed). Saved intermediate values of the graph are freed when you call .backward() or "
                "autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time "
                "or if you need to access saved tensors after calling backward.");
}

static void *writing_pack(cg_tensor *t, void *user) {
    (void)user;
    return cg_mul_scalar_(t, 2) == 0 ? cg_retain(t) : NULL;
}
static void *failing_pack(cg_tensor *t, void *user) {
    (void)t, (void)user;
    cg_raise("no room for %s", "it");
    return NULL;
}
static cg_tensor *null_unpack(void *packed, void *user) {
    (void)packed, (void)user;
    return NULL;
}

/* PyTorch's errors: a pack that writes its input, an unpack that gives no tensor (its TypeError,
 * as for a Python hook returning None); a pack's own error fails the op. */
static void test_errors(void) {
    cg_tensor *a = leaf(CG_FLOAT32), *b = cg_mul_scalar(a, 1), *y = NULL;
    CG_SAVED_TENSORS_HOOKS(((cg_saved_tensors_hooks){writing_pack, same, drop, NULL})) {
        CHECK_ERROR(cg_mul(b, b),
                    "A saved tensor pack hook is modifying its input in place. Tensors provided as input to pack hook "
                    "can not be modified by in-place operations as this can lead to unexpected side-effects. Please "
                    "open an issue if you need to perform in-place operations on the input to a pack hook.");
    }
    CG_SAVED_TENSORS_HOOKS(((cg_saved_tensors_hooks){failing_pack, same, drop, NULL})) {
        CHECK_ERROR(cg_exp(a), "no room for it");
    }
    CG_SAVED_TENSORS_HOOKS(((cg_saved_tensors_hooks){clone_pack, null_unpack, drop, NULL})) { y = cg_sum(cg_exp(a)); }
    CHECK_ERROR(cg_backward(y) == 0,
                "Output of saved tensor unpack_hook expected to be a Tensor but got result of type NoneType");
    CHECK(cg_last_error_kind() == CG_TYPE_ERROR);
}

/* A function under hooks gradchecks and gradgradchecks (the unpacked copies keep their history). */
static int cube(cg_tensor **in, cg_tensor **out, void *user) {
    (void)user;
    CG_SAVED_TENSORS_HOOKS(cg_save_on_cpu()) { out[0] = cg_mul(cg_mul(in[0], cg_sin(in[0])), in[1]); }
    return out[0] ? 1 : -1;
}

static void test_gradcheck(void) {
    cg_tensor *x = cg_requires_grad_(cg_tensor_f64(((double[]){0.5, -1.2, 2}), 3), true);
    cg_tensor *w = cg_requires_grad_(cg_tensor_f64(((double[]){1.5, 0.3, -0.7}), 3), true);
    CHECK_MSG(cg_gradcheck(.fn = cube, .inputs = CG_TENSORS(x, w)) == 0, "%s", cg_last_error());
    CHECK_MSG(cg_gradgradcheck(.fn = cube, .inputs = CG_TENSORS(x, w)) == 0, "%s", cg_last_error());
}

int main(void) {
    RUN(test_golden_cases);
    RUN(test_push_pop);
    RUN(test_release);
    RUN(test_errors);
    RUN(test_gradcheck);
    HARNESS_END();
}
