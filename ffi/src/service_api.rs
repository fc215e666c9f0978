//! The service operations for KMS hosts: `GetParametersForImport` and `ImportKeyMaterial` on an
//! `ImportService`, with flat request and response structs. The host brings the key's metadata
//! as it stores it ([`kms_import_key_metadata`]) and the time in seconds since the Unix epoch.
//!
//! Statuses: `KMS_IMPORT_OK`, the KMS exception statuses (`KMS_IMPORT_*_EXCEPTION`, with
//! `"ExceptionName: message"` in `message`), `KMS_IMPORT_BUFFER_TOO_SMALL` (the response's
//! `*_len` fields hold the lengths needed), and the argument statuses (NULL pointers, names in the
//! metadata that are not AWS's: `KMS_IMPORT_UNKNOWN_NAME`). A request field that is not a valid
//! AWS value is `KMS_IMPORT_VALIDATION_EXCEPTION`, as KMS answers it.

use core::ffi::{c_char, c_int, c_void};

use crate::{CallbackRng, kms_import_status as S};
use crate::{Result, guard, kms_import_rng_fn, kms_import_service};

/// One key material the KMS holds for the key (as `ListKeyRotations` lists it).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct kms_import_associated_key_material {
    /// Its `KeyMaterialId`: 64 lower-case hex characters.
    pub key_material_id: *const c_char,
    /// Its `KeyMaterialState`: `"CURRENT"`, `"NON_CURRENT"`, `"PENDING_ROTATION"`,
    /// `"PENDING_MULTI_REGION_IMPORT_AND_ROTATION"`.
    pub key_material_state: *const c_char,
    /// Its `ImportState`: `"IMPORTED"` or `"PENDING_IMPORT"`.
    pub import_state: *const c_char,
}

/// The key a request names, as the KMS stores it.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct kms_import_key_metadata {
    /// The key ARN (`arn:aws:kms:us-east-2:111122223333:key/1234abcd-...`), or, for a host that
    /// knows only that, the key ID.
    pub key: *const c_char,
    /// The partition (`"aws"`, `"aws-cn"`, `"aws-us-gov"`); NULL: the ARN's, or `"aws"` with a
    /// key ID. With an ARN it must be the ARN's.
    pub partition: *const c_char,
    /// `KeySpec` (`"SYMMETRIC_DEFAULT"`, `"ECC_NIST_P256"`, ...).
    pub key_spec: *const c_char,
    /// `KeyUsage` (`"ENCRYPT_DECRYPT"`, `"SIGN_VERIFY"`, ...).
    pub key_usage: *const c_char,
    /// `KeyState`; NULL: `"PendingImport"`.
    pub key_state: *const c_char,
    /// `Origin`; NULL: `"EXTERNAL"`.
    pub origin: *const c_char,
    /// `MultiRegionKeyType` (`"PRIMARY"`, `"REPLICA"`); NULL: a single-Region key.
    pub multi_region_key_type: *const c_char,
    /// Non-zero when the key lives in a custom key store.
    pub custom_key_store: c_int,
    /// The key materials associated with the key (`key_materials_count` of them; NULL with 0).
    pub key_materials: *const kms_import_associated_key_material,
    /// How many.
    pub key_materials_count: usize,
}

/// `GetParametersForImport`'s request.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct kms_import_get_parameters_for_import_request {
    /// `KeyId`: a key ID or key ARN.
    pub key_id: *const c_char,
    /// `WrappingAlgorithm`.
    pub wrapping_algorithm: *const c_char,
    /// `WrappingKeySpec`.
    pub wrapping_key_spec: *const c_char,
    /// Optional: a wrapping key generated beforehand (PKCS#8 DER of `wrapping_key_spec`, e.g.
    /// from a pool, or provisioned in a build without `keygen`); NULL with length 0: a fresh key
    /// is generated. Use each key for one token only.
    pub wrapping_key_pkcs8: *const u8,
    /// Its length in bytes.
    pub wrapping_key_pkcs8_len: usize,
}

