#!/usr/bin/env bash
# Hash rate of `aovpn-diag lb --find-backends` (the NAT_DETECTION search):
# one thread against all cores, on the namespace lab.
#
# The lab's servers run with kernel-libipsec here, so they fake their
# NAT_DETECTION_SOURCE_IP (strongSwan hashes a random IPv4 address with port
# 0): every search covers the whole range and finds nothing, which is the
# worst case and measures the rate cleanly. lb gives up after 2 fruitless
# searches, each over RANGE at 2 ports (500 and 4500).
#
# Prints hashes, seconds and million hashes per second per run, and the
# speed-up of all cores over one (rayon's pool, RAYON_NUM_THREADS=1).
#
# Needs root and the lab packages (tests/lab/README.md). Usage:
#   sudo benches/lb_bench.sh                     # builds the release binary first
#   RANGE=10.0.0.0/10 sudo -E benches/lb_bench.sh
#   AOVPN_BIN=target/debug/aovpn-diag sudo -E benches/lb_bench.sh
# Sends packets only inside the lab's aovd-* namespaces.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

LAB=tests/lab/lab.sh
BIN=${AOVPN_BIN:-target/release/aovpn-diag}
RANGE=${RANGE:-10.0.0.0/8}
NS=aovd-client

[ "$(id -u)" = 0 ] || { echo "lb_bench: run as root (namespaces)" >&2; exit 2; }
command -v jq >/dev/null || { echo "lb_bench: missing jq" >&2; exit 2; }
if [ -z "${AOVPN_BIN:-}" ]; then
    cargo build --release -q
fi
BIN=$(realpath "$BIN")

# One lab at a time on this machine (same lock as the Rust lab harness).
exec 9>/tmp/aovd-lab.lock
flock -w 900 9
trap '$LAB down >/dev/null 2>&1 || true' EXIT

$LAB up >/dev/null 2>&1
$LAB server start >/dev/null 2>&1
$LAB server start --ns aovd-server2 >/dev/null 2>&1
$LAB fw lb-healthy >/dev/null 2>&1
VIP=$($LAB addrs | sed -n 's/^VIP4=//p')

run() { # threads
    local json
    json=$(ip netns exec "$NS" env RAYON_NUM_THREADS="$1" "$BIN" lb "$VIP" --json \
        --rounds 1 --timeout 0.5 --find-backends "$RANGE" --search-time 3600 || true)
    jq -r '.vips[0].search | "\(.hashes) \(.seconds) \(.searches)"' <<<"$json"
}

cores=$(nproc)
echo "lb_bench: range $RANGE, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $cores core(s)"
echo "lb_bench: SHA-NI: $(grep -q -w sha_ni /proc/cpuinfo && echo yes || echo no); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-10s %14s %9s %9s %10s\n' threads hashes seconds searches Mhash/s
declare -A rate
for threads in 1 "$cores"; do
    read -r hashes secs searches < <(run "$threads")
    rate[$threads]=$(awk -v h="$hashes" -v s="$secs" 'BEGIN { printf "%.2f", h / s / 1e6 }')
    printf '%-10s %14s %9.2f %9s %10s\n' "$threads" "$hashes" "$secs" "$searches" "${rate[$threads]}"
done
awk -v a="${rate[1]}" -v b="${rate[$cores]}" -v n="$cores" \
    'BEGIN { printf "lb_bench: %d cores %.2fx one thread\n", n, b / a }'
awk -v r="${rate[$cores]}" \
    'BEGIN { printf "lb_bench: the default ranges (17.9 million addresses, 2 ports) take about %.1f s per search at this rate\n", 2 * 17891840 / (r * 1e6) }'
