/* Ops on empty tensors against PyTorch (tests/data/empty.txt from tools/gen_empty.py): shapes,
 * dtypes and values of results (sums of nothing, means of nothing, zero-sized products of
 * matrices), PyTorch's errors with their kinds, and the shape of the gradient that backward
 * through the result gives the input. */
#include "harness.h"
#include "golden.h"
#include "core/tensor.h"

#include <stdlib.h>

static int64_t next_int(char **cur) { return atoll(golden_token(cur)); }

static cg_tensor *read_input(char **cur) {
    cg_dtype dtype = golden_dtype(golden_token(cur));
    int ndim = (int)next_int(cur);
    int64_t sizes[CG_MAX_DIMS];
    for (int d = 0; d < ndim; d++) sizes[d] = next_int(cur);
    cg_tensor *t = cg_zeros_shape(dtype, ndim, sizes);
    return cg_dtype_is_floating(dtype) ? cg_requires_grad_(t, true) : t;
}

static cg_tensor *last_dim(cg_tensor *x) { return x; }

static cg_tensor *unary(const char *op, cg_tensor *x) {
    int last = cg_ndim(x) - 1;
    cg_tensor *none = cg_zeros_shape(CG_INT64, 1, (int64_t[]){0});
    cg_tensor *targets = cg_zeros_shape(CG_INT64, 1, (int64_t[]){cg_ndim(x) ? cg_size(x, 0) : 0});
    (void)last_dim;
    static const struct {
        const char *name;
        cg_tensor *(*fn)(cg_tensor *);
    } plain[] = {{"neg", cg_neg}, {"exp", cg_exp}, {"log", cg_log}, {"log1p", cg_log1p}, {"sqrt", cg_sqrt},
                 {"abs", cg_abs}, {"sign", cg_sign}, {"sin", cg_sin}, {"cos", cg_cos}, {"tan", cg_tan},
                 {"tanh", cg_tanh}, {"sigmoid", cg_sigmoid}, {"relu", cg_relu}, {"prod", cg_prod},
                 {"max", cg_max}, {"min", cg_min}, {"argmax", cg_argmax}, {"argmin", cg_argmin},
                 {"squeeze", cg_squeeze}, {"clone", cg_clone}, {"contiguous", cg_contiguous}};
    for (size_t i = 0; i < sizeof plain / sizeof *plain; i++)
        if (!strcmp(op, plain[i].name)) return plain[i].fn(x);
    if (!strcmp(op, "add_scalar")) return cg_add_scalar(x, 1);
    if (!strcmp(op, "mul_scalar")) return cg_mul_scalar(x, 2);
    if (!strcmp(op, "pow_scalar")) return cg_pow_scalar(x, 2.5);
    if (!strcmp(op, "rpow_scalar")) return cg_rpow_scalar(x, 2);
    if (!strcmp(op, "clamp")) return cg_clamp(x, -1, 1);
    if (!strcmp(op, "sum")) return cg_sum(x);
    if (!strcmp(op, "sum_dim0")) return cg_sum(x, CG_DIMS(0));
    if (!strcmp(op, "sum_dim_last")) return cg_sum(x, CG_DIMS(-1));
    if (!strcmp(op, "sum_keepdim")) return cg_sum(x, CG_DIMS(0), .keepdim = true);
    if (!strcmp(op, "mean")) return cg_mean(x);
    if (!strcmp(op, "mean_dim0")) return cg_mean(x, CG_DIMS(0));
    if (!strcmp(op, "mean_dim_last")) return cg_mean(x, CG_DIMS(-1));
    if (!strcmp(op, "prod_dim0")) return cg_prod_dim(x, 0, false);
    if (!strcmp(op, "max_dim0")) return cg_max_dim(x, 0, false, NULL);
    if (!strcmp(op, "max_dim_last")) return cg_max_dim(x, -1, false, NULL);
    if (!strcmp(op, "argmax_dim_last")) return cg_argmax_dim(x, -1, false);
    if (!strcmp(op, "var")) return cg_var(x);
    if (!strcmp(op, "std")) return cg_std(x);
    if (!strcmp(op, "var_dim0")) return cg_var(x, CG_DIMS(0));
    if (!strcmp(op, "var_dim_last")) return cg_var(x, CG_DIMS(-1));
    if (!strcmp(op, "norm")) return cg_norm(x, 2);
    if (!strcmp(op, "norm_dim0")) return cg_norm(x, 2, CG_DIMS(0));
    if (!strcmp(op, "norm_inf")) return cg_norm(x, INFINITY);
    if (!strcmp(op, "softmax_last")) return cg_softmax(x, -1);
    if (!strcmp(op, "softmax0")) return cg_softmax(x, 0);
    if (!strcmp(op, "log_softmax_last")) return cg_log_softmax(x, -1);
    if (!strcmp(op, "view_flat")) return cg_view(x, -1);
    if (!strcmp(op, "reshape_flat")) return cg_reshape(x, -1);
    if (!strcmp(op, "view_infer")) return cg_view(x, 0, -1);
    if (!strcmp(op, "reshape_infer")) return cg_reshape(x, -1, 0);
    if (!strcmp(op, "transpose")) return cg_transpose(x, 0, -1);
    if (!strcmp(op, "unsqueeze0")) return cg_unsqueeze(x, 0);
    if (!strcmp(op, "flatten")) return cg_flatten(x, 0, -1);
    if (!strcmp(op, "expand")) {
        int64_t sizes[CG_MAX_DIMS] = {2};
        memcpy(sizes + 1, x->sizes, (size_t)x->ndim * sizeof *sizes);
        return cg_expand_shape(x, x->ndim + 1, sizes);
    }
    if (!strcmp(op, "narrow")) return cg_narrow(x, 0, 0, 0);
    if (!strcmp(op, "select_last")) return cg_select(x, last, 0);
    if (!strcmp(op, "index_select0")) return cg_index_select(x, 0, none);
    if (!strcmp(op, "cat0")) return cg_cat(CG_LIST(x, x), 0);
    if (!strcmp(op, "cat_last")) return cg_cat(CG_LIST(x, x), -1);
    if (!strcmp(op, "stack")) return cg_stack(CG_LIST(x, x), 0);
    if (!strcmp(op, "to_float64")) return cg_to(x, CG_FLOAT64);
    if (!strcmp(op, "zeros_like")) return cg_zeros_like(x);
    if (!strcmp(op, "where_self")) return cg_where(cg_gt_scalar(x, 0), x, x);
    if (!strcmp(op, "mse_loss")) return cg_mse_loss(x, cg_detach(x));
    if (!strcmp(op, "mse_loss_sum")) return cg_mse_loss(x, cg_detach(x), .reduction = CG_REDUCTION_SUM);
    if (!strcmp(op, "bce_logits")) return cg_binary_cross_entropy_with_logits(x, cg_detach(x));
    if (!strcmp(op, "cross_entropy")) return cg_cross_entropy(x, targets);
    if (!strcmp(op, "nll_loss")) return cg_nll_loss(x, targets);
    if (!strcmp(op, "masked_fill")) return cg_masked_fill(x, cg_gt_scalar(x, 0), 2.0);
    cg_tensor *zeros_index = cg_zeros_shape(CG_INT64, x->ndim, x->sizes);
    if (!strcmp(op, "gather0")) return cg_gather(x, 0, zeros_index);
    if (!strcmp(op, "scatter_add0")) return cg_scatter_add(x, 0, zeros_index, x);
    if (!strcmp(op, "addcmul")) return cg_addcmul(x, x, x, 2);
    if (!strcmp(op, "lerp")) return cg_lerp_scalar(x, x, 0.5);
    cg_tensor *copy = cg_clone(cg_detach(x));
    if (!strcmp(op, "add_inplace")) return cg_add_scalar_(copy, 1) == 0 ? copy : NULL;
    if (!strcmp(op, "mul_inplace_leaf")) return cg_mul_scalar_(x, 2) == 0 ? x : NULL;
    if (!strcmp(op, "exp_inplace")) return cg_exp_(copy) == 0 ? copy : NULL;
    if (!strcmp(op, "fill_inplace")) return cg_fill_(copy, 3) == 0 ? copy : NULL;
    cg_tensor *pieces[16];
    int count = -1;
    if (!strcmp(op, "unbind0_count")) count = cg_unbind(x, 0, pieces, 16);
    if (!strcmp(op, "chunk_last_count")) count = cg_chunk(x, 2, -1, pieces, 16);
    if (!strncmp(op, "unbind", 6) || !strncmp(op, "chunk", 5)) return count < 0 ? NULL : cg_scalar(count, CG_INT64);
    fprintf(stderr, "unknown op %s\n", op);
    return NULL;
}

