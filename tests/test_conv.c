/* conv1d, conv2d, max/avg_pool1d/2d against PyTorch's golden values (tests/data/conv.txt
 * from tools/gen_conv.py): outputs, indices and the gradients of one backward, every argument
 * form, empty shapes, float32/float64/int64, and every error with its exact text; node names. */
#include "harness.h"
#include "golden.h"

#include <ctype.h>
#include <stdlib.h>
#include "blas_core.h"

static cg_ints golden_ints(char **cur) {
    cg_ints v = {0, {0}};
    v.n = atoi(golden_token(cur));
    for (int i = 0; i < v.n; i++) {
        const char *t = golden_token(cur);
        v.v[i] = strcmp(t, "None") ? atoll(t) : CG_SIZE_NONE;
    }
    return v;
}

static cg_tensor *golden_maybe(char **cur) {
    char *save = *cur + strspn(*cur, " ");
    if (!strncmp(save, "none", 4)) {
        golden_token(cur);
        return NULL;
    }
    return golden_tensor(cur);
}

/* Whether the slow path's float bits are comparable: with BLAS, on the OpenBLAS kernels the golden
 * file was made with (its first line, '# blas CORE THREADS'). */
static bool blas_bits;

static void read_blas_line(void) { blas_bits = golden_same_blas("tests/data/conv.txt"); }

/* How close a value must be. Pooling gives PyTorch's bits (max picks an element, avg sums in
 * PyTorch's order), and so do int64 products. Where PyTorch runs its slow path (im2col + gemm:
 * float64, and float32 cases oneDNN does not take) the same gemm calls give its bits with the
 * same OpenBLAS kernels; the portable loops sum in another order. Most float32 convolutions run
 * on oneDNN in PyTorch (its own blocking and FMAs): those agree within a few ulps of the terms. */
static double tolerance(const char *backend, cg_dtype dtype) {
    if (!strcmp(backend, "pool") || dtype == CG_INT64 || (!strcmp(backend, "slow") && blas_bits)) return 0;
    return dtype == CG_FLOAT32 ? 2e-5 : 1e-12;
}

/* Same shape and dtype and values within tol; with tol 0 the same values, signs of zero included. */
static bool matches(cg_tensor *got, cg_tensor *want, double tol) {
    if (!got || !want) return got == want;
    if (cg_get_dtype(got) != cg_get_dtype(want) || cg_ndim(got) != cg_ndim(want)) return false;
    for (int d = 0; d < cg_ndim(got); d++)
        if (cg_sizes(got)[d] != cg_sizes(want)[d]) return false;
    cg_tensor *g = cg_contiguous(cg_to(cg_detach(got), CG_FLOAT64)), *w = cg_to(want, CG_FLOAT64);
    const double *a = cg_data_ptr(g), *e = cg_data_ptr(w);
    for (int64_t i = 0; i < cg_numel(g); i++) {
        if (isnan(a[i]) && isnan(e[i])) continue;
        bool ok = tol ? fabs(a[i] - e[i]) <= tol * (1 + fabs(e[i])) : a[i] == e[i] && signbit(a[i]) == signbit(e[i]);
        if (!ok) {
            fprintf(stderr, "  element %lld: got %.17g, expected %.17g\n", (long long)i, a[i], e[i]);
            return false;
        }
    }
    return true;
}

static cg_tensor *leaf(cg_tensor *t) {
    return t && cg_dtype_is_floating(cg_get_dtype(t)) ? cg_requires_grad_(cg_clone(t), true) : t;
}

