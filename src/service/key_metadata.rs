//! What the embedding KMS knows about the key: its ARN, spec, usage, origin, state, key store,
//! multi-Region role and the key materials associated with it.
//!
//! The rules of which origins and key states allow `GetParametersForImport` and
//! `ImportKeyMaterial` come from the AWS KMS developer guide, "Key states of AWS KMS keys", key
//! state table (rows `GetParametersForImport` and `ImportKeyMaterial`, which are identical):
//! - `PendingImport`: succeeds.
//! - `Enabled`, `Disabled`: succeed for keys with imported material (footnote: "If the KMS key
//!   cannot or does not have imported key material: `UnsupportedOperationException`"). This is a
//!   reimport of the same material, e.g. to change its expiration; the material comparison
//!   happens in `ImportKeyMaterial`.
//! - `PendingDeletion`: "If the KMS key has imported key material: `KMSInvalidStateException`".
//! - `Unavailable`: only keys in custom key stores, hence `UnsupportedOperationException`.
//! - `Creating`, `Updating`, `PendingReplicaDeletion` (transient states of multi-Region keys):
//!   refused with `KMSInvalidStateException`.
//!
//! And from the API reference, `ImportKeyMaterial`, `KeyId`: "The Origin of the KMS key must be
//! EXTERNAL ... You cannot perform this operation on a KMS key in a custom key store".

use alloc::format;
use alloc::vec::Vec;
use core::fmt;
use core::str::FromStr;

use crate::policy::names::{KeySpec, KeyUsage, Partition, UnknownName, aws_enum};
use crate::service::key_id::{KeyArn, KeyId, KeyIdentifier};
use crate::service::key_material_id::KeyMaterialId;
use crate::service::kms_error::KmsError;

aws_enum! {
    /// Where the key material of a KMS key comes from (`KeyMetadata.Origin`).
    Origin, "Origin" {
        AwsKms = "AWS_KMS",
        /// Imported key material: the only origin these operations accept.
        External = "EXTERNAL",
        AwsCloudHsm = "AWS_CLOUDHSM",
        ExternalKeyStore = "EXTERNAL_KEY_STORE",
    }
}

aws_enum! {
    /// The state of a KMS key (`KeyMetadata.KeyState`).
    KeyState, "KeyState" {
        Creating = "Creating",
        Enabled = "Enabled",
        Disabled = "Disabled",
        PendingDeletion = "PendingDeletion",
        PendingImport = "PendingImport",
        PendingReplicaDeletion = "PendingReplicaDeletion",
        Unavailable = "Unavailable",
        Updating = "Updating",
    }
}

aws_enum! {
    /// Whether imported key material expires (`ImportKeyMaterial`, `ExpirationModel`).
    ExpirationModel, "ExpirationModel" {
        /// The default: `ValidTo` is required.
        KeyMaterialExpires = "KEY_MATERIAL_EXPIRES",
        /// `ValidTo` must be omitted.
        KeyMaterialDoesNotExpire = "KEY_MATERIAL_DOES_NOT_EXPIRE",
    }
}

aws_enum! {
    /// Whether an import brings new key material or re-imports material already associated with
    /// the key (`ImportKeyMaterial`, `ImportType`).
    ImportType, "ImportType" {
        /// Material not yet associated with the key (symmetric encryption keys only, after the
        /// first import).
        NewKeyMaterial = "NEW_KEY_MATERIAL",
        /// Material already associated with the key.
        ExistingKeyMaterial = "EXISTING_KEY_MATERIAL",
    }
}

aws_enum! {
    /// The rotation state of one key material (`ListKeyRotations`, `KeyMaterialState`).
    KeyMaterialState, "KeyMaterialState" {
        /// Used only to decrypt.
        NonCurrent = "NON_CURRENT",
        /// Used to encrypt and decrypt.
        Current = "CURRENT",
        /// Imported for on-demand rotation, not yet rotated in; not permanently associated.
        PendingRotation = "PENDING_ROTATION",
        /// Imported into a multi-Region primary key but not yet into all its replicas.
        PendingMultiRegionImportAndRotation = "PENDING_MULTI_REGION_IMPORT_AND_ROTATION",
    }
}

aws_enum! {
    /// Whether one key material is currently imported (`ListKeyRotations`, `ImportState`).
    ImportState, "ImportState" {
        /// The material is in KMS.
        Imported = "IMPORTED",
        /// The material was deleted or expired and must be re-imported.
        PendingImport = "PENDING_IMPORT",
    }
}

