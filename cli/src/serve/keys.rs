//! The key model: a KMS key with Origin `EXTERNAL`, its key materials, and the key-state rules.
//!
//! Key states (AWS KMS developer guide, "Key states of AWS KMS keys"): a key created with Origin
//! EXTERNAL is `PendingImport` (Enabled false) until material is imported, then `Enabled`;
//! `DisableKey`/`EnableKey` move between `Enabled` and `Disabled`; `ScheduleKeyDeletion` makes it
//! `PendingDeletion`, `CancelKeyDeletion` `Disabled` (or `PendingImport` when it has no material).
//! Material that is deleted (`DeleteImportedKeyMaterial`) or reaches its `ValidTo` is gone and
//! the key is `PendingImport` again ("When the key material expires, AWS KMS deletes it and the
//! KMS key becomes unusable", API reference, ImportKeyMaterial `ValidTo`).

use kms_import::{ExpirationModel, KeySpec, KeyState};
use serde_json::{Value, json};

use crate::serve::protocol::{ApiError, ApiResult, ts};

/// `KeyUsageType` (CreateKey `KeyUsage`): the core's names.
pub use kms_import::KeyUsage;

/// The key usages a key spec allows: the core's per-KeySpec table (API reference, CreateKey
/// `KeyUsage`), less SM2 `ENCRYPT_DECRYPT`, which this endpoint does not implement (SM2PKE
/// encryption of data).
pub fn allowed_usages(spec: KeySpec) -> Vec<KeyUsage> {
    spec.rule()
        .key_usages
        .iter()
        .copied()
        .filter(|&u| !(spec == KeySpec::Sm2 && u == KeyUsage::EncryptDecrypt))
        .collect()
}

/// The algorithm lists of DescribeKey / GetPublicKey for a key spec and usage.
pub struct Algorithms {
    pub encryption: &'static [&'static str],
    pub signing: &'static [&'static str],
    pub mac: &'static [&'static str],
    pub key_agreement: &'static [&'static str],
}

pub fn algorithms(spec: KeySpec, usage: KeyUsage) -> Algorithms {
    let mut a = Algorithms {
        encryption: &[],
        signing: &[],
        mac: &[],
        key_agreement: &[],
    };
    match (spec, usage) {
        (KeySpec::SymmetricDefault, _) => a.encryption = &["SYMMETRIC_DEFAULT"],
        (KeySpec::Hmac224, _) => a.mac = &["HMAC_SHA_224"],
        (KeySpec::Hmac256, _) => a.mac = &["HMAC_SHA_256"],
        (KeySpec::Hmac384, _) => a.mac = &["HMAC_SHA_384"],
        (KeySpec::Hmac512, _) => a.mac = &["HMAC_SHA_512"],
        (_, KeyUsage::KeyAgreement) => a.key_agreement = &["ECDH"],
        (KeySpec::Rsa2048 | KeySpec::Rsa3072 | KeySpec::Rsa4096, KeyUsage::EncryptDecrypt) => {
            a.encryption = &["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"];
        }
        (KeySpec::Rsa2048 | KeySpec::Rsa3072 | KeySpec::Rsa4096, _) => {
            a.signing = &[
                "RSASSA_PSS_SHA_256",
                "RSASSA_PSS_SHA_384",
                "RSASSA_PSS_SHA_512",
                "RSASSA_PKCS1_V1_5_SHA_256",
                "RSASSA_PKCS1_V1_5_SHA_384",
                "RSASSA_PKCS1_V1_5_SHA_512",
            ];
        }
        (KeySpec::EccNistP256 | KeySpec::EccSecgP256k1, _) => a.signing = &["ECDSA_SHA_256"],
        (KeySpec::EccNistP384, _) => a.signing = &["ECDSA_SHA_384"],
        (KeySpec::EccNistP521, _) => a.signing = &["ECDSA_SHA_512"],
        (KeySpec::Sm2, _) => a.signing = &["SM2DSA"],
        _ => {}
    }
    a
}

/// `KeyMaterialState`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MaterialState {
    Current,
    NonCurrent,
    PendingRotation,
}

