/* Random fills, bit-identical to PyTorch 1.13's CPU kernels (aten/src/ATen/native/cpu/
 * DistributionTemplates.h) as built for x86-64 with AVX2.
 *
 * That build compiles the kernels with FMA contraction, so wherever PyTorch writes a*b + c the
 * machine rounds once: every such place here is an explicit fma/fmaf (the project builds with
 * -ffp-contract=off, so nothing else fuses). */
#include "backend/cpu/random.h"

#include "backend/cpu/parallel.h"
#include "core/generator.h"

#include <math.h>
#include <string.h>

/* ---- uniform numbers ---------------------------------------------------------------------- */

/* [0, 1) with the 24 (53) low bits of one 32-bit (64-bit) draw, as at::uniform_real_distribution. */
static float uniform_float(cg_generator *g) { return (float)(cg_gen_random32(g) & 0xffffffu) * 0x1p-24f; }
static double uniform_double(cg_generator *g) { return (double)(cg_gen_random64(g) & ((1ull << 53) - 1)) * 0x1p-53; }

/* ---- element order ------------------------------------------------------------------------ */

typedef void (*element_fn)(char *element, void *ctx);

/* TensorIterator's comparison of t's dims a and b: by stride (0 decides nothing), a tie putting
 * the smaller size first. */
static int stride_order(int a, int b, const void *ctx) {
    const cg_tensor *t = ctx;
    int64_t sa = t->strides[a], sb = t->strides[b];
    if (sa == 0 || sb == 0) return 0;
    if (sa != sb) return sa < sb ? -1 : 1;
    return t->sizes[a] > t->sizes[b];
}

/* Calls fn on every element of t in the order PyTorch's TensorIterator walks a single output:
 * dims sorted by stride, smallest stride innermost (ties keep the later dim inner unless it is
 * larger), so a transposed or sliced tensor is filled in memory order. */
static void for_each_in_memory_order(cg_tensor *t, element_fn fn, void *ctx) {
    if (t->numel == 0) return;
    int n = t->ndim, perm[CG_MAX_DIMS]; /* perm[0] is the innermost dim */
    cg_tensoriter_order(n, stride_order, t, perm);
    int64_t elsize = (int64_t)cg_dtype_size(t->dtype), index[CG_MAX_DIMS] = {0};
    char *p = cg_tensor_data(t);
    for (;;) {
        fn(p, ctx);
        int k = 0;
        for (; k < n; k++) {
            int d = perm[k];
            p += t->strides[d] * elsize;
            if (++index[d] < t->sizes[d]) break;
            p -= t->strides[d] * elsize * t->sizes[d];
            index[d] = 0;
        }
        if (k == n) return;
    }
}

/* ---- uniform_ ----------------------------------------------------------------------------- */

typedef struct {
    double from, range; /* as the tensor's dtype: PyTorch casts from and to first */
    cg_generator *gen;
} uniform_ctx;

static void uniform_float_element(char *p, void *ctx) {
    const uniform_ctx *c = ctx;
    *(float *)p = fmaf(uniform_float(c->gen), (float)c->range, (float)c->from);
}

static void uniform_double_element(char *p, void *ctx) {
    const uniform_ctx *c = ctx;
    *(double *)p = fma(uniform_double(c->gen), c->range, c->from);
}

void cg_kernel_uniform(cg_tensor *t, double from, double to, cg_generator *gen) {
    uniform_ctx c = {.gen = gen};
    if (t->dtype == CG_FLOAT32) {
        c.from = (float)from;
        c.range = (float)to - (float)from;
        for_each_in_memory_order(t, uniform_float_element, &c);
    } else {
        c.from = from;
        c.range = to - from;
        for_each_in_memory_order(t, uniform_double_element, &c);
    }
}

/* ---- bernoulli_(p) -------------------------------------------------------------------------- */

/* PyTorch's CPU bernoulli_(float p) without MKL: per element in memory order, a 53-bit double
 * uniform u, then u < p, for every dtype. */
typedef struct {
    double p;
    bool is_float;
    cg_generator *gen;
} bernoulli_ctx;

