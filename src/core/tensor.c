/* Storage, tensor headers, refcounts and scopes. */
#include "core/tensor.h"

#include "backend/backend.h"

#include <stdlib.h>
#include <string.h>
#include <threads.h>

/* ---- free lists ---- */

#if defined(__SANITIZE_ADDRESS__)
#define CG_NO_CACHE
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CG_NO_CACHE
#endif
#endif

#ifdef CG_NO_CACHE
#define CACHE_LIMIT 0
#else
#define CACHE_LIMIT 1024 /* blocks per kind: enough for the temporaries of a typical step */
#endif

typedef struct cached_block {
    struct cached_block *next;
} cached_block;

static _Thread_local struct {
    cached_block *head;
    int count;
} caches[CG_CACHE_KINDS];
static _Thread_local bool caches_closed; /* emptied for good: at exit, or at the thread's end */

static void release_at_exit(void); /* the first time a thread's lists hold something */

/* A reused block counts as an allocation for injected failures. */
static inline void *cache_alloc(cg_cache_kind kind, size_t size) {
    cached_block *b = caches[kind].head;
    if (!b || cg_alloc_should_fail()) return b ? (cg_alloc_failed(size), NULL) : cg_malloc(size);
    caches[kind].head = b->next;
    caches[kind].count--;
    return b;
}

static inline void cache_free(cg_cache_kind kind, void *block) {
    if (caches[kind].count >= CACHE_LIMIT || caches_closed) {
        cg_free(block);
        return;
    }
    if (!caches[kind].head) release_at_exit();
    cached_block *b = block;
    b->next = caches[kind].head;
    caches[kind].head = b;
    caches[kind].count++;
}

void *cg_cache_alloc(cg_cache_kind kind, size_t size) { return cache_alloc(kind, size); }

void cg_cache_free(cg_cache_kind kind, void *block) {
    if (block) cache_free(kind, block);
}

static void empty_caches(void) {
    for (int k = 0; k < CG_CACHE_KINDS; k++) {
        while (caches[k].head) {
            cached_block *b = caches[k].head;
            caches[k].head = b->next;
            cg_free(b);
        }
        caches[k].count = 0;
    }
}

static void close_caches(void *unused) {
    (void)unused;
    empty_caches();
    caches_closed = true; /* blocks freed later go straight to cg_free() */
}

/* ---- storage ---- */

/* The storage header and its bytes are one allocation: the bytes start at the first CG_ALIGN
 * boundary after the header. Plain malloc plus rounding up is several times cheaper than
 * aligned_alloc, which matters for the many tiny tensors of scalar code; blocks of up to
 * SMALL_STORAGE bytes all have one size and are recycled through a free list. */
#define SMALL_STORAGE 64
#define BLOCK_SIZE(nbytes) (sizeof(cg_storage) + CG_ALIGN - 1 + (nbytes))

cg_storage *cg_storage_new(size_t nbytes) {
    char *block;
    if (nbytes <= SMALL_STORAGE) {
        block = cache_alloc(CG_CACHE_STORAGE, BLOCK_SIZE(SMALL_STORAGE));
    } else if (nbytes > SIZE_MAX / 2) {
        cg_alloc_failed(nbytes);
        return NULL;
    } else {
        block = cg_block_alloc(BLOCK_SIZE(nbytes));
    }
    if (!block) {
        cg_alloc_failed(nbytes); /* PyTorch names the bytes asked for, not the header's */
        return NULL;
    }
    cg_storage *s = (cg_storage *)block;
    cg_ref_init(&s->refcount);
    s->version = 0;
    s->nbytes = nbytes;
    s->data = (char *)(((uintptr_t)(block + sizeof(cg_storage)) + CG_ALIGN - 1) & ~(uintptr_t)(CG_ALIGN - 1));
    s->owner = NULL;
    s->external = false;
    s->deleter = NULL;
    s->deleter_ctx = NULL;
    s->history_of = 0;
    s->backend = &cg_backend_cpu;
    s->inference = cg_inference_mode_;
    return s;
}

cg_storage *cg_storage_new_on(const cg_backend *b, size_t nbytes) {
    if (b == &cg_backend_cpu) return cg_storage_new(nbytes);
    cg_storage *s = b->storage_new(nbytes);
    if (s) s->inference = cg_inference_mode_;
    return s;
}

