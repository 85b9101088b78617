/* cgrad: PyTorch's autograd in C.
 *
 * One public header. Conventions (see README.md):
 * - Functions that return a tensor return NULL on error and leave a message in cg_last_error().
 *   A NULL argument makes a function return NULL without touching the message, so a chain of
 *   calls can be checked once at the end.
 * - Functions that return int return 0 on success and a negative value on error.
 * - Every returned tensor belongs to the innermost open scope of the calling thread; closing the
 *   scope releases it. cg_keep() hands a tensor to the enclosing scope; cg_retain()/cg_release()
 *   manage long-lived tensors by hand. Pointers returned by accessors are borrowed.
 * - Optional arguments are designated initializers: cg_sum(t, CG_DIMS(0, 1), .keepdim = true).
 * - C++17 (g++, clang++) sees the same API. There, designators follow the order of the struct's
 *   fields (as C++20 requires); CG_SHAPE, CG_LIST and CG_TENSORS are temporaries that last to the
 *   end of the full expression; .data takes a named array (g++ refuses a compound literal array
 *   there); a bool is a Python bool for the _scalar macros (C's `true` is an int).
 */
#ifndef CGRAD_H
#define CGRAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
#include <type_traits>
#if defined(__GNUC__)
/* g++ warns that the option macros' designated initializers leave fields out (C does not, and
 * C++20 allows it); as for a header installed in /usr/include, warnings from this header's
 * macros are not the program's. */
#pragma GCC system_header
#endif
extern "C" {
#endif

/* The library is built with -fvisibility=hidden; this pragma makes every declaration from here to
 * the matching pop exported, so a public function added anywhere in this header is exported
 * without a mark of its own (tools/check_exports.sh compares the two). */
#if defined(__GNUC__)
#pragma GCC visibility push(default)
#endif

/* This header's version; cg_library_version() gives the linked library's. */
#define CG_VERSION_MAJOR 0
#define CG_VERSION_MINOR 1
#define CG_VERSION_PATCH 0
#define CG_VERSION_STRING "0.1.0"
/* The version of the library in use, "MAJOR.MINOR.PATCH" (the shared library's at run time). */
const char *cg_library_version(void);

#define CG_MAX_DIMS 8

typedef enum { CG_FLOAT32 = 0, CG_FLOAT64, CG_INT64, CG_BOOL } cg_dtype;

typedef struct cg_tensor cg_tensor;

/* ---- argument helpers ------------------------------------------------------------------------ */

/* The number of its arguments (1 to 64). */
#define CG_NARGS(...)                                                                             \
    CG_NARGS_(__VA_ARGS__, 64, 63, 62, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, \
              44, 43, 42, 41, 40, 39, 38, 37, 36, 35, 34, 33, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23, \
              22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)
#define CG_NARGS_(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, \
                  _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, \
                  _37, _38, _39, _40, _41, _42, _43, _44, _45, _46, _47, _48, _49, _50, _51, _52, _53, \
                  _54, _55, _56, _57, _58, _59, _60, _61, _62, _63, _64, N, ...)                    \
    N
/* A shape as two arguments, (ndim, sizes): cg_zeros_shape(CG_FLOAT32, CG_SHAPE(2, 3)). More than
 * CG_MAX_DIMS sizes give the function's "at most 8 dimensions" error. In C++ (as any temporary)
 * the sizes live until the end of the full expression: pass CG_SHAPE, CG_LIST and CG_TENSORS to
 * the call, do not keep them. */
#define CG_SHAPE(...) (int)(sizeof(CG_INT64S_(__VA_ARGS__)) / sizeof(int64_t)), CG_INT64S_(__VA_ARGS__)
/* A list of tensors as two arguments, (tensors, count): cg_cat(CG_LIST(a, b), 0). */
#define CG_LIST(...) CG_TENSOR_PTRS_(__VA_ARGS__), (int)(sizeof(CG_TENSOR_PTRS_(__VA_ARGS__)) / sizeof(cg_tensor *))
/* The dims of a reduction, inside its optional arguments: cg_sum(t, CG_DIMS(0, 2)). More than
 * CG_MAX_DIMS dims do not compile. */
#define CG_DIMS(...) .ndims = CG_AT_MOST_MAX_DIMS_(CG_NARGS(__VA_ARGS__)), .dims = {__VA_ARGS__}

/* ---- errors and warnings --------------------------------------------------------------------- */

const char *cg_last_error(void);  /* the message of the latest error on this thread, "" if none */
/* The Python exception PyTorch raises for that error: most are RuntimeError; a dim or an index out
 * of range is IndexError ("Dimension out of range ..."); ValueError, TypeError and AssertionError
 * where PyTorch's Python layer raises them. The kind, not the message, is what a program should test. */
typedef enum {
    CG_ERROR_NONE = 0,         /* no error since the last cg_clear_error */
    CG_RUNTIME_ERROR,
    CG_INDEX_ERROR,
    CG_VALUE_ERROR,
    CG_TYPE_ERROR,
    CG_NOT_IMPLEMENTED_ERROR,
    CG_GRADCHECK_ERROR,        /* gradcheck's Jacobian mismatch (PyTorch's RuntimeError subclass) */
    CG_ASSERTION_ERROR         /* a Python assert of torch.nn.functional (embedding's padding_idx) */
} cg_error_kind;
cg_error_kind cg_last_error_kind(void);           /* the kind of the latest error on this thread */
const char *cg_error_kind_name(cg_error_kind kind);  /* "RuntimeError", "IndexError", ...; "" for none */
void cg_clear_error(void);                         /* clears the message and the kind */
typedef void (*cg_warning_fn)(const char *message, void *user);
/* Replaces the warning callback (NULL restores the default, which prints "UserWarning: ..." to stderr). */
void cg_set_warning_handler(cg_warning_fn fn, void *user);

/* ---- memory: refcounts and scopes ------------------------------------------------------------ */

cg_tensor *cg_retain(cg_tensor *t);  /* one more reference, owned by the caller */
void cg_release(cg_tensor *t);       /* drop a reference taken with cg_retain */
cg_tensor *cg_keep(cg_tensor *t);    /* also register t in the enclosing scope; returns t */
void cg_scope_begin(void);  /* opens a scope: what is returned from now on belongs to it */
void cg_scope_end(void);             /* releases every tensor registered since the matching begin */
/* *slot = value, Python's rebinding `y = y * c`: cg_rebind(&y, cg_mul_scalar(y, c)). The tensor
 * *slot pointed to loses the innermost scope's reference at once, so it lives on only while
 * something else holds it (a graph that saved it, a .grad, a cg_retain, an enclosing scope);
 * do not use it through another pointer afterwards. A NULL value (an error) is stored too, as
 * the sticky NULL of a chain. Returns value. */
cg_tensor *cg_rebind(cg_tensor **slot, cg_tensor *value);
/* The CPU allocator keeps freed big blocks (128 KiB and more) for reuse, so a loop that remakes
 * big tensors does not fault their pages in again each time; what it keeps is freed at exit.
 * cg_empty_cache frees them now (torch.cuda.empty_cache's role); cg_set_cache_limit bounds the
 * bytes kept (default 256 MiB; 0 keeps none) and returns the previous bound. */
void cg_empty_cache(void);
size_t cg_set_cache_limit(size_t bytes);
/* CG_SCOPE { ... }: a block whose tensors are released at its end. Leaving it early (break,
 * continue, return, goto; in C++ an exception too) also ends the scope with GCC, clang and any
 * C++ compiler; with other C compilers, leave it only at its end. */
#define CG_SCOPE CG_SCOPE_

/* ---- dtype ----------------------------------------------------------------------------------- */

size_t cg_dtype_size(cg_dtype dtype);  /* bytes per element */
const char *cg_dtype_name(cg_dtype dtype);  /* "float32", "float64", "int64", "bool" */
bool cg_dtype_is_floating(cg_dtype dtype);  /* float32 or float64 */
cg_dtype cg_promote_types(cg_dtype a, cg_dtype b);  /* torch.promote_types */
cg_dtype cg_result_type(const cg_tensor *a, const cg_tensor *b);  /* PyTorch's, 0-dim tensors ranked lower */

/* ---- devices --------------------------------------------------------------------------------- */
/* Where a tensor's elements live: the CPU, or PyTorch's meta device, whose tensors have sizes,
 * strides and a dtype but no data. Every op on meta tensors computes its result's shape, dtype,
 * strides and errors (PyTorch's messages) and nothing else, autograd records and runs backward on
 * them (the gradients are meta tensors), and printing shows tensor(..., device='meta', size=(2, 3)).
 * Reading values (cg_item, cg_copy_to, a copy to the CPU) fails as in PyTorch. Operands of one op
 * must be on one device, except 0-dim CPU tensors ("Expected all tensors to be on the same
 * device, but found at least two devices, meta and cpu!"). */
typedef enum { CG_CPU = 0, CG_META } cg_device;
cg_device cg_get_device(const cg_tensor *t);  /* t.device (CG_CPU for NULL) */
const char *cg_device_name(cg_device device);  /* "cpu", "meta" */
/* t.to(device): t itself (one more reference) when it is there already, else a copy on device
 * with t's layout, recorded as ToCopyBackward0 (its gradient goes back to t's device). */
cg_tensor *cg_to_device(cg_tensor *t, cg_device device);

/* ---- tensor properties (borrowed results) ---------------------------------------------------- */

int cg_ndim(const cg_tensor *t);  /* number of dims (0 for a 0-dim tensor) */
int64_t cg_size(const cg_tensor *t, int dim);    /* negative dims count from the end */
int64_t cg_stride(const cg_tensor *t, int dim);  /* in elements; negative dims count from the end */
const int64_t *cg_sizes(const cg_tensor *t);  /* the ndim sizes */
const int64_t *cg_strides(const cg_tensor *t);  /* the ndim strides, in elements */
int64_t cg_numel(const cg_tensor *t);  /* number of elements */
int64_t cg_storage_offset(const cg_tensor *t);  /* in elements */
cg_dtype cg_get_dtype(const cg_tensor *t);  /* the element type */
bool cg_is_contiguous(const cg_tensor *t);  /* row-major without gaps (PyTorch's is_contiguous) */
int64_t cg_version(const cg_tensor *t);          /* bumped by every in-place change, shared by views; -1 for an inference tensor */
void *cg_data_ptr(const cg_tensor *t);           /* address of the first element */
bool cg_shares_storage(const cg_tensor *a, const cg_tensor *b);  /* whether a and b view the same memory */

/* ---- Python numbers --------------------------------------------------------------------------- */
/* The number operand of a _scalar op (x * 2, x > 0.5, x.clamp(0, 1)) acts as a Python number, and
 * in PyTorch its kind decides the result's dtype: int64_tensor * 2 is int64, int64_tensor * 2.0 is
 * float32, bool_tensor + True stays bool. In C the argument's type says which was meant: CG_NUMBER
 * (and so every _scalar macro below) reads an integer-typed argument (int, long, int64_t, char, an
 * enum, ...) as a Python int, float/double as a Python float, and bool (a bool variable; the
 * literal `true` is an int before C23) as a Python bool. Integers keep all 64 bits: an unsigned
 * value above INT64_MAX fails as in PyTorch ("Overflow when unpacking long"). To choose the kind
 * of a computed value, pass cg_number_int(v) or cg_number_float(v) instead. */
typedef enum { CG_NUMBER_BOOL, CG_NUMBER_INT, CG_NUMBER_FLOAT, CG_NUMBER_NONE } cg_number_kind;
typedef struct {
    cg_number_kind kind;
    bool overflow;   /* an integer beyond int64: every op refuses it */
    int64_t i;       /* the value of a bool or an int */
    double f;        /* the value of a float (and of a bool or an int, rounded) */
} cg_number;

/* v as a Python float. */
static inline cg_number cg_number_float(double v) {
    cg_number n = {CG_NUMBER_FLOAT, false, 0, v};
    return n;
}
/* v as a Python int. */
static inline cg_number cg_number_int(int64_t v) {
    cg_number n = {CG_NUMBER_INT, false, v, (double)v};
    return n;
}
/* v as a Python int; above INT64_MAX it overflows (and every op refuses it). */
static inline cg_number cg_number_uint(uint64_t v) {
    cg_number n = {CG_NUMBER_INT, v > (uint64_t)INT64_MAX, (int64_t)(v & (uint64_t)INT64_MAX), (double)v};
    return n;
}
/* v as a Python bool. */
static inline cg_number cg_number_bool(bool v) {
    cg_number n = {CG_NUMBER_BOOL, false, v ? 1 : 0, v ? 1.0 : 0.0};
    return n;
}
/* n itself (CG_NUMBER of a cg_number). */
static inline cg_number cg_number_same(cg_number n) { return n; }
/* Python's None where a number may be left out: clamp's missing bound. Every other op refuses it. */
static inline cg_number cg_number_none(void) {
    cg_number n = {CG_NUMBER_NONE, false, 0, 0};
    return n;
}
#define CG_NO_BOUND cg_number_none()

/* The Python number x stands for, by its C type (C++: by overloads; a C++ bool is a Python bool). */
#define CG_NUMBER(x) CG_NUMBER_(x)

/* ---- creation -------------------------------------------------------------------------------- */

/* A copy of data: numel elements of dtype, row-major. */
cg_tensor *cg_from_data(const void *data, cg_dtype dtype, int ndim, const int64_t *sizes);
/* A tensor of a copy of data (row-major) with the given sizes: cg_tensor_f32(((float[]){1, 2}), 2).
 * data must point to elements of the tensor's type (float, double, int64_t, bool): anything else
 * (a double[] for cg_tensor_f32, a void *) does not compile. From a 2-D array a, pass &a[0][0]. */
#define cg_tensor_f32(data, ...) cg_from_data(CG_DATA_(float, data), CG_FLOAT32, CG_SHAPE(__VA_ARGS__))
#define cg_tensor_f64(data, ...) cg_from_data(CG_DATA_(double, data), CG_FLOAT64, CG_SHAPE(__VA_ARGS__))
#define cg_tensor_i64(data, ...) cg_from_data(CG_DATA_(int64_t, data), CG_INT64, CG_SHAPE(__VA_ARGS__))
#define cg_tensor_bool(data, ...) cg_from_data(CG_DATA_(bool, data), CG_BOOL, CG_SHAPE(__VA_ARGS__))
cg_tensor *cg_scalar(double value, cg_dtype dtype);  /* 0-dim */
/* torch.from_blob: a tensor over the caller's memory, without a copy (writes through it land in
 * data). strides in elements, NULL for row-major. deleter(data, deleter_ctx), when not NULL, runs
 * once the last reference to the memory goes (the tensor, its views, saved copies in a graph);
 * when cg_from_blob fails it does not run and the memory stays the caller's. data must be aligned
 * to the element size. */
cg_tensor *cg_from_blob(void *data, cg_dtype dtype, int ndim, const int64_t *sizes, const int64_t *strides,
                        void (*deleter)(void *data, void *ctx), void *deleter_ctx);
/* PyTorch's torch.tensor(data, dtype=..., requires_grad=...) with every option:
 *   cg_tensor_new(.data = (float[]){1, 2, 3, 4}, CG_SIZES(2, 2), .requires_grad = true)
 * No .data gives zeros (torch.zeros); no sizes gives a 0-dim tensor. */
typedef struct {
    const void *data;          /* numel elements of dtype, row-major */
    cg_dtype dtype;
    int ndim;
    int64_t sizes[CG_MAX_DIMS];
    bool requires_grad;
    cg_device device;          /* CG_CPU unless given: .device = CG_META (data, if any, is not kept) */
} cg_tensor_args;
cg_tensor *cg_tensor_opts(cg_tensor_args args);
#define cg_tensor_new(...) cg_tensor_opts(CG_ARGS_(cg_tensor_args){__VA_ARGS__})
#define CG_SIZES(...) .ndim = CG_AT_MOST_MAX_DIMS_(CG_NARGS(__VA_ARGS__)), .sizes = {__VA_ARGS__}  /* at most 8 */

cg_tensor *cg_empty_shape(cg_dtype dtype, int ndim, const int64_t *sizes);  /* uninitialised (torch.empty) */
cg_tensor *cg_zeros_shape(cg_dtype dtype, int ndim, const int64_t *sizes);  /* filled with 0 */
cg_tensor *cg_ones_shape(cg_dtype dtype, int ndim, const int64_t *sizes);  /* filled with 1 */
/* cg_full_shape's value is a double (a macro could not take CG_SHAPE's two arguments); for an
 * int64 beyond 2^53, pass a number: cg_full_shape_number(CG_INT64, CG_SHAPE(2), cg_number_int(v)). */
cg_tensor *cg_full_shape(cg_dtype dtype, int ndim, const int64_t *sizes, double value);
cg_tensor *cg_full_shape_number(cg_dtype dtype, int ndim, const int64_t *sizes, cg_number value);
#define cg_empty(...) cg_empty_shape(CG_FLOAT32, CG_SHAPE(__VA_ARGS__))
#define cg_zeros(...) cg_zeros_shape(CG_FLOAT32, CG_SHAPE(__VA_ARGS__))
#define cg_ones(...) cg_ones_shape(CG_FLOAT32, CG_SHAPE(__VA_ARGS__))
/* The _like functions lay the result out as t (PyTorch's preserve_format): t's strides when t is
 * dense (a transposed t gives a transposed result), else a dense layout in t's order of strides. */
cg_tensor *cg_empty_like(const cg_tensor *t);
cg_tensor *cg_zeros_like(const cg_tensor *t);
cg_tensor *cg_ones_like(const cg_tensor *t);
cg_tensor *cg_full_like_number(const cg_tensor *t, cg_number value);
#define cg_full_like(t, value) cg_full_like_number(t, CG_NUMBER(value))  /* value: a Python number */
/* arange and linspace give PyTorch's values bit for bit (its vectorized CPU kernels' roundings). */
cg_tensor *cg_arange(double start, double end, double step, cg_dtype dtype);
cg_tensor *cg_linspace(double start, double end, int64_t steps, cg_dtype dtype);
cg_tensor *cg_eye(int64_t n, int64_t m, cg_dtype dtype);  /* m = -1: PyTorch's m=None (n columns) */

/* ---- threads --------------------------------------------------------------------------------- */
/* torch.set_num_threads: the threads one op may use (the calling thread and the pool's workers).
 * Results are bit-identical for every count; tensors below 32768 elements stay on the calling
 * thread. Applies to the whole process. OpenBLAS keeps its own count (OPENBLAS_NUM_THREADS), as under
 * PyTorch. n < 1: an error, and the count is unchanged. */
int cg_set_num_threads(int n);
/* torch.get_num_threads. The default is PyTorch's: OMP_NUM_THREADS when set, else the number of
 * physical cores. */
int cg_get_num_threads(void);

/* ---- random numbers: bit-identical to PyTorch's CPU generator -------------------------------- */
/* The default generator is PyTorch's default CPU generator: one per process, seeded from a random
 * seed until cg_manual_seed. Generators of one's own (torch.Generator) come from cg_generator_new;
 * the _gen forms of the random functions take one as their last argument (NULL: the default one),
 * as PyTorch's take generator=. Every generator has a lock, held for a whole fill as PyTorch's is:
 * threads may draw from one at once, and each fill is then one piece of its one stream.
 * float32 randn of 16+ contiguous elements follows PyTorch's AVX2 build (x86-64 machines with AVX2). */
typedef struct cg_generator cg_generator;

void cg_manual_seed(uint64_t seed);  /* torch.manual_seed: reseeds the default generator */
uint64_t cg_initial_seed(void);       /* torch.initial_seed: the default generator's seed */
cg_generator *cg_default_generator(void);  /* torch.default_generator (never freed) */
/* torch.Generator().manual_seed(seed): a generator of one's own; NULL when out of memory. */
cg_generator *cg_generator_new(uint64_t seed);
/* Frees g at once: no thread may still be drawing from it. NULL and the default generator are ignored. */
void cg_generator_free(cg_generator *g);
/* In these and the _gen functions below, g NULL is the default generator. */
void cg_generator_manual_seed(cg_generator *g, uint64_t seed);
uint64_t cg_generator_initial_seed(cg_generator *g);
/* get_state/set_state: the bytes of PyTorch's CPU generator state (torch.Generator.get_state(),
 * a uint8 tensor of 5056 bytes; set_state also takes PyTorch's 5048-byte legacy form). get_state
 * needs size >= CG_GENERATOR_STATE_SIZE; set_state checks the state as PyTorch does. 0 or -1. */
#define CG_GENERATOR_STATE_SIZE 5056
int cg_generator_get_state(cg_generator *g, void *state, size_t size);
int cg_generator_set_state(cg_generator *g, const void *state, size_t size);

cg_tensor *cg_rand_shape(cg_dtype dtype, int ndim, const int64_t *sizes);   /* uniform [0, 1) */
cg_tensor *cg_randn_shape(cg_dtype dtype, int ndim, const int64_t *sizes);  /* standard normal */
cg_tensor *cg_randint_shape(int64_t low, int64_t high, int ndim, const int64_t *sizes);  /* int64 */
#define cg_rand(...) cg_rand_shape(CG_FLOAT32, CG_SHAPE(__VA_ARGS__))
#define cg_randn(...) cg_randn_shape(CG_FLOAT32, CG_SHAPE(__VA_ARGS__))
#define cg_randint(low, high, ...) cg_randint_shape(low, high, CG_SHAPE(__VA_ARGS__))
/* torch.randperm(n): a random permutation of 0..n-1, int64 (the _dtype form: float32, float64). */
cg_tensor *cg_randperm(int64_t n);
cg_tensor *cg_randperm_dtype(int64_t n, cg_dtype dtype);
int cg_uniform_(cg_tensor *t, double from, double to);
int cg_normal_(cg_tensor *t, double mean, double std);
/* The same, drawing from generator g: cg_rand_gen(CG_FLOAT32, CG_SHAPE(2, 3), g) is
 * torch.rand(2, 3, generator=g), cg_uniform_gen_(t, 0, 1, g) is t.uniform_(0, 1, generator=g). */
cg_tensor *cg_rand_gen(cg_dtype dtype, int ndim, const int64_t *sizes, cg_generator *g);
cg_tensor *cg_randn_gen(cg_dtype dtype, int ndim, const int64_t *sizes, cg_generator *g);
cg_tensor *cg_randint_gen(int64_t low, int64_t high, int ndim, const int64_t *sizes, cg_generator *g);
cg_tensor *cg_randperm_gen(int64_t n, cg_dtype dtype, cg_generator *g);
int cg_uniform_gen_(cg_tensor *t, double from, double to, cg_generator *g);
int cg_normal_gen_(cg_tensor *t, double mean, double std, cg_generator *g);

/* ---- elements -------------------------------------------------------------------------------- */

double cg_item(const cg_tensor *t);  /* the value of a one-element tensor; NaN and an error otherwise */
/* *value = Python's t[index].item() as a double: n indices, at most t's dims; fewer must leave one
 * element (else ValueError, as item's). */
int cg_get_at(const cg_tensor *t, int n, const int64_t *index, double *value);
int cg_set_at(cg_tensor *t, int n, const int64_t *index, double value);  /* in place */
/* Copies t's elements in row-major (logical) order, whatever its strides, into out, converted to
 * dtype as t.to(dtype) converts (PyTorch's tolist/numpy). count: the elements out has room for;
 * fewer than t's numel is an error and writes nothing. */
int cg_copy_to(const cg_tensor *t, void *out, size_t count, cg_dtype dtype);
#define cg_get(t, value, ...) cg_get_at(t, CG_SHAPE(__VA_ARGS__), value)
#define cg_set(t, value, ...) cg_set_at(t, CG_SHAPE(__VA_ARGS__), value)

/* ---- views and shape ------------------------------------------------------------------------- */

cg_tensor *cg_view_shape(cg_tensor *t, int ndim, const int64_t *sizes);  /* one size may be -1 */
/* A view when the strides allow, else a copy. */
cg_tensor *cg_reshape_shape(cg_tensor *t, int ndim, const int64_t *sizes);
cg_tensor *cg_expand_shape(cg_tensor *t, int ndim, const int64_t *sizes);  /* -1 keeps a size */
/* Result dim i is t's dim dims[i] (a view). */
cg_tensor *cg_permute_dims(cg_tensor *t, int ndim, const int64_t *dims);
#define cg_view(t, ...) cg_view_shape(t, CG_SHAPE(__VA_ARGS__))
#define cg_reshape(t, ...) cg_reshape_shape(t, CG_SHAPE(__VA_ARGS__))
#define cg_expand(t, ...) cg_expand_shape(t, CG_SHAPE(__VA_ARGS__))
#define cg_permute(t, ...) cg_permute_dims(t, CG_SHAPE(__VA_ARGS__))
/* Dims start_dim to end_dim as one (a view when possible). */
cg_tensor *cg_flatten(cg_tensor *t, int start_dim, int end_dim);
cg_tensor *cg_squeeze(cg_tensor *t);  /* without its dims of size 1 */
cg_tensor *cg_squeeze_dim(cg_tensor *t, int dim);  /* without dim if its size is 1 */
cg_tensor *cg_unsqueeze(cg_tensor *t, int dim);  /* a dim of size 1 inserted at dim */
cg_tensor *cg_transpose(cg_tensor *t, int dim0, int dim1);  /* dims dim0 and dim1 swapped (a view) */
cg_tensor *cg_t(cg_tensor *t);  /* transpose of a tensor with at most 2 dims */
/* x.mT / x.mH (the same on real dtypes): the last two dims swapped (a view); 0-D: t itself; 1-D refused. */
cg_tensor *cg_mT(cg_tensor *t);
cg_tensor *cg_mH(cg_tensor *t);
cg_tensor *cg_H(cg_tensor *t);  /* x.H: a 2-D t transposed (0-D: t itself) */
/* x.T: every dim reversed (a permute); other than 0 or 2 dims, PyTorch's deprecation warning once. */
cg_tensor *cg_T(cg_tensor *t);
/* t[index] along dim, without that dim (a view). */
cg_tensor *cg_select(cg_tensor *t, int dim, int64_t index);
/* Python's x[i, j, ...] read: one select per index from the first dim on (negative indices count
 * from the end), with Python's IndexError texts. cg_at(x, 0, 1) is x[0, 1]; with no index it is
 * x[()], an alias (AliasBackward0). Python's x[i, j] = v is cg_copy_(cg_at(x, i, j), v), except
 * that x[()] = v and x[...] = v write x itself: cg_copy_(x, v) (CopyBackwards, not CopySlices). */
cg_tensor *cg_index_at(cg_tensor *t, int n, const int64_t *index);
#define cg_at(t, ...) cg_index_at(t, CG_SHAPE(__VA_ARGS__))
cg_tensor *cg_slice(cg_tensor *t, int dim, int64_t start, int64_t end, int64_t step);  /* Python clamping */
cg_tensor *cg_narrow(cg_tensor *t, int dim, int64_t start, int64_t length);
/* unbind/split/chunk write their pieces to out (room for capacity) and return how many, or -1. */
int cg_unbind(cg_tensor *t, int dim, cg_tensor **out, int capacity);
int cg_split(cg_tensor *t, int64_t split_size, int dim, cg_tensor **out, int capacity);
int cg_chunk(cg_tensor *t, int chunks, int dim, cg_tensor **out, int capacity);
cg_tensor *cg_contiguous(cg_tensor *t);  /* t itself (a new reference) when already contiguous */
cg_tensor *cg_clone(cg_tensor *t);  /* a copy laid out as cg_empty_like(t) */
cg_tensor *cg_to(cg_tensor *t, cg_dtype dtype);  /* t itself when dtype is already t's; else laid out as clone */

/* ---- elementwise ----------------------------------------------------------------------------- */
/* Binary ops broadcast and promote like PyTorch. A _scalar operand is a Python number (above): it
 * promotes an integer or bool tensor only when its kind is higher (float over int over bool).
 * Elementwise results are laid out in memory as PyTorch's TensorIterator lays them out: after
 * their inputs' order of strides (x.t() + 1 is transposed, and cg_view of it to one dim fails as in
 * PyTorch), row-major when the inputs are. */

cg_tensor *cg_add(cg_tensor *a, cg_tensor *b);  /* a + b */
cg_tensor *cg_sub(cg_tensor *a, cg_tensor *b);  /* a - b */
cg_tensor *cg_mul(cg_tensor *a, cg_tensor *b);  /* a * b */
cg_tensor *cg_div(cg_tensor *a, cg_tensor *b);  /* true division */
cg_tensor *cg_pow(cg_tensor *a, cg_tensor *b);  /* a ** b */
cg_tensor *cg_maximum(cg_tensor *a, cg_tensor *b);  /* elementwise larger (NaN if either is) */
cg_tensor *cg_minimum(cg_tensor *a, cg_tensor *b);  /* elementwise smaller (NaN if either is) */
cg_tensor *cg_add_number(cg_tensor *a, cg_number b);  /* a + b */
cg_tensor *cg_sub_number(cg_tensor *a, cg_number b);  /* a - b */
cg_tensor *cg_rsub_number(cg_tensor *a, cg_number b);  /* b - a */
cg_tensor *cg_mul_number(cg_tensor *a, cg_number b);  /* a * b */
cg_tensor *cg_div_number(cg_tensor *a, cg_number b);  /* a / b (true division) */
cg_tensor *cg_rdiv_number(cg_tensor *a, cg_number b);  /* b / a */
cg_tensor *cg_pow_number(cg_tensor *a, cg_number exponent);  /* a ** exponent */
cg_tensor *cg_rpow_number(cg_tensor *a, cg_number base);  /* base ** a */
#define cg_add_scalar(a, b) cg_add_number(a, CG_NUMBER(b))
#define cg_sub_scalar(a, b) cg_sub_number(a, CG_NUMBER(b))
#define cg_rsub_scalar(a, b) cg_rsub_number(a, CG_NUMBER(b))
#define cg_mul_scalar(a, b) cg_mul_number(a, CG_NUMBER(b))
#define cg_div_scalar(a, b) cg_div_number(a, CG_NUMBER(b))
#define cg_rdiv_scalar(a, b) cg_rdiv_number(a, CG_NUMBER(b))
#define cg_pow_scalar(a, exponent) cg_pow_number(a, CG_NUMBER(exponent))
#define cg_rpow_scalar(a, base) cg_rpow_number(a, CG_NUMBER(base))

