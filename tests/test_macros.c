/* The header's macros: CG_SCOPE, CG_NO_GRAD and CG_ENABLE_GRAD end their scope and restore the
 * grad mode however they are left (break, continue, return, goto); the shape macros count every
 * size they are given (nine is an error, not a wrong tensor), and the lists every tensor. The
 * misuses that must not compile are in tests/compile_fail/. */
#include "harness.h"

#include "core/tensor.h"

/* The references to t: the caller's one, plus one while its scope is open. */
static int refs(const cg_tensor *t) { return t->refcount; }

static cg_tensor *made_then_returned(void) {
    CG_SCOPE {
        cg_tensor *t = cg_retain(cg_zeros(2));
        CHECK(refs(t) == 2);
        return t;
    }
    return NULL;
}

static cg_tensor *made_then_returned_from_nested(void) {
    CG_SCOPE {
        cg_tensor *outer = cg_retain(cg_zeros(1));
        CG_SCOPE {
            cg_release(outer);  /* the outer scope's reference keeps it until that scope ends */
            CHECK(refs(outer) == 1);
            return cg_retain(cg_ones(3));
        }
    }
    return NULL;
}

/* cg_keep hands the result to the caller's scope before this one ends. */
static cg_tensor *kept_then_returned(void) {
    CG_SCOPE { return cg_keep(cg_ones(3)); }
    return NULL;
}

static void test_scope_ends_however_it_is_left(void) {
    cg_tensor *k = kept_then_returned();
    CHECK(k && refs(k) == 1 && cg_numel(k) == 3);
    cg_tensor *t = made_then_returned();
    CHECK(refs(t) == 1);
    cg_release(t);
    t = made_then_returned_from_nested();
    CHECK(refs(t) == 1);
    cg_release(t);

    t = NULL;
    CG_SCOPE {
        t = cg_retain(cg_zeros(2));
        if (t) break;
        CHECK(0);
    }
    CHECK(refs(t) == 1);
    cg_release(t);

    t = NULL;
    CG_SCOPE {
        t = cg_retain(cg_zeros(2));
        if (t) continue;
        CHECK(0);
    }
    CHECK(refs(t) == 1);
    cg_release(t);

    t = NULL;
    CG_SCOPE {
        t = cg_retain(cg_zeros(2));
        goto out;
    }
out:
    CHECK(refs(t) == 1);
    cg_release(t);

    CG_SCOPE t = cg_retain(cg_zeros(2));  /* and at its end, as always */
    CHECK(refs(t) == 1);
    cg_release(t);
}

static bool mode_inside_no_grad_returned(void) {
    CG_NO_GRAD { return cg_is_grad_enabled(); }
    return true;
}

static void test_grad_mode_is_restored_however_the_block_is_left(void) {
    CHECK(cg_is_grad_enabled());
    CHECK(!mode_inside_no_grad_returned());
    CHECK(cg_is_grad_enabled());

    CG_NO_GRAD {
        if (!cg_is_grad_enabled()) break;
        CHECK(0);
    }
    CHECK(cg_is_grad_enabled());

    CG_NO_GRAD {
        CG_ENABLE_GRAD {
            CHECK(cg_is_grad_enabled());
            goto out;
        }
    }
out:
    CHECK(cg_is_grad_enabled());

    cg_set_grad_enabled(false);
    CG_ENABLE_GRAD {
        if (cg_is_grad_enabled()) continue;
        CHECK(0);
    }
    CHECK(!cg_is_grad_enabled());
    cg_set_grad_enabled(true);
}

#define NINE 1, 1, 1, 1, 1, 1, 1, 1, 1

static void test_nine_sizes_are_the_eight_dimensions_error(void) {
    const char *message = "cgrad supports at most 8 dimensions, got 9";
    float data[1] = {1};
    cg_tensor *t = cg_zeros(1);
    CHECK(cg_ndim(cg_zeros(1, 1, 1, 1, 1, 1, 1, 2)) == 8);
    CHECK(cg_size(cg_ones(1, 1, 1, 1, 1, 1, 1, 2), 7) == 2);
    CHECK_ERROR(cg_zeros(NINE), message);
    CHECK_ERROR(cg_ones(NINE), message);
    CHECK_ERROR(cg_empty(NINE), message);
    CHECK_ERROR(cg_rand(NINE), message);
    CHECK_ERROR(cg_randn(NINE), message);
    CHECK_ERROR(cg_randint(0, 2, NINE), message);
    CHECK_ERROR(cg_tensor_f32(data, NINE), message);
    CHECK_ERROR(cg_view(t, NINE), message);
    CHECK_ERROR(cg_reshape(t, NINE), message);
    CHECK_ERROR(cg_expand(t, NINE), message);
    /* Nine indices or dims are nine, as PyTorch says for a 2-dim tensor. */
    cg_tensor *m = cg_zeros(1, 1);
    double v;
    CHECK_ERROR(cg_at(m, NINE), "too many indices for tensor of dimension 2");
    CHECK_ERROR(cg_get(m, &v, NINE) == 0, "too many indices for tensor of dimension 2");
    CHECK_ERROR(cg_set(m, 1.0, NINE) == 0, "too many indices for tensor of dimension 2");
    CHECK_ERROR(cg_permute(m, NINE), "permute(sparse_coo): number of dimensions in the tensor input does not match "
                                     "the length of the desired ordering of dimensions i.e. input.dim() = 2 is not "
                                     "equal to len(dims) = 9");
}

static void test_lists_count_every_tensor(void) {
    cg_tensor *a = cg_ones(1);
    CHECK(CG_NARGS(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25,
                   26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48,
                   49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64) == 64);
    CHECK(cg_numel(cg_cat(CG_LIST(a, a, a, a, a, a, a, a, a, a), 0)) == 10);
    cg_tensor_list ten = CG_TENSORS(a, a, a, a, a, a, a, a, a, a);
    CHECK(ten.n == 10);
    CHECK(cg_numel(cg_stack(ten.items, ten.n, 0)) == 10);
}

int main(void) {
    RUN(test_scope_ends_however_it_is_left);
    RUN(test_grad_mode_is_restored_however_the_block_is_left);
    RUN(test_nine_sizes_are_the_eight_dimensions_error);
    RUN(test_lists_count_every_tensor);
    HARNESS_END();
}
