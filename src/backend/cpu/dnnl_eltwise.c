#include "backend/cpu/dnnl_eltwise.h"

#ifdef CG_HAVE_DNNL

#include "backend/cpu/dnnl_conv.h" /* cg_dnnl_engine */

#include <dnnl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

/* libgomp's (libdnnl runs its loops on OpenMP): one thread, as for the convolutions (dnnl_conv.c),
 * so that no OpenMP pool is started; the values do not depend on it. */
int omp_get_max_threads(void);
void omp_set_num_threads(int n);

/* The primitive is the same for every length: a dense buffer runs the same code on each element,
 * so one 1-dim primitive per length is made, the last few kept (a training loop meets few). */
enum { CACHE_SIZE = 8 };
static struct {
    int64_t n;
    dnnl_primitive_t prim;
} cache[CACHE_SIZE];
static int cache_next;
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

static void desc_of(int64_t n, dnnl_memory_desc_t *md) {
    dnnl_dims_t dims = {n};
    dnnl_memory_desc_init_by_tag(md, 1, dims, dnnl_f32, dnnl_x);
}

static void close_at_exit(void) {
    for (int i = 0; i < CACHE_SIZE; i++)
        if (cache[i].prim) dnnl_primitive_destroy(cache[i].prim), cache[i].prim = NULL;
}

static dnnl_primitive_t make_gelu(dnnl_engine_t engine, int64_t n) {
    dnnl_memory_desc_t md;
    dnnl_eltwise_desc_t ed;
    dnnl_primitive_desc_t pd = NULL;
    dnnl_primitive_t prim = NULL;
    desc_of(n, &md);
    if (dnnl_eltwise_forward_desc_init(&ed, dnnl_forward_training, dnnl_eltwise_gelu_erf, &md, 0, 0) == dnnl_success &&
        dnnl_primitive_desc_create(&pd, &ed, NULL, engine, NULL) == dnnl_success &&
        dnnl_primitive_create(&prim, pd) != dnnl_success)
        prim = NULL;
    if (pd) dnnl_primitive_desc_destroy(pd);
    return prim;
}

/* The cached primitive for n (made when missing); NULL when oneDNN fails. Called under the lock. */
static dnnl_primitive_t gelu_for(dnnl_engine_t engine, int64_t n) {
    for (int i = 0; i < CACHE_SIZE; i++)
        if (cache[i].prim && cache[i].n == n) return cache[i].prim;
    static bool registered;
    if (!registered && atexit(close_at_exit) != 0) return NULL; /* valgrind: nothing left reachable */
    registered = true;
    dnnl_primitive_t prim = make_gelu(engine, n);
    if (!prim) return NULL;
    if (cache[cache_next].prim) dnnl_primitive_destroy(cache[cache_next].prim);
    cache[cache_next].n = n, cache[cache_next].prim = prim;
    cache_next = (cache_next + 1) % CACHE_SIZE;
    return prim;
}

int cg_dnnl_gelu_erf(const float *in, float *out, int64_t n) {
    dnnl_engine_t engine = cg_dnnl_engine();
    if (!engine) return 0;
    dnnl_memory_desc_t md;
    dnnl_memory_t src = NULL, dst = NULL;
    dnnl_stream_t stream = NULL;
    desc_of(n, &md);
    int rc = 0;
    pthread_mutex_lock(&cache_lock);
    dnnl_primitive_t prim = gelu_for(engine, n);
    if (prim && dnnl_memory_create(&src, &md, engine, (void *)in) == dnnl_success &&
        dnnl_memory_create(&dst, &md, engine, out) == dnnl_success &&
        dnnl_stream_create(&stream, engine, dnnl_stream_default_flags) == dnnl_success) {
        dnnl_exec_arg_t args[] = {{DNNL_ARG_SRC, src}, {DNNL_ARG_DST, dst}};
        int threads = omp_get_max_threads();
        omp_set_num_threads(1);
        rc = dnnl_primitive_execute(prim, stream, 2, args) == dnnl_success && dnnl_stream_wait(stream) == dnnl_success;
        omp_set_num_threads(threads);
    }
    pthread_mutex_unlock(&cache_lock);
    if (stream) dnnl_stream_destroy(stream);
    if (src) dnnl_memory_destroy(src);
    if (dst) dnnl_memory_destroy(dst);
    return rc;
}

#else

int cg_dnnl_gelu_erf(const float *in, float *out, int64_t n) {
    (void)in, (void)out, (void)n;
    return 0;
}

#endif