impl MaterialState {
    pub fn as_str(self) -> &'static str {
        match self {
            MaterialState::Current => "CURRENT",
            MaterialState::NonCurrent => "NON_CURRENT",
            MaterialState::PendingRotation => "PENDING_ROTATION",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Current, Self::NonCurrent, Self::PendingRotation]
            .into_iter()
            .find(|m| m.as_str() == s)
    }
}

/// One key material associated with a key.
#[derive(Clone, Debug)]
pub struct Material {
    /// `KeyMaterialId`: 64 lower-case hex digits.
    pub id: String,
    pub state: MaterialState,
    /// `ImportState` IMPORTED (true) or PENDING_IMPORT (deleted or expired).
    pub imported: bool,
    pub description: Option<String>,
    /// `None`: does not expire; `Some(t)`: expires at `t` (epoch seconds). Meaningful while
    /// imported.
    pub valid_to: Option<u64>,
    pub import_date: Option<u64>,
    pub rotation_date: Option<u64>,
    /// `nonce || AES-256-GCM(material)` under the at-rest key; `None` while PENDING_IMPORT.
    pub sealed: Option<Vec<u8>>,
}

impl Material {
    pub fn expiration_model(&self) -> Option<ExpirationModel> {
        self.imported.then_some(match self.valid_to {
            Some(_) => ExpirationModel::KeyMaterialExpires,
            None => ExpirationModel::KeyMaterialDoesNotExpire,
        })
    }
}

/// A KMS key as stored.
#[derive(Clone, Debug)]
pub struct Key {
    pub key_id: String,
    pub arn: String,
    pub spec: KeySpec,
    pub usage: KeyUsage,
    pub description: String,
    pub created: u64,
    pub state: KeyState,
    pub deletion_date: Option<u64>,
    pub pending_window_days: Option<i64>,
    /// Creation order (ListKeys pages by it).
    pub seq: i64,
    pub materials: Vec<Material>,
}

impl Key {
    /// The material encryption uses: CURRENT.
    pub fn current(&self) -> Option<&Material> {
        self.materials
            .iter()
            .find(|m| m.state == MaterialState::Current)
    }

    /// Deletes material whose `ValidTo` has passed; the key goes back to `PendingImport` unless
    /// it is pending deletion. Returns whether anything changed.
    pub fn expire(&mut self, now: u64) -> bool {
        let mut changed = false;
        for m in &mut self.materials {
            if m.imported && m.valid_to.is_some_and(|t| t <= now) {
                m.imported = false;
                m.sealed = None;
                m.valid_to = None;
                changed = true;
            }
        }
        if changed {
            self.recompute_state();
        }
        changed
    }

    /// After material was deleted or imported: `PendingImport` while any associated material
    /// (other than one pending rotation) is missing; else `Enabled` if the key was waiting for
    /// its material. `Disabled` and `PendingDeletion` stay as they are while material is present.
    pub fn recompute_state(&mut self) {
        let missing = self
            .materials
            .iter()
            .any(|m| !m.imported && m.state != MaterialState::PendingRotation)
            || self.materials.is_empty();
        self.state = match (self.state, missing) {
            (KeyState::PendingDeletion, _) => KeyState::PendingDeletion,
            (_, true) => KeyState::PendingImport,
            (KeyState::PendingImport, false) => KeyState::Enabled,
            (state, false) => state,
        };
    }

    /// The key can be used for cryptographic operations: `Enabled`. Otherwise the exception of
    /// the key-state table: `Disabled` → `DisabledException`, `PendingImport` and
    /// `PendingDeletion` → `KMSInvalidStateException`.
    pub fn check_usable(&self) -> ApiResult<()> {
        match self.state {
            KeyState::Enabled => Ok(()),
            KeyState::Disabled => Err(ApiError::new(
                "DisabledException",
                format!("{} is disabled.", self.arn),
            )),
            KeyState::PendingImport => Err(ApiError::invalid_state(format!(
                "{} is pending import.",
                self.arn
            ))),
            KeyState::PendingDeletion => Err(ApiError::invalid_state(format!(
                "{} is pending deletion.",
                self.arn
            ))),
            other => Err(ApiError::invalid_state(format!("{} is {other}.", self.arn))),
        }
    }

