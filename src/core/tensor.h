/* Internal: the tensor and storage structs and the helpers every layer uses. */
#ifndef CG_CORE_TENSOR_H
#define CG_CORE_TENSOR_H

#include "cgrad.h"
#include "core/alloc.h"

#include <stdarg.h>
#include <stdatomic.h>

#define CG_ALIGN 64

/* Inside the library (CG_BUILDING_LIB, the Makefile's), a no_grad block computes what the op
 * around it then records with its own node, whose forward derivative gives the results' tangents:
 * ops in the block propagate no tangents either (they would be thrown away, or refused by an
 * in-place write). A user's no_grad keeps forward AD, as PyTorch's does. */
extern _Thread_local bool cg_fwd_suspended_;
static inline int cg_untracked_enter_(void) {
    int previous = cg_set_grad_enabled(false) | cg_fwd_suspended_ << 1;
    cg_fwd_suspended_ = true;
    return previous;
}
static inline void cg_untracked_restore_(int *previous) {
    cg_set_grad_enabled(*previous & 1);
    cg_fwd_suspended_ = *previous >> 1;
}
#ifdef CG_BUILDING_LIB
#undef CG_NO_GRAD
#if defined(__GNUC__)
#define CG_NO_GRAD CG_UNTRACKED_WITH_(CG_CAT_(cg_untracked_, __COUNTER__), CG_CAT_(cg_untracked_once_, __COUNTER__))
#define CG_UNTRACKED_WITH_(previous, once) \
    for (int previous __attribute__((cleanup(cg_untracked_restore_), unused)) = cg_untracked_enter_(), once = 1; once; once = 0)
#else
#define CG_NO_GRAD for (int cg_untracked_ = cg_untracked_enter_(), cg_once_ = 1; cg_once_; cg_once_ = 0, cg_untracked_restore_(&cg_untracked_))
#endif
#endif

/* Reference counts are atomic: tensors, storages and nodes may be shared between threads. An
 * increment needs no ordering (the caller already holds a reference); the decrement that frees
 * must see every other thread's writes, which their decrements release. */
typedef atomic_int cg_refcount;
static inline void cg_ref_init(cg_refcount *r) { atomic_init(r, 1); }
static inline void cg_ref_inc(cg_refcount *r) { atomic_fetch_add_explicit(r, 1, memory_order_relaxed); }
static inline int cg_ref_count(const cg_refcount *r) { return atomic_load_explicit((cg_refcount *)r, memory_order_acquire); }
/* Drops a reference; true when it was the last. A count of 1 is the caller's own reference, which
 * no other thread can see to take another (no weak references to tensors or storages), so the
 * last release of an object never shared costs no atomic read-modify-write. */
static inline bool cg_ref_dec(cg_refcount *r) {
    return cg_ref_count(r) == 1 || atomic_fetch_sub_explicit(r, 1, memory_order_acq_rel) == 1;
}

typedef struct cg_backend cg_backend; /* backend/backend.h */
extern const cg_backend cg_backend_cpu; /* the default device's */

/* Bytes plus the version counter of everything that views them. A storage made by .data aliases
 * another storage's bytes (owner) with a fresh version counter. */
typedef struct cg_storage {
    cg_refcount refcount;
    int64_t version;
    size_t nbytes;
    char *data;                /* NULL on a backend without bytes (meta) */
    const cg_backend *backend; /* the device and allocator of data */
    struct cg_storage *owner;  /* NULL when this storage owns data */
    /* Memory the user lent (cg_from_blob): deleter(data, deleter_ctx) runs when the last reference
     * goes; external marks such a storage even without a deleter. */
    bool external;
    void (*deleter)(void *data, void *ctx);
    void *deleter_ctx;
    /* The tensor over this storage an in-place op last gave a history (an identity, never
     * followed) and that history's name: PyTorch's message about a saved operand that op wrote
     * names the operand's history at report time. */
    uintptr_t history_of;
    const char *history_name;
    bool inference;            /* made in inference mode: its tensors are inference tensors */
} cg_storage;

/* Whether this thread is in inference mode (autograd/inference.c). */
extern _Thread_local bool cg_inference_mode_;

struct cg_autograd_meta;  /* filled by the autograd layer */

