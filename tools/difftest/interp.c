/* The C side of the differential tester: runs a batch of difftest programs (the language of
 * tools/difftest/README.md) with cgrad's public API and prints the same transcript as
 * run_torch.py prints with PyTorch.
 *
 * Usage: difftest BATCH [FIRST]  (FIRST: skip the programs before the one with that number)
 * Each program runs in its own scope with grad mode on; a statement whose inputs are undefined
 * prints "undef", a failing call prints "err ?: " and cg_last_error(). */
#include "cgrad.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VARS 4096
#define MAX_TOKS 64
#define MAX_LIST 64

static cg_tensor *vars[MAX_VARS];
static int stmt;  /* the statement number within the program */
static FILE *out; /* the transcript */

/* ---- output ---------------------------------------------------------------------------------- */

static void put_escaped(const char *s) {
    for (; *s; s++) {
        if (*s == '\\') fputs("\\\\", out);
        else if (*s == '\n') fputs("\\n", out);
        else fputc(*s, out);
    }
}

static void put_values(const cg_tensor *t) {
    cg_tensor *c = cg_contiguous(cg_detach((cg_tensor *)t));
    if (!c) {
        fprintf(out, "?");
        return;
    }
    int64_t n = cg_numel(c);
    const void *p = cg_data_ptr(c);
    for (int64_t i = 0; i < n; i++) {
        if (i) fputc(',', out);
        switch (cg_get_dtype(c)) {
        case CG_FLOAT32: {
            float v = ((const float *)p)[i];
            uint32_t bits;
            memcpy(&bits, &v, 4);
            if (isnan(v)) fprintf(out, "nan");
            else fprintf(out, "%08" PRIx32, bits);
            break;
        }
        case CG_FLOAT64: {
            double v = ((const double *)p)[i];
            uint64_t bits;
            memcpy(&bits, &v, 8);
            if (isnan(v)) fprintf(out, "nan");
            else fprintf(out, "%016" PRIx64, bits);
            break;
        }
        case CG_INT64: fprintf(out, "%" PRId64, ((const int64_t *)p)[i]); break;
        case CG_BOOL: fprintf(out, "%d", ((const bool *)p)[i] ? 1 : 0); break;
        }
    }
}

/* version: false for gradients, whose version counters are the engine's business */
static void put_desc_v(const cg_tensor *t, bool data, bool version) {
    if (!t) {
        fprintf(out, "None");
        return;
    }
    fprintf(out, "T %s [", cg_dtype_name(cg_get_dtype(t)));
    for (int i = 0; i < cg_ndim(t); i++) fprintf(out, i ? ",%" PRId64 : "%" PRId64, cg_sizes(t)[i]);
    fprintf(out, "] st=[");
    for (int i = 0; i < cg_ndim(t); i++) fprintf(out, i ? ",%" PRId64 : "%" PRId64, cg_strides(t)[i]);
    cg_node *fn = cg_grad_fn(t);
    fprintf(out, "] off=%" PRId64 " rg=%d leaf=%d fn=%s v=", cg_storage_offset(t), cg_requires_grad(t), cg_is_leaf(t),
            fn ? cg_node_name(fn) : "-");
    if (version) fprintf(out, "%" PRId64, cg_version(t));
    else fputc('-', out);
    fputs(" data=[", out);
    if (data) put_values(t);
    else fputc('*', out);
    fputc(']', out);
}

static void put_desc(const cg_tensor *t, bool data) { put_desc_v(t, data, true); }

/* Warnings are printed after the statement's line, as run_torch.py does. */
static char warnings[16][1024];
static int nwarnings;

static void on_warning(const char *message, void *user) {
    (void)user;
    /* given once per process: whether it shows depends on the programs before (run_torch.py's ONCE_WARNINGS) */
    if (strncmp(message, "Using backward() with create_graph=True will create a reference cycle", 69) == 0) return;
    if (nwarnings < 16) snprintf(warnings[nwarnings++], sizeof warnings[0], "%s", message);
}

/* ---- hooks ----------------------------------------------------------------------------------- */

typedef struct {
    char kind[8];
    char tag[16];
} hook_spec;
static hook_spec hooks[256];
static int hook_handles[256];
static cg_tensor *hook_tensors[256]; /* the tensor each hook was registered on */
static int nhooks;

static cg_tensor *run_hook(cg_tensor *grad, void *user) {
    hook_spec *h = user;
    if (strcmp(h->kind, "print") == 0) {
        fprintf(out, "%dH: %s ", stmt, h->tag);
        put_desc_v(grad, true, false);
        fputc('\n', out);
        return NULL;
    }
    if (strcmp(h->kind, "mul2") == 0) return cg_mul_scalar(grad, 2);
    return NULL;
}

/* ---- functions for the functional API (run_torch.py's FUNCTIONS) ---------------------------- */

static int fn_mulsum(cg_tensor **in, cg_tensor **out, void *user) { /* (a * b).sum() */
    (void)user;
    out[0] = cg_sum(cg_mul(in[0], in[1]));
    return out[0] ? 1 : -1;
}
static int fn_expmul(cg_tensor **in, cg_tensor **out, void *user) { /* a.exp() * b */
    (void)user;
    out[0] = cg_mul(cg_exp(in[0]), in[1]);
    return out[0] ? 1 : -1;
}
static int fn_two(cg_tensor **in, cg_tensor **out, void *user) { /* (a * a, a.sin()) */
    (void)user;
    out[0] = cg_mul(in[0], in[0]);
    out[1] = cg_sin(in[0]);
    return out[0] && out[1] ? 2 : -1;
}
static int fn_const(cg_tensor **in, cg_tensor **out, void *user) { /* a * 2, b unused */
    (void)user;
    out[0] = cg_mul_scalar(in[0], 2);
    return out[0] ? 1 : -1;
}
static int fn_tanhsum(cg_tensor **in, cg_tensor **out, void *user) { /* a.tanh().sum() */
    (void)user;
    out[0] = cg_sum(cg_tanh(in[0]));
    return out[0] ? 1 : -1;
}
static int fn_cube(cg_tensor **in, cg_tensor **out, void *user) { /* (a ** 3).sum() + (a * b).sum() */
    (void)user;
    out[0] = cg_add(cg_sum(cg_pow_scalar(in[0], 3)), cg_sum(cg_mul(in[0], in[1])));
    return out[0] ? 1 : -1;
}
static const struct {
    const char *name;
    cg_function fn;
} functions[] = {{"mulsum", fn_mulsum}, {"expmul", fn_expmul}, {"two", fn_two},
                 {"const", fn_const}, {"tanhsum", fn_tanhsum}, {"cube", fn_cube}};

/* ---- parsing --------------------------------------------------------------------------------- */

typedef struct {
    char *outs[MAX_LIST];
    int nouts;
    const char *op;
    char *pos[MAX_TOKS];
    int npos;
    char *kwk[MAX_TOKS], *kwv[MAX_TOKS];
    int nkw;
    bool undef;  /* an input is undefined: the statement prints "undef" */
} statement;

static int var_index(const char *name) {
    if (name[0] != 't') return -1;
    char *end;
    long i = strtol(name + 1, &end, 10);
    return *end == '\0' && i >= 0 && i < MAX_VARS ? (int)i : -1;
}

static cg_tensor *T(statement *s, const char *tok) {
    if (strcmp(tok, "None") == 0) return NULL;
    int i = var_index(tok);
    if (i < 0 || !vars[i]) {
        s->undef = true;
        return NULL;
    }
    return vars[i];
}

static int64_t I(const char *tok) { return strtoll(tok, NULL, 10); }
static double F(const char *tok) { return strtod(tok, NULL); }
static bool B(const char *tok) { return strcmp(tok, "1") == 0; }

static cg_number N(const char *tok) {
    if (strcmp(tok, "None") == 0) return CG_NO_BOUND;
    const char *v = tok + 2;
    switch (tok[0]) {
    case 'i': return cg_number_int(strtoll(v, NULL, 10));
    case 'u': return cg_number_uint(strtoull(v, NULL, 10));
    case 'b': return cg_number_bool(strcmp(v, "1") == 0);
    default: return cg_number_float(strtod(v, NULL));
    }
}

static cg_dtype D(const char *tok) {
    if (strcmp(tok, "f64") == 0) return CG_FLOAT64;
    if (strcmp(tok, "i64") == 0) return CG_INT64;
    if (strcmp(tok, "bool") == 0) return CG_BOOL;
    return CG_FLOAT32;
}

