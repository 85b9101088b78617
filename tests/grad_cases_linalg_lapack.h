/* Gradcheck cases: linalg.* through LAPACK (src/ops/linalg_*.c). */
#include "gradcheck_cases.h"

/* A float64 leaf (..., n, n) of values in [-1, 1) plus n I (well conditioned); transposed: its
 * matrices column-major. */
static inline cg_tensor *la_square(uint64_t seed, bool transposed, int ndim, const int64_t *sizes) {
    cg_tensor *a = grad_input(seed, -1, 1, ndim, sizes);
    int64_t n = sizes[ndim - 1];
    cg_tensor *m = cg_detach(cg_add(a, cg_mul_scalar(cg_eye(n, -1, CG_FLOAT64), (double)n)));
    if (transposed) m = cg_transpose(cg_contiguous(cg_transpose(m, -2, -1)), -2, -1);
    return cg_requires_grad_(cg_detach(m), true);
}
#define LA_SQUARE(seed, ...) la_square(seed, false, CG_SHAPE(__VA_ARGS__))
#define LA_SQUARE_T(seed, ...) la_square(seed, true, CG_SHAPE(__VA_ARGS__))

/* A symmetric positive-definite leaf: a a^T + n I. */
static inline cg_tensor *la_spd(uint64_t seed, int ndim, const int64_t *sizes) {
    cg_tensor *a = cg_detach(grad_input(seed, -1, 1, ndim, sizes));
    int64_t n = sizes[ndim - 1];
    cg_tensor *m = cg_add(cg_matmul(a, cg_transpose(a, -2, -1)), cg_mul_scalar(cg_eye(n, -1, CG_FLOAT64), (double)n));
    return cg_requires_grad_(cg_detach(m), true);
}
#define LA_SPD(seed, ...) la_spd(seed, CG_SHAPE(__VA_ARGS__))

#define LA_FN(name, call)                                            \
    static int f_la_##name(cg_tensor **in, cg_tensor **out, void *u) { \
        (void)u;                                                     \
        out[0] = call;                                               \
        return out[0] != NULL;                                       \
    }
#define LA_INPUTS1(name, a) \
    static void name(cg_tensor **in) { in[0] = a; }
#define LA_INPUTS2(name, a, b) \
    static void name(cg_tensor **in) { \
        in[0] = a;                     \
        in[1] = b;                     \
    }

LA_INPUTS1(la_sq3, LA_SQUARE(301, 3, 3))
LA_INPUTS1(la_sq3_t, LA_SQUARE_T(302, 3, 3))
LA_INPUTS1(la_sq_batch, LA_SQUARE(303, 2, 3, 3))
LA_INPUTS1(la_sq1, LA_SQUARE(304, 1, 1))
LA_INPUTS2(la_solve_mat, LA_SQUARE(305, 3, 3), GRAD_INPUT(306, -1, 1, 3, 2))
LA_INPUTS2(la_solve_vec, LA_SQUARE_T(307, 2, 3, 3), GRAD_INPUT(308, -1, 1, 2, 3))
LA_INPUTS2(la_solve_bcast, LA_SQUARE(309, 2, 1, 3, 3), GRAD_INPUT(310, -1, 1, 3, 3, 2))
LA_INPUTS2(la_solve_right, LA_SQUARE(311, 3, 3), GRAD_INPUT(312, -1, 1, 2, 3))

LA_FN(det, cg_linalg_det(in[0]))
LA_FN(logabsdet, (cg_linalg_slogdet(in[0], &out[0]) ? out[0] : NULL))
LA_FN(logdet, cg_logdet(cg_matmul(in[0], cg_transpose(in[0], -2, -1))))
LA_FN(inv, cg_linalg_inv(in[0]))
LA_FN(solve, cg_linalg_solve(in[0], in[1], true))
LA_FN(solve_right, cg_linalg_solve(in[0], in[1], false))

static const grad_case cases_linalg_lapack[] = {
    {"linalg_det", "(3, 3)", 1, la_sq3, f_la_det, false, 0, 0},
    {"linalg_det", "column-major", 1, la_sq3_t, f_la_det, false, 0, 0},
    {"linalg_det", "batch (2, 3, 3)", 1, la_sq_batch, f_la_det, false, 0, 0},
    {"linalg_det", "(1, 1)", 1, la_sq1, f_la_det, false, 0, 0},
    {"linalg_slogdet", "logabsdet (3, 3)", 1, la_sq3, f_la_logabsdet, false, 0, 0},
    {"linalg_slogdet", "logabsdet batch", 1, la_sq_batch, f_la_logabsdet, false, 0, 0},
    {"linalg_slogdet", "logdet of A A^T", 1, la_sq3_t, f_la_logdet, false, 0, 0},
    {"linalg_inv_ex", "(3, 3)", 1, la_sq3, f_la_inv, false, 0, 0},
    {"linalg_inv_ex", "batch", 1, la_sq_batch, f_la_inv, false, 0, 0},
    {"linalg_inv_ex", "column-major", 1, la_sq3_t, f_la_inv, false, 0, 0},
    {"linalg_solve_ex", "A (3, 3) B (3, 2)", 2, la_solve_mat, f_la_solve, false, 0, 0},
    {"linalg_solve_ex", "batch of vectors, column-major A", 2, la_solve_vec, f_la_solve, false, 0, 0},
    {"linalg_solve_ex", "broadcast batch", 2, la_solve_bcast, f_la_solve, false, 0, 0},
    {"linalg_solve_ex", "left=False", 2, la_solve_right, f_la_solve_right, false, 0, 0},
};
