#include "backend/cpu/fused.h"

#include "backend/cpu/iter.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

typedef struct {
    union {
        float f32;
        double f64;
        int64_t i64;
        bool b;
    } number; /* alpha, value or the weight, converted to the dtype (PyTorch's Scalar.to<T>()) */
} fused_ctx;

#define AT(T, k) (*(const T *)(p[k] + i * s[k]))
#define OUT(T) (*(T *)(p[0] + i * s[0]))

/* Every operand of the loop contiguous (stride size), and each input either is the output or does
 * not overlap it: a vector loop then gives the element loop's results. */
static bool contiguous_apart(char **p, const int64_t *s, int operands, int64_t n, size_t size) {
    uintptr_t o = (uintptr_t)p[0], bytes = (uintptr_t)n * size;
    for (int k = 0; k < operands; k++) {
        uintptr_t x = (uintptr_t)p[k];
        if (s[k] != (int64_t)size || (x != o && x + bytes > o && o + bytes > x)) return false;
    }
    return true;
}

/* The loops of one floating dtype: FMA is fmaf or fma; ATTR the functions'
 * attributes (a target with FMA instructions). */
#define FLOAT_LOOPS(SUFFIX, T, FIELD, FMA, ATTR)                                                     \
    /* blocks of 8 written out, which -O2 vectorizes (it leaves a loop of unknown length scalar) */ \
    ATTR static void add_inplace_##SUFFIX(T *restrict out, const T *restrict y, T alpha, int64_t n) {    \
        int64_t i = 0;                                                                              \
        for (; i + 8 <= n; i += 8)                                                                  \
            for (int u = 0; u < 8; u++) out[i + u] = FMA(y[i + u], alpha, out[i + u]);              \
        for (; i < n; i++) out[i] = FMA(y[i], alpha, out[i]);                                       \
    }                                                                                               \
    ATTR static void add_arrays_##SUFFIX(T *restrict out, const T *restrict x, const T *restrict y,      \
                                         T alpha, int64_t n) {                                      \
        int64_t i = 0;                                                                              \
        for (; i + 8 <= n; i += 8)                                                                  \
            for (int u = 0; u < 8; u++) out[i + u] = FMA(y[i + u], alpha, x[i + u]);                \
        for (; i < n; i++) out[i] = FMA(y[i], alpha, x[i]);                                         \
    }                                                                                               \
    /* out and y do not overlap, and out is x or does not overlap it either */                      \
    static bool add_apart_##SUFFIX(char **p, int64_t n) {                                           \
        size_t bytes = (size_t)n * sizeof(T);                                                       \
        uintptr_t o = (uintptr_t)p[0], x = (uintptr_t)p[1], y = (uintptr_t)p[2];                    \
        bool oy = o + bytes <= y || y + bytes <= o, ox = o == x || o + bytes <= x || x + bytes <= o; \
        return oy && ox;                                                                            \
    }                                                                                               \
    ATTR static void add_##SUFFIX(char **p, const int64_t *s, int64_t n, const void *ctx) {              \
        const T alpha = ((const fused_ctx *)ctx)->number.FIELD;                                     \
        int64_t i = 0;                                                                              \
        if (s[0] == (int64_t)sizeof(T) && s[1] == (int64_t)sizeof(T) && s[2] == (int64_t)sizeof(T) && \
            add_apart_##SUFFIX(p, n)) {                                                             \
            /* contiguous (an optimizer step): arrays that do not overlap, which compilers          \
             * vectorize, with the same fmas */                                                     \
            if (p[0] == p[1])                                                                       \
                add_inplace_##SUFFIX((T *)p[0], (const T *)p[2], alpha, n);                         \
            else                                                                                    \
                add_arrays_##SUFFIX((T *)p[0], (const T *)p[1], (const T *)p[2], alpha, n);         \
            return;                                                                                 \
        }                                                                                           \
        if (s[0] == (int64_t)sizeof(T) && s[1] == (int64_t)sizeof(T) && s[2] == 0 && n > 0) {       \
            /* other broadcast from one element: PyTorch's blocks of 64 bytes are fused, and so are  \
             * the first element of the rest and what is left after its 16-byte blocks, which GCC   \
             * vectorized with alpha * other rounded once, outside the loop */                      \
            int64_t body = n - n % (64 / (int64_t)sizeof(T));                                       \
            for (; i < body; i++) OUT(T) = FMA(AT(T, 2), alpha, AT(T, 1));                          \
            if (i < n) OUT(T) = FMA(AT(T, 2), alpha, AT(T, 1)), i++;                                \
            const T scaled = AT(T, 2) * alpha;                                                      \
            int64_t blocks_end = i + (n - i) / (16 / (int64_t)sizeof(T)) * (16 / (int64_t)sizeof(T)); \
            for (; i < blocks_end; i++) OUT(T) = AT(T, 1) + scaled;                                 \
        }                                                                                           \
        for (; i < n; i++) OUT(T) = FMA(AT(T, 2), alpha, AT(T, 1));                                 \
    }                                                                                               \
    /* blocks of 8 read before they are written, so an operand may be out itself (in place) */     \
    ATTR static void addcmul_arrays_##SUFFIX(T *out, const T *x, const T *a, const T *b, T value, int64_t n) { \
        int64_t i = 0;                                                                              \
        for (; i + 8 <= n; i += 8) {                                                                \
            T r[8];                                                                                 \
            for (int u = 0; u < 8; u++) r[u] = FMA(value * a[i + u], b[i + u], x[i + u]);           \
            for (int u = 0; u < 8; u++) out[i + u] = r[u];                                          \
        }                                                                                           \
        for (; i < n; i++) out[i] = FMA(value * a[i], b[i], x[i]);                                  \
    }                                                                                               \
    ATTR static void addcdiv_arrays_##SUFFIX(T *out, const T *x, const T *a, const T *b, T value, int64_t n) { \
        int64_t i = 0;                                                                              \
        for (; i + 8 <= n; i += 8) {                                                                \
            T r[8];                                                                                 \
            for (int u = 0; u < 8; u++) r[u] = x[i + u] + value * a[i + u] / b[i + u];              \
            for (int u = 0; u < 8; u++) out[i + u] = r[u];                                          \
        }                                                                                           \
        for (; i < n; i++) out[i] = x[i] + value * a[i] / b[i];                                     \
    }                                                                                               \
    ATTR static void addcmul_##SUFFIX(char **p, const int64_t *s, int64_t n, const void *ctx) {          \
        const T value = ((const fused_ctx *)ctx)->number.FIELD;                                     \
        if (contiguous_apart(p, s, 4, n, sizeof(T))) {                                              \
            addcmul_arrays_##SUFFIX((T *)p[0], (T *)p[1], (T *)p[2], (T *)p[3], value, n);           \
            return;                                                                                 \
        }                                                                                           \
        for (int64_t i = 0; i < n; i++) OUT(T) = FMA(value * AT(T, 2), AT(T, 3), AT(T, 1));          \
    }                                                                                               \
    ATTR static void addcdiv_##SUFFIX(char **p, const int64_t *s, int64_t n, const void *ctx) {          \
        const T value = ((const fused_ctx *)ctx)->number.FIELD;                                     \
        if (contiguous_apart(p, s, 4, n, sizeof(T))) {                                              \
            addcdiv_arrays_##SUFFIX((T *)p[0], (T *)p[1], (T *)p[2], (T *)p[3], value, n);           \
            return;                                                                                 \
        }                                                                                           \
        for (int64_t i = 0; i < n; i++) OUT(T) = AT(T, 1) + value * AT(T, 2) / AT(T, 3);             \
    }                                                                                               \
    ATTR static inline T lerp_##SUFFIX(T self, T end, T w) {                                             \
        T d = end - self;                                                                           \
        return w < (T)0.5 ? FMA(w, d, self) : FMA(-d, (T)1 - w, end);                              \
    }                                                                                               \
    ATTR static void lerp_number_##SUFFIX(char **p, const int64_t *s, int64_t n, const void *ctx) {      \
        const T w = ((const fused_ctx *)ctx)->number.FIELD;                                         \
        for (int64_t i = 0; i < n; i++) OUT(T) = lerp_##SUFFIX(AT(T, 1), AT(T, 2), w);               \
    }                                                                                               \
    ATTR static void lerp_tensor_##SUFFIX(char **p, const int64_t *s, int64_t n, const void *ctx) {      \
        (void)ctx;                                                                                  \
        for (int64_t i = 0; i < n; i++) OUT(T) = lerp_##SUFFIX(AT(T, 1), AT(T, 2), AT(T, 3));        \
    }
