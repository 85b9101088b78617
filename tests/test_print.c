/* Printing: PyTorch's repr byte for byte (golden cases from tools/gen_print.py), views read
 * through their strides, autograd suffixes, and cg_format's snprintf-style contract. */
#include "harness.h"
#include "golden.h"
#include "core/tensor.h" /* cg_new_view */
#include "print/format.h"

#include <stdlib.h>
#include <unistd.h> /* dup, dup2: capturing stdout */

/* The repr of t with an optional extra suffix, in a buffer that lives until the next call. */
static const char *repr_with(const cg_tensor *t, const char *suffix) {
    static char buf[1 << 16];
    const char *const suffixes[] = {suffix};
    int n = cg_format_with_suffixes(t, suffixes, suffix ? 1 : 0, buf, sizeof buf);
    return n >= 0 && (size_t)n < sizeof buf ? buf : "(format failed)";
}

static const char *repr(const cg_tensor *t) { return repr_with(t, NULL); }

/* ---- golden cases ---- */

/* Undoes the golden file's escaping ('\\' and '\n') in place. */
static char *unescape(char *s) {
    char *out = s;
    for (const char *in = s; *in; in++) {
        if (*in == '\\' && in[1]) {
            in++;
            *out++ = *in == 'n' ? '\n' : *in;
        } else {
            *out++ = *in;
        }
    }
    *out = '\0';
    return s;
}

/* One recipe step (see tools/gen_print.py) applied as a view with real strides. */
static cg_tensor *apply_step(cg_tensor *t, const char *step) {
    int ndim = cg_ndim(t);
    int64_t sizes[CG_MAX_DIMS], strides[CG_MAX_DIMS], offset = cg_storage_offset(t);
    memcpy(sizes, cg_sizes(t), sizeof sizes);
    memcpy(strides, cg_strides(t), sizeof strides);
    int d = 0;
    long long a = 0, b = 0, c = 0;
    switch (step[0]) {
    case 't': {
        int64_t s = sizes[ndim - 1], st = strides[ndim - 1];
        sizes[ndim - 1] = sizes[ndim - 2], strides[ndim - 1] = strides[ndim - 2];
        sizes[ndim - 2] = s, strides[ndim - 2] = st;
        break;
    }
    case 'p':
        for (int i = 0; i < ndim; i++) sizes[i] = cg_sizes(t)[ndim - 1 - i], strides[i] = cg_strides(t)[ndim - 1 - i];
        break;
    case 's':
        if (sscanf(step + 1, "%d:%lld:%lld:%lld", &d, &a, &b, &c) != 4) return NULL;
        if (b > sizes[d]) b = sizes[d];
        offset += a * strides[d];
        sizes[d] = b > a ? (b - a + c - 1) / c : 0;
        strides[d] *= c;
        break;
    case 'e':
        if (sscanf(step + 1, "%d:%lld", &d, &a) != 2) return NULL;
        sizes[d] = a;
        strides[d] = 0;
        break;
    case 'i':
        if (sscanf(step + 1, "%d:%lld", &d, &a) != 2) return NULL;
        offset += a * strides[d];
        for (int i = d; i + 1 < ndim; i++) sizes[i] = sizes[i + 1], strides[i] = strides[i + 1];
        ndim--;
        break;
    default: return NULL;
    }
    return cg_new_view(t, ndim, sizes, strides, offset);
}

static cg_tensor *apply_recipe(cg_tensor *t, char *recipe) {
    if (!strcmp(recipe, "-")) return t;
    for (char *step = strtok(recipe, ","); step && t; step = strtok(NULL, ",")) t = apply_step(t, step);
    return t;
}

static void test_golden_reprs(void) {
    golden_file g;
    if (golden_open(&g, "tests/data/print.txt") != 0) {
        CHECK(0);
        return;
    }
    int cases = 0, views = 0, suffixed = 0;
    for (char *line; (line = golden_next_line(&g));) {
        char *cursor = line;
        char *name = golden_token(&cursor), *recipe = golden_token(&cursor), *suffix = golden_token(&cursor);
        cg_tensor *base = suffix ? golden_tensor(&cursor) : NULL;
        CHECK_MSG(base != NULL, "malformed line: %.60s", line);
        if (!base) break;
        cg_tensor *t = apply_recipe(base, recipe);
        CHECK_MSG(t != NULL, "%s: bad recipe", name);
        if (!t) continue;
        views += t != base;
        suffixed += strcmp(suffix, "-") != 0;
        const char *got = repr_with(t, strcmp(suffix, "-") ? suffix : NULL);
        const char *expected = unescape(cursor);
        CHECK_MSG(!strcmp(got, expected), "%s\n  got:\n%s\n  expected:\n%s", name, got, expected);
        cases++;
    }
    golden_close(&g);
    CHECK(cases >= 250 && views >= 20 && suffixed >= 100);
}

/* ---- hand-written cases: the rules of section 4, spelled out ---- */

