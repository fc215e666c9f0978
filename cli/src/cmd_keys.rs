//! `create-wrapping-key`, `create-token-key`, `sample-material`.

use std::path::Path;

use kms_import::{KeySpec, Partition, WrappingKeySpec};

use crate::failure::Outcome;
use crate::files::Access;
use crate::guard::distinct;
use crate::keys::{TOKEN_KEY_LEN, generate_wrapping_key};
use crate::rng::random_bytes;
use crate::target::{self, Out};

/// Writes a fresh wrapping key pair: DER SPKI (public) and PKCS#8 DER (private, mode 0600, not
/// over an existing file without `force`). Both outputs are checked before the key is generated.
pub fn create_wrapping_key(
    spec: WrappingKeySpec,
    public_out: &Path,
    private_out: &Path,
    force: bool,
) -> Outcome {
    let public = Out {
        path: public_out,
        flag: "--public-key-out",
        what: "the public key",
        secret: false,
        force,
    };
    let private = Out {
        path: private_out,
        flag: "--private-key-out",
        what: "the private key",
        secret: true,
        force,
    };
    distinct(
        &[],
        &[(private_out, private.flag), (public_out, public.flag)],
    )?;
    let private_target = target::plan(private)?;
    let public_target = target::plan(public)?;
    let key = generate_wrapping_key(spec)?;
    let public_der = key.public_key().to_der();
    let private_der = key.to_pkcs8_der()?;
    target::write_pair(
        (private_target, &private_der, Access::OwnerOnly),
        (public_target, &public_der, Access::Default),
    )
}

/// Writes a token sealing key: 32 bytes from the OS CSPRNG, mode 0600.
pub fn create_token_key(out: &Path, force: bool) -> Outcome {
    let target = target::plan(secret_out(out, "the token key", force))?;
    let key = random_bytes(TOKEN_KEY_LEN)?;
    target::write(target, key.as_bytes(), Access::OwnerOnly).map(drop)
}

/// Writes sample material for `key_spec` (mode 0600: it is a secret like any other).
pub fn sample_material(
    key_spec: KeySpec,
    partition: Partition,
    out: &Path,
    force: bool,
) -> Outcome {
    let target = target::plan(secret_out(out, "the key material", force))?;
    let material = crate::sample::generate(key_spec, partition)?;
    target::write(target, material.as_bytes(), Access::OwnerOnly).map(drop)
}

fn secret_out<'a>(path: &'a Path, what: &'static str, force: bool) -> Out<'a> {
    Out {
        path,
        flag: "--out",
        what,
        secret: true,
        force,
    }
}
