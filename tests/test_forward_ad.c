/* Forward-mode AD (torch.autograd.forward_ad): dual levels and tensors with PyTorch's messages, a
 * walk of the registry that fails for any op without a forward derivative (unless listed below as
 * not done yet), and every op's jvp checked against the reverse mode on its gradcheck cases:
 * u . (J v) == (J^T u) . v in float64. */
#include "harness.h"

#include "autograd/registry.h"
#include "grad_cases_activation.h"
#include "grad_cases_nnfunc.h"
#include "grad_cases_api.h"
#include "grad_cases_conv.h"
#include "grad_cases_copy.h"
#include "grad_cases_depends.h"
#include "grad_cases_elementwise.h"
#include "grad_cases_linalg.h"
#include "grad_cases_linalg_lapack.h"
#include "grad_cases_loss.h"
#include "grad_cases_math.h"
#include "grad_cases_norm.h"
#include "grad_cases_reduce.h"
#include "grad_cases_scan.h"
#include "grad_cases_sort.h"
#include "grad_cases_reduce_more.h"
#include "grad_cases_view.h"
#include "grad_cases_shape.h"

/* ---- levels and dual tensors ---- */

static void test_levels(void) {
    CHECK_ERROR(cg_exit_dual_level(-1) == 0, "Dual level must be a positive number.");
    CHECK_ERROR(cg_exit_dual_level(0) == 0,
                "Trying to exit a forward AD level that was not the last one that was created. This is not supported.");
    int level = cg_enter_dual_level();
    CHECK(level == 0);
    CHECK_ERROR(cg_enter_dual_level() == 0, "Nested forward mode AD is not supported at the moment");
    CHECK_ERROR(cg_exit_dual_level(1) == 0,
                "Trying to exit a forward AD level that was not the last one that was created. This is not supported.");
    CHECK(cg_exit_dual_level(level) == 0);
    CHECK(cg_enter_dual_level() == 0); /* levels are reused, as PyTorch's */
    CHECK(cg_exit_dual_level(0) == 0);
}

static void test_make_dual_errors(void) {
    cg_tensor *x = cg_tensor_f32(((float[]){1, 2, 3}), 3), *t = cg_tensor_f32(((float[]){4, 5, 6}), 3);
    CHECK_ERROR(cg_make_dual(x, t, -1),
                "Trying to create a dual Tensor for forward AD but no level exists, make sure to enter_dual_level() first.");
    int level = cg_enter_dual_level();
    CHECK_ERROR(cg_make_dual(cg_arange(0, 3, 1, CG_INT64), t, level),
                "Expected primal to be floating point or complex, but got: torch.int64");
    CHECK(cg_last_error_kind() == CG_VALUE_ERROR);
    CHECK_ERROR(cg_make_dual(x, cg_arange(0, 3, 1, CG_INT64), level),
                "Expected tangent to be floating point or complex, but got: torch.int64");
    CHECK_ERROR(cg_make_dual(x, t, 3), "Invalid level given to _make_dual");
    CHECK_ERROR(cg_make_dual(x, cg_zeros(3, 1), level),
                "Trying to set a forward gradient that has a different size than that of the original Tensor, this is "
                "not supported. Tensor is of size [3] while the given forward gradient is of size [3, 1].");
    CHECK_ERROR(cg_make_dual(x, cg_zeros_shape(CG_FLOAT32, 0, NULL), level),
                "Trying to set a forward gradient that has a different size than that of the original Tensor, this is "
                "not supported. Tensor is of size [3] while the given forward gradient is of size [].");
    cg_tensor *d = cg_make_dual(x, t, level);
    CHECK_OK(d);
    CHECK_ERROR(cg_make_dual(d, t, level),
                "Making a dual Tensor based on a Tensor that already has a forward gradient at the same level 0 is not "
                "supported.");
    CHECK_ERROR(cg_mul_scalar_(d, 2) == 0, "forward AD through an in-place op is not supported by cgrad yet");
    CHECK(harness_values_close(d, (double[]){1, 2, 3}, 0)); /* left as it was */
    cg_exit_dual_level(level);
}

