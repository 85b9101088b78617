/* PyTorch's OpInfo samples through cgrad: every adapter line of tests/opinfo/<family>.c runs its
 * op on the samples tools/gen_opinfo.py recorded from PyTorch 1.13 (tests/data/opinfo/), and
 * compares outputs (bits, or the line's tolerance), gradients of the recorded cotangent and the
 * error inputs' exception kind and message. Prints `opinfo_covered N/485` (an OpInfo name is
 * covered when each of its entries has an adapter whose samples all pass, and at least one ran)
 * and the names that are not. OPINFO_OP=name runs that op alone and prints every mismatch. */
#include "harness.h"
#include "opinfo/opinfo.h"

#include <stdarg.h>

/* Each family's table, in its own file so engineers adding ops do not touch the same lines. */
#include "opinfo/core.c"
#include "opinfo/elem.c"
#include "opinfo/reduce.c"
#include "opinfo/shape.c"
#include "opinfo/linalg.c"
#include "opinfo/products.c"
#include "opinfo/nn.c"
#include "opinfo/index.c"

static const oi_entry *const tables[] = {oi_core, oi_elem, oi_reduce, oi_shape, oi_linalg, oi_products, oi_nn, oi_index};

#define DATA_DIR "tests/data/opinfo/"

#include "blas_core.h"

/* Where values cannot be PyTorch's bits (another BLAS kernel, no SLEEF): within these. */
#define OI_BLAS_TOL_F32 1e-5
#define OI_BLAS_TOL_F64 1e-12
#define OI_LAPACK_TOL_F32 1e-4
#define OI_LAPACK_TOL_F64 1e-9
static bool same_blas, have_sleef, have_dnnl;

/* Whether this run's OpenBLAS kernels are the golden data's (ops.txt's first line). */
static void read_blas_line(void) {
#ifdef CG_HAVE_SLEEF
    have_sleef = true;
#endif
#ifdef CG_HAVE_DNNL
    have_dnnl = !under_valgrind();
#endif
    same_blas = golden_same_blas(DATA_DIR "ops.txt");
}

/* ---- the golden file ------------------------------------------------------------------------ */

typedef struct {
    char *buf, *p, *end;
    bool bad;
} reader;

static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) buf[n] = '\0';
    *len = (size_t)n;
    return buf;
}

/* The next whitespace-separated token, NUL-terminated in place ("" at the end). */
static char *token(reader *r) {
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\n' || *r->p == '\t')) r->p++;
    if (r->p >= r->end) {
        r->bad = true;
        return "";
    }
    char *t = r->p;
    while (r->p < r->end && *r->p != ' ' && *r->p != '\n' && *r->p != '\t') r->p++;
    if (r->p < r->end) *r->p++ = '\0';
    return t;
}

static int64_t int_token(reader *r) { return strtoll(token(r), NULL, 10); }

/* A string: its length, one space (already consumed by token()) and the bytes. */
static char *string_value(reader *r) {
    int64_t len = int_token(r);
    if (len < 0 || r->p + len > r->end) {
        r->bad = true;
        len = 0;
    }
    char *s = malloc((size_t)len + 1);
    memcpy(s, r->p, (size_t)len);
    s[len] = '\0';
    r->p += len;
    return s;
}

static uint64_t hex_token(reader *r) { return strtoull(token(r), NULL, 16); }

static void parse_value(reader *r, oi_value *v);