struct cg_tensor {
    cg_refcount refcount;
    cg_dtype dtype;
    int ndim;
    int64_t numel;
    int64_t offset;  /* in elements */
    int64_t sizes[CG_MAX_DIMS];
    int64_t strides[CG_MAX_DIMS];  /* in elements */
    cg_storage *storage;
    struct cg_autograd_meta *autograd;  /* NULL until autograd needs it */
};

/* ---- storage and tensors ---- */
cg_storage *cg_storage_new(size_t nbytes);  /* CPU bytes uninitialised; NULL (with error) when out of memory */
/* The same on backend b (its storage_new). */
cg_storage *cg_storage_new_on(const cg_backend *b, size_t nbytes);
cg_storage *cg_storage_alias(cg_storage *owner);
/* A storage over memory the caller owns (the header alone is allocated); NULL when out of memory. */
cg_storage *cg_storage_external(void *data, size_t nbytes, void (*deleter)(void *, void *), void *ctx);
void cg_storage_release(cg_storage *s);
/* The CPU backend's storage_free (header and bytes are one block, or the bytes are the user's). */
void cg_cpu_storage_free(cg_storage *s);

/* A new contiguous tensor on the CPU, registered in the current scope. Data uninitialised. */
cg_tensor *cg_new_tensor(cg_dtype dtype, int ndim, const int64_t *sizes);
/* The same on backend b: an op's result goes on its operands' backend, cg_new_tensor_on(t->storage->backend, ...). */
cg_tensor *cg_new_tensor_on(const cg_backend *b, cg_dtype dtype, int ndim, const int64_t *sizes);
/* The same with the given strides, a dense layout (a permutation of row-major strides, as
 * cg_layout_strides and cg_preserved_strides give): the storage holds numel elements. */
cg_tensor *cg_new_tensor_strided(cg_dtype dtype, int ndim, const int64_t *sizes, const int64_t *strides);
cg_tensor *cg_new_tensor_strided_on(const cg_backend *b, cg_dtype dtype, int ndim, const int64_t *sizes,
                                    const int64_t *strides);
/* A new output of shape (ndim, sizes) for an elementwise op of the n operands, laid out as
 * PyTorch's TensorIterator lays out its output (cg_layout_strides): row-major when every operand
 * is contiguous, the common case, which is checked first. It goes on the operands' device
 * (cg_common_backend: NULL with PyTorch's error when they are on two). */
cg_tensor *cg_new_result_of(cg_dtype dtype, int ndim, const int64_t *sizes, int n, const cg_tensor *const *ops);
#define CG_NEW_RESULT(dtype, ndim, sizes, ...)                                                            \
    cg_new_result_of(dtype, ndim, sizes, CG_NARGS(__VA_ARGS__), (const cg_tensor *const[]){__VA_ARGS__})
/* Non-empty with row-major strides for every dim, size-1 dims included: operands that all are
 * give a row-major result, which the hot paths check before calling cg_new_result_of. */
static inline bool cg_is_row_major(const cg_tensor *t) {
    if (t->numel == 0) return false;
    if (t->ndim <= 1) return t->ndim == 0 || t->strides[0] == 1;
    int64_t expected = 1;
    for (int d = t->ndim - 1; d >= 0; d--) {
        if (t->strides[d] != expected) return false;
        expected *= t->sizes[d] > 1 ? t->sizes[d] : 1;
    }
    return true;
}
/* A new tensor like t (dtype aside, on t's device) as empty_like(t) with preserve_format lays it out. */
cg_tensor *cg_new_like(const cg_tensor *t, cg_dtype dtype);
/* clone(memory_format=torch.contiguous_format): a row-major copy, recorded as clone (ops/copy.c). */
cg_tensor *cg_clone_contiguous(cg_tensor *t);
/* A new tensor header over t's storage (a view), registered in the current scope. */
cg_tensor *cg_new_view(const cg_tensor *t, int ndim, const int64_t *sizes, const int64_t *strides,
                       int64_t offset);
/* A new tensor over storage s (whose reference it takes, also on failure), registered in the
 * current scope; strides NULL means contiguous. The caller checked that the elements lie in s. */
cg_tensor *cg_new_tensor_over(cg_storage *s, cg_dtype dtype, int ndim, const int64_t *sizes, const int64_t *strides);
/* A new header with t's own sizes, strides and offset over its storage, without its autograd state. */
static inline cg_tensor *cg_new_alias(const cg_tensor *t) {
    return cg_new_view(t, t->ndim, t->sizes, t->strides, t->offset);
}
void cg_tensor_free(cg_tensor *t);
/* *slot = t, the slot's reference moving from its old tensor to t (t is retained first: it may be
 * the old one). */
