/* Recurrent layers against PyTorch 1.13 (tests/data/rnn.txt, from tools/gen_rnn.py): default
 * initialization bit for bit; outputs and the gradients of parameters and inputs bit for bit where
 * OpenBLAS runs the kernels the golden data came from and SLEEF is linked (else within 1e-5: other
 * gemm kernels and libm's tanh/exp round differently); the errors' texts; float64 gradcheck and
 * gradgradcheck of the cell functions; the API's own errors. */
#include "golden.h"
#include "harness.h"

#include "blas_core.h"

#define RNN_DATA "tests/data/rnn.txt"

/* The cases of tools/gen_rnn.py, built in the same way. */
static cg_module *make_case(const char *name) {
    if (!strcmp(name, "rnn_tanh")) return cg_nn_rnn(3, 4);
    if (!strcmp(name, "rnn_relu_2l")) return cg_nn_rnn(3, 4, .num_layers = 2, .nonlinearity = "relu");
    if (!strcmp(name, "rnn_bi_nobias")) return cg_nn_rnn(3, 4, .bidirectional = true, .no_bias = true);
    if (!strcmp(name, "lstm")) return cg_nn_lstm(3, 4);
    if (!strcmp(name, "lstm_bi_2l")) return cg_nn_lstm(3, 4, .num_layers = 2, .bidirectional = true);
    if (!strcmp(name, "lstm_bf_nobias")) return cg_nn_lstm(3, 4, .batch_first = true, .no_bias = true);
    if (!strcmp(name, "lstm_unbatched")) return cg_nn_lstm(3, 4, .bidirectional = true);
    if (!strcmp(name, "gru")) return cg_nn_gru(3, 4);
    if (!strcmp(name, "gru_bi_bf_2l")) return cg_nn_gru(3, 4, .num_layers = 2, .bidirectional = true, .batch_first = true);
    if (!strcmp(name, "gru_unbatched")) return cg_nn_gru(3, 4, .batch_first = true);
    if (!strcmp(name, "gru_wide")) return cg_nn_gru(8, 24, .num_layers = 2);
    if (!strcmp(name, "lstm_wide")) return cg_nn_lstm(8, 24);
    if (!strcmp(name, "rnn_cell")) return cg_nn_rnn_cell(3, 4);
    if (!strcmp(name, "rnn_cell_relu")) return cg_nn_rnn_cell(3, 4, .nonlinearity = "relu");
    if (!strcmp(name, "lstm_cell")) return cg_nn_lstm_cell(3, 4);
    if (!strcmp(name, "lstm_cell_unbatched")) return cg_nn_lstm_cell(3, 4, .no_bias = true);
    if (!strcmp(name, "gru_cell")) return cg_nn_gru_cell(3, 4);
    if (!strcmp(name, "lstm_proj")) return cg_nn_lstm(3, 5, .num_layers = 2, .bidirectional = true, .proj_size = 2);
    if (!strcmp(name, "lstm_dropout_3l")) return cg_nn_lstm(3, 4, .num_layers = 3, .dropout = 0.5);
    if (!strcmp(name, "gru_dropout_bi_bf"))
        return cg_nn_gru(3, 4, .num_layers = 2, .bidirectional = true, .batch_first = true, .dropout = 0.3);
    return NULL;
}


static bool close_to(cg_tensor *got, cg_tensor *expected, double tol) {
    bool ok = got && expected && cg_ndim(got) == cg_ndim(expected) && cg_numel(got) == cg_numel(expected);
    for (int d = 0; ok && d < cg_ndim(got); d++) ok = cg_size(got, d) == cg_size(expected, d);
    cg_tensor *e64 = ok ? cg_contiguous(cg_to(expected, CG_FLOAT64)) : NULL;
    return e64 && harness_values_close(got, cg_data_ptr(e64), tol);
}

