/* Fashion-MNIST's loader on the embedded subset (examples/data/fashion-mnist-subset/) and the
 * ToTensor / Normalize transforms against torchvision's arithmetic in PyTorch 1.13
 * (tests/data/transforms.txt from tools/gen_transforms.py), float32 bits. */
#include "golden.h"
#include "harness.h"

#define SUBSET "examples/data/fashion-mnist-subset"

/* t's float32 bits equal the hex words of the golden line named name. */
static bool bits_match(const cg_tensor *t, const char *name) {
    golden_file g;
    if (!t || golden_open(&g, "tests/data/transforms.txt") < 0) return false;
    bool ok = false;
    for (char *line, *cur; (line = golden_next_line(&g));) {
        cur = line;
        if (strcmp(golden_token(&cur), name)) continue;
        const float *v = cg_data_ptr(t);
        int64_t k = 0;
        ok = true;
        for (char *tok; (tok = golden_token(&cur)); k++) {
            uint32_t want = (uint32_t)strtoul(tok, NULL, 16), got;
            if (k >= cg_numel(t)) return golden_close(&g), false;
            memcpy(&got, &v[k], 4);
            if (got != want) {
                printf("  %s[%lld]: %08x, PyTorch's %08x\n", name, (long long)k, got, want);
                ok = false;
            }
        }
        ok = ok && k == cg_numel(t);
    }
    golden_close(&g);
    return ok;
}

static bool all_equal(cg_tensor *a, cg_tensor *b) {
    cg_tensor *same = cg_eq(a, b);
    return same && cg_item(cg_sum(same)) == (double)cg_numel(a);
}

static void test_to_tensor_and_normalize(void) {
    cg_tensor *bytes = cg_reshape(cg_arange(0, 256, 1, CG_INT64), 16, 16);
    cg_tensor *x = cg_transform_to_tensor(bytes);
    CHECK_OK(x);
    CHECK(x && cg_get_dtype(x) == CG_FLOAT32 && cg_ndim(x) == 3 && cg_size(x, 0) == 1 && cg_size(x, 2) == 16);
    CHECK(bits_match(x, "to_tensor"));
    CHECK(bits_match(cg_transform_normalize(x, 1, (double[]){0.2860}, (double[]){0.3530}), "normalize"));
    cg_tensor *flipped = cg_index_select(x, 1, cg_arange(15, -1, -1, CG_INT64));
    cg_tensor *x3 = cg_cat(CG_LIST(x, flipped, cg_transpose(x, 1, 2)), 0);
    CHECK(bits_match(cg_contiguous(cg_transform_normalize(x3, 3, (double[]){0.485, 0.456, 0.406},
                                                          (double[]){0.229, 0.224, 0.225})),
                     "normalize3"));
    /* A batch [N, C, H, W] broadcasts the same way. */
    cg_tensor *batch = cg_transform_normalize(cg_unsqueeze(x, 0), 1, (double[]){0.2860}, (double[]){0.3530});
    CHECK(batch && cg_ndim(batch) == 4 && bits_match(cg_contiguous(batch), "normalize"));
}

static void test_transform_errors(void) {
    cg_tensor *f = cg_zeros(1, 2, 2), *i = cg_zeros_shape(CG_INT64, 3, (int64_t[]){1, 2, 2});
    CHECK_ERROR(cg_transform_normalize(i, 1, (double[]){0}, (double[]){1}), "Input tensor should be a float tensor. Got torch.int64.");
    CHECK(cg_last_error_kind() == CG_TYPE_ERROR);
    CHECK_ERROR(cg_transform_normalize(cg_zeros(2, 2), 1, (double[]){0}, (double[]){1}),
                "Expected tensor to be a tensor image of size (..., C, H, W). Got tensor.size() = torch.Size([2, 2])");
    CHECK_ERROR(cg_transform_normalize(f, 1, (double[]){0}, (double[]){1e-50}),
                "std evaluated to zero after conversion to torch.float32, leading to division by zero.");
    CHECK(cg_last_error_kind() == CG_VALUE_ERROR);
    CHECK_ERROR(cg_transform_normalize(cg_zeros(3, 2, 2), 2, (double[]){0, 0}, (double[]){1, 1}),
                "The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 0");
    CHECK_ERROR(cg_transform_to_tensor(f), "ToTensor: expected integer images of shape [..., H, W] (bytes 0..255), got float32 of shape [1, 2, 2]");
    CHECK(cg_transform_to_tensor(NULL) == NULL && cg_transform_normalize(NULL, 1, (double[]){0}, (double[]){1}) == NULL);
}

static void test_fashion_mnist_subset(void) {
    cg_tensor *x, *y;
    CHECK_MSG(cg_fashion_mnist_load(SUBSET, true, &x, &y) == 0, "%s", cg_last_error());
    if (!x) return;
    CHECK(cg_get_dtype(x) == CG_FLOAT32 && cg_ndim(x) == 4 && cg_size(x, 0) == 2000 && cg_size(x, 1) == 1 &&
          cg_size(x, 2) == 28 && cg_size(x, 3) == 28);
    CHECK(cg_get_dtype(y) == CG_INT64 && cg_ndim(y) == 1 && cg_size(y, 0) == 2000);
    /* The images are ToTensor of the file's bytes, bit for bit; the labels the file's. */
    cg_tensor *raw = cg_idx_load(SUBSET "/train-images-idx3-ubyte");
    CHECK(all_equal(x, cg_transform_to_tensor(raw)));
    CHECK(cg_item(cg_min(x)) == 0 && cg_item(cg_max(x)) == 1);
    CHECK(all_equal(y, cg_idx_load(SUBSET "/train-labels-idx1-ubyte")));
    /* The class counts of the first 2,000 training labels and 500 test labels (Python's count). */
    cg_tensor *counts = cg_sum(cg_one_hot(y, 10), CG_DIMS(0));
    CHECK(harness_values_close(counts, (double[]){194, 216, 202, 195, 186, 200, 194, 215, 198, 200}, 0));
    CHECK(cg_fashion_mnist_load(SUBSET, false, &x, &y) == 0 && cg_size(x, 0) == 500 && cg_size(y, 0) == 500);
    CHECK(harness_values_close(cg_sum(cg_one_hot(y, 10), CG_DIMS(0)), (double[]){55, 52, 65, 46, 57, 39, 47, 47, 44, 48}, 0));
    CHECK_ERROR(cg_fashion_mnist_load("tests/data/none", true, &x, &y) == 0,
                "Fashion-MNIST: tests/data/none/train-images-idx3-ubyte(.gz) not found (Debian: apt-get install "
                "dataset-fashion-mnist, which puts the files in /usr/share/datasets/fashion-mnist)");
    CHECK(x == NULL && y == NULL);
    CHECK_ERROR(cg_fashion_mnist_load("tests/data", true, &x, &y) == 0,
                "Fashion-MNIST: tests/data/train-images-idx3-ubyte(.gz) not found (Debian: apt-get install "
                "dataset-fashion-mnist, which puts the files in /usr/share/datasets/fashion-mnist)");
}

int main(void) {
    RUN(test_to_tensor_and_normalize);
    RUN(test_transform_errors);
    RUN(test_fashion_mnist_subset);
    HARNESS_END();
}
