/* torch.nn.functional.interpolate, modes 'nearest' and 'nearest-exact' (1d/2d/3d), 'linear' (1d),
 * 'bilinear' (2d), 'trilinear' (3d) and 'area' (1d/2d: adaptive average pooling, as F.interpolate calls it), with a
 * size or scale factors, align_corners both ways; nodes UpsampleNearest2DBackward1,
 * UpsampleBilinear2DBackward1, ... (the overload F.interpolate calls).
 *
 * nearest copies by computed positions (ops/resample.h); nearest-exact's positions are rounded
 * from the output cells' centres (ATen's nearest_neighbor_exact_compute_source_index). The linear
 * modes weigh the two neighbours along each dim, the outermost first, as PyTorch's CPU kernel: t0 * w0 + t1 * w1 rounded as
 * one fused multiply-add over the second product (its build contracts the expression), the
 * weights from a source position computed in double off the float scale. With those, values are
 * PyTorch's bits. The backward adds the product of the weights times grad into the 2^k neighbours
 * of each output position in output order, in one scatter_add. */
#include "autograd/registry.h"
#include "backend/backend.h"
#include "ops/elementwise.h"
#include "ops/grad_depends.h"
#include "ops/resample.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef enum { UP_NEAREST, UP_LINEAR, UP_NEAREST_EXACT, UP_AREA } up_mode;

static const cg_op *const up_ops[3][3] = {
    {&cg_op_upsample_nearest1d, &cg_op_upsample_nearest2d, &cg_op_upsample_nearest3d},
    {&cg_op_upsample_linear1d, &cg_op_upsample_bilinear2d, &cg_op_upsample_trilinear3d},
    {&cg_op_upsample_nearest_exact1d, &cg_op_upsample_nearest_exact2d, &cg_op_upsample_nearest_exact3d}};

/* The scale the kernels use for a dim: 1 / scale_factor when given, else in / out; rounded to
 * the input's dtype for linear (float for nearest, whatever the dtype). */
static double kernel_scale(bool f32, int64_t in, int64_t out, double factor) {
    if (factor > 0) return f32 ? (double)(float)(1.0 / factor) : 1.0 / factor;
    return f32 ? (double)((float)in / (float)out) : (double)in / (double)out;
}

/* ATen's nearest_idx (with its shortcuts) or nearest_exact_idx, whose (o + 0.5) * scale is a
 * double product that floorf rounds to float first. */
static int64_t nearest_position(int64_t o, int64_t in, int64_t out, double factor, bool exact) {
    if (!exact && out == in) return o;
    if (!exact && out == 2 * in) return o >> 1;
    float scale = (float)kernel_scale(true, in, out, factor);
    int64_t i = exact ? (int64_t)floorf((float)(((double)o + 0.5) * scale)) : (int64_t)floorf((float)o * scale);
    return i < in - 1 ? i : in - 1;
}

/* Each output position's two neighbours and their weights along one dim. */
typedef struct {
    int64_t *i0, *i1;
    double *w0, *w1; /* rounded to the dtype */
} up_weights;

static void linear_weights(bool f32, int64_t in, int64_t out, bool align_corners, double factor, up_weights *w) {
    double scale = align_corners ? (out > 1 ? (f32 ? (double)((float)(in - 1) / (float)(out - 1))
                                                   : (double)(in - 1) / (double)(out - 1))
                                            : 0)
                                 : kernel_scale(f32, in, out, factor);
    for (int64_t o = 0; o < out; o++) {
        if (in == out) {
            w->i0[o] = w->i1[o] = o;
            w->w0[o] = 1;
            w->w1[o] = 0;
            continue;
        }
        double real = align_corners ? scale * (double)o : fma(scale, (double)o + 0.5, -0.5);
        if (real < 0) real = 0;
        int64_t i0 = (int64_t)real;
        double l1 = real - (double)i0;
        l1 = l1 < 0 ? 0 : l1 > 1 ? 1 : l1;
        if (f32) l1 = (float)l1;
        w->i0[o] = i0;
        w->i1[o] = i0 + (i0 < in - 1 ? 1 : 0);
        w->w1[o] = l1;
        w->w0[o] = f32 ? (double)(1.0f - (float)l1) : 1.0 - l1;
    }
}

/* PyTorch's checks and the output sizes of the k spatial dims (area: as F.interpolate recomputes
 * them, with no upsample kernel's check that they are positive); -1 with its error. */
