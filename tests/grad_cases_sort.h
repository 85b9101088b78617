/* Gradcheck cases: sorting (src/ops/sort.c). */
#include "gradcheck_cases.h"

static void so_2x3x4(cg_tensor **in) { in[0] = GRAD_INPUT(51, -1, 1, 2, 3, 4); }
static void so_t(cg_tensor **in) { in[0] = grad_input_t(52, -1, 1, 3, 4); }
static void so_0d(cg_tensor **in) { in[0] = GRAD_SCALAR(53, -1, 1); }

#define SO_FN(name, call)                                           \
    static int f_##name(cg_tensor **in, cg_tensor **out, void *u) { \
        (void)u;                                                    \
        out[0] = call;                                              \
        return 1;                                                   \
    }
SO_FN(sort1, cg_sort(in[0], 1, false, NULL))
SO_FN(sort_desc, cg_sort(in[0], 0, true, NULL))
SO_FN(msort, cg_msort(in[0]))
SO_FN(sort_stable, cg_sort_stable(in[0], -1, true, true, NULL))
SO_FN(topk, cg_topk(in[0], 2, 1, true, true, NULL))
SO_FN(topk_small, cg_topk(in[0], 3, -1, false, false, NULL))
SO_FN(topk_0d, cg_topk(in[0], 1, 0, true, true, NULL))
SO_FN(kth, cg_kthvalue(in[0], 2, 1, false, NULL))
SO_FN(kth_keep, cg_kthvalue(in[0], 3, 0, true, NULL))
SO_FN(kth_0d, cg_kthvalue(in[0], 1, 0, false, NULL))
SO_FN(median, cg_median(in[0]))
SO_FN(median_dim, cg_median_dim(in[0], 1, false, NULL))
SO_FN(median_dim_keep, cg_median_dim(in[0], 0, true, NULL))
SO_FN(nanmedian, cg_nanmedian(in[0]))
SO_FN(nanmedian_dim, cg_nanmedian_dim(in[0], -1, false, NULL))
SO_FN(mode, cg_mode(in[0], 1, false, NULL))
SO_FN(mode_keep, cg_mode(in[0], 0, true, NULL))

/* A NaN, which nanmedian leaves out. */
static void so_nan(cg_tensor **in) {
    in[0] = cg_requires_grad_(cg_tensor_f64(((double[]){0.5, NAN, 2, -1, 0.3, 0.4, 0.9, -0.2}), 2, 4), true);
}

static const grad_case cases_sort[] = {
    {"sort", "dim 1", 1, so_2x3x4, f_sort1, false, 0, 0},
    {"sort", "dim 0 descending, transposed", 1, so_t, f_sort_desc, false, 0, 0},
    {"sort", "msort", 1, so_2x3x4, f_msort, false, 0, 0},
    {"sort", "0-dim", 1, so_0d, f_msort, false, 0, 0},
    {"sort_stable", "dim -1 descending", 1, so_2x3x4, f_sort_stable, false, 0, 0},
    {"topk", "k 2 dim 1", 1, so_2x3x4, f_topk, false, 0, 0},
    {"topk", "smallest 3 unsorted, transposed", 1, so_t, f_topk_small, false, 0, 0},
    {"topk", "0-dim", 1, so_0d, f_topk_0d, false, 0, 0},
    {"kthvalue", "k 2 dim 1", 1, so_2x3x4, f_kth, false, 0, 0},
    {"kthvalue", "k 3 dim 0 keepdim, transposed", 1, so_t, f_kth_keep, false, 0, 0},
    {"kthvalue", "0-dim", 1, so_0d, f_kth_0d, false, 0, 0},
    {"median", "all", 1, so_2x3x4, f_median, false, 0, 0},
    {"median", "all, transposed", 1, so_t, f_median, false, 0, 0},
    {"median_dim", "dim 1", 1, so_2x3x4, f_median_dim, false, 0, 0},
    {"median_dim", "dim 0 keepdim, transposed", 1, so_t, f_median_dim_keep, false, 0, 0},
    {"nanmedian", "all, a NaN", 1, so_nan, f_nanmedian, false, 0, 0},
    {"nanmedian_dim", "dim -1, a NaN", 1, so_nan, f_nanmedian_dim, false, 0, 0},
    {"mode", "dim 1 (no ties: the smallest)", 1, so_2x3x4, f_mode, false, 0, 0},
    {"mode", "dim 0 keepdim", 1, so_2x3x4, f_mode_keep, false, 0, 0},
};
