/* OneCycleLR, ReduceLROnPlateau, MultiplicativeLR, ConstantLR, PolynomialLR,
 * CosineAnnealingWarmRestarts and CyclicLR against PyTorch 1.13 (tests/data/lr_scheduler.txt from
 * tools/gen_lr_scheduler.py): the lr and momentum (or beta1) of two param groups after each step,
 * the same doubles; resumed halfway from the scheduler's and the optimizer's state_dicts through
 * safetensors files, the rest of the sequence is the same; two schedulers chained on one optimizer;
 * SequentialLR and ChainedScheduler over schedulers of every kind, resumed the same way; PyTorch's
 * ValueErrors. */
#include "golden.h"
#include "harness.h"

#define SCHED_PATH CG_BUILD_DIR "/tests/lr_scheduler_state.safetensors"
#define OPTIM_PATH CG_BUILD_DIR "/tests/lr_scheduler_optim.safetensors"

enum { MAX_RECORDS = 64 };

typedef struct {
    cg_lr_kind kind;
    cg_optim_kind optim;
    cg_lr_options o;
    double max_lrs[2], min_lrs[2], base_lrs[2], metrics[MAX_RECORDS];
    int nmetrics, milestones[8];
    const char *lambda;
} sched_case;

static double lambda_constant(int epoch, void *user) {
    (void)epoch, (void)user;
    return 0.9;
}

static double lambda_linear(int epoch, void *user) {
    (void)user;
    return 1 - 0.01 * epoch;
}

/* The generator's scale_fn lambdas "1 / (1 + 0.1 * x)" and "0.5 ** x". */
static double scale_inverse(double x, void *user) {
    (void)user;
    return 1 / (1 + 0.1 * x);
}

static double scale_halves(double x, void *user) {
    (void)user;
    return pow(0.5, x);
}

static int list(char *text, double *out, int max) {
    int n = 0;
    for (char *v = strtok(text, ","); v && n < max; v = strtok(NULL, ",")) out[n++] = strtod(v, NULL);
    return n;
}

static int int_list(char *text, int *out, int max) {
    double v[8];
    int n = list(text, v, max < 8 ? max : 8);
    for (int i = 0; i < n; i++) out[i] = (int)v[i];
    return n;
}