/* Frees a CPU storage that owns its bytes: the header and the bytes are one block. */
static inline void cpu_storage_free(cg_storage *s) {
    if (s->external) {
        if (s->deleter) s->deleter(s->data, s->deleter_ctx);
        cg_free(s);
    } else if (s->nbytes <= SMALL_STORAGE) {
        cache_free(CG_CACHE_STORAGE, s); /* the header is the start of the block */
    } else {
        cg_block_free(s, BLOCK_SIZE(s->nbytes));
    }
}

void cg_cpu_storage_free(cg_storage *s) { cpu_storage_free(s); }

cg_storage *cg_storage_external(void *data, size_t nbytes, void (*deleter)(void *, void *), void *ctx) {
    cg_storage *s = cg_malloc(sizeof *s);
    if (!s) return NULL;
    *s = (cg_storage){.refcount = 1, .nbytes = nbytes, .data = data, .backend = &cg_backend_cpu, .external = true,
                      .deleter = deleter, .deleter_ctx = ctx, .inference = cg_inference_mode_};
    return s;
}

cg_storage *cg_storage_alias(cg_storage *owner) {
    cg_storage *s = cg_malloc(sizeof *s);
    if (!s) return NULL;
    while (owner->owner) owner = owner->owner;
    cg_ref_inc(&owner->refcount);
    *s = (cg_storage){.refcount = 1, .nbytes = owner->nbytes, .data = owner->data, .backend = owner->backend,
                      .owner = owner, .inference = owner->inference};
    return s;
}

void cg_storage_release(cg_storage *s) {
    if (!s || !cg_ref_dec(&s->refcount)) return;
    if (s->owner) {
        cg_storage_release(s->owner);
        cg_free(s);
    } else if (s->backend == &cg_backend_cpu) {
        cpu_storage_free(s);
    } else {
        s->backend->storage_free(s);
    }
}

/* ---- scopes: one stack of registered tensors per thread, with a mark per open scope ---- */

_Thread_local cg_scope_stack cg_scopes_;
#define scopes cg_scopes_
static _Thread_local bool exit_handler_set;

static void release_from(size_t mark) {
    while (scopes.len > mark) cg_release(scopes.items[--scopes.len]);
}

/* What a thread leaves at its end: its root scope, its scope stack and its free lists. */
static void release_thread_state(void *unused) {
    (void)unused;
    release_from(0);
    cg_free(scopes.items);
    cg_free(scopes.marks);
    scopes = (cg_scope_stack){0};
    close_caches(NULL);
}

static void release_all_at_exit(void) { release_thread_state(NULL); }

/* The main thread's state is released when the program exits (by an exit handler), another
 * thread's when it ends (by the destructor of a thread-specific key). */
static tss_t thread_end_key;
static bool thread_end_key_made;
static once_flag handlers_once = ONCE_FLAG_INIT;

static void install_handlers(void) {
    atexit(release_all_at_exit);
    thread_end_key_made = tss_create(&thread_end_key, release_thread_state) == thrd_success;
}

static void release_at_exit(void) {
    if (exit_handler_set) return;
    exit_handler_set = true;
    call_once(&handlers_once, install_handlers);
    if (thread_end_key_made) tss_set(thread_end_key, &exit_handler_set); /* any non-NULL value */
}

int cg_scope_register(cg_tensor *t) {
    if (scopes.len == scopes.cap) {
        size_t cap = scopes.cap ? scopes.cap * 2 : 256;
        cg_tensor **items = cg_realloc(scopes.items, cap * sizeof *items);
        if (!items) return -1; /* the caller still owns t */
        scopes.items = items;
        scopes.cap = cap;
        release_at_exit();
    }
    scopes.items[scopes.len++] = t;
    return 0;
}

void cg_scope_begin(void) {
    if (scopes.unopened) { /* inside a scope that could not be opened: stay unopened (LIFO) */
        scopes.unopened++;
        return;
    }
    if (scopes.nmarks == scopes.capmarks) {
        size_t cap = scopes.capmarks ? scopes.capmarks * 2 : 16;
        size_t *marks = cg_realloc(scopes.marks, cap * sizeof *marks);
        if (!marks) {
            /* No room for a mark (only under injected failures, in practice): the scope is not
             * opened; what is registered in it stays in the enclosing scope until that one ends,
             * and the matching cg_scope_end does nothing. Nothing leaks and nothing is freed early. */
            scopes.unopened = 1;
            return;
        }
        scopes.marks = marks;
        scopes.capmarks = cap;
        release_at_exit();
    }
    scopes.marks[scopes.nmarks++] = scopes.len;
}

