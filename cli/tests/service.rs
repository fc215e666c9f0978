//! `get-parameters-for-import` and `import-key-material` through the built binary: the AWS CLI's
//! JSON, the whole flow with the token as base64 text, and every KMS exception on stderr.

mod common;

use common::*;
use predicates::prelude::*;
use serde_json::Value;

const KEY_ID: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";
const OTHER_KEY_ID: &str = "1234abcd-12ab-34cd-56ef-1234567890ac";
const NOW: &str = "2025-01-31T12:00:00Z";

/// `get-parameters-for-import` for `KEY_ID`; writes the token as the base64 text (what
/// `--query ImportToken --output text` prints) and the public key as base64 text; returns the JSON.
fn get_parameters(dir: &Scratch, key_spec: &str, alg: &str, wks: &str, partition: &str) -> Value {
    let out = kms(dir)
        .args([
            "get-parameters-for-import",
            "--key-id",
            KEY_ID,
            "--key-spec",
            key_spec,
        ])
        .args(["--wrapping-algorithm", alg, "--wrapping-key-spec", wks])
        .args(["--token-key", "tk", "--partition", partition, "--now", NOW])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let json: Value = serde_json::from_slice(&out).expect("JSON on stdout");
    dir.write(
        "token.b64",
        format!("{}\n", json["ImportToken"].as_str().unwrap()).as_bytes(),
    );
    dir.write("pub.b64", json["PublicKey"].as_str().unwrap().as_bytes());
    dir.write("params.json", &out);
    json
}

fn setup(name: &str) -> Scratch {
    let dir = Scratch::new(name);
    kms(&dir)
        .args(["create-token-key", "--out", "tk"])
        .assert()
        .success();
    dir
}

fn import(dir: &Scratch, key_spec: &str, token: &str, partition: &str) -> assert_cmd::Command {
    import_with(dir, key_spec, token, partition, &[])
}

/// `import-key-material` with defaults for everything; `overrides` are (flag, value) pairs that
/// replace a default flag or add one.
fn import_with(
    dir: &Scratch,
    key_spec: &str,
    token: &str,
    partition: &str,
    overrides: &[(&str, &str)],
) -> assert_cmd::Command {
    let mut flags: Vec<(&str, &str)> = vec![
        ("--key-id", KEY_ID),
        ("--key-spec", key_spec),
        ("--import-token", token),
        ("--encrypted-key-material", "ct"),
        ("--token-key", "tk"),
        ("--out", "imported"),
        ("--partition", partition),
        ("--now", NOW),
        ("--expiration-model", "KEY_MATERIAL_DOES_NOT_EXPIRE"),
    ];
    for &(flag, value) in overrides {
        match flags.iter_mut().find(|(f, _)| *f == flag) {
            Some(slot) => slot.1 = value,
            None => flags.push((flag, value)),
        }
    }
    let mut cmd = kms(dir);
    cmd.arg("import-key-material");
    for (flag, value) in flags {
        cmd.args([flag, value]);
    }
    // The tests import into the same --out file again and again; a secret output
    // is replaced only with --force (tests/outputs.rs covers refusing without it).
    cmd.arg("--force");
    cmd
}

fn wrap(dir: &Scratch, alg: &str, material: &str) {
    wrap_with(dir, alg, material, &[]);
}

/// `wrap` with more flags (`--partition`, `--no-check`).
fn wrap_with(dir: &Scratch, alg: &str, material: &str, extra: &[&str]) {
    kms(dir)
        .args([
            "wrap",
            "--wrapping-algorithm",
            alg,
            "--public-key",
            "pub.b64",
        ])
        .args(["--key-material", material, "--out", "ct"])
        .args(extra)
        .assert()
        .success();
}

