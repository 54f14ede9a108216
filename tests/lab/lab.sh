#!/usr/bin/env bash
# aovpn-diag namespace lab: client <-> router <-> server(s), strongSwan peers,
# nftables scenarios on the router and tcpdump captures.
#
# Everything this script creates is prefixed "aovd-" (namespaces, links) or lives
# under $AOVD_LAB_STATE (default /tmp/aovd-lab). No packet can leave the machine:
# the namespaces only have routes toward the lab router, and the router has no
# default route at all.
#
# Run `lab.sh help` for the commands. See tests/lab/README.md.
set -euo pipefail

STATE="${AOVD_LAB_STATE:-/tmp/aovd-lab}"
RUN="$STATE/run"     # per-lab-instance state, removed by `down`
CERTS="$STATE/certs" # cached PKI, survives `down` (RSA-4096 keys are slow to make)
# The server-certificate scenarios' own PKI (a separate root, server
# certificates with one defect each), cached apart so that other labs' PKI
# in $CERTS is never touched.
SCERTS="$STATE/certs-server-cert"
CHARON="${AOVD_CHARON:-/usr/lib/ipsec/charon}"

NS_CLIENT=aovd-client
NS_ROUTER=aovd-router
NS_SERVER=aovd-server
NS_SERVER2=aovd-server2
ALL_NS=("$NS_CLIENT" "$NS_ROUTER" "$NS_SERVER" "$NS_SERVER2")

# Interface names (inside the namespaces; nothing stays in the root namespace).
IF_CLIENT=aovd-cr    # client side of client<->router
IF_R_CLIENT=aovd-rc  # router side of client<->router
IF_R_SERVER=aovd-rs  # router side of router<->server
IF_SERVER=aovd-sr    # server side of router<->server
IF_R_SERVER2=aovd-rs2
IF_SERVER2=aovd-s2r

# Addresses: 198.18.0.0/15 (RFC 2544 benchmarking) and fd00::/8 (ULA) only.
CLIENT4=198.18.1.2;        CLIENT6=fd00:1::2
ROUTER_CLIENT4=198.18.1.1; ROUTER_CLIENT6=fd00:1::1
ROUTER_SERVER4=198.18.2.1; ROUTER_SERVER6=fd00:2::1
SERVER4=198.18.2.2;        SERVER6=fd00:2::2
ROUTER_SERVER2_4=198.18.3.1; ROUTER_SERVER2_6=fd00:3::1
SERVER2_4=198.18.3.2;      SERVER2_6=fd00:3::2
VIP4=198.18.10.1;          VIP6=fd00:10::1
# Inner (tunnel) networks used only as CHILD_SA traffic selectors.
TUN_CLIENT_TS=198.19.100.0/24,fd00:100::/64
TUN_SERVER_TS=198.19.200.0/24,fd00:200::/64
# Inner addresses on the loopbacks, inside those selectors: charon's user-space
# IPsec needs a local source address for the tunnel route it installs.
TUN_CLIENT4=198.19.100.1; TUN_CLIENT6=fd00:100::1
TUN_SERVER4=198.19.200.1; TUN_SERVER6=fd00:200::1
SERVER_NAME=vpn.aovd.test
CLIENT_NAME=client.aovd.test
EAP_USER=aovd-user
EAP_PASSWORD=aovd-lab-password

DEFAULT_MTU=1400
# Whether the charon being started uses kernel-libipsec (see write_strongswan_conf).
KERNEL_LIBIPSEC=yes

log() { printf 'lab.sh: %s\n' "$*" >&2; }
die() { printf 'lab.sh: error: %s\n' "$*" >&2; exit 1; }

need_root() { [ "$(id -u)" = 0 ] || die "must run as root (network namespaces, nftables, charon)"; }
need_cmd() { command -v "$1" >/dev/null 2>&1 || die "missing command '$1' (install package $2)"; }

in_ns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

ns_exists() { ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "$1"; }

# ---------------------------------------------------------------- process tracking
# A pid file holds "PID STARTTIME" (field 22 of /proc/PID/stat) so that a reused
# pid is never mistaken for ours.
proc_starttime() { awk '{print $22}' "/proc/$1/stat" 2>/dev/null || true; }

write_pidfile() { # file pid
    local st
    st=$(proc_starttime "$2")
    [ -n "$st" ] || die "process $2 exited right after start"
    echo "$2 $st" >"$1"
}

# Prints the pid if the pid file names a process that is still the one we started.
live_pid() { # file
    [ -f "$1" ] || return 1
    local pid st
    read -r pid st <"$1" || return 1
    [ -n "${pid:-}" ] && [ "$(proc_starttime "$pid")" = "$st" ] || return 1
    echo "$pid"
}

# Stops the process of a pid file: signal, bounded wait, then SIGKILL.
stop_pidfile() { # file signal
    local pid i
    if pid=$(live_pid "$1"); then
        kill "-${2:-TERM}" "$pid" 2>/dev/null || true
        for ((i = 0; i < 50; i++)); do
            live_pid "$1" >/dev/null || break
            sleep 0.1
        done
        if live_pid "$1" >/dev/null; then
            log "pid $pid did not stop in 5 s, killing it"
            kill -KILL "$pid" 2>/dev/null || true
            sleep 0.2
        fi
    fi
    rm -f "$1"
}

# ---------------------------------------------------------------- topology
link_pair() { # nsA ifA nsB ifB mtu
    ip link add "$2" netns "$1" mtu "$5" type veth peer name "$4" netns "$3" mtu "$5"
    in_ns "$1" ip link set "$2" up
    in_ns "$3" ip link set "$4" up
}

addr_add() { # ns if v4/len v6/len
    in_ns "$1" ip addr add "$3" dev "$2"
    in_ns "$1" ip -6 addr add "$4" dev "$2" nodad
}

