/* torch.optim.lr_scheduler in PyTorch 1.13: each schedule's get_lr() (the recursive, chainable
 * form where PyTorch uses it, so the doubles are PyTorch's), applied to every param group. */
#include "cgrad.h"
#include "core/tensor.h"
#include "optim/optim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const double PI = 3.14159265358979323846; /* Python's math.pi */

/* Per-group values: the schedule's and the ones OneCycleLR keeps in PyTorch's param groups. */
enum { BASE_LR, LAST_LR, INITIAL_LR, MAX_LR, MIN_LR, MAX_MOMENTUM, BASE_MOMENTUM, NGROUP_VALUES };
static const char *const GROUP_VALUE_NAMES[NGROUP_VALUES] = {"base_lrs", "_last_lr", "initial_lr", "max_lr",
                                                             "min_lr", "max_momentum", "base_momentum"};

struct cg_lr_scheduler {
    cg_optimizer *opt;
    cg_lr_kind kind;
    cg_lr_options o;
    int *milestones;
    int last_epoch, step_count;
    int ngroups;
    double *g[NGROUP_VALUES]; /* each ngroups long */
    double best;              /* ReduceLROnPlateau */
    int num_bad_epochs, cooldown_counter;
};

cg_lr_options cg_lr_defaults(cg_lr_kind kind) {
    cg_lr_options o = {.gamma = 0.1};
    if (kind == CG_LINEAR_LR) o = (cg_lr_options){.start_factor = 1.0 / 3, .end_factor = 1.0, .total_iters = 5};
    if (kind == CG_ONE_CYCLE_LR)
        o = (cg_lr_options){.pct_start = 0.3, .cycle_momentum = true, .base_momentum = 0.85, .max_momentum = 0.95,
                            .div_factor = 25., .final_div_factor = 1e4};
    if (kind == CG_REDUCE_LR_ON_PLATEAU) o = (cg_lr_options){.factor = 0.1, .patience = 10, .threshold = 1e-4, .eps = 1e-8};
    return o;
}

static int floor_mod(int a, int b) { return ((a % b) + b) % b; }

/* Where OneCycleLR cycles the momentum: the Adam family's beta1, SGD's and RMSprop's momentum. */
static double *momentum_of(cg_optim_kind kind, cg_optim_options *o) {
    return kind == CG_SGD || kind == CG_RMSPROP ? &o->momentum : &o->beta1;
}

static double anneal(const cg_lr_scheduler *s, double start, double end, double pct) {
    if (!strcmp(s->o.anneal_strategy, "linear")) return (end - start) * pct + start;
    double cos_out = cos(PI * pct) + 1;
    return end + (start - end) / 2.0 * cos_out;
}

typedef struct {
    double end_step;
    int start_lr, end_lr, start_momentum, end_momentum; /* indices into s->g */
} phase;

/* OneCycleLR's get_lr for group g: the phase the step falls in, annealed from its start to its end;
 * the momentum (or beta1) of that phase goes to *momentum. */
static int one_cycle(const cg_lr_scheduler *s, int g, double *lr, double *momentum) {
    double total = s->o.total_steps, pct_steps = s->o.pct_start * total;
    const phase two[] = {
        {pct_steps - 1, INITIAL_LR, MAX_LR, MAX_MOMENTUM, BASE_MOMENTUM},
        {total - 1, MAX_LR, MIN_LR, BASE_MOMENTUM, MAX_MOMENTUM},
    }, three[] = {
        {pct_steps - 1, INITIAL_LR, MAX_LR, MAX_MOMENTUM, BASE_MOMENTUM},
        {2 * pct_steps - 2, MAX_LR, INITIAL_LR, BASE_MOMENTUM, MAX_MOMENTUM},
        {total - 1, INITIAL_LR, MIN_LR, MAX_MOMENTUM, MAX_MOMENTUM},
    };
    int n = s->o.three_phase ? 3 : 2;
    double start_step = 0;
    for (int i = 0; i < n; i++) {
        const phase *ph = s->o.three_phase ? &three[i] : &two[i];
        if (s->last_epoch <= ph->end_step || i == n - 1) {
            if (ph->end_step == start_step) {
                cg_set_error_kind(CG_VALUE_ERROR, "float division by zero"); /* Python's ZeroDivisionError */
                return -1;
            }
            double pct = (s->last_epoch - start_step) / (ph->end_step - start_step);
            *lr = anneal(s, s->g[ph->start_lr][g], s->g[ph->end_lr][g], pct);
            *momentum = anneal(s, s->g[ph->start_momentum][g], s->g[ph->end_momentum][g], pct);
            return 0;
        }
        start_step = ph->end_step;
    }
    return 0;
}

