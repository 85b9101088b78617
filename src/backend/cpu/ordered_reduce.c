/* Float sums and products in PyTorch's order, so float32 results have PyTorch's bits.
 *
 * Sums are PyTorch's CPU "cascade sum":
 * PyTorch iterates a reduction over the input's dims sorted by its own rule (reduced dims first,
 * then by strides, fastest first) and merged where memory allows. Its loop sees two dims at a
 * time (size0 fastest, size1 next) and adds each result into the output, which starts at 0; the
 * outer dims repeat that loop. Inside, sums use fixed-size blocks whatever the thread count:
 * - multi_row_sum adds `size` rows of nrows items into nrows sums in a 4-level cascade: level 0
 *   takes 2^p rows (p = max(4, ceil(log2(size)) / 4)), then flows into level 1, and so on;
 * - row_sum sees a row as (size / 4, 4) and sums its columns that way, then adds the tail and the
 *   4 partial sums in order;
 * - an item is one element or one vector of LANES consecutive elements (AVX2: 8 float32 or 4
 *   float64 lanes), each lane summed on its own.
 * Everything is in the element type, as PyTorch's float sums are. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("tree-vectorize", "vect-cost-model=dynamic")
#endif

#include "backend/cpu/reduce.h"
#include "backend/cpu/simd.h"

#include "backend/cpu/parallel.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LEVELS 4
#define ILP 4

static int64_t ceil_log2(int64_t x) { return x <= 2 ? 1 : 64 - __builtin_clzll((unsigned long long)(x - 1)); }

/* Level 0 of the cascade takes 2^power rows. */
static int64_t cascade_power(int64_t size) { return size <= ((int64_t)1 << 19) ? 4 : ceil_log2(size) / LEVELS; }

/* Splitting one long sum over the threads with the same bits (split_top): the cascade's top level
 * adds, in order, one value per block of step^(LEVELS - 1) rows, and each such value depends only
 * on its block (the levels below are empty at a block's start, and no accumulator is ever -0, which
 * is all that separates a first assignment from an addition to 0). So the blocks are summed on
 * their own, on any thread, their values folded in block order, and the rows after the last whole
 * block (summed on their own) added last, as the cascade's final fold adds the top level last. */
typedef struct {
    const char *in;
    int64_t row_stride, col_stride, power, block; /* block: rows per top-level value */
    void *partials;                               /* ILP * LANES sums per block */
} top_job;

/* The loops for element type T with LANES vector lanes. W is the width of an item (1 or LANES);
 * the functions are always inlined so that W and nrows are constants and the lane loops vectorize. */
