/* Matrix products: dot, mv, mm, bmm and matmul with PyTorch 1.13's dispatch and messages.
 *
 * Every product is computed by one routine (product) that broadcasts batch dims and calls the
 * backend's product kernel once per matrix, with the BLAS routine PyTorch's op uses (dot, gemv,
 * gemm, or bmm's own loop for small matrices). The ops differ only in what they accept: each
 * checks its arguments in PyTorch's order, with PyTorch's wording, then calls product. cg_matmul
 * follows PyTorch's dispatch (dot, mv, mm, folding a batched operand into a matrix, bmm) to raise
 * the same error as PyTorch for the same mismatch, and computes through the same composition of
 * ops as PyTorch, so the graph has PyTorch's nodes and the same BLAS calls give the same bits. */
#include "autograd/registry.h"
#include "backend/backend.h"

#include <string.h>

/* ---- argument checks, shared by the ops and by matmul's paths ---- */

/* PyTorch's addmv/addmm/bmm check the shapes, then refuse a bool first operand, then a second
 * operand of another dtype; kernel_name is the name its bool error gives. An empty product (no
 * result element, or an inner size of 0) returns zeros before the dtype dispatch, so any dtypes do. */
static int check_dtypes(bool empty, cg_dtype first, cg_dtype second, const char *kernel_name) {
    if (empty) return 0;
    if (first == CG_BOOL) {
        cg_set_error("\"%s\" not implemented for 'Bool'", kernel_name);
        return -1;
    }
    if (first != second) {
        cg_set_error("expected scalar type %s but found %s", cg_dtype_title(first), cg_dtype_title(second));
        return -1;
    }
    return 0;
}

static int check_mv(int64_t rows, int64_t cols, int64_t len, cg_dtype m, cg_dtype v) {
    if (cols != len) {
        cg_set_error("size mismatch, got %lld, %lldx%lld,%lld", (long long)rows, (long long)rows, (long long)cols,
                     (long long)len);
        return -1;
    }
    return check_dtypes(rows == 0 || cols == 0, m, v, "addmv_impl_cpu");
}

static int check_mm(int64_t n, int64_t k1, int64_t k2, int64_t p, cg_dtype a, cg_dtype b) {
    if (k1 != k2) {
        cg_set_error("mat1 and mat2 shapes cannot be multiplied (%lldx%lld and %lldx%lld)", (long long)n,
                     (long long)k1, (long long)k2, (long long)p);
        return -1;
    }
    return check_dtypes(n == 0 || k1 == 0 || p == 0, a, b, "addmm_impl_cpu_");
}

static int check_bmm(int64_t batch, int64_t n, int64_t k1, int64_t batch2, int64_t k2, int64_t p, cg_dtype a,
                     cg_dtype b) {
    if (batch2 != batch || k2 != k1) {
        cg_set_error("Expected size for first two dimensions of batch2 tensor to be: [%lld, %lld] but got: "
                     "[%lld, %lld].", (long long)batch, (long long)k1, (long long)batch2, (long long)k2);
        return -1;
    }
    return check_dtypes(batch == 0 || n == 0 || k1 == 0 || p == 0, a, b, "bmm");
}

static int check_dot(const cg_tensor *a, const cg_tensor *b) {
    if (a->ndim != 1 || b->ndim != 1) {
        cg_set_error("1D tensors expected, but got %dD and %dD tensors", a->ndim, b->ndim);
        return -1;
    }
    if (a->dtype != b->dtype) {
        cg_set_error("dot : expected both vectors to have same dtype, but found %s and %s",
                     cg_dtype_title(a->dtype), cg_dtype_title(b->dtype));
        return -1;
    }
    if (a->numel != b->numel) {
        cg_set_error("inconsistent tensor size, expected tensor [%lld] and src [%lld] to have the same number of "
                     "elements, but got %lld and %lld elements respectively",
                     (long long)a->numel, (long long)b->numel, (long long)a->numel, (long long)b->numel);
        return -1;
    }
    if (a->dtype == CG_BOOL) {
        cg_set_error("\"dot\" not implemented for 'Bool'");
        return -1;
    }
    return 0;
}

