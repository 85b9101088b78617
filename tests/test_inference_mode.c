/* Inference mode: scenarios printing what tools/gen_inference_mode.py prints under PyTorch 1.13
 * (what its tensors are, PyTorch's errors where they are used outside it), then what C adds: the
 * block macros restoring the state when left early, and a custom function saving one. */
#include "scenarios.h"

#define F32(...) cg_tensor_f32(((float[]){__VA_ARGS__}), CG_NARGS(__VA_ARGS__))

static const char *py(bool b) { return b ? "True" : "False"; }

static void attempt(cg_tensor *result) {
    if (result) show(result);
    else fprintf(out, "%s\n", harness_error());
}

static void attempt_status(int status, const char *ok) {
    if (status < 0) fprintf(out, "%s\n", harness_error());
    else fprintf(out, "%s\n", ok);
}

static void made_in_inference_mode(void) {
    cg_tensor *n = cg_ones(2), *u = NULL;
    CG_INFERENCE_MODE {
        fprintf(out, "%s %s\n", py(cg_is_inference_mode_enabled()), py(cg_is_grad_enabled()));
        u = cg_mul_scalar(cg_ones(2), 2);
        cg_tensor *w = cg_requires_grad_(cg_ones(2), true);
        cg_tensor *r = cg_mul_scalar(w, 2);
        fprintf(out, "%s %s %s %s %s %s\n", py(cg_is_inference(u)), py(cg_is_inference(w)), py(cg_requires_grad(w)),
                py(cg_is_inference(r)), py(cg_requires_grad(r)), cg_node_name(cg_grad_fn(r)));
        fprintf(out, "%s %s %s\n", py(cg_is_inference(cg_slice(u, 0, 0, 1, 1))),
                py(cg_is_inference(cg_slice(n, 0, 0, 1, 1))), py(cg_is_inference(cg_detach(n))));
        cg_add_scalar_(n, 1);
        fprintf(out, "%lld\n", (long long)cg_version(n));
        CG_NO_INFERENCE_MODE {
            fprintf(out, "%s %s %s\n", py(cg_is_inference_mode_enabled()), py(cg_is_grad_enabled()),
                    py(cg_is_inference(cg_ones(1))));
        }
        CG_ENABLE_GRAD { fprintf(out, "%s %s\n", py(cg_is_grad_enabled()), py(cg_requires_grad(cg_mul_scalar(w, 2)))); }
    }
    fprintf(out, "%s %s %s %s\n", py(cg_is_inference_mode_enabled()), py(cg_is_grad_enabled()), py(cg_is_inference(u)),
            py(cg_is_inference(cg_slice(u, 0, 1, 2, 1))));
    fprintf(out, "%s %s\n", py(cg_is_inference(cg_exp(u))), py(cg_is_inference(cg_detach(u))));
    CG_NO_GRAD {
        CG_INFERENCE_MODE {}
        fprintf(out, "%s\n", py(cg_is_grad_enabled()));
    }
}

static void used_outside(void) {
    cg_tensor *u = NULL;
    CG_INFERENCE_MODE { u = F32(1, 2); }
    cg_tensor *w = leaf(F32(3, 4));
    attempt(cg_mul(u, w));
    attempt(cg_mul(w, u));
    attempt(cg_add(u, w));
    attempt(cg_exp(u));
    attempt(cg_requires_grad_(u, true));
    int64_t version = cg_version(u);
    if (version < 0) fprintf(out, "%s\n", harness_error());
    cg_tensor *n = cg_zeros(2);
    attempt(cg_copy_(n, u) == 0 ? n : NULL);
    cg_tensor *g = NULL;
    attempt_status(cg_autograd_grad(.outputs = CG_TENSORS(cg_sum(cg_mul(u, w))), .inputs = CG_TENSORS(w), .results = &g),
                   "");
}

