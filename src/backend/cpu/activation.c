/* Activation loops. Each is written as PyTorch 1.13's scalar lambda (aten/src/ATen/native/cpu/
 * Activation.cpp), with its parameters converted to the element type first. */
#include "backend/cpu/activation.h"
#include "backend/cpu/dnnl_eltwise.h"
#include "backend/cpu/iter.h"
#include "backend/cpu/simd.h"

#include <math.h>

/* std::min(std::max(v, 0), 6): NaN stays NaN (fmin and fmax would drop it). */
#define CLAMP_0_6(v) ((v) < 0 ? 0 : (v) > 6 ? 6 : (v))
/* hardtanh is PyTorch's clamp: min(max(x, lo), hi), so lo > hi gives hi everywhere; NaN stays NaN. */
#define CLAMP_MIN_MAX(x, lo, hi) ((x) < (lo) ? ((lo) > (hi) ? (hi) : (lo)) : (x) > (hi) ? (hi) : (x))

/* gelu from erf, PyTorch's scalar lambda x * 0.5 * (1 + erf(x / sqrt(2))) (which runs on strided
 * float32 input; a contiguous one goes to oneDNN, as PyTorch's does). */
#define GELU_float(x, e) ((x) * 0.5f * (1 + (e)))
#define GELU_double(x, e) ((x) * 0.5 * (1 + (e)))

/* One value of op at x in type T; EXP, EXPM1, ... are T's libm functions. */
#define ACTIVATION_VALUE(T, SFX)                                                                       \
    static T act_##T(cg_activation_op op, T x, const T *p) {                                            \
        switch (op) {                                                                                   \
        case CG_ACT_LEAKY_RELU: return x > 0 ? x : x * p[0];                                            \
        case CG_ACT_HARDTANH: return CLAMP_MIN_MAX(x, p[0], p[1]);                                     \
        case CG_ACT_ELU: return x > 0 ? x * p[1] : (exp##SFX(x * p[2]) - 1) * (p[0] * p[1]);               \
        case CG_ACT_SILU: return x / (1 + exp##SFX(-x));                                                \
        case CG_ACT_GELU: return GELU_##T(x, erf##SFX(x * (T)CG_SQRT1_2));                                                     \
        case CG_ACT_GELU_TANH: {                                                                        \
            T inner = (T)(CG_SQRT_2_OVER_PI) * fma##SFX((T)0.044715, x * x * x, x);                \
            return (T)0.5 * x * (1 + tanh##SFX(inner));                                                 \
        }                                                                                               \
        case CG_ACT_SOFTPLUS: return x * p[0] > p[1] ? x : log1p##SFX(exp##SFX(x * p[0])) / p[0];       \
        case CG_ACT_HARDSIGMOID: return CLAMP_0_6(x + 3) / 6;                          \
        case CG_ACT_HARDSWISH: return x * CLAMP_0_6(x + 3) / 6;                        \
        case CG_ACT_MISH: return x * tanh##SFX(log1p##SFX(exp##SFX(x)));                                \
        case CG_ACT_LOGSIGMOID: return fmin##SFX(x, 0) - log1p##SFX(exp##SFX(-fabs##SFX(x)));           \
        case CG_ACT_ERF: return erf##SFX(x);                                                            \
        }                                                                                               \
        return x;                                                                                       \
    }                                                                                                   \
    static void loop_##T(char **ptrs, const int64_t *strides, int64_t n, const void *ctx) {             \
        const cg_activation_ctx *c = ctx;                                                                         \
        T p[3] = {(T)c->p[0], (T)c->p[1], (T)c->p[2]};                                                  \
        for (int64_t i = 0; i < n; i++)                                                                 \
            *(T *)(ptrs[0] + i * strides[0]) = act_##T(c->op, *(const T *)(ptrs[1] + i * strides[1]), p); \
    }

ACTIVATION_VALUE(float, f)
ACTIVATION_VALUE(double, )

/* Without libdnnl, gelu where PyTorch runs oneDNN's: one fma, which gives oneDNN's +0 for large
 * negative inputs (the values within a few epsilons). */
static void gelu_like_onednn(char **ptrs, const int64_t *strides, int64_t n, const void *ctx) {
    (void)ctx;
    for (int64_t i = 0; i < n; i++) {
        float x = *(const float *)(ptrs[1] + i * strides[1]);
        *(float *)(ptrs[0] + i * strides[0]) = fmaf(x * 0.5f, erff(x * (float)CG_SQRT1_2), x * 0.5f);
    }
}

void cg_kernel_activation(cg_activation_op op, cg_tensor *out, const cg_tensor *in, const double *p) {
    cg_activation_ctx c = {op, {p ? p[0] : 0, p ? p[1] : 0, p ? p[2] : 0}};
    cg_loop_fn loop = NULL;
    /* PyTorch's gelu of a contiguous float32 tensor of more than one element is oneDNN's */
    if (op == CG_ACT_GELU && in->dtype == CG_FLOAT32 && in->numel > 1 && cg_is_contiguous_inline(in) &&
        cg_is_contiguous_inline(out)) {
        if (cg_dnnl_gelu_erf((const float *)cg_tensor_data(in), (float *)cg_tensor_data(out), in->numel)) return;
        loop = gelu_like_onednn;
    }
    if (!loop && cg_simd_avx2()) loop = cg_avx2_activation_loop(op, out->dtype);
    if (!loop) loop = out->dtype == CG_FLOAT64 ? loop_double : loop_float;
    CG_ITER_MEMORY_ORDER(loop, &c, out, in);
}
