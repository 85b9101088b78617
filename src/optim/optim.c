/* Optimizers: PyTorch 1.13's single-tensor (for-loop) CPU updates, op for op, because each op
 * rounds to float32 on its own; the scalar arithmetic (bias corrections, step sizes) is done in
 * double as Python does it, then handed to the op as a Python float. Adam and AdamW run those ops
 * as one backend pass over each parameter (backend/cpu/optim.h), with the same roundings. */
#include "cgrad.h"
#include "backend/backend.h"
#include "core/tensor.h"
#include "optim/optim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

cg_optim_options cg_optim_defaults(cg_optim_kind kind) {
    cg_optim_options o = {.lr = 1e-3, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8, .alpha = 0.99};
    switch (kind) {
    case CG_SGD: o.lr = 0; break; /* PyTorch's lr is required */
    case CG_ADAMW: o.weight_decay = 1e-2; break;
    case CG_RMSPROP: o.lr = 1e-2; break;
    case CG_ADAGRAD: o.lr = 1e-2; o.eps = 1e-10; break;
    case CG_ADADELTA: o.lr = 1.0; o.rho = 0.9; o.eps = 1e-6; break;
    case CG_ADAMAX: o.lr = 2e-3; break;
    case CG_NADAM: o.lr = 2e-3; o.momentum_decay = 4e-3; break;
    default: break;
    }
    return o;
}

const char *optim_py_float(double v, char *buf, size_t size) {
    if (isnan(v)) return "nan";
    if (isinf(v)) return v > 0 ? "inf" : "-inf";
    for (int p = 1; p <= 17; p++) {
        snprintf(buf, size, "%.*g", p, v);
        if (strtod(buf, NULL) == v) break;
    }
    if (!strpbrk(buf, ".e")) strncat(buf, ".0", size - strlen(buf) - 1);
    return buf;
}

static int invalid(const char *what, double v) {
    char b[40];
    cg_set_value_error("Invalid %s: %s", what, optim_py_float(v, b, sizeof b));
    return -1;
}

/* A flag that kind's 1.13 constructor has no keyword for, set: Python's TypeError. */
static int unexpected_flag(cg_optim_kind kind, const cg_optim_options *o) {
    static const char *const names[] = {"SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam", "RAdam"};
    const char *flag = o->nesterov && kind != CG_SGD                            ? "nesterov"
                       : o->amsgrad && kind != CG_ADAM && kind != CG_ADAMW      ? "amsgrad"
                       : o->centered && kind != CG_RMSPROP                      ? "centered"
                       : o->maximize && (kind == CG_NADAM || kind == CG_RADAM) ? "maximize"
                                                                                : NULL;
    if (!flag) return 0;
    cg_set_type_error("%s.__init__() got an unexpected keyword argument '%s'", names[kind], flag);
    return -1;
}

