/* The shape ops of src/ops/shape.c against PyTorch (tests/data/shape.txt from tools/gen_shape.py):
 * values, dtypes, shapes, strides, whether the result is a view, the node name and every error
 * text, on strided inputs; then behaviour the golden file does not show. */
#include "golden.h"
#include "harness.h"
#include "core/tensor.h" /* cg_new_view: golden inputs are strided views of a storage */

#include <stdlib.h>

#define MAX_INPUTS 4096
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
} arg_list;

static arg_list parse_list(const char *tok) {
    arg_list a = {0, {0}};
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
    if (IS("flip")) r = cg_flip_dims(in[0], a[0].n, a[0].v);
    else if (IS("fliplr")) r = cg_fliplr(in[0]);
    else if (IS("flipud")) r = cg_flipud(in[0]);
    else if (IS("roll")) r = cg_roll(in[0], a[0].n, a[0].v, a[1].n, a[1].v);
    else if (IS("rot90")) r = cg_rot90(in[0], a[0].v[0], a[1].v[0], a[2].v[0]);
    else if (IS("repeat")) r = cg_repeat_shape(in[0], a[0].n, a[0].v);
    else if (IS("tile")) r = cg_tile_shape(in[0], a[0].n, a[0].v);
    else if (IS("tril")) r = cg_tril(in[0], a[0].v[0]);
    else if (IS("triu")) r = cg_triu(in[0], a[0].v[0]);
    else if (IS("diagonal")) r = cg_diagonal(in[0], a[0].v[0], a[1].v[0], a[2].v[0]);
    else if (IS("diag_embed")) r = cg_diag_embed(in[0], a[0].v[0], a[1].v[0], a[2].v[0]);
    else if (IS("diag")) r = cg_diag(in[0], a[0].v[0]);
    else if (IS("diagflat")) r = cg_diagflat(in[0], a[0].v[0]);
    else if (IS("movedim")) r = cg_movedim_dims(in[0], a[0].n, a[0].v, a[1].n, a[1].v);
    else if (IS("unflatten")) r = cg_unflatten(in[0], a[0].v[0], a[1].n, a[1].v);
    else if (IS("ravel")) r = cg_ravel(in[0]);
    else if (IS("atleast_1d")) r = cg_atleast_1d(in[0]);
    else if (IS("atleast_2d")) r = cg_atleast_2d(in[0]);
    else if (IS("atleast_3d")) r = cg_atleast_3d(in[0]);
    else if (IS("hstack")) r = cg_hstack(in, nin);
    else if (IS("vstack")) r = cg_vstack(in, nin);
    else if (IS("dstack")) r = cg_dstack(in, nin);
    else if (IS("column_stack")) r = cg_column_stack(in, nin);
    else if (IS("broadcast_to")) r = cg_broadcast_to(in[0], a[0].n, a[0].v);
    else if (IS("expand_as")) r = cg_expand_as(in[0], in[1]);
    else if (IS("view_as")) r = cg_view_as(in[0], in[1]);
    else if (IS("reshape_as")) r = cg_reshape_as(in[0], in[1]);
    else if (IS("tensor_split")) n = cg_tensor_split(in[0], a[0].v[0], a[1].v[0], out, MAX_OUT);
    else if (IS("tensor_split_idx")) n = cg_tensor_split_indices(in[0], a[0].n, a[0].v, a[1].v[0], out, MAX_OUT);
    else if (IS("hsplit")) n = cg_hsplit(in[0], a[0].v[0], out, MAX_OUT);
    else if (IS("vsplit")) n = cg_vsplit(in[0], a[0].v[0], out, MAX_OUT);
    else if (IS("dsplit")) n = cg_dsplit(in[0], a[0].v[0], out, MAX_OUT);
    else if (IS("hsplit_idx")) n = cg_hsplit_indices(in[0], a[0].n, a[0].v, out, MAX_OUT);
    else if (IS("vsplit_idx")) n = cg_vsplit_indices(in[0], a[0].n, a[0].v, out, MAX_OUT);
    else if (IS("dsplit_idx")) n = cg_dsplit_indices(in[0], a[0].n, a[0].v, out, MAX_OUT);
    else if (IS("chunk")) n = cg_chunk(in[0], (int)a[0].v[0], (int)a[1].v[0], out, MAX_OUT);
    else if (IS("broadcast_tensors")) n = cg_broadcast_tensors(in, nin, out);
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

static void test_golden_shape_ops(void) {
    golden_file g;
    if (golden_open(&g, "tests/data/shape.txt") != 0) {
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
                CHECK_MSG(!strcmp(harness_error(), message), "line %d: %s\n  got:      \"%s\"\n  expected: \"%s\"",
                          line_no, op, harness_error(), message);
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
    CHECK_MSG(cases > 2500, "only %d cases read", cases);
}

/* ---- behaviour the golden file does not show ---- */

static void test_diagonal_is_a_view(void) {
    cg_tensor *x = cg_zeros(3, 3);
    cg_tensor *d = cg_diagonal(x, 0, 0, 1);
    CHECK(cg_fill_(d, 2) == 0);
    CHECK(cg_version(x) == 1 && cg_version(d) == 1);
    double v = 0;
    CHECK(cg_get(x, &v, 1, 1) == 0 && v == 2);
    CHECK(cg_get(x, &v, 0, 1) == 0 && v == 0);
    /* written in place through the view: the base's history becomes CopySlices */
    cg_tensor *leaf = cg_requires_grad_(cg_ones(3, 3), true);
    cg_tensor *y = cg_mul_scalar(leaf, 2);
    cg_tensor *yd = cg_diagonal(y, 1, 0, 1);
    CHECK(cg_mul_scalar_(yd, 3) == 0);
    CHECK_STR(cg_node_name(cg_grad_fn(y)), "CopySlices");
    CHECK(cg_backward(cg_sum(y)) == 0);
    double g01 = 0, g00 = 0;
    CHECK(cg_get(cg_grad(leaf), &g01, 0, 1) == 0 && cg_get(cg_grad(leaf), &g00, 0, 0) == 0);
    CHECK(g01 == 6 && g00 == 2);
}

static void test_copies_do_not_share(void) {
    cg_tensor *x = cg_arange(0, 6, 1, CG_FLOAT32);
    cg_tensor *m = cg_reshape(x, 2, 3);
    cg_tensor *ops[] = {cg_flip(m, 0), cg_roll(m, 1, (const int64_t[]){1}, 0, NULL), cg_rot90(m, 1, 0, 1),
                        cg_repeat(m, 1, 1), cg_tril(m, 0), cg_diag(m, 0), cg_diag_embed(m, 0, -2, -1)};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) CHECK(ops[i] && !cg_shares_storage(ops[i], x));
}

static void test_meta_shapes(void) {
    cg_tensor *m = cg_to_device(cg_zeros(2, 3), CG_META);
    cg_tensor *r = cg_repeat(m, 2, 2);
    CHECK(r && cg_get_device(r) == CG_META && cg_size(r, 0) == 4 && cg_size(r, 1) == 6);
    r = cg_tril(m, 0);
    CHECK(r && cg_get_device(r) == CG_META && cg_size(r, 1) == 3);
    r = cg_rot90(m, 1, 0, 1);
    CHECK(r && cg_get_device(r) == CG_META && cg_size(r, 0) == 3 && cg_stride(r, 0) == 1);
    r = cg_diag_embed(m, 0, -2, -1);
    CHECK(r && cg_get_device(r) == CG_META && cg_ndim(r) == 3);
}

static void test_broadcast_shapes(void) {
    int64_t out[CG_MAX_DIMS];
    const int64_t a[] = {3, 1}, b[] = {4}, c[] = {2, 1, 1};
    CHECK(cg_broadcast_shapes_of(3, (const int[]){2, 1, 3}, (const int64_t *const[]){a, b, c}, out) == 3);
    CHECK(out[0] == 2 && out[1] == 3 && out[2] == 4);
    CHECK(cg_broadcast_shapes_of(0, NULL, NULL, out) == 0);
    const int64_t d[] = {3};
    cg_clear_error();
    CHECK(cg_broadcast_shapes_of(2, (const int[]){1, 2}, (const int64_t *const[]){d, (const int64_t[]){3, 4}}, out) < 0);
    CHECK_STR(cg_last_error(), "Shape mismatch: objects cannot be broadcast to a single shape");
}

static void test_null_arguments(void) {
    cg_set_error("first");
    cg_tensor *out[4];
    CHECK(!cg_flip(NULL, 0) && !cg_fliplr(NULL) && !cg_roll(NULL, 1, (const int64_t[]){1}, 0, NULL));
    CHECK(!cg_rot90(NULL, 1, 0, 1) && !cg_repeat(NULL, 1) && !cg_tile(NULL, 1) && !cg_tril(NULL, 0));
    CHECK(!cg_diagonal(NULL, 0, 0, 1) && !cg_diag_embed(NULL, 0, 0, 1) && !cg_diag(NULL, 0) && !cg_diagflat(NULL, 0));
    CHECK(!cg_movedim(NULL, 0, 1) && !cg_unflatten(NULL, 0, CG_SHAPE(1)) && !cg_ravel(NULL) && !cg_atleast_3d(NULL));
    CHECK(!cg_hstack((cg_tensor *[]){NULL}, 1) && cg_tensor_split(NULL, 2, 0, out, 4) < 0 && cg_hsplit(NULL, 2, out, 4) < 0);
    CHECK(!cg_expand_as(NULL, NULL) && !cg_view_as(cg_ones(1), NULL) && cg_broadcast_tensors((cg_tensor *[]){NULL}, 1, out) < 0);
    CHECK_STR(cg_last_error(), "first");
    /* too little room for the pieces */
    cg_clear_error();
    CHECK(cg_tensor_split(cg_ones(6), 5, 0, out, 4) < 0);
    CHECK_STR(cg_last_error(), "tensor_split() gives 5 tensors but the output array has room for 4");
}

int main(void) {
    RUN(test_golden_shape_ops);
    RUN(test_diagonal_is_a_view);
    RUN(test_copies_do_not_share);
    RUN(test_meta_shapes);
    RUN(test_broadcast_shapes);
    RUN(test_null_arguments);
    HARNESS_END();
}