/* One case's lines, gathered: the golden tensors and the keys they go with. */
#define MAX_LINES 64
typedef struct {
    char name[40];
    int nparams, ninputs, noutputs, ngrads;
    char *param_keys[MAX_LINES], *grad_keys[MAX_LINES];
    cg_tensor *params[MAX_LINES], *inputs[4], *outputs[4], *grads[MAX_LINES], *igrads[4];
    int nigrads;
} golden_case;

static int cases_run, bits_differ;
static double tolerance; /* 0: PyTorch's bits */

/* Whether this build should give the golden bits: the file's OpenBLAS kernels, and SLEEF. */
static double golden_tolerance(void) {
#ifdef CG_HAVE_SLEEF
    if (golden_same_blas(RNN_DATA)) return 0;
#endif
    return 1e-5;
}

/* The case's forward with the golden inputs: outputs in PyTorch's order, their count. */
static int run_forward(cg_module *m, cg_tensor **in, int nin, cg_tensor **out) {
    bool lstm = !strcmp(cg_module_type(m), "LSTM") || !strcmp(cg_module_type(m), "LSTMCell");
    cg_tensor *h = nin > 1 ? in[1] : NULL, *c = lstm && nin > 2 ? in[2] : NULL;
    out[1] = out[2] = NULL;
    if (strstr(cg_module_type(m), "Cell")) {
        out[0] = cg_nn_cell_forward(m, in[0], h, c, lstm ? &out[1] : NULL);
        return out[0] ? (lstm ? 2 : 1) : -1;
    }
    out[0] = cg_nn_rnn_forward(m, in[0], h, c, &out[1], lstm ? &out[2] : NULL);
    return out[0] ? (lstm ? 3 : 2) : -1;
}

static void check_case(golden_case *g, int seed) {
    cases_run++;
    cg_manual_seed((uint64_t)seed);
    cg_module *m = make_case(g->name);
    CHECK_MSG(m != NULL, "%s: %s", g->name, cg_last_error());
    if (!m) return;
    cg_named_tensors sd = {0};
    CHECK(cg_module_state_dict(m, &sd) == 0);
    CHECK_MSG(sd.n == g->nparams, "%s: %d state_dict entries, PyTorch has %d", g->name, sd.n, g->nparams);
    for (int i = 0; i < g->nparams && i < sd.n; i++) {
        CHECK_MSG(!strcmp(sd.names[i], g->param_keys[i]), "%s: key %d is %s, PyTorch's %s", g->name, i, sd.names[i],
                  g->param_keys[i]);
        CHECK_MSG(harness_same_bits(sd.tensors[i], g->params[i]), "%s: %s differs from PyTorch's", g->name, sd.names[i]);
    }
    cg_named_tensors_free(&sd);
    /* PyTorch drew the inputs with randn after the module: draw them again, so that the generator is
     * where PyTorch's was for the forward's own draws (dropout), and check they are the file's */
    for (int i = 0; i < g->ninputs; i++) {
        cg_tensor *drawn = cg_randn_shape(CG_FLOAT32, cg_ndim(g->inputs[i]), cg_sizes(g->inputs[i]));
        CHECK_MSG(harness_same_bits(drawn, g->inputs[i]), "%s: input %d is not the draw PyTorch made", g->name, i);
        cg_requires_grad_(g->inputs[i], true);
    }
    cg_tensor *out[3];
    int n = run_forward(m, g->inputs, g->ninputs, out);
    CHECK_MSG(n == g->noutputs, "%s: %d outputs (%s), PyTorch has %d", g->name, n, cg_last_error(), g->noutputs);
    cg_tensor *loss = n > 0 ? cg_zeros_shape(CG_FLOAT32, 0, NULL) : NULL;
    for (int k = 0; k < n && k < g->noutputs; k++) {
        if (!harness_same_bits(out[k], g->outputs[k])) {
            bits_differ++;
            CHECK_MSG(close_to(out[k], g->outputs[k], 1e-5), "%s: output %d differs", g->name, k);
            if (tolerance == 0) fprintf(stderr, "  %s: output %d is not PyTorch's bits\n", g->name, k);
        }
        loss = cg_add(loss, cg_sum(cg_mul_scalar(out[k], k + 1)));
    }
    CHECK_MSG(loss && cg_backward(loss) == 0, "%s: backward: %s", g->name, cg_last_error());
    for (int i = 0; i < g->ngrads; i++) {
        cg_tensor *p = cg_module_get_parameter(m, g->grad_keys[i]);
        CHECK_MSG(p && close_to(cg_grad(p), g->grads[i], tolerance), "%s: grad of %s differs", g->name, g->grad_keys[i]);
    }
    CHECK(g->nigrads == g->ninputs);
    for (int i = 0; i < g->nigrads; i++)
        CHECK_MSG(close_to(cg_grad(g->inputs[i]), g->igrads[i], tolerance), "%s: grad of input %d differs", g->name, i);
    cg_module_free(m);
}

