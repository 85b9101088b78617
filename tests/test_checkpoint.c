/* Checkpointing (torch.utils.checkpoint): a dropout MLP segment's gradients and the generator's
 * state after backward, reentrant and not, against PyTorch 1.13 (tests/data/checkpoint.txt from
 * tools/gen_checkpoint.py); PyTorch's errors and warning; autograd.grad and retain_graph through
 * the non-reentrant form; what the graph keeps; gradcheck. */
#include "blas_core.h"
#include "golden.h"
#include "harness.h"

static int segment(cg_tensor **in, cg_tensor **out, void *user) {
    (void)user;
    out[0] = cg_matmul(cg_dropout(cg_tanh(cg_matmul(in[0], in[1])), 0.5, true), in[2]);
    return out[0] ? 1 : -1;
}

static char warned[300];
static int nwarned;
static void catch_warning(const char *message, void *user) {
    (void)user;
    snprintf(warned, sizeof warned, "%s", message);
    nwarned++;
}

/* The same ops in the same order give PyTorch's bits on the golden file's OpenBLAS kernels and with
 * SLEEF's tanh; elsewhere (other kernels, valgrind, the portable build) products and tanh round
 * otherwise. */
static bool exact_bits(void) {
#ifdef CG_HAVE_SLEEF
    return golden_same_blas("tests/data/checkpoint.txt") && !under_valgrind();
#else
    return false;
#endif
}

static void test_golden(void) {
    double tol = exact_bits() ? 0 : 1e-5;
    bool exact = true;
    golden_file g;
    if (golden_open(&g, "tests/data/checkpoint.txt") < 0) {
        CHECK(false);
        return;
    }
    int cases = 0;
    for (char *line; (line = golden_next_line(&g));) {
        char *cur = line, *name = golden_token(&cur);
        cg_tensor *e1 = golden_tensor(&cur), *e2 = golden_tensor(&cur), *next = golden_tensor(&cur);
        cg_manual_seed(0);
        cg_tensor *x = cg_randn(4, 3);
        cg_tensor *w1 = cg_requires_grad_(cg_randn(3, 5), true), *w2 = cg_requires_grad_(cg_randn(5, 2), true);
        cg_tensor *in[3] = {x, w1, w2}, *y = NULL;
        if (!strcmp(name, "plain")) CHECK(segment(in, &y, NULL) == 1);
        else
            CHECK(cg_checkpoint(.fn = segment, .inputs = {in, 3}, .outputs = &y,
                                .use_reentrant = !strcmp(name, "reentrant")) == 1);
        CHECK_STR(cg_node_name(cg_grad_fn(y)), strcmp(name, "reentrant") ? "MmBackward0" : "CheckpointFunctionBackward");
        CHECK_MSG(cg_backward(cg_sum(cg_mul(y, y))) == 0, "%s: %s", name, cg_last_error());
        CHECK_MSG(golden_close_values(cg_grad(w1), e1, tol, &exact) && golden_close_values(cg_grad(w2), e2, tol, &exact),
                  "%s: gradients", name);
        CHECK_MSG(harness_same_bits(cg_rand(3), next), "%s: the generator after backward", name);
        cases++;
    }
    golden_close(&g);
    CHECK(cases == 3);
}

static int sin_mul(cg_tensor **in, cg_tensor **out, void *user) {
    int *calls = user;
    if (calls) (*calls)++;
    out[0] = cg_mul(cg_sin(in[0]), in[1]);
    return out[0] ? 1 : -1;
}

/* Non-reentrant: the graph is the segment's own, so autograd.grad and a second backward (with
 * retain_graph) work; the segment runs once more for the first backward only. */
static void test_non_reentrant_graph(void) {
    cg_tensor *x = cg_requires_grad_(cg_tensor_f64(((double[]){0.5, 1.5}), 2), true);
    cg_tensor *w = cg_requires_grad_(cg_tensor_f64(((double[]){2, -1}), 2), true);
    int calls = 0;
    cg_tensor *y = NULL, *g[2] = {0};
    CHECK(cg_checkpoint(.fn = sin_mul, .user = &calls, .inputs = CG_TENSORS(x, w), .outputs = &y) == 1);
    CHECK(calls == 1);
    CHECK(cg_autograd_grad(.outputs = CG_TENSORS(cg_sum(y)), .inputs = CG_TENSORS(x, w), .results = g,
                           .retain_graph = true) == 0);
    CHECK(calls == 2);
    CHECK(harness_values_close(g[0], (double[]){2 * cos(0.5), -cos(1.5)}, 1e-15));
    CHECK(harness_values_close(g[1], (double[]){sin(0.5), sin(1.5)}, 1e-15));
    CHECK(cg_backward(cg_sum(y)) == 0);
    CHECK(calls == 2);
    CHECK(harness_values_close(cg_grad(w), (double[]){sin(0.5), sin(1.5)}, 1e-15));
}