/* "<Kind> <Optimizer> key=value ... |" into c. */
static int parse_case(char **cur, sched_case *c) {
    static const char *const kinds[] = {"StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR", "LinearLR",
                                        "LambdaLR", "MultiplicativeLR", "OneCycleLR", "ReduceLROnPlateau", "ConstantLR",
                                        "PolynomialLR", "CosineAnnealingWarmRestarts", "CyclicLR"};
    static const char *const optims[] = {"SGD", "Adam", "RMSprop", "Adagrad"};
    static const cg_optim_kind optim_values[] = {CG_SGD, CG_ADAM, CG_RMSPROP, CG_ADAGRAD};
    memset(c, 0, sizeof *c);
    const char *kind = golden_token(cur), *optim = golden_token(cur);
    int k = -1, o = -1;
    for (int i = 0; i < (int)(sizeof kinds / sizeof *kinds); i++) k = strcmp(kind, kinds[i]) ? k : i;
    for (int i = 0; i < 4; i++) o = strcmp(optim, optims[i]) ? o : i;
    if (k < 0 || o < 0) return -1;
    c->kind = (cg_lr_kind)k; /* kinds[] in cg_lr_kind's order */
    c->optim = optim_values[o];
    c->o = cg_lr_defaults(c->kind);
    for (char *tok; (tok = golden_token(cur)) && strcmp(tok, "|");) {
        char *eq = strchr(tok, '=');
        if (!eq) return -1;
        *eq++ = '\0';
        double v = strtod(eq, NULL);
        cg_lr_options *p = &c->o;
        if (!strcmp(tok, "max_lr")) {
            if (strchr(eq, ',')) list(eq, c->max_lrs, 2), p->max_lrs = c->max_lrs;
            else p->max_lr = v;
        } else if (!strcmp(tok, "min_lr")) {
            if (strchr(eq, ',')) list(eq, c->min_lrs, 2), p->min_lrs = c->min_lrs;
            else p->min_lr = v;
        } else if (!strcmp(tok, "metrics")) c->nmetrics = list(eq, c->metrics, MAX_RECORDS);
        else if (!strcmp(tok, "total_steps")) p->total_steps = (int)v;
        else if (!strcmp(tok, "epochs")) p->epochs = (int)v;
        else if (!strcmp(tok, "steps_per_epoch")) p->steps_per_epoch = (int)v;
        else if (!strcmp(tok, "pct_start")) p->pct_start = v;
        else if (!strcmp(tok, "anneal_strategy")) p->anneal_strategy = eq;
        else if (!strcmp(tok, "three_phase")) p->three_phase = v != 0;
        else if (!strcmp(tok, "cycle_momentum")) p->cycle_momentum = v != 0;
        else if (!strcmp(tok, "div_factor")) p->div_factor = v;
        else if (!strcmp(tok, "final_div_factor")) p->final_div_factor = v;
        else if (!strcmp(tok, "base_momentum")) p->base_momentum = v;
        else if (!strcmp(tok, "max_momentum")) p->max_momentum = v;
        else if (!strcmp(tok, "patience")) p->patience = (int)v;
        else if (!strcmp(tok, "cooldown")) p->cooldown = (int)v;
        else if (!strcmp(tok, "factor")) p->factor = v;
        else if (!strcmp(tok, "threshold")) p->threshold = v;
        else if (!strcmp(tok, "mode")) p->mode = eq;
        else if (!strcmp(tok, "threshold_mode")) p->threshold_mode = eq;
        else if (!strcmp(tok, "eps")) p->eps = v;
        else if (!strcmp(tok, "lr_lambda")) p->lr_lambda = strcmp(eq, "0.9") ? lambda_linear : lambda_constant;
        else if (!strcmp(tok, "start_factor")) p->start_factor = v;
        else if (!strcmp(tok, "total_iters")) p->total_iters = (int)v;
        else if (!strcmp(tok, "end_factor")) p->end_factor = v;
        else if (!strcmp(tok, "step_size")) p->step_size = (int)v;
        else if (!strcmp(tok, "gamma")) p->gamma = v;
        else if (!strcmp(tok, "milestones")) p->n_milestones = int_list(eq, c->milestones, 8), p->milestones = c->milestones;
        else if (!strcmp(tok, "T_max")) p->T_max = (int)v;
        else if (!strcmp(tok, "eta_min")) p->eta_min = v;
        else if (!strcmp(tok, "power")) p->power = v;
        else if (!strcmp(tok, "T_0")) p->T_0 = (int)v;
        else if (!strcmp(tok, "T_mult")) p->T_mult = (int)v;
        else if (!strcmp(tok, "base_lr")) {
            if (strchr(eq, ',')) list(eq, c->base_lrs, 2), p->base_lrs = c->base_lrs;
            else p->base_lr = v;
        } else if (!strcmp(tok, "step_size_up")) p->step_size_up = (int)v;
        else if (!strcmp(tok, "step_size_down")) p->step_size_down = (int)v;
        else if (!strcmp(tok, "scale_fn")) p->scale_fn = strcmp(eq, "0.5**x") ? scale_inverse : scale_halves;
        else if (!strcmp(tok, "scale_mode")) p->scale_mode = eq;
        else return -1;
    }
    return 0;
}

/* The generator's optimizer: lr 0.1 and, in a second group, 0.05 (SGD momentum 0.9, RMSprop 0.3). */
static cg_optimizer *make_optimizer(cg_optim_kind kind) {
    cg_optim_options o = cg_optim_defaults(kind);
    o.lr = 0.1;
    if (kind == CG_SGD) o.momentum = 0.9;
    if (kind == CG_RMSPROP) o.momentum = 0.3;
    cg_optimizer *opt = cg_optimizer_new(kind, CG_TENSORS(cg_requires_grad_(cg_zeros(2), true)), o);
    o.lr = 0.05;
    if (opt && cg_optimizer_add_param_group(opt, CG_TENSORS(cg_requires_grad_(cg_zeros(2), true)), o) < 0) {
        cg_optimizer_free(opt);
        return NULL;
    }
    return opt;
}

