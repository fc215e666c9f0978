//! The service operations over the core's `ImportService` (the `service` feature).

use alloc::format;
use alloc::string::ToString;
use core::ffi::c_char;
use core::fmt;

use kms_import::{
    AssociatedKeyMaterial, ExpirationModel, GetParametersForImportRequest,
    ImportKeyMaterialRequest, ImportService, ImportState, ImportType, KeyIdentifier,
    KeyMaterialExpiration, KeyMaterialId, KeyMaterialState, KeyMetadata, KeySpec, KeyState,
    KeyUsage, KmsError, MultiRegionKeyType, Origin, Partition, SealingKeyId, UnixTime,
    WrappingAlgorithm, WrappingKeySpec, WrappingPrivateKey,
};

use crate::service_api::*;
use crate::{CallbackRng, Fail, Out, Result, Span, check_no_overlap};
use crate::{bytes_in, kms_import_status as S, name_in, opt_str_in, str_in};

pub(crate) type Inner = ImportService;

pub(crate) fn new(master_secret: &[u8], sealing_key_id: u32) -> Result<Inner> {
    let secret: &[u8; 32] = master_secret.try_into().map_err(|_| {
        Fail::with_text(
            S::KMS_IMPORT_INVALID_ARGUMENT,
            "the master secret must be exactly 32 bytes",
        )
    })?;
    Ok(ImportService::from_master_secret(
        secret,
        SealingKeyId(sealing_key_id),
    ))
}

/// The status of a KMS exception, with `"Name: message"`.
fn kms(e: KmsError) -> Fail {
    let status = match &e {
        KmsError::InvalidArnException(_) => S::KMS_IMPORT_INVALID_ARN_EXCEPTION,
        KmsError::UnsupportedOperationException(_) => S::KMS_IMPORT_UNSUPPORTED_OPERATION_EXCEPTION,
        KmsError::KmsInvalidStateException(_) => S::KMS_IMPORT_KMS_INVALID_STATE_EXCEPTION,
        KmsError::ValidationException(_) => S::KMS_IMPORT_VALIDATION_EXCEPTION,
        KmsError::NotFoundException(_) => S::KMS_IMPORT_NOT_FOUND_EXCEPTION,
        KmsError::InvalidImportTokenException(_) => S::KMS_IMPORT_INVALID_IMPORT_TOKEN_EXCEPTION,
        KmsError::ExpiredImportTokenException(_) => S::KMS_IMPORT_EXPIRED_IMPORT_TOKEN_EXCEPTION,
        KmsError::InvalidCiphertextException => S::KMS_IMPORT_INVALID_CIPHERTEXT_EXCEPTION,
        KmsError::IncorrectKeyMaterialException(_) => {
            S::KMS_IMPORT_INCORRECT_KEY_MATERIAL_EXCEPTION
        }
        _ => S::KMS_IMPORT_KMS_INTERNAL_EXCEPTION,
    };
    exception(status, e)
}

/// A request field that must be an AWS name: KMS answers a bad one with `ValidationException`.
///
/// # Safety
/// `ptr` is NULL or a NUL-terminated string.
unsafe fn request_name<T>(ptr: *const c_char, field: &str) -> Result<T>
where
    T: core::str::FromStr<Err = kms_import::UnknownName>,
{
    // SAFETY: as the caller's.
    let s = unsafe { str_in(ptr) }?;
    s.parse::<T>().map_err(|e| {
        kms(KmsError::ValidationException(format!(
            "1 validation error detected: value at '{field}' failed to satisfy constraint: {e}"
        )))
    })
}

/// An optional request field that must be an AWS name.
///
/// # Safety
/// As [`request_name`].
unsafe fn opt_request_name<T>(ptr: *const c_char, field: &str) -> Result<Option<T>>
where
    T: core::str::FromStr<Err = kms_import::UnknownName>,
{
    if ptr.is_null() {
        return Ok(None);
    }
    // SAFETY: as the caller's.
    unsafe { request_name(ptr, field) }.map(Some)
}

