/* torch.nn.functional's ops of several operands against PyTorch (tests/data/nnfunc.txt from
 * tools/gen_nnfunc.py): values and gradients in float32 and float64, node names, and PyTorch's
 * errors. Each case says how far from PyTorch's bits it may be, in epsilons (0: bit for bit), and
 * why. NNFUNC_DEBUG=1 prints each differing element. */
#include "golden.h"
#include "blas_core.h"
#include "harness.h"

#include <float.h>

#define MAX_IN 6

typedef struct {
    const char *name;
    cg_tensor *(*fn)(cg_tensor **in);
    double eps;       /* values and gradients */
    double grad_eps;  /* gradients, when above eps */
} nnfunc_case;

#define FN(fname, call) static cg_tensor *fn_##fname(cg_tensor **in) { return call; }
FN(prelu, cg_prelu(in[0], in[1]))
FN(prelu_t, cg_prelu(cg_transpose(in[0], 0, 1), in[1]))
FN(normalize, cg_normalize(in[0], 2, 1, 1e-12))
FN(normalize_p1_dim0, cg_normalize(in[0], 1, 0, 1e-12))
FN(normalize_p3_last, cg_normalize(in[0], 3, -1, 0.5))
FN(cosine_similarity, cg_cosine_similarity(in[0], in[1], 1, 1e-8))
FN(cosine_similarity_last, cg_cosine_similarity(in[0], in[1], -1, 1e-3))
FN(pairwise_distance, cg_pairwise_distance(in[0], in[1], 2, 1e-6, false))
FN(pairwise_distance_p1_keep, cg_pairwise_distance(in[0], in[1], 1, 1e-3, true))
FN(pad_reflect_1, cg_pad_reflect(in[0], (const int64_t[]){2, -1}, 2))
FN(pad_reflect_1b, cg_pad_reflect(in[0], (const int64_t[]){3, 1}, 2))
FN(pad_reflect_2, cg_pad_reflect(in[0], (const int64_t[]){1, 2, 2, 0}, 4))
FN(pad_reflect_2b, cg_pad_reflect(in[0], (const int64_t[]){0, 1, 1, 1}, 4))
FN(pad_reflect_3, cg_pad_reflect(in[0], (const int64_t[]){1, 1, 0, 2, 1, 0}, 6))
FN(pad_reflect_3b, cg_pad_reflect(in[0], (const int64_t[]){2, 1, 1, 1, 1, 2}, 6))
FN(pad_replicate_1, cg_pad_replicate(in[0], (const int64_t[]){2, -1}, 2))
FN(pad_replicate_1b, cg_pad_replicate(in[0], (const int64_t[]){3, 1}, 2))
FN(pad_replicate_2, cg_pad_replicate(in[0], (const int64_t[]){1, 2, 2, 0}, 4))
FN(pad_replicate_2b, cg_pad_replicate(in[0], (const int64_t[]){0, 1, 1, 1}, 4))
FN(pad_replicate_3, cg_pad_replicate(in[0], (const int64_t[]){1, 1, 0, 2, 1, 0}, 6))
FN(pad_replicate_3b, cg_pad_replicate(in[0], (const int64_t[]){2, 1, 1, 1, 1, 2}, 6))
FN(pad_reflect_big, cg_pad_reflect(in[0], (const int64_t[]){1, 1}, 2))
FN(pad_replicate_big, cg_pad_replicate(in[0], (const int64_t[]){1, 4}, 2))
FN(up_nearest_s2, cg_interpolate(in[0], .scale_factor = {2}))
FN(up_nearest_s1_7, cg_interpolate(in[0], .scale_factor = {1.7}))
FN(up_nearest_size, cg_interpolate(in[0], .size = CG_INTS(5, 3)))
FN(up_nearest_s0_6, cg_interpolate(in[0], .scale_factor = {0.6}))
FN(up_bilinear_s2, cg_interpolate(in[0], .scale_factor = {2}, .mode = "bilinear"))
FN(up_bilinear_s1_5_ac, cg_interpolate(in[0], .scale_factor = {1.5}, .mode = "bilinear", .align_corners = true))
FN(up_bilinear_size, cg_interpolate(in[0], .size = CG_INTS(7, 9), .mode = "bilinear"))
FN(up_bilinear_size_ac, cg_interpolate(in[0], .size = CG_INTS(7, 9), .mode = "bilinear", .align_corners = true))
FN(up_bilinear_down, cg_interpolate(in[0], .size = CG_INTS(2, 3), .mode = "bilinear"))
FN(up_bilinear_same_h, cg_interpolate(in[0], .size = CG_INTS(4, 11), .mode = "bilinear"))
FN(up_linear_s2_5, cg_interpolate(in[0], .scale_factor = {2.5}, .mode = "linear"))
FN(up_linear_size_ac, cg_interpolate(in[0], .size = CG_INTS(13), .mode = "linear", .align_corners = true))
FN(up_nearest1d_size, cg_interpolate(in[0], .size = CG_INTS(11)))
FN(up_nearest3d_s2, cg_interpolate(in[0], .scale_factor = {2}))
FN(up_nearest3d_size, cg_interpolate(in[0], .size = CG_INTS(3, 5, 2)))
FN(up_nexact_s1_7, cg_interpolate(in[0], .scale_factor = {1.7}, .mode = "nearest-exact"))
FN(up_nexact_s2, cg_interpolate(in[0], .scale_factor = {2}, .mode = "nearest-exact"))
FN(up_nexact_size, cg_interpolate(in[0], .size = CG_INTS(3, 7), .mode = "nearest-exact"))
FN(up_nexact_s0_6, cg_interpolate(in[0], .scale_factor = {0.6}, .mode = "nearest-exact"))
FN(up_nearest1d_exact_size, cg_interpolate(in[0], .size = CG_INTS(11), .mode = "nearest-exact"))
FN(up_nexact3d_size, cg_interpolate(in[0], .size = CG_INTS(3, 5, 2), .mode = "nearest-exact"))
FN(up_area_size, cg_interpolate(in[0], .size = CG_INTS(2, 3), .mode = "area"))
FN(up_area_s0_5, cg_interpolate(in[0], .scale_factor = {0.5}, .mode = "area"))
FN(up_area_larger, cg_interpolate(in[0], .size = CG_INTS(5, 7), .mode = "area"))
FN(up_area_one, cg_interpolate(in[0], .size = CG_INTS(1), .mode = "area"))
FN(up_nearest1d_area, cg_interpolate(in[0], .size = CG_INTS(3), .mode = "area"))
FN(up_trilinear3d_s2, cg_interpolate(in[0], .scale_factor = {2}, .mode = "trilinear"))
FN(up_trilinear3d_s1_5, cg_interpolate(in[0], .scale_factor = {1.5}, .mode = "trilinear"))
FN(up_trilinear3d_size_ac, cg_interpolate(in[0], .size = CG_INTS(3, 5, 2), .mode = "trilinear", .align_corners = true))
FN(bilinear, cg_bilinear(in[0], in[1], in[2], NULL))
FN(bilinear_bias, cg_bilinear(in[0], in[1], in[2], in[3]))
FN(sdpa, cg_scaled_dot_product_attention(in[0], in[1], in[2]))
FN(sdpa_mask, cg_scaled_dot_product_attention(in[0], in[1], in[2], .attn_mask = in[3]))
FN(sdpa_causal, cg_scaled_dot_product_attention(in[0], in[1], in[2], .is_causal = true))
FN(sdpa_causal_mask, cg_scaled_dot_product_attention(in[0], in[1], in[2], .attn_mask = in[3], .is_causal = true))
static cg_tensor *fn_sdpa_w(cg_tensor **in) {
    cg_tensor *w = NULL;
    return cg_scaled_dot_product_attention(in[0], in[1], in[2], .attn_weights = &w) ? w : NULL;
}
static cg_tensor *fn_sdpa_mask_w(cg_tensor **in) {
    cg_tensor *w = NULL;
    return cg_scaled_dot_product_attention(in[0], in[1], in[2], .attn_mask = in[3], .attn_weights = &w) ? w : NULL;
}
static cg_tensor *fn_sdpa_causal_w(cg_tensor **in) {
    cg_tensor *w = NULL;
    return cg_scaled_dot_product_attention(in[0], in[1], in[2], .is_causal = true, .attn_weights = &w) ? w : NULL;
}
static cg_tensor *fn_sdpa_drop(cg_tensor **in) {
    cg_manual_seed(7);
    return cg_scaled_dot_product_attention(in[0], in[1], in[2], .dropout_p = 0.3);
}
static cg_tensor *fn_sdpa_drop_w(cg_tensor **in) {
    cg_tensor *w = NULL;
    cg_manual_seed(7);
    return cg_scaled_dot_product_attention(in[0], in[1], in[2], .dropout_p = 0.6, .attn_weights = &w) ? w : NULL;
}
static cg_tensor *fn_sdpa_causal_drop(cg_tensor **in) {
    cg_manual_seed(7);
    return cg_scaled_dot_product_attention(in[0], in[1], in[2], .dropout_p = 0.2, .is_causal = true);
}
FN(sdpa_drop_bad, cg_scaled_dot_product_attention(in[0], in[1], in[2], .dropout_p = 1.5))
FN(pad_replicate_wide, cg_pad_replicate(in[0], (const int64_t[]){3, 3}, 2))

