//! A wrapping public key from the forms people hold it.

use kms_import::WrappingPublicKey;

use crate::Origin;
use crate::encoding::{Field, decode};

/// The wrapping public key in `input`: DER SubjectPublicKeyInfo, PEM `PUBLIC KEY`, base64 of the
/// DER, or the whole `get-parameters-for-import` JSON. `origin`: where it came from (the command
/// a PKCS#1 key's refusal suggests names its file).
///
/// # Errors
/// Why it is not one, with what to do: the forms [`crate::recognise`] knows (aws CLI output,
/// `get-public-key`'s JSON, PKCS#1), or the core's reason (not an RSA or SM2 key KMS hands out).
pub fn public_key(input: &[u8], origin: &Origin) -> Result<WrappingPublicKey, String> {
    let der = decode(input, Field::PublicKey, origin)?;
    WrappingPublicKey::from_der(der.as_bytes()).map_err(|e| e.to_string())
}
