/* Seed 001 (tests/data/seeds/seed001_grad.py) in C: requires_grad, grad_fn, no_grad,
 * a logistic-regression step, detach. */
#include <cgrad.h>
#include <stdio.h>

static const char *yes_no(bool b) { return b ? "True" : "False"; }

/* Python's f"{name}={tensor}" */
static void show(const char *name, const cg_tensor *t) {
    printf("%s=", name);
    cg_print(t);
}

/* @torch.no_grad() def doubler(x): return x * 2 */
static cg_tensor *doubler(cg_tensor *x) {
    cg_tensor *y = NULL;
    CG_NO_GRAD { y = cg_mul_scalar(x, 2); }
    return y;
}

int main(void) {
    cg_tensor *x = cg_ones(5);
    cg_tensor *y = cg_mul_scalar(cg_dot(x, x), 2);
    if (cg_backward(y) != 0) printf("RuntimeError: %s\n", cg_last_error());

    cg_tensor *x_true = cg_requires_grad_(cg_ones(5), true);
    cg_tensor *y_true = cg_mul_scalar(cg_dot(x_true, x_true), 2);
    cg_backward(y_true);
    show("x_true.grad", cg_grad(x_true));
    show("4*x_true", cg_mul_scalar(x_true, 4));
    show("x_true.grad==4*x_true", cg_eq(cg_grad(x_true), cg_mul_scalar(x_true, 4)));

    x_true = cg_requires_grad_(cg_ones(5), true);
    y_true = cg_mul_scalar(cg_dot(x_true, x_true), 2);
    cg_tensor *z_true = cg_add_scalar(y_true, 6);
    cg_backward(z_true);
    show("x_true.grad", cg_grad(x_true));
    printf("x_true.grad_fn=%s\n", cg_node_name(cg_grad_fn(x_true)));
    printf("y_true.grad_fn=%s\n", cg_node_name(cg_grad_fn(y_true)));
    printf("z_true.grad_fn=%s\n", cg_node_name(cg_grad_fn(z_true)));

    x = cg_requires_grad_(cg_tensor_f32(((float[]){1.0}), 1), true);
    CG_NO_GRAD { y = cg_mul_scalar(x, 2); }
    printf("y.requires_grad=%s\n", yes_no(cg_requires_grad(y)));
    cg_tensor *z = doubler(x);
    printf("z.requires_grad=%s\n", yes_no(cg_requires_grad(z)));

    cg_manual_seed(0);
    x = cg_ones(5);
    y = cg_zeros(3);
    cg_tensor *w = cg_requires_grad_(cg_randn(5, 3), true);
    cg_tensor *b = cg_requires_grad_(cg_randn(3), true);
    z = cg_add(cg_matmul(x, w), b);
    cg_tensor *loss = cg_binary_cross_entropy_with_logits(z, y);
    printf("z.grad_fn=%s\n", cg_node_name(cg_grad_fn(z)));
    printf("loss.grad_fn=%s\n", cg_node_name(cg_grad_fn(loss)));
    cg_backward(loss);
    show("w.grad", cg_grad(w));
    show("b.grad", cg_grad(b));
    printf("z.requires_grad=%s\n", yes_no(cg_requires_grad(z)));
    cg_tensor *z_detached = cg_detach(z);
    printf("after_detach:z.requires_grad=%s\n", yes_no(cg_requires_grad(z_detached)));
    return 0;
}
