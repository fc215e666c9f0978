//! Where inputs come from and which forms are taken or refused, secret input
//! hygiene and terminal safety, the way users met them. The README's "Input forms"
//! table lists the same cases.
#![cfg(unix)]

mod common;

use std::process::Command;
use std::time::Duration;

use base64ct::{Base64, Encoding};
use common::*;
use predicates::prelude::*;

const OAEP: &str = "RSAES_OAEP_SHA_256";

fn wrap(dir: &Scratch, public: &str) -> assert_cmd::Command {
    let mut cmd = kms(dir);
    cmd.args(["wrap", "--wrapping-algorithm", OAEP, "--public-key", public])
        .args(["--key-material", "m", "--out", "ct", "--no-check"])
        .timeout(Duration::from_secs(60));
    cmd
}

fn unwrap(dir: &Scratch, private: &str, ct: &str) -> assert_cmd::Command {
    let mut cmd = kms(dir);
    cmd.args([
        "unwrap",
        "--wrapping-algorithm",
        OAEP,
        "--private-key",
        private,
    ])
    .args(["--encrypted-key-material", ct, "--out", "back", "--force"])
    .timeout(Duration::from_secs(60));
    cmd
}

fn stderr_of(cmd: &mut assert_cmd::Command) -> String {
    String::from_utf8_lossy(&cmd.output().unwrap().stderr).into_owned()
}

#[test]
fn public_key_inline_base64_stdin_and_process_substitution() {
    let dir = Scratch::new("in-inline");
    let (public, _) = create_wrapping_key(&dir, "RSA_2048");
    dir.write("m", &random(32));
    let b64 = Base64::encode_string(&dir.read(&public));
    dir.write("pub.b64", format!("{b64}\n").as_bytes());
    // `--public-key "$(cat PublicKey.b64)"`.
    wrap(&dir, &b64).assert().success();
    // `--public-key -`, the key piped in.
    wrap(&dir, "-").write_stdin(b64.clone()).assert().success();
    // `--public-key <(cat PublicKey.b64)`: a pipe, not a regular file.
    let run = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "'{}' wrap --wrapping-algorithm {OAEP} --public-key <(cat pub.b64) --key-material m --out ct --no-check",
            assert_cmd::cargo::cargo_bin!("kms-import").display()
        ))
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    // A value that is neither a file nor base64: refused, quoting a short prefix only.
    let long = format!("{}.", "M".repeat(700));
    let out = wrap(&dir, &long).assert().code(1).get_output().clone();
    let why = String::from_utf8_lossy(&out.stderr);
    assert!(
        why.contains("no such file, and it is not base64 text"),
        "{why}"
    );
    assert!(why.contains("(701 characters)") && why.len() < 300, "{why}");
    // Base64 longer than a file name may be (no `/` in it): still taken as the value.
    wrap(&dir, &"QUJD".repeat(100))
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with(
            "the --public-key value: invalid wrapping key",
        ));
    // A name that exists is a file even if it looks like base64.
    let name = "QUJD".repeat(11);
    dir.write(&name, b64.as_bytes());
    wrap(&dir, &name).assert().success();
    // The aws CLI's fileb:// is explained.
    wrap(&dir, "fileb://pub.b64")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("the aws CLI's syntax"));
}

#[test]
fn secrets_are_never_taken_inline() {
    let dir = Scratch::new("in-secret-inline");
    let (public, private) = create_wrapping_key(&dir, "RSA_2048");
    dir.write("m", &random(32));
    wrap(&dir, &public).assert().success();
    let key_b64 = Base64::encode_string(&dir.read(&private));
    let out = unwrap(&dir, &key_b64, "ct")
        .assert()
        .code(2)
        .get_output()
        .clone();
    let why = String::from_utf8_lossy(&out.stderr);
    assert!(
        why.contains("every user of this machine can read it"),
        "{why}"
    );
    assert!(
        !why.contains(&key_b64[..16]),
        "not even a prefix of the secret: {why}"
    );
    // From standard input it is fine.
    unwrap(&dir, "-", "ct")
        .write_stdin(key_b64)
        .assert()
        .success();
    assert_eq!(dir.read("back"), dir.read("m"));
}

