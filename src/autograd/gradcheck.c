/* gradcheck and gradgradcheck: PyTorch's method (torch.autograd.gradcheck) and defaults. */
#include "autograd/autograd.h"
#include "backend/backend.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int n;
    cg_tensor *t[CG_MAX_OUTPUTS];
} outputs;

static bool call(const cg_gradcheck_args *a, outputs *out) {
    out->n = a->fn(a->inputs.items, out->t, a->user);
    if (out->n < 0 || out->n > CG_MAX_OUTPUTS) {
        if (!cg_error_pending()) cg_set_error("gradcheck: the function failed");
        return false;
    }
    for (int i = 0; i < out->n; i++)
        if (!out->t[i]) {
            if (!cg_error_pending()) cg_set_error("gradcheck: the function returned no tensor as output %d", i);
            return false;
        }
    return true;
}

/* The outputs' values now: an output may be a view of an input that is about to change again. */
static bool call_for_values(const cg_gradcheck_args *a, outputs *out) {
    if (!call(a, out)) return false;
    CG_NO_GRAD {
        for (int i = 0; i < out->n; i++) out->t[i] = cg_clone(out->t[i]);
    }
    for (int i = 0; i < out->n; i++)
        if (!out->t[i]) return false;
    return true;
}

/* The storage offset of the element at row-major position flat, through t's strides. */
static int64_t element_at(const cg_tensor *t, int64_t flat) {
    int64_t offset = t->offset;
    for (int d = t->ndim - 1; d >= 0; d--) {
        offset += (flat % t->sizes[d]) * t->strides[d];
        flat /= t->sizes[d];
    }
    return offset;
}

/* Values go through the backend: gradcheck never touches a tensor's bytes (an error leaves a NaN). */
static double read_at(const cg_tensor *t, int64_t flat) {
    int status;
    return cg_read_element(t, element_at(t, flat), &status);
}

static void write_at(cg_tensor *t, int64_t flat, double value) { cg_write_element(t, element_at(t, flat), value); }

/* Column j of the numerical Jacobian of every output w.r.t. input `in`: written to num[o] + j. */
static bool numerical_column(const cg_gradcheck_args *a, cg_tensor *in, int64_t j, double eps, double **num,
                             const int64_t *out_numel, int nout) {
    double original = read_at(in, j);
    outputs plus, minus;
    write_at(in, j, original + eps);
    bool ok = call_for_values(a, &plus);
    write_at(in, j, original - eps);
    ok = ok && call_for_values(a, &minus);
    write_at(in, j, original);
    for (int o = 0; ok && o < nout; o++)
        for (int64_t k = 0; k < out_numel[o]; k++)
            num[o][k * in->numel + j] = (read_at(plus.t[o], k) - read_at(minus.t[o], k)) / (2 * eps);
    return ok;
}

/* Row k of the analytic Jacobian of output o: one backward with a one-hot grad_output. */
static bool analytic_row(cg_tensor *out, int64_t k, cg_tensor_list inputs, cg_tensor **grads) {
    cg_tensor *onehot = cg_zeros_like(out);
    if (!onehot) return false;
    write_at(onehot, k, 1);
    return cg_autograd_grad(.outputs = {&out, 1}, .inputs = inputs, .results = grads,
                            .grad_outputs = {&onehot, 1}, .retain_graph = true, .allow_unused = true) == 0;
}

enum { MISMATCH_SIZE = 900 }; /* room for the message: each list of values stops at about 400 characters */

/* The mismatch message of output o and input i, counted as PyTorch does among the outputs and
 * inputs that require grad. */