#[test]
fn parameters_are_the_aws_cli_json() {
    let dir = setup("params");
    let json = get_parameters(
        &dir,
        "SYMMETRIC_DEFAULT",
        "RSAES_OAEP_SHA_256",
        "RSA_2048",
        "aws",
    );
    let text = String::from_utf8(dir.read("params.json")).unwrap();
    // Field order as the AWS CLI prints them.
    let positions: Vec<usize> = [
        "\"KeyId\"",
        "\"ImportToken\"",
        "\"PublicKey\"",
        "\"ParametersValidTo\"",
    ]
    .iter()
    .map(|k| text.find(k).unwrap_or_else(|| panic!("no {k}")))
    .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{text}");
    assert_eq!(json["KeyId"], KEY_ID);
    assert_eq!(json["ParametersValidTo"], "2025-02-01T12:00:00Z");
    use base64ct::{Base64, Encoding};
    let spki = Base64::decode_vec(json["PublicKey"].as_str().unwrap()).unwrap();
    assert_eq!(spki[0], 0x30);
    let token = Base64::decode_vec(json["ImportToken"].as_str().unwrap()).unwrap();
    assert!(!token.is_empty() && token.len() <= 6144);
    // A key ARN is echoed back.
    let arn = format!("arn:aws:kms:us-east-1:111122223333:key/{KEY_ID}");
    kms(&dir)
        .args([
            "get-parameters-for-import",
            "--key-id",
            &arn,
            "--key-spec",
            "HMAC_256",
        ])
        .args([
            "--wrapping-algorithm",
            "RSAES_OAEP_SHA_1",
            "--wrapping-key-spec",
            "RSA_2048",
        ])
        .args(["--token-key", "tk"])
        .assert()
        .success()
        .stdout(predicate::str::contains(format!("\"KeyId\": \"{arn}\"")));
}

#[test]
fn import_round_trips_and_prints_key_id_and_key_material_id() {
    let dir = setup("import");
    let material = random(32);
    dir.write("m", &material);
    get_parameters(
        &dir,
        "SYMMETRIC_DEFAULT",
        "RSAES_OAEP_SHA_256",
        "RSA_3072",
        "aws",
    );
    wrap(&dir, "RSAES_OAEP_SHA_256", "m");
    // The token as base64 text, as raw bytes, and as the whole JSON.
    use base64ct::{Base64, Encoding};
    let token_text = String::from_utf8(dir.read("token.b64")).unwrap();
    dir.write("token.bin", &Base64::decode_vec(token_text.trim()).unwrap());
    let mut key_material_id = None;
    for token in ["token.b64", "token.bin", "params.json"] {
        let out = import(&dir, "SYMMETRIC_DEFAULT", token, "aws")
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let json: Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(json["KeyId"], KEY_ID);
        // API v2: the output is {"KeyId", "KeyMaterialId"} (was "Fingerprint"), in that order.
        let text = String::from_utf8_lossy(&out);
        assert!(
            text.find("\"KeyId\"").unwrap() < text.find("\"KeyMaterialId\"").unwrap(),
            "{text}"
        );
        assert!(json.get("Fingerprint").is_none(), "{text}");
        let id = json["KeyMaterialId"].as_str().unwrap().to_owned();
        assert_eq!(id.len(), 64);
        assert!(
            id.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
            "{id}"
        );
        assert_eq!(
            *key_material_id.get_or_insert(id.clone()),
            id,
            "same material, same KeyMaterialId"
        );
        assert_eq!(dir.read("imported"), material, "{token}");
        #[cfg(unix)]
        assert_eq!(mode(&dir.join("imported")), 0o600);
        // The material is never printed.
        assert!(!String::from_utf8_lossy(&out).contains(&hex(&material)));
    }
    // Reimport of the same material into the key that holds it (API v2: the KMS passes the ids
    // the key holds, --associated-key-material-id, instead of --previous-fingerprint): accepted,
    // with the same id. Different material: IncorrectKeyMaterialException.
    let id = key_material_id.unwrap();
    std::fs::remove_file(dir.join("imported")).unwrap();
    let out = import(&dir, "SYMMETRIC_DEFAULT", "token.b64", "aws")
        .args(["--associated-key-material-id", &id])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let json: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(json["KeyMaterialId"], id.as_str());
    assert_eq!(dir.read("imported"), material);
    dir.write("m2", &random(32));
    wrap(&dir, "RSAES_OAEP_SHA_256", "m2");
    std::fs::remove_file(dir.join("imported")).unwrap();
    import(&dir, "SYMMETRIC_DEFAULT", "token.b64", "aws")
        .args(["--associated-key-material-id", &id])
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with(
            "IncorrectKeyMaterialException: ",
        ));
    assert!(!dir.exists("imported"));
}