#define DEFINE_CASCADE(S, T, LANES, ATTR, FAST_MULTI_ROW, HAS_WIDE, WIDE_MULTI_ROW)                                                                        \
    ATTR static inline __attribute__((always_inline)) void S##_multi_row_power(const char *in, int64_t row_stride, \
                                                                    int64_t col_stride, int64_t size,    \
                                                                    int64_t power, int nrows, int W, T *ret) { \
        if (FAST_MULTI_ROW(in, row_stride, col_stride, size, power, nrows, W, ret)) return;                \
        const int64_t step = (int64_t)1 << power, mask = step - 1;                                         \
        T acc[LEVELS][ILP * LANES];                                                                        \
        int n = nrows * W, top = 0; /* the levels above top hold zeros, which adding would not change */  \
        for (int k = 0; k < n; k++) acc[0][k] = 0;                                                         \
        int64_t i = 0;                                                                                     \
        while (i + step <= size) {                                                                         \
            for (int64_t j = 0; j < step; j++, i++) S##_add_row(acc[0], in + i * row_stride, col_stride, nrows, W); \
            for (int l = 1; l < LEVELS; l++) {                                                             \
                for (int k = 0; k < n; k++) {                                                              \
                    acc[l][k] = l > top ? acc[l - 1][k] : acc[l][k] + acc[l - 1][k];                       \
                    acc[l - 1][k] = 0;                                                                     \
                }                                                                                          \
                top = l > top ? l : top;                                                                   \
                if ((i & (mask << (l * power))) != 0) break;                                               \
            }                                                                                              \
        }                                                                                                  \
        for (; i < size; i++) S##_add_row(acc[0], in + i * row_stride, col_stride, nrows, W);              \
        for (int l = 1; l <= top; l++)                                                                     \
            for (int k = 0; k < n; k++) acc[0][k] += acc[l][k];                                            \
        memcpy(ret, acc[0], (size_t)n * sizeof(T));                                                        \
    }                                                                                                      \
    ATTR static void S##_top_blocks(int64_t begin, int64_t end, void *arg) {                               \
        const top_job *j = arg;                                                                            \
        for (int64_t k = begin; k < end; k++)                                                              \
            S##_multi_row_power(j->in + k * j->block * j->row_stride, j->row_stride, j->col_stride, j->block, \
                                j->power, ILP, LANES, (T *)j->partials + k * ILP * LANES);                 \
    }                                                                                                      \
    /* The top level's blocks summed on the threads, then folded in order: see split_top. */              \
    ATTR static bool S##_split_top(const char *in, int64_t row_stride, int64_t col_stride, int64_t size,  \
                                   int64_t power, T *ret) {                                                \
        top_job j = {in, row_stride, col_stride, power, (int64_t)1 << (power * (LEVELS - 1)), NULL};       \
        int64_t blocks = size / j.block;                                                                   \
        if (blocks < 2 || cg_get_num_threads() < 2 || cg_in_parallel_region()) return false;               \
        T *partials = malloc((size_t)blocks * ILP * LANES * sizeof(T)), top[ILP * LANES];                  \
        if (!partials) return false;                                                                       \
        j.partials = partials;                                                                             \
        cg_parallel_for(0, blocks, 1, S##_top_blocks, &j);                                                 \
        memcpy(top, partials, sizeof top);                                                                 \
        for (int64_t k = 1; k < blocks; k++)                                                               \
            for (int w = 0; w < ILP * LANES; w++) top[w] += partials[k * ILP * LANES + w];                \
        free(partials);                                                                                    \
        S##_multi_row_power(in + blocks * j.block * row_stride, row_stride, col_stride, size - blocks * j.block, \
                            power, ILP, LANES, ret);                                                       \
        for (int w = 0; w < ILP * LANES; w++) ret[w] += top[w];                                            \
        return true;                                                                                       \
    }                                                                                                      \
    ATTR static inline __attribute__((always_inline)) void S##_multi_row(const char *in, int64_t row_stride,   \
                                                                    int64_t col_stride, int64_t size,    \
                                                                    int nrows, int W, T *ret) {           \
        const int64_t power = cascade_power(size);                                                         \
        if (nrows == ILP && W == LANES && S##_split_top(in, row_stride, col_stride, size, power, ret)) return; \
        S##_multi_row_power(in, row_stride, col_stride, size, power, nrows, W, ret);                       \
    }                                                                                                      \
    ATTR static inline __attribute__((always_inline)) void S##_row_sum(const char *in, int64_t stride, int64_t size, \
                                                                  int W, T *ret) {                         \
        T partial[ILP * LANES];                                                                            \
        int64_t rows = size / ILP;                                                                         \
        if (rows > 0) S##_multi_row(in, stride * ILP, stride, rows, ILP, W, partial);                      \
        else                                                                                               \
            for (int w = 0; w < W; w++) partial[w] = 0;                                                    \
        for (int64_t i = rows * ILP; i < size; i++) S##_add_row(partial, in + i * stride, 0, 1, W);        \
        for (int k = 1; k < ILP && rows > 0; k++)                                                          \
            for (int w = 0; w < W; w++) partial[w] += partial[k * W + w];                                  \
        memcpy(ret, partial, (size_t)W * sizeof(T));                                                       \
    }                                                                                                      \
    /* out[j * out_stride] += the sum of row j (size0 elements) */                                        \
    ATTR static void S##_store(char *out, int64_t out_stride, int64_t j, const T *sums, int n) {               \
        for (int k = 0; k < n; k++) *(T *)(out + (j + k) * out_stride) += sums[k];                         \
    }                                                                                                      \
    /* Rows of size0 contiguous elements, row j at in + j * outer_stride. */                              \
    ATTR static void S##_inner_vectorized(char *out, const char *in, int64_t outer_stride, int64_t out_stride, \
                                     int64_t size0, int64_t size1) {                                       \
        int64_t vectors = size0 / LANES;                                                                   \
        for (int64_t j = 0; j < size1; j++) {                                                              \
            const char *row = in + j * outer_stride;                                                       \
            T lanes[LANES], total = 0;                                                                     \
            S##_row_sum(row, LANES * (int64_t)sizeof(T), vectors, LANES, lanes);                           \
            for (int64_t k = vectors * LANES; k < size0; k++) total += ((const T *)row)[k];               \
            for (int k = 0; k < LANES; k++) total += lanes[k];                                             \
            S##_store(out, out_stride, j, &total, 1);                                                      \
        }                                                                                                  \
    }                                                                                                      \
    /* size1 contiguous columns summed over size0 rows (row i at in + i * inner_stride). */               \
    ATTR static void S##_outer_vectorized(char *out, const char *in, int64_t inner_stride, int64_t out_stride, \
                                     int64_t size0, int64_t size1) {                                       \
        T sums[2 * ILP * LANES];                                                                           \
        const int64_t vec = LANES * (int64_t)sizeof(T);                                                    \
        int64_t j = 0;                                                                                     \
        for (; HAS_WIDE && j + 2 * ILP * LANES <= size1; j += 2 * ILP * LANES) {                     \
            WIDE_MULTI_ROW(in + j * (int64_t)sizeof(T), inner_stride, size0, cascade_power(size0), sums);  \
            S##_store(out, out_stride, j, sums, 2 * ILP * LANES);                                          \
        }                                                                                                  \
        for (; j + ILP * LANES <= size1; j += ILP * LANES) {                                               \
            S##_multi_row(in + j * (int64_t)sizeof(T), inner_stride, vec, size0, ILP, LANES, sums);        \
            S##_store(out, out_stride, j, sums, ILP * LANES);                                              \
        }                                                                                                  \
        for (; j + LANES <= size1; j += LANES) {                                                           \
            S##_row_sum(in + j * (int64_t)sizeof(T), inner_stride, size0, LANES, sums);                    \
            S##_store(out, out_stride, j, sums, LANES);                                                    \
        }                                                                                                  \
        for (; j < size1; j++) {                                                                           \
            S##_row_sum(in + j * (int64_t)sizeof(T), inner_stride, size0, 1, sums);                        \
            S##_store(out, out_stride, j, sums, 1);                                                        \
        }                                                                                                  \
    }                                                                                                      \
    ATTR static void S##_inner_scalar(char *out, const char *in, const int64_t *in_strides, int64_t out_stride, \
                                 int64_t size0, int64_t size1) {                                           \
        for (int64_t j = 0; j < size1; j++) {                                                              \
            T sum;                                                                                         \
            S##_row_sum(in + j * in_strides[1], in_strides[0], size0, 1, &sum);                            \
            S##_store(out, out_stride, j, &sum, 1);                                                        \
        }                                                                                                  \
    }                                                                                                      \
    ATTR static void S##_outer_scalar(char *out, const char *in, const int64_t *in_strides, int64_t out_stride, \
                                 int64_t size0, int64_t size1) {                                           \
        T sums[ILP];                                                                                       \
        int64_t j = 0;                                                                                     \
        for (; j + ILP <= size1; j += ILP) {                                                               \
            S##_multi_row(in + j * in_strides[1], in_strides[0], in_strides[1], size0, ILP, 1, sums);      \
            S##_store(out, out_stride, j, sums, ILP);                                                      \
        }                                                                                                  \
        for (; j < size1; j++) {                                                                           \
            S##_row_sum(in + j * in_strides[1], in_strides[0], size0, 1, sums);                            \
            S##_store(out, out_stride, j, sums, 1);                                                        \
        }                                                                                                  \
    }                                                                                                      \
    /* PyTorch's loop over two dims: strides are {out0, in0, out1, in1} in bytes. */                      \
    ATTR static void S##_loop2d(char *out, const char *in, const int64_t *strides, int64_t size0, int64_t size1, \
                           const void *ctx) {                                                              \
        (void)ctx;                                                                                         \
        int64_t in_strides[2] = {strides[1], strides[3]}, out_strides[2] = {strides[0], strides[2]};      \
        if (out_strides[0] != 0 && out_strides[1] == 0) { /* the reduced dim first */                     \
            int64_t s = in_strides[0];                                                                     \
            in_strides[0] = in_strides[1];                                                                 \
            in_strides[1] = s;                                                                             \
            out_strides[1] = out_strides[0];                                                               \
            out_strides[0] = 0;                                                                            \
            s = size0;                                                                                     \
            size0 = size1;                                                                                 \
            size1 = s;                                                                                     \
        }                                                                                                  \
        if (out_strides[0] != 0) { /* nothing reduced here: out += in */                                  \
            for (int64_t j = 0; j < size1; j++)                                                            \
                for (int64_t i = 0; i < size0; i++)                                                        \
                    *(T *)(out + i * out_strides[0] + j * out_strides[1]) +=                               \
                        *(const T *)(in + i * in_strides[0] + j * in_strides[1]);                          \
            return;                                                                                        \
        }                                                                                                  \
        if (in_strides[0] == (int64_t)sizeof(T) && size0 >= LANES)                                        \
            S##_inner_vectorized(out, in, in_strides[1], out_strides[1], size0, size1);                    \
        else if (in_strides[1] == (int64_t)sizeof(T) && size1 >= LANES)                                   \
            S##_outer_vectorized(out, in, in_strides[0], out_strides[1], size0, size1);                    \
        else if (in_strides[0] < in_strides[1])                                                            \
            S##_inner_scalar(out, in, in_strides, out_strides[1], size0, size1);                           \
        else                                                                                               \
            S##_outer_scalar(out, in, in_strides, out_strides[1], size0, size1);                           \
    }

