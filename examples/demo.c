/* `make demo`: a short tour of cgrad. Every tensor prints exactly as PyTorch's does. */
#include <cgrad.h>
#include <stdio.h>

static void say(const char *python, const cg_tensor *t) {
    printf(">>> %s\n", python);
    cg_print(t);
}

static void tour_tensors(void) {
    printf("== tensors, views, broadcasting\n");
    cg_tensor *a = cg_arange(0, 6, 1, CG_FLOAT32);
    say("a = torch.arange(6.)", a);
    cg_tensor *m = cg_view(a, 2, 3);
    say("m = a.view(2, 3)", m);
    say("m.t()", cg_t(m));
    say("m + torch.tensor([10., 20., 30.])", cg_add(m, cg_tensor_f32(((float[]){10, 20, 30}), 3)));
    say("m.sum(dim=1)", cg_sum(m, CG_DIMS(1)));
    cg_manual_seed(0);
    say("torch.manual_seed(0); torch.randn(2, 3)", cg_randn(2, 3));
    say("m @ m.t()", cg_matmul(m, cg_t(m)));
}

static void tour_autograd(void) {
    printf("\n== autograd (seed 000)\n");
    cg_tensor *x = cg_requires_grad_(cg_tensor_f32(((float[]){1, 2}), 2), true);
    say("x = torch.tensor([1., 2.], requires_grad=True)", x);
    cg_tensor *y = cg_pow_scalar(cg_add_scalar(x, 2), 2);
    say("y = (x + 2).pow(2)", y);
    cg_tensor *z = cg_mean(y);
    say("z = y.mean()", z);
    cg_backward(z);
    say("z.backward(); x.grad", cg_grad(x));
    cg_tensor *g = NULL;
    cg_tensor *t = cg_requires_grad_(cg_scalar(2, CG_FLOAT32), true);
    cg_autograd_grad(.outputs = CG_TENSORS(cg_pow_scalar(t, 3)), .inputs = CG_TENSORS(t), .results = &g,
                     .create_graph = true);
    say("t = torch.tensor(2., requires_grad=True); torch.autograd.grad(t**3, t, create_graph=True)[0]", g);
}

int main(void) {
    tour_tensors();
    tour_autograd();
    return 0;
}
