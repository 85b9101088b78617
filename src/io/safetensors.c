/* safetensors files (https://github.com/huggingface/safetensors): an 8-byte little-endian header
 * length N, N bytes of JSON ({"name": {"dtype", "shape", "data_offsets"}, "__metadata__": {...}},
 * padded with spaces to a multiple of 8), then the tensors' bytes back to back, little-endian.
 * Saving writes what Python's safetensors writes: tensors ordered by descending dtype, then name.
 * Loading checks the file as the Rust reader does (offsets contiguous from 0, sizes matching dtype
 * and shape, nothing after the last tensor) before it allocates a tensor, and never reads outside
 * the buffer. */
#include "core/tensor.h"

#include <stdlib.h>
#include <string.h>

#define HEADER_MAX 100000000ull /* the Rust reader's MAX_HEADER_SIZE */
#define ERR_PREFIX "Error while deserializing header: "

/* ---- dtypes ---- */

typedef struct {
    const char *name;
    int size;
    int have; /* cgrad's dtype + 1; 0 when cgrad has no such dtype */
    int rank; /* the Rust Dtype enum's order, which orders tensors in a saved file */
} st_dtype;

static const st_dtype st_dtypes[] = {
    {"BOOL", 1, CG_BOOL + 1, 0},   {"U8", 1, 0, 4},   {"I8", 1, 0, 5},  {"F8_E5M2", 1, 0, 6},
    {"F8_E4M3", 1, 0, 7},          {"I16", 2, 0, 11}, {"U16", 2, 0, 12}, {"F16", 2, 0, 13},
    {"BF16", 2, 0, 14},            {"I32", 4, 0, 15}, {"U32", 4, 0, 16}, {"F32", 4, CG_FLOAT32 + 1, 17},
    {"C64", 8, 0, 18},             {"F64", 8, CG_FLOAT64 + 1, 19},      {"I64", 8, CG_INT64 + 1, 20},
    {"U64", 8, 0, 21},
};
#define N_DTYPES (int)(sizeof st_dtypes / sizeof st_dtypes[0])

static const st_dtype *dtype_of_cg(cg_dtype d) {
    for (int i = 0; i < N_DTYPES; i++)
        if (st_dtypes[i].have == (int)d + 1) return &st_dtypes[i];
    return NULL;
}

static bool host_is_little_endian(void) {
    uint16_t one = 1;
    unsigned char b;
    memcpy(&b, &one, 1);
    return b == 1;
}

static void swap_bytes(unsigned char *p, size_t n, int size) {
    if (size == 1 || host_is_little_endian()) return;
    for (size_t i = 0; i < n; i += (size_t)size)
        for (int j = 0; j < size / 2; j++) {
            unsigned char c = p[i + (size_t)j];
            p[i + (size_t)j] = p[i + (size_t)size - 1 - (size_t)j];
            p[i + (size_t)size - 1 - (size_t)j] = c;
        }
}

/* ---- a strict JSON reader over [p, end) ---- */

typedef struct {
    const unsigned char *p, *end;
    char err[160];
} json;

static int jfail(json *j, const char *what) {
    if (!j->err[0]) snprintf(j->err, sizeof j->err, "%s", what);
    return -1;
}

static void skip_ws(json *j) {
    while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')) j->p++;
}

static int expect(json *j, char c) {
    skip_ws(j);
    if (j->p >= j->end || *j->p != (unsigned char)c) {
        char msg[64];
        snprintf(msg, sizeof msg, "expected '%c' in the JSON header", c);
        return jfail(j, msg);
    }
    j->p++;
    return 0;
}

static bool peek(json *j, char c) {
    skip_ws(j);
    return j->p < j->end && *j->p == (unsigned char)c;
}

static int hex4(json *j, unsigned *v) {
    if (j->end - j->p < 4) return jfail(j, "bad \\u escape in the JSON header");
    *v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned c = *j->p++, d;
        if (c >= '0' && c <= '9') d = c - '0';
        else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
        else return jfail(j, "bad \\u escape in the JSON header");
        *v = *v * 16 + d;
    }
    return 0;
}

