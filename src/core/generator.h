/* The default random generator: one MT19937 engine per process, as PyTorch's default CPU generator.
 *
 * Not thread-safe: PyTorch guards its generator with a mutex; cgrad's is a plain global, so draw
 * from one thread at a time (or serialise calls yourself). */
#ifndef CG_CORE_GENERATOR_H
#define CG_CORE_GENERATOR_H

#include <stdbool.h>
#include <stdint.h>

uint32_t cg_random32(void);  /* the next MT19937 output */
uint64_t cg_random64(void);  /* two outputs, the first in the high half */

/* The second normal sample of the per-element Box-Muller path, kept between calls (and cleared by
 * cg_manual_seed) exactly as PyTorch's next_double_normal_sample. */
bool cg_take_cached_normal(double *value);
void cg_cache_normal(double value);

#endif
