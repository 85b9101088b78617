/* Recurrent layers: nn.RNN, nn.LSTM, nn.GRU and their cells, composed of cgrad's differentiable ops
 * in the order PyTorch 1.13's CPU path runs them (aten/src/ATen/native/RNN.cpp): a layer projects
 * its whole input sequence at once (linear(x, w_ih, b_ih)), then each step adds linear(h, w_hh,
 * b_hh) to that step's projection and applies the gates. Each op being PyTorch's, the forward has
 * PyTorch's float32 bits and autograd records the same graph (but SplitBackward0 for its
 * UnsafeSplitBackward0, SelectBackward0 for UnbindBackward0). */
#include "nn/nn.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef enum { MODE_RNN_TANH, MODE_RNN_RELU, MODE_LSTM, MODE_GRU } rnn_mode;

static const int gate_count[] = {1, 1, 4, 3};

typedef struct {
    rnn_mode mode;
    cg_nn_rnn_args a;  /* nonlinearity is not kept (mode says it) */
} rnn_state;

/* at::linear: without a bias, a product with the transposed weight. */
static cg_tensor *project(cg_tensor *x, cg_tensor *w, cg_tensor *b) {
    return b ? cg_linear(x, w, b) : cg_matmul(x, cg_t(w));
}

/* One step from ig, the input's projection: the new h, and for an LSTM the new c in *c (and h
 * projected by w_hr when not NULL, as matmul_hr). */
static cg_tensor *cell_step(rnn_mode mode, cg_tensor *ig, cg_tensor *h, cg_tensor **c, cg_tensor *w_hh,
                            cg_tensor *b_hh, cg_tensor *w_hr) {
    cg_tensor *hg = project(h, w_hh, b_hh);
    if (mode == MODE_RNN_TANH) return cg_tanh(cg_add(hg, ig));
    if (mode == MODE_RNN_RELU) return cg_relu(cg_add(hg, ig));
    if (mode == MODE_LSTM) {
        cg_tensor *g[4];
        if (cg_chunk(cg_add(hg, ig), 4, 1, g, 4) != 4) return *c = NULL;
        *c = cg_add(cg_mul(cg_sigmoid(g[1]), *c), cg_mul(cg_sigmoid(g[0]), cg_tanh(g[2])));
        cg_tensor *hy = cg_mul(cg_sigmoid(g[3]), cg_tanh(*c));
        return w_hr ? cg_matmul(hy, cg_t(w_hr)) : hy;
    }
    /* PyTorch adds r's and z's parts in place into slices of hg and applies sigmoid_ there: the
     * sigmoids run over rows of H elements (their vector loops' tails fall where PyTorch's do)
     * when they read slices of one sum of the whole gates. */
    cg_tensor *i[3], *hh[3], *sum[3];
    if (cg_chunk(ig, 3, 1, i, 3) != 3 || cg_chunk(hg, 3, 1, hh, 3) != 3 || cg_chunk(cg_add(hg, ig), 3, 1, sum, 3) != 3)
        return NULL;
    cg_tensor *r = cg_sigmoid(sum[0]), *z = cg_sigmoid(sum[1]);
    cg_tensor *n = cg_tanh(cg_add(i[2], cg_mul(hh[2], r)));
    return cg_add(cg_mul(cg_sub(h, n), z), n);
}

/* ---- the functional cells (torch.rnn_tanh_cell, ...) ---- */

