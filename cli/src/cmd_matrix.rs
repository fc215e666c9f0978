//! `check` and `matrix`.

use kms_import::{KeySpec, Partition, WrappingAlgorithm, WrappingKeySpec, matrix};
use serde::Serialize;

use crate::failure::{Failure, Outcome};
use crate::output::{print_json, print_line};

/// Prints "allowed" and succeeds, or fails with the matrix's reason.
pub fn check(
    partition: Partition,
    algorithm: WrappingAlgorithm,
    wrapping_key_spec: WrappingKeySpec,
    key_spec: KeySpec,
) -> Outcome {
    matrix::check(partition, algorithm, wrapping_key_spec, key_spec).map_err(Failure::refused)?;
    print_line("allowed")
}

/// One combination in `matrix --json`.
#[derive(Serialize)]
struct Entry {
    partition: &'static str,
    wrapping_algorithm: &'static str,
    wrapping_key_spec: &'static str,
    key_spec: &'static str,
    allowed: bool,
    /// `null` when allowed.
    reason: Option<String>,
    /// What is allowed instead (empty when allowed, or when nothing is).
    suggestions: Vec<Suggestion>,
}

/// An allowed alternative to a refused combination.
#[derive(Serialize)]
struct Suggestion {
    partition: &'static str,
    wrapping_algorithm: &'static str,
    wrapping_key_spec: &'static str,
    key_spec: &'static str,
}

/// Prints the matrix of one partition, or of every partition, as a grid or as JSON.
pub fn print_matrix(partition: Option<Partition>, as_json: bool) -> Outcome {
    let partitions: Vec<Partition> = match partition {
        Some(p) => vec![p],
        None => Partition::ALL.to_vec(),
    };
    if as_json {
        let entries: Vec<Entry> = partitions
            .iter()
            .flat_map(|&p| {
                matrix::entries(p).map(move |(alg, wks, ks, verdict)| Entry {
                    partition: p.as_str(),
                    wrapping_algorithm: alg.as_str(),
                    wrapping_key_spec: wks.as_str(),
                    key_spec: ks.as_str(),
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
                })
            })
            .collect();
        return print_json(&entries);
    }
    let grids: Vec<String> = partitions
        .iter()
        .map(|&p| matrix::Grid(p).to_string())
        .collect();
    print_line(&grids.join("\n\n"))
}
