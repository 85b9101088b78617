/* Internal: random generators. MT19937 with PyTorch's seeding, 64-bit draws and state layout; the
 * default generator is PyTorch's default CPU generator, and cg_generator_new makes others
 * (torch.Generator). Each has a mutex: a random op holds its generator for the whole fill, as
 * PyTorch's kernels do, so threads may draw from one generator at once (each fill is then one
 * piece of the generator's one stream). */
#ifndef CG_CORE_GENERATOR_H
#define CG_CORE_GENERATOR_H

#include "cgrad.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define CG_MT_N 624

struct cg_generator {
    pthread_mutex_t lock;
    uint64_t seed;             /* as given: only the low 32 bits seed the engine */
    bool seeded;               /* false for the default generator until its first use */
    int left;                  /* PyTorch's mt19937: draws left before the next twist, plus one */
    int next;                  /* the state word the next draw tempers */
    uint32_t state[CG_MT_N];
    bool has_cached_normal;    /* the second Box-Muller sample, PyTorch's next_double_normal_sample */
    double cached_normal;
};

/* The generator g names (the default one for NULL), locked for a fill; cg_generator_unlock ends it. */
cg_generator *cg_generator_lock(cg_generator *g);
void cg_generator_unlock(cg_generator *g);

/* Draws from a locked generator. */
uint32_t cg_gen_random32(cg_generator *g);  /* the next MT19937 output */
uint64_t cg_gen_random64(cg_generator *g);  /* two outputs, the first in the high half */
/* The cached second normal sample: taken (cleared) by the next per-element normal draw. */
bool cg_gen_take_cached_normal(cg_generator *g, double *value);
void cg_gen_cache_normal(cg_generator *g, double value);

/* One draw from the default generator, locked for that draw alone (tests of the engine). */
uint32_t cg_random32(void);
uint64_t cg_random64(void);

#endif