#[test]
fn a_fifo_as_a_secret_input_does_not_hang() {
    let dir = Scratch::new("in-fifo");
    dir.write("m", &random(32));
    assert!(
        Command::new("mkfifo")
            .arg(dir.join("tk"))
            .status()
            .unwrap()
            .success()
    );
    assert!(
        Command::new("mkfifo")
            .arg(dir.join("pub"))
            .status()
            .unwrap()
            .success()
    );
    kms(&dir)
        .args([
            "get-parameters-for-import",
            "--key-id",
            "k",
            "--key-spec",
            "HMAC_256",
        ])
        .args([
            "--wrapping-algorithm",
            OAEP,
            "--wrapping-key-spec",
            "RSA_2048",
        ])
        .args(["--token-key", "tk"])
        .timeout(Duration::from_secs(20))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "a FIFO, not a regular file; secrets are read only from regular files or -",
        ));
    // A public input from a FIFO nobody writes to ends at once.
    wrap(&dir, "pub")
        .timeout(Duration::from_secs(20))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("is empty"));
    // A device or a directory is not a key file either (/dev/zero would be read until the size
    // limit).
    wrap(&dir, "/dev/zero")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("a character device"));
    std::fs::create_dir(dir.join("keys")).unwrap();
    wrap(&dir, "keys")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "is a directory, not a regular file",
        ));
    kms(&dir)
        .args([
            "unwrap",
            "--wrapping-algorithm",
            OAEP,
            "--private-key",
            "keys",
        ])
        .args(["--encrypted-key-material", "ct", "--out", "back"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "secrets are read only from regular files or -",
        ));
}

#[test]
fn standard_input_from_a_terminal_is_refused() {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("SKIPPED: script(1) not found");
        return;
    }
    let dir = Scratch::new("in-tty");
    dir.write("m", &random(32));
    // script(1) gives the command a pseudo-terminal as standard input.
    let command = format!(
        "'{}' wrap --wrapping-algorithm {OAEP} --public-key - --key-material m --out ct",
        assert_cmd::cargo::cargo_bin!("kms-import").display()
    );
    let run = Command::new("script")
        .args(["-q", "-e", "-c", &command, "/dev/null"])
        .current_dir(dir.path())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&run.stdout);
    assert_eq!(run.status.code(), Some(2), "{text}");
    assert!(
        text.contains("standard input, which is a terminal"),
        "{text}"
    );
}

#[test]
fn group_readable_secrets_are_refused_with_the_chmod() {
    let dir = Scratch::new("in-mode");
    let (public, private) = create_wrapping_key(&dir, "RSA_2048");
    dir.write("m", &random(32));
    wrap(&dir, &public).assert().success();
    kms(&dir)
        .args(["create-token-key", "--out", "tk"])
        .assert()
        .success();
    use std::os::unix::fs::PermissionsExt;
    let set = |name: &str, mode: u32| {
        std::fs::set_permissions(dir.join(name), std::fs::Permissions::from_mode(mode)).unwrap()
    };
    set(&private, 0o640);
    unwrap(&dir, &private, "ct")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "(mode 0640); a secret must be private: run `chmod 600 {private}`"
        )));
    set(&private, 0o600);
    unwrap(&dir, &private, "ct").assert().success();
    set("tk", 0o604);
    kms(&dir)
        .args([
            "get-parameters-for-import",
            "--key-id",
            "k",
            "--key-spec",
            "HMAC_256",
        ])
        .args([
            "--wrapping-algorithm",
            OAEP,
            "--wrapping-key-spec",
            "RSA_2048",
        ])
        .args(["--token-key", "tk"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("run `chmod 600 tk`"));
}

