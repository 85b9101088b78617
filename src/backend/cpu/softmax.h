/* Softmax and log_softmax kernels, forward and backward, in PyTorch 1.13's order of operations
 * (its AVX2 SoftMaxKernel.cpp), so float32 results have PyTorch's bits where SLEEF is linked.
 *
 * A kernel sees a contiguous tensor as (outer, dim, inner) and works along the middle index with
 * PyTorch's kernel for the last dim or its kernel for other dims (which PyTorch runs even when the
 * dims after dim all have size 1). The outer index (and blocks of inner columns) are independent:
 * a range of them can go to a worker thread without changing any result. */
#ifndef CG_BACKEND_CPU_SOFTMAX_H
#define CG_BACKEND_CPU_SOFTMAX_H

#include "core/tensor.h"

/* out = softmax (log_softmax when take_log) of in along dim; float32/float64, both contiguous,
 * of one shape and dtype. */
void cg_kernel_softmax(cg_tensor *out, const cg_tensor *in, int dim, bool take_log);
/* _softmax_backward_data (y (g - sum(g y))) or _log_softmax_backward_data (g - exp(y) sum(g)):
 * out from the incoming gradient g and the forward's output y, all contiguous, of one shape and dtype. */
void cg_kernel_softmax_backward(cg_tensor *out, const cg_tensor *g, const cg_tensor *y, int dim, bool take_log);

#endif
