/* OpInfo adapters of the elem family (owner: elem): tests/opinfo/opinfo.h says how to write one;
 * an OI_OP line per OpInfo entry, then /usr/bin/python3 tools/gen_opinfo.py NAME for its golden data. */

OI_UNARY(oi_acos, cg_acos)
OI_UNARY(oi_acosh, cg_acosh)
OI_UNARY(oi_asin, cg_asin)
OI_UNARY(oi_asinh, cg_asinh)
OI_UNARY(oi_atan, cg_atan)
OI_UNARY(oi_atanh, cg_atanh)
OI_UNARY(oi_sinh, cg_sinh)
OI_UNARY(oi_cosh, cg_cosh)
OI_UNARY(oi_ceil, cg_ceil)
OI_UNARY(oi_floor, cg_floor)
OI_UNARY(oi_trunc, cg_trunc)
OI_UNARY(oi_frac, cg_frac)
OI_UNARY(oi_deg2rad, cg_deg2rad)
OI_UNARY(oi_rad2deg, cg_rad2deg)
OI_UNARY(oi_digamma, cg_digamma)
OI_UNARY(oi_lgamma, cg_lgamma)
OI_UNARY(oi_erfc, cg_erfc)
OI_UNARY(oi_exp2, cg_exp2)
OI_UNARY(oi_expm1, cg_expm1)
OI_UNARY(oi_log2, cg_log2)
OI_UNARY(oi_log10, cg_log10)
OI_UNARY(oi_rsqrt, cg_rsqrt)
OI_UNARY(oi_sinc, cg_sinc)
OI_UNARY(oi_square, cg_square)
OI_UNARY(oi_positive, cg_positive)
OI_UNARY(oi_signbit, cg_signbit)
OI_UNARY(oi_isnan, cg_isnan)
OI_UNARY(oi_isinf, cg_isinf)
OI_UNARY(oi_isposinf, cg_isposinf)
OI_UNARY(oi_isneginf, cg_isneginf)
OI_UNARY(oi_isfinite, cg_isfinite)
OI_UNARY(oi_isreal, cg_isreal)
OI_UNARY(oi_logical_not, cg_logical_not)
OI_UNARY(oi_special_entr, cg_special_entr)
OI_UNARY(oi_reciprocal, cg_reciprocal)
OI_UNARY(oi_sgn, cg_sgn)
OI_UNARY(oi_conj, cg_conj)
OI_UNARY(oi_conj_physical, cg_conj_physical)
OI_UNARY(oi_resolve_conj, cg_resolve_conj)
OI_UNARY(oi_resolve_neg, cg_resolve_neg)
OI_UNARY(oi_real, cg_real)

/* round(input, decimals=). */
static int oi_round(oi_call *c) {
    const oi_value *d = oi_kw(c, "decimals");
    int64_t n;
    if (!d) return oi_out(c, cg_round(c->input));
    return oi_int(c, d, &n) ? oi_out(c, cg_round_decimals(c->input, n)) : OI_SKIP;
}

/* logit(input, eps=None). */
static int oi_logit(oi_call *c) {
    const oi_value *e = oi_get(c, 0, "eps");
    if (!e || e->kind == OI_NONE) return oi_out(c, cg_logit(c->input, -1));
    if (e->kind != OI_FLOAT) return oi_skip(c, "eps is not a float");
    return oi_out(c, cg_logit(c->input, e->f));
}

/* A Python number or None (CG_NO_BOUND). */
static bool number_or_none(oi_call *c, const oi_value *v, cg_number *out) {
    if (!v || v->kind == OI_NONE) {
        *out = CG_NO_BOUND;
        return true;
    }
    return oi_number(c, v, out);
}

static int oi_nan_to_num(oi_call *c) {
    cg_number n, p, m;
    if (!number_or_none(c, oi_get(c, 0, "nan"), &n) || !number_or_none(c, oi_get(c, 1, "posinf"), &p) ||
        !number_or_none(c, oi_get(c, 2, "neginf"), &m))
        return OI_SKIP;
    return oi_out(c, cg_nan_to_num(c->input, n, p, m));
}

/* OpInfo's polygamma is called as op(x, n). */
static int oi_polygamma(oi_call *c) {
    int64_t n;
    return oi_int(c, oi_arg(c, 0), &n) ? oi_out(c, cg_polygamma(n, c->input)) : OI_SKIP;
}