/* The gradients of out for grad_output on the leaves (zeros where one is unused); 0 or -1. */
static int gradients(cg_tensor *out, cg_tensor *grad_output, cg_tensor **leaves, int n, cg_tensor **grads) {
    cg_tensor *wanted[3];
    int m = 0;
    for (int i = 0; i < n; i++)
        if (leaves[i]) wanted[m++] = leaves[i];
    cg_tensor *results[3] = {0};
    if (cg_numel(out) && cg_autograd_grad(.outputs = {&out, 1}, .inputs = {wanted, m}, .results = results,
                                          .grad_outputs = {&grad_output, 1}, .allow_unused = true) < 0)
        return -1;
    for (int i = 0, j = 0; i < n; i++) {
        if (!leaves[i]) continue;
        grads[i] = results[j] ? results[j] : cg_zeros_like(leaves[i]);
        j++;
    }
    return 0;
}

static int check_line(char *line) {
    char *cur = line;
    const char *op = golden_token(&cur);
    cg_tensor *x, *w = NULL, *b = NULL, *out = NULL, *indices = NULL;
    bool with_indices = !strcmp(op, "max_pool2d");
    cg_clear_error();
    if (!strcmp(op, "conv1d") || !strcmp(op, "conv2d")) {
        cg_ints stride = golden_ints(&cur), padding = {0, {0}};
        const char *padding_str = NULL, *word = cur + strspn(cur, " ");  /* 'same', 'valid': a word */
        if (isalpha((unsigned char)*word))
            padding_str = golden_token(&cur);
        else
            padding = golden_ints(&cur);
        cg_ints dilation = golden_ints(&cur);
        int64_t groups = atoll(golden_token(&cur));
        x = leaf(golden_tensor(&cur)), w = leaf(golden_tensor(&cur)), b = leaf(golden_maybe(&cur));
        cg_conv_args a = {x, w, b, stride, padding, dilation, groups, padding_str};
        out = op[4] == '1' ? cg_conv1d_opts(a) : cg_conv2d_opts(a);
    } else if (!strncmp(op, "conv_transpose", 14)) {
        cg_ints stride = golden_ints(&cur), padding = golden_ints(&cur), output_padding = golden_ints(&cur);
        int64_t groups = atoll(golden_token(&cur));
        cg_ints dilation = golden_ints(&cur);
        x = leaf(golden_tensor(&cur)), w = leaf(golden_tensor(&cur)), b = leaf(golden_maybe(&cur));
        cg_conv_transpose_args a = {x, w, b, stride, padding, output_padding, groups, dilation};
        out = op[14] == '1' ? cg_conv_transpose1d_opts(a) : cg_conv_transpose2d_opts(a);
    } else if (!strncmp(op, "adaptive_", 9)) {
        cg_ints size = golden_ints(&cur);
        x = leaf(golden_tensor(&cur));
        with_indices = op[9] == 'm';
        cg_adaptive_pool_args a = {x, size, with_indices ? &indices : NULL};
        bool one_d = strstr(op, "1d") != NULL;
        out = with_indices ? (one_d ? cg_adaptive_max_pool1d_opts(a) : cg_adaptive_max_pool2d_opts(a))
                           : (one_d ? cg_adaptive_avg_pool1d_opts(a) : cg_adaptive_avg_pool2d_opts(a));
    } else if (!strcmp(op, "max_pool2d")) {
        cg_ints k = golden_ints(&cur), stride = golden_ints(&cur), padding = golden_ints(&cur), dilation = golden_ints(&cur);
        bool ceil_mode = atoi(golden_token(&cur));
        x = leaf(golden_tensor(&cur));
        out = cg_max_pool2d(x, k, .stride = stride, .padding = padding, .dilation = dilation, .ceil_mode = ceil_mode,
                            .indices = &indices);
    } else if (!strcmp(op, "max_pool1d")) {
        cg_ints k = golden_ints(&cur), stride = golden_ints(&cur), padding = golden_ints(&cur), dilation = golden_ints(&cur);
        bool ceil_mode = atoi(golden_token(&cur)), want_indices = atoi(golden_token(&cur)), grad = atoi(golden_token(&cur));
        x = golden_tensor(&cur);
        if (grad) x = leaf(x);
        out = cg_max_pool1d(x, k, .stride = stride, .padding = padding, .dilation = dilation, .ceil_mode = ceil_mode,
                            .indices = want_indices ? &indices : NULL);
        with_indices = want_indices;
    } else if (!strcmp(op, "avg_pool1d")) {
        cg_ints k = golden_ints(&cur), stride = golden_ints(&cur), padding = golden_ints(&cur);
        bool ceil_mode = atoi(golden_token(&cur)), exclude = atoi(golden_token(&cur));
        x = leaf(golden_tensor(&cur));
        out = cg_avg_pool1d(x, k, .stride = stride, .padding = padding, .ceil_mode = ceil_mode, .exclude_padding = exclude);
    } else {
        cg_ints k = golden_ints(&cur), stride = golden_ints(&cur), padding = golden_ints(&cur);
        bool ceil_mode = atoi(golden_token(&cur)), exclude = atoi(golden_token(&cur));
        int64_t divisor = atoll(golden_token(&cur));
        x = leaf(golden_tensor(&cur));
        out = cg_avg_pool2d(x, k, .stride = stride, .padding = padding, .ceil_mode = ceil_mode,
                            .exclude_padding = exclude, .divisor_override = divisor);
    }
    const char *status = golden_token(&cur);
    if (!status) return -1;
    if (strcmp(status, "OK")) {
        const char *message = cur + strspn(cur, " ");
        if (out || strcmp(harness_error(), message)) {
            fprintf(stderr, "  got: \"%s\"\n  expected: \"%s\"\n", out ? "(no error)" : harness_error(), message);
            return -1;
        }
        return 0;
    }
    const char *backend = golden_token(&cur);
    cg_tensor *want = golden_tensor(&cur), *want_indices = with_indices ? golden_tensor(&cur) : NULL;
    cg_tensor *grad_output = golden_maybe(&cur), *want_grads[3] = {golden_maybe(&cur), NULL, NULL}, *grads[3] = {0};
    if (w) want_grads[1] = golden_maybe(&cur), want_grads[2] = golden_maybe(&cur);
    if (!out) {
        fprintf(stderr, "  unexpected error: %s\n", cg_last_error());
        return -1;
    }
    double tol = tolerance(backend, cg_get_dtype(want));
    if (!matches(out, want, tol) || (want_indices && !matches(indices, want_indices, 0))) return -1;
    if (!grad_output) return 0;
    cg_tensor *leaves[3] = {x, w, b};
    if (gradients(out, grad_output, leaves, 3, grads) < 0) {
        fprintf(stderr, "  backward failed: %s\n", cg_last_error());
        return -1;
    }
    for (int i = 0; i < 3; i++)
        if (!matches(grads[i], want_grads[i], tol)) {
            fprintf(stderr, "  gradient %d differs\n", i);
            return -1;
        }
    return 0;
}

