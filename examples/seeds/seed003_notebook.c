/* Seed 003 (tests/data/seeds/seed003_notebook.py) in C: scalar and vector backward,
 * requires_grad_, detach and no_grad. */
#include <cgrad.h>
#include <stdio.h>

static void print_error(void) { printf("RuntimeError: %s\n", cg_last_error()); }

int main(void) {
    cg_manual_seed(0);
    cg_tensor *x1 = cg_randn(3);
    cg_tensor *y1 = cg_add_scalar(x1, 2);
    cg_print(y1);
    cg_tensor *z1 = cg_mul_scalar(cg_mul(x1, x1), 2);
    cg_print(z1);
    cg_tensor *z2 = cg_mean(z1);
    cg_print(z2);
    if (cg_backward(z2) != 0) print_error();

    x1 = cg_requires_grad_(cg_randn(3), true);
    y1 = cg_add_scalar(x1, 2);
    z1 = cg_mul_scalar(cg_mul(y1, y1), 2);
    z2 = cg_mean(z1);
    cg_print(z2);
    cg_backward(z2);
    cg_print(cg_grad(x1));

    x1 = cg_requires_grad_(cg_randn(3), true);
    y1 = cg_add_scalar(x1, 2);
    z1 = cg_mul_scalar(cg_mul(y1, y1), 2);
    printf("%d\n", cg_ndim(z1));
    if (cg_backward(z1) != 0) print_error();
    cg_tensor *v = cg_tensor_f32(((float[]){1, 1, 1}), 3);
    cg_backward(z1, .gradient = v);
    cg_print(cg_grad(x1));

    cg_tensor *x = cg_requires_grad_(cg_tensor_f32(((float[]){1.0, 2.0}), 2), true);
    cg_tensor *y = cg_pow_scalar(cg_add_scalar(x, 2), 2);
    cg_tensor *z = cg_mean(y);
    printf("%d\n", cg_ndim(z));
    cg_backward(z);
    cg_print(cg_grad(x));

    const int64_t directions[2][3] = {{2, 2, 2}, {10, 1, 11}};
    for (int i = 0; i < 2; i++) { /* rebinding frees the values of the last round, as in Python */
        cg_rebind(&x, cg_requires_grad_(cg_tensor_f32(((float[]){1.0, 2.0, 3.0}), 3), true));
        cg_rebind(&y, cg_pow_scalar(cg_add_scalar(x, 2), 2));
        cg_rebind(&z, cg_mul_scalar(y, 4));
        cg_backward(z, .gradient = cg_tensor_i64(directions[i], 3));
        cg_print(cg_grad(x));
    }

    x = cg_requires_grad_(cg_randn(3), true);
    cg_requires_grad_(x, false);
    cg_print(x);
    x = cg_requires_grad_(cg_randn(3), true);
    y = cg_detach(x);
    cg_print(y);
    x = cg_requires_grad_(cg_randn(3), true);
    CG_NO_GRAD {
        y = cg_add_scalar(x, 2);
        cg_print(y);
    }
    y = cg_add_scalar(x, 2);
    cg_print(y);
    return 0;
}
