/* Optimizers against PyTorch 1.13 (tests/data/optim.txt from tools/gen_optim.py): every parameter
 * after each of 8 steps of each optimizer and option set, from the same starting values and
 * gradients, bit for bit; PyTorch's ValueErrors for bad options; lr schedules (the same doubles),
 * clip_grad_norm_/clip_grad_value_ (the same bits); float64 parameters; groups, zero_grad and bad input. */
#include "golden.h"
#include "harness.h"

static const char *const KIND_NAMES[] = {"SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam"};

static int kind_of(const char *name) {
    for (int k = 0; k < (int)(sizeof KIND_NAMES / sizeof *KIND_NAMES); k++)
        if (!strcmp(name, KIND_NAMES[k])) return k;
    return -1;
}

/* Applies "key=value" to o; group2_lr goes to *group2_lr; float64 (the parameters' dtype, which
 * the tensors carry) is skipped. Returns -1 for an unknown key. */
static int set_option(cg_optim_options *o, const char *token, double *group2_lr) {
    const char *eq = strchr(token, '=');
    if (!eq) return -1;
    double v = strtod(eq + 1, NULL);
    size_t n = (size_t)(eq - token);
    struct { const char *key; double *field; } doubles[] = {
        {"lr", &o->lr}, {"momentum", &o->momentum}, {"dampening", &o->dampening}, {"weight_decay", &o->weight_decay},
        {"beta1", &o->beta1}, {"beta2", &o->beta2}, {"eps", &o->eps}, {"alpha", &o->alpha}, {"lr_decay", &o->lr_decay},
        {"initial_accumulator_value", &o->initial_accumulator_value}, {"rho", &o->rho},
        {"momentum_decay", &o->momentum_decay}, {"group2_lr", group2_lr}};
    struct { const char *key; bool *field; } bools[] = {
        {"nesterov", &o->nesterov}, {"maximize", &o->maximize}, {"amsgrad", &o->amsgrad}, {"centered", &o->centered}};
    if (n == 7 && !strncmp(token, "float64", n)) return 0;
    for (size_t i = 0; i < sizeof doubles / sizeof *doubles; i++)
        if (strlen(doubles[i].key) == n && !strncmp(token, doubles[i].key, n)) return *doubles[i].field = v, 0;
    for (size_t i = 0; i < sizeof bools / sizeof *bools; i++)
        if (strlen(bools[i].key) == n && !strncmp(token, bools[i].key, n)) return *bools[i].field = v != 0, 0;
    return -1;
}

/* Reads "<Kind> key=value ..." up to the end or a "|". */
static int parse_options(char **cur, cg_optim_options *o, double *group2_lr) {
    int kind = kind_of(golden_token(cur));
    if (kind < 0) return -1;
    *o = cg_optim_defaults((cg_optim_kind)kind);
    if (kind == CG_SGD) o->lr = 0.1; /* the generator's lr for a constructor without one */
    *group2_lr = -1;
    for (char *tok; (tok = golden_token(cur)) && strcmp(tok, "|");)
        if (set_option(o, tok, group2_lr) < 0) return -1;
    return kind;
}


typedef struct {
    cg_optimizer *opt;
    cg_tensor *params[2];
    char name[200];
    int cases, steps_checked;
} replay;

static void finish_case(replay *r) {
    cg_optimizer_free(r->opt);
    for (int i = 0; i < 2; i++)
        if (r->params[i]) cg_release(r->params[i]);
    memset(r->params, 0, sizeof r->params);
    r->opt = NULL;
}

static void start_case(replay *r, const char *line) {
    finish_case(r);
    snprintf(r->name, sizeof r->name, "%s", line);
    r->cases++;
}

static double lambda_095(int epoch, void *user) {
    (void)user;
    return pow(0.95, epoch);
}

static int lr_kind_of(const char *name) {
    static const char *const names[] = {"StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR", "LambdaLR"};
    for (int k = 0; k < 6; k++)
        if (!strcmp(name, names[k])) return k;
    return -1;
}

