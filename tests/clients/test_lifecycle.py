"""Key states, rotation of imported material, expiry, every refusal the core knows as the
exception boto3 raises, the protocol's own errors, SigV4, restart, kill -9 under load, and many
concurrent clients."""

import datetime
import http.client
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import threading
import time

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from harness import Server, error_code, expect_error, test, wrap

NO_EXPIRY = {"ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}


def new_key(kms, spec="SYMMETRIC_DEFAULT", usage="ENCRYPT_DECRYPT"):
    return kms.create_key(Origin="EXTERNAL", KeySpec=spec, KeyUsage=usage)["KeyMetadata"]["KeyId"]


def params(kms, key_id, alg="RSAES_OAEP_SHA_256", wks="RSA_2048"):
    return kms.get_parameters_for_import(KeyId=key_id, WrappingAlgorithm=alg, WrappingKeySpec=wks)


def do_import(kms, key_id, material, p=None, alg="RSAES_OAEP_SHA_256", **kwargs):
    p = p or params(kms, key_id, alg)
    args = dict(NO_EXPIRY)
    args.update(kwargs)
    return kms.import_key_material(KeyId=key_id, ImportToken=p["ImportToken"],
                                   EncryptedKeyMaterial=wrap(alg, p["PublicKey"], material), **args)


def state(kms, key_id):
    return kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"]


@test
def key_states_follow_the_key_state_table():
    with Server() as srv:
        kms = srv.client()
        key = new_key(kms)
        assert state(kms, key) == "PendingImport"
        expect_error("KMSInvalidStateException", kms.enable_key, KeyId=key)
        expect_error("KMSInvalidStateException", kms.disable_key, KeyId=key)
        expect_error("KMSInvalidStateException", kms.encrypt, KeyId=key, Plaintext=b"x")
        do_import(kms, key, os.urandom(32))
        assert state(kms, key) == "Enabled"
        kms.disable_key(KeyId=key)
        assert state(kms, key) == "Disabled"
        expect_error("DisabledException", kms.encrypt, KeyId=key, Plaintext=b"x")
        kms.enable_key(KeyId=key)
        ct = kms.encrypt(KeyId=key, Plaintext=b"x")["CiphertextBlob"]
        expect_error("ValidationException", kms.schedule_key_deletion, KeyId=key, PendingWindowInDays=5)
        r = kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=7)
        assert r["KeyState"] == "PendingDeletion" and r["PendingWindowInDays"] == 7
        expect_error("KMSInvalidStateException", kms.schedule_key_deletion, KeyId=key)
        expect_error("KMSInvalidStateException", kms.decrypt, CiphertextBlob=ct)
        expect_error("KMSInvalidStateException", params, kms, key)
        expect_error("KMSInvalidStateException", kms.enable_key, KeyId=key)
        kms.cancel_key_deletion(KeyId=key)
        assert state(kms, key) == "Disabled"
        kms.enable_key(KeyId=key)
        kms.delete_imported_key_material(KeyId=key)
        meta = kms.describe_key(KeyId=key)["KeyMetadata"]
        assert meta["KeyState"] == "PendingImport" and "ExpirationModel" not in meta
        assert "CurrentKeyMaterialId" in meta
        expect_error("KMSInvalidStateException", kms.decrypt, CiphertextBlob=ct)
        # A key that never had material returns to PendingImport when its deletion is cancelled.
        other = new_key(kms)
        kms.schedule_key_deletion(KeyId=other)
        kms.cancel_key_deletion(KeyId=other)
        assert state(kms, other) == "PendingImport"
        ids = []
        marker = None
        while True:
            page = kms.list_keys(Limit=1, **({"Marker": marker} if marker else {}))
            ids += [k["KeyId"] for k in page["Keys"]]
            if not page["Truncated"]:
                break
            marker = page["NextMarker"]
        assert ids == [key, other], ids


