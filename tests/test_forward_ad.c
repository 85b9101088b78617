/* Forward-mode AD (torch.autograd.forward_ad): dual levels and tensors with PyTorch's messages, a
 * walk of the registry that fails for any op without a forward derivative (unless listed below as
 * not done yet), every op's jvp checked against the reverse mode on its gradcheck cases
 * (u . (J v) == (J^T u) . v in float64), and tangents against PyTorch's (tests/data/forward_ad.txt,
 * tools/gen_forward_ad.py). */
#include "harness.h"

#include "blas_core.h"
#include "golden.h"

#include "autograd/registry.h"
#include "grad_cases_all.h"

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
    /* in-place only (cg_check_inplace refuses dual tensors): random fills and copies */
    "uniform", "normal", "fill", "zero", "copy",
    /* not done yet: each needs its own formula (convolutions, normalization, ctc, cumprod and
     * logcumsumexp, det of singular matrices, the ops of backward formulas, the newest ops) */
    "prod_dim", "var_mean", "std_mean", "scatter_reduce", "mse_loss_backward", "softmax_backward_data",
    "log_softmax_backward_data", "nll_loss_backward", "nll_loss2d_backward", "ctc_loss", "cumprod",
    "logcumsumexp", "convolution", "conv_backward_input", "conv_backward_weight", "conv_backward_bias",
    "conv_transpose", "conv_transpose_backward_input", "layer_norm", "batch_norm", "group_norm",
    "embedding_dense_backward", "upsample_nearest_exact1d", "upsample_nearest_exact2d",
    "upsample_nearest_exact3d", "upsample_trilinear3d", "prelu_depends", "upsample_nearest1d_depends",
    "upsample_nearest2d_depends", "upsample_nearest3d_depends", "upsample_linear1d_depends",
    "upsample_bilinear2d_depends", "elu_depends", "gelu_depends", "hardswish_depends", "log_sigmoid_depends",
    "softplus_depends", "linalg_det", "take", "put", "masked_select", "masked_scatter", "index_reduce",
    "index", "index_put", "index_put_impl",
};
static const char *const INPLACE_REFUSED = "forward AD through an in-place op is not supported by cgrad yet";
static const char *const NO_JVP = "Trying to use forward AD with ";
static int skipped_inplace, skipped_no_jvp;

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
    cg_tensor *u[CG_MAX_OUTPUTS] = {0};
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
    bool failed = nout <= 0;
    double forward = 0;
    /* within the level: a tangent lives as long as its dual tensor does, and the level */
    for (int k = 0; !failed && k < nout; k++) {
        cg_tensor *jv = NULL;
        failed = fwd[k] == NULL;
        if (failed || !cg_requires_grad(fwd[k])) continue;
        cg_unpack_dual(fwd[k], level, &jv);
        if (!jv) {
            fprintf(stderr, "%s (%s): output %d has no tangent\n", c->op, c->what, k);
            cg_exit_dual_level(level);
            return false;
        }
        u[k] = cg_randn_shape(CG_FLOAT64, cg_ndim(fwd[k]), cg_sizes(fwd[k]));
        forward += dot(u[k], jv);
    }
    /* a case of the op's in-place form, or one whose function uses an op without a jvp (not yet) */
    bool inplace = failed && !strcmp(cg_last_error(), INPLACE_REFUSED);
    bool no_jvp = failed && !strncmp(cg_last_error(), NO_JVP, strlen(NO_JVP));
    if (failed && !inplace && !no_jvp) fprintf(stderr, "%s (%s): %s\n", c->op, c->what, cg_last_error());
    cg_exit_dual_level(level);
    skipped_inplace += inplace;
    skipped_no_jvp += no_jvp;
    if (inplace || no_jvp) return true;
    if (failed) return false;
    int nrev = c->fn(in, rev, NULL);
    cg_tensor *outs[CG_MAX_OUTPUTS], *grad_outs[CG_MAX_OUTPUTS];
    int nu = 0;
    for (int k = 0; k < nrev; k++)
        if (rev[k] && cg_requires_grad(rev[k])) {
            outs[nu] = rev[k];
            grad_outs[nu++] = u[k];
        }
    cg_tensor *wanted[8], *g[8] = {0};
    int nin = 0, which[8];
    for (int i = 0; i < c->ninputs; i++)
        if (v[i]) {
            which[nin] = i;
            wanted[nin++] = in[i];
        }
    if (nu && cg_autograd_grad(.outputs = {outs, nu}, .inputs = {wanted, nin}, .grad_outputs = {grad_outs, nu},
                               .results = g, .allow_unused = true) != 0)
        return false;
    double reverse = 0;
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
            CG_SCOPE {
                cg_clear_error();
                CHECK_MSG(check_against_reverse(c, 1000 + i), "%s (%s)", c->op, c->what);
                checked++;
            }
        }
    printf("cases checked against the reverse mode: %d; skipped: %d in-place forms (refused), %d using an op "
           "without a jvp\n", checked - skipped_inplace - skipped_no_jvp, skipped_inplace, skipped_no_jvp);
    CHECK(checked > 0);
}

