/* Autograd semantics against PyTorch: each scenario below is the C twin of the function of the same
 * name in tools/gen_autograd.py, whose output under PyTorch 1.13 is tests/data/autograd.txt. A
 * scenario prints into a memory stream what the Python prints; the test compares the two. */
#include "scenarios.h"

#include <stdlib.h>

static void error_if(int failed) {
    if (failed) fprintf(out, "%s\n", harness_error());
}
static const char *py_bool(bool b) { return b ? "True" : "False"; }
static cg_tensor *f32(int n, const float *v) { return cg_from_data(v, CG_FLOAT32, 1, (const int64_t[]){n}); }
#define F32(...) f32(CG_NARGS(__VA_ARGS__), (const float[]){__VA_ARGS__})

static void accumulation(void) {
    cg_tensor *x = leaf(F32(1, 2, 3));
    cg_backward(cg_sum(cg_mul(x, x)));
    show(cg_grad(x));
    cg_backward(cg_sum(cg_mul_scalar(x, 2)));
    show(cg_grad(x));
    cg_zero_(cg_grad(x));
    cg_backward(cg_sum(cg_add(x, x)));
    show(cg_grad(x));
}

static void backward_errors(void) {
    cg_tensor *x = leaf(F32(1, 2, 3));
    cg_tensor *y = cg_mul_scalar(x, 2);
    error_if(cg_backward(y));
    error_if(cg_backward(y, .gradient = cg_ones(2)));
    error_if(cg_backward(cg_sum(cg_ones(3))));
    error_if(cg_backward(cg_sum(cg_mul_scalar(x, 0)), .gradient = cg_ones(3)));
    cg_tensor *none[1];
    error_if(cg_backward(cg_sum(y), .inputs = {none, 0}));
    cg_tensor *z = cg_sum(cg_mul(x, x));
    cg_backward(z, .retain_graph = true);
    cg_backward(z);
    error_if(cg_backward(z));
    cg_tensor *w = cg_sum(cg_add(x, x));
    cg_backward(w);
    cg_backward(w);
    show(cg_grad(x));
}

static void requires_grad_rules(void) {
    cg_tensor *x = F32(1, 2);
    fprintf(out, "%s %s\n", py_bool(cg_requires_grad(x)), py_bool(cg_is_leaf(x)));
    cg_requires_grad_(x, true);
    cg_tensor *y = cg_mul_scalar(x, 2);
    fprintf(out, "%s %s %s\n", py_bool(cg_requires_grad(y)), py_bool(cg_is_leaf(y)), cg_node_name(cg_grad_fn(y)));
    cg_requires_grad_(y, true);
    error_if(!cg_requires_grad_(y, false));
    error_if(!cg_requires_grad_(cg_tensor_i64(((int64_t[]){1, 2}), 2), true));
    show(cg_mul(F32(1), leaf(F32(2))));
}

static void grad_modes(void) {
    cg_tensor *x = leaf(F32(1)), *a, *b = NULL, *c, *d, *e;
    CG_NO_GRAD {
        a = cg_mul_scalar(x, 2);
        CG_ENABLE_GRAD { b = cg_mul_scalar(x, 2); }
        c = cg_mul_scalar(x, 2);
    }
    d = cg_mul_scalar(x, 2);
    fprintf(out, "%s %s %s %s\n", py_bool(cg_requires_grad(a)), py_bool(cg_requires_grad(b)),
            py_bool(cg_requires_grad(c)), py_bool(cg_requires_grad(d)));
    bool prev = cg_is_grad_enabled();
    cg_set_grad_enabled(false);
    e = cg_mul_scalar(x, 2);
    cg_set_grad_enabled(prev);
    fprintf(out, "%s %s %s\n", py_bool(prev), py_bool(cg_requires_grad(e)), py_bool(cg_is_grad_enabled()));
}