/* f(input, other) of two tensors. */
static int tensor_pair(oi_call *c, cg_tensor *(*fn)(cg_tensor *, cg_tensor *)) {
    cg_tensor *b = oi_tensor(c, oi_get(c, 0, "other"));
    return b ? oi_out(c, fn(c->input, b)) : OI_SKIP;
}

#define OI_PAIR(adapter, fn) \
    static int adapter(oi_call *c) { return tensor_pair(c, fn); }
OI_PAIR(oi_atan2, cg_atan2)
OI_PAIR(oi_hypot, cg_hypot)
OI_PAIR(oi_fmod, cg_fmod)
OI_PAIR(oi_remainder, cg_remainder)
OI_PAIR(oi_copysign, cg_copysign)
OI_PAIR(oi_fmax, cg_fmax)
OI_PAIR(oi_fmin, cg_fmin)
OI_PAIR(oi_xlogy, cg_xlogy)
OI_PAIR(oi_special_xlog1py, cg_special_xlog1py)
OI_PAIR(oi_logaddexp, cg_logaddexp)
OI_PAIR(oi_logaddexp2, cg_logaddexp2)
OI_PAIR(oi_nextafter, cg_nextafter)
OI_PAIR(oi_heaviside, cg_heaviside)
OI_PAIR(oi_special_zeta, cg_special_zeta)
OI_PAIR(oi_logical_and, cg_logical_and)
OI_PAIR(oi_logical_or, cg_logical_or)
OI_PAIR(oi_logical_xor, cg_logical_xor)
OI_PAIR(oi_floor_divide, cg_floor_divide)
OI_PAIR(oi_max_binary, cg_maximum)
OI_PAIR(oi_min_binary, cg_minimum)

OI_PAIR(oi_float_power, cg_float_power)
OI_PAIR(oi_ldexp, cg_ldexp)

/* isclose/allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False). */
static bool close_args(oi_call *c, double *rtol, double *atol, bool *equal_nan) {
    const oi_value *r = oi_get(c, 1, "rtol"), *a = oi_get(c, 2, "atol");
    cg_number n;
    *rtol = 1e-05, *atol = 1e-08;
    if (r && !oi_number(c, r, &n)) return false;
    if (r) *rtol = n.f;
    if (a && !oi_number(c, a, &n)) return false;
    if (a) *atol = n.f;
    return oi_opt_bool(c, oi_get(c, 3, "equal_nan"), false, equal_nan);
}

static int oi_isclose(oi_call *c) {
    cg_tensor *b = oi_tensor(c, oi_get(c, 0, "other"));
    double rtol, atol;
    bool nan;
    return b && close_args(c, &rtol, &atol, &nan) ? oi_out(c, cg_isclose(c->input, b, rtol, atol, nan)) : OI_SKIP;
}

/* A C truth value (1, 0, -1) as PyTorch's Python bool: a 0-dim bool tensor. */
static int truth(oi_call *c, int r) { return r < 0 ? -1 : oi_out(c, cg_scalar(r, CG_BOOL)); }

static int oi_allclose(oi_call *c) {
    cg_tensor *b = oi_tensor(c, oi_get(c, 0, "other"));
    double rtol, atol;
    bool nan;
    return b && close_args(c, &rtol, &atol, &nan) ? truth(c, cg_allclose(c->input, b, rtol, atol, nan)) : OI_SKIP;
}

static int oi_equal(oi_call *c) {
    cg_tensor *b = oi_tensor(c, oi_get(c, 0, "other"));
    return b ? truth(c, cg_equal(c->input, b)) : OI_SKIP;
}

/* div(input, other, rounding_mode=). */
static int oi_div_mode(oi_call *c) {
    cg_tensor *b = oi_tensor(c, oi_get(c, 0, "other"));
    const oi_value *m = oi_kw(c, "rounding_mode");
    if (!b || !m || m->kind != OI_STR) return oi_skip(c, "rounding_mode is not a str");
    return oi_out(c, cg_div_mode(c->input, b, m->s));
}