/* ---- the product ---- */

/* The strides of t's matrix dims; a vector is a row (left) or a column (right) with PyTorch's
 * unsqueeze strides. */
static void matrix_strides(const cg_tensor *t, bool left, int64_t *rs, int64_t *cs) {
    if (t->ndim == 1) {
        *rs = left ? t->sizes[0] * t->strides[0] : t->strides[0];
        *cs = left ? t->strides[0] : 1;
        return;
    }
    *rs = t->strides[t->ndim - 2];
    *cs = t->strides[t->ndim - 1];
}

/* The batch dims of t before its last two collapse into its rows (so the whole tensor is one
 * matrix of prod(sizes[:-1]) rows with one row stride). */
static bool rows_fold(const cg_tensor *t) {
    for (int d = 0; d < t->ndim - 2; d++)
        if (t->strides[d] != t->strides[d + 1] * t->sizes[d + 1]) return false;
    return true;
}

/* The kernel call for one matrix of a @ b, as the PyTorch op for it computes it: dot, mv (gemv),
 * bmm's own loop for small matrices (when bmm), else mm (gemm). 1-D @ batched is PyTorch's mv
 * of b's transpose by a, so *swapped says the kernel's left operand is b. */
static cg_product plan_of(const cg_tensor *a, const cg_tensor *b, bool bmm, bool *swapped) {
    bool a_vec = a->ndim == 1, b_vec = b->ndim == 1;
    int64_t n = a_vec ? 1 : a->sizes[a->ndim - 2], k = a->sizes[a->ndim - 1], p = b_vec ? 1 : b->sizes[b->ndim - 1];
    cg_product q = {.dtype = a->dtype, .M = n, .N = p, .K = k, .alpha = 1};
    matrix_strides(a, true, &q.ars, &q.acs);
    matrix_strides(b, false, &q.brs, &q.bcs);
    *swapped = a_vec && b->ndim > 2;
    if (a_vec && b_vec) {
        q.kind = CG_PRODUCT_DOT;
    } else if (b_vec) {
        q.kind = CG_PRODUCT_GEMV;
    } else if (*swapped) {
        q = (cg_product){.kind = CG_PRODUCT_GEMV, .dtype = a->dtype, .M = p, .N = 1, .K = k,
                         .ars = q.bcs, .acs = q.brs, .brs = q.acs, .alpha = 1};
    } else {
        q.kind = bmm && n * k * p < CG_BMM_SMALL_LIMIT ? CG_PRODUCT_BMM_SMALL : CG_PRODUCT_GEMM;
    }
    return q;
}

/* a @ b as a tensor of dtype, where a is a vector (k) or (..., n, k) and b is a vector (k) or
 * (..., k, p); batch dims broadcast; vector operands leave no dim in the result. Shapes and dtypes
 * are checked already (they differ only in an empty product). bmm is true for the products
 * PyTorch computes with bmm (which has its own loop for small matrices). */
