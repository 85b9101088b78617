/* Internal helpers shared by the optimizers, clip_grad and the lr schedulers. */
#ifndef CG_OPTIM_OPTIM_H
#define CG_OPTIM_OPTIM_H

#include "cgrad.h"

#include <stddef.h>

enum { MAX_STATE = 3 };

typedef struct {
    cg_tensor *param;
    cg_tensor *state[MAX_STATE]; /* per kind: see the step functions; NULL until the first step */
    double step;                 /* PyTorch's float32 step tensor (exact up to 2**24) */
    float mu_product;            /* NAdam's float32 mu_product tensor */
} param_slot;

typedef struct {
    cg_optim_options o;
    int n;
    param_slot *slots;
    /* PyTorch's group['initial_lr']: set by the first scheduler (OneCycleLR overwrites it), the
     * base lr of every later one */
    double initial_lr;
    bool has_initial_lr;
} param_group;

struct cg_optimizer {
    cg_optim_kind kind;
    int ngroups;
    param_group *groups;
};

/* The optimizer's constructor checks for kind, in PyTorch's order: 0, or -1 with its ValueError. */
int optim_check_options(cg_optim_kind kind, const cg_optim_options *o);

/* Appends name -> t (one more reference, owned by out; NULL t is an earlier failure): 0 or -1. */
int optim_append(cg_named_tensors *out, const char *name, cg_tensor *t);

/* Python's repr of a float, as PyTorch's messages print one ("-0.1", "2.0", "inf"). */
const char *optim_py_float(double v, char *buf, size_t size);

#endif
