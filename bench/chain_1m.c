/* Big work as a user writes it: a chain of 1,000 ops on a 1M-element float32 tensor, rebinding
 * the variable at each step (cg_rebind, Python's `y = y * c`), against PyTorch's loop in the same
 * invocation (1 thread). Prints chain_1m_ns / _torch_ns / _ratio (one whole chain) and the peak
 * memory of each: chain_1m_peak_mb and chain_1m_torch_peak_mb, how far the resident set's high-water
 * mark rose above the resident set before a first chain (the mark is reset first through
 * /proc/self/clear_refs, so the interpreter's start-up does not count). Two tensors of 4 MB, the
 * old y and the new one, are the least a chain can hold. Then the peak of 100 such ops recorded
 * from a leaf that requires grad and their backward (chain_1m_backward_peak_mb, _torch_peak_mb). */
#include "bench.h"
#include "cgrad.h"

#define N (1 << 20)
#define OPS 1000
#define GRAD_OPS 100
#define FACTOR 1.0001

static double chain(void) {
    double first = 0;
    CG_SCOPE {
        cg_tensor *y = cg_ones(N);
        for (int i = 0; i < OPS; i++) cg_rebind(&y, cg_mul_scalar(y, FACTOR));
        first = cg_item(cg_select(y, 0, 0));
    }
    return first;
}

static void work(void *ctx) { *(double *)ctx = chain(); }

static double backward_chain(void) {
    double first = 0;
    CG_SCOPE {
        cg_tensor *x = cg_requires_grad_(cg_ones(N), true), *y = cg_mul_scalar(x, FACTOR);
        for (int i = 1; i < GRAD_OPS; i++) cg_rebind(&y, cg_mul_scalar(y, FACTOR));
        if (cg_backward(cg_sum(y)) == 0) first = cg_item(cg_select(cg_grad(x), 0, 0));
    }
    return first;
}

static const char *TORCH_SETUP = "c = 1.0001\n"
                                 "def chain():\n"
                                 "    y = torch.ones(1 << 20)\n"
                                 "    for i in range(1000): y = y * c\n"
                                 "    return y[0].item()";

static const char *TORCH_BACKWARD_SETUP = "c = 1.0001\n"
                                          "def chain():\n"
                                          "    x = torch.ones(1 << 20, requires_grad=True)\n"
                                          "    y = x * c\n"
                                          "    for i in range(1, 100): y = y * c\n"
                                          "    y.sum().backward()\n"
                                          "    return x.grad[0].item()";

static const char *TORCH_PEAK =
    "/usr/bin/python3 -c '\n"
    "import torch\n"
    "torch.set_num_threads(1)\n"
    "%s\n"
    "def kb(f): return int([l for l in open(\"/proc/self/status\") if l.startswith(f + \":\")][0].split()[1])\n"
    "open(\"/proc/self/clear_refs\", \"w\").write(\"5\")\n"
    "before = kb(\"VmRSS\"); chain(); print((kb(\"VmHWM\") - before) / 1024)' 2>/dev/null";

/* PyTorch's peak for setup's chain(), in a process of its own. */
static void print_torch_peak(const char *name, const char *setup) {
    char cmd[2048];
    snprintf(cmd, sizeof cmd, TORCH_PEAK, setup);
    FILE *p = popen(cmd, "r");
    double mb;
    if (p && fscanf(p, "%lf", &mb) == 1) printf("%s %.1f\n", name, mb);
    if (p) pclose(p);
}

int main(void) {
    /* Peak first, from a cold start on both sides, then time. */
    bench_reset_peak();
    long before = bench_status_kb("VmRSS");
    double value = chain();
    long peak = bench_status_kb("VmHWM");
    if (before >= 0 && peak >= 0) printf("chain_1m_peak_mb %.1f\n", (double)(peak - before) / 1024);
    double expected = 1;
    for (int i = 0; i < OPS; i++) expected = (double)(float)(expected * (float)FACTOR);
    if (value != expected) {
        fprintf(stderr, "chain_1m: got %.9g, expected %.9g\n", value, expected);
        return 1;
    }
    print_torch_peak("chain_1m_torch_peak_mb", TORCH_SETUP);
    bench_reset_peak();
    before = bench_status_kb("VmRSS");
    value = backward_chain();
    peak = bench_status_kb("VmHWM");
    if (before >= 0 && peak >= 0) printf("chain_1m_backward_peak_mb %.1f\n", (double)(peak - before) / 1024);
    expected = 1; /* the gradient: the factors multiplied in the same order */
    for (int i = 0; i < GRAD_OPS; i++) expected = (double)(float)(expected * (float)FACTOR);
    if (value != expected) {
        fprintf(stderr, "chain_1m backward: got %.9g, expected %.9g\n", value, expected);
        return 1;
    }
    print_torch_peak("chain_1m_backward_torch_peak_mb", TORCH_BACKWARD_SETUP);
    fflush(stdout);
    double sink = 0;
    bench_compare("chain_1m", work, &sink, TORCH_SETUP, "chain()");
    return 0;
}
