#!/bin/sh
# Runs the thread stress test RUNS times (default 1000) as separate processes and counts the runs
# that crashed, failed a check or got a ThreadSanitizer report. Usage:
#   tests/stress_threads.sh [binary] [runs]     e.g. tests/stress_threads.sh build-tsan/tests/test_threads 1000
bin=${1:-build-tsan/tests/test_threads}
runs=${2:-1000}
bad=0
i=0
while [ $i -lt "$runs" ]; do
    i=$((i + 1))
    out=$(TSAN_OPTIONS="halt_on_error=1 exitcode=66" "$bin" 2>&1)
    status=$?
    if [ $status -ne 0 ] || printf '%s\n' "$out" | grep -q 'ThreadSanitizer'; then
        bad=$((bad + 1))
        [ $bad -le 3 ] && printf 'run %d (exit %d):\n%s\n' "$i" "$status" "$(printf '%s\n' "$out" | head -40)"
    fi
done
echo "$bad of $runs runs failed"
[ $bad -eq 0 ]
