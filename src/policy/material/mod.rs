//! Key material checks: what each key spec accepts on import, decided from the bytes alone.
//!
//! The rules, in order ([`validate`]):
//! 1. The key spec must take imported material and exist in the partition (the per-KeySpec
//!    table, [`crate::policy::key_spec::KEY_SPECS`]); otherwise the refusal is the matrix's
//!    ([`crate::Error::NotAllowed`]).
//! 2. The material is 1 to [`crate::limits::MAX_MATERIAL_LEN`] bytes.
//! 3. Symmetric and HMAC keys: exactly the key spec's length — `SYMMETRIC_DEFAULT` 32 bytes (an
//!    AES-256 key; 16 bytes, an SM4 key, in `aws-cn`), `HMAC_224/256/384/512` 28/32/48/64 bytes
//!    (developer guide, "Special requirements for key material"). Text that decodes to the right
//!    length (base64, hex) is recognised and refused with a hint: KMS takes the raw bytes.
//! 4. RSA, ECC and SM2 keys: a strict-DER PKCS#8 `PrivateKeyInfo` v1 (RFC 5208; no attributes,
//!    nothing trailing) of the key spec's algorithm, curve and size, internally consistent:
//!    - RSA (RFC 8017 A.1.2): two primes, the modulus exactly the key spec's size, e odd with
//!      2^16 < e < 2^256, n = p·q, every CRT value right, and the FIPS 186-5 A.1 criteria that
//!      weak keys break (2^(nlen/2) < d < LCM(p − 1, q − 1), |p − q| > 2^(nlen/2 − 100), p and q
//!      probably prime by the Table B.1 Miller–Rabin rounds with bases from the caller's RNG).
//!    - ECC and SM2 (RFC 5915, RFC 5480): `id-ecPublicKey` with the curve's namedCurve OID, a
//!      scalar of exactly the curve's length in [1, n − 1], inner parameters (if any) naming the
//!      same curve, and an inner public key (if any, compressed or uncompressed) equal to \[d\]G.
//!
//! The work is bounded: lengths are checked before any parsing and RSA sizes before any
//! arithmetic.

pub(crate) mod ec;
mod infer;
pub use infer::infer_key_specs;
pub(crate) mod pkcs8;
pub(crate) mod rsa;

use alloc::vec::Vec;

use rand_core::CryptoRng;
use zeroize::Zeroizing;

pub use crate::error::{MaterialReason, MaterialRefusal, TextEncoding};
pub use crate::policy::key_spec::{EcCurve, KEY_SPECS, KeySpecRule, MaterialForm};

use crate::error::{Error, Reason, Refusal};
use crate::limits::MAX_MATERIAL_LEN;
use crate::policy::names::{KeySpec, MaterialKind, Partition};
use rsa::RsaPolicy;

/// Checks that `material` is what a `key_spec` key accepts on import in `partition` (the rules
/// are in the module documentation). `material` is the plaintext key material: raw key bytes for
/// symmetric and HMAC keys, PKCS#8 DER for RSA, ECC and SM2 keys. `rng` draws the Miller–Rabin
/// bases for RSA primes (nothing else uses it).
///
/// This is the `ImportKeyMaterial` step that validates the decrypted material, and what
/// `kms-import wrap --key-spec` runs before wrapping.
///
/// # Errors
/// - [`Error::NotAllowed`] when `key_spec` takes no imported material or does not exist in
///   `partition` (reasons [`Reason::KeySpecNotImportable`], [`Reason::KeySpecNotInPartition`]).
/// - [`Error::IncorrectKeyMaterial`] with the [`MaterialReason`] for everything about the bytes.
/// - [`Error::Unsupported`] for ECC or SM2 key material in a build without that curve's feature
///   (`ecc-p256`, `ecc-p384`, `ecc-p521`, `ecc-secp256k1`, `sm2`), after the checks above that
///   need no curve (key spec, partition, length).
pub fn validate<R: CryptoRng + ?Sized>(
    partition: Partition,
    key_spec: KeySpec,
    material: &[u8],
    rng: &mut R,
) -> Result<(), Error> {
    canonical_form(partition, key_spec, material, rng).map(drop)
}

