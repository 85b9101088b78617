/* OpInfo adapters of the reduce family (owner: reduce): tests/opinfo/opinfo.h says how to write one;
 * an OI_OP line per OpInfo entry, then /usr/bin/python3 tools/gen_opinfo.py NAME for its golden data. */

static const oi_entry oi_reduce[] = {
    OI_END,
};