/* The gradients that sum over elements (prelu's weight, the norms' backward) add in another order
 * than PyTorch's kernels: within a few epsilons. The norms' forward (cg_norm) is PyTorch's. */
/* bilinear sums x1 W x2 in another order than PyTorch's _trilinear (within 16 epsilons: the outer
 * products x1 x2 times W, so that W's gradient is row-major as PyTorch's); attention
 * is PyTorch's bits. interpolate's linear modes: values bit for bit; PyTorch's backward kernel adds each neighbour's
 * share with a fused multiply-add, cgrad's scatter_add rounds the product first (<= 3 epsilons). */
static bool same_blas;

static const nnfunc_case cases[] = {
    {"prelu", fn_prelu, 4, 0},
    {"prelu_t", fn_prelu_t, 4, 0},
    {"normalize", fn_normalize, 4, 0},
    {"normalize_p1_dim0", fn_normalize_p1_dim0, 4, 0},
    {"normalize_p3_last", fn_normalize_p3_last, 8, 0},
    {"cosine_similarity", fn_cosine_similarity, 4, 0},
    {"cosine_similarity_last", fn_cosine_similarity_last, 4, 0},
    {"pairwise_distance", fn_pairwise_distance, 4, 0},
    {"pairwise_distance_p1_keep", fn_pairwise_distance_p1_keep, 4, 0},
    {"pad_reflect_1", fn_pad_reflect_1, 0, 0},
    {"pad_reflect_1b", fn_pad_reflect_1b, 0, 0},
    {"pad_reflect_2", fn_pad_reflect_2, 0, 0},
    {"pad_reflect_2b", fn_pad_reflect_2b, 0, 0},
    {"pad_reflect_3", fn_pad_reflect_3, 0, 0},
    {"pad_reflect_3b", fn_pad_reflect_3b, 0, 0},
    {"pad_replicate_1", fn_pad_replicate_1, 0, 0},
    {"pad_replicate_1b", fn_pad_replicate_1b, 0, 0},
    {"pad_replicate_2", fn_pad_replicate_2, 0, 0},
    {"pad_replicate_2b", fn_pad_replicate_2b, 0, 0},
    {"pad_replicate_3", fn_pad_replicate_3, 0, 0},
    {"pad_replicate_3b", fn_pad_replicate_3b, 0, 0},
    {"pad_reflect_big", fn_pad_reflect_big, 0, 0},
    {"pad_replicate_big", fn_pad_replicate_big, 0, 0},
    {"pad_replicate_wide", fn_pad_replicate_wide, 0, 0},
    {"bilinear", fn_bilinear, 16, 0},
    {"bilinear_bias", fn_bilinear_bias, 16, 0},
    {"sdpa", fn_sdpa, 0, 0},
    {"sdpa_w", fn_sdpa_w, 0, 0},
    {"sdpa_mask", fn_sdpa_mask, 0, 0},
    {"sdpa_mask_w", fn_sdpa_mask_w, 0, 0},
    {"sdpa_causal", fn_sdpa_causal, 0, 0},
    {"sdpa_causal_w", fn_sdpa_causal_w, 0, 0},
    {"sdpa_causal_mask", fn_sdpa_causal_mask, 0, 0},
    {"sdpa_drop", fn_sdpa_drop, 0, 0},
    {"sdpa_drop_w", fn_sdpa_drop_w, 0, 0},
    {"sdpa_causal_drop", fn_sdpa_causal_drop, 0, 0},
    {"sdpa_drop_bad", fn_sdpa_drop_bad, 0, 0},
    {"up_nearest_s2", fn_up_nearest_s2, 0, 0},
    {"up_nearest_s1.7", fn_up_nearest_s1_7, 0, 0},
    {"up_nearest_size", fn_up_nearest_size, 0, 0},
    {"up_nearest_s0.6", fn_up_nearest_s0_6, 0, 0},
    {"up_bilinear_s2", fn_up_bilinear_s2, 0, 3},
    {"up_bilinear_s1.5_ac", fn_up_bilinear_s1_5_ac, 0, 3},
    {"up_bilinear_size", fn_up_bilinear_size, 0, 3},
    {"up_bilinear_size_ac", fn_up_bilinear_size_ac, 0, 3},
    {"up_bilinear_down", fn_up_bilinear_down, 0, 3},
    {"up_bilinear_same_h", fn_up_bilinear_same_h, 0, 3},
    {"up_linear_s2.5", fn_up_linear_s2_5, 0, 3},
    {"up_linear_size_ac", fn_up_linear_size_ac, 0, 3},
    {"up_nearest1d_size", fn_up_nearest1d_size, 0, 0},
    {"up_nearest3d_s2", fn_up_nearest3d_s2, 0, 0},
    {"up_nearest3d_size", fn_up_nearest3d_size, 0, 0},
    {"up_nexact_s1.7", fn_up_nexact_s1_7, 0, 0},
    {"up_nexact_s2", fn_up_nexact_s2, 0, 0},
    {"up_nexact_size", fn_up_nexact_size, 0, 0},
    {"up_nexact_s0.6", fn_up_nexact_s0_6, 0, 0},
    {"up_nearest1d_exact_size", fn_up_nearest1d_exact_size, 0, 0},
    {"up_nexact3d_size", fn_up_nexact3d_size, 0, 0},
    {"up_area_size", fn_up_area_size, 0, 0},
    {"up_area_s0.5", fn_up_area_s0_5, 0, 0},
    {"up_area_larger", fn_up_area_larger, 0, 0},
    {"up_area_one", fn_up_area_one, 0, 0},
    {"up_nearest1d_area", fn_up_nearest1d_area, 0, 0},
    {"up_trilinear3d_s2", fn_up_trilinear3d_s2, 0, 4},
    {"up_trilinear3d_s1.5", fn_up_trilinear3d_s1_5, 0, 4},
    {"up_trilinear3d_size_ac", fn_up_trilinear3d_size_ac, 0, 4},
};

