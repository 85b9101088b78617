/* Elementwise ops of three operands that PyTorch computes with fused multiply-adds: add with
 * alpha, addcmul, addcdiv and lerp. The roundings are PyTorch 1.13's x86-64 build (AVX2 kernels,
 * whose scalar loops GCC also contracts), measured against it by tools/gen_api.py. */
#ifndef CG_KERNELS_FUSED_H
#define CG_KERNELS_FUSED_H

#include "core/tensor.h"

typedef enum {
    CG_FUSED_ADD,     /* self + alpha * a:        fma(a, alpha, self) */
    CG_FUSED_ADDCMUL, /* self + value * a * b:    fma(value * a, b, self) */
    CG_FUSED_ADDCDIV, /* self + value * a / b:    self + (value * a) / b, no fusing */
    CG_FUSED_LERP,    /* self + w * (a - self):   w < 0.5 ? fma(w, a - self, self)
                       *                          : fma(-(a - self), 1 - w, a); w is b, or the number */
} cg_fused_op;

/* out = op(self, a, b, number) in out's dtype, which every operand has; the operands broadcast to
 * out's shape (b is NULL for ADD and for LERP with a number weight). out may be self itself. Integer
 * and bool loops exist for ADD and ADDCMUL (ADD only for bool), with wrap-around. */
void cg_kernel_fused(cg_fused_op op, cg_tensor *out, const cg_tensor *self, const cg_tensor *a, const cg_tensor *b,
                     cg_number number);

/* out = clamp(self, min, max) with tensor bounds (either NULL for none), all of out's dtype and
 * broadcast to its shape (bool only with one bound). PyTorch's CPU kernel, bit for bit: in the
 * loops it vectorizes (every operand contiguous, or one input broadcast from a single element) it
 * takes blocks of 64 bytes with AVX2's max/min (a NaN anywhere gives a NaN of all one bits; on a
 * tie the bound is kept, so max(-0., 0.) is 0.) and the rest element by element with std::max/min
 * (a NaN bound gives the default NaN, a NaN input stays itself, ties keep the input). */
void cg_kernel_clamp_tensor(cg_tensor *out, const cg_tensor *self, const cg_tensor *min, const cg_tensor *max);

/* mask (bool, laid out as the output of an elementwise op on a and b) = whether PyTorch's
 * cpu_kernel_vec computes that element in its vector loop (true) or in its scalar tail, for
 * operands of elsize bytes: a run of the loop is vectorized when the output and the inputs are
 * contiguous (one input may be broadcast from one element), up to its last whole 64 bytes. */
void cg_kernel_vector_lanes(cg_tensor *mask, const cg_tensor *a, const cg_tensor *b, int64_t elsize);

#endif
