/* The benchmarks' shared measurement: cgrad and PyTorch time the same work in the same invocation,
 * and each result line is "name value". The machine is shared and noisy, so every figure is a
 * median over samples, and ratios (PyTorch time / cgrad time, > 1 means cgrad is faster) are what
 * to quote. PyTorch runs in /usr/bin/python3 when it has torch; otherwise only cgrad's lines print.
 *
 *   double ns = bench_median_ns(work, ctx);            cgrad: median ns per call of work(ctx)
 *   double t  = bench_torch_ns(setup, stmt, threads);  PyTorch: median ns per exec of stmt
 *   bench_report("exp_1m", ns, t);                     prints exp_1m_ns, exp_1m_torch_ns, exp_1m_ratio
 *   bench_compare("exp_1m", work, ctx, setup, stmt);   all of it at 1 thread on both sides, then
 *                                                      again at 2 threads as exp_1m_2t_{ns,torch_ns,ratio}
 *
 * Where both sides ran at 1 thread, bench_report also prints name_cpu_ratio: the same ratio of the
 * processes' CPU time (every thread's, OpenBLAS's workers included) over the same samples. Other
 * programs on the machine delay both sides by different amounts, which the wall-clock ratio takes
 * in and the CPU-time ratio mostly does not; quote both.
 */
#ifndef CG_BENCH_H
#define CG_BENCH_H

#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cgrad.h"

/* Every benchmark starts cgrad at 1 thread, as its PyTorch side runs unless a line says otherwise. */
__attribute__((constructor)) static void bench_one_thread(void) { cg_set_num_threads(1); }

#define BENCH_SAMPLES 9
#define BENCH_SAMPLE_SECONDS 0.02

/* A "Vm...:   1234 kB" line of /proc/self/status, in kB; -1 where there is no such file or line. */
static inline long bench_status_kb(const char *field) {
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return -1;
    char line[256];
    long kb = -1;
    size_t len = strlen(field);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, field, len) == 0 && line[len] == ':') {
            kb = strtol(line + len + 1, NULL, 10);
            break;
        }
    fclose(f);
    return kb;
}

/* Resets VmHWM (the peak resident size) to the current size, so a peak measures what follows. */
static inline void bench_reset_peak(void) {
    FILE *f = fopen("/proc/self/clear_refs", "w");
    if (f) {
        fputs("5", f);
        fclose(f);
    }
}