static void free_case(golden_case *g) {
    for (int i = 0; i < g->nparams; i++) free(g->param_keys[i]);
    for (int i = 0; i < g->ngrads; i++) free(g->grad_keys[i]);
    memset(g, 0, sizeof *g);
}

/* A golden line into the case it belongs to; false when it starts another case. */
static bool add_line(golden_case *g, const char *kind, char *cur) {
    if (!strcmp(kind, "param") && g->nparams < MAX_LINES) {
        g->param_keys[g->nparams] = strdup(golden_token(&cur));
        g->params[g->nparams++] = golden_tensor(&cur);
    } else if (!strcmp(kind, "input") && g->ninputs < 3) {
        if (strcmp(cur + strspn(cur, " "), "None")) g->inputs[g->ninputs++] = golden_tensor(&cur);
    } else if (!strcmp(kind, "output") && g->noutputs < 3) {
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
    if (golden_open(&f, RNN_DATA) < 0) {
        CHECK(0);
        return;
    }
    golden_case g = {0};
    int seed = 0;
    tolerance = golden_tolerance();
    for (char *line; (line = golden_next_line(&f));) {
        char *cur = line, *kind = golden_token(&cur);
        if (!strcmp(kind, "error")) break;
        char *name = golden_token(&cur);
        if (g.name[0] && strcmp(name, g.name)) {
            check_case(&g, seed++);
            free_case(&g);
        }
        snprintf(g.name, sizeof g.name, "%s", name);
        CHECK_MSG(add_line(&g, kind, cur), "%s: unexpected line %s", name, kind);
    }
    if (g.name[0]) check_case(&g, seed);
    free_case(&g);
    golden_close(&f);
    CHECK_MSG(cases_run == 20, "%d cases", cases_run);
    CHECK_MSG(tolerance > 0 || bits_differ == 0, "%d outputs are not PyTorch's bits", bits_differ);
}

/* The error cases of tools/gen_rnn.py, made the same way (inputs of the same shapes). */
static int error_case(const char *name) {
    int rc = -1;
    cg_module *m = NULL;
    cg_tensor *out = NULL, *hn, *cn;
    if (!strcmp(name, "bad_input_size")) out = cg_module_forward(m = cg_nn_lstm(4, 5), cg_randn(2, 3, 3));
    else if (!strcmp(name, "input_4d")) out = cg_module_forward(m = cg_nn_lstm(4, 5), cg_randn(2, 3, 4, 1));
    else if (!strcmp(name, "lstm_h_size"))
        out = cg_nn_rnn_forward(m = cg_nn_lstm(4, 5), cg_randn(2, 3, 4), cg_zeros(2, 3, 5), cg_zeros(1, 3, 5), &hn, &cn);
    else if (!strcmp(name, "lstm_c_size"))
        out = cg_nn_rnn_forward(m = cg_nn_lstm(4, 5), cg_randn(2, 3, 4), cg_zeros(1, 3, 5), cg_zeros(1, 2, 5), &hn, &cn);
    else if (!strcmp(name, "lstm_hx_dims"))
        out = cg_nn_rnn_forward(m = cg_nn_lstm(4, 5), cg_randn(2, 3, 4), cg_zeros(1, 3, 5), cg_zeros(3, 5), &hn, &cn);
    else if (!strcmp(name, "empty_sequence")) out = cg_module_forward(m = cg_nn_lstm(4, 5), cg_randn(0, 3, 4));
    else if (!strcmp(name, "gru_h_size"))
        out = cg_nn_rnn_forward(m = cg_nn_gru(4, 5), cg_randn(2, 3, 4), cg_zeros(2, 3, 5), NULL, &hn, NULL);
    else if (!strcmp(name, "gru_h_dims"))
        out = cg_nn_rnn_forward(m = cg_nn_gru(4, 5), cg_randn(2, 3, 4), cg_zeros(3, 5), NULL, &hn, NULL);
    else if (!strcmp(name, "gru_unbatched_h_dims"))
        out = cg_nn_rnn_forward(m = cg_nn_gru(4, 5), cg_randn(2, 4), cg_zeros(1, 3, 5), NULL, &hn, NULL);
    else if (!strcmp(name, "rnn_dtype"))
        out = cg_module_forward(m = cg_nn_rnn(4, 5), cg_randn_shape(CG_FLOAT64, CG_SHAPE(2, 3, 4)));
    else if (!strcmp(name, "bad_nonlinearity")) out = (cg_tensor *)(m = cg_nn_rnn(4, 5, .nonlinearity = "sig"));
    else if (!strcmp(name, "bad_dropout")) out = (cg_tensor *)(m = cg_nn_rnn(4, 5, .dropout = 1.5));
    else if (!strcmp(name, "hidden_zero")) out = (cg_tensor *)(m = cg_nn_gru(4, 0));
    else if (!strcmp(name, "cell_3d")) out = cg_module_forward(m = cg_nn_lstm_cell(4, 5), cg_randn(2, 3, 4));
    else if (!strcmp(name, "cell_input_size"))
        out = cg_lstm_cell(cg_randn(2, 3), cg_zeros(2, 5), cg_zeros(2, 5), cg_randn(20, 4), cg_randn(20, 5), NULL, NULL,
                           &cn);
    else if (!strcmp(name, "cell_batch"))
        out = cg_gru_cell(cg_randn(2, 4), cg_zeros(3, 5), cg_randn(15, 4), cg_randn(15, 5), NULL, NULL);
    else if (!strcmp(name, "cell_hidden_size"))
        out = cg_gru_cell(cg_randn(2, 4), cg_zeros(2, 6), cg_randn(15, 4), cg_randn(15, 5), NULL, NULL);
    else if (!strcmp(name, "cell_c_batch"))
        out = cg_lstm_cell(cg_randn(2, 4), cg_zeros(2, 5), cg_zeros(3, 5), cg_randn(20, 4), cg_randn(20, 5), NULL, NULL,
                           &cn);
    else if (!strcmp(name, "gru_proj")) out = (cg_tensor *)(m = cg_nn_gru(4, 5, .proj_size = 2));
    else if (!strcmp(name, "proj_negative")) out = (cg_tensor *)(m = cg_nn_lstm(4, 5, .proj_size = -1));
    else if (!strcmp(name, "proj_too_big")) out = (cg_tensor *)(m = cg_nn_lstm(4, 5, .proj_size = 5));
    else if (!strcmp(name, "proj_h_size"))
        out = cg_nn_rnn_forward(m = cg_nn_lstm(3, 5, .proj_size = 2), cg_randn(4, 2, 3), cg_zeros(1, 2, 5),
                                cg_zeros(1, 2, 5), &hn, &cn);
    else if (!strcmp(name, "cell_1d"))
        out = cg_rnn_tanh_cell(cg_randn(4), cg_zeros(2, 5), cg_randn(5, 4), cg_randn(5, 5), NULL, NULL);
    else return -2;
    rc = out ? 0 : -1;
    cg_module_free(m);
    return rc;
}

static void test_errors_golden(void) {
    golden_file f;
    if (golden_open(&f, RNN_DATA) < 0) {
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
            /* cgrad has no AssertionError: the cell's assert is a RuntimeError with its text */
            if (!strncmp(expected, "AssertionError: ", 16))
                CHECK_STR(cg_last_error(), expected + 16);
            else
                CHECK_STR(harness_error(), expected);
        }
        n++;
    }
    golden_close(&f);
    CHECK_MSG(n == 23, "%d error cases", n);
}

