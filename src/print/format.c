/* PyTorch 1.13's tensor repr (torch/_tensor_str.py with default print options), byte for byte.
 *
 * The repr is built in a growing buffer in three steps: one formatter for the whole tensor (a
 * number style and a column width, chosen from the values that will be shown), the nested
 * brackets with their line breaks, then the suffixes. Elements are read through the strides, so
 * views print without a copy. */
#include "print/format.h"

#include "autograd/autograd.h"
#include "backend/backend.h"

#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum {
    PRECISION = 4,    /* digits after the point */
    THRESHOLD = 1000, /* more elements than this are summarized */
    EDGE_ITEMS = 3,   /* elements shown at each end of a summarized dim */
    LINE_WIDTH = 80,
    PREFIX_LEN = 7,   /* strlen("tensor(") */
    NUMBER_MAX = 64,  /* room for one formatted element (no shown float needs more) */
};

/* ---- a growing string ---- */

typedef struct {
    char *data;
    size_t len, cap;
    bool failed;  /* an allocation failed: the content is incomplete */
} strbuf;

static bool sb_reserve(strbuf *sb, size_t extra) {
    if (sb->failed) return false;
    if (sb->len + extra + 1 <= sb->cap) return true;
    size_t cap = sb->cap ? sb->cap : 256;
    while (cap < sb->len + extra + 1) cap *= 2;
    char *data = cg_realloc(sb->data, cap);
    if (!data) {
        sb->failed = true;
        return false;
    }
    sb->data = data;
    sb->cap = cap;
    return true;
}

static void sb_append(strbuf *sb, const char *s, size_t n) {
    if (!sb_reserve(sb, n)) return;
    memcpy(sb->data + sb->len, s, n);
    sb->len += n;
    sb->data[sb->len] = '\0';
}

static void sb_puts(strbuf *sb, const char *s) { sb_append(sb, s, strlen(s)); }

static void sb_repeat(strbuf *sb, char c, size_t n) {
    if (!sb_reserve(sb, n)) return;
    memset(sb->data + sb->len, c, n);
    sb->len += n;
    sb->data[sb->len] = '\0';
}

/* ---- which elements are shown ---- */

/* A summarized dim longer than 2 * EDGE_ITEMS shows its first and last EDGE_ITEMS entries with a
 * "..." item between them. Items are numbered 0..count-1; index -1 stands for the "...". */
static bool dim_is_cut(int64_t size, bool summarize) { return summarize && size > 2 * EDGE_ITEMS; }

static int64_t item_count(int64_t size, bool summarize) {
    return dim_is_cut(size, summarize) ? 2 * EDGE_ITEMS + 1 : size;
}

static int64_t item_index(int64_t size, bool summarize, int64_t item) {
    if (!dim_is_cut(size, summarize) || item < EDGE_ITEMS) return item;
    if (item == EDGE_ITEMS) return -1;
    return size - (2 * EDGE_ITEMS + 1) + item;
}

typedef void (*element_fn)(const char *element, void *ctx);

/* Calls fn on every shown element of t from dim on, starting at the element offset given; the
 * elements are read from host, t's values copied to the host in row-major order (t's strides are
 * those of that copy). */
static void for_each_shown(const cg_tensor *t, const char *host, bool summarize, int dim, int64_t offset,
                           element_fn fn, void *ctx) {
    if (dim == t->ndim) {
        fn(host + offset * (int64_t)cg_elsize(t->dtype), ctx);
        return;
    }
    int64_t size = t->sizes[dim], count = item_count(size, summarize);
    for (int64_t item = 0; item < count; item++) {
        int64_t index = item_index(size, summarize, item);
        if (index >= 0) for_each_shown(t, host, summarize, dim + 1, offset + index * t->strides[dim], fn, ctx);
    }
}

/* ---- the formatter: one number style and width for every element ---- */

typedef enum { STYLE_PLAIN, STYLE_INT, STYLE_FIXED, STYLE_SCI } number_style;

typedef struct {
    cg_dtype dtype;
    number_style style;  /* STYLE_PLAIN for int64 and bool */
    int width;           /* every element is left-padded with spaces to this */
} formatter;

/* Writes one element, unpadded, to out (NUMBER_MAX bytes); returns its length. Python prints
 * non-finite values bare (and a NaN never with a sign), whatever the style. */
