/* 2-D max and average pooling kernels over contiguous planes, in PyTorch's order of operations
 * (its cpu_max_pool and cpu_avg_pool kernels for contiguous tensors), so the values are its bits. */
#ifndef CG_BACKEND_CPU_POOL_H
#define CG_BACKEND_CPU_POOL_H

#include "core/tensor.h"

typedef struct {
    int64_t planes;  /* batch times channels: each plane is pooled on its own */
    int64_t in_h, in_w, out_h, out_w;
    int64_t kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w, dilation_h, dilation_w;
    /* Adaptive pooling: output (oh, ow)'s window is rows [oh * in_h / out_h, ceil((oh + 1) * in_h /
     * out_h)) and the columns likewise (kernel, stride, padding and dilation unused); an average is
     * its sum divided by its height, then by its width (PyTorch's adaptive kernels). */
    bool adaptive;
} cg_pool2d_shape;

/* out and indices (planes, OH, OW): each window's largest element (the first one, or a NaN) and
 * its position in its plane (h * W + w). float32 or float64. */
void cg_kernel_max_pool2d(cg_dtype dtype, const cg_pool2d_shape *s, const void *input, void *out, int64_t *indices);
/* grad_input (planes, H, W): zeros, then each grad_output element added at its index, in order. */
void cg_kernel_max_pool2d_backward(cg_dtype dtype, const cg_pool2d_shape *s, const void *grad_output,
                                   const int64_t *indices, void *grad_input);
/* Average pooling (dilation 1): each window's sum over the elements inside the input, divided by
 * divisor when it is not 0, else by the window's size within the padded input
 * (count_include_pad) or within the input. float32, float64 or int64 (integer division). */
void cg_kernel_avg_pool2d(cg_dtype dtype, const cg_pool2d_shape *s, const void *input, void *out,
                          bool count_include_pad, int64_t divisor);
/* Its adjoint: grad_input zeroed, then each grad_output element divided as above and added over
 * its window. */
void cg_kernel_avg_pool2d_backward(cg_dtype dtype, const cg_pool2d_shape *s, const void *grad_output,
                                   void *grad_input, bool count_include_pad, int64_t divisor);

#endif