/* Splits "[a,b,c]" in place into its items; returns how many. */
static int split_list(char *tok, char **items, int cap) {
    size_t len = strlen(tok);
    if (len < 2 || tok[0] != '[' || tok[len - 1] != ']') return 0;
    tok[len - 1] = '\0';
    char *p = tok + 1;
    if (!*p) return 0;
    int n = 0;
    while (p && n < cap) {
        items[n++] = p;
        char *comma = strchr(p, ',');
        if (comma) *comma++ = '\0';
        p = comma;
    }
    return n;
}

static int ints(char *tok, int64_t *out) {
    char copy[4096], *items[MAX_LIST];
    snprintf(copy, sizeof copy, "%s", tok);
    int n = split_list(copy, items, MAX_LIST);
    for (int i = 0; i < n; i++) out[i] = I(items[i]);
    return n;
}

static int tlist(statement *s, char *tok, cg_tensor **out) {
    char copy[4096], *items[MAX_LIST];
    snprintf(copy, sizeof copy, "%s", tok);
    int n = split_list(copy, items, MAX_LIST);
    for (int i = 0; i < n; i++) out[i] = T(s, items[i]);
    return n;
}

static const char *kw(statement *s, const char *key, const char *dflt) {
    for (int i = 0; i < s->nkw; i++)
        if (strcmp(s->kwk[i], key) == 0) return s->kwv[i];
    return dflt;
}

static cg_tensor_list kw_list(statement *s, const char *key, cg_tensor **room) {
    const char *v = kw(s, key, NULL);
    if (!v) return (cg_tensor_list){NULL, 0};
    char copy[4096];
    snprintf(copy, sizeof copy, "%s", v);
    return (cg_tensor_list){room, tlist(s, copy, room)};
}

/* ---- results --------------------------------------------------------------------------------- */

typedef enum { R_TENSOR, R_TENSORS, R_OK, R_ERR, R_TEXT, R_DESC } result_kind;
typedef struct {
    result_kind kind;
    cg_tensor *t[MAX_LIST];
    int n;
    bool nodata;
    char text[256];
} result;

static void set_tensor(result *r, cg_tensor *t) {
    r->kind = t ? R_TENSOR : R_ERR;
    r->t[0] = t;
    r->n = 1;
}

static void set_status(result *r, int status, cg_tensor *t) {
    r->kind = status < 0 ? R_ERR : t ? R_DESC : R_OK;
    r->t[0] = t;
}

static cg_reduction reduction(statement *s) {
    const char *r = kw(s, "red", "mean");
    return strcmp(r, "sum") == 0 ? CG_REDUCTION_SUM : strcmp(r, "none") == 0 ? CG_REDUCTION_NONE : CG_REDUCTION_MEAN;
}

static cg_reduce_args reduce_args(statement *s, cg_tensor *t) {
    cg_reduce_args a = {.input = t, .keepdim = B(kw(s, "keepdim", "0")), .biased = B(kw(s, "biased", "0"))};
    const char *dims = kw(s, "dims", NULL);
    if (dims) {
        int64_t d[MAX_LIST];
        char copy[256];
        snprintf(copy, sizeof copy, "%s", dims);
        int n = ints(copy, d);
        if (n > CG_MAX_DIMS) n = CG_MAX_DIMS;
        a.ndims = n;
        for (int i = 0; i < n; i++) a.dims[i] = (int)d[i];
    }
    return a;
}

typedef cg_tensor *(*binary_fn)(cg_tensor *, cg_tensor *);
typedef cg_tensor *(*number_fn)(cg_tensor *, cg_number);
typedef cg_tensor *(*unary_fn)(cg_tensor *);
typedef int (*inplace_fn)(cg_tensor *, cg_tensor *);
typedef int (*inplace_number_fn)(cg_tensor *, cg_number);

static const struct {
    const char *name;
    binary_fn fn;
} binaries[] = {{"add", cg_add}, {"sub", cg_sub}, {"mul", cg_mul}, {"div", cg_div}, {"pow", cg_pow},
                {"maximum", cg_maximum}, {"minimum", cg_minimum}, {"eq", cg_eq}, {"ne", cg_ne}, {"lt", cg_lt},
                {"le", cg_le}, {"gt", cg_gt}, {"ge", cg_ge}, {"dot", cg_dot}, {"mv", cg_mv}, {"mm", cg_mm},
                {"bmm", cg_bmm}, {"matmul", cg_matmul}};
static const struct {
    const char *name;
    number_fn fn;
} numbers[] = {{"addn", cg_add_number}, {"subn", cg_sub_number}, {"rsubn", cg_rsub_number},
               {"muln", cg_mul_number}, {"divn", cg_div_number}, {"rdivn", cg_rdiv_number},
               {"pown", cg_pow_number}, {"rpown", cg_rpow_number}, {"eqn", cg_eq_number}, {"nen", cg_ne_number},
               {"ltn", cg_lt_number}, {"len", cg_le_number}, {"gtn", cg_gt_number}, {"gen", cg_ge_number}};
static const struct {
    const char *name;
    unary_fn fn;
} unaries[] = {{"neg", cg_neg}, {"exp", cg_exp}, {"log", cg_log}, {"log1p", cg_log1p}, {"sqrt", cg_sqrt},
               {"abs", cg_abs}, {"sign", cg_sign}, {"sin", cg_sin}, {"cos", cg_cos}, {"tan", cg_tan},
               {"tanh", cg_tanh}, {"sigmoid", cg_sigmoid}, {"relu", cg_relu}, {"contiguous", cg_contiguous},
               {"clone", cg_clone}, {"squeeze", cg_squeeze}, {"t", cg_t}, {"prod", cg_prod}, {"max", cg_max},
               {"min", cg_min}, {"argmax", cg_argmax}, {"argmin", cg_argmin}, {"detach", cg_detach},
               {"data", cg_data}, {"zeros_like", (unary_fn)cg_zeros_like}, {"ones_like", (unary_fn)cg_ones_like},
               {"empty_like", (unary_fn)cg_empty_like}};
static const struct {
    const char *name;
    inplace_fn fn;
} inplaces[] = {{"add_", cg_add_}, {"sub_", cg_sub_}, {"mul_", cg_mul_}, {"div_", cg_div_}, {"copy_", cg_copy_},
                {"pow_", cg_pow_}};
static const struct {
    const char *name;
    inplace_number_fn fn;
} inplace_numbers[] = {{"addn_", cg_add_number_}, {"subn_", cg_sub_number_}, {"muln_", cg_mul_number_},
                       {"divn_", cg_div_number_}, {"pown_", cg_pow_number_}, {"fill_", cg_fill_number_}};
static const struct {
    const char *name;
    int (*fn)(cg_tensor *);
} inplace_unaries[] = {{"neg_", cg_neg_}, {"exp_", cg_exp_}, {"log_", cg_log_}, {"log1p_", cg_log1p_},
                       {"sqrt_", cg_sqrt_}, {"abs_", cg_abs_}, {"sign_", cg_sign_}, {"sin_", cg_sin_},
                       {"cos_", cg_cos_}, {"tan_", cg_tan_}, {"tanh_", cg_tanh_}, {"sigmoid_", cg_sigmoid_},
                       {"relu_", cg_relu_}, {"zero_", cg_zero_}};
typedef cg_tensor *(*ternary_number_fn)(cg_tensor *, cg_tensor *, cg_tensor *, cg_number);
typedef int (*ternary_number_fn_)(cg_tensor *, cg_tensor *, cg_tensor *, cg_number);
static const struct {
    const char *name;
    ternary_number_fn fn;
    ternary_number_fn_ fn_;
} ternaries[] = {{"addcmul", cg_addcmul_number, cg_addcmul_number_}, {"addcdiv", cg_addcdiv_number, cg_addcdiv_number_}};
static const struct {
    const char *name;
    cg_tensor *(*fn)(cg_loss_args);
} losses[] = {{"bce", cg_binary_cross_entropy_with_logits_opts}, {"mse", cg_mse_loss_opts},
              {"nll", cg_nll_loss_opts}, {"ce", cg_cross_entropy_opts}};

#define LOOKUP(table, op) \
    for (size_t i_ = 0; i_ < sizeof table / sizeof table[0]; i_++) \
        if (strcmp(table[i_].name, op) == 0)

/* ---- torch.nn.functional and torch.optim (the training-era API) ------------------------------ */

