//! `ImportKeyMaterial`: request, outcome, and the steps (documented on
//! [`crate::ImportService::import_key_material`]).

use alloc::format;
use alloc::string::String;

use rand_core::CryptoRng;

use crate::error::Error;
use crate::limits::{MAX_ENCRYPTED_KEY_MATERIAL_LEN, MAX_IMPORT_TOKEN_LEN};
use crate::policy::{material, matrix};
use crate::secret::KeyMaterial;
use crate::service::import_parameters as parameters;
use crate::service::key_id::KeyIdentifier;
use crate::service::key_material_id::{KeyMaterialId, KeyMaterialIdKey};
use crate::service::key_metadata::{
    ExpirationModel, ImportType, KeyMaterialState, KeyMetadata, KeyState, MultiRegionKeyType,
};
use crate::service::kms_error::KmsError;
use crate::service::sealing::SealingKeys;
use crate::service::token;
use crate::service::unix_time::UnixTime;

/// The longest `ValidTo` may lie after the request: 365 days (API reference,
/// `ImportKeyMaterial`, `ValidTo`: "The maximum value is 365 days from the request date").
pub const MAX_KEY_MATERIAL_VALIDITY_SECS: u64 = 365 * 86_400;

/// The longest `KeyMaterialDescription`, in characters (API model,
/// `KeyMaterialDescriptionType`: length 0 to 256, pattern `^[a-zA-Z0-9:/_\s.-]+$`).
pub const MAX_KEY_MATERIAL_DESCRIPTION_LEN: usize = 256;

/// The request parameters, named as in the API. `Default` leaves every optional parameter
/// absent, for `..Default::default()`.
#[derive(Clone, Copy, Debug, Default)]
pub struct ImportKeyMaterialRequest<'a> {
    /// `KeyId`: a key ID or key ARN.
    pub key_id: &'a str,
    /// `ImportToken` from `GetParametersForImport` (1 to 6144 bytes).
    pub import_token: &'a [u8],
    /// `EncryptedKeyMaterial` (1 to 6144 bytes).
    pub encrypted_key_material: &'a [u8],
    /// `ExpirationModel`; `None` means the default, `KEY_MATERIAL_EXPIRES`.
    pub expiration_model: Option<ExpirationModel>,
    /// `ValidTo`, in whole seconds (round a fractional value up: see
    /// [`crate::Rounding::Up`]).
    pub valid_to: Option<UnixTime>,
    /// `ImportType`; `None` means `NEW_KEY_MATERIAL` when no material was ever imported into the
    /// key, else `EXISTING_KEY_MATERIAL`. Symmetric encryption keys only.
    pub import_type: Option<ImportType>,
    /// `KeyMaterialId` of the material being re-imported (64 lower-case hex characters).
    /// Symmetric encryption keys only; not with `NEW_KEY_MATERIAL`.
    pub key_material_id: Option<&'a str>,
    /// `KeyMaterialDescription` (at most 256 characters of `[a-zA-Z0-9:/_ .-]` and whitespace).
    /// Symmetric encryption keys only.
    pub key_material_description: Option<&'a str>,
}

/// When the imported material expires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyMaterialExpiration {
    /// `KEY_MATERIAL_EXPIRES` at this time.
    ExpiresAt(UnixTime),
    /// `KEY_MATERIAL_DOES_NOT_EXPIRE`.
    DoesNotExpire,
}

/// The response, named as in the API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportKeyMaterialResponse {
    /// `KeyId`: the key ARN.
    pub key_id: KeyIdentifier,
    /// `KeyMaterialId`.
    pub key_material_id: KeyMaterialId,
}

/// A successful import: the response, and what the KMS must store.
#[derive(Debug)]
#[non_exhaustive]
pub struct ImportedKeyMaterial {
    /// `KeyId` of the response: the key ARN (the key ID when the metadata knows no ARN).
    pub key_id: KeyIdentifier,
    /// `KeyMaterialId` of the response.
    pub key_material_id: KeyMaterialId,
    /// The validated plaintext material (zeroized on drop).
    pub material: KeyMaterial,
    /// The import type that applied (the request's, or AWS's default).
    pub import_type: ImportType,
    /// The expiration the request asked for.
    pub expiration: KeyMaterialExpiration,
    /// The description to store: the request's, or `None` to keep the one stored before
    /// ("If you do not specify a key material description, KMS retains the value you specified
    /// when you last imported the same key material").
    pub key_material_description: Option<String>,
    /// The state of this material after the import: unchanged for `EXISTING_KEY_MATERIAL`;
    /// `CURRENT` for the first material of a key; `PENDING_ROTATION` for new material of a
    /// single-Region key and `PENDING_MULTI_REGION_IMPORT_AND_ROTATION` for a multi-Region
    /// primary key (until every replica has it), both until `RotateKeyOnDemand`.
    pub key_material_state: KeyMaterialState,
    /// The key's state after the import: `Enabled` once every permanently associated material is
    /// imported (a `Disabled` key stays `Disabled`), else `PendingImport`.
    pub key_state: KeyState,
}

