/* Gradcheck cases: one table per family of ops (tests/grad_cases_<family>.h), each entry naming the
 * registry op it covers. tests/test_gradcheck.c runs every case through cg_gradcheck and
 * cg_gradgradcheck in float64 and fails for any registered op that no case covers. */
#ifndef CG_TEST_GRADCHECK_CASES_H
#define CG_TEST_GRADCHECK_CASES_H

#include "cgrad.h"

#include <math.h>

typedef struct {
    const char *op;                      /* the registry id, e.g. "mul_scalar" */
    const char *what;                    /* the variant: "broadcast", "transposed", "0-dim", ... */
    int ninputs;
    void (*make_inputs)(cg_tensor **in); /* float64 inputs; those to check require grad */
    cg_function fn;
    bool no_gradgrad;                    /* skip gradgradcheck (say why in `what`) */
    double eps, atol;                    /* 0: gradcheck's defaults */
} grad_case;

/* A float64 tensor of the given shape with values in [lo, hi), deterministic per seed, requiring grad. */
static inline cg_tensor *grad_input(uint64_t seed, double lo, double hi, int ndim, const int64_t *sizes) {
    cg_manual_seed(seed);
    cg_tensor *t = cg_rand_shape(CG_FLOAT64, ndim, sizes);
    cg_uniform_(t, lo, hi);
    return cg_requires_grad_(t, true);
}
#define GRAD_INPUT(seed, lo, hi, ...) grad_input(seed, lo, hi, CG_SHAPE(__VA_ARGS__))
#define GRAD_SCALAR(seed, lo, hi) grad_input(seed, lo, hi, 0, NULL)

/* A non-contiguous float64 leaf of shape (rows x cols): the transpose of a (cols x rows) tensor. */
static inline cg_tensor *grad_input_t(uint64_t seed, double lo, double hi, int64_t rows, int64_t cols) {
    cg_tensor *base = grad_input(seed, lo, hi, 2, (const int64_t[]){cols, rows});
    return cg_requires_grad_(cg_detach(cg_t(base)), true);
}

#endif
