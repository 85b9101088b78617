/* The thread-local error slot and the warning callback. */
#include "core/tensor.h"

#include <stdio.h>

static _Thread_local char last_error[1024];

const char *cg_last_error(void) { return last_error; }

void cg_clear_error(void) { last_error[0] = '\0'; }

void cg_set_error(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
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
