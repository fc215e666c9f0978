//! `ImportKeyMaterial` as a pure function: opens the token, unwraps, validates, and returns the
//! material with the fingerprint the KMS stores for later reimports.
//!
//! Steps (AWS KMS API reference, `ImportKeyMaterial`), cheapest first:
//! 1. `KeyId` names this key (`InvalidArnException`, `NotFoundException`).
//! 2. Parameters: `ExpirationModel` defaults to `KEY_MATERIAL_EXPIRES`; "`ValidTo` ... is required
//!    when the value of the `ExpirationModel` parameter is `KEY_MATERIAL_EXPIRES`. Otherwise it is
//!    not valid. The value of this parameter must be a future date and time. The maximum value is
//!    365 days from the request date." → `ValidationException`. `ImportToken` and
//!    `EncryptedKeyMaterial` must be 1 to 6144 bytes (`InvalidImportTokenException`,
//!    `InvalidCiphertextException`).
//! 3. Origin, key store and key state (see [`crate::service::key_metadata`]).
//! 4. Open the token for this key ([`crate::service::token`]); it must also match the key's spec and
//!    partition, and its combination must still pass the matrix.
//! 5. Unwrap with the token's algorithm; any failure is the opaque `InvalidCiphertextException`.
//! 6. [`crate::policy::material::check`]: the material must fit the key spec → else
//!    `IncorrectKeyMaterialException`.
//! 7. Reimport: "you can reimport the same key material into that KMS key, but you cannot import
//!    different key material" → the keyed fingerprint must equal the stored one (constant time),
//!    else `IncorrectKeyMaterialException`.

use alloc::format;

use rand_core::CryptoRng;

use crate::error::Error;
use crate::limits::{MAX_ENCRYPTED_KEY_MATERIAL_LEN, MAX_IMPORT_TOKEN_LEN};
use crate::policy::{material, matrix};
use crate::secret::KeyMaterial;
use crate::service::fingerprint::{FingerprintKey, MaterialFingerprint};
use crate::service::key_id::KeyIdentifier;
use crate::service::key_metadata::{ExpirationModel, KeyMetadata, KeyState};
use crate::service::kms_error::KmsError;
use crate::service::token::{SealingKeyLookup, open_import_token};
use crate::service::unix_time::UnixTime;

/// The longest `ValidTo` may lie after the request: 365 days.
pub const MAX_KEY_MATERIAL_VALIDITY_SECS: u64 = 365 * 86_400;

/// The request parameters, named as in the API.
#[derive(Clone, Copy, Debug)]
pub struct ImportKeyMaterialRequest<'a> {
    /// `KeyId`: a key ID or key ARN.
    pub key_id: &'a str,
    /// `ImportToken` from `GetParametersForImport`.
    pub import_token: &'a [u8],
    /// `EncryptedKeyMaterial`.
    pub encrypted_key_material: &'a [u8],
    /// `ExpirationModel`; `None` means the default, `KEY_MATERIAL_EXPIRES`.
    pub expiration_model: Option<ExpirationModel>,
    /// `ValidTo`.
    pub valid_to: Option<UnixTime>,
}

/// When the imported material expires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyMaterialExpiration {
    /// `KEY_MATERIAL_EXPIRES` at this time.
    ExpiresAt(UnixTime),
    /// `KEY_MATERIAL_DOES_NOT_EXPIRE`.
    DoesNotExpire,
}

/// A successful import: what the KMS must store.
#[derive(Debug)]
pub struct ImportedKeyMaterial {
    /// The key ARN when one was given or is known, else the key ID.
    pub key_id: KeyIdentifier,
    /// The validated plaintext material (zeroized on drop).
    pub material: KeyMaterial,
    /// Its keyed fingerprint; store it and pass it back for every reimport.
    pub fingerprint: MaterialFingerprint,
    /// The expiration the request asked for.
    pub expiration: KeyMaterialExpiration,
}

/// The KMS's secrets for `ImportKeyMaterial`.
#[derive(Debug)]
pub struct ImportSecrets<'a, K: SealingKeyLookup + ?Sized> {
    /// Every token sealing key still accepted (current and recently retired).
    pub sealing_keys: &'a K,
    /// The key under which material fingerprints are computed.
    pub fingerprint_key: &'a FingerprintKey,
}

fn validation(message: &str) -> KmsError {
    KmsError::ValidationException(message.into())
}

