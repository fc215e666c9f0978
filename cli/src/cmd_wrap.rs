//! `wrap` (client side) and `unwrap`.

use kms_import::{Error, WrappingAlgorithm, WrappingScheme, material, matrix};

use crate::cli::{UnwrapArgs, WrapArgs};
use crate::failure::{Failure, Outcome};
use crate::files::{Access, read_input, write_atomically};
use crate::keys::{read_private_key, read_public_key};
use crate::rng::os_rng;

/// `RSAES_PKCS1_V1_5` is refused before anything else is read (issue 5: "anywhere → exit 1 with
/// the deprecation message").
pub fn scheme(algorithm: WrappingAlgorithm) -> Outcome<WrappingScheme> {
    WrappingScheme::try_from(algorithm).map_err(|refusal| Error::from(refusal).into())
}

/// Encrypts the material as KMS expects it. With `--key-spec`, first refuses what KMS would
/// refuse: the matrix (partition, algorithm, wrapping key spec, key spec), then the material
/// itself (length; PKCS#8 type, curve, size and consistency).
pub fn wrap(args: &WrapArgs) -> Outcome {
    let algorithm = args.wrapping_algorithm;
    let scheme = scheme(algorithm)?;
    let public = read_public_key(&args.public_key)?;
    let key_material = read_input(&args.key_material, "key material")?;
    if let Some(key_spec) = args.key_spec {
        let partition = args.partition.partition;
        matrix::check(partition, algorithm, public.spec(), key_spec).map_err(Failure::refused)?;
        material::validate(partition, key_spec, key_material.as_bytes(), &mut os_rng())?;
    }
    let encrypted = public.wrap_key_material(scheme, key_material.as_bytes(), &mut os_rng())?;
    write_atomically(&args.out, &encrypted, Access::Default)
}

/// Decrypts EncryptedKeyMaterial; the plaintext goes to a mode-0600 file, never to the terminal.
pub fn unwrap(args: &UnwrapArgs) -> Outcome {
    let scheme = scheme(args.wrapping_algorithm)?;
    let private = read_private_key(&args.private_key)?;
    let encrypted = read_input(&args.encrypted_key_material, "encrypted key material")?;
    let plaintext = private.unwrap_key_material(scheme, encrypted.as_bytes(), &mut os_rng())?;
    write_atomically(&args.out, plaintext.as_bytes(), Access::OwnerOnly)
}
