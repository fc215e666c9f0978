"""Shared pieces of the client tests of `kms-import serve`: starting and stopping the server
(loopback only), boto3 clients, wrapping key material OUTSIDE the project (pyca `cryptography`
and the openssl CLI), and a tiny test runner that prints `N passed, N failed`.
"""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback

import boto3
import botocore.config
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import hashes, keywrap, serialization
from cryptography.hazmat.primitives.asymmetric import padding

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("KMS_IMPORT_BIN", os.path.join(ROOT, "target", "debug", "kms-import"))


class Server:
    """`kms-import serve` on 127.0.0.1 with an OS-chosen port."""

    def __init__(self, region="us-east-1", data_dir=None, credentials=None, pool=None, extra=()):
        self.region = region
        self.data_dir = data_dir
        args = [BIN, "serve", "--listen", "127.0.0.1:0", "--region", region]
        if data_dir:
            args += ["--data-dir", data_dir]
        if credentials:
            args += ["--credentials", credentials]
        args += ["--pool", pool or "RSA_2048=2,RSA_3072=1,RSA_4096=1,SM2=2"]
        args += list(extra)
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("listening on http://"):
            err = self.proc.stderr.read()
            raise RuntimeError(f"server did not start: {line!r} {err}")
        self.url = line.split()[-1]
        assert self.url.startswith("http://127.0.0.1:"), self.url

    def client(self, region=None, access_key="test", secret="test", retries=0):
        config = botocore.config.Config(retries={"max_attempts": retries + 1, "mode": "standard"},
                                        read_timeout=120, connect_timeout=10)
        return boto3.client("kms", endpoint_url=self.url, region_name=region or self.region,
                            aws_access_key_id=access_key, aws_secret_access_key=secret,
                            config=config)

    def stop(self, sig=signal.SIGTERM, timeout=15):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def error_code(fn, *args, **kwargs):
    """The AWS error code botocore raises (`ClientError`), or None when the call succeeds."""
    try:
        fn(*args, **kwargs)
    except ClientError as e:
        return e.response["Error"]["Code"]
    return None


def expect_error(code, fn, *args, **kwargs):
    got = error_code(fn, *args, **kwargs)
    assert got == code, f"expected {code}, got {got}"


# --- Wrapping, outside the project -------------------------------------------------------------

HASHES = {"SHA_1": hashes.SHA1, "SHA_256": hashes.SHA256}


def _oaep(h):
    return padding.OAEP(mgf=padding.MGF1(algorithm=h()), algorithm=h(), label=None)


def wrap(algorithm, public_key_der, material):
    """EncryptedKeyMaterial as the AWS docs make it: pyca for RSAES_OAEP_* and
    RSA_AES_KEY_WRAP_* (OAEP of an ephemeral AES-256 key, then AES-KWP RFC 5649), the openssl
    CLI for SM2PKE (GM/T 0009 DER)."""
    if algorithm == "SM2PKE":
        return openssl_sm2_encrypt(public_key_der, material)
    public_key = serialization.load_der_public_key(public_key_der)
    if algorithm.startswith("RSAES_OAEP_"):
        return public_key.encrypt(material, _oaep(HASHES[algorithm[len("RSAES_OAEP_"):]]))
    if algorithm.startswith("RSA_AES_KEY_WRAP_"):
        aes_key = os.urandom(32)
        h = HASHES[algorithm[len("RSA_AES_KEY_WRAP_"):]]
        return public_key.encrypt(aes_key, _oaep(h)) + keywrap.aes_key_wrap_with_padding(aes_key, material)
    raise ValueError(algorithm)


def openssl(*args, data=None):
    return subprocess.run(["openssl", *args], input=data, capture_output=True, check=True).stdout


def openssl_sm2_encrypt(public_key_der, material):
    with tempfile.TemporaryDirectory() as d:
        pub = os.path.join(d, "pub.der")
        with open(pub, "wb") as f:
            f.write(public_key_der)
        return openssl("pkeyutl", "-encrypt", "-pubin", "-keyform", "DER", "-inkey", pub, data=material)


def openssl_sm2_verify(public_key_der, message, signature):
    """SM2DSA with SM3 and the default distinguishing id, checked by the openssl CLI."""
    with tempfile.TemporaryDirectory() as d:
        pub, sig, msg = (os.path.join(d, n) for n in ("pub.der", "sig", "msg"))
        for path, data in ((pub, public_key_der), (sig, signature), (msg, message)):
            with open(path, "wb") as f:
                f.write(data)
        r = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-keyform", "DER", "-inkey", pub,
                            "-rawin", "-digest", "sm3", "-in", msg, "-sigfile", sig,
                            "-pkeyopt", "distid:1234567812345678"], capture_output=True)
        return r.returncode == 0


def have_sm2_openssl():
    if not shutil.which("openssl"):
        return False
    r = subprocess.run(["openssl", "list", "-public-key-algorithms"], capture_output=True, text=True)
    return "SM2" in r.stdout


# --- A tiny runner -----------------------------------------------------------------------------

TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


class Skip(Exception):
    pass


def run(selected=None):
    passed = failed = skipped = 0
    start = time.time()
    for fn in TESTS:
        if selected and not any(s in fn.__name__ for s in selected):
            continue
        t0 = time.time()
        try:
            fn()
            passed += 1
            print(f"ok      {fn.__name__} ({time.time() - t0:.1f} s)", flush=True)
        except Skip as e:
            if os.environ.get("CI") == "true":
                failed += 1
                print(f"FAILED  {fn.__name__}: would be skipped in CI: {e}", flush=True)
            else:
                skipped += 1
                print(f"SKIPPED {fn.__name__}: {e}", flush=True)
        except Exception:  # noqa: BLE001 - every failure is reported
            failed += 1
            print(f"FAILED  {fn.__name__} ({time.time() - t0:.1f} s)", flush=True)
            traceback.print_exc()
    print(f"client tests took {time.time() - start:.0f} s")
    print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
    return 1 if failed else 0


def main():
    sys.exit(run(sys.argv[1:]))
