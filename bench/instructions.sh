#!/bin/sh
# Instructions per op of bench/chain.c under callgrind (a load-independent figure on a shared
# machine): the difference between 40 and 20 graphs, over the 2000 ops that makes.
#   bench/instructions.sh [binary]      (default build/bench/chain; `make bench-build` first)
bin=${1:-build/bench/chain}
count() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$bin" "$@" 2>&1 | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'; }
for mode in chain add; do
    arg=$([ $mode = add ] && echo add)
    a=$(count 20 $arg) b=$(count 40 $arg)
    echo "${mode}_instructions_per_op $(( (b - a) / 2000 ))"
done