impl ImportedKeyMaterial {
    /// What the API returns.
    pub fn response(&self) -> ImportKeyMaterialResponse {
        ImportKeyMaterialResponse {
            key_id: self.key_id.clone(),
            key_material_id: self.key_material_id,
        }
    }
}

/// Runs `ImportKeyMaterial` (the steps are documented on
/// [`crate::ImportService::import_key_material`]).
pub(crate) fn import<R: CryptoRng + ?Sized>(
    request: &ImportKeyMaterialRequest<'_>,
    key: &KeyMetadata,
    sealing_keys: &SealingKeys,
    id_key: &KeyMaterialIdKey,
    now: UnixTime,
    rng: &mut R,
) -> Result<ImportedKeyMaterial, KmsError> {
    key.check_consistent()?;
    // Step 1.
    let key_id = key.resolve(request.key_id)?;
    // Step 2.
    let expiration = parameters::expiration(request, now)?;
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
    let (import_type, given_id) = parameters::import_type(request, key)?;
    // Step 4.
    let token = token::open(request.import_token, sealing_keys, &key_id, now)?;
    if token.key_spec() != key.key_spec || token.partition() != key.partition {
        return Err(KmsError::InvalidImportTokenException(
            "the import token was issued for another key spec or partition than this key's; call \
             GetParametersForImport for this key again"
                .into(),
        ));
    }
    let scheme = token.wrapping_algorithm();
    matrix::check(
        key.partition,
        scheme.algorithm(),
        token.wrapping_key_spec(),
        key.key_spec,
    )
    .map_err(|refusal| KmsError::UnsupportedOperationException(format!("{refusal}")))?;
    // Step 5.
    let material = token
        .wrapping_key()
        .unwrap_key_material(scheme, request.encrypted_key_material, rng)
        .map_err(|e| match e {
            Error::InvalidCiphertext => KmsError::InvalidCiphertextException,
            other => KmsError::KmsInternalException(format!("{other}")),
        })?;
    drop(token);
    // Step 6. Empty plaintext (an RSAES-OAEP block can carry 0 bytes) is judged here like any
    // other wrong length: it decrypted, so it is not an InvalidCiphertextException.
    let canonical = material::canonical_form(key.partition, key.key_spec, material.as_bytes(), rng)
        .map_err(|e| match e {
            // A firmware profile without this curve's feature: not the material's fault.
            Error::Unsupported(u) => KmsError::UnsupportedOperationException(format!("{u}")),
            e => KmsError::IncorrectKeyMaterialException(format!("{e}")),
        })?;
    // Step 7.
    let key_material_id = id_key.id(&key_id, &canonical);
    drop(canonical);
    let associated = key.key_material(&key_material_id);
    let key_material_state = match import_type {
        ImportType::ExistingKeyMaterial => {
            if given_id.is_some_and(|id| !id.ct_eq(&key_material_id)) {
                return Err(KmsError::IncorrectKeyMaterialException(
                    "the key material is not the key material that KeyMaterialId identifies".into(),
                ));
            }
            let Some(associated) = associated else {
                return Err(KmsError::IncorrectKeyMaterialException(
                    "the key material is not the same key material as previously imported into \
                     this KMS key; import the same material, or (symmetric encryption keys only) \
                     import new material with ImportType NEW_KEY_MATERIAL"
                        .into(),
                ));
            };
            associated.state
        }
        ImportType::NewKeyMaterial => {
            if associated.is_some() {
                return Err(KmsError::IncorrectKeyMaterialException(format!(
                    "this key material is already associated with this KMS key \
                     (KeyMaterialId {key_material_id}); re-import it with ImportType \
                     EXISTING_KEY_MATERIAL"
                )));
            }
            match (key.key_materials.is_empty(), key.multi_region) {
                (true, _) => KeyMaterialState::Current,
                (false, Some(MultiRegionKeyType::Primary)) => {
                    KeyMaterialState::PendingMultiRegionImportAndRotation
                }
                (false, _) => KeyMaterialState::PendingRotation,
            }
        }
    };
    let all_permanent_imported = key.key_materials.iter().all(|m| {
        !m.state.is_permanent()
            || m.import_state == crate::service::key_metadata::ImportState::Imported
            || m.key_material_id == key_material_id
    });
    let key_state = match key.key_state {
        KeyState::Disabled => KeyState::Disabled,
        _ if all_permanent_imported => KeyState::Enabled,
        _ => KeyState::PendingImport,
    };
    Ok(ImportedKeyMaterial {
        key_id,
        key_material_id,
        material,
        import_type,
        expiration,
        key_material_description: request.key_material_description.map(String::from),
        key_material_state,
        key_state,
    })
}