/* Python's [(name(f), i) for f, i in t.grad_fn.next_functions] */
static void print_next_list(const cg_tensor *t) {
    cg_node *fn = cg_grad_fn(t);
    fprintf(out, "[");
    for (int i = 0; i < cg_node_num_next(fn); i++) {
        int nr = 0;
        cg_node *next = cg_node_next(fn, i, &nr);
        fprintf(out, "%s('%s', %d)", i ? ", " : "", cg_node_name(next), nr);
    }
    fprintf(out, "]\n");
}

static void print_next(const cg_tensor *t) {
    fprintf(out, "%s ", cg_node_name(cg_grad_fn(t)));
    print_next_list(t);
}

static void next_functions(void) {
    cg_tensor *x = leaf(F32(1, 2));
    cg_tensor *y = cg_mul_scalar(x, 2);
    print_next(y);
    print_next(cg_add(y, x));
    cg_tensor *a = cg_clone(x);
    cg_copy_(cg_select(a, 0, 0), cg_scalar(5, CG_FLOAT32)); /* a[0] = 5 */
    print_next(a);
}

static void create_graph(void) {
    cg_tensor *x = leaf(cg_scalar(2, CG_FLOAT32)), *g, *gg;
    cg_autograd_grad(.outputs = CG_TENSORS(cg_pow_scalar(x, 3)), .inputs = CG_TENSORS(x), .results = &g,
                     .create_graph = true);
    show(g);
    cg_autograd_grad(.outputs = CG_TENSORS(g), .inputs = CG_TENSORS(x), .results = &gg);
    show(gg);
    cg_tensor *y = leaf(F32(1, 2, 3));
    cg_backward(cg_sum(cg_mul(y, y)), .create_graph = true);
    show(cg_grad(y));
    cg_backward(cg_sum(cg_mul(y, y)), .create_graph = true);
    show(cg_grad(y));
    cg_backward(cg_sum(cg_grad(y)));
    show(cg_grad(y));
    cg_set_grad(y, NULL); /* the grad's graph holds y: break the cycle, as PyTorch's docs advise */
}

static void autograd_grad(void) {
    cg_tensor *x = leaf(F32(1, 2)), *u = leaf(F32(3));
    cg_tensor *y = cg_sum(cg_mul(x, x)), *r[2];
    cg_autograd_grad(.outputs = CG_TENSORS(y), .inputs = CG_TENSORS(x, u), .results = r, .retain_graph = true,
                     .allow_unused = true);
    char a[256], b[256];
    cg_format(r[0], a, sizeof a);
    cg_format(r[1], b, sizeof b);
    fprintf(out, "(%s, %s)\n", a, b);
    error_if(cg_autograd_grad(.outputs = CG_TENSORS(y), .inputs = CG_TENSORS(x, u), .results = r,
                              .retain_graph = true));
    error_if(cg_autograd_grad(.outputs = CG_TENSORS(y), .inputs = CG_TENSORS(cg_ones(2)), .results = r,
                              .retain_graph = true));
    show(cg_grad(x));
    cg_tensor *z = cg_mul_scalar(x, 3);
    cg_autograd_grad(.outputs = CG_TENSORS(y, z), .inputs = CG_TENSORS(x), .results = r,
                     .grad_outputs = CG_TENSORS(cg_scalar(1, CG_FLOAT32), F32(1, 1)));
    cg_format(r[0], a, sizeof a);
    fprintf(out, "(%s,)\n", a);
}

static void backward_inputs(void) {
    cg_tensor *a = leaf(F32(1, 2)), *b = leaf(F32(3, 4));
    cg_backward(cg_sum(cg_mul(a, b)), .inputs = CG_TENSORS(a));
    SHOW(cg_grad(a), cg_grad(b));
    cg_tensor *c = cg_mul_scalar(a, 1);
    cg_retain_grad(c);
    cg_backward(cg_sum(cg_mul(c, b)), .inputs = CG_TENSORS(c));
    SHOW(cg_grad(c), cg_grad(a));
}

static cg_tensor *print_hook(cg_tensor *grad, void *label) {
    char text[256];
    cg_format(grad, text, sizeof text);
    fprintf(out, "%s %s\n", (const char *)label, text);
    return NULL;
}
static cg_tensor *times_ten(cg_tensor *grad, void *user) {
    (void)user;
    return cg_mul_scalar(grad, 10);
}
static cg_tensor *identity_hook(cg_tensor *grad, void *user) {
    (void)user;
    return grad;
}

