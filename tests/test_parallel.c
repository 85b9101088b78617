/* The thread pool (src/backend/cpu/parallel.c) and the thread count: parallel_for's pieces, nested
 * regions, cg_set_num_threads' errors, and results bit-identical at 1, 2, 3, 4 and 7 threads for
 * elementwise ops, copies, fills, reductions, softmax, matrix products (through the BLAS library
 * when one is linked), random fills and a backward pass, on sizes below and above the grain, in
 * contiguous, transposed, broadcast and short-row layouts. */
#include "harness.h"

#include "backend/cpu/parallel.h"

#include <pthread.h>
#include <stdlib.h>

static const int thread_counts[] = {1, 2, 3, 4, 7};
#define NCOUNTS (int)(sizeof thread_counts / sizeof thread_counts[0])

/* ---- parallel_for ---- */

typedef struct {
    int *hits;
    bool nested_inline;
    pthread_t thread; /* of the piece that opens a nested region */
} cover_ctx;

static void count_hits(int64_t begin, int64_t end, void *arg) {
    cover_ctx *c = arg;
    for (int64_t i = begin; i < end; i++) c->hits[i]++;
}

static void nested(int64_t begin, int64_t end, void *arg) {
    cover_ctx *c = arg;
    if (begin != 0 || end != 1000000 || !pthread_equal(c->thread, pthread_self())) c->nested_inline = false;
}

/* A region inside a piece runs inline: one piece, on the same thread. */
static void outer_piece(int64_t begin, int64_t end, void *arg) {
    cover_ctx *c = arg;
    count_hits(begin, end, c);
    if (!cg_in_parallel_region() && cg_get_num_threads() > 1) c->nested_inline = false;
    cover_ctx inner = {NULL, true, pthread_self()};
    cg_parallel_for(0, 1000000, 1, nested, &inner);
    if (!inner.nested_inline) c->nested_inline = false;
}

static void test_parallel_for_covers_each_index_once(void) {
    enum { N = 200003 };
    int *hits = calloc(N, sizeof *hits);
    CHECK(hits != NULL);
    if (!hits) return;
    const int64_t grains[] = {1, 7, 1000, CG_GRAIN_SIZE, N, 10 * N};
    for (int t = 0; t < NCOUNTS; t++) {
        CHECK(cg_set_num_threads(thread_counts[t]) == 0);
        for (size_t g = 0; g < sizeof grains / sizeof grains[0]; g++) {
            const int64_t ranges[][2] = {{0, N}, {5, N}, {0, 1}, {N - 3, N}, {7, 7}, {9, 3}};
            for (size_t r = 0; r < sizeof ranges / sizeof ranges[0]; r++) {
                memset(hits, 0, N * sizeof *hits);
                cover_ctx c = {hits, true, pthread_self()};
                cg_parallel_for(ranges[r][0], ranges[r][1], grains[g], count_hits, &c);
                int bad = 0;
                for (int64_t i = 0; i < N; i++) bad += hits[i] != (i >= ranges[r][0] && i < ranges[r][1]);
                CHECK_MSG(bad == 0, "%d threads, grain %lld, [%lld, %lld): %d wrong", thread_counts[t],
                          (long long)grains[g], (long long)ranges[r][0], (long long)ranges[r][1], bad);
            }
        }
        memset(hits, 0, N * sizeof *hits);
        cover_ctx c = {hits, true, pthread_self()};
        cg_parallel_for(0, N, 1, outer_piece, &c);
        int bad = 0;
        for (int64_t i = 0; i < N; i++) bad += hits[i] != 1;
        CHECK(bad == 0);
        CHECK(c.nested_inline);
        CHECK(!cg_in_parallel_region());
    }
    free(hits);
}

/* Records which thread ran each piece, taking long enough for the workers to wake. */
static void note_thread(int64_t begin, int64_t end, void *arg) {
    pthread_t *who = arg;
    for (int64_t i = begin; i < end; i++) {
        who[i] = pthread_self();
        for (volatile int k = 0; k < 20000; k++) {}
    }
}

