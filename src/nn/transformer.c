/* Attention layers: nn.MultiheadAttention and nn.TransformerEncoderLayer. MultiheadAttention as torch.nn.functional.multi_head_attention_forward
 * computes it in PyTorch 1.13 (the path autograd sees: its fused fast path runs only under
 * no_grad in eval), composed of cgrad's ops in the same order and layouts, so the float32 bits
 * are PyTorch's where the ops' are. */
#include "nn/nn.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    cg_nn_multihead_attention_args a;
} mha_state;

static cg_tensor *project(cg_tensor *x, cg_tensor *w, cg_tensor *b) {
    return b ? cg_linear(x, w, b) : cg_matmul(x, cg_t(w));
}

/* "torch.Size([2, 3])", as Python prints a shape in an assert. */
static const char *size_text(char *text, size_t size, const cg_tensor *t) {
    snprintf(text, size, "torch.Size(%s)", cg_shape_text(cg_ndim(t), cg_sizes(t)).s);
    return text;
}

/* _mha_shape_check, with its assert texts (cgrad has no AssertionError: a RuntimeError). */
static int check_shapes(cg_tensor *q, cg_tensor *k, cg_tensor *v, cg_tensor *kpm, cg_tensor *mask, int64_t heads) {
    int nd = cg_ndim(q);
    if (nd != 2 && nd != 3) {
        cg_set_error("query should be unbatched 2D or batched 3D tensor but received %d-D query tensor", nd);
        return -1;
    }
    const char *kind = nd == 3 ? "batched (3-D)" : "unbatched (2-D)";
    if (cg_ndim(k) != nd || cg_ndim(v) != nd) {
        cg_set_error("For %s `query`, expected `key` and `value` to be %d-D but found %d-D and %d-D tensors "
                     "respectively", kind, nd, cg_ndim(k), cg_ndim(v));
        return -1;
    }
    if (kpm && cg_ndim(kpm) != nd - 1) {
        cg_set_error("For %s `query`, expected `key_padding_mask` to be `None` or %d-D but found %d-D tensor instead",
                     kind, nd - 1, cg_ndim(kpm));
        return -1;
    }
    if (mask && cg_ndim(mask) != 2 && cg_ndim(mask) != 3) {
        cg_set_error("For %s `query`, expected `attn_mask` to be `None`, 2-D or 3-D but found %d-D tensor instead", kind,
                     cg_ndim(mask));
        return -1;
    }
    if (mask && nd == 2 && cg_ndim(mask) == 3 &&
        (cg_size(mask, 0) != heads || cg_size(mask, 1) != cg_size(q, 0) || cg_size(mask, 2) != cg_size(k, 0))) {
        char text[300];
        cg_set_error("Expected `attn_mask` shape to be (%lld, %lld, %lld) but got %s", (long long)heads,
                     (long long)cg_size(q, 0), (long long)cg_size(k, 0), size_text(text, sizeof text, mask));
        return -1;
    }
    return 0;
}

static bool same_sizes(const cg_tensor *t, int n, const int64_t *sizes) {
    if (cg_ndim(t) != n) return false;
    for (int d = 0; d < n; d++)
        if (cg_size(t, d) != sizes[d]) return false;
    return true;
}

