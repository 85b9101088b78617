/* The allocation seam: PyTorch's out-of-memory message and injected failures for tests. */
#include "core/alloc.h"

#include "core/tensor.h"

#include <pthread.h>
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

/* ---- a cache of big blocks ----
 * glibc maps big blocks on their own and trims freed memory at the top of the heap, so a loop
 * that frees and remakes big tensors faults their pages in again each time. Freed big blocks are
 * kept instead, in lists by size class (four per doubling, so a block fits every request of its
 * class; the rounding costs address space, not resident pages, until a bigger request touches
 * them), up to a limit on the bytes kept, which counts the classes' sizes. One lock for all
 * threads: a big block is worth it. */

#if defined(__SANITIZE_ADDRESS__)
#define BLOCK_CACHE 0 /* every block back to free(), so AddressSanitizer sees a use after free */
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BLOCK_CACHE 0
#endif
#endif
#ifndef BLOCK_CACHE
#ifdef CG_NO_CACHE
#define BLOCK_CACHE 0
#else
#define BLOCK_CACHE 1
#endif
#endif

#define CLASSES_PER_DOUBLING 4
#define CLASSES (64 * CLASSES_PER_DOUBLING)

typedef struct cached_big {
    struct cached_big *next;
} cached_big;

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static cached_big *lists[CLASSES];
static size_t cached_bytes, cache_limit = BLOCK_CACHE ? (size_t)256 << 20 : 0;
static bool cache_closed; /* emptied at exit: blocks freed later go to free() */
static pthread_once_t exit_once = PTHREAD_ONCE_INIT;

static int floor_log2(size_t n) { return 63 - __builtin_clzll((unsigned long long)n); }

/* Blocks hold a header before their bytes (a storage's): a class has room for one beyond its
 * round size, so a tensor of 2^k bytes does not take the next class up. */
#define SLACK 4096

/* The class's size: nbytes - SLACK rounded up to a quarter of its power of two, plus SLACK. */
static size_t class_size(size_t nbytes) {
    size_t n = nbytes - SLACK, quarter = (size_t)1 << (floor_log2(n) - 2);
    return ((n + quarter - 1) & ~(quarter - 1)) + SLACK;
}

static int class_index(size_t size) { /* size is a class's size */
    size_t n = size - SLACK;
    int e = floor_log2(n);
    return e * CLASSES_PER_DOUBLING + (int)(n >> (e - 2)) - CLASSES_PER_DOUBLING;
}

/* Without the cache a block has its exact size, so AddressSanitizer sees an overrun of it. */
static bool cached_size(size_t nbytes) { return BLOCK_CACHE && nbytes >= CG_BIG_BLOCK && nbytes <= SIZE_MAX / 4; }

static void empty_cache_locked(void) {
    for (int c = 0; c < CLASSES; c++) {
        while (lists[c]) {
            cached_big *b = lists[c];
            lists[c] = b->next;
            free(b);
        }
    }
    cached_bytes = 0;
}

static void close_cache_at_exit(void) {
    pthread_mutex_lock(&cache_lock);
    empty_cache_locked();
    cache_closed = true;
    pthread_mutex_unlock(&cache_lock);
}

static void install_exit_handler(void) { atexit(close_cache_at_exit); }

void *cg_block_alloc(size_t nbytes) {
    if (!cached_size(nbytes)) return cg_malloc(nbytes);
    if (cg_alloc_should_fail()) { /* a reused block counts as an allocation */
        cg_alloc_failed(nbytes);
        return NULL;
    }
    size_t size = class_size(nbytes);
    int c = class_index(size);
    pthread_mutex_lock(&cache_lock);
    cached_big *b = lists[c];
    if (b) {
        lists[c] = b->next;
        cached_bytes -= size;
    }
    pthread_mutex_unlock(&cache_lock);
    void *p = b ? (void *)b : malloc(size);
    if (!p) cg_alloc_failed(nbytes);
    return p;
}

void cg_block_free(void *block, size_t nbytes) {
    if (!block) return;
    if (!cached_size(nbytes)) {
        free(block);
        return;
    }
    size_t size = class_size(nbytes);
    pthread_mutex_lock(&cache_lock);
    bool keep = !cache_closed && size <= cache_limit - cached_bytes;
    if (keep) {
        cached_big *b = block;
        b->next = lists[class_index(size)];
        lists[class_index(size)] = b;
        cached_bytes += size;
    }
    pthread_mutex_unlock(&cache_lock);
    if (keep)
        pthread_once(&exit_once, install_exit_handler);
    else
        free(block);
}

size_t cg_block_cache_bytes(void) {
    pthread_mutex_lock(&cache_lock);
    size_t n = cached_bytes;
    pthread_mutex_unlock(&cache_lock);
    return n;
}

void cg_empty_cache(void) {
    pthread_mutex_lock(&cache_lock);
    empty_cache_locked();
    pthread_mutex_unlock(&cache_lock);
}

size_t cg_set_cache_limit(size_t bytes) {
    pthread_mutex_lock(&cache_lock);
    size_t previous = cache_limit;
    cache_limit = BLOCK_CACHE ? bytes : 0;
    if (cached_bytes > cache_limit) empty_cache_locked();
    pthread_mutex_unlock(&cache_lock);
    return previous;
}
