/* Internal: the vector loops of the elementwise kernels (simd_avx2.c), chosen at run time.
 *
 * simd_avx2.c is compiled with -mavx2 -mfma on x86-64 (the Makefile's per-file flags), and
 * simd_avx512.c with -mavx512f as well; they hold nothing else, so no such instruction runs before
 * cg_simd_avx2() / cg_simd_avx512() said the CPU has them. Elsewhere, and in the -pedantic syntax
 * check without those flags, they compile to stubs that return NULL.
 *
 * The loops follow PyTorch 1.13's AVX2 kernels (it runs those even on AVX-512 machines), so the
 * results have its bits: the functions PyTorch computes through vml (exp, log, log1p, sin, cos,
 * tan, tanh) are SLEEF's 8-wide (4-wide for float64) u10 calls on every element, whatever the
 * layout; the cpu_kernel_vec ones (sigmoid, pow) use SLEEF on the 64-byte blocks of a contiguous
 * or one-scalar run and libm on the rest of the run, as PyTorch's scalar fallback does. */
#ifndef CG_BACKEND_CPU_SIMD_H
#define CG_BACKEND_CPU_SIMD_H

#include "backend/cpu/activation.h"
#include "backend/cpu/elementwise.h"
#include "backend/cpu/iter.h"

/* True when this CPU runs AVX2 and FMA instructions (false off x86-64, or under cg_simd_cap(0)).
 * Defined in elementwise.c, which is compiled for any x86-64. */
bool cg_simd_avx2(void);
/* Tests: the kernels use at most these instructions from now on: 0 the portable loops, 1 AVX2,
 * 2 (the default) AVX-512 too, each where the CPU has it. */
void cg_simd_cap(int level);

/* The AVX2 loop for (op, dtype), or NULL when there is none (then the portable loop runs). Call
 * only when cg_simd_avx2() is true (these too are AVX2 code). */
cg_loop_fn cg_avx2_unary_loop(cg_unary_op op, cg_dtype dtype);
cg_loop_fn cg_avx2_binary_loop(cg_binary_op op, cg_dtype dtype);
/* The vector loop of an activation (silu so far), or NULL: the scalar loop of activation.c runs. */
cg_loop_fn cg_avx2_activation_loop(cg_activation_op op, cg_dtype dtype);
/* float32 or float64 tensor ** number (ctx points to the double exponent), or NULL. */
cg_loop_fn cg_avx2_pow_number_loop(cg_dtype dtype);

/* True when this CPU runs AVX-512F (and AVX2 and FMA) and the cap allows it. Defined in elementwise.c. */
bool cg_simd_avx512(void);
/* The AVX-512 loop (simd_avx512.c, compiled with -mavx512f) for a float32 SLEEF function proven to
 * give the AVX2 loop's bits, or NULL. Call only when cg_simd_avx512() is true. */
cg_loop_fn cg_avx512_unary_loop(cg_unary_op op, cg_dtype dtype);

#endif
