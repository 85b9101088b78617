/* optimizer.state_dict() / load_state_dict() as named tensors, so that the safetensors writer can
 * save one: PyTorch's structure flattened into keys. "state.<i>.<name>" holds parameter i's state
 * (i counts the parameters through the groups in order, as PyTorch's indices do), and
 * "param_groups.<g>.params" the indices of group g (int64), "param_groups.<g>.<option>" its options
 * (0-dim float64, bool for flags, betas a float64 pair). */
#include "cgrad.h"
#include "core/tensor.h"
#include "optim/optim.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *name;
    size_t offset; /* of a double, a bool, or beta1 (then beta2 follows) */
    char type;     /* 'd' double, 'b' bool, 'B' betas */
} option_field;

#define D(f) {#f, offsetof(cg_optim_options, f), 'd'}
#define B(f) {#f, offsetof(cg_optim_options, f), 'b'}
#define BETAS {"betas", offsetof(cg_optim_options, beta1), 'B'}

/* Each kind's param_group keys in PyTorch 1.13's order (foreach, capturable, differentiable and
 * fused, which choose an implementation, are left out). */
static const option_field SGD_F[] = {D(lr), D(momentum), D(dampening), D(weight_decay), B(nesterov), B(maximize), {0}};
static const option_field ADAM_F[] = {D(lr), BETAS, D(eps), D(weight_decay), B(amsgrad), B(maximize), {0}};
static const option_field RMSPROP_F[] = {D(lr), D(momentum), D(alpha), D(eps), B(centered), D(weight_decay), B(maximize), {0}};
static const option_field ADAGRAD_F[] = {D(lr), D(lr_decay), D(eps), D(weight_decay), D(initial_accumulator_value), B(maximize), {0}};
static const option_field ADADELTA_F[] = {D(lr), D(rho), D(eps), D(weight_decay), B(maximize), {0}};
static const option_field ADAMAX_F[] = {D(lr), BETAS, D(eps), D(weight_decay), B(maximize), {0}};
static const option_field NADAM_F[] = {D(lr), BETAS, D(eps), D(weight_decay), D(momentum_decay), {0}};
static const option_field RADAM_F[] = {D(lr), BETAS, D(eps), D(weight_decay), {0}};

typedef struct {
    const option_field *fields;
    const char *state[MAX_STATE]; /* the names of param_slot.state[k] */
    char step;                    /* 'f' a float32 tensor, 'i' a Python int (int64), 0 none */
} kind_info;

static const kind_info KINDS[] = {
    [CG_SGD] = {SGD_F, {"momentum_buffer"}, 0},
    [CG_ADAM] = {ADAM_F, {"exp_avg", "exp_avg_sq", "max_exp_avg_sq"}, 'f'},
    [CG_ADAMW] = {ADAM_F, {"exp_avg", "exp_avg_sq", "max_exp_avg_sq"}, 'f'},
    [CG_RMSPROP] = {RMSPROP_F, {"square_avg", "momentum_buffer", "grad_avg"}, 'i'},
    [CG_ADAGRAD] = {ADAGRAD_F, {"sum"}, 'f'},
    [CG_ADADELTA] = {ADADELTA_F, {"square_avg", "acc_delta"}, 'i'},
    [CG_ADAMAX] = {ADAMAX_F, {"exp_avg", "exp_inf"}, 'f'},
    [CG_NADAM] = {NADAM_F, {"exp_avg", "exp_avg_sq"}, 'f'},
    [CG_RADAM] = {RADAM_F, {"exp_avg", "exp_avg_sq"}, 'f'},
};

int optim_append(cg_named_tensors *out, const char *name, cg_tensor *t) {
    if (!t) return -1;
    char **names = realloc(out->names, (size_t)(out->n + 1) * sizeof *names);
    if (names) out->names = names;
    cg_tensor **ts = names ? realloc(out->tensors, (size_t)(out->n + 1) * sizeof *ts) : NULL;
    if (ts) out->tensors = ts;
    char *copy = ts ? strdup(name) : NULL;
    if (!copy) {
        cg_set_error("out of memory");
        return -1;
    }
    out->names[out->n] = copy;
    out->tensors[out->n++] = cg_retain(t);
    return 0;
}

static bool has_state(const param_slot *s) { return s->state[0] || s->step > 0; }

