//! Size limits, checked before any work is done on an input.
//!
//! AWS KMS API reference: `ImportKeyMaterial` takes `EncryptedKeyMaterial` and `ImportToken` of
//! 1 to 6144 bytes each.

/// Largest `EncryptedKeyMaterial` KMS accepts, in bytes.
pub const MAX_ENCRYPTED_KEY_MATERIAL_LEN: usize = 6144;

/// Largest `ImportToken` KMS accepts, in bytes.
pub const MAX_IMPORT_TOKEN_LEN: usize = 6144;

/// Largest plaintext key material this crate wraps or returns, in bytes.
///
/// The largest material any key spec takes is an RSA-4096 PKCS#8 private key (about 2.4 KiB);
/// 4096 leaves room for optional attributes while keeping every ciphertext under
/// [`MAX_ENCRYPTED_KEY_MATERIAL_LEN`].
pub const MAX_MATERIAL_LEN: usize = 4096;
