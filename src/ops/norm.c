/* Normalization ops as torch.nn.functional computes them in PyTorch 1.13: layer_norm, batch_norm,
 * group_norm, instance_norm.
 *
 * The forward is PyTorch's CPU kernel (backend/cpu/norm.c), with its float32 bits. The backward,
 * next to it, is written with cgrad ops (the row statistics recomputed from the saved input), so
 * it can be differentiated again; its float32 values are within rounding of PyTorch's, not its bits. */
#include "autograd/registry.h"
#include "backend/backend.h"
#include "ops/elementwise.h"
#include "ops/grad_depends.h"

#include <stdio.h>
#include <string.h>

/* ---- layer_norm ---- */

/* _check_layer_norm_inputs: the first failing check's message, as PyTorch's. */
/* Records a norm of x with its optional weight and bias, saving x and the weight for the backward
 * (args[1]: a weight was given); arg and eps are the op's own. NULL when out is. */
static cg_node *record_affine_norm(const cg_op *op, cg_tensor *out, cg_tensor *x, cg_tensor *w, cg_tensor *b,
                                   int64_t arg, double eps) {
    cg_node *n = out ? cg_record(op, out, CG_INPUTS(x, w, b)) : NULL;
    if (n) {
        n->args[0] = arg;
        n->args[1] = w != NULL;
        n->scalars[0] = eps;
        cg_save(n, 0, x);
        if (w) cg_save(n, 1, w);
    }
    return n;
}

static int check_layer_norm(const cg_tensor *x, int k, const int64_t *shape, const cg_tensor *w, const cg_tensor *b) {
    if (k == 0) {
        cg_set_error("Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one element, "
                     "but got normalized_shape = []");
        return -1;
    }
    const cg_tensor *params[2] = {w, b};
    const char *names[2] = {"weight", "bias"};
    for (int i = 0; i < 2; i++) {
        const cg_tensor *p = params[i];
        if (p && !cg_same_shape(p->ndim, p->sizes, k, shape)) {
            cg_set_error("Expected %s to be of same shape as normalized_shape, but got %s of shape %s and "
                         "normalized_shape = %s",
                         names[i], names[i], cg_shape_text(p->ndim, p->sizes).s, cg_shape_text(k, shape).s);
            return -1;
        }
    }
    if (x->ndim < k || !cg_same_shape(k, x->sizes + x->ndim - k, k, shape)) {
        char expected[300] = "[*";
        for (int d = 0; d < k; d++)
            snprintf(expected + strlen(expected), sizeof expected - strlen(expected), ", %lld", (long long)shape[d]);
        cg_set_error("Given normalized_shape=%s, expected input with shape %s], but got input of size%s",
                     cg_shape_text(k, shape).s, expected, cg_shape_text(x->ndim, x->sizes).s);
        return -1;
    }
    if (CG_CHECK_SAME_DEVICE(x, w, b) < 0) return -1;
    if (!cg_dtype_is_floating(x->dtype)) {
        cg_set_error("\"LayerNormKernelImpl\" not implemented for '%s'", cg_dtype_title(x->dtype));
        return -1;
    }
    for (int i = 0; i < 2; i++) {
        if (params[i] && params[i]->dtype != x->dtype) {
            cg_set_error("expected scalar type %s but found %s", cg_dtype_title(x->dtype),
                         cg_dtype_title(params[i]->dtype));
            return -1;
        }
    }
    return 0;
}

cg_tensor *cg_layer_norm(cg_tensor *x, int k, const int64_t *shape, cg_tensor *w, cg_tensor *b, double eps) {
    if (!x || cg_check_count(k, "normalized dims") < 0 || cg_check_shape(k, shape) < 0) return NULL;
    if (check_layer_norm(x, k, shape, w, b) < 0) return NULL;
    int64_t N = 1;
    for (int d = 0; d < k; d++) N *= shape[d];
    int64_t M = N ? x->numel / N : 0;
    cg_tensor *out = NULL;
    CG_NO_GRAD {
        cg_tensor *xc = cg_contiguous(x), *wc = w ? cg_contiguous(w) : NULL, *bc = b ? cg_contiguous(b) : NULL;
        out = xc && (wc || !w) && (bc || !b) ? cg_new_on(x, x->dtype, x->ndim, x->sizes) : NULL;
        if (out && x->numel > 0) CG_KERNEL(out, layer_norm)(out, xc, wc, bc, M, N, eps);
    }
    record_affine_norm(&cg_op_layer_norm, out, x, w, b, k, eps);
    return cg_recorded(out);
}

