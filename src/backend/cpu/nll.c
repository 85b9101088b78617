/* nll_loss's loops: reading the targets, the picked log-probabilities, the backward's scatter;
 * binary_cross_entropy's pointwise loss. */
#include "backend/cpu/nll.h"

#include <math.h>

/* v rounded to the dtype: float32 sums done in double and rounded after every step round exactly
 * as float32 arithmetic does. */
static double in_dtype(double v, cg_dtype dtype) { return dtype == CG_FLOAT32 ? (double)(float)v : v; }

int cg_kernel_nll_targets(const cg_tensor *t, const cg_nll_plan *plan, int64_t *targets) {
    const int64_t *data = (const int64_t *)cg_tensor_data(t);
    for (int64_t i = 0; i < plan->n; i++) {
        targets[i] = data[i];
        if (targets[i] == plan->ignore_index) continue;
        if (targets[i] < 0 || targets[i] >= plan->classes) {
            cg_set_index_error("Target %lld is out of bounds.", (long long)targets[i]);
            return -1;
        }
    }
    return 0;
}

/* The offset of position i's target in x (or in the gradient of x's shape). */
static int64_t picked(const cg_nll_plan *p, int64_t i) {
    return (i / p->map * p->classes + p->targets[i]) * p->map + i % p->map;
}

static double weight_of(const cg_nll_plan *p, int64_t target) {
    return p->weight ? cg_read_double(cg_tensor_data(p->weight) + target * (int64_t)cg_dtype_size(p->weight->dtype),
                                      p->weight->dtype)
                     : 1;
}

double cg_kernel_nll_forward_sum(const cg_tensor *x, const cg_nll_plan *p, double *total_weight) {
    enum { LEVELS = 8, LEVEL_BITS = 4 };
    const int64_t level_mask = (1 << LEVEL_BITS) - 1;
    double loss[LEVELS] = {0}, weight[LEVELS] = {0};
    const char *data = cg_tensor_data(x);
    size_t es = cg_dtype_size(x->dtype);
    int64_t kept = 0;
    for (int64_t i = 0; i < p->n; i++) {
        if (p->targets[i] == p->ignore_index) continue;
        kept++;
        double v = cg_read_double(data + picked(p, i) * (int64_t)es, x->dtype);
        if (p->weight) {
            double w = weight_of(p, p->targets[i]);
            loss[0] = in_dtype(loss[0] - in_dtype(v * w, x->dtype), x->dtype);
            weight[0] = in_dtype(weight[0] + w, x->dtype);
        } else {
            loss[0] = in_dtype(loss[0] - v, x->dtype);
        }
        for (int j = 0; j + 1 < LEVELS; j++) {
            if (i & (level_mask << (j * LEVEL_BITS))) break;
            loss[j + 1] = in_dtype(loss[j + 1] + loss[j], x->dtype);
            weight[j + 1] = in_dtype(weight[j + 1] + weight[j], x->dtype);
            loss[j] = weight[j] = 0;
        }
    }
    double total = 0, weights = 0;
    for (int j = 0; j < LEVELS; j++) {
        total = in_dtype(total + loss[j], x->dtype);
        weights = in_dtype(weights + weight[j], x->dtype);
    }
    *total_weight = p->weight ? weights : in_dtype((double)kept, x->dtype);
    return total;
}

void cg_kernel_nll_forward_rows(cg_tensor *out, const cg_tensor *x, const cg_nll_plan *p) {
    const char *data = cg_tensor_data(x);
    size_t es = cg_dtype_size(x->dtype);
    for (int64_t i = 0; i < p->n; i++) {
        double v = p->targets[i] == p->ignore_index
                       ? 0
                       : in_dtype(-cg_read_double(data + picked(p, i) * (int64_t)es, x->dtype) * weight_of(p, p->targets[i]),
                                  x->dtype);
        cg_write_double(cg_tensor_data(out) + i * (int64_t)es, x->dtype, v);
    }
}

void cg_kernel_nll_backward(cg_tensor *out, const cg_tensor *grad, const cg_nll_plan *p, bool per_row, bool mean,
                            double total_weight) {
    size_t es = cg_dtype_size(out->dtype);
    double g = 0;
    if (!per_row && out->numel) {
        g = cg_read_double(cg_tensor_data(grad), grad->dtype);
        g = -(mean ? in_dtype(g / total_weight, out->dtype) : g);
    }
    for (int64_t i = 0; i < p->n && out->numel; i++) {
        if (p->targets[i] == p->ignore_index) continue;
        double w = weight_of(p, p->targets[i]), v;
        if (per_row)
            v = in_dtype(-w * cg_read_double(cg_tensor_data(grad) + i * (int64_t)es, grad->dtype), out->dtype);
        else
            v = p->weight ? in_dtype(w * g, out->dtype) : g;
        cg_write_double(cg_tensor_data(out) + picked(p, i) * (int64_t)es, out->dtype, v);
    }
}

int cg_kernel_binary_cross_entropy(cg_tensor *out, const cg_tensor *x, const cg_tensor *t) {
    size_t es = cg_dtype_size(x->dtype);
    const char *xd = cg_tensor_data(x), *td = cg_tensor_data(t);
    for (int64_t i = 0; i < x->numel; i++) {
        double xv = cg_read_double(xd + i * (int64_t)es, x->dtype), tv = cg_read_double(td + i * (int64_t)es, x->dtype);
        if (!(xv >= 0 && xv <= 1)) {
            cg_set_error("all elements of input should be between 0 and 1");
            return -1;
        }
        double v;
        if (x->dtype == CG_FLOAT32) {
            float xf = (float)xv, tf = (float)tv;
            v = (tf - 1.0f) * fmaxf(logf(1.0f - xf), -100.0f) - tf * fmaxf(logf(xf), -100.0f);
        } else {
            v = (tv - 1.0) * fmax(log(1.0 - xv), -100.0) - tv * fmax(log(xv), -100.0);
        }
        cg_write_double(cg_tensor_data(out) + i * (int64_t)es, x->dtype, v);
    }
    return 0;
}
