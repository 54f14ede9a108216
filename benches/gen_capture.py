#!/usr/bin/env python3
"""Writes a large classic pcap (Ethernet, microseconds) for benches/pcap_bench.sh:
mostly ordinary traffic (TCP bulk data and ACKs, DNS, NTP-sized UDP) with an IKEv2
session spliced into every chunk: IKE_SA_INIT on 500, IKE_AUTH on 4500 as two IP
fragments in each direction, ESP-in-UDP, a NAT keepalive, and in every fourth chunk
an IKE_AUTH whose second fragment is missing (so reassembly has work and reports).

    python3 benches/gen_capture.py OUT.pcap SIZE_MB

Fast because it builds one ~4 MB chunk once and then only patches timestamps,
SPIs and IP IDs in copies of it. Deterministic. Not committed as data.
"""

import struct
import sys

sys.path.insert(0, __import__("os").path.join(__import__("os").path.dirname(__file__), "..", "fixtures"))
import make_edge_cases as m  # noqa: E402  (IKE/IP/pcap builders)

C = bytes([198, 18, 1, 10])
S = bytes([198, 19, 2, 20])
H1 = bytes([198, 18, 7, 7])
H2 = bytes([198, 19, 9, 9])


def tcp(sport, dport, seq, ack, payload, flags=0x10):
    return struct.pack(">HHIIBBHHH", sport, dport, seq, ack, 0x50, flags, 65535, 0, 0) + payload


def build_chunk(lost):
    """Returns (bytes, record offsets, spi offsets, ipid offsets, duration)."""
    frames = []  # (dt, ethernet frame, spi positions in frame, ipid pos)
    # Ordinary traffic: 4,000 frames, one bulk TCP download (1,460-byte
    # segments, in order, the receiver ACKing every second one), DNS, NTP.
    seq = 1
    for i in range(4000):
        r = i % 10
        if r < 6:
            data = m.ipv4(H1, H2, 6, i & 0xFFFF, tcp(443, 50000, seq, 1, m.filler(1460, i % 13)))
            seq += 1460
        elif r < 8:
            data = m.ipv4(H2, H1, 6, i & 0xFFFF, tcp(50000, 443, 1, seq, b""))
        elif r == 8:
            data = m.ipv4(H1, H2, 17, i & 0xFFFF, m.udp(53000 + (i % 100), 53, m.filler(60, i % 5)))
        else:
            data = m.ipv4(H2, H1, 17, i & 0xFFFF, m.udp(123, 123, m.filler(48, 3)))
        frames.append((0.0002, m.eth(0x0800, data), [], None))
    # One IKE session.
    req, resp = m.sa_init_pair(C, S, True, False)
    ike = []
    ike.append(m.eth(0x0800, m.ipv4(C, S, 17, 1, m.udp(500, 500, req))))
    ike.append(m.eth(0x0800, m.ipv4(S, C, 17, 2, m.udp(500, 500, resp))))
    auth = m.udp(4500, 4500, b"\0\0\0\0" + m.auth_request(2180))
    for f in m.fragment_v4(C, S, 3, auth, 1400):
        ike.append(m.eth(0x0800, f))
    back = m.udp(4500, 4500, b"\0\0\0\0" + m.auth_response(1900))
    for f in m.fragment_v4(S, C, 4, back, 1400):
        ike.append(m.eth(0x0800, f))
    for seq_no in range(1, 20):
        ike.append(m.eth(0x0800, m.ipv4(C, S, 17, 10 + seq_no, m.udp(4500, 4500, m.esp(0xC1000001, seq_no, 120)))))
    ike.append(m.eth(0x0800, m.ipv4(C, S, 17, 40, m.udp(4500, 4500, b"\xff"))))
    if lost:
        first = m.fragment_v4(C, S, 5, auth, 1400)[0]
        ike.append(m.eth(0x0800, first))
    # Splice the IKE frames in, spread over the chunk.
    step = len(frames) // (len(ike) + 1)
    out = []
    for i, f in enumerate(frames):
        out.append(f)
        if i % step == step - 1 and ike:
            out.append((0.0002, ike.pop(0), [], None))
    out.extend((0.0002, f, [], None) for f in ike)
    blob = bytearray()
    rec_offsets = []
    spi_offsets = []
    ipid_offsets = []
    port_offsets = []
    t = 0.0
    for dt, frame, _, _ in out:
        rec_offsets.append(len(blob))
        blob += struct.pack("<IIII", 0, 0, len(frame), len(frame))
        start = len(blob)
        blob += frame
        # SPIi of IKE messages: after Ethernet 14 + IP 20 + UDP 8 (+4 marker).
        sport = struct.unpack_from(">H", frame, 34)[0] if frame[23] == 17 else 0
        frag = struct.unpack_from(">H", frame, 20)[0] & 0x1FFF
        if frame[23] == 6:
            # the client port of the TCP flow: destination of data, source of ACKs
            port_offsets.append(start + (36 if struct.unpack_from(">H", frame, 34)[0] == 443 else 34))
        if frame[23] == 17 and struct.unpack_from(">H", frame, 20)[0] & 0x3FFF:
            ipid_offsets.append(start + 18)
        if frame[23] == 17 and frag == 0 and sport in (500, 4500):
            off = 42 if sport == 500 else 46
            if frame[off:off + 8] == m.SPI_I:
                spi_offsets.append(start + off)
        t += dt
    return bytes(blob), rec_offsets, spi_offsets, ipid_offsets, port_offsets, t


def main():
    out, size_mb = sys.argv[1], int(sys.argv[2])
    target = size_mb << 20
    chunks = [build_chunk(False), build_chunk(True)]
    written = 0
    t = m.T0
    n = 0
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        while written < target:
            blob, recs, spis, ipids, ports, dur = chunks[1 if n % 4 == 3 else 0]
            b = bytearray(blob)
            step = dur / len(recs)
            for i, off in enumerate(recs):
                ts = t + i * step
                sec = int(ts)
                struct.pack_into("<II", b, off, sec, int((ts - sec) * 1e6))
            spi = struct.pack(">Q", 0xA1B2C3D400000000 + n)
            for off in spis:
                b[off:off + 8] = spi
            # A new TCP connection per chunk (its sequence numbers restart).
            port = struct.pack(">H", 10000 + n % 50000)
            for off in ports:
                b[off:off + 2] = port
            # Fresh IP IDs per chunk, so datagrams of different sessions
            # never share a reassembly key.
            for off in ipids:
                orig = struct.unpack_from(">H", blob, off)[0]
                struct.pack_into(">H", b, off, (n * 8 + orig) & 0xFFFF)
            f.write(b)
            written += len(b)
            t += dur + 0.5
            n += 1
    print(f"{out}: {written >> 20} MiB, {n} chunks, {n} IKE sessions")


if __name__ == "__main__":
    main()
