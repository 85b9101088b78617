/* Internal: PyTorch's tensor repr with caller-supplied suffixes.
 *
 * The repr ends with a list of ", key=value" suffixes. Printing decides the ones that depend on the
 * data (size=(0, 3) for empty tensors, dtype=torch.float64); the autograd layer knows the others
 * (grad_fn=<AddBackward0>, requires_grad=True) and passes them here, in order, to be appended after
 * the built-in ones with PyTorch's line-wrapping rule. */
#ifndef CG_PRINT_FORMAT_H
#define CG_PRINT_FORMAT_H

#include "cgrad.h"

/* Like cg_format (snprintf-style: writes at most size bytes including the NUL, returns the full
 * length, or -1 when out of memory), with n extra suffixes appended after the built-in ones. */
int cg_format_with_suffixes(const cg_tensor *t, const char *const *suffixes, int n, char *buf,
                            size_t size);

#endif
