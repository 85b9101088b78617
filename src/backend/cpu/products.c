/* prod's backward: the product of the other elements, without dividing by the element. */
#include "backend/cpu/products.h"

/* v rounded to dtype (a float32 value, or v itself for float64). */
static double rounded(double v, cg_dtype dtype) { return dtype == CG_FLOAT32 ? (double)(float)v : v; }

void cg_kernel_exclusive_products(cg_tensor *out, const cg_tensor *c, int dim) {
    int64_t len = dim < 0 ? c->numel : c->sizes[dim], inner = 1;
    for (int d = dim + 1; dim >= 0 && d < c->ndim; d++) inner *= c->sizes[d];
    int64_t es = (int64_t)cg_dtype_size(c->dtype), outer = c->numel / (len * inner);
    const char *in = cg_tensor_data(c);
    char *res = cg_tensor_data(out);
    for (int64_t o = 0; o < outer; o++)
        for (int64_t k = 0; k < inner; k++) {
            int64_t base = o * len * inner + k;
            double before = 1, after = 1;
            for (int64_t i = 0; i < len; i++) {
                cg_write_double(res + (base + i * inner) * es, c->dtype, before);
                before *= cg_read_double(in + (base + i * inner) * es, c->dtype);
            }
            for (int64_t i = len - 1; i >= 0; i--) {
                char *at = res + (base + i * inner) * es;
                cg_write_double(at, c->dtype, cg_read_double(at, c->dtype) * rounded(after, c->dtype));
                after *= cg_read_double(in + (base + i * inner) * es, c->dtype);
            }
        }
}
