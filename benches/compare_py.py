#!/usr/bin/env python3
"""Comparison points for benches/compare.sh, printed as the same RESULT lines as
examples/keygen_distribution.rs:

  compare_py.py cryptography N2048 N3072 N4096 N_UNWRAP
      Python `cryptography` (OpenSSL underneath): rsa.generate_private_key(65537, bits) and
      RSA-2048/3072/4096 OAEP-SHA256 decryption of a 32-byte key.
  compare_py.py openssl N2048 N3072 N4096
      `openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:BITS`, wall time per process minus
      the median wall time of `openssl version` measured the same way (process start-up).
  compare_py.py table RESULTS_FILE MACHINE_FILE OUT_MD
      Reads all RESULT lines (prefixed "impl=<name> ") and writes the comparison table.
"""
import math
import statistics
import subprocess
import sys
import time


def report(name, times_s):
    if not times_s:
        return
    # Every sample, in the order taken (compare.sh pools the rounds' samples).
    print(f"SAMPLES name={name} ms={','.join(f'{t * 1e3:.6f}' for t in times_s)}", flush=True)
    times = sorted(t * 1e3 for t in times_s)
    n = len(times)
    pct = lambda p: times[min(max(math.ceil(p * n), 1), n) - 1]
    print(f"RESULT name={name} n={n} median_ms={pct(0.5):.4f} p90_ms={pct(0.9):.4f} "
          f"p99_ms={pct(0.99):.4f} max_ms={times[-1]:.4f} mean_ms={statistics.fmean(times):.4f}",
          flush=True)


def cryptography_bench(n2, n3, n4, nu):
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    for bits, n in ((2048, n2), (3072, n3), (4096, n4)):
        times = []
        for _ in range(n):
            t = time.perf_counter()
            rsa.generate_private_key(public_exponent=65537, key_size=bits)
            times.append(time.perf_counter() - t)
        report(f"keygen_RSA_{bits}", times)
    oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
    for bits in (2048, 3072, 4096):
        key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
        ct = key.public_key().encrypt(b"\x42" * 32, oaep)
        times = []
        for _ in range(nu):
            t = time.perf_counter()
            key.decrypt(ct, oaep)
            times.append(time.perf_counter() - t)
        report(f"rsa{bits}_oaep_unwrap", times)


def run_timed(cmd):
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t


def openssl_bench(n2, n3, n4):
    startup = statistics.median(run_timed(["openssl", "version"]) for _ in range(max(n4, 20)))
    print(f"# openssl process start-up (median of `openssl version`): {startup * 1e3:.2f} ms",
          flush=True)
    for bits, n in ((2048, n2), (3072, n3), (4096, n4)):
        cmd = ["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", f"rsa_keygen_bits:{bits}",
               "-out", "/dev/null"]
        report(f"keygen_RSA_{bits}", [max(run_timed(cmd) - startup, 0.0) for _ in range(n)])


def fmt(ms):
    """Milliseconds with 3 decimals, or in µs for sub-millisecond values."""
    v = float(ms)
    return f"{v:.3f}" if v >= 1 else f"{v * 1e3:.3f} µs"


def summary(samples_ms):
    """The RESULT fields (nearest-rank percentiles) of a list of samples in ms."""
    times = sorted(samples_ms)
    n = len(times)
    pct = lambda p: times[min(max(math.ceil(p * n), 1), n) - 1]
    return {"n": str(n), "median_ms": pct(0.5), "p90_ms": pct(0.9), "p99_ms": pct(0.99),
            "max_ms": times[-1], "mean_ms": statistics.fmean(times)}


def parse(path):
    """Per (implementation, measurement): the summary of all its samples, pooled over the rounds
    of the run; RESULT lines only where no samples were printed."""
    results, samples, medians = {}, {}, {}
    for line in open(path):
        if not line.startswith("impl="):
            continue
        fields = dict(f.split("=", 1) for f in line.split() if "=" in f)
        key = (fields["impl"], fields["name"])
        if "ms" in fields:
            values = [float(v) for v in fields["ms"].split(",") if v]
            samples.setdefault(key, []).extend(values)
            medians.setdefault(key, []).append(statistics.median(values))
        else:
            results.setdefault(key, fields)
    rows = {key: summary(values) for key, values in samples.items()}
    for key, fields in results.items():
        rows.setdefault(key, fields)
    return rows, medians


def table(results_path, machine_path, out_path):
    rows, medians = parse(results_path)
    machine = open(machine_path).read().strip()
    base = "python-cryptography"
    impls = []
    for impl, _ in rows:
        if impl not in impls:
            impls.append(impl)
    lines = [
        "| measurement | implementation | n | median ms | p90 ms | p99 ms | max ms | median ÷ Python `cryptography` |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    names = ["keygen_RSA_2048", "keygen_RSA_3072", "keygen_RSA_4096", "rsa2048_oaep_unwrap",
             "rsa3072_oaep_unwrap", "rsa4096_oaep_unwrap", "pool_take", "pool_take_rsa"]
    for name in names:
        ref = rows.get((base, name))
        for impl in impls:
            r = rows.get((impl, name))
            if r is None:
                continue
            ratio = ""
            if ref is not None and float(ref["median_ms"]) > 0:
                ratio = f"{float(r['median_ms']) / float(ref['median_ms']):.2f}×"
            lines.append(f"| {name} | {impl} | {r['n']} | {fmt(r['median_ms'])} | "
                         f"{fmt(r['p90_ms'])} | {fmt(r['p99_ms'])} | {fmt(r['max_ms'])} | {ratio} |")
    # The spread of the ratio over the rounds (each round's median against the same round's
    # Python `cryptography` median): how much one round on this machine can be trusted.
    spread = []
    for name in names:
        ref = medians.get((base, name))
        for impl in impls:
            own = medians.get((impl, name))
            if impl == base or not own or not ref or len(own) != len(ref) or len(own) < 2:
                continue
            ratios = sorted(a / b for a, b in zip(own, ref) if b > 0)
            spread.append(f"{name} {impl}: {ratios[0]:.2f}–{ratios[-1]:.2f}×")
    text = "\n".join(lines)
    if spread:
        text += "\n\nRatio per round (round median ÷ Python `cryptography`'s in the same round), lowest–highest: " + "; ".join(spread) + "."
    print(text)
    # Replace the generated section of BENCHMARKS.md, keeping the hand-written analysis.
    begin, end = "<!-- compare.sh:begin -->", "<!-- compare.sh:end -->"
    try:
        doc = open(out_path).read()
    except FileNotFoundError:
        doc = f"# Benchmarks\n\n{begin}\n{end}\n"
    section = f"{begin}\n{machine}\n\n{text}\n{end}"
    if begin in doc and end in doc:
        doc = doc[: doc.index(begin)] + section + doc[doc.index(end) + len(end):]
    else:
        doc += "\n" + section + "\n"
    open(out_path, "w").write(doc)


if __name__ == "__main__":
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "cryptography":
        cryptography_bench(*map(int, args))
    elif mode == "openssl":
        openssl_bench(*map(int, args))
    elif mode == "table":
        table(*args)
    else:
        sys.exit(__doc__)
