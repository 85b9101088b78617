/* MT19937 with PyTorch's seeding and 64-bit draws. Until cg_manual_seed is called the engine is
 * seeded from /dev/urandom (falling back to the clock), as PyTorch seeds its default generator
 * non-deterministically. */
#include "core/generator.h"

#include "cgrad.h"

#include <stdio.h>
#include <time.h>

#define MT_N 624
#define MT_M 397

static struct {
    bool seeded;
    int next;  /* index of the next state word to temper; MT_N means "twist first" */
    uint32_t state[MT_N];
    bool has_cached_normal;
    double cached_normal;
} gen;

static void mt_seed(uint32_t seed) {
    gen.state[0] = seed;
    for (uint32_t i = 1; i < MT_N; i++)
        gen.state[i] = 1812433253u * (gen.state[i - 1] ^ (gen.state[i - 1] >> 30)) + i;
    gen.next = MT_N;
    gen.seeded = true;
}

/* Regenerates all MT_N state words at once (the standard recurrence). */
static void mt_twist(void) {
    for (int i = 0; i < MT_N; i++) {
        uint32_t y = (gen.state[i] & 0x80000000u) | (gen.state[(i + 1) % MT_N] & 0x7fffffffu);
        gen.state[i] = gen.state[(i + MT_M) % MT_N] ^ (y >> 1) ^ ((y & 1u) ? 0x9908b0dfu : 0u);
    }
    gen.next = 0;
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

void cg_manual_seed(uint64_t seed) {
    mt_seed((uint32_t)(seed & 0xffffffffu));
    gen.has_cached_normal = false;
}

uint32_t cg_random32(void) {
    if (!gen.seeded) cg_manual_seed(nondeterministic_seed());
    if (gen.next >= MT_N) mt_twist();
    uint32_t y = gen.state[gen.next++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
}

uint64_t cg_random64(void) {
    uint64_t high = cg_random32();
    return (high << 32) | cg_random32();
}

bool cg_take_cached_normal(double *value) {
    if (!gen.has_cached_normal) return false;
    *value = gen.cached_normal;
    gen.has_cached_normal = false;
    return true;
}

void cg_cache_normal(double value) {
    gen.cached_normal = value;
    gen.has_cached_normal = true;
}
