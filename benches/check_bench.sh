#!/usr/bin/env bash
# Wall time of `aovpn-diag check` on the namespace lab against the helpdesk
# budget of issue 17: <= 5 s when the server answers on both ports (whatever
# drops fragments), <= 10 s for the 809 cases, <= 20 s when everything is
# blocked, all with the default timeouts. A benchmark, not a test: it prints
# figures and a verdict per target and asserts nothing.
#
# Scenarios: healthy server; server with IKEv2 fragmentation behind a path
# that drops fragments; the 809 cases (fragments dropped without IKEv2
# fragmentation, UDP 4500 blocked, UDP 500 blocked); everything blocked (UDP
# 500, UDP 4500 and ICMP echo dropped); an EAP server by its name, whose
# certificate the server-cert step fetches and checks (healthy, and
# fragments dropped toward the client with and without 16430). Each runs
# RUNS times (default 3);
# min / median / max are printed with the cause found. With BASELINE=path
# the same runs are made with that binary (e.g. an older build) and the ratio
# of the medians is printed.
#
# Needs root and the lab packages (tests/lab/README.md). Usage:
#   sudo benches/check_bench.sh            # builds the release binary first
#   AOVPN_BIN=target/debug/aovpn-diag RUNS=5 sudo -E benches/check_bench.sh
#   BASELINE=/tmp/aovpn-diag-old sudo -E benches/check_bench.sh
#   ONLY=EAP sudo -E benches/check_bench.sh      # the scenarios named so
# Sends packets only inside the lab's aovd-* namespaces.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

LAB=tests/lab/lab.sh
BIN=${AOVPN_BIN:-target/release/aovpn-diag}
RUNS=${RUNS:-3}
ONLY=${ONLY:-}   # run only the scenarios whose name contains this
PAUSE=1          # seconds between runs (see the EAP scenarios)
BASELINE=${BASELINE:-}

[ "$(id -u)" = 0 ] || { echo "check_bench: run as root (namespaces)" >&2; exit 2; }
command -v jq >/dev/null || { echo "check_bench: missing jq" >&2; exit 2; }
if [ -z "${AOVPN_BIN:-}" ]; then
    cargo build --release -q
fi
BIN=$(realpath "$BIN")
[ -z "$BASELINE" ] || BASELINE=$(realpath "$BASELINE")

# One lab at a time on this machine (same lock as the Rust lab harness).
exec 9>/tmp/aovd-lab.lock
flock -w 1800 9
trap '$LAB down >/dev/null 2>&1 || true' EXIT

$LAB down >/dev/null 2>&1 || true
$LAB up >/dev/null
SERVER=$($LAB addrs | sed -n 's/^SERVER4=//p')
SERVER_NAME=$($LAB addrs | sed -n 's/^SERVER_NAME=//p')
STATE_DIR=$($LAB addrs | sed -n 's/^STATE_DIR=//p')
# What `check` is pointed at, and any arguments of the scenario.
HOST=$SERVER
CHECK_ARGS=()

# runs BIN: RUNS timed checks; prints "median min max cause"
runs() {
    local bin=$1 times=() cause="" start end out
    for _ in $(seq "$RUNS"); do
        start=$(date +%s.%N)
        out=$(ip netns exec aovd-client timeout 120 "$bin" check "$HOST" --json "${CHECK_ARGS[@]}" || true)
        end=$(date +%s.%N)
        times+=("$(echo "$end - $start" | bc)")
        cause=$(jq -r '.cause // "none"' <<<"$out" 2>/dev/null || echo "?")
        # Let the responder forget this client's half-open IKE SAs (its
        # limit is per client address) so runs do not disturb each other.
        sleep "$PAUSE"
    done
    local sorted
    sorted=$(printf '%s\n' "${times[@]}" | sort -n)
    echo "$(echo "$sorted" | sed -n "$(((RUNS + 1) / 2))p") $(echo "$sorted" | head -1) $(echo "$sorted" | tail -1) $cause"
}

# scenario NAME TARGET-SECONDS SERVER-ARGS FIREWALL...
scenario() {
    local name=$1 target=$2 server_args=$3
    shift 3
    case $name in *"$ONLY"*) ;; *) return 0 ;; esac
    $LAB stop >/dev/null 2>&1 || true
    # shellcheck disable=SC2086
    $LAB server start $server_args >/dev/null
    $LAB fw "$@" >/dev/null
    local med min max cause verdict base=""
    read -r med min max cause < <(runs "$BIN")
    verdict=$(echo "$med <= $target" | bc -l | sed 's/1/met/; s/0/MISSED/')
    if [ -n "$BASELINE" ]; then
        local bmed _bmin _bmax bcause
        read -r bmed _bmin _bmax bcause < <(runs "$BASELINE")
        base=$(printf '  baseline %6.2f s (%s)  %5.1fx faster' "$bmed" "$bcause" "$(echo "$bmed / $med" | bc -l)")
    fi
    printf '%-44s %6.2f s [%5.2f..%5.2f]  target <= %2d s %-6s  cause %s%s\n' \
        "$name" "$med" "$min" "$max" "$target" "$verdict" "$cause" "$base"
}

echo "aovpn-diag check against $SERVER, median of $RUNS run(s) [min..max], default --timeout (2 s)"
scenario "healthy" 5 "--fragmentation yes" none
scenario "fragments dropped, server has 16430" 5 "--fragmentation yes" drop-frags
scenario "809: fragments dropped, no 16430" 10 "--fragmentation no" drop-frags
scenario "809: UDP 4500 blocked" 10 "" block-4500
scenario "UDP 500 blocked" 10 "" block-500
scenario "everything blocked (500, 4500, echo)" 20 "" block-500 block-4500 drop-echo

# A server that answers IKE_AUTH (EAP, as RRAS with NPS does), by its name:
# `check` then also fetches its certificate chain over IKE_AUTH and checks
# it (the server-cert step), and, when the server offers 16430, tries the
# exchange without it to see the large answer come back in IP fragments.
# Each run leaves the IKE SAs of its IKE_AUTH tests half open (a probe has no
# credentials, and strongSwan keeps such an SA despite the Delete until its
# half-open timeout, 10 s in the lab): wait that out between runs, as the
# server's per-address limit would otherwise be what is measured.
PAUSE=11
$LAB names --hosts "$SERVER $SERVER_NAME" >/dev/null
HOST=$SERVER_NAME
CHECK_ARGS=(--ca "$STATE_DIR/certs-server-cert/root.pem")
scenario "EAP server, certificate checked" 5 "--eap --server-cert good" none
scenario "EAP, 16430, fragments dropped to client" 5 "--eap --server-cert good" drop-frags-to-client
scenario "809: EAP, no 16430, frags dropped to client" 10 \
    "--eap --server-cert good --fragmentation no" drop-frags-to-client
