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
    let opened = kms_import::fuzz_targets::open_sealed_body(
        &s.sealing_key,
        &s.key_id,
        fuzz_support::now(),
        body,
    );
    match opened {
        Err(KmsError::InvalidImportTokenException(m)) => assert!(m.contains("malformed"), "{m}"),
        other => panic!("expected a malformed-token refusal, got {other:?}"),
    }
    // The canonical spelling of the same body opens (so the refusal is about the spelling).
    let mut canonical = body.to_vec();
    let at = canonical
        .windows(4)
        .position(|w| w == b"A6ef")
        .expect("found above");
    canonical[at] = b'a';
    let opened = kms_import::fuzz_targets::open_sealed_body(
        &s.sealing_key,
        &s.key_id,
        fuzz_support::now(),
        body,
    );
    match opened {
        Err(KmsError::InvalidImportTokenException(m)) => assert!(m.contains("malformed"), "{m}"),
        other => panic!("expected a malformed-token refusal, got {other:?}"),
    }
    // The canonical spelling of the same body opens (so the refusal is about the spelling).
    let canonical: Vec<u8> = String::from_utf8_lossy(body)
        .is_char_boundary(0)
        .then(|| {
            let mut b = body.to_vec();
            let at = b
                .windows(4)
                .position(|w| w == b"A6ef")
                .expect("found above");
            b[at] = b'a';
            b
        })
        .expect("copy");
    let opened = kms_import::fuzz_targets::open_sealed_body(
        &s.sealing_key,
        &s.key_id,
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