static void parse_tensor(reader *r, oi_value *v) {
    v->kind = OI_TENSOR;
    snprintf(v->dtype, sizeof v->dtype, "%s", token(r));
    v->requires_grad = int_token(r) != 0;
    v->ndim = (int)int_token(r);
    if (v->ndim < 0) {
        r->bad = true;
        return;
    }
    /* More dims than sizes[] holds (an error input's 65-dim tensor): read past, never made. */
    bool too_many = v->ndim > 16;
    v->numel = 1;
    for (int d = 0; d < v->ndim; d++) {
        int64_t size = int_token(r);
        v->numel *= size;
        if (!too_many) v->sizes[d] = size;
    }
    cg_dtype dt = CG_FLOAT32;
    bool known = !too_many && oi_dtype_of(v->dtype, &dt) == 0;
    if (known) v->data = malloc((size_t)(v->numel ? v->numel : 1) * cg_dtype_size(dt));
    for (int64_t k = 0; k < v->numel && !r->bad; k++) {
        if (!known) {
            token(r);
        } else if (dt == CG_FLOAT32) {
            uint32_t bits = (uint32_t)hex_token(r);
            memcpy((float *)v->data + k, &bits, 4);
        } else if (dt == CG_FLOAT64) {
            uint64_t bits = hex_token(r);
            memcpy((double *)v->data + k, &bits, 8);
        } else if (dt == CG_INT64) {
            ((int64_t *)v->data)[k] = int_token(r);
        } else {
            ((bool *)v->data)[k] = int_token(r) != 0;
        }
    }
}

static void parse_value(reader *r, oi_value *v) {
    memset(v, 0, sizeof *v);
    char *kind = token(r);
    switch (kind[0]) {
    case 'T': parse_tensor(r, v); break;
    case 'F': {
        v->kind = OI_FLOAT;
        uint64_t bits = hex_token(r);
        memcpy(&v->f, &bits, 8);
        break;
    }
    case 'I': v->kind = OI_INT; v->i = int_token(r); break;
    case 'B': v->kind = OI_BOOL; v->i = int_token(r); break;
    case 'N': v->kind = OI_NONE; break;
    case 'S': v->kind = OI_STR; v->s = string_value(r); break;
    case 'X': v->kind = OI_OTHER; v->s = string_value(r); break;
    case 'D': v->kind = OI_DTYPE; snprintf(v->dtype, sizeof v->dtype, "%s", token(r)); break;
    case 'L':
        v->kind = OI_LIST;
        v->n = (int)int_token(r);
        if (v->n < 0 || v->n > 100000) {
            r->bad = true;
            v->n = 0;
        }
        v->items = calloc((size_t)v->n + 1, sizeof *v->items);
        for (int k = 0; k < v->n && !r->bad; k++) parse_value(r, &v->items[k]);
        break;
    default: r->bad = true;
    }
}

static void free_value(oi_value *v) {
    free(v->data);
    free(v->s);
    for (int k = 0; k < v->n; k++) free_value(&v->items[k]);
    free(v->items);
}

static bool expect(reader *r, const char *word) {
    if (strcmp(token(r), word)) r->bad = true;
    return !r->bad;
}

/* input, args, kwargs of a sample or an error input. */
static void parse_call(reader *r, oi_sample *s) {
    expect(r, "input");
    parse_value(r, &s->input);
    expect(r, "args");
    s->nargs = (int)int_token(r);
    s->args = calloc((size_t)s->nargs + 1, sizeof *s->args);
    for (int k = 0; k < s->nargs && !r->bad; k++) parse_value(r, &s->args[k]);
    expect(r, "kwargs");
    s->nkw = (int)int_token(r);
    s->kwvals = calloc((size_t)s->nkw + 1, sizeof *s->kwvals);
    s->keys = calloc((size_t)s->nkw + 1, sizeof *s->keys);
    for (int k = 0; k < s->nkw && !r->bad; k++) {
        s->keys[k] = strdup(token(r));
        parse_value(r, &s->kwvals[k]);
    }
}

static void free_sample(oi_sample *s) {
    free_value(&s->input);
    for (int k = 0; k < s->nargs; k++) free_value(&s->args[k]);
    for (int k = 0; k < s->nkw; k++) {
        free_value(&s->kwvals[k]);
        free(s->keys[k]);
    }
    free_value(&s->out);
    free_value(&s->cot);
    for (int k = 0; k < s->ngrads; k++) free_value(&s->grads[k]);
    free(s->args);
    free(s->kwvals);
    free(s->keys);
    free(s->grads);
    free(s->raises);
    free(s->message);
    memset(s, 0, sizeof *s);
}

/* ---- running one sample --------------------------------------------------------------------- */