static void test_make_and_unpack(void) {
    cg_tensor *x = cg_tensor_f32(((float[]){1, 2, 3}), 3), *t = cg_tensor_f32(((float[]){4, 5, 6}), 3), *got;
    CHECK(cg_unpack_dual(x, 0, &got) == x && got == NULL); /* no level: the tensor itself */
    int level = cg_enter_dual_level();
    cg_tensor *d = cg_make_dual(x, t, level);
    cg_tensor *p = cg_unpack_dual(d, level, &got);
    CHECK(got == t);  /* laid out as the primal: kept as it is, as PyTorch's `is` says */
    CHECK(p != d && cg_data_ptr(p) == cg_data_ptr(x) && cg_data_ptr(d) == cg_data_ptr(x));
    cg_tensor *again;
    CHECK(cg_unpack_dual(p, level, &again) == p && again == NULL); /* the primal has no tangent */
    CHECK(cg_unpack_dual(x, level, &again) == x && again == NULL);
    cg_exit_dual_level(level);
    CHECK(cg_unpack_dual(d, 0, &again) == d && again == NULL); /* dropped at exit */
}

static void test_strided_tangent(void) {
    int level = cg_enter_dual_level();
    cg_tensor *x = cg_t(cg_zeros(3, 4)), *got; /* strides (1, 4) */
    cg_tensor *t = cg_view(cg_arange(0, 12, 1, CG_FLOAT32), 4, 3);
    cg_unpack_dual(cg_make_dual(x, t, level), level, &got);
    CHECK(got != t && cg_stride(got, 0) == 1 && cg_stride(got, 1) == 4); /* copied into the primal's layout */
    CHECK(harness_same_bits(got, t));
    cg_exit_dual_level(level);
}

static void test_requires_grad_primal(void) {
    int level = cg_enter_dual_level();
    cg_tensor *x = cg_requires_grad_(cg_tensor_f32(((float[]){1, 2}), 2), true);
    cg_tensor *d = cg_make_dual(x, cg_ones(2), level);
    CHECK_STR(cg_node_name(cg_grad_fn(d)), "ViewBackward0");
    cg_tensor *p = cg_unpack_dual(d, level, NULL);
    CHECK_STR(cg_node_name(cg_grad_fn(p)), "torch::autograd::Identity");
    cg_exit_dual_level(level);
}

static void test_no_grad_mode(void) {
    int level = cg_enter_dual_level();
    cg_tensor *got = NULL;
    CG_NO_GRAD {
        cg_tensor *d = cg_make_dual(cg_tensor_f32(((float[]){1, 2}), 2), cg_tensor_f32(((float[]){3, 4}), 2), level);
        cg_unpack_dual(cg_neg(d), level, &got);
    }
    CHECK(got && harness_values_close(got, (double[]){-3, -4}, 0));
    cg_exit_dual_level(level);
}

/* An op without a forward derivative refuses a dual input with PyTorch's message. */
static void wrong_backward(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    (void)n;
    out[0] = grads[0];
}
static const cg_op no_jvp_op = {"NoJvpBackward0", wrong_backward, "no_jvp"};

static void test_op_without_jvp(void) {
    int level = cg_enter_dual_level();
    cg_tensor *d = cg_make_dual(cg_zeros(2), cg_ones(2), level), *out = cg_zeros(2);
    cg_record(&no_jvp_op, out, CG_INPUTS(d));
    CHECK(cg_recorded(out) == NULL);
    CHECK(strncmp(cg_last_error(), "Trying to use forward AD with no_jvp that does not support it because it has not "
                                   "been implemented yet.\nPlease file an issue to PyTorch", 125) == 0);
    cg_exit_dual_level(level);
}

/* ---- the registry's column ---- */