/* ---- against PyTorch's forward_ad (tests/data/forward_ad.txt, tools/gen_forward_ad.py) ---- */

static cg_tensor *g_sin(cg_tensor **x) { return cg_sin(x[0]); }
static cg_tensor *g_exp(cg_tensor **x) { return cg_exp(x[0]); }
static cg_tensor *g_tanh(cg_tensor **x) { return cg_tanh(x[0]); }
static cg_tensor *g_sigmoid(cg_tensor **x) { return cg_sigmoid(x[0]); }
static cg_tensor *g_gelu(cg_tensor **x) { return cg_gelu(x[0], "none"); }
static cg_tensor *g_softplus(cg_tensor **x) { return cg_softplus(x[0], 1, 20); }
static cg_tensor *g_softmax1(cg_tensor **x) { return cg_softmax(x[0], 1); }
static cg_tensor *g_log_softmax1(cg_tensor **x) { return cg_log_softmax(x[0], 1); }
static cg_tensor *g_sum1(cg_tensor **x) { return cg_sum(x[0], CG_DIMS(1)); }
static cg_tensor *g_mean(cg_tensor **x) { return cg_mean(x[0]); }
static cg_tensor *g_var1(cg_tensor **x) { return cg_var(x[0], CG_DIMS(1)); }
static cg_tensor *g_std(cg_tensor **x) { return cg_std(x[0]); }
static cg_tensor *g_norm(cg_tensor **x) { return cg_norm(x[0], 2); }
static cg_tensor *g_amax0(cg_tensor **x) { return cg_amax(x[0], CG_DIMS(0)); }
static cg_tensor *g_logsumexp1(cg_tensor **x) { return cg_logsumexp(x[0], CG_DIMS(1)); }
static cg_tensor *g_t_view(cg_tensor **x) { return cg_reshape(cg_t(x[0]), -1); }
static cg_tensor *g_select_slice(cg_tensor **x) { return cg_slice(cg_select(x[0], 0, 1), 0, 1, 3, 1); }
static cg_tensor *g_mul(cg_tensor **x) { return cg_mul(x[0], x[1]); }
static cg_tensor *g_div(cg_tensor **x) { return cg_div(x[0], x[1]); }
static cg_tensor *g_atan2(cg_tensor **x) { return cg_atan2(x[0], x[1]); }
static cg_tensor *g_mm(cg_tensor **x) { return cg_mm(x[0], cg_t(x[1])); }
static cg_tensor *g_cat0(cg_tensor **x) { return cg_cat(x, 2, 0); }
static cg_tensor *g_stack1(cg_tensor **x) { return cg_stack(x, 2, 1); }

/* exact: the tangent has PyTorch's bits (its formula in PyTorch's order of operations); the others
 * come from the backward's kernels or another order (gelu, softplus, softmax, var, logsumexp, div,
 * atan2) and agree within 1e-5. */
static const struct {
    const char *name;
    int ninputs;
    cg_tensor *(*fn)(cg_tensor **x);
    bool exact;
} golden_fns[] = {
    {"sin", 1, g_sin, true}, {"exp", 1, g_exp, true}, {"tanh", 1, g_tanh, true},
    {"sigmoid", 1, g_sigmoid, true}, {"gelu", 1, g_gelu, false}, {"softplus", 1, g_softplus, false},
    {"softmax1", 1, g_softmax1, false}, {"log_softmax1", 1, g_log_softmax1, true}, {"sum1", 1, g_sum1, true},
    {"mean", 1, g_mean, true}, {"var1", 1, g_var1, false}, {"std", 1, g_std, true}, {"norm", 1, g_norm, true},
    {"amax0", 1, g_amax0, true}, {"logsumexp1", 1, g_logsumexp1, false}, {"t_view", 1, g_t_view, true},
    {"select_slice", 1, g_select_slice, true}, {"mul", 2, g_mul, true}, {"div", 2, g_div, false},
    {"atan2", 2, g_atan2, false}, {"mm", 2, g_mm, true}, {"cat0", 2, g_cat0, true}, {"stack1", 2, g_stack1, true},
};
static int golden_exact, golden_lines;
/* Bits can be PyTorch's only with SLEEF (gelu's, softmax's exp) on the golden file's OpenBLAS
 * kernels (mm); elsewhere primals and tangents are compared within 1e-5. */
static bool golden_bits;