static inline void cg_set_ref(cg_tensor **slot, cg_tensor *t) {
    cg_retain(t);
    cg_release(*slot);
    *slot = t;
}  /* called when the refcount reaches zero */
/* Frees t's autograd state; defined by the autograd layer, since that state is part of a tensor. */
void cg_autograd_release(cg_tensor *t);
/* Registers t in the current scope; -1 with the message when out of memory (t is still the caller's). */
int cg_scope_register(cg_tensor *t);
/* The calling thread's scopes: one stack of registered tensors, with a mark per open scope. */
typedef struct {
    cg_tensor **items;
    size_t len, cap;
    size_t *marks;
    size_t nmarks, capmarks;
    size_t unopened; /* cg_scope_begin calls that could not allocate their mark */
} cg_scope_stack;
extern _Thread_local cg_scope_stack cg_scopes_;
/* Takes over the innermost open scope's reference to t when t is one of its last two registrations
 * (what a function just returned): true, and the caller now owns that reference (no atomic
 * increment, and none to undo at the scope's end); false otherwise. */
static inline bool cg_scope_take_recent(cg_tensor *t) {
    cg_scope_stack *s = &cg_scopes_;
    size_t mark = s->nmarks ? s->marks[s->nmarks - 1] : 0;
    if (s->unopened || s->len <= mark) return false;
    if (s->items[s->len - 1] == t) {
        s->len--;
        return true;
    }
    if (s->len - mark >= 2 && s->items[s->len - 2] == t) {
        s->items[s->len - 2] = s->items[s->len - 1];
        s->len--;
        return true;
    }
    return false;
}
/* t as one more reference, registered in the current scope; NULL when out of memory. */
cg_tensor *cg_scope_retain(cg_tensor *t);
/* Ends a scope an op opened for its temporaries, handing its result (which may be NULL) to the
 * enclosing scope: return cg_scope_end_keeping(out). */
cg_tensor *cg_scope_end_keeping(cg_tensor *out);

/* ---- per-thread free lists of small blocks ----
 * Scalar-heavy code (autograd of 1-element tensors) makes and frees a handful of small objects per
 * op; keeping freed ones for reuse is several times cheaper than malloc/free. A kind always has one
 * block size. Blocks are uninitialised. The lists are bounded (1024 blocks a kind) and are emptied
 * at exit after the root scope (another thread's when it ends, with its root scope), so memcheck
 * sees nothing left; under AddressSanitizer (or with -DCG_NO_CACHE) every block goes straight back
 * to free(), so use-after-free stays detectable. */
typedef enum { CG_CACHE_TENSOR, CG_CACHE_STORAGE, CG_CACHE_NODE, CG_CACHE_META, CG_CACHE_KINDS } cg_cache_kind;
void *cg_cache_alloc(cg_cache_kind kind, size_t size);  /* NULL when out of memory (no error set) */
void cg_cache_free(cg_cache_kind kind, void *block);    /* block came from cg_cache_alloc(kind, ...) */

/* cg_dtype_size and cg_is_contiguous, inline for hot paths (the public functions call these). */
static inline size_t cg_elsize(cg_dtype dtype) {
    static const unsigned char size[] = {[CG_FLOAT32] = 4, [CG_FLOAT64] = 8, [CG_INT64] = 8, [CG_BOOL] = 1};
    return size[dtype];
}

/* cg_dtype_is_floating, inline for hot paths. */
static inline bool cg_is_floating_inline(cg_dtype dtype) { return dtype == CG_FLOAT32 || dtype == CG_FLOAT64; }

/* PyTorch's rule: sizes of 1 have any stride, the rest are row-major. */
static inline bool cg_is_contiguous_inline(const cg_tensor *t) {
    int64_t expected = 1;
    for (int d = t->ndim - 1; d >= 0; d--) {
        if (t->sizes[d] == 1) continue;
        if (t->sizes[d] == 0) return true;
        if (t->strides[d] != expected) return t->numel == 0; /* any empty tensor is, in PyTorch */
        expected *= t->sizes[d];
    }
    return true;
}

