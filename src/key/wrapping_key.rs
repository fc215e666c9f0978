//! Wrapping key pairs for every `WrappingKeySpec`.
//!
//! The public half leaves as DER SubjectPublicKeyInfo, byte for byte what KMS returns as
//! `PublicKey` in `GetParametersForImport` (RFC 5280 §4.1.2.7; RSA: `rsaEncryption` with NULL
//! parameters, RFC 3279 §2.3.1; SM2: `id-ecPublicKey` with the curve OID 1.2.156.10197.1.301 and an
//! uncompressed point, RFC 5480 §2.2). The private half is not `Clone`, its `Debug` is redacted,
//! and it is zeroized on drop; it leaves only as PKCS#8 DER in a zeroizing buffer.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::fmt;

#[cfg(feature = "sm2")]
use pkcs8::DecodePrivateKey;
use pkcs8::EncodePrivateKey;
use rand_core::CryptoRng;
use rsa::traits::PublicKeyParts;
use spki::{DecodePublicKey, EncodePublicKey};
use zeroize::{ZeroizeOnDrop, Zeroizing};

use crate::arith::rsadp::RsaPrivateOp;
use crate::error::Error;
#[cfg(feature = "keygen")]
use crate::key::rsa_keygen;
#[cfg(all(feature = "keygen", feature = "sm2"))]
use crate::key::sm2_scalar;
#[cfg(feature = "sm2")]
use crate::policy::key_spec::EcCurve;
#[cfg(feature = "sm2")]
use crate::policy::material::ec as ec_key;
use crate::policy::material::pkcs8 as material_pkcs8;
use crate::policy::material::rsa::{self as rsa_key, RsaPolicy};
use crate::policy::names::WrappingKeySpec;

/// The RSA public exponent KMS wrapping keys use.
pub const RSA_PUBLIC_EXPONENT: u32 = 65537;

/// The private half of a wrapping key pair. Not `Clone`; zeroized on drop; `Debug` is redacted.
pub struct WrappingPrivateKey {
    spec: WrappingKeySpec,
    inner: PrivateInner,
}

// Both inner key types wipe themselves on drop (`rsa::PrivateKey: ZeroizeOnDrop`,
// `RsaPrivateOp: ZeroizeOnDrop`, `sm2::SecretKey: ZeroizeOnDrop`); the assertion below keeps it
// that way.
enum PrivateInner {
    Rsa(Box<RsaPrivate>),
    #[cfg(feature = "sm2")]
    Sm2(sm2::SecretKey),
}

/// An RSA wrapping private key: the `rsa` key (its public half, PKCS#8 export) and the same key
/// prepared for RSADP on the fixed-width arithmetic, which also keeps the blinding pairs.
struct RsaPrivate {
    key: rsa::PrivateKey,
    op: RsaPrivateOp,
}

impl RsaPrivate {
    fn new(key: rsa::PrivateKey) -> Result<Self, Error> {
        // Every wrapping key has a 2048-, 3072- or 4096-bit modulus and two primes of half its
        // size (generation and import both make sure), which is what `RsaPrivateOp` needs.
        let op = RsaPrivateOp::new(&key).ok_or(Error::InvalidKey(
            "an RSA wrapping key must have two primes of half the modulus size",
        ))?;
        Ok(RsaPrivate { key, op })
    }
}

const _: () = {
    const fn zeroize_on_drop<T: ZeroizeOnDrop>() {}
    zeroize_on_drop::<rsa::PrivateKey>();
    zeroize_on_drop::<RsaPrivateOp>();
    #[cfg(feature = "sm2")]
    zeroize_on_drop::<sm2::SecretKey>();
};

/// What a build without the `sm2` feature answers for SM2 wrapping keys.
#[cfg(not(feature = "sm2"))]
const SM2_UNSUPPORTED: crate::Unsupported =
    crate::Unsupported::new("the SM2 wrapping key spec", "sm2");

impl ZeroizeOnDrop for WrappingPrivateKey {}

/// The public half of a wrapping key pair, as KMS hands it to the client.
#[derive(Clone, PartialEq, Eq)]
pub struct WrappingPublicKey {
    spec: WrappingKeySpec,
    inner: PublicInner,
}

