//! `import-key-material`'s files: the encrypted key material as base64 text,
//! no secret written over without `--force`, and no material left behind when the JSON that
//! reports it cannot be written.
#![cfg(unix)]

mod common;

use std::process::{Command, Stdio};

use base64ct::{Base64, Encoding};
use common::*;
use predicates::prelude::*;

const OAEP: &str = "RSAES_OAEP_SHA_256";
const KEY_ID: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";

fn bin() -> std::path::PathBuf {
    assert_cmd::cargo::cargo_bin!("kms-import").to_path_buf()
}

/// A token key, `get-parameters-for-import` for an HMAC_256 key (params.json), and 32 bytes
/// wrapped under its public key (m, ct).
fn setup(name: &str) -> Scratch {
    let dir = Scratch::new(name);
    kms(&dir)
        .args(["create-token-key", "--out", "tk"])
        .assert()
        .success();
    let params = kms(&dir)
        .args(["get-parameters-for-import", "--key-id", KEY_ID])
        .args(["--key-spec", "HMAC_256", "--wrapping-algorithm", OAEP])
        .args(["--wrapping-key-spec", "RSA_2048", "--token-key", "tk"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    dir.write("params.json", &params);
    dir.write("m", &random(32));
    kms(&dir)
        .args([
            "wrap",
            "--wrapping-algorithm",
            OAEP,
            "--public-key",
            "params.json",
        ])
        .args([
            "--key-material",
            "m",
            "--out",
            "ct",
            "--key-spec",
            "HMAC_256",
        ])
        .assert()
        .success();
    dir
}

fn import(dir: &Scratch, ct: &str) -> assert_cmd::Command {
    let mut cmd = kms(dir);
    cmd.args([
        "import-key-material",
        "--key-id",
        KEY_ID,
        "--key-spec",
        "HMAC_256",
    ])
    .args([
        "--import-token",
        "params.json",
        "--encrypted-key-material",
        ct,
    ])
    .args(["--token-key", "tk", "--out", "imported"])
    .args(["--expiration-model", "KEY_MATERIAL_DOES_NOT_EXPIRE"]);
    cmd
}

#[test]
fn encrypted_key_material_as_base64_text_like_the_import_token() {
    let dir = setup("import-b64");
    let ct_b64 = Base64::encode_string(&dir.read("ct"));
    dir.write("ct.b64", format!("{ct_b64}\n").as_bytes());
    for ct in ["ct", "ct.b64", ct_b64.as_str()] {
        import(&dir, ct).arg("--force").assert().success();
        assert_eq!(dir.read("imported"), dir.read("m"), "{ct}");
    }
    // Text that is not base64 is refused as KMS would.
    dir.write("ct.bad", format!("{}!", &ct_b64[..40]).as_bytes());
    import(&dir, "ct.bad")
        .arg("--force")
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with("InvalidCiphertextException: "));
}

#[test]
fn imported_material_is_not_written_over_without_force() {
    let dir = setup("import-force");
    dir.write("imported", b"an earlier import");
    import(&dir, "ct")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not written over without --force"));
    assert_eq!(dir.read("imported"), b"an earlier import");
    import(&dir, "ct").arg("--force").assert().success();
    assert_eq!(dir.read("imported"), dir.read("m"));
}

#[test]
fn import_leaves_no_material_when_the_json_cannot_be_written() {
    let dir = setup("import-full");
    let before = dir.entries();
    let import = |stdout: Stdio| {
        Command::new(bin())
            .args([
                "import-key-material",
                "--key-id",
                KEY_ID,
                "--key-spec",
                "HMAC_256",
            ])
            .args([
                "--import-token",
                "params.json",
                "--encrypted-key-material",
                "ct",
            ])
            .args(["--token-key", "tk", "--out", "imported"])
            .args(["--expiration-model", "KEY_MATERIAL_DOES_NOT_EXPIRE"])
            .current_dir(dir.path())
            .stdout(stdout)
            .output()
            .unwrap()
    };
    let run = import(std::fs::File::create("/dev/full").unwrap().into());
    assert_eq!(run.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&run.stderr).contains("cannot write to stdout"));
    assert_eq!(dir.entries(), before, "no material file, no temporary file");
    // The same with a stdout that works.
    let run = import(Stdio::piped());
    assert_eq!(run.status.code(), Some(0));
    assert_eq!(dir.read("imported"), dir.read("m"));
    // --out - would mix the material into the JSON.
    kms(&dir)
        .args([
            "import-key-material",
            "--key-id",
            KEY_ID,
            "--key-spec",
            "HMAC_256",
        ])
        .args([
            "--import-token",
            "params.json",
            "--encrypted-key-material",
            "ct",
        ])
        .args(["--token-key", "tk", "--out", "-"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("standard output carries the JSON"));
}
