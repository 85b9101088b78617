/* Ops of three operands with PyTorch's fused roundings (backend/cpu/fused.c): add and sub with alpha,
 * addcmul, addcdiv and lerp, each with its backward. Their in-place forms are in inplace.c. */
#include "autograd/registry.h"
#include "backend/backend.h"
#include "ops/elementwise.h"

#include <math.h>

static int category(cg_dtype dtype) { return dtype == CG_BOOL ? 0 : dtype == CG_INT64 ? 1 : 2; }

cg_dtype cg_result_type3(const cg_tensor *a, const cg_tensor *b, const cg_tensor *c) {
    const cg_tensor *ts[] = {a, b, c};
    bool have_dim = false, have_zero = false;
    cg_dtype dim = CG_BOOL, zero = CG_BOOL;
    for (int i = 0; i < 3; i++) {
        if (!ts[i]) continue;
        if (ts[i]->ndim) {
            dim = have_dim ? cg_promote_types(dim, ts[i]->dtype) : ts[i]->dtype;
            have_dim = true;
        } else {
            zero = have_zero ? cg_promote_types(zero, ts[i]->dtype) : ts[i]->dtype;
            have_zero = true;
        }
    }
    if (!have_dim) return zero;
    return have_zero && category(zero) > category(dim) ? cg_promote_types(dim, zero) : dim;
}

int cg_broadcast3(const cg_tensor *a, const cg_tensor *b, const cg_tensor *c, int64_t *shape) {
    int ndim = cg_broadcast_shapes(a->ndim, a->sizes, b->ndim, b->sizes, shape);
    if (ndim >= 0 && c) ndim = cg_broadcast_shapes(ndim, shape, c->ndim, c->sizes, shape);
    return ndim;
}

/* The broadcast shape of the operands, which PyTorch checks before the dtypes its kernels take. */
typedef struct {
    int ndim;
    int64_t sizes[CG_MAX_DIMS];
} shape_t;

static bool broadcast_ok(const cg_tensor *self, const cg_tensor *a, const cg_tensor *b, shape_t *shape) {
    shape->ndim = cg_broadcast3(self, a, b, shape->sizes);
    return shape->ndim >= 0;
}

/* out = op(self, a, b, number) computed in dtype over the broadcast shape, laid out as PyTorch's
 * TensorIterator lays out its output; NULL on error. */
static cg_tensor *fused_in(cg_fused_op op, cg_dtype dtype, const shape_t *shape, cg_tensor *self, cg_tensor *a,
                           cg_tensor *b, cg_number number) {
    int ndim = shape->ndim;
    const int64_t *sizes = shape->sizes;
    if (cg_check_number_fits(dtype, number) < 0) return NULL; /* the kernel's Scalar.to<T>() */
    cg_tensor *cs = cg_as_dtype(self, dtype), *ca = cg_as_dtype(a, dtype), *cb = b ? cg_as_dtype(b, dtype) : NULL;
    if (!cs || !ca || (b && !cb)) return NULL;
    cg_tensor *out = b ? CG_NEW_RESULT(dtype, ndim, sizes, self, a, b) : CG_NEW_RESULT(dtype, ndim, sizes, self, a);
    if (out) CG_KERNEL(out, fused)(op, out, cs, ca, cb, number);
    return out;
}

/* ---- add and sub with alpha ---- */

/* PyTorch's alpha_check, against the result dtype. */
int cg_check_alpha(cg_dtype dtype, cg_number alpha) {
    if (cg_check_number(alpha) < 0) return -1;
    if (alpha.kind == CG_NUMBER_BOOL && dtype != CG_BOOL) {
        cg_set_error("Boolean alpha only supported for Boolean results.");
        return -1;
    }
    if (alpha.kind == CG_NUMBER_FLOAT && !cg_dtype_is_floating(dtype)) {
        cg_set_error("For integral input tensors, argument alpha must not be a floating point number.");
        return -1;
    }
    return 0;
}

/* The number -alpha, of alpha's kind (sub is add with -alpha). A bool alpha only reaches here for
 * bool results, which sub refuses first. */
static cg_number negated(cg_number alpha) {
    return alpha.kind == CG_NUMBER_FLOAT ? cg_number_float(-alpha.f) : cg_number_int((int64_t)(0 - (uint64_t)alpha.i));
}

static cg_tensor *add_alpha(const cg_op *node, cg_tensor *a, cg_tensor *b, cg_number alpha, cg_number kernel_alpha) {
    cg_dtype dtype = cg_result_type(a, b);
    shape_t shape;
    if (!broadcast_ok(a, b, NULL, &shape) || cg_check_alpha(dtype, alpha) < 0) return NULL;
    cg_tensor *out = fused_in(CG_FUSED_ADD, dtype, &shape, a, b, NULL, kernel_alpha);
    cg_node *n = out ? cg_record(node, out, CG_INPUTS(a, b)) : NULL;
    cg_node_set_number(n, 0, alpha);
    return cg_recorded(out);
}

