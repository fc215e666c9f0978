//! `GetParametersForImport` as a pure function: the KMS brings the key's metadata, a token sealing
//! key, the time and an RNG; the result is exactly the API's response, or the exception KMS raises.
//!
//! Steps (AWS KMS API reference, `GetParametersForImport`):
//! 1. `KeyId` must be a key ID or key ARN of this key (`InvalidArnException`, `NotFoundException`).
//! 2. The key's origin must be `EXTERNAL`, not in a custom key store, in a state that allows
//!    imports (see [`crate::service::key_metadata`]).
//! 3. The wrapping algorithm, wrapping key spec and key spec must be a combination KMS accepts
//!    ([`crate::policy::matrix::check`]), `RSAES_PKCS1_V1_5` included. The API reference lists no
//!    `ValidationException` for this call and defines `UnsupportedOperationException` as "The
//!    request was rejected because a specified parameter is not supported or a specified resource
//!    is not valid for this operation", so every refusal is `UnsupportedOperationException`, with
//!    the matrix's reason.
//! 4. A fresh wrapping key pair; the public key as DER SubjectPublicKeyInfo; the private key sealed
//!    in the import token; `ParametersValidTo` = now + 24 h.

use alloc::format;
use alloc::vec::Vec;

use rand_core::CryptoRng;

use crate::key::wrapping_key::WrappingPrivateKey;
use crate::policy::matrix;
use crate::policy::names::{WrappingAlgorithm, WrappingKeySpec};
use crate::service::key_id::KeyIdentifier;
use crate::service::key_metadata::KeyMetadata;
use crate::service::kms_error::KmsError;
use crate::service::token::{self, Binding, TokenSealingKey};
use crate::service::unix_time::UnixTime;

/// The request parameters, named as in the API.
#[derive(Clone, Copy, Debug)]
pub struct GetParametersForImportRequest<'a> {
    /// `KeyId`: a key ID or key ARN.
    pub key_id: &'a str,
    /// `WrappingAlgorithm`.
    pub wrapping_algorithm: WrappingAlgorithm,
    /// `WrappingKeySpec`.
    pub wrapping_key_spec: WrappingKeySpec,
}

/// The response, named as in the API.
#[derive(Clone, Debug)]
pub struct ParametersForImport {
    /// `KeyId`: the key ARN when one was given or is known, else the key ID.
    pub key_id: KeyIdentifier,
    /// `ImportToken`: at most 6144 bytes.
    pub import_token: Vec<u8>,
    /// `PublicKey`: DER SubjectPublicKeyInfo of the wrapping key.
    pub public_key: Vec<u8>,
    /// `ParametersValidTo`: the last second at which token and public key are valid.
    pub parameters_valid_to: UnixTime,
}

/// Runs `GetParametersForImport` for the key described by `key`.
pub fn get_parameters_for_import<R: CryptoRng + ?Sized>(
    request: &GetParametersForImportRequest<'_>,
    key: &KeyMetadata,
    sealing_key: &TokenSealingKey,
    now: UnixTime,
    rng: &mut R,
) -> Result<ParametersForImport, KmsError> {
    // Steps 1-3, before the (slow) key generation.
    let key_id = check_request(request, key)?;
    // Step 4.
    let wrapping_key = WrappingPrivateKey::generate(request.wrapping_key_spec, rng)
        .map_err(|e| KmsError::KmsInternalException(format!("{e}")))?;
    issue(request, key, key_id, &wrapping_key, sealing_key, now, rng)
}

/// [`get_parameters_for_import`] with a wrapping key the KMS generated beforehand, e.g. from a
/// pool of pre-generated keys (RSA-4096 generation takes seconds). The key must be of
/// `request.wrapping_key_spec` (else `KMSInternalException`: a bug of the caller), and a KMS must
/// use each pooled key for one token only.
pub fn get_parameters_for_import_with_wrapping_key<R: CryptoRng + ?Sized>(
    request: &GetParametersForImportRequest<'_>,
    key: &KeyMetadata,
    wrapping_key: &WrappingPrivateKey,
    sealing_key: &TokenSealingKey,
    now: UnixTime,
    rng: &mut R,
) -> Result<ParametersForImport, KmsError> {
    let key_id = check_request(request, key)?;
    if wrapping_key.spec() != request.wrapping_key_spec {
        return Err(KmsError::KmsInternalException(format!(
            "the pre-generated wrapping key is {}, but the request asks for {}",
            wrapping_key.spec(),
            request.wrapping_key_spec
        )));
    }
    issue(request, key, key_id, wrapping_key, sealing_key, now, rng)
}

/// Steps 1-3: the key ID, the key's origin and state, the matrix.
fn check_request(
    request: &GetParametersForImportRequest<'_>,
    key: &KeyMetadata,
) -> Result<KeyIdentifier, KmsError> {
    // Step 1.
    let key_id = key.resolve(request.key_id)?;
    // Step 2.
    key.check_importable("GetParametersForImport")?;
    // Step 3.
    matrix::check(
        key.partition,
        request.wrapping_algorithm,
        request.wrapping_key_spec,
        key.key_spec,
    )
    .map_err(|refusal| KmsError::UnsupportedOperationException(format!("{refusal}")))?;
    Ok(key_id)
}

/// Step 4: seal the private key in the token; the public key goes in the response.
fn issue<R: CryptoRng + ?Sized>(
    request: &GetParametersForImportRequest<'_>,
    key: &KeyMetadata,
    key_id: KeyIdentifier,
    wrapping_key: &WrappingPrivateKey,
    sealing_key: &TokenSealingKey,
    now: UnixTime,
    rng: &mut R,
) -> Result<ParametersForImport, KmsError> {
    let binding = Binding {
        key_id: &key_id,
        key_spec: key.key_spec,
        partition: key.partition,
        wrapping_algorithm: request.wrapping_algorithm,
    };
    let (import_token, parameters_valid_to) =
        token::seal(&binding, wrapping_key, sealing_key, now, rng)?;
    Ok(ParametersForImport {
        key_id,
        import_token,
        public_key: wrapping_key.public_key().to_der(),
        parameters_valid_to,
    })
}
