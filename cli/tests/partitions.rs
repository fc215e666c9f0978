//! Partitions, consistently: every partition the parser accepts is listed by `matrix` and
//! `matrix --json`; every alternative a refusal suggests is itself allowed where it is suggested;
//! every command that takes `--partition` refuses what does not exist in that partition.

mod common;

use std::collections::BTreeSet;

use common::*;
use serde_json::Value;

const PARTITIONS: [&str; 3] = ["aws", "aws-cn", "aws-us-gov"];

fn matrix_json(dir: &Scratch, args: &[&str]) -> Vec<Value> {
    let out = kms(dir)
        .arg("matrix")
        .arg("--json")
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice::<Value>(&out.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn key(e: &Value) -> (String, String, String, String) {
    let f = |name: &str| e[name].as_str().unwrap().to_owned();
    (
        f("partition"),
        f("wrapping_algorithm"),
        f("wrapping_key_spec"),
        f("key_spec"),
    )
}

#[test]
fn matrix_lists_every_partition_the_parser_accepts() {
    let dir = Scratch::new("partitions-list");
    let entries = matrix_json(&dir, &[]);
    let listed: BTreeSet<String> = entries.iter().map(|e| key(e).0).collect();
    assert_eq!(listed, PARTITIONS.iter().map(|p| p.to_string()).collect());
    assert_eq!(entries.len(), 3 * 6 * 4 * 20);
    let grid = kms(&dir).arg("matrix").output().unwrap();
    let text = String::from_utf8(grid.stdout).unwrap();
    for p in PARTITIONS {
        assert!(
            text.contains(&format!("partition {p} ")),
            "{p} missing from the grid"
        );
        // Each one alone matches its part of the default listing.
        let alone = matrix_json(&dir, &["--partition", p]);
        let from_all: Vec<&Value> = entries.iter().filter(|e| key(e).0 == p).collect();
        assert_eq!(alone.iter().collect::<Vec<_>>(), from_all);
    }
}

/// Every refused combination of every partition: each suggestion it gives is allowed in the
/// partition it names, for the same key spec, and is named in the printed reason.
#[test]
fn every_suggestion_is_allowed_where_it_is_given() {
    let dir = Scratch::new("partitions-suggest");
    let entries = matrix_json(&dir, &[]);
    let allowed: BTreeSet<_> = entries
        .iter()
        .filter(|e| e["allowed"].as_bool().unwrap())
        .map(key)
        .collect();
    let mut checked = 0;
    for e in entries.iter().filter(|e| !e["allowed"].as_bool().unwrap()) {
        let reason = e["reason"].as_str().unwrap();
        for s in e["suggestions"].as_array().unwrap() {
            let s = key(s);
            assert_eq!(s.3, key(e).3, "{reason}");
            assert!(
                allowed.contains(&s),
                "{e}: suggests {s:?}, which is refused"
            );
            assert!(
                reason.contains(&format!("{} with an {} wrapping key", s.1, s.2)),
                "{reason}"
            );
            checked += 1;
        }
        // A reason never recommends an algorithm it did not check: every algorithm named after
        // "instead use" is one of the suggestions.
        if let Some((_, advice)) = reason.split_once("instead use") {
            for alg in [
                "RSAES_OAEP_SHA_1 ",
                "RSAES_OAEP_SHA_256 ",
                "RSA_AES_KEY_WRAP_SHA_1 ",
                "RSA_AES_KEY_WRAP_SHA_256 ",
                "SM2PKE ",
            ] {
                if advice.contains(alg) {
                    assert!(
                        e["suggestions"].as_array().unwrap().iter().any(|s| format!(
                            "{} ",
                            s["wrapping_algorithm"].as_str().unwrap()
                        ) == alg),
                        "{reason}"
                    );
                }
            }
        }
    }
    assert!(checked > 500, "{checked}");
}

/// The `check` command prints the same reason and suggestions as the JSON, for the combination
/// the issue found wrong: RSA material in aws-cn is pointed at SM2PKE, not at RSA_AES.
#[test]
fn check_in_aws_cn_never_suggests_what_aws_cn_refuses() {
    let dir = Scratch::new("partitions-check");
    let out = kms(&dir)
        .args([
            "check",
            "--partition",
            "aws-cn",
            "--wrapping-algorithm",
            "RSAES_OAEP_SHA_256",
            "--wrapping-key-spec",
            "RSA_2048",
            "--key-spec",
            "RSA_2048",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let line = first_stderr_line(&out);
    assert!(line.contains("SM2PKE with an SM2 wrapping key"), "{line}");
    assert!(!line.contains("RSA_AES"), "{line}");
}

/// `sample-material`, `check` and `get-parameters-for-import` with a key spec that does not
/// exist in the partition: refused with the matrix's reason (exit 1), nothing written.
#[test]
fn commands_refuse_key_specs_outside_their_partition() {
    let dir = Scratch::new("partitions-refuse");
    for p in ["aws", "aws-us-gov"] {
        let out = kms(&dir)
            .args([
                "sample-material",
                "--key-spec",
                "SM2",
                "--partition",
                p,
                "--out",
                "sm2.der",
            ])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{p}");
        let line = first_stderr_line(&out);
        assert!(line.contains(&format!("does not exist in {p}")), "{line}");
        assert!(line.contains("in aws-cn"), "{line}");
        assert!(!dir.exists("sm2.der"));
    }
    let out = kms(&dir)
        .args([
            "sample-material",
            "--key-spec",
            "SM2",
            "--partition",
            "aws-cn",
            "--out",
            "sm2.der",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = kms(&dir)
        .args([
            "check",
            "--partition",
            "aws-us-gov",
            "--wrapping-algorithm",
            "SM2PKE",
            "--wrapping-key-spec",
            "SM2",
            "--key-spec",
            "ECC_NIST_P256",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(first_stderr_line(&out).contains("does not exist in aws-us-gov"));
    kms(&dir)
        .args(["create-token-key", "--out", "tk.bin"])
        .assert()
        .success();
    let out = kms(&dir)
        .args([
            "get-parameters-for-import",
            "--key-id",
            "1234abcd-12ab-34cd-56ef-1234567890ab",
            "--key-spec",
            "SM2",
            "--partition",
            "aws",
            "--wrapping-algorithm",
            "SM2PKE",
            "--wrapping-key-spec",
            "SM2",
            "--token-key",
            "tk.bin",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let line = first_stderr_line(&out);
    assert!(
        line.starts_with("UnsupportedOperationException: "),
        "{line}"
    );
    assert!(line.contains("does not exist in aws"), "{line}");
}
