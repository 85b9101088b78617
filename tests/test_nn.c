/* Modules and nn.init against PyTorch 1.13 (tests/data/nn.txt, from tools/gen_nn.py): default
 * initialization bit for bit, state_dict keys and order, forward values, load_state_dict's
 * errors; then the module API's own behaviour (train/eval, zero_grad, requires_grad_, errors). */
#include "golden.h"
#include "harness.h"

#define NN_DATA "tests/data/nn.txt"

static cg_tensor *net_forward(cg_module *m, cg_tensor *x) {
    for (int i = 0; i < cg_module_num_children(m) && x; i++) x = cg_module_forward(cg_module_child(m, i), x);
    return x;
}

/* The models of tools/gen_nn.py, built in the same order. */
static cg_module *make_model(const char *name) {
    if (!strcmp(name, "mlp")) return cg_nn_sequential(CG_MODULES(cg_nn_linear(5, 4), cg_nn_relu(), cg_nn_linear(4, 3)));
    if (!strcmp(name, "net")) {
        cg_module *net = cg_module_new("Net", net_forward, NULL, NULL);
        cg_module_add_module(net, "features",
                             cg_nn_sequential(CG_MODULES(cg_nn_conv2d(1, 4, CG_INTS(3), .padding = CG_INTS(1)),
                                                         cg_nn_relu(), cg_nn_max_pool2d(CG_INTS(2)),
                                                         cg_nn_conv2d(4, 8, CG_INTS(3)), cg_nn_tanh(),
                                                         cg_nn_avg_pool2d(CG_INTS(2)))));
        cg_module_add_module(net, "flatten", cg_nn_flatten(1, -1));
        cg_module_add_module(net, "classifier",
                             cg_nn_sequential(CG_MODULES(cg_nn_linear(32, 10), cg_nn_sigmoid(),
                                                         cg_nn_linear(10, 3, .no_bias = true))));
        if (cg_module_num_children(net) != 3) {
            cg_module_free(net);
            return NULL;
        }
        return net;
    }
    if (!strcmp(name, "conv1d"))
        return cg_nn_sequential(CG_MODULES(cg_nn_conv1d(2, 6, CG_INTS(3), .stride = CG_INTS(2)), cg_nn_identity(),
                                           cg_nn_conv1d(6, 3, CG_INTS(2), .groups = 3, .no_bias = true),
                                           cg_nn_flatten(0, -1), cg_nn_unflatten(0, CG_SHAPE(3, -1))));
    if (!strcmp(name, "convt"))
        return cg_nn_sequential(CG_MODULES(
            cg_nn_conv_transpose2d(2, 4, CG_INTS(3), .stride = CG_INTS(2), .padding = CG_INTS(1),
                                   .output_padding = CG_INTS(1)),
            cg_nn_relu(), cg_nn_conv_transpose2d(4, 2, CG_INTS(2, 3), .groups = 2, .no_bias = true, .dilation = CG_INTS(2))));
    if (!strcmp(name, "pools"))
        return cg_nn_sequential(CG_MODULES(cg_nn_conv2d(2, 3, CG_INTS(3)), cg_nn_adaptive_max_pool2d(CG_INTS(5, 4)),
                                           cg_nn_adaptive_avg_pool2d(CG_INTS(3)), cg_nn_flatten(2, 3),
                                           cg_nn_max_pool1d(CG_INTS(2), .stride = CG_INTS(1)),
                                           cg_nn_avg_pool1d(CG_INTS(3), .padding = CG_INTS(1)),
                                           cg_nn_adaptive_avg_pool2d(CG_INTS(1))));
    if (!strcmp(name, "convt1d"))
        return cg_nn_sequential(CG_MODULES(cg_nn_conv_transpose1d(3, 4, CG_INTS(3), .stride = CG_INTS(2)), cg_nn_tanh(),
                                           cg_nn_conv_transpose1d(4, 2, CG_INTS(2), .padding = CG_INTS(1))));
    if (!strcmp(name, "emb"))
        return cg_nn_sequential(CG_MODULES(cg_nn_embedding(10, 3), cg_nn_flatten(1, -1), cg_nn_linear(6, 2)));
    return NULL;
}


