/* Containers: nn.ModuleList and nn.ModuleDict (children with PyTorch's keys and no forward of
 * their own), and Module.get_submodule to reach a child by its dotted name. */
#include "nn/nn.h"

#include <string.h>

/* A module without a forward that owns the n modules, named names[i] (NULL: "0", "1", ...); on
 * failure it frees them all, as cg_nn_sequential does. */
static cg_module *container(const char *type, const char *const *names, cg_module **modules, int n) {
    if (n < 0 || (n > 0 && !modules)) {
        cg_set_error("%s: the number of modules must be non-negative", type);
        return NULL;
    }
    cg_module *m = cg_module_new(type, NULL, NULL, NULL);
    int i = 0;
    for (; i < n && m; i++) {
        char index[24];
        snprintf(index, sizeof index, "%d", i);
        if (cg_module_add_module(m, names ? names[i] : index, modules[i]) != 0) break;
    }
    if (m && i == n) return m;
    for (int k = m ? i + 1 : 0; k < n; k++) cg_module_free(modules[k]);
    cg_module_free(m);
    return NULL;
}

cg_module *cg_nn_module_list(cg_module **modules, int n) { return container("ModuleList", NULL, modules, n); }

cg_module *cg_nn_module_dict(const char *const *names, cg_module **modules, int n) {
    if (n > 0 && !names) {
        cg_set_error("ModuleDict: names must be given");
        return NULL;
    }
    return container("ModuleDict", names, modules, n);
}

/* The child of m named name (length len), NULL if none. */
static cg_module *child_named(const cg_module *m, const char *name, size_t len) {
    for (int i = 0; i < cg_module_num_children(m); i++) {
        const char *c = cg_module_child_name(m, i);
        if (strlen(c) == len && !strncmp(c, name, len)) return cg_module_child(m, i);
    }
    return NULL;
}

cg_module *cg_module_get_submodule(const cg_module *m, const char *target) {
    if (!m || !target) return NULL;
    const cg_module *mod = m;
    for (const char *atom = target; *atom;) {
        size_t len = strcspn(atom, ".");
        cg_module *child = child_named(mod, atom, len);
        if (!child) {
            char name[256];
            snprintf(name, sizeof name, "%.*s", (int)(len < 255 ? len : 255), atom);
            if (cg_module_get_parameter(mod, name))
                cg_set_error("`%s` is not an nn.Module", name);
            else
                cg_set_error("%s has no attribute `%s`", cg_module_type(mod), name);
            return NULL;
        }
        mod = child;
        if (!atom[len]) break;
        atom += len + 1;
    }
    return (cg_module *)mod;
}
