/* Convolution and pooling, timed side by side with PyTorch 1.13 (1 thread) in the same invocation
 * (bench/bench.h): a LeNet-like training step on a batch of 64 28x28 images (conv 1->6 5x5, relu,
 * max_pool 2, conv 6->16 5x5, relu, max_pool 2, linear 256->120->84->10, cross_entropy, backward,
 * SGD), written as a user would in both; then the forward of each convolution alone, and the
 * pooling. Lines: name_ns, name_torch_ns, name_ratio (PyTorch time / cgrad time), at 1 thread and
 * (name_2t_*) at 2 threads on both sides. */
#include "bench.h"
#include "cgrad.h"

enum { NPARAMS = 10 };

typedef struct {
    cg_tensor *x, *y, *w, *params[NPARAMS];
    int which;
} work_ctx;

enum { STEP, CONV1, CONV2, MAX_POOL, AVG_POOL };

static void step(work_ctx *c) {
    cg_tensor **p = c->params;
    cg_tensor *h = cg_max_pool2d(cg_relu(cg_conv2d(c->x, p[0], .bias = p[1])), CG_INTS(2));
    h = cg_flatten(cg_max_pool2d(cg_relu(cg_conv2d(h, p[2], .bias = p[3])), CG_INTS(2)), 1, -1);
    h = cg_relu(cg_linear(h, p[4], p[5]));
    h = cg_relu(cg_linear(h, p[6], p[7]));
    cg_tensor *loss = cg_cross_entropy(cg_linear(h, p[8], p[9]), c->y);
    if (cg_backward(loss) < 0) {
        fprintf(stderr, "lenet step: %s\n", cg_last_error());
        exit(1);
    }
    CG_NO_GRAD {
        for (int i = 0; i < NPARAMS; i++) {
            cg_sub_alpha_(p[i], cg_grad(p[i]), 0.01);
            cg_zero_(cg_grad(p[i]));
        }
    }
}

static void work(void *arg) {
    work_ctx *c = arg;
    CG_SCOPE {
        switch (c->which) {
        case STEP: step(c); break;
        case CONV1: cg_conv2d(c->x, c->params[0], .bias = c->params[1]); break;
        case CONV2: cg_conv2d(c->x, c->params[2], .bias = c->params[3]); break;
        case MAX_POOL: cg_max_pool2d(c->x, CG_INTS(2)); break;
        case AVG_POOL: cg_avg_pool2d(c->x, CG_INTS(2)); break;
        }
    }
}

static const char *setup =
    "import torch.nn.functional as F\n"
    "torch.manual_seed(0)\n"
    "x=torch.randn(64,1,28,28);y=torch.randint(0,10,(64,))\n"
    "P=[torch.randn(6,1,5,5)*0.2,torch.zeros(6),torch.randn(16,6,5,5)*0.08,torch.zeros(16),"
    "torch.randn(120,256)*0.06,torch.zeros(120),torch.randn(84,120)*0.09,torch.zeros(84),"
    "torch.randn(10,84)*0.1,torch.zeros(10)]\n"
    "for p in P: p.requires_grad_()\n"
    "h1=torch.randn(64,6,12,12);a1=torch.randn(64,6,24,24)\n"
    "def step():\n"
    "    h=F.max_pool2d(F.relu(F.conv2d(x,P[0],P[1])),2)\n"
    "    h=F.max_pool2d(F.relu(F.conv2d(h,P[2],P[3])),2).flatten(1)\n"
    "    h=F.relu(F.linear(h,P[4],P[5]))\n"
    "    h=F.relu(F.linear(h,P[6],P[7]))\n"
    "    F.cross_entropy(F.linear(h,P[8],P[9]),y).backward()\n"
    "    with torch.no_grad():\n"
    "        for p in P:\n"
    "            p.sub_(p.grad,alpha=0.01)\n"
    "            p.grad.zero_()\n";

static void run(const char *name, work_ctx *c, int which, const char *stmt) {
    c->which = which;
    bench_compare(name, work, c, setup, stmt);
}

int main(void) {
    cg_manual_seed(0);
    work_ctx c = {.x = cg_randn(64, 1, 28, 28), .y = cg_randint(0, 10, 64)};
    const int64_t shapes[NPARAMS][4] = {{6, 1, 5, 5}, {6}, {16, 6, 5, 5}, {16}, {120, 256}, {120}, {84, 120}, {84}, {10, 84}, {10}};
    const int ndims[NPARAMS] = {4, 1, 4, 1, 2, 1, 2, 1, 2, 1};
    const double scale[NPARAMS] = {0.2, 0, 0.08, 0, 0.06, 0, 0.09, 0, 0.1, 0};
    for (int i = 0; i < NPARAMS; i++) {
        cg_tensor *p = cg_mul_scalar(cg_randn_shape(CG_FLOAT32, ndims[i], shapes[i]), scale[i]);
        c.params[i] = cg_retain(cg_requires_grad_(p, true));
    }
    run("lenet_step", &c, STEP, "step()");
    run("conv2d_fwd_1x6x5x5_64x28sq", &c, CONV1, "F.conv2d(x,P[0].detach(),P[1].detach())");
    c.x = cg_randn(64, 6, 12, 12);
    run("conv2d_fwd_6x16x5x5_64x12sq", &c, CONV2, "F.conv2d(h1,P[2].detach(),P[3].detach())");
    c.x = cg_randn(64, 6, 24, 24);
    run("max_pool2d_64x6x24sq", &c, MAX_POOL, "F.max_pool2d(a1,2)");
    run("avg_pool2d_64x6x24sq", &c, AVG_POOL, "F.avg_pool2d(a1,2)");
    for (int i = 0; i < NPARAMS; i++) cg_release(c.params[i]);
    return 0;
}