/* param lines: every model's state_dict, key by key in PyTorch's order, bit for bit. */
static void test_default_init_bits(void) {
    golden_file g;
    if (golden_open(&g, NN_DATA) < 0) {
        CHECK(0);
        return;
    }
    char model[32] = "", seed[32] = "";
    cg_module *m = NULL;
    cg_named_tensors sd = {0};
    int index = 0, checked = 0;
    for (char *line; (line = golden_next_line(&g));) {
        char *cur = line;
        if (strcmp(golden_token(&cur), "param")) continue;
        const char *name = golden_token(&cur), *s = golden_token(&cur), *key = golden_token(&cur);
        if (strcmp(name, model) || strcmp(s, seed)) {
            CHECK_MSG(!m || index == sd.n, "%s seed %s: %d keys, PyTorch has %d", model, seed, sd.n, index);
            cg_named_tensors_free(&sd);
            cg_module_free(m);
            snprintf(model, sizeof model, "%s", name);
            snprintf(seed, sizeof seed, "%s", s);
            cg_manual_seed(strtoull(seed, NULL, 10));
            m = make_model(model);
            CHECK_OK(m);
            if (!m || cg_module_state_dict(m, &sd) != 0) break;
            index = 0;
        }
        CG_SCOPE {
            cg_tensor *expected = golden_tensor(&cur);
            CHECK_MSG(index < sd.n && !strcmp(sd.names[index], key), "%s: key %d is %s, PyTorch's %s", model, index,
                      index < sd.n ? sd.names[index] : "(none)", key);
            CHECK_MSG(harness_same_bits(cg_named_tensors_get(&sd, key), expected), "%s seed %s: %s differs", model, seed, key);
        }
        index++;
        checked++;
    }
    CHECK_MSG(!m || index == sd.n, "%s seed %s: %d keys, PyTorch has %d", model, seed, sd.n, index);
    cg_named_tensors_free(&sd);
    cg_module_free(m);
    golden_close(&g);
    CHECK_MSG(checked == 52, "%d param lines checked", checked); /* 7 models, 2 seeds */
}

static bool values_close(cg_tensor *got, cg_tensor *expected) {
    int ok = got && expected && cg_ndim(got) == cg_ndim(expected) && cg_numel(got) == cg_numel(expected);
    for (int d = 0; ok && d < cg_ndim(got); d++) ok = cg_size(got, d) == cg_size(expected, d);
    cg_tensor *e64 = ok ? cg_contiguous(cg_to(expected, CG_FLOAT64)) : NULL;
    return ok && e64 && harness_values_close(got, cg_data_ptr(e64), 1e-5);
}

/* The forward line's model and input again, then the grad lines after it: the parameters'
 * gradients of the output's sum. */
static int grads_checked;
static int check_grads(golden_file *g, const char *name, const char *seed, cg_module *m, cg_tensor *y) {
    if (!y || cg_backward(cg_sum(y)) != 0) return -1;
    int bad = 0;
    long pos = ftell(g->f);
    for (char *line; (line = golden_next_line(g)); pos = ftell(g->f)) {
        char *cur = line;
        if (strcmp(golden_token(&cur), "grad") || strcmp(golden_token(&cur), name) || strcmp(golden_token(&cur), seed)) {
            fseek(g->f, pos, SEEK_SET);
            break;
        }
        const char *key = golden_token(&cur);
        cg_tensor *p = cg_module_get_parameter(m, key);
        grads_checked++;
        if (!p || !values_close(cg_grad(p), golden_tensor(&cur))) {
            fprintf(stderr, "  %s seed %s: grad of %s differs\n", name, seed, key);
            bad++;
        }
    }
    return bad ? -1 : 0;
}

/* forward lines: the model applied to PyTorch's input. Products and convolutions may run other
 * kernels than PyTorch's (BLAS, oneDNN), so values (and gradients) are compared within 1e-5. */
static int check_forward(golden_file *g, char *line) {
    char *cur = line;
    if (strcmp(golden_token(&cur), "forward")) return 0;
    char name[32], seed[32];
    snprintf(name, sizeof name, "%s", golden_token(&cur));
    snprintf(seed, sizeof seed, "%s", golden_token(&cur));
    cg_manual_seed(strtoull(seed, NULL, 10));
    cg_module *m = make_model(name);
    cg_tensor *x = golden_tensor(&cur), *expected = golden_tensor(&cur);
    cg_tensor *y = cg_module_forward(m, x);
    int ok = values_close(y, expected);
    if (!ok) fprintf(stderr, "  %s: %s\n", name, y ? "values differ" : cg_last_error());
    ok = check_grads(g, name, seed, m, y) == 0 && ok;
    cg_module_free(m);
    return ok ? 0 : -1;
}

