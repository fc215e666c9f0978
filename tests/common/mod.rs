//! Helpers shared by the integration tests: loading the vector files in `test-vectors/`, hex,
//! the Wycheproof file layout, a seeded RNG and a per-file tally of outcomes.
//!
//! Use from a test file with `mod common;`. Every helper panics with the file name on a problem:
//! a vector file that cannot be read must fail the test, never skip it.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use rand::SeedableRng;
use rand::rngs::ChaCha20Rng;
use serde::Deserialize;
use serde::de::DeserializeOwned;

/// `<crate root>/test-vectors/<relative>`.
pub fn vector_path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("test-vectors")
        .join(relative)
}

/// Reads and parses a JSON vector file below `test-vectors/`.
pub fn load_json<T: DeserializeOwned>(relative: &str) -> T {
    let path = vector_path(relative);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("cannot parse {}: {e}", path.display()))
}

/// Decodes hex, panicking with `what` on bad input.
pub fn unhex(what: &str, text: &str) -> Vec<u8> {
    hex::decode(text).unwrap_or_else(|e| panic!("bad hex in {what}: {e}"))
}

/// A deterministic CSPRNG for tests (`rand_core` 0.10 `CryptoRng`).
pub fn test_rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

/// A Wycheproof vector file (`testvectors_v1/*.json`), generic over its test-group type.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WycheproofFile<G> {
    /// e.g. `RSAES-OAEP`, `AES-KWP`.
    pub algorithm: String,
    /// The number of test cases the file declares; tests check they saw exactly this many.
    pub number_of_tests: usize,
    /// Groups of tests sharing a key and parameters.
    pub test_groups: Vec<G>,
}

/// A Wycheproof `result`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Expected {
    /// Must succeed with the given output.
    Valid,
    /// Must fail.
    Invalid,
    /// May succeed or fail (weak or unusual, but not broken).
    Acceptable,
}

/// Counts of outcomes per named bucket, printed and compared against what a file must produce.
#[derive(Default, Debug)]
pub struct Tally {
    /// Name of what was counted (a file name).
    pub name: String,
    counts: BTreeMap<&'static str, usize>,
}

impl Tally {
    /// An empty tally for `name`.
    pub fn new(name: &str) -> Self {
        Tally {
            name: name.to_owned(),
            counts: BTreeMap::new(),
        }
    }

    /// Adds one to `bucket`.
    pub fn add(&mut self, bucket: &'static str) {
        *self.counts.entry(bucket).or_default() += 1;
    }

    /// The count in `bucket` (0 if never added to).
    pub fn get(&self, bucket: &str) -> usize {
        self.counts.get(bucket).copied().unwrap_or(0)
    }

    /// Sum of all buckets.
    pub fn total(&self) -> usize {
        self.counts.values().sum()
    }

    /// Prints the tally on one line (visible with `cargo test -- --nocapture`).
    pub fn print(&self) {
        let parts: Vec<String> = self
            .counts
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        println!(
            "{}: {} (total {})",
            self.name,
            parts.join(", "),
            self.total()
        );
    }

    /// Asserts every bucket has exactly the expected count, that no other bucket was used, and
    /// that the total is `declared` (the number of cases the file says it holds).
    pub fn assert_counts(&self, expected: &[(&str, usize)], declared: usize) {
        for (bucket, count) in expected {
            assert_eq!(
                self.get(bucket),
                *count,
                "{}: bucket {bucket:?} (tally: {:?})",
                self.name,
                self.counts
            );
        }
        for bucket in self.counts.keys() {
            assert!(
                expected.iter().any(|(b, _)| b == bucket),
                "{}: unexpected bucket {bucket:?} (tally: {:?})",
                self.name,
                self.counts
            );
        }
        assert_eq!(
            self.total(),
            declared,
            "{}: cases seen vs cases declared",
            self.name
        );
    }
}

// The unit tests' stuck-at-zero RNG, shared rather than copied.
#[path = "../../src/test_rng.rs"]
mod test_rng;
#[allow(unused_imports)]
pub(crate) use test_rng::StuckAtZeroRng;