/* The masks as one float mask to add to the scores (B * heads or 1, L, S), or NULL for none. */
static int merge_masks(cg_tensor **mask, cg_tensor *kpm, int64_t tgt, int64_t src, int64_t bsz, int64_t heads,
                       cg_dtype dtype) {
    cg_tensor *m = *mask;
    bool any = m || kpm;
    char text[300];
    if (m && cg_get_dtype(m) != CG_BOOL && !cg_dtype_is_floating(cg_get_dtype(m))) {
        cg_set_error("Only float, byte, and bool types are supported for attn_mask, not torch.%s",
                     cg_dtype_name(cg_get_dtype(m)));
        return -1;
    }
    if (m && cg_ndim(m) == 2) {
        if (!same_sizes(m, 2, (int64_t[]){tgt, src})) {
            cg_set_error("The shape of the 2D attn_mask is %s, but should be (%lld, %lld).",
                         size_text(text, sizeof text, m), (long long)tgt, (long long)src);
            return -1;
        }
        m = cg_unsqueeze(m, 0);
    } else if (m && !same_sizes(m, 3, (int64_t[]){bsz * heads, tgt, src})) {
        cg_set_error("The shape of the 3D attn_mask is %s, but should be (%lld, %lld, %lld).",
                     size_text(text, sizeof text, m), (long long)(bsz * heads), (long long)tgt, (long long)src);
        return -1;
    }
    if (kpm) {
        if (!same_sizes(kpm, 2, (int64_t[]){bsz, src})) {
            cg_set_error("expecting key_padding_mask shape of (%lld, %lld), but got %s", (long long)bsz,
                         (long long)src, size_text(text, sizeof text, kpm));
            return -1;
        }
        kpm = cg_reshape(cg_expand(cg_view(kpm, bsz, 1, 1, src), -1, heads, -1, -1), bsz * heads, 1, src);
        if (!m) m = kpm;
        else if (cg_get_dtype(m) == CG_BOOL) m = cg_where(kpm, kpm, m); /* logical_or */
        else m = cg_masked_fill(m, kpm, -INFINITY);
    }
    if (m && cg_get_dtype(m) == CG_BOOL) m = cg_masked_fill(cg_zeros_shape(dtype, cg_ndim(m), cg_sizes(m)), m, -INFINITY);
    *mask = m;
    return any && !m ? -1 : 0;
}

/* _in_projection_packed: one linear for self-attention, two for key is value, else three. */
static int in_projection(cg_tensor *q, cg_tensor *k, cg_tensor *v, cg_tensor *w, cg_tensor *b, cg_tensor **out) {
    int64_t e = cg_size(q, -1);
    if (q == k && k == v) return cg_chunk(project(q, w, b), 3, -1, out, 3) == 3 ? 0 : -1;
    cg_tensor *ws[3], *bs[3] = {NULL, NULL, NULL};
    if (k == v) { /* w.split([E, 2 E]) */
        cg_tensor *b_kv = b ? cg_narrow(b, 0, e, 2 * e) : NULL;
        out[0] = project(q, cg_narrow(w, 0, 0, e), b ? cg_narrow(b, 0, 0, e) : NULL);
        return out[0] && cg_chunk(project(k, cg_narrow(w, 0, e, 2 * e), b_kv), 2, -1, out + 1, 2) == 2 ? 0 : -1;
    }
    if (cg_chunk(w, 3, 0, ws, 3) != 3 || (b && cg_chunk(b, 3, 0, bs, 3) != 3)) return -1;
    out[0] = project(q, ws[0], bs[0]);
    out[1] = project(k, ws[1], bs[1]);
    out[2] = project(v, ws[2], bs[2]);
    return out[0] && out[1] && out[2] ? 0 : -1;
}

/* torch.baddbmm(mask, a, b) as PyTorch's CPU kernel rounds it: small products (contraction * rows *
 * cols < 400) add each term a[..., k] b[k, ...] to the mask in turn; larger ones (gemm with beta 1)
 * round the whole product, then add the mask. */
static cg_tensor *baddbmm(cg_tensor *mask, cg_tensor *a, cg_tensor *b) {
    int64_t n = cg_size(a, 2);
    if (n == 0 || n * cg_size(a, 1) * cg_size(b, 2) >= 400) return cg_add(mask, cg_bmm(a, b));
    for (int64_t k = 0; k < n; k++) mask = cg_add(mask, cg_mul(cg_narrow(a, 2, k, 1), cg_narrow(b, 1, k, 1)));
    return mask;
}

/* (len, bsz, E) -> (bsz * heads, len, head_dim), as q.contiguous().view(...).transpose(0, 1). */
static cg_tensor *split_heads(cg_tensor *t, int64_t bsz, int64_t heads) {
    return cg_transpose(cg_view(cg_contiguous(t), cg_size(t, 0), bsz * heads, cg_size(t, 2) / heads), 0, 1);
}

