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

static const oi_entry oi_linalg[] = {
    OI_OP("linalg.det", "", oi_linalg_det, .lapack = true),
    OI_OP("linalg.det", "singular", oi_linalg_det, .lapack = true),
    OI_OP("linalg.inv", "", oi_linalg_inv, .lapack = true),
    OI_OP("linalg.slogdet", "", oi_linalg_slogdet, .lapack = true),
    OI_OP("linalg.solve", "", oi_linalg_solve, .lapack = true),
    OI_OP("logdet", "", oi_logdet, .lapack = true),
    OI_END,
};