static void test_golden(void) {
    int bad;
    int cases = golden_check_lines("tests/data/conv.txt", check_line, 20, &bad);
    CHECK_MSG(cases > 150, "only %d golden cases", cases);
    CHECK_MSG(bad == 0, "%d of %d golden cases differ", bad, cases);
}

static void test_node_names(void) {
    cg_tensor *x = cg_requires_grad_(cg_randn(2, 3, 6, 6), true), *w = cg_requires_grad_(cg_randn(4, 3, 3, 3), true);
    cg_tensor *y = cg_conv2d(x, w);
    CHECK_STR(cg_node_name(cg_grad_fn(y)), "ConvolutionBackward0");
    CHECK_STR(cg_node_name(cg_grad_fn(cg_conv2d(cg_select(x, 0, 0), w))), "SqueezeBackward1");
    CHECK_STR(cg_node_name(cg_grad_fn(cg_conv1d(cg_select(x, 2, 0), cg_select(w, 2, 0)))), "ConvolutionBackward0");
    CHECK_STR(cg_node_name(cg_grad_fn(cg_max_pool2d(x, CG_INTS(2)))), "MaxPool2DWithIndicesBackward0");
    CHECK_STR(cg_node_name(cg_grad_fn(cg_avg_pool2d(x, CG_INTS(2)))), "AvgPool2DBackward0");
    CHECK_STR(cg_node_name(cg_grad_fn(cg_adaptive_avg_pool2d(x, CG_INTS(2)))), "AdaptiveAvgPool2DBackward0");
    CHECK_STR(cg_node_name(cg_grad_fn(cg_adaptive_avg_pool2d(x, CG_INTS(1)))), "MeanBackward1");
    CHECK_STR(cg_node_name(cg_grad_fn(cg_adaptive_max_pool2d(x, CG_INTS(1)))), "AdaptiveMaxPool2DBackward0");
    cg_node *squeeze = cg_grad_fn(cg_adaptive_max_pool1d(cg_select(x, 2, 0), CG_INTS(2)));
    CHECK_STR(cg_node_name(cg_node_next(squeeze, 0, NULL)), "AdaptiveMaxPool2DBackward0");
    CHECK_ERROR(cg_adaptive_avg_pool1d(cg_select(x, 2, 0), CG_INTS(CG_SIZE_NONE)),
                "adaptive_avg_pool1d(): argument 'output_size' (position 2) must be tuple of ints, not NoneType");
    CHECK_ERROR(cg_adaptive_avg_pool2d(x, CG_INTS(CG_SIZE_NONE)), "object of type 'NoneType' has no len()");
    CHECK(cg_last_error_kind() == CG_TYPE_ERROR);
    cg_module *avg1d = cg_nn_adaptive_avg_pool1d(CG_INTS(2)), *max1d = cg_nn_adaptive_max_pool1d(CG_INTS(3));
    CHECK(harness_same_bits(cg_module_forward(avg1d, cg_select(x, 2, 0)), cg_adaptive_avg_pool1d(cg_select(x, 2, 0), CG_INTS(2))));
    CHECK(harness_same_bits(cg_module_forward(max1d, cg_select(x, 2, 0)), cg_adaptive_max_pool1d(cg_select(x, 2, 0), CG_INTS(3))));
    cg_module_free(avg1d);
    cg_module_free(max1d);
    cg_tensor *x1 = cg_select(x, 2, 0);
    squeeze = cg_grad_fn(cg_max_pool1d(x1, CG_INTS(2)));
    CHECK_STR(cg_node_name(squeeze), "SqueezeBackward1");
    CHECK_STR(cg_node_name(cg_node_next(squeeze, 0, NULL)), "MaxPool2DWithIndicesBackward0");
    CHECK_STR(cg_node_name(cg_node_next(cg_node_next(squeeze, 0, NULL), 0, NULL)), "UnsqueezeBackward0");
    squeeze = cg_grad_fn(cg_avg_pool1d(x1, CG_INTS(2)));
    CHECK_STR(cg_node_name(squeeze), "SqueezeBackward1");
    CHECK_STR(cg_node_name(cg_node_next(squeeze, 0, NULL)), "AvgPool2DBackward0");
    cg_tensor *g[2] = {0};
    cg_tensor *loss = cg_sum(cg_mul(y, y));
    CHECK(cg_autograd_grad(.outputs = CG_TENSORS(loss), .inputs = CG_TENSORS(x, w), .results = g, .create_graph = true) == 0);
    CHECK_STR(cg_node_name(cg_grad_fn(g[0])), "ConvolutionBackwardBackward0");
    CHECK_STR(cg_node_name(cg_grad_fn(g[1])), "ConvolutionBackwardBackward0");
    cg_tensor *wt = cg_requires_grad_(cg_randn(4, 2, 3, 3), true), *yt = cg_conv_transpose2d(y, wt, .stride = CG_INTS(2));
    CHECK_STR(cg_node_name(cg_grad_fn(yt)), "ConvolutionBackward0");
    CHECK_STR(cg_node_name(cg_grad_fn(cg_conv_transpose2d(cg_select(y, 0, 0), wt))), "SqueezeBackward1");
    CHECK_STR(cg_node_name(cg_grad_fn(cg_conv_transpose1d(cg_select(y, 2, 0), cg_select(wt, 2, 0)))),
              "ConvolutionBackward0");
    loss = cg_sum(cg_mul(yt, yt));
    CHECK(cg_autograd_grad(.outputs = CG_TENSORS(loss), .inputs = CG_TENSORS(y, wt), .results = g, .create_graph = true) == 0);
    CHECK_STR(cg_node_name(cg_grad_fn(g[0])), "ConvolutionBackwardBackward0");
    CHECK_STR(cg_node_name(cg_grad_fn(g[1])), "ConvolutionBackwardBackward0");
    loss = cg_sum(cg_pow_scalar(cg_max_pool2d(x, CG_INTS(2)), 2));
    CHECK(cg_autograd_grad(.outputs = CG_TENSORS(loss), .inputs = CG_TENSORS(x), .results = g, .create_graph = true) == 0);
    CHECK_STR(cg_node_name(cg_grad_fn(g[0])), "MaxPool2DWithIndicesBackwardBackward0");
    loss = cg_sum(cg_pow_scalar(cg_avg_pool2d(x, CG_INTS(2)), 2));
    CHECK(cg_autograd_grad(.outputs = CG_TENSORS(loss), .inputs = CG_TENSORS(x), .results = g, .create_graph = true) == 0);
    CHECK_STR(cg_node_name(cg_grad_fn(g[0])), "AvgPool2DBackwardBackward0");
    loss = cg_sum(cg_pow_scalar(cg_adaptive_avg_pool2d(x, CG_INTS(4)), 2));
    CHECK(cg_autograd_grad(.outputs = CG_TENSORS(loss), .inputs = CG_TENSORS(x), .results = g, .create_graph = true) == 0);
    CHECK_STR(cg_node_name(cg_grad_fn(g[0])), "AdaptiveAvgPool2DBackwardBackward0");
    loss = cg_sum(cg_pow_scalar(cg_adaptive_max_pool2d(x, CG_INTS(4)), 2));
    CHECK(cg_autograd_grad(.outputs = CG_TENSORS(loss), .inputs = CG_TENSORS(x), .results = g, .create_graph = true) == 0);
    CHECK_STR(cg_node_name(cg_grad_fn(g[0])), "AdaptiveMaxPool2DBackwardBackward0");
}

