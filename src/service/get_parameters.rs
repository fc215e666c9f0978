//! `GetParametersForImport`: request, response, and the steps (documented on
//! [`crate::ImportService::get_parameters_for_import`]).

use alloc::format;
use alloc::vec::Vec;

use rand_core::CryptoRng;

use crate::key::wrapping_key::WrappingPrivateKey;
use crate::policy::matrix;
use crate::policy::names::{WrappingAlgorithm, WrappingKeySpec, WrappingScheme};
use crate::service::key_id::KeyIdentifier;
use crate::service::key_metadata::KeyMetadata;
use crate::service::kms_error::KmsError;
use crate::service::sealing::SealingKeys;
use crate::service::token::{self, Binding};
use crate::service::unix_time::UnixTime;

/// The request parameters, named as in the API.
#[derive(Clone, Copy, Debug)]
pub struct GetParametersForImportRequest<'a> {
    /// `KeyId`: a key ID or key ARN (1 to 2048 characters).
    pub key_id: &'a str,
    /// `WrappingAlgorithm`.
    pub wrapping_algorithm: WrappingAlgorithm,
    /// `WrappingKeySpec`.
    pub wrapping_key_spec: WrappingKeySpec,
}

/// The response, named as in the API.
#[derive(Clone, Debug)]
pub struct GetParametersForImportResponse {
    /// `KeyId`: the key ARN (the key ID only when the metadata knows no ARN).
    pub key_id: KeyIdentifier,
    /// `ImportToken`: at most 6144 bytes (RSA_4096: about 2.6 KiB).
    pub import_token: Vec<u8>,
    /// `PublicKey`: DER SubjectPublicKeyInfo of the wrapping key (RSA_2048: 294 bytes, RSA_3072:
    /// 422, RSA_4096: 550, SM2: 91).
    pub public_key: Vec<u8>,
    /// `ParametersValidTo`: the last second at which token and public key are valid, 24 hours
    /// after the request.
    pub parameters_valid_to: UnixTime,
}

/// Steps 1–3: the key ID, the key's origin and state, the matrix. Returns the response's key
/// identifier and the scheme.
pub(crate) fn check_request(
    request: &GetParametersForImportRequest<'_>,
    key: &KeyMetadata,
) -> Result<(KeyIdentifier, WrappingScheme), KmsError> {
    key.check_consistent()?;
    // Step 1.
    let key_id = key.resolve(request.key_id)?;
    // Step 2.
    key.check_importable("GetParametersForImport")?;
    // Step 3.
    let unsupported =
        |refusal: matrix::Refusal| KmsError::UnsupportedOperationException(format!("{refusal}"));
    matrix::check(
        key.partition,
        request.wrapping_algorithm,
        request.wrapping_key_spec,
        key.key_spec,
    )
    .map_err(unsupported)?;
    let scheme = WrappingScheme::try_from(request.wrapping_algorithm).map_err(unsupported)?;
    Ok((key_id, scheme))
}

/// Step 4: seal the private key in the token; the public key goes in the response.
pub(crate) fn issue<R: CryptoRng + ?Sized>(
    key: &KeyMetadata,
    key_id: KeyIdentifier,
    scheme: WrappingScheme,
    wrapping_key: WrappingPrivateKey,
    sealing_keys: &SealingKeys,
    now: UnixTime,
    rng: &mut R,
) -> Result<GetParametersForImportResponse, KmsError> {
    let binding = Binding {
        key_id: &key_id,
        key_spec: key.key_spec,
        partition: key.partition,
        wrapping_algorithm: scheme,
    };
    let (import_token, parameters_valid_to) =
        token::seal(&binding, &wrapping_key, sealing_keys.current(), now, rng)?;
    let public_key = wrapping_key.public_key().to_der();
    // The private key is wiped here; it lives on only inside the token.
    drop(wrapping_key);
    Ok(GetParametersForImportResponse {
        key_id,
        import_token,
        public_key,
        parameters_valid_to,
    })
}