static int step(const sched_case *c, cg_lr_scheduler *s, int i) {
    return c->nmetrics ? cg_lr_scheduler_step_metric(s, c->metrics[i]) : cg_lr_scheduler_step(s);
}

/* Record "lr0,lr1,m0,m1" against the optimizer's groups. */
static bool matches(const sched_case *c, cg_optimizer *opt, const char *record) {
    double want[4];
    char copy[256];
    snprintf(copy, sizeof copy, "%s", record);
    if (list(copy, want, 4) != 4) return false;
    for (int g = 0; g < 2; g++) {
        const cg_optim_options *o = cg_optimizer_group_options(opt, g);
        double m = c->optim == CG_SGD || c->optim == CG_RMSPROP ? o->momentum : o->beta1;
        if (o->lr != want[g] || m != want[2 + g]) return false;
    }
    return true;
}

static void save_and_free(cg_named_tensors *sd, const char *path) {
    CHECK_MSG(cg_safetensors_save(path, sd, NULL) == 0, "%s", cg_last_error());
    cg_named_tensors_free(sd);
}

static void check_sequence(char *cur, const char *line) {
    sched_case c;
    CHECK_MSG(parse_case(&cur, &c) == 0, "%s", line);
    char *records[MAX_RECORDS];
    int n = 0;
    for (char *tok; n < MAX_RECORDS && (tok = golden_token(&cur));) records[n++] = tok;
    cg_optimizer *opt = make_optimizer(c.optim);
    cg_lr_scheduler *s = cg_lr_scheduler_new(opt, c.kind, c.o);
    CHECK_MSG(s != NULL, "%s: %s", line, cg_last_error());
    if (!s) return;
    int half = n / 2;
    for (int i = 0; i < n; i++) {
        CHECK_MSG(matches(&c, opt, records[i]), "%s: step %d: %.17g %.17g, PyTorch's %s", line, i,
                  cg_optimizer_group_options(opt, 0)->lr, cg_optimizer_group_options(opt, 1)->lr, records[i]);
        CHECK(cg_lr_scheduler_last_lr(s, 1) == cg_optimizer_group_options(opt, 1)->lr);
        if (i == half) {
            cg_named_tensors sd;
            CHECK(cg_lr_scheduler_state_dict(s, &sd) == 0);
            save_and_free(&sd, SCHED_PATH);
            CHECK(cg_optimizer_state_dict(opt, &sd) == 0);
            save_and_free(&sd, OPTIM_PATH);
        }
        if (i + 1 < n) CHECK(step(&c, s, i) == 0);
    }
    cg_lr_scheduler_free(s);
    cg_optimizer_free(opt);

    /* a fresh optimizer and scheduler, loaded with what was saved at step half */
    opt = make_optimizer(c.optim);
    s = cg_lr_scheduler_new(opt, c.kind, c.o);
    cg_named_tensors sched_sd, optim_sd;
    CHECK(cg_safetensors_load(SCHED_PATH, &sched_sd) == 0 && cg_safetensors_load(OPTIM_PATH, &optim_sd) == 0);
    CHECK_MSG(cg_optimizer_load_state_dict(opt, &optim_sd) == 0 && cg_lr_scheduler_load_state_dict(s, &sched_sd) == 0,
              "%s: %s", line, cg_last_error());
    for (int i = half; i < n; i++) {
        CHECK_MSG(matches(&c, opt, records[i]), "%s: resumed, step %d: %.17g, PyTorch's %s", line, i,
                  cg_optimizer_group_options(opt, 0)->lr, records[i]);
        if (i + 1 < n) CHECK(step(&c, s, i) == 0);
    }
    cg_named_tensors_free(&sched_sd);
    cg_named_tensors_free(&optim_sd);
    cg_lr_scheduler_free(s);
    cg_optimizer_free(opt);
}