FLOAT_LOOPS(f32, float, f32, fmaf, )
FLOAT_LOOPS(f64, double, f64, fma, )

/* The same loops with the FMA instructions inline (the libm calls above give the same bits, slower),
 * chosen at run time on x86-64 CPUs that have them. */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define HAVE_FMA_LOOPS 1
FLOAT_LOOPS(f32_fma, float, f32, __builtin_fmaf, __attribute__((target("fma"))))
FLOAT_LOOPS(f64_fma, double, f64, __builtin_fma, __attribute__((target("fma"))))
#endif

/* Integers wrap around, as PyTorch's do (in unsigned arithmetic, which C defines). */
static void add_i64(char **p, const int64_t *s, int64_t n, const void *ctx) {
    const uint64_t alpha = (uint64_t)((const fused_ctx *)ctx)->number.i64;
    for (int64_t i = 0; i < n; i++) OUT(int64_t) = (int64_t)((uint64_t)AT(int64_t, 1) + alpha * (uint64_t)AT(int64_t, 2));
}
static void addcmul_i64(char **p, const int64_t *s, int64_t n, const void *ctx) {
    const uint64_t value = (uint64_t)((const fused_ctx *)ctx)->number.i64;
    for (int64_t i = 0; i < n; i++)
        OUT(int64_t) = (int64_t)((uint64_t)AT(int64_t, 1) + value * (uint64_t)AT(int64_t, 2) * (uint64_t)AT(int64_t, 3));
}
static void add_b8(char **p, const int64_t *s, int64_t n, const void *ctx) {
    const bool alpha = ((const fused_ctx *)ctx)->number.b;
    for (int64_t i = 0; i < n; i++) OUT(bool) = AT(bool, 1) || (alpha && AT(bool, 2));
}

