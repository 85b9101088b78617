/* Modules: torch.nn.Module's bookkeeping in C. A module is a type name, a forward function, the
 * layer's own options (state), and three ordered tables: parameters, buffers and child modules.
 * Names follow PyTorch's: a child's entries are prefixed with "<child name>.", so a Sequential
 * inside a module named "features" gives "features.3.bias". The module holds one reference to
 * each of its tensors and owns its children. */
#include "nn/nn.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *name;
    cg_tensor *tensor;
} named_slot;

typedef struct {
    char *name;
    cg_module *module;
} named_child;

struct cg_module {
    char *type;
    cg_module_forward_fn forward;
    void *state;
    void (*free_state)(void *);
    bool training;
    named_slot *params, *buffers;
    int nparams, nbuffers;
    named_child *children;
    int nchildren;
};

static char *copy_text(const char *s) {
    size_t n = strlen(s) + 1;
    char *c = malloc(n);
    if (c) memcpy(c, s, n);
    return c;
}

cg_module *cg_module_new(const char *type, cg_module_forward_fn forward, void *state, void (*free_state)(void *)) {
    cg_module *m = calloc(1, sizeof *m);
    if (!m || !(m->type = copy_text(type ? type : "Module"))) {
        free(m);
        if (free_state) free_state(state);
        cg_set_error("out of memory");
        return NULL;
    }
    m->forward = forward;
    m->state = state;
    m->free_state = free_state;
    m->training = true;
    return m;
}

void cg_module_free(cg_module *m) {
    if (!m) return;
    for (int i = 0; i < m->nparams; i++) {
        if (m->params[i].tensor) cg_release(m->params[i].tensor);
        free(m->params[i].name);
    }
    for (int i = 0; i < m->nbuffers; i++) {
        if (m->buffers[i].tensor) cg_release(m->buffers[i].tensor);
        free(m->buffers[i].name);
    }
    for (int i = 0; i < m->nchildren; i++) {
        cg_module_free(m->children[i].module);
        free(m->children[i].name);
    }
    free(m->params);
    free(m->buffers);
    free(m->children);
    if (m->free_state) m->free_state(m->state);
    free(m->type);
    free(m);
}

const char *cg_module_type(const cg_module *m) { return m ? m->type : NULL; }
void *cg_module_state(const cg_module *m) { return m ? m->state : NULL; }

/* PyTorch's register_parameter/add_module name checks (KeyError there; a ValueError's text here). */
static bool name_taken(const cg_module *m, const char *name) {
    for (int i = 0; i < m->nparams; i++)
        if (!strcmp(m->params[i].name, name)) return true;
    for (int i = 0; i < m->nbuffers; i++)
        if (!strcmp(m->buffers[i].name, name)) return true;
    for (int i = 0; i < m->nchildren; i++)
        if (!strcmp(m->children[i].name, name)) return true;
    return false;
}

static int check_name(const cg_module *m, const char *name, const char *what) {
    if (!name || !*name) {
        cg_set_error_kind(CG_VALUE_ERROR, "%s name can't be empty string \"\"", what);
        return -1;
    }
    if (strchr(name, '.')) {
        cg_set_error_kind(CG_VALUE_ERROR, "%s name can't contain \".\"", what);
        return -1;
    }
    if (name_taken(m, name)) {
        cg_set_error_kind(CG_VALUE_ERROR, "attribute '%s' already exists", name);
        return -1;
    }
    return 0;
}

static int add_slot(named_slot **slots, int *n, const char *name, cg_tensor *t) {
    if (!t) return -1; /* the call that made t failed: its error stands */
    named_slot *grown = realloc(*slots, (size_t)(*n + 1) * sizeof *grown);
    char *copy = copy_text(name);
    if (grown) *slots = grown;
    if (!grown || !copy) {
        free(copy);
        cg_set_error("out of memory");
        return -1;
    }
    grown[*n].name = copy;
    grown[*n].tensor = cg_retain(t);
    (*n)++;
    return 0;
}

int cg_module_register_parameter(cg_module *m, const char *name, cg_tensor *t) {
    if (!m || !t) return -1;
    if (check_name(m, name, "parameter") != 0) return -1;
    if (!cg_is_leaf(t)) {
        cg_set_value_error("Cannot assign non-leaf Tensor to parameter '%s'. Model parameters must be created "
                           "explicitly. To express '%s' as a function of another Tensor, compute the value in "
                           "the forward() method.", name, name);
        return -1;
    }
    if (!cg_dtype_is_floating(cg_get_dtype(t))) {
        cg_set_error("Only Tensors of floating point and complex dtype can require gradients");
        return -1;
    }
    if (!cg_requires_grad_(t, true)) return -1;
    return add_slot(&m->params, &m->nparams, name, t);
}

