/* Sorting kernels (backend/cpu/sort.h). SORTS(name, F, LESS_F) writes, for pairs of a value (union
 * field F) and its position ordered by LESS_F, the steps of libstdc++'s introsort (std::sort), heap select and
 * heap sort (std::partial_sort), introselect (std::nth_element) and a merge sort for
 * std::stable_sort (a stable sort's result is unique, so any stable algorithm gives its order). */
#include "backend/cpu/sort.h"

#include <math.h>
#include <string.h>

#include "core/alloc.h"

#define THRESHOLD 16 /* libstdc++'s _S_threshold */

/* A value of any dtype and its position along the line. */
typedef struct {
    union {
        float f32;
        double f64;
        int64_t i64;
        bool b;
    } v;
    int64_t i;
} any_pair;

static int64_t floor_log2(int64_t n) { return 63 - __builtin_clzll((unsigned long long)n); }

/* Every instance of SORTS uses only some of its functions. */
#define SORT_FN static __attribute__((unused))

#define SORTS(name, F, LESS_F) \
    SORT_FN void name##_swap(any_pair *a, any_pair *b) {                                  \
        any_pair t = *a;                                                                           \
        *a = *b;                                                                                      \
        *b = t;                                                                                       \
    }                                                                                                 \
    SORT_FN void name##_linear_insert(any_pair *last) {                                             \
        any_pair val = *last, *next = last - 1;                                                    \
        while (LESS_F(F, val, (*next))) {                                                                  \
            *last = *next;                                                                            \
            last = next--;                                                                            \
        }                                                                                             \
        *last = val;                                                                                  \
    }                                                                                                 \
    SORT_FN void name##_insertion_sort(any_pair *first, any_pair *last) {                        \
        if (first == last) return;                                                                    \
        for (any_pair *i = first + 1; i != last; i++) {                                            \
            if (LESS_F(F, (*i), (*first))) {                                                               \
                any_pair val = *i;                                                                 \
                memmove(first + 1, first, (size_t)(i - first) * sizeof *first);                       \
                *first = val;                                                                         \
            } else {                                                                                  \
                name##_linear_insert(i);                                                              \
            }                                                                                         \
        }                                                                                             \
    }                                                                                                 \
    SORT_FN void name##_push_heap(any_pair *first, int64_t hole, int64_t top, any_pair value) {  \
        int64_t parent = (hole - 1) / 2;                                                              \
        while (hole > top && LESS_F(F, first[parent], value)) {                                            \
            first[hole] = first[parent];                                                              \
            hole = parent;                                                                            \
            parent = (hole - 1) / 2;                                                                  \
        }                                                                                             \
        first[hole] = value;                                                                          \
    }                                                                                                 \
    SORT_FN void name##_adjust_heap(any_pair *first, int64_t hole, int64_t len, any_pair value) { \
        int64_t top = hole, child = hole;                                                             \
        while (child < (len - 1) / 2) {                                                               \
            child = 2 * (child + 1);                                                                  \
            if (LESS_F(F, first[child], first[child - 1])) child--;                                        \
            first[hole] = first[child];                                                               \
            hole = child;                                                                             \
        }                                                                                             \
        if ((len & 1) == 0 && child == (len - 2) / 2) {                                               \
            child = 2 * (child + 1);                                                                  \
            first[hole] = first[child - 1];                                                           \
            hole = child - 1;                                                                         \
        }                                                                                             \
        name##_push_heap(first, hole, top, value);                                                    \
    }                                                                                                 \
    SORT_FN void name##_pop_heap(any_pair *first, any_pair *last, any_pair *result) {         \
        any_pair value = *result;                                                                  \
        *result = *first;                                                                             \
        name##_adjust_heap(first, 0, last - first, value);                                            \
    }                                                                                                 \
    SORT_FN void name##_heap_select(any_pair *first, any_pair *middle, any_pair *last) {      \
        int64_t len = middle - first;                                                                 \
        if (len >= 2)                                                                                 \
            for (int64_t parent = (len - 2) / 2;; parent--) {                                         \
                name##_adjust_heap(first, parent, len, first[parent]);                                \
                if (parent == 0) break;                                                               \
            }                                                                                         \
        for (any_pair *i = middle; i < last; i++)                                                  \
            if (LESS_F(F, (*i), (*first))) name##_pop_heap(first, middle, i);                              \
    }                                                                                                 \
    SORT_FN void name##_partial_sort(any_pair *first, any_pair *middle, any_pair *last) {     \
        name##_heap_select(first, middle, last);                                                      \
        while (middle - first > 1) {                                                                  \
            middle--;                                                                                 \
            name##_pop_heap(first, middle, middle);                                                   \
        }                                                                                             \
    }                                                                                                 \
    SORT_FN void name##_median_to_first(any_pair *result, any_pair *a, any_pair *b,           \
                                       any_pair *c) {                                              \
        if (LESS_F(F, (*a), (*b))) {                                                                       \
            if (LESS_F(F, (*b), (*c))) name##_swap(result, b);                                             \
            else if (LESS_F(F, (*a), (*c))) name##_swap(result, c);                                        \
            else name##_swap(result, a);                                                              \
        } else if (LESS_F(F, (*a), (*c))) name##_swap(result, a);                                          \
        else if (LESS_F(F, (*b), (*c))) name##_swap(result, c);                                            \
        else name##_swap(result, b);                                                                  \
    }                                                                                                 \
    SORT_FN any_pair *name##_partition_pivot(any_pair *first, any_pair *last) {               \
        name##_median_to_first(first, first + 1, first + (last - first) / 2, last - 1);               \
        any_pair *lo = first + 1, *hi = last;                                                      \
        for (;;) {                                                                                    \
            while (LESS_F(F, (*lo), (*first))) lo++;                                                       \
            hi--;                                                                                     \
            while (LESS_F(F, (*first), (*hi))) hi--;                                                       \
            if (!(lo < hi)) return lo;                                                                \
            name##_swap(lo, hi);                                                                      \
            lo++;                                                                                     \
        }                                                                                             \
    }                                                                                                 \
    SORT_FN void name##_introsort_loop(any_pair *first, any_pair *last, int64_t depth) {         \
        while (last - first > THRESHOLD) {                                                            \
            if (depth == 0) {                                                                         \
                name##_partial_sort(first, last, last);                                               \
                return;                                                                               \
            }                                                                                         \
            depth--;                                                                                  \
            any_pair *cut = name##_partition_pivot(first, last);                                   \
            name##_introsort_loop(cut, last, depth);                                                  \
            last = cut;                                                                               \
        }                                                                                             \
    }                                                                                                 \
    SORT_FN void name##_sort(any_pair *first, any_pair *last) {                                  \
        if (first == last) return;                                                                    \
        name##_introsort_loop(first, last, floor_log2(last - first) * 2);                             \
        if (last - first > THRESHOLD) {                                                               \
            name##_insertion_sort(first, first + THRESHOLD);                                          \
            for (any_pair *i = first + THRESHOLD; i != last; i++) name##_linear_insert(i);         \
        } else {                                                                                      \
            name##_insertion_sort(first, last);                                                       \
        }                                                                                             \
    }                                                                                                 \
    SORT_FN void name##_nth_element(any_pair *first, any_pair *nth, any_pair *last) {         \
        if (first == last || nth == last) return;                                                     \
        int64_t depth = floor_log2(last - first) * 2;                                                 \
        while (last - first > 3) {                                                                    \
            if (depth == 0) {                                                                         \
                name##_heap_select(first, nth + 1, last);                                             \
                name##_swap(first, nth);                                                              \
                return;                                                                               \
            }                                                                                         \
            depth--;                                                                                  \
            any_pair *cut = name##_partition_pivot(first, last);                                   \
            if (cut <= nth) first = cut;                                                              \
            else last = cut;                                                                          \
        }                                                                                             \
        name##_insertion_sort(first, last);                                                           \
    }                                                                                                 \
    /* Merge sort of a[0, n) through tmp (n pairs): a right element goes first only when less. */     \
    SORT_FN void name##_stable_sort(any_pair *a, any_pair *tmp, int64_t n) {                     \
        if (n <= THRESHOLD) {                                                                         \
            for (int64_t k = 1; k < n; k++) {                                                         \
                any_pair val = a[k];                                                               \
                int64_t j = k;                                                                        \
                for (; j > 0 && LESS_F(F, val, a[j - 1]); j--) a[j] = a[j - 1];                            \
                a[j] = val;                                                                           \
            }                                                                                         \
            return;                                                                                   \
        }                                                                                             \
        int64_t h = n / 2;                                                                            \
        name##_stable_sort(a, tmp, h);                                                                \
        name##_stable_sort(a + h, tmp, n - h);                                                        \
        if (!LESS_F(F, a[h], a[h - 1])) return;                                                            \
        memcpy(tmp, a, (size_t)h * sizeof *a);                                                        \
        int64_t l = 0, r = h, o = 0;                                                                  \
        while (l < h && r < n) a[o++] = LESS_F(F, a[r], tmp[l]) ? a[r++] : tmp[l++];                       \
        while (l < h) a[o++] = tmp[l++];                                                              \
    }