/* Strided inputs give the values of their contiguous copies; no input changes. */
static int warnings_seen;
static char warning_text[256];
static void count_warning(const char *message, void *user) {
    (void)user;
    if (!warnings_seen++) snprintf(warning_text, sizeof warning_text, "%s", message);
}

/* padding='same': the ConstantPadNd copy only for an odd total, PyTorch's warning once per
 * process; the modules take the words and check them as _ConvNd.__init__. */
static void test_padding_strings(void) {
    cg_tensor *x = cg_requires_grad_(cg_randn(1, 2, 5, 6), true), *w3 = cg_randn(3, 2, 3, 3), *w2 = cg_randn(3, 2, 2, 3);
    cg_set_warning_handler(count_warning, NULL);
    cg_tensor *y = cg_conv2d(x, w3, .padding_str = "same");
    CHECK(warnings_seen == 0);
    CHECK_STR(cg_node_name(cg_node_next(cg_grad_fn(y), 0, NULL)), "AccumulateGrad");
    cg_tensor *y2 = cg_conv2d(x, w2, .padding_str = "same");
    CHECK(y2 && cg_sizes(y2)[2] == 5 && cg_sizes(y2)[3] == 6);
    CHECK_STR(cg_node_name(cg_grad_fn(y2)), "ConvolutionBackward0");
    CHECK_STR(cg_node_name(cg_node_next(cg_grad_fn(y2), 0, NULL)), "ConstantPadNdBackward0");
    cg_conv2d(x, w2, .padding_str = "same");
    CHECK(warnings_seen == 1);
    CHECK_STR(warning_text, "Using padding='same' with even kernel lengths and odd dilation may require a zero-padded "
                            "copy of the input be created");
    cg_set_warning_handler(NULL, NULL);
    cg_tensor *u = cg_conv1d(cg_select(cg_select(x, 0, 0), 1, 0), cg_select(w2, 3, 0), .padding_str = "same");
    CHECK_STR(cg_node_name(cg_grad_fn(u)), "SqueezeBackward1");
    cg_node *pad = cg_node_next(cg_node_next(cg_grad_fn(u), 0, NULL), 0, NULL);
    CHECK_STR(cg_node_name(pad), "ConstantPadNdBackward0");
    CHECK_STR(cg_node_name(cg_node_next(pad, 0, NULL)), "UnsqueezeBackward0");
    CHECK(!cg_conv2d(x, w3, .padding_str = "same", .padding = CG_INTS(1)));
    CHECK_STR(cg_last_error(), "padding: give either .padding_str or .padding's numbers, not both");

    cg_manual_seed(0);
    cg_module *m = cg_nn_conv2d(2, 3, CG_INTS(2, 3), .padding_str = "same");
    CHECK(m != NULL);
    cg_tensor *wm = cg_module_get_parameter(m, "weight"), *bm = cg_module_get_parameter(m, "bias");
    cg_tensor *got = cg_module_forward(m, x), *want = cg_conv2d(x, wm, .bias = bm, .padding_str = "same");
    CHECK(got && want && matches(got, want, 0));
    cg_module *v = cg_nn_conv1d(2, 3, CG_INTS(4), .padding_str = "valid");
    CHECK(v && cg_sizes(cg_module_forward(v, cg_randn(1, 2, 9)))[2] == 6);
    cg_module_free(m);
    cg_module_free(v);
    CHECK(!cg_nn_conv2d(2, 3, CG_INTS(3), .padding_str = "foo"));
    CHECK_STR(cg_last_error(), "Invalid padding string 'foo', should be one of {'valid', 'same'}");
    CHECK(cg_last_error_kind() == CG_VALUE_ERROR);
    CHECK(!cg_nn_conv2d(2, 3, CG_INTS(3), .padding_str = "same", .stride = CG_INTS(1, 2)));
    CHECK_STR(cg_last_error(), "padding='same' is not supported for strided convolutions");
    CHECK(cg_last_error_kind() == CG_VALUE_ERROR);
    cg_module *strided = cg_nn_conv2d(2, 3, CG_INTS(3), .padding_str = "valid", .stride = CG_INTS(2));
    CHECK(strided != NULL);
    cg_module_free(strided);
}