static size_t put_utf8(char *out, unsigned cp) {
    if (cp < 0x80) { out[0] = (char)cp; return 1; }
    if (cp < 0x800) { out[0] = (char)(0xC0 | cp >> 6); out[1] = (char)(0x80 | (cp & 0x3F)); return 2; }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | cp >> 12); out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | cp >> 18); out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    out[2] = (char)(0x80 | (cp >> 6 & 0x3F)); out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* A JSON string, unescaped, as a malloc'd NUL-terminated string (an escaped NUL is refused, as a
 * name with one could not be told apart from a shorter one). */
static char *read_string(json *j) {
    if (expect(j, '"') != 0) return NULL;
    const unsigned char *start = j->p;
    while (j->p < j->end && *j->p != '"') j->p += *j->p == '\\' && j->end - j->p > 1 ? 2 : 1;
    if (j->p >= j->end) { jfail(j, "unterminated string in the JSON header"); return NULL; }
    size_t max = (size_t)(j->p - start);
    char *out = malloc(max + 1);
    if (!out) { jfail(j, "out of memory"); return NULL; }
    size_t n = 0;
    for (j->p = start; *j->p != '"';) {
        unsigned c = *j->p++;
        if (c < 0x20) { free(out); jfail(j, "control character in a string of the JSON header"); return NULL; }
        if (c != '\\') { out[n++] = (char)c; continue; }
        c = *j->p++;
        const char *simple = strchr("\"\\/bfnrt", (int)c);
        if (c && simple) {
            out[n++] = "\"\\/\b\f\n\r\t"[simple - "\"\\/bfnrt"];
            continue;
        }
        unsigned cp, lo;
        if (c != 'u' || hex4(j, &cp) != 0) { free(out); jfail(j, "bad escape in the JSON header"); return NULL; }
        if (cp >= 0xD800 && cp < 0xDC00) { /* a surrogate pair */
            if (j->end - j->p < 6 || j->p[0] != '\\' || j->p[1] != 'u') { free(out); jfail(j, "lone surrogate in the JSON header"); return NULL; }
            j->p += 2;
            if (hex4(j, &lo) != 0 || lo < 0xDC00 || lo > 0xDFFF) { free(out); jfail(j, "lone surrogate in the JSON header"); return NULL; }
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        } else if ((cp >= 0xDC00 && cp < 0xE000) || cp == 0) {
            free(out);
            jfail(j, cp ? "lone surrogate in the JSON header" : "NUL character in a string of the JSON header");
            return NULL;
        }
        /* An escape is at least as long as its UTF-8 (6 bytes for 3, 12 for 4): out has room. */
        n += put_utf8(out + n, cp);
    }
    j->p++;
    out[n] = 0;
    return out;
}

/* A non-negative integer that fits uint64 (JSON's other numbers are refused). */
static int read_u64(json *j, uint64_t *v) {
    skip_ws(j);
    if (j->p >= j->end || *j->p < '0' || *j->p > '9') return jfail(j, "expected a non-negative integer in the JSON header");
    if (*j->p == '0' && j->end - j->p > 1 && j->p[1] >= '0' && j->p[1] <= '9')
        return jfail(j, "leading zero in a number of the JSON header");
    *v = 0;
    while (j->p < j->end && *j->p >= '0' && *j->p <= '9') {
        unsigned d = *j->p++ - '0';
        if (*v > (UINT64_MAX - d) / 10) return jfail(j, "integer too large in the JSON header");
        *v = *v * 10 + d;
    }
    if (j->p < j->end && (*j->p == '.' || *j->p == 'e' || *j->p == 'E'))
        return jfail(j, "expected an integer in the JSON header");
    return 0;
}

/* [a, b, ...] of up to max integers; *n gets the count. */
static int read_u64_array(json *j, uint64_t *out, int max, int *n) {
    *n = 0;
    if (expect(j, '[') != 0) return -1;
    if (peek(j, ']')) return expect(j, ']');
    do {
        if (*n == max) return jfail(j, "too many values in an array of the JSON header");
        if (read_u64(j, &out[(*n)++]) != 0) return -1;
    } while (peek(j, ',') && expect(j, ',') == 0);
    return expect(j, ']');
}

/* ---- the header ---- */

typedef struct {
    char *name;
    const st_dtype *dtype;
    int ndim;
    int64_t sizes[CG_MAX_DIMS];
    uint64_t begin, end;
} entry;

