/* Autograd through the elementwise ops against PyTorch (tests/data/elementwise_grad.txt, from
 * tools/gen_elementwise_grad.py): each case's output node name and next_functions, and the float32
 * (or float64) gradients backward gives, or PyTorch's error. Then what golden data cannot show:
 * in-place ops and random fills on a leaf that requires grad fail and leave it untouched. */
#include "harness.h"
#include "golden.h"

#include <stdlib.h>

/* ---- the cases by name: each computes the output from the inputs as the Python does ---- */

typedef cg_tensor *(*case_fn)(cg_tensor **in);

static cg_tensor *condition(void) { return cg_tensor_bool(((bool[]){true, false, true}), 3); }

/* y = in[0] * 1, then an in-place op on y (or on y[row]). */
static cg_tensor *copy_of(cg_tensor **in) { return cg_mul_scalar(in[0], 1); }
static cg_tensor *after(cg_tensor *y, int status) { return status < 0 ? NULL : y; }

#define FN(name, expr) \
    static cg_tensor *c_##name(cg_tensor **in) { (void)in; return expr; }
#define INPLACE(name, call) \
    static cg_tensor *c_##name(cg_tensor **in) { cg_tensor *y = copy_of(in); return after(y, call); }
FN(add, cg_add(in[0], in[1]))
FN(sub, cg_sub(in[0], in[1]))
FN(mul, cg_mul(in[0], in[1]))
FN(div, cg_div(in[0], in[1]))
FN(pow, cg_pow(in[0], in[1]))
FN(maximum, cg_maximum(in[0], in[1]))
FN(minimum, cg_minimum(in[0], in[1]))
FN(where, cg_where(condition(), in[0], in[1]))
FN(eq, cg_eq(in[0], in[1]))
FN(lt_scalar, cg_lt_scalar(in[0], 0.5))
FN(add_scalar, cg_add_scalar(in[0], 2.5))
FN(sub_scalar, cg_sub_scalar(in[0], 2.5))
FN(rsub_scalar, cg_rsub_scalar(in[0], 2.5))
FN(mul_scalar, cg_mul_scalar(in[0], 2.5))
FN(div_scalar, cg_div_scalar(in[0], 2.5))
FN(rdiv_scalar, cg_rdiv_scalar(in[0], 3))
FN(rdiv_scalar_one, cg_rdiv_scalar(in[0], 1))
FN(pow_scalar, cg_pow_scalar(in[0], 2))
FN(pow_scalar_frac, cg_pow_scalar(in[0], 2.5))
FN(pow_scalar_zero, cg_pow_scalar(in[0], 0))
FN(pow_scalar_neg, cg_pow_scalar(in[0], -1))
FN(rpow_scalar, cg_rpow_scalar(in[0], 2))
FN(rpow_scalar_half, cg_rpow_scalar(in[0], 0.5))
FN(rpow_scalar_one, cg_rpow_scalar(in[0], 1))
FN(rpow_scalar_zero, cg_rpow_scalar(in[0], 0))
FN(clamp, cg_clamp(in[0], -0.5, 0.5))
FN(clamp_min, cg_clamp(in[0], -0.5, CG_NO_BOUND))
FN(clamp_max, cg_clamp(in[0], CG_NO_BOUND, 0.5))
FN(clamp_crossed, cg_clamp(in[0], 0.5, -0.5))
FN(clamp_nan_min, cg_clamp(in[0], NAN, CG_NO_BOUND))
FN(clamp_nan_both, cg_clamp(in[0], NAN, 0.5))
FN(neg, cg_neg(in[0]))
FN(exp, cg_exp(in[0]))
FN(log, cg_log(in[0]))
FN(log1p, cg_log1p(in[0]))
FN(sqrt, cg_sqrt(in[0]))
FN(abs, cg_abs(in[0]))
FN(sign, cg_sign(in[0]))
FN(sin, cg_sin(in[0]))
FN(cos, cg_cos(in[0]))
FN(tan, cg_tan(in[0]))
FN(tanh, cg_tanh(in[0]))
FN(sigmoid, cg_sigmoid(in[0]))
FN(relu, cg_relu(in[0]))
INPLACE(add_, cg_add_(y, in[1]))
INPLACE(sub_, cg_sub_(y, in[1]))
INPLACE(mul_, cg_mul_(y, in[1]))
INPLACE(div_, cg_div_(y, in[1]))
INPLACE(add__view, cg_add_(cg_select(y, 0, 1), in[1]))
INPLACE(sub__view, cg_sub_(cg_select(y, 0, 1), in[1]))
INPLACE(mul__view, cg_mul_(cg_select(y, 0, 1), in[1]))
INPLACE(div__view, cg_div_(cg_select(y, 0, 1), in[1]))
INPLACE(add_scalar_, cg_add_scalar_(y, 2.5))
INPLACE(mul_scalar_, cg_mul_scalar_(y, 2.5))
INPLACE(clamp_, cg_clamp_(y, -0.5, 0.5))
INPLACE(mul_self, cg_mul_(y, y))
INPLACE(div_self, cg_div_(y, y))
INPLACE(add_self, cg_add_(y, y))
INPLACE(uniform_, cg_uniform_(y, 0, 1))
INPLACE(normal_, cg_normal_(y, 0, 1))

