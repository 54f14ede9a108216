#!/usr/bin/env python3
"""A hostile IKEv2 responder for the namespace lab (tests/lab_hostile.rs).

It listens on UDP 500 and 4500 (non-ESP marker, RFC 3948 §2.2) of the given
addresses, like a VPN server, and answers `aovpn-diag probe`, `check` and
`mtu --ike` with one scripted misbehaviour (SCENARIO):

  truncated           every IKE_SA_INIT answered with cut-off responses only
  lying-lengths       responses whose header, payload, proposal or transform
                      lengths lie (beyond the datagram, below the minimum)
  oversized           a correct response plus a 60,000-byte Vendor ID (the
                      datagram travels as ~45 IP fragments); IKE_AUTH answered
                      with a correct, 60,000-byte SK message
  skf-absurd          correct IKE_SA_INIT; IKE_AUTH answered with correctly
                      protected SKF pieces (RFC 7383) with totals of 65535 and 0,
                      numbers beyond the total, duplicates with other content,
                      a changing total, and never the last piece
  cookie-forever      every IKE_SA_INIT answered with a new COOKIE (RFC 7296 §2.6)
  invalid-ke-forever  every IKE_SA_INIT answered with INVALID_KE_PAYLOAD naming
                      another group the request offered (RFC 7296 §1.3)
  flood               every request answered by FLOOD junk datagrams (random
                      bytes, the request itself, our SPI with a wrong message
                      ID), then the correct answer
  other-source        correct answers, but sent from UDP port+1 and from
                      --alt-addr instead of the address and port asked
  icmp-mtu            requests up to --icmp-above bytes (IP) answered
                      correctly; larger ones refused with an ICMP "fragmentation
                      needed" / ICMPv6 "packet too big" quoting them and
                      advertising --icmp-mtu (0, 68, 65535 ...)

A correct answer is what a strongSwan responder with the proposal
aes256-sha256-modp2048 says: the full IKE_SA_INIT response (real MODP-2048
key exchange, NAT_DETECTION hashes, IKEV2_FRAGMENTATION_SUPPORTED) when the
request's KE is of group 14, INVALID_KE_PAYLOAD(14) when it is another group,
NO_PROPOSAL_CHOSEN when no proposal has those transforms; IKE_AUTH (SK or SKF,
keys of RFC 7296 §2.14) answered with AUTHENTICATION_FAILED.

    hostile_responder.py --scenario flood --addr 198.18.2.2 --addr fd00:2::2 \
        --stats /tmp/stats.json

Prints "ready" on stdout once every socket is bound; writes what it did
(counters per action) to --stats after every datagram and on SIGTERM. Needs
root for the ICMP raw sockets, and python3-cryptography (AES-CBC). Lab use
only: it answers whoever asks, inside the lab's namespaces.
"""

import argparse
import hashlib
import hmac
import ipaddress
import json
import os
import select
import signal
import socket
import struct
import sys

try:
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
except ImportError:  # pragma: no cover - reported to the test
    sys.stderr.write("hostile_responder.py needs python3-cryptography (apt-get install python3-cryptography)\n")
    sys.exit(3)

SCENARIOS = (
    "truncated", "lying-lengths", "oversized", "skf-absurd", "cookie-forever",
    "invalid-ke-forever", "flood", "other-source", "icmp-mtu",
)

# RFC 3526 §3: 2048-bit MODP group (14), generator 2.
MODP2048_P = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AACAA68FFFFFFFFFFFFFFFF", 16)

IKE_SA_INIT, IKE_AUTH, INFORMATIONAL = 34, 35, 37
SA, KE, NONCE, NOTIFY, VENDOR, SK, SKF = 33, 34, 40, 41, 43, 46, 53
N_NO_PROPOSAL_CHOSEN, N_INVALID_KE, N_AUTH_FAILED = 14, 17, 24
N_COOKIE, N_NATD_SRC, N_NATD_DST, N_FRAG_SUPPORTED = 16390, 16388, 16389, 16430
# aes256-sha256-modp2048: (type, id, key bits)
CHOSEN = [(1, 12, 256), (2, 5, None), (3, 12, None), (4, 14, None)]

stats = {}
stats_path = None