/* [with FMA instructions][op][dtype]; lerp with a weight tensor is op CG_FUSED_LERP + 1. */
#define TABLE(F32, F64)                                                                                   \
    {                                                                                                     \
        [CG_FUSED_ADD] = {[CG_FLOAT32] = add_##F32, [CG_FLOAT64] = add_##F64, [CG_INT64] = add_i64,       \
                          [CG_BOOL] = add_b8},                                                            \
        [CG_FUSED_ADDCMUL] = {[CG_FLOAT32] = addcmul_##F32, [CG_FLOAT64] = addcmul_##F64,                 \
                              [CG_INT64] = addcmul_i64},                                                  \
        [CG_FUSED_ADDCDIV] = {[CG_FLOAT32] = addcdiv_##F32, [CG_FLOAT64] = addcdiv_##F64},                \
        [CG_FUSED_LERP] = {[CG_FLOAT32] = lerp_number_##F32, [CG_FLOAT64] = lerp_number_##F64},           \
        [CG_FUSED_LERP + 1] = {[CG_FLOAT32] = lerp_tensor_##F32, [CG_FLOAT64] = lerp_tensor_##F64},       \
    }
#ifdef HAVE_FMA_LOOPS
static const cg_loop_fn loops[2][CG_FUSED_LERP + 2][4] = {TABLE(f32, f64), TABLE(f32_fma, f64_fma)};
static bool fma_instructions(void) { return __builtin_cpu_supports("fma"); }
#else
static const cg_loop_fn loops[1][CG_FUSED_LERP + 2][4] = {TABLE(f32, f64)};
static bool fma_instructions(void) { return false; }
#endif

void cg_kernel_fused(cg_fused_op op, cg_tensor *out, const cg_tensor *self, const cg_tensor *a, const cg_tensor *b,
                     cg_number number) {
    fused_ctx c;
    cg_write_number((char *)&c.number, out->dtype, number);
    cg_loop_fn loop = loops[fma_instructions()][op + (op == CG_FUSED_LERP && b)][out->dtype];
    if (!loop) return; /* the caller refused the dtype */
    const cg_tensor *ops[] = {out, self, a, b};
    cg_iter_run_parallel(out->ndim, out->sizes, b ? 4 : 3, ops, loop, &c);
}

/* ---- clamp with tensor bounds ---- */

typedef struct {
    bool has_min, has_max;
} clamp_ctx;

/* Whether PyTorch's cpu_kernel_vec takes the vectorized path for this inner loop: the output and
 * every input contiguous, or one input of stride 0 and the rest contiguous. */
static bool vectorized(const int64_t *s, int nops, int64_t elsize) {
    int broadcast = 0;
    for (int k = 0; k < nops; k++) {
        if (s[k] == elsize) continue;
        if (k == 0 || s[k] != 0 || ++broadcast > 1) return false;
    }
    return true;
}

static void vector_lanes_loop(char **p, const int64_t *s, int64_t n, const void *ctx) {
    int64_t elsize = *(const int64_t *)ctx, in[2] = {s[1], s[2]};
    bool inputs = (in[0] == elsize && in[1] == elsize) || (in[0] == 0 && in[1] == elsize) ||
                  (in[0] == elsize && in[1] == 0);
    int64_t vector_end = s[0] == 1 && inputs ? n - n % (64 / elsize) : 0;
    for (int64_t i = 0; i < n; i++) OUT(bool) = i < vector_end;
}

void cg_kernel_vector_lanes(cg_tensor *mask, const cg_tensor *a, const cg_tensor *b, int64_t elsize) {
    CG_ITER_MEMORY_ORDER(vector_lanes_loop, &elsize, mask, a, b);
}

/* NaN with every bit set: AVX2's or of the result with the unordered-compare mask. */
#define ALL_ONES(T, v) (memset(&(v), 0xff, sizeof(T)), (v))

#define CLAMP_FLOAT_LOOP(SUFFIX, T)                                                                   \
    static inline T vec_max_##SUFFIX(T a, T b) {                                                      \
        T r = a > b ? a : b;                                                                          \
        return a != a || b != b ? ALL_ONES(T, r) : r;                                                 \
    }                                                                                                 \
    static inline T vec_min_##SUFFIX(T a, T b) {                                                      \
        T r = a < b ? a : b;                                                                          \
        return a != a || b != b ? ALL_ONES(T, r) : r;                                                 \
    }                                                                                                 \
    static inline T scalar_clamp_##SUFFIX(const clamp_ctx *c, T a, T lo, T hi) {                      \
        if (c->has_min && c->has_max) {                                                               \
            if (lo != lo || hi != hi) return (T)NAN;                                                  \
            T m = a < lo ? lo : a;                                                                    \
            return hi < m ? hi : m;                                                                   \
        }                                                                                             \
        T b = c->has_min ? lo : hi;                                                                   \
        if (a != a || b != b) return (T)NAN;                                                          \
        return c->has_min ? (a < b ? b : a) : (b < a ? b : a);                                        \
    }                                                                                                 \
    static void clamp_tensor_##SUFFIX(char **p, const int64_t *s, int64_t n, const void *ctx) {       \
        const clamp_ctx *c = ctx;                                                                     \
        int kmax = c->has_min ? 3 : 2;                                                                \
        int64_t block = 64 / (int64_t)sizeof(T), i = 0;                                               \
        int64_t vector_end = vectorized(s, kmax + c->has_max, (int64_t)sizeof(T)) ? n - n % block : 0; \
        for (; i < vector_end; i++) {                                                                 \
            T r = AT(T, 1);                                                                           \
            if (c->has_min) r = vec_max_##SUFFIX(r, AT(T, 2));                                        \
            if (c->has_max) r = vec_min_##SUFFIX(r, AT(T, kmax));                                     \
            OUT(T) = r;                                                                               \
        }                                                                                             \
        for (; i < n; i++)                                                                            \
            OUT(T) = scalar_clamp_##SUFFIX(c, AT(T, 1), c->has_min ? AT(T, 2) : 0, c->has_max ? AT(T, kmax) : 0); \
    }
