/* torch.nn.functional.embedding: rows of a weight matrix picked by integer indices. The backward
 * (embedding_dense_backward: the rows of the gradient added into zeros at their indices, none at
 * padding_idx) is an op of its own, as in PyTorch, whose gradient is an embedding again. */
#include "autograd/registry.h"
#include "backend/backend.h"
#include "ops/elementwise.h"

#include <math.h>
#include <string.h>

/* padding_idx is wrapped into [0, num_weights), or -1 for none. */
static cg_tensor *embedding(cg_tensor *indices, cg_tensor *weight, int64_t padding_idx) {
    if (indices->dtype != CG_INT64) {
        cg_set_error("Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; "
                     "but got %s instead (while checking arguments for embedding)",
                     indices->dtype == CG_BOOL ? "CPUBoolType" : indices->dtype == CG_FLOAT64 ? "torch.DoubleTensor"
                                                                                                : "torch.FloatTensor");
        return NULL;
    }
    if (weight->ndim != 2) {
        cg_set_error("'weight' must be 2-D");
        return NULL;
    }
    (void)padding_idx;
    if (indices->ndim == 1) return cg_index_select(weight, 0, indices);
    int64_t sizes[CG_MAX_DIMS];
    if (indices->ndim + 1 > CG_MAX_DIMS) {
        cg_set_error("embedding: indices of more than %d dims", CG_MAX_DIMS - 1);
        return NULL;
    }
    memcpy(sizes, indices->sizes, sizeof(int64_t) * (size_t)indices->ndim);
    sizes[indices->ndim] = weight->sizes[1];
    /* a plain alias: PyTorch's view runs below autograd, so the result is no view an in-place op refuses */
    cg_tensor *rows = cg_view_shape(cg_index_select(weight, 0, cg_reshape(indices, -1)), indices->ndim + 1, sizes);
    return rows ? cg_new_alias(rows) : NULL;
}

static cg_tensor *embedding_op(cg_tensor *indices, cg_tensor *weight, int64_t padding_idx) {
    if (!indices || !weight) return NULL;
    cg_tensor *out = NULL;
    CG_NO_GRAD { out = embedding(indices, weight, padding_idx); }
    cg_node *n = out ? cg_record(&cg_op_embedding, out, CG_INPUTS(weight)) : NULL;
    if (n) {
        cg_save(n, 0, indices);
        n->args[0] = padding_idx;
        n->args[1] = weight->sizes[0];
    }
    return cg_recorded(out);
}

cg_tensor *cg_embedding(cg_tensor *input, cg_tensor *weight) { return embedding_op(input, weight, -1); }

cg_tensor *cg_embedding_padded(cg_tensor *input, cg_tensor *weight, int64_t padding_idx) {
    if (!input || !weight) return NULL;
    int64_t num = weight->ndim ? weight->sizes[0] : 0;
    if (padding_idx >= num || padding_idx < -num) {
        cg_set_error_kind(CG_ASSERTION_ERROR, "Padding_idx must be within num_embeddings");
        return NULL;
    }
    return embedding_op(input, weight, padding_idx < 0 ? padding_idx + num : padding_idx);
}

/* grad's rows (one per index) with those at padding_idx zeroed; n: the node holding the indices. */
static cg_tensor *unpadded_rows(cg_tensor *rows, cg_tensor *flat_indices, int64_t padding_idx) {
    if (padding_idx < 0) return rows;
    return cg_masked_fill(rows, cg_unsqueeze(cg_eq_scalar(flat_indices, padding_idx), 1), 0);
}

/* zeros(num_weights, D) with grad's rows added at their indices, recorded so that its own gradient
 * is an embedding of the incoming one. */
static cg_tensor *embedding_dense_backward(cg_tensor *grad, cg_tensor *indices, int64_t num_weights,
                                           int64_t padding_idx) {
    if (!grad || !indices) return NULL;
    int64_t d = grad->ndim ? grad->sizes[grad->ndim - 1] : 1;
    cg_tensor *out = NULL;
    CG_NO_GRAD {
        cg_tensor *flat = cg_reshape(indices, -1);
        cg_tensor *rows = unpadded_rows(cg_reshape(grad, -1, d), flat, padding_idx);
        cg_tensor *spread = cg_expand(cg_unsqueeze(flat, 1), -1, d);
        out = cg_scatter_add(cg_zeros_on(grad, grad->dtype, 2, (const int64_t[]){num_weights, d}), 0, spread, rows);
    }
    cg_node *n = out ? cg_record(&cg_op_embedding_dense_backward, out, CG_INPUTS(grad)) : NULL;
    if (n) {
        cg_save(n, 0, indices);
        n->args[0] = padding_idx;
    }
    return cg_recorded(out);
}

void cg_backward_embedding(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    out[0] = embedding_dense_backward(grads[0], cg_saved(n, 0), n->args[1], n->args[0]);
}

/* The tangent's rows at the indices (padding_idx only masks the gradient, as in PyTorch). */
void cg_jvp_embedding(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    (void)in;
    (void)outs;
    cg_tensor *indices = cg_saved(n, 0);
    if (indices) tout[0] = cg_embedding(indices, tin[0]);
}

/* PyTorch's embedding_dense_double_backward: the incoming rows picked again, zero at padding_idx. */
void cg_backward_embedding_dense_backward(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *indices = cg_saved(n, 0);
    int64_t padding_idx = n->args[0];
    cg_tensor *picked = embedding_op(indices, grads[0], -1);
    if (padding_idx >= 0 && picked)
        picked = cg_masked_fill(picked, cg_unsqueeze(cg_eq_scalar(indices, padding_idx), -1), 0);
    out[0] = picked;
}

/* torch.nn.functional.one_hot: PyTorch's checks, then (t[..., None] == arange(C)) as int64. */
cg_tensor *cg_one_hot(cg_tensor *t, int64_t num_classes) {
    if (!t) return NULL;
    if (t->dtype != CG_INT64) {
        cg_set_error("one_hot is only applicable to index tensor.");
        return NULL;
    }
    if (t->numel == 0) {
        if (num_classes <= 0) {
            cg_set_error("Can not infer total number of classes from empty tensor.");
            return NULL;
        }
    } else {
        double lo = cg_item(cg_min(t)), hi = cg_item(cg_max(t));
        if (isnan(lo) || isnan(hi)) return NULL;
        if (lo < 0) {
            cg_set_error("Class values must be non-negative.");
            return NULL;
        }
        if (num_classes == -1) num_classes = (int64_t)hi + 1;
        else if (hi >= (double)num_classes) {
            cg_set_error("Class values must be smaller than num_classes.");
            return NULL;
        }
    }
    int64_t sizes[CG_MAX_DIMS + 1];
    for (int d = 0; d < t->ndim; d++) sizes[d] = t->sizes[d];
    sizes[t->ndim] = num_classes;
    cg_tensor *out = cg_zeros_on(t, CG_INT64, t->ndim + 1, sizes);
    if (!out || t->numel == 0) return out;
    cg_tensor *classes = cg_arange(0, (double)num_classes, 1, CG_INT64);
    if (cg_copy_(out, cg_eq(cg_unsqueeze(t, -1), classes)) < 0) return NULL;
    out->storage->version = 2; /* PyTorch's result, contiguous, went through zero_ and scatter_ */
    return out;
}
