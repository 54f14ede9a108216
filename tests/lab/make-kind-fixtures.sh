#!/usr/bin/env bash
# Makes the lab captures for issue 12's kinds of fault (fixtures/kind-*): real
# strongSwan peers in the namespace lab (tests/lab/lab.sh), tcpdump on the
# client and/or server side, each file converted to pcapng with a comment
# that says what it is. The right answer of each file is written in
# fixtures/README.md and tests/pcap_cases.rs; this script only makes the files.
#
#   sudo tests/lab/make-kind-fixtures.sh            # all
#   sudo tests/lab/make-kind-fixtures.sh NAME ...   # some: many-skf response-lost
#                                                   #   capture-cut esp ikev1 cookie refused
# Needs root, the lab's packages, tshark and editcap.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
LAB="$HERE/lab.sh"
OUT="$ROOT/fixtures"
TMP=$(mktemp -d /tmp/aovd-kind-fixtures.XXXXXX)
PEER="$HERE/ike_sa_init_peer.py"
# A second address of the client namespace, for a second initiator.
PEER4=198.18.1.3

cleanup() {
    "$LAB" down >/dev/null 2>&1 || true
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf 'make-kind-fixtures: %s\n' "$*" >&2; }
die() { printf 'make-kind-fixtures: error: %s\n' "$*" >&2; exit 1; }

# save RAW NAME COMMENT: pcapng with a capture comment, into fixtures/.
save() {
    local dst="$OUT/$2.pcapng"
    editcap -F pcapng --capture-comment "aovpn-diag namespace lab: $3 (tests/lab/make-kind-fixtures.sh)" "$1" "$dst"
    chmod 644 "$dst"
    log "   $(basename "$dst"): $(stat -c %s "$dst") bytes, $(capinfos -c -M "$dst" | awk '/Number of packets/ {print $NF}') frames"
}

fresh() { # lab up, both charons started with the environment given
    "$LAB" up >/dev/null
    sleep 0.2
}

cap() { "$LAB" capture start "$@" >/dev/null; }
cap_stop() { "$LAB" capture stop 2>/dev/null; }

# Kinds 1 and 5: IKE_AUTH of more than 16 IKEv2 fragments (small fragment size
# on the client, as Windows uses on a small-MTU path).
many_skf() {
    log "== many-skf: UDP 4500 blocked"
    fresh
    AOVD_FRAGMENT_SIZE=1280 "$LAB" server start --fragmentation yes >/dev/null
    AOVD_FRAGMENT_SIZE=240 "$LAB" client start >/dev/null
    "$LAB" fw block-4500 >/dev/null
    sleep 1.5
    cap aovd-client "$TMP/many-blocked.raw"
    "$LAB" client initiate --timeout 12 --fragmentation yes >/dev/null 2>&1 || true
    sleep 0.5
    cap_stop
    "$LAB" stop >/dev/null
    save "$TMP/many-blocked.raw" kind-many-skf-udp4500-blocked-client \
        "client side; client fragment_size 240, UDP 4500 blocked: IKE_AUTH in more than 16 IKEv2 fragments, sent 3 times, never answered"
    log "== many-skf: success"
    fresh
    AOVD_FRAGMENT_SIZE=1280 "$LAB" server start --fragmentation yes >/dev/null
    AOVD_FRAGMENT_SIZE=240 "$LAB" client start >/dev/null
    "$LAB" fw none >/dev/null
    sleep 1.5
    cap aovd-server "$TMP/many-ok.raw"
    "$LAB" client initiate --timeout 12 --fragmentation yes >/dev/null 2>&1 || die "many-skf success: the client did not connect"
    sleep 0.5
    cap_stop
    "$LAB" stop >/dev/null
    save "$TMP/many-ok.raw" kind-many-skf-success-server \
        "server side; client fragment_size 240: IKE_AUTH in more than 16 IKEv2 fragments, answered; the connection succeeds"
}