/* ---- float64 gradcheck and gradgradcheck of the cell functions ---- */

typedef struct {
    int kind; /* 0 tanh, 1 relu, 2 gru, 3 lstm */
    bool bias;
} cell_fn;

static int cell_fn_call(cg_tensor **in, cg_tensor **out, void *user) {
    const cell_fn *f = user;
    cg_tensor *b_ih = f->bias ? in[4] : NULL, *b_hh = f->bias ? in[5] : NULL;
    if (f->kind == 3) {
        out[0] = cg_lstm_cell(in[0], in[1], in[f->bias ? 6 : 4], in[2], in[3], b_ih, b_hh, &out[1]);
        return out[0] ? 2 : -1;
    }
    out[0] = f->kind == 0   ? cg_rnn_tanh_cell(in[0], in[1], in[2], in[3], b_ih, b_hh)
             : f->kind == 1 ? cg_rnn_relu_cell(in[0], in[1], in[2], in[3], b_ih, b_hh)
                            : cg_gru_cell(in[0], in[1], in[2], in[3], b_ih, b_hh);
    return out[0] ? 1 : -1;
}

static cg_tensor *rand64(int64_t a, int64_t b) {
    int64_t sizes[2] = {a, b};
    return cg_requires_grad_(cg_randn_shape(CG_FLOAT64, b ? 2 : 1, sizes), true);
}