/// `GetParametersForImport`'s response, in the caller's buffers: set the pointers and
/// capacities; the call fills the lengths and `parameters_valid_to`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct kms_import_get_parameters_for_import_response {
    /// `KeyId` (the key ARN; the key ID when the metadata has no ARN), NUL-terminated.
    pub key_id: *mut c_char,
    /// Capacity of `key_id` (`KMS_IMPORT_MAX_KEY_ID_LEN` always suffices).
    pub key_id_cap: usize,
    /// Length written, without the NUL (needed length + 1 must fit).
    pub key_id_len: usize,
    /// `ImportToken`.
    pub import_token: *mut u8,
    /// Capacity (`KMS_IMPORT_MAX_IMPORT_TOKEN_LEN` always suffices).
    pub import_token_cap: usize,
    /// Length written.
    pub import_token_len: usize,
    /// `PublicKey`: DER SubjectPublicKeyInfo.
    pub public_key: *mut u8,
    /// Capacity (`KMS_IMPORT_MAX_SPKI_LEN` always suffices).
    pub public_key_cap: usize,
    /// Length written.
    pub public_key_len: usize,
    /// `ParametersValidTo`, seconds since the Unix epoch.
    pub parameters_valid_to: u64,
}

/// `ImportKeyMaterial`'s request.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct kms_import_import_key_material_request {
    /// `KeyId`: a key ID or key ARN.
    pub key_id: *const c_char,
    /// `ImportToken`.
    pub import_token: *const u8,
    /// Its length.
    pub import_token_len: usize,
    /// `EncryptedKeyMaterial`.
    pub encrypted_key_material: *const u8,
    /// Its length.
    pub encrypted_key_material_len: usize,
    /// `ExpirationModel`; NULL: absent (KMS's default, `KEY_MATERIAL_EXPIRES`).
    pub expiration_model: *const c_char,
    /// `ValidTo`, seconds since the Unix epoch (round a fraction up); 0: absent.
    pub valid_to: u64,
    /// `ImportType`; NULL: absent.
    pub import_type: *const c_char,
    /// `KeyMaterialId`; NULL: absent.
    pub key_material_id: *const c_char,
    /// `KeyMaterialDescription`; NULL: absent.
    pub key_material_description: *const c_char,
}

/// `ImportKeyMaterial`'s outcome: the response and what the KMS must store. Set the pointers and
/// capacities; the call fills the rest.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct kms_import_import_key_material_response {
    /// The validated plaintext key material: a secret, wiped from the buffer on any failure.
    pub material: *mut u8,
    /// Capacity (`KMS_IMPORT_MAX_MATERIAL_LEN` always suffices).
    pub material_cap: usize,
    /// Length written.
    pub material_len: usize,
    /// `KeyId` of the response (the key ARN), NUL-terminated.
    pub key_id: *mut c_char,
    /// Capacity of `key_id`.
    pub key_id_cap: usize,
    /// Length written, without the NUL.
    pub key_id_len: usize,
    /// `KeyMaterialId` of the response: 64 lower-case hex characters and a NUL.
    pub key_material_id: [c_char; 65],
    /// The `ImportType` that applied.
    pub import_type: [c_char; 48],
    /// The `KeyMaterialState` of this material after the import.
    pub key_material_state: [c_char; 48],
    /// The key's `KeyState` after the import.
    pub key_state: [c_char; 48],
    /// The `ExpirationModel` that applies.
    pub expiration_model: [c_char; 48],
    /// `ValidTo` of the material, seconds since the Unix epoch; 0 when it does not expire.
    pub valid_to: u64,
}

/// Makes an `ImportService` from a 32-byte master secret (the token sealing key, with id
/// `sealing_key_id`, and the `KeyMaterialId` key are derived from it; the same secret gives the
/// same service, so tokens survive a restart). `*out` receives it; free it with
/// `kms_import_service_free`. `KMS_IMPORT_INVALID_ARGUMENT` when the secret is not 32 bytes.
///
/// # Safety
/// See the crate documentation; `out` is valid for one pointer write.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kms_import_service_new(
    master_secret: *const u8,
    master_secret_len: usize,
    sealing_key_id: u32,
    out: *mut *mut kms_import_service,
) -> c_int {
    let body = || -> Result<()> {
        if out.is_null() {
            return Err(S::KMS_IMPORT_NULL_POINTER.into());
        }
        // SAFETY: the caller's contract.
        let secret = unsafe { crate::bytes_in(master_secret, master_secret_len) }?;
        let inner = crate::service::new(secret, sealing_key_id)?;
        let service = alloc::boxed::Box::new(kms_import_service { inner });
        // SAFETY: `out` is non-NULL and writable for one pointer by the contract.
        unsafe { out.write_unaligned(alloc::boxed::Box::into_raw(service)) };
        Ok(())
    };
    // SAFETY: no buffers.
    unsafe { guard(&[], (core::ptr::null_mut(), 0), body) }
}

