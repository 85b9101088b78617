/* The differential tester's regression corpus: each program of tests/difftest/NAME.prog runs in
 * the difftest interpreter (tools/difftest/interp.c, included here so that valgrind and the
 * sanitizers see it) and its transcript must equal PyTorch's in NAME.expected, written by
 * tools/difftest/campaign.py. The comparison is compare.py's: exact, except for float values in a
 * program with a transcendental op, where 16 ULP (or 1e-5 of the tensor's largest magnitude:
 * float32 results reach float64 through to()) are allowed. Each program counts as one test.
 *
 * The transcripts hold SLEEF's values, which cgrad computes where PyTorch does (SLEEF linked, an
 * AVX2+FMA CPU). Elsewhere exp, log, ... come from libm, which differs from SLEEF past any tolerance
 * at edge values (log1p(-1e-45) is 0 in SLEEF and -1e-45 in libm, float32 log1p(FLT_MAX) inf and
 * 88.72), and what follows from them differs too (a sign, a repr that turns scientific, a gradcheck
 * verdict): there the value lines of programs with a transcendental op that do not match are not
 * failures but counted, and the count is printed. */
#define DIFFTEST_NO_MAIN
#include "../tools/difftest/interp.c"

#include "harness.h"
#include "backend/cpu/simd.h"

#include <dirent.h>

#define CORPUS "tests/difftest"

static const char *const transcendental[] = {"exp", "log", "log1p", "sin", "cos", "tan", "tanh", "sigmoid",
                                             "pow", "pown", "rpown", "softmax", "log_softmax", "bce", "ce",
                                             "nll", "norm", "var", "std", "randn", "normal_", "jacobian",
                                             "hessian", "vjp", "jvp", "vhp", "hvp", "exp_", "log_", "log1p_",
                                             "sin_", "cos_", "tan_", "tanh_", "sigmoid_", "pow_", "pown_",
                                             /* BLAS: PyTorch's bits depend on the machine's kernels */
                                             "dot", "mv", "mm", "bmm", "matmul",
                                             /* compare.TRANSCENDENTAL's nn.functional ops */
                                             "erf", "elu", "selu", "celu", "silu", "gelu", "softplus", "mish",
                                             "logsigmoid", "softmin", "glu", "tanhshrink", "soft_margin",
                                             "multilabel_soft_margin", "bce_prob", "kl_div", "poisson_nll",
                                             "gaussian_nll", "normalize", "cosine_similarity", "pairwise_distance",
                                             "triplet_margin", "cosine_embedding", "sdpa", "conv1d", "conv2d",
                                             "conv_transpose1d", "conv_transpose2d", "linear", "bilinear",
                                             "layer_norm", "batch_norm", "group_norm", "instance_norm"};
/* compare.GRAD_OPS: statements whose results are gradients */
static const char *const grad_ops[] = {"printgrad", "grad", "jacobian", "hessian", "vjp", "jvp", "vhp", "hvp"};

/* A text split into lines (owned copies), and where each program (#prog) begins. */
typedef struct {
    char **lines;
    int n, cap;
} lines_t;

static void lines_add(lines_t *l, const char *s, size_t len) {
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 256;
        l->lines = realloc(l->lines, (size_t)l->cap * sizeof *l->lines);
    }
    char *c = malloc(len + 1);
    memcpy(c, s, len);
    c[len] = '\0';
    l->lines[l->n++] = c;
}

static lines_t split_lines(const char *text) {
    lines_t l = {0};
    while (*text) {
        const char *nl = strchr(text, '\n');
        size_t len = nl ? (size_t)(nl - text) : strlen(text);
        if (len) lines_add(&l, text, len);
        text += len + (nl ? 1 : 0);
    }
    return l;
}

static void lines_free(lines_t *l) {
    for (int i = 0; i < l->n; i++) free(l->lines[i]);
    free(l->lines);
}

static char *read_file(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    size_t got = fread(s, 1, (size_t)n, f);
    s[got] = '\0';
    fclose(f);
    return s;
}

/* ---- compare.py's tolerance ---- */

static double hex_value(const char *s, size_t len, int64_t *ordered) {
    uint64_t bits = strtoull(s, NULL, 16);
    if (len == 8) {
        uint32_t b = (uint32_t)bits;
        float f;
        memcpy(&f, &b, 4);
        *ordered = b & 0x80000000u ? -(int64_t)(b & 0x7fffffffu) : (int64_t)b;
        return f;
    }
    double d;
    memcpy(&d, &bits, 8);
    *ordered = bits >> 63 ? -(int64_t)(bits & INT64_MAX) : (int64_t)bits;
    return d;
}

/* Element e of an expected list against g, given the list's largest finite magnitude; a gradient
 * may also be off by 16 ULP of 1.0 (compare.py: gradients cancel O(1) terms). */
