#!/usr/bin/env bash
# Path-MTU discovery side by side on the namespace lab: aovpn-diag mtu,
# tracepath (iputils) and scamper (trace -M), on a clean 1400-byte path, a
# 1280-byte path and a PMTUD black hole (router drops its own too-big errors).
# Prints the MTU each tool found, the packets it sent towards the server
# (counted on arrival at the lab router, at prerouting priority -600, so
# packets sent through raw or packet sockets count too) and wall time.
#
# Targets (issue 5): same MTU as the peers; <= 12 probes and < 2 s on the clean
# 1400 path; < 10 s with a black hole. Issue 17: a black hole whose first
# reply comes about 1 s late (`fw delay-first`: the router ignores the first
# ARP request / neighbour solicitation after `neigh-fresh`): <= 5 s on IPv4
# and IPv6, RUNS_DELAY runs each (default 10), every one exact; the peers run
# once each under the same conditions.
#
# Needs root and the lab packages (tests/lab/README.md). Usage:
#   sudo benches/mtu_bench.sh            # builds the release binary first
#   AOVPN_BIN=target/debug/aovpn-diag sudo -E benches/mtu_bench.sh
#   DELAY_ONLY=1 RUNS_DELAY=10 sudo -E benches/mtu_bench.sh   # issue 17's scenario only
# Sends packets only inside the lab's aovd-* namespaces.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

LAB=tests/lab/lab.sh
BIN=${AOVPN_BIN:-target/release/aovpn-diag}
NS=aovd-client
TIMEOUT_PEER=${TIMEOUT_PEER:-90}
RUNS_DELAY=${RUNS_DELAY:-10}

[ "$(id -u)" = 0 ] || { echo "mtu_bench: run as root (namespaces)" >&2; exit 2; }
for c in tracepath scamper nft jq; do
    command -v "$c" >/dev/null || { echo "mtu_bench: missing $c" >&2; exit 2; }
done
if [ -z "${AOVPN_BIN:-}" ]; then
    cargo build --release -q
fi
BIN=$(realpath "$BIN")

# One lab at a time on this machine (same lock as the Rust lab harness).
exec 9>/tmp/aovd-lab.lock
flock -w 900 9
trap '$LAB down >/dev/null 2>&1 || true' EXIT

in_client() { ip netns exec "$NS" "$@"; }

in_router() { ip netns exec aovd-router "$@"; }

# Counts packets the client sends to the server (any protocol), as they
# reach the router, before the lab's own scenario tables (priority -500).
counter_setup() { # v4addr v6addr
    in_router nft -f - <<EOF
table inet aovd_bench {
  chain pre { type filter hook prerouting priority -600; policy accept;
    iifname "aovd-rc" ip daddr $1 counter
    iifname "aovd-rc" ip6 daddr $2 counter
  }
}
EOF
}
# Rule counters are reset by re-creating the table.
counter_reset() {
    in_router nft delete table inet aovd_bench
    counter_setup "$SERVER4" "$SERVER6"
}
counter_read() {
    in_router nft list table inet aovd_bench |
        awk '/packets/ { for (i = 1; i <= NF; i++) if ($i == "packets") s += $(i + 1) } END { print s + 0 }'
}

# Forget path MTUs learnt by an earlier tool: every tool starts cold.
cold() {
    in_client ip -4 route flush cache 2>/dev/null || true
    in_client ip -6 route flush cache 2>/dev/null || true
    counter_reset
    sleep 1 # lets the router's ICMP rate-limit bucket refill
}

now() { date +%s.%N; }
row() { printf '%-26s %-17s %6s %8s %9s\n' "$@"; }

measure() { # label target
    local label=$1 target=$2 t0 t1 out mtu
    cold
    t0=$(now)
    out=$(in_client "$BIN" mtu "$target" --json || true)
    t1=$(now)
    mtu=$(jq -r '.targets[0].path_mtu' <<<"$out")
    row "$label" aovpn-diag "$mtu" "$(counter_read)" "$(printf '%.3f' "$(echo "$t1 - $t0" | bc)")"

    cold
    t0=$(now)
    out=$(in_client timeout "$TIMEOUT_PEER" tracepath -n "$target" 2>&1 || true)
    t1=$(now)
    mtu=$(grep -o 'Resume: pmtu [0-9]*' <<<"$out" | awk '{print $3}')
    row "$label" tracepath "${mtu:--}" "$(counter_read)" "$(printf '%.3f' "$(echo "$t1 - $t0" | bc)")"

    if [[ $target == *.* ]]; then # scamper's trace -M in this lab: IPv4 only (IPv6 hangs)
        cold
        t0=$(now)
        out=$(in_client timeout "$TIMEOUT_PEER" scamper -c 'trace -M' -i "$target" 2>&1 || true)
        t1=$(now)
        mtu=$(grep -o 'mtu: [0-9]*' <<<"$out" | tail -1 | awk '{print $2}')
        row "$label" scamper "${mtu:--}" "$(counter_read)" "$(printf '%.3f' "$(echo "$t1 - $t0" | bc)")"
    fi
}

