/* Elementwise op timings. Each line is "name value"; the goals are
 *   add_1elem_ns <= 100                 (cg_add of two 1-element float32 tensors, one scope per call)
 *   add_1m_bandwidth_fraction >= 0.7    (cg_add's bytes/s on 1M float32 over a plain C copy loop's)
 * When /usr/bin/python3 has torch, torch.add on 1-element tensors is timed too, for comparison. */
#define _POSIX_C_SOURCE 200809L
#include "cgrad.h"
#include "core/tensor.h" /* cg_new_view, until the view ops land */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef cg_tensor *(*binary_fn)(cg_tensor *, cg_tensor *);
typedef cg_tensor *(*unary_fn)(cg_tensor *);

/* Best time per call over many short rounds (the machine is shared: the minimum is the op's own
 * cost), each call in its own scope, so the result is freed too. */
#define ROUNDS 20
static double time_binary(binary_fn f, cg_tensor *a, cg_tensor *b, int calls) {
    double best = 1e30;
    for (int round = 0; round < ROUNDS; round++) {
        double start = now();
        for (int i = 0; i < calls; i++) CG_SCOPE { f(a, b); }
        double t = (now() - start) / calls;
        if (t < best) best = t;
    }
    return best;
}

static double time_unary(unary_fn f, cg_tensor *a, int calls) {
    double best = 1e30;
    for (int round = 0; round < ROUNDS; round++) {
        double start = now();
        for (int i = 0; i < calls; i++) CG_SCOPE { f(a); }
        double t = (now() - start) / calls;
        if (t < best) best = t;
    }
    return best;
}

/* A plain copy loop, the memory-bandwidth yardstick: seconds per copy of n floats. */
static double time_copy(int64_t n, int calls) {
    float *src = malloc((size_t)n * sizeof *src), *dst = malloc((size_t)n * sizeof *dst);
    for (int64_t i = 0; i < n; i++) src[i] = (float)i, dst[i] = 0;
    double best = 1e30;
    for (int round = 0; round < ROUNDS; round++) {
        double start = now();
        for (int c = 0; c < calls; c++) {
            for (int64_t i = 0; i < n; i++) dst[i] = src[i];
            __asm__ volatile("" : : "r"(dst) : "memory"); /* keep the copies */
        }
        double t = (now() - start) / calls;
        if (t < best) best = t;
    }
    free(src);
    free(dst);
    return best;
}

static void torch_reference(double cg_ns) {
    const char *script =
        "import timeit,torch\n"
        "a=torch.ones(1);b=torch.ones(1)\n"
        "n=200000\n"
        "print(min(timeit.repeat(lambda: torch.add(a,b), number=n, repeat=5))/n*1e9)\n";
    char cmd[512];
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 -c '%s' 2>/dev/null", script);
    FILE *p = popen(cmd, "r");
    if (!p) return;
    double torch_ns = 0;
    if (fscanf(p, "%lf", &torch_ns) == 1 && torch_ns > 0) {
        printf("torch_add_1elem_ns %.1f\n", torch_ns);
        printf("add_1elem_speedup_vs_torch %.2f\n", torch_ns / cg_ns);
    }
    pclose(p);
}

int main(int argc, char **argv) {
    bool with_torch = !(argc > 1 && strcmp(argv[1], "--no-torch") == 0);
    cg_tensor *one_a = cg_ones(1), *one_b = cg_ones(1);
    double add1 = time_binary(cg_add, one_a, one_b, 50000) * 1e9;
    printf("add_1elem_ns %.1f\n", add1);
    printf("mul_1elem_ns %.1f\n", time_binary(cg_mul, one_a, one_b, 50000) * 1e9);
    printf("exp_1elem_ns %.1f\n", time_unary(cg_exp, one_a, 50000) * 1e9);

    const int64_t n = 1 << 20;
    cg_tensor *a = cg_linspace(-4, 4, n, CG_FLOAT32), *b = cg_linspace(1, 2, n, CG_FLOAT32);
    double copy = time_copy(n, 10);
    double add = time_binary(cg_add, a, b, 10);
    double copy_bw = 2.0 * 4 * (double)n / copy, add_bw = 3.0 * 4 * (double)n / add;
    printf("copy_1m_gbps %.2f\n", copy_bw * 1e-9);
    printf("add_1m_gbps %.2f\n", add_bw * 1e-9);
    printf("add_1m_bandwidth_fraction %.2f\n", add_bw / copy_bw);
    printf("mul_1m_ns_per_elem %.3f\n", time_binary(cg_mul, a, b, 10) / (double)n * 1e9);
    printf("exp_1m_ns_per_elem %.3f\n", time_unary(cg_exp, a, 3) / (double)n * 1e9);
    printf("sigmoid_1m_ns_per_elem %.3f\n", time_unary(cg_sigmoid, a, 3) / (double)n * 1e9);

    cg_tensor *m = cg_new_view(a, 2, (const int64_t[]){1024, 1024}, (const int64_t[]){1024, 1}, 0);
    cg_tensor *row = cg_linspace(0, 1, 1024, CG_FLOAT32);
    printf("add_broadcast_row_1m_ns_per_elem %.3f\n", time_binary(cg_add, m, row, 10) / (double)n * 1e9);
    /* A transposed operand: the strided path. */
    cg_tensor *mt = cg_new_view(m, 2, (const int64_t[]){1024, 1024}, (const int64_t[]){1, 1024}, 0);
    if (mt) printf("add_transposed_1m_ns_per_elem %.3f\n", time_binary(cg_add, m, mt, 3) / (double)n * 1e9);
    cg_clear_error();
    if (with_torch) torch_reference(add1);
    return 0;
}
