/* Attention layers against PyTorch 1.13 (tests/data/transformer.txt, from tools/gen_transformer.py):
 * default initialization bit for bit, outputs and attention weights bit for bit where OpenBLAS runs
 * the kernels the golden data came from and SLEEF is linked (else within 1e-5), gradients of the
 * parameters and inputs within 1e-5 (the engine adds the gradient's pieces in another order), the
 * errors' texts; the API's own errors. The same for TransformerEncoderLayer (its LayerNorm's and
 * gelu's gradients, composed in cgrad, also within 1e-5). */
#include "golden.h"
#include "harness.h"

#ifdef CG_HAVE_BLAS
#include <cblas.h>
#endif

#define DATA "tests/data/transformer.txt"

typedef enum { SELF, KV, SEPARATE } identity;

/* The cases of tools/gen_transformer.py, in its order. */
static const struct {
    const char *name;
    identity id;
    int ntensors;
    bool kpm, mask, need_weights, average;
} cases[] = {
    {"mha_self", SELF, 1, false, false, true, true},
    {"mha_bf_kpm", SELF, 1, true, false, true, false},
    {"mha_encdec_mask", KV, 2, false, true, true, true},
    {"mha_separate_bool", SEPARATE, 3, true, true, false, true},
    {"mha_unbatched", SELF, 1, false, false, true, true},
    {"mha_3d_mask", SELF, 1, false, true, true, false},
    {"mha_float_kpm", KV, 2, true, false, true, true},
    {"mha_wide", SELF, 1, false, false, true, true},
};
#define NCASES (int)(sizeof cases / sizeof *cases)

static cg_module *make_case(int i) {
    switch (i) {
    case 0: return cg_nn_multihead_attention(8, 2);
    case 1: return cg_nn_multihead_attention(8, 4, .batch_first = true);
    case 2: return cg_nn_multihead_attention(6, 3);
    case 3: return cg_nn_multihead_attention(6, 2, .no_bias = true);
    case 4: return cg_nn_multihead_attention(8, 2);
    case 5: return cg_nn_multihead_attention(4, 2);
    case 6: return cg_nn_multihead_attention(8, 2, .batch_first = true);
    case 7: return cg_nn_multihead_attention(32, 4);
    }
    return NULL;
}

/* The TransformerEncoderLayer cases, after those: mask and key padding mask given, train mode,
 * exact (gelu's float32 bits are not PyTorch's yet: within 1e-5 there). */
static const struct {
    const char *name;
    bool mask, kpm, train, exact;
} encoder_cases[] = {
    {"tel", false, false, true, true},
    {"tel_gelu_norm_first_bf", false, true, true, false},
    {"tel_causal", true, false, true, true},
    {"tel_eval_dropout", false, false, false, true},
    {"tel_train_dropout", false, false, true, true},
};
#define NENCODER (int)(sizeof encoder_cases / sizeof *encoder_cases)

static cg_module *make_encoder_case(int i) {
    switch (i) {
    case 0: return cg_nn_transformer_encoder_layer(8, 2, .dim_feedforward = 16, .dropout = CG_OPT(0));
    case 1:
        return cg_nn_transformer_encoder_layer(8, 2, .dim_feedforward = 16, .dropout = CG_OPT(0), .activation = "gelu",
                                               .batch_first = true, .norm_first = true);
    case 2:
        return cg_nn_transformer_encoder_layer(6, 3, .dim_feedforward = 12, .dropout = CG_OPT(0), .layer_norm_eps = 1e-3);
    case 3: return cg_nn_transformer_encoder_layer(8, 4, .dim_feedforward = 16); /* PyTorch's dropout 0.1 */
    case 4: return cg_nn_transformer_encoder_layer(8, 2, .dim_feedforward = 16, .dropout = CG_OPT(0.25));
    }
    return NULL;
}


static bool close_to(cg_tensor *got, cg_tensor *expected, double tol) {
    bool ok = got && expected && cg_ndim(got) == cg_ndim(expected) && cg_numel(got) == cg_numel(expected);
    for (int d = 0; ok && d < cg_ndim(got); d++) ok = cg_size(got, d) == cg_size(expected, d);
    cg_tensor *e64 = ok ? cg_contiguous(cg_to(expected, CG_FLOAT64)) : NULL;
    return e64 && harness_values_close(got, cg_data_ptr(e64), tol);
}

