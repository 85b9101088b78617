/* The LU family: det, slogdet, logdet, inv, solve (linalg.*), as PyTorch 1.13 computes them: one
 * LU factorization (getrf) of a column-major copy, then getrs or the diagonal's product.
 *
 * Backward formulas are PyTorch's (FunctionsManual.cpp), composed of cgrad ops (inv and solve
 * among them), so they are differentiable again. */
#include "ops/linalg_internal.h"

#include <math.h>
#include <stdio.h>

typedef struct {
    cg_tensor *lu, *pivots, *info; /* lu column-major (..., n, m); pivots (..., k) and info (...) int64 */
} lu_factors;

/* The LU factorization of t (its batch expanded to nb dims batch when batch is not NULL). */
static int lu_factor(cg_tensor *t, int nb, const int64_t *batch, lu_factors *f) {
    f->lu = cg_la_colmajor(t, nb, batch, t->dtype);
    if (!f->lu) return -1;
    int64_t m = t->sizes[t->ndim - 2], n = t->sizes[t->ndim - 1], k = m < n ? m : n;
    cg_tensor *shape = cg_la_colmajor_view(f->lu);
    f->pivots = shape ? cg_la_batch_tensor(shape, k, CG_INT64) : NULL;
    f->info = shape ? cg_la_batch_tensor(shape, -1, CG_INT64) : NULL;
    if (!f->pivots || !f->info) return -1;
    return cg_la_run((cg_lapack_call){.op = CG_LAPACK_GETRF, .name = "linalg.lu_factor", .batch = cg_la_batch(shape),
                                      .m = m, .n = n, .a = f->lu, .pivots = f->pivots, .info = f->info});
}

/* The diagonal (..., n) of a column-major square batch, as a view. */
static cg_tensor *lu_diagonal(cg_tensor *lu) {
    int nd = lu->ndim;
    int64_t n = lu->sizes[nd - 1], strides[CG_MAX_DIMS];
    for (int d = 0; d < nd - 2; d++) strides[d] = lu->strides[d];
    strides[nd - 2] = n + 1;
    return cg_new_view(lu, nd - 1, lu->sizes, strides, lu->offset);
}

/* det(P) from the pivots: -1 for an odd number of row swaps (PyTorch's lu_det_P), of dtype. */
static cg_tensor *permutation_sign(cg_tensor *pivots, cg_dtype dtype) {
    int nb = pivots->ndim - 1;
    cg_tensor *sign = cg_new_on(pivots, dtype, nb, pivots->sizes);
    if (!sign || !cg_has_bytes(sign)) return sign;
    int64_t k = pivots->sizes[nb];
    for (int64_t b = 0; b < sign->numel; b++) {
        int swaps = 0, status = 0;
        for (int64_t i = 0; i < k; i++) swaps ^= (int64_t)cg_read_element(pivots, b * k + i, &status) != i + 1;
        if (status < 0 || cg_write_element(sign, b, swaps ? -1 : 1) < 0) return NULL;
    }
    return sign;
}

static cg_tensor *solve_named(cg_tensor *A, cg_tensor *B, bool left, bool check_errors, cg_tensor **info,
                              bool transposed, const char *fn, const char *error_fn);

/* ---- det ---- */

static cg_tensor *det_named(cg_tensor *A, const char *fn) {
    if (!A) return NULL;
    if (cg_la_check_square_floating(A, fn) < 0) return NULL;
    cg_scope_begin();
    lu_factors f;
    cg_tensor *det = NULL;
    if (lu_factor(A, 0, NULL, &f) == 0) /* det = det(P) prod(diag(U)), as PyTorch's _linalg_det */
        det = cg_mul(permutation_sign(f.pivots, A->dtype), cg_prod_dim(lu_diagonal(f.lu), -1, false));
    det = cg_scope_end_keeping(det);
    cg_node *n = det ? cg_record(&cg_op_linalg_det, det, CG_INPUTS(A)) : NULL;
    if (n) {
        cg_save(n, 0, A);
        cg_save(n, 1, det);
    }
    return cg_recorded(det);
}

cg_tensor *cg_linalg_det(cg_tensor *A) { return det_named(A, "linalg.det"); }
cg_tensor *cg_det(cg_tensor *A) { return det_named(A, "linalg.det"); }

/* A^-T (g I) without the singular check, from the LU of A (as PyTorch's lu_solve with adjoint on
 * the forward's factors). */
