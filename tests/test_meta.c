/* The meta device: every op computes its result's shape, strides, dtype, history and errors on
 * tensors without data, as PyTorch 1.13 does (golden cases from tools/gen_meta.py), the same
 * metadata the op gives on the CPU; mixing devices, reading values and copying out of meta fail
 * with PyTorch's errors; nothing on meta allocates element memory. */
#include "harness.h"
#include "golden.h"

#include <stdlib.h>

/* The inputs of tools/gen_meta.py, on one device. */
typedef struct {
    cg_tensor *a, *b, *v, *w, *x, *img, *kern, *sig, *t, *idx, *cls, *mask, *c;
} inputs;

static inputs make_inputs(cg_device device) {
    cg_manual_seed(0);
    inputs in;
    in.a = cg_to_device(cg_randn(2, 3), device);
    in.b = cg_to_device(cg_randn(2, 3), device);
    in.v = cg_to_device(cg_randn(3), device);
    in.w = cg_to_device(cg_randn(3, 2), device);
    in.x = cg_to_device(cg_randn(4, 3, 2), device);
    in.img = cg_to_device(cg_randn(2, 3, 6, 6), device);
    in.kern = cg_to_device(cg_randn(4, 3, 3, 3), device);
    in.sig = cg_to_device(cg_randn(2, 3, 8), device);
    in.t = cg_t(in.a);
    in.idx = cg_to_device(cg_tensor_i64(((int64_t[]){0, 1}), 2), device);
    in.cls = cg_to_device(cg_tensor_i64(((int64_t[]){2, 0}), 2), device);
    in.mask = cg_gt_scalar(in.a, 0);
    in.c = cg_ones(2, 3);
    return in;
}

static cg_tensor *leaf(cg_device device) { return cg_tensor_new(CG_SIZES(2, 3), .device = device, .requires_grad = true); }

static cg_tensor *grad_of_graph(const inputs *in, cg_device device) {
    cg_tensor *g = leaf(device);
    if (cg_backward(cg_sum(cg_mul(cg_exp(g), in->b))) < 0) return NULL;
    return cg_grad(g);
}

static cg_tensor *grad_through_views(const inputs *in, cg_device device) {
    cg_tensor *g = leaf(device);
    if (cg_backward(cg_mean(cg_cat(CG_LIST(cg_sin(cg_t(g)), in->w), 0))) < 0) return NULL;
    return cg_grad(g);
}

static cg_tensor *inplace_add(const inputs *in) {
    cg_tensor *r = cg_clone(in->a);
    return cg_add_(r, in->b) == 0 ? r : NULL;
}

static cg_tensor *inplace_chain(cg_device device) {
    cg_tensor *r = cg_mul_scalar(leaf(device), 1);
    return cg_mul_scalar_(r, 2) == 0 && cg_relu_(r) == 0 ? r : NULL;
}

static cg_tensor *slice_assign(cg_device device) {
    cg_tensor *r = cg_tensor_new(CG_SIZES(2, 3), .device = device);
    return cg_copy_(cg_select(r, 0, 0), cg_mul_scalar(cg_select(leaf(device), 0, 1), 2)) == 0 ? r : NULL;
}

static cg_tensor *piece(int (*split)(cg_tensor *, int64_t, int, cg_tensor **, int), cg_tensor *t, int64_t size, int dim,
                        int which) {
    cg_tensor *out[8] = {0};
    return split(t, size, dim, out, 8) > which ? out[which] : NULL;
}

static int chunk(cg_tensor *t, int64_t n, int dim, cg_tensor **out, int capacity) { return cg_chunk(t, (int)n, dim, out, capacity); }
static int unbind(cg_tensor *t, int64_t unused, int dim, cg_tensor **out, int capacity) {
    (void)unused;
    return cg_unbind(t, dim, out, capacity);
}

static cg_tensor *double_backward(cg_device device) {
    cg_tensor *g = leaf(device), *first = NULL, *second = NULL;
    if (cg_autograd_grad(.outputs = CG_TENSORS(cg_sum(cg_pow_scalar(g, 3))), .inputs = CG_TENSORS(g), .results = &first,
                         .create_graph = true) < 0)
        return NULL;
    if (cg_autograd_grad(.outputs = CG_TENSORS(cg_sum(first)), .inputs = CG_TENSORS(g), .results = &second) < 0) return NULL;
    return second;
}