static bool value_close(const char *e, size_t el, const char *g, size_t gl, double scale, bool gradient) {
    if (el == gl && memcmp(e, g, el) == 0) return true;
    if (el != gl || (el != 8 && el != 16) || memcmp(e, "nan", 3) == 0 || memcmp(g, "nan", 3) == 0) return false;
    int64_t oe, og;
    double ve = hex_value(e, el, &oe), vg = hex_value(g, gl, &og);
    if (llabs(oe - og) <= 16) return true;
    if (isinf(ve) || isinf(vg)) return false;
    if (gradient && fabs(ve - vg) <= 16 * (el == 8 ? 0x1p-23 : 0x1p-52)) return true;
    return fabs(ve - vg) <= 1e-5 * scale;
}

static size_t item_len(const char *s) { return strcspn(s, ",]"); }

static double list_scale(const char *s) {
    double m = 0;
    while (*s && *s != ']') {
        size_t len = item_len(s);
        int64_t o;
        if ((len == 8 || len == 16) && memcmp(s, "nan", 3) != 0) {
            double v = fabs(hex_value(s, len, &o));
            if (!isinf(v) && v > m) m = v;
        }
        s += len + (s[len] == ',');
    }
    return m;
}

/* The lists after "data=[" (or the value after "item ") must agree within the tolerance, the rest
 * exactly; an error line's type only when cgrad gives one. */
static bool lines_match(const char *e, const char *g, bool tolerant, bool gradient) {
    if (strcmp(e, g) == 0) return true;
    const char *ee = strstr(e, ": err "), *ge = strstr(g, ": err ");
    /* compare.PYTORCH_ASSERTS: PyTorch's own internal assertion, where any error of cgrad's agrees */
    if (ee && ge && strstr(ee, "saved_for INTERNAL ASSERT FAILED at \"./torch/csrc/autograd/saved_variable.cpp\":146, "
                                "please report a bug to PyTorch. No grad_fn for non-leaf saved tensor"))
        return true;
    if (ee && ge && strncmp(ge, ": err ?: ", 9) == 0) { /* an error without a kind: the message must agree */
        const char *me = strstr(ee + 6, ": "), *mg = ge + 7;
        return ee - e == ge - g && memcmp(e, g, (size_t)(ee - e)) == 0 && me && strcmp(me, mg) == 0;
    }
    if (!tolerant) return false;
    if (strncmp(e, "item ", 5) == 0 || strstr(e, ": item ")) {
        const char *pe = strstr(e, "item "), *pg = strstr(g, "item ");
        if (!pg || pe - e != pg - g || memcmp(e, g, (size_t)(pe - e)) != 0) return false;
        pe += 5;
        pg += 5;
        int64_t o;
        double scale = strcmp(pe, "nan") == 0 ? 0 : fabs(hex_value(pe, strlen(pe), &o));
        return value_close(pe, strlen(pe), pg, strlen(pg), scale, false);
    }
    const char *le = strstr(e, ": list "), *lg = strstr(g, ": list ");
    if (le && lg) { /* copy_to's values: a list to the end of the line */
        if (le - e != lg - g || memcmp(e, g, (size_t)(le - e)) != 0) return false;
        e = le + 7;
        g = lg + 7;
        double scale = list_scale(e);
        while (*e || *g) {
            size_t el = item_len(e), gl = item_len(g);
            if (!value_close(e, el, g, gl, scale, false)) return false;
            e += el + (e[el] == ',');
            g += gl + (g[gl] == ',');
        }
        return true;
    }
    while (*e || *g) {
        if (strncmp(e, "data=[", 6) == 0 && strncmp(g, "data=[", 6) == 0) {
            e += 6;
            g += 6;
            double scale = list_scale(e);
            while (*e != ']' || *g != ']') {
                size_t el = item_len(e), gl = item_len(g);
                if (!e[el] || !g[gl] || !value_close(e, el, g, gl, scale, gradient)) return false;
                e += el + (e[el] == ',');
                g += gl + (g[gl] == ',');
                if ((*e == ']') != (*g == ']')) return false;
            }
            continue;
        }
        if (*e != *g) return false;
        e++;
        g++;
    }
    return true;
}

/* ---- running ---- */

static bool program_tolerant(lines_t *prog, int from, int to) {
    for (int i = from; i < to; i++) {
        char op[64] = "";
        if (sscanf(prog->lines[i], "%*s %63s", op) != 1) continue;
        for (size_t k = 0; k < sizeof transcendental / sizeof transcendental[0]; k++)
            if (strcmp(op, transcendental[k]) == 0) return true;
    }
    return false;
}

/* compare.py's is_grad: a transcript line (K: ...) holds gradients when it is a hook call (KH), a
 * .grad, or the result of a statement K of GRAD_OPS (the program's lines from..to-1). */
static bool gradient_line(lines_t *prog, int from, int to, const char *line) {
    char *end;
    long k = strtol(line, &end, 10);
    if (end == line) return false;
    if (*end == 'H' || strncmp(end, ": grad ", 7) == 0) return true;
    for (int i = from; i < to; i++) {
        if (prog->lines[i][0] == '#' || prog->lines[i][0] == '\0' || k-- > 0) continue;
        char op[64] = "";
        if (sscanf(prog->lines[i], "%*s %63s", op) != 1) return false;
        for (size_t j = 0; j < sizeof grad_ops / sizeof grad_ops[0]; j++)
            if (strcmp(op, grad_ops[j]) == 0) return true;
        return false;
    }
    return false;
}

