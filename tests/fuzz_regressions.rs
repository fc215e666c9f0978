//! One named test per bug the fuzzers found. Each replays its crash file from
//! `fuzz/regressions/<target>/` through the target and states the expected behaviour directly.
//! (`tests/fuzz_replay.rs` replays every regression file as well; these say what each one was.)

#[path = "../fuzz/src/lib.rs"]
#[allow(dead_code, unused_imports)]
mod fuzz_support;

use kms_import::KmsError;

fn regression(target: &str, name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/regressions")
        .join(target)
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// import_token_open, 2026-11-23: a sealed token body whose key ID was spelled with an uppercase
/// hex digit ("…-A6ef-…") was accepted and bound to the lowercase key: the body decoding was not
/// canonical (two encodings of one token). Fixed in `token_format::Body::decode`.
#[test]
fn token_body_with_uppercase_key_id_is_refused() {
    let data = regression("import_token_open", "token_body_key_id_uppercase_hex");
    fuzz_support::import_token_open(&data);
    let body = &data[1..]; // mode byte 1: the rest is a body, sealed by the target
    assert!(
        body.windows(4).any(|w| w == b"A6ef"),
        "the uppercase key ID"
    );
    let s = fuzz_support::service();
    // The key the target opens tokens for.
    let key = fuzz_support::key_metadata(
        kms_import::Partition::Aws,
        kms_import::KeySpec::SymmetricDefault,
    );
    let opened = kms_import::fuzz_targets::open_sealed_body(
        &s.service,
        &s.sealing_key,
        &key,
        fuzz_support::now(),
        body,
    );
    match opened {
        Err(KmsError::InvalidImportTokenException(m)) => assert!(m.contains("malformed"), "{m}"),
        other => panic!("expected a malformed-token refusal, got {other:?}"),
    }
    // The canonical spelling of the same body is not refused as malformed (so the refusal above
    // is about the spelling).
    let mut canonical = body.to_vec();
    let at = canonical
        .windows(4)
        .position(|w| w == b"A6ef")
        .expect("found above");
    canonical[at] = b'a';
    let opened = kms_import::fuzz_targets::open_sealed_body(
        &s.service,
        &s.sealing_key,
        &key,
        fuzz_support::now(),
        &canonical,
    );
    assert!(
        !matches!(&opened, Err(KmsError::InvalidImportTokenException(m)) if m.contains("contents are malformed")),
        "{opened:?}"
    );
}

/// import_key_material, 2026-11-23: a bug of the harness, not of the crate — a token age of
/// `i32::MIN` overflowed when negated in `fuzz/src/service.rs`. The input must now run through
/// the whole call.
#[test]
fn import_input_with_token_age_i32_min_runs() {
    let data = regression("import_key_material", "harness_token_age_i32_min_negation");
    let input = fuzz_support::ImportInput::decode(&data).expect("decodes");
    assert_eq!(input.token_age, i32::MIN);
    fuzz_support::import_key_material(&data);
}

/// kwp_unwrap, 2026-11-23 (found by the CI smoke): a bug of the harness, not of the crate. The
/// 8-byte ciphertext `A65959A6 00000000` (Wycheproof aes_kwp tcId 253) is refused by our unwrap,
/// as RFC 5649 §4.2 requires, but `aes-kw` 0.3.1, the harness's second opinion, unwraps it to
/// nothing, and the harness called the disagreement a crash. The harness now holds ciphertexts
/// under two semiblocks to the RFC alone; `tests/kat_kwp.rs` pins aes-kw's defect.
#[test]
fn kwp_input_of_one_semiblock_is_refused_and_not_compared_with_aes_kw() {
    let data = regression("kwp_unwrap", "harness_trusted_aes_kw_on_8_byte_ciphertext");
    assert_eq!(data, [0x00, 0xA6, 0x59, 0x59, 0xA6, 0, 0, 0, 0]); // flags 0: a raw ciphertext
    fuzz_support::kwp_unwrap(&data);
    let kek = [0x5A; 32];
    let refused = kms_import::hazmat::aes256_kwp_unwrap(&kek, &data[1..]);
    assert_eq!(refused.err(), Some(kms_import::Error::InvalidCiphertext));
}
