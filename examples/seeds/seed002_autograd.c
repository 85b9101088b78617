/* Seed 002 (tests/data/seeds/seed002_autograd.py) in C: the autograd tutorial. */
#include <cgrad.h>
#include <stdio.h>

static const char *yes_no(bool b) { return b ? "True" : "False"; }

/* Python's print(a, b) */
static void print_pair(const cg_tensor *a, const cg_tensor *b) {
    char text[4096];
    cg_format(a, text, sizeof text);
    printf("%s ", text);
    cg_print(b);
}

int main(void) {
    cg_tensor *x = cg_requires_grad_(cg_ones(2, 2), true);
    cg_print(x);
    cg_tensor *y = cg_add_scalar(x, 2);
    cg_print(y);
    printf("%s\n", cg_node_name(cg_grad_fn(y)));
    cg_tensor *z = cg_mul_scalar(cg_mul(y, y), 3);
    cg_tensor *out = cg_mean(z);
    print_pair(z, out);

    cg_manual_seed(0);
    cg_tensor *a = cg_randn(2, 2);
    a = cg_div(cg_mul_scalar(a, 3), cg_sub_scalar(a, 1));
    printf("%s\n", yes_no(cg_requires_grad(a)));
    cg_requires_grad_(a, true);
    printf("%s\n", yes_no(cg_requires_grad(a)));
    cg_tensor *b = cg_sum(cg_mul(a, a));
    printf("%s\n", cg_node_name(cg_grad_fn(b)));
    cg_backward(out);
    cg_print(cg_grad(x));

    cg_manual_seed(0);
    x = cg_requires_grad_(cg_randn(3), true);
    y = cg_mul_scalar(x, 2);
    while (cg_item(cg_norm(cg_data(y), 2)) < 1000) cg_rebind(&y, cg_mul_scalar(y, 2));
    cg_print(y);
    cg_tensor *gradients = cg_tensor_f32(((float[]){0.1, 1.0, 0.0001}), 3);
    cg_backward(y, .gradient = gradients);
    cg_print(cg_grad(x));
    printf("%s\n", yes_no(cg_requires_grad(x)));
    printf("%s\n", yes_no(cg_requires_grad(cg_pow_scalar(x, 2))));
    CG_NO_GRAD { printf("%s\n", yes_no(cg_requires_grad(cg_pow_scalar(x, 2)))); }
    return 0;
}
