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
    int64_t T_i, T_cur;       /* CosineAnnealingWarmRestarts */
    cg_lr_scheduler **children; /* SequentialLR, ChainedScheduler (the caller's) */
    int nchildren;
};

cg_lr_options cg_lr_defaults(cg_lr_kind kind) {
    cg_lr_options o = {.gamma = 0.1};
    if (kind == CG_LINEAR_LR) o = (cg_lr_options){.start_factor = 1.0 / 3, .end_factor = 1.0, .total_iters = 5};
    if (kind == CG_ONE_CYCLE_LR)
        o = (cg_lr_options){.pct_start = 0.3, .cycle_momentum = true, .base_momentum = 0.85, .max_momentum = 0.95,
                            .div_factor = 25., .final_div_factor = 1e4};
    if (kind == CG_REDUCE_LR_ON_PLATEAU) o = (cg_lr_options){.factor = 0.1, .patience = 10, .threshold = 1e-4, .eps = 1e-8};
    if (kind == CG_CONSTANT_LR) o = (cg_lr_options){.factor = 1.0 / 3, .total_iters = 5};
    if (kind == CG_POLYNOMIAL_LR) o = (cg_lr_options){.total_iters = 5, .power = 1.0};
    if (kind == CG_COSINE_ANNEALING_WARM_RESTARTS) o = (cg_lr_options){.T_mult = 1};
    if (kind == CG_CYCLIC_LR)
        o = (cg_lr_options){.step_size_up = 2000, .gamma = 1.0, .cycle_momentum = true, .base_momentum = 0.8,
                            .max_momentum = 0.9};
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

/* Python's ZeroDivisionError (as a ValueError: cgrad has no such kind), message and all. */
static int zero_division(const char *message) {
    cg_set_error_kind(CG_VALUE_ERROR, "%s", message);
    return -1;
}

/* Python's float ** float, which refuses 0.0 to a negative power. */
static int py_pow(double x, double y, double *out) {
    if (x == 0 && y < 0) return zero_division("0.0 cannot be raised to a negative power");
    *out = pow(x, y);
    return 0;
}

/* bisect.bisect_right(a, x): the insertion point after any entries equal to x (a sorted). */
static int bisect_right(const int *a, int n, int x) {
    int lo = 0, hi = n;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (x < a[mid]) hi = mid;
        else lo = mid + 1;
    }
    return lo;
}

/* CyclicLR's get_lr for group g, and the momentum that goes with it. */
static int cyclic(const cg_lr_scheduler *s, int g, double *lr, double *momentum) {
    const cg_lr_options *o = &s->o;
    double up = o->step_size_up, down = o->step_size_down ? o->step_size_down : up;
    double total = up + down, ratio = up / total, e = s->last_epoch;
    double cycle = floor(1 + e / total), x = 1. + e / total - cycle, scale_factor;
    if (x <= ratio) {
        if (ratio == 0) return zero_division("float division by zero");
        scale_factor = x / ratio;
    } else {
        scale_factor = (x - 1) / (ratio - 1);
    }
    bool by_cycle = o->scale_fn ? strcmp(o->scale_mode, "cycle") == 0 : strcmp(o->mode, "exp_range") != 0;
    double at = by_cycle ? cycle : e, scale;
    if (o->scale_fn) scale = o->scale_fn(at, o->user);
    else if (!strcmp(o->mode, "triangular")) scale = 1.;
    else if (!strcmp(o->mode, "triangular2")) scale = 1 / pow(2., at - 1);
    else scale = pow(o->gamma, at);
    double base = s->g[BASE_LR][g], base_m = s->g[BASE_MOMENTUM][g], max_m = s->g[MAX_MOMENTUM][g];
    *lr = base + (s->g[MAX_LR][g] - base) * scale_factor * scale;
    *momentum = max_m - (max_m - base_m) * scale_factor * scale;
    return 0;
}

/* The chainable get_lr for group g from its lr now; closed: the closed form PyTorch's step(epoch)
 * takes where the kind has one (SequentialLR's step(0)). */
