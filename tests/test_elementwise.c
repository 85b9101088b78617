/* Elementwise ops against PyTorch (tests/data/elementwise.txt, from tools/gen_elementwise.py),
 * on contiguous, transposed, step-2 sliced, expanded and 0-dim inputs, plus the error paths and
 * in-place bookkeeping (versions, memory overlap) that the golden data cannot express. */
#include "harness.h"
#include "golden.h"
#include "core/tensor.h" /* cg_new_view: views are built by hand until the view ops land */

#include <stdlib.h>

/* ---- the ops by name ---- */

typedef enum { BINARY, SCALAR, UNARY, WHERE, CLAMP, INPLACE, INPLACE_SCALAR, INPLACE_CLAMP } op_kind;

typedef struct {
    const char *name;
    op_kind kind;
    union {
        cg_tensor *(*binary)(cg_tensor *, cg_tensor *);
        cg_tensor *(*scalar)(cg_tensor *, cg_number);
        cg_tensor *(*unary)(cg_tensor *);
        cg_tensor *(*where)(cg_tensor *, cg_tensor *, cg_tensor *);
        cg_tensor *(*clamp)(cg_tensor *, cg_number, cg_number);
        int (*inplace)(cg_tensor *, cg_tensor *);
        int (*inplace_scalar)(cg_tensor *, cg_number);
        int (*inplace_clamp)(cg_tensor *, cg_number, cg_number);
    } fn;
    int cases;
} op_entry;

#define B(name) {#name, BINARY, {.binary = cg_##name}, 0}
#define S(name) {#name "_scalar", SCALAR, {.scalar = cg_##name##_number}, 0}
#define U(name) {#name, UNARY, {.unary = cg_##name}, 0}
static op_entry ops[] = {
    B(add), B(sub), B(mul), B(div), B(pow), B(maximum), B(minimum),
    B(eq), B(ne), B(lt), B(le), B(gt), B(ge),
    S(add), S(sub), S(rsub), S(mul), S(div), S(rdiv), S(pow), S(rpow), S(eq), S(ne), S(lt), S(le), S(gt), S(ge),
    U(neg), U(exp), U(log), U(log1p), U(sqrt), U(abs), U(sign), U(sin), U(cos), U(tan), U(tanh),
    U(sigmoid), U(relu),
    {"where", WHERE, {.where = cg_where}, 0},
    {"clamp", CLAMP, {.clamp = cg_clamp_number}, 0},
    {"add_", INPLACE, {.inplace = cg_add_}, 0},
    {"sub_", INPLACE, {.inplace = cg_sub_}, 0},
    {"mul_", INPLACE, {.inplace = cg_mul_}, 0},
    {"div_", INPLACE, {.inplace = cg_div_}, 0},
    {"add_scalar_", INPLACE_SCALAR, {.inplace_scalar = cg_add_number_}, 0},
    {"mul_scalar_", INPLACE_SCALAR, {.inplace_scalar = cg_mul_number_}, 0},
    {"clamp_", INPLACE_CLAMP, {.inplace_clamp = cg_clamp_number_}, 0},
};
#define NOPS (int)(sizeof ops / sizeof *ops)

static op_entry *find_op(const char *name) {
    for (int i = 0; i < NOPS; i++)
        if (!strcmp(ops[i].name, name)) return &ops[i];
    return NULL;
}

/* ---- building non-contiguous inputs with the same values ---- */

/* A view of fresh memory with the given strides (in units of the base's elements), holding g's values. */
static cg_tensor *copy_into_view(cg_tensor *g, int base_ndim, const int64_t *base_sizes, const int64_t *strides) {
    cg_tensor *base = cg_full_shape(cg_get_dtype(g), base_ndim, base_sizes, 7);
    cg_tensor *view = cg_new_view(base, cg_ndim(g), cg_sizes(g), strides, 0);
    if (!view || cg_copy_(view, g) != 0) return NULL;
    return view;
}

