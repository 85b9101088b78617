/* Intra-op parallelism: a pool of persistent worker threads (started on first use, joined at exit)
 * and parallel_for over an index range, modelled on ATen's at::parallel_for.
 *
 * To split a loop over [0, n):
 *
 *     static void body(int64_t begin, int64_t end, void *ctx) { for (i = begin; i < end; i++) ... }
 *     cg_parallel_for(0, n, CG_GRAIN_SIZE, body, &ctx);
 *
 * body may be called on any partition of the range into pieces, from any thread, at once: it must
 * write only what its own indices own, and give the same result however the range is cut. A loop
 * whose bits depend on where it is cut (a sum) splits a fixed number of fixed chunks instead, with
 * grain 1 over the chunk indices, and combines the chunks' results in chunk order afterwards. */
#ifndef CG_BACKEND_CPU_PARALLEL_H
#define CG_BACKEND_CPU_PARALLEL_H

#include <stdbool.h>
#include <stdint.h>

/* ATen's internal::GRAIN_SIZE: a loop over fewer elements than this stays on the calling thread. */
#define CG_GRAIN_SIZE 32768

typedef void (*cg_parallel_fn)(int64_t begin, int64_t end, void *ctx);

/* Calls fn over pieces of [begin, end) until the whole range is done: one piece (fn(begin, end),
 * on the calling thread) when the range is at most grain long, when one thread is set, inside
 * another parallel region (nested regions run inline) or while another thread's region holds the
 * pool; otherwise pieces of at least grain each (up to 4 per thread) claimed in turn by the caller
 * and up to cg_get_num_threads() - 1 of the pool's workers. Returns when every piece is done. */
void cg_parallel_for(int64_t begin, int64_t end, int64_t grain, cg_parallel_fn fn, void *ctx);
/* Whether the calling thread is running a piece of a parallel region. */
bool cg_in_parallel_region(void);

#endif
