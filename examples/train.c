/* `make train`: an MLP and LeNet-5 trained on Fashion-MNIST, as PyTorch's tutorials train them
 * (examples/train_models.h has the PyTorch definitions). By default the embedded subset
 * (examples/data/fashion-mnist-subset: 2,000 training and 500 test images) so it runs anywhere in
 * seconds; --full reads Debian's dataset-fashion-mnist (apt-get install dataset-fashion-mnist),
 * --data DIR another copy of the four IDX files.
 *
 *   build/examples/train [--full | --data DIR] [--model mlp|lenet|both] [--epochs N] [--out DIR]
 *
 * On a terminal a progress bar (steps, loss, samples/s, ETA); otherwise a plain line every tenth
 * of an epoch. After each epoch the test accuracy; at the end each model's checkpoint is saved as
 * safetensors (OUT/NAME.safetensors), loaded into a freshly built model and checked (the same
 * bits, the same accuracy), and the loss curves go to OUT/loss.svg. */
#define _POSIX_C_SOURCE 200809L
#include "train_models.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define SUBSET_DIR "examples/data/fashion-mnist-subset"
#define BATCH 64

typedef struct {
    const char *name;
    float *loss;           /* one per step */
    int64_t steps, steps_per_epoch;
    double accuracy;
} run_log;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void format_seconds(double s, char *buf, size_t size) {
    long t = s < 0 || s > 1e7 ? 0 : (long)(s + 0.5);
    snprintf(buf, size, "%ld:%02ld", t / 60, t % 60);
}

/* The bar on a terminal (rewritten in place), else a line every tenth of the epoch. */
static void progress(const char *name, int epoch, int64_t step, int64_t steps, float loss, double started, bool tty) {
    double elapsed = now() - started, rate = elapsed > 0 ? (double)(step * BATCH) / elapsed : 0;
    char eta[32];
    format_seconds(step ? elapsed / (double)step * (double)(steps - step) : 0, eta, sizeof eta);
    if (tty) {
        int width = 30, filled = (int)(width * step / steps);
        char bar[64];
        for (int i = 0; i < width; i++) bar[i] = i < filled ? '=' : i == filled ? '>' : ' ';
        bar[width] = '\0';
        printf("\r%s epoch %d [%s] %lld/%lld loss %.4f %.0f samples/s ETA %s ", name, epoch, bar, (long long)step,
               (long long)steps, loss, rate, eta);
        fflush(stdout);
    } else {
        int64_t every = steps / 10 ? steps / 10 : 1;
        if (step % every == 0 || step == steps)
        {
            printf("%s epoch %d step %lld/%lld loss %.4f samples/s %.0f eta %s\n", name, epoch, (long long)step,
                   (long long)steps, loss, rate, eta);
            fflush(stdout);
        }
    }
}

/* Saves m's state_dict to path, loads it back into a fresh model of that name, and checks that
 * every tensor has the same bits and the test accuracy is the same. 0 or -1. */
static int checkpoint(cg_module *m, const char *name, const char *path, cg_tensor *xt, cg_tensor *yt, double accuracy) {
    cg_named_tensors saved = {0}, loaded = {0}, again = {0};
    const char *meta[] = {"format", "pt", NULL};
    int rc = -1;
    cg_manual_seed(12345);  /* other initial weights than the trained model's */
    cg_module *fresh = train_model(name);
    if (cg_module_state_dict(m, &saved) == 0 && cg_safetensors_save(path, &saved, meta) == 0 &&
        cg_safetensors_load(path, &loaded) == 0 && fresh && cg_module_load_state_dict(fresh, &loaded, true) == 0 &&
        cg_module_state_dict(fresh, &again) == 0 && again.n == saved.n) {
        rc = 0;
        for (int i = 0; i < saved.n; i++) {
            cg_scope_begin();
            cg_tensor *same = cg_eq(saved.tensors[i], again.tensors[i]);
            if (strcmp(saved.names[i], again.names[i]) || !same || cg_item(cg_sum(same)) != (double)cg_numel(same)) rc = -1;
            cg_scope_end();
        }
        double reloaded = train_accuracy(fresh, xt, yt);
        printf("%s: checkpoint %s (%d tensors) reloaded into a new model: %s, test accuracy %.2f%%\n", name, path,
               saved.n, rc ? "DIFFERENT tensors" : "identical tensors", 100 * reloaded);
        if (reloaded != accuracy) rc = -1;
    }
    if (rc && cg_last_error()[0]) fprintf(stderr, "%s: checkpoint failed: %s\n", name, cg_last_error());
    cg_named_tensors_free(&saved);
    cg_named_tensors_free(&loaded);
    cg_named_tensors_free(&again);
    cg_module_free(fresh);
    return rc;
}

