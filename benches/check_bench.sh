#!/usr/bin/env bash
# Wall time of `aovpn-diag check` on the namespace lab, the helpdesk budget of
# issue 6: all good in < 5 s, everything blocked in < 30 s with the default
# timeouts. A benchmark, not a test: it prints figures and asserts nothing.
#
# Scenarios: healthy server; the 809 case (fragments dropped, no IKEv2
# fragmentation); everything blocked (UDP 500, UDP 4500 and ICMP echo dropped).
# Each is run RUNS times (default 3); min / median / max are printed.
#
# Needs root and the lab packages (tests/lab/README.md). Usage:
#   sudo benches/check_bench.sh            # builds the release binary first
#   AOVPN_BIN=target/debug/aovpn-diag RUNS=5 sudo -E benches/check_bench.sh
# Sends packets only inside the lab's aovd-* namespaces.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

LAB=tests/lab/lab.sh
BIN=${AOVPN_BIN:-target/release/aovpn-diag}
RUNS=${RUNS:-3}

[ "$(id -u)" = 0 ] || { echo "check_bench: run as root (namespaces)" >&2; exit 2; }
if [ -z "${AOVPN_BIN:-}" ]; then
    cargo build --release -q
fi
BIN=$(realpath "$BIN")

# One lab at a time on this machine (same lock as the Rust lab harness).
exec 9>/tmp/aovd-lab.lock
flock -w 900 9
trap '$LAB down >/dev/null 2>&1 || true' EXIT

$LAB down >/dev/null 2>&1 || true
$LAB up >/dev/null
SERVER=$($LAB addrs | sed -n 's/^SERVER4=//p')

# scenario NAME SERVER-ARGS FIREWALL...
scenario() {
    local name=$1 server_args=$2
    shift 2
    $LAB stop >/dev/null 2>&1 || true
    # shellcheck disable=SC2086
    $LAB server start $server_args >/dev/null
    $LAB fw "$@" >/dev/null
    local times=() cause=""
    for _ in $(seq "$RUNS"); do
        local start end out
        start=$(date +%s.%N)
        out=$(ip netns exec aovd-client timeout 120 "$BIN" check "$SERVER" --json || true)
        end=$(date +%s.%N)
        times+=("$(echo "$end - $start" | bc)")
        cause=$(printf '%s' "$out" | sed -n 's/^  "cause": \(.*\),$/\1/p')
        # Let the responder forget this client's half-open SAs between runs.
        sleep 1
    done
    sorted=$(printf '%s\n' "${times[@]}" | sort -n)
    printf '%-34s min %6.2f s  median %6.2f s  max %6.2f s  cause %s\n' "$name" \
        "$(echo "$sorted" | head -1)" \
        "$(echo "$sorted" | sed -n "$(( (RUNS + 1) / 2 ))p")" \
        "$(echo "$sorted" | tail -1)" "$cause"
}

echo "aovpn-diag check against $SERVER, $RUNS run(s) each, default --timeout (2 s)"
scenario "healthy (target < 5 s)" "--fragmentation yes" none
scenario "809: fragments dropped, no 16430" "--fragmentation no" drop-frags
scenario "everything blocked (target < 30 s)" "" block-500 block-4500 drop-echo
