/* The linear-algebra factorizations (linalg.* ops) on batches of column-major matrices.
 *
 * With CG_HAVE_LAPACK (the Makefile finds `lapack` with pkg-config) each routine is the LAPACK
 * (or BLAS) routine PyTorch 1.13's CPU op calls, one call per matrix of the batch, so the same
 * LAPACK build gives PyTorch's bits. Without it LU (getrf, getrs), Cholesky (potrf) and the
 * triangular solve (trsm) run on plain C loops (same algorithms, unblocked, rounded
 * differently); the other routines fail with "<op>: ... requires LAPACK". */
#ifndef CG_KERNELS_LAPACK_H
#define CG_KERNELS_LAPACK_H

#include "core/tensor.h"

typedef enum {
    CG_LAPACK_GETRF, /* a = P L U in place; pivots (1-based, LAPACK's), info */
    CG_LAPACK_GETRS, /* b = a^-1 b (a^-T b with trans) from getrf's a and pivots */
    CG_LAPACK_POTRF, /* a = L L^T (upper: U^T U) in place, the other triangle untouched; info */
    CG_LAPACK_TRSM,  /* b = op(a)^-1 b (left) or b op(a)^-1 for triangular a (upper, trans, unit) */
    CG_LAPACK_GEQRF, /* a = Q R as Householder reflectors below the diagonal and R above; tau */
    CG_LAPACK_ORGQR, /* a (m x n, from geqrf) = the first n columns of Q, from k = tau's reflectors */
    CG_LAPACK_SYEVD, /* w = eigenvalues (ascending) of symmetric a (its lower or upper triangle);
                        vectors: a = the eigenvectors; info */
    CG_LAPACK_GESDD, /* a = U diag(s) V^T: s, u (m x m or m x k), vt (n x n or k x n); a destroyed; info */
    CG_LAPACK_GEEV,  /* a's eigenvalues (w: real parts, u: imaginary parts) and right eigenvectors (vt); info */
} cg_lapack_op;

/* Every tensor is contiguous and holds `batch` matrices one after another, each column-major
 * (a tensor of shape (batch, cols, rows)). a is m x n; b is m x nrhs (left) or nrhs x m (right
 * trsm). pivots, info: int64, min(m, n) and 1 per matrix. vals: min(m, n) (tau, w, s) per matrix. */
typedef struct {
    cg_lapack_op op;
    const char *name;   /* the op, for "requires LAPACK" */
    int64_t batch, m, n, nrhs, k;
    cg_tensor *a, *b, *pivots, *info, *vals, *u, *vt;
    bool upper, left, trans, unit, vectors, full;
} cg_lapack_call;

/* Runs the call over the batch; -1 with the error when out of memory or without LAPACK. */
int cg_kernel_lapack(const cg_lapack_call *call);

#endif
