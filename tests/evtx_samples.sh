#!/usr/bin/env bash
# Reads every .evtx file of a directory of public EVTX samples with
# `aovpn-diag events` and checks that each one either reads (exit 0 or 1,
# at least one event) or is refused with one line on stderr (exit 2); never a
# panic or another exit code.
#
# The samples are not in this repository (files fetched from public
# repositories stay out of its commits), so this is a manual check, not part
# of `cargo test`: e.g. the samples/ of github.com/omerbenamram/evtx
# (MIT/Apache-2.0) or EVTX-ATTACK-SAMPLES.
#
#   cargo build && tests/evtx_samples.sh DIR [path/to/aovpn-diag]
set -euo pipefail
dir=${1:?usage: tests/evtx_samples.sh DIR [BINARY]}
bin=${2:-$(dirname "$0")/../target/debug/aovpn-diag}
shopt -s nullglob
files=("$dir"/*.evtx)
[ ${#files[@]} -gt 0 ] || { echo "no .evtx in $dir" >&2; exit 2; }
bad=0 read=0 refused=0
for f in "${files[@]}"; do
    set +e
    out=$("$bin" events --json "$f" 2>/tmp/evtx_samples.err)
    code=$?
    set -e
    err=$(cat /tmp/evtx_samples.err)
    case $code in
        0|1)
            events=$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["sources"][0]["events"])')
            if [ "$events" -gt 0 ]; then read=$((read + 1)); else echo "FAIL $f: no events read"; bad=$((bad + 1)); fi ;;
        2)
            if [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ]; then refused=$((refused + 1)); echo "refused $f: $err"
            else echo "FAIL $f: exit 2 with more than one line"; bad=$((bad + 1)); fi ;;
        *)  echo "FAIL $f: exit $code: $err"; bad=$((bad + 1)) ;;
    esac
done
echo "${#files[@]} file(s): $read read, $refused refused with one line, $bad failed"
[ "$bad" -eq 0 ]
