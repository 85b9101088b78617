/* Internal to src/data/. */
#ifndef CG_DATA_DATA_H
#define CG_DATA_DATA_H

#include "cgrad.h"

/* cg_idx_load, except that divisor > 0 loads integer elements as float32 i / divisor (uint8
 * images straight to ToTensor's [0, 1], with no int64 copy of them). */
cg_tensor *cg_idx_load_scaled_(const char *path, float divisor);

#endif