static cg_tensor *transposed(cg_tensor *g) {
    int n = cg_ndim(g);
    int64_t sizes[CG_MAX_DIMS], strides[CG_MAX_DIMS];
    memcpy(sizes, cg_sizes(g), (size_t)n * sizeof *sizes);
    sizes[n - 1] = cg_sizes(g)[n - 2], sizes[n - 2] = cg_sizes(g)[n - 1];
    int64_t s = 1; /* the base is contiguous in the swapped shape; the view swaps its strides back */
    for (int d = n - 1; d >= 0; d--) strides[d] = s, s *= sizes[d];
    int64_t tmp = strides[n - 1];
    strides[n - 1] = strides[n - 2], strides[n - 2] = tmp;
    return copy_into_view(g, n, sizes, strides);
}

static cg_tensor *every_other_row(cg_tensor *g) {
    int n = cg_ndim(g);
    int64_t sizes[CG_MAX_DIMS], strides[CG_MAX_DIMS];
    memcpy(sizes, cg_sizes(g), (size_t)n * sizeof *sizes);
    sizes[0] *= 2;
    int64_t s = 1;
    for (int d = n - 1; d >= 0; d--) strides[d] = s, s *= sizes[d];
    strides[0] *= 2;
    return copy_into_view(g, n, sizes, strides);
}

/* "e:2,3": g (with size-1 dims) expanded to that shape with stride 0. */
static cg_tensor *expanded(cg_tensor *g, const char *shape_text) {
    int64_t sizes[CG_MAX_DIMS], strides[CG_MAX_DIMS];
    int n = 0;
    for (const char *p = shape_text; *p; p++) {
        sizes[n++] = strtoll(p, (char **)&p, 10);
        if (!*p) break;
    }
    int lead = n - cg_ndim(g);
    for (int d = 0; d < n; d++) {
        int gd = d - lead;
        strides[d] = gd < 0 || (cg_sizes(g)[gd] == 1 && sizes[d] != 1) ? 0 : cg_strides(g)[gd];
    }
    return cg_new_view(g, n, sizes, strides, 0);
}

static cg_tensor *lay_out(const char *layout, cg_tensor *g) {
    if (!g) return NULL;
    if (!strcmp(layout, "t")) return transposed(g);
    if (!strcmp(layout, "s")) return every_other_row(g);
    if (!strncmp(layout, "e:", 2)) return expanded(g, layout + 2);
    return g;
}

/* ---- one golden case ---- */

static bool same_shape(const cg_tensor *a, const cg_tensor *b) {
    if (cg_ndim(a) != cg_ndim(b)) return false;
    for (int d = 0; d < cg_ndim(a); d++)
        if (cg_sizes(a)[d] != cg_sizes(b)[d]) return false;
    return true;
}

static bool values_match(cg_tensor *actual, cg_tensor *expected, double tol) {
    if (!same_shape(actual, expected) || cg_get_dtype(actual) != cg_get_dtype(expected)) {
        fprintf(stderr, "  dtype/shape: got %s ndim %d, expected %s ndim %d\n", cg_dtype_name(cg_get_dtype(actual)),
                cg_ndim(actual), cg_dtype_name(cg_get_dtype(expected)), cg_ndim(expected));
        return false;
    }
    if (cg_get_dtype(actual) == CG_INT64) { /* exactly: doubles would lose the low bits */
        cg_tensor *a = cg_contiguous(actual), *e = cg_contiguous(expected);
        return memcmp(cg_data_ptr(a), cg_data_ptr(e), (size_t)cg_numel(a) * sizeof(int64_t)) == 0;
    }
    cg_tensor *e = cg_contiguous(cg_to(expected, CG_FLOAT64));
    return harness_values_close(actual, cg_data_ptr(e), tol);
}

/* Runs the op of one line; returns the result tensor (the first input for in-place ops) or NULL. */
static cg_tensor *run_op(op_entry *op, cg_tensor **in, const cg_number *s) {
    switch (op->kind) {
    case BINARY: return op->fn.binary(in[0], in[1]);
    case SCALAR: return op->fn.scalar(in[0], s[0]);
    case UNARY: return op->fn.unary(in[0]);
    case WHERE: return op->fn.where(in[0], in[1], in[2]);
    case CLAMP: return op->fn.clamp(in[0], s[0], s[1]);
    case INPLACE: return op->fn.inplace(in[0], in[1]) == 0 ? in[0] : NULL;
    case INPLACE_SCALAR: return op->fn.inplace_scalar(in[0], s[0]) == 0 ? in[0] : NULL;
    case INPLACE_CLAMP: return op->fn.inplace_clamp(in[0], s[0], s[1]) == 0 ? in[0] : NULL;
    }
    return NULL;
}