/* The number's kind reaches backward (see the generator). */
#define HUGE_INT INT64_C(1152921573326323713) /* 2^60 + 2^36 + 1 */
FN(mul_scalar_huge_int, cg_mul_scalar(in[0], HUGE_INT))
FN(div_scalar_huge_int, cg_div_scalar(in[0], HUGE_INT))
FN(rdiv_scalar_huge_int, cg_rdiv_scalar(in[0], HUGE_INT))
INPLACE(mul_scalar__huge_int, cg_mul_scalar_(y, HUGE_INT))
FN(mul_scalar_true, cg_mul_scalar(in[0], (bool)true))
FN(pow_scalar_true, cg_pow_scalar(in[0], (bool)true))
FN(pow_scalar_int3, cg_pow_scalar(in[0], 3))
FN(rpow_scalar_int3, cg_rpow_scalar(in[0], 3))
FN(clamp_int_bounds, cg_clamp(in[0], 16777217, 16777218))
INPLACE(clamp__int_bounds, cg_clamp_(y, 16777217, 16777218))

static cg_tensor *c_clamp_view(cg_tensor **in) {
    cg_tensor *y = copy_of(in);
    return cg_clamp_(cg_select(y, 0, 0), -0.5, 0.5) < 0 ? NULL : cg_mul(y, y);
}
/* z saves what it needs of y; then y changes in place. */
static cg_tensor *then_add_one(cg_tensor *y, cg_tensor *z) { return cg_add_scalar_(y, 1) < 0 ? NULL : z; }
static cg_tensor *c_saved_then_modified(cg_tensor **in) {
    cg_tensor *y = copy_of(in);
    return then_add_one(y, cg_sin(y));
}
static cg_tensor *c_output_saved_then_input_modified(cg_tensor **in) {
    cg_tensor *y = copy_of(in);
    return then_add_one(y, cg_exp(y));
}
static cg_tensor *c_unsaved_then_modified(cg_tensor **in) {
    cg_tensor *y = copy_of(in);
    return then_add_one(y, cg_mul(y, in[1]));
}

#define CASE(name) {#name, c_##name}
static const struct {
    const char *name;
    case_fn fn;
} cases[] = {
    CASE(add), CASE(sub), CASE(mul), CASE(div), CASE(pow), CASE(maximum), CASE(minimum), CASE(where),
    CASE(eq), CASE(lt_scalar), CASE(add_scalar), CASE(sub_scalar), CASE(rsub_scalar), CASE(mul_scalar),
    CASE(div_scalar), CASE(rdiv_scalar), CASE(rdiv_scalar_one), CASE(pow_scalar), CASE(pow_scalar_frac),
    CASE(pow_scalar_zero), CASE(pow_scalar_neg), CASE(rpow_scalar), CASE(rpow_scalar_half),
    CASE(rpow_scalar_one), CASE(rpow_scalar_zero), CASE(clamp), CASE(clamp_min), CASE(clamp_max),
    CASE(clamp_crossed), CASE(clamp_nan_min), CASE(clamp_nan_both), CASE(neg), CASE(exp), CASE(log),
    CASE(log1p), CASE(sqrt), CASE(abs), CASE(sign), CASE(sin), CASE(cos), CASE(tan), CASE(tanh),
    CASE(sigmoid), CASE(relu), CASE(add_), CASE(sub_), CASE(mul_), CASE(div_), CASE(add__view),
    CASE(sub__view), CASE(mul__view), CASE(div__view), CASE(add_scalar_), CASE(mul_scalar_), CASE(clamp_),
    CASE(clamp_view), CASE(mul_self), CASE(div_self), CASE(add_self), CASE(saved_then_modified),
    CASE(output_saved_then_input_modified), CASE(unsaved_then_modified), CASE(uniform_), CASE(normal_),
    CASE(mul_scalar_huge_int), CASE(div_scalar_huge_int), CASE(rdiv_scalar_huge_int), CASE(mul_scalar__huge_int),
    CASE(mul_scalar_true), CASE(pow_scalar_true), CASE(pow_scalar_int3), CASE(rpow_scalar_int3),
    CASE(clamp_int_bounds), CASE(clamp__int_bounds),
};

