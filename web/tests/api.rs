//! The functions the page calls, run natively: the answers' shape, the CLI's refusals, and a wrap
//! that the core unwraps to the material. The browser test (web/test.sh) drives the same
//! functions through the page.

use getrandom::SysRng;
use kms_import::rand_core::UnwrapErr;
use kms_import::{WrappingKeySpec, WrappingPrivateKey, WrappingScheme};
use kms_import_client::encoding::{decode_base64, encode_base64};
use kms_import_wasm::{check, choices, public_key, wrap};
use serde_json::Value;

fn parse(answer: String) -> Value {
    serde_json::from_str(&answer).expect("every answer is JSON")
}

fn error(answer: String) -> String {
    let value = parse(answer);
    value["error"]
        .as_str()
        .unwrap_or_else(|| panic!("expected a refusal, got {value}"))
        .to_owned()
}

fn key(spec: WrappingKeySpec) -> (WrappingPrivateKey, String) {
    let private = WrappingPrivateKey::generate(spec, &mut UnwrapErr(SysRng)).unwrap();
    let b64 = encode_base64(&private.public_key().to_der());
    (private, b64)
}

#[test]
fn choices_are_the_crates_names() {
    let c = parse(choices());
    assert_eq!(c["partitions"][0], "aws");
    let algorithms: Vec<&str> = c["wrapping_algorithms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(algorithms.contains(&"RSAES_OAEP_SHA_256") && algorithms.contains(&"SM2PKE"));
    assert_eq!(c["key_specs"].as_array().unwrap().len(), 20);
    assert_eq!(c["max_input_len"], 1 << 20);
}

#[test]
fn verdicts_are_the_matrix_entries() {
    let v = parse(check(
        "aws",
        "RSAES_OAEP_SHA_256",
        "RSA_2048",
        "ECC_NIST_P521",
    ));
    assert_eq!(v["allowed"], false);
    let reason = v["reason"].as_str().unwrap();
    assert!(
        reason.contains("does not fit in one RSAES_OAEP_SHA_256 block"),
        "{reason}"
    );
    assert!(!v["suggestions"].as_array().unwrap().is_empty());
    assert_eq!(v["allowed_with"].as_array().unwrap().len(), 0);
    // No public key yet: every wrapping key spec that works, and the longest one's entry.
    let v = parse(check("aws", "RSAES_OAEP_SHA_256", "", "ECC_NIST_P521"));
    assert_eq!(v["allowed"], true);
    assert_eq!(v["wrapping_key_spec"], "RSA_4096");
    assert_eq!(
        v["allowed_with"],
        serde_json::json!(["RSA_3072", "RSA_4096"])
    );
    let v = parse(check("aws-cn", "SM2PKE", "", "SM2"));
    assert_eq!(
        (&v["allowed"], &v["wrapping_key_spec"]),
        (&true.into(), &"SM2".into())
    );
    // Refused for every wrapping key: the reason for the longest key the algorithm takes.
    let v = parse(check("aws", "RSA_AES_KEY_WRAP_SHA_256", "", "HMAC_256"));
    assert_eq!(
        (&v["allowed"], &v["wrapping_key_spec"]),
        (&false.into(), &"RSA_4096".into())
    );
    assert!(
        v["reason"]
            .as_str()
            .unwrap()
            .starts_with("RSA_AES_KEY_WRAP_SHA_256 cannot wrap HMAC_256 key material")
    );
    let why = error(check("aws", "RSAES_OAEP_SHA_512", "", "HMAC_256"));
    assert!(why.contains("RSAES_OAEP_SHA_256"), "the valid names: {why}");
}

#[test]
fn public_keys_in_every_form_and_the_wrong_inputs() {
    let (_, b64) = key(WrappingKeySpec::Sm2);
    let pem = format!("-----BEGIN PUBLIC KEY-----\n{b64}\n-----END PUBLIC KEY-----\n");
    let json = format!(r#"{{"KeyId": "k", "ImportToken": "AQID", "PublicKey": "{b64}"}}"#);
    for text in [b64.as_str(), &pem, &json] {
        assert_eq!(parse(public_key(text))["wrapping_key_spec"], "SM2");
    }
    let refusals = [
        (
            format!(
                r#"{{"KeyId": "k", "PublicKey": "{b64}", "KeySpec": "SM2", "KeyUsage": "ENCRYPT_DECRYPT"}}"#
            ),
            "this is the JSON of `aws kms get-public-key`",
        ),
        (
            format!("k\t{b64}\t2025-01-01T00:00:00Z\n"),
            "this is the aws CLI's `--output text`",
        ),
        (
            "-----BEGIN RSA PUBLIC KEY-----\nMAMCAQU=\n-----END RSA PUBLIC KEY-----\n".to_owned(),
            "openssl rsa -RSAPublicKey_in -pubout -outform DER < KEY > KEY.spki.der",
        ),
        (String::new(), "the public key is empty"),
    ];
    for (text, expected) in refusals {
        let why = error(public_key(&text));
        assert!(why.contains(expected), "{why}");
    }
}

#[test]
fn wrap_checks_then_wraps_what_the_core_unwraps() {
    let (private, b64) = key(WrappingKeySpec::Rsa2048);
    let material = vec![0x5au8; 32];
    let answer = parse(wrap(
        &b64,
        "aws",
        "RSAES_OAEP_SHA_256",
        "SYMMETRIC_DEFAULT",
        material.clone(),
        "key.bin",
    ));
    assert_eq!(answer["wrapping_key_spec"], "RSA_2048");
    assert_eq!(answer["note"], Value::Null);
    let encrypted = decode_base64(
        answer["encrypted_key_material"]
            .as_str()
            .unwrap()
            .as_bytes(),
    )
    .expect("base64");
    let plain = private
        .unwrap_key_material(
            WrappingScheme::RsaesOaepSha256,
            encrypted.as_bytes(),
            &mut UnwrapErr(SysRng),
        )
        .unwrap();
    assert!(plain.ct_eq(&material));

    // The CLI's refusals, in the CLI's order and words.
    let refused = |algorithm: &str, key_spec: &str, material: &[u8], name: &str| {
        error(wrap(
            &b64,
            "aws",
            algorithm,
            key_spec,
            material.to_vec(),
            name,
        ))
    };
    let why = refused("RSAES_PKCS1_V1_5", "SYMMETRIC_DEFAULT", &material, "k");
    assert!(why.contains("deprecated since 2023-10-10"), "{why}");
    let why = refused("SM2PKE", "SYMMETRIC_DEFAULT", &material, "k");
    assert!(
        why.starts_with("SM2PKE cannot be used with an RSA_2048 wrapping key"),
        "{why}"
    );
    let why = refused("RSA_AES_KEY_WRAP_SHA_256", "HMAC_256", &material, "k");
    assert!(
        why.starts_with("RSA_AES_KEY_WRAP_SHA_256 cannot wrap HMAC_256 key material"),
        "{why}"
    );
    let why = refused("RSAES_OAEP_SHA_256", "HMAC_384", &material, "k");
    assert!(why.contains("exactly 48 bytes"), "{why}");
    let text = encode_base64(&material);
    let why = refused(
        "RSAES_OAEP_SHA_256",
        "SYMMETRIC_DEFAULT",
        text.as_bytes(),
        "k.b64",
    );
    assert!(why.contains("looks like base64 text of 32 bytes"), "{why}");
    let pkcs1 = b"-----BEGIN RSA PRIVATE KEY-----\nMAMCAQU=\n-----END RSA PRIVATE KEY-----\n";
    let why = refused("RSA_AES_KEY_WRAP_SHA_256", "RSA_2048", pkcs1, "my key.pem");
    assert!(
        why.starts_with("the key material my key.pem: this is a PKCS#1 RSAPrivateKey")
            && why.contains(
                "`openssl pkcs8 -topk8 -nocrypt -in 'my key.pem' -outform DER -out 'my key.pkcs8.der'`"
            ),
        "{why}"
    );
    let why = refused("RSAES_OAEP_SHA_256", "SYMMETRIC_DEFAULT", &[], "empty.bin");
    assert_eq!(why, "the key material empty.bin is empty");
    let why = refused(
        "RSAES_OAEP_SHA_256",
        "SYMMETRIC_DEFAULT",
        &vec![0u8; (1 << 20) + 1],
        "disk.img",
    );
    assert_eq!(
        why,
        "the key material disk.img is larger than 1048576 bytes"
    );
    let why = refused("RSAES_OAEP_SHA_256", "KEY_SPEC_X", &material, "k");
    assert!(why.contains("SYMMETRIC_DEFAULT"), "the valid names: {why}");
}
