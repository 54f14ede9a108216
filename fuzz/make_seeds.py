#!/usr/bin/env python3
"""Seed corpora for the fuzz targets, made from the checked-in fixtures
(captures, phonebooks, netlogon logs, event exports) and a few hand-written inputs, so the
fuzzers start from real shapes instead of nothing. Deterministic; writes
fuzz/corpus/<target>/ (git-ignored: nothing but this script is committed).

    python3 fuzz/make_seeds.py [CORPUS_DIR]      (default: fuzz/corpus)

The structured targets (pcap_pipeline, ike_auth_response, probe_exchange,
icmp_error, cli_args) read their input with `Bytes` in
fuzz_targets/common.rs: a u8 is one byte, a u16 two bytes big-endian, a
slice a u16 length then that many bytes. The seeds below follow that layout.
"""

import glob
import hashlib
import os
import struct
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "fixtures")


def u16(v):
    return struct.pack(">H", v & 0xFFFF)


def sl(b):
    """A `Bytes::slice`: u16 length, then the bytes."""
    return u16(len(b)) + b


# ------------------------------------------------------------ captures ---

def packets(path):
    """(link type, frame bytes) for every packet of a pcap or pcapng file."""
    data = open(path, "rb").read()
    out = []
    if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif data[:4] in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    elif data[:4] == b"\x0a\x0d\x0d\x0a":
        return pcapng_packets(data)
    else:
        return out
    link = struct.unpack(e + "I", data[20:24])[0]
    off = 24
    while off + 16 <= len(data):
        caplen = struct.unpack(e + "I", data[off + 8:off + 12])[0]
        out.append((link, data[off + 16:off + 16 + caplen]))
        off += 16 + caplen
    return out


def pcapng_packets(data):
    out, links, off, e = [], [], 0, "<"
    while off + 12 <= len(data):
        btype = struct.unpack(e + "I", data[off:off + 4])[0]
        if btype == 0x0A0D0D0A:
            e = ">" if data[off + 8:off + 12] == b"\x1a\x2b\x3c\x4d" else "<"
            links = []
        blen = struct.unpack(e + "I", data[off + 4:off + 8])[0]
        if blen < 12:
            break
        body = data[off + 8:off + blen - 4]
        if btype == 1:
            links.append(struct.unpack(e + "H", body[:2])[0])
        elif btype == 6 and len(body) >= 20:
            iface, caplen = struct.unpack(e + "I", body[:4])[0], struct.unpack(e + "I", body[12:16])[0]
            if iface < len(links):
                out.append((links[iface], body[20:20 + caplen]))
        elif btype == 3 and links:
            out.append((links[0], body[4:]))
        off += blen
    return out


def ip_of(link, frame):
    """The IP packet inside a frame of the link types the fixtures use."""
    if link == 1:  # Ethernet, VLAN tags
        off, etype = 14, struct.unpack(">H", frame[12:14])[0]
        while etype in (0x8100, 0x88A8) and len(frame) >= off + 4:
            etype = struct.unpack(">H", frame[off + 2:off + 4])[0]
            off += 4
        return frame[off:] if etype in (0x0800, 0x86DD) else None
    if link == 113:
        return frame[16:]
    if link == 276:
        return frame[20:]
    if link == 0:
        return frame[4:]
    if link in (12, 14, 101, 228, 229):
        return frame
    return None


def udp_payloads(ip):
    """(ports, payload) of an unfragmented or first-fragment UDP datagram."""
    if not ip:
        return None
    if ip[0] >> 4 == 4:
        ihl = (ip[0] & 15) * 4
        if ip[9] != 17 or struct.unpack(">H", ip[6:8])[0] & 0x1FFF:
            return None
        udp = ip[ihl:]
    elif ip[0] >> 4 == 6:
        if ip[6] != 17:
            return None
        udp = ip[40:]
    else:
        return None
    if len(udp) < 8:
        return None
    sport, dport = struct.unpack(">HH", udp[:4])
    return (sport, dport), udp[8:]


