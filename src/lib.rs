#![doc = include_str!("../README.md")]
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs, rust_2018_idioms, unused_qualifications)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

mod ec_key;
mod error;
mod fingerprint;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzz_targets;
mod get_parameters;
pub mod hazmat;
mod import_material;
mod kdf;
mod key_id;
mod key_metadata;
mod kms_error;
mod kwp;
pub mod limits;
pub mod material;
mod material_pkcs8;
pub mod matrix;
mod names;
mod pool;
#[cfg(feature = "std")]
mod pool_filler;
mod prime_search;
#[cfg(feature = "parallel")]
mod prime_search_parallel;
mod rsa_aes_key_wrap;
mod rsa_key;
mod rsa_keygen;
mod rsa_oaep;
mod secret;
mod sm2_ciphertext;
mod sm2_pke;
mod small_primes;
#[cfg(test)]
mod test_rng;
mod token;
mod token_format;
mod unix_time;
mod wrap;
mod wrapping_key;

pub use error::{Error, PKCS1_V1_5_DEPRECATED_SINCE};
pub use fingerprint::{FingerprintKey, InvalidFingerprint, MaterialFingerprint};
pub use get_parameters::{
    GetParametersForImportRequest, ParametersForImport, get_parameters_for_import,
    get_parameters_for_import_with_wrapping_key,
};
pub use import_material::{
    ImportKeyMaterialRequest, ImportSecrets, ImportedKeyMaterial, KeyMaterialExpiration,
    MAX_KEY_MATERIAL_VALIDITY_SECS, import_key_material,
};
pub use key_id::{KeyArn, KeyId, KeyIdentifier};
pub use key_metadata::{ExpirationModel, KeyMetadata, KeyState, Origin};
pub use kms_error::{INVALID_CIPHERTEXT_MESSAGE, KmsError};
pub use names::{
    KeySpec, MaterialKind, Partition, UnknownName, WrappingAlgorithm, WrappingKeySpec,
};
pub use pool::{FreshWrappingKey, WrappingKeyPool};
#[cfg(feature = "std")]
pub use pool_filler::PoolFiller;
pub use secret::KeyMaterial;
pub use token::{
    ALLOWED_CLOCK_SKEW_SECS, OpenedToken, PARAMETERS_VALIDITY_SECS, SealingKeyId, SealingKeyLookup,
    TokenSealingKey, open_import_token,
};
pub use unix_time::{InvalidTimestamp, UnixTime};
pub use wrapping_key::{RSA_PUBLIC_EXPONENT, WrappingPrivateKey, WrappingPublicKey};

/// Re-exported so callers can name the RNG traits this crate takes.
pub use rand_core;