#[derive(Clone, PartialEq, Eq)]
enum PublicInner {
    Rsa(Box<rsa::PublicKey>),
    #[cfg(feature = "sm2")]
    Sm2(sm2::PublicKey),
}

impl WrappingPrivateKey {
    /// Generates a fresh wrapping key pair: RSA with e = 65537 and exactly the requested modulus
    /// size, or SM2 on sm2p256v1.
    ///
    /// # Errors
    /// [`Error::Rng`] when `rng` fails; [`Error::Unsupported`] in a build without the `keygen`
    /// feature (wrapping keys are then provisioned with [`WrappingPrivateKey::from_pkcs8_der`]),
    /// or for `SM2` without the `sm2` feature.
    #[cfg(not(feature = "keygen"))]
    pub fn generate<R: CryptoRng + ?Sized>(
        spec: WrappingKeySpec,
        rng: &mut R,
    ) -> Result<Self, Error> {
        let _ = (spec, rng);
        Err(crate::Unsupported::new("wrapping key generation", "keygen").into())
    }

    /// Generates a fresh wrapping key pair: RSA with e = 65537 and exactly the requested modulus
    /// size, or SM2 on sm2p256v1.
    ///
    /// RSA primes are searched per FIPS 186-5 Appendix A.1.3 with trial division before
    /// Miller–Rabin (Appendix B.3). Memory: the trial-division tables take ≈ 350 kB, 1 MB and
    /// 2.4 MB of heap for RSA-2048, 3072 and 4096 on 64-bit targets (18–31 kB on 32-bit ones).
    /// With the `std` feature the first call for each size builds them (≈ 2–4 ms for RSA-4096
    /// on a current x86-64 core) and keeps them for the life of the process, shared by later
    /// calls and threads; without `std` every call builds its own and frees them on return.
    ///
    /// # Errors
    /// [`Error::Rng`] when `rng` fails; [`Error::Unsupported`] for `SM2` in a build without the
    /// `sm2` feature.
    #[cfg(feature = "keygen")]
    pub fn generate<R: CryptoRng + ?Sized>(
        spec: WrappingKeySpec,
        rng: &mut R,
    ) -> Result<Self, Error> {
        let inner = match spec.rsa_modulus_len() {
            Some(k) => PrivateInner::Rsa(Box::new(RsaPrivate::new(rsa_keygen::generate(
                rng,
                k * 8,
            )?)?)),
            #[cfg(not(feature = "sm2"))]
            None => return Err(SM2_UNSUPPORTED.into()),
            // A scalar in [1, n − 1], redrawn a bounded number of times: an RNG stuck at zero
            // is an error, not a hang (`sm2::SecretKey::generate_from_rng` loops forever).
            #[cfg(feature = "sm2")]
            None => (0..sm2_scalar::MAX_K_DRAWS)
                .find_map(|_| sm2_scalar::draw_scalar(rng))
                .map(|d| PrivateInner::Sm2(sm2::SecretKey::from(*d)))
                .ok_or(Error::Rng)?,
        };
        Ok(WrappingPrivateKey { spec, inner })
    }

    /// The wrapping key spec of this key.
    pub fn spec(&self) -> WrappingKeySpec {
        self.spec
    }

    /// The public half.
    pub fn public_key(&self) -> WrappingPublicKey {
        let inner = match &self.inner {
            PrivateInner::Rsa(k) => PublicInner::Rsa(Box::new(k.key.to_public_key())),
            #[cfg(feature = "sm2")]
            PrivateInner::Sm2(k) => PublicInner::Sm2(k.public_key()),
        };
        WrappingPublicKey {
            spec: self.spec,
            inner,
        }
    }

    /// The private key as PKCS#8 DER (RFC 5208), in a buffer wiped on drop.
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, Error> {
        let doc = match &self.inner {
            PrivateInner::Rsa(k) => k.key.to_pkcs8_der(),
            #[cfg(feature = "sm2")]
            PrivateInner::Sm2(k) => k.to_pkcs8_der(),
        }
        .map_err(|_| Error::InvalidKey("the private key could not be encoded as PKCS#8"))?;
        Ok(Zeroizing::new(doc.as_bytes().to_vec()))
    }