typedef struct {
    entry *e;
    int n;
} entries;

static void entries_free(entries *es) {
    for (int i = 0; i < es->n; i++) free(es->e[i].name);
    free(es->e);
    *es = (entries){0};
}

static int read_dtype(json *j, const st_dtype **out) {
    char *s = read_string(j);
    if (!s) return -1;
    *out = NULL;
    for (int i = 0; i < N_DTYPES; i++)
        if (!strcmp(s, st_dtypes[i].name)) *out = &st_dtypes[i];
    free(s);
    return *out ? 0 : jfail(j, "unknown dtype in the JSON header");
}

/* {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}, each key once, all three present. */
static int read_info(json *j, entry *e) {
    bool seen[3] = {false, false, false};
    if (expect(j, '{') != 0) return -1;
    if (!peek(j, '}')) do {
        char *key = read_string(j);
        if (!key || expect(j, ':') != 0) { free(key); return -1; }
        int k = !strcmp(key, "dtype") ? 0 : !strcmp(key, "shape") ? 1 : !strcmp(key, "data_offsets") ? 2 : -1;
        free(key);
        if (k < 0) return jfail(j, "unknown field in a tensor of the JSON header");
        if (seen[k]) return jfail(j, "duplicate field in a tensor of the JSON header");
        seen[k] = true;
        uint64_t v[CG_MAX_DIMS];
        int n;
        if (k == 0 && read_dtype(j, &e->dtype) != 0) return -1;
        if (k == 1) {
            if (read_u64_array(j, v, CG_MAX_DIMS, &n) != 0) return -1;
            e->ndim = n;
            for (int i = 0; i < n; i++) {
                if (v[i] > (uint64_t)INT64_MAX) return jfail(j, "dimension too large in the JSON header");
                e->sizes[i] = (int64_t)v[i];
            }
        }
        if (k == 2) {
            if (read_u64_array(j, v, 2, &n) != 0) return -1;
            if (n != 2) return jfail(j, "data_offsets needs two values in the JSON header");
            e->begin = v[0];
            e->end = v[1];
        }
    } while (peek(j, ',') && expect(j, ',') == 0);
    if (expect(j, '}') != 0) return -1;
    if (!seen[0] || !seen[1] || !seen[2]) return jfail(j, "missing field in a tensor of the JSON header");
    return 0;
}

/* "__metadata__": an object of strings, checked and dropped. */
static int skip_metadata(json *j) {
    if (expect(j, '{') != 0) return -1;
    if (peek(j, '}')) return expect(j, '}');
    do {
        char *k = read_string(j);
        if (!k) return -1;
        free(k);
        if (expect(j, ':') != 0) return -1;
        char *v = read_string(j);
        if (!v) return -1;
        free(v);
    } while (peek(j, ',') && expect(j, ',') == 0);
    return expect(j, '}');
}

static bool has_name(const entries *es, const char *name) {
    for (int i = 0; i < es->n; i++)
        if (!strcmp(es->e[i].name, name)) return true;
    return false;
}

static int parse_header(json *j, entries *es) {
    int cap = 0;
    bool metadata = false;
    if (expect(j, '{') != 0) return -1;
    if (!peek(j, '}')) do {
        char *name = read_string(j);
        if (!name) return -1;
        if (expect(j, ':') != 0) { free(name); return -1; }
        if (!strcmp(name, "__metadata__")) {
            free(name);
            if (metadata) return jfail(j, "duplicate __metadata__ in the JSON header");
            metadata = true;
            if (skip_metadata(j) != 0) return -1;
            continue;
        }
        if (has_name(es, name)) { free(name); return jfail(j, "duplicate tensor name in the JSON header"); }
        if (es->n == cap) {
            cap = cap ? 2 * cap : 16;
            entry *grown = realloc(es->e, (size_t)cap * sizeof *grown);
            if (!grown) { free(name); return jfail(j, "out of memory"); }
            es->e = grown;
        }
        es->e[es->n] = (entry){.name = name};
        es->n++;
        if (read_info(j, &es->e[es->n - 1]) != 0) return -1;
    } while (peek(j, ',') && expect(j, ',') == 0);
    if (expect(j, '}') != 0) return -1;
    skip_ws(j);
    if (j->p != j->end) return jfail(j, "trailing characters after the JSON header");
    return 0;
}