#[test]
fn every_refusal_is_the_kms_exception() {
    let dir = setup("refusals");
    let first_line = |cmd: &mut assert_cmd::Command| {
        let out = cmd.assert().code(1).get_output().clone();
        first_stderr_line(&out)
    };
    // GetParametersForImport: the matrix, the key ID.
    let line = first_line(
        kms(&dir)
            .args([
                "get-parameters-for-import",
                "--key-id",
                KEY_ID,
                "--key-spec",
                "HMAC_256",
            ])
            .args(["--wrapping-algorithm", "RSA_AES_KEY_WRAP_SHA_256"])
            .args(["--wrapping-key-spec", "RSA_2048", "--token-key", "tk"]),
    );
    assert!(
        line.starts_with("UnsupportedOperationException: "),
        "{line}"
    );
    let line = first_line(
        kms(&dir)
            .args(["get-parameters-for-import", "--key-id", "alias/my-key"])
            .args([
                "--key-spec",
                "HMAC_256",
                "--wrapping-algorithm",
                "RSAES_OAEP_SHA_256",
            ])
            .args(["--wrapping-key-spec", "RSA_2048", "--token-key", "tk"]),
    );
    assert!(line.starts_with("InvalidArnException: "), "{line}");
    // A token key of the wrong length.
    // Private, as a token key must be (else that refusal would come first).
    chmod_600(&dir.write("short-tk", &[7u8; 31]));
    kms(&dir)
        .args([
            "get-parameters-for-import",
            "--key-id",
            KEY_ID,
            "--key-spec",
            "HMAC_256",
        ])
        .args([
            "--wrapping-algorithm",
            "RSAES_OAEP_SHA_256",
            "--wrapping-key-spec",
            "RSA_2048",
        ])
        .args(["--token-key", "short-tk"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("exactly 32 bytes"));

    // ImportKeyMaterial.
    get_parameters(&dir, "HMAC_256", "RSAES_OAEP_SHA_256", "RSA_2048", "aws");
    dir.write("m", &random(32));
    wrap(&dir, "RSAES_OAEP_SHA_256", "m");
    import(&dir, "HMAC_256", "token.b64", "aws")
        .assert()
        .success();
    std::fs::remove_file(dir.join("imported")).unwrap();
    // Expired: valid to NOW + 24 h inclusive.
    import_with(
        &dir,
        "HMAC_256",
        "token.b64",
        "aws",
        &[("--now", "2025-02-01T12:00:00Z")],
    )
    .assert()
    .success();
    let line = first_line(&mut import_with(
        &dir,
        "HMAC_256",
        "token.b64",
        "aws",
        &[("--now", "2025-02-01T12:00:01Z")],
    ));
    assert!(line.starts_with("ExpiredImportTokenException: "), "{line}");
    // Another token key, another key ID, a flipped token byte.
    kms(&dir)
        .args(["create-token-key", "--out", "tk2"])
        .assert()
        .success();
    let line = first_line(&mut import_with(
        &dir,
        "HMAC_256",
        "token.b64",
        "aws",
        &[("--token-key", "tk2")],
    ));
    assert!(line.starts_with("InvalidImportTokenException: "), "{line}");
    let line = first_line(&mut import_with(
        &dir,
        "HMAC_256",
        "token.b64",
        "aws",
        &[("--key-id", OTHER_KEY_ID)],
    ));
    assert!(line.starts_with("InvalidImportTokenException: "), "{line}");
    use base64ct::{Base64, Encoding};
    let text = String::from_utf8(dir.read("token.b64")).unwrap();
    let mut token = Base64::decode_vec(text.trim()).unwrap();
    let mid = token.len() / 2;
    token[mid] ^= 0x40;
    dir.write("bad-token", &token);
    let line = first_line(&mut import(&dir, "HMAC_256", "bad-token", "aws"));
    assert!(line.starts_with("InvalidImportTokenException: "), "{line}");
    // A token for another key spec or partition.
    let line = first_line(&mut import(&dir, "HMAC_384", "token.b64", "aws"));
    assert!(line.starts_with("InvalidImportTokenException: "), "{line}");
    // Undecryptable ciphertext: opaque.
    let mut ct = dir.read("ct");
    ct[10] ^= 1;
    dir.write("ct", &ct);
    let out = import(&dir, "HMAC_256", "token.b64", "aws")
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "InvalidCiphertextException: KMS could not decrypt the encrypted (wrapped) key material\n"
    );
    // Material that decrypts but does not fit: 31 bytes for HMAC_256.
    // wrap refuses 31 bytes (no key spec takes them): --no-check, so that the
    // service sees them.
    dir.write("m31", &random(31));
    wrap_with(&dir, "RSAES_OAEP_SHA_256", "m31", &["--no-check"]);
    let line = first_line(&mut import(&dir, "HMAC_256", "token.b64", "aws"));
    assert!(
        line.starts_with("IncorrectKeyMaterialException: "),
        "{line}"
    );
    // ExpirationModel / ValidTo.
    wrap(&dir, "RSAES_OAEP_SHA_256", "m");
    let line = first_line(&mut import_with(
        &dir,
        "HMAC_256",
        "token.b64",
        "aws",
        &[("--valid-to", "2025-06-01T00:00:00Z")],
    ));
    assert!(line.starts_with("ValidationException: "), "{line}");
    let line = first_line(
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
                "token.b64",
                "--encrypted-key-material",
                "ct",
            ])
            .args(["--token-key", "tk", "--out", "imported", "--now", NOW])
            .arg("--force"),
    );
    assert!(line.starts_with("ValidationException: "), "{line}");
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
            "token.b64",
            "--encrypted-key-material",
            "ct",
        ])
        .args(["--token-key", "tk", "--out", "imported", "--now", NOW])
        .args(["--valid-to", "2025-06-01T00:00:00Z", "--force"])
        .assert()
        .success();
    // ValidTo at most 365 days after now, to the second: a fraction of a second past the limit
    // rounds up and is refused (API v2 hardening: fractions used to be truncated).
    import_with(
        &dir,
        "HMAC_256",
        "token.b64",
        "aws",
        &[
            ("--expiration-model", "KEY_MATERIAL_EXPIRES"),
            ("--valid-to", "2026-01-31T12:00:00Z"),
        ],
    )
    .assert()
    .success();
    let line = first_line(&mut import_with(
        &dir,
        "HMAC_256",
        "token.b64",
        "aws",
        &[
            ("--expiration-model", "KEY_MATERIAL_EXPIRES"),
            ("--valid-to", "2026-01-31T12:00:00.001Z"),
        ],
    ));
    assert!(line.starts_with("ValidationException: "), "{line}");
    assert!(line.contains("at most 365 days"), "{line}");
    // Unknown expiration model, malformed KeyMaterialId: usage errors.
    import_with(
        &dir,
        "HMAC_256",
        "token.b64",
        "aws",
        &[("--expiration-model", "NEVER")],
    )
    .assert()
    .code(2);
    // API v2: the fingerprint flag became --associated-key-material-id.
    import_with(
        &dir,
        "HMAC_256",
        "token.b64",
        "aws",
        &[("--associated-key-material-id", "abc")],
    )
    .assert()
    .code(2);
    // API v2: --previous-fingerprint is gone; using it is a usage error that names the new flag.
    import_with(
        &dir,
        "HMAC_256",
        "token.b64",
        "aws",
        &[("--previous-fingerprint", "abc")],
    )
    .assert()
    .code(2)
    .stderr(predicate::str::contains("--associated-key-material-id"));
}

