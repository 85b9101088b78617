/* Reductions and the softmax family, timed side by side with PyTorch 1.13 (1 thread) in the same
 * invocation (bench/bench.h), then both at 2 threads: float32 sums of a 4096x4096 tensor (all, over dim 0, over dim 1),
 * softmax and log_softmax of a 256x1000 batch (over the last dim, and over dim 0), their backward,
 * and cross_entropy. Lines: name_ns, name_torch_ns, name_ratio (PyTorch time / cgrad time). The
 * PyTorch setup must not name t, f, n or s: bench_torch_ns's driver uses them. */
#include "bench.h"
#include "cgrad.h"

typedef struct {
    cg_tensor *x, *g;
    int which;
} work_ctx;

enum { SUM_ALL, SUM_DIM0, SUM_DIM1, SOFTMAX, LOG_SOFTMAX, SOFTMAX_DIM0, LOG_SOFTMAX_DIM0, SOFTMAX_BACKWARD,
       LOG_SOFTMAX_BACKWARD, CROSS_ENTROPY };

static void work(void *p) {
    work_ctx *c = p;
    CG_SCOPE {
        switch (c->which) {
        case SUM_ALL: cg_sum(c->x); break;
        case SUM_DIM0: cg_sum(c->x, CG_DIMS(0)); break;
        case SUM_DIM1: cg_sum(c->x, CG_DIMS(1)); break;
        case SOFTMAX: cg_softmax(c->x, 1); break;
        case LOG_SOFTMAX: cg_log_softmax(c->x, 1); break;
        case SOFTMAX_DIM0: cg_softmax(c->x, 0); break;
        case LOG_SOFTMAX_DIM0: cg_log_softmax(c->x, 0); break;
        case SOFTMAX_BACKWARD: cg_backward(cg_softmax(c->x, 1), .gradient = c->g); break;
        case LOG_SOFTMAX_BACKWARD: cg_backward(cg_log_softmax(c->x, 1), .gradient = c->g); break;
        case CROSS_ENTROPY: cg_cross_entropy(c->x, c->g); break;
        }
    }
}

static void run(const char *name, cg_tensor *x, cg_tensor *g, int which, const char *setup, const char *stmt) {
    work_ctx c = {x, g, which};
    bench_compare(name, work, &c, setup, stmt);
}

int main(void) {
    cg_manual_seed(0);
    const char *sq = "x=torch.randn(4096,4096)";
    cg_tensor *big = cg_randn(4096, 4096);
    run("sum_4096sq_all", big, NULL, SUM_ALL, sq, "x.sum()");
    run("sum_4096sq_dim0", big, NULL, SUM_DIM0, sq, "x.sum(0)");
    run("sum_4096sq_dim1", big, NULL, SUM_DIM1, sq, "x.sum(1)");

    const char *batch = "x=torch.randn(256,1000)";
    cg_tensor *x = cg_randn(256, 1000);
    run("softmax_256x1000", x, NULL, SOFTMAX, batch, "torch.softmax(x,1)");
    run("log_softmax_256x1000", x, NULL, LOG_SOFTMAX, batch, "torch.log_softmax(x,1)");
    run("softmax_dim0_256x1000", x, NULL, SOFTMAX_DIM0, batch, "torch.softmax(x,0)");
    run("log_softmax_dim0_256x1000", x, NULL, LOG_SOFTMAX_DIM0, batch, "torch.log_softmax(x,0)");
    cg_tensor *g = cg_randn(256, 1000);
    cg_tensor *xr = cg_requires_grad_(cg_randn(256, 1000), true);
    const char *grad = "x=torch.randn(256,1000,requires_grad=True);g=torch.randn(256,1000)";
    run("softmax_backward_256x1000", xr, g, SOFTMAX_BACKWARD, grad, "torch.softmax(x,1).backward(g)");
    run("log_softmax_backward_256x1000", xr, g, LOG_SOFTMAX_BACKWARD, grad, "torch.log_softmax(x,1).backward(g)");
    cg_tensor *target = cg_randint(0, 1000, 256);
    run("cross_entropy_256x1000", x, target, CROSS_ENTROPY,
        "import torch.nn.functional as F;x=torch.randn(256,1000);y=torch.randint(0,1000,(256,))",
        "F.cross_entropy(x,y)");
    return 0;
}
