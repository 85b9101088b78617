/* Scans, sorting and logsumexp (issue 9's kernels), timed side by side with PyTorch 1.13 (1 thread)
 * in the same invocation (bench/bench.h), then both at 2 threads: float32 cumsum, sort, topk and
 * logsumexp of 1k and 1M elements (and a 1000x1000 matrix along each dim). Lines: name_ns,
 * name_torch_ns, name_ratio (PyTorch time / cgrad time). The PyTorch setup must not name t, f, n
 * or s: bench_torch_ns's driver uses them. */
#include "bench.h"
#include "cgrad.h"

typedef enum { CUMSUM, CUMSUM_DIM0, SORT, TOPK, LOGSUMEXP, LOGSUMEXP_DIM0 } op_kind;

typedef struct {
    cg_tensor *x;
    op_kind op;
} work_ctx;

static void work(void *p) {
    work_ctx *c = p;
    CG_SCOPE {
        switch (c->op) {
        case CUMSUM: cg_cumsum(c->x, -1); break;
        case CUMSUM_DIM0: cg_cumsum(c->x, 0); break;
        case SORT: cg_sort(c->x, -1, false, NULL); break;
        case TOPK: cg_topk(c->x, 10, -1, true, true, NULL); break;
        case LOGSUMEXP: cg_logsumexp(c->x, CG_DIMS(-1)); break;
        case LOGSUMEXP_DIM0: cg_logsumexp(c->x, CG_DIMS(0)); break;
        }
    }
}

static void run(const char *name, cg_tensor *x, op_kind op, const char *setup, const char *stmt) {
    work_ctx c = {x, op};
    bench_compare(name, work, &c, setup, stmt);
}

int main(void) {
    cg_manual_seed(0);
    cg_tensor *small = cg_randn(1000), *big = cg_randn(1000000), *sq = cg_randn(1000, 1000);
    const char *s1k = "x=torch.randn(1000)", *s1m = "x=torch.randn(1000000)", *ssq = "x=torch.randn(1000,1000)";
    run("cumsum_1k", small, CUMSUM, s1k, "torch.cumsum(x,0)");
    run("cumsum_1m", big, CUMSUM, s1m, "torch.cumsum(x,0)");
    run("cumsum_1000x1000_dim0", sq, CUMSUM_DIM0, ssq, "torch.cumsum(x,0)");
    run("cumsum_1000x1000_dim1", sq, CUMSUM, ssq, "torch.cumsum(x,1)");
    run("sort_1k", small, SORT, s1k, "torch.sort(x)");
    run("sort_1m", big, SORT, s1m, "torch.sort(x)");
    run("sort_1000x1000_dim1", sq, SORT, ssq, "torch.sort(x,1)");
    run("topk10_1k", small, TOPK, s1k, "torch.topk(x,10)");
    run("topk10_1m", big, TOPK, s1m, "torch.topk(x,10)");
    run("logsumexp_1k", small, LOGSUMEXP, s1k, "torch.logsumexp(x,0)");
    run("logsumexp_1m", big, LOGSUMEXP, s1m, "torch.logsumexp(x,0)");
    run("logsumexp_1000x1000_dim1", sq, LOGSUMEXP, ssq, "torch.logsumexp(x,1)");
    run("logsumexp_1000x1000_dim0", sq, LOGSUMEXP_DIM0, ssq, "torch.logsumexp(x,0)");
    return 0;
}