/* "sched <Kind> key=value ... | lr lr ...": the lr of both groups after construction and each step. */
static void check_schedule(char *cur, const char *line) {
    int kind = lr_kind_of(golden_token(&cur)), milestones[8], nm = 0;
    CHECK_MSG(kind >= 0, "%s", line);
    if (kind < 0) return;
    cg_lr_options o = cg_lr_defaults((cg_lr_kind)kind);
    if (kind == CG_LAMBDA_LR) o.lr_lambda = lambda_095;
    for (char *tok; (tok = golden_token(&cur)) && strcmp(tok, "|");) {
        char *eq = strchr(tok, '=');
        if (!eq) continue;
        *eq++ = '\0';
        if (!strcmp(tok, "step_size")) o.step_size = atoi(eq);
        else if (!strcmp(tok, "gamma")) o.gamma = strtod(eq, NULL);
        else if (!strcmp(tok, "T_max")) o.T_max = atoi(eq);
        else if (!strcmp(tok, "eta_min")) o.eta_min = strtod(eq, NULL);
        else if (!strcmp(tok, "start_factor")) o.start_factor = strtod(eq, NULL);
        else if (!strcmp(tok, "end_factor")) o.end_factor = strtod(eq, NULL);
        else if (!strcmp(tok, "total_iters")) o.total_iters = atoi(eq);
        else if (!strcmp(tok, "milestones"))
            for (char *m = strtok(eq, ","); m && nm < 8; m = strtok(NULL, ",")) milestones[nm++] = atoi(m);
    }
    o.milestones = milestones;
    o.n_milestones = nm;
    cg_tensor *p = cg_zeros(2), *q = cg_zeros(2);
    cg_optim_options sgd = cg_optim_defaults(CG_SGD);
    sgd.lr = 0.1;
    cg_optimizer *opt = cg_optimizer_new(CG_SGD, CG_TENSORS(p), sgd);
    sgd.lr = 0.05;
    CHECK(cg_optimizer_add_param_group(opt, CG_TENSORS(q), sgd) == 0);
    cg_lr_scheduler *s = cg_lr_scheduler_new(opt, (cg_lr_kind)kind, o);
    CHECK_MSG(s != NULL, "%s: %s", line, cg_last_error());
    int step = 0;
    for (char *tok; s && (tok = golden_token(&cur)); step++) {
        double want0 = strtod(tok, NULL), want1 = strtod(golden_token(&cur), NULL);
        CHECK_MSG(cg_lr_scheduler_last_lr(s, 0) == want0 && cg_lr_scheduler_last_lr(s, 1) == want1 &&
                      cg_optimizer_group_options(opt, 1)->lr == want1,
                  "%s: step %d: %.17g %.17g, PyTorch's %.17g %.17g", line, step, cg_lr_scheduler_last_lr(s, 0),
                  cg_lr_scheduler_last_lr(s, 1), want0, want1);
        CHECK(cg_lr_scheduler_last_epoch(s) == step);
        CHECK(cg_lr_scheduler_step(s) == 0);
    }
    CHECK(step == 26);
    cg_lr_scheduler_free(s);
    cg_optimizer_free(opt);
}

/* "clip norm|value|error ...": clip_grad_norm_ / clip_grad_value_ against PyTorch's results. */
static void check_clip(char *cur, const char *line) {
    const char *what = golden_token(&cur);
    if (!strcmp(what, "error")) {
        double norm_type = strtod(golden_token(&cur), NULL);
        golden_token(&cur); /* | */
        cg_tensor *p = cg_zeros(2);
        float g[2] = {INFINITY, 1};
        CHECK(cg_set_grad(p, cg_tensor_new(.data = g, .dtype = CG_FLOAT32, CG_SIZES(2))) == 0);
        CHECK(cg_clip_grad_norm_(CG_TENSORS(p), 1.0, norm_type, true) == NULL);
        CHECK_STR(harness_error(), cur + strspn(cur, " "));
        CHECK(((const float *)cg_data_ptr(cg_grad(p)))[1] == 1.0f);
        return;
    }
    bool norm = !strcmp(what, "norm");
    double max_norm = strtod(golden_token(&cur), NULL), norm_type = norm ? strtod(golden_token(&cur), NULL) : 0;
    golden_token(&cur);
    cg_tensor *p[3] = {cg_zeros(3, 4), cg_zeros(5), cg_zeros(2)};
    int n = norm ? 3 : 2;
    for (int i = 0; i < n; i++) {
        char *rest = cur + strspn(cur, " ");
        if (!strncmp(rest, "none", 4)) {
            golden_token(&cur);
            continue;
        }
        CHECK(cg_set_grad(p[i], golden_tensor(&cur)) == 0);
    }
    golden_token(&cur);
    if (norm) {
        cg_tensor *total = cg_clip_grad_norm_((cg_tensor_list){p, 3}, max_norm, norm_type, false);
        CHECK_MSG(harness_same_bits(total, golden_tensor(&cur)), "%s: total norm %.9g", line, total ? cg_item(total) : NAN);
    } else {
        CHECK(cg_clip_grad_value_((cg_tensor_list){p, 2}, max_norm) == 0);
    }
    for (int i = 0; i < 2; i++) CHECK_MSG(harness_same_bits(cg_grad(p[i]), golden_tensor(&cur)), "%s: gradient %d", line, i);
    CHECK(cg_grad(p[2]) == NULL);
}

