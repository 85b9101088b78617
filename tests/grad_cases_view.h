/* Gradcheck cases: views, shape, joining and indexing (src/ops/view.c, join.c, index.c). */
#include "gradcheck_cases.h"

static void vw_2x3x4(cg_tensor **in) { in[0] = GRAD_INPUT(31, -1, 1, 2, 3, 4); }
static void vw_t(cg_tensor **in) { in[0] = grad_input_t(32, -1, 1, 3, 4); }

#define VW_FN(name, call)                                            \
    static int f_##name(cg_tensor **in, cg_tensor **out, void *u) {  \
        (void)u;                                                     \
        out[0] = call;                                               \
        return 1;                                                    \
    }
VW_FN(view, cg_view(in[0], 4, -1))
VW_FN(view_t, cg_view(in[0], 3, 2, 2))
VW_FN(select, cg_select(in[0], 1, -1))

static const grad_case cases_view[] = {
    {"view", "2x3x4 -> 4x6", 1, vw_2x3x4, f_view, false, 0, 0},
    {"view", "transposed 3x4 viewed 3x2x2 (splits the contiguous dim)", 1, vw_t, f_view_t, false, 0, 0},
    {"select", "dim 1 index -1", 1, vw_2x3x4, f_select, false, 0, 0},
    {"select", "transposed", 1, vw_t, f_select, false, 0, 0},
};