/* F.multi_head_attention_forward on (L, N, E) or (L, E) inputs. */
static cg_tensor *mha_functional(cg_module *m, const mha_state *s, cg_tensor *q, cg_tensor *k, cg_tensor *v,
                                 const cg_nn_multihead_attention_forward_args *o, cg_tensor **weights) {
    int64_t heads = s->a.num_heads, e = s->a.embed_dim;
    cg_tensor *kpm = o->key_padding_mask, *mask = o->attn_mask;
    if (check_shapes(q, k, v, kpm, mask, heads) < 0) return NULL;
    bool batched = cg_ndim(q) == 3;
    if (!batched) { /* three unsqueezes: q, k and v are no longer one tensor */
        q = cg_unsqueeze(q, 1);
        k = cg_unsqueeze(k, 1);
        v = cg_unsqueeze(v, 1);
        if (kpm) kpm = cg_unsqueeze(kpm, 0);
        if (!q || !k || !v || (o->key_padding_mask && !kpm)) return NULL;
    }
    int64_t tgt = cg_size(q, 0), bsz = cg_size(q, 1), src = cg_size(k, 0);
    if (kpm && cg_get_dtype(kpm) != CG_BOOL && !cg_dtype_is_floating(cg_get_dtype(kpm))) {
        cg_set_error("only bool and floating types of key_padding_mask are supported");
        return NULL;
    }
    if (cg_size(q, 2) != e) {
        cg_set_error("was expecting embedding dimension of %lld, but got %lld", (long long)e, (long long)cg_size(q, 2));
        return NULL;
    }
    if (!same_sizes(k, 3, cg_sizes(v))) {
        char a[300], b[300];
        cg_set_error("key shape %s does not match value shape %s", size_text(a, sizeof a, k), size_text(b, sizeof b, v));
        return NULL;
    }
    cg_module *out_proj = cg_module_child(m, 0);
    cg_tensor *qkv[3];
    if (in_projection(q, k, v, nn_param(m, 0), s->a.no_bias ? NULL : nn_param(m, 1), qkv) < 0 ||
        merge_masks(&mask, kpm, tgt, src, bsz, heads, cg_get_dtype(qkv[0])) < 0)
        return NULL;
    cg_tensor *qh = split_heads(qkv[0], bsz, heads), *kh = split_heads(qkv[1], bsz, heads),
              *vh = split_heads(qkv[2], bsz, heads);
    cg_tensor *q_scaled = cg_div_scalar(qh, sqrt((double)(e / heads))), *kt = cg_transpose(kh, -2, -1);
    cg_tensor *scores = mask ? baddbmm(mask, q_scaled, kt) : cg_bmm(q_scaled, kt);
    cg_tensor *w = cg_dropout(cg_softmax(scores, -1), s->a.dropout, cg_module_is_training(m)); /* returned so */
    cg_tensor *out = cg_view(cg_contiguous(cg_transpose(cg_bmm(w, vh), 0, 1)), tgt * bsz, e);
    out = cg_view(project(out, nn_param(out_proj, 0), nn_param(out_proj, 1)), tgt, bsz, e);
    if (weights && out) {
        w = cg_view(w, bsz, heads, tgt, src);
        if (!o->per_head_weights) w = cg_div_scalar(cg_sum(w, CG_DIMS(1)), heads);
        *weights = batched ? w : cg_squeeze_dim(w, 0);
    }
    return batched ? out : cg_squeeze_dim(out, 1);
}

static const mha_state *mha_of(const cg_module *m);

