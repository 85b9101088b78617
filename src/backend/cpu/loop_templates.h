/* The elementwise loop templates of elementwise.c, and of simd_avx2.c, which compiles the exact
 * ones again for AVX2: a contiguous path, broadcast-scalar paths and a strided path, each a plain
 * indexed loop the compiler vectorizes. Each loop has cg_loop_fn's contract (n elements, one byte
 * stride per operand, operand 0 the output). Needs SIZE(T) as both files define it. */
#ifndef CG_KERNELS_LOOP_TEMPLATES_H
#define CG_KERNELS_LOOP_TEMPLATES_H

/* out[i] = EXPR with T a = first[i], T b = second[i]; out has type R. EXPR may test `i < vec_end`:
 * PyTorch's AVX2 loops run the contiguous (or one-scalar) case 64 bytes at a time with vector
 * instructions and the rest with scalar code, and a few ops differ between the two. */
#define BINARY_LOOP(NAME, T, R, EXPR)                                                         \
    static void NAME(char **p, const int64_t *s, int64_t n, const void *ctx) {                \
        (void)ctx;                                                                            \
        R *out = (R *)p[0];                                                                   \
        const T *x = (const T *)p[1], *y = (const T *)p[2];                                   \
        int64_t vec_end = n - n % (64 / SIZE(T));                                             \
        (void)vec_end;                                                                        \
        if (s[0] == SIZE(R) && s[1] == SIZE(T) && s[2] == SIZE(T)) {                          \
            for (int64_t i = 0; i < n; i++) {                                                 \
                T a = x[i], b = y[i];                                                         \
                out[i] = (R)(EXPR);                                                           \
            }                                                                                 \
        } else if (s[0] == SIZE(R) && s[1] == SIZE(T) && s[2] == 0) {                         \
            const T b = *y;                                                                   \
            for (int64_t i = 0; i < n; i++) {                                                 \
                T a = x[i];                                                                   \
                out[i] = (R)(EXPR);                                                           \
            }                                                                                 \
        } else if (s[0] == SIZE(R) && s[1] == 0 && s[2] == SIZE(T)) {                         \
            const T a = *x;                                                                   \
            for (int64_t i = 0; i < n; i++) {                                                 \
                T b = y[i];                                                                   \
                out[i] = (R)(EXPR);                                                           \
            }                                                                                 \
        } else {                                                                              \
            vec_end = 0;                                                                      \
            for (int64_t i = 0; i < n; i++) {                                                 \
                T a = *(const T *)(p[1] + i * s[1]), b = *(const T *)(p[2] + i * s[2]);       \
                *(R *)(p[0] + i * s[0]) = (R)(EXPR);                                          \
            }                                                                                 \
        }                                                                                     \
    }

/* out[i] = EXPR with T a = in[i]. */
#define UNARY_LOOP(NAME, T, EXPR)                                                             \
    static void NAME(char **p, const int64_t *s, int64_t n, const void *ctx) {                \
        (void)ctx;                                                                            \
        if (s[0] == SIZE(T) && s[1] == SIZE(T)) {                                             \
            T *out = (T *)p[0];                                                               \
            const T *x = (const T *)p[1];                                                     \
            for (int64_t i = 0; i < n; i++) {                                                 \
                T a = x[i];                                                                   \
                out[i] = (T)(EXPR);                                                           \
            }                                                                                 \
        } else {                                                                              \
            for (int64_t i = 0; i < n; i++) {                                                 \
                T a = *(const T *)(p[1] + i * s[1]);                                          \
                *(T *)(p[0] + i * s[0]) = (T)(EXPR);                                          \
            }                                                                                 \
        }                                                                                     \
    }

#endif