static int append_state(cg_named_tensors *out, const kind_info *k, cg_optim_kind kind, int index, const param_slot *s) {
    char name[96];
    if (k->step) {
        snprintf(name, sizeof name, "state.%d.step", index);
        if (optim_append(out, name, cg_scalar(s->step, k->step == 'f' ? CG_FLOAT32 : CG_INT64)) < 0) return -1;
    }
    if (kind == CG_NADAM) {
        snprintf(name, sizeof name, "state.%d.mu_product", index);
        if (optim_append(out, name, cg_scalar(s->mu_product, CG_FLOAT32)) < 0) return -1;
    }
    for (int i = 0; i < MAX_STATE; i++) {
        if (!s->state[i]) continue;
        snprintf(name, sizeof name, "state.%d.%s", index, k->state[i]);
        if (optim_append(out, name, s->state[i]) < 0) return -1;
    }
    return 0;
}

static int append_group(cg_named_tensors *out, const kind_info *k, int g, const param_group *grp, int first) {
    char name[96];
    for (const option_field *f = k->fields; f->name; f++) {
        const char *base = (const char *)&grp->o + f->offset;
        cg_tensor *t;
        if (f->type == 'b') t = cg_scalar(*(const bool *)base, CG_BOOL);
        else if (f->type == 'd') t = cg_scalar(*(const double *)base, CG_FLOAT64);
        else t = cg_tensor_f64(((double[]){grp->o.beta1, grp->o.beta2}), 2);
        snprintf(name, sizeof name, "param_groups.%d.%s", g, f->name);
        if (optim_append(out, name, t) < 0) return -1;
    }
    if (grp->has_initial_lr) { /* a scheduler's, in the group as PyTorch keeps it */
        snprintf(name, sizeof name, "param_groups.%d.initial_lr", g);
        if (optim_append(out, name, cg_scalar(grp->initial_lr, CG_FLOAT64)) < 0) return -1;
    }
    int64_t *ids = malloc((size_t)grp->n * sizeof *ids);
    if (!ids) {
        cg_set_error("out of memory");
        return -1;
    }
    for (int i = 0; i < grp->n; i++) ids[i] = first + i;
    snprintf(name, sizeof name, "param_groups.%d.params", g);
    int rc = optim_append(out, name, cg_from_data(ids, CG_INT64, 1, (int64_t[]){grp->n}));
    free(ids);
    return rc;
}

int cg_optimizer_state_dict(const cg_optimizer *opt, cg_named_tensors *out) {
    if (!out) return -1;
    *out = (cg_named_tensors){0};
    if (!opt) return -1;
    const kind_info *k = &KINDS[opt->kind];
    int rc = 0;
    cg_scope_begin();
    for (int g = 0, index = 0; g < opt->ngroups && rc == 0; g++)
        for (int i = 0; i < opt->groups[g].n && rc == 0; i++, index++)
            if (has_state(&opt->groups[g].slots[i])) rc = append_state(out, k, opt->kind, index, &opt->groups[g].slots[i]);
    for (int g = 0, first = 0; g < opt->ngroups && rc == 0; first += opt->groups[g].n, g++)
        rc = append_group(out, k, g, &opt->groups[g], first);
    cg_scope_end();
    if (rc < 0) cg_named_tensors_free(out);
    return rc;
}

/* ---- loading: everything is checked and built first, then swapped in ---- */

/* "state.<i>.<rest>" or "param_groups.<i>.<rest>": i, or -1 when name is not of that form. */
static long key_index(const char *name, const char *prefix, const char **rest) {
    size_t n = strlen(prefix);
    if (strncmp(name, prefix, n) != 0 || name[n] < '0' || name[n] > '9') return -1;
    char *end;
    long i = strtol(name + n, &end, 10);
    if (*end != '.' || i > 1L << 30) return -1;
    *rest = end + 1;
    return i;
}

static cg_tensor *group_entry(const cg_named_tensors *sd, int g, const char *key) {
    char name[96];
    snprintf(name, sizeof name, "param_groups.%d.%s", g, key);
    return cg_named_tensors_get(sd, name);
}

static bool is_number(const cg_tensor *t, int64_t numel) {
    return t && cg_numel(t) == numel && (cg_dtype_is_floating(cg_get_dtype(t)) || cg_get_dtype(t) == CG_INT64 ||
                                         cg_get_dtype(t) == CG_BOOL);
}

/* The options of group g: o's, with every key the state dict has replaced; initial_lr as the
 * state dict has it or not (PyTorch's load replaces the whole group). */
