/* The device seam: a backend is a table of entry points (its storage, copies to and from the host,
 * and every kernel); a storage points at the backend that owns its bytes, so a tensor's device is
 * its storage's backend.
 *
 * How an op reaches a kernel: it computes its result's shape, dtype, strides and errors, allocates
 * the result on its operands' device (cg_new_result_of, cg_new_like and cg_new_tensor_on do) and
 * then calls CG_KERNEL(out, name)(arguments...), never a backend's kernel by its own name. Bytes
 * are touched only inside src/backend/ (tools/check_bytes.sh checks it); code above reads or
 * writes elements through cg_read_element / cg_write_element and copies through the table's
 * copy_to_host / copy_from_host, which a backend without bytes (meta) refuses with PyTorch's error.
 *
 * The meta backend (backend/meta/) has no bytes: its storage is a header alone, its kernels do
 * nothing, and an op on meta tensors stops once its result's metadata is right. A kernel entry
 * that a new op needs goes into this table, into the CPU table (backend/cpu/backend.c) and, as
 * a function that does nothing, into the meta table. */
#ifndef CG_BACKEND_BACKEND_H
#define CG_BACKEND_BACKEND_H

#include "backend/cpu/activation.h"
#include "backend/cpu/conv.h" /* cg_conv2d_shape */
#include "backend/cpu/ctc.h"  /* cg_ctc_plan */
#include "backend/cpu/elementwise.h"
#include "backend/cpu/fused.h"
#include "backend/cpu/math.h"
#include "backend/cpu/lapack.h" /* cg_lapack_call */
#include "backend/cpu/index_more.h"
#include "backend/cpu/matmul.h"
#include "backend/cpu/nll.h" /* cg_nll_plan */
#include "backend/cpu/optim.h" /* cg_adam_numbers */
#include "backend/cpu/pool.h" /* cg_pool2d_shape */
#include "backend/cpu/scan.h" /* cg_scan_op */
#include "backend/cpu/sort.h" /* cg_select_op */
#include "core/generator.h"
#include "core/tensor.h"

struct cg_backend {
    cg_device device;
    const char *name; /* PyTorch's device type: "cpu", "meta" */
    bool has_bytes;   /* false for meta */

    /* ---- memory ---- */
    /* A storage of nbytes (uninitialised); NULL with the error set when out of memory. */
    cg_storage *(*storage_new)(size_t nbytes);
    /* Frees a storage that owns its bytes (the last reference went). */
    void (*storage_free)(cg_storage *s);
    /* src's elements in row-major order into host memory, in src's dtype; -1 with the error. */
    int (*copy_to_host)(void *host, const cg_tensor *src);
    /* Row-major host elements of dst's dtype into dst (contiguous). */
    void (*copy_from_host)(cg_tensor *dst, const void *host);
    /* The element at storage offset `offset` (in elements) to or from host memory; -1 with the error. */
    int (*read_element)(const cg_tensor *t, int64_t offset, void *host);
    int (*write_element)(cg_tensor *t, int64_t offset, const void *host);

