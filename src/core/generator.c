/* MT19937 with PyTorch's seeding, 64-bit draws and get_state/set_state layout. Until it is seeded
 * the default generator takes a seed from /dev/urandom (falling back to the clock), as PyTorch
 * seeds its default generator non-deterministically; a new generator starts from PyTorch's
 * default seed. */
#include "core/generator.h"

#include "core/tensor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MT_M 397
#define DEFAULT_SEED 67280421310721ull /* torch.Generator().initial_seed() */

static cg_generator default_generator = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void mt_seed(cg_generator *g, uint64_t seed) {
    g->seed = seed;
    g->state[0] = (uint32_t)(seed & 0xffffffffu);
    for (uint32_t i = 1; i < CG_MT_N; i++)
        g->state[i] = 1812433253u * (g->state[i - 1] ^ (g->state[i - 1] >> 30)) + i;
    g->left = 1; /* the first draw twists */
    g->next = 0;
    g->seeded = true;
    g->has_cached_normal = false;
}

/* Regenerates all CG_MT_N state words at once (the standard recurrence). */
static void mt_twist(cg_generator *g) {
    for (int i = 0; i < CG_MT_N; i++) {
        uint32_t y = (g->state[i] & 0x80000000u) | (g->state[(i + 1) % CG_MT_N] & 0x7fffffffu);
        g->state[i] = g->state[(i + MT_M) % CG_MT_N] ^ (y >> 1) ^ ((y & 1u) ? 0x9908b0dfu : 0u);
    }
    g->left = CG_MT_N;
    g->next = 0;
}

static uint64_t nondeterministic_seed(void) {
    uint64_t seed = 0;
    FILE *f = fopen("/dev/urandom", "rb");
    if (f) {
        size_t got = fread(&seed, sizeof seed, 1, f);
        fclose(f);
        if (got == 1) return seed;
    }
    return (uint64_t)time(NULL) ^ ((uint64_t)clock() << 32) ^ (uint64_t)(uintptr_t)&seed;
}

/* g (the default generator for NULL), locked as it is: for the calls that reseed it. */
static cg_generator *lock_unseeded(cg_generator *g) {
    if (!g) g = &default_generator;
    pthread_mutex_lock(&g->lock);
    return g;
}

cg_generator *cg_generator_lock(cg_generator *g) {
    g = lock_unseeded(g);
    if (!g->seeded) mt_seed(g, nondeterministic_seed());
    return g;
}

void cg_generator_unlock(cg_generator *g) { pthread_mutex_unlock(&g->lock); }

