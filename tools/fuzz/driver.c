/* A fallback for compilers without libFuzzer: an AFL-style mutation loop over the seed files given
 * on the command line (flips, overwrites with interesting bytes, truncation, duplicated spans), for
 * CG_FUZZ_SECONDS seconds (default 30). Each mutant goes to the target; a crash is the failure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static unsigned char *read_file(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) { free(buf); buf = NULL; }
    fclose(f);
    *size = (size_t)n;
    return buf;
}

static void mutate(unsigned char *buf, size_t *n, size_t cap) {
    static const unsigned char interesting[] = {0, 1, 0x7f, 0x80, 0xff, '"', '\\', '{', '}', '[', ']', ',', ':', '0', '9', '-'};
    int rounds = 1 + rand() % 8;
    for (int r = 0; r < rounds && *n; r++) {
        size_t at = (size_t)rand() % *n;
        switch (rand() % 5) {
        case 0: buf[at] ^= (unsigned char)(1u << (rand() % 8)); break;
        case 1: buf[at] = interesting[rand() % (int)sizeof interesting]; break;
        case 2: *n = at; break;
        case 3: { /* copy a span to another place */
            size_t from = (size_t)rand() % *n, len = (size_t)rand() % 16;
            if (from + len > *n) len = *n - from;
            if (at + len > cap) break;
            memmove(buf + at, buf + from, len);
            if (at + len > *n) *n = at + len;
            break;
        }
        default: buf[at] = (unsigned char)('0' + rand() % 10);
        }
    }
}

int main(int argc, char **argv) {
    const char *env = getenv("CG_FUZZ_SECONDS");
    double seconds = env ? atof(env) : 30;
    srand((unsigned)time(NULL));
    long runs = 0;
    time_t start = time(NULL);
    while (difftime(time(NULL), start) < seconds && argc > 1) {
        size_t n = 0;
        unsigned char *seed = read_file(argv[1 + rand() % (argc - 1)], &n);
        if (!seed) return 1;
        size_t cap = n + 64;
        unsigned char *buf = malloc(cap);
        memcpy(buf, seed, n);
        mutate(buf, &n, cap);
        LLVMFuzzerTestOneInput(buf, n);
        free(buf);
        free(seed);
        runs++;
    }
    printf("fuzz: %ld runs, no crash\n", runs);
    return 0;
}