static void test_strided_inputs(void) {
    cg_tensor *x = cg_transpose(cg_randn(2, 3, 6, 7), 2, 3), *w = cg_transpose(cg_randn(3, 4, 3, 3), 0, 1);
    cg_tensor *xc = cg_contiguous(x), *wc = cg_contiguous(w);
    CHECK(matches(cg_conv2d(x, w, .padding = CG_INTS(1)), cg_conv2d(xc, wc, .padding = CG_INTS(1)), 0));
    CHECK(matches(cg_max_pool2d(x, CG_INTS(2)), cg_max_pool2d(xc, CG_INTS(2)), 0));
    CHECK(matches(cg_avg_pool2d(x, CG_INTS(3), .stride = CG_INTS(2)), cg_avg_pool2d(xc, CG_INTS(3), .stride = CG_INTS(2)), 0));
    CHECK(cg_version(x) == 0 && cg_version(w) == 0);
}

/* On the meta device the ops give PyTorch's shapes and nodes, and backward runs, without data;
 * mixing devices is refused. */
static void test_meta(void) {
    cg_tensor *x = cg_requires_grad_(cg_tensor_new(.dtype = CG_FLOAT32, CG_SIZES(2, 3, 8, 8), .device = CG_META), true);
    cg_tensor *w = cg_tensor_new(.dtype = CG_FLOAT32, CG_SIZES(4, 3, 3, 3), .device = CG_META);
    cg_tensor *y = cg_conv2d(x, w, .stride = CG_INTS(2));
    CHECK_OK(y);
    CHECK(cg_get_device(y) == CG_META && cg_ndim(y) == 4 && cg_size(y, 1) == 4 && cg_size(y, 2) == 3);
    cg_tensor *p = cg_avg_pool2d(cg_max_pool2d(y, CG_INTS(2), .ceil_mode = true), CG_INTS(1));
    CHECK(cg_size(p, 2) == 2 && cg_size(p, 3) == 2);
    cg_tensor *wt = cg_tensor_new(.dtype = CG_FLOAT32, CG_SIZES(4, 2, 3, 3), .device = CG_META);
    cg_tensor *yt = cg_conv_transpose2d(y, wt, .stride = CG_INTS(2), .output_padding = CG_INTS(1));
    CHECK(cg_get_device(yt) == CG_META && cg_size(yt, 1) == 2 && cg_size(yt, 2) == 8 && cg_size(yt, 3) == 8);
    p = cg_add(cg_sum(p), cg_sum(yt));
    CHECK(cg_backward(cg_sum(p)) == 0);
    CHECK(cg_grad(x) && cg_get_device(cg_grad(x)) == CG_META && cg_size(cg_grad(x), 3) == 8);
    cg_clear_error();
    CHECK(cg_conv2d(cg_randn(2, 3, 8, 8), w) == NULL);
    CHECK(!strncmp(cg_last_error(), "Expected all tensors to be on the same device", 45));
}