static const nnfunc_case *find_case(const char *name) {
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (name && !strcmp(cases[i].name, name)) return &cases[i];
    return NULL;
}

/* |a - b| in epsilons of b's dtype at max(1, |b|); 0 for equal bits (NaN matching NaN; the sign of
 * a zero is not compared under valgrind), INFINITY for a mismatched NaN, infinity or zero sign. */
static double distance(double a, double b, bool f32) {
    if (isnan(a) || isnan(b)) return isnan(a) && isnan(b) ? 0 : INFINITY;
    if (a == b) return signbit(a) == signbit(b) || under_valgrind() ? 0 : INFINITY;
    if (isinf(a) || isinf(b)) return INFINITY;
    return fabs(a - b) / ((f32 ? FLT_EPSILON : DBL_EPSILON) * fmax(1, fabs(b)));
}

static double worst_distance(cg_tensor *got, cg_tensor *expected) {
    if (!got || !expected || cg_ndim(got) != cg_ndim(expected) || cg_get_dtype(got) != cg_get_dtype(expected) ||
        memcmp(cg_sizes(got), cg_sizes(expected), sizeof(int64_t) * (size_t)cg_ndim(got)))
        return INFINITY;
    cg_tensor *g = cg_contiguous(got);
    bool f32 = cg_get_dtype(g) == CG_FLOAT32;
    double worst = 0;
    for (int64_t i = 0; i < cg_numel(g); i++) {
        double a = f32 ? ((const float *)cg_data_ptr(g))[i] : ((const double *)cg_data_ptr(g))[i];
        double b = f32 ? ((const float *)cg_data_ptr(expected))[i] : ((const double *)cg_data_ptr(expected))[i];
        double d = distance(a, b, f32);
        if (d > 0 && getenv("NNFUNC_DEBUG")) fprintf(stderr, "  [%lld] %.17g vs %.17g\n", (long long)i, a, b);
        worst = fmax(worst, d);
    }
    return worst;
}