def count(what, n=1):
    stats[what] = stats.get(what, 0) + n


def write_stats():
    if stats_path:
        tmp = stats_path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(stats, f, sort_keys=True)
        os.replace(tmp, stats_path)


# ------------------------------------------------------------ IKE bytes

def chain(payloads):
    out = b""
    for i, (ptype, body) in enumerate(payloads):
        nxt = payloads[i + 1][0] if i + 1 < len(payloads) else 0
        out += bytes([nxt, 0]) + struct.pack(">H", 4 + len(body)) + body
    return (payloads[0][0] if payloads else 0), out


def header(spi_i, spi_r, first, exchange, flags, msg_id, length):
    return spi_i + spi_r + bytes([first, 0x20, exchange, flags]) + struct.pack(">II", msg_id, length)


def message(spi_i, spi_r, exchange, msg_id, payloads):
    first, body = chain(payloads)
    return header(spi_i, spi_r, first, exchange, 0x20, msg_id, 28 + len(body)) + body


def notify(ntype, data=b""):
    return (NOTIFY, bytes([0, 0]) + struct.pack(">H", ntype) + data)


def sa_payload(number=1):
    body = bytes([number, 1, 0, len(CHOSEN)])
    for i, (ttype, tid, bits) in enumerate(CHOSEN):
        attrs = struct.pack(">HH", 0x8000 | 14, bits) if bits else b""
        last = i == len(CHOSEN) - 1
        body += bytes([0 if last else 3, 0]) + struct.pack(">HBBH", 8 + len(attrs), ttype, 0, tid) + attrs
    return (SA, bytes([0, 0]) + struct.pack(">H", 4 + len(body)) + body)


def parse_chain(first, data):
    """[(type, body)] of a payload chain; stops at the first damaged payload."""
    out, ptype, at = [], first, 0
    while ptype != 0 and at + 4 <= len(data):
        nxt, plen = data[at], struct.unpack(">H", data[at + 2:at + 4])[0]
        if plen < 4 or at + plen > len(data):
            break
        out.append((ptype, data[at + 4:at + plen]))
        ptype, at = nxt, at + plen
    return out


def proposals(sa_body):
    """[(number, {(type, id, key bits)})] of an SA payload body."""
    out, at = [], 0
    while at + 8 <= len(sa_body):
        last, plen = sa_body[at], struct.unpack(">H", sa_body[at + 2:at + 4])[0]
        if plen < 8 or at + plen > len(sa_body):
            break
        num, spi_size, ntrans = sa_body[at + 4], sa_body[at + 6], sa_body[at + 7]
        t_at, transforms = at + 8 + spi_size, set()
        for _ in range(ntrans):
            if t_at + 8 > at + plen:
                break
            tlen = struct.unpack(">H", sa_body[t_at + 2:t_at + 4])[0]
            ttype, tid = sa_body[t_at + 4], struct.unpack(">H", sa_body[t_at + 6:t_at + 8])[0]
            bits = None
            if tlen >= 12 and struct.unpack(">H", sa_body[t_at + 8:t_at + 10])[0] == 0x8000 | 14:
                bits = struct.unpack(">H", sa_body[t_at + 10:t_at + 12])[0]
            transforms.add((ttype, tid, bits))
            if tlen < 8:
                break
            t_at += tlen
        out.append((num, transforms))
        if last == 0:
            break
        at += plen
    return out


class Request:
    """An IKE request as received (marker stripped)."""

    def __init__(self, ike):
        self.ike = ike
        self.spi_i, self.spi_r = ike[0:8], ike[8:16]
        self.exchange, self.flags = ike[18], ike[19]
        self.msg_id = struct.unpack(">I", ike[20:24])[0]
        self.payloads = parse_chain(ike[16], ike[28:])

    def first(self, ptype):
        return next((b for t, b in self.payloads if t == ptype), None)


# ------------------------------------------------------------ keys (RFC 7296 §2.13, §2.14)

def prf(key, data):
    return hmac.new(key, data, hashlib.sha256).digest()


def prf_plus(key, seed, n):
    out, t, i = b"", b"", 1
    while len(out) < n:
        t = prf(key, t + seed + bytes([i]))
        out += t
        i += 1
    return out[:n]