/* With xhat = (x - mean) * rstd over the normalized dims (N elements) and gw = grad * weight, in
 * ATen's form (its infinities and NaNs: an inf in a row's grad makes the row NaN): ds = sum(gw x),
 * db = sum(gw), b = (db mean - ds) rstd^3 / N, c = -b mean - db rstd / N, dx = rstd gw + b x + c;
 * dweight = sum(grad xhat), dbias = sum(grad), the sums over the leading dims. */
void cg_backward_layer_norm(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *x = cg_saved(n, 0), *w = n->args[1] ? cg_saved(n, 1) : NULL, *g = grads[0];
    if (!x || (n->args[1] && !w)) return;
    cg_reduce_args rows = {.input = x, .ndims = (int)n->args[0], .keepdim = true, .biased = true};
    for (int d = 0; d < rows.ndims; d++) rows.dims[d] = x->ndim - rows.ndims + d;
    cg_tensor *mean = cg_mean_opts(rows);
    cg_tensor *rstd = cg_pow_scalar(cg_add_scalar(cg_var_opts(rows), n->scalars[0]), -0.5);
    cg_tensor *xhat = cg_mul(cg_sub(x, mean), rstd);
    if (cg_needs_grad(n, 0)) {
        cg_tensor *gw = w ? cg_mul(g, w) : g;
        int64_t count = 1;
        for (int d = 0; d < rows.ndims; d++) count *= x->sizes[rows.dims[d]];
        rows.input = cg_mul(gw, x);
        cg_tensor *ds = cg_sum_opts(rows);
        rows.input = gw;
        cg_tensor *db = cg_sum_opts(rows);
        cg_tensor *b = cg_div_scalar(cg_mul(cg_sub(cg_mul(db, mean), ds), cg_pow_scalar(rstd, 3)), (double)count);
        cg_tensor *c = cg_sub(cg_neg(cg_mul(b, mean)), cg_div_scalar(cg_mul(db, rstd), (double)count));
        out[0] = cg_add(cg_add(cg_mul(rstd, gw), cg_mul(b, x)), c);
    }
    if (cg_needs_grad(n, 1) && w) out[1] = cg_sum_to(cg_mul(g, xhat), w->ndim, w->sizes);
    if (cg_needs_grad(n, 2)) {
        int k = (int)n->args[0];
        out[2] = cg_sum_to(g, k, x->sizes + x->ndim - k);
    }
    for (int i = 0; i < 3; i++) out[i] = cg_grad_depending(&cg_op_layer_norm_depends, out[i], x, w);
}

/* ---- batch_norm ---- */

/* torch.nn.functional.batch_norm's checks before the kernel, in PyTorch's order; the first failing
 * one's message. */
static int check_batch_norm(const cg_tensor *x, cg_tensor *const p[4], bool training) {
    static const char *const names[4] = {"running_mean", "running_var", "weight", "bias"};
    if (x->ndim < 2) {
        cg_set_index_error("Dimension out of range (expected to be in range of [-1, 0], but got 1)");
        return -1;
    }
    int64_t C = x->sizes[1];
    for (int i = 0; i < 4; i++) {
        if (!p[i] && i < 2 && !training) {
            cg_set_error("%s must be defined in evaluation mode", names[i]);
            return -1;
        }
        if (p[i] && p[i]->numel != C) {
            cg_set_error("%s should contain %lld elements not %lld", names[i], (long long)C, (long long)p[i]->numel);
            return -1;
        }
    }
    if (CG_CHECK_SAME_DEVICE(x, p[0], p[1], p[2], p[3]) < 0) return -1;
    if (x->dtype != CG_FLOAT32 && x->dtype != CG_FLOAT64) {
        cg_set_error("\"batch_norm\" not implemented for '%s'", cg_dtype_title(x->dtype));
        return -1;
    }
    for (int i = 0; i < 4; i++) {
        if (p[i] && p[i]->dtype != x->dtype) {
            /* PyTorch's mixed-type check: float32 input may only take float32 parameters, float64 none mixed */
            cg_set_error(x->dtype == CG_FLOAT32 ? "mixed dtype (CPU): expect parameter to have scalar type of Float"
                                                : "mixed dtype (CPU): expect input to have scalar type of BFloat16");
            return -1;
        }
    }
    for (int i = 0; i < 2; i++) {
        if (p[i] && p[i]->ndim != 1) {
            cg_set_error("TensorAccessor expected 1 dims but tensor has %d", p[i]->ndim);
            return -1;
        }
        if (p[i] && cg_requires_grad(p[i]) && cg_grad_mode_on()) {
            cg_set_error("The function 'native_batch_norm' is not differentiable with respect to argument '%s'. This "
                         "input cannot have requires_grad True.",
                         names[i]);
            return -1;
        }
    }
    return 0;
}

