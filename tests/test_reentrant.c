/* A backward or autograd.grad run inside a hook of a running backward, on a graph that shares nodes
 * with the running one: each scenario is the C twin of the function of the same name in
 * tools/gen_reentrant.py, whose output under PyTorch 1.13 is tests/data/reentrant.txt. */
#include "scenarios.h"

static cg_tensor *f32(int n, const float *v) { return cg_from_data(v, CG_FLOAT32, 1, (const int64_t[]){n}); }
#define F32(...) f32(CG_NARGS(__VA_ARGS__), (const float[]){__VA_ARGS__})

/* What a hook hands back to its scenario: the graph's tensors, a result kept past the hook (the
 * hook's tensors belong to the engine's scope), and a depth that stops a hook reached again by the
 * run it starts. */
typedef struct {
    cg_tensor *x, *y, *root;
    cg_tensor *seen;
    int depth;
} hook_state;

static cg_tensor *grad_in_tensor_hook_fn(cg_tensor *g, void *user) {
    hook_state *s = user;
    cg_tensor *inner = NULL, *gx[1] = {NULL};
    CG_ENABLE_GRAD { inner = cg_sum(cg_mul(s->y, s->y)); } /* a backward runs with grad mode off */
    if (cg_autograd_grad(.outputs = CG_TENSORS(inner), .inputs = CG_TENSORS(s->x), .results = gx,
                         .retain_graph = true) != 0)
        return NULL;
    s->seen = cg_retain(gx[0]);
    return cg_add(g, gx[0]);
}

static void grad_in_tensor_hook(void) {
    cg_tensor *x = leaf(F32(1, 2, 3));
    cg_tensor *y = cg_sin(x);
    cg_tensor *u = cg_mul_scalar(y, 2);
    cg_tensor *z = cg_sum(cg_mul(u, u));
    hook_state s = {.x = x, .y = y};
    cg_register_hook(u, grad_in_tensor_hook_fn, &s);
    if (cg_backward(z) != 0) fprintf(out, "%s\n", harness_error());
    show(s.seen);
    show(cg_grad(x));
    cg_release(s.seen);
}

static cg_tensor *grad_of_running_graph_fn(cg_tensor *g, void *user) {
    hook_state *s = user;
    if (s->depth) return NULL;
    s->depth++;
    cg_tensor *gy[1] = {NULL};
    int status = cg_autograd_grad(.outputs = CG_TENSORS(s->root), .inputs = CG_TENSORS(s->y), .results = gy,
                                  .retain_graph = true);
    s->depth--;
    if (status != 0) return NULL;
    s->seen = cg_retain(gy[0]);
    return cg_mul_scalar(g, 2);
}

static void grad_of_running_graph_in_hook(void) {
    cg_tensor *x = leaf(F32(0.5, -1.5));
    cg_tensor *y = cg_exp(x);
    cg_tensor *u = cg_mul(y, x);
    cg_tensor *z = cg_sum(cg_mul(u, u));
    hook_state s = {.x = x, .y = y, .root = z};
    cg_register_hook(u, grad_of_running_graph_fn, &s);
    if (cg_backward(z, .retain_graph = true) != 0) fprintf(out, "%s\n", harness_error());
    show(s.seen);
    show(cg_grad(x));
    cg_release(s.seen);
}

static cg_tensor *backward_in_leaf_hook_fn(cg_tensor *g, void *user) {
    hook_state *s = user;
    if (s->depth) return NULL;
    s->depth++;
    cg_tensor *inner = NULL;
    CG_ENABLE_GRAD { inner = cg_sum(cg_mul(s->y, s->y)); }
    int status = cg_backward(inner, .retain_graph = true);
    s->depth--;
    return status == 0 ? g : NULL;
}

static void backward_in_leaf_hook(void) {
    cg_tensor *w = leaf(F32(0.5, -1));
    cg_tensor *x = leaf(F32(2, 3));
    cg_tensor *h = cg_mul(w, x);
    hook_state s = {.y = h};
    cg_register_hook(x, backward_in_leaf_hook_fn, &s);
    if (cg_backward(cg_sum(cg_exp(h)), .retain_graph = true) != 0) fprintf(out, "%s\n", harness_error());
    show(cg_grad(w));
    show(cg_grad(x));
}

static cg_tensor *nested_create_graph_fn(cg_tensor *g, void *user) {
    hook_state *s = user;
    cg_tensor *gx[1] = {NULL}, *hx[1] = {NULL};
    int status = -1;
    CG_ENABLE_GRAD {
        if (cg_autograd_grad(.outputs = CG_TENSORS(cg_sum(s->y)), .inputs = CG_TENSORS(s->x), .results = gx,
                             .create_graph = true) == 0)
            status = cg_autograd_grad(.outputs = CG_TENSORS(cg_sum(gx[0])), .inputs = CG_TENSORS(s->x),
                                      .results = hx, .retain_graph = true);
    }
    if (status != 0) return NULL;
    s->seen = cg_retain(hx[0]);
    return cg_add_scalar(g, 1);
}

static void nested_create_graph_in_hook(void) {
    cg_tensor *x = leaf(cg_tensor_f64(((double[]){1, 2}), 2));
    cg_tensor *y = cg_pow_scalar(x, 3);
    cg_tensor *v = cg_sin(y);
    hook_state s = {.x = x, .y = y};
    cg_register_hook(v, nested_create_graph_fn, &s);
    if (cg_backward(cg_sum(v)) != 0) fprintf(out, "%s\n", harness_error());
    show(s.seen);
    show(cg_grad(x));
    cg_release(s.seen);
}

static cg_tensor *inner_backward_frees_fn(cg_tensor *g, void *user) {
    hook_state *s = user;
    if (!s->depth) {
        s->depth = 1;
        cg_tensor *inner = NULL;
        CG_ENABLE_GRAD { inner = cg_sum(cg_mul_scalar(s->y, 1)); }
        if (cg_backward(inner) != 0) return NULL;
    }
    return g;
}

static void inner_backward_frees_shared_nodes(void) {
    cg_tensor *x = leaf(F32(1, 2));
    cg_tensor *y = cg_mul(x, x);
    cg_tensor *u = cg_mul_scalar(y, 3);
    hook_state s = {.y = y};
    cg_register_hook(u, inner_backward_frees_fn, &s);
    if (cg_backward(cg_sum(u)) != 0) fprintf(out, "%s\n", harness_error());
    show(cg_grad(x));
}

static const scenario scenarios[] = {
    {"grad_in_tensor_hook", grad_in_tensor_hook},
    {"grad_of_running_graph_in_hook", grad_of_running_graph_in_hook},
    {"backward_in_leaf_hook", backward_in_leaf_hook},
    {"nested_create_graph_in_hook", nested_create_graph_in_hook},
    {"inner_backward_frees_shared_nodes", inner_backward_frees_shared_nodes},
};

static void test_scenarios(void) { run_scenarios(scenarios, sizeof scenarios / sizeof scenarios[0], "tests/data/reentrant.txt"); }

int main(void) {
    RUN(test_scenarios);
    HARNESS_END();
}
