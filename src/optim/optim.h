/* Internal helpers shared by the optimizers, clip_grad and the lr schedulers. */
#ifndef CG_OPTIM_OPTIM_H
#define CG_OPTIM_OPTIM_H

#include <stddef.h>

/* Python's repr of a float, as PyTorch's messages print one ("-0.1", "2.0", "inf"). */
const char *optim_py_float(double v, char *buf, size_t size);

#endif
