/* libFuzzer target: cg_idx_load_buffer on arbitrary bytes: a tensor whose bytes the file holds, or
 * NULL with a message. */
#include "cgrad.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
    cg_clear_error();
    cg_scope_begin();
    cg_tensor *t = cg_idx_load_buffer(data, size);
    if (!t && !cg_last_error()[0]) abort();
    if (t && (size_t)cg_numel(t) > size) abort();
    cg_scope_end();
    return 0;
}
