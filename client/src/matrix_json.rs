//! One verdict of the compatibility matrix in the shape `kms-import matrix --json` prints.

use kms_import::matrix::Refusal;
use kms_import::{KeySpec, Partition, WrappingAlgorithm, WrappingKeySpec};
use serde::Serialize;

/// One combination and the matrix's verdict on it.
#[derive(Serialize)]
pub struct Entry {
    /// `aws`, `aws-cn` or `aws-us-gov`.
    pub partition: &'static str,
    /// The AWS name of the wrapping algorithm.
    pub wrapping_algorithm: &'static str,
    /// The AWS name of the wrapping key spec.
    pub wrapping_key_spec: &'static str,
    /// The AWS name of the KMS key's key spec.
    pub key_spec: &'static str,
    /// Whether KMS accepts the combination.
    pub allowed: bool,
    /// `null` when allowed.
    pub reason: Option<String>,
    /// What is allowed instead (empty when allowed, or when nothing is).
    pub suggestions: Vec<Suggestion>,
}

/// An allowed alternative to a refused combination.
#[derive(Serialize)]
pub struct Suggestion {
    /// The partition it is allowed in.
    pub partition: &'static str,
    /// The wrapping algorithm to use instead.
    pub wrapping_algorithm: &'static str,
    /// The wrapping key spec to ask `get-parameters-for-import` for.
    pub wrapping_key_spec: &'static str,
    /// The key spec of the KMS key.
    pub key_spec: &'static str,
}

impl Entry {
    /// The entry for one combination and its verdict (from `matrix::check` or `matrix::entries`).
    pub fn new(
        partition: Partition,
        (algorithm, wrapping_key_spec, key_spec): (WrappingAlgorithm, WrappingKeySpec, KeySpec),
        verdict: Result<(), Refusal>,
    ) -> Self {
        Entry {
            partition: partition.as_str(),
            wrapping_algorithm: algorithm.as_str(),
            wrapping_key_spec: wrapping_key_spec.as_str(),
            key_spec: key_spec.as_str(),
            allowed: verdict.is_ok(),
            suggestions: verdict
                .as_ref()
                .err()
                .map(|r| {
                    r.suggestions()
                        .map(|s| Suggestion {
                            partition: s.partition.as_str(),
                            wrapping_algorithm: s.wrapping_algorithm.as_str(),
                            wrapping_key_spec: s.wrapping_key_spec.as_str(),
                            key_spec: s.key_spec.as_str(),
                        })
                        .collect()
                })
                .unwrap_or_default(),
            reason: verdict.err().map(|r| r.to_string()),
        }
    }
}