static double lr_of(const cg_lr_scheduler *s, int g, double lr) {
    const cg_lr_options *o = &s->o;
    int e = s->last_epoch;
    switch (s->kind) {
    case CG_STEP_LR: return e == 0 || e % o->step_size != 0 ? lr : lr * o->gamma;
    case CG_MULTISTEP_LR: {
        int count = 0;
        for (int i = 0; i < o->n_milestones; i++) count += s->milestones[i] == e;
        return count ? lr * pow(o->gamma, count) : lr;
    }
    case CG_EXPONENTIAL_LR: return e == 0 ? lr : lr * o->gamma;
    case CG_COSINE_ANNEALING_LR: {
        double t_max = o->T_max, base = s->g[BASE_LR][g];
        if (e == 0) return lr;
        if (floor_mod(e - 1 - o->T_max, 2 * o->T_max) == 0)
            return lr + (base - o->eta_min) * (1 - cos(PI / t_max)) / 2;
        return (1 + cos(PI * e / t_max)) / (1 + cos(PI * (e - 1) / t_max)) * (lr - o->eta_min) + o->eta_min;
    }
    case CG_LINEAR_LR:
        if (e == 0) return lr * o->start_factor;
        if (e > o->total_iters) return lr;
        return lr * (1. + (o->end_factor - o->start_factor) /
                              (o->total_iters * o->start_factor + (e - 1) * (o->end_factor - o->start_factor)));
    case CG_LAMBDA_LR: return s->g[BASE_LR][g] * o->lr_lambda(e, o->user);
    case CG_MULTIPLICATIVE_LR: return e > 0 ? lr * o->lr_lambda(e, o->user) : lr;
    default: return lr;
    }
}

static int check_one_cycle(const cg_optimizer *opt, cg_lr_options *o) {
    if (o->total_steps == 0 && o->epochs == 0 && o->steps_per_epoch == 0) {
        cg_set_value_error("You must define either total_steps OR (epochs AND steps_per_epoch)");
        return -1;
    }
    if (o->total_steps != 0) {
        if (o->total_steps < 0) {
            cg_set_value_error("Expected positive integer total_steps, but got %d", o->total_steps);
            return -1;
        }
    } else {
        if (o->epochs <= 0) {
            cg_set_value_error("Expected positive integer epochs, but got %d", o->epochs);
            return -1;
        }
        if (o->steps_per_epoch <= 0) {
            cg_set_value_error("Expected positive integer steps_per_epoch, but got %d", o->steps_per_epoch);
            return -1;
        }
        if (o->epochs > (1 << 30) / o->steps_per_epoch) {
            cg_set_value_error("OneCycleLR: epochs * steps_per_epoch is too large");
            return -1;
        }
        o->total_steps = o->epochs * o->steps_per_epoch;
    }
    if (!(o->pct_start >= 0 && o->pct_start <= 1)) {
        char b[40];
        cg_set_value_error("Expected float between 0 and 1 pct_start, but got %s", optim_py_float(o->pct_start, b, sizeof b));
        return -1;
    }
    if (o->anneal_strategy && strcmp(o->anneal_strategy, "cos") && strcmp(o->anneal_strategy, "linear")) {
        cg_set_value_error("anneal_strategy must by one of 'cos' or 'linear', instead got %s", o->anneal_strategy);
        return -1;
    }
    if (o->cycle_momentum && (opt->kind == CG_ADAGRAD || opt->kind == CG_ADADELTA)) {
        cg_set_value_error("optimizer must support momentum with `cycle_momentum` option enabled");
        return -1;
    }
    return 0;
}

