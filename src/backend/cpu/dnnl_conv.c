#include "backend/cpu/dnnl_conv.h"

#ifdef CG_HAVE_DNNL

#include "core/alloc.h"

#include <dnnl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* libgomp's (libdnnl runs its loops on OpenMP): declared here so the library builds without -fopenmp. */
int omp_get_max_threads(void);
void omp_set_num_threads(int n);

/* The three primitives of a convolution, and the arguments each takes in the order of its kernel's
 * call: forward (src, weights, bias, dst), backward data (diff_dst, weights, diff_src) and backward
 * weights (src, diff_dst, diff_weights). */
typedef enum { FORWARD, BACKWARD_DATA, BACKWARD_WEIGHTS } conv_kind;
enum { MAX_ARGS = 4 };

/* A primitive made for one kind and shape, with what each argument needs: its layout in cgrad
 * (plain nchw, oihw / goihw, x) and the layout the primitive chose, and the reorder between them
 * when they differ (NULL when the primitive takes the plain layout itself). */
enum { KEY_LEN = 18 };
typedef struct {
    int64_t key[KEY_LEN]; /* key_of */
    int nargs;
    int arg[MAX_ARGS];  /* DNNL_ARG_* */
    bool output[MAX_ARGS];
    dnnl_memory_desc_t plain[MAX_ARGS], chosen[MAX_ARGS];
    dnnl_primitive_t reorder[MAX_ARGS];
    dnnl_memory_desc_t scratch;
    dnnl_primitive_t prim;
} conv_entry;

/* PyTorch keeps its primitives in a cache too (ideep's); a training loop meets a few shapes. */
enum { CACHE_SIZE = 32 };
static conv_entry *cache[CACHE_SIZE];
static int cache_next;
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static dnnl_engine_t engine;
static bool engine_failed;

static void entry_free(conv_entry *e) {
    if (!e) return;
    for (int i = 0; i < e->nargs; i++)
        if (e->reorder[i]) dnnl_primitive_destroy(e->reorder[i]);
    if (e->prim) dnnl_primitive_destroy(e->prim);
    free(e);
}

static void close_at_exit(void) {
    for (int i = 0; i < CACHE_SIZE; i++) entry_free(cache[i]), cache[i] = NULL;
    if (engine) dnnl_engine_destroy(engine), engine = NULL;
}

static bool start_engine(void) {
    if (engine || engine_failed) return engine != NULL;
    /* oneDNN's own cache would keep every primitive to the end of the program: ours is enough */
    if (dnnl_set_primitive_cache_capacity(0) != dnnl_success || dnnl_engine_create(&engine, dnnl_cpu, 0) != dnnl_success ||
        atexit(close_at_exit) != 0) {
        engine_failed = true;
        if (engine) dnnl_engine_destroy(engine), engine = NULL;
    }
    return engine != NULL;
}

dnnl_engine_t cg_dnnl_engine(void) {
    pthread_mutex_lock(&cache_lock);
    bool ok = start_engine();
    pthread_mutex_unlock(&cache_lock);
    return ok ? engine : NULL;
}

/* What makes one primitive differ from another (the shape's numbers one by one: it has padding). */
static void key_of(conv_kind kind, bool bias, const cg_conv2d_shape *s, int64_t *key) {
    const int64_t k[KEY_LEN] = {kind, bias, s->batch, s->in_channels, s->out_channels, s->groups, s->in_h, s->in_w,
                                s->out_h, s->out_w, s->kernel_h, s->kernel_w, s->stride_h, s->stride_w, s->pad_h,
                                s->pad_w, s->dilation_h, s->dilation_w};
    memcpy(key, k, sizeof k);
}

/* The plain layouts of a convolution's operands. */
static void plain_descs(const cg_conv2d_shape *s, dnnl_memory_desc_t *src, dnnl_memory_desc_t *wei, dnnl_memory_desc_t *bia,
                        dnnl_memory_desc_t *dst, dnnl_format_tag_t tag) {
    dnnl_dims_t x = {s->batch, s->in_channels, s->in_h, s->in_w}, y = {s->batch, s->out_channels, s->out_h, s->out_w};
    dnnl_dims_t w = {s->out_channels, s->in_channels / s->groups, s->kernel_h, s->kernel_w};
    dnnl_dims_t gw = {s->groups, s->out_channels / s->groups, s->in_channels / s->groups, s->kernel_h, s->kernel_w};
    dnnl_dims_t b = {s->out_channels};
    dnnl_memory_desc_init_by_tag(src, 4, x, dnnl_f32, tag ? tag : dnnl_nchw);
    dnnl_memory_desc_init_by_tag(dst, 4, y, dnnl_f32, tag ? tag : dnnl_nchw);
    if (s->groups > 1)
        dnnl_memory_desc_init_by_tag(wei, 5, gw, dnnl_f32, tag ? tag : dnnl_goihw);
    else
        dnnl_memory_desc_init_by_tag(wei, 4, w, dnnl_f32, tag ? tag : dnnl_oihw);
    dnnl_memory_desc_init_by_tag(bia, 1, b, dnnl_f32, dnnl_x);
}

