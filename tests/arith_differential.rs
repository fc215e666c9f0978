//! Differential tests of the crate's own fixed-width arithmetic (`src/arith`) against the
//! references it replaces on the hot paths: `crypto-bigint`'s constant-time modular
//! exponentiation and `crypto-primes`' Miller–Rabin test. Every width the crate instantiates
//! (the 1024/1536/2048-bit primes and the 2048/3072/4096-bit moduli of RSA), on random inputs and
//! on the edges: moduli just above 2^(k−1) and just below 2^k, bases 0, 1, n − 1 and ≥ n,
//! exponents 0, 1 and all ones. RSADP is held against `rsa` by the Wycheproof, interop and
//! round-trip suites, which go through it.
//!
//! The arithmetic is crate-private; the tests reach it through `kms_import::fuzz_targets::arith`,
//! which the `fuzzing` feature (on for this crate's own tests) compiles.

use crypto_bigint::{BoxedUint, Odd};
use crypto_primes::hazmat::{MillerRabin, Primality};
use kms_import::fuzz_targets::arith::{self, WIDTHS};
use rand::rngs::ChaCha20Rng;
use rand::{Rng, SeedableRng};

fn random(rng: &mut ChaCha20Rng, limbs: usize) -> Vec<u64> {
    (0..limbs).map(|_| rng.next_u64()).collect()
}

/// A random odd modulus of exactly 64·limbs bits.
fn random_modulus(rng: &mut ChaCha20Rng, limbs: usize) -> Vec<u64> {
    let mut n = random(rng, limbs);
    n[0] |= 1;
    n[limbs - 1] |= 1 << 63;
    n
}

fn small(value: u64, limbs: usize) -> Vec<u64> {
    let mut x = vec![0; limbs];
    x[0] = value;
    x
}

fn check(n: &[u64], base: &[u64], e: &[u64], what: &str) {
    let ours = arith::pow(n, base, e).unwrap_or_else(|| panic!("{what}: refused"));
    let reference = arith::pow_reference(n, base, e).unwrap_or_else(|| panic!("{what}: no ref"));
    assert_eq!(ours, reference, "{what}: {} bits", 64 * n.len());
}

/// The moduli at the edges of a width: 2^(k−1) + 1, 2^(k−1) + 2^64 + 1 (just above), 2^k − 1 and
/// 2^k − 2^64 − 1 (just below).
fn edge_moduli(limbs: usize) -> Vec<Vec<u64>> {
    let mut just_above = vec![0; limbs];
    just_above[0] = 1;
    just_above[limbs - 1] = 1 << 63;
    let mut above_2 = just_above.clone();
    above_2[1] = 1;
    let just_below = vec![u64::MAX; limbs];
    let mut below_2 = just_below.clone();
    below_2[1] = u64::MAX - 1;
    vec![just_above, above_2, just_below, below_2]
}

#[test]
fn random_inputs_of_every_width() {
    let mut rng = ChaCha20Rng::seed_from_u64(0x6d6f_6465_7870);
    for &limbs in &WIDTHS {
        // Fewer at the widest (each takes a full 4096-bit exponentiation in both).
        let count = if limbs >= 48 { 2 } else { 4 };
        for i in 0..count {
            let n = random_modulus(&mut rng, limbs);
            check(
                &n,
                &random(&mut rng, limbs),
                &random(&mut rng, limbs),
                &format!("random {i}"),
            );
        }
    }
}

