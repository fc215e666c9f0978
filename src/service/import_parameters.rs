//! Step 2 and 3 of `ImportKeyMaterial`: its parameters on their own and against the key —
//! `ExpirationModel` and `ValidTo`, `ImportType`, `KeyMaterialId`, `KeyMaterialDescription`.

use alloc::format;

use crate::service::import_material::{
    ImportKeyMaterialRequest, KeyMaterialExpiration, MAX_KEY_MATERIAL_DESCRIPTION_LEN,
    MAX_KEY_MATERIAL_VALIDITY_SECS,
};
use crate::service::key_material_id::KeyMaterialId;
use crate::service::key_metadata::{
    ExpirationModel, ImportType, KeyMetadata, KeyState, MultiRegionKeyType,
};
use crate::service::kms_error::KmsError;
use crate::service::unix_time::UnixTime;

fn validation(message: &str) -> KmsError {
    KmsError::ValidationException(message.into())
}

/// Step 2: `ExpirationModel` and `ValidTo`.
pub(crate) fn expiration(
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

/// Step 2: `ImportType`, `KeyMaterialId` and `KeyMaterialDescription`, on their own and against
/// the key. Returns the import type that applies and the parsed `KeyMaterialId`.
pub(crate) fn import_type(
    request: &ImportKeyMaterialRequest<'_>,
    key: &KeyMetadata,
) -> Result<(ImportType, Option<KeyMaterialId>), KmsError> {
    let symmetric_only = [
        ("ImportType", request.import_type.is_some()),
        ("KeyMaterialId", request.key_material_id.is_some()),
        (
            "KeyMaterialDescription",
            request.key_material_description.is_some(),
        ),
    ];
    if !key.supports_several_key_materials() {
        // API reference, ImportKeyMaterial: "This parameter is optional and only usable with
        // symmetric encryption keys"; developer guide, "Import key material": for asymmetric and
        // HMAC keys "AWS KMS will reject ImportKeyMaterial API requests with ImportType".
        if let Some((name, _)) = symmetric_only.iter().find(|(_, given)| *given) {
            return Err(KmsError::UnsupportedOperationException(format!(
                "{name} is only usable with symmetric encryption keys (SYMMETRIC_DEFAULT); this \
                 is a {} key, which holds one key material: omit {name} to re-import it",
                key.key_spec
            )));
        }
    }
    if let Some(description) = request.key_material_description
        && (description.chars().count() > MAX_KEY_MATERIAL_DESCRIPTION_LEN
            || description.is_empty()
            || !description
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c.is_whitespace() || ":/_.-".contains(c)))
    {
        return Err(validation(
            "KeyMaterialDescription must be 1 to 256 characters of letters, digits, whitespace \
             and : / _ . -",
        ));
    }
    let given_id = request
        .key_material_id
        .map(|id| id.parse::<KeyMaterialId>())
        .transpose()
        .map_err(|e| validation(&format!("KeyMaterialId: {e}")))?;
    // API reference, ImportType: "If no key material has ever been imported into the KMS key,
    // and this parameter is omitted, the parameter defaults to NEW_KEY_MATERIAL. After the first
    // key material is imported, if this parameter is omitted then the parameter defaults to
    // EXISTING_KEY_MATERIAL."
    let import_type = request
        .import_type
        .unwrap_or(if key.key_materials.is_empty() {
            ImportType::NewKeyMaterial
        } else {
            ImportType::ExistingKeyMaterial
        });
    match import_type {
        ImportType::NewKeyMaterial => {
            // API reference, KeyMaterialId: "You cannot specify a key material ID with
            // ImportType set to NEW_KEY_MATERIAL."
            if given_id.is_some() {
                return Err(validation(
                    "KeyMaterialId cannot be given with ImportType NEW_KEY_MATERIAL; give it only \
                     to re-import EXISTING_KEY_MATERIAL",
                ));
            }
            if !key.key_materials.is_empty() {
                check_new_material_allowed(key)?;
            }
        }
        ImportType::ExistingKeyMaterial => {
            if key.key_materials.is_empty() {
                return Err(KmsError::IncorrectKeyMaterialException(
                    "no key material was ever imported into this KMS key, so none can be \
                     re-imported; import it with ImportType NEW_KEY_MATERIAL (or omit ImportType)"
                        .into(),
                ));
            }
            // API reference, KeyMaterialId: KMS "verifies that the key material ID is already
            // associated with the KMS key".
            if let Some(id) = &given_id
                && key.key_material(id).is_none()
            {
                return Err(KmsError::NotFoundException(format!(
                    "the KeyMaterialId {id} is not associated with this KMS key (see \
                     ListKeyRotations for the ids it has)"
                )));
            }
        }
    }
    Ok((import_type, given_id))
}

/// New material into a key that already has some: only symmetric encryption keys, only
/// single-Region keys and multi-Region primary keys, and not while other new material waits for
/// rotation.
fn check_new_material_allowed(key: &KeyMetadata) -> Result<(), KmsError> {
    if !key.supports_several_key_materials() {
        // API reference, ImportKeyMaterial: "For asymmetric and HMAC keys, you cannot change the
        // key material after the initial import."
        return Err(KmsError::UnsupportedOperationException(format!(
            "a {} key holds one key material for good; only symmetric encryption keys take new \
             key material",
            key.key_spec
        )));
    }
    if key.multi_region == Some(MultiRegionKeyType::Replica) {
        // API reference, ImportKeyMaterial: "You cannot directly import new key material into the
        // replica Region keys."
        return Err(KmsError::UnsupportedOperationException(
            "new key material goes into the multi-Region primary key; import it into this \
             replica with ImportType EXISTING_KEY_MATERIAL afterwards"
                .into(),
        ));
    }
    if key.key_materials.iter().any(|m| !m.state.is_permanent()) {
        // Recorded AWS behaviour: a further NEW_KEY_MATERIAL import while one is pending
        // rotation is KMSInvalidStateException.
        return Err(KmsError::KmsInvalidStateException(
            "this KMS key already has new key material pending rotation; call RotateKeyOnDemand \
             (or delete that material) before importing more"
                .into(),
        ));
    }
    if !matches!(key.key_state, KeyState::Enabled | KeyState::Disabled) {
        return Err(KmsError::KmsInvalidStateException(format!(
            "the KMS key is {}: re-import its existing key material before importing new key \
             material",
            key.key_state
        )));
    }
    Ok(())
}