/* PyTorch's constructor checks, in its order, for each kind. */
int optim_check_options(cg_optim_kind kind, const cg_optim_options *o) {
    if ((int)kind < CG_SGD || (int)kind > CG_RADAM) {
        cg_set_value_error("unknown optimizer kind %d", (int)kind);
        return -1;
    }
    if (unexpected_flag(kind, o) < 0) return -1;
    if (!(o->lr >= 0.0)) return invalid("learning rate", o->lr);
    switch (kind) {
    case CG_SGD:
        if (!(o->momentum >= 0.0)) return invalid("momentum value", o->momentum);
        if (!(o->weight_decay >= 0.0)) return invalid("weight_decay value", o->weight_decay);
        if (o->nesterov && (o->momentum <= 0 || o->dampening != 0)) {
            cg_set_value_error("Nesterov momentum requires a momentum and zero dampening");
            return -1;
        }
        return 0;
    case CG_RMSPROP:
        if (!(o->eps >= 0.0)) return invalid("epsilon value", o->eps);
        if (!(o->momentum >= 0.0)) return invalid("momentum value", o->momentum);
        if (!(o->weight_decay >= 0.0)) return invalid("weight_decay value", o->weight_decay);
        if (!(o->alpha >= 0.0)) return invalid("alpha value", o->alpha);
        return 0;
    case CG_ADAGRAD:
        if (!(o->lr_decay >= 0.0)) return invalid("lr_decay value", o->lr_decay);
        if (!(o->weight_decay >= 0.0)) return invalid("weight_decay value", o->weight_decay);
        if (!(o->initial_accumulator_value >= 0.0)) return invalid("initial_accumulator_value value", o->initial_accumulator_value);
        if (!(o->eps >= 0.0)) return invalid("epsilon value", o->eps);
        return 0;
    case CG_ADADELTA:
        if (!(o->rho >= 0.0 && o->rho <= 1.0)) return invalid("rho value", o->rho);
        if (!(o->eps >= 0.0)) return invalid("epsilon value", o->eps);
        if (!(o->weight_decay >= 0.0)) return invalid("weight_decay value", o->weight_decay);
        return 0;
    default: /* the Adam family */
        if (!(o->eps >= 0.0)) return invalid("epsilon value", o->eps);
        if (!(o->beta1 >= 0.0 && o->beta1 < 1.0)) return invalid("beta parameter at index 0", o->beta1);
        if (!(o->beta2 >= 0.0 && o->beta2 < 1.0)) return invalid("beta parameter at index 1", o->beta2);
        if (!(o->weight_decay >= 0.0)) return invalid("weight_decay value", o->weight_decay);
        if (kind == CG_NADAM && !(o->momentum_decay >= 0.0)) return invalid("momentum_decay value", o->momentum_decay);
        return 0;
    }
}

cg_optimizer *cg_optimizer_new(cg_optim_kind kind, cg_tensor_list params, cg_optim_options options) {
    if (optim_check_options(kind, &options) < 0) return NULL;
    cg_optimizer *opt = calloc(1, sizeof *opt);
    if (!opt) {
        cg_set_error("out of memory");
        return NULL;
    }
    opt->kind = kind;
    if (cg_optimizer_add_param_group(opt, params, options) < 0) {
        cg_optimizer_free(opt);
        return NULL;
    }
    return opt;
}

static cg_tensor *state(param_slot *s, int k, double fill);

int cg_optimizer_add_param_group(cg_optimizer *opt, cg_tensor_list params, cg_optim_options options) {
    if (!opt) return -1;
    if (optim_check_options(opt->kind, &options) < 0) return -1;
    if (params.n <= 0 || !params.items) {
        cg_set_value_error("optimizer got an empty parameter list");
        return -1;
    }
    for (int i = 0; i < params.n; i++) {
        cg_tensor *p = params.items[i];
        if (!p) return -1;
        if (!cg_is_leaf(p)) {
            cg_set_value_error("can't optimize a non-leaf Tensor");
            return -1;
        }
        for (int g = 0; g < opt->ngroups; g++)
            for (int j = 0; j < opt->groups[g].n; j++)
                if (opt->groups[g].slots[j].param == p) {
                    cg_set_value_error("some parameters appear in more than one parameter group");
                    return -1;
                }
        for (int j = 0; j < i; j++)
            if (params.items[j] == p) {
                cg_set_value_error("some parameters appear in more than one parameter group");
                return -1;
            }
    }
    param_group *groups = realloc(opt->groups, (size_t)(opt->ngroups + 1) * sizeof *groups);
    param_slot *slots = calloc((size_t)params.n, sizeof *slots);
    if (groups) opt->groups = groups;
    if (!groups || !slots) {
        free(slots);
        cg_set_error("out of memory");
        return -1;
    }
    for (int i = 0; i < params.n; i++) {
        slots[i].param = cg_retain(params.items[i]);
        slots[i].mu_product = 1.0f;
    }
    opt->groups[opt->ngroups++] = (param_group){.o = options, .n = params.n, .slots = slots};
    if (opt->kind != CG_ADAGRAD) return 0;
    /* Adagrad's constructor fills every sum at once: it is in the state_dict before any step. */
    int rc = 0;
    cg_scope_begin();
    for (int i = 0; i < params.n && rc == 0; i++)
        if (!state(&slots[i], 0, options.initial_accumulator_value)) rc = -1;
    cg_scope_end();
    return rc;
}