/* F.batch_norm's _verify_batch_size: one value per channel cannot be normalized in training. */
static int check_batch_size(const cg_tensor *x) {
    int64_t values = x->ndim ? x->sizes[0] : 1;
    for (int d = 2; d < x->ndim; d++) values *= x->sizes[d];
    if (x->ndim >= 1 && values == 1) {
        cg_set_value_error("Expected more than 1 value per channel when training, got input size torch.Size(%s)",
                           cg_shape_text(x->ndim, x->sizes).s);
        return -1;
    }
    return 0;
}

/* A (C) tensor as (1, C, 1, ...), to broadcast over x's channel dim. */
static cg_tensor *per_channel(cg_tensor *t, const cg_tensor *x) {
    int64_t sizes[CG_MAX_DIMS];
    for (int d = 0; d < x->ndim; d++) sizes[d] = d == 1 ? x->sizes[1] : 1;
    return cg_reshape_shape(t, x->ndim, sizes);
}

/* An empty input: PyTorch returns input.clone() times weight[0] plus bias[0], recorded as those ops. */
static cg_tensor *batch_norm_empty(cg_tensor *x, cg_tensor *w, cg_tensor *b) {
    cg_tensor *out = cg_clone(x);
    if (w) out = cg_mul(out, cg_select(w, 0, 0));
    if (b) out = cg_add(out, cg_select(b, 0, 0));
    return out;
}

cg_tensor *cg_batch_norm(cg_tensor *x, cg_tensor *running_mean, cg_tensor *running_var, cg_tensor *w, cg_tensor *b,
                         bool training, double momentum, double eps) {
    if (!x) return NULL;
    if (training && check_batch_size(x) < 0) return NULL;
    if (x->numel == 0) return batch_norm_empty(x, w, b);
    cg_tensor *p[4] = {running_mean, running_var, w, b};
    if (check_batch_norm(x, p, training) < 0) return NULL;
    int64_t C = x->sizes[1];
    cg_tensor *out = NULL, *mean = NULL, *invstd = NULL;
    CG_NO_GRAD {
        cg_tensor *c[4];
        bool ok = true;
        for (int i = 0; i < 4; i++) {
            c[i] = p[i] ? cg_contiguous(p[i]) : NULL;
            ok = ok && (c[i] || !p[i]);
        }
        cg_tensor *xc = cg_contiguous(x);
        out = ok && xc ? cg_new_on(x, x->dtype, x->ndim, x->sizes) : NULL;
        mean = out ? cg_new_on(x, x->dtype, 1, &C) : NULL;
        invstd = mean ? cg_new_on(x, x->dtype, 1, &C) : NULL;
        if (invstd) CG_KERNEL(out, batch_norm)(out, mean, invstd, xc, c[2], c[3], c[0], c[1], training, momentum, eps);
        /* a running statistic that is not contiguous was updated in a copy */
        for (int i = 0; i < 2 && invstd && training; i++)
            if (c[i] && c[i] != p[i] && cg_copy_(p[i], c[i]) < 0) out = NULL;
    }
    if (!invstd) return NULL;
    cg_node *n = record_affine_norm(&cg_op_batch_norm, out, x, w, b, training, eps);
    /* PyTorch saves the running statistics (in training too): writing them before the backward is
     * its version error */
    if (n && running_mean) cg_save(n, 2, running_mean);
    if (n && running_var) cg_save(n, 3, running_var);
    return cg_recorded(out);
}