static void test_optimizers_give_pytorchs_bits(void) {
    golden_file g;
    if (golden_open(&g, "tests/data/optim.txt") < 0) {
        CHECK(!"golden file");
        return;
    }
    replay r = {0};
    cg_optim_options o;
    double group2_lr = -1;
    int kind = -1, errors = 0, scheds = 0, clips = 0;
    for (char *line; (line = golden_next_line(&g));) {
        char copy[200];
        snprintf(copy, sizeof copy, "%s", line);
        char *cur = line;
        const char *what = golden_token(&cur);
        if (!strcmp(what, "case")) {
            start_case(&r, copy);
            kind = parse_options(&cur, &o, &group2_lr);
            CHECK_MSG(kind >= 0, "%s", copy);
        } else if (!strcmp(what, "param")) {
            int i = atoi(golden_token(&cur));
            r.params[i] = cg_retain(cg_requires_grad_(golden_tensor(&cur), true));
            if (i == 1 && kind >= 0) {
                cg_optim_options o2 = o;
                if (group2_lr >= 0) o2.lr = group2_lr;
                r.opt = group2_lr >= 0 ? cg_optimizer_new((cg_optim_kind)kind, CG_TENSORS(r.params[0]), o)
                                       : cg_optimizer_new((cg_optim_kind)kind, CG_TENSORS(r.params[0], r.params[1]), o);
                if (r.opt && group2_lr >= 0) CHECK(cg_optimizer_add_param_group(r.opt, CG_TENSORS(r.params[1]), o2) == 0);
                CHECK_MSG(r.opt != NULL, "%s: %s", r.name, cg_last_error());
            }
        } else if (!strcmp(what, "grad")) {
            int step = atoi(golden_token(&cur)), i = atoi(golden_token(&cur));
            (void)step;
            char *rest = cur + strspn(cur, " ");
            CHECK(cg_set_grad(r.params[i], strncmp(rest, "none", 4) ? golden_tensor(&cur) : NULL) == 0);
            if (i == 1 && r.opt) CHECK_MSG(cg_optimizer_step(r.opt) == 0, "%s: %s", r.name, cg_last_error());
        } else if (!strcmp(what, "after")) {
            int step = atoi(golden_token(&cur)), i = atoi(golden_token(&cur));
            cg_tensor *want = golden_tensor(&cur);
            CHECK_MSG(harness_same_bits(r.params[i], want), "%s: parameter %d after step %d differs from PyTorch's", r.name, i, step);
            r.steps_checked++;
        } else if (!strcmp(what, "error")) {
            char *bar = strstr(copy, " | ");
            CHECK(bar != NULL);
            if (!bar) continue;
            kind = parse_options(&cur, &o, &group2_lr);
            cg_tensor *p = cg_zeros(2);
            cg_clear_error();
            CHECK_MSG(kind >= 0 && cg_optimizer_new((cg_optim_kind)kind, CG_TENSORS(p), o) == NULL, "%s", copy);
            CHECK_STR(harness_error(), bar + 3);
            errors++;
        } else if (!strcmp(what, "sched")) {
            check_schedule(cur, copy);
            scheds++;
        } else if (!strcmp(what, "clip")) {
            check_clip(cur, copy);
            clips++;
        }
    }
    finish_case(&r);
    golden_close(&g);
    CHECK(r.cases == 36 && r.steps_checked == 36 * 8 * 2 && errors == 18);
    CHECK(scheds == 9 && clips == 10);
}