void cg_optimizer_free(cg_optimizer *opt) {
    if (!opt) return;
    for (int g = 0; g < opt->ngroups; g++) {
        for (int i = 0; i < opt->groups[g].n; i++) {
            param_slot *s = &opt->groups[g].slots[i];
            for (int k = 0; k < MAX_STATE; k++)
                if (s->state[k]) cg_release(s->state[k]);
            cg_release(s->param);
        }
        free(opt->groups[g].slots);
    }
    free(opt->groups);
    free(opt);
}

int cg_optimizer_num_groups(const cg_optimizer *opt) { return opt ? opt->ngroups : 0; }

cg_optim_options *cg_optimizer_group_options(cg_optimizer *opt, int group) {
    if (!opt || group < 0 || group >= opt->ngroups) {
        cg_set_index_error("param group %d out of range", group);
        return NULL;
    }
    return &opt->groups[group].o;
}

int cg_optimizer_zero_grad(cg_optimizer *opt, bool set_to_none) {
    if (!opt) return -1;
    for (int g = 0; g < opt->ngroups; g++)
        for (int i = 0; i < opt->groups[g].n; i++) {
            cg_tensor *p = opt->groups[g].slots[i].param;
            if (set_to_none) {
                if (cg_set_grad(p, NULL) < 0) return -1;
            } else if (cg_zero_grad((cg_tensor_list){&p, 1}) < 0) {
                return -1;
            }
        }
    return 0;
}

/* A state tensor, made on first use (zeros, or `fill` for Adagrad's sum), owned by the slot. */
static cg_tensor *state(param_slot *s, int k, double fill) {
    if (!s->state[k]) {
        cg_tensor *t = cg_full_like_number(s->param, cg_number_float(fill));
        if (!t) return NULL;
        s->state[k] = cg_retain(t);
    }
    return s->state[k];
}

#define F(x) cg_number_float(x)
#define OK(call) do { if ((call) < 0) return -1; } while (0)

static int sgd_step(const cg_optim_options *o, param_slot *s, cg_tensor *p, cg_tensor *d_p) {
    if (o->weight_decay != 0) d_p = cg_add_alpha_number(d_p, p, F(o->weight_decay));
    if (o->momentum != 0) {
        cg_tensor *buf = s->state[0];
        if (!buf) {
            cg_tensor *c = cg_detach(cg_clone(d_p));
            if (!c) return -1;
            buf = s->state[0] = cg_retain(c);
        } else {
            OK(cg_mul_number_(buf, F(o->momentum)));
            OK(cg_add_alpha_number_(buf, d_p, F(1 - o->dampening)));
        }
        d_p = o->nesterov ? cg_add_alpha_number(d_p, buf, F(o->momentum)) : buf;
    }
    return cg_add_alpha_number_(p, d_p, F(-o->lr));
}

/* Whether one backend pass can do an Adam step: every operand a contiguous float tensor of the
 * parameter's dtype and size, the gradient on a storage of its own (the parameter's ops would
 * change it otherwise). Anything else takes PyTorch's ops one by one, with their checks. */
static bool adam_fusable(cg_tensor *p, cg_tensor *grad, cg_tensor *const *states, int n) {
    if (!cg_is_floating_inline(p->dtype) || grad->dtype != p->dtype || grad->numel != p->numel ||
        grad->storage == p->storage || grad->storage->backend != p->storage->backend ||
        !cg_is_contiguous_inline(p) || !cg_is_contiguous_inline(grad))
        return false;
    for (int k = 0; k < n; k++)
        if (states[k]->dtype != p->dtype || states[k]->numel != p->numel || !cg_is_contiguous_inline(states[k]))
            return false;
    return true;
}