static int lr_of(const cg_lr_scheduler *s, int g, double lr, bool closed, double *out) {
    const cg_lr_options *o = &s->o;
    int e = s->last_epoch;
    double base = s->g[BASE_LR][g], v = lr;
    switch (s->kind) {
    case CG_STEP_LR:
        if (closed) v = base * pow(o->gamma, e / o->step_size);
        else v = e == 0 || e % o->step_size != 0 ? lr : lr * o->gamma;
        break;
    case CG_MULTISTEP_LR: {
        int count = 0;
        for (int i = 0; i < o->n_milestones; i++) count += closed ? s->milestones[i] <= e : s->milestones[i] == e;
        if (closed) v = base * pow(o->gamma, count);
        else v = count ? lr * pow(o->gamma, count) : lr;
        break;
    }
    case CG_EXPONENTIAL_LR: v = closed ? base * pow(o->gamma, e) : e == 0 ? lr : lr * o->gamma; break;
    case CG_COSINE_ANNEALING_LR: {
        double t_max = o->T_max;
        if (closed) v = o->eta_min + (base - o->eta_min) * (1 + cos(PI * e / t_max)) / 2;
        else if (e == 0) v = lr;
        else if (floor_mod(e - 1 - o->T_max, 2 * o->T_max) == 0) v = lr + (base - o->eta_min) * (1 - cos(PI / t_max)) / 2;
        else v = (1 + cos(PI * e / t_max)) / (1 + cos(PI * (e - 1) / t_max)) * (lr - o->eta_min) + o->eta_min;
        break;
    }
    case CG_LINEAR_LR:
        if (closed)
            v = base * (o->start_factor + (o->end_factor - o->start_factor) * (e < o->total_iters ? e : o->total_iters) /
                                              o->total_iters);
        else if (e == 0) v = lr * o->start_factor;
        else if (e <= o->total_iters)
            v = lr * (1. + (o->end_factor - o->start_factor) /
                               (o->total_iters * o->start_factor + (e - 1) * (o->end_factor - o->start_factor)));
        break;
    case CG_CONSTANT_LR:
        if (closed) v = base * (o->factor + (e >= o->total_iters) * (1 - o->factor));
        else if (e == 0) v = lr * o->factor;
        else if (e == o->total_iters) {
            if (o->factor == 0) return zero_division("float division by zero");
            v = lr * (1.0 / o->factor);
        }
        break;
    case CG_POLYNOMIAL_LR: {
        double ti = o->total_iters, decay;
        if (closed) {
            if (o->total_iters == 0) return zero_division("division by zero");
            if (py_pow(1.0 - (e < o->total_iters ? e : o->total_iters) / ti, o->power, &decay) < 0) return -1;
            v = base * decay;
        } else if (e != 0 && e <= o->total_iters) {
            if (py_pow((1.0 - e / ti) / (1.0 - (e - 1) / ti), o->power, &decay) < 0) return -1;
            v = lr * decay;
        }
        break;
    }
    case CG_COSINE_ANNEALING_WARM_RESTARTS:
        v = o->eta_min + (base - o->eta_min) * (1 + cos(PI * (double)s->T_cur / (double)s->T_i)) / 2;
        break;
    case CG_LAMBDA_LR: v = base * o->lr_lambda(e, o->user); break;
    case CG_MULTIPLICATIVE_LR: v = e > 0 ? lr * o->lr_lambda(e, o->user) : lr; break;
    default: break;
    }
    *out = v;
    return 0;
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
    case CG_CONSTANT_LR:
        if (o->factor > 1.0 || o->factor < 0) {
            cg_set_value_error("Constant multiplicative factor expected to be between 0 and 1.");
            return -1;
        }
        return 0;
    case CG_POLYNOMIAL_LR: return 0;
    case CG_COSINE_ANNEALING_WARM_RESTARTS:
        if (o->T_0 <= 0) { cg_set_value_error("Expected positive integer T_0, but got %d", o->T_0); return -1; }
        if (o->T_mult < 1) { cg_set_value_error("Expected integer T_mult >= 1, but got %d", o->T_mult); return -1; }
        return 0;
    case CG_CYCLIC_LR: {
        /* PyTorch has set the lrs to base_lr by the time it refuses; cgrad changes nothing */
        double up = o->step_size_up, down = o->step_size_down ? o->step_size_down : up;
        if (up + down == 0) return zero_division("float division by zero");
        bool known = o->mode == NULL || !strcmp(o->mode, "triangular") || !strcmp(o->mode, "triangular2") ||
                     !strcmp(o->mode, "exp_range");
        if (!known && !o->scale_fn) { cg_set_value_error("mode is invalid and scale_fn is None"); return -1; }
        if (o->cycle_momentum && opt->kind != CG_SGD && opt->kind != CG_RMSPROP) {
            cg_set_value_error("optimizer must support momentum with `cycle_momentum` option enabled");
            return -1;
        }
        return 0;
    }
    case CG_SEQUENTIAL_LR:
    case CG_CHAINED_SCHEDULER:
        cg_set_value_error("SequentialLR and ChainedScheduler are made by cg_lr_scheduler_sequential and _chained");
        return -1;
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

static bool has_closed_form(cg_lr_kind kind) {
    return kind == CG_STEP_LR || kind == CG_MULTISTEP_LR || kind == CG_EXPONENTIAL_LR || kind == CG_COSINE_ANNEALING_LR ||
           kind == CG_LINEAR_LR || kind == CG_CONSTANT_LR || kind == CG_POLYNOMIAL_LR;
}

/* One step: last_epoch + 1 (to_zero: PyTorch's step(0), to epoch 0 by the closed form where the
 * kind has one), then every group's lr (and OneCycleLR's or CyclicLR's momentum) from the schedule;
 * all are computed before any is set, so a failing step changes no lr. */
static int step_at(cg_lr_scheduler *s, bool to_zero) {
    if (s->kind == CG_COSINE_ANNEALING_WARM_RESTARTS) { /* its own step(), which counts no _step_count */
        if (to_zero || s->last_epoch < 0) {
            s->T_i = s->o.T_0;
            s->T_cur = 0;
        } else if (++s->T_cur >= s->T_i) {
            s->T_cur -= s->T_i;
            s->T_i *= s->o.T_mult;
        }
        s->last_epoch = to_zero || s->last_epoch < 0 ? 0 : s->last_epoch + 1;
    } else {
        s->step_count++;
        s->last_epoch = to_zero ? 0 : s->last_epoch + 1;
    }
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
        int rc = s->kind == CG_ONE_CYCLE_LR ? one_cycle(s, g, &lrs[g], &moms[g])
                 : s->kind == CG_CYCLIC_LR  ? cyclic(s, g, &lrs[g], &moms[g])
                                            : lr_of(s, g, o->lr, to_zero && has_closed_form(s->kind), &lrs[g]);
        if (rc < 0) return -1;
    }
    bool momentum = (s->kind == CG_ONE_CYCLE_LR || s->kind == CG_CYCLIC_LR) && s->o.cycle_momentum;
    for (int g = 0; g < s->ngroups; g++) {
        cg_optim_options *o = cg_optimizer_group_options(s->opt, g);
        o->lr = s->g[LAST_LR][g] = lrs[g];
        if (momentum) *momentum_of(s->opt->kind, o) = moms[g];
    }
    return 0;
}