static void test_zero_grad_groups_and_bad_input(void) {
    cg_tensor *w = cg_requires_grad_(cg_ones(2, 2), true), *b = cg_requires_grad_(cg_ones(2), true);
    cg_optim_options o = cg_optim_defaults(CG_SGD);
    o.lr = 0.5;
    cg_optimizer *opt = cg_optimizer_new(CG_SGD, CG_TENSORS(w), o);
    CHECK(opt != NULL && cg_optimizer_num_groups(opt) == 1);
    CHECK_ERROR(cg_optimizer_add_param_group(opt, CG_TENSORS(w), o) == 0,
                "some parameters appear in more than one parameter group");
    CHECK_ERROR(cg_optimizer_add_param_group(opt, CG_TENSORS(b, b), o) == 0,
                "some parameters appear in more than one parameter group");
    CHECK_ERROR(cg_optimizer_add_param_group(opt, CG_TENSORS(cg_mul_scalar(b, 2)), o) == 0,
                "can't optimize a non-leaf Tensor");
    CHECK(cg_optimizer_num_groups(opt) == 1);
    o.lr = 1.0;
    CHECK(cg_optimizer_add_param_group(opt, CG_TENSORS(b), o) == 0 && cg_optimizer_num_groups(opt) == 2);
    CHECK(cg_optimizer_group_options(opt, 2) == NULL && cg_optimizer_group_options(opt, -1) == NULL);
    CHECK(cg_optimizer_group_options(opt, 1)->lr == 1.0);

    CHECK(cg_backward(cg_sum(cg_add(cg_sum(w), cg_sum(b)))) == 0);
    CHECK(cg_optimizer_step(opt) == 0);
    CHECK(((const float *)cg_data_ptr(w))[0] == 0.5f && ((const float *)cg_data_ptr(b))[0] == 0.0f);
    CHECK(cg_optimizer_zero_grad(opt, false) == 0);
    CHECK(cg_grad(w) && cg_item(cg_sum(cg_grad(w))) == 0 && cg_item(cg_sum(cg_grad(b))) == 0);
    CHECK(cg_optimizer_step(opt) == 0); /* zero gradients: no change */
    CHECK(((const float *)cg_data_ptr(w))[0] == 0.5f);
    CHECK(cg_optimizer_zero_grad(opt, true) == 0);
    CHECK(cg_grad(w) == NULL && cg_grad(b) == NULL);
    CHECK(cg_optimizer_step(opt) == 0); /* no gradients: skipped */
    cg_optimizer_free(opt);
    CHECK(cg_optimizer_step(NULL) < 0 && cg_optimizer_zero_grad(NULL, false) < 0);
    cg_optimizer_free(NULL);
    CHECK_ERROR(cg_optimizer_new(CG_ADAM, (cg_tensor_list){NULL, 0}, cg_optim_defaults(CG_ADAM)) != NULL,
                "optimizer got an empty parameter list");
    CHECK(cg_optimizer_new(CG_ADAM, CG_TENSORS(NULL), cg_optim_defaults(CG_ADAM)) == NULL);

    cg_lr_options lo = cg_lr_defaults(CG_LINEAR_LR);
    lo.start_factor = 0;
    cg_optimizer *o2 = cg_optimizer_new(CG_SGD, CG_TENSORS(w), o);
    CHECK_ERROR(cg_lr_scheduler_new(o2, CG_LINEAR_LR, lo) != NULL,
                "Starting multiplicative factor expected to be greater than 0 and less or equal to 1.");
    CHECK(cg_lr_scheduler_new(NULL, CG_STEP_LR, cg_lr_defaults(CG_STEP_LR)) == NULL);
    cg_optimizer_free(o2);
    CHECK(cg_clip_grad_norm_(CG_TENSORS(w), 1.0, 2.0, false) != NULL); /* no gradient: 0 */
    CHECK(cg_clip_grad_value_(CG_TENSORS(NULL), 1.0) < 0);
}

/* ---- state_dict save/load (tests/data/optim_state.txt from tools/gen_optim_state.py) ---- */

enum { STATE_STEPS = 6, SAVE_AT = 3 };
#define STATE_PATH CG_BUILD_DIR "/tests/optim_state.safetensors"

