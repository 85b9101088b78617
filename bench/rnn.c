/* Recurrent and attention layers, timed side by side with PyTorch 1.13 (1 thread) in the same
 * invocation (bench/bench.h): a forward and backward of nn.LSTM(32, 64) and nn.GRU(32, 64) over a
 * sequence of 20 steps, batch 16, and of nn.MultiheadAttention(64, 4) self-attention over the same
 * shape, in train mode as a training step runs them. Lines: name_ns, name_torch_ns, name_ratio
 * (PyTorch time / cgrad time). */
#include "bench.h"
#include "cgrad.h"

typedef struct {
    cg_module *m;
    cg_tensor *x;
} work_ctx;

static void work(void *arg) {
    work_ctx *c = arg;
    CG_SCOPE {
        if (cg_backward(cg_sum(cg_module_forward(c->m, c->x))) < 0) {
            fprintf(stderr, "%s: %s\n", cg_module_type(c->m), cg_last_error());
            exit(1);
        }
    }
}

static void run(const char *name, cg_module *m, const char *setup) {
    cg_manual_seed(0);
    work_ctx c = {m, cg_retain(cg_randn(20, 16, 32))};
    if (!strcmp(cg_module_type(m), "MultiheadAttention")) {
        cg_release(c.x);
        c.x = cg_retain(cg_randn(20, 16, 64));
    }
    double ns = bench_median_ns(work, &c);
    bench_report(name, ns, bench_torch_ns(setup, "m(x)[0].sum().backward()", 1));
    cg_release(c.x);
    cg_module_free(m);
}

int main(void) {
    run("lstm_fwd_bwd", cg_nn_lstm(32, 64), "torch.manual_seed(0)\nm=torch.nn.LSTM(32,64)\nx=torch.randn(20,16,32)");
    run("gru_fwd_bwd", cg_nn_gru(32, 64), "torch.manual_seed(0)\nm=torch.nn.GRU(32,64)\nx=torch.randn(20,16,32)");
    run("mha_fwd_bwd", cg_nn_multihead_attention(64, 4),
        "torch.manual_seed(0)\nmha=torch.nn.MultiheadAttention(64,4)\nx=torch.randn(20,16,64)\n"
        "m=lambda x: mha(x, x, x)");
    return 0;
}
