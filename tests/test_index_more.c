/* The indexing ops of src/ops/index_more.c (index_add/copy/fill, take, put, take_along_dim,
 * masked_select/scatter) against PyTorch (tests/data/index_more.txt from
 * tools/gen_index_more.py): values, dtypes, shapes, strides, the node name and every error text,
 * on strided inputs; then behaviour the golden file does not show. */
#include "golden.h"
#include "harness.h"
#include "core/tensor.h" /* cg_new_view: golden inputs are strided views of a storage */

#include <stdlib.h>

#define MAX_INPUTS 16384
#define MAX_LIST 16
#define MAX_OUT 16

static cg_tensor *inputs[MAX_INPUTS];

static int read_input(char *cursor) {
    int id = atoi(golden_token(&cursor));
    if (id < 0 || id >= MAX_INPUTS) return -1;
    cg_tensor *storage = golden_tensor(&cursor);
    if (!storage) return -1;
    int ndim = atoi(golden_token(&cursor));
    int64_t sizes[CG_MAX_DIMS], strides[CG_MAX_DIMS];
    for (int d = 0; d < ndim; d++) sizes[d] = atoll(golden_token(&cursor));
    for (int d = 0; d < ndim; d++) strides[d] = atoll(golden_token(&cursor));
    int64_t offset = atoll(golden_token(&cursor));
    inputs[id] = cg_keep(cg_new_view(storage, ndim, sizes, strides, offset));
    return inputs[id] ? 0 : -1;
}

typedef struct {
    int n;
    int64_t v[MAX_LIST];
    cg_number number; /* an "n:<repr>" argument */
} arg_list;

static arg_list parse_list(char *tok) {
    arg_list a = {0, {0}, {0}};
    if (!strncmp(tok, "n:", 2)) {
        char *cursor = tok + 2;
        a.number = golden_number(&cursor);
        return a;
    }
    if (!strcmp(tok, "_")) return a;
    for (const char *s = tok; *s && a.n < MAX_LIST;) {
        char *end;
        a.v[a.n++] = strtoll(s, &end, 10);
        s = *end == ',' ? end + 1 : end;
    }
    return a;
}

/* Runs op: its results into out, their count returned (-1 on error). */
static int run_op(const char *op, const arg_list *a, cg_tensor **in, int nin, cg_tensor **out) {
    cg_tensor *r = NULL;
    int n = -2;
#define IS(name) !strcmp(op, name)
    (void)nin;
    if (IS("index_add")) r = cg_index_add_number(in[0], (int)a[0].v[0], in[1], in[2], a[1].number);
    else if (IS("index_copy")) r = cg_index_copy(in[0], (int)a[0].v[0], in[1], in[2]);
    else if (IS("index_fill")) r = cg_index_fill_number(in[0], (int)a[0].v[0], in[1], a[1].number);
    else if (IS("index_fill_tensor")) r = cg_index_fill_tensor(in[0], (int)a[0].v[0], in[1], in[2]);
    else if (IS("take")) r = cg_take(in[0], in[1]);
    else if (IS("put")) r = cg_put(in[0], in[1], in[2], a[0].number.i != 0);
    else if (IS("take_along_dim") && a[0].n) r = cg_take_along_dim(in[0], in[1], (int)a[0].v[0]);
    else if (IS("take_along_dim")) r = cg_take_along_dim_flat(in[0], in[1]);
    else if (IS("masked_select")) r = cg_masked_select(in[0], in[1]);
    else if (IS("masked_scatter")) r = cg_masked_scatter(in[0], in[1], in[2]);
    else if (IS("scatter_value")) r = cg_scatter_value(in[0], (int)a[0].v[0], in[1], a[1].number);
    else if (IS("scatter_reduce"))
        r = cg_scatter_reduce(in[0], (int)a[0].v[0], in[1], in[2], (cg_scatter_reduction)a[1].number.i, a[2].number.i != 0);
    else if (IS("index_reduce"))
        r = cg_index_reduce(in[0], (int)a[0].v[0], in[1], in[2], (cg_scatter_reduction)a[1].number.i, a[2].number.i != 0);
    else if (IS("scatter_with_reduce"))
        r = cg_scatter_with_reduce(in[0], (int)a[0].v[0], in[1], in[2], (cg_scatter_reduction)a[1].number.i);
    else if (IS("index") || IS("index_put")) {
        cg_tensor *list[MAX_LIST];
        int k = 1;
        for (int e = 0; e < a[0].n; e++) list[e] = a[0].v[e] ? in[k++] : NULL;
        r = IS("index") ? cg_index(in[0], list, a[0].n) : cg_index_put(in[0], list, a[0].n, in[k], a[1].number.i != 0);
    }
    else {
        fprintf(stderr, "unknown op %s\n", op);
        return -1;
    }
#undef IS
    if (n != -2) return n;
    out[0] = r;
    return r ? 1 : -1;
}