static void retain_grad_and_hooks(void) {
    cg_tensor *x = leaf(F32(1, 2));
    cg_tensor *y = cg_mul_scalar(x, 3);
    cg_retain_grad(y);
    cg_tensor *z = cg_sum(cg_mul(y, y));
    cg_register_hook(y, print_hook, "hook on y");
    cg_register_hook(x, times_ten, NULL);
    cg_backward(z);
    show(cg_grad(y));
    show(cg_grad(x));
    error_if(cg_register_hook(cg_ones(2), identity_hook, NULL) < 0);
    error_if(cg_retain_grad(cg_ones(2)) < 0);
}

static cg_tensor *announce(cg_tensor *grad, void *name) {
    (void)grad;
    fprintf(out, "hook %s\n", (const char *)name);
    return NULL;
}

static void engine_order(void) {
    cg_tensor *a = leaf(F32(1));
    cg_tensor *b = cg_mul_scalar(a, 2), *c = cg_mul_scalar(a, 3), *d = cg_add(b, c);
    cg_register_hook(a, announce, "a");
    cg_register_hook(b, announce, "b");
    cg_register_hook(c, announce, "c");
    cg_register_hook(d, announce, "d");
    cg_backward(d);
}

static void detach_and_data(void) {
    cg_tensor *x = leaf(F32(1, 2));
    cg_tensor *y = cg_mul_scalar(x, 2);
    cg_tensor *d = cg_detach(y);
    fprintf(out, "%s %s %lld\n", py_bool(cg_requires_grad(d)), py_bool(cg_is_leaf(d)), (long long)cg_version(d));
    cg_zero_(d);
    char text[256];
    cg_format(y, text, sizeof text);
    fprintf(out, "%s %lld\n", text, (long long)cg_version(y));
    cg_tensor *e = cg_data(y);
    cg_add_scalar_(e, 1);
    cg_format(y, text, sizeof text);
    fprintf(out, "%s %lld %lld\n", text, (long long)cg_version(y), (long long)cg_version(e));
    cg_tensor *v = cg_slice(y, 0, 0, 1, 1);
    error_if(cg_detach_(v) < 0);
    cg_detach_(y);
    cg_format(y, text, sizeof text);
    fprintf(out, "%s %s\n", text, py_bool(cg_is_leaf(y)));
}

static void inplace_errors(void) {
    cg_tensor *x = leaf(F32(1, 2, 3));
    error_if(cg_zero_(x) < 0);
    error_if(cg_zero_(cg_slice(x, 0, 0, 1, 1)) < 0);
    cg_tensor *z = cg_zeros(3), *v = NULL;
    CG_NO_GRAD { v = cg_select(z, 0, 0); }
    error_if(cg_copy_(v, cg_select(x, 0, 0)) < 0);
    SHOW(x, z);
    cg_tensor *nv = NULL;
    CG_NO_GRAD { nv = cg_slice(x, 0, 0, 2, 1); }
    fprintf(out, "%s %s\n", py_bool(cg_requires_grad(nv)), py_bool(cg_is_leaf(nv)));
    error_if(cg_fill_(nv, 1) < 0);
    cg_tensor *y = cg_mul_scalar(x, 2);
    cg_tensor *w = cg_mul(y, y);
    cg_fill_(y, 1);
    error_if(cg_backward(cg_sum(w)));
    cg_tensor *c = cg_ones(3);
    cg_tensor *u = cg_mul(x, c);
    cg_add_scalar_(c, 1);
    error_if(cg_backward(cg_sum(u)));
    y = cg_mul_scalar(x, 1);
    cg_tensor *part = cg_slice(y, 0, 0, 2, 1);
    cg_tensor *p = cg_mul(part, part);
    cg_add_scalar_(y, 1);
    error_if(cg_backward(cg_sum(p)));
}

