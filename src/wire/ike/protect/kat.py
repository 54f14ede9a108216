#!/usr/bin/env python3
"""Independent reference for the known-answer tests in tests.rs.

Implements RFC 7296 §2.13 prf+, §2.14 key derivation and §3.14 / RFC 5282 /
RFC 7383 message protection with Python's hmac/hashlib and the
`cryptography` package (AES), sharing no code with the Rust module.
Run: python3 src/wire/ike/protect/kat.py
"""
import hashlib, hmac, struct
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

def prf(h, k, d): return hmac.new(k, d, h).digest()

def prf_plus(h, k, s, n):
    out, t, i = b"", b"", 1
    while len(out) < n:
        t = prf(h, k, t + s + bytes([i])); out += t; i += 1
    return out[:n]

def derive(h, integ_len, enc_len, shared, ni, nr, spii, spir):
    skeyseed = prf(h, ni + nr, shared)
    plen = h().digest_size
    km = prf_plus(h, skeyseed, ni + nr + spii + spir, 3 * plen + 2 * integ_len + 2 * enc_len)
    names = ["d", "ai", "ar", "ei", "er", "pi", "pr"]
    lens = [plen, integ_len, integ_len, enc_len, enc_len, plen, plen]
    keys, o = {}, 0
    for nm, l in zip(names, lens):
        keys[nm] = km[o:o + l]; o += l
    return skeyseed, keys

def header(spii, spir, nxt, exch, flags, mid, length):
    return spii + spir + bytes([nxt, 0x20, exch, flags]) + struct.pack(">II", mid, length)

def seal_cbc(h_integ, icv_len, ek, ak, hdr_fields, first, inner, iv, skf=None):
    pad = (16 - (len(inner) + 1) % 16) % 16
    plain = inner + b"\0" * pad + bytes([pad])
    prefix = struct.pack(">HH", *skf) if skf else b""
    plen = 4 + len(prefix) + len(iv) + len(plain) + icv_len
    kind = 53 if skf else 46
    hdr = header(*hdr_fields[:2], kind, *hdr_fields[2:], 28 + plen)
    enc = Cipher(algorithms.AES(ek), modes.CBC(iv)).encryptor()
    ct = enc.update(plain) + enc.finalize()
    msg = hdr + bytes([first, 0]) + struct.pack(">H", plen) + prefix + iv + ct
    return msg + hmac.new(ak, msg, h_integ).digest()[:icv_len]

def seal_gcm(ek, hdr_fields, first, inner, iv, skf=None):
    key, salt = ek[:-4], ek[-4:]
    plain = inner + b"\0"
    prefix = struct.pack(">HH", *skf) if skf else b""
    plen = 4 + len(prefix) + 8 + len(plain) + 16
    kind = 53 if skf else 46
    hdr = header(*hdr_fields[:2], kind, *hdr_fields[2:], 28 + plen)
    aad = hdr + bytes([first, 0]) + struct.pack(">H", plen) + prefix
    ct = AESGCM(key).encrypt(salt + iv, plain, aad)
    return aad + iv + ct

shared = bytes(range(256))
ni = bytes([0xa0 + (i % 16) for i in range(32)])
nr = bytes([0xb0 + (i % 16) for i in range(32)])
spii = bytes(range(1, 9)); spir = bytes(range(0x11, 0x19))
# IKE_AUTH request: exchange 35, flags Initiator, message ID 1; inner = an
# IDi payload (ID_FQDN "aovpn-diag.invalid") followed by nothing.
idi = b"\x02\0\0\0" + b"aovpn-diag.invalid"
inner = bytes([0, 0]) + struct.pack(">H", 4 + len(idi)) + idi
fields = (spii, spir, 35, 0x08, 1)

print("prf+ sha256 key=0b*20 seed='seed' 100 bytes:", prf_plus(hashlib.sha256, b"\x0b" * 20, b"seed", 100).hex())

seed, k = derive(hashlib.sha256, 32, 32, shared, ni, nr, spii, spir)
print("A aes256-sha256-prfsha256 SKEYSEED", seed.hex())
for n in k: print("A sk_" + n, k[n].hex())
print("A sealed", seal_cbc(hashlib.sha256, 16, k["ei"], k["ai"], fields, 35, inner, bytes(range(16))).hex())
print("A sealed skf 2/3 by responder", seal_cbc(hashlib.sha256, 16, k["er"], k["ar"], (spii, spir, 35, 0x20, 1), 0, inner, bytes(range(16, 32)), (2, 3)).hex())

seed, k = derive(hashlib.sha384, 0, 36, shared, ni, nr, spii, spir)
print("B aes256gcm16-prfsha384 SKEYSEED", seed.hex())
for n in k: print("B sk_" + n, k[n].hex())
print("B sealed", seal_gcm(k["ei"], fields, 35, inner, bytes(range(8))).hex())
print("B sealed skf 1/2", seal_gcm(k["ei"], fields, 35, inner, bytes(range(8)), (1, 2)).hex())

seed, k = derive(hashlib.sha1, 20, 16, shared, ni, nr, spii, spir)
print("C aes128-sha1-prfsha1 SKEYSEED", seed.hex())
for n in k: print("C sk_" + n, k[n].hex())
print("C sealed", seal_cbc(hashlib.sha1, 12, k["ei"], k["ai"], fields, 35, inner, bytes(range(16))).hex())

seed, k = derive(hashlib.sha512, 64, 24, shared, ni, nr, spii, spir)
print("D aes192-sha512-prfsha512 sk_er", k["er"].hex(), "sk_pr", k["pr"].hex())
print("D sealed", seal_cbc(hashlib.sha512, 32, k["ei"], k["ai"], fields, 35, inner, bytes(range(16))).hex())

seed, k = derive(hashlib.sha256, 0, 20, shared, ni, nr, spii, spir)
print("E aes128gcm16-prfsha256 sealed", seal_gcm(k["ei"], fields, 35, inner, bytes(range(8))).hex())

seed, k = derive(hashlib.sha384, 48, 32, shared, ni, nr, spii, spir)
print("F aes256-sha384-prfsha384 sealed", seal_cbc(hashlib.sha384, 24, k["ei"], k["ai"], fields, 35, inner, bytes(range(16))).hex())
