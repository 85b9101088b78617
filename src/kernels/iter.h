/* Strided iteration over several tensors of one shape (inputs broadcast with stride 0).
 * Kernels supply an inner loop over n elements with one byte stride per operand; the iterator
 * merges dims that are contiguous together so most tensors are one inner loop. */
#ifndef CG_KERNELS_ITER_H
#define CG_KERNELS_ITER_H

#include "core/tensor.h"

#define CG_ITER_MAX_OPS 4

typedef void (*cg_loop_fn)(char **ptrs, const int64_t *strides, int64_t n, const void *ctx);

typedef struct {
    int nops, ndim;
    int64_t sizes[CG_MAX_DIMS];
    char *data[CG_ITER_MAX_OPS];
    int64_t strides[CG_ITER_MAX_OPS][CG_MAX_DIMS]; /* bytes */
} cg_iter;

/* Starts an iteration over the given shape; operand 0 is usually the output. */
void cg_iter_init(cg_iter *it, int ndim, const int64_t *sizes);
/* Adds t, broadcast (right-aligned) to the iteration shape; its shape must broadcast to it. */
void cg_iter_add(cg_iter *it, const cg_tensor *t);
/* Calls loop over every element; operands are visited in the same order (row-major over the shape). */
void cg_iter_run(cg_iter *it, cg_loop_fn loop, const void *ctx);

#endif
