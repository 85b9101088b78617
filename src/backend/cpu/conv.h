/* 2-D convolution kernels (conv1d runs as a conv2d of height 1): im2col, then the matrix products
 * of backend/cpu/matmul.h arranged as PyTorch's slow_conv2d arranges its gemm calls, one batch
 * element and one group at a time (so with OpenBLAS the bits of PyTorch's slow path). Where
 * PyTorch takes oneDNN instead (float32, not per_image), oneDNN's primitives when the library is
 * built with it (backend/cpu/dnnl_conv.h: PyTorch's bits there).
 *
 * Every operand is contiguous (N, C, H, W) of one dtype (float32, float64 or int64; int64 wraps
 * around). The kernels allocate their column buffer; they return 0, or -1 when out of memory
 * (the message set by cg_malloc) with the output left unspecified. */
#ifndef CG_BACKEND_CPU_CONV_H
#define CG_BACKEND_CPU_CONV_H

#include "core/tensor.h"

typedef struct {
    int64_t batch, in_channels, out_channels, groups;
    int64_t in_h, in_w, out_h, out_w;
    int64_t kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w, dilation_h, dilation_w;
    /* One image per product, as PyTorch's slow_conv2d calls gemm (its bits with OpenBLAS); false
     * lets a product span several images (wider, faster products; other roundings in the sums). */
    bool per_image;
} cg_conv2d_shape;

/* out (N, Cout, OH, OW) = input (N, Cin, H, W) convolved with weight (Cout, Cin / groups, KH, KW),
 * plus bias (Cout) when bias is not NULL. */
int cg_kernel_conv2d(cg_dtype dtype, const cg_conv2d_shape *s, const void *input, const void *weight,
                     const void *bias, void *out);
/* grad_input (N, Cin, H, W) from grad_output (N, Cout, OH, OW) and weight (the transposed
 * convolution): the columns W^T @ grad_output folded back with col2im. */
int cg_kernel_conv2d_backward_input(cg_dtype dtype, const cg_conv2d_shape *s, const void *grad_output,
                                    const void *weight, void *grad_input);
/* grad_weight (Cout, Cin / groups, KH, KW): grad_output @ columns(input)^T summed over the batch,
 * one batch element after the other (PyTorch's order). On oneDNN (dnnl_conv.h) grad_bias, when not
 * NULL, gets grad_output summed per channel by the same primitive, as PyTorch has it: 1 is returned
 * then (0 when grad_bias is left to the caller). */
int cg_kernel_conv2d_backward_weight(cg_dtype dtype, const cg_conv2d_shape *s, const void *input,
                                     const void *grad_output, void *grad_weight, void *grad_bias);

#endif