typedef struct {
    int passed, failed, skipped, shown, grads_inexact;
    bool quiet;  /* a known failure: no mismatch lines */
    const char *file_skip;
    bool verbose;
    const char *first_skip;
    char first_failure[512];
} tally;

/* Makes the cg tensors of a sample's values (depth first: input, args, kwargs); collects those
 * that require grad, in that order, into wrt. */
static bool make_tensors(oi_value *v, cg_tensor **wrt, int *nwrt, int max) {
    if (v->kind == OI_LIST) {
        for (int k = 0; k < v->n; k++)
            if (!make_tensors(&v->items[k], wrt, nwrt, max)) return false;
        return true;
    }
    if (v->kind != OI_TENSOR) return true;
    cg_dtype dt;
    if (v->data && v->ndim <= CG_MAX_DIMS && oi_dtype_of(v->dtype, &dt) == 0) {
        cg_tensor_args a = {.data = v->data, .dtype = dt, .ndim = v->ndim, .requires_grad = v->requires_grad};
        memcpy(a.sizes, v->sizes, sizeof(int64_t) * (size_t)v->ndim);
        v->t = cg_tensor_opts(a);
    }
    if (v->requires_grad) {
        if (*nwrt == max) return false;
        wrt[(*nwrt)++] = v->t;
    }
    return true;
}

/* The leaves of a value tree (tensors, numbers, None), in order. */
static int flatten(const oi_value *v, const oi_value **out, int n, int max) {
    if (v->kind == OI_LIST) {
        for (int k = 0; k < v->n; k++) n = flatten(&v->items[k], out, n, max);
        return n;
    }
    if (n < max) out[n] = v;
    return n + 1;
}

