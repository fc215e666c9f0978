//! Wrapping keys, wrap (client side) and unwrap (service side).

use core::ffi::{c_char, c_int, c_void};

use kms_import::{
    Error, WrappingAlgorithm, WrappingKeySpec, WrappingPrivateKey, WrappingPublicKey,
    WrappingScheme,
};

use crate::{CallbackRng, Out, Result, Span, check_no_overlap, guard, kms_import_rng_fn};
use crate::{bytes_in, kms_import_status as S, name_in};

/// Generates a wrapping key pair of `wrapping_key_spec` (`"RSA_2048"`, `"RSA_3072"`,
/// `"RSA_4096"`, `"SM2"`): the private key as PKCS#8 DER into `pkcs8` (a secret, wiped on any
/// failure), the public key as DER SubjectPublicKeyInfo (what KMS returns as `PublicKey`) into
/// `spki`. Capacities of `KMS_IMPORT_MAX_PKCS8_LEN` and `KMS_IMPORT_MAX_SPKI_LEN` always suffice;
/// when one is too small the key is discarded and both lengths needed are stored.
///
/// `KMS_IMPORT_UNSUPPORTED` in a build without `keygen` (or, for `SM2`, without `sm2`).
///
/// # Safety
/// See the crate documentation: pointers NULL or valid for their lengths, `rng` callable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kms_import_generate_wrapping_key(
    wrapping_key_spec: *const c_char,
    rng: kms_import_rng_fn,
    rng_ctx: *mut c_void,
    pkcs8: *mut u8,
    pkcs8_cap: usize,
    pkcs8_len: *mut usize,
    spki: *mut u8,
    spki_cap: usize,
    spki_len: *mut usize,
) -> c_int {
    let body = || -> Result<()> {
        // SAFETY: the caller's contract.
        let spec: WrappingKeySpec = unsafe { name_in(wrapping_key_spec) }?;
        let mut rng = CallbackRng::new(rng, rng_ctx)?;
        let pkcs8_out = Out::new(pkcs8, pkcs8_cap, pkcs8_len)?;
        let spki_out = Out::new(spki, spki_cap, spki_len)?;
        check_no_overlap(&[pkcs8_out.span(), spki_out.span()], &[])?;
        let key = WrappingPrivateKey::generate(spec, &mut rng);
        rng.check()?;
        let key = key?;
        let private = key.to_pkcs8_der()?;
        let public = key.public_key().to_der();
        // SAFETY: the buffers are the caller's, checked above.
        let (fits_private, fits_public) =
            unsafe { (pkcs8_out.fits(private.len()), spki_out.fits(public.len())) };
        if !(fits_private && fits_public) {
            return Err(S::KMS_IMPORT_BUFFER_TOO_SMALL.into());
        }
        // SAFETY: as above; both fit.
        unsafe {
            pkcs8_out.write(&private);
            spki_out.write(&public);
        }
        Ok(())
    };
    // SAFETY: `pkcs8` is the caller's buffer of `pkcs8_cap` bytes (or NULL).
    unsafe { guard(&[(pkcs8, pkcs8_cap)], (core::ptr::null_mut(), 0), body) }
}

/// The scheme of an algorithm name: unknown names and `RSAES_PKCS1_V1_5` (refused since
/// 2023-10-10) fail.
unsafe fn scheme_in(wrapping_algorithm: *const c_char) -> Result<WrappingScheme> {
    // SAFETY: the caller's contract.
    let algorithm: WrappingAlgorithm = unsafe { name_in(wrapping_algorithm) }?;
    WrappingScheme::try_from(algorithm).map_err(|refusal| Error::from(refusal).into())
}

