/* Memory layout of results against PyTorch (tests/data/layout.txt from tools/gen_layout.py):
 * binary ops, comparisons and where over transposed, permuted, expanded, sliced, broadcast and
 * 0-dim inputs take TensorIterator's output strides; unary and scalar ops, clamp, the _like
 * family, clone and to() keep their input's layout; contiguous() and reshape's copy are row-major;
 * view of a non-viewable result fails with PyTorch's message. Sizes, strides and values. */
#include "harness.h"
#include "golden.h"
#include "core/tensor.h" /* cg_new_view: the inputs are strided views of a base */

#include <stdlib.h>

static double base_value(int64_t i) { return (double)((i * 37) % 23) * 0.25 - 2.5; }

static int64_t next_int(char **cur) { return atoll(golden_token(cur)); }

/* One input: '<dtype> <ndim> <sizes> <strides> <offset>' over a base of base_value(i). */
static cg_tensor *read_input(char **cur) {
    cg_dtype dtype = golden_dtype(golden_token(cur));
    int ndim = (int)next_int(cur);
    int64_t sizes[CG_MAX_DIMS], strides[CG_MAX_DIMS], extent = 1;
    bool empty = false;
    for (int d = 0; d < ndim; d++) empty |= (sizes[d] = next_int(cur)) == 0;
    for (int d = 0; d < ndim; d++) strides[d] = next_int(cur);
    int64_t offset = next_int(cur);
    extent = offset + 1;
    for (int d = 0; d < ndim && !empty; d++) extent += (sizes[d] - 1) * strides[d];
    cg_tensor *base = cg_empty_shape(dtype, 1, &extent);
    if (!base) return NULL;
    for (int64_t i = 0; i < extent; i++) {
        double v = base_value(i);
        if (dtype == CG_INT64) v = (double)(int64_t)(v * 4);
        cg_set(base, v, i);
    }
    return cg_new_view(base, ndim, sizes, strides, offset);
}

static cg_tensor *run_op(const char *op, cg_tensor *a, cg_tensor *b) {
    if (!strcmp(op, "add")) return cg_add(a, b);
    if (!strcmp(op, "mul")) return cg_mul(a, b);
    if (!strcmp(op, "sub")) return cg_sub(a, b);
    if (!strcmp(op, "div")) return cg_div(a, b);
    if (!strcmp(op, "maximum")) return cg_maximum(a, b);
    if (!strcmp(op, "lt")) return cg_lt(a, b);
    if (!strcmp(op, "eq")) return cg_eq(a, b);
    if (!strcmp(op, "where")) return cg_where(cg_gt_scalar(a, 0), a, b);
    if (!strcmp(op, "where_b")) return cg_where(cg_gt_scalar(b, 0), a, b);
    if (!strcmp(op, "neg")) return cg_neg(a);
    if (!strcmp(op, "abs")) return cg_abs(a);
    if (!strcmp(op, "exp")) return cg_exp(a);
    if (!strcmp(op, "relu")) return cg_relu(a);
    if (!strcmp(op, "add_scalar")) return cg_add_scalar(a, 1);
    if (!strcmp(op, "mul_scalar")) return cg_mul_scalar(a, 2.5);
    if (!strcmp(op, "rsub_scalar")) return cg_rsub_scalar(a, 1);
    if (!strcmp(op, "gt_scalar")) return cg_gt_scalar(a, 0);
    if (!strcmp(op, "clamp")) return cg_clamp(a, -1, 1);
    if (!strcmp(op, "empty_like")) return cg_empty_like(a);
    if (!strcmp(op, "zeros_like")) return cg_zeros_like(a);
    if (!strcmp(op, "ones_like")) return cg_ones_like(a);
    if (!strcmp(op, "clone")) return cg_clone(a);
    if (!strcmp(op, "to_float64")) return cg_to(a, CG_FLOAT64);
    if (!strcmp(op, "contiguous")) return cg_contiguous(a);
    if (!strcmp(op, "view_flat")) return cg_view(cg_add_scalar(a, 1), -1);
    if (!strcmp(op, "reshape_flat")) return cg_reshape(cg_add_scalar(a, 1), -1);
    if (!strcmp(op, "masked_fill")) return cg_masked_fill(a, cg_gt_scalar(a, 0), 7.0);
    if (!strcmp(op, "masked_fill_t")) return cg_masked_fill_tensor(a, cg_gt_scalar(a, 0), cg_scalar(7, cg_get_dtype(a)));
    if (!strcmp(op, "softmax")) return cg_softmax(cg_get_dtype(a) == CG_INT64 ? cg_to(a, CG_FLOAT64) : a, -1);
    if (!strcmp(op, "log_softmax0")) return cg_log_softmax(cg_get_dtype(a) == CG_INT64 ? cg_to(a, CG_FLOAT64) : a, 0);
    if (!strcmp(op, "sigmoid")) return cg_sigmoid(a);
    if (!strcmp(op, "tanh")) return cg_tanh(a);
    if (!strcmp(op, "sign")) return cg_sign(a);
    if (!strcmp(op, "pow_scalar")) return cg_pow_scalar(a, 3);
    if (!strcmp(op, "to_int64")) return cg_to(a, CG_INT64);
    if (!strcmp(op, "cat")) return cg_cat(CG_LIST(a, a), 0);
    if (!strcmp(op, "mse_none")) {
        cg_tensor *d = cg_to(a, CG_FLOAT64);
        return cg_mse_loss(d, cg_mul_scalar(d, 0.5), .reduction = CG_REDUCTION_NONE);
    }
    if (!strcmp(op, "sub_alpha")) return cg_sub_alpha(a, b, 2);
    if (!strcmp(op, "pow")) return cg_pow(a, b);
    if (!strcmp(op, "addcmul")) return cg_addcmul(a, a, b, 0.5);
    if (!strcmp(op, "lerp")) return cg_lerp(a, b, b);
    if (!strcmp(op, "clamp_tensor")) return cg_clamp_tensor(a, b, NULL);
    fprintf(stderr, "unknown op %s\n", op);
    return NULL;
}