static cg_tensor *product(cg_tensor *a, cg_tensor *b, cg_dtype dtype, bool bmm) {
    const cg_backend *be = CG_LENIENT_BACKEND(a, b);
    if (!be) return NULL;
    bool a_vec = a->ndim == 1, b_vec = b->ndim == 1, swapped;
    int a_batch = a_vec ? 0 : a->ndim - 2, b_batch = b_vec ? 0 : b->ndim - 2;
    int64_t n = a_vec ? 1 : a->sizes[a->ndim - 2], k = a->sizes[a->ndim - 1], p = b_vec ? 1 : b->sizes[b->ndim - 1];
    int64_t shape[CG_MAX_DIMS];
    int nb = cg_broadcast_shapes(a_batch, a->sizes, b_batch, b->sizes, shape);
    if (nb < 0) return NULL;
    int64_t batch = cg_shape_numel(nb, shape);
    int ndim = nb;
    if (!a_vec) shape[ndim++] = n;
    if (!b_vec) shape[ndim++] = p;
    cg_tensor *out = cg_new_tensor_on(be, dtype, ndim, shape);
    if (!out || out->numel == 0 || !cg_has_bytes(out)) return out;
    if (k == 0) {
        CG_KERNEL(out, fill)(out, cg_number_int(0));
        return out;
    }
    cg_product q = plan_of(a, b, bmm, &swapped);
    size_t es = cg_dtype_size(a->dtype);
    const char *ad = cg_bytes(a), *bd = cg_bytes(b);
    char *od = cg_bytes(out);
    if (b_batch == 0 && a_batch > 0 && rows_fold(a) && q.kind != CG_PRODUCT_BMM_SMALL) {
        q.M *= batch; /* one tall matrix, as PyTorch folds it */
        CG_KERNEL(out, product)(&q, ad, bd, od);
        return out;
    }
    /* Batch strides aligned to the broadcast batch shape; 0 where an operand is broadcast. */
    int64_t as[CG_MAX_DIMS], bs[CG_MAX_DIMS], index[CG_MAX_DIMS] = {0};
    for (int d = 0; d < nb; d++) {
        int da = d - (nb - a_batch), db = d - (nb - b_batch);
        as[d] = da >= 0 && a->sizes[da] != 1 ? a->strides[da] : 0;
        bs[d] = db >= 0 && b->sizes[db] != 1 ? b->strides[db] : 0;
    }
    int64_t aoff = 0, boff = 0;
    for (int64_t t = 0; t < batch; t++) {
        const char *at = ad + aoff * (int64_t)es, *bt = bd + boff * (int64_t)es;
        CG_KERNEL(out, product)(&q, swapped ? bt : at, swapped ? at : bt, od + t * n * p * (int64_t)es);
        for (int d = nb - 1; d >= 0; d--) { /* next batch index, row-major */
            aoff += as[d];
            boff += bs[d];
            if (++index[d] < shape[d]) break;
            aoff -= as[d] * shape[d];
            boff -= bs[d] * shape[d];
            index[d] = 0;
        }
    }
    return out;
}

/* Runs product in an inner scope, so operand copies are freed when the op returns. An operand
 * whose layout the kernel does not take is copied contiguous first, as PyTorch copies it: the
 * copy decides which BLAS call runs, and so the bits. */
static cg_tensor *product_scoped(cg_tensor *a, cg_tensor *b, cg_dtype dtype, bool bmm) {
    cg_scope_begin();
    bool swapped;
    cg_product q = plan_of(a, b, bmm, &swapped);
    const cg_backend *be = cg_backend_of(a);
    cg_tensor *ra = be->product_takes(&q, !swapped) ? a : cg_contiguous(a);
    cg_tensor *rb = be->product_takes(&q, swapped) ? b : cg_contiguous(b);
    return cg_scope_end_keeping(ra && rb ? product(ra, rb, dtype, bmm) : NULL);
}

/* ---- the ops ---- */

/* Records out = op(a, b), saving each operand for the other's gradient (only when needed). */
static cg_node *record_operands(const cg_op *op, cg_tensor *out, cg_tensor *a, cg_tensor *b) {
    cg_node *n = out ? cg_record(op, out, CG_INPUTS(a, b)) : NULL;
    if (n) {
        if (cg_needs_grad(n, 1)) cg_save(n, 0, a);
        if (cg_needs_grad(n, 0)) cg_save(n, 1, b);
    }
    return n;
}

static cg_tensor *record_product(const cg_op *op, cg_tensor *out, cg_tensor *a, cg_tensor *b) {
    record_operands(op, out, a, b);
    return cg_recorded(out);
}

cg_tensor *cg_dot(cg_tensor *a, cg_tensor *b) {
    if (!a || !b) return NULL;
    if (check_dot(a, b) < 0) return NULL;
    if (cg_has_bytes(a) && CG_CHECK_SAME_DEVICE(a, b) < 0) return NULL; /* PyTorch's would read b's missing data */
    return record_product(&cg_op_dot, product_scoped(a, b, a->dtype, false), a, b);
}

