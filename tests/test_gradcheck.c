/* Every differentiable op: gradcheck and gradgradcheck in float64 over the cases in
 * tests/grad_cases_*.h, and a walk of the op registry that fails for any op without a case. */
#include "harness.h"

#include "autograd/registry.h"
#include "grad_cases_all.h"

static void check_case(const grad_case *c) {
    cg_tensor *in[8] = {0};
    c->make_inputs(in);
    cg_clear_error();
    int status = cg_gradcheck(.fn = c->fn, .inputs = {in, c->ninputs}, .eps = c->eps, .atol = c->atol);
    CHECK_MSG(status == 0, "gradcheck %s (%s): %s", c->op, c->what, cg_last_error());
    if (c->no_gradgrad) return;
    status = cg_gradgradcheck(.fn = c->fn, .inputs = {in, c->ninputs}, .eps = c->eps, .atol = c->atol);
    CHECK_MSG(status == 0, "gradgradcheck %s (%s): %s", c->op, c->what, cg_last_error());
}

static void test_every_case(void) {
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
        for (size_t i = 0; i < tables[t].n; i++)
            if (tables[t].cases[i].op) CG_SCOPE { check_case(&tables[t].cases[i]); }
}

static bool covered(const char *id) {
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
        for (size_t i = 0; i < tables[t].n; i++)
            if (tables[t].cases[i].op && !strcmp(tables[t].cases[i].op, id)) return true;
    return false;
}

static void test_every_registered_op_has_a_backward_and_a_case(void) {
    for (int i = 0; i < cg_op_registry_size; i++) {
        const cg_op *op = cg_op_registry[i];
        CHECK_MSG(op->backward != NULL, "%s has no backward", op->id);
        CHECK_MSG(covered(op->id), "%s (%s) has no gradcheck case", op->id, op->name);
    }
}

/* The check itself must be able to fail: a wrong formula is caught with PyTorch's message. */
static void wrong_backward(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    (void)n;
    out[0] = cg_mul_scalar(grads[0], 2);
}
static const cg_op wrong_op = {"WrongBackward", wrong_backward, "wrong"};
static int f_wrong(cg_tensor **in, cg_tensor **out, void *u) {
    (void)u;
    out[0] = cg_clone(in[0]);
    cg_tensor *detached = cg_detach(out[0]);
    cg_record(&wrong_op, detached, CG_INPUTS(in[0]));
    out[0] = detached;
    return 1;
}

static void test_gradcheck_catches_a_wrong_formula(void) {
    cg_tensor *x = GRAD_INPUT(99, -1, 1, 3);
    cg_clear_error();
    CHECK(cg_gradcheck(.fn = f_wrong, .inputs = {&x, 1}) == -1);
    CHECK(strncmp(cg_last_error(), "Jacobian mismatch for output 0 with respect to input 0,", 55) == 0);
    CHECK(cg_last_error_kind() == CG_GRADCHECK_ERROR);
}

int main(void) {
    RUN(test_every_case);
    RUN(test_every_registered_op_has_a_backward_and_a_case);
    RUN(test_gradcheck_catches_a_wrong_formula);
    HARNESS_END();
}