/* Index of the line "#prog N" in l from start on, or l->n. */
static int find_prog(lines_t *l, const char *header, int start) {
    for (int i = start; i < l->n; i++)
        if (strcmp(l->lines[i], header) == 0) return i;
    return l->n;
}

static int next_prog(lines_t *l, int i) {
    for (i++; i < l->n; i++)
        if (strncmp(l->lines[i], "#prog", 5) == 0) return i;
    return l->n;
}

static bool libm_functions; /* no SLEEF values here (see the top) */
static int libm_lines;      /* lines not compared for that */

/* A transcendental op, or a function of the interpreter's (gradcheck's) made of one. */
static bool program_transcendental(lines_t *prog, int from, int to) {
    for (int i = from; i < to; i++)
        if (strstr(prog->lines[i], "tanhsum") || strstr(prog->lines[i], "expmul")) return true;
    return program_tolerant(prog, from, to);
}

static void check_corpus_file(const char *name) {
    char path[512];
    snprintf(path, sizeof path, CORPUS "/%s.prog", name);
    char *prog_text = read_file(path);
    snprintf(path, sizeof path, CORPUS "/%s.expected", name);
    char *exp_text = read_file(path);
    if (!prog_text || !exp_text) {
        fprintf(stderr, "%s: cannot read the program or its transcript\n", name);
        harness_failed++;
        free(prog_text);
        free(exp_text);
        return;
    }
    char *got_text = NULL;
    size_t got_len = 0;
    FILE *in = fmemopen(prog_text, strlen(prog_text), "r");
    FILE *outf = open_memstream(&got_text, &got_len);
    difftest_run(in, outf, 0);
    fclose(in);
    fclose(outf);
    lines_t prog = split_lines(prog_text), exp = split_lines(exp_text), got = split_lines(got_text);
    bool under_valgrind = getenv("CG_QUICK") != NULL;
    for (int pi = 0; pi < prog.n; pi = next_prog(&prog, pi)) {
        if (strncmp(prog.lines[pi], "#prog", 5) != 0) continue;
        const char *header = prog.lines[pi];
        /* Under valgrind (make memcheck sets CG_QUICK) every program gets the tolerance: its
         * emulation of packed FMA instructions gives lerp's fma(-d, 1 - w, -0.0) = -0 where the
         * hardware gives +0. make test still compares those programs bit for bit. */
        bool tolerant = under_valgrind || program_tolerant(&prog, pi + 1, next_prog(&prog, pi));
        int ei = find_prog(&exp, header, 0), gi = find_prog(&got, header, 0);
        int ee = next_prog(&exp, ei), ge = next_prog(&got, gi);
        harness_current = header;
        harness_current_failed = 0;
        CHECK_MSG(ei < exp.n && gi < got.n, "%s: no transcript", name);
        if (!harness_current_failed) CHECK_MSG(ee - ei == ge - gi, "%s: %d lines, expected %d", name, ge - gi, ee - ei);
        bool uses_libm = libm_functions && program_transcendental(&prog, pi + 1, next_prog(&prog, pi));
        for (int k = 1; !harness_current_failed && ei + k < ee; k++) {
            bool gradient = gradient_line(&prog, pi + 1, next_prog(&prog, pi), exp.lines[ei + k]);
            bool match = lines_match(exp.lines[ei + k], got.lines[gi + k], tolerant, gradient);
            if (!match && uses_libm) {
                libm_lines++;
                continue;
            }
            CHECK_MSG(match,
                      "%s\n  pytorch: %s\n  cgrad:   %s", name, exp.lines[ei + k], got.lines[gi + k]);
        }
        if (harness_current_failed) harness_failed++;
        else harness_passed++;
    }
    lines_free(&prog);
    lines_free(&exp);
    lines_free(&got);
    free(prog_text);
    free(exp_text);
    free(got_text);
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(void) {
#ifdef CG_HAVE_SLEEF
    libm_functions = !cg_simd_avx2();
#else
    libm_functions = true;
#endif
    DIR *d = opendir(CORPUS);
    if (!d) {
        fprintf(stderr, "cannot open " CORPUS "\n");
        return 1;
    }
    char *names[256];
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) && n < 256;) {
        size_t len = strlen(e->d_name);
        if (len > 5 && strcmp(e->d_name + len - 5, ".prog") == 0) {
            names[n] = malloc(len - 4);
            memcpy(names[n], e->d_name, len - 5);
            names[n++][len - 5] = '\0';
        }
    }
    closedir(d);
    qsort(names, (size_t)n, sizeof names[0], by_name);
    for (int i = 0; i < n; i++) {
        check_corpus_file(names[i]);
        free(names[i]);
    }
    if (n == 0) harness_failed++;
    if (libm_lines)
        printf("difftest: %d lines of programs with transcendental ops not compared: libm's functions, not SLEEF's\n",
               libm_lines);
    HARNESS_END();
}
