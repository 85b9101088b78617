/* The seed programs: build/examples/seeds/NAME (from examples/seeds/NAME.c) must print exactly the
 * bytes PyTorch 1.13 prints for ../shared/conformance/seeds/NAME.py (NAME.expected). When
 * CG_CHILD_RUNNER is set (make memcheck sets valgrind), each program runs under it. */
#include "harness.h"

#include <dirent.h>
#include <stdlib.h>

#define SEEDS_SOURCE "examples/seeds"
#ifndef CG_BUILD_DIR
#define CG_BUILD_DIR "build"
#endif
#define SEEDS_BUILD CG_BUILD_DIR "/examples/seeds"
#define SEEDS_EXPECTED "../shared/conformance/seeds"

static char *read_all(FILE *f) {
    char *text = NULL;
    size_t size = 0;
    FILE *collected = open_memstream(&text, &size);
    int c;
    while ((c = fgetc(f)) != EOF) fputc(c, collected);
    fclose(collected);
    return text;
}

static void check_seed(const char *name) {
    char path[512], command[1024];
    snprintf(path, sizeof path, SEEDS_EXPECTED "/%s.expected", name);
    FILE *f = fopen(path, "r");
    CHECK_MSG(f != NULL, "no expected output %s", path);
    if (!f) return;
    char *expected = read_all(f);
    fclose(f);
    const char *runner = getenv("CG_CHILD_RUNNER");
    snprintf(command, sizeof command, "%s " SEEDS_BUILD "/%s", runner ? runner : "", name);
    FILE *p = popen(command, "r");
    CHECK_MSG(p != NULL, "cannot run %s", command);
    if (!p) {
        free(expected);
        return;
    }
    char *got = read_all(p);
    int status = pclose(p);
    CHECK_MSG(status == 0, "%s exited with status %d", command, status);
    CHECK_MSG(!strcmp(got, expected), "%s differs from %s\n--- got\n%s--- expected\n%s", name, path, got, expected);
    free(got);
    free(expected);
}

static void test_every_seed_program_matches_pytorch(void) {
    DIR *d = opendir(SEEDS_SOURCE);
    CHECK(d != NULL);
    if (!d) return;
    int seen = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (len < 3 || strcmp(e->d_name + len - 2, ".c")) continue;
        char name[256];
        snprintf(name, sizeof name, "%.*s", (int)(len - 2), e->d_name);
        check_seed(name);
        seen++;
    }
    closedir(d);
    CHECK(seen >= 4);
}

int main(void) {
    RUN(test_every_seed_program_matches_pytorch);
    HARNESS_END();
}