aws_enum! {
    /// The role of a multi-Region key (`MultiRegionConfiguration.MultiRegionKeyType`).
    MultiRegionKeyType, "MultiRegionKeyType" {
        Primary = "PRIMARY",
        Replica = "REPLICA",
    }
}

impl KeyMaterialState {
    /// `true` for the states of material that is permanently associated with the key (the key is
    /// unusable while any of it is not imported).
    pub fn is_permanent(self) -> bool {
        matches!(
            self,
            KeyMaterialState::Current | KeyMaterialState::NonCurrent
        )
    }
}

/// One key material the KMS holds for a key, as `ListKeyRotations` lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssociatedKeyMaterial {
    /// Its `KeyMaterialId`.
    pub key_material_id: KeyMaterialId,
    /// Its rotation state.
    pub state: KeyMaterialState,
    /// Whether it is currently imported.
    pub import_state: ImportState,
}

/// The embedding KMS's record of the key a request names: what `DescribeKey` and
/// `ListKeyRotations` would show.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct KeyMetadata {
    /// The key as the KMS knows it: its ARN. A stateless tool that was given only a key ID may
    /// use [`KeyIdentifier::Id`]; responses then name the key by its ID.
    pub key: KeyIdentifier,
    /// The partition the key lives in (must match the ARN's).
    pub partition: Partition,
    /// The key's spec: what material it takes.
    pub key_spec: KeySpec,
    /// The key's usage (must be one the key spec allows).
    pub key_usage: KeyUsage,
    /// Where its material comes from; these operations need `EXTERNAL`.
    pub origin: Origin,
    /// Its current state.
    pub key_state: KeyState,
    /// `Some` for a multi-Region key.
    pub multi_region: Option<MultiRegionKeyType>,
    /// `true` when the key lives in a custom key store (CloudHSM or external).
    pub custom_key_store: bool,
    /// The key materials associated with the key, in any order (at most one is `CURRENT`).
    pub key_materials: Vec<AssociatedKeyMaterial>,
}

impl KeyMetadata {
    /// A key just created with `Origin = EXTERNAL`: state `PendingImport`, single-Region, not in
    /// a custom key store, no key material. The partition is the ARN's. Adjust the public fields
    /// for other cases.
    pub fn new(arn: KeyArn, key_spec: KeySpec, key_usage: KeyUsage) -> Self {
        KeyMetadata {
            partition: arn.partition(),
            key: KeyIdentifier::Arn(arn),
            key_spec,
            key_usage,
            origin: Origin::External,
            key_state: KeyState::PendingImport,
            multi_region: None,
            custom_key_store: false,
            key_materials: Vec::new(),
        }
    }

    /// Like [`KeyMetadata::new`] for a tool that knows only the key ID and the partition.
    pub fn with_key_id(
        key_id: KeyId,
        partition: Partition,
        key_spec: KeySpec,
        key_usage: KeyUsage,
    ) -> Self {
        KeyMetadata {
            key: KeyIdentifier::Id(key_id),
            partition,
            key_spec,
            key_usage,
            origin: Origin::External,
            key_state: KeyState::PendingImport,
            multi_region: None,
            custom_key_store: false,
            key_materials: Vec::new(),
        }
    }

    /// The `CURRENT` key material, if any.
    pub fn current_key_material(&self) -> Option<&AssociatedKeyMaterial> {
        self.key_materials
            .iter()
            .find(|m| m.state == KeyMaterialState::Current)
    }

    /// The associated material with this id, if any.
    pub fn key_material(&self, id: &KeyMaterialId) -> Option<&AssociatedKeyMaterial> {
        self.key_materials.iter().find(|m| m.key_material_id == *id)
    }

    /// `true` for keys that can hold several key materials and rotate them on demand: symmetric
    /// encryption keys (API reference, `ImportKeyMaterial`: "You can import multiple key
    /// materials into symmetric encryption keys and rotate the key material on demand").
    pub fn supports_several_key_materials(&self) -> bool {
        self.key_spec == KeySpec::SymmetricDefault
    }