/// The host's metadata as the core's `KeyMetadata`.
///
/// # Safety
/// The pointers in `m` are NULL or valid (strings NUL-terminated, `key_materials` an array of
/// `key_materials_count`).
unsafe fn metadata(m: &kms_import_key_metadata) -> Result<KeyMetadata> {
    // SAFETY: the caller's contract, for every field.
    unsafe {
        let key: KeyIdentifier = str_in(m.key)?.parse().map_err(kms)?;
        let partition: Option<Partition> = match opt_str_in(m.partition)? {
            Some(_) => Some(name_in(m.partition)?),
            None => None,
        };
        let key_spec: KeySpec = name_in(m.key_spec)?;
        let key_usage: KeyUsage = name_in(m.key_usage)?;
        let mut meta = match key {
            KeyIdentifier::Arn(arn) => {
                if partition.is_some_and(|p| p != arn.partition()) {
                    return Err(Fail::with_text(
                        S::KMS_IMPORT_INVALID_ARGUMENT,
                        "the metadata's partition is not its key ARN's",
                    ));
                }
                KeyMetadata::new(arn, key_spec, key_usage)
            }
            KeyIdentifier::Id(id) => KeyMetadata::with_key_id(
                id,
                partition.unwrap_or(Partition::Aws),
                key_spec,
                key_usage,
            ),
        };
        if !m.key_state.is_null() {
            meta.key_state = name_in::<KeyState>(m.key_state)?;
        }
        if !m.origin.is_null() {
            meta.origin = name_in::<Origin>(m.origin)?;
        }
        if !m.multi_region_key_type.is_null() {
            meta.multi_region = Some(name_in::<MultiRegionKeyType>(m.multi_region_key_type)?);
        }
        meta.custom_key_store = m.custom_key_store != 0;
        if m.key_materials_count > 0 {
            if m.key_materials.is_null() {
                return Err(S::KMS_IMPORT_NULL_POINTER.into());
            }
            if m.key_materials_count > 4096 {
                return Err(Fail::with_text(
                    S::KMS_IMPORT_INVALID_ARGUMENT,
                    "more than 4096 key materials",
                ));
            }
            let materials = core::slice::from_raw_parts(m.key_materials, m.key_materials_count);
            for km in materials {
                let key_material_id: KeyMaterialId = str_in(km.key_material_id)?
                    .parse()
                    .map_err(|e| Fail::with_text(S::KMS_IMPORT_INVALID_ARGUMENT, e))?;
                meta.key_materials.push(AssociatedKeyMaterial {
                    key_material_id,
                    state: name_in::<KeyMaterialState>(km.key_material_state)?,
                    import_state: name_in::<ImportState>(km.import_state)?,
                });
            }
        }
        Ok(meta)
    }
}

fn now_of(now: u64) -> Result<UnixTime> {
    UnixTime::from_secs(now).ok_or_else(|| {
        Fail::with_text(
            S::KMS_IMPORT_INVALID_ARGUMENT,
            "the time is not a valid timestamp",
        )
    })
}

/// # Safety
/// The pointers in the structs are NULL or valid for their lengths.
pub(crate) unsafe fn get_parameters_for_import(
    service: &Inner,
    request: &kms_import_get_parameters_for_import_request,
    key: &kms_import_key_metadata,
    now: u64,
    rng: &mut CallbackRng,
    response: &mut kms_import_get_parameters_for_import_response,
) -> Result<()> {
    // SAFETY: the caller's contract, for every pointer.
    unsafe {
        let key = metadata(key)?;
        let now = now_of(now)?;
        let key_id = str_in(request.key_id)?;
        let wrapping_algorithm: WrappingAlgorithm =
            request_name(request.wrapping_algorithm, "wrappingAlgorithm")?;
        let wrapping_key_spec: WrappingKeySpec =
            request_name(request.wrapping_key_spec, "wrappingKeySpec")?;
        let pregenerated = bytes_in(request.wrapping_key_pkcs8, request.wrapping_key_pkcs8_len)?;
        let token_out = out(
            response.import_token,
            response.import_token_cap,
            &mut response.import_token_len,
        )?;
        let public_out = out(
            response.public_key,
            response.public_key_cap,
            &mut response.public_key_len,
        )?;
        check_no_overlap(
            &[
                token_out.span(),
                public_out.span(),
                Span::of(response.key_id.cast(), response.key_id_cap),
            ],
            &[Span::of(
                request.wrapping_key_pkcs8,
                request.wrapping_key_pkcs8_len,
            )],
        )?;
        let core_request = GetParametersForImportRequest {
            key_id,
            wrapping_algorithm,
            wrapping_key_spec,
        };
        let params = if pregenerated.is_empty() {
            service.get_parameters_for_import(&core_request, &key, now, rng)
        } else {
            let wrapping_key = WrappingPrivateKey::from_pkcs8_der(pregenerated)?;
            service.get_parameters_for_import_with_wrapping_key(
                &core_request,
                &key,
                wrapping_key,
                now,
                rng,
            )
        }
        .map_err(kms)?;
        let key_id_text = params.key_id.to_string();
        let fits = [
            token_out.fits(params.import_token.len()),
            public_out.fits(params.public_key.len()),
            c_string_out(
                response.key_id,
                response.key_id_cap,
                &mut response.key_id_len,
                &key_id_text,
            )?,
        ];
        if fits.contains(&false) {
            return Err(S::KMS_IMPORT_BUFFER_TOO_SMALL.into());
        }
        token_out.write(&params.import_token);
        public_out.write(&params.public_key);
        response.parameters_valid_to = params.parameters_valid_to.as_secs();
        Ok(())
    }
}