static void check_line(char *line, int lineno) {
    char *cur = line;
    op_entry *op = find_op(golden_token(&cur));
    CHECK_MSG(op != NULL, "line %d: unknown op", lineno);
    if (!op) return;
    op->cases++;
    cg_number scalars[2] = {cg_number_int(0), cg_number_int(0)};
    char *s = golden_token(&cur);
    for (int i = 0; strcmp(s, "-") && *s && i < 2; i++) scalars[i] = golden_number(&s);
    double tol = strtod(golden_token(&cur), NULL);
    int n = atoi(golden_token(&cur));
    cg_tensor *in[3], *before[3];
    int64_t versions[3];
    for (int i = 0; i < n; i++) {
        const char *layout = golden_token(&cur);
        in[i] = lay_out(layout, golden_tensor(&cur));
        before[i] = cg_clone(in[i]);
        versions[i] = cg_version(in[i]);
        CHECK_MSG(in[i] && before[i], "line %d: bad input %d", lineno, i);
        if (!in[i] || !before[i]) return;
    }
    char *rest = cur + strspn(cur, " ");
    bool inplace = op->kind >= INPLACE;
    cg_clear_error();
    cg_tensor *result = run_op(op, in, scalars);
    if (!strncmp(rest, "error ", 6)) {
        const char *message = rest + 6;
        CHECK_MSG(result == NULL, "line %d (%s): expected the error \"%s\"", lineno, op->name, message);
        CHECK_MSG(!strcmp(harness_error(), message), "line %d (%s):\n  got:      \"%s\"\n  expected: \"%s\"", lineno,
                  op->name, harness_error(), message);
        for (int i = 0; i < n; i++) {
            CHECK_MSG(values_match(in[i], before[i], 0), "line %d: input %d changed by a failing op", lineno, i);
            CHECK_MSG(cg_version(in[i]) == versions[i], "line %d: version of input %d changed", lineno, i);
        }
        return;
    }
    cg_tensor *expected = golden_tensor(&cur);
    CHECK_MSG(result != NULL, "line %d (%s): unexpected error: %s", lineno, op->name, cg_last_error());
    if (!result || !expected) return;
    CHECK_MSG(values_match(result, expected, tol), "line %d (%s): wrong values", lineno, op->name);
    if (inplace) CHECK_MSG(cg_version(in[0]) == versions[0] + 1, "line %d: version not bumped once", lineno);
    for (int i = inplace ? 1 : 0; i < n; i++)
        CHECK_MSG(values_match(in[i], before[i], 0), "line %d: input %d changed", lineno, i);
}

static void test_golden(void) {
    golden_file g;
    if (golden_open(&g, "tests/data/elementwise.txt") != 0) {
        CHECK(!"golden file");
        return;
    }
    int lineno = 1; /* the header comment */
    char *line;
    while ((line = golden_next_line(&g))) {
        lineno++;
        CG_SCOPE { check_line(line, lineno); }
    }
    golden_close(&g);
    for (int i = 0; i < NOPS; i++) CHECK_MSG(ops[i].cases > 0, "no golden cases for %s", ops[i].name);
}

/* ---- what golden lines cannot express ---- */