/* After a larger count has started more workers, a smaller count uses only as many threads. */
static void test_fewer_threads_than_workers(void) {
    enum { N = 64 };
    pthread_t who[N];
    cg_set_num_threads(7);
    cg_parallel_for(0, N, 1, note_thread, who);
    for (int threads = 1; threads <= 3; threads++) {
        cg_set_num_threads(threads);
        for (int round = 0; round < 5; round++) {
            cg_parallel_for(0, N, 1, note_thread, who);
            int distinct = 0;
            for (int i = 0; i < N; i++) {
                bool seen = false;
                for (int k = 0; k < i && !seen; k++) seen = pthread_equal(who[k], who[i]);
                distinct += !seen;
            }
            CHECK_MSG(distinct <= threads, "%d threads set, %d ran pieces", threads, distinct);
        }
    }
    cg_set_num_threads(1);
}

static void test_thread_count(void) {
    CHECK(cg_get_num_threads() >= 1);
    CHECK(cg_set_num_threads(3) == 0);
    CHECK(cg_get_num_threads() == 3);
    CHECK_ERROR(cg_set_num_threads(0) == 0, "set_num_threads expects a positive integer");
    CHECK(cg_last_error_kind() == CG_RUNTIME_ERROR);
    CHECK_ERROR(cg_set_num_threads(-2) == 0, "set_num_threads expects a positive integer");
    CHECK(cg_get_num_threads() == 3);
    cg_clear_error();
}

/* ---- results do not depend on the thread count ---- */

typedef cg_tensor *(*case_fn)(cg_tensor *x, cg_tensor *y);