/* Variants of a case differ only in their inputs: "add_bcast" runs "add". */
static case_fn find_case(const char *name) {
    static const char *const variants[] = {"_bcast", "_other_const", "_self_const", "_2x3",
                                           "_float64", "_mixed_dtypes", "_int_base"};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        if (!strcmp(cases[i].name, name)) return cases[i].fn;
    for (size_t v = 0; v < sizeof variants / sizeof *variants; v++) {
        size_t n = strlen(name), k = strlen(variants[v]);
        if (n > k && !strcmp(name + n - k, variants[v])) {
            char base[64];
            snprintf(base, sizeof base, "%.*s", (int)(n - k), name);
            return find_case(base);
        }
    }
    return NULL;
}

/* ---- comparing gradients ---- */

/* Same shape and dtype, and every value equal to PyTorch's within a few float32 ulps (libm and
 * PyTorch's vectorized math may round the last bit differently); inf and NaN exactly. */
static bool grads_match(const char *name, cg_tensor *got, cg_tensor *expected) {
    if (!got) {
        fprintf(stderr, "  %s: no gradient (%s)\n", name, cg_last_error());
        return false;
    }
    bool same = cg_get_dtype(got) == cg_get_dtype(expected) && cg_ndim(got) == cg_ndim(expected);
    for (int d = 0; same && d < cg_ndim(got); d++) same = cg_size(got, d) == cg_size(expected, d);
    if (!same) {
        fprintf(stderr, "  %s: gradient of another dtype or shape\n", name);
        return false;
    }
    cg_tensor *g = cg_contiguous(cg_to(got, CG_FLOAT64)), *e = cg_to(expected, CG_FLOAT64);
    const double *gv = cg_data_ptr(g), *ev = cg_data_ptr(e);
    double tol = cg_get_dtype(expected) == CG_FLOAT32 ? 4e-7 : 1e-15;
    if (strstr(name, "_huge_int")) tol = 0; /* one ulp tells the number's two roundings from its one */
    for (int64_t i = 0; i < cg_numel(g); i++) {
        double a = gv[i], b = ev[i];
        if (a == b || (isnan(a) && isnan(b))) continue;
        if (isfinite(a) && isfinite(b) && fabs(a - b) <= tol * fmax(fabs(b), 1e-30)) continue;
        fprintf(stderr, "  %s: element %lld: got %.9g, expected %.9g\n", name, (long long)i, a, b);
        return false;
    }
    return true;
}

/* ---- one golden line ---- */

static char *take(char **cursor) {
    char *tok = golden_token(cursor);
    return tok ? tok : "";
}