    /* ---- kernels: the contracts are the CPU backend's, in backend/cpu/<file>.h ---- */
    void (*binary)(cg_binary_op op, cg_tensor *out, const cg_tensor *a, const cg_tensor *b);
    void (*unary)(cg_unary_op op, cg_tensor *out, const cg_tensor *in);
    void (*pow_number)(cg_tensor *out, const cg_tensor *in, double exponent);
    void (*where)(cg_tensor *out, const cg_tensor *cond, const cg_tensor *a, const cg_tensor *b);
    void (*clamp)(cg_tensor *out, const cg_tensor *in, const cg_number *lo, const cg_number *hi);
    void (*fused)(cg_fused_op op, cg_tensor *out, const cg_tensor *self, const cg_tensor *a, const cg_tensor *b,
                  cg_number number);
    void (*activation)(cg_activation_op op, cg_tensor *out, const cg_tensor *in, const double *p);
    void (*math)(cg_math_op op, cg_tensor *out, const cg_tensor *a, const cg_tensor *b, const double *p);
    void (*clamp_tensor)(cg_tensor *out, const cg_tensor *self, const cg_tensor *min, const cg_tensor *max);
    void (*vector_lanes)(cg_tensor *mask, const cg_tensor *a, const cg_tensor *b, int64_t elsize);
    void (*copy)(cg_tensor *dst, const cg_tensor *src);
    void (*copy_tiled)(cg_tensor *dst, const cg_tensor *src);
    void (*fill)(cg_tensor *dst, cg_number value);
    void (*masked_fill)(cg_tensor *dst, const cg_tensor *mask, cg_number value);
    bool (*indices_in_range)(const cg_tensor *index, int64_t size, int64_t *bad);
    void (*gather)(cg_tensor *out, const cg_tensor *src, const cg_tensor *index, int64_t dim_stride);
    void (*scatter_add)(cg_tensor *out, const cg_tensor *index, const cg_tensor *src, int64_t dim_stride);
    void (*scatter)(cg_tensor *out, const cg_tensor *index, const cg_tensor *src, int64_t dim_stride);
    void (*scatter_reduce)(cg_scatter_reduction op, cg_tensor *out, const cg_tensor *index, const cg_tensor *src,
                           int64_t dim_stride);
    /* index_add, nonzero, masked_select/masked_scatter, index_offsets (backend/cpu/index_more.h) */
    void (*index_add)(cg_tensor *out, const cg_tensor *index, const cg_tensor *src, int64_t dim_stride, cg_number alpha,
                      bool fused);
    int64_t (*nonzero)(cg_tensor *out, const cg_tensor *in);
    void (*masked_select)(cg_tensor *out, const cg_tensor *in, const cg_tensor *mask);
    void (*masked_scatter)(cg_tensor *out, const cg_tensor *mask, const cg_tensor *src);
    bool (*index_offsets)(cg_tensor *out, int n, cg_tensor *const *idx, const int64_t *sizes, const int64_t *strides,
                          int64_t *bad, int *bad_dim);
    void (*uniform)(cg_tensor *t, double from, double to, cg_generator *gen);
    void (*normal)(cg_tensor *t, double mean, double std, cg_generator *gen);
    void (*randint)(cg_tensor *t, int64_t low, uint64_t range, cg_generator *gen);
    void (*bernoulli)(cg_tensor *t, double p, cg_generator *gen);
    void (*randperm)(cg_tensor *t, uint32_t (*random32)(void *gen), void *gen);
    void (*cascade_sum)(cg_tensor *out, const cg_tensor *in, const bool *reduced, bool keepdim);
    void (*ordered_prod)(cg_tensor *out, const cg_tensor *in, const bool *reduced, bool keepdim);
    void (*ordered_norm2)(cg_tensor *out, const cg_tensor *in, const bool *reduced, bool keepdim);
    void (*ordered_pnorm)(cg_tensor *out, const cg_tensor *in, const bool *reduced, bool keepdim, double p);
    /* raw-pointer kernels: the pointers come from cg_bytes (NULL without bytes) */
    void (*gemm)(cg_dtype dtype, int64_t M, int64_t N, int64_t K, const void *a, int64_t a_row_stride,
                 int64_t a_col_stride, const void *b, int64_t b_row_stride, int64_t b_col_stride, void *c);
    void (*product)(const cg_product *p, const void *a, const void *b, void *c);
    bool (*product_takes)(const cg_product *p, bool left);
    void (*sum_i64)(const int64_t *in, int64_t *out, int64_t rows, int64_t len);
    void (*prod_i64)(const int64_t *in, int64_t *out, int64_t rows, int64_t len);
    void (*sum_columns_i64)(const int64_t *in, int64_t *out, int64_t groups, int64_t len, int64_t width);
    void (*var)(cg_dtype dtype, const void *in, void *out, int64_t rows, int64_t len, int64_t correction,
                bool take_sqrt, const double *mean);
    void (*var_mean)(cg_dtype dtype, const void *in, void *var, void *mean, int64_t rows, int64_t len,
                     int64_t correction, bool take_sqrt);
    void (*norm)(cg_dtype dtype, const void *in, void *out, int64_t rows, int64_t len, double p);
    void (*extreme)(cg_dtype dtype, const void *in, void *values, int64_t *indices, int64_t rows, int64_t len,
                    bool want_max);
    void (*extreme_all)(cg_dtype dtype, const void *in, void *value, int64_t n, bool want_max);
    /* convolution and pooling (backend/cpu/conv.h, pool.h); the int ones return -1 with the error */
    int (*conv2d)(cg_dtype dtype, const cg_conv2d_shape *s, const void *input, const void *weight, const void *bias,
                  void *out);
    int (*conv2d_backward_input)(cg_dtype dtype, const cg_conv2d_shape *s, const void *grad_output, const void *weight,
                                 void *grad_input);
    /* 1 when it wrote grad_bias too (not NULL: where PyTorch's kernel gives it with the weight's) */
    int (*conv2d_backward_weight)(cg_dtype dtype, const cg_conv2d_shape *s, const void *input, const void *grad_output,
                                  void *grad_weight, void *grad_bias);
    void (*max_pool2d)(cg_dtype dtype, const cg_pool2d_shape *s, const void *input, void *out, int64_t *indices);
    void (*max_pool2d_backward)(cg_dtype dtype, const cg_pool2d_shape *s, const void *grad_output,
                                const int64_t *indices, void *grad_input);
    void (*avg_pool2d)(cg_dtype dtype, const cg_pool2d_shape *s, const void *input, void *out, bool count_include_pad,
                       int64_t divisor);
    void (*avg_pool2d_backward)(cg_dtype dtype, const cg_pool2d_shape *s, const void *grad_output, void *grad_input,
                                bool count_include_pad, int64_t divisor);
    /* arange / linspace fills of a contiguous 1-dim t (backend/cpu/range.h) */
    void (*arange)(cg_tensor *t, double start, double step, int64_t istart, int64_t istep);
    void (*linspace)(cg_tensor *t, double start, double end, int64_t istart, int64_t iend);
    /* nll_loss's loops (backend/cpu/nll.h) */
    int (*nll_targets)(const cg_tensor *target, const cg_nll_plan *plan, int64_t *targets);
    void (*nll_forward_rows)(cg_tensor *out, const cg_tensor *x, const cg_nll_plan *plan);
    double (*nll_forward_sum)(const cg_tensor *x, const cg_nll_plan *plan, double *total_weight);
    void (*nll_backward)(cg_tensor *out, const cg_tensor *grad, const cg_nll_plan *plan, bool per_row, bool mean,
                         double total_weight);
    /* binary_cross_entropy's pointwise loss, contiguous operands of one dtype; -1 with PyTorch's
     * error for an input outside [0, 1] (backend/cpu/nll.h) */
    int (*binary_cross_entropy)(cg_tensor *out, const cg_tensor *x, const cg_tensor *t);
    /* ctc_loss's recursions (backend/cpu/ctc.h) */
    void (*ctc_forward)(cg_tensor *nll, cg_tensor *log_alpha, const cg_tensor *log_probs, const cg_ctc_plan *p);
    void (*ctc_backward)(cg_tensor *grad, const cg_tensor *grad_out, const cg_tensor *log_probs, const cg_tensor *nll,
                         const cg_tensor *log_alpha, const cg_ctc_plan *p, bool zero_infinity);
    /* prod's backward: the products of the other elements along dim (-1: all), contiguous in and out (backend/cpu/products.h) */
    void (*exclusive_products)(cg_tensor *out, const cg_tensor *in, int dim);
    /* softmax / log_softmax and their backward along dim, contiguous operands (backend/cpu/softmax.h) */
    void (*softmax)(cg_tensor *out, const cg_tensor *in, int dim, bool take_log);
    void (*softmax_backward)(cg_tensor *out, const cg_tensor *g, const cg_tensor *y, int dim, bool take_log);
    /* layer_norm of (M, N) rows, contiguous operands, weight/bias NULL when absent (backend/cpu/norm.h) */
    void (*layer_norm)(cg_tensor *out, const cg_tensor *x, const cg_tensor *weight, const cg_tensor *bias, int64_t M,
                       int64_t N, double eps);
    /* batch_norm: statistics, running statistics updated in place, output (backend/cpu/norm.h) */
    void (*batch_norm)(cg_tensor *out, cg_tensor *mean, cg_tensor *invstd, const cg_tensor *x, const cg_tensor *weight,
                       const cg_tensor *bias, cg_tensor *running_mean, cg_tensor *running_var, bool training,
                       double momentum, double eps);
    /* group_norm of (N, C, HW) in G groups, contiguous operands (backend/cpu/norm.h) */
    void (*group_norm)(cg_tensor *out, const cg_tensor *x, const cg_tensor *weight, const cg_tensor *bias, int64_t N,
                       int64_t C, int64_t HW, int64_t G, double eps);
    /* cumulative scans of contiguous (outer, len, inner) blocks (backend/cpu/scan.h) */
    void (*scan)(cg_scan_op op, cg_tensor *out, cg_tensor *indices, const cg_tensor *in, int64_t outer, int64_t len,
                 int64_t inner, bool reverse);
    /* sort and topk of contiguous (outer, len, inner) lines; -1 with the error (backend/cpu/sort.h) */
    int (*sort)(cg_tensor *values, cg_tensor *indices, const cg_tensor *in, int64_t outer, int64_t len, int64_t inner,
                bool descending, bool stable);
    int (*topk)(cg_tensor *values, cg_tensor *indices, const cg_tensor *in, int64_t outer, int64_t len, int64_t inner,
                int64_t k, bool largest, bool sorted);
    /* kthvalue, median, nanmedian, mode: one value per line (backend/cpu/sort.h) */
    int (*select)(cg_select_op op, cg_tensor *values, cg_tensor *indices, const cg_tensor *in, int64_t outer,
                  int64_t len, int64_t inner, int64_t k);
    /* searchsorted's binary searches (backend/cpu/sort.h) */
    void (*searchsorted)(cg_tensor *out, const cg_tensor *boundaries, const cg_tensor *values, int64_t rows,
                         int64_t len, int64_t per_row, bool right);
    /* one Adam/AdamW step of a parameter, contiguous operands of one float dtype (backend/cpu/optim.h) */
    void (*adam_step)(const cg_adam_numbers *a, cg_tensor *param, const cg_tensor *grad, cg_tensor *exp_avg,
                      cg_tensor *exp_avg_sq, cg_tensor *max_exp_avg_sq);
    /* the linalg factorizations on column-major batches (backend/cpu/lapack.h); -1 with the error */
    int (*lapack)(const cg_lapack_call *call);
};

