//! Elliptic-curve private keys (NIST P-256/P-384/P-521, secp256k1, SM2) inside PKCS#8: the strict
//! checks ECC and SM2 key material must pass.
//!
//! ```text
//! -- RFC 5480 §2.1.1: privateKeyAlgorithm = { id-ecPublicKey, namedCurve OID }
//! ECPrivateKey ::= SEQUENCE {                        -- RFC 5915 §3
//!   version        INTEGER { ecPrivkeyVer1(1) },
//!   privateKey     OCTET STRING,                     -- ceiling(log2(n)/8) octets
//!   parameters [0] ECParameters {{ NamedCurve }} OPTIONAL,
//!   publicKey  [1] BIT STRING OPTIONAL }
//! ```
//!
//! OpenSSL 3 writes SM2 keys with `id-ecPublicKey` and the curve OID 1.2.156.10197.1.301
//! (`openssl genpkey -algorithm SM2`), which is the only form accepted. The RustCrypto
//! `SecretKey::from_pkcs8_der` also checks a present public key, but it ignores PKCS#8 attributes
//! and accepts short scalars, so the structure is parsed here and the crates are only used for
//! the arithmetic.
//!
//! The structure and the OIDs are always compiled (the material inference reads them); the
//! arithmetic only for the curves whose feature is on (`ecc-p256`, ..., `sm2`), and
//! [`EcCurve::unsupported`] refuses the others before this module is asked.

use der::asn1::{BitStringRef, ObjectIdentifier, OctetStringRef};
use der::{Reader, SliceReader, TagMode, TagNumber};
#[cfg(feature = "_ec")]
use elliptic_curve::sec1::{FromSec1Point, ModulusSize, ToSec1Point};
#[cfg(feature = "_ec")]
use elliptic_curve::{AffinePoint, CurveArithmetic, FieldBytes, FieldBytesSize};
#[cfg(feature = "_ec")]
use elliptic_curve::{PublicKey, SecretKey};

use crate::policy::key_spec::EcCurve;
use crate::policy::material::pkcs8::{PrivateKeyInfo, Refused};

/// `id-ecPublicKey` (RFC 5480 §2.1.1).
pub(crate) const ID_EC_PUBLIC_KEY: ObjectIdentifier =
    ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");

/// The namedCurve OID (RFC 5480 §2.1.1.1, SEC 2 §A.2, GM/T 0006).
pub(crate) const fn oid(curve: EcCurve) -> ObjectIdentifier {
    match curve {
        EcCurve::P256 => ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7"),
        EcCurve::P384 => ObjectIdentifier::new_unwrap("1.3.132.0.34"),
        EcCurve::P521 => ObjectIdentifier::new_unwrap("1.3.132.0.35"),
        EcCurve::Secp256k1 => ObjectIdentifier::new_unwrap("1.3.132.0.10"),
        EcCurve::Sm2 => ObjectIdentifier::new_unwrap("1.2.156.10197.1.301"),
    }
}

/// One byte naming the curve in a key's canonical form.
pub(crate) const fn curve_tag(curve: EcCurve) -> u8 {
    match curve {
        EcCurve::P256 => 1,
        EcCurve::P384 => 2,
        EcCurve::P521 => 3,
        EcCurve::Secp256k1 => 4,
        EcCurve::Sm2 => 5,
    }
}