static int output_sizes(const cg_interpolate_args *a, int k, bool area, int64_t *out, double *factors) {
    cg_tensor *t = a->input;
    int nscale = 0;
    while (nscale < 3 && a->scale_factor[nscale] != 0) nscale++;
    if (a->size.n && nscale) {
        cg_set_value_error("only one of size or scale_factor should be defined");
        return -1;
    }
    if (!a->size.n && !nscale) {
        cg_set_value_error("either size or scale_factor should be defined");
        return -1;
    }
    if ((a->size.n > 1 && a->size.n != k) || (nscale > 1 && nscale != k)) {
        cg_set_value_error("Input and %s must have the same number of spatial dimensions", a->size.n ? "output" : "scale_factor");
        return -1;
    }
    for (int i = 0; i < k; i++) {
        int64_t in = t->sizes[2 + i];
        factors[i] = nscale ? a->scale_factor[nscale > 1 ? i : 0] : 0;
        out[i] = a->size.n ? a->size.v[a->size.n > 1 ? i : 0] : (int64_t)((double)in * factors[i]);
    }
    bool positive = true;
    for (int i = 0; i < k; i++) positive &= area || (t->sizes[2 + i] > 0 && out[i] > 0);
    if (!positive) {
        static const char *const names[3][3] = {{"W"}, {"H", "W"}, {"D", "H", "W"}};
        char in_text[96] = "", out_text[96] = "";
        size_t pi = 0, po = 0;
        for (int i = 0; i < k; i++) {
            pi += (size_t)snprintf(in_text + pi, sizeof in_text - pi, "%s%s: %lld", i ? ", " : "", names[k - 1][i],
                                   (long long)t->sizes[2 + i]);
            po += (size_t)snprintf(out_text + po, sizeof out_text - po, "%s%s: %lld", i ? ", " : "", names[k - 1][i],
                                   (long long)out[i]);
        }
        cg_set_error("Input and output sizes should be greater than 0, but got input (%s)%s output (%s)", in_text,
                     k == 1 ? " and" : "", out_text); /* ATen's 1-D text has the "and" */
        return -1;
    }
    return 0;
}

static cg_tensor *weights_tensor(const cg_tensor *like, int64_t n, const double *w, int k, int dim) {
    int64_t sizes[3] = {1, 1, 1};
    sizes[dim] = n;
    cg_tensor *t = cg_tensor_new(.data = w, .dtype = CG_FLOAT64, .ndim = k, .sizes = {sizes[0], sizes[1], sizes[2]});
    if (t) t = cg_to(t, like->dtype);
    return t && !cg_has_bytes(like) ? cg_to_device(t, cg_get_device(like)) : t;
}

/* fma(t0, w0, t1 * w1) of the neighbours along spatial dim i (of k), then the dims after it. */
static cg_tensor *interpolate_dim(cg_tensor *x, int i, int k, cg_tensor *const *idx, cg_tensor *const *wts) {
    if (i == k || !x) return x;
    int d = x->ndim - k + i;
    cg_tensor *t0 = interpolate_dim(cg_index_select(x, d, idx[2 * i]), i + 1, k, idx, wts);
    cg_tensor *t1 = interpolate_dim(cg_index_select(x, d, idx[2 * i + 1]), i + 1, k, idx, wts);
    return cg_addcmul(cg_mul(t1, wts[2 * i + 1]), t0, wts[2 * i], 1);
}

typedef struct {
    int64_t count;    /* output positions (of the k dims) */
    int64_t *flat;    /* nearest: count input positions; linear: 2^k per output position */
    double *weight;   /* linear: the products of the weights, as flat */
    cg_tensor *idx[6], *wts[6];
} up_plan;