static void inplace_history(void) {
    cg_tensor *x = leaf(F32(1, 2, 3));
    cg_tensor *y = cg_mul_scalar(x, 1);
    cg_fill_(y, 2);
    show(y);
    y = cg_mul_scalar(x, 1);
    cg_zero_(y);
    show(y);
    cg_tensor *a = cg_clone(x);
    cg_copy_(cg_select(a, 0, 1), cg_mul_scalar(cg_select(x, 0, 0), 10));
    show(a);
    cg_backward(cg_sum(a));
    show(cg_grad(x));
    cg_tensor *z = cg_zeros(1, 3);
    cg_tensor *w = cg_select(cg_select(z, 0, 0), 0, 1);
    cg_copy_(w, cg_mul(cg_select(x, 0, 2), cg_select(x, 0, 2)));
    char a_text[256], b_text[256];
    cg_format(z, a_text, sizeof a_text);
    cg_format(w, b_text, sizeof b_text);
    fprintf(out, "%s %s %lld\n", a_text, b_text, (long long)cg_version(w));
}

static void index_assignment(void) {
    cg_tensor *x = leaf(F32(1, 2, 3));
    cg_tensor *y = cg_mul_scalar(x, 2);
    cg_set(y, 5, 1);
    char text[256];
    cg_format(y, text, sizeof text);
    fprintf(out, "%s ", text);
    print_next_list(y);
    cg_backward(cg_sum(y));
    show(cg_grad(x));
    error_if(cg_set(x, 1.0, 0) < 0);
    cg_tensor *z = cg_zeros(2);
    cg_set(z, 7, 0);
    show(z);
}

static void leaf_backward(void) {
    cg_tensor *x = leaf(F32(1, 2));
    cg_backward(x, .gradient = F32(3, 4));
    show(cg_grad(x));
    cg_backward(cg_sum(x));
    show(cg_grad(x));
}

static void broadcast_grads(void) {
    cg_tensor *a = leaf(cg_ones(3, 1)), *b = leaf(cg_ones(1, 4)), *c = leaf(cg_ones(4));
    cg_tensor *s = leaf(cg_scalar(1, CG_FLOAT32));
    cg_backward(cg_sum(cg_add(cg_add(cg_mul(a, b), c), s)));
    SHOW(cg_grad(a), cg_grad(b), cg_grad(c), cg_grad(s));
    cg_tensor *d = leaf(cg_ones_shape(CG_FLOAT64, CG_SHAPE(2)));
    cg_backward(cg_sum(cg_mul(d, cg_ones(2))), .gradient = cg_scalar(2, CG_INT64));
    show(cg_grad(d));
}

/* Every saved variable is checked when its node runs; a second backward fails through any node
 * that saved something (x * 2.0 saves its number as a tensor; CopySlices drops its inner node). */
static void saved_tensor_checks(void) {
    cg_tensor *x = leaf(F32(1, 2));
    cg_tensor *p = cg_pow(x, F32(2, 3));
    cg_add_scalar_(p, 1);
    error_if(cg_backward(cg_sum(p)));
    cg_tensor *h = cg_mul_scalar(x, 1);
    cg_tensor *m = cg_mean(h, CG_DIMS(0));
    cg_tensor *g = cg_gather(h, 0, cg_tensor_i64(((int64_t[]){1}), 1));
    cg_tensor *l = cg_nll_loss(cg_view(h, 1, 2), cg_tensor_i64(((int64_t[]){0}), 1));
    cg_add_scalar_(h, 1);
    error_if(cg_backward(m));
    error_if(cg_backward(cg_sum(g)));
    error_if(cg_backward(l));
    cg_tensor *i = cg_tensor_i64(((int64_t[]){1}), 1), *o = F32(1);
    cg_tensor *once[] = {cg_mul_scalar(x, 2.0), cg_div_scalar(x, 2), cg_mean(x, CG_DIMS(0)), cg_sum(x, CG_DIMS(0)),
                         cg_add_scalar(x, 2), cg_scatter_add(x, 0, i, o), cg_scatter(x, 0, i, o)};
    for (int k = 0; k < 7; k++) {
        cg_tensor *s = cg_sum(once[k]);
        cg_backward(s);
        error_if(cg_backward(s));
    }
    cg_tensor *y = cg_mul_scalar(x, 1);
    cg_mul_scalar_(y, 3);
    cg_tensor *s = cg_sum(y);
    cg_backward(s);
    error_if(cg_backward(s));
    y = cg_clone(x);
    cg_div_scalar_(y, 2.0);
    s = cg_sum(y);
    cg_backward(s);
    error_if(cg_backward(s));
    y = cg_clone(x);
    cg_pow_(y, F32(2, 3));
    cg_add_scalar_(y, 1);
    error_if(cg_backward(cg_sum(y)));
    cg_tensor *z = cg_zeros(2, 2);
    cg_copy_(cg_select(z, 0, 0), x);
    s = cg_sum(z);
    cg_backward(s);
    error_if(cg_backward(s));
    show(cg_grad(x));
}

