/* Gradcheck cases: torch.nn.functional's ops of src/ops/activation.c (prelu), pad.c (reflect,
 * replicate), upsample.c and attention.c. prelu's inputs stay away from its kink at 0. */
#include "gradcheck_cases.h"

#define NF_FN(name, call)                                                \
    static int f_nf_##name(cg_tensor **in, cg_tensor **out, void *u) { \
        (void)u;                                                         \
        out[0] = call;                                                   \
        return 1;                                                        \
    }

static void nf_prelu_channels(cg_tensor **in) {
    in[0] = GRAD_INPUT(91, -2, 2, 2, 3, 2);
    in[1] = GRAD_INPUT(92, 0.1, 0.5, 3);
}
static void nf_prelu_one(cg_tensor **in) {
    in[0] = grad_input_t(93, -2, 2, 3, 4);
    in[1] = GRAD_INPUT(94, 0.1, 0.5, 1);
}
NF_FN(prelu, cg_prelu(in[0], in[1]))

static void nf_3d(cg_tensor **in) { in[0] = GRAD_INPUT(95, -1, 1, 2, 3, 4); }
static void nf_4d(cg_tensor **in) { in[0] = GRAD_INPUT(96, -1, 1, 1, 2, 3, 4); }
static void nf_5d(cg_tensor **in) { in[0] = GRAD_INPUT(97, -1, 1, 1, 2, 3, 3, 3); }
NF_FN(reflect1, cg_pad_reflect(in[0], (const int64_t[]){2, 3}, 2))
NF_FN(reflect2, cg_pad_reflect(in[0], (const int64_t[]){1, 3, 2, 1}, 4))
NF_FN(reflect3, cg_pad_reflect(in[0], (const int64_t[]){2, 1, 0, 2, 1, 1}, 6))
NF_FN(replicate1, cg_pad_replicate(in[0], (const int64_t[]){3, -1}, 2))
NF_FN(replicate2, cg_pad_replicate(in[0], (const int64_t[]){1, 4, 2, 1}, 4))
NF_FN(replicate3, cg_pad_replicate(in[0], (const int64_t[]){2, 1, 0, 2, 1, 3}, 6))

NF_FN(up_nearest1d, cg_interpolate(in[0], .size = CG_INTS(7)))
NF_FN(up_nearest2d, cg_interpolate(in[0], .scale_factor = {1.7}))
NF_FN(up_nearest3d, cg_interpolate(in[0], .size = CG_INTS(2, 5, 4)))
NF_FN(up_trilinear, cg_interpolate(in[0], .scale_factor = {1.5}, .mode = "trilinear"))
NF_FN(up_nexact1d, cg_interpolate(in[0], .size = CG_INTS(7), .mode = "nearest-exact"))
NF_FN(up_nexact2d, cg_interpolate(in[0], .scale_factor = {1.7}, .mode = "nearest-exact"))
NF_FN(up_nexact3d, cg_interpolate(in[0], .size = CG_INTS(2, 5, 4), .mode = "nearest-exact"))
NF_FN(up_linear1d, cg_interpolate(in[0], .scale_factor = {2.5}, .mode = "linear"))
NF_FN(up_bilinear, cg_interpolate(in[0], .size = CG_INTS(5, 7), .mode = "bilinear"))
NF_FN(up_bilinear_ac, cg_interpolate(in[0], .scale_factor = {1.5}, .mode = "bilinear", .align_corners = true))

static const grad_case cases_nnfunc[] = {
    {"upsample_nearest1d", "size 7", 1, nf_3d, f_nf_up_nearest1d, false, 0, 0},
    {"upsample_nearest2d", "scale 1.7", 1, nf_4d, f_nf_up_nearest2d, false, 0, 0},
    {"upsample_nearest3d", "size (2, 5, 4)", 1, nf_5d, f_nf_up_nearest3d, false, 0, 0},
    {"upsample_nearest_exact1d", "size 7", 1, nf_3d, f_nf_up_nexact1d, false, 0, 0},
    {"upsample_nearest_exact2d", "scale 1.7", 1, nf_4d, f_nf_up_nexact2d, false, 0, 0},
    {"upsample_nearest_exact3d", "size (2, 5, 4)", 1, nf_5d, f_nf_up_nexact3d, false, 0, 0},
    {"upsample_linear1d", "scale 2.5", 1, nf_3d, f_nf_up_linear1d, false, 0, 0},
    {"upsample_bilinear2d", "size (5, 7)", 1, nf_4d, f_nf_up_bilinear, false, 0, 0},
    {"upsample_bilinear2d", "align_corners, scale 1.5", 1, nf_4d, f_nf_up_bilinear_ac, false, 0, 0},
    {"upsample_trilinear3d", "scale 1.5", 1, nf_5d, f_nf_up_trilinear, false, 0, 0},
    {"reflection_pad1d", "(2, 3)", 1, nf_3d, f_nf_reflect1, false, 0, 0},
    {"reflection_pad2d", "(1, 3, 2, 1)", 1, nf_4d, f_nf_reflect2, false, 0, 0},
    {"reflection_pad3d", "(2, 1, 0, 2, 1, 1)", 1, nf_5d, f_nf_reflect3, false, 0, 0},
    {"replication_pad1d", "(3, -1)", 1, nf_3d, f_nf_replicate1, false, 0, 0},
    {"replication_pad2d", "(1, 4, 2, 1)", 1, nf_4d, f_nf_replicate2, false, 0, 0},
    {"replication_pad3d", "(2, 1, 0, 2, 1, 3)", 1, nf_5d, f_nf_replicate3, false, 0, 0},
    {"prelu", "per channel", 2, nf_prelu_channels, f_nf_prelu, false, 0, 0},
    {"prelu", "one weight, transposed", 2, nf_prelu_one, f_nf_prelu, false, 0, 0},
};