static void bernoulli_element(char *p, void *ctx) {
    const bernoulli_ctx *c = ctx;
    bool one = uniform_double(c->gen) < c->p;
    if (c->is_float)
        *(float *)p = one;
    else
        *(double *)p = one;
}

void cg_kernel_bernoulli(cg_tensor *t, double p, cg_generator *gen) {
    bernoulli_ctx c = {p, t->dtype == CG_FLOAT32, gen};
    for_each_in_memory_order(t, bernoulli_element, &c);
}

/* ---- randint ------------------------------------------------------------------------------ */

void cg_kernel_randint(cg_tensor *t, int64_t low, uint64_t range, cg_generator *gen) {
    int64_t *out = (int64_t *)cg_tensor_data(t); /* always a fresh contiguous tensor */
    for (int64_t i = 0; i < t->numel; i++) {
        uint64_t draw = range >= (1ull << 32) ? cg_gen_random64(gen) % range : cg_gen_random32(gen) % range;
        out[i] = (int64_t)(draw + (uint64_t)low);
    }
}

/* ---- normal_: float32 blocks (PyTorch's AVX2 normal_fill_16) -------------------------------- */

/* The Cephes single-precision log and sincos of avx_mathfun.h (log256_ps, sincos256_ps), one lane
 * at a time, with the roundings and fused multiply-adds that the AVX2 build performs. */

/* These helpers are inlined into each copy of the Box-Muller blocks below, so that in the copy
 * built for FMA instructions fmaf is that instruction and not a call into libm (the same bits). */
#if defined(__GNUC__) || defined(__clang__)
#define BLOCK_INLINE static inline __attribute__((always_inline))
#else
#define BLOCK_INLINE static inline
#endif

