/* The profiler: the calls of each forward op and backward node of a small graph, self and total
 * times that add up, its table in torch.profiler's layout, and nothing recorded when off. Times
 * vary from run to run: only their relations are checked. */
#include "harness.h"

#define F32(...) cg_tensor_f32(((float[]){__VA_ARGS__}), CG_NARGS(__VA_ARGS__))

static const cg_profile_entry *find(const cg_profile_entry *e, int n, const char *name) {
    for (int i = 0; i < n; i++)
        if (!strcmp(e[i].name, name)) return &e[i];
    return NULL;
}

static int64_t calls(const cg_profile_entry *e, int n, const char *name) {
    const cg_profile_entry *hit = find(e, n, name);
    return hit ? hit->calls : 0;
}

static void step(void) {
    cg_tensor *x = cg_requires_grad_(F32(1, 2), true);
    cg_backward(cg_sum(cg_exp(cg_mul_scalar(x, 2))));
}

static void test_calls_and_times(void) {
    CHECK(!cg_profiler_enabled());
    CHECK(cg_profiler_start() == 0 && cg_profiler_enabled());
    for (int i = 0; i < 3; i++) step();
    CHECK(cg_profiler_stop() == 0 && !cg_profiler_enabled());
    step(); /* not recorded */
    cg_profile_entry e[64];
    int n = cg_profiler_entries(e, 64);
    CHECK(n > 0 && n <= 64);
    CHECK(calls(e, n, "cg::exp") == 3);
    CHECK(calls(e, n, "cg::sum") == 3);
    CHECK(calls(e, n, "SumBackward0") == 3);
    CHECK(calls(e, n, "ExpBackward0") == 3);
    CHECK(calls(e, n, "MulBackward0") == 3);
    CHECK(calls(e, n, "torch::autograd::AccumulateGrad") == 3);
    CHECK(calls(e, n, "cg::mul") == 3); /* ExpBackward0's grad * result */
    for (int i = 0; i < n; i++) {
        CHECK(e[i].self_us >= 0 && e[i].self_us <= e[i].total_us + 1e-9);
        if (i) CHECK(e[i].self_us <= e[i - 1].self_us);
    }
    /* A node's total covers the ops of its formula: ExpBackward0's multiplication. */
    const cg_profile_entry *exp_backward = find(e, n, "ExpBackward0");
    CHECK(exp_backward && exp_backward->total_us >= exp_backward->self_us);
    CHECK(cg_profiler_entries(NULL, 0) == n);
    CHECK(cg_profiler_entries(NULL, 1) == -1);
    CHECK(cg_profiler_entries(e, -1) == -1);
    CHECK(cg_profiler_start() == 0 && cg_profiler_stop() == 0);
    CHECK(cg_profiler_entries(e, 64) == 0); /* start cleared them */
}

/* The layout of torch.profiler's table: a name column 4 wider than the longest name (at most 55),
 * six right-aligned columns of 12, two spaces after each, and the self time total. */
static void test_table(void) {
    cg_profiler_start();
    step();
    cg_profiler_stop();
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    CHECK(cg_profiler_print(f, 2) == 0);
    fclose(f);
    const char *sep = "-----------------------------------  ------------  ------------  ------------  ------------  "
                      "------------  ------------  \n";
    char expected_head[1024];
    snprintf(expected_head, sizeof expected_head,
             "%s                               Name    Self CPU %%      Self CPU   CPU total %%     CPU total  CPU "
             "time avg    # of Calls  \n%s",
             sep, sep);
    CHECK(text && !strncmp(text, expected_head, strlen(expected_head)));
    /* two rows, the separator, the total */
    const char *rows = text ? text + strlen(expected_head) : "";
    int lines = 0;
    for (const char *c = rows; *c; c++) lines += *c == '\n';
    CHECK(lines == 4);
    const char *total = strstr(rows, sep);
    CHECK(total && !strncmp(total + strlen(sep), "Self CPU time total: ", 21));
    double share = 0;
    CHECK(sscanf(rows + 37, "%lf%%", &share) == 1 && share > 0 && share <= 100);
    CHECK(strstr(rows, "us  ") || strstr(rows, "ms  "));
    free(text);
    CHECK(cg_profiler_print(NULL, 0) == -1);
}

int main(void) {
    RUN(test_calls_and_times);
    RUN(test_table);
    HARNESS_END();
}
