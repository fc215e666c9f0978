//! What the embedding KMS knows about the key: its spec, origin, state, key store and partition.
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
use core::fmt;
use core::str::FromStr;

use crate::policy::names::{KeySpec, Partition, UnknownName, aws_enum};
use crate::service::key_id::{KeyArn, KeyIdentifier};
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

/// The embedding KMS's record of the key the request names.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct KeyMetadata {
    /// The key's spec: what material it takes.
    pub key_spec: KeySpec,
    /// The partition the key lives in.
    pub partition: Partition,
    /// Where its material comes from; must be `EXTERNAL`.
    pub origin: Origin,
    /// Its current state.
    pub key_state: KeyState,
    /// `true` when the key lives in a custom key store (CloudHSM or external).
    pub custom_key_store: bool,
    /// The key's ARN, when the KMS knows it; then a request must name this key, and the response's
    /// `KeyId` is this ARN.
    pub arn: Option<KeyArn>,
}

impl KeyMetadata {
    /// A key just created with `Origin = EXTERNAL`: state `PendingImport`, not in a custom key
    /// store, ARN unknown. Adjust the public fields for other cases.
    pub fn new(key_spec: KeySpec, partition: Partition) -> Self {
        KeyMetadata {
            key_spec,
            partition,
            origin: Origin::External,
            key_state: KeyState::PendingImport,
            custom_key_store: false,
            arn: None,
        }
    }

    /// The origin, key store and key state checks shared by both operations (see the module
    /// documentation for the source of each rule).
    pub(crate) fn check_importable(&self, operation: &str) -> Result<(), KmsError> {
        if self.origin != Origin::External {
            return Err(KmsError::UnsupportedOperationException(format!(
                "{operation} requires a KMS key whose Origin is EXTERNAL; this key's Origin is \
                 {}. Create a key with --origin EXTERNAL to import key material",
                self.origin
            )));
        }
        if self.custom_key_store {
            return Err(KmsError::UnsupportedOperationException(format!(
                "{operation} cannot be used on a KMS key in a custom key store"
            )));
        }
        match self.key_state {
            KeyState::PendingImport | KeyState::Enabled | KeyState::Disabled => Ok(()),
            KeyState::PendingDeletion => Err(KmsError::KmsInvalidStateException(format!(
                "the KMS key is pending deletion; cancel the key deletion before calling \
                 {operation}"
            ))),
            KeyState::PendingReplicaDeletion => Err(KmsError::KmsInvalidStateException(format!(
                "the KMS key is a multi-Region primary key pending deletion of its replicas; \
                 {operation} is not allowed in this state"
            ))),
            state @ (KeyState::Creating | KeyState::Updating | KeyState::Unavailable) => {
                Err(KmsError::KmsInvalidStateException(format!(
                    "the KMS key is {state}; retry {operation} when the key is PendingImport, \
                     Enabled or Disabled"
                )))
            }
        }
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
        let Some(known) = &self.arn else {
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
