//! The exceptions `GetParametersForImport` and `ImportKeyMaterial` raise, named as AWS KMS names them.
//!
//! `Display` writes the exception name, `": "`, then a message a person can act on. The one
//! exception is [`KmsError::InvalidCiphertextException`]: it says no more than KMS does, so that
//! nothing about *why* the ciphertext failed to decrypt leaks (no padding oracle).
//!
//! Meanings are those of the AWS KMS API reference, "Errors" sections of `GetParametersForImport`
//! and `ImportKeyMaterial`.

use alloc::string::String;
use core::fmt;

/// What KMS says for every `EncryptedKeyMaterial` it cannot decrypt (AWS KMS API reference,
/// `ImportKeyMaterial`, `InvalidCiphertextException`).
pub const INVALID_CIPHERTEXT_MESSAGE: &str =
    "KMS could not decrypt the encrypted (wrapped) key material";

/// An exception of the KMS API, with a message.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum KmsError {
    /// The key ID is neither a key ID nor a key ARN, or the ARN's partition or region does not
    /// fit (aliases are not accepted by these two operations).
    InvalidArnException(String),
    /// "A specified parameter is not supported or a specified resource is not valid for this
    /// operation": the key's origin is not `EXTERNAL`, it is in a custom key store, or the
    /// wrapping algorithm / wrapping key spec / key spec combination is refused.
    UnsupportedOperationException(String),
    /// The key's state does not allow the operation (for example `PendingDeletion`).
    /// Displayed as `KMSInvalidStateException`.
    KmsInvalidStateException(String),
    /// A parameter value is not valid (`ValidTo`, `ExpirationModel`).
    ValidationException(String),
    /// The key ID or key ARN does not identify the key whose metadata was supplied.
    NotFoundException(String),
    /// The import token was not issued by this service for this key, or was modified.
    InvalidImportTokenException(String),
    /// The import token's validity period is over; call `GetParametersForImport` again.
    ExpiredImportTokenException(String),
    /// The encrypted key material could not be decrypted. Deliberately carries nothing more.
    InvalidCiphertextException,
    /// The key material decrypts but does not fit the key, or is not the material imported before.
    IncorrectKeyMaterialException(String),
    /// Something that should not fail did (an encoding step); not the caller's fault.
    /// Displayed as `KMSInternalException`.
    KmsInternalException(String),
}

impl KmsError {
    /// The exception name exactly as KMS returns it (e.g. `"KMSInvalidStateException"`).
    pub fn name(&self) -> &'static str {
        match self {
            KmsError::InvalidArnException(_) => "InvalidArnException",
            KmsError::UnsupportedOperationException(_) => "UnsupportedOperationException",
            KmsError::KmsInvalidStateException(_) => "KMSInvalidStateException",
            KmsError::ValidationException(_) => "ValidationException",
            KmsError::NotFoundException(_) => "NotFoundException",
            KmsError::InvalidImportTokenException(_) => "InvalidImportTokenException",
            KmsError::ExpiredImportTokenException(_) => "ExpiredImportTokenException",
            KmsError::InvalidCiphertextException => "InvalidCiphertextException",
            KmsError::IncorrectKeyMaterialException(_) => "IncorrectKeyMaterialException",
            KmsError::KmsInternalException(_) => "KMSInternalException",
        }
    }

    /// The message after the name.
    pub fn message(&self) -> &str {
        match self {
            KmsError::InvalidArnException(m)
            | KmsError::UnsupportedOperationException(m)
            | KmsError::KmsInvalidStateException(m)
            | KmsError::ValidationException(m)
            | KmsError::NotFoundException(m)
            | KmsError::InvalidImportTokenException(m)
            | KmsError::ExpiredImportTokenException(m)
            | KmsError::IncorrectKeyMaterialException(m)
            | KmsError::KmsInternalException(m) => m,
            KmsError::InvalidCiphertextException => INVALID_CIPHERTEXT_MESSAGE,
        }
    }
}

impl fmt::Display for KmsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name(), self.message())
    }
}

impl core::error::Error for KmsError {}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn display_starts_with_the_kms_name() {
        let e = KmsError::KmsInvalidStateException("key is pending deletion".into());
        assert_eq!(
            e.to_string(),
            "KMSInvalidStateException: key is pending deletion"
        );
        assert_eq!(
            KmsError::InvalidCiphertextException.to_string(),
            "InvalidCiphertextException: KMS could not decrypt the encrypted (wrapped) key material"
        );
        assert_eq!(
            KmsError::KmsInternalException("x".into()).name(),
            "KMSInternalException"
        );
    }
}