/* acc[k * W + w] += the w-th element of item k (at row + k * col_stride), for k < nrows. */
#define DEFINE_ADD_ROW(S, T)                                                                               \
    static inline __attribute__((always_inline)) void S##_add_row(T *acc, const char *row, int64_t col_stride, \
                                                                  int nrows, int W) {                      \
        for (int k = 0; k < nrows; k++) {                                                                  \
            const T *item = (const T *)(row + k * col_stride);                                             \
            for (int w = 0; w < W; w++) acc[k * W + w] += item[w];                                         \
        }                                                                                                  \
    }

/* The loops once as portable C and, on x86-64, once compiled for AVX2, which the CPU is asked for
 * at run time: each lane is still added on its own, in the same order, so the bits are the same. */
#define NO_ATTR
#define NO_FAST_PATH(in, row_stride, col_stride, size, power, nrows, W, ret) false
#define NO_WIDE_PATH(in, row_stride, size, power, ret) ((void)(in), (void)(row_stride), (void)(size), (void)(power), (void)(ret))
DEFINE_ADD_ROW(f32, float)
DEFINE_ADD_ROW(f64, double)
DEFINE_CASCADE(f32, float, 8, NO_ATTR, NO_FAST_PATH, false, NO_WIDE_PATH)
DEFINE_CASCADE(f64, double, 4, NO_ATTR, NO_FAST_PATH, false, NO_WIDE_PATH)
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define AVX2_ATTR __attribute__((target("avx2,fma")))