static int check(const cg_optimizer *opt, cg_lr_kind kind, cg_lr_options *o) {
    switch (kind) {
    case CG_STEP_LR: if (o->step_size <= 0) { cg_set_value_error("step_size must be positive"); return -1; } return 0;
    case CG_MULTISTEP_LR:
        if (o->n_milestones < 0 || (o->n_milestones && !o->milestones)) { cg_set_value_error("bad milestones"); return -1; }
        return 0;
    case CG_EXPONENTIAL_LR: return 0;
    case CG_COSINE_ANNEALING_LR: if (o->T_max <= 0) { cg_set_value_error("T_max must be positive"); return -1; } return 0;
    case CG_LINEAR_LR:
        if (o->start_factor > 1.0 || o->start_factor <= 0) {
            cg_set_value_error("Starting multiplicative factor expected to be greater than 0 and less or equal to 1.");
            return -1;
        }
        if (o->end_factor > 1.0 || o->end_factor < 0) {
            cg_set_value_error("Ending multiplicative factor expected to be between 0 and 1.");
            return -1;
        }
        return 0;
    case CG_LAMBDA_LR:
    case CG_MULTIPLICATIVE_LR:
        if (!o->lr_lambda) {
            cg_set_value_error("%s needs lr_lambda", kind == CG_LAMBDA_LR ? "LambdaLR" : "MultiplicativeLR");
            return -1;
        }
        return 0;
    case CG_ONE_CYCLE_LR: return check_one_cycle(opt, o);
    case CG_REDUCE_LR_ON_PLATEAU:
        if (!(o->factor < 1.0)) { cg_set_value_error("Factor should be < 1.0."); return -1; }
        if (o->mode && strcmp(o->mode, "min") && strcmp(o->mode, "max")) {
            cg_set_value_error("mode %s is unknown!", o->mode);
            return -1;
        }
        if (o->threshold_mode && strcmp(o->threshold_mode, "rel") && strcmp(o->threshold_mode, "abs")) {
            cg_set_value_error("threshold mode %s is unknown!", o->threshold_mode);
            return -1;
        }
        return 0;
    }
    cg_set_value_error("unknown lr scheduler kind %d", (int)kind);
    return -1;
}

/* One step: last_epoch + 1, then every group's lr (and OneCycleLR's momentum) from the schedule;
 * all are computed before any is set, so a failing step changes no lr. */
int cg_lr_scheduler_step(cg_lr_scheduler *s) {
    if (!s) return -1;
    if (s->kind == CG_REDUCE_LR_ON_PLATEAU) {
        cg_set_error_kind(CG_TYPE_ERROR, "ReduceLROnPlateau.step() needs the metric: call cg_lr_scheduler_step_metric");
        return -1;
    }
    s->step_count++;
    s->last_epoch++;
    if (s->kind == CG_ONE_CYCLE_LR && s->last_epoch > s->o.total_steps) {
        cg_set_value_error("Tried to step %d times. The specified number of total steps is %d", s->last_epoch + 1,
                           s->o.total_steps);
        return -1;
    }
    int n = s->ngroups > 0 ? s->ngroups : 1;
    double lrs[n], moms[n];
    for (int g = 0; g < s->ngroups; g++) {
        cg_optim_options *o = cg_optimizer_group_options(s->opt, g);
        if (!o) return -1;
        if (s->kind != CG_ONE_CYCLE_LR) lrs[g] = lr_of(s, g, o->lr);
        else if (one_cycle(s, g, &lrs[g], &moms[g]) < 0) return -1;
    }
    for (int g = 0; g < s->ngroups; g++) {
        cg_optim_options *o = cg_optimizer_group_options(s->opt, g);
        o->lr = s->g[LAST_LR][g] = lrs[g];
        if (s->kind == CG_ONE_CYCLE_LR && s->o.cycle_momentum) *momentum_of(s->opt->kind, o) = moms[g];
    }
    return 0;
}

static bool is_better(const cg_lr_scheduler *s, double a) {
    bool max = !strcmp(s->o.mode, "max"), abs_mode = !strcmp(s->o.threshold_mode, "abs");
    double best = s->best, t = s->o.threshold;
    if (!max) return abs_mode ? a < best - t : a < best * (1. - t);
    return abs_mode ? a > best + t : a > best * (t + 1.);
}

int cg_lr_scheduler_step_metric(cg_lr_scheduler *s, double metric) {
    if (!s) return -1;
    if (s->kind != CG_REDUCE_LR_ON_PLATEAU) {
        cg_set_error_kind(CG_TYPE_ERROR, "cg_lr_scheduler_step_metric is ReduceLROnPlateau's step: call cg_lr_scheduler_step");
        return -1;
    }
    s->last_epoch++;
    if (is_better(s, metric)) {
        s->best = metric;
        s->num_bad_epochs = 0;
    } else {
        s->num_bad_epochs++;
    }
    if (s->cooldown_counter > 0) {
        s->cooldown_counter--;
        s->num_bad_epochs = 0; /* bad epochs in the cooldown do not count */
    }
    bool reduce = s->num_bad_epochs > s->o.patience;
    for (int g = 0; g < s->ngroups; g++) {
        cg_optim_options *o = cg_optimizer_group_options(s->opt, g);
        if (reduce) {
            double old_lr = o->lr, new_lr = fmax(old_lr * s->o.factor, s->g[MIN_LR][g]);
            if (old_lr - new_lr > s->o.eps) o->lr = new_lr;
        }
        s->g[LAST_LR][g] = o->lr;
    }
    if (reduce) {
        s->cooldown_counter = s->o.cooldown;
        s->num_bad_epochs = 0;
    }
    return 0;
}