CLAMP_FLOAT_LOOP(f32, float)
CLAMP_FLOAT_LOOP(f64, double)

/* Integers and bools have no NaN or signed zero: one loop (bool only with one bound). */
#define CLAMP_EXACT_LOOP(SUFFIX, T)                                                                 \
    static void clamp_tensor_##SUFFIX(char **p, const int64_t *s, int64_t n, const void *ctx) {     \
        const clamp_ctx *c = ctx;                                                                   \
        int kmax = c->has_min ? 3 : 2;                                                              \
        for (int64_t i = 0; i < n; i++) {                                                           \
            T r = AT(T, 1);                                                                         \
            if (c->has_min && r < AT(T, 2)) r = AT(T, 2);                                           \
            if (c->has_max && AT(T, kmax) < r) r = AT(T, kmax);                                     \
            OUT(T) = r;                                                                             \
        }                                                                                           \
    }
CLAMP_EXACT_LOOP(i64, int64_t)
CLAMP_EXACT_LOOP(b8, bool)

void cg_kernel_clamp_tensor(cg_tensor *out, const cg_tensor *self, const cg_tensor *min, const cg_tensor *max) {
    static const cg_loop_fn clamp_loops[] = {[CG_FLOAT32] = clamp_tensor_f32, [CG_FLOAT64] = clamp_tensor_f64,
                                             [CG_INT64] = clamp_tensor_i64, [CG_BOOL] = clamp_tensor_b8};
    clamp_ctx c = {min != NULL, max != NULL};
    const cg_tensor *ops[] = {out, self, min ? min : max, min ? max : NULL};
    cg_iter_run_memory_order(2 + c.has_min + c.has_max, ops, clamp_loops[out->dtype], &c);
}
