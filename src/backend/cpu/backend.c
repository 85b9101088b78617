/* The CPU backend's table: host memory, and the kernels of this folder. */
#include "backend/backend.h"
#include "backend/cpu/copy.h"
#include "backend/cpu/nll.h"
#include "backend/cpu/products.h"
#include "backend/cpu/range.h"
#include "backend/cpu/index.h"
#include "backend/cpu/lapack.h"
#include "backend/cpu/matmul.h"
#include "backend/cpu/random.h"
#include "backend/cpu/reduce.h"
#include "backend/cpu/norm.h"
#include "backend/cpu/softmax.h"
#include "backend/cpu/scan.h"
#include "backend/cpu/sort.h"

#include <string.h>

/* A contiguous CPU header over host memory, on the caller's stack (no allocation, no scope). */
typedef struct {
    cg_storage storage;
    cg_tensor tensor;
} host_view;

static cg_tensor *view_host(host_view *v, void *host, const cg_tensor *like) {
    v->storage = (cg_storage){.refcount = 1, .data = host, .backend = &cg_backend_cpu, .external = true};
    v->tensor = (cg_tensor){.refcount = 1, .dtype = like->dtype, .ndim = like->ndim, .numel = like->numel,
                            .storage = &v->storage};
    memcpy(v->tensor.sizes, like->sizes, sizeof like->sizes);
    cg_contiguous_strides(like->ndim, like->sizes, v->tensor.strides);
    return &v->tensor;
}

static int copy_to_host(void *host, const cg_tensor *src) {
    host_view v;
    if (src->numel) cg_kernel_copy(view_host(&v, host, src), src);
    return 0;
}

static void copy_from_host(cg_tensor *dst, const void *host) {
    host_view v;
    if (dst->numel) cg_kernel_copy(dst, view_host(&v, (void *)host, dst));
}

static int read_element(const cg_tensor *t, int64_t offset, void *host) {
    memcpy(host, cg_element(t, offset), cg_elsize(t->dtype));
    return 0;
}

static int write_element(cg_tensor *t, int64_t offset, const void *host) {
    memcpy(cg_element(t, offset), host, cg_elsize(t->dtype));
    return 0;
}

const cg_backend cg_backend_cpu = {
    .device = CG_CPU,
    .name = "cpu",
    .has_bytes = true,
    .storage_new = cg_storage_new,
    .storage_free = cg_cpu_storage_free,
    .copy_to_host = copy_to_host,
    .copy_from_host = copy_from_host,
    .read_element = read_element,
    .write_element = write_element,
    .binary = cg_kernel_binary,
    .unary = cg_kernel_unary,
    .pow_number = cg_kernel_pow_number,
    .where = cg_kernel_where,
    .clamp = cg_kernel_clamp,
    .fused = cg_kernel_fused,
    .clamp_tensor = cg_kernel_clamp_tensor,
    .vector_lanes = cg_kernel_vector_lanes,
    .activation = cg_kernel_activation,
    .math = cg_kernel_math,
    .copy = cg_kernel_copy,
    .copy_tiled = cg_kernel_copy_tiled,
    .fill = cg_kernel_fill,
    .masked_fill = cg_kernel_masked_fill,
    .indices_in_range = cg_kernel_indices_in_range,
    .gather = cg_kernel_gather,
    .scatter_add = cg_kernel_scatter_add,
    .scatter = cg_kernel_scatter,
    .scatter_reduce = cg_kernel_scatter_reduce,
    .index_add = cg_kernel_index_add,
    .nonzero = cg_kernel_nonzero,
    .masked_select = cg_kernel_masked_select,
    .masked_scatter = cg_kernel_masked_scatter,
    .index_offsets = cg_kernel_index_offsets,
    .uniform = cg_kernel_uniform,
    .normal = cg_kernel_normal,
    .randint = cg_kernel_randint,
    .randperm = cg_kernel_randperm,
    .cascade_sum = cg_kernel_cascade_sum,
    .ordered_prod = cg_kernel_ordered_prod,
    .ordered_norm2 = cg_kernel_ordered_norm2,
    .ordered_pnorm = cg_kernel_ordered_pnorm,
    .gemm = cg_kernel_gemm,
    .product = cg_kernel_product,
    .product_takes = cg_kernel_product_takes,
    .sum_i64 = cg_kernel_sum_i64,
    .prod_i64 = cg_kernel_prod_i64,
    .sum_columns_i64 = cg_kernel_sum_columns_i64,
    .var = cg_kernel_var,
    .norm = cg_kernel_norm,
    .var_mean = cg_kernel_var_mean,
    .extreme = cg_kernel_extreme,
    .extreme_all = cg_kernel_extreme_all,
    .conv2d = cg_kernel_conv2d,
    .conv2d_backward_input = cg_kernel_conv2d_backward_input,
    .conv2d_backward_weight = cg_kernel_conv2d_backward_weight,
    .max_pool2d = cg_kernel_max_pool2d,
    .max_pool2d_backward = cg_kernel_max_pool2d_backward,
    .avg_pool2d = cg_kernel_avg_pool2d,
    .avg_pool2d_backward = cg_kernel_avg_pool2d_backward,
    .arange = cg_kernel_arange,
    .linspace = cg_kernel_linspace,
    .nll_targets = cg_kernel_nll_targets,
    .nll_forward_rows = cg_kernel_nll_forward_rows,
    .nll_forward_sum = cg_kernel_nll_forward_sum,
    .nll_backward = cg_kernel_nll_backward,
    .binary_cross_entropy = cg_kernel_binary_cross_entropy,
    .ctc_forward = cg_kernel_ctc_forward,
    .ctc_backward = cg_kernel_ctc_backward,
    .exclusive_products = cg_kernel_exclusive_products,
    .softmax = cg_kernel_softmax,
    .softmax_backward = cg_kernel_softmax_backward,
    .layer_norm = cg_kernel_layer_norm,
    .batch_norm = cg_kernel_batch_norm,
    .group_norm = cg_kernel_group_norm,
    .scan = cg_kernel_scan,
    .sort = cg_kernel_sort,
    .topk = cg_kernel_topk,
    .select = cg_kernel_select,
    .searchsorted = cg_kernel_searchsorted,
    .bernoulli = cg_kernel_bernoulli,
    .adam_step = cg_kernel_adam_step,
    .lapack = cg_kernel_lapack,
};
