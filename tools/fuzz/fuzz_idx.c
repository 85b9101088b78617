/* libFuzzer target: cg_idx_load_buffer on arbitrary bytes: a tensor whose bytes the file holds
 * (gzip data: at most deflate's 1032:1 expansion of them), or NULL with a message. */
#include "cgrad.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
    cg_clear_error();
    cg_scope_begin();
    cg_tensor *t = cg_idx_load_buffer(data, size);
    if (!t && !cg_last_error()[0]) abort();
    bool gz = size >= 2 && data[0] == 0x1f && data[1] == 0x8b;
    if (t && (uint64_t)cg_numel(t) > (gz ? 1032 * (uint64_t)size : size)) abort();
    cg_scope_end();
    return 0;
}
