/* The overhead chain (bench/overhead.c) without timing, for instruction counts under callgrind:
 *   chain STEPS      STEPS graphs of 100 ops on 1-element float32 tensors, forward and backward
 *   chain STEPS add  STEPS * 100 adds of two 1-element tensors, each in its own scope
 * bench/instructions.sh runs it twice and prints the instructions of one op. */
#include "cgrad.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHAIN 100

int main(int argc, char **argv) {
    int steps = argc > 1 ? atoi(argv[1]) : 1;
    bool add_only = argc > 2 && strcmp(argv[2], "add") == 0;
    cg_tensor *x = cg_requires_grad_(cg_retain(cg_ones(1)), true);
    cg_tensor *w = cg_requires_grad_(cg_retain(cg_full_shape(CG_FLOAT32, CG_SHAPE(1), 0.999)), true);
    cg_tensor *b = cg_requires_grad_(cg_retain(cg_full_shape(CG_FLOAT32, CG_SHAPE(1), 0.001)), true);
    cg_tensor *one = cg_retain(cg_ones(1));
    for (int step = 0; step < steps; step++) {
        if (add_only) {
            for (int i = 0; i < CHAIN; i++) CG_SCOPE { cg_add(one, one); }
            continue;
        }
        CG_SCOPE {
            cg_tensor *y = x;
            for (int i = 0; i < CHAIN; i += 2) y = cg_add(cg_mul(y, w), b);
            if (cg_backward(y, .gradient = cg_ones(1)) != 0) {
                fprintf(stderr, "backward failed: %s\n", cg_last_error());
                return 1;
            }
        }
    }
    cg_release(x);
    cg_release(w);
    cg_release(b);
    cg_release(one);
    return 0;
}
