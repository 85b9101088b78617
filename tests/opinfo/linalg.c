/* OpInfo adapters of the linalg family (owner: linalg): tests/opinfo/opinfo.h says how to write one;
 * an OI_OP line per OpInfo entry, then /usr/bin/python3 tools/gen_opinfo.py NAME for its golden data. */

OI_UNARY(oi_linalg_det, cg_linalg_det)
OI_UNARY(oi_linalg_inv, cg_linalg_inv)
OI_UNARY(oi_logdet, cg_logdet)

static int oi_linalg_slogdet(oi_call *c) {
    c->out[0] = cg_linalg_slogdet(c->input, &c->out[1]);
    return c->out[0] ? 2 : -1;
}

static int oi_linalg_solve(oi_call *c) {
    cg_tensor *B = oi_tensor(c, oi_arg(c, 0));
    const oi_value *lv = oi_kw(c, "left");
    bool left = true;
    if (!B || (lv && !oi_bool(c, lv, &left))) return OI_SKIP;
    return oi_out(c, cg_linalg_solve(c->input, B, left));
}

/* linalg.inv_ex(A, check_errors=False): (inverse, info). */
static int oi_linalg_inv_ex(oi_call *c) {
    const oi_value *ce = oi_kw(c, "check_errors");
    bool check = false;
    if (ce && !oi_bool(c, ce, &check)) return OI_SKIP;
    c->out[0] = cg_linalg_inv_ex(c->input, check, &c->out[1]);
    return c->out[0] ? 2 : -1;
}

/* linalg.solve_ex(A, B, left=True, check_errors=False): (result, info). */
static int oi_linalg_solve_ex(oi_call *c) {
    cg_tensor *B = oi_tensor(c, oi_arg(c, 0));
    const oi_value *lv = oi_kw(c, "left"), *ce = oi_kw(c, "check_errors");
    bool left = true, check = false;
    if (!B || (lv && !oi_bool(c, lv, &left)) || (ce && !oi_bool(c, ce, &check))) return OI_SKIP;
    c->out[0] = cg_linalg_solve_ex(c->input, B, left, check, &c->out[1]);
    return c->out[0] ? 2 : -1;
}

static const oi_entry oi_linalg[] = {
    OI_OP("linalg.det", "", oi_linalg_det, .lapack = true),
    OI_OP("linalg.det", "singular", oi_linalg_det, .lapack = true),
    OI_OP("linalg.inv", "", oi_linalg_inv, .lapack = true),
    OI_OP("linalg.slogdet", "", oi_linalg_slogdet, .lapack = true),
    OI_OP("linalg.solve", "", oi_linalg_solve, .lapack = true),
    OI_OP("linalg.inv_ex", "", oi_linalg_inv_ex, .lapack = true, .known = "info is int32 in PyTorch, int64 in cgrad (no int32 dtype)"),
    OI_OP("linalg.solve_ex", "", oi_linalg_solve_ex, .lapack = true, .known = "info is int32 in PyTorch, int64 in cgrad (no int32 dtype)"),
    OI_OP("logdet", "", oi_logdet, .lapack = true),
    OI_END,
};
