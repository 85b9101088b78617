/* Seed 004 (tests/data/seeds/seed004_d2l.py) in C: accumulation, zeroing through
 * .data, and backward through a view. */
#include <cgrad.h>
#include <stdio.h>

static const char *yes_no(bool b) { return b ? "True" : "False"; }

int main(void) {
    cg_tensor *x = cg_requires_grad_(cg_ones(2, 2), true);
    cg_tensor *y = cg_add_scalar(x, 2);
    cg_print(x);
    printf("%s\n", cg_node_name(cg_grad_fn(x))); /* None */
    cg_tensor *z = cg_mul_scalar(cg_mul(y, y), 3);
    cg_tensor *out = cg_mean(z);
    char text[4096];
    cg_format(z, text, sizeof text);
    printf("%s ", text);
    cg_print(out);

    cg_tensor *a = cg_randn(2, 2);
    a = cg_div(cg_mul_scalar(a, 3), cg_sub_scalar(a, 1));
    printf("%s\n", yes_no(cg_requires_grad(a)));
    cg_requires_grad_(a, true);
    printf("%s\n", yes_no(cg_requires_grad(a)));
    cg_backward(out);
    cg_print(cg_grad(x));

    cg_tensor *out2 = cg_sum(x);
    cg_backward(out2);
    cg_print(cg_grad(x));
    cg_tensor *out3 = cg_sum(x);
    cg_zero_(cg_data(cg_grad(x)));
    cg_backward(out3);
    cg_print(cg_grad(x));

    x = cg_requires_grad_(cg_tensor_f32(((float[]){1.0, 2.0, 3.0, 4.0}), 4), true);
    y = cg_mul_scalar(x, 2);
    z = cg_view(y, 2, 2);
    cg_print(z);
    cg_tensor *v = cg_tensor_f32(((float[]){1.0, 0.1, 0.01, 0.001}), 2, 2);
    cg_backward(z, .gradient = v);
    cg_print(cg_grad(x));
    return 0;
}
