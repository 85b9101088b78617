/* Generator objects (torch.Generator) against PyTorch: streams of every random function drawn with
 * generator=, get_state bytes, set_state, manual_seed and initial_seed, with the default generator
 * drawn in between (tests/data/generator.txt, from tools/gen_generator.py). */
#include "golden.h"
#include "harness.h"

#include <stdlib.h>

static int bits_equal(const char *what, cg_tensor *actual, cg_tensor *expected) {
    int same = actual && expected && cg_get_dtype(actual) == cg_get_dtype(expected) &&
               cg_numel(actual) == cg_numel(expected) && cg_ndim(actual) == cg_ndim(expected) &&
               !memcmp(cg_data_ptr(cg_contiguous(actual)), cg_data_ptr(expected),
                       (size_t)cg_numel(expected) * cg_dtype_size(cg_get_dtype(expected)));
    CHECK_MSG(same, "%s: %s", what, actual ? "values differ" : cg_last_error());
    return same;
}

static cg_tensor *expected_after(char **cur) {
    char *eq = golden_token(cur);
    return eq && !strcmp(eq, "=") ? golden_tensor(cur) : NULL;
}

static void hex_bytes(const char *hex, unsigned char *out, size_t n) {
    for (size_t i = 0; i < n; i++) {
        unsigned v = 0;
        sscanf(hex + 2 * i, "%2x", &v);
        out[i] = (unsigned char)v;
    }
}

/* One golden line on generator *g; the draws use the _gen functions. */
static void run_line(char *line, cg_generator **g, unsigned char *saved) {
    char copy[120];
    snprintf(copy, sizeof copy, "%.100s", line);
    char *cur = line, *op = golden_token(&cur);
    if (!strcmp(op, "new") || !strcmp(op, "fresh")) {
        cg_generator_free(*g);
        *g = cg_generator_new(op[0] == 'n' ? strtoull(golden_token(&cur), NULL, 10) : 67280421310721ull);
        CHECK(*g != NULL);
    } else if (!strcmp(op, "seed")) {
        cg_generator_manual_seed(*g, strtoull(golden_token(&cur), NULL, 10));
    } else if (!strcmp(op, "initial_seed")) {
        golden_token(&cur);
        CHECK_MSG(cg_generator_initial_seed(*g) == strtoull(golden_token(&cur), NULL, 10), "%s", copy);
    } else if (!strcmp(op, "rand") || !strcmp(op, "randn")) {
        cg_dtype dtype = golden_dtype(golden_token(&cur));
        int64_t n = atoll(golden_token(&cur));
        cg_tensor *t = op[4] ? cg_randn_gen(dtype, 1, &n, *g) : cg_rand_gen(dtype, 1, &n, *g);
        bits_equal(copy, t, expected_after(&cur));
    } else if (!strcmp(op, "randint")) {
        int64_t low = atoll(golden_token(&cur)), high = atoll(golden_token(&cur)), n = atoll(golden_token(&cur));
        bits_equal(copy, cg_randint_gen(low, high, 1, &n, *g), expected_after(&cur));
    } else if (!strcmp(op, "randperm")) {
        int64_t n = atoll(golden_token(&cur));
        cg_dtype dtype = golden_dtype(golden_token(&cur));
        bits_equal(copy, cg_randperm_gen(n, dtype, *g), expected_after(&cur));
    } else if (!strcmp(op, "uniform") || !strcmp(op, "normal")) {
        cg_dtype dtype = golden_dtype(golden_token(&cur));
        double a = strtod(golden_token(&cur), NULL), b = strtod(golden_token(&cur), NULL);
        int64_t n = atoll(golden_token(&cur));
        cg_tensor *t = cg_zeros_shape(dtype, 1, &n);
        int rc = op[0] == 'u' ? cg_uniform_gen_(t, a, b, *g) : cg_normal_gen_(t, a, b, *g);
        CHECK(rc == 0);
        bits_equal(copy, t, expected_after(&cur));
    } else if (!strcmp(op, "default_randn64")) {
        int64_t n = atoll(golden_token(&cur));
        CHECK(cg_randn_shape(CG_FLOAT64, 1, &n) != NULL);
    } else if (!strcmp(op, "state") || !strcmp(op, "default_state")) {
        cg_generator *which = op[0] == 'd' ? NULL : *g; /* default_state: torch.get_rng_state() */
        golden_token(&cur);
        char *hex = golden_token(&cur);
        unsigned char want[CG_GENERATOR_STATE_SIZE], got[CG_GENERATOR_STATE_SIZE];
        CHECK(hex && strlen(hex) == 2 * CG_GENERATOR_STATE_SIZE);
        if (!hex || strlen(hex) != 2 * CG_GENERATOR_STATE_SIZE) return;
        hex_bytes(hex, want, sizeof want);
        CHECK(cg_generator_get_state(which, got, sizeof got) == 0);
        CHECK_MSG(!memcmp(got, want, sizeof got), "%s: state bytes differ", copy);
    } else if (!strcmp(op, "save")) {
        CHECK(cg_generator_get_state(*g, saved, CG_GENERATOR_STATE_SIZE) == 0);
    } else if (!strcmp(op, "restore")) {
        CHECK(cg_generator_set_state(*g, saved, CG_GENERATOR_STATE_SIZE) == 0);
    } else if (!strcmp(op, "default_seed")) {
        cg_manual_seed(strtoull(golden_token(&cur), NULL, 10));
    } else if (!strcmp(op, "default_rand")) {
        int64_t n = atoll(golden_token(&cur));
        bits_equal(copy, cg_rand_shape(CG_FLOAT32, 1, &n), expected_after(&cur));
    } else if (!strcmp(op, "error")) {
        golden_token(&cur); /* set_state */
        char *arg = golden_token(&cur);
        const char *message = strstr(cur, "| ") + 2;
        unsigned char state[CG_GENERATOR_STATE_SIZE], before[CG_GENERATOR_STATE_SIZE], after[CG_GENERATOR_STATE_SIZE];
        cg_generator_get_state(*g, state, sizeof state);
        memcpy(before, state, sizeof state);
        size_t size = sizeof state;
        if (!strcmp(arg, "bad_left")) memset(state + 8, 0, 4);
        else size = (size_t)atoll(arg);
        CHECK_ERROR(cg_generator_set_state(*g, state, size) == 0, message);
        cg_generator_get_state(*g, after, sizeof after);
        CHECK(!memcmp(before, after, sizeof after));
    } else {
        CHECK_MSG(0, "unknown golden line: %s", copy);
    }
}