/* check_rnn_cell_forward_input / _hidden, with PyTorch's texts (lstm_cell checks cx as "hidden0" too). */
static int check_cell_args(cg_tensor *x, cg_tensor *w_ih, cg_tensor *w_hh, cg_tensor *h) {
    if (cg_ndim(x) < 2 || cg_ndim(w_ih) < 2 || cg_ndim(w_hh) < 2 || cg_ndim(h) < 2) {
        int nd = cg_ndim(x) < 2 ? cg_ndim(x) : cg_ndim(w_ih) < 2 ? cg_ndim(w_ih) : cg_ndim(w_hh) < 2 ? cg_ndim(w_hh) : cg_ndim(h);
        int lo = nd ? -nd : -1, hi = nd ? nd - 1 : 0;
        cg_set_index_error("Dimension out of range (expected to be in range of [%d, %d], but got 1)", lo, hi);
        return -1;
    }
    if (cg_size(x, 1) != cg_size(w_ih, 1)) {
        cg_set_error("input has inconsistent input_size: got %lld expected %lld", (long long)cg_size(x, 1),
                     (long long)cg_size(w_ih, 1));
        return -1;
    }
    if (cg_size(x, 0) != cg_size(h, 0)) {
        cg_set_error("Input batch size %lld doesn't match hidden0 batch size %lld", (long long)cg_size(x, 0),
                     (long long)cg_size(h, 0));
        return -1;
    }
    if (cg_size(h, 1) != cg_size(w_hh, 1)) {
        cg_set_error("hidden0 has inconsistent hidden_size: got %lld, expected %lld", (long long)cg_size(h, 1),
                     (long long)cg_size(w_hh, 1));
        return -1;
    }
    return 0;
}

static cg_tensor *functional_cell(rnn_mode mode, cg_tensor *x, cg_tensor *h, cg_tensor *c, cg_tensor *w_ih,
                                  cg_tensor *w_hh, cg_tensor *b_ih, cg_tensor *b_hh, cg_tensor **c_out) {
    if (!x || !h || !w_ih || !w_hh || (mode == MODE_LSTM && !c)) return NULL;
    if (mode == MODE_LSTM && !c_out) {
        cg_set_error("cg_lstm_cell: c_out must point to where the new c goes");
        return NULL;
    }
    if (check_cell_args(x, w_ih, w_hh, h) < 0 || (mode == MODE_LSTM && check_cell_args(x, w_ih, w_hh, c) < 0))
        return NULL;
    cg_tensor *out = NULL;
    CG_SCOPE {
        out = cg_keep(cell_step(mode, project(x, w_ih, b_ih), h, &c, w_hh, b_hh, NULL));
        if (mode == MODE_LSTM) *c_out = out ? cg_keep(c) : NULL;
    }
    return out;
}

cg_tensor *cg_rnn_tanh_cell(cg_tensor *input, cg_tensor *hx, cg_tensor *w_ih, cg_tensor *w_hh, cg_tensor *b_ih,
                            cg_tensor *b_hh) {
    return functional_cell(MODE_RNN_TANH, input, hx, NULL, w_ih, w_hh, b_ih, b_hh, NULL);
}

cg_tensor *cg_rnn_relu_cell(cg_tensor *input, cg_tensor *hx, cg_tensor *w_ih, cg_tensor *w_hh, cg_tensor *b_ih,
                            cg_tensor *b_hh) {
    return functional_cell(MODE_RNN_RELU, input, hx, NULL, w_ih, w_hh, b_ih, b_hh, NULL);
}

cg_tensor *cg_gru_cell(cg_tensor *input, cg_tensor *hx, cg_tensor *w_ih, cg_tensor *w_hh, cg_tensor *b_ih,
                       cg_tensor *b_hh) {
    return functional_cell(MODE_GRU, input, hx, NULL, w_ih, w_hh, b_ih, b_hh, NULL);
}

cg_tensor *cg_lstm_cell(cg_tensor *input, cg_tensor *hx, cg_tensor *cx, cg_tensor *w_ih, cg_tensor *w_hh,
                        cg_tensor *b_ih, cg_tensor *b_hh, cg_tensor **c_out) {
    if (c_out) *c_out = NULL;
    return functional_cell(MODE_LSTM, input, hx, cx, w_ih, w_hh, b_ih, b_hh, c_out);
}

/* ---- the layers ---- */

/* One direction of one layer over x (L, N, in): the stacked outputs (L, N, H); *h and *c (LSTM)
 * go from the initial state to the final one. The reverse direction reads the steps backwards and
 * writes its outputs in input order. */
