/* The fast paths of scalar-heavy autograd, checked for staying invisible:
 * - recycled blocks (tensor headers, storages, nodes, autograd state come from per-thread free
 *   lists): what is made from one starts as fresh as a new one, nodes of any input count work, long
 *   chains free, and a thread's tensors and lists are released when it ends (memcheck checks that
 *   nothing is left);
 * - gradient sums in the engine's buffers are made in place only when nothing else can see them;
 * - addcmul_ and addcdiv_ of one dtype write self directly (an optimizer step), with vector blocks
 *   on contiguous operands: the bits are those of the out-of-place op, for any operand layout.
 * Expected values are PyTorch 1.13's. */
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

/* Many gradients into one leaf (the sum is made in place after the first addition). */
static void test_leaf_used_often(void) {
    cg_tensor *x = cg_requires_grad_(cg_full_shape(CG_FLOAT32, CG_SHAPE(2), 2), true);
    cg_tensor *loss = cg_zeros(1);
    for (int i = 1; i <= 10; i++) loss = cg_add(loss, cg_sum(cg_mul_scalar(x, i)));
    CHECK(cg_backward(loss) == 0);
    CHECK(harness_values_close(cg_grad(x), (double[]){55, 55}, 0));
}

static cg_tensor *captured;
static cg_tensor *capture_grad(cg_tensor *grad, void *user) {
    (void)user;
    captured = cg_retain(grad);
    return NULL;
}

/* One gradient tensor sent twice into one buffer (AddBackward of t + t), then a third: the
 * tensor sent twice (which a hook holds) must not be the one added into. */
static void test_same_gradient_twice(void) {
    static const float data[] = {1, 2};
    cg_tensor *x = cg_requires_grad_(cg_tensor_f32(data, 2), true);
    cg_tensor *t = cg_mul_scalar(x, 3);
    cg_tensor *v = cg_mul_scalar(t, 1), *u = cg_add(t, t); /* u's node runs before v's */
    CHECK(cg_register_hook(u, capture_grad, NULL) > 0);  /* u's gradient is the one sent twice */
    CHECK(cg_backward(cg_add(cg_sum(cg_mul_scalar(u, 2)), cg_sum(v))) == 0);
    CHECK(harness_values_close(cg_grad(x), (double[]){15, 15}, 0));
    CHECK(harness_values_close(captured, (double[]){2, 2}, 0));
    cg_release(captured);
}

/* A view of a gradient the user still holds arrives first: adding into it would change theirs. */
static void test_view_of_held_gradient(void) {
    static const float data[] = {1, 2, 3, 4};
    cg_tensor *x = cg_requires_grad_(cg_tensor_f32(data, 2, 2), true);
    cg_tensor *y = cg_view(x, 4), *w = cg_mul_scalar(y, 3), *z = cg_view(y, 2, 2); /* z's node runs first */
    CHECK(cg_register_hook(z, capture_grad, NULL) > 0);
    CHECK(cg_backward(cg_add(cg_sum(cg_mul(z, z)), cg_sum(w))) == 0);
    CHECK(harness_values_close(cg_grad(x), (double[]){5, 7, 9, 11}, 0));
    CHECK(harness_values_close(captured, (double[]){2, 4, 6, 8}, 0));
    cg_release(captured);
}

/* With create_graph the sums are recorded, so never made in place: second derivatives are right. */
static void test_sums_recorded(void) {
    static const double two = 2;
    cg_tensor *x = cg_requires_grad_(cg_tensor_f64(&two, 1), true);
    cg_tensor *y = cg_add(cg_add(cg_mul(x, x), cg_mul(cg_mul(x, x), x)), x);
    cg_tensor *g = NULL;
    CHECK(cg_autograd_grad(.outputs = CG_TENSORS(y), .inputs = CG_TENSORS(x), .results = &g, .create_graph = true) == 0);
    CHECK_CLOSE(cg_item(g), 2 * 2 + 3 * 4 + 1, 0);
    CHECK(cg_backward(g) == 0);
    CHECK_CLOSE(cg_item(cg_grad(x)), 2 + 6 * 2, 0);
}

/* A copy of the operand as a contiguous float32 [17, 59] array (a broadcast row expanded). */
static const float *values(cg_tensor *t) { return cg_data_ptr(cg_contiguous(cg_expand(cg_clone(t), 17, 59))); }

/* self's bits after addcmul_/addcdiv_ are the element formula's, as PyTorch's kernel rounds it:
 * fma(value * a, b, self) and self + value * a / b (this file builds with -ffp-contract=off). */
static void test_addc_in_place(void) {
    CG_SCOPE {
        cg_manual_seed(3);
        /* 1003 elements: blocks of 8 and a tail; b positive for addcdiv */
        cg_tensor *t = cg_randn(17, 59), *a = cg_randn(17, 59), *b = cg_add_scalar(cg_rand(17, 59), 0.5);
        cg_tensor *row = cg_randn(59), *at = cg_transpose(cg_randn(59, 17), 0, 1);
        cg_tensor *cases[][2] = {{a, b}, {a, row}, {at, b}, {NULL, b}, {a, NULL}};
        const float value = -0.3f;
        for (int divide = 0; divide < 2; divide++)
            for (int c = 0; c < 5; c++) {
                cg_tensor *self = cg_clone(t);
                cg_tensor *x = cases[c][0] ? cases[c][0] : self, *y = cases[c][1] ? cases[c][1] : self;
                if (divide && !cases[c][1]) y = cg_abs(self); /* a divisor apart from self */
                const float *s0 = values(self), *xs = values(x), *ys = values(y);
                CHECK((divide ? cg_addcdiv_number_(self, x, y, cg_number_float(value))
                              : cg_addcmul_number_(self, x, y, cg_number_float(value))) == 0);
                const float *got = cg_data_ptr(self);
                int wrong = 0;
                for (int i = 0; i < 17 * 59; i++) {
                    float want = divide ? s0[i] + value * xs[i] / ys[i] : fmaf(value * xs[i], ys[i], s0[i]);
                    wrong += memcmp(&want, &got[i], 4) != 0;
                }
                CHECK_MSG(wrong == 0, "divide %d case %d: %d elements differ", divide, c, wrong);
            }
    }
}

int main(void) {
    RUN(test_addc_in_place);
    RUN(test_leaf_used_often);
    RUN(test_same_gradient_twice);
    RUN(test_view_of_held_gradient);
    RUN(test_sums_recorded);
    RUN(test_fresh_after_reuse);
    RUN(test_many_inputs);
    RUN(test_long_chain);
    RUN(test_thread_end);
    HARNESS_END();
}
