//! `check` and `matrix`.

use kms_import::{KeySpec, Partition, WrappingAlgorithm, WrappingKeySpec, matrix};
use kms_import_client::matrix_json::Entry;

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
                matrix::entries(p)
                    .map(move |(alg, wks, ks, verdict)| Entry::new(p, (alg, wks, ks), verdict))
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
