/* Typed elementwise loops. Each (op, dtype) pair is one line below that names an expression of
 * a (and b); the LOOP macros stamp out a function with a contiguous path, broadcast-scalar paths
 * and a strided path. The contiguous paths are plain indexed loops, so the compiler vectorizes them;
 * <tgmath.h> makes exp, pow, ... pick the float or double libm function from the operand type. */
#if defined(__GNUC__) && !defined(__clang__)
/* gcc's -O2 cost model ("very cheap") vectorizes almost nothing; these loops are worth it. */
#pragma GCC optimize("tree-vectorize", "vect-cost-model=dynamic")
#endif

#include "backend/cpu/elementwise.h"

#include "backend/cpu/iter.h"
#include "backend/cpu/loop_templates.h"
#include "backend/cpu/parallel.h"
#include "backend/cpu/simd.h"

#include <string.h>
#include <tgmath.h>

/* ---- loop templates ---- */

#define SIZE(T) ((int64_t)sizeof(T))

/* One line per op: the float line covers float32 and float64. */
#define BINARY_FLOAT(OP, EXPR) BINARY_LOOP(OP##_f32, float, float, EXPR) BINARY_LOOP(OP##_f64, double, double, EXPR)
#define BINARY_INT(OP, EXPR) BINARY_LOOP(OP##_i64, int64_t, int64_t, EXPR)
#define BINARY_BOOL(OP, EXPR) BINARY_LOOP(OP##_b8, bool, bool, EXPR)
#define COMPARE(OP, EXPR)                                                                     \
    BINARY_LOOP(OP##_f32, float, bool, EXPR) BINARY_LOOP(OP##_f64, double, bool, EXPR)        \
    BINARY_LOOP(OP##_i64, int64_t, bool, EXPR) BINARY_LOOP(OP##_b8, bool, bool, EXPR)
#define UNARY_FLOAT(OP, EXPR) UNARY_LOOP(OP##_f32, float, EXPR) UNARY_LOOP(OP##_f64, double, EXPR)
#define UNARY_INT(OP, EXPR) UNARY_LOOP(OP##_i64, int64_t, EXPR)
#define UNARY_BOOL(OP, EXPR) UNARY_LOOP(OP##_b8, bool, EXPR)

/* int64 arithmetic wraps around like PyTorch's (done unsigned: signed overflow is undefined in C). */
#define WRAP(a, op, b) ((int64_t)((uint64_t)(a) op (uint64_t)(b)))

/* Integer power by squaring; a negative exponent gives 0 except for bases 1 and -1, as in PyTorch. */
static inline int64_t int_pow(int64_t base, int64_t exp) {
    if (exp < 0) return base == 1 ? 1 : base == -1 ? ((exp & 1) ? -1 : 1) : 0;
    uint64_t result = 1, square = (uint64_t)base;
    for (; exp; exp >>= 1) {
        if (exp & 1) result *= square;
        square *= square;
    }
    return (int64_t)result;
}

/* ---- binary ops ---- */

/* maximum/minimum propagate NaN from either side; on ties (-0. and 0.) PyTorch's scalar code returns
 * a and its vector code (vmaxps/vminps) b. */
BINARY_FLOAT(add, a + b)           BINARY_INT(add, WRAP(a, +, b))   BINARY_BOOL(add, a || b)
BINARY_FLOAT(sub, a - b)           BINARY_INT(sub, WRAP(a, -, b))
BINARY_FLOAT(mul, a * b)           BINARY_INT(mul, WRAP(a, *, b))   BINARY_BOOL(mul, a && b)
BINARY_FLOAT(div, a / b)
BINARY_FLOAT(pow, pow(a, b))       BINARY_INT(pow, int_pow(a, b))
BINARY_FLOAT(maximum, a != a || b != b ? a + b : i < vec_end ? (a > b ? a : b) : a < b ? b : a)
BINARY_FLOAT(minimum, a != a || b != b ? a + b : i < vec_end ? (a < b ? a : b) : b < a ? b : a)
BINARY_INT(maximum, a < b ? b : a) BINARY_BOOL(maximum, a || b)
BINARY_INT(minimum, b < a ? b : a) BINARY_BOOL(minimum, a && b)
BINARY_FLOAT(sigmoid_backward, a * (1 - b) * b)
BINARY_FLOAT(tanh_backward, a * (1 - b * b))
BINARY_FLOAT(relu_backward, a <= 0 ? 0 : b)
COMPARE(eq, a == b)
COMPARE(ne, a != b)
COMPARE(lt, a < b)
COMPARE(le, a <= b)
COMPARE(gt, a > b)
COMPARE(ge, a >= b)

#define FLOATS(OP) [CG_FLOAT32] = OP##_f32, [CG_FLOAT64] = OP##_f64
#define ALL(OP) FLOATS(OP), [CG_INT64] = OP##_i64, [CG_BOOL] = OP##_b8
static const cg_loop_fn binary_loops[CG_BIN_COUNT][4] = {
    [CG_BIN_ADD] = {ALL(add)},
    [CG_BIN_SUB] = {FLOATS(sub), [CG_INT64] = sub_i64},
    [CG_BIN_MUL] = {ALL(mul)},
    [CG_BIN_DIV] = {FLOATS(div)},
    [CG_BIN_POW] = {FLOATS(pow), [CG_INT64] = pow_i64},
    [CG_BIN_MAXIMUM] = {ALL(maximum)},
    [CG_BIN_MINIMUM] = {ALL(minimum)},
    [CG_BIN_SIGMOID_BACKWARD] = {FLOATS(sigmoid_backward)},
    [CG_BIN_TANH_BACKWARD] = {FLOATS(tanh_backward)},
    [CG_BIN_RELU_BACKWARD] = {FLOATS(relu_backward)},
    [CG_BIN_EQ] = {ALL(eq)}, [CG_BIN_NE] = {ALL(ne)}, [CG_BIN_LT] = {ALL(lt)},
    [CG_BIN_LE] = {ALL(le)}, [CG_BIN_GT] = {ALL(gt)}, [CG_BIN_GE] = {ALL(ge)},
};

/* ---- unary ops ---- */

/* sign(NaN) and sign(-0.) are 0 and relu keeps NaN and -0., as PyTorch's do. Float32 stays in
 * float32 throughout (expf, 1.0f / ...), which is what PyTorch computes. */
UNARY_FLOAT(neg, -a)            UNARY_INT(neg, WRAP(0, -, a))
UNARY_FLOAT(exp, exp(a))
UNARY_FLOAT(log, log(a))
UNARY_FLOAT(log1p, log1p(a))
UNARY_FLOAT(sqrt, sqrt(a))
UNARY_FLOAT(abs, fabs(a))       UNARY_INT(abs, a < 0 ? WRAP(0, -, a) : a)
UNARY_FLOAT(sign, (0 < a) - (a < 0)) UNARY_INT(sign, (0 < a) - (a < 0)) UNARY_BOOL(sign, a)
UNARY_FLOAT(sin, sin(a))
UNARY_FLOAT(cos, cos(a))
UNARY_FLOAT(tan, tan(a))
UNARY_FLOAT(tanh, tanh(a))
UNARY_FLOAT(sigmoid, 1 / (1 + exp(-a)))
UNARY_FLOAT(relu, a < 0 ? 0 : a) UNARY_INT(relu, a < 0 ? 0 : a)
UNARY_FLOAT(reciprocal, 1 / a)
UNARY_FLOAT(rsqrt, 1 / sqrt(a))
UNARY_FLOAT(square, a * a)      UNARY_INT(square, WRAP(a, *, a))
UNARY_FLOAT(cube, a * a * a)
UNARY_FLOAT(rsquare, 1 / (a * a))

static const cg_loop_fn unary_loops[CG_UN_COUNT][4] = {
    [CG_UN_NEG] = {FLOATS(neg), [CG_INT64] = neg_i64},
    [CG_UN_EXP] = {FLOATS(exp)},
    [CG_UN_LOG] = {FLOATS(log)},
    [CG_UN_LOG1P] = {FLOATS(log1p)},
    [CG_UN_SQRT] = {FLOATS(sqrt)},
    [CG_UN_ABS] = {FLOATS(abs), [CG_INT64] = abs_i64},
    [CG_UN_SIGN] = {ALL(sign)},
    [CG_UN_SIN] = {FLOATS(sin)},
    [CG_UN_COS] = {FLOATS(cos)},
    [CG_UN_TAN] = {FLOATS(tan)},
    [CG_UN_TANH] = {FLOATS(tanh)},
    [CG_UN_SIGMOID] = {FLOATS(sigmoid)},
    [CG_UN_RELU] = {FLOATS(relu), [CG_INT64] = relu_i64},
    [CG_UN_RECIPROCAL] = {FLOATS(reciprocal)},
    [CG_UN_RSQRT] = {FLOATS(rsqrt)},
    [CG_UN_SQUARE] = {FLOATS(square), [CG_INT64] = square_i64},
    [CG_UN_CUBE] = {FLOATS(cube)},
    [CG_UN_RSQUARE] = {FLOATS(rsquare)},
};

/* ---- dispatch ---- */

/* The vector instructions this CPU runs: 0 none (or not x86-64), 1 AVX2 and FMA, 2 AVX-512F as
 * well; -1 until asked. Found once: __builtin_cpu_init makes the answer right even in code that
 * runs before the constructors. */
static atomic_int cpu_level = -1;
static atomic_int simd_cap = 2;

static int simd_level(void) {
    int level = atomic_load_explicit(&cpu_level, memory_order_relaxed);
    if (level < 0) {
        level = 0;
#if defined(__x86_64__) && defined(__GNUC__)
        __builtin_cpu_init();
        if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
            level = __builtin_cpu_supports("avx512f") ? 2 : 1;
#endif
        atomic_store_explicit(&cpu_level, level, memory_order_relaxed);
    }
    int cap = atomic_load_explicit(&simd_cap, memory_order_relaxed);
    return level < cap ? level : cap;
}

void cg_simd_cap(int level) { atomic_store_explicit(&simd_cap, level, memory_order_relaxed); }
bool cg_simd_avx2(void) { return simd_level() >= 1; }
bool cg_simd_avx512(void) { return simd_level() >= 2; }

/* The vector loop where this CPU has one, else the portable one. */
static cg_loop_fn binary_loop(cg_binary_op op, cg_dtype dtype) {
    cg_loop_fn fast = cg_simd_avx2() ? cg_avx2_binary_loop(op, dtype) : NULL;
    return fast ? fast : binary_loops[op][dtype];
}

static cg_loop_fn unary_loop(cg_unary_op op, cg_dtype dtype) {
    cg_loop_fn fast = cg_simd_avx512() ? cg_avx512_unary_loop(op, dtype) : NULL;
    if (!fast && cg_simd_avx2()) fast = cg_avx2_unary_loop(op, dtype);
    return fast ? fast : unary_loops[op][dtype];
}

/* A tensor that walks like out's flat memory: contiguous with out's element count. */
static bool walks_flat(const cg_tensor *t, int64_t n) {
    return t->numel == n && (n == 1 || cg_is_contiguous_inline(t));
}

/* t has out's sizes and strides (a result laid out after a transposed or permuted input). */
static bool same_layout(const cg_tensor *t, const cg_tensor *out) {
    if (t->ndim != out->ndim) return false;
    for (int d = 0; d < t->ndim; d++)
        if (t->sizes[d] != out->sizes[d] || (t->sizes[d] > 1 && t->strides[d] != out->strides[d])) return false;
    return true;
}

/* For a dense out that is not row-major: the byte strides of a flat walk when each operand has
 * out's layout or is a single element; false otherwise. */
static bool dense_flat_strides(const cg_tensor *out, int nin, const cg_tensor *const *in, int64_t *strides) {
    if (!cg_is_non_overlapping_and_dense(out)) return false;
    strides[0] = (int64_t)cg_elsize(out->dtype);
    for (int i = 0; i < nin; i++) {
        bool flat = same_layout(in[i], out);
        if (!flat && in[i]->numel != 1) return false;
        strides[i + 1] = flat ? (int64_t)cg_elsize(in[i]->dtype) : 0;
    }
    return true;
}

/* A flat walk of n elements: loop over [begin, end) blocks of 64 elements of it. */
typedef struct {
    cg_loop_fn loop;
    int nops;
    char **ptrs;
    const int64_t *strides;
    int64_t n;
} flat_walk;

static void flat_piece(int64_t begin, int64_t end, void *ctx) {
    const flat_walk *w = ctx;
    int64_t first = begin * 64, last = end * 64 < w->n ? end * 64 : w->n;
    char *ptrs[CG_ITER_MAX_OPS];
    for (int k = 0; k < w->nops; k++) ptrs[k] = w->ptrs[k] + first * w->strides[k];
    w->loop(ptrs, w->strides, last - first, NULL);
}

/* loop over the whole walk, split over the threads above the grain size. Pieces start at multiples
 * of 64 elements, so every loop's vector/scalar split (the last n % 16 elements of a call) falls on
 * the same elements as in one call: the bits do not depend on the thread count. */
static void run_flat(cg_loop_fn loop, int nops, char **ptrs, const int64_t *strides, int64_t n) {
    if (n <= CG_GRAIN_SIZE) {
        loop(ptrs, strides, n, NULL);
        return;
    }
    flat_walk w = {loop, nops, ptrs, strides, n};
    cg_parallel_for(0, (n + 63) / 64, CG_GRAIN_SIZE / 64, flat_piece, &w);
}

/* One float32 element on each side with + - * /, the autograd of scalar code: there the loop's
 * dispatch costs several times the arithmetic, which gives the loops' bits (IEEE operations). */
static inline bool scalar_f32(cg_binary_op op, cg_tensor *out, const cg_tensor *a, const cg_tensor *b) {
    if (op > CG_BIN_DIV || out->numel != 1 || a->numel != 1 || b->numel != 1 || out->dtype != CG_FLOAT32 ||
        a->dtype != CG_FLOAT32 || b->dtype != CG_FLOAT32)
        return false;
    float x = *(const float *)cg_tensor_data(a), y = *(const float *)cg_tensor_data(b);
    *(float *)cg_tensor_data(out) = op == CG_BIN_ADD ? x + y : op == CG_BIN_SUB ? x - y : op == CG_BIN_MUL ? x * y : x / y;
    return true;
}

static __attribute__((noinline)) void binary_loops_over(cg_binary_op op, cg_tensor *out, const cg_tensor *a,
                                                       const cg_tensor *b) {
    cg_loop_fn loop = binary_loop(op, a->dtype);
    int64_t n = out->numel;
    if (n == 0) return;
    /* Same-shape contiguous operands, possibly with a one-element side, skip the iterator. A
     * one-element out has one-element operands (they broadcast to it), so it is that case at once. */
    if (n == 1 || cg_is_contiguous_inline(out)) {
        bool a_flat = walks_flat(a, n), b_flat = walks_flat(b, n);
        if ((a_flat || a->numel == 1) && (b_flat || b->numel == 1)) {
            int64_t elsize = (int64_t)cg_elsize(a->dtype);
            char *ptrs[3] = {cg_tensor_data(out), cg_tensor_data(a), cg_tensor_data(b)};
            int64_t strides[3] = {(int64_t)cg_elsize(out->dtype), a_flat ? elsize : 0, b_flat ? elsize : 0};
            run_flat(loop, 3, ptrs, strides, n);
            return;
        }
    } else {
        int64_t strides[3];
        if (dense_flat_strides(out, 2, (const cg_tensor *const[]){a, b}, strides)) {
            char *ptrs[3] = {cg_tensor_data(out), cg_tensor_data(a), cg_tensor_data(b)};
            run_flat(loop, 3, ptrs, strides, n);
            return;
        }
    }
    CG_ITER_MEMORY_ORDER(loop, NULL, out, a, b);
}

void cg_kernel_binary(cg_binary_op op, cg_tensor *out, const cg_tensor *a, const cg_tensor *b) {
    if (!scalar_f32(op, out, a, b)) binary_loops_over(op, out, a, b);
}

void cg_kernel_unary(cg_unary_op op, cg_tensor *out, const cg_tensor *in) {
    cg_loop_fn loop = unary_loop(op, in->dtype);
    int64_t n = out->numel;
    if (n == 0) return;
    if ((n == 1 || cg_is_contiguous_inline(out)) && walks_flat(in, n)) {
        int64_t elsize = (int64_t)cg_elsize(in->dtype);
        char *ptrs[2] = {cg_tensor_data(out), cg_tensor_data(in)};
        int64_t strides[2] = {elsize, elsize};
        run_flat(loop, 2, ptrs, strides, n);
        return;
    }
    int64_t strides[2];
    if (dense_flat_strides(out, 1, &in, strides) && strides[1] != 0) {
        char *ptrs[2] = {cg_tensor_data(out), cg_tensor_data(in)};
        run_flat(loop, 2, ptrs, strides, n);
        return;
    }
    CG_ITER_MEMORY_ORDER(loop, NULL, out, in);
}

/* ---- float tensor ** number ---- */

/* PyTorch raises the 64-byte vector part of a contiguous (or one broadcast element's) run to the
 * exponent rounded to float32 and the scalar rest in double (std::pow(float, double)), rounded:
 * 0 ** 5e-324 is 1 there, 0 here. */
static void pow_f32_number(char **p, const int64_t *s, int64_t n, const void *ctx) {
    const double e = *(const double *)ctx;
    const int64_t vec_end = s[0] == SIZE(float) && (s[1] == SIZE(float) || s[1] == 0) ? n - n % 16 : 0;
    for (int64_t i = 0; i < n; i++) {
        float a = *(const float *)(p[1] + i * s[1]);
        *(float *)(p[0] + i * s[0]) = i < vec_end ? powf(a, (float)e) : (float)pow((double)a, e);
    }
}

static void pow_f64_number(char **p, const int64_t *s, int64_t n, const void *ctx) {
    const double e = *(const double *)ctx;
    for (int64_t i = 0; i < n; i++) *(double *)(p[0] + i * s[0]) = pow(*(const double *)(p[1] + i * s[1]), e);
}

void cg_kernel_pow_number(cg_tensor *out, const cg_tensor *in, double exponent) {
    cg_loop_fn fast = cg_simd_avx2() ? cg_avx2_pow_number_loop(in->dtype) : NULL;
    if (!fast) fast = in->dtype == CG_FLOAT32 ? pow_f32_number : pow_f64_number;
    if (out->numel > 0) CG_ITER_MEMORY_ORDER(fast, &exponent, out, in);
}

/* ---- where ---- */

#define WHERE_LOOP(NAME, T)                                                                   \
    static void NAME(char **p, const int64_t *s, int64_t n, const void *ctx) {                \
        (void)ctx;                                                                            \
        for (int64_t i = 0; i < n; i++) {                                                     \
            bool c = *(const bool *)(p[1] + i * s[1]);                                        \
            *(T *)(p[0] + i * s[0]) = *(const T *)(p[c ? 2 : 3] + i * s[c ? 2 : 3]);          \
        }                                                                                     \
    }
WHERE_LOOP(where_f32, float)
WHERE_LOOP(where_f64, double)
WHERE_LOOP(where_i64, int64_t)
WHERE_LOOP(where_b8, bool)
static const cg_loop_fn where_loops[4] = {ALL(where)};

void cg_kernel_where(cg_tensor *out, const cg_tensor *cond, const cg_tensor *a, const cg_tensor *b) {
    CG_ITER_MEMORY_ORDER(where_loops[out->dtype], NULL, out, cond, a, b);
}

/* ---- clamp ---- */

typedef struct {
    cg_scalar_box lo, hi;
} clamp_ctx;

/* NaN inputs pass through: a NaN compares false both times. */
#define CLAMP_LOOP(NAME, T, FIELD)                                                            \
    static void NAME(char **p, const int64_t *s, int64_t n, const void *ctx) {                \
        const clamp_ctx *c = ctx;                                                             \
        const T lo = c->lo.value.FIELD, hi = c->hi.value.FIELD;                               \
        for (int64_t i = 0; i < n; i++) {                                                     \
            T a = *(const T *)(p[1] + i * s[1]);                                              \
            T r = a < lo ? lo : a;                                                            \
            *(T *)(p[0] + i * s[0]) = hi < r ? hi : r;                                        \
        }                                                                                     \
    }
CLAMP_LOOP(clamp_f32, float, f32)
CLAMP_LOOP(clamp_f64, double, f64)
CLAMP_LOOP(clamp_i64, int64_t, i64)
CLAMP_LOOP(clamp_b8, bool, b)
static const cg_loop_fn clamp_loops[4] = {ALL(clamp)};

/* A missing bound is the dtype's lowest or highest value. */
static void box_bound(cg_scalar_box *box, const cg_number *bound, cg_dtype dtype, bool upper) {
    if (bound) {
        cg_box_number(box, *bound, dtype);
    } else if (dtype == CG_INT64) {
        cg_box_number(box, cg_number_int(upper ? INT64_MAX : INT64_MIN), dtype);
    } else if (dtype == CG_BOOL) {
        cg_box_number(box, cg_number_bool(upper), dtype);
    } else {
        cg_box_number(box, cg_number_float(upper ? INFINITY : -INFINITY), dtype);
    }
}

void cg_kernel_clamp(cg_tensor *out, const cg_tensor *in, const cg_number *lo, const cg_number *hi) {
    clamp_ctx c;
    box_bound(&c.lo, lo, in->dtype, false);
    box_bound(&c.hi, hi, in->dtype, true);
    CG_ITER_MEMORY_ORDER(clamp_loops[in->dtype], &c, out, in);
}

/* ---- boxed scalars ---- */

const cg_tensor *cg_box_number(cg_scalar_box *box, cg_number value, cg_dtype dtype) {
    memset(box, 0, sizeof *box);
    cg_write_number((char *)&box->value, dtype, value);
    cg_ref_init(&box->storage.refcount);
    box->storage.data = (char *)&box->value;
    box->storage.nbytes = sizeof box->value;
    box->storage.backend = &cg_backend_cpu;
    cg_ref_init(&box->tensor.refcount);
    box->tensor.dtype = dtype;
    box->tensor.numel = 1;
    box->tensor.storage = &box->storage;
    return &box->tensor;
}
