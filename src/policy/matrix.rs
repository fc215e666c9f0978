//! The compatibility matrix: which `(partition, WrappingAlgorithm, WrappingKeySpec, KeySpec)`
//! KMS accepts, decided before any cryptography runs.
//!
//! Sources (AWS KMS developer guide and API reference):
//! - `GetParametersForImport`, `WrappingAlgorithm`: "RSAES_OAEP_SHA_256 — Supported for all types
//!   of key material, except RSA key material (private key). You cannot use the RSAES_OAEP_SHA_256
//!   wrapping algorithm with the RSA_2048 wrapping key spec to wrap ECC_NIST_P521 key material."
//!   (same for `_SHA_1`); "RSA_AES_KEY_WRAP_SHA_256 — Supported for wrapping RSA and ECC key
//!   material." (same for `_SHA_1`); "SM2PKE (China Regions only) — supported for wrapping RSA,
//!   ECC, and SM2 key material."; "RSAES_PKCS1_V1_5 (Deprecated) — As of October 10, 2023, KMS does
//!   not support the RSAES_PKCS1_V1_5 wrapping algorithm."
//! - <https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys-encrypt-key-material.html>:
//!   "The RSA_AES_KEY_WRAP_SHA_256 and RSA_AES_KEY_WRAP_SHA_1 wrapping algorithms are not supported
//!   in China Regions."
//! - <https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys-get-public-key-and-token.html>:
//!   "AWS KMS also supports the SM2 wrapping key spec (China Regions only)."
//! - `CreateKey`, `KeySpec`: SM2 "(China Regions only)"; ML-DSA, ML-KEM and ECC_NIST_EDWARDS25519
//!   keys are generated inside KMS (no `EXTERNAL` origin is documented for them).
//!
//! The OAEP size rule is not special-cased: a key spec is refused under `RSAES_OAEP_*` when its
//! largest material (see [`crate::policy::material::max_len`]) exceeds one OAEP block, k − 2·hLen − 2
//! bytes. That is what excludes ECC_NIST_P521 (up to 241 bytes) under RSA_2048 (214 / 190 bytes).

use core::fmt;

use crate::error::PKCS1_V1_5_DEPRECATED_SINCE;
use crate::policy::material;
use crate::policy::names::{KeySpec, MaterialKind, Partition, WrappingAlgorithm, WrappingKeySpec};

use MaterialKind::{EccPrivateKey as Ecc, Hmac, RsaPrivateKey as Rsa, Symmetric};
use Partition::{Aws, AwsCn, AwsUsGov};
use WrappingAlgorithm as A;
use WrappingKeySpec as W;

/// One wrapping algorithm: the partitions it exists in, the wrapping keys it takes, the material
/// it carries.
#[derive(Clone, Copy, Debug)]
pub struct Rule {
    /// The algorithm.
    pub algorithm: WrappingAlgorithm,
    /// Partitions where KMS offers it.
    pub partitions: &'static [Partition],
    /// Wrapping key specs it works with.
    pub wrapping_key_specs: &'static [WrappingKeySpec],
    /// Kinds of key material it may carry.
    pub material: &'static [MaterialKind],
}

const RSA_KEYS: &[WrappingKeySpec] = &[W::Rsa2048, W::Rsa3072, W::Rsa4096];
const EVERYWHERE: &[Partition] = &[Aws, AwsCn, AwsUsGov];
const OUTSIDE_CHINA: &[Partition] = &[Aws, AwsUsGov];
const CHINA_ONLY: &[Partition] = &[AwsCn];

/// The whole table. `RSAES_PKCS1_V1_5` has no row: it is refused everywhere.
#[rustfmt::skip]
pub const RULES: &[Rule] = &[
    //     algorithm                partitions      wrapping keys   material
    Rule { algorithm: A::RsaesOaepSha1,       partitions: EVERYWHERE,    wrapping_key_specs: RSA_KEYS,   material: &[Symmetric, Hmac, Ecc] },
    Rule { algorithm: A::RsaesOaepSha256,     partitions: EVERYWHERE,    wrapping_key_specs: RSA_KEYS,   material: &[Symmetric, Hmac, Ecc] },
    Rule { algorithm: A::RsaAesKeyWrapSha1,   partitions: OUTSIDE_CHINA, wrapping_key_specs: RSA_KEYS,   material: &[Rsa, Ecc] },
    Rule { algorithm: A::RsaAesKeyWrapSha256, partitions: OUTSIDE_CHINA, wrapping_key_specs: RSA_KEYS,   material: &[Rsa, Ecc] },
    Rule { algorithm: A::Sm2Pke,              partitions: CHINA_ONLY,    wrapping_key_specs: &[W::Sm2],  material: &[Rsa, Ecc] },
];