/// Frees a service made by `kms_import_service_new` (its secrets are wiped). NULL is ignored.
///
/// # Safety
/// `service` is NULL or a pointer `kms_import_service_new` returned, not freed before, and not
/// in use by another thread.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kms_import_service_free(service: *mut kms_import_service) {
    if service.is_null() {
        return;
    }
    // SAFETY: the pointer came from `Box::into_raw` in `kms_import_service_new` and is freed
    // once (the contract); dropping wipes the secrets.
    drop(unsafe { alloc::boxed::Box::from_raw(service) });
}

/// `GetParametersForImport` for the key `key` at `now` (seconds since the Unix epoch): checks the
/// request, generates (or takes) the wrapping key, seals it into the import token, and fills
/// `response`. On a KMS exception, `message` receives `"ExceptionName: message"`.
///
/// # Safety
/// See the crate documentation; `response`'s buffers are the caller's.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kms_import_get_parameters_for_import(
    service: *const kms_import_service,
    request: *const kms_import_get_parameters_for_import_request,
    key: *const kms_import_key_metadata,
    now: u64,
    rng: kms_import_rng_fn,
    rng_ctx: *mut c_void,
    response: *mut kms_import_get_parameters_for_import_response,
    message: *mut c_char,
    message_cap: usize,
) -> c_int {
    let body = || -> Result<()> {
        if service.is_null() || request.is_null() || key.is_null() || response.is_null() {
            return Err(S::KMS_IMPORT_NULL_POINTER.into());
        }
        let mut rng = CallbackRng::new(rng, rng_ctx)?;
        // SAFETY: non-NULL, and valid for the call by the contract; `response` is written only
        // through these references.
        let (service, request, key, response) =
            unsafe { (&*service, &*request, &*key, &mut *response) };
        // SAFETY: the caller's contract for the pointers inside.
        let result = unsafe {
            crate::service::get_parameters_for_import(
                &service.inner,
                request,
                key,
                now,
                &mut rng,
                response,
            )
        };
        rng.check()?;
        result
    };
    // SAFETY: `message` is the caller's buffer (or NULL); nothing secret is written.
    unsafe { guard(&[], (message, message_cap), body) }
}

/// `ImportKeyMaterial` for the key `key` at `now`: opens the token, unwraps, validates, and fills
/// `response` with the material (a secret, wiped on any failure), its `KeyMaterialId` and the
/// state changes the KMS must store. On a KMS exception, `message` receives
/// `"ExceptionName: message"`.
///
/// # Safety
/// See the crate documentation; `response`'s buffers are the caller's.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn kms_import_import_key_material(
    service: *const kms_import_service,
    request: *const kms_import_import_key_material_request,
    key: *const kms_import_key_metadata,
    now: u64,
    rng: kms_import_rng_fn,
    rng_ctx: *mut c_void,
    response: *mut kms_import_import_key_material_response,
    message: *mut c_char,
    message_cap: usize,
) -> c_int {
    // The secret buffer, read before anything can fail so that it is wiped on every failure.
    let secret = if response.is_null() {
        (core::ptr::null_mut(), 0)
    } else {
        // SAFETY: non-NULL and readable by the contract.
        let r = unsafe { response.read_unaligned() };
        (r.material, r.material_cap)
    };
    let body = || -> Result<()> {
        if service.is_null() || request.is_null() || key.is_null() || response.is_null() {
            return Err(S::KMS_IMPORT_NULL_POINTER.into());
        }
        let mut rng = CallbackRng::new(rng, rng_ctx)?;
        // SAFETY: non-NULL, and valid for the call by the contract.
        let (service, request, key, response) =
            unsafe { (&*service, &*request, &*key, &mut *response) };
        // SAFETY: the caller's contract for the pointers inside.
        let result = unsafe {
            crate::service::import_key_material(
                &service.inner,
                request,
                key,
                now,
                &mut rng,
                response,
            )
        };
        rng.check()?;
        result
    };
    // SAFETY: `secret` is the caller's material buffer (or NULL); `message` likewise.
    unsafe { guard(&[secret], (message, message_cap), body) }
}