int cg_module_register_buffer(cg_module *m, const char *name, cg_tensor *t) {
    if (!m || !t) return -1;
    if (check_name(m, name, "buffer") != 0) return -1;
    return add_slot(&m->buffers, &m->nbuffers, name, t);
}

int cg_module_add_module(cg_module *m, const char *name, cg_module *child) {
    if (!child) return -1; /* a constructor failed: its error stands */
    if (!m || check_name(m, name, "module") != 0) {
        cg_module_free(child);
        return -1;
    }
    named_child *grown = realloc(m->children, (size_t)(m->nchildren + 1) * sizeof *grown);
    char *copy = copy_text(name);
    if (grown) m->children = grown;
    if (!grown || !copy) {
        free(copy);
        cg_module_free(child);
        cg_set_error("out of memory");
        return -1;
    }
    grown[m->nchildren].name = copy;
    grown[m->nchildren].module = child;
    m->nchildren++;
    return 0;
}

int cg_module_num_children(const cg_module *m) { return m ? m->nchildren : 0; }

cg_module *cg_module_child(const cg_module *m, int i) {
    if (!m) return NULL;
    if (i < 0) i += m->nchildren;
    if (i < 0 || i >= m->nchildren) {
        cg_set_index_error("index %d is out of range", i);
        return NULL;
    }
    return m->children[i].module;
}

const char *cg_module_child_name(const cg_module *m, int i) {
    if (!m || i < 0 || i >= m->nchildren) return NULL;
    return m->children[i].name;
}

cg_tensor *nn_param(const cg_module *m, int i) { return i < m->nparams ? m->params[i].tensor : NULL; }
cg_tensor *nn_buffer(const cg_module *m, int i) { return i < m->nbuffers ? m->buffers[i].tensor : NULL; }

cg_module_forward_fn nn_forward_fn(const cg_module *m) { return m ? m->forward : NULL; }

cg_tensor *cg_module_forward(cg_module *m, cg_tensor *input) {
    if (!m || !input) return NULL;
    if (!m->forward) {
        cg_set_error_kind(CG_NOT_IMPLEMENTED_ERROR, "Module [%s] is missing the required \"forward\" function",
                          m->type);
        return NULL;
    }
    return m->forward(m, input);
}

bool cg_module_is_training(const cg_module *m) { return m && m->training; }

void cg_module_train(cg_module *m, bool mode) {
    if (!m) return;
    m->training = mode;
    for (int i = 0; i < m->nchildren; i++) cg_module_train(m->children[i].module, mode);
}

/* ---- walking the tree in PyTorch's order: own entries first, then each child's ---- */

typedef struct {
    cg_named_tensors *out;
    int cap;
    bool failed;
} collector;

static void collect(collector *c, const char *prefix, const char *name, cg_tensor *t) {
    if (c->failed) return;
    cg_named_tensors *o = c->out;
    if (o->n == c->cap) {
        int cap = c->cap ? 2 * c->cap : 8;
        char **names = realloc(o->names, (size_t)cap * sizeof *names);
        if (names) o->names = names;
        cg_tensor **tensors = realloc(o->tensors, (size_t)cap * sizeof *tensors);
        if (tensors) o->tensors = tensors;
        if (!names || !tensors) {
            c->failed = true;
            return;
        }
        c->cap = cap;
    }
    size_t len = strlen(prefix) + strlen(name) + 1;
    char *full = malloc(len);
    if (!full) {
        c->failed = true;
        return;
    }
    snprintf(full, len, "%s%s", prefix, name);
    o->names[o->n] = full;
    o->tensors[o->n] = cg_retain(t);
    o->n++;
}

static bool already_listed(const cg_named_tensors *o, const cg_tensor *t) {
    for (int i = 0; i < o->n; i++)
        if (o->tensors[i] == t) return true;
    return false;
}

enum { WALK_PARAMS = 1, WALK_BUFFERS = 2, WALK_UNIQUE = 4 };

