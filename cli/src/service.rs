//! The service side run locally: a KMS with one token sealing key, and keys that exist only as
//! the request describes them (origin `EXTERNAL`, state `PendingImport`, not in a custom key
//! store), in the partition given.

use kms_import::rand_core::CryptoRng;
use kms_import::{
    FingerprintKey, GetParametersForImportRequest, ImportKeyMaterialRequest, ImportSecrets,
    ImportedKeyMaterial, KeyMaterial, KeyMetadata, KeySpec, KmsError, MaterialFingerprint,
    ParametersForImport, Partition, SealingKeyId, TokenSealingKey, UnixTime, WrappingPrivateKey,
};

use crate::failure::{Failure, Outcome};
use crate::keys::TOKEN_KEY_LEN;

/// The token sealing key id of the CLI's one sealing key.
const SEALING_KEY_ID: SealingKeyId = SealingKeyId(1);

/// A local KMS: the token sealing key and the fingerprint key derived from the same secret.
pub struct LocalKms {
    sealing_key: TokenSealingKey,
    fingerprint_key: FingerprintKey,
}

impl LocalKms {
    /// A local KMS whose secrets come from a 32-byte token key.
    pub fn new(token_key: &KeyMaterial) -> Outcome<Self> {
        let secret: &[u8; TOKEN_KEY_LEN] = token_key
            .as_bytes()
            .try_into()
            .map_err(|_| Failure::refused("the token key must be exactly 32 bytes"))?;
        Ok(LocalKms {
            sealing_key: TokenSealingKey::new(SEALING_KEY_ID, secret),
            fingerprint_key: FingerprintKey::derive(secret),
        })
    }

    /// `GetParametersForImport` with a fresh wrapping key.
    pub fn get_parameters<R: CryptoRng + ?Sized>(
        &self,
        request: &GetParametersForImportRequest<'_>,
        key: &KeyMetadata,
        now: UnixTime,
        rng: &mut R,
    ) -> Result<ParametersForImport, KmsError> {
        kms_import::get_parameters_for_import(request, key, &self.sealing_key, now, rng)
    }

    /// `GetParametersForImport` with a wrapping key generated beforehand (as a KMS with a pool of
    /// pre-generated keys does; `demo` uses it to generate each RSA key once).
    pub fn get_parameters_with_wrapping_key<R: CryptoRng + ?Sized>(
        &self,
        request: &GetParametersForImportRequest<'_>,
        key: &KeyMetadata,
        wrapping_key: &WrappingPrivateKey,
        now: UnixTime,
        rng: &mut R,
    ) -> Result<ParametersForImport, KmsError> {
        kms_import::get_parameters_for_import_with_wrapping_key(
            request,
            key,
            wrapping_key,
            &self.sealing_key,
            now,
            rng,
        )
    }

    /// `ImportKeyMaterial`.
    pub fn import<R: CryptoRng + ?Sized>(
        &self,
        request: &ImportKeyMaterialRequest<'_>,
        key: &KeyMetadata,
        previous_fingerprint: Option<&MaterialFingerprint>,
        now: UnixTime,
        rng: &mut R,
    ) -> Result<ImportedKeyMaterial, KmsError> {
        let secrets = ImportSecrets {
            sealing_keys: &self.sealing_key,
            fingerprint_key: &self.fingerprint_key,
        };
        kms_import::import_key_material(request, key, previous_fingerprint, &secrets, now, rng)
    }
}

/// The metadata of a key waiting for its material.
pub fn pending_import_key(key_spec: KeySpec, partition: Partition) -> KeyMetadata {
    KeyMetadata::new(key_spec, partition)
}
