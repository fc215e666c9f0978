"""Every key spec the server accepts, in aws (us-east-1) and aws-cn (cn-north-1): create a key,
get parameters for every wrapping algorithm x wrapping key spec (the allowed ones import, the
refused ones answer UnsupportedOperationException), wrap OUTSIDE the project (pyca, openssl),
import, then prove the material is the one wrapped."""

import datetime
import hashlib
import hmac
import json
import os
import secrets
import subprocess

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

import sm2_oracle
from harness import BIN, Server, Skip, expect_error, have_sm2_openssl, openssl, openssl_sm2_verify, test, wrap

DER = serialization.Encoding.DER
PKCS8 = serialization.PrivateFormat.PKCS8
SPKI = serialization.PublicFormat.SubjectPublicKeyInfo
NOENC = serialization.NoEncryption()
CURVES = {"ECC_NIST_P256": ec.SECP256R1, "ECC_NIST_P384": ec.SECP384R1,
          "ECC_NIST_P521": ec.SECP521R1, "ECC_SECG_P256K1": ec.SECP256K1}
ECDSA_HASH = {"ECC_NIST_P256": hashes.SHA256, "ECC_SECG_P256K1": hashes.SHA256,
              "ECC_NIST_P384": hashes.SHA384, "ECC_NIST_P521": hashes.SHA512}
HMAC_LEN = {"HMAC_224": 28, "HMAC_256": 32, "HMAC_384": 48, "HMAC_512": 64}
HASH = {"224": hashlib.sha224, "256": hashlib.sha256, "384": hashlib.sha384, "512": hashlib.sha512}
PYCA_HASH = {"256": hashes.SHA256, "384": hashes.SHA384, "512": hashes.SHA512}


def matrix(partition):
    out = subprocess.run([BIN, "matrix", "--json", "--partition", partition],
                         capture_output=True, check=True, text=True).stdout
    return json.loads(out)


def local_material(spec, partition):
    """The material, made locally: raw bytes, or a PKCS#8 private key (pyca; openssl for SM2)."""
    if spec == "SYMMETRIC_DEFAULT":
        return os.urandom(16 if partition == "aws-cn" else 32), None
    if spec in HMAC_LEN:
        return os.urandom(HMAC_LEN[spec]), None
    if spec.startswith("RSA_"):
        key = rsa.generate_private_key(public_exponent=65537, key_size=int(spec[4:]))
    elif spec in CURVES:
        key = ec.generate_private_key(CURVES[spec]())
    elif spec == "SM2":
        pem = openssl("genpkey", "-algorithm", "SM2")
        return openssl("pkcs8", "-topk8", "-nocrypt", "-outform", "DER", data=pem), None
    else:
        raise ValueError(spec)
    return key.private_bytes(DER, PKCS8, NOENC), key