/// Key specs and wrapping key specs that exist in the China Regions only.
const CHINA_ONLY_KEY_SPECS: &[KeySpec] = &[KeySpec::Sm2];
const CHINA_ONLY_WRAPPING_KEY_SPECS: &[WrappingKeySpec] = &[W::Sm2];

/// Why the matrix refuses a combination.
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
    /// The material can be longer than one OAEP block of this wrapping key.
    MaterialTooLongForOaep {
        /// The largest material of the key spec, in bytes.
        material_len: usize,
        /// The OAEP limit k − 2·hLen − 2, in bytes.
        limit: usize,
    },
}

/// A refused combination and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// The partition asked about.
    pub partition: Partition,
    /// The wrapping algorithm asked about.
    pub algorithm: WrappingAlgorithm,
    /// The wrapping key spec asked about.
    pub wrapping_key_spec: WrappingKeySpec,
    /// The key spec of the KMS key.
    pub key_spec: KeySpec,
    /// Why.
    pub reason: Reason,
}

/// The rule of `algorithm`, `None` for `RSAES_PKCS1_V1_5`.
pub fn rule(algorithm: WrappingAlgorithm) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.algorithm == algorithm)
}

/// Decides whether KMS accepts importing `key_spec` material with `algorithm` under a
/// `wrapping_key_spec` wrapping key in `partition`. The first rule that refuses is reported.
pub fn check(
    partition: Partition,
    algorithm: WrappingAlgorithm,
    wrapping_key_spec: WrappingKeySpec,
    key_spec: KeySpec,
) -> Result<(), Refusal> {
    let refuse = |reason| {
        Err(Refusal {
            partition,
            algorithm,
            wrapping_key_spec,
            key_spec,
            reason,
        })
    };
    let in_china = partition == AwsCn;
    let Some(rule) = rule(algorithm) else {
        return refuse(Reason::Deprecated);
    };
    let kind = key_spec.material_kind();
    if kind == MaterialKind::NotImportable {
        return refuse(Reason::KeySpecNotImportable);
    }
    if CHINA_ONLY_KEY_SPECS.contains(&key_spec) && !in_china {
        return refuse(Reason::KeySpecNotInPartition);
    }
    if CHINA_ONLY_WRAPPING_KEY_SPECS.contains(&wrapping_key_spec) && !in_china {
        return refuse(Reason::WrappingKeySpecNotInPartition);
    }
    if !rule.partitions.contains(&partition) {
        return refuse(Reason::AlgorithmNotInPartition);
    }
    if !rule.wrapping_key_specs.contains(&wrapping_key_spec) {
        return refuse(Reason::WrappingKeySpecMismatch);
    }
    if !rule.material.contains(&kind) {
        return refuse(Reason::MaterialKindNotSupported);
    }
    let material_len = material::max_len(key_spec, partition);
    match algorithm.max_material_len(wrapping_key_spec) {
        Ok(limit) if material_len <= limit => Ok(()),
        Ok(limit) => refuse(Reason::MaterialTooLongForOaep {
            material_len,
            limit,
        }),
        Err(_) => refuse(Reason::WrappingKeySpecMismatch),
    }
}

/// Every combination of one partition, with its verdict, in a fixed order (algorithm, then
/// wrapping key spec, then key spec).
pub fn entries(
    partition: Partition,
) -> impl Iterator<
    Item = (
        WrappingAlgorithm,
        WrappingKeySpec,
        KeySpec,
        Result<(), Refusal>,
    ),