static cg_tensor *run_direction(rnn_mode mode, cg_tensor *x, cg_tensor *const *p, bool bias, bool proj,
                                bool reverse, cg_tensor **h, cg_tensor **c) {
    int64_t len = cg_size(x, 0);
    cg_tensor **steps = malloc((size_t)len * sizeof *steps), **outs = malloc((size_t)len * sizeof *outs);
    cg_tensor *out = NULL;
    if (!steps || !outs) cg_set_error("out of memory");
    else if (cg_unbind(project(x, p[0], bias ? p[2] : NULL), 0, steps, (int)len) == len) {
        for (int64_t k = 0; k < len; k++) {
            int64_t t = reverse ? len - 1 - k : k;
            outs[t] = *h = cell_step(mode, steps[t], *h, c, p[1], bias ? p[3] : NULL, proj ? p[bias ? 4 : 2] : NULL);
        }
        out = *h ? cg_stack(outs, (int)len, 0) : NULL;
    }
    free(steps);
    free(outs);
    return out;
}

static int check_hidden(const char *what, cg_tensor *hx, int64_t layers, int64_t batch, int64_t hidden) {
    int64_t want[3] = {layers, batch, hidden};
    for (int d = 0; d < 3; d++)
        if (cg_size(hx, d) != want[d]) {
            cg_set_error("Expected %s size (%lld, %lld, %lld), got [%lld, %lld, %lld]", what, (long long)layers,
                         (long long)batch, (long long)hidden, (long long)cg_size(hx, 0), (long long)cg_size(hx, 1),
                         (long long)cg_size(hx, 2));
            return -1;
        }
    return 0;
}

/* h's features: proj_size when an LSTM projects, else hidden_size. */
static int64_t real_hidden(const rnn_state *s) { return s->a.proj_size > 0 ? s->a.proj_size : s->a.hidden_size; }

/* RNNBase.forward's checks, in its order; hx and cx are batched (3-D) when they return 0. */
static int check_forward(const rnn_state *s, cg_tensor *x, cg_tensor *hx, cg_tensor *cx) {
    if (cg_ndim(x) != 3) {
        cg_set_error("input must have 3 dimensions, got %d", cg_ndim(x));
        return -1;
    }
    if (cg_size(x, -1) != s->a.input_size) {
        cg_set_error("input.size(-1) must be equal to input_size. Expected %lld, got %lld",
                     (long long)s->a.input_size, (long long)cg_size(x, -1));
        return -1;
    }
    int64_t layers = s->a.num_layers * (s->a.bidirectional ? 2 : 1), batch = cg_size(x, s->a.batch_first ? 0 : 1);
    if (s->mode != MODE_LSTM) return check_hidden("hidden", hx, layers, batch, s->a.hidden_size);
    if (check_hidden("hidden[0]", hx, layers, batch, real_hidden(s)) < 0) return -1;
    return check_hidden("hidden[1]", cx, layers, batch, s->a.hidden_size);
}

/* The hidden states as 3-D tensors: zeros when not given, else checked and unsqueezed as
 * RNNBase.forward does for an unbatched input. */
static int prepare_hidden(const rnn_state *s, bool batched, cg_tensor *x, cg_tensor **hx, cg_tensor **cx) {
    bool lstm = s->mode == MODE_LSTM;
    if (!*hx) {
        int64_t sizes[3] = {s->a.num_layers * (s->a.bidirectional ? 2 : 1), cg_size(x, s->a.batch_first ? 0 : 1),
                            s->a.hidden_size};
        if (lstm) *cx = cg_zeros_shape(cg_get_dtype(x), 3, sizes);
        sizes[2] = real_hidden(s);
        *hx = cg_zeros_shape(cg_get_dtype(x), 3, sizes);
        return *hx && (!lstm || *cx) ? 0 : -1;
    }
    int want = batched ? 3 : 2;
    if (cg_ndim(*hx) != want || (lstm && cg_ndim(*cx) != want)) {
        if (lstm)
            cg_set_error("For %s input, hx and cx should also be %d-D but got (%d-D, %d-D) tensors",
                         batched ? "batched 3-D" : "unbatched 2-D", want, cg_ndim(*hx), cg_ndim(*cx));
        else
            cg_set_error("For %s input, hx should also be %d-D but got %d-D tensor",
                         batched ? "batched 3-D" : "unbatched 2-D", want, cg_ndim(*hx));
        return -1;
    }
    if (!batched) {
        *hx = cg_unsqueeze(*hx, 1);
        if (lstm) *cx = cg_unsqueeze(*cx, 1);
    }
    return 0;
}