static int train(const char *name, cg_tensor *x, cg_tensor *y, cg_tensor *xt, cg_tensor *yt, int epochs,
                 const char *out, run_log *log) {
    cg_manual_seed(0);
    cg_module *m = train_model(name);
    cg_optimizer *opt = m ? train_optimizer(m) : NULL;
    cg_lr_scheduler *sched = opt ? train_scheduler(opt) : NULL;
    cg_dataloader *dl = sched ? cg_dataloader_new(((cg_tensor *[]){x, y}), 2, .batch_size = BATCH, .shuffle = true) : NULL;
    int rc = dl ? 0 : -1;
    bool tty = isatty(STDOUT_FILENO);
    log->name = name;
    log->steps_per_epoch = dl ? cg_dataloader_len(dl) : 0;
    log->loss = malloc(sizeof(float) * (size_t)(epochs * log->steps_per_epoch + 1));
    log->steps = 0;
    if (!log->loss) rc = -1;
    for (int epoch = 1; rc == 0 && epoch <= epochs; epoch++) {
        double started = now();
        cg_tensor *batch[2];
        if (cg_dataloader_begin(dl) != 0) rc = -1;
        for (int64_t step = 1; rc == 0; step++) {
            cg_scope_begin();
            int more = cg_dataloader_next(dl, batch);
            float loss = more == 1 ? train_step(m, opt, batch[0], batch[1]) : NAN;
            cg_scope_end();
            if (more == 0) break;
            if (more < 0 || isnan(loss)) {
                rc = -1;
                break;
            }
            log->loss[log->steps++] = loss;
            progress(name, epoch, step, log->steps_per_epoch, loss, started, tty);
        }
        if (rc == 0 && cg_lr_scheduler_step(sched) != 0) rc = -1;
        if (rc) break;
        log->accuracy = train_accuracy(m, xt, yt);
        printf("%s%s epoch %d: %.1f s, test accuracy %.2f%%\n", tty ? "\n" : "", name, epoch, now() - started,
               100 * log->accuracy);
        fflush(stdout);
    }
    if (rc) fprintf(stderr, "%s: training failed: %s\n", name, cg_last_error());
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.safetensors", out, name);
    if (rc == 0) rc = checkpoint(m, name, path, xt, yt, log->accuracy);
    cg_dataloader_free(dl);
    cg_lr_scheduler_free(sched);
    cg_optimizer_free(opt);
    cg_module_free(m);
    return rc;
}

/* The loss of every step (faint) and its running mean over 20 steps, per model, with epoch marks. */
static int write_svg(const char *path, const run_log *logs, int n) {
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    const double W = 720, H = 400, L = 60, R = 20, T = 40, B = 50;
    const char *colors[] = {"#1f77b4", "#d62728", "#2ca02c"};
    float top = 0;
    int64_t steps = 1;
    for (int k = 0; k < n; k++) {
        for (int64_t i = 0; i < logs[k].steps; i++) top = logs[k].loss[i] > top ? logs[k].loss[i] : top;
        steps = logs[k].steps > steps ? logs[k].steps : steps;
    }
    top = top > 0 ? ceilf(top * 2) / 2 : 1;
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%g\" height=\"%g\" font-family=\"sans-serif\" "
               "font-size=\"12\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n", W, H);
    fprintf(f, "<text x=\"%g\" y=\"24\" text-anchor=\"middle\" font-size=\"15\">Fashion-MNIST training loss "
               "(cross-entropy per batch of %d)</text>\n", W / 2, BATCH);
    for (int t = 0; t <= 4; t++) {
        double y = T + (H - T - B) * (1 - t / 4.0);
        fprintf(f, "<line x1=\"%g\" y1=\"%g\" x2=\"%g\" y2=\"%g\" stroke=\"#ddd\"/>\n", L, y, W - R, y);
        fprintf(f, "<text x=\"%g\" y=\"%g\" text-anchor=\"end\">%.2f</text>\n", L - 6, y + 4, top * t / 4.0);
    }
    for (int t = 0; t <= 4; t++)
        fprintf(f, "<text x=\"%g\" y=\"%g\" text-anchor=\"middle\">%lld</text>\n", L + (W - L - R) * t / 4.0, H - B + 18,
                (long long)(steps * t / 4));
    fprintf(f, "<text x=\"%g\" y=\"%g\" text-anchor=\"middle\">step</text>\n", (L + W - R) / 2, H - 12);
    for (int k = 0; k < n; k++) {
        const run_log *g = &logs[k];
        for (int64_t e = g->steps_per_epoch; k == 0 && e < g->steps; e += g->steps_per_epoch)
            fprintf(f, "<line x1=\"%.1f\" y1=\"%g\" x2=\"%.1f\" y2=\"%g\" stroke=\"#999\" stroke-dasharray=\"4 4\"/>\n",
                    L + (W - L - R) * (double)e / (double)steps, T, L + (W - L - R) * (double)e / (double)steps, H - B);
        for (int smooth = 0; smooth < 2; smooth++) {
            fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"%s\" stroke-opacity=\"%s\" points=\"", colors[k % 3],
                    smooth ? "2" : "1", smooth ? "1" : "0.25");
            double sum = 0;
            for (int64_t i = 0; i < g->steps; i++) {
                sum += g->loss[i] - (smooth && i >= 20 ? g->loss[i - 20] : 0);
                double v = smooth ? sum / (double)(i < 20 ? i + 1 : 20) : g->loss[i];
                fprintf(f, "%.1f,%.1f ", L + (W - L - R) * (double)(i + 1) / (double)steps, T + (H - T - B) * (1 - v / top));
            }
            fprintf(f, "\"/>\n");
        }
        fprintf(f, "<text x=\"%g\" y=\"%d\" fill=\"%s\" text-anchor=\"end\">%s: test accuracy %.2f%%</text>\n", W - R - 10,
                (int)T + 16 + 16 * k, colors[k % 3], g->name, 100 * g->accuracy);
    }
    fprintf(f, "</svg>\n");
    return fclose(f) == 0 ? 0 : -1;
}