static void test_null_arguments_propagate(void) {
    cg_tensor *a = cg_ones(2);
    cg_clear_error();
    cg_zeros(-1);
    const char *first = "Trying to create tensor with negative dimension -1: [-1]";
    CHECK(cg_add(a, NULL) == NULL && cg_sub(NULL, a) == NULL && cg_where(NULL, a, a) == NULL);
    CHECK(cg_exp(NULL) == NULL && cg_mul_scalar(NULL, 2) == NULL && cg_clamp(NULL, 0, 1) == NULL);
    CHECK(cg_rdiv_scalar(NULL, 1) == NULL && cg_pow_scalar(NULL, 2) == NULL && cg_eq_scalar(NULL, 1) == NULL);
    CHECK(cg_add_(a, NULL) == -1 && cg_add_(NULL, a) == -1 && cg_mul_scalar_(NULL, 1) == -1 && cg_clamp_(NULL, 0, 1) == -1);
    CHECK_STR(cg_last_error(), first);
    CHECK(cg_exp(cg_add(cg_zeros(-1), a)) == NULL);
    CHECK_STR(cg_last_error(), first);
}

static void test_results_are_new_tensors(void) {
    cg_tensor *a = cg_tensor_f32(((float[]){1, 2}), 2);
    cg_tensor *p = cg_pow_scalar(a, 1), *z = cg_pow_scalar(a, 0);
    CHECK(p && p != a && !cg_shares_storage(p, a) && harness_values_close(p, (double[]){1, 2}, 0));
    CHECK(z && harness_values_close(z, (double[]){1, 1}, 0));
    cg_tensor *r = cg_add_scalar(a, 0);
    CHECK(r && r != a && !cg_shares_storage(r, a));
}

/* Views of one tensor as the other operand: PyTorch refuses partial overlap, allows t op= t. */
static void test_inplace_memory_overlap(void) {
    const char *partial = "unsupported operation: some elements of the input tensor and the written-to tensor refer "
                          "to a single memory location. Please clone() the tensor before performing the operation.";
    cg_tensor *x = cg_tensor_f32(((float[]){1, 2, 3, 4, 5, 6, 7, 8, 9}), 3, 3);
    cg_tensor *xt = cg_new_view(x, 2, (const int64_t[]){3, 3}, (const int64_t[]){1, 3}, 0);
    cg_tensor *row0 = cg_new_view(x, 1, (const int64_t[]){3}, (const int64_t[]){1}, 0);
    cg_tensor *top = cg_new_view(x, 2, (const int64_t[]){2, 3}, (const int64_t[]){3, 1}, 0);
    cg_tensor *bottom = cg_new_view(x, 2, (const int64_t[]){2, 3}, (const int64_t[]){3, 1}, 3);
    CHECK_ERROR(cg_add_(x, xt) == 0, partial);
    CHECK_ERROR(cg_add_(x, row0) == 0, partial);
    CHECK_ERROR(cg_mul_(bottom, top) == 0, partial);
    cg_tensor *elem = cg_new_view(x, 0, NULL, NULL, 4); /* x[1, 1] */
    CHECK_ERROR(cg_add_(x, elem) == 0, partial);
    CHECK(cg_version(x) == 0 && harness_values_close(x, (double[]){1, 2, 3, 4, 5, 6, 7, 8, 9}, 0));
    cg_tensor *row2 = cg_new_view(x, 1, (const int64_t[]){3}, (const int64_t[]){1}, 6);
    CHECK(cg_sub_(row2, row0) == 0 && cg_add_(row2, row0) == 0); /* disjoint rows: no overlap */
    CHECK(cg_version(x) == 2 && harness_values_close(x, (double[]){1, 2, 3, 4, 5, 6, 7, 8, 9}, 0));
    CHECK(cg_add_(x, x) == 0 && cg_version(x) == 3);
    CHECK(harness_values_close(x, (double[]){2, 4, 6, 8, 10, 12, 14, 16, 18}, 0));
    /* A full overlap through another header is element for element, so it is fine. */
    cg_tensor *same = cg_new_view(x, 2, (const int64_t[]){3, 3}, (const int64_t[]){3, 1}, 0);
    CHECK(cg_sub_(x, same) == 0 && harness_values_close(x, (double[]){0, 0, 0, 0, 0, 0, 0, 0, 0}, 0));
    CHECK(cg_version(same) == 4); /* views share the counter */
    /* Non-dense views of the same memory: PyTorch cannot tell, and computes as if they did not overlap. */
    cg_tensor *y = cg_tensor_f32(((float[]){0, 1, 2, 3, 4, 5}), 2, 3);
    cg_tensor *even = cg_new_view(y, 2, (const int64_t[]){2, 2}, (const int64_t[]){3, 2}, 0);
    cg_tensor *odd = cg_new_view(y, 2, (const int64_t[]){2, 2}, (const int64_t[]){3, 1}, 1);
    CHECK(cg_add_(even, odd) == 0);
    CHECK(harness_values_close(y, (double[]){1, 1, 4, 7, 4, 10}, 0));
}