/* PyTorch's order for copy_: autograd's rules, the written tensor's own overlap, its overlap with
 * the source, then the shape. */
static void write_overlap(void) {
    cg_tensor *x = leaf(cg_ones(2, 2));
    error_if(cg_copy_(x, cg_ones(3)));
    error_if(cg_copy_(cg_expand(cg_ones(2), 2, 2), cg_ones(3)));
    cg_tensor *z = F32(1, 2, 3, 4);
    error_if(cg_copy_(cg_slice(z, 0, 1, 4, 1), cg_slice(z, 0, 0, 2, 1)));
    error_if(cg_copy_(cg_slice(z, 0, 1, 4, 1), cg_slice(z, 0, 0, 3, 1)));
    error_if(cg_copy_(cg_slice(z, 0, 1, 4, 1), cg_select(cg_view(cg_slice(z, 0, 0, 3, 1), 3, 1), 1, 0)));
    cg_tensor *m = cg_view(F32(1, 2, 3, 4), 2, 2);
    error_if(cg_copy_(m, cg_select(m, 0, 1)));
    error_if(cg_copy_(m, cg_t(m)));
    error_if(cg_add_(m, cg_t(m)));
    error_if(cg_mul_(cg_slice(z, 0, 1, 4, 1), cg_slice(z, 0, 0, 3, 1)));
    cg_copy_(m, m);
    cg_copy_(m, cg_expand(cg_select(m, 0, 0), 2, 2));
    cg_copy_(cg_slice(z, 0, 2, 4, 1), cg_slice(z, 0, 0, 2, 1));
    SHOW(z, m);
}

/* The modified-by-inplace message names hand-written nodes by their C++ names. */
static void modified_names(void) {
    cg_tensor *x = leaf(F32(1, 2, 3));
    cg_tensor *z = cg_zeros(3);
    cg_copy_(cg_select(z, 0, 0), cg_select(x, 0, 0));
    cg_tensor *u = cg_sin(z);
    cg_copy_(cg_select(z, 0, 1), cg_select(x, 0, 1));
    error_if(cg_backward(cg_sum(u)));
    z = cg_zeros(3);
    cg_copy_(z, x);
    u = cg_sin(z);
    cg_copy_(z, x);
    error_if(cg_backward(cg_sum(u)));
    cg_tensor *y = cg_clone(x);
    u = cg_sin(cg_slice(y, 0, 0, 2, 1));
    cg_fill_(cg_select(y, 0, 2), 1);
    error_if(cg_backward(cg_sum(u)));
}