static cg_tensor *op_add(cg_tensor *x, cg_tensor *y) { return cg_add(x, y); }
static cg_tensor *op_sub_alpha(cg_tensor *x, cg_tensor *y) { return cg_add_alpha(x, y, -0.7); }
static cg_tensor *op_mul(cg_tensor *x, cg_tensor *y) { return cg_mul(x, y); }
static cg_tensor *op_div(cg_tensor *x, cg_tensor *y) { return cg_div(x, y); }
static cg_tensor *op_pow(cg_tensor *x, cg_tensor *y) { return cg_pow(cg_abs(x), y); }
static cg_tensor *op_maximum(cg_tensor *x, cg_tensor *y) { return cg_maximum(x, y); }
static cg_tensor *op_gt(cg_tensor *x, cg_tensor *y) { return cg_gt(x, y); }
static cg_tensor *op_where(cg_tensor *x, cg_tensor *y) { return cg_where(cg_gt_scalar(x, 0), x, y); }
static cg_tensor *op_exp(cg_tensor *x, cg_tensor *y) { return (void)y, cg_exp(x); }
static cg_tensor *op_log(cg_tensor *x, cg_tensor *y) { return (void)y, cg_log(cg_abs(x)); }
static cg_tensor *op_sigmoid(cg_tensor *x, cg_tensor *y) { return (void)y, cg_sigmoid(x); }
static cg_tensor *op_tanh(cg_tensor *x, cg_tensor *y) { return (void)y, cg_tanh(x); }
static cg_tensor *op_sin(cg_tensor *x, cg_tensor *y) { return (void)y, cg_sin(x); }
static cg_tensor *op_relu(cg_tensor *x, cg_tensor *y) { return (void)y, cg_relu(x); }
/* PyTorch's vector and scalar paths round this one differently: a test of where rows are cut. */
static cg_tensor *op_pow_number(cg_tensor *x, cg_tensor *y) { return (void)y, cg_pow_scalar(cg_mul_scalar(cg_abs(x), 4), 2.7); }
static cg_tensor *op_clamp(cg_tensor *x, cg_tensor *y) { return (void)y, cg_clamp(x, -0.5, 0.5); }
static cg_tensor *op_clamp_tensor(cg_tensor *x, cg_tensor *y) {
    return cg_clamp_tensor(x, cg_neg(cg_abs(y)), cg_abs(y));
}
static cg_tensor *op_addcmul(cg_tensor *x, cg_tensor *y) { return cg_addcmul(x, x, y, 0.5); }
static cg_tensor *op_lerp(cg_tensor *x, cg_tensor *y) { return cg_lerp_scalar(x, y, 0.3); }
static cg_tensor *op_to_f64(cg_tensor *x, cg_tensor *y) { return (void)y, cg_to(x, CG_FLOAT64); }
static cg_tensor *op_to_i64(cg_tensor *x, cg_tensor *y) { return (void)y, cg_to(cg_mul_scalar(x, 100), CG_INT64); }
static cg_tensor *op_clone(cg_tensor *x, cg_tensor *y) { return (void)y, cg_clone(x); }
static cg_tensor *op_contiguous_t(cg_tensor *x, cg_tensor *y) {
    return (void)y, cg_contiguous(cg_ndim(x) == 2 ? cg_t(x) : x);
}
static cg_tensor *op_copy_(cg_tensor *x, cg_tensor *y) {
    cg_tensor *out = cg_zeros_like(x);
    return cg_copy_(out, y) == 0 ? out : NULL;
}
static cg_tensor *op_fill_(cg_tensor *x, cg_tensor *y) {
    (void)y;
    cg_tensor *out = cg_clone(x);
    return cg_fill_(out, 2.5) == 0 ? out : NULL;
}
static cg_tensor *op_masked_fill(cg_tensor *x, cg_tensor *y) { return cg_masked_fill(x, cg_gt_scalar(y, 0), 2.0); }
static cg_tensor *op_sum(cg_tensor *x, cg_tensor *y) { return (void)y, cg_sum(x); }
static cg_tensor *op_sum_0(cg_tensor *x, cg_tensor *y) { return (void)y, cg_sum(x, CG_DIMS(0)); }
static cg_tensor *op_sum_last(cg_tensor *x, cg_tensor *y) { return (void)y, cg_sum(x, CG_DIMS(-1)); }
static cg_tensor *op_mean(cg_tensor *x, cg_tensor *y) { return (void)y, cg_mean(x, CG_DIMS(-1)); }
static cg_tensor *op_var(cg_tensor *x, cg_tensor *y) { return (void)y, cg_var(x); }
static cg_tensor *op_norm(cg_tensor *x, cg_tensor *y) { return (void)y, cg_norm(x, 2); }
static cg_tensor *op_prod(cg_tensor *x, cg_tensor *y) {
    return (void)y, cg_prod_dim(cg_add_scalar(cg_mul_scalar(x, 0.01), 1), -1, false);
}
static cg_tensor *op_max(cg_tensor *x, cg_tensor *y) { return (void)y, cg_max(x); }
static cg_tensor *op_max_dim(cg_tensor *x, cg_tensor *y) {
    (void)y;
    cg_tensor *indices = NULL, *values = cg_max_dim(x, 0, false, &indices);
    if (!values || !indices) return NULL;
    return cg_cat(CG_LIST(cg_flatten(values, 0, -1), cg_flatten(cg_to(indices, CG_FLOAT32), 0, -1)), 0);
}
static cg_tensor *op_argmax(cg_tensor *x, cg_tensor *y) { return (void)y, cg_argmax_dim(x, -1, false); }
/* Reductions over rows after a transposing (tiled) copy. */
static cg_tensor *op_var_0(cg_tensor *x, cg_tensor *y) { return (void)y, cg_var(x, CG_DIMS(0)); }
static cg_tensor *op_sum_i64_0(cg_tensor *x, cg_tensor *y) {
    return (void)y, cg_sum(cg_to(cg_mul_scalar(x, 1000), CG_INT64), CG_DIMS(0));
}
static cg_tensor *op_norm_3_0(cg_tensor *x, cg_tensor *y) { return (void)y, cg_norm(x, 3, CG_DIMS(0)); }
static cg_tensor *op_softmax(cg_tensor *x, cg_tensor *y) { return (void)y, cg_softmax(x, -1); }
static cg_tensor *op_softmax_0(cg_tensor *x, cg_tensor *y) { return (void)y, cg_softmax(x, 0); }
static cg_tensor *op_log_softmax(cg_tensor *x, cg_tensor *y) { return (void)y, cg_log_softmax(x, -1); }
static cg_tensor *op_softmax_backward(cg_tensor *x, cg_tensor *y) {
    cg_tensor *leaf = cg_detach(x);
    cg_requires_grad_(leaf, true);
    if (cg_backward(cg_log_softmax(leaf, -1), .gradient = cg_add(cg_zeros_like(x), y)) != 0) return NULL;
    return cg_grad(leaf);
}
/* x^T y: the reduction dim is x's first (257 long, or 40000 for short rows). */
static cg_tensor *op_mm(cg_tensor *x, cg_tensor *y) {
    if (cg_ndim(x) == 1) return cg_dot(x, y);
    return cg_ndim(y) == 2 ? cg_mm(cg_t(x), y) : cg_mv(x, y);
}
static cg_tensor *op_backward(cg_tensor *x, cg_tensor *y) {
    cg_tensor *leaf = cg_detach(x);
    cg_requires_grad_(leaf, true);
    if (cg_backward(cg_sum(cg_mul(cg_sigmoid(cg_mul(leaf, y)), cg_tanh(leaf)))) != 0) return NULL;
    return cg_grad(leaf);
}

