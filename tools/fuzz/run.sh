#!/bin/bash
# Fuzzes a loader for a bounded time: tools/fuzz/run.sh TARGET [SECONDS] (TARGET: safetensors, idx).
# With clang's libFuzzer the library and tools/fuzz/fuzz_TARGET.c are built with
# -fsanitize=fuzzer,address,undefined in build-fuzz/; without it, the same target runs under
# tools/fuzz/driver.c's mutation loop with ASan+UBSan. Seeds: tools/fuzz/corpus/TARGET/ (new inputs go
# to a temporary directory, not into the repository).
set -eu
cd "$(dirname "$0")/../.."
target=$1
seconds=${2:-30}
san="-fsanitize=address,undefined -fno-sanitize-recover=all"
cflags="-g -O1 -fno-omit-frame-pointer $san"
# The libraries the Makefile found for the library (optional ones included).
libs=$(make -s --no-print-directory print-libs)
if echo 'int LLVMFuzzerTestOneInput(const char *d, long n){(void)d;(void)n;return 0;}' |
    clang -x c - -fsanitize=fuzzer -o /tmp/cg-fuzz-probe.$$ 2>/dev/null; then
    rm -f /tmp/cg-fuzz-probe.$$
    make -s -j2 BUILD=build-fuzz CC=clang OPT= CFLAGS="$cflags -fsanitize=fuzzer-no-link" lib >/dev/null
    clang -std=c11 -Iinclude $cflags -fsanitize=fuzzer "tools/fuzz/fuzz_$target.c" build-fuzz/libcgrad.a \
        $libs -o "build-fuzz/fuzz_$target"
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    rc=0
    "build-fuzz/fuzz_$target" -max_total_time="$seconds" -print_final_stats=1 "$work" "tools/fuzz/corpus/$target" \
        >"$work.log" 2>&1 || rc=$?
    grep -E 'stat::number_of_executed_units|ERROR|SUMMARY|Test unit written' "$work.log" || tail -20 "$work.log"
    rm -f "$work.log"
    exit $rc
else
    cc=${CC:-cc}
    make -s -j2 BUILD=build-fuzz CC="$cc" OPT= CFLAGS="$cflags" lib >/dev/null
    "$cc" -std=c11 -Iinclude $cflags "tools/fuzz/fuzz_$target.c" tools/fuzz/driver.c build-fuzz/libcgrad.a \
        $libs -o "build-fuzz/fuzz_$target"
    CG_FUZZ_SECONDS=$seconds "build-fuzz/fuzz_$target" "tools/fuzz/corpus/$target"/*
fi
