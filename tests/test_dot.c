/* cg_graph_write_dot: the exact text for a small graph (names, saved tensors, a leaf, hooks), a
 * tensor without history, a shared node written once, and errors. */
#include "harness.h"

#define F32(...) cg_tensor_f32(((float[]){__VA_ARGS__}), CG_NARGS(__VA_ARGS__))

static char *dot_of(const cg_tensor *t) {
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    int status = cg_graph_write_dot(t, f);
    fclose(f);
    CHECK(status == 0);
    return text;
}

static cg_tensor *keep(cg_tensor *grad, void *user) {
    (void)user;
    return grad;
}

static int keep_all(cg_tensor **grads, int n, void *user) {
    (void)grads, (void)n, (void)user;
    return 0;
}

#define HEAD                                                                                                    \
    "digraph {\n\tgraph [size=\"12,12\"]\n\tnode [align=left fontname=monospace fontsize=10 height=0.2 "         \
    "ranksep=0.1 shape=box style=filled]\n"

static void test_small_graph(void) {
    cg_tensor *x = cg_requires_grad_(cg_tensor_f32(((float[]){1, 2, 3, 4, 5, 6}), 2, 3), true);
    cg_tensor *w = F32(1, 2, 3);
    cg_register_hook(x, keep, NULL);
    cg_tensor *s = cg_sum(cg_exp(cg_mul(x, w)));
    cg_node_register_prehook(cg_grad_fn(s), keep_all, NULL);
    char *text = dot_of(s);
    CHECK_STR(text, HEAD
              "\ttensor [label=\"()\" fillcolor=darkolivegreen1]\n"
              "\tn0 -> tensor\n"
              "\tn0 [label=\"SumBackward0\\npre-hooks: 1\"]\n"
              "\tn1 -> n0\n"
              "\tn1 [label=\"ExpBackward0\"]\n"
              "\tn1_saved0 [label=\"saved 0\\n(2, 3) float32\" fillcolor=orange]\n"
              "\tn1_saved0 -> n1 [style=dotted]\n"
              "\tn2 -> n1\n"
              "\tn2 [label=\"MulBackward0\"]\n"
              "\tn2_saved1 [label=\"saved 1\\n(3) float32\" fillcolor=orange]\n"
              "\tn2_saved1 -> n2 [style=dotted]\n"
              "\tn3 -> n2\n"
              "\tn3 [label=\"AccumulateGrad\"]\n"
              "\tn3_leaf [label=\"(2, 3)\\nhooks: 1\" fillcolor=lightblue]\n"
              "\tn3_leaf -> n3\n"
              "}\n");
    free(text);
    /* After a backward without retain_graph the saved tensors are gone, and so from the picture. */
    CHECK(cg_backward(s) == 0);
    text = dot_of(s);
    CHECK(text && !strstr(text, "saved"));
    free(text);
}

static void test_shared_node_and_no_history(void) {
    cg_tensor *x = cg_requires_grad_(F32(1, 2), true);
    cg_tensor *y = cg_mul(x, x); /* both edges to one AccumulateGrad */
    char *text = dot_of(y);
    CHECK_STR(text, HEAD
              "\ttensor [label=\"(2)\" fillcolor=darkolivegreen1]\n"
              "\tn0 -> tensor\n"
              "\tn0 [label=\"MulBackward0\"]\n"
              "\tn0_saved0 [label=\"saved 0\\n(2) float32\" fillcolor=orange]\n"
              "\tn0_saved0 -> n0 [style=dotted]\n"
              "\tn0_saved1 [label=\"saved 1\\n(2) float32\" fillcolor=orange]\n"
              "\tn0_saved1 -> n0 [style=dotted]\n"
              "\tn1 -> n0\n"
              "\tn1 -> n0\n"
              "\tn1 [label=\"AccumulateGrad\"]\n"
              "\tn1_leaf [label=\"(2)\" fillcolor=lightblue]\n"
              "\tn1_leaf -> n1\n"
              "}\n");
    free(text);
    text = dot_of(x);
    CHECK_STR(text, HEAD "\ttensor [label=\"(2)\" fillcolor=darkolivegreen1]\n}\n");
    free(text);
    CHECK(cg_graph_write_dot(NULL, stdout) == -1);
    CHECK(cg_graph_write_dot(x, NULL) == -1);
}

/* A chain of 100k nodes: written without recursion, each node once. */
static void test_long_chain(void) {
    cg_tensor *y = cg_requires_grad_(F32(1), true);
    for (int i = 0; i < 100000; i++) y = cg_mul_scalar(y, 1);
    char *text = dot_of(y);
    CHECK(text && strstr(text, "\tn99999 [label=\"MulBackward0\"]\n") && strstr(text, "\tn100000 [label=\"AccumulateGrad\"]\n"));
    free(text);
}

int main(void) {
    RUN(test_small_graph);
    RUN(test_shared_node_and_no_history);
    RUN(test_long_chain);
    HARNESS_END();
}
