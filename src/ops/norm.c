/* Normalization ops as torch.nn.functional computes them in PyTorch 1.13: layer_norm.
 *
 * The forward is PyTorch's CPU kernel (backend/cpu/norm.c), with its float32 bits. The backward,
 * next to it, is written with cgrad ops (the row statistics recomputed from the saved input), so
 * it can be differentiated again; its float32 values are within rounding of PyTorch's, not its bits. */
#include "autograd/registry.h"
#include "backend/backend.h"

#include <stdio.h>
#include <string.h>

/* ---- layer_norm ---- */

/* _check_layer_norm_inputs: the first failing check's message, as PyTorch's. */
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
    cg_node *n = out ? cg_record(&cg_op_layer_norm, out, CG_INPUTS(x, w, b)) : NULL;
    if (n) {
        n->args[0] = k;
        n->args[1] = w != NULL;
        n->scalars[0] = eps;
        cg_save(n, 0, x);
        if (w) cg_save(n, 1, w);
    }
    return cg_recorded(out);
}

/* With xhat = (x - mean) * rstd over the normalized dims and gw = grad * weight:
 * dx = rstd (gw - mean(gw) - xhat mean(gw xhat)), dweight = sum(grad xhat), dbias = sum(grad),
 * the sums over the leading dims. */
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
        rows.input = gw;
        cg_tensor *centered = cg_sub(gw, cg_mean_opts(rows));
        rows.input = cg_mul(gw, xhat);
        out[0] = cg_mul(rstd, cg_sub(centered, cg_mul(xhat, cg_mean_opts(rows))));
    }
    if (cg_needs_grad(n, 1) && w) out[1] = cg_sum_to(cg_mul(g, xhat), w->ndim, w->sizes);
    if (cg_needs_grad(n, 2)) {
        int k = (int)n->args[0];
        out[2] = cg_sum_to(g, k, x->sizes + x->ndim - k);
    }
}