/// # Safety
/// The pointers in the structs are NULL or valid for their lengths.
pub(crate) unsafe fn import_key_material(
    service: &Inner,
    request: &kms_import_import_key_material_request,
    key: &kms_import_key_metadata,
    now: u64,
    rng: &mut CallbackRng,
    response: &mut kms_import_import_key_material_response,
) -> Result<()> {
    // SAFETY: the caller's contract, for every pointer.
    unsafe {
        let key = metadata(key)?;
        let now = now_of(now)?;
        let import_token = bytes_in(request.import_token, request.import_token_len)?;
        let encrypted = bytes_in(
            request.encrypted_key_material,
            request.encrypted_key_material_len,
        )?;
        let material_out = out(
            response.material,
            response.material_cap,
            &mut response.material_len,
        )?;
        check_no_overlap(
            &[
                material_out.span(),
                Span::of(response.key_id.cast(), response.key_id_cap),
            ],
            &[
                Span::of(request.import_token, request.import_token_len),
                Span::of(
                    request.encrypted_key_material,
                    request.encrypted_key_material_len,
                ),
            ],
        )?;
        let valid_to = match request.valid_to {
            0 => None,
            secs => Some(UnixTime::from_secs(secs).ok_or_else(|| {
                kms(KmsError::ValidationException(
                    "ValidTo is not a valid timestamp".into(),
                ))
            })?),
        };
        let core_request = ImportKeyMaterialRequest {
            key_id: str_in(request.key_id)?,
            import_token,
            encrypted_key_material: encrypted,
            expiration_model: opt_request_name::<ExpirationModel>(
                request.expiration_model,
                "expirationModel",
            )?,
            valid_to,
            import_type: opt_request_name::<ImportType>(request.import_type, "importType")?,
            key_material_id: opt_str_in(request.key_material_id)?,
            key_material_description: opt_str_in(request.key_material_description)?,
        };
        let imported = service
            .import_key_material(&core_request, &key, now, rng)
            .map_err(kms)?;
        let key_id_text = imported.key_id.to_string();
        let fits = [
            material_out.fits(imported.material.len()),
            c_string_out(
                response.key_id,
                response.key_id_cap,
                &mut response.key_id_len,
                &key_id_text,
            )?,
        ];
        if fits.contains(&false) {
            return Err(S::KMS_IMPORT_BUFFER_TOO_SMALL.into());
        }
        material_out.write(imported.material.as_bytes());
        fixed_text(&mut response.key_material_id, imported.key_material_id);
        fixed_text(&mut response.import_type, imported.import_type);
        fixed_text(
            &mut response.key_material_state,
            imported.key_material_state,
        );
        fixed_text(&mut response.key_state, imported.key_state);
        let (model, valid_to) = match imported.expiration {
            KeyMaterialExpiration::ExpiresAt(t) => {
                (ExpirationModel::KeyMaterialExpires, t.as_secs())
            }
            KeyMaterialExpiration::DoesNotExpire => (ExpirationModel::KeyMaterialDoesNotExpire, 0),
        };
        fixed_text(&mut response.expiration_model, model);
        response.valid_to = valid_to;
        Ok(())
    }
}

/// The response's `(ptr, cap, &mut len)` as an [`Out`].
pub(crate) fn out(ptr: *mut u8, cap: usize, len: &mut usize) -> Result<Out> {
    Out::new(ptr, cap, len)
}

/// A NUL-terminated text output: the length without the NUL goes to `len`; `cap` must hold it
/// and the NUL.
///
/// # Safety
/// `ptr` is NULL or writable for `cap` bytes.
pub(crate) unsafe fn c_string_out(
    ptr: *mut c_char,
    cap: usize,
    len: &mut usize,
    text: &str,
) -> Result<bool> {
    *len = text.len();
    if ptr.is_null() && cap != 0 {
        return Err(S::KMS_IMPORT_NULL_POINTER.into());
    }
    if text.len() >= cap {
        return Ok(false);
    }
    // SAFETY: `text.len() + 1 <= cap` bytes, writable by the contract, Rust-owned source.
    unsafe {
        core::ptr::copy_nonoverlapping(text.as_ptr(), ptr.cast::<u8>(), text.len());
        ptr.add(text.len()).write(0);
    }
    Ok(true)
}

/// `Fail` for a KMS exception.
pub(crate) fn exception(status: S, text: impl core::fmt::Display) -> Fail {
    Fail::with_text(status, text)
}

/// A `fmt::Write` into a fixed C `char` array (truncating, NUL-terminated).
pub(crate) fn fixed_text<const N: usize>(out: &mut [c_char; N], text: impl fmt::Display) {
    struct W<'a> {
        buf: &'a mut [c_char],
        n: usize,
    }
    impl fmt::Write for W<'_> {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            for &b in s.as_bytes() {
                if self.n + 1 >= self.buf.len() {
                    break;
                }
                self.buf[self.n] = b as c_char;
                self.n += 1;
            }
            Ok(())
        }
    }
    out.fill(0);
    let mut w = W { buf: out, n: 0 };
    let _ = fmt::Write::write_fmt(&mut w, format_args!("{text}"));
}