/* PyTorch's KeyValueCompAsc / KeyValueCompDesc (NaN above all), and plain < and > for lines
 * without NaN, where they decide the same. */
#define ASC_NAN(F, a, b) ((!isnan((a).v.F) && isnan((b).v.F)) || (a).v.F < (b).v.F)
#define DESC_NAN(F, a, b) ((isnan((a).v.F) && !isnan((b).v.F)) || (a).v.F > (b).v.F)
#define ASC(F, a, b) ((a).v.F < (b).v.F)
#define DESC(F, a, b) ((a).v.F > (b).v.F)

SORTS(f32_asc_nan, f32, ASC_NAN)
SORTS(f32_desc_nan, f32, DESC_NAN)
SORTS(f32_asc, f32, ASC)
SORTS(f32_desc, f32, DESC)
SORTS(f64_asc_nan, f64, ASC_NAN)
SORTS(f64_desc_nan, f64, DESC_NAN)
SORTS(f64_asc, f64, ASC)
SORTS(f64_desc, f64, DESC)
SORTS(i64_asc, i64, ASC)
SORTS(i64_desc, i64, DESC)
SORTS(b_asc, b, ASC)
SORTS(b_desc, b, DESC)

typedef enum { RUN_SORT, RUN_STABLE, RUN_PARTIAL, RUN_NTH } run_kind;