cg_tensor *cg_eq(cg_tensor *a, cg_tensor *b);  /* comparisons give bool tensors */
cg_tensor *cg_ne(cg_tensor *a, cg_tensor *b);  /* a != b */
cg_tensor *cg_lt(cg_tensor *a, cg_tensor *b);  /* a < b */
cg_tensor *cg_le(cg_tensor *a, cg_tensor *b);  /* a <= b */
cg_tensor *cg_gt(cg_tensor *a, cg_tensor *b);  /* a > b */
cg_tensor *cg_ge(cg_tensor *a, cg_tensor *b);  /* a >= b */
cg_tensor *cg_eq_number(cg_tensor *a, cg_number b);  /* compared in the promoted dtype */
cg_tensor *cg_ne_number(cg_tensor *a, cg_number b);  /* a != b */
cg_tensor *cg_lt_number(cg_tensor *a, cg_number b);  /* a < b */
cg_tensor *cg_le_number(cg_tensor *a, cg_number b);  /* a <= b */
cg_tensor *cg_gt_number(cg_tensor *a, cg_number b);  /* a > b */
cg_tensor *cg_ge_number(cg_tensor *a, cg_number b);  /* a >= b */
#define cg_eq_scalar(a, b) cg_eq_number(a, CG_NUMBER(b))
#define cg_ne_scalar(a, b) cg_ne_number(a, CG_NUMBER(b))
#define cg_lt_scalar(a, b) cg_lt_number(a, CG_NUMBER(b))
#define cg_le_scalar(a, b) cg_le_number(a, CG_NUMBER(b))
#define cg_gt_scalar(a, b) cg_gt_number(a, CG_NUMBER(b))
#define cg_ge_scalar(a, b) cg_ge_number(a, CG_NUMBER(b))
/* a where condition (bool) holds, else b; all three broadcast. */
cg_tensor *cg_where(cg_tensor *condition, cg_tensor *a, cg_tensor *b);
/* torch.add(a, b, alpha=) and torch.sub(a, b, alpha=): a + alpha * b and a - alpha * b, rounded once
 * (a fused multiply-add, as PyTorch's CPU kernel); alpha is a Python number (an integer one for
 * integer results, a bool one only for bool results). */
cg_tensor *cg_add_alpha_number(cg_tensor *a, cg_tensor *b, cg_number alpha);
cg_tensor *cg_sub_alpha_number(cg_tensor *a, cg_tensor *b, cg_number alpha);
#define cg_add_alpha(a, b, alpha) cg_add_alpha_number(a, b, CG_NUMBER(alpha))
#define cg_sub_alpha(a, b, alpha) cg_sub_alpha_number(a, b, CG_NUMBER(alpha))
/* torch.addcmul / torch.addcdiv(self, tensor1, tensor2, value=): self + value * tensor1 * tensor2
 * (fused: fma(value * tensor1, tensor2, self)) and self + value * tensor1 / tensor2, broadcasting
 * and promoting the three; pass value 1 for PyTorch's default. */
cg_tensor *cg_addcmul_number(cg_tensor *self, cg_tensor *tensor1, cg_tensor *tensor2, cg_number value);
cg_tensor *cg_addcdiv_number(cg_tensor *self, cg_tensor *tensor1, cg_tensor *tensor2, cg_number value);
#define cg_addcmul(self, tensor1, tensor2, value) cg_addcmul_number(self, tensor1, tensor2, CG_NUMBER(value))
#define cg_addcdiv(self, tensor1, tensor2, value) cg_addcdiv_number(self, tensor1, tensor2, CG_NUMBER(value))
/* torch.lerp(start, end, weight): start + weight * (end - start) by PyTorch's formula (for weight
 * >= 0.5, end - (end - start) * (1 - weight)), fused; floats only, end and a weight tensor of
 * start's dtype. cg_lerp_scalar takes a Python-number weight. */
cg_tensor *cg_lerp(cg_tensor *start, cg_tensor *end, cg_tensor *weight);
cg_tensor *cg_lerp_number(cg_tensor *start, cg_tensor *end, cg_number weight);
#define cg_lerp_scalar(start, end, weight) cg_lerp_number(start, end, CG_NUMBER(weight))
/* Each bound is a Python number or CG_NO_BOUND (PyTorch's None): cg_clamp(x, 0, CG_NO_BOUND) is
 * x.clamp(min=0). Infinite bounds are bounds, as in PyTorch (cg_clamp(i, -INFINITY, 2) of an int64
 * tensor is float32). */
cg_tensor *cg_clamp_number(cg_tensor *t, cg_number min, cg_number max);
#define cg_clamp(t, min, max) cg_clamp_number(t, CG_NUMBER(min), CG_NUMBER(max))
/* torch.clamp(t, min=, max=) with tensor bounds, either NULL for none: they broadcast and promote
 * with t; a NaN in t or in a bound gives NaN. */
cg_tensor *cg_clamp_tensor(cg_tensor *t, cg_tensor *min, cg_tensor *max);

cg_tensor *cg_neg(cg_tensor *t);  /* -t */
cg_tensor *cg_exp(cg_tensor *t);  /* e ** t */
cg_tensor *cg_log(cg_tensor *t);  /* natural logarithm */
cg_tensor *cg_log1p(cg_tensor *t);  /* log(1 + t) */
cg_tensor *cg_sqrt(cg_tensor *t);  /* square root */
cg_tensor *cg_abs(cg_tensor *t);  /* |t| */
cg_tensor *cg_sign(cg_tensor *t);  /* -1, 0 or 1 by the sign of each element */
cg_tensor *cg_sgn(cg_tensor *t);  /* torch.sgn: sign on real dtypes (SgnBackward0) */
cg_tensor *cg_reciprocal(cg_tensor *t);  /* 1 / t (integers and bool give float32) */
cg_tensor *cg_sin(cg_tensor *t);  /* sine */
cg_tensor *cg_cos(cg_tensor *t);  /* cosine */
cg_tensor *cg_tan(cg_tensor *t);  /* tangent */
cg_tensor *cg_tanh(cg_tensor *t);  /* hyperbolic tangent */
cg_tensor *cg_sigmoid(cg_tensor *t);  /* 1 / (1 + e ** -t) */
cg_tensor *cg_relu(cg_tensor *t);  /* max(t, 0) */
cg_tensor *cg_erf(cg_tensor *t);  /* the error function (integers compute in float32) */

/* ---- unary math (src/ops/unary_math.c) ---- */
/* Float-valued (integer and bool tensors compute in float32, as in PyTorch), each with its
 * in-place form cg_NAME_(t) below; float32 results are PyTorch's CPU bits. */
cg_tensor *cg_acos(cg_tensor *t);  /* arccosine */
cg_tensor *cg_asin(cg_tensor *t);  /* arcsine */
cg_tensor *cg_atan(cg_tensor *t);  /* arctangent */
cg_tensor *cg_sinh(cg_tensor *t);  /* hyperbolic sine */
cg_tensor *cg_cosh(cg_tensor *t);  /* hyperbolic cosine */
cg_tensor *cg_acosh(cg_tensor *t);  /* inverse hyperbolic cosine */
cg_tensor *cg_asinh(cg_tensor *t);  /* inverse hyperbolic sine */
cg_tensor *cg_atanh(cg_tensor *t);  /* inverse hyperbolic tangent */
cg_tensor *cg_erfc(cg_tensor *t);  /* 1 - erf(t) */
cg_tensor *cg_expm1(cg_tensor *t);  /* e ** t - 1 */
cg_tensor *cg_exp2(cg_tensor *t);  /* 2 ** t */
cg_tensor *cg_log2(cg_tensor *t);  /* base-2 logarithm */
cg_tensor *cg_log10(cg_tensor *t);  /* base-10 logarithm */
cg_tensor *cg_lgamma(cg_tensor *t);  /* log |gamma(t)| */
cg_tensor *cg_digamma(cg_tensor *t);  /* d/dt lgamma(t) (torch.special.psi) */
cg_tensor *cg_polygamma(int64_t n, cg_tensor *t);  /* the n-th derivative of digamma, n >= 0 */
cg_tensor *cg_sinc(cg_tensor *t);  /* sin(pi t) / (pi t), 1 at 0 */
cg_tensor *cg_rsqrt(cg_tensor *t);  /* 1 / sqrt(t) */
cg_tensor *cg_logit(cg_tensor *t, double eps);  /* log(t / (1 - t)), t clamped to [eps, 1 - eps] unless eps < 0 (None) */
cg_tensor *cg_deg2rad(cg_tensor *t);  /* t * pi / 180 */
cg_tensor *cg_rad2deg(cg_tensor *t);  /* t * 180 / pi */
cg_tensor *cg_special_entr(cg_tensor *t);  /* torch.special.entr: -t log t, 0 at 0, -inf below */
/* Roundings: float tensors, int64 ones give a copy (frac and decimals != 0: floats only). */
cg_tensor *cg_floor(cg_tensor *t);  /* the largest integer <= t */
cg_tensor *cg_ceil(cg_tensor *t);  /* the smallest integer >= t */
cg_tensor *cg_trunc(cg_tensor *t);  /* t rounded toward zero */
cg_tensor *cg_round(cg_tensor *t);  /* t rounded to the nearest integer, halves to even */
cg_tensor *cg_round_decimals(cg_tensor *t, int64_t decimals);  /* torch.round(t, decimals=) */
cg_tensor *cg_frac(cg_tensor *t);  /* t - trunc(t) */
/* torch.nan_to_num(t, nan, posinf, neginf): each a Python number or CG_NO_BOUND (None: 0, the
 * dtype's largest, its lowest); integer and bool tensors are copied. */
cg_tensor *cg_nan_to_num(cg_tensor *t, cg_number nan, cg_number posinf, cg_number neginf);
cg_tensor *cg_square(cg_tensor *t);  /* t ** 2 (bool gives int64) */
cg_tensor *cg_positive(cg_tensor *t);  /* t itself (a new reference); bool refused */
/* torch.conj, conj_physical, resolve_conj, resolve_neg, real: on real dtypes t itself (a new reference). */
cg_tensor *cg_conj(cg_tensor *t);
cg_tensor *cg_conj_physical(cg_tensor *t);
cg_tensor *cg_resolve_conj(cg_tensor *t);
cg_tensor *cg_resolve_neg(cg_tensor *t);
cg_tensor *cg_real(cg_tensor *t);
/* Predicates: a bool tensor of t's shape, any dtype. */
cg_tensor *cg_isnan(cg_tensor *t);  /* t != t */
cg_tensor *cg_isinf(cg_tensor *t);  /* |t| == inf */
cg_tensor *cg_isposinf(cg_tensor *t);  /* t == +inf */
cg_tensor *cg_isneginf(cg_tensor *t);  /* t == -inf */
cg_tensor *cg_isfinite(cg_tensor *t);  /* neither NaN nor infinite */
cg_tensor *cg_isreal(cg_tensor *t);  /* true everywhere (no complex dtypes) */
cg_tensor *cg_signbit(cg_tensor *t);  /* the sign bit is set (-0. included) */
cg_tensor *cg_logical_not(cg_tensor *t);  /* t == 0 */
/* In place (x.acos_(), ...): float-valued ones refuse integer tensors with PyTorch's cast error;
 * on error t is unchanged. */
int cg_acos_(cg_tensor *t);
int cg_asin_(cg_tensor *t);
int cg_atan_(cg_tensor *t);
int cg_sinh_(cg_tensor *t);
int cg_cosh_(cg_tensor *t);
int cg_acosh_(cg_tensor *t);
int cg_asinh_(cg_tensor *t);
int cg_atanh_(cg_tensor *t);
int cg_erfc_(cg_tensor *t);
int cg_expm1_(cg_tensor *t);
int cg_exp2_(cg_tensor *t);
int cg_log2_(cg_tensor *t);
int cg_log10_(cg_tensor *t);
int cg_lgamma_(cg_tensor *t);
int cg_digamma_(cg_tensor *t);
int cg_polygamma_(cg_tensor *t, int64_t n);  /* x.polygamma_(n) */
int cg_sinc_(cg_tensor *t);
int cg_rsqrt_(cg_tensor *t);
int cg_logit_(cg_tensor *t, double eps);
int cg_deg2rad_(cg_tensor *t);
int cg_rad2deg_(cg_tensor *t);
int cg_floor_(cg_tensor *t);
int cg_ceil_(cg_tensor *t);
int cg_trunc_(cg_tensor *t);
int cg_round_(cg_tensor *t);
int cg_round_decimals_(cg_tensor *t, int64_t decimals);
int cg_frac_(cg_tensor *t);
int cg_nan_to_num_(cg_tensor *t, cg_number nan, cg_number posinf, cg_number neginf);
int cg_square_(cg_tensor *t);

/* ---- binary math (src/ops/binary_math.c): broadcast and promote as PyTorch ---- */
cg_tensor *cg_atan2(cg_tensor *a, cg_tensor *b);  /* the angle of (b, a): atan(a / b) in the right quadrant */
cg_tensor *cg_hypot(cg_tensor *a, cg_tensor *b);  /* sqrt(a^2 + b^2), floats only */
cg_tensor *cg_fmod(cg_tensor *a, cg_tensor *b);  /* C's remainder: the sign of a */
cg_tensor *cg_remainder(cg_tensor *a, cg_tensor *b);  /* Python's %: the sign of b */
cg_tensor *cg_copysign(cg_tensor *a, cg_tensor *b);  /* |a| with b's sign */
cg_tensor *cg_fmax(cg_tensor *a, cg_tensor *b);  /* the larger, ignoring a NaN on one side */
cg_tensor *cg_fmin(cg_tensor *a, cg_tensor *b);  /* the smaller, ignoring a NaN on one side */
cg_tensor *cg_xlogy(cg_tensor *a, cg_tensor *b);  /* a * log(b), 0 where a is 0 */
cg_tensor *cg_special_xlog1py(cg_tensor *a, cg_tensor *b);  /* a * log1p(b), 0 where a is 0 */
cg_tensor *cg_logaddexp(cg_tensor *a, cg_tensor *b);  /* log(e^a + e^b), floats only */
cg_tensor *cg_logaddexp2(cg_tensor *a, cg_tensor *b);  /* log2(2^a + 2^b), floats only */
cg_tensor *cg_nextafter(cg_tensor *a, cg_tensor *b);  /* the next float after a toward b (no gradient) */
cg_tensor *cg_heaviside(cg_tensor *a, cg_tensor *b);  /* 0 below 0, b at 0, 1 above; one dtype (no gradient) */
cg_tensor *cg_special_zeta(cg_tensor *a, cg_tensor *b);  /* Hurwitz's zeta(a, b) (no gradient) */
cg_tensor *cg_logical_and(cg_tensor *a, cg_tensor *b);  /* bool: both nonzero */
cg_tensor *cg_logical_or(cg_tensor *a, cg_tensor *b);  /* bool: either nonzero */
cg_tensor *cg_logical_xor(cg_tensor *a, cg_tensor *b);  /* bool: exactly one nonzero */
/* torch.div(a, b, rounding_mode=): NULL (true division), "trunc" or "floor"; integer results stay
 * integers (division by zero is PyTorch's "ZeroDivisionError"). */
cg_tensor *cg_div_mode(cg_tensor *a, cg_tensor *b, const char *rounding_mode);
cg_tensor *cg_floor_divide(cg_tensor *a, cg_tensor *b);  /* div(a, b, "floor"), no gradient */

/* ---- composites (src/ops/composite_math.c): PyTorch's own compositions of the ops above ---- */
cg_tensor *cg_float_power(cg_tensor *a, cg_tensor *b);  /* pow in float64: a and b cast first */
cg_tensor *cg_ldexp(cg_tensor *a, cg_tensor *b);  /* a * 2 ** b */
/* torch.isclose(a, b, rtol, atol, equal_nan) (PyTorch's defaults: 1e-05, 1e-08, false): a bool
 * tensor, a == b or |a - b| <= atol + |rtol * b| where finite (both NaN counts with equal_nan);
 * a and b of one dtype. */
cg_tensor *cg_isclose(cg_tensor *a, cg_tensor *b, double rtol, double atol, bool equal_nan);
int cg_allclose(cg_tensor *a, cg_tensor *b, double rtol, double atol, bool equal_nan);  /* isclose everywhere: 1, 0 or -1 */
int cg_equal(cg_tensor *a, cg_tensor *b);  /* torch.equal: same sizes and equal values: 1, 0 or -1 */

/* torch.nn.functional's activations, float32/float64 (hardtanh and relu6 also int64). */
cg_tensor *cg_leaky_relu(cg_tensor *t, double negative_slope);  /* t > 0 ? t : t * negative_slope */
cg_tensor *cg_hardtanh(cg_tensor *t, double min_val, double max_val);  /* t clamped to [min_val, max_val] */
cg_tensor *cg_relu6(cg_tensor *t);  /* hardtanh(t, 0, 6) */
cg_tensor *cg_elu(cg_tensor *t, double alpha);  /* t > 0 ? t : alpha * (e ** t - 1) */
cg_tensor *cg_selu(cg_tensor *t);  /* scale * elu(t, alpha) with SELU's constants */
cg_tensor *cg_celu(cg_tensor *t, double alpha);  /* t > 0 ? t : alpha * (e ** (t / alpha) - 1) */
cg_tensor *cg_silu(cg_tensor *t);  /* t * sigmoid(t) */
cg_tensor *cg_gelu(cg_tensor *t, const char *approximate);  /* approximate: "none" (or NULL) or "tanh" */
cg_tensor *cg_softplus(cg_tensor *t, double beta, double threshold);  /* log(1 + e ** (beta t)) / beta, t where beta t > threshold */
cg_tensor *cg_hardsigmoid(cg_tensor *t);  /* clamp(t + 3, 0, 6) / 6 */
cg_tensor *cg_hardswish(cg_tensor *t);  /* t * clamp(t + 3, 0, 6) / 6 */
cg_tensor *cg_mish(cg_tensor *t);  /* t * tanh(softplus(t)) */
cg_tensor *cg_logsigmoid(cg_tensor *t);  /* log(sigmoid(t)) */
cg_tensor *cg_softsign(cg_tensor *t);  /* t / (1 + |t|) */
cg_tensor *cg_tanhshrink(cg_tensor *t);  /* t - tanh(t) */
cg_tensor *cg_softmin(cg_tensor *t, int dim);  /* softmax(-t, dim) */
cg_tensor *cg_glu(cg_tensor *t, int dim);  /* a * sigmoid(b) with a, b the halves of t along dim */
/* torch.nn.functional.embedding: weight's rows (weight: num_embeddings x D) at the int64 indices of
 * input, a tensor of input's shape + (D). */
cg_tensor *cg_embedding(cg_tensor *input, cg_tensor *weight);
/* The same with padding_idx (negative counts from the end): its rows get no gradient. */
cg_tensor *cg_embedding_padded(cg_tensor *input, cg_tensor *weight, int64_t padding_idx);
/* torch.nn.functional.one_hot: int64 t's classes as int64 rows of num_classes (-1: max(t) + 1). */
cg_tensor *cg_one_hot(cg_tensor *t, int64_t num_classes);
/* torch.nn.functional.pad(t, pad, value=value), mode 'constant': pad[0], pad[1] widen the last dim
 * on the left and right, pad[2], pad[3] the one before, ... (npad values, even); negative ones crop. */
cg_tensor *cg_pad_constant(cg_tensor *t, const int64_t *pad, int npad, double value);
/* pad modes 'reflect' and 'replicate': npad 2, 4 or 6 widths (of the last 1, 2 or 3 dims, as in
 * pad_constant) of a float tensor of npad / 2 + 1 or + 2 dims; reflect's widths are below the size. */
cg_tensor *cg_pad_reflect(cg_tensor *t, const int64_t *pad, int npad);
cg_tensor *cg_pad_replicate(cg_tensor *t, const int64_t *pad, int npad);
/* torch.nn.functional.prelu: t > 0 ? t : weight * t, weight (of t's dtype) one value or one per
 * channel (dim 1 of t). */
cg_tensor *cg_prelu(cg_tensor *t, cg_tensor *weight);
/* torch.nn.functional.normalize: t / max(||t||_p along dim, eps); PyTorch's defaults are p 2, dim 1, eps 1e-12. */
cg_tensor *cg_normalize(cg_tensor *t, double p, int dim, double eps);
/* torch.nn.functional.cosine_similarity of x1 and x2 (broadcast) along dim; PyTorch's defaults: dim 1, eps 1e-8. */
cg_tensor *cg_cosine_similarity(cg_tensor *x1, cg_tensor *x2, int dim, double eps);
/* torch.nn.functional.pairwise_distance: ||x1 - x2 + eps||_p over the last dim; PyTorch's defaults:
 * p 2, eps 1e-6, keepdim false. */
cg_tensor *cg_pairwise_distance(cg_tensor *x1, cg_tensor *x2, double p, double eps, bool keepdim);

/* In place: each bumps the version counter; on error t is unchanged. */
int cg_add_(cg_tensor *t, cg_tensor *other);
int cg_sub_(cg_tensor *t, cg_tensor *other);
int cg_mul_(cg_tensor *t, cg_tensor *other);
int cg_div_(cg_tensor *t, cg_tensor *other);
int cg_pow_(cg_tensor *t, cg_tensor *exponent);
int cg_add_number_(cg_tensor *t, cg_number value);
int cg_sub_number_(cg_tensor *t, cg_number value);
int cg_mul_number_(cg_tensor *t, cg_number value);
int cg_div_number_(cg_tensor *t, cg_number value);
int cg_pow_number_(cg_tensor *t, cg_number exponent);
#define cg_add_scalar_(t, value) cg_add_number_(t, CG_NUMBER(value))
#define cg_sub_scalar_(t, value) cg_sub_number_(t, CG_NUMBER(value))
#define cg_mul_scalar_(t, value) cg_mul_number_(t, CG_NUMBER(value))
#define cg_div_scalar_(t, value) cg_div_number_(t, CG_NUMBER(value))
#define cg_pow_scalar_(t, exponent) cg_pow_number_(t, CG_NUMBER(exponent))
/* The fused ops in place: t.add_(other, alpha=), t.sub_(other, alpha=), t.addcmul_(...), ... */
int cg_add_alpha_number_(cg_tensor *t, cg_tensor *other, cg_number alpha);
int cg_sub_alpha_number_(cg_tensor *t, cg_tensor *other, cg_number alpha);
int cg_addcmul_number_(cg_tensor *t, cg_tensor *tensor1, cg_tensor *tensor2, cg_number value);
int cg_addcdiv_number_(cg_tensor *t, cg_tensor *tensor1, cg_tensor *tensor2, cg_number value);
int cg_lerp_(cg_tensor *t, cg_tensor *end, cg_tensor *weight);
int cg_lerp_number_(cg_tensor *t, cg_tensor *end, cg_number weight);
#define cg_add_alpha_(t, other, alpha) cg_add_alpha_number_(t, other, CG_NUMBER(alpha))
#define cg_sub_alpha_(t, other, alpha) cg_sub_alpha_number_(t, other, CG_NUMBER(alpha))
#define cg_addcmul_(t, tensor1, tensor2, value) cg_addcmul_number_(t, tensor1, tensor2, CG_NUMBER(value))
#define cg_addcdiv_(t, tensor1, tensor2, value) cg_addcdiv_number_(t, tensor1, tensor2, CG_NUMBER(value))
#define cg_lerp_scalar_(t, end, weight) cg_lerp_number_(t, end, CG_NUMBER(weight))
/* The unary ops in place (x.exp_()): float-valued ones refuse integer and bool tensors ("result
 * type Float can't be cast to the desired output type Long"); each records its op's node. */
int cg_neg_(cg_tensor *t);
int cg_exp_(cg_tensor *t);
int cg_log_(cg_tensor *t);
int cg_log1p_(cg_tensor *t);
int cg_sqrt_(cg_tensor *t);
int cg_abs_(cg_tensor *t);
int cg_sign_(cg_tensor *t);
int cg_sin_(cg_tensor *t);
int cg_cos_(cg_tensor *t);
int cg_tan_(cg_tensor *t);
int cg_tanh_(cg_tensor *t);
int cg_sigmoid_(cg_tensor *t);
int cg_relu_(cg_tensor *t);
int cg_fill_number_(cg_tensor *t, cg_number value);
#define cg_fill_(t, value) cg_fill_number_(t, CG_NUMBER(value))
int cg_zero_(cg_tensor *t);
int cg_copy_(cg_tensor *t, cg_tensor *src);  /* src broadcasts to t and is cast to t's dtype */
int cg_clamp_number_(cg_tensor *t, cg_number min, cg_number max);
#define cg_clamp_(t, min, max) cg_clamp_number_(t, CG_NUMBER(min), CG_NUMBER(max))
int cg_clamp_tensor_(cg_tensor *t, cg_tensor *min, cg_tensor *max);

/* ---- reductions ------------------------------------------------------------------------------ */

typedef struct {
    cg_tensor *input;
    int ndims;               /* 0: reduce over every dim */
    int dims[CG_MAX_DIMS];
    bool keepdim;
    bool biased;             /* var/std: divide by N instead of N - 1 (PyTorch's unbiased=False) */
} cg_reduce_args;
cg_tensor *cg_sum_opts(cg_reduce_args args);  /* torch.sum over .dims (all when none) */
cg_tensor *cg_mean_opts(cg_reduce_args args);  /* torch.mean over .dims (all when none) */
cg_tensor *cg_var_opts(cg_reduce_args args);  /* torch.var over .dims (all when none) */
cg_tensor *cg_std_opts(cg_reduce_args args);  /* torch.std over .dims (all when none) */
#define cg_sum(...) cg_sum_opts(CG_ARGS_(cg_reduce_args){.input = __VA_ARGS__})
#define cg_mean(...) cg_mean_opts(CG_ARGS_(cg_reduce_args){.input = __VA_ARGS__})
#define cg_var(...) cg_var_opts(CG_ARGS_(cg_reduce_args){.input = __VA_ARGS__})
#define cg_std(...) cg_std_opts(CG_ARGS_(cg_reduce_args){.input = __VA_ARGS__})
/* torch.var_mean / torch.std_mean over .dims (all when none): the variance (std), and the mean in
 * *mean when mean is not NULL, both from one Welford pass as PyTorch's (so var_mean's variance of a
 * whole float32 tensor may differ in its last bit from var()'s): cg_var_mean(&mean, t, CG_DIMS(1)). */
cg_tensor *cg_var_mean_opts(cg_tensor **mean, cg_reduce_args args);
cg_tensor *cg_std_mean_opts(cg_tensor **mean, cg_reduce_args args);
#define cg_var_mean(mean, ...) cg_var_mean_opts(mean, CG_ARGS_(cg_reduce_args){.input = __VA_ARGS__})
#define cg_std_mean(mean, ...) cg_std_mean_opts(mean, CG_ARGS_(cg_reduce_args){.input = __VA_ARGS__})

typedef struct {
    cg_tensor *input;
    double p;                /* always given: 0 (count of nonzeros), 1, 2, INFINITY, ...; unlike PyTorch, no default 2 */
    int ndims;
    int dims[CG_MAX_DIMS];
    bool keepdim;
} cg_norm_args;
cg_tensor *cg_norm_opts(cg_norm_args args);  /* torch.norm: the .p-norm over .dims (all when none) */
#define cg_norm(t_, ...) cg_norm_opts(CG_ARGS_(cg_norm_args){.input = (t_), .p = __VA_ARGS__})  /* cg_norm(t, 2, CG_DIMS(1)) */

cg_tensor *cg_prod(cg_tensor *t);  /* product of every element */
cg_tensor *cg_prod_dim(cg_tensor *t, int dim, bool keepdim);  /* product along dim */
cg_tensor *cg_max(cg_tensor *t);  /* the largest element (0-dim) */
cg_tensor *cg_min(cg_tensor *t);  /* the smallest element (0-dim) */
/* Values along dim; the int64 positions go to *indices when indices is not NULL. */
cg_tensor *cg_max_dim(cg_tensor *t, int dim, bool keepdim, cg_tensor **indices);
cg_tensor *cg_min_dim(cg_tensor *t, int dim, bool keepdim, cg_tensor **indices);
cg_tensor *cg_argmax(cg_tensor *t);
cg_tensor *cg_argmin(cg_tensor *t);
cg_tensor *cg_argmax_dim(cg_tensor *t, int dim, bool keepdim);
cg_tensor *cg_argmin_dim(cg_tensor *t, int dim, bool keepdim);

/* ---- more reductions (src/ops/reduce_more.c) --------------------------------------------------- */

/* torch.amax / torch.amin over .dims (all when none), .keepdim: the gradient is shared among ties. */
cg_tensor *cg_amax_opts(cg_reduce_args args);
cg_tensor *cg_amin_opts(cg_reduce_args args);
#define cg_amax(...) cg_amax_opts(CG_ARGS_(cg_reduce_args){.input = __VA_ARGS__})
#define cg_amin(...) cg_amin_opts(CG_ARGS_(cg_reduce_args){.input = __VA_ARGS__})
/* torch.aminmax over every element: the min, and the max in *max when max is not NULL (no
 * derivative, as PyTorch 1.13: backward through it fails). */
cg_tensor *cg_aminmax(cg_tensor *t, cg_tensor **max);
cg_tensor *cg_aminmax_dim(cg_tensor *t, int dim, bool keepdim, cg_tensor **max);  /* torch.aminmax(t, dim=, keepdim=) */
/* torch.logsumexp over .dims (all when none, where 1.13 requires dims), .keepdim; integral inputs give float32. */
cg_tensor *cg_logsumexp_opts(cg_reduce_args args);
#define cg_logsumexp(...) cg_logsumexp_opts(CG_ARGS_(cg_reduce_args){.input = __VA_ARGS__})
cg_tensor *cg_all(cg_tensor *t);  /* torch.all: whether every element is nonzero (bool, 0-dim) */
cg_tensor *cg_all_dim(cg_tensor *t, int dim, bool keepdim);  /* torch.all(t, dim, keepdim) */
cg_tensor *cg_any(cg_tensor *t);  /* torch.any: whether some element is nonzero (NaN is) */
cg_tensor *cg_any_dim(cg_tensor *t, int dim, bool keepdim);  /* torch.any(t, dim, keepdim) */
/* torch.count_nonzero over .dims (all when none; no keepdim in PyTorch): int64. */
cg_tensor *cg_count_nonzero_opts(cg_reduce_args args);
#define cg_count_nonzero(...) cg_count_nonzero_opts(CG_ARGS_(cg_reduce_args){.input = __VA_ARGS__})
/* torch.nansum / torch.nanmean over .dims (all when none), NaNs left out; nanmean takes floats only. */
cg_tensor *cg_nansum_opts(cg_reduce_args args);
cg_tensor *cg_nanmean_opts(cg_reduce_args args);
#define cg_nansum(...) cg_nansum_opts(CG_ARGS_(cg_reduce_args){.input = __VA_ARGS__})
#define cg_nanmean(...) cg_nanmean_opts(CG_ARGS_(cg_reduce_args){.input = __VA_ARGS__})

/* ---- cumulative scans (src/ops/scan.c) ------------------------------------------------------- */

