/* Threads sharing tensors, parameters and graphs: training threads on one data set, threads
 * accumulating into the same .grad (as PyTorch's AccumulateGrad does, under a lock), backward
 * through graphs that share nodes, the default generator drawn from several threads, and the
 * per-thread state (grad mode, errors, scopes), and ops split over the intra-op pool from several
 * threads at once. `make tsan` runs this under ThreadSanitizer;
 * CG_THREAD_REPEAT=N repeats the whole set N times (the stress campaign). */
#include "harness.h"

#include <pthread.h>
#include <stdlib.h>

#define MAX_THREADS 8
#define ROWS 32
#define COLS 4
#define BATCH 8

static int nthreads = 4;
static int steps = 20;

static cg_tensor *dataset_x, *dataset_y; /* shared by every thread, read only */

static void make_dataset(void) {
    float x[ROWS * COLS], y[ROWS];
    for (int i = 0; i < ROWS * COLS; i++) x[i] = (float)sin(0.37 * i);
    for (int i = 0; i < ROWS; i++) y[i] = (float)cos(0.11 * i);
    dataset_x = cg_retain(cg_tensor_f32(x, ROWS, COLS));
    dataset_y = cg_retain(cg_tensor_f32(y, ROWS, 1));
}

typedef struct {
    cg_tensor *w, *b;
} params;

static params new_params(void) {
    params p = {cg_retain(cg_full_shape(CG_FLOAT32, CG_SHAPE(COLS, 1), 0.1)),
                cg_retain(cg_zeros(1))};
    cg_requires_grad_(p.w, true);
    cg_requires_grad_(p.b, true);
    return p;
}

static void free_params(params p) {
    cg_release(p.w);
    cg_release(p.b);
}

/* The loss of batch k of the shared data set; its backward accumulates into p's .grad. */
static int batch_backward(params p, int k) {
    int status = -1;
    CG_SCOPE {
        int64_t start = (int64_t)(k * BATCH) % ROWS;
        cg_tensor *x = cg_narrow(dataset_x, 0, start, BATCH), *y = cg_narrow(dataset_y, 0, start, BATCH);
        cg_tensor *pred = cg_add(cg_matmul(x, p.w), p.b);
        status = cg_backward(cg_mse_loss(pred, y));
    }
    return status;
}

/* Plain SGD on p: the steps of one training run. */
static int train(params p) {
    for (int k = 0; k < steps; k++) {
        if (batch_backward(p, k) != 0) return -1;
        CG_NO_GRAD {
            cg_sub_(p.w, cg_mul_scalar(cg_grad(p.w), 0.1));
            cg_sub_(p.b, cg_mul_scalar(cg_grad(p.b), 0.1));
        }
        cg_zero_grad(CG_TENSORS(p.w, p.b));
    }
    return 0;
}

static bool same_values(const cg_tensor *a, const cg_tensor *b, double tol) {
    if (!a || !b || cg_numel(a) != cg_numel(b)) return false;
    cg_tensor *da = cg_contiguous(cg_to((cg_tensor *)a, CG_FLOAT64));
    cg_tensor *db = cg_contiguous(cg_to((cg_tensor *)b, CG_FLOAT64));
    return da && db && harness_values_close(da, cg_data_ptr(db), tol);
}

static void run_threads(void *(*fn)(void *), void *args, size_t size) {
    pthread_t threads[MAX_THREADS];
    for (int i = 0; i < nthreads; i++) pthread_create(&threads[i], NULL, fn, (char *)args + (size_t)i * size);
    for (int i = 0; i < nthreads; i++) pthread_join(threads[i], NULL);
}

/* ---- one data set, a training run per thread, each with its own parameters ---- */

typedef struct {
    params p;
    cg_tensor *data_ref; /* a reference to the data set this thread releases */
    int status;
} training;

static void *training_thread(void *arg) {
    training *t = arg;
    t->status = train(t->p);
    cg_release(t->data_ref); /* the shared data set, released from several threads */
    return NULL;
}

