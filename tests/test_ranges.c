/* linspace and arange against PyTorch's bits (tests/data/ranges.txt from tools/gen_ranges.py):
 * float32, float64 and int64 over many (start, end, steps or step), with PyTorch's errors. */
#include "harness.h"
#include "golden.h"

#include <stdlib.h>

/* One golden line: 0 when cgrad gives the same values (bit for bit) or the same error. */
static int check_line(char *line) {
    char *cur = line;
    const char *op = golden_token(&cur), *dtype_name = golden_token(&cur);
    double start = strtod(golden_token(&cur), NULL), end = strtod(golden_token(&cur), NULL);
    const char *third = golden_token(&cur), *status = golden_token(&cur);
    cg_dtype dtype = golden_dtype(dtype_name);
    cg_clear_error();
    cg_tensor *t = !strcmp(op, "linspace") ? cg_linspace(start, end, atoll(third), dtype)
                                           : cg_arange(start, end, strtod(third, NULL), dtype);
    if (strcmp(status, "OK") != 0) {
        const char *message = cur + strspn(cur, " ");
        if (!t && !strcmp(cg_last_error(), message)) return 0;
        fprintf(stderr, "  expected error \"%s\", got %s\n", message, t ? "a tensor" : cg_last_error());
        return -1;
    }
    if (!t) {
        fprintf(stderr, "  unexpected error: %s\n", cg_last_error());
        return -1;
    }
    int64_t n = atoll(golden_token(&cur));
    if (cg_get_dtype(t) != dtype || cg_ndim(t) != 1 || cg_numel(t) != n) {
        fprintf(stderr, "  got %lld elements of %s\n", (long long)cg_numel(t), cg_dtype_name(cg_get_dtype(t)));
        return -1;
    }
    const char *data = cg_data_ptr(t);
    for (int64_t i = 0; i < n; i++) {
        const char *tok = golden_token(&cur);
        bool same = dtype == CG_FLOAT32   ? ((const float *)data)[i] == strtof(tok, NULL) &&
                                              signbit(((const float *)data)[i]) == signbit(strtof(tok, NULL))
                    : dtype == CG_FLOAT64 ? ((const double *)data)[i] == strtod(tok, NULL) &&
                                              signbit(((const double *)data)[i]) == signbit(strtod(tok, NULL))
                    : dtype == CG_INT64   ? ((const int64_t *)data)[i] == strtoll(tok, NULL, 10)
                                          : ((const bool *)data)[i] == (atoi(tok) != 0);
        if (!same) {
            double got = 0;
            cg_get_at(t, 1, &i, &got);
            fprintf(stderr, "  element %lld: got %a, expected %s\n", (long long)i, got, tok);
            return -1;
        }
    }
    return 0;
}

static void test_golden_ranges(void) {
    int bad, cases = golden_check_lines("tests/data/ranges.txt", check_line, 20, &bad);
    CHECK_MSG(bad == 0, "%d of %d lines differ", bad, cases);
    CHECK(cases > 3000);
}

int main(void) {
    RUN(test_golden_ranges);
    HARNESS_END();
}
