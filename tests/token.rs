//! The sealed import token: sizes, binding, tampering, truncation, replay, expiry, sealing keys.

use kms_import::{
    ALLOWED_CLOCK_SKEW_SECS, GetParametersForImportRequest, GetParametersForImportResponse,
    ImportService, KeyId, KeyMaterialIdKey, KeyMetadata, KeySpec, KmsError, OpenedToken,
    PARAMETERS_VALIDITY_SECS, Partition, SealingKeyId, SealingKeys, TokenSealingKey, UnixTime,
    WrappingAlgorithm, WrappingKeySpec, WrappingPublicKey, WrappingScheme,
    limits::MAX_IMPORT_TOKEN_LEN,
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

/// A service whose only sealing key is `sealing_key(id, byte)`.
fn service(id: u32, byte: u8) -> ImportService {
    with_keys(SealingKeys::new(sealing_key(id, byte)))
}

fn with_keys(keys: SealingKeys) -> ImportService {
    ImportService::new(keys, KeyMaterialIdKey::derive(&[0x77; 32]))
}

fn key_id(s: &str) -> KeyId {
    s.parse().unwrap()
}

/// The partition, algorithm and key spec the tests use with `wks`.
fn typical(wks: WrappingKeySpec) -> (Partition, WrappingAlgorithm, KeySpec) {
    match wks {
        WrappingKeySpec::Sm2 => (Partition::AwsCn, WrappingAlgorithm::Sm2Pke, KeySpec::Sm2),
        _ => (
            Partition::Aws,
            WrappingAlgorithm::RsaAesKeyWrapSha256,
            KeySpec::Rsa4096,
        ),
    }
}

/// The KMS's record of the key `key` (a key ID; the KMS knows no ARN, as before API v2).
fn metadata(key: &str, partition: Partition, key_spec: KeySpec) -> KeyMetadata {
    KeyMetadata::with_key_id(
        key_id(key),
        partition,
        key_spec,
        key_spec.rule().key_usages[0],
    )
}

/// One `GetParametersForImport` call with typical parameters for `wks`.
fn issue(
    wks: WrappingKeySpec,
    key_id: &str,
    service: &ImportService,
    now: u64,
    seed: u64,
) -> GetParametersForImportResponse {
    let (partition, algorithm, key_spec) = typical(wks);
    let request = GetParametersForImportRequest {
        key_id,
        wrapping_algorithm: algorithm,
        wrapping_key_spec: wks,
    };
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    service
        .get_parameters_for_import(
            &request,
            &metadata(KEY_UUID, partition, key_spec),
            at(now),
            &mut rng,
        )
        .unwrap()
}

/// Opens `token` for the key `key` (a key ID) of the typical key spec for `wks`.
fn open(
    service: &ImportService,
    token: &[u8],
    key: &str,
    wks: WrappingKeySpec,
    now: u64,
) -> Result<OpenedToken, KmsError> {
    let (partition, _, key_spec) = typical(wks);
    service.open_import_token(token, key, &metadata(key, partition, key_spec), at(now))
}

fn assert_invalid(result: Result<impl core::fmt::Debug, KmsError>, context: &str) {
    match result {
        Err(KmsError::InvalidImportTokenException(msg)) => assert!(!msg.is_empty(), "{context}"),
        other => panic!("{context}: expected InvalidImportTokenException, got {other:?}"),
    }
}

#[test]
fn token_size_per_wrapping_key_spec_fits_the_kms_limit() {
    let service = service(1, 7);
    // The longest key identifier a token can bind: a GovCloud ARN of a multi-Region key.
    let longest =
        "arn:aws-us-gov:kms:us-gov-west-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab";
    for (wks, seed) in [
        (WrappingKeySpec::Rsa2048, 1),
        (WrappingKeySpec::Rsa3072, 2),
        (WrappingKeySpec::Rsa4096, 3),
        (WrappingKeySpec::Sm2, 4),
    ] {
        let short = issue(wks, KEY_UUID, &service, NOW, seed).import_token.len();
        let mrk = "mrk-1234abcd12ab34cd56ef1234567890ab";
        let (partition, key) = if wks == WrappingKeySpec::Sm2 {
            (
                Partition::AwsCn,
                "arn:aws-cn:kms:cn-northwest-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab",
            )
        } else {
            (Partition::AwsUsGov, longest)
        };
        let (_, algorithm, key_spec) = typical(wks);
        let request = GetParametersForImportRequest {
            key_id: key,
            wrapping_algorithm: algorithm,
            wrapping_key_spec: wks,
        };
        let meta = metadata(mrk, partition, key_spec);
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let long = service
            .get_parameters_for_import(&request, &meta, at(NOW), &mut rng)
            .unwrap()
            .import_token
            .len();
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
    assert_eq!(format!("{sealing:?}"), "TokenSealingKey(9, [REDACTED])");
    let service = with_keys(SealingKeys::new(sealing));
    let arn = format!(
        "arn:aws:kms:eu-west-1:111122223333:key/{}",
        KEY_UUID.to_uppercase()
    );
    let params = issue(WrappingKeySpec::Rsa2048, &arn, &service, NOW, 10);
    assert_eq!(params.key_id.to_string(), arn.to_lowercase());
    assert_eq!(
        params.parameters_valid_to,
        at(NOW + PARAMETERS_VALIDITY_SECS)
    );
    // The bare key ID, any case, names the same key.
    let opened = open(
        &service,
        &params.import_token,
        &KEY_UUID.to_uppercase(),
        WrappingKeySpec::Rsa2048,
        NOW,
    )
    .unwrap();
    assert_eq!(opened.key_id().to_string(), arn.to_lowercase());
    assert_eq!(opened.key_spec(), KeySpec::Rsa4096);
    assert_eq!(opened.partition(), Partition::Aws);
    assert_eq!(
        opened.wrapping_algorithm(),
        WrappingScheme::RsaAesKeyWrapSha256
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
}

#[test]
fn two_tokens_for_the_same_request_differ() {
    let service = service(1, 1);
    let request = GetParametersForImportRequest {
        key_id: KEY_UUID,
        wrapping_algorithm: WrappingAlgorithm::Sm2Pke,
        wrapping_key_spec: WrappingKeySpec::Sm2,
    };
    let meta = metadata(KEY_UUID, Partition::AwsCn, KeySpec::Sm2);
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let a = service
        .get_parameters_for_import(&request, &meta, at(NOW), &mut rng)
        .unwrap();
    let b = service
        .get_parameters_for_import(&request, &meta, at(NOW), &mut rng)
        .unwrap();
    assert_ne!(a.import_token, b.import_token);
    assert_ne!(a.public_key, b.public_key);
    // Header: magic, version, sealing key id in clear; salt and nonce random. Token format
    // version 2 (AES-256-GCM-SIV) since API v2; the layout is unchanged.
    assert_eq!(
        &a.import_token[..9],
        &[b'K', b'M', b'I', b'T', 2, 0, 0, 0, 1]
    );
    assert_ne!(&a.import_token[9..37], &b.import_token[9..37]);
}

fn flip_every_bit(wks: WrappingKeySpec, seed: u64) {
    let service = service(3, 3);
    let params = issue(wks, KEY_UUID, &service, NOW, seed);
    open(&service, &params.import_token, KEY_UUID, wks, NOW).unwrap();
    let mut token = params.import_token.clone();
    for i in 0..token.len() {
        for bit in 0..8 {
            token[i] ^= 1 << bit;
            assert_invalid(
                open(&service, &token, KEY_UUID, wks, NOW),
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
    let service = service(3, 3);
    for (wks, seed) in [
        (WrappingKeySpec::Rsa3072, 22),
        (WrappingKeySpec::Rsa4096, 23),
    ] {
        let mut token = issue(wks, KEY_UUID, &service, NOW, seed).import_token;
        for i in 0..token.len() {
            token[i] ^= 0xff;
            assert_invalid(
                open(&service, &token, KEY_UUID, wks, NOW),
                &format!("{wks} byte {i}"),
            );
            token[i] ^= 0xff;
        }
        open(&service, &token, KEY_UUID, wks, NOW).unwrap();
    }
}

#[test]
fn truncation_at_every_length_and_extension_are_invalid() {
    let service = service(3, 3);
    for (wks, seed) in [(WrappingKeySpec::Rsa2048, 30), (WrappingKeySpec::Sm2, 31)] {
        let token = issue(wks, KEY_UUID, &service, NOW, seed).import_token;
        for len in 0..token.len() {
            assert_invalid(
                open(&service, &token[..len], KEY_UUID, wks, NOW),
                &format!("{wks} len {len}"),
            );
        }
        let mut longer = token.clone();
        longer.push(0);
        assert_invalid(
            open(&service, &longer, KEY_UUID, wks, NOW),
            "one byte appended",
        );
        assert_invalid(
            open(
                &service,
                &vec![0; MAX_IMPORT_TOKEN_LEN + 1],
                KEY_UUID,
                wks,
                NOW,
            ),
            "too long",
        );
    }
}

#[test]
fn a_token_replayed_on_another_key_is_invalid() {
    let service = service(3, 3);
    let wks = WrappingKeySpec::Rsa2048;
    let token = issue(wks, KEY_UUID, &service, NOW, 40).import_token;
    let err = open(&service, &token, OTHER_UUID, wks, NOW).unwrap_err();
    assert_eq!(err.name(), "InvalidImportTokenException");
    // API v2 (hardening): the message says the token is another key's without quoting what the
    // token sealed (it used to name the sealed key ID).
    assert!(
        err.to_string()
            .contains("belongs to another KMS key, not to 1234abcd-12ab-34cd-56ef-1234567890ac"),
        "{err}"
    );
    assert!(!err.to_string().contains(KEY_UUID), "{err}");
    // A multi-Region key ID with the same 128 bits is another key.
    assert_invalid(
        open(
            &service,
            &token,
            "mrk-1234abcd12ab34cd56ef1234567890ab",
            wks,
            NOW,
        ),
        "mrk with the same bits",
    );
}

#[test]
fn expiry_exactly_at_valid_to_and_one_second_after() {
    let service = service(3, 3);
    let wks = WrappingKeySpec::Sm2;
    let params = issue(wks, KEY_UUID, &service, NOW, 50);
    let valid_to = params.parameters_valid_to.as_secs();
    assert_eq!(valid_to, NOW + 86_400);
    // Valid through valid_to itself ("After this time, you cannot use them").
    open(&service, &params.import_token, KEY_UUID, wks, valid_to).unwrap();
    let err = open(&service, &params.import_token, KEY_UUID, wks, valid_to + 1).unwrap_err();
    assert!(
        matches!(err, KmsError::ExpiredImportTokenException(_)),
        "{err:?}"
    );
    assert!(err.to_string().starts_with("ExpiredImportTokenException: the import token and public key expired at 2023-11-15T22:13:20Z"), "{err}");
    let err = open(
        &service,
        &params.import_token,
        KEY_UUID,
        wks,
        valid_to + 10_000_000,
    )
    .unwrap_err();
    assert_eq!(err.name(), "ExpiredImportTokenException");
}

#[test]
fn a_token_issued_in_the_future_beyond_the_skew_is_invalid() {
    let service = service(3, 3);
    let wks = WrappingKeySpec::Sm2;
    let token = issue(wks, KEY_UUID, &service, NOW, 60).import_token;
    open(
        &service,
        &token,
        KEY_UUID,
        wks,
        NOW - ALLOWED_CLOCK_SKEW_SECS,
    )
    .unwrap();
    let err = open(
        &service,
        &token,
        KEY_UUID,
        wks,
        NOW - ALLOWED_CLOCK_SKEW_SECS - 1,
    )
    .unwrap_err();
    assert_eq!(err.name(), "InvalidImportTokenException");
    assert!(err.to_string().contains("check the clocks"), "{err}");
}

#[test]
fn wrong_sealing_key_unknown_id_and_rotation() {
    let wks = WrappingKeySpec::Sm2;
    let old = service(1, 0x11);
    let new = service(2, 0x22);
    let old_token = issue(wks, KEY_UUID, &old, NOW, 70).import_token;
    let new_token = issue(wks, KEY_UUID, &new, NOW, 71).import_token;
    // Same id, other secret: authentication fails.
    let impostor = service(1, 0x12);
    let err = open(&impostor, &old_token, KEY_UUID, wks, NOW).unwrap_err();
    assert_eq!(err.name(), "InvalidImportTokenException");
    assert!(err.to_string().contains("failed authentication"), "{err}");
    // A key ring without the token's key: unknown id.
    let err = open(&new, &old_token, KEY_UUID, wks, NOW).unwrap_err();
    assert!(
        err.to_string()
            .contains("sealing key 1, which this service does not have"),
        "{err}"
    );
    // During a rotation both keys are accepted.
    let ring = with_keys(
        SealingKeys::with_retired(sealing_key(2, 0x22), vec![sealing_key(1, 0x11)]).unwrap(),
    );
    open(&ring, &old_token, KEY_UUID, wks, NOW).unwrap();
    open(&ring, &new_token, KEY_UUID, wks, NOW).unwrap();
    // The new key seals: the rotated service's tokens open where only the new key is left.
    let ring_token = issue(wks, KEY_UUID, &ring, NOW, 72).import_token;
    let ring = with_keys(SealingKeys::with_retired(sealing_key(2, 0x22), vec![]).unwrap());
    assert_invalid(open(&ring, &old_token, KEY_UUID, wks, NOW), "retired key");
    open(&ring, &new_token, KEY_UUID, wks, NOW).unwrap();
    open(&ring, &ring_token, KEY_UUID, wks, NOW).unwrap();
    // A sealing key must be exactly 32 bytes.
    assert!(TokenSealingKey::from_slice(SealingKeyId(1), &[0; 31]).is_err());
    assert!(TokenSealingKey::from_slice(SealingKeyId(1), &[0; 33]).is_err());
    assert!(TokenSealingKey::from_slice(SealingKeyId(1), &[0; 32]).is_ok());
}
