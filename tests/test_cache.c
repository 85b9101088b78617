/* Recycled blocks (tensor headers, storages, nodes, autograd state come from per-thread free lists):
 * what is made from a recycled block starts as fresh as a new one, nodes of any input count work,
 * long chains free, and a thread's tensors and lists are released when it ends (memcheck checks
 * that nothing is left). */
#include "harness.h"

#include <threads.h>

/* A graph with everything a tensor and a node can carry: grad, retain_grad, hooks, saved tensors. */
static void dirty_graph(void) {
    CG_SCOPE {
        cg_tensor *x = cg_requires_grad_(cg_full_shape(CG_FLOAT32, CG_SHAPE(1), 3), true);
        cg_tensor *y = cg_mul(x, x);
        CHECK(cg_retain_grad(y) == 0);
        cg_tensor *z = cg_mul(cg_add_scalar(y, 1), x);
        CHECK(cg_backward(z) == 0);
        CHECK(cg_add_(cg_grad(x), cg_grad(x)) == 0); /* bumps a version */
    }
}

static void test_fresh_after_reuse(void) {
    for (int round = 0; round < 3; round++) {
        dirty_graph();
        cg_tensor *a = cg_ones(1), *b = cg_zeros(1);
        CHECK(!cg_requires_grad(a) && cg_is_leaf(a) && cg_grad_fn(a) == NULL);
        CHECK(cg_grad(a) == NULL);
        CHECK(cg_version(a) == 0 && cg_version(b) == 0);
        CHECK_CLOSE(cg_item(a), 1, 0);
        CHECK_CLOSE(cg_item(b), 0, 0);
        CHECK(cg_requires_grad_(a, true) == a);
        cg_tensor *c = cg_add(a, b);
        CHECK_STR(cg_node_name(cg_grad_fn(c)), "AddBackward0");
        CHECK(cg_node_num_next(cg_grad_fn(c)) == 2);
        CHECK_STR(cg_node_name(cg_node_next(cg_grad_fn(c), 0, NULL)), "AccumulateGrad");
        CHECK(cg_node_next(cg_grad_fn(c), 1, NULL) == NULL);
        CHECK(cg_backward(c) == 0);
        CHECK_CLOSE(cg_item(cg_grad(a)), 1, 0);
        CHECK(cg_grad(b) == NULL);
    }
}

/* A node with more inputs than the recycled size (4) takes the other path. */
static void test_many_inputs(void) {
    cg_tensor *x[6];
    for (int i = 0; i < 6; i++) x[i] = cg_requires_grad_(cg_full_shape(CG_FLOAT64, CG_SHAPE(2), i), true);
    cg_tensor *s = cg_sum(cg_mul(cg_stack(x, 6, 0), cg_stack(x, 6, 0)));
    CHECK(cg_node_num_next(cg_grad_fn(cg_stack(x, 6, 0))) == 6);
    CHECK(cg_backward(s) == 0);
    for (int i = 0; i < 6; i++) CHECK_CLOSE(cg_item(cg_sum(cg_grad(x[i]))), 4.0 * i, 1e-12);
}

/* Releasing a chain far longer than the fixed list of nodes waiting to be freed. */
static void test_long_chain(void) {
    cg_tensor *x = cg_requires_grad_(cg_ones(1), true);
    cg_tensor *y = x;
    CG_SCOPE {
        for (int i = 0; i < 5000; i++) y = cg_mul_scalar(y, 1.0);
        cg_keep(y);
    }
    CHECK(cg_backward(y) == 0);
    CHECK_CLOSE(cg_item(cg_grad(x)), 1, 0);
}

static int worker(void *arg) {
    double *result = arg;
    cg_tensor *w = cg_requires_grad_(cg_full_shape(CG_FLOAT32, CG_SHAPE(3), 2), true); /* root scope */
    for (int step = 0; step < 50; step++) {
        CG_SCOPE {
            cg_tensor *loss = cg_sum(cg_mul(w, w));
            if (cg_backward(loss) != 0) *result = -1;
        }
    }
    *result = cg_item(cg_sum(cg_grad(w)));
    return 0; /* w, its grad and the thread's free lists are released as it ends */
}

static void test_thread_end(void) {
    for (int i = 0; i < 3; i++) {
        double result = 0;
        thrd_t t;
        CHECK(thrd_create(&t, worker, &result) == thrd_success);
        CHECK(thrd_join(t, NULL) == thrd_success);
        CHECK_CLOSE(result, 50 * 3 * 4, 1e-6);
    }
}

int main(void) {
    RUN(test_fresh_after_reuse);
    RUN(test_many_inputs);
    RUN(test_long_chain);
    RUN(test_thread_end);
    HARNESS_END();
}
