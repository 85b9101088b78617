/* The pool: workers sleep on a condition variable until a region publishes a job (a new
 * generation), then claim pieces with an atomic counter alongside the caller, which claims too, so
 * a worker that wakes late costs nothing but its share. One region runs at a time; a region started
 * while another holds the pool runs inline, so user threads never wait on one another here. */
#include "backend/cpu/parallel.h"

#include "core/tensor.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static struct {
    pthread_mutex_t lock; /* guards everything below but the atomics */
    pthread_cond_t wake;  /* a new generation, or stop */
    pthread_cond_t done;  /* the last piece finished, or a worker left a job */
    pthread_t *workers;
    int nworkers;
    bool busy, stop, closed; /* closed: joined at exit, regions run inline from then on */
    uint64_t generation;
    int active; /* workers between taking a job and leaving it */
    /* the job: written under lock with no worker active, read by workers of its generation */
    cg_parallel_fn fn;
    void *ctx;
    int64_t begin, end, chunk;
    int pieces, job_workers; /* job_workers: how many workers may take pieces */
    atomic_int next, finished;
} pool = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER, .done = PTHREAD_COND_INITIALIZER};

/* A region is cut into up to this many pieces per thread, claimed as threads come free: on a loaded
 * machine a thread that starts late, or is preempted, then holds up only a small piece. */
#define PIECES_PER_THREAD 4

static atomic_int num_threads; /* 0 until the default is decided */
static _Thread_local bool in_region;

bool cg_in_parallel_region(void) { return in_region; }

/* Runs pieces until none is left unclaimed. */
static void claim_pieces(void) {
    in_region = true;
    for (;;) {
        int i = atomic_fetch_add(&pool.next, 1);
        if (i >= pool.pieces) break;
        int64_t b = pool.begin + i * pool.chunk, e = b + pool.chunk < pool.end ? b + pool.chunk : pool.end;
        pool.fn(b, e, pool.ctx);
        if (atomic_fetch_add(&pool.finished, 1) + 1 == pool.pieces) {
            pthread_mutex_lock(&pool.lock);
            pthread_cond_broadcast(&pool.done);
            pthread_mutex_unlock(&pool.lock);
        }
    }
    in_region = false;
}

/* A worker starts with generation 0 seen, so it takes the job it was started for (published
 * after its creation, under the same hold of the lock), or finds that job done and waits. */
static void *worker_main(void *arg) {
    const int index = (int)(intptr_t)arg; /* workers past the job's count sit it out */
    uint64_t seen = 0;
    pthread_mutex_lock(&pool.lock);
    for (;;) {
        while (!pool.stop && pool.generation == seen) pthread_cond_wait(&pool.wake, &pool.lock);
        if (pool.stop) break;
        seen = pool.generation;
        if (index >= pool.job_workers) continue;
        pool.active++;
        pthread_mutex_unlock(&pool.lock);
        claim_pieces();
        pthread_mutex_lock(&pool.lock);
        if (--pool.active == 0) pthread_cond_broadcast(&pool.done);
    }
    pthread_mutex_unlock(&pool.lock);
    return NULL;
}

/* At exit the workers are joined, so nothing of the pool is left (valgrind sees no leak). */
static void shut_down(void) {
    pthread_mutex_lock(&pool.lock);
    pool.stop = pool.closed = true;
    pthread_cond_broadcast(&pool.wake);
    pthread_mutex_unlock(&pool.lock);
    for (int i = 0; i < pool.nworkers; i++) pthread_join(pool.workers[i], NULL);
    free(pool.workers);
    pool.workers = NULL;
    pool.nworkers = 0;
}

/* A forked child has none of the parent's workers: it starts a pool of its own when it needs one. */
static void after_fork_in_child(void) {
    pthread_mutex_init(&pool.lock, NULL);
    pthread_cond_init(&pool.wake, NULL);
    pthread_cond_init(&pool.done, NULL);
    free(pool.workers);
    pool.workers = NULL;
    pool.nworkers = pool.active = 0;
    pool.busy = false;
    in_region = false;
}

/* Grows the pool to n workers if it can (under lock); returns how many it has. */
static int ensure_workers(int n) {
    static bool registered;
    if (!registered) {
        if (atexit(shut_down) != 0 || pthread_atfork(NULL, NULL, after_fork_in_child) != 0) return 0;
        registered = true;
    }
    if (n > pool.nworkers) {
        pthread_t *grown = realloc(pool.workers, (size_t)n * sizeof *grown);
        if (!grown) return pool.nworkers;
        pool.workers = grown;
        while (pool.nworkers < n && pthread_create(&pool.workers[pool.nworkers], NULL, worker_main,
                                                     (void *)(intptr_t)pool.nworkers) == 0)
            pool.nworkers++;
    }
    return pool.nworkers;
}