static void run_case(char *line) {
    char *cursor = line;
    const char *name = take(&cursor);
    case_fn fn = find_case(name);
    CHECK_MSG(fn != NULL, "no C function for case %s", name);
    if (!fn) return;
    int n = atoi(take(&cursor));
    cg_tensor *in[2] = {0};
    bool requires[2] = {0};
    for (int i = 0; i < n && i < 2; i++) {
        requires[i] = !strcmp(take(&cursor), "r");
        in[i] = golden_tensor(&cursor);
        if (requires[i]) cg_requires_grad_(in[i], true);
    }
    cg_clear_error();
    cg_tensor *out = fn(in);
    CHECK_MSG(out != NULL, "%s: %s", name, cg_last_error());
    if (!out) return;

    /* grad_fn and next_functions */
    cg_node *node = cg_grad_fn(out);
    CHECK_MSG(!strcmp(cg_node_name(node), take(&cursor)), "%s: node %s", name, cg_node_name(node));
    int k = atoi(take(&cursor));
    CHECK_MSG(cg_node_num_next(node) == k, "%s: %d next functions, expected %d", name, cg_node_num_next(node), k);
    for (int i = 0; i < k; i++) {
        const char *next_name = take(&cursor);
        int nr = atoi(take(&cursor)), got_nr = -1;
        cg_node *next = i < cg_node_num_next(node) ? cg_node_next(node, i, &got_nr) : NULL;
        CHECK_MSG(!strcmp(cg_node_name(next), next_name) && (!next || got_nr == nr),
                  "%s: next %d is (%s, %d), expected (%s, %d)", name, i, cg_node_name(next), got_nr, next_name, nr);
    }

    /* backward(w): the gradients, or PyTorch's error */
    cg_tensor *w = golden_tensor(&cursor);
    cursor += strspn(cursor, " ");
    int status = cg_backward(out, .gradient = w);
    if (!strncmp(cursor, "error ", 6)) {
        CHECK_MSG(status != 0, "%s: backward should fail", name);
        CHECK_STR(harness_error(), cursor + 6);
        return;
    }
    CHECK_MSG(status == 0, "%s: backward failed: %s", name, cg_last_error());
    for (int i = 0; i < n && i < 2; i++) {
        if (!strncmp(cursor + strspn(cursor, " "), "none", 4)) {
            take(&cursor);
            CHECK_MSG(!requires[i], "%s: gradient expected for input %d", name, i);
            continue;
        }
        cg_tensor *expected = golden_tensor(&cursor);
        CHECK_MSG(grads_match(name, cg_grad(in[i]), expected), "%s: gradient of input %d", name, i);
    }
}

static void test_golden(void) {
    golden_file g;
    if (golden_open(&g, "tests/data/elementwise_grad.txt") < 0) {
        CHECK(0);
        return;
    }
    int count = 0;
    for (char *line; (line = golden_next_line(&g));) {
        CG_SCOPE { run_case(line); }
        count++;
    }
    golden_close(&g);
    CHECK(count > 100);
}

/* ---- in place on a leaf that requires grad: PyTorch's error, nothing written ---- */

static const char *LEAF = "a leaf Variable that requires grad is being used in an in-place operation.";
static const char *VIEW_OF_LEAF = "a view of a leaf Variable that requires grad is being used in an in-place operation.";

typedef int (*inplace_fn)(cg_tensor *t, cg_tensor *other);
static int do_add(cg_tensor *t, cg_tensor *o) { return cg_add_(t, o); }
static int do_sub(cg_tensor *t, cg_tensor *o) { return cg_sub_(t, o); }
static int do_mul(cg_tensor *t, cg_tensor *o) { return cg_mul_(t, o); }
static int do_div(cg_tensor *t, cg_tensor *o) { return cg_div_(t, o); }
static int do_add_scalar(cg_tensor *t, cg_tensor *o) { (void)o; return cg_add_scalar_(t, 2); }
static int do_mul_scalar(cg_tensor *t, cg_tensor *o) { (void)o; return cg_mul_scalar_(t, 2); }
static int do_clamp(cg_tensor *t, cg_tensor *o) { (void)o; return cg_clamp_(t, 0, 1); }
static int do_uniform(cg_tensor *t, cg_tensor *o) { (void)o; return cg_uniform_(t, 0, 1); }
static int do_normal(cg_tensor *t, cg_tensor *o) { (void)o; return cg_normal_(t, 0, 1); }
/* The leaf check comes first, as in PyTorch: before the shape, dtype and bounds checks. */
static int do_add_bad_shape(cg_tensor *t, cg_tensor *o) { (void)o; return cg_add_(t, cg_ones(4)); }
static int do_sub_bool(cg_tensor *t, cg_tensor *o) { (void)o; return cg_sub_(t, cg_tensor_bool(((bool[]){1, 0, 1}), 3)); }
static int do_clamp_no_bounds(cg_tensor *t, cg_tensor *o) { (void)o; return cg_clamp_(t, CG_NO_BOUND, CG_NO_BOUND); }
static int do_uniform_bad_range(cg_tensor *t, cg_tensor *o) { (void)o; return cg_uniform_(t, 2, 1); }
static int do_normal_bad_std(cg_tensor *t, cg_tensor *o) { (void)o; return cg_normal_(t, 0, -1); }

