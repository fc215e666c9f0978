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
//! The key spec facts (family, partitions, largest material) come from the per-KeySpec table
//! ([`crate::policy::key_spec::KEY_SPECS`]), the wrapping key spec's partitions from
//! [`WrappingKeySpec::partitions`]. The OAEP size rule is not special-cased: a key spec is refused
//! under `RSAES_OAEP_*` when its largest material ([`KeySpec::max_material_len`]) exceeds one OAEP
//! block, k − 2·hLen − 2 bytes ([`WrappingScheme::max_material_len`]). That is what excludes
//! ECC_NIST_P521 (up to 241 bytes) under RSA_2048 (214 / 190 bytes).
//!
//! Every refusal carries up to two alternatives computed from this same table for the same key
//! spec: first another algorithm with the same wrapping key spec, then the same algorithm with
//! another wrapping key spec, else the most similar allowed combination; when the key spec does
//! not exist in the partition, the alternative is in a partition where it does.

mod grid;

pub use crate::error::{Combination, Reason, Refusal};
pub use grid::Grid;

use crate::policy::names::{
    KeySpec, MaterialKind, Partition, WrappingAlgorithm, WrappingKeySpec, WrappingScheme,
};

use MaterialKind::{EccPrivateKey as Ecc, Hmac, RsaPrivateKey as Rsa, Symmetric};
use Partition::{Aws, AwsCn, AwsUsGov};
use WrappingKeySpec as W;
use WrappingScheme as S;

/// One wrapping algorithm: the partitions it exists in, the wrapping keys it takes, the material
/// it carries.
#[derive(Clone, Copy, Debug)]
pub struct Rule {
    /// The algorithm.
    pub algorithm: WrappingScheme,
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
    //     algorithm                          partitions                    wrapping keys                  material
    Rule { algorithm: S::RsaesOaepSha1,       partitions: EVERYWHERE,    wrapping_key_specs: RSA_KEYS,   material: &[Symmetric, Hmac, Ecc] },
    Rule { algorithm: S::RsaesOaepSha256,     partitions: EVERYWHERE,    wrapping_key_specs: RSA_KEYS,   material: &[Symmetric, Hmac, Ecc] },
    Rule { algorithm: S::RsaAesKeyWrapSha1,   partitions: OUTSIDE_CHINA, wrapping_key_specs: RSA_KEYS,   material: &[Rsa, Ecc] },
    Rule { algorithm: S::RsaAesKeyWrapSha256, partitions: OUTSIDE_CHINA, wrapping_key_specs: RSA_KEYS,   material: &[Rsa, Ecc] },
    Rule { algorithm: S::Sm2Pke,              partitions: CHINA_ONLY,    wrapping_key_specs: &[W::Sm2],  material: &[Rsa, Ecc] },
];

/// The rule of `algorithm`, `None` for `RSAES_PKCS1_V1_5`.
pub fn rule(algorithm: WrappingAlgorithm) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.algorithm.algorithm() == algorithm)
}

/// Decides whether KMS accepts importing `key_spec` material with `algorithm` under a
/// `wrapping_key_spec` wrapping key in `partition`. The first rule that refuses is reported, with
/// up to two allowed alternatives (see the module documentation).
///
/// # Errors
/// A [`Refusal`] whose [`Reason`] is, in the order checked: `Deprecated` (`RSAES_PKCS1_V1_5`),
/// `KeySpecNotImportable`, `KeySpecNotInPartition`, `WrappingKeySpecNotInPartition`,
/// `AlgorithmNotInPartition`, `WrappingKeySpecMismatch`, `MaterialKindNotSupported`,
/// `MaterialTooLongForOaep`.
pub fn check(
    partition: Partition,
    algorithm: WrappingAlgorithm,
    wrapping_key_spec: WrappingKeySpec,
    key_spec: KeySpec,
) -> Result<(), Refusal> {
    decide(partition, algorithm, wrapping_key_spec, key_spec).map_err(|reason| {
        let mut refusal = Refusal::new(reason);
        refusal.partition = Some(partition);
        refusal.wrapping_algorithm = Some(algorithm);
        refusal.wrapping_key_spec = Some(wrapping_key_spec);
        refusal.key_spec = Some(key_spec);
        refusal.suggestions = suggest(partition, algorithm, wrapping_key_spec, key_spec, reason);
        refusal
    })
}

/// [`check`] without the alternatives.
fn decide(
    partition: Partition,
    algorithm: WrappingAlgorithm,
    wrapping_key_spec: WrappingKeySpec,
    key_spec: KeySpec,
) -> Result<(), Reason> {
    let Some(rule) = rule(algorithm) else {
        return Err(Reason::Deprecated);
    };
    let kind = key_spec.material_kind();
    if kind == MaterialKind::NotImportable {
        return Err(Reason::KeySpecNotImportable);
    }
    if !key_spec.exists_in(partition) {
        return Err(Reason::KeySpecNotInPartition);
    }
    if !wrapping_key_spec.partitions().contains(&partition) {
        return Err(Reason::WrappingKeySpecNotInPartition);
    }
    if !rule.partitions.contains(&partition) {
        return Err(Reason::AlgorithmNotInPartition);
    }
    if !rule.wrapping_key_specs.contains(&wrapping_key_spec) {
        return Err(Reason::WrappingKeySpecMismatch);
    }
    if !rule.material.contains(&kind) {
        return Err(Reason::MaterialKindNotSupported);
    }
    let material_len = key_spec.max_material_len(partition);
    match rule.algorithm.max_material_len(wrapping_key_spec) {
        Some(limit) if material_len <= limit => Ok(()),
        Some(limit) => Err(Reason::MaterialTooLongForOaep {
            material_len,
            limit,
        }),
        None => Err(Reason::WrappingKeySpecMismatch),
    }
}