/* Adam and AdamW: state 0 exp_avg, 1 exp_avg_sq, 2 max_exp_avg_sq. */
static int adam_step(const cg_optim_options *o, bool decoupled, param_slot *s, cg_tensor *p, cg_tensor *grad) {
    cg_tensor *exp_avg = state(s, 0, 0), *exp_avg_sq = state(s, 1, 0);
    cg_tensor *max_sq = o->amsgrad ? state(s, 2, 0) : NULL;
    if (!exp_avg || !exp_avg_sq || (o->amsgrad && !max_sq)) return -1;
    s->step += 1;
    double bias_correction1 = 1 - pow(o->beta1, s->step), bias_correction2 = 1 - pow(o->beta2, s->step);
    double step_size = o->lr / bias_correction1;
    if (adam_fusable(p, grad, (cg_tensor *[]){exp_avg, exp_avg_sq, max_sq}, max_sq ? 3 : 2)) {
        cg_adam_numbers a = {1 - o->lr * o->weight_decay, o->weight_decay, o->beta1, 1 - o->beta1, o->beta2,
                             1 - o->beta2, sqrt(bias_correction2), o->eps, -step_size, decoupled, o->maximize};
        CG_KERNEL(p, adam_step)(&a, p, grad, exp_avg, exp_avg_sq, max_sq);
        /* the versions PyTorch's in-place ops leave */
        p->storage->version += decoupled ? 2 : 1;
        exp_avg->storage->version += 2;
        exp_avg_sq->storage->version += 2;
        if (max_sq) cg_bump_version(max_sq);
        return 0;
    }
    if (o->maximize && !(grad = cg_neg(grad))) return -1;
    if (decoupled)
        OK(cg_mul_number_(p, F(1 - o->lr * o->weight_decay)));
    else if (o->weight_decay != 0)
        grad = cg_add_alpha_number(grad, p, F(o->weight_decay));
    OK(cg_mul_number_(exp_avg, F(o->beta1)));
    OK(cg_add_alpha_number_(exp_avg, grad, F(1 - o->beta1)));
    OK(cg_mul_number_(exp_avg_sq, F(o->beta2)));
    OK(cg_addcmul_number_(exp_avg_sq, grad, grad, F(1 - o->beta2)));
    cg_tensor *sq = exp_avg_sq;
    if (max_sq) {
        cg_tensor *m = cg_maximum(max_sq, exp_avg_sq);
        OK(cg_copy_(max_sq, m));
        sq = max_sq;
    }
    cg_tensor *denom = cg_div_number(cg_sqrt(sq), F(sqrt(bias_correction2)));
    OK(cg_add_number_(denom, F(o->eps)));
    return cg_addcdiv_number_(p, exp_avg, denom, F(-step_size));
}

/* state 0 square_avg, 1 momentum_buffer, 2 grad_avg. */
static int rmsprop_step(const cg_optim_options *o, param_slot *s, cg_tensor *p, cg_tensor *grad) {
    cg_tensor *square_avg = state(s, 0, 0);
    if (!square_avg) return -1;
    s->step += 1;
    if (o->weight_decay != 0) grad = cg_add_alpha_number(grad, p, F(o->weight_decay));
    OK(cg_mul_number_(square_avg, F(o->alpha)));
    OK(cg_addcmul_number_(square_avg, grad, grad, F(1 - o->alpha)));
    cg_tensor *avg;
    if (o->centered) {
        cg_tensor *grad_avg = state(s, 2, 0);
        if (!grad_avg) return -1;
        OK(cg_mul_number_(grad_avg, F(o->alpha)));
        OK(cg_add_alpha_number_(grad_avg, grad, F(1 - o->alpha)));
        avg = cg_addcmul_number(square_avg, grad_avg, grad_avg, F(-1));
        OK(cg_sqrt_(avg));
    } else {
        avg = cg_sqrt(square_avg);
    }
    OK(cg_add_number_(avg, F(o->eps)));
    if (o->momentum > 0) {
        cg_tensor *buf = state(s, 1, 0);
        if (!buf) return -1;
        OK(cg_mul_number_(buf, F(o->momentum)));
        OK(cg_addcdiv_number_(buf, grad, avg, F(1)));
        return cg_add_alpha_number_(p, buf, F(-o->lr));
    }
    return cg_addcdiv_number_(p, grad, avg, F(-o->lr));
}