/* One result against its golden description: kind (0 new, 1 view, 2 the input), node, strides, values. */
static int same_result(cg_tensor *r, cg_tensor *first, cg_tensor *grad_r, char **cursor, int line_no) {
    int kind = atoi(golden_token(cursor));
    const char *node = golden_token(cursor);
    int ndim = atoi(golden_token(cursor));
    int64_t strides[CG_MAX_DIMS];
    for (int d = 0; d < ndim; d++) strides[d] = atoll(golden_token(cursor));
    cg_tensor *expected = golden_tensor(cursor);
    int got_kind = r == first ? 2 : cg_shares_storage(r, first) ? 1 : 0;
    CHECK_MSG(got_kind == kind, "line %d: kind %d, expected %d", line_no, got_kind, kind);
    const char *got_node = grad_r && cg_grad_fn(grad_r) ? cg_node_name(cg_grad_fn(grad_r)) : "-";
    CHECK_MSG(!strcmp(got_node, node), "line %d: node %s, expected %s", line_no, got_node, node);
    if (!expected || cg_ndim(r) != ndim) return 0;
    for (int d = 0; d < ndim; d++)
        if (cg_stride(r, d) != strides[d]) return 0;
    return harness_same_bits(r, expected);
}

static bool is_float(const cg_tensor *t) { return cg_dtype_is_floating(cg_get_dtype(t)); }

static void test_golden_index_ops(void) {
    golden_file g;
    if (golden_open(&g, "tests/data/index_more.txt") != 0) {
        CHECK(0);
        return;
    }
    int cases = 0, line_no = 1;
    char *line;
    while ((line = golden_next_line(&g))) {
        line_no++;
        char *cursor = line;
        char *op = golden_token(&cursor);
        if (!strcmp(op, "in")) {
            CHECK_MSG(read_input(cursor) == 0, "line %d: bad input", line_no);
            continue;
        }
        arg_list args[4];
        int nargs = atoi(golden_token(&cursor));
        for (int i = 0; i < nargs; i++) args[i] = parse_list(golden_token(&cursor));
        int nin = atoi(golden_token(&cursor));
        cg_tensor *in[8];
        for (int i = 0; i < nin; i++) in[i] = inputs[atoi(golden_token(&cursor))];
        const char *status = golden_token(&cursor);
        cases++;
        CG_SCOPE {
            int64_t versions[8];
            for (int i = 0; i < nin; i++) versions[i] = cg_version(in[i]);
            cg_tensor *out[MAX_OUT], *grad_out[MAX_OUT] = {0}, *grad_in[8];
            cg_clear_error();
            int n = run_op(op, args, in, nin, out);
            if (!strcmp(status, "err")) {
                const char *message = cursor + strspn(cursor, " ");
                CHECK_MSG(n < 0, "line %d: %s should fail with \"%s\"", line_no, op, message);
                /* PyTorch 1.13 fails on an empty self with a message of its internals (its kernel's
                 * restrided view of the empty storage); cgrad fails too, with its own check's text */
                bool internal = strstr(message, "setStorage: ") != NULL;
                CHECK_MSG(internal || !strcmp(harness_error(), message),
                          "line %d: %s\n  got:      \"%s\"\n  expected: \"%s\"", line_no, op, harness_error(), message);
            } else {
                int expected_n = atoi(golden_token(&cursor));
                CHECK_MSG(n == expected_n, "line %d: %s gave %d results (%s), expected %d", line_no, op, n,
                          cg_last_error(), expected_n);
                /* the same op on inputs requiring grad, for the node names */
                for (int i = 0; i < nin; i++)
                    grad_in[i] = is_float(in[i]) ? cg_requires_grad_(cg_detach(in[i]), true) : in[i];
                if (n == expected_n && run_op(op, args, grad_in, nin, grad_out) != n) memset(grad_out, 0, sizeof grad_out);
                for (int i = 0; i < n && i == 0 ? 1 : i < n; i++)
                    CHECK_MSG(n == expected_n && same_result(out[i], in[0], grad_out[i], &cursor, line_no),
                              "line %d: %s result %d differs from PyTorch", line_no, op, i);
            }
            for (int i = 0; i < nin; i++) CHECK(cg_version(in[i]) == versions[i]);
        }
    }
    golden_close(&g);
    CHECK_MSG(cases > 4000, "only %d cases read", cases);
}

