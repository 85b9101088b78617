/* Scenario tests: C functions that print what a twin Python function prints under PyTorch. The
 * generator writes the Python output as sections "## name" of a golden file; run_scenarios runs each
 * C function with its printing captured and compares the two. */
#ifndef CG_TEST_SCENARIOS_H
#define CG_TEST_SCENARIOS_H

#include "harness.h"

#include <stdlib.h>

typedef struct {
    const char *name;
    void (*run)(void);
} scenario;

/* Where a scenario prints: run_scenarios captures it. */
static FILE *out;

static inline void show(const cg_tensor *t) { cg_fprint(out, t); }

/* Python's print(a, b, ...) of tensors (NULL prints None). */
static inline void show_n(int n, cg_tensor **ts) {
    for (int i = 0; i < n; i++) {
        char text[4096];
        cg_format(ts[i], text, sizeof text);
        fprintf(out, "%s%s", text, i + 1 < n ? " " : "\n");
    }
}
#define SHOW(...) show_n(CG_NARGS(__VA_ARGS__), (cg_tensor *[]){__VA_ARGS__})

static inline cg_tensor *leaf(cg_tensor *t) { return cg_requires_grad_(t, true); }

/* The text of section "## name" of the golden file at path (malloc'd), or NULL. */
static inline char *golden_section(const char *path, const char *name) {
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    char *line = NULL, *result = NULL;
    size_t cap = 0, size = 0;
    FILE *collected = NULL;
    while (getline(&line, &cap, f) >= 0) {
        if (!strncmp(line, "## ", 3)) {
            if (collected) break;
            line[strcspn(line, "\n")] = '\0';
            if (!strcmp(line + 3, name)) collected = open_memstream(&result, &size);
            continue;
        }
        if (collected) fputs(line, collected);
    }
    if (collected) fclose(collected);
    free(line);
    fclose(f);
    return result;
}

/* A printed output with the sign of every zero dropped and the spaces that align columns removed:
 * what is compared under valgrind, whose fused multiply-adds get the sign of a zero wrong. */
static inline void drop_zero_signs(char *text) {
    char *w = text;
    for (const char *r = text; *r; r++) {
        if (*r == ' ') continue;
        if (*r == '-' && r[1] == '0' && r[2] == '.') {
            const char *d = r + 3;
            while (*d == '0') d++;
            if (*d < '1' || *d > '9') continue;
        }
        *w++ = *r;
    }
    *w = '\0';
}

/* Runs each scenario in its own scope with out capturing what it prints, and checks the output
 * against the golden file's section of the same name. */
static inline void run_scenarios(const scenario *scenarios, size_t n, const char *path) {
    for (size_t i = 0; i < n; i++) {
        char *got = NULL, *want = golden_section(path, scenarios[i].name);
        size_t size = 0;
        out = open_memstream(&got, &size);
        CG_SCOPE { scenarios[i].run(); }
        fclose(out);
        if (want && under_valgrind()) {
            drop_zero_signs(got);
            drop_zero_signs(want);
        }
        CHECK_MSG(want && !strcmp(got, want), "scenario %s:\n--- got\n%s--- expected\n%s", scenarios[i].name, got,
                  want ? want : "(missing)\n");
        free(got);
        free(want);
    }
}

#endif