static cg_tensor *cross_entropy(const inputs *in) { return cg_cross_entropy(in->a, in->cls); }
static cg_tensor *nll_none(const inputs *in) { return cg_nll_loss(in->a, in->cls, .reduction = CG_REDUCTION_NONE); }

/* Each case of the golden file, by name, on the inputs of one device. */
static cg_tensor *run_case(const char *name, const inputs *in, cg_device device) {
    cg_tensor *a = in->a, *b = in->b, *v = in->v, *w = in->w, *x = in->x, *t = in->t;
#define CASE(n, expr) if (strcmp(name, n) == 0) return (expr)
    CASE("add", cg_add(a, b));
    CASE("sub", cg_sub(a, b));
    CASE("mul", cg_mul(a, b));
    CASE("div", cg_div(a, b));
    CASE("pow", cg_pow(a, b));
    CASE("maximum", cg_maximum(a, b));
    CASE("add_broadcast", cg_add(a, v));
    CASE("add_number", cg_add_scalar(a, 2));
    CASE("long_mul_number", cg_mul_scalar(cg_to(a, CG_INT64), 2));
    CASE("long_div", cg_div_scalar(cg_to(a, CG_INT64), 2));
    CASE("eq", cg_eq(a, b));
    CASE("gt_number", cg_gt_scalar(a, 0));
    CASE("where", cg_where(in->mask, a, b));
    CASE("add_0dim_cpu", cg_add(a, cg_scalar(2, CG_FLOAT32)));
    CASE("exp_strided", cg_exp(t));
    CASE("neg", cg_neg(a));
    CASE("log", cg_log(a));
    CASE("sqrt", cg_sqrt(a));
    CASE("abs", cg_abs(a));
    CASE("sigmoid", cg_sigmoid(a));
    CASE("tanh", cg_tanh(a));
    CASE("relu", cg_relu(a));
    CASE("sin_strided", cg_sin(t));
    CASE("sum", cg_sum(a));
    CASE("sum_dim0", cg_sum(a, CG_DIMS(0)));
    CASE("sum_dim1_keepdim", cg_sum(a, CG_DIMS(1), .keepdim = true));
    CASE("sum_long", cg_sum(cg_to(a, CG_INT64)));
    CASE("mean", cg_mean(a));
    CASE("mean_dim", cg_mean(x, CG_DIMS(0, 2)));
    CASE("var", cg_var(a));
    CASE("std_dim", cg_std(a, CG_DIMS(1)));
    CASE("norm", cg_norm(a, 2));
    CASE("prod", cg_prod(a));
    CASE("prod_dim", cg_prod_dim(a, 1, false));
    CASE("max", cg_max(a));
    CASE("max_dim", cg_max_dim(a, 0, false, NULL));
    if (strcmp(name, "max_dim_indices") == 0) {
        cg_tensor *indices = NULL;
        return cg_max_dim(a, 1, true, &indices) ? indices : NULL;
    }
    CASE("argmax", cg_argmax(a));
    CASE("min", cg_min(a));
    CASE("mm", cg_mm(a, w));
    CASE("matmul_batched", cg_matmul(cg_transpose(x, 1, 2), w));
    CASE("bmm", cg_bmm(x, cg_transpose(x, 1, 2)));
    CASE("mv", cg_mv(a, v));
    CASE("dot", cg_dot(v, v));
    CASE("mm_strided", cg_mm(t, a));
    CASE("cat", cg_cat(CG_LIST(a, b), 0));
    CASE("cat_dim1", cg_cat(CG_LIST(a, cg_t(t)), 1));
    CASE("stack", cg_stack(CG_LIST(a, b), 1));
    CASE("index_select", cg_index_select(a, 1, in->idx));
    CASE("gather", cg_gather(a, 1, cg_view(in->idx, 2, 1)));
    CASE("scatter_add", cg_scatter_add(a, 0, cg_view(in->idx, 1, 2), b));
    CASE("masked_fill", cg_masked_fill(a, in->mask, 1.0));
    CASE("view", cg_view(a, 3, 2));
    CASE("reshape_strided", cg_reshape(t, 6));
    CASE("permute", cg_permute(x, 2, 0, 1));
    CASE("transpose", cg_transpose(x, 0, 2));
    CASE("unsqueeze", cg_unsqueeze(a, 1));
    CASE("squeeze", cg_squeeze(cg_unsqueeze(a, 0)));
    CASE("expand", cg_expand(v, 4, 3));
    CASE("select", cg_select(x, 1, 2));
    CASE("slice", cg_slice(x, 0, 1, 4, 2));
    CASE("narrow", cg_narrow(a, 1, 1, 2));
    CASE("flatten", cg_flatten(x, 1, -1));
    CASE("contiguous", cg_contiguous(t));
    CASE("clone_strided", cg_clone(t));
    CASE("softmax", cg_softmax(a, 1));
    CASE("log_softmax", cg_log_softmax(a, 0));
    CASE("cross_entropy", cross_entropy(in));
    CASE("nll_loss_none", nll_none(in));
    CASE("mse_loss", cg_mse_loss(a, b));
    CASE("bce_logits", cg_binary_cross_entropy_with_logits(a, b));
    CASE("clamp", cg_clamp(a, 0, 1));
    CASE("clamp_tensor", cg_clamp_tensor(a, b, NULL));
    CASE("lerp", cg_lerp_scalar(a, b, 0.5));
    CASE("addcmul", cg_addcmul(a, b, b, 2));
    CASE("add_alpha", cg_add_alpha(a, b, 2));
    CASE("to_double", cg_to(a, CG_FLOAT64));
    CASE("to_long", cg_to(a, CG_INT64));
    CASE("to_bool", cg_to(a, CG_BOOL));
    CASE("zeros_like", cg_zeros_like(t));
    CASE("ones_like", cg_ones_like(a));
    CASE("requires_grad", leaf(device));
    CASE("grad_fn", cg_mul_scalar(leaf(device), 2));
    CASE("grad_fn_double", cg_to(leaf(device), CG_FLOAT64));
    CASE("backward", grad_of_graph(in, device));
    CASE("backward_views", grad_through_views(in, device));
    CASE("empty", cg_to_device(cg_zeros(0), device));
    CASE("empty_2d", cg_to_device(cg_zeros(0, 3), device));
    CASE("scalar", cg_to_device(cg_scalar(1.5, CG_FLOAT32), device));
    CASE("cpu_to_meta_grad", cg_to_device(cg_requires_grad_(cg_ones(3), true), device));
    CASE("conv2d", cg_conv2d(in->img, in->kern, .bias = cg_narrow(cg_cat(CG_LIST(v, v), 0), 0, 0, 4),
                             .stride = CG_INTS(2), .padding = CG_INTS(1)));
    CASE("conv1d", cg_conv1d(in->sig, cg_select(in->kern, 2, 0), .padding = CG_INTS(1)));
    CASE("max_pool2d", cg_max_pool2d(in->img, CG_INTS(2)));
    CASE("avg_pool2d", cg_avg_pool2d(in->img, CG_INTS(3), .stride = CG_INTS(2), .padding = CG_INTS(1)));
    CASE("inplace_add", inplace_add(in));
    CASE("inplace_chain", inplace_chain(device));
    CASE("slice_assign", slice_assign(device));
    CASE("split", piece(cg_split, x, 3, 0, 1));
    CASE("chunk", piece(chunk, a, 3, 1, 2));
    CASE("unbind", piece(unbind, x, 0, 2, 1));
    CASE("at", cg_at(x, 1, 2));
    CASE("argmin", cg_argmin(a));
    CASE("sum_bool", cg_sum(in->mask));
    CASE("clamp_long", cg_clamp(cg_to(a, CG_INT64), 0, 1));
    CASE("cat_promote", cg_cat(CG_LIST(a, cg_to(a, CG_FLOAT64)), 0));
    CASE("where_number_like", cg_where(in->mask, a, cg_scalar(0, CG_FLOAT32)));
    CASE("mean_keepdim", cg_mean(x, CG_DIMS(1), .keepdim = true));
    CASE("expand_add", cg_add(cg_expand(v, 2, 3), a));
    CASE("bmm_strided", cg_bmm(cg_transpose(x, 1, 2), x));
    CASE("softmax_strided", cg_softmax(t, 0));
    CASE("sigmoid_grad_fn", cg_sigmoid(leaf(device)));
    CASE("double_backward", double_backward(device));
    CASE("err_gather_dims", cg_gather(a, 1, in->idx));
    CASE("ce_probabilities", cg_cross_entropy(a, b));
    cg_tensor *c = in->c, *mask = in->mask;
    CASE("mixed_cat", cg_cat(CG_LIST(c, a), 0));
    CASE("mixed_stack", cg_stack(CG_LIST(a, c), 0));
    CASE("mixed_mm", cg_mm(a, cg_t(c)));
    CASE("mixed_mm_cpu_first", cg_mm(c, cg_t(a)));
    CASE("mixed_mv", cg_mv(c, v));
    CASE("mixed_gather", cg_gather(c, 1, cg_view(in->idx, 2, 1)));
    CASE("mixed_scatter_add", cg_scatter_add(a, 0, cg_tensor_i64(((int64_t[]){0, 1}), 1, 2), c));
    CASE("mixed_masked_fill", cg_masked_fill(a, cg_gt_scalar(c, 0), 1.0));
    CASE("err_mixed_masked_fill", cg_masked_fill(c, mask, 1.0));
    CASE("mixed_nll", cg_nll_loss(c, in->cls));
    CASE("err_mixed_where", cg_where(mask, a, c));
    CASE("err_mixed_where_cpu_condition", cg_where(cg_gt_scalar(c, 0), a, b));
    CASE("mixed_index_select_meta_self", cg_index_select(a, 1, cg_tensor_i64(((int64_t[]){0, 1}), 2)));
    CASE("mixed_conv_meta_input", cg_conv1d(in->sig, cg_ones(4, 3, 3)));
    CASE("err_mm_shapes", cg_mm(a, b));
    CASE("err_add_shapes", cg_add(a, x));
    CASE("err_cat_0dim", cg_cat(CG_LIST(a, cg_sum(a)), 0));
    CASE("err_mixed_add", cg_add(a, in->c));
    CASE("err_mixed_add_cpu_first", cg_add(in->c, a));
    CASE("err_mixed_mul", cg_mul(a, in->c));
    CASE("err_to_cpu", cg_to_device(a, CG_CPU));
    CASE("err_sub_bool", cg_sub(in->mask, in->mask));
    CASE("err_view", cg_view(t, 6));
    CASE("err_dim", cg_sum(a, CG_DIMS(2)));
#undef CASE
    fprintf(stderr, "no case named %s in test_meta.c\n", name);
    return NULL;
}

