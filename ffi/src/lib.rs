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
//! No Rust panic crosses into C. With the `std` feature (hosts) every entry point runs under
//! `std::panic::catch_unwind`; a panic becomes `KMS_IMPORT_INTERNAL_ERROR` after the secret
//! outputs are wiped (a host build with `panic = "abort"` in its Cargo profile aborts the process
//! instead: no unwinding either way). Firmware builds (`--no-default-features --features firmware`, a `no_std`
//! target whose panic strategy is `abort`) cannot unwind: their panic handler executes a trapping
//! instruction (`udf` on Arm), so a panic ends in the firmware's fault handler and never returns
//! into C with a half-written buffer. The core is written so that no input can panic (lengths are
//! checked before indexing, arithmetic is checked or bounded) and every decoder is fuzzed
//! (`fuzz/`), but that is evidence, not a proof: keep the fault handler's reset.
//!
//! # Safety
//! Every pointer argument must be NULL or valid for the access its length describes for the
//! duration of the call; strings must be NUL-terminated. The functions keep no pointer after they
//! return. A [`kms_import_service`] may be used from several threads at once (it is immutable).

#![cfg_attr(not(feature = "std"), no_std)]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs, rust_2018_idioms)]
// The C names are the API, and so are the argument lists issue 17 gives.
#![allow(non_camel_case_types, clippy::too_many_arguments)]

#[cfg(all(feature = "std", feature = "firmware"))]
compile_error!("`firmware` is for no_std builds: build with --no-default-features");

extern crate alloc;

use alloc::string::String;
use core::ffi::{CStr, c_char, c_int, c_void};
use core::fmt;
use core::str::FromStr;

use kms_import::rand_core::{TryCryptoRng, TryRng};
use kms_import::{
    Error, KeySpec, Partition, WrappingAlgorithm, WrappingKeySpec, WrappingPrivateKey,
    WrappingPublicKey, WrappingScheme, material, matrix,
};
use zeroize::Zeroize;

#[cfg(feature = "firmware")]
mod firmware;
#[cfg(feature = "service")]
mod service;

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

use kms_import_status as S;

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

// ---------------------------------------------------------------------------------------------
// Plumbing: failures, inputs, outputs, the RNG, the panic guard.

/// A failed call: its status and, for the calls that have a reason or message buffer, the text.
pub(crate) struct Fail {
    pub(crate) status: kms_import_status,
    pub(crate) text: Option<String>,
    /// Set when the output buffers overlap the inputs: wiping them would destroy the caller's
    /// input, and nothing was written to them.
    pub(crate) keep_outputs: bool,
}

impl From<kms_import_status> for Fail {
    fn from(status: kms_import_status) -> Self {
        Fail {
            status,
            text: None,
            keep_outputs: false,
        }
    }
}

impl Fail {
    pub(crate) fn with_text(status: kms_import_status, text: impl fmt::Display) -> Self {
        Fail {
            status,
            text: Some(alloc::format!("{text}")),
            keep_outputs: false,
        }
    }
}

impl From<Error> for Fail {
    fn from(e: Error) -> Self {
        let status = match &e {
            Error::UnknownName(_) => S::KMS_IMPORT_UNKNOWN_NAME,
            Error::NotAllowed(_) => S::KMS_IMPORT_NOT_ALLOWED,
            Error::MaterialLength { .. } => S::KMS_IMPORT_MATERIAL_LENGTH,
            Error::InvalidKey(_) => S::KMS_IMPORT_INVALID_KEY,
            Error::IncorrectKeyMaterial(_) => S::KMS_IMPORT_INCORRECT_KEY_MATERIAL,
            Error::InvalidCiphertext => S::KMS_IMPORT_INVALID_CIPHERTEXT,
            Error::Rng => S::KMS_IMPORT_RNG_FAILURE,
            Error::Unsupported(_) => S::KMS_IMPORT_UNSUPPORTED,
            _ => S::KMS_IMPORT_INTERNAL_ERROR,
        };
        Fail::with_text(status, e)
    }
}

pub(crate) type Result<T> = core::result::Result<T, Fail>;

/// A byte range, for the overlap check.
#[derive(Clone, Copy)]
pub(crate) struct Span(usize, usize);