static void test_forward_and_grads(void) {
    golden_file g;
    if (golden_open(&g, NN_DATA) < 0) {
        CHECK(0);
        return;
    }
    int lines = 0, bad = 0;
    for (char *line; (line = golden_next_line(&g)); lines++) CG_SCOPE {
            if (check_forward(&g, line) != 0) bad++;
        }
    golden_close(&g);
    CHECK(lines > 0);
    CHECK_MSG(bad == 0, "%d forward lines differ", bad);
    CHECK_MSG(grads_checked == 52, "%d grad lines checked", grads_checked);
}

static int run_init(const char *name, cg_tensor **out) {
    cg_tensor *t = NULL;
    int rc = -1;
    if (!strcmp(name, "uniform")) rc = cg_nn_init_uniform_(t = cg_empty(3, 4), -1.0, 2.0);
    if (!strcmp(name, "uniform_f64")) rc = cg_nn_init_uniform_(t = cg_empty_shape(CG_FLOAT64, CG_SHAPE(7)), 0, 1);
    if (!strcmp(name, "normal")) rc = cg_nn_init_normal_(t = cg_empty(2, 5), 0.5, 2.0);
    if (!strcmp(name, "constant")) rc = cg_nn_init_constant_(t = cg_empty(2, 3), 0.3);
    if (!strcmp(name, "zeros")) rc = cg_nn_init_zeros_(t = cg_empty(2, 2));
    if (!strcmp(name, "ones")) rc = cg_nn_init_ones_(t = cg_empty(3));
    if (!strcmp(name, "eye")) rc = cg_nn_init_eye_(t = cg_empty(3, 5));
    if (!strcmp(name, "xavier_uniform")) rc = cg_nn_init_xavier_uniform_(t = cg_empty(4, 6, 3), 2.0);
    if (!strcmp(name, "xavier_normal")) rc = cg_nn_init_xavier_normal_(t = cg_empty(5, 3), 1.0);
    if (!strcmp(name, "kaiming_uniform")) rc = cg_nn_init_kaiming_uniform_(t = cg_empty(6, 3, 2, 2), 0, CG_FAN_IN, NULL);
    if (!strcmp(name, "kaiming_uniform_fan_out_relu"))
        rc = cg_nn_init_kaiming_uniform_(t = cg_empty(6, 3, 2, 2), 0, CG_FAN_OUT, "relu");
    if (!strcmp(name, "kaiming_normal")) rc = cg_nn_init_kaiming_normal_(t = cg_empty(4, 7), 0, CG_FAN_IN, "leaky_relu");
    if (!strcmp(name, "kaiming_normal_a")) rc = cg_nn_init_kaiming_normal_(t = cg_empty(4, 7), 0.2, CG_FAN_IN, "leaky_relu");
    *out = t;
    return rc;
}

static int check_init(char *line) {
    char *cur = line;
    const char *kind = golden_token(&cur);
    if (!strcmp(kind, "gain")) {
        const char *nl = golden_token(&cur), *param = golden_token(&cur);
        double expected = strtod(golden_token(&cur), NULL);
        double got = cg_nn_init_calculate_gain(nl, strcmp(param, "None") ? strtod(param, NULL) : NAN);
        if (got != expected) fprintf(stderr, "  gain %s %s: %.17g, PyTorch %.17g\n", nl, param, got, expected);
        return got == expected ? 0 : -1;
    }
    if (strcmp(kind, "init")) return 0;
    const char *name = golden_token(&cur);
    cg_manual_seed(strtoull(golden_token(&cur), NULL, 10));
    cg_tensor *t;
    int rc = run_init(name, &t);
    int ok = rc == 0 && harness_same_bits(t, golden_tensor(&cur));
    if (!ok) fprintf(stderr, "  init %s: %s\n", name, rc ? cg_last_error() : "bits differ");
    return ok ? 0 : -1;
}

