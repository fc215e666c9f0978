//! `create-wrapping-key`, `create-token-key`, `sample-material`.

use std::path::Path;

use kms_import::{KeySpec, Partition, WrappingKeySpec};

use crate::failure::Outcome;
use crate::files::{Access, write_atomically, write_pair};
use crate::keys::{TOKEN_KEY_LEN, generate_wrapping_key};
use crate::rng::random_bytes;

/// Writes a fresh wrapping key pair: DER SPKI (public) and PKCS#8 DER (private, mode 0600).
pub fn create_wrapping_key(
    spec: WrappingKeySpec,
    public_out: &Path,
    private_out: &Path,
) -> Outcome {
    let private = generate_wrapping_key(spec)?;
    let public_der = private.public_key().to_der();
    let private_der = private.to_pkcs8_der()?;
    write_pair(
        (private_out, &private_der, Access::OwnerOnly),
        (public_out, &public_der, Access::Default),
    )
}

/// Writes a token sealing key: 32 bytes from the OS CSPRNG, mode 0600.
pub fn create_token_key(out: &Path) -> Outcome {
    let key = random_bytes(TOKEN_KEY_LEN)?;
    write_atomically(out, key.as_bytes(), Access::OwnerOnly)
}

/// Writes sample material for `key_spec` (mode 0600: it is a secret like any other).
pub fn sample_material(key_spec: KeySpec, partition: Partition, out: &Path) -> Outcome {
    let material = crate::sample::generate(key_spec, partition)?;
    write_atomically(out, material.as_bytes(), Access::OwnerOnly)
}