impl Span {
    pub(crate) fn of(ptr: *const u8, len: usize) -> Span {
        Span(ptr as usize, len)
    }
    fn overlaps(self, other: Span) -> bool {
        self.1 != 0
            && other.1 != 0
            && self.0 < other.0.saturating_add(other.1)
            && other.0 < self.0.saturating_add(self.1)
    }
}

/// `KMS_IMPORT_INVALID_ARGUMENT` when any output span overlaps an input span or another output.
pub(crate) fn check_no_overlap(outputs: &[Span], inputs: &[Span]) -> Result<()> {
    for (i, out) in outputs.iter().enumerate() {
        if inputs
            .iter()
            .chain(&outputs[i + 1..])
            .any(|s| out.overlaps(*s))
        {
            let mut fail = Fail::with_text(
                S::KMS_IMPORT_INVALID_ARGUMENT,
                "an output buffer overlaps an input or another output",
            );
            fail.keep_outputs = true;
            return Err(fail);
        }
    }
    Ok(())
}

/// An input byte string: NULL with length 0 is empty; NULL otherwise is `NULL_POINTER`.
///
/// # Safety
/// `ptr` is NULL or valid for reads of `len` bytes for `'a`.
pub(crate) unsafe fn bytes_in<'a>(ptr: *const u8, len: usize) -> Result<&'a [u8]> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(S::KMS_IMPORT_NULL_POINTER.into());
    }
    if len > isize::MAX as usize {
        return Err(S::KMS_IMPORT_INVALID_ARGUMENT.into());
    }
    // SAFETY: non-NULL, len ≤ isize::MAX, and the caller guarantees `len` readable bytes that
    // nobody writes during the call (the function's contract).
    Ok(unsafe { core::slice::from_raw_parts(ptr, len) })
}

/// A NUL-terminated UTF-8 string argument.
///
/// # Safety
/// `ptr` is NULL or a valid NUL-terminated string for `'a`.
pub(crate) unsafe fn str_in<'a>(ptr: *const c_char) -> Result<&'a str> {
    if ptr.is_null() {
        return Err(S::KMS_IMPORT_NULL_POINTER.into());
    }
    // SAFETY: non-NULL and NUL-terminated by the function's contract.
    let c = unsafe { CStr::from_ptr(ptr) };
    c.to_str()
        .map_err(|_| Fail::with_text(S::KMS_IMPORT_INVALID_ARGUMENT, "a string is not UTF-8"))
}

/// An optional string argument: NULL is `None`.
#[cfg(feature = "service")]
///
/// # Safety
/// As [`str_in`].
pub(crate) unsafe fn opt_str_in<'a>(ptr: *const c_char) -> Result<Option<&'a str>> {
    if ptr.is_null() {
        Ok(None)
    } else {
        // SAFETY: as the caller's.
        unsafe { str_in(ptr) }.map(Some)
    }
}

/// An AWS name argument.
///
/// # Safety
/// As [`str_in`].
pub(crate) unsafe fn name_in<T>(ptr: *const c_char) -> Result<T>
where
    T: FromStr<Err = kms_import::UnknownName>,
{
    // SAFETY: as the caller's.
    let s = unsafe { str_in(ptr) }?;
    s.parse::<T>()
        .map_err(|e| Fail::with_text(S::KMS_IMPORT_UNKNOWN_NAME, e))
}

/// A caller-owned output buffer with its capacity and the place its length goes.
pub(crate) struct Out {
    ptr: *mut u8,
    cap: usize,
    len: *mut usize,
}

impl Out {
    /// Checks the pointers: `len` must not be NULL; `ptr` may be NULL only with capacity 0.
    pub(crate) fn new(ptr: *mut u8, cap: usize, len: *mut usize) -> Result<Out> {
        if len.is_null() || (ptr.is_null() && cap != 0) {
            return Err(S::KMS_IMPORT_NULL_POINTER.into());
        }
        if cap > isize::MAX as usize {
            return Err(S::KMS_IMPORT_INVALID_ARGUMENT.into());
        }
        Ok(Out { ptr, cap, len })
    }

    pub(crate) fn span(&self) -> Span {
        Span::of(self.ptr, self.cap)
    }

