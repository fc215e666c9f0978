//! RSA private keys in PKCS#8: the strict checks RSA key material and RSA wrapping keys must pass.
//!
//! One checker serves both RSA key material (`material::check`) and RSA wrapping keys
//! ([`crate::WrappingPrivateKey::from_pkcs8_der`]). The `rsa` crate's own PKCS#8 decoder reads only
//! n, e, d, p and q and recomputes the CRT values, so a key whose stored dP, dQ or qInv are wrong
//! would be accepted by it and then misbehave in any implementation (an HSM, OpenSSL) that uses the
//! stored values. We therefore parse the RFC 8017 A.1.2 `RSAPrivateKey` ourselves and check every
//! field against the others.
//!
//! Beyond consistency, every key must meet the FIPS 186-5 Appendix A.1 criteria that a weak or
//! malicious key would break: 2^(nlen/2) < d < LCM(p − 1, q − 1) (A.1.1), |p − q| > 2^(nlen/2 −
//! 100) (A.1.3 step 5.4, which makes Fermat factoring hopeless), and — for key material, which
//! arrives from outside — p and q each pass the Miller–Rabin rounds of Table B.1 with random
//! bases ([`check_primes`]).

use alloc::vec;

use alloc::vec::Vec;
use crypto_bigint::{ConcatenatingMul, Gcd, NonZero, Odd, Resize};
use crypto_primes::hazmat::MillerRabin;
use der::Decode;
use der::asn1::AnyRef;
use rand_core::CryptoRng;
use rsa::BoxedUint;
use rsa::pkcs1::{RsaPrivateKeyRef, Version};
use zeroize::Zeroizing;

use crate::policy::material::pkcs8::PrivateKeyInfo;

/// `rsaEncryption` (RFC 8017 Appendix C).
pub(crate) const RSA_ENCRYPTION_OID: der::asn1::ObjectIdentifier =
    der::asn1::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");

/// What a caller accepts beyond a well-formed, consistent two-prime key.
pub(crate) struct RsaPolicy {
    /// Accepted modulus sizes, in bits (the modulus must have its top bit set).
    pub(crate) modulus_bits: &'static [u32],
    /// The refusal when the modulus has another size.
    pub(crate) modulus_refusal: &'static str,
    /// Only e = 65537 (wrapping keys); otherwise FIPS 186-5 §A.1.1: odd, 2^16 < e < 2^256.
    pub(crate) e_65537_only: bool,
}

/// The public exponent every RSA wrapping key has.
const F4: [u8; 3] = [0x01, 0x00, 0x01];

/// The five integers an `rsa::PrivateKey` is built from; the secret ones are wiped on drop.
pub(crate) struct RsaParts {
    n: BoxedUint,
    e: BoxedUint,
    d: Zeroizing<BoxedUint>,
    p: Zeroizing<BoxedUint>,
    q: Zeroizing<BoxedUint>,
}