static void fail(tally *t, const char *entry, const oi_sample *s, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void fail(tally *t, const char *entry, const oi_sample *s, const char *fmt, ...) {
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (!t->first_failure[0])
        snprintf(t->first_failure, sizeof t->first_failure, "%s #%d: %s", s->is_error ? "error input" : s->dtype,
                 s->index, msg);
    if (t->verbose || (t->shown < 2 && !t->quiet))
        fprintf(stderr, "opinfo %s: %s %s%d: %s\n", entry, s->is_error ? "error input" : s->dtype,
                s->is_error ? "" : "sample ", s->index, msg);
    t->shown++;
}

static bool same_float(double got, double want, double tol, bool f32) {
    if (isnan(got) && isnan(want)) return true;
    if (tol > 0) return got == want || fabs(got - want) <= tol * (1 + fabs(want));
    if (got == 0 && want == 0 && under_valgrind()) return true;
    if (f32) {
        float a = (float)got, b = (float)want;
        return !memcmp(&a, &b, 4);
    }
    return !memcmp(&got, &want, 8);
}

static const char *cg_short_dtype(cg_dtype d) {
    return d == CG_FLOAT32 ? "f32" : d == CG_FLOAT64 ? "f64" : d == CG_INT64 ? "i64" : "b";
}

/* got against the recorded want: kind, dtype, sizes and every element. NULL when equal, else what
 * differs (in buf). */
static const char *compare(cg_tensor *got, const oi_value *want, double tol, char *buf, size_t len) {
    if (!got) return "no tensor";
    if (want->kind == OI_BOOL || want->kind == OI_INT || want->kind == OI_FLOAT) {
        if (cg_numel(got) != 1) return "a number expected";
        double g = cg_item(got), w = want->kind == OI_FLOAT ? want->f : (double)want->i;
        if (!same_float(g, w, tol, false)) {
            snprintf(buf, len, "got %.17g, expected %.17g", g, w);
            return buf;
        }
        return NULL;
    }
    if (want->kind != OI_TENSOR) return "PyTorch's result is not a tensor";
    cg_dtype dt = cg_get_dtype(got);
    if (strcmp(cg_short_dtype(dt), want->dtype)) {
        snprintf(buf, len, "dtype %s, expected %s", cg_short_dtype(dt), want->dtype);
        return buf;
    }
    bool shape_ok = cg_ndim(got) == want->ndim;
    for (int d = 0; shape_ok && d < want->ndim; d++) shape_ok = cg_size(got, d) == want->sizes[d];
    if (!shape_ok) {
        int n = snprintf(buf, len, "shape (");
        for (int d = 0; d < cg_ndim(got); d++) n += snprintf(buf + n, len - (size_t)n, "%s%lld", d ? "," : "", (long long)cg_size(got, d));
        n += snprintf(buf + n, len - (size_t)n, "), expected (");
        for (int d = 0; d < want->ndim; d++) n += snprintf(buf + n, len - (size_t)n, "%s%lld", d ? "," : "", (long long)want->sizes[d]);
        snprintf(buf + n, len - (size_t)n, ")");
        return buf;
    }
    cg_tensor *c = cg_contiguous(got);
    if (!c) return "cannot read the result";
    const void *p = cg_data_ptr(c);
    for (int64_t k = 0; k < want->numel; k++) {
        bool ok;
        double g, w;
        if (dt == CG_FLOAT32) {
            g = ((const float *)p)[k], w = ((const float *)want->data)[k];
            ok = same_float(g, w, tol, true);
        } else if (dt == CG_FLOAT64) {
            g = ((const double *)p)[k], w = ((const double *)want->data)[k];
            ok = same_float(g, w, tol, false);
        } else if (dt == CG_INT64) {
            g = (double)((const int64_t *)p)[k], w = (double)((const int64_t *)want->data)[k];
            ok = ((const int64_t *)p)[k] == ((const int64_t *)want->data)[k];
        } else {
            g = ((const bool *)p)[k], w = ((const bool *)want->data)[k];
            ok = g == w;
        }
        if (!ok) {
            snprintf(buf, len, "element %lld: got %.17g, expected %.17g", (long long)k, g, w);
            return buf;
        }
    }
    return NULL;
}

static bool all_zero(cg_tensor *t) {
    cg_tensor *n = cg_sum(cg_ne_scalar(t, 0));
    return n && cg_item(n) == 0;
}

#define MAX_LEAVES 64
/* Gradients are compared bit for bit for the count of exact ones, and pass within these (relative
 * to 1 + |PyTorch's|) unless the entry's gtol says otherwise: a backward composed of other ops
 * rounds differently from PyTorch's fused formula. */
#define GRAD_TOL_F32 1e-5
#define GRAD_TOL_F64 1e-12

/* The gradients of the recorded cotangent against PyTorch's. */
static void check_grads(tally *t, const oi_entry *e, const oi_sample *s, cg_tensor **outs, int nout,
                        cg_tensor **wrt, int nwrt) {
    const oi_value *cots[OI_MAX_OUT];
    int ncot = flatten(&s->cot, cots, 0, OI_MAX_OUT);
    if (s->ngrads == 0 || ncot != nout) return;  /* PyTorch's backward failed, or no cotangent */
    cg_tensor *ys[OI_MAX_OUT], *vs[OI_MAX_OUT], *res[MAX_LEAVES] = {0};
    int ny = 0;
    for (int k = 0; k < nout; k++) {
        if (cots[k]->kind != OI_TENSOR) continue;
        if (!cg_requires_grad(outs[k])) {
            fail(t, e->name, s, "output %d does not require grad (PyTorch's does)", k);
            return;
        }
        cg_dtype dt = CG_FLOAT32;
        oi_dtype_of(cots[k]->dtype, &dt);
        cg_tensor_args a = {.data = cots[k]->data, .dtype = dt, .ndim = cots[k]->ndim};
        memcpy(a.sizes, cots[k]->sizes, sizeof(int64_t) * (size_t)cots[k]->ndim);
        ys[ny] = outs[k];
        vs[ny++] = cg_tensor_opts(a);
    }
    if (ny == 0 || nwrt != s->ngrads) {
        if (nwrt != s->ngrads) fail(t, e->name, s, "%d inputs require grad, PyTorch's %d", nwrt, s->ngrads);
        return;
    }
    cg_clear_error();
    if (cg_autograd_grad(.outputs = {ys, ny}, .inputs = {wrt, nwrt}, .results = res, .grad_outputs = {vs, ny},
                         .allow_unused = true) < 0) {
        fail(t, e->name, s, "backward failed: %s", cg_last_error());
        return;
    }
    char buf[200];
    for (int k = 0; k < nwrt; k++) {
        const oi_value *want = &s->grads[k];
        if (want->kind != OI_TENSOR) {
            if (res[k] && !all_zero(res[k])) fail(t, e->name, s, "gradient %d: PyTorch has none", k);
            continue;
        }
        double tol = e->gtol ? e->gtol : !strcmp(want->dtype, "f32") ? GRAD_TOL_F32 : GRAD_TOL_F64;
        if (compare(res[k], want, 0, buf, sizeof buf)) {
            t->grads_inexact++;
            const char *why = compare(res[k], want, tol, buf, sizeof buf);
            if (why) fail(t, e->name, s, "gradient %d: %s", k, why);
        }
    }
}

static bool all_read(oi_call *c) {
    for (int k = 0; k < c->s->nargs; k++)
        if (k >= 32 || !(c->used_args >> k & 1)) return false;
    for (int k = 0; k < c->s->nkw; k++)
        if (k >= 32 || !(c->used_kw >> k & 1)) return false;
    return true;
}

static bool input_usable(const oi_value *v) {
    return v->kind != OI_TENSOR || v->t;
}

static void run_sample(tally *t, const oi_entry *e, oi_sample *s) {
    int failed_before = t->shown;
    cg_scope_begin();
    cg_tensor *wrt[MAX_LEAVES];
    int nwrt = 0;
    bool ok = make_tensors(&s->input, wrt, &nwrt, MAX_LEAVES);
    for (int k = 0; ok && k < s->nargs; k++) ok = make_tensors(&s->args[k], wrt, &nwrt, MAX_LEAVES);
    for (int k = 0; ok && k < s->nkw; k++) ok = make_tensors(&s->kwvals[k], wrt, &nwrt, MAX_LEAVES);
    oi_call c = {.s = s, .input = s->input.kind == OI_TENSOR ? s->input.t : NULL};
    int n = OI_SKIP;
    if (!ok) oi_skip(&c, "too many tensors");
    else if (!input_usable(&s->input)) oi_skip(&c, "input dtype cgrad lacks");
    else {
        cg_clear_error();
        n = e->fn(&c);
        if (n != OI_SKIP && !all_read(&c)) n = oi_skip(&c, "an argument the adapter does not take");
        /* A NULL argument fails without a message: a value the C API has no form for (Python's
         * TypeError for an int where a tensor goes, ...). */
        if (n == -1 && !cg_last_error()[0]) n = oi_skip(&c, "an argument cgrad's C API cannot take");
    }
    if (n == OI_SKIP) {
        t->skipped++;
        if (!t->first_skip) t->first_skip = c.skip_reason;
        if (t->verbose) fprintf(stderr, "opinfo %s: %s %d skipped: %s\n", e->name, s->is_error ? "error" : s->dtype, s->index, c.skip_reason);
    } else if (s->is_error) {
        if (n >= 0) {
            fail(t, e->name, s, "cgrad succeeded; PyTorch raises %s: %s", s->raises, s->message);
        } else if (strcmp(cg_error_kind_name(cg_last_error_kind()), s->raises) || strcmp(cg_last_error(), s->message)) {
            fail(t, e->name, s, "\n  got:      %s: %s\n  expected: %s: %s", cg_error_kind_name(cg_last_error_kind()),
                 cg_last_error(), s->raises, s->message);
        }
    } else if (n < 0) {
        fail(t, e->name, s, "cgrad failed: %s: %s", cg_error_kind_name(cg_last_error_kind()), cg_last_error());
    } else {
        const oi_value *want[OI_MAX_OUT];
        int nwant = flatten(&s->out, want, 0, OI_MAX_OUT);
        char buf[200];
        if (nwant != n) {
            fail(t, e->name, s, "%d results, PyTorch's %d", n, nwant);
        } else {
            for (int k = 0; k < n; k++) {
                double tol = e->tol;
                if (!tol && ((e->blas && !same_blas) || (e->sleef && !have_sleef) || (e->dnnl && !have_dnnl)))
                    tol = !strcmp(s->dtype, "f32") ? OI_BLAS_TOL_F32 : OI_BLAS_TOL_F64;
                if (e->lapack) tol = !strcmp(s->dtype, "f32") ? OI_LAPACK_TOL_F32 : OI_LAPACK_TOL_F64;
                const char *why = compare(c.out[k], want[k], tol, buf, sizeof buf);
                if (why) fail(t, e->name, s, "result %d: %s", k, why);
            }
            if (t->shown == failed_before) check_grads(t, e, s, c.out, n, wrt, nwrt);
        }
    }
    cg_scope_end();
    if (n != OI_SKIP) {
        if (t->shown == failed_before) t->passed++;
        else t->failed++;
    }
}

/* Runs every sample of an entry's golden file. -1 when the file is missing or unreadable. */
static int run_entry(const oi_entry *e, tally *t) {
    char path[300];
    snprintf(path, sizeof path, DATA_DIR "%s%s%s.txt", e->name, e->variant[0] ? "." : "", e->variant);
    size_t len;
    char *buf = read_file(path, &len);
    if (!buf) return -1;
    reader r = {buf, buf, buf + len, false};
    while (!r.bad) {
        while (r.p < r.end && (*r.p == ' ' || *r.p == '\n')) r.p++;
        if (r.p >= r.end) break;
        if (*r.p == '#') {
            while (r.p < r.end && *r.p != '\n') r.p++;
            continue;
        }
        char *word = token(&r);
        oi_sample s = {0};
        if (!strcmp(word, "skipped")) {
            int_token(&r);
            expect(&r, "S");
            char *why = string_value(&r);
            if (!t->file_skip) t->file_skip = !strcmp(why, "large") ? "every sample over the generator's size cap"
                                            : !strcmp(why, "cap") ? NULL : "PyTorch refuses its samples";
            free(why);
            continue;
        }
        if (!strcmp(word, "sample")) {
            snprintf(s.dtype, sizeof s.dtype, "%s", token(&r));
            s.index = (int)int_token(&r);
            parse_call(&r, &s);
            expect(&r, "out");
            parse_value(&r, &s.out);
            expect(&r, "cot");
            parse_value(&r, &s.cot);
            expect(&r, "grads");
            s.ngrads = (int)int_token(&r);
            s.grads = calloc((size_t)s.ngrads + 1, sizeof *s.grads);
            for (int k = 0; k < s.ngrads && !r.bad; k++) parse_value(&r, &s.grads[k]);
        } else if (!strcmp(word, "error")) {
            s.is_error = true;
            s.index = (int)int_token(&r);
            parse_call(&r, &s);
            expect(&r, "raises");
            s.raises = strdup(token(&r));
            expect(&r, "S");
            s.message = string_value(&r);
        } else {
            r.bad = true;
        }
        if (expect(&r, "end")) run_sample(t, e, &s);
        free_sample(&s);
    }
    free(buf);
    return r.bad ? -1 : 0;
}

/* ---- the OpInfo list and coverage ----------------------------------------------------------- */

typedef struct {
    char name[64], variant[64];
    bool covered;
    const char *why;  /* when not covered */
} op_row;

static int read_ops(op_row **rows) {
    size_t len;
    char *buf = read_file(DATA_DIR "ops.txt", &len);
    if (!buf) return -1;
    int n = 0, cap = 1024;
    *rows = calloc((size_t)cap, sizeof **rows);
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] == '#' || n == cap) continue;
        op_row *o = &(*rows)[n];
        if (sscanf(line, "%63s %63s", o->name, o->variant) != 2) continue;
        if (!strcmp(o->variant, "-")) o->variant[0] = '\0';
        o->why = "no adapter";
        n++;
    }
    free(buf);
    return n;
}