static void test_shared_dataset(void) {
    params reference = new_params();
    CHECK(train(reference) == 0);
    training runs[MAX_THREADS];
    for (int i = 0; i < nthreads; i++) runs[i] = (training){new_params(), cg_retain(dataset_x), -1};
    run_threads(training_thread, runs, sizeof runs[0]);
    for (int i = 0; i < nthreads; i++) {
        CHECK(runs[i].status == 0);
        CHECK(same_values(runs[i].p.w, reference.w, 0)); /* the same ops on the same values: the same bits */
        CHECK(same_values(runs[i].p.b, reference.b, 0));
        free_params(runs[i].p);
    }
    free_params(reference);
}

/* ---- shared parameters: every thread's backward accumulates into the same .grad ---- */

typedef struct {
    params p;
    int first;
    int status;
} accumulating;

static void *accumulating_thread(void *arg) {
    accumulating *a = arg;
    a->status = 0;
    for (int k = a->first; k < steps; k += nthreads)
        if (batch_backward(a->p, k) != 0) a->status = -1;
    return NULL;
}

static void test_shared_parameters(void) {
    params shared = new_params();
    cg_tensor *want_w = NULL, *want_b = NULL;
    for (int k = 0; k < steps; k++) CHECK(batch_backward(shared, k) == 0);
    want_w = cg_clone(cg_grad(shared.w));
    want_b = cg_clone(cg_grad(shared.b));
    cg_zero_grad(CG_TENSORS(shared.w, shared.b));
    accumulating runs[MAX_THREADS];
    for (int i = 0; i < nthreads; i++) runs[i] = (accumulating){shared, i, -1};
    run_threads(accumulating_thread, runs, sizeof runs[0]);
    for (int i = 0; i < nthreads; i++) CHECK(runs[i].status == 0);
    CHECK(same_values(cg_grad(shared.w), want_w, 1e-5)); /* the order of the sums differs */
    CHECK(same_values(cg_grad(shared.b), want_b, 1e-5));
    free_params(shared);
}

/* ---- backward through graphs that share nodes ---- */

typedef struct {
    cg_tensor *h; /* shared: tanh(w * x), its nodes in every thread's graph */
    double c;
    int status;
} sharing;

static void *sharing_thread(void *arg) {
    sharing *s = arg;
    for (int k = 0; k < steps; k++)
        CG_SCOPE {
            s->status = cg_backward(cg_sum(cg_mul_scalar(cg_mul(s->h, s->h), s->c)), .retain_graph = true);
        }
    return NULL;
}

static void test_shared_graph(void) {
    cg_tensor *w = cg_requires_grad_(cg_tensor_f64(((double[]){0.3, -0.7, 1.1}), 3), true);
    cg_tensor *h = cg_tanh(cg_mul(w, cg_tensor_f64(((double[]){1.5, 0.5, -2}), 3)));
    CHECK(cg_retain_grad(h) == 0); /* filled by every thread's backward, under h's lock */
    sharing runs[MAX_THREADS];
    double csum = 0;
    for (int i = 0; i < nthreads; i++) {
        runs[i] = (sharing){h, 1.0 + i, -1};
        csum += 1.0 + i;
    }
    run_threads(sharing_thread, runs, sizeof runs[0]);
    for (int i = 0; i < nthreads; i++) CHECK(runs[i].status == 0);
    /* d/dw sum(c h^2) = c * 2 h (1 - h^2) x, summed over threads and steps */
    cg_tensor *want = cg_mul_scalar(cg_mul(cg_mul(h, cg_rsub_scalar(cg_mul(h, h), 1)),
                                           cg_tensor_f64(((double[]){1.5, 0.5, -2}), 3)), 2 * csum * steps);
    CHECK(same_values(cg_grad(w), cg_detach(want), 1e-12));
    CHECK(same_values(cg_grad(h), cg_detach(cg_mul_scalar(h, 2 * csum * steps)), 1e-12)); /* d/dh sum(c h^2) */
}

/* ---- one graph, backward from several threads without retain_graph: the first frees it ---- */

typedef struct {
    cg_tensor *root;
    int status;
    char error[512];
} racing;

static void *racing_thread(void *arg) {
    racing *r = arg;
    r->status = cg_backward(r->root);
    snprintf(r->error, sizeof r->error, "%s", r->status ? cg_last_error() : "");
    return NULL;
}

