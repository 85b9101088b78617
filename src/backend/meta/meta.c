/* The meta backend: tensors with sizes, strides and a dtype but no bytes (PyTorch's meta device).
 * Its storage is a header alone and its kernels do nothing; reading a value fails as PyTorch's
 * does. It proves the seam: every op runs on it without touching a byte. */
#include "backend/backend.h"

static cg_storage *storage_new(size_t nbytes) {
    cg_storage *s = cg_malloc(sizeof *s);
    if (s) *s = (cg_storage){.refcount = 1, .nbytes = nbytes, .backend = &cg_backend_meta};
    return s;
}

static void storage_free(cg_storage *s) { cg_free(s); }

static int copy_to_host(void *host, const cg_tensor *src) {
    (void)host, (void)src;
    cg_set_error_kind(CG_NOT_IMPLEMENTED_ERROR, "Cannot copy out of meta tensor; no data!");
    return -1;
}

static void copy_from_host(cg_tensor *dst, const void *host) { (void)dst, (void)host; }

/* PyTorch's text, up to where it lists the backends that have the operator. */
static int read_element(const cg_tensor *t, int64_t offset, void *host) {
    (void)t, (void)offset, (void)host;
    cg_set_error_kind(CG_NOT_IMPLEMENTED_ERROR,
                      "Could not run 'aten::_local_scalar_dense' with arguments from the 'Meta' backend.");
    return -1;
}

static int write_element(cg_tensor *t, int64_t offset, const void *host) {
    (void)t, (void)offset, (void)host;
    return 0;
}

/* ---- kernels: nothing to compute ---- */