/* torch.cumsum along dim: float32 accumulates in double as PyTorch's; integer and bool inputs give int64. */
cg_tensor *cg_cumsum(cg_tensor *t, int dim);
/* torch.cumsum(t, dim, dtype=dtype): t cast to dtype first. */
cg_tensor *cg_cumsum_dtype(cg_tensor *t, int dim, cg_dtype dtype);
cg_tensor *cg_cumprod(cg_tensor *t, int dim);  /* torch.cumprod along dim (as cg_cumsum) */
cg_tensor *cg_cumprod_dtype(cg_tensor *t, int dim, cg_dtype dtype);  /* torch.cumprod(t, dim, dtype=dtype) */
cg_tensor *cg_logcumsumexp(cg_tensor *t, int dim);  /* torch.logcumsumexp: log of the cumulative sum of exp, floats only */
/* torch.cummax: the running maximum along dim; its int64 positions (the latest of equal values,
 * the latest NaN once one is met) go to *indices when indices is not NULL. */
cg_tensor *cg_cummax(cg_tensor *t, int dim, cg_tensor **indices);
cg_tensor *cg_cummin(cg_tensor *t, int dim, cg_tensor **indices);  /* torch.cummin, as cg_cummax */

/* ---- sorting (src/ops/sort.c) ---------------------------------------------------------------- */

/* torch.sort(t, dim, descending): the values, and their int64 positions in *indices when indices
 * is not NULL; equal values end where PyTorch 1.13's (unstable) sort puts them; NaN sorts last
 * (first when descending). */
cg_tensor *cg_sort(cg_tensor *t, int dim, bool descending, cg_tensor **indices);
/* torch.sort(t, stable=stable, dim=dim, descending=descending): stable keeps equal values in order. */
cg_tensor *cg_sort_stable(cg_tensor *t, int dim, bool descending, bool stable, cg_tensor **indices);
cg_tensor *cg_argsort(cg_tensor *t, int dim, bool descending, bool stable);  /* torch.argsort: the positions alone */
cg_tensor *cg_msort(cg_tensor *t);  /* torch.msort: sorted along dim 0 */
/* torch.topk: the k largest (smallest unless largest) along dim, sorted when sorted; positions
 * to *indices when indices is not NULL. */
cg_tensor *cg_topk(cg_tensor *t, int64_t k, int dim, bool largest, bool sorted, cg_tensor **indices);
/* torch.kthvalue: the k-th smallest (k from 1) along dim and its position in *indices (when not
 * NULL); which of equal values is reported follows PyTorch's quickselect. */
cg_tensor *cg_kthvalue(cg_tensor *t, int64_t k, int dim, bool keepdim, cg_tensor **indices);
cg_tensor *cg_median(cg_tensor *t);  /* torch.median of every element: the lower middle value; NaN if any is NaN */
/* torch.median(t, dim, keepdim): values and positions (the middle one among equal values). */
cg_tensor *cg_median_dim(cg_tensor *t, int dim, bool keepdim, cg_tensor **indices);
cg_tensor *cg_nanmedian(cg_tensor *t);  /* torch.nanmedian: the median of the elements that are not NaN */
cg_tensor *cg_nanmedian_dim(cg_tensor *t, int dim, bool keepdim, cg_tensor **indices);  /* torch.nanmedian(t, dim, keepdim) */
/* torch.mode: the most frequent value along dim (the smallest of equally frequent ones) and a position of it. */
cg_tensor *cg_mode(cg_tensor *t, int dim, bool keepdim, cg_tensor **indices);
/* torch.searchsorted(sorted, values, right=right): for each value the int64 position in sorted's
 * last dim (1-D sorted, or one row per leading index of values) that keeps it sorted; the first
 * boundary >= the value (> with right). The two are compared in their promoted dtype. No sorter. */
cg_tensor *cg_searchsorted(cg_tensor *sorted, cg_tensor *values, bool right);
/* torch.bucketize(input, boundaries, right=right): cg_searchsorted with 1-D boundaries. */
cg_tensor *cg_bucketize(cg_tensor *input, cg_tensor *boundaries, bool right);

/* ---- linear algebra -------------------------------------------------------------------------- */

cg_tensor *cg_dot(cg_tensor *a, cg_tensor *b);  /* inner product of two 1-D tensors */
cg_tensor *cg_mv(cg_tensor *m, cg_tensor *v);  /* matrix (n, m) times vector (m) */
cg_tensor *cg_mm(cg_tensor *a, cg_tensor *b);  /* (n, m) x (m, p) matrix product */
cg_tensor *cg_bmm(cg_tensor *a, cg_tensor *b);  /* batched: (b, n, m) x (b, m, p) */
cg_tensor *cg_matmul(cg_tensor *a, cg_tensor *b);  /* batch dims broadcast */
/* torch.addmm: self (broadcast to (n, p)) + mat1 (n, m) x mat2 (m, p), the bias fused into the product. */
cg_tensor *cg_addmm(cg_tensor *self, cg_tensor *mat1, cg_tensor *mat2);
/* torch.addmm(self, mat1, mat2, beta=beta, alpha=alpha): beta self + alpha mat1 x mat2. */
cg_tensor *cg_addmm_scaled(cg_tensor *self, cg_tensor *mat1, cg_tensor *mat2, double beta, double alpha);
/* torch.nn.functional.linear with a bias: input (..., in) x weight (out, in)^T + bias (out). A NULL
 * bias is an earlier failure, as any NULL argument; without a bias call cg_matmul(input,
 * cg_t(weight)), which is what PyTorch's linear runs then. */
cg_tensor *cg_linear(cg_tensor *input, cg_tensor *weight, cg_tensor *bias);
/* torch.outer: the (n, m) products of two vectors, self as a column times vec2 (a MulBackward0). */
cg_tensor *cg_outer(cg_tensor *self, cg_tensor *vec2);
cg_tensor *cg_ger(cg_tensor *self, cg_tensor *vec2);  /* torch.ger: cg_outer */
/* torch.tensordot(a, b, dims=(dims_a, dims_b)): sums the products over a's dims dims_a[i] paired
 * with b's dims_b[i] (na == nb; a dim of size 1 pairs with any size); the result has a's other
 * dims, then b's. */
cg_tensor *cg_tensordot_dims(cg_tensor *a, cg_tensor *b, int na, const int64_t *dims_a, int nb,
                             const int64_t *dims_b);
/* torch.tensordot(a, b, dims=n): a's last n dims contracted with b's first n. */
cg_tensor *cg_tensordot(cg_tensor *a, cg_tensor *b, int64_t dims);
/* torch.inner: a * b when either is 0-dim, else the sum over the last dims (which must match). */
cg_tensor *cg_inner(cg_tensor *a, cg_tensor *b);

/* ---- linalg.* (LAPACK) ------------------------------------------------------------------------
 * torch.linalg's factorizations on float32/float64 matrices (..., m, n), batch dims as PyTorch's,
 * with its gradients and messages. With LAPACK (found by the Makefile) the routines PyTorch calls;
 * without it LU, Cholesky and triangular solves run on plain C and the others fail with
 * "... requires LAPACK". An info output (the _ex forms) is int64 (PyTorch's int32): 0, or LAPACK's
 * info per matrix. */
cg_tensor *cg_linalg_det(cg_tensor *A);  /* torch.linalg.det: determinants (...) of square A (..., n, n) */
cg_tensor *cg_det(cg_tensor *A);  /* torch.det: linalg.det */
/* torch.linalg.slogdet: returns the sign and sets *logabsdet = log|det A|. */
cg_tensor *cg_linalg_slogdet(cg_tensor *A, cg_tensor **logabsdet);
cg_tensor *cg_logdet(cg_tensor *A);  /* torch.logdet: log det A, NaN where det A < 0 */
/* torch.linalg.inv: A^-1; a singular matrix is an error naming the zero diagonal element of U. */
cg_tensor *cg_linalg_inv(cg_tensor *A);
/* torch.linalg.inv_ex: A^-1 and *info (when info is not NULL); errors only with check_errors. */
cg_tensor *cg_linalg_inv_ex(cg_tensor *A, bool check_errors, cg_tensor **info);
/* torch.linalg.solve(A, B, left=left): X with A X = B (left) or X A = B; B (..., n, k) or a
 * vector (n) / (..., n) as NumPy's rule; batch dims broadcast. */
cg_tensor *cg_linalg_solve(cg_tensor *A, cg_tensor *B, bool left);
/* torch.linalg.solve_ex: cg_linalg_solve with *info (when info is not NULL), errors only with check_errors. */
cg_tensor *cg_linalg_solve_ex(cg_tensor *A, cg_tensor *B, bool left, bool check_errors, cg_tensor **info);

/* ---- joining and indexing -------------------------------------------------------------------- */

cg_tensor *cg_cat(cg_tensor **tensors, int n, int dim);  /* the n tensors joined along dim (torch.cat) */
/* The n tensors (one shape) joined along a new dim. */
cg_tensor *cg_stack(cg_tensor **tensors, int n, int dim);
/* t's entries at the 1-D int64 index along dim. */
cg_tensor *cg_index_select(cg_tensor *t, int dim, cg_tensor *index);
/* torch.gather: t's entries at index along dim. */
cg_tensor *cg_gather(cg_tensor *t, int dim, cg_tensor *index);
/* torch.scatter_add: t with src added at index along dim. */
cg_tensor *cg_scatter_add(cg_tensor *t, int dim, cg_tensor *index, cg_tensor *src);
/* torch.scatter: a copy of t with src[p] written at index[p] along dim (the last write wins). */
cg_tensor *cg_scatter(cg_tensor *t, int dim, cg_tensor *index, cg_tensor *src);
/* torch.scatter with a number: a copy of t with value written at index along dim (ScatterBackward1). */
cg_tensor *cg_scatter_value(cg_tensor *t, int dim, cg_tensor *index, cg_number value);
/* The reductions of torch.scatter_reduce (reduce="sum", "prod", "mean", "amax", "amin"). */
typedef enum { CG_SCATTER_SUM, CG_SCATTER_PROD, CG_SCATTER_MEAN, CG_SCATTER_AMAX, CG_SCATTER_AMIN } cg_scatter_reduction;
/* torch.scatter_reduce: a copy of t with src reduced in at index along dim, in index order (amax
 * and amin: a NaN wins; mean of int64: floor); include_self false leaves t's values at the written
 * places out. ScatterReduceBackward0 (PyTorch's formulas; prod refuses double backward for src
 * when two of its zeros meet). Warns once that PyTorch calls it beta. */
cg_tensor *cg_scatter_reduce(cg_tensor *t, int dim, cg_tensor *index, cg_tensor *src, cg_scatter_reduction reduce,
                             bool include_self);
/* torch.scatter(..., reduce="add" or "multiply"): CG_SCATTER_SUM or CG_SCATTER_PROD; PyTorch 1.13
 * has no gradient for it (NotImplemented). */
cg_tensor *cg_scatter_with_reduce(cg_tensor *t, int dim, cg_tensor *index, cg_tensor *src, cg_scatter_reduction reduce);
/* t with value where mask (bool, broadcast to t) is true. */
cg_tensor *cg_masked_fill_number(cg_tensor *t, cg_tensor *mask, cg_number value);
#define cg_masked_fill(t, mask, value) cg_masked_fill_number(t, mask, CG_NUMBER(value))  /* value: a Python number */
/* masked_fill with a 0-dim tensor value (cast to t's dtype), differentiable in the value too. */
cg_tensor *cg_masked_fill_tensor(cg_tensor *t, cg_tensor *mask, cg_tensor *value);

/* ---- shape ops (src/ops/shape.c) --------------------------------------------------------------- */
/* Copies unless said otherwise; the views share t's storage and version counter. */

/* torch.flip: t with the ndims dims reversed (a copy laid out as t): cg_flip(t, 0, -1). */
cg_tensor *cg_flip_dims(cg_tensor *t, int ndims, const int64_t *dims);
#define cg_flip(t, ...) cg_flip_dims(t, CG_SHAPE(__VA_ARGS__))
cg_tensor *cg_fliplr(cg_tensor *t);  /* flip of dim 1 (t at least 2-D) */
cg_tensor *cg_flipud(cg_tensor *t);  /* flip of dim 0 (t at least 1-D) */
/* torch.roll: elements moved by shifts[i] along dims[i], wrapping around; no dims (ndims 0, one
 * shift) rolls the flattened t. */
cg_tensor *cg_roll(cg_tensor *t, int nshifts, const int64_t *shifts, int ndims, const int64_t *dims);
/* torch.rot90: t rotated k times by 90 degrees from dim0 towards dim1. */
cg_tensor *cg_rot90(cg_tensor *t, int64_t k, int64_t dim0, int64_t dim1);
/* Tensor.repeat: t tiled repeats[d] times along each dim (n >= t's dims; new leading dims). */
cg_tensor *cg_repeat_shape(cg_tensor *t, int n, const int64_t *repeats);
#define cg_repeat(t, ...) cg_repeat_shape(t, CG_SHAPE(__VA_ARGS__))
/* torch.tile: repeat with reps padded by leading 1s to t's dims. */
cg_tensor *cg_tile_shape(cg_tensor *t, int n, const int64_t *reps);
#define cg_tile(t, ...) cg_tile_shape(t, CG_SHAPE(__VA_ARGS__))
/* torch.tril/triu: the matrices of t (last two dims) with the elements above (tril) or below (triu)
 * diagonal k zeroed. */
cg_tensor *cg_tril(cg_tensor *t, int64_t diagonal);
cg_tensor *cg_triu(cg_tensor *t, int64_t diagonal);
/* torch.diagonal: the view of the diagonal at offset of the matrices along dim1, dim2 (as the last dim). */
cg_tensor *cg_diagonal(cg_tensor *t, int64_t offset, int64_t dim1, int64_t dim2);
/* torch.diag_embed: t's last dim written on the diagonal at offset of new dims dim1, dim2 (zeros elsewhere). */
cg_tensor *cg_diag_embed(cg_tensor *t, int64_t offset, int64_t dim1, int64_t dim2);
/* torch.diag: a 1-D t on diagonal k of a square matrix, or a copy of diagonal k of a 2-D t. */
cg_tensor *cg_diag(cg_tensor *t, int64_t diagonal);
cg_tensor *cg_diagflat(cg_tensor *t, int64_t offset);  /* torch.diagflat: diag of t flattened */
/* torch.movedim: dims source[i] moved to destination[i], the others in order (a view). */
cg_tensor *cg_movedim_dims(cg_tensor *t, int n, const int64_t *source, int ndst, const int64_t *destination);
cg_tensor *cg_movedim(cg_tensor *t, int64_t source, int64_t destination);  /* one dim */
/* Tensor.unflatten: dim split into the n sizes (one may be -1), a view. */
cg_tensor *cg_unflatten(cg_tensor *t, int64_t dim, int n, const int64_t *sizes);
cg_tensor *cg_ravel(cg_tensor *t);  /* torch.ravel: contiguous(t) viewed 1-D */
/* torch.atleast_1d/2d/3d: t itself when it has enough dims, else a view with dims of size 1 added. */
cg_tensor *cg_atleast_1d(cg_tensor *t);
cg_tensor *cg_atleast_2d(cg_tensor *t);
cg_tensor *cg_atleast_3d(cg_tensor *t);
/* torch.hstack/vstack/dstack/column_stack: the n tensors joined (cat) along columns, rows, depth. */
cg_tensor *cg_hstack(cg_tensor **tensors, int n);
cg_tensor *cg_vstack(cg_tensor **tensors, int n);
cg_tensor *cg_dstack(cg_tensor **tensors, int n);
cg_tensor *cg_column_stack(cg_tensor **tensors, int n);
/* torch.tensor_split into sections pieces along dim (views; the first size % sections one longer),
 * written to out (room for capacity); returns how many, or -1. */
int cg_tensor_split(cg_tensor *t, int64_t sections, int64_t dim, cg_tensor **out, int capacity);
/* torch.tensor_split at the n indices along dim (n + 1 views, Python's slice clamping). */
int cg_tensor_split_indices(cg_tensor *t, int n, const int64_t *indices, int64_t dim, cg_tensor **out, int capacity);
/* torch.hsplit/vsplit/dsplit into equal sections along dim 1 (0 for 1-D), 0 or 2, or at indices. */
int cg_hsplit(cg_tensor *t, int64_t sections, cg_tensor **out, int capacity);
int cg_vsplit(cg_tensor *t, int64_t sections, cg_tensor **out, int capacity);
int cg_dsplit(cg_tensor *t, int64_t sections, cg_tensor **out, int capacity);
int cg_hsplit_indices(cg_tensor *t, int n, const int64_t *indices, cg_tensor **out, int capacity);
int cg_vsplit_indices(cg_tensor *t, int n, const int64_t *indices, cg_tensor **out, int capacity);
int cg_dsplit_indices(cg_tensor *t, int n, const int64_t *indices, cg_tensor **out, int capacity);
cg_tensor *cg_broadcast_to(cg_tensor *t, int ndim, const int64_t *sizes);  /* torch.broadcast_to: expand */
/* Tensor.sum_to_size: t summed down to sizes (which must expand to t's shape); t itself when equal. */
cg_tensor *cg_sum_to_size(cg_tensor *t, int ndim, const int64_t *sizes);
/* torch.broadcast_tensors: each of the n tensors expanded to their common shape (itself where it has it). */
int cg_broadcast_tensors(cg_tensor **tensors, int n, cg_tensor **out);
/* torch.broadcast_shapes: the common shape of n shapes into out (room for CG_MAX_DIMS); its ndim or -1. */
int cg_broadcast_shapes_of(int n, const int *ndims, const int64_t *const *shapes, int64_t *out);
cg_tensor *cg_expand_as(cg_tensor *t, cg_tensor *other);  /* t expanded to other's shape */
cg_tensor *cg_view_as(cg_tensor *t, cg_tensor *other);  /* t viewed with other's shape */
cg_tensor *cg_reshape_as(cg_tensor *t, cg_tensor *other);  /* t reshaped to other's shape */

/* ---- more indexing (src/ops/index_more.c) ----------------------------------------------------- */

/* Tensor.index_add: a copy of t with source's slices along dim added (times alpha, a Python
 * number converted to t's dtype) at the 1-D int64 index's places, in index order. */
cg_tensor *cg_index_add_number(cg_tensor *t, int dim, cg_tensor *index, cg_tensor *source, cg_number alpha);
#define cg_index_add(t, dim, index, source) cg_index_add_number(t, dim, index, source, cg_number_int(1))
#define cg_index_add_alpha(t, dim, index, source, alpha) cg_index_add_number(t, dim, index, source, CG_NUMBER(alpha))
/* Tensor.index_copy: a copy of t with source's slices written at index along dim (the last write wins). */
cg_tensor *cg_index_copy(cg_tensor *t, int dim, cg_tensor *index, cg_tensor *source);
/* Tensor.index_fill: a copy of t with value (a Python number) along dim at index (negative values
 * count from the end); the _tensor form takes a 0-dim tensor value, differentiable too. */
cg_tensor *cg_index_fill_number(cg_tensor *t, int dim, cg_tensor *index, cg_number value);
#define cg_index_fill(t, dim, index, value) cg_index_fill_number(t, dim, index, CG_NUMBER(value))
cg_tensor *cg_index_fill_tensor(cg_tensor *t, int dim, cg_tensor *index, cg_tensor *value);
/* Tensor.index_reduce: a copy of t with source's slices along dim reduced in (CG_SCATTER_PROD,
 * MEAN, AMAX or AMIN, as cg_scatter_reduce) at the 1-D int64 index's places, in index order;
 * IndexReduceBackward0. Warns once that PyTorch calls it beta. */
cg_tensor *cg_index_reduce(cg_tensor *t, int dim, cg_tensor *index, cg_tensor *source, cg_scatter_reduction reduce,
                           bool include_self);
/* torch.nonzero / torch.argwhere: the (n, ndim) int64 coordinates of t's nonzero elements, row-major
 * (laid out as PyTorch's: strides (1, n)); not for meta tensors. */
cg_tensor *cg_nonzero(cg_tensor *t);
cg_tensor *cg_argwhere(cg_tensor *t);
/* torch.take: t's elements (counted row-major, negative from the end) at the int64 index, in
 * index's shape; not for meta tensors. */
cg_tensor *cg_take(cg_tensor *t, cg_tensor *index);
/* torch.put: a copy of t with source's elements written (accumulate: added, in index order) at
 * the flat int64 index (as take's); source has index's numel. */
cg_tensor *cg_put(cg_tensor *t, cg_tensor *index, cg_tensor *source, bool accumulate);
/* torch.take_along_dim: gather along dim after broadcasting t and indices against each other
 * outside dim; the _flat form is dim=None (t and indices viewed 1-D). */
cg_tensor *cg_take_along_dim(cg_tensor *t, cg_tensor *indices, int dim);
cg_tensor *cg_take_along_dim_flat(cg_tensor *t, cg_tensor *indices);
/* torch.masked_select: a 1-D tensor of t's elements where the bool mask (broadcast with t) is
 * true, row-major (x[mask] in Python); not for meta tensors. */
cg_tensor *cg_masked_select(cg_tensor *t, cg_tensor *mask);
/* torch.masked_scatter: t (broadcast with mask) with source's elements, in order, where mask is
 * true; source needs at least as many elements as mask has true values. */
cg_tensor *cg_masked_scatter(cg_tensor *t, cg_tensor *mask, cg_tensor *source);
/* Advanced indexing (src/ops/index_adv.c), PyTorch's aten::index and index_put: indices has n
 * entries for t's leading dims, each an int64 tensor (negative values count from the end), a bool
 * mask (covering as many dims as it has) or NULL (the whole dim, Python's ':'). The int64 indices
 * broadcast together; the result has t's dims before the indexed ones, then their broadcast shape,
 * then the rest (their shape first when the indexed dims are not adjacent, as Python's). Python's
 * x[idx, :, mask] is cg_index(x, CG_LIST(idx, NULL, mask)); x[mask] is cg_index(x, CG_LIST(mask))
 * (IndexBackward0, where cg_masked_select is MaskedSelectBackward0); integers and partial slices
 * are cg_select / cg_slice first (x[1:3, idx] indexes cg_slice(x, 0, 1, 3, 1) with NULL, idx). */
cg_tensor *cg_index(cg_tensor *t, cg_tensor **indices, int n);
/* index_put: a copy of t with values (broadcast to the indexing result's shape, t's dtype) written
 * at the indices (accumulate: added, in index order), IndexPutBackward0. Python's x[idx] = v is
 * cg_index_put_(x, CG_LIST(idx), v, false) (in place: 0 or -1); accumulate is index_put_'s
 * accumulate=True (Python's x[idx] += v is not: it reads, adds and writes back, last write wins). */
cg_tensor *cg_index_put(cg_tensor *t, cg_tensor **indices, int n, cg_tensor *values, bool accumulate);
int cg_index_put_(cg_tensor *t, cg_tensor **indices, int n, cg_tensor *values, bool accumulate);

/* ---- normalization --------------------------------------------------------------------------- */

/* torch.nn.functional.layer_norm: input normalized over its last dims, normalized_shape (k sizes:
 * CG_SHAPE(4)), times weight plus bias (each of normalized_shape, or NULL): cg_layer_norm(x,
 * CG_SHAPE(4), w, b, 1e-5). */
cg_tensor *cg_layer_norm(cg_tensor *input, int k, const int64_t *normalized_shape, cg_tensor *weight,
                         cg_tensor *bias, double eps);
/* torch.nn.functional.batch_norm(input, running_mean, running_var, weight, bias, training, momentum,
 * eps): input (N, C, ...) normalized per channel C with the batch's statistics (training) or
 * running_mean and running_var (evaluation; both required then), times weight plus bias (each (C)
 * or NULL). In training, running_mean and running_var (or NULL) are updated in place:
 * (1 - momentum) * running + momentum * batch statistic, the variance unbiased. */
cg_tensor *cg_batch_norm(cg_tensor *input, cg_tensor *running_mean, cg_tensor *running_var, cg_tensor *weight,
                         cg_tensor *bias, bool training, double momentum, double eps);
/* torch.nn.functional.group_norm(input, num_groups, weight, bias, eps): input (N, C, ...) normalized
 * over each sample's groups of C / num_groups channels, times weight plus bias per channel ((C) or
 * NULL). */
cg_tensor *cg_group_norm(cg_tensor *input, int64_t num_groups, cg_tensor *weight, cg_tensor *bias, double eps);
/* torch.nn.functional.instance_norm(input, running_mean, running_var, weight, bias,
 * use_input_stats, momentum, eps): each (sample, channel) of input (N, C, ...) normalized over its
 * spatial dims (use_input_stats) or with running_mean and running_var (C each); weight, bias and the
 * running statistics may be NULL (the statistics not when use_input_stats is false). With
 * use_input_stats the running statistics are updated as batch_norm's, averaged over the samples. */
cg_tensor *cg_instance_norm(cg_tensor *input, cg_tensor *running_mean, cg_tensor *running_var, cg_tensor *weight,
                            cg_tensor *bias, bool use_input_stats, double momentum, double eps);

/* ---- dropout -------------------------------------------------------------------------------- */

/* torch.nn.functional.dropout(input, p, training): in training each element is zeroed with
 * probability p (drawn from the default generator as PyTorch's bernoulli_, so the same seed zeroes
 * the same elements) and the others scaled by 1 / (1 - p); input itself when not training, p is
 * 0 or input is empty. */
cg_tensor *cg_dropout(cg_tensor *input, double p, bool training);
/* torch.nn.functional.dropout2d: as dropout, one draw per (sample, channel) of input (N, C, H, W)
 * (a 3-D input is (N, C, L), with PyTorch's warning; 1.13 has no unbatched dropout2d). */
cg_tensor *cg_dropout2d(cg_tensor *input, double p, bool training);
/* dropout1d of (N, C, L) or (C, L), dropout3d of (N, C, D, H, W) or (C, D, H, W) (other ranks warn
 * and are taken as unbatched): one draw per channel; an unbatched input gets a batch dim of 1 and
 * loses it again, as PyTorch's (so the result is a squeeze view, also when not training). */
cg_tensor *cg_dropout1d(cg_tensor *input, double p, bool training);
cg_tensor *cg_dropout3d(cg_tensor *input, double p, bool training);
/* alpha_dropout: as dropout's draws, but a dropped element becomes SELU's negative saturation and
 * the result is scaled and shifted (a * (x * noise + alpha' * (noise - 1)) + ..., ATen's formula and
 * roundings) to keep a zero mean and unit variance; feature_alpha_dropout draws per channel. */
cg_tensor *cg_alpha_dropout(cg_tensor *input, double p, bool training);
cg_tensor *cg_feature_alpha_dropout(cg_tensor *input, double p, bool training);

/* ---- losses ---------------------------------------------------------------------------------- */

/* CG_REDUCTION_BATCHMEAN ('batchmean': the sum over the batch size) is kl_div's alone. */
typedef enum { CG_REDUCTION_MEAN = 0, CG_REDUCTION_SUM, CG_REDUCTION_NONE, CG_REDUCTION_BATCHMEAN } cg_reduction;
/* An option whose PyTorch default is not zero: CG_OPT(value) gives it, and leaving it out (zero)
 * means PyTorch's default. Options whose default is zero (label_smoothing 0.0, margin 0.0) are
 * plain numbers. */
typedef struct {
    bool given;
    double value;
} cg_opt;
#define CG_OPT(v) CG_ARGS_(cg_opt){true, (double)(v)}
/* The arguments of every loss (each reads those of its PyTorch signature, the others must stay
 * zero or NULL): cg_cross_entropy(x, t, .weight = w, .ignore_index = CG_OPT(0),
 * .label_smoothing = 0.1). Left out, each is PyTorch's default. */
typedef struct {
    cg_tensor *input;
    cg_tensor *target;
    cg_reduction reduction;  /* mean by default, as in PyTorch */
    cg_tensor *weight;       /* nll_loss, cross_entropy: per class (C); binary_cross_entropy(_with_logits): broadcast to input */
    cg_tensor *pos_weight;   /* binary_cross_entropy_with_logits: per class, broadcast to the target */
    cg_opt ignore_index;     /* nll_loss, cross_entropy: targets equal to it are skipped; default -100 */
    double label_smoothing;  /* cross_entropy: in [0, 1], default 0 */
    cg_opt beta;             /* smooth_l1_loss: default 1 */
    cg_opt delta;            /* huber_loss: default 1 */
    bool log_target;         /* kl_div: target given as log-probabilities (default false) */
    cg_opt log_input;        /* poisson_nll_loss: default true (input is log(rate)) */
    bool full;               /* poisson_nll_loss, gaussian_nll_loss: add the constant terms (default false) */
    cg_opt eps;              /* poisson_nll_loss: default 1e-8; gaussian_nll_loss: default 1e-6 */
    cg_tensor *var;          /* gaussian_nll_loss: the variances (input's shape, or one fewer trailing dim, or size 1 there) */
    cg_opt margin;           /* margin_ranking, cosine_embedding: default 0; hinge_embedding, triplet_margin: default 1 */
    cg_opt p;                /* triplet_margin_loss: the norm's degree, default 2 */
    bool swap;               /* triplet_margin_loss: the distance swap (default false) */
    cg_tensor *input2;       /* margin_ranking, cosine_embedding: the second input; triplet_margin: positive (last: the macros set it) */
} cg_loss_args;
/* torch.nn.functional's losses: cg_mse_loss(x, y) or cg_mse_loss(x, y, .reduction = CG_REDUCTION_SUM).
 * Only the functional forms: nn.CrossEntropyLoss and the other loss modules hold nothing but these
 * options, so C calls the function. */
/* target and weight (broadcast) of input's shape; d/dtarget too, as PyTorch 1.13's. */
cg_tensor *cg_binary_cross_entropy_with_logits_opts(cg_loss_args args);
/* input probabilities in [0, 1] (PyTorch's error otherwise), target of its shape, .weight broadcast to it. */
cg_tensor *cg_binary_cross_entropy_opts(cg_loss_args args);
cg_tensor *cg_mse_loss_opts(cg_loss_args args);  /* target broadcasts (with PyTorch's warning) */
cg_tensor *cg_l1_loss_opts(cg_loss_args args);  /* mean absolute error; target broadcasts as in mse_loss */
/* input (N, C), (C) or (N, C, d1, ...) of log-probabilities, target int64 (N), 0-dim or (N, d1, ...)
 * class indices; .weight (C) rescales each class (mean divides by the kept targets' weights),
 * .ignore_index (default -100) skips targets. 4-dim input records NllLoss2DBackward0, other
 * dims above 2 are viewed as 4-dim first, as in PyTorch. */
cg_tensor *cg_nll_loss_opts(cg_loss_args args);
/* nll_loss(log_softmax(input, class dim)) for class indices; a floating target of input's shape
 * holds class probabilities. .weight, .ignore_index (indices only) and .label_smoothing as PyTorch's. */
cg_tensor *cg_cross_entropy_opts(cg_loss_args args);
/* smooth_l1_loss(.beta) and huber_loss(.delta): target broadcasts as in mse_loss (with its warning). */
cg_tensor *cg_smooth_l1_loss_opts(cg_loss_args args);
cg_tensor *cg_huber_loss_opts(cg_loss_args args);
/* kl_div: input log-probabilities, target probabilities (log-probabilities with .log_target);
 * .reduction CG_REDUCTION_BATCHMEAN is PyTorch's 'batchmean' (mean warns as PyTorch does). */
