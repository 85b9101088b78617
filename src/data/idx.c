/* IDX files (the MNIST format): 0, 0, a type byte, the number of dims, each size as a big-endian
 * uint32, then the elements big-endian, row-major. cgrad has no uint8/int8/int16/int32 tensors:
 * those load as int64 (values unchanged), float and double as float32 and float64. */
#include "core/tensor.h"

#include <stdlib.h>
#include <string.h>

static uint64_t big_endian(const unsigned char *p, int n) {
    uint64_t v = 0;
    for (int i = 0; i < n; i++) v = v << 8 | p[i];
    return v;
}

/* One element of the IDX type at p, as an int64 or a double. */
static void read_element(int type, const unsigned char *p, int64_t *i, double *d) {
    uint64_t v = big_endian(p, type == 0x08 || type == 0x09 ? 1 : type == 0x0B ? 2 : type == 0x0E ? 8 : 4);
    float f;
    uint32_t u32 = (uint32_t)v;
    switch (type) {
    case 0x08: *i = (int64_t)v; break;
    case 0x09: *i = (int8_t)(uint8_t)v; break;
    case 0x0B: *i = (int16_t)(uint16_t)v; break;
    case 0x0C: *i = (int32_t)u32; break;
    case 0x0D: memcpy(&f, &u32, 4); *d = f; break;
    default: memcpy(d, &v, 8);
    }
}

cg_tensor *cg_idx_load_buffer(const void *data, size_t size) {
    if (!data) return NULL;
    const unsigned char *p = data;
    if (size >= 2 && p[0] == 0x1f && p[1] == 0x8b) {
        cg_set_error("IDX: the data is gzip-compressed, and this cgrad was built without zlib");
        return NULL;
    }
    if (size < 4 || p[0] != 0 || p[1] != 0) {
        cg_set_error("IDX: bad magic number (an IDX file starts with two zero bytes, a type and the number of dims)");
        return NULL;
    }
    int type = p[2], ndim = p[3], esize;
    switch (type) {
    case 0x08: case 0x09: esize = 1; break;
    case 0x0B: esize = 2; break;
    case 0x0C: case 0x0D: esize = 4; break;
    case 0x0E: esize = 8; break;
    default: cg_set_error("IDX: unknown element type 0x%02x", type); return NULL;
    }
    if (ndim > CG_MAX_DIMS) {
        cg_set_error("IDX: %d dims, cgrad tensors have at most %d", ndim, CG_MAX_DIMS);
        return NULL;
    }
    if (size < 4 + 4 * (size_t)ndim) {
        cg_set_error("IDX: the file ends inside its sizes");
        return NULL;
    }
    int64_t sizes[CG_MAX_DIMS];
    uint64_t numel = 1;
    for (int d = 0; d < ndim; d++) {
        sizes[d] = (int64_t)big_endian(p + 4 + 4 * d, 4);
        numel = numel > UINT64_MAX / ((uint64_t)sizes[d] + 1) ? UINT64_MAX : numel * (uint64_t)sizes[d];
    }
    size_t have = size - 4 - 4 * (size_t)ndim;
    if (numel > have / (size_t)esize || numel * (uint64_t)esize != have) {
        cg_set_error("IDX: the sizes need %s%llu bytes of data, the file has %zu", numel == UINT64_MAX ? "over " : "",
                     (unsigned long long)(numel == UINT64_MAX ? UINT64_MAX : numel * (uint64_t)esize), have);
        return NULL;
    }
    cg_dtype dtype = type == 0x0D ? CG_FLOAT32 : type == 0x0E ? CG_FLOAT64 : CG_INT64;
    void *values = malloc((size_t)(numel ? numel : 1) * cg_dtype_size(dtype));
    if (!values) {
        cg_set_error("IDX: out of memory");
        return NULL;
    }
    const unsigned char *at = p + 4 + 4 * (size_t)ndim;
    for (uint64_t k = 0; k < numel; k++, at += esize) {
        int64_t i = 0;
        double d = 0;
        read_element(type, at, &i, &d);
        if (dtype == CG_INT64) ((int64_t *)values)[k] = i;
        else if (dtype == CG_FLOAT32) ((float *)values)[k] = (float)d;
        else ((double *)values)[k] = d;
    }
    cg_tensor *t = cg_from_data(values, dtype, ndim, sizes);
    free(values);
    return t;
}

cg_tensor *cg_idx_load(const char *path) {
    if (!path) return NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        cg_set_error("IDX: cannot open %s", path);
        return NULL;
    }
    long size = -1;
    if (fseek(f, 0, SEEK_END) == 0) size = ftell(f);
    unsigned char *buf = size >= 0 && fseek(f, 0, SEEK_SET) == 0 ? malloc((size_t)size + 1) : NULL;
    bool ok = buf && fread(buf, 1, (size_t)size, f) == (size_t)size;
    fclose(f);
    cg_tensor *t = NULL;
    if (ok) t = cg_idx_load_buffer(buf, (size_t)size);
    else cg_set_error("IDX: cannot read %s", path);
    free(buf);
    return t;
}