/// [`validate`], returning the material's canonical form: what identifies the key regardless of
/// its encoding (the raw bytes; curve and private scalar; modulus, public exponent and the primes
/// in increasing order), preceded by a one-byte tag of the form. The service derives the
/// `KeyMaterialId` from it.
pub(crate) fn canonical_form<R: CryptoRng + ?Sized>(
    partition: Partition,
    key_spec: KeySpec,
    material: &[u8],
    rng: &mut R,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    check_key_spec(partition, key_spec)?;
    let refuse =
        |reason| Error::IncorrectKeyMaterial(MaterialRefusal::new(key_spec, partition, reason));
    if material.is_empty() && key_spec.raw_material_len(partition).is_none() {
        return Err(refuse(MaterialReason::Empty));
    }
    if material.len() > MAX_MATERIAL_LEN {
        return Err(refuse(MaterialReason::TooLong {
            len: material.len(),
        }));
    }
    let invalid = |why| refuse(MaterialReason::Invalid(why));
    let tagged = |tag: u8, parts: &[&[u8]]| {
        let mut out = Zeroizing::new(Vec::with_capacity(
            1 + parts.iter().map(|p| p.len()).sum::<usize>(),
        ));
        out.push(tag);
        for part in parts {
            out.extend_from_slice(part);
        }
        out
    };
    match key_spec.rule().material {
        MaterialForm::Raw { .. } => {
            let expected = key_spec.raw_material_len(partition).unwrap_or(0);
            if material.len() != expected {
                return Err(refuse(MaterialReason::Length {
                    expected,
                    actual: material.len(),
                    looks_like: looks_like_text(material, expected),
                }));
            }
            Ok(tagged(TAG_RAW, &[material]))
        }
        MaterialForm::RsaPkcs8 { modulus_bits } => {
            let info = pkcs8::parse(material).map_err(invalid)?;
            let policy = RsaPolicy {
                modulus_bits: match modulus_bits {
                    2048 => &[2048],
                    3072 => &[3072],
                    _ => &[4096],
                },
                modulus_refusal: "the RSA modulus is not the size the key spec names \
                                  (RSA_2048: 2048 bits, RSA_3072: 3072, RSA_4096: 4096)",
                e_65537_only: false,
            };
            let parts = rsa::check(&info, &policy).map_err(invalid)?;
            rsa::check_primes(&parts, rng).map_err(invalid)?;
            Ok(tagged(TAG_RSA, &[&parts.canonical()]))
        }
        MaterialForm::EcPkcs8 { curve, .. } => {
            if let Some(unsupported) = curve.unsupported() {
                return Err(unsupported.into());
            }
            let info = pkcs8::parse(material).map_err(invalid)?;
            let scalar = ec::check(curve, &info).map_err(invalid)?;
            Ok(tagged(TAG_EC, &[&[ec::curve_tag(curve)], scalar]))
        }
        MaterialForm::NotImportable => Err(Error::NotAllowed(Refusal::new(
            Reason::KeySpecNotImportable,
        ))),
    }
}

/// Tags of the canonical forms.
const TAG_RAW: u8 = 1;
const TAG_RSA: u8 = 2;
const TAG_EC: u8 = 3;

/// Checks that a `key_spec` key can receive imported material in `partition` at all, before any
/// algorithm or material is looked at (what `kms-import sample-material` checks).
///
/// # Errors
/// The matrix's [`Refusal`]: [`Reason::KeySpecNotImportable`] (ML-DSA, ML-KEM, Ed25519), or
/// [`Reason::KeySpecNotInPartition`] (`SM2` outside `aws-cn`) with an alternative in a partition
/// where the key spec exists.
pub fn check_key_spec(partition: Partition, key_spec: KeySpec) -> Result<(), Refusal> {
    let reason = if key_spec.material_kind() == MaterialKind::NotImportable {
        Reason::KeySpecNotImportable
    } else if !key_spec.exists_in(partition) {
        Reason::KeySpecNotInPartition
    } else {
        return Ok(());
    };
    let mut refusal = Refusal::new(reason);
    refusal.partition = Some(partition);
    refusal.key_spec = Some(key_spec);
    refusal.suggestions = crate::policy::matrix::suggest_for_key_spec(partition, key_spec, reason);
    Err(refusal)
}

/// Whether `material` is base64 or hex text that decodes to exactly `expected` bytes.
fn looks_like_text(material: &[u8], expected: usize) -> Option<TextEncoding> {
    let text: Vec<u8> = material
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    if expected == 0 || text.is_empty() {
        return None;
    }
    if text.len() == 2 * expected && text.iter().all(u8::is_ascii_hexdigit) {
        return Some(TextEncoding::Hex);
    }
    let padding = text.iter().rev().take_while(|&&b| b == b'=').count();
    let body = &text[..text.len() - padding];
    let alphabet = body
        .iter()
        .all(|&b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'-' || b == b'_');
    let decoded = (body.len() * 3) / 4;
    let padded_ok = padding <= 2 && (padding == 0 || text.len().is_multiple_of(4));
    (alphabet && padded_ok && decoded == expected).then_some(TextEncoding::Base64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::TextEncoding;

    #[test]
    fn text_of_the_right_length_is_recognised() {
        let b64 = b"q83vASNFZ4mrze8BI0VniavN7wEjRWeJq83vASNFZ4k=";
        assert_eq!(looks_like_text(b64, 32), Some(TextEncoding::Base64));
        assert_eq!(
            looks_like_text(b"q83vASNFZ4mrze8BI0VniavN7wEjRWeJq83vASNFZ4k=\n", 32),
            Some(TextEncoding::Base64)
        );
        let hex = [b'a'; 64];
        assert_eq!(looks_like_text(&hex, 32), Some(TextEncoding::Hex));
        assert_eq!(looks_like_text(&hex, 28), None);
        assert_eq!(looks_like_text(&[0xffu8; 44], 32), None);
    }
}