/* rsub(input, other, alpha=): other - alpha * input. */
static int oi_rsub(oi_call *c) {
    const oi_value *other = oi_get(c, 0, "other"), *alpha = oi_kw(c, "alpha");
    cg_number a = cg_number_int(1), n;
    if (alpha && !oi_number(c, alpha, &a)) return OI_SKIP;
    if (oi_is_number(other)) {
        if (alpha || !oi_number(c, other, &n)) return oi_skip(c, "number operand with alpha");
        return oi_out(c, cg_rsub_number(c->input, n));
    }
    cg_tensor *b = oi_tensor(c, other);
    return b ? oi_out(c, cg_sub_alpha_number(b, c->input, a)) : OI_SKIP;
}

/* lerp(input, end, weight): weight a tensor or a Python number. */
static int oi_lerp(oi_call *c) {
    cg_tensor *end = oi_tensor(c, oi_get(c, 0, "end"));
    const oi_value *w = oi_get(c, 1, "weight");
    cg_number n;
    if (!end) return OI_SKIP;
    if (oi_is_number(w)) return oi_number(c, w, &n) ? oi_out(c, cg_lerp_number(c->input, end, n)) : OI_SKIP;
    cg_tensor *wt = oi_tensor(c, w);
    return wt ? oi_out(c, cg_lerp(c->input, end, wt)) : OI_SKIP;
}

/* addcmul/addcdiv(input, tensor1, tensor2, value=). */
static int addc(oi_call *c, cg_tensor *(*fn)(cg_tensor *, cg_tensor *, cg_tensor *, cg_number)) {
    cg_tensor *t1 = oi_tensor(c, oi_get(c, 0, "tensor1")), *t2 = oi_tensor(c, oi_get(c, 1, "tensor2"));
    const oi_value *v = oi_kw(c, "value");
    cg_number n = cg_number_int(1);
    if (!t1 || !t2 || (v && !oi_number(c, v, &n))) return OI_SKIP;
    return oi_out(c, fn(c->input, t1, t2, n));
}
static int oi_addcmul(oi_call *c) { return addc(c, cg_addcmul_number); }
static int oi_addcdiv(oi_call *c) { return addc(c, cg_addcdiv_number); }

/* A tensor bound, or NULL for None or an absent one (false: neither). */
static bool bound(oi_call *c, const oi_value *v, cg_tensor **out) {
    *out = NULL;
    if (!v || v->kind == OI_NONE) return true;
    return (*out = oi_tensor(c, v)) != NULL;
}

/* clamp(input, min=None, max=None) with tensor or number bounds. */
static int oi_clamp(oi_call *c) {
    const oi_value *lo = oi_get(c, 0, "min"), *hi = oi_get(c, 1, "max");
    if (oi_is_number(lo) || oi_is_number(hi)) {
        cg_number a, b;
        if (!number_or_none(c, lo, &a) || !number_or_none(c, hi, &b)) return OI_SKIP;
        return oi_out(c, cg_clamp_number(c->input, a, b));
    }
    cg_tensor *a, *b;
    if (!bound(c, lo, &a) || !bound(c, hi, &b)) return OI_SKIP;
    return oi_out(c, cg_clamp_tensor(c->input, a, b));
}

static int oi_clamp_min(oi_call *c) {
    cg_tensor *b = oi_tensor(c, oi_get(c, 0, "min"));
    return b ? oi_out(c, cg_clamp_tensor(c->input, b, NULL)) : OI_SKIP;
}

static int oi_clamp_max(oi_call *c) {
    cg_tensor *b = oi_tensor(c, oi_get(c, 0, "max"));
    return b ? oi_out(c, cg_clamp_tensor(c->input, NULL, b)) : OI_SKIP;
}

