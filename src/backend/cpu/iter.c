#include "backend/cpu/iter.h"

#include "backend/cpu/parallel.h"

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

/* Calls loop over the elements [begin, end) of the coalesced iteration, in row-major order, one
 * call per run of the innermost dim. */
static void run_range(const iteration *it, int64_t begin, int64_t end, cg_loop_fn loop, const void *ctx) {
    char *ptrs[CG_ITER_MAX_OPS];
    int64_t inner_strides[CG_ITER_MAX_OPS];
    for (int op = 0; op < it->nops; op++) ptrs[op] = it->data[op];
    if (it->ndim == 0) {
        for (int op = 0; op < it->nops; op++) inner_strides[op] = 0;
        loop(ptrs, inner_strides, 1, ctx);
        return;
    }
    int inner = it->ndim - 1;
    int64_t n = it->sizes[inner], col = 0, counter[CG_MAX_DIMS] = {0};
    if (begin > 0) { /* a piece of a parallel region: find its first element */
        col = begin % n;
        for (int64_t row = begin / n, d = inner - 1; row > 0 && d >= 0; row /= it->sizes[d], d--) {
            counter[d] = row % it->sizes[d];
            for (int op = 0; op < it->nops; op++) ptrs[op] += counter[d] * it->strides[op][d];
        }
    }
    for (int op = 0; op < it->nops; op++) {
        inner_strides[op] = it->strides[op][inner];
        ptrs[op] += col * inner_strides[op];
    }
    for (;;) {
        int64_t len = end - begin < n - col ? end - begin : n - col;
        loop(ptrs, inner_strides, len, ctx);
        begin += len;
        if (begin >= end) return;
        for (int op = 0; op < it->nops; op++) ptrs[op] -= col * inner_strides[op];
        col = 0;
        for (int d = inner - 1; d >= 0; d--) {
            for (int op = 0; op < it->nops; op++) ptrs[op] += it->strides[op][d];
            if (++counter[d] < it->sizes[d]) break;
            for (int op = 0; op < it->nops; op++) ptrs[op] -= it->strides[op][d] * it->sizes[d];
            counter[d] = 0;
        }
    }
}

typedef struct {
    const iteration *it;
    cg_loop_fn loop;
    const void *ctx;
} piece_ctx;

/* A piece's ends move back to a multiple of 64 elements into their row (or its start), so that
 * every loop call of a split row but the last has a length that is a multiple of 64: vectorized
 * loops then take their vector and scalar paths on the same elements as without threads. */
static int64_t align_in_row(const iteration *it, int64_t i) {
    int64_t n = it->ndim ? it->sizes[it->ndim - 1] : 1;
    return i - i % n % 64;
}

static void run_piece(int64_t begin, int64_t end, void *arg) {
    const piece_ctx *p = arg;
    begin = align_in_row(p->it, begin);
    end = align_in_row(p->it, end);
    if (begin < end) run_range(p->it, begin, end, p->loop, p->ctx);
}

static void run(int ndim, const int64_t *sizes, int nops, const cg_tensor *const *ops, cg_loop_fn loop,
                const void *ctx, bool memory_order, bool parallel) {
    iteration iter, *it = &iter; /* not zero-filled: it is rebuilt for every copy and clone */
    it->nops = 0;
    it->ndim = ndim;
    int64_t numel = 1;
    for (int d = 0; d < ndim; d++) {
        if (sizes[d] == 0) return;
        it->sizes[d] = sizes[d];
        numel *= sizes[d];
    }
    for (int i = 0; i < nops; i++) add_operand(it, ops[i]);
    if (memory_order) sort_by_first_operand(it);
    coalesce(it);
    if (parallel && numel > CG_GRAIN_SIZE)
        cg_parallel_for(0, numel, CG_GRAIN_SIZE, run_piece, &(piece_ctx){it, loop, ctx});
    else
        run_range(it, 0, numel, loop, ctx);
}

void cg_iter_run(int ndim, const int64_t *sizes, int nops, const cg_tensor *const *ops, cg_loop_fn loop,
                 const void *ctx) {
    run(ndim, sizes, nops, ops, loop, ctx, false, false);
}

void cg_iter_run_parallel(int ndim, const int64_t *sizes, int nops, const cg_tensor *const *ops, cg_loop_fn loop,
                          const void *ctx) {
    run(ndim, sizes, nops, ops, loop, ctx, false, true);
}

void cg_iter_run_memory_order(int nops, const cg_tensor *const *ops, cg_loop_fn loop, const void *ctx) {
    run(ops[0]->ndim, ops[0]->sizes, nops, ops, loop, ctx, true, true);
}
