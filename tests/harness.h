/* A tiny test harness: TEST functions run by RUN, checks that count a test as failed, and the
 * closing line "N passed, N failed" that CI reads. */
#ifndef CG_TEST_HARNESS_H
#define CG_TEST_HARNESS_H

#include "cgrad.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <stdbool.h>
#include <stdlib.h>

/* The Makefile gives each test its build directory; the default serves the -fsyntax-only checks. */
#ifndef CG_BUILD_DIR
#define CG_BUILD_DIR "build"
#endif

/* Valgrind runs a fused multiply-add as a multiply and a separate add or subtract, so an exact
 * cancellation can give -0 where the CPU (and PyTorch) gives +0: under valgrind, tests do not
 * compare the sign of a zero. */
static inline bool under_valgrind(void) {
    const char *preload = getenv("LD_PRELOAD");
    return preload && strstr(preload, "vgpreload");
}

static int harness_passed, harness_failed, harness_current_failed;
static const char *harness_current;

#define CHECK(cond)                                                                              \
    do {                                                                                         \
        if (!(cond)) {                                                                           \
            harness_current_failed = 1;                                                          \
            fprintf(stderr, "%s:%d: %s: check failed: %s\n", __FILE__, __LINE__, harness_current, \
                    #cond);                                                                      \
        }                                                                                        \
    } while (0)

#define CHECK_MSG(cond, ...)                                                                        \
    do {                                                                                            \
        if (!(cond)) {                                                                              \
            harness_current_failed = 1;                                                             \
            fprintf(stderr, "%s:%d: %s: check failed: %s: ", __FILE__, __LINE__, harness_current, #cond); \
            fprintf(stderr, __VA_ARGS__);                                                           \
            fputc('\n', stderr);                                                                    \
        }                                                                                           \
    } while (0)

#define CHECK_STR(actual, expected)                                                               \
    do {                                                                                          \
        const char *a_ = (actual), *e_ = (expected);                                              \
        CHECK_MSG(a_ && strcmp(a_, e_) == 0, "\n  got:      \"%s\"\n  expected: \"%s\"", a_ ? a_ : "(null)", e_); \
    } while (0)

#define CHECK_CLOSE(actual, expected, tol)                                                        \
    do {                                                                                          \
        double a_ = (actual), e_ = (expected);                                                    \
        CHECK_MSG(fabs(a_ - e_) <= (tol) * (1 + fabs(e_)) || (isnan(a_) && isnan(e_)),            \
                  "got %.17g, expected %.17g", a_, e_);                                           \
    } while (0)

/* The latest error as the golden files record PyTorch's exceptions: "IndexError: <message>". */
static inline const char *harness_error(void) {
    static char text[1200];
    snprintf(text, sizeof text, "%s: %s", cg_error_kind_name(cg_last_error_kind()), cg_last_error());
    return text;
}

/* Fails the test with the error text when t is NULL. */
#define CHECK_OK(t) CHECK_MSG((t) != NULL, "unexpected error: %s", cg_last_error())

/* An op that must fail with exactly this message. */
#define CHECK_ERROR(expr, message)                                                              \
    do {                                                                                        \
        cg_clear_error();                                                                       \
        CHECK_MSG(!(expr), "expected an error");                                                \
        CHECK_STR(cg_last_error(), message);                                                    \
    } while (0)

/* Each test runs in its own scope, so tests leave nothing behind. */
#define RUN(test)                                                        \
    do {                                                                 \
        harness_current = #test;                                         \
        harness_current_failed = 0;                                      \
        cg_scope_begin();                                                \
        test();                                                          \
        cg_scope_end();                                                  \
        if (harness_current_failed) harness_failed++; else harness_passed++; \
    } while (0)

#define HARNESS_END()                                                 \
    do {                                                              \
        printf("%d passed, %d failed\n", harness_passed, harness_failed); \
        return harness_failed ? 1 : 0;                                \
    } while (0)

/* Every element of t equals the expected doubles within tol (relative to magnitude). */
static inline int harness_values_close(const cg_tensor *t, const double *expected, double tol) {
    if (!t) return 0;
    cg_tensor *c = cg_contiguous(cg_to((cg_tensor *)t, CG_FLOAT64));
    if (!c) return 0;
    const double *v = cg_data_ptr(c);
    for (int64_t i = 0; i < cg_numel(c); i++) {
        double a = v[i], e = expected[i];
        if (isnan(a) && isnan(e)) continue;
        if (a == e) continue;
        if (!(fabs(a - e) <= tol * (1 + fabs(e)))) {
            fprintf(stderr, "  element %lld: got %.17g, expected %.17g\n", (long long)i, a, e);
            return 0;
        }
    }
    return 1;
}

/* a and b have the same dtype, sizes and bytes, element by element in logical order (golden bits). */
static inline bool harness_same_bits(const cg_tensor *a, const cg_tensor *b) {
    if (!a || !b || cg_get_dtype(a) != cg_get_dtype(b) || cg_ndim(a) != cg_ndim(b)) return false;
    for (int d = 0; d < cg_ndim(a); d++)
        if (cg_size(a, d) != cg_size(b, d)) return false;
    cg_tensor *ca = cg_contiguous((cg_tensor *)a), *cb = cg_contiguous((cg_tensor *)b);
    return ca && cb && !memcmp(cg_data_ptr(ca), cg_data_ptr(cb), (size_t)cg_numel(a) * cg_dtype_size(cg_get_dtype(a)));
}

#endif