/* A composite's step: SequentialLR's scheduler of the span the epoch is in, ChainedScheduler's all. */
static int step_composite(cg_lr_scheduler *s) {
    if (s->kind == CG_SEQUENTIAL_LR) {
        s->last_epoch++;
        int i = bisect_right(s->milestones, s->o.n_milestones, s->last_epoch);
        cg_lr_scheduler *child = s->children[i];
        if (step_at(child, i > 0 && s->milestones[i - 1] == s->last_epoch) < 0) return -1;
        memcpy(s->g[LAST_LR], child->g[LAST_LR], (size_t)s->ngroups * sizeof(double));
        return 0;
    }
    for (int i = 0; i < s->nchildren; i++)
        if (step_at(s->children[i], false) < 0) return -1;
    for (int g = 0; g < s->ngroups; g++) s->g[LAST_LR][g] = cg_optimizer_group_options(s->opt, g)->lr;
    return 0;
}

int cg_lr_scheduler_step(cg_lr_scheduler *s) {
    if (!s) return -1;
    if (s->kind == CG_REDUCE_LR_ON_PLATEAU) {
        cg_set_error_kind(CG_TYPE_ERROR, "ReduceLROnPlateau.step() needs the metric: call cg_lr_scheduler_step_metric");
        return -1;
    }
    return s->children ? step_composite(s) : step_at(s, false);
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

/* options' value of group g: values[g], or value for every group when values is NULL. */
static double per_group(const double *values, double value, int g) { return values ? values[g] : value; }

/* What the constructor sets in each group (OneCycleLR's and CyclicLR's starting lr and momentum). */
static void init_groups(cg_lr_scheduler *s, const cg_lr_options *options) {
    for (int g = 0; g < s->ngroups; g++) {
        param_group *group = &s->opt->groups[g];
        cg_optim_options *o = &group->o;
        if (s->kind == CG_CYCLIC_LR) { /* before the initial_lr: PyTorch sets them first */
            o->lr = per_group(options->base_lrs, options->base_lr, g);
            if (options->cycle_momentum) o->momentum = options->base_momentum;
        }
        s->g[LAST_LR][g] = o->lr;
        s->g[MIN_LR][g] = per_group(options->min_lrs, options->min_lr, g);
        s->g[MAX_LR][g] = per_group(options->max_lrs, options->max_lr, g);
        s->g[MAX_MOMENTUM][g] = options->max_momentum;
        s->g[BASE_MOMENTUM][g] = options->base_momentum;
        if (s->kind == CG_REDUCE_LR_ON_PLATEAU) continue;
        if (s->kind == CG_ONE_CYCLE_LR) {
            group->initial_lr = s->g[MAX_LR][g] / options->div_factor;
        } else if (!group->has_initial_lr) {
            group->initial_lr = o->lr; /* PyTorch's group.setdefault('initial_lr', group['lr']) */
        }
        group->has_initial_lr = true;
        s->g[BASE_LR][g] = group->initial_lr;
        if (s->kind != CG_ONE_CYCLE_LR) continue;
        s->g[INITIAL_LR][g] = group->initial_lr;
        s->g[MIN_LR][g] = s->g[INITIAL_LR][g] / options->final_div_factor;
        if (options->cycle_momentum) *momentum_of(s->opt->kind, o) = options->max_momentum;
    }
}

/* A scheduler's memory for opt's groups and n_milestones milestones, or NULL (out of memory). */
static cg_lr_scheduler *alloc_scheduler(cg_optimizer *opt, cg_lr_kind kind, int n_milestones) {
    cg_lr_scheduler *s = calloc(1, sizeof *s);
    int n = cg_optimizer_num_groups(opt);
    bool ok = s != NULL;
    for (int i = 0; ok && i < NGROUP_VALUES; i++) ok = (s->g[i] = calloc((size_t)n, sizeof(double))) != NULL;
    if (ok) ok = (s->milestones = calloc((size_t)n_milestones + 1, sizeof *s->milestones)) != NULL;
    if (!ok) {
        cg_lr_scheduler_free(s);
        cg_set_error("out of memory");
        return NULL;
    }
    s->opt = opt;
    s->kind = kind;
    s->ngroups = n;
    return s;
}

/* PyTorch's spelling of mode for kind (the caller's string need not outlive the call). */
static const char *mode_of(cg_lr_kind kind, const char *mode) {
    static const char *const cyclic_modes[] = {"triangular2", "exp_range"};
    if (kind != CG_CYCLIC_LR) return mode && !strcmp(mode, "max") ? "max" : "min";
    for (int i = 0; i < 2; i++)
        if (mode && !strcmp(mode, cyclic_modes[i])) return cyclic_modes[i];
    return "triangular";
}

cg_lr_scheduler *cg_lr_scheduler_new(cg_optimizer *opt, cg_lr_kind kind, cg_lr_options options) {
    if (!opt || check(opt, kind, &options) < 0) return NULL;
    cg_lr_scheduler *s = alloc_scheduler(opt, kind, options.n_milestones);
    if (!s) return NULL;
    if (options.n_milestones) memcpy(s->milestones, options.milestones, (size_t)options.n_milestones * sizeof *s->milestones);
    s->o = options;
    s->o.milestones = s->milestones;
    s->o.max_lrs = s->o.min_lrs = s->o.base_lrs = NULL; /* copied into s->g */
    s->o.mode = mode_of(kind, options.mode);
    s->o.threshold_mode = options.threshold_mode && !strcmp(options.threshold_mode, "abs") ? "abs" : "rel";
    s->o.anneal_strategy = options.anneal_strategy && !strcmp(options.anneal_strategy, "linear") ? "linear" : "cos";
    s->o.scale_mode = options.scale_mode && strcmp(options.scale_mode, "cycle") ? "iterations" : "cycle";
    init_groups(s, &options);
    if (kind == CG_REDUCE_LR_ON_PLATEAU) {
        s->best = !strcmp(s->o.mode, "max") ? -INFINITY : INFINITY;
        return s; /* last_epoch 0, no first step */
    }
    s->last_epoch = s->T_cur = -1;
    if (cg_lr_scheduler_step(s) < 0) { /* PyTorch's constructor takes the first step (epoch 0) */
        cg_lr_scheduler_free(s);
        return NULL;
    }
    /* CyclicLR's first step ran from the groups' initial_lr; its base lrs are base_lr after it */
    for (int g = 0; kind == CG_CYCLIC_LR && g < s->ngroups; g++) s->g[BASE_LR][g] = per_group(options.base_lrs, options.base_lr, g);
    return s;
}

/* A composite's checks, in PyTorch's order (opt NULL: ChainedScheduler's, against schedulers[0]'s). */
static int check_composite(const cg_optimizer *opt, cg_lr_scheduler *const *schedulers, int n, int n_milestones) {
    for (int i = 0; i < n; i++) {
        if (!schedulers || !schedulers[i]) {
            cg_set_value_error("schedulers[%d] is NULL", i);
            return -1;
        }
        if (schedulers[i]->kind == CG_REDUCE_LR_ON_PLATEAU || schedulers[i]->children) {
            cg_set_type_error("SequentialLR and ChainedScheduler take no ReduceLROnPlateau nor a composite");
            return -1;
        }
        if (opt && schedulers[i]->opt != opt) {
            cg_set_value_error("Sequential Schedulers expects all schedulers to belong to the same optimizer, but got "
                               "schedulers at index %d to be different than the optimizer passed in.", i);
            return -1;
        }
        if (!opt && schedulers[i]->opt != schedulers[0]->opt) {
            cg_set_value_error("ChainedScheduler expects all schedulers to belong to the same optimizer, but got "
                               "schedulers at index 0 and %d to be different", i);
            return -1;
        }
    }
    if (opt && n_milestones != n - 1) {
        cg_set_value_error("Sequential Schedulers expects number of schedulers provided to be one more than the number "
                           "of milestone points, but got number of schedulers %d and the number of milestones to be "
                           "equal to %d", n, n_milestones);
        return -1;
    }
    if (n < 1) {
        cg_set_index_error("list index out of range"); /* schedulers[0] */
        return -1;
    }
    return 0;
}

static cg_lr_scheduler *new_composite(cg_optimizer *opt, cg_lr_kind kind, cg_lr_scheduler *const *schedulers, int n,
                                      const int *milestones, int n_milestones) {
    cg_lr_scheduler *s = alloc_scheduler(opt, kind, n_milestones);
    if (s && !(s->children = malloc((size_t)n * sizeof *s->children))) {
        cg_lr_scheduler_free(s);
        cg_set_error("out of memory");
        return NULL;
    }
    if (!s) return NULL;
    memcpy(s->children, schedulers, (size_t)n * sizeof *s->children);
    s->nchildren = n;
    if (n_milestones) memcpy(s->milestones, milestones, (size_t)n_milestones * sizeof *milestones);
    s->o.n_milestones = n_milestones;
    return s;
}

cg_lr_scheduler *cg_lr_scheduler_sequential(cg_optimizer *opt, cg_lr_scheduler *const *schedulers, int n,
                                            const int *milestones, int n_milestones) {
    if (!opt || check_composite(opt, schedulers, n, n_milestones) < 0) return NULL;
    if (n_milestones && !milestones) {
        cg_set_value_error("milestones is NULL");
        return NULL;
    }
    cg_lr_scheduler *s = new_composite(opt, CG_SEQUENTIAL_LR, schedulers, n, milestones, n_milestones);
    if (!s) return NULL;
    for (int g = 0; g < s->ngroups; g++) opt->groups[g].o.lr = opt->groups[g].initial_lr;
    for (int i = 0; i < n; i++) schedulers[i]->last_epoch--; /* PyTorch's "undo" of their first steps */
    cg_lr_scheduler *first = schedulers[0];
    first->step_count = 0; /* _initial_step() */
    if (step_at(first, false) < 0) {
        cg_lr_scheduler_free(s);
        return NULL;
    }
    memcpy(s->g[LAST_LR], first->g[LAST_LR], (size_t)s->ngroups * sizeof(double));
    return s;
}

cg_lr_scheduler *cg_lr_scheduler_chained(cg_lr_scheduler *const *schedulers, int n) {
    if (check_composite(NULL, schedulers, n, 0) < 0) return NULL;
    cg_lr_scheduler *s = new_composite(schedulers[0]->opt, CG_CHAINED_SCHEDULER, schedulers, n, NULL, 0);
    for (int g = 0; s && g < s->ngroups; g++) s->g[LAST_LR][g] = cg_optimizer_group_options(s->opt, g)->lr;
    if (s) s->last_epoch = -1;
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
    free(s->children);
    free(s);
}

/* ---- state_dict ---- */

/* The per-group values kind saves: bit i for s->g[i]. */
static unsigned saved_groups(cg_lr_kind kind) {
    if (kind == CG_REDUCE_LR_ON_PLATEAU || kind == CG_SEQUENTIAL_LR || kind == CG_CHAINED_SCHEDULER) return 1u << LAST_LR;
    if (kind == CG_ONE_CYCLE_LR) return (1u << NGROUP_VALUES) - 1;
    return 1u << BASE_LR | 1u << LAST_LR;
}

/* A number the kind saves under PyTorch's name: one of i, l, d points at it. */
typedef struct {
    const char *name;
    int *i;
    int64_t *l;
    double *d;
} counter;

/* s's saved numbers into out (at most 5): how many. */
static int counters_of(cg_lr_scheduler *s, counter *out) {
    int n = 0;
    if (s->kind != CG_CHAINED_SCHEDULER) out[n++] = (counter){"last_epoch", .i = &s->last_epoch};
    if (s->kind == CG_REDUCE_LR_ON_PLATEAU) {
        out[n++] = (counter){"best", .d = &s->best};
        out[n++] = (counter){"num_bad_epochs", .i = &s->num_bad_epochs};
        out[n++] = (counter){"cooldown_counter", .i = &s->cooldown_counter};
    } else if (!s->children) {
        out[n++] = (counter){"_step_count", .i = &s->step_count};
    }
    if (s->kind == CG_COSINE_ANNEALING_WARM_RESTARTS) {
        out[n++] = (counter){"T_i", .l = &s->T_i};
        out[n++] = (counter){"T_cur", .l = &s->T_cur};
    }
    return n;
}

/* child's state dict appended to out with the prefix "_schedulers.<i>.". */
static int append_child(cg_named_tensors *out, const cg_lr_scheduler *child, int i) {
    cg_named_tensors sd;
    if (cg_lr_scheduler_state_dict(child, &sd) < 0) return -1;
    int rc = 0;
    for (int k = 0; k < sd.n && rc == 0; k++) {
        char name[256];
        snprintf(name, sizeof name, "_schedulers.%d.%s", i, sd.names[k]);
        rc = optim_append(out, name, sd.tensors[k]);
    }
    cg_named_tensors_free(&sd);
    return rc;
}

int cg_lr_scheduler_state_dict(const cg_lr_scheduler *s, cg_named_tensors *out) {
    if (!out) return -1;
    *out = (cg_named_tensors){0};
    if (!s) return -1;
    counter c[5];
    int n = counters_of((cg_lr_scheduler *)s, c), rc = 0; /* only read */
    cg_scope_begin();
    for (int i = 0; i < n; i++)
        rc |= optim_append(out, c[i].name, c[i].d ? cg_scalar(*c[i].d, CG_FLOAT64)
                                                 : cg_scalar(c[i].i ? (double)*c[i].i : (double)*c[i].l, CG_INT64));
    for (int i = 0; i < NGROUP_VALUES; i++)
        if (saved_groups(s->kind) >> i & 1)
            rc |= optim_append(out, GROUP_VALUE_NAMES[i], cg_from_data(s->g[i], CG_FLOAT64, 1, (int64_t[]){s->ngroups}));
    for (int i = 0; i < s->nchildren && rc == 0; i++) rc = append_child(out, s->children[i], i);
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

/* child i's entries of sd, their prefix "_schedulers.<i>." cut off, then its load_state_dict. */
static int load_child(cg_lr_scheduler *child, const cg_named_tensors *sd, int i) {
    char prefix[32];
    size_t len = (size_t)snprintf(prefix, sizeof prefix, "_schedulers.%d.", i);
    cg_named_tensors sub = {calloc((size_t)sd->n + 1, sizeof(char *)), calloc((size_t)sd->n + 1, sizeof(cg_tensor *)), 0};
    int rc = -1;
    if (sub.names && sub.tensors) {
        for (int k = 0; k < sd->n; k++)
            if (!strncmp(sd->names[k], prefix, len)) {
                sub.names[sub.n] = sd->names[k] + len;
                sub.tensors[sub.n++] = sd->tensors[k];
            }
        rc = cg_lr_scheduler_load_state_dict(child, &sub);
    } else {
        cg_set_error("out of memory");
    }
    free(sub.names); /* borrowed entries */
    free(sub.tensors);
    return rc;
}

static int load_own(cg_lr_scheduler *s, const cg_named_tensors *state_dict) {
    counter c[5];
    int n = counters_of(s, c), rc = 0;
    const double *v[5] = {0}, *groups[NGROUP_VALUES] = {0};
    cg_scope_begin();
    for (int i = 0; i < n && rc == 0; i++) {
        if (!(v[i] = entry(state_dict, c[i].name, 0))) rc = -1;
        else if (!c[i].d && !(fabs(*v[i]) < (c[i].i ? 1 << 30 : 0x1p53) && *v[i] == floor(*v[i]))) {
            cg_set_value_error("scheduler state dict: %s is not a small integer", c[i].name);
            rc = -1;
        }
    }
    for (int i = 0; i < NGROUP_VALUES && rc == 0; i++)
        if (saved_groups(s->kind) >> i & 1 && !(groups[i] = entry(state_dict, GROUP_VALUE_NAMES[i], s->ngroups))) rc = -1;
    if (rc == 0) {
        for (int i = 0; i < n; i++) {
            if (c[i].d) *c[i].d = *v[i];
            else if (c[i].i) *c[i].i = (int)*v[i];
            else *c[i].l = (int64_t)*v[i];
        }
        for (int i = 0; i < NGROUP_VALUES; i++)
            if (groups[i]) memcpy(s->g[i], groups[i], (size_t)s->ngroups * sizeof(double));
    }
    cg_scope_end();
    return rc;
}

/* A composite's load: its own numbers, then each scheduler's; if one fails, what was loaded before
 * it is put back from a copy of the state before the call. */
static int load_composite(cg_lr_scheduler *s, const cg_named_tensors *state_dict) {
    cg_named_tensors before;
    if (cg_lr_scheduler_state_dict(s, &before) < 0) return -1;
    int rc = load_own(s, state_dict);
    for (int i = 0; i < s->nchildren && rc == 0; i++) rc = load_child(s->children[i], state_dict, i);
    if (rc < 0) {
        load_own(s, &before);
        for (int i = 0; i < s->nchildren; i++) load_child(s->children[i], &before, i);
    }
    cg_named_tensors_free(&before);
    return rc;
}

int cg_lr_scheduler_load_state_dict(cg_lr_scheduler *s, const cg_named_tensors *state_dict) {
    if (!s || !state_dict) return -1;
    return s->children ? load_composite(s, state_dict) : load_own(s, state_dict);
}