static cg_tensor *run_layers(cg_module *m, const rnn_state *s, cg_tensor *x, cg_tensor *hx, cg_tensor *cx,
                             cg_tensor **h_n, cg_tensor **c_n) {
    bool proj = s->a.proj_size > 0;
    int dirs = s->a.bidirectional ? 2 : 1, np = (s->a.no_bias ? 2 : 4) + proj;
    int64_t count = s->a.num_layers * dirs;
    if (cg_size(x, 0) == 0) {
        cg_set_error("Expected sequence length to be larger than 0 in RNN");
        return NULL;
    }
    cg_tensor **hs = calloc((size_t)count, sizeof *hs), **cs = calloc((size_t)count, sizeof *cs);
    if (!hs || !cs) {
        free(hs);
        free(cs);
        cg_set_error("out of memory");
        return NULL;
    }
    for (int64_t l = 0; l < s->a.num_layers && x; l++) {
        cg_tensor *outs[2] = {NULL, NULL};
        for (int d = 0; d < dirs; d++) {
            int64_t k = l * dirs + d;
            cg_tensor *p[5];
            for (int i = 0; i < np; i++) p[i] = nn_param(m, (int)(k * np + i));
            hs[k] = cg_select(hx, 0, k);
            if (cx) cs[k] = cg_select(cx, 0, k);
            outs[d] = run_direction(s->mode, x, p, !s->a.no_bias, proj, d == 1, &hs[k], &cs[k]);
        }
        x = dirs == 2 ? cg_cat(outs, 2, 2) : outs[0];
        /* ATen's RNN: dropout on every layer's output but the last, in training only */
        if (s->a.dropout > 0 && l < s->a.num_layers - 1 && cg_module_is_training(m)) x = cg_dropout(x, s->a.dropout, true);
    }
    if (x) *h_n = cg_stack(hs, (int)count, 0);
    if (x && cx) *c_n = cg_stack(cs, (int)count, 0);
    free(hs);
    free(cs);
    return x;
}

/* _VF.rnn_tanh / lstm / gru on a checked input, with RNNBase.forward's unbatched handling around. */
static cg_tensor *rnn_run(cg_module *m, cg_tensor *input, cg_tensor *hx, cg_tensor *cx, cg_tensor **h_n,
                          cg_tensor **c_n) {
    const rnn_state *s = cg_module_state(m);
    bool batched = cg_ndim(input) == 3, lstm = s->mode == MODE_LSTM;
    int batch_dim = s->a.batch_first ? 0 : 1;
    cg_tensor *x = batched ? input : cg_unsqueeze(input, batch_dim), *hn = NULL, *cn = NULL;
    if (!x || prepare_hidden(s, batched, x, &hx, &cx) < 0 || check_forward(s, x, hx, lstm ? cx : NULL) < 0)
        return NULL;
    if (s->a.batch_first) x = cg_transpose(x, 0, 1);
    cg_tensor *out = run_layers(m, s, x, hx, lstm ? cx : NULL, &hn, &cn);
    if (out && s->a.batch_first) out = cg_transpose(out, 0, 1);
    if (out && !batched) {
        out = cg_squeeze_dim(out, batch_dim);
        hn = cg_squeeze_dim(hn, 1);
        if (lstm) cn = cg_squeeze_dim(cn, 1);
    }
    if (out && h_n) *h_n = cg_keep(hn);
    if (out && c_n && lstm) *c_n = cg_keep(cn);
    return out && (!h_n || *h_n) && (!c_n || !lstm || *c_n) ? cg_keep(out) : NULL;
}

static cg_tensor *rnn_forward(cg_module *m, cg_tensor *input);