    /// Reads a PKCS#8 DER private key, works out its wrapping key spec and validates it: RSA keys
    /// must have e = 65537, a 2048-, 3072- or 4096-bit modulus and consistent CRT values; SM2 keys
    /// a scalar in [1, n − 1] and, when present, the matching public point.
    ///
    /// # Errors
    /// [`Error::InvalidKey`] with the rule the key breaks; [`Error::Unsupported`] for an EC
    /// (SM2) key in a build without the `sm2` feature.
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, Error> {
        if let Some(key) = rsa_from_pkcs8_der(der)? {
            let spec = rsa_wrapping_key_spec(&key)?;
            return Ok(WrappingPrivateKey {
                spec,
                inner: PrivateInner::Rsa(Box::new(RsaPrivate::new(key)?)),
            });
        }
        sm2_from_pkcs8_der(der)
    }

    /// The RSA key prepared for RSADP (blinded CRT on the fixed-width arithmetic).
    pub(crate) fn as_rsa_op(&self) -> Option<&RsaPrivateOp> {
        match &self.inner {
            PrivateInner::Rsa(k) => Some(&k.op),
            #[cfg(feature = "sm2")]
            PrivateInner::Sm2(_) => None,
        }
    }

    #[cfg(feature = "sm2")]
    pub(crate) fn as_sm2(&self) -> Option<&sm2::SecretKey> {
        match &self.inner {
            PrivateInner::Sm2(k) => Some(k),
            PrivateInner::Rsa(_) => None,
        }
    }
}

/// Reads a PKCS#8 DER SM2 wrapping private key, with the same strict PKCS#8 and EC checks as
/// imported SM2 key material.
#[cfg(feature = "sm2")]
fn sm2_from_pkcs8_der(der: &[u8]) -> Result<WrappingPrivateKey, Error> {
    let info = material_pkcs8::parse(der).map_err(Error::InvalidKey)?;
    ec_key::check(EcCurve::Sm2, &info).map_err(Error::InvalidKey)?;
    let key = sm2::SecretKey::from_pkcs8_der(der).map_err(|_| {
        Error::InvalidKey("not a PKCS#8 RSA or SM2 (sm2p256v1) private key, or not a valid one")
    })?;
    Ok(WrappingPrivateKey {
        spec: WrappingKeySpec::Sm2,
        inner: PrivateInner::Sm2(key),
    })
}

/// Without the `sm2` feature: an EC key is an SM2 wrapping key this build cannot use; anything
/// else is not a wrapping key.
#[cfg(not(feature = "sm2"))]
fn sm2_from_pkcs8_der(der: &[u8]) -> Result<WrappingPrivateKey, Error> {
    let info = material_pkcs8::parse(der).map_err(Error::InvalidKey)?;
    Err(if info.algorithm == ID_EC_PUBLIC_KEY {
        SM2_UNSUPPORTED.into()
    } else {
        Error::InvalidKey("not a PKCS#8 RSA or SM2 (sm2p256v1) private key")
    })
}

#[cfg(not(feature = "sm2"))]
use crate::policy::material::ec::ID_EC_PUBLIC_KEY;

/// Reads a DER SubjectPublicKeyInfo of an SM2 key.
#[cfg(feature = "sm2")]
fn sm2_public_from_der(der: &[u8]) -> Result<WrappingPublicKey, Error> {
    let key = sm2::PublicKey::from_public_key_der(der).map_err(|_| {
        Error::InvalidKey("not a DER SubjectPublicKeyInfo of an RSA or SM2 (sm2p256v1) key")
    })?;
    Ok(WrappingPublicKey {
        spec: WrappingKeySpec::Sm2,
        inner: PublicInner::Sm2(key),
    })
}

/// Without the `sm2` feature: an EC public key is an SM2 wrapping key this build cannot use.
#[cfg(not(feature = "sm2"))]
fn sm2_public_from_der(der: &[u8]) -> Result<WrappingPublicKey, Error> {
    Err(
        match spki::SubjectPublicKeyInfoRef::try_from(der).map(|info| info.algorithm.oid) {
            Ok(ID_EC_PUBLIC_KEY) => SM2_UNSUPPORTED.into(),
            _ => Error::InvalidKey("not a DER SubjectPublicKeyInfo of an RSA or SM2 key"),
        },
    )
}

