//! The compatibility matrix and the key material checks, and the names of the statuses.

use core::ffi::{CStr, c_char, c_int, c_void};

use kms_import::{Error, KeySpec, Partition, WrappingAlgorithm, WrappingKeySpec, material, matrix};

use crate::rng::NoRng;
use crate::{CallbackRng, Fail, Result, bytes_in, guard, kms_import_rng_fn, name_in};

/// Whether AWS KMS accepts importing `key_spec` material with `wrapping_algorithm` under a
/// `wrapping_key_spec` wrapping key in `partition` (`"aws"`, `"aws-cn"`, `"aws-us-gov"`):
/// `KMS_IMPORT_OK`, or `KMS_IMPORT_NOT_ALLOWED` with the reason and what to use instead in
/// `reason` (`KMS_IMPORT_UNKNOWN_NAME`: the valid names).
///
/// # Safety
/// See the crate documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kms_import_check(
    partition: *const c_char,
    wrapping_algorithm: *const c_char,
    wrapping_key_spec: *const c_char,
    key_spec: *const c_char,
    reason: *mut c_char,
    reason_cap: usize,
) -> c_int {
    let body = || -> Result<()> {
        // SAFETY: the caller's contract, for every argument.
        let (partition, algorithm, wks, key_spec) = unsafe {
            (
                name_in::<Partition>(partition)?,
                name_in::<WrappingAlgorithm>(wrapping_algorithm)?,
                name_in::<WrappingKeySpec>(wrapping_key_spec)?,
                name_in::<KeySpec>(key_spec)?,
            )
        };
        matrix::check(partition, algorithm, wks, key_spec).map_err(|r| Error::from(r).into())
    };
    // SAFETY: `reason` is the caller's buffer of `reason_cap` bytes (or NULL).
    unsafe { guard(&[], (reason, reason_cap), body) }
}

/// Whether `material` is what a `key_spec` key accepts on import in `partition`: raw key bytes of
/// the exact length, or a strict, consistent PKCS#8 private key of the right algorithm, curve and
/// size (RSA keys: FIPS 186-5 A.1 checks, whose Miller–Rabin bases come from `rng`; `rng` may be
/// NULL for other key specs). `KMS_IMPORT_INCORRECT_KEY_MATERIAL` with the reason, or
/// `KMS_IMPORT_NOT_ALLOWED` for a key spec that takes no material in the partition.
///
/// # Safety
/// See the crate documentation.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kms_import_check_material(
    partition: *const c_char,
    key_spec: *const c_char,
    material: *const u8,
    material_len: usize,
    rng: kms_import_rng_fn,
    rng_ctx: *mut c_void,
    reason: *mut c_char,
    reason_cap: usize,
) -> c_int {
    let body = || -> Result<()> {
        // SAFETY: the caller's contract, for every argument.
        let (partition, key_spec, material) = unsafe {
            (
                name_in::<Partition>(partition)?,
                name_in::<KeySpec>(key_spec)?,
                bytes_in(material, material_len)?,
            )
        };
        let needs_rng = matches!(
            key_spec.rule().material,
            material::MaterialForm::RsaPkcs8 { .. }
        );
        let mut rng = match (rng, needs_rng) {
            (None, false) => None,
            _ => Some(CallbackRng::new(rng, rng_ctx)?),
        };
        let result = match rng.as_mut() {
            Some(rng) => material::validate(partition, key_spec, material, rng),
            None => material::validate(partition, key_spec, material, &mut NoRng),
        };
        if let Some(rng) = &rng {
            rng.check()?;
        }
        result.map_err(Fail::from)
    };
    // SAFETY: `reason` is the caller's buffer of `reason_cap` bytes (or NULL).
    unsafe { guard(&[], (reason, reason_cap), body) }
}

/// The name of a status: the KMS exception name for the exception statuses
/// (`"InvalidCiphertextException"`), else the constant's name (`"KMS_IMPORT_BUFFER_TOO_SMALL"`);
/// `"KMS_IMPORT_UNKNOWN_STATUS"` for a number that is no status. A static string: do not free.
#[unsafe(no_mangle)]
pub extern "C" fn kms_import_status_name(status: c_int) -> *const c_char {
    let name: &'static CStr = match status {
        0 => c"KMS_IMPORT_OK",
        1 => c"KMS_IMPORT_INVALID_CIPHERTEXT",
        2 => c"KMS_IMPORT_BUFFER_TOO_SMALL",
        3 => c"KMS_IMPORT_UNKNOWN_NAME",
        4 => c"KMS_IMPORT_NOT_ALLOWED",
        5 => c"KMS_IMPORT_INCORRECT_KEY_MATERIAL",
        6 => c"KMS_IMPORT_RNG_FAILURE",
        7 => c"KMS_IMPORT_INVALID_KEY",
        8 => c"KMS_IMPORT_MATERIAL_LENGTH",
        9 => c"KMS_IMPORT_NULL_POINTER",
        10 => c"KMS_IMPORT_INVALID_ARGUMENT",
        11 => c"KMS_IMPORT_UNSUPPORTED",
        12 => c"KMS_IMPORT_INTERNAL_ERROR",
        100 => c"InvalidArnException",
        101 => c"UnsupportedOperationException",
        102 => c"KMSInvalidStateException",
        103 => c"ValidationException",
        104 => c"NotFoundException",
        105 => c"InvalidImportTokenException",
        106 => c"ExpiredImportTokenException",
        107 => c"InvalidCiphertextException",
        108 => c"IncorrectKeyMaterialException",
        109 => c"KMSInternalException",
        _ => c"KMS_IMPORT_UNKNOWN_STATUS",
    };
    name.as_ptr()
}