static cg_tensor *solve_adjoint(cg_tensor *A, cg_tensor *g) {
    cg_tensor *gI = g ? cg_mul(cg_la_unsqueeze2(g), cg_la_eye_like(A, A->sizes[A->ndim - 1])) : NULL;
    return solve_named(cg_la_mT(A), gI, true, false, NULL, true, "linalg.solve", "torch.linalg.solve_ex");
}

/* d det = det tr(A^-1 dA): gA = (g det) A^-T, as PyTorch's linalg_det_backward for an invertible
 * A; where det is exactly 0, zeros, as PyTorch 1.13 gives then (not the adjugate). */
void cg_backward_linalg_det(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    if (!cg_needs_grad(n, 0)) return;
    cg_tensor *A = cg_saved(n, 0), *det = cg_saved(n, 1);
    if (!A || !det) return;
    cg_tensor *gA = solve_adjoint(A, cg_mul(grads[0], det));
    out[0] = cg_where(cg_la_unsqueeze2(cg_eq_number(det, cg_number_float(0))), cg_scalar(0, A->dtype), gA);
}

/* ---- slogdet, logdet ---- */

static cg_tensor *slogdet_named(cg_tensor *A, cg_tensor **logabsdet, const char *fn) {
    if (!A) return NULL;
    if (cg_la_check_square_floating(A, fn) < 0) return NULL;
    cg_scope_begin();
    lu_factors f;
    cg_tensor *sign = NULL, *logabs = NULL;
    if (lu_factor(A, 0, NULL, &f) == 0) {
        cg_tensor *diag = lu_diagonal(f.lu);
        sign = cg_mul(cg_prod_dim(cg_sign(diag), -1, false), permutation_sign(f.pivots, A->dtype));
        logabs = cg_sum(cg_log(cg_abs(diag)), CG_DIMS(-1));
    }
    if (!sign || !logabs || !cg_keep(logabs)) sign = NULL;
    sign = cg_scope_end_keeping(sign);
    if (!sign) return NULL;
    cg_node *n = cg_record_multi(&cg_op_linalg_slogdet, 2, (cg_tensor *[]){sign, logabs}, CG_INPUTS(A));
    if (n) cg_save(n, 0, A);
    if (!cg_recorded(sign)) return NULL;
    *logabsdet = logabs;
    return sign;
}

cg_tensor *cg_linalg_slogdet(cg_tensor *A, cg_tensor **logabsdet) {
    if (!logabsdet) {
        cg_set_error("linalg.slogdet: logabsdet must not be NULL");
        return NULL;
    }
    return slogdet_named(A, logabsdet, "linalg.slogdet");
}

/* d log|det A| = tr(A^-1 dA); the sign has no gradient for real A. */
void cg_backward_linalg_slogdet(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    if (!cg_needs_grad(n, 0) || !grads[1]) return;
    cg_tensor *A = cg_saved(n, 0);
    out[0] = A ? solve_adjoint(A, grads[1]) : NULL;
}

/* d log|det A| = trace(A^-1 dA); the sign's tangent is 0 (real A). */
void cg_jvp_linalg_slogdet(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    (void)n;
    cg_tensor *solved = cg_linalg_solve(in[0], tin[0], true);
    tout[0] = cg_zeros_like(outs[0]);
    tout[1] = cg_sum(cg_diagonal(solved, 0, -2, -1), CG_DIMS(-1));
}

/* PyTorch's composite logdet: NaN where the determinant is negative (WhereBackward0). */
cg_tensor *cg_logdet(cg_tensor *A) {
    cg_tensor *logabs = NULL;
    cg_tensor *sign = slogdet_named(A, &logabs, "logdet");
    if (!sign) return NULL;
    return cg_where(cg_eq_number(sign, cg_number_float(-1)), cg_scalar(NAN, A->dtype), logabs);
}

/* ---- solve, inv ---- */

static void singular_solver(char *buf, size_t n, int64_t info) {
    (void)info;
    snprintf(buf, n, "The solver failed because the input matrix is singular.");
}

static void singular_inverse(char *buf, size_t n, int64_t info) {
    snprintf(buf, n, "The diagonal element %lld is zero, the inversion could not be completed because the input "
                     "matrix is singular.", (long long)info);
}

/* NumPy's rule (linalg_solve_is_vector_rhs): B is a vector (batch) when 1-D or A's shape minus its last dim. */
static bool vector_rhs(const cg_tensor *A, const cg_tensor *B) {
    return B->ndim == 1 || (A->ndim - 1 == B->ndim && cg_same_shape(B->ndim, B->sizes, B->ndim, A->sizes));
}