static void test_shared_graph_freed(void) {
    cg_tensor *w = cg_requires_grad_(cg_tensor_f64(((double[]){0.3, -0.7}), 2), true);
    cg_tensor *h = cg_tanh(w);
    cg_tensor *root = cg_sum(cg_mul(h, h)); /* MulBackward0 saves h twice: one thread frees them */
    racing runs[MAX_THREADS];
    for (int i = 0; i < nthreads; i++) runs[i] = (racing){.root = root};
    run_threads(racing_thread, runs, sizeof runs[0]);
    int succeeded = 0;
    for (int i = 0; i < nthreads; i++) {
        if (runs[i].status == 0) succeeded++;
        else CHECK(!strncmp(runs[i].error, "Trying to backward through the graph a second time", 50));
    }
    CHECK(succeeded == 1);
    /* exactly one backward's gradient: 2 h (1 - h^2) */
    cg_tensor *want = cg_mul_scalar(cg_mul(h, cg_rsub_scalar(cg_mul(h, h), 1)), 2);
    CHECK(same_values(cg_grad(w), cg_detach(want), 1e-12));
}

/* ---- a shared leaf's AccumulateGrad node made, let go and taken again by every thread at once ---- */

typedef struct {
    cg_tensor *w;
    int failures;
} churning;

static void *churning_thread(void *arg) {
    churning *c = arg;
    for (int k = 0; k < 10 * steps; k++)
        CG_SCOPE {
            cg_tensor *y = cg_mul_scalar(c->w, 2.0); /* an edge to w's AccumulateGrad, dropped at once */
            if (k % 4 == 0 && cg_backward(cg_sum(y)) != 0) c->failures++;
        }
    return NULL;
}

static void test_accumulator_churn(void) {
    cg_tensor *w = cg_requires_grad_(cg_ones_shape(CG_FLOAT64, CG_SHAPE(3)), true);
    churning runs[MAX_THREADS];
    for (int i = 0; i < nthreads; i++) runs[i] = (churning){w, 0};
    run_threads(churning_thread, runs, sizeof runs[0]);
    for (int i = 0; i < nthreads; i++) CHECK(runs[i].failures == 0);
    double per_element = 2.0 * nthreads * ((10 * steps + 3) / 4); /* 2 per backward */
    CHECK(same_values(cg_grad(w), cg_full_shape(CG_FLOAT64, CG_SHAPE(3), per_element), 0));
}

/* ---- the default generator: each fill is one piece of the one stream ---- */

#define DRAWS 16
#define FILLS 8

typedef struct {
    float values[FILLS][DRAWS];
} drawing;

static void *drawing_thread(void *arg) {
    drawing *d = arg;
    for (int f = 0; f < FILLS; f++)
        CG_SCOPE {
            cg_tensor *r = cg_rand(DRAWS);
            if (r) memcpy(d->values[f], cg_data_ptr(r), sizeof d->values[f]);
        }
    return NULL;
}

static void test_default_generator(void) {
    int fills = nthreads * FILLS;
    float *stream = malloc((size_t)fills * DRAWS * sizeof *stream);
    cg_manual_seed(1234);
    for (int f = 0; f < fills; f++) memcpy(stream + f * DRAWS, cg_data_ptr(cg_rand(DRAWS)), DRAWS * sizeof *stream);
    cg_manual_seed(1234);
    drawing runs[MAX_THREADS];
    run_threads(drawing_thread, runs, sizeof runs[0]);
    /* Every fill of every thread is one of the sequential stream's fills, and each is used once. */
    bool used[MAX_THREADS * FILLS] = {0};
    for (int i = 0; i < nthreads; i++)
        for (int f = 0; f < FILLS; f++) {
            int match = -1;
            for (int s = 0; s < fills && match < 0; s++)
                if (!used[s] && !memcmp(stream + s * DRAWS, runs[i].values[f], sizeof runs[i].values[f])) match = s;
            CHECK(match >= 0);
            if (match >= 0) used[match] = true;
        }
    free(stream);
}

/* ---- a generator per thread: each stream is the one the generator gives alone ---- */

typedef struct {
    cg_generator *g;
    float values[FILLS][DRAWS];
} own_stream;