static int check_golden_line(char *line) {
    const char *name = golden_token(&line);
    for (size_t f = 0; name && f < sizeof golden_fns / sizeof golden_fns[0]; f++) {
        if (strcmp(golden_fns[f].name, name)) continue;
        cg_tensor *duals[2];
        int level = cg_enter_dual_level();
        for (int i = 0; i < golden_fns[f].ninputs; i++) {
            cg_tensor *primal = golden_tensor(&line);
            duals[i] = cg_make_dual(primal, golden_tensor(&line), level);
        }
        cg_tensor *primal = golden_tensor(&line), *tangent = golden_tensor(&line), *got = NULL;
        cg_tensor *out = golden_fns[f].fn(duals);
        cg_tensor *p = cg_unpack_dual(out, level, &got);
        cg_exit_dual_level(level);
        bool exact = true;
        bool ok = golden_close_values(p, primal, golden_bits ? 0 : 1e-5, &exact) &&
                  golden_close_values(got, tangent, 1e-5, &exact);
        golden_lines++;
        golden_exact += ok && exact;
        return ok && (exact || !golden_fns[f].exact || !golden_bits) ? 0 : -1;
    }
    return -1;
}

static void test_golden_tangents(void) {
#ifdef CG_HAVE_SLEEF
    golden_bits = golden_same_blas("tests/data/forward_ad.txt");
#endif
    int bad;
    int n = golden_check_lines("tests/data/forward_ad.txt", check_golden_line, 20, &bad);
    CHECK(n == (int)(sizeof golden_fns / sizeof golden_fns[0]));
    CHECK(bad == 0);
    printf("golden tangents: %d of %d bit for bit\n", golden_exact, golden_lines);
}

/* ---- the functional API's forward mode, against its reverse mode ---- */

static int f_two_outputs(cg_tensor **in, cg_tensor **out, void *user) {
    (void)user;
    out[0] = cg_mul(cg_sin(in[0]), in[1]);
    out[1] = cg_sum(cg_mul(cg_pow_scalar(in[0], 3), cg_exp(in[1])));
    return 2;
}

static int f_scalar(cg_tensor **in, cg_tensor **out, void *user) {
    (void)user;
    out[0] = cg_sum(cg_mul(cg_mul(cg_sin(in[0]), cg_exp(in[1])), in[0]));
    return 1;
}

static bool all_close(cg_tensor **a, cg_tensor **b, int n) {
    for (int i = 0; i < n; i++)
        if (!a[i] || !b[i] || cg_item(cg_amax(cg_abs(cg_sub(a[i], b[i])))) > 1e-12) return false;
    return true;
}

static void test_functional_forward_mode(void) {
    cg_manual_seed(7);
    cg_tensor *in[2] = {cg_randn_shape(CG_FLOAT64, 2, (int64_t[]){2, 3}), cg_randn_shape(CG_FLOAT64, 1, (int64_t[]){3})};
    cg_tensor *v[2] = {cg_randn_shape(CG_FLOAT64, 2, (int64_t[]){2, 3}), cg_randn_shape(CG_FLOAT64, 1, (int64_t[]){3})};
    cg_tensor *fwd[2], *rev[2], *out[2];
    CHECK(cg_jvp(.fn = f_two_outputs, .inputs = {in, 2}, .v = {v, 2}, .results = fwd, .outputs = out,
                 .forward_mode = true) == 2);
    CHECK(cg_jvp(.fn = f_two_outputs, .inputs = {in, 2}, .v = {v, 2}, .results = rev) == 2);
    CHECK(all_close(fwd, rev, 2));
    CHECK(cg_grad_fn(fwd[0]) == NULL && cg_unpack_dual(out[0], 0, NULL) == out[0]);

    cg_tensor *jf[4], *jr[4];
    CHECK(cg_jacobian(.fn = f_two_outputs, .inputs = {in, 2}, .results = jf, .forward_mode = true) == 2);
    CHECK(cg_jacobian(.fn = f_two_outputs, .inputs = {in, 2}, .results = jr) == 2);
    CHECK(all_close(jf, jr, 4));

    cg_tensor *hf[2], *hr[2];
    CHECK(cg_hvp(.fn = f_scalar, .inputs = {in, 2}, .v = {v, 2}, .results = hf, .forward_mode = true) == 1);
    CHECK(cg_hvp(.fn = f_scalar, .inputs = {in, 2}, .v = {v, 2}, .results = hr) == 1);
    CHECK(all_close(hf, hr, 2));

    const char *strict = "strict=True and forward_mode=True are not supported together (yet). Please either set "
                         "strict=False or forward_mode=False.";
    CHECK_ERROR(cg_jvp(.fn = f_two_outputs, .inputs = {in, 2}, .v = {v, 2}, .results = fwd, .forward_mode = true,
                       .strict = true) >= 0, strict);
    CHECK_ERROR(cg_jacobian(.fn = f_two_outputs, .inputs = {in, 2}, .results = jf, .forward_mode = true,
                            .strict = true) >= 0, strict);
    int level = cg_enter_dual_level();
    CHECK_ERROR(cg_jvp(.fn = f_two_outputs, .inputs = {in, 2}, .v = {v, 2}, .results = fwd, .forward_mode = true) >= 0,
                "Nested forward mode AD is not supported at the moment");
    cg_exit_dual_level(level);
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
    RUN(test_golden_tangents);
    RUN(test_functional_forward_mode);
    HARNESS_END();
}