static char *unescape(char *s) {
    char *out = s;
    for (const char *in = s; *in; in++) {
        if (*in == '\\' && in[1]) {
            in++;
            *out++ = *in == 'n' ? '\n' : *in == 't' ? '\t' : *in;
        } else {
            *out++ = *in;
        }
    }
    *out = '\0';
    return s;
}

static bool same_sizes(const cg_tensor *a, const cg_tensor *b) {
    return cg_ndim(a) == cg_ndim(b) && memcmp(cg_sizes(a), cg_sizes(b), (size_t)cg_ndim(a) * sizeof(int64_t)) == 0;
}

static void list_text(int n, const int64_t *v, char *out, size_t size) {
    size_t len = 0;
    out[0] = '\0';
    for (int i = 0; i < n; i++) len += (size_t)snprintf(out + len, size - len, "%s%lld", i ? "," : "", (long long)v[i]);
}

/* One golden line: the meta result's repr (or error), sizes and strides as PyTorch's; the CPU
 * result of the same case has the same metadata (where the case exists on the CPU). */
static int check_case(char *line) {
    char *fields[5] = {0};
    for (int i = 0; i < 5 && line; i++) { /* tab-separated, empty fields kept */
        fields[i] = line;
        line = strchr(line, '\t');
        if (line) *line++ = '\0';
    }
    if (!fields[4]) return -1;
    const char *name = fields[0], *kind = fields[1], *text = unescape(fields[2]);
    inputs meta = make_inputs(CG_META);
    cg_clear_error();
    cg_tensor *r = run_case(name, &meta, CG_META);
    if (strcmp(kind, "ok") != 0) {
        /* the item message stops before PyTorch's list of backends */
        bool same = r == NULL && strcmp(cg_error_kind_name(cg_last_error_kind()), kind) == 0 &&
                    strcmp(cg_last_error(), text) == 0;
        if (!same) fprintf(stderr, "  %s: got %s\n  expected %s: %s\n", name, r ? "a result" : harness_error(), kind, text);
        return same ? 0 : -1;
    }
    if (!r) {
        fprintf(stderr, "  %s: %s\n", name, harness_error());
        return -1;
    }
    char got[512], sizes[256], strides[256];
    cg_format(r, got, sizeof got);
    list_text(cg_ndim(r), cg_sizes(r), sizes, sizeof sizes);
    list_text(cg_ndim(r), cg_strides(r), strides, sizeof strides);
    int bad = 0;
    if (strcmp(got, text) != 0) fprintf(stderr, "  %s: repr\n    got      %s\n    expected %s\n", name, got, text), bad = 1;
    if (strcmp(sizes, fields[3]) != 0 || strcmp(strides, fields[4]) != 0)
        fprintf(stderr, "  %s: sizes %s strides %s, expected %s and %s\n", name, sizes, strides, fields[3], fields[4]), bad = 1;
    if (cg_get_device(r) != CG_META || cg_data_ptr(r) != NULL) fprintf(stderr, "  %s: not a meta tensor\n", name), bad = 1;
    /* The same case on the CPU: the same sizes, strides, dtype and history. */
    if (strncmp(name, "cpu_to", 6) != 0 && strncmp(name, "mixed_", 6) != 0) {
        inputs cpu = make_inputs(CG_CPU);
        cg_tensor *c = run_case(name, &cpu, CG_CPU);
        char cs[256];
        if (c) list_text(cg_ndim(c), cg_strides(c), cs, sizeof cs);
        if (!c || cg_get_dtype(c) != cg_get_dtype(r) || strcmp(cs, strides) != 0 ||
            !same_sizes(c, r) || (cg_grad_fn(c) == NULL) != (cg_grad_fn(r) == NULL))
            fprintf(stderr, "  %s: the CPU result differs (%s)\n", name, c ? cs : cg_last_error()), bad = 1;
    }
    return -bad;
}