/* With xhat = (x - mean) * invstd per channel and gw = grad * weight, in training (the statistics
 * the batch's, recomputed from x so that the formula differentiates again)
 * dx = invstd (gw - mean(gw) - xhat mean(gw xhat)), in evaluation (the running statistics',
 * invstd = (var + eps)^-1/2) dx = gw invstd; dweight =
 * sum(grad xhat), dbias = sum(grad), the means and sums over every dim but the channels. */
void cg_backward_batch_norm(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    bool training = n->args[0];
    cg_tensor *x = cg_saved(n, 0), *w = n->args[1] ? cg_saved(n, 1) : NULL, *g = grads[0];
    cg_tensor *rm = cg_has_saved(n, 2) ? cg_saved(n, 2) : NULL, *rv = cg_has_saved(n, 3) ? cg_saved(n, 3) : NULL;
    if (!x || (n->args[1] && !w) || (cg_has_saved(n, 2) && !rm) || (cg_has_saved(n, 3) && !rv)) return;
    cg_reduce_args others = {.input = x, .keepdim = true, .biased = true};
    for (int d = 0; d < x->ndim; d++)
        if (d != 1) others.dims[others.ndims++] = d;
    cg_tensor *mean, *invstd;
    if (training) {
        mean = cg_mean_opts(others);
        invstd = cg_pow_scalar(cg_add_scalar(cg_var_opts(others), n->scalars[0]), -0.5);
    } else {
        mean = per_channel(rm, x);
        invstd = per_channel(cg_pow_scalar(cg_add_scalar(rv, n->scalars[0]), -0.5), x);
    }
    cg_tensor *xhat = cg_mul(cg_sub(x, mean), invstd);
    if (cg_needs_grad(n, 0)) {
        cg_tensor *gw = w ? cg_mul(g, per_channel(w, x)) : g;
        if (training) {
            others.input = gw;
            cg_tensor *centered = cg_sub(gw, cg_mean_opts(others));
            others.input = cg_mul(gw, xhat);
            out[0] = cg_mul(invstd, cg_sub(centered, cg_mul(xhat, cg_mean_opts(others))));
        } else {
            out[0] = cg_mul(gw, invstd);
        }
    }
    others.keepdim = false;
    if (cg_needs_grad(n, 1) && w) {
        others.input = cg_mul(g, xhat);
        out[1] = cg_sum_opts(others);
    }
    if (cg_needs_grad(n, 2)) {
        others.input = g;
        out[2] = cg_sum_opts(others);
    }
    for (int i = 0; i < 3; i++) out[i] = cg_grad_depending(&cg_op_batch_norm_depends, out[i], x, w);
}

/* ---- group_norm ---- */

/* F.group_norm's _verify_batch_size, then native_group_norm's checks, as PyTorch's (its bias
 * message shows the weight's shape, [0] without one: PyTorch 1.13 prints that). */
