//! Unit tests of the fixed-width arithmetic against `crypto-bigint` (the wider differential
//! tests, with edge cases of every width, are `tests/arith_differential.rs`).

use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
use crypto_bigint::{BoxedUint, ConcatenatingMul, Odd, RandomBits, Resize};
use rand::SeedableRng;

use super::exp::pow;
use super::limbs::mul_wide;
use super::montgomery::{Modulus, Squarer};
use super::{from_limbs, to_limbs};

mod edges;

fn rng() -> rand::rngs::ChaCha8Rng {
    rand::rngs::ChaCha8Rng::seed_from_u64(0x4d6f_6e74)
}

fn random_limbs<const N: usize>(rng: &mut rand::rngs::ChaCha8Rng) -> [u64; N] {
    to_limbs(&BoxedUint::random_bits(rng, 64 * N as u32)).unwrap()
}

fn random_modulus<const N: usize>(rng: &mut rand::rngs::ChaCha8Rng) -> [u64; N] {
    let mut n = random_limbs::<N>(rng);
    n[0] |= 1;
    n[N - 1] |= 1 << 63;
    n
}

fn reference_pow<const N: usize>(base: &[u64; N], exp: &[u64; N], n: &[u64; N]) -> [u64; N] {
    let params = BoxedMontyParams::new(Odd::new(from_limbs(n)).unwrap());
    let b = from_limbs(base).rem(&crypto_bigint::NonZero::new(from_limbs(n)).unwrap());
    let r = BoxedMontyForm::new(b, &params)
        .pow(&from_limbs(exp))
        .retrieve();
    to_limbs(&r).unwrap()
}

#[test]
fn limb_conversion_round_trips() {
    let mut rng = rng();
    let x = random_limbs::<24>(&mut rng);
    assert_eq!(to_limbs::<24>(&from_limbs(&x)), Some(x));
    assert_eq!(to_limbs::<32>(&from_limbs(&x)).unwrap()[..24], x);
    assert_eq!(to_limbs::<23>(&from_limbs(&x)), None);
}

#[test]
fn wide_products_match_crypto_bigint() {
    let mut rng = rng();
    for _ in 0..20 {
        let a = random_limbs::<16>(&mut rng);
        let b = random_limbs::<16>(&mut rng);
        let product = mul_wide(&a, &b);
        let expected = from_limbs(&a).concatenating_mul(&from_limbs(&b));
        let flat: &[u64; 32] = product.as_flattened().try_into().unwrap();
        assert_eq!(from_limbs(flat), expected);
    }
}

/// The dedicated squaring agrees with the multiplication of a number by itself, at every
/// width, including operands at or above n (almost-Montgomery values are only below R).
#[test]
fn squaring_matches_multiplication() {
    fn check<const N: usize>(rng: &mut rand::rngs::ChaCha8Rng) {
        let m = Modulus::new(&random_modulus::<N>(rng)).unwrap();
        let mut x = random_limbs::<N>(rng);
        for _ in 0..8 {
            let (s, p) = (m.sqr(&x), m.mul(&x, &x));
            assert_eq!(m.canonical(&s), m.canonical(&p));
            x = s;
        }
        let all_ones = [u64::MAX; N];
        assert_eq!(
            m.canonical(&m.sqr(&all_ones)),
            m.canonical(&m.mul(&all_ones, &all_ones))
        );
    }
    let mut rng = rng();
    check::<8>(&mut rng);
    check::<16>(&mut rng);
    check::<24>(&mut rng);
    check::<32>(&mut rng);
    check::<48>(&mut rng);
    check::<64>(&mut rng);
}

