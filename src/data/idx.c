/* IDX files (the MNIST format): 0, 0, a type byte, the number of dims, each size as a big-endian
 * uint32, then the elements big-endian, row-major. cgrad has no uint8/int8/int16/int32 tensors:
 * those load as int64 (values unchanged), float and double as float32 and float64. gzip-compressed
 * files (MNIST's .gz) go through zlib when the build has it (CG_HAVE_ZLIB). */
#include "core/tensor.h"
#include "data/data.h"

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

/* The header: magic, type, dims and sizes, with the bytes of data the sizes call for. */
typedef struct {
    int type, ndim, esize;
    int64_t sizes[CG_MAX_DIMS];
    uint64_t numel;       /* UINT64_MAX when the product overflows */
    size_t header_bytes;
} idx_header;

static int parse_header(const unsigned char *p, size_t size, idx_header *h) {
    if (size < 4 || p[0] != 0 || p[1] != 0) {
        cg_set_error("IDX: bad magic number (an IDX file starts with two zero bytes, a type and the number of dims)");
        return -1;
    }
    h->type = p[2];
    h->ndim = p[3];
    switch (h->type) {
    case 0x08: case 0x09: h->esize = 1; break;
    case 0x0B: h->esize = 2; break;
    case 0x0C: case 0x0D: h->esize = 4; break;
    case 0x0E: h->esize = 8; break;
    default: cg_set_error("IDX: unknown element type 0x%02x", h->type); return -1;
    }
    if (h->ndim > CG_MAX_DIMS) {
        cg_set_error("IDX: %d dims, cgrad tensors have at most %d", h->ndim, CG_MAX_DIMS);
        return -1;
    }
    h->header_bytes = 4 + 4 * (size_t)h->ndim;
    if (size < h->header_bytes) {
        cg_set_error("IDX: the file ends inside its sizes");
        return -1;
    }
    h->numel = 1;
    for (int d = 0; d < h->ndim; d++) {
        h->sizes[d] = (int64_t)big_endian(p + 4 + 4 * d, 4);
        uint64_t s = (uint64_t)h->sizes[d];
        h->numel = h->numel > UINT64_MAX / (s + 1) ? UINT64_MAX : h->numel * s;
    }
    return 0;
}

/* The data after the header must be exactly what the sizes call for. */
static int check_data_size(const idx_header *h, uint64_t have) {
    if (h->numel <= have / (uint64_t)h->esize && h->numel * (uint64_t)h->esize == have) return 0;
    bool over = h->numel > UINT64_MAX / (uint64_t)h->esize;
    cg_set_error("IDX: the sizes need %s%llu bytes of data, the file has %llu", over ? "over " : "",
                 (unsigned long long)(over ? UINT64_MAX : h->numel * (uint64_t)h->esize), (unsigned long long)have);
    return -1;
}

/* The elements as a tensor; divisor > 0 turns integers into float32 i / divisor (ToTensor's
 * scaling, without an int64 copy of the data first). */
static cg_tensor *decode(const idx_header *h, const unsigned char *at, float divisor) {
    bool integer = h->type != 0x0D && h->type != 0x0E;
    cg_dtype dtype = h->type == 0x0D || (integer && divisor > 0) ? CG_FLOAT32 : h->type == 0x0E ? CG_FLOAT64 : CG_INT64;
    void *values = malloc((size_t)(h->numel ? h->numel : 1) * cg_dtype_size(dtype));
    if (!values) {
        cg_set_error("IDX: out of memory");
        return NULL;
    }
    for (uint64_t k = 0; k < h->numel; k++, at += h->esize) {
        int64_t i = 0;
        double d = 0;
        read_element(h->type, at, &i, &d);
        if (dtype == CG_INT64) ((int64_t *)values)[k] = i;
        else if (integer) ((float *)values)[k] = (float)i / divisor;
        else if (dtype == CG_FLOAT32) ((float *)values)[k] = (float)d;
        else ((double *)values)[k] = d;
    }
    cg_tensor *t = cg_from_data(values, dtype, h->ndim, h->sizes);
    free(values);
    return t;
}

#ifdef CG_HAVE_ZLIB
#include <zlib.h>

/* The decompressed bytes: those the IDX header calls for are kept, anything past them only
 * counted (memory grows with the real data, never with what a lying header claims). */
typedef struct {
    unsigned char *buf;
    size_t len, cap;
    uint64_t total;
} gunzipped;