void cg_scope_end(void) {
    if (scopes.unopened) {
        scopes.unopened--;
        return;
    }
    release_from(scopes.nmarks ? scopes.marks[--scopes.nmarks] : 0);
}

cg_tensor *cg_scope_retain(cg_tensor *t) {
    if (!t || cg_scope_register(t) < 0) return NULL;
    cg_ref_inc(&t->refcount);
    return t;
}

cg_tensor *cg_keep(cg_tensor *t) {
    if (!t) return NULL;
    /* In the root scope, or in a scope that could not be opened: t is already where it goes. */
    if (scopes.nmarks == 0 || scopes.unopened) return t;
    /* Move the reference below the innermost mark, so the scope's end does not release it. */
    size_t mark = scopes.marks[scopes.nmarks - 1];
    if (cg_scope_register(t) < 0) return NULL;
    cg_ref_inc(&t->refcount);
    scopes.items[scopes.len - 1] = scopes.items[mark];
    scopes.items[mark] = t;
    scopes.marks[scopes.nmarks - 1] = mark + 1;
    return t;
}

cg_tensor *cg_rebind(cg_tensor **slot, cg_tensor *value) {
    if (!slot) return value;
    cg_tensor *old = *slot;
    *slot = value;
    /* Only a reference of the innermost opened scope is the variable's to drop: one in an
     * enclosing scope, or in the scope an unopened one stands in, may have other users. */
    /* value == old: an op that returns its argument (cg_requires_grad_) took no new reference. */
    if (!old || old == value || scopes.unopened) return value;
    size_t mark = scopes.nmarks ? scopes.marks[scopes.nmarks - 1] : 0;
    /* The old value was usually registered just before the new one: search from the top. */
    for (size_t i = scopes.len; i > mark; i--) {
        if (scopes.items[i - 1] != old) continue;
        memmove(&scopes.items[i - 1], &scopes.items[i], (scopes.len - i) * sizeof *scopes.items);
        scopes.len--;
        cg_release(old);
        break;
    }
    return value;
}

cg_tensor *cg_scope_end_keeping(cg_tensor *out) {
    cg_keep(out);
    cg_scope_end();
    return out;
}

/* ---- refcounts ---- */

cg_tensor *cg_retain(cg_tensor *t) {
    if (t) cg_ref_inc(&t->refcount);
    return t;
}

void cg_release(cg_tensor *t) {
    if (t && cg_ref_dec(&t->refcount)) cg_tensor_free(t);
}

void cg_tensor_free(cg_tensor *t) {
    if (t->autograd) cg_autograd_release(t);
    cg_storage_release(t->storage);
    cache_free(CG_CACHE_TENSOR, t);
}

/* ---- construction ---- */

/* A header with t's sizes and numel; strides and storage are the caller's. The shape is checked
 * and copied in one pass (cg_check_shape's rules: ndim <= CG_MAX_DIMS, no negative size); a
 * product of sizes beyond int64 sets *overflow (the callers' messages differ, as PyTorch's do). */
static cg_tensor *new_header(cg_dtype dtype, int ndim, const int64_t *sizes, bool *overflow) {
    if (ndim < 0 || ndim > CG_MAX_DIMS || (ndim && !sizes)) {
        cg_check_shape(ndim, sizes); /* sets the message */
        return NULL;
    }
    if ((unsigned)dtype > CG_BOOL) { /* not a cg_dtype: every later table lookup would overrun */
        cg_set_type_error("invalid dtype %d", (int)dtype);
        return NULL;
    }
    cg_tensor *t = cache_alloc(CG_CACHE_TENSOR, sizeof *t);
    if (!t) return NULL;
    int64_t numel = 1;
    *overflow = false;
    for (int d = 0; d < ndim; d++) {
        if (sizes[d] < 0) {
            cache_free(CG_CACHE_TENSOR, t);
            cg_check_shape(ndim, sizes); /* sets PyTorch's message */
            return NULL;
        }
        t->sizes[d] = sizes[d];
        *overflow |= __builtin_mul_overflow(numel, sizes[d], &numel);
    }
    cg_ref_init(&t->refcount);
    t->dtype = dtype;
    t->ndim = ndim;
    t->offset = 0;
    t->storage = NULL;
    t->autograd = NULL;
    t->numel = numel;
    return t;
}

