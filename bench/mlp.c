/* One training step of a 784-256-128-10 MLP (batch 64, relu, cross_entropy, backward, an SGD update
 * with in-place ops under no_grad, zero_grad), written as a user writes it in C and in PyTorch
 * 1.13, timed side by side in the same invocation (bench/bench.h): mlp_step_{ns,torch_ns,ratio},
 * then both at 2 threads (mlp_step_2t_*). Run with `make bench`. */
#include "bench.h"
#include "cgrad.h"

#define LR 0.01

typedef struct {
    cg_tensor *x, *y, *w[3], *b[3];
} mlp;

static void step(void *p) {
    mlp *m = p;
    CG_SCOPE {
        cg_tensor *h = cg_relu(cg_linear(m->x, m->w[0], m->b[0]));
        h = cg_relu(cg_linear(h, m->w[1], m->b[1]));
        cg_tensor *loss = cg_cross_entropy(cg_linear(h, m->w[2], m->b[2]), m->y);
        if (cg_backward(loss) != 0) {
            fprintf(stderr, "mlp: %s\n", cg_last_error());
            exit(1);
        }
        CG_NO_GRAD {
            for (int i = 0; i < 3; i++) {
                cg_add_alpha_(m->w[i], cg_grad(m->w[i]), -LR);
                cg_add_alpha_(m->b[i], cg_grad(m->b[i]), -LR);
            }
        }
        cg_zero_grad(CG_TENSORS(m->w[0], m->b[0], m->w[1], m->b[1], m->w[2], m->b[2]));
    }
}

/* A weight (out, in) and bias (out) drawn as nn.Linear draws them: uniform in +-1/sqrt(in). */
static void layer(mlp *m, int i, int64_t in, int64_t out) {
    double bound = 1.0 / __builtin_sqrt((double)in);
    cg_tensor *w = cg_empty(out, in), *b = cg_empty(out);
    cg_uniform_(w, -bound, bound);
    cg_uniform_(b, -bound, bound);
    m->w[i] = cg_requires_grad_(w, true);
    m->b[i] = cg_requires_grad_(b, true);
}

static const char *torch_setup =
    "import torch.nn.functional as F\n"
    "x=torch.randn(64,784);y=torch.randint(0,10,(64,))\n"
    "L=[torch.nn.Linear(784,256),torch.nn.Linear(256,128),torch.nn.Linear(128,10)]\n"
    "P=[q for l in L for q in (l.weight,l.bias)]\n"
    "def step():\n"
    "    h=F.relu(F.linear(x,P[0],P[1]))\n"
    "    h=F.relu(F.linear(h,P[2],P[3]))\n"
    "    loss=F.cross_entropy(F.linear(h,P[4],P[5]),y)\n"
    "    loss.backward()\n"
    "    with torch.no_grad():\n"
    "        for q in P: q.add_(q.grad,alpha=-0.01)\n"
    "    for q in P: q.grad.zero_()\n";

int main(void) {
    cg_manual_seed(0);
    mlp m = {.x = cg_randn(64, 784), .y = cg_randint(0, 10, 64)};
    layer(&m, 0, 784, 256);
    layer(&m, 1, 256, 128);
    layer(&m, 2, 128, 10);
    bench_compare("mlp_step", step, &m, torch_setup, "step()");
    return 0;
}