cmd_up() {
    local mtu=$DEFAULT_MTU
    while [ $# -gt 0 ]; do
        case $1 in
        --mtu) mtu=${2:?--mtu needs a value}; shift 2 ;;
        *) die "up: unknown option $1" ;;
        esac
    done
    [[ $mtu =~ ^[0-9]+$ ]] && [ "$mtu" -ge 1280 ] && [ "$mtu" -le 9000 ] ||
        die "up: --mtu must be 1280..9000 (IPv6 needs at least 1280)"
    need_root
    need_cmd ip iproute2
    need_cmd nft nftables
    cmd_down >/dev/null 2>&1 || true
    # A half-built lab is worse than none: tear it down if any step fails.
    trap 'log "up failed; removing the partial lab"; cmd_down >/dev/null 2>&1' EXIT
    mkdir -p "$RUN"
    echo "$mtu" >"$RUN/mtu"

    local ns
    for ns in "${ALL_NS[@]}"; do
        ip netns add "$ns"
        in_ns "$ns" ip link set lo up
        # No DAD delays, no router advertisements from outside: static config only.
        in_ns "$ns" sysctl -qw net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 \
            net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
    done

    link_pair "$NS_CLIENT" "$IF_CLIENT" "$NS_ROUTER" "$IF_R_CLIENT" 1500
    link_pair "$NS_ROUTER" "$IF_R_SERVER" "$NS_SERVER" "$IF_SERVER" "$mtu"
    link_pair "$NS_ROUTER" "$IF_R_SERVER2" "$NS_SERVER2" "$IF_SERVER2" "$mtu"

    addr_add "$NS_CLIENT" "$IF_CLIENT" "$CLIENT4/24" "$CLIENT6/64"
    addr_add "$NS_ROUTER" "$IF_R_CLIENT" "$ROUTER_CLIENT4/24" "$ROUTER_CLIENT6/64"
    addr_add "$NS_ROUTER" "$IF_R_SERVER" "$ROUTER_SERVER4/24" "$ROUTER_SERVER6/64"
    addr_add "$NS_SERVER" "$IF_SERVER" "$SERVER4/24" "$SERVER6/64"
    addr_add "$NS_ROUTER" "$IF_R_SERVER2" "$ROUTER_SERVER2_4/24" "$ROUTER_SERVER2_6/64"
    addr_add "$NS_SERVER2" "$IF_SERVER2" "$SERVER2_4/24" "$SERVER2_6/64"
    # Load-balancer VIP on the router's loopback (DNAT rules come with `fw lb-*`).
    in_ns "$NS_ROUTER" ip addr add "$VIP4/32" dev lo
    in_ns "$NS_ROUTER" ip -6 addr add "$VIP6/128" dev lo nodad

    in_ns "$NS_CLIENT" ip addr add "$TUN_CLIENT4/32" dev lo
    in_ns "$NS_CLIENT" ip -6 addr add "$TUN_CLIENT6/128" dev lo nodad
    for ns in "$NS_SERVER" "$NS_SERVER2"; do
        in_ns "$ns" ip addr add "$TUN_SERVER4/32" dev lo
        in_ns "$ns" ip -6 addr add "$TUN_SERVER6/128" dev lo nodad
    done

    # Default routes only toward the lab router; the router itself has none.
    in_ns "$NS_CLIENT" ip route add default via "$ROUTER_CLIENT4"
    in_ns "$NS_CLIENT" ip -6 route add default via "$ROUTER_CLIENT6"
    in_ns "$NS_SERVER" ip route add default via "$ROUTER_SERVER4"
    in_ns "$NS_SERVER" ip -6 route add default via "$ROUTER_SERVER6"
    in_ns "$NS_SERVER2" ip route add default via "$ROUTER_SERVER2_4"
    in_ns "$NS_SERVER2" ip -6 route add default via "$ROUTER_SERVER2_6"

    in_ns "$NS_ROUTER" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
    trap - EXIT
    log "up: client <-> router <-> server/server2, router->server MTU $mtu"
}

cmd_down() {
    # Our processes first (they live in the namespaces), then the namespaces.
    local f
    for f in "$RUN"/*.pid; do
        [ -e "$f" ] || continue
        case $f in
        */capture-*) stop_pidfile "$f" INT ;;
        *) stop_pidfile "$f" TERM ;;
        esac
    done
    local ns
    for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep '^aovd-' || true); do
        ip netns del "$ns" 2>/dev/null || log "down: could not delete namespace $ns"
    done
    # Leftover links in the root namespace from an interrupted run.
    local l
    for l in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | sed 's/@.*//' | grep '^aovd-' || true); do
        ip link del "$l" 2>/dev/null || true
    done
    # The client's own hosts file and resolv.conf (`names`).
    local d
    for d in /etc/netns/aovd-*; do
        [ -d "$d" ] || continue
        rm -f "$d/hosts" "$d/resolv.conf"
        rmdir "$d" 2>/dev/null || log "down: $d is not empty, left in place"
    done
    rmdir /etc/netns 2>/dev/null || true
    rm -rf "$RUN"
    log "down: removed aovd-* namespaces and lab processes"
}

# `names [--dns none|ADDR] [--hosts 'ADDR NAME...']...`: the client namespace's
# own /etc/hosts and /etc/resolv.conf. `ip netns exec NS` bind-mounts the files
# of /etc/netns/NS over /etc, so only programs run in the client see them.
# --dns none (the default): no nameserver at all; --dns ADDR: that nameserver.
cmd_names() {
    need_root
    ns_exists "$NS_CLIENT" || die "names: lab is not up (run: lab.sh up)"
    local dns=none hosts=()
    while [ $# -gt 0 ]; do
        case $1 in
        --dns) dns=${2:?--dns needs none or an address}; shift 2 ;;
        --hosts) hosts+=("${2:?--hosts needs 'ADDR NAME'}"); shift 2 ;;
        *) die "names: unknown option $1" ;;
        esac
    done
    local dir="/etc/netns/$NS_CLIENT"
    mkdir -p "$dir"
    {
        echo "# aovd lab: the client namespace's hosts file (lab.sh names)"
        echo "127.0.0.1 localhost"
        echo "::1 localhost"
        local h
        for h in "${hosts[@]}"; do echo "$h"; done
    } >"$dir/hosts"
    if [ "$dns" = none ]; then
        echo "# aovd lab: no DNS server configured (lab.sh names --dns none)" >"$dir/resolv.conf"
    else
        printf '# aovd lab (lab.sh names)\nnameserver %s\n' "$dns" >"$dir/resolv.conf"
    fi
    log "names: client hosts file with ${#hosts[@]} entries, DNS server: $dns"
}

