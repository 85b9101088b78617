/* AVX-512 loops for float32 SLEEF functions (see simd.h). PyTorch computes these with SLEEF's
 * 8-wide AVX2 calls; the 16-wide call is used only for the functions tools/sleef_widths.c found
 * bit-identical to the 8-wide one on all 2^32 float32 inputs with Debian's libsleef 3.5. float64
 * stays on the AVX2 loops (no such proof is possible there), and so do the exact ops, which are
 * memory-bound at these widths. */
#include "backend/cpu/simd.h"

#if defined(__x86_64__) && defined(__AVX512F__) && defined(CG_HAVE_SLEEF)

#include <immintrin.h>
#include <math.h>
#include <sleef.h>

#define AT(T, k, i) (*(T *)(p[k] + (i) * s[k]))

/* SLEEF on every element, 16 at a time; a short or strided block goes through a zero-padded buffer
 * (each lane is computed on its own, so the padding changes nothing). */
#define VML16(NAME, FN)                                                                       \
    static void NAME(char **p, const int64_t *s, int64_t n, const void *ctx) {                \
        (void)ctx;                                                                            \
        float buf[16];                                                                        \
        for (int64_t i = 0; i < n; i += 16) {                                                 \
            int64_t k = n - i < 16 ? n - i : 16;                                              \
            __m512 x;                                                                         \
            if (k == 16 && s[1] == 4) {                                                       \
                x = _mm512_loadu_ps((const float *)p[1] + i);                                 \
            } else {                                                                          \
                for (int64_t j = 0; j < 16; j++) buf[j] = j < k ? AT(const float, 1, i + j) : 0; \
                x = _mm512_loadu_ps(buf);                                                     \
            }                                                                                 \
            __m512 y = FN(x);                                                                 \
            if (k == 16 && s[0] == 4) {                                                       \
                _mm512_storeu_ps((float *)p[0] + i, y);                                       \
            } else {                                                                          \
                _mm512_storeu_ps(buf, y);                                                     \
                for (int64_t j = 0; j < k; j++) AT(float, 0, i + j) = buf[j];                 \
            }                                                                                 \
        }                                                                                     \
    }

/* SLEEF's 16-wide log keeps a NaN input's payload and sign where the 8-wide one returns the default
 * NaN 0x7fc00000 for every NaN result; its other results are the same. */
static inline __m512 log16(__m512 x) {
    __m512 y = Sleef_logf16_u10(x);
    __mmask16 nan = _mm512_cmp_ps_mask(y, y, _CMP_UNORD_Q);
    return _mm512_mask_blend_ps(nan, y, _mm512_castsi512_ps(_mm512_set1_epi32(0x7fc00000)));
}

/* tools/sleef_widths.c: identical bits for all 2^32 inputs. */
VML16(exp_f32, Sleef_expf16_u10)
VML16(log_f32, log16)
VML16(log1p_f32, Sleef_log1pf16_u10)
VML16(sin_f32, Sleef_sinf16_u10)
VML16(cos_f32, Sleef_cosf16_u10)
VML16(tan_f32, Sleef_tanf16_u10)
VML16(tanh_f32, Sleef_tanhf16_u10)

/* PyTorch's cpu_kernel_vec sigmoid: vector 1 / (1 + exp(0 - a)) on the 16-element blocks of a run
 * whose output is contiguous and input contiguous or one broadcast element, libm on the rest. */
static void sigmoid_f32(char **p, const int64_t *s, int64_t n, const void *ctx) {
    (void)ctx;
    int64_t i = 0, end = s[0] == 4 && (s[1] == 4 || s[1] == 0) ? n - n % 16 : 0;
    const __m512 one = _mm512_set1_ps(1);
    for (; i < end; i += 16) {
        __m512 a = s[1] ? _mm512_loadu_ps((const float *)p[1] + i) : _mm512_set1_ps(*(const float *)p[1]);
        __m512 e = Sleef_expf16_u10(_mm512_sub_ps(_mm512_setzero_ps(), a));
        _mm512_storeu_ps((float *)p[0] + i, _mm512_div_ps(one, _mm512_add_ps(e, one)));
    }
    for (; i < n; i++) AT(float, 0, i) = 1.0f / (1.0f + expf(-AT(const float, 1, i)));
}

cg_loop_fn cg_avx512_unary_loop(cg_unary_op op, cg_dtype dtype) {
    if (dtype != CG_FLOAT32) return NULL;
    switch (op) {
    case CG_UN_EXP: return exp_f32;
    case CG_UN_LOG: return log_f32;
    case CG_UN_LOG1P: return log1p_f32;
    case CG_UN_SIN: return sin_f32;
    case CG_UN_COS: return cos_f32;
    case CG_UN_TAN: return tan_f32;
    case CG_UN_TANH: return tanh_f32;
    case CG_UN_SIGMOID: return sigmoid_f32;
    default: return NULL;
    }
}

#else

cg_loop_fn cg_avx512_unary_loop(cg_unary_op op, cg_dtype dtype) {
    (void)op, (void)dtype;
    return NULL;
}

#endif