#define NLEAVES 7

/* Gradients of the float inputs, as leaves that require grad, of sum(case) on one device; out[i]
 * NULL where an input gets none. autograd.grad with create_graph, so the backward graph is recorded
 * on meta too (and no .grad is written: no reference cycle through a leaf made inside a case). */
static bool case_grads(const char *name, cg_device device, cg_tensor **out) {
    inputs in = make_inputs(device);
    cg_tensor **leaves[] = {&in.a, &in.b, &in.v, &in.w, &in.x, &in.img, &in.kern};
    cg_tensor *list[NLEAVES];
    for (int i = 0; i < NLEAVES; i++) list[i] = *leaves[i] = cg_requires_grad_(cg_detach(*leaves[i]), true);
    in.t = cg_t(in.a);
    cg_tensor *r = run_case(name, &in, device);
    cg_clear_error();
    if (!r || !cg_dtype_is_floating(cg_get_dtype(r)) || !cg_grad_fn(r)) return false;
    return cg_autograd_grad(.outputs = CG_TENSORS(cg_sum(r)), .inputs = {.items = list, .n = NLEAVES}, .results = out,
                            .create_graph = true, .allow_unused = true) == 0;
}

/* Backward on meta gives every input the gradient (sizes, strides, dtype, history) it gets on
 * the CPU, for every golden case with a float result. */
