/* Autograd of the reductions against PyTorch 1.13 (tests/data/reduce_grad.txt, written by
 * tools/gen_reduce_grad.py): node names and float32 gradients, with PyTorch's conventions at ties,
 * zeros and NaNs. */
#include "grad_golden.h"

#define CASE(name, expr) \
    static cg_tensor *name(cg_tensor *x) { return expr; }
CASE(var_all, cg_var(x))
CASE(var_dims, cg_var(x, CG_DIMS(0, 2)))
CASE(var_dim1_keep_biased, cg_var(x, CG_DIMS(1), .keepdim = true, .biased = true))
CASE(std_all, cg_std(x))
CASE(std_dim1, cg_std(x, CG_DIMS(1)))
CASE(std_dim0_keep_biased, cg_std(x, CG_DIMS(0), .keepdim = true, .biased = true))
CASE(std_constant_row, cg_std(x, CG_DIMS(1)))
CASE(norm2_all, cg_norm(x, 2))
CASE(norm2_zero_row, cg_norm(x, 2, CG_DIMS(1)))
CASE(norm1_dims, cg_norm(x, 1, CG_DIMS(0)))
CASE(norm_inf_ties, cg_norm(x, INFINITY, CG_DIMS(1)))
CASE(norm_ninf, cg_norm(x, -INFINITY, CG_DIMS(1), .keepdim = true))
CASE(norm3_dims, cg_norm(x, 3, CG_DIMS(0, 1)))
CASE(norm1_5_zero, cg_norm(x, 1.5, CG_DIMS(1)))
CASE(norm0_5_zeros, cg_norm(x, 0.5, CG_DIMS(1)))
CASE(norm4_zero_row, cg_norm(x, 4, CG_DIMS(1)))
CASE(prod_all, cg_prod(x))
CASE(prod_all_one_zero, cg_prod(x))
CASE(prod_all_two_zeros, cg_prod(x))
CASE(prod_dim_zeros, cg_prod_dim(x, 1, false))
CASE(prod_dim0_keep_zeros, cg_prod_dim(x, 0, true))
CASE(max_all_ties, cg_max(x))
CASE(min_all_ties, cg_min(x))
CASE(max_all_nan, cg_max(x))
CASE(max_dim_ties, cg_max_dim(x, 1, false, NULL))
CASE(min_dim0_keep, cg_min_dim(x, 0, true, NULL))
CASE(max_dim_0d, cg_max_dim(x, 0, false, NULL))
CASE(prod_0d, cg_prod(x))
CASE(max_0d, cg_max(x))

#define ENTRY(name) {#name, name}
static const grad_golden_case cases[] = {
    ENTRY(var_all), ENTRY(var_dims), ENTRY(var_dim1_keep_biased), ENTRY(std_all), ENTRY(std_dim1),
    ENTRY(std_dim0_keep_biased), ENTRY(std_constant_row), ENTRY(norm2_all), ENTRY(norm2_zero_row),
    ENTRY(norm1_dims), ENTRY(norm_inf_ties), ENTRY(norm_ninf), ENTRY(norm3_dims), ENTRY(norm1_5_zero),
    ENTRY(norm0_5_zeros), ENTRY(norm4_zero_row), ENTRY(prod_all), ENTRY(prod_all_one_zero),
    ENTRY(prod_all_two_zeros), ENTRY(prod_dim_zeros), ENTRY(prod_dim0_keep_zeros), ENTRY(max_all_ties),
    ENTRY(min_all_ties), ENTRY(max_all_nan), ENTRY(max_dim_ties), ENTRY(min_dim0_keep), ENTRY(max_dim_0d),
    ENTRY(prod_0d), ENTRY(max_0d),
};

static void test_golden_gradients(void) {
    run_golden_file("tests/data/reduce_grad.txt", cases, sizeof cases / sizeof cases[0], 1e-5);
}

/* norm with p = 0 counts nonzeros: PyTorch's backward gives the input no gradient at all. */
static void test_norm_p0_gives_no_gradient(void) {
    cg_tensor *x = cg_requires_grad_(cg_tensor_f32(((float[]){1, 0, 2}), 3), true);
    cg_tensor *n = cg_norm(x, 0);
    CHECK_STR(cg_node_name(cg_grad_fn(n)), "NormBackward1");
    CHECK(cg_backward(n) == 0);
    CHECK(cg_grad(x) == NULL);
}

/* max/min along a dim: the values are differentiable, the indices are not. */
static void test_max_dim_indices_do_not_require_grad(void) {
    cg_tensor *x = cg_requires_grad_(cg_tensor_f32(((float[]){1, 5, 3, 4, 2, 6}), 2, 3), true);
    cg_tensor *indices = NULL;
    cg_tensor *values = cg_min_dim(x, 1, false, &indices);
    CHECK(cg_requires_grad(values));
    CHECK(indices && !cg_requires_grad(indices) && cg_grad_fn(indices) == NULL);
    CHECK(harness_values_close(indices, (double[]){0, 1}, 0));
    CHECK(!cg_requires_grad(cg_argmax(x)) && !cg_requires_grad(cg_argmin_dim(x, 0, false)));
    CHECK(cg_grad_fn(cg_argmax(x)) == NULL);
}

/* Under no_grad nothing is recorded. */
static void test_no_grad(void) {
    cg_tensor *x = cg_requires_grad_(cg_tensor_f32(((float[]){1, 5, 3, 4}), 4), true);
    CG_NO_GRAD {
        CHECK(cg_grad_fn(cg_var(x)) == NULL);
        CHECK(cg_grad_fn(cg_max_dim(x, 0, false, NULL)) == NULL);
        CHECK(cg_grad_fn(cg_norm(x, 2)) == NULL);
    }
}

/* Gradients of gradients: var's Hessian is (2/(N-1)) (I - 1/N), prod's off-diagonal is the
 * product of the others. */
static void test_second_derivatives(void) {
    cg_tensor *x = cg_requires_grad_(cg_tensor_f64(((double[]){1, 2, 4}), 3), true);
    cg_tensor *g = NULL;
    CHECK(cg_autograd_grad(.outputs = CG_TENSORS(cg_prod(x)), .inputs = CG_TENSORS(x), .results = &g,
                           .create_graph = true) == 0);
    CHECK(harness_values_close(g, (double[]){8, 4, 2}, 1e-12));
    cg_tensor *h = NULL;
    CHECK(cg_autograd_grad(.outputs = CG_TENSORS(cg_select(g, 0, 0)), .inputs = CG_TENSORS(x), .results = &h) == 0);
    CHECK(harness_values_close(h, (double[]){0, 4, 2}, 1e-12));
    CHECK(cg_autograd_grad(.outputs = CG_TENSORS(cg_var(x)), .inputs = CG_TENSORS(x), .results = &g,
                           .create_graph = true) == 0);
    CHECK(cg_autograd_grad(.outputs = CG_TENSORS(cg_select(g, 0, 0)), .inputs = CG_TENSORS(x), .results = &h) == 0);
    CHECK(harness_values_close(h, (double[]){2.0 / 3, -1.0 / 3, -1.0 / 3}, 1e-12));
}

int main(void) {
    RUN(test_golden_gradients);
    RUN(test_norm_p0_gives_no_gradient);
    RUN(test_max_dim_indices_do_not_require_grad);
    RUN(test_no_grad);
    RUN(test_second_derivatives);
    HARNESS_END();
}