/// Reads a PKCS#8 DER RSA wrapping private key. `Ok(None)` when the DER is a strict PKCS#8 key of
/// another algorithm; `Err` when it is not strict PKCS#8, or an RSA key that fails the strict RSA
/// checks with a 2048-, 3072- or 4096-bit modulus and e = 65537.
fn rsa_from_pkcs8_der(der: &[u8]) -> Result<Option<rsa::PrivateKey>, Error> {
    let info = material_pkcs8::parse(der).map_err(Error::InvalidKey)?;
    if info.algorithm != rsa_key::RSA_ENCRYPTION_OID {
        return Ok(None);
    }
    let policy = RsaPolicy {
        modulus_bits: &[2048, 3072, 4096],
        modulus_refusal: "an RSA wrapping key must have a 2048-, 3072- or 4096-bit modulus",
        e_65537_only: true,
    };
    rsa_key::check(&info, &policy)
        .and_then(rsa_key::RsaParts::into_private_key)
        .map(Some)
        .map_err(Error::InvalidKey)
}

/// The wrapping key spec of an RSA key: its modulus must be exactly 2048, 3072 or 4096 bits.
fn rsa_wrapping_key_spec(key: &impl PublicKeyParts) -> Result<WrappingKeySpec, Error> {
    WrappingKeySpec::ALL
        .iter()
        .copied()
        .find(|spec| {
            spec.rsa_modulus_len() == Some(key.size())
                && key.n().bit_width() as usize == key.size() * 8
        })
        .ok_or(Error::InvalidKey(
            "an RSA wrapping key must have a 2048-, 3072- or 4096-bit modulus",
        ))
}

impl fmt::Debug for WrappingPrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WrappingPrivateKey({}, [REDACTED])", self.spec)
    }
}

impl WrappingPublicKey {
    /// Reads a DER SubjectPublicKeyInfo: an RSA key of 2048, 3072 or 4096 bits with e = 65537, or
    /// an SM2 key on sm2p256v1.
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        if let Ok(key) = rsa::PublicKey::from_public_key_der(der) {
            let spec = rsa_wrapping_key_spec(&key)?;
            if key.e() != &rsa::BoxedUint::from(RSA_PUBLIC_EXPONENT) {
                return Err(Error::InvalidKey("an RSA wrapping key must have e = 65537"));
            }
            return Ok(WrappingPublicKey {
                spec,
                inner: PublicInner::Rsa(Box::new(key)),
            });
        }
        sm2_public_from_der(der)
    }

    /// DER SubjectPublicKeyInfo, exactly what KMS returns as `PublicKey`.
    pub fn to_der(&self) -> Vec<u8> {
        let doc = match &self.inner {
            PublicInner::Rsa(k) => k.to_public_key_der(),
            #[cfg(feature = "sm2")]
            PublicInner::Sm2(k) => k.to_public_key_der(),
        };
        // Encoding a key that was validated on the way in cannot fail; an empty vector would be
        // refused by every reader, so no caller is misled even if it did.
        doc.map(|d| d.as_bytes().to_vec()).unwrap_or_default()
    }

    /// The wrapping key spec of this key.
    pub fn spec(&self) -> WrappingKeySpec {
        self.spec
    }

    pub(crate) fn as_rsa(&self) -> Option<&rsa::PublicKey> {
        match &self.inner {
            PublicInner::Rsa(k) => Some(k),
            #[cfg(feature = "sm2")]
            PublicInner::Sm2(_) => None,
        }
    }

    #[cfg(feature = "sm2")]
    pub(crate) fn as_sm2(&self) -> Option<&sm2::PublicKey> {
        match &self.inner {
            PublicInner::Sm2(k) => Some(k),
            PublicInner::Rsa(_) => None,
        }
    }
}

impl fmt::Debug for WrappingPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "WrappingPublicKey({})", self.spec)
    }
}