/* Runs one of the algorithms on n pairs: RUN_PARTIAL sorts the first k, RUN_NTH puts the k-th
 * (1-based) in place and, if sorted, sorts the k - 1 before it (PyTorch's topk). */
#define RUN(name, pairs, tmp, n, kind, k, sorted)                                                   \
    do {                                                                                            \
        if ((kind) == RUN_SORT) name##_sort(pairs, (pairs) + (n));                                  \
        else if ((kind) == RUN_STABLE) name##_stable_sort(pairs, tmp, n);                           \
        else if ((kind) == RUN_PARTIAL) name##_partial_sort(pairs, (pairs) + (k), (pairs) + (n));   \
        else {                                                                                      \
            name##_nth_element(pairs, (pairs) + (k) - 1, (pairs) + (n));                            \
            if (sorted) name##_sort(pairs, (pairs) + (k) - 1);                                      \
        }                                                                                           \
    } while (0)


/* One line of in (stride inner) into pairs; true when it holds a NaN. */
static bool gather(cg_dtype dtype, any_pair *p, const char *src, int64_t len, int64_t inner) {
    bool nan = false;
    for (int64_t l = 0; l < len; l++) p[l].i = l;
    switch (dtype) {
    case CG_FLOAT32:
        for (int64_t l = 0; l < len; l++) nan |= isnan(p[l].v.f32 = ((const float *)src)[l * inner]);
        break;
    case CG_FLOAT64:
        for (int64_t l = 0; l < len; l++) nan |= isnan(p[l].v.f64 = ((const double *)src)[l * inner]);
        break;
    case CG_INT64:
        for (int64_t l = 0; l < len; l++) p[l].v.i64 = ((const int64_t *)src)[l * inner];
        break;
    case CG_BOOL:
        for (int64_t l = 0; l < len; l++) p[l].v.b = ((const bool *)src)[l * inner];
        break;
    }
    return nan;
}

/* The first keep pairs back into one line of values and positions (stride inner). */
static void scatter(cg_dtype dtype, const any_pair *p, char *dst, int64_t *pos, int64_t keep, int64_t inner) {
    for (int64_t l = 0; l < keep; l++) pos[l * inner] = p[l].i;
    switch (dtype) {
    case CG_FLOAT32: for (int64_t l = 0; l < keep; l++) ((float *)dst)[l * inner] = p[l].v.f32; break;
    case CG_FLOAT64: for (int64_t l = 0; l < keep; l++) ((double *)dst)[l * inner] = p[l].v.f64; break;
    case CG_INT64: for (int64_t l = 0; l < keep; l++) ((int64_t *)dst)[l * inner] = p[l].v.i64; break;
    case CG_BOOL: for (int64_t l = 0; l < keep; l++) ((bool *)dst)[l * inner] = p[l].v.b; break;
    }
}

