/* A tensor's graph as Graphviz DOT, in torchviz's colours: the tensor (green), its grad_fn and
 * every node behind it (grey, named as PyTorch names them, with their hooks counted), each saved
 * tensor (orange, dotted into its node) and each leaf behind an AccumulateGrad (blue), the tensors
 * with their sizes as torchviz writes them, "(2, 3)". */
#include "autograd/autograd.h"

#include <stdio.h>

/* The nodes met so far, numbered in the order met (their names in the file), with an open-addressing
 * table from node to number. */
typedef struct {
    const cg_node **nodes;
    size_t n, cap;
    size_t *table; /* number + 1; 0: empty. Twice cap entries. */
} node_set;

static size_t slot_of(const node_set *s, const cg_node *node) {
    size_t mask = 2 * s->cap - 1, i = (size_t)((uintptr_t)node * 0x9e3779b97f4a7c15u >> 32) & mask;
    while (s->table[i] && s->nodes[s->table[i] - 1] != node) i = (i + 1) & mask;
    return i;
}

static bool grow(node_set *s) {
    size_t cap = s->cap ? s->cap * 2 : 64;
    const cg_node **nodes = cg_realloc(s->nodes, cap * sizeof *nodes);
    if (!nodes) return false;
    s->nodes = nodes;
    size_t *table = cg_calloc(2 * cap, sizeof *table);
    if (!table) return false;
    cg_free(s->table);
    s->table = table;
    s->cap = cap;
    for (size_t k = 0; k < s->n; k++) s->table[slot_of(s, s->nodes[k])] = k + 1;
    return true;
}

/* node's number, adding it when new; -1 when out of memory. */
static long number_of(node_set *s, const cg_node *node) {
    if (s->n == s->cap && !grow(s)) return -1;
    size_t i = slot_of(s, node);
    if (!s->table[i]) {
        s->nodes[s->n++] = node;
        s->table[i] = s->n;
    }
    return (long)s->table[i] - 1;
}

static void write_sizes(FILE *f, const cg_tensor *t) {
    fputc('(', f);
    for (int d = 0; d < t->ndim; d++) fprintf(f, "%s%lld", d ? ", " : "", (long long)t->sizes[d]);
    fputc(')', f);
}

static int count_hooks(const cg_hook_entry *h) {
    int n = 0;
    for (; h; h = h->next) n += !h->retains;
    return n;
}

static void write_hooks(FILE *f, const char *what, int count) {
    if (count) fprintf(f, "\\n%s: %d", what, count);
}

/* Node k: its box, its saved tensors, its leaf; then one edge from each next node (numbered here). */
static bool write_node(FILE *f, node_set *s, long k) {
    const cg_node *n = s->nodes[k];
    fprintf(f, "\tn%ld [label=\"%s", k, cg_node_name(n));
    write_hooks(f, "pre-hooks", count_hooks(n->pre_hooks));
    write_hooks(f, "hooks", n->extras ? count_hooks(n->extras->post_hooks) : 0);
    fprintf(f, "\"]\n");
    for (int i = 0; i < n->nsaved; i++) {
        const cg_tensor *saved = n->saved[i].data;
        if (!saved) continue;
        fprintf(f, "\tn%ld_saved%d [label=\"saved %d\\n", k, i, i);
        write_sizes(f, saved);
        fprintf(f, " %s\" fillcolor=orange]\n\tn%ld_saved%d -> n%ld [style=dotted]\n", cg_dtype_name(saved->dtype), k,
                i, k);
    }
    if (n->op == cg_accumulate_grad_op() && n->variable) {
        fprintf(f, "\tn%ld_leaf [label=\"", k);
        write_sizes(f, n->variable);
        write_hooks(f, "hooks", count_hooks(n->variable->autograd->hooks));
        fprintf(f, "\" fillcolor=lightblue]\n\tn%ld_leaf -> n%ld\n", k, k);
    }
    for (int i = 0; i < n->nnext; i++) {
        if (!n->next[i].node) continue;
        long child = number_of(s, n->next[i].node);
        if (child < 0) return false;
        fprintf(f, "\tn%ld -> n%ld\n", child, k);
    }
    return true;
}

int cg_graph_write_dot(const cg_tensor *t, FILE *f) {
    if (!t || !f) return -1;
    fprintf(f, "digraph {\n\tgraph [size=\"12,12\"]\n\tnode [align=left fontname=monospace fontsize=10 height=0.2 "
               "ranksep=0.1 shape=box style=filled]\n\ttensor [label=\"");
    write_sizes(f, t);
    fprintf(f, "\" fillcolor=darkolivegreen1]\n");
    node_set s = {0};
    bool ok = true;
    cg_node *root = cg_grad_fn(t);
    if (root) {
        ok = number_of(&s, root) == 0;
        if (ok) fprintf(f, "\tn0 -> tensor\n");
        for (size_t k = 0; ok && k < s.n; k++) ok = write_node(f, &s, (long)k); /* breadth first */
    }
    fprintf(f, "}\n");
    cg_free(s.nodes);
    cg_free(s.table);
    if (ok && ferror(f)) {
        cg_set_error("cannot write the graph");
        ok = false;
    }
    return ok ? 0 : -1;
}