static int usage(void) {
    fprintf(stderr, "usage: train [--full | --data DIR] [--model mlp|lenet|both] [--epochs N] [--out DIR]\n");
    return 2;
}

int main(int argc, char **argv) {
    const char *dir = SUBSET_DIR, *model = "both", *out = "build/train";
    int epochs = 3;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--full")) dir = CG_FASHION_MNIST_DIR;
        else if (!strcmp(argv[i], "--data") && i + 1 < argc) dir = argv[++i];
        else if (!strcmp(argv[i], "--model") && i + 1 < argc) model = argv[++i];
        else if (!strcmp(argv[i], "--epochs") && i + 1 < argc) epochs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--out") && i + 1 < argc) out = argv[++i];
        else return usage();
    }
    if (epochs < 1 || (strcmp(model, "both") && !train_model(model))) return usage();
    mkdir(out, 0777);
    cg_tensor *x, *y, *xt, *yt;
    if (cg_fashion_mnist_load(dir, true, &x, &y) != 0 || cg_fashion_mnist_load(dir, false, &xt, &yt) != 0) {
        fprintf(stderr, "train: %s\n", cg_last_error());
        if (!strcmp(dir, SUBSET_DIR)) fprintf(stderr, "train: run it from the repository's root (make train)\n");
        return 1;
    }
    x = cg_transform_normalize(x, 1, (double[]){TRAIN_MEAN}, (double[]){TRAIN_STD});
    xt = cg_transform_normalize(xt, 1, (double[]){TRAIN_MEAN}, (double[]){TRAIN_STD});
    printf("Fashion-MNIST from %s: %lld training, %lld test images; batch %d, Adam(lr=%g), lr x %g each epoch, %d epochs, "
           "%d thread(s)\n", dir, (long long)cg_size(y, 0), (long long)cg_size(yt, 0), BATCH, TRAIN_LR, TRAIN_GAMMA, epochs,
           cg_get_num_threads());
    const char *names[] = {"mlp", "lenet"};
    run_log logs[2] = {{0}};
    int n = 0, rc = 0;
    for (int k = 0; k < 2 && rc == 0; k++)
        if (!strcmp(model, "both") || !strcmp(model, names[k])) rc = train(names[k], x, y, xt, yt, epochs, out, &logs[n++]);
    char path[4096];
    snprintf(path, sizeof path, "%s/loss.svg", out);
    if (rc == 0 && write_svg(path, logs, n) == 0) printf("loss curves: %s\n", path);
    else if (rc == 0) {
        fprintf(stderr, "train: cannot write %s\n", path);
        rc = 1;
    }
    for (int k = 0; k < n; k++) free(logs[k].loss);
    return rc ? 1 : 0;
}