static int plan_linear(cg_tensor *t, int k, const int64_t *out, const double *factors, bool align_corners, up_plan *p) {
    bool f32 = t->dtype == CG_FLOAT32;
    up_weights w[3];
    int64_t total = 0, *ibuf;
    for (int i = 0; i < k; i++) total += out[i];
    ibuf = malloc(sizeof(int64_t) * (size_t)(2 * total));
    double *wbuf = malloc(sizeof(double) * (size_t)(2 * total));
    int64_t corners = (int64_t)1 << k;
    p->flat = malloc(sizeof(int64_t) * (size_t)(p->count * corners));
    p->weight = malloc(sizeof(double) * (size_t)(p->count * corners));
    int rc = ibuf && wbuf && p->flat && p->weight ? 0 : -1;
    if (rc < 0) cg_set_error("out of memory");
    for (int i = 0, at = 0; rc == 0 && i < k; at += 2 * (int)out[i], i++) {
        w[i] = (up_weights){ibuf + at, ibuf + at + out[i], wbuf + at, wbuf + at + out[i]};
        linear_weights(f32, t->sizes[t->ndim - k + i], out[i], align_corners, factors[i], &w[i]);
        p->idx[2 * i] = cg_index_on(t, out[i], w[i].i0);
        p->idx[2 * i + 1] = cg_index_on(t, out[i], w[i].i1);
        p->wts[2 * i] = weights_tensor(t, out[i], w[i].w0, k, i);
        p->wts[2 * i + 1] = weights_tensor(t, out[i], w[i].w1, k, i);
        if (!p->idx[2 * i] || !p->idx[2 * i + 1] || !p->wts[2 * i] || !p->wts[2 * i + 1]) rc = -1;
    }
    /* the backward's neighbours: corner c takes the second neighbour along dim i when bit k-1-i is set */
    for (int64_t o = 0; rc == 0 && o < p->count; o++) {
        int64_t pos[3], rest = o;
        for (int i = k - 1; i >= 0; i--) {
            pos[i] = rest % out[i];
            rest /= out[i];
        }
        for (int64_t c = 0; c < corners; c++) {
            int64_t at = 0;
            double weight = 1;
            for (int i = 0; i < k; i++) {
                bool second = c >> (k - 1 - i) & 1;
                at = at * t->sizes[t->ndim - k + i] + (second ? w[i].i1 : w[i].i0)[pos[i]];
                weight *= (second ? w[i].w1 : w[i].w0)[pos[i]];
                if (f32) weight = (float)weight;
            }
            p->flat[o * corners + c] = at;
            p->weight[o * corners + c] = weight;
        }
    }
    free(ibuf);
    free(wbuf);
    return rc;
}

static void plan_free(up_plan *p) {
    free(p->flat);
    free(p->weight);
}