/* The product rule of a bilinear op: op(ta, b) + op(a, tb), for each factor with a tangent. */
static cg_tensor *product_rule(cg_tensor *(*op)(cg_tensor *, cg_tensor *), cg_tensor **in, cg_tensor **tin) {
    cg_tensor *left = tin[0] ? op(tin[0], in[1]) : NULL, *right = tin[1] ? op(in[0], tin[1]) : NULL;
    if ((tin[0] && !left) || (tin[1] && !right)) return NULL;
    return left && right ? cg_add(left, right) : left ? left : right;
}

void cg_jvp_dot(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    (void)n;
    (void)outs;
    tout[0] = product_rule(cg_dot, in, tin);
}

void cg_backward_dot(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    if (cg_needs_grad(n, 0)) out[0] = cg_mul(grads[0], cg_saved(n, 1));
    if (cg_needs_grad(n, 1)) out[1] = cg_mul(grads[0], cg_saved(n, 0));
}

cg_tensor *cg_mv(cg_tensor *m, cg_tensor *v) {
    if (!m || !v) return NULL;
    if (m->ndim != 2 || v->ndim != 1) {
        cg_set_error("vector + matrix @ vector expected, got 1, %d, %d", m->ndim, v->ndim);
        return NULL;
    }
    if (check_mv(m->sizes[0], m->sizes[1], v->sizes[0], m->dtype, v->dtype) < 0) return NULL;
    return record_product(&cg_op_mv, product_scoped(m, v, v->dtype, false), m, v);
}

/* d(m v) = outer(grad, v) dm + m^T grad dv */
void cg_jvp_mv(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    (void)n;
    (void)outs;
    tout[0] = product_rule(cg_mv, in, tin);
}

void cg_backward_mv(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    if (cg_needs_grad(n, 0)) /* PyTorch's grad.ger(vec): a reshape to a column times vec */
        out[0] = cg_mul(cg_reshape(grads[0], cg_size(grads[0], 0), 1), cg_saved(n, 1));
    if (cg_needs_grad(n, 1)) out[1] = cg_mv(cg_t(cg_saved(n, 0)), grads[0]);
}

/* PyTorch's test for a transposed matrix (its backward keeps that layout): a unit row stride
 * and a column stride of the row count. */
static int column_major(const cg_tensor *t) { return t->strides[0] == 1 && t->strides[1] == t->sizes[0]; }

cg_tensor *cg_mm(cg_tensor *a, cg_tensor *b) {
    if (!a || !b) return NULL;
    if (a->ndim != 2 || b->ndim != 2) {
        cg_set_error(a->ndim != 2 ? "self must be a matrix" : "mat2 must be a matrix");
        return NULL;
    }
    if (check_mm(a->sizes[0], a->sizes[1], b->sizes[0], b->sizes[1], a->dtype, b->dtype) < 0) return NULL;
    cg_tensor *out = product_scoped(a, b, a->dtype, false);
    cg_node *n = record_operands(&cg_op_mm, out, a, b);
    if (n) n->args[0] = column_major(a) | column_major(b) << 1;
    return cg_recorded(out);
}

/* d(a b) = grad b^T da + a^T grad db; as PyTorch's mm_mat1_backward and mm_mat2_backward, the
 * gradient of an operand that was column-major is computed transposed, so it is column-major too. */
void cg_jvp_mm(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    (void)n;
    (void)outs;
    tout[0] = product_rule(cg_mm, in, tin);
}

void cg_backward_mm(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *g = grads[0];
    if (cg_needs_grad(n, 0))
        out[0] = n->args[0] & 1 ? cg_t(cg_mm(cg_saved(n, 1), cg_t(g))) : cg_mm(g, cg_t(cg_saved(n, 1)));
    if (cg_needs_grad(n, 1))
        out[1] = n->args[0] & 2 ? cg_t(cg_mm(cg_t(g), cg_saved(n, 0))) : cg_mm(cg_t(cg_saved(n, 0)), g);
}

/* ---- addmm and linear: the bias fused into the product ---- */

/* PyTorch's addmm checks, in its order: the dtypes, both operands matrices, their shapes; then
 * self must expand to the result's shape (the expand error), then bool is refused. */
