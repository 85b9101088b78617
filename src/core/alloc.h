/* Internal: every allocation of the library goes through here, so that running out of memory
 * sets PyTorch's message in one place and tests can make any allocation fail (as SQLite does).
 *
 * cg_debug_fail_allocation_after(n) makes the n-th allocation from now on this thread fail (1:
 * the next one), once; -1 turns it off (cg_debug_fail_allocations_from: that one and every one after). A block reused from a free list counts as an allocation. */
#ifndef CG_CORE_ALLOC_H
#define CG_CORE_ALLOC_H

#include <stdbool.h>
#include <stddef.h>

/* Allocations left before the injected failure; negative when none is armed. */
extern _Thread_local long cg_alloc_countdown_;
/* How many allocations have failed on this thread (injected or real): a mark for callers that
 * must know whether anything failed across calls that cannot report it (recording history). */
extern _Thread_local unsigned long cg_alloc_failures_;

/* Arms (n >= 1) or disarms (n < 0) the injected failure. Returns the allocations that were still to
 * go before the previous one, or -1 if none was pending (it already happened, or none was armed). */
long cg_debug_fail_allocation_after(long n);
/* The same, but every allocation from the n-th on fails until disarmed (cleanup paths that
 * allocate are exercised too). */
long cg_debug_fail_allocations_from(long n);

/* The slow path of the injection: true when this allocation is the one that must fail. */
bool cg_alloc_inject_(void);
/* Records a failed allocation of nbytes: counts it and sets PyTorch's message. */
void cg_alloc_failed(size_t nbytes);

/* One predictable branch on the hot path. */
static inline bool cg_alloc_should_fail(void) {
    return __builtin_expect(cg_alloc_countdown_ >= 0, 0) && cg_alloc_inject_();
}

/* malloc, calloc, realloc and free; on failure NULL with the message set (realloc leaves the old
 * block as it was). A size of 0 allocates 1 byte, so NULL always means failure. */
void *cg_malloc(size_t nbytes);
void *cg_calloc(size_t count, size_t size);
void *cg_realloc(void *block, size_t nbytes);
void cg_free(void *block);

/* Blocks of at least CG_BIG_BLOCK bytes (the storages of big tensors) are cached when freed, for
 * reuse without faulting pages in again (cg_set_cache_limit bounds the bytes kept; cg_empty_cache
 * and the end of the program free them). cg_block_alloc is cg_malloc otherwise; cg_block_free
 * takes the size the block was allocated with. Off under AddressSanitizer and with CG_NO_CACHE. */
#define CG_BIG_BLOCK ((size_t)128 << 10)
void *cg_block_alloc(size_t nbytes);
void cg_block_free(void *block, size_t nbytes);
size_t cg_block_cache_bytes(void); /* bytes in the cache now */

#endif
