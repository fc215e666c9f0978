//! The sealed import token: sizes, binding, tampering, truncation, replay, expiry, sealing keys.

use kms_import::{
    ALLOWED_CLOCK_SKEW_SECS, GetParametersForImportRequest, KeyId, KeyMetadata, KeySpec, KmsError,
    PARAMETERS_VALIDITY_SECS, ParametersForImport, Partition, SealingKeyId, TokenSealingKey,
    UnixTime, WrappingAlgorithm, WrappingKeySpec, WrappingPublicKey, get_parameters_for_import,
    limits::MAX_IMPORT_TOKEN_LEN, open_import_token,
};
use rand::{SeedableRng, rngs::ChaCha20Rng};

const KEY_UUID: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";
const OTHER_UUID: &str = "1234abcd-12ab-34cd-56ef-1234567890ac";
const NOW: u64 = 1_700_000_000; // 2023-11-14T22:13:20Z

fn at(secs: u64) -> UnixTime {
    UnixTime::from_secs(secs).unwrap()
}

fn sealing_key(id: u32, byte: u8) -> TokenSealingKey {
    TokenSealingKey::new(SealingKeyId(id), &[byte; 32])
}

fn key_id(s: &str) -> KeyId {
    s.parse().unwrap()
}

/// One `GetParametersForImport` call with typical parameters for `wks`.
fn issue(
    wks: WrappingKeySpec,
    key_id: &str,
    sealing: &TokenSealingKey,
    now: u64,
    seed: u64,
) -> ParametersForImport {
    let (partition, algorithm, key_spec) = match wks {
        WrappingKeySpec::Sm2 => (Partition::AwsCn, WrappingAlgorithm::Sm2Pke, KeySpec::Sm2),
        _ => (
            Partition::Aws,
            WrappingAlgorithm::RsaAesKeyWrapSha256,
            KeySpec::Rsa4096,
        ),
    };
    let request = GetParametersForImportRequest {
        key_id,
        wrapping_algorithm: algorithm,
        wrapping_key_spec: wks,
    };
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    get_parameters_for_import(
        &request,
        &KeyMetadata::new(key_spec, partition),
        sealing,
        at(now),
        &mut rng,
    )
    .unwrap()
}

fn assert_invalid(result: Result<impl core::fmt::Debug, KmsError>, context: &str) {
    match result {
        Err(KmsError::InvalidImportTokenException(msg)) => assert!(!msg.is_empty(), "{context}"),
        other => panic!("{context}: expected InvalidImportTokenException, got {other:?}"),
    }
}

#[test]
fn token_size_per_wrapping_key_spec_fits_the_kms_limit() {
    let sealing = sealing_key(1, 7);
    // The longest key identifier a token can bind: a GovCloud ARN of a multi-Region key.
    let longest =
        "arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab";
    for (wks, seed) in [
        (WrappingKeySpec::Rsa2048, 1),
        (WrappingKeySpec::Rsa3072, 2),
        (WrappingKeySpec::Rsa4096, 3),
        (WrappingKeySpec::Sm2, 4),
    ] {
        let short = issue(wks, KEY_UUID, &sealing, NOW, seed).import_token.len();
        let long = if wks == WrappingKeySpec::Sm2 {
            let cn = "arn:aws-cn:kms:cn-northwest-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab";
            issue(wks, cn, &sealing, NOW, seed).import_token.len()
        } else {
            let request = GetParametersForImportRequest {
                key_id: longest,
                wrapping_algorithm: WrappingAlgorithm::RsaAesKeyWrapSha256,
                wrapping_key_spec: wks,
            };
            let meta = KeyMetadata::new(KeySpec::Rsa4096, Partition::AwsUsGov);
            let mut rng = ChaCha20Rng::seed_from_u64(seed);
            get_parameters_for_import(&request, &meta, &sealing, at(NOW), &mut rng)
                .unwrap()
                .import_token
                .len()
        };
        println!(
            "ImportToken size for {wks}: {short} bytes with a key ID, {long} bytes with the longest ARN"
        );
        assert!(
            short <= long && long <= MAX_IMPORT_TOKEN_LEN,
            "{wks}: {long} > {MAX_IMPORT_TOKEN_LEN}"
        );
    }
}

