/* Views, shape ops, cat and stack against PyTorch (tests/data/views.txt from tools/gen_views.py):
 * sizes, strides, storage offsets, storage sharing, values of copies, and every error text. */
#include "golden.h"
#include "harness.h"
#include "core/tensor.h" /* cg_new_view: golden inputs are strided views of a storage */

#include <stdlib.h>

#define MAX_INPUTS 256
#define MAX_PIECES 64

/* Golden inputs: input i is a strided view of storage i (a 1-D tensor). */
static cg_tensor *storages[MAX_INPUTS], *inputs[MAX_INPUTS];

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
    storages[id] = storage;
    inputs[id] = cg_new_view(storage, ndim, sizes, strides, offset);
    return inputs[id] ? 0 : -1;
}

/* Runs op on the inputs; returns the number of results written to out, or -1 on error. */
static int run_op(const char *op, const int64_t *a, int nargs, cg_tensor **in, int nin, cg_tensor **out) {
    cg_tensor *t = in[0], *r = NULL;
    if (!strcmp(op, "unbind")) return cg_unbind(t, (int)a[0], out, MAX_PIECES);
    if (!strcmp(op, "split")) return cg_split(t, a[0], (int)a[1], out, MAX_PIECES);
    if (!strcmp(op, "chunk")) return cg_chunk(t, (int)a[0], (int)a[1], out, MAX_PIECES);
    if (!strcmp(op, "view")) r = cg_view_shape(t, nargs, a);
    else if (!strcmp(op, "reshape")) r = cg_reshape_shape(t, nargs, a);
    else if (!strcmp(op, "expand")) r = cg_expand_shape(t, nargs, a);
    else if (!strcmp(op, "permute")) r = cg_permute_dims(t, nargs, a);
    else if (!strcmp(op, "flatten")) r = cg_flatten(t, (int)a[0], (int)a[1]);
    else if (!strcmp(op, "squeeze")) r = cg_squeeze(t);
    else if (!strcmp(op, "squeeze_dim")) r = cg_squeeze_dim(t, (int)a[0]);
    else if (!strcmp(op, "unsqueeze")) r = cg_unsqueeze(t, (int)a[0]);
    else if (!strcmp(op, "transpose")) r = cg_transpose(t, (int)a[0], (int)a[1]);
    else if (!strcmp(op, "t")) r = cg_t(t);
    else if (!strcmp(op, "mT")) r = cg_mT(t);
    else if (!strcmp(op, "mH")) r = cg_mH(t);
    else if (!strcmp(op, "T")) r = cg_T(t);
    else if (!strcmp(op, "H")) r = cg_H(t);
    else if (!strcmp(op, "select")) r = cg_select(t, (int)a[0], a[1]);
    else if (!strcmp(op, "slice")) r = cg_slice(t, (int)a[0], a[1], a[2], a[3]);
    else if (!strcmp(op, "narrow")) r = cg_narrow(t, (int)a[0], a[1], a[2]);
    else if (!strcmp(op, "cat")) r = cg_cat(in, nin, (int)a[0]);
    else if (!strcmp(op, "stack")) r = cg_stack(in, nin, (int)a[0]);
    else fprintf(stderr, "unknown op %s\n", op);
    out[0] = r;
    return r ? 1 : -1;
}

/* Storage position of the last element of t (every index at its maximum). */
static int64_t last_position(const cg_tensor *t, int64_t *index) {
    int64_t pos = cg_storage_offset(t);
    for (int d = 0; d < cg_ndim(t); d++) {
        index[d] = cg_size(t, d) - 1;
        pos += index[d] * cg_stride(t, d);
    }
    return pos;
}

/* A write through the view lands in the input's storage where its strides say, and bumps the
 * shared version counter; the old value is put back for later cases. */
static int check_write_through(cg_tensor *view, cg_tensor *storage, cg_tensor *input) {
    int64_t index[CG_MAX_DIMS];
    int64_t pos = last_position(view, index);
    double old = 0, seen = 0, value = cg_get_dtype(view) == CG_BOOL ? 1 : 7;
    if (cg_get_at(storage, 1, &pos, &old) != 0) return 0;
    if (old == value) value = 0;
    int64_t version = cg_version(input);
    if (cg_set_at(view, cg_ndim(view), index, value) != 0) return 0;
    int ok = cg_get_at(storage, 1, &pos, &seen) == 0 && seen == value && cg_version(input) == version + 1;
    cg_set_at(storage, 1, &pos, old);
    return ok;
}