static const struct {
    const char *name;
    case_fn fn;
} cases[] = {
    {"add", op_add}, {"sub_alpha", op_sub_alpha}, {"mul", op_mul}, {"div", op_div}, {"pow", op_pow},
    {"maximum", op_maximum}, {"gt", op_gt}, {"where", op_where}, {"exp", op_exp}, {"log", op_log},
    {"sigmoid", op_sigmoid}, {"tanh", op_tanh}, {"sin", op_sin}, {"relu", op_relu},
    {"pow_number", op_pow_number}, {"clamp", op_clamp}, {"clamp_tensor", op_clamp_tensor},
    {"addcmul", op_addcmul}, {"lerp", op_lerp}, {"to_f64", op_to_f64}, {"to_i64", op_to_i64},
    {"clone", op_clone}, {"contiguous_t", op_contiguous_t}, {"copy_", op_copy_}, {"fill_", op_fill_},
    {"masked_fill", op_masked_fill}, {"sum", op_sum}, {"sum_0", op_sum_0}, {"sum_last", op_sum_last},
    {"mean", op_mean}, {"var", op_var}, {"norm", op_norm}, {"prod", op_prod}, {"max", op_max},
    {"max_dim", op_max_dim}, {"argmax", op_argmax}, {"var_0", op_var_0}, {"sum_i64_0", op_sum_i64_0},
    {"norm_3_0", op_norm_3_0}, {"softmax", op_softmax}, {"softmax_0", op_softmax_0},
    {"log_softmax", op_log_softmax}, {"softmax_backward", op_softmax_backward}, {"mm", op_mm}, {"backward", op_backward},
};
#define NCASES (int)(sizeof cases / sizeof cases[0])

/* The operands of one layout, drawn at one thread; y broadcasts to x's shape. */
typedef struct {
    const char *name;
    int xdim;
    int64_t xsizes[2];
    bool transposed; /* x is the transpose of a contiguous tensor */
    int ydim;
    int64_t ysizes[2];
} layout;

static const layout layouts[] = {
    {"1000 (below the grain)", 1, {1000}, false, 1, {1000}},
    {"100003", 1, {100003}, false, 1, {100003}},
    {"257x301", 2, {257, 301}, false, 2, {257, 301}},
    {"257x301 transposed", 2, {301, 257}, true, 2, {257, 301}},
    {"257x301 + a row", 2, {257, 301}, false, 1, {301}},
    {"40000x3", 2, {40000, 3}, false, 2, {40000, 3}},
    {"1000x100", 2, {1000, 100}, false, 2, {1000, 100}}, /* 100 columns: 3 blocks of 32 and 4 more */
};

