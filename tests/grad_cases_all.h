/* Every table of gradcheck cases, for the tests that walk them all (test_gradcheck: gradcheck and
 * gradgradcheck; test_forward_ad: forward mode against reverse mode). */
#ifndef CG_TEST_GRAD_CASES_ALL_H
#define CG_TEST_GRAD_CASES_ALL_H

#include "grad_cases_activation.h"
#include "grad_cases_nnfunc.h"
#include "grad_cases_api.h"
#include "grad_cases_conv.h"
#include "grad_cases_copy.h"
#include "grad_cases_depends.h"
#include "grad_cases_elementwise.h"
#include "grad_cases_linalg.h"
#include "grad_cases_linalg_lapack.h"
#include "grad_cases_loss.h"
#include "grad_cases_math.h"
#include "grad_cases_norm.h"
#include "grad_cases_reduce.h"
#include "grad_cases_scan.h"
#include "grad_cases_sort.h"
#include "grad_cases_reduce_more.h"
#include "grad_cases_view.h"
#include "grad_cases_shape.h"

typedef struct {
    const grad_case *cases;
    size_t n;
} case_table;

#define TABLE(t) {t, sizeof t / sizeof t[0]}
static const case_table tables[] = {TABLE(cases_copy), TABLE(cases_elementwise), TABLE(cases_reduce),
                                    TABLE(cases_view), TABLE(cases_linalg), TABLE(cases_conv),
                                    TABLE(cases_api), TABLE(cases_activation), TABLE(cases_nnfunc), TABLE(cases_norm),
                                    TABLE(cases_loss), TABLE(cases_shape), TABLE(cases_scan),
                                    TABLE(cases_sort), TABLE(cases_math), TABLE(cases_reduce_more), TABLE(cases_depends), TABLE(cases_linalg_lapack),
                                    TABLE(cases_index_more)};

#endif
