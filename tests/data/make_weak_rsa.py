#!/usr/bin/env python3
"""Writes tests/data/weak_rsa.json: three RSA-2048 private keys (PKCS#8 DER, hex) that are
internally consistent -- n = p*q, e*d = 1 mod (p-1) and mod (q-1), every CRT value right -- but
break FIPS 186-5 A.1, so key material checks must refuse them:

- composite_p: p = 3*r (r prime), the "prime" p is composite;
- close_primes: |p - q| < 2^(nlen/2 - 100) (Fermat-factorable);
- d_above_lambda: d + lambda(n), which is still an inverse of e mod (p-1) and (q-1) but >= lambda(n).

Deterministic (seeded), pure Python 3 (no dependencies): python3 tests/data/make_weak_rsa.py
"""
import json, math, random

rng = random.Random(20261130)
E = 65537

def is_probable_prime(n, rounds=40):
    if n < 2:
        return False
    for p in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29):
        if n % p == 0:
            return n == p
    d, s = n - 1, 0
    while d % 2 == 0:
        d, s = d // 2, s + 1
    for _ in range(rounds):
        a = rng.randrange(2, n - 1)
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True

def random_prime(bits, top=0b11, top_len=2):
    """A prime of exactly `bits` bits whose top `top_len` bits are `top`."""
    while True:
        c = rng.getrandbits(bits) | (top << (bits - top_len)) | 1
        if math.gcd(c - 1, E) == 1 and is_probable_prime(c):
            return c

def der_len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b

def tlv(tag, content):
    return bytes([tag]) + der_len(len(content)) + content

def der_int(v):
    b = v.to_bytes(max(1, (v.bit_length() + 8) // 8), "big")  # leading 0 when the top bit is set
    while len(b) > 1 and b[0] == 0 and b[1] < 0x80:
        b = b[1:]
    return tlv(0x02, b)

def pkcs8(n, e, d, p, q):
    dp, dq, qinv = d % (p - 1), d % (q - 1), pow(q, -1, p)
    rsa_key = tlv(0x30, b"".join(der_int(x) for x in (0, n, e, d, p, q, dp, dq, qinv)))
    alg = tlv(0x30, tlv(0x06, bytes.fromhex("2a864886f70d010101")) + b"\x05\x00")
    return tlv(0x30, der_int(0) + alg + tlv(0x04, rsa_key))

def key(p, q, d=None):
    assert p.bit_length() == 1024 and q.bit_length() == 1024 and p != q
    lam = (p - 1) * (q - 1) // math.gcd(p - 1, q - 1)
    if d is None:
        d = pow(E, -1, lam)
    n = p * q
    assert n.bit_length() == 2048
    assert (E * d) % (p - 1) == 1 and (E * d) % (q - 1) == 1
    return pkcs8(n, E, d, p, q).hex()

def composite_p():
    # p = 3r with r a 1022-bit prime >= 0.96875 * 2^1022, so p is 1024 bits and >= sqrt(2) * 2^1023.
    while True:
        r = random_prime(1022, top=0b11111, top_len=5)
        p = 3 * r
        if p.bit_length() == 1024 and math.gcd(p - 1, E) == 1 and p * p >= 1 << 2047:
            return p

def main():
    q = random_prime(1024)
    weak = {
        "composite_p": key(composite_p(), q),
    }
    p = random_prime(1024)
    close = p + 2
    while not (math.gcd(close - 1, E) == 1 and is_probable_prime(close)):
        close += 2
    assert abs(close - p) < 1 << (1024 - 100)
    weak["close_primes"] = key(p, close)
    p, q = random_prime(1024), random_prime(1024)
    lam = (p - 1) * (q - 1) // math.gcd(p - 1, q - 1)
    weak["d_above_lambda"] = key(p, q, pow(E, -1, lam) + lam)
    weak["valid"] = key(p, q)
    with open(__file__.replace("make_weak_rsa.py", "weak_rsa.json"), "w") as f:
        json.dump(weak, f, indent=1)
        f.write("\n")

main()
