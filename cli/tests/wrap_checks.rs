//! `wrap` refuses what KMS would refuse even without `--key-spec`, and takes key material in the
//! forms users hold it, the way users met them.

mod common;

use std::time::Duration;

use base64ct::{Base64, Encoding};
use common::*;

const OAEP: &str = "RSAES_OAEP_SHA_256";
const RSA_AES: &str = "RSA_AES_KEY_WRAP_SHA_256";

fn wrap(dir: &Scratch, alg: &str, public: &str, material: &str) -> assert_cmd::Command {
    let mut cmd = kms(dir);
    cmd.args(["wrap", "--wrapping-algorithm", alg, "--public-key", public])
        .args(["--key-material", material, "--out", "ct"])
        .timeout(Duration::from_secs(60));
    cmd
}

fn stderr(cmd: &mut assert_cmd::Command, code: i32) -> String {
    let out = cmd.assert().code(code).get_output().clone();
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn raw_material_without_key_spec_is_checked_for_every_key_spec_it_fits() {
    let dir = Scratch::new("infer-raw");
    let (public, _) = create_wrapping_key(&dir, "RSA_2048");
    // 32 bytes: SYMMETRIC_DEFAULT or HMAC_256, both allowed with OAEP; both named.
    dir.write("k32", &random(32));
    let note = stderr(&mut wrap(&dir, OAEP, &public, "k32"), 0);
    assert!(
        note.starts_with("note: ") && note.contains("SYMMETRIC_DEFAULT or HMAC_256"),
        "{note}"
    );
    std::fs::remove_file(dir.join("ct")).unwrap();
    // ... and both refused under RSA_AES, which carries only RSA and ECC keys.
    let why = stderr(&mut wrap(&dir, RSA_AES, &public, "k32"), 1);
    assert!(
        why.starts_with("RSA_AES_KEY_WRAP_SHA_256 cannot wrap SYMMETRIC_DEFAULT"),
        "{why}"
    );
    assert!(
        why.contains("SYMMETRIC_DEFAULT or HMAC_256 material"),
        "{why}"
    );
    assert_eq!(why.lines().count(), 1);
    // Lengths no key spec of the partition takes, with the length received.
    for len in [5usize, 16, 24, 31, 100] {
        dir.write("k", &random(len));
        let why = stderr(&mut wrap(&dir, OAEP, &public, "k"), 1);
        assert!(
            why.starts_with(&format!(
                "{len} bytes of key material fit no key spec in aws"
            )),
            "{why}"
        );
        assert!(why.contains("--no-check"), "{why}");
    }
    assert!(!dir.exists("ct"));
    // HMAC lengths name their key spec; in aws-cn 16 bytes is SYMMETRIC_DEFAULT (SM4).
    for (len, partition, key_spec) in [
        (28, "aws", "HMAC_224"),
        (48, "aws", "HMAC_384"),
        (64, "aws", "HMAC_512"),
        (16, "aws-cn", "SYMMETRIC_DEFAULT"),
        (32, "aws-cn", "HMAC_256"),
    ] {
        dir.write("k", &random(len));
        let note = stderr(
            wrap(&dir, OAEP, &public, "k").args(["--partition", partition]),
            0,
        );
        assert!(note.contains(&format!("is {key_spec} material")), "{note}");
    }
}

#[test]
fn pkcs8_material_without_key_spec_is_checked_for_its_key_spec() {
    let dir = Scratch::new("infer-pkcs8");
    let (public, _) = create_wrapping_key(&dir, "RSA_2048");
    sample_material(&dir, "ECC_NIST_P256", "aws", "p256");
    let note = stderr(&mut wrap(&dir, RSA_AES, &public, "p256"), 0);
    assert!(
        note.contains("a PKCS#8 private key is ECC_NIST_P256 material"),
        "{note}"
    );
    std::fs::remove_file(dir.join("ct")).unwrap();
    // A P-521 key does not fit one OAEP block of RSA_2048: the matrix says so for the key spec
    // it assumed, as for --key-spec.
    sample_material(&dir, "ECC_NIST_P521", "aws", "p521");
    let why = stderr(&mut wrap(&dir, OAEP, &public, "p521"), 1);
    assert!(
        why.contains("ECC_NIST_P521 key material") && why.contains("does not fit"),
        "{why}"
    );
    // An RSA key under OAEP: refused, with what to use.
    sample_material(&dir, "RSA_2048", "aws", "rsa");
    let why = stderr(&mut wrap(&dir, OAEP, &public, "rsa"), 1);
    assert!(
        why.contains("cannot wrap RSA_2048 key material")
            && why.contains("RSA_AES_KEY_WRAP_SHA_256"),
        "{why}"
    );
    // An SM2 key outside the China Regions.
    sample_material(&dir, "SM2", "aws-cn", "sm2");
    let why = stderr(&mut wrap(&dir, RSA_AES, &public, "sm2"), 1);
    assert!(why.contains("SM2") && why.contains("aws-cn"), "{why}");
    assert!(!dir.exists("ct"));
}

#[test]
fn text_of_a_raw_key_is_refused_with_the_length_received() {
    let dir = Scratch::new("material-text");
    let (public, _) = create_wrapping_key(&dir, "RSA_2048");
    // 44 characters of base64 of a 32-byte key (what `openssl rand -base64 32` prints).
    dir.write(
        "k.b64",
        format!("{}\n", Base64::encode_string(&random(32))).as_bytes(),
    );
    let why = stderr(&mut wrap(&dir, OAEP, &public, "k.b64"), 1);
    assert!(
        why.contains("not 45; it looks like base64 text of 32 bytes: decode it first")
            && why.contains("SYMMETRIC_DEFAULT or HMAC_256 material"),
        "{why}"
    );
    let why = stderr(
        wrap(&dir, OAEP, &public, "k.b64").args(["--key-spec", "HMAC_256"]),
        1,
    );
    assert!(why.contains("looks like base64 text of 32 bytes"), "{why}");
    // 64 hex digits of a 32-byte key (`openssl rand -hex 32`): also HMAC_512's length, so it is
    // refused without --key-spec, and wrapped as it is with --key-spec HMAC_512.
    dir.write("k.hex", hex(&random(32)).as_bytes());
    let why = stderr(&mut wrap(&dir, OAEP, &public, "k.hex"), 1);
    assert!(
        why.contains("it looks like hex text of 32 bytes")
            && why.contains("if these 64 bytes are the key itself, pass --key-spec HMAC_512"),
        "{why}"
    );
    wrap(&dir, OAEP, &public, "k.hex")
        .args(["--key-spec", "HMAC_512"])
        .assert()
        .success();
    // Every length error says the length received.
    dir.write("k31", &random(31));
    let why = stderr(
        wrap(&dir, OAEP, &public, "k31").args(["--key-spec", "SYMMETRIC_DEFAULT"]),
        1,
    );
    assert!(
        why.contains("it must be exactly 32 bytes (an AES-256 key), not 31"),
        "{why}"
    );
}

#[test]
fn no_check_wraps_any_bytes() {
    let dir = Scratch::new("no-check");
    let (public, _) = create_wrapping_key(&dir, "RSA_2048");
    dir.write("k", &random(5));
    wrap(&dir, RSA_AES, &public, "k")
        .arg("--no-check")
        .assert()
        .success()
        .stderr("");
    assert_eq!(dir.read("ct").len(), 256 + 16);
    wrap(&dir, OAEP, &public, "k")
        .args(["--no-check", "--key-spec", "HMAC_256"])
        .assert()
        .code(2);
}

#[test]
fn pem_key_material_is_wrapped_as_der_and_said() {
    let dir = Scratch::new("material-pem");
    let (public, private) = create_wrapping_key(&dir, "RSA_2048");
    let der = sample_material(&dir, "ECC_NIST_P384", "aws", "p384.der");
    let body = Base64::encode_string(&der);
    let lines: Vec<&str> = body
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    let pem = format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        lines.join("\n")
    );
    dir.write("p384.pem", pem.as_bytes());
    let note = stderr(
        wrap(&dir, RSA_AES, &public, "p384.pem").args(["--key-spec", "ECC_NIST_P384"]),
        0,
    );
    assert!(
        note.contains(&format!(
            "is PEM; wrapping the {}-byte PKCS#8 DER",
            der.len()
        )),
        "{note}"
    );
    kms(&dir)
        .args([
            "unwrap",
            "--wrapping-algorithm",
            RSA_AES,
            "--private-key",
            &private,
        ])
        .args(["--encrypted-key-material", "ct", "--out", "back"])
        .assert()
        .success();
    assert_eq!(dir.read("back"), der, "KMS receives the DER");
    // Base64 of the DER without the armour: refused, decode it first.
    dir.write("p384.b64", format!("{body}\n").as_bytes());
    let why = stderr(&mut wrap(&dir, RSA_AES, &public, "p384.b64"), 1);
    assert!(
        why.contains(&format!("looks like base64 text of {} bytes", der.len()))
            && why.contains("decode it first: `base64 -d < p384.b64 > p384.der`"),
        "{why}"
    );
}

#[test]
fn key_material_is_never_taken_inline() {
    let dir = Scratch::new("material-inline");
    let (public, _) = create_wrapping_key(&dir, "RSA_2048");
    let value = Base64::encode_string(&random(32));
    let why = stderr(&mut wrap(&dir, OAEP, &public, &value), 2);
    assert!(
        why.contains("--key-material was given the key material itself"),
        "{why}"
    );
    assert!(!why.contains(&value[..12]), "{why}");
    // From standard input it is fine.
    wrap(&dir, OAEP, &public, "-")
        .write_stdin(random(32))
        .assert()
        .success();
}
