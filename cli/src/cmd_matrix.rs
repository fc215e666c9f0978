//! `check` and `matrix`.

use kms_import::{KeySpec, Partition, WrappingAlgorithm, WrappingKeySpec, matrix};
use serde::Serialize;

use crate::failure::{Failure, Outcome};
use crate::output::{print_json, print_line};

/// The partitions shown when none is named: aws-us-gov follows aws's rules.
pub const DEFAULT_PARTITIONS: [Partition; 2] = [Partition::Aws, Partition::AwsCn];

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
}

/// Prints the matrix of one partition, or of aws and aws-cn, as a grid or as JSON.
pub fn print_matrix(partition: Option<Partition>, as_json: bool) -> Outcome {
    let partitions: Vec<Partition> = match partition {
        Some(p) => vec![p],
        None => DEFAULT_PARTITIONS.to_vec(),
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