/* The element at row-major position flat, through r's strides. */
static double element(const cg_tensor *r, int64_t flat) {
    int64_t index[CG_MAX_DIMS];
    for (int d = r->ndim - 1; d >= 0; d--) {
        index[d] = flat % r->sizes[d];
        flat /= r->sizes[d];
    }
    double v = 0;
    cg_get_at(r, r->ndim, index, &v);
    return v;
}

static int check_line(char *line) {
    char *cur = line;
    const char *op = golden_token(&cur);
    int n = (int)next_int(&cur);
    cg_tensor *in[2] = {NULL, NULL};
    for (int i = 0; i < n; i++) in[i] = read_input(&cur);
    const char *status = golden_token(&cur);
    cg_clear_error();
    cg_tensor *r = run_op(op, in[0], in[1]);
    if (strcmp(status, "OK") != 0) {
        const char *message = cur + strspn(cur, " ");
        if (!r && !strcmp(cg_last_error(), message)) return 0;
        fprintf(stderr, "  expected error \"%s\", got %s\n", message, r ? "a tensor" : cg_last_error());
        return -1;
    }
    if (!r) {
        fprintf(stderr, "  unexpected error: %s\n", cg_last_error());
        return -1;
    }
    int ndim = (int)next_int(&cur);
    bool ok = r->ndim == ndim;
    for (int d = 0; ok && d < ndim; d++) ok = r->sizes[d] == next_int(&cur);
    for (int d = 0; ok && d < ndim; d++) ok = r->strides[d] == next_int(&cur);
    if (!ok) {
        fprintf(stderr, "  got sizes %s strides %s\n", cg_shape_text(r->ndim, r->sizes).s,
                cg_shape_text(r->ndim, r->strides).s);
        return -1;
    }
    if (!strcmp(op, "empty_like")) return 0;
    for (int64_t i = 0; i < r->numel; i++) {
        const char *tok = golden_token(&cur);
        double expected = strtod(tok, NULL), got = element(r, i);
        if (got != expected && !(fabs(got - expected) <= 1e-6 * fabs(expected)) && !(isnan(got) && isnan(expected))) {
            fprintf(stderr, "  element %lld: got %.9g, expected %s\n", (long long)i, got, tok);
            return -1;
        }
    }
    return 0;
}

static void test_golden_layouts(void) {
    int bad, cases = golden_check_lines("tests/data/layout.txt", check_line, 30, &bad);
    CHECK_MSG(bad == 0, "%d of %d lines differ", bad, cases);
    CHECK(cases > 1000);
}

/* The example: a transposed result cannot be flattened by view, as in PyTorch. */
static void test_transposed_result_is_not_viewable(void) {
    cg_tensor *x = cg_view(cg_arange(0, 6, 1, CG_FLOAT32), 2, 3);
    cg_tensor *y = cg_add_scalar(cg_t(x), 1);
    CHECK_OK(y);
    CHECK(!cg_is_contiguous(y));
    CHECK_ERROR(cg_view(y, 6), "view size is not compatible with input tensor's size and stride (at least one "
                               "dimension spans across two contiguous subspaces). Use .reshape(...) instead.");
}

int main(void) {
    RUN(test_golden_layouts);
    RUN(test_transposed_result_is_not_viewable);
    HARNESS_END();
}
