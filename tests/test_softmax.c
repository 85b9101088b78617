/* softmax and log_softmax, forward and backward, against PyTorch's bits (tests/data/softmax.txt
 * from tools/gen_softmax.py): the last dim and other dims, lengths around the vector widths,
 * transposed inputs, 0-dim ones, large and infinite values, float32 and float64. The bits are
 * PyTorch's where its vector exp and log are SLEEF's, which the kernels call when SLEEF is linked
 * (and the CPU has AVX2); the NO_SLEEF build uses libm's and agrees to a tolerance. */
#include "harness.h"
#include "golden.h"
#include "backend/cpu/simd.h" /* cg_simd_cap */

#include <stdint.h>
#include <stdlib.h>

/* Whether values are compared to a tolerance rather than bit for bit. */
#ifdef CG_HAVE_SLEEF
static bool tolerant = false;
#else
static bool tolerant = true;
#endif

/* Elements that differ (NaN matches NaN). Where exp and log are libm's (no SLEEF, or the portable
 * loops), values agree to a relative 1e-5 (float32) or 1e-12 (float64) of their magnitude or of 1,
 * whichever is larger. */
static int64_t differing(cg_tensor *a, cg_tensor *b) {
    int64_t bad = 0;
    bool f32 = cg_get_dtype(a) == CG_FLOAT32, loose_zeros = under_valgrind();
    for (int64_t i = 0; i < cg_numel(a); i++) {
        double x = f32 ? ((const float *)cg_data_ptr(a))[i] : ((const double *)cg_data_ptr(a))[i];
        double y = f32 ? ((const float *)cg_data_ptr(b))[i] : ((const double *)cg_data_ptr(b))[i];
        if ((isnan(x) && isnan(y)) || (x == y && (signbit(x) == signbit(y) || (x == 0 && loose_zeros)))) continue;
        if (!tolerant || !(fabs(x - y) <= (f32 ? 1e-5 : 1e-12) * fmax(1, fabs(y)))) bad++;
    }
    return bad;
}

static int check_line(char *line) {
    char *cur = line;
    const char *op = golden_token(&cur);
    int dim = atoi(golden_token(&cur));
    bool transposed = atoi(golden_token(&cur));
    cg_tensor *x = golden_tensor(&cur);
    bool backward = strstr(op, "_backward") != NULL, log = !strncmp(op, "log_", 4);
    cg_tensor *g = backward ? golden_tensor(&cur) : NULL;
    cg_tensor *expected = golden_tensor(&cur);
    if (!x || !expected || (backward && !g)) return -1;
    cg_tensor *leaf = backward ? cg_requires_grad_(x, true) : x;
    if (transposed) x = cg_transpose(leaf, 0, 1);
    cg_tensor *y = log ? cg_log_softmax(x, dim) : cg_softmax(x, dim);
    if (!y) return -1;
    cg_tensor *got = y;
    if (backward) { /* the leaf's gradient, seen as the input's */
        if (cg_backward(y, .gradient = g) < 0) return -1;
        got = transposed ? cg_transpose(cg_grad(leaf), 0, 1) : cg_grad(leaf);
    }
    got = got ? cg_contiguous(got) : NULL;
    if (!got || cg_ndim(got) != cg_ndim(expected) ||
        memcmp(cg_sizes(got), cg_sizes(expected), (size_t)cg_ndim(got) * sizeof(int64_t)) != 0)
        return -1;
    int64_t bad = differing(got, expected);
    if (bad) fprintf(stderr, "%s dim %d: %lld of %lld elements differ\n", op, dim, (long long)bad, (long long)cg_numel(got));
    return bad ? -1 : 0;
}

static void test_golden_bits(void) {
    int bad;
    int cases = golden_check_lines("tests/data/softmax.txt", check_line, 20, &bad);
    CHECK(cases > 500);
    CHECK_MSG(bad == 0, "%d of %d cases differ", bad, cases);
}

/* The same lines through the portable loops (as on a CPU without AVX2), where exp and log are
 * libm's: within the tolerance of the NO_SLEEF build. */
static void test_golden_bits_portable_loops(void) {
    tolerant = true;
    cg_simd_cap(0);
    test_golden_bits();
    cg_simd_cap(2);
    tolerant = false;
}

int main(void) {
    RUN(test_golden_bits);
    RUN(test_golden_bits_portable_loops);
    HARNESS_END();
}
