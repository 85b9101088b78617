/* The activation functions of torch.nn.functional, elementwise with up to three numeric
 * parameters, in float32 or float64 (src/ops/activation.c checks dtypes). */
#ifndef CG_KERNELS_ACTIVATION_H
#define CG_KERNELS_ACTIVATION_H

#include "core/tensor.h"

/* C11's math.h has no M_ constants. */
#define CG_SQRT1_2 0.70710678118654752440
#define CG_SQRT_2_OVER_PI 0.79788456080286535588
#define CG_2_OVER_SQRTPI 1.12837916709551257390
#define CG_1_OVER_SQRT_2PI 0.39894228040143267794

typedef enum {
    CG_ACT_LEAKY_RELU, /* p0: negative slope */
    CG_ACT_HARDTANH,   /* p0, p1: min, max */
    CG_ACT_ELU,        /* p0 alpha, p1 scale, p2 input scale */
    CG_ACT_SILU,
    CG_ACT_GELU,
    CG_ACT_GELU_TANH,
    CG_ACT_SOFTPLUS,   /* p0 beta, p1 threshold */
    CG_ACT_HARDSIGMOID,
    CG_ACT_HARDSWISH,
    CG_ACT_MISH,
    CG_ACT_LOGSIGMOID,
    CG_ACT_ERF,
} cg_activation_op;

/* What an activation loop (cg_loop_fn) receives as its context: the op and its parameters. */
typedef struct {
    cg_activation_op op;
    double p[3];
} cg_activation_ctx;

/* out = op(in; p) elementwise, out and in of one floating dtype and shape. */
void cg_kernel_activation(cg_activation_op op, cg_tensor *out, const cg_tensor *in, const double *p);

#endif