static cg_tensor *binary(const char *op, cg_tensor *a, cg_tensor *b) {
    static const struct {
        const char *name;
        cg_tensor *(*fn)(cg_tensor *, cg_tensor *);
    } ops[] = {{"add", cg_add}, {"sub", cg_sub}, {"mul", cg_mul}, {"div", cg_div}, {"pow", cg_pow},
               {"maximum", cg_maximum}, {"minimum", cg_minimum}, {"eq", cg_eq}, {"lt", cg_lt},
               {"dot", cg_dot}, {"mv", cg_mv}, {"mm", cg_mm}, {"bmm", cg_bmm}, {"matmul", cg_matmul}};
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++)
        if (!strcmp(op, ops[i].name)) return ops[i].fn(a, b);
    if (!strcmp(op, "where")) return cg_where(cg_gt_scalar(a, 0), a, b);
    fprintf(stderr, "unknown op %s\n", op);
    return NULL;
}

static bool same_values(const cg_tensor *r, const cg_tensor *e) {
    if (cg_get_dtype(r) != cg_get_dtype(e) || !cg_same_shape(r->ndim, r->sizes, e->ndim, e->sizes)) return false;
    cg_tensor *a = cg_contiguous(cg_to((cg_tensor *)r, CG_FLOAT64)), *b = cg_to((cg_tensor *)e, CG_FLOAT64);
    for (int64_t i = 0; a && b && i < a->numel; i++) {
        double x = ((const double *)cg_data_ptr(a))[i], y = ((const double *)cg_data_ptr(b))[i];
        if (x != y && !(isnan(x) && isnan(y))) return false;
    }
    return a && b;
}