static const struct {
    const char *name;
    inplace_fn fn;
} inplace_ops[] = {
    {"add_", do_add}, {"sub_", do_sub}, {"mul_", do_mul}, {"div_", do_div}, {"add_scalar_", do_add_scalar},
    {"mul_scalar_", do_mul_scalar}, {"clamp_", do_clamp}, {"uniform_", do_uniform}, {"normal_", do_normal},
    {"add_ bad shape", do_add_bad_shape}, {"sub_ bool", do_sub_bool}, {"clamp_ no bounds", do_clamp_no_bounds},
    {"uniform_ from > to", do_uniform_bad_range}, {"normal_ std < 0", do_normal_bad_std},
};

static void test_inplace_on_leaf_fails_and_writes_nothing(void) {
    for (size_t i = 0; i < sizeof inplace_ops / sizeof *inplace_ops; i++) {
        cg_tensor *x = cg_requires_grad_(cg_tensor_f32(((float[]){1, 2, 3}), 3), true);
        cg_tensor *other = cg_tensor_f32(((float[]){4, 5, 6}), 3);
        int64_t version = cg_version(x);
        cg_clear_error();
        CHECK_MSG(inplace_ops[i].fn(x, other) == -1, "%s on a leaf", inplace_ops[i].name);
        CHECK_STR(cg_last_error(), LEAF);
        CHECK_MSG(cg_version(x) == version, "%s bumped the version", inplace_ops[i].name);
        CHECK(harness_values_close(x, (double[]){1, 2, 3}, 0));
        CHECK(cg_is_leaf(x) && cg_grad_fn(x) == NULL);
        /* a view of the leaf: the other message */
        cg_tensor *row = cg_select(cg_view(x, 1, 3), 0, 0);
        cg_clear_error();
        CHECK_MSG(inplace_ops[i].fn(row, other) == -1, "%s on a view of a leaf", inplace_ops[i].name);
        CHECK_STR(cg_last_error(), VIEW_OF_LEAF);
        CHECK(cg_version(x) == version);
        CHECK(harness_values_close(x, (double[]){1, 2, 3}, 0));
    }
}

/* Under no_grad the leaf may be written (PyTorch's parameter updates), and nothing is recorded. */
static void test_inplace_on_leaf_under_no_grad(void) {
    cg_tensor *x = cg_requires_grad_(cg_tensor_f32(((float[]){1, 2, 3}), 3), true);
    int status = -1;
    CG_NO_GRAD { status = cg_mul_scalar_(x, 2); }
    CHECK(status == 0);
    CHECK(cg_version(x) == 1 && cg_is_leaf(x) && cg_requires_grad(x));
    CHECK(harness_values_close(x, (double[]){2, 4, 6}, 0));
    CG_NO_GRAD { status = cg_normal_(x, 0, 1); }
    CHECK(status == 0 && cg_version(x) == 2 && cg_is_leaf(x));
}

/* Comparisons never require grad: their outputs are bool and have no history. */
static void test_comparisons_are_not_differentiable(void) {
    cg_tensor *x = cg_requires_grad_(cg_tensor_f32(((float[]){1, 2, 3}), 3), true);
    cg_tensor *outs[] = {cg_eq(x, x), cg_ne(x, x), cg_lt(x, x), cg_le(x, x), cg_gt(x, x), cg_ge(x, x),
                         cg_eq_scalar(x, 1), cg_ne_scalar(x, 1), cg_lt_scalar(x, 1), cg_le_scalar(x, 1),
                         cg_gt_scalar(x, 1), cg_ge_scalar(x, 1)};
    for (size_t i = 0; i < sizeof outs / sizeof *outs; i++) {
        CHECK_OK(outs[i]);
        CHECK(!cg_requires_grad(outs[i]) && cg_grad_fn(outs[i]) == NULL);
    }
}

