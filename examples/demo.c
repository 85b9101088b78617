/* `make demo`: a short tour of cgrad, then a real job: logistic regression fitted by gradient
 * descent with autograd on examples/data/blobs.csv. Every tensor prints exactly as PyTorch's does. */
#include <cgrad.h>
#include <stdio.h>
#include <stdlib.h>

static void say(const char *python, const cg_tensor *t) {
    printf(">>> %s\n", python);
    cg_print(t);
}

static void tour_tensors(void) {
    printf("== tensors, views, broadcasting\n");
    cg_tensor *a = cg_arange(0, 6, 1, CG_FLOAT32);
    say("a = torch.arange(6.)", a);
    cg_tensor *m = cg_view(a, 2, 3);
    say("m = a.view(2, 3)", m);
    say("m.t()", cg_t(m));
    say("m + torch.tensor([10., 20., 30.])", cg_add(m, cg_tensor_f32(((float[]){10, 20, 30}), 3)));
    say("m.sum(dim=1)", cg_sum(m, CG_DIMS(1)));
    cg_manual_seed(0);
    say("torch.manual_seed(0); torch.randn(2, 3)", cg_randn(2, 3));
    say("m @ m.t()", cg_matmul(m, cg_t(m)));
}

static void tour_autograd(void) {
    printf("\n== autograd (seed 000)\n");
    cg_tensor *x = cg_requires_grad_(cg_tensor_f32(((float[]){1, 2}), 2), true);
    say("x = torch.tensor([1., 2.], requires_grad=True)", x);
    cg_tensor *y = cg_pow_scalar(cg_add_scalar(x, 2), 2);
    say("y = (x + 2).pow(2)", y);
    cg_tensor *z = cg_mean(y);
    say("z = y.mean()", z);
    cg_backward(z);
    say("z.backward(); x.grad", cg_grad(x));
    cg_tensor *g = NULL;
    cg_tensor *t = cg_requires_grad_(cg_scalar(2, CG_FLOAT32), true);
    cg_autograd_grad(.outputs = CG_TENSORS(cg_pow_scalar(t, 3)), .inputs = CG_TENSORS(t), .results = &g,
                     .create_graph = true);
    say("t = torch.tensor(2., requires_grad=True); torch.autograd.grad(t**3, t, create_graph=True)[0]", g);
}

/* Reads examples/data/blobs.csv into X [n, 2] and labels [n]. */
static int load_blobs(cg_tensor **X, cg_tensor **labels) {
    FILE *f = fopen("examples/data/blobs.csv", "r");
    if (!f) {
        perror("examples/data/blobs.csv");
        return -1;
    }
    float xs[1024][2], ys[1024];
    int n = 0;
    char header[64];
    if (!fgets(header, sizeof header, f)) n = -1;
    while (n >= 0 && n < 1024 && fscanf(f, "%f,%f,%f", &xs[n][0], &xs[n][1], &ys[n]) == 3) n++;
    fclose(f);
    if (n <= 0) return -1;
    *X = cg_tensor_f32(&xs[0][0], n, 2);
    *labels = cg_tensor_f32(ys, n);
    return n;
}

static void logistic_regression(void) {
    printf("\n== logistic regression on examples/data/blobs.csv, by gradient descent\n");
    cg_tensor *X, *labels;
    int n = load_blobs(&X, &labels);
    if (n < 0) return;
    cg_tensor *w = cg_requires_grad_(cg_zeros(2), true), *b = cg_requires_grad_(cg_zeros(1), true);
    const double lr = 0.5;
    for (int step = 0; step <= 200; step++) {
        CG_SCOPE {
            cg_tensor *logits = cg_add(cg_matmul(X, w), b);
            cg_tensor *loss = cg_binary_cross_entropy_with_logits(logits, labels);
            if (cg_backward(loss) != 0) {
                fprintf(stderr, "RuntimeError: %s\n", cg_last_error());
                exit(1);
            }
            CG_NO_GRAD {
                cg_sub_(w, cg_mul_scalar(cg_grad(w), lr));
                cg_sub_(b, cg_mul_scalar(cg_grad(b), lr));
                if (step % 40 == 0) {
                    double accuracy = cg_item(cg_mean(cg_to(cg_eq(cg_gt_scalar(logits, 0), cg_gt_scalar(labels, 0.5)), CG_FLOAT32)));
                    printf("step %3d  loss %.4f  accuracy %.3f\n", step, cg_item(loss), accuracy);
                }
            }
            cg_zero_(cg_grad(w));
            cg_zero_(cg_grad(b));
        }
    }
    say("w", w);
    say("b", b);
}

int main(void) {
    tour_tensors();
    tour_autograd();
    logistic_regression();
    return 0;
}