#[test]
fn a_token_opens_for_its_key_and_binds_every_parameter() {
    let sealing = sealing_key(9, 1);
    let arn = format!(
        "arn:aws:kms:eu-west-1:111122223333:key/{}",
        KEY_UUID.to_uppercase()
    );
    let params = issue(WrappingKeySpec::Rsa2048, &arn, &sealing, NOW, 10);
    assert_eq!(params.key_id.to_string(), arn.to_lowercase());
    assert_eq!(
        params.parameters_valid_to,
        at(NOW + PARAMETERS_VALIDITY_SECS)
    );
    // The bare key ID, any case, names the same key.
    let opened = open_import_token(
        &params.import_token,
        &sealing,
        &key_id(&KEY_UUID.to_uppercase()),
        at(NOW),
    )
    .unwrap();
    assert_eq!(opened.key_id().to_string(), arn.to_lowercase());
    assert_eq!(opened.key_spec(), KeySpec::Rsa4096);
    assert_eq!(opened.partition(), Partition::Aws);
    assert_eq!(
        opened.wrapping_algorithm(),
        WrappingAlgorithm::RsaAesKeyWrapSha256
    );
    assert_eq!(opened.wrapping_key_spec(), WrappingKeySpec::Rsa2048);
    assert_eq!(opened.issued_at(), at(NOW));
    assert_eq!(opened.valid_to(), params.parameters_valid_to);
    // The sealed private key is the one whose public half was handed out.
    assert_eq!(
        opened.wrapping_key().public_key().to_der(),
        params.public_key
    );
    assert_eq!(
        WrappingPublicKey::from_der(&params.public_key)
            .unwrap()
            .spec(),
        WrappingKeySpec::Rsa2048
    );
    // The private key is encrypted: its PKCS#8 does not appear in the token.
    let pkcs8 = opened.wrapping_key().to_pkcs8_der().unwrap();
    for start in [40, 200, 600] {
        let piece = &pkcs8[start..start + 32];
        assert!(!params.import_token.windows(32).any(|w| w == piece));
    }
    assert_eq!(format!("{sealing:?}"), "TokenSealingKey(9, [REDACTED])");
}

#[test]
fn two_tokens_for_the_same_request_differ() {
    let sealing = sealing_key(1, 1);
    let request = GetParametersForImportRequest {
        key_id: KEY_UUID,
        wrapping_algorithm: WrappingAlgorithm::Sm2Pke,
        wrapping_key_spec: WrappingKeySpec::Sm2,
    };
    let meta = KeyMetadata::new(KeySpec::Sm2, Partition::AwsCn);
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let a = get_parameters_for_import(&request, &meta, &sealing, at(NOW), &mut rng).unwrap();
    let b = get_parameters_for_import(&request, &meta, &sealing, at(NOW), &mut rng).unwrap();
    assert_ne!(a.import_token, b.import_token);
    assert_ne!(a.public_key, b.public_key);
    // Header: magic, version, sealing key id in clear; salt and nonce random.
    assert_eq!(
        &a.import_token[..9],
        &[b'K', b'M', b'I', b'T', 1, 0, 0, 0, 1]
    );
    assert_ne!(&a.import_token[9..37], &b.import_token[9..37]);
}

fn flip_every_bit(wks: WrappingKeySpec, seed: u64) {
    let sealing = sealing_key(3, 3);
    let params = issue(wks, KEY_UUID, &sealing, NOW, seed);
    let id = key_id(KEY_UUID);
    open_import_token(&params.import_token, &sealing, &id, at(NOW)).unwrap();
    let mut token = params.import_token.clone();
    for i in 0..token.len() {
        for bit in 0..8 {
            token[i] ^= 1 << bit;
            assert_invalid(
                open_import_token(&token, &sealing, &id, at(NOW)),
                &format!("{wks} byte {i} bit {bit}"),
            );
            token[i] ^= 1 << bit;
        }
    }
    assert_eq!(token, params.import_token);
}

#[test]
fn every_bit_flipped_rsa_2048() {
    flip_every_bit(WrappingKeySpec::Rsa2048, 20);
}

#[test]
fn every_bit_flipped_sm2() {
    flip_every_bit(WrappingKeySpec::Sm2, 21);
}

#[test]
fn every_byte_flipped_rsa_3072_and_4096() {
    let sealing = sealing_key(3, 3);
    let id = key_id(KEY_UUID);
    for (wks, seed) in [
        (WrappingKeySpec::Rsa3072, 22),
        (WrappingKeySpec::Rsa4096, 23),
    ] {
        let mut token = issue(wks, KEY_UUID, &sealing, NOW, seed).import_token;
        for i in 0..token.len() {
            token[i] ^= 0xff;
            assert_invalid(
                open_import_token(&token, &sealing, &id, at(NOW)),
                &format!("{wks} byte {i}"),
            );
            token[i] ^= 0xff;
        }
        open_import_token(&token, &sealing, &id, at(NOW)).unwrap();
    }
}

#[test]
fn truncation_at_every_length_and_extension_are_invalid() {
    let sealing = sealing_key(3, 3);
    let id = key_id(KEY_UUID);
    for (wks, seed) in [(WrappingKeySpec::Rsa2048, 30), (WrappingKeySpec::Sm2, 31)] {
        let token = issue(wks, KEY_UUID, &sealing, NOW, seed).import_token;
        for len in 0..token.len() {
            assert_invalid(
                open_import_token(&token[..len], &sealing, &id, at(NOW)),
                &format!("{wks} len {len}"),
            );
        }
        let mut longer = token.clone();
        longer.push(0);
        assert_invalid(
            open_import_token(&longer, &sealing, &id, at(NOW)),
            "one byte appended",
        );
        assert_invalid(
            open_import_token(&vec![0; MAX_IMPORT_TOKEN_LEN + 1], &sealing, &id, at(NOW)),
            "too long",
        );
    }
}

