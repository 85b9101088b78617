/* Striped locks (core/lock.h): spin locks on C11 atomics, which ThreadSanitizer understands. The
 * common case takes a lock no other thread holds, where one exchange is all it costs (a pthread
 * mutex costs a call and several times the instructions); a waiter yields its CPU between tries,
 * as a holder may run a whole backward formula. */
#include "core/lock.h"

#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#define STRIPES 64 /* a power of two */
#define SPINS 64   /* tries before a waiter starts yielding */

static atomic_bool stripes[CG_LOCK_KINDS][STRIPES];

static atomic_bool *stripe(cg_lock_kind kind, const void *object) {
    uint64_t h = (uint64_t)(uintptr_t)object * 0x9e3779b97f4a7c15u;
    return &stripes[kind][(h >> 40) & (STRIPES - 1)];
}

void cg_lock(cg_lock_kind kind, const void *object) {
    atomic_bool *l = stripe(kind, object);
    for (int tries = 0; atomic_exchange_explicit(l, true, memory_order_acquire); tries++) {
        /* wait reading, not writing, so the holder's cache line stays put */
        while (atomic_load_explicit(l, memory_order_relaxed))
            if (++tries > SPINS) sched_yield();
    }
}

void cg_unlock(cg_lock_kind kind, const void *object) {
    atomic_store_explicit(stripe(kind, object), false, memory_order_release);
}