cmd_addrs() {
    cat <<EOF
NS_CLIENT=$NS_CLIENT
NS_ROUTER=$NS_ROUTER
NS_SERVER=$NS_SERVER
NS_SERVER2=$NS_SERVER2
IF_CLIENT=$IF_CLIENT
IF_ROUTER_CLIENT=$IF_R_CLIENT
IF_ROUTER_SERVER=$IF_R_SERVER
IF_SERVER=$IF_SERVER
IF_ROUTER_SERVER2=$IF_R_SERVER2
IF_SERVER2=$IF_SERVER2
CLIENT4=$CLIENT4
CLIENT6=$CLIENT6
ROUTER_CLIENT4=$ROUTER_CLIENT4
ROUTER_CLIENT6=$ROUTER_CLIENT6
ROUTER_SERVER4=$ROUTER_SERVER4
ROUTER_SERVER6=$ROUTER_SERVER6
ROUTER_SERVER2_4=$ROUTER_SERVER2_4
ROUTER_SERVER2_6=$ROUTER_SERVER2_6
SERVER4=$SERVER4
SERVER6=$SERVER6
SERVER2_4=$SERVER2_4
SERVER2_6=$SERVER2_6
VIP4=$VIP4
VIP6=$VIP6
TUN_CLIENT4=$TUN_CLIENT4
TUN_CLIENT6=$TUN_CLIENT6
TUN_SERVER4=$TUN_SERVER4
TUN_SERVER6=$TUN_SERVER6
SERVER_NAME=$SERVER_NAME
MTU=$(cat "$RUN/mtu" 2>/dev/null || echo "$DEFAULT_MTU")
STATE_DIR=$STATE
EOF
}

# ---------------------------------------------------------------- firewall scenarios
# All filter chains hook prerouting at priority -500 (raw), i.e. before conntrack
# defragmentation (-400), so they see the IP fragments as they travel.
fw_rules() { # scenario
    case $1 in
    none) ;;
    drop-frags)
        cat <<'EOF'
table inet aovd_drop_frags {
  chain pre { type filter hook prerouting priority -500; policy accept;
    ip frag-off & 0x3fff != 0 counter drop
    exthdr frag exists counter drop
  }
}
EOF
        ;;
    drop-nonfirst-frags)
        cat <<'EOF'
table inet aovd_drop_nonfirst_frags {
  chain pre { type filter hook prerouting priority -500; policy accept;
    ip frag-off & 0x1fff != 0 counter drop
    frag frag-off != 0 counter drop
  }
}
EOF
        ;;
    black-hole)
        # The router itself generates frag-needed / packet-too-big: drop them in
        # output too, so the sender never learns the smaller MTU.
        cat <<'EOF'
table inet aovd_black_hole {
  chain pre { type filter hook prerouting priority -500; policy accept;
    icmp type destination-unreachable icmp code frag-needed counter drop
    icmpv6 type packet-too-big counter drop
  }
  chain out { type filter hook output priority -500; policy accept;
    icmp type destination-unreachable icmp code frag-needed counter drop
    icmpv6 type packet-too-big counter drop
  }
}
EOF
        ;;
    block-500 | block-4500)
        local port=${1#block-}
        cat <<EOF
table inet aovd_block_$port {
  chain pre { type filter hook prerouting priority -500; policy accept;
    udp dport $port counter drop
    udp sport $port counter drop
  }
}
EOF
        ;;
    drop-big-to-client)
        # Large packets from the servers toward the client vanish (a smaller
        # MTU on the way back whose ICMP errors are lost): IKE messages the
        # server sends above 1000 bytes never arrive; the client's get through.
        cat <<EOF
table inet aovd_drop_big_to_client {
  chain pre { type filter hook prerouting priority -500; policy accept;
    ip daddr $CLIENT4 meta length > 1000 counter drop
    ip6 daddr $CLIENT6 meta length > 1000 counter drop
  }
}
EOF
        ;;
    drop-frags-to-client)
        # IP fragments toward the client vanish; everything else passes: a
        # return path that drops what the server sends in IP fragments.
        cat <<EOF
table inet aovd_drop_frags_to_client {
  chain pre { type filter hook prerouting priority -500; policy accept;
    ip daddr $CLIENT4 ip frag-off & 0x3fff != 0 counter drop
    ip6 daddr $CLIENT6 exthdr frag exists counter drop
  }
}
EOF
        ;;
    drop-echo)
        cat <<'EOF'
table inet aovd_drop_echo {
  chain pre { type filter hook prerouting priority -500; policy accept;
    icmp type echo-request counter drop
    icmpv6 type echo-request counter drop
  }
}
EOF
        ;;
    delay-first)
        # The client's first packet after its neighbour cache was emptied
        # (`lab.sh neigh-fresh`) waits 1 s for neighbour resolution, as on a
        # real first packet (ARP/ND, a radio waking up, an on-demand link):
        # the router ignores the first ARP request and the first neighbour
        # solicitation from each client address and answers the client's
        # retransmission, which comes 1 s later (Linux retrans_time_ms,
        # RFC 4861 RetransTimer). Everything after it passes at once.
        cat <<'EOF'
table arp aovd_delay_first_arp {
  set seen { type ipv4_addr; }
  chain in { type filter hook input priority 0; policy accept;
    meta iifname "aovd-rc" arp operation request arp saddr ip @seen accept
    meta iifname "aovd-rc" arp operation request add @seen { arp saddr ip } counter drop
  }
}
table ip6 aovd_delay_first_nd {
  set seen { type ipv6_addr; }
  chain in { type filter hook input priority 0; policy accept;
    iifname "aovd-rc" icmpv6 type nd-neighbor-solicit ip6 saddr @seen accept
    iifname "aovd-rc" icmpv6 type nd-neighbor-solicit add @seen { ip6 saddr } counter drop
  }
}
EOF
        ;;
    drop-dns)
        # DNS toward the lab servers vanishes: a configured server that never answers.
        cat <<'EOF'