static void binary(cg_binary_op op, cg_tensor *out, const cg_tensor *a, const cg_tensor *b) { (void)op, (void)out, (void)a, (void)b; }
static void unary(cg_unary_op op, cg_tensor *out, const cg_tensor *in) { (void)op, (void)out, (void)in; }
static void pow_number(cg_tensor *out, const cg_tensor *in, double e) { (void)out, (void)in, (void)e; }
static void where(cg_tensor *out, const cg_tensor *c, const cg_tensor *a, const cg_tensor *b) { (void)out, (void)c, (void)a, (void)b; }
static void clamp(cg_tensor *out, const cg_tensor *in, const cg_number *lo, const cg_number *hi) { (void)out, (void)in, (void)lo, (void)hi; }
static void fused(cg_fused_op op, cg_tensor *out, const cg_tensor *s, const cg_tensor *a, const cg_tensor *b, cg_number n) {
    (void)op, (void)out, (void)s, (void)a, (void)b, (void)n;
}
static void clamp_tensor(cg_tensor *out, const cg_tensor *s, const cg_tensor *lo, const cg_tensor *hi) { (void)out, (void)s, (void)lo, (void)hi; }
static void vector_lanes(cg_tensor *mask, const cg_tensor *a, const cg_tensor *b, int64_t elsize) { (void)mask, (void)a, (void)b, (void)elsize; }
static void activation(cg_activation_op op, cg_tensor *out, const cg_tensor *in, const double *p) { (void)op, (void)out, (void)in, (void)p; }
static void math(cg_math_op op, cg_tensor *out, const cg_tensor *a, const cg_tensor *b, const double *p) {
    (void)op, (void)out, (void)a, (void)b, (void)p;
}
static void copy(cg_tensor *dst, const cg_tensor *src) { (void)dst, (void)src; }
static void fill(cg_tensor *dst, cg_number v) { (void)dst, (void)v; }
static void masked_fill(cg_tensor *dst, const cg_tensor *mask, cg_number v) { (void)dst, (void)mask, (void)v; }
/* PyTorch's meta kernels do not look at index values. */
static bool indices_in_range(const cg_tensor *index, int64_t size, int64_t *bad) { (void)index, (void)size, (void)bad; return true; }
static void gather(cg_tensor *out, const cg_tensor *src, const cg_tensor *index, int64_t s) { (void)out, (void)src, (void)index, (void)s; }
static void scatter(cg_tensor *out, const cg_tensor *index, const cg_tensor *src, int64_t s) { (void)out, (void)index, (void)src, (void)s; }
static void index_add(cg_tensor *out, const cg_tensor *index, const cg_tensor *src, int64_t s, cg_number a, bool f) {
    (void)out, (void)index, (void)src, (void)s, (void)a, (void)f;
}
/* The ops with data-dependent shapes refuse meta tensors before they get here. */
static int64_t nonzero(cg_tensor *out, const cg_tensor *in) { (void)out, (void)in; return 0; }
static bool index_offsets(cg_tensor *out, int n, cg_tensor *const *idx, const int64_t *sizes, const int64_t *strides,
                          int64_t *bad, int *bad_dim) {
    (void)out, (void)n, (void)idx, (void)sizes, (void)strides, (void)bad, (void)bad_dim;
    return true; /* no index values to check */
}
static void scatter_reduce(cg_scatter_reduction op, cg_tensor *out, const cg_tensor *index, const cg_tensor *src,
                           int64_t s) {
    (void)op, (void)out, (void)index, (void)src, (void)s;
}
static void masked_select(cg_tensor *out, const cg_tensor *in, const cg_tensor *mask) { (void)out, (void)in, (void)mask; }
static void uniform(cg_tensor *t, double a, double b, cg_generator *g) { (void)t, (void)a, (void)b, (void)g; }
static void randint(cg_tensor *t, int64_t low, uint64_t range, cg_generator *g) { (void)t, (void)low, (void)range, (void)g; }
static void randperm(cg_tensor *t, uint32_t (*random32)(void *), void *g) { (void)t, (void)random32, (void)g; }
static void ordered(cg_tensor *out, const cg_tensor *in, const bool *reduced, bool keepdim) { (void)out, (void)in, (void)reduced, (void)keepdim; }
static void ordered_pnorm(cg_tensor *out, const cg_tensor *in, const bool *reduced, bool keepdim, double p) {
    (void)out, (void)in, (void)reduced, (void)keepdim, (void)p;
}
static void gemm(cg_dtype d, int64_t M, int64_t N, int64_t K, const void *a, int64_t ars, int64_t acs, const void *b,
                 int64_t brs, int64_t bcs, void *c) {
    (void)d, (void)M, (void)N, (void)K, (void)a, (void)ars, (void)acs, (void)b, (void)brs, (void)bcs, (void)c;
}
static void product(const cg_product *p, const void *a, const void *b, void *c) { (void)p, (void)a, (void)b, (void)c; }
static bool product_takes(const cg_product *p, bool left) { (void)p, (void)left; return true; }
static void rows_i64(const int64_t *in, int64_t *out, int64_t rows, int64_t len) { (void)in, (void)out, (void)rows, (void)len; }
static void sum_columns_i64(const int64_t *in, int64_t *out, int64_t g, int64_t len, int64_t w) { (void)in, (void)out, (void)g, (void)len, (void)w; }
static void var(cg_dtype d, const void *in, void *out, int64_t rows, int64_t len, int64_t c, bool sq, const double *mean) {
    (void)d, (void)in, (void)out, (void)rows, (void)len, (void)c, (void)sq, (void)mean;
}
static void norm(cg_dtype d, const void *in, void *out, int64_t rows, int64_t len, double p) { (void)d, (void)in, (void)out, (void)rows, (void)len, (void)p; }
static void var_mean(cg_dtype d, const void *in, void *var, void *mean, int64_t rows, int64_t len, int64_t c, bool s) {
    (void)d, (void)in, (void)var, (void)mean, (void)rows, (void)len, (void)c, (void)s;
}
static void extreme(cg_dtype d, const void *in, void *v, int64_t *i, int64_t rows, int64_t len, bool mx) {
    (void)d, (void)in, (void)v, (void)i, (void)rows, (void)len, (void)mx;
}
static void extreme_all(cg_dtype d, const void *in, void *v, int64_t n, bool mx) { (void)d, (void)in, (void)v, (void)n, (void)mx; }
static int conv2d(cg_dtype d, const cg_conv2d_shape *s, const void *in, const void *w, const void *b, void *out) {
    (void)d, (void)s, (void)in, (void)w, (void)b, (void)out;
    return 0;
}
static int conv2d_backward(cg_dtype d, const cg_conv2d_shape *s, const void *a, const void *b, void *out) {
    (void)d, (void)s, (void)a, (void)b, (void)out;
    return 0;
}
static int conv2d_backward_weight(cg_dtype d, const cg_conv2d_shape *s, const void *a, const void *b, void *out, void *bias) {
    (void)bias;
    return conv2d_backward(d, s, a, b, out);
}
static void max_pool2d(cg_dtype d, const cg_pool2d_shape *s, const void *in, void *out, int64_t *i) { (void)d, (void)s, (void)in, (void)out, (void)i; }
static void max_pool2d_backward(cg_dtype d, const cg_pool2d_shape *s, const void *g, const int64_t *i, void *out) {
    (void)d, (void)s, (void)g, (void)i, (void)out;
}
static void avg_pool2d(cg_dtype d, const cg_pool2d_shape *s, const void *in, void *out, bool pad, int64_t div) {
    (void)d, (void)s, (void)in, (void)out, (void)pad, (void)div;
}
static void arange(cg_tensor *t, double start, double step, int64_t istart, int64_t istep) { (void)t, (void)start, (void)step, (void)istart, (void)istep; }
static void linspace(cg_tensor *t, double start, double end, int64_t istart, int64_t iend) { (void)t, (void)start, (void)end, (void)istart, (void)iend; }
/* Targets are not read: every position counts as kept, with weight 1. */
static int nll_targets(const cg_tensor *target, const cg_nll_plan *plan, int64_t *targets) {
    (void)target;
    for (int64_t i = 0; i < plan->n; i++) targets[i] = 0;
    return 0;
}
static void nll_forward_rows(cg_tensor *out, const cg_tensor *x, const cg_nll_plan *plan) { (void)out, (void)x, (void)plan; }
static double nll_forward_sum(const cg_tensor *x, const cg_nll_plan *plan, double *total_weight) {
    (void)x;
    *total_weight = (double)plan->n;
    return 0;
}
static void nll_backward(cg_tensor *out, const cg_tensor *grad, const cg_nll_plan *plan, bool per_row, bool mean,
                         double total_weight) {
    (void)out, (void)grad, (void)plan, (void)per_row, (void)mean, (void)total_weight;
}
/* Never reached: ctc_loss reads its lengths and targets, which a meta tensor does not have. */
static void ctc_forward(cg_tensor *nll, cg_tensor *log_alpha, const cg_tensor *log_probs, const cg_ctc_plan *p) {
    (void)nll, (void)log_alpha, (void)log_probs, (void)p;
}
static void ctc_backward(cg_tensor *grad, const cg_tensor *grad_out, const cg_tensor *log_probs, const cg_tensor *nll,
                         const cg_tensor *log_alpha, const cg_ctc_plan *p, bool zero_infinity) {
    (void)grad, (void)grad_out, (void)log_probs, (void)nll, (void)log_alpha, (void)p, (void)zero_infinity;
}
static int binary_cross_entropy(cg_tensor *out, const cg_tensor *x, const cg_tensor *t) {
    (void)out, (void)x, (void)t;
    return 0;
}
static void exclusive_products(cg_tensor *out, const cg_tensor *in, int dim) { (void)out, (void)in, (void)dim; }
static void softmax(cg_tensor *out, const cg_tensor *in, int dim, bool take_log) {
    (void)out, (void)in, (void)dim, (void)take_log;
}
static void softmax_backward(cg_tensor *out, const cg_tensor *g, const cg_tensor *y, int dim, bool take_log) {
    (void)out, (void)g, (void)y, (void)dim, (void)take_log;
}
static void layer_norm(cg_tensor *out, const cg_tensor *x, const cg_tensor *weight, const cg_tensor *bias, int64_t M,
                       int64_t N, double eps) {
    (void)out, (void)x, (void)weight, (void)bias, (void)M, (void)N, (void)eps;
}
static void batch_norm(cg_tensor *out, cg_tensor *mean, cg_tensor *invstd, const cg_tensor *x, const cg_tensor *weight,
                       const cg_tensor *bias, cg_tensor *running_mean, cg_tensor *running_var, bool training,
                       double momentum, double eps) {
    (void)out, (void)mean, (void)invstd, (void)x, (void)weight, (void)bias, (void)running_mean, (void)running_var;
    (void)training, (void)momentum, (void)eps;
}
static void group_norm(cg_tensor *out, const cg_tensor *x, const cg_tensor *weight, const cg_tensor *bias, int64_t N,
                       int64_t C, int64_t HW, int64_t G, double eps) {
    (void)out, (void)x, (void)weight, (void)bias, (void)N, (void)C, (void)HW, (void)G, (void)eps;
}
static void bernoulli(cg_tensor *t, double p, cg_generator *gen) { (void)t, (void)p, (void)gen; }
static void scan(cg_scan_op op, cg_tensor *out, cg_tensor *indices, const cg_tensor *in, int64_t outer, int64_t len,
                 int64_t inner, bool reverse) {
    (void)op, (void)out, (void)indices, (void)in, (void)outer, (void)len, (void)inner, (void)reverse;
}
static int sort(cg_tensor *values, cg_tensor *indices, const cg_tensor *in, int64_t outer, int64_t len, int64_t inner,
                bool descending, bool stable) {
    (void)values, (void)indices, (void)in, (void)outer, (void)len, (void)inner, (void)descending, (void)stable;
    return 0;
}
static int select_one(cg_select_op op, cg_tensor *values, cg_tensor *indices, const cg_tensor *in, int64_t outer,
                      int64_t len, int64_t inner, int64_t k) {
    (void)op, (void)values, (void)indices, (void)in, (void)outer, (void)len, (void)inner, (void)k;
    return 0;
}
static void searchsorted(cg_tensor *out, const cg_tensor *boundaries, const cg_tensor *values, int64_t rows,
                         int64_t len, int64_t per_row, bool right) {
    (void)out, (void)boundaries, (void)values, (void)rows, (void)len, (void)per_row, (void)right;
}
static int topk(cg_tensor *values, cg_tensor *indices, const cg_tensor *in, int64_t outer, int64_t len, int64_t inner,
                int64_t k, bool largest, bool sorted) {
    (void)values, (void)indices, (void)in, (void)outer, (void)len, (void)inner, (void)k, (void)largest, (void)sorted;
    return 0;
}