static cg_ints kw_ints(statement *s, const char *key) {
    cg_ints v = {0};
    const char *tok = kw(s, key, NULL);
    if (!tok) return v;
    int64_t d[MAX_LIST];
    char copy[256];
    snprintf(copy, sizeof copy, "%s", tok);
    int n = ints(copy, d);
    v.n = n > 3 ? 3 : n;
    for (int i = 0; i < v.n; i++) v.v[i] = d[i];
    return v;
}

static cg_ints pos_ints(char *tok) {
    cg_ints v = {0};
    int64_t d[MAX_LIST];
    int n = ints(tok, d);
    v.n = n > 3 ? 3 : n;
    for (int i = 0; i < v.n; i++) v.v[i] = d[i];
    return v;
}

static cg_opt kw_opt(statement *s, const char *key) {
    const char *v = kw(s, key, NULL);
    return v ? (cg_opt){true, F(v)} : (cg_opt){false, 0};
}

static cg_tensor *kw_tensor(statement *s, const char *key) {
    const char *v = kw(s, key, NULL);
    return v ? T(s, v) : NULL;
}

static const struct {
    const char *name;
    unary_fn fn;
} activations[] = {{"relu6", cg_relu6}, {"selu", cg_selu}, {"silu", cg_silu}, {"hardsigmoid", cg_hardsigmoid},
                   {"hardswish", cg_hardswish}, {"mish", cg_mish}, {"logsigmoid", cg_logsigmoid},
                   {"softsign", cg_softsign}, {"tanhshrink", cg_tanhshrink}, {"erf", cg_erf}};
static const struct {
    const char *name;
    cg_tensor *(*fn)(cg_loss_args);
} nn_losses[] = {{"bce_prob", cg_binary_cross_entropy_opts}, {"l1", cg_l1_loss_opts},
                 {"smooth_l1", cg_smooth_l1_loss_opts}, {"huber", cg_huber_loss_opts}, {"kl_div", cg_kl_div_opts},
                 {"poisson_nll", cg_poisson_nll_loss_opts}, {"gaussian_nll", cg_gaussian_nll_loss_opts},
                 {"margin_ranking", cg_margin_ranking_loss_opts}, {"hinge_embedding", cg_hinge_embedding_loss_opts},
                 {"cosine_embedding", cg_cosine_embedding_loss_opts}, {"triplet_margin", cg_triplet_margin_loss_opts},
                 {"soft_margin", cg_soft_margin_loss_opts}, {"multilabel_soft_margin", cg_multilabel_soft_margin_loss_opts}};
static const struct {
    const char *name;
    cg_optim_kind kind;
} optimizers[] = {{"sgd", CG_SGD}, {"adam", CG_ADAM}, {"adamw", CG_ADAMW}, {"rmsprop", CG_RMSPROP},
                  {"adagrad", CG_ADAGRAD}, {"adadelta", CG_ADADELTA}, {"adamax", CG_ADAMAX}, {"nadam", CG_NADAM},
                  {"radam", CG_RADAM}};

/* A loss statement: OP INPUT TARGET red=.. and PyTorch's options as keywords (README). */
static cg_loss_args loss_args(statement *s, cg_tensor *input, cg_tensor *target) {
    const char *red = kw(s, "red", "mean");
    cg_loss_args a = {.input = input, .target = target, .reduction = reduction(s),
                      .weight = kw_tensor(s, "weight"), .pos_weight = kw_tensor(s, "pos_weight"),
                      .ignore_index = kw_opt(s, "ignore"), .label_smoothing = F(kw(s, "smoothing", "0")),
                      .beta = kw_opt(s, "beta"), .delta = kw_opt(s, "delta"), .log_target = B(kw(s, "log_target", "0")),
                      .log_input = kw_opt(s, "log_input"), .full = B(kw(s, "full", "0")), .eps = kw_opt(s, "eps"),
                      .var = kw_tensor(s, "var"), .margin = kw_opt(s, "margin"), .p = kw_opt(s, "p"),
                      .swap = B(kw(s, "swap", "0")), .input2 = kw_tensor(s, "x2")};
    if (strcmp(red, "batchmean") == 0) a.reduction = CG_REDUCTION_BATCHMEAN;
    return a;
}

/* Two results (an output and the int64 indices of max pools); one when indices were not asked. */
static void set_pair(result *r, cg_tensor *t, cg_tensor *second, bool two) {
    if (!t || !two) {
        set_tensor(r, t);
        return;
    }
    r->kind = R_TENSORS;
    r->t[0] = t;
    r->t[1] = second;
    r->n = 2;
}

static int optimizer_step(statement *s, cg_optim_kind kind) {
    cg_tensor *params[MAX_LIST];
    int n = tlist(s, s->pos[0], params);
    if (s->undef) return 0;
    cg_optim_options o = cg_optim_defaults(kind); /* an option not given keeps PyTorch's default */
    o.lr = F(kw(s, "lr", "0.01"));
    if (kw(s, "momentum", NULL)) o.momentum = F(kw(s, "momentum", NULL));
    if (kw(s, "wd", NULL)) o.weight_decay = F(kw(s, "wd", NULL));
    o.nesterov = B(kw(s, "nesterov", "0"));
    o.amsgrad = B(kw(s, "amsgrad", "0"));
    o.maximize = B(kw(s, "maximize", "0"));
    o.centered = B(kw(s, "centered", "0"));
    cg_optimizer *opt = cg_optimizer_new(kind, (cg_tensor_list){params, n}, o);
    if (!opt) return -1;
    int rc = 0;
    for (int64_t i = 0; i < I(kw(s, "steps", "1")) && rc == 0; i++) rc = cg_optimizer_step(opt);
    cg_optimizer_free(opt);
    return rc;
}