/* The operation descriptor of one kind; its operands' layouts as PyTorch's ideep leaves them to
 * the primitive (any), but the forward input as it is (plain). */
static dnnl_status_t op_desc(conv_kind kind, bool bias, const cg_conv2d_shape *s, dnnl_convolution_desc_t *cd) {
    dnnl_memory_desc_t src, wei, bia, dst, psrc, pwei, pbia, pdst;
    plain_descs(s, &psrc, &pwei, &pbia, &pdst, 0);
    plain_descs(s, &src, &wei, &bia, &dst, dnnl_format_tag_any);
    dnnl_dims_t strides = {s->stride_h, s->stride_w}, dil = {s->dilation_h - 1, s->dilation_w - 1};
    dnnl_dims_t pad = {s->pad_h, s->pad_w};
    switch (kind) {
    case FORWARD:
        return dnnl_dilated_convolution_forward_desc_init(cd, dnnl_forward_training, dnnl_convolution_direct, &psrc, &wei,
                                                          bias ? &pbia : NULL, &dst, strides, dil, pad, pad);
    case BACKWARD_DATA:
        return dnnl_dilated_convolution_backward_data_desc_init(cd, dnnl_convolution_direct, &src, &wei, &dst, strides, dil,
                                                                pad, pad);
    default:
        return dnnl_dilated_convolution_backward_weights_desc_init(cd, dnnl_convolution_direct, &src, &wei,
                                                                   bias ? &pbia : NULL, &dst, strides, dil, pad, pad);
    }
}

/* Argument i of the entry: its DNNL_ARG, the query for the layout the primitive chose, and its
 * plain layout. */
static void add_arg(conv_entry *e, int arg, bool output, const dnnl_memory_desc_t *plain) {
    e->arg[e->nargs] = arg;
    e->output[e->nargs] = output;
    e->plain[e->nargs] = *plain;
    e->nargs++;
}

static dnnl_status_t reorder_between(const dnnl_memory_desc_t *from, const dnnl_memory_desc_t *to, dnnl_primitive_t *out) {
    dnnl_primitive_desc_t pd;
    dnnl_status_t st = dnnl_reorder_primitive_desc_create(&pd, from, engine, to, engine, NULL);
    if (st != dnnl_success) return st;
    st = dnnl_primitive_create(out, pd);
    dnnl_primitive_desc_destroy(pd);
    return st;
}

