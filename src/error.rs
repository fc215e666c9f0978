//! The crate's error vocabulary, at the ground of the layers: it names reasons and imports nothing
//! but the AWS names.
//!
//! Three kinds of failure, kept apart:
//! - **Refusals**: a combination of partition, wrapping algorithm, wrapping key spec and key spec
//!   that AWS KMS does not accept. [`Refusal`] is the one place their text lives; the
//!   compatibility matrix ([`crate::matrix::check`]) builds them, and so do the checks `wrap`
//!   runs on a bare public key. A refusal carries alternatives that the matrix allows.
//! - **Caller mistakes**: unknown names, keys that do not decode, material that does not fit its
//!   key spec ([`MaterialRefusal`]). Each says what to do.
//! - **What this build leaves out** ([`Error::Unsupported`]): a firmware profile compiled without
//!   a feature (Cargo.toml lists them) still parses every AWS name, and answers an operation that
//!   needs the missing code with this error, naming the feature. It is never a statement about
//!   the input or about what AWS KMS accepts (that is the matrix's job).
//! - **The one opaque decryption failure** ([`Error::InvalidCiphertext`]): every way a ciphertext
//!   can fail to unwrap (length, padding, KWP integrity check, SM2 tag, DER) is this one value, so
//!   it cannot serve as a padding oracle.

use core::fmt;

use crate::policy::names::{KeySpec, Partition, UnknownName, WrappingAlgorithm, WrappingKeySpec};
use crate::unsupported::Unsupported;

/// The date from which AWS KMS refuses `RSAES_PKCS1_V1_5` (API reference,
/// `GetParametersForImport`, `WrappingAlgorithm`: "As of October 10, 2023, KMS does not support
/// the RSAES_PKCS1_V1_5 wrapping algorithm").
pub const PKCS1_V1_5_DEPRECATED_SINCE: &str = "2023-10-10";

/// Everything that can go wrong in this crate outside the KMS operations (which answer with
/// `KmsError`, in builds with the `service` feature).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A string is not a valid AWS name; the error lists the valid ones.
    UnknownName(UnknownName),
    /// AWS KMS does not accept this combination; the refusal says why and what would work.
    NotAllowed(Refusal),
    /// The material to wrap is empty or longer than [`crate::limits::MAX_MATERIAL_LEN`] bytes.
    MaterialLength {
        /// The material's length in bytes.
        len: usize,
    },
    /// A public or private wrapping key (or a token sealing key set) could not be decoded or
    /// failed validation; the text says which rule it broke.
    InvalidKey(&'static str),
    /// The key material does not fit the key spec it is meant for.
    IncorrectKeyMaterial(MaterialRefusal),
    /// The ciphertext could not be decrypted. Deliberately says nothing more.
    InvalidCiphertext,
    /// The caller's random number generator failed (or returned output that cannot come from a
    /// working one, e.g. only zeros).
    Rng,
    /// A dependency failed where it cannot fail for valid inputs (an encoding step): not the
    /// caller's fault, and not a statement about the caller's input.
    Backend(&'static str),
    /// This build was compiled without the feature the operation needs (a firmware profile);
    /// the names still parse, the operation does not run.
    Unsupported(Unsupported),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::UnknownName(e) => e.fmt(f),
            Error::NotAllowed(refusal) => refusal.fmt(f),
            Error::MaterialLength { len } => write!(
                f,
                "key material of {len} bytes cannot be wrapped (it must be 1 to {} bytes)",
                crate::limits::MAX_MATERIAL_LEN
            ),
            Error::InvalidKey(why) => write!(f, "invalid wrapping key: {why}"),
            Error::IncorrectKeyMaterial(refusal) => refusal.fmt(f),
            Error::InvalidCiphertext => {
                f.write_str("the encrypted key material could not be decrypted")
            }
            Error::Rng => f.write_str("the random number generator failed"),
            Error::Backend(what) => write!(f, "internal error: {what}"),
            Error::Unsupported(u) => u.fmt(f),
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

impl From<MaterialRefusal> for Error {
    fn from(r: MaterialRefusal) -> Self {
        Error::IncorrectKeyMaterial(r)
    }
}

/// Why AWS KMS does not accept a combination.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Reason {
    /// `RSAES_PKCS1_V1_5`: refused since 2023-10-10.
    Deprecated,
    /// The key spec cannot receive imported material at all.
    KeySpecNotImportable,
    /// The key spec does not exist in this partition.
    KeySpecNotInPartition,
    /// The wrapping key spec does not exist in this partition.
    WrappingKeySpecNotInPartition,
    /// The algorithm does not exist in this partition.
    AlgorithmNotInPartition,
    /// The algorithm does not work with this wrapping key spec.
    WrappingKeySpecMismatch,
    /// The algorithm cannot carry this kind of material.
    MaterialKindNotSupported,
    /// The material can be (or is) longer than one OAEP block of this wrapping key.
    MaterialTooLongForOaep {
        /// The material's length in bytes: the key spec's largest material when the key spec
        /// is known, else the length of the material given.
        material_len: usize,
        /// The OAEP limit k − 2·hLen − 2 in bytes (RFC 8017 §7.1.1 step 1.b).
        limit: usize,
    },
}

/// A combination AWS KMS accepts: what a [`Refusal`] suggests instead.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Combination {
    /// The partition.
    pub partition: Partition,
    /// The wrapping algorithm.
    pub wrapping_algorithm: WrappingAlgorithm,
    /// The wrapping key spec.
    pub wrapping_key_spec: WrappingKeySpec,
    /// The key spec of the KMS key.
    pub key_spec: KeySpec,
}