static int format_number(const formatter *f, const char *p, char *out) {
    switch (f->dtype) {
    case CG_BOOL: return snprintf(out, NUMBER_MAX, "%s", *(const bool *)p ? "True" : "False");
    case CG_INT64: return snprintf(out, NUMBER_MAX, "%" PRId64, *(const int64_t *)p);
    case CG_FLOAT32:
    case CG_FLOAT64: break;
    }
    double v = cg_read_double(p, f->dtype);
    if (isnan(v)) return snprintf(out, NUMBER_MAX, "nan");
    if (isinf(v)) return snprintf(out, NUMBER_MAX, v < 0 ? "-inf" : "inf");
    switch (f->style) {
    case STYLE_INT: return snprintf(out, NUMBER_MAX, "%.0f.", v);
    case STYLE_SCI: return snprintf(out, NUMBER_MAX, "%.*e", PRECISION, v);
    case STYLE_FIXED:
    case STYLE_PLAIN: break;  /* floats never get STYLE_PLAIN */
    }
    return snprintf(out, NUMBER_MAX, "%.*f", PRECISION, v);
}

/* What the style depends on: the finite nonzero values' magnitudes and whether all are whole. */
typedef struct {
    cg_dtype dtype;
    bool any;       /* a finite nonzero value was seen */
    bool integral;  /* every one of them is whole */
    double min, max;
} float_stats;

static void gather_stats(const char *p, void *ctx) {
    float_stats *s = ctx;
    double v = cg_read_double(p, s->dtype);
    if (!isfinite(v) || v == 0) return;
    double a = fabs(v);
    if (!s->any || a < s->min) s->min = a;
    if (!s->any || a > s->max) s->max = a;
    s->any = true;
    if (v != ceil(v)) s->integral = false;
}

/* The thresholds compare in double; a float32 value is widened first (float32 1e-4 is below 1e-4). */
static number_style choose_style(const float_stats *s) {
    if (!s->any) return STYLE_INT;
    bool wide = s->max / s->min > 1000.0 || s->max > 1.0e8;
    if (s->integral) return wide ? STYLE_SCI : STYLE_INT;
    return wide || s->min < 1.0e-4 ? STYLE_SCI : STYLE_FIXED;
}

/* The width counts every shown int64/bool value, but only the finite nonzero floats: zeros, NaN
 * and infinities may come out wider and are then left unpadded, as in PyTorch. */
static void widen(const char *p, void *ctx) {
    formatter *f = ctx;
    if (cg_dtype_is_floating(f->dtype)) {
        double v = cg_read_double(p, f->dtype);
        if (!isfinite(v) || v == 0) return;
    }
    char text[NUMBER_MAX];
    int len = format_number(f, p, text);
    if (len > f->width) f->width = len;
}

static formatter make_formatter(const cg_tensor *t, const char *host, bool summarize) {
    formatter f = {.dtype = t->dtype, .style = STYLE_PLAIN, .width = 1};
    if (cg_dtype_is_floating(t->dtype)) {
        float_stats stats = {.dtype = t->dtype, .integral = true};
        for_each_shown(t, host, summarize, 0, 0, gather_stats, &stats);
        f.style = choose_style(&stats);
    }
    for_each_shown(t, host, summarize, 0, 0, widen, &f);
    return f;
}

/* ---- the nested brackets ---- */

typedef struct {
    strbuf *out;
    const cg_tensor *t; /* row-major strides: the host copy's */
    const char *host;
    bool summarize;
    formatter f;
} printer;

static void write_element(printer *pr, int64_t offset) {
    char text[NUMBER_MAX];
    int len = format_number(&pr->f, pr->host + offset * (int64_t)cg_elsize(pr->t->dtype), text);
    if (len < pr->f.width) sb_repeat(pr->out, ' ', (size_t)(pr->f.width - len));
    sb_append(pr->out, text, (size_t)len);
}

