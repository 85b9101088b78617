/* The Node API (next_functions, metadata, node pre-hooks and hooks, AccumulateGrad's hooks):
 * scenarios printing what tools/gen_node_api.py prints under PyTorch 1.13, then metadata and
 * errors from hooks, which have no Python twin. */
#include "scenarios.h"

#define F32(...) cg_tensor_f32(((float[]){__VA_ARGS__}), CG_NARGS(__VA_ARGS__))

static void show_next(cg_node *fn) {
    fprintf(out, "%s [", cg_node_name(fn));
    for (int i = 0; i < cg_node_num_next(fn); i++) {
        int nr = 0;
        cg_node *next = cg_node_next(fn, i, &nr);
        fprintf(out, "%s('%s', %d)", i ? ", " : "", cg_node_name(next), nr);
    }
    fprintf(out, "]\n");
}

static void next_functions(void) {
    cg_tensor *x = leaf(F32(1, 2)), *w = F32(3, 4);
    cg_tensor *y = cg_mul_scalar(x, 3);
    cg_tensor *z = cg_sum(cg_mul(y, w));
    show_next(cg_grad_fn(z));
    show_next(cg_node_next(cg_grad_fn(z), 0, NULL));
    show_next(cg_grad_fn(y));
    cg_node *acc = cg_node_next(cg_grad_fn(y), 0, NULL);
    show_next(acc);
    fprintf(out, "%s\n", cg_node_next(cg_grad_fn(cg_mul_scalar(x, 2)), 0, NULL) == acc ? "True" : "False");
    cg_tensor *ab[2];
    cg_unbind(x, 0, ab, 2);
    show_next(cg_grad_fn(cg_mul(ab[1], ab[0])));
    show_next(cg_grad_fn(ab[0]));
}

/* Python's show(label, *grads): a label and tensors, None for NULL. */
static void show_labeled(const char *label, int n, cg_tensor *const *grads) {
    fprintf(out, "%s", label);
    for (int i = 0; i < n; i++) {
        char text[512];
        cg_format(grads[i], text, sizeof text);
        fprintf(out, " %s", text);
    }
    fprintf(out, "\n");
}

typedef struct {
    const char *label;
    double change; /* added (pre-hooks) or multiplied (tensor hooks); 0: none */
} logger;

static int logging_prehook(cg_tensor **grads, int n, void *user) {
    const logger *l = user;
    show_labeled(l->label, n, grads);
    for (int i = 0; i < n && l->change; i++) grads[i] = cg_add_scalar(grads[i], l->change);
    return 0;
}

static cg_tensor *logging_tensor_hook(cg_tensor *grad, void *user) {
    const logger *l = user;
    show_labeled(l->label, 1, &grad);
    return l->change ? cg_mul_scalar(grad, l->change) : NULL;
}

/* Pre-hooks "p..." (adding 1), tensor hooks "t..." (doubling) and retain_grad "r" on y, in order. */
static void hook_order(int n, const char **order) {
    cg_tensor *x = leaf(F32(1, 2));
    cg_tensor *y = cg_mul_scalar(x, 3);
    logger loggers[8];
    bool retains = false;
    for (int i = 0; i < n; i++) {
        loggers[i] = (logger){order[i], order[i][0] == 'p' ? 1 : 2};
        if (order[i][0] == 'p') cg_node_register_prehook(cg_grad_fn(y), logging_prehook, &loggers[i]);
        else if (order[i][0] == 't') cg_register_hook(y, logging_tensor_hook, &loggers[i]);
        else retains = cg_retain_grad(y) == 0;
    }
    cg_backward(cg_sum(y));
    SHOW(cg_grad(x));
    if (retains) SHOW(cg_grad(y));
}
#define HOOK_ORDER(...) hook_order(CG_NARGS(__VA_ARGS__), (const char *[]){__VA_ARGS__})

