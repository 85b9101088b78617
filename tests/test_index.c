/* index_select, gather, scatter_add and masked_fill against PyTorch (tests/data/index.txt from
 * tools/gen_index.py): values, dtypes, shapes, strides and every error text, on strided inputs. */
#include "golden.h"
#include "harness.h"
#include "core/tensor.h" /* cg_new_view: golden inputs are strided views of a storage */

#include <stdlib.h>

#define MAX_INPUTS 4096

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
    inputs[id] = cg_new_view(storage, ndim, sizes, strides, offset);
    return inputs[id] ? 0 : -1;
}

/* args: Python numbers (a dim, or masked_fill's value of its own kind). */
static cg_tensor *run_op(const char *op, const cg_number *args, cg_tensor **in) {
    if (!strcmp(op, "index_select")) return cg_index_select(in[0], (int)args[0].i, in[1]);
    if (!strcmp(op, "gather")) return cg_gather(in[0], (int)args[0].i, in[1]);
    if (!strcmp(op, "scatter_add")) return cg_scatter_add(in[0], (int)args[0].i, in[1], in[2]);
    if (!strcmp(op, "masked_fill")) return cg_masked_fill_number(in[0], in[1], args[0]);
    fprintf(stderr, "unknown op %s\n", op);
    return NULL;
}

/* Same dtype, shape, strides and values (NaN equal to NaN); exact, except float32 sums may
 * round differently only if the order differs, which it must not. */
static int same_result(cg_tensor *r, char **cursor) {
    int ndim = atoi(golden_token(cursor));
    int64_t strides[CG_MAX_DIMS];
    for (int d = 0; d < ndim; d++) strides[d] = atoll(golden_token(cursor));
    cg_tensor *expected = golden_tensor(cursor);
    if (!expected || cg_ndim(r) != ndim || cg_get_dtype(r) != cg_get_dtype(expected)) return 0;
    for (int d = 0; d < ndim; d++)
        if (cg_size(r, d) != cg_size(expected, d) || cg_stride(r, d) != strides[d]) return 0;
    if (cg_get_dtype(r) == CG_INT64) { /* all 64 bits: doubles would lose the low ones */
        cg_tensor *a = cg_contiguous(r), *e = cg_contiguous(expected);
        return memcmp(cg_data_ptr(a), cg_data_ptr(e), (size_t)cg_numel(a) * sizeof(int64_t)) == 0;
    }
    return harness_values_close(r, cg_data_ptr(cg_contiguous(cg_to(expected, CG_FLOAT64))), 0);
}

static void test_golden_index_ops(void) {
    golden_file g;
    if (golden_open(&g, "tests/data/index.txt") != 0) {
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
        cg_number args[4];
        int nargs = atoi(golden_token(&cursor));
        for (int i = 0; i < nargs; i++) {
            char *token = golden_token(&cursor);
            args[i] = golden_number(&token);
        }
        int nin = atoi(golden_token(&cursor));
        cg_tensor *in[4];
        for (int i = 0; i < nin; i++) in[i] = inputs[atoi(golden_token(&cursor))];
        const char *status = golden_token(&cursor);
        cases++;
        CG_SCOPE {
            int64_t versions[4];
            cg_tensor *before[4];
            for (int i = 0; i < nin; i++) {
                versions[i] = cg_version(in[i]);
                before[i] = cg_contiguous(cg_to(in[i], CG_FLOAT64));
            }
            cg_clear_error();
            cg_tensor *r = run_op(op, args, in);
            if (!strcmp(status, "err")) {
                const char *message = cursor + strspn(cursor, " ");
                CHECK_MSG(!r, "line %d: %s should fail with \"%s\"", line_no, op, message);
                CHECK_MSG(!strcmp(harness_error(), message), "line %d: %s\n  got:      \"%s\"\n  expected: \"%s\"",
                          line_no, op, harness_error(), message);
            } else {
                CHECK_MSG(r, "line %d: %s failed: %s", line_no, op, cg_last_error());
                CHECK_MSG(r && same_result(r, &cursor), "line %d: %s differs from PyTorch", line_no, op);
                for (int i = 0; r && i < nin; i++) CHECK(!cg_shares_storage(r, in[i]));
            }
            for (int i = 0; i < nin; i++) { /* out of place: inputs are never written */
                CHECK(cg_version(in[i]) == versions[i]);
                CHECK(harness_values_close(in[i], cg_data_ptr(before[i]), 0));
            }
        }
    }
    golden_close(&g);
    CHECK_MSG(cases > 1500, "only %d cases read", cases);
}