def ike_messages():
    """Every IKE message (non-ESP marker stripped) in the fixture captures."""
    seen, out = set(), []
    for path in sorted(glob.glob(os.path.join(FIXTURES, "*.pcap*"))):
        for link, frame in packets(path):
            got = udp_payloads(ip_of(link, frame))
            if not got:
                continue
            ports, payload = got
            if 4500 in ports:
                if payload[:4] != b"\0\0\0\0":
                    continue
                payload = payload[4:]
            elif 500 not in ports:
                continue
            if len(payload) >= 28 and payload not in seen:
                seen.add(payload)
                out.append(payload)
    return out


# -------------------------------------------------------------- writer ---

def write(corpus, target, seeds):
    d = os.path.join(corpus, target)
    os.makedirs(d, exist_ok=True)
    for s in seeds:
        name = hashlib.sha1(s).hexdigest()
        with open(os.path.join(d, name), "wb") as f:
            f.write(s)
    print(f"{target}: {len(seeds)} seeds")


def notify(ntype, data=b""):
    """A Notify payload body chain of one payload (RFC 7296 §3.10)."""
    body = bytes([0, 0]) + u16(ntype) + data
    return bytes([0, 0]) + u16(4 + len(body)) + body


def main():
    corpus = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "fuzz", "corpus")
    captures = sorted(glob.glob(os.path.join(FIXTURES, "*.pcap*")))
    files = [open(p, "rb").read() for p in captures]
    write(corpus, "capture_reader", files)

    pairs = []
    for p in captures:
        if p.endswith("-client.pcapng") or p.endswith("-client.pcap"):
            stem = p.rsplit("-client.", 1)[0]
            for q in glob.glob(stem + "-server*.pcap*"):
                a, b = open(p, "rb").read(), open(q, "rb").read()
                pairs.append(b"\x01" + sl(a) + b)
    write(corpus, "pcap_pipeline", [b"\x00" + f for f in files] + pairs)

    ikes = ike_messages()
    write(corpus, "ike_parse", ikes)

    # IKE_AUTH answers: AUTHENTICATION_FAILED in SK; an EAP-sized answer in
    # three SKF pieces; junk; a flipped byte. flags 0 = AES-CBC, 1 = GCM.
    auth_failed = notify(24)
    eap = bytes([0, 0]) + u16(4 + 600) + b"\x02" * 600
    auth = []
    for flags in (0, 1, 8, 9):
        auth.append(bytes([flags, 1, 1, 41]) + sl(auth_failed))
        skf = bytes([flags, 3])
        for n in (1, 2, 3):
            skf += bytes([2, 36 if n == 1 else 0]) + u16(n) + u16(3) + sl(eap[(n - 1) * 200:n * 200])
        auth.append(skf)
        auth.append(bytes([flags, 2, 0]) + sl(ikes[0] if ikes else b"junk") + bytes([3, 41]) + sl(auth_failed) + u16(40) + b"\x01")
    write(corpus, "ike_auth_response", auth)

    # Probe answers: a real response with the request's SPI patched in; a
    # notify (INVALID_KE_PAYLOAD group 19, COOKIE, NO_PROPOSAL_CHOSEN); an
    # accepting answer; ICMP; silence.
    responses = [m for m in ikes if m[19] & 0x20 and m[18] == 34]
    probe = []
    for flags in (0, 16, 20, 24, 48):
        turns = b""
        for m in responses[:3]:
            turns += b"\x01" + b"\x86" + sl(m)  # 0x86 % 7 == 1: patched, length fixed
        turns += b"\x01\x02" + u16(17) + sl(u16(19))
        turns += b"\x01\x02" + u16(16390) + sl(b"cookie-cookie")
        turns += b"\x01\x02" + u16(14) + sl(b"")
        turns += b"\x01\x03\x00\x5e" + sl(b"\x04" * 64) + sl(b"\x4e" * 32) + b"\x01" + u16(16430) + sl(b"")
        turns += b"\x01\x04" + b"\x01\x05" + b"\x00"
        probe.append(bytes([flags]) + turns)
    write(corpus, "probe_exchange", probe)

    # ICMP: fragmentation needed (MTU 1400, 68, 0) quoting an echo request;
    # ICMPv6 packet too big (1280, 65535); error-queue entries.
    echo_v4 = bytes([0x45, 0, 0, 84, 0, 0, 0x40, 0, 64, 1, 0, 0, 192, 0, 2, 1, 198, 51, 100, 7]) + bytes([8, 0, 0, 0, 0x12, 0x34, 0, 1])
    v4hdr = bytes([0x45, 0, 0, 56, 0, 0, 0, 0, 64, 1, 0, 0, 192, 0, 2, 254, 192, 0, 2, 1])
    echo_v6 = bytes([0x60, 0, 0, 0, 0, 8, 58, 64]) + bytes(32) + bytes([128, 0, 0, 0, 0x12, 0x34, 0, 1])
    icmp = []
    for mtu in (1400, 68, 0, 65535):
        too_big = bytes([3, 4, 0, 0, 0, 0]) + u16(mtu) + echo_v4
        icmp.append(bytes([0]) + u16(0) + (bytes([0]) + sl(v4hdr + too_big)) * 3)
        ptb = bytes([2, 0, 0, 0]) + struct.pack(">I", mtu) + echo_v6
        icmp.append(bytes([1]) + u16(0) + (bytes([1]) + sl(ptb)) * 3)
        ee = struct.pack("<IBBBBII", 90, 2, 3, 4, 0, mtu, 0) + struct.pack("<H", 2) + bytes([0, 0, 192, 0, 2, 254]) + bytes(8)
        icmp.append(bytes([0]) + u16(0) + (bytes([2]) + sl(ee)) * 3)
    write(corpus, "icmp_error", icmp)

    write(corpus, "phonebook", [open(p, "rb").read() for p in sorted(glob.glob(os.path.join(FIXTURES, "*.pbk")))])
    write(corpus, "netlogon", [open(p, "rb").read() for p in sorted(glob.glob(os.path.join(FIXTURES, "netlogon-*.log")))])
    write(corpus, "sixtofour_input", [
        b"198.51.100.83\n203.0.113.0/24\n2002:c633:6453::c633:6453\n",
        b"2001:0:4136:e378:8000:63bf:3fff:fdd2\r\n::0:5efe:192.0.2.1\r\n# comment\r\nbogus\r\n",
        b"\xff\xfe" + "10.0.0.1\r\n2002:cb00:7100::/40\r\nfe80::5efe:10.0.0.1%12\r\n".encode("utf-16-le"),
    ])
    write(corpus, "proposal_notation", [
        b"aes256-sha256-modp2048", b"aes256gcm16-prfsha384-ecp384",
        b"aes128-sha1-modp1024,3des-sha1-modp1024", b"windows", b"aovpn", b"all",
        b"aes256-aes128-sha256-sha1-prfsha384-ecp256-modp2048",
    ])
    events = sorted(glob.glob(os.path.join(FIXTURES, "events", "*.xml")) +
                    glob.glob(os.path.join(FIXTURES, "events", "*.evtx")))
    write(corpus, "events_read", [open(p, "rb").read() for p in events])
    words = lambda *w: b"\0".join(x.encode() for x in w)
    write(corpus, "cli_args", [
        b"\x00" + words("vpn.example.com", "--timeout", "0.5", "--proposals", "windows"),
        b"\x01" + words("198.51.100.7", "--ike", "--port", "4500", "--min", "1200", "--max", "1500"),
        b"\x02" + words("[2001:db8::1]", "-6", "--frag-size", "2000", "--retransmits", "5"),
        b"\x03" + words("x.pcapng", "--ike-port", "10500", "--frag-timeout", "5"),
        b"\x06" + words("198.51.100.10", "--find-backends", "10.20.0.0/16,10.1.2.3", "--rounds", "3"),
        b"\x06" + words("2001:db8::10", "--find-backends=default", "--backends", "[2001:db8::5]"),
        b"\x06" + words("vpn.example.com", "--snat-candidates", "10.1.0.2,10.1.0.3", "--find-backends"),
    ])


if __name__ == "__main__":
    main()
