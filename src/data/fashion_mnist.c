/* Fashion-MNIST as torchvision.datasets.FashionMNIST(transform=ToTensor()) gives it: the IDX files
 * of MNIST's layout (Debian's dataset-fashion-mnist installs the four .gz files), images scaled to
 * [0, 1] on the way in, labels as int64. */
#include "core/tensor.h"
#include "data/data.h"

#include <stdio.h>
#include <string.h>

/* dir/name.gz, else dir/name: the path that exists, in path. */
static bool find_file(const char *dir, const char *name, char *path, size_t size) {
    const char *tails[] = {".gz", ""};
    for (int i = 0; i < 2; i++) {
        int n = snprintf(path, size, "%s/%s%s", dir, name, tails[i]);
        FILE *f = n > 0 && (size_t)n < size ? fopen(path, "rb") : NULL;
        if (f) {
            fclose(f);
            return true;
        }
    }
    cg_set_error("Fashion-MNIST: %s/%s(.gz) not found (Debian: apt-get install dataset-fashion-mnist, which puts the "
                 "files in " CG_FASHION_MNIST_DIR ")", dir, name);
    return false;
}

int cg_fashion_mnist_load(const char *dir, bool train, cg_tensor **images, cg_tensor **labels) {
    if (!images || !labels) return -1;
    *images = *labels = NULL;
    if (!dir) dir = CG_FASHION_MNIST_DIR;
    const char *split = train ? "train" : "t10k";
    char name[64], path[4096];
    cg_tensor *x = NULL, *y = NULL;
    snprintf(name, sizeof name, "%s-images-idx3-ubyte", split);
    if (find_file(dir, name, path, sizeof path)) x = cg_idx_load_scaled_(path, 255);
    snprintf(name, sizeof name, "%s-labels-idx1-ubyte", split);
    if (x && find_file(dir, name, path, sizeof path)) y = cg_idx_load(path);
    if (!x || !y) return -1;
    if (cg_ndim(x) != 3 || cg_ndim(y) != 1 || cg_size(x, 0) != cg_size(y, 0)) {
        cg_set_error("Fashion-MNIST: %s images of shape %s and labels of shape %s (want [N, H, W] and [N])", split,
                     cg_shape_text(x->ndim, x->sizes).s, cg_shape_text(y->ndim, y->sizes).s);
        return -1;
    }
    *images = cg_unsqueeze(x, 1);
    *labels = y;
    return *images ? 0 : -1;
}
