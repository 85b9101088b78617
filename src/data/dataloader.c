/* torch.utils.data.DataLoader over a TensorDataset, single-process, with the random draws of
 * PyTorch 1.13 in the same order, so the same seed gives the same batches and leaves the generators
 * where PyTorch leaves them:
 * - iter(loader) draws the base seed for workers, torch.empty((), int64).random_(generator=g);
 * - the first batch starts the sampler: RandomSampler without a generator draws its seed the same
 *   way from the default generator and shuffles with randperm(n) of a fresh generator of that seed;
 *   with one, it calls randperm(n, generator=g) itself;
 * - RandomSampler then calls randperm(n, generator)[:0] when the batches first ask past the end.
 * A batch is default_collate of the samples: each tensor's rows, stacked (index_select on dim 0). */
#include "cgrad.h"
#include "core/tensor.h"

#include <stdlib.h>
#include <string.h>

struct cg_dataloader {
    cg_tensor **tensors;
    int ntensors;
    int64_t n, batch_size;
    bool shuffle, drop_last;
    cg_generator *generator; /* the caller's (loader.generator), or NULL */
    /* the epoch */
    bool in_epoch, started, tail_drawn, done;
    int64_t *order, pos;
};

/* torch.empty((), dtype=torch.int64).random_(generator=g).item(): random64 % 2^63, drawn here as
 * randint's full-range form [INT64_MIN, 0) shifted back. */
static int draw_seed(cg_generator *g, uint64_t *seed) {
    int rc = -1;
    cg_scope_begin();
    cg_tensor *t = cg_randint_gen(INT64_MIN, 0, 0, NULL, g);
    int64_t v;
    if (t && cg_copy_to(t, &v, 1, CG_INT64) == 0) {
        *seed = (uint64_t)v + (UINT64_C(1) << 63);
        rc = 0;
    }
    cg_scope_end();
    return rc;
}

/* randperm(n, generator=g) into order (NULL: drawn and dropped, the sampler's [:0]). */
static int draw_perm(cg_dataloader *dl, cg_generator *g, int64_t *order) {
    int rc = -1;
    cg_scope_begin();
    cg_tensor *p = cg_randperm_gen(dl->n, CG_INT64, g);
    if (p) rc = order ? cg_copy_to(p, order, (size_t)dl->n, CG_INT64) : 0;
    cg_scope_end();
    return rc;
}

cg_dataloader *cg_dataloader_new_opts(cg_dataloader_args args) {
    cg_tensor *const *tensors = args.tensors;
    int ntensors = args.ntensors;
    if (ntensors < 0 || (ntensors && !tensors)) return NULL;
    if (ntensors == 0) {
        cg_set_error("At least one tensor required");
        return NULL;
    }
    for (int i = 0; i < ntensors; i++) {
        if (!tensors[i]) return NULL;
        if (cg_ndim(tensors[i]) == 0) {
            cg_set_error("DataLoader: tensor %d is 0-dim: samples are taken along its first dim", i);
            return NULL;
        }
        if (cg_size(tensors[i], 0) != cg_size(tensors[0], 0)) {
            cg_set_error("Size mismatch between tensors");
            return NULL;
        }
    }
    int64_t bs = args.batch_size ? args.batch_size : 1;
    if (bs < 0) {
        cg_set_value_error("batch_size should be a positive integer value, but got batch_size=%lld", (long long)bs);
        return NULL;
    }
    int64_t n = cg_size(tensors[0], 0);
    if (args.shuffle && n == 0) {
        cg_set_value_error("num_samples should be a positive integer value, but got num_samples=0");
        return NULL;
    }
    cg_dataloader *dl = calloc(1, sizeof *dl);
    if (dl) dl->tensors = calloc((size_t)ntensors, sizeof *dl->tensors);
    if (dl && dl->tensors) dl->order = malloc((size_t)(n ? n : 1) * sizeof *dl->order);
    if (!dl || !dl->tensors || !dl->order) {
        if (dl) free(dl->tensors);
        free(dl);
        cg_set_error("DataLoader: out of memory");
        return NULL;
    }
    for (int i = 0; i < ntensors; i++) dl->tensors[i] = cg_retain(tensors[i]);
    dl->ntensors = ntensors;
    dl->n = n;
    dl->batch_size = bs;
    dl->shuffle = args.shuffle;
    dl->drop_last = args.drop_last;
    dl->generator = args.generator;
    return dl;
}

void cg_dataloader_free(cg_dataloader *dl) {
    if (!dl) return;
    for (int i = 0; i < dl->ntensors; i++) cg_release(dl->tensors[i]);
    free(dl->tensors);
    free(dl->order);
    free(dl);
}

int64_t cg_dataloader_len(const cg_dataloader *dl) {
    if (!dl) return -1;
    return dl->drop_last ? dl->n / dl->batch_size : (dl->n + dl->batch_size - 1) / dl->batch_size;
}

int cg_dataloader_begin(cg_dataloader *dl) {
    if (!dl) return -1;
    uint64_t base_seed;
    if (draw_seed(dl->generator, &base_seed) != 0) return -1;
    dl->in_epoch = true;
    dl->started = dl->tail_drawn = dl->done = false;
    dl->pos = 0;
    return 0;
}

/* The sampler's first draws: the order of this epoch. */
static int start_sampler(cg_dataloader *dl) {
    if (!dl->shuffle) {
        for (int64_t i = 0; i < dl->n; i++) dl->order[i] = i;
        return 0;
    }
    if (dl->generator) return draw_perm(dl, dl->generator, dl->order);
    uint64_t seed;
    if (draw_seed(NULL, &seed) != 0) return -1;
    cg_generator *g = cg_generator_new(seed);
    if (!g) {
        cg_set_error("DataLoader: out of memory");
        return -1;
    }
    int rc = draw_perm(dl, g, dl->order);
    cg_generator_free(g);
    return rc;
}

static int collate(cg_dataloader *dl, int64_t count, cg_tensor **batch) {
    int rc = 0;
    cg_scope_begin();
    cg_tensor *index = cg_from_data(dl->order + dl->pos, CG_INT64, 1, &count);
    for (int i = 0; i < dl->ntensors; i++) {
        batch[i] = cg_keep(cg_index_select(dl->tensors[i], 0, index));
        if (!batch[i]) rc = -1;
    }
    cg_scope_end();
    if (rc != 0)
        for (int i = 0; i < dl->ntensors; i++) batch[i] = NULL;
    return rc;
}

int cg_dataloader_next(cg_dataloader *dl, cg_tensor **batch) {
    if (!dl || !batch) return -1;
    if (!dl->in_epoch) {
        cg_set_error("DataLoader: cg_dataloader_begin starts an epoch before cg_dataloader_next");
        return -1;
    }
    if (dl->done) return 0;
    if (!dl->started) {
        if (start_sampler(dl) != 0) return -1;
        dl->started = true;
    }
    int64_t left = dl->n - dl->pos, count = left < dl->batch_size ? left : dl->batch_size;
    /* Asking past the last index runs the rest of RandomSampler: its randperm(n)[:0]. */
    if (left < dl->batch_size && !dl->tail_drawn) {
        if (dl->shuffle && dl->generator && draw_perm(dl, dl->generator, NULL) != 0) return -1;
        dl->tail_drawn = true;
    }
    if (count == 0 || (dl->drop_last && count < dl->batch_size)) {
        dl->done = true;
        return 0;
    }
    if (collate(dl, count, batch) != 0) return -1;
    dl->pos += count;
    return 1;
}
