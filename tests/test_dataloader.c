/* DataLoader batches and generator use against PyTorch 1.13 (tests/data/dataloader.txt, from
 * tools/gen_dataloader.py): the dataset is arange(n), so a batch's values are its sample indices. */
#include "harness.h"

#define DATA "tests/data/dataloader.txt"

/* The batch as its values, compared with the rest of the golden line "batch i j k ...". */
static bool batch_matches(cg_tensor *b, const char *line) {
    int64_t n = cg_numel(b), v[4096];
    if (n > 4096 || cg_copy_to(b, v, 4096, CG_INT64) != 0) return false;
    const char *p = line + strlen("batch");
    for (int64_t i = 0; i < n; i++) {
        char *end;
        long long want = strtoll(p, &end, 10);
        if (end == p || want != v[i]) return false;
        p = end;
    }
    return strspn(p, " \n") == strlen(p);
}

static void test_golden_batches(void) {
    FILE *f = fopen(DATA, "r");
    CHECK(f != NULL);
    if (!f) return;
    char line[65536];
    int cases = 0;
    while (fgets(line, sizeof line, f)) {
        long long n, bs, seed;
        int shuffle, drop_last, own, epochs;
        if (sscanf(line, "case %lld %lld %d %d %d %lld %d", &n, &bs, &shuffle, &drop_last, &own, &seed, &epochs) != 7)
            continue;
        cases++;
        cg_manual_seed((uint64_t)seed);
        cg_generator *g = own ? cg_generator_new((uint64_t)seed + 1) : NULL;
        cg_tensor *data = cg_arange(0, (double)n, 1, CG_INT64);
        cg_dataloader *dl = cg_dataloader_new(&data, 1, .batch_size = bs, .shuffle = shuffle, .drop_last = drop_last,
                                              .generator = g);
        CHECK_OK(dl);
        int64_t batches = 0;
        for (int e = 0; e < epochs && dl; e++) {
            CHECK(cg_dataloader_begin(dl) == 0);
            cg_tensor *b;
            int rc;
            batches = 0;
            while (fgets(line, sizeof line, f) && strncmp(line, "batch", 5) == 0) {
                rc = cg_dataloader_next(dl, &b);
                CHECK_MSG(rc == 1 && batch_matches(b, line), "case %d epoch %d: %s", cases, e, line);
                batches++;
            }
            CHECK_MSG(strncmp(line, "end", 3) == 0 && cg_dataloader_next(dl, &b) == 0, "case %d: too many batches", cases);
            CHECK(cg_dataloader_next(dl, &b) == 0);
            CHECK(batches == cg_dataloader_len(dl));
        }
        long long after = 0;
        CHECK(fgets(line, sizeof line, f) && sscanf(line, "after %lld", &after) == 1);
        cg_tensor *r = cg_randint(0, INT64_C(1) << 62, 1); /* one draw, as of shape () */
        int64_t got = -1;
        CHECK(cg_copy_to(r, &got, 1, CG_INT64) == 0 && got == after);
        cg_dataloader_free(dl);
        cg_generator_free(g);
    }
    fclose(f);
    CHECK(cases == 15);
}

/* Every tensor of the dataset comes in the batch, rows stacked as default_collate stacks them. */
static void test_collate_two_tensors(void) {
    cg_tensor *x = cg_reshape(cg_arange(0, 12, 1, CG_FLOAT32), 6, 2);
    cg_tensor *y = cg_tensor_i64(((int64_t[]){10, 11, 12, 13, 14, 15}), 6);
    cg_tensor *ts[] = {x, y};
    cg_dataloader *dl = cg_dataloader_new(ts, 2, .batch_size = 4);
    cg_tensor *b[2];
    CHECK(dl && cg_dataloader_begin(dl) == 0 && cg_dataloader_next(dl, b) == 1);
    CHECK(cg_ndim(b[0]) == 2 && cg_size(b[0], 0) == 4 && cg_size(b[0], 1) == 2 && cg_get_dtype(b[0]) == CG_FLOAT32);
    CHECK(harness_values_close(b[0], (double[]){0, 1, 2, 3, 4, 5, 6, 7}, 0));
    CHECK(harness_values_close(b[1], (double[]){10, 11, 12, 13}, 0));
    CHECK(cg_dataloader_next(dl, b) == 1 && harness_values_close(b[1], (double[]){14, 15}, 0));
    CHECK(cg_size(b[0], 0) == 2 && cg_dataloader_next(dl, b) == 0);
    cg_dataloader_free(dl);
}

static void test_bad_arguments(void) {
    cg_tensor *x = cg_zeros(4, 2), *y = cg_zeros(3);
    cg_tensor *ts[] = {x, y};
    CHECK_ERROR(cg_dataloader_new(ts, 2), "Size mismatch between tensors");
    CHECK_ERROR(cg_dataloader_new(ts, 0), "At least one tensor required");
    CHECK_ERROR(cg_dataloader_new(ts, 1, .batch_size = -2),
                "batch_size should be a positive integer value, but got batch_size=-2");
    cg_tensor *empty = cg_zeros(0, 3);
    CHECK_ERROR(cg_dataloader_new(&empty, 1, .shuffle = true),
                "num_samples should be a positive integer value, but got num_samples=0");
    CHECK(cg_last_error_kind() == CG_VALUE_ERROR);
    cg_dataloader *dl = cg_dataloader_new(&x, 1);
    cg_tensor *b;
    CHECK_ERROR(cg_dataloader_next(dl, &b) == 1, "DataLoader: cg_dataloader_begin starts an epoch before cg_dataloader_next");
    cg_dataloader_free(dl);
    cg_tensor *nothing = NULL;
    cg_clear_error();
    CHECK(cg_dataloader_new(&nothing, 1) == NULL && cg_last_error()[0] == 0);
}

int main(void) {
    RUN(test_golden_batches);
    RUN(test_collate_two_tensors);
    RUN(test_bad_arguments);
    HARNESS_END();
}
