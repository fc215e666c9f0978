#!/usr/bin/env python3
"""pyca `cryptography` side of tests/interop_pyca.rs.

Reads a JSON list of operations on stdin, writes a JSON list of results (same order) on stdout.
All byte strings are hex. Encryption follows the AWS KMS developer guide's Python recipe:
OAEP with MGF1 of the same hash and no label; RSA_AES_KEY_WRAP = OAEP of a fresh 32-byte AES key,
then `keywrap.aes_key_wrap_with_padding` of the material, RSA block first.

pyca has no SM2 (neither the curve nor SM2 encryption), so SM2PKE is tested only against OpenSSL.

Operations:
  {"op": "pub_info", "der": hex}             -> {"key_size", "e", "spki": hex re-encoding}
  {"op": "priv_info", "der": hex}            -> {"key_size", "spki": hex of the public half}
  {"op": "gen_rsa", "bits": n}               -> {"pkcs8": hex, "spki": hex}
  {"op": "gen_ec", "curve": "P-256"|"P-521"} -> {"pkcs8": hex}
  {"op": "encrypt", "alg", "pub": hex, "material": hex [, "mgf1": "sha1"|"sha256"]
                    [, "leading_zero": true]} -> {"ct": hex}
  {"op": "decrypt", "alg", "priv": hex, "ct": hex [, "mgf1": ...]}
                                             -> {"material": hex} or {"error": text}
"""

import json
import os
import sys

from cryptography.hazmat.primitives import hashes, keywrap, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

HASHES = {"sha1": hashes.SHA1, "sha256": hashes.SHA256}

ALGORITHMS = {
    # name: (hash, RSA_AES_KEY_WRAP?)
    "RSAES_OAEP_SHA_1": ("sha1", False),
    "RSAES_OAEP_SHA_256": ("sha256", False),
    "RSA_AES_KEY_WRAP_SHA_1": ("sha1", True),
    "RSA_AES_KEY_WRAP_SHA_256": ("sha256", True),
}

# Enough tries to find a ciphertext whose first byte is zero (about 1 in 256) with certainty.
LEADING_ZERO_TRIES = 20000


_PRIVATE_KEYS = {}


def load_private(der_hex):
    """load_der_private_key, once per key and process: pyca validates RSA private keys on load
    (RSA_check_key with primality tests, ~0.4 s for RSA-4096)."""
    if der_hex not in _PRIVATE_KEYS:
        _PRIVATE_KEYS[der_hex] = serialization.load_der_private_key(
            bytes.fromhex(der_hex), password=None
        )
    return _PRIVATE_KEYS[der_hex]


def oaep(md, mgf1=None):
    return padding.OAEP(
        mgf=padding.MGF1(algorithm=HASHES[mgf1 or md]()),
        algorithm=HASHES[md](),
        label=None,
    )


def spki(public_key):
    return public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def pkcs8(private_key):
    return private_key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def encrypt(job):
    md, rsa_aes = ALGORITHMS[job["alg"]]
    public_key = serialization.load_der_public_key(bytes.fromhex(job["pub"]))
    material = bytes.fromhex(job["material"])
    pad = oaep(md, job.get("mgf1"))
    if rsa_aes:
        aes_key = os.urandom(32)
        tail = keywrap.aes_key_wrap_with_padding(aes_key, material)
        plain = aes_key
    else:
        tail = b""
        plain = material
    tries = LEADING_ZERO_TRIES if job.get("leading_zero") else 1
    for _ in range(tries):
        block = public_key.encrypt(plain, pad)
        if not job.get("leading_zero") or block[0] == 0:
            return {"ct": (block + tail).hex()}
    raise RuntimeError("no ciphertext with a leading zero byte")


def decrypt(job):
    md, rsa_aes = ALGORITHMS[job["alg"]]
    private_key = load_private(job["priv"])
    ct = bytes.fromhex(job["ct"])
    pad = oaep(md, job.get("mgf1"))
    try:
        if rsa_aes:
            k = (private_key.key_size + 7) // 8
            aes_key = private_key.decrypt(ct[:k], pad)
            material = keywrap.aes_key_unwrap_with_padding(aes_key, ct[k:])
        else:
            material = private_key.decrypt(ct, pad)
    except Exception as e:  # the caller asserts on success or failure
        return {"error": f"{type(e).__name__}: {e}"}
    return {"material": material.hex()}


def run(job):
    op = job["op"]
    if op == "pub_info":
        key = serialization.load_der_public_key(bytes.fromhex(job["der"]))
        return {"key_size": key.key_size, "e": key.public_numbers().e, "spki": spki(key).hex()}
    if op == "priv_info":
        key = load_private(job["der"])
        return {"key_size": key.key_size, "spki": spki(key.public_key()).hex()}
    if op == "gen_rsa":
        key = rsa.generate_private_key(public_exponent=65537, key_size=job["bits"])
        return {"pkcs8": pkcs8(key).hex(), "spki": spki(key.public_key()).hex()}
    if op == "gen_ec":
        curve = {"P-256": ec.SECP256R1, "P-521": ec.SECP521R1}[job["curve"]]
        return {"pkcs8": pkcs8(ec.generate_private_key(curve())).hex()}
    if op == "encrypt":
        return encrypt(job)
    if op == "decrypt":
        return decrypt(job)
    raise ValueError(f"unknown op {op!r}")


def main():
    jobs = json.load(sys.stdin)
    json.dump([run(job) for job in jobs], sys.stdout)


if __name__ == "__main__":
    main()
