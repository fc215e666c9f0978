//! The service side: `GetParametersForImport` and `ImportKeyMaterial` as pure functions, the
//! sealed import token and its byte format, key identifiers and metadata, material fingerprints,
//! the KMS exceptions, and time.

pub(crate) mod fingerprint;
pub(crate) mod get_parameters;
pub(crate) mod import_material;
pub(crate) mod kdf;
pub(crate) mod key_id;
pub(crate) mod key_metadata;
pub(crate) mod kms_error;
pub(crate) mod token;
pub(crate) mod token_format;
pub(crate) mod unix_time;
