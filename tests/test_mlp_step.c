/* One forward and backward of bench/mlp.c's MLP (784-256-128-10, batch 64, linear + relu,
 * cross_entropy) against PyTorch 1.13 (tests/data/mlp_step.txt from tools/gen_mlp_step.py): the
 * inputs are drawn as the generator draws them (cgrad's generator gives PyTorch's numbers), and
 * the loss and every parameter's gradient are PyTorch's bits where the golden file's OpenBLAS
 * kernels are the running ones and SLEEF is linked; close otherwise (other kernels, the portable
 * loops and libm round differently). */
#include "golden.h"
#include "harness.h"

#include <stdlib.h>

#include "blas_core.h"

static bool exact_bits(void) {
#ifdef CG_HAVE_SLEEF
    return golden_same_blas("tests/data/mlp_step.txt");
#else
    return false;
#endif
}

static uint64_t fnv1a(const cg_tensor *t) {
    const unsigned char *p = cg_data_ptr(t);
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < (size_t)cg_numel(t) * sizeof(float); i++) h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

static bool close_to(double got, double want) { return fabs(got - want) <= 1e-3 * fabs(want) + 1e-7; }

static void test_mlp_step_is_pytorchs(void) {
    bool exact = exact_bits();

    cg_manual_seed(0);
    cg_tensor *x = cg_randn(64, 784), *y = cg_randint(0, 10, 64), *p[6];
    const int64_t shapes[6][2] = {{256, 784}, {256, 0}, {128, 256}, {128, 0}, {10, 128}, {10, 0}};
    for (int i = 0; i < 6; i++) {
        cg_tensor *r = shapes[i][1] ? cg_randn(shapes[i][0], shapes[i][1]) : cg_randn(shapes[i][0]);
        p[i] = cg_requires_grad_(cg_mul_scalar(r, 0.05), true);
    }
    cg_tensor *h = cg_relu(cg_linear(x, p[0], p[1]));
    h = cg_relu(cg_linear(h, p[2], p[3]));
    cg_tensor *loss = cg_cross_entropy(cg_linear(h, p[4], p[5]), y);
    CHECK_MSG(cg_backward(loss) == 0, "%s", cg_last_error());

    golden_file g;
    if (golden_open(&g, "tests/data/mlp_step.txt") < 0) {
        CHECK(!"golden file");
        return;
    }
    char *line, *cur;
    int grads = 0;
    while ((line = golden_next_line(&g))) {
        cur = line;
        const char *kind = golden_token(&cur);
        if (!strcmp(kind, "loss")) {
            float want = (float)strtod(golden_token(&cur), NULL), got = (float)cg_item(loss);
            CHECK_MSG(exact ? memcmp(&want, &got, sizeof want) == 0 : close_to(got, want), "loss %.9g, PyTorch's %.9g", got,
                      want);
            continue;
        }
        int i = atoi(golden_token(&cur));
        int64_t numel = atoll(golden_token(&cur));
        uint64_t hash = strtoull(golden_token(&cur), NULL, 16);
        const cg_tensor *grad = cg_grad(p[i]);
        if (!grad || cg_numel(grad) != numel) {
            CHECK_MSG(0, "parameter %d: no gradient of %lld elements", i, (long long)numel);
            continue;
        }
        grads++;
        if (exact) CHECK_MSG(fnv1a(grad) == hash, "parameter %d: gradient bits differ from PyTorch's", i);
        const float *v = cg_data_ptr(grad);
        char *tok;
        for (int64_t k = 0; (tok = golden_token(&cur)); k += 997) {
            double want = strtod(tok, NULL);
            CHECK_MSG(exact ? v[k] == (float)want : close_to(v[k], want), "parameter %d, element %lld: %.9g, PyTorch's %.9g", i,
                      (long long)k, v[k], want);
        }
    }
    golden_close(&g);
    CHECK(grads == 6);
}

int main(void) {
    RUN(test_mlp_step_is_pytorchs);
    HARNESS_END();
}