/// Checks a PKCS#8 EC private key for `curve`: `id-ecPublicKey` with the curve's namedCurve OID,
/// a strict-DER `ECPrivateKey` version 1, a scalar of exactly the curve's length in [1, n − 1],
/// inner `parameters` (if present) naming the same curve, and an inner `publicKey` (if present,
/// compressed or uncompressed) that is the point [d]G. Returns the private scalar (big-endian,
/// exactly [`EcCurve::scalar_len`] bytes).
pub(crate) fn check<'a>(
    curve: EcCurve,
    info: &PrivateKeyInfo<'a>,
) -> Result<&'a [u8], &'static str> {
    if info.algorithm != ID_EC_PUBLIC_KEY {
        return Err("not an elliptic-curve key (the PKCS#8 algorithm is not id-ecPublicKey)");
    }
    let named_curve = info
        .parameters
        .and_then(|any| any.decode_as::<ObjectIdentifier>().ok())
        .ok_or("the id-ecPublicKey parameters must be a namedCurve OID (RFC 5480)")?;
    if named_curve != oid(curve) {
        return Err("the EC key is on another curve than the key spec names");
    }
    let ec = parse_ec_private_key(info.private_key).map_err(|Refused(why)| why)?;
    if ec.parameters.is_some_and(|oid| oid != named_curve) {
        return Err("the ECPrivateKey parameters name another curve than the PKCS#8 algorithm");
    }
    if ec.scalar.len() != curve.scalar_len() {
        return Err("the EC private key must be exactly the curve's scalar length (RFC 5915)");
    }
    // A curve whose feature is off is refused before (`EcCurve::unsupported`); the last arm
    // keeps this total in such a build.
    match curve {
        #[cfg(feature = "ecc-p256")]
        EcCurve::P256 => check_scalar::<p256::NistP256>(ec.scalar, ec.public_key),
        #[cfg(feature = "ecc-p384")]
        EcCurve::P384 => check_scalar::<p384::NistP384>(ec.scalar, ec.public_key),
        #[cfg(feature = "ecc-p521")]
        EcCurve::P521 => check_scalar::<p521::NistP521>(ec.scalar, ec.public_key),
        #[cfg(feature = "ecc-secp256k1")]
        EcCurve::Secp256k1 => check_scalar::<k256::Secp256k1>(ec.scalar, ec.public_key),
        #[cfg(feature = "sm2")]
        EcCurve::Sm2 => check_scalar::<sm2::Sm2>(ec.scalar, ec.public_key),
        #[allow(unreachable_patterns)]
        _ => Err("this build does not check keys on this curve"),
    }?;
    Ok(ec.scalar)
}

/// The fields of an RFC 5915 `ECPrivateKey`.
// Without a curve feature nothing reads `public_key`: no point can be checked.
#[cfg_attr(not(feature = "_ec"), allow(dead_code))]
struct EcPrivateKey<'a> {
    scalar: &'a [u8],
    parameters: Option<ObjectIdentifier>,
    public_key: Option<&'a [u8]>,
}

fn parse_ec_private_key(der: &[u8]) -> Result<EcPrivateKey<'_>, Refused> {
    let mut reader = SliceReader::new(der)?;
    let key = reader.sequence(|r| -> Result<EcPrivateKey<'_>, Refused> {
        let version: u8 = r.decode()?;
        if version != 1 {
            return Err(Refused("the ECPrivateKey version must be 1 (RFC 5915)"));
        }
        let scalar: &OctetStringRef = r.decode()?;
        // Only namedCurve is accepted; explicit curve parameters fail to decode as an OID.
        let parameters = r
            .context_specific::<ObjectIdentifier>(TagNumber(0), TagMode::Explicit)
            .map_err(|_| Refused("the ECPrivateKey parameters must be a namedCurve OID"))?;
        let public_key = r
            .context_specific::<BitStringRef<'_>>(TagNumber(1), TagMode::Explicit)?
            .map(|bits| bits.as_bytes().ok_or(Refused(BAD_POINT)))
            .transpose()?;
        Ok(EcPrivateKey {
            scalar: scalar.as_bytes(),
            parameters,
            public_key,
        })
    })?;
    reader.finish()?;
    Ok(key)
}

const BAD_POINT: &str =
    "the ECPrivateKey publicKey is not a compressed or uncompressed point on the curve";

/// The scalar is in [1, n − 1] and the optional public key equals [d]G.
#[cfg(feature = "_ec")]
fn check_scalar<C>(scalar: &[u8], public_key: Option<&[u8]>) -> Result<(), &'static str>
where
    C: CurveArithmetic,
    FieldBytesSize<C>: ModulusSize,
    AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C>,
{
    let bytes = <&FieldBytes<C>>::try_from(scalar)
        .map_err(|_| "the EC private key must be exactly the curve's scalar length (RFC 5915)")?;
    let secret = SecretKey::<C>::from_bytes(bytes)
        .map_err(|_| "the EC private key must be in [1, n - 1] (n = the curve order)")?;
    if let Some(encoded) = public_key {
        // SEC 1 §2.3.3: 0x02/0x03 compressed, 0x04 uncompressed; no identity, hybrid or compact.
        if !matches!(encoded.first(), Some(0x02..=0x04)) {
            return Err(BAD_POINT);
        }
        let given = PublicKey::<C>::from_sec1_bytes(encoded).map_err(|_| BAD_POINT)?;
        if given != secret.public_key() {
            return Err("the ECPrivateKey publicKey does not match the private key");
        }
    }
    Ok(())
}
