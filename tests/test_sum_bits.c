/* Float sums, means, products and p-norms against PyTorch's bits (tests/data/sum_bits.txt from tools/gen_sum_bits.py):
 * whole tensors of 1 to 10^6 elements, rows, columns and middle dims, keepdim, transposed,
 * permuted, sliced, expanded and offset inputs, empty and 0-dim ones, float32 and float64. */
#include "harness.h"
#include "golden.h"
#include "backend/cpu/simd.h" /* cg_simd_cap */
#include "core/tensor.h" /* cg_new_view: the inputs are strided views of a base */

#include <stdlib.h>

/* The generator's base values: m * 2^e from a 64-bit LCG, exact in float32; for products
 * (near_one), 1 + m * 2^-26. */
static cg_tensor *base_tensor(cg_dtype dtype, uint64_t seed, int64_t n, bool near_one) {
    cg_tensor *t = cg_empty_shape(dtype, 1, &n);
    if (!t) return NULL;
    uint64_t state = seed;
    for (int64_t i = 0; i < n; i++) {
        state = state * 6364136223846793005u + 1442695040888963407u;
        int64_t m = (int64_t)(state >> 40) - (1 << 23);
        int e = (int)((state >> 32) & 31) - 30;
        double v = near_one ? 1 + ldexp((double)m, -26) : ldexp((double)m, e - 20);
        if (dtype == CG_FLOAT32) ((float *)cg_data_ptr(t))[i] = (float)v;
        else ((double *)cg_data_ptr(t))[i] = v;
    }
    return t;
}

static int64_t next_int(char **cur) { return atoll(golden_token(cur)); }

/* 0 when cgrad's result has the golden shape and bits. */
static int check_line(char *line) {
    char *cur = line;
    const char *op = golden_token(&cur);
    cg_dtype dtype = golden_dtype(golden_token(&cur));
    uint64_t seed = (uint64_t)next_int(&cur);
    int64_t extent = next_int(&cur), sizes[CG_MAX_DIMS], strides[CG_MAX_DIMS];
    int ndim = (int)next_int(&cur);
    for (int d = 0; d < ndim; d++) sizes[d] = next_int(&cur);
    for (int d = 0; d < ndim; d++) strides[d] = next_int(&cur);
    int64_t offset = next_int(&cur);
    cg_reduce_args a = {.ndims = (int)next_int(&cur)};
    for (int i = 0; i < a.ndims; i++) a.dims[i] = (int)next_int(&cur);
    a.keepdim = next_int(&cur) != 0;
    if (a.keepdim && a.ndims == 0) { /* the generator's every-dim keepdim case */
        a.ndims = ndim;
        for (int d = 0; d < ndim; d++) a.dims[d] = d;
    }
    bool prod = !strcmp(op, "prod");
    a.input = cg_new_view(base_tensor(dtype, seed, extent, prod), ndim, sizes, strides, offset);
    cg_norm_args norm = {.input = a.input, .ndims = a.ndims, .keepdim = a.keepdim};
    memcpy(norm.dims, a.dims, sizeof norm.dims);
    if (!strncmp(op, "norm", 4)) { /* norm<p>, "_" for the point */
        char p[16];
        snprintf(p, sizeof p, "%s", op + 4);
        for (char *c = p; *c; c++) *c = *c == '_' ? '.' : *c;
        norm.p = strtod(p, NULL);
    }
    cg_tensor *r = prod ? (a.ndims ? cg_prod_dim(a.input, a.dims[0], a.keepdim) : cg_prod(a.input))
                 : !strncmp(op, "norm", 4) ? cg_norm_opts(norm)
                 : !strcmp(op, "sum") ? cg_sum_opts(a) : cg_mean_opts(a);
    if (!r) {
        fprintf(stderr, "  error: %s\n", cg_last_error());
        return -1;
    }
    int rdim = (int)next_int(&cur);
    bool shape_ok = cg_ndim(r) == rdim && cg_get_dtype(r) == dtype;
    for (int d = 0; d < rdim; d++) shape_ok = shape_ok && cg_size(r, d) == next_int(&cur);
    if (!shape_ok || !cg_is_contiguous(r)) {
        fprintf(stderr, "  wrong shape or layout\n");
        return -1;
    }
    for (int64_t i = 0; i < cg_numel(r); i++) {
        const char *tok = golden_token(&cur);
        double expected = strtod(tok, NULL), got;
        if (dtype == CG_FLOAT32) got = ((const float *)cg_data_ptr(r))[i];
        else got = ((const double *)cg_data_ptr(r))[i];
        if (memcmp(&got, &expected, sizeof got) != 0 && !(isnan(got) && isnan(expected))) {
            fprintf(stderr, "  element %lld: got %a, expected %a\n", (long long)i, got, expected);
            return -1;
        }
    }
    return 0;
}

static void test_golden_sum_bits(void) {
    int bad, cases = golden_check_lines("tests/data/sum_bits.txt", check_line, 20, &bad);
    CHECK_MSG(bad == 0, "%d of %d lines differ", bad, cases);
    CHECK(cases > 1000);
}

/* The same lines through the portable loops (as on a CPU without AVX2): the vector versions make
 * the same operations in the same order, so the bits are the same. */
static void test_golden_sum_bits_portable_loops(void) {
    cg_simd_cap(0);
    test_golden_sum_bits();
    cg_simd_cap(2);
}

int main(void) {
    RUN(test_golden_sum_bits);
    RUN(test_golden_sum_bits_portable_loops);
    HARNESS_END();
}