/* Reentrant: PyTorch's refusal under autograd.grad, its warning when no input requires grad. */
static void test_reentrant_errors(void) {
    cg_set_warning_handler(catch_warning, NULL);
    cg_tensor *x = cg_requires_grad_(cg_tensor_f64(((double[]){0.5, 1.5}), 2), true);
    cg_tensor *c = cg_tensor_f64(((double[]){2, -1}), 2), *y = NULL, *g = NULL;
    CHECK(cg_checkpoint(.fn = sin_mul, .inputs = CG_TENSORS(x, c), .outputs = &y, .use_reentrant = true) == 1);
    CHECK_ERROR(cg_autograd_grad(.outputs = CG_TENSORS(cg_sum(y)), .inputs = CG_TENSORS(x), .results = &g) == 0,
                "Checkpointing is not compatible with .grad() or when an `inputs` parameter is passed to .backward(). "
                "Please use .backward() and do not pass its `inputs` argument.");
    nwarned = 0;
    CHECK(cg_checkpoint(.fn = sin_mul, .inputs = CG_TENSORS(c, c), .outputs = &y, .use_reentrant = true) == 1);
    CHECK(nwarned == 1);
    CHECK_STR(warned, "None of the inputs have requires_grad=True. Gradients will be None");
    CHECK(!cg_requires_grad(y));
    cg_set_warning_handler(NULL, NULL);
    CHECK_ERROR(cg_checkpoint(.fn = sin_mul, .inputs = CG_TENSORS(x, x, x, x, x), .outputs = &y, .use_reentrant = true) >= 0,
                "cg_checkpoint: at most 4 inputs with use_reentrant");
    CHECK_ERROR(cg_checkpoint(.inputs = CG_TENSORS(x), .outputs = &y) >= 0,
                "cg_checkpoint: a function, its inputs and room for its outputs are required");
}

static int count_saves(cg_tensor **in, cg_tensor **out, void *user) {
    (void)user;
    out[0] = cg_exp(cg_exp(cg_exp(in[0])));
    return out[0] ? 1 : -1;
}
static int saves;
static void *counting_pack(cg_tensor *t, void *user) {
    (void)user;
    saves++;
    return cg_retain(t);
}
static cg_tensor *as_is(void *packed, void *user) {
    (void)user;
    return packed;
}
static void drop(void *packed, void *user) {
    (void)user;
    cg_release(packed);
}

/* The non-reentrant segment's saves go to its placeholders, not to hooks the caller pushed; the
 * reentrant one saves only its inputs. */
static void test_what_is_saved(void) {
    cg_tensor *x = cg_requires_grad_(cg_tensor_f32(((float[]){0.5f}), 1), true), *y = NULL;
    saves = 0;
    CG_SAVED_TENSORS_HOOKS(((cg_saved_tensors_hooks){counting_pack, as_is, drop, NULL})) {
        CHECK(cg_checkpoint(.fn = count_saves, .inputs = CG_TENSORS(x), .outputs = &y) == 1);
        CHECK(saves == 0);
        CHECK(cg_checkpoint(.fn = count_saves, .inputs = CG_TENSORS(x), .outputs = &y, .use_reentrant = true) == 1);
        CHECK(saves == 1);
    }
    CHECK(cg_backward(cg_sum(y)) == 0);
    CHECK_CLOSE(cg_item(cg_grad(x)), exp(exp(exp(0.5)) + exp(0.5) + 0.5), 1e-6);
}

static int checkpointed(cg_tensor **in, cg_tensor **out, void *user) {
    return cg_checkpoint(.fn = sin_mul, .inputs = {in, 2}, .outputs = out, .user = user);
}

static void test_gradcheck(void) {
    cg_tensor *x = cg_requires_grad_(cg_tensor_f64(((double[]){0.5, -1.2, 2}), 3), true);
    cg_tensor *w = cg_requires_grad_(cg_tensor_f64(((double[]){1.5, 0.3, -0.7}), 3), true);
    CHECK_MSG(cg_gradcheck(.fn = checkpointed, .inputs = CG_TENSORS(x, w)) == 0, "%s", cg_last_error());
    CHECK_MSG(cg_gradgradcheck(.fn = checkpointed, .inputs = CG_TENSORS(x, w)) == 0, "%s", cg_last_error());
}

int main(void) {
    RUN(test_golden);
    RUN(test_non_reentrant_graph);
    RUN(test_reentrant_errors);
    RUN(test_what_is_saved);
    RUN(test_gradcheck);
    HARNESS_END();
}
