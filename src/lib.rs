#![doc = include_str!("../README.md")]
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs, rust_2018_idioms, unused_qualifications)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

// The layers, each using only the ones listed after it.
mod algorithm;
mod error;
mod key;
mod policy;
mod service;

#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzz_targets;
pub mod hazmat;
pub mod limits;
mod secret;
#[cfg(test)]
mod test_rng;

// Names and policy.
pub use error::{Error, PKCS1_V1_5_DEPRECATED_SINCE};
pub use policy::names::{
    KeySpec, MaterialKind, Partition, UnknownName, WrappingAlgorithm, WrappingKeySpec,
};
pub use policy::{material, matrix};

// Keys.
pub use key::pool::{FreshWrappingKey, WrappingKeyPool};
#[cfg(feature = "std")]
pub use key::pool_filler::PoolFiller;
pub use key::wrapping_key::{RSA_PUBLIC_EXPONENT, WrappingPrivateKey, WrappingPublicKey};
pub use secret::KeyMaterial;

// The service.
pub use service::fingerprint::{FingerprintKey, InvalidFingerprint, MaterialFingerprint};
pub use service::get_parameters::{
    GetParametersForImportRequest, ParametersForImport, get_parameters_for_import,
    get_parameters_for_import_with_wrapping_key,
};
pub use service::import_material::{
    ImportKeyMaterialRequest, ImportSecrets, ImportedKeyMaterial, KeyMaterialExpiration,
    MAX_KEY_MATERIAL_VALIDITY_SECS, import_key_material,
};
pub use service::key_id::{KeyArn, KeyId, KeyIdentifier};
pub use service::key_metadata::{ExpirationModel, KeyMetadata, KeyState, Origin};
pub use service::kms_error::{INVALID_CIPHERTEXT_MESSAGE, KmsError};
pub use service::token::{
    ALLOWED_CLOCK_SKEW_SECS, OpenedToken, PARAMETERS_VALIDITY_SECS, SealingKeyId, SealingKeyLookup,
    TokenSealingKey, open_import_token,
};
pub use service::unix_time::{InvalidTimestamp, UnixTime};

/// Re-exported so callers can name the RNG traits this crate takes.
pub use rand_core;