class IkeSa:
    def __init__(self, spi_i, spi_r, ni, nr, shared):
        skeyseed = prf(ni + nr, shared)
        keys = prf_plus(skeyseed, ni + nr + spi_i + spi_r, 7 * 32)
        self.spi_i, self.spi_r = spi_i, spi_r
        self.sk_ar, self.sk_er = keys[64:96], keys[128:160]

    def sk(self, exchange, msg_id, first_inner, inner):
        """An SK-protected response from the responder (RFC 7296 §3.14)."""
        pad = (16 - (len(inner) + 1) % 16) % 16
        plain = inner + bytes(pad) + bytes([pad])
        iv = os.urandom(16)
        enc = Cipher(algorithms.AES(self.sk_er), modes.CBC(iv)).encryptor()
        ct = enc.update(plain) + enc.finalize()
        plen = 4 + 16 + len(ct) + 16
        msg = header(self.spi_i, self.spi_r, SK, exchange, 0x20, msg_id, 28 + plen)
        msg += bytes([first_inner, 0]) + struct.pack(">H", plen) + iv + ct
        return msg + hmac.new(self.sk_ar, msg, hashlib.sha256).digest()[:16]

    def skf(self, exchange, msg_id, number, total, first_inner, inner):
        """One SKF piece (RFC 7383 §2.5) with any number and total."""
        pad = (16 - (len(inner) + 1) % 16) % 16
        plain = inner + bytes(pad) + bytes([pad])
        iv = os.urandom(16)
        enc = Cipher(algorithms.AES(self.sk_er), modes.CBC(iv)).encryptor()
        ct = enc.update(plain) + enc.finalize()
        plen = 8 + 16 + len(ct) + 16
        msg = header(self.spi_i, self.spi_r, SKF, exchange, 0x20, msg_id, 28 + plen)
        msg += bytes([first_inner if number == 1 else 0, 0]) + struct.pack(">HHH", plen, number, total)
        msg += iv + ct
        return msg + hmac.new(self.sk_ar, msg, hashlib.sha256).digest()[:16]


# ------------------------------------------------------------ the responder

def natd(spi_i, spi_r, addr, port):
    return hashlib.sha1(spi_i + spi_r + ipaddress.ip_address(addr).packed + struct.pack(">H", port)).digest()