/// Checks a PKCS#8 `rsaEncryption` private key: NULL parameters (RFC 8017 A.1), a strict-DER
/// two-prime `RSAPrivateKey` version 0 (A.1.2), a modulus size and exponent allowed by `policy`,
/// p and q odd, distinct and each half the modulus size, n = p·q, 0 < d < n,
/// dP = d mod (p − 1), dQ = d mod (q − 1), e·dP ≡ 1 mod (p − 1), e·dQ ≡ 1 mod (q − 1),
/// qInv < p and qInv·q ≡ 1 mod p. Sizes are checked before any arithmetic, so the work is bounded
/// by the largest allowed modulus.
pub(crate) fn check(
    info: &PrivateKeyInfo<'_>,
    policy: &RsaPolicy,
) -> Result<RsaParts, &'static str> {
    if info.algorithm != RSA_ENCRYPTION_OID {
        return Err("not an RSA key (the PKCS#8 algorithm is not rsaEncryption)");
    }
    if info.parameters != Some(AnyRef::NULL) {
        return Err(
            "the rsaEncryption AlgorithmIdentifier must have NULL parameters (RFC 8017 A.1)",
        );
    }
    let key = RsaPrivateKeyRef::from_der(info.private_key)
        .map_err(|_| "the RSAPrivateKey inside the PKCS#8 is not strict DER (RFC 8017 A.1.2)")?;
    if key.version() != Version::TwoPrime {
        return Err("multi-prime RSA keys are not accepted; use a two-prime key");
    }

    // Sizes first, from the encodings (the `der` crate has already refused non-minimal and
    // negative INTEGERs).
    let n_bytes = key.modulus.as_bytes();
    let n_bits = bit_len(n_bytes);
    if !policy.modulus_bits.contains(&n_bits) {
        return Err(policy.modulus_refusal);
    }
    let e_bytes = key.public_exponent.as_bytes();
    if policy.e_65537_only {
        if e_bytes != F4 {
            return Err("an RSA wrapping key must have the public exponent e = 65537");
        }
    } else if bit_len(e_bytes) <= 16 || bit_len(e_bytes) > 256 || !is_odd(e_bytes) {
        return Err("the RSA public exponent must be odd and 2^16 < e < 2^256 (FIPS 186-5 A.1.1)");
    }
    let half = n_bits / 2;
    let (p_bytes, q_bytes) = (key.prime1.as_bytes(), key.prime2.as_bytes());
    if bit_len(p_bytes) != half || bit_len(q_bytes) != half || !is_odd(p_bytes) || !is_odd(q_bytes)
    {
        return Err("the RSA primes p and q must be odd and each exactly half the modulus size");
    }

    let load = |bytes: &[u8]| {
        BoxedUint::from_be_slice(bytes, n_bits)
            .map(Zeroizing::new)
            .map_err(|_| "an RSA private key component is longer than the modulus")
    };
    let n = load(n_bytes)?;
    let e = load(e_bytes)?;
    let d = load(key.private_exponent.as_bytes())?;
    let p = load(p_bytes)?;
    let q = load(q_bytes)?;
    let dp = load(key.exponent1.as_bytes())?;
    let dq = load(key.exponent2.as_bytes())?;
    let qinv = load(key.coefficient.as_bytes())?;

    if *p == *q {
        return Err("the RSA primes p and q must differ");
    }
    if *Zeroizing::new(p.concatenating_mul(&*q)) != *n {
        return Err("the RSA modulus is not the product of the primes p and q");
    }
    if bool::from(d.is_zero()) || *d >= *n {
        return Err("the RSA private exponent d must satisfy 0 < d < n");
    }
    for (prime, d_mod, wrong_crt, not_inverse) in [
        (
            &p,
            &dp,
            "the RSA CRT exponent dP (exponent1) is not d mod (p - 1)",
            "the RSA private exponent is not the inverse of e modulo p - 1",
        ),
        (
            &q,
            &dq,
            "the RSA CRT exponent dQ (exponent2) is not d mod (q - 1)",
            "the RSA private exponent is not the inverse of e modulo q - 1",
        ),
    ] {
        // p and q are odd with at least 1024 bits, so p − 1 is not zero.
        let minus_one = non_zero(prime.wrapping_sub(BoxedUint::one()))?;
        if *Zeroizing::new(d.rem(&minus_one)) != **d_mod {
            return Err(wrong_crt);
        }
        if !bool::from(Zeroizing::new(e.concatenating_mul(&**d_mod).rem(&minus_one)).is_one()) {
            return Err(not_inverse);
        }
    }
    let p_non_zero = non_zero((*p).clone())?;
    if *qinv >= *p || !bool::from(Zeroizing::new(qinv.mul_mod(&q, &p_non_zero)).is_one()) {
        return Err("the RSA CRT coefficient qInv (coefficient) is not q^-1 mod p");
    }
    // FIPS 186-5 A.1.3 step 5.4.
    if !primes_far_enough_apart(&p, &q, half) {
        return Err(
            "the RSA primes p and q are too close together: FIPS 186-5 A.1.3 requires \
             |p - q| > 2^(nlen/2 - 100), and closer primes let anyone factor n (Fermat)",
        );
    }
    // FIPS 186-5 A.1.1: 2^(nlen/2) < d < LCM(p − 1, q − 1).
    if d.bit_width() <= half {
        return Err("the RSA private exponent d must be larger than 2^(nlen/2) (FIPS 186-5 A.1.1)");
    }
    let p1 = Zeroizing::new(p.wrapping_sub(BoxedUint::one()));
    let q1 = Zeroizing::new(q.wrapping_sub(BoxedUint::one()));
    let g = non_zero(p1.gcd(&*q1))?;
    let lambda = Zeroizing::new((&*p1 / &*g).concatenating_mul(&*q1));
    if *Zeroizing::new((*d).clone().resize(lambda.bits_precision())) >= *lambda {
        return Err(
            "the RSA private exponent d must be below LCM(p - 1, q - 1) (FIPS 186-5 A.1.1); \
             recompute it as e^-1 mod LCM(p - 1, q - 1) (OpenSSL 3 and pyca do)",
        );
    }
    Ok(RsaParts {
        n: (*n).clone(),
        e: (*e).clone(),
        d,
        p,
        q,
    })
}

/// FIPS 186-5 Table B.1: Miller–Rabin rounds with random bases for the primes of a modulus of
/// `nlen` bits, at the error probability matching the security strength (2^−112 for 1024-bit
/// primes, 2^−128 for 1536-bit, 2^−144 for 2048-bit). `None` for sizes FIPS 186-5 does not list.
pub(crate) const fn miller_rabin_rounds(nlen: usize) -> Option<usize> {
    match nlen {
        2048 => Some(5),
        3072 => Some(4),
        4096 => Some(4),
        _ => None,
    }
}

