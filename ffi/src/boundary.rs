//! The boundary's plumbing: failures and their statuses, arguments in (pointers, lengths, names),
//! caller-owned buffers out, wiping, and the guard every entry point runs its body in.

use alloc::string::String;
use core::ffi::{CStr, c_char, c_int};
use core::fmt;
use core::str::FromStr;

use kms_import::Error;
use zeroize::Zeroize;

use crate::kms_import_status as S;
use crate::kms_import_status;

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
///
/// # Safety
/// As [`str_in`].
#[cfg(feature = "service")]
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