/* ---- behaviour the golden file does not show ---- */

static void test_index_select_of_a_scalar(void) {
    /* PyTorch 1.13 writes past its result here; cgrad refuses it with PyTorch 2's message */
    cg_tensor *s = cg_scalar(3, CG_FLOAT32);
    CHECK_ERROR(cg_index_select(s, 0, cg_tensor_i64(((int64_t[]){0, 0}), 2)),
                "index_select(): Index to scalar can have only 1 value, got 2 value(s)");
    CHECK_ERROR(cg_index_select(s, 0, cg_empty_shape(CG_INT64, CG_SHAPE(0))),
                "index_select(): Index to scalar can have only 1 value, got 0 value(s)");
    cg_tensor *r = cg_index_select(s, -1, cg_tensor_i64(((int64_t[]){0}), 1));
    CHECK(r && cg_ndim(r) == 0 && cg_item(r) == 3);
}

static void test_masked_fill_needs_bool_mask(void) {
    /* PyTorch 1.13 reads a non-bool mask's bytes as bools; PyTorch 2 refuses it with this text */
    cg_tensor *t = cg_ones(2, 3);
    CHECK_ERROR(cg_masked_fill(t, cg_ones(3), 0), "masked_fill_ only supports boolean masks, but got mask with dtype float");
    CHECK_ERROR(cg_masked_fill(t, cg_ones_shape(CG_FLOAT64, CG_SHAPE(3)), 0),
                "masked_fill_ only supports boolean masks, but got mask with dtype double");
    CHECK_ERROR(cg_masked_fill(t, cg_ones_shape(CG_INT64, CG_SHAPE(2, 1)), 0),
                "masked_fill_ only supports boolean masks, but got mask with dtype long int");
    /* shapes are checked first, as in PyTorch */
    CHECK_ERROR(cg_masked_fill(t, cg_ones(2), 0),
                "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 1");
    CHECK(cg_version(t) == 0);
}

static void test_scatter_add_accumulates_in_order(void) {
    /* float32 sums into one slot happen in index order: 1e8 + 1 + 1 - 1e8 = 0 in float32 */
    cg_tensor *t = cg_zeros(1);
    cg_tensor *r = cg_scatter_add(t, 0, cg_tensor_i64(((int64_t[]){0, 0, 0, 0}), 4),
                                  cg_tensor_f32(((float[]){1e8f, 1, 1, -1e8f}), 4));
    CHECK(r && cg_item(r) == 0);
    CHECK(cg_item(t) == 0 && cg_version(t) == 0);
}

static void test_null_arguments(void) {
    cg_set_error("first");
    cg_tensor *t = cg_ones(3), *i = cg_zeros_shape(CG_INT64, CG_SHAPE(3));
    CHECK(!cg_index_select(NULL, 0, i) && !cg_index_select(t, 0, NULL));
    CHECK(!cg_gather(NULL, 0, i) && !cg_gather(t, 0, NULL));
    CHECK(!cg_scatter_add(NULL, 0, i, t) && !cg_scatter_add(t, 0, NULL, t) && !cg_scatter_add(t, 0, i, NULL));
    CHECK(!cg_masked_fill(NULL, cg_lt_scalar(t, 0), 1) && !cg_masked_fill(t, NULL, 1));
    CHECK_STR(cg_last_error(), "first");
}

int main(void) {
    RUN(test_golden_index_ops);
    RUN(test_index_select_of_a_scalar);
    RUN(test_masked_fill_needs_bool_mask);
    RUN(test_scatter_add_accumulates_in_order);
    RUN(test_null_arguments);
    HARNESS_END();
}