static void mismatch(char msg[MISMATCH_SIZE], int o, int i, const double *num, const double *ana, int64_t rows,
                     int64_t cols) {
    size_t room = MISMATCH_SIZE;
    int len = snprintf(msg, room, "Jacobian mismatch for output %d with respect to input %d,\nnumerical:", o, i);
    for (int64_t r = 0; r < rows * cols && len < 400; r++) len += snprintf(msg + len, room - (size_t)len, " %.6g", num[r]);
    len += snprintf(msg + len, room - (size_t)len, "\nanalytical:");
    for (int64_t r = 0; r < rows * cols && len < 800; r++) len += snprintf(msg + len, room - (size_t)len, " %.6g", ana[r]);
}

/* PyTorch's gradcheck input check: a warning for each input that requires grad in less than
 * double precision, a ValueError when none requires grad. */
static int check_inputs(cg_tensor **inputs, int n) {
    bool any = false;
    for (int i = 0; i < n; i++)
        if (!inputs[i]) return -1; /* a NULL argument keeps the message */
    for (int i = 0; i < n; i++) {
        if (!cg_requires_grad(inputs[i])) continue;
        if (inputs[i]->dtype != CG_FLOAT64)
            cg_warn("Input #%d requires gradient and is not a double precision floating point or complex. This check "
                    "will likely fail if all the inputs are not of double precision floating point or complex. ", i);
        any = true;
    }
    if (!any) {
        cg_set_value_error("gradcheck expects at least one input tensor to require gradient, but none of the them "
                           "have requires_grad=True.");
        return -1;
    }
    return 0;
}

/* torch.isclose(analytical, numerical): equal (infinities too), or a finite error within tolerance. */
static bool allclose(double ana, double num, double atol, double rtol) {
    double error = fabs(ana - num);
    return ana == num || (isfinite(error) && error <= atol + rtol * fabs(num));
}

/* PyTorch's last check: with zero grad_outputs, every gradient of the differentiable outputs is 0. */
static int check_mul_by_grad_output(const outputs *out, cg_tensor_list inputs) {
    cg_tensor *diff[CG_MAX_OUTPUTS], *zeros[CG_MAX_OUTPUTS];
    int nd = 0;
    for (int o = 0; o < out->n; o++)
        if (cg_requires_grad(out->t[o])) {
            diff[nd] = out->t[o];
            if (!(zeros[nd++] = cg_zeros_like(out->t[o]))) return -1;
        }
    if (nd == 0) return 0;
    cg_tensor **wrt = cg_calloc((size_t)inputs.n + 1, sizeof *wrt), **res = cg_calloc((size_t)inputs.n + 1, sizeof *res);
    int nw = 0, status = wrt && res ? 0 : -1;
    for (int i = 0; status == 0 && i < inputs.n; i++)
        if (cg_requires_grad(inputs.items[i])) wrt[nw++] = inputs.items[i];
    if (status == 0)
        status = cg_autograd_grad(.outputs = {diff, nd}, .inputs = {wrt, nw}, .results = res,
                                  .grad_outputs = {zeros, nd}, .retain_graph = true, .allow_unused = true);
    for (int i = 0; status == 0 && i < nw; i++)
        for (int64_t k = 0; res[i] && k < res[i]->numel; k++)
            if (read_at(res[i], k) != 0) {
                cg_set_error_kind(CG_GRADCHECK_ERROR, "backward not multiplied by grad_output");
                status = -1;
                break;
            }
    cg_free(wrt);
    cg_free(res);
    return status;
}