/// A [`Squarer`] reused over a chain of squarings (its working storage left as the previous
/// squaring left it) gives exactly the fresh squaring's results, bit for bit, at every width
/// and for operands at and above n.
#[test]
fn reused_squarer_matches_fresh_squarings() {
    fn check<const N: usize>(rng: &mut rand::rngs::ChaCha8Rng) {
        let m = Modulus::new(&random_modulus::<N>(rng)).unwrap();
        let mut squarer = Squarer::new(&m);
        let starts = [random_limbs::<N>(rng), [u64::MAX; N], *m.n(), [0; N]];
        for start in starts {
            let (mut x, mut y) = (start, start);
            for _ in 0..16 {
                x = squarer.sqr(&x);
                y = m.sqr(&y);
                assert_eq!(x, y);
            }
        }
    }
    let mut rng = rng();
    check::<8>(&mut rng);
    check::<16>(&mut rng);
    check::<24>(&mut rng);
    check::<32>(&mut rng);
    check::<64>(&mut rng);
}

#[test]
fn montgomery_constants() {
    let mut rng = rng();
    let n = random_modulus::<16>(&mut rng);
    let m = Modulus::new(&n).unwrap();
    let nn = from_limbs(&n);
    let r = BoxedUint::one_with_precision(2048).shl(1024);
    let nz = crypto_bigint::NonZero::new(nn.clone().resize(2048)).unwrap();
    assert_eq!(from_limbs(m.one()).resize(2048), r.rem(&nz));
    let r2 = BoxedUint::one_with_precision(4096).shl(2048);
    let nz = crypto_bigint::NonZero::new(nn.resize(4096)).unwrap();
    assert_eq!(from_limbs(m.r2()).resize(4096), r2.rem(&nz));
    // Without R², the same constants; R² computed on demand is the same.
    let lazy = Modulus::without_r2(&n).unwrap();
    assert_eq!((lazy.n(), lazy.one()), (m.n(), m.one()));
    assert_eq!(lazy.compute_r2(), *m.r2());
    assert!(Modulus::new(&[2u64; 16]).is_none(), "even");
    assert!(Modulus::new(&[1u64; 16]).is_none(), "top bit clear");
}

fn pow_matches<const N: usize>(count: usize) {
    let mut rng = rng();
    for _ in 0..count {
        let n = random_modulus::<N>(&mut rng);
        let m = Modulus::new(&n).unwrap();
        let base = random_limbs::<N>(&mut rng);
        let exp = random_limbs::<N>(&mut rng);
        assert_eq!(pow(&m, &base, &exp), reference_pow(&base, &exp, &n));
    }
}

#[test]
fn pow_matches_crypto_bigint_1024() {
    pow_matches::<16>(4);
}

#[test]
fn pow_matches_crypto_bigint_1536() {
    pow_matches::<24>(2);
}

#[test]
fn pow_matches_crypto_bigint_2048() {
    pow_matches::<32>(2);
}

#[cfg(feature = "keygen")]
mod miller_rabin {
    use super::*;
    use crate::arith::miller_rabin::Candidate;
    use crypto_primes::hazmat::{MillerRabin, Primality};

    fn odd_top(mut x: [u64; 16]) -> [u64; 16] {
        x[0] |= 1;
        x[15] |= 1 << 63;
        x
    }

    /// Random odd 1024-bit candidates (almost all composite) and random bases: our round and
    /// crypto-primes' agree, base 2 included.
    #[test]
    fn agrees_with_crypto_primes_on_random_candidates() {
        let mut rng = rng();
        for _ in 0..6 {
            let w = odd_top(random_limbs::<16>(&mut rng));
            let ours = Candidate::new(&w).unwrap();
            let theirs = MillerRabin::new(Odd::new(from_limbs(&w)).unwrap());
            let mut b = random_limbs::<16>(&mut rng);
            b[15] >>= 1; // b < w
            let expected = !matches!(theirs.test(&from_limbs(&b)), Primality::Composite);
            assert_eq!(ours.test(&b), expected);
            let expected = !matches!(theirs.test_base_two(), Primality::Composite);
            assert_eq!(ours.test_base_two(), expected);
        }
    }

