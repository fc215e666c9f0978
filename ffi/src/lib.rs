//! The C ABI of `kms-import`: what `ffi/include/kms_import.h` declares (generated from this file
//! by cbindgen; `ffi/check-header.sh` checks that the committed header is current).
//!
//! # Conventions
//! - Names are AWS's strings, NUL-terminated and case-sensitive (`"RSAES_OAEP_SHA_256"`,
//!   `"RSA_4096"`, `"ECC_NIST_P256"`, `"aws-cn"`). An unknown one is `KMS_IMPORT_UNKNOWN_NAME`.
//! - Every function returns an `int` that is a [`kms_import_status`]; `KMS_IMPORT_OK` (0) is
//!   success. [`kms_import_status_name`] names any status.
//! - Output buffers belong to the caller: a pointer, its capacity in bytes, and a `size_t *` that
//!   receives the length written. When the capacity is too small the function returns
//!   `KMS_IMPORT_BUFFER_TOO_SMALL`, writes nothing to the buffer and stores the length needed in
//!   the `size_t *`; a NULL buffer with capacity 0 is a size query. Output buffers must not
//!   overlap any input or each other (`KMS_IMPORT_INVALID_ARGUMENT`).
//! - Secrets (unwrapped key material, private keys) written to a caller's buffer are wiped from
//!   the whole buffer on every failure, whatever the status.
//! - A NULL pointer where data is needed is `KMS_IMPORT_NULL_POINTER`; a NULL input with length 0
//!   is the empty input. A length that does not match the data (a DER key with trailing bytes, a
//!   master secret that is not 32 bytes) is a status, never a crash: lengths are checked before
//!   anything is read past them.
//! - Reason and message buffers (`char *reason, size_t reason_cap`) receive text a person can act
//!   on, truncated to fit and always NUL-terminated (unless the capacity is 0); they may be NULL
//!   with capacity 0.
//! - Randomness comes from the caller: a [`kms_import_rng_fn`] that fills `len` bytes and returns
//!   0, or non-zero when it cannot. A failure makes the whole call fail with
//!   `KMS_IMPORT_RNG_FAILURE` and discards (wipes) what it produced.
//!
//! # Panics
//! No Rust panic crosses into C, by three layers:
//! - With the `std` feature (hosts) every entry point's body runs under
//!   `std::panic::catch_unwind`; a panic becomes `KMS_IMPORT_INTERNAL_ERROR` after the secret
//!   outputs are wiped. (`kms_import_status_name` and `kms_import_service_free` have no body that
//!   can panic: a table lookup, and dropping the service.)
//! - Whatever is outside `catch_unwind`, or a build with `panic = "abort"`, or a `no_std` build
//!   on a target that unwinds: the functions are `extern "C"`, which cannot unwind; since Rust
//!   1.81 (this crate needs 1.88) an unwind that reaches such a function aborts the process
//!   instead of crossing into C.
//! - Firmware builds (`--no-default-features --features firmware`, a `no_std` target whose panic
//!   strategy is `abort`) cannot unwind at all: their panic handler executes a trapping
//!   instruction (`udf` on Arm), so a panic ends in the firmware's fault handler and never
//!   returns into C with a half-written buffer.
//!
//! The core is written so that no input can panic (lengths are checked before indexing,
//! arithmetic is checked or bounded) and every decoder is fuzzed (`fuzz/`), but that is evidence,
//! not a proof: keep the fault handler's reset.
//!
//! # Safety
//! Every pointer argument must be NULL or valid for the access its length describes for the
//! duration of the call; strings must be NUL-terminated. The functions keep no pointer after they
//! return. A [`kms_import_service`] may be used from several threads at once (it is immutable).

#![cfg_attr(not(feature = "std"), no_std)]
#![deny(unsafe_op_in_unsafe_fn, clippy::undocumented_unsafe_blocks)]
#![warn(missing_docs, rust_2018_idioms)]
// The C names are the API, and the argument lists are the documented C signatures.
#![allow(non_camel_case_types, clippy::too_many_arguments)]