cg_tensor *cg_add_alpha_number(cg_tensor *a, cg_tensor *b, cg_number alpha) {
    if (!a || !b) return NULL;
    return add_alpha(&cg_op_add_alpha, a, b, alpha, alpha);
}

cg_tensor *cg_sub_alpha_number(cg_tensor *a, cg_tensor *b, cg_number alpha) {
    if (!a || !b || cg_check_sub_dtypes(a->dtype, b->dtype, true) < 0 || cg_check_number(alpha) < 0) return NULL;
    return add_alpha(&cg_op_sub_alpha, a, b, alpha, negated(alpha));
}

/* PyTorch's maybe_multiply: g itself for alpha 1, else g * alpha (alpha of its own kind). */
static cg_tensor *times_alpha(cg_tensor *g, cg_number alpha) {
    bool one = alpha.kind == CG_NUMBER_FLOAT ? alpha.f == 1 : alpha.i == 1;
    return one ? g : cg_mul_by_scalar(g, alpha);
}

void cg_backward_add_alpha(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    out[0] = grads[0];
    if (cg_needs_grad(n, 1)) out[1] = times_alpha(grads[0], cg_node_number(n, 0));
}

void cg_backward_sub_alpha(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    out[0] = grads[0];
    if (cg_needs_grad(n, 1)) out[1] = times_alpha(cg_neg(grads[0]), cg_node_number(n, 0));
}

/* ---- addcmul and addcdiv ---- */

/* As PyTorch's generated code saves: an input that one gradient formula reads is kept when that
 * gradient is wanted (addcmul's tensor1 and tensor2, addcdiv's tensor1), one that two formulas
 * read always (addcdiv's tensor2). What is kept decides which later in-place writes fail backward;
 * tensor2 in slot 0, as PyTorch unpacks it first (the one its modified-by-inplace error names). */
void cg_save_addc(cg_node *n, cg_tensor *tensor1, cg_tensor *tensor2, cg_number value) {
    if (!n) return;
    if (cg_needs_grad(n, 2)) cg_save(n, 1, tensor1);
    if (cg_needs_grad(n, 1) || n->op == &cg_op_addcdiv) cg_save(n, 0, tensor2);
    cg_node_set_number(n, 0, value);
}

int cg_check_addcmul(cg_dtype dtype) {
    if (dtype != CG_BOOL) return 0;
    cg_set_error("\"addcmul_cpu_out\" not implemented for 'Bool'");
    return -1;
}

int cg_check_addcdiv(const cg_tensor *tensor1, const cg_tensor *tensor2) {
    if (cg_dtype_is_floating(tensor1->dtype) || cg_dtype_is_floating(tensor2->dtype)) return 0;
    cg_set_error("Integer division with addcdiv is no longer supported, and in a future  release addcdiv will "
                 "perform a true division of tensor1 and tensor2. The historic addcdiv behavior can be implemented "
                 "as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer inputs and as "
                 "(input + value * tensor1 / tensor2) for float inputs. The future addcdiv behavior is just the "
                 "latter implementation: (input + value * tensor1 / tensor2), for all dtypes.");
    return -1;
}

cg_tensor *cg_addcmul_number(cg_tensor *self, cg_tensor *tensor1, cg_tensor *tensor2, cg_number value) {
    if (!self || !tensor1 || !tensor2 || cg_check_number(value) < 0) return NULL;
    cg_dtype dtype = cg_result_type3(self, tensor1, tensor2);
    shape_t shape;
    if (!broadcast_ok(self, tensor1, tensor2, &shape) || cg_check_addcmul(dtype) < 0) return NULL;
    cg_tensor *out = fused_in(CG_FUSED_ADDCMUL, dtype, &shape, self, tensor1, tensor2, value);
    cg_save_addc(out ? cg_record(&cg_op_addcmul, out, CG_INPUTS(self, tensor1, tensor2)) : NULL, tensor1, tensor2, value);
    return cg_recorded(out);
}

/* d/dt1 = g * (t2 * value), d/dt2 = g * (t1 * value) (PyTorch's order of rounding). */
void cg_backward_addcmul(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *g = grads[0];
    cg_number value = cg_node_number(n, 0);
    out[0] = g;
    if (cg_needs_grad(n, 1)) out[1] = cg_mul(g, cg_mul_number(cg_saved(n, 0), value));
    if (cg_needs_grad(n, 2)) out[2] = cg_mul(g, cg_mul_number(cg_saved(n, 1), value));
}

cg_tensor *cg_addcdiv_number(cg_tensor *self, cg_tensor *tensor1, cg_tensor *tensor2, cg_number value) {
    if (!self || !tensor1 || !tensor2 || cg_check_number(value) < 0 || cg_check_addcdiv(tensor1, tensor2) < 0)
        return NULL;
    cg_dtype dtype = cg_result_type3(self, tensor1, tensor2);
    shape_t shape;
    if (!broadcast_ok(self, tensor1, tensor2, &shape)) return NULL;
    cg_tensor *out = fused_in(CG_FUSED_ADDCDIV, dtype, &shape, self, tensor1, tensor2, value);
    cg_save_addc(out ? cg_record(&cg_op_addcdiv, out, CG_INPUTS(self, tensor1, tensor2)) : NULL, tensor1, tensor2, value);
    return cg_recorded(out);
}

