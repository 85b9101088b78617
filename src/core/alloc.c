/* The allocation seam: PyTorch's out-of-memory message and injected failures for tests. */
#include "core/alloc.h"

#include "core/tensor.h"

#include <stdint.h>
#include <stdlib.h>

_Thread_local long cg_alloc_countdown_ = -1;
_Thread_local unsigned long cg_alloc_failures_;

static _Thread_local bool persistent; /* every allocation from the armed one on fails */
static _Thread_local bool fired;

static long arm(long n, bool every) {
    long previous = cg_alloc_countdown_ >= 0 && !fired ? cg_alloc_countdown_ + 1 : -1;
    cg_alloc_countdown_ = n >= 1 ? n - 1 : -1;
    persistent = every;
    fired = false;
    return previous;
}

long cg_debug_fail_allocation_after(long n) { return arm(n, false); }
long cg_debug_fail_allocations_from(long n) { return arm(n, true); }

bool cg_alloc_inject_(void) {
    if (cg_alloc_countdown_ > 0) {
        cg_alloc_countdown_--;
        return false;
    }
    fired = true;
    if (!persistent) cg_alloc_countdown_ = -1;
    return true;
}

void cg_alloc_failed(size_t nbytes) {
    cg_alloc_failures_++;
    cg_set_error("[enforce fail at alloc_cpu.cpp:75] err == 0. DefaultCPUAllocator: can't allocate memory: you "
                 "tried to allocate %zu bytes. Error code 12 (Cannot allocate memory)", nbytes);
}

void *cg_malloc(size_t nbytes) {
    void *p = cg_alloc_should_fail() ? NULL : malloc(nbytes ? nbytes : 1);
    if (!p) cg_alloc_failed(nbytes);
    return p;
}

void *cg_calloc(size_t count, size_t size) {
    if (size && count > SIZE_MAX / size) {
        cg_alloc_failed(SIZE_MAX);
        return NULL;
    }
    void *p = cg_alloc_should_fail() ? NULL : calloc(count ? count : 1, size ? size : 1);
    if (!p) cg_alloc_failed(count * size);
    return p;
}

void *cg_realloc(void *block, size_t nbytes) {
    void *p = cg_alloc_should_fail() ? NULL : realloc(block, nbytes ? nbytes : 1);
    if (!p) cg_alloc_failed(nbytes);
    return p;
}

void cg_free(void *block) { free(block); }