static int check_backward(char *line) {
    char *tab = strchr(line, '\t');
    if (!tab || strncmp(tab + 1, "ok", 2) != 0) return 0;
    *tab = '\0';
    if (strncmp(line, "cpu_to", 6) == 0 || strncmp(line, "backward", 8) == 0 || strncmp(line, "mixed_", 6) == 0) return 0;
    cg_tensor *cpu[NLEAVES] = {0}, *meta[NLEAVES] = {0};
    bool on_cpu = case_grads(line, CG_CPU, cpu), on_meta = case_grads(line, CG_META, meta);
    int bad = on_cpu != on_meta;
    for (int i = 0; on_cpu && on_meta && i < NLEAVES; i++) {
        if (!cpu[i] && !meta[i]) continue;
        char cs[256] = "", ms[256] = "";
        if (cpu[i]) list_text(cg_ndim(cpu[i]), cg_strides(cpu[i]), cs, sizeof cs);
        if (meta[i]) list_text(cg_ndim(meta[i]), cg_strides(meta[i]), ms, sizeof ms);
        if (!cpu[i] || !meta[i] || !same_sizes(cpu[i], meta[i]) || strcmp(cs, ms) != 0 ||
            cg_get_device(meta[i]) != CG_META || (cg_grad_fn(cpu[i]) == NULL) != (cg_grad_fn(meta[i]) == NULL)) {
            fprintf(stderr, "  %s: input %d's gradient: cpu %s [%s], meta %s [%s]\n", line, i, cpu[i] ? "yes" : "none", cs,
                    meta[i] ? "yes" : "none", ms);
            bad = 1;
        }
    }
    return -bad;
}