    /// The base-2 round asks its `keep_going` every `B2_POLL_WINDOWS` windows, runs to the end
    /// while told to, and stops (`None`) at the first `false`.
    #[test]
    fn base_two_round_stops_when_told() {
        use crate::arith::miller_rabin::{B2_POLL_WINDOWS, B2_WINDOW};
        use core::cell::Cell;
        let w = strong_pseudoprime::<32>();
        let c = Candidate::new(&w).unwrap();
        let top = 2048usize.div_ceil(B2_WINDOW) - 1;
        let polls = (0..top).filter(|w| w % B2_POLL_WINDOWS == 0).count();
        assert_eq!(polls, 26);
        let asked = Cell::new(0);
        let count = || {
            asked.set(asked.get() + 1);
            true
        };
        assert_eq!(c.test_base_two_while(&count), Some(true));
        assert_eq!(asked.get(), polls);
        asked.set(0);
        let third_says_stop = || {
            asked.set(asked.get() + 1);
            asked.get() < 3
        };
        assert_eq!(c.test_base_two_while(&third_says_stop), None);
        assert_eq!(asked.get(), 3);
    }

    /// A 1024-bit prime passes every base; prime · small factor-free composites fail.
    #[test]
    fn primes_pass_and_composites_fail() {
        let mut rng = rng();
        let p: BoxedUint = crypto_primes::random_prime(&mut rng, crypto_primes::Flavor::Any, 1024);
        let w = to_limbs::<16>(&p).unwrap();
        let c = Candidate::new(&w).unwrap();
        assert!(c.test_base_two());
        for _ in 0..3 {
            let mut b = random_limbs::<16>(&mut rng);
            b[15] >>= 1;
            assert!(c.test(&b));
        }
        let mut two = [0u64; 16];
        two[0] = 2;
        assert!(c.test(&two));
        // p·q for two 512-bit primes (a 1024-bit product): composite with no small factor.
        let composite = loop {
            let q: BoxedUint =
                crypto_primes::random_prime(&mut rng, crypto_primes::Flavor::Any, 512);
            let r: BoxedUint =
                crypto_primes::random_prime(&mut rng, crypto_primes::Flavor::Any, 512);
            if let Some(c) = Candidate::new(&to_limbs::<16>(&q.concatenating_mul(&r)).unwrap()) {
                break c;
            }
        };
        assert!(!composite.test_base_two());
        assert!(!composite.test(&two));
    }

    /// 2^d mod w from crypto-bigint, with w − 1 = 2^s·d.
    fn two_to_the_d<const N: usize>(w: &[u64; N]) -> [u64; N] {
        let w_minus_1 = from_limbs(w).wrapping_sub(BoxedUint::one());
        let d = w_minus_1.shr(w_minus_1.trailing_zeros());
        let mut two = [0u64; N];
        two[0] = 2;
        reference_pow(&two, &to_limbs(&d).unwrap(), w)
    }

    /// The windowed base-2 round against the bit-by-bit one it replaced and against
    /// crypto-bigint's pow: the same 2^d mod w and the same verdict.
    fn windowed_matches_bitwise<const N: usize>(w: &[u64; N], what: &str) -> bool {
        let c = Candidate::new(w).unwrap();
        let windowed = c.retrieve(&c.two_to_the_d(&|| true).unwrap());
        assert_eq!(
            windowed,
            c.retrieve(&c.two_to_the_d_bitwise()),
            "{what}, {} bits",
            64 * N
        );
        assert_eq!(windowed, two_to_the_d(w), "{what}, {} bits", 64 * N);
        let verdict = c.test_base_two();
        assert_eq!(
            verdict,
            c.test_base_two_bitwise(),
            "{what}, {} bits",
            64 * N
        );
        verdict
    }