static int check_addmm(const cg_tensor *self, const cg_tensor *a, const cg_tensor *b) {
    if (self->dtype != b->dtype || a->dtype != b->dtype) {
        cg_set_error(self->dtype != b->dtype ? "self and mat2 must have the same dtype"
                                             : "mat1 and mat2 must have the same dtype");
        return -1;
    }
    if (a->ndim != 2 || b->ndim != 2) {
        cg_set_error("%s must be a matrix, got %d-D tensor", a->ndim != 2 ? "mat1" : "mat2",
                     a->ndim != 2 ? a->ndim : b->ndim);
        return -1;
    }
    if (a->sizes[1] != b->sizes[0]) {
        cg_set_error("mat1 and mat2 shapes cannot be multiplied (%lldx%lld and %lldx%lld)", (long long)a->sizes[0],
                     (long long)a->sizes[1], (long long)b->sizes[0], (long long)b->sizes[1]);
        return -1;
    }
    return 0;
}

/* beta self + alpha a @ b as PyTorch's addmm_impl_cpu_ computes it: self expanded and copied into
 * the result, then one gemm that scales it by beta and accumulates alpha a @ b into it (so the
 * bias is added to each block of K's partial sums, not to the finished product). */
static cg_tensor *addmm_product(cg_tensor *self, cg_tensor *a, cg_tensor *b, double beta, double alpha) {
    int64_t n = a->sizes[0], k = a->sizes[1], p = b->sizes[1];
    cg_tensor *bias = cg_expand_shape(self, 2, (const int64_t[]){n, p});
    if (!bias || check_dtypes(n == 0 || k == 0 || p == 0, a->dtype, b->dtype, "addmm_impl_cpu_") < 0) return NULL;
    if (CG_CHECK_SAME_DEVICE(self, a, b) < 0) return NULL;
    cg_tensor *out = cg_new_on(a, a->dtype, 2, (const int64_t[]){n, p});
    if (!out || out->numel == 0 || !cg_has_bytes(out)) return out;
    if (beta != 0) CG_KERNEL(out, copy)(out, bias);
    cg_product q = {.kind = CG_PRODUCT_GEMM, .dtype = a->dtype, .M = n, .N = p, .K = k, .alpha = alpha, .beta = beta};
    q.ars = a->strides[0], q.acs = a->strides[1], q.brs = b->strides[0], q.bcs = b->strides[1];
    const cg_backend *be = cg_backend_of(a);
    cg_tensor *ra = be->product_takes(&q, true) ? a : cg_contiguous(a);
    cg_tensor *rb = be->product_takes(&q, false) ? b : cg_contiguous(b);
    if (!ra || !rb) return NULL;
    q.ars = ra->strides[0], q.acs = ra->strides[1], q.brs = rb->strides[0], q.bcs = rb->strides[1];
    CG_KERNEL(out, product)(&q, cg_bytes(ra), cg_bytes(rb), cg_bytes(out));
    return out;
}

cg_tensor *cg_addmm_scaled(cg_tensor *self, cg_tensor *mat1, cg_tensor *mat2, double beta, double alpha) {
    if (!self || !mat1 || !mat2) return NULL;
    if (check_addmm(self, mat1, mat2) < 0) return NULL;
    cg_scope_begin();
    cg_tensor *out = cg_scope_end_keeping(addmm_product(self, mat1, mat2, beta, alpha));
    cg_node *n = out ? cg_record(&cg_op_addmm, out, CG_INPUTS(self, mat1, mat2)) : NULL;
    if (n) {
        if (cg_needs_grad(n, 2)) cg_save(n, 0, mat1);
        if (cg_needs_grad(n, 1)) cg_save(n, 1, mat2);
        n->args[0] = column_major(mat1) | column_major(mat2) << 1;
        n->scalars[0] = beta;
        n->scalars[1] = alpha;
    }
    return cg_recorded(out);
}

cg_tensor *cg_addmm(cg_tensor *self, cg_tensor *mat1, cg_tensor *mat2) { return cg_addmm_scaled(self, mat1, mat2, 1, 1); }

/* PyTorch's maybe_multiply: t itself for a factor of 1. */
static cg_tensor *maybe_multiply(cg_tensor *t, double factor) { return factor == 1 ? t : cg_mul_scalar(t, factor); }

