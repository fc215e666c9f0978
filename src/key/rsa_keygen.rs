//! RSA key generation per FIPS 186-5 Appendix A.1.3 ("Generation of Random Primes that are
//! Probably Prime") with the key-pair criteria of A.1.1 / SP 800-56B §6.2.1.
//!
//! The primes come from our own search (`prime_search`: fresh uniform candidates, trial division,
//! Table B.1 Miller–Rabin rounds); the key is then assembled by `rsa::PrivateKey::from_p_q`, which
//! computes d = e⁻¹ mod λ(n) (so d < λ(n)), validates it and precomputes the CRT values. Before a
//! key is returned every FIPS condition that the construction does not already guarantee is checked
//! again ([`meets_fips_186_5`]).
//!
//! With the `parallel` feature the prime search runs on every core (`prime_search_parallel`).

use crypto_bigint::BoxedUint;
use rand_core::CryptoRng;
use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use zeroize::Zeroize;

use crate::error::Error;
use crate::key::prime_search::Target;
use crate::key::small_primes::TrialDivision;
pub(crate) use crate::policy::material::rsa::miller_rabin_rounds;

/// How many times a complete (p, q) pair may be rejected by the final checks (d ≤ 2^(nlen/2)
/// happens with probability ≈ 2^−(nlen/2)) before giving up.
const KEY_ATTEMPTS: usize = 4;

/// Generates an RSA key with e = 65537 and a modulus of exactly `nlen` bits (2048, 3072 or 4096).
pub(crate) fn generate<R: CryptoRng + ?Sized>(
    rng: &mut R,
    nlen: usize,
) -> Result<rsa::PrivateKey, Error> {
    let mr_rounds = miller_rabin_rounds(nlen).ok_or(Error::InvalidKey(
        "an RSA wrapping key must have a 2048-, 3072- or 4096-bit modulus",
    ))?;
    let bits = (nlen / 2) as u32;
    let e = BoxedUint::from(crate::RSA_PUBLIC_EXPONENT);
    let tables = TrialDivision::for_keygen(bits);
    let trial = &*tables;
    for _ in 0..KEY_ATTEMPTS {
        // A.1.3 step 4: p.
        let mut p = find_prime(
            rng,
            &Target {
                bits,
                mr_rounds,
                other: None,
                trial,
            },
        )?;
        // A.1.3 step 5: q, with |p − q| > 2^(nlen/2 − 100).
        let q = find_prime(
            rng,
            &Target {
                bits,
                mr_rounds,
                other: Some(&p),
                trial,
            },
        )?;
        let p_owned = core::mem::replace(&mut p, BoxedUint::zero());
        // SP 800-56B §6.2.1: d = e⁻¹ mod LCM(p − 1, q − 1).
        let key = rsa::PrivateKey::from_p_q(p_owned, q, e.clone()).map_err(|_| Error::Rng)?;
        p.zeroize();
        if meets_fips_186_5(&key, nlen) {
            return Ok(key);
        }
    }
    Err(Error::Rng)
}

#[cfg(not(feature = "parallel"))]
fn find_prime<R: CryptoRng + ?Sized>(rng: &mut R, target: &Target<'_>) -> Result<BoxedUint, Error> {
    find_prime_sequential(rng, target)
}

#[cfg(feature = "parallel")]
fn find_prime<R: CryptoRng + ?Sized>(rng: &mut R, target: &Target<'_>) -> Result<BoxedUint, Error> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads <= 1 {
        return find_prime_sequential(rng, target);
    }
    crate::key::prime_search_parallel::find_prime(rng, target, threads)
}

/// A.1.3 steps 4.2–4.8 (or 5.2–5.9) on the calling thread, drawing from the caller's RNG.
pub(crate) fn find_prime_sequential<R: CryptoRng + ?Sized>(
    rng: &mut R,
    target: &Target<'_>,
) -> Result<BoxedUint, Error> {
    for _ in 0..target.candidate_limit() {
        if let crate::key::prime_search::Tested::Prime(p) =
            crate::key::prime_search::test_one_candidate(rng, target, &|| true)
        {
            return Ok(p);
        }
    }
    Err(Error::Rng)
}

/// The FIPS 186-5 A.1.1 / A.1.3 conditions a generated key must meet that are not already enforced
/// while its primes are chosen (those are re-checked, independently, by `tests/keygen_fips.rs`):
/// e = 65537, n of exactly `nlen` bits, 2^(nlen/2) < d < LCM(p − 1, q − 1) (the upper bound holds
/// by construction in `from_p_q`), and exactly two primes.
fn meets_fips_186_5(key: &rsa::PrivateKey, nlen: usize) -> bool {
    let n_ok = key.n().as_ref().bit_width() as usize == nlen;
    let e_ok = key.e() == &BoxedUint::from(crate::RSA_PUBLIC_EXPONENT);
    let d_ok = key.d().bit_width() as usize > nlen / 2;
    n_ok && e_ok && d_ok && key.primes().len() == 2
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn table_b1_rounds_match_the_fips_formula() {
        use crypto_primes::hazmat::minimum_mr_iterations;
        assert_eq!(miller_rabin_rounds(2048), minimum_mr_iterations(1024, 112));
        assert_eq!(miller_rabin_rounds(3072), minimum_mr_iterations(1536, 128));
        assert_eq!(miller_rabin_rounds(4096), minimum_mr_iterations(2048, 144));
        assert_eq!(miller_rabin_rounds(1024), None);
    }

    #[test]
    fn refuses_sizes_fips_does_not_list() {
        let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(1);
        assert!(matches!(
            generate(&mut rng, 1024),
            Err(Error::InvalidKey(_))
        ));
        assert!(matches!(
            generate(&mut rng, 2050),
            Err(Error::InvalidKey(_))
        ));
    }

    /// Generates keys with this module's generator and checks them (the independent, complete FIPS
    /// check is tests/keygen_fips.rs, through the public API); prints timings in release builds:
    /// `cargo test --release --lib rsa_keygen::tests::keys_work -- --nocapture`.
    #[test]
    fn keys_work_and_meet_the_final_checks() {
        use rsa::{Oaep, traits::RandomizedEncryptor};
        let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(5);
        for nlen in [2048, 4096] {
            let start = std::time::Instant::now();
            let key = generate(&mut rng, nlen).unwrap();
            std::println!("{nlen}: {:?}", start.elapsed());
            assert!(meets_fips_186_5(&key, nlen));
            key.validate().unwrap();
            let enc = rsa::oaep::EncryptingKey::<sha2::Sha256>::new(key.to_public_key());
            let ct = enc.encrypt_with_rng(&mut rng, b"kms").unwrap();
            assert_eq!(
                key.decrypt(Oaep::<sha2::Sha256>::new(), &ct).unwrap(),
                b"kms"
            );
        }
    }

    /// An RNG that only ever returns zeros never yields an acceptable candidate: the search must
    /// end in an error, not spin forever.
    #[test]
    fn broken_rng_is_an_error_not_a_hang() {
        use crate::test_rng::StuckAtZeroRng as Zeros;
        let trial = &TrialDivision::for_prime_bits(1024);
        let target = Target {
            bits: 1024,
            mr_rounds: 5,
            other: None,
            trial,
        };
        assert!(matches!(
            find_prime_sequential(&mut Zeros, &target),
            Err(Error::Rng)
        ));
        #[cfg(not(feature = "parallel"))]
        assert!(matches!(generate(&mut Zeros, 2048), Err(Error::Rng)));
    }
}
