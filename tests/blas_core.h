/* Whether the golden products were made on this machine's OpenBLAS kernels.
 *
 * A generator that runs PyTorch's products writes '# blas CORE THREADS' as a line of its file:
 * PyTorch's bits are those kernels' roundings. Another CPU, valgrind (which picks other kernels) or a
 * build without OpenBLAS rounds differently, and a test then compares products within a tolerance. */
#ifndef CG_TEST_BLAS_CORE_H
#define CG_TEST_BLAS_CORE_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#ifdef CG_HAVE_BLAS
#include <cblas.h>
#endif

/* True when path's '# blas' line names the kernels this process runs; prints a note when not. */
static inline bool golden_same_blas(const char *path) {
#ifdef CG_HAVE_BLAS
    FILE *f = fopen(path, "r");
    char line[256], core[64] = "";
    while (f && fgets(line, sizeof line, f) && line[0] == '#')
        if (sscanf(line, "# blas %63s", core) == 1) break;
    if (f) fclose(f);
    if (!strcmp(core, openblas_get_corename())) return true;
    printf("note: %s's products are from OpenBLAS's %s kernels, these are %s: compared within a tolerance\n", path,
           core[0] ? core : "(unnamed)", openblas_get_corename());
#else
    (void)path;
#endif
    return false;
}

#endif