#[test]
fn aws_cli_outputs_that_are_not_the_value_are_refused() {
    let dir = Scratch::new("in-aws");
    let (public, _) = create_wrapping_key(&dir, "RSA_2048");
    dir.write("m", &random(32));
    let b64 = Base64::encode_string(&dir.read(&public));
    // `aws kms get-public-key`: a KMS key's own public key.
    dir.write(
        "get-public-key.json",
        format!(
            r#"{{"KeyId": "arn:aws:kms:us-east-1:111122223333:key/k", "PublicKey": "{b64}",
               "CustomerMasterKeySpec": "RSA_2048", "KeySpec": "RSA_2048",
               "KeyUsage": "ENCRYPT_DECRYPT", "EncryptionAlgorithms": ["RSAES_OAEP_SHA_256"]}}"#
        )
        .as_bytes(),
    );
    wrap(&dir, "get-public-key.json")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "the JSON of `aws kms get-public-key`",
        ));
    // `aws kms get-parameters-for-import --output text` and `--output table`.
    dir.write(
        "params.txt",
        format!(
            "AQIDAHh0b2tlbg==\tarn:aws:kms:us-east-1:111122223333:key/k\t1738324800.0\t{b64}\n"
        )
        .as_bytes(),
    );
    wrap(&dir, "params.txt").assert().code(1).stderr(
        predicate::str::contains("`--output text`")
            .and(predicate::str::contains("--query PublicKey --output text")),
    );
    let table = format!(
        "-----------------------------\n|  GetParametersForImport   |\n+-------------+-------------+\n|  PublicKey  |  {}  |\n+-------------+-------------+\n",
        &b64[..40]
    );
    dir.write("params.table", table.as_bytes());
    wrap(&dir, "params.table")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("`--output table`"));
    kms(&dir)
        .args(["create-token-key", "--out", "tk"])
        .assert()
        .success();
    kms(&dir)
        .args([
            "import-key-material",
            "--key-id",
            "k",
            "--key-spec",
            "HMAC_256",
        ])
        .args([
            "--import-token",
            "params.txt",
            "--encrypted-key-material",
            "ct",
        ])
        .args(["--token-key", "tk", "--out", "imported"])
        .assert()
        .code(1)
        .stderr(
            predicate::str::starts_with("InvalidImportTokenException: ").and(
                predicate::str::contains("--query ImportToken --output text"),
            ),
        );
}

#[test]
fn encrypted_key_material_as_base64_text() {
    let dir = Scratch::new("in-ct-b64");
    let (public, private) = create_wrapping_key(&dir, "RSA_2048");
    dir.write("m", &random(32));
    wrap(&dir, &public).assert().success();
    let ct_b64 = Base64::encode_string(&dir.read("ct"));
    dir.write("ct.b64", format!("{ct_b64}\n").as_bytes());
    for ct in ["ct.b64", ct_b64.as_str()] {
        unwrap(&dir, &private, ct).assert().success();
        assert_eq!(dir.read("back"), dir.read("m"));
    }
}

#[test]
fn terminal_sequences_in_input_are_escaped() {
    let dir = Scratch::new("in-escape");
    dir.write("m", &random(32));
    // A PEM label carrying an OSC title sequence (ESC ] ... BEL) and a clear-screen (ESC [ 2J).
    let label = "\u{1b}]0;pwned\u{7}\u{1b}[2J";
    dir.write(
        "evil.pem",
        format!("-----BEGIN {label}-----\nMAMCAQU=\n-----END {label}-----\n").as_bytes(),
    );
    let why = stderr_of(&mut wrap(&dir, "evil.pem"));
    assert!(!why.contains('\u{1b}') && !why.contains('\u{7}'), "{why:?}");
    assert!(
        why.contains(r"found `\u{1b}]0;pwned\u{7}\u{1b}[2J`"),
        "{why}"
    );
    // A file name with control characters.
    let why = stderr_of(&mut wrap(&dir, "no\u{1b}[31mred\u{7}"));
    assert!(!why.contains('\u{1b}') && !why.contains('\u{7}'), "{why:?}");
    assert!(why.contains(r"no\u{1b}[31mred\u{7}"), "{why}");
    // A JSON field (get-public-key's KeySpec) with an escape sequence.
    dir.write(
        "gpk.json",
        br#"{"PublicKey": "MIIB", "KeySpec": "\u001b]0;x\u0007", "KeyUsage": "ENCRYPT_DECRYPT"}"#,
    );
    let why = stderr_of(&mut wrap(&dir, "gpk.json"));
    assert!(!why.contains('\u{1b}') && !why.contains('\u{7}'), "{why:?}");
}