/* state 0 sum (starts at initial_accumulator_value). */
static int adagrad_step(const cg_optim_options *o, param_slot *s, cg_tensor *p, cg_tensor *grad) {
    cg_tensor *sum = state(s, 0, o->initial_accumulator_value);
    if (!sum) return -1;
    s->step += 1;
    if (o->weight_decay != 0) grad = cg_add_alpha_number(grad, p, F(o->weight_decay));
    double clr = o->lr / (1 + (s->step - 1) * o->lr_decay);
    OK(cg_addcmul_number_(sum, grad, grad, cg_number_int(1)));
    cg_tensor *std = cg_sqrt(sum);
    OK(cg_add_number_(std, F(o->eps)));
    return cg_addcdiv_number_(p, grad, std, F(-clr));
}

/* state 0 square_avg, 1 acc_delta. */
static int adadelta_step(const cg_optim_options *o, param_slot *s, cg_tensor *p, cg_tensor *grad) {
    cg_tensor *square_avg = state(s, 0, 0), *acc_delta = state(s, 1, 0);
    if (!square_avg || !acc_delta) return -1;
    s->step += 1;
    if (o->weight_decay != 0) grad = cg_add_alpha_number(grad, p, F(o->weight_decay));
    OK(cg_mul_number_(square_avg, F(o->rho)));
    OK(cg_addcmul_number_(square_avg, grad, grad, F(1 - o->rho)));
    cg_tensor *std = cg_add_number(square_avg, F(o->eps));
    OK(cg_sqrt_(std));
    cg_tensor *delta = cg_add_number(acc_delta, F(o->eps));
    OK(cg_sqrt_(delta));
    OK(cg_div_(delta, std));
    OK(cg_mul_(delta, grad));
    OK(cg_mul_number_(acc_delta, F(o->rho)));
    OK(cg_addcmul_number_(acc_delta, delta, delta, F(1 - o->rho)));
    return cg_add_alpha_number_(p, delta, F(-o->lr));
}

/* state 0 exp_avg, 1 exp_inf. */
static int adamax_step(const cg_optim_options *o, param_slot *s, cg_tensor *p, cg_tensor *grad) {
    cg_tensor *exp_avg = state(s, 0, 0), *exp_inf = state(s, 1, 0);
    if (!exp_avg || !exp_inf) return -1;
    s->step += 1;
    if (o->weight_decay != 0) grad = cg_add_alpha_number(grad, p, F(o->weight_decay));
    OK(cg_mul_number_(exp_avg, F(o->beta1)));
    OK(cg_add_alpha_number_(exp_avg, grad, F(1 - o->beta1)));
    OK(cg_mul_number_(exp_inf, F(o->beta2)));
    cg_tensor *g = cg_abs(grad);
    OK(cg_add_number_(g, F(o->eps)));
    OK(cg_copy_(exp_inf, cg_maximum(exp_inf, g))); /* PyTorch's amax of the two, stacked */
    double clr = o->lr / (1 - pow(o->beta1, s->step));
    return cg_addcdiv_number_(p, exp_avg, exp_inf, F(-clr));
}

/* state 0 exp_avg, 1 exp_avg_sq; mu_product is float32 as PyTorch's tensor. */
static int nadam_step(const cg_optim_options *o, param_slot *s, cg_tensor *p, cg_tensor *grad) {
    cg_tensor *exp_avg = state(s, 0, 0), *exp_avg_sq = state(s, 1, 0);
    if (!exp_avg || !exp_avg_sq) return -1;
    s->step += 1;
    double step = s->step, bias_correction2 = 1 - pow(o->beta2, step);
    if (o->weight_decay != 0) grad = cg_add_alpha_number(grad, p, F(o->weight_decay));
    double mu = o->beta1 * (1. - 0.5 * pow(0.96, step * o->momentum_decay));
    double mu_next = o->beta1 * (1. - 0.5 * pow(0.96, (step + 1) * o->momentum_decay));
    s->mu_product = s->mu_product * (float)mu;
    float mu_product_next = (s->mu_product * (float)mu) * (float)mu_next;
    OK(cg_mul_number_(exp_avg, F(o->beta1)));
    OK(cg_add_alpha_number_(exp_avg, grad, F(1 - o->beta1)));
    OK(cg_mul_number_(exp_avg_sq, F(o->beta2)));
    OK(cg_addcmul_number_(exp_avg_sq, grad, grad, F(1 - o->beta2)));
    cg_tensor *denom = cg_sqrt(cg_div_number(exp_avg_sq, F(bias_correction2)));
    OK(cg_add_number_(denom, F(o->eps)));
    OK(cg_addcdiv_number_(p, grad, denom, F(-o->lr * (1. - mu) / (1. - (double)s->mu_product))));
    return cg_addcdiv_number_(p, exp_avg, denom, F(-o->lr * mu_next / (1. - (double)mu_product_next)));
}