/* The element at storage offset `offset` (in elements, as t->offset and the strides count). */
static inline char *cg_element(const cg_tensor *t, int64_t offset) {
    return t->storage->data + offset * (int64_t)cg_elsize(t->dtype);
}
static inline char *cg_tensor_data(const cg_tensor *t) { return cg_element(t, t->offset); }
static inline void cg_bump_version(cg_tensor *t) { t->storage->version++; }

/* ---- shapes ---- */
static inline bool cg_same_shape(int na, const int64_t *a, int nb, const int64_t *b) {
    if (na != nb) return false;
    for (int d = 0; d < na; d++)
        if (a[d] != b[d]) return false;
    return true;
}
int64_t cg_shape_numel(int ndim, const int64_t *sizes);
/* Row-major strides; a dim of size 0 or 1 does not scale the ones outside it (PyTorch's). Beside a
 * dim of size 0 the other sizes may multiply past int64: the product wraps around, as PyTorch's
 * does (torch.empty(0, 2**40, 2**40).stride() is (0, 2**40, 1)), instead of overflowing. */
static inline void cg_contiguous_strides(int ndim, const int64_t *sizes, int64_t *strides) {
    uint64_t s = 1;
    for (int d = ndim - 1; d >= 0; d--) {
        strides[d] = (int64_t)s;
        s *= (uint64_t)(sizes[d] > 1 ? sizes[d] : 1);
    }
}
/* TensorIterator's reorder_dimensions: perm gets the dims fastest first, by its insertion sort
 * starting from the reversed order; compare(a, b, ctx) is 1 when dim a goes after dim b, -1 when
 * before, 0 when undecided (then the sort looks further back). */
static inline void cg_tensoriter_order(int ndim, int (*compare)(int a, int b, const void *ctx), const void *ctx,
                                       int *perm) {
    for (int i = 0; i < ndim; i++) perm[i] = ndim - 1 - i;
    for (int i = 1; i < ndim; i++) {
        int b = i;
        for (int a = i - 1; a >= 0; a--) {
            int c = compare(perm[a], perm[b], ctx);
            if (c < 0) break;
            if (c > 0) {
                int t = perm[a];
                perm[a] = perm[b];
                perm[b] = t;
                b = a;
            }
        }
    }
}
/* Wraps a possibly negative dim into [0, ndim); sets PyTorch's error and returns -1 when out of range.
 * A 0-dim tensor accepts dims -1 and 0, as in PyTorch. */
int cg_wrap_dim(int dim, int ndim);
/* The same for an int64 dim (or narrow's start, which PyTorch wraps against a size like a dim). */
int64_t cg_wrap_index(int64_t i, int64_t n);
/* PyTorch's is_non_overlapping_and_dense: contiguous up to a permutation of its dims of size > 1. */
bool cg_is_non_overlapping_and_dense(const cg_tensor *t);
/* The strides (in elements) TensorIterator gives a new output of shape (ndim, sizes) from its n
 * input operands (broadcast to it): the dims sorted by the operands' strides, the first operand
 * that tells two dims apart deciding; row-major when none does. */
void cg_layout_strides(int ndim, const int64_t *sizes, int n, const cg_tensor *const *ops, int64_t *strides);
/* The strides of empty_like(t) with preserve_format: t's own when t is non-overlapping and dense,
 * else a dense layout in t's order of strides (infer_dense_strides). */
void cg_preserved_strides(const cg_tensor *t, int64_t *strides);
/* PyTorch's suggest_memory_format() is ChannelsLast: a 4-D t whose strides look channels-last
 * (is_channels_last_strides_2d, which calls ambiguous layouts contiguous). Pooling, convolution
 * and upsampling lay out their results so. */
bool cg_suggests_channels_last(const cg_tensor *t);
/* The same test on the strides of a 4-D shape. */
bool cg_strides_suggest_channels_last(const int64_t *sizes, const int64_t *strides);
/* at::empty(sizes, channels_last)'s strides of a 4-D shape: C fastest, then W, H, N. */
void cg_channels_last_strides(const int64_t *sizes, int64_t *strides);
/* Broadcast shape of a and b into out; PyTorch's error and -1 on mismatch; returns ndim. */
int cg_broadcast_shapes(int na, const int64_t *a, int nb, const int64_t *b, int64_t *out);
/* The checks of a write into t (in-place ops, copy_, random fills), with PyTorch's messages:
 * other's shape broadcasts to t's exactly; no two elements of t share memory (a stride 0). */
