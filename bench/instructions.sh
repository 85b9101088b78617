#!/bin/sh
# Instructions per op of bench/chain.c under callgrind (a load-independent figure on a shared
# machine): the difference between 40 and 20 graphs, over the 2000 ops that makes. Then the atomic
# read-modify-writes per op of the chain (lock-prefixed instructions and xchg with memory, counted
# by callgrind at their addresses in the binary, which links the library statically).
#   bench/instructions.sh [binary]      (default build/bench/chain; `make bench-build` first)
bin=${1:-build/bench/chain}
count() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$@" 2>&1 | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'; }
for mode in chain add; do
    arg=$([ $mode = add ] && echo add)
    a=$(count 20 $arg) b=$(count 40 $arg)
    echo "${mode}_instructions_per_op $(( (b - a) / 2000 ))"
done
command -v objdump >/dev/null && command -v python3 >/dev/null || exit 0
tmp=$(mktemp -d)
objdump -d --no-show-raw-insn "$bin" | awk '$2 == "lock" || ($2 == "xchg" && $3 ~ /\(/) { sub(":", "", $1); print $1 }' >"$tmp/addrs"
for n in 20 40; do
    valgrind --tool=callgrind --dump-instr=yes --compress-pos=no --compress-strings=no \
        --callgrind-out-file="$tmp/out.$n" "$bin" $n >/dev/null 2>&1
done
python3 - "$tmp" "$(readlink -f "$bin")" <<'PY'
import re, sys
tmp, binary = sys.argv[1], sys.argv[2]
addrs = {int(a, 16) for a in open(tmp + "/addrs").read().split()}
def locked(path):
    total, ob = 0, ""
    for line in open(path):
        if line.startswith("ob="):
            ob = line[3:].strip()
        m = re.match(r"0x([0-9a-f]+) \d+ (\d+)", line)
        if m and ob == binary and int(m.group(1), 16) in addrs:
            total += int(m.group(2))
    return total
print("chain_atomic_rmw_per_op %.2f" % ((locked(tmp + "/out.40") - locked(tmp + "/out.20")) / 2000))
PY
rm -rf "$tmp"
