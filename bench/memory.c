/* Memory flatness of training: 100,000 steps of a small MLP (forward, backward, in-place SGD under
 * CG_NO_GRAD, zero grad), with the process's resident set size after 1,000 and after 100,000 steps
 * (VmRSS of /proc/self/status), its peak (VmHWM), and the anonymous part alone (RssAnon: the heap,
 * without code pages that later calls map in). A leak of even one small block per step shows as
 * anon_kb_after_100k above anon_kb_after_1k (100,000 blocks of 64 bytes are 6 MB). */
#define _POSIX_C_SOURCE 200809L
#include "bench.h"
#include "cgrad.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STEPS 100000
#define BATCH 16
#define IN 4
#define HIDDEN 8

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static cg_tensor *param(int64_t rows, int64_t cols, double scale) {
    cg_tensor *p = cg_retain(cg_mul_scalar(cg_randn(rows, cols), scale));
    return cg_requires_grad_(p, true);
}

int main(void) {
    cg_manual_seed(0);
    cg_tensor *x = cg_retain(cg_randn(BATCH, IN));
    cg_tensor *y = cg_retain(cg_tanh(cg_sum(x, CG_DIMS(1), .keepdim = true)));
    cg_tensor *w1 = param(IN, HIDDEN, 0.5), *b1 = param(1, HIDDEN, 0.1);
    cg_tensor *w2 = param(HIDDEN, 1, 0.5), *b2 = param(1, 1, 0.1);
    cg_tensor *params[] = {w1, b1, w2, b2};
    const double lr = 0.05;
    long rss_1k = 0, anon_1k = 0;
    double loss = 0, loss_1k = 0, start = now();
    for (int step = 1; step <= STEPS; step++) {
        CG_SCOPE {
            cg_tensor *h = cg_tanh(cg_add(cg_matmul(x, w1), b1));
            cg_tensor *d = cg_sub(cg_add(cg_matmul(h, w2), b2), y);
            cg_tensor *l = cg_mean(cg_mul(d, d));
            if (!l || cg_backward(l) != 0) {
                fprintf(stderr, "step %d failed: %s\n", step, cg_last_error());
                exit(1);
            }
            CG_NO_GRAD {
                for (int i = 0; i < 4; i++) cg_sub_(params[i], cg_mul_scalar(cg_grad(params[i]), lr));
            }
            cg_zero_grad((cg_tensor_list){params, 4});
            if (step == 1000) loss_1k = cg_item(l);
            if (step == STEPS) loss = cg_item(l);
        }
        if (step == 1000) rss_1k = bench_status_kb("VmRSS"), anon_1k = bench_status_kb("RssAnon");
    }
    double us = (now() - start) / STEPS * 1e6;
    /* Read before printing: printf's first use maps in more of libc, which VmRSS counts too. */
    long rss_100k = bench_status_kb("VmRSS"), anon_100k = bench_status_kb("RssAnon"), peak = bench_status_kb("VmHWM");
    printf("train_step_us %.2f\n", us);
    printf("loss_after_1k %.3g\n", loss_1k);
    printf("loss_after_100k %.3g\n", loss);
    printf("rss_kb_after_1k %ld\n", rss_1k);
    printf("rss_kb_after_100k %ld\n", rss_100k);
    printf("peak_rss_kb %ld\n", peak);
    printf("anon_kb_after_1k %ld\n", anon_1k);
    printf("anon_kb_after_100k %ld\n", anon_100k);
    for (int i = 0; i < 4; i++) cg_release(params[i]);
    cg_release(x);
    cg_release(y);
    return 0;
}