table inet aovd_drop_dns {
  chain pre { type filter hook prerouting priority -500; policy accept;
    udp dport 53 counter drop
    tcp dport 53 counter drop
  }
}
EOF
        ;;
    lb-healthy | lb-snat)
        # One client -> one server for both IKE ports (source-address hash).
        cat <<EOF
table inet aovd_lb {
  chain pre { type nat hook prerouting priority -100; policy accept;
    ip daddr $VIP4 udp dport { 500, 4500 } counter dnat ip to jhash ip saddr mod 2 map { 0 : $SERVER4, 1 : $SERVER2_4 }
    ip6 daddr $VIP6 udp dport { 500, 4500 } counter dnat ip6 to jhash ip6 saddr mod 2 map { 0 : $SERVER6, 1 : $SERVER2_6 }
  }
EOF
        if [ "$1" = lb-snat ]; then
            # Source NAT toward the servers: they see the LB, not the client.
            cat <<EOF
  chain post { type nat hook postrouting priority 100; policy accept;
    oifname "$IF_R_SERVER" ip daddr $SERVER4 counter snat ip to $ROUTER_SERVER4
    oifname "$IF_R_SERVER2" ip daddr $SERVER2_4 counter snat ip to $ROUTER_SERVER2_4
    oifname "$IF_R_SERVER" ip6 daddr $SERVER6 counter snat ip6 to $ROUTER_SERVER6
    oifname "$IF_R_SERVER2" ip6 daddr $SERVER2_6 counter snat ip6 to $ROUTER_SERVER2_6
  }
EOF
        fi
        echo "}"
        ;;
    lb-split)
        # No persistence across services: 500 -> server, 4500 -> server2.
        cat <<EOF
table inet aovd_lb {
  chain pre { type nat hook prerouting priority -100; policy accept;
    ip daddr $VIP4 udp dport 500 counter dnat ip to $SERVER4
    ip daddr $VIP4 udp dport 4500 counter dnat ip to $SERVER2_4
    ip6 daddr $VIP6 udp dport 500 counter dnat ip6 to $SERVER6
    ip6 daddr $VIP6 udp dport 4500 counter dnat ip6 to $SERVER2_6
  }
}
EOF
        ;;
    *) return 1 ;;
    esac
}

conntrack_short_udp() {
    in_ns "$NS_ROUTER" sh -c 'for f in nf_conntrack_udp_timeout nf_conntrack_udp_timeout_stream; do
        [ -w /proc/sys/net/netfilter/$f ] && echo 1 >/proc/sys/net/netfilter/$f; done; true'
}

FW_SCENARIOS="none drop-frags drop-nonfirst-frags black-hole block-500 block-4500 drop-big-to-client drop-frags-to-client drop-echo drop-dns delay-first lb-healthy lb-split lb-snat"

# `neigh-fresh`: the client forgets its neighbours and the router the client
# addresses it has already ignored once (`fw delay-first`), so the next packet
# from the client waits for neighbour resolution again.
cmd_neigh_fresh() {
    need_root
    ns_exists "$NS_CLIENT" || die "neigh-fresh: lab is not up (run: lab.sh up)"
    in_ns "$NS_CLIENT" ip neigh flush dev "$IF_CLIENT" 2>/dev/null || true
    in_ns "$NS_CLIENT" ip -6 neigh flush dev "$IF_CLIENT" 2>/dev/null || true
    in_ns "$NS_ROUTER" nft flush set arp aovd_delay_first_arp seen 2>/dev/null || true
    in_ns "$NS_ROUTER" nft flush set ip6 aovd_delay_first_nd seen 2>/dev/null || true
}