    /// Whether `n` bytes fit; stores `n` as the length either way.
    ///
    /// # Safety
    /// `self.len` is valid for writes (checked non-NULL in `new`; valid by the contract).
    pub(crate) unsafe fn fits(&self, n: usize) -> bool {
        // SAFETY: non-NULL (checked in `new`) and writable by the function's contract.
        unsafe { self.len.write_unaligned(n) };
        n <= self.cap
    }

    /// Copies `bytes` in (after [`Out::fits`] said they fit).
    ///
    /// # Safety
    /// `self.ptr` is valid for writes of `self.cap` bytes and overlaps no input.
    pub(crate) unsafe fn write(&self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        debug_assert!(bytes.len() <= self.cap);
        // SAFETY: `bytes.len() <= cap`, the buffer is writable for `cap` bytes by the contract,
        // and it does not overlap `bytes`, which lives in Rust-owned memory or an input checked
        // by `check_no_overlap`.
        unsafe { core::ptr::copy_nonoverlapping(bytes.as_ptr(), self.ptr, bytes.len()) };
    }

    /// `BUFFER_TOO_SMALL` with the length needed, or the bytes written and their length.
    ///
    /// # Safety
    /// As [`Out::fits`] and [`Out::write`].
    pub(crate) unsafe fn put(&self, bytes: &[u8]) -> Result<()> {
        // SAFETY: as the caller's.
        if !unsafe { self.fits(bytes.len()) } {
            return Err(S::KMS_IMPORT_BUFFER_TOO_SMALL.into());
        }
        // SAFETY: as the caller's; it fits.
        unsafe { self.write(bytes) };
        Ok(())
    }
}

/// Wipes a caller's buffer (volatile writes). NULL or capacity 0: nothing to wipe.
///
/// # Safety
/// `ptr` is NULL or valid for writes of `cap` bytes.
pub(crate) unsafe fn wipe(ptr: *mut u8, cap: usize) {
    if ptr.is_null() || cap == 0 || cap > isize::MAX as usize {
        return;
    }
    // SAFETY: non-NULL and writable for `cap` bytes by the contract; no Rust reference to it
    // is alive (the operation has returned).
    unsafe { core::slice::from_raw_parts_mut(ptr, cap) }.zeroize();
}

/// Writes `text` into a C string buffer, truncated at a character boundary to fit, always
/// NUL-terminated when `cap > 0`.
///
/// # Safety
/// `buf` is NULL or valid for writes of `cap` bytes.
pub(crate) unsafe fn text_out(buf: *mut c_char, cap: usize, text: &str) {
    if buf.is_null() || cap == 0 || cap > isize::MAX as usize {
        return;
    }
    // SAFETY: non-NULL and writable for `cap` bytes by the contract.
    let out = unsafe { core::slice::from_raw_parts_mut(buf.cast::<u8>(), cap) };
    let mut n = 0;
    for ch in text.chars() {
        let len = ch.len_utf8();
        if n + len > cap - 1 {
            break;
        }
        ch.encode_utf8(&mut out[n..n + len]);
        n += len;
    }
    out[n] = 0;
}

/// Adapts a [`kms_import_rng_fn`] to the core's `CryptoRng`. The core's RNG traits cannot fail,
/// so a failing callback is remembered and the entry point turns the whole call into
/// `KMS_IMPORT_RNG_FAILURE`, discarding (wiping) what it produced. Until the operation returns,
/// draws after the failure come from a fixed non-zero stream, not zeros: rejection loops over
/// random values (RSA blinding in `rsa` 0.10 redraws r until it is invertible, forever for an RNG
/// stuck at zero) must end, and their result is thrown away.
pub(crate) struct CallbackRng {
    fill: unsafe extern "C" fn(*mut c_void, *mut u8, usize) -> c_int,
    ctx: *mut c_void,
    failed: bool,
    /// SplitMix64 state of the stream after a failure.
    after_failure: u64,
}

impl CallbackRng {
    pub(crate) fn new(rng: kms_import_rng_fn, ctx: *mut c_void) -> Result<Self> {
        let fill = rng.ok_or(Fail::from(S::KMS_IMPORT_NULL_POINTER))?;
        Ok(CallbackRng {
            fill,
            ctx,
            failed: false,
            after_failure: 0,
        })
    }