/* The statements of this section (README's "training"); false if op is none of them. */
static bool execute_nn(statement *s, result *r) {
    const char *op = s->op;
    char **p = s->pos;
    LOOKUP(activations, op) {
        cg_tensor *a = T(s, p[0]);
        if (!s->undef) set_tensor(r, activations[i_].fn(a));
        return true;
    }
    LOOKUP(nn_losses, op) {
        cg_tensor *a = T(s, p[0]), *b = T(s, p[1]);
        cg_loss_args la = loss_args(s, a, b);
        if (!s->undef) set_tensor(r, nn_losses[i_].fn(la));
        return true;
    }
    LOOKUP(optimizers, op) {
        set_status(r, optimizer_step(s, optimizers[i_].kind), NULL);
        return true;
    }
    cg_tensor *a = T(s, p[0]);
    if (strcmp(op, "leaky_relu") == 0 || strcmp(op, "elu") == 0 || strcmp(op, "celu") == 0) {
        if (!s->undef) set_tensor(r, op[0] == 'l' ? cg_leaky_relu(a, F(p[1])) : op[0] == 'e' ? cg_elu(a, F(p[1])) : cg_celu(a, F(p[1])));
    } else if (strcmp(op, "hardtanh") == 0 || strcmp(op, "softplus") == 0) {
        if (!s->undef) set_tensor(r, op[0] == 'h' ? cg_hardtanh(a, F(p[1]), F(p[2])) : cg_softplus(a, F(p[1]), F(p[2])));
    } else if (strcmp(op, "gelu") == 0) {
        if (!s->undef) set_tensor(r, cg_gelu(a, p[1]));
    } else if (strcmp(op, "softmin") == 0 || strcmp(op, "glu") == 0) {
        if (!s->undef) set_tensor(r, op[0] == 's' ? cg_softmin(a, (int)I(p[1])) : cg_glu(a, (int)I(p[1])));
    } else if (strcmp(op, "prelu") == 0) {
        cg_tensor *w = T(s, p[1]);
        if (!s->undef) set_tensor(r, cg_prelu(a, w));
    } else if (strcmp(op, "normalize") == 0) {
        if (!s->undef) set_tensor(r, cg_normalize(a, F(p[1]), (int)I(p[2]), F(p[3])));
    } else if (strcmp(op, "cosine_similarity") == 0) {
        cg_tensor *b = T(s, p[1]);
        if (!s->undef) set_tensor(r, cg_cosine_similarity(a, b, (int)I(p[2]), F(p[3])));
    } else if (strcmp(op, "pairwise_distance") == 0) {
        cg_tensor *b = T(s, p[1]);
        if (!s->undef) set_tensor(r, cg_pairwise_distance(a, b, F(p[2]), F(p[3]), B(p[4])));
    } else if (strcmp(op, "linear") == 0) { /* linear X W B|None: without a bias, matmul(x, w.t()) as PyTorch's */
        cg_tensor *w = T(s, p[1]), *b = T(s, p[2]);
        if (!s->undef) set_tensor(r, b ? cg_linear(a, w, b) : cg_matmul(a, cg_t(w)));
    } else if (strcmp(op, "bilinear") == 0) {
        cg_tensor *b = T(s, p[1]), *w = T(s, p[2]), *bias = T(s, p[3]);
        if (!s->undef) set_tensor(r, cg_bilinear(a, b, w, bias));
    } else if (strcmp(op, "layer_norm") == 0) { /* layer_norm X [SHAPE] W B EPS */
        int64_t sh[MAX_LIST];
        int k = ints(p[1], sh);
        cg_tensor *w = T(s, p[2]), *b = T(s, p[3]);
        if (!s->undef) set_tensor(r, cg_layer_norm(a, k, sh, w, b, F(p[4])));
    } else if (strcmp(op, "batch_norm") == 0 || strcmp(op, "instance_norm") == 0) { /* X RM RV W B TRAIN MOMENTUM EPS */
        cg_tensor *rm = T(s, p[1]), *rv = T(s, p[2]), *w = T(s, p[3]), *b = T(s, p[4]);
        if (!s->undef)
            set_tensor(r, op[0] == 'b' ? cg_batch_norm(a, rm, rv, w, b, B(p[5]), F(p[6]), F(p[7]))
                                       : cg_instance_norm(a, rm, rv, w, b, B(p[5]), F(p[6]), F(p[7])));
    } else if (strcmp(op, "group_norm") == 0) { /* group_norm X G W B EPS */
        cg_tensor *w = T(s, p[2]), *b = T(s, p[3]);
        if (!s->undef) set_tensor(r, cg_group_norm(a, I(p[1]), w, b, F(p[4])));
    } else if (strcmp(op, "dropout") == 0 || strcmp(op, "dropout2d") == 0) {
        if (!s->undef) set_tensor(r, op[7] ? cg_dropout2d(a, F(p[1]), B(p[2])) : cg_dropout(a, F(p[1]), B(p[2])));
    } else if (strcmp(op, "conv1d") == 0 || strcmp(op, "conv2d") == 0) { /* X W B|None stride= padding= dilation= groups= padstr= */
        cg_tensor *w = T(s, p[1]), *b = T(s, p[2]);
        cg_conv_args ca = {.input = a, .weight = w, .bias = b, .stride = kw_ints(s, "stride"),
                           .padding = kw_ints(s, "padding"), .dilation = kw_ints(s, "dilation"),
                           .groups = I(kw(s, "groups", "0")), .padding_str = kw(s, "padstr", NULL)};
        if (!s->undef) set_tensor(r, op[4] == '1' ? cg_conv1d_opts(ca) : cg_conv2d_opts(ca));
    } else if (strcmp(op, "conv_transpose1d") == 0 || strcmp(op, "conv_transpose2d") == 0) {
        cg_tensor *w = T(s, p[1]), *b = T(s, p[2]);
        cg_conv_transpose_args ca = {.input = a, .weight = w, .bias = b, .stride = kw_ints(s, "stride"),
                                     .padding = kw_ints(s, "padding"), .output_padding = kw_ints(s, "outpad"),
                                     .groups = I(kw(s, "groups", "0")), .dilation = kw_ints(s, "dilation")};
        if (!s->undef) set_tensor(r, op[14] == '1' ? cg_conv_transpose1d_opts(ca) : cg_conv_transpose2d_opts(ca));
    } else if (strcmp(op, "max_pool1d") == 0 || strcmp(op, "max_pool2d") == 0) { /* X [K] stride= padding= dilation= ceil= indices= */
        cg_tensor *idx = NULL;
        bool two = B(kw(s, "indices", "0"));
        cg_max_pool_args ma = {.input = a, .kernel_size = pos_ints(p[1]), .stride = kw_ints(s, "stride"),
                               .padding = kw_ints(s, "padding"), .dilation = kw_ints(s, "dilation"),
                               .ceil_mode = B(kw(s, "ceil", "0")), .indices = two ? &idx : NULL};
        if (s->undef) return true;
        cg_tensor *t = op[8] == '1' ? cg_max_pool1d_opts(ma) : cg_max_pool2d_opts(ma);
        set_pair(r, t, idx, two);
    } else if (strcmp(op, "avg_pool1d") == 0 || strcmp(op, "avg_pool2d") == 0) { /* X [K] stride= padding= ceil= exclude= divisor= */
        cg_avg_pool_args aa = {.input = a, .kernel_size = pos_ints(p[1]), .stride = kw_ints(s, "stride"),
                               .padding = kw_ints(s, "padding"), .ceil_mode = B(kw(s, "ceil", "0")),
                               .exclude_padding = B(kw(s, "exclude", "0")), .divisor_override = I(kw(s, "divisor", "0"))};
        if (!s->undef) set_tensor(r, op[8] == '1' ? cg_avg_pool1d_opts(aa) : cg_avg_pool2d_opts(aa));
    } else if (strcmp(op, "adaptive_avg_pool2d") == 0 || strcmp(op, "adaptive_max_pool2d") == 0) {
        cg_tensor *idx = NULL;
        bool two = B(kw(s, "indices", "0"));
        cg_adaptive_pool_args aa = {.input = a, .output_size = pos_ints(p[1]), .indices = two ? &idx : NULL};
        if (s->undef) return true;
        cg_tensor *t = op[9] == 'a' ? cg_adaptive_avg_pool2d_opts(aa) : cg_adaptive_max_pool2d_opts(aa);
        set_pair(r, t, idx, two);
    } else if (strcmp(op, "embedding") == 0) { /* embedding IDX W pad=N */
        cg_tensor *w = T(s, p[1]);
        const char *pad = kw(s, "pad", NULL);
        if (!s->undef) set_tensor(r, pad ? cg_embedding_padded(a, w, I(pad)) : cg_embedding(a, w));
    } else if (strcmp(op, "one_hot") == 0) {
        if (!s->undef) set_tensor(r, cg_one_hot(a, I(p[1])));
    } else if (strcmp(op, "pad") == 0) { /* pad X [PADS] constant|reflect|replicate VALUE */
        int64_t pads[MAX_LIST];
        int n = ints(p[1], pads);
        if (!s->undef)
            set_tensor(r, p[2][0] == 'c' ? cg_pad_constant(a, pads, n, F(p[3])) : p[2][2] == 'f' ? cg_pad_reflect(a, pads, n)
                                                                                             : cg_pad_replicate(a, pads, n));
    } else if (strcmp(op, "interpolate") == 0) { /* interpolate X mode=M size=[..] scale=[..] align=1 */
        cg_interpolate_args ia = {.input = a, .size = kw_ints(s, "size"), .mode = kw(s, "mode", NULL),
                                  .align_corners = B(kw(s, "align", "0"))};
        const char *scale = kw(s, "scale", NULL);
        if (scale) {
            char copy[256], *items[MAX_LIST];
            snprintf(copy, sizeof copy, "%s", scale);
            int n = split_list(copy, items, MAX_LIST);
            for (int i = 0; i < n && i < 3; i++) ia.scale_factor[i] = F(items[i]);
        }
        if (!s->undef) set_tensor(r, cg_interpolate_opts(ia));
    } else if (strcmp(op, "sdpa") == 0) { /* sdpa Q K V mask=M causal=1 */
        cg_tensor *k = T(s, p[1]), *v = T(s, p[2]);
        cg_sdpa_args sa = {.query = a, .key = k, .value = v, .attn_mask = kw_tensor(s, "mask"),
                           .is_causal = B(kw(s, "causal", "0"))};
        if (!s->undef) set_tensor(r, cg_scaled_dot_product_attention_opts(sa));
    } else {
        s->undef = false;
        return false;
    }
    return true;
}