> {
    WrappingAlgorithm::ALL.iter().flat_map(move |&alg| {
        WrappingKeySpec::ALL.iter().flat_map(move |&wks| {
            KeySpec::ALL
                .iter()
                .map(move |&ks| (alg, wks, ks, check(partition, alg, wks, ks)))
        })
    })
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Refusal {
            partition,
            algorithm,
            wrapping_key_spec,
            key_spec,
            reason,
        } = *self;
        match reason {
            Reason::Deprecated => write!(
                f,
                "{algorithm} has been deprecated since {PKCS1_V1_5_DEPRECATED_SINCE}; use \
                 RSAES_OAEP_SHA_256 or RSA_AES_KEY_WRAP_SHA_256 (SM2PKE in aws-cn)"
            ),
            Reason::KeySpecNotImportable => {
                write!(f, "{key_spec} keys cannot receive imported key material")
            }
            Reason::KeySpecNotInPartition => {
                write!(
                    f,
                    "the {key_spec} key spec exists only in the China Regions (aws-cn), not in {partition}"
                )
            }
            Reason::WrappingKeySpecNotInPartition => write!(
                f,
                "the {wrapping_key_spec} wrapping key spec exists only in the China Regions (aws-cn), not in {partition}"
            ),
            Reason::AlgorithmNotInPartition if partition == AwsCn => write!(
                f,
                "{algorithm} is not supported in the China Regions (aws-cn); use SM2PKE with an SM2 wrapping key"
            ),
            Reason::AlgorithmNotInPartition => {
                write!(
                    f,
                    "{algorithm} is supported only in the China Regions (aws-cn), not in {partition}"
                )
            }
            Reason::WrappingKeySpecMismatch => {
                write!(
                    f,
                    "{algorithm} cannot be used with a {wrapping_key_spec} wrapping key"
                )
            }
            Reason::MaterialKindNotSupported => {
                let hint = match key_spec.material_kind() {
                    Rsa => "; use RSA_AES_KEY_WRAP_SHA_256",
                    Symmetric | Hmac => "; use RSAES_OAEP_SHA_256",
                    _ => "",
                };
                write!(f, "{algorithm} cannot wrap {key_spec} key material{hint}")
            }
            Reason::MaterialTooLongForOaep {
                material_len,
                limit,
            } => write!(
                f,
                "{key_spec} key material (up to {material_len} bytes) does not fit in one \
                 {algorithm} block of a {wrapping_key_spec} wrapping key (at most {limit} bytes); \
                 use RSA_AES_KEY_WRAP_SHA_256 or a longer wrapping key"
            ),
        }
    }
}

impl core::error::Error for Refusal {}

/// The matrix of one partition as a table: one row per key spec, one column per live algorithm,
/// each cell the wrapping key specs that work ("-" where none does).
#[derive(Clone, Copy, Debug)]
pub struct Grid(pub Partition);

impl fmt::Display for Grid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const FIRST: usize = 22;
        let partition = self.0;
        write!(
            f,
            "partition {:1$}",
            partition.as_str(),
            FIRST - "partition ".len()
        )?;
        for (i, rule) in RULES.iter().enumerate() {
            write!(f, " | {:1$}", rule.algorithm.as_str(), column_width(i))?;
        }
        writeln!(f)?;
        writeln!(f, "{:-<1$}", "", FIRST + RULES.len() * 27)?;
        for &key_spec in KeySpec::ALL {
            write!(f, "{key_spec:FIRST$}")?;
            for (i, rule) in RULES.iter().enumerate() {
                let mut cell = CellWriter::default();
                for &wks in WrappingKeySpec::ALL {
                    if check(partition, rule.algorithm, wks, key_spec).is_ok() {
                        cell.push(wks.as_str());
                    }
                }
                write!(f, " | {:1$}", cell.as_str(), column_width(i))?;
            }
            writeln!(f)?;
        }
        writeln!(
            f,
            "Cells: the wrapping key specs that work (2048 = RSA_2048, ...; SM2); - where none does."
        )?;
        write!(
            f,
            "RSAES_PKCS1_V1_5: refused everywhere (deprecated since {PKCS1_V1_5_DEPRECATED_SINCE})."
        )
    }
}

/// Columns are as wide as the longest algorithm name; the last one is not padded.
fn column_width(index: usize) -> usize {
    if index + 1 == RULES.len() { 0 } else { 24 }
}

/// A fixed-capacity cell ("RSA_2048 RSA_3072 RSA_4096" at most), so `Display` needs no allocation.
#[derive(Default)]
struct CellWriter {
    buf: [u8; 32],
    len: usize,
}

impl CellWriter {
    fn push(&mut self, name: &str) {
        let short = name.strip_prefix("RSA_").unwrap_or(name);
        let sep = usize::from(self.len > 0);
        if self.len + sep + short.len() <= self.buf.len() {
            if sep == 1 {
                self.buf[self.len] = b' ';
            }
            self.buf[self.len + sep..self.len + sep + short.len()]
                .copy_from_slice(short.as_bytes());
            self.len += sep + short.len();
        }
    }

    fn as_str(&self) -> &str {
        match core::str::from_utf8(&self.buf[..self.len]) {
            Ok("") | Err(_) => "-",
            Ok(s) => s,
        }
    }
}