static void other_values(void) {
    cg_tensor *x = leaf(F32(1, 2));
    cg_tensor *y = cg_sum(cg_mul(x, x));
    cg_requires_grad_(x, false);
    cg_backward(y);
    show(cg_grad(x));
    cg_requires_grad_(x, true);
    y = cg_sum(cg_mul_scalar(x, 3));
    cg_requires_grad_(x, false);
    cg_requires_grad_(x, true);
    cg_backward(y);
    show(cg_grad(x));
    x = leaf(F32(1, 2));
    cg_tensor *a = cg_mul_scalar(x, 2);
    cg_tensor *s = cg_sum(cg_mul(a, a));
    cg_backward(s, .inputs = CG_TENSORS(x, a), .retain_graph = true);
    cg_backward(s, .inputs = CG_TENSORS(x, a));
    SHOW(cg_grad(x), cg_grad(a));
    cg_tensor *d = cg_scalar(2, CG_FLOAT64), *f = leaf(F32(1, 2));
    SHOW(cg_mse_loss(d, f), cg_mse_loss(f, d));
    error_if(!cg_mse_loss(f, cg_ones(3), .reduction = (cg_reduction)7));
    error_if(cg_backward(cg_mse_loss(d, f)));
    error_if(cg_backward(cg_mse_loss(f, d)));
    cg_tensor *g = leaf(cg_tensor_f64(((double[]){1, 2}), 2));
    error_if(cg_backward(cg_mse_loss(cg_ones(2), g)));
    y = cg_mul_scalar(cg_sum(f), 1);
    cg_tensor *z = cg_mul_scalar(f, 1);
    cg_set_at(y, 0, NULL, 1.5);
    cg_set(z, 2.5, 0);
    SHOW(y, z);
}

/* A piece of chunk/unbind/split, or a view made in no_grad mode, whose base (or another view) was
 * written in place has a history PyTorch refuses to regenerate: every use fails. */
static void stale_views(void) {
    cg_tensor *x = leaf(cg_ones(4)), *pieces[2];
    cg_tensor *h = cg_mul_scalar(x, 1);
    cg_chunk(h, 2, 0, pieces, 2);
    cg_tensor *a = pieces[0], *b = pieces[1];
    cg_add_scalar_(h, 1);
    fprintf(out, "%s\n", py_bool(cg_requires_grad(a)));
    error_if(!cg_grad_fn(a));
    error_if(cg_fprint(out, b) < 0);
    error_if(cg_backward(cg_sum(cg_mul_scalar(a, 2))));
    error_if(!cg_cat(CG_LIST(a, b), 0));
    cg_tensor *y = cg_zeros(2), *g;
    error_if(cg_add_(y, b));
    show(y);
    error_if(cg_autograd_grad(.outputs = CG_TENSORS(cg_sum(h)), .inputs = CG_TENSORS(a), .results = &g));
    error_if(cg_mul_scalar_(a, 2));
    cg_tensor *v = NULL;
    CG_NO_GRAD { v = cg_slice(h, 0, 0, 2, 1); }
    cg_mul_scalar_(h, 2);
    error_if(!cg_grad_fn(v));
    cg_tensor *u = cg_slice(h, 0, 0, 2, 1);
    cg_mul_scalar_(h, 2);
    fprintf(out, "%s\n", cg_node_name(cg_grad_fn(u)));
    cg_chunk(cg_mul_scalar(x, 1), 2, 0, pieces, 2);
    CG_NO_GRAD { cg_mul_scalar_(pieces[0], 2); }
    error_if(cg_backward(cg_sum(pieces[0])));
    cg_chunk(cg_ones(4), 2, 0, pieces, 2);
    cg_mul_scalar_(pieces[0], 2);
    show(pieces[0]);
}

/* A view requires grad when its base does, but one made in no_grad mode (or before its base
 * required grad) has no history and is no leaf that accumulates. */
