#!/usr/bin/env python3
"""A second IKE initiator for the lab: sends IKE_SA_INIT requests (a real
proposal, key exchange and nonce, RFC 7296 §1.2) from one address and port,
each with a fresh initiator SPI, and retransmits each unanswered one like a
client would. It never continues with IKE_AUTH, so every answered request
leaves a half-open IKE SA on the responder: what a per-address limit of
half-open SAs (strongSwan block_threshold) or the COOKIE threshold counts.
A COOKIE demand is answered as RFC 7296 §2.6 says (the same request again,
the COOKIE notify first).

    ike_sa_init_peer.py --src 198.18.1.3 --sport 5000 --dst 198.18.2.2 \
        --count 4 --retransmits 3 --interval 1.0 --gap 0.3

Lab use only (tests/lab/make-kind-fixtures.sh): it sends to the namespace lab.
Prints one line per request: SPI, answered or not.
"""

import argparse
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "fixtures"))
from make_edge_cases import AES256_SHA256_MODP2048, ike, ke, nonce, notify, sa_payload  # noqa: E402


def request(spi, seed, cookie=None):
    payloads = [sa_payload(AES256_SHA256_MODP2048), ke(14, 256), nonce(seed), notify(16430)]
    if cookie is not None:
        # RFC 7296 §2.6: the COOKIE notify comes first, the rest unchanged.
        payloads.insert(0, notify(16390, cookie))
    return ike(spi, b"\0" * 8, 34, 0x08, 0, payloads)


def cookie_of(data):
    """The COOKIE notify data of a response that carries only it."""
    if len(data) < 36 or data[16] != 41:
        return None
    plen = struct.unpack(">H", data[30:32])[0]
    if struct.unpack(">H", data[34:36])[0] != 16390:
        return None
    return data[36:28 + plen]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", required=True)
    ap.add_argument("--sport", type=int, default=5000)
    ap.add_argument("--dst", required=True)
    ap.add_argument("--count", type=int, default=4)
    ap.add_argument("--retransmits", type=int, default=3)
    ap.add_argument("--interval", type=float, default=1.0)
    ap.add_argument("--gap", type=float, default=0.2, help="seconds between the first sendings of two SAs")
    a = ap.parse_args()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((a.src, a.sport))
    s.settimeout(0.05)
    pending = []  # (spi, bytes, next_send, sends_left, seed)
    now = time.monotonic()
    for n in range(a.count):
        spi = os.urandom(8)
        pending.append([spi, request(spi, 100 + n), now + n * a.gap, a.retransmits, 100 + n])
    answered = set()
    deadline = now + a.count * a.gap + 2 * (a.retransmits + 1) * a.interval + 1
    while time.monotonic() < deadline:
        t = time.monotonic()
        for p in pending:
            if p[0] not in answered and p[3] > 0 and t >= p[2]:
                s.sendto(p[1], (a.dst, 500))
                p[2] = t + a.interval
                p[3] -= 1
        try:
            data, _ = s.recvfrom(65535)
            if len(data) >= 28 and data[19] & 0x20:
                cookie = cookie_of(data)
                p = next((p for p in pending if p[0] == data[:8]), None)
                if cookie is not None and p is not None:
                    # Retry at once with the cookie, as RFC 7296 §2.6 asks.
                    p[1] = request(p[0], p[4], cookie)
                    p[2] = time.monotonic()
                    p[3] = a.retransmits
                    print(f"{p[0].hex()} cookie demanded", flush=True)
                else:
                    answered.add(data[:8])
        except socket.timeout:
            pass
    for p in pending:
        print(f"{p[0].hex()} {'answered' if p[0] in answered else 'unanswered'}")


if __name__ == "__main__":
    main()