static inline double bench_clock(clockid_t id) {
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
static inline double bench_now(void) { return bench_clock(CLOCK_MONOTONIC); }

/* The CPU time per call (ns) of the last bench_median_ns and bench_torch_ns, and the latter's
 * threads; -1 until they ran, and again after bench_report used them. */
static double bench_cpu_ns = -1, bench_torch_cpu_ns = -1;
static int bench_torch_threads;

static int bench_compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median over BENCH_SAMPLES samples of the time per call; each sample runs as many calls as fill
 * BENCH_SAMPLE_SECONDS (at least one), after one warm-up call. */
static inline double bench_median_ns(void (*work)(void *), void *ctx) {
    work(ctx);
    double start = bench_now();
    work(ctx);
    double one = bench_now() - start;
    long calls = one > 0 ? (long)(BENCH_SAMPLE_SECONDS / one) : 1000;
    if (calls < 1) calls = 1;
    double samples[BENCH_SAMPLES], cpu[BENCH_SAMPLES];
    for (int s = 0; s < BENCH_SAMPLES; s++) {
        double cpu_start = bench_clock(CLOCK_PROCESS_CPUTIME_ID);
        start = bench_now();
        for (long i = 0; i < calls; i++) work(ctx);
        samples[s] = (bench_now() - start) / (double)calls * 1e9;
        cpu[s] = (bench_clock(CLOCK_PROCESS_CPUTIME_ID) - cpu_start) / (double)calls * 1e9;
    }
    qsort(samples, BENCH_SAMPLES, sizeof samples[0], bench_compare_doubles);
    qsort(cpu, BENCH_SAMPLES, sizeof cpu[0], bench_compare_doubles);
    bench_cpu_ns = cpu[BENCH_SAMPLES / 2];
    return samples[BENCH_SAMPLES / 2];
}

/* The same measurement in PyTorch: setup runs once, stmt is timed the same way (median of samples,
 * each filling BENCH_SAMPLE_SECONDS). Returns ns per exec, or -1 without torch. Single quotes are
 * not allowed in setup or stmt (the script goes to the shell in them), nor the names t, f, n, s, _cpu
 * and _clock in setup. */
static inline double bench_torch_ns(const char *setup, const char *stmt, int threads) {
    static const char *driver =
        "import time,timeit,torch\n"
        "torch.set_num_threads(%d)\n"
        "%s\n"
        "f=lambda: (%s)\n"
        "f();t=timeit.timeit(f,number=1)\n"
        "n=max(1,int(%g/max(t,1e-9)))\n"
        "_cpu=[]\n" /* the CPU time at each sample's start and end, beside timeit's clock */
        "def _clock():\n"
        "    _cpu.append(time.process_time());return time.perf_counter()\n"
        "s=sorted(timeit.repeat(f,number=n,repeat=%d,timer=_clock))\n"
        "_cpu=sorted(_cpu[i+1]-_cpu[i] for i in range(0,len(_cpu),2))\n"
        "print(s[len(s)//2]/n*1e9,_cpu[len(_cpu)//2]/n*1e9)\n";
    size_t size = strlen(driver) + strlen(setup) + strlen(stmt) + 64;
    char *script = malloc(size), *cmd = malloc(size + 64);
    double ns = -1;
    if (script && cmd) {
        snprintf(script, size, driver, threads, setup, stmt, BENCH_SAMPLE_SECONDS, BENCH_SAMPLES);
        snprintf(cmd, size + 64, "/usr/bin/python3 -c '%s' 2>/dev/null", script);
        FILE *p = popen(cmd, "r");
        if (p) {
            if (fscanf(p, "%lf %lf", &ns, &bench_torch_cpu_ns) != 2) ns = bench_torch_cpu_ns = -1;
            pclose(p);
        }
        bench_torch_threads = threads;
    }
    free(script);
    free(cmd);
    return ns;
}

/* name_ns, and where PyTorch ran, name_torch_ns and name_ratio (PyTorch time / cgrad time); then
 * name_cpu_ratio where both sides ran at 1 thread. */
static inline void bench_report(const char *name, double cg_ns, double torch_ns) {
    printf("%s_ns %.1f\n", name, cg_ns);
    if (torch_ns > 0) {
        printf("%s_torch_ns %.1f\n", name, torch_ns);
        printf("%s_ratio %.2f\n", name, torch_ns / cg_ns);
        if (bench_cpu_ns > 0 && bench_torch_cpu_ns > 0 && bench_torch_threads == 1 && cg_get_num_threads() == 1)
            printf("%s_cpu_ratio %.2f\n", name, bench_torch_cpu_ns / bench_cpu_ns);
    }
    bench_cpu_ns = bench_torch_cpu_ns = -1;
    fflush(stdout);
}

/* work(ctx) against PyTorch's stmt, both at 1 thread (the lines the goals are stated for, as
 * name_*), then both at 2 threads (name_2t_*); cgrad is left at 1 thread. */
static inline void bench_compare(const char *name, void (*work)(void *), void *ctx, const char *setup,
                                 const char *stmt) {
    for (int threads = 1; threads <= 2; threads++) {
        char line[256];
        snprintf(line, sizeof line, threads == 1 ? "%s" : "%s_2t", name);
        cg_set_num_threads(threads);
        double ns = bench_median_ns(work, ctx);
        bench_report(line, ns, bench_torch_ns(setup, stmt, threads));
    }
    cg_set_num_threads(1);
}

#endif
