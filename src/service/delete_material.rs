//! `DeleteImportedKeyMaterial`: request, outcome, and the rules (documented on
//! [`crate::ImportService::delete_imported_key_material`]).

use alloc::format;

use crate::service::key_id::KeyIdentifier;
use crate::service::key_material_id::KeyMaterialId;
use crate::service::key_metadata::{KeyMetadata, KeyState, transient_state};
use crate::service::kms_error::KmsError;

/// The request parameters, named as in the API.
#[derive(Clone, Copy, Debug, Default)]
pub struct DeleteImportedKeyMaterialRequest<'a> {
    /// `KeyId`: a key ID or key ARN.
    pub key_id: &'a str,
    /// `KeyMaterialId` (64 lower-case hex characters); `None` deletes the current key material.
    pub key_material_id: Option<&'a str>,
}

/// The response, named as in the API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeleteImportedKeyMaterialResponse {
    /// `KeyId`: the key ARN.
    pub key_id: KeyIdentifier,
    /// `KeyMaterialId` of the deleted material.
    pub key_material_id: KeyMaterialId,
}

/// What the KMS must do after a successful `DeleteImportedKeyMaterial`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeletedKeyMaterial {
    /// `KeyId` of the response.
    pub key_id: KeyIdentifier,
    /// The material to delete.
    pub key_material_id: KeyMaterialId,
    /// `true` when the material was only pending rotation: it is no longer associated with the
    /// key at all (remove it from the key's list). `false`: it stays associated with import state
    /// `PENDING_IMPORT` until the same material is imported again.
    pub disassociated: bool,
    /// The key's state afterwards: unchanged for `PendingDeletion` and when only pending material
    /// was removed, else `PendingImport`.
    pub key_state: KeyState,
}

impl DeletedKeyMaterial {
    /// What the API returns.
    pub fn response(&self) -> DeleteImportedKeyMaterialResponse {
        DeleteImportedKeyMaterialResponse {
            key_id: self.key_id.clone(),
            key_material_id: self.key_material_id,
        }
    }
}

/// Runs `DeleteImportedKeyMaterial` against the key's metadata.
pub(crate) fn delete(
    request: &DeleteImportedKeyMaterialRequest<'_>,
    key: &KeyMetadata,
) -> Result<DeletedKeyMaterial, KmsError> {
    key.check_consistent()?;
    let key_id = key.resolve(request.key_id)?;
    let given = request
        .key_material_id
        .map(|id| id.parse::<KeyMaterialId>())
        .transpose()
        .map_err(|e| KmsError::ValidationException(format!("KeyMaterialId: {e}")))?;
    key.check_external("DeleteImportedKeyMaterial")?;
    match key.key_state {
        KeyState::PendingImport
        | KeyState::Enabled
        | KeyState::Disabled
        | KeyState::PendingDeletion => {}
        other => return Err(transient_state(other, "DeleteImportedKeyMaterial")),
    }
    let target = match &given {
        Some(id) => key.key_material(id).ok_or_else(|| {
            KmsError::NotFoundException(format!(
                "the KeyMaterialId {id} is not associated with this KMS key (see \
                 ListKeyRotations for the ids it has)"
            ))
        })?,
        None => key.current_key_material().ok_or_else(|| {
            KmsError::KmsInvalidStateException(
                "this KMS key has no key material to delete; import key material first".into(),
            )
        })?,
    };
    let disassociated = !target.state.is_permanent();
    // API reference, DeleteImportedKeyMaterial: "When the specified KMS key is in the
    // PendingDeletion state, this operation does not change the KMS key's state. Otherwise, it
    // changes the KMS key's state to PendingImport." Material pending rotation is not part of
    // what makes the key usable, so removing it leaves the state as it is.
    let key_state = if key.key_state == KeyState::PendingDeletion || disassociated {
        key.key_state
    } else {
        KeyState::PendingImport
    };
    Ok(DeletedKeyMaterial {
        key_id,
        key_material_id: target.key_material_id,
        disassociated,
        key_state,
    })
}