@test
def imported_material_rotates_on_demand():
    with Server() as srv:
        kms = srv.client()
        key = new_key(kms)
        a, b = os.urandom(32), os.urandom(32)
        id_a = do_import(kms, key, a, KeyMaterialDescription="first one")["KeyMaterialId"]
        ct_a = kms.encrypt(KeyId=key, Plaintext=b"under a")["CiphertextBlob"]
        expect_error("KMSInvalidStateException", kms.rotate_key_on_demand, KeyId=key)
        expect_error("IncorrectKeyMaterialException", do_import, kms, key, b)  # default EXISTING
        expect_error("IncorrectKeyMaterialException", do_import, kms, key, a, ImportType="NEW_KEY_MATERIAL")
        id_b = do_import(kms, key, b, ImportType="NEW_KEY_MATERIAL")["KeyMaterialId"]
        assert id_a != id_b
        meta = kms.describe_key(KeyId=key)["KeyMetadata"]
        assert meta["CurrentKeyMaterialId"] == id_a
        expect_error("KMSInvalidStateException", do_import, kms, key, os.urandom(32), ImportType="NEW_KEY_MATERIAL")
        kms.rotate_key_on_demand(KeyId=key)
        assert kms.describe_key(KeyId=key)["KeyMetadata"]["CurrentKeyMaterialId"] == id_b
        assert kms.decrypt(CiphertextBlob=ct_a)["KeyMaterialId"] == id_a
        ct_b = kms.encrypt(KeyId=key, Plaintext=b"under b")["CiphertextBlob"]
        assert kms.decrypt(CiphertextBlob=ct_b)["KeyMaterialId"] == id_b
        rotations = kms.list_key_rotations(KeyId=key, IncludeKeyMaterial="ALL_KEY_MATERIAL")["Rotations"]
        assert [(r["KeyMaterialId"], r["KeyMaterialState"]) for r in rotations] == [(id_a, "NON_CURRENT"), (id_b, "CURRENT")]
        assert rotations[0]["KeyMaterialDescription"] == "first one"
        only = kms.list_key_rotations(KeyId=key)["Rotations"]
        assert [r["KeyMaterialId"] for r in only] == [id_b] and only[0]["RotationType"] == "ON_DEMAND"
        expect_error("KMSInvalidStateException", kms.rotate_key_on_demand, KeyId=key)
        # Delete the old material: the key waits for it; reimport it by id.
        kms.delete_imported_key_material(KeyId=key, KeyMaterialId=id_a)
        assert state(kms, key) == "PendingImport"
        expect_error("KMSInvalidStateException", kms.decrypt, CiphertextBlob=ct_b)
        expect_error("IncorrectKeyMaterialException", do_import, kms, key, a, ImportType="EXISTING_KEY_MATERIAL", KeyMaterialId=id_b)
        expect_error("ValidationException", do_import, kms, key, a, ImportType="NEW_KEY_MATERIAL", KeyMaterialId=id_a)
        do_import(kms, key, a, ImportType="EXISTING_KEY_MATERIAL", KeyMaterialId=id_a)
        assert state(kms, key) == "Enabled"
        assert kms.decrypt(CiphertextBlob=ct_a)["Plaintext"] == b"under a"
        expect_error("NotFoundException", kms.delete_imported_key_material, KeyId=key, KeyMaterialId="0" * 64)
        # Keys other than symmetric encryption keys hold one material.
        hmac_key = new_key(kms, "HMAC_256", "GENERATE_VERIFY_MAC")
        do_import(kms, hmac_key, os.urandom(32))
        expect_error("UnsupportedOperationException", do_import, kms, hmac_key, os.urandom(32), ImportType="NEW_KEY_MATERIAL")
        expect_error("UnsupportedOperationException", kms.rotate_key_on_demand, KeyId=hmac_key)
        expect_error("UnsupportedOperationException", kms.list_key_rotations, KeyId=hmac_key)


@test
def material_reaching_valid_to_returns_the_key_to_pending_import():
    with Server() as srv:
        kms = srv.client()
        key = new_key(kms, "HMAC_256", "GENERATE_VERIFY_MAC")
        valid_to = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=3)
        do_import(kms, key, os.urandom(32), ExpirationModel="KEY_MATERIAL_EXPIRES", ValidTo=valid_to)
        meta = kms.describe_key(KeyId=key)["KeyMetadata"]
        assert meta["KeyState"] == "Enabled" and meta["ExpirationModel"] == "KEY_MATERIAL_EXPIRES"
        assert abs((meta["ValidTo"] - valid_to).total_seconds()) < 1.5
        kms.generate_mac(KeyId=key, Message=b"m", MacAlgorithm="HMAC_SHA_256")
        time.sleep(4.5)
        assert state(kms, key) == "PendingImport"
        expect_error("KMSInvalidStateException", kms.generate_mac, KeyId=key, Message=b"m", MacAlgorithm="HMAC_SHA_256")