static int check_piece(char **cursor, cg_tensor *r, cg_tensor *input, cg_tensor *storage, int line) {
    int same = atoi(golden_token(cursor)), shares = atoi(golden_token(cursor));
    int ndim = atoi(golden_token(cursor));
    int ok = 1;
    ok &= (r == input) == same;
    ok &= cg_shares_storage(r, input) == shares;
    ok &= cg_ndim(r) == ndim;
    for (int d = 0; d < ndim; d++) ok &= cg_ndim(r) == ndim && cg_sizes(r)[d] == atoll(golden_token(cursor));
    for (int d = 0; d < ndim; d++) ok &= cg_ndim(r) == ndim && cg_strides(r)[d] == atoll(golden_token(cursor));
    ok &= cg_storage_offset(r) == atoll(golden_token(cursor));
    if (!ok) fprintf(stderr, "  line %d: sizes/strides/offset/sharing differ from PyTorch's\n", line);
    if (!shares) {
        cg_tensor *expected = golden_tensor(cursor);
        int values = expected && cg_get_dtype(expected) == cg_get_dtype(r) && cg_numel(expected) == cg_numel(r) &&
                     harness_values_close(r, cg_data_ptr(cg_contiguous(cg_to(expected, CG_FLOAT64))), 0);
        if (!values) fprintf(stderr, "  line %d: values or dtype differ\n", line);
        ok &= values;
    } else if (cg_numel(r) > 0 && !check_write_through(r, storage, input)) {
        fprintf(stderr, "  line %d: a write through the view did not reach the input's storage\n", line);
        ok = 0;
    }
    return ok;
}

static void test_golden_views_cat_stack(void) {
    golden_file g;
    if (golden_open(&g, "tests/data/views.txt") != 0) {
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
        int64_t args[16];
        int nargs = atoi(golden_token(&cursor));
        for (int i = 0; i < nargs; i++) args[i] = strtoll(golden_token(&cursor), NULL, 10);
        int nin = atoi(golden_token(&cursor));
        cg_tensor *in[16];
        int ids[16];
        for (int i = 0; i < nin; i++) in[i] = inputs[ids[i] = atoi(golden_token(&cursor))];
        const char *status = golden_token(&cursor);
        cases++;
        CG_SCOPE {
            int64_t versions[16];
            cg_tensor *before[16];
            for (int i = 0; i < nin; i++) {
                versions[i] = cg_version(in[i]);
                before[i] = cg_contiguous(cg_to(in[i], CG_FLOAT64));
            }
            cg_tensor *out[MAX_PIECES];
            cg_clear_error();
            int n = run_op(op, args, nargs, in, nin, out);
            if (!strcmp(status, "err")) {
                const char *message = cursor + strspn(cursor, " ");
                CHECK_MSG(n < 0, "line %d: %s should fail with \"%s\"", line_no, op, message);
                CHECK_MSG(!strcmp(harness_error(), message), "line %d: %s\n  got:      \"%s\"\n  expected: \"%s\"",
                          line_no, op, harness_error(), message);
                for (int i = 0; i < nin; i++) {
                    CHECK(cg_version(in[i]) == versions[i]);
                    CHECK(harness_values_close(in[i], cg_data_ptr(before[i]), 0));
                }
            } else {
                int expected = atoi(golden_token(&cursor));
                CHECK_MSG(n == expected, "line %d: %s gave %d results (%s), expected %d", line_no, op, n,
                          cg_last_error(), expected);
                for (int i = 0; i < n && n == expected; i++)
                    CHECK_MSG(check_piece(&cursor, out[i], in[0], storages[ids[0]], line_no), "line %d: %s piece %d",
                              line_no, op, i);
            }
        }
    }
    golden_close(&g);
    CHECK_MSG(cases > 5000, "only %d cases read", cases);
}

/* ---- behaviour the golden file does not show ---- */