/* PyTorch's checkInputsSolver on A and the matrix B_ (B's sizes, with a column for a vector). */
static int check_solver(const cg_tensor *A, int bnd, const int64_t *bs, bool left, const char *fn) {
    if (cg_la_check_square(A, fn) < 0) return -1;
    if (bnd < 2) {
        cg_set_error("%s: The input tensor B must have at least 2 dimensions.", fn);
        return -1;
    }
    int64_t n = A->sizes[A->ndim - 1], rows = bs[bnd - 2], cols = bs[bnd - 1];
    if ((left ? rows : cols) != n) {
        cg_set_error("%s: Incompatible shapes of A and B for the equation %s = B (%lldx%lld and %lldx%lld)", fn,
                     left ? "AX" : "XA", (long long)n, (long long)n, (long long)rows, (long long)cols);
        return -1;
    }
    return 0;
}

/* X = A^-1 B for a matrix B (..., n, k), the batch dims broadcast, as PyTorch's _linalg_solve_ex:
 * a row-major A is factored as A^T (its bytes are A^T's column-major copy) and solved with getrs's
 * transpose. *info: getrf's. */
static cg_tensor *solve_left(cg_tensor *A, cg_tensor *B, bool transposed, cg_tensor **info) {
    int64_t batch[CG_MAX_DIMS];
    int nb = cg_broadcast_shapes(B->ndim - 2, B->sizes, A->ndim - 2, A->sizes, batch); /* PyTorch's order */
    if (nb < 0) return NULL;
    bool use_A_T = transposed || (cg_is_contiguous(A) && cg_same_shape(nb, batch, A->ndim - 2, A->sizes));
    lu_factors f;
    if (lu_factor(use_A_T ? cg_la_colmajor_view(A) : A, nb, batch, &f) < 0) return NULL;
    cg_tensor *X = cg_la_colmajor(B, nb, batch, A->dtype);
    if (!X) return NULL;
    int64_t n = A->sizes[A->ndim - 1];
    if (cg_la_run((cg_lapack_call){.op = CG_LAPACK_GETRS, .name = "linalg.solve", .batch = cg_shape_numel(nb, batch),
                                   .m = n, .n = n, .nrhs = B->sizes[B->ndim - 1], .a = f.lu, .b = X,
                                   .pivots = f.pivots, .trans = use_A_T}) < 0)
        return NULL;
    *info = f.info;
    return cg_la_colmajor_view(X);
}

/* X = A^-1 B (left) or B A^-1 = (A^-T B^T)^T; transposed: factor A^T whatever A's layout. */
static cg_tensor *solve_matrix(cg_tensor *A, cg_tensor *B, bool left, bool transposed, cg_tensor **info) {
    if (left) return solve_left(A, B, transposed, info);
    cg_tensor *At = cg_la_colmajor_view(A), *Bt = cg_la_colmajor_view(B);
    return At && Bt ? cg_la_colmajor_view(solve_left(At, Bt, transposed, info)) : NULL;
}

static cg_tensor *solve_named(cg_tensor *A, cg_tensor *B, bool left, bool check_errors, cg_tensor **info,
                              bool transposed, const char *fn, const char *error_fn) {
    if (!A || !B) return NULL;
    if (cg_la_check_floating(A, fn) < 0) return NULL;
    if (A->dtype != B->dtype) {
        cg_set_error("%s: Expected A and B to have the same dtype, but found A of type %s and B of type %s instead",
                     fn, cg_dtype_title(A->dtype), cg_dtype_title(B->dtype));
        return NULL;
    }
    bool vector = vector_rhs(A, B);
    int64_t bs[CG_MAX_DIMS + 1];
    memcpy(bs, B->sizes, (size_t)B->ndim * sizeof *bs);
    if (vector) bs[B->ndim] = 1;
    if (check_solver(A, B->ndim + vector, bs, left, fn) < 0) return NULL;
    cg_scope_begin();
    cg_tensor *status = NULL;
    cg_tensor *X = solve_matrix(A, vector ? cg_la_column_view(B) : B, left, transposed, &status);
    if (X && vector) X = cg_la_drop_last_view(X);
    if (X && check_errors && cg_la_check_info(status, error_fn, singular_solver) < 0) X = NULL;
    if (X && !cg_keep(status)) X = NULL;
    X = cg_scope_end_keeping(X);
    if (!X) return NULL;
    cg_node *n = cg_record(&cg_op_linalg_solve_ex, X, CG_INPUTS(A, B));
    if (n) {
        cg_save(n, 0, A);
        cg_save(n, 1, X);
        n->args[0] = left;
        n->args[1] = vector;
    }
    if (!cg_recorded(X)) return NULL;
    if (info) *info = status;
    return X;
}

