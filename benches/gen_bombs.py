#!/usr/bin/env python3
"""Writes the capture bombs of issue 14 for benches/bombs.sh (classic pcap,
Ethernet, microseconds; deterministic; not committed as data):

    python3 benches/gen_bombs.py frag4 OUT.pcap [COUNT]    (default 1,000,000)
    python3 benches/gen_bombs.py frag6 OUT.pcap [COUNT]    (default   100,000)
    python3 benches/gen_bombs.py init  OUT.pcap [COUNT]    (default   100,000)

frag4: IPv4 first fragments (MF set, offset 0) of UDP 500 datagrams that
    claim 2,000 bytes and never complete, each with its own IP ID and source
    (65,536 sources), 10 us apart: every one ends as a lost datagram.
frag6: IPv6 last fragments at offset 64,304 (so each datagram claims 65,528
    bytes, the largest a reassembler must hold) that never complete, each its
    own fragment ID, 10 us apart.
init: IKE_SA_INIT requests (SA, ECP-256 KE, nonce, 16430), each with its own
    initiator SPI and source, none answered, 10 us apart.
"""

import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures"))
import make_edge_cases as m  # noqa: E402  (IKE/IP/link builders)

S4 = bytes([198, 19, 2, 20])
S6 = bytes.fromhex("fd000000000000020000000000000014")
T0 = m.T0


def header(out):
    out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))


def record(out, i, frame):
    t = i * 10  # microseconds
    out.write(struct.pack("<IIII", T0 + t // 1_000_000, t % 1_000_000, len(frame), len(frame)))
    out.write(frame)


def source4(i):
    return bytes([198, 18, (i >> 8) & 0xFF, i & 0xFF])


def frag4(out, count):
    for i in range(count):
        spi = struct.pack(">Q", i + 1)
        ike = spi + b"\0" * 8 + bytes([46, 0x20, 35, 0x08]) + struct.pack(">II", 1, 1992)
        udp = struct.pack(">HHHH", 500, 500, 2000, 0) + ike + m.filler(36, 7)
        ip = m.ipv4(source4(i), S4, 17, i & 0xFFFF, udp, frag_off=0, more=True)
        record(out, i, m.eth(0x0800, ip))


def frag6(out, count):
    chunk = m.filler(1224, 9)
    for i in range(count):
        src = bytes.fromhex("fd000000000000010000") + struct.pack(">IH", i >> 16, i & 0xFFFF)
        ip = m.ipv6(src, S6, 17, chunk, frag=(i + 1, 64304, False))
        record(out, i, m.eth(0x86DD, ip))


def init(out, count):
    ecp256 = [(1, 12, 256), (3, 12), (2, 5), (4, 19)]
    req = m.ike(b"\0" * 8, b"\0" * 8, 34, 0x08, 0,
                [m.sa_payload(ecp256), m.ke(19, 64), m.nonce(1), m.notify(16430)])
    for i in range(count):
        msg = struct.pack(">Q", i + 1) + req[8:]
        ip = m.ipv4(source4(i), S4, 17, i & 0xFFFF, m.udp(500, 500, msg))
        record(out, i, m.eth(0x0800, ip))


def main():
    kind, path = sys.argv[1], sys.argv[2]
    defaults = {"frag4": 1_000_000, "frag6": 100_000, "init": 100_000}
    count = int(sys.argv[3]) if len(sys.argv) > 3 else defaults[kind]
    with open(path, "wb", buffering=1 << 20) as out:
        header(out)
        {"frag4": frag4, "frag6": frag6, "init": init}[kind](out, count)


if __name__ == "__main__":
    main()