#[cfg(all(feature = "std", feature = "firmware"))]
compile_error!("`firmware` is for no_std builds: build with --no-default-features");

extern crate alloc;

use core::ffi::{c_int, c_void};

mod boundary;
#[cfg(feature = "firmware")]
mod firmware;
mod keys;
mod policy;
mod rng;
#[cfg(feature = "service")]
mod service;
mod service_api;

pub(crate) use boundary::*;
pub(crate) use rng::CallbackRng;

pub use keys::*;
pub use policy::*;
pub use service_api::*;

/// What every function returns (as an `int`).
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum kms_import_status {
    /// Success.
    KMS_IMPORT_OK = 0,
    /// The ciphertext could not be decrypted. The one opaque status for every way it can fail
    /// (length, padding, KWP integrity check, SM2 tag, DER), so it is no padding oracle.
    KMS_IMPORT_INVALID_CIPHERTEXT = 1,
    /// An output buffer is too small; the length needed was written to its `size_t *`.
    KMS_IMPORT_BUFFER_TOO_SMALL = 2,
    /// A string is not one of AWS's names for that parameter.
    KMS_IMPORT_UNKNOWN_NAME = 3,
    /// AWS KMS does not accept the combination (the compatibility matrix refused it; the reason
    /// says why and what works instead), or the wrapping key does not fit the algorithm.
    KMS_IMPORT_NOT_ALLOWED = 4,
    /// The key material does not fit its key spec (the reason says why).
    KMS_IMPORT_INCORRECT_KEY_MATERIAL = 5,
    /// The caller's RNG failed (returned non-zero, or output that no working RNG gives).
    KMS_IMPORT_RNG_FAILURE = 6,
    /// A wrapping key (SPKI or PKCS#8) did not decode or failed validation.
    KMS_IMPORT_INVALID_KEY = 7,
    /// The material to wrap is empty or longer than `KMS_IMPORT_MAX_MATERIAL_LEN` bytes.
    KMS_IMPORT_MATERIAL_LENGTH = 8,
    /// A required pointer was NULL.
    KMS_IMPORT_NULL_POINTER = 9,
    /// An argument is malformed: a length that does not fit, overlapping buffers, a string that is
    /// not UTF-8, a master secret that is not 32 bytes.
    KMS_IMPORT_INVALID_ARGUMENT = 10,
    /// This build was compiled without the feature the call needs (a firmware profile).
    KMS_IMPORT_UNSUPPORTED = 11,
    /// Something failed that cannot fail for valid inputs (or a Rust panic was caught).
    KMS_IMPORT_INTERNAL_ERROR = 12,
    /// `InvalidArnException`.
    KMS_IMPORT_INVALID_ARN_EXCEPTION = 100,
    /// `UnsupportedOperationException`.
    KMS_IMPORT_UNSUPPORTED_OPERATION_EXCEPTION = 101,
    /// `KMSInvalidStateException`.
    KMS_IMPORT_KMS_INVALID_STATE_EXCEPTION = 102,
    /// `ValidationException`.
    KMS_IMPORT_VALIDATION_EXCEPTION = 103,
    /// `NotFoundException`.
    KMS_IMPORT_NOT_FOUND_EXCEPTION = 104,
    /// `InvalidImportTokenException`.
    KMS_IMPORT_INVALID_IMPORT_TOKEN_EXCEPTION = 105,
    /// `ExpiredImportTokenException`.
    KMS_IMPORT_EXPIRED_IMPORT_TOKEN_EXCEPTION = 106,
    /// `InvalidCiphertextException`.
    KMS_IMPORT_INVALID_CIPHERTEXT_EXCEPTION = 107,
    /// `IncorrectKeyMaterialException`.
    KMS_IMPORT_INCORRECT_KEY_MATERIAL_EXCEPTION = 108,
    /// `KMSInternalException`.
    KMS_IMPORT_KMS_INTERNAL_EXCEPTION = 109,
}

