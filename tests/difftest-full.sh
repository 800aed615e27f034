#!/bin/sh
# The full differential test (make check-difftest-full): for every
# extension at least MIN (default 10^6) executed instructions, with host
# code, with the micro-op loop alone (-i) and with values flowing between
# five registers (-r); x87 with every rounding and precision mode, SSE
# floating point per extension (-S -E) with random MXCSR modes, DAZ/FTZ
# and unmasked exceptions.  Prints each run, then the executed count per
# extension; fails on any mismatch or an extension below MIN.
# Run from the build directory: tests/difftest-full.sh [MIN]
DT=./tests/difftest
MIN=${1:-1000000}
LOG=${TMPDIR:-/tmp}/difftest-full.$$
trap 'rm -f "$LOG"' EXIT
: > "$LOG"
fail=0

run() {
    echo "+ difftest $*"
    "$DT" "$@" > "$LOG.one" 2>&1
    rc=$?
    cat "$LOG.one"
    cat "$LOG.one" >> "$LOG"
    rm -f "$LOG.one"
    if [ $rc -eq 77 ]; then
        echo "difftest-full: not an x86-64 host, skipped"
        exit 77
    fi
    [ $rc -eq 0 ] || fail=1
}

# general-purpose instructions and random code
run -n 250000
run -i -n 100000
run -r -n 100000
run -f -n 200000
# x87 (every form, rounding and precision mode; -X: with the transcendentals)
run -x -n 45000
run -x -i -n 10000
run -X -n 40000
# the extensions, one at a time
for e in mmx sse sse2 sse3 ssse3 sse4.1 sse4.2 aes-pclmul bmi1 bmi2 adx abm movbe; do
    run -E $e -n 160000
    run -E $e -r -n 25000
    run -E $e -i -n 20000
done
# SSE floating point per extension
for e in sse sse2 sse3 sse4.1; do
    run -S -E $e -n 150000
    run -S -E $e -i -n 20000 -s 0x55e
done

echo "difftest-full: executed instructions per extension (minimum $MIN):"
sed -n 's/^difftest: executed per extension://p' "$LOG" | tr ',' '\n' |
    awk -v min="$MIN" '
        NF == 2 { n[$1] += $2; if (!($1 in seen)) { seen[$1] = 1; order[++k] = $1 } }
        END {
            bad = 0
            for (i = 1; i <= k; i++) {
                e = order[i]
                printf "  %-10s %10d%s\n", e, n[e], (e != "base" && n[e] < min) ? "  BELOW MINIMUM" : ""
                if (e != "base" && n[e] < min) bad = 1
            }
            exit bad
        }' || fail=1
# -X passes only when its differences are a transcendental's last bit (or C1):
# the cases that needed that allowance are counted apart
tr=$(sed -n 's/^difftest: \([0-9][0-9]*\) cases within 1 ulp.*/\1/p' "$LOG" | awk '{ s += $1 } END { print s + 0 }')
mm=$(sed -n 's/^difftest: .* \([0-9][0-9]*\) mismatches.*/\1/p' "$LOG" | awk '{ s += $1 } END { print s + 0 }')
echo "difftest-full: $mm mismatches in total ($tr -X cases within 1 ulp of the host's transcendental results)"
[ "$mm" -eq 0 ] || fail=1
exit $fail