static const rnn_state *rnn_of(const cg_module *m, bool *cell);

cg_tensor *cg_nn_rnn_forward(cg_module *m, cg_tensor *input, cg_tensor *h0, cg_tensor *c0, cg_tensor **h_n,
                             cg_tensor **c_n) {
    if (h_n) *h_n = NULL;
    if (c_n) *c_n = NULL;
    if (!m || !input) return NULL;
    bool cell;
    const rnn_state *s = rnn_of(m, &cell);
    if (!s || cell) {
        cg_set_error("cg_nn_rnn_forward: the module is a %s, not an RNN, LSTM or GRU", cg_module_type(m));
        return NULL;
    }
    if (s->mode == MODE_LSTM ? (!h0) != (!c0) : c0 != NULL) {
        cg_set_error(s->mode == MODE_LSTM ? "LSTM: h0 and c0 are given together (hx is a tuple)"
                                          : "%s: c0 is for an LSTM only", cg_module_type(m));
        return NULL;
    }
    cg_tensor *out = NULL, *hn = NULL, *cn = NULL;
    CG_SCOPE {
        out = rnn_run(m, input, h0, c0, &hn, &cn);
    }
    if (h_n) *h_n = out ? hn : NULL;
    if (c_n) *c_n = out ? cn : NULL;
    return out;
}

static cg_tensor *rnn_forward(cg_module *m, cg_tensor *input) {
    return cg_nn_rnn_forward(m, input, NULL, NULL, NULL, NULL);
}

/* ---- the cells as modules ---- */

static cg_tensor *cell_run(cg_module *m, const rnn_state *s, cg_tensor *x, cg_tensor *hx, cg_tensor *cx,
                           cg_tensor **c_out) {
    static const char *const names[] = {"RNNCell", "RNNCell", "LSTMCell", "GRUCell"};
    if (cg_ndim(x) != 1 && cg_ndim(x) != 2) {
        cg_set_error("%s: Expected input to be 1-D or 2-D but received %d-D tensor", names[s->mode], cg_ndim(x));
        return NULL;
    }
    bool batched = cg_ndim(x) == 2, bias = !s->a.no_bias;
    if (!batched) x = cg_unsqueeze(x, 0);
    if (!hx) {
        hx = cg_zeros_shape(cg_get_dtype(x), 2, (int64_t[]){cg_size(x, 0), s->a.hidden_size});
        cx = hx;
    } else if (!batched) {
        hx = cg_unsqueeze(hx, 0);
        if (cx) cx = cg_unsqueeze(cx, 0);
    }
    cg_tensor *w_ih = nn_param(m, 0), *w_hh = nn_param(m, 1), *b_ih = bias ? nn_param(m, 2) : NULL,
              *b_hh = bias ? nn_param(m, 3) : NULL, *c = NULL;
    cg_tensor *h = functional_cell(s->mode, x, hx, cx, w_ih, w_hh, b_ih, b_hh, &c);
    if (h && !batched) {
        h = cg_squeeze_dim(h, 0);
        if (c) c = cg_squeeze_dim(c, 0);
    }
    if (h && c_out) *c_out = cg_keep(c);
    return h ? cg_keep(h) : NULL;
}

cg_tensor *cg_nn_cell_forward(cg_module *m, cg_tensor *input, cg_tensor *hx, cg_tensor *cx, cg_tensor **c_out) {
    if (c_out) *c_out = NULL;
    if (!m || !input) return NULL;
    bool cell;
    const rnn_state *s = rnn_of(m, &cell);
    if (!s || !cell) {
        cg_set_error("cg_nn_cell_forward: the module is a %s, not an RNNCell, LSTMCell or GRUCell", cg_module_type(m));
        return NULL;
    }
    if (s->mode == MODE_LSTM ? (!hx) != (!cx) : cx != NULL) {
        cg_set_error(s->mode == MODE_LSTM ? "LSTMCell: hx and cx are given together (hx is a tuple)"
                                          : "%s: cx is for an LSTMCell only", cg_module_type(m));
        return NULL;
    }
    cg_tensor *h = NULL, *c = NULL;
    CG_SCOPE {
        h = cell_run(m, s, input, hx, cx, s->mode == MODE_LSTM ? &c : NULL);
    }
    if (c_out) *c_out = h ? c : NULL;
    return h;
}

