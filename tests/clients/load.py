"""Load script for `kms-import serve` (not a timed test): GetParametersForImport and
ImportKeyMaterial latency percentiles and throughput with a warm wrapping-key pool.

Bounded in count (--requests) and time (--max-seconds); loopback only (it starts its own server
on 127.0.0.1, or takes --url, which must be a loopback address). Each client owns one HMAC_256
key and repeats: GetParametersForImport -> wrap locally (pyca, RSAES_OAEP_SHA_256) ->
ImportKeyMaterial (a reimport of the same material).

    target/serve-venv/bin/python tests/clients/load.py --spec RSA_2048 --clients 8 --requests 200
"""

import argparse
import ipaddress
import os
import subprocess
import sys
import threading
import time
import urllib.parse

import boto3
import botocore.config

from harness import BIN, wrap


def percentile(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))] if s else float("nan")


def summary(name, latencies, wall):
    ms = [x * 1000 for x in latencies]
    return (f"| {name} | {len(ms)} | {percentile(ms, 50):.1f} | {percentile(ms, 90):.1f} | "
            f"{percentile(ms, 99):.1f} | {max(ms) if ms else float('nan'):.1f} | {len(ms) / wall:.1f} |")


def start_server(spec, pool):
    args = [BIN, "serve", "--listen", "127.0.0.1:0", "--pool",
            f"RSA_2048=0,RSA_3072=0,RSA_4096=0,SM2=0,{spec}={pool}"]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = proc.stdout.readline().split()[-1]
    if pool:
        deadline = time.time() + 600
        while time.time() < deadline:  # "wrapping-key pool full" on stderr
            line = proc.stderr.readline()
            if "pool full" in line or not line:
                break
    return proc, url


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", help="a running server (loopback only); default: start one")
    ap.add_argument("--spec", default="RSA_2048", choices=["RSA_2048", "RSA_3072", "RSA_4096"])
    ap.add_argument("--pool", type=int, default=None, help="warm keys of --spec (default: --requests)")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--requests", type=int, default=200, help="GetParametersForImport calls in all")
    ap.add_argument("--max-seconds", type=float, default=120)
    a = ap.parse_args()
    a.requests = min(a.requests, 10_000)
    a.max_seconds = min(a.max_seconds, 600)
    proc = None
    if a.url:
        host = urllib.parse.urlparse(a.url).hostname
        if host != "localhost" and not ipaddress.ip_address(host).is_loopback:
            sys.exit(f"refusing {a.url}: the load script only targets loopback addresses")
        url = a.url
    else:
        t0 = time.time()
        proc, url = start_server(a.spec, a.requests if a.pool is None else a.pool)
        print(f"server {url}, pool of {a.spec} filled in {time.time() - t0:.0f} s", flush=True)
    config = botocore.config.Config(retries={"max_attempts": 1}, read_timeout=120,
                                    max_pool_connections=a.clients)
    gpfi, ikm, errors = [], [], []
    lock = threading.Lock()
    budget = [a.requests]
    deadline = time.time() + a.max_seconds

    def client():
        kms = boto3.client("kms", endpoint_url=url, region_name="us-east-1", aws_access_key_id="load",
                           aws_secret_access_key="load", config=config)
        key = kms.create_key(Origin="EXTERNAL", KeySpec="HMAC_256", KeyUsage="GENERATE_VERIFY_MAC")["KeyMetadata"]["KeyId"]
        material = os.urandom(32)
        while time.time() < deadline:
            with lock:
                if budget[0] <= 0:
                    return
                budget[0] -= 1
            try:
                t = time.perf_counter()
                p = kms.get_parameters_for_import(KeyId=key, WrappingAlgorithm="RSAES_OAEP_SHA_256",
                                                  WrappingKeySpec=a.spec)
                t1 = time.perf_counter()
                encrypted = wrap("RSAES_OAEP_SHA_256", p["PublicKey"], material)
                t2 = time.perf_counter()
                kms.import_key_material(KeyId=key, ImportToken=p["ImportToken"], EncryptedKeyMaterial=encrypted,
                                        ExpirationModel="KEY_MATERIAL_DOES_NOT_EXPIRE")
                t3 = time.perf_counter()
                with lock:
                    gpfi.append(t1 - t)
                    ikm.append(t3 - t2)
            except Exception as e:  # noqa: BLE001 - counted and reported
                with lock:
                    errors.append(repr(e))

    threads = [threading.Thread(target=client) for _ in range(a.clients)]
    start = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.time() - start
    if proc:
        proc.terminate()
        proc.wait(timeout=30)
    print(f"{a.clients} clients, wrapping key spec {a.spec}, {len(gpfi)} imports in {wall:.1f} s, "
          f"{len(errors)} errors, {os.cpu_count()} cores")
    print("| operation | requests | p50 ms | p90 ms | p99 ms | max ms | requests/s |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    print(summary("GetParametersForImport", gpfi, wall))
    print(summary("ImportKeyMaterial", ikm, wall))
    if errors:
        print("first errors:", errors[:3])
        sys.exit(1)


if __name__ == "__main__":
    main()