static int check_group_norm(const cg_tensor *x, int64_t G, const cg_tensor *w, const cg_tensor *b) {
    if (x->ndim < 2) {
        cg_set_index_error("Dimension out of range (expected to be in range of [-1, 0], but got 1)");
        return -1;
    }
    int64_t C = x->sizes[1];
    if (G == 0) {
        cg_set_error("integer division or modulo by zero"); /* Python's ZeroDivisionError */
        return -1;
    }
    int64_t NC = x->sizes[0] * C, shown[CG_MAX_DIMS] = {NC / G - (NC % G != 0 && (NC < 0) != (G < 0)), G};
    int64_t values = shown[0]; /* Python's floor division */
    for (int d = 2; d < x->ndim; d++) values *= shown[d] = x->sizes[d];
    if (values == 1) {
        cg_set_value_error("Expected more than 1 value per channel when training, got input size %s",
                           cg_shape_text(x->ndim, shown).s);
        return -1;
    }
    if (C % G != 0) {
        cg_set_error("Expected number of channels in input to be divisible by num_groups, but got input of shape %s "
                     "and num_groups=%lld",
                     cg_shape_text(x->ndim, x->sizes).s, (long long)G);
        return -1;
    }
    if (G < 0) {
        cg_set_error("Expected num groups to be greater than 0, got %lld", (long long)G);
        return -1;
    }
    const cg_tensor *p[2] = {w, b};
    const char *names[2] = {"weight", "bias"};
    for (int i = 0; i < 2; i++) {
        if (p[i] && (p[i]->ndim != 1 || p[i]->numel != C)) {
            int64_t zero = 0;
            cg_set_error("Expected %s to be a vector of size equal to the number of channels in input, but got %s of "
                         "shape %s and input of shape %s",
                         names[i], names[i], w ? cg_shape_text(w->ndim, w->sizes).s : cg_shape_text(1, &zero).s,
                         cg_shape_text(x->ndim, x->sizes).s);
            return -1;
        }
    }
    if (CG_CHECK_SAME_DEVICE(x, w, b) < 0) return -1;
    if (x->dtype != CG_FLOAT32 && x->dtype != CG_FLOAT64) {
        cg_set_error("\"GroupNormKernelImpl\" not implemented for '%s'", cg_dtype_title(x->dtype));
        return -1;
    }
    for (int i = 0; i < 2; i++) {
        if (p[i] && p[i]->dtype != x->dtype) {
            cg_set_error("expected scalar type %s but found %s", cg_dtype_title(x->dtype), cg_dtype_title(p[i]->dtype));
            return -1;
        }
    }
    return 0;
}

cg_tensor *cg_group_norm(cg_tensor *x, int64_t num_groups, cg_tensor *w, cg_tensor *b, double eps) {
    if (!x || check_group_norm(x, num_groups, w, b) < 0) return NULL;
    int64_t N = x->sizes[0], C = x->sizes[1], HW = N * C != 0 ? x->numel / (N * C) : 0;
    cg_tensor *out = NULL;
    CG_NO_GRAD {
        cg_tensor *xc = cg_contiguous(x), *wc = w ? cg_contiguous(w) : NULL, *bc = b ? cg_contiguous(b) : NULL;
        out = xc && (wc || !w) && (bc || !b) ? cg_new_on(x, x->dtype, x->ndim, x->sizes) : NULL;
        if (out && x->numel > 0) CG_KERNEL(out, group_norm)(out, xc, wc, bc, N, C, HW, num_groups, eps);
    }
    record_affine_norm(&cg_op_group_norm, out, x, w, b, num_groups, eps);
    return cg_recorded(out);
}

/* layer_norm's formula over each (sample, group) row of x seen as (N, G, C / G * HW): with
 * gw = grad * weight per channel, dx = rstd (gw - mean(gw) - xhat mean(gw xhat)) by rows; dweight
 * = sum(grad xhat), dbias = sum(grad) over every dim but the channels. */
void cg_backward_group_norm(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *x = cg_saved(n, 0), *w = n->args[1] ? cg_saved(n, 1) : NULL, *g = grads[0];
    if (!x || (n->args[1] && !w)) return;
    /* the row length spelled out: -1 is ambiguous for an empty batch */
    int64_t rows[3] = {x->sizes[0], n->args[0], x->sizes[0] ? x->numel / (x->sizes[0] * n->args[0]) : 0};
    cg_reduce_args by_row = {.input = cg_reshape_shape(x, 3, rows), .ndims = 1, .dims = {2}, .keepdim = true,
                             .biased = true};
    cg_tensor *mean = cg_mean_opts(by_row);
    cg_tensor *rstd = cg_pow_scalar(cg_add_scalar(cg_var_opts(by_row), n->scalars[0]), -0.5);
    cg_tensor *xhat_rows = cg_mul(cg_sub(by_row.input, mean), rstd);
    cg_tensor *xhat = cg_reshape_shape(xhat_rows, x->ndim, x->sizes);
    if (cg_needs_grad(n, 0)) {
        cg_tensor *gw = cg_reshape_shape(w ? cg_mul(g, per_channel(w, x)) : g, 3, rows);
        by_row.input = gw;
        cg_tensor *centered = cg_sub(gw, cg_mean_opts(by_row));
        by_row.input = cg_mul(gw, xhat_rows);
        cg_tensor *dx = cg_mul(rstd, cg_sub(centered, cg_mul(xhat_rows, cg_mean_opts(by_row))));
        out[0] = cg_reshape_shape(dx, x->ndim, x->sizes);
    }
    cg_reduce_args others = {.input = g};
    for (int d = 0; d < x->ndim; d++)
        if (d != 1) others.dims[others.ndims++] = d;
    if (cg_needs_grad(n, 1) && w) {
        others.input = cg_mul(g, xhat);
        out[1] = cg_sum_opts(others);
    }
    if (cg_needs_grad(n, 2)) {
        others.input = g;
        out[2] = cg_sum_opts(others);
    }
    /* no dependency recorded: PyTorch's create_graph formula is a composite too
     * (infinitely_differentiable_native_group_norm_backward), whose bias gradient needs no input */
}