static void view_requires_grad(void) {
    cg_tensor *x = leaf(F32(1, 2)), *v = NULL, *w = NULL, *g;
    CG_NO_GRAD { v = cg_slice(x, 0, 0, 1, 1); }
    cg_tensor *y = cg_mul_scalar(v, 2);
    int nr;
    cg_node *next0 = cg_node_next(cg_grad_fn(y), 0, &nr), *next1 = cg_node_next(cg_grad_fn(y), 1, NULL);
    fprintf(out, "%s %s %s [('%s', %d), ('%s', 0)]\n", py_bool(cg_requires_grad(v)), py_bool(cg_is_leaf(v)),
            py_bool(cg_requires_grad(y)), cg_node_name(next0), nr, cg_node_name(next1));
    cg_backward(cg_sum(y));
    SHOW(cg_grad(x), cg_grad(v));
    error_if(cg_backward(cg_sum(v)));
    CG_NO_GRAD { w = cg_view(x, 2); }
    error_if(cg_backward(w, .gradient = cg_ones(2)));
    error_if(cg_autograd_grad(.outputs = CG_TENSORS(cg_sum(y)), .inputs = CG_TENSORS(v), .results = &g));
    cg_tensor *b = cg_zeros(3), *u = cg_slice(b, 0, 0, 2, 1), *gs[2];
    cg_requires_grad_(b, true);
    fprintf(out, "%s %s\n", py_bool(cg_requires_grad(u)), py_bool(cg_is_leaf(u)));
    error_if(cg_add_scalar_(u, 1));
    error_if(cg_autograd_grad(.outputs = CG_TENSORS(cg_sum(cg_add_scalar(b, 2))), .inputs = CG_TENSORS(b, u),
                              .results = gs));
    cg_tensor *c = leaf(F32(1, 2)), *s = cg_squeeze_dim(c, -1);
    cg_detach_(c);
    error_if(cg_mul_(s, leaf(F32(1, 2))));
    cg_tensor *e = leaf(cg_zeros(3, 0, 1)), *t = NULL;
    CG_NO_GRAD {
        t = cg_transpose(e, -1, 1);
        cg_mul_scalar_(t, -2);
    }
    error_if(cg_fprint(out, t) < 0);
}

static const scenario scenarios[] = {
    {"accumulation", accumulation},   {"backward_errors", backward_errors},
    {"requires_grad_rules", requires_grad_rules}, {"grad_modes", grad_modes},
    {"next_functions", next_functions}, {"create_graph", create_graph},
    {"autograd_grad", autograd_grad}, {"backward_inputs", backward_inputs},
    {"retain_grad_and_hooks", retain_grad_and_hooks}, {"engine_order", engine_order},
    {"detach_and_data", detach_and_data}, {"inplace_errors", inplace_errors},
    {"inplace_history", inplace_history}, {"index_assignment", index_assignment},
    {"leaf_backward", leaf_backward},
    {"broadcast_grads", broadcast_grads}, {"saved_tensor_checks", saved_tensor_checks},
    {"write_overlap", write_overlap}, {"modified_names", modified_names},
    {"other_values", other_values}, {"stale_views", stale_views},
    {"view_requires_grad", view_requires_grad},
};

static void no_warnings(const char *message, void *user) {
    (void)message;
    (void)user;
}

static void test_scenarios(void) {
    cg_set_warning_handler(no_warnings, NULL);
    run_scenarios(scenarios, sizeof scenarios / sizeof scenarios[0], "tests/data/autograd.txt");
    cg_set_warning_handler(NULL, NULL);
}

static int warnings_seen;
static void count_warning(const char *message, void *user) {
    (void)user;
    if (strstr(message, "is not a leaf Tensor")) warnings_seen++;
}

static void test_non_leaf_grad_warns(void) {
    cg_set_warning_handler(count_warning, NULL);
    cg_tensor *x = leaf(F32(1, 2));
    cg_tensor *y = cg_mul_scalar(x, 2);
    CHECK(cg_grad(y) == NULL && warnings_seen == 1);
    CHECK(cg_grad(x) == NULL && warnings_seen == 1);
    cg_retain_grad(y);
    CHECK(cg_grad(y) == NULL && warnings_seen == 1);
    cg_tensor *z = cg_mul_scalar(x, 3); /* a .grad that backward(inputs=) filled: no warning */
    CHECK(cg_backward(cg_sum(z), .inputs = CG_TENSORS(z)) == 0);
    CHECK(cg_grad(z) != NULL && warnings_seen == 1);
    cg_set_warning_handler(NULL, NULL);
}