/// `|p − q| > 2^(bits − 100)` for `bits`-bit primes (FIPS 186-5 A.1.3 step 5.4), computed without
/// branching on the values. `p` and `q` must have the same precision.
pub(crate) fn primes_far_enough_apart(p: &BoxedUint, q: &BoxedUint, bits: u32) -> bool {
    // |p − q| together with n = p·q gives away p and q: every intermediate is wiped.
    let (pq, borrow) = p.borrowing_sub(q, crypto_bigint::Limb::ZERO);
    let pq = Zeroizing::new(pq);
    let qp = Zeroizing::new(q.wrapping_sub(p));
    let q_larger = crypto_bigint::Choice::from_u8_lsb((borrow.0 & 1) as u8);
    let diff = Zeroizing::new(crypto_bigint::CtSelect::ct_select(&*pq, &*qp, q_larger));
    // diff > 2^(bits−100) ⇔ diff − 1 ≥ 2^(bits−100) ⇔ bitlen(diff − 1) > bits − 100;
    // diff = 0 wraps to all ones and is caught by the explicit zero check.
    let bound = bits.saturating_sub(100);
    let minus_one = Zeroizing::new(diff.wrapping_sub(BoxedUint::one()));
    !bool::from(diff.is_zero()) & (minus_one.bit_width() > bound)
}

/// Checks that p and q of a key that passed [`check`] are probably prime: each passes the
/// Miller–Rabin rounds of FIPS 186-5 Table B.1 ([`miller_rabin_rounds`]) with bases drawn from
/// `rng` (Appendix B.3.1). A composite "prime" (say p = 3·r) makes every other check pass while
/// the key is trivially factorable.
pub(crate) fn check_primes<R: CryptoRng + ?Sized>(
    parts: &RsaParts,
    rng: &mut R,
) -> Result<(), &'static str> {
    let nlen = parts.n.bit_width() as usize;
    let rounds =
        miller_rabin_rounds(nlen).ok_or("the RSA modulus size is not 2048, 3072 or 4096 bits")?;
    for prime in [&parts.p, &parts.q] {
        let odd = Odd::new((**prime).clone())
            .into_option()
            .map(Zeroizing::new)
            .ok_or("the RSA primes p and q must be odd")?;
        let mr = MillerRabin::new((*odd).clone());
        for _ in 0..rounds {
            if mr.test_random_base(rng).is_composite() {
                return Err(
                    "the RSA prime p or q is composite (it fails the Miller-Rabin test of \
                     FIPS 186-5 Appendix B.3.1)",
                );
            }
        }
    }
    Ok(())
}

impl RsaParts {
    /// The canonical form of the key for its identity: n, e and the two primes in increasing
    /// order, each length-prefixed (u16 big-endian) at the modulus's precision. d and the CRT
    /// values are left out: they follow from these (any d' ≡ d mod λ(n) is the same key).
    pub(crate) fn canonical(&self) -> Zeroizing<Vec<u8>> {
        let (low, high) = if *self.p < *self.q {
            (&self.p, &self.q)
        } else {
            (&self.q, &self.p)
        };
        let mut out = Zeroizing::new(Vec::new());
        for part in [&self.n, &self.e, &**low, &**high] {
            let bytes = Zeroizing::new(part.to_be_bytes());
            let len = u16::try_from(bytes.len()).unwrap_or(u16::MAX);
            out.extend_from_slice(&len.to_be_bytes());
            out.extend_from_slice(&bytes);
        }
        out
    }

    /// The checked key as an `rsa` private key (CRT values recomputed by `rsa`, equal to the
    /// checked ones).
    pub(crate) fn into_private_key(self) -> Result<rsa::PrivateKey, &'static str> {
        let RsaParts { n, e, d, p, q } = self;
        rsa::PrivateKey::from_components(n, e, (*d).clone(), vec![(*p).clone(), (*q).clone()])
            .map_err(|_| "the RSA key was refused by the rsa crate")
    }
}

fn non_zero(x: BoxedUint) -> Result<Zeroizing<NonZero<BoxedUint>>, &'static str> {
    Option::from(NonZero::new(x))
        .map(Zeroizing::new)
        .ok_or("an RSA prime is zero")
}

/// Bit length of a minimal big-endian unsigned integer.
fn bit_len(bytes: &[u8]) -> u32 {
    match bytes.first() {
        Some(&top) => {
            let len = u32::try_from(bytes.len()).unwrap_or(u32::MAX / 8);
            len.saturating_mul(8).saturating_sub(top.leading_zeros())
        }
        None => 0,
    }
}

fn is_odd(bytes: &[u8]) -> bool {
    bytes.last().is_some_and(|b| b & 1 == 1)
}