/* The bytes of t (its dtype, row-major), malloc'ed; NULL for a NULL t. */
static char *bytes_of(cg_tensor *t, size_t *size) {
    if (!t) return NULL;
    *size = (size_t)cg_numel(t) * cg_dtype_size(cg_get_dtype(t));
    char *b = malloc(*size ? *size : 1);
    if (b && cg_copy_to(t, b, (size_t)cg_numel(t), cg_get_dtype(t)) != 0) {
        free(b);
        b = NULL;
    }
    return b;
}

static void test_results_do_not_depend_on_the_thread_count(void) {
    for (size_t l = 0; l < sizeof layouts / sizeof layouts[0]; l++) CG_SCOPE {
        const layout *lay = &layouts[l];
        cg_set_num_threads(1);
        cg_manual_seed(7 + l);
        cg_tensor *x = cg_randn_shape(CG_FLOAT32, lay->xdim, lay->xsizes);
        if (lay->transposed) x = cg_t(x);
        cg_tensor *y = cg_randn_shape(CG_FLOAT32, lay->ydim, lay->ysizes);
        for (int c = 0; c < NCASES; c++) {
            char *expected = NULL;
            size_t expected_size = 0;
            for (int t = 0; t < NCOUNTS; t++) CG_SCOPE {
                cg_set_num_threads(thread_counts[t]);
                size_t size = 0;
                char *got = bytes_of(cases[c].fn(x, y), &size);
                CHECK_MSG(got != NULL, "%s on %s: %s", cases[c].name, lay->name, cg_last_error());
                if (t == 0) {
                    expected = got, expected_size = size;
                    continue;
                }
                CHECK_MSG(got && expected && size == expected_size && memcmp(got, expected, size) == 0,
                          "%s on %s: %d threads differ from 1", cases[c].name, lay->name, thread_counts[t]);
                free(got);
            }
            free(expected);
        }
    }
    cg_set_num_threads(1);
}

/* Random fills draw the same stream at any thread count. */
static void test_random_fills_do_not_depend_on_the_thread_count(void) {
    char *expected = NULL;
    size_t expected_size = 0;
    for (int t = 0; t < NCOUNTS; t++) CG_SCOPE {
        cg_set_num_threads(thread_counts[t]);
        cg_manual_seed(11);
        cg_tensor *u = cg_rand(70001), *n = cg_randn(300, 301), *d = cg_randn_shape(CG_FLOAT64, CG_SHAPE(50001));
        cg_tensor *f = cg_empty_shape(CG_FLOAT32, CG_SHAPE(40003));
        CHECK(cg_uniform_(f, -2, 3) == 0);
        cg_tensor *all = cg_cat(CG_LIST(u, cg_flatten(n, 0, -1), cg_to(d, CG_FLOAT32), f), 0);
        size_t size = 0;
        char *got = bytes_of(all, &size);
        CHECK(got != NULL);
        if (t == 0) {
            expected = got, expected_size = size;
            continue;
        }
        CHECK_MSG(got && expected && size == expected_size && memcmp(got, expected, size) == 0,
                  "%d threads differ from 1", thread_counts[t]);
        free(got);
    }
    free(expected);
    cg_set_num_threads(1);
}

static bool same_bytes(cg_tensor *a, cg_tensor *b) {
    size_t na = 0, nb = 0;
    char *x = bytes_of(a, &na), *y = bytes_of(b, &nb);
    bool same = x && y && na == nb && memcmp(x, y, na) == 0;
    free(x);
    free(y);
    return same;
}

/* A reduction over leading dims first copies its rows into place with the tiled, split copy; the
 * result must be the one over the same rows laid out by a plain copy. */
