#!/usr/bin/env python3
"""Writes the call-site macros at the end of include/cgrad.h: every public function that returns a
tensor, every in-place op (cg_*_ returning int) and the calls that run user functions become
macros that, in anomaly mode only, tell the library where the program called them
(CG_CALL_SITE_), so that a node recorded there can name its forward's file and line.

    python3 tools/gen_call_sites.py          rewrites the block
    python3 tools/gen_call_sites.py --check  fails when the block is stale (a new op without one)
"""
import os
import re
import sys

HEADER = os.path.join(os.path.dirname(__file__), "..", "include", "cgrad.h")
BEGIN = "/* ---- call sites: written by tools/gen_call_sites.py, do not edit ---- */"
END = "/* ---- end of call sites ---- */"
DECL = re.compile(r"^(?:cg_tensor \*|int )(cg_\w+)\(")
ALSO = {"cg_function_apply", "cg_checkpoint_opts"}


def names(text):
    found = []
    for line in text.split("\n"):
        m = DECL.match(line)
        if m and (line.startswith("cg_tensor") or m.group(1).endswith("_") or m.group(1) in ALSO):
            if m.group(1) not in found:
                found.append(m.group(1))
    return found


def block(text):
    lines = [BEGIN, "#ifndef CG_NO_CALL_SITES"]
    lines += ["#define %s(...) CG_CALL_SITE_(%s)(__VA_ARGS__)" % (n, n) for n in names(text)]
    lines += ["#endif", END]
    return "\n".join(lines)


def main(argv):
    text = open(HEADER).read()
    start, end = text.index(BEGIN), text.index(END) + len(END)
    new = text[:start] + block(text[:start]) + text[end:]
    if argv[1:] == ["--check"]:
        if new != text:
            print("include/cgrad.h: the call-site macros are stale: run python3 tools/gen_call_sites.py")
            return 1
        return 0
    with open(HEADER, "w") as f:
        f.write(new)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
