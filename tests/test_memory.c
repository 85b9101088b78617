/* Memory stays flat: a million iterations of a scope that makes tensors, and a training loop with
 * autograd, leave the heap's in-use bytes where they were after warming up. (Under valgrind,
 * mallinfo2 reports nothing; memcheck then checks the same loops for leaks instead.) */
#include "harness.h"

#include <malloc.h>
#include <stdlib.h>

/* make memcheck sets CG_QUICK: valgrind is ~50 times slower, and leaks show there anyway. */
static int scaled(int n) { return getenv("CG_QUICK") ? n / 20 : n; }

static size_t heap_in_use(void) {
#ifdef __GLIBC__
    return mallinfo2().uordblks;
#else
    return 0;
#endif
}

static void run_scopes(int iterations, cg_tensor *a, cg_tensor *b) {
    for (int i = 0; i < iterations; i++) {
        CG_SCOPE {
            cg_tensor *c = cg_add(a, b);
            cg_mul_(c, cg_sum(cg_view(c, -1)));
        }
    }
}

static void test_million_scopes_keep_memory_flat(void) {
    cg_tensor *a = cg_ones(2, 3), *b = cg_arange(0, 3, 1, CG_FLOAT32);
    run_scopes(10000, a, b);
    size_t warm = heap_in_use();
    run_scopes(scaled(1000000), a, b);
    size_t after = heap_in_use();
    CHECK_MSG(after <= warm + 65536, "heap grew from %zu to %zu bytes over a million scopes", warm, after);
}

/* One step of fitting y = 3x + 1 by gradient descent, in its own scope. */
static void train(int steps, cg_tensor *w, cg_tensor *b, cg_tensor *x, cg_tensor *y) {
    for (int i = 0; i < steps; i++) {
        CG_SCOPE {
            cg_tensor *loss = cg_mean(cg_pow_scalar(cg_sub(cg_add(cg_mul(x, w), b), y), 2));
            cg_backward(loss);
            CG_NO_GRAD {
                cg_sub_(w, cg_mul_scalar(cg_grad(w), 0.1));
                cg_sub_(b, cg_mul_scalar(cg_grad(b), 0.1));
            }
            cg_zero_(cg_grad(w));
            cg_zero_(cg_grad(b));
        }
    }
}

static void test_training_loop_keeps_memory_flat(void) {
    cg_tensor *x = cg_linspace(-1, 1, 16, CG_FLOAT32);
    cg_tensor *y = cg_add_scalar(cg_mul_scalar(x, 3), 1);
    cg_tensor *w = cg_requires_grad_(cg_zeros(1), true), *b = cg_requires_grad_(cg_zeros(1), true);
    train(100, w, b, x, y);
    size_t warm = heap_in_use();
    train(scaled(20000), w, b, x, y);
    size_t after = heap_in_use();
    CHECK_MSG(after <= warm + 65536, "heap grew from %zu to %zu bytes over 20000 steps", warm, after);
    CHECK_CLOSE(cg_item(w), 3, 1e-3);
    CHECK_CLOSE(cg_item(b), 1, 1e-3);
}

int main(void) {
    RUN(test_million_scopes_keep_memory_flat);
    RUN(test_training_loop_keeps_memory_flat);
    HARNESS_END();
}
