#!/bin/sh
# The shared library exports exactly the functions include/cgrad.h declares: every declared
# function is defined there, and nothing else is (static inline functions and macros are not
# symbols). Usage: tools/check_exports.sh [path/to/libcgrad.so]
set -eu
cd "$(dirname "$0")/.."
lib=${1:-build/libcgrad.so}
[ -e "$lib" ] || { echo "check_exports: no $lib (make lib)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 tools/gen_api_docs.py --functions | sort >"$tmp/declared"
# Functions only (T): the one variable the header declares, the op macros' flag, is not one.
nm -D --defined-only "$lib" | awk '$2 == "T" {print $NF}' | sort >"$tmp/exported"
status=0
missing=$(comm -23 "$tmp/declared" "$tmp/exported")
extra=$(comm -13 "$tmp/declared" "$tmp/exported")
if [ -n "$missing" ]; then echo "declared in include/cgrad.h but not exported by $lib:"; echo "$missing"; status=1; fi
if [ -n "$extra" ]; then echo "exported by $lib but not declared in include/cgrad.h:"; echo "$extra"; status=1; fi
[ $status -eq 0 ] && echo "exports: $(wc -l <"$tmp/exported") functions, as declared"
exit $status