/* beta tself + alpha (ta b + a tb), tself broadcast to the result. */
void cg_jvp_addmm(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    double beta = n->scalars[0], alpha = n->scalars[1];
    cg_tensor *product = tin[1] || tin[2] ? product_rule(cg_mm, in + 1, tin + 1) : NULL;
    if ((tin[1] || tin[2]) && !product) return;
    product = product ? maybe_multiply(product, alpha) : NULL;
    cg_tensor *self = tin[0] ? cg_expand_shape(maybe_multiply(tin[0], beta), outs[0]->ndim, outs[0]->sizes) : NULL;
    if (tin[0] && !self) return;
    tout[0] = self && product ? cg_add(self, product) : self ? self : product;
}

/* d(beta self + alpha a b) = beta grad dself (summed to self's shape by the engine) + mm's
 * gradients scaled by alpha, with mm's layouts (mm_mat1_backward, mm_mat2_backward). */
void cg_backward_addmm(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *g = grads[0];
    double beta = n->scalars[0], alpha = n->scalars[1];
    if (cg_needs_grad(n, 0)) out[0] = maybe_multiply(g, beta);
    if (cg_needs_grad(n, 1)) {
        cg_tensor *b = cg_saved(n, 1);
        out[1] = maybe_multiply(n->args[0] & 1 ? cg_t(cg_mm(b, cg_t(g))) : cg_mm(g, cg_t(b)), alpha);
    }
    if (cg_needs_grad(n, 2)) {
        cg_tensor *a = cg_saved(n, 0);
        out[2] = maybe_multiply(n->args[0] & 2 ? cg_t(cg_mm(cg_t(g), a)) : cg_mm(cg_t(a), g), alpha);
    }
}

/* PyTorch 1.13's linear: addmm for a matrix input; a contiguous 3-D input is viewed as a matrix
 * for addmm and the result viewed back; anything else is matmul with the bias added in place. */
cg_tensor *cg_linear(cg_tensor *input, cg_tensor *weight, cg_tensor *bias) {
    if (!input || !weight || !bias) return NULL;
    cg_scope_begin();
    cg_tensor *wt = cg_t(weight), *out = NULL;
    if (wt && input->ndim == 2) {
        out = cg_addmm(bias, input, wt);
    } else if (wt && input->ndim == 3 && cg_is_contiguous(input)) {
        int64_t d0 = input->sizes[0], d1 = input->sizes[1];
        cg_tensor *flat = cg_addmm(bias, cg_view(input, d0 * d1, input->sizes[2]), wt);
        out = flat ? cg_view(flat, d0, d1, flat->sizes[1]) : NULL;
    } else if (wt) {
        out = cg_matmul(input, wt);
        if (out && cg_add_(out, bias) < 0) out = NULL;
    }
    return cg_scope_end_keeping(out);
}

cg_tensor *cg_bmm(cg_tensor *a, cg_tensor *b) {
    if (!a || !b) return NULL;
    if (a->ndim != 3 || b->ndim != 3) {
        cg_set_error(a->ndim != 3 ? "batch1 must be a 3D tensor" : "batch2 must be a 3D tensor");
        return NULL;
    }
    if (check_bmm(a->sizes[0], a->sizes[1], a->sizes[2], b->sizes[0], b->sizes[1], b->sizes[2], a->dtype, b->dtype) < 0)
        return NULL;
    return record_product(&cg_op_bmm, product_scoped(a, b, b->dtype, true), a, b);
}

void cg_jvp_bmm(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    (void)n;
    (void)outs;
    tout[0] = product_rule(cg_bmm, in, tin);
}

void cg_backward_bmm(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    if (cg_needs_grad(n, 0)) out[0] = cg_bmm(grads[0], cg_transpose(cg_saved(n, 1), 1, 2));
    if (cg_needs_grad(n, 1)) out[1] = cg_bmm(cg_transpose(cg_saved(n, 0), 1, 2), grads[0]);
}

/* matmul's checks when one operand has batch dims and the other is a vector or matrix: PyTorch
 * folds the batched one into a matrix (transposing both when it is the second) and calls mv or mm
 * on the folded pair, so its errors speak of the folded shapes. */