cg_tensor *cg_nn_multihead_attention_forward_opts(cg_module *m, cg_tensor *query, cg_tensor *key,
                                                  cg_nn_multihead_attention_forward_args o) {
    if (o.weights) *o.weights = NULL;
    if (!m || !query || !key || !o.value) return NULL;
    const mha_state *s = mha_of(m);
    if (!s) {
        cg_set_error("cg_nn_multihead_attention_forward: the module is a %s, not a MultiheadAttention",
                     cg_module_type(m));
        return NULL;
    }
    cg_tensor *q = query, *k = key, *v = o.value, *out = NULL, *w = NULL;
    CG_SCOPE {
        if (s->a.batch_first && cg_ndim(query) == 3) { /* the transposes keep PyTorch's `is` tests */
            q = cg_transpose(query, 1, 0);
            k = key == query ? q : cg_transpose(key, 1, 0);
            v = o.value == key ? k : cg_transpose(o.value, 1, 0);
        }
        out = mha_functional(m, s, q, k, v, &o, o.weights ? &w : NULL);
        if (out && s->a.batch_first && cg_ndim(query) == 3) out = cg_transpose(out, 1, 0);
        if (out && o.weights && !w) out = NULL;
        cg_keep(out);
        if (out && o.weights) cg_keep(w);
    }
    if (o.weights) *o.weights = out ? w : NULL;
    return out;
}

static cg_tensor *mha_forward(cg_module *m, cg_tensor *x) {
    return cg_nn_multihead_attention_forward(m, x, x, x);
}

static const mha_state *mha_of(const cg_module *m) {
    return nn_forward_fn(m) == mha_forward ? cg_module_state(m) : NULL;
}

cg_module *cg_nn_multihead_attention_opts(cg_nn_multihead_attention_args a) {
    if (a.embed_dim <= 0 || a.num_heads <= 0) {
        cg_set_value_error("embed_dim and num_heads must be greater than 0, got embed_dim=%lld and num_heads=%lld",
                           (long long)a.embed_dim, (long long)a.num_heads);
        return NULL;
    }
    if ((a.embed_dim / a.num_heads) * a.num_heads != a.embed_dim) {
        cg_set_error("embed_dim must be divisible by num_heads");
        return NULL;
    }
    mha_state *s = malloc(sizeof *s);
    if (!s) {
        cg_set_error("out of memory");
        return NULL;
    }
    s->a = a;
    cg_module *m = cg_module_new("MultiheadAttention", mha_forward, s, free);
    int rc = m ? 0 : -1;
    CG_SCOPE {
        cg_tensor *w = cg_empty(3 * a.embed_dim, a.embed_dim), *b = a.no_bias ? NULL : cg_empty(3 * a.embed_dim);
        if (rc == 0) rc = cg_module_register_parameter(m, "in_proj_weight", w);
        if (rc == 0 && b) rc = cg_module_register_parameter(m, "in_proj_bias", b);
        /* out_proj draws its Linear init before _reset_parameters draws in_proj_weight */
        if (rc == 0) rc = cg_module_add_module(m, "out_proj", cg_nn_linear(a.embed_dim, a.embed_dim, .no_bias = a.no_bias));
        if (rc == 0) rc = cg_nn_init_xavier_uniform_(w, 1);
        if (rc == 0 && b) rc = cg_nn_init_zeros_(b);
        if (rc == 0 && b) rc = cg_nn_init_zeros_(nn_param(cg_module_child(m, 0), 1));
    }
    if (rc != 0) {
        cg_module_free(m);
        return NULL;
    }
    return m;
}

/* ---- TransformerEncoderLayer ---- */

typedef struct {
    cg_nn_transformer_encoder_layer_args a;
    bool gelu;
} encoder_state;

enum { SELF_ATTN, LINEAR1, LINEAR2, NORM1, NORM2 };

/* PyTorch's dropout, dropout1 and dropout2 children (no parameters): in training only. */
static cg_tensor *encoder_dropout(cg_module *m, const encoder_state *s, cg_tensor *x) {
    return cg_dropout(x, s->a.dropout.value, cg_module_is_training(m));
}

/* _sa_block and _ff_block, drawing in PyTorch's order: the attention weights', dropout1's, dropout's, dropout2's. */
static cg_tensor *self_attention(cg_module *m, const encoder_state *s, cg_tensor *x, cg_tensor *mask, cg_tensor *kpm) {
    return encoder_dropout(m, s, cg_nn_multihead_attention_forward(cg_module_child(m, SELF_ATTN), x, x, x,
                                                                   .attn_mask = mask, .key_padding_mask = kpm));
}