static void test_cell_gradcheck(void) {
    static const int gates[] = {1, 1, 3, 4};
    const int64_t n = 2, in = 3, h = 2;
    cg_manual_seed(3);
    for (int kind = 0; kind < 4; kind++)
        for (int bias = 0; bias < 2; bias++) {
            cell_fn f = {kind, bias};
            int64_t g = gates[kind] * h;
            cg_tensor *x[7] = {rand64(n, in), rand64(n, h), rand64(g, in), rand64(g, h)};
            int nin = 4;
            if (bias) {
                x[nin++] = rand64(g, 0);
                x[nin++] = rand64(g, 0);
            }
            if (kind == 3) x[nin++] = rand64(n, h);
            cg_tensor_list inputs = {x, nin};
            CHECK_MSG(cg_gradcheck(.fn = cell_fn_call, .inputs = inputs, .user = &f) == 0, "kind %d bias %d: %s", kind,
                      bias, cg_last_error());
            if (kind != 1) /* relu's kink makes the second derivative's differences unreliable */
                CHECK_MSG(cg_gradgradcheck(.fn = cell_fn_call, .inputs = inputs, .user = &f) == 0,
                          "kind %d bias %d: %s", kind, bias, cg_last_error());
        }
}

/* ---- the API's own behaviour ---- */