typedef struct {
    run_kind kind;
    int64_t k;
    bool sorted, descending;
} plan;

#define RUN_ON(name, p, tmp, n, pl) RUN(name, p, tmp, n, (pl)->kind, (pl)->k, (pl)->sorted)

static void run(cg_dtype dtype, any_pair *p, any_pair *tmp, int64_t n, const plan *pl, bool nan) {
    bool d = pl->descending;
    switch (dtype) {
    case CG_FLOAT32:
        if (nan && d) RUN_ON(f32_desc_nan, p, tmp, n, pl);
        else if (nan) RUN_ON(f32_asc_nan, p, tmp, n, pl);
        else if (d) RUN_ON(f32_desc, p, tmp, n, pl);
        else RUN_ON(f32_asc, p, tmp, n, pl);
        break;
    case CG_FLOAT64:
        if (nan && d) RUN_ON(f64_desc_nan, p, tmp, n, pl);
        else if (nan) RUN_ON(f64_asc_nan, p, tmp, n, pl);
        else if (d) RUN_ON(f64_desc, p, tmp, n, pl);
        else RUN_ON(f64_asc, p, tmp, n, pl);
        break;
    case CG_INT64:
        if (d) RUN_ON(i64_desc, p, tmp, n, pl);
        else RUN_ON(i64_asc, p, tmp, n, pl);
        break;
    case CG_BOOL:
        if (d) RUN_ON(b_desc, p, tmp, n, pl);
        else RUN_ON(b_asc, p, tmp, n, pl);
        break;
    }
}

/* Every line of in through the plan, keeping `keep` results per line. */
static int sort_lines(cg_tensor *values, cg_tensor *indices, const cg_tensor *in, int64_t outer, int64_t len,
                      int64_t inner, int64_t keep, const plan *pl) {
    if (values->numel == 0 || keep == 0) return 0;
    size_t n = (size_t)len * (pl->kind == RUN_STABLE ? 2 : 1);
    any_pair *buffer = cg_malloc(n * sizeof *buffer);
    if (!buffer) return -1;
    size_t elsize = cg_elsize(in->dtype);
    const char *src = cg_tensor_data(in);
    char *dst = cg_tensor_data(values);
    int64_t *pos = (int64_t *)cg_tensor_data(indices);
    for (int64_t o = 0; o < outer; o++)
        for (int64_t j = 0; j < inner; j++) {
            bool nan = gather(in->dtype, buffer, src + (size_t)(o * len * inner + j) * elsize, len, inner);
            run(in->dtype, buffer, buffer + len, len, pl, nan);
            int64_t at = o * keep * inner + j;
            scatter(in->dtype, buffer, dst + (size_t)at * elsize, pos + at, keep, inner);
        }
    cg_free(buffer);
    return 0;
}

int cg_kernel_sort(cg_tensor *values, cg_tensor *indices, const cg_tensor *in, int64_t outer, int64_t len,
                   int64_t inner, bool descending, bool stable) {
    plan pl = {.kind = stable ? RUN_STABLE : RUN_SORT, .descending = descending};
    return sort_lines(values, indices, in, outer, len, inner, len, &pl);
}

/* PyTorch's topk_impl_loop: a partial sort when k is small against the line (k * 64 <= len), else
 * nth_element and, if sorted, a sort of the k - 1 before the k-th. */
int cg_kernel_topk(cg_tensor *values, cg_tensor *indices, const cg_tensor *in, int64_t outer, int64_t len,
                   int64_t inner, int64_t k, bool largest, bool sorted) {
    plan pl = {.kind = k * 64 <= len ? RUN_PARTIAL : RUN_NTH, .k = k, .sorted = sorted, .descending = largest};
    return sort_lines(values, indices, in, outer, len, inner, k, &pl);
}

/* ---- selection: kthvalue, median, nanmedian, mode ---- */

static void pair_swap(any_pair *a, any_pair *b) {
    any_pair t = *a;
    *a = *b;
    *b = t;
}