static void *own_stream_thread(void *arg) {
    own_stream *d = arg;
    for (int f = 0; f < FILLS; f++)
        CG_SCOPE {
            cg_tensor *r = f % 2 ? cg_randn_gen(CG_FLOAT32, CG_SHAPE(DRAWS), d->g) : cg_rand_gen(CG_FLOAT32, CG_SHAPE(DRAWS), d->g);
            if (r) memcpy(d->values[f], cg_data_ptr(r), sizeof d->values[f]);
        }
    return NULL;
}

static void test_thread_generators(void) {
    own_stream runs[MAX_THREADS];
    for (int i = 0; i < nthreads; i++) runs[i].g = cg_generator_new(100 + (uint64_t)i);
    run_threads(own_stream_thread, runs, sizeof runs[0]);
    for (int i = 0; i < nthreads; i++) {
        cg_generator_manual_seed(runs[i].g, 100 + (uint64_t)i);
        own_stream alone = {runs[i].g, {{0}}};
        own_stream_thread(&alone);
        CHECK(!memcmp(alone.values, runs[i].values, sizeof alone.values));
        cg_generator_free(runs[i].g);
    }
}

/* ---- tensors made by a thread that has ended, freed by another (their blocks change free lists) ---- */

#define MADE 64

typedef struct {
    cg_tensor *made[MADE];
} producing;

static void *producing_thread(void *arg) {
    producing *p = arg;
    for (int i = 0; i < MADE; i++) {
        cg_tensor *x = cg_requires_grad_(cg_full_shape(CG_FLOAT32, CG_SHAPE(2), (double)i), true);
        p->made[i] = cg_retain(cg_mul_scalar(x, 2)); /* with a graph: nodes and autograd state too */
    }
    return NULL;
}

static void test_freed_elsewhere(void) {
    producing runs[MAX_THREADS];
    run_threads(producing_thread, runs, sizeof runs[0]); /* the threads have ended: their lists are gone */
    for (int i = 0; i < nthreads; i++)
        for (int k = 0; k < MADE; k++) {
            CHECK(cg_item(cg_sum(runs[i].made[k])) == 4.0 * k);
            CHECK(cg_backward(cg_sum(runs[i].made[k])) == 0);
            cg_release(runs[i].made[k]);
        }
}

/* ---- grad mode, errors and scopes belong to each thread ---- */

typedef struct {
    bool grad_enabled;
    bool error_empty;
    bool records;
    int hook_id;
} per_thread;

static cg_tensor *no_op_hook(cg_tensor *grad, void *user) {
    (void)user;
    return grad;
}

static void *per_thread_fn(void *arg) {
    per_thread *r = arg;
    r->grad_enabled = cg_is_grad_enabled();
    r->error_empty = cg_last_error()[0] == '\0';
    CG_SCOPE {
        cg_tensor *x = cg_requires_grad_(cg_ones(2), true);
        r->records = cg_grad_fn(cg_mul(x, x)) != NULL;
        r->hook_id = cg_register_hook(x, no_op_hook, NULL); /* hooks on its own tensors */
        cg_reshape(x, 5); /* an error in this thread only */
    }
    return NULL;
}

static void test_per_thread_state(void) {
    cg_reshape(cg_ones(2), 3);
    char message[256];
    snprintf(message, sizeof message, "%s", cg_last_error());
    per_thread runs[MAX_THREADS];
    CG_NO_GRAD { run_threads(per_thread_fn, runs, sizeof runs[0]); }
    for (int i = 0; i < nthreads; i++) {
        CHECK(runs[i].grad_enabled); /* a new thread starts with grad mode on */
        CHECK(runs[i].error_empty);
        CHECK(runs[i].records);
        CHECK(runs[i].hook_id > 0);
        for (int j = 0; j < i; j++) CHECK(runs[i].hook_id != runs[j].hook_id); /* handles stay unique */
    }
    CHECK_STR(cg_last_error(), message);
}

/* ---- ops split over the intra-op pool, from several threads at once ---- */

typedef struct {
    cg_tensor *x, *expected; /* shared, read only */
    int index, status;
} pooled;

