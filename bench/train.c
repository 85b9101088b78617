/* An epoch of `make train`'s models (examples/train_models.h: the MLP and LeNet-5, Adam, batch 64,
 * shuffled DataLoader, cross_entropy) against PyTorch 1.13 training the same models the same way,
 * both at 1 thread, in the same invocation (bench/bench.h). The epoch is one pass over the embedded
 * Fashion-MNIST subset (examples/data/fashion-mnist-subset: 2,000 images, 32 batches; an epoch of
 * the full set is 30 times as many of the same steps), so `make bench` stays short. The epochs repeat
 * at Adam's lr of 2e-3 (no ExponentialLR: the lr does not change the work).
 *   mlp_epoch_{ns,torch_ns,ratio}, cnn_epoch_{ns,torch_ns,ratio}: medians; ratio = PyTorch / cgrad.
 *   mlp_peak_rss_kb, cnn_peak_rss_kb (and _torch_kb, _ratio = PyTorch / cgrad): the peak resident set
 *     (getrusage's ru_maxrss) of a process that loads the subset, builds the model and trains 3
 *     epochs; for PyTorch that includes the interpreter and libtorch.
 *   mlp_step_anon_kb_growth, cnn_step_anon_kb_growth: RssAnon after 320 steps (10 epochs) minus
 *     after 32 (the first epoch): train_step's memory is flat when this stays near 0.
 * Run from the repository's root (make bench). */
#include "bench.h"
#include "../examples/train_models.h"

#include <sys/resource.h>
#include <unistd.h>

#define SUBSET "examples/data/fashion-mnist-subset"

typedef struct {
    cg_module *m;
    cg_optimizer *opt;
    cg_dataloader *dl;
} epoch_ctx;

static void epoch(void *arg) {
    epoch_ctx *c = arg;
    cg_tensor *batch[2];
    if (cg_dataloader_begin(c->dl) != 0) exit(1);
    for (int more = 1; more == 1;) {
        cg_scope_begin();
        more = cg_dataloader_next(c->dl, batch);
        if (more == 1 && isnan(train_step(c->m, c->opt, batch[0], batch[1]))) more = -1;
        cg_scope_end();
        if (more < 0) {
            fprintf(stderr, "bench/train: %s\n", cg_last_error());
            exit(1);
        }
    }
}

/* A "Name:   1234 kB" line of /proc/self/status, in kB; -1 where there is none. */
static long status_kb(const char *field) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    size_t len = strlen(field);
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, field, len) == 0 && line[len] == ':') kb = strtol(line + len + 1, NULL, 10);
    if (f) fclose(f);
    return kb;
}

static int setup(epoch_ctx *c, const char *model) {
    cg_tensor *x, *y;
    if (cg_fashion_mnist_load(SUBSET, true, &x, &y) != 0) {
        fprintf(stderr, "bench/train: %s (run it from the repository's root)\n", cg_last_error());
        return -1;
    }
    x = cg_transform_normalize(x, 1, (double[]){TRAIN_MEAN}, (double[]){TRAIN_STD});
    cg_manual_seed(0);
    c->m = train_model(model);
    c->opt = c->m ? train_optimizer(c->m) : NULL;
    c->dl = c->opt ? cg_dataloader_new(((cg_tensor *[]){x, y}), 2, .batch_size = 64, .shuffle = true) : NULL;
    return c->dl ? 0 : -1;
}

static void teardown(epoch_ctx *c) {
    cg_dataloader_free(c->dl);
    cg_optimizer_free(c->opt);
    cg_module_free(c->m);
}

/* The PyTorch side: the subset as tools/gen_train_parity.py reads it, the model, Adam, the loader,
 * and epoch(). No single quotes (bench_torch_ns). */
static const char *torch_setup(const char *model) {
    static char code[4096];
    const char *net = !strcmp(model, "mlp")
        ? "nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))"
        : "nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 16, 5), nn.ReLU(), "
          "nn.MaxPool2d(2), nn.Flatten(), nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))";
    snprintf(code, sizeof code,
             "import struct, resource, torch.nn as nn, torch.nn.functional as F\n"
             "def idx(name):\n"
             "    d = open(\"" SUBSET "/\" + name, \"rb\").read()\n"
             "    n = d[3]\n"
             "    return torch.frombuffer(bytearray(d[4 + 4 * n:]), dtype=torch.uint8).reshape(struct.unpack(\">%%dI\" %% n, d[4:4 + 4 * n]))\n"
             "x = idx(\"train-images-idx3-ubyte\").float().div(255).unsqueeze(1).sub(%g).div(%g)\n"
             "y = idx(\"train-labels-idx1-ubyte\").long()\n"
             "torch.manual_seed(0)\n"
             "model = %s\n"
             "opt = torch.optim.Adam(model.parameters(), lr=%g)\n"
             "dl = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=64, shuffle=True)\n"
             "def epoch():\n"
             "    for a, b in dl:\n"
             "        opt.zero_grad()\n"
             "        F.cross_entropy(model(a), b).backward()\n"
             "        opt.step()\n",
             (double)(float)TRAIN_MEAN, (double)(float)TRAIN_STD, net, TRAIN_LR);
    return code;
}

/* --peak MODEL: this process trains 3 epochs and prints its ru_maxrss (kB). */
static int peak_child(const char *model) {
    epoch_ctx c;
    if (setup(&c, model) != 0) return 1;
    for (int e = 0; e < 3; e++) epoch(&c);
    teardown(&c);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("%ld\n", ru.ru_maxrss);
    return 0;
}

static long read_number(const char *cmd) {
    FILE *p = popen(cmd, "r");
    long v = -1;
    if (p) {
        if (fscanf(p, "%ld", &v) != 1) v = -1;
        pclose(p);
    }
    return v;
}

static void peak_rss(const char *self, const char *model, const char *name) {
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "%s --peak %s", self, model);
    long kb = read_number(cmd);
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 -c 'import torch\ntorch.set_num_threads(1)\n%s\nfor e in range(3): epoch()\n"
             "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)' 2>/dev/null",
             torch_setup(model));
    long torch_kb = read_number(cmd);
    printf("%s_peak_rss_kb %ld\n", name, kb);
    if (torch_kb > 0) printf("%s_peak_rss_torch_kb %ld\n%s_peak_rss_ratio %.2f\n", name, torch_kb, name, (double)torch_kb / (double)kb);
    fflush(stdout);
}

static void measure(const char *self, const char *model, const char *name) {
    epoch_ctx c;
    if (setup(&c, model) != 0) exit(1);
    char line[64];
    snprintf(line, sizeof line, "%s_epoch", name);
    bench_report(line, bench_median_ns(epoch, &c), bench_torch_ns(torch_setup(model), "epoch()", 1));
    teardown(&c);
    /* Memory over 10 epochs of a fresh run. */
    if (setup(&c, model) != 0) exit(1);
    epoch(&c);
    long first = status_kb("RssAnon");
    for (int e = 1; e < 10; e++) epoch(&c);
    long last = status_kb("RssAnon");
    printf("%s_step_anon_kb_after_32 %ld\n%s_step_anon_kb_after_320 %ld\n%s_step_anon_kb_growth %ld\n", name, first, name,
           last, name, last - first);
    teardown(&c);
    peak_rss(self, model, name);
}

int main(int argc, char **argv) {
    if (argc == 3 && !strcmp(argv[1], "--peak")) return peak_child(argv[2]);
    measure(argv[0], "mlp", "mlp");
    measure(argv[0], "lenet", "cnn");
    return 0;
}