static cg_tensor *feed_forward(cg_module *m, const encoder_state *s, cg_tensor *x) {
    x = cg_module_forward(cg_module_child(m, LINEAR1), x);
    x = encoder_dropout(m, s, s->gelu ? cg_gelu(x, "none") : cg_relu(x));
    return encoder_dropout(m, s, cg_module_forward(cg_module_child(m, LINEAR2), x));
}

static cg_tensor *encoder_forward(cg_module *m, cg_tensor *x);

cg_tensor *cg_nn_transformer_encoder_layer_forward(cg_module *m, cg_tensor *src, cg_tensor *src_mask,
                                                   cg_tensor *src_key_padding_mask) {
    if (!m || !src) return NULL;
    if (nn_forward_fn(m) != encoder_forward) {
        cg_set_error("cg_nn_transformer_encoder_layer_forward: the module is a %s, not a TransformerEncoderLayer",
                     cg_module_type(m));
        return NULL;
    }
    const encoder_state *s = cg_module_state(m);
    cg_module *norm1 = cg_module_child(m, NORM1), *norm2 = cg_module_child(m, NORM2);
    cg_tensor *x = src;
    CG_SCOPE {
        if (s->a.norm_first) {
            x = cg_add(x, self_attention(m, s, cg_module_forward(norm1, x), src_mask, src_key_padding_mask));
            x = cg_add(x, feed_forward(m, s, cg_module_forward(norm2, x)));
        } else {
            x = cg_module_forward(norm1, cg_add(x, self_attention(m, s, x, src_mask, src_key_padding_mask)));
            x = cg_module_forward(norm2, cg_add(x, feed_forward(m, s, x)));
        }
        cg_keep(x);
    }
    return x;
}

static cg_tensor *encoder_forward(cg_module *m, cg_tensor *x) {
    return cg_nn_transformer_encoder_layer_forward(m, x, NULL, NULL);
}

cg_module *cg_nn_transformer_encoder_layer_opts(cg_nn_transformer_encoder_layer_args a) {
    const char *act = a.activation ? a.activation : "relu";
    if (strcmp(act, "relu") && strcmp(act, "gelu")) {
        cg_set_error("activation should be relu/gelu, not %s", act);
        return NULL;
    }
    if (a.dim_feedforward == 0) a.dim_feedforward = 2048;
    if (a.layer_norm_eps == 0) a.layer_norm_eps = 1e-5;
    if (!a.dropout.given) a.dropout = CG_OPT(0.1);
    encoder_state *s = malloc(sizeof *s);
    if (!s) {
        cg_set_error("out of memory");
        return NULL;
    }
    *s = (encoder_state){a, !strcmp(act, "gelu")};
    s->a.activation = NULL;
    cg_module *m = cg_module_new("TransformerEncoderLayer", encoder_forward, s, free);
    int rc = m ? 0 : -1;
    if (rc == 0)
        rc = cg_module_add_module(m, "self_attn",
                                  cg_nn_multihead_attention(a.d_model, a.nhead, .dropout = a.dropout.value,
                                                            .batch_first = a.batch_first));
    if (rc == 0) rc = cg_module_add_module(m, "linear1", cg_nn_linear(a.d_model, a.dim_feedforward));
    if (rc == 0) rc = cg_module_add_module(m, "linear2", cg_nn_linear(a.dim_feedforward, a.d_model));
    if (rc == 0) rc = cg_module_add_module(m, "norm1", cg_nn_layer_norm(CG_SHAPE(a.d_model), a.layer_norm_eps, true));
    if (rc == 0) rc = cg_module_add_module(m, "norm2", cg_nn_layer_norm(CG_SHAPE(a.d_model), a.layer_norm_eps, true));
    if (rc != 0) {
        cg_module_free(m);
        return NULL;
    }
    return m;
}
