//! Reading and generating wrapping keys and token keys.

use std::path::Path;

use kms_import::{KeyMaterial, WrappingKeySpec, WrappingPrivateKey, WrappingPublicKey};

use crate::encoding::{Field, decode};
use crate::failure::{Failure, Outcome};
use crate::files::read_input;
use crate::rng::os_rng;
use crate::spinner::with_spinner;

/// Length of a token sealing key: an AES-256-GCM key.
pub const TOKEN_KEY_LEN: usize = 32;

/// Reads a wrapping public key (DER SPKI, PEM `PUBLIC KEY`, base64 of the DER, or the
/// `get-parameters-for-import` JSON).
pub fn read_public_key(path: &Path) -> Outcome<WrappingPublicKey> {
    let input = read_input(path, "public key")?;
    let der = decode(input.as_bytes(), Field::PublicKey)
        .map_err(|why| Failure::refused(format_args!("{}: {why}", path.display())))?;
    WrappingPublicKey::from_der(der.as_bytes())
        .map_err(|e| Failure::refused(format_args!("{}: {e}", path.display())))
}

/// Reads a wrapping private key (PKCS#8 DER, PEM `PRIVATE KEY`, or base64 of the DER).
pub fn read_private_key(path: &Path) -> Outcome<WrappingPrivateKey> {
    let input = read_input(path, "private key")?;
    let der = decode(input.as_bytes(), Field::PrivateKey)
        .map_err(|why| Failure::refused(format_args!("{}: {why}", path.display())))?;
    WrappingPrivateKey::from_pkcs8_der(der.as_bytes())
        .map_err(|e| Failure::refused(format_args!("{}: {e}", path.display())))
}

/// Reads a token sealing key: exactly 32 raw bytes.
pub fn read_token_key(path: &Path) -> Outcome<KeyMaterial> {
    let key = read_input(path, "token key")?;
    if key.len() != TOKEN_KEY_LEN {
        return Err(Failure::refused(format_args!(
            "the token key {} must be exactly {TOKEN_KEY_LEN} bytes (make one with `kms-import create-token-key`), not {}",
            path.display(),
            key.len()
        )));
    }
    Ok(key)
}

/// Generates a wrapping key pair, with a spinner on a terminal while it takes long.
pub fn generate_wrapping_key(spec: WrappingKeySpec) -> Outcome<WrappingPrivateKey> {
    let label = format!("generating a {spec} key");
    Ok(with_spinner(&label, || {
        WrappingPrivateKey::generate(spec, &mut os_rng())
    })?)
}