/* torch.nonzero's results (PyTorch 1.13: values, shapes and strides). */
static void test_nonzero(void) {
    cg_tensor *x = cg_tensor_f32(((float[]){0, 1.5f, 0, -2, 0, 0, 3, 0}), 2, 4);
    cg_tensor *r = cg_nonzero(x);
    int64_t expected[] = {0, 1, 0, 3, 1, 2}, got[6] = {0};
    CHECK_OK(r);
    CHECK(cg_ndim(r) == 2 && cg_size(r, 0) == 3 && cg_size(r, 1) == 2 && cg_stride(r, 0) == 1 && cg_stride(r, 1) == 3);
    CHECK(cg_get_dtype(r) == CG_INT64 && cg_copy_to(r, got, 6, CG_INT64) == 0 && !memcmp(got, expected, sizeof got));
    r = cg_argwhere(cg_transpose(cg_gt_scalar(x, 0), 0, 1)); /* x.t() > 0: (1, 0), (2, 1) */
    int64_t t_expected[] = {1, 0, 2, 1};
    CHECK(r && cg_size(r, 0) == 2 && cg_copy_to(r, got, 4, CG_INT64) == 0 && !memcmp(got, t_expected, sizeof t_expected));
    r = cg_nonzero(cg_scalar(2, CG_FLOAT64)); /* (1, 0), strides (1, 1) */
    CHECK(r && cg_size(r, 0) == 1 && cg_size(r, 1) == 0 && cg_stride(r, 0) == 1 && cg_stride(r, 1) == 1);
    r = cg_nonzero(cg_zeros(3)); /* (0, 1) */
    CHECK(r && cg_size(r, 0) == 0 && cg_size(r, 1) == 1);
    CHECK_ERROR(cg_nonzero(cg_to_device(cg_ones(2), CG_META)),
                "Could not run 'aten::nonzero' with arguments from the 'Meta' backend.");
    cg_set_error("first");
    CHECK(!cg_nonzero(NULL) && !cg_argwhere(NULL));
    CHECK_STR(cg_last_error(), "first");
}

static int grad_of(cg_tensor *y, cg_tensor *x, cg_tensor *g, cg_tensor **gx) {
    return cg_autograd_grad(.outputs = CG_TENSORS(y), .inputs = CG_TENSORS(x), .results = gx,
                            .grad_outputs = CG_TENSORS(g), .create_graph = true);
}

/* What the golden file does not show: meta tensors, a mask of another dtype for masked_scatter
 * (PyTorch 1.13 reads its bytes as bools; cgrad refuses it with PyTorch 2's message) and the
 * nodes of the gradients' own graphs (PyTorch 1.13's names). */
static void test_take_put_masked(void) {
    cg_tensor *m = cg_to_device(cg_zeros(2, 3), CG_META), *mi = cg_to_device(cg_tensor_i64(((int64_t[]){0, 1}), 2), CG_META);
    CHECK_ERROR(cg_take(m, mi), "Could not run 'aten::take' with arguments from the 'Meta' backend.");
    CHECK_ERROR(cg_masked_select(m, cg_to_device(cg_ones_like(cg_zeros(3)), CG_META)),
                "Could not run 'aten::masked_select' with arguments from the 'Meta' backend.");
    cg_tensor *r = cg_put(m, mi, cg_to_device(cg_zeros(2), CG_META), true);
    CHECK(r && cg_ndim(r) == 2 && cg_size(r, 1) == 3);
    cg_tensor *x = cg_requires_grad_(cg_tensor_f64(((double[]){1, 2, 3}), 3), true);
    cg_tensor *mask = cg_tensor_bool(((bool[]){1, 0, 1}), 3);
    CHECK_ERROR(cg_masked_scatter(x, cg_tensor_i64(((int64_t[]){1, 0, 1}), 3), x),
                "masked_scatter_ only supports boolean masks, but got mask with dtype long int");
    cg_tensor *g = cg_requires_grad_(cg_ones_shape(CG_FLOAT64, CG_SHAPE(2)), true), *gx = NULL;
    CHECK(grad_of(cg_masked_select(x, mask), x, g, &gx) == 0 && gx);
    CHECK_STR(cg_node_name(cg_grad_fn(gx)), "MaskedScatterBackward0");
    CHECK(grad_of(cg_take(x, cg_tensor_i64(((int64_t[]){2, -1}), 2)), x, g, &gx) == 0 && gx);
    CHECK_STR(cg_node_name(cg_grad_fn(gx)), "PutBackward0");
    double want[] = {0, 0, 2}, got[3];
    CHECK(cg_copy_to(gx, got, 3, CG_FLOAT64) == 0 && !memcmp(got, want, sizeof got));
}