static void test_formatter_thresholds(void) {
    /* float32 1e-4 widens to 9.99999975e-05, below 1e-4: scientific. In float64 it is not. */
    CHECK_STR(repr(cg_tensor_f32(((float[]){1e-4f, 0.05f}), 2)), "tensor([1.0000e-04, 5.0000e-02])");
    CHECK_STR(repr(cg_tensor_f64(((double[]){1e-4, 0.05}), 2)), "tensor([0.0001, 0.0500], dtype=torch.float64)");
    /* max > 1e8 is scientific, max == 1e8 is not; fixed notation holds such values too. */
    CHECK_STR(repr(cg_tensor_f32(((float[]){1e8f, 1e6f}), 2)), "tensor([100000000.,   1000000.])");
    CHECK_STR(repr(cg_tensor_f32(((float[]){100000008.f, 1e6f}), 2)), "tensor([1.0000e+08, 1.0000e+06])");
    CHECK_STR(repr(cg_tensor_f32(((float[]){1e8f, 500000.5f}), 2)), "tensor([100000000.0000,    500000.5000])");
    /* max / min > 1000 is scientific; exactly 1000 is not (float32 0.1 widened is a bit above 0.1). */
    CHECK_STR(repr(cg_tensor_f32(((float[]){1, 1000}), 2)), "tensor([   1., 1000.])");
    CHECK_STR(repr(cg_tensor_f32(((float[]){1, 1001}), 2)), "tensor([1.0000e+00, 1.0010e+03])");
    CHECK_STR(repr(cg_tensor_f32(((float[]){0.1f, 100}), 2)), "tensor([  0.1000, 100.0000])");
    CHECK_STR(repr(cg_tensor_f32(((float[]){0.25f, 250.5f}), 2)), "tensor([2.5000e-01, 2.5050e+02])");
}

static void test_special_values(void) {
    CHECK_STR(repr(cg_tensor_f32(((float[]){1.5f, NAN, INFINITY}), 3)), "tensor([1.5000,    nan,    inf])");
    CHECK_STR(repr(cg_tensor_f32(((float[]){-0.0f, 1}), 2)), "tensor([-0., 1.])");
    CHECK_STR(repr(cg_tensor_f32(((float[]){1, -INFINITY}), 2)), "tensor([1., -inf])");
    CHECK_STR(repr(cg_scalar(-NAN, CG_FLOAT32)), "tensor(nan)");  /* never "-nan" */
    CHECK_STR(repr(cg_tensor_f32(((float[]){1e-5f, 1, 100}), 3)), "tensor([1.0000e-05, 1.0000e+00, 1.0000e+02])");
    CHECK_STR(repr(cg_scalar(3.5, CG_FLOAT32)), "tensor(3.5000)");
    CHECK_STR(repr(cg_scalar(2, CG_FLOAT32)), "tensor(2.)");
    CHECK_STR(repr(cg_scalar(123456789, CG_FLOAT32)), "tensor(1.2346e+08)");
    CHECK_STR(repr(cg_scalar(1, CG_BOOL)), "tensor(True)");
    CHECK_STR(repr(cg_tensor_i64(((int64_t[]){INT64_MIN, 7}), 2)), "tensor([-9223372036854775808,                    7])");
}

static void test_empty_and_dtype_suffixes(void) {
    CHECK_STR(repr(cg_zeros(0)), "tensor([])");
    CHECK_STR(repr(cg_zeros(0, 3)), "tensor([], size=(0, 3))");
    CHECK_STR(repr(cg_zeros_shape(CG_INT64, CG_SHAPE(0))), "tensor([], dtype=torch.int64)");
    CHECK_STR(repr(cg_zeros_shape(CG_BOOL, CG_SHAPE(2, 0))), "tensor([], size=(2, 0), dtype=torch.bool)");
    CHECK_STR(repr(cg_zeros_shape(CG_FLOAT64, CG_SHAPE(0))), "tensor([], dtype=torch.float64)");
    CHECK_STR(repr(cg_ones_shape(CG_INT64, CG_SHAPE(2))), "tensor([1, 1])");
    CHECK_STR(repr(cg_ones_shape(CG_BOOL, CG_SHAPE(2))), "tensor([True, True])");
    CHECK_STR(repr(cg_ones_shape(CG_FLOAT64, CG_SHAPE(2))), "tensor([1., 1.], dtype=torch.float64)");
}

static void test_suffixes_in_order(void) {
    cg_tensor *x = cg_tensor_f64(((double[]){1, 2}), 2);
    CHECK_STR(repr_with(x, "requires_grad=True"), "tensor([1., 2.], dtype=torch.float64, requires_grad=True)");
    /* The wrap rule at its boundary (checked with PyTorch's _add_suffixes): it counts the last line as
     * 2 longer than it is: this 79-column line stays on one line, one column more wraps. */
    const char *fits[] = {"grad_fn=<AddBackward0>", "names=('a', 'b')"};
    const char *wraps[] = {"grad_fn=<AddBackward0>", "names=('ab', 'b')"};
    char buf[128];
    CHECK(cg_format_with_suffixes(x, fits, 2, buf, sizeof buf) == 79);
    CHECK_STR(buf, "tensor([1., 2.], dtype=torch.float64, grad_fn=<AddBackward0>, names=('a', 'b'))");
    CHECK(cg_format_with_suffixes(x, wraps, 2, buf, sizeof buf) == 87);
    CHECK_STR(buf, "tensor([1., 2.], dtype=torch.float64, grad_fn=<AddBackward0>,\n       names=('ab', 'b'))");
}