static bool exact_build(void) {
    char core[64] = "";
    FILE *f = fopen(DATA, "r");
    int n = f ? fscanf(f, "# blas %63s", core) : 0;
    if (f) fclose(f);
#if defined(CG_HAVE_BLAS) && defined(CG_HAVE_SLEEF)
    if (n == 1 && !strcmp(core, openblas_get_corename())) return true;
#endif
    (void)n;
    printf("note: outputs within 1e-5, not bit for bit (golden data from OpenBLAS's %s kernels with SLEEF)\n", core);
    return false;
}

#define MAX_LINES 24
typedef struct {
    char name[40];
    int nparams, ninputs, noutputs, ngrads, nigrads;
    char *param_keys[MAX_LINES], *grad_keys[MAX_LINES];
    cg_tensor *params[MAX_LINES], *inputs[6], *outputs[2], *grads[MAX_LINES], *igrads[3];
} golden_case;

static int cases_run, bits_differ;
static bool exact;

static void check_params(golden_case *g, cg_module *m) {
    cg_named_tensors sd = {0};
    CHECK(cg_module_state_dict(m, &sd) == 0 && sd.n == g->nparams);
    for (int k = 0; k < g->nparams && k < sd.n; k++) {
        CHECK_MSG(!strcmp(sd.names[k], g->param_keys[k]), "%s: key %s, PyTorch's %s", g->name, sd.names[k],
                  g->param_keys[k]);
        CHECK_MSG(harness_same_bits(sd.tensors[k], g->params[k]), "%s: %s differs from PyTorch's", g->name, sd.names[k]);
    }
    cg_named_tensors_free(&sd);
}

static void check_grads(golden_case *g, cg_module *m) {
    for (int k = 0; k < g->ngrads; k++) {
        cg_tensor *p = cg_module_get_parameter(m, g->grad_keys[k]);
        CHECK_MSG(p && close_to(cg_grad(p), g->grads[k], 1e-5), "%s: grad of %s differs", g->name, g->grad_keys[k]);
    }
    for (int k = 0; k < g->nigrads; k++)
        CHECK_MSG(close_to(cg_grad(g->inputs[k]), g->igrads[k], 1e-5), "%s: grad of input %d differs", g->name, k);
}

static void check_encoder_case(golden_case *g, int i) {
    CHECK_MSG(i < NENCODER && !strcmp(encoder_cases[i].name, g->name), "encoder case %d is %s", i, g->name);
    if (i >= NENCODER || strcmp(encoder_cases[i].name, g->name)) return;
    cg_manual_seed((uint64_t)(NCASES + i));
    cg_module *m = make_encoder_case(i);
    CHECK_OK(m);
    if (!m) return;
    cg_module_train(m, encoder_cases[i].train);
    check_params(g, m);
    CHECK(g->ninputs == 1 + encoder_cases[i].mask + encoder_cases[i].kpm && g->noutputs == 1 && g->nigrads == 1);
    /* PyTorch drew src after the module (the masks are not random): so does this, for dropout's draws */
    CHECK_MSG(harness_same_bits(cg_randn_shape(CG_FLOAT32, cg_ndim(g->inputs[0]), cg_sizes(g->inputs[0])), g->inputs[0]),
              "%s: src is not the draw PyTorch made", g->name);
    cg_tensor *src = cg_requires_grad_(g->inputs[0], true), *mask = encoder_cases[i].mask ? g->inputs[1] : NULL;
    cg_tensor *kpm = encoder_cases[i].kpm ? g->inputs[1 + encoder_cases[i].mask] : NULL;
    cg_tensor *out = cg_nn_transformer_encoder_layer_forward(m, src, mask, kpm);
    CHECK_MSG(out != NULL, "%s: %s", g->name, cg_last_error());
    if (!harness_same_bits(out, g->outputs[0])) {
        CHECK_MSG(close_to(out, g->outputs[0], 1e-5), "%s: output differs", g->name);
        if (exact && encoder_cases[i].exact) {
            bits_differ++;
            fprintf(stderr, "  %s: output is not PyTorch's bits\n", g->name);
        }
    }
    CHECK_MSG(cg_backward(cg_sum(cg_pow_scalar(out, 2))) == 0, "%s: backward: %s", g->name, cg_last_error());
    check_grads(g, m);
    cg_module_free(m);
}