static void walk(const cg_module *m, const char *prefix, int what, collector *c) {
    if (what & WALK_PARAMS)
        for (int i = 0; i < m->nparams; i++) {
            cg_tensor *t = m->params[i].tensor;
            if (t && !((what & WALK_UNIQUE) && already_listed(c->out, t))) collect(c, prefix, m->params[i].name, t);
        }
    if (what & WALK_BUFFERS)
        for (int i = 0; i < m->nbuffers; i++) {
            cg_tensor *t = m->buffers[i].tensor;
            if (t && !((what & WALK_UNIQUE) && already_listed(c->out, t))) collect(c, prefix, m->buffers[i].name, t);
        }
    for (int i = 0; i < m->nchildren && !c->failed; i++) {
        size_t len = strlen(prefix) + strlen(m->children[i].name) + 2;
        char *sub = malloc(len);
        if (!sub) {
            c->failed = true;
            return;
        }
        snprintf(sub, len, "%s%s.", prefix, m->children[i].name);
        walk(m->children[i].module, sub, what, c);
        free(sub);
    }
}

static int list_entries(const cg_module *m, int what, cg_named_tensors *out) {
    if (!out) return -1;
    *out = (cg_named_tensors){0};
    if (!m) return -1;
    collector c = {.out = out};
    walk(m, "", what, &c);
    if (c.failed) {
        cg_named_tensors_free(out);
        cg_set_error("out of memory");
        return -1;
    }
    return 0;
}

void cg_named_tensors_free(cg_named_tensors *list) {
    if (!list) return;
    for (int i = 0; i < list->n; i++) {
        free(list->names[i]);
        cg_release(list->tensors[i]);
    }
    free(list->names);
    free(list->tensors);
    *list = (cg_named_tensors){0};
}

int cg_module_named_parameters(const cg_module *m, cg_named_tensors *out) {
    return list_entries(m, WALK_PARAMS | WALK_UNIQUE, out);
}

int cg_module_named_buffers(const cg_module *m, cg_named_tensors *out) {
    return list_entries(m, WALK_BUFFERS | WALK_UNIQUE, out);
}

/* state_dict's values are detached aliases of the parameters (PyTorch's keep_vars=False). */
int cg_module_state_dict(const cg_module *m, cg_named_tensors *out) {
    if (list_entries(m, WALK_PARAMS | WALK_BUFFERS, out) != 0) return -1;
    int failed = 0;
    cg_scope_begin();
    for (int i = 0; i < out->n && !failed; i++) {
        cg_tensor *d = cg_detach(out->tensors[i]);
        if (!d) {
            failed = 1;
            break;
        }
        cg_release(out->tensors[i]);
        out->tensors[i] = cg_retain(d);
    }
    cg_scope_end();
    if (failed) cg_named_tensors_free(out);
    return failed ? -1 : 0;
}

cg_tensor *cg_named_tensors_get(const cg_named_tensors *list, const char *name) {
    if (!list || !name) return NULL;
    for (int i = 0; i < list->n; i++)
        if (!strcmp(list->names[i], name)) return list->tensors[i];
    return NULL;
}

cg_tensor *cg_module_get_parameter(const cg_module *m, const char *name) {
    cg_named_tensors all;
    if (cg_module_named_parameters(m, &all) != 0) return NULL;
    cg_tensor *t = cg_named_tensors_get(&all, name);
    cg_named_tensors_free(&all);
    if (!t) cg_set_error_kind(CG_VALUE_ERROR, "%s has no parameter `%s`", m->type, name);
    return t; /* still held by the module */
}

int cg_module_zero_grad(cg_module *m) {
    cg_named_tensors all;
    if (cg_module_named_parameters(m, &all) != 0) return -1;
    int rc = cg_zero_grad((cg_tensor_list){all.tensors, all.n});
    cg_named_tensors_free(&all);
    return rc;
}

int cg_module_requires_grad_(cg_module *m, bool requires_grad) {
    cg_named_tensors all;
    if (cg_module_named_parameters(m, &all) != 0) return -1;
    int rc = 0;
    for (int i = 0; i < all.n && rc == 0; i++)
        if (!cg_requires_grad_(all.tensors[i], requires_grad)) rc = -1;
    cg_named_tensors_free(&all);
    return rc;
}

/* ---- load_state_dict: PyTorch's checks and messages; nothing is copied unless all pass ---- */

typedef struct {
    char text[1024];
    size_t len;
} message;

static void append(message *msg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void append(message *msg, const char *fmt, ...) {
    if (msg->len >= sizeof msg->text - 1) return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg->text + msg->len, sizeof msg->text - msg->len, fmt, ap);
    va_end(ap);
    if (n > 0) msg->len += (size_t)n < sizeof msg->text - msg->len ? (size_t)n : sizeof msg->text - 1 - msg->len;
}