static void test_views_share_version_and_data(void) {
    cg_tensor *base = cg_tensor_f32(((float[]){0, 1, 2, 3, 4, 5}), 2, 3);
    cg_tensor *col = cg_select(cg_t(base), 0, 1); /* base[:, 1] */
    CHECK(cg_shares_storage(col, base) && cg_numel(col) == 2 && cg_stride(col, 0) == 3 && cg_storage_offset(col) == 1);
    CHECK(cg_set(col, 40, 1) == 0);
    double v = 0;
    CHECK(cg_get(base, &v, 1, 1) == 0 && v == 40);
    CHECK(cg_version(base) == 1 && cg_version(col) == 1);
    CHECK(cg_fill_(cg_view(base, 6), 9) == 0 && cg_version(col) == 2);
    CHECK(harness_values_close(col, (double[]){9, 9}, 0));
}

static void test_same_object_and_copies(void) {
    cg_tensor *v = cg_tensor_f64(((double[]){1, 2, 3}), 3);
    CHECK(cg_flatten(v, 0, -1) == v);
    cg_tensor *m = cg_ones(2, 3);
    CHECK(cg_flatten(m, 1, 1) == m);
    CHECK(cg_sum_to_size(m, 2, (const int64_t[]){2, 3}) == m);
    CHECK_ERROR(cg_sum_to_size(m, 2, (const int64_t[]){-1, 3}), "size {[-1, 3]} is not expandable to size {[2, 3]}.");
    CHECK_ERROR(cg_sum_to_size(m, 3, (const int64_t[]){1, 2, 3}), "size {[1, 2, 3]} is not expandable to size {[2, 3]}.");
    cg_tensor *s = cg_scalar(5, CG_INT64);
    cg_tensor *f = cg_flatten(s, 0, -1);
    CHECK(f != s && cg_ndim(f) == 1 && cg_shares_storage(f, s));
    /* reshape of a transposed matrix copies; the copy is not a view */
    cg_tensor *r = cg_reshape(cg_t(cg_tensor_f32(((float[]){1, 2, 3, 4, 5, 6}), 2, 3)), -1);
    CHECK(harness_values_close(r, (double[]){1, 4, 2, 5, 3, 6}, 0) && cg_is_contiguous(r));
    CHECK(cg_set(r, 0, 0) == 0 && cg_version(r) == 1);
}

static void test_messages_of_our_own(void) {
    cg_tensor *a = cg_ones(6);
    CHECK_ERROR(cg_slice(a, 0, 0, 6, 0), "slice step cannot be zero");
    CHECK_ERROR(cg_slice(a, 0, 0, 6, -1), "step must be greater than zero");
    cg_tensor *out[2];
    CHECK_ERROR(cg_chunk(a, 3, 0, out, 2) >= 0, "chunk() gives 3 tensors but the output array has room for 2");
    CHECK_ERROR(cg_split(a, 1, 0, out, 2) >= 0, "split() gives 6 tensors but the output array has room for 2");
    CHECK_ERROR(cg_unbind(a, 0, NULL, 0) >= 0, "unbind() gives 6 tensors but the output array has room for 0");
    CHECK_ERROR(cg_chunk(cg_empty(0), 3, 0, out, 2) >= 0, "chunk() gives 3 tensors but the output array has room for 2");
    CHECK(cg_chunk(a, 2, 0, out, 2) == 2 && cg_numel(out[1]) == 3 && cg_storage_offset(out[1]) == 3);
    CHECK(cg_unbind(cg_empty(0, 2), 0, NULL, 0) == 0);
    cg_tensor *big = cg_ones(1, 1, 1, 1, 1, 1, 1, 1);
    CHECK_ERROR(cg_unsqueeze(big, 0), "cgrad supports at most 8 dimensions, got 9");
    CHECK_ERROR(cg_view_shape(a, 9, (const int64_t[]){1, 1, 1, 1, 1, 1, 1, 1, 6}), "cgrad supports at most 8 dimensions, got 9");
    CHECK_ERROR(cg_permute(cg_ones(2, 3), 0, (int64_t)1 << 40),
                "Dimension out of range (expected to be in range of [-2, 1], but got 1099511627776)");
    /* PyTorch 1.13 reports a negative expand target through its numel check */
    CHECK_ERROR(cg_expand(cg_ones(3), -2, 3), "numel: integer multiplication overflow");
    CHECK_ERROR(cg_expand(cg_ones(1), 2, -2), "numel: integer multiplication overflow");
    CHECK_ERROR(cg_expand(cg_ones(3), 2, -2),
                "The expanded size of the tensor (-2) must match the existing size (3) at non-singleton dimension 1.  "
                "Target sizes: [2, -2].  Tensor sizes: [3]");
    CHECK(cg_version(a) == 0);
}