/* Ops with no forward derivative yet, each with why. */
static const char *const not_yet[] = {
    /* in-place only (cg_check_inplace refuses dual tensors): random fills */
    "uniform", "normal", "fill", "zero", "copy",
    /* not done yet: each needs its own formula (reductions, products, losses, convolutions,
     * normalization, indexing, scans, sorting, linear algebra, and the ops of backward formulas) */
    "smooth_l1_loss_depends", "take", "put", "masked_select", "masked_scatter", "index", "index_put", "index_put_impl",
    "scatter_reduce", "index_reduce",
    "sum", "sum_dims", "mean", "mean_dims", "var", "std", "norm", "prod", "prod_dim", "max", "min", "max_dim",
    "min_dim", "var_mean", "std_mean", "select_backward", "slice_backward", "cat", "stack", "index_select",
    "gather", "scatter_add", "scatter", "scatter_zero", "masked_fill", "masked_fill_tensor", "index_add",
    "dot", "mv", "mm", "addmm", "bmm", "binary_cross_entropy_with_logits", "mse_loss", "mse_loss_backward",
    "softmax", "softmax_backward_data", "log_softmax", "log_softmax_backward_data", "nll_loss",
    "nll_loss_backward", "nll_loss2d", "nll_loss2d_backward", "binary_cross_entropy", "smooth_l1_loss",
    "huber_loss", "soft_margin_loss", "ctc_loss", "convolution", "conv_backward_input",
    "conv_backward_weight", "conv_backward_bias", "conv_transpose", "conv_transpose_backward_input",
    "max_pool2d", "max_pool2d_backward", "avg_pool2d", "avg_pool2d_backward", "adaptive_avg_pool2d",
    "adaptive_avg_pool2d_backward", "adaptive_max_pool2d", "adaptive_max_pool2d_backward", "glu", "embedding",
    "embedding_dense_backward", "constant_pad", "prelu", "reflection_pad1d", "reflection_pad2d",
    "reflection_pad3d", "replication_pad1d", "replication_pad2d", "replication_pad3d", "upsample_nearest1d",
    "upsample_nearest2d", "upsample_nearest3d", "upsample_linear1d", "upsample_bilinear2d",
    "upsample_trilinear3d", "upsample_nearest_exact1d", "upsample_nearest_exact2d", "upsample_nearest_exact3d", "layer_norm",
    "batch_norm", "group_norm", "flip", "roll", "rot90", "repeat", "tril", "triu", "diagonal_backward",
    "diag_embed", "diag", "cumsum", "cumprod", "logcumsumexp", "cummax", "cummin", "sort", "sort_stable",
    "topk", "kthvalue", "median", "median_dim", "nanmedian", "nanmedian_dim", "mode", "amax", "amin",
    "logsumexp", "nansum", "reflection_pad1d_depends", "reflection_pad2d_depends", "reflection_pad3d_depends",
    "replication_pad1d_depends", "replication_pad2d_depends", "replication_pad3d_depends",
    "layer_norm_depends", "batch_norm_depends", "conv_depends", "prelu_depends",
    "upsample_nearest1d_depends", "upsample_nearest2d_depends", "upsample_nearest3d_depends",
    "upsample_linear1d_depends", "upsample_bilinear2d_depends", "elu_depends", "gelu_depends",
    "hardswish_depends", "log_sigmoid_depends", "softplus_depends", "linalg_det",
    "linalg_slogdet", "linalg_inv_ex", "linalg_solve_ex", "index_copy", "index_fill", "index_fill_tensor",
};
static const char *const INPLACE_REFUSED = "forward AD through an in-place op is not supported by cgrad yet";
static const char *const NO_JVP = "Trying to use forward AD with ";
static int skipped_inplace, skipped_no_jvp, skipped_over_reverse;

/* Cases whose function runs a backward (an op's gradient, differentiated): their tangents through
 * the engine's run do not match yet (the engine hands formulas grad_outputs without their
 * tangents), so forward over reverse is not done yet. Keyed by "op/what". */
