/* nll_loss's loops: reading the targets, the picked log-probabilities, the backward's scatter. */
#include "backend/cpu/nll.h"

#define IGNORE_INDEX (-100) /* PyTorch's default ignore_index */

/* v rounded to the dtype: float32 sums done in double and rounded after every step round exactly
 * as float32 arithmetic does. */
static double in_dtype(double v, cg_dtype dtype) { return dtype == CG_FLOAT32 ? (double)(float)v : v; }

/* The rows' targets, checked against the number of classes; -1 with PyTorch's message. */
int cg_kernel_nll_targets(const cg_tensor *t, int64_t rows, int64_t classes, int64_t *targets, int64_t *kept) {
    const int64_t *data = (const int64_t *)cg_tensor_data(t);
    int64_t stride = t->ndim ? t->strides[0] : 0;
    *kept = 0;
    for (int64_t b = 0; b < rows; b++) {
        targets[b] = data[b * stride];
        if (targets[b] == IGNORE_INDEX) continue;
        if (targets[b] < 0 || targets[b] >= classes) {
            cg_set_index_error("Target %lld is out of bounds.", (long long)targets[b]);
            return -1;
        }
        (*kept)++;
    }
    return 0;
}

/* -sum of the picked log-probabilities with PyTorch's cascade: partial sums over blocks of 16 rows
 * are carried up eight levels, so rounding errors grow with log(rows) instead of rows. */
double cg_kernel_nll_forward_sum(const cg_tensor *x, const int64_t *targets, int64_t rows) {
    enum { LEVELS = 8, LEVEL_BITS = 4 };
    const int64_t level_mask = (1 << LEVEL_BITS) - 1;
    double partial[LEVELS] = {0};
    const char *data = cg_tensor_data(x);
    size_t es = cg_dtype_size(x->dtype);
    int64_t row_stride = x->ndim == 2 ? x->strides[0] : 0, class_stride = x->strides[x->ndim - 1];
    for (int64_t b = 0; b < rows; b++) {
        if (targets[b] == IGNORE_INDEX) continue;
        double v = cg_read_double(data + (b * row_stride + targets[b] * class_stride) * (int64_t)es, x->dtype);
        partial[0] = in_dtype(partial[0] - v, x->dtype);
        for (int j = 0; j + 1 < LEVELS; j++) {
            if (b & (level_mask << (j * LEVEL_BITS))) break;
            partial[j + 1] = in_dtype(partial[j + 1] + partial[j], x->dtype);
            partial[j] = 0;
        }
    }
    double total = 0;
    for (int j = 0; j < LEVELS; j++) total = in_dtype(total + partial[j], x->dtype);
    return total;
}

void cg_kernel_nll_forward_rows(cg_tensor *out, const cg_tensor *x, const int64_t *targets) {
    const char *data = cg_tensor_data(x);
    size_t es = cg_dtype_size(x->dtype);
    for (int64_t b = 0; b < out->numel; b++) {
        double v = targets[b] == IGNORE_INDEX
                       ? 0
                       : -cg_read_double(data + (b * x->strides[0] + targets[b] * x->strides[1]) * (int64_t)es, x->dtype);
        cg_write_double(cg_tensor_data(out) + b * (int64_t)es, x->dtype, v);
    }
}

void cg_kernel_nll_backward(cg_tensor *out, const cg_tensor *grad, const cg_tensor *t, bool per_row, bool mean,
                            double kept) {
    int64_t rows = out->ndim == 2 ? out->sizes[0] : 1, classes = out->sizes[out->ndim - 1];
    const int64_t *targets = (const int64_t *)cg_tensor_data(t);
    int64_t stride = t->ndim ? t->strides[0] : 0, grad_stride = per_row ? grad->strides[0] : 0;
    size_t es = cg_dtype_size(out->dtype);
    for (int64_t b = 0; b < rows && out->numel; b++) {
        int64_t target = targets[b * stride];
        if (target == IGNORE_INDEX) continue;
        double g = cg_read_double(cg_element(grad, grad->offset + b * grad_stride), grad->dtype);
        if (mean) g = in_dtype(g / kept, out->dtype);
        cg_write_double(cg_tensor_data(out) + (b * classes + target) * (int64_t)es, out->dtype, -g);
    }
}