cg_tensor *cg_linalg_solve(cg_tensor *A, cg_tensor *B, bool left) {
    return solve_named(A, B, left, true, NULL, false, "linalg.solve", "torch.linalg.solve");
}

cg_tensor *cg_linalg_solve_ex(cg_tensor *A, cg_tensor *B, bool left, bool check_errors, cg_tensor **info) {
    return solve_named(A, B, left, check_errors, info, false, "linalg.solve", "torch.linalg.solve_ex");
}

/* PyTorch's linalg_solve_backward: gB = A^-T gX (left) or gX A^-T; gA = -gB X^T or -X^T gB. */
void cg_backward_linalg_solve_ex(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *A = cg_saved(n, 0), *X = cg_saved(n, 1), *g = grads[0];
    bool left = n->args[0], vector = n->args[1];
    cg_tensor *gB = cg_linalg_solve_ex(cg_la_mT(A), g, left, false, NULL); /* PyTorch's lu_solve: no check */
    if (cg_needs_grad(n, 1)) out[1] = gB;
    if (!cg_needs_grad(n, 0)) return;
    if (vector) {
        gB = cg_unsqueeze(gB, -1);
        X = cg_unsqueeze(X, -1);
    }
    out[0] = cg_neg(left ? cg_matmul(gB, cg_la_mT(X)) : cg_matmul(cg_la_mT(X), gB));
}

/* A X = B: dX = A^-1 (dB - dA X); X A = B (left false): dX = (dB - X dA) A^-1. */
void cg_jvp_linalg_solve_ex(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    bool left = n->args[0], vector = n->args[1];
    cg_tensor *A = in[0], *X = outs[0], *rhs = tin[1];
    if (tin[0]) { /* a batch of vectors X is a batch of columns */
        cg_tensor *change = vector ? cg_squeeze_dim(cg_matmul(tin[0], cg_unsqueeze(X, -1)), -1)
                            : left ? cg_matmul(tin[0], X) : cg_matmul(X, tin[0]);
        rhs = rhs ? cg_sub(rhs, change) : cg_neg(change);
    }
    tout[0] = cg_linalg_solve(A, rhs, left);
}

/* linalg.inv_ex: linalg.solve(A, I), as PyTorch 1.13's; info from getrf. */
static cg_tensor *inv_named(cg_tensor *A, bool check_errors, cg_tensor **info, const char *fn) {
    if (!A) return NULL;
    if (cg_la_check_square_floating(A, fn) < 0) return NULL;
    cg_scope_begin();
    cg_tensor *status = NULL;
    cg_tensor *X = solve_matrix(A, cg_la_eye_like(A, A->sizes[A->ndim - 1]), true, false, &status);
    if (X && check_errors && cg_la_check_info(status, fn, singular_inverse) < 0) X = NULL;
    if (X && !cg_keep(status)) X = NULL;
    X = cg_scope_end_keeping(X);
    if (!X) return NULL;
    cg_node *n = cg_record(&cg_op_linalg_inv_ex, X, CG_INPUTS(A));
    if (n) cg_save(n, 0, X);
    if (!cg_recorded(X)) return NULL;
    if (info) *info = status;
    return X;
}

cg_tensor *cg_linalg_inv(cg_tensor *A) { return inv_named(A, true, NULL, "linalg.inv"); }

cg_tensor *cg_linalg_inv_ex(cg_tensor *A, bool check_errors, cg_tensor **info) {
    return inv_named(A, check_errors, info, "linalg.inv_ex");
}

/* d A^-1 = -A^-1 dA A^-1: gA = -A^-T g A^-T. */
void cg_backward_linalg_inv_ex(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    if (!cg_needs_grad(n, 0)) return;
    cg_tensor *invT = cg_la_mT(cg_saved(n, 0));
    out[0] = cg_neg(cg_matmul(invT, cg_matmul(grads[0], invT)));
}

/* d(A^-1) = -A^-1 dA A^-1. */
void cg_jvp_linalg_inv_ex(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    (void)n;
    (void)in;
    cg_tensor *X = outs[0];
    tout[0] = cg_neg(cg_matmul(cg_matmul(X, tin[0]), X));
}