static void prehooks_then_tensor_hooks(void) { HOOK_ORDER("p1", "t1", "p2", "t2"); }
static void tensor_hooks_then_prehooks(void) { HOOK_ORDER("t1", "p1", "t2", "p2"); }
static void retain_grad_among_hooks(void) { HOOK_ORDER("p1", "t1", "r", "p2", "t2"); }

static int times_ten(cg_tensor **grads, int n, void *user) {
    (void)n, (void)user;
    grads[0] = cg_mul_scalar(grads[0], 10);
    return 0;
}

static int logging_post_hook(cg_tensor **grad_inputs, int nin, cg_tensor *const *grad_outputs, int nout, void *user) {
    cg_tensor *all[8];
    memcpy(all, grad_inputs, (size_t)nin * sizeof *all);
    memcpy(all + nin, grad_outputs, (size_t)nout * sizeof *all);
    show_labeled(user, nin + nout, all);
    return 0;
}

static int doubling_post_hook(cg_tensor **grad_inputs, int nin, cg_tensor *const *grad_outputs, int nout, void *user) {
    logging_post_hook(grad_inputs, nin, grad_outputs, nout, user);
    grad_inputs[0] = cg_mul_scalar(grad_inputs[0], 2);
    return 0;
}

static void post_hooks(void) {
    cg_tensor *x = leaf(F32(1, 2)), *w = F32(3, 4);
    cg_tensor *m = cg_mul(cg_mul_scalar(x, 3), w);
    cg_node_register_prehook(cg_grad_fn(m), times_ten, NULL);
    cg_node_register_hook(cg_grad_fn(m), logging_post_hook, "post1");
    cg_node_register_hook(cg_grad_fn(m), doubling_post_hook, "post2");
    cg_backward(cg_sum(m));
    SHOW(cg_grad(x));
}

static cg_tensor *watched; /* the leaf whose .grad accumulate_post shows */

static int accumulate_post(cg_tensor **grad_inputs, int nin, cg_tensor *const *grad_outputs, int nout, void *user) {
    (void)grad_inputs, (void)user;
    char label[16];
    snprintf(label, sizeof label, "post %d", nin);
    show_labeled(label, 2, (cg_tensor *[]){grad_outputs[nout - 1], cg_grad(watched)});
    return 0;
}

static void accumulate_grad_hooks(void) {
    cg_tensor *x = watched = leaf(F32(1, 2));
    logger t1 = {"t1", 2}, p1 = {"p1", 1};
    cg_register_hook(x, logging_tensor_hook, &t1);
    cg_tensor *y = cg_mul_scalar(x, 3);
    cg_node *acc = cg_node_next(cg_grad_fn(y), 0, NULL);
    cg_node_register_prehook(acc, logging_prehook, &p1);
    cg_node_register_hook(acc, accumulate_post, NULL);
    cg_backward(cg_sum(y), .retain_graph = true);
    SHOW(cg_grad(x));
    cg_tensor *g;
    cg_autograd_grad(.outputs = CG_TENSORS(cg_sum(y)), .inputs = CG_TENSORS(x), .results = &g);
    fprintf(out, "after grad\n");
}

static void grad_runs_node_hooks(void) {
    cg_tensor *x = leaf(F32(1, 2));
    cg_tensor *y = cg_mul_scalar(x, 3);
    logger pre = {"pre", 0};
    cg_node_register_prehook(cg_grad_fn(y), logging_prehook, &pre);
    cg_node_register_hook(cg_grad_fn(y), logging_post_hook, "post");
    cg_tensor *g = NULL;
    cg_autograd_grad(.outputs = CG_TENSORS(cg_sum(y)), .inputs = CG_TENSORS(x), .results = &g);
    SHOW(g);
}

