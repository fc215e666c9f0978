//! Key material checks: what each key spec accepts on import.

use crate::error::Error;
use crate::names::{KeySpec, Partition};

/// The largest material a key spec takes, in bytes, as used by the OAEP size rule of the matrix.
///
/// Symmetric and HMAC material has one exact length. For ECC keys this is the longest usual
/// PKCS#8 encoding (RFC 5208 wrapping an RFC 5915 `ECPrivateKey` with both the optional
/// `parameters` and `publicKey`, as `openssl pkcs8 -topk8` and Java write it): P-256 138, P-384 185,
/// P-521 241, secp256k1 135, SM2 138 bytes. OpenSSL 3's `genpkey` omits the inner parameters
/// (121 / 167 / 223 / 118 / 121 bytes). RSA keys are bounded by [`crate::limits::MAX_MATERIAL_LEN`].
pub fn max_len(key_spec: KeySpec, partition: Partition) -> usize {
    match key_spec {
        KeySpec::SymmetricDefault => symmetric_len(partition),
        KeySpec::Hmac224 => 28,
        KeySpec::Hmac256 => 32,
        KeySpec::Hmac384 => 48,
        KeySpec::Hmac512 => 64,
        KeySpec::EccNistP256 | KeySpec::Sm2 => 138,
        KeySpec::EccNistP384 => 185,
        KeySpec::EccNistP521 => 241,
        KeySpec::EccSecgP256k1 => 135,
        _ => crate::limits::MAX_MATERIAL_LEN,
    }
}

/// `SYMMETRIC_DEFAULT` material: a 256-bit AES key, or a 128-bit SM4 key in the China Regions.
pub const fn symmetric_len(partition: Partition) -> usize {
    match partition {
        Partition::AwsCn => 16,
        _ => 32,
    }
}

/// Checks that `material` is what a `key_spec` key accepts on import in `partition`: the exact
/// length for symmetric and HMAC keys; for RSA, ECC and SM2 keys a strict-DER PKCS#8 private key of
/// the right algorithm, curve and size, internally consistent, with nothing trailing.
/// A refusal is [`Error::IncorrectKeyMaterial`] with the reason.
pub fn check(key_spec: KeySpec, partition: Partition, material: &[u8]) -> Result<(), Error> {
    let _ = (key_spec, partition, material);
    Err(Error::IncorrectKeyMaterial("material checks are being written"))
}