extern const cg_backend cg_backend_cpu;
extern const cg_backend cg_backend_meta;

/* The backend of a device (CG_CPU or CG_META); NULL for anything else. */
const cg_backend *cg_backend_for(cg_device device);

/* The backend an op on t runs on. */
static inline const cg_backend *cg_backend_of(const cg_tensor *t) { return t->storage->backend; }
static inline bool cg_has_bytes(const cg_tensor *t) { return t->storage->backend->has_bytes; }

/* The kernel `name` of the backend of t (usually the op's output): CG_KERNEL(out, binary)(op, out, a, b). */
#define CG_KERNEL(t, name) (cg_backend_of(t)->name)

/* t's first element for the raw-pointer kernels (gemm, the row reductions): NULL on a backend
 * without bytes, whose kernels never read it. */
static inline void *cg_bytes(const cg_tensor *t) { return cg_has_bytes(t) ? cg_tensor_data(t) : NULL; }

/* A new contiguous tensor on x's device (uninitialised), and one filled with zeros. */
static inline cg_tensor *cg_new_on(const cg_tensor *x, cg_dtype dtype, int ndim, const int64_t *sizes) {
    return cg_new_tensor_on(cg_backend_of(x), dtype, ndim, sizes);
}
cg_tensor *cg_full_on(const cg_backend *b, cg_dtype dtype, int ndim, const int64_t *sizes, cg_number value);
static inline cg_tensor *cg_zeros_on(const cg_tensor *x, cg_dtype dtype, int ndim, const int64_t *sizes) {
    return cg_full_on(cg_backend_of(x), dtype, ndim, sizes, cg_number_int(0));
}

