#!/usr/bin/env bash
# Throughput and memory of `aovpn-diag pcap` beside tshark and tcpdump on one
# large capture read from the page cache (issue 8, "Performance").
#
#   benches/pcap_bench.sh [SIZE_MB]      (default 512; the file is not kept)
#
# Builds the release binary, generates SIZE_MB of mostly ordinary TCP/UDP
# with an IKEv2 session and IP fragments spliced into every ~4 MB
# (benches/gen_capture.py), reads it once with cat to warm the page cache,
# then runs each tool (best of 3; tshark once) under /usr/bin/time -v and
# prints MB/s, peak RSS and the ratios. A benchmark, not a test: numbers depend on the machine.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

size_mb="${1:-512}"
work="$(mktemp -d "${TMPDIR:-/tmp}/aovd-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT
file="$work/bench.pcap"

cargo build --release -q
bin="target/release/aovpn-diag"

python3 benches/gen_capture.py "$file" "$size_mb"
bytes=$(stat -c %s "$file")
cat "$file" > /dev/null

# run NAME CMD...: the best of RUNS timed runs (wall clock in ns from
# date, peak RSS from /usr/bin/time -v); prints "NAME seconds rss_kb".
# Output goes to a file for aovpn-diag (its JSON is summarised below) and to
# /dev/null for the others, so cat measures reading, not copying.
run() {
    local name="$1" runs="$2"; shift 2
    local out=/dev/null best="" rss=0
    [ "$name" = aovpn-diag ] && out="$work/$name.out"
    for _ in $(seq "$runs"); do
        local t0 t1
        t0=$(date +%s%N)
        /usr/bin/time -v "$@" > "$out" 2> "$work/$name.time" || true
        t1=$(date +%s%N)
        local ns=$((t1 - t0))
        if [ -z "$best" ] || [ "$ns" -lt "$best" ]; then best=$ns; fi
        local r
        r=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/$name.time")
        [ "$r" -gt "$rss" ] && rss=$r
    done
    echo "$name $(awk -v n="$best" 'BEGIN { printf "%.3f", n / 1e9 }') $rss"
}

results=()
results+=("$(run cat 3 cat "$file")")
results+=("$(run aovpn-diag 3 "$bin" --json pcap "$file")")
if command -v tcpdump > /dev/null; then
    results+=("$(run tcpdump 3 tcpdump -n -r "$file" 'udp port 500 or udp port 4500 or (ip[6:2] & 0x1fff != 0)')")
fi
if command -v tshark > /dev/null; then
    results+=("$(run tshark 1 tshark -r "$file" -Y isakmp)")
fi

printf '\n%s: %d MB, %s packets\n' "$file" $((bytes / 1000000)) \
    "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["stats"]["packets"])' "$work/aovpn-diag.out")"
printf '%-12s %10s %12s %12s\n' tool seconds MB/s "peak RSS MB"
ours=""
for r in "${results[@]}"; do
    read -r name secs rss <<< "$r"
    mbps=$(awk -v b="$bytes" -v s="$secs" 'BEGIN { if (s > 0) printf "%.0f", b / 1e6 / s; else print "inf" }')
    printf '%-12s %10s %12s %12.1f\n' "$name" "$secs" "$mbps" "$(awk -v k="$rss" 'BEGIN { print k / 1024 }')"
    eval "secs_${name//-/_}=$secs"
done
echo
awk -v a="${secs_aovpn_diag:-0}" -v t="${secs_tshark:-0}" -v d="${secs_tcpdump:-0}" 'BEGIN {
    if (a > 0 && t > 0) printf "aovpn-diag is %.1fx faster than tshark -Y isakmp\n", t / a;
    if (a > 0 && d > 0) printf "aovpn-diag takes %.2fx the time of tcpdump'"'"'s filter-only pass\n", a / d;
}'
echo "aovpn-diag verdict: $(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["verdict"], len(d["sas"]), "SAs", d["stats"]["datagrams_reassembled"], "reassembled", d["stats"]["datagrams_incomplete"], "incomplete")' "$work/aovpn-diag.out")"