/* Runs one statement; the result says what to print. */
static void execute(statement *s, result *r) {
    const char *op = s->op;
    char **p = s->pos;
    r->kind = R_OK;
    r->n = 1;

    LOOKUP(binaries, op) {
        cg_tensor *a = T(s, p[0]), *b = T(s, p[1]);
        if (!s->undef) set_tensor(r, binaries[i_].fn(a, b));
        return;
    }
    LOOKUP(numbers, op) {
        cg_tensor *a = T(s, p[0]);
        if (!s->undef) set_tensor(r, numbers[i_].fn(a, N(p[1])));
        return;
    }
    LOOKUP(unaries, op) {
        cg_tensor *a = T(s, p[0]);
        if (!s->undef) set_tensor(r, unaries[i_].fn(a));
        r->nodata = strcmp(op, "empty_like") == 0;
        return;
    }
    LOOKUP(inplaces, op) {
        cg_tensor *a = T(s, p[0]), *b = T(s, p[1]);
        if (!s->undef) set_status(r, inplaces[i_].fn(a, b), a);
        return;
    }
    LOOKUP(inplace_numbers, op) {
        cg_tensor *a = T(s, p[0]);
        if (!s->undef) set_status(r, inplace_numbers[i_].fn(a, N(p[1])), a);
        return;
    }
    LOOKUP(inplace_unaries, op) {
        cg_tensor *a = T(s, p[0]);
        if (!s->undef) set_status(r, inplace_unaries[i_].fn(a), a);
        return;
    }
    LOOKUP(ternaries, op) { /* addcmul S T1 T2 NUM */
        cg_tensor *a = T(s, p[0]), *b = T(s, p[1]), *c = T(s, p[2]);
        if (!s->undef) set_tensor(r, ternaries[i_].fn(a, b, c, N(p[3])));
        return;
    }
    LOOKUP(losses, op) {
        cg_tensor *a = T(s, p[0]), *b = T(s, p[1]);
        cg_loss_args la = loss_args(s, a, b);
        if (!s->undef) set_tensor(r, losses[i_].fn(la));
        return;
    }

    int64_t sh[MAX_LIST];
    cg_tensor *list[MAX_LIST], *room[MAX_LIST];

    /* ---- creation ---- */
    if (strcmp(op, "tensor") == 0) {
        cg_dtype dt = D(p[0]);
        int nd = ints(p[1], sh);
        char *items[4096];
        size_t len = strlen(p[2]);
        char *copy = malloc(len + 1);
        memcpy(copy, p[2], len + 1);
        int n = split_list(copy, items, 4096);
        void *data = calloc((size_t)n + 1, 8);
        for (int i = 0; i < n; i++) {
            if (dt == CG_FLOAT32) ((float *)data)[i] = (float)F(items[i]);
            else if (dt == CG_FLOAT64) ((double *)data)[i] = F(items[i]);
            else if (dt == CG_INT64) ((int64_t *)data)[i] = I(items[i]);
            else ((bool *)data)[i] = B(items[i]);
        }
        cg_tensor_args a = {.data = data, .dtype = dt, .ndim = nd, .requires_grad = s->npos > 3 && B(p[3])};
        for (int i = 0; i < nd && i < CG_MAX_DIMS; i++) a.sizes[i] = sh[i];
        set_tensor(r, cg_tensor_opts(a));
        free(data);
        free(copy);
    } else if (strcmp(op, "scalar") == 0) {
        set_tensor(r, cg_scalar(F(p[0]), D(p[1])));
    } else if (strcmp(op, "zeros") == 0 || strcmp(op, "ones") == 0 || strcmp(op, "empty") == 0) {
        int nd = ints(p[1], sh);
        cg_dtype dt = D(p[0]);
        set_tensor(r, op[0] == 'z' ? cg_zeros_shape(dt, nd, sh) : op[0] == 'o' ? cg_ones_shape(dt, nd, sh)
                                                                               : cg_empty_shape(dt, nd, sh));
        r->nodata = op[0] == 'e';
    } else if (strcmp(op, "full") == 0) {
        int nd = ints(p[1], sh);
        set_tensor(r, cg_full_shape(D(p[0]), nd, sh, F(p[2])));
    } else if (strcmp(op, "fulln") == 0) {
        int nd = ints(p[1], sh);
        set_tensor(r, cg_full_shape_number(D(p[0]), nd, sh, N(p[2])));
    } else if (strcmp(op, "full_like") == 0) {
        cg_tensor *a = T(s, p[0]);
        if (!s->undef) set_tensor(r, cg_full_like_number(a, N(p[1])));
    } else if (strcmp(op, "arange") == 0) {
        set_tensor(r, cg_arange(F(p[0]), F(p[1]), F(p[2]), D(p[3])));
    } else if (strcmp(op, "linspace") == 0) {
        set_tensor(r, cg_linspace(F(p[0]), F(p[1]), I(p[2]), D(p[3])));
    } else if (strcmp(op, "eye") == 0) {
        set_tensor(r, cg_eye(I(p[0]), I(p[1]), D(p[2])));
    } else if (strcmp(op, "seed") == 0) {
        cg_manual_seed((uint64_t)I(p[0]));
    } else if (strcmp(op, "rand") == 0 || strcmp(op, "randn") == 0) {
        int nd = ints(p[1], sh);
        set_tensor(r, op[4] == 'n' ? cg_randn_shape(D(p[0]), nd, sh) : cg_rand_shape(D(p[0]), nd, sh));
    } else if (strcmp(op, "randint") == 0) {
        int nd = ints(p[2], sh);
        set_tensor(r, cg_randint_shape(I(p[0]), I(p[1]), nd, sh));
    } else if (strcmp(op, "uniform_") == 0 || strcmp(op, "normal_") == 0) {
        cg_tensor *a = T(s, p[0]);
        if (!s->undef)
            set_status(r, op[0] == 'u' ? cg_uniform_(a, F(p[1]), F(p[2])) : cg_normal_(a, F(p[1]), F(p[2])), a);
    } else if (strcmp(op, "item") == 0) {
        cg_tensor *a = T(s, p[0]);
        if (s->undef) return;
        cg_clear_error();
        double v = cg_item(a);
        if (isnan(v) && cg_last_error()[0]) {
            r->kind = R_ERR;
            return;
        }
        uint64_t bits;
        memcpy(&bits, &v, 8);
        r->kind = R_TEXT;
        if (isnan(v)) snprintf(r->text, sizeof r->text, "item nan");
        else snprintf(r->text, sizeof r->text, "item %016" PRIx64, bits);
    }
    /* ---- views and shape ---- */
    else if (strcmp(op, "view") == 0 || strcmp(op, "reshape") == 0 || strcmp(op, "expand") == 0 ||
             strcmp(op, "permute") == 0) {
        cg_tensor *a = T(s, p[0]);
        int nd = ints(p[1], sh);
        if (s->undef) return;
        set_tensor(r, op[0] == 'v'   ? cg_view_shape(a, nd, sh)
                      : op[0] == 'r' ? cg_reshape_shape(a, nd, sh)
                      : op[0] == 'e' ? cg_expand_shape(a, nd, sh)
                                     : cg_permute_dims(a, nd, sh));
    } else if (strcmp(op, "flatten") == 0) {
        cg_tensor *a = T(s, p[0]);
        if (!s->undef) set_tensor(r, cg_flatten(a, (int)I(p[1]), (int)I(p[2])));
    } else if (strcmp(op, "squeeze_dim") == 0 || strcmp(op, "unsqueeze") == 0) {
        cg_tensor *a = T(s, p[0]);
        if (!s->undef) set_tensor(r, op[0] == 's' ? cg_squeeze_dim(a, (int)I(p[1])) : cg_unsqueeze(a, (int)I(p[1])));
    } else if (strcmp(op, "select") == 0) {
        cg_tensor *a = T(s, p[0]);
        if (!s->undef) set_tensor(r, cg_select(a, (int)I(p[1]), I(p[2])));
    } else if (strcmp(op, "transpose") == 0) {
        cg_tensor *a = T(s, p[0]);
        if (!s->undef) set_tensor(r, cg_transpose(a, (int)I(p[1]), (int)I(p[2])));
    } else if (strcmp(op, "at") == 0) {
        cg_tensor *a = T(s, p[0]);
        int n = ints(p[1], sh);
        if (!s->undef) set_tensor(r, cg_index_at(a, n, sh));
    } else if (strcmp(op, "slice") == 0) {
        cg_tensor *a = T(s, p[0]);
        if (!s->undef) set_tensor(r, cg_slice(a, (int)I(p[1]), I(p[2]), I(p[3]), I(p[4])));
    } else if (strcmp(op, "narrow") == 0) {
        cg_tensor *a = T(s, p[0]);
        if (!s->undef) set_tensor(r, cg_narrow(a, (int)I(p[1]), I(p[2]), I(p[3])));
    } else if (strcmp(op, "unbind") == 0 || strcmp(op, "split") == 0 || strcmp(op, "chunk") == 0) {
        cg_tensor *a = T(s, p[0]);
        if (s->undef) return;
        int n, k;
        if (op[0] == 'u') {
            n = cg_unbind(a, (int)I(p[1]), list, MAX_LIST);
            k = (int)I(p[2]);
        } else {
            n = op[1] == 'p' ? cg_split(a, I(p[1]), (int)I(p[2]), list, MAX_LIST)
                             : cg_chunk(a, (int)I(p[1]), (int)I(p[2]), list, MAX_LIST);
            k = (int)I(p[3]);
        }
        if (n < 0) {
            r->kind = R_ERR;
            return;
        }
        r->kind = R_TENSORS;
        snprintf(r->text, sizeof r->text, "n=%d", n);
        r->t[0] = k < n ? list[k] : NULL;
        r->n = k < n ? 1 : 0;
    } else if (strcmp(op, "to") == 0) {
        cg_tensor *a = T(s, p[0]);
        if (!s->undef) set_tensor(r, cg_to(a, D(p[1])));
    }
    /* ---- elementwise ---- */
    else if (strcmp(op, "where") == 0) {
        cg_tensor *c = T(s, p[0]), *a = T(s, p[1]), *b = T(s, p[2]);
        if (!s->undef) set_tensor(r, cg_where(c, a, b));
    } else if (strcmp(op, "clamp") == 0) {
        cg_tensor *a = T(s, p[0]);
        if (!s->undef) set_tensor(r, cg_clamp_number(a, N(p[1]), N(p[2])));
    } else if (strcmp(op, "clamp_") == 0) {
        cg_tensor *a = T(s, p[0]);
        if (!s->undef) set_status(r, cg_clamp_number_(a, N(p[1]), N(p[2])), a);
    } else if (strcmp(op, "add_alpha") == 0 || strcmp(op, "sub_alpha") == 0 || strcmp(op, "add_alpha_") == 0 ||
               strcmp(op, "sub_alpha_") == 0) {
        cg_tensor *a = T(s, p[0]), *b = T(s, p[1]);
        if (s->undef) return;
        cg_number alpha = N(p[2]);
        if (op[9] == '_') set_status(r, op[0] == 'a' ? cg_add_alpha_number_(a, b, alpha) : cg_sub_alpha_number_(a, b, alpha), a);
        else set_tensor(r, op[0] == 'a' ? cg_add_alpha_number(a, b, alpha) : cg_sub_alpha_number(a, b, alpha));
    } else if (strcmp(op, "addcmul_") == 0 || strcmp(op, "addcdiv_") == 0) {
        cg_tensor *a = T(s, p[0]), *b = T(s, p[1]), *c = T(s, p[2]);
        if (s->undef) return;
        set_status(r, op[4] == 'm' ? cg_addcmul_number_(a, b, c, N(p[3])) : cg_addcdiv_number_(a, b, c, N(p[3])), a);
    } else if (strcmp(op, "lerp") == 0 || strcmp(op, "lerp_") == 0) {
        cg_tensor *a = T(s, p[0]), *b = T(s, p[1]), *w = T(s, p[2]);
        if (s->undef) return;
        if (op[4] == '_') set_status(r, cg_lerp_(a, b, w), a);
        else set_tensor(r, cg_lerp(a, b, w));
    } else if (strcmp(op, "lerpn") == 0 || strcmp(op, "lerpn_") == 0) {
        cg_tensor *a = T(s, p[0]), *b = T(s, p[1]);
        if (s->undef) return;
        if (op[5] == '_') set_status(r, cg_lerp_number_(a, b, N(p[2])), a);
        else set_tensor(r, cg_lerp_number(a, b, N(p[2])));
    } else if (strcmp(op, "clamp_t") == 0 || strcmp(op, "clamp_t_") == 0) {
        cg_tensor *a = T(s, p[0]), *lo = T(s, p[1]), *hi = T(s, p[2]);
        if (s->undef) return;
        if (op[7] == '_') set_status(r, cg_clamp_tensor_(a, lo, hi), a);
        else set_tensor(r, cg_clamp_tensor(a, lo, hi));
    } else if (strcmp(op, "randperm") == 0) {
        set_tensor(r, cg_randperm_dtype(I(p[0]), D(p[1])));
    } else if (strcmp(op, "scatter") == 0) {
        cg_tensor *a = T(s, p[0]), *idx = T(s, p[2]), *src = T(s, p[3]);
        if (!s->undef) set_tensor(r, cg_scatter(a, (int)I(p[1]), idx, src));
    } else if (strcmp(op, "masked_fill_t") == 0) {
        cg_tensor *a = T(s, p[0]), *m = T(s, p[1]), *v = T(s, p[2]);
        if (!s->undef) set_tensor(r, cg_masked_fill_tensor(a, m, v));
    } else if (strcmp(op, "jacobian") == 0 || strcmp(op, "hessian") == 0 || strcmp(op, "vjp") == 0 ||
               strcmp(op, "jvp") == 0 || strcmp(op, "vhp") == 0 || strcmp(op, "hvp") == 0) {
        /* OP FN [INPUTS] v=[..] create=1 strict=1: prints the outputs (vjp and the like) || the results */
        cg_function fn = NULL;
        LOOKUP(functions, p[0]) fn = functions[i_].fn;
        cg_tensor *ins[MAX_LIST], *vs[MAX_LIST], *outs[CG_MAX_OUTPUTS] = {0}, *res[MAX_LIST] = {0};
        int ni = tlist(s, p[1], ins);
        cg_tensor_list v = kw_list(s, "v", vs);
        if (s->undef || !fn) return;
        bool create = B(kw(s, "create", "0")), strict = B(kw(s, "strict", "0"));
        int no;
        bool whole = strcmp(op, "jacobian") == 0 || strcmp(op, "hessian") == 0; /* no outputs to print */
        if (whole) {
            cg_jacobian_args ja = {.fn = fn, .inputs = {ins, ni}, .results = res, .create_graph = create, .strict = strict};
            no = op[0] == 'j' ? cg_jacobian_opts(ja) : cg_hessian_opts(ja);
            if (no >= 0) r->n = op[0] == 'j' ? no * ni : ni * ni;
        } else {
            cg_vjp_args va = {.fn = fn, .inputs = {ins, ni}, .v = v, .outputs = outs, .results = res,
                              .create_graph = create, .strict = strict};
            no = op[1] == 'j' ? cg_vjp_opts(va) : op[0] == 'j' ? cg_jvp_opts(va) : op[0] == 'v' ? cg_vhp_opts(va) : cg_hvp_opts(va);
            if (no >= 0) r->n = strcmp(op, "jvp") == 0 ? no : ni;
        }
        if (no < 0) {
            r->kind = R_ERR;
            return;
        }
        r->kind = R_TEXT;
        fprintf(out, "%d: fn", stmt);
        for (int i = 0; i < no && !whole; i++) {
            fputc(' ', out);
            put_desc(outs[i], true);
        }
        fputs(" ||", out);
        for (int i = 0; i < r->n; i++) {
            fputc(' ', out);
            put_desc(res[i], true);
        }
        r->text[0] = '\0';
    } else if (strcmp(op, "gradcheck") == 0 || strcmp(op, "gradgradcheck") == 0) {
        cg_function fn = NULL;
        LOOKUP(functions, p[0]) fn = functions[i_].fn;
        cg_tensor *ins[MAX_LIST];
        int ni = tlist(s, p[1], ins);
        if (s->undef || !fn) return;
        cg_gradcheck_args ga = {.fn = fn, .inputs = {ins, ni}};
        int rc = op[4] == 'g' ? cg_gradgradcheck_opts(ga) : cg_gradcheck_opts(ga);
        r->kind = R_TEXT;
        if (rc == 0) {
            snprintf(r->text, sizeof r->text, "check ok");
        } else { /* the message up to its first comma: the numbers after it are PyTorch's print format */
            const char *kind = cg_error_kind_name(cg_last_error_kind());
            snprintf(r->text, sizeof r->text, "err %s: %.*s", kind[0] ? kind : "?",
                     (int)strcspn(cg_last_error(), ",\n"), cg_last_error());
        }
    } else if (strcmp(op, "result_type") == 0) {
        cg_tensor *a = T(s, p[0]), *b = T(s, p[1]);
        if (s->undef) return;
        r->kind = R_TEXT;
        snprintf(r->text, sizeof r->text, "dtype %s", cg_dtype_name(cg_result_type(a, b)));
    } else if (strcmp(op, "promote_types") == 0) {
        r->kind = R_TEXT;
        snprintf(r->text, sizeof r->text, "dtype %s", cg_dtype_name(cg_promote_types(D(p[0]), D(p[1]))));
    } else if (strcmp(op, "is_contiguous") == 0 || strcmp(op, "shares") == 0) {
        cg_tensor *a = T(s, p[0]), *b = op[0] == 's' ? T(s, p[1]) : NULL;
        if (s->undef) return;
        r->kind = R_TEXT;
        snprintf(r->text, sizeof r->text, "bool %d", op[0] == 's' ? cg_shares_storage(a, b) : cg_is_contiguous(a));
    } else if (strcmp(op, "rmhook") == 0) { /* removes the K-th hook the program registered */
        T(s, p[0]); /* PyTorch's handle.remove() ignores the tensor named: through the one hooked */
        int k = (int)I(p[1]);
        if (s->undef) return;
        if (k < nhooks) { /* a removed handle's remove() does nothing in PyTorch; cgrad refuses an unknown handle */
            set_status(r, hook_tensors[k] ? cg_remove_hook(hook_tensors[k], hook_handles[k]) : 0, NULL);
            hook_tensors[k] = NULL;
        } else {
            r->kind = R_TEXT;
            snprintf(r->text, sizeof r->text, "nohook");
        }
    } else if (strcmp(op, "retains") == 0) {
        cg_tensor *a = T(s, p[0]);
        if (s->undef) return;
        r->kind = R_TEXT;
        snprintf(r->text, sizeof r->text, "retains %d", cg_retains_grad(a));
    } else if (strcmp(op, "get_at") == 0 || strcmp(op, "set_at") == 0) {
        cg_tensor *a = T(s, p[0]);
        int n = ints(p[1], sh);
        if (s->undef) return;
        if (op[0] == 's') {
            set_status(r, cg_set_at(a, n, sh, F(p[2])), a);
            return;
        }
        double v;
        if (cg_get_at(a, n, sh, &v) < 0) {
            r->kind = R_ERR;
            return;
        }
        uint64_t bits;
        memcpy(&bits, &v, 8);
        r->kind = R_TEXT;
        if (isnan(v)) snprintf(r->text, sizeof r->text, "item nan");
        else snprintf(r->text, sizeof r->text, "item %016" PRIx64, bits);
    } else if (strcmp(op, "copy_to") == 0) {
        cg_tensor *a = T(s, p[0]);
        if (s->undef) return;
        cg_dtype dt = D(p[1]);
        size_t count = (size_t)cg_numel(a);
        void *buf = calloc(count + 1, 8);
        if (cg_copy_to(a, buf, count, dt) < 0) {
            r->kind = R_ERR;
        } else {
            /* printed through a tensor of the copied values */
            cg_tensor *c = cg_from_data(buf, dt, cg_ndim(a), cg_sizes(a));
            r->kind = R_TEXT;
            fprintf(out, "%d: list ", stmt);
            put_values(c);
            r->text[0] = '\0';
        }
        free(buf);
    }
    /* ---- reductions ---- */
    else if (strcmp(op, "sum") == 0 || strcmp(op, "mean") == 0 || strcmp(op, "var") == 0 || strcmp(op, "std") == 0) {
        cg_tensor *a = T(s, p[0]);
        if (s->undef) return;
        cg_reduce_args ra = reduce_args(s, a);
        set_tensor(r, op[1] == 'u' ? cg_sum_opts(ra) : op[0] == 'm' ? cg_mean_opts(ra) : op[0] == 'v' ? cg_var_opts(ra)
                                                                                                     : cg_std_opts(ra));
    } else if (strcmp(op, "norm") == 0) {
        cg_tensor *a = T(s, p[0]);
        if (s->undef) return;
        cg_reduce_args ra = reduce_args(s, a);
        cg_norm_args na = {.input = a, .p = F(p[1]), .ndims = ra.ndims, .keepdim = ra.keepdim};
        memcpy(na.dims, ra.dims, sizeof na.dims);
        set_tensor(r, cg_norm_opts(na));
    } else if (strcmp(op, "prod_dim") == 0 || strcmp(op, "argmax_dim") == 0 || strcmp(op, "argmin_dim") == 0) {
        cg_tensor *a = T(s, p[0]);
        if (s->undef) return;
        int d = (int)I(p[1]);
        bool k = B(p[2]);
        set_tensor(r, op[0] == 'p' ? cg_prod_dim(a, d, k) : op[4] == 'a' ? cg_argmax_dim(a, d, k) : cg_argmin_dim(a, d, k));
    } else if (strcmp(op, "max_dim") == 0 || strcmp(op, "min_dim") == 0) {
        cg_tensor *a = T(s, p[0]), *idx = NULL;
        if (s->undef) return;
        cg_tensor *v = op[1] == 'a' ? cg_max_dim(a, (int)I(p[1]), B(p[2]), &idx) : cg_min_dim(a, (int)I(p[1]), B(p[2]), &idx);
        if (!v) {
            r->kind = R_ERR;
            return;
        }
        r->kind = R_TENSORS;
        r->t[0] = v;
        r->t[1] = idx;
        r->n = 2;
    }
    /* ---- joining and indexing ---- */
    else if (strcmp(op, "cat") == 0 || strcmp(op, "stack") == 0) {
        int n = tlist(s, p[0], list);
        if (!s->undef) set_tensor(r, op[0] == 'c' ? cg_cat(list, n, (int)I(p[1])) : cg_stack(list, n, (int)I(p[1])));
    } else if (strcmp(op, "index_select") == 0 || strcmp(op, "gather") == 0) {
        cg_tensor *a = T(s, p[0]), *idx = T(s, p[2]);
        if (!s->undef)
            set_tensor(r, op[0] == 'i' ? cg_index_select(a, (int)I(p[1]), idx) : cg_gather(a, (int)I(p[1]), idx));
    } else if (strcmp(op, "scatter_add") == 0) {
        cg_tensor *a = T(s, p[0]), *idx = T(s, p[2]), *src = T(s, p[3]);
        if (!s->undef) set_tensor(r, cg_scatter_add(a, (int)I(p[1]), idx, src));
    } else if (strcmp(op, "masked_fill") == 0) {
        cg_tensor *a = T(s, p[0]), *m = T(s, p[1]);
        if (!s->undef) set_tensor(r, cg_masked_fill_number(a, m, N(p[2])));
    } else if (strcmp(op, "softmax") == 0 || strcmp(op, "log_softmax") == 0) {
        cg_tensor *a = T(s, p[0]);
        if (!s->undef) set_tensor(r, op[0] == 's' ? cg_softmax(a, (int)I(p[1])) : cg_log_softmax(a, (int)I(p[1])));
    }
    /* ---- autograd ---- */
    else if (strcmp(op, "requires_grad_") == 0) {
        cg_tensor *a = T(s, p[0]);
        if (!s->undef) set_tensor(r, cg_requires_grad_(a, B(p[1])));
    } else if (strcmp(op, "printgrad") == 0) {
        cg_tensor *a = T(s, p[0]);
        if (s->undef) return;
        cg_tensor *g = cg_grad(a);
        r->kind = R_TEXT;
        /* printed right away: the description may be long */
        fprintf(out, "%d: grad ", stmt);
        put_desc_v(g, true, false);
        r->text[0] = '\0';
    } else if (strcmp(op, "set_grad") == 0) {
        cg_tensor *a = T(s, p[0]), *g = T(s, p[1]);
        if (!s->undef) set_status(r, cg_set_grad(a, g), NULL);
    } else if (strcmp(op, "retain_grad") == 0) {
        cg_tensor *a = T(s, p[0]);
        if (!s->undef) set_status(r, cg_retain_grad(a), NULL);
    } else if (strcmp(op, "zero_grad") == 0) {
        int n = tlist(s, p[0], list);
        if (!s->undef) set_status(r, cg_zero_grad((cg_tensor_list){list, n}), NULL);
    } else if (strcmp(op, "nextfns") == 0) {
        cg_tensor *a = T(s, p[0]);
        if (s->undef) return;
        cg_node *fn = cg_grad_fn(a);
        r->kind = R_TEXT;
        int len = snprintf(r->text, sizeof r->text, "next");
        if (!fn) snprintf(r->text + len, sizeof r->text - (size_t)len, " -");
        for (int i = 0; fn && i < cg_node_num_next(fn) && len < (int)sizeof r->text; i++) {
            int nr = 0;
            cg_node *next = cg_node_next(fn, i, &nr);
            len += snprintf(r->text + len, sizeof r->text - (size_t)len, " %s/%d", next ? cg_node_name(next) : "None", nr);
        }
    } else if (strcmp(op, "backward") == 0) {
        cg_tensor *a = T(s, p[0]);
        const char *g = kw(s, "grad", NULL);
        cg_backward_args ba = {.tensor = a, .gradient = g ? T(s, g) : NULL, .retain_graph = B(kw(s, "retain", "0")),
                               .create_graph = B(kw(s, "create", "0")), .inputs = kw_list(s, "inputs", room)};
        if (!s->undef) set_status(r, cg_backward_opts(ba), NULL);
    } else if (strcmp(op, "grad") == 0) {
        cg_tensor *outs[MAX_LIST], *ins[MAX_LIST], *gouts[MAX_LIST];
        int no = tlist(s, p[0], outs), ni = tlist(s, p[1], ins);
        cg_grad_args ga = {.outputs = {outs, no}, .inputs = {ins, ni}, .results = r->t,
                           .grad_outputs = kw_list(s, "gouts", gouts), .retain_graph = B(kw(s, "retain", "0")),
                           .create_graph = B(kw(s, "create", "0")), .allow_unused = B(kw(s, "unused", "0"))};
        if (s->undef) return;
        if (cg_autograd_grad_opts(ga) < 0) {
            r->kind = R_ERR;
            return;
        }
        r->kind = R_TENSORS;
        r->n = ni;
    } else if (strcmp(op, "nograd") == 0 || strcmp(op, "enablegrad") == 0) {
        cg_set_grad_enabled(op[0] == 'e');
    } else if (strcmp(op, "detach_") == 0) {
        cg_tensor *a = T(s, p[0]);
        if (!s->undef) set_status(r, cg_detach_(a), a);
    } else if (strcmp(op, "hook") == 0) {
        cg_tensor *a = T(s, p[0]);
        if (s->undef || nhooks == 256) return;
        hook_spec *h = &hooks[nhooks];
        snprintf(h->kind, sizeof h->kind, "%s", p[1]);
        snprintf(h->tag, sizeof h->tag, "%s", p[0]);
        int handle = cg_register_hook(a, run_hook, h);
        if (handle > 0) { /* rmhook's K counts the registered ones only */
            hook_tensors[nhooks] = a;
            hook_handles[nhooks++] = handle;
        }
        set_status(r, handle > 0 ? 0 : -1, NULL);
    } else if (strcmp(op, "repr") == 0) {
        cg_tensor *a = T(s, p[0]);
        if (s->undef) return;
        char buf[16384];
        int len = cg_format(a, buf, sizeof buf);
        if (len < 0) {
            r->kind = R_ERR;
            return;
        }
        r->kind = R_TEXT;
        fprintf(out, "%d: repr ", stmt);
        put_escaped(buf);
        r->text[0] = '\0';
    } else if (!execute_nn(s, r)) {
        fprintf(stderr, "difftest: unknown op %s\n", op);
        exit(2);
    }
}

