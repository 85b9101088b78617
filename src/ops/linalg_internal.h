/* Internal: what the linalg.* ops (src/ops/linalg_*.c) share: PyTorch's argument checks, the
 * column-major copies the LAPACK seam (backend/cpu/lapack.h) works on, and differentiable
 * helpers their backward formulas are composed of. */
#ifndef CG_OPS_LINALG_INTERNAL_H
#define CG_OPS_LINALG_INTERNAL_H

#include "autograd/registry.h"
#include "backend/backend.h"

/* "<fn>: The input tensor <name> must have at least 2 dimensions." */
int cg_la_check_matrix(const cg_tensor *t, const char *fn, const char *name);
/* at least 2-D and square: "<fn>: A must be batches of square matrices, but they are 2 by 3 matrices" */
int cg_la_check_square(const cg_tensor *t, const char *fn);
/* "<fn>: Expected a floating point or complex tensor as input. Got Long" */
int cg_la_check_floating(const cg_tensor *t, const char *fn);
/* The three in PyTorch's order (dims, square, dtype). */
int cg_la_check_square_floating(const cg_tensor *t, const char *fn);

/* The number of matrices of a (..., m, n) tensor. */
int64_t cg_la_batch(const cg_tensor *t);
/* A copy of t (..., m, n), expanded to the batch shape batch_sizes (nb dims; NULL: t's own), in
 * dtype, each matrix column-major: a contiguous (..., n, m) tensor. No history. */
cg_tensor *cg_la_colmajor(cg_tensor *t, int nb, const int64_t *batch_sizes, cg_dtype dtype);
/* The (..., m, n) view of such a copy (the layout PyTorch returns its factorizations in); of any
 * tensor, its transpose as a view without history. */
cg_tensor *cg_la_colmajor_view(cg_tensor *c);
/* Views without history: t (...) as (..., 1); t (..., 1) as (...). */
cg_tensor *cg_la_column_view(cg_tensor *t);
cg_tensor *cg_la_drop_last_view(cg_tensor *t);
/* A new int64 tensor of the batch shape of t with one more dim of size k (k < 0: none). */
cg_tensor *cg_la_batch_tensor(const cg_tensor *t, int64_t k, cg_dtype dtype);
/* Runs the call; -1 with the error. */
int cg_la_run(cg_lapack_call call);

/* The singular / not positive-definite messages from info (one per matrix): 0, or -1 with
 * PyTorch's error ("<fn>: (Batch element 1): <what>", what from the first failing info). */
int cg_la_check_info(const cg_tensor *info, const char *fn, void (*what)(char *buf, size_t n, int64_t info));

/* Differentiable pieces of the backward formulas. */
cg_tensor *cg_la_mT(cg_tensor *t);                        /* transpose of the last two dims */
cg_tensor *cg_la_tril(cg_tensor *t, int64_t diagonal);    /* t times the 0/1 mask of torch.tril */
cg_tensor *cg_la_triu(cg_tensor *t, int64_t diagonal);
cg_tensor *cg_la_eye_like(cg_tensor *t, int64_t n);       /* (n, n) identity of t's dtype and device */
cg_tensor *cg_la_unsqueeze2(cg_tensor *t);                /* t[..., None, None] */
cg_tensor *cg_la_diagonal(cg_tensor *t);                  /* the diagonal (..., n) of (..., n, n), differentiable */
cg_tensor *cg_la_diag_embed(cg_tensor *v);                /* (..., n) -> (..., n, n) */

#endif