uint32_t cg_gen_random32(cg_generator *g) {
    if (--g->left == 0) mt_twist(g);
    uint32_t y = g->state[g->next++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
}

uint64_t cg_gen_random64(cg_generator *g) {
    uint64_t high = cg_gen_random32(g);
    return (high << 32) | cg_gen_random32(g);
}

bool cg_gen_take_cached_normal(cg_generator *g, double *value) {
    if (!g->has_cached_normal) return false;
    *value = g->cached_normal;
    g->has_cached_normal = false;
    return true;
}

void cg_gen_cache_normal(cg_generator *g, double value) {
    g->cached_normal = value;
    g->has_cached_normal = true;
}

uint32_t cg_random32(void) {
    cg_generator *g = cg_generator_lock(NULL);
    uint32_t r = cg_gen_random32(g);
    cg_generator_unlock(g);
    return r;
}

uint64_t cg_random64(void) {
    cg_generator *g = cg_generator_lock(NULL);
    uint64_t r = cg_gen_random64(g);
    cg_generator_unlock(g);
    return r;
}

/* ---- the public calls ---- */

cg_generator *cg_default_generator(void) { return &default_generator; }

cg_generator *cg_generator_new(uint64_t seed) {
    cg_generator *g = cg_malloc(sizeof *g);
    if (!g) return NULL;
    if (pthread_mutex_init(&g->lock, NULL) != 0) {
        cg_free(g);
        cg_set_error("could not create a generator's mutex");
        return NULL;
    }
    mt_seed(g, seed);
    return g;
}

void cg_generator_free(cg_generator *g) {
    if (!g || g == &default_generator) return;
    pthread_mutex_destroy(&g->lock);
    cg_free(g);
}

void cg_generator_manual_seed(cg_generator *g, uint64_t seed) {
    g = lock_unseeded(g);
    mt_seed(g, seed);
    cg_generator_unlock(g);
}

void cg_manual_seed(uint64_t seed) { cg_generator_manual_seed(NULL, seed); }

uint64_t cg_generator_initial_seed(cg_generator *g) {
    g = cg_generator_lock(g);
    uint64_t seed = g->seed;
    cg_generator_unlock(g);
    return seed;
}

uint64_t cg_initial_seed(void) { return cg_generator_initial_seed(NULL); }

/* PyTorch's CPUGeneratorImplState: the legacy state (initial seed, left, seeded, next, the state
 * words widened to 64 bits, Box-Muller's x, y, rho and valid flag: 5048 bytes with its padding),
 * then the float normal sample and its flag. Written field by field at the offsets of that
 * struct on x86-64, little-endian. */
enum {
    AT_SEED = 0,
    AT_LEFT = 8,
    AT_SEEDED = 12,
    AT_NEXT = 16,
    AT_STATE = 24,
    AT_NORMAL_X = AT_STATE + 8 * CG_MT_N,
    AT_NORMAL_Y = AT_NORMAL_X + 8,
    AT_NORMAL_RHO = AT_NORMAL_Y + 8,
    AT_NORMAL_VALID = AT_NORMAL_RHO + 8,
    LEGACY_SIZE = AT_NORMAL_VALID + 8,
    AT_FLOAT_NORMAL = LEGACY_SIZE,
    AT_FLOAT_NORMAL_VALID = AT_FLOAT_NORMAL + 4,
};
_Static_assert(CG_GENERATOR_STATE_SIZE == AT_FLOAT_NORMAL_VALID + 4, "PyTorch's state is 5056 bytes");

static void put(unsigned char *p, uint64_t v, int bytes) {
    for (int i = 0; i < bytes; i++) p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get(const unsigned char *p, int bytes) {
    uint64_t v = 0;
    for (int i = 0; i < bytes; i++) v |= (uint64_t)p[i] << (8 * i);
    return v;
}

int cg_generator_get_state(cg_generator *g, void *state, size_t size) {
    if (!state) return -1;
    if (size < CG_GENERATOR_STATE_SIZE) {
        cg_set_error("a generator's state needs %d bytes, got %zu", CG_GENERATOR_STATE_SIZE, size);
        return -1;
    }
    unsigned char *p = state;
    memset(p, 0, CG_GENERATOR_STATE_SIZE);
    g = cg_generator_lock(g);
    put(p + AT_SEED, g->seed, 8);
    put(p + AT_LEFT, (uint32_t)g->left, 4);
    put(p + AT_SEEDED, 1, 4);
    put(p + AT_NEXT, (uint64_t)g->next, 8);
    for (int i = 0; i < CG_MT_N; i++) put(p + AT_STATE + 8 * i, g->state[i], 8);
    if (g->has_cached_normal) {
        uint64_t bits;
        memcpy(&bits, &g->cached_normal, sizeof bits);
        put(p + AT_NORMAL_Y, bits, 8);
        put(p + AT_NORMAL_VALID, 1, 4);
    }
    cg_generator_unlock(g);
    return 0;
}

int cg_generator_set_state(cg_generator *g, const void *state, size_t size) {
    if (!state) return -1;
    if (size != LEGACY_SIZE && size != CG_GENERATOR_STATE_SIZE) {
        cg_set_error("Expected either a CPUGeneratorImplStateLegacy of size %d or a CPUGeneratorImplState of size %d "
                     "but found the input RNG state size to be %zu", LEGACY_SIZE, CG_GENERATOR_STATE_SIZE, size);
        return -1;
    }
    const unsigned char *p = state;
    int64_t left = (int32_t)get(p + AT_LEFT, 4);
    uint64_t next = get(p + AT_NEXT, 8);
    /* The draws before the next twist read state[next .. next + left - 2]: PyTorch accepts a state
     * whose left and next run past the array (and reads beyond it); cgrad refuses it. */
    if (get(p + AT_SEEDED, 4) == 0 || left <= 0 || left > CG_MT_N || next > CG_MT_N ||
        (uint64_t)left + next > CG_MT_N + 1) {
        cg_set_error("Invalid mt19937 state");
        return -1;
    }
    g = lock_unseeded(g);
    g->seed = get(p + AT_SEED, 8);
    g->seeded = true;
    g->left = (int)left;
    g->next = (int)next;
    for (int i = 0; i < CG_MT_N; i++) g->state[i] = (uint32_t)get(p + AT_STATE + 8 * i, 8);
    g->has_cached_normal = get(p + AT_NORMAL_VALID, 4) != 0;
    uint64_t bits = get(p + AT_NORMAL_Y, 8);
    memcpy(&g->cached_normal, &bits, sizeof bits);
    if (!g->has_cached_normal) g->cached_normal = 0;
    cg_generator_unlock(g);
    return 0;
}