static void run_statement(char *line) {
    statement s = {0};
    char *toks[MAX_TOKS];
    int n = 0;
    for (char *tok = strtok(line, " \t\n"); tok && n < MAX_TOKS; tok = strtok(NULL, " \t\n")) toks[n++] = tok;
    if (n < 2) return;
    if (strcmp(toks[0], "-") != 0) {
        char *p = toks[0];
        while (p && s.nouts < MAX_LIST) {
            s.outs[s.nouts++] = p;
            char *comma = strchr(p, ',');
            if (comma) *comma++ = '\0';
            p = comma;
        }
    }
    s.op = toks[1];
    static char none[] = "";
    for (int i = 0; i < MAX_TOKS; i++) s.pos[i] = none; /* a missing argument reads as empty, not NULL */
    for (int i = 2; i < n; i++) {
        char *eq = strchr(toks[i], '=');
        if (eq) {
            *eq = '\0';
            s.kwk[s.nkw] = toks[i];
            s.kwv[s.nkw++] = eq + 1;
        } else {
            s.pos[s.npos++] = toks[i];
        }
    }
    result r = {0};
    nwarnings = 0;
    cg_clear_error();
    execute(&s, &r);
    /* run_torch.py reads each result's grad_fn to print it, which fails for some views (one made
     * in no_grad mode and written since): the statement's result is that error */
    if (r.kind == R_TENSOR || r.kind == R_TENSORS || r.kind == R_DESC)
        for (int i = 0; i < (r.kind == R_DESC ? 1 : r.n) && r.kind != R_ERR; i++) {
            cg_clear_error();
            if (r.t[i] && !cg_grad_fn(r.t[i]) && cg_last_error()[0]) r.kind = R_ERR;
        }
    for (int i = 0; i < s.nouts; i++) {
        int v = var_index(s.outs[i]);
        if (v >= 0) vars[v] = NULL;
    }
    if (s.undef) {
        fprintf(out, "%d: undef\n", stmt);
    } else if (r.kind == R_ERR) {
        const char *kind = cg_error_kind_name(cg_last_error_kind());
        fprintf(out, "%d: err %s: ", stmt, kind[0] ? kind : "?");
        put_escaped(cg_last_error());
        fputc('\n', out);
    } else {
        if (r.kind == R_TENSOR || r.kind == R_TENSORS) {
            for (int i = 0; i < s.nouts && i < r.n; i++) {
                int v = var_index(s.outs[i]);
                if (v >= 0) vars[v] = r.t[i];
            }
        }
        if (r.kind == R_OK) {
            fprintf(out, "%d: ok\n", stmt);
        } else if (r.kind == R_TEXT) {
            if (r.text[0]) fprintf(out, "%d: %s", stmt, r.text);
            fputc('\n', out);
        } else if (r.kind == R_DESC) {
            fprintf(out, "%d: ", stmt);
            put_desc(r.t[0], true);
            fputc('\n', out);
        } else {
            fprintf(out, "%d: %s", stmt, r.kind == R_TENSORS && r.text[0] ? r.text : "");
            for (int i = 0; i < r.n; i++) {
                if (i) fprintf(out, " |");
                if (i || r.text[0]) fputc(' ', out);
                put_desc_v(r.t[i], !r.nodata, strcmp(s.op, "grad") != 0);
            }
            fputc('\n', out);
        }
    }
    for (int i = 0; i < nwarnings; i++) {
        fprintf(out, "%dW: ", stmt);
        put_escaped(warnings[i]);
        fputc('\n', out);
    }
    fflush(out);
    stmt++;
}

