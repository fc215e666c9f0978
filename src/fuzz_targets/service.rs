//! Fuzz bodies of the service side: opening import tokens and the whole `ImportKeyMaterial` call.

use alloc::string::ToString;
use alloc::vec::Vec;

use aes_gcm_siv::aead::AeadInOut;
use rand_core::CryptoRng;

use crate::limits::{MAX_ENCRYPTED_KEY_MATERIAL_LEN, MAX_IMPORT_TOKEN_LEN};
use crate::service::import_material::ImportKeyMaterialRequest;
use crate::service::import_service::ImportService;
use crate::service::key_id::KeyId;
use crate::service::key_metadata::{
    AssociatedKeyMaterial, ImportState, ImportType, KeyMaterialState, KeyMetadata,
};
use crate::service::kms_error::KmsError;
use crate::service::sealing::TokenSealingKey;
use crate::service::token::{ALLOWED_CLOCK_SKEW_SECS, OpenedToken, PARAMETERS_VALIDITY_SECS};
use crate::service::token_format::{Body, HEADER_LEN, Header, NONCE_LEN, SALT_LEN};
use crate::service::unix_time::UnixTime;

/// `import_token_open`. The first byte chooses what the rest is:
/// - even: a whole token, as a client sends it (random, mutated, or a valid one with flips);
/// - odd: the *plaintext body* of a token, which is sealed here under `sealing_key` before being
///   opened, so that the fuzzer gets past AES-GCM and reaches the body parser and every check
///   after it (key binding, validity period, clock skew, the wrapping key).
///
/// Invariants: only `InvalidImportTokenException` / `ExpiredImportTokenException` come out; a
/// token over 6144 bytes never opens; an opened token is bound to `key`, valid at `now`, and
/// holds a wrapping key of its stated spec; a body that decodes re-encodes to the same bytes.
/// `sealing_key` is `service`'s sealing key.
pub fn import_token_open(
    service: &ImportService,
    sealing_key: &TokenSealingKey,
    key: &KeyMetadata,
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
    let key_id = key.key.key_id();
    let opened = service.open_import_token(token, &key_id.to_string(), key, now);
    check_opened(&opened, token.len(), &key_id, now);
}

/// Seals `body` as the fuzz target does and opens it: for regression tests of the body parser.
pub fn open_sealed_body(
    service: &ImportService,
    sealing_key: &TokenSealingKey,
    key: &KeyMetadata,
    now: UnixTime,
    body: &[u8],
) -> Result<OpenedToken, KmsError> {
    let key_id = key.key.key_id().to_string();
    service.open_import_token(&seal_raw_body(sealing_key, body), &key_id, key, now)
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
        .expect("AES-GCM-SIV seals any body under 2^36 bytes");
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
/// Invariants: never `KMSInternalException` (the metadata is consistent); oversized inputs never
/// import; `InvalidCiphertextException` carries nothing; imported material passes the material
/// check for the key; and importing it again as `EXISTING_KEY_MATERIAL` with the returned
/// `KeyMaterialId` succeeds with the same id (the same material into the same key always gives
/// the same id).
pub fn import_key_material_call<R: CryptoRng + ?Sized>(
    service: &ImportService,
    request: &ImportKeyMaterialRequest<'_>,
    key: &KeyMetadata,
    now: UnixTime,
    rng: &mut R,
) {
    let result = service.import_key_material(request, key, now, rng);
    let oversized = request.import_token.len() > MAX_IMPORT_TOKEN_LEN
        || request.encrypted_key_material.len() > MAX_ENCRYPTED_KEY_MATERIAL_LEN;
    match result {
        Ok(imported) => {
            assert!(!oversized, "an oversized request imported");
            let material = imported.material.as_bytes();
            crate::policy::material::validate(key.partition, key.key_spec, material, rng)
                .unwrap_or_else(|e| panic!("imported material fails its own check: {e}"));
            if imported.import_type == ImportType::ExistingKeyMaterial {
                assert!(
                    key.key_material(&imported.key_material_id).is_some(),
                    "other material re-imported"
                );
            }
            let id = imported.key_material_id.to_string();
            let mut again = key.clone();
            again.key_materials = alloc::vec![AssociatedKeyMaterial {
                key_material_id: imported.key_material_id,
                state: KeyMaterialState::Current,
                import_state: ImportState::PendingImport,
            }];
            let reimport = ImportKeyMaterialRequest {
                import_type: key
                    .supports_several_key_materials()
                    .then_some(ImportType::ExistingKeyMaterial),
                key_material_id: key.supports_several_key_materials().then_some(id.as_str()),
                key_material_description: None,
                ..*request
            };
            let second = service
                .import_key_material(&reimport, &again, now, rng)
                .unwrap_or_else(|e| panic!("the same material did not re-import: {e}"));
            assert!(second.key_material_id.ct_eq(&imported.key_material_id));
        }
        Err(KmsError::KmsInternalException(m)) => panic!("KMSInternalException: {m}"),
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