# aovpn-diag --ike against the lab's strongSwan responder (the peers have no
# IKE mode); with echo requests dropped on the router, ICMP tools are blind.
measure_ike() { # label target
    local t0 t1 out mtu
    cold
    t0=$(now)
    out=$(in_client "$BIN" mtu "$2" --ike --json || true)
    t1=$(now)
    mtu=$(jq -r '.targets[0].path_mtu' <<<"$out")
    row "$1" "aovpn-diag --ike" "$mtu" "$(counter_read)" "$(printf '%.3f' "$(echo "$t1 - $t0" | bc)")"
}

scenario() { # mtu fw-scenario label
    $LAB up --mtu "$1" >/dev/null 2>&1
    [ "$2" = none ] || $LAB fw "$2" >/dev/null 2>&1
    eval "$($LAB addrs | grep -E '^(SERVER4|SERVER6)=')"
    counter_setup "$SERVER4" "$SERVER6"
    measure "$3 IPv4" "$SERVER4"
    measure "$3 IPv6" "$SERVER6"
}

# delay_first label target expected-mtu: RUNS_DELAY cold runs of aovpn-diag,
# each after neigh-fresh; then each peer once, also after neigh-fresh.
delay_first() {
    local label=$1 target=$2 want=$3 t0 t1 out mtu times=() exact=0 sorted
    for _ in $(seq "$RUNS_DELAY"); do
        cold
        $LAB neigh-fresh >/dev/null 2>&1
        t0=$(now)
        out=$(in_client "$BIN" mtu "$target" --json || true)
        t1=$(now)
        mtu=$(jq -r '.targets[0].path_mtu' <<<"$out")
        [ "$mtu" = "$want" ] && exact=$((exact + 1))
        times+=("$(echo "$t1 - $t0" | bc)")
    done
    sorted=$(printf '%s\n' "${times[@]}" | sort -n)
    printf '%-26s %-17s %6s %8s %9s  (median of %d; max %.3f s; %d/%d exact; target <= 5 s: %s)\n' \
        "$label" aovpn-diag "$want" "-" \
        "$(printf '%.3f' "$(echo "$sorted" | sed -n "$(((RUNS_DELAY + 1) / 2))p")")" \
        "$RUNS_DELAY" "$(echo "$sorted" | tail -1)" "$exact" "$RUNS_DELAY" \
        "$(echo "$(echo "$sorted" | tail -1) <= 5" | bc -l | sed 's/1/met/; s/0/MISSED/')"
    cold
    $LAB neigh-fresh >/dev/null 2>&1
    t0=$(now)
    out=$(in_client timeout "$TIMEOUT_PEER" tracepath -n "$target" 2>&1 || true)
    t1=$(now)
    mtu=$(grep -o 'Resume: pmtu [0-9]*' <<<"$out" | awk '{print $3}' || true)
    row "$label" tracepath "${mtu:--}" "$(counter_read)" "$(printf '%.3f' "$(echo "$t1 - $t0" | bc)")"
    if [[ $target == *.* ]]; then
        cold
        $LAB neigh-fresh >/dev/null 2>&1
        t0=$(now)
        out=$(in_client timeout "$TIMEOUT_PEER" scamper -c 'trace -M' -i "$target" 2>&1 || true)
        t1=$(now)
        mtu=$(grep -o 'mtu: [0-9]*' <<<"$out" | tail -1 | awk '{print $2}' || true)
        row "$label" scamper "${mtu:--}" "$(counter_read)" "$(printf '%.3f' "$(echo "$t1 - $t0" | bc)")"
    fi
}

row scenario tool MTU packets "wall s"
if [ -z "${DELAY_ONLY:-}" ]; then
scenario 1400 none "clean 1400"
$LAB server start >/dev/null 2>&1
$LAB fw drop-echo >/dev/null 2>&1
counter_setup "$SERVER4" "$SERVER6"
measure_ike "echo dropped 1400 IPv4" "$SERVER4"
measure_ike "echo dropped 1400 IPv6" "$SERVER6"
scenario 1280 none "clean 1280"
scenario 1400 black-hole "black hole 1400"
else
    $LAB up --mtu 1400 >/dev/null 2>&1
    eval "$($LAB addrs | grep -E '^(SERVER4|SERVER6)=')"
fi
# fw replaces the router's ruleset, the counting table with it.
$LAB fw black-hole delay-first >/dev/null 2>&1
counter_setup "$SERVER4" "$SERVER6"
delay_first "black hole, 1st late IPv4" "$SERVER4" 1400
delay_first "black hole, 1st late IPv6" "$SERVER6" 1400