/// A refused combination, why, and up to two alternatives that are allowed.
///
/// The fields are what the check knew: the matrix knows all four; `wrap` with a bare public key
/// knows only the algorithm and the wrapping key spec. Every alternative in
/// [`Refusal::suggestions`] was computed from the compatibility matrix for the same key spec, so it
/// is allowed in its partition (which is the refusal's partition, except when the key spec does
/// not exist there).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Refusal {
    /// The partition asked about.
    pub partition: Option<Partition>,
    /// The wrapping algorithm asked about.
    pub wrapping_algorithm: Option<WrappingAlgorithm>,
    /// The wrapping key spec asked about.
    pub wrapping_key_spec: Option<WrappingKeySpec>,
    /// The key spec of the KMS key.
    pub key_spec: Option<KeySpec>,
    /// Why.
    pub reason: Reason,
    /// What is allowed instead, most similar first.
    pub suggestions: [Option<Combination>; 2],
}

impl Refusal {
    /// A refusal with no context and no suggestions; the builder methods below add them.
    pub(crate) const fn new(reason: Reason) -> Self {
        Refusal {
            partition: None,
            wrapping_algorithm: None,
            wrapping_key_spec: None,
            key_spec: None,
            reason,
            suggestions: [None, None],
        }
    }

    /// The alternatives, most similar first.
    pub fn suggestions(&self) -> impl Iterator<Item = &Combination> {
        self.suggestions.iter().flatten()
    }
}

/// A name for messages when the field is not known.
fn or<T: fmt::Display>(value: Option<T>, unknown: &'static str) -> OrName<T> {
    OrName(value, unknown)
}

struct OrName<T>(Option<T>, &'static str);

impl<T: fmt::Display> fmt::Display for OrName<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Some(v) => v.fmt(f),
            None => f.write_str(self.1),
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let algorithm = or(self.wrapping_algorithm, "this wrapping algorithm");
        let wks = or(self.wrapping_key_spec, "this");
        let key_spec = or(self.key_spec, "this");
        let partition = or(self.partition, "this partition");
        match self.reason {
            Reason::Deprecated => write!(
                f,
                "{algorithm} has been deprecated since {PKCS1_V1_5_DEPRECATED_SINCE} and AWS KMS \
                 refuses it"
            )?,
            Reason::KeySpecNotImportable => write!(
                f,
                "{key_spec} keys cannot receive imported key material (AWS KMS generates their \
                 key material itself)"
            )?,
            Reason::KeySpecNotInPartition => {
                write!(f, "the {key_spec} key spec does not exist in {partition}")?
            }
            Reason::WrappingKeySpecNotInPartition => write!(
                f,
                "the {wks} wrapping key spec does not exist in {partition}"
            )?,
            Reason::AlgorithmNotInPartition => {
                write!(f, "{algorithm} is not available in {partition}")?
            }
            Reason::WrappingKeySpecMismatch => {
                write!(f, "{algorithm} cannot be used with an {wks} wrapping key")?
            }
            Reason::MaterialKindNotSupported => {
                write!(f, "{algorithm} cannot wrap {key_spec} key material")?
            }
            Reason::MaterialTooLongForOaep {
                material_len,
                limit,
            } => match self.key_spec {
                Some(ks) => write!(
                    f,
                    "{ks} key material (up to {material_len} bytes) does not fit in one \
                     {algorithm} block of an {wks} wrapping key (at most {limit} bytes)"
                )?,
                None => write!(
                    f,
                    "key material of {material_len} bytes does not fit in one {algorithm} block \
                     of an {wks} wrapping key (at most {limit} bytes)"
                )?,
            },
        }
        let mut suggestions = self.suggestions().peekable();
        if suggestions.peek().is_some() {
            f.write_str("; instead use")?;
            for (i, s) in suggestions.enumerate() {
                if i > 0 {
                    f.write_str(", or")?;
                }
                write!(
                    f,
                    " {} with an {} wrapping key",
                    s.wrapping_algorithm, s.wrapping_key_spec
                )?;
                if self.partition != Some(s.partition) {
                    write!(f, " in {}", s.partition)?;
                }
            }
        } else if self.reason == Reason::Deprecated && self.key_spec.is_none() {
            f.write_str(
                "; use RSAES_OAEP_SHA_256 for symmetric, HMAC and ECC key material, \
                 RSA_AES_KEY_WRAP_SHA_256 for RSA and ECC private keys, or in the China Regions \
                 (aws-cn) SM2PKE with an SM2 wrapping key for RSA, ECC and SM2 private keys",
            )?;
        }
        Ok(())
    }
}

