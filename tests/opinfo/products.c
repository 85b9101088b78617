/* OpInfo adapters of the products family (owner: opinfo): tests/opinfo/opinfo.h says how to write one;
 * an OI_OP line per OpInfo entry, then /usr/bin/python3 tools/gen_opinfo.py NAME for its golden data. */

static const oi_entry oi_products[] = {
    OI_END,
};