/* Inlined into both entry points: the hot path of every op allocates a result here. */
static inline __attribute__((always_inline)) cg_tensor *new_tensor(const cg_backend *b, cg_dtype dtype, int ndim,
                                                                   const int64_t *sizes) {
    bool overflow;
    cg_tensor *t = new_header(dtype, ndim, sizes, &overflow);
    if (!t) return NULL;
    int64_t nbytes;
    if (overflow || __builtin_mul_overflow(t->numel, (int64_t)cg_elsize(dtype), &nbytes)) {
        cg_set_error("Storage size calculation overflowed with sizes=%s", cg_shape_text(ndim, sizes).s);
        cache_free(CG_CACHE_TENSOR, t);
        return NULL;
    }
    t->storage = b == &cg_backend_cpu ? cg_storage_new((size_t)nbytes) : b->storage_new((size_t)nbytes);
    if (!t->storage) {
        cache_free(CG_CACHE_TENSOR, t);
        return NULL;
    }
    cg_contiguous_strides(ndim, sizes, t->strides);
    if (cg_scope_register(t) < 0) {
        cg_tensor_free(t);
        return NULL;
    }
    return t;
}

cg_tensor *cg_new_tensor(cg_dtype dtype, int ndim, const int64_t *sizes) {
    return new_tensor(&cg_backend_cpu, dtype, ndim, sizes);
}

cg_tensor *cg_new_tensor_on(const cg_backend *b, cg_dtype dtype, int ndim, const int64_t *sizes) {
    return new_tensor(b, dtype, ndim, sizes);
}

cg_tensor *cg_new_tensor_strided(cg_dtype dtype, int ndim, const int64_t *sizes, const int64_t *strides) {
    return cg_new_tensor_strided_on(&cg_backend_cpu, dtype, ndim, sizes, strides);
}

cg_tensor *cg_new_tensor_strided_on(const cg_backend *b, cg_dtype dtype, int ndim, const int64_t *sizes,
                                    const int64_t *strides) {
    cg_tensor *t = cg_new_tensor_on(b, dtype, ndim, sizes);
    if (t && ndim) memcpy(t->strides, strides, (size_t)ndim * sizeof *strides);
    return t;
}

/* PyTorch's channels-last flag of a 4-D tensor: dense in the order C, W, H, N, size-1 dims
 * skipped (so their strides are free). */
static bool is_channels_last_contiguous(const cg_tensor *t) {
    if (t->ndim != 4) return false;
    static const int order[4] = {1, 3, 2, 0};
    int64_t expected = 1;
    for (int i = 0; i < 4; i++) {
        int d = order[i];
        if (t->sizes[d] == 1) continue;
        if (t->strides[d] != expected) return false;
        expected *= t->sizes[d];
    }
    return true;
}

/* TensorIterator's fast setup, for operands of the output's shape: a contiguous output when all
 * are contiguous, channels-last strides when all are channels-last (both by PyTorch's flags, which
 * skip size-1 dims, so a size-1 dim's stride comes from the format, not the operands), else the
 * operands' strides when all are dense with the same strides. */
static bool fast_setup_strides(int ndim, const int64_t *sizes, int n, const cg_tensor *const *ops, int64_t *strides,
                               bool *contiguous) {
    bool all_contiguous = true, all_channels_last = true;
    for (int i = 0; i < n; i++) {
        if (!cg_same_shape(ops[i]->ndim, ops[i]->sizes, ndim, sizes)) return false;
        all_contiguous = all_contiguous && cg_is_contiguous_inline(ops[i]);
        all_channels_last = all_channels_last && is_channels_last_contiguous(ops[i]);
    }
    *contiguous = all_contiguous;
    if (all_contiguous) return true;
    if (all_channels_last) { /* at::empty(..., channels_last): sizes 0 and 1 scale too */
        cg_channels_last_strides(sizes, strides);
        return true;
    }
    for (int i = 0; i < n; i++) {
        if (!cg_is_non_overlapping_and_dense(ops[i])) return false;
        for (int d = 0; d < ndim; d++)
            if (ops[i]->strides[d] != ops[0]->strides[d]) return false;
    }
    memcpy(strides, ops[0]->strides, (size_t)ndim * sizeof *strides);
    return true;
}

cg_tensor *cg_new_result_of(cg_dtype dtype, int ndim, const int64_t *sizes, int n, const cg_tensor *const *ops) {
    int64_t strides[CG_MAX_DIMS];
    bool contiguous = false;
    if (!fast_setup_strides(ndim, sizes, n, ops, strides, &contiguous)) cg_layout_strides(ndim, sizes, n, ops, strides);
    const cg_backend *b = cg_common_backend(n, ops);
    if (!b) return NULL;
    return contiguous ? cg_new_tensor_on(b, dtype, ndim, sizes) : cg_new_tensor_strided_on(b, dtype, ndim, sizes, strides);
}

