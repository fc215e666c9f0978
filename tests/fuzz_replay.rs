//! Replays every file of `fuzz/corpus/<target>/` and `fuzz/regressions/<target>/` through the
//! same functions the cargo-fuzz targets call (`fuzz/src/lib.rs`, included here), under a stable
//! `cargo test`. A crash file that a fix made pass stays here forever as a regression test.

#[path = "../fuzz/src/lib.rs"]
#[allow(dead_code, unused_imports)]
mod fuzz_support;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

fn fuzz_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("read corpus entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// Runs `target` on every file of `fuzz/<kind>/<name>/`; returns (files run, failures).
fn replay(kind: &str, name: &str, target: fn(&[u8])) -> (usize, Vec<String>) {
    let files = files_in(&fuzz_dir().join(kind).join(name));
    let mut failures = Vec::new();
    for file in &files {
        let data = std::fs::read(file).expect("read corpus file");
        if catch_unwind(AssertUnwindSafe(|| target(&data))).is_err() {
            failures.push(format!("{} ({} bytes)", file.display(), data.len()));
        }
    }
    (files.len(), failures)
}

fn replay_all(kind: &str, require_files: bool) {
    let mut failures = Vec::new();
    for &(name, target) in fuzz_support::TARGETS {
        let (count, failed) = replay(kind, name, target);
        println!("{kind}/{name}: {count} files");
        assert!(
            count > 0 || !require_files,
            "fuzz/{kind}/{name} is empty: run `cargo run --example make_fuzz_seeds`"
        );
        failures.extend(failed);
    }
    assert!(
        failures.is_empty(),
        "failing inputs:\n{}",
        failures.join("\n")
    );
}

#[test]
fn every_seed_corpus_file_replays_cleanly() {
    replay_all("corpus", true);
}

#[test]
fn every_regression_file_replays_cleanly() {
    replay_all("regressions", false);
}

/// Every target binary has a body in `TARGETS`, and every body a binary: the list cannot drift.
#[test]
fn every_fuzz_target_is_replayed() {
    let mut binaries: Vec<String> = files_in(&fuzz_dir().join("fuzz_targets"))
        .iter()
        .filter_map(|p| Some(p.file_stem()?.to_str()?.to_owned()))
        .collect();
    binaries.sort();
    let mut replayed: Vec<String> = fuzz_support::TARGETS
        .iter()
        .map(|(n, _)| (*n).to_owned())
        .collect();
    replayed.sort();
    assert_eq!(binaries, replayed);
}

/// The replay does fail on a bad input: the matrix target with its oracle swapped for one that
/// disagrees is caught (so a green replay means something).
#[test]
fn a_disagreeing_oracle_is_caught() {
    use kms_import::{KeySpec, Partition, WrappingAlgorithm, WrappingKeySpec};
    let (p, a, w, k) = (
        Partition::Aws,
        WrappingAlgorithm::RsaesOaepSha256,
        WrappingKeySpec::Rsa2048,
        KeySpec::EccNistP521,
    );
    let answer = kms_import::fuzz_targets::matrix(p, a, w, k);
    assert!(
        answer.is_err(),
        "P-521 under RSA_2048 with OAEP must be refused"
    );
    assert!(!fuzz_support::naive_matrix::allowed(p, a, w, k));
    assert!(fuzz_support::naive_matrix::allowed(
        p,
        a,
        WrappingKeySpec::Rsa3072,
        k
    ));
}

/// The matrix and the naive rules agree on every one of the combinations, not only those the
/// corpus happens to hold.
#[test]
fn matrix_agrees_with_the_naive_rules_everywhere() {
    use kms_import::{KeySpec, Partition, WrappingAlgorithm, WrappingKeySpec};
    let mut disagreements = Vec::new();
    for &p in Partition::ALL {
        for &a in WrappingAlgorithm::ALL {
            for &w in WrappingKeySpec::ALL {
                for &k in KeySpec::ALL {
                    let answer = kms_import::fuzz_targets::matrix(p, a, w, k);
                    if answer.is_ok() != fuzz_support::naive_matrix::allowed(p, a, w, k) {
                        disagreements.push(format!("{p} {a} {w} {k}: matrix says {answer:?}"));
                    }
                }
            }
        }
    }
    assert!(
        disagreements.is_empty(),
        "matrix vs naive rules:\n{}",
        disagreements.join("\n")
    );
}
