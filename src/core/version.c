/* The library's version, for programs that link a shared cgrad built apart from their header. */
#include "cgrad.h"

const char *cg_library_version(void) { return CG_VERSION_STRING; }
