//! Reading keys, tokens and ciphertexts (each where `input` allows it, decoded by `encoding`),
//! and generating wrapping keys.

use std::path::Path;

use kms_import::{KeyMaterial, WrappingKeySpec, WrappingPrivateKey, WrappingPublicKey};
use kms_import_client::encoding::{Field, decode};
use kms_import_client::keys::public_key;

use crate::failure::{Failure, Outcome};
use crate::input::{
    self, ENCRYPTED_KEY_MATERIAL, IMPORT_TOKEN, Input, PRIVATE_KEY, PUBLIC_KEY, TOKEN_KEY, What,
};
use crate::rng::os_rng;
use crate::spinner::with_spinner;

/// Length of a token sealing key: an AES-256-GCM key.
pub const TOKEN_KEY_LEN: usize = 32;

/// Reads a wrapping public key (DER SPKI, PEM `PUBLIC KEY`, base64 of the DER, or the
/// `get-parameters-for-import` JSON) from a file, standard input or the value itself.
pub fn read_public_key(arg: &Path) -> Outcome<WrappingPublicKey> {
    let input = input::read(arg, PUBLIC_KEY)?;
    public_key(input.bytes.as_bytes(), &input.origin).map_err(|why| {
        Failure::refused(format_args!(
            "{}: {why}",
            input.origin.shown(PUBLIC_KEY.flag)
        ))
    })
}

/// Reads a wrapping private key (PKCS#8 DER, PEM `PRIVATE KEY`, or base64 of the DER) from a
/// private regular file or standard input.
pub fn read_private_key(arg: &Path) -> Outcome<WrappingPrivateKey> {
    let input = input::read(arg, PRIVATE_KEY)?;
    let der = decoded(&input, Field::PrivateKey, PRIVATE_KEY)?;
    WrappingPrivateKey::from_pkcs8_der(der.as_bytes()).map_err(|e| {
        Failure::refused(format_args!(
            "{}: {e}",
            input.origin.shown(PRIVATE_KEY.flag)
        ))
    })
}

/// Reads a token sealing key: exactly 32 raw bytes, from a private regular file or standard
/// input.
pub fn read_token_key(arg: &Path) -> Outcome<KeyMaterial> {
    let input = input::read(arg, TOKEN_KEY)?;
    if input.bytes.len() != TOKEN_KEY_LEN {
        return Err(Failure::refused(format_args!(
            "the token key {} must be exactly {TOKEN_KEY_LEN} bytes (make one with `kms-import create-token-key`), not {}",
            input.origin.shown(TOKEN_KEY.flag),
            input.bytes.len()
        )));
    }
    Ok(input.bytes)
}

/// Reads an `ImportToken`: raw bytes, base64 text, or the `get-parameters-for-import` JSON. A
/// refusal is `InvalidImportTokenException`, as KMS would answer.
pub fn read_import_token(arg: &Path) -> Outcome<KeyMaterial> {
    let input = input::read(arg, IMPORT_TOKEN)?;
    decode(input.bytes.as_bytes(), Field::ImportToken, &input.origin).map_err(|why| {
        Failure::refused(format_args!(
            "InvalidImportTokenException: {}: {why}",
            input.origin.shown(IMPORT_TOKEN.flag)
        ))
    })
}

/// Reads `EncryptedKeyMaterial`: raw bytes or their base64 text. `exception`: a refusal starts
/// with `InvalidCiphertextException` (the service side).
pub fn read_ciphertext(arg: &Path, exception: bool) -> Outcome<KeyMaterial> {
    let input = input::read(arg, ENCRYPTED_KEY_MATERIAL)?;
    decode(input.bytes.as_bytes(), Field::Ciphertext, &input.origin).map_err(|why| {
        let prefix = if exception {
            "InvalidCiphertextException: "
        } else {
            ""
        };
        Failure::refused(format_args!(
            "{prefix}{}: {why}",
            input.origin.shown(ENCRYPTED_KEY_MATERIAL.flag)
        ))
    })
}

fn decoded(input: &Input, field: Field, what: What) -> Outcome<KeyMaterial> {
    decode(input.bytes.as_bytes(), field, &input.origin)
        .map_err(|why| Failure::refused(format_args!("{}: {why}", input.origin.shown(what.flag))))
}

/// Generates a wrapping key pair, with a spinner on a terminal while it takes long.
pub fn generate_wrapping_key(spec: WrappingKeySpec) -> Outcome<WrappingPrivateKey> {
    let label = format!("generating a {spec} key");
    Ok(with_spinner(&label, || {
        WrappingPrivateKey::generate(spec, &mut os_rng())
    })?)
}