#[test]
fn edge_moduli_bases_and_exponents() {
    let mut rng = ChaCha20Rng::seed_from_u64(0x6564_6765);
    for &limbs in &WIDTHS {
        let mut moduli = edge_moduli(limbs);
        moduli.push(random_modulus(&mut rng, limbs));
        for n in &moduli {
            let mut n_minus_1 = n.clone();
            n_minus_1[0] -= 1; // n is odd
            let bases = [
                ("0", small(0, limbs)),
                ("1", small(1, limbs)),
                ("n - 1", n_minus_1),
                ("all ones (≥ n)", vec![u64::MAX; limbs]),
                ("random", random(&mut rng, limbs)),
            ];
            let exponents = [
                ("0", small(0, limbs)),
                ("1", small(1, limbs)),
                ("2", small(2, limbs)),
                ("all ones", vec![u64::MAX; limbs]),
            ];
            for (bname, b) in &bases {
                for (ename, e) in &exponents {
                    check(n, b, e, &format!("base {bname}, exponent {ename}"));
                }
            }
            // A random exponent with the random base and with n − 1 (exponent parity matters).
            let e = random(&mut rng, limbs);
            check(n, &bases[2].1, &e, "base n - 1, random exponent");
            check(n, &bases[4].1, &e, "random base and exponent");
        }
    }
}

#[test]
fn refuses_what_it_does_not_handle() {
    let n = vec![u64::MAX - 1; 16]; // even
    assert_eq!(arith::pow(&n, &small(2, 16), &small(3, 16)), None);
    let mut n = vec![u64::MAX; 16];
    n[15] = 1; // top bit clear
    assert_eq!(arith::pow(&n, &small(2, 16), &small(3, 16)), None);
    assert_eq!(
        arith::pow(&[3; 20], &[1; 20], &[1; 20]),
        None,
        "no 1280-bit width"
    );
    assert_eq!(
        arith::pow(&[u64::MAX; 16], &[1; 15], &[1; 16]),
        None,
        "shapes differ"
    );
}

fn boxed(limbs: &[u64]) -> BoxedUint {
    let mut bytes: Vec<u8> = limbs.iter().rev().flat_map(|l| l.to_be_bytes()).collect();
    if bytes.is_empty() {
        bytes.push(0);
    }
    BoxedUint::from_be_slice(&bytes, 64 * limbs.len() as u32).unwrap()
}

/// Miller–Rabin rounds, ours and `crypto-primes`', on random odd candidates of the prime widths,
/// on primes, and on products of two primes (composites without small factors).
#[test]
fn miller_rabin_agrees_with_crypto_primes() {
    let mut rng = ChaCha20Rng::seed_from_u64(0x6d72);
    for limbs in [8usize, 16, 24, 32] {
        let bits = 64 * limbs as u32;
        let prime: BoxedUint =
            crypto_primes::random_prime(&mut rng, crypto_primes::Flavor::Any, bits);
        let composite = loop {
            let p: BoxedUint =
                crypto_primes::random_prime(&mut rng, crypto_primes::Flavor::Any, bits / 2);
            let q: BoxedUint =
                crypto_primes::random_prime(&mut rng, crypto_primes::Flavor::Any, bits / 2);
            let n = p.concatenating_mul(&q);
            if n.bit_width() == bits {
                break n;
            }
        };
        let random_candidate = boxed(&random_modulus(&mut rng, limbs));
        for (what, w) in [
            ("prime", prime),
            ("p·q", composite),
            ("random", random_candidate),
        ] {
            let w_limbs = arith::limbs_of(&w, limbs).unwrap();
            let theirs = MillerRabin::new(Odd::new(w.clone()).unwrap());
            let expect = |p: Primality| !matches!(p, Primality::Composite);
            assert_eq!(
                arith::miller_rabin_base_two(&w_limbs),
                Some(expect(theirs.test_base_two())),
                "{bits}-bit {what}, base 2"
            );
            for _ in 0..2 {
                let mut b = random(&mut rng, limbs);
                b[limbs - 1] >>= 2; // below w
                b[0] |= 2;
                assert_eq!(
                    arith::miller_rabin(&w_limbs, &b),
                    Some(expect(theirs.test(&boxed(&b)))),
                    "{bits}-bit {what}, random base"
                );
            }
        }
    }
}

use crypto_bigint::ConcatenatingMul as _;