/// Step 2: `ExpirationModel` and `ValidTo`.
fn expiration(
    request: &ImportKeyMaterialRequest<'_>,
    now: UnixTime,
) -> Result<KeyMaterialExpiration, KmsError> {
    let model = request
        .expiration_model
        .unwrap_or(ExpirationModel::KeyMaterialExpires);
    match (model, request.valid_to) {
        (ExpirationModel::KeyMaterialDoesNotExpire, None) => {
            Ok(KeyMaterialExpiration::DoesNotExpire)
        }
        (ExpirationModel::KeyMaterialDoesNotExpire, Some(_)) => Err(validation(
            "ValidTo must be omitted when ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE",
        )),
        (ExpirationModel::KeyMaterialExpires, None) => Err(validation(
            "ValidTo is required when ExpirationModel is KEY_MATERIAL_EXPIRES (the default); \
             give a ValidTo within 365 days, or set ExpirationModel to KEY_MATERIAL_DOES_NOT_EXPIRE",
        )),
        (ExpirationModel::KeyMaterialExpires, Some(valid_to)) if valid_to <= now => {
            Err(validation(&format!(
                "ValidTo ({valid_to}) must be in the future (now is {now})"
            )))
        }
        (ExpirationModel::KeyMaterialExpires, Some(valid_to))
            if valid_to.as_secs() - now.as_secs() > MAX_KEY_MATERIAL_VALIDITY_SECS =>
        {
            Err(validation(&format!(
                "ValidTo ({valid_to}) must be at most 365 days after the request (now is {now})"
            )))
        }
        (ExpirationModel::KeyMaterialExpires, Some(valid_to)) => {
            Ok(KeyMaterialExpiration::ExpiresAt(valid_to))
        }
    }
}

/// Runs `ImportKeyMaterial` for the key described by `key`.
///
/// `previous_fingerprint` is the fingerprint stored when material was first imported into this
/// key; it is required whenever the key has had material (state `Enabled` or `Disabled`, or
/// `PendingImport` after the material expired or was deleted). Omitting it for an `Enabled` or
/// `Disabled` key is refused as `KMSInternalException`, since it would let different material in.
pub fn import_key_material<R: CryptoRng + ?Sized, K: SealingKeyLookup + ?Sized>(
    request: &ImportKeyMaterialRequest<'_>,
    key: &KeyMetadata,
    previous_fingerprint: Option<&MaterialFingerprint>,
    secrets: &ImportSecrets<'_, K>,
    now: UnixTime,
    rng: &mut R,
) -> Result<ImportedKeyMaterial, KmsError> {
    // Step 1.
    let key_id = key.resolve(request.key_id)?;
    // Step 2.
    let expiration = expiration(request, now)?;
    if request.import_token.is_empty() || request.import_token.len() > MAX_IMPORT_TOKEN_LEN {
        return Err(KmsError::InvalidImportTokenException(format!(
            "ImportToken must be 1 to {MAX_IMPORT_TOKEN_LEN} bytes, not {}; pass the ImportToken \
             exactly as GetParametersForImport returned it",
            request.import_token.len()
        )));
    }
    if request.encrypted_key_material.is_empty()
        || request.encrypted_key_material.len() > MAX_ENCRYPTED_KEY_MATERIAL_LEN
    {
        return Err(KmsError::InvalidCiphertextException);
    }
    // Step 3.
    key.check_importable("ImportKeyMaterial")?;
    if matches!(key.key_state, KeyState::Enabled | KeyState::Disabled)
        && previous_fingerprint.is_none()
    {
        return Err(KmsError::KmsInternalException(format!(
            "the key is {} and so has imported material, but no fingerprint of that material was \
             supplied; a reimport cannot be checked without it",
            key.key_state
        )));
    }
    // Step 4.
    let token = open_import_token(
        request.import_token,
        secrets.sealing_keys,
        &key_id.key_id(),
        now,
    )?;
    if token.key_spec() != key.key_spec || token.partition() != key.partition {
        return Err(KmsError::InvalidImportTokenException(format!(
            "the import token was issued for a {} key in {}, but this key is {} in {}; call \
             GetParametersForImport again",
            token.key_spec(),
            token.partition(),
            key.key_spec,
            key.partition
        )));
    }
    matrix::check(
        key.partition,
        token.wrapping_algorithm(),
        token.wrapping_key_spec(),
        key.key_spec,
    )
    .map_err(|refusal| KmsError::UnsupportedOperationException(format!("{refusal}")))?;
    // Step 5.
    let material = token
        .wrapping_key()
        .unwrap(
            token.wrapping_algorithm(),
            request.encrypted_key_material,
            rng,
        )
        .map_err(|e| match e {
            Error::Unwrap => KmsError::InvalidCiphertextException,
            other => KmsError::KmsInternalException(format!("{other}")),
        })?;
    // Step 6.
    material::check(key.key_spec, key.partition, material.as_bytes()).map_err(|e| {
        KmsError::IncorrectKeyMaterialException(format!(
            "the key material is not valid for a {} key in {}: {e}",
            key.key_spec, key.partition
        ))
    })?;
    // Step 7.
    let fingerprint = secrets
        .fingerprint_key
        .fingerprint(&key_id.key_id(), material.as_bytes());
    if let Some(previous) = previous_fingerprint
        && !previous.ct_eq(&fingerprint)
    {
        return Err(KmsError::IncorrectKeyMaterialException(
            "the key material is not the same key material as previously imported into this KMS \
             key; a KMS key can only ever be reimported with the same material"
                .into(),
        ));
    }
    Ok(ImportedKeyMaterial {
        key_id,
        material,
        fingerprint,
        expiration,
    })
}