/* create_graph through in-place mul_: the saved old value is itself differentiable (PyTorch's
 * saved self.clone()), so d/dx of d(sum(y))/do is 1, as in PyTorch. */
static void test_double_backward_through_mul_(void) {
    cg_tensor *x = cg_requires_grad_(cg_tensor_f32(((float[]){1, 2, 3}), 3), true);
    cg_tensor *o = cg_requires_grad_(cg_tensor_f32(((float[]){4, 5, 6}), 3), true);
    cg_tensor *y = cg_mul_scalar(x, 1), *g = NULL, *gg = NULL;
    CHECK(cg_mul_(y, o) == 0);
    CHECK(cg_autograd_grad(.outputs = CG_TENSORS(cg_sum(y)), .inputs = CG_TENSORS(o), .results = &g,
                           .create_graph = true) == 0);
    CHECK(harness_values_close(g, (double[]){1, 2, 3}, 0));
    CHECK_STR(cg_node_name(cg_grad_fn(g)), "MulBackward0");
    CHECK(cg_autograd_grad(.outputs = CG_TENSORS(cg_sum(g)), .inputs = CG_TENSORS(x), .results = &gg) == 0);
    CHECK(harness_values_close(gg, (double[]){1, 1, 1}, 0));
}

/* An operand that shares the written tensor's base is stale after the write, so backward fails as
 * in PyTorch (whose message names it AsStridedBackward0; cgrad keeps only its storage, to avoid a
 * reference cycle through the base, and names no grad_fn); and nothing leaks (make memcheck). */
static void test_operand_sharing_the_base(void) {
    static const char *prefix = "one of the variables needed for gradient computation has been modified by an "
                                "inplace operation: [torch.FloatTensor [3]]";
    for (int op = 0; op < 2; op++) {
        cg_tensor *x = cg_requires_grad_(cg_ones(2, 3), true);
        cg_tensor *y = cg_mul_scalar(x, 1);
        cg_tensor *row1 = cg_select(y, 0, 1), *row0 = cg_select(y, 0, 0);
        CHECK((op ? cg_div_(row1, row0) : cg_mul_(row1, row0)) == 0);
        CHECK_STR(cg_node_name(cg_grad_fn(y)), "CopySlices");
        cg_clear_error();
        CHECK(cg_backward(cg_sum(y)) != 0);
        CHECK_MSG(!strncmp(cg_last_error(), prefix, strlen(prefix)), "%s", cg_last_error());
        CHECK(strstr(cg_last_error(), "is at version 1; expected version 0 instead.") != NULL);
    }
    cg_tensor *x = cg_requires_grad_(cg_ones(2, 3), true);
    cg_tensor *y = cg_mul_scalar(x, 1);
    CHECK(cg_mul_(y, cg_view(y, 2, 3)) == 0); /* an alias of y itself */
    CHECK(cg_backward(cg_sum(y)) != 0);
}

/* A saved bool tensor changed in place is named by its legacy type, as PyTorch 1.13 names it. */
static void test_modified_bool_condition(void) {
    cg_tensor *a = cg_requires_grad_(cg_tensor_f32(((float[]){1, 2}), 2), true);
    cg_tensor *c = cg_tensor_bool(((bool[]){true, false}), 2);
    cg_tensor *y = cg_where(c, a, cg_zeros(2));
    CHECK(cg_fill_(c, false) == 0);
    CHECK(cg_backward(cg_sum(y)) != 0);
    CHECK_STR(cg_last_error(), "one of the variables needed for gradient computation has been modified by an inplace "
                               "operation: [CPUBoolType [2]] is at version 1; expected version 0 instead. Hint: "
                               "enable anomaly detection to find the operation that failed to compute its gradient, "
                               "with torch.autograd.set_detect_anomaly(True).");
}

int main(void) {
    RUN(test_golden);
    RUN(test_inplace_on_leaf_fails_and_writes_nothing);
    RUN(test_inplace_on_leaf_under_no_grad);
    RUN(test_comparisons_are_not_differentiable);
    RUN(test_double_backward_through_mul_);
    RUN(test_operand_sharing_the_base);
    RUN(test_modified_bool_condition);
    HARNESS_END();
}