static void adam_step(const cg_adam_numbers *a, cg_tensor *p, const cg_tensor *g, cg_tensor *m, cg_tensor *v, cg_tensor *mx) {
    (void)a, (void)p, (void)g, (void)m, (void)v, (void)mx;
}
static int lapack(const cg_lapack_call *c) { (void)c; return 0; }

const cg_backend cg_backend_meta = {
    .device = CG_META,
    .name = "meta",
    .has_bytes = false,
    .storage_new = storage_new,
    .storage_free = storage_free,
    .copy_to_host = copy_to_host,
    .copy_from_host = copy_from_host,
    .read_element = read_element,
    .write_element = write_element,
    .binary = binary,
    .unary = unary,
    .pow_number = pow_number,
    .where = where,
    .clamp = clamp,
    .fused = fused,
    .clamp_tensor = clamp_tensor,
    .vector_lanes = vector_lanes,
    .activation = activation,
    .math = math,
    .copy = copy,
    .copy_tiled = copy,
    .fill = fill,
    .masked_fill = masked_fill,
    .indices_in_range = indices_in_range,
    .gather = gather,
    .scatter_add = scatter,
    .scatter = scatter,
    .scatter_reduce = scatter_reduce,
    .index_add = index_add,
    .nonzero = nonzero,
    .masked_select = masked_select,
    .masked_scatter = masked_select,
    .index_offsets = index_offsets,
    .uniform = uniform,
    .normal = uniform,
    .randint = randint,
    .randperm = randperm,
    .cascade_sum = ordered,
    .ordered_prod = ordered,
    .ordered_norm2 = ordered,
    .ordered_pnorm = ordered_pnorm,
    .gemm = gemm,
    .product = product,
    .product_takes = product_takes,
    .sum_i64 = rows_i64,
    .prod_i64 = rows_i64,
    .sum_columns_i64 = sum_columns_i64,
    .var = var,
    .norm = norm,
    .var_mean = var_mean,
    .extreme = extreme,
    .extreme_all = extreme_all,
    .conv2d = conv2d,
    .conv2d_backward_input = conv2d_backward,
    .conv2d_backward_weight = conv2d_backward_weight,
    .max_pool2d = max_pool2d,
    .max_pool2d_backward = max_pool2d_backward,
    .avg_pool2d = avg_pool2d,
    .avg_pool2d_backward = avg_pool2d,
    .arange = arange,
    .linspace = linspace,
    .nll_targets = nll_targets,
    .nll_forward_rows = nll_forward_rows,
    .nll_forward_sum = nll_forward_sum,
    .nll_backward = nll_backward,
    .binary_cross_entropy = binary_cross_entropy,
    .ctc_forward = ctc_forward,
    .ctc_backward = ctc_backward,
    .exclusive_products = exclusive_products,
    .softmax = softmax,
    .softmax_backward = softmax_backward,
    .layer_norm = layer_norm,
    .batch_norm = batch_norm,
    .group_norm = group_norm,
    .scan = scan,
    .sort = sort,
    .topk = topk,
    .select = select_one,
    .searchsorted = searchsorted,
    .bernoulli = bernoulli,
    .adam_step = adam_step,
    .lapack = lapack,
};