cg_tensor *cg_new_like(const cg_tensor *t, cg_dtype dtype) {
    const cg_backend *b = t->storage->backend;
    if (cg_is_row_major(t)) return cg_new_tensor_on(b, dtype, t->ndim, t->sizes);
    int64_t strides[CG_MAX_DIMS];
    cg_preserved_strides(t, strides);
    return cg_new_tensor_strided_on(b, dtype, t->ndim, t->sizes, strides);
}

cg_tensor *cg_new_tensor_over(cg_storage *s, cg_dtype dtype, int ndim, const int64_t *sizes, const int64_t *strides) {
    bool overflow = false; /* new_header may fail before it sets it */
    cg_tensor *t = new_header(dtype, ndim, sizes, &overflow);
    if (!t || overflow) {
        if (t) cache_free(CG_CACHE_TENSOR, t);
        if (overflow) cg_set_error("numel: integer multiplication overflow");
        cg_storage_release(s);
        return NULL;
    }
    if (strides)
        memcpy(t->strides, strides, (size_t)ndim * sizeof *strides);
    else
        cg_contiguous_strides(ndim, sizes, t->strides);
    t->storage = s;
    if (cg_scope_register(t) < 0) {
        cg_tensor_free(t);
        return NULL;
    }
    return t;
}

cg_tensor *cg_new_view(const cg_tensor *base, int ndim, const int64_t *sizes, const int64_t *strides,
                       int64_t offset) {
    bool overflow;
    cg_tensor *t = new_header(base->dtype, ndim, sizes, &overflow);
    if (!t) return NULL;
    if (overflow) {
        cg_set_error("numel: integer multiplication overflow");
        cache_free(CG_CACHE_TENSOR, t);
        return NULL;
    }
    if (ndim) memcpy(t->strides, strides, (size_t)ndim * sizeof *strides);
    t->offset = offset;
    t->storage = base->storage;
    cg_ref_inc(&t->storage->refcount);
    if (cg_scope_register(t) < 0) {
        cg_tensor_free(t);
        return NULL;
    }
    return t;
}

/* ---- properties ---- */

int cg_ndim(const cg_tensor *t) { return t ? t->ndim : 0; }

int64_t cg_size(const cg_tensor *t, int dim) {
    if (!t) return -1;
    int d = cg_wrap_dim(dim, t->ndim);
    if (d < 0) return -1;
    return t->ndim ? t->sizes[d] : 1;
}

int64_t cg_stride(const cg_tensor *t, int dim) {
    if (!t) return -1;
    int d = cg_wrap_dim(dim, t->ndim);
    if (d < 0) return -1;
    return t->ndim ? t->strides[d] : 1;
}

const int64_t *cg_sizes(const cg_tensor *t) { return t ? t->sizes : NULL; }
const int64_t *cg_strides(const cg_tensor *t) { return t ? t->strides : NULL; }
int64_t cg_numel(const cg_tensor *t) { return t ? t->numel : 0; }
int64_t cg_storage_offset(const cg_tensor *t) { return t ? t->offset : 0; }
cg_dtype cg_get_dtype(const cg_tensor *t) { return t ? t->dtype : CG_FLOAT32; }
int64_t cg_version(const cg_tensor *t) {
    if (t && t->storage->inference) {
        cg_set_error("Inference tensors do not track version counter.");
        return -1;
    }
    return t ? t->storage->version : 0;
}
/* A tensor without bytes (meta) has no address: PyTorch's data_ptr() is 0 there. */
void *cg_data_ptr(const cg_tensor *t) { return t ? cg_bytes(t) : NULL; }

static const cg_storage *root_storage(const cg_storage *s) { return s->owner ? s->owner : s; }

bool cg_shares_storage(const cg_tensor *a, const cg_tensor *b) {
    if (!a || !b) return false;
    if (!a->storage->data || !b->storage->data) return root_storage(a->storage) == root_storage(b->storage);
    return a->storage->data == b->storage->data;
}

cg_device cg_get_device(const cg_tensor *t) { return t ? t->storage->backend->device : CG_CPU; }

bool cg_is_contiguous(const cg_tensor *t) { return t && cg_is_contiguous_inline(t); }