static void test_backward_like_cpu(void) {
    int bad;
    int cases = golden_check_lines("tests/data/meta.txt", check_backward, 30, &bad);
    CHECK_MSG(cases >= 100 && bad == 0, "%d of %d cases failed", bad, cases);
}

static void test_golden_cases(void) {
    int bad;
    int cases = golden_check_lines("tests/data/meta.txt", check_case, 30, &bad);
    CHECK_MSG(cases >= 100 && bad == 0, "%d of %d cases failed", bad, cases);
}

/* Reading values fails as PyTorch's does; writing them (fill, copy_ into meta) does nothing. */
static void test_values(void) {
    cg_tensor *m = cg_tensor_new(CG_SIZES(2), .device = CG_META);
    CHECK(isnan(cg_item(cg_sum(m))));
    CHECK_STR(cg_last_error(), "Could not run 'aten::_local_scalar_dense' with arguments from the 'Meta' backend.");
    CHECK(cg_last_error_kind() == CG_NOT_IMPLEMENTED_ERROR);
    float out[2] = {7, 7};
    CHECK(cg_copy_to(m, out, 2, CG_FLOAT32) < 0 && out[0] == 7);
    CHECK_STR(cg_last_error(), "Cannot copy out of meta tensor; no data!");
    CHECK(cg_fill_(m, 3) == 0);
    CHECK(cg_copy_(m, cg_ones(2)) == 0); /* PyTorch copies a CPU tensor into meta: nothing happens */
    cg_tensor *c = cg_zeros(2);
    CHECK_ERROR(cg_copy_(c, m) == 0, "Cannot copy out of meta tensor; no data!");
    CHECK(cg_get_device(m) == CG_META && cg_get_device(c) == CG_CPU);
    CHECK_STR(cg_device_name(CG_META), "meta");
    CHECK_STR(cg_device_name(CG_CPU), "cpu");
    CHECK(cg_to_device(m, CG_META) == m);
    CHECK_ERROR(cg_to_device(m, (cg_device)7), "invalid device 7");
}

/* TensorIterator's ops of two tensors on two devices, each way round: PyTorch's error; a 0-dim CPU
 * tensor goes with meta. The ops that let a meta operand make the result meta: below. */
typedef cg_tensor *(*two_fn)(cg_tensor *a, cg_tensor *b);
static cg_tensor *f_add(cg_tensor *a, cg_tensor *b) { return cg_add(a, b); }
static cg_tensor *f_pow(cg_tensor *a, cg_tensor *b) { return cg_pow(a, b); }
static cg_tensor *f_eq(cg_tensor *a, cg_tensor *b) { return cg_eq(a, b); }
static cg_tensor *f_where(cg_tensor *a, cg_tensor *b) { return cg_where(cg_gt_scalar(a, 0), a, b); }
static cg_tensor *f_lerp(cg_tensor *a, cg_tensor *b) { return cg_lerp(a, b, a); }
static cg_tensor *f_addcmul(cg_tensor *a, cg_tensor *b) { return cg_addcmul(a, b, b, 2); }
static cg_tensor *f_clamp(cg_tensor *a, cg_tensor *b) { return cg_clamp_tensor(a, b, NULL); }
static cg_tensor *f_cat(cg_tensor *a, cg_tensor *b) { return cg_cat(CG_LIST(a, b), 0); }
static cg_tensor *f_stack(cg_tensor *a, cg_tensor *b) { return cg_stack(CG_LIST(a, b), 0); }
static cg_tensor *f_mm(cg_tensor *a, cg_tensor *b) { return cg_mm(a, cg_t(b)); }
static cg_tensor *f_matmul(cg_tensor *a, cg_tensor *b) { return cg_matmul(a, cg_t(b)); }
static cg_tensor *f_index(cg_tensor *a, cg_tensor *b) { return cg_index_select(a, 1, cg_to(cg_gt_scalar(cg_select(b, 0, 0), 9), CG_INT64)); }
static cg_tensor *f_gather(cg_tensor *a, cg_tensor *b) { return cg_gather(a, 1, cg_to(cg_gt_scalar(b, 9), CG_INT64)); }
static cg_tensor *f_scatter(cg_tensor *a, cg_tensor *b) { return cg_scatter_add(a, 1, cg_to(cg_gt_scalar(a, 9), CG_INT64), b); }
static cg_tensor *f_masked(cg_tensor *a, cg_tensor *b) { return cg_masked_fill(a, cg_gt_scalar(b, 0), 1.0); }
static cg_tensor *f_mse(cg_tensor *a, cg_tensor *b) { return cg_mse_loss(a, b); }
static cg_tensor *f_bce(cg_tensor *a, cg_tensor *b) { return cg_binary_cross_entropy_with_logits(a, b); }
static cg_tensor *f_nll(cg_tensor *a, cg_tensor *b) { return cg_nll_loss(a, cg_to(cg_gt_scalar(cg_select(b, 1, 0), 9), CG_INT64)); }
static cg_tensor *f_conv(cg_tensor *a, cg_tensor *b) { return cg_conv1d(cg_unsqueeze(a, 0), cg_unsqueeze(cg_t(b), 2)); }
static cg_tensor *f_add_(cg_tensor *a, cg_tensor *b) { return cg_add_(a, b) == 0 ? a : NULL; }
static cg_tensor *f_mul_(cg_tensor *a, cg_tensor *b) { return cg_mul_(a, b) == 0 ? a : NULL; }