# `fw A [B ...]`: replace the router's ruleset with the union of the scenarios.
cmd_fw() {
    [ $# -ge 1 ] || die "fw: name a scenario: $FW_SCENARIOS"
    need_root
    ns_exists "$NS_ROUTER" || die "fw: lab is not up (run: lab.sh up)"
    local ruleset="flush ruleset"$'\n' s r
    for s in "$@"; do
        r=$(fw_rules "$s") || die "fw: unknown scenario '$s' (known: $FW_SCENARIOS)"
        ruleset+="$r"$'\n'
    done
    if ! printf '%s' "$ruleset" | in_ns "$NS_ROUTER" nft -f -; then
        die "fw: nft rejected the ruleset for: $*"
    fi
    # NAT decisions live in conntrack entries: an entry from the previous
    # scenario would keep steering a flow the old way. Keep UDP entries short
    # (1 s; IKE retransmits are further apart, and a new entry is mapped by the
    # same rules) and let those of a previous lb-* scenario expire.
    conntrack_short_udp
    if grep -q 'lb-' "$RUN/fw" 2>/dev/null; then sleep 1.5; fi
    echo "$*" >"$RUN/fw"
    log "fw: router ruleset = $*"
}

# ---------------------------------------------------------------- PKI (cached)
ensure_certs() {
    need_cmd pki strongswan-pki
    if [ -f "$CERTS/.complete" ]; then return 0; fi
    log "generating RSA-4096 lab PKI in $CERTS (once; takes a while)"
    rm -rf "$CERTS"
    mkdir -p "$CERTS"
    local d=$CERTS
    pki --gen --type rsa --size 4096 --outform pem >"$d/root.key"
    pki --self --ca --lifetime 3650 --in "$d/root.key" --type rsa \
        --dn "C=XX, O=aovpn-diag lab, CN=aovd Lab Root CA" --outform pem >"$d/root.pem"
    pki --gen --type rsa --size 4096 --outform pem >"$d/intermediate.key"
    pki --pub --in "$d/intermediate.key" --type rsa |
        pki --issue --lifetime 3650 --cacert "$d/root.pem" --cakey "$d/root.key" --ca \
            --dn "C=XX, O=aovpn-diag lab, CN=aovd Lab Intermediate CA" --outform pem >"$d/intermediate.pem"
    pki --gen --type rsa --size 4096 --outform pem >"$d/server.key"
    pki --pub --in "$d/server.key" --type rsa |
        pki --issue --lifetime 3650 --cacert "$d/intermediate.pem" --cakey "$d/intermediate.key" \
            --dn "C=XX, O=aovpn-diag lab, CN=$SERVER_NAME" --san "$SERVER_NAME" \
            --san "$SERVER4" --san "$SERVER6" --san "$SERVER2_4" --san "$SERVER2_6" \
            --san "$VIP4" --san "$VIP6" \
            --flag serverAuth --flag ikeIntermediate --outform pem >"$d/server.pem"
    pki --gen --type rsa --size 4096 --outform pem >"$d/client.key"
    pki --pub --in "$d/client.key" --type rsa |
        pki --issue --lifetime 3650 --cacert "$d/intermediate.pem" --cakey "$d/intermediate.key" \
            --dn "C=XX, O=aovpn-diag lab, CN=$CLIENT_NAME" --san "$CLIENT_NAME" \
            --flag clientAuth --outform pem >"$d/client.pem"
    touch "$d/.complete"
}

# The server-certificate scenarios' PKI, in $SCERTS: an RSA-4096 root and
# intermediate, one RSA-4096 server key with one certificate per case, an
# ECDSA P-384 server certificate, and another root that signs nothing the
# server has (for "--ca of another CA").
ensure_server_cert_certs() {
    need_cmd pki strongswan-pki
    if [ -f "$SCERTS/.complete" ]; then return 0; fi
    log "generating the server-certificate PKI in $SCERTS (once; RSA-4096 keys take a while)"
    rm -rf "$SCERTS"
    mkdir -p "$SCERTS"
    local d=$SCERTS
    local sans=(--san "$SERVER_NAME" --san "$SERVER4" --san "$SERVER6" --san "$SERVER2_4" --san "$SERVER2_6" --san "$VIP4" --san "$VIP6")
    pki --gen --type rsa --size 4096 --outform pem >"$d/root.key"
    pki --self --ca --lifetime 3650 --in "$d/root.key" --type rsa \
        --dn "C=XX, O=aovpn-diag lab, CN=aovd Cert-Check Root CA" --outform pem >"$d/root.pem"
    pki --gen --type rsa --size 4096 --outform pem >"$d/intermediate.key"
    pki --pub --in "$d/intermediate.key" --type rsa |
        pki --issue --lifetime 3650 --cacert "$d/root.pem" --cakey "$d/root.key" --ca \
            --dn "C=XX, O=aovpn-diag lab, CN=aovd Cert-Check Issuing CA" --outform pem >"$d/intermediate.pem"
    pki --gen --type rsa --size 4096 --outform pem >"$d/server.key"
    pki --pub --in "$d/server.key" --type rsa >"$d/server.pub"
    issue() { # name extra-args...
        local name=$1; shift
        pki --issue --cacert "$d/intermediate.pem" --cakey "$d/intermediate.key" \
            --in "$d/server.pub" --type pub "$@" --outform pem >"$d/$name.pem"
    }
    issue good --lifetime 3650 --dn "C=XX, O=aovpn-diag lab, CN=$SERVER_NAME" "${sans[@]}" \
        --flag serverAuth --flag ikeIntermediate
    issue expired --not-before "01.01.20 00:00:00" --not-after "01.01.21 00:00:00" \
        --dn "C=XX, O=aovpn-diag lab, CN=$SERVER_NAME" "${sans[@]}" --flag serverAuth --flag ikeIntermediate
    issue wrongname --lifetime 3650 --dn "C=XX, O=aovpn-diag lab, CN=vpn.elsewhere.test" \
        --san vpn.elsewhere.test --flag serverAuth --flag ikeIntermediate
    issue noeku --lifetime 3650 --dn "C=XX, O=aovpn-diag lab, CN=$SERVER_NAME" "${sans[@]}" \
        --flag clientAuth
    pki --gen --type ecdsa --size 384 --outform pem >"$d/ec.key"
    pki --pub --in "$d/ec.key" --type ecdsa |
        pki --issue --lifetime 3650 --cacert "$d/intermediate.pem" --cakey "$d/intermediate.key" \
            --dn "C=XX, O=aovpn-diag lab, CN=$SERVER_NAME" "${sans[@]}" \
            --flag serverAuth --flag ikeIntermediate --outform pem >"$d/ec.pem"
    pki --gen --type rsa --size 2048 --outform pem >"$d/other-root.key"
    pki --self --ca --lifetime 3650 --in "$d/other-root.key" --type rsa \
        --dn "C=XX, O=aovpn-diag lab, CN=aovd Other Root CA" --outform pem >"$d/other-root.pem"
    touch "$d/.complete"
}

# ---------------------------------------------------------------- strongSwan
# Instance names: server (aovd-server), server2 (aovd-server2), client (aovd-client).
inst_of_ns() {
    case $1 in
    "$NS_SERVER") echo server ;;
    "$NS_SERVER2") echo server2 ;;
    "$NS_CLIENT") echo client ;;
    *) die "no strongSwan instance for namespace '$1' (use $NS_SERVER, $NS_SERVER2 or $NS_CLIENT)" ;;
    esac
}

vici_uri() { echo "unix://$RUN/$1/charon.vici"; }

swanctl_in() { # inst args...
    local inst=$1; shift
    SWANCTL_DIR="$RUN/$inst/swanctl" swanctl "$@" --uri "$(vici_uri "$inst")"
}