static void test_inplace_on_int_and_bool(void) {
    cg_tensor *i = cg_tensor_i64(((int64_t[]){1, 2, -3}), 3);
    CHECK(cg_add_scalar_(i, 2) == 0 && cg_mul_scalar_(i, -1) == 0 && cg_version(i) == 2);
    CHECK(harness_values_close(i, (double[]){-3, -4, 1}, 0));
    CHECK_ERROR(cg_mul_scalar_(i, 0.5) == 0, "result type Float can't be cast to the desired output type Long");
    CHECK_ERROR(cg_clamp_(i, 0, 2.5) == 0, "result type Float can't be cast to the desired output type long int");
    CHECK(cg_version(i) == 2 && harness_values_close(i, (double[]){-3, -4, 1}, 0));
    CHECK(cg_clamp_(i, -3, CG_NO_BOUND) == 0 && harness_values_close(i, (double[]){-3, -3, 1}, 0));
    cg_tensor *b = cg_tensor_bool(((bool[]){true, false}), 2);
    CHECK(cg_add_(b, b) == 0 && cg_mul_(b, cg_scalar(1, CG_BOOL)) == 0 && cg_version(b) == 2);
    CHECK_ERROR(cg_add_scalar_(b, 1) == 0, "result type Long can't be cast to the desired output type Bool");
}

/* The scalar and broadcast paths must agree with the general one on long, odd-length inputs. */
static void test_long_inputs_all_paths(void) {
    const int64_t n = 1037;
    cg_tensor *a = cg_linspace(-5, 5, n, CG_FLOAT32), *b = cg_linspace(0.5, 3, n, CG_FLOAT32);
    cg_tensor *sum = cg_add(a, b), *scaled = cg_mul_scalar(a, 3), *rs = cg_rsub_scalar(b, 1);
    cg_tensor *e = cg_exp(a), *cmp = cg_lt(a, b);
    CHECK_OK(sum);
    CHECK_OK(e);
    const float *pa = cg_data_ptr(a), *pb = cg_data_ptr(b);
    bool ok = true;
    for (int64_t k = 0; k < n; k++) {
        float x = pa[k], y = pb[k];
        ok &= ((const float *)cg_data_ptr(sum))[k] == x + y;
        ok &= ((const float *)cg_data_ptr(scaled))[k] == x * 3.0f;
        ok &= ((const float *)cg_data_ptr(rs))[k] == 1.0f - y;
        ok &= ((const bool *)cg_data_ptr(cmp))[k] == (x < y);
        ok &= fabsf(((const float *)cg_data_ptr(e))[k] - expf(x)) <= 1e-6f * expf(x);
    }
    CHECK(ok);
    /* in place, contiguous, with a scalar */
    CHECK(cg_add_scalar_(a, 1) == 0 && ((const float *)cg_data_ptr(a))[n - 1] == 6.0f);
}