/* The kernels split images (im2col, col2im) and planes (pooling) over the threads: the values and
 * gradients are the same bytes at any thread count. */
static cg_tensor *thread_case(cg_tensor *x, cg_tensor *w) {
    cg_tensor *xl = cg_requires_grad_(cg_clone(x), true), *wl = cg_requires_grad_(cg_clone(w), true);
    cg_tensor *y = cg_conv2d(xl, wl, .padding = CG_INTS(1), .stride = CG_INTS(1, 2));
    cg_tensor *p = cg_add(cg_sum(cg_max_pool2d(y, CG_INTS(3), .stride = CG_INTS(2))), cg_sum(cg_avg_pool2d(y, CG_INTS(2))));
    if (cg_backward(cg_add(p, cg_sum(cg_mul(y, y)))) < 0) return NULL;
    return cg_cat(CG_LIST(cg_flatten(y, 0, -1), cg_flatten(cg_grad(xl), 0, -1), cg_flatten(cg_grad(wl), 0, -1)), 0);
}

static void test_thread_counts(void) {
    cg_manual_seed(3);
    cg_tensor *x = cg_randn(24, 3, 30, 30), *w = cg_randn(5, 3, 3, 3), *expected = NULL;
    const int counts[] = {1, 2, 3, 4, 7};
    for (int i = 0; i < 5; i++) {
        cg_set_num_threads(counts[i]);
        cg_tensor *got = thread_case(x, w);
        CHECK_OK(got);
        if (i == 0) expected = got;
        else CHECK_MSG(got && matches(got, expected, 0), "%d threads differ from 1", counts[i]);
    }
    cg_set_num_threads(1);
}