cg_tensor *cg_kl_div_opts(cg_loss_args args);
/* poisson_nll_loss(.log_input, .full, .eps): exp(x) - t x, or x - t log(x + eps); full adds Stirling's term. */
cg_tensor *cg_poisson_nll_loss_opts(cg_loss_args args);
/* gaussian_nll_loss(.var, .full, .eps): 0.5 (log(max(var, eps)) + (x - t)^2 / max(var, eps)). */
cg_tensor *cg_gaussian_nll_loss_opts(cg_loss_args args);
/* margin_ranking_loss(x1, x2, y): max(0, -y (x1 - x2) + margin). */
cg_tensor *cg_margin_ranking_loss_opts(cg_loss_args args);
/* hinge_embedding_loss(x, y): x where y is 1, max(0, margin - x) where y is -1 (.margin default 1). */
cg_tensor *cg_hinge_embedding_loss_opts(cg_loss_args args);
/* cosine_embedding_loss(x1, x2, y): 1 - cos(x1, x2) where y is 1, max(0, cos - margin) where y is -1;
 * x1, x2 (N, D) with y (N), or (D) with a 0-dim y. */
cg_tensor *cg_cosine_embedding_loss_opts(cg_loss_args args);
/* triplet_margin_loss(anchor, positive, negative): max(d(a, p) - d(a, n) + margin, 0) with
 * pairwise_distance d (.p, eps 1e-6; .swap takes min(d(a, n), d(p, n))); the negative is .target. */
cg_tensor *cg_triplet_margin_loss_opts(cg_loss_args args);
/* soft_margin_loss(x, y): log(1 + exp(-y x)) (SoftMarginLossBackward0). */
cg_tensor *cg_soft_margin_loss_opts(cg_loss_args args);
/* multilabel_soft_margin_loss(x, y, .weight): -(y logsigmoid(x) + (1 - y) logsigmoid(-x)) [* weight]
 * averaged over the classes (the last dim), then reduced. */
cg_tensor *cg_multilabel_soft_margin_loss_opts(cg_loss_args args);
/* F.ctc_loss's arguments: cg_ctc_loss(log_probs, targets, input_lengths, target_lengths, .blank = 1). */
typedef struct {
    cg_tensor *log_probs;       /* (T, N, C) or unbatched (T, C) log-probabilities (log_softmax's output) */
    cg_tensor *targets;         /* (N, S) padded, or 1-dim concatenated, class indices (cast to int64) */
    cg_tensor *input_lengths;   /* int64, N of them (0-dim unbatched): each at most T */
    cg_tensor *target_lengths;  /* int64, N of them */
    int64_t blank;              /* the blank label, default 0 */
    cg_reduction reduction;     /* mean (default) divides each loss by its target length, then averages */
    bool zero_infinity;         /* infinite losses (impossible alignments) and their gradients become 0 */
} cg_ctc_loss_args;
/* The connectionist temporal classification loss (CtcLossBackward0). Its gradient, like PyTorch's,
 * is that of the logits before log_softmax, and cannot be differentiated again. An input length of
 * 0 gives 0 (empty target) or inf, as later PyTorch versions define it (1.13 reads out of bounds). */
cg_tensor *cg_ctc_loss_opts(cg_ctc_loss_args args);
#define cg_ctc_loss(log_probs_, targets_, input_lengths_, ...) \
    cg_ctc_loss_opts(CG_ARGS_(cg_ctc_loss_args){.log_probs = (log_probs_), .targets = (targets_), .input_lengths = (input_lengths_), .target_lengths = __VA_ARGS__})
#define cg_margin_ranking_loss(x1_, x2_, ...) \
    cg_margin_ranking_loss_opts(CG_ARGS_(cg_loss_args){.input = (x1_), .target = __VA_ARGS__, .input2 = (x2_)})
#define cg_hinge_embedding_loss(input_, ...) cg_hinge_embedding_loss_opts(CG_ARGS_(cg_loss_args){.input = (input_), .target = __VA_ARGS__})
#define cg_cosine_embedding_loss(x1_, x2_, ...) \
    cg_cosine_embedding_loss_opts(CG_ARGS_(cg_loss_args){.input = (x1_), .target = __VA_ARGS__, .input2 = (x2_)})
#define cg_triplet_margin_loss(anchor_, positive_, ...) \
    cg_triplet_margin_loss_opts(CG_ARGS_(cg_loss_args){.input = (anchor_), .target = __VA_ARGS__, .input2 = (positive_)})
#define cg_soft_margin_loss(input_, ...) cg_soft_margin_loss_opts(CG_ARGS_(cg_loss_args){.input = (input_), .target = __VA_ARGS__})
#define cg_multilabel_soft_margin_loss(input_, ...) \
    cg_multilabel_soft_margin_loss_opts(CG_ARGS_(cg_loss_args){.input = (input_), .target = __VA_ARGS__})
#define cg_smooth_l1_loss(input_, ...) cg_smooth_l1_loss_opts(CG_ARGS_(cg_loss_args){.input = (input_), .target = __VA_ARGS__})
#define cg_huber_loss(input_, ...) cg_huber_loss_opts(CG_ARGS_(cg_loss_args){.input = (input_), .target = __VA_ARGS__})
#define cg_kl_div(input_, ...) cg_kl_div_opts(CG_ARGS_(cg_loss_args){.input = (input_), .target = __VA_ARGS__})
#define cg_poisson_nll_loss(input_, ...) cg_poisson_nll_loss_opts(CG_ARGS_(cg_loss_args){.input = (input_), .target = __VA_ARGS__})
#define cg_gaussian_nll_loss(input_, ...) cg_gaussian_nll_loss_opts(CG_ARGS_(cg_loss_args){.input = (input_), .target = __VA_ARGS__})
#define cg_binary_cross_entropy_with_logits(input_, ...) \
    cg_binary_cross_entropy_with_logits_opts(CG_ARGS_(cg_loss_args){.input = (input_), .target = __VA_ARGS__})
#define cg_binary_cross_entropy(input_, ...) \
    cg_binary_cross_entropy_opts(CG_ARGS_(cg_loss_args){.input = (input_), .target = __VA_ARGS__})
#define cg_mse_loss(input_, ...) cg_mse_loss_opts(CG_ARGS_(cg_loss_args){.input = (input_), .target = __VA_ARGS__})
#define cg_l1_loss(input_, ...) cg_l1_loss_opts(CG_ARGS_(cg_loss_args){.input = (input_), .target = __VA_ARGS__})
#define cg_nll_loss(input_, ...) cg_nll_loss_opts(CG_ARGS_(cg_loss_args){.input = (input_), .target = __VA_ARGS__})
#define cg_cross_entropy(input_, ...) cg_cross_entropy_opts(CG_ARGS_(cg_loss_args){.input = (input_), .target = __VA_ARGS__})
cg_tensor *cg_softmax(cg_tensor *t, int dim);
cg_tensor *cg_log_softmax(cg_tensor *t, int dim);

/* ---- convolution and pooling ----------------------------------------------------------------- */

/* An int or a tuple of ints, as PyTorch's int[2] arguments take them: CG_INTS(2) is 2 for every
 * spatial dim, CG_INTS(2, 3) one value per dim; left out (zero-initialised, n = 0) it is the
 * argument's default. More than 3 values do not compile. */
typedef struct {
    int n;
    int64_t v[3];
} cg_ints;
#define CG_INTS(...) {CG_NARGS(__VA_ARGS__), {__VA_ARGS__}}

/* torch.nn.functional.conv1d/conv2d: cg_conv2d(x, w, .bias = b, .stride = CG_INTS(2), .padding =
 * CG_INTS(1)). Defaults as PyTorch's: stride 1, padding 0, dilation 1, groups 1 (0 means the
 * default; negative groups fail as in PyTorch). Input (N, C, H, W) or unbatched (C, H, W).
 * PyTorch's padding strings: .padding_str = "same" (output as large as the input; stride 1 only;
 * an odd total padding puts the extra zero on the right, through a ConstantPadNd copy of the
 * input, with PyTorch's warning once) or "valid" (no padding); NULL: the numbers of .padding,
 * which must then stay empty. */
typedef struct {
    cg_tensor *input;
    cg_tensor *weight;
    cg_tensor *bias;         /* NULL: no bias */
    cg_ints stride, padding, dilation;
    int64_t groups;
    const char *padding_str; /* "same", "valid" or NULL */
} cg_conv_args;
cg_tensor *cg_conv1d_opts(cg_conv_args args);  /* input (N, C, L) or (C, L), weight (Cout, C / groups, K) */
cg_tensor *cg_conv2d_opts(cg_conv_args args);  /* weight (Cout, C / groups, KH, KW) */
#define cg_conv1d(input_, ...) cg_conv1d_opts(CG_ARGS_(cg_conv_args){.input = (input_), .weight = __VA_ARGS__})
#define cg_conv2d(input_, ...) cg_conv2d_opts(CG_ARGS_(cg_conv_args){.input = (input_), .weight = __VA_ARGS__})

/* torch.nn.functional.conv_transpose1d/conv_transpose2d: cg_conv_transpose2d(x, w, .stride =
 * CG_INTS(2), .output_padding = CG_INTS(1)). Weight (Cin, Cout / groups, KH, KW) (1-D: (Cin,
 * Cout / groups, K)); defaults as PyTorch's: stride 1, padding 0, output_padding 0, groups 1,
 * dilation 1. Input (N, Cin, H, W) or unbatched (Cin, H, W). */
typedef struct {
    cg_tensor *input;
    cg_tensor *weight;
    cg_tensor *bias;         /* NULL: no bias */
    cg_ints stride, padding, output_padding;
    int64_t groups;
    cg_ints dilation;
} cg_conv_transpose_args;
cg_tensor *cg_conv_transpose1d_opts(cg_conv_transpose_args args);
cg_tensor *cg_conv_transpose2d_opts(cg_conv_transpose_args args);
#define cg_conv_transpose1d(input_, ...) \
    cg_conv_transpose1d_opts(CG_ARGS_(cg_conv_transpose_args){.input = (input_), .weight = __VA_ARGS__})
#define cg_conv_transpose2d(input_, ...) \
    cg_conv_transpose2d_opts(CG_ARGS_(cg_conv_transpose_args){.input = (input_), .weight = __VA_ARGS__})

/* torch.nn.functional.max_pool2d: cg_max_pool2d(x, CG_INTS(2)), with .stride (default: the
 * kernel size), .padding, .dilation, .ceil_mode; .indices, when not NULL, receives the int64
 * positions of the maxima in their planes (return_indices=True). Input (N, C, H, W) or (C, H, W). */
typedef struct {
    cg_tensor *input;
    cg_ints kernel_size, stride, padding, dilation;
    bool ceil_mode;
    cg_tensor **indices;
} cg_max_pool_args;
cg_tensor *cg_max_pool2d_opts(cg_max_pool_args args);
/* torch.nn.functional.max_pool1d over the last dim of (N, C, L) or (C, L), the same options. */
cg_tensor *cg_max_pool1d_opts(cg_max_pool_args args);
#define cg_max_pool2d(input_, ...) \
    cg_max_pool2d_opts(CG_ARGS_(cg_max_pool_args){.input = (input_), .kernel_size = __VA_ARGS__})
#define cg_max_pool1d(input_, ...) \
    cg_max_pool1d_opts(CG_ARGS_(cg_max_pool_args){.input = (input_), .kernel_size = __VA_ARGS__})

/* torch.nn.functional.avg_pool2d: cg_avg_pool2d(x, CG_INTS(2)), with .stride, .padding,
 * .ceil_mode; .exclude_padding divides by the elements inside the input (PyTorch's
 * count_include_pad=False); .divisor_override divides by that number instead (0: none). */
typedef struct {
    cg_tensor *input;
    cg_ints kernel_size, stride, padding;
    bool ceil_mode;
    bool exclude_padding;
    int64_t divisor_override;
} cg_avg_pool_args;
cg_tensor *cg_avg_pool2d_opts(cg_avg_pool_args args);
/* torch.nn.functional.avg_pool1d over the last dim of (N, C, L) or (C, L) (no divisor_override). */
cg_tensor *cg_avg_pool1d_opts(cg_avg_pool_args args);
#define cg_avg_pool2d(input_, ...) \
    cg_avg_pool2d_opts(CG_ARGS_(cg_avg_pool_args){.input = (input_), .kernel_size = __VA_ARGS__})
#define cg_avg_pool1d(input_, ...) \
    cg_avg_pool1d_opts(CG_ARGS_(cg_avg_pool_args){.input = (input_), .kernel_size = __VA_ARGS__})

/* ---- nn.functional: interpolate ------------------------------------------------------------ */

/* torch.nn.functional.interpolate of an (N, C, spatial...) tensor: .mode "nearest" (the default;
 * 1 to 3 spatial dims), "nearest-exact" (1 to 3), "linear" (1), "bilinear" (2), "trilinear" (3) or "area"
 * (1 or 2: adaptive average pooling to the size, as PyTorch's); no "bicubic"; either .size (one value or one per spatial
 * dim) or .scale_factor (the first nonzero entries: one or one per dim), .align_corners for the
 * linear modes: cg_interpolate(x, .scale_factor = {2}, .mode = "bilinear"). */
typedef struct {
    cg_tensor *input;
    cg_ints size;
    double scale_factor[3];
    const char *mode;
    bool align_corners;
} cg_interpolate_args;
cg_tensor *cg_interpolate_opts(cg_interpolate_args args);
#define cg_interpolate(input_, ...) cg_interpolate_opts(CG_ARGS_(cg_interpolate_args){.input = (input_), __VA_ARGS__})

/* torch.nn.functional.bilinear: x1 (..., I), x2 (..., J), weight (O, I, J), bias (O) or NULL:
 * out[..., o] = sum_ij x1[..., i] weight[o, i, j] x2[..., j] + bias[o]. */
cg_tensor *cg_bilinear(cg_tensor *x1, cg_tensor *x2, cg_tensor *weight, cg_tensor *bias);
/* Scaled dot-product attention as PyTorch 1.13's F._scaled_dot_product_attention:
 * softmax(q k^T / sqrt(E) + mask) v for q (..., L, E), k (..., S, E), v (..., S, Ev); .attn_mask
 * (broadcast to (..., L, S)) is bool (true: attend) or added as is; .is_causal masks j > i (no
 * .attn_mask then); .dropout_p > 0 drops weights as cg_dropout in training (PyTorch's stream);
 * .prescaled skips the q * (1/sqrt(E)) (MultiheadAttention scales q itself); .attn_weights, when
 * given, gets the weights after dropout (a tensor of the caller's scope). */
typedef struct {
    cg_tensor *query, *key, *value, *attn_mask;
    double dropout_p;
    bool is_causal;
    bool prescaled;
    cg_tensor **attn_weights;
} cg_sdpa_args;
cg_tensor *cg_scaled_dot_product_attention_opts(cg_sdpa_args args);
#define cg_scaled_dot_product_attention(q_, k_, ...) \
    cg_scaled_dot_product_attention_opts(CG_ARGS_(cg_sdpa_args){.query = (q_), .key = (k_), .value = __VA_ARGS__})

/* torch.nn.functional.adaptive_avg_pool2d / adaptive_max_pool2d: cg_adaptive_avg_pool2d(x,
 * CG_INTS(3, 2)) (one int: a square output; CG_SIZE_NONE in a pair, Python's None: the input's
 * size there). Input (N, C, H, W) or (C, H, W). .indices, when not NULL (max only), receives the
 * int64 positions of the maxima in their planes (return_indices). A 1x1 average is mean over the
 * last two dims, as in PyTorch. adaptive_avg_pool1d / adaptive_max_pool1d: input (N, C, L) or
 * (C, L), one int output_size, the 2-D ops over a height of 1 (as ATen composes them). */
#define CG_SIZE_NONE INT64_MIN
typedef struct {
    cg_tensor *input;
    cg_ints output_size;
    cg_tensor **indices;
} cg_adaptive_pool_args;
cg_tensor *cg_adaptive_avg_pool2d_opts(cg_adaptive_pool_args args);
cg_tensor *cg_adaptive_max_pool2d_opts(cg_adaptive_pool_args args);
#define cg_adaptive_avg_pool2d(input_, ...) \
    cg_adaptive_avg_pool2d_opts(CG_ARGS_(cg_adaptive_pool_args){.input = (input_), .output_size = __VA_ARGS__})
#define cg_adaptive_max_pool2d(input_, ...) \
    cg_adaptive_max_pool2d_opts(CG_ARGS_(cg_adaptive_pool_args){.input = (input_), .output_size = __VA_ARGS__})
cg_tensor *cg_adaptive_avg_pool1d_opts(cg_adaptive_pool_args args);
cg_tensor *cg_adaptive_max_pool1d_opts(cg_adaptive_pool_args args);
#define cg_adaptive_avg_pool1d(input_, ...) \
    cg_adaptive_avg_pool1d_opts(CG_ARGS_(cg_adaptive_pool_args){.input = (input_), .output_size = __VA_ARGS__})
#define cg_adaptive_max_pool1d(input_, ...) \
    cg_adaptive_max_pool1d_opts(CG_ARGS_(cg_adaptive_pool_args){.input = (input_), .output_size = __VA_ARGS__})

/* ---- autograd ------------------------------------------------------------------------------- */

typedef struct cg_node cg_node;  /* a grad_fn: borrowed from the tensor that has it */
typedef struct {
    cg_tensor **items;
    int n;
} cg_tensor_list;
/* A list of tensors as one value, for optional arguments: .inputs = CG_TENSORS(x, y). */
#define CG_TENSORS(...) CG_TENSOR_LIST_(CG_LIST(__VA_ARGS__))

bool cg_requires_grad(const cg_tensor *t);  /* whether ops on t are recorded */
cg_tensor *cg_requires_grad_(cg_tensor *t, bool requires_grad);  /* returns t, NULL on error */
bool cg_is_leaf(const cg_tensor *t);  /* no grad_fn: made by the program, or not requiring grad */
/* The accumulated gradient (borrowed), NULL if none. Warns, as PyTorch does, for a non-leaf that
 * does not retain its grad. */
cg_tensor *cg_grad(const cg_tensor *t);
int cg_set_grad(cg_tensor *t, cg_tensor *grad);  /* NULL clears it (PyTorch's x.grad = None) */
int cg_retain_grad(cg_tensor *t);
bool cg_retains_grad(const cg_tensor *t);  /* x.retains_grad: a non-leaf after cg_retain_grad (false for leaves) */
/* Zeroes the .grad of every tensor in the list that has one, as an optimizer's zero_grad() does
 * (set_to_none=False): a gradient with history is detached in place first. */
int cg_zero_grad(cg_tensor_list tensors);
cg_node *cg_grad_fn(const cg_tensor *t);           /* NULL for leaves */
const char *cg_node_name(const cg_node *n);        /* "MulBackward0" */
int cg_node_num_next(const cg_node *n);
cg_node *cg_node_next(const cg_node *n, int i, int *input_nr);  /* next_functions[i]; NULL for none */
/* PyTorch's grad_fn.metadata, as one pointer: the node keeps it and calls destroy(data) (when not
 * NULL) when the node is freed or the metadata replaced. NULL until set. */
void *cg_node_metadata(const cg_node *n);
int cg_node_set_metadata(cg_node *n, void *data, void (*destroy)(void *data));
/* Node hooks (grad_fn.register_prehook and register_hook). A pre-hook gets the gradients of the
 * node's outputs before it runs (grads[i] NULL where none arrived), a hook the gradients it
 * computed for its inputs (grad_inputs[i] NULL where none, e.g. an input not requiring grad) and
 * those it received. Either may replace entries with tensors of the same size and dtype (from its
 * scope), but not a NULL one; it returns 0, or -1 with an error set, which fails the backward.
 * Pre-hooks run in order at the place of the first one among the node's tensor hooks (PyTorch
 * keeps them in one entry of its list); on a leaf's AccumulateGrad they run before the leaf's
 * tensor hooks, and its hooks after accumulating (grad_inputs empty). autograd.grad does not run
 * the AccumulateGrad of the inputs it differentiates. Errors name a hook by its handle. */
typedef int (*cg_node_prehook_fn)(cg_tensor **grad_outputs, int noutputs, void *user);
typedef int (*cg_node_hook_fn)(cg_tensor **grad_inputs, int ninputs, cg_tensor *const *grad_outputs, int noutputs,
                               void *user);
int cg_node_register_prehook(cg_node *n, cg_node_prehook_fn fn, void *user);  /* a handle > 0, or -1 */
int cg_node_register_hook(cg_node *n, cg_node_hook_fn fn, void *user);        /* a handle > 0, or -1 */
/* Removes the node hook (or pre-hook) with that handle; nothing for one already removed, as
 * PyTorch's handle.remove(). 0, or -1 for a NULL node. */
int cg_node_remove_hook(cg_node *n, int handle);

typedef struct {
    cg_tensor *tensor;
    cg_tensor *gradient;       /* v of the vector-Jacobian product; implicit 1 for one element */
    bool retain_graph;         /* keep saved tensors for another backward (implied by create_graph) */
    bool create_graph;         /* record the backward itself, for higher-order gradients */
    cg_tensor_list inputs;     /* accumulate into these only */
} cg_backward_args;
int cg_backward_opts(cg_backward_args args);  /* torch.autograd.backward; 0 or -1 */
#define cg_backward(...) cg_backward_opts(CG_ARGS_(cg_backward_args){.tensor = __VA_ARGS__})

typedef struct {
    cg_tensor_list outputs;
    cg_tensor_list inputs;
    cg_tensor **results;       /* room for inputs.n gradients (NULL for an unused input) */
    cg_tensor_list grad_outputs;
    bool retain_graph;
    bool create_graph;
    bool allow_unused;
} cg_grad_args;
/* PyTorch's torch.autograd.grad: gradients of outputs w.r.t. inputs, without touching .grad. */
int cg_autograd_grad_opts(cg_grad_args args);
#define cg_autograd_grad(...) cg_autograd_grad_opts(CG_ARGS_(cg_grad_args){__VA_ARGS__})

/* Grad mode, per thread. The setter returns the previous mode. */
bool cg_is_grad_enabled(void);
bool cg_set_grad_enabled(bool enabled);
/* CG_NO_GRAD { ... } and CG_ENABLE_GRAD { ... }: blocks that restore the previous mode at their
 * end, and (as CG_SCOPE) when left early with GCC, clang and C++. */
#define CG_NO_GRAD CG_GRAD_MODE_BLOCK_(false)
#define CG_ENABLE_GRAD CG_GRAD_MODE_BLOCK_(true)

/* Inference mode (torch.inference_mode), per thread: grad mode off, nothing recorded (even under
 * CG_ENABLE_GRAD), and the tensors made meanwhile are inference tensors (their views too, inside
 * or out). Outside inference mode, one cannot be saved for backward by a recorded op, written in
 * place or made to require grad (PyTorch's errors), and cg_version fails for it. A view of a
 * normal tensor made in inference mode is normal, but refuses in-place writes in grad mode.
 * cg_inference_mode_begin returns the previous state for cg_inference_mode_end. */
bool cg_is_inference_mode_enabled(void);
bool cg_is_inference(const cg_tensor *t);
int cg_inference_mode_begin(bool enabled);
void cg_inference_mode_end(int previous);
/* CG_INFERENCE_MODE { ... } and CG_NO_INFERENCE_MODE { ... } (inference_mode(False)): blocks
 * that restore the previous state at their end, as CG_NO_GRAD. */
#define CG_INFERENCE_MODE CG_INFERENCE_MODE_BLOCK_(true)
#define CG_NO_INFERENCE_MODE CG_INFERENCE_MODE_BLOCK_(false)

cg_tensor *cg_detach(cg_tensor *t);  /* shares storage and version counter; a leaf */
int cg_detach_(cg_tensor *t);        /* makes t itself a leaf (not for views) */
cg_tensor *cg_data(cg_tensor *t);    /* PyTorch's .data: shares storage, fresh version counter */

/* Tensor hooks: called with the gradient; may return a replacement (or NULL to keep it). */
typedef cg_tensor *(*cg_hook_fn)(cg_tensor *grad, void *user);
int cg_register_hook(cg_tensor *t, cg_hook_fn fn, void *user);  /* a handle > 0, or -1 */
int cg_remove_hook(cg_tensor *t, int handle);

/* ---- graph pictures and the profiler ---------------------------------------------------------- */

/* Writes t's graph as Graphviz DOT (render with `dot -Tsvg`), in torchviz's colours: t with its
 * sizes (green), its grad_fn and every node behind it, named as PyTorch names them and with their
 * hooks counted, each saved tensor with its sizes and dtype (orange, dotted into its node), and the
 * leaf behind each AccumulateGrad (blue). Nodes are numbered breadth first from t's grad_fn (n0),
 * so the text is the same for the same graph. 0, or -1 with an error. */
int cg_graph_write_dot(const cg_tensor *t, FILE *f);

/* The autograd profiler (torch.profiler's CPU times, all threads): between start and stop, the
 * time and calls of each forward op ("cg::" and its registry name: "cg::mul_scalar") and each
 * backward node (PyTorch's name: "MulBackward0", "torch::autograd::AccumulateGrad"). A node's
 * total time covers its hooks and its formula, whose ops are its children; its self time leaves
 * them out. A forward op is timed from the end of its thread's previous event to its recording
 * (cgrad ops record themselves after computing), so the program's work between two ops counts
 * towards the second. Start clears what was recorded before. Off, it costs nothing measurable. */
typedef struct {
    char name[64];
    int64_t calls;
    double self_us, total_us;
} cg_profile_entry;
int cg_profiler_start(void);
int cg_profiler_stop(void);
bool cg_profiler_enabled(void);
/* What was recorded, by self time (largest first): the number of entries, of which the first
 * capacity are written; -1 for a negative capacity or NULL entries. */
int cg_profiler_entries(cg_profile_entry *entries, int capacity);
/* PyTorch's prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=row_limit), in its
 * layout (row_limit <= 0: every row). 0, or -1 when f cannot be written. */
int cg_profiler_print(FILE *f, int row_limit);

/* gradcheck: compares the analytic Jacobian (one backward per output element) with central
 * differences (f(x+eps) - f(x-eps)) / (2 eps), element by element, like allclose(atol, rtol).
 * fn computes the outputs of the inputs (at most CG_MAX_OUTPUTS) and returns how many, or -1.
 * Meant for float64 inputs. Returns 0 when they agree, else -1 with a message that begins
 * "Jacobian mismatch for output 0 with respect to input 0,". Zero eps/atol/rtol take PyTorch's
 * defaults 1e-6, 1e-5, 1e-3. Then, as PyTorch, zero grad_outputs must give zero gradients, else
 * "backward not multiplied by grad_output". */
#define CG_MAX_OUTPUTS 8
typedef int (*cg_function)(cg_tensor **inputs, cg_tensor **outputs, void *user);
typedef struct {
    cg_function fn;
    cg_tensor_list inputs;
    void *user;
    double eps, atol, rtol;
} cg_gradcheck_args;
int cg_gradcheck_opts(cg_gradcheck_args args);
/* gradgradcheck: gradcheck of the gradients (autograd.grad with create_graph) with respect to the
 * inputs and the grad_outputs, which are drawn as PyTorch's are (make_tensor(low=-1, high=1): one
 * cg_rand from the default generator per differentiable output). */
int cg_gradgradcheck_opts(cg_gradcheck_args args);
#define cg_gradcheck(...) cg_gradcheck_opts(CG_ARGS_(cg_gradcheck_args){__VA_ARGS__})
#define cg_gradgradcheck(...) cg_gradgradcheck_opts(CG_ARGS_(cg_gradcheck_args){__VA_ARGS__})

/* ---- custom functions (torch.autograd.Function) ------------------------------------------------ */
/* A differentiable function written in C: forward computes outputs from inputs (it runs under
 * no_grad, as PyTorch's does), backward computes one gradient per input from one per output,
 * with cgrad ops (recorded under create_graph, so that a backward made of ops is itself
 * differentiable). Both return 0, or -1 with an error (cg_raise): a backward's error reaches the
 * caller of cg_backward with its message. The node prints as <NameBackward>. */
typedef struct cg_ctx cg_ctx;  /* a call's context: what forward keeps for backward */
typedef struct {
    const char *name;          /* "LegendrePolynomial3": the node is LegendrePolynomial3Backward */
    /* fills outputs[0..n_outputs) with new tensors (of its scope), or returns an input it marked dirty */
    int (*forward)(cg_ctx *ctx, cg_tensor **inputs, int n_inputs, cg_tensor **outputs, int n_outputs, void *user);
    /* grad_outputs[i] is NULL only without materialize_grads; grad_inputs start NULL (no gradient) */
    int (*backward)(cg_ctx *ctx, cg_tensor **grad_outputs, int n_outputs, cg_tensor **grad_inputs, int n_inputs);
    bool once_differentiable;  /* backward runs under no_grad; differentiating its result fails as PyTorch's */
} cg_autograd_function;
/* Function.apply: runs fn on inputs (up to 64), writes n_outputs (1..CG_MAX_OUTPUTS) outputs of the
 * current scope, which require grad (history fn's node) when an input does. 0, or -1 with an error
 * and outputs NULL. user is passed to forward and kept for backward (cg_ctx_user). */
int cg_function_apply(const cg_autograd_function *fn, cg_tensor **inputs, int n_inputs, cg_tensor **outputs,
                      int n_outputs, void *user);
/* ctx.save_for_backward (forward only, at most 4 tensors): saved with their versions, checked as
 * built-in saves are (PyTorch's message for a tensor modified in place since). 0 or -1. */
int cg_ctx_save_for_backward(cg_ctx *ctx, int n, cg_tensor **tensors);
/* ctx.saved_tensors: writes them (of the current scope or borrowed) to out; their count, or -1 with
 * PyTorch's error when freed by an earlier backward or modified in place. */
int cg_ctx_saved_tensors(cg_ctx *ctx, cg_tensor **out);
bool cg_ctx_needs_input_grad(const cg_ctx *ctx, int input);  /* ctx.needs_input_grad[input] */
void *cg_ctx_user(const cg_ctx *ctx);  /* the user pointer given to cg_function_apply */
/* Non-tensor state for backward (ctx.x = ...): destroy (may be NULL) frees it with the context,
 * or when it is replaced. */