/* The _scalar macros read the C type of the number as the Python kind it stands for. */
static void test_number_kind_dispatch(void) {
    CHECK(CG_NUMBER(2).kind == CG_NUMBER_INT && CG_NUMBER(2.0).kind == CG_NUMBER_FLOAT);
    CHECK(CG_NUMBER(2.0f).kind == CG_NUMBER_FLOAT && CG_NUMBER(2.0L).kind == CG_NUMBER_FLOAT);
    CHECK(CG_NUMBER('a').kind == CG_NUMBER_INT && CG_NUMBER(2u).kind == CG_NUMBER_INT);
    CHECK(CG_NUMBER((bool)true).kind == CG_NUMBER_BOOL && CG_NUMBER(cg_number_float(2)).kind == CG_NUMBER_FLOAT);
    CHECK(!CG_NUMBER(UINT64_MAX >> 1).overflow && CG_NUMBER(UINT64_MAX).overflow);
    CHECK(CG_NUMBER(INT64_MIN).i == INT64_MIN && CG_NUMBER(-INFINITY).f == -INFINITY);

    cg_tensor *i = cg_tensor_i64(((int64_t[]){1, 2, -3}), 3), *b = cg_tensor_bool(((bool[]){true, false}), 2);
    int64_t two_i = 2;
    double two_d = 2;
    float two_f = 2;
    bool yes = true;
    unsigned long long big = 1ULL << 63;
    CHECK(cg_get_dtype(cg_mul_scalar(i, 2)) == CG_INT64);          /* t * 2 */
    CHECK(cg_get_dtype(cg_mul_scalar(i, 2.0)) == CG_FLOAT32);      /* t * 2.0 */
    CHECK(cg_get_dtype(cg_mul_scalar(i, two_i)) == CG_INT64);
    CHECK(cg_get_dtype(cg_mul_scalar(i, two_d)) == CG_FLOAT32);
    CHECK(cg_get_dtype(cg_mul_scalar(i, two_f)) == CG_FLOAT32);
    CHECK(cg_get_dtype(cg_mul_scalar(i, cg_number_float(two_i))) == CG_FLOAT32);
    CHECK(cg_get_dtype(cg_add_scalar(b, yes)) == CG_BOOL);         /* b + True */
    CHECK(cg_get_dtype(cg_add_scalar(b, 1)) == CG_INT64);          /* b + 1 */
    CHECK(cg_get_dtype(cg_add_scalar(b, 1.0)) == CG_FLOAT32);      /* b + 1.0 */
    CHECK(cg_get_dtype(cg_clamp(i, 0, 2)) == CG_INT64 && cg_get_dtype(cg_clamp(i, 0, 2.0)) == CG_FLOAT32);
    CHECK(cg_get_dtype(cg_clamp(i, CG_NO_BOUND, 2)) == CG_INT64);
    CHECK(cg_get_dtype(cg_clamp(i, -INFINITY, 2)) == CG_FLOAT32); /* -inf is a float bound */
    CHECK(cg_get_dtype(cg_pow_scalar(i, 2)) == CG_INT64 && cg_get_dtype(cg_rpow_scalar(i, 2.0)) == CG_FLOAT32);
    CHECK(cg_get_dtype(cg_div_scalar(i, 2)) == CG_FLOAT32);        /* true division either way */
    CHECK(cg_item(cg_eq_scalar(cg_tensor_i64(((int64_t[]){16777217}), 1), 16777216)) == 0);
    CHECK(cg_item(cg_eq_scalar(cg_tensor_i64(((int64_t[]){16777217}), 1), 16777216.0)) == 1); /* in float32 */
    cg_tensor *exact = cg_add_scalar(cg_tensor_i64(((int64_t[]){0}), 1), 9007199254740993);
    CHECK(exact && ((const int64_t *)cg_data_ptr(exact))[0] == 9007199254740993);
    CHECK_ERROR(cg_add_scalar(i, big) != NULL, "Overflow when unpacking long");
    CHECK_ERROR(cg_pow_scalar(i, -1) != NULL, "Integers to negative integer powers are not allowed.");
    CHECK(cg_get_dtype(cg_pow_scalar(i, -1.0)) == CG_FLOAT32);
    CHECK_ERROR(cg_mul_scalar_(i, 2.0) == 0, "result type Float can't be cast to the desired output type Long");
    CHECK(cg_mul_scalar_(i, 2) == 0 && cg_add_scalar_(b, yes) == 0 && cg_version(i) == 1 && cg_version(b) == 1);
}

int main(void) {
    RUN(test_golden);
    RUN(test_null_arguments_propagate);
    RUN(test_results_are_new_tensors);
    RUN(test_inplace_memory_overlap);
    RUN(test_inplace_on_int_and_bool);
    RUN(test_long_inputs_all_paths);
    RUN(test_number_kind_dispatch);
    HARNESS_END();
}