/* A new entry for kind and shape, NULL when oneDNN cannot make it. */
static conv_entry *entry_new(conv_kind kind, bool bias, const cg_conv2d_shape *s) {
    conv_entry *e = calloc(1, sizeof *e);
    if (!e) return NULL;
    key_of(kind, bias, s, e->key);
    dnnl_memory_desc_t src, wei, bia, dst;
    plain_descs(s, &src, &wei, &bia, &dst, 0);
    dnnl_convolution_desc_t cd, fwd_cd;
    dnnl_primitive_desc_t fwd = NULL, pd = NULL;
    dnnl_primitive_attr_t attr = NULL;
    bool ok = op_desc(kind, bias, s, &cd) == dnnl_success && dnnl_primitive_attr_create(&attr) == dnnl_success &&
              dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user) == dnnl_success;
    /* the backward primitives take the forward one as their hint, as ideep gives it */
    if (ok && kind != FORWARD)
        ok = op_desc(FORWARD, bias, s, &fwd_cd) == dnnl_success &&
             dnnl_primitive_desc_create(&fwd, &fwd_cd, NULL, engine, NULL) == dnnl_success;
    ok = ok && dnnl_primitive_desc_create(&pd, &cd, attr, engine, fwd) == dnnl_success;
    if (ok) {
        if (kind == FORWARD) {
            add_arg(e, DNNL_ARG_SRC, false, &src), add_arg(e, DNNL_ARG_WEIGHTS, false, &wei);
            if (bias) add_arg(e, DNNL_ARG_BIAS, false, &bia);
            add_arg(e, DNNL_ARG_DST, true, &dst);
        } else if (kind == BACKWARD_DATA) {
            add_arg(e, DNNL_ARG_DIFF_DST, false, &dst), add_arg(e, DNNL_ARG_WEIGHTS, false, &wei);
            add_arg(e, DNNL_ARG_DIFF_SRC, true, &src);
        } else {
            add_arg(e, DNNL_ARG_SRC, false, &src), add_arg(e, DNNL_ARG_DIFF_DST, false, &dst);
            add_arg(e, DNNL_ARG_DIFF_WEIGHTS, true, &wei);
            if (bias) add_arg(e, DNNL_ARG_DIFF_BIAS, true, &bia);
        }
        for (int i = 0; ok && i < e->nargs; i++) {
            e->chosen[i] = *dnnl_primitive_desc_query_md(pd, dnnl_query_exec_arg_md, e->arg[i]);
            if (!dnnl_memory_desc_equal(&e->chosen[i], &e->plain[i]))
                ok = (e->output[i] ? reorder_between(&e->chosen[i], &e->plain[i], &e->reorder[i])
                                   : reorder_between(&e->plain[i], &e->chosen[i], &e->reorder[i])) == dnnl_success;
        }
        e->scratch = *dnnl_primitive_desc_query_md(pd, dnnl_query_scratchpad_md, 0);
        ok = ok && dnnl_primitive_create(&e->prim, pd) == dnnl_success;
    }
    if (pd) dnnl_primitive_desc_destroy(pd);
    if (fwd) dnnl_primitive_desc_destroy(fwd);
    if (attr) dnnl_primitive_attr_destroy(attr);
    if (!ok) entry_free(e), e = NULL;
    return e;
}

/* The cached entry for kind and shape (made on first use; cache_lock held); NULL where oneDNN has none. */
static conv_entry *entry_for(conv_kind kind, bool bias, const cg_conv2d_shape *s) {
    conv_entry *found = NULL;
    int64_t key[KEY_LEN];
    key_of(kind, bias, s, key);
    for (int i = 0; i < CACHE_SIZE && !found; i++)
        if (cache[i] && !memcmp(cache[i]->key, key, sizeof key)) found = cache[i];
    if (!found && start_engine() && (found = entry_new(kind, bias, s))) {
        entry_free(cache[cache_next]);
        cache[cache_next] = found;
        cache_next = (cache_next + 1) % CACHE_SIZE;
    }
    return found;
}

static dnnl_status_t execute(dnnl_primitive_t prim, dnnl_stream_t stream, int nargs, const dnnl_exec_arg_t *args) {
    dnnl_status_t st = dnnl_primitive_execute(prim, stream, nargs, args);
    return st == dnnl_success ? dnnl_stream_wait(stream) : st;
}

static dnnl_status_t reorder(dnnl_primitive_t r, dnnl_stream_t stream, dnnl_memory_t from, dnnl_memory_t to) {
    return execute(r, stream, 2, (dnnl_exec_arg_t[]){{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}});
}

/* Runs the entry on the operands (in the entry's order): inputs reordered into the primitive's
 * layouts, the primitive, outputs reordered back. 1 when done, 0 when oneDNN failed (the outputs
 * unspecified, for the caller's own kernel to compute), -1 when out of memory (the message set). */