static void test_tiled_copy_matches_plain_copy(void) {
    cg_manual_seed(5);
    cg_tensor *x = cg_randn(6, 200, 70), *xi = cg_to(cg_mul_scalar(x, 1000), CG_INT64);
    for (int t = 0; t < NCOUNTS; t++) {
        cg_set_num_threads(thread_counts[t]);
        for (int d = 0; d < 2; d++) {
            cg_tensor *rows = cg_contiguous(d == 0 ? cg_permute(x, 1, 2, 0) : cg_permute(x, 0, 2, 1));
            cg_tensor *irows = cg_contiguous(d == 0 ? cg_permute(xi, 1, 2, 0) : cg_permute(xi, 0, 2, 1));
            cg_tensor *i1 = NULL, *i2 = NULL;
            CHECK(same_bytes(cg_max_dim(x, d, false, &i1), cg_max_dim(rows, -1, false, &i2)));
            CHECK(same_bytes(i1, i2));
            CHECK(same_bytes(cg_sum(xi, CG_DIMS(d)), cg_sum(irows, CG_DIMS(-1))));
        }
    }
    cg_set_num_threads(1);
}

/* One long sum: the cascade's top-level blocks are summed on the threads and folded in order; max
 * and min of all over chunks (signed zeros and NaNs, whose bits depend on the order, too). */
static void test_long_sums(void) {
    const int64_t sizes[] = {2 * 262144, 1000003, 4 * 1048576 + 17};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) CG_SCOPE {
        cg_set_num_threads(1);
        cg_manual_seed(k);
        cg_tensor *x = cg_randn(sizes[k]), *xd = cg_randn_shape(CG_FLOAT64, 1, &sizes[k]);
        cg_tensor *rows = cg_view(x, 1, sizes[k]), *tall = cg_narrow(x, 0, 0, sizes[k] / 2 * 2);
        tall = cg_view(tall, 2, -1);
        cg_tensor *expected[] = {cg_sum(x), cg_sum(xd), cg_mean(x), cg_sum(rows, CG_DIMS(1)), cg_sum(tall, CG_DIMS(1)),
                                 cg_max(x), cg_min(xd), cg_max(cg_mul_scalar(x, 0)), cg_min(cg_log(x))};
        for (int t = 1; t < NCOUNTS; t++) {
            cg_set_num_threads(thread_counts[t]);
            cg_tensor *got[] = {cg_sum(x), cg_sum(xd), cg_mean(x), cg_sum(rows, CG_DIMS(1)), cg_sum(tall, CG_DIMS(1)),
                                cg_max(x), cg_min(xd), cg_max(cg_mul_scalar(x, 0)), cg_min(cg_log(x))};
            for (int i = 0; i < 9; i++)
                CHECK_MSG(same_bytes(got[i], expected[i]), "sum %d of %lld at %d threads", i, (long long)sizes[k],
                          thread_counts[t]);
        }
    }
    cg_set_num_threads(1);
}

/* softmax over a middle dim: its outer indices are split. */
static void test_softmax_middle_dim(void) {
    cg_set_num_threads(1);
    cg_manual_seed(9);
    cg_tensor *x = cg_randn(40, 30, 50), *expected = cg_softmax(x, 1), *expected_log = cg_log_softmax(x, 1);
    for (int t = 1; t < NCOUNTS; t++) {
        cg_set_num_threads(thread_counts[t]);
        CHECK(same_bytes(cg_softmax(x, 1), expected));
        CHECK(same_bytes(cg_log_softmax(x, 1), expected_log));
    }
    cg_set_num_threads(1);
}

int main(void) {
    RUN(test_thread_count);
    RUN(test_parallel_for_covers_each_index_once);
    RUN(test_fewer_threads_than_workers);
    RUN(test_results_do_not_depend_on_the_thread_count);
    RUN(test_random_fills_do_not_depend_on_the_thread_count);
    RUN(test_tiled_copy_matches_plain_copy);
    RUN(test_long_sums);
    RUN(test_softmax_middle_dim);
    HARNESS_END();
}
