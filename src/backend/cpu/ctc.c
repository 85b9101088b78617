/* ctc_loss's recursions in log space, one instance per floating dtype: PyTorch's kernel is scalar
 * code in the tensor's type (expf/logf for float32), so each step rounds as it does. */
#include "backend/cpu/ctc.h"

#include <math.h>
#include <stdlib.h>

/* Label s of the extended target (blanks between and around the labels). */
static int64_t target_prime(const cg_ctc_plan *p, int64_t b, int64_t s) {
    return s % 2 == 0 ? p->blank : p->targets[p->target_offsets[b] + s / 2];
}

#define CTC_KERNELS(T, EXP, LOG, SUFFIX)                                                                     \
    /* log(exp(a - m) + exp(b - m) + exp(c - m)) + m, m the largest (0 when all are -inf) */             \
    static T log_add3_##SUFFIX(T a, T b, T c) {                                                           \
        T m = a;                                                                                            \
        if (b > m) m = b;                                                                                   \
        if (c > m) m = c;                                                                                   \
        if (m == -INFINITY) m = 0;                                                                          \
        return LOG(EXP(a - m) + EXP(b - m) + EXP(c - m)) + m;                                               \
    }                                                                                                       \
                                                                                                            \
    static void forward_##SUFFIX(T *nll, T *alpha, const T *lp, const int64_t *st, const cg_ctc_plan *p) {  \
        int64_t width = 2 * p->max_target + 1;                                                              \
        for (int64_t b = 0; b < p->batch; b++) {                                                            \
            int64_t len = p->input_lengths[b], tlen = p->target_lengths[b];                                 \
            T *a = alpha + b * p->max_input * width;                                                        \
            const T *l = lp + b * st[1];                                                                    \
            for (int64_t s = 0; s < width; s++) a[s] = -INFINITY;                                           \
            if (len == 0) {                                                                                 \
                nll[b] = tlen == 0 ? 0 : INFINITY;                                                          \
                continue;                                                                                   \
            }                                                                                               \
            a[0] = l[p->blank * st[2]];                                                                     \
            if (tlen > 0) a[1] = l[target_prime(p, b, 1) * st[2]];                                          \
            for (int64_t t = 1; t < len; t++) {                                                             \
                const T *prev = a + (t - 1) * width;                                                        \
                for (int64_t s = 0; s < 2 * tlen + 1; s++) {                                                \
                    int64_t label = target_prime(p, b, s);                                                  \
                    T a2 = s > 0 ? prev[s - 1] : -INFINITY;                                                 \
                    T a3 = s > 1 && target_prime(p, b, s - 2) != label ? prev[s - 2] : -INFINITY;           \
                    a[t * width + s] = log_add3_##SUFFIX(prev[s], a2, a3) + l[t * st[0] + label * st[2]];   \
                }                                                                                           \
            }                                                                                               \
            const T *last = a + (len - 1) * width;                                                          \
            nll[b] = tlen == 0 ? -last[0] : -log_add3_##SUFFIX(last[2 * tlen], last[2 * tlen - 1], -INFINITY); \
        }                                                                                                   \
    }                                                                                                       \
                                                                                                            \
    /* grad holds log(sum alpha beta) per (t, label) until the last step turns it into the gradient. */     \
    static void backward_##SUFFIX(T *grad, const T *gout, const T *lp, const int64_t *st, const T *nll,     \
                                  const T *alpha, T *beta, const cg_ctc_plan *p, bool zero_infinity) {      \
        int64_t width = 2 * p->max_target + 1, C = p->classes, N = p->batch;                                \
        for (int64_t b = 0; b < N; b++) {                                                                   \
            int64_t len = p->input_lengths[b], tlen = p->target_lengths[b];                                 \
            T *g = grad + b * C; /* g[t * N * C + c] */                                                     \
            for (int64_t t = 0; t < p->max_input; t++)                                                      \
                for (int64_t c = 0; c < C; c++) g[t * N * C + c] = -INFINITY;                               \
            if (zero_infinity && nll[b] == INFINITY) len = 0;                                               \
            const T *a = alpha + b * p->max_input * width, *l = lp + b * st[1];                             \
            if (len > 0) {                                                                                  \
                T *last = beta + (len - 1) * width;                                                         \
                for (int64_t s = 0; s < width; s++) last[s] = -INFINITY;                                    \
                for (int64_t s = 2 * tlen; s >= 2 * tlen - 1 && s >= 0; s--) {                              \
                    int64_t label = target_prime(p, b, s);                                                  \
                    last[s] = l[(len - 1) * st[0] + label * st[2]];                                         \
                    g[(len - 1) * N * C + label] = a[(len - 1) * width + s] + last[s];                      \
                }                                                                                           \
            }                                                                                               \
            for (int64_t t = len - 2; t >= 0; t--) {                                                        \
                const T *next = beta + (t + 1) * width;                                                     \
                for (int64_t s = 2 * tlen; s >= 0; s--) {                                                   \
                    int64_t label = target_prime(p, b, s);                                                  \
                    T b2 = s < 2 * tlen ? next[s + 1] : -INFINITY;                                          \
                    T b3 = s < 2 * tlen - 1 && target_prime(p, b, s + 2) != label ? next[s + 2] : -INFINITY; \
                    T bt = log_add3_##SUFFIX(next[s], b2, b3) + l[t * st[0] + label * st[2]];               \
                    beta[t * width + s] = bt;                                                               \
                    T ab = a[t * width + s] + bt, *acc = &g[t * N * C + label];                             \
                    if (*acc == -INFINITY) {                                                                \
                        *acc = ab;                                                                          \
                    } else {                                                                                \
                        T m = *acc > ab ? *acc : ab;                                                        \
                        *acc = LOG(EXP(*acc - m) + EXP(ab - m)) + m;                                        \
                    }                                                                                       \
                }                                                                                           \
            }                                                                                               \
            for (int64_t t = 0; t < p->max_input; t++)                                                      \
                for (int64_t c = 0; c < C; c++) {                                                           \
                    T *r = &g[t * N * C + c], v = l[t * st[0] + c * st[2]];                                 \
                    *r = t < len ? (EXP(v) - EXP(*r + nll[b] - v)) * gout[b] : 0;                           \
                }                                                                                           \
        }                                                                                                   \
    }