typedef struct {
    char name[200];
    int kind;
    cg_optim_options o;
    double group2_lr;
    cg_tensor *start[2], *grads[STATE_STEPS][2], *mid[2], *after[2];
    cg_named_tensors sd; /* PyTorch's, flattened; borrowed tensors of the test's scope */
    int cap;
} state_case;

/* An optimizer over p[0] and, in a group of its own, p[1], with o (or the kind's defaults). */
static cg_optimizer *two_groups(const state_case *c, cg_tensor **p, bool defaults) {
    cg_optim_options o = defaults ? cg_optim_defaults((cg_optim_kind)c->kind) : c->o, o2 = o;
    if (defaults && c->kind == CG_SGD) o.lr = o2.lr = 0.5;
    if (!defaults) o2.lr = c->group2_lr;
    cg_optimizer *opt = cg_optimizer_new((cg_optim_kind)c->kind, CG_TENSORS(p[0]), o);
    if (opt && cg_optimizer_add_param_group(opt, CG_TENSORS(p[1]), o2) < 0) {
        cg_optimizer_free(opt);
        return NULL;
    }
    return opt;
}

static void run_steps(const state_case *c, cg_optimizer *opt, cg_tensor **p, int from, int to) {
    for (int step = from; step < to; step++) {
        for (int i = 0; i < 2; i++) CHECK(cg_set_grad(p[i], c->grads[step][i]) == 0);
        CHECK_MSG(cg_optimizer_step(opt) == 0, "%s: %s", c->name, cg_last_error());
    }
}

/* The same entries, names and bits, in the same order. */
static void check_same_dict(const state_case *c, const cg_named_tensors *got, const cg_named_tensors *want) {
    CHECK_MSG(got->n == want->n, "%s: %d entries, PyTorch's %d", c->name, got->n, want->n);
    for (int i = 0; i < got->n && i < want->n; i++)
        CHECK_MSG(!strcmp(got->names[i], want->names[i]) && harness_same_bits(got->tensors[i], want->tensors[i]),
                  "%s: entry %d: %s, PyTorch's %s", c->name, i, got->names[i], want->names[i]);
}

/* Trains 6 steps without a break (its state_dict after 3 against PyTorch's, saved as safetensors),
 * then resumes after step 3 from PyTorch's state_dict and from the file, each into a fresh
 * optimizer with default options: all three end on PyTorch's bits. */
static void check_state_case(state_case *c) {
    cg_tensor *p[2] = {cg_requires_grad_(cg_clone(c->start[0]), true), cg_requires_grad_(cg_clone(c->start[1]), true)};
    cg_optimizer *opt = two_groups(c, p, false);
    CHECK_MSG(opt != NULL, "%s: %s", c->name, cg_last_error());
    if (!opt) return;
    run_steps(c, opt, p, 0, SAVE_AT);
    cg_named_tensors sd;
    CHECK(cg_optimizer_state_dict(opt, &sd) == 0);
    check_same_dict(c, &sd, &c->sd);
    CHECK_MSG(cg_safetensors_save(STATE_PATH, &sd, NULL) == 0, "%s", cg_last_error());
    cg_named_tensors_free(&sd);
    run_steps(c, opt, p, SAVE_AT, STATE_STEPS);
    for (int i = 0; i < 2; i++) CHECK_MSG(harness_same_bits(p[i], c->after[i]), "%s: parameter %d, uninterrupted", c->name, i);
    cg_optimizer_free(opt);

    cg_named_tensors file;
    CHECK(cg_safetensors_load(STATE_PATH, &file) == 0);
    const cg_named_tensors *from[2] = {&c->sd, &file};
    for (int k = 0; k < 2; k++) {
        cg_tensor *q[2] = {cg_requires_grad_(cg_clone(c->mid[0]), true), cg_requires_grad_(cg_clone(c->mid[1]), true)};
        cg_optimizer *fresh = two_groups(c, q, true);
        CHECK_MSG(cg_optimizer_load_state_dict(fresh, from[k]) == 0, "%s: %s", c->name, cg_last_error());
        run_steps(c, fresh, q, SAVE_AT, STATE_STEPS);
        for (int i = 0; i < 2; i++)
            CHECK_MSG(harness_same_bits(q[i], c->after[i]), "%s: parameter %d resumed from %s", c->name, i,
                      k ? "the safetensors file" : "PyTorch's state_dict");
        cg_optimizer_free(fresh);
    }
    cg_named_tensors_free(&file);
}

