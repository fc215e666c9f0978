//! [`ImportService`]: the service side of AWS KMS key import as one type.

use rand_core::CryptoRng;

use crate::key::wrapping_key::WrappingPrivateKey;
use crate::service::delete_material::{self, DeleteImportedKeyMaterialRequest, DeletedKeyMaterial};
use crate::service::get_parameters::{
    self, GetParametersForImportRequest, GetParametersForImportResponse,
};
use crate::service::import_material::{self, ImportKeyMaterialRequest, ImportedKeyMaterial};
use crate::service::kdf::hmac_sha256;
use crate::service::key_material_id::KeyMaterialIdKey;
use crate::service::key_metadata::KeyMetadata;
use crate::service::kms_error::KmsError;
use crate::service::sealing::{SealingKeyId, SealingKeys, TokenSealingKey};
use crate::service::token::{self, OpenedToken};
use crate::service::unix_time::UnixTime;

/// Label deriving the token sealing key from a master secret.
const SEALING_KEY_LABEL: &[u8] = b"kms-import v2 token sealing key";

/// `GetParametersForImport`, `ImportKeyMaterial` and `DeleteImportedKeyMaterial` as pure
/// functions over the key's metadata, built once by the embedding KMS from its secrets.
///
/// Each operation takes the request as the API names it, the key's [`KeyMetadata`] as the KMS
/// stores it, and where it needs them the time (`now`) and an RNG; it returns what the API returns
/// (plus what the KMS must store), or the [`KmsError`] AWS KMS raises. Nothing is stored here:
/// the import token carries everything from one call to the next, and the KMS applies the
/// returned state changes to its own records.
///
/// Not `Clone`; the secrets are zeroized on drop; `Debug` shows no secret.
#[derive(Debug)]
pub struct ImportService {
    sealing_keys: SealingKeys,
    key_material_id_key: KeyMaterialIdKey,
}

impl ImportService {
    /// A service with these token sealing keys (current and retired) and this key for
    /// `KeyMaterialId`s.
    pub fn new(sealing_keys: SealingKeys, key_material_id_key: KeyMaterialIdKey) -> Self {
        ImportService {
            sealing_keys,
            key_material_id_key,
        }
    }

    /// A service whose secrets are derived from one 32-byte master secret: the token sealing
    /// key (id `sealing_key_id`) and the `KeyMaterialId` key, with distinct labels
    /// (HMAC-SHA256, NIST SP 800-108r1 §4 style). The same master secret always gives the same
    /// service, so tokens issued before a restart open after it.
    pub fn from_master_secret(master: &[u8; 32], sealing_key_id: SealingKeyId) -> Self {
        let sealing = hmac_sha256(master, SEALING_KEY_LABEL, &[]);
        ImportService::new(
            SealingKeys::new(TokenSealingKey::new(sealing_key_id, &sealing)),
            KeyMaterialIdKey::derive(master),
        )
    }