#[test]
fn china_regions_flow_with_sm2pke() {
    let dir = setup("aws-cn");
    for key_spec in ["SM2", "ECC_NIST_P256"] {
        let material = sample_material(&dir, key_spec, "aws-cn", "m");
        get_parameters(&dir, key_spec, "SM2PKE", "SM2", "aws-cn");
        kms(&dir)
            .args([
                "wrap",
                "--wrapping-algorithm",
                "SM2PKE",
                "--public-key",
                "pub.b64",
            ])
            .args(["--key-material", "m", "--out", "ct", "--key-spec", key_spec])
            .args(["--partition", "aws-cn"])
            .assert()
            .success();
        import(&dir, key_spec, "token.b64", "aws-cn")
            .assert()
            .success();
        assert_eq!(dir.read("imported"), material, "{key_spec}");
    }
    // SYMMETRIC_DEFAULT in aws-cn is 16 bytes (SM4), wrapped with OAEP.
    let material = sample_material(&dir, "SYMMETRIC_DEFAULT", "aws-cn", "m");
    assert_eq!(material.len(), 16);
    get_parameters(
        &dir,
        "SYMMETRIC_DEFAULT",
        "RSAES_OAEP_SHA_256",
        "RSA_2048",
        "aws-cn",
    );
    // wrap checks the 16 bytes against the partition's key specs.
    wrap_with(&dir, "RSAES_OAEP_SHA_256", "m", &["--partition", "aws-cn"]);
    import(&dir, "SYMMETRIC_DEFAULT", "token.b64", "aws-cn")
        .assert()
        .success();
    assert_eq!(dir.read("imported"), material);
}

#[test]
fn demo_runs_every_combination() {
    let dir = Scratch::new("demo");
    let out = kms(&dir)
        .arg("demo")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(text.contains("aws-cn  SM2PKE"), "{text}");
    assert!(text.contains("allowed combinations imported and round-tripped"));
    assert!(!text.contains("FAILED"));
}