static void test_api(void) {
    cg_manual_seed(0);
    cg_module *lstm = cg_nn_lstm(3, 4, .num_layers = 2, .dropout = 0.5);
    CHECK_OK(lstm);
    cg_tensor *x = cg_randn(5, 2, 3), *hn, *cn;
    /* dropout between layers draws in training only: eval's output is the same twice */
    cg_module_train(lstm, false);
    CHECK(harness_same_bits(cg_module_forward(lstm, x), cg_module_forward(lstm, x)));
    cg_tensor *y = cg_nn_rnn_forward(lstm, x, NULL, NULL, &hn, &cn);
    CHECK(y && cg_size(y, 0) == 5 && cg_size(y, 2) == 4 && hn && cg_size(hn, 0) == 2 && cn && cg_size(cn, 2) == 4);
    /* the output and h_n agree: the last step of the last layer */
    CHECK(harness_same_bits(cg_select(y, 0, 4), cg_select(hn, 0, 1)));
    CHECK_ERROR(cg_nn_rnn_forward(lstm, x, cg_zeros(2, 2, 4), NULL, &hn, &cn),
                "LSTM: h0 and c0 are given together (hx is a tuple)");
    CHECK(hn == NULL && cn == NULL);
    cg_module *gru = cg_nn_gru(3, 4);
    CHECK_ERROR(cg_nn_rnn_forward(gru, x, NULL, cg_zeros(1, 2, 4), &hn, NULL), "GRU: c0 is for an LSTM only");
    cg_module *lin = cg_nn_linear(3, 4);
    CHECK_ERROR(cg_nn_rnn_forward(lin, x, NULL, NULL, NULL, NULL),
                "cg_nn_rnn_forward: the module is a Linear, not an RNN, LSTM or GRU");
    CHECK_ERROR(cg_nn_cell_forward(gru, x, NULL, NULL, NULL),
                "cg_nn_cell_forward: the module is a GRU, not an RNNCell, LSTMCell or GRUCell");
    CHECK_ERROR(cg_nn_gru_cell(3, 4, .bidirectional = true),
                "GRUCell takes input_size, hidden_size, no_bias and nonlinearity only");
    CHECK_ERROR(cg_lstm_cell(x, cg_zeros(2, 4), cg_zeros(2, 4), cg_randn(16, 3), cg_randn(16, 4), NULL, NULL, NULL),
                "cg_lstm_cell: c_out must point to where the new c goes");
    /* input_size 0: 2-D weights of no columns, as PyTorch's */
    cg_module *empty_in = cg_nn_gru(0, 2);
    CHECK(cg_ndim(cg_module_get_parameter(empty_in, "weight_ih_l0")) == 2);
    y = cg_module_forward(empty_in, cg_randn(2, 1, 0));
    CHECK(y && cg_size(y, 2) == 2);
    cg_module_free(empty_in);
    /* a NULL input is an earlier failure */
    cg_clear_error();
    CHECK(cg_nn_rnn_forward(gru, NULL, NULL, NULL, &hn, NULL) == NULL && hn == NULL && cg_last_error()[0] == '\0');
    /* in a Sequential, the output goes on */
    cg_module *seq = cg_nn_sequential(CG_MODULES(cg_nn_gru(3, 4, .batch_first = true), cg_nn_tanh()));
    y = cg_module_forward(seq, cg_randn(2, 5, 3));
    CHECK(y && cg_size(y, 0) == 2 && cg_size(y, 1) == 5 && cg_size(y, 2) == 4);
    cg_named_tensors params = {0};
    CHECK(cg_module_named_parameters(seq, &params) == 0 && params.n == 4 && !strcmp(params.names[0], "0.weight_ih_l0"));
    cg_named_tensors_free(&params);
    /* the warning for dropout with one layer, PyTorch's text */
    cg_module_free(seq);
    cg_module_free(lin);
    cg_module_free(gru);
    cg_module_free(lstm);
}

static char warned[400];
static void keep_warning(const char *message, void *user) {
    (void)user;
    snprintf(warned, sizeof warned, "%s", message);
}

static void test_dropout_warning(void) {
    cg_set_warning_handler(keep_warning, NULL);
    cg_module *m = cg_nn_rnn(4, 5, .dropout = 0.5);
    cg_set_warning_handler(NULL, NULL);
    CHECK_STR(warned, "dropout option adds dropout after all but last recurrent layer, so non-zero dropout expects "
                      "num_layers greater than 1, but got dropout=0.5 and num_layers=1");
    cg_module_free(m);
}

int main(void) {
    RUN(test_golden_cases);
    RUN(test_errors_golden);
    RUN(test_cell_gradcheck);
    RUN(test_api);
    RUN(test_dropout_warning);
    HARNESS_END();
}