static void removed_hooks(void) {
    cg_tensor *x = leaf(F32(1, 2));
    cg_tensor *y = cg_mul_scalar(x, 3);
    cg_node *fn = cg_grad_fn(y);
    logger pre = {"pre", 100};
    int h1 = cg_node_register_prehook(fn, logging_prehook, &pre);
    int h2 = cg_node_register_hook(fn, logging_post_hook, "post");
    cg_node_register_hook(fn, logging_post_hook, "kept");
    cg_node_remove_hook(fn, h1);
    cg_node_remove_hook(fn, h2);
    cg_node_remove_hook(fn, h2);
    cg_backward(cg_sum(y));
    SHOW(cg_grad(x));
}

static void accumulator_of_a_dead_graph(void) {
    cg_tensor *x = leaf(F32(1, 2));
    logger old = {"old", 0}, new = {"new", 0};
    CG_SCOPE { cg_node_register_prehook(cg_node_next(cg_grad_fn(cg_mul_scalar(x, 3)), 0, NULL), logging_prehook, &old); }
    cg_tensor *y = cg_mul_scalar(x, 3);
    cg_node_register_prehook(cg_node_next(cg_grad_fn(y), 0, NULL), logging_prehook, &new);
    cg_backward(cg_sum(y));
    SHOW(cg_grad(x));
}

/* The error, with this test's hook handle printed as Python's function name ('hook'). */
static void show_error(int handle) {
    char quoted[32], text[1400];
    snprintf(quoted, sizeof quoted, "'%d'", handle);
    const char *e = harness_error(), *at = strstr(e, quoted);
    if (at) snprintf(text, sizeof text, "%.*s'hook'%s", (int)(at - e), e, at + strlen(quoted));
    else snprintf(text, sizeof text, "%s", e);
    fprintf(out, "%s\n", text);
}

enum { AS_DOUBLE, THREE_ONES, DROPPED, INVENTED };

static cg_tensor *replacement(int how, cg_tensor *grad) {
    switch (how) {
    case AS_DOUBLE: return cg_to(grad, CG_FLOAT64);
    case THREE_ONES: return cg_ones(3);
    case INVENTED: return cg_ones(2);
    default: return NULL;
    }
}

static int replacing_prehook(cg_tensor **grads, int n, void *user) {
    int how = *(const int *)user;
    if (how == INVENTED) grads[n - 1] = cg_scalar(1, CG_FLOAT32);
    else grads[0] = replacement(how, grads[0]);
    return 0;
}

static int replacing_post_hook(cg_tensor **grad_inputs, int nin, cg_tensor *const *grad_outputs, int nout, void *user) {
    (void)grad_outputs, (void)nout;
    int how = *(const int *)user;
    grad_inputs[how == INVENTED ? nin - 1 : 0] = replacement(how, grad_inputs[0]);
    return 0;
}

static void replaced_by(bool pre, int how) {
    cg_tensor *x = leaf(F32(1, 2));
    cg_tensor *y = cg_mul_scalar(x, 3);
    int h = pre ? cg_node_register_prehook(cg_grad_fn(y), replacing_prehook, &how)
                : cg_node_register_hook(cg_grad_fn(y), replacing_post_hook, &how);
    if (cg_backward(cg_sum(y)) < 0) show_error(h);
    SHOW(cg_grad(x));
}

static void hook_results_checked(void) {
    replaced_by(true, AS_DOUBLE);
    replaced_by(true, THREE_ONES);
    replaced_by(true, DROPPED);
    replaced_by(false, AS_DOUBLE);
    replaced_by(false, THREE_ONES);
    replaced_by(false, INVENTED);
    cg_tensor *x = leaf(F32(1, 2)), *ab[2];
    cg_unbind(x, 0, ab, 2);
    int how = INVENTED;
    int h = cg_node_register_prehook(cg_grad_fn(ab[0]), replacing_prehook, &how);
    if (cg_backward(ab[0]) < 0) show_error(h);
    SHOW(cg_grad(x));
}