cg_tensor *cg_interpolate_opts(cg_interpolate_args a) {
    cg_tensor *t = a.input;
    if (!t) return NULL;
    const char *mode = a.mode ? a.mode : "nearest";
    up_mode m = !strcmp(mode, "nearest")         ? UP_NEAREST
                : !strcmp(mode, "nearest-exact") ? UP_NEAREST_EXACT
                : !strcmp(mode, "area")          ? UP_AREA
                                                 : UP_LINEAR;
    if (m != UP_LINEAR && a.align_corners) {
        cg_set_value_error("align_corners option can only be set with the interpolating modes: linear | bilinear | "
                           "bicubic | trilinear");
        return NULL;
    }
    if (t->ndim < 3 || t->ndim > 5) {
        cg_set_error_kind(CG_NOT_IMPLEMENTED_ERROR,
                          "Input Error: Only 3D, 4D and 5D input Tensors supported (got %dD) for the modes: nearest | "
                          "linear | bilinear | bicubic | trilinear | area | nearest-exact (got %s)",
                          t->ndim, mode);
        return NULL;
    }
    int k = t->ndim - 2;
    if (m == UP_LINEAR) {
        int wanted = !strcmp(mode, "linear") ? 1 : !strcmp(mode, "bilinear") ? 2 : !strcmp(mode, "trilinear") ? 3 : 0;
        if (!wanted) {
            cg_set_error_kind(CG_NOT_IMPLEMENTED_ERROR, "interpolate: mode '%s' is not supported by cgrad", mode);
            return NULL;
        }
        if (wanted != k) {
            cg_set_error_kind(CG_NOT_IMPLEMENTED_ERROR, "Got %dD input, but %s mode needs %dD input", t->ndim, mode,
                              wanted + 2);
            return NULL;
        }
    }
    int64_t out[3];
    double factors[3];
    if (output_sizes(&a, k, m == UP_AREA, out, factors) < 0) return NULL;
    if (m == UP_AREA) {
        if (k == 1) return cg_adaptive_avg_pool1d(t, CG_INTS(out[0]));
        if (k == 2) return cg_adaptive_avg_pool2d(t, CG_INTS(out[0], out[1]));
        cg_set_error_kind(CG_NOT_IMPLEMENTED_ERROR, "interpolate: mode 'area' of a 5D input (adaptive_avg_pool3d) is "
                                                    "not supported by cgrad");
        return NULL;
    }
    bool nearest = m != UP_LINEAR;
    if (!cg_dtype_is_floating(t->dtype)) {
        cg_set_error("\"compute_indices_weights_%s\" not implemented for '%s'", nearest ? "nearest" : "linear",
                     cg_dtype_title(t->dtype));
        return NULL;
    }
    int64_t inner = 1; /* the kernels refuse an empty input unless only its batch is empty */
    for (int d = 1; d < t->ndim; d++) inner *= t->sizes[d];
    if (inner == 0) {
        char text[160];
        int p = snprintf(text, sizeof text, "[");
        for (int d = 0; d < t->ndim; d++) p += snprintf(text + p, sizeof text - (size_t)p, "%s%lld", d ? ", " : "", (long long)t->sizes[d]);
        cg_set_error("Non-empty %dD data tensor expected but got a tensor with sizes %s]", t->ndim, text);
        return NULL;
    }
    up_plan p = {.count = out[0] * (k > 1 ? out[1] : 1) * (k > 2 ? out[2] : 1)};
    cg_tensor *result = NULL, *index = NULL, *weight = NULL;
    int64_t *positions = NULL;
    if (nearest) {
        p.flat = malloc(sizeof(int64_t) * (size_t)p.count);
        if (!p.flat) cg_set_error("out of memory");
        for (int64_t o = 0; p.flat && o < p.count; o++) {
            int64_t rest = o, at = 0, scale = 1;
            for (int i = k - 1; i >= 0; i--) {
                int64_t in = t->sizes[2 + i];
                at += nearest_position(rest % out[i], in, out[i], factors[i], m == UP_NEAREST_EXACT) * scale;
                scale *= in;
                rest /= out[i];
            }
            p.flat[o] = at;
        }
        index = p.flat ? cg_index_on(t, p.count, p.flat) : NULL;
        result = index ? cg_select_positions(t, k, index, out) : NULL;
        /* the node keeps the positions, not a saved tensor: PyTorch's saves none, so a second
         * backward works */
        positions = result ? cg_malloc(sizeof(int64_t) * (size_t)(p.count + 1)) : NULL;
        if (positions) {
            positions[0] = p.count;
            memcpy(positions + 1, p.flat, sizeof(int64_t) * (size_t)p.count);
        }
    } else if (plan_linear(t, k, out, factors, a.align_corners, &p) == 0) {
        int64_t n = p.count << k;
        index = cg_index_on(t, n, p.flat);
        weight = cg_tensor_new(.data = p.weight, .dtype = CG_FLOAT64, .ndim = 1, .sizes = {n});
        if (weight) weight = cg_to(weight, t->dtype);
        if (weight && !cg_has_bytes(t)) weight = cg_to_device(weight, cg_get_device(t));
        CG_NO_GRAD {
            if (index && weight) result = cg_contiguous(interpolate_dim(t, 0, k, p.idx, p.wts));
        }
    }
    plan_free(&p);
    if (result) result = cg_new_alias(result); /* a fresh result, not a view of the kernels' steps */
    cg_node *n = result ? cg_record(up_ops[m][k - 1], result, CG_INPUTS(t)) : NULL;
    if (n) {
        n->args[0] = k;
        for (int i = 0; i < k; i++) n->args[1 + i] = t->sizes[2 + i];
        n->extra = positions;
        positions = NULL;
        if (!nearest) {
            cg_save(n, 0, index);
            cg_save(n, 1, weight);
        }
    }
    cg_free(positions);
    return cg_recorded(result);
}

static void nearest_backward(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *index = n->extra ? cg_index_on(grads[0], n->extra[0], n->extra + 1) : NULL;
    if (index) out[0] = cg_add_back_positions(grads[0], (int)n->args[0], index, n->args + 1);
}