static void test_huge_arguments(void) {
    cg_tensor *a = cg_arange(0, 6, 1, CG_FLOAT32), *out[2];
    CHECK_ERROR(cg_view(a, (int64_t)1 << 62, 4), "shape '[4611686018427387904, 4]' is invalid for input of size 6");
    CHECK_ERROR(cg_view(a, -1, (int64_t)1 << 62), "shape '[-1, 4611686018427387904]' is invalid for input of size 6");
    CHECK(cg_split(a, INT64_MAX, 0, out, 2) == 1 && cg_numel(out[0]) == 6);
    /* Python's a[1:5:huge] is [a[1]]; PyTorch 1.13's length arithmetic overflows and gives 0 elements */
    cg_tensor *s = cg_slice(a, 0, 1, 5, INT64_MAX);
    CHECK(s && cg_numel(s) == 1 && cg_storage_offset(s) == 1 && cg_stride(s, 0) == INT64_MAX);
    CHECK(cg_numel(cg_slice(a, 0, 0, 1, INT64_MAX)) == 1);
}

static int warnings_seen;
static void count_warning(const char *message, void *user) {
    (void)message, (void)user;
    warnings_seen++;
}

/* x.T is a permute and warns once per process (TORCH_WARN_ONCE) for other than 0 or 2 dims; x.mT a
 * transpose; a 0-D x.mT is x itself. Runs before the golden cases, which warn too. */
static void test_matrix_transposes(void) {
    cg_set_warning_handler(count_warning, NULL);
    cg_tensor *m = cg_requires_grad_(cg_ones(2, 3), true), *b = cg_requires_grad_(cg_ones(2, 3, 4), true);
    CHECK_STR(cg_node_name(cg_grad_fn(cg_T(m))), "PermuteBackward0");
    CHECK(warnings_seen == 0);
    CHECK(cg_T(b) && cg_T(b) && warnings_seen == 1);
    CHECK_STR(cg_node_name(cg_grad_fn(cg_mT(b))), "TransposeBackward0");
    CHECK_STR(cg_node_name(cg_grad_fn(cg_H(m))), "TransposeBackward0");
    cg_tensor *s = cg_scalar(1, CG_FLOAT32);
    CHECK(cg_mT(s) == s && cg_mH(s) == s && cg_H(s) == s);
    cg_set_warning_handler(NULL, NULL);
}

static void test_null_arguments(void) {
    cg_set_error("first");
    cg_tensor *out[1];
    CHECK(!cg_view(NULL, 1) && !cg_reshape(NULL, 1) && !cg_expand(NULL, 1) && !cg_permute(NULL, 0));
    CHECK(!cg_flatten(NULL, 0, -1) && !cg_squeeze(NULL) && !cg_squeeze_dim(NULL, 0) && !cg_unsqueeze(NULL, 0));
    CHECK(!cg_transpose(NULL, 0, 1) && !cg_t(NULL) && !cg_select(NULL, 0, 0) && !cg_slice(NULL, 0, 0, 1, 1));
    CHECK(!cg_narrow(NULL, 0, 0, 1) && !cg_mT(NULL) && !cg_mH(NULL) && !cg_T(NULL) && !cg_H(NULL));
    CHECK(cg_unbind(NULL, 0, out, 1) < 0 && cg_split(NULL, 1, 0, out, 1) < 0 && cg_chunk(NULL, 1, 0, out, 1) < 0);
    CHECK(!cg_cat(CG_LIST(cg_ones(2), NULL), 0) && !cg_stack(CG_LIST(NULL, cg_ones(2)), 0) && !cg_cat(NULL, 2, 0));
    CHECK_STR(cg_last_error(), "first");
}

int main(void) {
    RUN(test_matrix_transposes);
    RUN(test_golden_views_cat_stack);
    RUN(test_views_share_version_and_data);
    RUN(test_same_object_and_copies);
    RUN(test_messages_of_our_own);
    RUN(test_huge_arguments);
    RUN(test_null_arguments);
    HARNESS_END();
}