@test
def every_refusal_of_the_core_is_the_exception_boto3_raises():
    with Server() as srv:
        kms = srv.client()
        key = new_key(kms, "HMAC_256", "GENERATE_VERIFY_MAC")
        arn = kms.describe_key(KeyId=key)["KeyMetadata"]["Arn"]
        other = new_key(kms, "HMAC_256", "GENERATE_VERIFY_MAC")
        rsa_key = new_key(kms, "RSA_2048", "SIGN_VERIFY")
        expect_error("UnsupportedOperationException", params, kms, key, "RSAES_PKCS1_V1_5")
        expect_error("UnsupportedOperationException", params, kms, key, "SM2PKE", "SM2")
        expect_error("UnsupportedOperationException", params, kms, rsa_key, "RSAES_OAEP_SHA_256")
        expect_error("ValidationException", params, kms, key, "RSAES_OAEP_SHA_512")
        expect_error("NotFoundException", params, kms, "1234abcd-12ab-34cd-56ef-1234567890ab")
        expect_error("NotFoundException", params, kms, arn.replace("111122223333", "444455556666"))
        expect_error("InvalidArnException", params, kms, "arn:aws:kms:us-east-1:111122223333:key/nope")
        expect_error("InvalidArnException", params, kms, arn.replace("arn:aws:", "arn:aws-cn:"))
        p = params(kms, key)
        material = os.urandom(32)
        no_model = dict(KeyId=key, ImportToken=p["ImportToken"],
                        EncryptedKeyMaterial=wrap("RSAES_OAEP_SHA_256", p["PublicKey"], material))
        expect_error("ValidationException", kms.import_key_material, **no_model)
        past = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=1)
        expect_error("ValidationException", kms.import_key_material, ExpirationModel="KEY_MATERIAL_EXPIRES", ValidTo=past, **no_model)
        far = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=366)
        expect_error("ValidationException", kms.import_key_material, ExpirationModel="KEY_MATERIAL_EXPIRES", ValidTo=far, **no_model)
        expect_error("ValidationException", kms.import_key_material, ValidTo=far, **NO_EXPIRY, **no_model)
        expect_error("InvalidCiphertextException", kms.import_key_material, KeyId=key, ImportToken=p["ImportToken"],
                     EncryptedKeyMaterial=os.urandom(256), **NO_EXPIRY)
        tampered = bytearray(p["ImportToken"])
        tampered[len(tampered) // 2] ^= 1
        expect_error("InvalidImportTokenException", kms.import_key_material, KeyId=key, ImportToken=bytes(tampered),
                     EncryptedKeyMaterial=no_model["EncryptedKeyMaterial"], **NO_EXPIRY)
        expect_error("InvalidImportTokenException", kms.import_key_material, KeyId=other, ImportToken=p["ImportToken"],
                     EncryptedKeyMaterial=no_model["EncryptedKeyMaterial"], **NO_EXPIRY)
        expect_error("IncorrectKeyMaterialException", do_import, kms, key, os.urandom(5))
        p256 = ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        expect_error("IncorrectKeyMaterialException", do_import, kms, rsa_key, p256, alg="RSA_AES_KEY_WRAP_SHA_256")
        do_import(kms, key, material)
        expect_error("IncorrectKeyMaterialException", do_import, kms, key, os.urandom(32))
        kms.schedule_key_deletion(KeyId=other)
        expect_error("KMSInvalidStateException", params, kms, other)
        for origin in ("AWS_KMS", "AWS_CLOUDHSM", "EXTERNAL_KEY_STORE"):
            expect_error("UnsupportedOperationException", kms.create_key, Origin=origin)
        expect_error("UnsupportedOperationException", kms.create_key, Origin="EXTERNAL", KeySpec="SM2", KeyUsage="SIGN_VERIFY")
        expect_error("UnsupportedOperationException", kms.create_key, Origin="EXTERNAL", KeySpec="ML_DSA_65", KeyUsage="SIGN_VERIFY")
        expect_error("ValidationException", kms.create_key, Origin="EXTERNAL", KeySpec="HMAC_256")
        expect_error("InvalidKeyUsageException", kms.encrypt, KeyId=key, Plaintext=b"x")
        expect_error("InvalidKeyUsageException", kms.generate_mac, KeyId=key, Message=b"x", MacAlgorithm="HMAC_SHA_512")
        expect_error("DryRunOperationException", kms.generate_mac, KeyId=key, Message=b"x", MacAlgorithm="HMAC_SHA_256", DryRun=True)


def raw(srv, target, body, headers=None):
    host, port = srv.url[len("http://"):].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    h = {"Content-Type": "application/x-amz-json-1.1"}
    if target:
        h["X-Amz-Target"] = target
    h.update(headers or {})
    conn.request("POST", "/", body=body, headers=h)
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, json.loads(data)


@test
def protocol_errors_are_the_ones_aws_answers():
    with Server() as srv:
        assert raw(srv, "TrentService.NoSuchThing", b"{}") == (400, {"__type": "UnknownOperationException", "message": raw(srv, "TrentService.NoSuchThing", b"{}")[1]["message"]})
        status, body = raw(srv, None, b"{}")
        assert (status, body["__type"]) == (400, "UnknownOperationException")
        status, body = raw(srv, "TrentService.DescribeKey", b"{not json")
        assert (status, body["__type"]) == (400, "SerializationException")
        status, body = raw(srv, "TrentService.DescribeKey", b'{"KeyId": 5}')
        assert (status, body["__type"]) == (400, "SerializationException")
        status, body = raw(srv, "TrentService.DescribeKey", b"{}")
        assert (status, body["__type"]) == (400, "ValidationException"), body
        assert "keyId" in body["message"]
        status, body = raw(srv, "TrentService.Encrypt", b'{"KeyId": "x", "Plaintext": "!!"}')
        assert (status, body["__type"]) == (400, "SerializationException")
        status, body = raw(srv, "TrentService.ListKeys", b'{"Limit": 0}')
        assert (status, body["__type"]) == (400, "ValidationException")
        status, body = raw(srv, "TrentService.DescribeKey", b"{" + b" " * (300 * 1024) + b"}")
        assert (status, body["__type"]) == (413, "RequestEntityTooLargeException")


@test
def sigv4_is_verified_with_credentials():
    with tempfile.TemporaryDirectory() as d:
        creds = os.path.join(d, "credentials")
        with open(creds, "w") as f:
            f.write("# access key id, secret access key\nAKIDLOCAL wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n")
        with Server(credentials=creds) as srv:
            good = srv.client(access_key="AKIDLOCAL", secret="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
            key = new_key(good, "HMAC_256", "GENERATE_VERIFY_MAC")
            do_import(good, key, os.urandom(32))
            assert good.list_keys()["Keys"][0]["KeyId"] == key
            expect_error("InvalidSignatureException", srv.client(access_key="AKIDLOCAL", secret="wrong").list_keys)
            expect_error("UnrecognizedClientException", srv.client(access_key="AKIDOTHER", secret="x").list_keys)
            expect_error("InvalidSignatureException", srv.client(region="us-west-2", access_key="AKIDLOCAL",
                                                                 secret="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY").list_keys)
            status, body = raw(srv, "TrentService.ListKeys", b"{}")
            assert (status, body["__type"]) == (403, "MissingAuthenticationTokenException")
        # Non-loopback addresses need --credentials: refused before anything is bound.
        from harness import BIN
        r = subprocess.run([BIN, "serve", "--listen", "0.0.0.0:0"], capture_output=True, text=True, timeout=30)
        assert r.returncode == 1 and "needs --credentials" in r.stderr, r.stderr


@test
def state_and_tokens_survive_a_restart():
    d = tempfile.mkdtemp(prefix="kms-serve-")
    try:
        material = os.urandom(32)
        with Server(data_dir=d) as srv:
            kms = srv.client()
            key = new_key(kms, "HMAC_256", "GENERATE_VERIFY_MAC")
            material_id = do_import(kms, key, material)["KeyMaterialId"]
            mac = kms.generate_mac(KeyId=key, Message=b"m", MacAlgorithm="HMAC_SHA_256")["Mac"]
            later = params(kms, key)
            sym = new_key(kms)
            do_import(kms, sym, os.urandom(32))
            ct = kms.encrypt(KeyId=sym, Plaintext=b"kept")["CiphertextBlob"]
        assert oct(os.stat(os.path.join(d, "master.key")).st_mode & 0o777) == "0o600"
        with Server(data_dir=d) as srv:
            kms = srv.client()
            assert kms.generate_mac(KeyId=key, Message=b"m", MacAlgorithm="HMAC_SHA_256")["Mac"] == mac
            assert kms.decrypt(CiphertextBlob=ct)["Plaintext"] == b"kept"
            r = do_import(kms, key, material, p=later)
            assert r["KeyMaterialId"] == material_id
            expired = params(kms, key)
        # 25 hours later (the server's test clock), the token has expired.
        os.environ["KMS_IMPORT_SERVE_CLOCK_SKEW_SECS"] = str(25 * 3600)
        try:
            with Server(data_dir=d) as srv:
                expect_error("ExpiredImportTokenException", do_import, srv.client(), key, material, p=expired)
        finally:
            del os.environ["KMS_IMPORT_SERVE_CLOCK_SKEW_SECS"]
    finally:
        shutil.rmtree(d)


def check_database(path):
    """Every key is whole: its state agrees with its materials, imported material is sealed."""
    db = sqlite3.connect(path)
    keys = db.execute("SELECT key_id, key_state FROM keys").fetchall()
    for key_id, key_state in keys:
        rows = db.execute("SELECT material_state, imported, sealed IS NOT NULL FROM materials WHERE key_id = ?",
                          (key_id,)).fetchall()
        for _, imported, sealed in rows:
            assert bool(imported) == bool(sealed), (key_id, rows)
        missing = not rows or any(not imported and st != "PENDING_ROTATION" for st, imported, _ in rows)
        if key_state in ("Enabled", "Disabled"):
            assert not missing, (key_id, key_state, rows)
        elif key_state == "PendingImport":
            assert missing, (key_id, key_state, rows)
        assert sum(st == "CURRENT" for st, _, _ in rows) <= 1
    db.close()
    return len(keys)


@test
def kill_9_under_load_leaves_every_key_before_or_after():
    d = tempfile.mkdtemp(prefix="kms-serve-")
    try:
        srv = Server(data_dir=d)
        kms = srv.client()
        keys = []
        for _ in range(6):
            k = new_key(kms)
            m = os.urandom(32)
            do_import(kms, k, m)
            keys.append((k, m))
        stop = threading.Event()
        errors = []

        def worker(seed):
            rnd = random.Random(seed)
            c = srv.client()
            while not stop.is_set():
                k, m = rnd.choice(keys)
                op = rnd.randrange(5)
                try:
                    if op == 0:
                        c.disable_key(KeyId=k)
                        c.enable_key(KeyId=k)
                    elif op == 1:
                        c.delete_imported_key_material(KeyId=k)
                        do_import(c, k, m, ImportType="EXISTING_KEY_MATERIAL")
                    elif op == 2:
                        c.schedule_key_deletion(KeyId=k)
                        c.cancel_key_deletion(KeyId=k)
                        c.enable_key(KeyId=k)
                    elif op == 3:
                        c.create_key(Origin="EXTERNAL")
                    else:
                        c.encrypt(KeyId=k, Plaintext=b"x")
                except Exception as e:  # noqa: BLE001 - interleavings refuse, the server dies
                    errors.append(e)

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(6)]
        for t in threads:
            t.start()
        time.sleep(3)
        srv.proc.send_signal(signal.SIGKILL)
        srv.proc.wait()
        stop.set()
        for t in threads:
            t.join(timeout=60)
        n = check_database(os.path.join(d, "kms.sqlite3"))
        assert n >= 6
        with Server(data_dir=d) as srv2:
            c = srv2.client()
            assert check_database(os.path.join(d, "kms.sqlite3")) == n
            for k, m in keys:
                st = state(c, k)
                if st in ("PendingDeletion",):
                    c.cancel_key_deletion(KeyId=k)
                    st = state(c, k)
                if st == "PendingImport":
                    do_import(c, k, m, ImportType="EXISTING_KEY_MATERIAL")
                if state(c, k) == "Disabled":
                    c.enable_key(KeyId=k)
                ct = c.encrypt(KeyId=k, Plaintext=b"after")["CiphertextBlob"]
                assert c.decrypt(CiphertextBlob=ct)["Plaintext"] == b"after"
        print(f"        {n} keys consistent after kill -9 ({len(errors)} requests refused or cut)", flush=True)
    finally:
        shutil.rmtree(d)


@test
def many_boto3_clients_at_once():
    with Server(pool="RSA_2048=16,RSA_3072=0,RSA_4096=0") as srv:
        failures = []

        def client_run(i):
            try:
                kms = srv.client()
                key = new_key(kms, "HMAC_256", "GENERATE_VERIFY_MAC")
                m = os.urandom(32)
                do_import(kms, key, m)
                import hashlib
                import hmac
                for _ in range(5):
                    mac = kms.generate_mac(KeyId=key, Message=b"%d" % i, MacAlgorithm="HMAC_SHA_256")["Mac"]
                    assert mac == hmac.new(m, b"%d" % i, hashlib.sha256).digest()
            except Exception as e:  # noqa: BLE001
                failures.append(e)

        threads = [threading.Thread(target=client_run, args=(i,)) for i in range(16)]
        t0 = time.time()
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
        assert not failures, failures[:3]
        assert len(srv.client().list_keys()["Keys"]) == 16
        print(f"        16 clients, 16 imports and 80 MACs in {time.time() - t0:.1f} s", flush=True)


@test
def aws_cli_import_procedure():
    """The README's aws CLI procedure, command by command (openssl wraps, as in the AWS docs)."""
    import sys
    aws = [sys.executable, "-m", "awscli"]
    with Server() as srv, tempfile.TemporaryDirectory() as d:
        env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
                   AWS_DEFAULT_REGION="us-east-1", AWS_CONFIG_FILE=os.devnull,
                   AWS_SHARED_CREDENTIALS_FILE=os.devnull)

        def cli(*args):
            return subprocess.run([*aws, "--endpoint-url", srv.url, *args], env=env, cwd=d,
                                  capture_output=True, text=True, check=True).stdout.strip()

        key_id = cli("kms", "create-key", "--origin", "EXTERNAL", "--query", "KeyMetadata.KeyId", "--output", "text")
        out = json.loads(cli("kms", "get-parameters-for-import", "--key-id", key_id,
                             "--wrapping-algorithm", "RSAES_OAEP_SHA_256", "--wrapping-key-spec", "RSA_2048"))
        import base64
        with open(os.path.join(d, "WrappingPublicKey.bin"), "wb") as f:
            f.write(base64.b64decode(out["PublicKey"]))
        with open(os.path.join(d, "ImportToken.bin"), "wb") as f:
            f.write(base64.b64decode(out["ImportToken"]))
        subprocess.run(["openssl", "rand", "-out", "PlaintextKeyMaterial.bin", "32"], cwd=d, check=True)
        subprocess.run(["openssl", "pkeyutl", "-encrypt", "-in", "PlaintextKeyMaterial.bin",
                        "-out", "EncryptedKeyMaterial.bin", "-inkey", "WrappingPublicKey.bin",
                        "-keyform", "DER", "-pubin", "-pkeyopt", "rsa_padding_mode:oaep",
                        "-pkeyopt", "rsa_oaep_md:sha256", "-pkeyopt", "rsa_mgf1_md:sha256"], cwd=d, check=True)
        r = json.loads(cli("kms", "import-key-material", "--key-id", key_id,
                           "--encrypted-key-material", "fileb://EncryptedKeyMaterial.bin",
                           "--import-token", "fileb://ImportToken.bin",
                           "--expiration-model", "KEY_MATERIAL_DOES_NOT_EXPIRE"))
        assert len(r["KeyMaterialId"]) == 64
        assert cli("kms", "describe-key", "--key-id", key_id, "--query", "KeyMetadata.KeyState", "--output", "text") == "Enabled"
        ct = cli("kms", "encrypt", "--key-id", key_id, "--plaintext", "fileb://PlaintextKeyMaterial.bin",
                 "--query", "CiphertextBlob", "--output", "text")
        with open(os.path.join(d, "ct.bin"), "wb") as f:
            f.write(base64.b64decode(ct))
        pt = cli("kms", "decrypt", "--ciphertext-blob", "fileb://ct.bin", "--query", "Plaintext", "--output", "text")
        with open(os.path.join(d, "PlaintextKeyMaterial.bin"), "rb") as f:
            assert base64.b64decode(pt) == f.read()


if __name__ == "__main__":
    from harness import main
    main()
