/* The version macros agree with each other and with the library's cg_library_version(). */
#include "harness.h"

#define STR_(x) #x
#define STR(x) STR_(x)

static void test_version_string_is_the_macros(void) {
    CHECK_STR(CG_VERSION_STRING, STR(CG_VERSION_MAJOR) "." STR(CG_VERSION_MINOR) "." STR(CG_VERSION_PATCH));
    CHECK_STR(cg_library_version(), CG_VERSION_STRING);
}

int main(void) {
    RUN(test_version_string_is_the_macros);
    HARNESS_END();
}