static void sd_append(state_case *c, const char *name, cg_tensor *t) {
    if (c->sd.n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 16;
        c->sd.names = realloc(c->sd.names, (size_t)c->cap * sizeof *c->sd.names);
        c->sd.tensors = realloc(c->sd.tensors, (size_t)c->cap * sizeof *c->sd.tensors);
    }
    c->sd.names[c->sd.n] = strdup(name);
    c->sd.tensors[c->sd.n++] = t;
}

static void end_state_case(state_case *c, int *cases) {
    if (c->kind >= 0) {
        check_state_case(c);
        ++*cases;
    }
    for (int i = 0; i < c->sd.n; i++) free(c->sd.names[i]);
    free(c->sd.names);
    free(c->sd.tensors);
    memset(c, 0, sizeof *c);
    c->kind = -1;
}

static void test_state_dict_resumes_training_bit_for_bit(void) {
    golden_file g;
    if (golden_open(&g, "tests/data/optim_state.txt") < 0) {
        CHECK(!"golden file");
        return;
    }
    state_case c = {.kind = -1};
    int cases = 0;
    for (char *line; (line = golden_next_line(&g));) {
        char copy[200];
        snprintf(copy, sizeof copy, "%s", line);
        char *cur = line;
        const char *what = golden_token(&cur);
        if (!strcmp(what, "case")) {
            end_state_case(&c, &cases);
            snprintf(c.name, sizeof c.name, "%s", copy);
            c.kind = parse_options(&cur, &c.o, &c.group2_lr);
            CHECK_MSG(c.kind >= 0, "%s", copy);
        } else if (!strcmp(what, "param")) {
            int i = atoi(golden_token(&cur));
            c.start[i] = golden_tensor(&cur);
        } else if (!strcmp(what, "grad")) {
            int step = atoi(golden_token(&cur)), i = atoi(golden_token(&cur));
            char *rest = cur + strspn(cur, " ");
            c.grads[step][i] = strncmp(rest, "none", 4) ? golden_tensor(&cur) : NULL;
        } else if (!strcmp(what, "sd")) {
            const char *name = golden_token(&cur);
            char key[96];
            snprintf(key, sizeof key, "%s", name);
            sd_append(&c, key, golden_tensor(&cur));
        } else if (!strcmp(what, "mid") || !strcmp(what, "after")) {
            int i = atoi(golden_token(&cur));
            (what[0] == 'm' ? c.mid : c.after)[i] = golden_tensor(&cur);
        }
    }
    end_state_case(&c, &cases);
    golden_close(&g);
    CHECK(cases == 11);
}

/* A state dict that does not fit fails with PyTorch's message (or cgrad's, where PyTorch would
 * load it and fail later) and leaves the optimizer as it was. */
