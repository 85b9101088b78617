/* Matrix product and reduction throughput: GFLOP/s of cg_mm for square float32/float64 matrices in
 * the layouts the kernel has loops for, and GB/s of cg_sum. Run with `make bench`. */
#include "cgrad.h"
#include "core/tensor.h" /* cg_new_view, until the views land */

#include <stdio.h>
#include <time.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef enum { MM, SUM } bench_op;

/* Seconds per call, over as many calls as fit in 0.1 s. */
static double seconds_per_call(bench_op op, cg_tensor *a, cg_tensor *b) {
    int runs = 0;
    double start = now(), elapsed;
    do {
        CG_SCOPE {
            if (op == MM) cg_mm(a, b);
            else cg_sum(a);
        }
        runs++;
    } while ((elapsed = now() - start) < 0.1);
    return elapsed / runs;
}

int main(void) {
    cg_manual_seed(0);
    for (int dt = 0; dt < 2; dt++) {
        cg_dtype dtype = dt ? CG_FLOAT64 : CG_FLOAT32;
        const char *name = cg_dtype_name(dtype);
        for (int64_t n = 64; n <= 512; n *= 2) {
            cg_tensor *a = cg_randn_shape(dtype, CG_SHAPE(n, n)), *b = cg_randn_shape(dtype, CG_SHAPE(n, n));
            cg_tensor *bt = cg_new_view(b, 2, (int64_t[]){n, n}, (int64_t[]){1, n}, 0);
            double flops = 2.0 * (double)n * (double)n * (double)n;
            printf("mm  %-7s %3lld x %-3lld       %6.2f GFLOP/s\n", name, (long long)n, (long long)n,
                   flops / seconds_per_call(MM, a, b) * 1e-9);
            printf("mm  %-7s %3lld x %-3lld B^T   %6.2f GFLOP/s\n", name, (long long)n, (long long)n,
                   flops / seconds_per_call(MM, a, bt) * 1e-9);
            printf("mm  %-7s %3lld x %-3lld A^T   %6.2f GFLOP/s\n", name, (long long)n, (long long)n,
                   flops / seconds_per_call(MM, bt, a) * 1e-9);
        }
        int64_t count = 1 << 22;
        cg_tensor *x = cg_randn_shape(dtype, CG_SHAPE(count));
        printf("sum %-7s %lld elements %6.2f GB/s\n", name, (long long)count,
               (double)count * (double)cg_dtype_size(dtype) / seconds_per_call(SUM, x, NULL) * 1e-9);
    }
    return 0;
}
