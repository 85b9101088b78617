// include/cgrad.h from C++17 (g++ and clang++, -Wall -Wextra -Werror): the README's example, the
// designated-initializer options (in declaration order, as C++20 requires), CG_SHAPE / CG_LIST /
// CG_TENSORS, CG_NUMBER's overloads, and CG_SCOPE / CG_NO_GRAD left by break, return and throw.
#include <cgrad.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <stdexcept>

extern "C" int test_refcount(const cg_tensor *t);  // tests/cpp/probe.c

static int passed, failed, current_failed;
static const char *current;

#define CHECK(cond)                                                                          \
    do {                                                                                     \
        if (!(cond)) {                                                                       \
            current_failed = 1;                                                              \
            fprintf(stderr, "%s:%d: %s: check failed: %s\n", __FILE__, __LINE__, current, #cond); \
        }                                                                                    \
    } while (0)

// t's repr is expected (with the error text when t is NULL).
#define CHECK_REPR(t, expected)                                                                   \
    do {                                                                                          \
        char buf_[512];                                                                           \
        const cg_tensor *t_ = (t);                                                                \
        if (!t_) fprintf(stderr, "  error: %s\n", cg_last_error());                               \
        CHECK(t_ && cg_format(t_, buf_, sizeof buf_) >= 0 && strcmp(buf_, expected) == 0);         \
        if (t_ && strcmp(buf_, expected)) fprintf(stderr, "  got:      %s\n  expected: %s\n", buf_, expected); \
    } while (0)

#define RUN(test)                                    \
    do {                                             \
        current = #test;                             \
        current_failed = 0;                          \
        CG_SCOPE test();                             \
        (current_failed ? failed : passed)++;        \
    } while (0)

static void test_readme_example(void) {
    cg_tensor *x = cg_requires_grad_(cg_tensor_f32(((float[]){1.0, 2.0}), 2), true);
    cg_tensor *y = cg_pow_scalar(cg_add_scalar(x, 2), 2);
    CHECK_REPR(y, "tensor([ 9., 16.], grad_fn=<PowBackward0>)");
    cg_tensor *z = cg_mean(y);
    CHECK_REPR(z, "tensor(12.5000, grad_fn=<MeanBackward0>)");
    CHECK(cg_backward(z) == 0);
    CHECK_REPR(cg_grad(x), "tensor([3., 4.])");
    y = cg_zeros(1, 3);
    CHECK(cg_copy_(cg_select(cg_select(y, 0, 0), 0, 0), cg_pow_scalar(cg_select(x, 0, 0), 2)) == 0);
    CHECK_REPR(y, "tensor([[1., 0., 0.]], grad_fn=<CopySlices>)");
}

static void test_optional_arguments(void) {
    float data[4] = {1, 2, 3, 4};
    cg_tensor *m = cg_tensor_new(.data = data, .dtype = CG_FLOAT32, CG_SIZES(2, 2), .requires_grad = true);
    CHECK_REPR(m, "tensor([[1., 2.],\n        [3., 4.]], requires_grad=True)");
    CHECK_REPR(cg_sum(m, CG_DIMS(0), .keepdim = true), "tensor([[4., 6.]], grad_fn=<SumBackward1>)");
    CHECK_REPR(cg_var(m, CG_DIMS(1), .biased = true), "tensor([0.2500, 0.2500], grad_fn=<VarBackward0>)");
    CHECK_REPR(cg_mse_loss(m, cg_zeros(2, 2), .reduction = CG_REDUCTION_SUM), "tensor(30., grad_fn=<MseLossBackward0>)");
    cg_tensor *y = cg_mul_scalar(m, 3);
    CHECK(cg_backward(y, .gradient = cg_ones(2, 2), .retain_graph = true) == 0);
    CHECK_REPR(cg_grad(m), "tensor([[3., 3.],\n        [3., 3.]])");
    cg_tensor *g[1];
    cg_tensor *s = cg_sum(cg_pow_scalar(m, 3));
    CHECK(cg_autograd_grad(.outputs = CG_TENSORS(s), .inputs = CG_TENSORS(m), .results = g, .create_graph = true) == 0);
    CHECK_REPR(g[0], "tensor([[ 3., 12.],\n        [27., 48.]], grad_fn=<MulBackward0>)");
}

static void test_shapes_and_lists(void) {
    size_t rows = 2;
    int64_t cols = 3;
    cg_tensor *a = cg_zeros_shape(CG_FLOAT64, CG_SHAPE(rows, cols));
    CHECK(a && cg_ndim(a) == 2 && cg_size(a, 0) == 2 && cg_size(a, 1) == 3 && cg_get_dtype(a) == CG_FLOAT64);
    cg_tensor *b = cg_ones(2, 3);
    CHECK_REPR(cg_view(cg_cat(CG_LIST(cg_to(a, CG_FLOAT32), b), 0), -1),
               "tensor([0., 0., 0., 0., 0., 0., 1., 1., 1., 1., 1., 1.])");
    cg_tensor *x = cg_requires_grad_(cg_ones(2), true);
    CHECK(cg_backward(cg_sum(cg_mul_scalar(x, 5))) == 0);
    CHECK(cg_zero_grad(CG_TENSORS(x, x)) == 0);
    CHECK_REPR(cg_grad(x), "tensor([0., 0.])");
    CHECK_REPR(cg_at(cg_tensor_i64(((int64_t[]){1, 2, 3, 4}), 2, 2), 1, 0), "tensor(3)");
    cg_clear_error();
    CHECK(!cg_zeros(1, 1, 1, 1, 1, 1, 1, 1, 1));
    CHECK(!strcmp(cg_last_error(), "cgrad supports at most 8 dimensions, got 9"));
}

enum color { RED, GREEN = 7 };

static void test_numbers_take_their_kind_from_the_type(void) {
    cg_tensor *i = cg_tensor_i64(((int64_t[]){1, 2}), 2);
    CHECK_REPR(cg_mul_scalar(i, 2), "tensor([2, 4])");
    CHECK_REPR(cg_mul_scalar(i, 2.0), "tensor([2., 4.])");
    CHECK_REPR(cg_mul_scalar(i, 2.0f), "tensor([2., 4.])");
    CHECK_REPR(cg_add_scalar(i, int64_t(9007199254740993)), "tensor([9007199254740994, 9007199254740995])");
    CHECK_REPR(cg_add_scalar(i, 'a'), "tensor([98, 99])");
    CHECK_REPR(cg_add_scalar(i, GREEN), "tensor([8, 9])");
    CHECK_REPR(cg_add_scalar(i, cg_number_float(1)), "tensor([2., 3.])");
    cg_tensor *b = cg_tensor_bool(((bool[]){true, false}), 2);
    CHECK_REPR(cg_add_scalar(b, true), "tensor([True, True])");  // a C++ bool is a Python bool
    CHECK_REPR(cg_add_scalar(b, 1), "tensor([2, 1])");
    cg_clear_error();
    CHECK(!cg_add_scalar(i, UINT64_MAX));
    CHECK(!strcmp(cg_last_error(), "Overflow when unpacking long"));
    CHECK_REPR(cg_clamp(cg_tensor_f32(((float[]){-1, 0.5f, 2}), 3), 0, 1.0), "tensor([0.0000, 0.5000, 1.0000])");
}

static cg_tensor *made_in_scope_then_returned(void) {
    CG_SCOPE {
        cg_tensor *t = cg_retain(cg_zeros(2));
        CHECK(test_refcount(t) == 2);
        return t;
    }
    return nullptr;
}

static bool mode_returned_from_no_grad(void) {
    CG_NO_GRAD { return cg_is_grad_enabled(); }
    return true;
}

static void test_blocks_end_however_they_are_left(void) {
    cg_tensor *t = made_in_scope_then_returned();
    CHECK(test_refcount(t) == 1);
    cg_release(t);
    CG_SCOPE {
        t = cg_retain(cg_zeros(2));
        if (t) break;
    }
    CHECK(test_refcount(t) == 1);
    cg_release(t);
    try {
        CG_SCOPE CG_NO_GRAD {
            t = cg_retain(cg_zeros(2));
            throw std::runtime_error("out");
        }
    } catch (const std::runtime_error &) {
        CHECK(test_refcount(t) == 1);
        CHECK(cg_is_grad_enabled());
    }
    cg_release(t);
    CHECK(!mode_returned_from_no_grad());
    CHECK(cg_is_grad_enabled());
    CG_NO_GRAD CG_ENABLE_GRAD {
        if (cg_is_grad_enabled()) break;
    }
    CHECK(cg_is_grad_enabled());
}

static void test_version(void) {
    CHECK(!strcmp(cg_library_version(), CG_VERSION_STRING));
}

int main(void) {
    RUN(test_readme_example);
    RUN(test_optional_arguments);
    RUN(test_shapes_and_lists);
    RUN(test_numbers_take_their_kind_from_the_type);
    RUN(test_blocks_end_however_they_are_left);
    RUN(test_version);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
