/* index_add timed side by side with PyTorch 1.13 in the same invocation (bench/bench.h): float32,
 * out of place (Tensor.index_add), n random indices into n elements at n = 1k, 10k, 100k, 1M, as
 * a 1-D tensor and as rows (n/64 x 64, dim 0). Lines: name_ns, name_torch_ns, name_ratio (PyTorch
 * time / cgrad time). The PyTorch setup must not name t, f, n or s (bench_torch_ns's driver). */
#include "bench.h"
#include "cgrad.h"

typedef struct {
    cg_tensor *x, *index, *source;
} work_ctx;

static void work(void *p) {
    work_ctx *c = p;
    CG_SCOPE { cg_index_add(c->x, 0, c->index, c->source); }
}

int main(void) {
    cg_manual_seed(0);
    const int64_t sizes[] = {1000, 10000, 100000, 1000000};
    for (int k = 0; k < 4; k++) {
        int64_t n = sizes[k];
        char name[64], setup[256];
        work_ctx c = {cg_keep(cg_randn(n)), cg_keep(cg_randint(0, n, n)), cg_keep(cg_randn(n))};
        snprintf(name, sizeof name, "index_add_%lld", (long long)n);
        snprintf(setup, sizeof setup, "x=torch.randn(%lld);i=torch.randint(0,%lld,(%lld,));v=torch.randn(%lld)",
                 (long long)n, (long long)n, (long long)n, (long long)n);
        bench_compare(name, work, &c, setup, "x.index_add(0,i,v)");
        int64_t rows = n / 64;
        work_ctx r = {cg_keep(cg_randn(rows, 64)), cg_keep(cg_randint(0, rows, rows)), cg_keep(cg_randn(rows, 64))};
        snprintf(name, sizeof name, "index_add_rows_%lld", (long long)n);
        snprintf(setup, sizeof setup,
                 "x=torch.randn(%lld,64);i=torch.randint(0,%lld,(%lld,));v=torch.randn(%lld,64)", (long long)rows,
                 (long long)rows, (long long)rows, (long long)rows);
        bench_compare(name, work, &r, setup, "x.index_add(0,i,v)");
    }
    return 0;
}