static void test_load_state_dict_refuses_a_misfit(void) {
    cg_tensor *w = cg_requires_grad_(cg_ones(2, 2), true), *b = cg_requires_grad_(cg_ones(3), true);
    cg_optim_options o = cg_optim_defaults(CG_ADAM);
    cg_optimizer *opt = cg_optimizer_new(CG_ADAM, CG_TENSORS(w, b), o);
    CHECK(cg_set_grad(w, cg_full_like(w, 0.5)) == 0 && cg_set_grad(b, cg_full_like(b, -1)) == 0);
    CHECK(cg_optimizer_step(opt) == 0);
    cg_named_tensors good, before;
    CHECK(cg_optimizer_state_dict(opt, &good) == 0 && cg_optimizer_state_dict(opt, &before) == 0);
    CHECK(good.n == 3 + 3 + 6 + 1);
    CHECK(!strcmp(good.names[0], "state.0.step") && cg_item(good.tensors[0]) == 1);
    CHECK(!strcmp(good.names[4], "state.1.exp_avg") && !strcmp(good.names[12], "param_groups.0.params"));

    struct { const char *key; cg_tensor *value; const char *message; } cases[] = {
        {"param_groups.0.params", cg_tensor_i64(((int64_t[]){0}), 1),
         "loaded state dict contains a parameter group that doesn't match the size of optimizer's group"},
        {"param_groups.0.params", cg_tensor_i64(((int64_t[]){0, 0}), 2), "loaded state dict lists parameter 0 in more than one place"},
        {"param_groups.0.params", cg_tensor_i64(((int64_t[]){0, -4}), 2), "loaded state dict: param_groups.0.params holds a bad index -4"},
        {"state.1.exp_avg", cg_zeros(2, 2), "loaded state dict: state.1.exp_avg does not have its parameter's shape"},
        {"state.0.step", cg_zeros(2), "loaded state dict: state.0.step is not a number"},
        {"state.0.momentum_buffer", cg_zeros(2, 2), "loaded state dict has an unexpected key state.0.momentum_buffer"},
        {"param_groups.0.betas", cg_scalar(0.5, CG_FLOAT64), "loaded state dict: param_groups.0.betas is not a pair of numbers"},
        {"param_groups.0.lr", cg_scalar(-1, CG_FLOAT64), "Invalid learning rate: -1.0"},
        {"param_groups.0.eps", cg_scalar(-1, CG_FLOAT64), "Invalid epsilon value: -1.0"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        cg_named_tensors bad;
        CHECK(cg_optimizer_state_dict(opt, &bad) == 0);
        int at = -1;
        for (int j = 0; j < bad.n; j++)
            if (!strcmp(bad.names[j], cases[i].key)) at = j;
        if (at < 0) { /* a key the dict lacks: added at the end */
            state_case grow = {.sd = bad, .cap = bad.n};
            sd_append(&grow, cases[i].key, cg_retain(cases[i].value));
            bad = grow.sd;
        } else {
            cg_release(bad.tensors[at]);
            bad.tensors[at] = cg_retain(cases[i].value);
        }
        CHECK_ERROR(cg_optimizer_load_state_dict(opt, &bad) == 0, cases[i].message);
        cg_named_tensors_free(&bad);
        cg_named_tensors now;
        CHECK(cg_optimizer_state_dict(opt, &now) == 0);
        CHECK_MSG(now.n == before.n, "%s", cases[i].message);
        for (int j = 0; j < now.n && j < before.n; j++) CHECK(harness_same_bits(now.tensors[j], before.tensors[j]));
        cg_named_tensors_free(&now);
    }

    /* another number of groups */
    cg_optimizer *one = cg_optimizer_new(CG_ADAM, CG_TENSORS(w), o);
    CHECK(cg_optimizer_add_param_group(one, CG_TENSORS(b), o) == 0);
    CHECK_ERROR(cg_optimizer_load_state_dict(one, &good) == 0, "loaded state dict has a different number of parameter groups");
    cg_named_tensors empty = {0};
    CHECK_ERROR(cg_optimizer_load_state_dict(opt, &empty) == 0, "loaded state dict has a different number of parameter groups");
    cg_optimizer_free(one);

    /* a float64 state loads into float32 parameters as PyTorch's cast does; the step keeps counting */
    for (int j = 0; j < good.n; j++)
        if (!strncmp(good.names[j], "state.", 6)) {
            cg_tensor *d = cg_to(good.tensors[j], CG_FLOAT64);
            cg_release(good.tensors[j]);
            good.tensors[j] = cg_retain(d);
        }
    cg_optimizer *copy = cg_optimizer_new(CG_ADAM, CG_TENSORS(cg_requires_grad_(cg_ones(2, 2), true), cg_requires_grad_(cg_ones(3), true)), o);
    CHECK(cg_optimizer_load_state_dict(copy, &good) == 0);
    cg_named_tensors loaded;
    CHECK(cg_optimizer_state_dict(copy, &loaded) == 0);
    CHECK(loaded.n == before.n);
    for (int j = 0; j < loaded.n && j < before.n; j++) CHECK(harness_same_bits(loaded.tensors[j], before.tensors[j]));
    cg_named_tensors_free(&loaded);
    cg_optimizer_free(copy);

    CHECK(cg_optimizer_state_dict(NULL, &loaded) < 0 && loaded.n == 0);
    CHECK(cg_optimizer_load_state_dict(opt, NULL) < 0 && cg_optimizer_load_state_dict(NULL, &good) < 0);
    cg_named_tensors_free(&good);
    cg_named_tensors_free(&before);
    cg_optimizer_free(opt);
}

/* SGD without momentum keeps no state; Adagrad's is there before any step, as PyTorch's. */
static void test_state_dict_of_stateless_and_eager_kinds(void) {
    cg_tensor *w = cg_requires_grad_(cg_ones(2), true);
    cg_optim_options o = cg_optim_defaults(CG_SGD);
    o.lr = 0.1;
    cg_optimizer *sgd = cg_optimizer_new(CG_SGD, CG_TENSORS(w), o);
    CHECK(cg_set_grad(w, cg_ones(2)) == 0 && cg_optimizer_step(sgd) == 0);
    cg_named_tensors sd;
    CHECK(cg_optimizer_state_dict(sgd, &sd) == 0 && sd.n == 7 && !strcmp(sd.names[0], "param_groups.0.lr"));
    cg_named_tensors_free(&sd);
    cg_optimizer_free(sgd);
    o = cg_optim_defaults(CG_ADAGRAD);
    o.initial_accumulator_value = 0.25;
    cg_optimizer *ada = cg_optimizer_new(CG_ADAGRAD, CG_TENSORS(w), o);
    CHECK(cg_optimizer_state_dict(ada, &sd) == 0 && sd.n == 2 + 6 + 1);
    CHECK(!strcmp(sd.names[1], "state.0.sum") && cg_item(cg_sum(sd.tensors[1])) == 0.5 && cg_item(sd.tensors[0]) == 0);
    cg_named_tensors_free(&sd);
    cg_optimizer_free(ada);
}

/* Adam's step runs in one pass where its operands are contiguous, and as PyTorch's ops one by one
 * otherwise (here: a transposed parameter). Both give the same bits, at any thread count, over
 * sizes with a partial last vector and more elements than a thread's grain. */
static void test_adam_in_one_pass_gives_the_ops_bits(void) {
    struct { cg_optim_kind kind; double weight_decay; bool amsgrad, maximize; } cases[] = {
        {CG_ADAM, 0, false, false}, {CG_ADAM, 0.02, true, true}, {CG_ADAMW, 0.1, true, false}, {CG_ADAMW, 0.01, false, true}};
    for (int c = 0; c < 4; c++)
        for (int d = 0; d < 2; d++)
            for (int threads = 1; threads <= 2; threads++) CG_SCOPE {
                cg_dtype dtype = d ? CG_FLOAT64 : CG_FLOAT32;
                cg_set_num_threads(threads);
                cg_manual_seed(c);
                cg_tensor *start = cg_randn_shape(dtype, CG_SHAPE(301, 211));
                cg_tensor *fused = cg_requires_grad_(cg_clone(start), true);
                cg_tensor *ops = cg_requires_grad_(cg_t(cg_contiguous(cg_t(start))), true); /* same values, transposed */
                CHECK(cg_is_contiguous(fused) && !cg_is_contiguous(ops));
                cg_optim_options o = cg_optim_defaults(cases[c].kind);
                o.lr = 0.01, o.weight_decay = cases[c].weight_decay, o.amsgrad = cases[c].amsgrad;
                o.maximize = cases[c].maximize;
                cg_optimizer *a = cg_optimizer_new(cases[c].kind, CG_TENSORS(fused), o);
                cg_optimizer *b = cg_optimizer_new(cases[c].kind, CG_TENSORS(ops), o);
                for (int step = 0; step < 4; step++) {
                    cg_tensor *g = cg_randn_shape(dtype, CG_SHAPE(301, 211));
                    CHECK(cg_set_grad(fused, g) == 0 && cg_set_grad(ops, g) == 0);
                    CHECK(cg_optimizer_step(a) == 0 && cg_optimizer_step(b) == 0);
                }
                CHECK_MSG(harness_same_bits(fused, ops), "case %d, %s, %d threads", c, cg_dtype_name(dtype), threads);
                cg_optimizer_free(a);
                cg_optimizer_free(b);
            }
    cg_set_num_threads(1);
}

int main(void) {
    RUN(test_optimizers_give_pytorchs_bits);
    RUN(test_adam_in_one_pass_gives_the_ops_bits);
    RUN(test_state_dict_resumes_training_bit_for_bit);
    RUN(test_load_state_dict_refuses_a_misfit);
    RUN(test_state_dict_of_stateless_and_eager_kinds);
    RUN(test_zero_grad_groups_and_bad_input);
    HARNESS_END();
}
