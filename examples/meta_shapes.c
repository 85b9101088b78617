/* Checking a model's shapes without its data: a LeNet-like network for a batch of 4096 images on
 * PyTorch's meta device. Every layer computes its output's shape, dtype and errors, backward makes
 * the gradients' shapes, and nothing but tensor headers is allocated (on the CPU every activation
 * of the batch would be). A wrong size shows up as PyTorch's error, here a flatten that expects
 * the wrong feature count. */
#include <cgrad.h>
#include <stdio.h>
#include <string.h>

static cg_tensor *param(int ndim, const int64_t *sizes) {
    cg_tensor_args args = {.ndim = ndim, .requires_grad = true, .device = CG_META};
    memcpy(args.sizes, sizes, (size_t)ndim * sizeof *sizes);
    return cg_tensor_opts(args);
}

static void show(const char *what, const cg_tensor *t) {
    printf("%-24s ", what);
    if (t) cg_print_size(t);
    else printf("error: %s\n", cg_last_error());
}

static cg_tensor *forward(cg_tensor *x, cg_tensor **w, int64_t features) {
    cg_tensor *h = cg_relu(cg_conv2d(x, w[0], .bias = w[1], .padding = CG_INTS(2)));
    show("conv1 + relu", h);
    h = cg_max_pool2d(h, CG_INTS(2));
    show("max_pool2d", h);
    h = cg_relu(cg_conv2d(h, w[2], .bias = w[3]));
    show("conv2 + relu", h);
    h = cg_max_pool2d(h, CG_INTS(2));
    show("max_pool2d", h);
    h = cg_view(h, -1, features);
    show("flatten", h);
    if (!h) return NULL;
    h = cg_relu(cg_add(cg_mm(h, w[4]), w[5]));
    show("fc1 + relu", h);
    return cg_add(cg_mm(h, w[6]), w[7]);
}

int main(void) {
    cg_tensor *x = cg_tensor_new(CG_SIZES(4096, 1, 28, 28), .device = CG_META);
    cg_tensor *labels = cg_to_device(cg_zeros_shape(CG_INT64, CG_SHAPE(4096)), CG_META);
    cg_tensor *w[] = {param(CG_SHAPE(6, 1, 5, 5)), param(CG_SHAPE(6)),  param(CG_SHAPE(16, 6, 5, 5)), param(CG_SHAPE(16)),
                      param(CG_SHAPE(400, 120)),   param(CG_SHAPE(120)), param(CG_SHAPE(120, 10)),     param(CG_SHAPE(10))};
    cg_tensor *logits = forward(x, w, 16 * 5 * 5);
    show("logits", logits);
    cg_tensor *loss = cg_cross_entropy(logits, labels);
    cg_print(loss);
    if (cg_backward(loss) < 0) return 1;
    show("grad of conv1's weight", cg_grad(w[0]));
    show("grad of fc1's weight", cg_grad(w[4]));

    printf("\nwith the feature count of 32x32 inputs:\n");
    cg_clear_error();
    show("logits", forward(x, w, 16 * 6 * 6));
    return 0;
}