    /// The key's usage must be `usage` (`InvalidKeyUsageException` otherwise).
    pub fn check_usage(&self, usage: KeyUsage, operation: &str) -> ApiResult<()> {
        if self.usage == usage {
            Ok(())
        } else {
            Err(ApiError::key_usage(format!(
                "{} key usage is {} which is not valid for {operation}.",
                self.arn, self.usage
            )))
        }
    }

    /// `KeyMetadata`, as DescribeKey and CreateKey return it.
    pub fn metadata(&self, account: &str) -> Value {
        let algorithms = algorithms(self.spec, self.usage);
        let mut m = json!({
            "AWSAccountId": account,
            "KeyId": self.key_id,
            "Arn": self.arn,
            "CreationDate": ts(self.created),
            "Enabled": self.state == KeyState::Enabled,
            "Description": self.description,
            "KeyUsage": self.usage.as_str(),
            "KeyState": self.state.as_str(),
            "Origin": "EXTERNAL",
            "KeyManager": "CUSTOMER",
            "CustomerMasterKeySpec": self.spec.as_str(),
            "KeySpec": self.spec.as_str(),
            "MultiRegion": false,
        });
        let obj = m.as_object_mut().expect("an object");
        for (name, list) in [
            ("EncryptionAlgorithms", algorithms.encryption),
            ("SigningAlgorithms", algorithms.signing),
            ("MacAlgorithms", algorithms.mac),
            ("KeyAgreementAlgorithms", algorithms.key_agreement),
        ] {
            if !list.is_empty() {
                obj.insert(name.into(), json!(list));
            }
        }
        if let Some(date) = self.deletion_date {
            obj.insert("DeletionDate".into(), ts(date));
            if let Some(days) = self.pending_window_days {
                obj.insert("PendingDeletionWindowInDays".into(), json!(days));
            }
        }
        // The expiration shown is the current material's (the only one, for keys other than
        // symmetric encryption keys).
        if let Some(current) = self.current().filter(|m| m.imported) {
            if let Some(model) = current.expiration_model() {
                obj.insert("ExpirationModel".into(), json!(model.as_str()));
            }
            if let Some(valid_to) = current.valid_to {
                obj.insert("ValidTo".into(), ts(valid_to));
            }
        }
        if self.spec == KeySpec::SymmetricDefault
            && let Some(current) = self.current()
        {
            obj.insert("CurrentKeyMaterialId".into(), json!(current.id));
        }
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(materials: Vec<Material>, state: KeyState) -> Key {
        Key {
            key_id: "k".into(),
            arn: "arn".into(),
            spec: KeySpec::SymmetricDefault,
            usage: KeyUsage::EncryptDecrypt,
            description: String::new(),
            created: 0,
            state,
            deletion_date: None,
            pending_window_days: None,
            seq: 1,
            materials,
        }
    }

    fn material(valid_to: Option<u64>) -> Material {
        Material {
            id: "a".repeat(64),
            state: MaterialState::Current,
            imported: true,
            description: None,
            valid_to,
            import_date: Some(1),
            rotation_date: None,
            sealed: Some(vec![1]),
        }
    }

    #[test]
    fn material_reaching_valid_to_returns_the_key_to_pending_import() {
        for state in [KeyState::Enabled, KeyState::Disabled] {
            let mut k = key(vec![material(Some(100))], state);
            assert!(!k.expire(99));
            assert_eq!(k.state, state);
            assert!(k.expire(100));
            assert_eq!(k.state, KeyState::PendingImport);
            assert!(k.materials[0].sealed.is_none());
            assert!(!k.materials[0].imported);
        }
        let mut k = key(vec![material(Some(100))], KeyState::PendingDeletion);
        assert!(k.expire(200));
        assert_eq!(k.state, KeyState::PendingDeletion);
        let mut k = key(vec![material(None)], KeyState::Enabled);
        assert!(!k.expire(u64::MAX));
    }

    #[test]
    fn import_after_pending_import_enables() {
        let mut k = key(vec![material(None)], KeyState::PendingImport);
        k.recompute_state();
        assert_eq!(k.state, KeyState::Enabled);
        let mut k = key(vec![], KeyState::PendingImport);
        k.recompute_state();
        assert_eq!(k.state, KeyState::PendingImport);
    }
}