/* In-place index_put_ (x[idx] = v) and what the golden file does not show (PyTorch 1.13's results). */
static void test_index_put_inplace(void) {
    cg_tensor *x = cg_requires_grad_(cg_zeros_shape(CG_FLOAT32, CG_SHAPE(2, 3)), true), *gx = NULL;
    CHECK(cg_index_put_(x, CG_LIST(cg_tensor_i64(((int64_t[]){0}), 1)), cg_scalar(1, CG_FLOAT32), false) < 0);
    CHECK_STR(cg_last_error(), "a leaf Variable that requires grad is being used in an in-place operation.");
    cg_tensor *y = cg_mul_scalar(x, 1);
    int64_t version = cg_version(y);
    CHECK(cg_index_put_(y, CG_LIST(cg_tensor_i64(((int64_t[]){1, 1}), 2)), cg_tensor_f32(((float[]){1, 2, 3}), 1, 3), true) == 0);
    float want[] = {0, 0, 0, 2, 4, 6}, got[6];
    CHECK(cg_copy_to(y, got, 6, CG_FLOAT32) == 0 && !memcmp(got, want, sizeof got) && cg_version(y) == version + 1);
    CHECK_STR(cg_node_name(cg_grad_fn(y)), "IndexPutBackward0");
    /* one mask and a one-element value: masked_fill_ with value.item(), any dtype, its overflow check */
    cg_tensor *z = cg_mul_scalar(x, 1), *mask = cg_tensor_bool(((bool[]){1, 0, 1, 0, 0, 1}), 2, 3);
    CHECK(cg_index_put_(z, CG_LIST(mask), cg_scalar(7, CG_FLOAT64), false) == 0);
    float want_z[] = {7, 0, 7, 0, 0, 7}, ones[] = {1, 1, 1, 1, 1, 1}, want_g[] = {0, 1, 0, 1, 1, 0};
    CHECK(cg_copy_to(z, got, 6, CG_FLOAT32) == 0 && !memcmp(got, want_z, sizeof got));
    CHECK(grad_of(z, x, cg_tensor_f32(ones, 2, 3), &gx) == 0 && cg_copy_to(gx, got, 6, CG_FLOAT32) == 0 &&
          !memcmp(got, want_g, sizeof got));
    CHECK(cg_index_put_(cg_zeros(2, 3), CG_LIST(mask), cg_scalar(1e39, CG_FLOAT64), false) < 0);
    CHECK_STR(cg_last_error(), "value cannot be converted to type float without overflow");
    /* index's gradient under create_graph: IndexPutImplBackward0 */
    cg_tensor *g = cg_requires_grad_(cg_ones(2, 2), true);
    CHECK(grad_of(cg_index(x, CG_LIST(NULL, cg_tensor_i64(((int64_t[]){0, 0}), 2))), x, g, &gx) == 0 && gx);
    CHECK_STR(cg_node_name(cg_grad_fn(gx)), "IndexPutImplBackward0");
    float want_i[] = {2, 0, 0, 2, 0, 0};
    CHECK(cg_copy_to(gx, got, 6, CG_FLOAT32) == 0 && !memcmp(got, want_i, sizeof got));
    /* meta: shapes only (a mask needs nonzero, which meta has not) */
    cg_tensor *m = cg_to_device(cg_zeros(2, 3), CG_META);
    cg_tensor *r = cg_index(m, CG_LIST(NULL, cg_to_device(cg_tensor_i64(((int64_t[]){0, 5, 1, 2}), 2, 2), CG_META)));
    CHECK(r && cg_ndim(r) == 3 && cg_size(r, 0) == 2 && cg_size(r, 2) == 2 && cg_get_device(r) == CG_META);
}

