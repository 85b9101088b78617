/* torch.nn.utils.clip_grad_norm_ and clip_grad_value_, in PyTorch 1.13's order of operations: the
 * norm of the per-gradient norms, then max_norm / (total + 1e-6) clamped to 1, each in float32. */
#include "cgrad.h"
#include "core/tensor.h"
#include "optim/optim.h"

#include <math.h>
#include <stdio.h>

cg_tensor *cg_clip_grad_norm_(cg_tensor_list params, double max_norm, double norm_type, bool error_if_nonfinite) {
    if (params.n < 0 || (params.n && !params.items)) return NULL;
    cg_tensor *norms[params.n > 0 ? params.n : 1];
    int n = 0;
    for (int i = 0; i < params.n; i++) {
        if (!params.items[i]) return NULL;
        cg_tensor *g = cg_grad(params.items[i]);
        if (g) norms[n++] = cg_detach(g);
    }
    if (n == 0) return cg_scalar(0.0, CG_FLOAT32);
    bool mode = cg_set_grad_enabled(false);
    cg_tensor *total;
    if (isinf(norm_type) && norm_type > 0) {
        for (int i = 0; i < n; i++) norms[i] = cg_max(cg_abs(norms[i]));
        total = n == 1 ? norms[0] : cg_max(cg_stack(norms, n, 0));
    } else {
        for (int i = 0; i < n; i++) norms[i] = cg_norm(norms[i], norm_type);
        total = cg_norm(cg_stack(norms, n, 0), norm_type);
    }
    if (total && error_if_nonfinite && !isfinite(cg_item(total))) {
        char p[40];
        cg_set_error("The total norm of order %s for gradients from `parameters` is non-finite, so it cannot be "
                     "clipped. To disable this error and scale the gradients by the non-finite norm anyway, set "
                     "`error_if_nonfinite=False`", optim_py_float(norm_type, p, sizeof p));
        total = NULL;
    }
    cg_tensor *coef = cg_clamp(cg_rdiv_number(cg_add_scalar(total, 1e-6), cg_number_float(max_norm)), CG_NO_BOUND, 1.0);
    int rc = coef ? 0 : -1;
    for (int i = 0; i < params.n && rc == 0; i++) {
        cg_tensor *g = cg_grad(params.items[i]);
        if (g) rc = cg_mul_(cg_detach(g), coef);
    }
    cg_set_grad_enabled(mode);
    return rc == 0 ? total : NULL;
}

int cg_clip_grad_value_(cg_tensor_list params, double clip_value) {
    if (params.n < 0 || (params.n && !params.items)) return -1;
    for (int i = 0; i < params.n; i++) {
        if (!params.items[i]) return -1;
        cg_tensor *g = cg_grad(params.items[i]);
        if (g && cg_clamp_number_(cg_data(g), cg_number_float(-clip_value), cg_number_float(clip_value)) < 0) return -1;
    }
    return 0;
}