static void test_golden(void) {
    golden_file f;
    if (golden_open(&f, "tests/data/generator.txt") != 0) {
        CHECK(0);
        return;
    }
    cg_generator *g = NULL;
    unsigned char saved[CG_GENERATOR_STATE_SIZE];
    int lines = 0;
    char *line;
    while ((line = golden_next_line(&f))) {
        if (!line[0]) continue;
        lines++;
        CG_SCOPE { run_line(line, &g, saved); }
    }
    golden_close(&f);
    cg_generator_free(g);
    CHECK(lines > 30);
}

static void test_default_generator_object(void) {
    cg_generator *d = cg_default_generator();
    cg_generator_manual_seed(d, 0); /* the same generator as cg_manual_seed's */
    CHECK(cg_initial_seed() == 0 && cg_generator_initial_seed(NULL) == 0);
    CHECK(harness_values_close(cg_rand_gen(CG_FLOAT32, CG_SHAPE(3), d), (double[]){0.49625659, 0.76822180, 0.08847743}, 1e-7));
    unsigned char state[CG_GENERATOR_STATE_SIZE];
    CHECK(cg_generator_get_state(NULL, state, sizeof state) == 0);
    double first = cg_item(cg_randn(1));
    CHECK(cg_generator_set_state(d, state, sizeof state) == 0);
    CHECK(cg_item(cg_randn(1)) == first);
    cg_generator_free(d); /* ignored: the default generator lives as long as the program */
    CHECK(cg_generator_get_state(d, state, sizeof state - 1) == -1);
    CHECK_STR(cg_last_error(), "a generator's state needs 5056 bytes, got 5055");
    CHECK(cg_generator_get_state(d, NULL, sizeof state) == -1);
    /* 5048 bytes: PyTorch's legacy form (its float normal sample absent) */
    CHECK(cg_generator_set_state(d, state, 5048) == 0);
    CHECK(cg_item(cg_randn(1)) == first);
}

/* A state whose position (next) and draws left before the twist run past the 624 words: PyTorch
 * 1.13 accepts it and then reads beyond its array; cgrad refuses it and keeps its own state. */
static void test_state_past_the_array(void) {
    cg_generator *g = cg_generator_new(7);
    unsigned char state[CG_GENERATOR_STATE_SIZE], before[CG_GENERATOR_STATE_SIZE];
    CHECK(cg_generator_get_state(g, state, sizeof state) == 0);
    memcpy(before, state, sizeof state);
    uint32_t left = 624;
    uint64_t next = 600;
    memcpy(state + 8, &left, sizeof left);   /* little-endian, as PyTorch's struct on x86-64 */
    memcpy(state + 16, &next, sizeof next);
    CHECK_ERROR(cg_generator_set_state(g, state, sizeof state) == 0, "Invalid mt19937 state");
    CHECK(cg_generator_get_state(g, state, sizeof state) == 0 && !memcmp(state, before, sizeof state));
    left = 25; /* 24 draws read words 600..623: a consistent state */
    memcpy(state + 8, &left, sizeof left);
    memcpy(state + 16, &next, sizeof next);
    CHECK(cg_generator_set_state(g, state, sizeof state) == 0);
    CHECK(cg_rand_gen(CG_FLOAT32, CG_SHAPE(1000), g) != NULL);
    cg_generator_free(g);
}

int main(void) {
    RUN(test_golden);
    RUN(test_default_generator_object);
    RUN(test_state_past_the_array);
    HARNESS_END();
}