static int run_entry(const conv_entry *e, void *const *data) {
    dnnl_stream_t stream = NULL;
    dnnl_memory_t user[MAX_ARGS] = {0}, mem[MAX_ARGS] = {0}, scratch_mem = NULL;
    void *buf[MAX_ARGS] = {0}, *scratch = NULL;
    int rc = 1;
    size_t scratch_bytes = dnnl_memory_desc_get_size(&e->scratch);
    if (scratch_bytes && !(scratch = cg_malloc(scratch_bytes))) rc = -1;
    for (int i = 0; rc == 1 && i < e->nargs; i++)
        if (e->reorder[i] && !(buf[i] = cg_malloc(dnnl_memory_desc_get_size(&e->chosen[i])))) rc = -1;
    if (rc == 1 && dnnl_stream_create(&stream, engine, dnnl_stream_default_flags) != dnnl_success) rc = 0;
    for (int i = 0; rc == 1 && i < e->nargs; i++) {
        if (dnnl_memory_create(&user[i], &e->plain[i], engine, data[i]) != dnnl_success ||
            (e->reorder[i] && dnnl_memory_create(&mem[i], &e->chosen[i], engine, buf[i]) != dnnl_success))
            rc = 0;
    }
    if (rc == 1 && scratch && dnnl_memory_create(&scratch_mem, &e->scratch, engine, scratch) != dnnl_success) rc = 0;
    dnnl_exec_arg_t args[MAX_ARGS + 1];
    for (int i = 0; rc == 1 && i < e->nargs; i++) {
        args[i] = (dnnl_exec_arg_t){e->arg[i], e->reorder[i] ? mem[i] : user[i]};
        if (e->reorder[i] && !e->output[i] && reorder(e->reorder[i], stream, user[i], mem[i]) != dnnl_success) rc = 0;
    }
    int nargs = e->nargs;
    if (scratch_mem) args[nargs++] = (dnnl_exec_arg_t){DNNL_ARG_SCRATCHPAD, scratch_mem};
    if (rc == 1 && execute(e->prim, stream, nargs, args) != dnnl_success) rc = 0;
    for (int i = 0; rc == 1 && i < e->nargs; i++)
        if (e->reorder[i] && e->output[i] && reorder(e->reorder[i], stream, mem[i], user[i]) != dnnl_success) rc = 0;
    for (int i = 0; i < e->nargs; i++) {
        if (user[i]) dnnl_memory_destroy(user[i]);
        if (mem[i]) dnnl_memory_destroy(mem[i]);
        cg_free(buf[i]);
    }
    if (scratch_mem) dnnl_memory_destroy(scratch_mem);
    if (stream) dnnl_stream_destroy(stream);
    cg_free(scratch);
    return rc;
}

/* One thread for oneDNN, whatever cgrad's count (PyTorch runs it so at torch.set_num_threads(1), and
 * its weight gradient splits its sums by thread): the caller's OpenMP setting is put back after. */
static int run_conv(conv_kind kind, bool bias, const cg_conv2d_shape *s, void *const *data) {
    int saved = omp_get_max_threads(), rc = 0;
    omp_set_num_threads(1);
    pthread_mutex_lock(&cache_lock); /* held while it runs: another thread's new entry may evict this one */
    const conv_entry *e = entry_for(kind, bias, s);
    if (e) rc = run_entry(e, data);
    pthread_mutex_unlock(&cache_lock);
    omp_set_num_threads(saved);
    return rc;
}

int cg_dnnl_conv2d(const cg_conv2d_shape *s, const float *input, const float *weight, const float *bias, float *out) {
    return run_conv(FORWARD, bias != NULL, s,
                    bias ? (void *[]){(void *)input, (void *)weight, (void *)bias, out} : (void *[]){(void *)input, (void *)weight, out});
}

int cg_dnnl_conv2d_backward_input(const cg_conv2d_shape *s, const float *grad_output, const float *weight, float *grad_input) {
    return run_conv(BACKWARD_DATA, false, s, (void *[]){(void *)grad_output, (void *)weight, grad_input});
}

int cg_dnnl_conv2d_backward_weight(const cg_conv2d_shape *s, const float *input, const float *grad_output,
                                   float *grad_weight, float *grad_bias) {
    return run_conv(BACKWARD_WEIGHTS, grad_bias != NULL, s,
                    grad_bias ? (void *[]){(void *)input, (void *)grad_output, grad_weight, grad_bias}
                              : (void *[]){(void *)input, (void *)grad_output, grad_weight});
}

#else

int cg_dnnl_conv2d(const cg_conv2d_shape *s, const float *input, const float *weight, const float *bias, float *out) {
    (void)s, (void)input, (void)weight, (void)bias, (void)out;
    return 0;
}

int cg_dnnl_conv2d_backward_input(const cg_conv2d_shape *s, const float *grad_output, const float *weight, float *grad_input) {
    (void)s, (void)grad_output, (void)weight, (void)grad_input;
    return 0;
}

int cg_dnnl_conv2d_backward_weight(const cg_conv2d_shape *s, const float *input, const float *grad_output,
                                   float *grad_weight, float *grad_bias) {
    (void)s, (void)input, (void)grad_output, (void)grad_weight, (void)grad_bias;
    return 0;
}

#endif