/// Algorithms in the order alternatives are offered: SHA-256 before SHA-1, the algorithm that
/// wraps the material itself before the two-step one.
const ALGORITHM_PREFERENCE: [WrappingAlgorithm; 5] = [
    WrappingAlgorithm::RsaesOaepSha256,
    WrappingAlgorithm::RsaAesKeyWrapSha256,
    WrappingAlgorithm::Sm2Pke,
    WrappingAlgorithm::RsaesOaepSha1,
    WrappingAlgorithm::RsaAesKeyWrapSha1,
];

/// Wrapping key specs in the order alternatives are offered: the longest RSA key first ("Use
/// the longest RSA wrapping key that is practical", API reference, `GetParametersForImport`).
const WRAPPING_KEY_PREFERENCE: [WrappingKeySpec; 4] = [W::Rsa4096, W::Rsa3072, W::Rsa2048, W::Sm2];

/// Up to two allowed alternatives to a refused combination (see the module documentation).
fn suggest(
    partition: Partition,
    algorithm: WrappingAlgorithm,
    wrapping_key_spec: WrappingKeySpec,
    key_spec: KeySpec,
    reason: Reason,
) -> [Option<Combination>; 2] {
    if reason == Reason::KeySpecNotImportable
        || key_spec.material_kind() == MaterialKind::NotImportable
    {
        return [None, None];
    }
    // A key spec that does not exist here is suggested where it does (SM2: aws-cn).
    let partition = if key_spec.exists_in(partition) {
        partition
    } else {
        match key_spec.rule().partitions.first() {
            Some(&p) => p,
            None => return [None, None],
        }
    };
    let allowed = |alg: WrappingAlgorithm, wks: WrappingKeySpec| {
        decide(partition, alg, wks, key_spec)
            .is_ok()
            .then_some(Combination {
                partition,
                wrapping_algorithm: alg,
                wrapping_key_spec: wks,
                key_spec,
            })
    };
    // The same combination, where only the partition was wrong.
    if let Some(same) = allowed(algorithm, wrapping_key_spec) {
        return [Some(same), None];
    }
    // Another algorithm with the same wrapping key; the same algorithm with another wrapping key.
    let other_algorithm = ALGORITHM_PREFERENCE
        .iter()
        .find_map(|&alg| allowed(alg, wrapping_key_spec));
    let other_key = WRAPPING_KEY_PREFERENCE
        .iter()
        .find_map(|&wks| allowed(algorithm, wks));
    match (other_algorithm, other_key) {
        (None, None) => {
            // Neither alone: the most preferred combination that works.
            let any = ALGORITHM_PREFERENCE.iter().find_map(|&alg| {
                WRAPPING_KEY_PREFERENCE
                    .iter()
                    .find_map(|&wks| allowed(alg, wks))
            });
            [any, None]
        }
        (first, second) => [first.or(second), first.and(second)],
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

/// Checks what can be checked without a key spec before wrapping with a bare public key: the
/// scheme fits the wrapping key (RSA schemes with RSA keys, SM2PKE with SM2), and material of
/// `material_len` bytes fits (one OAEP block for `RSAES_OAEP_*`).
///
/// # Errors
/// A [`Refusal`] (`WrappingKeySpecMismatch` or `MaterialTooLongForOaep`) naming the algorithm and
/// wrapping key spec, with the alternatives that fit this wrapping key or this material.
pub fn check_wrapping_key(
    scheme: WrappingScheme,
    wrapping_key_spec: WrappingKeySpec,
    material_len: usize,
) -> Result<(), Refusal> {
    let reason = match scheme.max_material_len(wrapping_key_spec) {
        None => Reason::WrappingKeySpecMismatch,
        Some(limit) if material_len > limit => Reason::MaterialTooLongForOaep {
            material_len,
            limit,
        },
        Some(_) => return Ok(()),
    };
    let mut refusal = Refusal::new(reason);
    refusal.wrapping_algorithm = Some(scheme.algorithm());
    refusal.wrapping_key_spec = Some(wrapping_key_spec);
    Err(refusal)
}

impl TryFrom<WrappingAlgorithm> for WrappingScheme {
    type Error = Refusal;

    /// Every algorithm but `RSAES_PKCS1_V1_5`, which is refused ([`Reason::Deprecated`]).
    fn try_from(algorithm: WrappingAlgorithm) -> Result<Self, Refusal> {
        WrappingScheme::from_algorithm(algorithm).ok_or_else(|| {
            let mut refusal = Refusal::new(Reason::Deprecated);
            refusal.wrapping_algorithm = Some(algorithm);
            refusal
        })
    }
}

/// The alternatives for a key spec refused before any algorithm is considered
/// ([`Reason::KeySpecNotImportable`]: none; [`Reason::KeySpecNotInPartition`]: the preferred
/// combination in a partition where the key spec exists).
pub(crate) fn suggest_for_key_spec(
    partition: Partition,
    key_spec: KeySpec,
    reason: Reason,
) -> [Option<Combination>; 2] {
    suggest(
        partition,
        ALGORITHM_PREFERENCE[0],
        WRAPPING_KEY_PREFERENCE[0],
        key_spec,
        reason,
    )
}

#[cfg(test)]
mod tests;
