#!/bin/sh
# Each misuse in tests/compile_fail/misuse.c fails to compile, with its message, as C ($CC) and as
# C++ ($CXX, when there is one), without -Werror (they are errors, not warnings); CASE 0, the
# right uses, compiles without a warning (-Werror -Wshadow). Ends with "N passed, N failed" like
# the test binaries.
cd "$(dirname "$0")/../.."
CC=${CC:-cc}
CXX=${CXX:-c++}
src=tests/compile_fail/misuse.c
passed=0
failed=0
generic='_Generic|generic association'
data='data must point to'
dims='at most 8 dimensions'

# check LANG CASE EXPECTED: EXPECTED is "" for a case that must compile, else a pattern of its error.
check() {
    if [ "$1" = c ]; then cmd="$CC -std=c11 -x c"; else cmd="$CXX -std=c++17 -x c++"; fi
    strict=""
    [ -z "$3" ] && strict="-Werror -Wshadow"
    out=$($cmd -Wall -Wextra $strict -Iinclude -fsyntax-only -DCASE="$2" "$src" 2>&1)
    status=$?
    if [ -z "$3" ] && [ $status -eq 0 ]; then passed=$((passed + 1)); return; fi
    if [ -n "$3" ] && [ $status -ne 0 ] && printf '%s' "$out" | grep -Eq "$3"; then passed=$((passed + 1)); return; fi
    failed=$((failed + 1))
    printf '%s\n' "$out" | head -20
    if [ -z "$3" ]; then echo "FAIL $1 case $2 does not compile"; else echo "FAIL $1 case $2: expected an error matching '$3'"; fi
}

langs=c
command -v "$CXX" >/dev/null 2>&1 && langs="c c++"
for lang in $langs; do
    if [ "$lang" = c ]; then bad_data=$generic; else bad_data=$data; fi
    check "$lang" 0 ""
    for n in 1 2 3 4 5 6; do check "$lang" $n "$bad_data"; done
    check "$lang" 7 "$dims"
    check "$lang" 8 "$dims"
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