static int check_line(char *line) {
    char *cur = line;
    const char *op = golden_token(&cur);
    int n = (int)next_int(&cur);
    cg_tensor *in[2] = {NULL, NULL};
    for (int i = 0; i < n; i++) in[i] = read_input(&cur);
    const char *status = golden_token(&cur);
    cg_clear_error();
    cg_tensor *r = n == 1 ? unary(op, in[0]) : binary(op, in[0], in[1]);
    if (strcmp(status, "OK") != 0) {
        char got[512];
        snprintf(got, sizeof got, "%s: %s", cg_error_kind_name(cg_last_error_kind()), cg_last_error());
        const char *message = cur + strspn(cur, " ");
        if (!r && !strcmp(got, message)) return 0;
        fprintf(stderr, "  expected error \"%s\", got %s\n", message, r ? "a tensor" : got);
        return -1;
    }
    if (!r) {
        fprintf(stderr, "  unexpected error: %s\n", cg_last_error());
        return -1;
    }
    cg_tensor *expected = golden_tensor(&cur);
    if (!expected || !same_values(r, expected)) {
        fprintf(stderr, "  got %s %s\n", cg_dtype_name(cg_get_dtype(r)), cg_shape_text(r->ndim, r->sizes).s);
        return -1;
    }
    const char *grad = golden_token(&cur);
    if (!grad) return 0;
    if (cg_backward(cg_sum(r)) < 0) {
        fprintf(stderr, "  backward failed: %s\n", cg_last_error());
        return -1;
    }
    cg_tensor *g = cg_grad(in[0]);
    int ndim = (int)next_int(&cur);
    bool ok = g && g->ndim == ndim;
    for (int d = 0; ok && d < ndim; d++) ok = g->sizes[d] == next_int(&cur);
    if (!ok) fprintf(stderr, "  wrong gradient shape\n");
    return ok ? 0 : -1;
}

static void test_golden_empty(void) {
    int bad, cases = golden_check_lines("tests/data/empty.txt", check_line, 60, &bad);
    CHECK_MSG(bad == 0, "%d of %d lines differ", bad, cases);
    CHECK(cases > 500);
}

/* In-place ops on an empty expanded tensor: no two of its (no) elements share memory. */
static void test_inplace_on_empty_expanded(void) {
    cg_tensor *x = cg_expand(cg_zeros(3, 0), 2, 3, 0);
    CHECK(cg_add_scalar_(x, 1) == 0);
    CHECK(cg_mul_(x, cg_ones(1)) == 0);
    CHECK(cg_zero_(x) == 0);
    cg_tensor *y = cg_expand(cg_zeros(1, 0), 3, 0);
    CHECK(cg_fill_(y, 2) == 0);
    CHECK(cg_copy_(y, cg_zeros(0)) == 0);
}

int main(void) {
    RUN(test_golden_empty);
    RUN(test_inplace_on_empty_expanded);
    HARNESS_END();
}