/* d/dt1 = g * (value / t2), value / t2 being full_like(t2, value).div_(t2) (C++'s Scalar / Tensor,
 * which fails for an integer or bool t2 as PyTorch's does); d/dt2 = -g * (value * t1 / (t2 * t2)). */
void cg_backward_addcdiv(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *g = grads[0], *t2 = cg_saved(n, 0);
    cg_number value = cg_node_number(n, 0);
    out[0] = g;
    if (cg_needs_grad(n, 1)) {
        cg_tensor *quotient = cg_full_like_number(t2, value);
        if (quotient && cg_div_(quotient, t2) == 0) out[1] = cg_mul(g, quotient);
    }
    if (cg_needs_grad(n, 2))
        out[2] = cg_mul(cg_neg(g), cg_div(cg_mul_number(cg_saved(n, 1), value), cg_mul(t2, t2)));
}

/* ---- lerp ---- */

/* lerp computes in start's dtype, which end (and a weight tensor) must have. */
int cg_check_lerp(const cg_tensor *start, const cg_tensor *end, const cg_tensor *weight) {
    const cg_tensor *others[] = {end, weight};
    const char *names[] = {"end", "weight"};
    for (int i = 0; i < 2; i++) {
        if (others[i] && others[i]->dtype != start->dtype) {
            cg_set_error("expected dtype %s for `%s` but got dtype %s", cg_dtype_cpp_name(start->dtype), names[i],
                         cg_dtype_cpp_name(others[i]->dtype));
            return -1;
        }
    }
    return 0;
}

/* Its kernel's refusal of integers and bools, after the shape check. */
static int check_lerp_kernel(cg_dtype dtype, bool weight_tensor) {
    if (cg_dtype_is_floating(dtype)) return 0;
    cg_set_error("\"lerp_kernel_%s\" not implemented for '%s'", weight_tensor ? "tensor" : "scalar", cg_dtype_title(dtype));
    return -1;
}

cg_tensor *cg_lerp_number(cg_tensor *start, cg_tensor *end, cg_number weight) {
    if (!start || !end || cg_check_number(weight) < 0 || cg_check_lerp(start, end, NULL) < 0) return NULL;
    shape_t shape;
    if (!broadcast_ok(start, end, NULL, &shape) || check_lerp_kernel(start->dtype, false) < 0) return NULL;
    cg_tensor *out = fused_in(CG_FUSED_LERP, start->dtype, &shape, start, end, NULL, weight);
    cg_node *n = out ? cg_record(&cg_op_lerp_scalar, out, CG_INPUTS(start, end)) : NULL;
    cg_node_set_number(n, 0, weight);
    return cg_recorded(out);
}

/* d/dstart = g * (1 - weight) with 1 - weight a double; d/dend = g * weight. */
void cg_backward_lerp_scalar(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_number weight = cg_node_number(n, 0);
    if (cg_needs_grad(n, 0)) out[0] = cg_mul_by_scalar(grads[0], cg_number_float(1 - weight.f));
    if (cg_needs_grad(n, 1)) out[1] = cg_mul_by_scalar(grads[0], weight);
}

void cg_save_lerp(cg_node *n, cg_tensor *start, cg_tensor *end, cg_tensor *weight) {
    if (!n) return;
    if (cg_needs_grad(n, 2)) {
        cg_save(n, 0, start);
        cg_save(n, 1, end);
    }
    cg_save(n, 2, weight); /* two formulas read it: PyTorch keeps it whichever gradients are wanted */
}

cg_tensor *cg_lerp(cg_tensor *start, cg_tensor *end, cg_tensor *weight) {
    if (!start || !end || !weight || cg_check_lerp(start, end, weight) < 0) return NULL;
    shape_t shape;
    if (!broadcast_ok(start, end, weight, &shape) || check_lerp_kernel(start->dtype, true) < 0) return NULL;
    cg_tensor *out = fused_in(CG_FUSED_LERP, start->dtype, &shape, start, end, weight, cg_number_int(0));
    cg_save_lerp(out ? cg_record(&cg_op_lerp, out, CG_INPUTS(start, end, weight)) : NULL, start, end, weight);
    return cg_recorded(out);
}

/* d/dstart = g * (1 - weight), d/dend = g * weight, d/dweight = g * (end - start). */
void cg_backward_lerp(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *g = grads[0];
    if (cg_needs_grad(n, 0)) out[0] = cg_mul(g, cg_rsub_scalar(cg_saved(n, 2), 1));
    if (cg_needs_grad(n, 1)) out[1] = cg_mul(g, cg_saved(n, 2));
    if (cg_needs_grad(n, 2)) out[2] = cg_mul(g, cg_sub(cg_saved(n, 1), cg_saved(n, 0)));
}