    /// `GetParametersForImport` with a freshly generated wrapping key.
    ///
    /// Steps (AWS KMS API reference, `GetParametersForImport`):
    /// 1. `KeyId` must be a key ID or key ARN of this key (`InvalidArnException`: malformed, an
    ///    alias, or an ARN of another partition; `NotFoundException`: another key, or the same
    ///    key ID in another account or region).
    /// 2. The key's origin must be `EXTERNAL` and not in a custom key store
    ///    (`UnsupportedOperationException`), and its state `PendingImport`, `Enabled` or
    ///    `Disabled` (`KMSInvalidStateException`; developer guide, "Key states of AWS KMS keys").
    /// 3. The wrapping algorithm, wrapping key spec and key spec must be a combination KMS
    ///    accepts ([`crate::matrix::check`]; `RSAES_PKCS1_V1_5` included). The API reference
    ///    lists no `ValidationException` for this call and defines
    ///    `UnsupportedOperationException` as "a specified parameter is not supported or a
    ///    specified resource is not valid for this operation", so every refusal is
    ///    `UnsupportedOperationException` with the matrix's reason and alternatives.
    /// 4. A fresh wrapping key pair; the public key as DER SubjectPublicKeyInfo; the private key
    ///    sealed in the import token, bound to the key ARN, key spec, partition and algorithm;
    ///    `ParametersValidTo` = `now` + 24 hours.
    ///
    /// # Errors
    /// The exceptions of steps 1–3; `KMSInternalException` when the metadata is inconsistent
    /// (e.g. a key usage the key spec does not have) or key generation fails (the RNG failed);
    /// `UnsupportedOperationException` in a build without the `keygen` feature (or, for `SM2`,
    /// the `sm2` feature): use
    /// [`ImportService::get_parameters_for_import_with_wrapping_key`].
    pub fn get_parameters_for_import<R: CryptoRng + ?Sized>(
        &self,
        request: &GetParametersForImportRequest<'_>,
        key: &KeyMetadata,
        now: UnixTime,
        rng: &mut R,
    ) -> Result<GetParametersForImportResponse, KmsError> {
        // Steps 1-3 before the (slow) key generation.
        let (key_id, scheme) = get_parameters::check_request(request, key)?;
        let wrapping_key =
            WrappingPrivateKey::generate(request.wrapping_key_spec, rng).map_err(|e| match e {
                // A firmware profile without `keygen` (or `sm2`): use a provisioned key.
                crate::Error::Unsupported(u) => {
                    KmsError::UnsupportedOperationException(alloc::format!("{u}"))
                }
                e => KmsError::KmsInternalException(alloc::format!("{e}")),
            })?;
        get_parameters::issue(
            key,
            key_id,
            scheme,
            wrapping_key,
            &self.sealing_keys,
            now,
            rng,
        )
    }

    /// [`ImportService::get_parameters_for_import`] with a wrapping key generated beforehand,
    /// e.g. taken from a `WrappingKeyPool` (the `keygen` feature; RSA-4096 generation takes about
    /// a second), or provisioned (PKCS#8) in a build without `keygen`.
    /// The key is taken by value: it is sealed into this one token and wiped, so no key serves
    /// two tokens.
    ///
    /// # Errors
    /// As [`ImportService::get_parameters_for_import`]; `KMSInternalException` when the key is
    /// not of `request.wrapping_key_spec` (a bug of the caller).
    pub fn get_parameters_for_import_with_wrapping_key<R: CryptoRng + ?Sized>(
        &self,
        request: &GetParametersForImportRequest<'_>,
        key: &KeyMetadata,
        wrapping_key: WrappingPrivateKey,
        now: UnixTime,
        rng: &mut R,
    ) -> Result<GetParametersForImportResponse, KmsError> {
        let (key_id, scheme) = get_parameters::check_request(request, key)?;
        if wrapping_key.spec() != request.wrapping_key_spec {
            return Err(KmsError::KmsInternalException(alloc::format!(
                "the pre-generated wrapping key is {}, but the request asks for {}",
                wrapping_key.spec(),
                request.wrapping_key_spec
            )));
        }
        get_parameters::issue(
            key,
            key_id,
            scheme,
            wrapping_key,
            &self.sealing_keys,
            now,
            rng,
        )
    }

