/* float32 convolutions on oneDNN (libdnnl, CG_HAVE_DNNL), where PyTorch 1.13 runs them (use_mkldnn):
 * the primitives PyTorch's ideep makes for the same shapes (layouts left to the primitive, its
 * forward input as it is), so with the same libdnnl the same kernels and bits, at 1 thread.
 *
 * Operands are contiguous (N, C, H, W), weights (Cout, Cin / groups, KH, KW). Each returns 1 when
 * done, 0 when oneDNN is not there or cannot run the shape (the caller computes it itself), -1 when
 * out of memory (the message set). */
#ifndef CG_BACKEND_CPU_DNNL_CONV_H
#define CG_BACKEND_CPU_DNNL_CONV_H

#include "backend/cpu/conv.h"

/* out = the convolution of input with weight, plus bias when not NULL. */
int cg_dnnl_conv2d(const cg_conv2d_shape *s, const float *input, const float *weight, const float *bias, float *out);
/* grad_input from grad_output and weight. */
int cg_dnnl_conv2d_backward_input(const cg_conv2d_shape *s, const float *grad_output, const float *weight, float *grad_input);
/* grad_weight (and grad_bias when not NULL: grad_output summed per channel) from input and grad_output. */
int cg_dnnl_conv2d_backward_weight(const cg_conv2d_shape *s, const float *input, const float *grad_output,
                                   float *grad_weight, float *grad_bias);

#ifdef CG_HAVE_DNNL
#include <dnnl.h>
/* The CPU engine every oneDNN primitive of cgrad runs on (made once); NULL when oneDNN fails. */
dnnl_engine_t cg_dnnl_engine(void);
#endif

#endif