/* The values differ (!=: a NaN differs from everything). */
static bool pair_ne(cg_dtype dtype, const any_pair *a, const any_pair *b) {
    switch (dtype) {
    case CG_FLOAT32: return a->v.f32 != b->v.f32;
    case CG_FLOAT64: return a->v.f64 != b->v.f64;
    case CG_INT64: return a->v.i64 != b->v.i64;
    default: return a->v.b != b->v.b;
    }
}


/* PyTorch's median comparator: by value, equal values by position (a total order, so the median
 * element is unique); nanmedian's also puts NaN after everything. */
#define LEX(F, a, b) ((a).v.F < (b).v.F || ((a).v.F == (b).v.F && (a).i < (b).i))
#define NANLEX(F, a, b) (LEX(F, a, b) || (isnan((b).v.F) && !isnan((a).v.F)))
SORTS(f32_lex, f32, LEX)
SORTS(f64_lex, f64, LEX)
SORTS(i64_lex, i64, LEX)
SORTS(f32_nanlex, f32, NANLEX)
SORTS(f64_nanlex, f64, NANLEX)

/* PyTorch's quick_select_template (Sedgewick's partition, median of three): the k-th smallest
 * (0-based, NaN largest) into place, its moves decide which of equal values it reports. */
#define GT_OR_NAN(F, a, b) ((isnan((a).v.F) && !isnan((b).v.F)) || (a).v.F > (b).v.F)
#define GT(F, a, b) ((a).v.F > (b).v.F)
#define QUICK_SELECT(name, F, GT_F)                                                  \
    static void name(any_pair *arr, int64_t n, int64_t k) {                          \
        int64_t L = 0, R = n - 1;                                                    \
        for (;;) {                                                                   \
            if (R <= L) return;                                                      \
            if (R == L + 1) {                                                        \
                if (GT_F(F, arr[L], arr[R])) pair_swap(&arr[L], &arr[R]);            \
                return;                                                              \
            }                                                                        \
            pair_swap(&arr[(L + R) >> 1], &arr[L + 1]);                              \
            if (GT_F(F, arr[L + 1], arr[R])) pair_swap(&arr[L + 1], &arr[R]);        \
            if (GT_F(F, arr[L], arr[R])) pair_swap(&arr[L], &arr[R]);                \
            if (GT_F(F, arr[L + 1], arr[L])) pair_swap(&arr[L + 1], &arr[L]);        \
            int64_t i = L + 1, j = R;                                                \
            any_pair piv = arr[L];                                                   \
            for (;;) {                                                               \
                do i++;                                                              \
                while (GT_F(F, piv, arr[i]));                                        \
                do j--;                                                              \
                while (GT_F(F, arr[j], piv));                                        \
                if (j < i) break;                                                    \
                pair_swap(&arr[i], &arr[j]);                                         \
            }                                                                        \
            pair_swap(&arr[L], &arr[j]);                                             \
            if (j <= k) L = i;                                                       \
            if (j >= k) R = j - 1;                                                   \
        }                                                                            \
    }
QUICK_SELECT(f32_quick_select, f32, GT_OR_NAN)
QUICK_SELECT(f64_quick_select, f64, GT_OR_NAN)
QUICK_SELECT(i64_quick_select, i64, GT)

static bool pair_is_nan(cg_dtype dtype, const any_pair *p) {
    return dtype == CG_FLOAT32 ? isnan(p->v.f32) : dtype == CG_FLOAT64 ? isnan(p->v.f64) : false;
}

