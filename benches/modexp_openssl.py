#!/usr/bin/env python3
"""Time per modular exponentiation of OpenSSL's constant-time BN_mod_exp_mont_consttime (the
system libcrypto, through ctypes) for random odd 1024/1536/2048-bit moduli with full-width bases
and exponents: the per-exponentiation reference for examples/modexp_speed.rs (same shapes).

  python3 benches/modexp_openssl.py [N]        # median of N (default 30) per width

OpenSSL picks its fastest code for the CPU at run time (on x86-64: mulx/adcx/adox assembly, and
AVX-512 IFMA where the CPU has it); BN_mod_exp_mont_consttime is what its RSA private-key
operation and prime test call.
"""
import ctypes
import ctypes.util
import os
import statistics
import sys
import time

lib = ctypes.CDLL(ctypes.util.find_library("crypto"))
lib.BN_new.restype = ctypes.c_void_p
lib.BN_CTX_new.restype = ctypes.c_void_p
lib.BN_bin2bn.restype = ctypes.c_void_p
lib.BN_bin2bn.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_void_p]
lib.BN_mod_exp_mont_consttime.argtypes = [ctypes.c_void_p] * 6
lib.BN_mod_exp_mont_consttime.restype = ctypes.c_int
lib.OpenSSL_version.restype = ctypes.c_char_p
lib.OpenSSL_version.argtypes = [ctypes.c_int]


def bn(data):
    return lib.BN_bin2bn(data, len(data), None)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    ctx = lib.BN_CTX_new()
    r = lib.BN_new()
    print(f"# {lib.OpenSSL_version(0).decode()}", flush=True)
    for bits in (1024, 1536, 2048):
        times = []
        for _ in range(n):
            m = bytearray(os.urandom(bits // 8))
            m[0] |= 0x80
            m[-1] |= 1
            a, p, mod = bn(os.urandom(bits // 8)), bn(os.urandom(bits // 8)), bn(bytes(m))
            t = time.perf_counter()
            ok = lib.BN_mod_exp_mont_consttime(r, a, p, mod, ctx, None)
            times.append(time.perf_counter() - t)
            assert ok == 1
            for x in (a, p, mod):
                lib.BN_free(ctypes.c_void_p(x))
        print(f"{bits:>4}-bit modexp: OpenSSL {statistics.median(times) * 1e3:.3f} ms "
              f"(min {min(times) * 1e3:.3f}; median and minimum of {n})", flush=True)


if __name__ == "__main__":
    main()
