/* Random numbers: bit-exact agreement with PyTorch 1.13's CPU generator (golden data from
 * tools/gen_random.py), the vectors of docs section 5, and the error paths. */
#include "harness.h"
#include "golden.h"
#include "core/generator.h"
#include "core/tensor.h" /* cg_new_view for strided targets */

#include <stdint.h>

/* ---- exact comparison ---------------------------------------------------------------------- */

/* Distance in units in the last place between two floats of one dtype (for the report only). */
static uint64_t ulp_distance(const char *a, const char *b, cg_dtype dtype) {
    int64_t ia, ib;
    if (dtype == CG_FLOAT32) {
        int32_t x, y;
        memcpy(&x, a, 4);
        memcpy(&y, b, 4);
        ia = x < 0 ? INT32_MIN - (int64_t)x : x;
        ib = y < 0 ? INT32_MIN - (int64_t)y : y;
    } else {
        memcpy(&ia, a, 8);
        memcpy(&ib, b, 8);
        if (ia < 0) ia = INT64_MIN - ia;
        if (ib < 0) ib = INT64_MIN - ib;
    }
    return ia > ib ? (uint64_t)ia - (uint64_t)ib : (uint64_t)ib - (uint64_t)ia;
}

/* Every element of actual has the bits of expected; reports how many differ and by how much. */
static int bits_equal(const char *what, cg_tensor *actual, cg_tensor *expected) {
    if (!actual || !expected) return 0;
    if (cg_get_dtype(actual) != cg_get_dtype(expected) || cg_numel(actual) != cg_numel(expected) ||
        cg_ndim(actual) != cg_ndim(expected)) {
        fprintf(stderr, "  %s: dtype or shape differs\n", what);
        return 0;
    }
    for (int d = 0; d < cg_ndim(actual); d++)
        if (cg_size(actual, d) != cg_size(expected, d)) return 0;
    cg_tensor *a = cg_contiguous(actual);
    size_t elsize = cg_dtype_size(cg_get_dtype(a));
    const char *pa = cg_data_ptr(a), *pe = cg_data_ptr(expected);
    int64_t differ = 0, first = -1;
    uint64_t max_ulps = 0;
    for (int64_t i = 0; i < cg_numel(a); i++) {
        if (memcmp(pa + i * (int64_t)elsize, pe + i * (int64_t)elsize, elsize) == 0) continue;
        if (first < 0) first = i;
        differ++;
        if (cg_get_dtype(a) != CG_INT64) {
            uint64_t u = ulp_distance(pa + i * (int64_t)elsize, pe + i * (int64_t)elsize, cg_get_dtype(a));
            if (u > max_ulps) max_ulps = u;
        }
    }
    if (differ) {
        double got = cg_read_double(pa + first * (int64_t)elsize, cg_get_dtype(a));
        double want = cg_read_double(pe + first * (int64_t)elsize, cg_get_dtype(a));
        fprintf(stderr, "  %s: %lld of %lld elements differ (max %llu ulps); first at %lld: got %.17g, expected %.17g\n",
                what, (long long)differ, (long long)cg_numel(a), (unsigned long long)max_ulps, (long long)first, got,
                want);
    }
    return differ == 0;
}

/* ---- golden file --------------------------------------------------------------------------- */

static int parse_shape(char **cur, int64_t *sizes) {
    int ndim = atoi(golden_token(cur));
    for (int d = 0; d < ndim; d++) sizes[d] = atoll(golden_token(cur));
    return ndim;
}

static cg_tensor *expected_after(char **cur) {
    char *eq = golden_token(cur);
    return eq && !strcmp(eq, "=") ? golden_tensor(cur) : NULL;
}

