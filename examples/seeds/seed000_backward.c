/* Seed 000 (tests/data/seeds/seed000_backward.py) in C: backward on scalars and, with a
 * gradient vector, on non-scalars; writing into slices of a tensor inside a graph. */
#include <cgrad.h>
#include <stdio.h>

static void print_error(void) { printf("RuntimeError: %s\n", cg_last_error()); }

/* x[i, j] */
static cg_tensor *at(cg_tensor *x, int64_t i, int64_t j) { return cg_select(cg_select(x, 0, i), 0, j); }

int main(void) {
    cg_tensor *x = cg_requires_grad_(cg_tensor_f32(((float[]){1.0, 2.0}), 2), true);
    cg_tensor *y = cg_pow_scalar(cg_add_scalar(x, 2), 2);
    cg_print(y);
    cg_tensor *z = cg_mean(y);
    cg_print(z);
    cg_backward(z);
    cg_print(cg_grad(x));

    x = cg_requires_grad_(cg_tensor_f32(((float[]){1.0, 2.0}), 2), true);
    y = cg_pow_scalar(cg_add_scalar(x, 2), 2);
    z = cg_mul_scalar(y, 4);
    if (cg_backward(z) != 0) print_error();

    x = cg_requires_grad_(cg_tensor_f32(((float[]){1.0, 2.0, 3.0}), 3), true);
    y = cg_pow_scalar(cg_add_scalar(x, 2), 2);
    z = cg_mul_scalar(y, 4);
    cg_backward(z, .gradient = cg_tensor_i64(((int64_t[]){1, 1, 1}), 3));
    cg_print(cg_grad(x));

    x = cg_requires_grad_(cg_tensor_f32(((float[]){1, 2, 3}), 1, 3), true);
    cg_tensor *jacobian = cg_zeros(3, 3);
    (void)jacobian;
    y = cg_zeros(1, 3);
    cg_copy_(at(y, 0, 0), cg_add(cg_pow_scalar(at(x, 0, 0), 2), cg_mul_scalar(at(x, 0, 1), 2)));
    cg_copy_(at(y, 0, 1), cg_add(cg_pow_scalar(at(x, 0, 1), 2), cg_mul_scalar(at(x, 0, 0), 4)));
    cg_copy_(at(y, 0, 2), cg_add(cg_add(cg_pow_scalar(at(x, 0, 2), 2), cg_mul_scalar(at(x, 0, 0), 2)), at(x, 0, 1)));
    cg_print(y);
    const int64_t directions[5][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 1, 1}, {1, 1, 1}};
    for (int i = 0; i < 5; i++) {
        cg_backward(y, .gradient = cg_tensor_i64(directions[i], 1, 3), .retain_graph = i < 4);
        cg_print(cg_grad(x));
    }
    if (cg_backward(y, .gradient = cg_tensor_i64(((int64_t[]){1, 1, 1}), 1, 3)) != 0) print_error();
    return 0;
}
