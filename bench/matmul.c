/* Matrix products beside PyTorch 1.13 in the same invocation (bench/bench.h): float32 cg_mm of
 * n x n matrices (n = 64, 512, 2048) against torch.mm, and cgrad through autograd (operands that
 * require grad, so the product is recorded) against a direct call of the same BLAS routine on
 * the same memory. Lines: mm_f32_N_{ns,torch_ns,ratio} (and mm_f32_ratio_N, the goal's name),
 * the same at 2 threads (_2t), mm_f32_vs_blas (BLAS time / cgrad time). Matrix products run on
 * OpenBLAS's own threads in both libraries (PyTorch's set_num_threads does not change them; see
 * README.md), so the 1- and 2-thread lines differ only in noise. Run with `make bench`. */
#include "bench.h"
#include "cgrad.h"

#ifdef CG_HAVE_BLAS
#include <cblas.h>
#endif

typedef struct {
    cg_tensor *a, *b;
} mm_ctx;

static void mm_work(void *p) {
    mm_ctx *c = p;
    CG_SCOPE { cg_mm(c->a, c->b); }
}

static void mm_line(int64_t n) {
    char name[64], setup[128], alias[64];
    snprintf(name, sizeof name, "mm_f32_%lld", (long long)n);
    snprintf(setup, sizeof setup, "a=torch.randn(%lld,%lld);b=torch.randn(%lld,%lld)", (long long)n, (long long)n,
             (long long)n, (long long)n);
    mm_ctx c = {cg_randn(n, n), cg_randn(n, n)};
    double ns = bench_median_ns(mm_work, &c), torch_ns = bench_torch_ns(setup, "torch.mm(a,b)", 1);
    bench_report(name, ns, torch_ns);
    snprintf(alias, sizeof alias, "mm_f32_ratio_%lld", (long long)n);
    if (torch_ns > 0) printf("%s %.2f\n", alias, torch_ns / ns);
    printf("%s_gflops %.1f\n", name, 2.0 * (double)n * (double)n * (double)n / ns);
    strncat(name, "_2t", sizeof name - strlen(name) - 1);
    cg_set_num_threads(2);
    bench_report(name, bench_median_ns(mm_work, &c), bench_torch_ns(setup, "torch.mm(a,b)", 2));
    cg_set_num_threads(1);
}

#ifdef CG_HAVE_BLAS
typedef struct {
    int n;
    const float *a, *b;
    float *c;
} blas_ctx;

/* What cg_mm of row-major a, b asks of BLAS: C^T = B^T A^T in column-major terms. */
static void blas_work(void *p) {
    blas_ctx *c = p;
    cblas_sgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, c->n, c->n, c->n, 1.0f, c->b, c->n, c->a, c->n, 0.0f, c->c,
                c->n);
}
#endif

/* cgrad's mm recorded by autograd (a node, saved operands, a fresh result) against the bare sgemm. */
static void vs_blas(int64_t n) {
#ifdef CG_HAVE_BLAS
    mm_ctx c = {cg_requires_grad_(cg_randn(n, n), true), cg_requires_grad_(cg_randn(n, n), true)};
    cg_tensor *out = cg_empty(n, n);
    blas_ctx b = {(int)n, cg_data_ptr(c.a), cg_data_ptr(c.b), cg_data_ptr(out)};
    double ns = bench_median_ns(mm_work, &c), cpu_ns = bench_cpu_ns;
    double blas_ns = bench_median_ns(blas_work, &b), blas_cpu_ns = bench_cpu_ns;
    printf("mm_f32_autograd_%lld_ns %.1f\nmm_f32_blas_%lld_ns %.1f\n", (long long)n, ns, (long long)n, blas_ns);
    printf("mm_f32_vs_blas %.2f\nmm_f32_vs_blas_cpu %.2f\n", blas_ns / ns, blas_cpu_ns / cpu_ns);
#else
    (void)n;
    printf("mm_f32_vs_blas: built without BLAS\n");
#endif
}

int main(void) {
    cg_manual_seed(0);
    mm_line(64);
    mm_line(512);
    mm_line(2048);
    vs_blas(512);
    return 0;
}