static uint64_t fnv1a64(const void *data, size_t n) {
    const unsigned char *p = data;
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

/* "uniform|normal DTYPE A B base NDIM SIZES view NDIM SIZES STRIDES OFFSET = BASE": fill a view
 * of a zero base and compare the whole base, so untouched elements are checked too. */
static int run_fill(const char *kind, char **cur, const char *line_copy) {
    cg_dtype dtype = golden_dtype(golden_token(cur));
    double a = strtod(golden_token(cur), NULL), b = strtod(golden_token(cur), NULL);
    int64_t base_sizes[CG_MAX_DIMS], sizes[CG_MAX_DIMS], strides[CG_MAX_DIMS];
    golden_token(cur); /* "base" */
    int base_ndim = parse_shape(cur, base_sizes);
    golden_token(cur); /* "view" */
    int ndim = parse_shape(cur, sizes);
    for (int d = 0; d < ndim; d++) strides[d] = atoll(golden_token(cur));
    int64_t offset = atoll(golden_token(cur));
    cg_tensor *base = cg_zeros_shape(dtype, base_ndim, base_sizes);
    cg_tensor *view = cg_new_view(base, ndim, sizes, strides, offset);
    cg_tensor *expected = expected_after(cur);
    int rc = !strcmp(kind, "uniform") ? cg_uniform_(view, a, b) : cg_normal_(view, a, b);
    CHECK_MSG(rc == 0, "%s: %s", line_copy, cg_last_error());
    CHECK(cg_version(base) == 1);
    return bits_equal(line_copy, base, expected);
}

/* "error KIND ARGS | MESSAGE": the call fails with MESSAGE and leaves its target untouched. */
static void run_error(char **cur) {
    char *kind = golden_token(cur);
    char *bar = strstr(*cur, " | ");
    if (!bar) {
        CHECK_MSG(0, "malformed error line");
        return;
    }
    *bar = '\0';
    const char *message = bar + 3;
    if (!strcmp(kind, "randint")) {
        int64_t low = strtoll(golden_token(cur), NULL, 10), high = strtoll(golden_token(cur), NULL, 10);
        CHECK_ERROR(cg_randint_shape(low, high, CG_SHAPE(3)), message);
        return;
    }
    cg_dtype dtype = golden_dtype(golden_token(cur));
    if (!strcmp(kind, "rand")) {
        CHECK_ERROR(cg_rand_shape(dtype, CG_SHAPE(3)), message);
    } else if (!strcmp(kind, "randn")) {
        CHECK_ERROR(cg_randn_shape(dtype, CG_SHAPE(3)), message);
    } else {
        double a = strtod(golden_token(cur), NULL), b = strtod(golden_token(cur), NULL);
        cg_tensor *t = cg_zeros_shape(dtype, CG_SHAPE(3));
        if (!strcmp(kind, "normal"))
            CHECK_ERROR(cg_normal_(t, a, b) == 0, message);
        else
            CHECK_ERROR(cg_uniform_(t, a, b) == 0, message);
        CHECK(cg_version(t) == 0);
        CHECK(harness_values_close(t, (double[]){0, 0, 0}, 0));
    }
}

static void test_golden(void) {
    golden_file g;
    if (golden_open(&g, "tests/data/random.txt") != 0) {
        CHECK(0);
        return;
    }
    char *line, copy[160];
    int lines = 0, exact = 0;
    while ((line = golden_next_line(&g))) {
        snprintf(copy, sizeof copy, "%.120s", line);
        char *cur = line, *op = golden_token(&cur);
        if (!op) continue;
        lines++;
        cg_scope_begin(); /* one line's tensors at a time */
        int64_t sizes[CG_MAX_DIMS];
        if (!strcmp(op, "seed")) {
            cg_manual_seed(strtoull(golden_token(&cur), NULL, 10));
            exact++;
        } else if (!strcmp(op, "rand") || !strcmp(op, "randn")) {
            cg_dtype dtype = golden_dtype(golden_token(&cur));
            int ndim = parse_shape(&cur, sizes);
            cg_tensor *expected = expected_after(&cur);
            cg_tensor *t = op[4] ? cg_randn_shape(dtype, ndim, sizes) : cg_rand_shape(dtype, ndim, sizes);
            if (bits_equal(copy, t, expected) && cg_version(t) == 0) exact++;
        } else if (!strcmp(op, "randint")) {
            int64_t low = strtoll(golden_token(&cur), NULL, 10), high = strtoll(golden_token(&cur), NULL, 10);
            int ndim = parse_shape(&cur, sizes);
            cg_tensor *expected = expected_after(&cur);
            if (bits_equal(copy, cg_randint_shape(low, high, ndim, sizes), expected)) exact++;
        } else if (!strcmp(op, "randn_hash")) {
            cg_dtype dtype = golden_dtype(golden_token(&cur));
            int64_t n = atoll(golden_token(&cur));
            golden_token(&cur); /* "=" */
            uint64_t want = strtoull(golden_token(&cur), NULL, 10);
            cg_tensor *t = cg_randn_shape(dtype, 1, &n);
            uint64_t got = t ? fnv1a64(cg_data_ptr(t), (size_t)n * cg_dtype_size(dtype)) : 0;
            CHECK_MSG(got == want, "%s: hash %llu", copy, (unsigned long long)got);
            if (got == want) exact++;
        } else if (!strcmp(op, "uniform") || !strcmp(op, "normal")) {
            if (run_fill(op, &cur, copy)) exact++;
        } else if (!strcmp(op, "error")) {
            run_error(&cur);
            exact++;
        } else {
            CHECK_MSG(0, "unknown golden line: %s", copy);
        }
        cg_scope_end();
    }
    golden_close(&g);
    CHECK(lines > 600);
    CHECK_MSG(exact == lines, "%d of %d golden lines bit-exact", exact, lines);
}

/* ---- the vectors of docs/pytorch-semantics.md section 5 ------------------------------------ */

static int float_bits_are(cg_tensor *t, const uint32_t *bits, int64_t n) {
    if (!t || cg_get_dtype(t) != CG_FLOAT32 || cg_numel(t) != n) return 0;
    for (int64_t i = 0; i < n; i++) {
        uint32_t u;
        memcpy(&u, (const float *)cg_data_ptr(t) + i, 4);
        if (u != bits[i]) return 0;
    }
    return 1;
}

static void test_engine_outputs(void) {
    cg_manual_seed(0);
    CHECK(cg_random32() == 2357136044u && cg_random32() == 2546248239u);
    CHECK(cg_random32() == 3071714933u && cg_random32() == 3626093760u);
    cg_manual_seed(0);
    CHECK(cg_random64() == ((uint64_t)2357136044u << 32 | 2546248239u));
    cg_manual_seed(0x100000000ull); /* only the low 32 bits seed the engine */
    CHECK(cg_random32() == 2357136044u);
}

static void test_documented_vectors(void) {
    cg_manual_seed(0);
    CHECK(harness_values_close(cg_rand(3), (double[]){0.49625659, 0.76822180, 0.08847743}, 1e-7));
    cg_manual_seed(0);
    CHECK(harness_values_close(cg_randn(3), (double[]){1.54099607, -0.29342890, -2.17878938}, 1e-7));
    cg_tensor *r23 = cg_randn(2, 3);
    CHECK(cg_ndim(r23) == 2 && cg_size(r23, 1) == 3 && cg_version(r23) == 0); /* fresh, as in PyTorch */
    CHECK(harness_values_close(r23, (double[]){0.56843126, -1.08452237, -1.39859545, 0.40334684, 0.83802634, -0.71925759}, 1e-7));
    cg_manual_seed(0);
    static const uint32_t randn20[20] = {0xbf901b85, 0xbf93808a, 0xbe804bd6, 0xbede255d, 0x3f194d8b, 0xbfc70d5b, 0xbeaec6ca,
                                         0x3fed2f4e, 0x3eefaa55, 0xbe217f5f, 0x3fb8c9db, 0x3e8837a1, 0x3fb1d6c0, 0x3fcb0d00,
                                         0x3f72409c, 0xbf57fb33, 0x3f6e8c30, 0x3fa12737, 0x4000519a, 0x3d5c1b3a};
    CHECK(float_bits_are(cg_randn(20), randn20, 20));
    cg_manual_seed(0);
    CHECK(harness_values_close(cg_randn(16), (double[]){-1.12583983, -1.15236020, -0.25057858, -0.43387881, 0.84871036, 0.69200915,
                                                        -0.31601277, -2.11521935, 0.32227492, -1.26333475, 0.34998319, 0.30813393,
                                                        0.11984151, 1.23765790, 1.11677718, -0.24727815}, 1e-7));
    cg_manual_seed(0); /* the cached second normal survives a block-path call */
    CHECK(harness_values_close(cg_randn(1), (double[]){1.5410}, 1e-4));
    cg_tensor *r16 = cg_randn(16);
    CHECK(r16 && fabs(((float *)cg_data_ptr(r16))[0] - 0.8487) < 1e-4 && fabs(((float *)cg_data_ptr(r16))[1] - 0.6920) < 1e-4);
    CHECK(harness_values_close(cg_randn(1), (double[]){-0.2934}, 1e-4));
    cg_manual_seed(0);
    cg_tensor *ri = cg_randint(0, 10, 10);
    CHECK(cg_get_dtype(ri) == CG_INT64 && cg_version(ri) == 0);
    CHECK(harness_values_close(ri, (double[]){4, 9, 3, 0, 3, 9, 7, 3, 7, 3}, 0));
    cg_manual_seed(0);
    CHECK(harness_values_close(cg_rand_shape(CG_FLOAT64, CG_SHAPE(3)), (double[]){0.97005300, 0.70781986, 0.45938294}, 1e-8));
    cg_manual_seed(0);
    cg_tensor *d20 = cg_randn_shape(CG_FLOAT64, CG_SHAPE(20));
    CHECK(d20 && !memcmp(cg_data_ptr(d20), (double[]){-2.310411800234176, -0.3732508612577643, -1.0608166785462863, 0.9995093547811761}, 32));
}

static void test_manual_seed_clears_cache(void) {
    cg_manual_seed(5);
    double first = cg_item(cg_randn(1));
    cg_manual_seed(5); /* the cached second sample of the first call must not come back */
    CHECK(cg_item(cg_randn(1)) == first);
}

/* ---- errors and edge cases ----------------------------------------------------------------- */

static void test_errors_and_edges(void) {
    CHECK(cg_uniform_(NULL, 0, 1) == -1 && cg_normal_(NULL, 0, 1) == -1);
    CHECK_ERROR(cg_randn(2, -1), "Trying to create tensor with negative dimension -1: [2, -1]");
    CHECK_ERROR(cg_randint(5, 5, -1), "Trying to create tensor with negative dimension -1: [-1]");
    /* A stride-0 (expanded) target would receive several draws in one element. */
    cg_tensor *one = cg_zeros(1);
    cg_tensor *expanded = cg_new_view(one, 1, (int64_t[]){20}, (int64_t[]){0}, 0);
    const char *overlap = "unsupported operation: more than one element of the written-to tensor refers to a single "
                          "memory location. Please clone() the tensor before performing the operation.";
    CHECK_ERROR(cg_normal_(expanded, 0, 1) == 0, overlap);
    CHECK_ERROR(cg_uniform_(expanded, 0, 1) == 0, overlap);
    CHECK(cg_version(one) == 0 && cg_item(one) == 0);
    /* Empty tensors draw nothing but still count as written, as in PyTorch. */
    cg_tensor *empty = cg_zeros(0);
    cg_manual_seed(0);
    CHECK(cg_normal_(empty, 0, 1) == 0 && cg_uniform_(empty, 0, 1) == 0 && cg_version(empty) == 2);
    CHECK(harness_values_close(cg_rand(3), (double[]){0.49625659, 0.76822180, 0.08847743}, 1e-7));
    /* std = 0 gives the mean exactly; from == to gives from. */
    cg_tensor *t = cg_zeros(20);
    CHECK(cg_normal_(t, 2.5, 0) == 0 && cg_version(t) == 1);
    CHECK(cg_uniform_(cg_zeros(3), 1, 1) == 0);
    for (int64_t i = 0; i < 20; i++) CHECK(((float *)cg_data_ptr(t))[i] == 2.5f);
}

int main(void) {
    RUN(test_engine_outputs);
    RUN(test_documented_vectors);
    RUN(test_manual_seed_clears_cache);
    RUN(test_errors_and_edges);
    RUN(test_golden);
    HARNESS_END();
}