/// Client side: encrypts `material` (raw key bytes, or PKCS#8 DER of an RSA, ECC or SM2 key)
/// under the wrapping public key `spki` (DER SubjectPublicKeyInfo, as `GetParametersForImport`
/// returns it) with `wrapping_algorithm`, into `out`: exactly the `EncryptedKeyMaterial` AWS KMS
/// expects. `KMS_IMPORT_MAX_ENCRYPTED_KEY_MATERIAL_LEN` bytes always suffice.
///
/// This does not know the key spec: call `kms_import_check` and `kms_import_check_material`
/// first.
///
/// # Safety
/// See the crate documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kms_import_wrap(
    wrapping_algorithm: *const c_char,
    spki: *const u8,
    spki_len: usize,
    material: *const u8,
    material_len: usize,
    rng: kms_import_rng_fn,
    rng_ctx: *mut c_void,
    out: *mut u8,
    out_cap: usize,
    out_len: *mut usize,
) -> c_int {
    let body = || -> Result<()> {
        // SAFETY: the caller's contract, for every argument.
        let (scheme, spki_bytes, material_bytes) = unsafe {
            (
                scheme_in(wrapping_algorithm)?,
                bytes_in(spki, spki_len)?,
                bytes_in(material, material_len)?,
            )
        };
        let mut rng = CallbackRng::new(rng, rng_ctx)?;
        let out = Out::new(out, out_cap, out_len)?;
        check_no_overlap(
            &[out.span()],
            &[Span::of(spki, spki_len), Span::of(material, material_len)],
        )?;
        let public = WrappingPublicKey::from_der(spki_bytes)?;
        let ciphertext = public.wrap_key_material(scheme, material_bytes, &mut rng);
        rng.check()?;
        // SAFETY: the caller's buffer, checked above.
        unsafe { out.put(&ciphertext?) }
    };
    // The ciphertext is no secret; nothing to wipe.
    // SAFETY: no buffers to wipe.
    unsafe { guard(&[], (core::ptr::null_mut(), 0), body) }
}

/// Service side: decrypts `ciphertext` (`EncryptedKeyMaterial`) with the wrapping private key
/// `pkcs8` (PKCS#8 DER) and `wrapping_algorithm` into `out` (the plaintext key material: a
/// secret, wiped from `out` on any failure). A capacity of `ciphertext_len` bytes always
/// suffices. RSA private operations are blinded with `rng`.
///
/// Every way the ciphertext can be wrong is the one status `KMS_IMPORT_INVALID_CIPHERTEXT`.
/// The material is not judged here: call `kms_import_check_material`.
///
/// # Safety
/// See the crate documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kms_import_unwrap(
    wrapping_algorithm: *const c_char,
    pkcs8: *const u8,
    pkcs8_len: usize,
    ciphertext: *const u8,
    ciphertext_len: usize,
    rng: kms_import_rng_fn,
    rng_ctx: *mut c_void,
    out: *mut u8,
    out_cap: usize,
    out_len: *mut usize,
) -> c_int {
    let body = || -> Result<()> {
        // SAFETY: the caller's contract, for every argument.
        let (scheme, key_bytes, ciphertext_bytes) = unsafe {
            (
                scheme_in(wrapping_algorithm)?,
                bytes_in(pkcs8, pkcs8_len)?,
                bytes_in(ciphertext, ciphertext_len)?,
            )
        };
        let mut rng = CallbackRng::new(rng, rng_ctx)?;
        let out = Out::new(out, out_cap, out_len)?;
        check_no_overlap(
            &[out.span()],
            &[
                Span::of(pkcs8, pkcs8_len),
                Span::of(ciphertext, ciphertext_len),
            ],
        )?;
        let key = WrappingPrivateKey::from_pkcs8_der(key_bytes)?;
        let material = key.unwrap_key_material(scheme, ciphertext_bytes, &mut rng);
        rng.check()?;
        // SAFETY: the caller's buffer, checked above.
        unsafe { out.put(material?.as_bytes()) }
    };
    // SAFETY: `out` is the caller's buffer of `out_cap` bytes (or NULL).
    unsafe { guard(&[(out, out_cap)], (core::ptr::null_mut(), 0), body) }
}