/* grad (..., count) times the weights (count, 2^k) as (..., count * 2^k), added back. */
static void linear_backward(cg_node *n, cg_tensor **grads, cg_tensor **out) {
    cg_tensor *index = cg_saved(n, 0), *weight = cg_saved(n, 1), *g = grads[0];
    if (!index || !weight) return;
    int k = (int)n->args[0], lead = g->ndim - k;
    int64_t shape[CG_MAX_DIMS], count = 1, corners = (int64_t)1 << k;
    for (int i = 0; i < k; i++) count *= g->sizes[lead + i];
    for (int d = 0; d < lead; d++) shape[d] = g->sizes[d];
    shape[lead] = count;
    shape[lead + 1] = 1;
    cg_tensor *spread = cg_mul(cg_reshape_shape(g, lead + 2, shape), cg_reshape(weight, count, corners));
    shape[lead] = count * corners;
    cg_tensor *flat = cg_reshape_shape(spread, lead + 1, shape);
    /* add_back_positions over one flattened dim of count * 2^k positions */
    int64_t in_count = 1;
    for (int i = 0; i < k; i++) in_count *= n->args[1 + i];
    cg_tensor *summed = flat ? cg_add_back_positions(flat, 1, index, &in_count) : NULL;
    for (int i = 0; i < k; i++) shape[lead + i] = n->args[1 + i];
    out[0] = summed ? cg_reshape_shape(summed, lead + k, shape) : NULL;
}

/* Interpolation is linear: nearest picks the tangent at the same positions; linear sums the
 * tangent at each output's 2^k corners times their weights (what linear_backward transposes). */
void cg_jvp_upsample_nearest(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    (void)in;
    int k = (int)n->args[0];
    cg_tensor *index = n->extra ? cg_index_on(tin[0], n->extra[0], n->extra + 1) : NULL;
    if (index) tout[0] = cg_select_positions(tin[0], k, index, outs[0]->sizes + outs[0]->ndim - k);
}

void cg_jvp_upsample_linear(cg_node *n, cg_tensor **in, cg_tensor **tin, cg_tensor **outs, cg_tensor **tout) {
    (void)in;
    cg_tensor *index = cg_saved(n, 0), *weight = cg_saved(n, 1), *t = tin[0];
    if (!index || !weight) return;
    int k = (int)n->args[0], lead = t->ndim - k;
    int64_t shape[CG_MAX_DIMS], in_count = 1, count = cg_numel(index) >> k, corners = (int64_t)1 << k;
    for (int i = 0; i < k; i++) in_count *= t->sizes[lead + i];
    memcpy(shape, t->sizes, sizeof(int64_t) * (size_t)lead);
    shape[lead] = in_count;
    cg_tensor *picked = cg_index_select(cg_reshape_shape(t, lead + 1, shape), lead, index);
    shape[lead] = count;
    shape[lead + 1] = corners;
    cg_tensor *weighted = cg_mul(cg_reshape_shape(picked, lead + 2, shape), cg_reshape(weight, count, corners));
    tout[0] = cg_reshape_shape(cg_sum(weighted, CG_DIMS(-1)), outs[0]->ndim, outs[0]->sizes);
}

/* The gradient is linear in grad only; under create_graph its node has the name of PyTorch's
 * backward op (Upsample...BackwardBackward1). */
#define UPSAMPLE_BACKWARD(mode, formula)                                                              \
    void cg_backward_upsample_##mode(cg_node *n, cg_tensor **grads, cg_tensor **out) {               \
        formula(n, grads, out);                                                                      \
        out[0] = cg_grad_depending(&cg_op_upsample_##mode##_depends, out[0], NULL, NULL);            \
    }
UPSAMPLE_BACKWARD(nearest1d, nearest_backward)
UPSAMPLE_BACKWARD(nearest2d, nearest_backward)
UPSAMPLE_BACKWARD(nearest3d, nearest_backward)
UPSAMPLE_BACKWARD(linear1d, linear_backward)
UPSAMPLE_BACKWARD(bilinear2d, linear_backward)
/* PyTorch's create_graph names for these (Upsample...BackwardBackward1) are not recorded yet */
void cg_backward_upsample_nearest_exact1d(cg_node *n, cg_tensor **grads, cg_tensor **out) { nearest_backward(n, grads, out); }
void cg_backward_upsample_nearest_exact2d(cg_node *n, cg_tensor **grads, cg_tensor **out) { nearest_backward(n, grads, out); }
void cg_backward_upsample_nearest_exact3d(cg_node *n, cg_tensor **grads, cg_tensor **out) { nearest_backward(n, grads, out); }
void cg_backward_upsample_trilinear3d(cg_node *n, cg_tensor **grads, cg_tensor **out) { linear_backward(n, grads, out); }
