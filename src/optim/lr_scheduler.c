/* torch.optim.lr_scheduler in PyTorch 1.13: each schedule's get_lr() (the recursive, chainable
 * form where PyTorch uses it, so the doubles are PyTorch's), applied to every param group. */
#include "cgrad.h"
#include "core/tensor.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const double PI = 3.14159265358979323846; /* Python's math.pi */

struct cg_lr_scheduler {
    cg_optimizer *opt;
    cg_lr_kind kind;
    cg_lr_options o;
    int *milestones;
    int last_epoch;
    int ngroups;
    double *base_lrs, *last_lrs;
};

cg_lr_options cg_lr_defaults(cg_lr_kind kind) {
    cg_lr_options o = {.gamma = 0.1};
    if (kind == CG_LINEAR_LR) o = (cg_lr_options){.start_factor = 1.0 / 3, .end_factor = 1.0, .total_iters = 5};
    return o;
}

static int floor_mod(int a, int b) { return ((a % b) + b) % b; }

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
        double t_max = o->T_max, base = s->base_lrs[g];
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
    case CG_LAMBDA_LR: return s->base_lrs[g] * o->lr_lambda(e, o->user);
    }
    return lr;
}

static int check(cg_lr_kind kind, const cg_lr_options *o) {
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
    case CG_LAMBDA_LR: if (!o->lr_lambda) { cg_set_value_error("LambdaLR needs lr_lambda"); return -1; } return 0;
    }
    cg_set_value_error("unknown lr scheduler kind %d", (int)kind);
    return -1;
}

/* One step: last_epoch + 1, then every group's lr from the schedule. */
int cg_lr_scheduler_step(cg_lr_scheduler *s) {
    if (!s) return -1;
    s->last_epoch++;
    for (int g = 0; g < s->ngroups; g++) {
        cg_optim_options *o = cg_optimizer_group_options(s->opt, g);
        if (!o) return -1;
        o->lr = s->last_lrs[g] = lr_of(s, g, o->lr);
    }
    return 0;
}

cg_lr_scheduler *cg_lr_scheduler_new(cg_optimizer *opt, cg_lr_kind kind, cg_lr_options options) {
    if (!opt || check(kind, &options) < 0) return NULL;
    cg_lr_scheduler *s = calloc(1, sizeof *s);
    int n = cg_optimizer_num_groups(opt);
    if (s) {
        s->base_lrs = calloc((size_t)n, sizeof *s->base_lrs);
        s->last_lrs = calloc((size_t)n, sizeof *s->last_lrs);
        s->milestones = calloc((size_t)options.n_milestones + 1, sizeof *s->milestones);
    }
    if (!s || !s->base_lrs || !s->last_lrs || !s->milestones) {
        cg_lr_scheduler_free(s);
        cg_set_error("out of memory");
        return NULL;
    }
    if (options.n_milestones) memcpy(s->milestones, options.milestones, (size_t)options.n_milestones * sizeof *s->milestones);
    s->opt = opt;
    s->kind = kind;
    s->o = options;
    s->o.milestones = s->milestones;
    s->ngroups = n;
    s->last_epoch = -1;
    for (int g = 0; g < n; g++) s->base_lrs[g] = cg_optimizer_group_options(opt, g)->lr;
    cg_lr_scheduler_step(s); /* PyTorch's constructor takes the first step (epoch 0) */
    return s;
}

double cg_lr_scheduler_last_lr(const cg_lr_scheduler *s, int group) {
    if (!s || group < 0 || group >= s->ngroups) {
        cg_set_index_error("param group %d out of range", group);
        return NAN;
    }
    return s->last_lrs[group];
}

int cg_lr_scheduler_last_epoch(const cg_lr_scheduler *s) { return s ? s->last_epoch : -1; }

void cg_lr_scheduler_free(cg_lr_scheduler *s) {
    if (!s) return;
    free(s->base_lrs);
    free(s->last_lrs);
    free(s->milestones);
    free(s);
}