/* OneCycleLR stepped past total_steps fails with PyTorch's message and keeps its lrs. */
static void check_overstep(char *cur, const char *line) {
    sched_case c;
    CHECK_MSG(parse_case(&cur, &c) == 0, "%s", line);
    cg_optimizer *opt = make_optimizer(c.optim);
    cg_lr_scheduler *s = cg_lr_scheduler_new(opt, c.kind, c.o);
    int total = c.o.total_steps ? c.o.total_steps : c.o.epochs * c.o.steps_per_epoch;
    for (int i = 0; s && i < total; i++) CHECK(cg_lr_scheduler_step(s) == 0);
    double lr = cg_optimizer_group_options(opt, 0)->lr;
    CHECK(cg_lr_scheduler_step(s) < 0);
    CHECK_STR(harness_error(), cur + strspn(cur, " "));
    CHECK(cg_optimizer_group_options(opt, 0)->lr == lr);
    cg_lr_scheduler_free(s);
    cg_optimizer_free(opt);
}

static void check_error(char *cur, const char *line) {
    sched_case c;
    CHECK_MSG(parse_case(&cur, &c) == 0, "%s", line);
    cg_optimizer *opt = make_optimizer(c.optim);
    double lr = cg_optimizer_group_options(opt, 0)->lr;
    cg_clear_error();
    CHECK_MSG(cg_lr_scheduler_new(opt, c.kind, c.o) == NULL, "%s", line);
    CHECK_STR(harness_error(), cur + strspn(cur, " "));
    CHECK(cg_optimizer_group_options(opt, 0)->lr == lr);
    cg_optimizer_free(opt);
}

/* Two schedulers on one optimizer: the second starts from the group's initial_lr (PyTorch's
 * group['initial_lr'], which the first set), as PyTorch's chained schedules do. */
static void check_chain(char *cur, const char *line) {
    sched_case c;
    CHECK_MSG(parse_case(&cur, &c) == 0, "%s", line);
    bool lambda = !strcmp(golden_token(&cur), "LambdaLR");
    golden_token(&cur); /* | */
    cg_optimizer *opt = make_optimizer(CG_SGD);
    cg_lr_scheduler *first = cg_lr_scheduler_new(opt, c.kind, c.o);
    cg_lr_options o2 = cg_lr_defaults(lambda ? CG_LAMBDA_LR : CG_COSINE_ANNEALING_LR);
    o2.lr_lambda = lambda_linear;
    o2.T_max = 3;
    cg_lr_scheduler *second = cg_lr_scheduler_new(opt, lambda ? CG_LAMBDA_LR : CG_COSINE_ANNEALING_LR, o2);
    CHECK_MSG(first && second, "%s: %s", line, cg_last_error());
    int step = 0;
    for (char *tok; first && second && (tok = golden_token(&cur)); step++) {
        CHECK_MSG(matches(&c, opt, tok), "%s: step %d: %.17g, PyTorch's %s", line, step, cg_optimizer_group_options(opt, 0)->lr, tok);
        CHECK(cg_lr_scheduler_step(first) == 0 && cg_lr_scheduler_step(second) == 0);
    }
    CHECK(step == 11);
    cg_named_tensors sd;
    CHECK(cg_optimizer_state_dict(opt, &sd) == 0);
    cg_tensor *initial = cg_named_tensors_get(&sd, "param_groups.1.initial_lr");
    CHECK(initial && cg_item(initial) == (c.kind == CG_ONE_CYCLE_LR ? 0.5 / 25 : 0.05));
    cg_named_tensors_free(&sd);
    cg_lr_scheduler_free(first);
    cg_lr_scheduler_free(second);
    cg_optimizer_free(opt);
}

enum { MAX_CHILDREN = 3 };

typedef struct {
    bool sequential;
    int n, n_milestones, milestones[8];
    sched_case cases[MAX_CHILDREN];
    cg_lr_scheduler *children[MAX_CHILDREN];
} compose_case;

/* "<Sequential|Chained> <n> SGD [milestones=...] | <child> | ... |" into c. */
static int parse_compose(char **cur, compose_case *c) {
    memset(c, 0, sizeof *c);
    c->sequential = !strcmp(golden_token(cur), "Sequential");
    c->n = atoi(golden_token(cur));
    golden_token(cur); /* SGD */
    for (char *tok; (tok = golden_token(cur)) && strcmp(tok, "|");)
        if (!strncmp(tok, "milestones=", 11)) c->n_milestones = int_list(tok + 11, c->milestones, 8);
    for (int i = 0; i < c->n && i < MAX_CHILDREN; i++)
        if (parse_case(cur, &c->cases[i]) < 0) return -1;
    return c->n <= MAX_CHILDREN ? 0 : -1;
}