void cg_ctx_set_state(cg_ctx *ctx, void *state, void (*destroy)(void *state));
void *cg_ctx_state(const cg_ctx *ctx);
int cg_ctx_mark_dirty(cg_ctx *ctx, int input);  /* ctx.mark_dirty: forward modified input in place and returns it */
int cg_ctx_mark_non_differentiable(cg_ctx *ctx, int output);  /* that output gets no history */
/* ctx.set_materialize_grads (default true): false passes NULL for outputs no gradient reached. */
void cg_ctx_set_materialize_grads(cg_ctx *ctx, bool value);
/* Raises an error from user code (a forward or backward): RuntimeError with the printf-style message. */
void cg_raise(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- saved-tensor hooks (torch.autograd.graph.saved_tensors_hooks) ---------------------------- */
/* While hooks are pushed (per thread; nested, the innermost applies), every tensor an op or a
 * custom function saves for backward goes to pack as it is saved (under no_grad), and the graph
 * keeps only what pack returned; a backward gets the tensor back from unpack (of the current
 * scope or borrowed), with the history the saved tensor had, and release (may be NULL) frees the
 * packed value when the graph lets it go. As PyTorch's: a node unpacks each of its saved tensors
 * once when it runs (a custom function's each time cg_ctx_saved_tensors reads them); tensors saved
 * through hooks are not checked for in-place writes; the number PyTorch saves as a 0-dim tensor
 * (x * 2, x / 2.5) is packed as one (int64, float64 or bool); a pack that writes its input fails
 * the op with PyTorch's message. Unlike PyTorch's, pack sees a saved output without its history
 * (keeping it would hold the graph in a cycle). pack and unpack fail by returning NULL (after
 * cg_raise for a message of their own); user must outlive every graph saved under the hooks. */
typedef struct {
    void *(*pack)(cg_tensor *t, void *user);
    cg_tensor *(*unpack)(void *packed, void *user);
    void (*release)(void *packed, void *user);
    void *user;
} cg_saved_tensors_hooks;
int cg_saved_tensors_hooks_push(cg_saved_tensors_hooks hooks);  /* 0, or -1 (no pack or unpack; over 64 deep) */
void cg_saved_tensors_hooks_pop(void);  /* the innermost; nothing when none is pushed */
/* CG_SAVED_TENSORS_HOOKS(hooks) { ... }: a block run with hooks pushed, popped at its end (and, as
 * CG_SCOPE, when left early with GCC, clang and C++); skipped when the push fails. */
#define CG_SAVED_TENSORS_HOOKS(hooks) CG_SAVED_HOOKS_BLOCK_(hooks)
/* torch.autograd.graph.save_on_cpu's hooks: each saved tensor kept as a contiguous copy on the
 * CPU (pin_memory has no meaning here), unpacked as that copy. */
cg_saved_tensors_hooks cg_save_on_cpu(void);

/* ---- forward-mode AD (torch.autograd.forward_ad) -------------------------------------------- */
/* A dual tensor carries a tangent; every op on one gives its results the tangents its forward
 * derivative computes (J v), whether grad mode is on or not. As in PyTorch 1.13 there is one level
 * at a time, and leaving it drops every tangent. In-place ops on dual tensors are refused.
 *
 *   int level = cg_enter_dual_level();
 *   cg_tensor *x = cg_make_dual(primal, v, level), *t;
 *   cg_unpack_dual(cg_sin(x), level, &t);   // t = cos(primal) * v
 *   cg_exit_dual_level(level);
 */
int cg_enter_dual_level(void);        /* the new level (0), or -1 with PyTorch's error when one exists */
int cg_exit_dual_level(int level);    /* 0, or -1 when level is not the current one */
/* A view of primal with tangent (a floating tensor of primal's size; kept as it is when laid out
 * as primal, else copied into primal's layout): PyTorch's make_dual, ViewBackward0 when primal
 * requires grad. */
cg_tensor *cg_make_dual(cg_tensor *primal, cg_tensor *tangent, int level);
/* unpack_dual: the primal (a view of t without its tangent; t itself when t has no tangent at
 * level) and, when tangent is not NULL, t's tangent there (NULL when none; borrowed: it lives as
 * long as t and the level do, unless retained). */
cg_tensor *cg_unpack_dual(cg_tensor *t, int level, cg_tensor **tangent);

/* ---- anomaly mode (torch.autograd.detect_anomaly, set_detect_anomaly) ------------------------- */
/* Global, as PyTorch's. While it is on, each node recorded keeps where the program called the op
 * that recorded it (file, line and function, which the op macros at the end of this header pass:
 * C's answer to the forward traceback PyTorch keeps); a backward node that returns a gradient with
 * a NaN fails the backward with PyTorch's RuntimeError "Function 'DivBackward0' returned nan
 * values in its 0th output."; and a node that fails warns first, as PyTorch's engine does:
 * "Error detected in DivBackward0. Traceback of forward call that caused the error:\n  File
 * \"main.c\", line 12, in main\n" (for a node recorded while it was off: "... No forward pass
 * information available. ..."). Off, an op's macro costs one test of a global flag. */
bool cg_set_detect_anomaly(bool enabled);  /* torch.autograd.set_detect_anomaly; returns the previous mode */
bool cg_is_anomaly_enabled(void);          /* torch.is_anomaly_enabled */
/* CG_DETECT_ANOMALY { ... }: a block with anomaly mode on, the previous mode restored at its end
 * (and, as CG_SCOPE, when left early with GCC, clang and C++); it warns as entering
 * torch.autograd.detect_anomaly() does ("Anomaly Detection has been enabled. ..."). */
#define CG_DETECT_ANOMALY CG_ANOMALY_BLOCK_
/* Internal, for the block and the op macros: anomaly mode's flag, the block's start, and the call
 * site an op macro reports. */
extern bool cg_anomaly_enabled_;
bool cg_detect_anomaly_begin_(void);  /* warns, turns it on; returns the previous mode */
void cg_call_site_(const char *file, int line, const char *function);  /* the call site of the next op */
#define CG_CALL_SITE_(f) ((cg_anomaly_enabled_ ? cg_call_site_(__FILE__, __LINE__, __func__) : (void)0), f)

/* ---- checkpointing (torch.utils.checkpoint) ---------------------------------------------------- */
/* torch.utils.checkpoint.checkpoint(fn, *inputs): runs outputs = fn(inputs) (a cg_function, as for
 * gradcheck: it returns how many outputs it wrote, at most CG_MAX_OUTPUTS) without keeping the
 * tensors its ops save for backward, and runs it again in backward to get them, trading compute
 * for memory. fn must compute the same thing each time; the default generator is put back as it
 * was for the second run (and restored after it), so dropout draws the same mask, unless
 * no_preserve_rng_state (preserve_rng_state=False). use_reentrant (PyTorch 1.13's default, here
 * not: C's zero) is PyTorch's CheckpointFunction: fn runs under no_grad, its outputs get one node
 * CheckpointFunctionBackward, whose backward reruns fn with grad and runs a backward of its own
 * through it (so at most 4 inputs, warning "None of the inputs have requires_grad=True. Gradients
 * will be None" when none does, n_outputs outputs, and PyTorch's error under cg_autograd_grad or
 * backward with .inputs). Without it, saved-tensor hooks keep placeholders for what fn's ops
 * save, and the first unpack reruns fn, as PyTorch's use_reentrant=False: the graph is fn's own
 * (its nodes, autograd.grad and .inputs work). Returns the number of outputs, or -1 with an error. */
typedef struct {
    cg_function fn;
    void *user;                /* passed to fn */
    cg_tensor_list inputs;     /* at most 64 */
    cg_tensor **outputs;       /* room for CG_MAX_OUTPUTS */
    bool use_reentrant;
    int n_outputs;             /* use_reentrant: how many outputs fn writes (0: 1) */
    bool no_preserve_rng_state;
} cg_checkpoint_args;
int cg_checkpoint_opts(cg_checkpoint_args args);
#define cg_checkpoint(...) cg_checkpoint_opts(CG_ARGS_(cg_checkpoint_args){__VA_ARGS__})

/* ---- functional API (torch.autograd.functional) ------------------------------------------------ */
/* Derivatives of a whole function fn(inputs) -> outputs (a cg_function, as for gradcheck), with
 * PyTorch 1.13's semantics. fn sees fresh tensors, not the caller's: detached copies that require
 * grad, or, with create_graph and an input that requires grad, a view of it (so the results stay
 * differentiable w.r.t. the caller's inputs). A function output that does not depend on an input
 * gives zeros; with .strict it is an error instead, with PyTorch's messages. Without create_graph
 * every result is detached.
 * Each returns the number of outputs of fn (1 for hessian, hvp and vhp), or -1 on error (then
 * nothing is written to .results or .outputs). Results belong to the caller's current scope.
 * A list of one tensor stands for PyTorch's single Tensor (not a 1-tuple) in messages.
 *
 *   cg_tensor *J[2];
 *   cg_jacobian(.fn = f, .inputs = CG_TENSORS(x, y), .results = J);   // f: one output
 *   cg_tensor *out, *g[2];
 *   cg_vjp(.fn = f, .inputs = CG_TENSORS(x, y), .v = CG_TENSORS(w), .outputs = &out, .results = g);
 */
typedef struct {
    cg_function fn;
    cg_tensor_list inputs;
    void *user;
    /* jacobian: room for nout * inputs.n tensors, results[i * inputs.n + j] of shape
     * out_i.shape + in_j.shape; hessian: inputs.n * inputs.n, results[i * inputs.n + j] of shape
     * in_i.shape + in_j.shape. results[i * inputs.n + j] has in_j's dtype. */
    cg_tensor **results;
    bool create_graph;        /* results differentiable (grad_fn ViewBackward0) */
    bool strict;
    /* jacobian: by forward mode, one jvp per input element (PyTorch's strategy="forward-mode"; not
     * with strict, as PyTorch's) */
    bool forward_mode;
} cg_jacobian_args;
int cg_jacobian_opts(cg_jacobian_args args);
int cg_hessian_opts(cg_jacobian_args args);  /* fn returns one tensor of one element */
#define cg_jacobian(...) cg_jacobian_opts(CG_ARGS_(cg_jacobian_args){__VA_ARGS__})
#define cg_hessian(...) cg_hessian_opts(CG_ARGS_(cg_jacobian_args){__VA_ARGS__})

typedef struct {
    cg_function fn;
    cg_tensor_list inputs;
    /* vjp: one per output of fn; jvp, hvp, vhp: one per input. May be left out ({NULL, 0}, PyTorch's
     * None) when what it pairs with is a single tensor of one element: then it is 1. */
    cg_tensor_list v;
    void *user;
    cg_tensor **outputs;      /* optional: room for fn's outputs (detached unless create_graph) */
    /* vjp, hvp, vhp: room for inputs.n tensors shaped like the inputs; jvp: one per output of fn,
     * shaped like it. */
    cg_tensor **results;
    bool create_graph;
    bool strict;
    /* jvp: by forward mode (dual tensors) instead of the double-vjp trick; hvp: forward over
     * reverse (the gradient's tangent). Not with strict; not inside a dual level of the caller's. */
    bool forward_mode;
} cg_vjp_args;
int cg_vjp_opts(cg_vjp_args args);  /* v^T J */
int cg_jvp_opts(cg_vjp_args args);  /* J v, by the double-vjp trick as in PyTorch (or .forward_mode) */
int cg_vhp_opts(cg_vjp_args args);  /* v^T H of a one-element fn */
int cg_hvp_opts(cg_vjp_args args);  /* H v, by the double-vjp trick (or forward over reverse) */
#define cg_vjp(...) cg_vjp_opts(CG_ARGS_(cg_vjp_args){__VA_ARGS__})
#define cg_jvp(...) cg_jvp_opts(CG_ARGS_(cg_vjp_args){__VA_ARGS__})
#define cg_vhp(...) cg_vhp_opts(CG_ARGS_(cg_vjp_args){__VA_ARGS__})
#define cg_hvp(...) cg_hvp_opts(CG_ARGS_(cg_vjp_args){__VA_ARGS__})

/* ---- nn: modules ----------------------------------------------------------------------------- */
/* torch.nn.Module in C: a module has a type name ("Linear"), a forward function, its options, and
 * ordered tables of parameters, buffers and child modules. Names are PyTorch's: a child's entries
 * get its name and a dot in front ("0.weight", "features.3.bias"). A module holds a reference to
 * each of its tensors and owns its children: cg_module_free frees the whole tree. A layer's
 * parameters are float32 leaves that require grad, held by the module alone (no scope of the
 * caller's owns them). */
typedef struct cg_module cg_module;
typedef cg_tensor *(*cg_module_forward_fn)(cg_module *m, cg_tensor *input);
/* Names and tensors, in PyTorch's order; each tensor is one reference owned by the list. Its
 * tensors as a cg_tensor_list (for cg_zero_grad or an optimizer): {list.tensors, list.n}. */
typedef struct {
    char **names;
    cg_tensor **tensors;
    int n;
} cg_named_tensors;
void cg_named_tensors_free(cg_named_tensors *list);  /* releases the tensors, frees the names; empties list */
/* The tensor named name in the list (borrowed), NULL if none. */
cg_tensor *cg_named_tensors_get(const cg_named_tensors *list, const char *name);

/* A module of one's own: forward gets the module (cg_module_state gives state back); free_state
 * (may be NULL) frees state with the module, also when cg_module_new fails. */
cg_module *cg_module_new(const char *type, cg_module_forward_fn forward, void *state, void (*free_state)(void *));
void cg_module_free(cg_module *m);  /* the module, its children, its references; NULL is fine */
const char *cg_module_type(const cg_module *m);  /* "Linear", "Sequential", ... */
void *cg_module_state(const cg_module *m);  /* the state given to cg_module_new */
/* register_parameter: t (a floating leaf) becomes a parameter that requires grad; the module
 * takes a reference. Names are unique per module, non-empty, without '.'. 0 or -1. */
int cg_module_register_parameter(cg_module *m, const char *name, cg_tensor *t);
int cg_module_register_buffer(cg_module *m, const char *name, cg_tensor *t);  /* a persistent buffer */
/* add_module: child becomes m's; it is freed on failure too (a NULL child, a failed constructor,
 * makes this return -1 with that constructor's error). */
int cg_module_add_module(cg_module *m, const char *name, cg_module *child);
int cg_module_num_children(const cg_module *m);
cg_module *cg_module_child(const cg_module *m, int i);  /* borrowed; negative i counts from the end */
const char *cg_module_child_name(const cg_module *m, int i);  /* NULL when out of range */
cg_tensor *cg_module_forward(cg_module *m, cg_tensor *input);  /* module(input) */
/* named_parameters() (each shared tensor once) and named_buffers(): 0, or -1 with *out empty. */
int cg_module_named_parameters(const cg_module *m, cg_named_tensors *out);
int cg_module_named_buffers(const cg_module *m, cg_named_tensors *out);
/* The parameter by its dotted name ("0.weight"; borrowed, held by the module), NULL if none. */
cg_tensor *cg_module_get_parameter(const cg_module *m, const char *name);
/* state_dict(): parameters then buffers, module by module, as detached tensors sharing storage. */
int cg_module_state_dict(const cg_module *m, cg_named_tensors *out);
/* load_state_dict(state_dict, strict): copies each entry into the tensor of that name. Missing and
 * unexpected keys (strict) and size mismatches fail with PyTorch's message; unlike PyTorch, a
 * failing call copies nothing. Non-strict ignores missing and unexpected keys. */
int cg_module_load_state_dict(cg_module *m, const cg_named_tensors *state_dict, bool strict);
void cg_module_train(cg_module *m, bool mode);  /* train(mode) on m and its children; eval() is mode false */
bool cg_module_is_training(const cg_module *m);
int cg_module_zero_grad(cg_module *m);  /* zero_grad(set_to_none=False) over every parameter */
int cg_module_requires_grad_(cg_module *m, bool requires_grad);  /* requires_grad_ on every parameter */

/* ---- nn: layers (constructors draw PyTorch's default initialization from the default generator) */

typedef struct {
    int64_t in_features, out_features;
    bool no_bias;            /* PyTorch's bias=False */
} cg_nn_linear_args;
/* nn.Linear: cg_nn_linear(784, 10), cg_nn_linear(4, 3, .no_bias = true). */
cg_module *cg_nn_linear_opts(cg_nn_linear_args args);
#define cg_nn_linear(in_, ...) cg_nn_linear_opts(CG_ARGS_(cg_nn_linear_args){.in_features = (in_), .out_features = __VA_ARGS__})
typedef struct {
    int64_t in_channels, out_channels;
    cg_ints kernel_size, stride, padding, dilation;
    int64_t groups;          /* 0: 1 */
    bool no_bias;
    const char *padding_str; /* "same" or "valid" as in cg_conv_args; NULL: .padding */
} cg_nn_conv_args;
/* nn.Conv1d/nn.Conv2d: cg_nn_conv2d(1, 6, CG_INTS(5), .padding = CG_INTS(2)). */
cg_module *cg_nn_conv1d_opts(cg_nn_conv_args args);
cg_module *cg_nn_conv2d_opts(cg_nn_conv_args args);
#define cg_nn_conv1d(in_, out_, ...) \
    cg_nn_conv1d_opts(CG_ARGS_(cg_nn_conv_args){.in_channels = (in_), .out_channels = (out_), .kernel_size = __VA_ARGS__})
#define cg_nn_conv2d(in_, out_, ...) \
    cg_nn_conv2d_opts(CG_ARGS_(cg_nn_conv_args){.in_channels = (in_), .out_channels = (out_), .kernel_size = __VA_ARGS__})
typedef struct {
    int64_t in_channels, out_channels;
    cg_ints kernel_size, stride, padding, output_padding;
    int64_t groups;          /* 0: 1 */
    bool no_bias;
    cg_ints dilation;
} cg_nn_conv_transpose_args;
/* nn.ConvTranspose1d/nn.ConvTranspose2d: cg_nn_conv_transpose2d(8, 4, CG_INTS(3), .stride = CG_INTS(2)),
 * weight (in_channels, out_channels / groups, kernel...). Forward has no output_size argument. */
cg_module *cg_nn_conv_transpose1d_opts(cg_nn_conv_transpose_args args);
cg_module *cg_nn_conv_transpose2d_opts(cg_nn_conv_transpose_args args);
#define cg_nn_conv_transpose1d(in_, out_, ...)                                                        \
    cg_nn_conv_transpose1d_opts(CG_ARGS_(cg_nn_conv_transpose_args){.in_channels = (in_), .out_channels = (out_), \
                                                                    .kernel_size = __VA_ARGS__})
#define cg_nn_conv_transpose2d(in_, out_, ...)                                                        \
    cg_nn_conv_transpose2d_opts(CG_ARGS_(cg_nn_conv_transpose_args){.in_channels = (in_), .out_channels = (out_), \
                                                                    .kernel_size = __VA_ARGS__})
/* nn.MaxPool2d / nn.AvgPool2d with cg_max_pool2d's / cg_avg_pool2d's options (.input and
 * .indices are ignored): cg_nn_max_pool2d(CG_INTS(2)). */
cg_module *cg_nn_max_pool2d_opts(cg_max_pool_args args);
cg_module *cg_nn_avg_pool2d_opts(cg_avg_pool_args args);
#define cg_nn_max_pool2d(...) cg_nn_max_pool2d_opts(CG_ARGS_(cg_max_pool_args){.kernel_size = __VA_ARGS__})
#define cg_nn_avg_pool2d(...) cg_nn_avg_pool2d_opts(CG_ARGS_(cg_avg_pool_args){.kernel_size = __VA_ARGS__})
/* nn.MaxPool1d / nn.AvgPool1d with cg_max_pool1d's / cg_avg_pool1d's options: cg_nn_max_pool1d(CG_INTS(2)). */
cg_module *cg_nn_max_pool1d_opts(cg_max_pool_args args);
cg_module *cg_nn_avg_pool1d_opts(cg_avg_pool_args args);
#define cg_nn_max_pool1d(...) cg_nn_max_pool1d_opts(CG_ARGS_(cg_max_pool_args){.kernel_size = __VA_ARGS__})
#define cg_nn_avg_pool1d(...) cg_nn_avg_pool1d_opts(CG_ARGS_(cg_avg_pool_args){.kernel_size = __VA_ARGS__})
/* nn.AdaptiveAvgPool1d/2d / nn.AdaptiveMaxPool1d/2d(output_size) (return_indices not kept):
 * cg_nn_adaptive_avg_pool2d(CG_INTS(1)). */
cg_module *cg_nn_adaptive_avg_pool1d_opts(cg_adaptive_pool_args args);
cg_module *cg_nn_adaptive_max_pool1d_opts(cg_adaptive_pool_args args);
cg_module *cg_nn_adaptive_avg_pool2d_opts(cg_adaptive_pool_args args);
cg_module *cg_nn_adaptive_max_pool2d_opts(cg_adaptive_pool_args args);
#define cg_nn_adaptive_avg_pool1d(...) \
    cg_nn_adaptive_avg_pool1d_opts(CG_ARGS_(cg_adaptive_pool_args){.output_size = __VA_ARGS__})
#define cg_nn_adaptive_max_pool1d(...) \
    cg_nn_adaptive_max_pool1d_opts(CG_ARGS_(cg_adaptive_pool_args){.output_size = __VA_ARGS__})
#define cg_nn_adaptive_avg_pool2d(...) \
    cg_nn_adaptive_avg_pool2d_opts(CG_ARGS_(cg_adaptive_pool_args){.output_size = __VA_ARGS__})
#define cg_nn_adaptive_max_pool2d(...) \
    cg_nn_adaptive_max_pool2d_opts(CG_ARGS_(cg_adaptive_pool_args){.output_size = __VA_ARGS__})
cg_module *cg_nn_flatten(int start_dim, int end_dim);  /* nn.Flatten(start_dim, end_dim); PyTorch's default is (1, -1) */
cg_module *cg_nn_unflatten(int dim, int ndim, const int64_t *sizes);  /* nn.Unflatten(dim, sizes): cg_nn_unflatten(1, CG_SHAPE(2, 5)) */
cg_module *cg_nn_identity(void);  /* nn.Identity: returns its input */
cg_module *cg_nn_relu(void);      /* nn.ReLU */
cg_module *cg_nn_tanh(void);      /* nn.Tanh */
cg_module *cg_nn_sigmoid(void);   /* nn.Sigmoid */
/* torch.nn's other activation modules (src/nn/activation.c), PyTorch's defaults in brackets:
 * each runs the functional op of the same name with its options. */
cg_module *cg_nn_gelu(const char *approximate);  /* nn.GELU(approximate): "none" (or NULL) or "tanh" */
cg_module *cg_nn_silu(void);  /* nn.SiLU */
cg_module *cg_nn_mish(void);  /* nn.Mish */
cg_module *cg_nn_elu(double alpha);  /* nn.ELU(alpha) [1.0] */
cg_module *cg_nn_selu(void);  /* nn.SELU */
cg_module *cg_nn_celu(double alpha);  /* nn.CELU(alpha) [1.0] */
cg_module *cg_nn_leaky_relu(double negative_slope);  /* nn.LeakyReLU(negative_slope) [0.01] */
cg_module *cg_nn_hardtanh(double min_val, double max_val);  /* nn.Hardtanh(min_val, max_val) [-1, 1] */
cg_module *cg_nn_relu6(void);  /* nn.ReLU6 */
cg_module *cg_nn_hardsigmoid(void);  /* nn.Hardsigmoid */
cg_module *cg_nn_hardswish(void);  /* nn.Hardswish */
cg_module *cg_nn_softplus(double beta, double threshold);  /* nn.Softplus(beta, threshold) [1, 20] */
cg_module *cg_nn_softsign(void);  /* nn.Softsign */
cg_module *cg_nn_logsigmoid(void);  /* nn.LogSigmoid */
cg_module *cg_nn_tanhshrink(void);  /* nn.Tanhshrink */
cg_module *cg_nn_softmin(int dim);  /* nn.Softmin(dim) (no implicit dim) */
cg_module *cg_nn_softmax(int dim);  /* nn.Softmax(dim) (no implicit dim) */
cg_module *cg_nn_log_softmax(int dim);  /* nn.LogSoftmax(dim) (no implicit dim) */
cg_module *cg_nn_glu(int dim);  /* nn.GLU(dim) [-1] */
/* nn.PReLU(num_parameters, init) [1, 0.25]: a float32 parameter "weight" of num_parameters filled with init. */
cg_module *cg_nn_prelu(int64_t num_parameters, double init);
/* nn.Bilinear(in1_features, in2_features, out_features, bias=not no_bias): "weight" (out, in1, in2)
 * and "bias" (out) from U(-1/sqrt(in1), 1/sqrt(in1)) as PyTorch's reset_parameters draws them;
 * it has two inputs, so its forward is cg_nn_bilinear_forward (cg_module_forward refuses it). */
typedef struct {
    int64_t in1_features, in2_features, out_features;
    bool no_bias;
} cg_nn_bilinear_args;
cg_module *cg_nn_bilinear_opts(cg_nn_bilinear_args args);
#define cg_nn_bilinear(in1_, in2_, ...) \
    cg_nn_bilinear_opts(CG_ARGS_(cg_nn_bilinear_args){.in1_features = (in1_), .in2_features = (in2_), .out_features = __VA_ARGS__})
cg_tensor *cg_nn_bilinear_forward(cg_module *m, cg_tensor *input1, cg_tensor *input2);  /* Bilinear's forward */
/* nn.Embedding(num_embeddings, embedding_dim), weight from N(0, 1); forward is cg_embedding of
 * int64 indices. No padding_idx or max_norm yet. */
cg_module *cg_nn_embedding(int64_t num_embeddings, int64_t embedding_dim);
/* nn.BatchNorm1d (input (N, C) or (N, C, L)) and nn.BatchNorm2d (input (N, C, H, W)) of
 * num_features channels; PyTorch's defaults are eps 1e-5, momentum 0.1 (NAN: None, a cumulative
 * average), affine and track_running_stats true: parameters weight (ones) and bias (zeros), buffers
 * running_mean, running_var and num_batches_tracked (int64). Training updates the buffers; eval
 * uses them. */
cg_module *cg_nn_batch_norm1d(int64_t num_features, double eps, double momentum, bool affine, bool track_running_stats);
cg_module *cg_nn_batch_norm2d(int64_t num_features, double eps, double momentum, bool affine, bool track_running_stats);
/* nn.InstanceNorm1d (input (N, C, L) or unbatched (C, L)) and nn.InstanceNorm2d ((N, C, H, W) or
 * (C, H, W)); PyTorch's defaults are eps 1e-5, momentum 0.1, affine and track_running_stats false
 * (the parameters and buffers as BatchNorm's when set; num_batches_tracked is never counted). */
cg_module *cg_nn_instance_norm1d(int64_t num_features, double eps, double momentum, bool affine, bool track_running_stats);
cg_module *cg_nn_instance_norm2d(int64_t num_features, double eps, double momentum, bool affine, bool track_running_stats);
/* nn.GroupNorm(num_groups, num_channels, eps, affine): PyTorch's defaults eps 1e-5, affine true
 * (weight ones, bias zeros of num_channels). */
cg_module *cg_nn_group_norm(int64_t num_groups, int64_t num_channels, double eps, bool affine);
/* nn.Dropout(p), nn.Dropout1d/2d/3d(p), nn.AlphaDropout(p) and nn.FeatureAlphaDropout(p)
 * (PyTorch's default p 0.5): the functional one, training or not as the module is. */
cg_module *cg_nn_dropout(double p);
cg_module *cg_nn_dropout1d(double p);
cg_module *cg_nn_dropout2d(double p);
cg_module *cg_nn_dropout3d(double p);
cg_module *cg_nn_alpha_dropout(double p);
cg_module *cg_nn_feature_alpha_dropout(double p);
/* nn.LayerNorm(normalized_shape, eps, elementwise_affine): cg_nn_layer_norm(CG_SHAPE(10), 1e-5,
 * true); weight ones and bias zeros of normalized_shape. */
cg_module *cg_nn_layer_norm(int k, const int64_t *normalized_shape, double eps, bool elementwise_affine);
/* nn.Sequential of n layers, named "0", "1", ...; it owns them, also when it fails (a NULL layer,
 * i.e. a failed constructor, fails it with that error). */
cg_module *cg_nn_sequential(cg_module **layers, int n);
int cg_nn_sequential_append(cg_module *seq, cg_module *layer);  /* Sequential.append; owns layer, as add_module */
#define CG_MODULES(...) (cg_module *[]){__VA_ARGS__}, (int)(sizeof((cg_module *[]){__VA_ARGS__}) / sizeof(cg_module *))
/* nn.ModuleList(modules): children "0", "1", ... (keys as PyTorch's) and no forward (calling it
 * fails as PyTorch's does); it owns them, also when it fails. cg_nn_sequential_append appends to
 * it; cg_module_child(list, i) is list[i]. cg_nn_module_list(CG_MODULES(a, b)). */
cg_module *cg_nn_module_list(cg_module **modules, int n);
/* nn.ModuleDict: children named names[i], in order; no forward. cg_module_get_submodule(dict, "a")
 * is dict["a"]. */
cg_module *cg_nn_module_dict(const char *const *names, cg_module **modules, int n);
/* Module.get_submodule(target): the module at the dotted name ("features.3"; "" is m itself),
 * borrowed; NULL with PyTorch's message ("Sequential has no attribute `5`"; its AttributeError is a
 * RuntimeError here). */
cg_module *cg_module_get_submodule(const cg_module *m, const char *target);

/* ---- nn: recurrent layers (src/nn/rnn.c) ------------------------------------------------------ */
/* torch.rnn_tanh_cell / rnn_relu_cell / gru_cell / lstm_cell: one step of the cell, input (N, in),
 * hidden (N, H), weights (G*H, in) and (G*H, H) with G = 1, 3, 4, gates in PyTorch's order (LSTM:
 * i, f, g, o; GRU: r, z, n). A NULL bias is no bias (PyTorch's None). The new h; cg_lstm_cell
 * also writes the new c to *c_out. Differentiable (a composition of cgrad's ops). */
cg_tensor *cg_rnn_tanh_cell(cg_tensor *input, cg_tensor *hx, cg_tensor *w_ih, cg_tensor *w_hh, cg_tensor *b_ih,
                            cg_tensor *b_hh);
cg_tensor *cg_rnn_relu_cell(cg_tensor *input, cg_tensor *hx, cg_tensor *w_ih, cg_tensor *w_hh, cg_tensor *b_ih,
                            cg_tensor *b_hh);
cg_tensor *cg_gru_cell(cg_tensor *input, cg_tensor *hx, cg_tensor *w_ih, cg_tensor *w_hh, cg_tensor *b_ih,
                       cg_tensor *b_hh);
cg_tensor *cg_lstm_cell(cg_tensor *input, cg_tensor *hx, cg_tensor *cx, cg_tensor *w_ih, cg_tensor *w_hh,
                        cg_tensor *b_ih, cg_tensor *b_hh, cg_tensor **c_out);
typedef struct {
    int64_t input_size, hidden_size;
    int64_t num_layers;         /* 0: 1 */
    const char *nonlinearity;   /* nn.RNN and nn.RNNCell: "tanh" (NULL) or "relu" */
    bool no_bias;               /* PyTorch's bias=False */
    bool batch_first;           /* input and output (N, L, H) instead of (L, N, H) */
    double dropout;             /* on each layer's output but the last's, in training */
    bool bidirectional;
    int64_t proj_size;          /* nn.LSTM only: h projected to proj_size features (0: none) */
} cg_nn_rnn_args;
/* nn.RNN / nn.LSTM / nn.GRU: cg_nn_lstm(10, 20, .num_layers = 2, .bidirectional = true). Parameters
 * weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0, ..._reverse in PyTorch's order, each drawn from
 * uniform(-1/sqrt(hidden_size), 1/sqrt(hidden_size)) as reset_parameters does; an LSTM with
 * .proj_size also has weight_hr_l0, ... and its h (h0, h_n, the output) has proj_size features. */
cg_module *cg_nn_rnn_opts(cg_nn_rnn_args args);
cg_module *cg_nn_lstm_opts(cg_nn_rnn_args args);
cg_module *cg_nn_gru_opts(cg_nn_rnn_args args);
#define cg_nn_rnn(in_, ...) cg_nn_rnn_opts(CG_ARGS_(cg_nn_rnn_args){.input_size = (in_), .hidden_size = __VA_ARGS__})
#define cg_nn_lstm(in_, ...) cg_nn_lstm_opts(CG_ARGS_(cg_nn_rnn_args){.input_size = (in_), .hidden_size = __VA_ARGS__})
#define cg_nn_gru(in_, ...) cg_nn_gru_opts(CG_ARGS_(cg_nn_rnn_args){.input_size = (in_), .hidden_size = __VA_ARGS__})
/* module(input, hx) of an RNN, LSTM or GRU: the output (L, N, D*H), (N, L, D*H) with batch_first, or
 * (L, D*H) for an unbatched (L, in) input; *h_n (when h_n is not NULL) gets h_n (layers*D, N, H).
 * LSTM: h0 and c0 together, *c_n gets c_n; the others take c0 NULL and leave *c_n NULL. h0 (and
 * c0) NULL is PyTorch's hx=None: zeros. cg_module_forward(m, x) is cg_nn_rnn_forward(m, x, NULL,
 * NULL, NULL, NULL), so the layers sit in a Sequential too. */
cg_tensor *cg_nn_rnn_forward(cg_module *m, cg_tensor *input, cg_tensor *h0, cg_tensor *c0, cg_tensor **h_n,
                             cg_tensor **c_n);
/* nn.RNNCell / nn.LSTMCell / nn.GRUCell(input_size, hidden_size, bias, nonlinearity) (.num_layers,
 * .batch_first, .dropout, .bidirectional and .proj_size must be left out): weight_ih, weight_hh, bias_ih, bias_hh. */
cg_module *cg_nn_rnn_cell_opts(cg_nn_rnn_args args);
cg_module *cg_nn_lstm_cell_opts(cg_nn_rnn_args args);
cg_module *cg_nn_gru_cell_opts(cg_nn_rnn_args args);
#define cg_nn_rnn_cell(in_, ...) cg_nn_rnn_cell_opts(CG_ARGS_(cg_nn_rnn_args){.input_size = (in_), .hidden_size = __VA_ARGS__})
#define cg_nn_lstm_cell(in_, ...) cg_nn_lstm_cell_opts(CG_ARGS_(cg_nn_rnn_args){.input_size = (in_), .hidden_size = __VA_ARGS__})
#define cg_nn_gru_cell(in_, ...) cg_nn_gru_cell_opts(CG_ARGS_(cg_nn_rnn_args){.input_size = (in_), .hidden_size = __VA_ARGS__})
/* cell(input, hx): input (N, in) or (in); hx NULL is zeros. LSTMCell: hx and cx together, the new c
 * to *c_out; the others take cx NULL. The new h. cg_module_forward(m, x) is the new h from zeros. */
cg_tensor *cg_nn_cell_forward(cg_module *m, cg_tensor *input, cg_tensor *hx, cg_tensor *cx, cg_tensor **c_out);

/* ---- nn: attention (src/nn/transformer.c) --------------------------------------------------------- */
typedef struct {
    int64_t embed_dim, num_heads;
    double dropout;             /* on the attention weights in training (PyTorch's default 0) */
    bool no_bias;               /* PyTorch's bias=False */
    bool batch_first;           /* (N, L, E) instead of (L, N, E) */
} cg_nn_multihead_attention_args;
/* nn.MultiheadAttention(embed_dim, num_heads) with kdim = vdim = embed_dim, no add_bias_kv or
 * add_zero_attn: in_proj_weight (xavier_uniform_), in_proj_bias (zeros), out_proj.weight (Linear's
 * init), out_proj.bias (zeros), drawn in PyTorch's order. cg_nn_multihead_attention(8, 2). */
cg_module *cg_nn_multihead_attention_opts(cg_nn_multihead_attention_args args);
#define cg_nn_multihead_attention(e_, ...) \
    cg_nn_multihead_attention_opts(CG_ARGS_(cg_nn_multihead_attention_args){.embed_dim = (e_), .num_heads = __VA_ARGS__})
typedef struct {
    cg_tensor *value;
    cg_tensor *key_padding_mask;  /* NULL, or (N, S) ((S) unbatched): bool (true: ignored) or float (added) */
    cg_tensor *attn_mask;         /* NULL, or (L, S) or (N * num_heads, L, S): bool (true: not allowed) or float */
    cg_tensor **weights;          /* NULL: need_weights=False; else gets the attention weights */
    bool per_head_weights;        /* average_attn_weights=False: (N, num_heads, L, S), else (N, L, S) */
} cg_nn_multihead_attention_forward_args;
/* module(query, key, value, key_padding_mask=, attn_mask=, need_weights=, average_attn_weights=):
 * the attention output; cg_nn_multihead_attention_forward(m, q, k, v, .weights = &w). Passing one
 * tensor as query, key and value (or as key and value) takes PyTorch's self-attention (or
 * encoder-decoder) projection, as its `is` tests. cg_module_forward(m, x) is self-attention of x. */
cg_tensor *cg_nn_multihead_attention_forward_opts(cg_module *m, cg_tensor *query, cg_tensor *key,
                                                  cg_nn_multihead_attention_forward_args args);
#define cg_nn_multihead_attention_forward(m, q, k, ...) \
    cg_nn_multihead_attention_forward_opts(m, q, k, CG_ARGS_(cg_nn_multihead_attention_forward_args){.value = __VA_ARGS__})
typedef struct {
    int64_t d_model, nhead;
    int64_t dim_feedforward;    /* 0: PyTorch's 2048 */
    cg_opt dropout;             /* in training, after attention, activation and linear2 and on the attention
                                 * weights: PyTorch's 0.1 when left out, CG_OPT(0) for none */
    const char *activation;     /* "relu" (NULL) or "gelu" */
    double layer_norm_eps;      /* 0: 1e-5 */
    bool batch_first, norm_first;
} cg_nn_transformer_encoder_layer_args;
/* nn.TransformerEncoderLayer(d_model, nhead, ...): children self_attn, linear1, linear2, norm1, norm2
 * (PyTorch's keys; its Dropout children hold nothing), drawn in PyTorch's order. */
cg_module *cg_nn_transformer_encoder_layer_opts(cg_nn_transformer_encoder_layer_args args);
#define cg_nn_transformer_encoder_layer(d_, ...) \
    cg_nn_transformer_encoder_layer_opts(CG_ARGS_(cg_nn_transformer_encoder_layer_args){.d_model = (d_), .nhead = __VA_ARGS__})
/* layer(src, src_mask, src_key_padding_mask), either mask NULL for none (MultiheadAttention's
 * attn_mask and key_padding_mask). cg_module_forward(m, src) has no masks. */
cg_tensor *cg_nn_transformer_encoder_layer_forward(cg_module *m, cg_tensor *src, cg_tensor *src_mask,
                                                   cg_tensor *src_key_padding_mask);

/* ---- nn.init (in place, without recording; the default generator; PyTorch's bits) -------------- */
typedef enum { CG_FAN_IN = 0, CG_FAN_OUT } cg_fan_mode;
/* torch.nn.init.calculate_gain; param NAN is PyTorch's None (leaky_relu's 0.01). NAN on error. */
double cg_nn_init_calculate_gain(const char *nonlinearity, double param);
int cg_nn_init_uniform_(cg_tensor *t, double a, double b);
int cg_nn_init_normal_(cg_tensor *t, double mean, double std);
int cg_nn_init_constant_(cg_tensor *t, double value);
int cg_nn_init_zeros_(cg_tensor *t);
int cg_nn_init_ones_(cg_tensor *t);
int cg_nn_init_eye_(cg_tensor *t);  /* 2-D only */
int cg_nn_init_xavier_uniform_(cg_tensor *t, double gain);  /* gain 1 is PyTorch's default */
int cg_nn_init_xavier_normal_(cg_tensor *t, double gain);
/* kaiming_uniform_/kaiming_normal_(t, a, mode, nonlinearity); PyTorch's defaults are
 * (0, CG_FAN_IN, "leaky_relu"); NULL nonlinearity is "leaky_relu". */
int cg_nn_init_kaiming_uniform_(cg_tensor *t, double a, cg_fan_mode mode, const char *nonlinearity);
int cg_nn_init_kaiming_normal_(cg_tensor *t, double a, cg_fan_mode mode, const char *nonlinearity);
/* trunc_normal_(t, mean, std, a, b) (PyTorch's defaults 0, 1, -2, 2): uniform draws in
 * [2 cdf(a) - 1, 2 cdf(b) - 1] through PyTorch's erfinv (the same float32/float64 bits in every
 * build), times std * sqrt(2), plus mean, clamped to [a, b]; warns as PyTorch does when mean is
 * more than 2 std from [a, b]. */
int cg_nn_init_trunc_normal_(cg_tensor *t, double mean, double std, double a, double b);
/* orthogonal_(t, gain) (gain 1 is PyTorch's default): t (at least 2-D, trailing dims flattened)
 * gets the Q of normal draws' QR, column signs from R's diagonal, times gain. PyTorch's bits with
 * OpenBLAS (its LAPACK geqrf/orgqr, as PyTorch's torch.linalg.qr); within rounding without it. */
int cg_nn_init_orthogonal_(cg_tensor *t, double gain);
/* dirac_(t, groups) (groups 1 is PyTorch's default): zeros with a 1 at each kernel's centre for
 * in channel d of out channel d in every group; t is 3-, 4- or 5-D. */
int cg_nn_init_dirac_(cg_tensor *t, int64_t groups);

/* ---- serialization: safetensors files ------------------------------------------------------- */
/* The safetensors format (Hugging Face's; what safetensors.torch.save_file writes): names ->
 * tensors, e.g. a state dict. Saving writes the file Python's safetensors writes for the same
 * tensors and metadata (tensors ordered by dtype, then name; the header padded to 8 bytes);
 * metadata: NULL, or key, value, key, value, ..., NULL (the "__metadata__" strings). Tensors may
 * be strided; names are unique and not "__metadata__". 0, or -1 with nothing left behind. */
int cg_safetensors_save(const char *path, const cg_named_tensors *tensors, const char *const *metadata);
/* safetensors.torch.load_file: *out gets the tensors (float64, float32, int64, bool) in file order,
 * each one reference owned by out (cg_named_tensors_free). The whole file is checked first (header
 * length, JSON, dtypes, shapes, offsets contiguous and inside the file); a bad file, or one with a
 * dtype cgrad lacks (F16, BF16, I32, ...), fails with a clear message, *out empty. 0 or -1. */
int cg_safetensors_load(const char *path, cg_named_tensors *out);
/* The same from a file's bytes in memory (size bytes at data). */
int cg_safetensors_load_buffer(const void *data, size_t size, cg_named_tensors *out);

/* ---- data: DataLoader ------------------------------------------------------------------------ */
/* torch.utils.data.DataLoader(TensorDataset(*tensors), batch_size, shuffle, drop_last, generator),
 * single-process: sample i is row i of every tensor (their first dims agree), a batch stacks the
 * samples' rows (default_collate). The same seed gives PyTorch's batches, and the epochs draw from
 * the generators exactly what PyTorch's draw (a base seed per epoch, the sampler's seed, its
 * randperm). The loader holds a reference to each tensor. */
typedef struct cg_dataloader cg_dataloader;
typedef struct {
    cg_tensor *const *tensors;
    int ntensors;
    int64_t batch_size;      /* 0: PyTorch's default, 1 */
    bool shuffle;
    bool drop_last;
    cg_generator *generator; /* DataLoader(generator=); NULL: the default generator */
} cg_dataloader_args;
cg_dataloader *cg_dataloader_new_opts(cg_dataloader_args args);
/* cg_dataloader_new(tensors, n, .batch_size = 64, .shuffle = true): NULL and an error on bad input. */
#define cg_dataloader_new(...) cg_dataloader_new_opts(CG_ARGS_(cg_dataloader_args){.tensors = __VA_ARGS__})
void cg_dataloader_free(cg_dataloader *dl);  /* releases the tensors; NULL is ignored */
int64_t cg_dataloader_len(const cg_dataloader *dl);  /* len(loader): the number of batches of an epoch */
/* iter(loader): starts an epoch (draws its base seed, as PyTorch's iterator does). 0 or -1. */
int cg_dataloader_begin(cg_dataloader *dl);
/* next(it): 1 with batch[0..ntensors-1] set (new tensors of the current scope), 0 at the end of the
 * epoch (StopIteration), -1 on error. The first call of an epoch draws the shuffled order. */
int cg_dataloader_next(cg_dataloader *dl, cg_tensor **batch);

/* An IDX file (MNIST's format): uint8, int8, int16 and int32 elements load as int64, float and
 * double as float32 and float64. gzip-compressed files (MNIST's .gz) are read through zlib when the
 * build has it (CG_HAVE_ZLIB; without it they fail with a clear message). A bad or truncated file
 * fails with a clear message. */
cg_tensor *cg_idx_load(const char *path);
cg_tensor *cg_idx_load_buffer(const void *data, size_t size);  /* the same from the file's bytes */

/* Fashion-MNIST's train (60,000 images) or test (t10k, 10,000) split from dir (NULL:
 * CG_FASHION_MNIST_DIR, where Debian's dataset-fashion-mnist puts it), as torchvision's
 * FashionMNIST(transform=ToTensor()) gives it: *images float32 [N, 1, 28, 28], bytes / 255, and
 * *labels int64 [N], new tensors of the current scope. Reads NAME-ubyte.gz (with zlib) or NAME-ubyte
 * (train-images-idx3-ubyte, t10k-labels-idx1-ubyte, ...; MNIST's files load the same way).
 * 0, or -1 with both NULL and a message naming the missing file. */
#define CG_FASHION_MNIST_DIR "/usr/share/datasets/fashion-mnist"
int cg_fashion_mnist_load(const char *dir, bool train, cg_tensor **images, cg_tensor **labels);

/* transforms.ToTensor on integer images [..., H, W] of bytes 0..255: float32 x / 255 with a
 * channel dim, [..., 1, H, W]. */
cg_tensor *cg_transform_to_tensor(cg_tensor *images);
/* transforms.Normalize(mean, std) on float images [..., C, H, W] (n is 1 or C, at most
 * CG_NORMALIZE_MAX_CHANNELS): (x - mean[c]) / std[c] in the images' dtype, with torchvision's
 * errors (a std that is 0 in that dtype, integer images, fewer than 3 dims). */
#define CG_NORMALIZE_MAX_CHANNELS 64
cg_tensor *cg_transform_normalize(cg_tensor *images, int n, const double *mean, const double *std);

/* ---- optimizers (torch.optim) ---------------------------------------------------------------- */
/* PyTorch 1.13's optimizers with its CPU (single-tensor) update, op for op: the same float32 bits
 * for the same gradients. An optimizer takes the parameters as a list of leaf tensors (it holds a
 * reference to each) in one or more parameter groups, each with its own options. */
typedef enum { CG_SGD, CG_ADAM, CG_ADAMW, CG_RMSPROP, CG_ADAGRAD, CG_ADADELTA, CG_ADAMAX, CG_NADAM, CG_RADAM } cg_optim_kind;
typedef struct {
    double lr;
    double momentum, dampening;       /* SGD; momentum also RMSprop */
    double weight_decay;
    double beta1, beta2;              /* Adam, AdamW, Adamax, NAdam, RAdam: PyTorch's betas */
    double eps;
    double alpha;                     /* RMSprop's smoothing constant */
    double lr_decay, initial_accumulator_value;  /* Adagrad */
    double rho;                       /* Adadelta */
    double momentum_decay;            /* NAdam */
    /* nesterov: SGD; amsgrad: Adam/AdamW; centered: RMSprop; maximize: all but NAdam and RAdam.
     * A flag set for a kind without it is PyTorch's TypeError ("NAdam.__init__() got an
     * unexpected keyword argument 'maximize'"). */
    bool nesterov, maximize, amsgrad, centered;
} cg_optim_options;
/* PyTorch's default options for kind (SGD's lr, which PyTorch requires, is 0 here: set it). */
cg_optim_options cg_optim_defaults(cg_optim_kind kind);
/* A new optimizer of kind over params (the first parameter group), or NULL with PyTorch's
 * ValueError for a bad option ("Invalid learning rate: -1.0"), a non-leaf or a repeated tensor. */
typedef struct cg_optimizer cg_optimizer;
cg_optimizer *cg_optimizer_new(cg_optim_kind kind, cg_tensor_list params, cg_optim_options options);
/* optimizer.add_param_group: another group of parameters with its own options. */
int cg_optimizer_add_param_group(cg_optimizer *opt, cg_tensor_list params, cg_optim_options options);
/* optimizer.step(): updates every parameter that has a .grad (others are skipped, as in PyTorch). */
int cg_optimizer_step(cg_optimizer *opt);
/* optimizer.zero_grad(set_to_none): zeroes each parameter's .grad, or clears it; 1.13's default is false. */
int cg_optimizer_zero_grad(cg_optimizer *opt, bool set_to_none);
int cg_optimizer_num_groups(const cg_optimizer *opt);  /* len(optimizer.param_groups) */
/* The options of param group i, to read or change between steps (lr for a schedule); NULL out of range. */
cg_optim_options *cg_optimizer_group_options(cg_optimizer *opt, int group);
void cg_optimizer_free(cg_optimizer *opt);  /* frees the state and drops the parameters' references */
/* optimizer.state_dict() flattened into names, for cg_safetensors_save: "state.<i>.<name>" is
 * parameter i's state (i counts through the groups in order; "step" a 0-dim float32, or int64 for
 * RMSprop and Adadelta whose step is a Python int; the buffers are the live state tensors, as
 * PyTorch's), then per group "param_groups.<g>.<option>" (0-dim float64, bool for a flag, "betas"
 * a float64 pair; PyTorch's keys less foreach/capturable/differentiable/fused; "initial_lr" once a
 * scheduler set it) and "param_groups.<g>.params" (int64 indices). A parameter without state (no step yet) has no keys;
 * SGD without momentum has none (PyTorch's momentum_buffer is None). 0, or -1 with *out empty. */
int cg_optimizer_state_dict(const cg_optimizer *opt, cg_named_tensors *out);
/* optimizer.load_state_dict: the options and a copy of the state (cast to each parameter's dtype)
 * from state_dict, parameters matched by position as PyTorch does; a parameter without state keys
 * starts afresh. PyTorch's ValueError for another number or size of groups; a state tensor of the
 * wrong shape, an unknown key or a bad option fail too, and a failing call changes nothing. */
int cg_optimizer_load_state_dict(cg_optimizer *opt, const cg_named_tensors *state_dict);

/* torch.nn.utils.clip_grad_norm_: scales the .grad of params (those that have one) so their
 * norm_type-norm (INFINITY for the max) is at most max_norm, as PyTorch 1.13 rounds it (the norm of
 * the per-gradient norms, coefficient max_norm / (norm + 1e-6) clamped to 1). Returns the total norm
 * (0-dim float32; 0 when no parameter has a gradient), NULL on error; with error_if_nonfinite a NaN
 * or infinite norm is PyTorch's RuntimeError and nothing changes. */
cg_tensor *cg_clip_grad_norm_(cg_tensor_list params, double max_norm, double norm_type, bool error_if_nonfinite);
/* torch.nn.utils.clip_grad_value_: clamps each .grad to [-clip_value, clip_value] in place. */
int cg_clip_grad_value_(cg_tensor_list params, double clip_value);

/* ---- learning-rate schedulers (torch.optim.lr_scheduler) --------------------------------------- */
/* A scheduler sets the lr of every param group of its optimizer by PyTorch 1.13's formulas (the
 * recursive ones where PyTorch uses them, so the same doubles). Creating one takes PyTorch's first
 * step (epoch 0; not ReduceLROnPlateau, which is not an _LRScheduler); call cg_lr_scheduler_step
 * after each cg_optimizer_step (cg_lr_scheduler_step_metric for ReduceLROnPlateau). As PyTorch's,
 * the first scheduler of a group records its lr as the group's initial_lr, and every scheduler's
 * base lr is that initial_lr (so a second one chained on the same optimizer starts from it). */
typedef enum {
    CG_STEP_LR, CG_MULTISTEP_LR, CG_EXPONENTIAL_LR, CG_COSINE_ANNEALING_LR, CG_LINEAR_LR, CG_LAMBDA_LR,
    CG_MULTIPLICATIVE_LR, CG_ONE_CYCLE_LR, CG_REDUCE_LR_ON_PLATEAU, CG_CONSTANT_LR, CG_POLYNOMIAL_LR,
    CG_COSINE_ANNEALING_WARM_RESTARTS, CG_CYCLIC_LR,
    CG_SEQUENTIAL_LR, CG_CHAINED_SCHEDULER  /* made by cg_lr_scheduler_sequential / _chained only */
} cg_lr_kind;
typedef struct {
    double gamma;                 /* StepLR, MultiStepLR, ExponentialLR; CyclicLR's exp_range (1.0) */
    int step_size;                /* StepLR */
    const int *milestones;        /* MultiStepLR (copied); a repeated milestone multiplies by gamma again */
    int n_milestones;
    int T_max;                    /* CosineAnnealingLR */
    double eta_min;
    double start_factor, end_factor;  /* LinearLR */
    int total_iters;              /* LinearLR, ConstantLR, PolynomialLR (5) */
    double power;                 /* PolynomialLR (1.0) */
    int T_0, T_mult;              /* CosineAnnealingWarmRestarts (T_mult 1; eta_min above) */
    /* CyclicLR: from base_lr (or base_lrs[group], copied, when not NULL) to max_lr (or max_lrs, below)
     * in step_size_up steps (2000) and back in step_size_down (0: as step_size_up); mode (below)
     * "triangular" (NULL), "triangular2" or "exp_range", or scale_fn(x, user) evaluated on the cycle
     * number, or on the step when scale_mode is "iterations"; cycle_momentum (true) cycles SGD's and
     * RMSprop's momentum inversely between base_momentum and max_momentum (0.8, 0.9) */
    double base_lr;
    const double *base_lrs;
    int step_size_up, step_size_down;
    double (*scale_fn)(double x, void *user);
    const char *scale_mode;
    /* LambdaLR: lr = initial lr * lr_lambda(epoch); MultiplicativeLR: lr *= lr_lambda(epoch) after epoch 0 */
    double (*lr_lambda)(int epoch, void *user);
    void *user;
    /* OneCycleLR: max_lr in every group, or max_lrs[group] (copied) when not NULL; total_steps, or
     * epochs * steps_per_epoch when total_steps is 0; anneal_strategy "cos" (NULL) or "linear";
     * cycle_momentum cycles SGD's and RMSprop's momentum or the Adam family's beta1 */
    double max_lr;
    const double *max_lrs;
    int total_steps, epochs, steps_per_epoch;
    double pct_start;             /* 0.3 */
    const char *anneal_strategy;
    bool cycle_momentum;          /* true */
    double base_momentum, max_momentum;   /* 0.85, 0.95 */
    double div_factor, final_div_factor;  /* 25, 1e4 */
    bool three_phase;
    /* ReduceLROnPlateau: mode "min" (NULL) or "max", threshold_mode "rel" (NULL) or "abs"; min_lr in
     * every group, or min_lrs[group] (copied) when not NULL */
    const char *mode;
    double factor;                /* 0.1; ConstantLR's factor (1/3) too */
    int patience;                 /* 10 */
    double threshold;             /* 1e-4 */
    const char *threshold_mode;
    int cooldown;
    double min_lr;
    const double *min_lrs;
    double eps;                   /* 1e-8 */
} cg_lr_options;
cg_lr_options cg_lr_defaults(cg_lr_kind kind);  /* PyTorch's defaults for kind (gamma 0.1; LinearLR's 1/3, 1, 5; ...) */
typedef struct cg_lr_scheduler cg_lr_scheduler;
/* A scheduler of kind over opt (which must outlive it), or NULL with PyTorch's ValueError for bad
 * options. OneCycleLR sets each group's lr (and momentum or beta1) to its starting value. */
cg_lr_scheduler *cg_lr_scheduler_new(cg_optimizer *opt, cg_lr_kind kind, cg_lr_options options);
/* SequentialLR(opt, schedulers, milestones): n schedulers made on opt and n - 1 milestones. It
 * resets each group's lr to its initial_lr and takes schedulers[0]'s first step again; each of its
 * steps is the step of the scheduler whose span the epoch is in, the first one of a span being that
 * scheduler's step(0) (its closed form at epoch 0). The schedulers stay the caller's: they must
 * outlive it, and only it should step them. Neither composite takes ReduceLROnPlateau or another
 * composite. NULL with PyTorch's ValueError. */
cg_lr_scheduler *cg_lr_scheduler_sequential(cg_optimizer *opt, cg_lr_scheduler *const *schedulers, int n,
                                            const int *milestones, int n_milestones);
/* ChainedScheduler(schedulers): each step steps every one of them in order (they stay the caller's,
 * as above); its last_epoch is -1 (PyTorch's has none). */
cg_lr_scheduler *cg_lr_scheduler_chained(cg_lr_scheduler *const *schedulers, int n);
/* scheduler.step(); OneCycleLR past total_steps fails with PyTorch's ValueError ("Tried to step 11
 * times. The specified number of total steps is 10"), leaving the lrs as they were. */
int cg_lr_scheduler_step(cg_lr_scheduler *s);
/* ReduceLROnPlateau.step(metrics): counts a bad epoch unless metric is better than the best by
 * threshold, and past patience bad epochs multiplies each lr by factor (not below min_lr; a change
 * of at most eps is skipped), then waits cooldown epochs. */
int cg_lr_scheduler_step_metric(cg_lr_scheduler *s, double metric);
double cg_lr_scheduler_last_lr(const cg_lr_scheduler *s, int group);  /* get_last_lr()[group] */
int cg_lr_scheduler_last_epoch(const cg_lr_scheduler *s);  /* scheduler.last_epoch */
/* scheduler.state_dict() as named tensors (for cg_safetensors_save): PyTorch's names for what
 * changes as it steps: "last_epoch", "_step_count" (int64), "base_lrs", "_last_lr" (float64, one
 * per group); ReduceLROnPlateau "last_epoch", "best", "num_bad_epochs", "cooldown_counter",
 * "_last_lr"; OneCycleLR also the per-group "initial_lr", "max_lr", "min_lr", "max_momentum",
 * "base_momentum" that PyTorch keeps in the optimizer's param groups; CosineAnnealingWarmRestarts
 * also "T_i" and "T_cur"; SequentialLR "last_epoch" and "_last_lr", ChainedScheduler "_last_lr",
 * and both each scheduler's under "_schedulers.<i>.". The options (and a lambda) are the caller's,
 * as PyTorch does not save a lambda either. 0, or -1 with *out empty. */
int cg_lr_scheduler_state_dict(const cg_lr_scheduler *s, cg_named_tensors *out);
/* scheduler.load_state_dict: every key the kind saves must be there with its size; a failing call
 * changes nothing. Load the optimizer's state too: the chainable formulas start from its lrs. */
int cg_lr_scheduler_load_state_dict(cg_lr_scheduler *s, const cg_named_tensors *state_dict);
void cg_lr_scheduler_free(cg_lr_scheduler *s);

/* ---- printing -------------------------------------------------------------------------------- */

/* PyTorch's repr of t, snprintf-style: writes at most size bytes, returns the full length, or -1.
 * A NULL tensor formats as "None". */
int cg_format(const cg_tensor *t, char *buf, size_t size);
int cg_fprint(FILE *f, const cg_tensor *t);  /* repr and a newline */
int cg_print(const cg_tensor *t);            /* to stdout */
/* t's shape as PyTorch prints t.shape, "torch.Size([2, 3])" ("torch.Size([])" for 0-dim),
 * snprintf-style like cg_format; cg_print_size prints it and a newline to stdout. */
int cg_format_size(const cg_tensor *t, char *buf, size_t size);
int cg_print_size(const cg_tensor *t);

/* ---- how the macros above are made, in C and in C++ ------------------------------------------- */

#ifdef __cplusplus
}
/* Arrays as temporaries: g++ does not keep a compound literal array alive through a call. */
template <typename T, size_t N> struct cg_array_ { T v[N]; };
template <typename... A> static inline cg_array_<int64_t, sizeof...(A)> cg_int64s_(A... a) {
    return {{static_cast<int64_t>(a)...}};
}
template <typename... A> static inline cg_array_<cg_tensor *, sizeof...(A)> cg_tensor_ptrs_(A... a) {
    return {{a...}};
}
#define CG_INT64S_(...) (cg_int64s_(__VA_ARGS__).v)
#define CG_TENSOR_PTRS_(...) (cg_tensor_ptrs_(__VA_ARGS__).v)
#define CG_TENSOR_LIST_(...) (cg_tensor_list{__VA_ARGS__})
#define CG_ARGS_(type) type  /* an option macro's struct: a braced temporary (a compound literal in C) */
/* Data of exactly the element type E: a pointer, an array, or an array temporary. */
template <typename E, typename T> static inline const E *cg_data_(T &&data) {
    typedef typename std::decay<T>::type P;
    static_assert(std::is_pointer<P>::value &&
                      std::is_same<typename std::remove_cv<typename std::remove_pointer<P>::type>::type, E>::value,
                  "cg_tensor_f32/f64/i64/bool: data must point to float/double/int64_t/bool elements");
    return data;
}
#define CG_DATA_(type, data) cg_data_<type>(data)
template <int N> static constexpr int cg_at_most_max_dims_() {
    static_assert(N <= CG_MAX_DIMS, "cgrad supports at most 8 dimensions");
    return N;
}
#define CG_AT_MOST_MAX_DIMS_(n) (cg_at_most_max_dims_<(n)>())
/* C++ has no _Generic: overloads pick the kind of number. */
static inline cg_number cg_number_of(bool v) { return cg_number_bool(v); }
static inline cg_number cg_number_of(float v) { return cg_number_float(v); }
static inline cg_number cg_number_of(double v) { return cg_number_float(v); }
static inline cg_number cg_number_of(long double v) { return cg_number_float((double)v); }
static inline cg_number cg_number_of(unsigned long v) { return cg_number_uint(v); }
static inline cg_number cg_number_of(unsigned long long v) { return cg_number_uint(v); }
static inline cg_number cg_number_of(cg_number v) { return v; }
template <typename T> static inline cg_number cg_number_of(T v) { return cg_number_int(static_cast<int64_t>(v)); }
#define CG_NUMBER_(x) cg_number_of(x)
/* The blocks as objects whose destructors end the scope and restore the mode. */
struct cg_scope_guard_ {
    bool once = true;
    cg_scope_guard_() { cg_scope_begin(); }
    ~cg_scope_guard_() { cg_scope_end(); }
    cg_scope_guard_(const cg_scope_guard_ &) = delete;
    cg_scope_guard_ &operator=(const cg_scope_guard_ &) = delete;
};
struct cg_grad_mode_guard_ {
    bool previous, once = true;
    explicit cg_grad_mode_guard_(bool mode) : previous(cg_set_grad_enabled(mode)) {}
    ~cg_grad_mode_guard_() { cg_set_grad_enabled(previous); }
    cg_grad_mode_guard_(const cg_grad_mode_guard_ &) = delete;
    cg_grad_mode_guard_ &operator=(const cg_grad_mode_guard_ &) = delete;
};
#define CG_SCOPE_ for (cg_scope_guard_ cg_scope_guard_var_; cg_scope_guard_var_.once; cg_scope_guard_var_.once = false)
#define CG_GRAD_MODE_BLOCK_(mode) \
    for (cg_grad_mode_guard_ cg_grad_mode_var_(mode); cg_grad_mode_var_.once; cg_grad_mode_var_.once = false)