static void check_case(golden_case *g, int i) {
    cases_run++;
    if (i >= NCASES) {
        check_encoder_case(g, i - NCASES);
        return;
    }
    CHECK_MSG(i < NCASES && !strcmp(cases[i].name, g->name), "case %d is %s", i, g->name);
    if (i >= NCASES || strcmp(cases[i].name, g->name)) return;
    cg_manual_seed((uint64_t)i);
    cg_module *m = make_case(i);
    CHECK_OK(m);
    if (!m) return;
    check_params(g, m);
    int n = cases[i].ntensors;
    CHECK(g->ninputs == n + cases[i].kpm + cases[i].mask);
    for (int k = 0; k < n; k++) cg_requires_grad_(g->inputs[k], true);
    cg_tensor *q = g->inputs[0], *key = cases[i].id == SELF ? q : g->inputs[1];
    cg_tensor *v = cases[i].id == SEPARATE ? g->inputs[2] : key;
    cg_tensor *kpm = cases[i].kpm ? g->inputs[n] : NULL, *mask = cases[i].mask ? g->inputs[n + cases[i].kpm] : NULL;
    cg_tensor *w = NULL;
    cg_tensor *out = cg_nn_multihead_attention_forward(m, q, key, v, .key_padding_mask = kpm, .attn_mask = mask,
                                                       .weights = cases[i].need_weights ? &w : NULL,
                                                       .per_head_weights = !cases[i].average);
    CHECK_MSG(out != NULL, "%s: %s", g->name, cg_last_error());
    cg_tensor *outs[2] = {out, w}, *loss = cg_zeros_shape(CG_FLOAT32, 0, NULL);
    CHECK(g->noutputs == 1 + cases[i].need_weights);
    for (int k = 0; k < g->noutputs; k++) {
        if (!harness_same_bits(outs[k], g->outputs[k])) {
            bits_differ++;
            CHECK_MSG(close_to(outs[k], g->outputs[k], 1e-5), "%s: output %d differs", g->name, k);
            if (exact) fprintf(stderr, "  %s: output %d is not PyTorch's bits\n", g->name, k);
        }
        loss = cg_add(loss, cg_sum(cg_pow_scalar(outs[k], 2)));
    }
    CHECK_MSG(loss && cg_backward(loss) == 0, "%s: backward: %s", g->name, cg_last_error());
    CHECK(g->nigrads == n);
    check_grads(g, m);
    cg_module_free(m);
}

static void free_case(golden_case *g) {
    for (int i = 0; i < g->nparams; i++) free(g->param_keys[i]);
    for (int i = 0; i < g->ngrads; i++) free(g->grad_keys[i]);
    memset(g, 0, sizeof *g);
}

static bool add_line(golden_case *g, const char *kind, char *cur) {
    if (!strcmp(kind, "param") && g->nparams < MAX_LINES) {
        g->param_keys[g->nparams] = strdup(golden_token(&cur));
        g->params[g->nparams++] = golden_tensor(&cur);
    } else if (!strcmp(kind, "input") && g->ninputs < 6) {
        g->inputs[g->ninputs++] = golden_tensor(&cur);
    } else if (!strcmp(kind, "output") && g->noutputs < 2) {
        g->outputs[g->noutputs++] = golden_tensor(&cur);
    } else if (!strcmp(kind, "grad") && g->ngrads < MAX_LINES) {
        g->grad_keys[g->ngrads] = strdup(golden_token(&cur));
        g->grads[g->ngrads++] = golden_tensor(&cur);
    } else if (!strcmp(kind, "igrad") && g->nigrads < 3) {
        golden_token(&cur);
        g->igrads[g->nigrads++] = golden_tensor(&cur);
    } else {
        return false;
    }
    return true;
}