static int by_offset(const void *a, const void *b) {
    const entry *x = a, *y = b;
    if (x->begin != y->begin) return x->begin < y->begin ? -1 : 1;
    return x->end < y->end ? -1 : x->end > y->end;
}

/* The Rust reader's validate(): offsets contiguous from 0, each tensor's bytes what its dtype and
 * shape need, the last one ending at the end of the data. */
static int check_layout(entries *es, uint64_t data_size) {
    if (es->n) qsort(es->e, (size_t)es->n, sizeof *es->e, by_offset);
    uint64_t at = 0;
    for (int i = 0; i < es->n; i++) {
        entry *e = &es->e[i];
        if (e->begin != at || e->end < e->begin) {
            cg_set_error(ERR_PREFIX "InvalidOffset(\"%s\"): tensor data overlaps or leaves a gap", e->name);
            return -1;
        }
        uint64_t bytes = (uint64_t)e->dtype->size;
        for (int d = 0; d < e->ndim; d++) {
            uint64_t s = (uint64_t)e->sizes[d];
            if (s && bytes > UINT64_MAX / s) {
                cg_set_error(ERR_PREFIX "ValidationOverflow: the size of tensor \"%s\" overflows", e->name);
                return -1;
            }
            bytes *= s;
        }
        if (e->end - e->begin != bytes) {
            cg_set_error(ERR_PREFIX "TensorInvalidInfo: tensor \"%s\" of dtype %s and shape %s needs %llu bytes, "
                         "its data_offsets give %llu", e->name, e->dtype->name, cg_shape_text(e->ndim, e->sizes).s,
                         (unsigned long long)bytes, (unsigned long long)(e->end - e->begin));
            return -1;
        }
        at = e->end;
    }
    if (at != data_size) {
        cg_set_error(ERR_PREFIX "MetadataIncompleteBuffer: the tensors take %llu bytes, the file holds %llu after the header",
                     (unsigned long long)at, (unsigned long long)data_size);
        return -1;
    }
    return 0;
}

/* ---- loading ---- */

static cg_tensor *make_tensor(const entry *e, const unsigned char *bytes) {
    cg_dtype dt = (cg_dtype)(e->dtype->have - 1);
    size_t n = (size_t)(e->end - e->begin);
    unsigned char *copy = malloc(n ? n : 1);
    if (!copy) { cg_set_error("out of memory loading tensor \"%s\"", e->name); return NULL; }
    memcpy(copy, bytes, n);
    swap_bytes(copy, n, e->dtype->size);
    for (size_t i = 0; dt == CG_BOOL && i < n; i++)
        if (copy[i] > 1) {
            free(copy);
            cg_set_error("safetensors: tensor \"%s\" of dtype BOOL holds a byte other than 0 and 1", e->name);
            return NULL;
        }
    cg_tensor *t = cg_from_data(copy, dt, e->ndim, e->sizes);
    free(copy);
    return t;
}

static int append(cg_named_tensors *out, const char *name, cg_tensor *t) {
    char **names = realloc(out->names, (size_t)(out->n + 1) * sizeof *names);
    if (names) out->names = names;
    cg_tensor **ts = names ? realloc(out->tensors, (size_t)(out->n + 1) * sizeof *ts) : NULL;
    if (ts) out->tensors = ts;
    char *copy = ts ? strdup(name) : NULL;
    if (!copy) { cg_set_error("out of memory"); return -1; }
    out->names[out->n] = copy;
    out->tensors[out->n++] = cg_retain(t);
    return 0;
}