static int read_inputs(char **cursor, cg_tensor **in) {
    const char *count = golden_token(cursor);
    int n = count ? atoi(count) : -1;
    if (n < 0 || n > MAX_IN) return -1;
    for (int i = 0; i < n; i++)
        if (!(in[i] = golden_tensor(cursor))) return -1;
    return n;
}

/* The same op on meta copies of the inputs: a meta result of y's shape and dtype, and gradients. */
static int check_meta(const nnfunc_case *c, cg_tensor **in, int n, cg_tensor *y) {
    cg_tensor *meta[MAX_IN], *wanted[MAX_IN], *grads[MAX_IN] = {0};
    int nwanted = 0;
    for (int i = 0; i < n; i++) {
        meta[i] = cg_detach(cg_to_device(in[i], CG_META));
        if (cg_dtype_is_floating(cg_get_dtype(in[i]))) wanted[nwanted++] = cg_requires_grad_(meta[i], true);
    }
    cg_tensor *m = c->fn(meta);
    if (!m || cg_get_device(m) != CG_META || cg_get_dtype(m) != cg_get_dtype(y) || cg_ndim(m) != cg_ndim(y) ||
        memcmp(cg_sizes(m), cg_sizes(y), sizeof(int64_t) * (size_t)cg_ndim(y)) ||
        cg_autograd_grad(.outputs = CG_TENSORS(m), .inputs = {wanted, nwanted}, .results = grads,
                         .grad_outputs = CG_TENSORS(cg_ones_like(m)), .allow_unused = true) < 0) {
        fprintf(stderr, "%s on meta: %s\n", c->name, cg_last_error());
        return -1;
    }
    return 0;
}