/* PyTorch's check that the tensor operands of one op are on one device ("Expected all tensors to
 * be on the same device, but found at least two devices, meta and cpu!"); a 0-dim CPU tensor
 * goes with any device, as TensorIterator lets it (NULL operands are skipped). 0 or -1. */
int cg_check_same_device(int n, const cg_tensor *const *ts);
#define CG_CHECK_SAME_DEVICE(...) cg_check_same_device(CG_NARGS(__VA_ARGS__), (const cg_tensor *const[]){__VA_ARGS__})
/* The device of an op on those operands (the first that is not a 0-dim CPU tensor; the CPU when
 * all are), or NULL with the error above. */
const cg_backend *cg_common_backend(int n, const cg_tensor *const *ts);
#define CG_COMMON_BACKEND(...) cg_common_backend(CG_NARGS(__VA_ARGS__), (const cg_tensor *const[]){__VA_ARGS__})

/* dst = src (src broadcast to dst's shape, converted to its dtype) where the two may be on
 * different devices: into meta nothing is copied; out of meta is PyTorch's NotImplementedError
 * "Cannot copy out of meta tensor; no data!". 0 or -1. */
int cg_copy_across(cg_tensor *dst, const cg_tensor *src);

/* A copy of out (a fresh result, nothing recorded) with the given dense strides (NULL passes
 * through; the current scope frees out). */
cg_tensor *cg_restrided_copy(cg_tensor *out, const int64_t *strides);
/* out, a fresh 4-D result of an op on x, in the memory format x suggests: a channels-last copy
 * when cg_suggests_channels_last(x), else out itself, as PyTorch's pooling lays out its results. */
cg_tensor *cg_in_format_of(cg_tensor *out, const cg_tensor *x);

/* The device of an op outside TensorIterator (cat, stack, gather, scatter, masked_fill, matrix
 * products, nll_loss; index_select and convolution only for a meta self). PyTorch's meta kernels of these compare no devices: an operand on a backend without
 * bytes (meta) puts the result there, whatever the others' device (nothing reads them); otherwise
 * as cg_common_backend. */
const cg_backend *cg_lenient_backend(int n, const cg_tensor *const *ts);
#define CG_LENIENT_BACKEND(...) cg_lenient_backend(CG_NARGS(__VA_ARGS__), (const cg_tensor *const[]){__VA_ARGS__})

/* The value of element `offset` of t as a double, or NaN with the error (meta has no values). */
double cg_read_element(const cg_tensor *t, int64_t offset, int *status);
/* Writes value (converted to t's dtype) at element `offset`; -1 with the error. */
int cg_write_element(cg_tensor *t, int64_t offset, double value);

#endif
