#include "backend/cpu/iter.h"

typedef struct {
    int nops, ndim;
    int64_t sizes[CG_MAX_DIMS];
    char *data[CG_ITER_MAX_OPS];
    int64_t strides[CG_ITER_MAX_OPS][CG_MAX_DIMS]; /* bytes */
} iteration;

/* Adds t, broadcast (right-aligned) to the iteration shape. */
static void add_operand(iteration *it, const cg_tensor *t) {
    int op = it->nops++;
    int64_t elsize = (int64_t)cg_dtype_size(t->dtype);
    int lead = it->ndim - t->ndim;
    for (int d = 0; d < it->ndim; d++) {
        int td = d - lead;
        bool broadcast = td < 0 || (t->sizes[td] == 1 && it->sizes[d] != 1);
        it->strides[op][d] = broadcast ? 0 : t->strides[td] * elsize;
    }
    it->data[op] = cg_tensor_data(t);
}

/* Drops size-1 dims and merges neighbours that every operand walks as one. */
static void coalesce(iteration *it) {
    int out = 0;
    for (int d = 0; d < it->ndim; d++) {
        if (it->sizes[d] == 1) continue;
        bool merge = out > 0;
        for (int op = 0; merge && op < it->nops; op++)
            merge = it->strides[op][out - 1] == it->strides[op][d] * it->sizes[d];
        if (merge) {
            it->sizes[out - 1] *= it->sizes[d];
            for (int op = 0; op < it->nops; op++) it->strides[op][out - 1] = it->strides[op][d];
        } else {
            it->sizes[out] = it->sizes[d];
            for (int op = 0; op < it->nops; op++) it->strides[op][out] = it->strides[op][d];
            out++;
        }
    }
    it->ndim = out;
}

/* Reorders the dims so that operand 0's strides decrease (a stable sort; outermost first). */
static void sort_by_first_operand(iteration *it) {
    int perm[CG_MAX_DIMS];
    for (int d = 0; d < it->ndim; d++) perm[d] = d;
    for (int i = 1; i < it->ndim; i++)
        for (int j = i; j > 0 && it->strides[0][perm[j - 1]] < it->strides[0][perm[j]]; j--) {
            int tmp = perm[j];
            perm[j] = perm[j - 1];
            perm[j - 1] = tmp;
        }
    iteration sorted = *it;
    for (int d = 0; d < it->ndim; d++) {
        sorted.sizes[d] = it->sizes[perm[d]];
        for (int op = 0; op < it->nops; op++) sorted.strides[op][d] = it->strides[op][perm[d]];
    }
    *it = sorted;
}

static void run(int ndim, const int64_t *sizes, int nops, const cg_tensor *const *ops, cg_loop_fn loop,
                const void *ctx, bool memory_order) {
    iteration iter, *it = &iter; /* not zero-filled: it is rebuilt for every copy and clone */
    it->nops = 0;
    it->ndim = ndim;
    for (int d = 0; d < ndim; d++) {
        if (sizes[d] == 0) return;
        it->sizes[d] = sizes[d];
    }
    for (int i = 0; i < nops; i++) add_operand(it, ops[i]);
    if (memory_order) sort_by_first_operand(it);
    coalesce(it);
    char *ptrs[CG_ITER_MAX_OPS];
    int64_t inner_strides[CG_ITER_MAX_OPS];
    for (int op = 0; op < it->nops; op++) ptrs[op] = it->data[op];
    if (it->ndim == 0) {
        for (int op = 0; op < it->nops; op++) inner_strides[op] = 0;
        loop(ptrs, inner_strides, 1, ctx);
        return;
    }
    int inner = it->ndim - 1;
    for (int op = 0; op < it->nops; op++) inner_strides[op] = it->strides[op][inner];
    int64_t counter[CG_MAX_DIMS] = {0};
    for (;;) {
        loop(ptrs, inner_strides, it->sizes[inner], ctx);
        int d = inner - 1;
        for (; d >= 0; d--) {
            for (int op = 0; op < it->nops; op++) ptrs[op] += it->strides[op][d];
            if (++counter[d] < it->sizes[d]) break;
            for (int op = 0; op < it->nops; op++) ptrs[op] -= it->strides[op][d] * it->sizes[d];
            counter[d] = 0;
        }
        if (d < 0) return;
    }
}

void cg_iter_run(int ndim, const int64_t *sizes, int nops, const cg_tensor *const *ops, cg_loop_fn loop,
                 const void *ctx) {
    run(ndim, sizes, nops, ops, loop, ctx, false);
}

void cg_iter_run_memory_order(int nops, const cg_tensor *const *ops, cg_loop_fn loop, const void *ctx) {
    run(ops[0]->ndim, ops[0]->sizes, nops, ops, loop, ctx, true);
}
