/* The thread-local error slot and the warning callback. */
#include "core/tensor.h"

#include <stdio.h>

static _Thread_local char last_error[1024];
static _Thread_local cg_error_kind last_kind;

const char *cg_last_error(void) { return last_error; }

cg_error_kind cg_last_error_kind(void) { return last_kind; }

const char *cg_error_kind_name(cg_error_kind kind) {
    static const char *const names[] = {
        [CG_ERROR_NONE] = "", [CG_RUNTIME_ERROR] = "RuntimeError", [CG_INDEX_ERROR] = "IndexError",
        [CG_VALUE_ERROR] = "ValueError", [CG_TYPE_ERROR] = "TypeError",
        [CG_NOT_IMPLEMENTED_ERROR] = "NotImplementedError", [CG_GRADCHECK_ERROR] = "GradcheckError",
        [CG_ASSERTION_ERROR] = "AssertionError",
    };
    return (unsigned)kind < sizeof names / sizeof names[0] ? names[kind] : "";
}

void cg_clear_error(void) {
    last_error[0] = '\0';
    last_kind = CG_ERROR_NONE;
}

static void set_error(cg_error_kind kind, const char *fmt, va_list ap) {
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    last_kind = kind;
}

void cg_set_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    set_error(CG_RUNTIME_ERROR, fmt, ap);
    va_end(ap);
}

void cg_set_error_kind(cg_error_kind kind, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    set_error(kind, fmt, ap);
    va_end(ap);
}

static void print_warning(const char *message, void *user) {
    (void)user;
    fprintf(stderr, "UserWarning: %s\n", message);
}

static cg_warning_fn warning_fn = print_warning;
static void *warning_user;

void cg_set_warning_handler(cg_warning_fn fn, void *user) {
    warning_fn = fn ? fn : print_warning;
    warning_user = fn ? user : NULL;
}

void cg_warn(const char *fmt, ...) {
    char message[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    warning_fn(message, warning_user);
}