/* multi_row for ILP items of one vector each, written with intrinsics so that level 0 stays in
 * registers (compiled from the loops above, it goes through memory on every addition). */
#define DEFINE_MULTI_ROW_AVX2(S, T, V, LOADU, STOREU, ADD, ZERO, LANES)                                   \
    AVX2_ATTR static inline __attribute__((always_inline)) void S##_multi_row_n(                          \
        const char *in, int64_t row_stride, int64_t col_stride, int64_t size, int64_t power, int NV, T *ret) { \
        const int64_t step = (int64_t)1 << power, mask = step - 1;                                         \
        V a[2 * ILP], up[LEVELS - 1][2 * ILP];                                                             \
        _Pragma("GCC unroll 8") for (int k = 0; k < NV; k++) a[k] = ZERO();                                \
        for (int l = 0; l < LEVELS - 1; l++)                                                               \
            _Pragma("GCC unroll 8") for (int k = 0; k < NV; k++) up[l][k] = ZERO();                        \
        int top = 0;                                                                                       \
        int64_t i = 0;                                                                                     \
        while (i + step <= size) {                                                                         \
            for (int64_t j = 0; j < step; j++, i++) {                                                      \
                const char *row = in + i * row_stride;                                                     \
                _Pragma("GCC unroll 8") for (int k = 0; k < NV; k++)                                       \
                    a[k] = ADD(a[k], LOADU((const T *)(row + k * col_stride)));                            \
            }                                                                                              \
            for (int l = 1; l < LEVELS; l++) {                                                             \
                _Pragma("GCC unroll 8") for (int k = 0; k < NV; k++) {                                     \
                    V b = l == 1 ? a[k] : up[l - 2][k];                                                    \
                    up[l - 1][k] = l > top ? b : ADD(up[l - 1][k], b);                                     \
                    if (l == 1) a[k] = ZERO();                                                             \
                    else up[l - 2][k] = ZERO();                                                            \
                }                                                                                          \
                top = l > top ? l : top;                                                                   \
                if ((i & (mask << (l * power))) != 0) break;                                               \
            }                                                                                              \
        }                                                                                                  \
        for (; i < size; i++) {                                                                            \
            const char *row = in + i * row_stride;                                                         \
            _Pragma("GCC unroll 8") for (int k = 0; k < NV; k++)                                           \
                a[k] = ADD(a[k], LOADU((const T *)(row + k * col_stride)));                                \
        }                                                                                                  \
        for (int l = 1; l <= top; l++)                                                                     \
            _Pragma("GCC unroll 8") for (int k = 0; k < NV; k++) a[k] = ADD(a[k], up[l - 1][k]);           \
        _Pragma("GCC unroll 8") for (int k = 0; k < NV; k++) STOREU(ret + k * LANES, a[k]);                \
    }                                                                                                      \
    AVX2_ATTR static void S##_multi_row_avx2(const char *in, int64_t row_stride, int64_t col_stride,     \
                                             int64_t size, int64_t power, T *ret) {                       \
        S##_multi_row_n(in, row_stride, col_stride, size, power, ILP, ret);                                \
    }                                                                                                      \
    /* two blocks of ILP vectors of columns side by side, each summed as multi_row sums it: one walk \
     * down the rows instead of two */                                                                 \
    AVX2_ATTR static void S##_multi_row2_avx2(const char *in, int64_t row_stride, int64_t size, int64_t power, \
                                              T *ret) {                                                    \
        S##_multi_row_n(in, row_stride, LANES * (int64_t)sizeof(T), size, power, 2 * ILP, ret);           \
    }
DEFINE_MULTI_ROW_AVX2(f32, float, __m256, _mm256_loadu_ps, _mm256_storeu_ps, _mm256_add_ps, _mm256_setzero_ps, 8)
DEFINE_MULTI_ROW_AVX2(f64, double, __m256d, _mm256_loadu_pd, _mm256_storeu_pd, _mm256_add_pd, _mm256_setzero_pd, 4)
#define F32_FAST(in, row_stride, col_stride, size, power, nrows, W, ret) \
    (nrows == ILP && W == 8 && (f32_multi_row_avx2(in, row_stride, col_stride, size, power, ret), true))
#define F64_FAST(in, row_stride, col_stride, size, power, nrows, W, ret) \
    (nrows == ILP && W == 4 && (f64_multi_row_avx2(in, row_stride, col_stride, size, power, ret), true))
DEFINE_ADD_ROW(f32_avx2, float)
DEFINE_ADD_ROW(f64_avx2, double)
DEFINE_CASCADE(f32_avx2, float, 8, AVX2_ATTR, F32_FAST, true, f32_multi_row2_avx2)
DEFINE_CASCADE(f64_avx2, double, 4, AVX2_ATTR, F64_FAST, true, f64_multi_row2_avx2)
#else
#define f32_avx2_loop2d f32_loop2d
#define f64_avx2_loop2d f64_loop2d
#endif

