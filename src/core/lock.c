/* Striped locks (core/lock.h): pthread mutexes, which ThreadSanitizer understands. */
#include "core/lock.h"

#include <pthread.h>
#include <stdint.h>

#define STRIPES 64 /* a power of two */
#define STRIPE_ROW {[0 ... STRIPES - 1] = PTHREAD_MUTEX_INITIALIZER}

static pthread_mutex_t stripes[CG_LOCK_KINDS][STRIPES] = {STRIPE_ROW, STRIPE_ROW, STRIPE_ROW};

static pthread_mutex_t *stripe(cg_lock_kind kind, const void *object) {
    uint64_t h = (uint64_t)(uintptr_t)object * 0x9e3779b97f4a7c15u;
    return &stripes[kind][(h >> 40) & (STRIPES - 1)];
}

void cg_lock(cg_lock_kind kind, const void *object) { pthread_mutex_lock(stripe(kind, object)); }
void cg_unlock(cg_lock_kind kind, const void *object) { pthread_mutex_unlock(stripe(kind, object)); }