/* The gradients PyTorch 1.13 refuses: scatter(reduce=) has none, prod's double backward for src
 * with two zeros meeting (its DelayedError node, "Error"). */
static void test_scatter_refused_gradients(void) {
    cg_tensor *x = cg_requires_grad_(cg_tensor_f64(((double[]){2, 3}), 2), true), *gs[2] = {0};
    cg_tensor *s = cg_requires_grad_(cg_tensor_f64(((double[]){0, 0, 1}), 3), true);
    cg_tensor *index = cg_tensor_i64(((int64_t[]){0, 0, 1}), 3);
    cg_tensor *y = cg_scatter_with_reduce(x, 0, index, s, CG_SCATTER_SUM);
    CHECK(y && !strcmp(cg_node_name(cg_grad_fn(y)), "NotImplemented"));
    CHECK(cg_backward(cg_sum(y)) < 0);
    CHECK_STR(cg_last_error(), "derivative for aten::scatter is not implemented");
    CHECK_ERROR(cg_scatter_with_reduce(x, 0, index, s, CG_SCATTER_MEAN), "reduce argument must be either add or multiply.");
    y = cg_scatter_reduce(x, 0, index, s, CG_SCATTER_PROD, true);
    CHECK(cg_autograd_grad(.outputs = CG_TENSORS(y), .inputs = CG_TENSORS(x, s), .results = gs,
                           .grad_outputs = CG_TENSORS(cg_requires_grad_(cg_ones_shape(CG_FLOAT64, CG_SHAPE(2)), true)),
                           .create_graph = true) == 0);
    double want_x[] = {0, 1}, want_s[] = {0, 0, 3}, got[3];
    CHECK(cg_copy_to(gs[0], got, 2, CG_FLOAT64) == 0 && !memcmp(got, want_x, sizeof want_x));
    CHECK(cg_copy_to(gs[1], got, 3, CG_FLOAT64) == 0 && !memcmp(got, want_s, sizeof want_s));
    CHECK_STR(cg_node_name(cg_grad_fn(gs[1])), "Error");
    CHECK(cg_backward(cg_sum(gs[1])) < 0);
    CHECK_STR(cg_last_error(), "scatter_reduce(): Double backward is unsupported for src when >1 zeros in src are "
                               "scattered to the same position in self");
}

/* A CPU operand with a meta one gives a meta result (the lenient devices of PyTorch's meta kernels). */
static void test_mixed_meta(void) {
    cg_tensor *cpu = cg_rand_shape(CG_FLOAT64, CG_SHAPE(2, 3)), *meta = cg_to_device(cpu, CG_META);
    cg_tensor *index = cg_tensor_i64(((int64_t[]){0, 1}), 2), *rows = cg_tensor_i64(((int64_t[]){1, 0, 1}), 1, 3);
    cg_tensor *flat = cg_to_device(cg_rand_shape(CG_FLOAT64, CG_SHAPE(2)), CG_META);
    cg_tensor *results[] = {
        cg_put(cpu, index, flat, true),
        cg_masked_scatter(cpu, cg_tensor_bool(((bool[]){1, 0, 1}), 3), cg_to_device(cg_zeros_shape(CG_FLOAT64, CG_SHAPE(6)), CG_META)),
        cg_index_put(cpu, CG_LIST(index), cg_to_device(cg_zeros_shape(CG_FLOAT64, CG_SHAPE(3)), CG_META), false),
        cg_index_reduce(cpu, 0, index, meta, CG_SCATTER_AMAX, false),
        cg_scatter_reduce(cpu, 0, rows, meta, CG_SCATTER_MEAN, true),
        cg_scatter_with_reduce(cpu, 0, rows, meta, CG_SCATTER_PROD),
        cg_index_add(cpu, 0, index, meta),
        cg_index_copy(cpu, 0, index, meta),
    };
    for (size_t i = 0; i < sizeof results / sizeof results[0]; i++)
        CHECK_MSG(results[i] && cg_get_device(results[i]) == CG_META, "op %zu: %s", i, cg_last_error());
}

int main(void) {
    RUN(test_mixed_meta);
    RUN(test_scatter_refused_gradients);
    RUN(test_index_put_inplace);
    RUN(test_golden_index_ops);
    RUN(test_take_put_masked);
    RUN(test_nonzero);
    HARNESS_END();
}