BLOCK_INLINE uint32_t float_bits(float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

BLOCK_INLINE float bits_float(uint32_t u) {
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

BLOCK_INLINE float cephes_logf(float u) {
    static const float p[9] = {7.0376836292E-2f, -1.1514610310E-1f, 1.1676998740E-1f,
                               -1.2420140846E-1f, 1.4249322787E-1f, -1.6668057665E-1f,
                               2.0000714765E-1f, -2.4999993993E-1f, 3.3333331174E-1f};
    const float q1 = -2.12194440e-4f, q2 = 0.693359375f, sqrt_half = 0.707106781186547524f;
    bool invalid = u <= 0;
    float x = u > 0x1p-126f ? u : 0x1p-126f; /* no denormals */
    uint32_t bits = float_bits(x);
    float e = (float)((int32_t)(bits >> 23) - 127) + 1.0f;
    x = bits_float((bits & ~0x7f800000u) | float_bits(0.5f)); /* mantissa in [0.5, 1) */
    bool small = x < sqrt_half;
    float extra = small ? x : 0.0f; /* x < sqrt(1/2): use 2x - 1 and one less exponent */
    x = x - 1.0f;
    e = e - (small ? 1.0f : 0.0f);
    float e_q1 = e * q1;
    x = extra + x;
    float z = x * x, y = p[0];
    for (int i = 1; i < 9; i++) y = fmaf(y, x, p[i]);
    y = y * x;
    y = fmaf(y, z, e_q1);
    y = fmaf(-z, 0.5f, y);
    x = x + y;
    x = fmaf(e, q2, x);
    return invalid ? bits_float(0xffffffffu) : x; /* NaN for u <= 0 */
}

BLOCK_INLINE void cephes_sincosf(float theta, float *sin_out, float *cos_out) {
    const float four_over_pi = 1.27323954473516f;
    const float dp1 = -0.78515625f, dp2 = -2.4187564849853515625e-4f, dp3 = -3.77489497744594108e-8f;
    const float sin_p0 = -1.9515295891E-4f, sin_p1 = 8.3321608736E-3f, sin_p2 = -1.6666654611E-1f;
    const float cos_p0 = 2.443315711809948E-005f, cos_p1 = -1.388731625493765E-003f,
                cos_p2 = 4.166664568298827E-002f;
    uint32_t sign_sin = float_bits(theta) & 0x80000000u;
    float x = fabsf(theta);
    /* The octant j (rounded up to even) and x reduced by j*pi/4 in three parts. */
    int32_t j = (int32_t)(x * four_over_pi);
    j = (j + 1) & ~1;
    float jf = (float)j;
    sign_sin ^= (uint32_t)(j & 4) << 29;
    uint32_t sign_cos = (uint32_t)(~(j - 2) & 4) << 29;
    bool sin_uses_sin_poly = (j & 2) == 0;
    x = fmaf(jf, dp1, x);
    x = fmaf(jf, dp2, x);
    x = fmaf(jf, dp3, x);
    float z = x * x;
    float yc = fmaf(z, cos_p0, cos_p1); /* cosine polynomial */
    yc = fmaf(z, yc, cos_p2);
    float half_z = z * 0.5f;
    yc = z * yc;
    yc = fmaf(yc, z, -half_z);
    float ys = fmaf(sin_p0, z, sin_p1); /* sine polynomial */
    ys = fmaf(z, ys, sin_p2);
    yc = yc + 1.0f;
    ys = z * ys;
    ys = fmaf(ys, x, x);
    /* The AVX code selects with masks and adds: keep its +0 terms, they decide the sign of zero. */
    float sin_part_s = sin_uses_sin_poly ? ys : 0.0f, sin_part_c = sin_uses_sin_poly ? 0.0f : yc;
    float s = sin_part_s + sin_part_c;
    float c = (ys - sin_part_s) + (yc - sin_part_c);
    *sin_out = bits_float(float_bits(s) ^ sign_sin);
    *cos_out = bits_float(float_bits(c) ^ sign_cos);
}

/* Box-Muller on 16 uniforms in place: pairs (d[j], d[j+8]) become two normals. */
BLOCK_INLINE void box_muller16_float(float *d, float mean, float std) {
    const float two_pi = (float)(2.0 * 3.14159265358979323846);
    for (int j = 0; j < 8; j++) {
        float radius = sqrtf(cephes_logf(1.0f - d[j]) * -2.0f);
        float s, c;
        cephes_sincosf(two_pi * d[j + 8], &s, &c);
        d[j] = fmaf(radius * c, std, mean);
        d[j + 8] = fmaf(radius * s, std, mean);
    }
}

BLOCK_INLINE void box_muller16_double(double *d, double mean, double std) {
    const double two_pi = 2.0 * 3.14159265358979323846;
    for (int j = 0; j < 8; j++) {
        double radius = sqrt(log(1.0 - d[j]) * -2.0);
        double theta = two_pi * d[j + 8];
        d[j] = fma(radius * cos(theta), std, mean);
        d[j + 8] = fma(radius * sin(theta), std, mean);
    }
}

/* The blocks once as they are, and on x86-64 once more for CPUs with FMA instructions. */
static void box_muller16_float_plain(float *d, float mean, float std) { box_muller16_float(d, mean, std); }
static void box_muller16_double_plain(double *d, double mean, double std) { box_muller16_double(d, mean, std); }
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
__attribute__((target("fma"))) static void box_muller16_float_fma(float *d, float mean, float std) {
    box_muller16_float(d, mean, std);
}
__attribute__((target("fma"))) static void box_muller16_double_fma(double *d, double mean, double std) {
    box_muller16_double(d, mean, std);
}
static bool fma_instructions(void) { return __builtin_cpu_supports("fma"); }
#else
#define box_muller16_float_fma box_muller16_float_plain
#define box_muller16_double_fma box_muller16_double_plain
static bool fma_instructions(void) { return false; }
#endif
static void normal_block16_float(float *d, float mean, float std) {
    (fma_instructions() ? box_muller16_float_fma : box_muller16_float_plain)(d, mean, std);
}
static void normal_block16_double(double *d, double mean, double std) {
    (fma_instructions() ? box_muller16_double_fma : box_muller16_double_plain)(d, mean, std);
}

/* Blocks [begin, end) of 16, each transformed on its own: the transform is split over the threads
 * (the uniforms are drawn in order before it, so the stream is PyTorch's at any thread count). */
typedef struct {
    void *d;
    double mean, std; /* of the element type */
} blocks_ctx;
#define DEFINE_NORMAL_BLOCKS(name, type, block)                                \
    static void name(int64_t begin, int64_t end, void *arg) {                  \
        const blocks_ctx *c = arg;                                             \
        for (int64_t b = begin; b < end; b++) block((type *)c->d + 16 * b, (type)c->mean, (type)c->std); \
    }
DEFINE_NORMAL_BLOCKS(normal_blocks_float, float, normal_block16_float)
DEFINE_NORMAL_BLOCKS(normal_blocks_double, double, normal_block16_double)

/* PyTorch's normal_fill: uniforms for all n, full blocks of 16 from the start, and when n is not
 * a multiple of 16 the last 16 slots redrawn and transformed again. */
#define DEFINE_NORMAL_FILL(name, type, uniform, block, blocks)         \
    static void name(type *d, int64_t n, type mean, type std, cg_generator *g) { \
        for (int64_t i = 0; i < n; i++) d[i] = uniform(g);             \
        cg_parallel_for(0, n / 16, CG_GRAIN_SIZE / 16, blocks, &(blocks_ctx){d, mean, std}); \
        if (n % 16 != 0) {                                             \
            type *tail = d + n - 16;                                   \
            for (int i = 0; i < 16; i++) tail[i] = uniform(g);         \
            block(tail, mean, std);                                    \
        }                                                              \
    }
DEFINE_NORMAL_FILL(normal_fill_float, float, uniform_float, normal_block16_float, normal_blocks_float)
DEFINE_NORMAL_FILL(normal_fill_double, double, uniform_double, normal_block16_double, normal_blocks_double)

/* ---- normal_: one element at a time (at::normal_distribution<double>) ---------------------- */

typedef struct {
    double mean, std;
    cg_generator *gen;
} normal_ctx;

static double normal_sample(const normal_ctx *c) {
    double cached;
    if (cg_gen_take_cached_normal(c->gen, &cached)) return fma(cached, c->std, c->mean);
    double u1 = uniform_double(c->gen), u2 = uniform_double(c->gen);
    double radius = sqrt(-2.0 * log(1.0 - u2));
    double theta = 2.0 * 3.14159265358979323846 * u1;
    cg_gen_cache_normal(c->gen, radius * sin(theta));
    return fma(radius * cos(theta), c->std, c->mean);
}

static void normal_float_element(char *p, void *ctx) { *(float *)p = (float)normal_sample(ctx); }
static void normal_double_element(char *p, void *ctx) { *(double *)p = normal_sample(ctx); }

void cg_kernel_normal(cg_tensor *t, double mean, double std, cg_generator *gen) {
    if (t->numel >= 16 && cg_is_contiguous(t)) {
        if (t->dtype == CG_FLOAT32)
            normal_fill_float((float *)cg_tensor_data(t), t->numel, (float)mean, (float)std, gen);
        else
            normal_fill_double((double *)cg_tensor_data(t), t->numel, mean, std, gen);
        return;
    }
    normal_ctx c = {mean, std, gen};
    for_each_in_memory_order(t, t->dtype == CG_FLOAT32 ? normal_float_element : normal_double_element, &c);
}

/* Values 0..n-1 (exact in T: the caller checked n), then the swaps. */
#define RANDPERM(T)                                                                  \
    do {                                                                             \
        T *d = (T *)cg_tensor_data(t);                                               \
        for (int64_t i = 0; i < n; i++) d[i] = (T)i;                                 \
        for (int64_t i = 0; i + 1 < n; i++) {                                        \
            int64_t z = i + (int64_t)(random32(gen) % (uint64_t)(n - i));            \
            T tmp = d[i];                                                            \
            d[i] = d[z];                                                             \
            d[z] = tmp;                                                              \
        }                                                                            \
    } while (0)

void cg_kernel_randperm(cg_tensor *t, uint32_t (*random32)(void *gen), void *gen) {
    int64_t n = t->numel;
    switch (t->dtype) {
    case CG_FLOAT32: RANDPERM(float); break;
    case CG_FLOAT64: RANDPERM(double); break;
    case CG_INT64: RANDPERM(int64_t); break;
    case CG_BOOL: break; /* refused by the caller */
    }
}
