/* Peak memory of a deep MLP's training step (forward, backward) with and without checkpointing:
 * 16 tanh layers of 1024 units, batch 256 (1 MiB per activation), checkpointed in segments of 4
 * layers, reentrant and not. The peak is the process's resident high-water mark during the step
 * (VmHWM of /proc/self/status, reset through /proc/self/clear_refs) above its size before it,
 * with cgrad's block cache off so that freed activations leave the process. Lines:
 * checkpoint_mlp_peak_kb_{plain,non_reentrant,reentrant} and checkpoint_mlp_step_ms_{...}. */
#include "bench.h"

#define DEPTH 16
#define WIDTH 256
#define BATCH 1024
#define SEGMENT 4

static cg_tensor *weights[DEPTH];

/* Layers [first, first + SEGMENT): in[0] is the segment's input, user the first layer. */
static int layers(cg_tensor **in, cg_tensor **out, void *user) {
    int first = (int)(intptr_t)user;
    cg_tensor *h = in[0];
    for (int l = first; l < first + SEGMENT; l++) h = cg_tanh(cg_matmul(h, weights[l]));
    out[0] = h;
    return h ? 1 : -1;
}

/* mode 0: plain; 1: non-reentrant; 2: reentrant. */
static int step(cg_tensor *x, int mode) {
    int status = -1;
    CG_SCOPE {
        cg_tensor *h = x;
        for (int first = 0; first < DEPTH && h; first += SEGMENT) {
            cg_tensor *out = NULL;
            if (mode == 0) layers(&h, &out, (void *)(intptr_t)first);
            else
                cg_checkpoint(.fn = layers, .user = (void *)(intptr_t)first, .inputs = CG_TENSORS(h), .outputs = &out,
                              .use_reentrant = mode == 2);
            h = out;
        }
        status = h ? cg_backward(cg_sum(h)) : -1;
    }
    return status;
}

int main(void) {
    static const char *names[] = {"plain", "non_reentrant", "reentrant"};
    cg_set_cache_limit(0);
    cg_manual_seed(0);
    for (int l = 0; l < DEPTH; l++) weights[l] = cg_requires_grad_(cg_retain(cg_mul_scalar(cg_randn(WIDTH, WIDTH), 0.1)), true);
    /* the reentrant form needs an input that requires grad (PyTorch's too) */
    cg_tensor *x = cg_requires_grad_(cg_retain(cg_randn(BATCH, WIDTH)), true);
    cg_tensor *all[DEPTH + 1];
    memcpy(all, weights, sizeof weights);
    all[DEPTH] = x;
    for (int mode = 0; mode < 3; mode++) {
        if (step(x, mode) < 0) { /* warm: BLAS buffers, the node cache */
            fprintf(stderr, "checkpoint: %s\n", cg_last_error());
            return 1;
        }
        cg_zero_grad((cg_tensor_list){all, DEPTH + 1});
        long before = bench_status_kb("VmRSS");
        bench_reset_peak();
        double t = bench_now();
        step(x, mode);
        t = bench_now() - t;
        printf("checkpoint_mlp_peak_kb_%s %ld\n", names[mode], bench_status_kb("VmHWM") - before);
        printf("checkpoint_mlp_step_ms_%s %.1f\n", names[mode], 1e3 * t);
        cg_zero_grad((cg_tensor_list){all, DEPTH + 1});
    }
    for (int l = 0; l < DEPTH; l++) cg_release(weights[l]);
    cg_release(x);
    return 0;
}