struct cg_inference_mode_guard_ {
    int previous;
    bool once = true;
    explicit cg_inference_mode_guard_(bool mode) : previous(cg_inference_mode_begin(mode)) {}
    ~cg_inference_mode_guard_() { cg_inference_mode_end(previous); }
    cg_inference_mode_guard_(const cg_inference_mode_guard_ &) = delete;
    cg_inference_mode_guard_ &operator=(const cg_inference_mode_guard_ &) = delete;
};
#define CG_INFERENCE_MODE_BLOCK_(mode) \
    for (cg_inference_mode_guard_ cg_inference_var_(mode); cg_inference_var_.once; cg_inference_var_.once = false)
struct cg_saved_hooks_guard_ {
    bool once;
    explicit cg_saved_hooks_guard_(cg_saved_tensors_hooks hooks) : once(cg_saved_tensors_hooks_push(hooks) == 0) {}
    ~cg_saved_hooks_guard_() {
        if (once) cg_saved_tensors_hooks_pop();
    }
    cg_saved_hooks_guard_(const cg_saved_hooks_guard_ &) = delete;
    cg_saved_hooks_guard_ &operator=(const cg_saved_hooks_guard_ &) = delete;
};
#define CG_SAVED_HOOKS_BLOCK_(hooks) \
    for (cg_saved_hooks_guard_ cg_saved_hooks_var_(hooks); cg_saved_hooks_var_.once; cg_saved_hooks_var_.once = false)
