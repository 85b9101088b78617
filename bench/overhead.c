/* Autograd overhead: a chain of ops on 1-element float32 tensors recorded with grad, then backward.
 * Last line: fwd_bwd_ns_per_op N (issue goal: at most 150), the best of 40 short rounds: on a shared
 * machine the load only adds time (a busy sibling hyperthread makes a round 1.5x slower), so the
 * least disturbed round is the op's cost. bench/instructions.sh counts its instructions, which the
 * load does not change. When /usr/bin/python3 has torch, the same chain runs in PyTorch in this
 * invocation and the ratio is printed too. */
#define _POSIX_C_SOURCE 200809L
#include "cgrad.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define CHAIN 100   /* ops per graph: alternately y * w and y + b */
#define STEPS 250   /* graphs per round: ~4 ms */
#define ROUNDS 40

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Seconds per op (forward and backward) of the best round. */
static double time_chain(void) {
    cg_tensor *x = cg_requires_grad_(cg_retain(cg_ones(1)), true);
    cg_tensor *w = cg_requires_grad_(cg_retain(cg_full_shape(CG_FLOAT32, CG_SHAPE(1), 0.999)), true);
    cg_tensor *b = cg_requires_grad_(cg_retain(cg_full_shape(CG_FLOAT32, CG_SHAPE(1), 0.001)), true);
    double best = 1e30;
    for (int round = 0; round < ROUNDS; round++) {
        double start = now();
        for (int step = 0; step < STEPS; step++) {
            CG_SCOPE {
                cg_tensor *y = x;
                for (int i = 0; i < CHAIN; i += 2) y = cg_add(cg_mul(y, w), b);
                if (cg_backward(y, .gradient = cg_ones(1)) != 0) {
                    fprintf(stderr, "backward failed: %s\n", cg_last_error());
                    exit(1);
                }
            }
        }
        double t = (now() - start) / ((double)STEPS * CHAIN);
        if (t < best) best = t;
    }
    cg_release(x);
    cg_release(w);
    cg_release(b);
    return best;
}

static const char *TORCH_CHAIN =
    "/usr/bin/python3 -c '\n"
    "import time, torch\n"
    "x = torch.ones(1, requires_grad=True); w = torch.full((1,), 0.999, requires_grad=True)\n"
    "b = torch.full((1,), 0.001, requires_grad=True); g = torch.ones(1)\n"
    "best = 1e30\n"
    "for r in range(3):\n"
    "    t = time.perf_counter()\n"
    "    for s in range(200):\n"
    "        y = x\n"
    "        for i in range(0, 100, 2): y = y * w + b\n"
    "        y.backward(g)\n"
    "    best = min(best, (time.perf_counter() - t) / (200 * 100))\n"
    "print(best * 1e9)' 2>/dev/null";

int main(void) {
    double ns = time_chain() * 1e9;
    FILE *p = popen(TORCH_CHAIN, "r");
    double torch_ns = 0;
    if (p && fscanf(p, "%lf", &torch_ns) == 1 && torch_ns > 0) {
        printf("torch_python_fwd_bwd_ns_per_op %.0f\n", torch_ns);
        printf("speedup_over_torch_python %.1f\n", torch_ns / ns);
    }
    if (p) pclose(p);
    printf("fwd_bwd_ns_per_op %.0f\n", ns);
    return 0;
}