static int check_folded(const cg_tensor *a, const cg_tensor *b) {
    bool transpose = b->ndim > a->ndim;
    const cg_tensor *big = transpose ? b : a, *small = transpose ? a : b;
    /* big, with its last two dims swapped when transposed, folded to (rows, inner) */
    int inner_dim = big->ndim - (transpose ? 2 : 1);
    int64_t inner = big->sizes[inner_dim], rows = 1;
    for (int d = 0; d < big->ndim; d++)
        if (d != inner_dim) rows *= big->sizes[d];
    if (small->ndim == 1) return check_mv(rows, inner, small->sizes[0], big->dtype, small->dtype);
    /* small as a matrix, transposed when big was */
    int64_t s0 = small->sizes[transpose ? 1 : 0], s1 = small->sizes[transpose ? 0 : 1];
    return check_mm(rows, inner, s0, s1, big->dtype, small->dtype);
}

/* matmul's checks when both operands have batch dims: broadcast the batch dims, then bmm. */
static int check_batched(const cg_tensor *a, const cg_tensor *b) {
    int64_t batch_shape[CG_MAX_DIMS];
    int nb = cg_broadcast_shapes(a->ndim - 2, a->sizes, b->ndim - 2, b->sizes, batch_shape);
    if (nb < 0) return -1;
    int64_t batch = cg_shape_numel(nb, batch_shape);
    return check_bmm(batch, a->sizes[a->ndim - 2], a->sizes[a->ndim - 1], batch, b->sizes[b->ndim - 2],
                     b->sizes[b->ndim - 1], a->dtype, b->dtype);
}

/* ---- matmul as PyTorch 1.13 composes it, for autograd ---- */

/* PyTorch's _unsafe_view: a fresh contiguous result seen with another shape, recorded as its own
 * node (UnsafeViewBackward0), not as a view. */
static cg_tensor *unsafe_view(cg_tensor *t, int ndim, const int64_t *sizes) {
    if (!t) return NULL;
    int64_t strides[CG_MAX_DIMS];
    cg_contiguous_strides(ndim, sizes, strides);
    cg_tensor *out = cg_new_view(t, ndim, sizes, strides, t->offset);
    cg_node *n = out ? cg_record(&cg_op_unsafe_view, out, CG_INPUTS(t)) : NULL;
    if (n) n->args_meta = cg_input_meta_of(t);
    return cg_recorded(out);
}

/* 1-D @ 2-D is a.unsqueeze(0).mm(b).squeeze_(0) in PyTorch: the in-place squeeze of the fresh
 * product bumps its version and gives it the node SqueezeBackward3. */
static cg_tensor *matmul_vector_matrix(cg_tensor *a, cg_tensor *b) {
    cg_tensor *row = cg_mm(cg_unsqueeze(a, 0), b);
    if (!row) return NULL;
    cg_tensor *out = cg_new_view(row, 1, row->sizes + 1, row->strides + 1, row->offset);
    if (!out) return NULL;
    cg_bump_version(out);
    cg_record(&cg_op_matmul_squeeze, out, CG_INPUTS(row));
    return cg_recorded(out);
}

void cg_backward_matmul_squeeze(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    (void)n;
    out[0] = cg_unsqueeze(grads[0], 0);
}

/* PyTorch's should_fold: t (3-D or more) times a vector or matrix becomes one mm or mv on t
 * folded into a matrix, except for a 3-D t @ matrix whose last two dims are transposed in an
 * otherwise contiguous layout (folding it would need a copy). */
static bool should_fold(const cg_tensor *t, int other_ndim) {
    if (t->ndim < 3 || other_ndim > 2) return false;
    bool transposed_batch = t->ndim == 3 && other_ndim == 2 && t->strides[2] != 1 &&
                            t->strides[0] == t->sizes[1] * t->sizes[2];
    return !transposed_batch;
}

/* The batched operand folded into rows: (..., n, k) @ (k[, p]) as (N*n, k) @ (k[, p]); when the
 * batched operand is the second one, both are transposed first and the result transposed back. */