static void test_golden_cases(void) {
    golden_file f;
    if (golden_open(&f, DATA) < 0) {
        CHECK(0);
        return;
    }
    exact = exact_build();
    golden_case g = {0};
    int index = 0;
    for (char *line; (line = golden_next_line(&f));) {
        char *cur = line, *kind = golden_token(&cur);
        if (!strcmp(kind, "error")) break;
        char *name = golden_token(&cur);
        if (g.name[0] && strcmp(name, g.name)) {
            check_case(&g, index++);
            free_case(&g);
        }
        snprintf(g.name, sizeof g.name, "%s", name);
        CHECK_MSG(add_line(&g, kind, cur), "%s: unexpected line %s", name, kind);
    }
    if (g.name[0]) check_case(&g, index);
    free_case(&g);
    golden_close(&f);
    CHECK_MSG(cases_run == NCASES + NENCODER, "%d cases", cases_run);
    CHECK_MSG(!exact || bits_differ == 0, "%d outputs are not PyTorch's bits", bits_differ);
}

/* The error cases of tools/gen_transformer.py, made the same way. */
static int error_case(const char *name) {
    cg_module *m = NULL;
    cg_tensor *out = NULL, *x = cg_randn(3, 2, 4);
    if (!strcmp(name, "query_4d")) {
        cg_tensor *a = cg_randn(1, 2, 3, 4);
        out = cg_nn_multihead_attention_forward(m = cg_nn_multihead_attention(4, 2), a, cg_randn(1, 2, 3, 4),
                                                cg_randn(1, 2, 3, 4));
    } else if (!strcmp(name, "key_2d"))
        out = cg_nn_multihead_attention_forward(m = cg_nn_multihead_attention(4, 2), x, cg_randn(3, 4), cg_randn(3, 4));
    else if (!strcmp(name, "embed_dim"))
        out = cg_nn_multihead_attention_forward(m = cg_nn_multihead_attention(4, 2), cg_randn(3, 2, 6),
                                                cg_randn(3, 2, 6), cg_randn(3, 2, 6));
    else if (!strcmp(name, "kv_shape"))
        out = cg_nn_multihead_attention_forward(m = cg_nn_multihead_attention(4, 2), x, cg_randn(3, 2, 4),
                                                cg_randn(5, 2, 4));
    else if (!strcmp(name, "mask_2d_shape"))
        out = cg_nn_multihead_attention_forward(m = cg_nn_multihead_attention(4, 2), x, x, x, .attn_mask = cg_zeros(3, 4));
    else if (!strcmp(name, "mask_3d_shape"))
        out = cg_nn_multihead_attention_forward(m = cg_nn_multihead_attention(4, 2), x, x, x,
                                                .attn_mask = cg_zeros(2, 3, 3));
    else if (!strcmp(name, "mask_1d"))
        out = cg_nn_multihead_attention_forward(m = cg_nn_multihead_attention(4, 2), x, x, x, .attn_mask = cg_zeros(3));
    else if (!strcmp(name, "mask_dtype"))
        out = cg_nn_multihead_attention_forward(m = cg_nn_multihead_attention(4, 2), x, x, x,
                                                .attn_mask = cg_zeros_shape(CG_INT64, CG_SHAPE(3, 3)));
    else if (!strcmp(name, "kpm_shape"))
        out = cg_nn_multihead_attention_forward(m = cg_nn_multihead_attention(4, 2), x, x, x,
                                                .key_padding_mask = cg_zeros_shape(CG_BOOL, CG_SHAPE(2, 4)));
    else if (!strcmp(name, "kpm_dims"))
        out = cg_nn_multihead_attention_forward(m = cg_nn_multihead_attention(4, 2), x, x, x,
                                                .key_padding_mask = cg_zeros_shape(CG_BOOL, CG_SHAPE(2, 3, 1)));
    else if (!strcmp(name, "kpm_dtype"))
        out = cg_nn_multihead_attention_forward(m = cg_nn_multihead_attention(4, 2), x, x, x,
                                                .key_padding_mask = cg_zeros_shape(CG_INT64, CG_SHAPE(2, 3)));
    else if (!strcmp(name, "heads"))
        out = (cg_tensor *)(m = cg_nn_multihead_attention(6, 4));
    else if (!strcmp(name, "tel_activation"))
        out = (cg_tensor *)(m = cg_nn_transformer_encoder_layer(4, 2, .activation = "tanh"));
    else
        return -2;
    int rc = out ? 0 : -1;
    cg_module_free(m);
    return rc;
}