int cg_safetensors_load_buffer(const void *data, size_t size, cg_named_tensors *out) {
    if (!out) return -1;
    *out = (cg_named_tensors){0};
    if (!data && size) return -1;
    const unsigned char *buf = data;
    if (size < 8) { cg_set_error(ERR_PREFIX "HeaderTooSmall: the file has %zu bytes, fewer than 8", size); return -1; }
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--) n = n << 8 | buf[i];
    if (n > HEADER_MAX) { cg_set_error(ERR_PREFIX "HeaderTooLarge: %llu bytes", (unsigned long long)n); return -1; }
    if (n > size - 8) {
        cg_set_error(ERR_PREFIX "InvalidHeaderLength: the header says %llu bytes, the file has %zu after its length",
                     (unsigned long long)n, size - 8);
        return -1;
    }
    json j = {.p = buf + 8, .end = buf + 8 + n};
    entries es = {0};
    if (parse_header(&j, &es) != 0) {
        cg_set_error(ERR_PREFIX "InvalidHeaderDeserialization: %s", j.err);
        entries_free(&es);
        return -1;
    }
    int rc = check_layout(&es, size - 8 - n);
    for (int i = 0; rc == 0 && i < es.n; i++)
        if (!es.e[i].dtype->have) {
            cg_set_error("safetensors: tensor \"%s\" has dtype %s, which cgrad does not have (it has F64, F32, "
                         "I64 and BOOL)", es.e[i].name, es.e[i].dtype->name);
            rc = -1;
        }
    cg_scope_begin();
    for (int i = 0; rc == 0 && i < es.n; i++) {
        cg_tensor *t = make_tensor(&es.e[i], buf + 8 + n + es.e[i].begin);
        rc = t ? append(out, es.e[i].name, t) : -1;
    }
    cg_scope_end();
    entries_free(&es);
    if (rc != 0) cg_named_tensors_free(out);
    return rc;
}

int cg_safetensors_load(const char *path, cg_named_tensors *out) {
    if (!out) return -1;
    *out = (cg_named_tensors){0};
    if (!path) return -1;
    FILE *f = fopen(path, "rb");
    if (!f) { cg_set_error("safetensors: cannot open %s", path); return -1; }
    long size = -1;
    if (fseek(f, 0, SEEK_END) == 0) size = ftell(f);
    unsigned char *buf = size >= 0 && fseek(f, 0, SEEK_SET) == 0 ? malloc((size_t)size + 1) : NULL;
    bool read_ok = buf && fread(buf, 1, (size_t)size, f) == (size_t)size;
    fclose(f);
    if (!read_ok) {
        free(buf);
        cg_set_error("safetensors: cannot read %s", path);
        return -1;
    }
    int rc = cg_safetensors_load_buffer(buf, (size_t)size, out);
    free(buf);
    return rc;
}

/* ---- saving ---- */

typedef struct {
    char *s;
    size_t n, cap;
    bool oom;
} text;

static void put(text *t, const char *s, size_t n) {
    if (t->oom) return;
    if (t->n + n + 1 > t->cap) {
        size_t cap = (t->n + n + 1) * 2;
        char *grown = realloc(t->s, cap);
        if (!grown) { t->oom = true; return; }
        t->s = grown;
        t->cap = cap;
    }
    memcpy(t->s + t->n, s, n);
    t->n += n;
    t->s[t->n] = 0;
}

static void puts_(text *t, const char *s) { put(t, s, strlen(s)); }

/* A JSON string as serde_json writes it: short escapes for " \ \b \f \n \r \t, \u00XX for other
 * control characters, every other byte as it is. */
static void put_json_string(text *t, const char *s) {
    puts_(t, "\"");
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        const char *esc = NULL;
        char u[8];
        switch (*p) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        default:
            if (*p < 0x20) { snprintf(u, sizeof u, "\\u%04x", *p); esc = u; }
        }
        if (esc) puts_(t, esc);
        else put(t, (const char *)p, 1);
    }
    puts_(t, "\"");
}

typedef struct {
    const char *name;
    cg_tensor *t;
    const st_dtype *dtype;
} save_item;

static int save_order(const void *a, const void *b) {
    const save_item *x = a, *y = b;
    if (x->dtype->rank != y->dtype->rank) return y->dtype->rank - x->dtype->rank;
    return strcmp(x->name, y->name);
}

static int check_items(const cg_named_tensors *tensors, save_item *items) {
    for (int i = 0; i < tensors->n; i++) {
        const char *name = tensors->names[i];
        cg_tensor *t = tensors->tensors[i];
        if (!name || !t) { cg_set_error("safetensors: entry %d has no name or no tensor", i); return -1; }
        if (!strcmp(name, "__metadata__")) { cg_set_error("safetensors: a tensor cannot be named __metadata__"); return -1; }
        for (int k = 0; k < i; k++)
            if (!strcmp(items[k].name, name)) { cg_set_error("safetensors: duplicate tensor name \"%s\"", name); return -1; }
        items[i] = (save_item){name, t, dtype_of_cg(cg_get_dtype(t))};
    }
    return 0;
}