static const char *const over_reverse_not_yet[] = {
    "tanh_backward/x 2x3, grad 2x3", "sigmoid_backward/x 2x3, grad 2x3",
    "threshold_backward/relu's: x 2x3, grad 2x3", "leaky_relu_backward/x 2x3, grad 2x3",
    "hardtanh_backward/x 2x3, grad 2x3", "hardsigmoid_backward/2x, grad 2x3",
    "mul_by_scalar/add_alpha's gradient, grad 2x3", "add_by_scalar/tan's gradient, x 2x3, grad 2x3",
    "sgn/abs's gradient, x 2x3, grad 2x3",
};

static bool over_reverse(const grad_case *c) {
    char key[256];
    snprintf(key, sizeof key, "%s/%s", c->op, c->what);
    for (size_t i = 0; i < sizeof over_reverse_not_yet / sizeof over_reverse_not_yet[0]; i++)
        if (!strcmp(over_reverse_not_yet[i], key)) return true;
    return false;
}

static bool on_not_yet_list(const char *id) {
    for (size_t i = 0; i < sizeof not_yet / sizeof not_yet[0]; i++)
        if (!strcmp(not_yet[i], id)) return true;
    return false;
}

static void test_every_registered_op_has_a_jvp(void) {
    int missing = 0;
    for (int i = 0; i < cg_op_registry_size; i++) {
        const cg_op *op = cg_op_registry[i];
        bool has = cg_op_jvps[i] != NULL;
        CHECK_MSG(has || on_not_yet_list(op->id), "%s (%s) has no forward derivative", op->id, op->name);
        CHECK_MSG(!has || !on_not_yet_list(op->id), "%s has a forward derivative: off the not-yet list", op->id);
        missing += !has;
    }
    printf("ops without a forward derivative: %d of %d\n", missing, cg_op_registry_size);
}

/* ---- against the reverse mode ---- */

typedef struct {
    const grad_case *cases;
    size_t n;
} case_table;
#define TABLE(t) {t, sizeof t / sizeof t[0]}
static const case_table tables[] = {TABLE(cases_copy), TABLE(cases_elementwise), TABLE(cases_reduce),
                                    TABLE(cases_view), TABLE(cases_linalg), TABLE(cases_conv),
                                    TABLE(cases_api), TABLE(cases_activation), TABLE(cases_nnfunc), TABLE(cases_norm),
                                    TABLE(cases_loss), TABLE(cases_shape), TABLE(cases_scan),
                                    TABLE(cases_sort), TABLE(cases_math), TABLE(cases_reduce_more), TABLE(cases_depends), TABLE(cases_linalg_lapack),
                                    TABLE(cases_index_more)};

static double dot(cg_tensor *a, cg_tensor *b) { return cg_item(cg_sum(cg_mul(a, b))); }

static bool has_jvp(const char *id) {
    for (int i = 0; i < cg_op_registry_size; i++)
        if (!strcmp(cg_op_registry[i]->id, id)) return cg_op_jvps[i] != NULL;
    return false;
}

/* u . (J v) from forward mode against (J^T u) . v from the reverse mode, over the inputs that
 * require grad, with random v and u. */
