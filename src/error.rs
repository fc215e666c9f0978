//! The crate's error type.
//!
//! Caller and configuration mistakes are described in full. Every failure to unwrap a ciphertext
//! (length, padding, KWP integrity check, SM2 tag, DER) is the single opaque [`Error::Unwrap`]: it
//! carries nothing that depends on which check failed, so it cannot serve as a padding oracle.

use core::fmt;

use crate::policy::matrix::Refusal;
use crate::policy::names::{UnknownName, WrappingAlgorithm, WrappingKeySpec};

/// The date from which AWS KMS refuses `RSAES_PKCS1_V1_5`.
pub const PKCS1_V1_5_DEPRECATED_SINCE: &str = "2023-10-10";

/// Everything that can go wrong in this crate.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A string is not a valid AWS name.
    UnknownName(UnknownName),
    /// `RSAES_PKCS1_V1_5` was named: KMS has refused it since 2023-10-10.
    Deprecated(WrappingAlgorithm),
    /// The compatibility matrix refuses this combination; the refusal says why.
    NotAllowed(Refusal),
    /// The algorithm needs another kind of wrapping key than the one given.
    KeyMismatch {
        /// The algorithm asked for.
        algorithm: WrappingAlgorithm,
        /// The spec of the key given.
        wrapping_key_spec: WrappingKeySpec,
    },
    /// The material does not fit in one RSAES-OAEP block of this wrapping key.
    MaterialTooLong {
        /// The algorithm asked for.
        algorithm: WrappingAlgorithm,
        /// The spec of the wrapping key.
        wrapping_key_spec: WrappingKeySpec,
        /// The material's length in bytes.
        len: usize,
        /// The largest length that fits: k − 2·hLen − 2 (RFC 8017 §7.1.1 step 1.b).
        limit: usize,
    },
    /// The material to wrap is empty or longer than anything KMS accepts.
    MaterialLength {
        /// The material's length in bytes.
        len: usize,
    },
    /// A public or private wrapping key could not be decoded or failed validation.
    InvalidKey(&'static str),
    /// The key material does not fit the key spec it is meant for.
    IncorrectKeyMaterial(&'static str),
    /// The ciphertext could not be unwrapped. Deliberately says nothing more.
    Unwrap,
    /// The caller's random number generator failed.
    Rng,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::UnknownName(e) => e.fmt(f),
            Error::Deprecated(alg) => write!(
                f,
                "{alg} has been deprecated since {PKCS1_V1_5_DEPRECATED_SINCE} and AWS KMS refuses it; \
                 use RSAES_OAEP_SHA_256 (or RSAES_OAEP_SHA_1) for symmetric and HMAC material, \
                 RSA_AES_KEY_WRAP_SHA_256 (or RSA_AES_KEY_WRAP_SHA_1) for RSA and ECC private keys, \
                 or SM2PKE in the China Regions"
            ),
            Error::NotAllowed(refusal) => refusal.fmt(f),
            Error::KeyMismatch {
                algorithm,
                wrapping_key_spec,
            } => write!(
                f,
                "{algorithm} cannot be used with a {wrapping_key_spec} wrapping key"
            ),
            Error::MaterialTooLong {
                algorithm,
                wrapping_key_spec,
                len,
                limit,
            } => write!(
                f,
                "key material of {len} bytes is too long for {algorithm} with a {wrapping_key_spec} \
                 wrapping key (at most {limit} bytes fit in one OAEP block); use \
                 RSA_AES_KEY_WRAP_SHA_256, or a longer wrapping key"
            ),
            Error::MaterialLength { len } => write!(
                f,
                "key material of {len} bytes cannot be wrapped (it must be 1 to {} bytes)",
                crate::limits::MAX_MATERIAL_LEN
            ),
            Error::InvalidKey(why) => write!(f, "invalid wrapping key: {why}"),
            Error::IncorrectKeyMaterial(why) => write!(f, "incorrect key material: {why}"),
            Error::Unwrap => f.write_str("the encrypted key material could not be decrypted"),
            Error::Rng => f.write_str("the random number generator failed"),
        }
    }
}

impl core::error::Error for Error {}

impl From<UnknownName> for Error {
    fn from(e: UnknownName) -> Self {
        Error::UnknownName(e)
    }
}

impl From<Refusal> for Error {
    fn from(r: Refusal) -> Self {
        Error::NotAllowed(r)
    }
}