/* Arguments whose size arithmetic would overflow (PyTorch's is undefined there) fail cleanly. */
static void test_extreme_arguments(void) {
    cg_tensor *x = cg_randn(1, 1, 5, 5), *w = cg_randn(1, 1, 3, 3), *x1 = cg_randn(1, 1, 5);
    const char *too_big = "value cannot be converted to type int32_t without overflow";
    int64_t big = (int64_t)1 << 62;
    CHECK_ERROR(cg_conv2d(x, w, .padding = CG_INTS(big)), too_big);
    CHECK_ERROR(cg_conv2d(x, w, .dilation = CG_INTS(1, INT64_MIN)), too_big);
    CHECK_ERROR(cg_conv1d(x1, cg_select(w, 2, 0), .stride = CG_INTS(INT64_MAX)), too_big);
    CHECK_ERROR(cg_max_pool2d(x, CG_INTS(2), .stride = CG_INTS(INT64_MAX)), too_big);
    CHECK_ERROR(cg_avg_pool2d(x, CG_INTS(big), .padding = CG_INTS(INT64_MAX / 2)), too_big);
    CHECK_ERROR(cg_max_pool1d(x1, CG_INTS(2), .dilation = CG_INTS(big)), too_big);
    CHECK_ERROR(cg_avg_pool1d(x1, CG_INTS(INT64_MAX)), too_big);
    CHECK_ERROR(cg_conv2d(x, w, .stride = ((cg_ints){7, {1}})), "stride: a list of 7 values (CG_INTS holds 1 to 3)");
    CHECK_ERROR(cg_conv_transpose2d(x, w, .output_padding = CG_INTS(big)), too_big);
    CHECK_ERROR(cg_conv_transpose2d(x, w, .padding = CG_INTS(INT32_MAX)),
                "Given input size per channel: (5 x 5). Calculated output size per channel: (-4294967287 x "
                "-4294967287). Output size is too small");
    CHECK_ERROR(cg_conv_transpose2d(x, w, .stride = CG_INTS(INT32_MAX), .dilation = CG_INTS(INT32_MAX)),
                "Storage size calculation overflowed with sizes=[1, 1, 12884901883, 12884901883]");
    CHECK_ERROR(cg_conv2d(x, w, .groups = INT64_MAX),
                "Given groups=9223372036854775807, expected weight to be at least 9223372036854775807 at dimension 0, "
                "but got weight of size [1, 1, 3, 3] instead");
    CHECK_OK(cg_avg_pool2d(x, CG_INTS(2), .divisor_override = INT64_MIN));
    CHECK_ERROR(cg_avg_pool1d(x1, CG_INTS(2), .divisor_override = 2),
                "avg_pool1d() got an unexpected keyword argument 'divisor_override'");
}