static int load_options(const cg_named_tensors *sd, const kind_info *k, int g, param_group *grp) {
    cg_optim_options *o = &grp->o;
    cg_tensor *initial = group_entry(sd, g, "initial_lr");
    grp->has_initial_lr = initial != NULL;
    if (initial && !is_number(initial, 1)) {
        cg_set_value_error("loaded state dict: param_groups.%d.initial_lr is not a number", g);
        return -1;
    }
    if (initial) grp->initial_lr = cg_item(initial);
    for (const option_field *f = k->fields; f->name; f++) {
        cg_tensor *t = group_entry(sd, g, f->name);
        if (!t) continue;
        char *base = (char *)o + f->offset;
        if (!is_number(t, f->type == 'B' ? 2 : 1)) {
            cg_set_value_error("loaded state dict: param_groups.%d.%s is not %s", g, f->name,
                               f->type == 'B' ? "a pair of numbers" : "a number");
            return -1;
        }
        cg_tensor *d = cg_contiguous(cg_to((cg_tensor *)t, CG_FLOAT64));
        if (!d) return -1;
        const double *v = cg_data_ptr(d);
        if (f->type == 'b') *(bool *)base = v[0] != 0;
        else if (f->type == 'd') *(double *)base = v[0];
        else o->beta1 = v[0], o->beta2 = v[1];
    }
    return 0;
}

typedef struct {
    int group, slot; /* where the saved parameter index goes */
} place;

/* The saved indices of every group, mapped to the optimizer's parameters in order as PyTorch's
 * id_map does; *map[i] is {-1, -1} for an index no group lists. */
static int map_indices(const cg_optimizer *opt, const cg_named_tensors *sd, place **map, long *nmap) {
    long ngroups = 0, max_index = -1;
    for (int i = 0; i < sd->n; i++) {
        const char *rest;
        long g = key_index(sd->names[i], "param_groups.", &rest);
        if (g >= ngroups && !strcmp(rest, "params")) ngroups = g + 1;
    }
    for (int g = 0; g < ngroups; g++)
        if (!group_entry(sd, g, "params")) ngroups = 0; /* a gap: not the optimizer's groups */
    if (ngroups != opt->ngroups) {
        cg_set_value_error("loaded state dict has a different number of parameter groups");
        return -1;
    }
    for (int g = 0; g < opt->ngroups; g++) {
        cg_tensor *ids = group_entry(sd, g, "params");
        if (cg_get_dtype(ids) != CG_INT64 || cg_ndim(ids) != 1 || cg_numel(ids) != opt->groups[g].n) {
            cg_set_value_error("loaded state dict contains a parameter group that doesn't match the size of optimizer's group");
            return -1;
        }
        cg_tensor *c = cg_contiguous(ids);
        if (!c) return -1;
        for (int j = 0; j < opt->groups[g].n; j++) {
            int64_t id = ((const int64_t *)cg_data_ptr(c))[j];
            if (id < 0 || id > 1L << 30) {
                cg_set_value_error("loaded state dict: param_groups.%d.params holds a bad index %lld", g, (long long)id);
                return -1;
            }
            if (id > max_index) max_index = (long)id;
        }
    }
    *nmap = max_index + 1;
    *map = malloc((size_t)(*nmap > 0 ? *nmap : 1) * sizeof **map);
    if (!*map) {
        cg_set_error("out of memory");
        return -1;
    }
    for (long i = 0; i < *nmap; i++) (*map)[i] = (place){-1, -1};
    for (int g = 0; g < opt->ngroups; g++) {
        const int64_t *ids = cg_data_ptr(cg_contiguous(group_entry(sd, g, "params")));
        for (int j = 0; j < opt->groups[g].n; j++) {
            if ((*map)[ids[j]].group >= 0) {
                free(*map);
                cg_set_value_error("loaded state dict lists parameter %lld in more than one place", (long long)ids[j]);
                return -1;
            }
            (*map)[ids[j]] = (place){g, j};
        }
    }
    return 0;
}

