/* Unary math on 1M float32 elements, timed side by side with PyTorch 1.13 (1 thread) in the same
 * invocation (bench/bench.h): exp, sigmoid, tanh, log, and the backward of sigmoid, tanh and relu
 * (one fused kernel each, as PyTorch's), at 1 thread on both sides and again at 2 (name_2t_*).
 * Lines: name_ns, name_torch_ns, name_ratio (PyTorch time / cgrad time); the goal is
 * exp/sigmoid/tanh/log_1m_ratio >= 1. The PyTorch setup must not
 * name t, f, n or s: bench_torch_ns's driver uses them. */
#include "bench.h"
#include "cgrad.h"

typedef struct {
    cg_tensor *(*fn)(cg_tensor *);
    cg_tensor *x, *g;
} work_ctx;

static void forward(void *p) {
    work_ctx *c = p;
    CG_SCOPE { c->fn(c->x); }
}

static void backward(void *p) {
    work_ctx *c = p;
    CG_SCOPE { cg_backward(c->fn(c->x), .gradient = c->g); }
}

#define N 1000000

static void run(const char *name, cg_tensor *(*fn)(cg_tensor *), cg_tensor *x, const char *setup, const char *stmt) {
    work_ctx c = {fn, x, NULL};
    bench_compare(name, forward, &c, setup, stmt);
}

static void run_backward(const char *name, cg_tensor *(*fn)(cg_tensor *), cg_tensor *x, cg_tensor *g,
                         const char *stmt) {
    work_ctx c = {fn, x, g};
    bench_compare(name, backward, &c, "x=torch.randn(1000000,requires_grad=True);g=torch.randn(1000000)", stmt);
}

int main(void) {
    cg_manual_seed(0);
    cg_tensor *x = cg_retain(cg_randn(N));
    cg_tensor *pos = cg_retain(cg_add_scalar(cg_rand(N), 0.5));
    const char *normal = "x=torch.randn(1000000)";
    run("exp_1m", cg_exp, x, normal, "torch.exp(x)");
    run("sigmoid_1m", cg_sigmoid, x, normal, "torch.sigmoid(x)");
    run("tanh_1m", cg_tanh, x, normal, "torch.tanh(x)");
    run("log_1m", cg_log, pos, "x=torch.rand(1000000)+0.5", "torch.log(x)");

    cg_tensor *xr = cg_retain(cg_requires_grad_(cg_randn(N), true)), *g = cg_retain(cg_randn(N));
    run_backward("sigmoid_fwd_bwd_1m", cg_sigmoid, xr, g, "torch.sigmoid(x).backward(g)");
    run_backward("tanh_fwd_bwd_1m", cg_tanh, xr, g, "torch.tanh(x).backward(g)");
    run_backward("relu_fwd_bwd_1m", cg_relu, xr, g, "torch.relu(x).backward(g)");
    cg_release(x);
    cg_release(pos);
    cg_release(xr);
    cg_release(g);
    return 0;
}