write_strongswan_conf() { # inst
    local dir="$RUN/$1"
    cat >"$dir/strongswan.conf" <<EOF
# generated by tests/lab/lab.sh for the aovd lab instance "$1"
charon {
  load_modular = yes
  install_routes = no
  install_virtual_ip = no
  # few, short retransmits: a lost IKE_AUTH gives up after about 5 s
  retransmit_tries = 2
  retransmit_timeout = 1.0
  retransmit_base = 1.5
  retransmit_jitter = 0
  fragment_size = ${AOVD_FRAGMENT_SIZE:-1280}
  half_open_timeout = 10
  # extra charon settings for one scenario (e.g. cookie_threshold = 1)
  ${AOVD_CHARON_EXTRA:-}
  plugins {
    include /etc/strongswan.d/charon/*.conf
    # ESP in user space (TUN), never in the kernel: works on kernels without
    # XFRM/ESP support, and without install_routes no traffic is diverted, so
    # plain pings and probes between the namespaces are unaffected by a CHILD_SA.
    # (libipsec can only do ESP in UDP, so charon then fakes its
    # NAT_DETECTION_SOURCE_IP; "server start --kernel netlink" turns it off.)
    kernel-libipsec {
      load = $KERNEL_LIBIPSEC
    }
    # Plugins that touch iptables or intercept broadcasts: not wanted here.
    forecast {
      load = no
    }
    connmark {
      load = no
    }
    vici {
      socket = unix://$dir/charon.vici
    }
  }
  syslog {
    daemon {
      default = -1
    }
  }
  filelog {
    lab {
      path = $dir/charon.log
      time_format = %H:%M:%S
      flush_line = yes
      default = 1
      ike = 2
      cfg = 2
      net = 2
      enc = 1
    }
  }
}
swanctl {
  socket = unix://$dir/charon.vici
}
EOF
}

# Starts charon in the namespace, in its own mount namespace with a private /run.
start_charon() { # ns inst
    local ns=$1 inst=$2 dir="$RUN/$2" i
    [ -x "$CHARON" ] || die "charon not found at $CHARON (install strongswan-charon)"
    local plugins=/usr/lib/ipsec/plugins
    [ -f "$plugins/libstrongswan-kernel-libipsec.so" ] ||
        die "strongSwan plugin kernel-libipsec missing (install libcharon-extra-plugins)"
    [ -f "$plugins/libstrongswan-eap-mschapv2.so" ] ||
        die "strongSwan plugin eap-mschapv2 missing (install libcharon-extauth-plugins)"
    need_cmd swanctl strongswan-swanctl
    ns_exists "$ns" || die "lab is not up (run: lab.sh up)"
    if live_pid "$RUN/charon-$inst.pid" >/dev/null; then
        stop_pidfile "$RUN/charon-$inst.pid" TERM
    fi
    rm -rf "$dir"
    mkdir -p "$dir/swanctl"/{x509,x509ca,private,conf.d}
    write_strongswan_conf "$inst"
    ip netns exec "$ns" unshare -m --propagation private \
        sh -c 'mount -t tmpfs tmpfs /run && exec env STRONGSWAN_CONF="$1" "$2"' sh \
        "$dir/strongswan.conf" "$CHARON" </dev/null >"$dir/charon.stdout" 2>&1 &
    local pid=$!
    sleep 0.05
    write_pidfile "$RUN/charon-$inst.pid" "$pid"
    # Wait (bounded) for the vici socket and for UDP 500 to be bound.
    for ((i = 0; i < 100; i++)); do
        live_pid "$RUN/charon-$inst.pid" >/dev/null ||
            die "charon in $ns exited during start-up; see $dir/charon.log and $dir/charon.stdout"
        if [ -S "$dir/charon.vici" ] && [ -n "$(in_ns "$ns" ss -Hlun 'sport = :500')" ]; then
            log "charon ($inst) running in $ns, pid $pid"
            return 0
        fi
        sleep 0.1
    done
    stop_pidfile "$RUN/charon-$inst.pid" TERM
    die "charon in $ns did not open its vici socket and UDP 500 within 10 s; see $dir/charon.log"
}

install_creds() { # inst role(server|client)
    local d="$RUN/$1/swanctl"
    ensure_certs
    cp "$CERTS/root.pem" "$CERTS/intermediate.pem" "$d/x509ca/"
    cp "$CERTS/$2.pem" "$d/x509/"
    cp "$CERTS/$2.key" "$d/private/"
    chmod 600 "$d/private/$2.key"
}

cmd_server() {
    local action=${1:-}; shift || true
    case $action in
    start) ;;
    stop)
        local ns=${1:-}
        if [ -z "$ns" ]; then
            stop_pidfile "$RUN/charon-server.pid" TERM
            stop_pidfile "$RUN/charon-server2.pid" TERM
        else
            stop_pidfile "$RUN/charon-$(inst_of_ns "${ns#--ns=}").pid" TERM
        fi
        return 0
        ;;
    *) die "server: use 'server start [options]' or 'server stop'" ;;
    esac
    local frag=yes proposals="aes256-sha256-modp2048,aes256gcm16-prfsha384-ecp384,aes128-sha256-modp2048,default"
    local eap=no ns=$NS_SERVER version=2 scert="" no_intermediate=no
    while [ $# -gt 0 ]; do
        case $1 in
        --server-cert) scert=${2:?}; shift 2 ;;
        --no-intermediate) no_intermediate=yes; shift ;;
        --fragmentation) frag=${2:?}; shift 2 ;;
        --proposals) proposals=${2:?}; shift 2 ;;
        --eap) eap=yes; shift ;;
        --ns) ns=${2:?}; shift 2 ;;
        --version) version=${2:?}; shift 2 ;;
        --kernel)
            case ${2:?} in
            libipsec) KERNEL_LIBIPSEC=yes ;;
            netlink) KERNEL_LIBIPSEC=no ;;
            *) die "--kernel must be libipsec or netlink" ;;
            esac
            shift 2
            ;;
        *) die "server start: unknown option $1" ;;
        esac
    done
    case $version in 1 | 2) ;; *) die "--version must be 1 (IKEv1) or 2" ;; esac
    case $frag in yes | no) ;; *) die "--fragmentation must be yes or no" ;; esac
    [ "$ns" = "$NS_SERVER" ] || [ "$ns" = "$NS_SERVER2" ] || die "server start: --ns must be $NS_SERVER or $NS_SERVER2"
    local inst
    inst=$(inst_of_ns "$ns")
    ensure_certs
    start_charon "$ns" "$inst"
    local local_certs=server.pem
    if [ -n "$scert" ]; then
        case $scert in good | expired | wrongname | noeku | ec) ;;
        *) die "--server-cert must be good, expired, wrongname, noeku or ec" ;;
        esac
        # One of the server-certificate PKI's certificates; the chain's
        # intermediate in x509ca unless --no-intermediate (then strongSwan
        # has none to send).
        ensure_server_cert_certs
        local sd="$RUN/$inst/swanctl"
        cp "$SCERTS/root.pem" "$sd/x509ca/cert-check-root.pem"
        [ "$no_intermediate" = yes ] || cp "$SCERTS/intermediate.pem" "$sd/x509ca/cert-check-intermediate.pem"
        cp "$SCERTS/$scert.pem" "$sd/x509/$scert.pem"
        if [ "$scert" = ec ]; then cp "$SCERTS/ec.key" "$sd/private/ec.key"; else cp "$SCERTS/server.key" "$sd/private/server.key"; fi
        chmod 600 "$sd/private/"*.key
        local_certs=$scert.pem
    else
        install_creds "$inst" server
    fi
    local remote_auth="auth = pubkey"
    [ "$eap" = yes ] && remote_auth="auth = eap-mschapv2
        eap_id = %any"
    cat >"$RUN/$inst/swanctl/swanctl.conf" <<EOF
connections {
  aovd {
    version = $version
    local_addrs = %any
    remote_addrs = %any
    proposals = $proposals
    fragmentation = $frag
    send_certreq = yes
    send_cert = always
    local {
      auth = pubkey
      certs = $local_certs
      id = $SERVER_NAME
    }
    remote {
      $remote_auth
    }
    children {
      aovd {
        # Tunnel subnets apart from the IKE addresses (libipsec refuses
        # selectors that cover the IKE traffic itself); nothing routes there.
        local_ts = $TUN_SERVER_TS
        remote_ts = $TUN_CLIENT_TS
        esp_proposals = aes256-sha256,aes256gcm16,default
      }
    }
  }
}
secrets {
  eap-aovd {
    id = $EAP_USER
    secret = "$EAP_PASSWORD"
  }
}
EOF
    swanctl_in "$inst" --load-all --noprompt >"$RUN/$inst/load.log" 2>&1 ||
        { cat "$RUN/$inst/load.log" >&2; die "server start: swanctl --load-all failed"; }
    echo "fragmentation=$frag eap=$eap proposals=$proposals server_cert=${scert:-default}" >"$RUN/$inst/settings"
    log "server ($ns): fragmentation=$frag eap=$eap proposals=$proposals"
}

resolve_target() { # name family
    local t=$1 fam=$2
    case $t:$fam in
    server:4) echo "$SERVER4" ;; server:6) echo "$SERVER6" ;;
    server2:4) echo "$SERVER2_4" ;; server2:6) echo "$SERVER2_6" ;;
    vip:4) echo "$VIP4" ;; vip:6) echo "$VIP6" ;;
    *) echo "$t" ;;
    esac
}

cmd_client() {
    local action=${1:-}; shift || true
    case $action in
    start)
        ensure_certs
        start_charon "$NS_CLIENT" client
        install_creds client client
        ;;
    stop) stop_pidfile "$RUN/charon-client.pid" TERM ;;
    initiate) client_initiate "$@" ;;
    *) die "client: use 'client start', 'client initiate [options]' or 'client stop'" ;;
    esac
}

# Loads a fresh client connection and initiates it. Prints RESULT=established or
# RESULT=failed on stdout; exit status 0 only when the CHILD_SA came up.
client_initiate() {
    local frag=yes timeout=15 target=server fam=4 eap=no proposals="aes256-sha256-modp2048" version=2
    while [ $# -gt 0 ]; do
        case $1 in
        --version) version=${2:?}; shift 2 ;;
        --fragmentation) frag=${2:?}; shift 2 ;;
        --timeout) timeout=${2:?}; shift 2 ;;
        --target) target=${2:?}; shift 2 ;;
        -6) fam=6; shift ;;
        -4) fam=4; shift ;;
        --eap) eap=yes; shift ;;
        --proposals) proposals=${2:?}; shift 2 ;;
        *) die "client initiate: unknown option $1" ;;
        esac
    done
    case $frag in yes | no) ;; *) die "--fragmentation must be yes or no" ;; esac
    [[ $timeout =~ ^[0-9]+$ ]] && [ "$timeout" -ge 1 ] && [ "$timeout" -le 120 ] || die "--timeout must be 1..120 seconds"
    live_pid "$RUN/charon-client.pid" >/dev/null || die "client initiate: client charon is not running (run: lab.sh client start)"
    local remote
    remote=$(resolve_target "$target" "$fam")
    local local_auth="auth = pubkey
      certs = client.pem
      id = $CLIENT_NAME"
    [ "$eap" = yes ] && local_auth="auth = eap-mschapv2
      eap_id = $EAP_USER"
    cat >"$RUN/client/swanctl/swanctl.conf" <<EOF
connections {
  aovd {
    version = $version
    remote_addrs = $remote
    proposals = $proposals
    fragmentation = $frag
    send_certreq = yes
    local {
      $local_auth
    }
    remote {
      auth = pubkey
      id = $SERVER_NAME
    }
    children {
      aovd {
        local_ts = $TUN_CLIENT_TS
        remote_ts = $TUN_SERVER_TS
        esp_proposals = aes256-sha256,aes256gcm16,default
      }
    }
  }
}
secrets {
  eap-aovd {
    id = $EAP_USER
    secret = "$EAP_PASSWORD"
  }
}
EOF
    # Forget any earlier attempt so that each initiation starts from IKE_SA_INIT.
    timeout 5 env SWANCTL_DIR="$RUN/client/swanctl" swanctl --terminate --ike aovd --force --timeout 2 \
        --uri "$(vici_uri client)" >/dev/null 2>&1 || true
    swanctl_in client --load-all --noprompt >"$RUN/client/load.log" 2>&1 ||
        { cat "$RUN/client/load.log" >&2; die "client initiate: swanctl --load-all failed"; }
    log "client: initiating to $remote (fragmentation=$frag eap=$eap proposals=$proposals, timeout ${timeout}s)"
    local rc=0
    timeout $((timeout + 5)) env SWANCTL_DIR="$RUN/client/swanctl" swanctl --initiate --child aovd \
        --timeout "$timeout" --uri "$(vici_uri client)" >"$RUN/client/initiate.log" 2>&1 || rc=$?
    sed 's/^/  swanctl: /' "$RUN/client/initiate.log" >&2
    if [ $rc -eq 0 ]; then
        echo "RESULT=established"
    else
        echo "RESULT=failed"
        return 1
    fi
}

cmd_stop() {
    local f
    for f in "$RUN"/charon-*.pid; do
        [ -e "$f" ] || continue
        stop_pidfile "$f" TERM
    done
}

# ---------------------------------------------------------------- captures
default_iface() {
    case $1 in
    "$NS_CLIENT") echo "$IF_CLIENT" ;;
    "$NS_SERVER") echo "$IF_SERVER" ;;
    "$NS_SERVER2") echo "$IF_SERVER2" ;;
    "$NS_ROUTER") echo any ;;
    *) die "capture: unknown namespace '$1'" ;;
    esac
}

cmd_capture() {
    local action=${1:-}; shift || true
    case $action in
    start) capture_start "$@" ;;
    stop)
        local f
        for f in "$RUN"/capture-*.pid; do
            [ -e "$f" ] || continue
            if [ $# -ge 1 ] && [ "$f" != "$RUN/capture-$1.pid" ]; then continue; fi
            stop_pidfile "$f" INT
            local ns=${f#"$RUN/capture-"}; ns=${ns%.pid}
            grep -h 'packets captured' "$RUN/capture-$ns.log" 2>/dev/null | sed "s/^/capture $ns: /" >&2 || true
        done
        ;;
    *) die "capture: use 'capture start <ns> <file> [--iface IF] [--filter BPF] [--linktype T] [--nano]' or 'capture stop [ns]'" ;;
    esac
}

capture_start() {
    local ns=${1:?capture start: namespace required} file=${2:?capture start: output file required}
    shift 2
    local iface filter="" linktype="" nano=no i
    iface=$(default_iface "$ns")
    while [ $# -gt 0 ]; do
        case $1 in
        --iface) iface=${2:?}; shift 2 ;;
        --filter) filter=${2:?}; shift 2 ;;
        --linktype) linktype=${2:?}; shift 2 ;;
        --nano) nano=yes; shift ;;
        *) die "capture start: unknown option $1" ;;
        esac
    done
    need_cmd tcpdump tcpdump
    ns_exists "$ns" || die "capture start: lab is not up"
    local pidf="$RUN/capture-$ns.pid" logf="$RUN/capture-$ns.log"
    if live_pid "$pidf" >/dev/null; then stop_pidfile "$pidf" INT; fi
    mkdir -p "$(dirname "$file")"
    rm -f "$file"
    local args=(-n -U --immediate-mode -s 0 -Z root -i "$iface" -w "$file")
    [ -n "$linktype" ] && args+=(-y "$linktype")
    [ "$nano" = yes ] && args+=(--time-stamp-precision=nano)
    # shellcheck disable=SC2086
    ip netns exec "$ns" tcpdump "${args[@]}" ${filter:+"$filter"} </dev/null >"$logf" 2>&1 &
    local pid=$!
    sleep 0.05
    write_pidfile "$pidf" "$pid"
    for ((i = 0; i < 100; i++)); do
        if grep -q 'listening on' "$logf" 2>/dev/null; then
            log "capture: tcpdump pid $pid on $ns/$iface -> $file"
            return 0
        fi
        live_pid "$pidf" >/dev/null || die "capture: tcpdump exited: $(cat "$logf")"
        sleep 0.1
    done
    stop_pidfile "$pidf" INT
    die "capture: tcpdump did not report 'listening' within 10 s"
}

# ---------------------------------------------------------------- main
usage() {
    cat <<EOF
usage: lab.sh COMMAND ...
  up [--mtu N]                 create namespaces $NS_CLIENT, $NS_ROUTER, $NS_SERVER, $NS_SERVER2
                               (router->server links get MTU N, default $DEFAULT_MTU)
  down                         stop lab processes, delete every aovd-* namespace (idempotent)
  addrs                        print KEY=VALUE lines (addresses, namespaces, interfaces)
  fw SCENARIO [SCENARIO ...]   replace the router ruleset; scenarios:
                               $FW_SCENARIOS
  server start [--fragmentation yes|no] [--proposals LIST] [--eap] [--ns $NS_SERVER|$NS_SERVER2]
               [--version 1|2] [--kernel libipsec|netlink]
               [--server-cert good|expired|wrongname|noeku|ec [--no-intermediate]]
  server stop [NS]
  client start
  client initiate [--fragmentation yes|no] [--timeout S] [--target server|server2|vip|ADDR]
                  [-4|-6] [--eap] [--proposals LIST] [--version 1|2]
                                                          prints RESULT=established|failed
  client stop
  neigh-fresh                  the client forgets its neighbours (and, with fw delay-first,
                               the router forgets it ignored the client once): the next
                               packet waits for neighbour resolution again
  names [--dns none|ADDR] [--hosts 'ADDR NAME']...
                               the client namespace's own hosts file and resolv.conf
                               (no DNS server by default); removed by down
  stop                         stop every charon of the lab
  capture start NS FILE [--iface IF] [--filter BPF] [--linktype T] [--nano]
                               (tcpdump, full packets, classic pcap; returns once listening)
  capture stop [NS]
Environment: AOVD_FRAGMENT_SIZE (IKE fragment size of the charons started),
  AOVD_CHARON_EXTRA (extra lines for their charon { } section, e.g. cookie_threshold = 1).
State: $STATE (certificates cached in $CERTS and, for --server-cert, $SCERTS).
  Logs: $RUN/<instance>/charon.log
EOF
}

main() {
    local cmd=${1:-help}
    shift || true
    case $cmd in
    up) cmd_up "$@" ;;
    down) need_root; cmd_down ;;
    addrs) cmd_addrs ;;
    fw) cmd_fw "$@" ;;
    neigh-fresh) cmd_neigh_fresh "$@" ;;
    names) cmd_names "$@" ;;
    server) need_root; cmd_server "$@" ;;
    client) need_root; cmd_client "$@" ;;
    stop) need_root; cmd_stop ;;
    capture) need_root; cmd_capture "$@" ;;
    certs) ensure_certs; ensure_server_cert_certs ;;
    help | -h | --help) usage ;;
    *) usage >&2; exit 2 ;;
    esac
}

main "$@"
