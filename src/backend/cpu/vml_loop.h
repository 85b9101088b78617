/* The vml loop of the AVX2 files (simd_avx2.c, math_avx2.c): SLEEF's function FN on every element,
 * one vector at a time, as PyTorch's vml ops run; a short or strided block goes through a
 * zero-padded buffer, as Vectorized::loadu(ptr, count) pads (each lane is computed on its own, so
 * the padding changes nothing). Needs <immintrin.h>, and SIZE and AT as both files define them. */
#ifndef CG_KERNELS_VML_LOOP_H
#define CG_KERNELS_VML_LOOP_H

#define VML_LOOP(NAME, T, VT, LANES, LOADU, STOREU, FN)                                       \
    static void NAME(char **p, const int64_t *s, int64_t n, const void *ctx) {                \
        (void)ctx;                                                                            \
        T buf[LANES];                                                                         \
        for (int64_t i = 0; i < n; i += LANES) {                                              \
            int64_t k = n - i < LANES ? n - i : LANES;                                        \
            VT x;                                                                             \
            if (k == LANES && s[1] == SIZE(T)) {                                              \
                x = LOADU((const T *)(p[1] + i * SIZE(T)));                                   \
            } else {                                                                          \
                for (int64_t j = 0; j < LANES; j++) buf[j] = j < k ? AT(const T, 1, i + j) : 0; \
                x = LOADU(buf);                                                               \
            }                                                                                 \
            VT y = FN(x);                                                                     \
            if (k == LANES && s[0] == SIZE(T)) {                                              \
                STOREU((T *)(p[0] + i * SIZE(T)), y);                                         \
            } else {                                                                          \
                STOREU(buf, y);                                                               \
                for (int64_t j = 0; j < k; j++) AT(T, 0, i + j) = buf[j];                     \
            }                                                                                 \
        }                                                                                     \
    }

#endif