/* The composite of c's schedulers, made in order on opt, or NULL. */
static cg_lr_scheduler *make_compose(compose_case *c, cg_optimizer *opt) {
    for (int i = 0; i < c->n; i++) {
        c->children[i] = cg_lr_scheduler_new(opt, c->cases[i].kind, c->cases[i].o);
        if (!c->children[i]) return NULL;
    }
    return c->sequential ? cg_lr_scheduler_sequential(opt, c->children, c->n, c->milestones, c->n_milestones)
                         : cg_lr_scheduler_chained(c->children, c->n);
}

static void free_compose(compose_case *c, cg_lr_scheduler *s) {
    cg_lr_scheduler_free(s);
    for (int i = 0; i < c->n; i++) cg_lr_scheduler_free(c->children[i]);
}

/* A composite's sequence, then from its state_dict (with its schedulers') saved halfway. */
static void check_compose(char *cur, const char *line) {
    compose_case c;
    CHECK_MSG(parse_compose(&cur, &c) == 0, "%s", line);
    char *records[MAX_RECORDS];
    int n = 0;
    for (char *tok; n < MAX_RECORDS && (tok = golden_token(&cur));) records[n++] = tok;
    cg_optimizer *opt = make_optimizer(CG_SGD);
    cg_lr_scheduler *s = make_compose(&c, opt);
    CHECK_MSG(s != NULL, "%s: %s", line, cg_last_error());
    int half = n / 2;
    for (int i = 0; s && i < n; i++) {
        CHECK_MSG(matches(&c.cases[0], opt, records[i]), "%s: step %d: %.17g, PyTorch's %s", line, i,
                  cg_optimizer_group_options(opt, 0)->lr, records[i]);
        CHECK(cg_lr_scheduler_last_lr(s, 0) == cg_optimizer_group_options(opt, 0)->lr);
        if (i == half) {
            cg_named_tensors sd;
            CHECK(cg_lr_scheduler_state_dict(s, &sd) == 0);
            save_and_free(&sd, SCHED_PATH);
            CHECK(cg_optimizer_state_dict(opt, &sd) == 0);
            save_and_free(&sd, OPTIM_PATH);
        }
        if (i + 1 < n) CHECK_MSG(cg_lr_scheduler_step(s) == 0, "%s: %s", line, cg_last_error());
    }
    free_compose(&c, s);
    cg_optimizer_free(opt);

    opt = make_optimizer(CG_SGD);
    s = make_compose(&c, opt);
    cg_named_tensors sched_sd, optim_sd;
    CHECK(cg_safetensors_load(SCHED_PATH, &sched_sd) == 0 && cg_safetensors_load(OPTIM_PATH, &optim_sd) == 0);
    CHECK_MSG(cg_optimizer_load_state_dict(opt, &optim_sd) == 0 && cg_lr_scheduler_load_state_dict(s, &sched_sd) == 0,
              "%s: %s", line, cg_last_error());
    for (int i = half; s && i < n; i++) {
        CHECK_MSG(matches(&c.cases[0], opt, records[i]), "%s: resumed, step %d: %.17g, PyTorch's %s", line, i,
                  cg_optimizer_group_options(opt, 0)->lr, records[i]);
        if (i + 1 < n) CHECK(cg_lr_scheduler_step(s) == 0);
    }
    cg_named_tensors_free(&sched_sd);
    cg_named_tensors_free(&optim_sd);
    free_compose(&c, s);
    cg_optimizer_free(opt);
}

static void check_compose_error(char *cur, const char *line) {
    compose_case c;
    CHECK_MSG(parse_compose(&cur, &c) == 0, "%s", line);
    cg_optimizer *opt = make_optimizer(CG_SGD);
    cg_clear_error();
    cg_lr_scheduler *s = make_compose(&c, opt);
    CHECK_MSG(s == NULL, "%s", line);
    CHECK_STR(harness_error(), cur + strspn(cur, " "));
    free_compose(&c, s);
    cg_optimizer_free(opt);
}