    /// `ImportKeyMaterial`: opens the token, unwraps, validates, and returns the material with
    /// its `KeyMaterialId` and the state changes the KMS must store.
    ///
    /// Steps (AWS KMS API reference, `ImportKeyMaterial`), cheapest first:
    /// 1. `KeyId` names this key (`InvalidArnException`, `NotFoundException`).
    /// 2. Parameters (`ValidationException`): `ExpirationModel` defaults to
    ///    `KEY_MATERIAL_EXPIRES`, which requires `ValidTo`, otherwise not valid; `ValidTo` in the
    ///    future and at most 365 days away. `ImportToken` 1 to 6144 bytes
    ///    (`InvalidImportTokenException`), `EncryptedKeyMaterial` 1 to 6144 bytes
    ///    (`InvalidCiphertextException`).
    /// 3. Origin, key store and key state as in `GetParametersForImport`. `ImportType`,
    ///    `KeyMaterialId` and `KeyMaterialDescription` are "only usable with symmetric encryption
    ///    keys" (`UnsupportedOperationException` on other keys); a malformed `KeyMaterialId` or
    ///    description, or a `KeyMaterialId` with `NEW_KEY_MATERIAL`, is `ValidationException`.
    ///    `ImportType` defaults to `NEW_KEY_MATERIAL` when the key has no material, else
    ///    `EXISTING_KEY_MATERIAL`. `NEW_KEY_MATERIAL` into a key that has material needs a
    ///    symmetric encryption key (`UnsupportedOperationException`), not a multi-Region replica
    ///    (`UnsupportedOperationException`: new material goes into the primary), no other new
    ///    material pending rotation and the key `Enabled` or `Disabled`
    ///    (`KMSInvalidStateException`). `EXISTING_KEY_MATERIAL` needs material to re-import
    ///    (`IncorrectKeyMaterialException`) and a given `KeyMaterialId` associated with the key
    ///    (`NotFoundException`).
    /// 4. The token must open under one of the service's sealing keys, be bound to this key (the
    ///    whole ARN: another account's key with the same key ID is another key) and its key spec
    ///    and partition, and not have expired (`InvalidImportTokenException`,
    ///    `ExpiredImportTokenException`); its combination must still pass the matrix.
    /// 5. Unwrap with the token's algorithm; any failure is the opaque
    ///    `InvalidCiphertextException`.
    /// 6. [`crate::material::validate`]: the material must fit the key spec
    ///    (`IncorrectKeyMaterialException`, with the reason); this includes material that
    ///    decrypts to 0 bytes.
    /// 7. The `KeyMaterialId` is derived from the key's identity and the material's canonical
    ///    form ([`crate::KeyMaterialId`]). `EXISTING_KEY_MATERIAL`: it must be associated with
    ///    the key and equal a given `KeyMaterialId`; `NEW_KEY_MATERIAL`: it must not be
    ///    associated yet (`IncorrectKeyMaterialException`).
    ///
    /// # Errors
    /// The exceptions of the steps above; `KMSInternalException` for inconsistent metadata.
    pub fn import_key_material<R: CryptoRng + ?Sized>(
        &self,
        request: &ImportKeyMaterialRequest<'_>,
        key: &KeyMetadata,
        now: UnixTime,
        rng: &mut R,
    ) -> Result<ImportedKeyMaterial, KmsError> {
        import_material::import(
            request,
            key,
            &self.sealing_keys,
            &self.key_material_id_key,
            now,
            rng,
        )
    }

    /// `DeleteImportedKeyMaterial`: decides which material is deleted and the key's state
    /// afterwards; the KMS deletes it.
    ///
    /// Rules (AWS KMS API reference, `DeleteImportedKeyMaterial`): `KeyId` names this key
    /// (`InvalidArnException`, `NotFoundException`); a malformed `KeyMaterialId` is
    /// `ValidationException`; the key's origin must be `EXTERNAL` and not in a custom key store
    /// (`UnsupportedOperationException`); its state `PendingImport`, `Enabled`, `Disabled` or
    /// `PendingDeletion` (`KMSInvalidStateException` otherwise). Without `KeyMaterialId` the
    /// current material is deleted (`KMSInvalidStateException` if the key has none); with one,
    /// that material (`NotFoundException` if it is not associated with the key). The key goes to
    /// `PendingImport`, except from `PendingDeletion`, and except when only material pending
    /// rotation was removed.
    ///
    /// # Errors
    /// The exceptions above; `KMSInternalException` for inconsistent metadata.
    pub fn delete_imported_key_material(
        &self,
        request: &DeleteImportedKeyMaterialRequest<'_>,
        key: &KeyMetadata,
    ) -> Result<DeletedKeyMaterial, KmsError> {
        delete_material::delete(request, key)
    }

    /// Opens an import token for `key` at `now` without importing anything: for a KMS that wants
    /// to look at a token (its algorithm, wrapping key spec, expiry) before the call.
    ///
    /// # Errors
    /// `InvalidArnException` / `NotFoundException` for a `key_id` that does not name `key`;
    /// `InvalidImportTokenException` and `ExpiredImportTokenException` as in step 4 of
    /// [`ImportService::import_key_material`].
    pub fn open_import_token(
        &self,
        import_token: &[u8],
        key_id: &str,
        key: &KeyMetadata,
        now: UnixTime,
    ) -> Result<OpenedToken, KmsError> {
        let key_id = key.resolve(key_id)?;
        token::open(import_token, &self.sealing_keys, &key_id, now)
    }
}