    /// x² − x + 1 for x = 2^(32·N): a composite strong probable prime to base 2 of 64·N bits.
    /// It divides x³ + 1, so 2^(96·N) ≡ −1 (mod w), and w − 1 = x·(x − 1) = 2^(32·N)·d with
    /// d = x − 1, whose squarings reach that −1 (checked independently, with Python's sympy: not
    /// prime, and a strong probable prime to base 2, at 512, 1024, 1536 and 2048 bits).
    fn strong_pseudoprime<const N: usize>() -> [u64; N] {
        // R − x + 1: limbs N/2 and up all ones, limb 0 one.
        let mut w = [0u64; N];
        for l in w.iter_mut().skip(N / 2) {
            *l = u64::MAX;
        }
        w[0] = 1;
        w
    }

    #[test]
    fn windowed_base_two_matches_bitwise() {
        fn at<const N: usize>(rng: &mut rand::rngs::ChaCha8Rng, primes: usize) {
            for _ in 0..4 {
                let mut w = random_limbs::<N>(rng);
                w[0] |= 1;
                w[N - 1] |= 1 << 63;
                windowed_matches_bitwise(&w, "random odd");
            }
            for _ in 0..primes {
                let p: BoxedUint =
                    crypto_primes::random_prime(rng, crypto_primes::Flavor::Any, 64 * N as u32);
                assert!(windowed_matches_bitwise(
                    &to_limbs::<N>(&p).unwrap(),
                    "prime"
                ));
                // q·r, two primes of half the width: composite, kept when it has 64·N bits.
                let q: BoxedUint =
                    crypto_primes::random_prime(rng, crypto_primes::Flavor::Any, 32 * N as u32);
                let r: BoxedUint =
                    crypto_primes::random_prime(rng, crypto_primes::Flavor::Any, 32 * N as u32);
                let pq = q.concatenating_mul(&r);
                if let Some(w) = to_limbs::<N>(&pq).filter(|w| w[N - 1] >> 63 == 1) {
                    assert!(!windowed_matches_bitwise(&w, "p·q"));
                }
            }
            let w = strong_pseudoprime::<N>();
            assert!(
                windowed_matches_bitwise(&w, "strong pseudoprime"),
                "x² − x + 1 passes base 2"
            );
        }
        let mut rng = rng();
        at::<8>(&mut rng, 2);
        at::<16>(&mut rng, 1);
        at::<24>(&mut rng, 1);
        at::<32>(&mut rng, 1);
    }

    #[test]
    fn refuses_what_it_cannot_test() {
        assert!(Candidate::new(&[2u64; 16]).is_none(), "even");
        assert!(Candidate::new(&[3u64; 16]).is_none(), "top bit clear");
    }
}

mod rsadp {
    use crate::arith::blinding::FRESH_EVERY;
    use crate::arith::rsadp::RsaPrivateOp;
    use crate::test_rng::StuckAtZeroRng;
    use alloc::vec;
    use alloc::vec::Vec;
    use rand::{Rng, SeedableRng};
    use rsa::traits::PublicKeyParts;

    fn key(der: &[u8]) -> rsa::PrivateKey {
        pkcs8::DecodePrivateKey::from_pkcs8_der(der).unwrap()
    }

    fn rsa_2048() -> rsa::PrivateKey {
        key(include_bytes!("../../fuzz/keys/rsa2048.pk8"))
    }

    /// A random c < n as k big-endian bytes.
    fn random_below_n(key: &rsa::PrivateKey, rng: &mut rand::rngs::ChaCha8Rng) -> Vec<u8> {
        let mut c = vec![0u8; key.size()];
        rng.fill_bytes(&mut c);
        c[0] = key.n().as_ref().to_be_bytes()[0] - 1;
        c
    }

    fn reference(key: &rsa::PrivateKey, c: &[u8]) -> Vec<u8> {
        let c = rsa::BoxedUint::from_be_slice(c, key.n_bits_precision()).unwrap();
        let m =
            rsa::hazmat::rsa_decrypt_and_check::<rand::rngs::ChaCha8Rng>(key, None, &c).unwrap();
        let mut em = m.to_be_bytes().to_vec();
        em.drain(..em.len() - key.size());
        em
    }

