/* torch.nn.init: each fill is the same call on the default generator that PyTorch's makes, with
 * the bound or std computed in double in PyTorch's order, so the bits match for the same seed. */
#include "nn/nn.h"

#include <math.h>
#include <string.h>

double cg_nn_init_calculate_gain(const char *nonlinearity, double param) {
    static const char *const linear[] = {"linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                                         "conv_transpose2d", "conv_transpose3d", "sigmoid"};
    if (!nonlinearity) return NAN;
    for (size_t i = 0; i < sizeof linear / sizeof *linear; i++)
        if (!strcmp(nonlinearity, linear[i])) return 1;
    if (!strcmp(nonlinearity, "tanh")) return 5.0 / 3;
    if (!strcmp(nonlinearity, "relu")) return sqrt(2.0);
    if (!strcmp(nonlinearity, "leaky_relu")) {
        double slope = isnan(param) ? 0.01 : param;
        return sqrt(2.0 / (1 + slope * slope));
    }
    if (!strcmp(nonlinearity, "selu")) return 3.0 / 4;
    cg_set_value_error("Unsupported nonlinearity %s", nonlinearity);
    return NAN;
}

/* torch.nn.init._calculate_fan_in_and_fan_out. */
static int fans(const cg_tensor *t, double *fan_in, double *fan_out) {
    if (cg_ndim(t) < 2) {
        cg_set_value_error("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions");
        return -1;
    }
    int64_t receptive = 1;
    for (int d = 2; d < cg_ndim(t); d++) receptive *= cg_size(t, d);
    *fan_in = (double)(cg_size(t, 1) * receptive);
    *fan_out = (double)(cg_size(t, 0) * receptive);
    return 0;
}

/* Fills run without recording, as under PyTorch's torch.no_grad(). */
int cg_nn_init_uniform_(cg_tensor *t, double a, double b) {
    if (!t) return -1;
    int rc = -1;
    CG_NO_GRAD { rc = cg_uniform_(t, a, b); }
    return rc;
}

int cg_nn_init_normal_(cg_tensor *t, double mean, double std) {
    if (!t) return -1;
    int rc = -1;
    CG_NO_GRAD { rc = cg_normal_(t, mean, std); }
    return rc;
}

int cg_nn_init_constant_(cg_tensor *t, double value) {
    if (!t) return -1;
    int rc = -1;
    CG_NO_GRAD { rc = cg_fill_(t, value); }
    return rc;
}

int cg_nn_init_zeros_(cg_tensor *t) { return cg_nn_init_constant_(t, 0.0); }
int cg_nn_init_ones_(cg_tensor *t) { return cg_nn_init_constant_(t, 1.0); }

int cg_nn_init_eye_(cg_tensor *t) {
    if (!t) return -1;
    if (cg_ndim(t) != 2) {
        cg_set_value_error("Only tensors with 2 dimensions are supported");
        return -1;
    }
    int rc = -1;
    CG_SCOPE {
        cg_tensor *eye = cg_eye(cg_size(t, 0), cg_size(t, 1), cg_get_dtype(t));
        CG_NO_GRAD { rc = eye ? cg_copy_(t, eye) : -1; }
    }
    return rc;
}

int cg_nn_init_xavier_uniform_(cg_tensor *t, double gain) {
    double fan_in, fan_out;
    if (!t || fans(t, &fan_in, &fan_out) != 0) return -1;
    double std = gain * sqrt(2.0 / (fan_in + fan_out));
    double a = sqrt(3.0) * std;
    return cg_nn_init_uniform_(t, -a, a);
}

int cg_nn_init_xavier_normal_(cg_tensor *t, double gain) {
    double fan_in, fan_out;
    if (!t || fans(t, &fan_in, &fan_out) != 0) return -1;
    return cg_nn_init_normal_(t, 0, gain * sqrt(2.0 / (fan_in + fan_out)));
}

/* kaiming's std, or a negative value when t has no elements (PyTorch warns and does nothing). */
static int kaiming_std(cg_tensor *t, double a, cg_fan_mode mode, const char *nonlinearity, double *std) {
    if (cg_numel(t) == 0) {
        cg_warn("Initializing zero-element tensors is a no-op");
        *std = -1;
        return 0;
    }
    double fan_in, fan_out;
    if (fans(t, &fan_in, &fan_out) != 0) return -1;
    double gain = cg_nn_init_calculate_gain(nonlinearity ? nonlinearity : "leaky_relu", a);
    if (isnan(gain)) return -1;
    *std = gain / sqrt(mode == CG_FAN_OUT ? fan_out : fan_in);
    return 0;
}

int cg_nn_init_kaiming_uniform_(cg_tensor *t, double a, cg_fan_mode mode, const char *nonlinearity) {
    double std;
    if (!t || kaiming_std(t, a, mode, nonlinearity, &std) != 0) return -1;
    if (std < 0) return 0;
    double bound = sqrt(3.0) * std;
    return cg_nn_init_uniform_(t, -bound, bound);
}

int cg_nn_init_kaiming_normal_(cg_tensor *t, double a, cg_fan_mode mode, const char *nonlinearity) {
    double std;
    if (!t || kaiming_std(t, a, mode, nonlinearity, &std) != 0) return -1;
    if (std < 0) return 0;
    return cg_nn_init_normal_(t, 0, std);
}

/* Linear's and Conv's reset_parameters: kaiming_uniform_(a=sqrt(5)) on the weight, then the bias
 * from U(-1/sqrt(fan_in), 1/sqrt(fan_in)); a convolution with fan_in 0 leaves its bias unfilled
 * (draws nothing), a Linear draws U(0, 0). */
int nn_reset_parameters(cg_tensor *weight, cg_tensor *bias, bool conv) {
    if (cg_nn_init_kaiming_uniform_(weight, sqrt(5.0), CG_FAN_IN, "leaky_relu") != 0) return -1;
    if (!bias) return 0;
    double fan_in, fan_out;
    if (fans(weight, &fan_in, &fan_out) != 0) return -1;
    if (conv && fan_in == 0) return 0;
    double bound = fan_in > 0 ? 1 / sqrt(fan_in) : 0;
    return cg_nn_init_uniform_(bias, -bound, bound);
}
