//! The service side: [`crate::ImportService`] with `GetParametersForImport`,
//! `ImportKeyMaterial` and `DeleteImportedKeyMaterial`; the sealed import token and its byte
//! format; key identifiers, key metadata and `KeyMaterialId`s; the KMS exceptions; time.

pub(crate) mod delete_material;
pub(crate) mod get_parameters;
pub(crate) mod import_material;
pub(crate) mod import_parameters;
pub(crate) mod import_service;
pub(crate) mod kdf;
pub(crate) mod key_id;
pub(crate) mod key_material_id;
pub(crate) mod key_metadata;
pub(crate) mod kms_error;
pub(crate) mod sealing;
pub(crate) mod token;
pub(crate) mod token_format;
pub(crate) mod unix_time;