static int check_case(char *cursor) {
    const nnfunc_case *c = find_case(golden_token(&cursor));
    const char *node = golden_token(&cursor);
    cg_tensor *in[MAX_IN], *wanted[MAX_IN], *grads[MAX_IN] = {0};
    int n = read_inputs(&cursor, in), nwanted = 0;
    if (!c || !node || n < 0) return -1;
    for (int i = 0; i < n; i++)
        if (cg_dtype_is_floating(cg_get_dtype(in[i]))) wanted[nwanted++] = cg_requires_grad_(in[i], true);
    cg_tensor *gout = golden_tensor(&cursor), *y_expected = golden_tensor(&cursor), *y = c->fn(in);
    if (!y || !cg_grad_fn(y) || strcmp(cg_node_name(cg_grad_fn(y)), node)) {
        fprintf(stderr, "%s: %s, node %s (PyTorch's: %s)\n", c->name, cg_last_error(),
                y && cg_grad_fn(y) ? cg_node_name(cg_grad_fn(y)) : "none", node);
        return -1;
    }
    if (cg_autograd_grad(.outputs = CG_TENSORS(y), .inputs = {wanted, nwanted}, .results = grads,
                         .grad_outputs = CG_TENSORS(gout), .allow_unused = true) < 0)
        return -1;
    double dy = worst_distance(y, y_expected), worst = 0;
    for (int i = 0, k = 0; i < n; i++) {
        cursor += strspn(cursor, " ");
        bool none = !strncmp(cursor, "none", 4);
        if (none) golden_token(&cursor);
        cg_tensor *expected = none ? NULL : golden_tensor(&cursor);
        if (!cg_dtype_is_floating(cg_get_dtype(in[i]))) continue;
        cg_tensor *got = grads[k++];
        if (none != !got) return -1;
        if (!none) worst = fmax(worst, worst_distance(got, expected));
    }
    if (check_meta(c, in, n, y) < 0) return -1;
    /* valgrind runs fused multiply-adds (OpenBLAS's, the SIMD kernels') as two roundings; other
     * OpenBLAS kernels than the golden file's round attention's products otherwise; the portable
     * build's products and softmax's exp are not PyTorch's (OpenBLAS, SLEEF) */
    double slack = under_valgrind() ? 2 : same_blas ? 0 : 1;
#if !defined(CG_HAVE_BLAS) || !defined(CG_HAVE_SLEEF)
    slack = 4;
#endif
    if (dy > fmax(c->eps, slack) || worst > fmax(fmax(c->eps, c->grad_eps), slack)) {
        fprintf(stderr, "%s %s: values %g, gradients up to %g epsilons from PyTorch's (at most %g)\n", c->name,
                cg_dtype_name(cg_get_dtype(in[0])), dy, worst, fmax(c->eps, c->grad_eps));
        return -1;
    }
    return 0;
}