static int write_case(int k, cg_tensor *t) {
    switch (k) {
    case 0: return cg_add_scalar_(t, 1);
    case 1: return cg_mul_scalar_(cg_slice(t, 0, 0, 1, 1), 2);
    case 2: return cg_copy_(t, cg_ones(2));
    default: return cg_zero_(t);
    }
}

/* PyTorch 1.13 writes before it refuses; cgrad refuses first and leaves the tensor as it was. */
static void written_outside(void) {
    for (int k = 0; k < 4; k++) {
        cg_tensor *t = NULL;
        CG_INFERENCE_MODE { t = F32(1, 2); }
        attempt_status(write_case(k, t), "True");
        CG_NO_GRAD { attempt_status(write_case(k, t), "True"); }
        CHECK(cg_item(cg_sum(t)) == 3);
    }
}

static void view_made_in_inference_mode(void) {
    cg_tensor *w = leaf(F32(1, 2));
    cg_tensor *b = cg_mul_scalar(w, 1), *v = NULL;
    CG_INFERENCE_MODE { v = cg_slice(b, 0, 0, 1, 1); }
    fprintf(out, "%s %s %s\n", py(cg_is_inference(v)), py(cg_requires_grad(v)), cg_node_name(cg_grad_fn(v)));
    attempt_status(cg_mul_scalar_(v, 2), "");
    CG_NO_GRAD { cg_mul_scalar_(v, 2); }
    show(cg_detach(b));
}

static const scenario scenarios[] = {
    {"made_in_inference_mode", made_in_inference_mode},
    {"used_outside", used_outside},
    {"written_outside", written_outside},
    {"view_made_in_inference_mode", view_made_in_inference_mode},
};

static void test_scenarios(void) {
    run_scenarios(scenarios, sizeof scenarios / sizeof scenarios[0], "tests/data/inference_mode.txt");
}

/* ---- the blocks restore the state however they are left; begin/end nest ---- */

static bool leave_early(void) {
    CG_INFERENCE_MODE { return cg_is_inference_mode_enabled(); }
    return false;
}

static void test_blocks(void) {
    CHECK(leave_early());
    CHECK(!cg_is_inference_mode_enabled() && cg_is_grad_enabled());
    int outer = cg_inference_mode_begin(true);
    int inner = cg_inference_mode_begin(false);
    CHECK(!cg_is_inference_mode_enabled() && cg_is_grad_enabled());
    cg_inference_mode_end(inner);
    CHECK(cg_is_inference_mode_enabled() && !cg_is_grad_enabled());
    cg_inference_mode_end(outer);
    CHECK(!cg_is_inference_mode_enabled() && cg_is_grad_enabled());
    CHECK(!cg_is_inference(NULL));
}

/* ---- a custom function saving an inference tensor fails as a built-in op does ---- */

static int save_second(cg_ctx *ctx, cg_tensor **in, int nin, cg_tensor **out_, int nout, void *user) {
    (void)nin, (void)nout, (void)user;
    if (cg_ctx_save_for_backward(ctx, 1, &in[1]) < 0) return -1;
    out_[0] = cg_mul_scalar(in[0], 2);
    return out_[0] ? 0 : -1;
}

static int pass_through(cg_ctx *ctx, cg_tensor **g, int nout, cg_tensor **gin, int nin) {
    (void)ctx, (void)nout, (void)nin;
    gin[0] = g[0];
    return 0;
}

static void test_custom_function_save(void) {
    static const cg_autograd_function f = {.name = "F", .forward = save_second, .backward = pass_through};
    cg_tensor *u = NULL, *y = NULL;
    CG_INFERENCE_MODE { u = F32(1, 2); }
    CHECK(cg_function_apply(&f, (cg_tensor *[]){leaf(F32(3, 4)), u}, 2, &y, 1, NULL) == -1);
    CHECK_STR(harness_error(), "RuntimeError: Inference tensors cannot be saved for backward. To work around you can "
                               "make a clone to get a normal tensor and use it in autograd.");
}

int main(void) {
    RUN(test_scenarios);
    RUN(test_blocks);
    RUN(test_custom_function_save);
    HARNESS_END();
}