int cg_check_broadcasts_to(const cg_tensor *t, const cg_tensor *other);
int cg_check_no_internal_overlap(const cg_tensor *t);
/* How the memory of a and b overlaps, as PyTorch classifies it: only tensors without gaps or
 * shared elements are compared (by the ranges they span); others that share storage are unknown. */
typedef enum { CG_OVERLAP_NONE, CG_OVERLAP_FULL, CG_OVERLAP_PARTIAL, CG_OVERLAP_UNKNOWN } cg_overlap;
cg_overlap cg_memory_overlap(const cg_tensor *a, const cg_tensor *b);
/* A write into out that reads in: PyTorch refuses a partial overlap (in is part of out, or shifted). */
int cg_check_no_partial_overlap(const cg_tensor *out, const cg_tensor *in);
/* 0 <= ndim <= CG_MAX_DIMS; error and -1 otherwise. */
int cg_check_ndim(int ndim);
/* Validates sizes (non-negative, ndim <= 8); error and -1 otherwise. */
int cg_check_shape(int ndim, const int64_t *sizes);
/* A list length given by the caller: error and -1 when negative ("the number of <what> ..."). */
int cg_check_count(int n, const char *what);
/* at::dim_list_to_bitset: mask[d] for each of the n dims of t (wrapped), each at most once;
 * false with the error otherwise. */
bool cg_dims_bitset(const cg_tensor *t, int n, const int64_t *dims, bool *mask);
/* A shape as PyTorch's messages print it, "[2, 3]", as a value that lives until the end of the full
 * expression that made it: cg_set_error("... %s", cg_shape_text(t->ndim, t->sizes).s). */
typedef struct {
    char s[256];
} cg_shape_str;
cg_shape_str cg_shape_text(int ndim, const int64_t *sizes);

/* ---- dtypes ---- */
/* The names PyTorch's messages use: its ScalarType ("Float", "Double", "Long", "Bool"), the C++
 * type ("float", "double", "long int", "bool") and the legacy tensor type ("torch.FloatTensor",
 * ..., "CPUBoolType"). */
const char *cg_dtype_title(cg_dtype dtype);
const char *cg_dtype_cpp_name(cg_dtype dtype);
const char *cg_dtype_legacy_name(cg_dtype dtype);
double cg_read_double(const char *p, cg_dtype dtype);
void cg_write_double(char *p, cg_dtype dtype, double v);
/* A Python number converted to dtype as PyTorch converts it: an int or bool straight from its int64
 * value (exact in int64, one rounding to float32), a float as cg_write_double does. */
void cg_write_number(char *p, cg_dtype dtype, cg_number v);
/* Type of tensor (op) Python number: the number promotes the tensor only when its kind is a higher
 * category (float over int over bool), and then to its default dtype (float32, int64). */
cg_dtype cg_number_result_type(cg_dtype tensor_dtype, cg_number value);
/* A Python int must fit int64 (PyTorch: "Overflow when unpacking long"); 0 when it does. */
int cg_check_number(cg_number value);
/* Also what PyTorch checks before it writes a number into a tensor of dtype (fill_, full,
 * masked_fill): a float must fit float32 or int64 (nan and inf are fine for floats); it lets a
 * float 2^63 through to int64, where the cast gives INT64_MIN, and so does cg_write_double. Every
 * int64 fits every dtype. */
int cg_check_number_fits(cg_dtype dtype, cg_number value);

/* ---- errors ---- */
/* A RuntimeError (PyTorch's c10::Error), the most common kind. */
void cg_set_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* An error of another of PyTorch's exception types (IndexError for a dim or an index out of range). */
void cg_set_error_kind(cg_error_kind kind, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define cg_set_index_error(...) cg_set_error_kind(CG_INDEX_ERROR, __VA_ARGS__)
#define cg_set_value_error(...) cg_set_error_kind(CG_VALUE_ERROR, __VA_ARGS__)
#define cg_set_type_error(...) cg_set_error_kind(CG_TYPE_ERROR, __VA_ARGS__)
/* An error has been set since the last cg_clear_error (control flow never reads the text). */
static inline bool cg_error_pending(void) { return cg_last_error_kind() != CG_ERROR_NONE; }
void cg_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
