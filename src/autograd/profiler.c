/* The autograd profiler: the time and calls of each forward op and each backward node, and a
 * table as torch.profiler's key_averages().table().
 *
 * A backward node is timed around its run (its hooks and formula, or AccumulateGrad's accumulation);
 * the forward ops run inside it are its children, so its self time leaves them out. A forward op is timed from the
 * end of the previous event of its thread (or the start of the enclosing node, or of the profiler)
 * to its recording: cgrad ops record themselves after computing, and have no common entry point,
 * so the program's own work between two ops counts towards the second. Forward ops are named
 * "cg::" and the registry's name of the op ("cg::mul_scalar"), nodes as PyTorch names them.
 * Off, the only cost is a relaxed load where an op records itself and where a node runs. */
#include "autograd/autograd.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

_Atomic bool cg_profiling_;

typedef struct {
    char name[64];
    int64_t calls;
    uint64_t self_ns, total_ns;
} row;

/* A fixed table (the registry's ops and nodes fill a few hundred rows): nothing to allocate, or free
 * at exit. Events of names past it are lost. */
#define MAX_ROWS 1024
static pthread_mutex_t rows_lock = PTHREAD_MUTEX_INITIALIZER;
static row rows[MAX_ROWS];
static int nrows;
static _Atomic uint64_t started_ns; /* read by every thread's events */

/* Per thread: when its last event ended, and the time of the events finished inside the node
 * running now (its children). */
static _Thread_local uint64_t last_end_ns, children_ns;

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void add(const char *prefix, const char *name, uint64_t self, uint64_t total) {
    char key[64];
    snprintf(key, sizeof key, "%s%s", prefix, name);
    pthread_mutex_lock(&rows_lock);
    int i = 0;
    while (i < nrows && strcmp(rows[i].name, key)) i++;
    if (i == nrows && nrows < MAX_ROWS) {
        rows[nrows] = (row){.calls = 0};
        memcpy(rows[nrows++].name, key, sizeof key);
    }
    if (i < nrows) {
        rows[i].calls++;
        rows[i].self_ns += self;
        rows[i].total_ns += total;
    }
    pthread_mutex_unlock(&rows_lock);
}

void cg_profile_op(const cg_op *op) {
    uint64_t now = now_ns(), started = atomic_load_explicit(&started_ns, memory_order_relaxed);
    uint64_t start = last_end_ns > started ? last_end_ns : started;
    add("cg::", op->id, now - start, now - start);
    children_ns += now - start;
    last_end_ns = now;
}

cg_profile_span cg_profile_begin(void) {
    cg_profile_span span = {now_ns(), children_ns};
    children_ns = 0;
    last_end_ns = span.start;
    return span;
}

void cg_profile_end(const cg_node *n, cg_profile_span span) {
    uint64_t now = now_ns(), total = now - span.start;
    add("", cg_node_message_name(n), total > children_ns ? total - children_ns : 0, total);
    children_ns = span.outer_children + total;
    last_end_ns = now;
}

int cg_profiler_start(void) {
    pthread_mutex_lock(&rows_lock);
    nrows = 0;
    atomic_store_explicit(&started_ns, now_ns(), memory_order_relaxed);
    pthread_mutex_unlock(&rows_lock);
    atomic_store_explicit(&cg_profiling_, true, memory_order_relaxed);
    return 0;
}

int cg_profiler_stop(void) {
    atomic_store_explicit(&cg_profiling_, false, memory_order_relaxed);
    return 0;
}

bool cg_profiler_enabled(void) { return cg_profiling_on(); }

static int by_self_time(const void *a, const void *b) {
    const row *x = a, *y = b;
    return x->self_ns < y->self_ns ? 1 : x->self_ns > y->self_ns ? -1 : strcmp(x->name, y->name);
}