static void test_mixed_devices(void) {
    const two_fn fns[] = {f_add, f_pow, f_eq, f_lerp, f_addcmul, f_clamp, f_mse, f_bce, f_add_, f_mul_};
    const char *expected = "Expected all tensors to be on the same device, but found at least two devices, meta and cpu!";
    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
        for (int order = 0; order < 2; order++) {
            cg_tensor *cpu = cg_rand_shape(CG_FLOAT64, CG_SHAPE(2, 3));
            cg_tensor *meta = cg_to_device(cg_rand_shape(CG_FLOAT64, CG_SHAPE(2, 3)), CG_META);
            cg_clear_error();
            cg_tensor *r = order ? fns[i](cpu, meta) : fns[i](meta, cpu);
            CHECK_MSG(!r && strcmp(cg_last_error(), expected) == 0, "op %zu, order %d: %s", i, order, r ? "no error" : cg_last_error());
            r = fns[i](meta, cg_to_device(cpu, CG_META)); /* one device: fine */
            CHECK_MSG(r && cg_get_device(r) == CG_META, "op %zu on meta: %s", i, cg_last_error());
        }
    }
    cg_tensor *m = cg_to_device(cg_ones(2, 3), CG_META);
    CHECK(cg_get_device(cg_mul(m, cg_scalar(2, CG_FLOAT32))) == CG_META);
    CHECK(cg_get_device(cg_mul(cg_scalar(2, CG_FLOAT32), m)) == CG_META);
    CHECK(cg_add_(m, cg_scalar(2, CG_FLOAT32)) == 0);
}

/* The ops outside TensorIterator let a meta operand make the result meta (the CPU kernel never sees
 * it); where PyTorch would compute a CPU result from a meta operand's missing data (index_select,
 * convolution with a CPU self) it is the same-device error, and masked_fill into a CPU tensor with a
 * meta mask PyTorch's NotImplementedError: either way a result, when there is one, is meta. */
static void test_lenient_mixed(void) {
    const two_fn fns[] = {f_cat, f_stack, f_mm, f_matmul, f_index, f_gather, f_scatter, f_masked, f_nll, f_conv, f_where};
    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
        for (int order = 0; order < 2; order++) {
            cg_tensor *cpu = cg_rand_shape(CG_FLOAT64, CG_SHAPE(2, 3));
            cg_tensor *meta = cg_to_device(cg_rand_shape(CG_FLOAT64, CG_SHAPE(2, 3)), CG_META);
            cg_clear_error();
            cg_tensor *r = order ? fns[i](cpu, meta) : fns[i](meta, cpu);
            CHECK_MSG(r ? cg_get_device(r) == CG_META : cg_last_error_kind() != CG_ERROR_NONE, "op %zu, order %d", i, order);
        }
    }
}