/* A NULL argument returns NULL without touching the message. */
static void test_null_arguments(void) {
    cg_tensor *x = cg_randn(1, 1, 4, 4);
    cg_clear_error();
    CHECK(cg_conv2d(NULL, x) == NULL && cg_conv2d(x, NULL) == NULL && cg_conv1d(NULL, x) == NULL);
    CHECK(cg_max_pool2d(NULL, CG_INTS(2)) == NULL && cg_avg_pool2d(NULL, CG_INTS(2)) == NULL);
    CHECK(cg_adaptive_avg_pool2d(NULL, CG_INTS(2)) == NULL && cg_adaptive_max_pool2d(NULL, CG_INTS(2)) == NULL);
    CHECK(cg_conv_transpose2d(NULL, x) == NULL && cg_conv_transpose2d(x, NULL) == NULL && cg_conv_transpose1d(NULL, x) == NULL);
    CHECK(cg_last_error_kind() == CG_ERROR_NONE);
}

int main(void) {
    read_blas_line();
    RUN(test_padding_strings);  /* first: PyTorch warns once per process */
    RUN(test_golden);
    RUN(test_node_names);
    RUN(test_strided_inputs);
    RUN(test_meta);
    RUN(test_thread_counts);
    RUN(test_extreme_arguments);
    RUN(test_null_arguments);
    HARNESS_END();
}