/* A non-contiguous tensor from the library's own view functions prints its logical order. */
static void test_strided_views(void) {
    cg_tensor *base = cg_arange(0, 12, 1, CG_INT64);
    cg_tensor *m = cg_new_view(base, 2, (const int64_t[]){3, 4}, (const int64_t[]){4, 1}, 0);
    cg_tensor *t = cg_new_view(base, 2, (const int64_t[]){4, 3}, (const int64_t[]){1, 4}, 0);
    cg_tensor *odd = cg_new_view(base, 1, (const int64_t[]){3}, (const int64_t[]){3}, 2);
    cg_tensor *bcast = cg_new_view(base, 2, (const int64_t[]){2, 3}, (const int64_t[]){0, 1}, 5);
    CHECK_STR(repr(m), "tensor([[ 0,  1,  2,  3],\n        [ 4,  5,  6,  7],\n        [ 8,  9, 10, 11]])");
    CHECK_STR(repr(t), "tensor([[ 0,  4,  8],\n        [ 1,  5,  9],\n        [ 2,  6, 10],\n        [ 3,  7, 11]])");
    CHECK_STR(repr(odd), "tensor([2, 5, 8])");
    CHECK_STR(repr(bcast), "tensor([[5, 6, 7],\n        [5, 6, 7]])");
}

/* ---- the snprintf contract and the printing functions ---- */

static void test_format_truncates_like_snprintf(void) {
    cg_tensor *t = cg_tensor_f32(((float[]){1, 2}), 2);
    const char *full = "tensor([1., 2.])";
    int len = (int)strlen(full);
    CHECK(cg_format(t, NULL, 0) == len);
    char buf[32];
    memset(buf, 'x', sizeof buf);
    CHECK(cg_format(t, buf, 1) == len && buf[0] == '\0' && buf[1] == 'x');
    memset(buf, 'x', sizeof buf);
    CHECK(cg_format(t, buf, 8) == len);
    CHECK_STR(buf, "tensor(");
    CHECK(buf[8] == 'x');
    CHECK(cg_format(t, buf, (size_t)len) == len);
    CHECK_STR(buf, "tensor([1., 2.]");
    CHECK(cg_format(t, buf, (size_t)len + 1) == len);
    CHECK_STR(buf, full);
    CHECK(cg_format(t, buf, sizeof buf) == len);
    CHECK_STR(buf, full);
}

static void test_null_is_none(void) {
    char buf[8];
    CHECK(cg_format(NULL, buf, sizeof buf) == 4);
    CHECK_STR(buf, "None");
    CHECK(cg_format(NULL, buf, 3) == 4);
    CHECK_STR(buf, "No");
}

static void test_fprint(void) {
    FILE *f = tmpfile();
    CHECK(f != NULL);
    if (!f) return;
    cg_tensor *big = cg_arange(0, 5000, 1, CG_INT64);
    CHECK(cg_fprint(f, cg_scalar(0.5, CG_FLOAT64)) == 0);
    CHECK(cg_fprint(f, NULL) == 0);
    CHECK(cg_fprint(f, big) == 0);
    rewind(f);
    char text[256] = {0};
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    CHECK_STR(text, "tensor(0.5000, dtype=torch.float64)\nNone\ntensor([   0,    1,    2,  ..., 4997, 4998, 4999])\n");
    CHECK(n == strlen(text));
    FILE *read_only = fopen("tests/data/print.txt", "r");
    CHECK(read_only && cg_fprint(read_only, big) == -1);  /* a failed write is reported */
    if (read_only) fclose(read_only);
}

/* cg_print writes to stdout: capture it in a temporary file. */
static void test_print_to_stdout(void) {
    FILE *f = tmpfile();
    CHECK(f != NULL);
    if (!f) return;
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    dup2(fileno(f), STDOUT_FILENO);
    int status = cg_print(cg_tensor_bool(((bool[]){true, false}), 2));
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);
    CHECK(status == 0);
    rewind(f);
    char text[64] = {0};
    CHECK(fread(text, 1, sizeof text - 1, f) > 0);
    fclose(f);
    CHECK_STR(text, "tensor([ True, False])\n");
}

int main(void) {
    RUN(test_golden_reprs);
    RUN(test_formatter_thresholds);
    RUN(test_special_values);
    RUN(test_empty_and_dtype_suffixes);
    RUN(test_suffixes_in_order);
    RUN(test_strided_views);
    RUN(test_format_truncates_like_snprintf);
    RUN(test_null_is_none);
    RUN(test_fprint);
    RUN(test_print_to_stdout);
    HARNESS_END();
}
