/* A picture of a graph: one step of a small two-layer network's loss, written as Graphviz DOT and
 * rendered to SVG when Graphviz's `dot` is installed. docs/graph.svg is its picture:
 *
 *     build/examples/graph_dot build/graph.dot docs/graph.svg
 *
 * Without arguments it writes build/graph.dot and build/graph.svg. */
#include "cgrad.h"

#include <stdio.h>
#include <stdlib.h>

static cg_tensor *parameter(int64_t rows, int64_t cols) {
    return cg_requires_grad_(cg_reshape(cg_linspace(-1, 1, rows * cols, CG_FLOAT32), rows, cols), true);
}

static cg_tensor *identity(cg_tensor *grad, void *user) {
    (void)user;
    return grad;
}

int main(int argc, char **argv) {
    const char *dot_path = argc > 1 ? argv[1] : "build/graph.dot", *svg_path = argc > 2 ? argv[2] : "build/graph.svg";
    int status = 1;
    CG_SCOPE {
        cg_tensor *x = cg_reshape(cg_linspace(0, 1, 8, CG_FLOAT32), 4, 2);
        cg_tensor *w1 = parameter(2, 3), *b1 = cg_requires_grad_(cg_zeros(3), true), *w2 = parameter(3, 1);
        cg_register_hook(w2, identity, NULL); /* shown as a leaf's hook */
        cg_tensor *hidden = cg_tanh(cg_add(cg_matmul(x, w1), b1));
        cg_tensor *loss = cg_mse_loss(cg_matmul(hidden, w2), cg_ones_shape(CG_FLOAT32, CG_SHAPE(4, 1)));
        FILE *f = fopen(dot_path, "w");
        if (!f || cg_graph_write_dot(loss, f) < 0) {
            fprintf(stderr, "cannot write %s: %s\n", dot_path, f ? cg_last_error() : "fopen failed");
        } else {
            status = 0;
            printf("wrote %s\n", dot_path);
        }
        if (f) fclose(f);
    }
    if (status) return status;
    if (system("command -v dot >/dev/null 2>&1") != 0) {
        printf("Graphviz's dot is not installed: render it with  dot -Tsvg %s -o %s\n", dot_path, svg_path);
        return 0;
    }
    char command[1024];
    snprintf(command, sizeof command, "dot -Tsvg '%s' -o '%s'", dot_path, svg_path);
    if (system(command) != 0) {
        fprintf(stderr, "dot failed: %s\n", command);
        return 1;
    }
    printf("wrote %s\n", svg_path);
    return 0;
}