/* gradcheck, with or without the input check (gradgradcheck checks its own inputs). */
static int gradcheck(cg_gradcheck_args a, bool check) {
    if (!a.fn || !a.inputs.items || cg_check_count(a.inputs.n, "inputs") < 0) return -1;
    if (check && check_inputs(a.inputs.items, a.inputs.n) < 0) return -1;
    for (int i = 0; i < a.inputs.n; i++) /* values are read: an input without them (meta) fails as PyTorch's */
        if (a.inputs.items[i] && !cg_has_bytes(a.inputs.items[i]) && isnan(read_at(a.inputs.items[i], 0))) return -1;
    double eps = a.eps ? a.eps : 1e-6, atol = a.atol ? a.atol : 1e-5, rtol = a.rtol ? a.rtol : 1e-3;
    int status = 0;
    cg_scope_begin();
    outputs out;
    if (!call(&a, &out)) status = -1;
    int64_t out_numel[CG_MAX_OUTPUTS];
    for (int o = 0; status == 0 && o < out.n; o++) out_numel[o] = out.t[o]->numel;
    cg_tensor **grads = cg_calloc((size_t)a.inputs.n + 1, sizeof *grads);
    double *num[CG_MAX_OUTPUTS] = {0}, *ana[CG_MAX_OUTPUTS] = {0};
    /* PyTorch reports the first mismatch output by output, then input by input */
    int first_o = -1, first_i = -1, di = -1;
    char msg[MISMATCH_SIZE];
    for (int i = 0; status == 0 && i < a.inputs.n; i++) {
        cg_tensor *in = a.inputs.items[i];
        if (!cg_requires_grad(in)) continue;
        di++;
        for (int o = 0; o < out.n; o++) {
            num[o] = cg_calloc((size_t)(out_numel[o] * in->numel) + 1, sizeof(double));
            ana[o] = cg_calloc((size_t)(out_numel[o] * in->numel) + 1, sizeof(double));
            if (!num[o] || !ana[o] || !grads) status = -1;
        }
        for (int64_t j = 0; status == 0 && j < in->numel; j++)
            if (!numerical_column(&a, in, j, eps, num, out_numel, out.n)) status = -1;
        /* no differentiable output: PyTorch wants the numerical Jacobian to be zero */
        int ndiff = 0;
        for (int o = 0; o < out.n; o++) ndiff += cg_requires_grad(out.t[o]);
        for (int o = 0; status == 0 && ndiff == 0 && o < out.n; o++)
            for (int64_t r = 0; r < out_numel[o] * in->numel; r++)
                if (num[o][r] != 0) {
                    cg_set_error_kind(CG_GRADCHECK_ERROR, "Numerical gradient for function expected to be zero");
                    status = -1;
                    break;
                }
        for (int o = 0, dout = -1; status == 0 && o < out.n; o++) {
            if (!cg_requires_grad(out.t[o])) continue;
            dout++;
            for (int64_t k = 0; status == 0 && k < out_numel[o]; k++) {
                CG_SCOPE {
                    if (!analytic_row(out.t[o], k, (cg_tensor_list){&in, 1}, grads)) status = -1;
                    else if (grads[0])
                        for (int64_t j = 0; j < in->numel; j++) ana[o][k * in->numel + j] = read_at(grads[0], j);
                }
            }
            bool earlier = first_o < 0 || dout < first_o || (dout == first_o && di < first_i);
            for (int64_t r = 0; status == 0 && earlier && r < out_numel[o] * in->numel; r++)
                if (!allclose(ana[o][r], num[o][r], atol, rtol)) {
                    mismatch(msg, dout, di, num[o], ana[o], out_numel[o], in->numel);
                    first_o = dout;
                    first_i = di;
                    break;
                }
        }
        for (int o = 0; o < out.n; o++) {
            cg_free(num[o]);
            cg_free(ana[o]);
            num[o] = ana[o] = NULL;
        }
    }
    cg_free(grads);
    if (status == 0 && first_o >= 0) {
        cg_set_error_kind(CG_GRADCHECK_ERROR, "%s", msg);
        status = -1;
    }
    if (status == 0) status = check_mul_by_grad_output(&out, a.inputs);
    cg_scope_end();
    return status;
}

int cg_gradcheck_opts(cg_gradcheck_args a) { return gradcheck(a, true); }

/* ---- gradgradcheck: the function whose gradient is checked is the first-order gradient ---- */

typedef struct {
    cg_gradcheck_args inner;
    int ninputs;
    cg_tensor *grad_outputs[CG_MAX_OUTPUTS];
    int nout;
} first_order;