static void put_header(text *h, const save_item *items, int n, const char *const *metadata) {
    char num[48];
    puts_(h, "{");
    if (metadata && metadata[0]) {
        puts_(h, "\"__metadata__\":{");
        for (int i = 0; metadata[i] && metadata[i + 1]; i += 2) {
            if (i) puts_(h, ",");
            put_json_string(h, metadata[i]);
            puts_(h, ":");
            put_json_string(h, metadata[i + 1]);
        }
        puts_(h, "}");
        if (n) puts_(h, ",");
    }
    uint64_t at = 0;
    for (int i = 0; i < n; i++) {
        uint64_t bytes = (uint64_t)cg_numel(items[i].t) * (uint64_t)items[i].dtype->size;
        if (i) puts_(h, ",");
        put_json_string(h, items[i].name);
        puts_(h, ":{\"dtype\":\"");
        puts_(h, items[i].dtype->name);
        puts_(h, "\",\"shape\":[");
        for (int d = 0; d < cg_ndim(items[i].t); d++) {
            snprintf(num, sizeof num, "%s%lld", d ? "," : "", (long long)cg_size(items[i].t, d));
            puts_(h, num);
        }
        snprintf(num, sizeof num, "],\"data_offsets\":[%llu,%llu]}", (unsigned long long)at,
                 (unsigned long long)(at + bytes));
        puts_(h, num);
        at += bytes;
    }
    puts_(h, "}");
    while (h->n % 8) puts_(h, " ");
}

static int write_tensor(FILE *f, const save_item *it) {
    size_t count = (size_t)cg_numel(it->t), bytes = count * (size_t)it->dtype->size;
    unsigned char *buf = malloc(bytes ? bytes : 1);
    if (!buf) { cg_set_error("out of memory saving tensor \"%s\"", it->name); return -1; }
    int rc = cg_copy_to(it->t, buf, count, cg_get_dtype(it->t));
    if (rc == 0) {
        swap_bytes(buf, bytes, it->dtype->size);
        if (fwrite(buf, 1, bytes, f) != bytes) { cg_set_error("safetensors: write error"); rc = -1; }
    }
    free(buf);
    return rc;
}

int cg_safetensors_save(const char *path, const cg_named_tensors *tensors, const char *const *metadata) {
    if (!path || !tensors || tensors->n < 0 || (tensors->n && (!tensors->names || !tensors->tensors))) return -1;
    for (int i = 0; metadata && metadata[i]; i += 2)
        if (!metadata[i + 1]) { cg_set_error("safetensors: metadata key \"%s\" has no value", metadata[i]); return -1; }
    int n = tensors->n;
    save_item *items = malloc((size_t)(n ? n : 1) * sizeof *items);
    if (!items) { cg_set_error("out of memory"); return -1; }
    if (check_items(tensors, items) != 0) { free(items); return -1; }
    if (n) qsort(items, (size_t)n, sizeof *items, save_order);
    text h = {0};
    put_header(&h, items, n, metadata);
    if (h.oom) { free(h.s); free(items); cg_set_error("out of memory"); return -1; }
    FILE *f = fopen(path, "wb");
    int rc = f ? 0 : -1;
    if (!f) cg_set_error("safetensors: cannot create %s", path);
    unsigned char len[8];
    for (int i = 0; i < 8; i++) len[i] = (unsigned char)((uint64_t)h.n >> (8 * i));
    if (rc == 0 && (fwrite(len, 1, 8, f) != 8 || fwrite(h.s, 1, h.n, f) != h.n)) {
        cg_set_error("safetensors: write error");
        rc = -1;
    }
    for (int i = 0; rc == 0 && i < n; i++) rc = write_tensor(f, &items[i]);
    if (f && fclose(f) != 0 && rc == 0) { cg_set_error("safetensors: write error"); rc = -1; }
    if (f && rc != 0) remove(path);
    free(h.s);
    free(items);
    return rc;
}