CTC_KERNELS(float, expf, logf, f32)
CTC_KERNELS(double, exp, log, f64)

void cg_kernel_ctc_forward(cg_tensor *nll, cg_tensor *log_alpha, const cg_tensor *log_probs, const cg_ctc_plan *p) {
    if (log_probs->dtype == CG_FLOAT32)
        forward_f32((float *)cg_tensor_data(nll), (float *)cg_tensor_data(log_alpha),
                    (const float *)cg_tensor_data(log_probs), log_probs->strides, p);
    else
        forward_f64((double *)cg_tensor_data(nll), (double *)cg_tensor_data(log_alpha),
                    (const double *)cg_tensor_data(log_probs), log_probs->strides, p);
}

void cg_kernel_ctc_backward(cg_tensor *grad, const cg_tensor *grad_out, const cg_tensor *log_probs,
                            const cg_tensor *nll, const cg_tensor *log_alpha, const cg_ctc_plan *p, bool zero_infinity) {
    size_t width = (size_t)(2 * p->max_target + 1), bytes = (size_t)p->max_input * width * cg_dtype_size(grad->dtype);
    void *beta = malloc(bytes ? bytes : 1); /* one entry's betas at a time */
    if (!beta) {
        cg_set_error("out of memory");
        return;
    }
    if (grad->dtype == CG_FLOAT32)
        backward_f32((float *)cg_tensor_data(grad), (const float *)cg_tensor_data(grad_out),
                     (const float *)cg_tensor_data(log_probs), log_probs->strides, (const float *)cg_tensor_data(nll),
                     (const float *)cg_tensor_data(log_alpha), beta, p, zero_infinity);
    else
        backward_f64((double *)cg_tensor_data(grad), (const double *)cg_tensor_data(grad_out),
                     (const double *)cg_tensor_data(log_probs), log_probs->strides, (const double *)cg_tensor_data(nll),
                     (const double *)cg_tensor_data(log_alpha), beta, p, zero_infinity);
    free(beta);
}
