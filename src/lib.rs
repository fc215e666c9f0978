#![doc = include_str!("../README.md")]
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs, rust_2018_idioms, unused_qualifications)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

// The layers, each using only the ones listed after it.
mod algorithm;
// Fixed-width modular arithmetic for the hot paths of RSA (below `key` and `algorithm`).
mod arith;
mod error;
mod key;
mod policy;
#[cfg(feature = "service")]
mod service;
mod unsupported;

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
    KeySpec, KeyUsage, MaterialKind, Partition, UnknownName, WrappingAlgorithm, WrappingKeySpec,
    WrappingScheme,
};
pub use policy::{key_spec, material, matrix};
pub use unsupported::Unsupported;

// Keys.
#[cfg(feature = "keygen")]
pub use key::pool::{FillError, FreshWrappingKey, HealthTestFailure, PutError, WrappingKeyPool};
#[cfg(all(feature = "std", feature = "keygen"))]
pub use key::pool_filler::{FillerEvent, FillerStatus, PoolFiller, PoolFillerBuilder, RetryPolicy};
pub use key::wrapping_key::{RSA_PUBLIC_EXPONENT, WrappingPrivateKey, WrappingPublicKey};
pub use secret::KeyMaterial;

// The service.
#[cfg(feature = "service")]
pub use service::delete_material::{
    DeleteImportedKeyMaterialRequest, DeleteImportedKeyMaterialResponse, DeletedKeyMaterial,
};
#[cfg(feature = "service")]
pub use service::get_parameters::{GetParametersForImportRequest, GetParametersForImportResponse};
#[cfg(feature = "service")]
pub use service::import_material::{
    ImportKeyMaterialRequest, ImportKeyMaterialResponse, ImportedKeyMaterial,
    KeyMaterialExpiration, MAX_KEY_MATERIAL_DESCRIPTION_LEN, MAX_KEY_MATERIAL_VALIDITY_SECS,
};
#[cfg(feature = "service")]
pub use service::import_service::ImportService;
#[cfg(feature = "service")]
pub use service::key_id::{KeyArn, KeyId, KeyIdentifier};
#[cfg(feature = "service")]
pub use service::key_material_id::{InvalidKeyMaterialId, KeyMaterialId, KeyMaterialIdKey};
#[cfg(feature = "service")]
pub use service::key_metadata::{
    AssociatedKeyMaterial, ExpirationModel, ImportState, ImportType, KeyMaterialState, KeyMetadata,
    KeyState, MultiRegionKeyType, Origin,
};
#[cfg(feature = "service")]
pub use service::kms_error::{INVALID_CIPHERTEXT_MESSAGE, KmsError};
#[cfg(feature = "service")]
pub use service::sealing::{SealingKeyId, SealingKeys, TokenSealingKey};
#[cfg(feature = "service")]
pub use service::token::{ALLOWED_CLOCK_SKEW_SECS, OpenedToken, PARAMETERS_VALIDITY_SECS};
#[cfg(feature = "service")]
pub use service::unix_time::{InvalidTimestamp, Rounding, UnixTime};

/// Re-exported so callers can name the RNG traits this crate takes.
pub use rand_core;
