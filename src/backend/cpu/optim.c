/* The Adam step in one pass (optim.h). A parameter is taken in blocks of BLOCK elements, and each
 * of PyTorch's ops runs over a block before the next one does, so every element gets the ops in
 * its order while the block stays in L1; each op is a plain loop over the block, which compilers
 * vectorize (the Makefile builds this file with -fno-math-errno so that sqrt is an instruction). */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("tree-vectorize", "vect-cost-model=dynamic")
#endif

#include "backend/cpu/optim.h"

#include "backend/cpu/parallel.h"
#include "backend/cpu/simd.h"

#include <math.h>
#include <string.h>

#define BLOCK 256

typedef struct adam_job adam_job;
typedef void (*adam_loop)(const adam_job *j, int64_t begin, int64_t end);
struct adam_job {
    const cg_adam_numbers *a;
    adam_loop loop;
    char *p, *m, *v, *mx;
    const char *g;
    int64_t vec_end; /* maximum's vector body ends here (PyTorch's 64-byte blocks of the whole tensor) */
};

/* ATTR: the functions' target (FMA instructions, or none with libm's fma). */
#define ADAM_LOOP(SUFFIX, T, FMA, SQRT, ATTR)                                                            \
    ATTR static void adam_##SUFFIX(const adam_job *j, int64_t begin, int64_t end) {                     \
        const cg_adam_numbers *a = j->a;                                                                 \
        const T decay = (T)a->decay, wd = (T)a->weight_decay, b1 = (T)a->beta1, c1 = (T)a->one_minus_beta1; \
        const T b2 = (T)a->beta2, c2 = (T)a->one_minus_beta2, bc2 = (T)a->bias_correction2_sqrt;        \
        const T eps = (T)a->eps, step = (T)a->neg_step_size;                                             \
        bool l2 = !a->decoupled && a->weight_decay != 0;                                                 \
        for (int64_t i0 = begin; i0 < end; i0 += BLOCK) {                                                \
            int64_t k = end - i0 < BLOCK ? end - i0 : BLOCK;                                             \
            T *restrict p = (T *)j->p + i0, *restrict m = (T *)j->m + i0, *restrict v = (T *)j->v + i0;  \
            const T *restrict grad = (const T *)j->g + i0;                                               \
            T g[BLOCK];                                                                                  \
            if (a->maximize)                                                                             \
                for (int64_t c = 0; c < k; c++) g[c] = -grad[c];                                         \
            else                                                                                         \
                memcpy(g, grad, (size_t)k * sizeof(T));                                                  \
            if (a->decoupled)                                                                            \
                for (int64_t c = 0; c < k; c++) p[c] = p[c] * decay;                                     \
            else if (l2)                                                                                 \
                for (int64_t c = 0; c < k; c++) g[c] = FMA(p[c], wd, g[c]);                              \
            for (int64_t c = 0; c < k; c++) m[c] = FMA(g[c], c1, m[c] * b1);                             \
            for (int64_t c = 0; c < k; c++) v[c] = FMA(c2 * g[c], g[c], v[c] * b2);                      \
            const T *restrict s = v;                                                                     \
            if (j->mx) { /* maximum(mx, v): NaN from either; ties as elementwise.c's maximum */          \
                T *restrict mx = (T *)j->mx + i0;                                                        \
                for (int64_t c = 0; c < k; c++) {                                                        \
                    T x = mx[c], y = v[c];                                                               \
                    mx[c] = x != x || y != y ? x + y : i0 + c < j->vec_end ? (x > y ? x : y) : x < y ? y : x; \
                }                                                                                        \
                s = mx;                                                                                  \
            }                                                                                            \
            for (int64_t c = 0; c < k; c++) p[c] = p[c] + (step * m[c]) / (SQRT(s[c]) / bc2 + eps);      \
        }                                                                                                \
    }
ADAM_LOOP(f32, float, fmaf, sqrtf, )
ADAM_LOOP(f64, double, fma, sqrt, )
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define HAVE_AVX2_LOOPS 1
ADAM_LOOP(f32_avx2, float, __builtin_fmaf, __builtin_sqrtf, __attribute__((target("avx2,fma"))))
ADAM_LOOP(f64_avx2, double, __builtin_fma, __builtin_sqrt, __attribute__((target("avx2,fma"))))
#endif

static void adam_piece(int64_t begin, int64_t end, void *arg) {
    const adam_job *j = arg;
    j->loop(j, begin, end);
}

void cg_kernel_adam_step(const cg_adam_numbers *a, cg_tensor *param, const cg_tensor *grad, cg_tensor *exp_avg,
                         cg_tensor *exp_avg_sq, cg_tensor *max_exp_avg_sq) {
    bool f32 = param->dtype == CG_FLOAT32;
    adam_loop loop = f32 ? adam_f32 : adam_f64;
#ifdef HAVE_AVX2_LOOPS
    if (cg_simd_avx2()) loop = f32 ? adam_f32_avx2 : adam_f64_avx2;
#endif
    int64_t n = param->numel;
    adam_job j = {a, loop, cg_tensor_data(param), cg_tensor_data(exp_avg), cg_tensor_data(exp_avg_sq),
                  max_exp_avg_sq ? cg_tensor_data(max_exp_avg_sq) : NULL, cg_tensor_data(grad),
                  n - n % (64 / (int64_t)cg_elsize(param->dtype))};
    cg_parallel_for(0, n, CG_GRAIN_SIZE, adam_piece, &j);
}