/* One "state.<i>.<name>" entry into the new slot *s of parameter p. */
static int load_entry(const kind_info *k, cg_optim_kind kind, const char *key, const char *name, cg_tensor *t,
                      const cg_tensor *p, param_slot *s) {
    if ((k->step && !strcmp(name, "step")) || (kind == CG_NADAM && !strcmp(name, "mu_product"))) {
        if (!is_number(t, 1)) {
            cg_set_value_error("loaded state dict: %s is not a number", key);
            return -1;
        }
        double v = cg_item(t);
        if (!strcmp(name, "step")) s->step = v;
        else s->mu_product = (float)v;
        return 0;
    }
    for (int i = 0; i < MAX_STATE; i++) {
        if (!k->state[i] || strcmp(name, k->state[i])) continue;
        if (!is_number(t, cg_numel(p)) || cg_ndim(t) != cg_ndim(p) ||
            memcmp(cg_sizes(t), cg_sizes(p), (size_t)cg_ndim(p) * sizeof(int64_t))) {
            cg_set_value_error("loaded state dict: %s does not have its parameter's shape", key);
            return -1;
        }
        /* a copy in the parameter's dtype, as PyTorch's load casts and deep-copies */
        cg_tensor *c = cg_detach(cg_clone(cg_to(t, cg_get_dtype(p))));
        if (!c) return -1;
        s->state[i] = cg_retain(c);
        return 0;
    }
    cg_set_value_error("loaded state dict has an unexpected key %s", key);
    return -1;
}

static void free_slot_state(param_slot *s) {
    for (int k = 0; k < MAX_STATE; k++)
        if (s->state[k]) cg_release(s->state[k]);
}

static int build(cg_optimizer *opt, const cg_named_tensors *sd, param_slot **fresh, param_group *opts) {
    const kind_info *k = &KINDS[opt->kind];
    place *map = NULL;
    long nmap = 0;
    if (map_indices(opt, sd, &map, &nmap) < 0) return -1;
    int rc = 0;
    for (int g = 0; g < opt->ngroups && rc == 0; g++) {
        opts[g] = opt->groups[g];
        rc = load_options(sd, k, g, &opts[g]);
        if (rc == 0) rc = optim_check_options(opt->kind, &opts[g].o);
    }
    for (int i = 0; i < sd->n && rc == 0; i++) {
        const char *rest;
        long index = key_index(sd->names[i], "state.", &rest);
        if (index < 0) {
            if (key_index(sd->names[i], "param_groups.", &rest) < 0) {
                cg_set_value_error("loaded state dict has an unexpected key %s", sd->names[i]);
                rc = -1;
            }
            continue;
        }
        if (index >= nmap || map[index].group < 0) continue; /* PyTorch keeps it, unused */
        place at = map[index];
        param_slot *s = &fresh[at.group][at.slot];
        rc = load_entry(k, opt->kind, sd->names[i], rest, sd->tensors[i], s->param, s);
    }
    free(map);
    return rc;
}

int cg_optimizer_load_state_dict(cg_optimizer *opt, const cg_named_tensors *state_dict) {
    if (!opt || !state_dict || (state_dict->n && (!state_dict->names || !state_dict->tensors))) return -1;
    for (int i = 0; i < state_dict->n; i++)
        if (!state_dict->names[i] || !state_dict->tensors[i]) return -1;
    param_slot **fresh = calloc((size_t)opt->ngroups, sizeof *fresh);
    param_group *opts = calloc((size_t)opt->ngroups, sizeof *opts); /* the options loaded */
    int rc = fresh && opts ? 0 : -1;
    for (int g = 0; g < opt->ngroups && rc == 0; g++) {
        fresh[g] = calloc((size_t)opt->groups[g].n, sizeof **fresh);
        if (!fresh[g]) rc = -1;
        for (int i = 0; fresh[g] && i < opt->groups[g].n; i++)
            fresh[g][i] = (param_slot){.param = opt->groups[g].slots[i].param, .mu_product = 1.0f};
    }
    if (rc < 0) cg_set_error("out of memory");
    cg_scope_begin();
    if (rc == 0) rc = build(opt, state_dict, fresh, opts);
    cg_scope_end();
    for (int g = 0; g < opt->ngroups && fresh && fresh[g]; g++)
        for (int i = 0; i < opt->groups[g].n; i++) {
            param_slot *s = &opt->groups[g].slots[i];
            if (rc == 0) { /* swap: the old state goes with the fresh array */
                param_slot old = *s;
                *s = fresh[g][i];
                fresh[g][i] = old;
            }
            free_slot_state(&fresh[g][i]);
        }
    for (int g = 0; rc == 0 && g < opt->ngroups; g++) {
        opt->groups[g].o = opts[g].o;
        opt->groups[g].initial_lr = opts[g].initial_lr;
        opt->groups[g].has_initial_lr = opts[g].has_initial_lr;
    }
    for (int g = 0; g < opt->ngroups && fresh; g++) free(fresh[g]);
    free(fresh);
    free(opts);
    return rc;
}