/* ---- PyTorch's iteration order ---- */

typedef struct {
    int ndim;
    int64_t sizes[CG_MAX_DIMS];
    int64_t strides[CG_MAX_DIMS][2]; /* bytes: [d][0] output, [d][1] input */
} sum_iteration;

/* TensorIterator's comparison of dims a and b: 1 when a goes after b, -1 before, 0 undecided. The
 * output's reduced dims (stride 0) go first; then the first operand whose strides differ (and
 * are both nonzero) decides, a tie going to the smaller size. */
static int should_swap(int a, int b, const void *ctx) {
    const sum_iteration *it = ctx;
    for (int op = 0; op < 2; op++) {
        int64_t sa = it->strides[a][op], sb = it->strides[b][op];
        if (op == 0 && (sa == 0) != (sb == 0)) return sb == 0 ? 1 : -1;
        if (sa == 0 || sb == 0) continue;
        if (sa != sb) return sa < sb ? -1 : 1;
        if (it->sizes[a] > it->sizes[b]) return 1;
    }
    return 0;
}

/* Sorts the dims fastest first, in TensorIterator's order, then merges neighbours that both operands walk as one. */
static void order_and_merge(sum_iteration *it) {
    int perm[CG_MAX_DIMS], n = it->ndim;
    cg_tensoriter_order(n, should_swap, it, perm);
    sum_iteration sorted = {.ndim = n};
    for (int i = 0; i < n; i++) {
        sorted.sizes[i] = it->sizes[perm[i]];
        memcpy(sorted.strides[i], it->strides[perm[i]], sizeof sorted.strides[i]);
    }
    int prev = 0;
    for (int d = 1; d < n; d++) {
        int64_t s0 = sorted.sizes[prev], s1 = sorted.sizes[d];
        bool merge = s0 == 1 || s1 == 1;
        if (!merge) merge = s0 * sorted.strides[prev][0] == sorted.strides[d][0] &&
                            s0 * sorted.strides[prev][1] == sorted.strides[d][1];
        if (merge) {
            if (s0 == 1) memcpy(sorted.strides[prev], sorted.strides[d], sizeof sorted.strides[d]);
            sorted.sizes[prev] *= s1;
        } else if (++prev != d) {
            memcpy(sorted.strides[prev], sorted.strides[d], sizeof sorted.strides[d]);
            sorted.sizes[prev] = s1;
        }
    }
    sorted.ndim = n ? prev + 1 : 0;
    *it = sorted;
}

typedef void (*loop2d_fn)(char *out, const char *in, const int64_t *strides, int64_t size0, int64_t size1,
                          const void *ctx);

/* Runs loop over PyTorch's reduction iteration of in into out (filled with identity first). */
/* What a loop learns of the whole iteration: whether it reduces exactly one dim, its fastest, and
 * that dim is contiguous in the input (PyTorch's is_reduce_lastdim), and the op's own argument. */
typedef struct {
    bool lastdim;
    double p;
} loop_ctx;

/* ---- the loop calls split over threads ---- */

/* Kept columns of one loop call are cut at multiples of this, and every piece gets at least this
 * many: every loop's column blocks (64 or 32 float32 columns at a time, 16 float64, then 8, 4, 1)
 * fall on the same columns as in one call, and no piece is narrow enough (under 8 columns) for a
 * loop to take another path. */
#define COLUMN_BLOCK 32

typedef struct {
    const sum_iteration *it;
    loop2d_fn loop;
    const loop_ctx *ctx;
    char *out;
    const char *in;
    const int64_t *strides;
    int64_t size0, size1, blocks; /* per outer index: size1 in blocks of COLUMN_BLOCK, or 1 block */
} reduce_job;

/* Units [begin, end): unit u is block u % blocks of the loop call for outer index u / blocks. */
static void reduce_units(int64_t begin, int64_t end, void *arg) {
    const reduce_job *j = arg;
    const sum_iteration *it = j->it;
    for (int64_t u = begin; u < end;) {
        int64_t rest = u / j->blocks, block = u % j->blocks, n = j->blocks - block;
        if (n > end - u) n = end - u;
        char *o = j->out;
        const char *x = j->in;
        for (int d = 2; d < it->ndim && rest > 0; d++) { /* dim 2 is the fastest outer dim */
            int64_t c = rest % it->sizes[d];
            rest /= it->sizes[d];
            o += c * it->strides[d][0];
            x += c * it->strides[d][1];
        }
        int64_t first = block * COLUMN_BLOCK, cols = block + n < j->blocks ? n * COLUMN_BLOCK : j->size1 - first;
        j->loop(o + first * j->strides[2], x + first * j->strides[3], j->strides, j->size0, cols, j->ctx);
        u += n;
    }
}

/* Splits the loop calls over the threads when each output element is reduced wholly inside one
 * call (every outer dim kept), so the result does not depend on the split; false otherwise. */
