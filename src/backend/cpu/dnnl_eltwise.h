/* Elementwise ops that PyTorch 1.13 runs on oneDNN (libdnnl, CG_HAVE_DNNL): gelu (erf form) of a
 * contiguous float32 tensor of more than one element (its use_mkldnn), so the same library gives
 * the same bits. */
#ifndef CG_BACKEND_CPU_DNNL_ELTWISE_H
#define CG_BACKEND_CPU_DNNL_ELTWISE_H

#include <stdint.h>

/* out[i] = gelu(in[i]) by oneDNN's eltwise_gelu_erf: 1 when done, 0 when oneDNN is not there or
 * fails (the caller computes it itself). */
int cg_dnnl_gelu_erf(const float *in, float *out, int64_t n);

#endif