/* What the constructor sets in each group (OneCycleLR's starting lr and momentum). */
static void init_groups(cg_lr_scheduler *s, const cg_lr_options *options) {
    for (int g = 0; g < s->ngroups; g++) {
        param_group *group = &s->opt->groups[g];
        cg_optim_options *o = &group->o;
        s->g[LAST_LR][g] = o->lr;
        s->g[MIN_LR][g] = options->min_lrs ? options->min_lrs[g] : options->min_lr;
        if (s->kind == CG_REDUCE_LR_ON_PLATEAU) continue;
        if (s->kind == CG_ONE_CYCLE_LR) {
            group->initial_lr = (options->max_lrs ? options->max_lrs[g] : options->max_lr) / options->div_factor;
        } else if (!group->has_initial_lr) {
            group->initial_lr = o->lr; /* PyTorch's group.setdefault('initial_lr', group['lr']) */
        }
        group->has_initial_lr = true;
        s->g[BASE_LR][g] = group->initial_lr;
        if (s->kind != CG_ONE_CYCLE_LR) continue;
        double max_lr = options->max_lrs ? options->max_lrs[g] : options->max_lr;
        s->g[INITIAL_LR][g] = group->initial_lr;
        s->g[MAX_LR][g] = max_lr;
        s->g[MIN_LR][g] = s->g[INITIAL_LR][g] / options->final_div_factor;
        s->g[MAX_MOMENTUM][g] = options->max_momentum;
        s->g[BASE_MOMENTUM][g] = options->base_momentum;
        if (options->cycle_momentum) *momentum_of(s->opt->kind, o) = options->max_momentum;
    }
}

cg_lr_scheduler *cg_lr_scheduler_new(cg_optimizer *opt, cg_lr_kind kind, cg_lr_options options) {
    if (!opt || check(opt, kind, &options) < 0) return NULL;
    cg_lr_scheduler *s = calloc(1, sizeof *s);
    int n = cg_optimizer_num_groups(opt);
    bool ok = s != NULL;
    for (int i = 0; ok && i < NGROUP_VALUES; i++) ok = (s->g[i] = calloc((size_t)n, sizeof(double))) != NULL;
    if (ok) ok = (s->milestones = calloc((size_t)options.n_milestones + 1, sizeof *s->milestones)) != NULL;
    if (!ok) {
        cg_lr_scheduler_free(s);
        cg_set_error("out of memory");
        return NULL;
    }
    if (options.n_milestones) memcpy(s->milestones, options.milestones, (size_t)options.n_milestones * sizeof *s->milestones);
    s->opt = opt;
    s->kind = kind;
    s->o = options;
    s->o.milestones = s->milestones;
    s->o.max_lrs = s->o.min_lrs = NULL; /* copied into s->g */
    /* the caller's strings need not outlive the call: PyTorch's own spellings instead */
    s->o.mode = options.mode && !strcmp(options.mode, "max") ? "max" : "min";
    s->o.threshold_mode = options.threshold_mode && !strcmp(options.threshold_mode, "abs") ? "abs" : "rel";
    s->o.anneal_strategy = options.anneal_strategy && !strcmp(options.anneal_strategy, "linear") ? "linear" : "cos";
    s->ngroups = n;
    init_groups(s, &options);
    if (kind == CG_REDUCE_LR_ON_PLATEAU) {
        s->best = !strcmp(s->o.mode, "max") ? -INFINITY : INFINITY;
        return s; /* last_epoch 0, no first step */
    }
    s->last_epoch = -1;
    if (cg_lr_scheduler_step(s) < 0) { /* PyTorch's constructor takes the first step (epoch 0) */
        cg_lr_scheduler_free(s);
        return NULL;
    }
    return s;
}

double cg_lr_scheduler_last_lr(const cg_lr_scheduler *s, int group) {
    if (!s || group < 0 || group >= s->ngroups) {
        cg_set_index_error("param group %d out of range", group);
        return NAN;
    }
    return s->g[LAST_LR][group];
}

int cg_lr_scheduler_last_epoch(const cg_lr_scheduler *s) { return s ? s->last_epoch : -1; }

void cg_lr_scheduler_free(cg_lr_scheduler *s) {
    if (!s) return;
    for (int i = 0; i < NGROUP_VALUES; i++) free(s->g[i]);
    free(s->milestones);
    free(s);
}