# Kind 2: the server answers IKE_AUTH, its larger IKEv2 fragments never reach
# the client (packets above 1000 bytes toward the client are dropped).
response_lost() {
    log "== response-lost"
    fresh
    AOVD_FRAGMENT_SIZE=1280 "$LAB" server start --fragmentation yes >/dev/null
    AOVD_FRAGMENT_SIZE=600 "$LAB" client start >/dev/null
    "$LAB" fw drop-big-to-client >/dev/null
    sleep 1.5
    cap aovd-server "$TMP/lost-server.raw"
    cap aovd-client "$TMP/lost-client.raw"
    "$LAB" client initiate --timeout 12 --fragmentation yes >/dev/null 2>&1 || true
    sleep 0.5
    cap_stop
    "$LAB" stop >/dev/null
    save "$TMP/lost-server.raw" kind-response-lost-server \
        "server side; client fragment_size 600, server 1280, the router drops packets above 1000 bytes toward the client: every IKE_AUTH answered, no answer arrives"
    save "$TMP/lost-client.raw" kind-response-lost-client \
        "client side of the same attempt"
}

# Kind 3: a successful connection whose capture ends right after the first
# IKE_AUTH request left (cut before the response arrived).
capture_cut() {
    log "== capture-cut"
    fresh
    "$LAB" server start --fragmentation yes >/dev/null
    "$LAB" client start >/dev/null
    "$LAB" fw none >/dev/null
    sleep 1.5
    cap aovd-client "$TMP/cut.raw"
    "$LAB" client initiate --timeout 12 --fragmentation yes >/dev/null 2>&1 || die "capture-cut: the client did not connect"
    sleep 0.5
    cap_stop
    "$LAB" stop >/dev/null
    local last
    last=$(tshark -r "$TMP/cut.raw" -T fields -e frame.number -e isakmp.exchangetype -e isakmp.flag_r 2>/dev/null |
        awk -F"\t" '$2 == 35 && ($3 == 1 || $3 == "True") { print $1 - 1; exit }')
    [ -n "$last" ] || die "capture-cut: no IKE_AUTH response in the capture"
    editcap -r "$TMP/cut.raw" "$TMP/cut-short.raw" "1-$last"
    save "$TMP/cut-short.raw" kind-capture-ends-in-ike-auth-client \
        "client side of a successful connection, cut (editcap -r 1-$last) right after the first IKE_AUTH request left, before its response arrived"
}

# Kind 4: a tunnel up before the capture started: ESP in UDP both ways, no IKE.
esp() {
    log "== esp"
    fresh
    "$LAB" server start --fragmentation yes >/dev/null
    "$LAB" client start >/dev/null
    "$LAB" fw none >/dev/null
    sleep 1
    "$LAB" client initiate --timeout 12 --fragmentation yes >/dev/null 2>&1 || die "esp: the client did not connect"
    # charon's user-space ESP (kernel-libipsec) has a TUN device; route the
    # tunnel networks through it (the lab does not install routes).
    local tun
    tun=$(ip netns exec aovd-client ip -o link show | awk -F': ' '/ipsec|tun/ {print $2; exit}')
    [ -n "$tun" ] || die "esp: no TUN device of charon in aovd-client"
    ip netns exec aovd-client ip route add 198.19.200.0/24 dev "$tun" src 198.19.100.1
    local stun
    stun=$(ip netns exec aovd-server ip -o link show | awk -F': ' '/ipsec|tun/ {print $2; exit}')
    ip netns exec aovd-server ip route add 198.19.100.0/24 dev "$stun" src 198.19.200.1
    sleep 0.5
    cap aovd-client "$TMP/esp.raw" --filter 'udp port 4500 or udp port 500 or esp'
    ip netns exec aovd-client ping -c 4 -i 0.3 -I 198.19.100.1 198.19.200.1 >/dev/null || die "esp: no ping through the tunnel"
    sleep 0.3
    cap_stop
    "$LAB" stop >/dev/null
    save "$TMP/esp.raw" kind-esp-no-ike-client \
        "client side, capture started after the tunnel came up: 4 pings through it, ESP in UDP both ways, no IKE"
}