static bool check_against_reverse(const grad_case *c, uint64_t seed) {
    cg_tensor *in[8] = {0}, *v[8] = {0}, *duals[8], *fwd[CG_MAX_OUTPUTS] = {0}, *rev[CG_MAX_OUTPUTS] = {0};
    c->make_inputs(in);
    cg_manual_seed(seed);
    for (int i = 0; i < c->ninputs; i++) {
        duals[i] = in[i];
        if (in[i] && cg_requires_grad(in[i])) v[i] = cg_randn_shape(CG_FLOAT64, cg_ndim(in[i]), cg_sizes(in[i]));
    }
    int level = cg_enter_dual_level();
    for (int i = 0; i < c->ninputs; i++)
        if (v[i]) duals[i] = cg_make_dual(in[i], v[i], level);
    int nout = c->fn(duals, fwd, NULL);
    cg_tensor *jv[CG_MAX_OUTPUTS] = {0};
    for (int k = 0; k < nout; k++)
        if (fwd[k]) cg_unpack_dual(fwd[k], level, &jv[k]);
    bool failed = nout < 0;
    for (int k = 0; k < nout; k++) failed |= fwd[k] == NULL;
    /* a case of the op's in-place form, or one whose function uses an op without a jvp (not yet) */
    bool inplace = failed && !strcmp(cg_last_error(), INPLACE_REFUSED);
    bool no_jvp = failed && !strncmp(cg_last_error(), NO_JVP, strlen(NO_JVP));
    if (failed && !inplace && !no_jvp) fprintf(stderr, "%s (%s): %s\n", c->op, c->what, cg_last_error());
    cg_exit_dual_level(level);
    skipped_inplace += inplace;
    skipped_no_jvp += no_jvp;
    if (inplace || no_jvp) return true;
    if (failed) return false;
    /* jv outlives the level in this scope: the scope still holds it */
    if (nout <= 0) return false;
    int nrev = c->fn(in, rev, NULL);
    double forward = 0, reverse = 0;
    cg_tensor *u[CG_MAX_OUTPUTS] = {0}, *outs[CG_MAX_OUTPUTS];
    int nu = 0;
    for (int k = 0; k < nrev; k++) {
        if (!rev[k] || !cg_requires_grad(rev[k])) continue;
        cg_tensor *uk = cg_randn_shape(CG_FLOAT64, cg_ndim(rev[k]), cg_sizes(rev[k]));
        if (!jv[k]) {
            fprintf(stderr, "%s (%s): output %d has no tangent: %s\n", c->op, c->what, k, cg_last_error());
            return false;
        }
        forward += dot(uk, jv[k]);
        u[nu] = uk;
        outs[nu++] = rev[k];
    }
    cg_tensor *wanted[8], *g[8] = {0};
    int nin = 0, which[8];
    for (int i = 0; i < c->ninputs; i++)
        if (v[i]) {
            which[nin] = i;
            wanted[nin++] = in[i];
        }
    if (nu && cg_autograd_grad(.outputs = {outs, nu}, .inputs = {wanted, nin}, .grad_outputs = {u, nu},
                               .results = g, .allow_unused = true) != 0)
        return false;
    for (int j = 0; j < nin; j++)
        if (g[j]) reverse += dot(g[j], v[which[j]]);
    /* a float32 step rounds the tangent as it rounds the primal */
    double tol = strstr(c->what, "float32") ? 1e-6 : 1e-10;
    bool ok = fabs(forward - reverse) <= tol * (1 + fabs(reverse));
    if (!ok) fprintf(stderr, "%s (%s): u.(Jv) %.17g, (J^T u).v %.17g\n", c->op, c->what, forward, reverse);
    return ok;
}

static void test_every_jvp_against_reverse_mode(void) {
    int checked = 0;
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
        for (size_t i = 0; i < tables[t].n; i++) {
            const grad_case *c = &tables[t].cases[i];
            if (!c->op || !has_jvp(c->op)) continue;
            if (over_reverse(c)) {
                skipped_over_reverse++;
                continue;
            }
            CG_SCOPE {
                cg_clear_error();
                CHECK_MSG(check_against_reverse(c, 1000 + i), "%s (%s)", c->op, c->what);
                checked++;
            }
        }
    printf("cases checked against the reverse mode: %d; skipped: %d in-place forms (refused), %d using an op "
           "without a jvp, %d forward over reverse\n", checked - skipped_inplace - skipped_no_jvp, skipped_inplace,
           skipped_no_jvp, skipped_over_reverse);
    CHECK(checked > 0);
}

int main(void) {
    RUN(test_levels);
    RUN(test_make_dual_errors);
    RUN(test_make_and_unpack);
    RUN(test_strided_tangent);
    RUN(test_requires_grad_primal);
    RUN(test_no_grad_mode);
    RUN(test_op_without_jvp);
    RUN(test_every_registered_op_has_a_jvp);
    RUN(test_every_jvp_against_reverse_mode);
    HARNESS_END();
}