static void test_init_bits(void) {
    int bad, n = golden_check_lines(NN_DATA, check_init, 5, &bad);
    CHECK(n > 0);
    CHECK_MSG(bad == 0, "%d init lines differ", bad);
}

/* error lines: the mutations of tools/gen_nn.py's load_error on the mlp's own state_dict. */
static int mutate(const char *name, cg_named_tensors *sd, bool *strict) {
    bool drop = false, extra = false, mismatch = false;
    *strict = !strstr(name, "nonstrict");
    if (!strncmp(name, "missing", 7)) drop = true;
    if (!strcmp(name, "unexpected")) extra = true;
    if (!strcmp(name, "mismatch")) mismatch = true;
    if (!strncmp(name, "all", 3)) drop = extra = mismatch = true;
    /* rebuild the list: names stay the module's order, additions at the end as Python's dict */
    cg_named_tensors out = {0};
    int cap = sd->n + 2;
    out.names = calloc((size_t)cap, sizeof *out.names);
    out.tensors = calloc((size_t)cap, sizeof *out.tensors);
    if (!out.names || !out.tensors) return -1;
    for (int i = 0; i < sd->n; i++) {
        if (drop && !strcmp(sd->names[i], "0.bias")) continue;
        cg_tensor *t = mismatch && !strcmp(sd->names[i], "2.weight") ? cg_zeros(3, 3) : sd->tensors[i];
        out.names[out.n] = strdup(sd->names[i]);
        out.tensors[out.n++] = cg_retain(t);
    }
    if (extra) {
        out.names[out.n] = strdup("3.weight");
        out.tensors[out.n++] = cg_retain(cg_zeros(1));
        out.names[out.n] = strdup("0.foo");
        out.tensors[out.n++] = cg_retain(cg_zeros(1));
    }
    cg_named_tensors_free(sd);
    *sd = out;
    return 0;
}