/// The caller's random number generator: fills `len` bytes at `out` and returns 0, or returns
/// non-zero when it cannot (the call then fails with `KMS_IMPORT_RNG_FAILURE`). `ctx` is passed
/// through untouched. It must be a cryptographically secure generator.
pub type kms_import_rng_fn =
    Option<unsafe extern "C" fn(ctx: *mut c_void, out: *mut u8, len: usize) -> c_int>;

/// Largest `EncryptedKeyMaterial` (and `ImportToken`) AWS KMS accepts, in bytes.
pub const KMS_IMPORT_MAX_ENCRYPTED_KEY_MATERIAL_LEN: usize = 6144;
/// Largest `ImportToken` AWS KMS accepts, in bytes.
pub const KMS_IMPORT_MAX_IMPORT_TOKEN_LEN: usize = 6144;
/// Largest key material `kms_import_wrap` takes and `kms_import_unwrap` returns, in bytes.
pub const KMS_IMPORT_MAX_MATERIAL_LEN: usize = 4096;
/// A `pkcs8` capacity with which `kms_import_generate_wrapping_key` never answers
/// `KMS_IMPORT_BUFFER_TOO_SMALL` (an RSA_4096 PKCS#8 is at most 2377 bytes).
pub const KMS_IMPORT_MAX_PKCS8_LEN: usize = 2400;
/// A `spki` capacity that fits every wrapping public key (RSA_4096: 550 bytes).
pub const KMS_IMPORT_MAX_SPKI_LEN: usize = 550;
/// A key ID buffer that fits every `KeyId` a response carries (a key ARN), with its NUL.
pub const KMS_IMPORT_MAX_KEY_ID_LEN: usize = 2049;

const _: () = {
    assert!(
        KMS_IMPORT_MAX_ENCRYPTED_KEY_MATERIAL_LEN
            == kms_import::limits::MAX_ENCRYPTED_KEY_MATERIAL_LEN
    );
    assert!(KMS_IMPORT_MAX_IMPORT_TOKEN_LEN == kms_import::limits::MAX_IMPORT_TOKEN_LEN);
    assert!(KMS_IMPORT_MAX_MATERIAL_LEN == kms_import::limits::MAX_MATERIAL_LEN);
};

/// An `ImportService`: built once from the KMS's secrets, immutable, usable from several
/// threads. Opaque; `kms_import_service_new` makes one, `kms_import_service_free` frees it.
pub struct kms_import_service {
    pub(crate) inner: service::Inner,
}

#[cfg(not(feature = "service"))]
mod service {
    //! Without the `service` feature the service entry points exist (the header is the same for
    //! every profile) and answer `KMS_IMPORT_UNSUPPORTED`.
    use crate::service_api::*;
    use crate::{Fail, Result, kms_import_status};

    pub(crate) struct Inner;

    fn unsupported<T>() -> Result<T> {
        Err(Fail::with_text(
            kms_import_status::KMS_IMPORT_UNSUPPORTED,
            "the service operations are not supported by this build (kms-import was compiled \
             without its `service` feature)",
        ))
    }

    pub(crate) fn new(_: &[u8], _: u32) -> Result<Inner> {
        unsupported()
    }

    pub(crate) unsafe fn get_parameters_for_import(
        _: &Inner,
        _: &kms_import_get_parameters_for_import_request,
        _: &kms_import_key_metadata,
        _: u64,
        _: &mut crate::CallbackRng,
        _: &mut kms_import_get_parameters_for_import_response,
    ) -> Result<()> {
        unsupported()
    }

    pub(crate) unsafe fn import_key_material(
        _: &Inner,
        _: &kms_import_import_key_material_request,
        _: &kms_import_key_metadata,
        _: u64,
        _: &mut crate::CallbackRng,
        _: &mut kms_import_import_key_material_response,
    ) -> Result<()> {
        unsupported()
    }
}