/* Big enough for the pool to split; one region at a time holds the pool, the others run inline. */
static cg_tensor *pooled_work(cg_tensor *x) { return cg_sum(cg_mul(cg_sigmoid(x), cg_add_scalar(x, 1)), CG_DIMS(1)); }

static void *pooled_thread(void *arg) {
    pooled *t = arg;
    t->status = 0;
    for (int k = 0; k < steps; k++) CG_SCOPE {
        if (t->index == 0) cg_set_num_threads(1 + k % 4); /* while the others run */
        cg_tensor *got = pooled_work(t->x);
        if (!got || memcmp(cg_data_ptr(got), cg_data_ptr(t->expected), (size_t)cg_numel(got) * sizeof(float)))
            t->status = -1;
    }
    return NULL;
}

static void test_intra_op_pool(void) {
    int saved = cg_get_num_threads();
    cg_set_num_threads(3);
    cg_manual_seed(3);
    cg_tensor *x = cg_randn(300, 301), *expected = pooled_work(x);
    CHECK_OK(expected);
    pooled args[MAX_THREADS];
    for (int i = 0; i < nthreads; i++) args[i] = (pooled){x, expected, i, -1};
    run_threads(pooled_thread, args, sizeof args[0]);
    for (int i = 0; i < nthreads; i++) CHECK(args[i].status == 0);
    cg_set_num_threads(saved);
}

/* ---- the allocator's cache of big blocks, shared by every thread ---- */

typedef struct {
    int thread;
    bool right;
} big_blocks;

/* Big tensors made, filled and freed over and over, with their blocks moving between threads. */
static void *big_blocks_thread(void *arg) {
    big_blocks *r = arg;
    r->right = true;
    for (int k = 0; k < steps; k++) {
        CG_SCOPE {
            int64_t n = (64 << 10) * (1 + (r->thread + k) % 3); /* 256 KB to 768 KB */
            cg_tensor *t = cg_full_shape(CG_FLOAT32, CG_SHAPE(n), r->thread + k);
            r->right = r->right && cg_item(cg_sum(cg_mul_scalar(t, 0.5))) == 0.5 * (double)n * (r->thread + k);
        }
    }
    return NULL;
}

static void test_big_block_cache(void) {
    big_blocks runs[MAX_THREADS];
    for (int i = 0; i < nthreads; i++) runs[i].thread = i;
    run_threads(big_blocks_thread, runs, sizeof runs[0]);
    for (int i = 0; i < nthreads; i++) CHECK(runs[i].right);
    cg_empty_cache();
}

static const struct {
    const char *name;
    void (*fn)(void);
} tests[] = {
    {"shared_dataset", test_shared_dataset}, {"shared_parameters", test_shared_parameters},
    {"shared_graph", test_shared_graph},     {"shared_graph_freed", test_shared_graph_freed},
    {"accumulator_churn", test_accumulator_churn},     {"default_generator", test_default_generator},
    {"thread_generators", test_thread_generators}, {"freed_elsewhere", test_freed_elsewhere},
    {"per_thread_state", test_per_thread_state}, {"intra_op_pool", test_intra_op_pool},
    {"big_block_cache", test_big_block_cache},
};

/* CG_THREADS=N threads (at most 8), CG_THREAD_ONLY=name runs one test, CG_THREAD_REPEAT=N rounds. */
int main(void) {
    const char *repeat = getenv("CG_THREAD_REPEAT"), *only = getenv("CG_THREAD_ONLY"), *n = getenv("CG_THREADS");
    int rounds = repeat ? atoi(repeat) : 1;
    if (getenv("CG_QUICK")) { /* under valgrind: a few hundred milliseconds */
        nthreads = 2;
        steps = 4;
    }
    if (n && atoi(n) >= 1 && atoi(n) <= MAX_THREADS) nthreads = atoi(n);
    make_dataset();
    for (int r = 0; r < rounds; r++)
        for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
            if (only && strcmp(only, tests[i].name)) continue;
            harness_current = tests[i].name;
            harness_current_failed = 0;
            CG_SCOPE { tests[i].fn(); }
            if (harness_current_failed) harness_failed++;
            else harness_passed++;
        }
    cg_release(dataset_x);
    cg_release(dataset_y);
    HARNESS_END();
}