/* The last dim: as many items a line as fit in the line width, each counted at width + ", ". */
static void write_vector(printer *pr, int dim, int64_t offset, int indent) {
    int64_t size = pr->t->sizes[dim], count = item_count(size, pr->summarize);
    int per_line = (LINE_WIDTH - indent) / (pr->f.width + 2);
    if (per_line < 1) per_line = 1;
    sb_puts(pr->out, "[");
    for (int64_t item = 0; item < count; item++) {
        if (item > 0 && item % per_line == 0) {
            sb_puts(pr->out, ",\n");
            sb_repeat(pr->out, ' ', (size_t)indent + 1);
        } else if (item > 0) {
            sb_puts(pr->out, ", ");
        }
        int64_t index = item_index(size, pr->summarize, item);
        if (index < 0) sb_puts(pr->out, " ...");
        else write_element(pr, offset + index * pr->t->strides[dim]);
    }
    sb_puts(pr->out, "]");
}

/* Outer dims: sub-tensors separated by a comma, one blank line per dim below the next, and the
 * indent of the brackets' depth. */
static void write_dims(printer *pr, int dim, int64_t offset, int indent) {
    const cg_tensor *t = pr->t;
    if (dim == t->ndim - 1) {
        write_vector(pr, dim, offset, indent);
        return;
    }
    int64_t size = t->sizes[dim], count = item_count(size, pr->summarize);
    sb_puts(pr->out, "[");
    for (int64_t item = 0; item < count; item++) {
        if (item > 0) {
            sb_puts(pr->out, ",");
            sb_repeat(pr->out, '\n', (size_t)(t->ndim - dim - 1));
            sb_repeat(pr->out, ' ', (size_t)indent + 1);
        }
        int64_t index = item_index(size, pr->summarize, item);
        if (index < 0) sb_puts(pr->out, "...");
        else write_dims(pr, dim + 1, offset + index * t->strides[dim], indent + 1);
    }
    sb_puts(pr->out, "]");
}

/* The values are copied to the host first (any backend's copy_to_host), row-major. */
static void write_data(strbuf *out, const cg_tensor *t) {
    if (!cg_has_bytes(t)) {
        sb_puts(out, "...");
        return;
    }
    if (t->numel == 0) {
        sb_puts(out, "[]");
        return;
    }
    char *host = cg_malloc((size_t)t->numel * cg_elsize(t->dtype));
    if (!host || cg_backend_of(t)->copy_to_host(host, t) < 0) {
        cg_free(host);
        out->failed = true;
        return;
    }
    cg_tensor h = *t; /* t's shape with the host copy's strides */
    h.offset = 0;
    cg_contiguous_strides(t->ndim, t->sizes, h.strides);
    bool summarize = t->numel > THRESHOLD;
    printer pr = {.out = out, .t = &h, .host = host, .summarize = summarize, .f = make_formatter(&h, host, summarize)};
    if (t->ndim == 0) write_element(&pr, 0);
    else write_dims(&pr, 0, 0, PREFIX_LEN);
    cg_free(host);
}

/* ---- suffixes ---- */

typedef struct {
    strbuf *out;
    size_t last_line_len;
} suffix_writer;

/* PyTorch measures the last line as its length + 2 (an off-by-two in _add_suffixes), but counts a
 * suffix that starts a new line exactly; both are reproduced. */
static suffix_writer begin_suffixes(strbuf *out) {
    size_t line_start = out->len;
    while (line_start > 0 && out->data[line_start - 1] != '\n') line_start--;
    return (suffix_writer){.out = out, .last_line_len = out->len - line_start + 2};
}

static void add_suffix(suffix_writer *w, const char *suffix) {
    size_t len = strlen(suffix);
    if (w->last_line_len + len + 2 > LINE_WIDTH) {
        sb_puts(w->out, ",\n");
        sb_repeat(w->out, ' ', PREFIX_LEN);
        w->last_line_len = PREFIX_LEN + len;
    } else {
        sb_puts(w->out, ", ");
        w->last_line_len += len + 2;
    }
    sb_puts(w->out, suffix);
}

/* Every suffix, in PyTorch's order: the size of a non-1-D empty tensor; the dtype when it is not
 * float32 (for an empty tensor) or not float32, int64 or bool (otherwise, where the printed values
 * show it); then the caller's (autograd's grad_fn or requires_grad). */