#[test]
fn a_token_replayed_on_another_key_is_invalid() {
    let sealing = sealing_key(3, 3);
    let token = issue(WrappingKeySpec::Rsa2048, KEY_UUID, &sealing, NOW, 40).import_token;
    let err = open_import_token(&token, &sealing, &key_id(OTHER_UUID), at(NOW)).unwrap_err();
    assert_eq!(err.name(), "InvalidImportTokenException");
    assert!(err.to_string().contains("issued for the KMS key 1234abcd-12ab-34cd-56ef-1234567890ab, not for 1234abcd-12ab-34cd-56ef-1234567890ac"), "{err}");
    // A multi-Region key ID with the same 128 bits is another key.
    let mrk = key_id("mrk-1234abcd12ab34cd56ef1234567890ab");
    assert_invalid(
        open_import_token(&token, &sealing, &mrk, at(NOW)),
        "mrk with the same bits",
    );
}

#[test]
fn expiry_exactly_at_valid_to_and_one_second_after() {
    let sealing = sealing_key(3, 3);
    let id = key_id(KEY_UUID);
    let params = issue(WrappingKeySpec::Sm2, KEY_UUID, &sealing, NOW, 50);
    let valid_to = params.parameters_valid_to.as_secs();
    assert_eq!(valid_to, NOW + 86_400);
    // Valid through valid_to itself ("After this time, you cannot use them").
    open_import_token(&params.import_token, &sealing, &id, at(valid_to)).unwrap();
    let err = open_import_token(&params.import_token, &sealing, &id, at(valid_to + 1)).unwrap_err();
    assert!(
        matches!(err, KmsError::ExpiredImportTokenException(_)),
        "{err:?}"
    );
    assert!(err.to_string().starts_with("ExpiredImportTokenException: the import token and public key expired at 2023-11-15T22:13:20Z"), "{err}");
    let err = open_import_token(
        &params.import_token,
        &sealing,
        &id,
        at(valid_to + 10_000_000),
    )
    .unwrap_err();
    assert_eq!(err.name(), "ExpiredImportTokenException");
}

#[test]
fn a_token_issued_in_the_future_beyond_the_skew_is_invalid() {
    let sealing = sealing_key(3, 3);
    let id = key_id(KEY_UUID);
    let token = issue(WrappingKeySpec::Sm2, KEY_UUID, &sealing, NOW, 60).import_token;
    open_import_token(&token, &sealing, &id, at(NOW - ALLOWED_CLOCK_SKEW_SECS)).unwrap();
    let err = open_import_token(&token, &sealing, &id, at(NOW - ALLOWED_CLOCK_SKEW_SECS - 1))
        .unwrap_err();
    assert_eq!(err.name(), "InvalidImportTokenException");
    assert!(err.to_string().contains("check the clocks"), "{err}");
}

#[test]
fn wrong_sealing_key_unknown_id_and_rotation() {
    let old = sealing_key(1, 0x11);
    let new = sealing_key(2, 0x22);
    let id = key_id(KEY_UUID);
    let old_token = issue(WrappingKeySpec::Sm2, KEY_UUID, &old, NOW, 70).import_token;
    let new_token = issue(WrappingKeySpec::Sm2, KEY_UUID, &new, NOW, 71).import_token;
    // Same id, other secret: authentication fails.
    let impostor = sealing_key(1, 0x12);
    let err = open_import_token(&old_token, &impostor, &id, at(NOW)).unwrap_err();
    assert_eq!(err.name(), "InvalidImportTokenException");
    assert!(err.to_string().contains("failed authentication"), "{err}");
    // A key ring without the token's key: unknown id.
    let err = open_import_token(&old_token, &new, &id, at(NOW)).unwrap_err();
    assert!(
        err.to_string()
            .contains("sealing key 1, which this service does not have"),
        "{err}"
    );
    // During a rotation both keys are accepted.
    let ring = [new, old];
    open_import_token(&old_token, &ring, &id, at(NOW)).unwrap();
    open_import_token(&new_token, &ring[..], &id, at(NOW)).unwrap();
    let ring = vec![sealing_key(2, 0x22)];
    assert_invalid(
        open_import_token(&old_token, &ring, &id, at(NOW)),
        "retired key",
    );
    open_import_token(&new_token, &ring, &id, at(NOW)).unwrap();
    // A sealing key must be exactly 32 bytes.
    assert!(TokenSealingKey::from_slice(SealingKeyId(1), &[0; 31]).is_err());
    assert!(TokenSealingKey::from_slice(SealingKeyId(1), &[0; 33]).is_err());
    assert!(TokenSealingKey::from_slice(SealingKeyId(1), &[0; 32]).is_ok());
}
