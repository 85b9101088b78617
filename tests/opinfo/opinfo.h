/* The OpInfo sample runner's shared part (tests/test_opinfo.c): the golden samples of
 * tools/gen_opinfo.py as values, and what an adapter (tests/opinfo/<family>.c) uses to turn a
 * sample into a cg_* call.
 *
 * An adapter is `static int name(oi_call *c)`: it reads c->input, oi_arg(c, i) / oi_kw(c, "key")
 * (oi_get(c, i, "key"): positional or keyword), makes the call and returns oi_out(c, result) (or
 * sets c->out[0..n) and returns n). It returns oi_skip(c, "why") for a sample cgrad's C API
 * cannot express. A sample with an argument the adapter did not read is skipped too (the runner
 * checks), so no argument is silently ignored. */
#ifndef CG_TEST_OPINFO_H
#define CG_TEST_OPINFO_H

#include "cgrad.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { OI_TENSOR, OI_FLOAT, OI_INT, OI_BOOL, OI_NONE, OI_STR, OI_DTYPE, OI_LIST, OI_OTHER } oi_kind;

typedef struct oi_value {
    oi_kind kind;
    char dtype[8];          /* a tensor's or a torch.dtype's: f32 f64 i64 b (cgrad's) or another */
    bool requires_grad;
    int ndim;
    int64_t sizes[16];
    int64_t numel;
    void *data;             /* numel elements of the cgrad dtype (NULL for another dtype) */
    double f;               /* OI_FLOAT */
    int64_t i;              /* OI_INT, OI_BOOL */
    char *s;                /* OI_STR, OI_OTHER */
    int n;                  /* OI_LIST */
    struct oi_value *items;
    cg_tensor *t;           /* the tensor made for this value while a sample runs */
} oi_value;

typedef struct {
    bool is_error;
    char dtype[8];
    int index;
    oi_value input;
    int nargs, nkw;
    oi_value *args, *kwvals;
    char **keys;
    oi_value out, cot;
    int ngrads;
    oi_value *grads;
    char *raises, *message;  /* an error sample's PyTorch exception */
} oi_sample;

#define OI_MAX_OUT 16
#define OI_SKIP (-2)

typedef struct {
    const oi_sample *s;
    cg_tensor *input;            /* the sample's input when it is a tensor (else NULL) */
    cg_tensor *out[OI_MAX_OUT];
    const char *skip_reason;
    unsigned used_args, used_kw;  /* bit masks of what the adapter read */
} oi_call;

typedef int (*oi_fn)(oi_call *c);

/* One line of a family's table. tol: 0 compares values bit for bit, else |got - want| <= tol * (1 +
 * |want|); gtol the same for gradients (0: the runner's default tolerance). blas: its values are
 * PyTorch's bits only on the OpenBLAS kernels the golden data came from (ops.txt's '# blas CORE'),
 * elsewhere (another CPU, valgrind, NO_BLAS) they get OI_BLAS_TOL; sleef: the same for a build
 * without SLEEF; dnnl: the same without oneDNN or under valgrind (where it picks other kernels); lapack:
 * its values come from LAPACK, whose bits depend on the library build and the CPU's kernels, so they are
 * always compared within OI_LAPACK_TOL (per dtype: a float32 solve of a badly conditioned sample moves
 * by a few 1e-6). known: why the op does not pass yet (reported, not a failure of the test). */
typedef struct {
    const char *name, *variant;
    oi_fn fn;
    double tol, gtol;
    bool blas, sleef, dnnl, lapack;
    const char *known;
} oi_entry;

/* OI_OP("name", "variant", adapter[, .tol = ..., ...]) */
#define OI_OP(name_, variant_, ...) {.name = name_, .variant = variant_, .fn = __VA_ARGS__}
#define OI_END {.name = NULL}

/* ---- reading values ------------------------------------------------------------------------ */

static inline int oi_dtype_of(const char *name, cg_dtype *d) {
    if (!strcmp(name, "f32")) *d = CG_FLOAT32;
    else if (!strcmp(name, "f64")) *d = CG_FLOAT64;
    else if (!strcmp(name, "i64")) *d = CG_INT64;
    else if (!strcmp(name, "b")) *d = CG_BOOL;
    else return -1;
    return 0;
}

static inline int oi_skip(oi_call *c, const char *why) {
    if (!c->skip_reason) c->skip_reason = why;
    return OI_SKIP;
}

/* The i-th positional argument (NULL when absent); marks it read. */
static inline const oi_value *oi_arg(oi_call *c, int i) {
    if (i >= c->s->nargs) return NULL;
    if (i < 32) c->used_args |= 1u << i;
    return &c->s->args[i];
}