    /// `Err(RNG_FAILURE)` when the callback ever failed.
    pub(crate) fn check(&self) -> Result<()> {
        if self.failed {
            Err(Fail::with_text(
                S::KMS_IMPORT_RNG_FAILURE,
                "the random number generator failed",
            ))
        } else {
            Ok(())
        }
    }
}

impl TryRng for CallbackRng {
    type Error = core::convert::Infallible;

    fn try_next_u32(&mut self) -> core::result::Result<u32, Self::Error> {
        let mut b = [0u8; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }

    fn try_next_u64(&mut self) -> core::result::Result<u64, Self::Error> {
        let mut b = [0u8; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> core::result::Result<(), Self::Error> {
        if !self.failed && !dst.is_empty() {
            // SAFETY: the callback is the caller's, called as its type documents: `dst` is
            // valid for writes of `dst.len()` bytes, and `ctx` is passed through untouched.
            let rc = unsafe { (self.fill)(self.ctx, dst.as_mut_ptr(), dst.len()) };
            self.failed = rc != 0;
        }
        if self.failed {
            for chunk in dst.chunks_mut(8) {
                self.after_failure = self.after_failure.wrapping_add(0x9E37_79B9_7F4A_7C15);
                let mut z = self.after_failure;
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                let bytes = (z ^ (z >> 31)).to_le_bytes();
                chunk.copy_from_slice(&bytes[..chunk.len()]);
            }
        }
        Ok(())
    }
}

impl TryCryptoRng for CallbackRng {}

/// Runs an entry point's body: no panic escapes (`catch_unwind` with `std`), and on any failure
/// the secret output buffers are wiped (whole, whatever was written; not when they overlap an
/// input, which is refused before anything is written) and the failure's text goes to the reason
/// buffer.
///
/// # Safety
/// Each `secrets` pair is NULL or a buffer writable for its capacity; `reason` likewise.
pub(crate) unsafe fn guard(
    secrets: &[(*mut u8, usize)],
    reason: (*mut c_char, usize),
    body: impl FnOnce() -> Result<()>,
) -> c_int {
    #[cfg(feature = "std")]
    let result =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(body)).unwrap_or_else(|_| {
            Err(Fail::with_text(
                S::KMS_IMPORT_INTERNAL_ERROR,
                "internal error (a panic was caught at the C boundary)",
            ))
        });
    #[cfg(not(feature = "std"))]
    let result = body();
    match result {
        Ok(()) => {
            // SAFETY: as the caller's.
            unsafe { text_out(reason.0, reason.1, "") };
            S::KMS_IMPORT_OK as c_int
        }
        Err(fail) => {
            let secrets = if fail.keep_outputs { &[][..] } else { secrets };
            for &(ptr, cap) in secrets {
                // SAFETY: as the caller's.
                unsafe { wipe(ptr, cap) };
            }
            // SAFETY: as the caller's.
            unsafe { text_out(reason.0, reason.1, fail.text.as_deref().unwrap_or("")) };
            fail.status as c_int
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Wrapping keys, wrap, unwrap.

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

// ---------------------------------------------------------------------------------------------
// Policy.

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

/// The RNG for material checks that draw nothing (every key spec but RSA): never called; zeros if
/// it ever were, which no check accepts as randomness.
struct NoRng;

impl TryRng for NoRng {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> core::result::Result<u32, Self::Error> {
        Ok(0)
    }
    fn try_next_u64(&mut self) -> core::result::Result<u64, Self::Error> {
        Ok(0)
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> core::result::Result<(), Self::Error> {
        dst.fill(0);
        Ok(())
    }
}

impl TryCryptoRng for NoRng {}

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

/// A `fmt::Write` into a fixed C `char` array (truncating, NUL-terminated).
#[cfg(feature = "service")]
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

/// An `ImportService`: built once from the KMS's secrets, immutable, usable from several
/// threads. Opaque; `kms_import_service_new` makes one, `kms_import_service_free` frees it.
pub struct kms_import_service {
    pub(crate) inner: service::Inner,
}

mod service_api;
pub use service_api::*;

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