static cg_tensor *cell_forward(cg_module *m, cg_tensor *input) {
    return cg_nn_cell_forward(m, input, NULL, NULL, NULL);
}

static const rnn_state *rnn_of(const cg_module *m, bool *cell) {
    cg_module_forward_fn f = nn_forward_fn(m);
    *cell = f == cell_forward;
    return f == rnn_forward || f == cell_forward ? cg_module_state(m) : NULL;
}

/* ---- constructors ---- */

/* Python's repr of a float in [0, 1]: the shortest digits that read back, ".0" on an integer. */
static const char *python_float(char *text, size_t size, double v) {
    for (int digits = 1; digits <= 17; digits++) {
        snprintf(text, size, "%.*g", digits, v);
        if (strtod(text, NULL) == v) break;
    }
    if (!strpbrk(text, ".e")) strncat(text, ".0", size - strlen(text) - 1);
    return text;
}

/* The mode of nn.RNN's / nn.RNNCell's nonlinearity, -1 with PyTorch's ValueError. */
static int rnn_nonlinearity(const char *name) {
    if (!name || !strcmp(name, "tanh")) return MODE_RNN_TANH;
    if (!strcmp(name, "relu")) return MODE_RNN_RELU;
    cg_set_value_error("Unknown nonlinearity '%s'", name);
    return -1;
}

/* A float32 parameter of name+suffix with ndim sizes, to be filled later. */
static int add_weight(cg_module *m, const char *name, const char *suffix, int ndim, int64_t rows, int64_t cols) {
    char full[64];
    snprintf(full, sizeof full, "%s%s", name, suffix);
    int64_t sizes[2] = {rows, cols};
    int rc = -1;
    CG_SCOPE {
        rc = cg_module_register_parameter(m, full, cg_empty_shape(CG_FLOAT32, ndim, sizes));
    }
    return rc;
}

/* One weight_ih, weight_hh (and biases) group named with suffix ("_l0", "_l1_reverse", "" for cells). */
static int add_group(cg_module *m, int64_t gates, int64_t in, int64_t hidden, bool bias, const char *suffix) {
    int rc = add_weight(m, "weight_ih", suffix, 2, gates, in);
    if (rc == 0) rc = add_weight(m, "weight_hh", suffix, 2, gates, hidden);
    if (rc == 0 && bias) rc = add_weight(m, "bias_ih", suffix, 1, gates, 0);
    if (rc == 0 && bias) rc = add_weight(m, "bias_hh", suffix, 1, gates, 0);
    return rc;
}

/* reset_parameters of RNNBase and RNNCellBase: every parameter in order from one uniform. */
static int reset_uniform(cg_module *m, int64_t hidden) {
    double stdv = 1.0 / sqrt((double)hidden);
    for (int i = 0; nn_param(m, i); i++)
        if (cg_nn_init_uniform_(nn_param(m, i), -stdv, stdv) != 0) return -1;
    return 0;
}

static cg_module *make_module(const char *type, cg_module_forward_fn forward, rnn_state s) {
    s.a.nonlinearity = NULL;
    rnn_state *copy = malloc(sizeof *copy);
    if (!copy) {
        cg_set_error("out of memory");
        return NULL;
    }
    *copy = s;
    return cg_module_new(type, forward, copy, free);
}

