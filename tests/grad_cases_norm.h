/* Gradcheck cases: normalization (src/ops/norm.c). */
#include "gradcheck_cases.h"

static void nm_affine(cg_tensor **in) {
    in[0] = GRAD_INPUT(81, -2, 2, 3, 5);
    in[1] = GRAD_INPUT(82, 0.5, 1.5, 5);
    in[2] = GRAD_INPUT(83, -1, 1, 5);
}
static void nm_plain(cg_tensor **in) { in[0] = GRAD_INPUT(84, -2, 2, 2, 3, 4); }
static void nm_two_dims(cg_tensor **in) {
    in[0] = grad_input_t(85, -2, 2, 4, 3);
    in[1] = GRAD_INPUT(86, 0.5, 1.5, 4, 3);
}

static int f_ln_affine(cg_tensor **in, cg_tensor **out, void *u) {
    (void)u;
    out[0] = cg_layer_norm(in[0], CG_SHAPE(5), in[1], in[2], 1e-5);
    return 1;
}
static int f_ln_plain(cg_tensor **in, cg_tensor **out, void *u) {
    (void)u;
    out[0] = cg_layer_norm(in[0], CG_SHAPE(4), NULL, NULL, 1e-5);
    return 1;
}
static int f_ln_two_dims(cg_tensor **in, cg_tensor **out, void *u) {
    (void)u;
    out[0] = cg_layer_norm(in[0], CG_SHAPE(4, 3), in[1], NULL, 0.1);
    return 1;
}

static void bn_affine(cg_tensor **in) {
    in[0] = GRAD_INPUT(87, -2, 2, 4, 3, 2);
    in[1] = GRAD_INPUT(88, 0.5, 1.5, 3);
    in[2] = GRAD_INPUT(89, -1, 1, 3);
}
static void bn_plain(cg_tensor **in) { in[0] = GRAD_INPUT(90, -2, 2, 5, 2); }

/* Fresh running statistics on each call (gradcheck calls fn many times; training updates them). */
static int f_bn_train(cg_tensor **in, cg_tensor **out, void *u) {
    (void)u;
    out[0] = cg_batch_norm(in[0], cg_zeros_shape(CG_FLOAT64, CG_SHAPE(3)), cg_ones_shape(CG_FLOAT64, CG_SHAPE(3)), in[1],
                           in[2], true, 0.1, 1e-5);
    return 1;
}
static int f_bn_eval(cg_tensor **in, cg_tensor **out, void *u) {
    (void)u;
    cg_tensor *rm = cg_tensor_f64(((double[]){0.3, -0.2, 0.1}), 3), *rv = cg_tensor_f64(((double[]){0.5, 1.5, 2}), 3);
    out[0] = cg_batch_norm(in[0], rm, rv, in[1], in[2], false, 0.1, 1e-5);
    return 1;
}
static int f_bn_plain(cg_tensor **in, cg_tensor **out, void *u) {
    (void)u;
    out[0] = cg_batch_norm(in[0], NULL, NULL, NULL, NULL, true, 0.1, 0.01);
    return 1;
}

static void gn_affine(cg_tensor **in) {
    in[0] = GRAD_INPUT(91, -2, 2, 2, 6, 3);
    in[1] = GRAD_INPUT(92, 0.5, 1.5, 6);
    in[2] = GRAD_INPUT(93, -1, 1, 6);
}
static void gn_plain(cg_tensor **in) { in[0] = grad_input_t(94, -2, 2, 4, 3); }

static int f_gn_affine(cg_tensor **in, cg_tensor **out, void *u) {
    (void)u;
    out[0] = cg_group_norm(in[0], 3, in[1], in[2], 1e-5);
    return 1;
}
static int f_gn_plain(cg_tensor **in, cg_tensor **out, void *u) {
    (void)u;
    out[0] = cg_group_norm(in[0], 1, NULL, NULL, 0.01);
    return 1;
}
static int f_in_affine(cg_tensor **in, cg_tensor **out, void *u) {
    (void)u;
    out[0] = cg_instance_norm(in[0], NULL, NULL, in[1], in[2], true, 0.1, 1e-5);
    return 1;
}

static const grad_case cases_norm[] = {
    {"layer_norm", "weight and bias", 3, nm_affine, f_ln_affine, false, 0, 0},
    {"layer_norm", "no weight or bias, 3-D", 1, nm_plain, f_ln_plain, false, 0, 0},
    {"layer_norm", "two normalized dims, transposed, weight only", 2, nm_two_dims, f_ln_two_dims, false, 0, 0},
    {"batch_norm", "training, weight and bias, 3-D", 3, bn_affine, f_bn_train, false, 0, 0},
    {"batch_norm", "evaluation, weight and bias, 3-D", 3, bn_affine, f_bn_eval, false, 0, 0},
    {"batch_norm", "training, no running statistics, weight or bias, 2-D", 1, bn_plain, f_bn_plain, false, 0, 0},
    {"batch_norm", "instance_norm, weight and bias", 3, gn_affine, f_in_affine, false, 0, 0},
    {"group_norm", "3 groups, weight and bias", 3, gn_affine, f_gn_affine, false, 0, 0},
    {"group_norm", "one group, transposed 2-D input", 1, gn_plain, f_gn_plain, false, 0, 0},
};