/* Gradients must be on their tensor's device, as PyTorch checks them; a 0-dim one is moved. */
static void test_gradient_devices(void) {
    cg_tensor *m = cg_tensor_new(CG_SIZES(2, 3), .device = CG_META, .requires_grad = true);
    cg_tensor *c = cg_ones(2, 3);
    CHECK_ERROR(cg_backward(cg_mul_scalar(m, 2), .gradient = c) == 0,
                "invalid gradient at index 0 - expected device meta but got cpu");
    CHECK_ERROR(cg_set_grad(m, cg_ones(2, 3)) == 0, "assigned grad has data of a different type");
    CHECK_ERROR(cg_set_grad(cg_requires_grad_(cg_ones(2, 3), true), cg_to_device(c, CG_META)) == 0,
                "assigned grad has data of a different type");
    CHECK(cg_backward(cg_sum(cg_mul_scalar(m, 2)), .gradient = cg_scalar(1, CG_FLOAT32)) == 0);
    CHECK(cg_grad(m) && cg_get_device(cg_grad(m)) == CG_META);
    cg_tensor *res[1] = {0};
    CHECK(cg_autograd_grad(.outputs = CG_TENSORS(cg_sum(cg_exp(m))), .inputs = CG_TENSORS(m), .results = res,
                           .grad_outputs = CG_TENSORS(cg_scalar(1, CG_FLOAT32))) == 0);
    CHECK(res[0] && cg_get_device(res[0]) == CG_META);
    /* a lenient op's meta result sends a meta gradient to a CPU input: PyTorch's engine error */
    cg_tensor *cpu_leaf = cg_requires_grad_(cg_ones(2, 3), true);
    CHECK_ERROR(cg_backward(cg_sum(cg_mm(cpu_leaf, cg_t(m)))) == 0,
                "Function MmBackward0 returned an invalid gradient at index 0 - expected device cpu but got meta");
    CHECK_ERROR(cg_backward(cg_sum(cg_cat(CG_LIST(cpu_leaf, m), 0))) == 0,
                "Function CatBackward0 returned an invalid gradient at index 0 - expected device cpu but got meta");
    CHECK(cg_grad(cpu_leaf) == NULL);
    /* through cg_to_device the gradient goes back to the CPU, which it cannot: no data */
    cg_tensor *leaf = cg_requires_grad_(cg_ones(3), true);
    CHECK_ERROR(cg_backward(cg_sum(cg_to_device(leaf, CG_META))) == 0, "Cannot copy out of meta tensor; no data!");
}

static int exp_fn(cg_tensor **in, cg_tensor **out, void *user) {
    (void)user;
    out[0] = cg_exp(in[0]);
    return out[0] ? 1 : -1;
}

/* gradcheck reads values: on meta it fails as PyTorch's first .item() does. */
static void test_gradcheck_needs_values(void) {
    cg_tensor *m = cg_tensor_new(.dtype = CG_FLOAT64, CG_SIZES(3), .device = CG_META, .requires_grad = true);
    CHECK_ERROR(cg_gradcheck(.fn = exp_fn, .inputs = CG_TENSORS(m)) == 0,
                "Could not run 'aten::_local_scalar_dense' with arguments from the 'Meta' backend.");
    CHECK(cg_last_error_kind() == CG_NOT_IMPLEMENTED_ERROR);
}

/* A meta tensor costs its header only: a huge one is fine. */
static void test_no_memory(void) {
    cg_tensor *huge = cg_tensor_new(CG_SIZES(1 << 20, 1 << 20), .device = CG_META, .requires_grad = true);
    CHECK_OK(huge);
    cg_tensor *y = cg_matmul(huge, cg_t(huge));
    CHECK_OK(y);
    CHECK(cg_backward(cg_sum(cg_relu(y))) == 0);
    CHECK(cg_grad(huge) && cg_size(cg_grad(huge), 0) == 1 << 20);
}

static void quiet(const char *message, void *user) { (void)message, (void)user; }

int main(void) {
    cg_set_warning_handler(quiet, NULL); /* backward with create_graph warns as PyTorch does */
    RUN(test_golden_cases);
    RUN(test_backward_like_cpu);
    RUN(test_values);
    RUN(test_mixed_devices);
    RUN(test_lenient_mixed);
    RUN(test_gradient_devices);
    RUN(test_gradcheck_needs_values);
    RUN(test_no_memory);
    HARNESS_END();
}