static void test_zero_grad_over_a_list(void) {
    cg_tensor *a = leaf(F32(1, 2)), *b = leaf(F32(3)), *c = leaf(F32(4));
    cg_backward(cg_add(cg_sum(cg_mul(a, a)), cg_sum(b)));
    CHECK(harness_values_close(cg_grad(a), (double[]){2, 4}, 0));
    CHECK(cg_zero_grad(CG_TENSORS(a, b, c)) == 0); /* c has no grad yet: left as it is */
    CHECK(harness_values_close(cg_grad(a), (double[]){0, 0}, 0));
    CHECK(harness_values_close(cg_grad(b), (double[]){0}, 0));
    CHECK(cg_grad(c) == NULL);
    CHECK(cg_zero_grad(CG_TENSORS(a, NULL)) == -1);
}

static void test_hook_removal(void) {
    cg_tensor *x = leaf(F32(1, 2));
    int handle = cg_register_hook(x, times_ten, NULL);
    CHECK(handle > 0);
    CHECK(cg_remove_hook(x, handle) == 0);
    CHECK(cg_remove_hook(x, handle) == -1);
    cg_backward(cg_sum(x));
    CHECK(harness_values_close(cg_grad(x), (double[]){1, 1}, 0));
}

/* A long chain is freed and backwarded without recursion, and a loop of graphs keeps memory flat. */
static void test_long_chain(void) {
    cg_tensor *x = leaf(F32(1));
    cg_tensor *y = x;
    for (int i = 0; i < 100000; i++) y = cg_mul_scalar(y, 1.0);
    CHECK(cg_backward(y) == 0);
    CHECK(harness_values_close(cg_grad(x), (double[]){1}, 0));
}

static void test_graph_freed_with_its_tensors(void) {
    cg_tensor *w = leaf(F32(0.5f, -0.5f));
    for (int step = 0; step < 1000; step++) {
        CG_SCOPE {
            cg_tensor *loss = cg_sum(cg_mul(cg_mul(w, w), F32(1, 2)));
            cg_backward(loss);
            CG_NO_GRAD { cg_add_(w, cg_mul_scalar(cg_grad(w), -0.1)); }
            cg_zero_(cg_grad(w));
        }
    }
    double v = 0;
    CHECK(cg_get(w, &v, 0) == 0 && fabs(v) < 1e-6);
}

static int cycle_warnings;
static char cycle_warning[1024];
static void record_warning(const char *message, void *user) {
    (void)user;
    cycle_warnings++;
    snprintf(cycle_warning, sizeof cycle_warning, "%s", message);
}

/* PyTorch warns once per process (so this test runs first), when a backward() with create_graph
 * passes its checks; autograd.grad never warns. */
static void test_create_graph_cycle_warning(void) {
    cg_set_warning_handler(record_warning, NULL);
    cg_tensor *x = leaf(F32(1, 2)), *g;
    CHECK(cg_backward(cg_mul(x, x), .create_graph = true) < 0);
    CHECK(cg_backward(cg_sum(cg_mul(x, x)), .gradient = cg_ones(2), .create_graph = true) < 0);
    CHECK(cg_autograd_grad(.outputs = CG_TENSORS(cg_sum(cg_mul(x, x))), .inputs = CG_TENSORS(x), .results = &g,
                           .create_graph = true) == 0);
    CHECK(cycle_warnings == 0);
    CHECK(cg_backward(cg_sum(cg_mul(x, x)), .create_graph = true) == 0);
    CHECK(cg_backward(cg_sum(cg_mul(x, x)), .create_graph = true) == 0);
    CHECK(cycle_warnings == 1);
    CHECK_STR(cycle_warning, "Using backward() with create_graph=True will create a reference cycle between the "
                             "parameter and its gradient which can cause a memory leak. We recommend using "
                             "autograd.grad when creating the graph to avoid this. If you have to use this function, "
                             "make sure to reset the .grad fields of your parameters to None after use to break the "
                             "cycle and avoid the leak.");
    cg_set_grad(x, NULL); /* breaks the cycle, as the warning says */
    cg_set_warning_handler(NULL, NULL);
}

int main(void) {
    RUN(test_create_graph_cycle_warning);
    RUN(test_scenarios);
    RUN(test_non_leaf_grad_warns);
    RUN(test_hook_removal);
    RUN(test_zero_grad_over_a_list);
    RUN(test_long_chain);
    RUN(test_graph_freed_with_its_tensors);
    HARNESS_END();
}
