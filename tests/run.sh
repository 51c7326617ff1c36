#!/bin/sh
# The one test runner: unit tests of lib/ and shell tests of every binary. Prints each
# result, then "N passed, N failed" (", N skipped" when some were), and fails on a failure.
# usage: sh tests/run.sh BUILD_DIR
build=${1:?usage: tests/run.sh BUILD_DIR}
top=$(cd "$(dirname "$0")/.." && pwd)
SND_BIN=$(cd "$build/bin" && pwd)
SND_SHARED=${SND_SHARED:-$top/../shared}
SND_BUILD=$(cd "$build" && pwd)
export SND_BIN SND_SHARED SND_BUILD SND_TOP="$top"
# Sanitizer reports must not pass for a tool's own exit 1: give them statuses of their own.
export ASAN_OPTIONS="${ASAN_OPTIONS:-exitcode=86:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=87}"
log=$(mktemp)
trap 'rm -f "$log"' EXIT

run_one() {
    name=$1
    shift
    if ! "$@" >"$log.one" 2>&1; then
        grep -q '^FAIL' "$log.one" || echo "FAIL $name: exited with status $? without a result" >>"$log.one"
    fi
    cat "$log.one"
    cat "$log.one" >>"$log"
    rm -f "$log.one"
}

start=$(date +%s)
for t in "$build"/tests/test_*; do
    [ -x "$t" ] || continue
    (cd "$top/tests/unit" && run_one "$(basename "$t")" "$OLDPWD/$t")
done
for t in "$top"/tests/cli/*.sh; do
    [ "$(basename "$t")" = lib.sh ] && continue
    run_one "$(basename "$t")" sh "$t"
done
passed=$(grep -c '^ok ' "$log")
failed=$(grep -c '^FAIL ' "$log")
skipped=$(grep -c '^skip ' "$log")
echo "# $(($(date +%s) - start)) s"
if [ "$skipped" -gt 0 ]; then
    echo "$passed passed, $failed failed, $skipped skipped"
else
    echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