static const scenario scenarios[] = {
    {"next_functions", next_functions},
    {"prehooks_then_tensor_hooks", prehooks_then_tensor_hooks},
    {"tensor_hooks_then_prehooks", tensor_hooks_then_prehooks},
    {"retain_grad_among_hooks", retain_grad_among_hooks},
    {"post_hooks", post_hooks},
    {"accumulate_grad_hooks", accumulate_grad_hooks},
    {"grad_runs_node_hooks", grad_runs_node_hooks},
    {"removed_hooks", removed_hooks},
    {"accumulator_of_a_dead_graph", accumulator_of_a_dead_graph},
    {"hook_results_checked", hook_results_checked},
};

static void test_scenarios(void) { run_scenarios(scenarios, sizeof scenarios / sizeof scenarios[0], "tests/data/node_api.txt"); }

/* ---- metadata: kept by the node, destroyed with it or when replaced ---- */

static int destroyed;
static void count_destroyed(void *data) { destroyed += *(int *)data; }

static void test_metadata(void) {
    int one = 1, ten = 10;
    destroyed = 0;
    CG_SCOPE {
        cg_tensor *y = cg_mul_scalar(leaf(F32(1, 2)), 3);
        cg_node *fn = cg_grad_fn(y);
        CHECK(cg_node_metadata(fn) == NULL);
        CHECK(cg_node_set_metadata(fn, &one, count_destroyed) == 0);
        CHECK(cg_node_metadata(fn) == &one);
        CHECK(cg_node_set_metadata(fn, &ten, count_destroyed) == 0);
        CHECK(destroyed == 1);
        CHECK(cg_node_metadata(cg_grad_fn(y)) == &ten);
    }
    CHECK(destroyed == 11);
    CHECK(cg_node_metadata(NULL) == NULL);
    CHECK(cg_node_set_metadata(NULL, &one, NULL) == -1);
}

/* ---- a failing hook fails the backward with its message, or one of its own ---- */

/* With user set, fails as a cgrad op fails (its message set); else without a message. */
static int failing_prehook(cg_tensor **grads, int n, void *user) {
    (void)n;
    if (user) grads[0] = cg_mul(grads[0], cg_ones(3));
    return -1;
}

static int failing_post_hook(cg_tensor **gi, int nin, cg_tensor *const *go, int nout, void *user) {
    (void)nin, (void)go, (void)nout, (void)user;
    gi[0] = cg_mul(gi[0], cg_ones(3));
    return -1;
}

static void test_failing_hooks(void) {
    cg_tensor *x = leaf(F32(1, 2));
    cg_tensor *y = cg_mul_scalar(x, 3);
    const char *mismatch = "RuntimeError: The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0";
    int h = cg_node_register_prehook(cg_grad_fn(y), failing_prehook, "fail");
    CHECK(cg_backward(cg_sum(y), .retain_graph = true) == -1);
    CHECK_STR(harness_error(), mismatch);
    CHECK(cg_grad(x) == NULL);
    cg_node_remove_hook(cg_grad_fn(y), h);
    h = cg_node_register_prehook(cg_grad_fn(y), failing_prehook, NULL);
    char expected[64];
    snprintf(expected, sizeof expected, "RuntimeError: hook '%d' failed", h);
    CHECK(cg_backward(cg_sum(y), .retain_graph = true) == -1);
    CHECK_STR(harness_error(), expected);
    cg_node_remove_hook(cg_grad_fn(y), h);
    cg_node_register_hook(cg_grad_fn(y), failing_post_hook, NULL);
    CHECK(cg_backward(cg_sum(y)) == -1);
    CHECK_STR(harness_error(), mismatch);
    CHECK(cg_node_register_prehook(cg_grad_fn(y), NULL, NULL) == -1);
    CHECK_STR(harness_error(), "TypeError: cannot register a NULL hook");
    CHECK(cg_node_register_hook(NULL, logging_post_hook, NULL) == -1);
    CHECK(cg_node_remove_hook(NULL, 1) == -1);
}

int main(void) {
    RUN(test_scenarios);
    RUN(test_metadata);
    RUN(test_failing_hooks);
    HARNESS_END();
}
