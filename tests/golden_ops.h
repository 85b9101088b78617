/* Golden lines of ops called with a few arguments (format in tools/golden_ops.py): each line's
 * op is run through a test's dispatch function and its outputs compared with PyTorch's bits, or
 * its error with PyTorch's kind and message; the inputs must be left unchanged either way. */
#ifndef CG_TEST_GOLDEN_OPS_H
#define CG_TEST_GOLDEN_OPS_H

#include "golden.h"
#include "harness.h"

#define GOLDEN_OPS_MAX 8

typedef struct {
    const char *op;
    int nargs, ninputs;
    double args[GOLDEN_OPS_MAX];
    cg_tensor *inputs[GOLDEN_OPS_MAX]; /* as the op sees them (T: a transposed view) */
    cg_tensor *bases[GOLDEN_OPS_MAX];  /* the parsed tensors */
} golden_op_call;

/* Runs call->op: fills out (up to GOLDEN_OPS_MAX) and returns how many outputs, -1 on an error
 * (message set), or -2 for an op it does not know. */
typedef int (*golden_op_dispatch)(const golden_op_call *call, cg_tensor **out);

/* A test may set this: how far (relative, at 1 + |PyTorch's|) a call's float outputs may be from
 * PyTorch's; NULL or 0 means bit for bit. */
static double (*golden_op_tolerance)(const golden_op_call *call);

/* PyTorch's bits, or within tol (any NaN matching any NaN: the golden text keeps no NaN's sign). */
static inline bool golden_op_same(cg_tensor *got, cg_tensor *want, double tol) {
    if (!got || !want || cg_get_dtype(got) != cg_get_dtype(want) || !cg_dtype_is_floating(cg_get_dtype(want)))
        return harness_same_bits(got, want);
    if (cg_ndim(got) != cg_ndim(want)) return false;
    for (int d = 0; d < cg_ndim(got); d++)
        if (cg_size(got, d) != cg_size(want, d)) return false;
    cg_tensor *a = cg_contiguous(cg_to(got, CG_FLOAT64)), *b = cg_contiguous(cg_to(want, CG_FLOAT64));
    if (!a || !b) return false;
    const double *x = cg_data_ptr(a), *y = cg_data_ptr(b);
    for (int64_t i = 0; i < cg_numel(a); i++)
        if (!(isnan(x[i]) && isnan(y[i])) && memcmp(&x[i], &y[i], sizeof x[i]) &&
            !(tol > 0 && fabs(x[i] - y[i]) <= tol * (1 + fabs(y[i]))))
            return false;
    return true;
}

static inline int golden_op_line(char *line, int lineno, golden_op_dispatch dispatch) {
    char *cur = line;
    golden_op_call c = {0};
    c.op = golden_token(&cur);
    const char *tok = golden_token(&cur);
    if (!c.op || !tok) return -1;
    c.nargs = atoi(tok);
    for (int i = 0; i < c.nargs && i < GOLDEN_OPS_MAX; i++) c.args[i] = strtod(golden_token(&cur), NULL);
    c.ninputs = atoi(golden_token(&cur));
    for (int i = 0; i < c.ninputs && i < GOLDEN_OPS_MAX; i++) {
        const char *layout = golden_token(&cur);
        c.bases[i] = golden_tensor(&cur);
        if (!layout || !c.bases[i]) return -1;
        c.inputs[i] = layout[0] == 'T' ? cg_transpose(c.bases[i], -1, -2) : c.bases[i];
    }
    const char *status = golden_token(&cur);
    if (!status) return -1;
    cg_tensor *before[GOLDEN_OPS_MAX];
    for (int i = 0; i < c.ninputs; i++) before[i] = cg_clone(c.bases[i]);
    cg_tensor *out[GOLDEN_OPS_MAX] = {0};
    cg_clear_error();
    int nout = dispatch(&c, out);
    int bad = 0;
    if (nout == -2) {
        fprintf(stderr, "line %d: unknown op %s\n", lineno, c.op);
        return -1;
    }
    if (!strcmp(status, "OK")) {
        int want = atoi(golden_token(&cur));
        if (nout != want) {
            fprintf(stderr, "line %d (%s): %d outputs, expected %d: %s\n", lineno, c.op, nout, want, harness_error());
            bad = 1;
        }
        for (int i = 0; !bad && i < want; i++) {
            cg_tensor *e = golden_tensor(&cur);
            if (!e || !golden_op_same(out[i], e, golden_op_tolerance ? golden_op_tolerance(&c) : 0)) {
                fprintf(stderr, "line %d (%s): output %d differs from PyTorch's\n", lineno, c.op, i);
                if (out[i] && e) cg_print(out[i]), cg_print(e);
                bad = 1;
            }
        }
    } else {
        const char *message = cur + strspn(cur, " ");
        if (nout != -1 || strcmp(harness_error(), message)) {
            fprintf(stderr, "line %d (%s):\n  got:      \"%s\"\n  expected: \"%s\"\n", lineno, c.op,
                    nout == -1 ? harness_error() : "(no error)", message);
            bad = 1;
        }
    }
    for (int i = 0; i < c.ninputs; i++)
        if (!harness_same_bits(before[i], c.bases[i])) {
            fprintf(stderr, "line %d (%s): input %d changed\n", lineno, c.op, i);
            bad = 1;
        }
    return bad ? -1 : 0;
}

/* Every line of path through dispatch; the number of lines that failed (and at least one line). */
static inline int golden_op_file(const char *path, golden_op_dispatch dispatch) {
    golden_file g;
    if (golden_open(&g, path) < 0) return 1;
    int lineno = 1, failed = 0, count = 0;
    char *line;
    while ((line = golden_next_line(&g))) {
        lineno++;
        cg_scope_begin();
        if (golden_op_line(line, lineno, dispatch) < 0) failed++;
        count++;
        cg_scope_end();
    }
    golden_close(&g);
    return count ? failed : 1;
}

#endif