/* How many bytes to keep: all until the header is whole, then what its sizes call for (a bad
 * header stops the keeping; parse_header reports it). */
static uint64_t bytes_to_keep(const gunzipped *g) {
    idx_header h;
    if (g->len < 4 || (g->len >= 4 && g->len < 4 + 4 * (size_t)g->buf[3])) return UINT64_MAX;
    if (parse_header(g->buf, g->len, &h) != 0) return g->len;
    if (h.numel > (UINT64_MAX - h.header_bytes) / (uint64_t)h.esize) return UINT64_MAX;
    return h.header_bytes + h.numel * (uint64_t)h.esize;
}

/* gzip (one or more members, as gunzip reads them) into g; 0, or -1 with the error set. */
static int gunzip(const unsigned char *data, size_t size, gunzipped *g) {
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
        cg_set_error("IDX: zlib cannot start (out of memory)");
        return -1;
    }
    unsigned char scratch[16384];
    int rc = Z_OK;
    z.next_in = (unsigned char *)data;
    size_t left = size;
    for (;;) {
        if (z.avail_in == 0) {
            z.avail_in = left > (1u << 30) ? 1u << 30 : (uInt)left;
            left -= z.avail_in;
        }
        uint64_t keep = bytes_to_keep(g);
        bool keeping = g->len < keep;
        if (keeping && g->len == g->cap) {
            size_t cap = g->cap ? g->cap * 2 : 65536;
            if (keep < cap) cap = (size_t)keep;
            unsigned char *grown = realloc(g->buf, cap);
            if (!grown) {
                cg_set_error("IDX: out of memory");
                rc = Z_MEM_ERROR;
                break;
            }
            g->buf = grown;
            g->cap = cap;
        }
        size_t room = keeping ? g->cap - g->len : sizeof scratch;
        if (keeping && room > keep - g->len) room = (size_t)(keep - g->len);
        if (room > 1u << 30) room = 1u << 30;
        z.next_out = keeping ? g->buf + g->len : scratch;
        z.avail_out = (uInt)room;
        rc = inflate(&z, Z_NO_FLUSH);
        size_t out = room - z.avail_out;
        if (keeping) g->len += out;
        g->total += out;
        if (rc == Z_STREAM_END) {
            if (z.avail_in == 0 && left == 0) break;
            rc = inflateReset(&z);  /* the next gzip member */
            if (rc != Z_OK) break;
            continue;
        }
        if (rc == Z_BUF_ERROR && out == 0 && z.avail_in == 0 && left == 0) {
            cg_set_error("IDX: the gzip data ends early (a truncated file)");
            break;
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            cg_set_error("IDX: the gzip data is corrupt (zlib: %s)", z.msg ? z.msg : "error");
            break;
        }
    }
    inflateEnd(&z);
    return rc == Z_STREAM_END ? 0 : -1;
}

static cg_tensor *load_gzip(const unsigned char *data, size_t size, float divisor) {
    gunzipped g = {0};
    cg_tensor *t = NULL;
    idx_header h;
    if (gunzip(data, size, &g) == 0 && parse_header(g.buf, g.len, &h) == 0 &&
        check_data_size(&h, g.total - h.header_bytes) == 0)
        t = decode(&h, g.buf + h.header_bytes, divisor);
    free(g.buf);
    return t;
}
#else
static cg_tensor *load_gzip(const unsigned char *data, size_t size, float divisor) {
    (void)data, (void)size, (void)divisor;
    cg_set_error("IDX: the data is gzip-compressed, and this cgrad was built without zlib");
    return NULL;
}
#endif

static cg_tensor *load_buffer(const unsigned char *p, size_t size, float divisor) {
    if (size >= 2 && p[0] == 0x1f && p[1] == 0x8b) return load_gzip(p, size, divisor);
    idx_header h;
    if (parse_header(p, size, &h) != 0 || check_data_size(&h, size - h.header_bytes) != 0) return NULL;
    return decode(&h, p + h.header_bytes, divisor);
}

cg_tensor *cg_idx_load_buffer(const void *data, size_t size) { return data ? load_buffer(data, size, 0) : NULL; }

cg_tensor *cg_idx_load_scaled_(const char *path, float divisor) {
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
    if (ok) t = load_buffer(buf, (size_t)size, divisor);
    else cg_set_error("IDX: cannot read %s", path);
    free(buf);
    return t;
}

cg_tensor *cg_idx_load(const char *path) { return cg_idx_load_scaled_(path, 0); }