/* ---- state_dict ---- */

/* The per-group values kind saves: bit i for s->g[i]. */
static unsigned saved_groups(cg_lr_kind kind) {
    if (kind == CG_REDUCE_LR_ON_PLATEAU) return 1u << LAST_LR;
    if (kind == CG_ONE_CYCLE_LR) return (1u << NGROUP_VALUES) - 1;
    return 1u << BASE_LR | 1u << LAST_LR;
}

int cg_lr_scheduler_state_dict(const cg_lr_scheduler *s, cg_named_tensors *out) {
    if (!out) return -1;
    *out = (cg_named_tensors){0};
    if (!s) return -1;
    int rc = 0;
    cg_scope_begin();
    rc |= optim_append(out, "last_epoch", cg_scalar(s->last_epoch, CG_INT64));
    if (s->kind == CG_REDUCE_LR_ON_PLATEAU) {
        rc |= optim_append(out, "best", cg_scalar(s->best, CG_FLOAT64));
        rc |= optim_append(out, "num_bad_epochs", cg_scalar(s->num_bad_epochs, CG_INT64));
        rc |= optim_append(out, "cooldown_counter", cg_scalar(s->cooldown_counter, CG_INT64));
    } else {
        rc |= optim_append(out, "_step_count", cg_scalar(s->step_count, CG_INT64));
    }
    for (int i = 0; i < NGROUP_VALUES; i++)
        if (saved_groups(s->kind) >> i & 1)
            rc |= optim_append(out, GROUP_VALUE_NAMES[i], cg_from_data(s->g[i], CG_FLOAT64, 1, (int64_t[]){s->ngroups}));
    cg_scope_end();
    if (rc) cg_named_tensors_free(out);
    return rc ? -1 : 0;
}

/* The values of sd's entry name as doubles (n of them, or a 0-dim one when n is 0), NULL with an error. */
static const double *entry(const cg_named_tensors *sd, const char *name, int64_t n) {
    cg_tensor *t = cg_named_tensors_get(sd, name);
    if (!t) {
        cg_set_value_error("scheduler state dict has no %s", name);
        return NULL;
    }
    bool numeric = cg_dtype_is_floating(cg_get_dtype(t)) || cg_get_dtype(t) == CG_INT64;
    if (!numeric || cg_ndim(t) != (n ? 1 : 0) || cg_numel(t) != (n ? n : 1)) {
        cg_set_value_error("scheduler state dict: %s has the wrong size or dtype", name);
        return NULL;
    }
    cg_tensor *d = cg_contiguous(cg_to(t, CG_FLOAT64));
    return d ? cg_data_ptr(d) : NULL;
}

int cg_lr_scheduler_load_state_dict(cg_lr_scheduler *s, const cg_named_tensors *state_dict) {
    if (!s || !state_dict) return -1;
    bool plateau = s->kind == CG_REDUCE_LR_ON_PLATEAU;
    const char *counters[] = {"last_epoch", plateau ? "num_bad_epochs" : "_step_count", plateau ? "cooldown_counter" : NULL,
                              plateau ? "best" : NULL};
    const double *v[4] = {0}, *groups[NGROUP_VALUES] = {0};
    int rc = 0;
    cg_scope_begin();
    for (int i = 0; i < 4 && rc == 0; i++)
        if (counters[i] && !(v[i] = entry(state_dict, counters[i], 0))) rc = -1;
    for (int i = 0; i < 3 && rc == 0; i++)
        if (v[i] && !(fabs(*v[i]) < 1 << 30 && *v[i] == floor(*v[i]))) {
            cg_set_value_error("scheduler state dict: %s is not a small integer", counters[i]);
            rc = -1;
        }
    for (int i = 0; i < NGROUP_VALUES && rc == 0; i++)
        if (saved_groups(s->kind) >> i & 1 && !(groups[i] = entry(state_dict, GROUP_VALUE_NAMES[i], s->ngroups))) rc = -1;
    if (rc == 0) {
        s->last_epoch = (int)*v[0];
        if (plateau) {
            s->num_bad_epochs = (int)*v[1];
            s->cooldown_counter = (int)*v[2];
            s->best = *v[3];
        } else {
            s->step_count = (int)*v[1];
        }
        for (int i = 0; i < NGROUP_VALUES; i++)
            if (groups[i]) memcpy(s->g[i], groups[i], (size_t)s->ngroups * sizeof(double));
    }
    cg_scope_end();
    return rc;
}
