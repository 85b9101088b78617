/* The two networks of `make train` (examples/train.c), also built by tests/test_train_parity.c and
 * bench/train.c, with the PyTorch definitions they mirror (tools/gen_train_parity.py):
 *
 *   mlp   = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(),
 *                         nn.Linear(128, 10))
 *   lenet = nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5),
 *                         nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(400, 120), nn.ReLU(),
 *                         nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
 *
 * Both train with cross_entropy, Adam(lr=2e-3) and ExponentialLR(gamma=0.5) stepped after each epoch
 * (measured in PyTorch on the full set, 3 epochs: the MLP reaches 88.1% and LeNet 88.7% test
 * accuracy this way, 87.1% and 87.3% with a constant lr=1e-3), on images normalized with
 * Fashion-MNIST's training mean and std. */
#ifndef CG_EXAMPLES_TRAIN_MODELS_H
#define CG_EXAMPLES_TRAIN_MODELS_H

#include <cgrad.h>
#include <math.h>
#include <string.h>

#define TRAIN_MEAN 0.2860
#define TRAIN_STD 0.3530
#define TRAIN_LR 2e-3
#define TRAIN_GAMMA 0.5

static inline cg_module *train_mlp(void) {
    return cg_nn_sequential(CG_MODULES(cg_nn_flatten(1, -1), cg_nn_linear(784, 256), cg_nn_relu(), cg_nn_linear(256, 128),
                                       cg_nn_relu(), cg_nn_linear(128, 10)));
}

static inline cg_module *train_lenet(void) {
    return cg_nn_sequential(CG_MODULES(cg_nn_conv2d(1, 6, CG_INTS(5), .padding = CG_INTS(2)), cg_nn_relu(),
                                       cg_nn_max_pool2d(CG_INTS(2)), cg_nn_conv2d(6, 16, CG_INTS(5)), cg_nn_relu(),
                                       cg_nn_max_pool2d(CG_INTS(2)), cg_nn_flatten(1, -1), cg_nn_linear(400, 120),
                                       cg_nn_relu(), cg_nn_linear(120, 84), cg_nn_relu(), cg_nn_linear(84, 10)));
}

/* "mlp" or "lenet" (NULL for another name). */
static inline cg_module *train_model(const char *name) {
    return !strcmp(name, "mlp") ? train_mlp() : !strcmp(name, "lenet") ? train_lenet() : NULL;
}

/* Adam(model.parameters(), lr=TRAIN_LR). */
static inline cg_optimizer *train_optimizer(cg_module *m) {
    cg_named_tensors params = {0};
    if (cg_module_named_parameters(m, &params) != 0) return NULL;
    cg_optim_options o = cg_optim_defaults(CG_ADAM);
    o.lr = TRAIN_LR;
    cg_optimizer *opt = cg_optimizer_new(CG_ADAM, (cg_tensor_list){params.tensors, params.n}, o);
    cg_named_tensors_free(&params);
    return opt;
}

/* ExponentialLR(optimizer, gamma=TRAIN_GAMMA): cg_lr_scheduler_step after each epoch. */
static inline cg_lr_scheduler *train_scheduler(cg_optimizer *opt) {
    cg_lr_options o = cg_lr_defaults(CG_EXPONENTIAL_LR);
    o.gamma = TRAIN_GAMMA;
    return cg_lr_scheduler_new(opt, CG_EXPONENTIAL_LR, o);
}

/* optimizer.zero_grad(); loss = cross_entropy(model(x), y); loss.backward(); optimizer.step():
 * the loss, NAN on error. Whatever the step makes is released before it returns. */
static inline float train_step(cg_module *m, cg_optimizer *opt, cg_tensor *x, cg_tensor *y) {
    float loss = NAN;
    cg_scope_begin();
    cg_tensor *l = NULL;
    if (cg_optimizer_zero_grad(opt, false) == 0) l = cg_cross_entropy(cg_module_forward(m, x), y);
    if (l && cg_backward(l) == 0 && cg_optimizer_step(opt) == 0) loss = (float)cg_item(l);
    cg_scope_end();
    return loss;
}

/* The fraction of images the model (in eval mode, without grad) classifies as labelled; -1 on error. */
static inline double train_accuracy(cg_module *m, cg_tensor *images, cg_tensor *labels) {
    int64_t n = cg_size(labels, 0), right = 0;
    bool ok = n > 0;
    cg_module_train(m, false);
    CG_NO_GRAD {
        for (int64_t at = 0; ok && at < n; at += 1000) {
            cg_scope_begin();
            int64_t len = n - at < 1000 ? n - at : 1000;
            cg_tensor *out = cg_module_forward(m, cg_narrow(images, 0, at, len));
            cg_tensor *hits = cg_sum(cg_eq(cg_argmax_dim(out, 1, false), cg_narrow(labels, 0, at, len)));
            ok = hits != NULL;
            if (ok) right += (int64_t)cg_item(hits);
            cg_scope_end();
        }
    }
    cg_module_train(m, true);
    return ok ? (double)right / (double)n : -1;
}

#endif