static void quiet(const char *message, void *user) {
    (void)message, (void)user;
}

int main(void) {
    const char *only = getenv("OPINFO_OP");
    read_blas_line();
    cg_set_warning_handler(quiet, NULL);  /* PyTorch's warnings are not recorded, so not compared */
    op_row *ops = NULL;
    int nops = read_ops(&ops);
    harness_current = "ops.txt";
    if (nops < 0) {
        CHECK_MSG(false, "cannot read " DATA_DIR "ops.txt");
        HARNESS_END();
    }
    static char reasons[1024][600];
    int nreasons = 0, samples[4] = {0};
    for (size_t ti = 0; ti < sizeof tables / sizeof *tables; ti++) {
        for (const oi_entry *e = tables[ti]; e->name; e++) {
            if (only && strcmp(only, e->name)) continue;
            op_row *row = NULL;
            for (int k = 0; k < nops && !row; k++)
                if (!strcmp(ops[k].name, e->name) && !strcmp(ops[k].variant, e->variant)) row = &ops[k];
            tally t = {.verbose = only != NULL, .quiet = e->known != NULL};
            harness_current = e->name;
            harness_current_failed = 0;
            if (!row) {
                CHECK_MSG(false, "%s.%s is not a counted OpInfo entry (tests/data/opinfo/ops.txt)", e->name, e->variant);
            } else if (run_entry(e, &t) < 0) {
                CHECK_MSG(false, "%s%s%s: no readable golden file: run /usr/bin/python3 tools/gen_opinfo.py %s", e->name,
                          e->variant[0] ? "." : "", e->variant, e->name);
                row->why = "no golden data";
            } else {
                samples[0] += t.passed, samples[1] += t.failed, samples[2] += t.skipped, samples[3] += t.grads_inexact;
                bool pass = t.failed == 0 && t.passed > 0;
                if (pass) {
                    row->covered = true;
                    if (e->known) printf("note: %s passes now: drop its .known\n", e->name);
                } else if (nreasons < 1024) {
                    snprintf(reasons[nreasons], sizeof reasons[0], "%s", e->known ? e->known
                             : t.passed + t.failed == 0 ? (t.first_skip ? t.first_skip : t.file_skip ? t.file_skip : "no samples")
                             : t.first_failure);
                    for (char *p = reasons[nreasons]; *p; p++)
                        if (*p == '\n') *p = ' ';
                    row->why = reasons[nreasons++];
                }
                if (!pass && !e->known && t.passed + t.failed > 0)
                    CHECK_MSG(false, "%d of %d samples fail (first: %s); a known failure needs .known = \"why\"", t.failed,
                              t.passed + t.failed, t.first_failure);
            }
            if (harness_current_failed) harness_failed++;
            else harness_passed++;
        }
    }
    /* A name is covered when every one of its entries is. */
    int names = 0, covered = 0;
    for (int k = 0; k < nops; k++) {
        if (k > 0 && !strcmp(ops[k].name, ops[k - 1].name)) continue;
        bool all = true;
        for (int j = k; j < nops && !strcmp(ops[j].name, ops[k].name); j++) all = all && ops[j].covered;
        names++;
        covered += all;
    }
    printf("opinfo_samples passed %d failed %d skipped %d (gradients not bit for bit: %d)\n", samples[0], samples[1],
           samples[2], samples[3]);
    printf("opinfo_covered %d/%d\n", covered, names);
    if (only) {
        free(ops);
        HARNESS_END();
    }
    printf("opinfo_missing:");
    for (int k = 0; k < nops; k++)
        if (!ops[k].covered && !strcmp(ops[k].why, "no adapter")) printf(" %s%s%s", ops[k].name, ops[k].variant[0] ? "." : "", ops[k].variant);
    printf("\n");
    for (int k = 0; k < nops; k++)
        if (!ops[k].covered && strcmp(ops[k].why, "no adapter"))
            printf("opinfo_failing %s%s%s: %s\n", ops[k].name, ops[k].variant[0] ? "." : "", ops[k].variant, ops[k].why);
    free(ops);
    HARNESS_END();
}