/* Ends a program's scope. backward(create_graph) makes a cycle between a tensor and its
 * gradient's graph, in PyTorch as here; as PyTorch recommends, the program drops every .grad
 * first, so the scope frees everything. */
static void end_program(void) {
    for (int i = 0; i < MAX_VARS; i++)
        if (vars[i]) cg_set_grad(vars[i], NULL);
    cg_scope_end();
    memset(vars, 0, sizeof vars);
}

/* Runs every program of the batch in from the one numbered first on, writing the transcript to
 * transcript. */
void difftest_run(FILE *in, FILE *transcript, long first) {
    static char line[1 << 20];
    bool open = false, skip = false;
    out = transcript;
    cg_set_warning_handler(on_warning, NULL);
    while (fgets(line, sizeof line, in)) {
        if (strncmp(line, "#prog", 5) == 0) {
            if (open) end_program();
            nhooks = 0;
            stmt = 0;
            cg_set_grad_enabled(true);
            cg_manual_seed(67280421310721ull); /* run_torch.py's DEFAULT_SEED, for each program */
            skip = strtol(line + 5, NULL, 10) < first;
            open = !skip;
            if (open) {
                cg_scope_begin();
                fputs(line, out);
                fflush(out);
            }
            continue;
        }
        if (skip || !open || line[0] == '#' || line[0] == '\n') continue;
        run_statement(line);
    }
    if (open) end_program();
    cg_set_grad_enabled(true);
    cg_set_warning_handler(NULL, NULL);
}

#ifndef DIFFTEST_NO_MAIN
int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: difftest BATCH [FIRST]\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "r");
    if (!f) {
        perror(argv[1]);
        return 2;
    }
    difftest_run(f, stdout, argc > 2 ? strtol(argv[2], NULL, 10) : 0);
    fclose(f);
    return 0;
}
#endif
