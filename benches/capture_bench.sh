#!/usr/bin/env bash
# aovpn-diag capture next to tcpdump with the same filter, both on the same
# traffic at the same time, on the loopback of a private network namespace
# (nothing leaves it). The traffic is what a busy VPN server carries: ESP in
# UDP 4500 (tunnel data, kept by the filter and counted by the analysis), DNS
# (dropped by the filter in the kernel) and a few IKE_SA_INIT requests. Prints
# per tool: packets seen, packets the kernel dropped, CPU seconds and peak
# RSS, and the ratios aovpn-diag / tcpdump.
#
# Usage: sudo benches/capture_bench.sh [PACKETS]   (default 200000 of each kind)
# Needs: root, tcpdump, python3, GNU time (/usr/bin/time), a release build
# with live capture (cargo build --release --features live).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

N=${1:-200000}
BIN=${AOVD_BIN:-target/release/aovpn-diag}
NS=aovd-bench
OUT=$(mktemp -d /tmp/aovd-bench.XXXXXX)
[ "$(id -u)" = 0 ] || { echo "run as root (network namespace, capture)" >&2; exit 2; }
[ -x "$BIN" ] || { echo "$BIN missing: cargo build --release --features live" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "GNU time missing: apt-get install time" >&2; exit 2; }

# The lab's namespaces share the aovd- prefix and `lab.sh down` removes them
# all: take the lab's machine-wide lock like the lab tests do.
exec 9>/tmp/aovd-lab.lock
flock -w 900 9 || { echo "the namespace lab is busy (lock /tmp/aovd-lab.lock)" >&2; exit 3; }

# GNU time ignores SIGINT itself; the tools it runs are its children.
stop() { [ -n "${1:-}" ] && pkill -INT -P "$1" 2>/dev/null || true; }
cleanup() {
    stop "${P1:-}"
    stop "${P2:-}"
    ip netns del "$NS" 2>/dev/null || true
}
trap cleanup EXIT
ip netns del "$NS" 2>/dev/null || true
ip netns add "$NS"
# An Ethernet-sized MTU: libpcap sizes its ring slots by the MTU, and
# loopback's 64 KiB would make a 4 MiB ring hold 64 packets.
ip netns exec "$NS" ip link set lo mtu 1500 up

# The filter `capture` uses (capture::filter::bpf); checked against the
# one it reports below.
FILTER="udp port 500 or udp port 4500 or (ip proto 17 and ip[6:2] & 0x3fff != 0) or (ip6[6] == 44 and ip6[40] == 17) or (icmp and icmp[0] == 3) or (icmp6 and (ip6[40] == 1 or ip6[40] == 2))"

ip netns exec "$NS" /usr/bin/time -v -o "$OUT/aovpn.time" \
    "$BIN" capture -i lo --json --write "$OUT/aovpn.pcapng" >"$OUT/aovpn.json" 2>"$OUT/aovpn.err" &
P1=$!
ip netns exec "$NS" /usr/bin/time -v -o "$OUT/tcpdump.time" \
    tcpdump -i lo -n -s 0 -B 4096 --immediate-mode -w "$OUT/tcpdump.pcap" "$FILTER" 2>"$OUT/tcpdump.err" &
P2=$!
for _ in $(seq 100); do
    grep -q '"event":"start"' "$OUT/aovpn.err" 2>/dev/null && grep -q 'listening on' "$OUT/tcpdump.err" 2>/dev/null && break
    sleep 0.1
done

ip netns exec "$NS" python3 - "$N" <<'EOF'
import socket, struct, sys, time
n = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
# Listeners, so the kernel answers with no ICMP port unreachable (a real
# server listens on 4500 and 53); nothing reads them.
sinks = []
for port in (500, 4500, 53):
    r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    r.bind(("127.0.0.1", port))
    sinks.append(r)
esp = struct.pack("!II", 0x1000, 0) + bytes(1200)
dns = bytes(60)
init = bytes([0x5a] * 8) + bytes(8) + bytes([0, 0x20, 34, 0x08, 0, 0, 0, 0, 0, 0, 0, 28])
t = time.time()
for i in range(n):
    s.sendto(esp[:4] + struct.pack("!I", i) + esp[8:], ("127.0.0.1", 4500))
    s.sendto(dns, ("127.0.0.1", 53))
    if i % 10000 == 0:
        s.sendto(init, ("127.0.0.1", 500))
    if i % 200 == 199:
        # About 20,000 packets a second of each kind: a busy server, not a
        # flood that overruns every capture buffer.
        time.sleep(0.01)
print(f"sent {n} ESP-in-UDP + {n} DNS + {n // 10000 + 1} IKE_SA_INIT in {time.time() - t:.2f} s", file=sys.stderr)
EOF
sleep 1
stop "$P1"
stop "$P2"
wait "$P1" || true
wait "$P2" || true
P1= P2=

python3 - "$OUT" "$FILTER" <<'EOF'
import json, re, sys
out, bpf = sys.argv[1], sys.argv[2]
def gnu_time(path):
    t = open(path).read()
    cpu = float(re.search(r"User time \(seconds\): ([\d.]+)", t)[1]) + float(re.search(r"System time \(seconds\): ([\d.]+)", t)[1])
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t)[1])
    return cpu, rss
doc = json.load(open(f"{out}/aovpn.json"))
c = doc["capture"]
assert c["filter"] == bpf, f"capture's filter changed: {c['filter']}"
a_cpu, a_rss = gnu_time(f"{out}/aovpn.time")
t_cpu, t_rss = gnu_time(f"{out}/tcpdump.time")
m = re.search(r"(\d+) packets captured.*?(\d+) packets dropped by kernel", open(f"{out}/tcpdump.err").read(), re.S)
print(f"{'':12} {'packets':>9} {'dropped':>8} {'CPU s':>7} {'RSS MB':>7}")
print(f"{'aovpn-diag':12} {c['frames']:>9} {c['dropped']:>8} {a_cpu:>7.2f} {a_rss/1024:>7.1f}")
print(f"{'tcpdump':12} {m[1]:>9} {m[2]:>8} {t_cpu:>7.2f} {t_rss/1024:>7.1f}")
print(f"ratio aovpn-diag/tcpdump: CPU {a_cpu/max(t_cpu,0.01):.2f}x, RSS {a_rss/t_rss:.2f}x; "
      f"analysis: {doc['stats']['esp_packets']} ESP, {len(doc['sas'])} IKE SA(s), verdict {doc['verdict']}")
EOF
[ -n "${AOVD_BENCH_KEEP:-}" ] && echo "kept: $OUT" || rm -rf "$OUT"
