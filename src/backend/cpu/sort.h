/* Sorting kernels: sort and topk along one dim, with the positions PyTorch 1.13 reports for ties.
 *
 * PyTorch's CPU sort calls libstdc++'s std::sort (introsort) or std::stable_sort on (value,
 * position) pairs, and topk std::partial_sort or std::nth_element then std::sort; which of equal
 * values lands where depends on those algorithms' exact steps, so sort.c runs the same steps (the
 * comparisons, swaps and moves of GCC 12's libstdc++) on its own code. NaN sorts above everything. */
#ifndef CG_BACKEND_CPU_SORT_H
#define CG_BACKEND_CPU_SORT_H

#include "core/tensor.h"

/* values (in's dtype) and int64 indices, contiguous of in's shape, get each line of contiguous in,
 * seen as (outer, len, inner), sorted along len; -1 with the error when out of memory. */
int cg_kernel_sort(cg_tensor *values, cg_tensor *indices, const cg_tensor *in, int64_t outer, int64_t len,
                   int64_t inner, bool descending, bool stable);
/* The k largest (smallest) of each line into contiguous (outer, k, inner) values and indices. */
int cg_kernel_topk(cg_tensor *values, cg_tensor *indices, const cg_tensor *in, int64_t outer, int64_t len,
                   int64_t inner, int64_t k, bool largest, bool sorted);

typedef enum { CG_SELECT_KTH, CG_SELECT_MEDIAN, CG_SELECT_NANMEDIAN, CG_SELECT_MODE } cg_select_op;

/* One value and its int64 position per line of contiguous in (outer, len, inner) into contiguous
 * (outer, inner) values and indices: the k-th smallest (0-based) by PyTorch's quickselect, the
 * median (lower of the two middle ones; the first NaN if any), the median of the values that are
 * not NaN, or the most frequent value (the last of its run after PyTorch's sort); -1 with the error
 * when out of memory. */
int cg_kernel_select(cg_select_op op, cg_tensor *values, cg_tensor *indices, const cg_tensor *in, int64_t outer,
                     int64_t len, int64_t inner, int64_t k);

/* For each of the per_row values of row r (contiguous values, rows of per_row), the position in
 * row r of contiguous boundaries (rows of len; rows is 1 for 1-D boundaries, then every value row
 * uses it) that keeps it sorted: the first boundary >= the value, or > with right. One dtype
 * (float32, float64 or int64) for both; out int64 contiguous. */
void cg_kernel_searchsorted(cg_tensor *out, const cg_tensor *boundaries, const cg_tensor *values, int64_t rows,
                            int64_t len, int64_t per_row, bool right);

#endif