/* ---- instance_norm ---- */

/* (C) repeated N times, as Tensor.repeat: (N * C). */
static cg_tensor *repeat_channels(cg_tensor *t, int64_t N) {
    if (!t) return NULL;
    int64_t sizes[2] = {N, t->numel}, flat = N * t->numel;
    return cg_reshape_shape(cg_expand_shape(cg_unsqueeze(t, 0), 2, sizes), 1, &flat);
}

/* PyTorch's instance_norm is batch_norm over x viewed as (1, N * C, ...) with the parameters and
 * running statistics repeated N times; the running statistics then take the mean of their N
 * updated copies. */
cg_tensor *cg_instance_norm(cg_tensor *x, cg_tensor *running_mean, cg_tensor *running_var, cg_tensor *w, cg_tensor *b,
                            bool use_input_stats, double momentum, double eps) {
    if (!x) return NULL;
    if (use_input_stats) {
        int64_t spatial = 1;
        for (int d = 2; d < x->ndim; d++) spatial *= x->sizes[d];
        if (spatial == 1) {
            cg_set_value_error("Expected more than 1 spatial element when training, got input size torch.Size(%s)",
                               cg_shape_text(x->ndim, x->sizes).s);
            return NULL;
        }
    }
    if (x->ndim < 2) {
        cg_set_index_error("Dimension out of range (expected to be in range of [-1, 0], but got 1)");
        return NULL;
    }
    if (!use_input_stats && (!running_mean || !running_var)) {
        cg_set_error("Expected running_mean and running_var to be defined when use_input_stats is false");
        return NULL;
    }
    int64_t N = x->sizes[0], C = x->sizes[1], shape[CG_MAX_DIMS];
    memcpy(shape, x->sizes, sizeof shape);
    shape[0] = 1;
    shape[1] = N * C;
    cg_tensor *rm = NULL, *rv = NULL;
    CG_NO_GRAD { /* fresh copies, as Tensor.repeat makes: batch_norm saves them, and the running
                    statistics are written after it */
        rm = running_mean ? cg_clone_contiguous(repeat_channels(running_mean, N)) : NULL;
        rv = running_var ? cg_clone_contiguous(repeat_channels(running_var, N)) : NULL;
    }
    if ((running_mean && !rm) || (running_var && !rv)) return NULL;
    /* PyTorch's repeat records a history, so batch_norm refuses statistics that require grad */
    if (cg_grad_mode_on()) {
        if (running_mean && cg_requires_grad(running_mean)) cg_requires_grad_(rm, true);
        if (running_var && cg_requires_grad(running_var)) cg_requires_grad_(rv, true);
    }
    cg_tensor *wr = repeat_channels(w, N), *br = repeat_channels(b, N);
    if ((w && !wr) || (b && !br)) return NULL;
    cg_tensor *y = cg_batch_norm(cg_view_shape(cg_contiguous(x), x->ndim, shape), rm, rv, wr, br, use_input_stats,
                                 momentum, eps);
    if (!y) return NULL;
    cg_tensor *stats[2] = {rm, rv}, *targets[2] = {running_mean, running_var};
    int64_t rows[2] = {N, C};
    for (int i = 0; i < 2; i++) {
        if (!targets[i]) continue;
        int rc = -1;
        CG_NO_GRAD { rc = cg_copy_(targets[i], cg_mean(cg_view_shape(stats[i], 2, rows), CG_DIMS(0))); }
        if (rc < 0) return NULL;
    }
    return cg_view_shape(y, x->ndim, x->sizes);
}
