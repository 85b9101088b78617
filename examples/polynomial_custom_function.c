/* PyTorch's tutorial polynomial_custom_function.py in C: y = a + b * P3(c + d x) fitted to sin(x),
 * with P3 (the Legendre polynomial of degree three) a custom function whose backward is written by
 * hand. It prints the bytes the Python script prints (tools/polynomial_custom_function.py). */
#include <cgrad.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* P3(x) = 0.5 (5 x^3 - 3 x), saving x */
static int p3_forward(cg_ctx *ctx, cg_tensor **in, int nin, cg_tensor **out, int nout, void *user) {
    (void)nin, (void)nout, (void)user;
    if (cg_ctx_save_for_backward(ctx, 1, in) < 0) return -1;
    cg_tensor *x = in[0];
    out[0] = cg_mul_scalar(cg_sub(cg_mul_scalar(cg_pow_scalar(x, 3), 5), cg_mul_scalar(x, 3)), 0.5);
    return out[0] ? 0 : -1;
}

/* P3'(x) = 1.5 (5 x^2 - 1) */
static int p3_backward(cg_ctx *ctx, cg_tensor **grad_outputs, int nout, cg_tensor **grad_inputs, int nin) {
    (void)nout, (void)nin;
    cg_tensor *saved[1];
    if (cg_ctx_saved_tensors(ctx, saved) != 1) return -1;
    cg_tensor *slope = cg_sub_scalar(cg_mul_scalar(cg_pow_scalar(saved[0], 2), 5), 1);
    grad_inputs[0] = cg_mul(cg_mul_scalar(grad_outputs[0], 1.5), slope);
    return grad_inputs[0] ? 0 : -1;
}

static const cg_autograd_function legendre_polynomial3 = {
    .name = "LegendrePolynomial3", .forward = p3_forward, .backward = p3_backward};

static cg_tensor *P3(cg_tensor *x) {
    cg_tensor *y = NULL;
    return cg_function_apply(&legendre_polynomial3, &x, 1, &y, 1, NULL) == 0 ? y : NULL;
}

/* Python's repr of a float: the shortest digits that read back the same, in Python's layout. */
static const char *py_float(double v, char *buf) {
    char digits[40];
    int precision = 1;
    for (; precision < 17; precision++) {
        snprintf(digits, sizeof digits, "%.*e", precision - 1, v);
        if (strtod(digits, NULL) == v) break;
    }
    snprintf(digits, sizeof digits, "%.*e", precision - 1, v);
    int exponent = atoi(strchr(digits, 'e') + 1);
    if (exponent < -4 || exponent >= 16) {
        char mantissa[40];
        snprintf(mantissa, sizeof mantissa, "%.*s", (int)(strchr(digits, 'e') - digits), digits);
        sprintf(buf, "%se%c%02d", mantissa, exponent < 0 ? '-' : '+', abs(exponent));
    } else {
        int decimals = precision - 1 - exponent;
        sprintf(buf, "%.*f", decimals > 0 ? decimals : 0, v);
        if (decimals <= 0) strcat(buf, ".0");
    }
    return buf;
}

static void fail(void) {
    fprintf(stderr, "error: %s\n", cg_last_error());
    exit(1);
}

int main(void) {
    cg_tensor *x = cg_linspace(-3.141592653589793, 3.141592653589793, 2000, CG_FLOAT32);
    cg_tensor *y = cg_sin(x);
    cg_tensor *a = cg_requires_grad_(cg_scalar(0.0, CG_FLOAT32), true);
    cg_tensor *b = cg_requires_grad_(cg_scalar(-1.0, CG_FLOAT32), true);
    cg_tensor *c = cg_requires_grad_(cg_scalar(0.0, CG_FLOAT32), true);
    cg_tensor *d = cg_requires_grad_(cg_scalar(0.3, CG_FLOAT32), true);
    cg_tensor *weights[4] = {a, b, c, d};
    double learning_rate = 5e-6;
    char text[64];
    for (int t = 0; t < 2000; t++) {
        CG_SCOPE {
            cg_tensor *y_pred = cg_add(a, cg_mul(b, P3(cg_add(c, cg_mul(d, x)))));
            cg_tensor *loss = cg_sum(cg_pow_scalar(cg_sub(y_pred, y), 2));
            if (!loss) fail();
            if (t % 100 == 99) printf("%d %s\n", t, py_float(cg_item(loss), text));
            if (cg_backward(loss) < 0) fail();
            CG_NO_GRAD {
                for (int i = 0; i < 4; i++) {
                    if (cg_sub_(weights[i], cg_mul_scalar(cg_grad(weights[i]), learning_rate)) < 0) fail();
                    cg_set_grad(weights[i], NULL);
                }
            }
        }
    }
    char ta[64], tb[64], tc[64], td[64];
    printf("Result: y = %s + %s * P3(%s + %s x)\n", py_float(cg_item(a), ta), py_float(cg_item(b), tb),
           py_float(cg_item(c), tc), py_float(cg_item(d), td));
    return 0;
}
