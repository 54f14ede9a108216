#!/usr/bin/env bash
# Builds every fuzz target on the stable toolchain and runs each for a fixed
# time; prints executions per target and fails on the first crash, hang
# (an input running over 10 s) or memory blow-up (over 2 GiB RSS).
#
#   fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]     (default: 30, all targets)
#
# Needs cargo-fuzz (`cargo install cargo-fuzz --locked`). Seeds come from
# fuzz/make_seeds.py (the fixtures) into fuzz/corpus/, which grows as the
# fuzzers find new inputs; crashes land in fuzz/artifacts/<target>/. CI
# (.ci/run) calls this with 30 s per target. See fuzz/README.md.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds=${1:-30}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    mapfile -t targets < <(cargo fuzz list)
fi

# -s none: no sanitizer, so no nightly; -a: debug assertions and overflow
# checks on, as in the test profile.
cargo fuzz build -s none -a
python3 fuzz/make_seeds.py fuzz/corpus >/dev/null

logs=$(mktemp -d)
failed=()
printf '%-20s %14s %10s %8s\n' target executions exec/s result
for t in "${targets[@]}"; do
    log="$logs/$t.log"
    if cargo fuzz run -s none -a "$t" "fuzz/corpus/$t" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 >"$log" 2>&1; then
        result=ok
    else
        result=CRASH
        failed+=("$t")
    fi
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    printf '%-20s %14s %10s %8s\n' "$t" "${runs:-?}" "${rate:-?}" "$result"
done

for t in "${failed[@]}"; do
    printf '\n==> %s crashed; the end of its log:\n' "$t"
    tail -n 40 "$logs/$t.log"
    ls -1 "fuzz/artifacts/$t" 2>/dev/null | sed 's/^/    artifact: fuzz\/artifacts\/'"$t"'\//'
done
rm -rf "$logs"
[ ${#failed[@]} -eq 0 ]
