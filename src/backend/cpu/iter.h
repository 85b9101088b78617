/* Strided iteration over several tensors of one shape (inputs broadcast with stride 0).
 * Kernels supply an inner loop over n elements with one byte stride per operand; the iterator
 * merges dims that are contiguous together so most tensors are one inner loop. */
#ifndef CG_KERNELS_ITER_H
#define CG_KERNELS_ITER_H

#include "core/tensor.h"

#define CG_ITER_MAX_OPS 4

typedef void (*cg_loop_fn)(char **ptrs, const int64_t *strides, int64_t n, const void *ctx);

/* Calls loop over every element of the shape (ndim, sizes), row-major; the nops operands (at most
 * CG_ITER_MAX_OPS; operand 0 is usually the output) are broadcast to it, right-aligned, and must
 * broadcast to it. */
void cg_iter_run(int ndim, const int64_t *sizes, int nops, const cg_tensor *const *ops, cg_loop_fn loop,
                 const void *ctx);
/* The same, split over the threads (parallel.h) when the shape has more than CG_GRAIN_SIZE
 * elements, for elementwise loops: each element of operand 0 written from the same element of the
 * others, and nothing else touched. A split row is cut only at multiples of 64 elements into it, so
 * every element goes through the same path of a vectorized loop as on one thread. */
void cg_iter_run_parallel(int ndim, const int64_t *sizes, int nops, const cg_tensor *const *ops, cg_loop_fn loop,
                          const void *ctx);
/* cg_iter_run_parallel over operand 0's shape in its memory order (its dims sorted by stride,
 * largest first, as TensorIterator walks an output), for elementwise loops (ops, copies, fills):
 * a transposed result is then walked as one run of memory.
 * CG_ITER_MEMORY_ORDER(loop, ctx, out, a, b). */
void cg_iter_run_memory_order(int nops, const cg_tensor *const *ops, cg_loop_fn loop, const void *ctx);
#define CG_ITER_MEMORY_ORDER(loop, ctx, ...)                                                              \
    cg_iter_run_memory_order(CG_NARGS(__VA_ARGS__), (const cg_tensor *const[]){__VA_ARGS__}, loop, ctx)
/* The same over the shape of the tensor shape_of: CG_ITER(out, loop, ctx, out, a, b). */
#define CG_ITER(shape_of, loop, ctx, ...)                                                                \
    cg_iter_run((shape_of)->ndim, (shape_of)->sizes, CG_NARGS(__VA_ARGS__),                               \
                (const cg_tensor *const[]){__VA_ARGS__}, loop, ctx)

#endif