static void test_schedules_give_pytorchs_doubles(void) {
    golden_file g;
    if (golden_open(&g, "tests/data/lr_scheduler.txt") < 0) {
        CHECK(!"golden file");
        return;
    }
    int counts[6] = {0};
    for (char *line; (line = golden_next_line(&g));) {
        char copy[300];
        snprintf(copy, sizeof copy, "%s", line);
        char *cur = line;
        const char *what = golden_token(&cur);
        if (!strcmp(what, "sched")) check_sequence(cur, copy), counts[0]++;
        else if (!strcmp(what, "overstep")) check_overstep(cur, copy), counts[1]++;
        else if (!strcmp(what, "error")) check_error(cur, copy), counts[2]++;
        else if (!strcmp(what, "chain")) check_chain(cur, copy), counts[3]++;
        else if (!strcmp(what, "compose")) check_compose(cur, copy), counts[4]++;
        else if (!strcmp(what, "compose-error")) check_compose_error(cur, copy), counts[5]++;
    }
    golden_close(&g);
    CHECK(counts[0] == 25 && counts[1] == 6 && counts[2] == 16 && counts[3] == 3 && counts[4] == 7 && counts[5] == 2);
}

static void test_scheduler_state_dict_misuse(void) {
    cg_optimizer *opt = make_optimizer(CG_SGD);
    cg_lr_scheduler *s = cg_lr_scheduler_new(opt, CG_STEP_LR, (cg_lr_options){.step_size = 2, .gamma = 0.5});
    cg_named_tensors sd;
    CHECK(cg_lr_scheduler_state_dict(s, &sd) == 0 && sd.n == 4);
    CHECK(!strcmp(sd.names[0], "last_epoch") && cg_item(sd.tensors[0]) == 0 && cg_item(sd.tensors[1]) == 1);
    CHECK(cg_lr_scheduler_step(s) == 0 && cg_lr_scheduler_step(s) == 0 && cg_lr_scheduler_last_epoch(s) == 2);
    cg_named_tensors bad = {.names = sd.names, .tensors = sd.tensors, .n = 3}; /* no _last_lr */
    CHECK_ERROR(cg_lr_scheduler_load_state_dict(s, &bad) == 0, "scheduler state dict has no _last_lr");
    cg_tensor *saved = sd.tensors[2];
    sd.tensors[2] = cg_zeros(3);
    CHECK_ERROR(cg_lr_scheduler_load_state_dict(s, &sd) == 0, "scheduler state dict: base_lrs has the wrong size or dtype");
    sd.tensors[2] = saved;
    CHECK(cg_lr_scheduler_last_epoch(s) == 2); /* unchanged */
    CHECK(cg_lr_scheduler_load_state_dict(s, &sd) == 0 && cg_lr_scheduler_last_epoch(s) == 0);
    cg_named_tensors_free(&sd);

    CHECK(cg_lr_scheduler_step_metric(s, 1.0) < 0);
    cg_lr_scheduler *p = cg_lr_scheduler_new(opt, CG_REDUCE_LR_ON_PLATEAU, cg_lr_defaults(CG_REDUCE_LR_ON_PLATEAU));
    CHECK(p && cg_lr_scheduler_last_epoch(p) == 0 && cg_lr_scheduler_step(p) < 0);
    CHECK(cg_lr_scheduler_state_dict(p, &sd) == 0 && sd.n == 5 && isinf(cg_item(cg_named_tensors_get(&sd, "best"))));
    cg_named_tensors_free(&sd);
    CHECK_ERROR(cg_lr_scheduler_new(opt, CG_MULTIPLICATIVE_LR, cg_lr_defaults(CG_MULTIPLICATIVE_LR)) != NULL,
                "MultiplicativeLR needs lr_lambda");
    CHECK(cg_lr_scheduler_state_dict(NULL, &sd) < 0 && sd.n == 0 && cg_lr_scheduler_load_state_dict(s, NULL) < 0);
    cg_lr_scheduler_free(p);
    cg_lr_scheduler_free(s);
    cg_optimizer_free(opt);
}

