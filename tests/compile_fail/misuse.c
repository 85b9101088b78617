/* Misuses of include/cgrad.h that must not compile (tests/compile_fail/run.sh builds each CASE as
 * C and as C++); CASE 0 is the same calls written right, and must compile without a warning. */
#include <cgrad.h>

int main(void) {
    float f[2] = {1, 2};
    double d[2] = {1, 2};
    int i[2] = {1, 2};
    void *v = f;
    cg_tensor *t = cg_zeros(2);
    (void)d, (void)i, (void)v;
#if CASE == 0
    const float *p = f;
    int64_t l[2] = {1, 2};
    bool b[2] = {true, false};
    cg_tensor_f32(f, 2), cg_tensor_f32(p, 2), cg_tensor_f64(d, 2), cg_tensor_i64(l, 2), cg_tensor_bool(b, 2);
    cg_tensor_new(CG_SIZES(1, 1, 1, 1, 1, 1, 1, 1));
    cg_sum(t, CG_DIMS(0, 0, 0, 0, 0, 0, 0, 0));
    CG_SCOPE CG_NO_GRAD { CG_SCOPE CG_ENABLE_GRAD { cg_zeros(1); } }  /* nested: nothing shadowed */
#elif CASE == 1
    cg_tensor_f32(d, 2);  /* double data for a float32 tensor */
#elif CASE == 2
    cg_tensor_f32(i, 2);
#elif CASE == 3
    cg_tensor_f64(f, 2);
#elif CASE == 4
    cg_tensor_i64(i, 2);  /* int is not int64_t */
#elif CASE == 5
    cg_tensor_bool(i, 2);
#elif CASE == 6
    cg_tensor_f32(v, 2);  /* a void * says nothing of its elements */
#elif CASE == 7
    cg_tensor_new(CG_SIZES(1, 1, 1, 1, 1, 1, 1, 1, 1));  /* nine sizes */
#elif CASE == 8
    cg_sum(t, CG_DIMS(0, 0, 0, 0, 0, 0, 0, 0, 0));  /* nine dims */
#endif
    (void)t;
    return 0;
}