static void unescape(char *s) {
    char *w = s;
    for (char *r = s; *r; r++) {
        if (r[0] == '\\' && (r[1] == 'n' || r[1] == 't')) {
            *w++ = r[1] == 'n' ? '\n' : '\t';
            r++;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
}

static int check_load_error(char *line) {
    char *cur = line;
    if (strcmp(golden_token(&cur), "error")) return 0;
    const char *name = golden_token(&cur);
    char *expected = cur;
    unescape(expected);
    cg_manual_seed(1);
    cg_module *m = make_model("mlp"), *fresh = make_model("mlp");
    cg_named_tensors sd = {0}, before = {0};
    bool strict;
    int ok = m && fresh && cg_module_state_dict(fresh, &sd) == 0 && mutate(name, &sd, &strict) == 0 &&
             cg_module_state_dict(m, &before) == 0;
    CG_SCOPE {
        cg_tensor *w0 = ok ? cg_clone(before.tensors[0]) : NULL;
        cg_clear_error();
        int rc = ok ? cg_module_load_state_dict(m, &sd, strict) : -1;
        if (!strcmp(expected, "OK")) {
            ok = ok && rc == 0 && harness_same_bits(before.tensors[0], sd.tensors[0]);
        } else {
            ok = ok && rc != 0 && !strcmp(harness_error(), expected);
            ok = ok && harness_same_bits(before.tensors[0], w0); /* a failing load copies nothing */
            if (!ok) fprintf(stderr, "  got:      %s\n  expected: %s\n", harness_error(), expected);
        }
    }
    cg_named_tensors_free(&sd);
    cg_named_tensors_free(&before);
    cg_module_free(m);
    cg_module_free(fresh);
    return ok ? 0 : -1;
}

static void test_load_state_dict_errors(void) {
    int bad, n = golden_check_lines(NN_DATA, check_load_error, 6, &bad);
    CHECK(n > 0);
    CHECK_MSG(bad == 0, "%d load_state_dict lines differ", bad);
}

/* A state_dict loaded into a model built from another seed makes it compute the same. */
static void test_load_state_dict_round_trip(void) {
    cg_manual_seed(3);
    cg_module *a = make_model("net");
    cg_manual_seed(4);
    cg_module *b = make_model("net");
    cg_named_tensors sd;
    CHECK(a && b && cg_module_state_dict(a, &sd) == 0);
    CHECK(sd.n == 7);
    CHECK_STR(sd.names[6], "classifier.2.weight");
    CHECK(cg_module_load_state_dict(b, &sd, true) == 0);
    cg_tensor *x = cg_randn(2, 1, 12, 12);
    CHECK(harness_same_bits(cg_module_forward(a, x), cg_module_forward(b, x)));
    /* the state_dict aliases a's parameters but is detached */
    CHECK(!cg_requires_grad(sd.tensors[0]));
    CHECK(cg_data_ptr(sd.tensors[0]) == cg_data_ptr(cg_module_get_parameter(a, "features.0.weight")));
    cg_named_tensors_free(&sd);
    CHECK(sd.n == 0 && sd.names == NULL);
    cg_module_free(a);
    cg_module_free(b);
}

static void test_module_api(void) {
    cg_manual_seed(0);
    cg_module *m = make_model("mlp");
    CHECK_OK(m);
    CHECK_STR(cg_module_type(m), "Sequential");
    CHECK_STR(cg_module_type(cg_module_child(m, -1)), "Linear");
    CHECK_STR(cg_module_child_name(m, 1), "1");
    CHECK(cg_module_child_name(m, 3) == NULL);
    CHECK(cg_module_is_training(m) && cg_module_is_training(cg_module_child(m, 0)));
    cg_module_train(m, false);
    CHECK(!cg_module_is_training(m) && !cg_module_is_training(cg_module_child(m, 2)));
    cg_module_train(m, true);
    CHECK(cg_module_is_training(cg_module_child(m, 2)));

    cg_named_tensors ps;
    CHECK(cg_module_named_parameters(m, &ps) == 0 && ps.n == 4);
    CHECK_STR(ps.names[3], "2.bias");
    for (int i = 0; i < ps.n; i++) CHECK(cg_requires_grad(ps.tensors[i]) && cg_is_leaf(ps.tensors[i]));
    /* a backward fills the grads; zero_grad zeroes them; requires_grad_(false) stops recording */
    cg_tensor *y = cg_sum(cg_module_forward(m, cg_randn(3, 5)));
    CHECK(cg_backward(y) == 0);
    CHECK(cg_grad(ps.tensors[0]) != NULL);
    CHECK(cg_module_zero_grad(m) == 0);
    CHECK(cg_item(cg_sum(cg_abs(cg_grad(ps.tensors[0])))) == 0);
    CHECK(cg_module_requires_grad_(m, false) == 0);
    CHECK(!cg_requires_grad(ps.tensors[2]));
    CHECK(!cg_requires_grad(cg_module_forward(m, cg_randn(3, 5))));
    cg_named_tensors_free(&ps);

    CHECK(cg_module_get_parameter(m, "0.weight") != NULL);
    CHECK_ERROR(cg_module_get_parameter(m, "9.weight"), "Sequential has no parameter `9.weight`");
    cg_module_free(m);
}

/* A parameter shared by two layers is listed once by named_parameters, twice by state_dict. */
static void test_shared_parameter(void) {
    cg_module *root = cg_module_new("Tied", NULL, NULL, NULL);
    cg_module *a = cg_nn_linear(2, 2), *b = cg_module_new("Holder", NULL, NULL, NULL);
    CHECK(cg_module_register_parameter(b, "weight", cg_module_get_parameter(a, "weight")) == 0);
    CHECK(cg_module_add_module(root, "a", a) == 0 && cg_module_add_module(root, "b", b) == 0);
    cg_named_tensors ps, sd;
    CHECK(cg_module_named_parameters(root, &ps) == 0 && ps.n == 2);
    CHECK(cg_module_state_dict(root, &sd) == 0 && sd.n == 3);
    CHECK_STR(sd.names[2], "b.weight");
    cg_named_tensors_free(&ps);
    cg_named_tensors_free(&sd);
    CHECK_ERROR(cg_module_forward(root, cg_zeros(1)), "Module [Tied] is missing the required \"forward\" function");
    cg_module_free(root);
}

static char warned[256];
static void keep_warning(const char *message, void *user) {
    (void)user;
    snprintf(warned, sizeof warned, "%s", message);
}

static void test_errors(void) {
    cg_module *m = cg_module_new("Module", NULL, NULL, NULL);
    CHECK_ERROR(cg_module_register_parameter(m, "a.b", cg_zeros(1)) == 0, "parameter name can't contain \".\"");
    CHECK_ERROR(cg_module_register_parameter(m, "", cg_zeros(1)) == 0, "parameter name can't be empty string \"\"");
    CHECK(cg_module_register_parameter(m, "w", cg_zeros(1)) == 0);
    CHECK_ERROR(cg_module_register_buffer(m, "w", cg_zeros(1)) == 0, "attribute 'w' already exists");
    CHECK_ERROR(cg_module_register_parameter(m, "i", cg_zeros_shape(CG_INT64, CG_SHAPE(2))) == 0,
                "Only Tensors of floating point and complex dtype can require gradients");
    CHECK_ERROR(cg_module_register_parameter(m, "nl", cg_mul_scalar(cg_requires_grad_(cg_ones(1), true), 2)) == 0,
                "Cannot assign non-leaf Tensor to parameter 'nl'. Model parameters must be created explicitly. "
                "To express 'nl' as a function of another Tensor, compute the value in the forward() method.");
    CHECK(cg_module_register_parameter(m, "null", NULL) != 0);
    CHECK(cg_module_add_module(m, "null", NULL) != 0);
    cg_module_free(m);

    CHECK_ERROR(cg_nn_conv2d(3, 4, CG_INTS(3), .groups = 2), "in_channels must be divisible by groups");
    CHECK_ERROR(cg_nn_conv2d(4, 3, CG_INTS(3), .groups = 2), "out_channels must be divisible by groups");
    CHECK_ERROR(cg_nn_conv2d(4, 4, CG_INTS(3), .groups = -1), "groups must be a positive integer");
    CHECK_ERROR(cg_nn_conv_transpose2d(3, 4, CG_INTS(3), .groups = 2), "in_channels must be divisible by groups");
    CHECK_ERROR(cg_nn_conv_transpose2d(4, 3, CG_INTS(3), .groups = 2), "out_channels must be divisible by groups");
    /* a failed layer fails the Sequential, which frees the others */
    CHECK_ERROR(cg_nn_sequential(CG_MODULES(cg_nn_linear(2, 2), cg_nn_conv1d(3, 4, CG_INTS(3), .groups = 2), cg_nn_relu())),
                "in_channels must be divisible by groups");

    cg_module *emb = cg_nn_embedding(3, 2);
    CHECK_ERROR(cg_module_forward(emb, cg_zeros(2)),
                "Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; "
                "but got torch.FloatTensor instead (while checking arguments for embedding)");
    CHECK_ERROR(cg_module_forward(emb, cg_tensor_i64(((int64_t[]){0, 3}), 2)), "index out of range in self");
    cg_tensor *rows = cg_module_forward(emb, cg_tensor_i64(((int64_t[]){0, 2}), 2));
    CHECK(rows && cg_grad_fn(rows) && !strcmp(cg_node_name(cg_grad_fn(rows)), "EmbeddingBackward0"));
    cg_module_free(emb);

    CHECK(isnan(cg_nn_init_calculate_gain("foo", NAN)));
    CHECK_STR(harness_error(), "ValueError: Unsupported nonlinearity foo");
    CHECK_ERROR(cg_nn_init_xavier_uniform_(cg_zeros(3), 1) == 0,
                "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions");
    CHECK_ERROR(cg_nn_init_eye_(cg_zeros(2, 2, 2)) == 0, "Only tensors with 2 dimensions are supported");
    /* kaiming on an empty tensor only warns */
    warned[0] = '\0';
    cg_set_warning_handler(keep_warning, NULL);
    CHECK(cg_nn_init_kaiming_uniform_(cg_empty(0, 3), 0, CG_FAN_IN, NULL) == 0);
    cg_set_warning_handler(NULL, NULL);
    CHECK_STR(warned, "Initializing zero-element tensors is a no-op");
    /* an init fills a parameter without recording */
    cg_tensor *p = cg_requires_grad_(cg_zeros(2, 2), true);
    CHECK(cg_nn_init_ones_(p) == 0 && cg_is_leaf(p) && cg_item(cg_sum(p)) == 4);
}

int main(void) {
    RUN(test_default_init_bits);
    RUN(test_forward_and_grads);
    RUN(test_init_bits);
    RUN(test_load_state_dict_errors);
    RUN(test_load_state_dict_round_trip);
    RUN(test_module_api);
    RUN(test_shared_parameter);
    RUN(test_errors);
    HARNESS_END();
}
