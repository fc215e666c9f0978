//! Fuzz bodies of the service side: opening import tokens and the whole `ImportKeyMaterial` call.

use alloc::vec::Vec;

use aes_gcm::aead::AeadInOut;
use rand_core::CryptoRng;

use crate::limits::{MAX_ENCRYPTED_KEY_MATERIAL_LEN, MAX_IMPORT_TOKEN_LEN};
use crate::service::fingerprint::MaterialFingerprint;
use crate::service::import_material::{
    ImportKeyMaterialRequest, ImportSecrets, import_key_material,
};
use crate::service::key_id::KeyId;
use crate::service::key_metadata::{KeyMetadata, KeyState};
use crate::service::kms_error::KmsError;
use crate::service::token::{
    ALLOWED_CLOCK_SKEW_SECS, OpenedToken, PARAMETERS_VALIDITY_SECS, SealingKeyLookup,
    TokenSealingKey, open_import_token,
};
use crate::service::token_format::{Body, HEADER_LEN, Header, NONCE_LEN, SALT_LEN};
use crate::service::unix_time::UnixTime;

/// `import_token_open`. The first byte chooses what the rest is:
/// - even: a whole token, as a client sends it (random, mutated, or a valid one with flips);
/// - odd: the *plaintext body* of a token, which is sealed here under `sealing_key` before being
///   opened, so that the fuzzer gets past AES-GCM and reaches the body parser and every check
///   after it (key binding, validity period, clock skew, the wrapping key).
///
/// Invariants: only `InvalidImportTokenException` / `ExpiredImportTokenException` come out; a
/// token over 6144 bytes never opens; an opened token is bound to `expected_key`, valid at `now`,
/// and holds a wrapping key of its stated spec; a body that decodes re-encodes to the same bytes.
pub fn import_token_open(
    sealing_key: &TokenSealingKey,
    expected_key: &KeyId,
    now: UnixTime,
    data: &[u8],
) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let sealed;
    let token = if mode & 1 == 0 {
        rest
    } else {
        if let Some(body) = Body::decode(rest) {
            let encoded = body.encode().expect("a decoded body encodes");
            assert_eq!(
                encoded.as_slice(),
                rest,
                "the body decoding is not canonical"
            );
        }
        sealed = seal_raw_body(sealing_key, rest);
        &sealed
    };
    let opened = open_import_token(token, sealing_key, expected_key, now);
    check_opened(&opened, token.len(), expected_key, now);
}

/// Seals `body` as the fuzz target does and opens it: for regression tests of the body parser.
pub fn open_sealed_body(
    sealing_key: &TokenSealingKey,
    expected_key: &KeyId,
    now: UnixTime,
    body: &[u8],
) -> Result<OpenedToken, KmsError> {
    open_import_token(
        &seal_raw_body(sealing_key, body),
        sealing_key,
        expected_key,
        now,
    )
}

/// Seals arbitrary plaintext as a token body under `sealing_key`, with a fixed salt and nonce.
fn seal_raw_body(sealing_key: &TokenSealingKey, body: &[u8]) -> Vec<u8> {
    let header = Header {
        sealing_key_id: sealing_key.id().0,
        salt: [0x5a; SALT_LEN],
        nonce: [0xa5; NONCE_LEN],
    }
    .encode();
    let mut buffer = body.to_vec();
    let tag = sealing_key
        .cipher(&header)
        .encrypt_inout_detached(
            (&[0xa5; NONCE_LEN]).into(),
            &header,
            buffer.as_mut_slice().into(),
        )
        .expect("AES-GCM seals any body under 2^36 bytes");
    let mut token = Vec::with_capacity(HEADER_LEN + buffer.len() + tag.len());
    token.extend_from_slice(&header);
    token.extend_from_slice(&buffer);
    token.extend_from_slice(&tag);
    token
}

fn check_opened(
    opened: &Result<OpenedToken, KmsError>,
    token_len: usize,
    expected_key: &KeyId,
    now: UnixTime,
) {
    match opened {
        Ok(token) => {
            assert!(
                token_len <= MAX_IMPORT_TOKEN_LEN,
                "an oversized token opened"
            );
            assert!(
                token.key_id().key_id() == *expected_key,
                "bound to another key"
            );
            assert_eq!(token.wrapping_key().spec(), token.wrapping_key_spec());
            assert_eq!(
                token.issued_at().checked_add_secs(PARAMETERS_VALIDITY_SECS),
                Some(token.valid_to())
            );
            assert!(now <= token.valid_to(), "an expired token opened");
            assert!(
                token.issued_at().as_secs()
                    <= now.as_secs().saturating_add(ALLOWED_CLOCK_SKEW_SECS),
                "a token from the future opened"
            );
        }
        Err(
            KmsError::InvalidImportTokenException(m) | KmsError::ExpiredImportTokenException(m),
        ) => {
            assert!(!m.is_empty());
        }
        Err(other) => panic!("opening a token failed with {other:?}"),
    }
}

/// `import_key_material`: the whole pure `ImportKeyMaterial` call.
///
/// Invariants: never `KMSInternalException` except for the one caller mistake it documents (an
/// `Enabled`/`Disabled` key without the previous fingerprint); oversized inputs never import;
/// `InvalidCiphertextException` carries nothing; imported material passes the material check for
/// the key, and its fingerprint is the one recorded (or the previous one, on a reimport).
pub fn import_key_material_call<R: CryptoRng + ?Sized, K: SealingKeyLookup + ?Sized>(
    request: &ImportKeyMaterialRequest<'_>,
    key: &KeyMetadata,
    previous_fingerprint: Option<&MaterialFingerprint>,
    secrets: &ImportSecrets<'_, K>,
    now: UnixTime,
    rng: &mut R,
) {
    let result = import_key_material(request, key, previous_fingerprint, secrets, now, rng);
    let oversized = request.import_token.len() > MAX_IMPORT_TOKEN_LEN
        || request.encrypted_key_material.len() > MAX_ENCRYPTED_KEY_MATERIAL_LEN;
    match result {
        Ok(imported) => {
            assert!(!oversized, "an oversized request imported");
            let material = imported.material.as_bytes();
            crate::policy::material::check(key.key_spec, key.partition, material)
                .unwrap_or_else(|e| panic!("imported material fails its own check: {e}"));
            let id = imported.key_id.key_id();
            let fingerprint = secrets.fingerprint_key.fingerprint(&id, material);
            assert!(fingerprint.ct_eq(&imported.fingerprint));
            if let Some(previous) = previous_fingerprint {
                assert!(
                    previous.ct_eq(&imported.fingerprint),
                    "other material reimported"
                );
            }
        }
        Err(KmsError::KmsInternalException(m)) => assert!(
            matches!(key.key_state, KeyState::Enabled | KeyState::Disabled)
                && previous_fingerprint.is_none(),
            "KMSInternalException: {m}"
        ),
        Err(e) => {
            let text = alloc::format!("{e}");
            assert!(text.starts_with(e.name()), "{text}");
            if e == KmsError::InvalidCiphertextException {
                assert_eq!(
                    e.message(),
                    crate::service::kms_error::INVALID_CIPHERTEXT_MESSAGE
                );
            }
        }
    }
}