/* The rows sorted by self time, as a copy (malloc'd; NULL when there are none). */
static row *sorted_rows(int *n) {
    pthread_mutex_lock(&rows_lock);
    *n = nrows;
    row *copy = nrows ? malloc((size_t)nrows * sizeof *copy) : NULL;
    if (copy) memcpy(copy, rows, (size_t)nrows * sizeof *copy);
    else *n = 0;
    pthread_mutex_unlock(&rows_lock);
    if (copy) qsort(copy, (size_t)*n, sizeof *copy, by_self_time);
    return copy;
}

int cg_profiler_entries(cg_profile_entry *entries, int capacity) {
    if (capacity < 0 || (capacity && !entries)) return -1;
    int n;
    row *r = sorted_rows(&n);
    for (int i = 0; i < n && i < capacity; i++) {
        cg_profile_entry *e = &entries[i];
        memcpy(e->name, r[i].name, sizeof e->name);
        e->calls = r[i].calls;
        e->self_us = (double)r[i].self_ns / 1e3;
        e->total_us = (double)r[i].total_ns / 1e3;
    }
    free(r);
    return n;
}

/* PyTorch's _format_time and _format_time_share. */
static void format_time(char *s, size_t size, double us) {
    if (us >= 1e6) snprintf(s, size, "%.3fs", us / 1e6);
    else if (us >= 1e3) snprintf(s, size, "%.3fms", us / 1e3);
    else snprintf(s, size, "%.3fus", us);
}

static void format_share(char *s, size_t size, double us, double total_us) {
    if (total_us == 0) snprintf(s, size, "NaN");
    else snprintf(s, size, "%.2f%%", us * 100.0 / total_us);
}

#define COLUMN 12

static void separator(FILE *f, int name_width) {
    for (int c = 0; c < 7; c++) {
        for (int i = 0; i < (c ? COLUMN : name_width); i++) fputc('-', f);
        fputs("  ", f);
    }
    fputc('\n', f);
}

int cg_profiler_print(FILE *f, int row_limit) {
    if (!f) return -1;
    int n;
    row *r = sorted_rows(&n);
    int name_width = 0;
    double self_total = 0;
    for (int i = 0; i < n; i++) {
        int len = (int)strlen(r[i].name) + 4;
        if (len > name_width) name_width = len;
        self_total += (double)r[i].self_ns / 1e3;
    }
    if (name_width > 55) name_width = 55; /* PyTorch's max_name_column_width */
    if (name_width < 8) name_width = 8;   /* "Name" and its margin, when nothing was recorded */
    separator(f, name_width);
    fprintf(f, "%*s  %*s  %*s  %*s  %*s  %*s  %*s  \n", name_width, "Name", COLUMN, "Self CPU %", COLUMN, "Self CPU",
            COLUMN, "CPU total %", COLUMN, "CPU total", COLUMN, "CPU time avg", COLUMN, "# of Calls");
    separator(f, name_width);
    for (int i = 0; i < n && (row_limit <= 0 || i < row_limit); i++) {
        char name[64], self_share[32], self[32], total_share[32], total[32], avg[32];
        double self_us = (double)r[i].self_ns / 1e3, total_us = (double)r[i].total_ns / 1e3;
        if ((int)strlen(r[i].name) >= 52) snprintf(name, sizeof name, "%.52s...", r[i].name);
        else snprintf(name, sizeof name, "%s", r[i].name);
        format_share(self_share, sizeof self_share, self_us, self_total);
        format_time(self, sizeof self, self_us);
        format_share(total_share, sizeof total_share, total_us, self_total);
        format_time(total, sizeof total, total_us);
        format_time(avg, sizeof avg, total_us / (double)r[i].calls);
        fprintf(f, "%*s  %*s  %*s  %*s  %*s  %*s  %*lld  \n", name_width, name, COLUMN, self_share, COLUMN, self,
                COLUMN, total_share, COLUMN, total, COLUMN, avg, COLUMN, (long long)r[i].calls);
    }
    separator(f, name_width);
    char all[32];
    format_time(all, sizeof all, self_total);
    fprintf(f, "Self CPU time total: %s\n", all);
    free(r);
    return ferror(f) ? -1 : 0;
}