/* What the composites refuse, and a failing load that changes neither them nor their schedulers. */
static void test_composite_misuse(void) {
    cg_optimizer *opt = make_optimizer(CG_SGD), *other = make_optimizer(CG_SGD);
    cg_lr_scheduler *a = cg_lr_scheduler_new(opt, CG_EXPONENTIAL_LR, (cg_lr_options){.gamma = 0.5});
    cg_lr_scheduler *b = cg_lr_scheduler_new(other, CG_EXPONENTIAL_LR, (cg_lr_options){.gamma = 0.5});
    cg_lr_scheduler *p = cg_lr_scheduler_new(opt, CG_REDUCE_LR_ON_PLATEAU, cg_lr_defaults(CG_REDUCE_LR_ON_PLATEAU));
    CHECK_ERROR(cg_lr_scheduler_chained((cg_lr_scheduler *[]){a, b}, 2),
                "ChainedScheduler expects all schedulers to belong to the same optimizer, but got schedulers at index 0 "
                "and 1 to be different");
    CHECK_ERROR(cg_lr_scheduler_sequential(opt, (cg_lr_scheduler *[]){a, b}, 2, (int[]){1}, 1),
                "Sequential Schedulers expects all schedulers to belong to the same optimizer, but got schedulers at "
                "index 1 to be different than the optimizer passed in.");
    CHECK_ERROR(cg_lr_scheduler_chained((cg_lr_scheduler *[]){a, p}, 2),
                "SequentialLR and ChainedScheduler take no ReduceLROnPlateau nor a composite");
    CHECK_ERROR(cg_lr_scheduler_chained((cg_lr_scheduler *[]){a, NULL}, 2), "schedulers[1] is NULL");
    CHECK_ERROR(cg_lr_scheduler_chained(NULL, 0), "list index out of range");
    CHECK_ERROR(cg_lr_scheduler_new(opt, CG_CHAINED_SCHEDULER, cg_lr_defaults(CG_STEP_LR)),
                "SequentialLR and ChainedScheduler are made by cg_lr_scheduler_sequential and _chained");
    cg_lr_scheduler *c = cg_lr_scheduler_chained((cg_lr_scheduler *[]){a}, 1);
    CHECK(c && cg_lr_scheduler_last_epoch(c) == -1);
    CHECK_ERROR(cg_lr_scheduler_chained((cg_lr_scheduler *[]){c}, 1),
                "SequentialLR and ChainedScheduler take no ReduceLROnPlateau nor a composite");
    CHECK(cg_lr_scheduler_step(c) == 0 && cg_lr_scheduler_step(c) == 0 && cg_lr_scheduler_last_epoch(a) == 2);
    cg_named_tensors sd;
    CHECK(cg_lr_scheduler_state_dict(c, &sd) == 0 && sd.n == 5 && !strcmp(sd.names[0], "_last_lr") &&
          !strcmp(sd.names[1], "_schedulers.0.last_epoch"));
    CHECK(cg_numel(sd.tensors[0]) == 2 && cg_lr_scheduler_last_lr(c, 0) == 0.025);
    cg_tensor *saved = sd.tensors[4], *saved_epoch = sd.tensors[1];
    sd.tensors[4] = cg_zeros(5); /* _schedulers.0._last_lr */
    sd.tensors[1] = cg_scalar(7, CG_INT64); /* would load before the bad one */
    CHECK_ERROR(cg_lr_scheduler_load_state_dict(c, &sd) == 0,
                "scheduler state dict: _last_lr has the wrong size or dtype");
    CHECK(cg_lr_scheduler_last_epoch(a) == 2 && cg_lr_scheduler_last_lr(c, 0) == 0.025);
    sd.tensors[4] = saved;
    CHECK(cg_lr_scheduler_load_state_dict(c, &sd) == 0 && cg_lr_scheduler_last_epoch(a) == 7);
    sd.tensors[1] = saved_epoch;
    cg_named_tensors_free(&sd);
    cg_lr_scheduler_free(c);
    cg_lr_scheduler_free(p);
    cg_lr_scheduler_free(b);
    cg_lr_scheduler_free(a);
    cg_optimizer_free(other);
    cg_optimizer_free(opt);
}

int main(void) {
    RUN(test_schedules_give_pytorchs_doubles);
    RUN(test_composite_misuse);
    RUN(test_scheduler_state_dict_misuse);
    HARNESS_END();
}
