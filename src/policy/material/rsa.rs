//! RSA private keys in PKCS#8: the strict checks RSA key material and RSA wrapping keys must pass.
//!
//! One checker serves both RSA key material (`material::check`) and RSA wrapping keys
//! ([`crate::WrappingPrivateKey::from_pkcs8_der`]). The `rsa` crate's own PKCS#8 decoder reads only
//! n, e, d, p and q and recomputes the CRT values, so a key whose stored dP, dQ or qInv are wrong
//! would be accepted by it and then misbehave in any implementation (an HSM, OpenSSL) that uses the
//! stored values. We therefore parse the RFC 8017 A.1.2 `RSAPrivateKey` ourselves and check every
//! field against the others.

use alloc::vec;

use crypto_bigint::{ConcatenatingMul, NonZero};
use der::Decode;
use der::asn1::AnyRef;
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
    Ok(RsaParts {
        n: (*n).clone(),
        e: (*e).clone(),
        d,
        p,
        q,
    })
}

impl RsaParts {
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
