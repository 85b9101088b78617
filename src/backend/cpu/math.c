/* The portable loops of the math families and their dispatch (math.h). */
#include "backend/cpu/math_loops.h"

#include "backend/cpu/simd.h"

static cg_loop_fn math_loop(cg_math_op op, cg_dtype dtype) {
    cg_loop_fn fast = cg_simd_avx2() ? cg_avx2_math_loop(op, dtype) : NULL;
    return fast ? fast : math_scalar_loops[op][dtype];
}

bool cg_math_has_loop(cg_math_op op, cg_dtype dtype) { return math_scalar_loops[op][dtype] != NULL; }

void cg_kernel_math(cg_math_op op, cg_tensor *out, const cg_tensor *a, const cg_tensor *b, const double *p) {
    double q[3] = {p ? p[0] : 0, p ? p[1] : 0, p ? p[2] : 0};
    cg_loop_fn loop = math_loop(op, a->dtype);
    if (out->numel == 0 || !loop) return;
    if (b) CG_ITER_MEMORY_ORDER(loop, q, out, a, b);
    else CG_ITER_MEMORY_ORDER(loop, q, out, a);
}