def sweep(kms, partition, spec, usage, entries):
    """Imports the same material through every allowed combination (the first a new import,
    then reimports, which must give the same KeyMaterialId); refused ones must be refused."""
    meta = kms.create_key(Origin="EXTERNAL", KeySpec=spec, KeyUsage=usage)["KeyMetadata"]
    key_id, arn = meta["KeyId"], meta["Arn"]
    assert meta["KeyState"] == "PendingImport" and meta["Enabled"] is False
    material, local_key = local_material(spec, partition)
    material_id = None
    imported = 0
    for e in entries:
        if e["key_spec"] != spec:
            continue
        alg, wks = e["wrapping_algorithm"], e["wrapping_key_spec"]
        if not e["allowed"]:
            expect_error("UnsupportedOperationException", kms.get_parameters_for_import,
                         KeyId=key_id, WrappingAlgorithm=alg, WrappingKeySpec=wks)
            continue
        p = kms.get_parameters_for_import(KeyId=key_id, WrappingAlgorithm=alg, WrappingKeySpec=wks)
        assert p["KeyId"] == arn, p["KeyId"]
        left = p["ParametersValidTo"] - datetime.datetime.now(datetime.timezone.utc)
        assert datetime.timedelta(hours=23) < left <= datetime.timedelta(hours=24, minutes=1), left
        encrypted = wrap(alg, p["PublicKey"], material)
        r = kms.import_key_material(KeyId=arn if imported % 2 else key_id, ImportToken=p["ImportToken"],
                                    EncryptedKeyMaterial=encrypted,
                                    ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE")
        assert r["KeyId"] == arn
        assert len(r["KeyMaterialId"]) == 64 and r["KeyMaterialId"] == r["KeyMaterialId"].lower()
        assert material_id in (None, r["KeyMaterialId"]), "a reimport changed the KeyMaterialId"
        material_id = r["KeyMaterialId"]
        imported += 1
    assert imported > 0, f"no combination imports {spec} in {partition}"
    meta = kms.describe_key(KeyId=key_id)["KeyMetadata"]
    assert meta["KeyState"] == "Enabled" and meta["Enabled"] is True, meta
    assert meta["ExpirationModel"] == "KEY_MATERIAL_DOES_NOT_EXPIRE"
    return key_id, material, local_key, imported


def import_once(kms, partition, spec, usage, material, alg, wks):
    key_id = kms.create_key(Origin="EXTERNAL", KeySpec=spec, KeyUsage=usage)["KeyMetadata"]["KeyId"]
    p = kms.get_parameters_for_import(KeyId=key_id, WrappingAlgorithm=alg, WrappingKeySpec=wks)
    kms.import_key_material(KeyId=key_id, ImportToken=p["ImportToken"],
                            EncryptedKeyMaterial=wrap(alg, p["PublicKey"], material),
                            ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE")
    return key_id


def prove_symmetric(kms, key_id):
    for context in ({}, {"purpose": "test", "a": "b"}):
        ct = kms.encrypt(KeyId=key_id, Plaintext=b"secret data", EncryptionContext=context)["CiphertextBlob"]
        d = kms.decrypt(CiphertextBlob=ct, EncryptionContext=context)
        assert d["Plaintext"] == b"secret data" and d["EncryptionAlgorithm"] == "SYMMETRIC_DEFAULT"
    expect_error("InvalidCiphertextException", kms.decrypt, CiphertextBlob=ct, EncryptionContext={"x": "y"})
    expect_error("InvalidCiphertextException", kms.decrypt, CiphertextBlob=ct[:-1] + bytes([ct[-1] ^ 1]),
                 EncryptionContext=context)


def prove_hmac(kms, key_id, spec, material):
    alg = "HMAC_SHA_" + spec[5:]
    message = b"the message"
    mac = kms.generate_mac(KeyId=key_id, Message=message, MacAlgorithm=alg)["Mac"]
    assert mac == hmac.new(material, message, HASH[spec[5:]]).digest(), "MAC differs from Python's hmac"
    assert kms.verify_mac(KeyId=key_id, Message=message, MacAlgorithm=alg, Mac=mac)["MacValid"]
    expect_error("KMSInvalidMacException", kms.verify_mac, KeyId=key_id, Message=b"other",
                 MacAlgorithm=alg, Mac=mac)


def prove_rsa_sign(kms, key_id, local_key):
    public = local_key.public_key()
    message = b"to be signed"
    for h in ("256", "384", "512"):
        for scheme in ("PKCS1_V1_5", "PSS"):
            alg = f"RSASSA_{scheme}_SHA_{h}"
            sig = kms.sign(KeyId=key_id, Message=message, SigningAlgorithm=alg)["Signature"]
            pad = (padding.PKCS1v15() if scheme == "PKCS1_V1_5" else
                   padding.PSS(mgf=padding.MGF1(PYCA_HASH[h]()), salt_length=PYCA_HASH[h]().digest_size))
            public.verify(sig, message, pad, PYCA_HASH[h]())
            digest = HASH[h](message).digest()
            sig = kms.sign(KeyId=key_id, Message=digest, MessageType="DIGEST", SigningAlgorithm=alg)["Signature"]
            public.verify(sig, message, pad, PYCA_HASH[h]())
            assert kms.verify(KeyId=key_id, Message=message, Signature=sig, SigningAlgorithm=alg)["SignatureValid"]
    expect_error("KMSInvalidSignatureException", kms.verify, KeyId=key_id, Message=b"x", Signature=sig,
                 SigningAlgorithm="RSASSA_PSS_SHA_512")
    served = kms.get_public_key(KeyId=key_id)["PublicKey"]
    assert served == public.public_bytes(DER, SPKI)


def prove_rsa_decrypt(kms, key_id, local_key):
    public = local_key.public_key()
    for h, pyca in (("1", hashes.SHA1), ("256", hashes.SHA256)):
        alg = f"RSAES_OAEP_SHA_{h}"
        oaep = padding.OAEP(mgf=padding.MGF1(pyca()), algorithm=pyca(), label=None)
        ct = public.encrypt(b"made locally", oaep)
        assert kms.decrypt(KeyId=key_id, CiphertextBlob=ct, EncryptionAlgorithm=alg)["Plaintext"] == b"made locally"
        ct = kms.encrypt(KeyId=key_id, Plaintext=b"made by KMS", EncryptionAlgorithm=alg)["CiphertextBlob"]
        assert local_key.decrypt(ct, oaep) == b"made by KMS"
    expect_error("InvalidCiphertextException", kms.decrypt, KeyId=key_id, CiphertextBlob=os.urandom(256),
                 EncryptionAlgorithm="RSAES_OAEP_SHA_256")


def prove_ecdsa(kms, key_id, spec, local_key):
    alg = "ECDSA_SHA_" + {"ECC_NIST_P384": "384", "ECC_NIST_P521": "512"}.get(spec, "256")
    h = ECDSA_HASH[spec]
    message = b"to be signed"
    sig = kms.sign(KeyId=key_id, Message=message, SigningAlgorithm=alg)["Signature"]
    local_key.public_key().verify(sig, message, ec.ECDSA(h()))
    digest = hashlib.new(h.name, message).digest()
    sig = kms.sign(KeyId=key_id, Message=digest, MessageType="DIGEST", SigningAlgorithm=alg)["Signature"]
    local_key.public_key().verify(sig, digest, ec.ECDSA(Prehashed(h())))
    assert kms.verify(KeyId=key_id, Message=message, Signature=sig, SigningAlgorithm=alg)["SignatureValid"]
    assert kms.get_public_key(KeyId=key_id)["PublicKey"] == local_key.public_key().public_bytes(DER, SPKI)


def prove_ecdh(kms, key_id, spec, local_key):
    peer = ec.generate_private_key(CURVES[spec]())
    r = kms.derive_shared_secret(KeyId=key_id, KeyAgreementAlgorithm="ECDH",
                                 PublicKey=peer.public_key().public_bytes(DER, SPKI))
    assert r["SharedSecret"] == local_key.exchange(ec.ECDH(), peer.public_key()), "ECDH differs"
    assert r["KeyOrigin"] == "EXTERNAL"


def prove_sm2(kms, sign_key, agree_key, material):
    local_public = openssl("pkey", "-inform", "DER", "-pubout", "-outform", "DER", data=material)
    assert kms.get_public_key(KeyId=sign_key)["PublicKey"] == local_public
    message = b"to be signed with SM2"
    sig = kms.sign(KeyId=sign_key, Message=message, SigningAlgorithm="SM2DSA")["Signature"]
    assert openssl_sm2_verify(local_public, message, sig), "openssl does not verify the SM2 signature"
    assert kms.verify(KeyId=sign_key, Message=message, Signature=sig, SigningAlgorithm="SM2DSA")["SignatureValid"]
    d_peer = secrets.randbelow(sm2_oracle.N - 1) + 1
    served = kms.get_public_key(KeyId=agree_key)["PublicKey"]
    r = kms.derive_shared_secret(KeyId=agree_key, KeyAgreementAlgorithm="ECDH",
                                 PublicKey=sm2_oracle.spki(sm2_oracle.mul(d_peer, sm2_oracle.G)))
    expected = sm2_oracle.mul(d_peer, sm2_oracle.point_from_spki(served))[0].to_bytes(32, "big")
    assert r["SharedSecret"] == expected, "SM2 ECDH differs from the local computation"


def partition_sweep(region, partition):
    entries = matrix(partition)
    specs = sorted({e["key_spec"] for e in entries if e["allowed"]})
    if partition == "aws-cn" and not have_sm2_openssl():
        raise Skip("the openssl CLI with SM2 is needed for SM2PKE and SM2 keys")
    total = 0
    with Server(region=region) as srv:
        kms = srv.client()
        for spec in specs:
            if spec == "SYMMETRIC_DEFAULT":
                key_id, material, _, n = sweep(kms, partition, spec, "ENCRYPT_DECRYPT", entries)
                prove_symmetric(kms, key_id)
            elif spec in HMAC_LEN:
                key_id, material, _, n = sweep(kms, partition, spec, "GENERATE_VERIFY_MAC", entries)
                prove_hmac(kms, key_id, spec, material)
            elif spec.startswith("RSA_"):
                key_id, material, local_key, n = sweep(kms, partition, spec, "SIGN_VERIFY", entries)
                prove_rsa_sign(kms, key_id, local_key)
                alg, wks = ("SM2PKE", "SM2") if partition == "aws-cn" else ("RSA_AES_KEY_WRAP_SHA_256", "RSA_4096")
                other = import_once(kms, partition, spec, "ENCRYPT_DECRYPT", material, alg, wks)
                prove_rsa_decrypt(kms, other, local_key)
            elif spec in CURVES:
                key_id, material, local_key, n = sweep(kms, partition, spec, "SIGN_VERIFY", entries)
                prove_ecdsa(kms, key_id, spec, local_key)
                if spec != "ECC_SECG_P256K1":
                    other = import_once(kms, partition, spec, "KEY_AGREEMENT", material,
                                        "RSAES_OAEP_SHA_256", "RSA_4096")
                    prove_ecdh(kms, other, spec, local_key)
            elif spec == "SM2":
                key_id, material, _, n = sweep(kms, partition, spec, "SIGN_VERIFY", entries)
                other = import_once(kms, partition, spec, "KEY_AGREEMENT", material, "SM2PKE", "SM2")
                prove_sm2(kms, key_id, other, material)
            else:
                raise AssertionError(f"untested key spec {spec}")
            print(f"        {partition} {spec}: {n} imports", flush=True)
            total += n
    expected = sum(1 for e in entries if e["allowed"])
    assert total == expected, (total, expected)


@test
def every_key_spec_and_combination_in_aws():
    partition_sweep("us-east-1", "aws")


@test
def every_key_spec_and_combination_in_aws_cn():
    partition_sweep("cn-north-1", "aws-cn")


@test
def the_boto3_example_from_the_issue_runs_verbatim():
    with Server() as srv:
        kms = __import__("boto3").client("kms", endpoint_url=srv.url, region_name="us-east-2",
                                         aws_access_key_id="test", aws_secret_access_key="test")
        key_id = kms.create_key(Origin="EXTERNAL", KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]["KeyId"]
        params = kms.get_parameters_for_import(KeyId=key_id, WrappingAlgorithm="RSAES_OAEP_SHA_1", WrappingKeySpec="RSA_2048")
        assert params["KeyId"].startswith("arn:aws:kms:us-east-1:111122223333:key/")
        assert isinstance(params["ImportToken"], bytes) and isinstance(params["PublicKey"], bytes)
        serialization.load_der_public_key(params["PublicKey"])
        assert isinstance(params["ParametersValidTo"], datetime.datetime)


if __name__ == "__main__":
    from harness import main
    main()