static const oi_entry oi_elem[] = {
    OI_OP("acos", "", oi_acos, .sleef = true),
    OI_OP("acosh", "", oi_acosh),
    OI_OP("asin", "", oi_asin, .sleef = true),
    OI_OP("asinh", "", oi_asinh),
    OI_OP("atan", "", oi_atan, .sleef = true),
    OI_OP("atanh", "", oi_atanh),
    OI_OP("sinh", "", oi_sinh, .sleef = true),
    OI_OP("cosh", "", oi_cosh, .sleef = true),
    OI_OP("ceil", "", oi_ceil),
    OI_OP("floor", "", oi_floor),
    OI_OP("trunc", "", oi_trunc),
    OI_OP("frac", "", oi_frac),
    OI_OP("round", "", oi_round),
    OI_OP("round", "decimals_0", oi_round),
    OI_OP("round", "decimals_3", oi_round),
    OI_OP("round", "decimals_neg_3", oi_round),
    OI_OP("deg2rad", "", oi_deg2rad),
    OI_OP("rad2deg", "", oi_rad2deg),
    OI_OP("digamma", "", oi_digamma),
    OI_OP("lgamma", "", oi_lgamma, .sleef = true),
    OI_OP("polygamma", "polygamma_n_0", oi_polygamma),
    OI_OP("polygamma", "polygamma_n_1", oi_polygamma),
    OI_OP("polygamma", "polygamma_n_2", oi_polygamma),
    OI_OP("polygamma", "polygamma_n_3", oi_polygamma),
    OI_OP("polygamma", "polygamma_n_4", oi_polygamma),
    OI_OP("special.polygamma", "special_polygamma_n_0", oi_polygamma),
    OI_OP("erfc", "", oi_erfc, .sleef = true),
    OI_OP("exp2", "", oi_exp2),
    OI_OP("expm1", "", oi_expm1, .sleef = true),
    OI_OP("log2", "", oi_log2, .sleef = true),
    OI_OP("log10", "", oi_log10, .sleef = true),
    OI_OP("logit", "", oi_logit, .sleef = true),
    OI_OP("rsqrt", "", oi_rsqrt),
    OI_OP("sinc", "", oi_sinc),
    OI_OP("square", "", oi_square),
    OI_OP("positive", "", oi_positive),
    OI_OP("nan_to_num", "", oi_nan_to_num),
    OI_OP("signbit", "", oi_signbit),
    OI_OP("isnan", "", oi_isnan),
    OI_OP("isinf", "", oi_isinf),
    OI_OP("isposinf", "", oi_isposinf),
    OI_OP("isneginf", "", oi_isneginf),
    OI_OP("isfinite", "", oi_isfinite),
    OI_OP("isreal", "", oi_isreal),
    OI_OP("logical_not", "", oi_logical_not),
    OI_OP("special.entr", "", oi_special_entr),
    OI_OP("reciprocal", "", oi_reciprocal),
    OI_OP("sgn", "", oi_sgn),
    OI_OP("conj", "", oi_conj),
    OI_OP("conj_physical", "", oi_conj_physical),
    OI_OP("resolve_conj", "", oi_resolve_conj),
    OI_OP("resolve_neg", "", oi_resolve_neg),
    OI_OP("real", "", oi_real),
    OI_OP("atan2", "", oi_atan2, .sleef = true),
    OI_OP("hypot", "", oi_hypot, .sleef = true),
    OI_OP("fmod", "", oi_fmod),
    OI_OP("remainder", "", oi_remainder),
    OI_OP("copysign", "", oi_copysign),
    OI_OP("fmax", "", oi_fmax),
    OI_OP("fmin", "", oi_fmin),
    OI_OP("xlogy", "", oi_xlogy),
    OI_OP("special.xlog1py", "", oi_special_xlog1py),
    OI_OP("logaddexp", "", oi_logaddexp, .sleef = true),
    OI_OP("logaddexp2", "", oi_logaddexp2),
    OI_OP("nextafter", "", oi_nextafter),
    OI_OP("heaviside", "", oi_heaviside),
    OI_OP("special.zeta", "", oi_special_zeta),
    OI_OP("logical_and", "", oi_logical_and),
    OI_OP("logical_or", "", oi_logical_or),
    OI_OP("logical_xor", "", oi_logical_xor),
    OI_OP("floor_divide", "", oi_floor_divide),
    OI_OP("float_power", "", oi_float_power, .sleef = true),
    OI_OP("ldexp", "", oi_ldexp, .sleef = true),
    OI_OP("isclose", "", oi_isclose),
    OI_OP("allclose", "", oi_allclose),
    OI_OP("equal", "", oi_equal),
    OI_OP("max", "binary", oi_max_binary),
    OI_OP("min", "binary", oi_min_binary),
    OI_OP("div", "floor_rounding", oi_div_mode),
    OI_OP("div", "trunc_rounding", oi_div_mode),
    OI_OP("rsub", "", oi_rsub),
    OI_OP("lerp", "", oi_lerp),
    OI_OP("addcmul", "", oi_addcmul),
    OI_OP("addcdiv", "", oi_addcdiv),
    OI_OP("clamp", "", oi_clamp),
    OI_OP("clamp_min", "", oi_clamp_min),
    OI_OP("clamp_max", "", oi_clamp_max),
    OI_END,
};