static int check_error(char *cursor) {
    const nnfunc_case *c = find_case(golden_token(&cursor));
    cg_tensor *in[MAX_IN];
    int n = read_inputs(&cursor, in);
    const char *message = cursor + strspn(cursor, " ");
    if (!c || n < 0) return -1;
    cg_clear_error();
    if (c->fn(in) || strcmp(harness_error(), message)) {
        fprintf(stderr, "%s: \"%s\", PyTorch's: \"%s\"\n", c->name, harness_error(), message);
        return -1;
    }
    return 0;
}

static int check_line(char *line) {
    char *cursor = line;
    const char *first = golden_token(&cursor);
    if (first && !strcmp(first, "case")) return check_case(cursor);
    if (first && !strcmp(first, "error")) return check_error(cursor);
    return -1;
}

static void test_golden(void) {
    int bad = 0;
    int n = golden_check_lines("tests/data/nnfunc.txt", check_line, 40, &bad);
    CHECK(n > 60);
    CHECK_MSG(bad == 0, "%d of %d lines differ from PyTorch", bad, n);
}

/* The compositions (no registry op of their own) are gradchecked and gradgradchecked here, in
 * float64: each case's function of in[] over random inputs of the given shapes. */
static int call_case(cg_tensor **in, cg_tensor **out, void *user) {
    out[0] = ((const nnfunc_case *)user)->fn(in);
    return out[0] ? 1 : -1;
}

static cg_tensor *f64(uint64_t seed, int ndim, const int64_t *sizes) {
    cg_manual_seed(seed);
    cg_tensor *t = cg_rand_shape(CG_FLOAT64, ndim, sizes);
    return cg_requires_grad_(cg_sub_scalar(cg_mul_scalar(t, 2), 1), true);
}
#define F64(seed, ...) f64(seed, CG_SHAPE(__VA_ARGS__))

static void test_gradcheck_compositions(void) {
    struct {
        const char *name;
        int n;
        cg_tensor *in[4];
    } checks[] = {
        {"normalize", 1, {F64(1, 3, 4)}},
        {"normalize_p3_last", 1, {F64(2, 3, 4)}},
        {"cosine_similarity", 2, {F64(3, 3, 4), F64(4, 3, 4)}},
        {"pairwise_distance", 2, {F64(5, 3, 4), F64(6, 4)}},
        {"bilinear_bias", 4, {F64(7, 3, 2), F64(8, 3, 4), F64(9, 2, 2, 4), F64(10, 2)}},
        {"sdpa", 3, {F64(11, 2, 3, 4), F64(12, 2, 5, 4), F64(13, 2, 5, 3)}},
        {"sdpa_causal", 3, {F64(14, 4, 3), F64(15, 4, 3), F64(16, 4, 2)}},
        {"sdpa_mask_w", 4, {F64(17, 3, 2), F64(18, 4, 2), F64(19, 4, 2), F64(20, 3, 4)}},
    };
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
        const nnfunc_case *c = find_case(checks[i].name);
        cg_tensor_list inputs = {checks[i].in, checks[i].n};
        CHECK_MSG(c && cg_gradcheck(.fn = call_case, .inputs = inputs, .user = (void *)c) == 0,
                  "gradcheck %s: %s", checks[i].name, cg_last_error());
        CHECK_MSG(c && cg_gradgradcheck(.fn = call_case, .inputs = inputs, .user = (void *)c) == 0,
                  "gradgradcheck %s: %s", checks[i].name, cg_last_error());
    }
}

/* A batch of 0 pads to a batch of 0, and its gradient too (PyTorch allows it). */
static void test_pad_empty_batch(void) {
    cg_tensor *x = cg_tensor_new(.dtype = CG_FLOAT32, CG_SIZES(0, 3, 4), .requires_grad = true), *dx = NULL;
    cg_tensor *y = cg_pad_reflect(x, (const int64_t[]){1, 2}, 2);
    CHECK_MSG(y && cg_size(y, 0) == 0 && cg_size(y, 2) == 7, "%s", cg_last_error());
    CHECK(cg_autograd_grad(.outputs = CG_TENSORS(y), .inputs = CG_TENSORS(x), .results = &dx,
                           .grad_outputs = CG_TENSORS(cg_ones_like(y))) == 0 && dx && cg_size(dx, 2) == 4);
}

int main(void) {
    same_blas = golden_same_blas("tests/data/nnfunc.txt");
    RUN(test_golden);
    RUN(test_pad_empty_batch);
    RUN(test_gradcheck_compositions);
    HARNESS_END();
}