struct cg_anomaly_guard_ {
    bool previous, once = true;
    cg_anomaly_guard_() : previous(cg_detect_anomaly_begin_()) {}
    ~cg_anomaly_guard_() { cg_set_detect_anomaly(previous); }
    cg_anomaly_guard_(const cg_anomaly_guard_ &) = delete;
    cg_anomaly_guard_ &operator=(const cg_anomaly_guard_ &) = delete;
};
#define CG_ANOMALY_BLOCK_ for (cg_anomaly_guard_ cg_anomaly_var_; cg_anomaly_var_.once; cg_anomaly_var_.once = false)
extern "C" {
#else
#define CG_INT64S_(...) ((const int64_t[]){__VA_ARGS__})
#define CG_TENSOR_PTRS_(...) ((cg_tensor *[]){__VA_ARGS__})
#define CG_TENSOR_LIST_(...) ((cg_tensor_list){__VA_ARGS__})
#define CG_ARGS_(type) (type)
/* Only a pointer to (or an array of) exactly the element type has a match. */
#define CG_DATA_(type, data) _Generic((data), type *: (data), const type *: (data))
#define CG_AT_MOST_MAX_DIMS_(n) \
    ((int)sizeof(struct { _Static_assert((n) <= CG_MAX_DIMS, "cgrad supports at most 8 dimensions"); char c[n]; }))
#define CG_NUMBER_(x)                                                                              \
    _Generic((x), bool: cg_number_bool, float: cg_number_float, double: cg_number_float,          \
             long double: cg_number_float, unsigned long: cg_number_uint,                         \
             unsigned long long: cg_number_uint, cg_number: cg_number_same, default: cg_number_int)(x)
#if defined(__GNUC__)
/* The blocks' variables are cleaned up (the scope ended, the mode restored) however they are left. */
static inline void cg_scope_guard_end_(int *open) {
    (void)open;
    cg_scope_end();
}
static inline void cg_grad_mode_restore_(bool *previous) { cg_set_grad_enabled(*previous); }
/* Each block's variables get names of their own (__COUNTER__), so nested blocks shadow nothing. */
#define CG_CAT_(a, b) CG_CAT2_(a, b)
#define CG_CAT2_(a, b) a##b
#define CG_SCOPE_ CG_SCOPE_WITH_(CG_CAT_(cg_scope_open_, __COUNTER__))
#define CG_SCOPE_WITH_(open) for (int open __attribute__((cleanup(cg_scope_guard_end_))) = (cg_scope_begin(), 1); open; open = 0)
#define CG_GRAD_MODE_BLOCK_(mode) \
    CG_GRAD_MODE_WITH_(mode, CG_CAT_(cg_prev_mode_, __COUNTER__), CG_CAT_(cg_once_, __COUNTER__))
#define CG_GRAD_MODE_WITH_(mode, prev, once) \
    for (bool prev __attribute__((cleanup(cg_grad_mode_restore_), unused)) = cg_set_grad_enabled(mode), once = 1; once; once = 0)
static inline void cg_inference_mode_restore_(int *previous) { cg_inference_mode_end(*previous); }
#define CG_INFERENCE_MODE_BLOCK_(mode) \
    CG_INFERENCE_MODE_WITH_(mode, CG_CAT_(cg_prev_inference_, __COUNTER__), CG_CAT_(cg_once_, __COUNTER__))
#define CG_INFERENCE_MODE_WITH_(mode, prev, once) \
    for (int prev __attribute__((cleanup(cg_inference_mode_restore_), unused)) = cg_inference_mode_begin(mode), once = 1; once; once = 0)
static inline void cg_saved_hooks_pop_(int *pushed) {
    if (*pushed) cg_saved_tensors_hooks_pop();
}
#define CG_SAVED_HOOKS_BLOCK_(hooks) CG_SAVED_HOOKS_WITH_(hooks, CG_CAT_(cg_hooks_pushed_, __COUNTER__))
static inline void cg_anomaly_restore_(bool *previous) { cg_set_detect_anomaly(*previous); }
#define CG_ANOMALY_BLOCK_ CG_ANOMALY_WITH_(CG_CAT_(cg_prev_anomaly_, __COUNTER__), CG_CAT_(cg_anomaly_once_, __COUNTER__))
#define CG_ANOMALY_WITH_(prev, once) \
    for (bool prev __attribute__((cleanup(cg_anomaly_restore_), unused)) = cg_detect_anomaly_begin_(), once = 1; once; once = 0)
#define CG_SAVED_HOOKS_WITH_(hooks, pushed) \
    for (int pushed __attribute__((cleanup(cg_saved_hooks_pop_))) = cg_saved_tensors_hooks_push(hooks) == 0; pushed; \
         cg_saved_tensors_hooks_pop(), pushed = 0)
#else
/* Other C compilers: the end of the block ends the scope and restores the mode; break, return
 * and goto out of it do not. */
#define CG_SCOPE_ for (int cg_scope_once_ = (cg_scope_begin(), 1); cg_scope_once_; cg_scope_once_ = 0, cg_scope_end())
#define CG_GRAD_MODE_BLOCK_(mode) \
    for (int cg_prev_mode_ = cg_set_grad_enabled(mode), cg_once_ = 1; cg_once_; cg_once_ = 0, cg_set_grad_enabled(cg_prev_mode_))
#define CG_INFERENCE_MODE_BLOCK_(mode) \
    for (int cg_prev_inference_ = cg_inference_mode_begin(mode), cg_once_ = 1; cg_once_; \
         cg_once_ = 0, cg_inference_mode_end(cg_prev_inference_))
#define CG_SAVED_HOOKS_BLOCK_(hooks) \
    for (int cg_hooks_pushed_ = cg_saved_tensors_hooks_push(hooks) == 0; cg_hooks_pushed_; \
         cg_hooks_pushed_ = 0, cg_saved_tensors_hooks_pop())
#define CG_ANOMALY_BLOCK_ \
    for (int cg_prev_anomaly_ = cg_detect_anomaly_begin_(), cg_anomaly_once_ = 1; cg_anomaly_once_; \
         cg_anomaly_once_ = 0, cg_set_detect_anomaly(cg_prev_anomaly_))
#endif
#endif

/* ---- call sites: written by tools/gen_call_sites.py, do not edit ---- */
#ifndef CG_NO_CALL_SITES
#define cg_retain(...) CG_CALL_SITE_(cg_retain)(__VA_ARGS__)
#define cg_keep(...) CG_CALL_SITE_(cg_keep)(__VA_ARGS__)
#define cg_rebind(...) CG_CALL_SITE_(cg_rebind)(__VA_ARGS__)
#define cg_to_device(...) CG_CALL_SITE_(cg_to_device)(__VA_ARGS__)
#define cg_from_data(...) CG_CALL_SITE_(cg_from_data)(__VA_ARGS__)
#define cg_scalar(...) CG_CALL_SITE_(cg_scalar)(__VA_ARGS__)
#define cg_from_blob(...) CG_CALL_SITE_(cg_from_blob)(__VA_ARGS__)
#define cg_tensor_opts(...) CG_CALL_SITE_(cg_tensor_opts)(__VA_ARGS__)
#define cg_empty_shape(...) CG_CALL_SITE_(cg_empty_shape)(__VA_ARGS__)
#define cg_zeros_shape(...) CG_CALL_SITE_(cg_zeros_shape)(__VA_ARGS__)
#define cg_ones_shape(...) CG_CALL_SITE_(cg_ones_shape)(__VA_ARGS__)
#define cg_full_shape(...) CG_CALL_SITE_(cg_full_shape)(__VA_ARGS__)
#define cg_full_shape_number(...) CG_CALL_SITE_(cg_full_shape_number)(__VA_ARGS__)
#define cg_empty_like(...) CG_CALL_SITE_(cg_empty_like)(__VA_ARGS__)
#define cg_zeros_like(...) CG_CALL_SITE_(cg_zeros_like)(__VA_ARGS__)
#define cg_ones_like(...) CG_CALL_SITE_(cg_ones_like)(__VA_ARGS__)
#define cg_full_like_number(...) CG_CALL_SITE_(cg_full_like_number)(__VA_ARGS__)
#define cg_arange(...) CG_CALL_SITE_(cg_arange)(__VA_ARGS__)
#define cg_linspace(...) CG_CALL_SITE_(cg_linspace)(__VA_ARGS__)
#define cg_eye(...) CG_CALL_SITE_(cg_eye)(__VA_ARGS__)
#define cg_rand_shape(...) CG_CALL_SITE_(cg_rand_shape)(__VA_ARGS__)
#define cg_randn_shape(...) CG_CALL_SITE_(cg_randn_shape)(__VA_ARGS__)
#define cg_randint_shape(...) CG_CALL_SITE_(cg_randint_shape)(__VA_ARGS__)
#define cg_randperm(...) CG_CALL_SITE_(cg_randperm)(__VA_ARGS__)
#define cg_randperm_dtype(...) CG_CALL_SITE_(cg_randperm_dtype)(__VA_ARGS__)
#define cg_uniform_(...) CG_CALL_SITE_(cg_uniform_)(__VA_ARGS__)
#define cg_normal_(...) CG_CALL_SITE_(cg_normal_)(__VA_ARGS__)
#define cg_rand_gen(...) CG_CALL_SITE_(cg_rand_gen)(__VA_ARGS__)
#define cg_randn_gen(...) CG_CALL_SITE_(cg_randn_gen)(__VA_ARGS__)
#define cg_randint_gen(...) CG_CALL_SITE_(cg_randint_gen)(__VA_ARGS__)
#define cg_randperm_gen(...) CG_CALL_SITE_(cg_randperm_gen)(__VA_ARGS__)
#define cg_uniform_gen_(...) CG_CALL_SITE_(cg_uniform_gen_)(__VA_ARGS__)
#define cg_normal_gen_(...) CG_CALL_SITE_(cg_normal_gen_)(__VA_ARGS__)
#define cg_view_shape(...) CG_CALL_SITE_(cg_view_shape)(__VA_ARGS__)
#define cg_reshape_shape(...) CG_CALL_SITE_(cg_reshape_shape)(__VA_ARGS__)
#define cg_expand_shape(...) CG_CALL_SITE_(cg_expand_shape)(__VA_ARGS__)
#define cg_permute_dims(...) CG_CALL_SITE_(cg_permute_dims)(__VA_ARGS__)
#define cg_flatten(...) CG_CALL_SITE_(cg_flatten)(__VA_ARGS__)
#define cg_squeeze(...) CG_CALL_SITE_(cg_squeeze)(__VA_ARGS__)
#define cg_squeeze_dim(...) CG_CALL_SITE_(cg_squeeze_dim)(__VA_ARGS__)
#define cg_unsqueeze(...) CG_CALL_SITE_(cg_unsqueeze)(__VA_ARGS__)
#define cg_transpose(...) CG_CALL_SITE_(cg_transpose)(__VA_ARGS__)
#define cg_t(...) CG_CALL_SITE_(cg_t)(__VA_ARGS__)
#define cg_mT(...) CG_CALL_SITE_(cg_mT)(__VA_ARGS__)
#define cg_mH(...) CG_CALL_SITE_(cg_mH)(__VA_ARGS__)
#define cg_H(...) CG_CALL_SITE_(cg_H)(__VA_ARGS__)
#define cg_T(...) CG_CALL_SITE_(cg_T)(__VA_ARGS__)
#define cg_select(...) CG_CALL_SITE_(cg_select)(__VA_ARGS__)
#define cg_index_at(...) CG_CALL_SITE_(cg_index_at)(__VA_ARGS__)
#define cg_slice(...) CG_CALL_SITE_(cg_slice)(__VA_ARGS__)
#define cg_narrow(...) CG_CALL_SITE_(cg_narrow)(__VA_ARGS__)
#define cg_contiguous(...) CG_CALL_SITE_(cg_contiguous)(__VA_ARGS__)
#define cg_clone(...) CG_CALL_SITE_(cg_clone)(__VA_ARGS__)
#define cg_to(...) CG_CALL_SITE_(cg_to)(__VA_ARGS__)
#define cg_add(...) CG_CALL_SITE_(cg_add)(__VA_ARGS__)
#define cg_sub(...) CG_CALL_SITE_(cg_sub)(__VA_ARGS__)
#define cg_mul(...) CG_CALL_SITE_(cg_mul)(__VA_ARGS__)
#define cg_div(...) CG_CALL_SITE_(cg_div)(__VA_ARGS__)
#define cg_pow(...) CG_CALL_SITE_(cg_pow)(__VA_ARGS__)
#define cg_maximum(...) CG_CALL_SITE_(cg_maximum)(__VA_ARGS__)
#define cg_minimum(...) CG_CALL_SITE_(cg_minimum)(__VA_ARGS__)
#define cg_add_number(...) CG_CALL_SITE_(cg_add_number)(__VA_ARGS__)
#define cg_sub_number(...) CG_CALL_SITE_(cg_sub_number)(__VA_ARGS__)
#define cg_rsub_number(...) CG_CALL_SITE_(cg_rsub_number)(__VA_ARGS__)
#define cg_mul_number(...) CG_CALL_SITE_(cg_mul_number)(__VA_ARGS__)
#define cg_div_number(...) CG_CALL_SITE_(cg_div_number)(__VA_ARGS__)
#define cg_rdiv_number(...) CG_CALL_SITE_(cg_rdiv_number)(__VA_ARGS__)
#define cg_pow_number(...) CG_CALL_SITE_(cg_pow_number)(__VA_ARGS__)
#define cg_rpow_number(...) CG_CALL_SITE_(cg_rpow_number)(__VA_ARGS__)
#define cg_eq(...) CG_CALL_SITE_(cg_eq)(__VA_ARGS__)
#define cg_ne(...) CG_CALL_SITE_(cg_ne)(__VA_ARGS__)
#define cg_lt(...) CG_CALL_SITE_(cg_lt)(__VA_ARGS__)
#define cg_le(...) CG_CALL_SITE_(cg_le)(__VA_ARGS__)
#define cg_gt(...) CG_CALL_SITE_(cg_gt)(__VA_ARGS__)
#define cg_ge(...) CG_CALL_SITE_(cg_ge)(__VA_ARGS__)
#define cg_eq_number(...) CG_CALL_SITE_(cg_eq_number)(__VA_ARGS__)
#define cg_ne_number(...) CG_CALL_SITE_(cg_ne_number)(__VA_ARGS__)
#define cg_lt_number(...) CG_CALL_SITE_(cg_lt_number)(__VA_ARGS__)
#define cg_le_number(...) CG_CALL_SITE_(cg_le_number)(__VA_ARGS__)
#define cg_gt_number(...) CG_CALL_SITE_(cg_gt_number)(__VA_ARGS__)
#define cg_ge_number(...) CG_CALL_SITE_(cg_ge_number)(__VA_ARGS__)
#define cg_where(...) CG_CALL_SITE_(cg_where)(__VA_ARGS__)
#define cg_add_alpha_number(...) CG_CALL_SITE_(cg_add_alpha_number)(__VA_ARGS__)
#define cg_sub_alpha_number(...) CG_CALL_SITE_(cg_sub_alpha_number)(__VA_ARGS__)
#define cg_addcmul_number(...) CG_CALL_SITE_(cg_addcmul_number)(__VA_ARGS__)
#define cg_addcdiv_number(...) CG_CALL_SITE_(cg_addcdiv_number)(__VA_ARGS__)
#define cg_lerp(...) CG_CALL_SITE_(cg_lerp)(__VA_ARGS__)
#define cg_lerp_number(...) CG_CALL_SITE_(cg_lerp_number)(__VA_ARGS__)
#define cg_clamp_number(...) CG_CALL_SITE_(cg_clamp_number)(__VA_ARGS__)
#define cg_clamp_tensor(...) CG_CALL_SITE_(cg_clamp_tensor)(__VA_ARGS__)
#define cg_neg(...) CG_CALL_SITE_(cg_neg)(__VA_ARGS__)
#define cg_exp(...) CG_CALL_SITE_(cg_exp)(__VA_ARGS__)
#define cg_log(...) CG_CALL_SITE_(cg_log)(__VA_ARGS__)
#define cg_log1p(...) CG_CALL_SITE_(cg_log1p)(__VA_ARGS__)
#define cg_sqrt(...) CG_CALL_SITE_(cg_sqrt)(__VA_ARGS__)
#define cg_abs(...) CG_CALL_SITE_(cg_abs)(__VA_ARGS__)
#define cg_sign(...) CG_CALL_SITE_(cg_sign)(__VA_ARGS__)
#define cg_sgn(...) CG_CALL_SITE_(cg_sgn)(__VA_ARGS__)
#define cg_reciprocal(...) CG_CALL_SITE_(cg_reciprocal)(__VA_ARGS__)
#define cg_sin(...) CG_CALL_SITE_(cg_sin)(__VA_ARGS__)
#define cg_cos(...) CG_CALL_SITE_(cg_cos)(__VA_ARGS__)
#define cg_tan(...) CG_CALL_SITE_(cg_tan)(__VA_ARGS__)
#define cg_tanh(...) CG_CALL_SITE_(cg_tanh)(__VA_ARGS__)
#define cg_sigmoid(...) CG_CALL_SITE_(cg_sigmoid)(__VA_ARGS__)
#define cg_relu(...) CG_CALL_SITE_(cg_relu)(__VA_ARGS__)
#define cg_erf(...) CG_CALL_SITE_(cg_erf)(__VA_ARGS__)
#define cg_acos(...) CG_CALL_SITE_(cg_acos)(__VA_ARGS__)
#define cg_asin(...) CG_CALL_SITE_(cg_asin)(__VA_ARGS__)
#define cg_atan(...) CG_CALL_SITE_(cg_atan)(__VA_ARGS__)
#define cg_sinh(...) CG_CALL_SITE_(cg_sinh)(__VA_ARGS__)
#define cg_cosh(...) CG_CALL_SITE_(cg_cosh)(__VA_ARGS__)
#define cg_acosh(...) CG_CALL_SITE_(cg_acosh)(__VA_ARGS__)
#define cg_asinh(...) CG_CALL_SITE_(cg_asinh)(__VA_ARGS__)
#define cg_atanh(...) CG_CALL_SITE_(cg_atanh)(__VA_ARGS__)
#define cg_erfc(...) CG_CALL_SITE_(cg_erfc)(__VA_ARGS__)
#define cg_expm1(...) CG_CALL_SITE_(cg_expm1)(__VA_ARGS__)
#define cg_exp2(...) CG_CALL_SITE_(cg_exp2)(__VA_ARGS__)
#define cg_log2(...) CG_CALL_SITE_(cg_log2)(__VA_ARGS__)
#define cg_log10(...) CG_CALL_SITE_(cg_log10)(__VA_ARGS__)
#define cg_lgamma(...) CG_CALL_SITE_(cg_lgamma)(__VA_ARGS__)
#define cg_digamma(...) CG_CALL_SITE_(cg_digamma)(__VA_ARGS__)
#define cg_polygamma(...) CG_CALL_SITE_(cg_polygamma)(__VA_ARGS__)
#define cg_sinc(...) CG_CALL_SITE_(cg_sinc)(__VA_ARGS__)
#define cg_rsqrt(...) CG_CALL_SITE_(cg_rsqrt)(__VA_ARGS__)
#define cg_logit(...) CG_CALL_SITE_(cg_logit)(__VA_ARGS__)
#define cg_deg2rad(...) CG_CALL_SITE_(cg_deg2rad)(__VA_ARGS__)
#define cg_rad2deg(...) CG_CALL_SITE_(cg_rad2deg)(__VA_ARGS__)
#define cg_special_entr(...) CG_CALL_SITE_(cg_special_entr)(__VA_ARGS__)
#define cg_floor(...) CG_CALL_SITE_(cg_floor)(__VA_ARGS__)
#define cg_ceil(...) CG_CALL_SITE_(cg_ceil)(__VA_ARGS__)
#define cg_trunc(...) CG_CALL_SITE_(cg_trunc)(__VA_ARGS__)
#define cg_round(...) CG_CALL_SITE_(cg_round)(__VA_ARGS__)
#define cg_round_decimals(...) CG_CALL_SITE_(cg_round_decimals)(__VA_ARGS__)
#define cg_frac(...) CG_CALL_SITE_(cg_frac)(__VA_ARGS__)
#define cg_nan_to_num(...) CG_CALL_SITE_(cg_nan_to_num)(__VA_ARGS__)
#define cg_square(...) CG_CALL_SITE_(cg_square)(__VA_ARGS__)
#define cg_positive(...) CG_CALL_SITE_(cg_positive)(__VA_ARGS__)
#define cg_conj(...) CG_CALL_SITE_(cg_conj)(__VA_ARGS__)
#define cg_conj_physical(...) CG_CALL_SITE_(cg_conj_physical)(__VA_ARGS__)
#define cg_resolve_conj(...) CG_CALL_SITE_(cg_resolve_conj)(__VA_ARGS__)
#define cg_resolve_neg(...) CG_CALL_SITE_(cg_resolve_neg)(__VA_ARGS__)
#define cg_real(...) CG_CALL_SITE_(cg_real)(__VA_ARGS__)
#define cg_isnan(...) CG_CALL_SITE_(cg_isnan)(__VA_ARGS__)
#define cg_isinf(...) CG_CALL_SITE_(cg_isinf)(__VA_ARGS__)
#define cg_isposinf(...) CG_CALL_SITE_(cg_isposinf)(__VA_ARGS__)
#define cg_isneginf(...) CG_CALL_SITE_(cg_isneginf)(__VA_ARGS__)
#define cg_isfinite(...) CG_CALL_SITE_(cg_isfinite)(__VA_ARGS__)
#define cg_isreal(...) CG_CALL_SITE_(cg_isreal)(__VA_ARGS__)
#define cg_signbit(...) CG_CALL_SITE_(cg_signbit)(__VA_ARGS__)
#define cg_logical_not(...) CG_CALL_SITE_(cg_logical_not)(__VA_ARGS__)
#define cg_acos_(...) CG_CALL_SITE_(cg_acos_)(__VA_ARGS__)
#define cg_asin_(...) CG_CALL_SITE_(cg_asin_)(__VA_ARGS__)
#define cg_atan_(...) CG_CALL_SITE_(cg_atan_)(__VA_ARGS__)
#define cg_sinh_(...) CG_CALL_SITE_(cg_sinh_)(__VA_ARGS__)
#define cg_cosh_(...) CG_CALL_SITE_(cg_cosh_)(__VA_ARGS__)
#define cg_acosh_(...) CG_CALL_SITE_(cg_acosh_)(__VA_ARGS__)
#define cg_asinh_(...) CG_CALL_SITE_(cg_asinh_)(__VA_ARGS__)
#define cg_atanh_(...) CG_CALL_SITE_(cg_atanh_)(__VA_ARGS__)
#define cg_erfc_(...) CG_CALL_SITE_(cg_erfc_)(__VA_ARGS__)
#define cg_expm1_(...) CG_CALL_SITE_(cg_expm1_)(__VA_ARGS__)
#define cg_exp2_(...) CG_CALL_SITE_(cg_exp2_)(__VA_ARGS__)
#define cg_log2_(...) CG_CALL_SITE_(cg_log2_)(__VA_ARGS__)
#define cg_log10_(...) CG_CALL_SITE_(cg_log10_)(__VA_ARGS__)
#define cg_lgamma_(...) CG_CALL_SITE_(cg_lgamma_)(__VA_ARGS__)
#define cg_digamma_(...) CG_CALL_SITE_(cg_digamma_)(__VA_ARGS__)
#define cg_polygamma_(...) CG_CALL_SITE_(cg_polygamma_)(__VA_ARGS__)
#define cg_sinc_(...) CG_CALL_SITE_(cg_sinc_)(__VA_ARGS__)
#define cg_rsqrt_(...) CG_CALL_SITE_(cg_rsqrt_)(__VA_ARGS__)
#define cg_logit_(...) CG_CALL_SITE_(cg_logit_)(__VA_ARGS__)
#define cg_deg2rad_(...) CG_CALL_SITE_(cg_deg2rad_)(__VA_ARGS__)
#define cg_rad2deg_(...) CG_CALL_SITE_(cg_rad2deg_)(__VA_ARGS__)
#define cg_floor_(...) CG_CALL_SITE_(cg_floor_)(__VA_ARGS__)
#define cg_ceil_(...) CG_CALL_SITE_(cg_ceil_)(__VA_ARGS__)
#define cg_trunc_(...) CG_CALL_SITE_(cg_trunc_)(__VA_ARGS__)
#define cg_round_(...) CG_CALL_SITE_(cg_round_)(__VA_ARGS__)
#define cg_round_decimals_(...) CG_CALL_SITE_(cg_round_decimals_)(__VA_ARGS__)
#define cg_frac_(...) CG_CALL_SITE_(cg_frac_)(__VA_ARGS__)
#define cg_nan_to_num_(...) CG_CALL_SITE_(cg_nan_to_num_)(__VA_ARGS__)
#define cg_square_(...) CG_CALL_SITE_(cg_square_)(__VA_ARGS__)
#define cg_atan2(...) CG_CALL_SITE_(cg_atan2)(__VA_ARGS__)
#define cg_hypot(...) CG_CALL_SITE_(cg_hypot)(__VA_ARGS__)
#define cg_fmod(...) CG_CALL_SITE_(cg_fmod)(__VA_ARGS__)
#define cg_remainder(...) CG_CALL_SITE_(cg_remainder)(__VA_ARGS__)
#define cg_copysign(...) CG_CALL_SITE_(cg_copysign)(__VA_ARGS__)
#define cg_fmax(...) CG_CALL_SITE_(cg_fmax)(__VA_ARGS__)
#define cg_fmin(...) CG_CALL_SITE_(cg_fmin)(__VA_ARGS__)
#define cg_xlogy(...) CG_CALL_SITE_(cg_xlogy)(__VA_ARGS__)
#define cg_special_xlog1py(...) CG_CALL_SITE_(cg_special_xlog1py)(__VA_ARGS__)
#define cg_logaddexp(...) CG_CALL_SITE_(cg_logaddexp)(__VA_ARGS__)
#define cg_logaddexp2(...) CG_CALL_SITE_(cg_logaddexp2)(__VA_ARGS__)
#define cg_nextafter(...) CG_CALL_SITE_(cg_nextafter)(__VA_ARGS__)
#define cg_heaviside(...) CG_CALL_SITE_(cg_heaviside)(__VA_ARGS__)
#define cg_special_zeta(...) CG_CALL_SITE_(cg_special_zeta)(__VA_ARGS__)
#define cg_logical_and(...) CG_CALL_SITE_(cg_logical_and)(__VA_ARGS__)
#define cg_logical_or(...) CG_CALL_SITE_(cg_logical_or)(__VA_ARGS__)
#define cg_logical_xor(...) CG_CALL_SITE_(cg_logical_xor)(__VA_ARGS__)
#define cg_div_mode(...) CG_CALL_SITE_(cg_div_mode)(__VA_ARGS__)
#define cg_floor_divide(...) CG_CALL_SITE_(cg_floor_divide)(__VA_ARGS__)
#define cg_float_power(...) CG_CALL_SITE_(cg_float_power)(__VA_ARGS__)
#define cg_ldexp(...) CG_CALL_SITE_(cg_ldexp)(__VA_ARGS__)
#define cg_isclose(...) CG_CALL_SITE_(cg_isclose)(__VA_ARGS__)
#define cg_leaky_relu(...) CG_CALL_SITE_(cg_leaky_relu)(__VA_ARGS__)
#define cg_hardtanh(...) CG_CALL_SITE_(cg_hardtanh)(__VA_ARGS__)
#define cg_relu6(...) CG_CALL_SITE_(cg_relu6)(__VA_ARGS__)
#define cg_elu(...) CG_CALL_SITE_(cg_elu)(__VA_ARGS__)
#define cg_selu(...) CG_CALL_SITE_(cg_selu)(__VA_ARGS__)
#define cg_celu(...) CG_CALL_SITE_(cg_celu)(__VA_ARGS__)
#define cg_silu(...) CG_CALL_SITE_(cg_silu)(__VA_ARGS__)
#define cg_gelu(...) CG_CALL_SITE_(cg_gelu)(__VA_ARGS__)
#define cg_softplus(...) CG_CALL_SITE_(cg_softplus)(__VA_ARGS__)
#define cg_hardsigmoid(...) CG_CALL_SITE_(cg_hardsigmoid)(__VA_ARGS__)
#define cg_hardswish(...) CG_CALL_SITE_(cg_hardswish)(__VA_ARGS__)
#define cg_mish(...) CG_CALL_SITE_(cg_mish)(__VA_ARGS__)
#define cg_logsigmoid(...) CG_CALL_SITE_(cg_logsigmoid)(__VA_ARGS__)
#define cg_softsign(...) CG_CALL_SITE_(cg_softsign)(__VA_ARGS__)
#define cg_tanhshrink(...) CG_CALL_SITE_(cg_tanhshrink)(__VA_ARGS__)
#define cg_softmin(...) CG_CALL_SITE_(cg_softmin)(__VA_ARGS__)
#define cg_glu(...) CG_CALL_SITE_(cg_glu)(__VA_ARGS__)
#define cg_embedding(...) CG_CALL_SITE_(cg_embedding)(__VA_ARGS__)
#define cg_embedding_padded(...) CG_CALL_SITE_(cg_embedding_padded)(__VA_ARGS__)
#define cg_one_hot(...) CG_CALL_SITE_(cg_one_hot)(__VA_ARGS__)
#define cg_pad_constant(...) CG_CALL_SITE_(cg_pad_constant)(__VA_ARGS__)
#define cg_pad_reflect(...) CG_CALL_SITE_(cg_pad_reflect)(__VA_ARGS__)
#define cg_pad_replicate(...) CG_CALL_SITE_(cg_pad_replicate)(__VA_ARGS__)
#define cg_prelu(...) CG_CALL_SITE_(cg_prelu)(__VA_ARGS__)
#define cg_normalize(...) CG_CALL_SITE_(cg_normalize)(__VA_ARGS__)
#define cg_cosine_similarity(...) CG_CALL_SITE_(cg_cosine_similarity)(__VA_ARGS__)
#define cg_pairwise_distance(...) CG_CALL_SITE_(cg_pairwise_distance)(__VA_ARGS__)
#define cg_add_(...) CG_CALL_SITE_(cg_add_)(__VA_ARGS__)
#define cg_sub_(...) CG_CALL_SITE_(cg_sub_)(__VA_ARGS__)
#define cg_mul_(...) CG_CALL_SITE_(cg_mul_)(__VA_ARGS__)
#define cg_div_(...) CG_CALL_SITE_(cg_div_)(__VA_ARGS__)
#define cg_pow_(...) CG_CALL_SITE_(cg_pow_)(__VA_ARGS__)
#define cg_add_number_(...) CG_CALL_SITE_(cg_add_number_)(__VA_ARGS__)
#define cg_sub_number_(...) CG_CALL_SITE_(cg_sub_number_)(__VA_ARGS__)
#define cg_mul_number_(...) CG_CALL_SITE_(cg_mul_number_)(__VA_ARGS__)
#define cg_div_number_(...) CG_CALL_SITE_(cg_div_number_)(__VA_ARGS__)
#define cg_pow_number_(...) CG_CALL_SITE_(cg_pow_number_)(__VA_ARGS__)
#define cg_add_alpha_number_(...) CG_CALL_SITE_(cg_add_alpha_number_)(__VA_ARGS__)
#define cg_sub_alpha_number_(...) CG_CALL_SITE_(cg_sub_alpha_number_)(__VA_ARGS__)
#define cg_addcmul_number_(...) CG_CALL_SITE_(cg_addcmul_number_)(__VA_ARGS__)
#define cg_addcdiv_number_(...) CG_CALL_SITE_(cg_addcdiv_number_)(__VA_ARGS__)
#define cg_lerp_(...) CG_CALL_SITE_(cg_lerp_)(__VA_ARGS__)
#define cg_lerp_number_(...) CG_CALL_SITE_(cg_lerp_number_)(__VA_ARGS__)
#define cg_neg_(...) CG_CALL_SITE_(cg_neg_)(__VA_ARGS__)
#define cg_exp_(...) CG_CALL_SITE_(cg_exp_)(__VA_ARGS__)
#define cg_log_(...) CG_CALL_SITE_(cg_log_)(__VA_ARGS__)
#define cg_log1p_(...) CG_CALL_SITE_(cg_log1p_)(__VA_ARGS__)
#define cg_sqrt_(...) CG_CALL_SITE_(cg_sqrt_)(__VA_ARGS__)
#define cg_abs_(...) CG_CALL_SITE_(cg_abs_)(__VA_ARGS__)
#define cg_sign_(...) CG_CALL_SITE_(cg_sign_)(__VA_ARGS__)
#define cg_sin_(...) CG_CALL_SITE_(cg_sin_)(__VA_ARGS__)
#define cg_cos_(...) CG_CALL_SITE_(cg_cos_)(__VA_ARGS__)
#define cg_tan_(...) CG_CALL_SITE_(cg_tan_)(__VA_ARGS__)
#define cg_tanh_(...) CG_CALL_SITE_(cg_tanh_)(__VA_ARGS__)
#define cg_sigmoid_(...) CG_CALL_SITE_(cg_sigmoid_)(__VA_ARGS__)
#define cg_relu_(...) CG_CALL_SITE_(cg_relu_)(__VA_ARGS__)
#define cg_fill_number_(...) CG_CALL_SITE_(cg_fill_number_)(__VA_ARGS__)
#define cg_zero_(...) CG_CALL_SITE_(cg_zero_)(__VA_ARGS__)
#define cg_copy_(...) CG_CALL_SITE_(cg_copy_)(__VA_ARGS__)
#define cg_clamp_number_(...) CG_CALL_SITE_(cg_clamp_number_)(__VA_ARGS__)
#define cg_clamp_tensor_(...) CG_CALL_SITE_(cg_clamp_tensor_)(__VA_ARGS__)
#define cg_sum_opts(...) CG_CALL_SITE_(cg_sum_opts)(__VA_ARGS__)
#define cg_mean_opts(...) CG_CALL_SITE_(cg_mean_opts)(__VA_ARGS__)
#define cg_var_opts(...) CG_CALL_SITE_(cg_var_opts)(__VA_ARGS__)
#define cg_std_opts(...) CG_CALL_SITE_(cg_std_opts)(__VA_ARGS__)
#define cg_var_mean_opts(...) CG_CALL_SITE_(cg_var_mean_opts)(__VA_ARGS__)
#define cg_std_mean_opts(...) CG_CALL_SITE_(cg_std_mean_opts)(__VA_ARGS__)
#define cg_norm_opts(...) CG_CALL_SITE_(cg_norm_opts)(__VA_ARGS__)
#define cg_prod(...) CG_CALL_SITE_(cg_prod)(__VA_ARGS__)
#define cg_prod_dim(...) CG_CALL_SITE_(cg_prod_dim)(__VA_ARGS__)
#define cg_max(...) CG_CALL_SITE_(cg_max)(__VA_ARGS__)
#define cg_min(...) CG_CALL_SITE_(cg_min)(__VA_ARGS__)
#define cg_max_dim(...) CG_CALL_SITE_(cg_max_dim)(__VA_ARGS__)
#define cg_min_dim(...) CG_CALL_SITE_(cg_min_dim)(__VA_ARGS__)
#define cg_argmax(...) CG_CALL_SITE_(cg_argmax)(__VA_ARGS__)
#define cg_argmin(...) CG_CALL_SITE_(cg_argmin)(__VA_ARGS__)
#define cg_argmax_dim(...) CG_CALL_SITE_(cg_argmax_dim)(__VA_ARGS__)
#define cg_argmin_dim(...) CG_CALL_SITE_(cg_argmin_dim)(__VA_ARGS__)
#define cg_amax_opts(...) CG_CALL_SITE_(cg_amax_opts)(__VA_ARGS__)
#define cg_amin_opts(...) CG_CALL_SITE_(cg_amin_opts)(__VA_ARGS__)
#define cg_aminmax(...) CG_CALL_SITE_(cg_aminmax)(__VA_ARGS__)
#define cg_aminmax_dim(...) CG_CALL_SITE_(cg_aminmax_dim)(__VA_ARGS__)
#define cg_logsumexp_opts(...) CG_CALL_SITE_(cg_logsumexp_opts)(__VA_ARGS__)
#define cg_all(...) CG_CALL_SITE_(cg_all)(__VA_ARGS__)
#define cg_all_dim(...) CG_CALL_SITE_(cg_all_dim)(__VA_ARGS__)
#define cg_any(...) CG_CALL_SITE_(cg_any)(__VA_ARGS__)
#define cg_any_dim(...) CG_CALL_SITE_(cg_any_dim)(__VA_ARGS__)
#define cg_count_nonzero_opts(...) CG_CALL_SITE_(cg_count_nonzero_opts)(__VA_ARGS__)
#define cg_nansum_opts(...) CG_CALL_SITE_(cg_nansum_opts)(__VA_ARGS__)
#define cg_nanmean_opts(...) CG_CALL_SITE_(cg_nanmean_opts)(__VA_ARGS__)
#define cg_cumsum(...) CG_CALL_SITE_(cg_cumsum)(__VA_ARGS__)
#define cg_cumsum_dtype(...) CG_CALL_SITE_(cg_cumsum_dtype)(__VA_ARGS__)
#define cg_cumprod(...) CG_CALL_SITE_(cg_cumprod)(__VA_ARGS__)
#define cg_cumprod_dtype(...) CG_CALL_SITE_(cg_cumprod_dtype)(__VA_ARGS__)
#define cg_logcumsumexp(...) CG_CALL_SITE_(cg_logcumsumexp)(__VA_ARGS__)
#define cg_cummax(...) CG_CALL_SITE_(cg_cummax)(__VA_ARGS__)
#define cg_cummin(...) CG_CALL_SITE_(cg_cummin)(__VA_ARGS__)
#define cg_sort(...) CG_CALL_SITE_(cg_sort)(__VA_ARGS__)
#define cg_sort_stable(...) CG_CALL_SITE_(cg_sort_stable)(__VA_ARGS__)
#define cg_argsort(...) CG_CALL_SITE_(cg_argsort)(__VA_ARGS__)
#define cg_msort(...) CG_CALL_SITE_(cg_msort)(__VA_ARGS__)
#define cg_topk(...) CG_CALL_SITE_(cg_topk)(__VA_ARGS__)
#define cg_kthvalue(...) CG_CALL_SITE_(cg_kthvalue)(__VA_ARGS__)
#define cg_median(...) CG_CALL_SITE_(cg_median)(__VA_ARGS__)
#define cg_median_dim(...) CG_CALL_SITE_(cg_median_dim)(__VA_ARGS__)
#define cg_nanmedian(...) CG_CALL_SITE_(cg_nanmedian)(__VA_ARGS__)
#define cg_nanmedian_dim(...) CG_CALL_SITE_(cg_nanmedian_dim)(__VA_ARGS__)
#define cg_mode(...) CG_CALL_SITE_(cg_mode)(__VA_ARGS__)
#define cg_searchsorted(...) CG_CALL_SITE_(cg_searchsorted)(__VA_ARGS__)
#define cg_bucketize(...) CG_CALL_SITE_(cg_bucketize)(__VA_ARGS__)
#define cg_dot(...) CG_CALL_SITE_(cg_dot)(__VA_ARGS__)
#define cg_mv(...) CG_CALL_SITE_(cg_mv)(__VA_ARGS__)
#define cg_mm(...) CG_CALL_SITE_(cg_mm)(__VA_ARGS__)
#define cg_bmm(...) CG_CALL_SITE_(cg_bmm)(__VA_ARGS__)
#define cg_matmul(...) CG_CALL_SITE_(cg_matmul)(__VA_ARGS__)
#define cg_addmm(...) CG_CALL_SITE_(cg_addmm)(__VA_ARGS__)
#define cg_addmm_scaled(...) CG_CALL_SITE_(cg_addmm_scaled)(__VA_ARGS__)
#define cg_linear(...) CG_CALL_SITE_(cg_linear)(__VA_ARGS__)
#define cg_outer(...) CG_CALL_SITE_(cg_outer)(__VA_ARGS__)
#define cg_ger(...) CG_CALL_SITE_(cg_ger)(__VA_ARGS__)
#define cg_tensordot_dims(...) CG_CALL_SITE_(cg_tensordot_dims)(__VA_ARGS__)
#define cg_tensordot(...) CG_CALL_SITE_(cg_tensordot)(__VA_ARGS__)
#define cg_inner(...) CG_CALL_SITE_(cg_inner)(__VA_ARGS__)
#define cg_linalg_det(...) CG_CALL_SITE_(cg_linalg_det)(__VA_ARGS__)
#define cg_det(...) CG_CALL_SITE_(cg_det)(__VA_ARGS__)
#define cg_linalg_slogdet(...) CG_CALL_SITE_(cg_linalg_slogdet)(__VA_ARGS__)
#define cg_logdet(...) CG_CALL_SITE_(cg_logdet)(__VA_ARGS__)
#define cg_linalg_inv(...) CG_CALL_SITE_(cg_linalg_inv)(__VA_ARGS__)
#define cg_linalg_inv_ex(...) CG_CALL_SITE_(cg_linalg_inv_ex)(__VA_ARGS__)
#define cg_linalg_solve(...) CG_CALL_SITE_(cg_linalg_solve)(__VA_ARGS__)
#define cg_linalg_solve_ex(...) CG_CALL_SITE_(cg_linalg_solve_ex)(__VA_ARGS__)
#define cg_cat(...) CG_CALL_SITE_(cg_cat)(__VA_ARGS__)
#define cg_stack(...) CG_CALL_SITE_(cg_stack)(__VA_ARGS__)
#define cg_index_select(...) CG_CALL_SITE_(cg_index_select)(__VA_ARGS__)
#define cg_gather(...) CG_CALL_SITE_(cg_gather)(__VA_ARGS__)
#define cg_scatter_add(...) CG_CALL_SITE_(cg_scatter_add)(__VA_ARGS__)
#define cg_scatter(...) CG_CALL_SITE_(cg_scatter)(__VA_ARGS__)
#define cg_scatter_value(...) CG_CALL_SITE_(cg_scatter_value)(__VA_ARGS__)
#define cg_scatter_reduce(...) CG_CALL_SITE_(cg_scatter_reduce)(__VA_ARGS__)
#define cg_scatter_with_reduce(...) CG_CALL_SITE_(cg_scatter_with_reduce)(__VA_ARGS__)
#define cg_masked_fill_number(...) CG_CALL_SITE_(cg_masked_fill_number)(__VA_ARGS__)
#define cg_masked_fill_tensor(...) CG_CALL_SITE_(cg_masked_fill_tensor)(__VA_ARGS__)
#define cg_flip_dims(...) CG_CALL_SITE_(cg_flip_dims)(__VA_ARGS__)
#define cg_fliplr(...) CG_CALL_SITE_(cg_fliplr)(__VA_ARGS__)
#define cg_flipud(...) CG_CALL_SITE_(cg_flipud)(__VA_ARGS__)
#define cg_roll(...) CG_CALL_SITE_(cg_roll)(__VA_ARGS__)
#define cg_rot90(...) CG_CALL_SITE_(cg_rot90)(__VA_ARGS__)
#define cg_repeat_shape(...) CG_CALL_SITE_(cg_repeat_shape)(__VA_ARGS__)
#define cg_tile_shape(...) CG_CALL_SITE_(cg_tile_shape)(__VA_ARGS__)
#define cg_tril(...) CG_CALL_SITE_(cg_tril)(__VA_ARGS__)
#define cg_triu(...) CG_CALL_SITE_(cg_triu)(__VA_ARGS__)
#define cg_diagonal(...) CG_CALL_SITE_(cg_diagonal)(__VA_ARGS__)
#define cg_diag_embed(...) CG_CALL_SITE_(cg_diag_embed)(__VA_ARGS__)
#define cg_diag(...) CG_CALL_SITE_(cg_diag)(__VA_ARGS__)
#define cg_diagflat(...) CG_CALL_SITE_(cg_diagflat)(__VA_ARGS__)
#define cg_movedim_dims(...) CG_CALL_SITE_(cg_movedim_dims)(__VA_ARGS__)
#define cg_movedim(...) CG_CALL_SITE_(cg_movedim)(__VA_ARGS__)
#define cg_unflatten(...) CG_CALL_SITE_(cg_unflatten)(__VA_ARGS__)
#define cg_ravel(...) CG_CALL_SITE_(cg_ravel)(__VA_ARGS__)
#define cg_atleast_1d(...) CG_CALL_SITE_(cg_atleast_1d)(__VA_ARGS__)
#define cg_atleast_2d(...) CG_CALL_SITE_(cg_atleast_2d)(__VA_ARGS__)
#define cg_atleast_3d(...) CG_CALL_SITE_(cg_atleast_3d)(__VA_ARGS__)
#define cg_hstack(...) CG_CALL_SITE_(cg_hstack)(__VA_ARGS__)
#define cg_vstack(...) CG_CALL_SITE_(cg_vstack)(__VA_ARGS__)
#define cg_dstack(...) CG_CALL_SITE_(cg_dstack)(__VA_ARGS__)
#define cg_column_stack(...) CG_CALL_SITE_(cg_column_stack)(__VA_ARGS__)
#define cg_broadcast_to(...) CG_CALL_SITE_(cg_broadcast_to)(__VA_ARGS__)
#define cg_sum_to_size(...) CG_CALL_SITE_(cg_sum_to_size)(__VA_ARGS__)
#define cg_expand_as(...) CG_CALL_SITE_(cg_expand_as)(__VA_ARGS__)
#define cg_view_as(...) CG_CALL_SITE_(cg_view_as)(__VA_ARGS__)
#define cg_reshape_as(...) CG_CALL_SITE_(cg_reshape_as)(__VA_ARGS__)
#define cg_index_add_number(...) CG_CALL_SITE_(cg_index_add_number)(__VA_ARGS__)
#define cg_index_copy(...) CG_CALL_SITE_(cg_index_copy)(__VA_ARGS__)
#define cg_index_fill_number(...) CG_CALL_SITE_(cg_index_fill_number)(__VA_ARGS__)
#define cg_index_fill_tensor(...) CG_CALL_SITE_(cg_index_fill_tensor)(__VA_ARGS__)
#define cg_index_reduce(...) CG_CALL_SITE_(cg_index_reduce)(__VA_ARGS__)
#define cg_nonzero(...) CG_CALL_SITE_(cg_nonzero)(__VA_ARGS__)
#define cg_argwhere(...) CG_CALL_SITE_(cg_argwhere)(__VA_ARGS__)
#define cg_take(...) CG_CALL_SITE_(cg_take)(__VA_ARGS__)
#define cg_put(...) CG_CALL_SITE_(cg_put)(__VA_ARGS__)
#define cg_take_along_dim(...) CG_CALL_SITE_(cg_take_along_dim)(__VA_ARGS__)
#define cg_take_along_dim_flat(...) CG_CALL_SITE_(cg_take_along_dim_flat)(__VA_ARGS__)
#define cg_masked_select(...) CG_CALL_SITE_(cg_masked_select)(__VA_ARGS__)
#define cg_masked_scatter(...) CG_CALL_SITE_(cg_masked_scatter)(__VA_ARGS__)
#define cg_index(...) CG_CALL_SITE_(cg_index)(__VA_ARGS__)
#define cg_index_put(...) CG_CALL_SITE_(cg_index_put)(__VA_ARGS__)
#define cg_index_put_(...) CG_CALL_SITE_(cg_index_put_)(__VA_ARGS__)
#define cg_layer_norm(...) CG_CALL_SITE_(cg_layer_norm)(__VA_ARGS__)
#define cg_batch_norm(...) CG_CALL_SITE_(cg_batch_norm)(__VA_ARGS__)
#define cg_group_norm(...) CG_CALL_SITE_(cg_group_norm)(__VA_ARGS__)
#define cg_instance_norm(...) CG_CALL_SITE_(cg_instance_norm)(__VA_ARGS__)
#define cg_dropout(...) CG_CALL_SITE_(cg_dropout)(__VA_ARGS__)
#define cg_dropout2d(...) CG_CALL_SITE_(cg_dropout2d)(__VA_ARGS__)
#define cg_dropout1d(...) CG_CALL_SITE_(cg_dropout1d)(__VA_ARGS__)
#define cg_dropout3d(...) CG_CALL_SITE_(cg_dropout3d)(__VA_ARGS__)
#define cg_alpha_dropout(...) CG_CALL_SITE_(cg_alpha_dropout)(__VA_ARGS__)
#define cg_feature_alpha_dropout(...) CG_CALL_SITE_(cg_feature_alpha_dropout)(__VA_ARGS__)
#define cg_binary_cross_entropy_with_logits_opts(...) CG_CALL_SITE_(cg_binary_cross_entropy_with_logits_opts)(__VA_ARGS__)
#define cg_binary_cross_entropy_opts(...) CG_CALL_SITE_(cg_binary_cross_entropy_opts)(__VA_ARGS__)
#define cg_mse_loss_opts(...) CG_CALL_SITE_(cg_mse_loss_opts)(__VA_ARGS__)
#define cg_l1_loss_opts(...) CG_CALL_SITE_(cg_l1_loss_opts)(__VA_ARGS__)
#define cg_nll_loss_opts(...) CG_CALL_SITE_(cg_nll_loss_opts)(__VA_ARGS__)
#define cg_cross_entropy_opts(...) CG_CALL_SITE_(cg_cross_entropy_opts)(__VA_ARGS__)
#define cg_smooth_l1_loss_opts(...) CG_CALL_SITE_(cg_smooth_l1_loss_opts)(__VA_ARGS__)
#define cg_huber_loss_opts(...) CG_CALL_SITE_(cg_huber_loss_opts)(__VA_ARGS__)
#define cg_kl_div_opts(...) CG_CALL_SITE_(cg_kl_div_opts)(__VA_ARGS__)
#define cg_poisson_nll_loss_opts(...) CG_CALL_SITE_(cg_poisson_nll_loss_opts)(__VA_ARGS__)
#define cg_gaussian_nll_loss_opts(...) CG_CALL_SITE_(cg_gaussian_nll_loss_opts)(__VA_ARGS__)
#define cg_margin_ranking_loss_opts(...) CG_CALL_SITE_(cg_margin_ranking_loss_opts)(__VA_ARGS__)
#define cg_hinge_embedding_loss_opts(...) CG_CALL_SITE_(cg_hinge_embedding_loss_opts)(__VA_ARGS__)
#define cg_cosine_embedding_loss_opts(...) CG_CALL_SITE_(cg_cosine_embedding_loss_opts)(__VA_ARGS__)
#define cg_triplet_margin_loss_opts(...) CG_CALL_SITE_(cg_triplet_margin_loss_opts)(__VA_ARGS__)
#define cg_soft_margin_loss_opts(...) CG_CALL_SITE_(cg_soft_margin_loss_opts)(__VA_ARGS__)
#define cg_multilabel_soft_margin_loss_opts(...) CG_CALL_SITE_(cg_multilabel_soft_margin_loss_opts)(__VA_ARGS__)
#define cg_ctc_loss_opts(...) CG_CALL_SITE_(cg_ctc_loss_opts)(__VA_ARGS__)
#define cg_softmax(...) CG_CALL_SITE_(cg_softmax)(__VA_ARGS__)
#define cg_log_softmax(...) CG_CALL_SITE_(cg_log_softmax)(__VA_ARGS__)
#define cg_conv1d_opts(...) CG_CALL_SITE_(cg_conv1d_opts)(__VA_ARGS__)
#define cg_conv2d_opts(...) CG_CALL_SITE_(cg_conv2d_opts)(__VA_ARGS__)
#define cg_conv_transpose1d_opts(...) CG_CALL_SITE_(cg_conv_transpose1d_opts)(__VA_ARGS__)
#define cg_conv_transpose2d_opts(...) CG_CALL_SITE_(cg_conv_transpose2d_opts)(__VA_ARGS__)
#define cg_max_pool2d_opts(...) CG_CALL_SITE_(cg_max_pool2d_opts)(__VA_ARGS__)
#define cg_max_pool1d_opts(...) CG_CALL_SITE_(cg_max_pool1d_opts)(__VA_ARGS__)
#define cg_avg_pool2d_opts(...) CG_CALL_SITE_(cg_avg_pool2d_opts)(__VA_ARGS__)
#define cg_avg_pool1d_opts(...) CG_CALL_SITE_(cg_avg_pool1d_opts)(__VA_ARGS__)
#define cg_interpolate_opts(...) CG_CALL_SITE_(cg_interpolate_opts)(__VA_ARGS__)
#define cg_bilinear(...) CG_CALL_SITE_(cg_bilinear)(__VA_ARGS__)
#define cg_scaled_dot_product_attention_opts(...) CG_CALL_SITE_(cg_scaled_dot_product_attention_opts)(__VA_ARGS__)
#define cg_adaptive_avg_pool2d_opts(...) CG_CALL_SITE_(cg_adaptive_avg_pool2d_opts)(__VA_ARGS__)
#define cg_adaptive_max_pool2d_opts(...) CG_CALL_SITE_(cg_adaptive_max_pool2d_opts)(__VA_ARGS__)
#define cg_adaptive_avg_pool1d_opts(...) CG_CALL_SITE_(cg_adaptive_avg_pool1d_opts)(__VA_ARGS__)
#define cg_adaptive_max_pool1d_opts(...) CG_CALL_SITE_(cg_adaptive_max_pool1d_opts)(__VA_ARGS__)
#define cg_requires_grad_(...) CG_CALL_SITE_(cg_requires_grad_)(__VA_ARGS__)
#define cg_grad(...) CG_CALL_SITE_(cg_grad)(__VA_ARGS__)
#define cg_detach(...) CG_CALL_SITE_(cg_detach)(__VA_ARGS__)
#define cg_detach_(...) CG_CALL_SITE_(cg_detach_)(__VA_ARGS__)
#define cg_data(...) CG_CALL_SITE_(cg_data)(__VA_ARGS__)
#define cg_function_apply(...) CG_CALL_SITE_(cg_function_apply)(__VA_ARGS__)
#define cg_make_dual(...) CG_CALL_SITE_(cg_make_dual)(__VA_ARGS__)
#define cg_unpack_dual(...) CG_CALL_SITE_(cg_unpack_dual)(__VA_ARGS__)
#define cg_checkpoint_opts(...) CG_CALL_SITE_(cg_checkpoint_opts)(__VA_ARGS__)
#define cg_named_tensors_get(...) CG_CALL_SITE_(cg_named_tensors_get)(__VA_ARGS__)
#define cg_module_forward(...) CG_CALL_SITE_(cg_module_forward)(__VA_ARGS__)
#define cg_module_get_parameter(...) CG_CALL_SITE_(cg_module_get_parameter)(__VA_ARGS__)
#define cg_module_requires_grad_(...) CG_CALL_SITE_(cg_module_requires_grad_)(__VA_ARGS__)
#define cg_nn_bilinear_forward(...) CG_CALL_SITE_(cg_nn_bilinear_forward)(__VA_ARGS__)
#define cg_rnn_tanh_cell(...) CG_CALL_SITE_(cg_rnn_tanh_cell)(__VA_ARGS__)
#define cg_rnn_relu_cell(...) CG_CALL_SITE_(cg_rnn_relu_cell)(__VA_ARGS__)
#define cg_gru_cell(...) CG_CALL_SITE_(cg_gru_cell)(__VA_ARGS__)
#define cg_lstm_cell(...) CG_CALL_SITE_(cg_lstm_cell)(__VA_ARGS__)
#define cg_nn_rnn_forward(...) CG_CALL_SITE_(cg_nn_rnn_forward)(__VA_ARGS__)
#define cg_nn_cell_forward(...) CG_CALL_SITE_(cg_nn_cell_forward)(__VA_ARGS__)
#define cg_nn_multihead_attention_forward_opts(...) CG_CALL_SITE_(cg_nn_multihead_attention_forward_opts)(__VA_ARGS__)
#define cg_nn_transformer_encoder_layer_forward(...) CG_CALL_SITE_(cg_nn_transformer_encoder_layer_forward)(__VA_ARGS__)
#define cg_nn_init_uniform_(...) CG_CALL_SITE_(cg_nn_init_uniform_)(__VA_ARGS__)
#define cg_nn_init_normal_(...) CG_CALL_SITE_(cg_nn_init_normal_)(__VA_ARGS__)
#define cg_nn_init_constant_(...) CG_CALL_SITE_(cg_nn_init_constant_)(__VA_ARGS__)
#define cg_nn_init_zeros_(...) CG_CALL_SITE_(cg_nn_init_zeros_)(__VA_ARGS__)
#define cg_nn_init_ones_(...) CG_CALL_SITE_(cg_nn_init_ones_)(__VA_ARGS__)
#define cg_nn_init_eye_(...) CG_CALL_SITE_(cg_nn_init_eye_)(__VA_ARGS__)
#define cg_nn_init_xavier_uniform_(...) CG_CALL_SITE_(cg_nn_init_xavier_uniform_)(__VA_ARGS__)
#define cg_nn_init_xavier_normal_(...) CG_CALL_SITE_(cg_nn_init_xavier_normal_)(__VA_ARGS__)
#define cg_nn_init_kaiming_uniform_(...) CG_CALL_SITE_(cg_nn_init_kaiming_uniform_)(__VA_ARGS__)
#define cg_nn_init_kaiming_normal_(...) CG_CALL_SITE_(cg_nn_init_kaiming_normal_)(__VA_ARGS__)
#define cg_nn_init_trunc_normal_(...) CG_CALL_SITE_(cg_nn_init_trunc_normal_)(__VA_ARGS__)
#define cg_nn_init_orthogonal_(...) CG_CALL_SITE_(cg_nn_init_orthogonal_)(__VA_ARGS__)
#define cg_nn_init_dirac_(...) CG_CALL_SITE_(cg_nn_init_dirac_)(__VA_ARGS__)
#define cg_idx_load(...) CG_CALL_SITE_(cg_idx_load)(__VA_ARGS__)
#define cg_idx_load_buffer(...) CG_CALL_SITE_(cg_idx_load_buffer)(__VA_ARGS__)
#define cg_transform_to_tensor(...) CG_CALL_SITE_(cg_transform_to_tensor)(__VA_ARGS__)
#define cg_transform_normalize(...) CG_CALL_SITE_(cg_transform_normalize)(__VA_ARGS__)
#define cg_clip_grad_norm_(...) CG_CALL_SITE_(cg_clip_grad_norm_)(__VA_ARGS__)
#define cg_clip_grad_value_(...) CG_CALL_SITE_(cg_clip_grad_value_)(__VA_ARGS__)
#endif
/* ---- end of call sites ---- */

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif

#ifdef __cplusplus
}
#endif
#endif