static bool reduce_in_parallel(const sum_iteration *it, loop2d_fn loop, const loop_ctx *ctx, char *out,
                               const char *in, const int64_t *strides, int64_t size0, int64_t size1) {
    int64_t outer = 1;
    for (int d = 2; d < it->ndim; d++) {
        if (it->strides[d][0] == 0) return false;
        outer *= it->sizes[d];
    }
    bool split_columns = strides[0] == 0 && strides[2] != 0;
    int64_t blocks = split_columns && size1 >= 2 * COLUMN_BLOCK ? size1 / COLUMN_BLOCK : 1; /* the last takes the rest */
    if (outer * blocks < 2) return false;
    int64_t per_unit = size0 * (split_columns ? COLUMN_BLOCK : size1);
    reduce_job job = {it, loop, ctx, out, in, strides, size0, size1, blocks};
    cg_parallel_for(0, outer * blocks, per_unit >= CG_GRAIN_SIZE ? 1 : CG_GRAIN_SIZE / per_unit, reduce_units, &job);
    return true;
}

static void reduce_in_order(cg_tensor *out, const cg_tensor *in, const bool *reduced, bool keepdim, double identity,
                            loop2d_fn loop, double p) {
    int64_t elsize = (int64_t)cg_elsize(in->dtype);
    for (int64_t i = 0; i < out->numel; i++) cg_write_double(cg_tensor_data(out) + i * elsize, out->dtype, identity);
    if (in->numel == 0) return;
    /* The output seen with the input's dims: reduced ones have stride 0, except a reduced dim of
     * size 1 that keepdim keeps (PyTorch's result then has a real stride there). */
    sum_iteration it = {.ndim = in->ndim};
    int64_t out_stride = elsize;
    for (int d = in->ndim - 1; d >= 0; d--) {
        it.sizes[d] = in->sizes[d];
        it.strides[d][1] = in->strides[d] * elsize;
        bool broadcast = reduced[d] && (in->sizes[d] != 1 || !keepdim);
        it.strides[d][0] = broadcast ? 0 : out_stride;
        if (!reduced[d]) out_stride *= in->sizes[d] > 1 ? in->sizes[d] : 1;
    }
    order_and_merge(&it);
    loop_ctx ctx = {.lastdim = it.ndim > 0 && it.strides[0][0] == 0 && it.strides[0][1] == elsize, .p = p};
    for (int d = 1; d < it.ndim; d++) ctx.lastdim = ctx.lastdim && it.strides[d][0] != 0;
    int64_t strides[4] = {0, 0, 0, 0}, size0 = 1, size1 = 1;
    if (it.ndim > 0) {
        strides[0] = it.strides[0][0];
        strides[1] = it.strides[0][1];
        size0 = it.sizes[0];
    }
    if (it.ndim > 1) {
        strides[2] = it.strides[1][0];
        strides[3] = it.strides[1][1];
        size1 = it.sizes[1];
    }
    int64_t counter[CG_MAX_DIMS] = {0};
    char *o = cg_tensor_data(out);
    const char *x = cg_tensor_data(in);
    if (in->numel > CG_GRAIN_SIZE && cg_get_num_threads() > 1 &&
        reduce_in_parallel(&it, loop, &ctx, o, x, strides, size0, size1))
        return;
    for (;;) {
        loop(o, x, strides, size0, size1, &ctx);
        int d = 2;
        for (; d < it.ndim; d++) {
            o += it.strides[d][0];
            x += it.strides[d][1];
            if (++counter[d] < it.sizes[d]) break;
            o -= it.strides[d][0] * it.sizes[d];
            x -= it.strides[d][1] * it.sizes[d];
            counter[d] = 0;
        }
        if (d >= it.ndim) return;
    }
}

void cg_kernel_cascade_sum(cg_tensor *out, const cg_tensor *in, const bool *reduced, bool keepdim) {
    bool f32 = in->dtype == CG_FLOAT32, fast = cg_simd_avx2();
    loop2d_fn loop = f32 ? (fast ? f32_avx2_loop2d : f32_loop2d) : (fast ? f64_avx2_loop2d : f64_loop2d);
    reduce_in_order(out, in, reduced, keepdim, 0, loop, 0);
}

/* ---- products: PyTorch's binary_kernel_reduce_vec ----
 * A contiguous reduced dim is taken in blocks of 4 vectors multiplied lane by lane into 4 vector
 * accumulators (started from the first block), which are then combined (a0 a1)(a2 a3) and their
 * lanes multiplied in order; the tail after the last whole block is multiplied in one element at a
 * time. Contiguous kept columns are reduced 4 vectors of columns at a time the same way, without
 * combining; anything else is one element at a time, in order. */
