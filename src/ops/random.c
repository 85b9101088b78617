/* Random tensors and in-place random fills, bit-identical to PyTorch 1.13's CPU generator for the
 * same seed, dtype, shape and call order (see backend/cpu/random.c for how). */
#include "autograd/registry.h"
#include "backend/backend.h"
#include "core/generator.h"
#include "core/tensor.h"

#include <float.h>

/* uniform_'s checks, in PyTorch's order; 0 when the fill may go ahead. */
static int check_uniform(const cg_tensor *t, double from, double to) {
    if (!cg_dtype_is_floating(t->dtype)) {
        cg_set_error("\"check_uniform_bounds\" not implemented for '%s'", cg_dtype_title(t->dtype));
        return -1;
    }
    const char *name = t->dtype == CG_FLOAT32 ? "float" : "double";
    double max = t->dtype == CG_FLOAT32 ? FLT_MAX : DBL_MAX;
    if (!(from >= -max && from <= max)) { /* NaN fails too */
        cg_set_error("from is out of bounds for %s", name);
        return -1;
    }
    if (!(to >= -max && to <= max)) {
        cg_set_error("to is out of bounds for %s", name);
        return -1;
    }
    if (!(from <= to)) {
        cg_set_error("uniform_ expects to return a [from, to) range, but found from=%g > to=%g", from, to);
        return -1;
    }
    if (!(to - from <= max)) {
        cg_set_error("uniform_ expects to-from <= std::numeric_limits<%s>::max(), but found to=%g and from=%g "
                     "which result in to-from to exceed the limit",
                     cg_dtype_title(t->dtype), to, from);
        return -1;
    }
    return 0;
}

/* The fill, once its checks passed: the kernel under the generator's lock, then (on a tensor with
 * history) a node that gives the old values no gradient. */
static int random_fill(cg_tensor *t, bool normal, double a, double b,
                       cg_generator *g, const cg_op *node) {
    g = cg_generator_lock(g);
    (normal ? CG_KERNEL(t, normal) : CG_KERNEL(t, uniform))(t, a, b, g);
    cg_generator_unlock(g);
    cg_bump_version(t);
    cg_record_inplace(node, t, CG_INPUTS(t));
    return cg_recorded_status();
}

/* A random fill may not overwrite a leaf that requires grad: checked first, as in PyTorch. */
int cg_uniform_gen_(cg_tensor *t, double from, double to, cg_generator *g) {
    if (!t || cg_check_inplace(t, CG_INPUTS(t)) < 0) return -1;
    if (check_uniform(t, from, to) != 0 || cg_check_no_internal_overlap(t) != 0) return -1;
    return random_fill(t, false, from, to, g, &cg_op_uniform);
}

void cg_backward_uniform(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    (void)n;
    out[0] = cg_zeros_like(grads[0]);
}

int cg_uniform_(cg_tensor *t, double from, double to) { return cg_uniform_gen_(t, from, to, NULL); }

int cg_normal_gen_(cg_tensor *t, double mean, double std, cg_generator *g) {
    if (!t || cg_check_inplace(t, CG_INPUTS(t)) < 0) return -1;
    if (!(std >= 0.0)) {
        cg_set_error("normal expects std >= 0.0, but found std %g", std);
        return -1;
    }
    if (!cg_dtype_is_floating(t->dtype)) {
        cg_set_error("\"normal_kernel_cpu\" not implemented for '%s'", cg_dtype_title(t->dtype));
        return -1;
    }
    if (cg_check_no_internal_overlap(t) != 0) return -1;
    return random_fill(t, true, mean, std, g, &cg_op_normal);
}

int cg_normal_(cg_tensor *t, double mean, double std) { return cg_normal_gen_(t, mean, std, NULL); }

void cg_backward_normal(cg_node *n, cg_tensor **grads, cg_tensor **out) { cg_backward_uniform(n, grads, out); }

/* A fresh tensor filled by fill; like PyTorch's, it starts at version 0. */
static cg_tensor *new_filled(cg_dtype dtype, int ndim, const int64_t *sizes,
                             int (*fill)(cg_tensor *, double, double, cg_generator *), double a, double b,
                             cg_generator *g) {
    cg_tensor *t = cg_new_tensor(dtype, ndim, sizes);
    if (!t || fill(t, a, b, g) != 0) return NULL;
    t->storage->version = 0;
    return t;
}

cg_tensor *cg_rand_gen(cg_dtype dtype, int ndim, const int64_t *sizes, cg_generator *g) {
    return new_filled(dtype, ndim, sizes, cg_uniform_gen_, 0, 1, g);
}

cg_tensor *cg_randn_gen(cg_dtype dtype, int ndim, const int64_t *sizes, cg_generator *g) {
    return new_filled(dtype, ndim, sizes, cg_normal_gen_, 0, 1, g);
}

cg_tensor *cg_rand_shape(cg_dtype dtype, int ndim, const int64_t *sizes) { return cg_rand_gen(dtype, ndim, sizes, NULL); }
cg_tensor *cg_randn_shape(cg_dtype dtype, int ndim, const int64_t *sizes) { return cg_randn_gen(dtype, ndim, sizes, NULL); }

cg_tensor *cg_randint_gen(int64_t low, int64_t high, int ndim, const int64_t *sizes, cg_generator *g) {
    cg_tensor *t = cg_new_tensor(CG_INT64, ndim, sizes);
    if (!t) return NULL;
    if (low >= high) {
        cg_set_error("random_ expects 'from' to be less than 'to', but got from=%lld >= to=%lld", (long long)low,
                     (long long)high);
        return NULL;
    }
    g = cg_generator_lock(g);
    CG_KERNEL(t, randint)(t, low, (uint64_t)high - (uint64_t)low, g);
    cg_generator_unlock(g);
    return t;
}

cg_tensor *cg_randint_shape(int64_t low, int64_t high, int ndim, const int64_t *sizes) {
    return cg_randint_gen(low, high, ndim, sizes, NULL);
}

/* randperm's draws from a locked generator. */
static uint32_t generator_random32(void *g) { return cg_gen_random32(g); }

cg_tensor *cg_randperm_gen(int64_t n, cg_dtype dtype, cg_generator *g) {
    if (cg_check_shape(1, &n) < 0) return NULL;
    static const int64_t max_n[] = {[CG_FLOAT32] = (INT64_C(1) << 24) + 1, [CG_FLOAT64] = (INT64_C(1) << 53) + 1};
    if ((unsigned)dtype > CG_BOOL) {
        cg_set_type_error("invalid dtype %d", (int)dtype);
        return NULL;
    }
    if (dtype == CG_BOOL) {
        cg_set_error("\"randperm\" not implemented for 'Bool'");
        return NULL;
    }
    if (dtype != CG_INT64 && n > max_n[dtype]) {
        cg_set_error("n cannot be greater than %s for %s type.", dtype == CG_FLOAT32 ? "2^24+1" : "2^53+1",
                     cg_dtype_title(dtype));
        return NULL;
    }
    cg_tensor *t = cg_new_tensor(dtype, 1, &n);
    if (t) {
        g = cg_generator_lock(g);
        CG_KERNEL(t, randperm)(t, generator_random32, g);
        cg_generator_unlock(g);
    }
    return t;
}

cg_tensor *cg_randperm_dtype(int64_t n, cg_dtype dtype) { return cg_randperm_gen(n, dtype, NULL); }

cg_tensor *cg_randperm(int64_t n) { return cg_randperm_dtype(n, CG_INT64); }