/* The keyword argument key (NULL when absent); marks it read. */
static inline const oi_value *oi_kw(oi_call *c, const char *key) {
    for (int k = 0; k < c->s->nkw; k++)
        if (!strcmp(c->s->keys[k], key)) {
            if (k < 32) c->used_kw |= 1u << k;
            return &c->s->kwvals[k];
        }
    return NULL;
}

/* Positional argument i, else keyword key: Python's f(x, dim) or f(x, dim=...). */
static inline const oi_value *oi_get(oi_call *c, int i, const char *key) {
    const oi_value *v = oi_arg(c, i);
    return v ? v : key ? oi_kw(c, key) : NULL;
}

/* A tensor value as its cg_tensor; NULL (and a skip) for another kind or dtype. */
static inline cg_tensor *oi_tensor(oi_call *c, const oi_value *v) {
    if (!v || v->kind != OI_TENSOR) return oi_skip(c, "argument is not a tensor"), NULL;
    if (!v->t) oi_skip(c, "tensor dtype cgrad lacks");
    return v->t;
}

/* A Python int (or bool) argument. */
static inline bool oi_int(oi_call *c, const oi_value *v, int64_t *out) {
    if (!v || (v->kind != OI_INT && v->kind != OI_BOOL)) return oi_skip(c, "argument is not an int"), false;
    *out = v->i;
    return true;
}

static inline bool oi_bool(oi_call *c, const oi_value *v, bool *out) {
    if (!v || v->kind != OI_BOOL) return oi_skip(c, "argument is not a bool"), false;
    *out = v->i != 0;
    return true;
}

/* An optional int or bool argument: def when v is absent. */
static inline bool oi_opt_int(oi_call *c, const oi_value *v, int64_t def, int64_t *out) {
    *out = def;
    return !v || oi_int(c, v, out);
}

static inline bool oi_opt_bool(oi_call *c, const oi_value *v, bool def, bool *out) {
    *out = def;
    return !v || oi_bool(c, v, out);
}

/* A Python number as a cg_number (int, float or bool). */
static inline bool oi_number(oi_call *c, const oi_value *v, cg_number *out) {
    if (!v) return oi_skip(c, "missing number"), false;
    if (v->kind == OI_FLOAT) *out = cg_number_float(v->f);
    else if (v->kind == OI_INT) *out = cg_number_int(v->i);
    else if (v->kind == OI_BOOL) *out = cg_number_bool(v->i != 0);
    else return oi_skip(c, "argument is not a number"), false;
    return true;
}

/* A list of ints (a single int counts as a list of one when single_ok). At most max. */
static inline bool oi_ints(oi_call *c, const oi_value *v, int64_t *out, int *n, int max, bool single_ok) {
    if (v && single_ok && v->kind == OI_INT) {
        out[0] = v->i;
        *n = 1;
        return true;
    }
    if (!v || v->kind != OI_LIST || v->n > max) return oi_skip(c, "argument is not a list of ints"), false;
    for (int k = 0; k < v->n; k++) {
        if (v->items[k].kind != OI_INT) return oi_skip(c, "argument is not a list of ints"), false;
        out[k] = v->items[k].i;
    }
    *n = v->n;
    return true;
}

/* A list of tensors. */
static inline bool oi_tensors(oi_call *c, const oi_value *v, cg_tensor **out, int *n, int max) {
    if (!v || v->kind != OI_LIST || v->n > max) return oi_skip(c, "argument is not a list of tensors"), false;
    for (int k = 0; k < v->n; k++)
        if (!(out[k] = oi_tensor(c, &v->items[k]))) return false;
    *n = v->n;
    return true;
}

/* A torch.dtype argument. */
static inline bool oi_dtype(oi_call *c, const oi_value *v, cg_dtype *out) {
    if (!v || v->kind != OI_DTYPE || oi_dtype_of(v->dtype, out) < 0) return oi_skip(c, "dtype cgrad lacks"), false;
    return true;
}

/* The adapter's single result: 1, or -1 when the call failed (its error is in cg_last_error). */
static inline int oi_out(oi_call *c, cg_tensor *t) {
    c->out[0] = t;
    return t ? 1 : -1;
}

/* Dims: an int or a list of ints (at most CG_MAX_DIMS). */
static inline bool oi_dims(oi_call *c, const oi_value *v, int *dims, int *n) {
    int64_t d[CG_MAX_DIMS];
    if (!oi_ints(c, v, d, n, CG_MAX_DIMS, true)) return false;
    for (int k = 0; k < *n; k++) dims[k] = (int)d[k];
    return true;
}

/* Whether v is a Python number (int, float or bool). */
static inline bool oi_is_number(const oi_value *v) {
    return v && (v->kind == OI_FLOAT || v->kind == OI_INT || v->kind == OI_BOOL);
}

/* An adapter for a unary op f(input). */
#define OI_UNARY(adapter, fn) \
    static int adapter(oi_call *c) { return oi_out(c, fn(c->input)); }

#endif