#define DEFINE_PROD(S, T, LANES, ATTR)                                                                           \
    ATTR static void S##_prod_inner(T *out, const T *in, int64_t n) {                                         \
        int64_t blocks = n / (4 * LANES);                                                                  \
        if (blocks > 0) {                                                                                  \
            T acc[4 * LANES];                                                                              \
            memcpy(acc, in, sizeof acc);                                                                   \
            for (int64_t i = 1; i < blocks; i++)                                                           \
                for (int k = 0; k < 4 * LANES; k++) acc[k] *= in[i * 4 * LANES + k];                       \
            T lanes[LANES];                                                                                \
            for (int w = 0; w < LANES; w++)                                                                \
                lanes[w] = (acc[w] * acc[LANES + w]) * (acc[2 * LANES + w] * acc[3 * LANES + w]);          \
            for (int w = 1; w < LANES; w++) lanes[0] *= lanes[w];                                          \
            *out *= lanes[0];                                                                              \
        }                                                                                                  \
        for (int64_t k = blocks * 4 * LANES; k < n; k++) *out *= in[k];                                    \
    }                                                                                                      \
    /* out[c] *= the product over rows of in[row * stride + c], for size1 contiguous columns */           \
    ATTR static void S##_prod_outer(T *out, const char *in, int64_t stride, int64_t size0, int64_t size1) {  \
        int64_t c = 0;                                                                                     \
        for (; c + 4 * LANES <= size1; c += 4 * LANES) {                                                   \
            T acc[4 * LANES];                                                                              \
            memcpy(acc, (const T *)in + c, sizeof acc);                                                    \
            for (int64_t i = 1; i < size0; i++)                                                            \
                for (int k = 0; k < 4 * LANES; k++) acc[k] *= ((const T *)(in + i * stride))[c + k];      \
            for (int k = 0; k < 4 * LANES; k++) out[c + k] *= acc[k];                                      \
        }                                                                                                  \
        for (; c < size1; c++)                                                                             \
            for (int64_t i = 0; i < size0; i++) out[c] *= ((const T *)(in + i * stride))[c];              \
    }                                                                                                      \
    ATTR static void S##_prod_loop2d(char *out, const char *in, const int64_t *s, int64_t size0, int64_t size1, \
                                const void *ctx) {                                                         \
        (void)ctx;                                                                                         \
        const int64_t size = (int64_t)sizeof(T);                                                           \
        if (s[0] == 0 && s[1] == size) {                                                                   \
            for (int64_t j = 0; j < size1; j++) S##_prod_inner((T *)(out + j * s[2]), (const T *)(in + j * s[3]), size0); \
        } else if (s[0] == 0 && s[2] == size && s[3] == size) {                                            \
            S##_prod_outer((T *)out, in, s[1], size0, size1);                                              \
        } else {                                                                                           \
            for (int64_t j = 0; j < size1; j++)                                                            \
                for (int64_t i = 0; i < size0; i++)                                                        \
                    *(T *)(out + i * s[0] + j * s[2]) *= *(const T *)(in + i * s[1] + j * s[3]);           \
        }                                                                                                  \
    }
DEFINE_PROD(f32, float, 8, NO_ATTR)
DEFINE_PROD(f64, double, 4, NO_ATTR)
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
DEFINE_PROD(f32_avx2, float, 8, AVX2_ATTR)
DEFINE_PROD(f64_avx2, double, 4, AVX2_ATTR)
#else
#define f32_avx2_prod_loop2d f32_prod_loop2d
#define f64_avx2_prod_loop2d f64_prod_loop2d
#endif

void cg_kernel_ordered_prod(cg_tensor *out, const cg_tensor *in, const bool *reduced, bool keepdim) {
    bool f32 = in->dtype == CG_FLOAT32, fast = cg_simd_avx2();
    loop2d_fn loop = f32 ? (fast ? f32_avx2_prod_loop2d : f32_prod_loop2d) : (fast ? f64_avx2_prod_loop2d : f64_prod_loop2d);
    reduce_in_order(out, in, reduced, keepdim, 1, loop, 0);
}

/* ---- 2-norms: PyTorch's norm kernel for p = 2 ----
 * A float32 2-norm over one contiguous fastest dim is vectorized: squares summed lane by lane (a
 * fused multiply-add each), the lanes added in order, then the tail as GCC compiled PyTorch's loop
 * (groups of 4 rounded squares added in order, the rest fused). Otherwise (float64 always) each
 * result accumulates acc + x x, fused, over its elements in the iteration's order, as
 * binary_kernel_reduce does (walking the rows outermost where that keeps each result's order, so
 * that memory streams). */
