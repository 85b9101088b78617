/* The modules' internals: src/nn sits on the public API; only errors and warnings come from core. */
#ifndef CG_NN_INTERNAL_H
#define CG_NN_INTERNAL_H

#include "cgrad.h"
#include "core/tensor.h"

/* The module's i-th own parameter (registration order), NULL past the last. */
cg_tensor *nn_param(const cg_module *m, int i);
/* The forward function m was made with (to tell a module's kind from its forward). */
cg_module_forward_fn nn_forward_fn(const cg_module *m);
/* The module's i-th own buffer (registration order), NULL past the last. */
cg_tensor *nn_buffer(const cg_module *m, int i);
/* Linear's (conv false) and _ConvNd's (conv true) reset_parameters. */
int nn_reset_parameters(cg_tensor *weight, cg_tensor *bias, bool conv);
/* A module whose forward reads a copy of the options it was made with (state, size bytes). */
cg_module *nn_module_with(const char *type, cg_module_forward_fn forward, const void *state, size_t size);
/* m with a float32 weight of the given sizes and a bias of bias_size (none if negative) as its
 * parameters, then reset_parameters' fills (Linear's, or _ConvNd's if conv); frees m on failure. */
cg_module *nn_with_weight(cg_module *m, int ndim, const int64_t *wsizes, int64_t bias_size, bool conv);

#endif
