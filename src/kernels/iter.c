#include "kernels/iter.h"

#include <string.h>

void cg_iter_init(cg_iter *it, int ndim, const int64_t *sizes) {
    it->nops = 0;
    it->ndim = ndim;
    if (ndim) memcpy(it->sizes, sizes, (size_t)ndim * sizeof *sizes);
}

void cg_iter_add(cg_iter *it, const cg_tensor *t) {
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
static void coalesce(cg_iter *it) {
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

void cg_iter_run(cg_iter *it, cg_loop_fn loop, const void *ctx) {
    for (int d = 0; d < it->ndim; d++)
        if (it->sizes[d] == 0) return;
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
