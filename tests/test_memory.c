/* Memory stays flat: a million iterations of a scope that makes tensors, and a training loop with
 * autograd, leave the heap's in-use bytes where they were after warming up. (Under valgrind,
 * mallinfo2 reports nothing; memcheck then checks the same loops for leaks instead.) */
#include "harness.h"

#include "core/alloc.h"

#include <malloc.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <threads.h>

/* make memcheck sets CG_QUICK: valgrind is ~50 times slower, and leaks show there anyway. */
static int scaled(int n) { return getenv("CG_QUICK") ? n / 20 : n; }

static size_t heap_in_use(void) {
#ifdef __GLIBC__
    struct mallinfo2 m = mallinfo2();
    return m.uordblks + m.hblkhd; /* big blocks are mapped on their own */
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

/* ---- cg_rebind: Python's `y = y * c` frees the old y at once ---- */

static void count_free(void *data, void *ctx) {
    (void)data;
    ++*(int *)ctx;
}

/* A tensor over buf whose release the counter sees: freed once the last reference goes. */
static cg_tensor *watched(float *buf, int n, int *freed) {
    return cg_from_blob(buf, CG_FLOAT32, 1, (int64_t[]){n}, NULL, count_free, freed);
}

static void test_rebind_frees_old_value_at_once(void) {
    float buf[3] = {1, 2, 3};
    int freed = 0;
    CG_SCOPE {
        cg_tensor *y = watched(buf, 3, &freed);
        cg_tensor *r = cg_rebind(&y, cg_mul_scalar(y, 2));
        CHECK(r == y);
        CHECK_MSG(freed == 1, "the old value was freed %d times", freed);
        CHECK(harness_values_close(y, (double[]){2, 4, 6}, 0));
    }
    CHECK(freed == 1);
}

/* A graph that saved the old value keeps it until backward frees what it saved. */
static void test_rebind_keeps_what_a_graph_saved(void) {
    float buf[3] = {1, 2, 3};
    int freed = 0;
    CG_SCOPE {
        cg_tensor *w = cg_requires_grad_(cg_full_shape(CG_FLOAT32, CG_SHAPE(3), 0.5), true);
        cg_tensor *y = watched(buf, 3, &freed);
        cg_rebind(&y, cg_mul(y, w)); /* MulBackward0 saves y for w's gradient */
        CHECK(freed == 0);
        cg_rebind(&y, cg_sum(y));
        CHECK(cg_backward(y) == 0);
        CHECK_MSG(freed == 1, "the saved value was freed %d times after backward", freed);
        CHECK(harness_values_close(cg_grad(w), (double[]){1, 2, 3}, 0));
    }
    CHECK(freed == 1);
}

/* Only the innermost scope's reference is dropped: a value from an enclosing scope, one handed
 * to it with cg_keep, or one the program retained stays while they hold it. */
static void test_rebind_leaves_other_owners_alone(void) {
    float buf[2] = {1, 2}, kept[2] = {3, 4}, held[2] = {5, 6};
    int freed = 0, freed_kept = 0, freed_held = 0;
    cg_tensor *outer = watched(buf, 2, &freed);
    CG_SCOPE {
        cg_tensor *y = outer;
        cg_rebind(&y, cg_add_scalar(y, 1));
        cg_tensor *k = cg_keep(watched(kept, 2, &freed_kept));
        cg_rebind(&k, cg_add_scalar(k, 1));
        cg_tensor *h = watched(held, 2, &freed_held), *p = cg_retain(h);
        cg_rebind(&h, cg_add_scalar(h, 1));
        CHECK(freed_held == 0 && harness_values_close(p, (double[]){5, 6}, 0));
        cg_release(p);
        CHECK(freed_held == 1); /* the retain was the last reference */
    }
    CHECK(freed == 0 && freed_kept == 0);
    CHECK(harness_values_close(outer, (double[]){1, 2}, 0));
}

/* An op that returns its argument took no new reference; an error stores NULL (the chain's
 * sticky NULL) and frees the old value, whose message stays. */
static void test_rebind_same_value_and_errors(void) {
    float buf[2] = {1, 2};
    int freed = 0;
    CG_SCOPE {
        cg_tensor *y = watched(buf, 2, &freed);
        CHECK(cg_rebind(&y, cg_requires_grad_(y, true)) == y);
        CHECK(freed == 0 && cg_requires_grad(y));
        cg_clear_error();
        CHECK(cg_rebind(&y, cg_mul(y, cg_ones(3))) == NULL);
        CHECK(y == NULL && freed == 1);
        CHECK_STR(cg_last_error(), "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0");
        CHECK(cg_rebind(&y, cg_mul_scalar(y, 2)) == NULL);
        CHECK(cg_rebind(NULL, NULL) == NULL);
    }
}

/* A scope that could not be opened (no memory for its mark) is part of the enclosing one, whose
 * values are not the rebinding's to free. */
static int unopened_scope(void *arg) {
    int *freed = arg;
    float buf[2] = {1, 2};
    cg_tensor *outer = watched(buf, 2, freed);
    cg_debug_fail_allocation_after(1); /* the first scope of a thread allocates its marks */
    cg_scope_begin();
    cg_debug_fail_allocation_after(-1);
    cg_tensor *y = outer;
    cg_rebind(&y, cg_mul_scalar(y, 2));
    int early = *freed;
    cg_scope_end();
    return early; /* the thread's root scope releases outer and y at its end */
}

static void test_rebind_in_an_unopened_scope(void) {
    int freed = 0, early = -1;
    thrd_t t;
    CHECK(thrd_create(&t, unopened_scope, &freed) == thrd_success);
    CHECK(thrd_join(t, &early) == thrd_success);
    CHECK_MSG(early == 0, "freed %d times inside the unopened scope", early);
    CHECK(freed == 1); /* at the thread's end */
}

/* A chain of 200 ops on 1 MB tensors, rebinding, holds a few of them at a time, not 200. */
static void test_rebind_chain_keeps_memory_flat(void) {
    CG_SCOPE {
        cg_tensor *y = cg_ones(1 << 18);
        size_t before = heap_in_use();
        size_t peak = before;
        for (int i = 0; i < 200; i++) {
            cg_rebind(&y, cg_mul_scalar(y, 1.01));
            size_t now = heap_in_use();
            if (now > peak) peak = now;
        }
        CHECK_MSG(peak <= before + (8u << 20), "heap grew from %zu to %zu bytes", before, peak);
        CHECK_CLOSE(cg_item(cg_select(y, 0, 0)), pow(1.01f, 200), 1e-4);
    }
}

/* Backward frees each node's incoming gradient once the node ran, as PyTorch's engine does: a
 * chain of 50 ops on 1 MB tensors holds a few gradients at a time, not 50 (seen from the leaf's
 * hook, which runs last). */
static size_t live_heap(void) {
    size_t heap = heap_in_use(), cached = cg_block_cache_bytes();
    return heap > cached ? heap - cached : 0; /* under valgrind the heap reads 0 */
}

static cg_tensor *note_heap(cg_tensor *grad, void *user) {
    *(size_t *)user = live_heap();
    return grad;
}

static void test_backward_frees_gradients_as_it_goes(void) {
    CG_SCOPE {
        cg_tensor *x = cg_requires_grad_(cg_ones(1 << 18), true);
        size_t at_leaf = 0;
        CHECK(cg_register_hook(x, note_heap, &at_leaf) > 0);
        cg_tensor *y = cg_mul_scalar(x, 1.01); /* x itself is not rebound: it is used below */
        for (int i = 1; i < 50; i++) cg_rebind(&y, cg_mul_scalar(y, 1.01));
        size_t before = live_heap();
        CHECK(cg_backward(cg_sum(y)) == 0);
        CHECK_MSG(at_leaf <= before + (8u << 20), "%zu bytes more at the leaf than before backward", at_leaf - before);
        CHECK_CLOSE(cg_item(cg_select(cg_grad(x), 0, 0)), pow(1.01f, 50), 1e-4);
    }
}

/* ---- the cache of big blocks ---- */

#if defined(__SANITIZE_ADDRESS__) || defined(CG_NO_CACHE)
#define NO_BLOCK_CACHE 1 /* every block goes back to free() */
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NO_BLOCK_CACHE 1
#endif
#endif

#ifndef NO_BLOCK_CACHE
static long minor_faults(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_minflt;
}
#endif

/* A loop that remakes a 64 MB tensor (glibc maps each on its own, and unmaps it when freed)
 * reuses the block: its pages are not faulted in again. Reused bytes are not zeros, so cg_zeros
 * still writes them. */
static void test_big_blocks_are_reused(void) {
#ifdef NO_BLOCK_CACHE
    CHECK(cg_block_cache_bytes() == 0);
#else
    const int64_t n = 16 << 20;
    void *first = NULL;
    CG_SCOPE {
        cg_tensor *t = cg_full_shape(CG_FLOAT32, CG_SHAPE(n), 7);
        first = cg_data_ptr(t);
    }
    CHECK(cg_block_cache_bytes() >= (size_t)n * 4);
    long before = minor_faults();
    for (int i = 0; i < 4; i++) {
        CG_SCOPE {
            cg_tensor *z = cg_zeros(n);
            CHECK(cg_data_ptr(z) == first);
            CHECK(cg_item(cg_sum(z)) == 0);
        }
    }
    long faults = minor_faults() - before;
    CHECK_MSG(faults < 1000, "%ld page faults in 4 steps (a 64 MB tensor has 16,384 pages)", faults);
#endif
}

/* The bytes kept stay within the limit; cg_empty_cache and a limit of 0 free them. */
static void test_block_cache_is_bounded(void) {
    size_t previous = cg_set_cache_limit((size_t)3 << 20);
#ifdef NO_BLOCK_CACHE
    CHECK(previous == 0);
#else
    CHECK(previous == (size_t)256 << 20);
#endif
    CG_SCOPE {
        for (int i = 0; i < 8; i++) cg_ones(1 << 18); /* 1 MB each, freed together */
    }
    CHECK(cg_block_cache_bytes() <= (size_t)3 << 20);
#ifndef NO_BLOCK_CACHE
    CHECK(cg_block_cache_bytes() > 0);
#endif
    cg_empty_cache();
    CHECK(cg_block_cache_bytes() == 0);
    CG_SCOPE { cg_ones(1 << 18); }
#ifdef NO_BLOCK_CACHE
    CHECK(cg_set_cache_limit(0) == 0); /* no cache, no limit to set */
#else
    CHECK(cg_set_cache_limit(0) == (size_t)3 << 20);
#endif
    CHECK(cg_block_cache_bytes() == 0);
    CG_SCOPE { cg_ones(1 << 18); }
    CHECK(cg_block_cache_bytes() == 0);
    cg_set_cache_limit(previous);
}

int main(void) {
    RUN(test_million_scopes_keep_memory_flat);
    RUN(test_training_loop_keeps_memory_flat);
    RUN(test_rebind_frees_old_value_at_once);
    RUN(test_rebind_keeps_what_a_graph_saved);
    RUN(test_rebind_leaves_other_owners_alone);
    RUN(test_rebind_same_value_and_errors);
    RUN(test_rebind_in_an_unopened_scope);
    RUN(test_rebind_chain_keeps_memory_flat);
    RUN(test_backward_frees_gradients_as_it_goes);
    RUN(test_big_blocks_are_reused);
    RUN(test_block_cache_is_bounded);
    HARNESS_END();
}
