/* Gradcheck cases: matrix products and losses (src/ops/linalg.c, loss.c). */
#include "gradcheck_cases.h"

static const grad_case cases_linalg[] = {
    {NULL, NULL, 0, NULL, NULL, false, 0, 0}, /* placeholder until linalg ops record */
};
