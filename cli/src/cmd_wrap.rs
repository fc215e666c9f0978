//! `wrap` (client side) and `unwrap`.

use kms_import::{Error, WrappingAlgorithm, WrappingScheme, matrix};
use kms_import_client::wrap_checks::{self, Wrapping};

use crate::cli::{UnwrapArgs, WrapArgs};
use crate::failure::{Failure, Outcome};
use crate::files::Access;
use crate::guard::distinct;
use crate::input::{ENCRYPTED_KEY_MATERIAL, KEY_MATERIAL, PRIVATE_KEY, PUBLIC_KEY};
use crate::keys::{read_ciphertext, read_private_key, read_public_key};
use crate::output::note;
use crate::rng::os_rng;
use crate::target::{self, Out};

/// `RSAES_PKCS1_V1_5` is refused before anything else is read, wherever it appears (exit 1 with
/// the deprecation message).
pub fn scheme(algorithm: WrappingAlgorithm) -> Outcome<WrappingScheme> {
    WrappingScheme::try_from(algorithm).map_err(|refusal| Error::from(refusal).into())
}

/// Encrypts the material as KMS expects it. First refuses what KMS would refuse (`kms_import_client::wrap_checks`):
/// the matrix and the material for `--key-spec`, or for every key spec the material can be for;
/// `--no-check` skips that.
pub fn wrap(args: &WrapArgs) -> Outcome {
    let algorithm = args.wrapping_algorithm;
    let scheme = scheme(algorithm)?;
    let out = Out {
        path: &args.out,
        flag: "--out",
        what: "the encrypted key material",
        secret: false,
        force: false,
    };
    distinct(
        &[
            (&args.public_key, PUBLIC_KEY),
            (&args.key_material, KEY_MATERIAL),
        ],
        &[(&args.out, out.flag)],
    )?;
    let target = target::plan(out)?;
    let public = read_public_key(&args.public_key)?;
    // An algorithm for another kind of wrapping key is named as such before anything else.
    matrix::check_wrapping_key(scheme, public.spec(), 1).map_err(Failure::refused)?;
    let key_material = crate::material_input::read(&args.key_material)?;
    if !args.no_check {
        let wrapping = Wrapping {
            partition: args.partition.partition,
            algorithm,
            wrapping_key_spec: public.spec(),
        };
        let assumed = wrap_checks::check(
            &wrapping,
            args.key_spec,
            key_material.as_bytes(),
            &mut os_rng(),
        )
        .map_err(Failure::refused)?;
        if let Some(text) = assumed {
            note(&text);
        }
    }
    let encrypted = public.wrap_key_material(scheme, key_material.as_bytes(), &mut os_rng())?;
    target::write(target, &encrypted, Access::Default).map(drop)
}

/// Decrypts EncryptedKeyMaterial; the plaintext goes to a mode-0600 file (never over an existing
/// one without `--force`), or to standard output when it is not a terminal.
pub fn unwrap(args: &UnwrapArgs) -> Outcome {
    let scheme = scheme(args.wrapping_algorithm)?;
    let out = Out {
        path: &args.out,
        flag: "--out",
        what: "the plaintext key material",
        secret: true,
        force: args.force,
    };
    distinct(
        &[
            (&args.private_key, PRIVATE_KEY),
            (&args.encrypted_key_material, ENCRYPTED_KEY_MATERIAL),
        ],
        &[(&args.out, out.flag)],
    )?;
    let target = target::plan(out)?;
    let private = read_private_key(&args.private_key)?;
    let encrypted = read_ciphertext(&args.encrypted_key_material, false)?;
    let plaintext = private.unwrap_key_material(scheme, encrypted.as_bytes(), &mut os_rng())?;
    target::write(target, plaintext.as_bytes(), Access::OwnerOnly).map(drop)
}