static void append_size(message *msg, const cg_tensor *t) {
    append(msg, "torch.Size([");
    for (int d = 0; d < cg_ndim(t); d++) append(msg, "%s%lld", d ? ", " : "", (long long)cg_size(t, d));
    append(msg, "])");
}

static bool same_shape(const cg_tensor *a, const cg_tensor *b) {
    if (cg_ndim(a) != cg_ndim(b)) return false;
    for (int d = 0; d < cg_ndim(a); d++)
        if (cg_size(a, d) != cg_size(b, d)) return false;
    return true;
}

typedef struct {
    const cg_named_tensors *sd;
    bool strict;
    message missing, unexpected, mismatch;
    int nmissing, nunexpected, nmismatch;
    bool copy;                    /* second pass: copy what matched */
    int copy_failed;
} loader;

static bool is_local(const cg_module *m, const char *name, size_t len) {
    for (int i = 0; i < m->nchildren; i++)
        if (strlen(m->children[i].name) == len && !strncmp(m->children[i].name, name, len)) return true;
    for (int i = 0; i < m->nparams; i++)
        if (m->params[i].tensor && strlen(m->params[i].name) == len && !strncmp(m->params[i].name, name, len))
            return true;
    for (int i = 0; i < m->nbuffers; i++)
        if (m->buffers[i].tensor && strlen(m->buffers[i].name) == len && !strncmp(m->buffers[i].name, name, len))
            return true;
    return false;
}

static void load_entry(loader *l, const char *prefix, const char *name, cg_tensor *t) {
    char key[512];
    snprintf(key, sizeof key, "%s%s", prefix, name);
    cg_tensor *src = cg_named_tensors_get(l->sd, key);
    if (l->copy) {
        if (src && !l->copy_failed) CG_NO_GRAD { l->copy_failed = cg_copy_(t, src) != 0; }
        return;
    }
    if (!src) {
        append(&l->missing, "%s\"%s\"", l->nmissing++ ? ", " : "", key);
    } else if (!same_shape(src, t)) {
        append(&l->mismatch, "%ssize mismatch for %s: copying a param with shape ", l->nmismatch++ ? "\n\t" : "", key);
        append_size(&l->mismatch, src);
        append(&l->mismatch, " from checkpoint, the shape in current model is ");
        append_size(&l->mismatch, t);
        append(&l->mismatch, ".");
    }
}

static void load_module(loader *l, const cg_module *m, const char *prefix) {
    for (int i = 0; i < m->nparams; i++)
        if (m->params[i].tensor) load_entry(l, prefix, m->params[i].name, m->params[i].tensor);
    for (int i = 0; i < m->nbuffers; i++)
        if (m->buffers[i].tensor) load_entry(l, prefix, m->buffers[i].name, m->buffers[i].tensor);
    if (l->strict && !l->copy) {
        size_t plen = strlen(prefix);
        for (int k = 0; k < l->sd->n; k++) {
            const char *key = l->sd->names[k];
            if (strncmp(key, prefix, plen) != 0) continue;
            const char *rest = key + plen;
            size_t len = strcspn(rest, ".");
            if (!is_local(m, rest, len)) append(&l->unexpected, "%s\"%s\"", l->nunexpected++ ? ", " : "", key);
        }
    }
    for (int i = 0; i < m->nchildren; i++) {
        char sub[512];
        snprintf(sub, sizeof sub, "%s%s.", prefix, m->children[i].name);
        load_module(l, m->children[i].module, sub);
    }
}

int cg_module_load_state_dict(cg_module *m, const cg_named_tensors *state_dict, bool strict) {
    if (!m || !state_dict) return -1;
    loader l = {.sd = state_dict, .strict = strict};
    load_module(&l, m, "");
    bool strict_fail = strict && (l.nmissing || l.nunexpected);
    if (strict_fail || l.nmismatch) {
        message msg = {0};
        append(&msg, "Error(s) in loading state_dict for %s:\n\t", m->type);
        if (strict && l.nmissing) append(&msg, "Missing key(s) in state_dict: %s. %s", l.missing.text,
                                         l.nunexpected || l.nmismatch ? "\n\t" : "");
        if (strict && l.nunexpected) append(&msg, "Unexpected key(s) in state_dict: %s. %s", l.unexpected.text,
                                            l.nmismatch ? "\n\t" : "");
        if (l.nmismatch) append(&msg, "%s", l.mismatch.text);
        cg_set_error("%s", msg.text);
        return -1;
    }
    l.copy = true;
    load_module(&l, m, "");
    return l.copy_failed ? -1 : 0;
}