class Responder:
    def __init__(self, a):
        self.a = a
        self.sas = {}  # spi_i -> IkeSa
        self.cookie_no = 0
        self.ke_demands = {}
        self.raw4 = self.raw6 = None
        self.socks = {}  # fileno -> (socket, local addr, local port)
        self.alt = {}  # (family, port) -> socket bound to port+1 ; ('alt', family, port) -> alt address
        for addr in a.addr:
            fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
            for port in (500, 4500):
                s = socket.socket(fam, socket.SOCK_DGRAM)
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                s.bind((addr, port))
                self.socks[s.fileno()] = (s, addr, port)
                if a.scenario == "other-source":
                    o = socket.socket(fam, socket.SOCK_DGRAM)
                    o.bind((addr, port + 1))
                    self.alt[(addr, port)] = o
        if a.scenario == "other-source":
            for addr in a.alt_addr:
                fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
                for port in (500, 4500):
                    o = socket.socket(fam, socket.SOCK_DGRAM)
                    o.bind((addr, port))
                    self.alt[("alt", fam, port)] = o
        if a.scenario == "icmp-mtu":
            self.raw4 = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
            self.raw6 = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_ICMPV6)

    # -- sending
    def send(self, sock, data, peer, marker, what):
        if marker:
            data = b"\0\0\0\0" + data
        try:
            sock.sendto(data, peer)
            count(what)
        except OSError as e:
            count("send-error-" + (e.strerror or str(e.errno)).lower().replace(" ", "-"))

    # -- correct answers
    def sa_init_answer(self, req, local, lport, peer):
        """What a strongSwan responder with aes256-sha256-modp2048 answers, and its IKE SA."""
        sa_body = req.first(SA)
        if sa_body is None or req.first(KE) is None or req.first(NONCE) is None:
            return message(req.spi_i, bytes(8), IKE_SA_INIT, 0, [notify(7)]), "answer-invalid-syntax", None
        wanted = {(t, i, b) for t, i, b in CHOSEN}
        if not any(wanted <= ts for _, ts in proposals(sa_body)):
            return message(req.spi_i, bytes(8), IKE_SA_INIT, 0, [notify(N_NO_PROPOSAL_CHOSEN)]), "answer-no-proposal", None
        ke_body = req.first(KE)
        group = struct.unpack(">H", ke_body[0:2])[0]
        if group != 14 or len(ke_body) != 4 + 256:
            return message(req.spi_i, bytes(8), IKE_SA_INIT, 0,
                           [notify(N_INVALID_KE, struct.pack(">H", 14))]), "answer-invalid-ke", None
        spi_r = os.urandom(8)
        secret = int.from_bytes(os.urandom(32), "big")
        public = pow(2, secret, MODP2048_P).to_bytes(256, "big")
        shared = pow(int.from_bytes(ke_body[4:], "big"), secret, MODP2048_P).to_bytes(256, "big")
        nr = os.urandom(32)
        ni = req.first(NONCE)
        payloads = [
            sa_payload(),
            (KE, struct.pack(">HH", 14, 0) + public),
            (NONCE, nr),
            notify(N_NATD_SRC, natd(req.spi_i, spi_r, local, lport)),
            notify(N_NATD_DST, natd(req.spi_i, spi_r, peer[0], peer[1])),
            notify(N_FRAG_SUPPORTED),
        ]
        return payloads, "answer-full", IkeSa(req.spi_i, spi_r, ni, nr, shared)

    def full_answer(self, req, local, lport, peer, extra=()):
        """(bytes, label) of the correct IKE_SA_INIT answer; keeps the IKE SA."""
        payloads, label, sa = self.sa_init_answer(req, local, lport, peer)
        if sa is None:
            return payloads, label
        self.sas[req.spi_i] = sa
        return message(req.spi_i, sa.spi_r, IKE_SA_INIT, 0, list(payloads) + list(extra)), label

    def auth_answer(self, req):
        sa = self.sas.get(req.spi_i)
        if sa is None or req.spi_r != sa.spi_r:
            return None
        return sa.sk(IKE_AUTH, req.msg_id, NOTIFY, chain([notify(N_AUTH_FAILED)])[1])

    # -- ICMP errors quoting a request
    def icmp_too_big(self, data, local, lport, peer, mtu):
        udp = struct.pack(">HHHH", peer[1], lport, 8 + len(data), 0) + data
        if ":" in local:
            ip = struct.pack(">IHBB16s16s", 0x60000000, len(udp), 17, 63,
                             ipaddress.ip_address(peer[0]).packed, ipaddress.ip_address(local).packed)
            quoted = (ip + udp)[:1280 - 48]
            msg = struct.pack(">BBHI", 2, 0, 0, mtu & 0xFFFFFFFF) + quoted  # kernel fills the checksum
            self.raw6.sendto(msg, (peer[0], 0))
        else:
            ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0x4000, 63, 17, 0,
                             ipaddress.ip_address(peer[0]).packed, ipaddress.ip_address(local).packed)
            ip = ip[:10] + struct.pack(">H", csum(ip)) + ip[12:]
            quoted = (ip + udp)[:576 - 28]
            msg = struct.pack(">BBHHH", 3, 4, 0, 0, mtu & 0xFFFF) + quoted
            msg = msg[:2] + struct.pack(">H", csum(msg)) + msg[4:]
            self.raw4.sendto(msg, (peer[0], 0))
        count(f"icmp-too-big-mtu-{mtu}")

    # -- the scenarios
    def handle(self, sock, local, lport, data, peer):
        marker = lport == 4500
        ike = data
        if marker:
            if data[:4] != b"\0\0\0\0":
                count("esp-ignored")
                return
            ike = data[4:]
        if len(ike) < 28:
            count("short-ignored")
            return
        req = Request(ike)
        if req.flags & 0x20:
            count("response-ignored")
            return
        sc = self.a.scenario
        ip_size = len(data) + 8 + (40 if ":" in local else 20)
        if req.exchange == IKE_SA_INIT:
            count("sa-init-received")
            if sc == "truncated":
                good, _ = self.full_answer(req, local, lport, peer)
                self.send(sock, good[:20], peer, marker, "sent-cut-in-header")
                self.send(sock, good[:28], peer, marker, "sent-header-only")
                self.send(sock, good[:len(good) // 2], peer, marker, "sent-cut-in-payloads")
            elif sc == "lying-lengths":
                good, _ = self.full_answer(req, local, lport, peer)
                for what, bad in lies(good):
                    self.send(sock, bad, peer, marker, what)
            elif sc == "oversized":
                good, _ = self.full_answer(req, local, lport, peer, extra=[(VENDOR, os.urandom(60000))])
                self.send(sock, good, peer, marker, "sent-oversized-sa-init")
            elif sc == "cookie-forever":
                self.cookie_no += 1
                cookie = hashlib.sha256(b"cookie%d" % self.cookie_no).digest()
                self.send(sock, message(req.spi_i, bytes(8), IKE_SA_INIT, 0, [notify(N_COOKIE, cookie)]),
                          peer, marker, "sent-cookie")
            elif sc == "invalid-ke-forever":
                ke_body = req.first(KE)
                mine = struct.unpack(">H", ke_body[0:2])[0] if ke_body else 0
                offered = sorted({i for _, ts in proposals(req.first(SA) or b"") for t, i, _ in ts if t == 4})
                others = [g for g in offered if g != mine] or [14 if mine != 14 else 19]
                # Per IKE SA (initiator SPI), not per run: exchanges that
                # run side by side must not change which group each is told.
                n = self.ke_demands.get(req.spi_i, 0)
                self.ke_demands[req.spi_i] = n + 1
                group = others[n % len(others)]
                self.send(sock, message(req.spi_i, bytes(8), IKE_SA_INIT, 0,
                                        [notify(N_INVALID_KE, struct.pack(">H", group))]),
                          peer, marker, "sent-invalid-ke")
            elif sc == "flood":
                for n in range(self.a.flood):
                    kind = n % 3
                    if kind == 0:
                        junk = os.urandom(40 + n % 200)
                    elif kind == 1:
                        junk = ike  # our own request back
                    else:  # our SPI, a response, but another message ID
                        junk = header(req.spi_i, os.urandom(8), 0, IKE_SA_INIT, 0x20, 1 + n, 28)
                    self.send(sock, junk, peer, marker, "sent-flood")
                good, label = self.full_answer(req, local, lport, peer)
                self.send(sock, good, peer, marker, "sent-after-flood-" + label)
            elif sc == "other-source":
                good, label = self.full_answer(req, local, lport, peer)
                self.send(self.alt[(local, lport)], good, peer, marker, "sent-from-other-port")
                fam = socket.AF_INET6 if ":" in local else socket.AF_INET
                alt = self.alt.get(("alt", fam, lport))
                if alt is not None:
                    self.send(alt, good, peer, marker, "sent-from-other-address")
            elif sc == "icmp-mtu":
                if ip_size > self.a.icmp_above:
                    self.icmp_too_big(data, local, lport, peer, self.a.icmp_mtu)
                else:
                    good, label = self.full_answer(req, local, lport, peer)
                    self.send(sock, good, peer, marker, "sent-" + label)
            else:  # skf-absurd: a correct IKE_SA_INIT
                good, label = self.full_answer(req, local, lport, peer)
                self.send(sock, good, peer, marker, "sent-" + label)
        elif req.exchange == IKE_AUTH:
            count("ike-auth-received")
            sa = self.sas.get(req.spi_i)
            if sa is None:
                count("ike-auth-unknown-sa")
                return
            inner = chain([notify(N_AUTH_FAILED)])[1]
            if sc == "skf-absurd":
                for number, total in [(1, 65535), (0, 3), (4, 3), (1, 0), (1, 3), (1, 3), (2, 3),
                                      (2, 3), (1, 2), (1, 3), (2, 3), (2, 2)]:
                    body = inner if number == 1 else os.urandom(number * 7 % 40 + 1)
                    self.send(sock, sa.skf(IKE_AUTH, req.msg_id, number, total, NOTIFY, body),
                              peer, marker, "sent-skf")
                # A piece 3/3 whose integrity check fails.
                bad = bytearray(sa.skf(IKE_AUTH, req.msg_id, 3, 3, 0, b"x"))
                bad[-1] ^= 1
                self.send(sock, bytes(bad), peer, marker, "sent-skf-bad-icv")
            elif sc == "oversized":
                big = chain([notify(N_AUTH_FAILED), (VENDOR, os.urandom(60000))])[1]
                self.send(sock, sa.sk(IKE_AUTH, req.msg_id, NOTIFY, big), peer, marker, "sent-oversized-auth")
            elif sc == "flood":
                for n in range(self.a.flood):
                    self.send(sock, os.urandom(40 + n % 200), peer, marker, "sent-flood")
                self.send(sock, sa.sk(IKE_AUTH, req.msg_id, NOTIFY, inner), peer, marker, "sent-auth-failed")
            elif sc == "truncated":
                good = sa.sk(IKE_AUTH, req.msg_id, NOTIFY, inner)
                self.send(sock, good[:len(good) - 5], peer, marker, "sent-auth-cut")
            elif sc == "lying-lengths":
                good = sa.sk(IKE_AUTH, req.msg_id, NOTIFY, inner)
                for what, bad in lies(good):
                    self.send(sock, bad, peer, marker, "auth-" + what)
            elif sc == "other-source":
                good = sa.sk(IKE_AUTH, req.msg_id, NOTIFY, inner)
                self.send(self.alt[(local, lport)], good, peer, marker, "sent-auth-from-other-port")
            else:
                self.send(sock, sa.sk(IKE_AUTH, req.msg_id, NOTIFY, inner), peer, marker, "sent-auth-failed")
        else:
            count("other-exchange-ignored")

    def run(self):
        print("ready", flush=True)
        while True:
            readable, _, _ = select.select([s for s, _, _ in self.socks.values()], [], [], 1.0)
            for s in readable:
                sock, local, lport = self.socks[s.fileno()]
                try:
                    data, peer = sock.recvfrom(65535)
                except OSError:
                    continue
                try:
                    self.handle(sock, local, lport, data, peer[:2])
                except Exception as e:  # keep serving; the test reads the count
                    count("handler-error")
                    sys.stderr.write(f"hostile_responder: {type(e).__name__}: {e}\n")
                write_stats()


def lies(good):
    """Variants of a correct message whose length fields lie."""
    first_len = struct.unpack(">H", good[30:32])[0]
    out = []
    # IKE header length beyond the datagram, and below the header itself.
    out.append(("sent-header-length-65535", good[:24] + struct.pack(">I", 65535) + good[28:]))
    out.append(("sent-header-length-0", good[:24] + struct.pack(">I", 0) + good[28:]))
    out.append(("sent-header-length-short", good[:24] + struct.pack(">I", 29) + good[28:]))
    # First payload: length 0 (loops in naive parsers), 3, and beyond the end.
    for plen in (0, 3, 65535):
        out.append((f"sent-payload-length-{plen}", good[:30] + struct.pack(">H", plen) + good[32:]))
    # A first payload of a type nobody knows (255) with the critical bit clear.
    out.append(("sent-next-payload-bogus", good[:28] + bytes([0xFF]) + good[29:]))
    if good[16] == SA and first_len >= 12:
        # Proposal length beyond the SA payload, transform count 255.
        out.append(("sent-proposal-length-lie", good[:34] + struct.pack(">H", 65535) + good[36:]))
        out.append(("sent-transform-count-255", good[:39] + bytes([255]) + good[40:]))
    return out


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def main():
    global stats_path
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scenario", required=True, choices=SCENARIOS)
    ap.add_argument("--addr", action="append", required=True, help="address to listen on (repeat)")
    ap.add_argument("--alt-addr", action="append", default=[], help="other-source: second address to answer from")
    ap.add_argument("--flood", type=int, default=2000, help="flood: junk datagrams per request")
    ap.add_argument("--icmp-mtu", type=int, default=0, help="icmp-mtu: MTU advertised in the errors")
    ap.add_argument("--icmp-above", type=int, default=1000, help="icmp-mtu: refuse IP packets larger than this")
    ap.add_argument("--stats", help="file for the counters (JSON)")
    a = ap.parse_args()
    stats_path = a.stats

    def stop(*_):
        write_stats()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    Responder(a).run()


if __name__ == "__main__":
    main()
