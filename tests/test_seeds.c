/* Programs that must print exactly what PyTorch 1.13 prints:
 * - the seed programs: build/examples/seeds/NAME (from examples/seeds/NAME.c) against
 *   tests/data/seeds/NAME.expected, for every seed there (the repository's copy of the
 *   conformance suite's seeds; .ci/run checks that it equals ../shared/conformance/seeds);
 * - the demo: build/examples/demo against tests/data/demo.expected (from its twin tools/demo.py).
 * When CG_CHILD_RUNNER is set (make memcheck sets valgrind), each program runs under it. */
#include "harness.h"

#include <dirent.h>
#include <stdlib.h>

#define SEEDS_SOURCE "examples/seeds"
#define SEEDS_BUILD CG_BUILD_DIR "/examples/seeds"
#define SEEDS_EXPECTED "tests/data/seeds"

static char *read_all(FILE *f) {
    char *text = NULL;
    size_t size = 0;
    FILE *collected = open_memstream(&text, &size);
    int c;
    while ((c = fgetc(f)) != EOF) fputc(c, collected);
    fclose(collected);
    return text;
}

/* Runs program and compares what it prints with the file at path. */
static void check_output(const char *program, const char *path) {
    char command[1024];
    FILE *f = fopen(path, "r");
    CHECK_MSG(f != NULL, "no expected output %s", path);
    if (!f) return;
    char *expected = read_all(f);
    fclose(f);
    const char *runner = getenv("CG_CHILD_RUNNER");
    snprintf(command, sizeof command, "%s %s", runner ? runner : "", program);
    FILE *p = popen(command, "r");
    CHECK_MSG(p != NULL, "cannot run %s", command);
    if (!p) {
        free(expected);
        return;
    }
    char *got = read_all(p);
    int status = pclose(p);
    CHECK_MSG(status == 0, "%s exited with status %d", command, status);
    CHECK_MSG(!strcmp(got, expected), "%s differs from %s\n--- got\n%s--- expected\n%s", program, path, got, expected);
    free(got);
    free(expected);
}

static void check_seed(const char *name) {
    char program[512], path[512];
    snprintf(program, sizeof program, SEEDS_BUILD "/%s", name);
    snprintf(path, sizeof path, SEEDS_EXPECTED "/%s.expected", name);
    check_output(program, path);
}

/* Every seed of the conformance suite has its C program, and each prints PyTorch's bytes. */
static void test_every_seed_program_matches_pytorch(void) {
    DIR *d = opendir(SEEDS_EXPECTED);
    CHECK_MSG(d != NULL, "no %s", SEEDS_EXPECTED);
    if (!d) return;
    int seen = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name), suffix = strlen(".expected");
        if (len <= suffix || strcmp(e->d_name + len - suffix, ".expected")) continue;
        char name[256], source[512];
        snprintf(name, sizeof name, "%.*s", (int)(len - suffix), e->d_name);
        snprintf(source, sizeof source, SEEDS_SOURCE "/%s.c", name);
        FILE *c = fopen(source, "r");
        CHECK_MSG(c != NULL, "seed %s has no C program %s", name, source);
        if (c) fclose(c);
        check_seed(name);
        seen++;
    }
    closedir(d);
    CHECK(seen >= 5);
}

static void test_demo_matches_its_python_twin(void) {
    check_output(CG_BUILD_DIR "/examples/demo", "tests/data/demo.expected");
}

int main(void) {
    RUN(test_every_seed_program_matches_pytorch);
    RUN(test_demo_matches_its_python_twin);
    HARNESS_END();
}