static void test_errors_golden(void) {
    golden_file f;
    if (golden_open(&f, DATA) < 0) {
        CHECK(0);
        return;
    }
    int n = 0;
    for (char *line; (line = golden_next_line(&f));) {
        char *cur = line;
        if (strcmp(golden_token(&cur), "error")) continue;
        const char *name = golden_token(&cur), *expected = cur + strspn(cur, " ");
        CG_SCOPE {
            cg_clear_error();
            int rc = error_case(name);
            CHECK_MSG(rc == -1, "%s: rc %d", name, rc);
            /* cgrad has no AssertionError: PyTorch's asserts are RuntimeErrors with their texts */
            if (!strncmp(expected, "AssertionError: ", 16))
                CHECK_STR(cg_last_error(), expected + 16);
            else
                CHECK_STR(harness_error(), expected);
        }
        n++;
    }
    golden_close(&f);
    CHECK_MSG(n == 13, "%d error cases", n);
}

static void test_api(void) {
    cg_manual_seed(0);
    cg_module *m = cg_nn_multihead_attention(4, 2, .dropout = 0.1), *lin = cg_nn_linear(4, 4);
    cg_tensor *x = cg_randn(3, 2, 4), *w = cg_ones(1);
    /* dropout on the weights draws in training only: eval's output is the same twice */
    CHECK(!harness_same_bits(cg_module_forward(m, x), cg_module_forward(m, x)));
    cg_module_train(m, false);
    CHECK(harness_same_bits(cg_module_forward(m, x), cg_module_forward(m, x)));
    cg_tensor *y = cg_module_forward(m, x);
    CHECK(y && cg_ndim(y) == 3 && cg_size(y, 0) == 3 && cg_size(y, 2) == 4);
    /* the same as the three-argument call with need_weights */
    cg_tensor *y2 = cg_nn_multihead_attention_forward(m, x, x, x, .weights = &w);
    CHECK(harness_same_bits(y, y2) && w && cg_ndim(w) == 3 && cg_size(w, 1) == 3 && cg_size(w, 2) == 3);
    CHECK_ERROR(cg_nn_multihead_attention_forward(lin, x, x, x, .weights = &w),
                "cg_nn_multihead_attention_forward: the module is a Linear, not a MultiheadAttention");
    CHECK(w == NULL);
    cg_clear_error();
    CHECK(cg_nn_multihead_attention_forward(m, x, x, NULL) == NULL && cg_last_error()[0] == '\0');
    CHECK(cg_nn_multihead_attention(0, 2) == NULL && cg_last_error_kind() == CG_VALUE_ERROR);
    cg_module_free(m);

    m = cg_nn_transformer_encoder_layer(4, 2, .dim_feedforward = 8); /* dropout 0.1 */
    CHECK(!harness_same_bits(cg_module_forward(m, x), cg_module_forward(m, x)));
    cg_module_train(m, false);
    y = cg_module_forward(m, x);
    CHECK(y && cg_ndim(y) == 3 && cg_size(y, 0) == 3 && cg_size(y, 1) == 2 && cg_size(y, 2) == 4);
    CHECK(harness_same_bits(y, cg_nn_transformer_encoder_layer_forward(m, x, NULL, NULL)));
    CHECK_ERROR(cg_nn_transformer_encoder_layer_forward(lin, x, NULL, NULL),
                "cg_nn_transformer_encoder_layer_forward: the module is a Linear, not a TransformerEncoderLayer");
    /* in a Sequential, as layers of an encoder */
    cg_module *seq = cg_nn_sequential(CG_MODULES(cg_nn_transformer_encoder_layer(4, 2, .dim_feedforward = 8),
                                                 cg_nn_transformer_encoder_layer(4, 2, .dim_feedforward = 8)));
    cg_named_tensors params = {0};
    CHECK(cg_module_named_parameters(seq, &params) == 0 && params.n == 24 &&
          !strcmp(params.names[12], "1.self_attn.in_proj_weight"));
    cg_named_tensors_free(&params);
    y = cg_module_forward(seq, x);
    CHECK(y && cg_backward(cg_sum(y)) == 0);
    cg_module_free(seq);
    cg_module_free(lin);
    cg_module_free(m);
}

int main(void) {
    RUN(test_golden_cases);
    RUN(test_errors_golden);
    RUN(test_api);
    HARNESS_END();
}
