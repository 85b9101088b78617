/* The Node API: a node's metadata and its hooks (grad_fn.metadata, register_prehook,
 * register_hook), with PyTorch 1.13's checks of what a hook gives back. */
#include "autograd/autograd.h"

static cg_node_extras *extras_of(cg_node *n) {
    if (!n->extras) n->extras = cg_calloc(1, sizeof *n->extras);
    return n->extras;
}

void cg_node_extras_free(cg_node *n) {
    cg_node_extras *x = n->extras;
    if (x->destroy) x->destroy(x->metadata);
    cg_free_hooks(x->post_hooks);
    cg_free(x);
    n->extras = NULL;
}

void *cg_node_metadata(const cg_node *n) { return n && n->extras ? n->extras->metadata : NULL; }

int cg_node_set_metadata(cg_node *n, void *data, void (*destroy)(void *data)) {
    if (!n) return -1;
    cg_node_extras *x = extras_of(n);
    if (!x) return -1;
    if (x->destroy) x->destroy(x->metadata);
    x->metadata = data;
    x->destroy = destroy;
    return 0;
}

static cg_hook_entry *new_hook(void *user) {
    cg_hook_entry *h = cg_calloc(1, sizeof *h);
    if (h) *h = (cg_hook_entry){.id = cg_new_hook_id(), .user = user};
    return h;
}

static bool check_fn(bool given) {
    if (!given) cg_set_type_error("cannot register a NULL hook");
    return given;
}

int cg_node_register_prehook(cg_node *n, cg_node_prehook_fn fn, void *user) {
    if (!n || !check_fn(fn != NULL)) return -1;
    cg_hook_entry *h = new_hook(user);
    if (!h) return -1;
    h->node_fn = fn;
    /* PyTorch's Python pre-hooks share one entry of the node's list, made by the first of them:
     * a new one goes after the last, or at the end. */
    cg_hook_entry **at = &n->pre_hooks;
    for (cg_hook_entry **p = &n->pre_hooks; *p; p = &(*p)->next)
        if ((*p)->node_fn) at = &(*p)->next;
    if (at == &n->pre_hooks)
        while (*at) at = &(*at)->next;
    h->next = *at;
    *at = h;
    return h->id;
}

int cg_node_register_hook(cg_node *n, cg_node_hook_fn fn, void *user) {
    if (!n || !check_fn(fn != NULL)) return -1;
    cg_node_extras *x = extras_of(n);
    cg_hook_entry *h = x ? new_hook(user) : NULL;
    if (!h) return -1;
    h->post_fn = fn;
    cg_hook_entry **end = &x->post_hooks;
    while (*end) end = &(*end)->next;
    *end = h;
    return h->id;
}

static bool unlink(cg_hook_entry **list, int id) {
    for (cg_hook_entry **p = list; *p; p = &(*p)->next)
        if ((*p)->id == id && ((*p)->node_fn || (*p)->post_fn)) {
            cg_hook_entry *dead = *p;
            *p = dead->next;
            cg_free(dead);
            return true;
        }
    return false;
}

int cg_node_remove_hook(cg_node *n, int handle) {
    if (!n) return -1;
    if (!unlink(&n->pre_hooks, handle) && n->extras) unlink(&n->extras->post_hooks, handle);
    return 0;
}

/* PyTorch's check_single_result: a hook may drop a gradient but not invent one, nor change its
 * dtype or size. Python names the hook's function; C names its handle. */
static bool check_result(const cg_hook_entry *h, const cg_tensor *was, const cg_tensor *now) {
    if (!was && now) {
        cg_set_error("can't replace a None gradient with a non-None value");
        return false;
    }
    if (!was || !now) return true;
    if (was->dtype != now->dtype) {
        cg_set_error("hook '%d' has changed the type of value (was %s got %s)", h->id, cg_dtype_legacy_name(was->dtype),
                     cg_dtype_legacy_name(now->dtype));
        return false;
    }
    if (!cg_same_shape(was->ndim, was->sizes, now->ndim, now->sizes)) {
        cg_set_error("hook '%d' has changed the size of value", h->id);
        return false;
    }
    return true;
}

/* A hook that failed without a message still fails the backward, with one. */
static bool hook_failed(const cg_hook_entry *h) {
    if (!cg_error_pending()) cg_set_error("hook '%d' failed", h->id);
    return false;
}

bool cg_call_node_prehook(const cg_node *n, cg_hook_entry *h, cg_tensor **grads) {
    int count = n->noutputs ? n->noutputs : 1;
    cg_tensor *given[count];
    memcpy(given, grads, sizeof given);
    if (h->node_fn(given, count, h->user) < 0) return hook_failed(h);
    for (int i = 0; i < count; i++)
        if (!check_result(h, grads[i], given[i])) return false;
    for (int i = 0; i < count; i++) cg_set_ref(&grads[i], given[i]);
    return true;
}

bool cg_run_post_hooks(cg_node *n, cg_tensor **grad_inputs, cg_tensor **grad_outputs) {
    int count = n->noutputs ? n->noutputs : 1;
    for (cg_hook_entry *h = n->extras->post_hooks; h; h = h->next) {
        cg_tensor *given[n->nnext ? n->nnext : 1];
        memcpy(given, grad_inputs, (size_t)n->nnext * sizeof *given);
        if (h->post_fn(given, n->nnext, grad_outputs, count, h->user) < 0) return hook_failed(h);
        for (int i = 0; i < n->nnext; i++)
            if (!check_result(h, grad_inputs[i], given[i])) return false;
        memcpy(grad_inputs, given, (size_t)n->nnext * sizeof *given);
    }
    return true;
}