static cg_tensor *matmul_folded(cg_tensor *a, cg_tensor *b) {
    bool transpose = b->ndim > a->ndim;
    cg_tensor *t1 = transpose ? cg_transpose(b, -2, -1) : a;
    cg_tensor *t2 = !transpose ? b : a->ndim == 2 ? cg_t(a) : a;
    if (!t1 || !t2) return NULL;
    int64_t shape[CG_MAX_DIMS];
    int ndim = t1->ndim - 1;
    memcpy(shape, t1->sizes, (size_t)ndim * sizeof *shape);
    int64_t rows = cg_shape_numel(ndim, shape);
    if (t2->ndim == 2) shape[ndim++] = t2->sizes[1];
    cg_tensor *folded = cg_reshape(t1, rows, t1->sizes[t1->ndim - 1]);
    if (t2->ndim == 1) return unsafe_view(cg_mv(folded, t2), ndim, shape);
    cg_tensor *out = unsafe_view(cg_mm(folded, t2), ndim, shape);
    return transpose ? cg_contiguous(cg_transpose(out, -2, -1)) : out;
}

/* Both operands expanded to the broadcast batch shape, flattened to one batch dim, then bmm. */
static cg_tensor *matmul_batched(cg_tensor *a, cg_tensor *b) {
    int64_t n = a->sizes[a->ndim - 2], k1 = a->sizes[a->ndim - 1];
    int64_t k2 = b->sizes[b->ndim - 2], p = b->sizes[b->ndim - 1];
    int64_t shape[CG_MAX_DIMS], a_shape[CG_MAX_DIMS], b_shape[CG_MAX_DIMS];
    int nb = cg_broadcast_shapes(a->ndim - 2, a->sizes, b->ndim - 2, b->sizes, shape);
    if (nb < 0) return NULL;
    int64_t batch = cg_shape_numel(nb, shape);
    memcpy(a_shape, shape, (size_t)nb * sizeof *shape);
    memcpy(b_shape, shape, (size_t)nb * sizeof *shape);
    a_shape[nb] = n, a_shape[nb + 1] = k1;
    b_shape[nb] = k2, b_shape[nb + 1] = p;
    cg_tensor *a3 = cg_reshape(cg_expand_shape(a, nb + 2, a_shape), batch, n, k1);
    cg_tensor *b3 = cg_reshape(cg_expand_shape(b, nb + 2, b_shape), batch, k2, p);
    shape[nb] = n, shape[nb + 1] = p;
    return unsafe_view(cg_bmm(a3, b3), nb + 2, shape);
}

/* Shapes and dtypes are checked already; a and b have at least one dim, and not both <= 2. */
static cg_tensor *matmul_recorded(cg_tensor *a, cg_tensor *b) {
    if (a->ndim == 1 && b->ndim == 2) return matmul_vector_matrix(a, b);
    if (should_fold(a, b->ndim) || should_fold(b, a->ndim)) return matmul_folded(a, b);
    return matmul_batched(a, b);
}

cg_tensor *cg_matmul(cg_tensor *a, cg_tensor *b) {
    if (!a || !b) return NULL;
    int da = a->ndim, db = b->ndim;
    if (da == 0 || db == 0) {
        cg_set_error("both arguments to matmul need to be at least 1D, but they are %dD and %dD", da, db);
        return NULL;
    }
    if (da == 1 && db == 1) return cg_dot(a, b);
    if (da == 2 && db == 1) return cg_mv(a, b);
    if (da == 2 && db == 2) return cg_mm(a, b);
    int rc;
    if (da == 1 && db == 2) /* PyTorch: a.unsqueeze(0).mm(b).squeeze_(0) */
        rc = check_mm(1, a->sizes[0], b->sizes[0], b->sizes[1], a->dtype, b->dtype);
    else if ((da >= 3 && db <= 2) || (db >= 3 && da <= 2))
        rc = check_folded(a, b);
    else
        rc = check_batched(a, b);
    if (rc < 0) return NULL;
    /* PyTorch's composition of mm, mv and bmm, with its copies: they decide which BLAS calls
     * run, and so the bits. */
    cg_scope_begin();
    return cg_scope_end_keeping(matmul_recorded(a, b));
}