/* state 0 exp_avg, 1 exp_avg_sq. */
static int radam_step(const cg_optim_options *o, param_slot *s, cg_tensor *p, cg_tensor *grad) {
    cg_tensor *exp_avg = state(s, 0, 0), *exp_avg_sq = state(s, 1, 0);
    if (!exp_avg || !exp_avg_sq) return -1;
    s->step += 1;
    double step = s->step, bias_correction1 = 1 - pow(o->beta1, step), bias_correction2 = 1 - pow(o->beta2, step);
    if (o->weight_decay != 0) grad = cg_add_alpha_number(grad, p, F(o->weight_decay));
    OK(cg_mul_number_(exp_avg, F(o->beta1)));
    OK(cg_add_alpha_number_(exp_avg, grad, F(1 - o->beta1)));
    OK(cg_mul_number_(exp_avg_sq, F(o->beta2)));
    OK(cg_addcmul_number_(exp_avg_sq, grad, grad, F(1 - o->beta2)));
    cg_tensor *corrected = cg_div_number(exp_avg, F(bias_correction1));
    double rho_inf = 2 / (1 - o->beta2) - 1;
    double rho_t = rho_inf - 2 * step * pow(o->beta2, step) / bias_correction2;
    cg_tensor *update;
    if (rho_t > 5.) {
        double rect = sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t));
        cg_tensor *adaptive = cg_sqrt(exp_avg_sq);
        OK(cg_add_number_(adaptive, F(o->eps)));
        adaptive = cg_rdiv_number(adaptive, F(sqrt(bias_correction2)));
        update = cg_mul_number(cg_mul(cg_mul_number(corrected, F(o->lr)), adaptive), F(rect));
    } else {
        update = cg_mul_number(corrected, F(o->lr));
    }
    return cg_add_alpha_number_(p, update, F(-1.0));
}

static int step_param(cg_optim_kind kind, const cg_optim_options *o, param_slot *s) {
    cg_tensor *p = s->param, *grad = cg_grad(p);
    if (!grad) return 0; /* PyTorch skips parameters without a gradient */
    bool adam = kind == CG_ADAM || kind == CG_ADAMW; /* Adam negates in its own pass */
    if (o->maximize && !adam && !(grad = cg_neg(grad))) return -1;
    switch (kind) {
    case CG_SGD: return sgd_step(o, s, p, grad);
    case CG_ADAM: return adam_step(o, false, s, p, grad);
    case CG_ADAMW: return adam_step(o, true, s, p, grad);
    case CG_RMSPROP: return rmsprop_step(o, s, p, grad);
    case CG_ADAGRAD: return adagrad_step(o, s, p, grad);
    case CG_ADADELTA: return adadelta_step(o, s, p, grad);
    case CG_ADAMAX: return adamax_step(o, s, p, grad);
    case CG_NADAM: return nadam_step(o, s, p, grad);
    case CG_RADAM: return radam_step(o, s, p, grad);
    }
    return -1;
}

int cg_optimizer_step(cg_optimizer *opt) {
    if (!opt) return -1;
    bool mode = cg_set_grad_enabled(false);
    int rc = 0;
    for (int g = 0; g < opt->ngroups && rc == 0; g++)
        for (int i = 0; i < opt->groups[g].n && rc == 0; i++) {
            cg_scope_begin();
            rc = step_param(opt->kind, &opt->groups[g].o, &opt->groups[g].slots[i]);
            cg_scope_end();
        }
    cg_set_grad_enabled(mode);
    return rc;
}
