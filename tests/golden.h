/* Reading golden data written by tools/gen_*.py with real PyTorch.
 *
 * A golden file is lines of whitespace-separated tokens; '#' starts a comment line. A tensor is
 * written as:  <dtype> <ndim> <size>... <value>...   (values as Python repr: nan, inf, -inf allowed;
 * bools as 0/1). golden_next_line() yields one line at a time; golden_tensor() parses a tensor from
 * a cursor into that line and advances it. */
#ifndef CG_TEST_GOLDEN_H
#define CG_TEST_GOLDEN_H

#include "cgrad.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    FILE *f;
    char *line;
    size_t cap;
} golden_file;

static inline int golden_open(golden_file *g, const char *path) {
    g->f = fopen(path, "r");
    g->line = NULL;
    g->cap = 0;
    if (!g->f) fprintf(stderr, "cannot open golden file %s (run tests from the repository root)\n", path);
    return g->f ? 0 : -1;
}

static inline void golden_close(golden_file *g) {
    if (g->f) fclose(g->f);
    free(g->line);
}

/* The next non-comment line (without its newline), or NULL at the end. */
static inline char *golden_next_line(golden_file *g) {
    for (;;) {
        ssize_t n = getline(&g->line, &g->cap, g->f);
        if (n < 0) return NULL;
        if (n && g->line[n - 1] == '\n') g->line[--n] = '\0';
        if (g->line[0] != '#') return g->line;
    }
}

/* Runs check on every line of the file at path, each in a scope of its own, and reports the first
 * max_reported failing lines with their line numbers (the generators write one comment line
 * first). Returns how many lines ran (-1 when the file cannot be opened); *bad gets how many
 * failed. */
static inline int golden_check_lines(const char *path, int (*check)(char *line), int max_reported, int *bad) {
    golden_file g;
    *bad = 0;
    if (golden_open(&g, path) < 0) return -1;
    int cases = 0;
    for (char *line; (line = golden_next_line(&g)); cases++) {
        char head[160];
        snprintf(head, sizeof head, "%s", line); /* check tokenizes line */
        cg_scope_begin();
        if (check(line) < 0 && (*bad)++ < max_reported) fprintf(stderr, "%s:%d: %.150s\n", path, cases + 2, head);
        cg_scope_end();
    }
    golden_close(&g);
    return cases;
}

static inline char *golden_token(char **cursor) {
    char *s = *cursor + strspn(*cursor, " \t");
    if (!*s) return NULL;
    char *end = s + strcspn(s, " \t");
    if (*end) *end++ = '\0';
    *cursor = end;
    return s;
}

static inline cg_dtype golden_dtype(const char *name) {
    if (!strcmp(name, "float64")) return CG_FLOAT64;
    if (!strcmp(name, "int64")) return CG_INT64;
    if (!strcmp(name, "bool")) return CG_BOOL;
    return CG_FLOAT32;
}

/* A tensor parsed from the cursor (registered in the current scope), or NULL on a malformed line. */
static inline cg_tensor *golden_tensor(char **cursor) {
    char *tok = golden_token(cursor);
    if (!tok) return NULL;
    cg_dtype dtype = golden_dtype(tok);
    tok = golden_token(cursor);
    if (!tok) return NULL;
    int ndim = atoi(tok);
    int64_t sizes[CG_MAX_DIMS];
    for (int d = 0; d < ndim; d++) {
        tok = golden_token(cursor);
        if (!tok) return NULL;
        sizes[d] = atoll(tok);
    }
    cg_tensor *t = cg_empty_shape(dtype, ndim, sizes);
    if (!t) return NULL;
    char *data = cg_data_ptr(t);
    size_t elsize = cg_dtype_size(dtype);
    for (int64_t i = 0; i < cg_numel(t); i++) {
        tok = golden_token(cursor);
        if (!tok) return NULL;
        char *at = data + (size_t)i * elsize;
        switch (dtype) {
        case CG_FLOAT32: *(float *)at = strtof(tok, NULL); break;
        case CG_FLOAT64: *(double *)at = strtod(tok, NULL); break;
        case CG_INT64: *(int64_t *)at = strtoll(tok, NULL, 10); break;
        case CG_BOOL: *(bool *)at = atoi(tok) != 0; break;
        }
    }
    return t;
}

/* A Python number written so that its kind shows, read as the C value of that kind and passed
 * through CG_NUMBER (so the _Generic dispatch is what is tested): "None" clamp's CG_NO_BOUND,
 * "True"/"False" a bool, repr(float)
 * ("2.0", "inf", "nan", "1e+30") a double, digits an int64_t, or an unsigned long long above
 * int64's range. Numbers may be comma-separated: the cursor moves past one comma. */
static inline cg_number golden_number(char **cursor) {
    char *s = *cursor;
    size_t len = strcspn(s, ", \n");
    cg_number n;
    if (!strncmp(s, "None", 4)) {
        n = CG_NO_BOUND;
    } else if (!strncmp(s, "True", 4) || !strncmp(s, "False", 5)) {
        bool b = s[0] == 'T';
        n = CG_NUMBER(b);
    } else if (strcspn(s, ".eEn") < len) {
        double f = strtod(s, NULL);
        n = CG_NUMBER(f);
    } else if (s[0] != '-' && strtoull(s, NULL, 10) > (unsigned long long)INT64_MAX) {
        unsigned long long u = strtoull(s, NULL, 10);
        n = CG_NUMBER(u);
    } else {
        int64_t i = strtoll(s, NULL, 10);
        n = CG_NUMBER(i);
    }
    *cursor = s + len + (s[len] == ',');
    return n;
}

/* Same shape, dtype and values within tol (relative, or absolute below 1); NaN matches NaN. */
static inline bool golden_close_values(cg_tensor *got, cg_tensor *expected, double tol, bool *exact) {
    if (!got || !expected || cg_numel(got) != cg_numel(expected) || cg_ndim(got) != cg_ndim(expected) ||
        cg_get_dtype(got) != cg_get_dtype(expected))
        return false;
    for (int d = 0; d < cg_ndim(got); d++)
        if (cg_size(got, d) != cg_size(expected, d)) return false;
    cg_tensor *a = cg_contiguous(cg_to(got, CG_FLOAT64)), *e = cg_contiguous(cg_to(expected, CG_FLOAT64));
    if (!a || !e) return false;
    const double *av = cg_data_ptr(a), *ev = cg_data_ptr(e);
    for (int64_t i = 0; i < cg_numel(a); i++) {
        if (av[i] == ev[i] || (isnan(av[i]) && isnan(ev[i]))) continue;
        *exact = false;
        if (!(fabs(av[i] - ev[i]) <= tol * fmax(1, fabs(ev[i])))) return false;
    }
    return true;
}

/* A tensor, or NULL for "-" (not given). */
static inline cg_tensor *golden_optional_tensor(char **cur, bool *bad) {
    char *s = *cur + strspn(*cur, " \t");
    if (s[0] == '-' && (s[1] == ' ' || s[1] == '\0')) {
        *cur = s + 1;
        return NULL;
    }
    cg_tensor *t = golden_tensor(cur);
    if (!t) *bad = true;
    return t;
}

#endif