# Kind 4: IKEv1 only (an L2TP/IPsec-style or site-to-site tunnel).
ikev1() {
    log "== ikev1"
    fresh
    "$LAB" server start --version 1 --fragmentation yes >/dev/null
    "$LAB" client start >/dev/null
    "$LAB" fw none >/dev/null
    sleep 1.5
    cap aovd-client "$TMP/v1.raw" --filter 'udp port 500 or udp port 4500 or esp'
    "$LAB" client initiate --timeout 12 --version 1 --fragmentation yes >/dev/null 2>&1 || die "ikev1: the client did not connect"
    sleep 0.5
    cap_stop
    "$LAB" stop >/dev/null
    save "$TMP/v1.raw" kind-ikev1-only-client "client side: IKEv1 Main Mode and Quick Mode, no IKEv2"
}

# Kind 5: the server demands a COOKIE (cookie_threshold = 1 and one half-open
# IKE SA from another initiator already there).
cookie() {
    log "== cookie"
    fresh
    ip netns exec aovd-client ip addr add "$PEER4/24" dev aovd-cr
    AOVD_CHARON_EXTRA='cookie_threshold = 1' "$LAB" server start --fragmentation yes >/dev/null
    "$LAB" client start >/dev/null
    "$LAB" fw none >/dev/null
    sleep 1.5
    cap aovd-server "$TMP/cookie.raw" --filter 'host 198.18.1.2'
    ip netns exec aovd-client python3 "$PEER" --src "$PEER4" --dst 198.18.2.2 --count 1 --retransmits 1 >&2
    "$LAB" client initiate --timeout 12 --fragmentation yes >/dev/null 2>&1 || die "cookie: the client did not connect"
    sleep 0.5
    cap_stop
    "$LAB" stop >/dev/null
    save "$TMP/cookie.raw" kind-cookie-requested-server \
        "server side (tcpdump host 198.18.1.2) with cookie_threshold = 1 and a half-open IKE SA of another initiator: COOKIE, retry, success"
}

# Kind 5: a per-address limit of half-open IKE SAs (block_threshold = 2; a
# COOKIE is demanded from the first half-open SA of an address on,
# cookie_threshold_ip = 1, as strongSwan wants the block threshold above the
# cookie threshold): the second initiator's third and fourth IKE_SA_INIT,
# retried with the cookie, go unanswered while the client is answered.
refused() {
    log "== refused"
    fresh
    ip netns exec aovd-client ip addr add "$PEER4/24" dev aovd-cr
    AOVD_CHARON_EXTRA='cookie_threshold_ip = 1
  block_threshold = 2' "$LAB" server start --fragmentation yes >/dev/null
    "$LAB" client start >/dev/null
    "$LAB" fw none >/dev/null
    sleep 1.5
    cap aovd-server "$TMP/refused.raw"
    ip netns exec aovd-client python3 "$PEER" --src "$PEER4" --dst 198.18.2.2 \
        --count 4 --retransmits 3 --interval 1.0 --gap 0.2 >&2 &
    local peer=$!
    sleep 0.6
    "$LAB" client initiate --timeout 12 --fragmentation yes >/dev/null 2>&1 || die "refused: the client did not connect"
    wait "$peer"
    sleep 0.5
    cap_stop
    "$LAB" stop >/dev/null
    save "$TMP/refused.raw" kind-sa-init-refused-for-peer-server \
        "server side with cookie_threshold_ip = 1, block_threshold = 2: a second initiator ($PEER4) opens 4 IKE SAs, the 3rd and 4th get no answer after the COOKIE while the client (198.18.1.2) connects"
}

main() {
    [ "$(id -u)" = 0 ] || die "run as root (the lab uses network namespaces)"
    # One lab on the machine at a time: the lab tests hold the same lock.
    exec 9>/tmp/aovd-lab.lock
    flock 9
    command -v editcap >/dev/null && command -v tshark >/dev/null || die "tshark and editcap are needed"
    "$LAB" certs
    local all=(many-skf response-lost capture-cut esp ikev1 cookie refused) k
    [ $# -gt 0 ] || set -- "${all[@]}"
    for k in "$@"; do
        case $k in
        many-skf) many_skf ;; response-lost) response_lost ;; capture-cut) capture_cut ;;
        esp) esp ;; ikev1) ikev1 ;; cookie) cookie ;; refused) refused ;;
        *) die "unknown: $k (known: ${all[*]})" ;;
        esac
    done
}

main "$@"