/* Publishes the job to the workers; false (run it inline) when the pool is taken or has none. */
static bool start_job(int64_t begin, int64_t end, int64_t chunk, int pieces, int workers, cg_parallel_fn fn,
                      void *ctx) {
    pthread_mutex_lock(&pool.lock);
    if (pool.busy || pool.closed || ensure_workers(workers) == 0) {
        pthread_mutex_unlock(&pool.lock);
        return false;
    }
    pool.busy = true;
    while (pool.active > 0) pthread_cond_wait(&pool.done, &pool.lock); /* late workers of the last job */
    pool.fn = fn;
    pool.ctx = ctx;
    pool.begin = begin;
    pool.end = end;
    pool.chunk = chunk;
    pool.pieces = pieces;
    pool.job_workers = workers;
    atomic_store(&pool.next, 0);
    atomic_store(&pool.finished, 0);
    pool.generation++;
    pthread_cond_broadcast(&pool.wake);
    pthread_mutex_unlock(&pool.lock);
    return true;
}

static void finish_job(void) {
    pthread_mutex_lock(&pool.lock);
    while (atomic_load(&pool.finished) < pool.pieces) pthread_cond_wait(&pool.done, &pool.lock);
    pool.busy = false;
    pthread_mutex_unlock(&pool.lock);
}

void cg_parallel_for(int64_t begin, int64_t end, int64_t grain, cg_parallel_fn fn, void *ctx) {
    int64_t n = end - begin;
    if (n <= 0) return;
    if (grain < 1) grain = 1;
    int threads = n > grain && !in_region ? cg_get_num_threads() : 1;
    int64_t most = (n + grain - 1) / grain, want = 1; /* pieces of at least grain */
    if (threads > 1) {
        if (most < threads) threads = (int)most;
        want = most < (int64_t)threads * PIECES_PER_THREAD ? most : (int64_t)threads * PIECES_PER_THREAD;
    }
    int64_t chunk = (n + want - 1) / want;
    int pieces = (int)((n + chunk - 1) / chunk);
    if (pieces <= 1 || !start_job(begin, end, chunk, pieces, threads - 1, fn, ctx)) {
        fn(begin, end, ctx);
        return;
    }
    claim_pieces();
    finish_job();
}

/* ---- the thread count ---- */

/* Physical cores, as PyTorch's default counts them: the CPUs that are the first of their core's
 * hardware threads (sysfs topology), or every online CPU where sysfs does not say. */
static int physical_cores(void) {
    long cpus = sysconf(_SC_NPROCESSORS_CONF), cores = 0;
    for (long cpu = 0; cpu < cpus; cpu++) {
        char path[96];
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%ld/topology/thread_siblings_list", cpu);
        FILE *f = fopen(path, "r");
        if (!f) continue;
        long first = -1;
        if (fscanf(f, "%ld", &first) == 1 && first == cpu) cores++;
        fclose(f);
    }
    if (cores < 1) cores = sysconf(_SC_NPROCESSORS_ONLN);
    return cores < 1 ? 1 : cores > 1024 ? 1024 : (int)cores;
}

/* OMP_NUM_THREADS when it is a positive number, as PyTorch reads it; else the physical cores. */
static int default_threads(void) {
    const char *env = getenv("OMP_NUM_THREADS");
    if (env && *env) {
        char *rest;
        long n = strtol(env, &rest, 10);
        if (*rest == '\0' && n > 0 && n <= 1024) return (int)n;
    }
    return physical_cores();
}

/* The default is decided once, on first use, unless cg_set_num_threads came first. */
static void decide_default(void) {
    int unset = 0;
    atomic_compare_exchange_strong(&num_threads, &unset, default_threads());
}

int cg_get_num_threads(void) {
    int n = atomic_load(&num_threads);
    if (n > 0) return n;
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, decide_default);
    return atomic_load(&num_threads);
}

int cg_set_num_threads(int n) {
    if (n <= 0) {
        cg_set_error("set_num_threads expects a positive integer");
        return -1;
    }
    /* OpenBLAS keeps its own count (OPENBLAS_NUM_THREADS, else every CPU), as under PyTorch, which
     * never sets it: OpenBLAS's gemm blocks K differently with threads than without, and gemv
     * splits its sums by thread, so following this count would change matrix products' bits. */
    atomic_store(&num_threads, n);
    return 0;
}