    /// Checks what the embedding KMS itself must get right: the ARN's partition is the key's,
    /// the key usage fits the key spec, at most one material is `CURRENT`, no id is listed twice.
    pub(crate) fn check_consistent(&self) -> Result<(), KmsError> {
        let internal = |what: &str| {
            Err(KmsError::KmsInternalException(format!(
                "the key metadata supplied by the KMS is inconsistent: {what}"
            )))
        };
        if self
            .key
            .arn()
            .is_some_and(|arn| arn.partition() != self.partition)
        {
            return internal("the key ARN's partition is not the key's partition");
        }
        if !self.key_spec.rule().key_usages.contains(&self.key_usage) {
            return internal("the key usage is not one the key spec allows");
        }
        let current = self
            .key_materials
            .iter()
            .filter(|m| m.state == KeyMaterialState::Current)
            .count();
        if current > 1 {
            return internal("more than one key material is CURRENT");
        }
        for (i, m) in self.key_materials.iter().enumerate() {
            if self.key_materials[i + 1..]
                .iter()
                .any(|o| o.key_material_id == m.key_material_id)
            {
                return internal("a KeyMaterialId is listed twice");
            }
        }
        Ok(())
    }

    /// The origin, key store and key state checks of `GetParametersForImport` and
    /// `ImportKeyMaterial` (see the module documentation for the source of each rule).
    pub(crate) fn check_importable(&self, operation: &str) -> Result<(), KmsError> {
        self.check_external(operation)?;
        match self.key_state {
            KeyState::PendingImport | KeyState::Enabled | KeyState::Disabled => Ok(()),
            KeyState::PendingDeletion => Err(KmsError::KmsInvalidStateException(format!(
                "the KMS key is pending deletion; cancel the key deletion before calling \
                 {operation}"
            ))),
            other => Err(transient_state(other, operation)),
        }
    }

    /// Origin `EXTERNAL`, not in a custom key store.
    pub(crate) fn check_external(&self, operation: &str) -> Result<(), KmsError> {
        if self.origin != Origin::External {
            return Err(KmsError::UnsupportedOperationException(format!(
                "{operation} requires a KMS key whose Origin is EXTERNAL; this key's Origin is \
                 {}. Create a key with Origin EXTERNAL to import key material",
                self.origin
            )));
        }
        if self.custom_key_store {
            return Err(KmsError::UnsupportedOperationException(format!(
                "{operation} cannot be used on a KMS key in a custom key store"
            )));
        }
        Ok(())
    }
}

/// `KMSInvalidStateException` for the states in which no import operation runs.
pub(crate) fn transient_state(state: KeyState, operation: &str) -> KmsError {
    match state {
        KeyState::PendingReplicaDeletion => KmsError::KmsInvalidStateException(format!(
            "the KMS key is a multi-Region primary key pending deletion of its replicas; \
             {operation} is not allowed in this state"
        )),
        state => KmsError::KmsInvalidStateException(format!(
            "the KMS key is {state}; retry {operation} when the key is PendingImport, Enabled or \
             Disabled"
        )),
    }
}

impl KeyMetadata {
    /// Parses the request's `KeyId` and checks it names this key. Returns what the response's
    /// `KeyId` says: the ARN given, else the ARN known from the metadata, else the key ID.
    ///
    /// Errors: not a key ID or key ARN, or an ARN of another partition → `InvalidArnException`;
    /// an identifier of another key (other key ID, or an ARN of another region or account than
    /// the known one) → `NotFoundException`.
    pub(crate) fn resolve(&self, key_id: &str) -> Result<KeyIdentifier, KmsError> {
        let requested: KeyIdentifier = key_id.parse()?;
        if let Some(arn) = requested.arn()
            && arn.partition() != self.partition
        {
            return Err(KmsError::InvalidArnException(format!(
                "the key ARN is in the {} partition, but the key is in {}",
                arn.partition(),
                self.partition
            )));
        }
        let KeyIdentifier::Arn(known) = &self.key else {
            // Only the key ID is known: the request must name it.
            if requested.key_id() != self.key.key_id() {
                return Err(KmsError::NotFoundException(format!(
                    "{requested} does not identify the KMS key {}",
                    self.key
                )));
            }
            return Ok(requested);
        };
        let names_this_key = match requested.arn() {
            Some(arn) => arn == known,
            None => requested.key_id() == known.key_id(),
        };
        if !names_this_key {
            return Err(KmsError::NotFoundException(format!(
                "{requested} does not identify the KMS key {known}"
            )));
        }
        Ok(KeyIdentifier::Arn(known.clone()))
    }
}