    #[test]
    fn matches_rsa_on_random_ciphertexts_and_reuses_blinding() {
        let key = rsa_2048();
        let op = RsaPrivateOp::new(&key).unwrap();
        let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(3);
        // More calls than FRESH_EVERY: squared pairs, then a fresh one.
        for _ in 0..FRESH_EVERY + 3 {
            let c = random_below_n(&key, &mut rng);
            assert_eq!(
                op.decrypt(&c, &mut rng).unwrap().as_slice(),
                reference(&key, &c)
            );
        }
        // The edges: 0, 1 and n − 1.
        let mut c = vec![0u8; key.size()];
        assert_eq!(op.decrypt(&c, &mut rng).unwrap().as_slice(), &c[..]);
        c[key.size() - 1] = 1;
        assert_eq!(op.decrypt(&c, &mut rng).unwrap().as_slice(), &c[..]);
        let n_minus_1 = key
            .n()
            .as_ref()
            .wrapping_sub(rsa::BoxedUint::one())
            .to_be_bytes();
        assert_eq!(
            op.decrypt(&n_minus_1, &mut rng).unwrap().as_slice(),
            &n_minus_1[..] // (n − 1)^d = (−1)^d = −1 for odd d
        );
    }

    #[test]
    fn refuses_out_of_range_and_wrong_length() {
        let key = rsa_2048();
        let op = RsaPrivateOp::new(&key).unwrap();
        let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(4);
        let n = key.n().as_ref().to_be_bytes();
        assert!(op.decrypt(&n, &mut rng).is_none(), "c = n");
        assert!(op.decrypt(&[0xff; 256], &mut rng).is_none(), "c > n");
        assert!(op.decrypt(&[1; 255], &mut rng).is_none(), "short");
        assert!(op.decrypt(&[1; 257], &mut rng).is_none(), "long");
    }

    /// A fault between RSADP and the check (here: a kept blinding pair whose halves no longer
    /// match) is caught by the re-encryption check; the bad pair is dropped, not kept.
    #[test]
    fn a_fault_is_caught_and_the_pair_discarded() {
        let key = rsa_2048();
        let op = RsaPrivateOp::new(&key).unwrap();
        let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(6);
        let c = random_below_n(&key, &mut rng);
        let m = reference(&key, &c);
        assert_eq!(op.decrypt(&c, &mut rng).unwrap().as_slice(), &m[..]);
        assert!(op.corrupt_kept_pairs() > 0);
        assert!(op.decrypt(&c, &mut rng).is_none(), "the fault went through");
        assert_eq!(op.decrypt(&c, &mut rng).unwrap().as_slice(), &m[..]);
    }

    /// An RNG stuck at zero cannot give a blinding value: an error, not a hang (rsa 0.10's
    /// blinding loops forever on it).
    #[test]
    fn stuck_rng_is_an_error_not_a_hang() {
        let key = rsa_2048();
        let op = RsaPrivateOp::new(&key).unwrap();
        assert!(op.decrypt(&[1; 256], &mut StuckAtZeroRng).is_none());
    }

    /// Concurrent callers: at most SLOTS kept pairs, the others blind with fresh ones; every
    /// result is right.
    #[test]
    fn concurrent_use_through_shared_reference() {
        let key = rsa_2048();
        let op = RsaPrivateOp::new(&key).unwrap();
        let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(5);
        let inputs: Vec<Vec<u8>> = (0..4).map(|_| random_below_n(&key, &mut rng)).collect();
        let expected: Vec<Vec<u8>> = inputs.iter().map(|c| reference(&key, c)).collect();
        std::thread::scope(|s| {
            for t in 0..3u64 {
                let (op, inputs, expected) = (&op, &inputs, &expected);
                s.spawn(move || {
                    let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(10 + t);
                    for _ in 0..3 {
                        for (c, m) in inputs.iter().zip(expected) {
                            assert_eq!(op.decrypt(c, &mut rng).unwrap().as_slice(), &m[..]);
                        }
                    }
                });
            }
        });
    }
}