impl core::error::Error for Refusal {}

/// How text-encoded key material was recognised (KMS takes raw key bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TextEncoding {
    /// Base64 text (RFC 4648 §4), possibly with line breaks.
    Base64,
    /// Hexadecimal text.
    Hex,
}

/// Why key material does not fit its key spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MaterialReason {
    /// The material is empty.
    Empty,
    /// The material is longer than any key spec accepts ([`crate::limits::MAX_MATERIAL_LEN`]).
    TooLong {
        /// The length received, in bytes.
        len: usize,
    },
    /// Raw (symmetric or HMAC) material of the wrong length.
    Length {
        /// The length the key spec takes, in bytes.
        expected: usize,
        /// The length received, in bytes.
        actual: usize,
        /// Set when the bytes are text that decodes to exactly `expected` bytes: the caller
        /// passed the encoding instead of the key.
        looks_like: Option<TextEncoding>,
    },
    /// PKCS#8 material that is malformed, of another algorithm, curve or size, inconsistent, or
    /// (RSA) weak; the text names the rule and its source.
    Invalid(&'static str),
}

/// Key material that does not fit the key spec it is meant for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct MaterialRefusal {
    /// The key spec the material was checked against.
    pub key_spec: KeySpec,
    /// The partition it was checked in.
    pub partition: Partition,
    /// Why it does not fit.
    pub reason: MaterialReason,
}

impl MaterialRefusal {
    pub(crate) const fn new(
        key_spec: KeySpec,
        partition: Partition,
        reason: MaterialReason,
    ) -> Self {
        MaterialRefusal {
            key_spec,
            partition,
            reason,
        }
    }
}

impl fmt::Display for MaterialRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let MaterialRefusal {
            key_spec,
            partition,
            reason,
        } = *self;
        match reason {
            MaterialReason::Empty => write!(f, "incorrect {key_spec} key material: it is empty"),
            MaterialReason::TooLong { len } => write!(
                f,
                "incorrect {key_spec} key material: {len} bytes is longer than any key spec \
                 accepts ({} bytes)",
                crate::limits::MAX_MATERIAL_LEN
            ),
            MaterialReason::Length {
                expected,
                actual,
                looks_like,
            } => {
                let what = match (key_spec, partition) {
                    (KeySpec::SymmetricDefault, Partition::AwsCn) => " (an SM4 key in aws-cn)",
                    (KeySpec::SymmetricDefault, _) => " (an AES-256 key)",
                    _ => "",
                };
                write!(
                    f,
                    "incorrect {key_spec} key material: it must be exactly {expected} bytes{what}, \
                     not {actual}"
                )?;
                match looks_like {
                    Some(TextEncoding::Base64) => write!(
                        f,
                        "; it looks like base64 text of {expected} bytes: decode it first (KMS \
                         takes the raw key bytes)"
                    ),
                    Some(TextEncoding::Hex) => write!(
                        f,
                        "; it looks like hex text of {expected} bytes: decode it first (KMS takes \
                         the raw key bytes)"
                    ),
                    None => Ok(()),
                }
            }
            MaterialReason::Invalid(why) => write!(f, "incorrect {key_spec} key material: {why}"),
        }
    }
}

impl core::error::Error for MaterialRefusal {}
