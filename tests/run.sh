#!/bin/sh
# Runs each test binary (under $VALGRIND when set), sums their "N passed, N failed" lines and
# ends with the total. A binary that crashes or prints no such line counts as one failure.
passed=0
failed=0
for bin in "$@"; do
    out=$($VALGRIND "$bin" 2>&1)
    status=$?
    line=$(printf '%s\n' "$out" | grep -E '^[0-9]+ passed, [0-9]+ failed$' | tail -n 1)
    if [ -z "$line" ] || [ $status -ne 0 ]; then
        printf '%s\n' "$out" | tail -n 40
        echo "FAIL $bin (exit $status)"
    else
        echo "ok   $bin: $line"
    fi
    if [ -n "$line" ]; then
        p=${line%% passed*}
        f=${line#*passed, }
        f=${f%% failed*}
        passed=$((passed + p))
        failed=$((failed + f))
        [ $status -ne 0 ] && [ "$f" -eq 0 ] && failed=$((failed + 1))
    else
        failed=$((failed + 1))
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