static cg_module *rnn_module(const char *type, int mode, cg_nn_rnn_args a) {
    if (mode < 0) return NULL;
    if (a.num_layers == 0) a.num_layers = 1;
    if (!(a.dropout >= 0 && a.dropout <= 1)) {
        cg_set_value_error("dropout should be a number in range [0, 1] representing the probability of an element "
                           "being zeroed");
        return NULL;
    }
    if (a.proj_size != 0 && mode != MODE_LSTM) {
        cg_set_value_error("proj_size argument is only supported for LSTM, not RNN or GRU");
        return NULL;
    }
    if (a.proj_size < 0) {
        cg_set_value_error("proj_size should be a positive integer or zero to disable projections");
        return NULL;
    }
    if (a.proj_size >= a.hidden_size) { /* also hidden_size <= 0 */
        cg_set_value_error("proj_size has to be smaller than hidden_size");
        return NULL;
    }
    if (a.num_layers < 0 || a.num_layers > 1000000 || a.input_size < 0) {
        cg_set_value_error(a.input_size < 0 ? "input_size must be non-negative"
                                            : "num_layers must be a positive integer");
        return NULL;
    }
    if (a.dropout > 0 && a.num_layers == 1) {
        char text[32];
        cg_warn("dropout option adds dropout after all but last recurrent layer, so non-zero dropout expects "
                "num_layers greater than 1, but got dropout=%s and num_layers=1",
                python_float(text, sizeof text, a.dropout));
    }
    cg_module *m = make_module(type, rnn_forward, (rnn_state){(rnn_mode)mode, a});
    int dirs = a.bidirectional ? 2 : 1, rc = m ? 0 : -1;
    int64_t gates = gate_count[mode] * a.hidden_size;
    for (int64_t l = 0; l < a.num_layers && rc == 0; l++)
        for (int d = 0; d < dirs && rc == 0; d++) {
            char suffix[40];
            snprintf(suffix, sizeof suffix, "_l%lld%s", (long long)l, d ? "_reverse" : "");
            int64_t h = a.proj_size > 0 ? a.proj_size : a.hidden_size;
            rc = add_group(m, gates, l == 0 ? a.input_size : h * dirs, h, !a.no_bias, suffix);
            if (rc == 0 && a.proj_size > 0) rc = add_weight(m, "weight_hr", suffix, 2, a.proj_size, a.hidden_size);
        }
    if (rc == 0) rc = reset_uniform(m, a.hidden_size);
    if (rc != 0) {
        cg_module_free(m);
        return NULL;
    }
    return m;
}

cg_module *cg_nn_rnn_opts(cg_nn_rnn_args a) { return rnn_module("RNN", rnn_nonlinearity(a.nonlinearity), a); }
cg_module *cg_nn_lstm_opts(cg_nn_rnn_args a) { return rnn_module("LSTM", MODE_LSTM, a); }
cg_module *cg_nn_gru_opts(cg_nn_rnn_args a) { return rnn_module("GRU", MODE_GRU, a); }

static cg_module *cell_module(const char *type, int mode, cg_nn_rnn_args a) {
    if (mode < 0) return NULL;
    if (a.num_layers > 1 || a.batch_first || a.dropout != 0 || a.bidirectional || a.proj_size != 0) {
        cg_set_value_error("%s takes input_size, hidden_size, no_bias and nonlinearity only", type);
        return NULL;
    }
    if (a.hidden_size < 0 || a.input_size < 0) {
        cg_set_value_error("%s: input_size and hidden_size must be non-negative", type);
        return NULL;
    }
    a.num_layers = 1;
    cg_module *m = make_module(type, cell_forward, (rnn_state){(rnn_mode)mode, a});
    int rc = m ? add_group(m, gate_count[mode] * a.hidden_size, a.input_size, a.hidden_size, !a.no_bias, "") : -1;
    if (rc == 0 && a.hidden_size > 0) rc = reset_uniform(m, a.hidden_size);
    if (rc != 0) {
        cg_module_free(m);
        return NULL;
    }
    return m;
}

cg_module *cg_nn_rnn_cell_opts(cg_nn_rnn_args a) {
    return cell_module("RNNCell", rnn_nonlinearity(a.nonlinearity), a);
}
cg_module *cg_nn_lstm_cell_opts(cg_nn_rnn_args a) { return cell_module("LSTMCell", MODE_LSTM, a); }
cg_module *cg_nn_gru_cell_opts(cg_nn_rnn_args a) { return cell_module("GRUCell", MODE_GRU, a); }