#define DEFINE_NORM2(S, T, VECTORIZED, LANES, TAIL_GROUP, FMA, ATTR)                                    \
    ATTR static T S##_norm2_lanes(const T *x, int64_t n) {                                                \
        T acc[LANES] = {0};                                                                                \
        int64_t d = 0;                                                                                     \
        for (; d < n - n % LANES; d += LANES)                                                              \
            for (int w = 0; w < LANES; w++) acc[w] = FMA(x[d + w], x[d + w], acc[w]);                      \
        for (int w = 1; w < LANES; w++) acc[0] += acc[w];                                                  \
        for (; d + TAIL_GROUP <= n; d += TAIL_GROUP)                                                       \
            for (int w = 0; w < TAIL_GROUP; w++) acc[0] += x[d + w] * x[d + w];                            \
        for (; d < n; d++) acc[0] = FMA(x[d], x[d], acc[0]);                                               \
        return acc[0];                                                                                     \
    }                                                                                                      \
    ATTR static void S##_norm2_loop2d(char *out, const char *in, const int64_t *s, int64_t size0, int64_t size1, \
                                      const void *ctx) {                                                   \
        if (VECTORIZED && ((const loop_ctx *)ctx)->lastdim) {                                              \
            for (int64_t j = 0; j < size1; j++)                                                            \
                *(T *)(out + j * s[2]) = S##_norm2_lanes((const T *)(in + j * s[3]), size0);               \
            return;                                                                                        \
        }                                                                                                  \
        /* rows outermost when the columns have results of their own (the per-result order stays) */  \
        bool rows_outer = s[2] != 0;                                                                       \
        for (int64_t a = 0; a < (rows_outer ? size0 : size1); a++)                                         \
            for (int64_t b = 0; b < (rows_outer ? size1 : size0); b++) {                                   \
                int64_t i = rows_outer ? a : b, j = rows_outer ? b : a;                                    \
                T *acc = (T *)(out + i * s[0] + j * s[2]), x = *(const T *)(in + i * s[1] + j * s[3]);     \
                *acc = FMA(x, x, *acc);                                                                    \
            }                                                                                              \
    }
/* The loops once as portable C (fmaf from libm) and, on x86-64, once compiled for the FMA and AVX2
 * instructions, which the CPU is asked for at run time: libm's fmaf is a call per element. */
DEFINE_NORM2(f32, float, true, 8, 4, fmaf, NO_ATTR)
DEFINE_NORM2(f64, double, false, 4, 2, fma, NO_ATTR) /* PyTorch 1.13 vectorizes float32 only */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
DEFINE_NORM2(f32_fma, float, true, 8, 4, fmaf, AVX2_ATTR)
DEFINE_NORM2(f64_fma, double, false, 4, 2, fma, AVX2_ATTR)
#else
#define f32_fma_norm2_loop2d f32_norm2_loop2d
#define f64_fma_norm2_loop2d f64_norm2_loop2d
#endif

void cg_kernel_ordered_norm2(cg_tensor *out, const cg_tensor *in, const bool *reduced, bool keepdim) {
    bool f32 = in->dtype == CG_FLOAT32, fast = cg_simd_avx2();
    loop2d_fn loop = f32 ? (fast ? f32_fma_norm2_loop2d : f32_norm2_loop2d) : (fast ? f64_fma_norm2_loop2d : f64_norm2_loop2d);
    reduce_in_order(out, in, reduced, keepdim, 0, loop, 2);
    for (int64_t i = 0; i < out->numel; i++) { /* an empty input's norm is 0, as PyTorch's */
        if (f32) ((float *)cg_tensor_data(out))[i] = sqrtf(((float *)cg_tensor_data(out))[i]);
        else ((double *)cg_tensor_data(out))[i] = sqrt(((double *)cg_tensor_data(out))[i]);
    }
}

/* ---- other p-norms: PyTorch's binary_kernel_reduce ----
 * Each result accumulates in the element type, over its elements in the iteration's order:
 * acc + (x != 0) for p = 0, acc + |x| for p = 1, acc + pow(|x|, p) otherwise, then pow(acc, 1 / p)
 * with 1 / p in the element type. */
#define DEFINE_PNORM(S, T, ABS, POW)                                                                       \
    static void S##_pnorm_loop2d(char *out, const char *in, const int64_t *s, int64_t size0, int64_t size1, \
                                 const void *ctx) {                                                        \
        const T p = (T)((const loop_ctx *)ctx)->p;                                                         \
        bool rows_outer = s[2] != 0; /* as the 2-norm's loop */                                            \
        for (int64_t a = 0; a < (rows_outer ? size0 : size1); a++)                                         \
            for (int64_t b = 0; b < (rows_outer ? size1 : size0); b++) {                                   \
                int64_t i = rows_outer ? a : b, j = rows_outer ? b : a;                                    \
                T *acc = (T *)(out + i * s[0] + j * s[2]), x = *(const T *)(in + i * s[1] + j * s[3]);     \
                *acc += p == 0 ? (T)(x != 0) : p == 1 ? ABS(x) : POW(ABS(x), p);                           \
            }                                                                                              \
    }
DEFINE_PNORM(f32, float, fabsf, powf)
DEFINE_PNORM(f64, double, fabs, pow)

void cg_kernel_ordered_pnorm(cg_tensor *out, const cg_tensor *in, const bool *reduced, bool keepdim, double p) {
    bool f32 = in->dtype == CG_FLOAT32;
    reduce_in_order(out, in, reduced, keepdim, 0, f32 ? f32_pnorm_loop2d : f64_pnorm_loop2d, p);
    if (p == 0 || p == 1 || in->numel == 0) return; /* an empty input's norm is 0, as PyTorch's */
    for (int64_t i = 0; i < out->numel; i++) {
        if (f32) {
            float *v = (float *)cg_tensor_data(out) + i;
            *v = powf(*v, 1.0f / (float)p);
        } else {
            double *v = (double *)cg_tensor_data(out) + i;
            *v = pow(*v, 1.0 / p);
        }
    }
}
