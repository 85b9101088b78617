/* dtypes: sizes, names, PyTorch's type promotion, and reading/writing one element as a double. */
#include "core/tensor.h"

#include <float.h>
#include <math.h>

/* Each dtype's names: ours, and those PyTorch's messages use (its ScalarType, the C++ type, the
 * legacy tensor type). */
static const struct {
    const char *name, *title, *cpp_name, *legacy_name;
} names[] = {
    [CG_FLOAT32] = {"float32", "Float", "float", "torch.FloatTensor"},
    [CG_FLOAT64] = {"float64", "Double", "double", "torch.DoubleTensor"},
    [CG_INT64] = {"int64", "Long", "long int", "torch.LongTensor"},
    [CG_BOOL] = {"bool", "Bool", "bool", "CPUBoolType"},
};

static bool valid(cg_dtype dtype) { return dtype >= CG_FLOAT32 && dtype <= CG_BOOL; }

size_t cg_dtype_size(cg_dtype dtype) { return valid(dtype) ? cg_elsize(dtype) : 1; }
const char *cg_dtype_name(cg_dtype dtype) { return valid(dtype) ? names[dtype].name : "unknown"; }
const char *cg_dtype_title(cg_dtype dtype) { return valid(dtype) ? names[dtype].title : "?"; }
const char *cg_dtype_cpp_name(cg_dtype dtype) { return valid(dtype) ? names[dtype].cpp_name : "?"; }
const char *cg_dtype_legacy_name(cg_dtype dtype) { return valid(dtype) ? names[dtype].legacy_name : "?"; }

bool cg_dtype_is_floating(cg_dtype dtype) { return cg_is_floating_inline(dtype); }

/* bool < int64 < float32 < float64: the promotion of two of ours is the higher one. */
static int rank(cg_dtype dtype) {
    switch (dtype) {
    case CG_BOOL: return 0;
    case CG_INT64: return 1;
    case CG_FLOAT32: return 2;
    case CG_FLOAT64: return 3;
    }
    return 0;
}

static int category(cg_dtype dtype) { return cg_dtype_is_floating(dtype) ? 2 : dtype == CG_INT64 ? 1 : 0; }

cg_dtype cg_promote_types(cg_dtype a, cg_dtype b) { return rank(a) >= rank(b) ? a : b; }

/* A 0-dim tensor only changes the result when it is of a higher category (bool, integer, float). */
static __attribute__((noinline)) cg_dtype result_type_of_two(const cg_tensor *a, const cg_tensor *b) {
    bool za = a->ndim == 0, zb = b->ndim == 0;
    if (za == zb) return cg_promote_types(a->dtype, b->dtype);
    const cg_tensor *dimmed = za ? b : a, *zero = za ? a : b;
    if (category(zero->dtype) > category(dimmed->dtype)) return cg_promote_types(dimmed->dtype, zero->dtype);
    return dimmed->dtype;
}

cg_dtype cg_result_type(const cg_tensor *a, const cg_tensor *b) {
    if (!a || !b) return a ? a->dtype : b ? b->dtype : CG_FLOAT32; /* nothing to promote with */
    /* the common case, without a frame: whichever rule applies gives the one dtype */
    return a->dtype == b->dtype ? a->dtype : result_type_of_two(a, b);
}

int cg_check_number(cg_number value) {
    if (value.kind == CG_NUMBER_NONE) {
        cg_set_error("expected a number but got None (CG_NO_BOUND is only a bound of clamp)");
        return -1;
    }
    if (value.overflow) {
        cg_set_error("Overflow when unpacking long");
        return -1;
    }
    return 0;
}

int cg_check_number_fits(cg_dtype dtype, cg_number number) {
    if (cg_check_number(number) < 0) return -1;
    if (number.kind != CG_NUMBER_FLOAT) return 0;
    double value = number.f;
    if (dtype == CG_INT64 && !(value >= -0x1p63 && value <= 0x1p63)) {
        cg_set_error("value cannot be converted to type int64_t without overflow");
        return -1;
    }
    if (dtype == CG_FLOAT32 && isfinite(value) && fabs(value) > FLT_MAX) {
        cg_set_error("value cannot be converted to type float without overflow");
        return -1;
    }
    return 0;
}

cg_dtype cg_number_result_type(cg_dtype tensor_dtype, cg_number value) {
    switch (value.kind) {
    case CG_NUMBER_BOOL: return tensor_dtype;
    case CG_NUMBER_INT: return tensor_dtype == CG_BOOL ? CG_INT64 : tensor_dtype;
    case CG_NUMBER_FLOAT: case CG_NUMBER_NONE: break;
    }
    return cg_dtype_is_floating(tensor_dtype) ? tensor_dtype : CG_FLOAT32;
}

double cg_read_double(const char *p, cg_dtype dtype) {
    switch (dtype) {
    case CG_FLOAT32: return *(const float *)p;
    case CG_FLOAT64: return *(const double *)p;
    case CG_INT64: return (double)*(const int64_t *)p;
    case CG_BOOL: return *(const bool *)p;
    }
    return 0;
}

/* int64 to float32 rounded once, to nearest even, as the CPU's conversion does. Done by hand
 * because valgrind emulates that instruction through double, which rounds twice (2^60+2^36+1
 * would become 2^60 instead of 2^60+2^37). */
static float int64_to_float(int64_t v) {
    uint64_t m = v < 0 ? -(uint64_t)v : (uint64_t)v;
    int bits = 0;
    while (bits < 64 && m >> bits) bits++;
    int shift = bits > 24 ? bits - 24 : 0; /* float32 holds 24 significant bits exactly */
    uint64_t q = m >> shift;
    if (shift > 0) {
        uint64_t rest = m & ((UINT64_C(1) << shift) - 1), half = UINT64_C(1) << (shift - 1);
        if (rest > half || (rest == half && (q & 1))) q++;
    }
    float f = ldexpf((float)q, shift); /* exact: q <= 2^24 */
    return v < 0 ? -f : f;
}

void cg_write_number(char *p, cg_dtype dtype, cg_number v) {
    if (v.kind == CG_NUMBER_FLOAT) {
        cg_write_double(p, dtype, v.f);
        return;
    }
    switch (dtype) {
    case CG_FLOAT32: *(float *)p = int64_to_float(v.i); break; /* not through double */
    case CG_FLOAT64: *(double *)p = (double)v.i; break;
    case CG_INT64: *(int64_t *)p = v.i; break;
    case CG_BOOL: *(bool *)p = v.i != 0; break;
    }
}

void cg_write_double(char *p, cg_dtype dtype, double v) {
    switch (dtype) {
    case CG_FLOAT32: *(float *)p = (float)v; break;
    case CG_FLOAT64: *(double *)p = v; break;
    case CG_INT64: *(int64_t *)p = (v >= -0x1p63 && v < 0x1p63) ? (int64_t)v : INT64_MIN; break; /* out of range: what x86 gives */
    case CG_BOOL: *(bool *)p = v != 0; break;
    }
}