static int gradients_of(cg_tensor **inputs, cg_tensor **results, void *user) {
    first_order *f = user;
    cg_gradcheck_args a = f->inner;
    a.inputs.items = inputs;
    outputs out;
    if (!call(&a, &out)) return -1;
    cg_tensor *diff[CG_MAX_OUTPUTS];
    int ndiff = 0;
    cg_tensor *gouts[CG_MAX_OUTPUTS];
    for (int o = 0; o < out.n; o++)
        if (cg_requires_grad(out.t[o])) {
            gouts[ndiff] = f->grad_outputs[o];
            diff[ndiff++] = out.t[o];
        }
    cg_tensor *wrt[CG_MAX_OUTPUTS];
    int nwrt = 0;
    for (int i = 0; i < f->ninputs && nwrt < CG_MAX_OUTPUTS; i++)
        if (cg_requires_grad(inputs[i])) wrt[nwrt++] = inputs[i];
    if (cg_autograd_grad(.outputs = {diff, ndiff}, .inputs = {wrt, nwrt}, .results = results,
                         .grad_outputs = {gouts, ndiff}, .create_graph = true, .allow_unused = true) < 0)
        return -1;
    /* An unused input has a zero gradient; gradcheck needs a tensor there. */
    for (int i = 0; i < nwrt; i++)
        if (!results[i] && !(results[i] = cg_zeros_like(wrt[i]))) return -1;
    return nwrt;
}

/* PyTorch's grad_output for a differentiable output: torch.testing.make_tensor(low=-1, high=1),
 * that is high * r + low * (1 - r) for r = torch.rand from the default generator, each step rounded
 * in the output's dtype (float64 for a non-floating output), requiring grad. */
static cg_tensor *random_grad_output(const cg_tensor *out) {
    cg_dtype dtype = out->dtype == CG_FLOAT32 ? CG_FLOAT32 : CG_FLOAT64;
    cg_tensor *g = cg_rand_shape(dtype, out->ndim, out->sizes);
    if (!g) return NULL;
    for (int64_t k = 0; k < g->numel; k++) {
        double r = read_at(g, k);
        if (dtype == CG_FLOAT32) {
            float rf = (float)r, rest = 1.0f - rf;
            write_at(g, k, (double)(rf + -1.0f * rest));
        } else {
            write_at(g, k, r + -1.0 * (1.0 - r));
        }
    }
    return cg_requires_grad_(g, true);
}

int cg_gradgradcheck_opts(cg_gradcheck_args a) {
    if (!a.fn || !a.inputs.items || cg_check_count(a.inputs.n, "inputs") < 0) return -1;
    first_order f = {.inner = a, .ninputs = a.inputs.n};
    int status = 0;
    cg_scope_begin();
    outputs out;
    if (!call(&a, &out)) status = -1;
    f.nout = status == 0 ? out.n : 0;
    for (int o = 0; o < f.nout && status == 0; o++)
        if (cg_requires_grad(out.t[o]) && !(f.grad_outputs[o] = random_grad_output(out.t[o]))) status = -1;
    if (status == 0) {
        /* PyTorch checks the inputs followed by the grad_outputs of the differentiable outputs */
        cg_tensor *all[a.inputs.n + CG_MAX_OUTPUTS];
        memcpy(all, a.inputs.items, (size_t)a.inputs.n * sizeof *all);
        int nall = a.inputs.n;
        for (int o = 0; o < f.nout; o++)
            if (cg_requires_grad(out.t[o])) all[nall++] = f.grad_outputs[o];
        status = check_inputs(all, nall);
        if (status == 0)
            status = gradcheck((cg_gradcheck_args){.fn = gradients_of, .inputs = {all, nall}, .user = &f,
                                                   .eps = a.eps, .atol = a.atol, .rtol = a.rtol},
                               false);
    }
    cg_scope_end();
    return status;
}
