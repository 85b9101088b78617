/* Optimizers against PyTorch 1.13 (tests/data/optim.txt from tools/gen_optim.py): every parameter
 * after each of 8 steps of each optimizer and option set, from the same starting values and
 * gradients, bit for bit; PyTorch's ValueErrors for bad options; groups, zero_grad and bad input. */
#include "golden.h"
#include "harness.h"

static const char *const KIND_NAMES[] = {"SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam"};

static int kind_of(const char *name) {
    for (int k = 0; k < (int)(sizeof KIND_NAMES / sizeof *KIND_NAMES); k++)
        if (!strcmp(name, KIND_NAMES[k])) return k;
    return -1;
}

/* Applies "key=value" to o; group2_lr goes to *group2_lr. Returns -1 for an unknown key. */
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

static bool same_bits(const cg_tensor *a, const cg_tensor *b) {
    return a && b && cg_numel(a) == cg_numel(b) && !memcmp(cg_data_ptr(a), cg_data_ptr(b), (size_t)cg_numel(a) * sizeof(float));
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

static void test_optimizers_give_pytorchs_bits(void) {
    golden_file g;
    if (golden_open(&g, "tests/data/optim.txt") < 0) {
        CHECK(!"golden file");
        return;
    }
    replay r = {0};
    cg_optim_options o;
    double group2_lr = -1;
    int kind = -1, errors = 0;
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
            CHECK_MSG(same_bits(r.params[i], want), "%s: parameter %d after step %d differs from PyTorch's", r.name, i, step);
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
        }
    }
    finish_case(&r);
    golden_close(&g);
    CHECK(r.cases == 27 && r.steps_checked == 27 * 8 * 2 && errors == 18);
}

int main(void) {
    RUN(test_optimizers_give_pytorchs_bits);
    HARNESS_END();
}
