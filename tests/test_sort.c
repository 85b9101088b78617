/* Sorting against PyTorch 1.13 (tests/data/sort.txt from tools/gen_sort.py): values and the
 * positions of ties as PyTorch's std::sort, std::partial_sort and std::nth_element leave them,
 * stable sorts, NaN and infinities, strided, expanded, 0-dim and empty inputs, errors; node names
 * and the gradient's routing. */
#include "golden_ops.h"

static int dispatch(const golden_op_call *c, cg_tensor **out) {
    cg_tensor *x = c->inputs[0];
    const double *a = c->args;
    const char *op = c->op;
    if (!strcmp(op, "sort")) out[0] = cg_sort(x, (int)a[0], a[1] != 0, &out[1]);
    else if (!strcmp(op, "sort_stable")) out[0] = cg_sort_stable(x, (int)a[0], a[1] != 0, a[2] != 0, &out[1]);
    else if (!strcmp(op, "topk")) out[0] = cg_topk(x, (int64_t)a[0], (int)a[1], a[2] != 0, a[3] != 0, &out[1]);
    else if (!strcmp(op, "argsort")) return (out[0] = cg_argsort(x, (int)a[0], a[1] != 0, a[2] != 0)) ? 1 : -1;
    else if (!strcmp(op, "msort")) return (out[0] = cg_msort(x)) ? 1 : -1;
    else if (!strcmp(op, "kthvalue")) out[0] = cg_kthvalue(x, (int64_t)a[0], (int)a[1], a[2] != 0, &out[1]);
    else if (!strcmp(op, "median")) out[0] = cg_median_dim(x, (int)a[0], a[1] != 0, &out[1]);
    else if (!strcmp(op, "nanmedian")) out[0] = cg_nanmedian_dim(x, (int)a[0], a[1] != 0, &out[1]);
    else if (!strcmp(op, "mode")) out[0] = cg_mode(x, (int)a[0], a[1] != 0, &out[1]);
    else if (!strcmp(op, "searchsorted")) return (out[0] = cg_searchsorted(x, c->inputs[1], a[0] != 0)) ? 1 : -1;
    else if (!strcmp(op, "bucketize")) return (out[0] = cg_bucketize(x, c->inputs[1], a[0] != 0)) ? 1 : -1;
    else if (!strcmp(op, "median_all")) return (out[0] = cg_median(x)) ? 1 : -1;
    else if (!strcmp(op, "nanmedian_all")) return (out[0] = cg_nanmedian(x)) ? 1 : -1;
    else return -2;
    return out[0] ? 2 : -1;
}

/* searchsorted warns once per program about each non-contiguous operand, as PyTorch's. */
static int warnings;
static void count_warning(const char *message, void *user) {
    (void)user;
    warnings += strstr(message, "torch.searchsorted(): ") == message;
}

static void test_golden(void) {
    cg_set_warning_handler(count_warning, NULL);
    CHECK(golden_op_file("tests/data/sort.txt", dispatch) == 0);
    CHECK(warnings == 2);
    cg_set_warning_handler(NULL, NULL);
}

static const char *node_name(cg_tensor *t) { return t && cg_grad_fn(t) ? cg_node_name(cg_grad_fn(t)) : "(none)"; }

static void test_node_names_and_gradients(void) {
    cg_tensor *x = cg_requires_grad_(cg_tensor_f32(((float[]){3, 1, 2, 1}), 4), true);
    cg_tensor *idx = NULL;
    CHECK_STR(node_name(cg_sort(x, 0, false, &idx)), "SortBackward0");
    CHECK(idx && cg_grad_fn(idx) == NULL && !cg_requires_grad(idx));
    CHECK_STR(node_name(cg_sort_stable(x, 0, false, true, NULL)), "SortBackward1");
    CHECK_STR(node_name(cg_msort(x)), "SortBackward0");
    CHECK_STR(node_name(cg_topk(x, 2, 0, true, true, NULL)), "TopkBackward0");
    CHECK(!cg_requires_grad(cg_argsort(x, 0, false, false)));
    /* (3, 1, 2, 1): the two largest are 3 and 2; weights 10, 20 go back to positions 0 and 2 */
    cg_tensor *top = cg_topk(x, 2, 0, true, true, NULL);
    CHECK(cg_backward(cg_sum(cg_mul(top, cg_tensor_f32(((float[]){10, 20}), 2)))) == 0);
    CHECK(harness_values_close(cg_grad(x), (double[]){10, 0, 20, 0}, 0));
}

static void test_null_and_out_untouched_on_error(void) {
    cg_tensor *idx = NULL;
    CHECK(cg_sort(NULL, 0, false, &idx) == NULL && idx == NULL);
    CHECK(cg_topk(cg_tensor_f32(((float[]){1, 2}), 2), 3, 0, true, true, &idx) == NULL && idx == NULL);
}

int main(void) {
    RUN(test_golden);
    RUN(test_node_names_and_gradients);
    RUN(test_null_and_out_untouched_on_error);
    HARNESS_END();
}
