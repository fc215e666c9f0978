//! The building blocks under the wrapping algorithms, for test vectors, interop tools and
//! callers that need one layer on its own. Prefer [`crate::WrappingPublicKey::wrap_key_material`] and
//! [`crate::WrappingPrivateKey::unwrap_key_material`]: these functions check nothing about KMS's rules.

use alloc::vec::Vec;

use crate::algorithm::kwp;
use crate::error::Error;
use crate::secret::KeyMaterial;

/// AES-256 key wrap with padding (RFC 5649 §4.1) of `key_data` under `kek`.
pub fn aes256_kwp_wrap(kek: &[u8; 32], key_data: &[u8]) -> Result<Vec<u8>, Error> {
    if key_data.is_empty() {
        return Err(Error::MaterialLength { len: 0 });
    }
    kwp::wrap(kek, key_data)
}

/// AES-256 key unwrap with padding (RFC 5649 §4.2), integrity check in constant time. Every
/// failure is [`Error::InvalidCiphertext`].
pub fn aes256_kwp_unwrap(kek: &[u8; 32], wrapped: &[u8]) -> Result<KeyMaterial, Error> {
    kwp::unwrap(kek, wrapped).map(KeyMaterial::from)
}