/* The pair op selects from one line of len pairs (len > 0). */
static const any_pair *select_line(cg_select_op op, cg_dtype dtype, any_pair *p, int64_t len, int64_t k) {
    int64_t nans = 0;
    for (int64_t l = 0; l < len; l++) nans += pair_is_nan(dtype, &p[l]);
    switch (op) {
    case CG_SELECT_KTH:
        if (dtype == CG_FLOAT32) f32_quick_select(p, len, k);
        else if (dtype == CG_FLOAT64) f64_quick_select(p, len, k);
        else i64_quick_select(p, len, k);
        return &p[k];
    case CG_SELECT_MEDIAN:
        for (int64_t l = 0; nans && l < len; l++) /* the first NaN */
            if (pair_is_nan(dtype, &p[l])) return &p[l];
        k = (len - 1) / 2;
        if (dtype == CG_FLOAT32) f32_lex_nth_element(p, p + k, p + len);
        else if (dtype == CG_FLOAT64) f64_lex_nth_element(p, p + k, p + len);
        else i64_lex_nth_element(p, p + k, p + len);
        return &p[k];
    case CG_SELECT_NANMEDIAN:
        k = nans == len ? 0 : (len - nans - 1) / 2;
        if (dtype == CG_FLOAT32) f32_nanlex_nth_element(p, p + k, p + len);
        else if (dtype == CG_FLOAT64) f64_nanlex_nth_element(p, p + k, p + len);
        else i64_lex_nth_element(p, p + k, p + len);
        return &p[k];
    case CG_SELECT_MODE: {
        /* PyTorch's mode_kernel_impl: std::sort by value (a plain <, NaN included), then the
         * longest run, its last element; the first such run on equal lengths. */
        if (dtype == CG_FLOAT32) f32_asc_sort(p, p + len);
        else if (dtype == CG_FLOAT64) f64_asc_sort(p, p + len);
        else if (dtype == CG_INT64) i64_asc_sort(p, p + len);
        else b_asc_sort(p, p + len);
        const any_pair *best = &p[len - 1];
        int64_t run = 0, best_run = 0;
        for (int64_t l = 0; l < len; l++) {
            run++;
            if (l == len - 1 || pair_ne(dtype, &p[l], &p[l + 1])) {
                if (run > best_run) best = &p[l], best_run = run;
                run = 0;
            }
        }
        return best;
    }
    }
    return p;
}

int cg_kernel_select(cg_select_op op, cg_tensor *values, cg_tensor *indices, const cg_tensor *in, int64_t outer,
                     int64_t len, int64_t inner, int64_t k) {
    if (values->numel == 0 || len == 0) return 0;
    any_pair *buffer = cg_malloc((size_t)len * sizeof *buffer);
    if (!buffer) return -1;
    size_t elsize = cg_elsize(in->dtype);
    const char *src = cg_tensor_data(in);
    char *dst = cg_tensor_data(values);
    int64_t *pos = (int64_t *)cg_tensor_data(indices);
    for (int64_t o = 0; o < outer; o++)
        for (int64_t j = 0; j < inner; j++) {
            gather(in->dtype, buffer, src + (size_t)(o * len * inner + j) * elsize, len, inner);
            const any_pair *r = select_line(op, in->dtype, buffer, len, k);
            scatter(in->dtype, r, dst + (size_t)(o * inner + j) * elsize, pos + o * inner + j, 1, 1);
        }
    cg_free(buffer);
    return 0;
}

/* ---- searchsorted ---- */

/* PyTorch's cus_lower_bound / cus_upper_bound loops (their comparisons decide where NaN goes). */
#define BOUND(name, T)                                                                           \
    static void name(int64_t *out, const T *bd, int64_t len, const T *val, int64_t n, bool right) { \
        for (int64_t k = 0; k < n; k++) {                                                        \
            int64_t start = 0, end = len;                                                        \
            T v = val[k];                                                                        \
            while (start < end) {                                                                \
                int64_t mid = start + ((end - start) >> 1);                                      \
                bool before = right ? !(bd[mid] > v) : !(bd[mid] >= v);                          \
                if (before) start = mid + 1;                                                     \
                else end = mid;                                                                  \
            }                                                                                    \
            out[k] = start;                                                                      \
        }                                                                                        \
    }
BOUND(bound_f32, float)
BOUND(bound_f64, double)
BOUND(bound_i64, int64_t)

void cg_kernel_searchsorted(cg_tensor *out, const cg_tensor *boundaries, const cg_tensor *values, int64_t rows,
                            int64_t len, int64_t per_row, bool right) {
    if (out->numel == 0) return;
    int64_t *o = (int64_t *)cg_tensor_data(out);
    const char *bd = cg_tensor_data(boundaries), *v = cg_tensor_data(values);
    size_t es = cg_elsize(values->dtype);
    for (int64_t r = 0; r < rows; r++) {
        const char *b = bd + (size_t)(r * len) * es, *x = v + (size_t)(r * per_row) * es;
        if (values->dtype == CG_FLOAT32) bound_f32(o + r * per_row, (const float *)b, len, (const float *)x, per_row, right);
        else if (values->dtype == CG_FLOAT64) bound_f64(o + r * per_row, (const double *)b, len, (const double *)x, per_row, right);
        else bound_i64(o + r * per_row, (const int64_t *)b, len, (const int64_t *)x, per_row, right);
    }
}