static void write_suffixes(strbuf *out, const cg_tensor *t, const char *const *extra, int n) {
    suffix_writer w = begin_suffixes(out);
    bool meta = !cg_has_bytes(t), empty = t->numel == 0;
    if (meta) {
        char device_text[64];
        snprintf(device_text, sizeof device_text, "device='%s'", cg_backend_of(t)->name);
        add_suffix(&w, device_text);
    }
    if (meta || (empty && t->ndim != 1)) { /* a Python tuple: (), (5,), (2, 3) */
        char size_text[32 + CG_MAX_DIMS * 24] = "size=(";
        size_t len = strlen(size_text);
        for (int d = 0; d < t->ndim; d++)
            len += (size_t)snprintf(size_text + len, sizeof size_text - len, "%s%" PRId64, d ? ", " : "",
                                    t->sizes[d]);
        snprintf(size_text + len, sizeof size_text - len, t->ndim == 1 && meta ? ",)" : ")");
        add_suffix(&w, size_text);
    }
    bool dtype_shown_by_values = t->dtype == CG_FLOAT32 || (!meta && !empty && t->dtype != CG_FLOAT64);
    if (!dtype_shown_by_values) {
        char dtype_text[64];
        snprintf(dtype_text, sizeof dtype_text, "dtype=torch.%s", cg_dtype_name(t->dtype));
        add_suffix(&w, dtype_text);
    }
    for (int i = 0; i < n; i++) add_suffix(&w, extra[i]);
}

/* ---- entry points ---- */

static void render(strbuf *out, const cg_tensor *t, const char *const *extra, int n) {
    if (!t) {
        sb_puts(out, "None");
        return;
    }
    sb_puts(out, "tensor(");
    write_data(out, t);
    write_suffixes(out, t, extra, n);
    sb_puts(out, ")");
}

int cg_format_with_suffixes(const cg_tensor *t, const char *const *suffixes, int n, char *buf,
                            size_t size) {
    if (!buf && size > 0) {
        cg_set_type_error("buf is NULL but size is %zu", size);
        return -1;
    }
    strbuf sb = {0};
    render(&sb, t, suffixes, n);
    int result = -1;
    if (!sb.failed && sb.len <= INT_MAX) {
        result = (int)sb.len;
        if (size > 0) {
            size_t copied = sb.len < size - 1 ? sb.len : size - 1;
            memcpy(buf, sb.data, copied);
            buf[copied] = '\0';
        }
    }
    cg_free(sb.data);
    return result;
}

/* The one place that decides a tensor's own suffixes beyond the data's: autograd adds its
 * grad_fn / requires_grad suffix here. cg_fprint goes through it too. */
int cg_format(const cg_tensor *t, char *buf, size_t size) {
    char grad_fn[128];
    const char *suffix = NULL;
    if (t && cg_history_unreadable(t)) return cg_grad_fn(t) ? 0 : -1; /* PyTorch's repr raises: the message */
    if (t && cg_grad_fn(t)) {
        snprintf(grad_fn, sizeof grad_fn, "grad_fn=<%s>", cg_node_name(cg_grad_fn(t)));
        suffix = grad_fn;
    } else if (cg_requires_grad(t)) {
        suffix = "requires_grad=True";
    }
    return cg_format_with_suffixes(t, &suffix, suffix ? 1 : 0, buf, size);
}

int cg_fprint(FILE *f, const cg_tensor *t) {
    if (!f) {
        cg_set_type_error("cannot print to a NULL FILE");
        return -1;
    }
    int len = cg_format(t, NULL, 0);
    if (len < 0) return -1;
    char *text = cg_malloc((size_t)len + 2);
    if (!text) return -1;
    int result = -1;
    if (cg_format(t, text, (size_t)len + 1) == len) {
        text[len] = '\n';
        if (fwrite(text, 1, (size_t)len + 1, f) == (size_t)len + 1) result = 0;
    }
    cg_free(text);
    return result;
}

int cg_print(const cg_tensor *t) { return cg_fprint(stdout, t); }

int cg_format_size(const cg_tensor *t, char *buf, size_t size) {
    if (!t) return -1;
    if (!buf && size > 0) {
        cg_set_type_error("buf is NULL but size is %zu", size);
        return -1;
    }
    return snprintf(buf, size, "torch.Size(%s)", cg_shape_text(t->ndim, t->sizes).s);
}

int cg_print_size(const cg_tensor *t) {
    char text[300];
    int len = cg_format_size(t, text, sizeof text);
    return len < 0 || printf("%s\n", text) < 0 ? -1 : 0;
}
