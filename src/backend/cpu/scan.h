/* Cumulative scans along one dim: cumsum, cumprod, logcumsumexp, cummax, cummin, in PyTorch
 * 1.13's arithmetic (its cpu_cum_base_kernel and cummax_cummin_helper), so float32 gives its bits.
 *
 * A kernel sees contiguous in and out of one shape as (outer, len, inner) blocks and scans along
 * the middle index; reverse scans from the end of each line (flip, scan, flip in one pass). */
#ifndef CG_BACKEND_CPU_SCAN_H
#define CG_BACKEND_CPU_SCAN_H

#include "core/tensor.h"

typedef enum { CG_SCAN_SUM, CG_SCAN_PROD, CG_SCAN_LOGSUMEXP, CG_SCAN_MAX, CG_SCAN_MIN } cg_scan_op;

/* out = the scan of in (same dtype): sums and products accumulate float32 in double and int64 in
 * wrapping int64, rounded at each step; logcumsumexp too accumulates in double (log1p(exp(min -
 * max)) + max, an infinity meeting itself left as it is); max and min keep the latest position of
 * an extreme (>=, <=) and stay at the latest NaN, whose position indices_out (int64, contiguous,
 * NULL for the other scans) receives. */
void cg_kernel_scan(cg_scan_op op, cg_tensor *out, cg_tensor *indices_out, const cg_tensor *in, int64_t outer,
                    int64_t len, int64_t inner, bool reverse);

#endif
